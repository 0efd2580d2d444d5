"""Exercises of notebook 04 (ReLU and other activations), with checks that explain mistakes.

1. :func:`check_relu_by_hand`: apply ReLU by hand to the small map :data:`RELU_MAP`.
2. :func:`check_block_parameters`: count the learnable numbers of two
   conv -> ReLU -> max-pool blocks (:data:`BLOCKS`).
3. :func:`check_my_leaky_relu`: write leaky ReLU as a function.

Model answers: ``show_solution("relu_by_hand")``, ``show_solution("block_parameters")``
and ``show_solution("my_leaky_relu")``.
"""

from __future__ import annotations

import numpy as np

from cnnlib.exercises._check import Feedback, Mistake, check_function, same_answer, solution
from cnnlib.ops import leaky_relu, relu

__all__ = [
    "BLOCKS",
    "RELU_MAP",
    "block_parameters",
    "check_block_parameters",
    "check_my_leaky_relu",
    "check_relu_by_hand",
    "leaky_relu_cases",
]


# ----------------------------------------------------------------------------
# 1. ReLU by hand
# ----------------------------------------------------------------------------
#: The 4x4 feature map of exercise 1: negatives, positives and zeros.
RELU_MAP = np.array(
    [
        [3.0, -1.0, 0.0, 2.0],
        [-4.0, 5.0, -2.0, 1.0],
        [0.0, -3.0, 6.0, -5.0],
        [1.0, 2.0, -1.0, -2.0],
    ]
)

_RELU_MISTAKES = [
    (
        np.minimum(RELU_MAP, 0),
        "You kept the negative numbers and turned the positive ones into 0: it is the other "
        "way round. ReLU keeps every positive number as it is and turns every negative one "
        "into 0.",
    ),
    (
        np.abs(RELU_MAP),
        "You made the negative numbers positive (you took the absolute value). ReLU does not "
        "flip the sign: a negative number becomes 0.",
    ),
    (
        RELU_MAP,
        "Nothing changed: every negative number must become 0.",
    ),
    (
        np.zeros_like(RELU_MAP),
        "Everything is 0, but the positive numbers must stay as they are.",
    ),
    (
        (RELU_MAP > 0).astype(float),
        "You wrote 1 for every positive number. That is ReLU's slope (1 where the input is "
        "positive), not ReLU itself: a positive number keeps its value.",
    ),
]


def check_relu_by_hand(answer) -> Feedback:
    """Check ``relu(RELU_MAP)`` worked out by hand (a 4x4 list of lists or array).

    Recognises the typical mix-ups (negatives kept and positives zeroed,
    absolute value, nothing changed, 1 instead of the value) and otherwise
    names the cells that are wrong.
    """
    if answer is None or answer is ...:
        return Feedback(False, "Replace the placeholder (...) with your 4x4 answer.")
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Feedback(
            False,
            "Write the answer as 4 rows of 4 numbers, e.g. [[3, 0, 0, 2], [...], [...], [...]].",
        )
    expected = relu(RELU_MAP)
    if got.shape != expected.shape:
        return Feedback(
            False,
            f"Your answer has shape {got.shape}, but the map is 4x4: ReLU works on each "
            "number separately, so the result has the same shape as its input.",
        )
    if same_answer(got, expected):
        return Feedback(
            True,
            f"Negatives became 0, positives stayed. {int((expected == 0).sum())} of the 16 "
            "values are now 0: the map got sparse.",
        )
    for wrong, hint in _RELU_MISTAKES:
        if same_answer(got, wrong):
            return Feedback(False, hint)
    wrong_cells = np.argwhere(~np.isclose(got, expected))
    lines = [
        f"row {r + 1}, column {c + 1}: the map has {RELU_MAP[r, c]:g}, so ReLU gives "
        f"{expected[r, c]:g}, not {got[r, c]:g}"
        for r, c in wrong_cells[:4]
    ]
    more = len(wrong_cells) - len(lines)
    if more > 0:
        lines.append(f"... and {more} more")
    return Feedback(
        False, f"{len(wrong_cells)} of the 16 values are not right yet (max(0, x) for each).", lines
    )


@solution("relu_by_hand")
def relu_by_hand():
    # each number x becomes max(0, x): negatives -> 0, positives and zeros stay
    return [
        [3, 0, 0, 2],
        [0, 5, 0, 1],
        [0, 0, 6, 0],
        [1, 2, 0, 0],
    ]


# ----------------------------------------------------------------------------
# 2. parameters of conv -> ReLU -> max-pool blocks
# ----------------------------------------------------------------------------
#: The two blocks of exercise 2: conv (in -> out channels, k x k kernels), ReLU, 2x2 max pool.
BLOCKS = (
    {"in_channels": 3, "out_channels": 16, "kernel_size": 3, "pool": 2},
    {"in_channels": 16, "out_channels": 32, "kernel_size": 5, "pool": 2},
)


def block_parameters(in_channels, out_channels, kernel_size):
    """Learnable numbers in a conv -> ReLU -> max-pool block.

    The convolution has ``out_channels`` filters, each with one
    ``kernel_size x kernel_size`` grid of weights *per input channel*, plus one
    bias per filter. ReLU and max pooling are fixed rules with nothing to learn.
    """
    weights = out_channels * in_channels * kernel_size * kernel_size
    biases = out_channels
    return weights + biases


def _block_mistakes(c, f, k, w):
    """(wrong count, hint) pairs for a block with c inputs, f filters, k x k kernels, w x w pool."""
    right = f * c * k * k + f
    no_params = (
        "ReLU and max pooling have no parameters: they are fixed rules (max(0, x); the "
        "largest value of each window) with nothing to learn. Count only the convolution."
    )
    return [
        (f * c * k * k, "You counted the weights but forgot the biases: one per filter."),
        (
            f * k * k + f,
            "Each filter has a k x k grid of weights for every input channel, so multiply "
            "by the number of input channels too.",
        ),
        (
            f * k * k,
            "Each filter has a k x k grid for every input channel (multiply by the input "
            "channels), plus one bias per filter.",
        ),
        (right + f, no_params),
        (right + 2 * f, no_params),
        (right + 1, no_params),
        (right + w * w, no_params),
        (right + f * w * w, no_params),
        (right + f + w * w, no_params),
        (right + f + f * w * w, no_params),
        (
            f * c * k * k + c,
            "There is one bias per filter (output channel), not per input channel.",
        ),
        (f * c * k * k + f * c, "There is one bias per filter, not one per filter and channel."),
        (2 * f * c * k * k, "There is one bias per filter, not one per weight."),
        (f * c * 2 * k + f, "A k x k kernel has k * k weights, not 2 * k."),
        (
            c * k * k + 1,
            "That is the count for a single filter; the layer has one per output channel.",
        ),
    ]


def check_block_parameters(first, second) -> Feedback:
    """Check the parameter counts of the two blocks in :data:`BLOCKS`.

    ``first`` and ``second`` are whole numbers (``...`` for one not done yet).
    Each wrong count gets its own hint when it matches a typical mistake:
    biases forgotten, input channels forgotten, parameters counted in ReLU or
    pooling, a bias per channel or per weight, ``2k`` instead of ``k * k``.
    """
    lines, right = [], 0
    for number, (block, answer) in enumerate(zip(BLOCKS, (first, second)), start=1):
        c, f, k, w = (block[key] for key in ("in_channels", "out_channels", "kernel_size", "pool"))
        expected = block_parameters(c, f, k)
        if answer is None or answer is ...:
            lines.append(f"block {number}: not answered yet")
            continue
        if not _is_number(answer):
            lines.append(f"block {number}: {answer!r} is not a number")
            continue
        if float(answer) == expected:
            right += 1
            lines.append(f"block {number}: {answer} \u2714")
            continue
        hint = next(
            (text for wrong, text in _block_mistakes(c, f, k, w) if float(answer) == wrong),
            "not the count: weights = filters x input channels x k x k, plus one bias per filter",
        )
        lines.append(f"block {number}: {answer} \u2718 {hint}")
    if right == len(BLOCKS):
        return Feedback(
            True,
            "Both counts are right. All of them sit in the convolution; ReLU and pooling "
            "add nothing to learn.",
            lines,
        )
    return Feedback(False, f"{right} of {len(BLOCKS)} right.", lines)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


@solution("block_parameters")
def block_parameters_answer():
    # block 1: 16 filters, each 3 channels x 3 x 3 weights, plus 16 biases
    first = 16 * 3 * 3 * 3 + 16  # 448
    # block 2: 32 filters, each 16 channels x 5 x 5 weights, plus 32 biases
    second = 32 * 16 * 5 * 5 + 32  # 12,832
    # ReLU and 2x2 max pooling: 0 parameters each
    return first, second


# ----------------------------------------------------------------------------
# 3. leaky ReLU as a function
# ----------------------------------------------------------------------------
def leaky_relu_cases(seed=0):
    """The cases ``(x, negative_slope)`` that :func:`check_my_leaky_relu` tries."""
    rng = np.random.default_rng(seed)
    return [
        (np.array([-2.0, -0.5, 0.0, 1.5, 3.0]), 0.1),
        (np.array([[4.0, -4.0], [-1.0, 2.0]]), 0.25),
        (np.array([-10.0, 10.0]), 0.01),
        (rng.normal(size=(3, 4, 4)), 0.2),
    ]


_LEAKY_MISTAKES = [
    Mistake(
        lambda x, a: np.where(x > 0, a * x, x),
        "The slope is applied on the wrong side: positive numbers pass unchanged, and only "
        "negative numbers are multiplied by negative_slope.",
    ),
    Mistake(
        lambda x, a: relu(x),
        "That is plain ReLU: negative numbers must not become 0 but negative_slope * x.",
    ),
    Mistake(
        lambda x, a: np.where(x > 0, x, a),
        "Negative numbers must become negative_slope * x (a small negative number), not the "
        "slope itself.",
    ),
    Mistake(
        lambda x, a: a * x,
        "Every number was multiplied by negative_slope; positive numbers must stay as they are.",
    ),
    Mistake(
        lambda x, a: np.where(x > 0, x, -a * x),
        "The sign is flipped for negative numbers: negative_slope * x stays negative.",
    ),
    Mistake(
        lambda x, a: np.where(x > 0, x, 0.01 * x) if a != 0.01 else _never(),
        "Use the negative_slope argument, not a fixed 0.01.",
    ),
]


def _never():
    raise LookupError("this mistake cannot show in this case")


def _describe_leaky(case):
    x, a = case
    shown = np.array2string(x, precision=2) if x.size <= 6 else f"an array of shape {x.shape}"
    return f"x = {shown}, negative_slope = {a}"


def check_my_leaky_relu(my_leaky_relu) -> Feedback:
    """Check a learner's ``my_leaky_relu(x, negative_slope)`` against :func:`cnnlib.leaky_relu`.

    Tries 1-D, 2-D and 3-D arrays and several slopes; recognises the slope on
    the wrong side, plain ReLU, the slope instead of ``slope * x``, a fixed
    0.01, and a sign flip.
    """
    if not callable(my_leaky_relu):
        return Feedback(
            False, f"Pass your function itself (without calling it), got {my_leaky_relu!r}."
        )
    return check_function(
        lambda x, a: my_leaky_relu(x.copy(), a),
        leaky_relu,
        leaky_relu_cases(),
        mistakes=_LEAKY_MISTAKES,
        describe=_describe_leaky,
        success="Your leaky ReLU agrees with cnnlib.leaky_relu on arrays of every shape.",
    )


@solution("my_leaky_relu")
def my_leaky_relu(x, negative_slope=0.01):
    # keep x where it is positive, multiply it by the small slope elsewhere
    return np.where(x > 0, x, negative_slope * x)
