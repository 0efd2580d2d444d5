"""The numerical gradient checker: it agrees with known gradients and catches wrong ones."""

import numpy as np
import pytest

from cnnlib.gradcheck import GradientCheck, check_gradients, numerical_gradient, relative_error
from cnnlib.layers import Dense, Dropout, Layer, ReLU
from cnnlib.model import Sequential


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda z: (z**2).sum(), x), 2 * x, rtol=1e-8)
    a = np.array([[2.0, 1.0], [-1.0, 4.0]])
    np.testing.assert_allclose(
        numerical_gradient(lambda z: (a * np.sin(z)).sum(), x), a * np.cos(x), rtol=1e-7
    )
    # the input is restored exactly
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])


def test_numerical_gradient_only_checks_the_requested_elements():
    x = np.arange(6.0)
    grad = numerical_gradient(lambda z: (z**3).sum(), x, indices=[1, 4])
    np.testing.assert_allclose(grad, [0, 3, 0, 0, 48, 0], atol=1e-6)


def test_numerical_gradient_refuses_arrays_it_cannot_nudge():
    with pytest.raises(ValueError, match="contiguous"):
        numerical_gradient(lambda z: z.sum(), np.ones((3, 4))[:, ::2])


def test_relative_error_is_scale_free_and_zero_for_equal_arrays():
    a = np.array([1.0, 2.0, 3.0])
    assert relative_error(a, a) == 0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0
    err = relative_error(a, a * (1 + 1e-6))
    assert err == pytest.approx(relative_error(1e-9 * a, 1e-9 * a * (1 + 1e-6)), rel=1e-6)
    assert 4e-7 < err < 6e-7
    assert relative_error(a, -a) == 1


class _WrongReLU(Layer):
    """ReLU whose backward forgets the mask: the checker must notice."""

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, grad_out):
        return grad_out


def test_check_gradients_catches_a_wrong_backward():
    x = np.random.default_rng(0).standard_normal((3, 5))
    good, bad = check_gradients(ReLU(), x), check_gradients(_WrongReLU(), x)
    assert good.passed and good["x"]["relative_error"] < 1e-9
    assert not bad.passed and bad["x"]["relative_error"] > 0.1
    assert "WRONG" in str(bad) and "ok" in str(good)


def test_check_gradients_leaves_the_layer_alone():
    layer = Dense(4, 3, seed=1)
    before = {k: p.copy() for k, p in layer.params.items()}
    result = check_gradients(layer, np.ones((2, 4)))
    assert isinstance(result, GradientCheck) and result.passed
    assert [r["name"] for r in result.rows] == ["x", "weight", "bias"]
    for k, p in layer.params.items():
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p, before[k])


def test_check_gradients_with_labels_and_sampling():
    model = Sequential(Dense(6, 5), ReLU(), Dropout(0.3), Dense(5, 3), seed=4)
    x = np.random.default_rng(1).standard_normal((4, 6))
    result = check_gradients(model, x, np.array([0, 2, 1, 2]), samples=7)
    assert result.passed, result
    assert result["0.weight"]["checked"] == 7 and result["0.weight"]["size"] == 30
    assert result["3.bias"]["checked"] == 3  # fewer elements than samples: all of them
    assert "Sequential of 4 layers" in str(result)
    with pytest.raises(KeyError, match="checked"):
        result["9.weight"]


def test_numerical_gradient_by_hand_and_int_arrays_refused():
    """On int64 [3, 5] the nudges used to be truncated away: the 'gradient' of
    sum(x**2) came out as [2.5e6, 4.5e6] instead of [6, 10]."""

    def f(z):
        return float((z**2).sum())

    np.testing.assert_allclose(numerical_gradient(f, np.array([3.0, 5.0])), [6.0, 10.0])
    with pytest.raises(TypeError, match="x must be a float64 array, but has dtype int64"):
        numerical_gradient(f, np.array([3, 5]))


def test_numerical_gradient_checks_only_the_indices_asked_for():
    x = np.array([1.0, 2.0, 3.0])
    grad = numerical_gradient(lambda z: float((z**2).sum()), x, indices=[2])
    np.testing.assert_allclose(grad, [0.0, 0.0, 6.0])
    with pytest.raises(ValueError, match="indices must be flat positions from 0 to 2"):
        numerical_gradient(lambda z: 0.0, x, indices=[3])


def test_relative_error_of_huge_values_does_not_overflow():
    """The norms of 1e200-sized vectors overflow to inf; inf / inf was NaN."""
    a, b = np.array([1e200, 0.0]), np.array([1e200, 1e190])
    assert relative_error(a, b) == pytest.approx(relative_error(a / 1e190, b / 1e190))
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
