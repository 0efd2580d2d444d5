"""Bad input gets a clear error that names the argument, the value and the fix.

Each case checks the exception type and the key parts of the message, for
both the fast functions and their loop twins (they share the checks)."""

import numpy as np
import pytest

from cnnlib import (
    avg_pool2d,
    conv2d,
    cross_entropy,
    kernels,
    leaky_relu,
    max_pool2d,
    output_size,
    reference,
    softmax,
    to_channels_first,
)

IMG = np.zeros((1, 1, 8, 8))
W = np.zeros((2, 1, 3, 3))
CONVS = [conv2d, reference.conv2d]
POOLS = [max_pool2d, avg_pool2d, reference.max_pool2d, reference.avg_pool2d]


@pytest.mark.parametrize("conv", CONVS)
class TestConvErrors:
    def test_wrong_number_of_dimensions(self, conv):
        with pytest.raises(ValueError, match=r"x must have shape .* but has 5 dimension"):
            conv(np.zeros((1, 1, 1, 8, 8)), W)
        with pytest.raises(ValueError, match=r"x must have shape .* 1 dimension"):
            conv(np.zeros(8), np.zeros(3))

    def test_channels_last_image_gets_a_specific_hint(self, conv):
        with pytest.raises(
            ValueError, match=r"channels-last image \(H, W, C\).*cnnlib.to_channels_first\(x\)"
        ):
            conv(np.zeros((8, 8, 3)), np.zeros((1, 3, 3, 3)))

    def test_2d_image_needs_2d_kernel(self, conv):
        with pytest.raises(
            ValueError, match=r"2-D image x \(8, 8\) needs a 2-D kernel.*x\[None, None\]"
        ):
            conv(np.zeros((8, 8)), W)

    def test_weight_dimensions(self, conv):
        with pytest.raises(ValueError, match=r"weight must have shape \(F, C, kH, kW\)"):
            conv(IMG, np.zeros((3, 3)))

    def test_channel_mismatch(self, conv):
        with pytest.raises(
            ValueError, match=r"x has 3 channel\(s\) but weight expects 1.*\(F, 3, kH, kW\)"
        ):
            conv(np.zeros((1, 3, 8, 8)), W)

    def test_kernel_larger_than_padded_input(self, conv):
        with pytest.raises(
            ValueError,
            match="kernel 5x5 does not fit a 3x3 input with padding 0; "
            "use padding>=1 or a smaller kernel",
        ):
            conv(np.zeros((3, 3)), np.zeros((5, 5)))
        with pytest.raises(ValueError, match=r"kernel 3x3 with dilation \(3, 3\) .* 5x5 input"):
            conv(np.zeros((5, 5)), np.zeros((3, 3)), dilation=3)

    @pytest.mark.parametrize("name", ["stride", "dilation"])
    @pytest.mark.parametrize("value", [0, -1, (1, 0)])
    def test_stride_and_dilation_below_one(self, conv, name, value):
        with pytest.raises(
            ValueError,
            match=f"{name} must be at least 1, but is {value!r}".replace("(", r"\(").replace(
                ")", r"\)"
            ),
        ):
            conv(IMG, W, **{name: value})

    @pytest.mark.parametrize("value", [1.5, "2", (1, 2, 3), True, None])
    def test_stride_of_wrong_type(self, conv, value):
        with pytest.raises(TypeError, match="stride must be an int or a pair of ints"):
            conv(IMG, W, stride=value)

    def test_negative_padding(self, conv):
        with pytest.raises(
            ValueError, match="padding must be at least 0, but is -1; use padding>=0"
        ):
            conv(IMG, W, padding=-1)

    def test_unknown_padding_mode(self, conv):
        with pytest.raises(ValueError, match=r"padding must be .*'valid', 'same', 'full'.* 'half'"):
            conv(IMG, W, padding="half")

    def test_same_with_stride(self, conv):
        with pytest.raises(
            ValueError, match="padding='same' .* only with stride 1, but stride is 2"
        ):
            conv(IMG, W, padding="same", stride=2)

    @pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
    def test_nan_or_inf_input(self, conv, bad):
        x = IMG.copy()
        x[0, 0, 2, 5] = bad
        with pytest.raises(
            ValueError,
            match=r"x contains 1 NaN or infinite value\(s\), the first at index \(0, 0, 2, 5\)",
        ):
            conv(x, W)
        w = W.copy()
        w[1, 0, 0, 0] = bad
        with pytest.raises(ValueError, match="weight contains 1 NaN"):
            conv(IMG, w)

    def test_bias_shape(self, conv):
        with pytest.raises(ValueError, match=r"bias must have shape \(2,\), one number per filter"):
            conv(IMG, W, bias=np.zeros(3))

    def test_complex_and_strings_are_type_errors(self, conv):
        with pytest.raises(TypeError, match="x must hold real numbers, but has dtype complex128"):
            conv(IMG.astype(complex), W)
        with pytest.raises(TypeError, match="weight must hold real numbers"):
            conv(IMG, np.full((2, 1, 3, 3), "a"))

    def test_empty_axis(self, conv):
        with pytest.raises(ValueError, match="must not have an empty axis"):
            conv(np.zeros((0, 1, 8, 8)), W)


def test_large_finite_values_are_not_mistaken_for_inf():
    """The fast NaN check sums the array (or takes max - min); an overflow must not raise."""
    x = np.full((1, 1, 4, 4), 3e38, dtype=np.float32)
    assert np.isfinite(conv2d(x, np.full((1, 1, 1, 1), 0.5, np.float32))).all()


@pytest.mark.parametrize("size", [8, 8192, 8193, 40_000])  # the small (dot) and large paths
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_small_and_large_arrays(size, bad):
    from cnnlib._validate import check_finite

    x = np.full(size, 3e38, dtype=np.float32)  # finite, but every sum of it overflows
    check_finite(x)
    x[::2] = -3e38  # and so does max - min
    check_finite(x)
    check_finite(x.reshape(1, -1)[:, ::2])  # not contiguous
    x[size // 2] = bad
    with pytest.raises(ValueError, match=rf"x contains 1 NaN .* at index \({size // 2},\)"):
        check_finite(x)
    x[size // 2], x[-1] = np.inf, -np.inf  # inf - inf = NaN in the sum
    with pytest.raises(ValueError, match="x contains 2 NaN or infinite"):
        check_finite(x)


@pytest.mark.parametrize("pool", POOLS)
class TestPoolErrors:
    def test_window_larger_than_input(self, pool):
        with pytest.raises(
            ValueError, match="pooling window 4x4 does not fit a 3x3 input with padding 0"
        ):
            pool(np.zeros((3, 3)), 4)

    def test_too_much_padding(self, pool):
        with pytest.raises(
            ValueError, match="padding 2 is more than half the pooling window 2.* padding<=1"
        ):
            pool(np.zeros((6, 6)), 2, padding=2)

    def test_string_padding_rejected(self, pool):
        with pytest.raises(TypeError, match="'valid', 'same' and 'full' are for convolution"):
            pool(np.zeros((6, 6)), 2, padding="same")

    def test_bad_kernel_and_stride(self, pool):
        with pytest.raises(ValueError, match="kernel_size must be at least 1, but is 0"):
            pool(np.zeros((6, 6)), 0)
        with pytest.raises(ValueError, match="stride must be at least 1, but is 0"):
            pool(np.zeros((6, 6)), 2, stride=0)

    def test_nan(self, pool):
        with pytest.raises(ValueError, match="x contains 1 NaN"):
            pool(np.array([[1.0, np.nan], [0.0, 2.0]]), 2)

    def test_dimensions(self, pool):
        with pytest.raises(ValueError, match="x must have shape"):
            pool(np.zeros(5), 2)


def test_output_size_errors():
    with pytest.raises(ValueError, match="kernel 5x5 does not fit a 3x3 input .* use padding>=1"):
        output_size(3, 5)
    with pytest.raises(TypeError, match="size must be an int, but is 3.5"):
        output_size(3.5, 3)
    with pytest.raises(ValueError, match="stride must be at least 1, but is 0"):
        output_size(10, 3, stride=0)
    with pytest.raises(ValueError, match="padding must be at least 0, but is -2"):
        output_size(10, 3, padding=-2)


def test_cross_entropy_errors():
    with pytest.raises(ValueError, match=r"logits must have shape \(N, K\).* logits\[None\]"):
        cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(TypeError, match="targets must be integer class labels.*argmax"):
        cross_entropy(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"targets must have shape \(2,\)"):
        cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(
        ValueError, match="targets must be class numbers from 0 to 2 .* range from 0 to 3"
    ):
        cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="logits contains 1 NaN"):
        cross_entropy(np.array([[0.0, np.nan]]), np.array([0]))


def test_softmax_axis_and_leaky_slope_errors():
    with pytest.raises(ValueError, match="axis must be an int between -2 and 1 .* but is 2"):
        softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match="negative_slope must be a number"):
        leaky_relu(np.zeros(3), negative_slope="0.1")


def test_kernel_and_image_helper_errors():
    with pytest.raises(
        ValueError, match="size must be odd so the kernel has a centre, but is 4; use 3 or 5"
    ):
        kernels.identity(4)
    with pytest.raises(ValueError, match="sigma must be positive"):
        kernels.gaussian_blur(5, sigma=0)
    with pytest.raises(ValueError, match=r"image must have shape \(H, W, C\) or \(N, H, W, C\)"):
        to_channels_first(np.zeros((4, 4)))


class TestModelAndDataErrors:
    """Sequential's predictions, summary and weights files, the shipped weights, the data folder.

    The imports are local: other classes of this file belong to other parts of the library.
    """

    @staticmethod
    def small():
        from cnnlib import Dense, Flatten, Sequential

        return Sequential(Flatten(), Dense(16, 3), seed=0)

    @pytest.mark.parametrize("method", ["predict", "predict_proba"])
    @pytest.mark.parametrize(
        ("batch_size", "error", "pattern"),
        [
            (-1, ValueError, "batch_size is how many examples .* at least 1, but is -1; e.g."),
            (0, ValueError, "batch_size .* at least 1, but is 0"),
            (2.5, TypeError, r"batch_size .* must be an int, but is 2.5 \(float\); e.g."),
            ("10", TypeError, "batch_size .* must be an int, but is '10'"),
        ],
    )
    def test_predict_batch_size(self, method, batch_size, error, pattern):
        with pytest.raises(error, match=pattern):
            getattr(self.small(), method)(np.zeros((4, 1, 4, 4)), batch_size=batch_size)

    def test_evaluate_and_trainer_batch_size_use_the_same_check(self):
        from cnnlib import SGD, Trainer, evaluate

        model = self.small()
        with pytest.raises(ValueError, match="batch_size is how many examples .* but is -1"):
            evaluate(model, np.zeros((4, 1, 4, 4)), np.zeros(4, dtype=int), batch_size=-1)
        with pytest.raises(ValueError, match="batch_size is how many examples .* but is 0"):
            Trainer(model, SGD(model, lr=0.1), batch_size=0)

    def test_predict_rejects_nan(self):
        x = np.zeros((4, 1, 4, 4))
        x[2, 0, 1, 3] = np.inf
        with pytest.raises(ValueError, match=r"x contains 1 NaN .* index \(2, 0, 1, 3\)"):
            self.small().predict(x)

    @pytest.mark.parametrize(
        ("shape", "error", "pattern"),
        [
            (
                (1, -28, 28),
                ValueError,
                r"input_shape=\(1, -28, 28\) is impossible.* a count of -28",
            ),
            ((0, 28, 28), ValueError, r"input_shape=\(0, 28, 28\) is impossible"),
            ("1, 28, 28", TypeError, "input_shape must be the shape of one example.*e.g."),
            ((1, 28.0, 28), TypeError, r"tuple of ints.*input_shape=\(1, 28, 28\)"),
        ],
    )
    def test_summary_input_shape(self, shape, error, pattern):
        from cnnlib import reference_cnn

        with pytest.raises(error, match=pattern) as info:
            reference_cnn().summary(shape)
        assert "padding" not in str(info.value)

    def test_load_weights_file_problems(self, tmp_path):
        from cnnlib import Dense, Flatten, Sequential, Sigmoid

        model = self.small()
        (tmp_path / "noise.npz").write_bytes(np.random.default_rng(1).bytes(300))
        with pytest.raises(ValueError, match="noise.npz is not a weights file") as info:
            model.load_weights(tmp_path / "noise.npz")
        assert "allow_pickle" not in str(info.value)
        with pytest.raises(FileNotFoundError, match=r"no weights file .*nothing.npz.*adds? \.npz"):
            model.load_weights(tmp_path / "nothing")
        saved = Sequential(Flatten(), Dense(16, 3), seed=0).save_weights(tmp_path / "w")
        with pytest.raises(ValueError, match=r"different network: the file's network has 2"):
            Sequential(Flatten(), Dense(16, 3), Sigmoid()).load_weights(saved)

    def test_save_weights_problems(self, tmp_path):
        model = self.small()
        model.params["1.weight"][0, 0] = np.nan
        with pytest.raises(ValueError, match=r"parameter '1.weight' contains 1 NaN.*diverged"):
            model.save_weights(tmp_path / "w.npz")
        with pytest.raises(TypeError, match="path must be a file name .* but is 3 .*e.g."):
            self.small().save_weights(3)

    def test_user_data_dir_that_cannot_be_made(self, tmp_path, monkeypatch):
        from cnnlib import user_data_dir

        (tmp_path / "file").write_text("")
        monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path / "file" / "sub"))
        with pytest.raises(OSError, match="cannot create the data folder .*CNNLIB_DATA_DIR"):
            user_data_dir()

    def test_damaged_shipped_weights(self, tmp_path, monkeypatch):
        from cnnlib import load_pretrained, pretrained

        damaged = bytearray(pretrained.PRETRAINED_WEIGHTS.read_bytes())
        damaged[1000] ^= 1
        (tmp_path / "w.npz").write_bytes(bytes(damaged))
        monkeypatch.setattr(pretrained, "PRETRAINED_WEIGHTS", tmp_path / "w.npz")
        with pytest.raises(ValueError, match="damaged or were changed.*git checkout"):
            load_pretrained()


class TestTrainingErrors:
    """Training: fit, evaluate, Trainer, prepare_images, the callbacks, History, the curves."""

    @staticmethod
    def data(n=8):
        rng = np.random.default_rng(0)
        return rng.random((n, 1, 8, 8)).astype(np.float32), np.arange(n) % 3

    @staticmethod
    def model():
        from cnnlib import Dense, Flatten, Sequential

        return Sequential(Flatten(), Dense(64, 3), seed=0)

    def fit(self, x=None, y=None, **kwargs):
        from cnnlib import SGD, fit

        x0, y0 = self.data()
        model = kwargs.pop("model", None) or self.model()
        kwargs.setdefault("optimizer", SGD(model, lr=0.1))
        fit(model, x0 if x is None else x, y0 if y is None else y, progress=False, **kwargs)

    def test_optimizer_of_another_model(self):
        from cnnlib import Adam

        with pytest.raises(
            ValueError, match=r"Adam\(lr=0.001\) was built for another model.*Adam\(model, lr"
        ):
            self.fit(optimizer=Adam(self.model()))

    def test_no_optimizer(self):
        from cnnlib import Trainer

        with pytest.raises(TypeError, match="optimizer must be an optimiser .* but is None"):
            Trainer(self.model(), None)
        with pytest.raises(TypeError, match="model must be a network or a layer"):
            Trainer(None, None)

    @pytest.mark.parametrize(
        ("x", "error", "match"),
        [
            (np.zeros((8, 1, 8, 8), np.uint8), TypeError, r"integer dtype uint8.*prepare_images"),
            (np.full((8, 1, 8, 8), 255.0), ValueError, r"values from 255 to 255.*x / 255"),
            (np.full((8, 1, 8, 8), np.nan), ValueError, r"x contains 512 NaN"),
            (np.zeros((8, 1, 6, 8)), ValueError, r"model cannot take x.*\(1, 6, 8\)"),
            (np.zeros(8), ValueError, r"x must be a batch of examples"),
        ],
    )
    def test_data_the_network_cannot_learn_from(self, x, error, match):
        from cnnlib import evaluate

        with pytest.raises(error, match=match):
            self.fit(x=x)
        with pytest.raises(error, match=match):  # evaluate: the same rule
            evaluate(self.model(), x, np.arange(len(x)) % 3)

    @pytest.mark.parametrize(
        ("y", "error", "match"),
        [
            (np.arange(8) % 3 * 1.0, TypeError, r"integer class labels.*y.astype\(int\)"),
            (np.arange(8) % 3 + 1, ValueError, r"labels up to 3 \(y\[2\] is 3\).*3 outputs"),
            (np.arange(8) % 3 - 1, ValueError, r"y\[0\] is -1"),
            (np.arange(7) % 3, ValueError, r"y must have shape \(8,\)"),
        ],
    )
    def test_labels(self, y, error, match):
        with pytest.raises(error, match=match):
            self.fit(y=y)

    def test_validation_data(self):
        x, y = self.data()
        with pytest.raises(TypeError, match=r"validation_data must be a pair \(x_val, y_val\)"):
            self.fit(validation_data=x)
        with pytest.raises(ValueError, match=r"y_val holds class labels up to 5"):
            self.fit(validation_data=(x, y + 3))

    def test_early_stopping_without_validation_data(self):
        from cnnlib import EarlyStopping

        with pytest.raises(ValueError, match=r"watches 'val_accuracy'.*monitor='accuracy'"):
            self.fit(callbacks=[EarlyStopping("val_accuracy")])

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"min_lr": -1}, ValueError, "min_lr must be >= 0, but is -1.0"),
            ({"min_lr": "0"}, TypeError, r"min_lr must be a number, but is '0' \(str\)"),
            ({"min_lr": np.inf}, ValueError, "min_lr must be a finite number"),
        ],
    )
    def test_cosine_decay(self, kwargs, error, match):
        from cnnlib import CosineDecay

        with pytest.raises(error, match=match):
            CosineDecay(**kwargs)

    def test_cosine_decay_above_the_learning_rate(self):
        from cnnlib import CosineDecay

        with pytest.raises(ValueError, match=r"min_lr=0.5\) would raise the learning rate"):
            self.fit(callbacks=[CosineDecay(0.5)])

    def test_prepare_images(self):
        from cnnlib import prepare_images

        with pytest.raises(ValueError, match=r"floats from 0 to 255: they look like 0-255 pixels"):
            prepare_images(np.array([[[0.0, 255.0]]]))
        with pytest.raises(ValueError, match=r"0-255 pixel values, but range from -1 to 300"):
            prepare_images(np.array([[[-1, 300]]]))
        with pytest.raises(ValueError, match=r"images contains 1 NaN"):
            prepare_images(np.array([[[0.0, np.inf]]]))

    def test_history_key(self):
        from cnnlib import History

        with pytest.raises(KeyError, match="History has no 'x'; it keeps epoch, loss, accuracy"):
            History()["x"]

    def test_plot_training_curves_of_a_list(self):
        from cnnlib import History
        from cnnlib.plotting import plot_training_curves

        with pytest.raises(TypeError, match=r"but is a list \(name the runs"):
            plot_training_curves([History(), History()])

    def test_model_with_nan_weights(self):
        model = self.model()
        model.params["1.weight"][0, 0] = np.nan
        with pytest.raises(ValueError, match="parameter '1.weight' holds NaN.*build the model"):
            self.fit(model=model)
