"""Moving between the two ways of storing a colour image.

Files and matplotlib store a colour image channels-last, ``(H, W, C)``: for
every pixel, its red, green and blue values side by side. Networks (and
PyTorch) want channels-first, ``(C, H, W)``: one whole grayscale image per
channel. These two functions are the only place the course converts.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v

__all__ = ["to_channels_first", "to_channels_last"]


def to_channels_first(image):
    """(H, W, C) -> (C, H, W), or a batch (N, H, W, C) -> (N, C, H, W).

    Returns a view (no copy); the dtype is unchanged.
    """
    image = np.asarray(image)
    v.check_ndim(image, (3, 4), "image", "(H, W, C) or (N, H, W, C)")
    return np.moveaxis(image, -1, -3)


def to_channels_last(image):
    """(C, H, W) -> (H, W, C), or a batch (N, C, H, W) -> (N, H, W, C).

    Use it before ``plt.imshow`` on a network's colour input.
    """
    image = np.asarray(image)
    v.check_ndim(image, (3, 4), "image", "(C, H, W) or (N, C, H, W)")
    return np.moveaxis(image, -3, -1)
