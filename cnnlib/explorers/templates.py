"""Convolution as template matching (notebook 02): X versus O.

:class:`TemplateMatcher` scores every 3x3 patch of a 9x9 X or O image
(+1 = ink, -1 = background) against small +1/-1 templates: two diagonals and
a cross. The score, ``conv2d(image, template) / 9``, is 1 where a patch is
exactly the template, wherever the letter sits; noise lowers it, and a bar
chart compares the best score of each template.

It follows the contract of :class:`cnnlib.explorers._base.Explorer`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from cnnlib import kernels as K
from cnnlib import plotting
from cnnlib.explorers._base import Explorer
from cnnlib.explorers._panels import HIGHLIGHT, fix_titles, frame_only
from cnnlib.ops import conv2d
from cnnlib.plotting.describe import position_text, rows_text

__all__ = ["TemplateMatcher"]

TEMPLATES = {
    "diagonal \\": K.diagonal(),
    "diagonal /": K.antidiagonal(),
    "cross x": K.cross(),
}


class TemplateMatcher(Explorer):
    """Score every 3x3 patch of an X or O image against a small +1/-1 template.

    The score is the average of the nine products pixel x template weight: 1
    when the patch is exactly the template, -1 when it is its negative. Shift
    the letter or flip some pixels (noise): the best score follows the letter.

    Controls: ``image`` ('x' or 'o'), ``down`` and ``right`` (shift in
    pixels), ``noise`` (fraction of flipped pixels), ``seed`` (which pixels)
    and ``template``. ``output`` is the score map ``conv2d(image, template) / 9``;
    ``best`` holds the best score of every template on the current image.
    """

    title = "Template matching: where does each pattern fit?"

    def __init__(self, image="x", template="diagonal \\", down=0, right=0, noise=0.0, seed=0):
        super().__init__(figsize=(9.3, 3.15), dpi=90)  # 837 px: fits a notebook column
        c = self.controls
        c["image"] = widgets.ToggleButtons(
            options=[("X", "x"), ("O", "o")], value=image, description="letter"
        )
        c["template"] = widgets.Dropdown(
            options=list(TEMPLATES), value=template, description="template"
        )
        c["down"] = widgets.IntSlider(value=down, min=-2, max=2, description="move down")
        c["right"] = widgets.IntSlider(value=right, min=-2, max=2, description="move right")
        c["noise"] = widgets.FloatSlider(
            value=noise, min=0.0, max=0.3, step=0.05, description="noise", readout_format=".2f"
        )
        c["seed"] = widgets.IntSlider(value=seed, min=0, max=9, description="noise seed")
        for control in c.values():
            control.style.description_width = "initial"
        self._build_figure()
        self._watch()
        self.figure.canvas.draw()
        self.update()

    @property
    def image(self):
        """The current 9x9 image of +1 (ink) and -1 (background)."""
        from cnnlib.datasets import xo_image

        c = self.controls
        return xo_image(
            c["image"].value,
            shift=(c["down"].value, c["right"].value),
            noise=round(c["noise"].value, 2),
            seed=c["seed"].value,
        )

    @property
    def template(self):
        return TEMPLATES[self.controls["template"].value].copy()

    def _build_figure(self):
        fig = self.figure
        grid = fig.add_gridspec(1, 4, width_ratios=[1.0, 0.45, 0.95, 0.9])
        axes = [fig.add_subplot(grid[i]) for i in range(4)]
        self._axes = axes
        self._im = plotting.show_image(
            axes[0], np.zeros((9, 9)), title="image (ink = +1)", vmin=-1, vmax=1
        )
        self._im_t, _ = plotting.show_signed(
            axes[1], np.zeros((3, 3)), title="template", limit=1, colorbar=False
        )
        self._im_s, _ = plotting.show_signed(
            axes[2], np.zeros((7, 7)), title="match score", limit=1, colorbar=False
        )
        for ax, n in zip(axes[:3], (9, 3, 7)):
            plotting.cell_borders(ax, (n, n))
        self._lab_t = plotting.LabelGrid(axes[1], height=0.3, max_points=14)
        self._lab_s = plotting.LabelGrid(axes[2], height=0.26, max_points=11)
        self._best_img = Rectangle((0, 0), 3, 3, fill=False, ec=HIGHLIGHT, lw=3.5, zorder=5)
        self._best_cell = Rectangle((0, 0), 1, 1, fill=False, ec=HIGHLIGHT, lw=3.5, zorder=5)
        axes[0].add_patch(self._best_img)
        axes[2].add_patch(self._best_cell)
        bars = axes[3]
        self._bars = bars.bar(range(3), [0, 0, 0], color="0.65", width=0.6)
        bars.set_xlim(-0.6, 2.6)
        bars.set_ylim(-1.05, 1.2)
        bars.set_title("best score per template")
        # no axis machinery (slow to redraw): reference lines and plain labels instead
        bars.set_axis_off()
        bars.axhline(0, color="0.3", lw=0.8)
        bars.axhline(1, color="0.3", lw=0.8, ls=":")
        bars.axhline(-1, color="0.3", lw=0.8, ls=":")
        under = bars.get_xaxis_transform()
        for i, name in enumerate(["diag \\", "diag /", "cross x"]):
            bars.text(i, -0.03, name, transform=under, ha="center", va="top", fontsize=11)
        for y in (-1, 0, 1):
            bars.text(-0.65, y, plotting.short_number(y), ha="right", va="center", fontsize=10)
        self._bar_text = [bars.text(i, 0, "", ha="center", va="bottom") for i in range(3)]
        fix_titles(*axes)
        frame_only(*axes[:3])

    def _compute(self):
        image = self.image
        self.scores = {name: conv2d(image, t) / t.size for name, t in TEMPLATES.items()}
        self.best = {name: float(m.max()) for name, m in self.scores.items()}
        self.current_image = image
        return self.scores[self.controls["template"].value]

    def _draw(self, result):
        image, template = self.current_image, self.template
        name = self.controls["template"].value
        # which pixels flip matters only with noise: without it the seed is greyed out (and
        # left out of the Tab order) instead of a slider that changes nothing
        self.controls["seed"].disabled = self.controls["noise"].value == 0
        self._im.set_data(image)
        self._im_t.set_data(template)
        self._lab_t.set(
            template,
            fmt=plotting.short_number,
            colors=plotting.contrast_colors(template, -1, 1, plotting.SIGNED_CMAP),
        )
        self._im_s.set_data(result)
        self._lab_s.set(
            result,
            fmt=lambda v: f"{v:.2f}".replace("-", "\u2212"),
            colors=plotting.contrast_colors(result, -1, 1, plotting.SIGNED_CMAP),
        )
        r, c = np.unravel_index(np.argmax(result), result.shape)
        self._best_cell.set_xy((c - 0.5, r - 0.5))
        self._best_img.set_xy((c - 0.5, r - 0.5))
        self._axes[2].title.set_text(f"match score (best {result.max():.2f})")
        for i, (bar, text, tname) in enumerate(zip(self._bars, self._bar_text, TEMPLATES)):
            value = self.best[tname]
            bar.set_height(value)
            bar.set_color(HIGHLIGHT if tname == name else "0.65")
            text.set_position((i, max(value, 0) + 0.03))
            text.set_text(f"{value:.2f}")

    def _describe(self, result):
        r, c = np.unravel_index(np.argmax(result), result.shape)
        best = result.max()
        verdict = (
            "a perfect match"
            if np.isclose(best, 1)
            else f"{int(round((1 + best) / 2 * 9))} of 9 pixels agree"
        )
        return (
            f"Score = (sum of the 9 products pixel &times; weight) / 9. Best: <b>{best:.2f}</b> "
            f"({verdict}) with the patch whose top-left pixel is row {r}, column {c}."
        )

    #: what each letter looks like, for a learner who cannot see it
    _LETTER_WORDS = {
        "x": "two diagonal strokes crossing in the middle",
        "o": "a ring",
    }

    def _describe_picture(self, result):
        """The letter, the template, the score map's best match and every template's best."""
        c = self.controls
        down, right, noise = c["down"].value, c["right"].value, round(c["noise"].value, 2)
        moved = [
            f"{abs(n)} {word[n > 0]}"
            for n, word in ((down, ("up", "down")), (right, ("left", "right")))
            if n
        ]
        where = f", moved {' and '.join(moved)}" if moved else ""
        flipped = f", {noise:.0%} of its pixels flipped (seed {c['seed'].value})" if noise else ""
        letter = c["image"].value
        r, col = np.unravel_index(np.argmax(result), result.shape)
        best = float(result[r, col])
        agree = int(round((1 + best) / 2 * 9))
        verdict = "a perfect match" if agree == 9 else f"{agree} of 9 pixels agree"
        ties = int(np.sum(np.isclose(result, best)))
        at = f", reached by {ties} patches; the first is at" if ties > 1 else " at"
        bars = ", ".join(f"{name} {_score(self.best[name])}" for name in TEMPLATES)
        return (
            f"Letter {letter.upper()}, {self._LETTER_WORDS[letter]}, 9x9 (ink +1, background "
            f"\u22121){where}{flipped}. Template {c['template'].value}, by row "
            f"{rows_text(self.template)}. Match score map 7x7, scores from "
            f"{_score(result.min())} to {_score(best)}; best {_score(best)} ({verdict}){at} "
            f"{position_text(r, col, result.shape)}: the 3x3 patch of the letter whose top-left "
            f"pixel is row {r}, column {col}, outlined in both. Best score per template: {bars}."
        )


def _score(value) -> str:
    """A score as the picture prints it: two decimals, a real minus sign."""
    return f"{round(float(value), 2) + 0.0:.2f}".replace("-", "\u2212")
