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

from cnnlib.exercises._catalogue import (
    NOT_FINITE,
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
from cnnlib.ops import leaky_relu, relu

__all__ = [
    "BLOCKS",
    "BLOCK_PARAMETERS",
    "MY_LEAKY_RELU",
    "RELU_BY_HAND",
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

# what went wrong in one cell, judged from the map's value x and the answer's value y
_REVERSED = Mistake(
    "relu-reversed",
    "Kept negatives, zeroed positives",
    "You kept the negative numbers and turned the positive ones into 0: it is the other way "
    "round. ReLU keeps every positive number as it is and turns every negative one into 0.",
    "Read max(0, x) aloud with two values on the board: max(0, 3) and max(0, -2). The "
    "reversed answer is min(0, x); the ActivationExplorer draws both curves.",
)
_ABSOLUTE = Mistake(
    "absolute-value",
    "Took the absolute value",
    "You made negative numbers positive (the absolute value). ReLU does not flip the sign: "
    "a negative number becomes 0.",
    "'Removes the negatives' read as 'makes them positive'. Plot |x| next to ReLU(x): they "
    "agree on the right and differ on the left.",
)
_NEGATIVE_KEPT = Mistake(
    "negative-kept",
    "Negative number kept",
    "A negative number was kept: ReLU turns every negative number into 0.",
    "Often a cell skipped by accident. When all negatives survive, the student applied no "
    "rule at all: restate ReLU as 'negative -> 0, everything else unchanged'.",
)
_POSITIVE_ZEROED = Mistake(
    "positive-zeroed",
    "Positive number turned to 0",
    "A positive number became 0, but positive numbers stay as they are.",
    "ReLU passes positive values through unchanged. If every value became 0 the student "
    "may think ReLU 'switches the map off'; show its sparsity instead: about half the "
    "values survive.",
)
_WROTE_SLOPE = Mistake(
    "wrote-slope",
    "Wrote 1 for positives (the slope)",
    "You wrote 1 for a positive number. That is ReLU's slope (1 where the input is "
    "positive), not ReLU itself: a positive number keeps its value.",
    "A mix-up with the step function, or with ReLU's derivative, which training uses. Draw "
    "ReLU and its slope one above the other.",
)

RELU_BY_HAND = Exercise(
    "relu_by_hand",
    "04_relu",
    1,
    "ReLU by hand",
    "values",
    (_REVERSED, _ABSOLUTE, _NEGATIVE_KEPT, _POSITIVE_ZEROED, _WROTE_SLOPE),
)


def _cell_mistake(x, y):
    """The mistake a wrong value ``y`` shows for the map's value ``x``, or None."""
    if x < 0 and y == x:
        return _NEGATIVE_KEPT
    if x < 0 and y == -x:
        return _ABSOLUTE
    if x > 0 and y == 0:
        return _POSITIVE_ZEROED
    if x > 0 and y == 1:
        return _WROTE_SLOPE
    return None


@checker(RELU_BY_HAND)
def check_relu_by_hand(answer) -> Feedback:
    """Check ``relu(RELU_MAP)`` worked out by hand (a 4x4 list of lists or array).

    Every wrong cell is listed as (row, column), counted from 0, with what
    went wrong there; the message names each mix-up found (negatives kept,
    absolute values, positives zeroed, 1 instead of the value).
    """
    if is_placeholder(answer):
        return placeholder_feedback("your 4x4 answer")
    got, reason = as_array(answer)
    if reason is not None:
        return Feedback(
            False,
            f"Write the answer as 4 rows of 4 numbers, e.g. [[3, 0, 0, 2], [...], [...], "
            f"[...]]; {reason}.",
            mistakes=(UNREADABLE.id,),
        )
    expected = relu(RELU_MAP)
    if got.shape != expected.shape:
        return Feedback(
            False,
            f"Your answer has shape {got.shape}, but the map is 4x4: ReLU works on each number "
            "separately, so the result has the same shape as its input.",
            mistakes=(WRONG_SHAPE.id,),
        )
    wrong = ~np.isclose(got, expected)
    if not wrong.any():
        return Feedback(
            True,
            f"Negatives became 0, positives stayed. {int((expected == 0).sum())} of the 16 "
            "values are now 0: the map got sparse.",
        )
    lines, found = [], []
    for r, c in np.argwhere(wrong):
        x, y = float(RELU_MAP[r, c]), float(got[r, c])
        mistake = _cell_mistake(x, y)
        because = f" ({fragment(mistake.name)})" if mistake else ""
        lines.append(
            f"row {r}, column {c}: the map has {x:g}, so ReLU gives {expected[r, c]:g}, "
            f"not {y:g}{because}"
        )
        if mistake is not None and mistake not in found:
            found.append(mistake)
    if not np.isfinite(got).all():
        found.append(NOT_FINITE)
    # every negative kept and every positive zeroed: one hint for the whole answer
    if np.array_equal(got, np.minimum(RELU_MAP, 0)):
        found = [_REVERSED]
    hints = [m.hint for m in found if m is not NOT_FINITE]
    head = (
        f"{int(wrong.sum())} of the 16 values are not right yet (ReLU gives max(0, x) for each; "
        "rows and columns counted from 0)."
    )
    return Feedback(False, "\n".join([head, *hints]), lines, mistakes=tuple(m.id for m in found))


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


# each mistake's compute(c, f, k, w) is a wrong count for a block with c input channels,
# f filters, k x k kernels and w x w pooling (or a list of wrong counts)
_BLOCK_MISTAKES = (
    Mistake(
        "biases-forgotten",
        "Biases forgotten",
        "You counted the weights but forgot the biases: one per filter.",
        "The bias is easy to forget because pictures of filters show only weights. Write a "
        "neuron's sum on the board, w1*x1 + ... + b, and point at the b.",
        compute=lambda c, f, k, w: f * c * k * k,
    ),
    Mistake(
        "input-channels-forgotten",
        "Input channels forgotten",
        "Each filter has a k x k grid of weights for every input channel, so multiply by the "
        "number of input channels too.",
        "The picture of a flat k x k kernel sticks. A filter is as deep as its input: on a "
        "colour image, a 3x3 filter is 3x3x3. Show a filter's weight shape (F, C, k, k) "
        "from Conv2D.",
        compute=lambda c, f, k, w: [f * k * k + f, f * k * k],
    ),
    Mistake(
        "params-in-relu-or-pool",
        "Counted parameters in ReLU or pooling",
        "ReLU and max pooling have no parameters: they are fixed rules (max(0, x); the "
        "largest value of each window) with nothing to learn. Count only the convolution.",
        "Every box in the diagram is thought to learn. Sort the layers into 'learns' (conv, "
        "dense) and 'fixed rule' (ReLU, pooling, flatten); model.summary() shows 0 for the "
        "fixed ones.",
        compute=lambda c, f, k, w: (
            [f * c * k * k + f + extra for extra in (f, 2 * f, 1, w * w, f * w * w, f + w * w)]
            + [f * c * k * k + f + f + f * w * w]
        ),
    ),
    Mistake(
        "bias-per-input-channel",
        "One bias per input channel",
        "There is one bias per filter (output channel), not per input channel.",
        "Input and output channels get mixed up. Each filter produces one output map and "
        "adds one bias to it; count biases by output maps.",
        compute=lambda c, f, k, w: f * c * k * k + c,
    ),
    Mistake(
        "bias-per-filter-and-channel",
        "A bias per filter and channel",
        "There is one bias per filter, not one per filter and channel.",
        "The student pictures one bias per k x k slice. The slices of a filter are summed "
        "into one number first, and the bias is added once to that sum.",
        compute=lambda c, f, k, w: f * c * k * k + f * c,
    ),
    Mistake(
        "bias-per-weight",
        "A bias per weight",
        "There is one bias per filter, not one per weight.",
        "A bias shifts a whole weighted sum, not each product. Write out one output value "
        "as a sum with a single + b at the end.",
        compute=lambda c, f, k, w: 2 * f * c * k * k,
    ),
    Mistake(
        "two-k-not-k-squared",
        "2k instead of k x k",
        "A k x k kernel has k * k weights, not 2 * k.",
        "An arithmetic slip (k squared read as 2k). Count the cells of a 3x3 grid: 9, not 6.",
        compute=lambda c, f, k, w: f * c * 2 * k + f,
    ),
    Mistake(
        "single-filter",
        "Counted one filter",
        "That is the count for a single filter; the layer has one per output channel.",
        "The count of one filter, not of the layer. Ask how many output maps the layer "
        "makes: that many filters, each with its own weights and bias.",
        compute=lambda c, f, k, w: c * k * k + 1,
    ),
)

BLOCK_PARAMETERS = Exercise(
    "block_parameters",
    "04_relu",
    2,
    "Parameters of a conv \u2192 ReLU \u2192 pool block",
    "values",
    _BLOCK_MISTAKES,
)


def _wrong_counts(mistake, c, f, k, w):
    counts = mistake.compute(c, f, k, w)
    return counts if isinstance(counts, list) else [counts]


@checker(BLOCK_PARAMETERS)
def check_block_parameters(first, second) -> Feedback:
    """Check the parameter counts of the two blocks in :data:`BLOCKS`.

    ``first`` and ``second`` are whole numbers (``...`` for one not done yet).
    Each wrong count gets its own hint when it matches a typical mistake:
    biases forgotten, input channels forgotten, parameters counted in ReLU or
    pooling, a bias per channel or per weight, ``2k`` instead of ``k * k``.
    """
    lines, found, right = [], [], 0
    for number, (block, answer) in enumerate(zip(BLOCKS, (first, second)), start=1):
        c, f, k, w = (block[key] for key in ("in_channels", "out_channels", "kernel_size", "pool"))
        expected = block_parameters(c, f, k)
        if is_placeholder(answer):
            lines.append(placeholder_message(f"block {number}", "a whole number"))
            found.append(PLACEHOLDER.id)
            continue
        count = as_whole_number(answer)
        if count is None:
            lines.append(f"block {number}: {why_not_a_number(answer, 'a whole number')}")
            found.append(UNREADABLE.id)
            continue
        if count == expected:
            right += 1
            lines.append(f"block {number}: {short(answer)} \u2714")
            continue
        mistake = next((m for m in _BLOCK_MISTAKES if count in _wrong_counts(m, c, f, k, w)), None)
        if mistake is None:
            hint = (
                "not the count: weights = filters x input channels x k x k, plus one bias "
                "per filter"
            )
        else:
            hint = fragment(mistake.hint)
            found.append(mistake.id)
        lines.append(f"block {number}: {short(answer)} \u2718 {hint}")
    if right == len(BLOCKS):
        return Feedback(
            True,
            "Both counts are right. All of them sit in the convolution; ReLU and pooling "
            "add nothing to learn.",
            lines,
        )
    return Feedback(
        False, f"{right} of {len(BLOCKS)} right.", lines, mistakes=tuple(dict.fromkeys(found))
    )


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


def _never():
    raise LookupError("this mistake cannot show in this case")


_LEAKY_MISTAKES = (
    Mistake(
        "slope-wrong-side",
        "Slope on the positive side",
        "The slope is applied on the wrong side: positive numbers pass unchanged, and only "
        "negative numbers are multiplied by negative_slope.",
        "The two branches of np.where swapped. Read np.where(condition, if_true, if_false) "
        "aloud with the condition x > 0.",
        compute=lambda x, a: np.where(x > 0, a * x, x),
    ),
    Mistake(
        "plain-relu",
        "Plain ReLU",
        "That is plain ReLU: negative numbers must not become 0 but negative_slope * x.",
        "The point of leaky ReLU is the small slope on the left, which keeps a gradient "
        "alive for negative inputs. Show both curves in the ActivationExplorer.",
        compute=lambda x, a: relu(x),
    ),
    Mistake(
        "slope-not-times-x",
        "Slope instead of slope * x",
        "Negative numbers must become negative_slope * x (a small negative number), not the "
        "slope itself.",
        "The slope taken as the output value rather than a factor. Plot both: one gives a "
        "flat step at 0.1, the other a gentle line through 0.",
        compute=lambda x, a: np.where(x > 0, x, a),
    ),
    Mistake(
        "slope-everywhere",
        "Multiplied everything by the slope",
        "Every number was multiplied by negative_slope; positive numbers must stay as they are.",
        "The condition was dropped. Leaky ReLU is two rules, one per side; write both.",
        compute=lambda x, a: a * x,
    ),
    Mistake(
        "sign-flipped",
        "Sign flipped on the negative side",
        "The sign is flipped for negative numbers: negative_slope * x stays negative.",
        "A minus sign added 'to make it positive', as if ReLU's output had to be positive. "
        "Leaky ReLU's left side is a line below zero.",
        compute=lambda x, a: np.where(x > 0, x, -a * x),
    ),
    Mistake(
        "fixed-slope",
        "A fixed 0.01",
        "Use the negative_slope argument, not a fixed 0.01.",
        "The default value typed into the body instead of the parameter. The check uses "
        "other slopes precisely to catch it; a word on what parameters are for.",
        compute=lambda x, a: np.where(x > 0, x, 0.01 * x) if a != 0.01 else _never(),
    ),
)

MY_LEAKY_RELU = Exercise(
    "my_leaky_relu", "04_relu", 3, "Leaky ReLU as a function", "function", _LEAKY_MISTAKES
)


def _describe_leaky(case):
    x, a = case
    shown = np.array2string(x, precision=2) if x.size <= 6 else f"an array of shape {x.shape}"
    return f"x = {shown}, negative_slope = {a}"


@checker(MY_LEAKY_RELU)
def check_my_leaky_relu(my_leaky_relu) -> Feedback:
    """Check a learner's ``my_leaky_relu(x, negative_slope)`` against :func:`cnnlib.leaky_relu`.

    Tries 1-D, 2-D and 3-D arrays and several slopes; recognises the slope on
    the wrong side, plain ReLU, the slope instead of ``slope * x``, a fixed
    0.01, and a sign flip.
    """
    return check_function(
        my_leaky_relu,
        leaky_relu,
        leaky_relu_cases(),
        mistakes=_LEAKY_MISTAKES,
        describe=_describe_leaky,
        success="Your leaky ReLU agrees with cnnlib.leaky_relu on arrays of every shape.",
        shape_advice="Leaky ReLU works on each number on its own: the result has the shape of x.",
    )
