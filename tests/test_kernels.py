"""The named kernels: hand-checked values, and extreme settings that stay finite."""

import numpy as np
import pytest

from cnnlib import conv2d, kernels


def test_blurs_sum_to_one_and_the_identity_copies():
    for k in (kernels.box_blur(3), kernels.gaussian_blur(5, 1.0), kernels.gaussian_blur(3, 0.85)):
        assert k.sum() == pytest.approx(1.0)
    image = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(conv2d(image, kernels.identity(3), padding=1), image)


def test_gaussian_blur_by_hand():
    g = kernels.gaussian_blur(3, sigma=1.0)
    e = np.exp(-0.5)  # one cell away: exp(-1 / (2 sigma**2))
    raw = np.array([[e * e, e, e * e], [e, 1.0, e], [e * e, e, e * e]])
    np.testing.assert_allclose(g, raw / raw.sum(), rtol=1e-14)


@pytest.mark.parametrize("sigma", [1e-300, 1e-9, 1e300, 1e308])
def test_gaussian_blur_extreme_sigmas_stay_finite(sigma):
    """A tiny sigma keeps only the centre (the identity), a huge one is a box blur;
    sigma=1e308 used to overflow (sigma**2) and stop with an OverflowError."""
    g = kernels.gaussian_blur(3, sigma)
    expected = kernels.identity(3) if sigma < 1 else kernels.box_blur(3)
    np.testing.assert_allclose(g, expected, atol=1e-12)


@pytest.mark.parametrize("angle", [0, 30, 90, 135, 200, -45, 1e6])
@pytest.mark.parametrize("size", [3, 5, 7])
def test_oriented_edges_are_finite_balanced_and_scaled(angle, size):
    k = kernels.oriented_edge(angle, size=size)
    assert np.isfinite(k).all()
    assert abs(k.sum()) < 1e-12  # flat areas give 0
    assert np.abs(k).sum() == pytest.approx(4.0)


def test_oriented_edge_at_0_degrees_finds_vertical_edges():
    k = kernels.oriented_edge(0, size=3)
    assert (k[:, 2] > 0).all() and (k[:, 0] < 0).all()  # brighter to the right: positive


@pytest.mark.parametrize("sigma", [0.2, 0.05])
def test_oriented_edge_with_a_small_sigma_keeps_the_nearest_neighbours(sigma):
    """A small sigma is still a usable edge kernel (before the fix, once the bell
    underflowed, the kernel came out as all NaN)."""
    k = kernels.oriented_edge(0, size=5, sigma=sigma)
    assert np.isfinite(k).all()
    assert k[2, 3] > 0 > k[2, 1]
