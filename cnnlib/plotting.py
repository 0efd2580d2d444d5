"""Drawing helpers with one look for the whole course (matplotlib only).

Every function draws on axes it is given and returns the artists it made, so
that explorers can build a figure once and later update those artists in place.

Colour conventions
------------------
* images (pixel brightness): ``gray``, black = 0, white = 255 (or the max);
* signed values (kernels, feature maps that can be negative): ``RdBu_r``, a
  diverging map from ColorBrewer that stays readable for colour-blind viewers,
  always centred on zero (white = 0, red = positive, blue = negative);
* MNIST digits are stored with ink as *high* values: shown with ``gray_r`` they
  look like ink on paper, with ``gray`` like chalk on a blackboard.
"""

from __future__ import annotations

import numpy as np

IMAGE_CMAP = "gray"
SIGNED_CMAP = "RdBu_r"
INK_CMAP = "gray_r"

_STYLE = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "image.interpolation": "nearest",
}

__all__ = [
    "IMAGE_CMAP",
    "SIGNED_CMAP",
    "INK_CMAP",
    "apply_style",
    "signed_limit",
    "show_image",
    "show_signed",
    "value_labels",
    "set_value_labels",
    "contrast_colors",
    "pixel_grid",
]


def apply_style():
    """Set the course's matplotlib defaults (larger fonts, no smoothing of pixels)."""
    import matplotlib as mpl

    mpl.rcParams.update(_STYLE)


def _bare(ax, title):
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)


def signed_limit(data) -> float:
    """Half-width of a colour scale centred on zero that fits ``data`` (never 0)."""
    data = np.asarray(data, dtype=float)
    m = float(np.max(np.abs(data))) if data.size else 0.0
    return m if m > 0 and np.isfinite(m) else 1.0


def show_image(ax, image, title=None, vmin=0, vmax=255, cmap=IMAGE_CMAP, colorbar=False):
    """Show a grayscale (H, W) or colour (H, W, 3) image with fixed limits.

    Returns the ``AxesImage``; call ``.set_data`` on it to change the picture.
    """
    im = ax.imshow(np.asarray(image), cmap=cmap, vmin=vmin, vmax=vmax)
    _bare(ax, title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
    return im


def show_signed(ax, data, title=None, limit=None, colorbar=True):
    """Show a signed array with a diverging colour map centred on zero.

    ``limit`` fixes the scale to ``[-limit, limit]`` (default: fits the data).
    Returns ``(AxesImage, Colorbar or None)``; after ``set_data`` call
    ``im.set_clim(-l, l)`` with ``l = signed_limit(new_data)``.
    """
    data = np.asarray(data, dtype=float)
    lim = signed_limit(data) if limit is None else limit
    im = ax.imshow(data, cmap=SIGNED_CMAP, vmin=-lim, vmax=lim)
    _bare(ax, title)
    cbar = ax.figure.colorbar(im, ax=ax, shrink=0.8) if colorbar else None
    return im, cbar


def value_labels(ax, shape, fontsize=9):
    """Create one centred text label per cell of an (h, w) grid, initially empty.

    Returns an (h, w) object array of ``Text`` artists for :func:`set_value_labels`.
    Keep grids small (up to about 15x15): hundreds of labels make drawing slow.
    """
    h, w = shape
    labels = np.empty((h, w), dtype=object)
    for i in range(h):
        for j in range(w):
            labels[i, j] = ax.text(j, i, "", ha="center", va="center", fontsize=fontsize)
    return labels


def set_value_labels(labels, values, fmt="{:.0f}", colors=None):
    """Write ``values`` (same shape as ``labels``) into the labels.

    ``colors`` may be an array of colour names (e.g. white text on dark pixels);
    a NaN value leaves its label empty.
    """
    values = np.asarray(values)
    for idx, text in np.ndenumerate(labels):
        val = values[idx]
        text.set_text("" if np.isnan(val) else fmt.format(val))
        if colors is not None:
            text.set_color(colors[idx])


def contrast_colors(values, vmin, vmax, cmap_name):
    """Black or white per value, whichever reads better on the colour behind it."""
    import matplotlib as mpl

    cmap = mpl.colormaps[cmap_name]
    span = (vmax - vmin) or 1.0
    rgba = cmap(np.clip((np.asarray(values, dtype=float) - vmin) / span, 0, 1))
    luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
    return np.where(luminance < 0.5, "white", "black")


def pixel_grid(ax, shape, color="0.6", linewidth=0.5):
    """Thin lines between the pixels of an (h, w) image shown with ``imshow``."""
    h, w = shape
    ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
    ax.grid(which="minor", color=color, linewidth=linewidth)
    ax.tick_params(which="minor", length=0)
