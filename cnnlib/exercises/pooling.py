"""Exercises of notebook 03 (pooling), with checks that explain mistakes.

1. :func:`check_pooled_shapes`: the shape of a pooled stack of feature maps.
2. :func:`check_my_max_pool`: write max pooling with plain loops.

Model answers: ``show_solution("pooled_shapes")`` and ``show_solution("my_max_pool")``.
"""

from __future__ import annotations

import math

import numpy as np

from cnnlib.exercises._check import Feedback, Mistake, check_function, solution
from cnnlib.ops import avg_pool2d, max_pool2d

__all__ = [
    "POOLED_SHAPE_CASES",
    "check_my_max_pool",
    "check_pooled_shapes",
    "max_pool_cases",
    "pooled_shape_table",
]


# ----------------------------------------------------------------------------
# 1. pooled shapes
# ----------------------------------------------------------------------------
#: The cases of exercise 1: the input's shape (maps, height, width), the window,
#: and the stride (``None``: not given, so it defaults to the window).
POOLED_SHAPE_CASES = (
    {"shape": (8, 28, 28), "window": 2, "stride": None},
    {"shape": (8, 27, 27), "window": 2, "stride": None},
    {"shape": (8, 28, 28), "window": 3, "stride": 2},
    {"shape": (16, 7, 7), "window": 3, "stride": None},
)


def _call(case) -> str:
    stride = "" if case["stride"] is None else f", stride={case['stride']}"
    return f"max_pool2d(x, {case['window']}{stride})"


def pooled_shape_table() -> str:
    """The cases of exercise 1 as a Markdown table."""
    rows = ["| case | shape of x | call |", "|---|---|---|"]
    for n, case in enumerate(POOLED_SHAPE_CASES, start=1):
        rows.append(f"| {n} | {case['shape']} | `{_call(case)}` |")
    return "\n".join(rows)


def _side(i, k, s):
    return (i - k) // s + 1


# what a learner with each misconception computes for one side (i, window k,
# stride s as given or None), and what to tell them
_SIDE_MISTAKES = (
    (
        lambda i, k, s: i - k + 1 if s is None else None,
        "no stride was given, and for pooling that means stride = window (windows side by "
        "side, not overlapping), not stride 1 as for a convolution",
    ),
    (
        lambda i, k, s: i - k + 1 if s not in (None, 1) else None,
        "you used the convolution formula without the stride: divide (i - window) by the "
        "stride before adding 1",
    ),
    (
        lambda i, k, s: (i - k) / (s or k) + 1,
        "sizes are whole numbers: round (i - window) / stride down (floor). A last window "
        "that would stick out past the edge is not used",
    ),
    (
        lambda i, k, s: math.ceil((i - k) / (s or k)) + 1,
        "one too many: a last window that would stick out past the edge is not used, so "
        "round (i - window) / stride down (floor), then add 1",
    ),
    (
        lambda i, k, s: (i - k) // (s or k),
        "you forgot the + 1 at the end (the first window counts too)",
    ),
    (
        lambda i, k, s: i / (s or k),
        "dividing the size by the stride counts windows that would stick out past the edge; "
        "use floor((i - window) / stride) + 1",
    ),
    (
        lambda i, k, s: math.ceil(i / (s or k)),
        "dividing the size by the stride and rounding up counts windows that would stick out "
        "past the edge; use floor((i - window) / stride) + 1",
    ),
)


def _shape_hint(case, answer) -> str:
    maps, height, width = case["shape"]
    k, s = case["window"], case["stride"]
    expected = (maps, _side(height, k, s or k), _side(width, k, s or k))
    if len(answer) != 3:
        return (
            f"give all three numbers (maps, height, width), like {case['shape']} for the "
            "input; pooling keeps the first axis"
        )
    if answer[0] != maps:
        return (
            f"pooling shrinks each feature map on its own; the number of maps stays {maps} "
            "(the first number)"
        )
    for side, got, want in ((height, answer[1], expected[1]), (width, answer[2], expected[2])):
        if got == want:
            continue
        for wrong, text in _SIDE_MISTAKES:
            value = wrong(side, k, s)
            if value is not None and value != want and float(got) == float(value):
                return text
    return "put the numbers into floor((i - window) / stride) + 1 step by step"


def check_pooled_shapes(answers) -> Feedback:
    """Check the shapes of exercise 1 (:data:`POOLED_SHAPE_CASES`).

    ``answers`` is a list with one shape per case, in order, each a tuple
    ``(maps, height, width)`` (``...`` for cases not done yet). Each wrong
    shape gets its own hint when it matches a typical mistake: stride taken as
    1 when not given, the stride left out, no rounding down, rounding up, the
    + 1 forgotten, the number of maps changed.
    """
    n = len(POOLED_SHAPE_CASES)
    if answers is None or answers is ...:
        return Feedback(False, f"Write your {n} shapes in the list, one per case.")
    try:
        answers = list(answers)
    except TypeError:
        return Feedback(False, f"answers must be a list of {n} shapes, got {answers!r}.")
    if len(answers) != n:
        return Feedback(False, f"The table has {n} cases, but your list has {len(answers)}.")
    lines, right, missing = [], 0, 0
    for number, (case, answer) in enumerate(zip(POOLED_SHAPE_CASES, answers), start=1):
        expected = pooled_shape(case)
        if answer is ... or answer is None:
            missing += 1
            lines.append(f"case {number}: not answered yet")
            continue
        shape = _as_shape(answer)
        if shape is None:
            lines.append(
                f"case {number}: {answer!r} \u2718 write the shape as a tuple of three numbers, "
                "(maps, height, width)"
            )
            continue
        if shape == expected:
            right += 1
            lines.append(f"case {number}: {answer} \u2714")
            continue
        lines.append(f"case {number}: {answer} \u2718 {_shape_hint(case, shape)}")
    if right == n:
        return Feedback(True, f"All {n} shapes are right.", lines)
    summary = f"{right} of {n} right" + (f", {missing} not answered yet" if missing else "") + "."
    return Feedback(False, summary, lines)


def pooled_shape(case) -> tuple[int, int, int]:
    """The right answer for one case of :data:`POOLED_SHAPE_CASES`."""
    x = np.zeros(case["shape"])
    return tuple(int(n) for n in max_pool2d(x, case["window"], case["stride"]).shape)


def _as_shape(answer):
    """``answer`` as a tuple of numbers, or None if it is not one."""
    if isinstance(answer, (int, float, np.integer, np.floating)):
        answer = (answer,)
    try:
        values = tuple(answer)
    except TypeError:
        return None
    if not values or not all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        for v in values
    ):
        return None
    return tuple(int(v) if float(v).is_integer() else float(v) for v in values)


@solution("pooled_shapes")
def pooled_shapes():
    answers = []
    for case in POOLED_SHAPE_CASES:
        maps, height, width = case["shape"]
        k = case["window"]
        s = case["stride"] or k  # no stride given: the windows sit side by side
        # the same formula as for a convolution (no padding here); // rounds down
        answers.append((maps, (height - k) // s + 1, (width - k) // s + 1))
    return answers  # [(8, 14, 14), (8, 13, 13), (8, 13, 13), (16, 2, 2)]


# ----------------------------------------------------------------------------
# 2. max pooling with loops
# ----------------------------------------------------------------------------
def max_pool_cases(seed=0):
    """The cases ``(x, size, stride)`` that :func:`check_my_max_pool` tries.

    Small integer maps first (so a hint can print them), then an odd size (a
    last row and column that no window covers), overlapping windows (stride <
    size), gaps (stride > size), a rectangular map, and negative values (so
    that starting the maximum at 0 shows).
    """
    rng = np.random.default_rng(seed)

    def ints(h, w, low=0, high=10):
        return rng.integers(low, high, size=(h, w)).astype(np.float64)

    return [
        (ints(4, 4), 2, 2),
        (ints(5, 5), 2, 2),
        (ints(5, 5), 3, 1),
        (ints(7, 6), 3, 2),
        (ints(7, 9), 2, 3),
        (ints(6, 6, -9, 0), 2, 2),
        (rng.normal(size=(11, 10)), 3, 2),
    ]


def _describe_case(case):
    x, size, stride = case
    return f"x {x.shape[0]}x{x.shape[1]}, size={size}, stride={stride}"


def _reference(x, size, stride):
    return max_pool2d(x, size, stride)


def _not_here():
    """A mistake that makes no difference in this case."""
    raise LookupError("this mistake cannot show in this case")


def _partial_windows(x, size, stride):
    """Windows started at every multiple of the stride, cut short at the edges."""
    h, w = x.shape
    out = np.empty((len(range(0, h, stride)), len(range(0, w, stride))))
    for i, top in enumerate(range(0, h, stride)):
        for j, left in enumerate(range(0, w, stride)):
            out[i, j] = x[top : top + size, left : left + size].max()
    return out


def _positions_without_stride(x, size, stride):
    """Right number of outputs, but the window moves one pixel per output."""
    ref = _reference(x, size, stride)
    return max_pool2d(x, size, 1)[: ref.shape[0], : ref.shape[1]]


_POOL_MISTAKES = [
    Mistake(
        lambda x, size, stride: avg_pool2d(x, size, stride),
        "These are the averages of the windows (average pooling). Max pooling keeps the "
        "largest value of each window: window.max().",
    ),
    Mistake(
        lambda x, size, stride: -max_pool2d(-x, size, stride),
        "These are the smallest values of the windows. Max pooling keeps the largest: "
        "window.max(), not window.min().",
    ),
    Mistake(
        lambda x, size, stride: max_pool2d(x, size, 1) if stride != 1 else _not_here(),
        "It looks as if the stride was ignored: your window moves one pixel at a time, so the "
        "windows overlap. Move it `stride` pixels between neighbouring outputs; the output "
        "then has (H - size) // stride + 1 rows.",
    ),
    Mistake(
        lambda x, size, stride: (
            _positions_without_stride(x, size, stride) if stride != 1 else _not_here()
        ),
        "The output has the right size, but the windows are in the wrong places: output "
        "(i, j) must use the window whose top-left corner is at (i*stride, j*stride), not (i, j).",
    ),
    Mistake(
        lambda x, size, stride: _partial_windows(x, size, stride),
        "Some of your windows hang over the edge: numpy quietly cuts x[a:b] short at the "
        "border, so the last windows are smaller than size x size. Use only positions where "
        "the whole window fits: (H - size) // stride + 1 of them.",
    ),
    Mistake(
        lambda x, size, stride: _reference(x, size, stride)[:-1, :-1],
        "One row and one column short (off by one). The number of positions is "
        "(H - size) // stride + 1: do not forget the + 1, and use range(out_h), not "
        "range(out_h - 1).",
    ),
    Mistake(
        lambda x, size, stride: _reference(x, size, stride).T,
        "Your result is transposed: rows and columns are swapped. Rows come first in numpy: "
        "x[row, col], and out[i, j] with i going down and j going right.",
    ),
    Mistake(
        lambda x, size, stride: _reference(x.T, size, stride),
        "Rows and columns are swapped somewhere: x is read as x[col, row]. The first index "
        "is the row (down), the second the column (right).",
    ),
    Mistake(
        lambda x, size, stride: np.maximum(_reference(x, size, stride), 0.0),
        "Where a whole window is negative you get 0. Does your maximum start at 0? Start it "
        "at the window's first value (or -inf), or simply use window.max().",
    ),
]

_INDEX_HINT = (
    "The window ran past the edge of x. Check the number of positions "
    "((H - size) // stride + 1) and that the window starts at (i*stride, j*stride)."
)


def check_my_max_pool(my_max_pool) -> Feedback:
    """Check a learner's ``my_max_pool(x, size=2, stride=2)`` on 2-D arrays.

    It must return what :func:`cnnlib.max_pool2d` returns on every case of
    :func:`max_pool_cases` (odd sizes, stride smaller and larger than the
    window, negative values). On the first difference the feedback names the
    case and, when it recognises the answer, the likely mistake: averages
    instead of maxima, minima, the stride ignored, windows cut short at the
    edge, an output one row short, a transposed result, a maximum that starts
    at 0.
    """
    if not callable(my_max_pool):
        return Feedback(
            False, f"Pass your function itself (without calling it), got {my_max_pool!r}."
        )

    def run(x, size, stride):
        try:
            return my_max_pool(x.copy(), size, stride)
        except IndexError as err:
            raise IndexError(f"{str(err).strip()}. {_INDEX_HINT}") from None

    cases = max_pool_cases()
    return check_function(
        run,
        _reference,
        cases,
        mistakes=_POOL_MISTAKES,
        describe=_describe_case,
        success=(
            f"Your loops compute exactly what cnnlib.max_pool2d computes on all {len(cases)} "
            "cases, including overlapping windows, gaps between windows and odd sizes."
        ),
    )


@solution("my_max_pool")
def my_max_pool(x, size=2, stride=2):
    # how many window positions fit along each axis (the same formula as for a
    # convolution without padding; // rounds down, so no window sticks out)
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride, j * stride  # the window's top-left corner
            window = x[top : top + size, left : left + size]
            out[i, j] = window.max()  # keep the largest value
    return out
