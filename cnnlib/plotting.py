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
    "LabelGrid",
    "show_pixels",
    "LabelledBars",
    "ACTIVATION_STYLES",
    "plot_activation_curves",
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
        Size of the printed values.

    Call :meth:`set` with new values; it changes the bars' lengths, colours and
    printed values without making new artists. A zero line marks where bars
    start, so negative values (scores) grow the other way.
    """

    def __init__(self, ax, names, horizontal=False, fontsize=10):
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
        self.texts = [
            ax.text(0, 0, "", ha="center", va="bottom", fontsize=fontsize, clip_on=False)
            for _ in names
        ]
        self.values = zeros

    @property
    def artists(self):
        """The bars and their value labels (what changes when :meth:`set` is called)."""
        return [*self.bars, *self.texts]

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
        values = np.asarray(values, dtype=float)
        self.values = values
        lo, hi = self.ax.get_xlim() if self.horizontal else self.ax.get_ylim()
        pad = 0.02 * abs(hi - lo)
        for k, (bar, text, value) in enumerate(zip(self.bars, self.texts, values)):
            bar.set_color(HIGHLIGHT_COLOR if k == highlight else BAR_COLOR)
            bar.set_edgecolor(OUTLINE_COLOR if k == outline else "none")
            bar.set_linewidth(3.0 if k == outline else 0.0)
            label = fmt.format(value) if isinstance(fmt, str) else fmt(value)
            text.set_text(label.replace("-", "\u2212"))
            sign = 1.0 if value >= 0 else -1.0
            if self.horizontal:
                bar.set_width(value)
                text.set_position((value + sign * pad, k))
                text.set_ha("left" if value >= 0 else "right")
                text.set_va("center")
            else:
                bar.set_height(value)
                text.set_position((k, value + sign * pad))
                text.set_va("bottom" if value >= 0 else "top")


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
