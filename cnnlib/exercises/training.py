"""Exercises of notebook 06 (training), with checks that explain what went wrong.

1. :func:`check_learning_rate`: pick a learning rate with which gradient
   descent reaches the bottom of the narrow valley in 50 steps; the check runs
   the descent and says whether it crawled, bounced or diverged.
2. :func:`check_confusion_reading`: read a confusion matrix: how many 4s were
   taken for 9s, and which mistake is the most common.
3. :func:`check_regulariser`: beat the overfitting baseline on a small
   training slice with weight decay, dropout and/or random shifts; the check
   trains the network with your choice (about a second) and compares the
   validation accuracy (500 held-out training digits).

Model answers: ``show_solution("learning_rate")``,
``show_solution("confusion_reading")`` and ``show_solution("regulariser")``.
"""

from __future__ import annotations

import functools

import numpy as np

from cnnlib.exercises._catalogue import (
    PLACEHOLDER,
    UNREADABLE,
    Exercise,
    Feedback,
    Mistake,
    checker,
)
from cnnlib.exercises._check import (
    as_array,
    as_real,
    as_shape,
    as_whole_number,
    is_placeholder,
    placeholder_message,
    short,
    why_not_a_number,
)

__all__ = [
    "CONFUSION_READING",
    "LEARNING_RATE",
    "LEARNING_RATE_LANDSCAPE",
    "LEARNING_RATE_STEPS",
    "REGULARISER",
    "REGULARISER_SETUP",
    "check_confusion_reading",
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
        return Feedback(
            False, placeholder_message(what="a learning rate, e.g. 0.1"), mistakes=(PLACEHOLDER.id,)
        )
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
# 2. reading a confusion matrix
# ----------------------------------------------------------------------------
_COUNT_TRANSPOSED = Mistake(
    "count-transposed",
    "Rows and columns swapped",
    "That is the cell in row 9, column 4: 9s that were taken for 4s. Rows are the true "
    "digits, columns what the network said: a 4 taken for a 9 sits in row 4, column 9.",
    "Which axis is which is a convention (cnnlib, like scikit-learn, puts the true digit on "
    "the rows). Label both axes every time, and read one cell aloud as a sentence: 'true 4, "
    "called 9'.",
)
_WHOLE_ROW = Mistake(
    "counted-whole-row",
    "Counted every mistake on a 4",
    "That counts every mistake on a 4 (the whole of row 4 except the diagonal). Only the 4s "
    "that were called 9 count: row 4, column 9.",
    "The question read as 'how many 4s were wrong'. Have the student say what one cell "
    "means before adding cells up.",
)
_WHOLE_COLUMN = Mistake(
    "counted-whole-column",
    "Counted every wrong 9",
    "That counts every digit wrongly called 9 (column 9 without the diagonal). Only the true "
    "4s among them count: row 4, column 9.",
    "The question read as 'how many 9s were wrong'. As for the row: one cell, one sentence.",
)
_DIAGONAL = Mistake(
    "read-diagonal",
    "Read the diagonal",
    "That number is on the diagonal: digits that were recognised correctly. Look for row 4 "
    "(true 4s), column 9 (called 9).",
    "The diagonal holds the successes and the largest numbers, so the eye goes there. Shade "
    "it on the board: everything off it is a mistake.",
)
_PAIR_SWAPPED = Mistake(
    "pair-swapped",
    "Pair in the wrong order",
    "Swapped: the pair is (true digit, predicted digit), and the most common mistake sits in "
    "the row of its true digit.",
    "The same axis confusion as the count, in pair form. Ask for the pair as a sentence "
    "first: 'a true 7 called 9' is (7, 9).",
)
_PAIR_DIAGONAL = Mistake(
    "pair-on-diagonal",
    "A digit paired with itself",
    "That pair is on the diagonal: a digit recognised as itself is no mistake. Look at the "
    "cells off the diagonal.",
    "The largest numbers of the matrix sit on the diagonal; the question asks for the "
    "largest off it. Cover the diagonal with a strip of paper, or show np.fill_diagonal(m, 0).",
)
_NOT_LARGEST = Mistake(
    "not-the-largest",
    "Not the largest off-diagonal cell",
    "Another cell off the diagonal holds a larger number. Look for the largest number that "
    "is not on the diagonal.",
    "Reading a 10 x 10 table by eye is error-prone; colour helps. Show the matrix with the "
    "diagonal set to 0 and let the brightest cell stand out.",
)

CONFUSION_READING = Exercise(
    "confusion_reading",
    "06_training",
    2,
    "Read the confusion matrix",
    "values",
    (
        _COUNT_TRANSPOSED,
        _WHOLE_ROW,
        _WHOLE_COLUMN,
        _DIAGONAL,
        _PAIR_SWAPPED,
        _PAIR_DIAGONAL,
        _NOT_LARGEST,
    ),
)


def _most_common_mistakes(matrix):
    off = matrix.astype(float).copy()
    np.fill_diagonal(off, -1)
    top = off.max()
    return [tuple(int(i) for i in pair) for pair in np.argwhere(off == top)], int(top)


def _read_matrix(matrix):
    """The confusion matrix as an int array, or (None, why not)."""
    array, reason = as_array(matrix)
    if reason is None and (
        array.shape != (10, 10)
        or not np.isfinite(array).all()
        or (array < 0).any()
        or (array != np.round(array)).any()
    ):
        reason = f"it has shape {array.shape}" if array.shape != (10, 10) else "it is not counts"
    if reason is not None:
        return None, reason
    return array.astype(np.int64), None


def _count_verdict(matrix, count):
    """(mistake or None, hint) for a wrong count of 4s taken for 9s."""
    if count == matrix[9, 4]:
        return _COUNT_TRANSPOSED, f"{count}: {_COUNT_TRANSPOSED.hint}"
    if count == matrix[4].sum() - matrix[4, 4]:
        return _WHOLE_ROW, f"{count}: {_WHOLE_ROW.hint}"
    if count == matrix[:, 9].sum() - matrix[9, 9]:
        return _WHOLE_COLUMN, f"{count}: {_WHOLE_COLUMN.hint}"
    if count in (matrix[4, 4], matrix[9, 9]):
        return _DIAGONAL, f"{count}: {_DIAGONAL.hint}"
    return None, (
        f"not {count}. Find row 4 (the digits that really are 4) and go along it to column 9 "
        "(what the network said). Counting starts at 0."
    )


def _pair_verdict(matrix, pair, best, count):
    t, p = pair
    n = len(matrix)
    if not (0 <= t < n and 0 <= p < n):
        return None, "both digits are between 0 and 9: (true digit, predicted digit)"
    if (p, t) in best:
        return _PAIR_SWAPPED, (
            f"{_PAIR_SWAPPED.hint} ({t}, {p}) means a true {t} called {p}; the most common "
            f"mistake sits in row {p}, column {t}: true {p}, called {t}."
        )
    if t == p:
        return _PAIR_DIAGONAL, f"({t}, {p}): {_PAIR_DIAGONAL.hint}"
    return _NOT_LARGEST, (
        f"the cell for a true {t} called {p} holds {int(matrix[t, p])}. {_NOT_LARGEST.hint}"
    )


@checker(CONFUSION_READING)
def check_confusion_reading(matrix, fours_as_nines, most_common) -> Feedback:
    """Check two readings of a confusion matrix (rows: true digit, columns: prediction).

    Parameters
    ----------
    matrix : int array (10, 10)
        The matrix you read, e.g. ``confusion_matrix(test_labels, predictions)``.
    fours_as_nines : int
        How many test digits that really are 4 did the network call 9?
    most_common : (int, int)
        The most common mistake as (true digit, predicted digit).

    Both readings are judged, each with its own hint.
    """
    matrix, reason = _read_matrix(matrix)
    if matrix is None:
        return Feedback(
            False,
            "Pass the confusion matrix of the ten digits (a 10 x 10 array of counts) as the "
            f"first argument; {reason}.",
            mistakes=(UNREADABLE.id,),
        )
    right = int(matrix[4, 9])
    best, top = _most_common_mistakes(matrix)
    lines, found, correct = [], [], 0
    # 1. the count
    count = as_whole_number(fours_as_nines)
    if is_placeholder(fours_as_nines):
        lines.append(placeholder_message("fours_as_nines", "a count"))
        found.append(PLACEHOLDER.id)
    elif count is None:
        reason = why_not_a_number(fours_as_nines, "a count")
        lines.append(f"fours_as_nines is a count (a whole number); {reason}.")
        found.append(UNREADABLE.id)
    elif count != right:
        mistake, hint = _count_verdict(matrix, count)
        lines.append(f"fours_as_nines: {hint}")
        found += [mistake.id] if mistake else []
    else:
        correct += 1
    # 2. the most common mistake
    pair = as_shape(most_common)
    if is_placeholder(most_common):
        lines.append(placeholder_message("most_common", "a pair (true digit, predicted digit)"))
        found.append(PLACEHOLDER.id)
    elif pair is None or len(pair) != 2:
        if isinstance(most_common, str | bytes):
            reason = f"{short(most_common)} is text; write the pair as two numbers: (7, 9)"
        else:
            reason = f"not {short(most_common)}"
        lines.append(
            "most_common is a pair of whole digits (true digit, predicted digit), e.g. "
            f"(3, 5); {reason}."
        )
        found.append(UNREADABLE.id)
    elif pair not in best:
        mistake, hint = _pair_verdict(matrix, pair, best, top)
        lines.append(f"most_common: {hint}")
        found += [mistake.id] if mistake else []
    else:
        correct += 1
    if correct == 2:
        fours = int(matrix[4].sum())
        t, p = pair
        also = (
            "" if len(best) == 1 else f" (tied with {', '.join(str(b) for b in best if b != pair)})"
        )
        return Feedback(
            True,
            f"{right} of the {fours} test 4s were taken for 9s: row 4 holds every true 4, and "
            f"column 9 is where the network said 9. The most common mistake is a {t} taken for "
            f"a {p}{also}, {top} times. Look at them with "
            f"MistakesGallery(model, test_images, test_labels) and true digit {t}, taken for "
            f"{p}: most of them are ambiguous even to a human, or written in an unusual style.",
        )
    if correct == 1:
        right_part = "fours_as_nines" if count == right else "most_common"
        lines.insert(0, f"{right_part} is right.")
    return Feedback(False, "\n".join(lines), mistakes=tuple(dict.fromkeys(found)))


# ----------------------------------------------------------------------------
# 3. a regulariser that beats the overfitting baseline
# ----------------------------------------------------------------------------
#: The small training run of exercise 3 (the same as notebook 06's overfitting section,
#: with fewer epochs): reference CNN, SGD with momentum, the first ``train_size``
#: training digits; scored on the ``validation`` slice of other training digits
#: (500 of them), which it never learns from.
REGULARISER_SETUP = {
    "train_size": 256,
    "validation": (2000, 2500),
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
    """Train the small setup of exercise 3 once; returns its numbers.

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
    """The numbers of exercise 3's setup without any regulariser (computed once)."""
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
    3,
    "Beat the overfitting baseline",
    "values",
    (_BASELINE_ITSELF, _OUT_OF_RANGE, _TOO_STRONG, _LOSS_NOT_ACCURACY, _NOT_ENOUGH),
)


def _read_settings(weight_decay, dropout, max_shift):
    """The three settings as numbers, or a Feedback saying what is wrong with them."""
    values = {}
    for name, value in (("weight_decay", weight_decay), ("dropout", dropout)):
        if is_placeholder(value):
            return Feedback(
                False, placeholder_message(name, "a number"), mistakes=(PLACEHOLDER.id,)
            )
        number = as_real(value)
        if number is None:
            return Feedback(
                False,
                f"{name} must be a number; {why_not_a_number(value, 'an ordinary number')}.",
                mistakes=(UNREADABLE.id,),
            )
        values[name] = number
    if is_placeholder(max_shift):
        return Feedback(
            False, placeholder_message("max_shift", "a whole number"), mistakes=(PLACEHOLDER.id,)
        )
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
