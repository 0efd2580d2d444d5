"""What the notebook-01 explorers share.

* the course's digits and photo, loaded once per session, and the checks on
  digits a caller passes instead;
* screen-sized copies of big images, drawn with the extent of the real image
  so that every coordinate stays a real pixel index;
* small drawing habits: the orange mark, axes without ticks, controls with
  their whole labels, thousands separators.

Used by :mod:`cnnlib.explorers.pixels`, :mod:`cnnlib.explorers.image_edits`
and :mod:`cnnlib.explorers.shift`. As in :mod:`cnnlib.explorers._panels`, the
names those modules import have no leading underscore (the module itself is
private); helpers used only here keep theirs.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from cnnlib import images as img

__all__ = [
    "MARK",
    "bare",
    "check_digits",
    "course_photo",
    "fit_image",
    "full_labels",
    "photo_and_gray",
    "pixel_extent",
    "screen_copy",
    "thousands",
]

#: Colour of the outlines that mark a window or a pixel: orange reads on black,
#: on white and on the photo's skin tones, and is distinct for colour-blind eyes.
MARK = "#f28e2b"
DIGITS_SHOWN = 100  # the first 100 training digits are plenty to browse


# ----------------------------------------------------------------------------
# data: the course's digits and photo, loaded once per session
# ----------------------------------------------------------------------------
_CACHE: dict[str, object] = {}


def _digits():
    """The first :data:`DIGITS_SHOWN` MNIST training digits and their labels."""
    if "digits" not in _CACHE:
        from cnnlib.datasets import load_mnist

        images, labels = load_mnist("train")
        _CACHE["digits"] = (images[:DIGITS_SHOWN], labels[:DIGITS_SHOWN])
    return _CACHE["digits"]


def course_photo():
    """The course's colour photo, (600, 512, 3) uint8."""
    if "photo" not in _CACHE:
        from cnnlib.datasets import load_photo

        _CACHE["photo"] = load_photo()
    return _CACHE["photo"]


def photo_and_gray(photo):
    """The given photo (or the course's) and its grayscale version."""
    photo = course_photo() if photo is None else np.asarray(photo)
    return photo, img.to_grayscale(photo) if photo.ndim == 3 else photo


def check_digits(digits, labels):
    """The course's digits and labels, or the given ones checked (labels -1: unknown)."""
    if digits is None:
        return _digits()
    digits = np.asarray(digits)
    if digits.ndim != 3 or len(digits) == 0:
        raise ValueError(f"digits must have shape (n, H, W) with n >= 1, but has {digits.shape}")
    if labels is None:
        labels = np.full(len(digits), -1)
    return digits, np.asarray(labels)


# ----------------------------------------------------------------------------
# drawing and control habits
# ----------------------------------------------------------------------------
def thousands(count: int) -> str:
    """1234567 -> '1,234,567'."""
    return f"{count:,}"


def bare(ax):
    """No ticks on ``ax``."""
    ax.set_xticks([])
    ax.set_yticks([])


def full_labels(controls):
    """Show every control's full label ("brightness +", "left col", ...)."""
    for control in controls.values():
        if hasattr(control, "description") and not isinstance(control, widgets.Checkbox):
            control.style.description_width = "initial"


# ----------------------------------------------------------------------------
# helpers for big photos: draw a screen-sized copy, keep the real coordinates
# ----------------------------------------------------------------------------
SCREEN_PIXELS = 320  # a panel is at most ~320 screen pixels: more detail is never seen


def screen_copy(image, limit=SCREEN_PIXELS):
    """A copy of ``image`` small enough to draw fast, shrunk by a whole factor.

    A 600 x 512 photo in a 300-pixel-wide panel is shrunk by the drawing
    anyway; averaging 2 x 2 blocks first gives the same picture at a quarter
    of the drawing cost. Returns ``(copy, factor)``.
    """
    factor = max(1, int(np.ceil(max(image.shape[:2]) / limit)))
    return (img.downsample(image, factor) if factor > 1 else image), factor


def pixel_extent(h, w):
    """imshow extent that puts pixel (i, j) at x=j, y=i for an h x w image."""
    return (-0.5, w - 0.5, h - 0.5, -0.5)


def fit_image(ax, h, w):
    """Show the pixels of an h x w image in ``ax`` and give the axes its shape now.

    matplotlib fits an axes with a fixed aspect to its picture's shape only when
    the figure is drawn. A blitting explorer may paste a background drawn earlier
    for this image and draw only its moving artists (a frame, a marker, a
    title): :meth:`~matplotlib.axes.Axes.apply_aspect` puts the axes where that
    background has the picture, so they land on it (and the picture itself is
    not stretched to the previous image's shape).
    """
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.apply_aspect()
