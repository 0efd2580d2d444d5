"""The skeleton every explorer shares.

An explorer is a small app: a row of controls (ipywidgets), one matplotlib
figure built once, and a status line. Moving a control calls :meth:`update`,
which recomputes the result with the core functions and changes the existing
artists in place (``set_data``, ``set_clim``, ``set_text``) before rendering
the figure to a PNG shown in an ``ipywidgets.Image``.

Why a PNG in an Image widget rather than an interactive backend: it needs no
extra JupyterLab extension, renders the same in a browser, in tests and in
exported HTML, and costs one Agg draw per update.

Keeping an update within ~50 ms (``benchmarks/widget_latency.py``): the
layout is computed once and then frozen; the figure draws on a canvas whose
renderer remembers how every string it has drawn looks (matplotlib otherwise
rasterises each title glyph by glyph on every draw, ~1-4 ms per text); and the
PNG is written with the fastest zlib level and no row filtering (~4 ms for a
900x650 figure instead of ~10 ms with Pillow, for PNGs of ~50 kB).

The contract (used by the notebooks, the tests and the benchmarks):

``explorer.controls``
    dict of name -> widget; set ``.value`` to drive the explorer headlessly.
``explorer.output``
    the current result (e.g. the feature map), or ``None`` when the current
    combination of controls is impossible.
``explorer.message``
    ``""``, or the one-line explanation shown instead of the output.
``explorer.widget``
    what a notebook cell displays (the explorer displays itself too).
``explorer.update()``
    recompute and redraw; called automatically when a control changes.
``explorer.png``
    the PNG bytes last rendered.

Subclasses implement :meth:`_compute` (return the result, raise ``ValueError``
for an impossible combination) and :meth:`_draw` (update the artists).
"""

from __future__ import annotations

import base64
import math
import struct
import time
import zlib
from collections import OrderedDict

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

from cnnlib.plotting import apply_style

__all__ = ["Explorer"]

# sub-pixel text and figure sizes with rounding errors allowed for (see _whole_pixels
# and _split_pixel); the explorers look the same with earlier versions
_MATPLOTLIB_3_11 = mpl.__version_info__[:2] >= (3, 11)


class Explorer:
    """Base class: controls + a persistent figure + a status line.

    Parameters
    ----------
    figsize : (float, float)
        Figure size in inches; with ``dpi`` it fixes the picture's pixel size,
        so nothing on the page jumps when the content changes. Keep the width
        at most ~830 px (9.2 in at 90 dpi) so the picture fits a JupyterLab
        notebook column unshrunk; a wider one is scaled down to the column.
    dpi : int
        Resolution of the rendered PNG.
    """

    title = ""

    def __init__(self, *, figsize=(9.0, 3.2), dpi=90):
        apply_style()
        self.controls: dict[str, widgets.Widget] = {}
        self.output = None
        self.message = ""
        self.png = b""
        self.last_update_ms = 0.0
        figsize = tuple(_whole_pixels(inches, dpi) for inches in figsize)
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self._layout_frozen = False
        _TextCachingCanvas(self.figure)
        # shown at its own pixel width, or shrunk to the notebook column if that is
        # narrower; the height follows the width, so the picture keeps its shape and
        # never gets blank bands (figures are made <= ~830 px wide to fit unshrunk)
        width, _ = self.figure.canvas.get_width_height()
        self._image = widgets.Image(
            format="png",
            layout=widgets.Layout(width=f"{width}px", max_width="100%", height="auto"),
        )
        self._status = widgets.HTML(layout=widgets.Layout(min_height="1.8em"))
        self._widget = None

    # -- to be provided by subclasses -------------------------------------------------
    def _compute(self):
        """Return the current result; raise ValueError if the controls make no sense."""
        raise NotImplementedError

    def _draw(self, result):
        """Update the figure's artists for ``result`` (``None`` when impossible)."""
        raise NotImplementedError

    def _layout_controls(self):
        """The widget holding the controls; by default all of them in a wrapped row."""
        return widgets.HBox(
            list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")
        )

    def _describe(self, result) -> str:
        """A short HTML line under the figure (e.g. the output-size formula)."""
        return ""

    # -- the machinery --------------------------------------------------------------------
    def _watch(self):
        """Call :meth:`update` whenever any control's value changes."""
        for control in self.controls.values():
            control.observe(self.update, names="value")

    def update(self, change=None):
        """Recompute, update the artists in place and render. Never raises ValueError.

        An impossible combination of controls (a kernel larger than the padded
        image, 'same' with stride 2, ...) leaves ``output`` as ``None`` and
        shows the reason in the status line instead of a traceback.
        """
        start = time.perf_counter()
        try:
            result = self._compute()
            self.message = ""
        except ValueError as err:
            result = None
            self.message = str(err)
        self.output = result
        self._draw(result)
        if self.message:
            self._status.value = (
                '<span style="color:#b35806;font-weight:600">Not possible:</span> '
                + _escape(self.message)
            )
        else:
            self._status.value = self._describe(result)
        self.render()
        self.last_update_ms = (time.perf_counter() - start) * 1000.0

    def render(self):
        """Draw the figure and show it as PNG bytes in the image widget.

        The first render lets matplotlib's constrained layout place the axes and
        their titles; after that the layout and the titles' positions are frozen,
        which makes every later draw faster and keeps the picture from jumping
        when a title changes length.
        """
        canvas = self.figure.canvas
        canvas.draw()
        if not self._layout_frozen:
            self.figure.set_layout_engine("none")
            for ax in self.figure.axes:
                # titles stay where the first draw put them; matplotlib would otherwise
                # measure every axis decoration on each draw to place them (~1 ms per axes)
                if hasattr(ax, "_autotitlepos"):
                    ax._autotitlepos = False
            self._layout_frozen = True
        self.png = png_bytes(np.asarray(canvas.buffer_rgba()))
        self._image.value = self.png

    @property
    def widget(self):
        """The widget a notebook displays: title, controls, figure, status line."""
        if self._widget is None:
            parts = []
            if self.title:
                parts.append(widgets.HTML(f"<b>{_escape(self.title)}</b>"))
            parts += [self._layout_controls(), self._image, self._status]
            self._widget = widgets.VBox(parts)
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Show the live widget, plus a PNG of the current state for static viewers.

        JupyterLab shows the widget; GitHub, nbviewer and HTML exports, which
        have no kernel, fall back to the picture.
        """
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle = dict(bundle)
        if self.png:
            bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        bundle["text/plain"] = f"<{type(self).__name__}: move the controls to explore>"
        return bundle


def _whole_pixels(inches: float, dpi: float) -> float:
    """``inches``, or for matplotlib before 3.11 a hair more if ``inches * dpi`` is meant
    to be a whole number of pixels.

    9.2 in at 90 dpi is 827.9999999999999 px in floating point. matplotlib 3.11
    allows for such rounding errors and makes it 828 px; earlier versions truncate
    it to 827. The next float above 9.2 in gives 828 with those too.
    """
    pixels = round(inches * dpi)
    if _MATPLOTLIB_3_11 or abs(inches * dpi - pixels) > 1e-6:
        return inches
    size = pixels / dpi
    while size * dpi < pixels:
        size = math.nextafter(size, math.inf)
    return size


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ----------------------------------------------------------------------------
# speed: PNG writing and text drawing
# ----------------------------------------------------------------------------
def png_bytes(rgba: np.ndarray) -> bytes:
    """Encode an (H, W, 4) uint8 RGBA picture (e.g. an Agg canvas) as a PNG, quickly.

    The rows are stored as they are (no PNG row filter, RGBA kept, so no
    pixel-by-pixel copy) and compressed with zlib level 1: about 4 ms for a
    900x650 figure, half of what Pillow needs, for a file ~40% larger (~50 kB;
    flat colours compress well without filtering).
    """
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    height, width = rgba.shape[:2]
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type 0 (None) for every row
    rows[:, 1:] = rgba.reshape(height, 4 * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows, 1)),
            chunk(b"IEND", b""),
        ]
    )


class _TextCachingRenderer(RendererAgg):
    """An Agg renderer that rasterises each distinct string only once.

    matplotlib lays out and renders a text glyph by glyph on every draw. Here
    the first draw of a string (with its font, size, angle) renders it once on
    a small scratch canvas and keeps its coverage mask; later draws stamp the
    mask with the text's colour, exactly as matplotlib stamps each glyph.
    Positions are kept to a quarter pixel (a string at a new sub-pixel offset
    gets a mask of its own), so the picture matches matplotlib's own within
    rounding. TeX text is drawn the usual way. The masks are shared by all
    figures and the least recently used are dropped beyond ``_MAX_MASKS``.
    """

    _masks: OrderedDict = OrderedDict()  # shared by all explorers, least recently used first
    _MAX_MASKS = 2048  # a few MB at most

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath == "TeX" or not s.strip():
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        extra = ()
        if mtext is not None and hasattr(mtext, "get_fontfeatures"):
            extra = (str(mtext.get_fontfeatures()), str(mtext.get_language()))
        # whole pixels move the stamp; the quarter-pixel rest is part of the key
        x0, fx = _split_pixel(x)
        y0, fy = _split_pixel(y)
        antialiased = bool(gc.get_antialiased())
        hinting = (mpl.rcParams["text.hinting"], mpl.rcParams["text.hinting_factor"])
        key = (s, hash(prop), angle, ismath, self.dpi, antialiased, hinting, fx, fy, extra)
        found = self._masks.get(key)
        if found is None:
            found = self._render_mask(antialiased, s, prop, angle, ismath, mtext, fx, fy)
            self._masks[key] = found
            if len(self._masks) > self._MAX_MASKS:
                self._masks.popitem(last=False)
        else:
            self._masks.move_to_end(key)
        mask, top, left = found
        if mask is not None:
            # draw_text_image takes the bitmap's left column and its bottom row (y downwards)
            bottom = y0 + top + mask.shape[0]
            self._renderer.draw_text_image(mask, x0 + left, bottom, 0, gc)

    def _render_mask(self, antialiased, s, prop, angle, ismath, mtext, fx, fy):
        """Coverage mask of the text drawn at (fx, fy), and its top-left offset."""
        width, height, _ = self.get_text_width_height_descent(s, prop, ismath)
        margin = 4 + int(math.ceil(width + height if angle else height))
        size_x = int(math.ceil(width if not angle else 0)) + 2 * margin
        scratch = RendererAgg(size_x, 2 * margin, self.dpi)
        scratch_gc = scratch.new_gc()
        scratch_gc.set_antialiased(antialiased)
        RendererAgg.draw_text(
            scratch, scratch_gc, margin + fx, margin + fy, s, prop, angle, ismath, mtext
        )
        scratch_gc.restore()
        alpha = np.asarray(scratch.buffer_rgba())[..., 3]
        rows = np.flatnonzero(alpha.any(axis=1))
        cols = np.flatnonzero(alpha.any(axis=0))
        if rows.size == 0:
            return None, 0, 0
        mask = alpha[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].copy()
        return mask, int(rows[0]) - margin, int(cols[0]) - margin


# matplotlib 3.11 places each glyph at its sub-pixel position, so a mask drawn a
# quarter pixel off lands within 1/8 px. Earlier versions move the whole string to
# the nearest pixel, where a quarter-pixel error can tip it one pixel over: there
# the exact position is kept (a redraw at the same place, the usual case, still
# finds its mask).
def _split_pixel(value: float) -> tuple[int, float]:
    """Whole pixels and the rest rounded to a quarter: 10.3 -> (10, 0.25).

    With matplotlib before 3.11 the rest is kept as it is: 10.3 -> (10, 0.3...).
    """
    whole = math.floor(value)
    if not _MATPLOTLIB_3_11:
        return whole, value - whole
    quarter = round((value - whole) * 4) / 4
    return (whole + 1, 0.0) if quarter == 1 else (whole, quarter)


class _TextCachingCanvas(FigureCanvasAgg):
    """FigureCanvasAgg drawing with a :class:`_TextCachingRenderer`."""

    def get_renderer(self):
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        if getattr(self, "_renderer_key", None) != key:
            self.renderer = _TextCachingRenderer(width, height, self.figure.dpi)
            self._renderer_key = key
        return self.renderer
