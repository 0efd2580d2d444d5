"""The training dashboard of notebook 06: watch a network learn, stop it, go on.

:class:`TrainingDashboard` wraps a :class:`cnnlib.Trainer`. Press **Start**
(or call :meth:`TrainingDashboard.train` in a cell) and the network trains in
the foreground of the notebook while the dashboard shows

* the loss and the accuracy, of every mini-batch (training) and after every
  epoch on the validation data, as curves that grow while you watch;
  by default the validation data are the last :data:`HELD_OUT` training
  digits, held out: the test digits stay unseen until the final evaluation;
* a progress bar and a status line (epoch, batch, seconds, latest numbers);
* the first layer's filters, numbered, with their colour scale, which start
  as random noise and turn into edge and blob detectors.

**Stop** ends training after the current mini-batch; the kernel's interrupt
button (or Ctrl+C) ends it at once. Either way the model keeps everything it
learned, and Start (or ``train()``) continues from there.

Two things keep this light enough to watch without slowing training down
(``benchmarks/widget_latency.py`` measures it, target: at most 10% slower):
only the curves, the filters and their caption are redrawn, on top of a cached
background (:class:`~cnnlib.explorers._blit.BlitExplorer`, about 10 ms), and
that at most every ``refresh_seconds`` (0.5 s), or less often if redrawing
gets slow (a busy machine): redrawing may take at most ``DRAW_BUDGET`` (3%)
of the time.

How the Stop button is heard while a cell is busy training (a kernel handles
one message at a time): :class:`~cnnlib.explorers._busy_kernel.ClicksWhileBusy`,
which depends on the kernel's version and says how. Outside a kernel (tests,
scripts) call :meth:`TrainingDashboard.stop`.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from cnnlib import _validate as v
from cnnlib.explorers._base import _escape
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.explorers._busy_kernel import ClicksWhileBusy
from cnnlib.plotting import (
    GAP_COLOR,
    SIGNED_CMAP,
    TARGET_COLOR,
    TRAIN_COLOR,
    VALIDATION_COLOR,
    show_tiles,
    signed_limit,
    smoothed,
    tile_maps,
)
from cnnlib.plotting.describe import range_text

__all__ = ["HELD_OUT", "TrainingDashboard", "default_training_setup"]

#: The last 500 bundled training digits are held out as validation digits (as in the
#: NetworkBuilder and notebook 06): measured after every epoch, never trained on.
HELD_OUT = 500
# the loss axis (log scale): ln(10) = 2.3 at the start; a mini-batch that is all right
# and sure goes down to about 0.001 late in training (1% of the batches of the course's
# run go lower, briefly)
LOSS_RANGE = (0.001, 4.0)
# the accuracy axis (logit scale): the smoothed training accuracy ends near 99.7%
ACCURACY_RANGE = (0.05, 0.999)
SMOOTHING = 0.9  # the smoothed training loss averages over about the last 10 batches
# the smoothed training accuracy over about the last 20: the accuracy of 32 digits moves in
# steps of 3%, and late in training most batches are 100% right, which a logit scale puts
# far up; so averaged, the course's run stays below 99.9%, inside the axis
ACCURACY_SMOOTHING = 0.95
DRAW_BUDGET = 0.03  # periodic redraws may take at most this share of the training time


def default_training_setup(train_size=None, seed=0):
    """The course's network and data: what notebook 06 trains.

    Parameters
    ----------
    train_size : int, optional
        Use only the first ``train_size`` training digits (default: all 3,500
        before the held-out ones).
    seed : int
        Seeds the network's initial weights.

    Returns
    -------
    dict
        ``model`` (:func:`cnnlib.reference_cnn`), ``x``, ``y`` (the first
        3,500 bundled training digits, prepared with
        :func:`cnnlib.prepare_images`) and ``validation_data`` (the last
        :data:`HELD_OUT` = 500 training digits, never trained on). The test
        digits are not used: they are kept for a final evaluation, after
        every choice has been made.
    """
    from cnnlib.datasets import load_mnist
    from cnnlib.model import reference_cnn
    from cnnlib.training import prepare_images

    images, labels = load_mnist("train")
    x = prepare_images(images)
    x_train, y_train = x[:-HELD_OUT], labels[:-HELD_OUT]
    if train_size is not None:
        x_train, y_train = x_train[:train_size], y_train[:train_size]
    return {
        "model": reference_cnn(seed=seed),
        "x": x_train,
        "y": y_train,
        "validation_data": (x[-HELD_OUT:], labels[-HELD_OUT:]),
    }


class TrainingDashboard(BlitExplorer):
    """Train a network with a Start/Stop button and live curves.

    Parameters
    ----------
    model : Sequential, optional
        The network to train (it is changed in place). Default: a fresh
        :func:`cnnlib.reference_cnn` with the bundled MNIST training digits,
        the last 500 of them held out for validation
        (:func:`default_training_setup`).
    x : float array (N, C, H, W)
        Training inputs, e.g. ``prepare_images(images)``; required with ``model``.
    y : int array (N,)
        Their labels.
    validation_data : (x_val, y_val), optional
        Measured after every epoch: the orange curves. Use digits the network
        never trains on and that you do not use for the final test (e.g.
        held-out training digits).
    optimizer : Optimizer, optional
        Default: ``Adam(model, lr=learning_rate)``.
    learning_rate : float
        For the default optimiser.
    batch_size : int
        Examples per weight update.
    epochs : int
        Epochs that one press of Start trains (the slider's first value).
    seed : int
        Seeds the order of the examples (and the augmentation).
    augment : callable, optional
        E.g. :class:`cnnlib.RandomShift` (see :func:`cnnlib.fit`).
    callbacks : list
        More callbacks for the trainer (e.g. :class:`cnnlib.EarlyStopping`).
    target : float, optional
        An accuracy to draw as a dashed goal line (e.g. 0.97).
    refresh_seconds : float
        Shortest time between two redraws while training (longer when a
        redraw takes more than ``DRAW_BUDGET`` of that time).

    Attributes
    ----------
    trainer : Trainer
        Keeps the history across runs; ``trainer.stop = True`` stops.
    history : History
        The numbers so far (the same object as ``output``).
    running : bool
        True while training.
    curves : dict of str to (x, y) arrays
        The data of every drawn curve (x in epochs, i.e. passes over the
        training data), for checking what is shown.
    seconds_drawing : float
        Time spent redrawing during the last run (the dashboard's own cost).
    """

    title = "Training dashboard: press Start, watch the network learn, press Stop at any time"

    def __init__(
        self,
        model=None,
        x=None,
        y=None,
        validation_data=None,
        *,
        optimizer=None,
        learning_rate=2e-3,
        batch_size=32,
        epochs=1,
        seed=0,
        augment=None,
        callbacks=(),
        target=None,
        refresh_seconds=0.5,
    ):
        from cnnlib.optim import Adam
        from cnnlib.training import Trainer

        model, self.x, self.y, self.validation_data = _model_and_data(model, x, y, validation_data)
        self.model = model
        if optimizer is None:
            optimizer = Adam(model, lr=learning_rate)
        self.trainer = Trainer(
            model,
            optimizer,
            batch_size=batch_size,
            seed=seed,
            augment=augment,
            callbacks=[self, *callbacks],
            progress=False,
        )
        self.batches = math.ceil(len(self.x) / self.trainer.batch_size)
        self.target = target
        self.refresh_seconds = float(refresh_seconds)
        self.running = False
        self.seconds_drawing = 0.0
        self._problem = ""  # why the last run failed or diverged, for the status line
        self._displays = []  # where the dashboard is displayed (to update the static picture)
        self._xmax = 1.0
        self._last_draw = 0.0
        self._draw_cost = 0.0  # seconds of a recent periodic redraw
        self._state = None
        self._first_conv = _first_conv(model)

        super().__init__(figsize=(9.3, 3.9), dpi=90)  # 837 px: fits a notebook column
        self._build_controls(epochs)
        self._build_figure()
        self.controls["epochs"].observe(self.update, names="value")
        self.update()

    def _build_controls(self, epochs):
        """Start, Stop (heard while a cell is busy training), the epochs slider, a progress bar."""
        style = {"description_width": "initial"}
        self.controls["epochs"] = widgets.IntSlider(
            value=int(epochs), min=1, max=30, description="epochs per Start", style=style
        )
        self.controls["start"] = widgets.Button(
            description="Start", icon="play", button_style="success", tooltip="train"
        )
        self.controls["stop"] = widgets.Button(
            description="Stop",
            icon="stop",
            button_style="danger",
            disabled=True,
            tooltip="stop after the current mini-batch; the model keeps what it learned",
        )
        self.controls["start"].on_click(lambda _: self._start_clicked())
        self.controls["stop"].on_click(lambda _: self._clicks.handled_early() or self.stop())
        self._progress = widgets.FloatProgress(
            value=0.0,
            min=0.0,
            max=1.0,
            description="progress",
            bar_style="info",
            style=style,
            layout=widgets.Layout(width="260px"),
        )
        self._clicks = ClicksWhileBusy(self.controls["stop"], self.stop)  # heard while training

    # -- training ------------------------------------------------------------------------
    @property
    def history(self):
        return self.trainer.history

    def train(self, epochs=None):
        """Train for ``epochs`` more epochs (default: the slider's value), showing it live.

        Runs in the foreground: the cell (or the Start button) returns when
        training has finished, was stopped (Stop, :meth:`stop`), was
        interrupted (the kernel's interrupt, Ctrl+C) or diverged. Returns the
        :class:`~cnnlib.training.History`, whose ``status`` says which (and
        the status line says why a run diverged). An error that prevents
        training (e.g. ``EarlyStopping`` without validation data) is shown
        in the status line and raised.
        """
        if self.running:
            raise RuntimeError(
                "the dashboard is already training; press Stop (or call stop()) first"
            )
        epochs = self.controls["epochs"].value if epochs is None else epochs
        self.running = True
        self.seconds_drawing = 0.0
        self._problem = ""
        self._set_buttons()
        try:
            with self._clicks.busy(), warnings.catch_warnings():
                # a diverged run is explained in the status line, not in a warning
                warnings.filterwarnings("ignore", "Training diverged", RuntimeWarning)
                history = self.trainer.fit(
                    self.x, self.y, epochs=epochs, validation_data=self.validation_data
                )
            self._problem = history.message
        except Exception as err:
            self._problem = _one_line(err)
            raise
        finally:
            self.running = False
            self._set_buttons()
            self.update()
            self._update_static_copies()
        return history

    def stop(self):
        """Stop training after the current mini-batch (does nothing when idle)."""
        if self.running:
            self.trainer.stop = True

    def _start_clicked(self):
        """Start: train, and show any problem in the status line, never as a traceback."""
        if not self.running:
            with contextlib.suppress(Exception):  # train() has put it in the status line
                self.train()

    def update(self, change=None):
        super().update(change)
        self.message = self._problem  # the explorer contract: the problem, in one line

    def _set_buttons(self):
        self.controls["start"].disabled = self.running
        self.controls["stop"].disabled = not self.running
        self.controls["epochs"].disabled = self.running

    # -- the trainer's callbacks ------------------------------------------------------------
    def on_train_begin(self, state):
        self._state = state
        planned = len(self.history.batch_loss) + state.epochs * state.batches
        self._xmax = max(planned / self.batches, 1.0)
        self._progress.value = 0.0
        self._refresh()

    def on_batch_end(self, state):
        self._clicks.poll()  # a Stop click waiting in the queue (ipykernel 6)
        now = time.perf_counter()
        if now - self._last_draw >= max(self.refresh_seconds, self._draw_cost / DRAW_BUDGET):
            cost = self._refresh()
            self._draw_cost = cost if not self._draw_cost else 0.5 * (self._draw_cost + cost)

    def on_train_end(self, state):
        self._state = state

    def _refresh(self):
        """Redraw now; returns the seconds it took (counted in ``seconds_drawing``)."""
        start = time.perf_counter()
        self.update()
        self._last_draw = time.perf_counter()
        self.seconds_drawing += self._last_draw - start
        return self._last_draw - start

    # -- the figure ------------------------------------------------------------------------
    def _build_figure(self):
        """Three panels, left to right: loss, accuracy (sharing the epochs axis), filters."""
        fig = self.figure
        grid = fig.add_gridspec(1, 3, width_ratios=[1.0, 1.0, 0.6])
        self._ax_loss = fig.add_subplot(grid[0, 0])
        self._ax_acc = fig.add_subplot(grid[0, 1])
        self._ax_filters = fig.add_subplot(grid[0, 2])
        self._build_loss_panel(self._ax_loss)
        self._build_accuracy_panel(self._ax_acc)
        self._build_epochs_axes()
        self._build_filters_panel(self._ax_filters)

    def _build_loss_panel(self, ax):
        """The loss (log scale): every mini-batch, smoothed, and on validation after each epoch."""
        ax.set_yscale("log")
        ax.set_ylim(*LOSS_RANGE)
        ticks = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3]
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_ylabel("loss (log scale)")
        ax.set_title("loss: how wrong (lower: better)")
        (self._loss_batch,) = ax.plot([], [], color=TRAIN_COLOR, lw=0.6, alpha=0.3)
        (self._loss_smooth,) = ax.plot([], [], color=TRAIN_COLOR, lw=2.0, label="training")
        (self._loss_val,) = ax.plot(
            [], [], "-o", color=VALIDATION_COLOR, lw=2.0, ms=5, label="validation"
        )

    def _build_accuracy_panel(self, ax):
        """The accuracy (stretched near 100%): smoothed, on validation, and the goal if given."""
        # a "logit" scale: stretched near 0% and 100%, so that both the first climb
        # from 10% and the last few percent (where the hard work happens) stay visible
        ax.set_yscale("logit", nonpositive="clip")
        ax.set_ylim(*ACCURACY_RANGE)
        ax.yaxis.set_major_locator(FixedLocator([0.1, 0.5, 0.9, 0.99, 0.999]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.4g}%"))
        ax.set_ylabel("accuracy (stretched near 100%)")
        ax.set_title("accuracy (higher: better)")
        (self._acc_smooth,) = ax.plot([], [], color=TRAIN_COLOR, lw=2.0, label="training")
        (self._acc_val,) = ax.plot(
            [], [], "-o", color=VALIDATION_COLOR, lw=2.0, ms=5, label="validation"
        )
        self._goal_label = None
        if self.target is not None:
            ax.axhline(self.target, color=TARGET_COLOR, ls=":", lw=1.5)
            # right end, under the line, on white and drawn over the curves (which end
            # above the goal when it is reached): never hidden under them
            self._goal_label = ax.annotate(
                f"goal {self.target:.0%}",
                xy=(0.98, self.target),
                xycoords=("axes fraction", "data"),
                xytext=(0, -3),
                textcoords="offset points",
                color=TARGET_COLOR,
                ha="right",
                va="top",
                fontsize=10,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5},
                zorder=5,
            )
        ax.legend(loc="lower right", fontsize=10)

    def _build_epochs_axes(self):
        """The loss and accuracy panels' shared x axis in epochs, with the next run shaded."""
        for ax in (self._ax_loss, self._ax_acc):
            ax.set_xlabel("epochs (passes over the training digits)")
            ax.grid(True, alpha=0.3)
            ax.set_xlim(0, self._xmax)
        # between runs, shaded on the right: the epochs the next Start will train (the
        # slider), so that the slider shows where the curves will get to (drawn in the
        # background, under the grid and the legend: see _background_key)
        self._next_run = [
            Rectangle((0, 0), 0, 1, transform=ax.get_xaxis_transform(), facecolor="0.92", zorder=0)
            for ax in (self._ax_loss, self._ax_acc)
        ]
        for ax, span in zip((self._ax_loss, self._ax_acc), self._next_run):
            ax.add_patch(span)
        self._next_label = self._ax_loss.text(
            0, 0.97, "next Start", transform=self._ax_loss.get_xaxis_transform(), rotation=90,
            ha="center", va="top", fontsize=9, color="0.35", zorder=1,
        )  # fmt: skip

    def _build_filters_panel(self, ax):
        """The first layer's filters as numbered tiles, their colour scale, the updates so far."""
        if self._first_conv is None:
            ax.set_axis_off()
            self._filters = None
            ax.set_title("(no convolution layer)")
            return
        kernels = self._kernels()
        self._filters_ncols = _filter_columns(len(kernels))
        self._filters = show_tiles(ax, kernels, ncols=self._filters_ncols)
        ax.set_title("first-layer filters")
        self._number_filters(ax, kernels.shape)
        self._filters_scale = _signed_scale(ax)
        # under the scale: how many weight updates the filters have had (drawn live)
        self._filters_note = ax.text(
            0.5,
            -0.17,
            "",
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=10,
        )

    def _number_filters(self, ax, shape):
        """Each tile's number in the gap above it (a band above the first row)."""
        # the gaps of the mosaic are see-through, so the numbers (drawn once, with the
        # axes' gray) show between the tiles, which are redrawn live
        count, k_h, k_w = shape
        self._filters.set_cmap(self._filters.get_cmap().with_extremes(bad="none"))
        ax.set_facecolor(GAP_COLOR)
        ax.set_ylim(self._filters.get_array().shape[0] - 0.5, -1.5)
        for k in range(count):
            row, col = divmod(k, self._filters_ncols)
            ax.text(
                col * (k_w + 1) + (k_w - 1) / 2,
                row * (k_h + 1) - 1,
                str(k),
                ha="center",
                va="center",
                fontsize=9,
            )

    def _kernels(self):
        weight = self._first_conv.params["weight"]
        return weight[:, 0] if weight.shape[1] == 1 else weight.mean(axis=1)

    def _dynamic_artists(self):
        artists = [
            self._loss_batch,
            self._loss_smooth,
            self._loss_val,
            self._acc_smooth,
            self._acc_val,
        ]
        if self._filters is not None:
            artists += [self._filters, self._filters_note, *self._filters_scale]
        if self._goal_label is not None:
            artists.append(self._goal_label)
        return artists

    def _background_key(self):
        # the shading of the next run is part of the background: shown between runs only
        return round(self._xmax, 6), self._next_label.get_visible(), self._next_label.get_position()

    # -- the explorer contract ---------------------------------------------------------------
    def _compute(self):
        return self.history

    @property
    def curves(self):
        """The curves as drawn: name -> (x in epochs, y)."""
        return {
            "loss (each batch)": self._loss_batch.get_data(),
            "loss (smoothed)": self._loss_smooth.get_data(),
            "validation loss": self._loss_val.get_data(),
            "accuracy (smoothed)": self._acc_smooth.get_data(),
            "validation accuracy": self._acc_val.get_data(),
        }

    def _draw(self, history):
        n = len(history.batch_loss)
        self._draw_epochs_axes(n / self.batches)
        self._draw_curves(history)
        if self._filters is not None:
            self._draw_filters(n)
        self._draw_progress(history)

    def _draw_epochs_axes(self, done):
        """The epochs axes: room for the run, and between runs the next run shaded."""
        if self.running:
            xmax = max(self._xmax, done, 1.0)
        else:  # room on the right for what the next Start trains
            xmax = max(done + self.controls["epochs"].value, 1.0)
        for span in self._next_run:
            span.set_visible(not self.running)
            span.set_x(done)
            span.set_width(xmax - done)
        self._next_label.set_visible(not self.running)
        self._next_label.set_x((done + xmax) / 2)
        if xmax != self._xmax or self._ax_loss.get_xlim()[1] != xmax:
            self._xmax = xmax
            for ax in (self._ax_loss, self._ax_acc):
                ax.set_xlim(0, xmax)
            if self.running:  # the axes grow as it trains: old backgrounds are useless
                self.drop_backgrounds()
            # (between runs the key says the limits and the shading: moving the epochs
            # slider back and forth finds its backgrounds again)

    def _draw_curves(self, history):
        """The loss and accuracy curves: every mini-batch so far, and each epoch's validation."""
        steps = np.arange(1, len(history.batch_loss) + 1) / self.batches
        loss = np.asarray(history.batch_loss, dtype=float)
        self._loss_batch.set_data(steps, loss)
        self._loss_smooth.set_data(steps, smoothed(loss, SMOOTHING))
        self._acc_smooth.set_data(steps, smoothed(history.batch_accuracy, ACCURACY_SMOOTHING))
        # a new validation point appears with the next redraw (at most refresh_seconds away)
        ends = np.asarray(history.step[: len(history.val_loss)], dtype=float) / self.batches
        self._loss_val.set_data(ends, history.val_loss)
        self._acc_val.set_data(ends, history.val_accuracy)

    def _draw_filters(self, n):
        """The filters as they are after ``n`` weight updates, and their colour scale."""
        kernels = self._kernels()
        lim = signed_limit(kernels)
        self._filters.set_data(tile_maps(kernels, self._filters_ncols))
        self._filters.set_clim(-lim, lim)
        self._filters_scale[0].set_text(f"\u2212{lim:.2f}")
        self._filters_scale[1].set_text(f"+{lim:.2f}")
        self._filters_note.set_text(f"after {n:,}\nweight updates")

    def _draw_progress(self, history):
        """The progress bar (a widget beside the buttons, not in the figure)."""
        state = self._state
        if self.running and state is not None:
            self._progress.value = state.progress
        elif history.status == "completed":
            self._progress.value = 1.0
        self._progress.bar_style = "danger" if self._problem else "info"

    def _describe_picture(self, history):
        """The curves as drawn (where they start and end, the validation points, the goal)
        and the first layer's filters, in words."""
        text = self._describe_curves(history)
        if not self.running:
            text += self._describe_next_run(len(history.batch_loss))
        return f"{text} {self._describe_filters()}"

    def _describe_curves(self, history):
        """The loss and accuracy panels in words: first and last values, validation, goal."""
        n = len(history.batch_loss)
        if n == 0:
            return "Not trained yet: the loss and accuracy plots are empty."
        curves = self.curves
        _, loss = curves["loss (smoothed)"]
        _, accuracy = curves["accuracy (smoothed)"]
        epochs = f"{n / self.batches:.2f}".rstrip("0").rstrip(".")
        text = (
            f"After {n:,} weight updates ({epochs} epochs): training loss (smoothed, log "
            f"scale) from {loss[0]:.3g} to {loss[-1]:.3g}"
            f"{_points_text(history, curves['validation loss'][1], '{:.3g}')}; training "
            f"accuracy (smoothed) from {accuracy[0]:.1%} to {accuracy[-1]:.1%}"
            f"{_points_text(history, curves['validation accuracy'][1], '{:.1%}')}"
        )
        if self.target is not None:
            text += self._describe_goal(history, curves["validation accuracy"][1])
        return text + "."

    def _describe_goal(self, history, validation_accuracy):
        """The dotted goal line, and after which epoch the validation accuracy reached it."""
        reached = np.flatnonzero(np.asarray(validation_accuracy) >= self.target)
        goal = f"; goal {self.target:.0%} (dotted line)"
        if reached.size:
            return f"{goal} reached on validation after epoch {history.epoch[reached[0]]}"
        if len(history.val_accuracy):
            return f"{goal} not reached on validation yet"
        return goal

    def _describe_next_run(self, n):
        """The shading on the right between runs: the epochs the next Start trains."""
        epochs = self.controls["epochs"].value
        done = n / self.batches
        return (
            f" Shaded on the right: the {epochs} epoch{'s' if epochs > 1 else ''} the next "
            f"Start trains, up to epoch {f'{done + epochs:.2f}'.rstrip('0').rstrip('.')}."
        )

    def _describe_filters(self):
        """The filters panel in words: how many, their range, where the extremes are, the scale."""
        if self._filters is None:
            return "No convolution layer, so no filters to show."
        kernels = self._kernels()
        count, k_h, k_w = kernels.shape
        high = np.unravel_index(np.argmax(kernels), kernels.shape)
        low = np.unravel_index(np.argmin(kernels), kernels.shape)
        limit = f"{signed_limit(kernels):.2f}"  # as the scale under the filters says it
        return (
            f"First-layer filters: {count} of {k_h}x{k_w}, numbered 0 to {count - 1}, "
            f"{range_text(kernels, 'weights')} (largest in filter {high[0]}, most negative in "
            f"filter {low[0]}); colour scale from \u2212{limit} blue through 0 white to "
            f"+{limit} red."
        )

    def _describe(self, history):
        parts = []
        state = self._state
        if self.running and state is not None and state.batch:
            parts.append(f"epoch {state.epoch} of {state.last_epoch}")
            parts.append(f"batch {state.batch} of {state.batches}")
            parts.append(f"{state.seconds:.1f} s")
            parts.append(f"training loss {state.loss:.3f}, accuracy {state.accuracy:.1%}")
        elif self.running:
            parts.append("starting...")
        elif not history.batch_loss:
            parts.append(
                f"Not trained yet: {len(self.x):,} training examples, {self.batches} "
                f"mini-batches of {self.trainer.batch_size} per epoch. Press Start."
            )
        elif not self._problem:
            parts.append(_STATUS_WORDS.get(history.status, history.status))
            parts.append(f"{len(history.epoch)} epochs in {history.seconds:.1f} s")
        if history.val_accuracy:
            parts.append(
                f"validation accuracy {history.val_accuracy[-1]:.1%} "
                f"(after epoch {history.epoch[-1]})"
            )
        text = _escape(" \u00b7 ".join(parts))
        if self._problem and not self.running:
            head, rest = "Training failed:", self._problem
            if history.status == "diverged":  # "Training diverged at epoch 2, batch 5: ..."
                head, rest = self._problem.split(": ", 1)
                head += ":"
            problem = f'<span style="color:#b35806;font-weight:600">{_escape(head)}</span> '
            text = problem + _escape(rest) + ("<br>" + text if text else "")
        return text

    # -- the picture for viewers without a kernel ---------------------------------------------
    def _ipython_display_(self):
        """Display the dashboard, and remember where, to update its static picture later.

        A displayed output holds the live widget and a PNG of the dashboard
        (see :meth:`_repr_mimebundle_`); viewers without a kernel (an HTML
        export, GitHub, nbviewer) show that PNG. Taken when the dashboard is
        displayed, it would show empty axes forever; :meth:`train` replaces it
        with the trained state when a run ends.
        """
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

    def _layout_controls(self):
        c = self.controls
        return widgets.HBox(
            [c["start"], c["stop"], c["epochs"], self._progress],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )


_STATUS_WORDS = {
    "completed": "Done",
    "stopped": "Stopped (the model keeps what it learned; Start goes on)",
    "interrupted": "Interrupted (the model keeps what it learned; Start goes on)",
}


def _points_text(history, values, fmt):
    """The validation points of a curve in words: all of them, or the first, last and best."""
    if len(values) == 0:
        return ""
    epochs = history.epoch[: len(values)]
    if len(values) <= 4:
        at = ", ".join(str(e) for e in epochs)
        return f"; validation after epoch{'s' if len(values) > 1 else ''} {at}: " + ", ".join(
            fmt.format(x) for x in values
        )
    best = int(np.argmin(values)) if "%" not in fmt else int(np.argmax(values))
    return (
        f"; validation {fmt.format(values[0])} after epoch {epochs[0]}, "
        f"{fmt.format(values[-1])} after epoch {epochs[-1]}, best {fmt.format(values[best])} "
        f"after epoch {epochs[best]}"
    )


def _one_line(err):
    """An error as one line for the status line: its message (and its kind if not obvious)."""
    text = " ".join(str(err).split())
    if isinstance(err, (ValueError, TypeError)):
        return text
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _model_and_data(model, x, y, validation_data):
    """The model and its training and validation data, checked as ``fit`` checks them.

    No model: the course's (:func:`default_training_setup`). The checks run now
    rather than at the first Start (one place for them: ``_validate``).
    """
    if model is None:
        if x is not None:
            raise ValueError("training data were given without a model; pass the model too")
        setup = default_training_setup()
        model, x, y = setup["model"], setup["x"], setup["y"]
        validation_data = validation_data or setup["validation_data"]
    elif x is None or y is None:
        raise ValueError(
            "a model was given without training data; pass them too, e.g. "
            "TrainingDashboard(model, prepare_images(images), labels)"
        )
    x, y = v.training_data(x, y, model)
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TypeError("validation_data must be a pair (x_val, y_val)")
        validation_data = v.training_data(*validation_data, model, name="x_val", label="y_val")
    return model, x, y, validation_data


def _first_conv(model):
    """The first layer with a 4-D weight (a convolution), or None."""
    for layer in getattr(model, "layers", [model]):
        weight = getattr(layer, "params", {}).get("weight")
        if weight is not None and weight.ndim == 4:
            return layer
    return None


def _signed_scale(ax):
    """A colour bar under ``ax`` from blue (-) through white (0) to red (+).

    Returns its two end labels (left, right), empty: the largest weight
    changes as the network trains, so they are written (and drawn) live.
    """
    bar = ax.inset_axes([0.0, -0.075, 1.0, 0.035])
    bar.imshow(
        np.linspace(-1, 1, 64)[None],
        cmap=SIGNED_CMAP,
        aspect="auto",
        extent=(-1, 1, 0, 1),
    )
    bar.set_axis_off()
    ends = [
        bar.text(x, -0.3, "", transform=bar.transAxes, ha=ha, va="top", fontsize=9)
        for x, ha in ((0.0, "left"), (1.0, "right"))
    ]
    bar.text(0.5, -0.3, "0", transform=bar.transAxes, ha="center", va="top", fontsize=9)
    return ends


def _filter_columns(count):
    """Columns of the filter mosaic in its tall panel: 8 -> 2, 16 -> 4, 32 -> 4."""
    return 1 if count <= 3 else 2 if count <= 10 else 4
