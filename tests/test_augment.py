"""Random shifts: every image moves by a whole number of pixels within the limit."""

import numpy as np
import pytest

from cnnlib.augment import RandomShift, random_shift


def find_shift(original, shifted, s):
    """The (dy, dx) with shifted == original moved by (dy, dx), zeros coming in."""
    h, w = original.shape
    padded = np.pad(original, s)
    for dy in range(-s, s + 1):
        for dx in range(-s, s + 1):
            if np.array_equal(padded[s - dy : s - dy + h, s - dx : s - dx + w], shifted):
                return dy, dx
    return None


def test_every_image_is_shifted_within_the_limit():
    rng = np.random.default_rng(0)
    images = rng.random((300, 1, 6, 5)) + 1  # no zeros, so every shift is recognisable
    out = random_shift(images, 2, rng=np.random.default_rng(1))
    assert out.shape == images.shape and out.dtype == images.dtype
    shifts = [find_shift(images[i, 0], out[i, 0], 2) for i in range(len(images))]
    assert None not in shifts
    assert set(shifts) == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}  # all 25 occur


def test_channels_move_together_and_input_is_untouched():
    images = np.random.default_rng(2).random((20, 3, 5, 5)).astype(np.float32) + 1
    copy = images.copy()
    out = RandomShift(1)(images, np.random.default_rng(3))
    np.testing.assert_array_equal(images, copy)
    for i in range(20):
        moves = {find_shift(images[i, c], out[i, c], 1) for c in range(3)}
        assert len(moves) == 1 and None not in moves


def test_seeded_and_zero_shift():
    x = np.random.default_rng(4).random((10, 1, 7, 7))
    np.testing.assert_array_equal(random_shift(x, 2, seed=5), random_shift(x, 2, seed=5))
    np.testing.assert_array_equal(random_shift(x, 0), x)
    assert repr(RandomShift(2)) == "RandomShift(max_shift=2)"


def test_errors():
    with pytest.raises(ValueError, match=r"images\[:, None\]"):
        random_shift(np.zeros((4, 28, 28)), 2)
    with pytest.raises(ValueError, match="max_shift"):
        RandomShift(-1)
