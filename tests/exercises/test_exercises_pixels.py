"""Notebook 01 exercises: the checkers accept right answers and explain typical wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib.exercises import check_image_sizes, check_negative, check_x_drawing
from cnnlib.exercises.pixels import NEGATIVE_CASES

RIGHT = ((24, 36), 864, (480, 640, 3), 921_600)


# ----------------------------------------------------------------------------
# 1. shapes and counts
# ----------------------------------------------------------------------------
def test_right_sizes_pass_in_any_sequence_type():
    assert check_image_sizes(*RIGHT)
    assert check_image_sizes([24, 36], 864.0, np.array([480, 640, 3]), np.int64(921600))


def test_placeholders_are_not_yet_without_raising():
    feedback = check_image_sizes(None, None, None, None)
    assert not feedback and "placeholder" in feedback.message
    assert feedback.mistakes == ("placeholder",)
    partly = check_image_sizes((24, 36), 864, None, ...)
    assert not partly
    assert (
        "photo_shape: replace the placeholder (None or ...) with a shape (a tuple)."
        in partly.details
    )
    assert "thumbnail_shape: right" in partly.details


@pytest.mark.parametrize(
    ("answers", "part", "hint", "mistake"),
    [
        (
            ((24, 36), 864, (480, 640), 921_600),
            "photo_shape",
            "third axis of size 3",
            "colour-without-channels",
        ),
        (
            ((24, 36), 864, (3, 480, 640), 921_600),
            "photo_shape",
            "channels-first",
            "channels-first",
        ),
        (((24, 36), 864, (640, 480, 3), 921_600), "photo_shape", "swapped", "height-width-swapped"),
        (
            ((36, 24), 864, (480, 640, 3), 921_600),
            "thumbnail_shape",
            "swapped",
            "height-width-swapped",
        ),
        (
            ((24, 36, 1), 864, (480, 640, 3), 921_600),
            "thumbnail_shape",
            "just two axes",
            "grayscale-with-channel-axis",
        ),
        (
            ((24, 36, 3), 864, (480, 640, 3), 921_600),
            "thumbnail_shape",
            "one number per pixel, not three",
            "grayscale-three-channels",
        ),
        (
            ((24, 36), 864, (480, 640, 3), 307_200),
            "photo_count",
            "multiply by 3",
            "counted-pixels-not-numbers",
        ),
        (((24, 36), 60, (480, 640, 3), 921_600), "thumbnail_count", "you added", "added-sizes"),
        (((24, 36), 864, (480, 640, 3), 1123), "photo_count", "you added", "added-sizes"),
        (((24, 36), 864, (480, 640, 3), 307_203), "photo_count", "multiply by 3", "added-channels"),
        (
            ((24, 36), "many", (480, 640, 3), 921_600),
            "thumbnail_count",
            "single whole number",
            "unreadable",
        ),
        (
            ((24, 36), "864", (480, 640, 3), 921_600),
            "thumbnail_count",
            "write 864 without quotes",
            "unreadable",
        ),
        (
            ((24, 36), 864.5, (480, 640, 3), 921_600),
            "thumbnail_count",
            "single whole number",
            "unreadable",
        ),
        (
            ((24, 36), 864, "480x640", 921_600),
            "photo_shape",
            "tuple of whole numbers",
            "unreadable",
        ),
        (
            ((24, 36), 864, (480, 640, 3.5), 921_600),
            "photo_shape",
            "tuple of whole numbers",
            "unreadable",
        ),
    ],
)
def test_typical_mistakes_get_their_hint(answers, part, hint, mistake):
    feedback = check_image_sizes(*answers)
    assert not feedback
    assert feedback.message == "1 of 4 answers need another look."
    line = next(d for d in feedback.details if d.startswith(part))
    assert hint in line
    assert feedback.mistakes == (mistake,)


def test_every_wrong_answer_is_named():
    feedback = check_image_sizes((36, 24), 60, (3, 480, 640), 307_200)
    assert feedback.message == "4 of 4 answers need another look."
    assert feedback.mistakes == (
        "height-width-swapped",
        "added-sizes",
        "channels-first",
        "counted-pixels-not-numbers",
    )


# ----------------------------------------------------------------------------
# 2. the negative
# ----------------------------------------------------------------------------
def test_right_negatives_pass():
    assert check_negative(lambda im: 255 - im)
    assert check_negative(lambda im: np.uint8(255) - im)
    assert check_negative(lambda im: (255 - im.astype(int)).astype(np.uint8))
    assert check_negative(np.invert)  # bitwise NOT is 255 - x for uint8
    assert "Correct" in str(check_negative(lambda im: 255 - im))


def test_placeholder_function_is_not_yet():
    def make_negative(image):
        raise NotImplementedError

    feedback = check_negative(make_negative)
    assert not feedback and "not written yet" in feedback.message
    assert feedback.mistakes == ("not-written",)


def _feedback(fn):
    feedback = check_negative(fn)
    assert not feedback
    return feedback


def _hint(fn):
    return _feedback(fn).message


def test_256_minus_x():
    assert "overflow" not in _hint(lambda im: 256 - im.astype(int))
    assert "255, not 256" in _hint(lambda im: 256 - im.astype(int))
    # numpy 2 refuses to put 256 into a uint8 calculation at all; numpy 1 quietly
    # computes in uint16 instead, which gives 256 - x
    if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
        assert "does not fit in uint8" in _hint(lambda im: 256 - im)
        assert _feedback(lambda im: 256 - im).mistakes == ("uint8-out-of-range",)
    else:
        assert "255, not 256" in _hint(lambda im: 256 - im)
        assert (
            _feedback(lambda im: 256 - im).mistakes
            == _feedback(lambda im: 256 - im.astype(int)).mistakes
        )


def test_one_minus_x_and_wrapping():
    assert "scaled from 0 to 1" in _hint(lambda im: 1 - im.astype(int))
    assert "scaled from 0 to 1" in _hint(lambda im: np.uint8(1) - im)
    assert _feedback(lambda im: np.uint8(1) - im).mistakes == ("one-minus-x",)
    assert "wraps around" in _hint(lambda im: -im)


def test_own_maximum_and_unchanged():
    assert "image.max()" in _hint(lambda im: im.max() - im)
    assert "unchanged" in _hint(lambda im: im.copy())


def test_wrong_dtype_is_explained_on_every_case():
    feedback = _feedback(lambda im: 255.0 - im)
    assert "dtype float64" in feedback.message and "astype(np.uint8)" in feedback.message
    assert feedback.mistakes == ("not-uint8",)
    assert "the same on every case" in feedback.message


def test_in_place_change_is_caught():
    def in_place(image):
        image[...] = 255 - image
        return image

    feedback = _feedback(in_place)
    assert "changed the image it was given" in feedback.message
    assert feedback.mistakes == ("changed-input",)


def test_forgotten_return_errors_and_not_a_function():
    def no_return(image):
        255 - image  # noqa: B018

    assert "forget the `return`" in _hint(no_return)
    assert _feedback(no_return).mistakes == ("returned-none",)
    assert "raised an error" in _hint(lambda im: im.negative())
    assert "without calling it" in check_negative(np.zeros(3)).message
    assert "placeholder" in check_negative(None).message
    assert "changes every number, not the shape" in _hint(lambda im: (255 - im).ravel())


def test_a_mistake_on_some_images_only_names_those_images():
    def grayscale_only(image):
        if image.ndim == 3:
            return image.copy()
        return 255 - image

    feedback = _feedback(grayscale_only)
    assert feedback.mistakes == ("unchanged",)
    assert "Case 4 of 5" in feedback.message and "right on 4 of 5 cases" in feedback.message


def test_cases_include_colour_and_an_image_without_white():
    assert any(case.ndim == 3 for case in NEGATIVE_CASES)
    assert any(case.max() < 255 for case in NEGATIVE_CASES)
    assert all(case.dtype == np.uint8 for case in NEGATIVE_CASES)


# ----------------------------------------------------------------------------
# 3. draw an X
# ----------------------------------------------------------------------------
X = np.array(
    [
        [1, 0, 0, 0, 1],
        [0, 1, 0, 1, 0],
        [0, 0, 1, 0, 0],
        [0, 1, 0, 1, 0],
        [1, 0, 0, 0, 1],
    ]
)


def test_x_in_either_scale_passes():
    assert "0/1" in check_x_drawing(X).message
    assert "0/255" in check_x_drawing(X * 255).message
    assert check_x_drawing(X.tolist())
    assert check_x_drawing(X.astype(bool))


@pytest.mark.parametrize(
    ("drawing", "hint", "mistake"),
    [
        (None, "placeholder", "placeholder"),
        (X.ravel(), "reshape(5, 5)", "not-five-rows"),
        (X[:4], "shape (4, 5)", "wrong-shape"),
        ([[1, 0], [0, 1, 0]], "row 0 has 2 values but row 1 has 3", "unreadable"),
        ([["1", 0]], "without quotes", "unreadable"),
        (np.eye(5), "Only one diagonal", "one-diagonal"),
        (np.eye(5)[:, ::-1], "Only one diagonal", "one-diagonal"),
        (1 - X, "inverted", "inverted"),
        (np.where(np.eye(5) == 1, 255, X), "mixed 1 and 255", "mixed-ink-scales"),
        (X * 128, "Found [128.0]", "gray-values"),
    ],
)
def test_x_mistakes(drawing, hint, mistake):
    feedback = check_x_drawing(drawing)
    assert not feedback
    assert hint in feedback.message
    assert feedback.mistakes == (mistake,)


def test_x_missing_and_extra_ink_are_listed_from_0():
    no_centre = X.copy()
    no_centre[2, 2] = 0
    feedback = check_x_drawing(no_centre)
    assert not feedback and "centre (2, 2)" in feedback.message
    assert "missing ink at (row, column): (2, 2)" in feedback.details
    plus = X.copy()
    plus[0, 2] = 1
    plus[4, 1] = 1
    feedback = check_x_drawing(plus)
    assert "ink that is not part of the X at: (0, 2), (4, 1)" in feedback.details
