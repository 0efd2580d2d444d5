"""Exercises of notebook 01 (pixels), with checks that explain mistakes.

1. :func:`check_image_sizes`: the shape and the number count of a grayscale
   thumbnail and of a colour webcam frame.
2. :func:`check_negative`: write a function that makes the negative of a
   ``uint8`` image.
3. :func:`check_x_drawing`: draw a 5 x 5 "X" by hand as an array.

Model answers: ``show_solution("image_sizes")``, ``show_solution("negative")``
and ``show_solution("draw_x")``.
"""

from __future__ import annotations

import traceback

import numpy as np

from cnnlib.exercises._check import Feedback, same_answer, solution

__all__ = [
    "NEGATIVE_CASES",
    "THUMBNAIL",
    "WEBCAM",
    "check_image_sizes",
    "check_negative",
    "check_x_drawing",
    "negative_cases",
]

#: (height, width) of the exercise's grayscale thumbnail and colour webcam frame.
THUMBNAIL = (24, 36)
WEBCAM = (480, 640)

_PLACEHOLDER = "Replace the placeholder (None or ...) with your answer."


def _is_placeholder(value) -> bool:
    return value is None or value is ...


# ----------------------------------------------------------------------------
# 1. shapes and number counts
# ----------------------------------------------------------------------------
def _as_shape(value):
    """A tuple of ints from a tuple/list/array answer, or None if it is not one."""
    try:
        shape = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        return None
    if any(float(v) != int(v) for v in value):
        return None
    return shape


def _shape_hint(shape, height, width, colour) -> str | None:
    """What a wrong shape suggests, or None when it is right."""
    right = (height, width, 3) if colour else (height, width)
    if shape == right:
        return None
    if shape is None:
        return "write the shape as a tuple of whole numbers, e.g. (10, 20)"
    if colour and shape == (height, width):
        return (
            "this is the shape of a grayscale image. A colour pixel holds three numbers "
            "(red, green, blue), so the array needs a third axis of size 3"
        )
    if colour and shape == (3, height, width):
        return (
            "that is channels-first (C, H, W), the layout networks use. Photos on disk and "
            "in matplotlib are channels-last: (height, width, 3)"
        )
    if shape in ((width, height), (width, height, 3)):
        return (
            "height and width are swapped. numpy counts rows first: "
            "(height, width), i.e. (rows, columns)"
        )
    if not colour and shape == (height, width, 1):
        return "a grayscale image has one number per pixel and just two axes: (height, width)"
    if not colour and shape == (height, width, 3):
        return "a grayscale image has one number per pixel, not three"
    return (
        f"a {height} x {width} {'colour' if colour else 'grayscale'} image does not have this shape"
    )


def _count_hint(count, height, width, colour) -> str | None:
    right = height * width * (3 if colour else 1)
    try:
        count = float(count)
    except (TypeError, ValueError):
        return "the number of numbers is a single whole number, e.g. 100"
    if count == right:
        return None
    if colour and count == height * width:
        return (
            "that counts one number per pixel; a colour pixel has three (red, green, blue), "
            "so multiply by 3"
        )
    if count in (height + width, height + width + 3, height + width + 1):
        return (
            "you added the sizes. The pixels form a grid: height rows of width pixels "
            "each, so multiply: height x width (x 3 for colour)"
        )
    if colour and count == height * width + 3:
        return "add no 3: each of the height x width pixels has 3 numbers, so multiply by 3"
    return "count again: one number per pixel for grayscale, three per pixel for colour"


def check_image_sizes(thumbnail_shape, thumbnail_count, photo_shape, photo_count) -> Feedback:
    """Check the shapes and number counts of the two images of exercise 1.

    The thumbnail is grayscale, 24 pixels high and 36 wide; the webcam frame
    is a colour image, 480 pixels high and 640 wide, stored as on disk.
    """
    answers = [thumbnail_shape, thumbnail_count, photo_shape, photo_count]
    if all(_is_placeholder(a) for a in answers):
        return Feedback(False, _PLACEHOLDER)
    h1, w1 = THUMBNAIL
    h2, w2 = WEBCAM
    parts = [
        ("thumbnail_shape", thumbnail_shape, lambda a: _shape_hint(_as_shape(a), h1, w1, False)),
        ("thumbnail_count", thumbnail_count, lambda a: _count_hint(a, h1, w1, False)),
        ("photo_shape", photo_shape, lambda a: _shape_hint(_as_shape(a), h2, w2, True)),
        ("photo_count", photo_count, lambda a: _count_hint(a, h2, w2, True)),
    ]
    lines, wrong = [], 0
    for name, answer, hint_for in parts:
        if _is_placeholder(answer):
            lines.append(f"{name}: still a placeholder")
            wrong += 1
            continue
        hint = hint_for(answer)
        if hint is None:
            lines.append(f"{name}: right")
        else:
            lines.append(f"{name}: not yet, {hint}")
            wrong += 1
    if wrong == 0:
        return Feedback(
            True,
            f"The thumbnail is a ({h1}, {w1}) array of {h1 * w1:,} numbers; the webcam frame "
            f"a ({h2}, {w2}, 3) array of {h2 * w2 * 3:,} numbers: 3 per pixel.",
        )
    return Feedback(False, f"{wrong} of 4 answers need another look.", lines)


@solution("image_sizes")
def _image_sizes():
    thumbnail_shape = (24, 36)  # (height, width): rows first, one number per pixel
    thumbnail_count = 24 * 36  # 864
    photo_shape = (480, 640, 3)  # (height, width, channels): channels-last, as on disk
    photo_count = 480 * 640 * 3  # 921,600: three numbers per pixel
    return thumbnail_shape, thumbnail_count, photo_shape, photo_count


# ----------------------------------------------------------------------------
# 2. the negative of an image
# ----------------------------------------------------------------------------
def negative_cases(seed=0):
    """The uint8 images :func:`check_negative` tries, smallest first."""
    rng = np.random.default_rng(seed)
    return [
        np.array([[0, 100, 255]], dtype=np.uint8),
        np.array([[0, 128, 255], [10, 200, 30], [255, 255, 0]], dtype=np.uint8),
        rng.integers(0, 200, size=(5, 6), dtype=np.uint8),  # no pure white pixel
        rng.integers(0, 256, size=(2, 3, 3), dtype=np.uint8),  # a tiny colour image
        rng.integers(0, 256, size=(28, 28), dtype=np.uint8),
    ]


NEGATIVE_CASES = negative_cases()


def _negative_mistakes(x):
    """(what a misconception produces, hint) for the uint8 image x."""
    big = x.astype(np.int64)
    return [
        (
            256 - big,
            "the brightest value is 255, not 256: the negative is 255 - x "
            "(so that 0 becomes 255 and 255 becomes 0).",
        ),
        (
            (256 - big) % 256,
            "-x alone wraps around in uint8 (-1 becomes 255, -100 becomes 156): use 255 - x.",
        ),
        (
            1 - big,
            "1 - x is the negative of an image scaled from 0 to 1; these images use 0-255, "
            "so the negative is 255 - x.",
        ),
        (
            (1 - big) % 256,
            "1 - x is the negative of an image scaled from 0 to 1 (and in uint8 it wraps "
            "around); these images use 0-255, so the negative is 255 - x.",
        ),
        (
            big.max() - big,
            "image.max() - x depends on the brightest pixel of this particular image; "
            "the negative always uses the brightest possible value: 255 - x.",
        ),
        (big, "the image came back unchanged."),
    ]


def _describe(image) -> str:
    kind = "colour image" if image.ndim == 3 else "grayscale image"
    return f"a {kind} of shape {image.shape}, dtype uint8"


def check_negative(make_negative) -> Feedback:
    """Run ``make_negative(image)`` on several uint8 images and explain what is off.

    The answer must be ``255 - x`` for every number, keep the shape and the
    ``uint8`` dtype, and leave the image it was given unchanged.
    """
    if not callable(make_negative):
        return Feedback(
            False,
            "Pass your function itself, without calling it: check_negative(make_negative)",
        )
    for number, image in enumerate(NEGATIVE_CASES, start=1):
        where = f"Case {number} of {len(NEGATIVE_CASES)}: {_describe(image)}"
        given = image.copy()
        try:
            result = make_negative(given)
        except NotImplementedError:
            return Feedback(
                False,
                "The function is not written yet: replace the `raise NotImplementedError` "
                "line with your code.",
            )
        except OverflowError as err:
            return Feedback(
                False,
                "A number in your formula does not fit in uint8, which holds 0 to 255 only "
                "(256 and -1 do not fit). The negative needs neither: 255 - image.\n" + where,
                [str(err)],
            )
        except Exception as err:  # the learner's code failed: show where and why
            last = traceback.format_exception_only(type(err), err)[-1].strip()
            return Feedback(False, f"Your function raised an error.\n{where}", [last])
        expected = 255 - image
        if result is None:
            return Feedback(
                False, f"Your function returned None: did you forget the `return` line?\n{where}"
            )
        if not np.array_equal(given, image):
            return Feedback(
                False,
                "Your function changed the image it was given (for example with "
                "`image[...] = ...` or `image -= ...`). Whoever calls it still needs the "
                f"original: build and return a new array, e.g. `return 255 - image`.\n{where}",
            )
        result = np.asarray(result)
        if result.shape != expected.shape:
            return Feedback(
                False,
                f"The result has shape {result.shape}, but the image has shape "
                f"{image.shape}: the negative changes every number, not the shape.\n{where}",
            )
        if not same_answer(result, expected):
            hint = next(
                (h for wrong, h in _negative_mistakes(image) if same_answer(result, wrong)),
                "Some values differ from 255 - x.",
            )
            details = []
            if image.size <= 9:
                details = [f"image:\n{image}", f"expected:\n{expected}", f"got:\n{result}"]
            return Feedback(False, f"{hint}\n{where}", details)
        if result.dtype != np.uint8:
            return Feedback(
                False,
                f"The numbers are right, but the result has dtype {result.dtype} instead of "
                "uint8. Keep images as uint8 (0-255): matplotlib shows a float colour image "
                "as if it ran from 0 to 1, so it would look almost white. "
                f"Convert with `.astype(np.uint8)`, or compute `255 - image` directly.\n{where}",
            )
    return Feedback(
        True,
        f"Your negative is right on all {len(NEGATIVE_CASES)} images, keeps uint8 and leaves "
        "the input alone. 255 - x never leaves 0-255, so uint8 cannot overflow here.",
    )


@solution("negative")
def make_negative(image):
    """Return the negative of a uint8 image (0 <-> 255), as a new uint8 array."""
    return 255 - image  # 255 fits in uint8 and 255 - x stays within 0-255: no overflow


# ----------------------------------------------------------------------------
# 3. draw an X
# ----------------------------------------------------------------------------
def _x5():
    eye = np.eye(5, dtype=bool)
    return eye | eye[:, ::-1]


def _cells(mask) -> str:
    return ", ".join(f"({r}, {c})" for r, c in zip(*np.nonzero(mask)))


def check_x_drawing(drawing) -> Feedback:
    """Check a hand-drawn 5 x 5 "X": ink on both diagonals, background elsewhere.

    Ink may be 1 (images scaled 0-1) or 255 (0-255, like MNIST); the
    background is 0.
    """
    if _is_placeholder(drawing):
        return Feedback(False, _PLACEHOLDER)
    try:
        array = np.asarray(drawing, dtype=float)
    except (TypeError, ValueError):
        return Feedback(
            False,
            "This could not be read as a grid of numbers. Write 5 rows of 5 numbers: "
            "np.array([[1, 0, 0, 0, 1], [...], ...]), every row the same length.",
        )
    if array.shape != (5, 5):
        if array.size == 25:
            return Feedback(
                False,
                f"The 25 numbers are there but the shape is {array.shape}, not (5, 5): "
                "write 5 rows (inner lists) of 5 numbers each, or use .reshape(5, 5).",
            )
        return Feedback(
            False,
            f"Your array has shape {array.shape}; an X 5 pixels high and 5 wide needs "
            "shape (5, 5): 5 rows (inner lists) of 5 numbers each.",
        )
    values = set(np.unique(array).tolist())
    if not (values <= {0.0, 1.0} or values <= {0.0, 255.0}):
        if values <= {0.0, 1.0, 255.0}:
            hint = "you mixed 1 and 255 for ink: pick one scale, 0/1 or 0/255."
        else:
            odd = sorted(values - {0.0, 1.0, 255.0})
            hint = (
                f"use 0 for the background and 1 (or 255) for ink; found {odd[:4]}. "
                "Other values would be gray pixels."
            )
        return Feedback(False, hint)
    ink = array > 0
    target = _x5()
    scale = "0/255 (like MNIST)" if 255.0 in values else "0/1"
    if np.array_equal(ink, target):
        return Feedback(
            True,
            f"That is an X: ink on both diagonals, 9 ink pixels. You used the {scale} "
            "convention; the other scale would draw the same picture.",
        )
    if np.array_equal(ink, ~target):
        return Feedback(
            False,
            "Your X is drawn as background on ink (inverted). In this course, as in MNIST, "
            "ink is the high value (1 or 255) and the background is 0.",
        )
    eye = np.eye(5, dtype=bool)
    if np.array_equal(ink, eye) or np.array_equal(ink, eye[:, ::-1]):
        missing = "top-right to bottom-left" if ink[0, 0] else "top-left to bottom-right"
        return Feedback(
            False,
            f"Only one diagonal: an X needs the other one too ({missing}). "
            "Cells (i, i) form one diagonal and (i, 4 - i) the other.",
        )
    details = []
    missing, extra = target & ~ink, ink & ~target
    if missing.any():
        details.append(f"missing ink at (row, column): {_cells(missing)}")
    if extra.any():
        details.append(f"ink that is not part of the X at: {_cells(extra)}")
    message = "Not an X yet: both diagonals should be ink, everything else 0."
    if not ink[2, 2]:
        message += " The centre (2, 2), where the diagonals cross, must be ink."
    return Feedback(False, message, details)


@solution("draw_x")
def _draw_x():
    x_drawing = np.array(
        [
            [1, 0, 0, 0, 1],
            [0, 1, 0, 1, 0],
            [0, 0, 1, 0, 0],
            [0, 1, 0, 1, 0],
            [1, 0, 0, 0, 1],
        ]
    )
    return x_drawing
