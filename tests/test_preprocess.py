import numpy as np
import pytest
from scipy import ndimage

from cnnlib import load_mnist, mnist_style


def _box(img):
    rows = np.flatnonzero(img.any(axis=1))
    cols = np.flatnonzero(img.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_a_small_stroke_in_a_corner_lands_centred_and_20_pixels_tall():
    canvas = np.zeros((280, 280))
    canvas[20:90, 30:40] = 1.0  # a short vertical bar ("1") near the top-left
    digit = mnist_style(canvas)
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    assert digit.max() == 255
    h, w = _box(digit > 0)
    assert h == 20 or h == 21  # the long side fills the 20-pixel box (+1 for the soft edge)
    assert w < 8  # the aspect ratio is kept: a bar stays thin
    cy, cx = ndimage.center_of_mass(digit.astype(float))
    assert abs(cy - 13.5) <= 0.5 and abs(cx - 13.5) <= 0.5


def test_wide_shapes_scale_by_their_long_side():
    canvas = np.zeros((100, 300))
    canvas[40:50, 20:280] = 255  # a horizontal stroke
    h, w = _box(mnist_style(canvas) > 0)
    assert w in (20, 21) and h <= 3


def test_position_and_scale_of_the_drawing_do_not_matter():
    small = np.zeros((100, 100))
    small[10:30, 60:64] = 1
    small[10:13, 55:70] = 1
    big = np.zeros((400, 400))
    big[200:280, 40:56] = 1
    big[200:212, 20:80] = 1
    a, b = mnist_style(small).astype(float), mnist_style(big).astype(float)
    assert np.abs(a - b).mean() < 20  # nearly the same 28x28 picture


def test_real_digits_are_almost_unchanged():
    """An MNIST digit is already in MNIST style: preparing it again barely moves it."""
    images, _ = load_mnist("test")
    diffs = [np.abs(mnist_style(img).astype(float) - img).mean() for img in images[:20]]
    assert np.median(diffs) < 25


def test_empty_drawing_gives_a_blank_image():
    assert not mnist_style(np.zeros((50, 50))).any()


def test_bad_input():
    with pytest.raises(ValueError, match=r"drawing must have shape \(H, W\)"):
        mnist_style(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="threshold must be between 0 and 1"):
        mnist_style(np.ones((5, 5)), threshold=2)
