"""The loop backward passes in cnnlib.reference against independent references.

* the fast backward passes (the layers' ``backward`` and ``cnnlib._conv_grad``),
  with hypothesis over shapes, strides, paddings and dilations;
* numerical gradients (centred differences in float64) of the forward passes;
* hand-computed values, among them the "sum over positions" rule on a 1-D case
  and how max pooling breaks ties;
* PyTorch's autograd, when torch is installed;
* the argument checks, which must read as the forward twins' do.

Tolerances: the loops add one product at a time in a fixed order, the fast
paths add the same products in blocks, in BLAS's order (which depends on the
CPU kernel OpenBLAS picks). In float64 the two agree to ~1e-13 on these
small sums; in float32 (7 digits) to ~1e-5 relative. Where the inputs are
small integers every partial sum is exact in any order, and the comparison is
exact.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import _conv_grad, geometry, ops, reference
from cnnlib import _validate as v
from cnnlib.layers import AvgPool2D, Conv2D, Dense, MaxPool2D

RNG = np.random.default_rng(12)

TOL = {np.float32: 1e-4, np.float64: 1e-10}  # loops vs blocks/BLAS: see the module docstring


def _close(a, b, dtype, err_msg=""):
    tol = TOL[dtype]
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=err_msg)


# ----------------------------------------------------------------------------
# convolution against the fast backward passes
# ----------------------------------------------------------------------------
@st.composite
def conv_cases(draw):
    """As the forward twins are drawn in tests/test_ops.py, with wider pads and dilations."""
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    # the input must be at least as large as the dilated kernel after padding
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 11))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 11))
    # 'same' pads d*(k-1) in all; when that is odd, the extra row/column goes bottom/right
    modes = ["valid", "full"] + (["same"] if sh == sw == 1 else [])
    padding = draw(st.sampled_from([(ph, pw), *modes]))
    if padding == "valid":
        h, w = max(h, dh * (kh - 1) + 1), max(w, dw * (kw - 1) + 1)

    def int_or_pair(a, b):  # both spellings the functions accept
        return a if a == b and draw(st.booleans()) else (a, b)

    padding = int_or_pair(ph, pw) if padding == (ph, pw) else padding
    stride, dilation = int_or_pair(sh, sw), int_or_pair(dh, dw)
    seed = draw(st.integers(0, 2**16))
    return (n, c, h, w), (f, c, kh, kw), stride, padding, dilation, seed


def _conv_data(case, dtype):
    xshape, wshape, stride, padding, dilation, seed = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=xshape).astype(dtype)
    w = rng.normal(size=wshape).astype(dtype)
    win = geometry.window_plan(xshape[2:], wshape[2:], stride, padding, dilation)
    g = rng.normal(size=(xshape[0], wshape[0], *win.out)).astype(dtype)
    return x, w, g, win


@settings(max_examples=150, deadline=None)
@given(conv_cases(), st.sampled_from([np.float32, np.float64]))
def test_conv2d_backward_equals_the_fast_one(case, dtype):
    _, _, stride, padding, dilation, _ = case
    x, w, g, win = _conv_data(case, dtype)
    grad_x, grad_w, grad_b = reference.conv2d_backward(x, w, g, stride, padding, dilation)
    fast_w, fast_x = _conv_grad.conv2d_backward(x, w, g, win)
    _close(grad_x, fast_x, dtype, "grad_x")
    _close(grad_w, fast_w, dtype, "grad_weight")
    _close(grad_b, g.sum(axis=(0, 2, 3)), dtype, "grad_bias")
    for grad, like in ((grad_x, x), (grad_w, w)):
        assert grad.shape == like.shape and grad.dtype == dtype
    assert grad_b.shape == (w.shape[0],) and grad_b.dtype == dtype


@settings(max_examples=100, deadline=None)
@given(conv_cases(), st.sampled_from([np.float32, np.float64]))
def test_conv2d_backward_equals_the_layers(case, dtype):
    """Every drawn geometry, dilations included, through Conv2D itself."""
    _, wshape, stride, padding, dilation, _ = case
    x, w, g, _ = _conv_data(case, dtype)
    layer = Conv2D(wshape[1], wshape[0], wshape[2:], stride, padding, dilation, seed=0, dtype=dtype)
    layer.params["weight"][...] = w
    out = layer(x)
    assert out.shape == g.shape == (len(x), *layer.output_shape(x.shape[1:]))
    _close(out, reference.conv2d(x, w, layer.params["bias"], stride, padding, dilation), dtype)
    fast_x = layer.backward(g)
    grad_x, grad_w, grad_b = reference.conv2d_backward(x, w, g, stride, padding, dilation)
    _close(grad_x, fast_x, dtype, "grad_x")
    _close(grad_w, layer.grads["weight"], dtype, "grad_weight")
    _close(grad_b, layer.grads["bias"], dtype, "grad_bias")


def test_conv2d_backward_with_small_integers_equals_the_fast_one_exactly():
    """Small integers: every partial sum is exact, so the order of the additions cannot matter."""
    for stride, padding, dilation in ((1, "same", 1), (2, 1, 1), (1, "full", 2), ((2, 1), 0, 2)):
        x = RNG.integers(-5, 6, size=(2, 3, 8, 7)).astype(np.float64)
        w = RNG.integers(-5, 6, size=(4, 3, 3, 2)).astype(np.float64)
        win = geometry.window_plan((8, 7), (3, 2), stride, padding, dilation)
        g = RNG.integers(-5, 6, size=(2, 4, *win.out)).astype(np.float64)
        grad_x, grad_w, _ = reference.conv2d_backward(x, w, g, stride, padding, dilation)
        fast_w, fast_x = _conv_grad.conv2d_backward(x, w, g, win)
        np.testing.assert_array_equal(grad_x, fast_x)
        np.testing.assert_array_equal(grad_w, fast_w)


# ----------------------------------------------------------------------------
# pooling and dense against the fast backward passes
# ----------------------------------------------------------------------------
@st.composite
def pool_cases(draw):
    """As in tests/test_ops_fast.py: rectangular windows and strides, padding up to half."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 10))
    w = draw(st.integers(max(1, kw - 2 * pw), 10))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w)
    stride = draw(st.sampled_from([(sh, sw), None]))  # None: windows side by side
    return shape, (kh, kw), stride, (ph, pw), draw(st.integers(0, 2**16))


@settings(max_examples=150, deadline=None)
@given(pool_cases(), st.sampled_from([np.float32, np.float64]), st.booleans())
def test_max_pool2d_backward_routes_as_the_fast_one(case, dtype, few_values):
    """With few distinct values, many ties. The gradients are integers, so any sum is exact
    and the comparison can be: every gradient must land on exactly the same pixel."""
    shape, k, s, p, seed = case
    rng = np.random.default_rng(seed)
    x = (rng.integers(-2, 3, size=shape) if few_values else rng.normal(size=shape)).astype(dtype)
    out, indices = ops.max_pool2d(x, k, s, p, return_indices=True)
    g = rng.integers(1, 1000, size=out.shape).astype(dtype)
    grad_x = reference.max_pool2d_backward(x, g, k, s, p)
    layer = MaxPool2D(k, s, p)
    layer(x)
    np.testing.assert_array_equal(grad_x, layer.backward(g))
    # and the gradient lands where max_pool2d(return_indices=True) says the maximum came from
    expected = np.zeros(shape, dtype=dtype).reshape(*shape[:2], -1)
    for n, c in np.ndindex(*shape[:2]):
        np.add.at(expected[n, c], indices[n, c].ravel(), g[n, c].ravel())
    np.testing.assert_array_equal(grad_x, expected.reshape(shape))
    assert grad_x.dtype == dtype


@settings(max_examples=150, deadline=None)
@given(pool_cases(), st.sampled_from([np.float32, np.float64]))
def test_avg_pool2d_backward_equals_the_fast_one(case, dtype):
    shape, k, s, p, seed = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(dtype)
    g = rng.normal(size=ops.avg_pool2d(x, k, s, p).shape).astype(dtype)
    grad_x = reference.avg_pool2d_backward(x, g, k, s, p)
    layer = AvgPool2D(k, s, p)
    layer(x)
    _close(grad_x, layer.backward(g), dtype)
    assert grad_x.shape == shape and grad_x.dtype == dtype


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 6),
    st.integers(1, 6),
    st.sampled_from([np.float32, np.float64]),
    st.integers(0, 2**16),
)
def test_dense_backward_equals_the_layers(n, n_in, n_out, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_in)).astype(dtype)
    g = rng.normal(size=(n, n_out)).astype(dtype)
    layer = Dense(n_in, n_out, seed=0, dtype=dtype)
    layer(x)
    fast_x = layer.backward(g)
    grad_x, grad_w, grad_b = reference.dense_backward(x, layer.params["weight"], g)
    _close(grad_x, fast_x, dtype, "grad_x")
    _close(grad_w, layer.grads["weight"], dtype, "grad_weight")
    _close(grad_b, layer.grads["bias"], dtype, "grad_bias")
    assert grad_w.shape == (n_out, n_in) and grad_x.dtype == grad_w.dtype == dtype


# ----------------------------------------------------------------------------
# against numerical gradients
# ----------------------------------------------------------------------------
def _numerical(loss, array, eps=1e-6):
    """Centred differences, one element at a time: (L(a + eps) - L(a - eps)) / (2 eps)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + eps
        up = loss()
        array[index] = old - eps
        down = loss()
        array[index] = old
        grad[index] = (up - down) / (2 * eps)
    return grad


# the error of centred differences is ~eps**2 * (third derivative) plus rounding of
# ~1e-16 / eps; these losses are linear in each number, so what is left is rounding
NUMERICAL_TOL = 1e-7


@pytest.mark.parametrize(
    ("xshape", "wshape", "stride", "padding", "dilation"),
    [
        ((2, 2, 5, 6), (3, 2, 3, 3), 1, 0, 1),
        ((1, 2, 6, 5), (2, 2, 2, 3), 1, "same", 1),  # even kernel: one more at bottom/right
        ((1, 1, 7, 7), (2, 1, 2, 2), 1, "same", 2),  # span 3 with dilation: even split again
        ((2, 1, 4, 5), (2, 1, 3, 2), 1, "full", 1),
        ((1, 2, 7, 8), (2, 2, 3, 3), (2, 3), (1, 2), 1),
        ((1, 1, 9, 9), (1, 1, 3, 3), 2, 1, (2, 3)),
    ],
)
def test_conv2d_backward_equals_numerical_gradients(xshape, wshape, stride, padding, dilation):
    x, w, b = RNG.normal(size=xshape), RNG.normal(size=wshape), RNG.normal(size=wshape[0])
    out = ops.conv2d(x, w, b, stride, padding, dilation)
    weights_of_loss = RNG.normal(size=out.shape)  # loss = sum(out * G), so d(loss)/d(out) = G

    def loss():
        return float(np.sum(ops.conv2d(x, w, b, stride, padding, dilation) * weights_of_loss))

    grad_x, grad_w, grad_b = reference.conv2d_backward(
        x, w, weights_of_loss, stride, padding, dilation
    )
    for name, analytic, array in (("x", grad_x, x), ("weight", grad_w, w), ("bias", grad_b, b)):
        np.testing.assert_allclose(
            analytic, _numerical(loss, array), rtol=NUMERICAL_TOL, atol=NUMERICAL_TOL, err_msg=name
        )


@pytest.mark.parametrize(
    ("pool", "backward"),
    [
        (ops.max_pool2d, reference.max_pool2d_backward),
        (ops.avg_pool2d, reference.avg_pool2d_backward),
    ],
    ids=["max", "avg"],
)
@pytest.mark.parametrize(
    ("shape", "k", "s", "p"),
    [((2, 2, 6, 6), 2, None, 0), ((1, 2, 7, 7), 3, 2, 1), ((1, 1, 5, 6), (2, 3), 1, (1, 0))],
)
def test_pooling_backward_equals_numerical_gradients(pool, backward, shape, k, s, p):
    # distinct values at least 0.01 apart: a nudge of 1e-6 never changes which pixel wins
    x = RNG.permutation(np.prod(shape)).reshape(shape) * 0.01 + 0.1
    weights_of_loss = RNG.normal(size=pool(x, k, s, p).shape)

    def loss():
        return float(np.sum(pool(x, k, s, p) * weights_of_loss))

    np.testing.assert_allclose(
        backward(x, weights_of_loss, k, s, p),
        _numerical(loss, x),
        rtol=NUMERICAL_TOL,
        atol=NUMERICAL_TOL,
    )


def test_dense_backward_equals_numerical_gradients():
    x, w, b = RNG.normal(size=(3, 5)), RNG.normal(size=(4, 5)), RNG.normal(size=4)
    weights_of_loss = RNG.normal(size=(3, 4))

    def loss():
        return float(np.sum((x @ w.T + b) * weights_of_loss))

    grads = reference.dense_backward(x, w, weights_of_loss)
    for name, analytic, array in zip(("x", "weight", "bias"), grads, (x, w, b)):
        np.testing.assert_allclose(
            analytic, _numerical(loss, array), rtol=NUMERICAL_TOL, atol=NUMERICAL_TOL, err_msg=name
        )


# ----------------------------------------------------------------------------
# hand-computed
# ----------------------------------------------------------------------------
def test_a_shared_weight_collects_the_sum_over_every_position_it_visited():
    """A 1x5 image, a 1x3 kernel: three positions, so each weight's gradient has three terms."""
    x = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    w = np.array([[1.0, 2.0, 3.0]])
    g = np.array([[1.0, 10.0, 100.0]])  # one digit per position, so the sums can be read off
    grad_x, grad_w, grad_b = reference.conv2d_backward(x, w, g)
    # weight j met x[j] at position 0, x[j + 1] at position 1, x[j + 2] at position 2
    expected_w = [sum(g[0, p] * x[0, p + j] for p in range(3)) for j in range(3)]
    np.testing.assert_array_equal(grad_w, [expected_w])
    np.testing.assert_array_equal(grad_w, [[321, 432, 543]])
    # pixel k met weight k - p at every position p whose window held it
    np.testing.assert_array_equal(grad_x, [[1, 12, 123, 230, 300]])
    np.testing.assert_array_equal(grad_b, [111])
    # the batch is summed too: the same image twice doubles the weight gradient, not grad_x
    x2, g2 = np.stack([x[None]] * 2), np.stack([g[None]] * 2)
    grad_x2, grad_w2, grad_b2 = reference.conv2d_backward(x2, w[None, None], g2)
    np.testing.assert_array_equal(grad_w2[0, 0], 2 * grad_w)
    np.testing.assert_array_equal(grad_x2[1, 0], grad_x)
    np.testing.assert_array_equal(grad_b2, 2 * grad_b)
    # and the layer (Conv2D with a 1x3 kernel) says the same
    layer = Conv2D(1, 1, (1, 3), seed=0, dtype=np.float64)
    layer.params["weight"][...] = w
    layer(x[None, None])
    np.testing.assert_allclose(layer.backward(g[None, None])[0, 0], grad_x, rtol=1e-12)
    np.testing.assert_allclose(layer.grads["weight"][0, 0], grad_w, rtol=1e-12)


def test_stride_and_padding_by_hand():
    """1x4 image, kernel [1, 2], stride 2, padding 1: windows (pad, x0), (x1, x2), (x3, pad)."""
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    w = np.array([[1.0, 2.0]])
    g = np.array([[1.0, 10.0, 100.0]])
    grad_x, grad_w, _ = reference.conv2d_backward(x, w, g, stride=(1, 2), padding=(0, 1))
    # w0 met the padding, x1, x3; w1 met x0, x2, the padding
    np.testing.assert_array_equal(grad_w, [[1 * 0 + 10 * 2 + 100 * 4, 1 * 1 + 10 * 3 + 100 * 0]])
    np.testing.assert_array_equal(grad_x, [[1 * 2, 10 * 1, 10 * 2, 100 * 1]])


def test_max_pool_ties_go_to_the_first_maximum_in_reading_order():
    # all equal, and equal maxima across rows: (0, 1) comes before (1, 0) in reading order
    x = np.array([[1.0, 1.0, 0.0, 5.0], [1.0, 1.0, 5.0, 0.0]])
    np.testing.assert_array_equal(
        reference.max_pool2d_backward(x, np.array([[10.0, 20.0]]), 2),
        [[10, 0, 0, 20], [0, 0, 0, 0]],
    )
    # overlapping windows: a pixel that wins several collects them all
    x = np.zeros((3, 3))
    x[1, 1] = 5
    grad = reference.max_pool2d_backward(x, np.array([[1.0, 2.0], [3.0, 4.0]]), 2, stride=1)
    assert grad[1, 1] == 10 and grad.sum() == 10
    # a tie of zeros with -0.0: equal numbers, so the first wins
    x = np.array([[-0.0, 0.0], [0.0, -1.0]])
    np.testing.assert_array_equal(
        reference.max_pool2d_backward(x, np.array([[7.0]]), 2), [[7, 0], [0, 0]]
    )
    # padding never wins, even against very negative values
    x = np.full((3, 3), -1e30)
    grad = reference.max_pool2d_backward(x, np.ones((3, 3)), 3, stride=1, padding=1)
    assert grad.sum() == 9 and grad[0, 0] == 4  # top-left is first in each window it is in


def test_avg_pool_padding_takes_its_share():
    """kernel 2, padding 1 on a 2x2 image: four windows, each with one real pixel of four."""
    grad = reference.avg_pool2d_backward(np.ones((2, 2)), np.full((2, 2), 8.0), 2, padding=1)
    np.testing.assert_array_equal(grad, np.full((2, 2), 2.0))  # 8 / 4, the rest fell on zeros


# ----------------------------------------------------------------------------
# layouts, dtypes, the docstrings
# ----------------------------------------------------------------------------
def test_unbatched_layouts_give_gradients_in_the_same_layouts():
    x, w = RNG.normal(size=(3, 6, 5)), RNG.normal(size=(2, 3, 3, 3))
    g = RNG.normal(size=(2, 6, 5))
    batched = reference.conv2d_backward(x[None], w, g[None], padding=1)
    grad_x, grad_w, grad_b = reference.conv2d_backward(x, w, g, padding=1)  # (C, H, W)
    np.testing.assert_array_equal(grad_x, batched[0][0])
    np.testing.assert_array_equal(grad_w, batched[1])
    np.testing.assert_array_equal(grad_b, batched[2])
    grad_x, grad_w, grad_b = reference.conv2d_backward(x[0], w[0, 0], g[0], padding=1)  # (H, W)
    one = reference.conv2d_backward(x[None, :1], w[:1, :1], g[None, :1], padding=1)
    assert grad_x.shape == (6, 5) and grad_w.shape == (3, 3) and grad_b.shape == (1,)
    np.testing.assert_array_equal(grad_x, one[0][0, 0])
    np.testing.assert_array_equal(grad_w, one[1][0, 0])
    for backward in (reference.max_pool2d_backward, reference.avg_pool2d_backward):
        gp = RNG.normal(size=(3, 3, 2))
        batched = backward(x[None], gp[None], 2)
        np.testing.assert_array_equal(backward(x, gp, 2), batched[0])
        np.testing.assert_array_equal(backward(x[1], gp[1], 2), batched[0, 1])
    w_dense, g_dense = RNG.normal(size=(4, 5)), RNG.normal(size=(2, 4))
    batched = reference.dense_backward(x[:2, 0], w_dense, g_dense)
    single = reference.dense_backward(x[0, 0], w_dense, g_dense[0])  # one example (in,)
    np.testing.assert_array_equal(single[0], batched[0][0])
    assert single[1].shape == (4, 5) and single[2].shape == (4,)


def test_integer_images_are_computed_in_float64_and_float32_stays_float32():
    x = np.arange(12, dtype=np.uint8).reshape(3, 4)
    grad_x, grad_w, _ = reference.conv2d_backward(x, np.ones((2, 2)), np.ones((2, 3)))
    assert grad_x.dtype == grad_w.dtype == np.float64
    grads = reference.conv2d_backward(
        x.astype(np.float32), np.ones((2, 2), np.float32), np.ones((2, 3), np.float32)
    )
    assert all(grad.dtype == np.float32 for grad in grads)
    assert reference.max_pool2d_backward(x, np.ones((1, 1), np.float32), 3, 2).dtype == np.float64


def test_the_inputs_are_left_alone():
    x, w = RNG.normal(size=(1, 2, 5, 5)), RNG.normal(size=(3, 2, 3, 3))
    g = RNG.normal(size=(1, 3, 5, 5))
    copies = x.copy(), w.copy(), g.copy()
    reference.conv2d_backward(x, w, g, padding="same")
    reference.max_pool2d_backward(x, g[:, :2, :2, :2], 2)
    for array, copy in zip((x, w, g), copies):
        np.testing.assert_array_equal(array, copy)


def test_docstring_examples_hold():
    result = doctest.testmod(reference, extraglobs={"np": np})
    assert result.attempted >= 4 and result.failed == 0


# ----------------------------------------------------------------------------
# argument checks: the forward twins' messages, plus grad_output
# ----------------------------------------------------------------------------
IMG, W = np.zeros((1, 1, 8, 8)), np.zeros((2, 1, 3, 3))

BAD_CONV_ARGUMENTS = [
    dict(x=np.zeros((1, 1, 1, 8, 8))),  # 5 dimensions
    dict(x=np.zeros((8, 8, 3)), weight=np.zeros((1, 3, 3, 3))),  # channels last
    dict(x=np.zeros((8, 8))),  # 2-D image, 4-D weight
    dict(x=np.zeros((1, 3, 8, 8))),  # channel mismatch
    dict(x=np.zeros((3, 3)), weight=np.zeros((5, 5))),  # kernel too big
    dict(stride=0),
    dict(dilation=(1, 0)),
    dict(stride=1.5),
    dict(padding=-1),
    dict(padding="half"),
    dict(padding="same", stride=2),
    dict(x=np.where(np.arange(64).reshape(1, 1, 8, 8) == 21, np.nan, 0.0)),
    dict(weight=np.full((2, 1, 3, 3), np.inf)),
    dict(x=IMG.astype(complex)),
]


@pytest.mark.parametrize("bad", BAD_CONV_ARGUMENTS, ids=lambda bad: ",".join(bad))
def test_conv2d_backward_rejects_what_conv2d_rejects_with_the_same_message(bad):
    args = dict(x=IMG, weight=W, stride=1, padding=0, dilation=1) | bad
    with pytest.raises((ValueError, TypeError)) as forward:
        ops.conv2d(**args)
    with pytest.raises(forward.type) as backward:
        reference.conv2d_backward(grad_output=np.zeros((1, 2, 6, 6)), **args)
    assert str(backward.value) == str(forward.value)


BAD_POOL_ARGUMENTS = [
    dict(x=np.zeros((1, 1, 1, 8, 8))),
    dict(kernel_size=0),
    dict(kernel_size=9),
    dict(stride=(1, 0)),
    dict(padding=2),  # more than half the window
    dict(padding="same"),
    dict(x=np.full((1, 1, 8, 8), -np.inf)),
]


@pytest.mark.parametrize("bad", BAD_POOL_ARGUMENTS, ids=lambda bad: ",".join(bad))
@pytest.mark.parametrize(
    ("forward", "backward"),
    [
        (ops.max_pool2d, reference.max_pool2d_backward),
        (ops.avg_pool2d, reference.avg_pool2d_backward),
    ],
    ids=["max", "avg"],
)
def test_pooling_backward_rejects_what_the_forward_rejects_with_the_same_message(
    forward, backward, bad
):
    args = dict(x=IMG, kernel_size=2, stride=None, padding=0) | bad
    with pytest.raises((ValueError, TypeError)) as forward_error:
        forward(**args)
    with pytest.raises(forward_error.type) as backward_error:
        backward(grad_output=np.zeros((1, 1, 4, 4)), **args)
    assert str(backward_error.value) == str(forward_error.value)


def test_grad_output_of_the_wrong_shape_says_which_shape_and_why():
    with pytest.raises(
        ValueError,
        match=r"grad_output must have the shape of the output of conv2d with these x, weight, "
        r"stride, padding and dilation, \(1, 2, 3, 3\), but has shape \(1, 2, 6, 6\); "
        r".*d\(loss\)/d\(output\).*same arguments as the forward pass",
    ):
        reference.conv2d_backward(IMG, W, np.zeros((1, 2, 6, 6)), stride=2)
    with pytest.raises(
        ValueError, match=r"output of conv2d .*\(6, 6\), but has shape \(1, 1, 6, 6\)"
    ):
        reference.conv2d_backward(IMG[0, 0], W[0, 0], np.zeros((1, 1, 6, 6)))
    with pytest.raises(ValueError, match=r"output of max_pool2d with these x, kernel_size, stride"):
        reference.max_pool2d_backward(IMG, np.zeros((1, 1, 3, 3)), 2)
    with pytest.raises(ValueError, match=r"output of avg_pool2d .*\(1, 1, 4, 4\)"):
        reference.avg_pool2d_backward(IMG, np.zeros((1, 4, 4)), 2)
    with pytest.raises(ValueError, match=r"output of x @ weight.T, \(3, 2\), but has shape \(3,\)"):
        reference.dense_backward(np.zeros((3, 4)), np.zeros((2, 4)), np.zeros(3))


def test_grad_output_with_nan_or_of_the_wrong_type():
    g = np.zeros((1, 2, 6, 6))
    g[0, 1, 2, 3] = np.nan
    with pytest.raises(
        ValueError, match=r"grad_output contains 1 NaN .* first at index \(0, 1, 2, 3\)"
    ):
        reference.conv2d_backward(IMG, W, g)
    with pytest.raises(TypeError, match="grad_output must hold real numbers"):
        reference.max_pool2d_backward(IMG, np.zeros((1, 1, 4, 4), dtype=complex), 2)


def test_dense_backward_checks():
    x, w, g = np.zeros((3, 4)), np.zeros((2, 4)), np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"weight looks transposed.*pass weight.T"):
        reference.dense_backward(x, w.T, g)
    with pytest.raises(
        ValueError, match=r"x has 5 features but weight expects 4.*\(out_features, 5\)"
    ):
        reference.dense_backward(np.zeros((3, 5)), w, g)
    with pytest.raises(ValueError, match=r"x must have shape \(N, in_features\).*x.reshape"):
        reference.dense_backward(np.zeros((3, 2, 2)), w, g)
    with pytest.raises(ValueError, match=r"weight must have shape \(out_features, in_features\)"):
        reference.dense_backward(x, np.zeros(4), g)
    with pytest.raises(ValueError, match="must not have an empty axis"):
        reference.dense_backward(np.zeros((3, 0)), np.zeros((2, 0)), g)
    bad_weight = w.copy()
    bad_weight[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"weight contains 1 NaN .* first at index \(1, 2\)"):
        reference.dense_backward(x, bad_weight, g)
    with pytest.raises(TypeError, match="x must hold real numbers"):
        reference.dense_backward(x.astype(str), w, g)


# ----------------------------------------------------------------------------
# PyTorch, when installed
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stride", "padding", "dilation", "kernel"),
    [
        (1, 0, 1, (3, 3)),
        (2, 1, 1, (3, 2)),
        ((1, 2), (2, 0), (2, 1), (2, 3)),
        (1, "same", 1, (2, 4)),  # PyTorch also puts the odd row/column at the bottom/right
        (1, "same", 2, (3, 2)),
        (1, "full", 1, (3, 3)),  # not in PyTorch: padded by hand below
    ],
)
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
def test_conv2d_backward_matches_pytorch(stride, padding, dilation, kernel):
    torch = pytest.importorskip("torch")
    x, w, b = RNG.normal(size=(2, 3, 7, 8)), RNG.normal(size=(4, 3, *kernel)), RNG.normal(size=4)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    t_input, t_padding = tx, padding
    if padding == "full":
        d = v.as_pair(dilation, "dilation", 1)
        spans = [dd * (k - 1) for dd, k in zip(d, kernel)]
        t_input = torch.nn.functional.pad(tx, (spans[1], spans[1], spans[0], spans[0]))
        t_padding = 0
    out = torch.nn.functional.conv2d(t_input, tw, tb, stride, t_padding, dilation)
    g = RNG.normal(size=tuple(out.shape))
    out.backward(torch.tensor(g))
    grads = reference.conv2d_backward(x, w, g, stride, padding, dilation)
    for ours, theirs in zip(grads, (tx, tw, tb)):
        # float64 on both sides, different summation orders
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("k", "s", "p"), [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0))])
def test_pooling_backward_matches_pytorch_ties_included(k, s, p):
    torch = pytest.importorskip("torch")
    x = RNG.integers(-1, 2, size=(2, 2, 7, 6)).astype(np.float64)  # many ties
    tx = torch.tensor(x, requires_grad=True)
    for t_pool, backward in (
        (torch.nn.functional.max_pool2d, reference.max_pool2d_backward),
        (torch.nn.functional.avg_pool2d, reference.avg_pool2d_backward),
    ):
        tx.grad = None
        out = t_pool(tx, k, s, p)  # avg: count_include_pad=True by default, as here
        g = RNG.integers(1, 100, size=tuple(out.shape)).astype(np.float64)
        out.backward(torch.tensor(g))
        np.testing.assert_allclose(backward(x, g, k, s, p), tx.grad.numpy(), rtol=1e-12, atol=0)


def test_dense_backward_matches_pytorch_linear():
    torch = pytest.importorskip("torch")
    linear = torch.nn.Linear(5, 3).double()
    x = torch.tensor(RNG.normal(size=(4, 5)), requires_grad=True)
    g = RNG.normal(size=(4, 3))
    linear(x).backward(torch.tensor(g))
    weight = linear.weight.detach().numpy()
    grad_x, grad_w, grad_b = reference.dense_backward(x.detach().numpy(), weight, g)
    np.testing.assert_allclose(grad_x, x.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_w, linear.weight.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_b, linear.bias.grad.numpy(), rtol=1e-12, atol=1e-12)
