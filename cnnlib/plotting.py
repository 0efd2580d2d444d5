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

import functools

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
    "ColourScale",
    "cell_borders",
    "contrast_colors",
    "set_cell_borders",
    "pixel_grid",
    "LabelGrid",
    "show_pixels",
    "LabelledBars",
    "feature_map_colors",
    "image_limits",
    "plot_kernel_gallery",
    "plot_panels",
    "short_number",
    "show_feature_map",
    "show_kernel",
    "ACTIVATION_STYLES",
    "plot_activation_curves",
    "RUN_COLORS",
    "TARGET_COLOR",
    "TRAIN_COLOR",
    "VALIDATION_COLOR",
    "plot_confusion_matrix",
    "plot_filters",
    "plain_log_axis",
    "plot_training_curves",
    "show_tiles",
    "signed_colors",
    "smoothed",
    "tile_maps",
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


# ----------------------------------------------------------------------------
# fast value labels: every number of a grid drawn as one artist
# ----------------------------------------------------------------------------
_GLYPH_CACHE: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
_CAP_HEIGHT = 0.73  # height of a digit in DejaVu Sans, as a fraction of the font size


def _glyphs(text: str):
    """Outline of ``text`` in font-size units: (vertices, codes, width), centred.

    Built from one outline per character (cached), so a new number costs a few
    microseconds instead of the ~1 ms of laying out a fresh matplotlib Text.
    """
    found = _GLYPH_CACHE.get(text)
    if found is not None:
        return found
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path
    from matplotlib.textpath import TextPath, text_to_path

    if len(text) != 1:
        parts, advance = [], 0.0
        for char in text:
            verts, codes, width = _glyphs(char)
            parts.append((verts + (advance + width / 2, 0.0), codes))
            advance += width
        verts = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, 2))
        codes = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.uint8)
        found = (verts - (advance / 2, 0.0), codes, advance)
    else:
        prop = FontProperties(family="DejaVu Sans")
        size = prop.get_size_in_points()
        width = text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0] / size
        path = TextPath((0, 0), text, size=1, prop=prop)
        verts = path.vertices - (width / 2, _CAP_HEIGHT / 2)
        codes = path.codes if path.codes is not None else np.full(len(verts), Path.LINETO)
        found = (verts, np.asarray(codes, dtype=np.uint8), width)
    _GLYPH_CACHE[text] = found
    return found


class LabelGrid:
    """Numbers printed on the cells of an image, drawn as ONE artist.

    A matplotlib ``Text`` per cell costs about 1 ms per label and per draw, so a
    10x10 grid of them takes 100+ ms. Here the digits' outlines go into one
    ``PathCollection``: a 10x10 grid updates and draws in a few milliseconds.
    The digits scale with the cells (bigger cells, bigger digits), up to
    ``max_points``.

    Parameters
    ----------
    ax : Axes
        Axes showing an image with ``imshow`` (cell ``(i, j)`` centred at
        ``x=j, y=i`` in data coordinates).
    height : float
        Digit height as a fraction of a cell.
    max_points : float
        Largest digit size (font size in points), for windows with few big cells.
    color : colour
        Default colour when :meth:`set` gets no ``colors``.

    Attributes
    ----------
    texts : ndarray of str, shape (h, w)
        What is printed on each cell ("" for an empty cell); handy for tests.
    """

    def __init__(self, ax, height=0.3, max_points=15, color="black", zorder=3):
        from matplotlib.collections import PathCollection

        self.ax = ax
        self.height = height
        self.max_points = max_points
        self.color = color
        self.texts = np.empty((0, 0), dtype=object)
        self.collection = PathCollection([], linewidths=0, zorder=zorder)
        self.collection.set_transform(ax.transData)
        ax.add_collection(self.collection, autolim=False)

    def set(self, values, fmt="{:.0f}", colors=None, origin=(0, 0)):
        """Print ``values`` (h, w) on the cells; NaN leaves a cell empty.

        ``colors``: one colour, or an (h, w) array of colours (e.g. from
        :func:`contrast_colors`). ``origin``: data coordinates of cell (0, 0)'s
        centre, to label cells outside an image (row numbers at ``x=-1``, ...).
        """
        from matplotlib.path import Path

        values = np.asarray(values)
        if values.ndim != 2:
            raise ValueError(f"values must be a 2-D grid (h, w), but has shape {values.shape}")
        texts = np.full(values.shape, "", dtype=object)
        for idx, val in np.ndenumerate(values):
            if not (isinstance(val, float | np.floating) and np.isnan(val)):
                texts[idx] = fmt.format(val) if isinstance(fmt, str) else fmt(val)
        self.texts = texts
        widest = max((_glyphs(t)[2] for t in texts.flat if t), default=1.0)
        scale = min(self.height / _CAP_HEIGHT, 0.9 / widest)  # font size in cells
        y0, y1 = self.ax.get_ylim()
        cell_px = self.ax.bbox.height / max(abs(y1 - y0), 1e-9)
        scale = min(scale, self.max_points * self.ax.figure.dpi / 72 / max(cell_px, 1e-9))
        flip = -1.0 if y1 < y0 else 1.0  # imshow puts row 0 at the top
        if colors is None or isinstance(colors, str):
            colors = np.full(texts.shape, colors or self.color, dtype=object)
        else:
            colors = np.broadcast_to(np.asarray(colors, dtype=object), texts.shape)
        # one compound outline per colour: a handful of paths, however many labels
        groups: dict[str, tuple[list, list]] = {}
        for idx, text in np.ndenumerate(texts):
            if not text:
                continue
            verts, codes, _ = _glyphs(text)
            centre = (origin[0] + idx[1], origin[1] + idx[0])
            group = groups.setdefault(colors[idx], ([], []))
            group[0].append(verts * (scale, flip * scale) + centre)
            group[1].append(codes)
        paths = [Path(np.concatenate(v), np.concatenate(c)) for v, c in groups.values()]
        self.collection.set_paths(paths)
        self.collection.set_facecolor(list(groups) or "none")
        self.collection.stale = True

    def clear(self):
        """Remove every label."""
        self.texts = np.empty((0, 0), dtype=object)
        self.collection.set_paths([])
        self.collection.stale = True


# ----------------------------------------------------------------------------
# kernels, feature maps and figures for notebooks (used first in notebook 02)
# ----------------------------------------------------------------------------
def feature_map_colors(data, kernel=None, image=None):
    """Colour map and limits for a feature map: ``(cmap, vmin, vmax)``.

    * A kernel whose weights add up to 1 (identity, blurs, sharpen) keeps the
      brightness of the ``image`` it was applied to: its map is a picture and
      is shown in gray on the image's own scale (:func:`image_limits`; values
      beyond it are clipped, as photo software does), provided 90% of the
      values stay near that scale.
    * A map with negative values (an edge detector's, say) gets the diverging
      ``RdBu_r`` centred on zero: white means "no response", red and blue the
      two signs.
    * Any other map (never negative) is gray from 0 to its maximum.
    """
    data = np.asarray(data, dtype=float)
    finite = data[np.isfinite(data)]
    if kernel is not None and image is not None and abs(float(np.sum(kernel)) - 1.0) <= 0.05:
        lo, hi = image_limits(image)
        margin = 0.5 * (hi - lo)
        inside = np.mean((finite >= lo - margin) & (finite <= hi + margin)) if finite.size else 1
        if inside >= 0.9:  # it still looks like a picture (a template may sum to 1 too)
            return IMAGE_CMAP, lo, hi
    lim = signed_limit(finite)
    if finite.size == 0 or finite.min() >= -1e-9 * lim:
        return IMAGE_CMAP, 0.0, lim
    return SIGNED_CMAP, -lim, lim


def image_limits(image):
    """``(vmin, vmax)`` for showing an image in gray.

    8-bit pixels (values above 100) use the fixed 0-255 scale, so a dark photo
    stays dark; small teaching images (0-9, 0-1) use 0 to their maximum;
    images with negative values (the +1/-1 toys) a scale symmetric around 0.
    """
    image = np.asarray(image, dtype=float)
    lo, hi = float(np.nanmin(image)), float(np.nanmax(image))
    if lo >= 0:
        return 0.0, 255.0 if hi > 100 else max(hi, 1.0)
    m = max(abs(lo), abs(hi))
    return -m, m


def short_number(value) -> str:
    """A number as a short label with a real minus sign: ``2``, ``-1``, ``0.11``,
    ``0.004``, ``6600``; anything that rounds to zero is ``0``."""
    value = float(value)
    if abs(value) >= 100 or value == round(value):
        text = f"{value:.0f}"
    elif abs(value) >= 0.0095:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3f}".rstrip("0").rstrip(".")
    if text.lstrip("-") in ("0", ""):
        return "0"
    return text.replace("-", "\u2212")


class ColourScale:
    """A light colour bar for explorers: a gradient strip and three labels.

    ``Figure.colorbar`` re-lays out its ticks on every draw (about 3 ms); this
    strip is one small image plus three texts, so changing the colour map or the
    limits on every update costs almost nothing. ``cax`` is an axes of its own
    (e.g. a narrow gridspec column); labels are written with ``fmt``.
    """

    def __init__(self, cax, cmap=SIGNED_CMAP, fmt=None, fontsize=10):
        self.ax = cax
        self.fmt = fmt or short_number
        gradient = np.linspace(1.0, 0.0, 256)[:, None]
        self.image = cax.imshow(
            gradient, cmap=cmap, vmin=0, vmax=1, aspect="auto", extent=(0, 1, 0, 1)
        )
        cax.set_axis_off()
        from matplotlib.patches import Rectangle

        self.frame = cax.add_patch(
            Rectangle((0, 0), 1, 1, transform=cax.transAxes, fill=False, lw=0.8, ec="0.25")
        )
        self.labels = [
            cax.text(1.35, y, "", transform=cax.transAxes, va=va, fontsize=fontsize)
            for y, va in ((1.0, "top"), (0.5, "center"), (0.0, "bottom"))
        ]

    def update(self, cmap, vmin, vmax):
        """Show ``cmap`` from ``vmin`` (bottom) to ``vmax`` (top)."""
        if self.image.get_cmap().name != cmap:
            self.image.set_cmap(cmap)
        for label, value in zip(self.labels, (vmax, (vmin + vmax) / 2, vmin)):
            label.set_text(self.fmt(value))


def _border_segments(shape, origin=(0.0, 0.0)):
    h, w = shape
    x0, y0 = origin[0] - 0.5, origin[1] - 0.5
    rows = [((x0, y0 + i), (x0 + w, y0 + i)) for i in range(h + 1)]
    cols = [((x0 + j, y0), (x0 + j, y0 + h)) for j in range(w + 1)]
    return rows + cols


def cell_borders(ax, shape, origin=(0, 0), color="0.55", linewidth=0.6):
    """Thin lines around the cells of an (h, w) grid shown with ``imshow``.

    One ``LineCollection`` for all lines: much faster to redraw than tick-based
    grid lines (:func:`pixel_grid`). ``origin`` is the centre of cell (0, 0) in
    data coordinates. Move or resize it with :func:`set_cell_borders`.
    """
    from matplotlib.collections import LineCollection

    lines = LineCollection(
        _border_segments(shape, origin), colors=color, linewidths=linewidth, zorder=2
    )
    ax.add_collection(lines, autolim=False)
    return lines


def set_cell_borders(lines, shape, origin=(0, 0)):
    """Redraw the lines made by :func:`cell_borders` for a grid of ``shape``."""
    lines.set_segments(_border_segments(shape, origin))


def show_kernel(ax, kernel, title=None, labels=True, max_points=14):
    """Show a kernel: ``RdBu_r`` centred on zero, its weights printed on the cells.

    Returns ``(AxesImage, LabelGrid or None)``.
    """
    kernel = np.asarray(kernel, dtype=float)
    lim = signed_limit(kernel)
    im = ax.imshow(kernel, cmap=SIGNED_CMAP, vmin=-lim, vmax=lim)
    _bare(ax, title)
    cell_borders(ax, kernel.shape)
    grid = None
    if labels:
        grid = LabelGrid(ax, height=0.3, max_points=max_points)
        grid.set(kernel, fmt=short_number, colors=contrast_colors(kernel, -lim, lim, SIGNED_CMAP))
    return im, grid


def show_feature_map(ax, data, title=None, colorbar=True, labels=False):
    """Show a feature map with :func:`feature_map_colors` (and a colour bar).

    ``labels=True`` prints the values on the cells (for small maps only).
    Returns ``(AxesImage, Colorbar or None)``.
    """
    data = np.asarray(data, dtype=float)
    cmap, vmin, vmax = feature_map_colors(data)
    im = ax.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax)
    _bare(ax, title)
    if labels:
        cell_borders(ax, data.shape)
        LabelGrid(ax, height=0.28, max_points=12).set(
            data, fmt=short_number, colors=contrast_colors(data, vmin, vmax, cmap)
        )
    cbar = ax.figure.colorbar(im, ax=ax, shrink=0.8) if colorbar else None
    return im, cbar


SIGNED_KINDS = ("map", "signed")


def _show_panel(ax, array, kind, title, labels, limit=None, colorbar=True):
    """One panel of :func:`plot_panels`."""
    array = np.asarray(array, dtype=float)
    small = max(array.shape) <= 12 if labels is None else labels
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
    elif kind in ("image", "ink"):
        vmin, vmax = image_limits(array)
        cmap = INK_CMAP if kind == "ink" else IMAGE_CMAP
        show_image(ax, array, title=title, vmin=vmin, vmax=vmax, cmap=cmap)
        if small:
            cell_borders(ax, array.shape)
            LabelGrid(ax, height=0.28, max_points=12).set(
                array, fmt=short_number, colors=contrast_colors(array, vmin, vmax, cmap)
            )
    else:
        raise ValueError(
            f"kind must be 'image', 'ink', 'kernel', 'map' or 'signed', but is {kind!r}"
        )


def _new_figure(width, height, dpi=90):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    apply_style()
    fig = _notebook_figure_class()(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def plot_panels(panels, ncols=None, panel_size=2.7, title=None, limit=None, values=None):
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

    Returns
    -------
    matplotlib Figure
        Shows itself as a PNG when it is the last value of a notebook cell.
    """
    panels = list(panels)
    ncols = ncols or len(panels)
    nrows = -(-len(panels) // ncols)
    signed = [np.asarray(array, dtype=float) for _, array, kind in panels if kind in SIGNED_KINDS]
    if isinstance(limit, str):
        if limit != "shared":
            raise ValueError(f"limit must be a number or 'shared', but is {limit!r}")
        limit = max((signed_limit(a) for a in signed), default=1.0)
    fig = _new_figure(panel_size * ncols, panel_size * nrows + (0.35 if title else 0))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (name, array, kind) in zip(axes, panels):
        _show_panel(ax, array, kind, name, values, limit)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    if limit is not None and signed:  # one colour bar for every signed panel
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        scale = ScalarMappable(norm=Normalize(-limit, limit), cmap=SIGNED_CMAP)
        fig.colorbar(scale, ax=list(axes[: len(panels)]), shrink=0.8, aspect=30)
    if title:
        fig.suptitle(title, fontsize=13, fontweight="bold")
    return fig


def plot_kernel_gallery(image, kernels, ncols=4, panel_size=2.5):
    """Apply each kernel to ``image`` and show kernel and feature map together.

    Parameters
    ----------
    image : array (H, W)
        A grayscale image, e.g. a photo on the 0-255 scale.
    kernels : dict of str to array (k, k)
        Kernels by name, applied with ``conv2d(image, kernel, padding='same')``.

    Returns
    -------
    matplotlib Figure
        For each kernel, its weights (small, printed) above its feature map,
        coloured by :func:`feature_map_colors` (gray pictures for kernels
        whose weights add up to 1, red and blue for signed maps, whose scale
        stops at the 99.5th percentile of the absolute values so that a few
        extreme edges do not make all the others pale).
    """
    from cnnlib.ops import conv2d

    image = np.asarray(image, dtype=float)
    names = list(kernels)
    nrows = -(-len(names) // ncols)
    fig = _new_figure(panel_size * ncols, panel_size * 1.8 * nrows)
    grid = fig.add_gridspec(2 * nrows, ncols, height_ratios=[0.8, 1.0] * nrows)
    for n, name in enumerate(names):
        row, col = divmod(n, ncols)
        kernel = np.asarray(kernels[name], dtype=float)
        show_kernel(fig.add_subplot(grid[2 * row, col]), kernel, title=name, max_points=10)
        fmap = conv2d(image, kernel, padding="same")
        cmap, vmin, vmax = feature_map_colors(fmap, kernel, image)
        if cmap == SIGNED_CMAP:  # a few very strong edges would make all others pale
            vmax = max(float(np.percentile(np.abs(fmap), 99.5)), 1e-12)
            vmin = -vmax
        ax = fig.add_subplot(grid[2 * row + 1, col])
        ax.imshow(fmap, cmap=cmap, vmin=vmin, vmax=vmax)
        _bare(ax, None)
    return fig


# ----------------------------------------------------------------------------
# bar charts with their values written on them (scores, probabilities, features)
# ----------------------------------------------------------------------------
BAR_COLOR = "#bcbddc"  # light purple: an ordinary bar
HIGHLIGHT_COLOR = "#54278f"  # dark purple: the bar that matters (the prediction)
OUTLINE_COLOR = "#E69F00"  # Okabe-Ito orange: the true class


class LabelledBars:
    """One bar per name, with its value printed at its tip; updated in place.

    Parameters
    ----------
    ax : Axes
    names : list of str
        One label per bar (tick labels), e.g. the class names.
    horizontal : bool
        Bars grow to the right (names down the side, first on top) instead of up.
    fontsize : float
        Size of the printed values, in points.

    Call :meth:`set` with new values; it changes the bars' lengths, colours and
    printed values without making new artists. A zero line marks where bars
    start, so negative values (scores) grow the other way.

    The printed values are glyph outlines in one ``PathCollection`` (as in
    :class:`LabelGrid`): a new number costs microseconds, where a matplotlib
    ``Text`` would be laid out and rasterised again (1-2 ms per label and draw).

    Attributes
    ----------
    texts : list of str
        What is printed at each bar.
    """

    def __init__(self, ax, names, horizontal=False, fontsize=10):
        from matplotlib.collections import PathCollection
        from matplotlib.transforms import Affine2D

        self.ax = ax
        self.horizontal = bool(horizontal)
        positions = np.arange(len(names))
        zeros = np.zeros(len(names))
        if self.horizontal:
            self.bars = ax.barh(positions, zeros, height=0.7, color=BAR_COLOR)
            ax.set_yticks(positions, list(names))
            ax.set_ylim(len(names) - 0.5, -0.5)  # first name on top
            ax.axvline(0, color="0.25", linewidth=0.9)
        else:
            self.bars = ax.bar(positions, zeros, width=0.7, color=BAR_COLOR)
            ax.set_xticks(positions, list(names))
            ax.set_xlim(-0.6, len(names) - 0.4)
            ax.axhline(0, color="0.25", linewidth=0.9)
        # glyphs are in font-size units; scaled to pixels, placed at data positions
        size_px = fontsize * ax.figure.dpi / 72
        self.labels = PathCollection(
            [],
            offsets=np.zeros((0, 2)),
            offset_transform=ax.transData,
            transform=Affine2D().scale(size_px),
            facecolors="black",
            linewidths=0,
            zorder=4,
        )
        self.labels.set_clip_on(False)
        ax.add_collection(self.labels, autolim=False)
        self.texts = ["" for _ in names]
        self.values = zeros

    @property
    def artists(self):
        """The bars and their value labels (what changes when :meth:`set` is called)."""
        return [*self.bars, self.labels]

    def set(self, values, fmt="{:.2f}", highlight=None, outline=None):
        """Show ``values`` (one per bar).

        Parameters
        ----------
        values : array (n,)
        fmt : str or callable
            How to print a value (``"{:.0%}"`` for probabilities).
        highlight : int, optional
            Index of the bar drawn dark (e.g. the predicted class).
        outline : int, optional
            Index of the bar outlined in orange (e.g. the true class).

        The axis limits stay as they are: set them once (``ax.set_ylim``) to
        fit every value you will show, with room for the printed numbers.
        """
        from matplotlib.path import Path

        values = np.asarray(values, dtype=float)
        self.values = values
        gap = 0.35  # between bar and number, in font-size units
        paths, offsets, texts = [], [], []
        for k, (bar, value) in enumerate(zip(self.bars, values)):
            bar.set_color(HIGHLIGHT_COLOR if k == highlight else BAR_COLOR)
            bar.set_edgecolor(OUTLINE_COLOR if k == outline else "none")
            bar.set_linewidth(3.0 if k == outline else 0.0)
            label = fmt.format(value) if isinstance(fmt, str) else fmt(value)
            label = label.replace("-", "\u2212")
            texts.append(label)
            sign = 1.0 if value >= 0 else -1.0
            if self.horizontal:
                bar.set_width(value)
            else:
                bar.set_height(value)
            if not label:
                continue
            verts, codes, width = _glyphs(label)
            if self.horizontal:  # beside the bar's end, vertically centred
                shift, offset = (sign * (width / 2 + gap), 0.0), (value, k)
            else:  # above a positive bar, below a negative one
                shift, offset = (0.0, sign * (_CAP_HEIGHT / 2 + gap)), (k, value)
            paths.append(Path(verts + shift, codes))
            offsets.append(offset)
        self.texts = texts
        self.labels.set_paths(paths)
        self.labels.set_offsets(np.array(offsets, dtype=float).reshape(-1, 2))
        self.labels.stale = True


@functools.cache
def _notebook_figure_class():
    """A Figure subclass that a notebook shows as a PNG when it ends a cell.

    Figures made with ``matplotlib.figure.Figure`` (not pyplot) are shown by
    Jupyter only if pyplot was imported; this one always is, exactly once.
    Built on first use so that importing this module does not load matplotlib.
    """
    from matplotlib.figure import Figure

    class NotebookFigure(Figure):
        def _repr_png_(self):
            import io

            buffer = io.BytesIO()
            self.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
            return buffer.getvalue()

    return NotebookFigure


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
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(
            f"show_pixels needs a grayscale image (H, W), but got shape {image.shape}; "
            "for a colour image show one channel, e.g. image[:, :, 0]"
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
    return im, labels


# Okabe-Ito colours and distinct line styles: the four activations stay apart in
# colour, in gray print and for colour-blind readers
ACTIVATION_STYLES = {
    "ReLU": {"color": "#0072B2", "ls": "-", "lw": 3.0},
    "leaky ReLU": {"color": "#56B4E9", "ls": "--", "lw": 2.5},
    "sigmoid": {"color": "#E69F00", "ls": "-", "lw": 2.5},
    "tanh": {"color": "#D55E00", "ls": "-.", "lw": 2.5},
}


def plot_activation_curves(ax_values, ax_slopes, negative_slope=0.1, limit=6.0, flat_beyond=4.0):
    """ReLU, leaky ReLU, sigmoid and tanh (left) and their slopes (right).

    The region ``|z| > flat_beyond`` is shaded on the slopes: there sigmoid
    and tanh are almost flat (saturated), while ReLU's slope is still 1 for
    every positive ``z``.

    Parameters
    ----------
    ax_values, ax_slopes : matplotlib Axes
        Where to draw the functions and their slopes.
    negative_slope : float
        Leaky ReLU's slope for negative inputs (0.1 shows better than 0.01).
    limit : float
        The z axis runs from ``-limit`` to ``limit``.

    Returns
    -------
    dict of str to (Line2D, Line2D)
        The value line and slope line of each activation.
    """
    from cnnlib.activations import ACTIVATIONS

    z = np.linspace(-limit, limit, 601)
    lines = {}
    for name, act in ACTIVATIONS.items():
        extra = (negative_slope,) if name == "leaky ReLU" else ()
        label = f"leaky ReLU (a = {negative_slope:g})" if extra else name
        style = ACTIVATION_STYLES[name]
        (value,) = ax_values.plot(z, act.function(z, *extra), label=label, **style)
        (slope,) = ax_slopes.plot(z, act.slope(z, *extra), label=label, **style)
        lines[name] = (value, slope)
    for ax in (ax_values, ax_slopes):
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(-limit, limit)
        ax.set_xlabel("input z")
        ax.grid(True, alpha=0.3)
    for side in (-1, 1):
        ax_slopes.axvspan(side * flat_beyond, side * limit, color="0.85", zorder=0, lw=0)
    ax_slopes.text(
        limit * 0.98, 0.5, "sigmoid and tanh\nflat here", ha="right", va="center", fontsize=10
    )
    ax_values.set_ylim(-1.5, 3.0)
    ax_slopes.set_ylim(-0.05, 1.15)
    ax_values.set_ylabel("output f(z)")
    ax_slopes.set_ylabel("slope of f at z")
    ax_values.set_title("The activation functions")
    ax_slopes.set_title("Their slopes (near 0 = saturated)")
    ax_values.legend(loc="upper left", fontsize=10)
    return lines


# ----------------------------------------------------------------------------
# training and the views of a trained network (notebook 06)
# ----------------------------------------------------------------------------
#: Okabe-Ito colours of the training curves: training blue, validation orange.
TRAIN_COLOR = "#0072B2"
VALIDATION_COLOR = "#D55E00"
TARGET_COLOR = "#009E73"
GAP_COLOR = "0.85"  # the thin light-gray lines between tiles of a mosaic
RUN_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def smoothed(values, beta=0.9) -> np.ndarray:
    """Exponential moving average of a noisy curve (e.g. the loss of every batch).

    ``s[t] = beta * s[t-1] + (1 - beta) * values[t]``, divided by
    ``1 - beta**(t+1)`` so that the first points are not pulled towards 0
    (Adam's bias correction). ``beta=0.9`` averages over roughly the last 10
    values.

    Parameters
    ----------
    values : array (n,)
    beta : float
        0 (no smoothing) to below 1.

    Returns
    -------
    float array (n,)
    """
    from scipy.signal import lfilter

    values = np.asarray(values, dtype=float)
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be at least 0 and below 1, but is {beta!r}; try 0.9")
    if values.size == 0:
        return values
    average = lfilter([1 - beta], [1, -beta], values)
    return average / (1 - beta ** np.arange(1, values.size + 1))


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
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError(
            f"maps must be a stack (K, H, W), but have shape {maps.shape}; "
            "for the kernels of a Conv2D weight (F, C, kH, kW) pass weight[:, 0]"
        )
    k, h, w = maps.shape
    ncols = max(1, min(int(ncols or k), k)) if k else 1
    nrows = max(1, -(-k // ncols))
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
    values = np.asarray(values, dtype=float)
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
    lim = signed_limit(np.asarray(maps)) if limit is None else limit
    cmap = mpl.colormaps[SIGNED_CMAP].with_extremes(bad=GAP_COLOR)
    im = ax.imshow(mosaic, cmap=cmap, vmin=-lim, vmax=lim)
    _bare(ax, title)
    for spine in ax.spines.values():  # the gray gaps already frame the tiles
        spine.set_visible(False)
    return im


def plot_filters(weight, ncols=4, panel_size=1.9, title=None, values=True):
    """The kernels of a first convolution layer, each with its weights printed.

    Parameters
    ----------
    weight : array (F, 1, kH, kW) or (F, kH, kW), or a network
        A Conv2D weight, e.g. ``model.params["0.weight"]``; given a network
        (a :class:`cnnlib.Sequential`), the weight of its first layer.
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
        weight = weight.layers[0].params["weight"]
    weight = np.asarray(weight, dtype=float)
    if weight.ndim == 4:
        if weight.shape[1] != 1:
            raise ValueError(
                f"plot_filters shows one-channel kernels, but the weight has "
                f"{weight.shape[1]} input channels (shape {weight.shape}); pass weight[:, c] "
                "for channel c"
            )
        weight = weight[:, 0]
    if weight.ndim != 3:
        raise ValueError(
            f"weight must have shape (F, 1, kH, kW) or (F, kH, kW), but has {weight.shape}"
        )
    panels = [(f"filter {f}", kernel, "signed") for f, kernel in enumerate(weight)]
    return plot_panels(
        panels,
        ncols=min(ncols, len(panels)),
        panel_size=panel_size,
        title=title,
        limit="shared",
        values=values and max(weight.shape[1:]) <= 12,
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

    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"a confusion matrix is square (K, K), but this one is {matrix.shape}")
    k = matrix.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else list(class_names)
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
    return im, im_diag, texts


def plain_log_axis(axis):
    """Label a logarithmic axis with plain numbers (0.01, 0.03, 0.1, ...), not powers of 10.

    Call it after the data are drawn: a short range (less than 1.5 powers of 10)
    gets ticks at 1, 2, 3 and 5 times each power of 10, a longer one at 1 and 3.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    low, high = sorted(axis.get_view_interval())
    short = low > 0 and np.log10(high / low) < 1.5
    subs = (1.0, 2.0, 3.0, 5.0) if short else (1.0, 3.0)
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def plot_training_curves(
    histories, per="epoch", smooth=0.9, title=None, target=None, curves=("training", "validation")
):
    """Loss and accuracy of one or several training runs, side by side.

    Parameters
    ----------
    histories : History or dict of str to History
        The runs to compare, by name (e.g. ``{"SGD": h1, "Adam": h2}``).
    per : ``"epoch"`` or ``"batch"``
        ``"epoch"``: training (dashed) and validation (solid, dots) numbers
        after every epoch, for seeing them split apart (overfitting).
        ``"batch"``: the training loss and accuracy of every mini-batch,
        smoothed (see :func:`smoothed`), for comparing how fast runs learn.
    smooth : float
        ``beta`` of the smoothing for ``per="batch"``.
    title : str, optional
    target : float, optional
        An accuracy to draw as a dotted line (e.g. 0.97).
    curves : tuple of str
        With ``per="epoch"``: which curves to draw, ``"training"`` and/or
        ``"validation"`` (only the validation curves keep a comparison of many
        runs readable).

    Returns
    -------
    matplotlib Figure
        Loss on a log scale (left), accuracy in percent (right); one colour per run.
    """
    from matplotlib.ticker import PercentFormatter

    if not isinstance(histories, dict):
        histories = {"": histories}
    if per not in ("epoch", "batch"):
        raise ValueError(f"per must be 'epoch' or 'batch', but is {per!r}")
    unknown = set(curves) - {"training", "validation"}
    if unknown or not curves:
        raise ValueError(f"curves must name 'training' and/or 'validation', not {curves!r}")
    fig = _new_figure(11.0, 4.0 + (0.3 if title else 0.0))
    ax_loss, ax_acc = fig.subplots(1, 2)
    both = len(curves) == 2
    for n, (name, history) in enumerate(histories.items()):
        color = RUN_COLORS[n % len(RUN_COLORS)]
        if per == "batch":
            steps = np.arange(1, len(history.batch_loss) + 1)
            label = name or "training"
            ax_loss.plot(
                steps, smoothed(history.batch_loss, smooth), color=color, lw=2, label=label
            )
            ax_acc.plot(
                steps, smoothed(history.batch_accuracy, smooth), color=color, lw=2, label=label
            )
            continue
        epochs = np.asarray(history.epoch)
        for kind in curves:
            loss, accuracy = (
                (history.loss, history.accuracy)
                if kind == "training"
                else (history.val_loss, history.val_accuracy)
            )
            if not loss:
                continue
            label = ": ".join(part for part in (name, kind if both or not name else "") if part)
            style = {"ls": "--", "lw": 1.8} if kind == "training" else {"marker": "o", "lw": 2.2}
            ax_loss.plot(epochs, loss, color=color, ms=4, label=label, **style)
            ax_acc.plot(epochs, accuracy, color=color, ms=4, label=label, **style)
    ax_loss.set_yscale("log")
    plain_log_axis(ax_loss.yaxis)
    ax_loss.set_ylabel("loss (log scale)")
    ax_acc.set_ylabel("accuracy")
    ax_acc.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if target is not None:
        ax_acc.axhline(target, color=TARGET_COLOR, ls=":", lw=1.5, label=f"goal {target:.0%}")
    xlabel = "mini-batch (weight updates)" if per == "batch" else "epoch"
    for ax, what in ((ax_loss, "loss"), (ax_acc, "accuracy")):
        ax.set_xlabel(xlabel)
        ax.grid(True, which="major", alpha=0.3)
        ax.set_title(f"{what} (smoothed)" if per == "batch" else what)
    ax_acc.legend(fontsize=9, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=13, fontweight="bold")
    return fig
