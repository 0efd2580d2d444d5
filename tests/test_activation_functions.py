"""Slopes of the activation functions (cnnlib.activations) against centred
differences and known values, the sparsity measure, and best_single_kernel against
scipy's full convolution and the least-squares optimality conditions."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import conv2d, kernels, leaky_relu, relu, sigmoid, tanh
from cnnlib.activations import (
    ACTIVATIONS,
    best_single_kernel,
    leaky_relu_slope,
    relu_slope,
    sigmoid_slope,
    sparsity,
    tanh_slope,
)

# points away from 0, where ReLU's slope jumps
POINTS = np.array([-7.0, -3.2, -1.0, -0.3, 0.2, 0.9, 2.5, 6.0])


@pytest.mark.parametrize(
    "function, slope",
    [
        (relu, relu_slope),
        (lambda x: leaky_relu(x, 0.1), lambda x: leaky_relu_slope(x, 0.1)),
        (sigmoid, sigmoid_slope),
        (tanh, tanh_slope),
    ],
    ids=["relu", "leaky", "sigmoid", "tanh"],
)
def test_slope_matches_centred_differences(function, slope):
    h = 1e-6
    numeric = (function(POINTS + h) - function(POINTS - h)) / (2 * h)
    np.testing.assert_allclose(slope(POINTS), numeric, rtol=1e-6, atol=1e-9)


def test_known_slopes():
    np.testing.assert_array_equal(relu_slope([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])  # 0 at 0, as torch
    np.testing.assert_array_equal(leaky_relu_slope([-2.0, 0.0, 3.0], 0.2), [0.2, 0.2, 1.0])
    assert sigmoid_slope(0.0) == 0.25 and tanh_slope(0.0) == 1.0


def test_saturation_thresholds_in_the_docstrings():
    assert sigmoid_slope(4.6) < 0.01 < sigmoid_slope(4.5)
    assert tanh_slope(3.0) < 0.01 < tanh_slope(2.9)
    assert tanh_slope(-3.0) < 0.01


def test_slopes_are_finite_for_huge_inputs():
    x = np.array([-1e4, 1e4])
    assert np.all(np.isfinite(sigmoid_slope(x))) and np.all(np.isfinite(tanh_slope(x)))
    np.testing.assert_array_equal(sigmoid_slope(x), [0.0, 0.0])


def test_slopes_keep_shape_and_float32():
    x = np.ones((2, 3, 4), dtype=np.float32)
    for act in ACTIVATIONS.values():
        assert act.slope(x).shape == x.shape
        assert act.slope(x).dtype == np.float32


def test_leaky_slope_rejects_a_non_number():
    with pytest.raises(TypeError, match="negative_slope"):
        leaky_relu_slope([1.0], "0.1")


def test_activation_ranges():
    z = np.linspace(-20, 20, 401)
    for act in ACTIVATIONS.values():
        out = act.function(z)
        if act.low is not None:
            assert out.min() >= act.low
        if act.high is not None:
            assert out.max() <= act.high


def test_sparsity():
    assert sparsity(relu(np.array([-2.0, -1.0, 0.5, 3.0]))) == 0.5
    assert sparsity(np.zeros((3, 3))) == 1.0
    assert sparsity(sigmoid(np.array([-50.0, 0.0, 50.0]))) == 0.0  # sigmoid is never exactly 0
    with pytest.raises(ValueError, match="empty"):
        sparsity(np.array([]))


# ----------------------------------------------------------------------------
# best_single_kernel: could one convolution have made this map?
# ----------------------------------------------------------------------------
def _digit():
    from cnnlib import load_mnist

    return load_mnist("test")[0][0] / 255  # the handwritten 0 of notebook 04


def test_best_single_kernel_recovers_the_kernel_that_made_the_map():
    rng = np.random.default_rng(0)
    image = rng.normal(size=(12, 10))
    kernel = rng.normal(size=(3, 3))
    found, miss = best_single_kernel(image, conv2d(image, kernel), 3)
    # least squares on 80 equations in 9 unknowns that have an exact solution:
    # LAPACK's answer is exact up to rounding
    np.testing.assert_allclose(found, kernel, rtol=1e-10, atol=1e-12)
    assert miss < 1e-12


def test_two_convolutions_are_one_full_convolution_of_their_kernels():
    """Without an activation the best 5x5 kernel is scipy's full convolution of the two
    3x3 kernels (an independent reference), and it reproduces the map exactly."""
    digit = _digit()
    k1, k2 = kernels.sobel_x(), kernels.diagonal()
    found, miss = best_single_kernel(digit, conv2d(conv2d(digit, k1), k2), 5)
    np.testing.assert_allclose(found, scipy.signal.convolve2d(k1, k2), atol=1e-9)
    assert miss < 1e-12


def test_a_relu_between_two_convolutions_cannot_be_undone_by_one_kernel():
    """Notebook 04 prints 'off by 39%' (rounded to whole percent)."""
    digit = _digit()
    k1, k2 = kernels.sobel_x(), kernels.diagonal()
    _, miss = best_single_kernel(digit, conv2d(relu(conv2d(digit, k1)), k2), 5)
    assert round(miss, 2) == 0.39


@settings(max_examples=30, deadline=None)
@given(
    h=st.integers(3, 9),
    w=st.integers(3, 9),
    k=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_best_single_kernel_is_the_least_squares_optimum(h, w, k, seed):
    """Optimal: the misses are orthogonal to every patch direction (the normal equations),
    so no small change of any weight lowers them."""
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(h, w))
    target = rng.normal(size=(h - k + 1, w - k + 1))
    found, miss = best_single_kernel(image, target, k)
    assert found.shape == (k, k) and 0 <= miss <= 1 + 1e-12
    residual = conv2d(image, found) - target
    gradient = conv2d(image, residual)  # d(sum of squares)/d(weight) / 2, for each weight
    assert np.abs(gradient).max() <= 1e-8 * (1 + np.abs(image).sum() * np.abs(target).max())
    norm = np.linalg.norm(target)
    for _ in range(3):
        nudged = found + 1e-3 * rng.normal(size=(k, k))
        assert np.linalg.norm(conv2d(image, nudged) - target) / norm >= miss - 1e-12


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((np.ones((8, 8)), np.ones((6, 6)), 5), ValueError, r"target must have shape \(4, 4\)"),
        ((np.ones((8, 8)), np.ones((4, 4)), 9), ValueError, "kernel_size must be at most 8"),
        ((np.ones((8, 8)), np.ones((4, 4)), 5.0), TypeError, "write kernel_size=5"),
        ((np.ones((8, 8)), np.zeros((4, 4)), 5), ValueError, "target is all zeros"),
        ((np.ones((2, 8, 8)), np.ones((4, 4)), 5), ValueError, r"image must have shape \(H, W\)"),
        ((np.full((8, 8), np.nan), np.ones((4, 4)), 5), ValueError, "image contains 64 NaN"),
        ((np.ones((8, 8)), np.full((4, 4), np.inf), 5), ValueError, "target contains 16 NaN"),
    ],
)
def test_best_single_kernel_refuses_bad_input_with_a_sentence(args, error, match):
    with pytest.raises(error, match=match):
        best_single_kernel(*args)
