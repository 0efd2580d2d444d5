"""Layers: forward against the reference loops, backward against numerical gradients."""

import numpy as np
import pytest

from cnnlib import _conv_grad, geometry, reference
from cnnlib.gradcheck import check_gradients
from cnnlib.layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Tanh,
)

RNG = np.random.default_rng(2024)

# (layer, input shape): several strides, paddings, kernel shapes
GRADIENT_CASES = [
    (Conv2D(3, 4, 3, seed=1), (2, 3, 6, 6)),
    (Conv2D(3, 4, 3, padding=1, seed=1), (2, 3, 6, 5)),
    (Conv2D(3, 4, 3, stride=2, padding=1, seed=1), (2, 3, 7, 7)),
    (Conv2D(2, 3, (2, 3), stride=(2, 1), padding=(0, 2), seed=1), (2, 2, 5, 6)),
    (Conv2D(2, 3, 4, padding="same", seed=1), (2, 2, 5, 5)),  # uneven 'same' padding
    (Conv2D(1, 2, 5, stride=3, seed=1), (1, 1, 11, 9)),
    (Conv2D(2, 2, 1, bias=False, seed=1), (3, 2, 4, 4)),
    (Conv2D(2, 3, 3, dilation=2, seed=1), (2, 2, 7, 8)),  # the kernel spans 5x5 pixels
    (Conv2D(2, 3, (2, 3), stride=(2, 1), padding="full", dilation=(3, 2), seed=1), (1, 2, 6, 5)),
    (Conv2D(1, 2, 2, padding="same", dilation=(1, 3), seed=1), (2, 1, 5, 6)),  # 3 columns: 1 + 2
    (MaxPool2D(2), (2, 3, 6, 6)),
    (MaxPool2D(2), (2, 1, 7, 5)),  # odd sizes: the last row/column is never used
    (MaxPool2D(3, stride=2, padding=1), (2, 2, 7, 7)),  # overlapping windows
    (MaxPool2D(3, stride=1), (1, 2, 5, 5)),
    (AvgPool2D(2), (2, 3, 6, 6)),
    (AvgPool2D(3, stride=2, padding=1), (2, 2, 7, 7)),
    (AvgPool2D((2, 3), stride=1), (1, 2, 4, 5)),
    (ReLU(), (3, 2, 4, 4)),
    (LeakyReLU(0.1), (3, 7)),
    (Sigmoid(), (3, 7)),
    (Tanh(), (3, 7)),
    (Flatten(), (2, 3, 2, 2)),
    (Dense(5, 3, seed=2), (4, 5)),
    (Dropout(0.5, seed=3), (4, 6)),
]


@pytest.mark.parametrize(("layer", "shape"), GRADIENT_CASES, ids=lambda c: repr(c))
def test_backward_matches_numerical_gradient(layer, shape):
    x = RNG.standard_normal(shape)
    result = check_gradients(layer, x, seed=7)
    assert result.passed, result
    assert {r["name"] for r in result.rows} == {"x", *layer.params}


@pytest.mark.parametrize(
    ("stride", "padding", "dilation"),
    [
        (1, 0, 1),
        (1, 1, 1),
        (2, 0, 1),
        (2, 1, 1),
        ((1, 2), (2, 0), 1),
        (1, "same", 1),
        (1, 0, 2),
        (1, "same", 2),
        (2, "full", (2, 1)),
        ((2, 1), 1, (1, 3)),
    ],
)
def test_conv2d_forward_matches_reference(stride, padding, dilation):
    layer = Conv2D(3, 5, 3, stride=stride, padding=padding, dilation=dilation, seed=3)
    layer.params["bias"][:] = RNG.standard_normal(5)
    x = RNG.standard_normal((2, 3, 8, 7)).astype(np.float32)
    w, b = layer.params["weight"], layer.params["bias"]
    expected = reference.conv2d(x, w, b, stride, padding, dilation)
    out = layer(x)
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("stride", "padding"), [(1, 2), (1, "same"), (2, "full"), ((1, 2), 0)])
def test_dilated_conv2d_backward_matches_the_loops(stride, padding):
    """Conv2D(dilation=2) against reference.conv2d_backward, in float64 (both sum the same
    products, the loops one at a time, the layer in blocks: 1e-10 covers the order)."""
    layer = Conv2D(2, 3, 3, stride=stride, padding=padding, dilation=2, seed=4)
    layer.astype(np.float64)
    x = RNG.standard_normal((2, 2, 7, 8))
    out = layer(x)
    g = RNG.standard_normal(out.shape)
    dx = layer.backward(g)
    w = layer.params["weight"]
    grad_x, grad_w, grad_b = reference.conv2d_backward(x, w, g, stride, padding, dilation=2)
    np.testing.assert_allclose(dx, grad_x, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.grads["weight"], grad_w, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.grads["bias"], grad_b, rtol=1e-10, atol=1e-10)


def test_fast_stride1_backward_matches_the_general_one():
    """The shifted-copies path (stride 1) and the strided path agree on a real-sized case."""
    x = RNG.standard_normal((5, 4, 9, 8)).astype(np.float32)
    w = RNG.standard_normal((6, 4, 3, 3)).astype(np.float32)
    win = geometry.window_plan((9, 8), 3, 1, 1)
    g = RNG.standard_normal((5, 6, *win.out)).astype(np.float32)
    dw_fast, dx_fast = _conv_grad.conv2d_backward(x, w, g, win)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))).transpose(1, 0, 2, 3)
    dw = _conv_grad.conv2d_weight_grad(np.ascontiguousarray(xp), g, win)
    dx = _conv_grad.conv2d_input_grad(g, w, win, x.shape)
    np.testing.assert_allclose(dw_fast, dw, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dx_fast, dx, rtol=1e-4, atol=1e-4)
    assert dw_fast.dtype == dx_fast.dtype == np.float32
    assert dw_fast.flags.c_contiguous and dx_fast.flags.c_contiguous


def test_conv2d_backward_reuses_its_scratch_space_safely():
    """Scratch arrays kept between steps must not leak one step's numbers into the next."""
    layer = Conv2D(3, 4, 3, padding=1, seed=0)
    for n in (5, 2, 5, 2):  # full batches and a smaller last batch, alternating
        x = RNG.standard_normal((n, 3, 6, 7)).astype(np.float32)
        g = RNG.standard_normal((n, 4, 6, 7)).astype(np.float32)
        layer(x)
        dx = layer.backward(g)
        win = geometry.window_plan((6, 7), 3, 1, 1)
        dw_fresh, dx_fresh = _conv_grad.conv2d_backward(x, layer.params["weight"], g, win)
        np.testing.assert_array_equal(layer.grads["weight"], dw_fresh)
        np.testing.assert_array_equal(dx, dx_fresh)


def test_conv2d_backward_without_input_gradient():
    layer = Conv2D(2, 3, 3, padding=1, seed=0)
    x = RNG.standard_normal((2, 2, 5, 5)).astype(np.float32)
    g = RNG.standard_normal((2, 3, 5, 5)).astype(np.float32)
    layer(x)
    assert layer.backward(g, input_grad=False) is None
    dw = layer.grads["weight"].copy()
    assert layer.backward(g).shape == x.shape
    np.testing.assert_array_equal(layer.grads["weight"], dw)
    np.testing.assert_allclose(layer.grads["bias"], g.sum(axis=(0, 2, 3)), rtol=1e-5)


def test_max_pool_gradient_goes_to_the_first_maximum_on_ties():
    """Like PyTorch: a window of equal values sends its gradient to one pixel only."""
    layer = MaxPool2D(2)
    x = np.array([[[[1.0, 1.0, 0.0, 2.0], [1.0, 1.0, 2.0, 2.0]]]], dtype=np.float32)
    layer(x)
    dx = layer.backward(np.array([[[[10.0, 20.0]]]], dtype=np.float32))
    np.testing.assert_array_equal(dx, [[[[10, 0, 0, 20], [0, 0, 0, 0]]]])


def test_max_pool_overlapping_windows_add_up():
    layer = MaxPool2D(2, stride=1)
    x = np.zeros((1, 1, 3, 3), dtype=np.float32)
    x[0, 0, 1, 1] = 5  # the centre wins all four windows
    layer(x)
    dx = layer.backward(np.ones((1, 1, 2, 2), dtype=np.float32))
    assert dx[0, 0, 1, 1] == 4 and dx.sum() == 4


def test_max_pool_backward_also_works_after_an_eval_forward():
    x = RNG.standard_normal((2, 3, 6, 6)).astype(np.float32)
    g = RNG.standard_normal((2, 3, 3, 3)).astype(np.float32)
    train, ev = MaxPool2D(2), MaxPool2D(2).eval()
    np.testing.assert_array_equal(train(x), ev(x))
    np.testing.assert_array_equal(train.backward(g), ev.backward(g))


def test_pool_forward_matches_reference():
    x = RNG.standard_normal((2, 3, 7, 6))
    np.testing.assert_allclose(
        MaxPool2D(3, stride=2, padding=1)(x), reference.max_pool2d(x, 3, 2, 1), rtol=1e-12
    )
    np.testing.assert_allclose(AvgPool2D(2)(x), reference.avg_pool2d(x, 2), rtol=1e-12)


def test_activations_forward():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(ReLU()(x), [[0, 0, 0, 0.5, 3]])
    np.testing.assert_allclose(LeakyReLU(0.1)(x), [[-0.2, -0.05, 0, 0.5, 3]])
    np.testing.assert_allclose(Sigmoid()(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(Tanh()(x), np.tanh(x))
    # ReLU's slope at exactly 0 is taken as 0, like PyTorch
    relu = ReLU()
    relu(x)
    np.testing.assert_array_equal(relu.backward(np.ones_like(x)), [[0, 0, 0, 1, 1]])


def test_dense_is_a_matrix_product():
    layer = Dense(3, 2, seed=0)
    layer.params["bias"][:] = [1, -1]
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    np.testing.assert_allclose(layer(x), x @ layer.params["weight"].T + [1, -1], rtol=1e-6)
    assert layer.params["weight"].shape == (2, 3)


def test_dropout_train_and_eval():
    layer = Dropout(0.25, seed=0)
    x = np.ones((200, 100), dtype=np.float32)
    out = layer(x)
    kept = out != 0
    assert 0.72 < kept.mean() < 0.78  # about 1 - p kept
    np.testing.assert_allclose(out[kept], 1 / 0.75)  # scaled so the mean stays 1
    assert abs(out.mean() - 1) < 0.02
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), out)
    layer.eval()
    assert layer(x) is x
    assert Dropout(0.0)(x) is x


def test_he_initialisation_is_seeded_and_scaled():
    a, b, c = Conv2D(16, 32, 3, seed=5), Conv2D(16, 32, 3, seed=5), Conv2D(16, 32, 3, seed=6)
    np.testing.assert_array_equal(a.params["weight"], b.params["weight"])
    assert not np.array_equal(a.params["weight"], c.params["weight"])
    std = a.params["weight"].std()
    assert abs(std / np.sqrt(2 / (16 * 9)) - 1) < 0.05
    assert a.params["weight"].shape == (32, 16, 3, 3) and a.params["bias"].shape == (32,)
    assert a.params["weight"].dtype == np.float32 and not a.params["bias"].any()
    d = Dense(400, 50, seed=1)
    assert abs(d.params["weight"].std() / np.sqrt(2 / 400) - 1) < 0.05
    assert Dense(4, 3, dtype=np.float64).params["weight"].dtype == np.float64


def test_parameters_and_gradients_have_pytorch_shapes():
    layer = Conv2D(3, 8, (5, 3), seed=0)
    layer(np.zeros((2, 3, 9, 9)))
    layer.backward(np.ones((2, 8, 5, 7)))
    assert {k: g.shape for k, g in layer.grads.items()} == {"weight": (8, 3, 5, 3), "bias": (8,)}
    assert layer.num_params == 8 * 3 * 5 * 3 + 8
    assert ReLU().num_params == 0 and ReLU().params == {}


def test_float64_input_is_computed_in_the_layers_dtype():
    layer = Conv2D(1, 2, 3, seed=0)
    assert layer(np.zeros((1, 1, 5, 5))).dtype == np.float32
    assert layer.astype(np.float64)(np.zeros((1, 1, 5, 5), np.float32)).dtype == np.float64


def test_repr_looks_like_pytorch():
    assert repr(Conv2D(1, 8, 3, padding=1)) == (
        "Conv2D(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    )
    assert repr(Conv2D(3, 4, 5, stride=2, bias=False)) == (
        "Conv2D(3, 4, kernel_size=(5, 5), stride=(2, 2), bias=False)"
    )
    assert repr(Conv2D(1, 1, 3, padding="same")).endswith("padding='same')")
    assert repr(Conv2D(1, 1, 3, dilation=2)) == (
        "Conv2D(1, 1, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2))"
    )
    assert repr(Conv2D(1, 1, 3, padding="full", dilation=(1, 2), bias=False)).endswith(
        "padding='full', dilation=(1, 2), bias=False)"
    )
    assert repr(MaxPool2D(2)) == "MaxPool2D(kernel_size=2, stride=2, padding=0)"
    assert repr(AvgPool2D(3, 1)) == "AvgPool2D(kernel_size=3, stride=1, padding=0)"
    assert repr(Dense(784, 10)) == "Dense(in_features=784, out_features=10, bias=True)"
    assert repr(Dropout(0.5)) == "Dropout(p=0.5)"
    assert repr(LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(ReLU()) == "ReLU()"


def test_output_shape_matches_forward():
    x = np.zeros((2, 3, 11, 9), dtype=np.float32)
    for layer in (
        Conv2D(3, 4, 3, stride=2, padding=1),
        Conv2D(3, 4, 3, dilation=(2, 3)),  # 5x7 pixels: 7 x 3
        Conv2D(3, 4, 2, padding="same", dilation=3),
        MaxPool2D(3, 2, 1),
        AvgPool2D(2),
        ReLU(),
        Flatten(),
    ):
        assert layer.output_shape(x.shape[1:]) == layer(x).shape[1:]


# --- clear errors ---------------------------------------------------------------
def test_conv2d_channel_mismatch_says_what_to_do():
    with pytest.raises(ValueError, match=r"built for 1 input channel.*has 3.*in_channels=3"):
        Conv2D(1, 8, 3)(np.zeros((2, 3, 28, 28)))
    with pytest.raises(ValueError, match="x\\[None\\]"):
        Conv2D(1, 8, 3)(np.zeros((1, 28, 28)))


def test_dense_on_images_asks_for_flatten():
    with pytest.raises(ValueError, match="Flatten"):
        Dense(784, 10)(np.zeros((2, 16, 7, 7)))
    with pytest.raises(ValueError, match=r"400 .*Dense\(400, 10\)"):
        Dense(784, 10)(np.zeros((2, 400)))


@pytest.mark.parametrize(
    "layer",
    [
        Conv2D(1, 2, 3),
        MaxPool2D(2),
        AvgPool2D(2),
        ReLU(),
        Sigmoid(),
        Dense(3, 2),
        Flatten(),
        Dropout(0.5),
        LeakyReLU(),
    ],
    ids=repr,
)
def test_backward_before_forward_says_what_to_do(layer):
    with pytest.raises(RuntimeError, match=r"call forward\(x\) first"):
        layer.backward(np.ones((1, 2, 2, 2), dtype=np.float32))


def test_kernel_too_big_for_input():
    with pytest.raises(ValueError, match="does not fit"):
        Conv2D(1, 1, 5)(np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"kernel 3x3 with dilation \(3, 3\) .* 6x6 input"):
        Conv2D(1, 1, 3, dilation=3)(np.zeros((1, 1, 6, 6)))  # it spans 7x7 pixels
    with pytest.raises(ValueError, match="does not fit"):
        MaxPool2D(4)(np.zeros((1, 1, 3, 3)))


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: Conv2D(0, 8, 3), ValueError, "in_channels"),
        (lambda: Conv2D(1, 8, 3, stride=0), ValueError, "stride"),
        (lambda: Conv2D(1, 8, 2.5), TypeError, "kernel_size"),
        (lambda: Conv2D(1, 8, 3, padding="bogus"), ValueError, "padding"),
        (lambda: Conv2D(1, 8, 3, stride=2, padding="same"), ValueError, "same"),
        (lambda: Conv2D(1, 8, 3, dtype=np.int32), TypeError, "floating"),
        (lambda: Conv2D(1, 8, 3, dilation=0), ValueError, "dilation must be at least 1"),
        (lambda: Conv2D(1, 8, 3, dilation=1.5), TypeError, "dilation must be an int or a pair"),
        (lambda: Conv2D(1, 8, 3, stride=2, dilation=2, padding="same"), ValueError, "stride 1"),
        (lambda: MaxPool2D(2, padding=2), ValueError, "half"),
        (lambda: Dropout(1.0), ValueError, "p must be at least 0 and less than 1"),
        (lambda: Dropout("0.5"), TypeError, "number"),
        (lambda: LeakyReLU("a"), TypeError, "number"),
        (lambda: Dense(10, 0), ValueError, "out_features"),
        (lambda: Dense(10, 2, seed=-1), ValueError, "seed"),
    ],
)
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    "layer",
    [
        lambda: Conv2D(1, 2, 3, padding=1, seed=0),
        lambda: MaxPool2D(2),
        lambda: AvgPool2D(2),
        ReLU,
        lambda: LeakyReLU(0.1),
        Sigmoid,
        Tanh,
    ],
)
def test_layers_let_nan_through_for_the_trainer_to_see(layer):
    """Documented in the module: inside a network a NaN means the weights blew up,
    which the trainer reports as divergence; a layer does not stop with a NaN
    message of its own (MaxPool2D used to, so divergence read as bad data)."""
    x = np.zeros((1, 1, 4, 4), np.float32)
    x[0, 0, 1, 1] = np.nan
    out = layer()(x)
    assert np.isnan(out).any()


def test_element_wise_layers_compute_what_the_functions_compute():
    """Sigmoid, Tanh and LeakyReLU write their formula out (without the functions'
    NaN check); they must agree with cnnlib.sigmoid, tanh and leaky_relu."""
    from cnnlib import leaky_relu, sigmoid, tanh

    for dtype in (np.float32, np.float64):
        x = (RNG.standard_normal((3, 4, 5)) * 20).astype(dtype)
        for layer, fn in (
            (Sigmoid(), sigmoid),
            (Tanh(), tanh),
            (LeakyReLU(0.2), lambda z: leaky_relu(z, 0.2)),
        ):
            out = layer(x)
            assert out.dtype == fn(x).dtype == dtype
            np.testing.assert_array_equal(out, fn(x))


def test_pool_layers_compute_what_the_functions_compute():
    from cnnlib import avg_pool2d, max_pool2d

    x = RNG.standard_normal((2, 3, 9, 8)).astype(np.float32)
    np.testing.assert_array_equal(MaxPool2D(3, 2, 1)(x), max_pool2d(x, 3, 2, 1))
    np.testing.assert_array_equal(AvgPool2D(2, padding=1)(x), avg_pool2d(x, 2, padding=1))


@pytest.mark.parametrize("bias", [True, False, np.True_])
def test_bias_takes_true_or_false(bias):
    assert Conv2D(1, 2, 3, bias=bias).use_bias == bool(bias)
    assert Dense(2, 2, bias=bias).use_bias == bool(bias)


def test_a_diverging_cnn_is_reported_as_diverged_not_as_bad_data():
    """Issue 10: SGD at a huge learning rate used to stop with a NaN message from MaxPool2D
    advising np.nan_to_num, as if the data were bad. The layers let the NaN
    through; the trainer sees it in the scores and says the run diverged."""
    import warnings

    from cnnlib import SGD, fit, load_mnist, prepare_images, reference_cnn

    images, labels = load_mnist("train")
    x, y = prepare_images(images[:128]), labels[:128]
    model = reference_cnn(seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow inside the blown-up layers
        history = fit(model, x, y, optimizer=SGD(model, lr=1e30), epochs=2, progress=False)
    assert history.status == "diverged"
