"""Views of a trained network (notebook 07): its filters, feature maps and mistakes.

Many maps are shown as one mosaic image (:func:`tile_maps`, :func:`show_tiles`),
which draws much faster than one axes per map; :func:`signed_colors` colours a
mosaic without matplotlib's colour mapping, for explorers that redraw often.
"""

from __future__ import annotations

import functools

import numpy as np

from cnnlib import _validate as v
from cnnlib.plotting.describe import colour_text, describe, range_text, titled
from cnnlib.plotting.kernels import plot_panels
from cnnlib.plotting.style import SIGNED_CMAP, _bare, signed_limit
from cnnlib.plotting.values import cell_borders

__all__ = [
    "GAP_COLOR",
    "tile_maps",
    "signed_colors",
    "show_tiles",
    "plot_filters",
    "plot_confusion_matrix",
]

GAP_COLOR = "0.85"  # the thin light-gray lines between tiles of a mosaic


def tile_maps(maps, ncols=None, gap=1) -> np.ndarray:
    """Lay out a stack of 2-D maps as one mosaic image, NaN between the tiles.

    One image instead of one axes per map draws many times faster (a network
    layer has 8, 16 or more maps); show the NaN gaps in a light colour with
    ``cmap.set_bad`` (:func:`show_tiles` does).

    Parameters
    ----------
    maps : array (K, H, W)
        E.g. the 8 feature maps of one image after a convolution, or the
        kernels ``weight[:, 0]`` of a first layer.
    ncols : int, optional
        Tiles per row (default: all in one row).
    gap : int
        Pixels of NaN between neighbouring tiles.

    Returns
    -------
    float array (rows * (H + gap) - gap, ncols * (W + gap) - gap)
        Tile ``k`` sits in row ``k // ncols``, column ``k % ncols``.
    """
    maps = v.finite_float_array(maps, "maps")
    if maps.ndim != 3:
        raise ValueError(
            f"maps must be a stack (K, H, W), but have shape {maps.shape}; "
            "for the kernels of a Conv2D weight (F, C, kH, kW) pass weight[:, 0]"
        )
    k, h, w = maps.shape
    if ncols is not None:
        ncols = v.as_int(ncols, "ncols", minimum=1)
    gap = v.as_int(gap, "gap", minimum=0)
    ncols = max(1, min(ncols or k, k)) if k else 1
    nrows = max(1, -(-k // ncols))
    v.check_memory(
        8 * (nrows * (h + gap)) * (ncols * (w + gap)),
        f"a mosaic of {k} maps of {h} x {w}",
        "show fewer or smaller maps, or a smaller gap",
    )
    mosaic = np.full((nrows * (h + gap) - gap, ncols * (w + gap) - gap), np.nan)
    for i in range(k):
        r, c = divmod(i, ncols)
        mosaic[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = maps[i]
    return mosaic


@functools.cache
def _signed_lut():
    import matplotlib as mpl

    return mpl.colormaps[SIGNED_CMAP](np.arange(256), bytes=True)  # the 256 colours, as bytes


def signed_colors(values, limit) -> np.ndarray:
    """The colours ``RdBu_r`` gives ``values`` on the scale ``[-limit, limit]``, as RGBA bytes.

    The same colours as ``imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)``
    (matplotlib's 256-colour table, looked up the same way), with NaN drawn in
    the light gray of mosaic gaps. An image given colours directly skips matplotlib's
    colour mapping of masked arrays: a few milliseconds less per picture, which
    matters for explorers showing many maps.

    Parameters
    ----------
    values : array (H, W), may contain NaN
    limit : float > 0

    Returns
    -------
    uint8 array (H, W, 4)
    """
    values = v.as_float_array(values, "values")
    limit = v.as_number(limit, "limit", low=0, low_open=True, example=1.0)
    missing = np.isnan(values)
    scaled = (np.where(missing, 0.0, values) / limit + 1.0) * 128.0  # [-limit, limit] -> [0, 256]
    rgba = _signed_lut()[np.clip(scaled, 0, 255).astype(np.uint8)]
    rgba[missing] = _GAP_RGBA
    return rgba


_GAP_RGBA = (217, 217, 217, 255)  # GAP_COLOR "0.85" as bytes


def show_tiles(ax, maps, ncols=None, limit=None, title=None, gap=1):
    """Show a stack of maps (or kernels) as one mosaic, ``RdBu_r`` centred on zero.

    Parameters
    ----------
    ax : Axes
    maps : array (K, H, W)
    ncols : int, optional
        Tiles per row.
    limit : float, optional
        The colour scale runs from ``-limit`` (blue) to ``limit`` (red);
        default: the largest absolute value, shared by all tiles.
    title : str, optional
    gap : int
        Pixels between tiles (drawn light gray).

    Returns
    -------
    AxesImage
        Update it with ``im.set_data(tile_maps(new, ncols))`` and
        ``im.set_clim(-l, l)``.
    """
    import matplotlib as mpl

    mosaic = tile_maps(maps, ncols, gap)
    if limit is None:
        lim = signed_limit(mosaic[np.isfinite(mosaic)])  # the maps, without the NaN gaps
    else:
        lim = v.as_number(limit, "limit", low=0, low_open=True, example=1.0)
    cmap = mpl.colormaps[SIGNED_CMAP].with_extremes(bad=GAP_COLOR)
    im = ax.imshow(mosaic, cmap=cmap, vmin=-lim, vmax=lim)
    _bare(ax, title)
    for spine in ax.spines.values():  # the gray gaps already frame the tiles
        spine.set_visible(False)
    stack = np.asarray(maps, dtype=float)
    k, h, w = stack.shape
    columns = max(1, min(int(ncols or k), k)) if k else 1
    rows = max(1, -(-k // columns))
    layout = f"in {rows} rows of {columns}" if rows > 1 else "side by side"
    text = (
        f"{k} maps of {h}x{w} {layout} (numbered from 0, left to right, top to bottom), "
        f"{range_text(stack)} ({colour_text(SIGNED_CMAP, -lim, lim)}, shared by all)"
    )
    describe(ax, titled(title, text))
    return im


def plot_filters(weight, ncols=4, panel_size=1.9, title=None, values=True):
    """The kernels of a first convolution layer, each with its weights printed.

    Parameters
    ----------
    weight : array (F, 1, kH, kW) or (F, kH, kW), or a network
        A Conv2D weight, e.g. ``model.params["0.weight"]``; given a network
        (a :class:`cnnlib.Sequential`), the weight of its first convolution
        layer.
    ncols : int
        Filters per row.
    panel_size : float
        Inches per filter.
    title : str, optional
        Over the whole figure.
    values : bool
        Print each weight on its cell (kernels up to 12x12).

    Returns
    -------
    matplotlib Figure
        One shared colour scale (red positive, blue negative, white 0), so that
        strong and weak filters can be compared.
    """
    if hasattr(weight, "layers"):
        weight = _first_conv_weight(weight)
    weight = v.finite_float_array(
        weight,
        "weight",
        "a network whose weights hold NaN or infinity has diverged in training: build it "
        "again and train it with a smaller learning rate",
    )
    if weight.ndim == 4:
        if weight.shape[1] != 1:
            raise ValueError(
                f"plot_filters shows one-channel kernels, but the weight has "
                f"{weight.shape[1]} input channels (shape {weight.shape}); pass weight[:, c] "
                "for channel c"
            )
        weight = weight[:, 0]
    if weight.ndim != 3 or 0 in weight.shape:
        raise ValueError(
            f"weight must have shape (F, 1, kH, kW) or (F, kH, kW) with at least one filter, "
            f"but has {weight.shape}"
        )
    ncols = v.as_int(ncols, "ncols", minimum=1)
    panels = [(f"filter {f}", kernel, "signed") for f, kernel in enumerate(weight)]
    fig = plot_panels(
        panels,
        ncols=min(ncols, len(panels)),
        panel_size=panel_size,
        title=title,
        limit="shared",
        values=values and max(weight.shape[1:]) <= 12,
    )
    f, kh, kw = weight.shape
    lead = f"{f} filters of {kh}x{kw} weights, one colour scale for all"
    describe(fig, f"{title}: {lead}" if title else lead)
    return fig


def _first_conv_weight(network):
    """The weight (F, C, kH, kW) of the first convolution layer of ``network``."""
    for layer in network.layers:
        weight = getattr(layer, "params", {}).get("weight")
        if weight is not None and np.ndim(weight) == 4:
            return weight
    names = ", ".join(type(layer).__name__ for layer in network.layers) or "no layers"
    raise ValueError(
        f"plot_filters shows the kernels of a network's first convolution layer, but this "
        f"network has none ({names}); pass a network that starts with Conv2D, or a weight "
        "array (F, 1, kH, kW)"
    )


def plot_confusion_matrix(ax, matrix, class_names=None, title=None, fontsize=9):
    """A confusion matrix as a table of counts: rows true class, columns prediction.

    The diagonal (right answers) is gray; every other cell (a mistake) is
    coloured by its count, so that the common confusions stand out.

    Parameters
    ----------
    ax : Axes
    matrix : int array (K, K)
        ``matrix[t, p]``: how many examples of true class ``t`` were predicted
        as ``p`` (as :func:`cnnlib.confusion_matrix` makes it).
    class_names : list of str, optional
        Default "0", "1", ...
    title : str, optional
    fontsize : float
        Of the counts.

    Returns
    -------
    (AxesImage, AxesImage, list of Text)
        The mistakes' colours, the diagonal's gray, and the printed counts.
    """
    import matplotlib as mpl

    matrix = v.finite_float_array(matrix, "matrix")
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise ValueError(
            f"a confusion matrix is square (K, K), but this one is {matrix.shape}; make it with "
            "confusion_matrix(labels, predictions)"
        )
    if matrix.min() < 0 or not np.all(matrix == np.round(matrix)):
        raise ValueError(
            "matrix must hold counts (whole numbers >= 0), as confusion_matrix(labels, "
            "predictions) makes them"
        )
    k = matrix.shape[0]
    if k > 100:
        raise ValueError(
            f"a {k} x {k} confusion matrix has too many cells to print a count in each "
            "(at most 100 classes); show the classes that matter, e.g. matrix[:10, :10]"
        )
    names = [str(i) for i in range(k)] if class_names is None else list(class_names)
    if len(names) != k:
        raise ValueError(
            f"class_names must name each of the {k} classes, but has {len(names)} names"
        )
    diagonal = np.eye(k, dtype=bool)
    mistakes = np.where(diagonal, np.nan, matrix.astype(float))
    top = max(float(np.nanmax(mistakes)) if (~diagonal).any() else 0.0, 1.0)
    cmap = mpl.colormaps["Oranges"].with_extremes(bad="none")
    im = ax.imshow(mistakes, cmap=cmap, vmin=0, vmax=top * 1.15)
    right = np.where(diagonal, 1.0, np.nan)
    im_diag = ax.imshow(
        right, cmap=mpl.colormaps["Greys"].with_extremes(bad="none"), vmin=0, vmax=4
    )
    cell_borders(ax, matrix.shape, color="0.8", linewidth=0.5)
    texts = []
    for t in range(k):
        for p in range(k):
            value = int(matrix[t, p])
            strong = not diagonal[t, p] and value > 0.6 * top * 1.15
            texts.append(
                ax.text(
                    p,
                    t,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color="white" if strong else ("0.55" if value == 0 else "black"),
                    fontweight="bold" if diagonal[t, p] else "normal",
                )
            )
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted digit (what the network said)")
    ax.set_ylabel("true digit (the label)")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    if title is not None:
        ax.set_title(title, pad=12)
    describe(ax, titled(title, _confusion_text(matrix, names)))
    return im, im_diag, texts


def _confusion_text(matrix, names) -> str:
    """The confusion matrix in words: how many right, and the most common mistakes."""
    total, right = int(matrix.sum()), int(np.trace(matrix))
    share = f" ({right / total:.1%})" if total else ""
    text = (
        f"confusion matrix of {len(names)} classes, rows the true class and columns the "
        f"prediction: {right:,} of {total:,} right{share}"
    )
    off = np.where(np.eye(len(names), dtype=bool), 0, matrix)
    order = np.argsort(off, axis=None, kind="stable")[::-1][:3]
    mistakes = [
        f"{names[t]} taken for {names[p]} {int(off[t, p])} times"
        for t, p in (np.unravel_index(i, off.shape) for i in order)
        if off[t, p] > 0
    ]
    return text + ("; most common mistakes: " + ", ".join(mistakes) if mistakes else "")
