"""Exercises of notebook 02 (convolution), with checks that explain mistakes.

1. :func:`check_my_conv2d`: write a convolution with plain loops.
2. :func:`check_output_sizes`: compute the output size for a table of cases.
3. :func:`check_horizontal_edge_kernel`: design a kernel that finds horizontal edges.

Model answers: ``show_solution("my_conv2d")``, ``show_solution("output_sizes")``
and ``show_solution("horizontal_edge_kernel")``.
"""

from __future__ import annotations

import math

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
    as_real,
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
from cnnlib.ops import conv2d

__all__ = [
    "EDGE_KERNEL",
    "MY_CONV2D",
    "OUTPUT_SIZES",
    "OUTPUT_SIZE_CASES",
    "check_horizontal_edge_kernel",
    "check_my_conv2d",
    "check_output_sizes",
    "conv2d_cases",
    "edge_test_images",
    "output_size_table",
]


# ----------------------------------------------------------------------------
# 1. convolution with loops
# ----------------------------------------------------------------------------
def conv2d_cases(seed=0):
    """The cases ``(image, kernel, stride, padding)`` that :func:`check_my_conv2d` tries.

    Small integer cases first (so a hint can print them), then padding,
    stride, both, a rectangular image, an even kernel and random decimals.
    Every kernel is lopsided, so a flipped kernel gives a different answer.
    """
    rng = np.random.default_rng(seed)

    def ints(h, w, low=0, high=10):
        return rng.integers(low, high, size=(h, w)).astype(np.float64)

    lopsided = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, -1.0, 3.0]])
    return [
        (ints(5, 5), lopsided, 1, 0),
        (ints(4, 4), lopsided, 1, 1),
        (ints(7, 7), lopsided, 2, 0),
        (ints(6, 8), ints(3, 3, -2, 3), 2, 1),
        (ints(9, 7), ints(2, 2, -3, 4), 3, 2),
        (rng.normal(size=(10, 11)), rng.normal(size=(5, 5)), 2, 2),
        (rng.normal(size=(8, 8)), rng.normal(size=(3, 3)), 1, 3),
    ]


def _describe_case(case):
    image, kernel, stride, padding = case
    return (
        f"image {image.shape[0]}x{image.shape[1]}, kernel {kernel.shape[0]}x{kernel.shape[1]}, "
        f"stride={stride}, padding={padding}"
    )


def _reference(image, kernel, stride, padding):
    return conv2d(image, kernel, stride=stride, padding=padding)


def _not_here():
    """A mistake that makes no difference in this case (e.g. padding with padding=0)."""
    raise LookupError("this mistake cannot show in this case")


def _out_shape(image, kernel, stride, padding):
    return tuple(
        output_size(n, k, stride, padding) for n, k in zip(image.shape, kernel.shape, strict=True)
    )


def _positions_without_stride(image, kernel, stride, padding):
    """Right number of outputs, but the window moves one pixel per output."""
    full = conv2d(image, kernel, stride=1, padding=padding)
    ref = _reference(image, kernel, stride, padding)
    return full[: ref.shape[0], : ref.shape[1]]


def _pad_one_side(image, kernel, stride, padding):
    padded = np.pad(image, ((padding, 0), (padding, 0)))
    return conv2d(padded, kernel, stride=stride)


def _pad_with_edges(image, kernel, stride, padding):
    return conv2d(np.pad(image, padding, mode="edge"), kernel, stride=stride)


def _one_short(got, image, kernel, stride, padding):
    ref = _reference(image, kernel, stride, padding)
    return any(same_answer(got, cut) for cut in (ref[:-1, :-1], ref[:-1, :], ref[:, :-1]))


def _past_the_edge_shapes(image, kernel, stride, padding):
    """Shapes of loops that take a last position whose window hangs over the border."""
    sizes = [n + 2 * padding for n in image.shape]
    rounded_up = [math.ceil((n - k) / stride) + 1 for n, k in zip(sizes, kernel.shape)]
    every_start = [len(range(0, n, stride)) for n in sizes]
    return [tuple(rounded_up), tuple(every_start)]


_FLIPPED = Mistake(
    "kernel-flipped",
    "Flipped the kernel",
    "You flipped the kernel. That is convolution as mathematicians define it "
    "(scipy.signal.convolve2d), but deep learning does not flip: multiply kernel[i, j] with "
    "the pixel at (top + i, left + j).",
    "Students who met convolution in maths, physics or signal processing flip the kernel, as "
    "the textbook definition does. Say plainly that deep-learning libraries compute "
    "cross-correlation and still call it convolution; for learned kernels the flip makes no "
    "difference, since training would simply learn the flipped kernel. A lopsided kernel in "
    "the ConvolutionStepper shows which weight meets which pixel.",
    compute=lambda x, k, s, p: _reference(x, k[::-1, ::-1], s, p),
)
_NO_PADDING = Mistake(
    "padding-ignored",
    "Padding left out",
    "It looks as if the padding was left out. First surround the image with `padding` rows "
    "and columns of zeros on every side, e.g. np.pad(image, padding), then slide the kernel "
    "over the padded image.",
    "The loop runs over the unpadded image, so the output is smaller than it should be and "
    "the border pixels never sit under the kernel's centre. Show the padded image itself "
    "(np.pad) and compare the output sizes with and without padding in the "
    "ConvolutionExplorer.",
    compute=lambda x, k, s, p: _reference(x, k, s, 0) if p else _not_here(),
    shape=lambda x, k, s, p: _out_shape(x, k, s, 0) if p else _not_here(),
)
_NO_STRIDE = Mistake(
    "stride-ignored",
    "Stride ignored",
    "It looks as if the stride was ignored: your kernel moves one pixel at a time. Move it "
    "`stride` pixels between neighbouring outputs; the output then has "
    "(H + 2*padding - kH) // stride + 1 rows.",
    "The window moves one pixel at a time whatever the stride. Step through a stride-2 "
    "convolution with the ConvolutionStepper and have the room call out the window's "
    "top-left corner: 0, 2, 4...",
    compute=lambda x, k, s, p: _reference(x, k, 1, p) if s > 1 else _not_here(),
    shape=lambda x, k, s, p: _out_shape(x, k, 1, p) if s > 1 else _not_here(),
)
_NEITHER = Mistake(
    "stride-and-padding-ignored",
    "Stride and padding both ignored",
    "Both the stride and the padding seem to be ignored: your kernel moves one pixel at a "
    "time over the unpadded image. Pad first (np.pad(image, padding)), then move the window "
    "`stride` pixels between neighbouring outputs.",
    "The first version of the loop (stride 1, no padding) was kept and the two new "
    "parameters never used. Have the student say aloud what each parameter of the signature "
    "changes before touching the loop.",
    compute=lambda x, k, s, p: _reference(x, k, 1, 0) if s > 1 and p else _not_here(),
    shape=lambda x, k, s, p: _out_shape(x, k, 1, 0) if s > 1 and p else _not_here(),
)
_NOT_STRIDED = Mistake(
    "windows-not-strided",
    "Right size, windows in the wrong places",
    "The output has the right size, but the windows are in the wrong places: output (y, x) "
    "must use the window whose top-left corner is at (y*stride, x*stride), not (y, x).",
    "The student computed the smaller output size but indexes the image with the output "
    "position. Write the mapping output (y, x) -> window corner (y*stride, x*stride) on the "
    "board; the stepper shows it move.",
    compute=lambda x, k, s, p: _positions_without_stride(x, k, s, p) if s > 1 else _not_here(),
)
_ONE_SHORT = Mistake(
    "off-by-one",
    "One position short",
    "One row or column short (off by one). The number of positions is "
    "(H + 2*padding - kH) // stride + 1: do not forget the + 1, and loop over range(out_h), "
    "not range(out_h - 1).",
    "The fencepost error: (size - kernel) / stride counts the steps between positions, and "
    "the first position needs the + 1. Count the positions of a 3-wide kernel on a 5-wide "
    "image with a finger: 0, 1, 2 - three, which is 5 - 3 + 1.",
    detect=_one_short,
)
_TRANSPOSED = Mistake(
    "transposed",
    "Result transposed",
    "Your result is transposed: rows and columns are swapped. Rows come first in numpy: "
    "image[row, col], and out[y, x] with y going down and x going right.",
    "Maths habits write points as (x, y); numpy indexes [row, column]. Suggest naming the "
    "loop variables row and col rather than x and y.",
    compute=lambda x, k, s, p: _reference(x, k, s, p).T,
)
_READ_TRANSPOSED = Mistake(
    "rows-columns-swapped",
    "Image or kernel read as [column, row]",
    "Rows and columns are swapped somewhere: the image or the kernel is read as [col, row]. "
    "In numpy the first index is the row (down), the second the column (right).",
    "Same root as a transposed result, deeper inside the loop: one of the two arrays is "
    "indexed [column, row]. A non-square test image makes it fail loudly.",
    detect=lambda got, x, k, s, p: (
        same_answer(got, _reference(x.T, k, s, p)) or same_answer(got, _reference(x, k.T, s, p))
    ),
)
_AVERAGED = Mistake(
    "averaged-not-summed",
    "Averaged instead of summed",
    "Your values are the average of the products; add them up instead (no division).",
    "Students who remember the blur kernel as 'an average' divide by the kernel size. A "
    "convolution only multiplies and adds; a blur's averaging lives in its weights (1/9 "
    "each for a 3x3 box).",
    compute=lambda x, k, s, p: _reference(x, k, s, p) / k.size,
)
_ONE_SIDE = Mistake(
    "padded-one-side",
    "Padded on top and left only",
    "The zeros were added on the top and left only. Padding goes on all four sides: "
    "np.pad(image, padding) does that.",
    "Manual padding that starts the image at (p, p) in a zero array that is only p larger. "
    "Draw the padded grid: p rows above and below, p columns left and right.",
    compute=lambda x, k, s, p: _pad_one_side(x, k, s, p) if p else _not_here(),
)
_EDGE_PADDED = Mistake(
    "padded-with-edges",
    "Padded with border copies",
    "The image was padded with copies of its border pixels. The convention (and "
    "cnnlib.conv2d) pads with zeros: np.pad(image, padding) with its default mode.",
    "Replicate padding exists (np.pad's mode='edge'), but conv2d and every layer of this "
    "course pad with zeros. The choice changes the border values; the notebook shows the "
    "false edges that zeros create at the border.",
    compute=lambda x, k, s, p: _pad_with_edges(x, k, s, p) if p else _not_here(),
)
_PAST_THE_EDGE = Mistake(
    "window-past-edge",
    "Window past the border",
    "The window ran past the edge of the (padded) image. Check the number of positions "
    "((H + 2*padding - kH) // stride + 1), that you pad before sliding, and that the window "
    "starts at (y*stride, x*stride).",
    "The loop takes one position too many (rounding up, or range(H) instead of "
    "range(out_h)), so the last window hangs over the border: an IndexError with index "
    "loops, a patch smaller than the kernel with slices. Go back to the output-size formula "
    "and the floor in it.",
    shape=_past_the_edge_shapes,
)

_CONV_MISTAKES = (
    _FLIPPED,
    _NO_PADDING,
    _NO_STRIDE,
    _NEITHER,
    _NOT_STRIDED,
    _ONE_SHORT,
    _TRANSPOSED,
    _READ_TRANSPOSED,
    _AVERAGED,
    _ONE_SIDE,
    _EDGE_PADDED,
    _PAST_THE_EDGE,
)

MY_CONV2D = Exercise(
    "my_conv2d", "02_convolution", 1, "Convolution with loops", "function", _CONV_MISTAKES
)


def _conv_error(err, image, kernel, stride, padding):
    """The window-past-the-edge hint for the errors that mistake raises."""
    if isinstance(err, IndexError):
        return _PAST_THE_EDGE, _PAST_THE_EDGE.hint
    if isinstance(err, ValueError) and "broadcast" in str(err):
        return _PAST_THE_EDGE, f"{_PAST_THE_EDGE.hint} (A patch came out smaller than the kernel.)"
    return None


@checker(MY_CONV2D)
def check_my_conv2d(my_conv2d) -> Feedback:
    """Check a learner's ``my_conv2d(image, kernel, stride=1, padding=0)``.

    It must return the same 2-D feature map as :func:`cnnlib.conv2d` on every
    case of :func:`conv2d_cases` (stride and padding included). The feedback
    names every mistake it recognises, with the cases it shows in: a flipped
    kernel, forgotten padding or stride, an output one row or column short, a
    transposed result, a window that runs past the border...
    """
    return check_function(
        my_conv2d,
        _reference,
        conv2d_cases(),
        mistakes=_CONV_MISTAKES,
        describe=_describe_case,
        success=(
            "Your loops compute exactly what cnnlib.conv2d computes, with stride and padding, "
            "on all 7 cases."
        ),
        explain_error=_conv_error,
        shape_advice=(
            "Check how many positions the window can take along each axis: "
            "(H + 2*padding - kH) // stride + 1."
        ),
    )


# ----------------------------------------------------------------------------
# 2. output sizes
# ----------------------------------------------------------------------------
#: The cases of exercise 2: input size i, kernel k, stride s, padding p, dilation d.
OUTPUT_SIZE_CASES = (
    {"i": 28, "k": 3, "s": 1, "p": 0, "d": 1},
    {"i": 28, "k": 3, "s": 1, "p": 1, "d": 1},
    {"i": 32, "k": 5, "s": 1, "p": 0, "d": 1},
    {"i": 7, "k": 3, "s": 2, "p": 0, "d": 1},
    {"i": 10, "k": 3, "s": 3, "p": 0, "d": 1},
    {"i": 28, "k": 5, "s": 2, "p": 2, "d": 1},
    {"i": 9, "k": 3, "s": 1, "p": 0, "d": 2},
    {"i": 224, "k": 7, "s": 2, "p": 3, "d": 1},
)

# each mistake's compute(i, k, s, p, d) is what a learner with that misconception gets
_SIZE_MISTAKES = (
    Mistake(
        "padding-left-out",
        "Padding left out",
        "You left out the padding: add 2p to i (p zeros on each side).",
        "The formula was learned as (i - k) / s + 1 before padding came in. Ask first what "
        "padding does to the input (it becomes i + 2p wide), then apply the same formula.",
        compute=lambda i, k, s, p, d: (i - d * (k - 1) - 1) // s + 1,
    ),
    Mistake(
        "forgot-plus-one",
        "Forgot the + 1",
        "You forgot the + 1 at the end (the first position counts too).",
        "The fencepost error: (i - k) / s counts the steps between positions; the first "
        "position adds one. Count positions on a strip of paper with the room.",
        compute=lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) // s,
    ),
    Mistake(
        "rounded-up",
        "Rounded up",
        "You rounded up; the formula rounds down (floor): a last step that would run past the "
        "edge does not happen.",
        "A last step that would stick out past the edge is not taken, so the division "
        "floors. Case 5 (i = 10, k = 3, s = 3) in the ConvolutionExplorer shows the last "
        "column never reached.",
        compute=lambda i, k, s, p, d: math.ceil((i + 2 * p - d * (k - 1) - 1) / s) + 1,
    ),
    Mistake(
        "dilation-ignored",
        "Dilation ignored",
        "You ignored the dilation: a dilated kernel spans d(k-1)+1 pixels.",
        "Sketch a 3-tap kernel with d = 2: its taps sit at 0, 2 and 4, so it spans 5 pixels, "
        "and that span is what the formula subtracts.",
        compute=lambda i, k, s, p, d: (i + 2 * p - (k - 1) - 1) // s + 1,
    ),
    Mistake(
        "padding-once",
        "Padding added once",
        "You added the padding once; it goes on both sides, so add 2p.",
        "p zeros go on each side. Draw one padded row: p zeros, the i pixels, p zeros.",
        compute=lambda i, k, s, p, d: (i + p - d * (k - 1) - 1) // s + 1,
    ),
    Mistake(
        "stride-left-out",
        "Stride left out",
        "You left out the stride: divide by s (and round down) before adding 1.",
        "The stride-1 formula applied to every case. With stride s the window takes every "
        "s-th position, so the count of steps is divided by s.",
        compute=lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) + 1,
    ),
)

OUTPUT_SIZES = Exercise(
    "output_sizes", "02_convolution", 2, "Output sizes", "values", _SIZE_MISTAKES
)


def output_size_table() -> str:
    """The cases of exercise 2 as a Markdown table."""
    rows = ["| case | input i | kernel k | stride s | padding p | dilation d |", "|---" * 6 + "|"]
    for n, c in enumerate(OUTPUT_SIZE_CASES, start=1):
        rows.append(f"| {n} | {c['i']} | {c['k']} | {c['s']} | {c['p']} | {c['d']} |")
    return "\n".join(rows)


@checker(OUTPUT_SIZES)
def check_output_sizes(answers) -> Feedback:
    """Check the output sizes of the cases in :data:`OUTPUT_SIZE_CASES`.

    ``answers`` is a list with one whole number per case, in order (``...``
    for cases not done yet). Each wrong answer gets its own hint when it
    matches a typical mistake (padding left out, the + 1 forgotten, rounding
    up instead of down, dilation ignored); when several misconceptions give
    the same number, each is named.
    """
    n = len(OUTPUT_SIZE_CASES)
    if is_placeholder(answers):
        return placeholder_feedback(f"a list of your {n} answers, one per case")
    if not (
        isinstance(answers, list | tuple) or (isinstance(answers, np.ndarray) and answers.ndim == 1)
    ):
        return Feedback(
            False,
            f"answers must be a list of {n} numbers, one per case; "
            f"{why_not_a_number(answers, 'such a list')}.",
            mistakes=(UNREADABLE.id,),
        )
    if len(answers) != n:
        return Feedback(
            False, f"The table has {n} cases, but your list has {len(answers)} answers."
        )
    lines, found, right, missing = [], [], 0, 0
    for number, (case, answer) in enumerate(zip(OUTPUT_SIZE_CASES, answers), start=1):
        expected = output_size(case["i"], case["k"], case["s"], case["p"], case["d"])
        if is_placeholder(answer):
            missing += 1
            lines.append(placeholder_message(f"case {number}", "a whole number"))
            found.append(PLACEHOLDER.id)
            continue
        value = as_real(answer)
        if value is None:
            lines.append(f"case {number}: {why_not_a_number(answer, 'a whole number')}")
            found.append(UNREADABLE.id)
            continue
        if value == expected:
            right += 1
            lines.append(f"case {number}: {short(answer)} \u2714")
            continue
        # several misconceptions can give the same number: name each of them
        matches = [m for m in _SIZE_MISTAKES if m.compute(*case.values()) == value != expected]
        found += [m.id for m in matches]
        hint = "; or ".join(fragment(m.hint) for m in matches) or (
            "not what the formula gives; put the numbers into "
            "o = floor((i + 2p - d(k-1) - 1) / s) + 1 step by step"
        )
        lines.append(f"case {number}: {short(answer)} \u2718 {hint}")
    if right == n:
        return Feedback(True, f"All {n} output sizes are right.", lines)
    summary = f"{right} of {n} right" + (f", {missing} not answered yet" if missing else "") + "."
    return Feedback(False, summary, lines, mistakes=tuple(dict.fromkeys(found)))


# ----------------------------------------------------------------------------
# 3. a kernel for horizontal edges
# ----------------------------------------------------------------------------
def edge_test_images(size=16):
    """The images :func:`check_horizontal_edge_kernel` uses, by name (0-255, float64)."""
    half = size // 2
    horizontal = np.zeros((size, size))
    horizontal[half:] = 255.0  # dark above, bright below
    vertical = np.zeros((size, size))
    vertical[:, half:] = 255.0  # dark left, bright right
    return {
        "horizontal edge": horizontal,
        "horizontal edge, upside down": horizontal[::-1].copy(),
        "vertical edge": vertical,
        "vertical edge, mirrored": vertical[:, ::-1].copy(),
        "flat gray": np.full((size, size), 128.0),
    }


_ALL_ZERO = Mistake(
    "all-zero",
    "Every weight 0",
    "Every weight is 0, so the kernel responds to nothing at all.",
    "More a placeholder than a misconception: the student has not yet decided on weights. "
    "Ask what the kernel should compare with what.",
)
_FLAT_NOT_ZERO = Mistake(
    "flat-not-zero",
    "Weights do not add up to 0",
    "An edge detector must give 0 on a flat area, so its weights must add up to 0: make "
    "them positive on one side and negative on the other.",
    "The kernel responds to brightness, not to change: on a flat gray area its response is "
    "(sum of the weights) x gray. Show the response on the flat test image next to the sum "
    "of the weights.",
)
_COMPARES_COLUMNS = Mistake(
    "compares-columns",
    "Finds vertical edges",
    "Your kernel responds more to vertical edges (a change from left to right) than to "
    "horizontal ones: it compares columns. Turn it by 90 degrees (kernel.T) so that it "
    "compares rows.",
    "'Horizontal edge' is ambiguous: the edge line is horizontal, the change across it is "
    "vertical. Draw an edge with an arrow across it and say the kernel compares along the "
    "arrow; the notebook's 0-degree kernel finds vertical edges for the same reason.",
)
_NO_RESPONSE = Mistake(
    "no-horizontal-response",
    "No response to a horizontal edge",
    "Your kernel does not respond to a horizontal edge. It must compare the rows above with "
    "the rows below: e.g. negative weights in the top row, positive in the bottom row.",
    "Often a kernel that is the same at the top and the bottom, whose halves cancel on "
    "every edge. Show its feature map on the test image: flat everywhere.",
)
_ALSO_VERTICAL = Mistake(
    "responds-to-vertical",
    "Also finds vertical edges",
    "Your kernel also responds to vertical edges. Make each row's weights equal from left to "
    "right (or mirror-symmetric), so that a left-to-right change cancels out.",
    "Diagonal or Laplacian-like kernels find edges in every direction. Selectivity comes "
    "from symmetry: weights that do not change along the edge. Compare sobel_y with "
    "laplacian on the same photo.",
)

EDGE_KERNEL = Exercise(
    "horizontal_edge_kernel",
    "02_convolution",
    3,
    "A kernel for horizontal edges",
    "values",
    (_ALL_ZERO, _FLAT_NOT_ZERO, _COMPARES_COLUMNS, _NO_RESPONSE, _ALSO_VERTICAL),
)


def _strengths(kernel):
    """(horizontal, vertical) strongest responses of ``kernel`` on the test images."""
    images = edge_test_images()
    strength = {name: float(np.abs(conv2d(img, kernel)).max()) for name, img in images.items()}
    h = min(strength["horizontal edge"], strength["horizontal edge, upside down"])
    v = max(strength["vertical edge"], strength["vertical edge, mirrored"])
    return h, v


def _orientation(kernel, tolerance):
    """The orientation mistake of a kernel whose weights add up to 0, or None."""
    h, v = _strengths(kernel)
    if v > 1.1 * h:
        return _COMPARES_COLUMNS, _COMPARES_COLUMNS.hint
    if h <= tolerance:
        return _NO_RESPONSE, _NO_RESPONSE.hint
    if v > 0.25 * h:
        return _ALSO_VERTICAL, (
            f"{_ALSO_VERTICAL.hint} (Its response to vertical edges is {v / h:.0%} of its "
            "response to horizontal ones.)"
        )
    return None


@checker(EDGE_KERNEL)
def check_horizontal_edge_kernel(kernel) -> Feedback:
    """Check a kernel meant to find horizontal edges.

    The kernel is applied to test images (:func:`edge_test_images`). It
    passes if it responds to a horizontal edge (dark above, bright below, or
    the other way round), gives at most a quarter of that on a vertical edge,
    and exactly 0 on a flat area. Every requirement it misses is named.
    """
    if is_placeholder(kernel):
        return placeholder_feedback("your kernel")
    array, reason = as_array(kernel)
    if reason is not None:
        return Feedback(
            False,
            f"The kernel must be a grid of numbers, e.g. np.array([[...], ...]); {reason}.",
            mistakes=(UNREADABLE.id,),
        )
    if array.ndim != 2 or min(array.shape, default=0) < 1 or max(array.shape) > 9:
        return Feedback(
            False,
            f"The kernel must be a 2-D grid of at most 9x9 numbers, but has shape "
            f"{array.shape}; write it as np.array([[row 0], [row 1], ...]).",
            mistakes=(WRONG_SHAPE.id,),
        )
    if not np.isfinite(array).all() or np.abs(array).max() > 1e100:
        return Feedback(
            False,
            f"{NOT_FINITE.hint} Use ordinary numbers for the weights (a few units at most).",
            mistakes=(NOT_FINITE.id,),
        )
    if not array.any():
        return Feedback(False, _ALL_ZERO.hint, mistakes=(_ALL_ZERO.id,))
    tolerance = 1e-9 * 255.0 * float(np.abs(array).sum())
    flat = float(conv2d(edge_test_images()["flat gray"], array).max())
    if abs(flat) <= tolerance:
        flat = 0.0  # rounding noise, e.g. -7e-15
    h, v = _strengths(array)
    numbers = [
        f"strongest response on a horizontal edge: {h:.4g}",
        f"strongest response on a vertical edge: {v:.4g}",
        f"response on a flat gray area (every pixel 128): {flat:.4g}",
    ]
    problems = []
    if flat != 0.0:
        problems.append(
            (
                _FLAT_NOT_ZERO,
                f"On a flat area your kernel gives {flat:.4g}, not 0, because its weights add "
                f"up to {array.sum():.4g}. {_FLAT_NOT_ZERO.hint}",
            )
        )
        # judge the direction on the part of the kernel that responds to change
        orientation = _orientation(array - array.mean(), tolerance)
    else:
        orientation = _orientation(array, tolerance)
    if orientation is not None:
        problems.append(orientation)
    if not problems:
        return Feedback(
            True,
            "Your kernel finds horizontal edges, ignores vertical ones"
            + (" completely" if v <= tolerance else " almost completely")
            + " and gives 0 on flat areas.",
            numbers,
        )
    if len(problems) == 1:
        message = problems[0][1]
    else:
        message = "Two things to fix:\n" + "\n".join(f"- {text}" for _, text in problems)
    return Feedback(False, message, numbers, mistakes=tuple(m.id for m, _ in problems))
