"""Notebook 01 exercises: the checkers accept right answers and explain typical wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib.exercises import check_image_sizes, check_negative, check_x_drawing, show_solution
from cnnlib.exercises._check import _SOLUTIONS
from cnnlib.exercises.pixels import NEGATIVE_CASES

RIGHT = ((24, 36), 864, (480, 640, 3), 921_600)


# ----------------------------------------------------------------------------
# 1. shapes and counts
# ----------------------------------------------------------------------------
def test_right_sizes_pass_in_any_sequence_type():
    assert check_image_sizes(*RIGHT)
    assert check_image_sizes([24, 36], 864.0, np.array([480, 640, 3]), np.int64(921600))
    assert _SOLUTIONS["image_sizes"]() == RIGHT


def test_placeholders_are_not_yet_without_raising():
    feedback = check_image_sizes(None, None, None, None)
    assert not feedback and "placeholder" in feedback.message
    partly = check_image_sizes((24, 36), 864, None, ...)
    assert not partly
    assert "photo_shape: still a placeholder" in partly.details
    assert "thumbnail_shape: right" in partly.details


@pytest.mark.parametrize(
    ("answers", "part", "hint"),
    [
        (((24, 36), 864, (480, 640), 921_600), "photo_shape", "third axis of size 3"),
        (((24, 36), 864, (3, 480, 640), 921_600), "photo_shape", "channels-first"),
        (((24, 36), 864, (640, 480, 3), 921_600), "photo_shape", "swapped"),
        (((36, 24), 864, (480, 640, 3), 921_600), "thumbnail_shape", "swapped"),
        (((24, 36, 1), 864, (480, 640, 3), 921_600), "thumbnail_shape", "just two axes"),
        (((24, 36), 864, (480, 640, 3), 307_200), "photo_count", "multiply by 3"),
        (((24, 36), 60, (480, 640, 3), 921_600), "thumbnail_count", "you added"),
        (((24, 36), 864, (480, 640, 3), 1123), "photo_count", "you added"),
        (((24, 36), 864, (480, 640, 3), 307_203), "photo_count", "multiply by 3"),
        (((24, 36), "many", (480, 640, 3), 921_600), "thumbnail_count", "single whole number"),
        (((24, 36), 864, "480x640", 921_600), "photo_shape", "tuple of whole numbers"),
    ],
)
def test_typical_mistakes_get_their_hint(answers, part, hint):
    feedback = check_image_sizes(*answers)
    assert not feedback
    assert feedback.message == "1 of 4 answers need another look."
    line = next(d for d in feedback.details if d.startswith(part))
    assert hint in line


# ----------------------------------------------------------------------------
# 2. the negative
# ----------------------------------------------------------------------------
def test_model_answer_and_equivalents_pass():
    assert check_negative(_SOLUTIONS["negative"])
    assert check_negative(lambda im: np.uint8(255) - im)
    assert check_negative(lambda im: (255 - im.astype(int)).astype(np.uint8))
    assert check_negative(np.invert)  # bitwise NOT is 255 - x for uint8
    assert "Correct" in str(check_negative(lambda im: 255 - im))


def test_placeholder_function_is_not_yet():
    def make_negative(image):
        raise NotImplementedError

    feedback = check_negative(make_negative)
    assert not feedback and "not written yet" in feedback.message


def _hint(fn):
    feedback = check_negative(fn)
    assert not feedback
    return feedback.message


def test_256_minus_x():
    assert "overflow" not in _hint(lambda im: 256 - im.astype(int))
    assert "255, not 256" in _hint(lambda im: 256 - im.astype(int))
    # numpy 2 refuses to put 256 into a uint8 calculation at all
    assert "does not fit in uint8" in _hint(lambda im: 256 - im)


def test_one_minus_x_and_wrapping():
    assert "scaled from 0 to 1" in _hint(lambda im: 1 - im.astype(int))
    assert "scaled from 0 to 1" in _hint(lambda im: np.uint8(1) - im)
    assert "wraps around" in _hint(lambda im: -im)


def test_own_maximum_and_unchanged():
    assert "image.max()" in _hint(lambda im: im.max() - im)
    assert "unchanged" in _hint(lambda im: im.copy())


def test_wrong_dtype_is_explained():
    message = _hint(lambda im: 255.0 - im)
    assert "dtype float64" in message and "astype(np.uint8)" in message


def test_in_place_change_is_caught():
    def in_place(image):
        image[...] = 255 - image
        return image

    assert "changed the image it was given" in _hint(in_place)


def test_forgotten_return_errors_and_not_a_function():
    def no_return(image):
        255 - image  # noqa: B018

    assert "forget the `return`" in _hint(no_return)
    assert "raised an error" in _hint(lambda im: im.negative())
    assert "without calling it" in check_negative(None).message
    assert "shape" in _hint(lambda im: (255 - im).ravel())


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
    assert check_x_drawing(_SOLUTIONS["draw_x"]())


@pytest.mark.parametrize(
    ("drawing", "hint"),
    [
        (None, "placeholder"),
        (X.ravel(), "reshape(5, 5)"),
        (X[:4], "shape (4, 5)"),
        ([[1, 0], [0, 1, 0]], "could not be read"),
        (np.eye(5), "Only one diagonal"),
        (np.eye(5)[:, ::-1], "Only one diagonal"),
        (1 - X, "inverted"),
        (np.where(np.eye(5) == 1, 255, X), "mixed 1 and 255"),
        (X * 128, "found [128.0]"),
    ],
)
def test_x_mistakes(drawing, hint):
    feedback = check_x_drawing(drawing)
    assert not feedback
    assert hint in feedback.message


def test_x_missing_and_extra_ink_are_listed():
    no_centre = X.copy()
    no_centre[2, 2] = 0
    feedback = check_x_drawing(no_centre)
    assert not feedback and "centre (2, 2)" in feedback.message
    assert "missing ink at (row, column): (2, 2)" in feedback.details
    plus = X.copy()
    plus[0, 2] = 1
    feedback = check_x_drawing(plus)
    assert "ink that is not part of the X at: (0, 2)" in feedback.details


def test_show_solution_has_the_code():
    for name, snippet in [
        ("image_sizes", "480 * 640 * 3"),
        ("negative", "255 - image"),
        ("draw_x", "[1, 0, 0, 0, 1]"),
    ]:
        assert snippet in show_solution(name).source
