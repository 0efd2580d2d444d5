"""The shapes a network's data takes on its way through, drawn to scale (the network builder).

Each stage (the input, the output of a convolution or a pooling, the
flattened vector, a dense layer's output) is drawn left to right:

* a stack of maps ``(C, H, W)`` as a box whose front is ``W`` wide and ``H``
  high, to scale, and whose depth grows with the number of maps ``C`` (with
  its square root, so that 64 maps do not push everything else off the
  picture);
* a vector of ``n`` numbers as a thin bar whose height grows with the number
  of digits of ``n`` (a log scale: 10 and 400,000 values on one picture).

:class:`ShapeDiagram` draws on an axes it is given and redraws in place, for
an explorer; all its boxes are one collection, so a redraw stays cheap.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ShapeDiagram", "STAGE_COLORS"]

#: Colour of each kind of stage (Okabe-Ito, readable for colour-blind viewers).
STAGE_COLORS = {
    "input": "#bbbbbb",
    "conv": "#56B4E9",
    "max pool": "#E69F00",
    "avg pool": "#CC79A7",
    "vector": "#009E73",
}
DEPTH = 1.4  # depth of a stack of maps: DEPTH * sqrt(C) map pixels
SLANT = (0.55, 0.4)  # how the depth is drawn: this much right and up per unit of depth
GAP = 5.0  # between two stages, in map pixels
BAR = 3.0  # width of a vector's bar
UNITS_HIGH = 64.0  # the axes' height in map pixels (a 28x28 map fills less than half)
MISSING = 12.0  # the room a stage that cannot be built takes
CAPTION_ROWS = 3  # captions of narrow neighbours are spread over up to three rows
CAPTION_STEP = 6.2  # from one row of captions to the next (two lines of text)
IMPOSSIBLE_COLOR = "#b35806"


def _faces(x, y, w, h, d):
    """Front, top and side of a box with its front's lower-left corner at (x, y)."""
    dx, dy = d * SLANT[0], d * SLANT[1]
    front = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    top = [(x, y + h), (x + w, y + h), (x + w + dx, y + h + dy), (x + dx, y + h + dy)]
    side = [(x + w, y), (x + w + dx, y + dy), (x + w + dx, y + h + dy), (x + w, y + h)]
    return front, top, side


def _size(shape):
    """(front width, front height, depth) of a stage in map pixels, before scaling."""
    if len(shape) == 3:
        c, h, w = shape
        return float(w), float(h), DEPTH * math.sqrt(c)
    (n,) = shape
    return BAR, 8.0 + 7.0 * math.log10(max(n, 1)), 0.0


class ShapeDiagram:
    """Boxes for the shapes of a network's stages, updated in place.

    Parameters
    ----------
    ax : matplotlib Axes
        Gets fixed limits and no ticks.
    capacity : int
        The most stages drawn (more are left out, with a note).
    fontsize : float
        Of the captions.

    Attributes
    ----------
    boxes : PolyCollection
        Three faces per stage.
    captions : list of Text
        One per stage: its name and its shape.
    note : Text
        Under the boxes: what is drawn to scale.
    scale : float
        Map pixels per axes unit of the last drawing (1: full size).
    """

    def __init__(self, ax, capacity=14, fontsize=8):
        from matplotlib.collections import PolyCollection

        self.ax = ax
        self.capacity = int(capacity)
        width, height = ax.get_window_extent().size
        self.units_wide = UNITS_HIGH * width / max(height, 1.0)
        ax.set_xlim(0, self.units_wide)
        ax.set_ylim(0, UNITS_HIGH)
        ax.set_axis_off()
        self.boxes = PolyCollection([], edgecolors="0.25", linewidths=0.6)
        ax.add_collection(self.boxes, autolim=False)
        self.captions = [
            ax.text(0, 0, "", ha="center", va="top", fontsize=fontsize, linespacing=1.15)
            for _ in range(self.capacity)
        ]
        self.note = ax.text(
            0.0, 0.0, "", transform=ax.transAxes, ha="left", va="bottom", fontsize=fontsize,
            color="0.35",
        )  # fmt: skip
        self.scale = 1.0
        # about how wide a character of the captions is, in axes units (to keep them apart)
        self.char_width = 0.62 * fontsize / 72 * ax.figure.dpi * self.units_wide / max(width, 1.0)

    @property
    def artists(self):
        return [self.boxes, *self.captions, self.note]

    def set(self, stages):
        """Draw ``stages``: a list of ``(caption, shape, kind)``.

        ``shape`` is ``(C, H, W)`` or ``(n,)``; ``kind`` a key of
        :data:`STAGE_COLORS`, or ``"impossible"`` (with ``shape`` None) for a
        stage that cannot be built: its caption is written in red where its
        box would be. An empty list clears the picture.
        """
        stages = list(stages)[: self.capacity]
        sizes = [
            _size(shape) if shape is not None else (MISSING, 0.0, 0.0) for _, shape, _ in stages
        ]
        widths = [w + d * SLANT[0] for w, _, d in sizes]
        heights = [h + d * SLANT[1] for _, h, d in sizes]
        total = sum(widths) + GAP * max(len(stages) - 1, 0)
        room_w, room_h = self.units_wide - 2.0, UNITS_HIGH * 0.5  # captions need the rest
        scale = min(1.3, room_w / total if total else 1.0, room_h / max(heights, default=1.0))
        self.scale = scale
        middle = UNITS_HIGH * 0.64  # the boxes' fronts are centred on this line
        tallest = max((h for _, h, _ in sizes), default=0.0) * scale
        first_row = middle - tallest / 2 - 2.0  # the captions' first row, under every box
        x = (self.units_wide - total * scale) / 2
        polygons, colors = [], []
        row_ends = [-np.inf] * CAPTION_ROWS  # where the last caption of each row ends
        for i, ((caption, _, kind), (w, h, d)) in enumerate(zip(stages, sizes)):
            w, h, d = w * scale, h * scale, d * scale
            y = middle - h / 2
            text = self.captions[i]
            text.set_text(caption)
            text.set_visible(True)
            if kind == "impossible":
                text.set_position((x + w / 2, middle))
                text.set_color(IMPOSSIBLE_COLOR)
                text.set_verticalalignment("center")
                text.set_fontweight("bold")
            else:
                polygons += _faces(x, y, w, h, d)
                base = np.array(_rgb(STAGE_COLORS[kind]))
                colors += [base, 0.55 * base + 0.45, 0.8 * base]  # front, lit top, shaded side
                # the first row where the caption clears the one before it; if none, the
                # row whose last caption ends soonest
                centre = x + w / 2
                half = self.char_width * max(len(line) for line in caption.split("\n")) / 2
                free = [r for r in range(CAPTION_ROWS) if centre - half > row_ends[r]]
                row = free[0] if free else int(np.argmin(row_ends))
                row_ends[row] = centre + half + 0.5
                text.set_position((centre, first_row - CAPTION_STEP * row))
                text.set_color("black")
                text.set_verticalalignment("top")
                text.set_fontweight("normal")
            x += (w + d * SLANT[0]) + GAP * scale
        for text in self.captions[len(stages) :]:
            text.set_visible(False)
        self.boxes.set_verts(polygons)
        self.boxes.set_facecolors(colors if colors else "none")
        self.note.set_text(
            "maps to scale (front: height × width; depth grows with √channels); "
            "vectors: bar height on a log scale"
            if stages
            else ""
        )


def _rgb(color):
    from matplotlib.colors import to_rgb

    return to_rgb(color)
