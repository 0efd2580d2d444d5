"""Bad input gets a clear error that names the argument, the value and the fix.

Each case checks the exception type and the key parts of the message, for
both the fast functions and their loop twins (they share the checks).
:func:`_rows` lists one row per public function and kind of bad input: the
call, the exception and a pattern that names the argument, the value given
and the fix."""

import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

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
        ValueError, match="targets must be class numbers from 0 to 2, but range from 0 to 3"
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
    with pytest.raises(ValueError, match="sigma must be greater than 0, but is 0; e.g. sigma=1"):
        kernels.gaussian_blur(5, sigma=0)
    with pytest.raises(ValueError, match=r"image must have shape \(H, W, C\) or \(N, H, W, C\)"):
        to_channels_first(np.zeros((4, 4)))


# ----------------------------------------------------------------------------
# the table: one row per public function and kind of bad input
# ----------------------------------------------------------------------------
def _square(z):
    return float((z**2).sum())


def _plot(fn, *args, **kwargs):
    """Call a plotting function, with a fresh axes first when it draws on one."""
    import matplotlib.pyplot as plt

    try:
        return fn(*args, **kwargs)
    finally:
        plt.close("all")


def _on_axes(fn, *args, **kwargs):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return _plot(fn, ax, *args, **kwargs)


def _rows():
    """(id, call, exception, pattern) for every case; built lazily (imports plotting)."""
    from cnnlib import (
        Conv2D,
        Dense,
        Flatten,
        LeakyReLU,
        MaxPool2D,
        RandomShift,
        Sequential,
        SoftmaxCrossEntropy,
        adjust_brightness,
        adjust_contrast,
        confusion_matrix,
        crop,
        gradient_descent,
        log_softmax,
        mnist_style,
        most_confident_mistakes,
        negative,
        numerical_gradient,
        random_shift,
        relu,
        shift,
        sigmoid,
        softmax_cross_entropy,
        sparsity,
        tanh,
        threshold,
        to_grayscale,
    )
    from cnnlib import plotting as P
    from cnnlib.descent import LANDSCAPES, judge_descent
    from cnnlib.explorers.convolution import ConvolutionExplorer, shapes_image
    from cnnlib.explorers.kernel_choice import fit_kernel, preset_kernel
    from cnnlib.gradcheck import relative_error

    nan, inf = math.nan, math.inf
    img8 = np.array([[0, 100], [200, 255]], dtype=np.uint8)
    gray = np.arange(16.0).reshape(4, 4) * 10
    logits = np.zeros((2, 3))
    ragged = [[1.0, 2.0, 3.0], [4.0, 5.0]]
    x4 = np.zeros((2, 1, 6, 6))
    return [
        # --- item 8: silent wrong results ---------------------------------------------------
        (
            "numerical_gradient on ints",
            lambda: numerical_gradient(_square, np.array([3, 5])),
            TypeError,
            r"x must be a float64 array, but has dtype int64: .*cannot hold x \+ eps.*"
            r"np\.array\(x, dtype=np\.float64\)",
        ),
        (
            "numerical_gradient on float32",
            lambda: numerical_gradient(_square, np.array([3.0, 5.0], np.float32)),
            TypeError,
            r"x must be a float64 array, but has dtype float32: float32 keeps too few digits",
        ),
        (
            "numerical_gradient of a list",
            lambda: numerical_gradient(_square, [3.0, 5.0]),
            TypeError,
            r"x must be a numpy array, which is nudged in place, but is a list; "
            r"pass np\.array\(x, dtype=float\)",
        ),
        (
            "numerical_gradient eps=0",
            lambda: numerical_gradient(_square, np.array([3.0]), eps=0),
            ValueError,
            r"eps must be greater than 0, but is 0; e\.g\. eps=1e-06",
        ),
        (
            "numerical_gradient f returns an array",
            lambda: numerical_gradient(lambda z: z**2, np.array([3.0, 5.0])),
            TypeError,
            r"f must return one number \(the loss\), but returned ndarray of shape \(2,\)",
        ),
        (
            "numerical_gradient f returns nan",
            lambda: numerical_gradient(lambda z: nan, np.array([3.0])),
            ValueError,
            r"f returned nan when element 0 of x was nudged",
        ),
        (
            "relative_error of different shapes",
            lambda: relative_error(np.zeros(3), np.zeros(1)),
            ValueError,
            r"a and b must have the same shape .* \(3,\) and \(1,\)",
        ),
        (
            "relative_error of None",
            lambda: relative_error(np.zeros(3), None),
            TypeError,
            r"b must hold real numbers, but has dtype object",
        ),
        (
            "negative of a wrapped int8 image",
            lambda: negative(np.array([[-56, 100]], dtype=np.int8)),
            ValueError,
            r"image is an integer image \(int8\), which this function reads on the 0-255 "
            r"scale, but it has values from -56 to 100; .*wrapped around.*astype\(float\)",
        ),
        (
            "negative of a 16-bit image",
            lambda: adjust_brightness(np.array([[0, 65535]], dtype=np.uint16), 10),
            ValueError,
            r"image is an integer image \(uint16\).* from 0 to 65535; .* / 257",
        ),
        (
            "negative max_value beyond 255 for integers",
            lambda: negative(img8, max_value=65535),
            ValueError,
            r"max_value=65535 is beyond the 0-255 scale of integer images; .*astype\(float\)",
        ),
        (
            "softmax with nan",
            lambda: softmax(np.array([1.0, nan])),
            ValueError,
            r"x contains 1 NaN or infinite value\(s\), the first at index \(1,\).*nan_to_num",
        ),
        (
            "log_softmax with inf",
            lambda: log_softmax(np.array([[inf, 0.0]])),
            ValueError,
            r"x contains 1 NaN or infinite value\(s\), the first at index \(0, 0\)",
        ),
        (
            "relu, sigmoid, tanh with nan",
            lambda: [f(np.array([nan])) for f in (relu, sigmoid, tanh)],
            ValueError,
            r"x contains 1 NaN",
        ),
        (
            "softmax_cross_entropy with nan logits",
            lambda: softmax_cross_entropy(np.array([[nan, 0.0]]), np.array([0])),
            ValueError,
            r"logits contains 1 NaN or infinite value\(s\), the first at index \(0, 0\); "
            r".*learning rate was too large",
        ),
        (
            "image helper with nan",
            lambda: adjust_contrast(np.array([[1.0, nan]]), 2),
            ValueError,
            r"image contains 1 NaN or infinite value\(s\), the first at index \(0, 1\)",
        ),
        (
            "to_grayscale with inf",
            lambda: to_grayscale(np.full((2, 2, 3), inf)),
            ValueError,
            r"image contains 12 NaN or infinite value\(s\)",
        ),
        (
            "random_shift with nan",
            lambda: random_shift(np.full((1, 1, 4, 4), nan), 1),
            ValueError,
            r"images contains 16 NaN or infinite value\(s\)",
        ),
        (
            "LeakyReLU(nan)",
            lambda: LeakyReLU(nan),
            ValueError,
            r"negative_slope must be a finite number, but is nan; e\.g\. negative_slope=0\.01",
        ),
        (
            "leaky_relu slope as text",
            lambda: leaky_relu(np.zeros(3), negative_slope="0.1"),
            TypeError,
            r"negative_slope must be a number, but is '0\.1' \(text\); write it without "
            r"quotes: negative_slope=0\.1",
        ),
        (
            "cross_entropy on empty input",
            lambda: cross_entropy(np.zeros((0, 3)), np.zeros(0, int)),
            ValueError,
            r"logits have shape \(0, 3\): the loss needs at least one example",
        ),
        (
            "softmax_cross_entropy on no classes",
            lambda: softmax_cross_entropy(np.zeros((2, 0)), np.zeros(2, int)),
            ValueError,
            r"logits have shape \(2, 0\): the loss needs at least one example and one class",
        ),
        (
            "confusion_matrix(num_classes=2.7)",
            lambda: confusion_matrix([0, 1], [1, 0], num_classes=2.7),
            TypeError,
            r"num_classes must be an int, but is 2\.7 \(float\)",
        ),
        (
            "confusion_matrix(num_classes=2.0)",
            lambda: confusion_matrix([0, 1], [1, 0], num_classes=2.0),
            TypeError,
            r"num_classes must be an int, but is 2\.0 \(float\); write num_classes=2",
        ),
        (
            "confusion_matrix of uint8 labels",
            lambda: confusion_matrix(np.array([0, 300 % 256], np.uint8), [0, 1], num_classes=2),
            ValueError,
            r"num_classes=2, but class 44 occurs; use num_classes>=45",
        ),
        (
            "most_confident_mistakes with a label out of range",
            lambda: most_confident_mistakes(np.full((2, 3), 1 / 3), [0, 7]),
            ValueError,
            r"labels must be class numbers from 0 to 2, but range from 0 to 7 "
            r"\(the first wrong one is labels\[1\] = 7\)",
        ),
        (
            "most_confident_mistakes with one label too few",
            lambda: most_confident_mistakes(np.full((2, 3), 1 / 3), [0]),
            ValueError,
            r"labels must have shape \(2,\), one label per example, but has shape \(1,\)",
        ),
        (
            "most_confident_mistakes with scores",
            lambda: most_confident_mistakes(np.array([[3.0, -1.0]]), [0]),
            ValueError,
            r"probabilities must be between 0 and 1, but range from -1 to 3; .*softmax",
        ),
        (
            "oriented_edge size 1",
            lambda: kernels.oriented_edge(0, size=1),
            ValueError,
            r"size must be at least 3, but is 1",
        ),
        (
            "oriented_edge sigma=1e-9",
            lambda: kernels.oriented_edge(0, sigma=1e-9),
            ValueError,
            r"sigma=1e-09 is so small that the bell is 0 on every cell but the centre.*"
            r"sigma>=0\.2",
        ),
        (
            "oriented_edge angle=nan",
            lambda: kernels.oriented_edge(nan),
            ValueError,
            r"angle_degrees must be a finite number, but is nan; e\.g\. angle_degrees=45",
        ),
        (
            "gaussian_blur sigma as text",
            lambda: kernels.gaussian_blur(5, sigma="1"),
            TypeError,
            r"sigma must be a number, but is '1' \(text\); write it without quotes: sigma=1",
        ),
        (
            "Conv2D(bias='no')",
            lambda: Conv2D(1, 2, 3, bias="no"),
            TypeError,
            r"bias must be True or False, but is 'no' \(str\); e\.g\. bias=False",
        ),
        (
            "Dense(bias=None)",
            lambda: Dense(2, 2, bias=None),
            TypeError,
            r"bias must be True or False, but is None",
        ),
        (
            "shift(fill=0.5) on uint8",
            lambda: shift(img8, 1, 0, fill=0.5),
            ValueError,
            r"fill=0\.5 cannot be stored in a uint8 image, which holds whole numbers from 0 to "
            r"255; .*shift\(image\.astype\(float\), \.\.\., fill=0\.5\)",
        ),
        # --- item 9: unclear errors ------------------------------------------------------
        (
            "ragged list into an image helper",
            lambda: threshold(ragged, 2),
            ValueError,
            r"image must be a rectangular grid of numbers, but its rows have different lengths "
            r"\(3, 2\)",
        ),
        (
            "ragged list into crop",
            lambda: crop(ragged, 0, 0, 1, 1),
            ValueError,
            r"image must be a rectangular grid of numbers",
        ),
        (
            "ragged list into conv2d",
            lambda: conv2d(ragged, np.ones((1, 1))),
            ValueError,
            r"x must be a rectangular grid of numbers, but its rows have different lengths",
        ),
        (
            "ragged targets",
            lambda: cross_entropy(logits, [[0], [1, 2]]),
            ValueError,
            r"targets must be a rectangular grid of numbers",
        ),
        (
            "plot_panels([])",
            lambda: _plot(P.plot_panels, []),
            ValueError,
            r"panels is empty: there is nothing to draw; pass at least one \(title, array, "
            r"kind\) triple",
        ),
        (
            "plot_panels with a pair",
            lambda: _plot(P.plot_panels, [("a", gray)]),
            ValueError,
            r"panels\[0\] must be a \(title, array, kind\) triple, but is \('a', array",
        ),
        (
            "plot_panels with a colour panel",
            lambda: _plot(P.plot_panels, [("a", np.zeros((4, 4, 3)), "image")]),
            ValueError,
            r"panels\[0\]'s array must have shape \(h, w\), but has shape \(4, 4, 3\); "
            r"for a colour image pick one channel or use cnnlib\.to_grayscale",
        ),
        (
            "plot_panels ncols=0",
            lambda: _plot(P.plot_panels, [("a", gray, "map")], ncols=0),
            ValueError,
            r"ncols must be at least 1, but is 0",
        ),
        (
            "plot_filters of a network without a convolution",
            lambda: _plot(P.plot_filters, Sequential(Flatten(), Dense(4, 2))),
            ValueError,
            r"plot_filters shows the kernels of a network's first convolution layer, but this "
            r"network has none \(Flatten, Dense\); pass a network that starts with Conv2D",
        ),
        (
            "plot_filters of weights that blew up",
            lambda: _plot(P.plot_filters, np.full((2, 1, 3, 3), nan)),
            ValueError,
            r"weight contains 18 NaN .*diverged in training.*smaller learning rate",
        ),
        (
            "plot_kernel_gallery on a colour image",
            lambda: _plot(P.plot_kernel_gallery, np.zeros((8, 8, 3)), {"k": np.ones((3, 3))}),
            ValueError,
            r"plot_kernel_gallery needs a grayscale image \(H, W\), but image has shape "
            r"\(8, 8, 3\), a colour photo; convert it with to_grayscale\(image\) first",
        ),
        (
            "plot_kernel_gallery without kernels",
            lambda: _plot(P.plot_kernel_gallery, gray, {}),
            TypeError,
            r"kernels must be a dict of names to kernels",
        ),
        (
            "plot_confusion_matrix of fractions",
            lambda: _on_axes(P.plot_confusion_matrix, np.full((2, 2), 0.5)),
            ValueError,
            r"matrix must hold counts \(whole numbers >= 0\)",
        ),
        (
            "show_kernel with too many values to print",
            lambda: _on_axes(P.show_kernel, np.zeros((200, 200))),
            ValueError,
            r"values has 200 x 200 cells, too many numbers to print \(at most 10,000",
        ),
        (
            "show_pixels of a big image",
            lambda: _on_axes(P.show_pixels, np.zeros((400, 300))),
            ValueError,
            r"show_pixels draws a grid line and a number for every pixel, which a 400x300 image "
            r"has too many of \(at most 100 per side\); show a crop",
        ),
        (
            "plot_confusion_matrix of 4000 classes",
            lambda: _on_axes(P.plot_confusion_matrix, np.zeros((4000, 4000), int)),
            ValueError,
            r"a 4000 x 4000 confusion matrix has too many cells .* matrix\[:10, :10\]",
        ),
        (
            "LabelGrid with a format that does not fit the values",
            lambda: _on_axes(lambda ax: P.LabelGrid(ax).set(np.array([["a"]]), fmt="{:.0f}")),
            TypeError,
            r"fmt='\{:\.0f\}' cannot write the values \(dtype <U1\).*'\{\}' for text",
        ),
        (
            "preset_kernel of a list",
            lambda: preset_kernel(["sharpen"]),
            ValueError,
            r"unknown kernel preset \['sharpen'\]; choose one of \['identity'",
        ),
        (
            "SoftmaxCrossEntropy().backward() before forward",
            lambda: SoftmaxCrossEntropy().backward(),
            RuntimeError,
            r"SoftmaxCrossEntropy\.backward gives the gradient of the last loss computed: "
            r"call forward\(logits, targets\) first",
        ),
        (
            "gradient_descent(f, [1.0], '0.1')",
            lambda: gradient_descent(_square, [1.0], "0.1"),
            TypeError,
            r"learning_rate must be a number, but is '0\.1' \(text\); write it without "
            r"quotes: learning_rate=0\.1",
        ),
        (
            "gradient_descent with a gradient of the wrong shape",
            lambda: gradient_descent(lambda w: [1.0, 2.0], [1.0], 0.1),
            ValueError,
            r"gradient\(point\) must return one slope per weight, an array of shape \(1,\), "
            r"but returned \(2,\)",
        ),
        (
            "gradient_descent with a billion steps",
            lambda: gradient_descent(_square, [1.0], 0.1, steps=10**9),
            ValueError,
            r"steps must be at most 100000, but is 1000000000; these landscapes settle",
        ),
        (
            "judge_descent of a path of the wrong width",
            lambda: judge_descent(LANDSCAPES["1-D: parabola"], np.zeros((3, 2))),
            ValueError,
            r"path must have shape \(n \+ 1, 1\).* but has shape \(3, 2\)",
        ),
        (
            "shift(fill=300) on uint8",
            lambda: shift(img8, 1, 0, fill=300),
            ValueError,
            r"fill=300 cannot be stored in a uint8 image, which holds whole numbers from 0 to 255",
        ),
        (
            "shift(down=1.5)",
            lambda: shift(img8, 1.5),
            TypeError,
            r"down must be a whole number of pixels \(an int\), but is 1\.5; e\.g\. down=2",
        ),
        (
            "shapes_image(0)",
            lambda: shapes_image(0),
            ValueError,
            r"size must be at least 8, but is 0; the shapes need 8 pixels to be seen",
        ),
        (
            "shapes_image(2.5)",
            lambda: shapes_image(2.5),
            TypeError,
            r"size must be an int, but is 2\.5 \(float\)",
        ),
        (
            "random_shift with a seed for rng",
            lambda: random_shift(x4, 1, rng=3),
            TypeError,
            r"rng must be a numpy\.random\.Generator, e\.g\. np\.random\.default_rng\(0\), "
            r"but is 3; or leave it out and pass seed=0",
        ),
        (
            "random_shift that pushes everything out",
            lambda: random_shift(x4, 6),
            ValueError,
            r"max_shift=6 would let a shift push the whole 6x6 picture out of its frame; "
            r"use max_shift<=5",
        ),
        (
            "RandomShift(1.5)",
            lambda: RandomShift(1.5),
            TypeError,
            r"max_shift must be an int, but is 1\.5",
        ),
        (
            "mnist_style threshold as text",
            lambda: mnist_style(np.zeros((5, 5)), threshold="0.1"),
            TypeError,
            r"threshold must be a number, but is '0\.1' \(text\); write it without quotes",
        ),
        (
            "sparsity of nothing",
            lambda: sparsity([]),
            ValueError,
            r"x is empty; sparsity needs at least one value",
        ),
        (
            "preset_kernel size 9",
            lambda: preset_kernel("box blur", 9),
            ValueError,
            r"size must be at most 7, but is 9",
        ),
        (
            "fit_kernel of a rectangle",
            lambda: fit_kernel(np.ones((2, 3)), 3),
            ValueError,
            r"kernel must be square \(k, k\), but has shape \(2, 3\)",
        ),
        (
            "ConvolutionExplorer on a huge image",
            lambda: ConvolutionExplorer(images={"big": np.zeros((2000, 600))}),
            ValueError,
            r"image 'big' is 2000x600; the explorer redraws it on every change, which stays "
            r"quick up to 512x512: shrink it first, e\.g\. downsample\(image, 4\)",
        ),
        (
            "show_image with vmax below vmin",
            lambda: _on_axes(P.show_image, gray, vmin=10, vmax=0),
            ValueError,
            r"vmax must be greater than 10, but is 0",
        ),
        # --- item 10: resources ---------------------------------------------------------------
        (
            "conv2d with padding 12000",
            lambda: conv2d(np.zeros((3, 3)), np.ones((3, 3)), padding=12000),
            ValueError,
            r"the convolution's output \(1 x 1 x 24001 x 24001 values\) with a padded copy of "
            r"its input \(1 x 1 x 24003 x 24003\) would need 8\.58 GB of memory, more than the "
            r"2 GB .*; padding 12000 is far more than a 3x3 kernel needs: padding='same'",
        ),
        (
            "conv2d of a huge batch",
            lambda: conv2d(
                np.broadcast_to(np.float32(0), (100_000, 1, 28, 28)), np.ones((64, 1, 3, 3))
            ),
            ValueError,
            r"would need .* GB of memory.*convolve fewer images at a time",
        ),
        (
            "reference.conv2d with padding 12000",
            lambda: reference.conv2d(np.zeros((3, 3)), np.ones((3, 3)), padding=12000),
            ValueError,
            r"would need 8\.58 GB of memory",
        ),
        (
            "max_pool2d of a huge batch",
            lambda: max_pool2d(np.broadcast_to(np.float32(0), (60_000, 64, 28, 28)), 2),
            ValueError,
            r"pooling 60000 x 64 planes of 28 x 28 values would need .* GB of memory.*"
            r"pool fewer images at a time",
        ),
        (
            "conv2d with a stride beyond any image",
            lambda: conv2d(np.zeros((3, 3)), np.ones((3, 3)), stride=2**70),
            ValueError,
            r"stride must be at most 2147483647, but is 1180591620717411303424",
        ),
        (
            "box_blur(10**6)",
            lambda: kernels.box_blur(10**6),
            ValueError,
            r"a 1000000x1000000 kernel would need 29\.1 TB of memory.*size=3, 5 or 7",
        ),
        (
            "Conv2D with a billion filters",
            lambda: Conv2D(1, 10**9, 3),
            ValueError,
            r"a weight of 1000000000 x 1 x 3 x 3 numbers would need .* GB.*fewer channels",
        ),
        (
            "Dense(10**6, 10**6)",
            lambda: Dense(10**6, 10**6),
            ValueError,
            r"a weight of 1000000 x 1000000 numbers would need 10\.9 TB.*use fewer features",
        ),
        (
            "confusion_matrix(num_classes=10**6)",
            lambda: confusion_matrix([0], [0], num_classes=10**6),
            ValueError,
            r"a 1000000 x 1000000 confusion matrix would need 7\.28 TB.*check num_classes",
        ),
        (
            "MaxPool2D(2, padding=2)",
            lambda: MaxPool2D(2, padding=2),
            ValueError,
            r"padding 2 is more than half the pooling window 2; windows would see only padding\. "
            r"Use padding<=1",
        ),
    ]


def _ids(rows):
    return [row[0] for row in rows]


@pytest.fixture(scope="module")
def table():
    return {row[0]: row[1:] for row in _rows()}


def _row_ids():
    # the ids only, without importing plotting at collection time
    import ast
    import inspect

    source = inspect.getsource(_rows)
    return [
        node.elts[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Tuple)
        and len(node.elts) == 4
        and isinstance(node.elts[0], ast.Constant)
        and isinstance(node.elts[0].value, str)
    ]


@pytest.mark.parametrize("case", _row_ids())
def test_bad_input_is_refused_with_a_sentence(table, case):
    """Every public function rejects bad input with a sentence that names the
    argument, the value and the fix (never a silent wrong result, never numpy's
    raw message)."""
    call, error, pattern = table[case]
    with pytest.raises(error, match=pattern):
        call()


def test_shared_checks_say_the_same_in_every_place():
    """Issue 12 section 4: the loss, the leaky slope and the pooling padding are
    checked in one place each, so the function and its twin say the same."""
    from cnnlib import LeakyReLU, MaxPool2D, leaky_relu_slope, softmax_cross_entropy
    from cnnlib.layers import AvgPool2D

    def message(call):
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        return str(info.value)

    assert message(lambda: cross_entropy(np.zeros((2, 3)), np.array([0, 5]))) == message(
        lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 5]))
    )
    assert message(lambda: cross_entropy(np.zeros(3), [0])) == message(
        lambda: softmax_cross_entropy(np.zeros(3), [0])
    )
    slope = [
        message(lambda: leaky_relu(np.zeros(2), "a")),
        message(lambda: leaky_relu_slope(np.zeros(2), "a")),
        message(lambda: LeakyReLU("a")),
    ]
    assert len(set(slope)) == 1
    padding = [
        message(lambda: max_pool2d(np.zeros((6, 6)), 3, padding=2)),
        message(lambda: avg_pool2d(np.zeros((6, 6)), 3, padding=2)),
        message(lambda: reference.max_pool2d(np.zeros((6, 6)), 3, padding=2)),
        message(lambda: MaxPool2D(3, padding=2)),
        message(lambda: AvgPool2D(3, padding=2)),
    ]
    assert len(set(padding)) == 1


def test_number_settings_say_the_same_in_every_place():
    """Issue 12 section 4: optimisers and schedules checked their numbers with
    _validate.as_real, gradient descent and the rest with as_number, in other words
    ('lr must be > 0', "'0.1' (str)"); now as_real is as_number, and a learning rate,
    a momentum and a drop probability are each checked by one function."""
    import re

    from cnnlib import SGD, CosineDecay, Dropout, RMSprop, reference_cnn
    from cnnlib.descent import gradient_descent

    def message(call):
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        return str(info.value)

    model = reference_cnn()
    momentum = {
        message(lambda: SGD(model, lr=0.1, momentum=1.0)),
        message(lambda: RMSprop(model, momentum=1.0)),
        message(lambda: gradient_descent(_square, [1.0], 0.1, momentum=1.0)),
    }
    assert len(momentum) == 1
    for bad in (0, -1, "0.1", np.nan):
        by_optimiser = message(lambda bad=bad: SGD(model, lr=bad))
        by_descent = message(lambda bad=bad: gradient_descent(_square, [1.0], bad))
        assert re.sub(r"\blr\b", "learning_rate", by_optimiser) == by_descent
    assert message(lambda: CosineDecay(min_lr="0")) == (
        "min_lr must be a number, but is '0' (text); write it without quotes: min_lr=0"
    )
    by_layer = message(lambda: Dropout(1.5))
    assert re.sub(r"\bp\b", "dropout", by_layer) == message(lambda: reference_cnn(dropout=1.5))


def test_the_table_has_one_row_per_id():
    ids = _row_ids()
    assert len(ids) == len(set(ids)) == len(_rows())


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
            ({"min_lr": -1}, ValueError, "min_lr must be at least 0, but is -1"),
            (
                {"min_lr": "0"},
                TypeError,
                r"min_lr must be a number, but is '0' \(text\); write it without quotes: min_lr=0",
            ),
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
