"""Training curves: loss and accuracy per epoch or per mini-batch (notebook 06)."""

from __future__ import annotations

import numpy as np

from cnnlib.plotting.describe import describe
from cnnlib.plotting.style import _new_figure, short_number

__all__ = [
    "TRAIN_COLOR",
    "VALIDATION_COLOR",
    "TARGET_COLOR",
    "RUN_COLORS",
    "smoothed",
    "plain_log_axis",
    "plot_training_curves",
]

#: Okabe-Ito colours of the training curves: training blue, validation orange.
TRAIN_COLOR = "#0072B2"
VALIDATION_COLOR = "#D55E00"
TARGET_COLOR = "#009E73"
RUN_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def smoothed(values, beta=0.9) -> np.ndarray:
    """Exponential moving average of a noisy curve (e.g. the loss of every batch).

    ``s[t] = beta * s[t-1] + (1 - beta) * values[t]``, divided by
    ``1 - beta**(t+1)`` so that the first points are not pulled towards 0
    (Adam's bias correction). ``beta=0.9`` averages over roughly the last 10
    values.

    Parameters
    ----------
    values : array (n,)
    beta : float
        0 (no smoothing) to below 1.

    Returns
    -------
    float array (n,)
    """
    from scipy.signal import lfilter

    values = np.asarray(values, dtype=float)
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be at least 0 and below 1, but is {beta!r}; try 0.9")
    if values.size == 0:
        return values
    average = lfilter([1 - beta], [1, -beta], values)
    return average / (1 - beta ** np.arange(1, values.size + 1))


def _runs(histories) -> dict:
    """``histories`` as a dict of name -> History; a clear error for anything else."""
    from cnnlib.training import History

    if isinstance(histories, History):
        return {"": histories}
    if not isinstance(histories, dict):
        given = type(histories).__name__
        hint = " (name the runs of a list: {'SGD': h1, 'Adam': h2})" if given == "list" else ""
        raise TypeError(
            "histories must be a History (what fit returns) or a dict of name -> History, "
            f"e.g. {{'SGD': h1, 'Adam': h2}}, but is a {given}{hint}"
        )
    if not histories:
        raise ValueError("histories is an empty dict; give at least one run, e.g. {'Adam': h}")
    for name, history in histories.items():
        if not isinstance(history, History):
            raise TypeError(
                f"histories[{name!r}] must be a History (what fit returns), but is a "
                f"{type(history).__name__}"
            )
    return histories


def plain_log_axis(axis):
    """Label a logarithmic axis with plain numbers (0.01, 0.03, 0.1, ...), not powers of 10.

    Call it after the data are drawn: a short range (less than 1.5 powers of 10)
    gets ticks at 1, 2, 3 and 5 times each power of 10, a longer one at 1 and 3.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    low, high = sorted(axis.get_view_interval())
    short = low > 0 and np.log10(high / low) < 1.5
    subs = (1.0, 2.0, 3.0, 5.0) if short else (1.0, 3.0)
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def plot_training_curves(
    histories,
    per="epoch",
    smooth=0.9,
    title=None,
    target=None,
    curves=("training", "validation"),
    chance=None,
):
    """Loss and accuracy of one or several training runs, side by side.

    Parameters
    ----------
    histories : History or dict of str to History
        The runs to compare, by name (e.g. ``{"SGD": h1, "Adam": h2}``).
    per : ``"epoch"`` or ``"batch"``
        ``"epoch"``: training (dashed) and validation (solid, dots) numbers
        after every epoch, for seeing them split apart (overfitting).
        ``"batch"``: the training loss and accuracy of every mini-batch,
        smoothed (see :func:`smoothed`), for comparing how fast runs learn.
    smooth : float
        ``beta`` of the smoothing for ``per="batch"``.
    title : str, optional
    target : float, optional
        An accuracy to draw as a dotted line (e.g. 0.97).
    curves : tuple of str
        With ``per="epoch"``: which curves to draw, ``"training"`` and/or
        ``"validation"`` (only the validation curves keep a comparison of many
        runs readable).
    chance : int, optional
        The number of classes K: draws what guessing among them scores, the
        loss ln K and the accuracy 1/K, as gray dotted lines (e.g. ``10`` for
        digits: 2.30 and 10%), to see a run that learns nothing.

    Returns
    -------
    matplotlib Figure
        Loss on a log scale (left), accuracy in percent (right); one colour per run.
    """
    from matplotlib.ticker import PercentFormatter

    from cnnlib import _validate as v

    histories = _runs(histories)
    if chance is not None:
        chance = v.as_int(chance, "chance", minimum=2, why="it is the number of classes")
    if per not in ("epoch", "batch"):
        raise ValueError(f"per must be 'epoch' or 'batch', but is {per!r}")
    unknown = set(curves) - {"training", "validation"}
    if unknown or not curves:
        raise ValueError(f"curves must name 'training' and/or 'validation', not {curves!r}")
    fig = _new_figure(11.0, 4.0 + (0.3 if title else 0.0))
    ax_loss, ax_acc = fig.subplots(1, 2)
    both = len(curves) == 2
    for n, (name, history) in enumerate(histories.items()):
        color = RUN_COLORS[n % len(RUN_COLORS)]
        if per == "batch":
            steps = np.arange(1, len(history.batch_loss) + 1)
            label = name or "training"
            ax_loss.plot(
                steps, smoothed(history.batch_loss, smooth), color=color, lw=2, label=label
            )
            ax_acc.plot(
                steps, smoothed(history.batch_accuracy, smooth), color=color, lw=2, label=label
            )
            continue
        epochs = np.asarray(history.epoch)
        for kind in curves:
            loss, accuracy = (
                (history.loss, history.accuracy)
                if kind == "training"
                else (history.val_loss, history.val_accuracy)
            )
            if not loss:
                continue
            label = ": ".join(part for part in (name, kind if both or not name else "") if part)
            style = {"ls": "--", "lw": 1.8} if kind == "training" else {"marker": "o", "lw": 2.2}
            ax_loss.plot(epochs, loss, color=color, ms=4, label=label, **style)
            ax_acc.plot(epochs, accuracy, color=color, ms=4, label=label, **style)
    if chance is not None:  # a dotted line for each, its value written over its right end
        for ax, value, text in (
            (ax_loss, np.log(chance), f"guessing: ln {chance} = {np.log(chance):.2f}"),
            (ax_acc, 1 / chance, f"guessing: 1/{chance} = {1 / chance:.0%}"),
        ):
            ax.axhline(value, color="0.35", ls=":", lw=2.0, zorder=1)
            ax.annotate(
                text,
                xy=(0.99, value),
                xycoords=("axes fraction", "data"),
                xytext=(0, 3),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=9,
                color="0.25",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
            )
    ax_loss.set_yscale("log")
    plain_log_axis(ax_loss.yaxis)
    ax_loss.set_ylabel("loss (log scale)")
    ax_acc.set_ylabel("accuracy")
    ax_acc.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if target is not None:
        ax_acc.axhline(target, color=TARGET_COLOR, ls=":", lw=1.5, label=f"goal {target:.0%}")
    xlabel = "mini-batch (weight updates)" if per == "batch" else "epoch"
    for ax, what in ((ax_loss, "loss"), (ax_acc, "accuracy")):
        ax.set_xlabel(xlabel)
        ax.grid(True, which="major", alpha=0.3)
        if per == "batch":
            what = f"{what} (smoothed)" if smooth else f"{what} of each mini-batch"
        ax.set_title(what)
    # lower right suits curves that rise; "best" finds room when a run stays low
    ax_acc.legend(fontsize=9, loc="lower right" if chance is None else "best")
    if title:
        fig.suptitle(title, fontsize=13, fontweight="bold")
    _describe_curves(fig, ax_loss, ax_acc, histories, per, smooth, curves, title, target)
    return fig


def _describe_curves(fig, ax_loss, ax_acc, histories, per, smooth, curves, title, target):
    """Each run's curves in words: where they start, end and reach their best."""
    loss_parts, acc_parts = [], []
    for name, history in histories.items():
        if per == "batch":
            runs = [
                (
                    name or "training",
                    smoothed(history.batch_loss, smooth),
                    smoothed(history.batch_accuracy, smooth),
                )
            ]
        else:
            runs = []
            for kind in curves:
                loss, accuracy = (
                    (history.loss, history.accuracy)
                    if kind == "training"
                    else (history.val_loss, history.val_accuracy)
                )
                label = " ".join(part for part in (name, kind) if part)
                runs.append((label, np.asarray(loss, float), np.asarray(accuracy, float)))
        for label, loss, accuracy in runs:
            if len(loss):
                loss_parts.append(
                    f"{label} from {short_number(loss[0])} to {short_number(loss[-1])} "
                    f"(lowest {short_number(loss.min())})"
                )
            if len(accuracy):
                acc_parts.append(
                    f"{label} from {accuracy[0]:.0%} to {accuracy[-1]:.0%} "
                    f"(best {accuracy.max():.0%})"
                )
    steps = "mini-batch, smoothed" if per == "batch" else "epoch"
    describe(ax_loss, f"Loss per {steps}, log scale: " + ("; ".join(loss_parts) or "no values"))
    goal = f"; dotted goal line at {target:.0%}" if target is not None else ""
    describe(ax_acc, f"Accuracy per {steps}: " + ("; ".join(acc_parts) or "no values") + goal)
    if title:
        describe(fig, title)
