"""Loss landscape explorer: gradient descent you can watch, step by step.

Left, a loss with one weight (a curve) or two weights (a map seen from above,
dark = low loss) and the path gradient descent takes from the start; right,
how far the loss is above its lowest value after each step, on a log scale.
The status line says what happened: converged, crawling, bouncing, stuck in a
local minimum, or diverged. The maths is :mod:`cnnlib.descent`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import PowerNorm
from matplotlib.ticker import LogLocator, NullLocator

from cnnlib.descent import LANDSCAPES, gradient_descent, judge_descent
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.plotting import short_number

__all__ = ["LossLandscape"]

# Okabe-Ito colours, distinguishable with every common colour-vision deficiency
PATH_COLOR = "#E69F00"  # orange: the points of the path
CURVE_COLOR = "#0072B2"  # blue: the 1-D loss curve
TARGET_COLOR = "#009E73"  # green: the tolerance line "close enough"
OUTCOME_COLORS = {
    "converged": "#1e8e3e",
    "stuck": "#b35806",
    "crawling": "#555555",
    "bouncing": "#b35806",
    "diverged": "#c0392b",
}
GAP_FLOOR = 1e-4  # the loss plot's log scale starts here; smaller gaps sit on the floor
GAP_CEILING = 1e4


class LossLandscape(BlitExplorer):
    """Gradient descent on a 1-D loss curve or a 2-D loss surface.

    Parameters
    ----------
    landscape : str
        A key of :data:`cnnlib.descent.LANDSCAPES`: ``"1-D: parabola"``,
        ``"1-D: two valleys"``, ``"2-D: round bowl"`` or ``"2-D: narrow valley"``.
    learning_rate : float
        From 0.001 to about 3.2 (the slider is logarithmic).
    momentum : float
        From 0 to 0.99.
    steps : int
        From 0 to 100. The play button next to the slider adds one step at a
        time, so the path grows like an animation.
    tolerance : float
        How close to the lowest loss counts as converged.

    Attributes
    ----------
    output : ndarray, shape (n + 1, d)
        The path: the start and the point after each step, as returned by
        :func:`cnnlib.descent.gradient_descent` (``n < steps`` when it diverged).
    verdict : cnnlib.descent.Verdict
        What happened on the path (shown in the status line).
    """

    title = "Loss landscape: gradient descent, one step at a time"

    def __init__(
        self,
        landscape="1-D: parabola",
        learning_rate=0.1,
        momentum=0.0,
        steps=30,
        tolerance=0.01,
    ):
        super().__init__(figsize=(9.2, 4.1), dpi=90)  # 828 px: fits a notebook column
        if landscape not in LANDSCAPES:
            raise ValueError(f"landscape={landscape!r} is not known; use one of {list(LANDSCAPES)}")
        self.tolerance = tolerance
        self.verdict = None
        style = {"description_width": "initial"}
        self.controls["landscape"] = widgets.Dropdown(
            options=list(LANDSCAPES), value=landscape, description="landscape", style=style
        )
        self.controls["learning_rate"] = widgets.FloatLogSlider(
            value=learning_rate,
            base=10,
            min=-3,
            max=0.5,
            step=0.05,
            description="learning rate",
            readout_format=".3g",
            style=style,
        )
        self.controls["momentum"] = widgets.FloatSlider(
            value=momentum, min=0.0, max=0.99, step=0.01, description="momentum", style=style
        )
        self.controls["steps"] = widgets.IntSlider(
            value=steps, min=0, max=100, description="steps", style=style
        )
        self._build_figure()
        self._show(landscape)
        self._watch()
        self.update()
        self._prepare_backgrounds("landscape")

    # -- figure -------------------------------------------------------------------------
    def _build_figure(self):
        """Left, the landscape and the path (1-D or 2-D); right, the loss above the lowest."""
        fig = self.figure
        fig.set_layout_engine("none")  # axes placed by hand: the 1-D and 2-D views share a slot
        # the 2-D map is narrower than the 1-D curve: its colour bar stands beside it
        self._ax1 = fig.add_axes([0.07, 0.25, 0.54, 0.64])
        self._ax2 = fig.add_axes([0.07, 0.25, 0.47, 0.64])
        self._axg = fig.add_axes([0.71, 0.25, 0.27, 0.64])
        self._build_curve_panel(self._ax1)
        self._build_map_panel(self._ax2)
        self._build_legend()
        self._build_gap_panel(self._axg)
        self._shown = None

    def _build_curve_panel(self, ax):
        """1-D landscapes: the loss curve, the path on it, the start and the lowest point."""
        (self._curve,) = ax.plot([], [], color=CURVE_COLOR, lw=2.5, zorder=1)
        (self._path1,) = ax.plot(
            [], [], "-o", color="0.25", lw=1, ms=6, mfc=PATH_COLOR, mec="black", zorder=3
        )
        (self._star1,) = ax.plot([], [], "*", ms=16, color="white", mec="black", zorder=4)
        ax.set_xlabel("weight w")
        ax.set_ylabel("loss")
        _add_start_and_title(ax)

    def _build_map_panel(self, ax):
        """2-D landscapes: the loss from above, contour lines, path, markers and colour bar."""
        self._surface = ax.imshow(
            np.zeros((2, 2)), cmap="viridis", origin="lower", aspect="equal", zorder=0
        )
        self._contours = _contour_lines(ax)
        (self._path2,) = ax.plot(
            [], [], "-o", color="white", lw=1.2, ms=5, mfc=PATH_COLOR, mec="black", zorder=3
        )
        (self._star2,) = ax.plot([], [], "*", ms=16, color="white", mec="black", zorder=4)
        ax.set_xlabel("weight w₁")
        ax.set_ylabel("weight w₂")
        # the colour scale of the map, beside it (it follows the map's height)
        self._colorbar_ax = ax.inset_axes([1.03, 0.0, 0.035, 1.0])
        colorbar = self.figure.colorbar(self._surface, cax=self._colorbar_ax)
        colorbar.set_label("loss (dark = low)", fontsize=10)
        colorbar.ax.tick_params(labelsize=9)
        _add_start_and_title(ax)

    def _build_legend(self):
        """One legend for both views, under the picture (inside, it hid part of the map)."""
        self.figure.legend(
            [
                self._ax1._start_marker,
                self._path1,
                self._star1,
            ],
            ["start", "the weights after each step", "lowest point"],
            loc="lower left",
            bbox_to_anchor=(0.05, 0.0),
            ncol=3,
            fontsize=10,
            frameon=False,
            numpoints=1,
            handletextpad=0.4,
            columnspacing=1.5,
        )

    def _build_gap_panel(self, ax):
        """Right: the loss above the lowest after each step (log scale), and 'close enough'."""
        ax.set_yscale("log")
        ax.set_ylim(GAP_FLOOR, GAP_CEILING)
        # a grid line at every power of 10 (matplotlib would skip every other one here)
        ax.yaxis.set_major_locator(LogLocator(base=10, numticks=20))
        ax.yaxis.set_minor_locator(NullLocator())
        self._target = ax.axhline(self.tolerance, color=TARGET_COLOR, ls="--", lw=1.5, zorder=3)
        self._target_label = ax.text(  # at the right end, on white: the path starts at the left
            0.98,
            self.tolerance * 1.6,
            f"close enough: {self.tolerance:g}",
            color=TARGET_COLOR,
            ha="right",
            va="bottom",
            fontsize=10,
            transform=ax.get_yaxis_transform(),
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5},
            zorder=5,
        )
        (self._gap,) = ax.plot([], [], "-o", color=PATH_COLOR, mec="black", ms=4, lw=1.5)
        ax.set_xlim(0, self.controls["steps"].max)  # fixed: the path grows to the right
        ax.set_xlabel("step")
        ax.set_title("loss above the lowest")
        ax.set_axisbelow(True)
        ax.grid(True, which="major", alpha=0.3)

    def _show(self, name):
        """Switch the left panel to landscape ``name`` (only when it changes)."""
        if name == self._shown:
            return
        landscape = LANDSCAPES[name]
        one_d = landscape.dim == 1
        self._ax1.set_visible(one_d)
        self._ax2.set_visible(not one_d)
        self._colorbar_ax.set_visible(not one_d)
        ax = self._ax1 if one_d else self._ax2
        if one_d:
            (lo, hi) = landscape.view[0]
            w = np.linspace(lo, hi, 400)
            loss = landscape.loss(w[:, None])
            self._curve.set_data(w, loss)
            margin = 0.08 * (loss.max() - loss.min())
            ax.set_xlim(lo, hi)
            ax.set_ylim(loss.min() - margin, loss.max() + margin)
            self._star1.set_data(landscape.minima[:1, 0], [landscape.lowest_loss])
        else:
            (x0, x1), (y0, y1) = landscape.view
            for key, (contour, _) in self._contours.items():
                contour.set_visible(key == name)
            loss = self._contours[name][1]
            self._surface.set_data(loss)
            self._surface.set_extent((x0, x1, y0, y1))
            self._surface.set_norm(PowerNorm(0.5, vmin=loss.min(), vmax=loss.max()))
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            self._star2.set_data(landscape.minima[:1, 0], landscape.minima[:1, 1])
        start = landscape.start
        ax._start_marker.set_data([start[0]], [landscape.loss(start)] if one_d else [start[1]])
        ax._title.set_text(f"gradient descent on {landscape.formula}")
        self._shown = name

    # -- the explorer contract ----------------------------------------------------------
    def _compute(self):
        c = self.controls
        landscape = LANDSCAPES[c["landscape"].value]
        path = gradient_descent(
            landscape.gradient,
            landscape.start,
            learning_rate=float(c["learning_rate"].value),
            momentum=float(c["momentum"].value),
            steps=int(c["steps"].value),
            escape=landscape.escape,
        )
        self.verdict = judge_descent(landscape, path, self.tolerance)
        return path

    def _draw(self, path):
        name = self.controls["landscape"].value
        self._show(name)
        if path is None:  # cannot happen with the sliders' ranges, but keep the picture sane
            for line in (self._path1, self._path2, self._gap):
                line.set_data([], [])
            return
        landscape = LANDSCAPES[name]
        with np.errstate(over="ignore", invalid="ignore"):
            loss = landscape.loss(path)
        if landscape.dim == 1:
            self._path1.set_data(path[:, 0], loss)
        else:
            self._path2.set_data(path[:, 0], path[:, 1])
        gap = np.clip(loss - landscape.lowest_loss, GAP_FLOOR, GAP_CEILING * 10)
        self._gap.set_data(np.arange(len(path)), gap)

    def _dynamic_artists(self):
        markers = [self._star1, self._star2, self._ax1._start_marker, self._ax2._start_marker]
        frame = list(self._axg.spines.values())  # the loss line starts on the left spine
        return [
            self._path1,
            self._path2,
            self._gap,
            *markers,
            self._target,
            self._target_label,
            *frame,
        ]

    def _background_key(self):
        return self.controls["landscape"].value

    def _describe(self, path):
        if self.verdict is None:
            return ""
        colour = OUTCOME_COLORS[self.verdict.outcome]
        head, _, rest = self.verdict.text.partition(" ")
        return f'<span style="color:{colour};font-weight:600">{head}</span> {rest}'

    def _describe_picture(self, path):
        """Both panels in words: where the path starts and ends, and how the loss fell."""
        c = self.controls
        landscape = LANDSCAPES[c["landscape"].value]
        with np.errstate(over="ignore", invalid="ignore"):
            loss = landscape.loss(path)
        return (
            f"Gradient descent on {landscape.formula}, learning rate "
            f"{float(c['learning_rate'].value):.3g}, momentum {float(c['momentum'].value):g}. "
            f"{self._describe_path(landscape, path, loss)} "
            f"{self._describe_gap(loss - landscape.lowest_loss)}: {self.verdict.outcome}."
        )

    def _describe_path(self, landscape, path, loss):
        """The left panel: the curve or the map, the path from its start to its end, the minima."""
        n = len(path) - 1
        if landscape.dim == 1:
            left, names = "the loss curve with the path", "w = "
        else:
            grid = self._contours[self.controls["landscape"].value][1]
            left = (
                f"the loss seen from above (dark = low, from {_loss_text(grid.min())} to "
                f"{_loss_text(grid.max())}) with the path"
            )
            names = "(w\u2081, w\u2082) = "
        start = f"{names}{_weights_text(path[0])} (loss {_loss_text(loss[0])})"
        shape = f"{len(path)}x{landscape.dim}"  # the path as ``output`` holds it
        if n == 0:
            moves = f" of {shape} weights, only the start: {start}"
        else:
            moves = (
                f" of {shape} weights (the start and {n} step{'s' if n != 1 else ''}): from "
                f"{start} to {_weights_text(path[-1])} (loss {_loss_text(loss[-1])})"
            )
        minima = [
            f"{_weights_text(m)} (loss {_loss_text(landscape.loss(m))})" for m in landscape.minima
        ]
        valleys = (
            f"the lowest point is at {names if landscape.dim == 1 else ''}{minima[0]}"
            + "".join(f", another valley's bottom at w = {m}" for m in minima[1:])
        )
        return f"Left, {left}{moves}; {valleys}."

    def _describe_gap(self, gap):
        """The right panel: the loss above the lowest, first and last, and 'close enough'."""
        n = len(gap) - 1
        text = f"Right, the loss above the lowest on a log scale: {_gap_text(gap[0])} at the start"
        if n == 0:
            return f"{text} only"
        above = np.flatnonzero(~(gap <= self.tolerance))  # NaN (overflow) counts as above
        close = f"'close enough' ({self.tolerance:g})"
        if above.size == 0:
            crossing = f"within {close} from the start"
        elif above[-1] < n:
            crossing = f"within {close} from step {above[-1] + 1}"
        else:
            crossing = f"above the {close} line"
        return f"{text}, {_gap_text(gap[-1])} after step {n}, {crossing}"

    def _layout_controls(self):
        """The controls, plus a play button that adds one step at a time."""
        c = self.controls
        play = widgets.Play(
            min=0, max=c["steps"].max, step=1, interval=200, description="play the steps"
        )
        widgets.jslink((c["steps"], "value"), (play, "value"))
        self._play = play
        first = widgets.HBox([c["landscape"], c["learning_rate"], c["momentum"]])
        second = widgets.HBox([c["steps"], play])
        return widgets.VBox([first, second])


def _add_start_and_title(ax):
    """The start's marker (``ax._start_marker``) and the title (``ax._title``), set by ``_show``."""
    (start,) = ax.plot([], [], "s", ms=9, color="white", mec="black", zorder=4)
    ax._start_marker = start
    ax._title = ax.set_title("")


def _contour_lines(ax):
    """The contour lines of every 2-D landscape, drawn once on ``ax`` (``_show`` shows one).

    Returns a dict: landscape name -> (contour set, the loss on its grid).
    """
    contours = {}
    for name, landscape in LANDSCAPES.items():
        if landscape.dim != 2:
            continue
        (x0, x1), (y0, y1) = landscape.view
        xx, yy = np.meshgrid(np.linspace(x0, x1, 241), np.linspace(y0, y1, 121))
        loss = landscape.loss(np.stack([xx, yy], axis=-1))
        levels = landscape.lowest_loss + np.array([0.05, 0.25, 0.75, 1.5, 3, 6, 12])
        contour = ax.contour(xx, yy, loss, levels=levels, colors="white", linewidths=0.7)
        contour.set_alpha(0.6)
        contours[name] = (contour, loss)
    return contours


def _loss_text(value):
    """A loss as the picture shows it: 3 significant digits, a real minus sign."""
    value = float(value)
    if not np.isfinite(value) or abs(value) >= 1e5:
        return "more than 100000"
    if abs(value) < 1e-4:
        return "0" if value == 0 else "about 0"
    return (f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}").replace("-", "\u2212")


def _gap_text(value):
    """How far above the lowest loss, within the log scale's range or beyond it."""
    value = float(value)
    if not np.isfinite(value) or value > GAP_CEILING:
        return f"more than {GAP_CEILING:g} (off the top of the scale)"
    if value < GAP_FLOOR:
        return f"less than {GAP_FLOOR:g} (on the floor of the scale)"
    return f"{value:,.0f}" if value >= 100 else f"{value:.2g}"


def _weights_text(point):
    """``0.5`` for one weight, ``(−4, 2)`` for two."""
    values = [short_number(x) if np.isfinite(x) else "far away" for x in np.asarray(point)]
    return values[0] if len(values) == 1 else f"({values[0]}, {values[1]})"
