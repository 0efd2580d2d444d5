"""Slopes of the activation functions (cnnlib.activations) against centred
differences and known values, and the sparsity measure."""

import numpy as np
import pytest

from cnnlib import leaky_relu, relu, sigmoid, tanh
from cnnlib.activations import (
    ACTIVATIONS,
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
