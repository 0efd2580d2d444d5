"""Draw your own digit and watch a trained network read it.

The learner draws with the mouse on an HTML canvas (ipycanvas). The drawing is
kept as a numpy array in Python, prepared the way MNIST digits were
(:func:`cnnlib.mnist_style`), and fed to the network; the picture shows the
28x28 image the network really sees and its ten probabilities.

A notebook viewed without a kernel (GitHub, an HTML export) cannot show the
canvas: there the pad appears as one picture of the drawing beside the
network's view and its answer, as they were when the cell was shown.
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np

from cnnlib import _validate as v
from cnnlib.explorers._base import Explorer
from cnnlib.explorers._render import png_bytes
from cnnlib.preprocess import mnist_style
from cnnlib.training import prepare_images

__all__ = ["DigitPad"]

INK = "#111111"
EMPTY = "The pad is empty: draw a digit (0-9) large, in the middle of the box."


def probability_bars(ax):
    """Ten bars on ``ax`` for the network's probabilities of the digits 0-9.

    Returns the bars and the title that :func:`show_probabilities` updates.
    """
    bars = ax.bar(range(10), np.zeros(10), color="#9e9ac8")
    ax.set_xticks(range(10))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("digit")
    ax.set_ylabel("probability")
    return bars, ax.set_title("")


def show_probabilities(bars, title, probs):
    """Set the bars to ``probs`` (10,), the most likely digit dark; all empty for None."""
    shown = np.zeros(10) if probs is None else probs
    best = int(np.argmax(shown))
    for digit, (bar, p) in enumerate(zip(bars, shown)):
        bar.set_height(p)
        bar.set_color("#54278f" if probs is not None and digit == best else "#bcbddc")
    title.set_text("" if probs is None else f"the network says {best} ({shown[best]:.0%} sure)")


def top_guesses(probs, count=3):
    """'Top guesses: 7 (98%), 1 (1%), 9 (0%)': the status line under the bars."""
    order = np.argsort(probs)[::-1]
    return "Top guesses: " + ", ".join(f"{d} ({probs[d]:.0%})" for d in order[:count])


def _disk(radius: int) -> np.ndarray:
    r = np.arange(-radius, radius + 1)
    return (r[:, None] ** 2 + r[None, :] ** 2 <= radius**2).astype(np.float32)


def _shrink(drawing, side=70):
    """Average blocks of pixels so that the drawing is about ``side`` pixels wide.

    Shrinking a 280-pixel drawing straight to 20 pixels by interpolation keeps
    hard, jagged edges (it samples a few points); averaging blocks first gives
    the soft gray edges MNIST digits have (they were anti-aliased the same way).
    """
    factor = max(1, drawing.shape[0] // side)
    if factor == 1:
        return drawing
    h, w = (n - n % factor for n in drawing.shape)
    blocks = drawing[:h, :w].reshape(h // factor, factor, w // factor, factor)
    return blocks.mean(axis=(1, 3))


class DigitPad(Explorer):
    """A drawing pad wired to a digit classifier.

    Parameters
    ----------
    model : object with ``predict_proba(x)``, optional
        Takes (N, 1, 28, 28) float32 images scaled to [0, 1] and returns
        (N, 10) probabilities. Default: the course's pretrained network
        (:func:`cnnlib.load_pretrained`).
    size : int
        Side of the square drawing area in screen pixels.

    Attributes
    ----------
    drawing : float32 array, shape (size, size)
        The ink drawn so far (1 = ink, 0 = paper).
    digit : uint8 array, shape (28, 28)
        The drawing prepared like an MNIST digit: what the network sees.
    output : float array, shape (10,), or None
        The network's probabilities for the digits 0-9 (None while the pad is empty).
    message : str
        While the pad is empty, the sentence asking for a digit; else "".

    Headless use (tests, scripts): :meth:`draw_stroke` draws a polyline given in
    pad coordinates, :meth:`clear` wipes the pad.
    """

    title = "Draw a digit: hold the mouse button down (or use a finger) and write in the box"
    #: while drawing, the pause between the end of one refresh and the next (each ~15 ms)
    refresh_seconds = 0.05

    def __init__(self, model=None, size=280):
        size = v.as_int(size, "size", minimum=100, maximum=1000, why="the pad is on screen")
        if model is not None and not callable(getattr(model, "predict_proba", None)):
            raise TypeError(
                f"model must be a trained network with predict_proba(x), e.g. "
                f"load_pretrained(), but is {model!r:.80}"
            )
        super().__init__(figsize=(6.2, 2.9))
        if model is None:
            from cnnlib import load_pretrained

            model = load_pretrained()
        self.model = model
        self.size = size
        self.drawing = np.zeros((self.size, self.size), np.float32)
        self.digit = np.zeros((28, 28), np.uint8)
        self._last = None
        self._last_refresh = 0.0
        self._drawing_now = False
        self._digit_listeners = []

        self.controls["brush"] = widgets.IntSlider(
            value=max(4, self.size // 14), min=2, max=max(6, self.size // 8), description="brush"
        )
        self.controls["clear"] = widgets.Button(description="Clear", icon="eraser")
        self.controls["clear"].on_click(lambda _: self.clear())
        self.canvas = self._make_canvas()

        # room for the titles over the square picture (its aspect ratio fixes its height)
        self.figure.get_layout_engine().set(h_pad=0.12)
        ax_img, ax_bar = self.figure.subplots(1, 2, width_ratios=[1, 1.6])
        self._img = ax_img.imshow(self.digit, cmap="gray_r", vmin=0, vmax=255)
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        ax_img.set_title("what the network sees")
        self._bars, self._bar_title = probability_bars(ax_bar)
        self._watch()  # the brush: the picture is prepared and read again (as after a stroke)
        self.update()

    def benchmark_sweep(self):
        """For ``benchmarks/widget_latency.py``: draw a 7 (not timed), then move the brush
        slider; each move prepares the drawing and asks the network again, the work
        that follows every pen stroke."""
        self.clear()
        self.draw_stroke([(70, 50), (210, 50), (120, 240)])
        for size in (6, 10, 14, 18, 22, 26, 30, 20):
            yield "brush", size

    def observe_digit(self, callback):
        """Call ``callback(digit)`` whenever the pad has prepared a new digit.

        That is after each stroke, a Clear or a brush change, never while the
        pen is still moving; ``digit`` is :attr:`digit`, (28, 28) uint8. Other
        explorers use it to follow the drawing (e.g.
        :class:`~cnnlib.explorers.attribution.AttributionExplorer`).
        """
        self._digit_listeners.append(callback)

    def update(self, change=None):
        """Recompute and redraw; on an empty pad, ``message`` asks for a digit."""
        super().update(change)
        if self.output is None and not self.message:
            self.message = EMPTY  # no answer to show: say why, as every explorer does
        if not self._drawing_now:
            for callback in self._digit_listeners:
                callback(self.digit)
        # counted from the end: when a refresh takes longer than refresh_seconds (a busy
        # machine), the pen's events that queued up meanwhile are drawn without one
        self._last_refresh = time.perf_counter()

    # -- the canvas -----------------------------------------------------------------
    def _make_canvas(self):
        try:
            from ipycanvas import Canvas
        except ImportError:  # the pad still works headless, without a canvas
            return None
        canvas = Canvas(
            width=self.size,
            height=self.size,
            layout=widgets.Layout(
                width=f"{self.size}px", height=f"{self.size}px", border="2px solid #888"
            ),
        )
        canvas.line_cap = "round"
        canvas.line_join = "round"
        canvas.stroke_style = INK
        canvas.fill_style = "white"
        canvas.fill_rect(0, 0, self.size, self.size)
        canvas.on_mouse_down(self._on_down)
        canvas.on_mouse_move(self._on_move)
        canvas.on_mouse_up(self._on_up)
        canvas.on_mouse_out(self._on_up)
        # fingers and pens on a touch screen: follow the first finger
        canvas.on_touch_start(lambda touches: touches and self._on_down(*touches[0]))
        canvas.on_touch_move(lambda touches: touches and self._on_move(*touches[0]))
        canvas.on_touch_end(lambda touches: self._on_up(0, 0))
        canvas.on_touch_cancel(lambda touches: self._on_up(0, 0))
        return canvas

    def _on_down(self, x, y):
        self._drawing_now = True
        self._last = (x, y)
        self._stamp(x, y)

    def _on_move(self, x, y):
        if not self._drawing_now:
            return
        self._segment(self._last, (x, y))
        self._last = (x, y)
        if time.perf_counter() - self._last_refresh > self.refresh_seconds:
            self.update()

    def _on_up(self, x, y):
        if self._drawing_now:
            self._drawing_now = False
            self.update()

    # -- drawing into the array (and onto the canvas) ------------------------------------
    def _stamp(self, x, y):
        radius = self.controls["brush"].value // 2
        disk = _disk(radius)
        cx, cy = int(round(x)), int(round(y))
        top, left = cy - radius, cx - radius
        y0, x0 = max(top, 0), max(left, 0)
        y1, x1 = min(top + disk.shape[0], self.size), min(left + disk.shape[1], self.size)
        if y0 >= y1 or x0 >= x1:
            return
        patch = disk[y0 - top : y1 - top, x0 - left : x1 - left]
        np.maximum(self.drawing[y0:y1, x0:x1], patch, out=self.drawing[y0:y1, x0:x1])

    def _segment(self, start, end):
        (xa, ya), (xb, yb) = start, end
        steps = max(1, int(np.hypot(xb - xa, yb - ya) // 2))
        for t in np.linspace(0, 1, steps + 1)[1:]:
            self._stamp(xa + t * (xb - xa), ya + t * (yb - ya))
        if self.canvas is not None:
            self.canvas.line_width = self.controls["brush"].value
            self.canvas.stroke_line(xa, ya, xb, yb)

    def draw_stroke(self, points):
        """Draw a polyline through ``points`` [(x, y), ...] in pad pixels, then update."""
        points = v.finite_float_array(points, "points")
        if points.size and (points.ndim != 2 or points.shape[1] != 2):
            raise ValueError(
                f"points must be a list of (x, y) pairs in pad pixels, but has shape "
                f"{points.shape}; e.g. [(40, 20), (40, 120)]"
            )
        points = [tuple(map(float, p)) for p in points.reshape(-1, 2)]
        if not points:
            return
        self._stamp(*points[0])
        for a, b in zip(points[:-1], points[1:]):
            self._segment(a, b)
        self.update()

    def clear(self):
        """Wipe the pad and the prediction."""
        self.drawing[:] = 0
        if self.canvas is not None:
            self.canvas.clear()
            self.canvas.fill_rect(0, 0, self.size, self.size)
        self.update()

    # -- the explorer contract -------------------------------------------------------------
    def _compute(self):
        self.digit = mnist_style(_shrink(self.drawing))
        if not self.digit.any():
            return None
        x = prepare_images(self.digit[None])  # (1, 1, 28, 28), ink 0-1 as in training
        return np.asarray(self.model.predict_proba(x))[0]

    def _draw(self, probs):
        self._img.set_data(self.digit)
        show_probabilities(self._bars, self._bar_title, probs)
        if probs is None:
            self._bar_title.set_text("draw a digit in the box")

    def _describe(self, probs):
        if probs is None:
            return EMPTY
        return top_guesses(probs)

    # -- the picture for viewers without a kernel -------------------------------------------
    def static_png(self) -> bytes:
        """One PNG of the whole pad: the drawing (ink on paper, framed) beside the figure.

        The live pad shows the drawing on a canvas in the browser, which a
        notebook viewed without a kernel cannot show; this picture stands in
        for it there.
        """
        figure = np.asarray(self.figure.canvas.buffer_rgba())
        height = figure.shape[0]
        side = height - 24  # the drawing, square, with a margin above and below
        cells = (np.arange(side) * self.size) // side  # nearest pad pixel of each picture pixel
        ink = self.drawing[np.ix_(cells, cells)]
        paper = np.uint8(255) - (ink * (255 - int(INK[1:3], 16))).astype(np.uint8)
        picture = np.full((height, side + 24 + figure.shape[1], 4), 255, dtype=np.uint8)
        frame = picture[10 : 14 + side, 10 : 14 + side]
        frame[..., :3] = 136  # the canvas's 2-pixel gray border (#888)
        picture[12 : 12 + side, 12 : 12 + side, :3] = paper[..., None]
        picture[:, side + 24 :] = figure
        return png_bytes(picture)

    def _layout_controls(self):
        return widgets.HBox(list(self.controls.values()))

    def _widget_parts(self):
        pad = self.canvas if self.canvas is not None else widgets.HTML("(no canvas)")
        return [
            widgets.HTML(f"<b>{self.title}</b>"),
            self._layout_controls(),
            widgets.HBox([pad, self._image], layout=widgets.Layout(align_items="center")),
            self._status,
        ]
