"""Pictures: grayscale and colour images, signed arrays, and pixels with their numbers."""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v
from cnnlib.plotting.describe import colour_text, describe, grid_text, range_text, size_text, titled
from cnnlib.plotting.style import (
    IMAGE_CMAP,
    SIGNED_CMAP,
    _bare,
    contrast_colors,
    signed_limit,
)
from cnnlib.plotting.values import LabelGrid

__all__ = ["show_image", "show_signed", "pixel_grid", "show_pixels"]

#: The largest side :func:`show_pixels` draws cell by cell (100 x 100 = 10,000 numbers).
MAX_PIXELS_SHOWN = 100


def show_image(ax, image, title=None, vmin=0, vmax=255, cmap=IMAGE_CMAP, colorbar=False):
    """Show a grayscale (H, W) or colour (H, W, 3) image with fixed limits.

    ``vmin`` and ``vmax`` are the values drawn black and white, for colour
    images too (each channel is scaled the same way, so a float photo on the
    0-255 scale shows as it should rather than all white).
    Returns the ``AxesImage``; call ``.set_data`` on it to change the picture.
    """
    shown = v.as_grid(image, "image", colour=True)
    vmin = v.as_number(vmin, "vmin", example=0)
    vmax = v.as_number(vmax, "vmax", low=vmin, low_open=True, example=255)
    if shown.ndim == 3:  # imshow ignores vmin/vmax for colour: scale to 0-1 here
        shown = np.clip((shown - vmin) / (vmax - vmin), 0.0, 1.0)
    im = ax.imshow(shown, cmap=cmap, vmin=vmin, vmax=vmax)
    _bare(ax, title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
    if shown.ndim == 3:
        channels = "RGBA" if shown.shape[2] == 4 else "RGB"
        text = f"colour image {size_text(shown[..., 0])} ({channels}), from {vmin:g} to {vmax:g}"
    else:
        scale = colour_text(cmap if isinstance(cmap, str) else "", vmin, vmax)
        text = f"grayscale image {size_text(shown)}, {range_text(shown)} ({scale})"
    describe(ax, titled(title, text))
    return im


def show_signed(ax, data, title=None, limit=None, colorbar=True):
    """Show a signed array with a diverging colour map centred on zero.

    ``limit`` fixes the scale to ``[-limit, limit]`` (default: fits the data).
    Returns ``(AxesImage, Colorbar or None)``; after ``set_data`` call
    ``im.set_clim(-l, l)`` with ``l = signed_limit(new_data)``.
    """
    data = v.as_grid(data, "data")
    lim = signed_limit(data) if limit is None else _limit(limit)
    im = ax.imshow(data, cmap=SIGNED_CMAP, vmin=-lim, vmax=lim)
    _bare(ax, title)
    cbar = ax.figure.colorbar(im, ax=ax, shrink=0.8) if colorbar else None
    text = grid_text(data, "signed values") + f" ({colour_text(SIGNED_CMAP, -lim, lim)})"
    describe(ax, titled(title, text))
    return im, cbar


def _limit(limit) -> float:
    return v.as_number(limit, "limit", low=0, low_open=True, example=1.0)


def pixel_grid(ax, shape, color="0.6", linewidth=0.5):
    """Thin lines between the pixels of an (h, w) image shown with ``imshow``."""
    h, w = v.as_pair(shape, "shape", minimum=1)
    ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
    ax.grid(which="minor", color=color, linewidth=linewidth)
    ax.tick_params(which="minor", length=0)


def show_pixels(
    ax,
    image,
    title=None,
    cmap=IMAGE_CMAP,
    vmin=0,
    vmax=255,
    fmt="{:.0f}",
    values=True,
    indices=True,
):
    """Show a small grayscale image as cells with each pixel's number printed on it.

    What the computer "sees": a grid of numbers. Meant for images up to about
    30 x 30 on a large figure (the numbers shrink with the cells).

    Parameters
    ----------
    ax : Axes
    image : array, shape (H, W)
    title : str, optional
    cmap : str
        ``"gray"`` (0 black, 255 white) or ``"gray_r"`` (0 white, 255 black).
    vmin, vmax : float
        The values drawn as the two ends of the colour map.
    fmt : str
        How each number is written.
    values : bool
        Print the numbers (text colour chosen to contrast with each cell).
    indices : bool
        Row numbers on the left and column numbers on top.

    Returns
    -------
    (AxesImage, LabelGrid or None)
    """
    image = v.as_array(image, "image")
    if image.ndim != 2:
        raise ValueError(
            f"show_pixels needs a grayscale image (H, W), but got shape {image.shape}; "
            "for a colour image show one channel, e.g. image[:, :, 0]"
        )
    v.as_grid(image, "image")  # finite, not empty
    if max(image.shape) > MAX_PIXELS_SHOWN:
        raise ValueError(
            f"show_pixels draws a grid line and a number for every pixel, which a "
            f"{image.shape[0]}x{image.shape[1]} image has too many of (at most "
            f"{MAX_PIXELS_SHOWN} per side); show a crop of it, or the whole with show_image"
        )
    im = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
    h, w = image.shape
    pixel_grid(ax, (h, w), color="0.5", linewidth=0.4)
    if indices:
        step = 1 if max(h, w) <= 20 else 5
        ax.set_xticks(range(0, w, step))
        ax.set_yticks(range(0, h, step))
        ax.xaxis.tick_top()
        ax.tick_params(labelsize=8, length=0)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    labels = None
    if values:
        labels = LabelGrid(ax, height=0.28, max_points=12)
        labels.set(image, fmt=fmt, colors=contrast_colors(image, vmin, vmax, cmap))
    number = (lambda x: fmt.format(x)) if isinstance(fmt, str) else fmt
    text = grid_text(image, "image", fmt=number) if values else f"image {size_text(image)}"
    scale = colour_text(cmap if isinstance(cmap, str) else "", vmin, vmax)
    where = "each pixel's value printed on it, " if values else ""
    describe(ax, titled(title, f"{text}; {where}{scale}"))
    return im, labels
