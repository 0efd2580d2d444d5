"""Exercises of notebook 05 (the dense classifier): parameters and softmax.

* :func:`check_softmax_by_hand`: turn three scores into probabilities;
* :func:`check_softmax`: write softmax as a function that also survives
  scores like 1000;
* :func:`check_parameter_count`: count the learnable numbers of
  :data:`EXERCISE_NETWORK`, layer by layer.

Each checker returns a :class:`~cnnlib.exercises.Feedback` naming every
mistake it recognises; ``show_solution("softmax_by_hand")``,
``show_solution("softmax")`` and ``show_solution("parameter_count")`` show
model answers.
"""

from __future__ import annotations

import warnings

import numpy as np

from cnnlib.exercises._catalogue import (
    PLACEHOLDER,
    UNREADABLE,
    WRONG_SHAPE,
    Exercise,
    Feedback,
    Mistake,
    checker,
)
from cnnlib.exercises._check import (
    as_array,
    as_whole_number,
    check_function,
    fragment,
    is_placeholder,
    placeholder_feedback,
    placeholder_message,
    short,
    why_not_a_number,
)
from cnnlib.ops import softmax

__all__ = [
    "EXERCISE_NETWORK",
    "HAND_SCORES",
    "PARAMETER_COUNT",
    "SOFTMAX",
    "SOFTMAX_BY_HAND",
    "check_parameter_count",
    "check_softmax",
    "check_softmax_by_hand",
    "exercise_network",
]

#: The network of the counting exercise, layer by layer (input: 3 x 32 x 32 colour images).
EXERCISE_NETWORK = {
    "conv1": "Conv2D(in_channels=3, out_channels=8, kernel_size=5, padding=2)",
    "relu1": "ReLU()",
    "pool1": "MaxPool2D(2)",
    "conv2": "Conv2D(in_channels=8, out_channels=16, kernel_size=3, padding=1)",
    "relu2": "ReLU()",
    "pool2": "MaxPool2D(2)",
    "flatten": "Flatten()",
    "dense": "Dense(in_features=?, out_features=10)",
}

_INPUT = (3, 32, 32)
_CONVS = {"conv1": (8, 3, 5), "conv2": (16, 8, 3)}  # filters, input channels, kernel size
_FLAT = 16 * 8 * 8  # 32 -> pool -> 16 -> pool -> 8, 16 maps
_CLASSES = 10

#: Scores of the softmax-by-hand exercise: cat, dog, bird.
HAND_SCORES = (2.0, 0.0, -1.0)
_CLASS_NAMES = ("cat", "dog", "bird")


def exercise_network(seed: int = 0):
    """:data:`EXERCISE_NETWORK` as a :class:`cnnlib.Sequential`, to check a count afterwards.

    Input (N, 3, 32, 32), output (N, 10) class scores.
    """
    from cnnlib.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
    from cnnlib.model import Sequential

    return Sequential(
        Conv2D(3, 8, 5, padding=2),
        ReLU(),
        MaxPool2D(2),
        Conv2D(8, 16, 3, padding=1),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(_FLAT, _CLASSES),
        seed=seed,
    )


# ----------------------------------------------------------------------------
# exercise 1: softmax by hand
# ----------------------------------------------------------------------------
_NO_EXP = Mistake(
    "scores-over-sum",
    "Divided the scores by their sum",
    "You divided the scores by their sum. Softmax first takes e^score of every score (so "
    "every number becomes positive), then divides by the sum of those.",
    "Normalising is remembered, exponentiating forgotten. With a negative score the "
    "'probability' comes out negative, which makes the case for e^score: it turns any "
    "score into a positive number and keeps the order.",
)
_NOT_NORMALISED = Mistake(
    "exp-not-normalised",
    "Stopped after e^score",
    "Those are e^score, the first step. Now divide each by their sum so that they add up to 1.",
    "Half of the recipe. Ask what a list of probabilities must add up to, then what "
    "single division achieves it.",
)
_WRONG_ORDER = Mistake(
    "wrong-order",
    "Right numbers, wrong order",
    "Right numbers, wrong order: give them as cat, dog, bird.",
    "Usually sorted from largest to smallest. The order of the outputs is the order of the "
    "classes, which is how a network's output is read.",
)
_SUM_NOT_ONE = Mistake(
    "sum-not-one",
    "Probabilities do not add up to 1",
    "Probabilities must add up to 1. Divide every e^score by the sum of all three.",
    "Rounding aside, a sum far from 1 means a division by the wrong total, often by one "
    "e^score instead of their sum.",
)

SOFTMAX_BY_HAND = Exercise(
    "softmax_by_hand",
    "05_dense_classifier",
    1,
    "Softmax by hand",
    "values",
    (_NO_EXP, _NOT_NORMALISED, _WRONG_ORDER, _SUM_NOT_ONE),
)

_HAND_TOLERANCE = 0.006  # answers rounded to 2 decimals pass


@checker(SOFTMAX_BY_HAND)
def check_softmax_by_hand(probabilities) -> Feedback:
    """Check the probabilities for the scores :data:`HAND_SCORES` (cat 2, dog 0, bird -1).

    Parameters
    ----------
    probabilities : list of 3 numbers
        P(cat), P(dog), P(bird), rounded to 2 decimals or more precise.

    Each value that is off is named, with the value it should have.
    """
    if is_placeholder(probabilities):
        return placeholder_feedback()
    if isinstance(probabilities, list | tuple) and any(is_placeholder(p) for p in probabilities):
        return placeholder_feedback("a probability", every=True)
    got, reason = as_array(probabilities)
    if reason is not None:
        return Feedback(
            False, f"Give three numbers, e.g. [0.5, 0.3, 0.2]; {reason}.", mistakes=(UNREADABLE.id,)
        )
    if got.shape != (3,):
        return Feedback(
            False,
            f"Give three numbers, one per class (cat, dog, bird); got shape {got.shape}.",
            mistakes=(WRONG_SHAPE.id,),
        )
    scores = np.array(HAND_SCORES)
    expected = softmax(scores)

    def close(a, b):
        with np.errstate(all="ignore"):
            return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) <= _HAND_TOLERANCE))

    if close(got, expected):
        return Feedback(
            True,
            f"e^2 = {np.exp(2):.2f}, e^0 = 1, e^-1 = {np.exp(-1):.2f}; they add up to "
            f"{np.exp(scores).sum():.2f}, and each divided by that sum gives "
            f"{expected[0]:.3f}, {expected[1]:.3f}, {expected[2]:.3f}. A lead of 2 in score "
            f"became a ratio of e^2 = {np.exp(2):.1f} in probability.",
        )
    lines = [
        f"P({name}) = {short(float(g))}: should be about {e:.3f}"
        for name, g, e in zip(_CLASS_NAMES, got, expected)
        if not abs(g - e) <= _HAND_TOLERANCE
    ]
    if close(got, scores / scores.sum()):
        mistake = _NO_EXP
    elif close(got, np.exp(scores)):
        mistake = _NOT_NORMALISED
    elif close(np.sort(got), np.sort(expected)):
        mistake = _WRONG_ORDER
    elif not abs(got.sum() - 1) <= 0.02:
        lines.append(f"your three add up to {got.sum():.3g}")
        mistake = _SUM_NOT_ONE
    else:
        mistake = None
    if mistake is None:
        hint = (
            "Not quite. Step by step: e^2, e^0 and e^-1 (use np.exp), add them up, then divide "
            "each by the sum."
        )
        return Feedback(False, hint, lines)
    return Feedback(False, mistake.hint, lines, mistakes=(mistake.id,))


# ----------------------------------------------------------------------------
# exercise 2: softmax as a function
# ----------------------------------------------------------------------------
def _cases():
    """Ordinary scores first (single vectors and batches), then very large and small ones."""
    return [
        (np.array([2.0, 0.0, -1.0]),),
        (np.array([1.0, 1.0, 1.0, 1.0]),),
        (np.array([0.5, -2.0, 3.0, 0.0, 1.5]),),
        (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),),
        (np.array([[2.0, 1.0], [-1.0, 4.0], [0.3, 0.3]]),),
        (np.array([1000.0, 999.0, 998.0]),),
        (np.array([-1000.0, -1001.0]),),
        (np.array([[1000.0, 0.0], [-1000.0, 0.0], [5.0, 5.0]]),),
    ]


def _exp(x):
    with np.errstate(all="ignore"):
        return np.exp(x)


def _overflowed(got, scores):
    return got.shape == scores.shape and np.abs(scores).max() > 700 and not np.isfinite(got).all()


_SOFTMAX_MISTAKES = (
    Mistake(
        "overflow",
        "Overflow on large scores",
        "Your function gives inf or NaN for scores like 1000: e^1000 is too large for a float "
        "(it becomes inf, and inf / inf is NaN), and e^-1000 rounds to 0 (0 / 0). Subtract the "
        "largest score of each row from every score first "
        "(scores - scores.max(axis=-1, keepdims=True)): the answer stays the same, because "
        "the common factor e^max cancels in the division, and the biggest number exp sees is "
        "e^0 = 1.",
        "The textbook formula is right on paper and wrong in floats. Show np.exp(1000) and "
        "np.exp(-1000) in a cell, then why subtracting the maximum changes nothing "
        "mathematically (the factor e^max cancels). Every framework does this inside.",
        detect=_overflowed,
    ),
    Mistake(
        "exp-not-normalised",
        "Stopped after e^score",
        "These are e^score, not yet probabilities: divide them by their sum so that each row "
        "adds up to 1.",
        "Half of the recipe. A quick test students can run themselves: does every row of the "
        "result add up to 1?",
        compute=lambda x: _exp(x),
    ),
    Mistake(
        "scores-over-sum",
        "Divided the scores by their sum",
        "You divided the scores themselves by their sum. Take e^score first: that makes every "
        "number positive, so the results are real probabilities.",
        "Without e^score, negative scores give negative 'probabilities' and a sum of zero "
        "divides by zero. Try [1, -1] together.",
        compute=lambda x: x / x.sum(axis=-1, keepdims=True),
    ),
    Mistake(
        "normalised-columns",
        "Normalised down the columns",
        "For a batch of score rows (one row per example), normalise every row on its own: sum "
        "along the last axis (axis=-1, keepdims=True), not down the columns.",
        "axis=0 sums over the examples instead of over the classes. Draw a batch as a table, "
        "rows = examples, columns = classes, and ask which way each probability list runs.",
        compute=lambda x: _exp(x) / _exp(x).sum(axis=0, keepdims=True),
    ),
    Mistake(
        "normalised-everything",
        "Normalised over the whole batch",
        "For a batch of score rows (one row per example), every row must add up to 1 on its "
        "own: sum along the last axis (axis=-1, keepdims=True), not over everything.",
        "The code is right for one example and wrong for a batch: .sum() without an axis adds "
        "every number. Show keepdims too, which lets the division broadcast row by row.",
        compute=lambda x: _exp(x) / _exp(x).sum(),
    ),
)

SOFTMAX = Exercise(
    "softmax",
    "05_dense_classifier",
    2,
    "Softmax as a function, safe for large scores",
    "function",
    _SOFTMAX_MISTAKES,
)


def _describe_scores(case):
    (scores,) = case
    return f"scores = {np.array2string(scores, separator=', ')}"


def _reference(scores):
    return softmax(scores, axis=-1)


@checker(SOFTMAX)
def check_softmax(softmax_fn) -> Feedback:
    """Check a softmax function: scores (..., K) -> probabilities along the last axis.

    Tried on single score vectors, on batches (one row of scores per example)
    and on very large and very small scores (1000, -1000), where the
    textbook formula overflows.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return check_function(
            softmax_fn,
            _reference,
            _cases(),
            mistakes=_SOFTMAX_MISTAKES,
            describe=_describe_scores,
            success=(
                "Your softmax agrees with the reference on single score vectors, on batches, "
                "and on scores as large as 1000 without overflowing."
            ),
            shape_advice="Softmax keeps the shape of the scores: one probability per score.",
        )


# ----------------------------------------------------------------------------
# exercise 3: count the parameters
# ----------------------------------------------------------------------------
def _conv_count(filters, channels, k):
    return filters * channels * k * k + filters


def _expected_counts():
    counts = {name: 0 for name in EXERCISE_NETWORK}
    for name, (f, c, k) in _CONVS.items():
        counts[name] = _conv_count(f, c, k)
    counts["dense"] = _FLAT * _CLASSES + _CLASSES
    return counts


# conv mistakes: compute(f, c, k) is the wrong count of a layer with f filters, c input
# channels and k x k kernels
_CONV_MISTAKES = (
    Mistake(
        "biases-forgotten",
        "Conv biases forgotten",
        "You counted the weights but not the biases: every filter also has one bias.",
        "Pictures of filters show only weights. Write one output value as a weighted sum "
        "with its + b, and ask how many such b a layer with F filters has.",
        compute=lambda f, c, k: f * c * k * k,
    ),
    Mistake(
        "input-channels-forgotten",
        "Filter depth forgotten",
        "A filter is not just k x k: it covers all input channels at once, so each filter "
        "has channels x k x k weights (plus its bias).",
        "The flat kernel picture again. conv2 is the telling layer: its input has 8 "
        "channels, the maps conv1 made, so each of its filters is 8 x 3 x 3.",
        compute=lambda f, c, k: f * k * k + f,
    ),
    Mistake(
        "depth-and-biases-forgotten",
        "Filter depth and biases forgotten",
        "Two things are missing: each filter covers all input channels (channels x k x k "
        "weights), and each filter has one bias.",
        "Both of the previous slips at once; take them one at a time.",
        compute=lambda f, c, k: f * k * k,
    ),
    Mistake(
        "single-filter",
        "Counted one filter",
        "That is one filter. The layer has one filter per output channel, each with its own "
        "weights and bias.",
        "The count of one filter, not of the layer. Ask how many maps the layer outputs.",
        compute=lambda f, c, k: c * k * k + 1,
    ),
)
_NO_PARAMS = Mistake(
    "params-in-fixed-layer",
    "Parameters in a fixed layer",
    "ReLU, max pooling and Flatten have nothing to learn: each applies a fixed rule to "
    "whatever it receives, so each has 0 parameters.",
    "Every box in the diagram is thought to learn. Sort the layers into 'learns' (conv, "
    "dense) and 'fixed rule' (ReLU, pooling, flatten). A Flatten count is often the "
    "number of values it outputs: a size, not parameters.",
)
_FLAT_HINT = (
    "The dense layer receives the flattened output of the last pooling layer: count its maps "
    "and its size. The convolutions keep the size (thanks to their padding); each 2x2 "
    "pooling halves height and width."
)


def _flat_mistake(id_, name, extra, note, inputs):
    return Mistake(
        id_,
        name,
        f"The number of inputs is wrong. {_FLAT_HINT} {extra}",
        note,
        compute=lambda: inputs * _CLASSES + _CLASSES,
    )


_DENSE_MISTAKES = (
    _flat_mistake(
        "flat-no-pooling",
        "Flatten size without the poolings",
        "(Did you skip both poolings? 32 -> 16 -> 8.)",
        "The poolings were forgotten when following the size through the network. Trace the "
        "shape layer by layer on the board, as summary() prints it.",
        16 * 32 * 32,
    ),
    _flat_mistake(
        "flat-one-pooling",
        "Flatten size after one pooling",
        "(Did you halve only once? 32 -> 16 -> 8.)",
        "One pooling counted. Trace the shape layer by layer; there are two halvings.",
        16 * 16 * 16,
    ),
    _flat_mistake(
        "flat-maps-forgotten",
        "Flatten size without the maps",
        "(Did you forget that there are 16 maps?)",
        "The size of one map, not of the stack. Flatten lays out every map, so the count is "
        "maps x height x width.",
        8 * 8,
    ),
    _flat_mistake(
        "flat-input-size",
        "Flatten size of the input image",
        "(You used the input image's size.)",
        "The dense layer sees what the layer before it outputs, not the image. A one-line "
        "reminder: each layer's input is the previous layer's output.",
        3 * 32 * 32,
    ),
    _flat_mistake(
        "flat-convs-shrink",
        "Convolutions shrank the maps",
        "(You shrank the maps at the convolutions too: with their padding they keep the size.)",
        "Without padding a 5x5 convolution shrinks 32 to 28, but padding=2 keeps 32. Let the "
        "output-size formula decide, not the habit.",
        16 * 6 * 6,
    ),
    _flat_mistake(
        "flat-extra-pooling",
        "Pooled once too often",
        "(Two poolings halve twice: 32 -> 16 -> 8.)",
        "A third halving appeared: a pooling counted twice, or one halving per layer. Trace "
        "the shape layer by layer, as summary() prints it.",
        16 * 4 * 4,
    ),
    Mistake(
        "dense-bias-forgotten",
        "Dense biases forgotten",
        "The weights are right; add one bias per class (10 more).",
        "Same slip as for convolutions: each output score has its own bias.",
        compute=lambda: _FLAT * _CLASSES,
    ),
    Mistake(
        "dense-one-weight-per-input",
        "One weight per input",
        "Every one of the 10 class scores has its own weight for every input value: inputs x "
        "10 weights, plus 10 biases.",
        "The dense layer pictured as one weighted sum. There is one weighted sum per class, "
        "each with its own weights: draw two output neurons with their own arrows.",
        compute=lambda: _FLAT + _CLASSES,
    ),
)

PARAMETER_COUNT = Exercise(
    "parameter_count",
    "05_dense_classifier",
    3,
    "Count the parameters",
    "values",
    (*_CONV_MISTAKES, _NO_PARAMS, *_DENSE_MISTAKES),
)


def _layer_verdict(name, value, right):
    """(mistake or None, text) for a wrong count of one layer."""
    kind = name.rstrip("0123456789")
    if kind in ("relu", "pool", "flatten"):
        return _NO_PARAMS, _NO_PARAMS.hint
    if name in _CONVS:
        f, c, k = _CONVS[name]
        for mistake in _CONV_MISTAKES:
            if value == mistake.compute(f, c, k):
                return mistake, mistake.hint
        return None, (
            "count it as (number of filters) x (weights per filter) + (one "
            f"bias per filter), where a filter has input channels x {k} x {k} weights"
        )
    for mistake in _DENSE_MISTAKES:
        if value == mistake.compute():
            return mistake, mistake.hint
    return None, (
        "a dense layer has (inputs x outputs) weights plus one bias per output; "
        "the inputs are all the numbers the Flatten layer makes"
    )


@checker(PARAMETER_COUNT)
def check_parameter_count(answer) -> Feedback:
    """Check the parameter count of :data:`EXERCISE_NETWORK`.

    Parameters
    ----------
    answer : dict or int
        Best: a dict with one count per layer (keys as in
        :data:`EXERCISE_NETWORK`: ``"conv1"``, ``"relu1"``, ..., ``"dense"``),
        so the hint can say which layers are off: every wrong layer is listed
        with its own hint. A single number (the total) is accepted too.
    """
    expected = _expected_counts()
    total = sum(expected.values())
    if is_placeholder(answer):
        return placeholder_feedback()
    if not isinstance(answer, dict):
        if as_whole_number(answer) is not None:
            return _check_total(as_whole_number(answer), expected, total)
        return Feedback(
            False,
            "Give a dict with one count per layer (or a single whole number, the total); "
            f"{why_not_a_number(answer, 'a count')}.",
            mistakes=(UNREADABLE.id,),
        )
    missing = [name for name in expected if name not in answer]
    unknown = [short(name) for name in answer if name not in expected]
    if missing or unknown:
        message = "The dict needs one entry for every layer of EXERCISE_NETWORK"
        message += f"; missing: {', '.join(missing)}" if missing else ""
        message += f"; not a layer of it: {', '.join(unknown)}" if unknown else ""
        return Feedback(False, message + ".", mistakes=(UNREADABLE.id,))
    lines, found, wrong = [], [], 0
    for name, right in expected.items():
        value = answer[name]
        if is_placeholder(value):
            lines.append(placeholder_message(name, "your count"))
            found.append(PLACEHOLDER.id)
            wrong += 1
            continue
        count = as_whole_number(value)
        if count is None:
            lines.append(f"{name}: give a whole number; {why_not_a_number(value, 'a count')}")
            found.append(UNREADABLE.id)
            wrong += 1
            continue
        if count == right:
            continue
        mistake, text = _layer_verdict(name, count, right)
        lines.append(f"{name}: {count} \u2718 {fragment(text)}")
        if mistake is not None:
            found.append(mistake.id)
        wrong += 1
    if wrong:
        layers = "layer needs" if wrong == 1 else "layers need"
        if wrong == len(expected):
            summary = f"All {wrong} layers need another look."
        else:
            summary = f"{wrong} {layers} another look; the others are right."
        return Feedback(
            False,
            summary,
            lines,
            mistakes=tuple(dict.fromkeys(found)),
        )
    dense_share = expected["dense"] / total
    return Feedback(
        True,
        f"{total:,} parameters in all, and {expected['dense']:,} of them "
        f"({dense_share:.0%}) sit in the single dense layer. Check it yourself with "
        "exercise_network().summary((3, 32, 32)).",
    )


def _check_total(answer: int, expected: dict, total: int) -> Feedback:
    if answer == total:
        return Feedback(
            True,
            f"{total:,} parameters. (Tip: a dict with one count per layer lets the checker "
            "say which layer is off when a count is wrong.)",
        )
    convs = expected["conv1"] + expected["conv2"]
    known: dict[int, tuple[Mistake, str]] = {
        total - sum(f for f, _, _ in _CONVS.values()) - _CLASSES: (
            _CONV_MISTAKES[0],
            f"{_CONV_MISTAKES[0].hint} The dense layer has one bias per class, too.",
        ),
        sum(_conv_count(f, 1, k) for f, _, k in _CONVS.values()) + expected["dense"]: (
            _CONV_MISTAKES[1],
            _CONV_MISTAKES[1].hint,
        ),
    }
    for mistake in _DENSE_MISTAKES[:-2]:
        known[convs + mistake.compute()] = (mistake, mistake.hint)
    if answer in known:
        mistake, hint = known[answer]
        return Feedback(False, hint, mistakes=(mistake.id,))
    return Feedback(
        False,
        f"Not {answer:,}. Count layer by layer in a dict (conv1, relu1, ..., dense) and the "
        "checker will tell you which layers are off.",
    )
