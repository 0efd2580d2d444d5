"""Make a drawing look like an MNIST digit before showing it to a network.

A network trained on MNIST has only ever seen digits prepared in one way:
the digit's bounding box was scaled (keeping its shape) to fit a 20x20 box,
then placed in a 28x28 image so that its centre of mass sits in the middle.
A digit drawn with the mouse on a large canvas, small and off to one side,
looks nothing like that, so it is prepared the same way first.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from cnnlib import _validate as v

__all__ = ["mnist_style"]

BOX = 20
SIZE = 28


def mnist_style(drawing, threshold=0.1):
    """Scale and centre a drawing the way MNIST digits were prepared.

    1. find the bounding box of the ink (pixels above ``threshold`` times the
       darkest stroke);
    2. scale the box, keeping its aspect ratio, so its longer side is 20 pixels
       (blurring before shrinking and smooth interpolation give the soft, grey
       stroke edges MNIST has);
    3. put it in a 28x28 image with its centre of mass at the centre.

    Parameters
    ----------
    drawing : array, shape (H, W)
        Ink as high values (any range, e.g. 0-1 or 0-255), background 0.
    threshold : float
        Fraction of the maximum below which a pixel counts as background
        when finding the bounding box.

    Returns
    -------
    uint8 array, shape (28, 28)
        The digit with ink 0-255 like ``load_mnist``; all zeros for an empty
        drawing.
    """
    drawing = v.as_float_array(drawing, "drawing")
    v.check_ndim(drawing, (2,), "drawing", "(H, W)")
    v.check_finite(drawing, "drawing")
    if not 0 <= threshold < 1:
        raise ValueError(f"threshold must be between 0 and 1, but is {threshold!r}; try 0.1")
    out = np.zeros((SIZE, SIZE))
    peak = drawing.max()
    if peak <= 0:
        return out.astype(np.uint8)
    ink = drawing / peak
    rows = np.flatnonzero((ink > threshold).any(axis=1))
    cols = np.flatnonzero((ink > threshold).any(axis=0))
    box = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]

    scale = BOX / max(box.shape)
    if scale < 1:  # blur first, so shrinking averages the strokes instead of sampling them
        box = ndimage.gaussian_filter(box, sigma=(1 / scale - 1) / 2)
    small = np.clip(ndimage.zoom(box, scale, order=1, grid_mode=True, mode="grid-constant"), 0, 1)
    small = small[:BOX, :BOX]
    h, w = small.shape
    top, left = (SIZE - h) // 2, (SIZE - w) // 2
    out[top : top + h, left : left + w] = small

    # move the centre of mass to the middle, by whole pixels as MNIST did
    cy, cx = ndimage.center_of_mass(out)
    dy, dx = int(round((SIZE - 1) / 2 - cy)), int(round((SIZE - 1) / 2 - cx))
    out = ndimage.shift(out, (dy, dx), order=0, mode="constant")
    return np.round(out * 255).astype(np.uint8)
