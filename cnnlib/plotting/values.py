"""Numbers printed on the cells of a grid, and the lines around those cells.

Kernels, small images and feature maps are shown with their values written on
them. One matplotlib ``Text`` per cell would cost about 1 ms per label and
draw; :class:`LabelGrid` draws every number of a grid as one artist, from
cached glyph outlines, fast enough for explorers that update on every slider
move. :func:`cell_borders` frames the cells.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v

__all__ = [
    "LabelGrid",
    "cell_borders",
    "set_cell_borders",
]


# ----------------------------------------------------------------------------
# fast value labels: every number of a grid drawn as one artist
# ----------------------------------------------------------------------------
_GLYPH_CACHE: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
#: The most numbers one LabelGrid prints: beyond that, none of them would be
#: readable, and laying out a million labels takes minutes.
MAX_LABELS = 10_000
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

        values = v.as_array(values, "values", kinds="uifbUSO")  # numbers, or text to print
        if values.ndim != 2:
            raise ValueError(f"values must be a 2-D grid (h, w), but has shape {values.shape}")
        if values.size > MAX_LABELS:
            raise ValueError(
                f"values has {values.shape[0]} x {values.shape[1]} cells, too many numbers to "
                f"print (at most {MAX_LABELS:,}; none would be readable): show the picture "
                "without its values, or a crop of it"
            )
        texts = np.full(values.shape, "", dtype=object)
        try:
            for idx, val in np.ndenumerate(values):
                if not (isinstance(val, float | np.floating) and np.isnan(val)):
                    texts[idx] = fmt.format(val) if isinstance(fmt, str) else fmt(val)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"fmt={fmt!r} cannot write the values (dtype {values.dtype}): {err}; pass a "
                "fmt that suits them, e.g. '{:.2f}' for numbers or '{}' for text"
            ) from None
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


def _border_segments(shape, origin=(0.0, 0.0)):
    h, w = shape
    x0, y0 = origin[0] - 0.5, origin[1] - 0.5
    rows = [((x0, y0 + i), (x0 + w, y0 + i)) for i in range(h + 1)]
    cols = [((x0 + j, y0), (x0 + j, y0 + h)) for j in range(w + 1)]
    return rows + cols


def cell_borders(ax, shape, origin=(0, 0), color="0.55", linewidth=0.6):
    """Thin lines around the cells of an (h, w) grid shown with ``imshow``.

    One ``LineCollection`` for all lines: much faster to redraw than tick-based
    grid lines (:func:`~cnnlib.plotting.images.pixel_grid`). ``origin`` is the
    centre of cell (0, 0) in data coordinates. Move or resize it with
    :func:`set_cell_borders`.
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
