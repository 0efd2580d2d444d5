"""Exercises of notebook 05 (the dense classifier): parameters and softmax.

* :func:`check_parameter_count`: count the learnable numbers of
  :data:`EXERCISE_NETWORK`, layer by layer;
* :func:`check_softmax_by_hand`: turn three scores into probabilities;
* :func:`check_softmax`: write softmax as a function that also survives
  scores like 1000.

Each checker returns a :class:`~cnnlib.exercises.Feedback` naming the likely
mistake; ``show_solution("parameter_count")``, ``show_solution("softmax_by_hand")``
and ``show_solution("softmax")`` show model answers.
"""

from __future__ import annotations

import warnings
from numbers import Number

import numpy as np

from cnnlib.exercises._check import Feedback, Mistake, check_function, solution

__all__ = [
    "EXERCISE_NETWORK",
    "HAND_SCORES",
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
# exercise 1: count the parameters
# ----------------------------------------------------------------------------
def _conv_count(filters, channels, k):
    return filters * channels * k * k + filters


def _expected_counts():
    counts = {name: 0 for name in EXERCISE_NETWORK}
    for name, (f, c, k) in _CONVS.items():
        counts[name] = _conv_count(f, c, k)
    counts["dense"] = _FLAT * _CLASSES + _CLASSES
    return counts


def _conv_mistakes(name):
    f, c, k = _CONVS[name]
    return [
        (
            f * c * k * k,
            f"{name}: you counted the weights but not the biases. Every filter also has one "
            f"bias, so add {f}.",
        ),
        (
            f * k * k + f,
            f"{name}: a filter is not just {k}x{k}: it covers all {c} input channels at once, "
            f"so each filter has {c} x {k} x {k} weights (plus its bias).",
        ),
        (
            f * k * k,
            f"{name}: two things are missing. Each filter covers all {c} input channels "
            f"({c} x {k} x {k} weights), and each filter has one bias.",
        ),
        (
            c * k * k + 1,
            f"{name}: that is one filter. The layer has {f} of them, each with its own "
            "weights and bias.",
        ),
    ]


_NO_PARAMS = (
    "{name}: {kind} has nothing to learn. It applies a fixed rule ({rule}) to whatever it "
    "receives, so it has 0 parameters."
)
_RULES = {
    "relu": ("ReLU", "negative values become 0"),
    "pool": ("max pooling", "keep the largest value of each window"),
    "flatten": ("Flatten", "lay the maps out as one long vector"),
}


def _dense_mistakes():
    flat_hint = (
        "dense: the number of inputs is wrong. The dense layer receives the flattened output "
        "of the last pooling layer: count its maps and its size. The convolutions keep the "
        "size (thanks to their padding); each 2x2 pooling halves height and width."
    )
    wrong_inputs = {
        16 * 32 * 32: flat_hint + " (Did you skip both poolings? 32 -> 16 -> 8.)",
        16 * 16 * 16: flat_hint + " (Did you halve only once? 32 -> 16 -> 8.)",
        8 * 8: flat_hint + " (Did you forget that there are 16 maps?)",
        3 * 32 * 32: flat_hint + " (You used the input image's size.)",
        16 * 6 * 6: flat_hint
        + " (You shrank the maps at the convolutions too: with their padding they keep "
        "the size.)",
        16 * 4 * 4: flat_hint + " (Two poolings halve twice: 32 -> 16 -> 8.)",
    }
    mistakes = [(n * _CLASSES + _CLASSES, hint) for n, hint in wrong_inputs.items()]
    mistakes.append(
        (_FLAT * _CLASSES, "dense: the weights are right; add one bias per class (10 more).")
    )
    mistakes.append(
        (
            _FLAT + _CLASSES,
            "dense: every one of the 10 class scores has its own weight for every input "
            f"value: {_FLAT} x 10 weights, plus 10 biases.",
        )
    )
    return mistakes


def _is_number(value):
    return isinstance(value, Number | np.number) and not isinstance(value, bool)


def check_parameter_count(answer) -> Feedback:
    """Check the parameter count of :data:`EXERCISE_NETWORK`.

    Parameters
    ----------
    answer : dict or int
        Best: a dict with one count per layer (keys as in
        :data:`EXERCISE_NETWORK`: ``"conv1"``, ``"relu1"``, ..., ``"dense"``),
        so the hint can say which layer is off. A single number (the total)
        is accepted too.
    """
    expected = _expected_counts()
    total = sum(expected.values())
    if answer is None or answer is ...:
        return Feedback(False, "Replace the placeholder (None or ...) with your answer.")
    if _is_number(answer):
        return _check_total(answer, expected, total)
    if not isinstance(answer, dict):
        return Feedback(
            False,
            f"Give a dict with one count per layer (or a single number), not "
            f"{type(answer).__name__}.",
        )
    missing = [name for name in expected if name not in answer]
    if missing:
        return Feedback(False, f"The dict needs an entry for every layer; missing: {missing}.")
    for name, right in expected.items():
        value = answer[name]
        if value is None or value is ...:
            return Feedback(False, f"{name}: replace the placeholder (...) with your count.")
        if not _is_number(value):
            return Feedback(False, f"{name}: give a whole number, not {value!r}.")
        if value == right:
            continue
        kind = name.rstrip("0123456789")
        if kind in _RULES:
            label, rule = _RULES[kind]
            return Feedback(False, _NO_PARAMS.format(name=name, kind=label, rule=rule))
        mistakes = _conv_mistakes(name) if name in _CONVS else _dense_mistakes()
        for wrong, hint in mistakes:
            if value == wrong:
                return Feedback(False, hint)
        if name in _CONVS:
            f, c, k = _CONVS[name]
            hint = (
                f"{name}: not {value}. Count it as (number of filters) x (weights per "
                f"filter) + (one bias per filter), where a filter has input channels x "
                f"{k} x {k} weights."
            )
        else:
            hint = (
                f"dense: not {value}. A dense layer has (inputs x outputs) weights plus one "
                "bias per output; the inputs are all the numbers the Flatten layer makes."
            )
        return Feedback(False, hint)
    dense_share = expected["dense"] / total
    return Feedback(
        True,
        f"{total:,} parameters in all, and {expected['dense']:,} of them "
        f"({dense_share:.0%}) sit in the single dense layer. Check it yourself with "
        "exercise_network().summary((3, 32, 32)).",
    )


def _check_total(answer, expected, total):
    if answer == total:
        return Feedback(
            True,
            f"{total:,} parameters. (Tip: a dict with one count per layer lets the checker "
            "say which layer is off when a count is wrong.)",
        )
    c1, c2 = (_CONVS[name] for name in ("conv1", "conv2"))
    no_bias = total - c1[0] - c2[0] - _CLASSES
    no_channels = _conv_count(c1[0], 1, c1[2]) + _conv_count(c2[0], 1, c2[2]) + expected["dense"]
    known = {
        no_bias: "The weights add up, but the biases are missing (one per filter and one per "
        "class).",
        no_channels: "Each filter covers all input channels: a conv filter has channels x k x "
        "k weights, not just k x k.",
    }
    for wrong, hint in _dense_mistakes()[:-2]:
        known[expected["conv1"] + expected["conv2"] + wrong] = hint
    hint = known.get(answer)
    if hint is None:
        hint = (
            f"Not {answer:,}. Count layer by layer in a dict (conv1, relu1, ..., dense) "
            "and the checker will tell you which layer is off."
        )
    return Feedback(False, hint)


@solution("parameter_count")
def parameter_count_solution():
    """Count layer by layer; only convolutions and dense layers learn anything."""
    conv1 = 8 * (3 * 5 * 5) + 8  # 8 filters of 3x5x5 weights, one bias each: 608
    conv2 = 16 * (8 * 3 * 3) + 16  # 16 filters of 8x3x3 weights, one bias each: 1,168
    flat = 16 * 8 * 8  # padding keeps 32x32; two 2x2 poolings: 32 -> 16 -> 8; 16 maps
    dense = flat * 10 + 10  # a weight per (input, class) and a bias per class: 10,250
    return {
        "conv1": conv1,
        "relu1": 0,
        "pool1": 0,
        "conv2": conv2,
        "relu2": 0,
        "pool2": 0,
        "flatten": 0,
        "dense": dense,
    }  # 12,026 in all, 85% of them in the dense layer


# ----------------------------------------------------------------------------
# exercise 2: softmax by hand
# ----------------------------------------------------------------------------
def _softmax(scores):
    scores = np.asarray(scores, dtype=float)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def check_softmax_by_hand(probabilities) -> Feedback:
    """Check the probabilities for the scores :data:`HAND_SCORES` (cat 2, dog 0, bird -1).

    Parameters
    ----------
    probabilities : list of 3 numbers
        P(cat), P(dog), P(bird), rounded to 2 decimals or more precise.
    """
    if probabilities is None or probabilities is ...:
        return Feedback(False, "Replace the placeholder (None or ...) with your answer.")
    if isinstance(probabilities, list | tuple) and any(
        p is None or p is ... for p in probabilities
    ):
        return Feedback(False, "Replace every placeholder (...) with a probability.")
    try:
        got = np.asarray(probabilities, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, "Give three numbers, e.g. [0.5, 0.3, 0.2].")
    if got.shape != (3,):
        return Feedback(
            False, f"Give three numbers, one per class (cat, dog, bird); got shape {got.shape}."
        )
    scores = np.array(HAND_SCORES)
    expected = _softmax(scores)

    def close(a, b):
        return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) <= 0.006))

    if close(got, expected):
        return Feedback(
            True,
            f"e^2 = {np.exp(2):.2f}, e^0 = 1, e^-1 = {np.exp(-1):.2f}; they add up to "
            f"{np.exp(scores).sum():.2f}, and each divided by that sum gives "
            f"{expected[0]:.3f}, {expected[1]:.3f}, {expected[2]:.3f}. A lead of 2 in score "
            f"became a ratio of e^2 = {np.exp(2):.1f} in probability.",
        )
    if close(got, scores / scores.sum()):
        hint = (
            "You divided the scores by their sum. Softmax first takes e^score of every "
            "score (so every number becomes positive), then divides by the sum of those."
        )
    elif close(got, np.exp(scores)):
        hint = (
            "Those are e^score, the first step. Now divide each by their sum so that "
            "the three add up to 1."
        )
    elif close(got, expected[::-1]) or close(np.sort(got), np.sort(expected)):
        hint = "Right numbers, wrong order: give them as cat, dog, bird."
    elif abs(got.sum() - 1) > 0.02:
        hint = (
            f"Probabilities must add up to 1, yours add up to {got.sum():.3g}. Divide every "
            "e^score by the sum of all three."
        )
    else:
        hint = (
            "Not quite. Step by step: e^2, e^0 and e^-1 (use np.exp), add them up, then "
            "divide each by the sum."
        )
    return Feedback(False, hint)


@solution("softmax_by_hand")
def softmax_by_hand_solution():
    """Softmax step by step for the scores cat 2, dog 0, bird -1."""
    e = [np.exp(2.0), np.exp(0.0), np.exp(-1.0)]  # 7.389, 1.0, 0.368
    total = sum(e)  # 8.757
    return [x / total for x in e]  # 0.844, 0.114, 0.042


# ----------------------------------------------------------------------------
# exercise 3: softmax as a function
# ----------------------------------------------------------------------------
def _ordinary_cases():
    return [
        (np.array([2.0, 0.0, -1.0]),),
        (np.array([1.0, 1.0, 1.0, 1.0]),),
        (np.array([0.5, -2.0, 3.0, 0.0, 1.5]),),
        (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),),
        (np.array([[2.0, 1.0], [-1.0, 4.0], [0.3, 0.3]]),),
    ]


def _large_cases():
    return [
        (np.array([1000.0, 999.0, 998.0]),),
        (np.array([-1000.0, -1001.0]),),
        (np.array([[1000.0, 0.0], [-1000.0, 0.0], [5.0, 5.0]]),),
    ]


def _exp(x):
    with np.errstate(all="ignore"):
        return np.exp(x)


_SOFTMAX_MISTAKES = [
    Mistake(
        lambda x: _exp(x),
        "These are e^score, not yet probabilities: divide them by their sum so that each "
        "row adds up to 1.",
    ),
    Mistake(
        lambda x: x / x.sum(axis=-1, keepdims=True),
        "You divided the scores themselves by their sum. Take e^score first: that makes "
        "every number positive, so the results are real probabilities.",
    ),
    Mistake(
        lambda x: _exp(x) / _exp(x).sum(axis=0, keepdims=True),
        "For a batch of score rows (one row per example), normalise every row on its own: "
        "sum along the last axis (axis=-1, keepdims=True), not down the columns.",
    ),
    Mistake(
        lambda x: _exp(x) / _exp(x).sum(),
        "For a batch of score rows (one row per example), every row must add up to 1 on "
        "its own: sum along the last axis (axis=-1, keepdims=True), not over everything.",
    ),
]

_OVERFLOW_HINT = (
    "Your function gives inf or NaN for scores like 1000: e^1000 is too large for a "
    "float (it becomes inf, and inf / inf is NaN), and e^-1000 rounds to 0 (0 / 0). "
    "Subtract the largest score of each row from every score first "
    "(scores - scores.max(axis=-1, keepdims=True)): the answer stays the same, because "
    "the common factor e^max cancels in the division, and the biggest number exp sees "
    "is e^0 = 1."
)


def check_softmax(softmax_fn) -> Feedback:
    """Check a softmax function: scores (..., K) -> probabilities along the last axis.

    Tried on single score vectors, on batches (one row of scores per example)
    and on very large and very small scores (1000, -1000), where the
    textbook formula overflows.
    """
    if not callable(softmax_fn):
        return Feedback(
            False, f"Pass your function itself (without calling it), got {softmax_fn!r}."
        )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        feedback = check_function(softmax_fn, _softmax, _ordinary_cases(), _SOFTMAX_MISTAKES)
        if not feedback:
            return feedback
        for (scores,) in _large_cases():
            try:
                got = np.asarray(softmax_fn(scores.copy()), dtype=float)
            except Exception:  # let check_function report the error
                break
            if got.shape == scores.shape and not np.all(np.isfinite(got)):
                return Feedback(
                    False,
                    _OVERFLOW_HINT,
                    [f"scores:\n{scores}", f"your result:\n{np.round(got, 3)}"],
                )
        feedback = check_function(softmax_fn, _softmax, _large_cases(), _SOFTMAX_MISTAKES)
    if feedback:
        return Feedback(
            True,
            "Your softmax agrees with the reference on single score vectors, on batches, "
            "and on scores as large as 1000 without overflowing.",
        )
    return feedback


@solution("softmax")
def softmax_solution(scores):
    """Softmax along the last axis, safe for large scores."""
    scores = np.asarray(scores, dtype=float)
    shifted = scores - scores.max(axis=-1, keepdims=True)  # largest becomes 0: no overflow
    e = np.exp(shifted)  # every value in (0, 1]
    return e / e.sum(axis=-1, keepdims=True)  # each row adds up to 1
