"""The core operations against independent references: scipy, hand-computed
examples, the loop implementations in cnnlib.reference, and the formulas."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from cnnlib import (
    avg_pool2d,
    conv2d,
    cross_entropy,
    kernels,
    leaky_relu,
    log_softmax,
    max_pool2d,
    output_size,
    reference,
    relu,
    sigmoid,
    softmax,
    tanh,
)

RNG = np.random.default_rng(20261122)


# ----------------------------------------------------------------------------
# convolution against scipy (single channel, every padding mode)
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("kshape", [(1, 1), (3, 3), (2, 4), (5, 3), (4, 4)])
def test_conv2d_matches_scipy_correlate2d(mode, kshape):
    image = RNG.normal(size=(11, 13))
    kernel = RNG.normal(size=kshape)
    np.testing.assert_allclose(
        conv2d(image, kernel, padding=mode), signal.correlate2d(image, kernel, mode=mode)
    )


def test_conv2d_is_cross_correlation_not_convolution():
    """Deep-learning 'convolution' does not flip the kernel; scipy's convolve2d does."""
    image = RNG.normal(size=(8, 8))
    kernel = np.arange(9.0).reshape(3, 3)  # not symmetric
    ours = conv2d(image, kernel)
    np.testing.assert_allclose(ours, signal.convolve2d(image, kernel[::-1, ::-1], mode="valid"))
    assert not np.allclose(ours, signal.convolve2d(image, kernel, mode="valid"))


def test_conv2d_hand_computed():
    image = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=float)
    kernel = np.array([[1, 0], [0, -1]], dtype=float)
    # each output = top-left minus bottom-right of its 2x2 patch
    np.testing.assert_array_equal(conv2d(image, kernel), [[-4, -4], [-4, -4]])
    # stride 2 with padding 1: positions (0,0), (0,2), (2,0), (2,2) of the padded 5x5 image
    np.testing.assert_array_equal(
        conv2d(image, kernel, stride=2, padding=1), [[-1, -3], [-7, 5 - 9]]
    )
    # dilation 2: the kernel cells are 2 apart, so it covers 3x3 and sees pixels 1 and 9
    np.testing.assert_array_equal(conv2d(image, kernel, dilation=2), [[1 - 9]])
    # bias is added to every output of its filter
    out = conv2d(image[None, None], kernel[None, None], bias=np.array([10.0]))
    np.testing.assert_array_equal(out, [[[[6, 6], [6, 6]]]])


def test_same_padding_even_kernel_puts_extra_zero_bottom_right():
    """Like PyTorch: total padding k-1 = 1 for a 2x2 kernel goes to the bottom/right."""
    image = np.arange(9.0).reshape(3, 3)
    kernel = np.ones((2, 2))
    out = conv2d(image, kernel, padding="same")
    assert out.shape == (3, 3)
    # top-left output: image[0:2, 0:2] summed (no padding above or left)
    assert out[0, 0] == 0 + 1 + 3 + 4
    # bottom-right output: only image[2, 2] is real, the rest is padding
    assert out[2, 2] == 8


def test_x_o_template_match():
    """The curriculum's X/O example: the diagonal template scores a perfect 1 on the
    diagonal strokes of an X (averaged products), and less elsewhere."""
    x_image = -np.ones((9, 9))
    for i in range(1, 8):
        x_image[i, i] = x_image[i, 8 - i] = 1.0
    template = kernels.diagonal()
    scores = conv2d(x_image, template) / template.size
    assert scores.shape == (7, 7)
    assert scores.max() == pytest.approx(1.0)
    # the perfect matches lie along the main diagonal of the X, away from the centre
    perfect = {tuple(int(i) for i in p) for p in np.argwhere(np.isclose(scores, 1.0))}
    assert perfect == {(1, 1), (2, 2), (4, 4), (5, 5)}  # the centre (3, 3) is a crossing
    # the cross template matches best exactly at the centre of the X
    centre = conv2d(x_image, kernels.cross()) / 9
    assert np.unravel_index(centre.argmax(), centre.shape) == (3, 3)
    assert centre.max() == pytest.approx(1.0)


def test_volume_filter_5x5x3_on_32x32x3():
    """A 5x5x3 filter on a 32x32x3 image: 28x28 positions, 75 products each; 6 filters -> 6 maps."""
    image = RNG.normal(size=(1, 3, 32, 32))
    one = RNG.normal(size=(1, 3, 5, 5))
    out = conv2d(image, one)
    assert out.shape == (1, 1, 28, 28)
    # one output value is the sum of 75 products over the 5x5x3 volume
    assert out[0, 0, 4, 7] == pytest.approx(np.sum(image[0, :, 4:9, 7:12] * one[0]))
    six = RNG.normal(size=(6, 3, 5, 5))
    assert conv2d(image, six).shape == (1, 6, 28, 28)
    # multi-channel convolution is the sum of per-channel 2-D correlations
    per_channel = sum(signal.correlate2d(image[0, c], six[2, c], "valid") for c in range(3))
    np.testing.assert_allclose(conv2d(image, six)[0, 2], per_channel)


def test_unbatched_chw_input():
    x = RNG.normal(size=(3, 6, 7))
    w = RNG.normal(size=(4, 3, 3, 3))
    out = conv2d(x, w, padding=1)
    assert out.shape == (4, 6, 7)
    np.testing.assert_allclose(out, conv2d(x[None], w, padding=1)[0])


# ----------------------------------------------------------------------------
# fast versus loop reference, over random shapes (property-based)
# ----------------------------------------------------------------------------
@st.composite
def conv_cases(draw):
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    # the input must be at least as large as the dilated kernel after padding
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 9))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 9))
    padding = draw(
        st.sampled_from([(ph, pw), "valid", "full"] + (["same"] if sh == sw == 1 else []))
    )
    if padding == "valid":
        h, w = max(h, dh * (kh - 1) + 1), max(w, dw * (kw - 1) + 1)
    seed = draw(st.integers(0, 2**16))
    return (n, c, h, w), (f, c, kh, kw), (sh, sw), padding, (dh, dw), seed


@settings(max_examples=120, deadline=None)
@given(conv_cases(), st.sampled_from([np.float32, np.float64]), st.booleans())
def test_fast_conv2d_equals_reference(case, dtype, with_bias):
    xshape, wshape, stride, padding, dilation, seed = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=xshape).astype(dtype)
    w = rng.normal(size=wshape).astype(dtype)
    b = rng.normal(size=wshape[0]).astype(dtype) if with_bias else None
    fast = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    slow = reference.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert fast.dtype == dtype and slow.dtype == dtype
    assert fast.shape == slow.shape
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(fast, slow, rtol=tol, atol=tol)


@st.composite
def pool_cases(draw):
    k = draw(st.integers(1, 4))
    s = draw(st.integers(1, 4))
    p = draw(st.integers(0, k // 2))
    h = draw(st.integers(max(1, k - 2 * p), 10))
    w = draw(st.integers(max(1, k - 2 * p), 10))
    return (
        (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w),
        k,
        s,
        p,
        draw(st.integers(0, 2**16)),
    )


@settings(max_examples=120, deadline=None)
@given(pool_cases(), st.sampled_from([np.float32, np.float64]))
def test_fast_pooling_equals_reference(case, dtype):
    shape, k, s, p, seed = case
    x = np.random.default_rng(seed).normal(size=shape).astype(dtype)
    fast, idx = max_pool2d(x, k, s, p, return_indices=True)
    slow, ref_idx = reference.max_pool2d(x, k, s, p, return_indices=True)
    np.testing.assert_allclose(fast, slow)
    np.testing.assert_array_equal(idx, ref_idx)
    # the indices point at the maxima in the unpadded input
    flat = x.reshape(shape[0], shape[1], -1)
    np.testing.assert_array_equal(
        np.take_along_axis(flat, idx.reshape(shape[0], shape[1], -1), axis=2).reshape(fast.shape),
        fast,
    )
    np.testing.assert_allclose(
        avg_pool2d(x, k, s, p), reference.avg_pool2d(x, k, s, p), rtol=1e-5, atol=1e-6
    )
    assert fast.dtype == dtype


def test_pooling_hand_computed():
    x = np.array(
        [[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [6, 2, 3, 1]],
        dtype=float,
    )
    np.testing.assert_array_equal(max_pool2d(x, 2), [[4, 5], [6, 7]])
    np.testing.assert_array_equal(avg_pool2d(x, 2), [[2.5, 2], [2.25, 3.25]])
    # stride 1: overlapping windows
    np.testing.assert_array_equal(max_pool2d(x, 2, stride=1)[0], [4, 3, 5])
    # average pooling counts padded zeros (PyTorch's default): corner window holds only x[0, 0]
    assert avg_pool2d(x, 3, stride=3, padding=1)[0, 0] == pytest.approx((1 + 3 + 4 + 2) / 9)
    # max pooling ignores padding even when all real values are negative
    assert max_pool2d(-x - 1, 3, stride=3, padding=1)[0, 0] == -2
    _, idx = max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(idx, [[4, 7], [12, 10]])


def test_pool_output_size_floors():
    """A 7-pixel row with window 2 and stride 2 gives 3 outputs: the last pixel is dropped."""
    assert max_pool2d(np.ones((7, 7)), 2).shape == (3, 3)
    assert output_size(7, 2, stride=2) == 3


# ----------------------------------------------------------------------------
# dtypes
# ----------------------------------------------------------------------------
def test_uint8_images_are_computed_in_float():
    image = np.full((4, 4), 255, dtype=np.uint8)
    out = conv2d(image, np.ones((3, 3)))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.full((2, 2), 9 * 255.0))  # no uint8 overflow
    assert max_pool2d(image, 2).dtype == np.float64


def test_float32_stays_float32_float64_stays_float64():
    x32 = np.ones((1, 1, 5, 5), np.float32)
    w32 = np.ones((2, 1, 3, 3), np.float32)
    assert conv2d(x32, w32).dtype == np.float32
    assert conv2d(x32.astype(np.float64), w32.astype(np.float64)).dtype == np.float64
    assert max_pool2d(x32, 2).dtype == np.float32
    assert avg_pool2d(x32, 2).dtype == np.float32
    for fn in (relu, leaky_relu, sigmoid, tanh, softmax, log_softmax):
        assert fn(x32).dtype == np.float32, fn.__name__


def test_lists_are_accepted():
    assert conv2d([[1, 2], [3, 4]], [[1]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]


# ----------------------------------------------------------------------------
# activations, softmax, cross-entropy
# ----------------------------------------------------------------------------
def test_activations_values():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(relu(x), [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(leaky_relu(x), [-0.02, -0.005, 0, 0.5, 2])
    np.testing.assert_allclose(leaky_relu(x, 0.2), [-0.4, -0.1, 0, 0.5, 2])
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(tanh(x), np.tanh(x))
    assert sigmoid(0.0) == 0.5


def test_activations_are_stable_for_huge_inputs():
    big = np.array([-1000.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(sigmoid(big), [0.0, 1.0])
        np.testing.assert_array_equal(tanh(big), [-1.0, 1.0])
        p = softmax(np.array([1000.0, 1000.0, -1000.0]))
        np.testing.assert_allclose(p, [0.5, 0.5, 0.0])
        ls = log_softmax(np.array([1000.0, 0.0]))
        np.testing.assert_allclose(ls, [0.0, -1000.0])


def test_softmax_properties():
    scores = RNG.normal(size=(5, 4)) * 10
    p = softmax(scores)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert (p > 0).all()
    np.testing.assert_allclose(softmax(scores + 123.0), p)  # shift invariance
    np.testing.assert_allclose(np.exp(log_softmax(scores)), p)
    np.testing.assert_allclose(softmax(scores, axis=0).sum(axis=0), 1.0)
    # the curriculum's example: probabilities 0.80 / 0.15 / 0.05 come from log-probabilities
    np.testing.assert_allclose(softmax(np.log([0.80, 0.15, 0.05])), [0.80, 0.15, 0.05])


def test_cross_entropy_values():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    targets = np.array([0, 1])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[[0, 1], [0, 1]]))
    assert cross_entropy(logits, targets) == pytest.approx(expected)
    # uniform scores over K classes give log(K)
    assert cross_entropy(np.zeros((3, 10)), np.array([1, 2, 3])) == pytest.approx(np.log(10))
    # huge logits stay finite
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert cross_entropy(np.array([[1000.0, -1000.0]]), np.array([0])) == pytest.approx(0.0)
        assert cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1])) == pytest.approx(2000.0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("fn", [relu, leaky_relu, sigmoid, tanh, softmax, log_softmax])
def test_activations_refuse_nan_and_inf_like_every_op(fn, bad):
    """One NaN policy: the element-wise functions refuse NaN/inf as conv2d does (they
    used to pass it through, and softmax spread it over a whole row)."""
    with pytest.raises(ValueError, match=r"x contains 1 NaN or infinite value\(s\).*index \(1,\)"):
        fn(np.array([1.0, bad, -1.0]))
