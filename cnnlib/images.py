"""Images as arrays of numbers, and editing them with arithmetic.

A grayscale image is a 2-D array ``(H, W)``: one brightness per pixel, from
0 (black) to 255 (white). A colour image stores three numbers per pixel (red,
green, blue). Files and matplotlib keep those three side by side,
channels-last ``(H, W, C)``; networks (and PyTorch) want channels-first
``(C, H, W)``: one whole grayscale image per channel.
:func:`to_channels_first` and :func:`to_channels_last` are the only place the
course converts between the two.

The editing functions (:func:`to_grayscale`, :func:`negative`,
:func:`adjust_brightness`, :func:`adjust_contrast`, :func:`threshold`,
:func:`crop`, :func:`downsample`, :func:`shift`) work on the 0-255 scale and
accept ``(H, W)`` or ``(H, W, C)`` arrays. The arithmetic is done in float64
and clipped to 0-255, because small integer types wrap around:
``np.uint8(250) + 10`` is 4, not 260, and ``np.int8(100) + 100`` is -56.

One rule for every integer type (``uint8``, ``int8``, ``int64``, ``uint16``,
``bool``...): an integer image is a 0-255 image.

* The functions that compute new values (:func:`to_grayscale`,
  :func:`negative`, :func:`adjust_brightness`, :func:`adjust_contrast`,
  :func:`threshold`, :func:`downsample` with ``"mean"``) refuse an integer
  image with values outside 0-255 (an ``int8`` image that already wrapped
  around, a 16-bit image) and return ``uint8``, the type of 0-255 images,
  whatever integer type came in. Floating-point images stay floating-point.
* The functions that only move pixels (:func:`crop`, :func:`downsample`
  with ``"subsample"``, :func:`shift`) return the type they were given, and
  :func:`shift` refuses a ``fill`` that type cannot hold exactly.

NaN and infinity are refused, as everywhere in the library.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v

__all__ = [
    "GRAY_WEIGHTS",
    "adjust_brightness",
    "adjust_contrast",
    "crop",
    "downsample",
    "negative",
    "pixel_distance",
    "shift",
    "threshold",
    "to_channels_first",
    "to_channels_last",
    "to_grayscale",
]

#: How much red, green and blue count towards brightness (ITU-R BT.601, the
#: weights of classic TV and of most image libraries): the eye is most
#: sensitive to green and least to blue.
GRAY_WEIGHTS = (0.299, 0.587, 0.114)


# ----------------------------------------------------------------------------
# channels-last <-> channels-first
# ----------------------------------------------------------------------------
def to_channels_first(image):
    """(H, W, C) -> (C, H, W), or a batch (N, H, W, C) -> (N, C, H, W).

    Returns a view (no copy); the dtype is unchanged.
    """
    image = v.as_array(image, "image")
    v.check_ndim(image, (3, 4), "image", "(H, W, C) or (N, H, W, C)")
    v.check_finite(image, "image")
    return np.moveaxis(image, -1, -3)


def to_channels_last(image):
    """(C, H, W) -> (H, W, C), or a batch (N, C, H, W) -> (N, H, W, C).

    Use it before ``plt.imshow`` on a network's colour input.
    """
    image = v.as_array(image, "image")
    v.check_ndim(image, (3, 4), "image", "(C, H, W) or (N, C, H, W)")
    v.check_finite(image, "image")
    return np.moveaxis(image, -3, -1)


# ----------------------------------------------------------------------------
# helpers: check the input, and return the result in the input's type
# ----------------------------------------------------------------------------
def _as_image(image, name: str = "image") -> np.ndarray:
    """Check that ``image`` is a finite real-valued (H, W) or (H, W, C) array."""
    image = v.as_array(image, name)
    v.check_ndim(image, (2, 3), name, "(H, W) for grayscale or (H, W, C) for colour")
    v.check_finite(image, name)
    return image


def _check_0_255(image: np.ndarray, name: str = "image") -> np.ndarray:
    """An integer image must hold 0-255 values (see the module's docstring); return it."""
    if image.dtype.kind in "iu" and image.size:
        lo, hi = int(image.min()), int(image.max())
        if lo < 0 or hi > 255:
            if lo < 0:
                why = (
                    "negative numbers in an integer image usually come from arithmetic that "
                    "wrapped around (np.int8(100) + 100 is -56); start again from the uint8 "
                    f"image, or pass a float copy: {name}.astype(float)"
                )
            else:
                why = (
                    f"for a 16-bit image (0-65535) use ({name} / 257).astype(np.uint8), or pass "
                    f"a float copy: {name}.astype(float)"
                )
            raise ValueError(
                f"{name} is an integer image ({image.dtype}), which this function reads on the "
                f"0-255 scale, but it has values from {lo} to {hi}; {why}"
            )
    return image


def _like(result: np.ndarray, image: np.ndarray) -> np.ndarray:
    """Clip ``result`` to 0-255 and give it back in the type of ``image``.

    Integer images (``uint8``, ``int64``, ...) come back as ``uint8`` after
    rounding; floating-point images stay floating-point.
    """
    result = np.clip(result, 0, 255)
    if image.dtype.kind in "uib":
        return np.rint(result).astype(np.uint8)
    return result.astype(image.dtype, copy=False)


# ----------------------------------------------------------------------------
# colour -> gray, and pixel-wise arithmetic
# ----------------------------------------------------------------------------
def to_grayscale(image):
    """Mix red, green and blue into one brightness per pixel.

    Parameters
    ----------
    image : array, shape (H, W, 3) or (H, W, 4)
        A channels-last colour image on the 0-255 scale (a 4th alpha channel
        is ignored).

    Returns
    -------
    array, shape (H, W)
        ``0.299 R + 0.587 G + 0.114 B`` (see :data:`GRAY_WEIGHTS`), ``uint8``
        for an integer image.
    """
    image = _check_0_255(_as_image(image))
    if image.ndim != 3 or image.shape[-1] not in (3, 4):
        raise ValueError(
            f"to_grayscale needs a channels-last colour image (H, W, 3), but got shape "
            f"{image.shape}; "
            + (
                "it is already grayscale"
                if image.ndim == 2
                else "for channels-first (3, H, W) call to_channels_last(image) first"
            )
        )
    gray = image[..., :3].astype(np.float64) @ np.array(GRAY_WEIGHTS)
    return _like(gray, image)


def negative(image, max_value=255):
    """The photographic negative: ``max_value - x`` for every number.

    Black (0) becomes white (255) and white becomes black; a colour image
    gets each channel inverted. Use ``max_value=1`` for images scaled to 0-1.

    Parameters
    ----------
    image : array, shape (H, W) or (H, W, C)
    max_value : number
        The brightest possible value (255 for ``uint8``); at most 255 for an
        integer image.

    Returns
    -------
    array, same shape as ``image``
        A new array; ``image`` is not changed. ``uint8`` for any integer
        image (an ``int8`` result could not hold 255 - 0), the same float
        type for a float image.
    """
    image = _check_0_255(_as_image(image))
    top = v.as_number(max_value, "max_value", low=0, low_open=True, example=255)
    if image.dtype.kind in "uib" and top > 255:
        raise ValueError(
            f"max_value={max_value:g} is beyond the 0-255 scale of integer images; for other "
            "ranges pass a float copy, e.g. negative(image.astype(float), max_value=65535)"
        )
    if image.size and (float(image.max()) > top or float(image.min()) < 0):
        raise ValueError(
            f"negative() expects values from 0 to max_value={max_value:g}, but the image has "
            f"values from {image.min()} to {image.max()}; pass the image's real maximum, "
            "e.g. max_value=255 for 0-255 images or max_value=1 for 0-1 images"
        )
    result = top - image.astype(np.float64)
    if image.dtype.kind in "uib":
        return np.rint(result).astype(np.uint8)  # 0 <= result <= 255 here
    return result.astype(image.dtype)


def adjust_brightness(image, amount):
    """Add ``amount`` to every number (negative = darker), clipped to 0-255.

    Parameters
    ----------
    image : array, shape (H, W) or (H, W, C), values 0-255
    amount : number
        E.g. ``+60`` to brighten, ``-60`` to darken.

    Returns
    -------
    array, same shape; ``uint8`` for an integer image
        Values that would pass 255 stay at 255 (and below 0 stay at 0)
        instead of wrapping around as ``uint8`` arithmetic would.
    """
    image = _check_0_255(_as_image(image))
    amount = v.as_number(amount, "amount", example=60)
    return _like(image.astype(np.float64) + amount, image)


def adjust_contrast(image, factor, pivot=128.0):
    """Stretch (``factor > 1``) or squeeze (``factor < 1``) values around ``pivot``.

    Each value becomes ``pivot + factor * (x - pivot)``, clipped to 0-255: with
    ``factor=2`` dark pixels get darker and bright pixels brighter; with
    ``factor=0`` every pixel becomes ``pivot`` (flat gray).

    Parameters
    ----------
    image : array, shape (H, W) or (H, W, C), values 0-255
    factor : number >= 0
    pivot : number
        The value that stays where it is (middle gray by default).

    Returns
    -------
    array, same shape; ``uint8`` for an integer image
    """
    image = _check_0_255(_as_image(image))
    factor = v.as_number(
        factor,
        "factor",
        low=0,
        example=2,
        why="a negative factor would also invert the image (use negative() for that)",
    )
    pivot = v.as_number(pivot, "pivot", example=128)
    with np.errstate(over="ignore"):  # factor=1e308: +-inf, which the clipping turns to 0/255
        return _like(pivot + factor * (image.astype(np.float64) - pivot), image)


def threshold(image, level=128):
    """Black and white only: 255 where ``x >= level``, 0 elsewhere.

    Parameters
    ----------
    image : array, shape (H, W) or (H, W, C), values 0-255
    level : number
        The smallest value that becomes white.

    Returns
    -------
    array of uint8, same shape, values 0 and 255 only
    """
    image = _check_0_255(_as_image(image))
    level = v.as_number(level, "level", example=128)
    return np.where(image >= level, 255, 0).astype(np.uint8)


# ----------------------------------------------------------------------------
# geometry: cut, shrink, move
# ----------------------------------------------------------------------------
def crop(image, top, left, height, width):
    """The ``height x width`` window whose top-left pixel is at row ``top``, column ``left``.

    The same as ``image[top:top + height, left:left + width]``, but an error
    (instead of a silently smaller window) when the window leaves the image.

    Returns
    -------
    array, shape (height, width) or (height, width, C)
        A view into ``image`` (no copy): changing it changes ``image``.
    """
    image = _as_image(image)
    top, left = v.as_int(top, "top", 0), v.as_int(left, "left", 0)
    height, width = v.as_int(height, "height", 1), v.as_int(width, "width", 1)
    rows, cols = image.shape[:2]
    if top + height > rows or left + width > cols:
        raise ValueError(
            f"a {height}x{width} window at row {top}, column {left} does not fit in a "
            f"{rows}x{cols} image (it would need rows up to {top + height - 1} and columns up "
            f"to {left + width - 1}); use top <= {max(rows - height, 0)} and "
            f"left <= {max(cols - width, 0)}, or a smaller window"
        )
    return image[top : top + height, left : left + width]


DOWNSAMPLE_METHODS = ("mean", "subsample")


def downsample(image, factor, method="mean"):
    """Shrink an image ``factor`` times in each direction.

    Parameters
    ----------
    image : array, shape (H, W) or (H, W, C)
    factor : int >= 1
        Each ``factor x factor`` block of pixels becomes one pixel.
    method : {"mean", "subsample"}
        ``"mean"``: the block's average (smooth, what photo software does);
        ``"subsample"``: keep only the block's top-left pixel and drop the rest
        (faster, but thin lines can vanish and patterns can alias).

    Returns
    -------
    array, shape (H // factor, W // factor) or (H // factor, W // factor, C)
        Leftover rows and columns that do not fill a whole block are dropped.
        ``uint8`` for an integer image.
    """
    image = _as_image(image)
    factor = v.as_int(factor, "factor", 1)
    if method not in DOWNSAMPLE_METHODS:
        raise ValueError(
            f"method={method!r} is not known; use one of {', '.join(map(repr, DOWNSAMPLE_METHODS))}"
        )
    rows, cols = image.shape[0] // factor, image.shape[1] // factor
    if rows == 0 or cols == 0:
        raise ValueError(
            f"factor {factor} is larger than the {image.shape[0]}x{image.shape[1]} image, "
            f"so not one {factor}x{factor} block fits; use factor <= {min(image.shape[:2])}"
        )
    trimmed = image[: rows * factor, : cols * factor]
    if method == "subsample":
        return trimmed[::factor, ::factor].copy()
    _check_0_255(image)
    blocks = trimmed.reshape(rows, factor, cols, factor, *image.shape[2:])
    return _like(blocks.mean(axis=(1, 3)), image)


def shift(image, down=0, right=0, fill=0):
    """Move the picture ``down`` rows and ``right`` columns inside its frame.

    Negative values move up / left. Pixels pushed over the edge are lost; the
    uncovered strip is filled with ``fill`` (unlike ``np.roll``, nothing wraps
    around to the other side). ``fill`` must be a value the image's type
    holds exactly: a whole number from 0 to 255 for ``uint8``.

    Returns
    -------
    array, same shape and dtype as ``image``
    """
    image = _as_image(image)
    for name, value in (("down", down), ("right", right)):
        if not v._is_int(value):
            raise TypeError(
                f"{name} must be a whole number of pixels (an int), but is {value!r}; e.g. {name}=2"
            )
    out = np.full_like(image, _fill_value(fill, image.dtype))
    rows, cols = image.shape[:2]
    if abs(down) >= rows or abs(right) >= cols:
        return out
    src_r = slice(max(-down, 0), rows - max(down, 0))
    dst_r = slice(max(down, 0), rows - max(-down, 0))
    src_c = slice(max(-right, 0), cols - max(right, 0))
    dst_c = slice(max(right, 0), cols - max(-right, 0))
    out[dst_r, dst_c] = image[src_r, src_c]
    return out


def _fill_value(fill, dtype: np.dtype):
    """``fill`` as a number ``dtype`` holds exactly; an error for 0.5 or 300 in uint8."""
    value = v.as_number(fill, "fill", example=0)
    if dtype.kind in "iub":
        lo, hi = (0, 1) if dtype.kind == "b" else (int(np.iinfo(dtype).min), np.iinfo(dtype).max)
        if not (value.is_integer() and lo <= value <= hi):
            raise ValueError(
                f"fill={fill!r} cannot be stored in a {dtype} image, which holds whole numbers "
                f"from {lo} to {hi}; use a whole number in that range (0 is black), or shift a "
                f"float copy: shift(image.astype(float), ..., fill={fill!r})"
            )
        return int(value)
    return value


# ----------------------------------------------------------------------------
# comparing images as arrays
# ----------------------------------------------------------------------------
def pixel_distance(a, b) -> float:
    """How far apart two images are as arrays of numbers, with values scaled to 0-1.

    The square root of the sum of the squared differences over all pixels
    (the Euclidean distance between the two arrays seen as long lists of
    numbers): 0 for identical images, larger the more pixels differ and the
    more they differ. Two handwritten 28 x 28 digits are typically 5 to 12
    apart.

    Parameters
    ----------
    a, b : arrays of the same shape, values 0-255

    Returns
    -------
    float
    """
    a, b = _as_image(a, "a"), _as_image(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"the images must have the same shape to be compared pixel by pixel, but have "
            f"shapes {a.shape} and {b.shape}; crop or downsample one of them first"
        )
    diff = (a.astype(np.float64) - b.astype(np.float64)) / 255.0
    return float(np.sqrt(np.sum(diff * diff)))
