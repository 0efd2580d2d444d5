"""Exercises of notebook 03 (pooling), with checks that explain mistakes.

1. :func:`check_pooled_shapes`: the shape of a pooled stack of feature maps.
2. :func:`check_my_max_pool`: write max pooling with plain loops.

Model answers: ``show_solution("pooled_shapes")`` and ``show_solution("my_max_pool")``.
"""

from __future__ import annotations

import math

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
    as_shape,
    check_function,
    fragment,
    is_placeholder,
    placeholder_feedback,
    placeholder_message,
    same_answer,
    short,
    why_not_a_number,
)
from cnnlib.geometry import output_size
from cnnlib.ops import avg_pool2d, max_pool2d

__all__ = [
    "MY_MAX_POOL",
    "POOLED_SHAPES",
    "POOLED_SHAPE_CASES",
    "check_my_max_pool",
    "check_pooled_shapes",
    "max_pool_cases",
    "pooled_shape",
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


def pooled_shape(case) -> tuple[int, int, int]:
    """The right answer for one case of :data:`POOLED_SHAPE_CASES`."""
    x = np.zeros(case["shape"])
    return tuple(int(n) for n in max_pool2d(x, case["window"], case["stride"]).shape)


# each mistake's compute(i, k, s) is what a learner with that misconception gets for one
# side (input size i, window k, stride s as given or None); None: cannot happen here
_SIDE_MISTAKES = (
    Mistake(
        "stride-one-by-default",
        "Stride 1 when none is given",
        "No stride was given, and for pooling that means stride = window (windows side by "
        "side, not overlapping), not stride 1 as for a convolution.",
        "The convolution default carried over. Pooling's default stride is its window, so "
        "that windows tile the map without overlap; show max_pool2d(x, 2) halving a map in "
        "the PoolingExplorer.",
        compute=lambda i, k, s: i - k + 1 if s is None else None,
    ),
    Mistake(
        "stride-left-out",
        "Stride left out of the formula",
        "You used the convolution formula without the stride: divide (i - window) by the "
        "stride before adding 1.",
        "The stride-1 formula applied where a stride is given. Write the general formula "
        "once, with the stride, and use it for convolution and pooling alike.",
        compute=lambda i, k, s: i - k + 1 if s not in (None, 1) else None,
    ),
    Mistake(
        "no-floor",
        "Fractional size",
        "Sizes are whole numbers: round (i - window) / stride down (floor). A last window "
        "that would stick out past the edge is not used.",
        "The division done without rounding. A fraction of a window cannot be placed; the "
        "floor drops the window that would stick out.",
        compute=lambda i, k, s: (i - k) / (s or k) + 1,
    ),
    Mistake(
        "rounded-up",
        "Rounded up",
        "One too many: a last window that would stick out past the edge is not used, so round "
        "(i - window) / stride down (floor), then add 1.",
        "Rounding up keeps a window that hangs over the border. Case 2 (27 wide, window 2) "
        "shows it: 13 windows fit, the 14th would need a 28th column.",
        compute=lambda i, k, s: math.ceil((i - k) / (s or k)) + 1,
    ),
    Mistake(
        "forgot-plus-one",
        "Forgot the + 1",
        "You forgot the + 1 at the end (the first window counts too).",
        "The fencepost error again: (i - window) / stride counts the steps, the first window "
        "adds one.",
        compute=lambda i, k, s: (i - k) // (s or k),
    ),
    Mistake(
        "divided-size-by-stride",
        "Divided the size by the stride",
        "Dividing the size by the stride counts windows that would stick out past the edge; "
        "use floor((i - window) / stride) + 1.",
        "i / stride is right only when the window equals the stride and divides the size. "
        "Test the shortcut on case 3 (28 wide, window 3, stride 2) where it breaks.",
        detect=lambda got, i, k, s: got in (i / (s or k), math.ceil(i / (s or k))),
    ),
)
_MAPS_CHANGED = Mistake(
    "maps-changed",
    "Changed the number of maps",
    "Pooling shrinks each feature map on its own; the number of maps stays the same (the "
    "first number).",
    "Pooling is applied to every map separately; it never mixes or drops maps. Contrast it "
    "with a convolution layer, which chooses its number of output maps.",
)
_NOT_THREE = Mistake(
    "not-three-numbers",
    "Not three numbers",
    "Give all three numbers (maps, height, width); pooling keeps the first axis.",
    "The student wrote the pooled size of one map and dropped the stack. Write the shape "
    "of x and of the result one above the other.",
)

POOLED_SHAPES = Exercise(
    "pooled_shapes",
    "03_pooling",
    1,
    "Pooled shapes",
    "values",
    (*_SIDE_MISTAKES, _MAPS_CHANGED, _NOT_THREE),
)


def _side_mistakes(got, i, k, s, want):
    """The mistakes that give ``got`` for one side."""
    found = []
    for mistake in _SIDE_MISTAKES:
        if mistake.compute is not None:
            value = mistake.compute(i, k, s)
            if value is not None and value != want and float(got) == float(value):
                found.append(mistake)
        elif mistake.detect(got, i, k, s) and got != want:
            found.append(mistake)
    return found


def _shape_verdict(case, answer):
    """(mistakes, hint) for a wrong shape."""
    maps, height, width = case["shape"]
    k, s = case["window"], case["stride"]
    expected = pooled_shape(case)
    if len(answer) != 3:
        return [_NOT_THREE], f"{fragment(_NOT_THREE.hint)}, like {case['shape']} for the input"
    found, hints = [], []
    if answer[0] != maps:
        found.append(_MAPS_CHANGED)
        hints.append(f"{fragment(_MAPS_CHANGED.hint)}: {maps}")
    for side, got, want in ((height, answer[1], expected[1]), (width, answer[2], expected[2])):
        if got == want:
            continue
        for mistake in _side_mistakes(got, side, k, s, want):
            if mistake not in found:
                found.append(mistake)
                hints.append(fragment(mistake.hint))
    if answer[1:] != expected[1:] and len(found) == (answer[0] != maps):
        hints.append("put the numbers into floor((i - window) / stride) + 1 step by step")
    return found, "; ".join(hints)


@checker(POOLED_SHAPES)
def check_pooled_shapes(answers) -> Feedback:
    """Check the shapes of exercise 1 (:data:`POOLED_SHAPE_CASES`).

    ``answers`` is a list with one shape per case, in order, each a tuple
    ``(maps, height, width)`` (``...`` for cases not done yet). Each wrong
    shape gets the hints of every typical mistake it shows: stride taken as 1
    when not given, the stride left out, no rounding down, rounding up, the
    + 1 forgotten, the number of maps changed.
    """
    n = len(POOLED_SHAPE_CASES)
    if is_placeholder(answers):
        return placeholder_feedback(f"a list of your {n} shapes, one per case")
    if not isinstance(answers, list | tuple):
        return Feedback(
            False,
            f"answers must be a list of {n} shapes, one per case; "
            f"{why_not_a_number(answers, 'such a list')}.",
            mistakes=(UNREADABLE.id,),
        )
    if len(answers) != n:
        return Feedback(False, f"The table has {n} cases, but your list has {len(answers)}.")
    lines, found, right, missing = [], [], 0, 0
    for number, (case, answer) in enumerate(zip(POOLED_SHAPE_CASES, answers), start=1):
        if is_placeholder(answer):
            missing += 1
            lines.append(placeholder_message(f"case {number}", "a shape (maps, height, width)"))
            found.append(PLACEHOLDER.id)
            continue
        shape = as_shape(answer, whole=False)
        if shape is None:
            lines.append(
                f"case {number}: {short(answer)} \u2718 write the shape as a tuple of three "
                "numbers, (maps, height, width)"
            )
            found.append(UNREADABLE.id)
            continue
        if shape == pooled_shape(case):
            right += 1
            lines.append(f"case {number}: {short(answer)} \u2714")
            continue
        mistakes, hint = _shape_verdict(case, shape)
        found += [m.id for m in mistakes]
        lines.append(f"case {number}: {short(answer)} \u2718 {hint}")
    if right == n:
        return Feedback(True, f"All {n} shapes are right.", lines)
    summary = f"{right} of {n} right" + (f", {missing} not answered yet" if missing else "") + "."
    return Feedback(False, summary, lines, mistakes=tuple(dict.fromkeys(found)))


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


def _shape(x, size, stride):
    return tuple(output_size(n, size, stride) for n in x.shape)


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


def _one_short(got, x, size, stride):
    ref = _reference(x, size, stride)
    return any(same_answer(got, cut) for cut in (ref[:-1, :-1], ref[:-1, :], ref[:, :-1]))


def _rounded_up_shape(x, size, stride):
    return tuple(math.ceil((n - size) / stride) + 1 for n in x.shape)


_AVERAGE = Mistake(
    "average-pooling",
    "Averages instead of maxima",
    "These are the averages of the windows (average pooling). Max pooling keeps the largest "
    "value of each window: window.max().",
    "Average pooling exists and the notebook shows it, so the two get mixed. Ask what each "
    "keeps of a window with one strong response: max keeps it whole, the average dilutes it.",
    compute=lambda x, size, stride: avg_pool2d(x, size, stride),
)
_MINIMUM = Mistake(
    "minimum",
    "Minima instead of maxima",
    "These are the smallest values of the windows. Max pooling keeps the largest: "
    "window.max(), not window.min().",
    "A slip of the method name or of a comparison sign (< for >). Have the student check one "
    "window of the small case by hand.",
    compute=lambda x, size, stride: -max_pool2d(-x, size, stride),
)
_STRIDE_IGNORED = Mistake(
    "stride-ignored",
    "Stride ignored (moves by 1)",
    "It looks as if the stride was ignored: your window moves one pixel at a time, so the "
    "windows overlap. Move it `stride` pixels between neighbouring outputs; the output then "
    "has (H - size) // stride + 1 rows.",
    "The loop steps one pixel whatever the stride. In the PoolingExplorer, set stride 1 "
    "and stride 2 in turn and count the output cells with the room.",
    compute=lambda x, size, stride: max_pool2d(x, size, 1) if stride != 1 else _not_here(),
    shape=lambda x, size, stride: _shape(x, size, 1) if stride != 1 else _not_here(),
)
_STRIDE_IS_WINDOW = Mistake(
    "stride-equals-window",
    "Assumed stride = window",
    "Your windows move by `size` pixels, as if the stride were always the window size (the "
    "default when no stride is given). Use the `stride` argument: this case has a stride "
    "different from the window, and the output has (H - size) // stride + 1 rows.",
    "The student learned 'a 2x2 pool halves the map' and wired the stride to the window. "
    "True for the default, false when a stride is given: in the PoolingExplorer, keep the "
    "window at 3 and change the stride to see overlapping windows (stride 1) and gaps "
    "(stride 3).",
    compute=lambda x, size, stride: max_pool2d(x, size, size) if stride != size else _not_here(),
    shape=lambda x, size, stride: _shape(x, size, size) if stride != size else _not_here(),
)
_NOT_STRIDED = Mistake(
    "windows-not-strided",
    "Right size, windows in the wrong places",
    "The output has the right size, but the windows are in the wrong places: output (i, j) "
    "must use the window whose top-left corner is at (i*stride, j*stride), not (i, j).",
    "The output size accounts for the stride but the indexing does not. Write output "
    "(i, j) -> window corner (i*stride, j*stride) on the board.",
    compute=lambda x, size, stride: (
        _positions_without_stride(x, size, stride) if stride != 1 else _not_here()
    ),
)
_PARTIAL = Mistake(
    "partial-windows",
    "Windows cut short at the edge",
    "Some of your windows hang over the edge: numpy quietly cuts x[a:b] short at the border, "
    "so the last windows are smaller than size x size. Use only positions where the whole "
    "window fits: (H - size) // stride + 1 of them.",
    "Looping over range(0, H, stride) starts a window at every multiple of the stride, "
    "even where it no longer fits; slicing hides the problem by returning a smaller window. "
    "Show x[3:5] on a 4-long array: no error, one value.",
    compute=lambda x, size, stride: _partial_windows(x, size, stride),
    shape=lambda x, size, stride: (
        len(range(0, x.shape[0], stride)),
        len(range(0, x.shape[1], stride)),
    ),
)
_ONE_SHORT = Mistake(
    "off-by-one",
    "One position short",
    "One row or column short (off by one). The number of positions is "
    "(H - size) // stride + 1: do not forget the + 1, and use range(out_h), not "
    "range(out_h - 1).",
    "The fencepost error: the + 1 of the formula forgotten, or range(out - 1). Count "
    "window positions along one row with a finger.",
    detect=_one_short,
)
_TRANSPOSED = Mistake(
    "transposed",
    "Result transposed",
    "Your result is transposed: rows and columns are swapped. Rows come first in numpy: "
    "x[row, col], and out[i, j] with i going down and j going right.",
    "(x, y) habits from maths against numpy's [row, column]. Name loop variables row and "
    "col; a non-square map makes the slip visible.",
    compute=lambda x, size, stride: _reference(x, size, stride).T,
)
_STARTS_AT_ZERO = Mistake(
    "max-starts-at-zero",
    "Maximum started at 0",
    "Where a whole window is negative you get 0. Does your maximum start at 0? Start it at "
    "the window's first value (or -inf), or simply use window.max().",
    "A running maximum initialised to 0 silently assumes non-negative values. After a ReLU "
    "that holds, on raw feature maps it does not. Good moment to discuss identity values: "
    "-inf for a maximum, 0 for a sum.",
    compute=lambda x, size, stride: np.maximum(_reference(x, size, stride), 0.0),
)
_PAST_THE_EDGE = Mistake(
    "window-past-edge",
    "Window past the border",
    "The window ran past the edge of x. Check the number of positions "
    "((H - size) // stride + 1) and that the window starts at (i*stride, j*stride).",
    "One position too many (rounding up, or H // stride positions), so the last window "
    "needs a row or column that does not exist: an IndexError with index loops. Back to the "
    "output-size formula and its floor.",
    shape=_rounded_up_shape,
)

_POOL_MISTAKES = (
    _AVERAGE,
    _MINIMUM,
    _STRIDE_IGNORED,
    _STRIDE_IS_WINDOW,
    _NOT_STRIDED,
    _PARTIAL,
    _ONE_SHORT,
    _TRANSPOSED,
    _STARTS_AT_ZERO,
    _PAST_THE_EDGE,
)

MY_MAX_POOL = Exercise(
    "my_max_pool", "03_pooling", 2, "Max pooling with loops", "function", _POOL_MISTAKES
)


def _pool_error(err, x, size, stride):
    if isinstance(err, IndexError):
        return _PAST_THE_EDGE, _PAST_THE_EDGE.hint
    return None


@checker(MY_MAX_POOL)
def check_my_max_pool(my_max_pool) -> Feedback:
    """Check a learner's ``my_max_pool(x, size=2, stride=2)`` on 2-D arrays.

    It must return what :func:`cnnlib.max_pool2d` returns on every case of
    :func:`max_pool_cases` (odd sizes, stride smaller and larger than the
    window, negative values). The feedback names every mistake it
    recognises, with the cases it shows in: averages instead of maxima,
    minima, the stride ignored or taken to be the window, windows cut short
    at the edge, an output one row short, a transposed result, a maximum that
    starts at 0.
    """
    cases = max_pool_cases()
    return check_function(
        my_max_pool,
        _reference,
        cases,
        mistakes=_POOL_MISTAKES,
        describe=_describe_case,
        success=(
            f"Your loops compute exactly what cnnlib.max_pool2d computes on all {len(cases)} "
            "cases, including overlapping windows, gaps between windows and odd sizes."
        ),
        explain_error=_pool_error,
        shape_advice=(
            "Check how many positions the window can take along each axis: "
            "(H - size) // stride + 1."
        ),
    )
