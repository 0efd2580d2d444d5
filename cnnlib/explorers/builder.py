"""The network builder (notebook 07): design a CNN, see what it costs, train it, compare.

:class:`NetworkBuilder` is a small "TensorFlow Playground" for CNNs. Its
controls choose a :class:`cnnlib.CNNDesign` (conv blocks, filters, kernel
size, padding, pooling, activation, a hidden dense layer, dropout); at every
change it shows

* a table of every layer: output shape, parameters and multiply-adds, with
  the totals (from :meth:`cnnlib.CNNDesign.plan`, so even a huge design
  answers at once);
* a picture of the shapes the data takes, drawn to scale, and a scatter of
  the runs so far: validation accuracy against parameters;
* one line saying why a design cannot be built (maps shrunk to nothing).

**Train** builds the network and trains it on the bundled training digits
(the last 500 are held out to measure it: the test digits stay unseen, since
choosing an architecture by its test score would make that score
optimistic). While it trains the button says **Stop**: a click ends training
after the current mini-batch, even while the kernel is busy
(:mod:`cnnlib.explorers._busy_kernel`). Every run becomes a row of the runs
table, kept for the whole session, and the smallest network that reached the
target (95%) is marked.
"""

from __future__ import annotations

import contextlib
import html
import math
import time
import warnings
from dataclasses import dataclass, field, replace

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from cnnlib import _validate as v
from cnnlib.design import ACTIVATIONS, CNNDesign
from cnnlib.explorers._base import _escape
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.explorers._busy_kernel import INTERRUPT_ONLY, ClicksWhileBusy
from cnnlib.explorers._panels import fix_titles
from cnnlib.explorers.training import _one_line
from cnnlib.plotting import TARGET_COLOR, TRAIN_COLOR, VALIDATION_COLOR, ShapeDiagram

__all__ = ["NetworkBuilder", "Run", "HELD_OUT"]

HELD_OUT = 500  #: the last 500 bundled training digits measure every run (validation)
FILTER_CHOICES = (4, 8, 16, 32, 64)
HIDDEN_CHOICES = (("off", 0), ("16", 16), ("32", 32), ("64", 64), ("128", 128))
DROPOUT_CHOICES = (("off", 0.0), ("0.25", 0.25), ("0.5", 0.5))
RATE_CHOICES = (0.0003, 0.001, 0.002, 0.01, 0.1, 1.0)
PARAMS_RANGE = (100, 1e8)  # the scatter's x axis (log): every design of the controls fits
ACCURACY_RANGE = (0.05, 0.995)  # the scatter's y axis (logit), as on the training dashboard
FAILED_Y = 0.065  # where diverged and failed runs are marked (x) on the scatter
LABELLED_RUNS = 30  # the run numbers written next to the points (the latest ones)
STATUS_SECONDS = 0.25  # shortest time between two updates of the status line while training
CHANCE = 0.2  # a validation accuracy below this after a run is close to guessing (10%)
HEAVY = 20  # warn when a design needs this many times the course network's multiply-adds
FAILED_COLOR = "#b35806"
#: Lines the status line keeps room for: the design, a warning when it is heavy, Train, and
#: the picture's shapes (more after runs, which are added by a click, not by a slider).
STATUS_LINES = 4
TABLE_ROW_PX = 18.5  #: one row of the layer table (12 px text, line height 1.35, padding)
TABLE_CAPTION_PX = 40  #: its caption, two lines when the table is narrow
_COURSE = CNNDesign()  # the course's network (reference_cnn): the yardstick for "heavy"


@dataclass
class Run:
    """One press of Train: the design, its size and cost, and how training went.

    Attributes
    ----------
    number : int
        Counting from 1 over the session.
    design : CNNDesign
    text : str
        ``design.describe()``.
    params, multiply_adds : int
        Of the network (multiply-adds of one image's forward pass).
    epochs : int
        Epochs asked for; ``history.epoch`` says how many were completed.
    learning_rate : float
    seconds : float
        Training time, validation included.
    val_accuracy : float or None
        On the held-out digits after the last completed epoch.
    status : str
        ``"running"``, then the :class:`~cnnlib.History` status:
        ``"completed"``, ``"stopped"``, ``"interrupted"``, ``"diverged"`` or
        ``"failed"``.
    message : str
        Why it diverged or failed, in one line; empty otherwise.
    model : Sequential
        The trained network (continue with it in code, e.g. ``cnnlib.to_pytorch(run.model)``).
    history : History or None
    """

    number: int
    design: CNNDesign
    text: str
    params: int
    multiply_adds: int
    epochs: int
    learning_rate: float
    seconds: float = 0.0
    val_accuracy: float | None = None
    status: str = "running"
    message: str = ""
    model: object = field(default=None, repr=False)
    history: object = field(default=None, repr=False)

    @property
    def usable(self) -> bool:
        """Whether its accuracy counts: it finished an epoch and did not diverge or fail."""
        return self.val_accuracy is not None and self.status not in ("diverged", "failed")


class NetworkBuilder(BlitExplorer):
    """Design a CNN with controls, see its layers and cost, train it, compare the runs.

    Parameters
    ----------
    design : CNNDesign, optional
        The design shown first (default: the course's network).
    epochs : int
        Epochs of a run (the slider's first value).
    learning_rate : float
        Of the Adam optimiser (one of the menu's values is shown selected).
    batch_size : int
    train_size : int, optional
        Training digits used (default: all 3,500 bundled ones before the
        held-out 500); fewer make runs faster.
    seed : int
        Seeds the initial weights and the order of the examples: the same
        design trained twice gives the same result.
    target : float
        The validation accuracy to reach (the dashed line; the smallest
        network that reaches it is marked).
    runs : list, optional
        Where runs are kept. Default: :attr:`session_runs`, shared by every
        builder of the session, so that building the explorer again keeps
        them. Pass ``[]`` for a table of its own.

    Attributes
    ----------
    design : CNNDesign
        The design the controls show.
    output : Summary or None
        Its plan (every layer's shape, parameters and multiply-adds), None
        when the design cannot be built (``message`` says why).
    runs : list of Run
    last_run : Run or None
    model : Sequential or None
        The network the last run trained (None before any run); ``build()``
        gives a fresh, untrained one of the current design.
    running : bool
    """

    title = "Network builder: design a CNN, see what it costs, train it, compare"
    session_runs: list = []  # every builder's runs unless given its own list

    def __init__(
        self,
        design=None,
        *,
        epochs=3,
        learning_rate=0.002,
        batch_size=32,
        train_size=None,
        seed=0,
        target=0.95,
        runs=None,
    ):
        design = CNNDesign() if design is None else design
        if not isinstance(design, CNNDesign):
            raise TypeError(f"design must be a CNNDesign, but is {design!r}")
        if design.input_shape != _COURSE.input_shape or design.classes != _COURSE.classes:
            raise ValueError(
                "the network builder trains on the bundled 28x28 digits: design.input_shape "
                f"must be (1, 28, 28) and design.classes 10, but are {design.input_shape} and "
                f"{design.classes}"
            )
        self.learning_rate = v.as_real(learning_rate, "learning_rate", above_zero=True)
        self.batch_size = v.as_batch_size(batch_size)
        self.train_size = None if train_size is None else v.as_int(train_size, "train_size", 1)
        self.seed = v.as_int(seed, "seed", minimum=0)
        self.target = v.as_real(target, "target", minimum=0.0, maximum=1.0)
        self.runs = NetworkBuilder.session_runs if runs is None else runs
        self.running = False
        self._data = None  # (x, y, x_val, y_val), loaded at the first run
        self._trainer = None
        self._run = None  # the run in progress
        self._state = None
        self._last_status = 0.0
        self._plan_cache = {}
        self._displays = []
        super().__init__(figsize=(9.2, 3.5), dpi=90)  # 828 px: fits a notebook column
        self._make_controls(design, epochs)
        # the status line and the layer table keep the height of the largest design, so
        # that moving a control does not make the notebook below jump
        self._status.layout.min_height = f"{28 * STATUS_LINES}px"  # a widget line: 28 px
        self._layer_table = widgets.HTML(
            layout=widgets.Layout(min_width="380px", min_height=f"{_table_height()}px")
        )
        self._runs_table = widgets.HTML(layout=widgets.Layout(min_width="200px"))
        self._progress = widgets.FloatProgress(
            value=0.0,
            min=0.0,
            max=1.0,
            description="progress",
            bar_style="info",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="230px"),
        )
        self._clicks = ClicksWhileBusy(self.controls["train"], self.stop)
        self.controls["train"].on_click(self._button_clicked)
        self._build_figure()
        self._watch()
        self.update()

    # -- controls ---------------------------------------------------------------------------
    def _make_controls(self, design, epochs):
        style = {"description_width": "initial"}
        c = self.controls
        c["blocks"] = widgets.IntSlider(
            value=design.blocks, min=0, max=4, description="conv blocks", style=style
        )
        filters = design.filters if design.filters in FILTER_CHOICES else 8
        c["filters"] = widgets.SelectionSlider(
            options=FILTER_CHOICES, value=filters, description="filters (block 1)", style=style
        )
        c["double"] = widgets.Checkbox(
            value=design.double, description="double the filters in each block", indent=False
        )
        c["kernel"] = widgets.IntSlider(
            value=min(design.kernel_size, 7), min=1, max=7, description="kernel size", style=style
        )
        c["padding"] = widgets.ToggleButtons(
            options=[("same", "same"), ("valid", "valid")],
            value=design.padding,
            description="padding",
            style={**style, "button_width": "60px"},
            tooltips=["zeros around: maps keep their size", "no padding: maps shrink by k - 1"],
        )
        c["pooling"] = widgets.ToggleButtons(
            options=[("max", "max"), ("average", "average"), ("none", "none")],
            value=design.pooling,
            description="pooling 2×2",
            style={**style, "button_width": "78px"},
        )
        c["activation"] = widgets.Dropdown(
            options=[(name, key) for key, (name, _) in ACTIVATIONS.items()],
            value=design.activation,
            description="activation",
            style=style,
            layout=widgets.Layout(width="210px"),
        )
        hidden = dict(HIDDEN_CHOICES)
        c["hidden"] = widgets.Dropdown(
            options=HIDDEN_CHOICES if design.hidden in hidden.values() else
            [*HIDDEN_CHOICES, (str(design.hidden), design.hidden)],
            value=design.hidden,
            description="hidden dense layer",
            style=style,
            layout=widgets.Layout(width="220px"),
        )  # fmt: skip
        dropouts = [p for _, p in DROPOUT_CHOICES]
        c["dropout"] = widgets.Dropdown(
            options=DROPOUT_CHOICES if design.dropout in dropouts else
            [*DROPOUT_CHOICES, (f"{design.dropout:g}", design.dropout)],
            value=design.dropout,
            description="dropout",
            style=style,
            layout=widgets.Layout(width="160px"),
        )  # fmt: skip
        c["epochs"] = widgets.IntSlider(
            value=int(epochs), min=1, max=10, description="epochs", style=style
        )
        rates = sorted({*RATE_CHOICES, self.learning_rate})
        c["learning_rate"] = widgets.Dropdown(
            options=[(f"{r:g}", r) for r in rates],
            value=self.learning_rate,
            description="learning rate",
            style=style,
            layout=widgets.Layout(width="200px"),
        )
        c["train"] = widgets.Button(
            description="Train",
            icon="play",
            button_style="success",
            tooltip="build this network and train it; press again to stop",
        )
        self._architecture = [
            "blocks", "filters", "double", "kernel", "padding", "pooling", "activation",
            "hidden", "dropout",
        ]  # fmt: skip

    def _layout_controls(self):
        c = self.controls
        row = widgets.Layout(flex_flow="row wrap", align_items="center")
        return widgets.VBox(
            [
                widgets.HBox([c["blocks"], c["filters"], c["double"]], layout=row),
                widgets.HBox([c["kernel"], c["padding"], c["pooling"]], layout=row),
                widgets.HBox([c["activation"], c["hidden"], c["dropout"]], layout=row),
                widgets.HBox(
                    [c["epochs"], c["learning_rate"], c["train"], self._progress], layout=row
                ),
            ]
        )

    def _widget_parts(self):
        """Title, controls, picture, status line, then the layer table beside the runs table."""
        tables = widgets.HBox(
            [self._layer_table, self._runs_table],
            layout=widgets.Layout(flex_flow="row wrap", grid_gap="12px"),
        )
        return [*super()._widget_parts(), tables]

    @property
    def design(self) -> CNNDesign:
        """The design the controls show (it may be impossible: see :attr:`message`)."""
        c = self.controls
        return self._design_of(
            c["blocks"].value,
            c["filters"].value,
            c["double"].value,
            c["kernel"].value,
            c["padding"].value,
            c["pooling"].value,
            c["activation"].value,
            c["hidden"].value,
            c["dropout"].value,
        )

    @staticmethod
    def _design_of(blocks, filters, double, kernel, padding, pooling, activation, hidden, drop):
        return CNNDesign(
            blocks=blocks,
            filters=filters,
            double=double,
            kernel_size=kernel,
            padding=padding,
            pooling=pooling,
            activation=activation,
            hidden=hidden,
            dropout=drop,
        )

    def build(self):
        """A fresh, untrained :class:`~cnnlib.Sequential` of the current design."""
        return self.design.build(seed=self.seed)

    @property
    def model(self):
        """The network the last run of :attr:`runs` trained (None before any run)."""
        return None if self.last_run is None else self.last_run.model

    @property
    def last_run(self):
        mine = [run for run in self.runs if run.model is not None]
        return mine[-1] if mine else None

    def clear_runs(self):
        """Forget every run of the table (and the networks they trained)."""
        self.runs.clear()
        self.update()

    # -- the figure -------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.figure
        fig.set_layout_engine("none")  # placed by hand in inches: nothing moves between updates
        fig_w, fig_h = fig.get_size_inches()

        def place(left, bottom, w, h):
            return fig.add_axes((left / fig_w, bottom / fig_h, w / fig_w, h / fig_h))

        self._ax_shapes = place(0.05, 0.05, 5.35, 3.1)
        self._ax_runs = place(6.3, 0.62, 2.6, 2.45)
        self._diagram = ShapeDiagram(self._ax_shapes, capacity=14, fontsize=8)
        self._ax_shapes.set_title(" ", fontsize=11, y=1.0)
        self._shapes_title = self._ax_shapes.title
        self._design_text = self._ax_shapes.text(
            0.5, 0.985, "", transform=self._ax_shapes.transAxes, ha="center", va="top",
            fontsize=9, color="0.2", linespacing=1.2,
        )  # fmt: skip

        ax = self._ax_runs
        ax.set_xscale("log")
        ax.set_xlim(*PARAMS_RANGE)
        ax.xaxis.set_major_locator(FixedLocator([1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8]))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(FuncFormatter(_count_label))
        ax.set_yscale("logit", nonpositive="clip")
        ax.set_ylim(*ACCURACY_RANGE)
        ax.yaxis.set_major_locator(FixedLocator([0.1, 0.5, 0.9, 0.95, 0.99]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(labelsize=9)
        ax.set_xlabel("parameters (log scale)", fontsize=10)
        ax.set_ylabel("validation accuracy", fontsize=10)
        ax.set_title("runs: accuracy against size", fontsize=11, y=1.0)
        ax.grid(True, alpha=0.3)
        ax.axhline(self.target, color=TARGET_COLOR, ls=":", lw=1.5)
        fix_titles(self._ax_shapes, ax)
        (self._current,) = ax.plot(
            [1, 1], [0, 1], transform=ax.get_xaxis_transform(), color="0.3", ls="--", lw=1.0
        )
        self._current_label = ax.text(
            1, 0.45, "", transform=ax.get_xaxis_transform(), ha="left", va="center",
            fontsize=8.5, color="0.3", rotation=90,
        )  # fmt: skip
        self._done = ax.scatter([], [], s=30, color=TRAIN_COLOR, zorder=3)
        self._partial = ax.scatter(
            [], [], s=30, facecolors="white", edgecolors=TRAIN_COLOR, zorder=3
        )
        self._failed = ax.scatter([], [], s=36, marker="x", color=FAILED_COLOR, zorder=3)
        self._running_point = ax.scatter(
            [], [], s=60, facecolors="none", edgecolors=VALIDATION_COLOR, linewidths=2, zorder=4
        )
        (self._best,) = ax.plot([], [], "o", ms=13, mfc="none", mec=TARGET_COLOR, mew=2.0, zorder=4)
        self._labels = [
            ax.text(0, 0, "", fontsize=8, ha="left", va="bottom", color="0.2", zorder=5)
            for _ in range(LABELLED_RUNS)
        ]
        self._runs_note = ax.text(
            0.5, 0.3, "", transform=ax.transAxes, ha="left", va="center", fontsize=9,
            color="0.35", linespacing=1.3, multialignment="left",
        )  # fmt: skip

    def _dynamic_artists(self):
        return [
            *self._diagram.artists,
            self._shapes_title,
            self._design_text,
            self._current,
            self._current_label,
            self._done,
            self._partial,
            self._failed,
            self._running_point,
            self._best,
            *self._labels,
            self._runs_note,
        ]

    # -- the explorer contract ----------------------------------------------------------------
    def _compute(self):
        design = self.design
        plan = self._plan_cache.get(design)
        if plan is None:
            plan = design.plan()  # raises ValueError for maps shrunk to nothing
            if len(self._plan_cache) > 256:
                self._plan_cache.clear()
            self._plan_cache[design] = plan
        return plan

    def _draw(self, plan):
        self._draw_shapes(plan)
        self._draw_runs(plan)
        self._layer_table.value = self._layer_html(plan)
        self._runs_table.value = self._runs_html()

    def _draw_shapes(self, plan):
        self._design_text.set_text(_two_lines(self.design.describe()))
        if plan is None:
            self._diagram.set(self._stages_until_impossible())
            self._shapes_title.set_text("this design cannot be built (see the line below)")
            return
        self._diagram.set(_stages(plan))
        self._shapes_title.set_text(
            f"{plan.total_params:,} parameters · {_short(plan.total_multiply_adds)} "
            "multiply-adds per image"
        )

    def _stages_until_impossible(self):
        """The layers that can be built, then a red mark where the maps ran out."""
        design = self.design
        for blocks in range(design.blocks - 1, -1, -1):
            try:
                plan = replace(design, blocks=blocks).plan()
            except ValueError:
                continue
            maps = [s for s in _stages(plan) if s[2] != "vector"]
            with contextlib.suppress(ValueError):  # the next block's convolution may still fit
                filters = design.filters_per_block()[blocks]
                shape = maps[-1][1]
                one = replace(design, input_shape=shape, blocks=1, filters=filters, pooling="none")
                out = one.plan().rows[0]["output_shape"]
                maps.append((f"conv {blocks + 1}\n{_shape_text(out)}", out, "conv"))
            return [*maps, (f"✗\nblock {blocks + 1}", None, "impossible")]
        return []

    def _draw_runs(self, plan):
        visible = plan is not None
        self._current.set_visible(visible)
        self._current_label.set_visible(visible)
        if visible:
            x = float(np.clip(plan.total_params, *PARAMS_RANGE))
            self._current.set_xdata([x, x])
            self._current_label.set_x(x)
            # what Train would run: the dashed line is where its point will appear
            epochs = self.controls["epochs"].value
            self._current_label.set_text(
                f" this design, {epochs} epoch{'s' if epochs > 1 else ''}, "
                f"lr {self.controls['learning_rate'].value:g} "
            )

        def points(runs):
            return np.array(
                [(_clip_x(r.params), _clip_y(r.val_accuracy)) for r in runs], dtype=float
            ).reshape(-1, 2)

        runs = [r for r in self.runs if r.status != "running"]
        done = [r for r in runs if r.usable and r.status == "completed"]
        partial = [r for r in runs if r.usable and r.status != "completed"]  # stopped early
        failed = [r for r in runs if r.status in ("diverged", "failed")]
        self._done.set_offsets(points(done))
        self._partial.set_offsets(points(partial))
        self._failed.set_offsets(
            np.array([(_clip_x(r.params), FAILED_Y) for r in failed]).reshape(-1, 2)
        )
        running = self._run
        if running is not None and running.val_accuracy is not None:
            self._running_point.set_offsets(points([running]))
        else:
            self._running_point.set_offsets(np.zeros((0, 2)))
        best = self.best_run()
        if best is not None:
            self._best.set_data([_clip_x(best.params)], [_clip_y(best.val_accuracy)])
        else:
            self._best.set_data([], [])
        # the run numbers beside their points (a run stopped before any epoch has none)
        shown = [r for r in runs if r.usable or r in failed][-LABELLED_RUNS:]
        for text, run in zip(self._labels, shown):
            y = _clip_y(run.val_accuracy) if run.usable else FAILED_Y
            text.set_position((_clip_x(run.params) * 1.25, y))
            text.set_text(str(run.number))
            text.set_visible(True)
        for text in self._labels[len(shown) :]:
            text.set_visible(False)
        empty = not self.runs and not self.running
        self._runs_note.set_text("no runs yet:\npress Train\nto add one" if empty else "")
        if empty and visible:  # beside the dashed line and its label, on the wider side
            low, high = (math.log10(end) for end in PARAMS_RANGE)
            at = (math.log10(x) - low) / (high - low)  # where the line is, 0-1 across
            right = at < 0.5
            self._runs_note.set_x(at + 0.07 if right else at - 0.03)
            self._runs_note.set_horizontalalignment("left" if right else "right")

    def best_run(self):
        """The smallest network (fewest parameters) that reached the target; else None."""
        reached = [r for r in self.runs if r.usable and r.val_accuracy >= self.target]
        return min(reached, key=lambda r: (r.params, r.number)) if reached else None

    def _describe_picture(self, plan):
        """The design, its shapes from input to scores, and the scatter of runs, in words."""
        shapes = " \u2192 ".join(" ".join(caption.split()) for caption, _, _ in _stages(plan))
        return (
            f"{self.design.describe()}: {plan.total_params:,} parameters, "
            f"{_short(plan.total_multiply_adds)} multiply-adds per image. Left, the data's "
            f"shapes drawn to scale: {shapes}. Right, {self._runs_words(plan.total_params)}"
        )

    def _describe_impossible(self):
        stages = self._stages_until_impossible()
        shapes = " \u2192 ".join(" ".join(caption.split()) for caption, _, _ in stages)
        return (
            f"{self.design.describe()}: this design cannot be built: {self.message.rstrip('.')}. "
            "Left, the "
            f"shapes until the maps run out: {shapes}. Right, {self._runs_words(None)}"
        )

    def _runs_words(self, params):
        """The scatter of runs in words: each run's size and accuracy (the latest ones)."""
        text = (
            "validation accuracy against parameters (log scale), the goal "
            f"{self.target:.0%} as a dotted line"
        )
        if params is not None:
            epochs = self.controls["epochs"].value
            text += (
                f", this design's {params:,} parameters as a dashed line labelled with what "
                f"Train would run ({epochs} epoch{'s' if epochs > 1 else ''}, learning rate "
                f"{self.controls['learning_rate'].value:g})"
            )
        runs = [r for r in self.runs if r.status != "running"]
        if not runs:
            return text + ": no runs yet."
        shown = runs[-6:]
        words = []
        for run in shown:
            if run.usable:
                done = "" if run.status == "completed" else f", {run.status}"
                words.append(
                    f"run {run.number}: {run.params:,} parameters, {run.val_accuracy:.1%}{done}"
                )
            else:
                words.append(f"run {run.number}: {run.params:,} parameters, {run.status}")
        which = f"the last {len(shown)} of {len(runs)}" if len(shown) < len(runs) else "all"
        text += f"; {len(runs)} run{'s' if len(runs) > 1 else ''} ({which}): " + "; ".join(words)
        best = self.best_run()
        if best is not None:
            text += f". Circled: run {best.number}, the smallest reaching {self.target:.0%}"
        return text + "."

    def _describe(self, plan):
        lines = []
        if plan is not None:
            values = sum(int(np.prod(r["output_shape"])) for r in plan.rows)
            heavy = plan.total_multiply_adds / _COURSE.plan().total_multiply_adds
            text = (
                f"This design: {plan.total_params:,} parameters, "
                f"{plan.total_multiply_adds:,} multiply-adds per image, "
                f"{values:,} values computed ({_kilobytes(values * 4)} in float32)."
            )
            lines.append(_escape(text))
            if heavy >= HEAVY:
                lines.append(
                    _escape(
                        f"Heavy: {heavy:.0f}× the course network's multiply-adds, so a run "
                        "takes about that much longer; lower the epochs or press Stop."
                    )
                )
        lines.append(self._training_line())
        if plan is not None:
            lines.append(_escape(self._picture_text(plan)))
        return "<br>".join(lines)

    def _training_line(self):
        """Lines about training: the run going on, or the last run's result and what Train does."""
        run, state = self._run, self._state
        if self.running and run is not None:
            if state is None or not state.batch:
                return _escape(f"Run {run.number}: building and starting...")
            text = (
                f"Run {run.number}: epoch {state.epoch} of {state.last_epoch}, batch "
                f"{state.batch} of {state.batches}, {state.seconds:.1f} s, training loss "
                f"{state.loss:.3f}, accuracy {state.accuracy:.1%}"
            )
            if run.val_accuracy is not None:
                text += f"; validation {run.val_accuracy:.1%}"
            return _escape(text + ". Stop ends after the current mini-batch.")
        lines = []
        last = self.runs[-1] if self.runs else None
        if last is not None and last.status in ("diverged", "failed"):
            head = f"Run {last.number} {last.status}:"
            lines.append(
                f'<span style="color:{FAILED_COLOR};font-weight:600">{_escape(head)}</span> '
                + _escape(last.message)
            )
        elif last is not None:
            result = (
                f"{last.val_accuracy:.1%}" if last.val_accuracy is not None else "no full epoch"
            )
            words = {"completed": "done", "stopped": "stopped", "interrupted": "interrupted"}
            text = (
                f"Run {last.number} {words.get(last.status, last.status)}: validation "
                f"accuracy {result} in {last.seconds:.1f} s."
            )
            if last.val_accuracy is not None and last.val_accuracy < CHANCE:
                text += (
                    " That is guessing (1 in 10): the network learned nothing. A learning "
                    "rate too large is the usual cause; sigmoid or tanh in many blocks too."
                )
            lines.append(_escape(text))
        text = (  # one line in a notebook column (at most ~120 characters)
            f"Train: {self.controls['epochs'].value} epoch(s) on {len(self._training_data()[0]):,} "
            f"digits, Adam, learning rate {self.controls['learning_rate'].value:g}; validation "
            f"on {HELD_OUT} other training digits, held out."
        )
        if self._clicks.how == INTERRUPT_ONLY:
            text += (
                " This kernel cannot hear Stop while training: use the notebook's interrupt "
                "button instead."
            )
        lines.append(_escape(text))
        return "<br>".join(lines)

    def _picture_text(self, plan):
        stages = _stages(plan)
        path = " → ".join(_shape_text(shape) for _, shape, _ in stages)
        text = f"Picture, input to scores: {path}."
        usable = [r for r in self.runs if r.usable]
        if usable:
            best = self.best_run()
            text += f" Right: {len(usable)} run(s), validation accuracy against parameters; "
            if best is not None:
                text += (
                    f"the smallest network reaching {self.target:.0%} is run {best.number} "
                    f"({best.params:,} parameters, {best.val_accuracy:.1%})."
                )
            else:
                top = max(usable, key=lambda r: r.val_accuracy)
                text += (
                    f"none has reached {self.target:.0%} yet; the best is run {top.number} "
                    f"({top.val_accuracy:.1%})."
                )
        return text

    # -- the tables ---------------------------------------------------------------------------
    def _layer_html(self, plan):
        if plan is None:
            return ""
        head = ("#", "block", "layer", "output shape", "parameters", "multiply-adds")
        body = [
            (
                str(r["index"]),
                "" if r["block"] is None else str(r["block"]),
                r["type"]
                if r["type"].lower() == r["layer"].lower()
                else f"{r['type']} {r['layer']}",
                _shape_text(r["output_shape"]),
                f"{r['params']:,}",
                f"{r['multiply_adds']:,}",
            )
            for r in plan.rows
        ]
        body.insert(0, ("", "", "input", _shape_text(plan.input_shape), "", ""))
        total = ("", "", "total", "", f"{plan.total_params:,}", f"{plan.total_multiply_adds:,}")
        return _table(
            "Layers of this design (multiply-adds for one image; layers without weights count 0)",
            head,
            body,
            footer=total,
            numeric=(0, 1, 4, 5),
        )

    def _runs_html(self):
        if not self.runs:
            return _table(
                "Runs of this session", ("#", "network", "status"), [("", "none yet", "")]
            )
        best = self.best_run()
        head = (
            "#", "network", "epochs", "learning rate", "parameters", "multiply-adds", "seconds",
            "validation", "status",
        )  # fmt: skip
        body, marked = [], []
        for run in self.runs:
            done = len(run.history.epoch) if run.history is not None else 0
            status = (
                run.status if run is not best else f"{run.status} ★ smallest ≥ {self.target:.0%}"
            )
            body.append(
                (
                    str(run.number),
                    run.text,
                    f"{done}/{run.epochs}",
                    f"{run.learning_rate:g}",
                    f"{run.params:,}",
                    f"{run.multiply_adds:,}",
                    f"{run.seconds:.1f}",
                    "—" if run.val_accuracy is None else f"{run.val_accuracy:.1%}",
                    status,
                )
            )
            marked.append(run is best)
        titles = [run.message for run in self.runs]
        return _table(
            f"Runs of this session (★: the fewest parameters with validation accuracy ≥ "
            f"{self.target:.0%})",
            head,
            body,
            numeric=(0, 2, 3, 4, 5, 6, 7),
            marked=marked,
            titles=titles,
        )

    # -- training -----------------------------------------------------------------------------
    def _training_data(self):
        if self._data is None:
            from cnnlib.datasets import load_mnist
            from cnnlib.training import prepare_images

            images, labels = load_mnist("train")
            x = prepare_images(images)
            self._data = (x[:-HELD_OUT], labels[:-HELD_OUT], x[-HELD_OUT:], labels[-HELD_OUT:])
        x, y, xv, yv = self._data
        if self.train_size is not None:
            x, y = x[: self.train_size], y[: self.train_size]
        return x, y, xv, yv

    def train(self, epochs=None) -> Run:
        """Build the current design and train it; returns its :class:`Run` (also in ``runs``).

        Runs in the foreground: the cell (or the button) returns when training
        has finished, was stopped (Stop, :meth:`stop`), interrupted (the
        kernel's interrupt button) or diverged. The run's ``status`` says
        which, and ``message`` why a run diverged or failed.

        Raises
        ------
        ValueError
            If the design cannot be built (``message`` says why).
        RuntimeError
            If a run is already going on.
        """
        from cnnlib.optim import Adam
        from cnnlib.training import Trainer

        if self.running:
            raise RuntimeError("the builder is already training; press Stop (or call stop()) first")
        design = self.design
        plan = design.plan()  # the design's own error if it cannot be built
        epochs = self.controls["epochs"].value if epochs is None else v.as_int(epochs, "epochs", 1)
        x, y, xv, yv = self._training_data()
        rate = float(self.controls["learning_rate"].value)
        run = Run(
            number=max((r.number for r in self.runs), default=0) + 1,
            design=design,
            text=design.describe(),
            params=plan.total_params,
            multiply_adds=plan.total_multiply_adds,
            epochs=epochs,
            learning_rate=rate,
        )
        self._run, self._state = run, None
        self.running = True
        self._set_running(True)
        self._progress.value, self._progress.bar_style = 0.0, "info"
        self.update()
        start = time.perf_counter()
        try:
            run.model = design.build(seed=self.seed)
            self._trainer = Trainer(
                run.model,
                Adam(run.model, lr=rate),
                batch_size=self.batch_size,
                seed=self.seed,
                callbacks=[self],
                progress=False,
            )
            with self._clicks.busy(), warnings.catch_warnings():
                # a diverged run is explained in the status line and the table, not a warning
                warnings.filterwarnings("ignore", "Training diverged", RuntimeWarning)
                history = self._trainer.fit(x, y, epochs=epochs, validation_data=(xv, yv))
            run.history, run.status, run.message = history, history.status, history.message
            run.val_accuracy = history.val_accuracy[-1] if history.val_accuracy else None
        except Exception as err:
            run.status, run.message = "failed", _one_line(err)
            if self._trainer is not None:
                run.history = self._trainer.history
            raise
        finally:
            run.seconds = time.perf_counter() - start
            self.runs.append(run)
            self._run, self._trainer = None, None
            self.running = False
            self._set_running(False)
            self._progress.value = 1.0 if run.status == "completed" else self._progress.value
            self._progress.bar_style = "danger" if run.status in ("diverged", "failed") else "info"
            self.update()
            self._update_static_copies()
        return run

    def stop(self):
        """End the run after the current mini-batch (does nothing when idle)."""
        trainer = self._trainer
        if self.running and trainer is not None:
            trainer.stop = True

    def _button_clicked(self, _button=None):
        """Train, or Stop while training; problems go to the status line, never a traceback."""
        if self._clicks.handled_early():  # a Stop the kernel already acted on as it arrived
            return
        if self.running:
            self.stop()
            return
        if self.output is None:
            return  # the status line already says why this design cannot be built
        with contextlib.suppress(Exception):  # the run's row and the status line say why
            self.train()

    def _set_running(self, running):
        button = self.controls["train"]
        button.description = "Stop" if running else "Train"
        button.icon = "stop" if running else "play"
        button.button_style = "danger" if running else "success"
        button.tooltip = (
            "stop after the current mini-batch" if running else
            "build this network and train it; press again to stop"
        )  # fmt: skip
        for name in (*self._architecture, "epochs", "learning_rate"):
            self.controls[name].disabled = running

    # -- the trainer's callbacks --------------------------------------------------------------
    def on_train_begin(self, state):
        self._state = state

    def on_batch_end(self, state):
        self._clicks.poll()  # a Stop click waiting in the queue (ipykernel 6)
        now = time.perf_counter()
        if now - self._last_status >= STATUS_SECONDS:
            self._last_status = now
            self._progress.value = state.progress
            self._status.value = self._describe(self.output)

    def on_epoch_end(self, state):
        if state.val_accuracy is not None and self._run is not None:
            self._run.val_accuracy = state.val_accuracy
        self._progress.value = state.progress
        self.update()  # the run's point moves on the scatter

    # -- the picture for viewers without a kernel ---------------------------------------------
    def _ipython_display_(self):
        """Display the builder and remember where, to update its static picture after runs."""
        from IPython.display import display

        handle = display(self._repr_mimebundle_(), raw=True, display_id=True)
        if handle is not None:
            self._displays.append(handle)

    def _update_static_copies(self):
        if self._displays:
            bundle = self._repr_mimebundle_()
            for handle in self._displays:
                with contextlib.suppress(Exception):  # e.g. the notebook was closed meanwhile
                    handle.update(bundle, raw=True)


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def _table_height():
    """Pixels for the layer table of the design with the most layers the controls allow."""
    largest = CNNDesign(blocks=4, hidden=max(h for _, h in HIDDEN_CHOICES), dropout=0.5)
    rows = len(largest.plan().rows) + 3  # the input row, the header and the total
    return int(math.ceil(TABLE_CAPTION_PX + rows * TABLE_ROW_PX))


def _stages(plan):
    """The shape-changing stages of a plan: ``(caption, shape, kind)`` for the diagram."""
    stages = [(f"input\n{_shape_text(plan.input_shape)}", plan.input_shape, "input")]
    for r in plan.rows:
        kind, shape = r["type"], r["output_shape"]
        if kind == "Conv2D":
            stages.append((f"conv {r['block']}\n{_shape_text(shape)}", shape, "conv"))
        elif kind in ("MaxPool2D", "AvgPool2D"):
            colour = "max pool" if kind == "MaxPool2D" else "avg pool"
            stages.append((f"pool {r['block']}\n{_shape_text(shape)}", shape, colour))
        elif kind == "Flatten":
            stages.append((f"flatten\n{shape[0]:,}", shape, "vector"))
        elif kind == "Dense":
            last = r is plan.rows[-1]
            name = "scores" if last else "hidden"
            stages.append((f"{name}\n{shape[0]:,}", shape, "vector"))
    return stages


def _two_lines(text, width=88):
    """``design.describe()`` broken after a " + " when it is longer than ``width``."""
    if len(text) <= width:
        return text + "\n "
    parts = text.split(" + ")
    first = parts[0]
    for k in range(1, len(parts)):
        if len(" + ".join(parts[: k + 1])) > width:
            break
        first = " + ".join(parts[: k + 1])
    return first + " +\n" + text[len(first) + 3 :]


def _shape_text(shape):
    return "×".join(str(s) for s in shape)


def _short(count):
    """12345678 -> '12.3 M', 290080 -> '290 k'."""
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if count >= size:
            value = count / size
            return f"{value:.3g} {unit}"
    return f"{count:,}"


def _kilobytes(nbytes):
    return f"{nbytes / 1024:,.0f} kB" if nbytes < 10 * 1024**2 else f"{nbytes / 1024**2:,.0f} MB"


def _count_label(value, _pos=None):
    exponent = int(round(math.log10(value)))
    return {2: "100", 3: "1k", 4: "10k", 5: "100k", 6: "1M", 7: "10M", 8: "100M"}.get(
        exponent, f"{value:g}"
    )


def _clip_x(params):
    low, high = PARAMS_RANGE
    return float(min(max(params, low * 1.05), high / 1.05))


def _clip_y(accuracy):
    low, high = ACCURACY_RANGE
    return float(min(max(accuracy, low * 1.3), high - 0.001))


def _table(caption, head, body, footer=None, numeric=(), marked=None, titles=None):
    """An accessible HTML table (caption, header cells with scope), compact and striped."""

    def cells(row, tag, extra=""):
        out = []
        for k, text in enumerate(row):
            align = "right" if k in numeric else "left"
            scope = ' scope="col"' if tag == "th" else ""
            out.append(
                f'<{tag}{scope} style="text-align:{align};padding:1px 6px;{extra}">'
                f"{html.escape(text)}</{tag}>"
            )
        return "".join(out)

    rows = [f"<tr>{cells(head, 'th', 'border-bottom:1px solid #999')}</tr>"]
    for i, row in enumerate(body):
        style = "background:#f3f3f3;" if i % 2 else ""
        if marked and marked[i]:
            style = "background:#dff3ea;font-weight:600;"
        title = f' title="{html.escape(titles[i])}"' if titles and titles[i] else ""
        rows.append(f'<tr style="{style}"{title}>{cells(row, "td")}</tr>')
    if footer is not None:
        rows.append(f"<tr>{cells(footer, 'td', 'border-top:1px solid #999;font-weight:600')}</tr>")
    return (
        '<table style="border-collapse:collapse;font-size:12px;line-height:1.35">'
        f'<caption style="text-align:left;font-weight:600;padding-bottom:2px">'
        f"{html.escape(caption)}</caption>" + "".join(rows) + "</table>"
    )
