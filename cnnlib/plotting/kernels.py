"""Kernels and feature maps, alone or as figures of labelled panels (notebook 02 on).

:func:`show_kernel` and :func:`show_feature_map` draw on an axes;
:func:`plot_panels` and :func:`plot_kernel_gallery` make whole figures that a
notebook shows when they end a cell.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v
from cnnlib.plotting.describe import (
    colour_text,
    describe,
    extremes_text,
    grid_text,
    range_text,
    size_text,
    titled,
)
from cnnlib.plotting.images import show_image, show_signed
from cnnlib.plotting.style import (
    IMAGE_CMAP,
    INK_CMAP,
    SIGNED_CMAP,
    _bare,
    _new_figure,
    contrast_colors,
    feature_map_colors,
    image_limits,
    short_number,
    signed_limit,
)
from cnnlib.plotting.values import LabelGrid, cell_borders

__all__ = [
    "SIGNED_KINDS",
    "show_kernel",
    "show_feature_map",
    "plot_panels",
    "plot_kernel_gallery",
]


def show_kernel(ax, kernel, title=None, labels=True, max_points=14):
    """Show a kernel: ``RdBu_r`` centred on zero, its weights printed on the cells.

    Returns ``(AxesImage, LabelGrid or None)``.
    """
    kernel = v.as_grid(kernel, "kernel")
    lim = signed_limit(kernel)
    im = ax.imshow(kernel, cmap=SIGNED_CMAP, vmin=-lim, vmax=lim)
    _bare(ax, title)
    cell_borders(ax, kernel.shape)
    grid = None
    if labels:
        grid = LabelGrid(ax, height=0.3, max_points=max_points)
        grid.set(kernel, fmt=short_number, colors=contrast_colors(kernel, -lim, lim, SIGNED_CMAP))
    text = grid_text(kernel, "kernel", listed=kernel.size <= 49)  # up to 7x7, every weight
    describe(ax, titled(title, f"{text} ({colour_text(SIGNED_CMAP, -lim, lim)})"))
    return im, grid


def show_feature_map(ax, data, title=None, colorbar=True, labels=False):
    """Show a feature map with :func:`feature_map_colors` (and a colour bar).

    ``labels=True`` prints the values on the cells (for small maps only).
    Returns ``(AxesImage, Colorbar or None)``.
    """
    data = v.as_grid(data, "data")
    cmap, vmin, vmax = feature_map_colors(data)
    im = ax.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax)
    _bare(ax, title)
    if labels:
        cell_borders(ax, data.shape)
        LabelGrid(ax, height=0.28, max_points=12).set(
            data, fmt=short_number, colors=contrast_colors(data, vmin, vmax, cmap)
        )
    cbar = ax.figure.colorbar(im, ax=ax, shrink=0.8) if colorbar else None
    describe(ax, titled(title, _map_text(data, cmap, vmin, vmax, labels)))
    return im, cbar


def _map_text(data, cmap, vmin, vmax, listed=False) -> str:
    """A feature map in words: size, range (or every value), where the extremes are."""
    if listed:
        text = grid_text(data, "feature map", listed=True)
    else:
        where = extremes_text(data)
        text = f"feature map {size_text(data)}, {range_text(data)}" + (
            f"; {where}" if where else ""
        )
    return f"{text} ({colour_text(cmap, vmin, vmax)})"


SIGNED_KINDS = ("map", "signed")
PANEL_KINDS = ("image", "ink", "kernel", "map", "signed")


def _show_panel(ax, array, kind, title, labels, limit=None, colorbar=True, grid=None):
    """One panel of :func:`plot_panels` (``array`` already checked)."""
    small = max(array.shape) <= 12 if labels is None else labels
    if grid and not small:  # lines between the cells, without numbers on them
        cell_borders(ax, array.shape, color="0.5")
    if kind == "kernel":
        show_kernel(ax, array, title=title, labels=small)
    elif kind == "map" and limit is None:
        show_feature_map(ax, array, title=title, colorbar=colorbar and not small, labels=small)
    elif kind in ("map", "signed"):
        lim = signed_limit(array) if limit is None else limit
        show_signed(
            ax, array, title=title, limit=lim, colorbar=colorbar and limit is None and not small
        )
        if small:
            cell_borders(ax, array.shape)
            LabelGrid(ax, height=0.28, max_points=12).set(
                array, fmt=short_number, colors=contrast_colors(array, -lim, lim, SIGNED_CMAP)
            )
        text = grid_text(array, "signed values", listed=small and array.size <= 144)
        describe(ax, titled(title, f"{text} ({colour_text(SIGNED_CMAP, -lim, lim)})"))
    elif kind in ("image", "ink"):
        vmin, vmax = image_limits(array)
        cmap = INK_CMAP if kind == "ink" else IMAGE_CMAP
        show_image(ax, array, title=title, vmin=vmin, vmax=vmax, cmap=cmap)
        if small:
            cell_borders(ax, array.shape)
            LabelGrid(ax, height=0.28, max_points=12).set(
                array, fmt=short_number, colors=contrast_colors(array, vmin, vmax, cmap)
            )
            text = grid_text(array, "image", listed=array.size <= 144)
            describe(ax, titled(title, f"{text} ({colour_text(cmap, vmin, vmax)})"))


def _check_panels(panels):
    """``panels`` as a list of (title, float array (h, w), kind), or a clear error."""
    if isinstance(panels, (str, bytes)) or not hasattr(panels, "__iter__"):
        raise TypeError(
            f"panels must be a list of (title, array, kind) triples, but is {panels!r}; "
            "e.g. [('input', image, 'image'), ('edges', edges, 'map')]"
        )
    checked = []
    for i, panel in enumerate(panels):
        if not (isinstance(panel, (tuple, list)) and len(panel) == 3):
            raise ValueError(
                f"panels[{i}] must be a (title, array, kind) triple, but is {_short(panel)}; "
                "e.g. ('edges', edges, 'map')"
            )
        title, array, kind = panel
        if kind not in PANEL_KINDS:
            raise ValueError(
                f"panels[{i}]: kind must be one of {', '.join(map(repr, PANEL_KINDS))}, "
                f"but is {kind!r}"
            )
        checked.append((title, v.as_grid(array, f"panels[{i}]'s array"), kind))
    if not checked:
        raise ValueError(
            "panels is empty: there is nothing to draw; pass at least one (title, array, kind) "
            "triple, e.g. [('input', image, 'image')]"
        )
    return checked


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _figure_size(ncols, nrows, panel_size, extra_height=0.0, row_height=1.0, dpi=90):
    """(width, height) in inches for ``nrows`` x ``ncols`` panels, or a clear error.

    A row is ``row_height`` panels tall; ``extra_height`` inches are added (a title).
    """
    size = v.as_number(panel_size, "panel_size", low=0, low_open=True, example=2.5)
    width, height = size * ncols, size * row_height * nrows + extra_height
    if max(width, height) * dpi > 30_000:
        raise ValueError(
            f"{nrows} x {ncols} panels of {size:g} inches would make a figure of "
            f"{width * dpi:.0f} x {height * dpi:.0f} pixels, too big to draw; use fewer panels "
            "per figure or a smaller panel_size"
        )
    return width, height


def plot_panels(panels, ncols=None, panel_size=2.7, title=None, limit=None, values=None, grid=None):
    """A row (or grid) of labelled arrays, each coloured for what it is.

    Parameters
    ----------
    panels : list of (title, array (h, w), kind)
        ``kind`` is ``'image'`` (gray, 0-255, or -1..1 for +1/-1 toys),
        ``'ink'`` (the same with ink dark on white), ``'kernel'`` (weights on
        ``RdBu_r`` centred on 0, printed), ``'map'`` (a feature map, see
        :func:`feature_map_colors`) or ``'signed'`` (``RdBu_r`` centred on 0).
        Arrays of at most 12x12 cells get their values printed.
    ncols : int, optional
        Panels per row (default: all in one row).
    panel_size : float
        Inches per panel.
    title : str, optional
        A title over the whole figure.
    limit : float or 'shared', optional
        One colour scale ``[-limit, limit]`` for every ``'map'`` and
        ``'signed'`` panel, so that their colours can be compared, with one
        colour bar for all of them; ``'shared'`` fits the scale to the largest
        value of those panels. By default each such panel has its own scale
        (and its own colour bar unless its values are printed).
    values : bool, optional
        Print the values on the cells: by default only for arrays of at most
        12x12 cells.
    grid : bool, optional
        Draw lines between the cells even where no values are printed, so
        that the cells can be counted (cells with printed values always get
        them): ``values=False, grid=True`` gives the lines without numbers.

    Returns
    -------
    matplotlib Figure
        Shows itself as a PNG when it is the last value of a notebook cell.
    """
    panels = _check_panels(panels)
    ncols = len(panels) if ncols is None else v.as_int(ncols, "ncols", minimum=1)
    ncols = min(ncols, len(panels))  # no empty columns
    nrows = -(-len(panels) // ncols)
    if values is not None:
        values = v.as_bool(values, "values")
    if grid is not None:
        grid = v.as_bool(grid, "grid")
    signed = [array for _, array, kind in panels if kind in SIGNED_KINDS]
    if isinstance(limit, str):
        if limit != "shared":
            raise ValueError(f"limit must be a number or 'shared', but is {limit!r}")
        limit = max((signed_limit(a) for a in signed), default=1.0)
    elif limit is not None:
        limit = v.as_number(limit, "limit", low=0, low_open=True, example="'shared'")
    fig = _new_figure(*_figure_size(ncols, nrows, panel_size, 0.35 if title else 0))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (name, array, kind) in zip(axes, panels):
        _show_panel(ax, array, kind, name, values, limit, grid=grid)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    if limit is not None and signed:  # one colour bar for every signed panel
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        scale = ScalarMappable(norm=Normalize(-limit, limit), cmap=SIGNED_CMAP)
        # pointed ends where some values lie beyond the scale and take its end colour
        below = any(float(np.nanmin(a)) < -limit for a in signed)
        above = any(float(np.nanmax(a)) > limit for a in signed)
        extend = {(False, False): "neither", (True, False): "min", (False, True): "max"}
        fig.colorbar(
            scale,
            ax=list(axes[: len(panels)]),
            shrink=0.8,
            aspect=30,
            extend=extend.get((below, above), "both"),
        )
    if title:
        fig.suptitle(title, fontsize=13, fontweight="bold")
    shared = " (one colour scale for every signed panel)" if limit is not None and signed else ""
    lead = f"{len(panels)} panels{shared}"
    describe(fig, f"{title}: {lead}" if title else lead[:1].upper() + lead[1:])
    return fig


def plot_kernel_gallery(image, kernels, ncols=4, panel_size=2.5, percentile=95):
    """Apply each kernel to ``image`` and show kernel and feature map together.

    Parameters
    ----------
    image : array (H, W)
        A grayscale image, e.g. a photo on the 0-255 scale (for a colour
        photo, use ``to_grayscale(photo)`` first).
    kernels : dict of str to array (k, k)
        Kernels by name, applied with ``conv2d(image, kernel, padding='same')``.
    ncols : int
        Kernels per row.
    panel_size : float
        Inches per column.
    percentile : float
        Contrast of the signed maps, from 50 to 100. Edge maps are mostly
        near 0 with a few very strong edges: a colour scale that reached the
        strongest one would leave every other edge pale. So the scale ends
        at this percentile of the absolute values: with 95, the strongest 5%
        of the responses all get the darkest red or blue (the colour bar's
        pointed ends say so), and 100 reaches the strongest exactly.

    Returns
    -------
    matplotlib Figure
        For each kernel, its weights (small, printed) above its feature map
        and a colour bar, coloured by :func:`feature_map_colors`: gray
        pictures for kernels whose weights add up to 1 (on the image's own
        scale), red (positive) and blue (negative) for signed maps, white
        for 0.
    """
    from cnnlib.ops import conv2d

    image = v.as_array(image, "image")
    if image.ndim == 3 and image.shape[-1] in (3, 4):
        raise ValueError(
            f"plot_kernel_gallery needs a grayscale image (H, W), but image has shape "
            f"{image.shape}, a colour photo; convert it with to_grayscale(image) first"
        )
    image = v.as_grid(image, "image")
    if not isinstance(kernels, dict) or not kernels:
        raise TypeError(
            f"kernels must be a dict of names to kernels, e.g. {{'blur': kernels.box_blur()}}, "
            f"but is {_short(kernels)}"
        )
    checked = {name: v.as_grid(k, f"kernels[{name!r}]") for name, k in kernels.items()}
    percentile = v.as_number(percentile, "percentile", low=50, high=100, example=95)
    names = list(checked)
    ncols = min(v.as_int(ncols, "ncols", minimum=1), len(names))
    nrows = -(-len(names) // ncols)
    width, height = _figure_size(ncols, nrows, panel_size, row_height=2.0)
    fig = _new_figure(width, height)
    grid = fig.add_gridspec(2 * nrows, ncols, height_ratios=[0.75, 1.0] * nrows)
    for n, name in enumerate(names):
        row, col = divmod(n, ncols)
        kernel = checked[name]
        show_kernel(fig.add_subplot(grid[2 * row, col]), kernel, title=name, max_points=10)
        fmap = conv2d(image, kernel, padding="same")
        ax = fig.add_subplot(grid[2 * row + 1, col])
        _gallery_map(ax, fmap, kernel, image, percentile)
    describe(
        fig,
        f"{len(names)} kernels applied to the same {size_text(image)} image with 'same' "
        "padding, each kernel above its feature map",
    )
    return fig


def _gallery_map(ax, fmap, kernel, image, percentile):
    """One feature map of :func:`plot_kernel_gallery`, with its colour bar below it."""
    cmap, vmin, vmax = feature_map_colors(fmap, kernel, image)
    if cmap == SIGNED_CMAP:  # a few very strong edges would make all others pale
        vmax = max(float(np.percentile(np.abs(fmap), percentile)), 1e-12)
        vmin = -vmax
    # pointed ends on the colour bar where values beyond it are drawn in its end colour
    below, above = bool(fmap.min() < vmin), bool(fmap.max() > vmax)
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (below, above), "both"
    )
    im = ax.imshow(fmap, cmap=cmap, vmin=vmin, vmax=vmax)
    _bare(ax, None)
    describe(ax, f"its feature map: {_map_text(fmap, cmap, vmin, vmax)}")
    bar = ax.figure.colorbar(
        im, ax=ax, location="bottom", shrink=0.9, aspect=16, pad=0.02, extend=extend
    )
    ticks = [vmin, (vmin + vmax) / 2, vmax]
    bar.set_ticks(ticks, labels=[short_number(t) for t in ticks])
    bar.ax.tick_params(labelsize=8)
    return im, bar
