"""How an explorer's figure becomes PNG bytes quickly: the speed tricks, apart from the contract.

:class:`cnnlib.explorers._base.Explorer` says *what* an explorer does (controls,
output, message, description, update, png); this module holds *how* its
picture is made fast enough for a slider (p95 <= 50 ms per update, measured by
``benchmarks/widget_latency.py``):

:func:`png_bytes`
    writes the Agg canvas's pixels as a PNG without row filters, deflated at
    level 1 by ISA-L (``isal``): 0.3-1.5 ms for a 830x500 figure, 1.5-3 ms for
    a 2x one (1656x990), 5-8x faster than zlib at level 1.
:class:`TextCachingCanvas`
    an Agg canvas whose renderer rasterises each distinct string once and
    stamps the kept mask on later draws (matplotlib otherwise lays out every
    title glyph by glyph on every draw, ~1-4 ms per text).
:func:`freeze_layout`
    after the first draw, turns constrained layout off and pins the axes
    titles where that draw put them (:func:`freeze_title_positions`), so later
    draws neither re-measure the layout nor make titles jump.
:func:`whole_pixels`
    figure sizes that come out as whole pixels with matplotlib before 3.11
    too (with :func:`_split_pixel`, the explorers look the same on 3.9-3.11).
:func:`set_pixel_density`
    how many image pixels an explorer draws per CSS pixel: 1 (90 dpi, as
    before), 2 for HiDPI screens and projectors (sharp numbers and lines at the
    same size on the page), chosen automatically from the display's
    ``devicePixelRatio`` unless a notebook or ``$CNN_PIXEL_DENSITY`` says so.
:class:`QuickWhileMoving`
    at density 2 a picture has 4x the pixels to draw, send and decode; while
    the learner moves a control in the browser, each update is drawn at
    density 1 (half the time, a quarter of the bytes) and the sharp picture
    follows once the control has rested for :data:`SHARPEN_AFTER` seconds.

Nothing here is needed to understand an explorer; read ``_base.py`` for that.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import struct
import weakref
import zlib
from collections import OrderedDict

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

from cnnlib import _validate as v

__all__ = [
    "DENSITY_VARIABLE",
    "SHARPEN_AFTER",
    "QuickWhileMoving",
    "control_moving",
    "TextCachingCanvas",
    "freeze_layout",
    "freeze_title_positions",
    "pixel_density",
    "png_bytes",
    "set_pixel_density",
    "whole_pixels",
]


# ----------------------------------------------------------------------------
# pixel density: sharp pictures on HiDPI screens and projectors
# ----------------------------------------------------------------------------
#: The environment variable that sets the density for a whole session or class
#: ("2", or "auto"), e.g. in a JupyterHub image; set_pixel_density() overrides it.
DENSITY_VARIABLE = "CNN_PIXEL_DENSITY"
_MAX_DENSITY = 4.0  # 4x a notebook-wide figure is ~3300 px wide: beyond, no screen gains

_chosen: float | None = None  # set_pixel_density(n); None = not set (automatic)
_display: float = 1.0  # the density the last browser that reported asked for
_live: weakref.WeakSet = weakref.WeakSet()  # explorers alive, to apply a new setting to


def _as_density(value, name: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValueError(
                f"{name} must be a number from 1 to {_MAX_DENSITY:g} or 'auto', but is "
                f"{value!r}; e.g. {name}=2 for a HiDPI screen or a projector"
            ) from None
    return v.as_number(
        value,
        name,
        low=1,
        high=_MAX_DENSITY,
        example=2,
        why="1 is a normal screen, 2 a HiDPI screen or projector",
    )


def set_pixel_density(density="auto") -> None:
    """Render every explorer at ``density`` image pixels per CSS pixel.

    The picture keeps its size on the page; at 2 it is drawn with twice as
    many pixels each way, so numbers and lines stay sharp on HiDPI laptops,
    on projectors and with the browser zoomed in (4x the pixels to draw and
    send: each update takes ~1.5-2.5x longer).

    Parameters
    ----------
    density : {"auto"} or float from 1 to 4
        ``"auto"`` (the default): follow the display, as the browser reports
        it (``devicePixelRatio`` above 1 -> 2, else 1), unless the environment
        variable ``CNN_PIXEL_DENSITY`` gives a number. A number: use it for
        every explorer, already shown or made later, whatever the display.

    Examples
    --------
    >>> from cnnlib.explorers import set_pixel_density
    >>> set_pixel_density(2)  # a class on a projector: every explorer at 2x
    """
    global _chosen
    _chosen = None if density == "auto" else _as_density(density, "density")
    for explorer in list(_live):
        explorer._apply_pixel_density(pixel_density())


def pixel_density() -> float:
    """The density an explorer renders at now (see :func:`set_pixel_density`)."""
    if _chosen is not None:
        return _chosen
    configured = os.environ.get(DENSITY_VARIABLE, "auto").strip()
    if configured not in ("", "auto"):
        return _as_density(configured, DENSITY_VARIABLE)
    return _display


def display_reported(ratio: float) -> float:
    """A browser reported its ``devicePixelRatio``: remember the density it asks for
    (for explorers made later) and return the density to render at now."""
    global _display
    if ratio > 0:
        _display = 2.0 if ratio > 1.0 else 1.0
    return pixel_density()


# ----------------------------------------------------------------------------
# a quick picture while a control moves, the sharp one when it rests
# ----------------------------------------------------------------------------
#: Seconds a control must rest before the sharp picture replaces the quick one: longer
#: than the gap between key repeats or drag events (~30-100 ms), short enough that the
#: picture is sharp by the time the eye has found what changed.
SHARPEN_AFTER = 0.2


def control_moving() -> bool:
    """True while the kernel answers a message from the page: a learner moved a control.

    A widget message reaches the kernel as a ``comm_msg``; a notebook cell that
    sets a control runs in an ``execute_request``, and plain Python (tests,
    scripts, benchmarks) has no kernel at all. ``Kernel.get_parent()`` (public
    in ipykernel 6 and 7) gives the message being handled.
    """
    from cnnlib.explorers._busy_kernel import running_kernel

    kernel = running_kernel()
    if kernel is None or not hasattr(kernel, "get_parent"):
        return False
    try:
        header = (kernel.get_parent() or {}).get("header") or {}
    except Exception:  # another kernel's idea of a parent: no quick pictures, nothing breaks
        return False
    return header.get("msg_type") == "comm_msg"


class QuickWhileMoving:
    """Show an explorer's updates at density 1 while a control moves; sharpen at rest.

    ``show()`` draws the figure at 1 image pixel per CSS pixel (the page keeps
    its size, the browser stretches the picture), then asks the kernel's event
    loop to call ``sharpen()`` after :data:`SHARPEN_AFTER` seconds; each new
    ``show()`` moves that call later, so the sharp picture is drawn once, when
    the control rests. Without a running event loop (no kernel) ``show()``
    simply renders sharp.

    Parameters
    ----------
    explorer : Explorer
        Its ``render()`` draws and publishes at the figure's current dpi;
        ``explorer._dpi`` is the dpi at density 1.
    """

    def __init__(self, explorer):
        self._explorer = weakref.ref(explorer)
        self._timer = None

    @property
    def pending(self) -> bool:
        """A quick picture is shown and the sharp one is still to come."""
        return self._timer is not None

    def show(self):
        explorer = self._explorer()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no kernel's event loop to sharpen later: sharp now
            self.sharpen()
            return
        self.cancel()
        with _at_density_one(explorer):
            explorer.render()
        self._timer = loop.call_later(SHARPEN_AFTER, self._at_rest)

    def warm(self):
        """Draw once at density 1 without showing it: the first quick picture is quick too.

        (A first draw at a new dpi lays out every text and, for a
        :class:`~cnnlib.explorers._blit.BlitExplorer`, draws its background.)
        """
        explorer = self._explorer()
        explorer._publish = lambda rgba: None  # this instance only, for this one draw
        try:
            with _at_density_one(explorer):
                explorer.render()
        finally:
            del explorer._publish

    def cancel(self):
        """Forget the sharp picture still to come (a sharp one is being drawn anyway)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def sharpen(self):
        """Draw and show the sharp picture now."""
        self.cancel()
        explorer = self._explorer()
        if explorer is not None:
            explorer.render()

    def _at_rest(self):
        self._timer = None
        # the loop's own callback: an error here would land in the kernel's log, not
        # the notebook; the quick picture (same state, fewer pixels) then stays up
        with contextlib.suppress(Exception):
            self.sharpen()


@contextlib.contextmanager
def _at_density_one(explorer):
    """Draw ``explorer``'s figure at 1 image pixel per CSS pixel inside the block."""
    figure = explorer.figure
    sharp_dpi = figure.dpi
    figure.set_dpi(explorer._dpi)
    try:
        yield
    finally:
        figure.set_dpi(sharp_dpi)


# ----------------------------------------------------------------------------
# PNG writing
# ----------------------------------------------------------------------------
# Deflate dominates writing a PNG. Intel's ISA-L library (the ``isal`` package, a
# dependency) deflates a figure's rows about 8x faster than zlib at level 1, into a
# slightly smaller stream that every PNG decoder reads like zlib's; zlib is the
# fallback where ``isal`` has no wheel. A 2x frame (1656x990): ~1.5 ms instead of ~11 ms.
try:
    from isal import isal_zlib as _deflate
except ImportError:  # pragma: no cover - isal is a dependency
    _deflate = zlib


def png_bytes(rgba: np.ndarray) -> bytes:
    """Encode an (H, W, 4) uint8 RGBA picture (e.g. an Agg canvas) as a PNG, quickly.

    The rows are stored as they are (filter type 0, RGBA kept, so no pixel is
    copied more than once) and compressed at level 1 (ISA-L's, or zlib's if
    ``isal`` is missing): flat colours compress well without filtering.

    Parameters
    ----------
    rgba : array (H, W, 4) of uint8
    """
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    height, width = rgba.shape[:2]
    idat = _deflate.compress(_filtered_rows(rgba), 1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", idat),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def _filtered_rows(rgba: np.ndarray) -> np.ndarray:
    """The image's rows, each preceded by its PNG filter byte (0: none)."""
    height, width = rgba.shape[:2]
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 0] = 0
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    return rows


# ----------------------------------------------------------------------------
# matplotlib versions: sub-pixel sizes
# ----------------------------------------------------------------------------
# matplotlib 3.11 allows for floating-point rounding in figure sizes and places text
# at sub-pixel positions; with earlier versions whole_pixels and _split_pixel make the
# explorers look the same
_MATPLOTLIB_3_11 = mpl.__version_info__[:2] >= (3, 11)


def whole_pixels(inches: float, dpi: float) -> float:
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


# ----------------------------------------------------------------------------
# frozen layout and titles
# ----------------------------------------------------------------------------
# matplotlib re-places a title on every draw while the private attribute
# Axes._autotitlepos is True (the default for a title set without ``y``): it measures
# every decoration above the axes, ~1 ms per axes. Setting it to False keeps the title
# where it is. It exists in matplotlib 3.0 to 3.11 (checked); a major version may drop
# or rename it, so it is only touched within the versions below, and only if present.
# Otherwise titles are placed the slow way again, which tests/explorers/test_base.py
# notices (it checks that the attribute is there and that a title does not move).
_TITLE_FREEZE_VERSIONS = ((3, 0), (4, 0))  # from, up to but not including


def freeze_title_positions(figure) -> bool:
    """Pin every axes title of ``figure`` where the last draw put it.

    Returns True if it could (matplotlib 3 and its private ``Axes._autotitlepos``),
    False if titles will keep being placed on every draw.
    """
    low, high = _TITLE_FREEZE_VERSIONS
    known = low <= tuple(mpl.__version_info__[:2]) < high
    frozen = True
    for ax in figure.axes:
        if known and hasattr(ax, "_autotitlepos"):
            ax._autotitlepos = False
        else:
            frozen = False
    return frozen


def freeze_layout(figure) -> None:
    """After a first draw: no more layout engine, titles pinned (see module docstring)."""
    figure.set_layout_engine("none")
    freeze_title_positions(figure)


# ----------------------------------------------------------------------------
# text drawn once, stamped afterwards
# ----------------------------------------------------------------------------
class TextCachingRenderer(RendererAgg):
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
    _MAX_MASKS = 4096  # a few MB at most (twice the 1x need: 2x figures have their own masks)

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


class TextCachingCanvas(FigureCanvasAgg):
    """FigureCanvasAgg drawing with a :class:`TextCachingRenderer`."""

    def get_renderer(self):
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        previous = getattr(self, "_renderer_key", None)
        if previous != key:
            # this size's and the last one's are kept: a quick 1x picture and the sharp
            # one take turns
            kept = getattr(self, "_renderers", {})
            renderer = kept.get(key) or TextCachingRenderer(width, height, self.figure.dpi)
            self._renderers = {k: r for k, r in kept.items() if k == previous}
            self._renderers[key] = renderer
            self.renderer, self._renderer_key = renderer, key
        return self.renderer
