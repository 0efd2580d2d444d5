"""Exercises of notebook 06 (training), with checks that explain what went wrong.

1. :func:`check_learning_rate`: pick a learning rate with which gradient
   descent reaches the bottom of the narrow valley in 50 steps; the check runs
   the descent and says whether it crawled, bounced or diverged.
2. :func:`check_regulariser`: beat the overfitting baseline on a small
   training slice with weight decay, dropout and/or random shifts; the check
   trains the network with your choice (about a second) and compares the
   validation accuracy (500 held-out training digits).

Model answers: ``show_solution("learning_rate")`` and ``show_solution("regulariser")``.
(Reading the confusion matrix moved to notebook 07: :mod:`cnnlib.exercises.inside`.)
"""

from __future__ import annotations

import functools

import numpy as np

from cnnlib.exercises._catalogue import (
    UNREADABLE,
    Exercise,
    Feedback,
    Mistake,
    checker,
)
from cnnlib.exercises._check import (
    as_real,
    as_whole_number,
    is_placeholder,
    placeholder_feedback,
    short,
    why_not_a_number,
)

__all__ = [
    "LEARNING_RATE",
    "LEARNING_RATE_LANDSCAPE",
    "LEARNING_RATE_STEPS",
    "REGULARISER",
    "REGULARISER_SETUP",
    "check_learning_rate",
    "check_regulariser",
    "regulariser_baseline",
    "regulariser_run",
]


# ----------------------------------------------------------------------------
# 1. a learning rate that converges
# ----------------------------------------------------------------------------
#: The landscape of exercise 1 (see :data:`cnnlib.descent.LANDSCAPES`).
LEARNING_RATE_LANDSCAPE = "2-D: narrow valley"
#: Steps gradient descent may take.
LEARNING_RATE_STEPS = 50

_CRAWLING = Mistake(
    "lr-too-small",
    "Too small: crawling",
    "Too small: the valley is long and gentle in one direction, where small steps crawl. Try "
    "a larger learning rate.",
    "Caution is the right instinct for real networks, and the loss does fall, just too "
    "slowly. In the LossLandscape, count the steps a small rate needs along the gentle "
    "direction, then find where the steep direction stops a larger one.",
)
_BOUNCING = Mistake(
    "lr-bouncing",
    "Almost too large: bouncing",
    "Almost too large: the path swings back and forth across the steep direction of the "
    "valley. Try a slightly smaller learning rate.",
    "Just under the stability limit every step overshoots the valley floor and comes back. "
    "Show the zig-zag path, and say in words why it settles so slowly: each step undoes "
    "almost as much as it did.",
)
_DIVERGED = Mistake(
    "lr-diverged",
    "Too large: diverged",
    "Too large: each step overshoots the steep side of the valley by more than the last, so "
    "the loss grows instead of shrinking. Try a smaller learning rate.",
    "The failure students meet first in real training, as a loss that shoots up or turns "
    "NaN. Link the exploding path here to the training dashboard at a large rate, where the "
    "loss can also get stuck near ln 10 = 2.30 (chance) after a spike.",
)
_NOT_POSITIVE = Mistake(
    "lr-not-positive",
    "Zero or negative learning rate",
    "A learning rate must be positive: each step moves learning_rate x slope against the "
    "slope, so 0 stands still and a negative rate climbs uphill.",
    "A sign confusion about 'minus the gradient': the minus sits in the update rule, the "
    "rate itself is a positive step size.",
)

LEARNING_RATE = Exercise(
    "learning_rate",
    "06_training",
    1,
    "A learning rate that converges",
    "values",
    (_CRAWLING, _BOUNCING, _DIVERGED, _NOT_POSITIVE),
)


@checker(LEARNING_RATE)
def check_learning_rate(learning_rate, momentum=0.0) -> Feedback:
    """Run gradient descent on the narrow valley with ``learning_rate`` and judge it.

    The descent starts at the landscape's start point and takes
    :data:`LEARNING_RATE_STEPS` steps (plain gradient descent unless
    ``momentum`` is given); it passes if it ends within 0.01 of the lowest
    loss. Explore first with ``LossLandscape("2-D: narrow valley")``.
    """
    from cnnlib.descent import LANDSCAPES, gradient_descent, judge_descent

    if is_placeholder(learning_rate):
        return placeholder_feedback("a learning rate, e.g. 0.1")
    rate = as_real(learning_rate)
    if rate is None:
        return Feedback(
            False,
            f"The learning rate is a number, e.g. 0.1; "
            f"{why_not_a_number(learning_rate, 'an ordinary number')}.",
            mistakes=(UNREADABLE.id,),
        )
    if rate <= 0:
        return Feedback(
            False, f"{_NOT_POSITIVE.hint} (You gave {rate:g}.)", mistakes=(_NOT_POSITIVE.id,)
        )
    beta = as_real(momentum)
    if beta is None or not 0 <= beta < 1:
        return Feedback(
            False,
            f"momentum must be a number from 0 up to (not including) 1, not {short(momentum)}.",
            mistakes=(UNREADABLE.id,) if beta is None else (),
        )
    landscape = LANDSCAPES[LEARNING_RATE_LANDSCAPE]
    steps = LEARNING_RATE_STEPS
    with np.errstate(all="ignore"):
        path = gradient_descent(
            landscape.gradient,
            landscape.start,
            rate,
            momentum=beta,
            steps=steps,
            escape=landscape.escape,
        )
        verdict = judge_descent(landscape, path)
        gap = float(landscape.loss(path[-1]) - landscape.lowest_loss)
    lr = f"{rate:g}"
    if verdict.outcome == "converged":
        return Feedback(
            True,
            f"With learning rate {lr} the descent reached the valley floor in "
            f"{verdict.steps} of {steps} steps. Plain gradient descent works here from about "
            "0.46 to 0.97: below, the steps along the long, gentle direction are too short "
            "to arrive in time; from 1 on, every step across the steep direction overshoots "
            "by as much as it corrects (its slope is 2w, so a step of 1 x 2w lands exactly "
            "on the other side), and above 1 the swings grow.",
        )
    if verdict.outcome == "crawling":
        return Feedback(
            False,
            f"{_CRAWLING.hint} After {steps} steps with learning rate {lr} the loss is still "
            f"{gap:.3g} above the lowest (it needs to be within 0.01).",
            mistakes=(_CRAWLING.id,),
        )
    if verdict.outcome == "bouncing":
        return Feedback(
            False,
            f"{_BOUNCING.hint} With learning rate {lr}, after {steps} steps the path is still "
            f"{gap:.3g} above the lowest.",
            mistakes=(_BOUNCING.id,),
        )
    if verdict.outcome == "diverged":
        return Feedback(
            False,
            f"{_DIVERGED.hint} With learning rate {lr} the descent diverged after "
            f"{verdict.steps} steps.",
            mistakes=(_DIVERGED.id,),
        )
    return Feedback(False, verdict.text[0].upper() + verdict.text[1:] + ".")


# ----------------------------------------------------------------------------
# 2. a regulariser that beats the overfitting baseline
# ----------------------------------------------------------------------------
#: The small training run of exercise 2 (the same as notebook 06's overfitting section,
#: with fewer epochs): reference CNN, SGD with momentum, the first ``train_size``
#: training digits; scored on the ``validation`` slice: the last 500 training digits,
#: which it never learns from (the validation digits of the whole notebook and of the
#: TrainingDashboard and NetworkBuilder).
REGULARISER_SETUP = {
    "train_size": 256,
    "validation": (3500, 4000),
    "epochs": 16,
    "batch_size": 32,
    "lr": 0.05,
    "momentum": 0.9,
    "seed": 0,
}
_GAIN = 0.015  # the validation accuracy must rise by at least 1.5 points


@functools.cache
def _data():
    from cnnlib.datasets import load_mnist
    from cnnlib.training import prepare_images

    images, labels = load_mnist("train")
    n = REGULARISER_SETUP["train_size"]
    a, b = REGULARISER_SETUP["validation"]
    return (
        prepare_images(images[:n]),
        labels[:n],
        prepare_images(images[a:b]),
        labels[a:b],
    )


def regulariser_run(weight_decay=0.0, dropout=0.0, max_shift=0) -> dict:
    """Train the small setup of exercise 2 once; returns its numbers.

    The network is :func:`cnnlib.reference_cnn` with ``dropout`` (a
    :class:`cnnlib.Dropout` layer before its dense layer when above 0), trained
    by SGD with momentum and ``weight_decay``, on mini-batches shifted by up to
    ``max_shift`` pixels (:class:`cnnlib.RandomShift`). The same settings give
    the same numbers (every run is seeded), so a repeated run is remembered.

    Returns
    -------
    dict
        ``train_accuracy``, ``validation_accuracy`` and ``validation_loss`` (on
        500 held-out training digits, :data:`REGULARISER_SETUP`), and ``seconds``.
    """
    return dict(_run(float(weight_decay), float(dropout), int(max_shift)))


@functools.lru_cache(maxsize=32)
def _run(weight_decay: float, dropout: float, max_shift: int) -> tuple:
    import time

    from cnnlib.augment import RandomShift
    from cnnlib.model import reference_cnn
    from cnnlib.optim import SGD
    from cnnlib.training import evaluate, fit

    s = REGULARISER_SETUP
    x, y, xv, yv = _data()
    model = reference_cnn(seed=s["seed"], dropout=dropout)
    optimizer = SGD(model, lr=s["lr"], momentum=s["momentum"], weight_decay=weight_decay)
    start = time.perf_counter()
    fit(
        model,
        x,
        y,
        optimizer=optimizer,
        epochs=s["epochs"],
        batch_size=s["batch_size"],
        seed=s["seed"],
        augment=RandomShift(max_shift) if max_shift else None,
        progress=False,
    )
    _, train_accuracy = evaluate(model, x, y)
    validation_loss, validation_accuracy = evaluate(model, xv, yv)
    return tuple(
        {
            "train_accuracy": train_accuracy,
            "validation_accuracy": validation_accuracy,
            "validation_loss": validation_loss,
            "seconds": time.perf_counter() - start,
        }.items()
    )


def regulariser_baseline() -> dict:
    """The numbers of exercise 2's setup without any regulariser (computed once)."""
    return regulariser_run()


_BASELINE_ITSELF = Mistake(
    "baseline-itself",
    "No regulariser chosen",
    "That is the baseline itself: no weight decay, no dropout, no shifts. Choose at least one "
    "regulariser.",
    "Not a misconception: a first run to see the check work. Ask what each of the three "
    "settings would change in the training.",
)
_OUT_OF_RANGE = Mistake(
    "setting-out-of-range",
    "A setting outside its sensible range",
    "This setting is outside the range where it makes sense.",
    "Dropout is a probability (below 1), weight decay a small non-negative factor, shifts a "
    "few pixels of a 28-pixel digit. Ask what each number means before choosing it.",
)
_TOO_STRONG = Mistake(
    "too-strong",
    "Too much regularisation",
    "Too strong: the network can no longer learn even its training digits well.",
    "Regularisation trades fit on the training digits for generalisation; too much of it "
    "underfits. Point at the training accuracy, which fell below the baseline's: the network "
    "is now too constrained to learn even what it sees.",
)
_LOSS_NOT_ACCURACY = Mistake(
    "loss-not-accuracy",
    "Better loss, same accuracy",
    "The validation loss fell (the network is less over-confident in its mistakes), but the "
    "validation accuracy did not rise by the 1.5 points needed.",
    "Weight decay mostly shrinks the weights, which softens over-confident predictions: the "
    "loss improves before the accuracy does. A good moment to say that the two numbers "
    "measure different things.",
)
_NOT_ENOUGH = Mistake(
    "not-enough-gain",
    "Not enough gain",
    "Not enough gain: the validation accuracy did not rise by the 1.5 points needed.",
    "Too weak for 16 short epochs, or a regulariser that does not suit the data. On digits "
    "random shifts usually win: they show the network new versions of every example, which "
    "is what a small training set lacks.",
)

REGULARISER = Exercise(
    "regulariser",
    "06_training",
    2,
    "Beat the overfitting baseline",
    "values",
    (_BASELINE_ITSELF, _OUT_OF_RANGE, _TOO_STRONG, _LOSS_NOT_ACCURACY, _NOT_ENOUGH),
)


def _read_settings(weight_decay, dropout, max_shift):
    """The three settings as numbers, or a Feedback saying what is wrong with them."""
    values = {}
    for name, value in (("weight_decay", weight_decay), ("dropout", dropout)):
        if is_placeholder(value):
            return placeholder_feedback("a number", name)
        number = as_real(value)
        if number is None:
            return Feedback(
                False,
                f"{name} must be a number; {why_not_a_number(value, 'an ordinary number')}.",
                mistakes=(UNREADABLE.id,),
            )
        values[name] = number
    if is_placeholder(max_shift):
        return placeholder_feedback("a whole number", "max_shift")
    shift = as_whole_number(max_shift)
    if shift is None:
        return Feedback(
            False,
            f"max_shift is a whole number of pixels; "
            f"{why_not_a_number(max_shift, 'a whole number')}.",
            mistakes=(UNREADABLE.id,),
        )
    wd, p = values["weight_decay"], values["dropout"]
    problems = []
    if not 0 <= wd < 1:
        problems.append(
            f"weight_decay={wd:g}: it pulls every weight towards 0, so it cannot be negative, "
            "and from 1 on it would erase the weights; try 0.0001 to 0.03"
        )
    if not 0 <= p < 1:
        problems.append(
            f"dropout={p:g}: it is the probability of dropping a value, from 0 up to (not "
            "including) 1"
        )
    if not 0 <= shift <= 8:
        problems.append(f"max_shift={shift}: use 0 (none) to a few pixels; a digit is 28 wide")
    if problems:
        return Feedback(
            False,
            _OUT_OF_RANGE.hint + "\n" + "\n".join(problems),
            mistakes=(_OUT_OF_RANGE.id,),
        )
    return wd, p, shift


@checker(REGULARISER)
def check_regulariser(weight_decay=0.0, dropout=0.0, max_shift=0) -> Feedback:
    """Train the small setup with your regularisers and compare with the baseline.

    Parameters
    ----------
    weight_decay : float
        L2 penalty of the optimiser (0: none).
    dropout : float
        Probability that a Dropout layer before the dense layer drops a value
        (0: no dropout layer).
    max_shift : int
        Random shifts of the training digits by up to this many pixels (0: none).

    Passes when the validation accuracy (500 held-out training digits) beats the
    baseline's by at least 1.5 points.
    """
    settings = _read_settings(weight_decay, dropout, max_shift)
    if isinstance(settings, Feedback):
        return settings
    weight_decay, dropout, max_shift = settings
    if weight_decay == 0 and dropout == 0 and max_shift == 0:
        return Feedback(False, _BASELINE_ITSELF.hint, mistakes=(_BASELINE_ITSELF.id,))
    base = regulariser_baseline()
    got = regulariser_run(weight_decay, dropout, max_shift)
    numbers = (
        f"Validation accuracy {got['validation_accuracy']:.1%} (baseline "
        f"{base['validation_accuracy']:.1%}), training accuracy {got['train_accuracy']:.1%} "
        f"(baseline {base['train_accuracy']:.1%}), validation loss "
        f"{got['validation_loss']:.3f} (baseline {base['validation_loss']:.3f})."
    )
    gain = got["validation_accuracy"] - base["validation_accuracy"]
    if gain >= _GAIN:
        gap_before = base["train_accuracy"] - base["validation_accuracy"]
        gap_after = got["train_accuracy"] - got["validation_accuracy"]
        return Feedback(
            True,
            f"{numbers} The gap between training and validation accuracy shrank from "
            f"{gap_before:.1%} to {gap_after:.1%}: the network memorised less and learned "
            "more that carries over to digits it has never seen.",
        )
    chosen = sum(1 for value in (weight_decay, dropout, max_shift) if value)
    if got["train_accuracy"] < 0.9 or got["train_accuracy"] < base["train_accuracy"] - 0.05:
        strong = []
        if weight_decay >= 0.05:
            strong.append(f"weight decay {weight_decay:g} (try 0.01-0.03)")
        if dropout >= 0.7:
            strong.append(f"dropout {dropout:g} (try 0.3-0.5)")
        if max_shift >= 4:
            strong.append(f"shifts of {max_shift} pixels (try 1-2)")
        if strong:
            advice = "Weaken " + "; ".join(strong) + "."
        elif chosen > 1:
            advice = (
                "Regularisers add up: together these are too much for 16 short epochs. Try "
                "one at a time, or weaker settings."
            )
        else:
            advice = "Try a weaker setting."
        return Feedback(False, f"{_TOO_STRONG.hint} {numbers} {advice}", mistakes=(_TOO_STRONG.id,))
    if got["validation_loss"] < 0.9 * base["validation_loss"]:
        only_decay = weight_decay and not dropout and not max_shift
        advice = (
            "Weight decay alone mostly does that; try it a little stronger, or dropout or "
            "random shifts."
            if only_decay
            else "Try a stronger setting, or another regulariser."
        )
        return Feedback(
            False,
            f"{numbers} {_LOSS_NOT_ACCURACY.hint} {advice}",
            mistakes=(_LOSS_NOT_ACCURACY.id,),
        )
    return Feedback(
        False,
        f"{_NOT_ENOUGH.hint} {numbers} Try a stronger setting, or another regulariser: random "
        "shifts give the network new examples it cannot memorise.",
        mistakes=(_NOT_ENOUGH.id,),
    )
