"""Make a drawing or a photo look like an MNIST digit before showing it to a network.

A network trained on MNIST has only ever seen digits prepared in one way:
the digit's bounding box was scaled (keeping its shape) to fit a 20x20 box,
then placed in a 28x28 image so that its centre of mass sits in the middle.
A digit drawn with the mouse on a large canvas, small and off to one side,
looks nothing like that, so it is prepared the same way first
(:func:`mnist_style`).

A photo of a digit written on paper needs one step more (:func:`ink_from_photo`):
MNIST stores *ink* as high numbers on a black (0) background, while a photo
shows dark ink on light paper, lit more on one side than the other, with
grain. :func:`digit_from_photo` finds the ink and then prepares it exactly as
a drawing.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from cnnlib import _validate as v

__all__ = ["digit_from_photo", "ink_from_photo", "mnist_style"]

BOX = 20
SIZE = 28
#: A box of ink longer than this is first shrunk by averaging blocks of pixels,
#: one cheap pass, so that the blur and the interpolation work on a few hundred
#: pixels instead of millions (a 10000x10000 drawing takes a second, not minutes).
BIG = 512


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
        Any size; the ink's box is first averaged down to at most 512 pixels.
    threshold : float
        Fraction of the maximum below which a pixel counts as background
        when finding the bounding box, from 0 up to (not including) 1.

    Returns
    -------
    uint8 array, shape (28, 28)
        The digit with ink 0-255 like ``load_mnist``; all zeros for an empty
        drawing.
    """
    drawing = v.as_array(drawing, "drawing")  # kept in its own type until the box is cut
    v.check_ndim(drawing, (2,), "drawing", "(H, W)")
    v.check_finite(drawing, "drawing")
    threshold = v.as_number(
        threshold, "threshold", low=0, high=1, high_open=True, example=0.1, why="try 0.1"
    )
    out = np.zeros((SIZE, SIZE))
    peak = float(drawing.max()) if drawing.size else 0.0
    if peak <= 0:
        return out.astype(np.uint8)
    inked = drawing > threshold * peak
    rows = np.flatnonzero(inked.any(axis=1))
    cols = np.flatnonzero(inked.any(axis=0))
    box = _average_blocks(drawing[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]) / peak

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


def _average_blocks(box: np.ndarray) -> np.ndarray:
    """``box`` as float64, averaged over f x f blocks when it is longer than :data:`BIG`.

    The box is padded with background to whole blocks (less than one block per
    side), so no ink is lost and its aspect ratio is kept.
    """
    f = -(-max(box.shape) // BIG)  # the smallest factor that brings the box within BIG
    if f == 1:
        return box.astype(np.float64)
    h, w = (-(-n // f) * f for n in box.shape)
    padded = np.zeros((h, w), dtype=np.float64)
    padded[: box.shape[0], : box.shape[1]] = box
    return padded.reshape(h // f, f, w // f, f).mean(axis=(1, 3))


# ----------------------------------------------------------------------------
# photos of handwriting
# ----------------------------------------------------------------------------
WORK_SIDE = 200  #: a photo is examined with its longer side shrunk to at most this
MIN_CONTRAST = 0.12  #: ink must be at least 12% darker than the paper around it
#: Stroke width / digit size: MNIST digits' median is about 0.12. Thinner writing
#: (a fine pen photographed from afar) is thickened to THICK_ENOUGH.
THIN_STROKE, THICK_ENOUGH = 0.08, 0.12


def digit_from_photo(photo):
    """A photo of one handwritten digit -> the 28x28 picture a network trained on MNIST expects.

    The same as ``mnist_style(ink_from_photo(photo))``: find the ink, then
    scale and centre it exactly as a digit drawn on the pad.

    Parameters
    ----------
    photo : array, shape (H, W) or (H, W, 3)
        0-255, dark writing on light paper (or light on dark: see
        :func:`ink_from_photo`), e.g. ``read_image(data).pixels``.

    Returns
    -------
    uint8 array, shape (28, 28)
        Ink 0-255 like ``load_mnist``; all zeros when no writing was found.
    """
    return mnist_style(ink_from_photo(photo))


def ink_from_photo(photo, return_notes=False):
    """Where the writing is in a photo: 0 = paper, 1 = ink, whatever the lighting.

    1. **gray and small**: colours are mixed to gray and the photo shrunk
       (by averaging blocks) to at most :data:`WORK_SIDE` pixels a side;
    2. **dark or light writing**: the paper is what reaches the photo's
       edges. If, with the lighting evened out, the edges are nearer the
       dark end of the values than the bright end, the writing is light on
       dark (chalk, or an MNIST digit saved as it is) and is inverted;
    3. **the paper's own brightness** everywhere, shadows included: a
       maximum filter wider than any pen stroke replaces the writing by the
       paper around it, a minimum filter of the same size undoes the
       widening (a "closing"), and a blur smooths the result;
    4. **darkness compared with the paper**: ``ink = 1 - gray / paper``,
       about 0 on paper in light or in shadow, about 0.7 on a pen stroke;
    5. **paper or ink**: Otsu's method picks the level that best splits the
       values into two groups (grain on one side, strokes on the other);
       strokes are stretched so their typical darkness becomes 1;
    6. **specks and edges**: pieces of ink much smaller than the largest,
       and pieces touching the photo's edge (the table, a shadow, a finger)
       other than the largest, are removed;
    7. **thin strokes**: writing much thinner than MNIST's (a fine pen) is
       thickened to about MNIST's stroke width.

    Parameters
    ----------
    photo : array, shape (H, W) or (H, W, 3)
        A photo on the 0-255 scale.
    return_notes : bool
        Also return a list of remarks for a status line ("light writing on a
        dark background: inverted", "thin strokes thickened", ...).

    Returns
    -------
    float array, shape (h, w), values 0-1
        The ink, at the working size (``h, w <= WORK_SIDE``); all zeros when
        nothing stands out from the paper. With ``return_notes``, the pair
        ``(ink, notes)``.
    """
    from cnnlib.images import downsample, to_grayscale

    photo = np.asarray(photo)
    if photo.ndim == 3 and photo.shape[-1] in (3, 4):
        photo = to_grayscale(photo)
    gray = v.as_float_array(photo, "photo")
    v.check_ndim(gray, (2,), "photo", "(H, W) gray or (H, W, 3) colour")
    v.check_finite(gray, "photo")
    if min(gray.shape) < 8:
        raise ValueError(
            f"photo is only {gray.shape[0]} x {gray.shape[1]} pixels; a digit needs at least "
            "8 x 8 (28 x 28 or more is better)"
        )
    notes = []
    factor = int(np.ceil(max(gray.shape) / WORK_SIDE))
    if factor > 1:
        gray = downsample(gray, factor)

    side = max(gray.shape)
    width = max(9, side // 6) | 1  # wider than a pen stroke, narrower than the page
    if _light_writing(gray):
        gray = 255.0 - gray
        notes.append("light writing on a dark background: inverted")
    ink = _darker_than_paper(ndimage.gaussian_filter(gray, 1.0), width)  # a blur against grain

    empty = np.zeros_like(ink)
    if np.percentile(ink, 99.5) < MIN_CONTRAST:
        notes.append("nothing stands out from the paper")
        return (empty, notes) if return_notes else empty
    level = max(_otsu_level(ink), MIN_CONTRAST / 2)
    strokes = ink > level
    strong = np.percentile(ink[strokes], 75)
    soft = np.clip((ink - level / 2) / max(strong - level / 2, 1e-6), 0.0, 1.0)

    keep = _main_pieces(strokes, notes)
    near = ndimage.binary_dilation(keep, iterations=2)  # the soft edges around kept strokes
    digit = np.where(near, soft, 0.0)
    digit = _thick_enough(digit, keep, notes)
    return (digit, notes) if return_notes else digit


def _darker_than_paper(gray, width):
    """How much darker than the paper around it each pixel is (0-1; steps 2-3)."""
    paper = ndimage.grey_closing(gray, size=(width, width))
    paper = ndimage.uniform_filter(paper, size=width)
    return np.clip(1.0 - gray / np.maximum(paper, 1.0), 0.0, 1.0)


def _light_writing(gray):
    """True if the writing is lighter than the paper (step 2).

    The paper is what reaches the photo's edges. With the lighting evened out
    (each pixel divided by a heavy blur of the photo), the paper along the
    edges sits near the bright end of the values for dark writing and near
    the dark end for light writing.
    """
    flat = gray / np.maximum(ndimage.gaussian_filter(gray, sigma=max(gray.shape) / 8), 1.0)
    edges = np.median(np.concatenate([flat[0], flat[-1], flat[1:-1, 0], flat[1:-1, -1]]))
    darkest, brightest = np.percentile(flat, [0.5, 99.5])
    return bool(edges - darkest < brightest - edges)


def _otsu_level(values, bins=128):
    """The value that splits ``values`` into two groups as distinct as possible.

    Otsu's method: for every candidate level, weigh how far apart the means
    of the two groups are by how many values each holds (the between-group
    variance) and take the level where that is largest.
    """
    counts, edges = np.histogram(values, bins=bins, range=(0.0, float(values.max()) + 1e-9))
    centres = (edges[:-1] + edges[1:]) / 2
    below = np.cumsum(counts)  # how many values at or below each bin
    above = below[-1] - below
    sum_below = np.cumsum(counts * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_below = sum_below / below
        mean_above = (sum_below[-1] - sum_below) / above
        between = below * above * (mean_below - mean_above) ** 2
    return float(edges[1:][np.nanargmax(between)])


def _main_pieces(strokes, notes):
    """The connected pieces of ink that make the digit (see ink_from_photo, step 6).

    The digit is the largest piece that does not touch the photo's edge (the
    largest of all if every piece does: a digit cut off by the frame); pieces
    touching the edge are dropped, and so are pieces under 1/15 of its size.
    """
    labels, count = ndimage.label(strokes, structure=np.ones((3, 3)))
    if count <= 1:
        return strokes
    sizes = np.bincount(labels.ravel(), minlength=count + 1).astype(float)
    sizes[0] = 0  # the paper
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    inside = sizes.copy()
    inside[edge] = 0
    main = int(np.argmax(inside)) if inside.max() > 0 else int(np.argmax(sizes))
    wanted = inside >= sizes[main] / 15
    wanted[main] = True
    dropped = count - int(wanted[1:].sum())
    if dropped:
        notes.append(f"specks and marks at the edge removed ({dropped} piece{'s' * (dropped > 1)})")
    return wanted[labels]


def _thick_enough(digit, strokes, notes):
    """Thicken strokes much thinner than MNIST's (see ink_from_photo, step 7)."""
    rows = np.flatnonzero(strokes.any(axis=1))
    cols = np.flatnonzero(strokes.any(axis=0))
    if rows.size == 0:
        return digit
    box = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    # a stroke w pixels wide has distances 1, 2, ... to the paper: their mean is about (w + 2) / 4
    width = 4 * ndimage.distance_transform_edt(strokes)[strokes].mean() - 2
    if width >= THIN_STROKE * box:
        return digit
    radius = int(np.ceil((THICK_ENOUGH * box - max(width, 1.0)) / 2))
    r = np.arange(-radius, radius + 1)
    disk = r[:, None] ** 2 + r[None, :] ** 2 <= radius**2
    notes.append(f"thin strokes ({width / box:.0%} of the digit's size) thickened")
    return ndimage.grey_dilation(digit, footprint=disk)
