"""Data augmentation: new training examples from old ones.

A digit moved two pixels to the left is still the same digit. Showing the
network randomly shifted copies of its training images, a fresh shift every
epoch, teaches it exactly that, and makes it much harder for it to memorise
the few examples it has: a cure for overfitting.

Use it in training as ``fit(..., augment=RandomShift(2))``; every mini-batch
is then shifted just before the network sees it (validation data never is).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlib import _validate as v

__all__ = ["random_shift", "RandomShift"]


def random_shift(images, max_shift: int = 2, rng=None, seed=None) -> np.ndarray:
    """Move every image by a random whole number of pixels, filling with zeros.

    Each image gets its own shift, up to ``max_shift`` pixels up or down and
    up to ``max_shift`` left or right (all ``(2*max_shift + 1)**2`` shifts are
    equally likely, including none).

    Parameters
    ----------
    images : array, shape (N, C, H, W)
    max_shift : int
        Largest shift in pixels, along each axis; less than the image's
        height and width (a larger shift could push a whole digit out).
    rng : numpy.random.Generator, optional
        Where the shifts come from (``fit`` passes its own).
    seed : int, optional
        Used when no ``rng`` is given.

    Returns
    -------
    array, shape (N, C, H, W), same dtype
        The shifted images (a new array).
    """
    x = v.finite_float_array(images, "images")
    if x.ndim != 4:
        raise ValueError(
            f"images must have shape (N, C, H, W), but have shape {tuple(x.shape)}; "
            "for (N, H, W) digits use images[:, None]"
        )
    n, _, h, w = x.shape
    s = v.as_int(max_shift, "max_shift", minimum=0)
    if s >= min(h, w) > 0:
        raise ValueError(
            f"max_shift={s} would let a shift push the whole {h}x{w} picture out of its frame; "
            f"use max_shift<={min(h, w) - 1} (1 or 2 pixels suit 28x28 digits)"
        )
    if rng is None:
        seed = 0 if seed is None else v.as_int(seed, "seed", minimum=0)
        rng = np.random.default_rng(seed)
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, e.g. np.random.default_rng(0), but is "
            f"{rng!r}; or leave it out and pass seed=0"
        )
    if s == 0:
        return x.copy()
    padded = np.pad(x, ((0, 0), (0, 0), (s, s), (s, s)))
    # every (H, W) crop of the padded images: view (N, C, 2s+1, 2s+1, H, W), no copy
    crops = sliding_window_view(padded, (h, w), axis=(2, 3))
    dy = rng.integers(0, 2 * s + 1, size=n)
    dx = rng.integers(0, 2 * s + 1, size=n)
    # crop (dy, dx) of image i: its content moves by (s - dy, s - dx) pixels
    return crops[np.arange(n), :, dy, dx]


class RandomShift:
    """``augment`` callable for :func:`cnnlib.fit`: ``RandomShift(2)(xb, rng)``.

    Parameters
    ----------
    max_shift : int
        Largest shift in pixels along each axis (2 suits 28x28 digits).
    """

    def __init__(self, max_shift: int = 2):
        self.max_shift = v.as_int(max_shift, "max_shift", minimum=0)

    def __call__(self, images, rng):
        return random_shift(images, self.max_shift, rng=rng)

    def __repr__(self):
        return f"RandomShift(max_shift={self.max_shift})"
