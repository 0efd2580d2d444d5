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
    as_shape,
    as_whole_number,
    check_function,
    fragment,
    is_placeholder,
    placeholder_feedback,
    placeholder_message,
    positions,
    same_answer,
    short,
    why_not_a_number,
)
from cnnlib.images import negative

__all__ = [
    "IMAGE_SIZES",
    "NEGATIVE",
    "NEGATIVE_CASES",
    "THUMBNAIL",
    "WEBCAM",
    "X_DRAWING",
    "check_image_sizes",
    "check_negative",
    "check_x_drawing",
    "negative_cases",
]

#: (height, width) of the exercise's grayscale thumbnail and colour webcam frame.
THUMBNAIL = (24, 36)
WEBCAM = (480, 640)


# ----------------------------------------------------------------------------
# 1. shapes and number counts
# ----------------------------------------------------------------------------
_GRAY_FOR_COLOUR = Mistake(
    "colour-without-channels",
    "Colour image without its channel axis",
    "This is the shape of a grayscale image. A colour pixel holds three numbers (red, green, "
    "blue), so the array needs a third axis of size 3.",
    "The student pictures a colour image as a grid of pixels and forgets that each pixel is "
    "three numbers. Put a photo's .shape next to a digit's, and split the photo into its "
    "three channel images with the ChannelExplorer.",
)
_CHANNELS_FIRST = Mistake(
    "channels-first",
    "Channels first for a photo",
    "That is channels-first (C, H, W), the layout networks use. Photos on disk and in "
    "matplotlib are channels-last: (height, width, 3).",
    "Not wrong in general, wrong for a photo as it is loaded: layers want (C, H, W), files "
    "and matplotlib give (H, W, C). Write both layouts on the board with to_channels_first "
    "and to_channels_last between them; the question comes back when images meet layers.",
)
_SWAPPED = Mistake(
    "height-width-swapped",
    "Height and width swapped",
    "Height and width are swapped. numpy counts rows first: (height, width), that is "
    "(rows, columns).",
    "Screens are quoted width x height (640 x 480); arrays are indexed rows first. Draw a "
    "small grid, label the row index going down and the column index going right, and write "
    "image[row, column] beside it.",
)
_GRAY_WITH_AXIS = Mistake(
    "grayscale-with-channel-axis",
    "Grayscale with an axis of size 1",
    "A grayscale image has one number per pixel and just two axes: (height, width).",
    "(H, W, 1) is a legitimate way to store grayscale, but numpy and matplotlib keep it as "
    "two axes. One sentence is enough: an axis of size 1 adds no numbers.",
)
_GRAY_THREE = Mistake(
    "grayscale-three-channels",
    "Three numbers per grayscale pixel",
    "A grayscale image has one number per pixel, not three.",
    "The colour rule applied everywhere. Compare a digit (one brightness per pixel) with the "
    "photo (three), for instance by turning the photo gray with to_grayscale.",
)
_PIXELS_NOT_NUMBERS = Mistake(
    "counted-pixels-not-numbers",
    "Counted pixels, not numbers",
    "That counts one number per pixel; a colour pixel has three (red, green, blue), so "
    "multiply by 3.",
    "Pixels and numbers are different counts for a colour image. Ask two questions in turn: "
    "how many pixels, and how many numbers describe one pixel?",
)
_ADDED = Mistake(
    "added-sizes",
    "Added height and width",
    "You added the sizes. The pixels form a grid: height rows of width pixels each, so "
    "multiply: height x width (x 3 for colour).",
    "An area, not a perimeter. Draw a 3 x 4 grid and count its cells together.",
)
_ADDED_THREE = Mistake(
    "added-channels",
    "Added 3 for colour",
    "Add no 3: each of the height x width pixels has 3 numbers, so multiply by 3.",
    "The student knows a colour image has 'three of something' but not that the three "
    "belongs to every pixel. Count the numbers of a 2 x 2 colour image cell by cell.",
)

IMAGE_SIZES = Exercise(
    "image_sizes",
    "01_pixels",
    1,
    "Shapes and number counts",
    "values",
    (
        _GRAY_FOR_COLOUR,
        _CHANNELS_FIRST,
        _SWAPPED,
        _GRAY_WITH_AXIS,
        _GRAY_THREE,
        _PIXELS_NOT_NUMBERS,
        _ADDED,
        _ADDED_THREE,
    ),
)


def _shape_verdict(answer, height, width, colour):
    """(mistake or None, text) for a wrong shape, or None when it is right."""
    right = (height, width, 3) if colour else (height, width)
    shape = as_shape(answer)
    if shape is None:
        if isinstance(answer, list | tuple | np.ndarray):
            reason = f"{short(answer)} is not a list of whole numbers"
        else:
            reason = why_not_a_number(answer, "a shape")
        return UNREADABLE, f"{reason}: write the shape as a tuple of whole numbers, e.g. (10, 20)"
    if shape == right:
        return None
    if colour and shape == (height, width):
        return _GRAY_FOR_COLOUR, _GRAY_FOR_COLOUR.hint
    if colour and shape == (3, height, width):
        return _CHANNELS_FIRST, _CHANNELS_FIRST.hint
    if shape in ((width, height), (width, height, 3)):
        return _SWAPPED, _SWAPPED.hint
    if not colour and shape == (height, width, 1):
        return _GRAY_WITH_AXIS, _GRAY_WITH_AXIS.hint
    if not colour and shape == (height, width, 3):
        return _GRAY_THREE, _GRAY_THREE.hint
    kind = "colour" if colour else "grayscale"
    return None, f"a {height} x {width} {kind} image does not have this shape"


def _count_verdict(answer, height, width, colour):
    right = height * width * (3 if colour else 1)
    count = as_whole_number(answer)
    if count is None:
        reason = why_not_a_number(answer, "a whole number")
        return UNREADABLE, f"{reason}: the count is a single whole number, e.g. 100"
    if count == right:
        return None
    if colour and count == height * width:
        return _PIXELS_NOT_NUMBERS, _PIXELS_NOT_NUMBERS.hint
    if count in (height + width, height + width + 3, height + width + 1):
        return _ADDED, _ADDED.hint
    if colour and count == height * width + 3:
        return _ADDED_THREE, _ADDED_THREE.hint
    return None, "count again: one number per pixel for grayscale, three per pixel for colour"


@checker(IMAGE_SIZES)
def check_image_sizes(thumbnail_shape, thumbnail_count, photo_shape, photo_count) -> Feedback:
    """Check the shapes and number counts of the two images of exercise 1.

    The thumbnail is grayscale, 24 pixels high and 36 wide; the webcam frame
    is a colour image, 480 pixels high and 640 wide, stored as on disk. Every
    answer is judged on its own, with the hint of the mistake it matches.
    """
    answers = [thumbnail_shape, thumbnail_count, photo_shape, photo_count]
    if all(is_placeholder(a) for a in answers):
        return placeholder_feedback("your answers")
    h1, w1 = THUMBNAIL
    h2, w2 = WEBCAM
    parts = [
        ("thumbnail_shape", thumbnail_shape, lambda a: _shape_verdict(a, h1, w1, False)),
        ("thumbnail_count", thumbnail_count, lambda a: _count_verdict(a, h1, w1, False)),
        ("photo_shape", photo_shape, lambda a: _shape_verdict(a, h2, w2, True)),
        ("photo_count", photo_count, lambda a: _count_verdict(a, h2, w2, True)),
    ]
    lines, found, wrong = [], [], 0
    for name, answer, verdict_for in parts:
        if is_placeholder(answer):
            what = "a shape (a tuple)" if name.endswith("shape") else "a whole number"
            lines.append(placeholder_message(name, what))
            found.append(PLACEHOLDER.id)
            wrong += 1
            continue
        verdict = verdict_for(answer)
        if verdict is None:
            lines.append(f"{name}: right")
            continue
        mistake, text = verdict
        lines.append(f"{name}: not yet, {fragment(text)}")
        if mistake is not None:
            found.append(mistake.id)
        wrong += 1
    if wrong == 0:
        return Feedback(
            True,
            f"The thumbnail is a ({h1}, {w1}) array of {h1 * w1:,} numbers; the webcam frame "
            f"a ({h2}, {w2}, 3) array of {h2 * w2 * 3:,} numbers: 3 per pixel.",
        )
    return Feedback(
        False,
        f"{wrong} of 4 answers need another look.",
        lines,
        mistakes=tuple(dict.fromkeys(found)),
    )


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


def _wide(x):
    return x.astype(np.int64)


_NEGATIVE_MISTAKES = (
    Mistake(
        "negative-256",
        "256 instead of 255",
        "The brightest value is 255, not 256: the negative is 255 - x (so that 0 becomes 255 "
        "and 255 becomes 0).",
        "An off-by-one on the range: 256 values, from 0 to 255. Check both ends on the board: "
        "0 must become 255 and 255 must become 0.",
        compute=lambda x: 256 - _wide(x),
    ),
    Mistake(
        "uint8-wraparound",
        "Minus x wraps around",
        "-x alone wraps around in uint8 (-1 becomes 255, -100 becomes 156): use 255 - x.",
        "The student negated the numbers, as for signed data, and met uint8's wrap-around, "
        "the trap this notebook demonstrates. Show np.uint8(0) - np.uint8(1) and compare it "
        "with a car's odometer rolling over.",
        compute=lambda x: (256 - _wide(x)) % 256,
    ),
    Mistake(
        "one-minus-x",
        "1 - x (the 0-1 convention)",
        "1 - x is the negative of an image scaled from 0 to 1; these images use 0-255, so "
        "the negative is 255 - x.",
        "Students who met images as floats from 0 to 1 (many tutorials use them) carry the "
        "rule over. Ask first what the brightest possible value of this image is: the negative "
        "is always brightest - x. (In uint8, 1 - x also wraps around.)",
        detect=lambda got, x: (
            same_answer(got, 1 - _wide(x)) or same_answer(got, (1 - _wide(x)) % 256)
        ),
    ),
    Mistake(
        "image-max-minus-x",
        "The image's own maximum",
        "image.max() - x depends on the brightest pixel of this particular image; the "
        "negative always uses the brightest possible value: 255 - x.",
        "A sensible idea (mirror the image's own range) that is not the negative: a dark "
        "image would stay dark. Compare both on an image without pure white pixels.",
        compute=lambda x: _wide(x).max() - _wide(x),
    ),
    Mistake(
        "unchanged",
        "Image returned unchanged",
        "The image came back unchanged.",
        "Usually an expression whose value was thrown away (`255 - image` on a line of its "
        "own) followed by `return image`. Point out that a result must be stored or returned.",
        compute=lambda x: x,
    ),
)
_CHANGED_INPUT = Mistake(
    "changed-input",
    "Changed the image it was given",
    "Your function changed the image it was given (for example with `image[...] = ...` or "
    "`image -= ...`). Whoever calls it still needs the original: compute the negative as a "
    "new array and return that one.",
    "In-place updates are a numpy habit with a cost: the caller's array changes too. Show "
    "`b = a` sharing one array against `b = a.copy()`, and why library functions return new "
    "arrays.",
)
_NOT_UINT8 = Mistake(
    "not-uint8",
    "Right numbers, not uint8",
    "The numbers are right, but the result is not uint8. Keep images as uint8 (0-255): "
    "matplotlib shows a float colour image as if it ran from 0 to 1, so it would look almost "
    "white. Convert with `.astype(np.uint8)`, or compute `255 - image` directly.",
    "Arithmetic with a float (255.0 - x) or a conversion to int makes a new dtype. The "
    "values are fine, their meaning is not: matplotlib reads float images as 0-1. Show "
    "imshow of the same numbers as uint8 and as float.",
)
_OUT_OF_RANGE = Mistake(
    "uint8-out-of-range",
    "A number that does not fit in uint8",
    "A number in your formula does not fit in uint8, which holds 0 to 255 only (256 and -1 "
    "do not fit). The negative needs neither: 255 - image.",
    "numpy 2 refuses to mix a Python 256 (or -1) with a uint8 array, where numpy 1 silently "
    "wrapped it. A good moment to show uint8's range and why 255 - x never leaves it.",
)

NEGATIVE = Exercise(
    "negative",
    "01_pixels",
    2,
    "Make a negative",
    "function",
    (*_NEGATIVE_MISTAKES, _CHANGED_INPUT, _NOT_UINT8, _OUT_OF_RANGE),
)


def _describe(case) -> str:
    (image,) = case
    kind = "colour image" if image.ndim == 3 else "grayscale image"
    return f"a {kind} of shape {image.shape}, dtype uint8"


def _overflow(err, image):
    if isinstance(err, OverflowError):
        return _OUT_OF_RANGE, _OUT_OF_RANGE.hint
    return None


def _keeps_uint8(result, image):
    dtype = getattr(result, "dtype", None)
    if dtype == np.uint8:
        return None
    kind = f"dtype {dtype}" if dtype is not None else f"a {type(result).__name__}"
    return _NOT_UINT8, f"{_NOT_UINT8.hint} (Your result is {kind}.)"


@checker(NEGATIVE)
def check_negative(make_negative) -> Feedback:
    """Run ``make_negative(image)`` on several uint8 images and explain what is off.

    The answer must be ``255 - x`` for every number (:func:`cnnlib.negative`),
    keep the shape and the ``uint8`` dtype, and leave the image it was given
    unchanged.
    """
    return check_function(
        make_negative,
        negative,
        [(image,) for image in NEGATIVE_CASES],
        mistakes=_NEGATIVE_MISTAKES,
        describe=_describe,
        success=(
            f"Your negative is right on all {len(NEGATIVE_CASES)} images, keeps uint8 and "
            "leaves the input alone. 255 - x never leaves 0-255, so uint8 cannot overflow here."
        ),
        explain_error=_overflow,
        require=_keeps_uint8,
        keep_inputs=_CHANGED_INPUT,
        shape_advice="The negative changes every number, not the shape.",
    )


# ----------------------------------------------------------------------------
# 3. draw an X
# ----------------------------------------------------------------------------
_FLATTENED = Mistake(
    "not-five-rows",
    "25 numbers, not 5 rows",
    "The 25 numbers are there but not as 5 rows of 5: write 5 rows (inner lists) of 5 "
    "numbers each, or use .reshape(5, 5).",
    "One long list instead of a grid. Show that nesting makes the rows: [[...], [...]] is a "
    "grid, [...] a line, and .shape tells them apart.",
)
_MIXED_INK = Mistake(
    "mixed-ink-scales",
    "Mixed 1 and 255 for ink",
    "You mixed 1 and 255 for ink: pick one scale, 0/1 or 0/255.",
    "Both scales appear in the course (0-255 in files, 0-1 inside networks). Say that one "
    "image uses one scale throughout, and show what 1 looks like on a 0-255 scale: nearly "
    "black.",
)
_GRAY = Mistake(
    "gray-values",
    "Gray values in a drawing",
    "Use 0 for the background and 1 (or 255) for ink; other values would be gray pixels.",
    "Values between the two ends are shades of gray: right for a real photo, not for this "
    "drawing. show_pixels of the answer makes the gray cells visible at once.",
)
_INVERTED = Mistake(
    "inverted",
    "Background and ink swapped",
    "Your X is drawn as background on ink (inverted). In this course, as in MNIST, ink is "
    "the high value (1 or 255) and the background is 0.",
    "On paper ink is dark; in MNIST ink is bright (255) on black (0). Show a digit with "
    "show_pixels: the numbers are high where the pen went.",
)
_ONE_DIAGONAL = Mistake(
    "one-diagonal",
    "Only one diagonal",
    "Only one diagonal: an X needs both. Cells (i, i) form one diagonal and (i, 4 - i) the other.",
    "Usually the first diagonal typed and the second forgotten. The index pattern of both "
    "diagonals, (i, i) and (i, 4 - i), is a good warm-up for the index arithmetic of the "
    "convolution loops.",
)

X_DRAWING = Exercise(
    "draw_x",
    "01_pixels",
    3,
    "Draw an X by hand",
    "values",
    (_FLATTENED, _MIXED_INK, _GRAY, _INVERTED, _ONE_DIAGONAL),
)


def _x5():
    eye = np.eye(5, dtype=bool)
    return eye | eye[:, ::-1]


@checker(X_DRAWING)
def check_x_drawing(drawing) -> Feedback:
    """Check a hand-drawn 5 x 5 "X": ink on both diagonals, background elsewhere.

    Ink may be 1 (images scaled 0-1) or 255 (0-255, like MNIST); the
    background is 0. Wrong cells are listed as (row, column), counted from 0.
    """
    if is_placeholder(drawing):
        return placeholder_feedback()
    array, reason = as_array(drawing)
    if reason is not None:
        return Feedback(
            False,
            f"This cannot be read as a grid of numbers: {reason}. Write 5 rows of 5 numbers: "
            "np.array([[1, 0, 0, 0, 1], [...], ...]).",
            mistakes=(UNREADABLE.id,),
        )
    if array.shape != (5, 5):
        if array.size == 25:
            return Feedback(
                False, f"{_FLATTENED.hint} Its shape is {array.shape}.", mistakes=(_FLATTENED.id,)
            )
        return Feedback(
            False,
            f"Your array has shape {array.shape}; an X 5 pixels high and 5 wide needs shape "
            "(5, 5): 5 rows (inner lists) of 5 numbers each.",
            mistakes=(WRONG_SHAPE.id,),
        )
    values = set(np.unique(array).tolist())
    if not (values <= {0.0, 1.0} or values <= {0.0, 255.0}):
        if values <= {0.0, 1.0, 255.0}:
            return Feedback(False, _MIXED_INK.hint, mistakes=(_MIXED_INK.id,))
        odd = sorted(values - {0.0, 1.0, 255.0}, key=lambda v: (v != v, v))
        gray = ~np.isin(array, [0.0, 1.0, 255.0])
        return Feedback(
            False,
            f"{_GRAY.hint} Found {odd[:4]}.",
            [f"odd values at (row, column): {positions(gray)} (counting from 0)"],
            mistakes=(_GRAY.id,),
        )
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
        return Feedback(False, _INVERTED.hint, mistakes=(_INVERTED.id,))
    eye = np.eye(5, dtype=bool)
    if np.array_equal(ink, eye) or np.array_equal(ink, eye[:, ::-1]):
        missing = "top-right to bottom-left" if ink[0, 0] else "top-left to bottom-right"
        return Feedback(
            False, f"{_ONE_DIAGONAL.hint} Missing: {missing}.", mistakes=(_ONE_DIAGONAL.id,)
        )
    details = []
    missing, extra = target & ~ink, ink & ~target
    if missing.any():
        details.append(f"missing ink at (row, column): {positions(missing, 25)}")
    if extra.any():
        details.append(f"ink that is not part of the X at: {positions(extra, 25)}")
    message = (
        "Not an X yet: both diagonals should be ink, everything else 0. Cells are "
        "(row, column), counted from 0."
    )
    if not ink[2, 2]:
        message += " The centre (2, 2), where the diagonals cross, must be ink."
    return Feedback(False, message, details)
