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

import functools
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
NO_SAMPLE = -1  #: the ``sample`` menu's value when the pad writes no digit itself


def _arc(cx, cy, rx, ry, start, stop, points=24):
    """Points on an ellipse from angle ``start`` to ``stop`` (degrees, 0 = right, 90 = down)."""
    t = np.radians(np.linspace(start, stop, points))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in t]


#: The digits the pad can write by itself (the ``sample`` menu, the keyboard's way to get a
#: digit onto the pad): pen strokes through points in pad units (0-1, x right, y down),
#: drawn with the current brush like the learner's own strokes.
SAMPLE_STROKES = {
    0: [_arc(0.5, 0.5, 0.2, 0.31, -90, 270, 40)],
    1: [[(0.42, 0.27), (0.53, 0.18), (0.49, 0.82)]],
    2: [_arc(0.5, 0.34, 0.19, 0.17, 190, 380, 16) + [(0.3, 0.8), (0.72, 0.8)]],
    3: [_arc(0.49, 0.33, 0.18, 0.16, 200, 440, 16) + _arc(0.49, 0.65, 0.2, 0.18, -80, 160, 16)],
    4: [[(0.6, 0.82), (0.6, 0.18), (0.28, 0.62), (0.75, 0.62)]],
    5: [[(0.7, 0.18), (0.36, 0.18), (0.33, 0.46)] + _arc(0.5, 0.63, 0.2, 0.19, -120, 150, 18)],
    6: [[(0.64, 0.18), (0.47, 0.3), (0.36, 0.47)] + _arc(0.5, 0.65, 0.17, 0.18, 180, 540, 30)],
    7: [[(0.28, 0.2), (0.72, 0.2), (0.45, 0.82)]],
    8: [
        _arc(0.5, 0.33, 0.15, 0.15, 90, 450, 28),
        _arc(0.5, 0.65, 0.18, 0.17, -90, 270, 30),
    ],
    9: [_arc(0.49, 0.35, 0.17, 0.17, 0, 360, 28) + [(0.66, 0.35), (0.63, 0.82)]],
}


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


def digit_words(digit, probs) -> str:
    """What the network sees and says, in words: the digit's ink and the ten bars."""
    rows = np.flatnonzero(digit.any(axis=1))
    cols = np.flatnonzero(digit.any(axis=0))
    order = np.argsort(probs)[::-1]
    best = int(order[0])
    others = ", ".join(f"{int(d)} ({probs[d]:.0%})" for d in order[1:3])
    return (
        f"What the network sees: a {digit.shape[0]}x{digit.shape[1]} digit, ink in rows "
        f"{rows[0]} to {rows[-1]} and columns {cols[0]} to {cols[-1]} "
        f"({int(np.count_nonzero(digit))} of {digit.size} pixels). Ten bars of probabilities: "
        f"the network says {best}, {probs[best]:.0%} sure (the dark bar); next {others}."
    )


@functools.lru_cache(maxsize=8)
def _disk(radius: int) -> np.ndarray:
    """The brush's round tip, made once per size (it is stamped every 2 pixels of a stroke)."""
    r = np.arange(-radius, radius + 1)
    disk = (r[:, None] ** 2 + r[None, :] ** 2 <= radius**2).astype(np.float32)
    disk.flags.writeable = False
    return disk


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
        self._strokes = []  # the learner's strokes, each a list of (x, y) in pad pixels
        self._sample = []  # the strokes of the digit chosen in the sample menu

        self.controls["sample"] = widgets.Dropdown(
            options=[("none", NO_SAMPLE)] + [(str(d), d) for d in SAMPLE_STROKES],
            value=NO_SAMPLE,
            description="sample digit",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="170px"),
        )
        self.controls["sample"].observe(self._sample_chosen, names="value")
        self.controls["brush"] = widgets.IntSlider(
            value=max(4, self.size // 14), min=2, max=max(6, self.size // 8), description="brush"
        )
        self.controls["brush"].observe(lambda _: self._repaint(), names="value")
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
        # the sample menu and the brush repaint the pad (above), then the picture is
        # prepared and read again, as after a stroke
        self._watch()
        self._bridge.canvas_name = (
            "drawing pad: draw a digit with the mouse or a finger; from the keyboard, choose "
            "a sample digit"
        )
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
        self._strokes.append([(x, y)])
        self._stamp(x, y)

    def _on_move(self, x, y):
        if not self._drawing_now:
            return
        self._segment(self._last, (x, y))
        self._last = (x, y)
        self._strokes[-1].append((x, y))
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
        self._ink(start, end)
        if self.canvas is not None:
            (xa, ya), (xb, yb) = start, end
            self.canvas.line_width = self.controls["brush"].value
            self.canvas.stroke_line(xa, ya, xb, yb)

    def _ink(self, start, end):
        """Stamp the brush along a straight line into :attr:`drawing` (every 2 pixels)."""
        (xa, ya), (xb, yb) = start, end
        steps = max(1, int(np.hypot(xb - xa, yb - ya) // 2))
        for t in np.linspace(0, 1, steps + 1)[1:]:
            self._stamp(xa + t * (xb - xa), ya + t * (yb - ya))

    def _repaint(self):
        """Draw every stroke again with the current brush: into the array and on the canvas."""
        self.drawing[:] = 0
        strokes = [*self._sample, *self._strokes]
        for stroke in strokes:
            self._stamp(*stroke[0])
            for a, b in zip(stroke[:-1], stroke[1:]):
                self._ink(a, b)
        if self.canvas is None:
            return
        from ipycanvas import hold_canvas

        width = self.controls["brush"].value
        with hold_canvas():
            self.canvas.clear()
            self.canvas.fill_style = "white"
            self.canvas.fill_rect(0, 0, self.size, self.size)
            self.canvas.fill_style = INK
            self.canvas.line_width = width
            for stroke in strokes:
                if len(stroke) == 1:  # a dot
                    self.canvas.fill_circle(*stroke[0], width / 2)
                else:
                    self.canvas.stroke_lines(stroke)
            self.canvas.fill_style = "white"

    def _sample_chosen(self, change):
        """The sample menu: the pad writes that digit itself (replacing the last sample)."""
        digit = change["new"]
        self._sample = [
            [(x * self.size, y * self.size) for x, y in stroke]
            for stroke in SAMPLE_STROKES.get(digit, [])
        ]
        self._repaint()

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
        self._strokes.append(points)
        self._stamp(*points[0])
        for a, b in zip(points[:-1], points[1:]):
            self._segment(a, b)
        self.update()

    def clear(self):
        """Wipe the pad (the learner's strokes and any sample digit) and the prediction."""
        self._strokes.clear()
        if self.controls["sample"].value != NO_SAMPLE:
            self.controls["sample"].value = NO_SAMPLE  # repaints and updates
            return
        self._repaint()
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

    def _describe_picture(self, probs):
        """What is on the pad, what the network sees of it and its ten probabilities."""
        sample = self.controls["sample"].value
        brush = self.controls["brush"].value
        mine = len(self._strokes)
        strokes = f"{mine} stroke{'s' if mine != 1 else ''} of yours" if mine else ""
        if sample != NO_SAMPLE:
            strokes = f"the sample {sample}" + (f" and {strokes}" if strokes else "")
        if probs is None:
            return (
                f"The pad is empty (brush {brush} px): the network's 28x28 view is blank and "
                "its ten probability bars are empty."
            )
        pad = f"On the pad: {strokes}, brush {brush} px." if strokes else f"Brush {brush} px."
        return f"{pad} {digit_words(self.digit, probs)}"

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
