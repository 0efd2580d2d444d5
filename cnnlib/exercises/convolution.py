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

from cnnlib.exercises._check import Feedback, Mistake, check_function, solution
from cnnlib.ops import conv2d, output_size

__all__ = [
    "OUTPUT_SIZE_CASES",
    "check_horizontal_edge_kernel",
    "check_my_conv2d",
    "check_output_sizes",
    "conv2d_cases",
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


_CONV_MISTAKES = [
    Mistake(
        lambda x, k, s, p: _reference(x, k[::-1, ::-1], s, p),
        "You flipped the kernel. That is convolution as mathematicians define it "
        "(scipy.signal.convolve2d), but deep learning does not flip: multiply kernel[i, j] "
        "with the pixel at (top + i, left + j).",
    ),
    Mistake(
        lambda x, k, s, p: _reference(x, k, s, 0) if p else _not_here(),
        "It looks as if the padding was left out. First surround the image with `padding` "
        "rows and columns of zeros on every side, e.g. np.pad(image, padding), then slide "
        "the kernel over the padded image.",
    ),
    Mistake(
        lambda x, k, s, p: _reference(x, k, 1, p) if s > 1 else _not_here(),
        "It looks as if the stride was ignored: your kernel moves one pixel at a time. Move it "
        "`stride` pixels between neighbouring outputs; the output then has "
        "(H + 2*padding - kH) // stride + 1 rows.",
    ),
    Mistake(
        lambda x, k, s, p: _positions_without_stride(x, k, s, p) if s > 1 else _not_here(),
        "The output has the right size, but the windows are in the wrong places: output "
        "(y, x) must use the window whose top-left corner is at (y*stride, x*stride), not "
        "(y, x).",
    ),
    Mistake(
        lambda x, k, s, p: _reference(x, k, s, p)[:-1, :-1],
        "One row and one column short (off by one). The number of positions is "
        "(H + 2*padding - kH) // stride + 1: do not forget the + 1, and use "
        "range(out_h), not range(out_h - 1).",
    ),
    Mistake(
        lambda x, k, s, p: _reference(x, k, s, p)[:-1, :],
        "One row short (off by one): the output height is "
        "(H + 2*padding - kH) // stride + 1; do not forget the + 1.",
    ),
    Mistake(
        lambda x, k, s, p: _reference(x, k, s, p)[:, :-1],
        "One column short (off by one): the output width is "
        "(W + 2*padding - kW) // stride + 1; do not forget the + 1.",
    ),
    Mistake(
        lambda x, k, s, p: _reference(x, k, s, p).T,
        "Your result is transposed: rows and columns are swapped. Rows come first in numpy: "
        "image[row, col], and out[y, x] with y going down and x going right.",
    ),
    Mistake(
        lambda x, k, s, p: _reference(x.T, k.T, s, p),
        "Rows and columns are swapped somewhere: the image or the kernel is read as "
        "[col, row]. In numpy the first index is the row (down), the second the column (right).",
    ),
    Mistake(
        lambda x, k, s, p: _reference(x, k, s, p) / k.size,
        "Your values are the average of the products; add them up instead (no division).",
    ),
    Mistake(
        lambda x, k, s, p: _pad_one_side(x, k, s, p) if p else _not_here(),
        "The zeros were added on the top and left only. Padding goes on all four sides: "
        "np.pad(image, padding) does that.",
    ),
    Mistake(
        lambda x, k, s, p: _pad_with_edges(x, k, s, p) if p else _not_here(),
        "The image was padded with copies of its border pixels. The convention (and "
        "cnnlib.conv2d) pads with zeros: np.pad(image, padding) with its default mode.",
    ),
]

_INDEX_HINT = (
    "The window ran past the edge of the (padded) image. Check the number of positions "
    "((H + 2*padding - kH) // stride + 1), that you pad before sliding, and that the window "
    "starts at (y*stride, x*stride)."
)


def check_my_conv2d(my_conv2d) -> Feedback:
    """Check a learner's ``my_conv2d(image, kernel, stride=1, padding=0)``.

    It must return the same 2-D feature map as :func:`cnnlib.conv2d` on every
    case of :func:`conv2d_cases` (stride and padding included). On the first
    difference the feedback names the case and, when it recognises the
    answer, the likely mistake: a flipped kernel, forgotten padding or stride,
    an output one row or column short, a transposed result, ...
    """
    if not callable(my_conv2d):
        return Feedback(
            False, f"Pass your function itself (without calling it), got {my_conv2d!r}."
        )

    def run(image, kernel, stride, padding):
        try:
            return my_conv2d(image.copy(), kernel.copy(), stride, padding)
        except IndexError as err:
            raise IndexError(f"{str(err).strip()}. {_INDEX_HINT}") from None
        except ValueError as err:
            if "broadcast" not in str(err):
                raise
            # a slice at the edge came out smaller than the kernel
            raise ValueError(
                f"{str(err).strip()}. A patch is smaller than the kernel. {_INDEX_HINT}"
            ) from None

    return check_function(
        run,
        _reference,
        conv2d_cases(),
        mistakes=_CONV_MISTAKES,
        describe=_describe_case,
        success=(
            "Your loops compute exactly what cnnlib.conv2d computes, with stride and padding, "
            "on all 7 cases."
        ),
    )


@solution("my_conv2d")
def my_conv2d(image, kernel, stride=1, padding=0):
    # 1. surround the image with `padding` zeros on every side
    image = np.pad(image, padding)
    k_h, k_w = kernel.shape
    # 2. how many positions fit: (size - kernel) // stride + 1 along each axis
    out_h = (image.shape[0] - k_h) // stride + 1
    out_w = (image.shape[1] - k_w) // stride + 1
    out = np.zeros((out_h, out_w))
    for y in range(out_h):
        for x in range(out_w):
            top, left = y * stride, x * stride  # the window's top-left corner
            patch = image[top : top + k_h, left : left + k_w]
            out[y, x] = (patch * kernel).sum()  # multiply element-wise, add up
    return out


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

# what a learner with each misconception computes, and what to tell them
_SIZE_MISTAKES = (
    (
        lambda i, k, s, p, d: (i - d * (k - 1) - 1) // s + 1,
        "you left out the padding: add 2p to i (p zeros on each side)",
    ),
    (
        lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) // s,
        "you forgot the + 1 at the end (the first position counts too)",
    ),
    (
        lambda i, k, s, p, d: math.ceil((i + 2 * p - d * (k - 1) - 1) / s) + 1,
        "you rounded up; the formula rounds down (floor): a last step that would run "
        "past the edge does not happen",
    ),
    (
        lambda i, k, s, p, d: (i + 2 * p - (k - 1) - 1) // s + 1,
        "you ignored the dilation: a dilated kernel spans d(k-1)+1 pixels",
    ),
    (
        lambda i, k, s, p, d: (i + p - d * (k - 1) - 1) // s + 1,
        "you added the padding once; it goes on both sides, so add 2p",
    ),
    (
        lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) + 1,
        "you left out the stride: divide by s (and round down) before adding 1",
    ),
)


def output_size_table() -> str:
    """The cases of exercise 2 as a Markdown table."""
    rows = ["| case | input i | kernel k | stride s | padding p | dilation d |", "|---" * 6 + "|"]
    for n, c in enumerate(OUTPUT_SIZE_CASES, start=1):
        rows.append(f"| {n} | {c['i']} | {c['k']} | {c['s']} | {c['p']} | {c['d']} |")
    return "\n".join(rows)


def check_output_sizes(answers) -> Feedback:
    """Check the output sizes of the cases in :data:`OUTPUT_SIZE_CASES`.

    ``answers`` is a list with one whole number per case, in order (``...``
    for cases not done yet). Each wrong answer gets its own hint when it
    matches a typical mistake (padding left out, the + 1 forgotten, rounding
    up instead of down, dilation ignored).
    """
    n = len(OUTPUT_SIZE_CASES)
    if answers is None or answers is ...:
        return Feedback(False, f"Write your {n} answers in the list, one per case.")
    try:
        answers = list(answers)
    except TypeError:
        return Feedback(False, f"answers must be a list of {n} numbers, got {answers!r}.")
    if len(answers) != n:
        return Feedback(
            False, f"The table has {n} cases, but your list has {len(answers)} answers."
        )
    lines, right, missing = [], 0, 0
    for number, (case, answer) in enumerate(zip(OUTPUT_SIZE_CASES, answers), start=1):
        expected = output_size(case["i"], case["k"], case["s"], case["p"], case["d"])
        if answer is ... or answer is None:
            missing += 1
            lines.append(f"case {number}: not answered yet")
            continue
        if not _is_number(answer):
            lines.append(f"case {number}: {answer!r} is not a number")
            continue
        if float(answer) == expected:
            right += 1
            lines.append(f"case {number}: {answer} \u2714")
            continue
        # several misconceptions can give the same number: name each of them
        hints = [
            text
            for wrong, text in _SIZE_MISTAKES
            if wrong(*case.values()) == float(answer) and wrong(*case.values()) != expected
        ]
        hint = "; or ".join(hints) or (
            "not what the formula gives; put the numbers into "
            "o = floor((i + 2p - d(k-1) - 1) / s) + 1 step by step"
        )
        lines.append(f"case {number}: {answer} \u2718 {hint}")
    if right == n:
        return Feedback(True, f"All {n} output sizes are right.", lines)
    summary = f"{right} of {n} right" + (f", {missing} not answered yet" if missing else "") + "."
    return Feedback(False, summary, lines)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


@solution("output_sizes")
def output_sizes():
    answers = []
    for c in OUTPUT_SIZE_CASES:
        i, k, s, p, d = c["i"], c["k"], c["s"], c["p"], c["d"]
        span = d * (k - 1) + 1  # how many pixels the (dilated) kernel covers
        answers.append((i + 2 * p - span) // s + 1)  # // rounds down (floor)
    return answers  # [26, 28, 28, 3, 3, 14, 5, 112]


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


def check_horizontal_edge_kernel(kernel) -> Feedback:
    """Check a kernel meant to find horizontal edges.

    The kernel is applied to test images (:func:`edge_test_images`). It
    passes if it responds to a horizontal edge (dark above, bright below, or
    the other way round), gives at most a quarter of that on a vertical edge,
    and exactly 0 on a flat area.
    """
    if kernel is None or kernel is ...:
        return Feedback(False, "Replace the placeholder (None or ...) with your kernel.")
    try:
        kernel = np.asarray(kernel, dtype=np.float64)
    except (TypeError, ValueError):
        return Feedback(False, "The kernel must be a grid of numbers, e.g. np.array([[...], ...]).")
    if kernel.ndim != 2 or min(kernel.shape) < 1 or max(kernel.shape) > 9:
        return Feedback(
            False,
            f"The kernel must be a 2-D grid of at most 9x9 numbers, but has shape "
            f"{kernel.shape}; write it as np.array([[row 1], [row 2], ...]).",
        )
    if not np.isfinite(kernel).all():
        return Feedback(False, "The kernel contains NaN or infinity; use ordinary numbers.")
    if not kernel.any():
        return Feedback(False, "Every weight is 0, so the kernel responds to nothing at all.")
    images = edge_test_images()
    strength = {name: float(np.abs(conv2d(img, kernel)).max()) for name, img in images.items()}
    tolerance = 1e-9 * 255.0 * float(np.abs(kernel).sum())
    flat = float(conv2d(images["flat gray"], kernel).max())
    if abs(flat) <= tolerance:
        flat = 0.0  # rounding noise, e.g. -7e-15
    h = min(strength["horizontal edge"], strength["horizontal edge, upside down"])
    v = max(strength["vertical edge"], strength["vertical edge, mirrored"])
    numbers = [
        f"strongest response on a horizontal edge: {h:.4g}",
        f"strongest response on a vertical edge: {v:.4g}",
        f"response on a flat gray area (every pixel 128): {flat:.4g}",
    ]
    if abs(flat) > tolerance:
        return Feedback(
            False,
            f"On a flat area your kernel gives {flat:.4g}, not 0, because its weights add up to "
            f"{kernel.sum():.4g}. An edge detector must ignore flat areas: make the weights add "
            "up to 0, e.g. positive on one side and negative on the other.",
            numbers,
        )
    if v > 1.1 * h:
        return Feedback(
            False,
            "Your kernel responds more to vertical edges (a change from left to right) than to "
            "horizontal ones: it compares columns. Turn it by 90 degrees (kernel.T) so that it "
            "compares rows.",
            numbers,
        )
    if h <= tolerance:
        return Feedback(
            False,
            "Your kernel does not respond to a horizontal edge. It must compare the rows above "
            "with the rows below: e.g. negative weights in the top row, positive in the bottom "
            "row.",
            numbers,
        )
    if v > 0.25 * h:
        return Feedback(
            False,
            f"Your kernel also responds to vertical edges ({v / h:.0%} of its response to "
            "horizontal ones). Make each row's weights equal from left to right (or "
            "mirror-symmetric), so that a left-to-right change cancels out.",
            numbers,
        )
    return Feedback(
        True,
        "Your kernel finds horizontal edges, ignores vertical ones"
        + (" completely" if v <= tolerance else " almost completely")
        + " and gives 0 on flat areas.",
        numbers,
    )


@solution("horizontal_edge_kernel")
def horizontal_edge_kernel():
    # top row negative, bottom row positive, middle row 0: the kernel compares the
    # row below with the row above. Each row is the same from left to right (up to
    # the 1-2-1 smoothing), so a change from left to right cancels out, and the
    # weights add up to 0, so a flat area gives 0. This is the Sobel y kernel.
    return np.array(
        [
            [-1.0, -2.0, -1.0],
            [0.0, 0.0, 0.0],
            [1.0, 2.0, 1.0],
        ]
    )
