"""Notebook 03 exercises: the checkers accept right answers and explain typical wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib import avg_pool2d, max_pool2d
from cnnlib.exercises import check_my_max_pool, check_pooled_shapes
from cnnlib.exercises.pooling import POOLED_SHAPE_CASES, max_pool_cases, pooled_shape_table

RIGHT_SHAPES = [(8, 14, 14), (8, 13, 13), (8, 13, 13), (16, 2, 2)]


# ----------------------------------------------------------------------------
# 1. pooled shapes
# ----------------------------------------------------------------------------
def test_right_shapes_pass_and_match_max_pool2d():
    for case, shape in zip(POOLED_SHAPE_CASES, RIGHT_SHAPES):
        x = np.zeros(case["shape"])
        assert max_pool2d(x, case["window"], case["stride"]).shape == shape
    feedback = check_pooled_shapes(RIGHT_SHAPES)
    assert feedback
    assert feedback.message == "All 4 shapes are right."
    assert check_pooled_shapes([list(s) for s in RIGHT_SHAPES])  # lists are fine too


def test_table_lists_every_case():
    table = pooled_shape_table()
    assert "| 3 | (8, 28, 28) | `max_pool2d(x, 3, stride=2)` |" in table
    assert len(table.splitlines()) == 2 + len(POOLED_SHAPE_CASES)


def feedback_for(case_number, shape):
    answers = list(RIGHT_SHAPES)
    answers[case_number - 1] = shape
    feedback = check_pooled_shapes(answers)
    assert not feedback
    assert feedback.message == "3 of 4 right."
    line = feedback.details[case_number - 1]
    assert line.startswith(f"case {case_number}: ") and "\u2718" in line
    return feedback


def hint_for(case_number, shape):
    return feedback_for(case_number, shape).details[case_number - 1]


@pytest.mark.parametrize(
    ("case_number", "shape", "hint", "mistakes"),
    [
        (1, (8, 27, 27), "stride = window", ("stride-one-by-default",)),  # stride taken as 1
        (4, (16, 5, 5), "stride = window", ("stride-one-by-default",)),
        (3, (8, 26, 26), "without the stride", ("stride-left-out",)),  # (28 - 3) + 1
        (
            2,
            (8, 13.5, 13.5),
            "round (i - window) / stride down",
            ("no-floor", "divided-size-by-stride"),
        ),
        (2, (8, 14, 14), "one too many", ("rounded-up", "divided-size-by-stride")),
        (3, (8, 14, 14), "one too many", ("rounded-up", "divided-size-by-stride")),
        (3, (8, 12, 12), "forgot the + 1", ("forgot-plus-one",)),
        (
            1,
            (4, 14, 14),
            "the number of maps stays the same (the first number): 8",
            ("maps-changed",),
        ),
        (1, (14, 14), "give all three numbers", ("not-three-numbers",)),
        (1, "14x14", "tuple of three numbers", ("unreadable",)),
        (1, (8, 14j, 14), "tuple of three numbers", ("unreadable",)),
        (4, (16, 3, 2), "one too many", ("rounded-up", "divided-size-by-stride")),  # height only
    ],
)
def test_typical_shape_mistakes_get_their_hint(case_number, shape, hint, mistakes):
    feedback = feedback_for(case_number, shape)
    assert hint in feedback.details[case_number - 1]
    assert feedback.mistakes == mistakes


def test_two_slips_in_one_shape_are_both_named():
    line = hint_for(1, (4, 27, 27))
    assert "number of maps stays the same" in line and "stride = window" in line


def test_unrecognised_answer_gets_the_formula():
    assert "floor((i - window) / stride) + 1" in hint_for(2, (8, 11, 11))


def test_placeholders_and_bad_lists():
    assert "with a list of your 4 shapes" in check_pooled_shapes(...).message
    partial = check_pooled_shapes([(8, 14, 14), ..., ..., ...])
    assert not partial
    assert partial.message == "1 of 4 right, 3 not answered yet."
    assert "has 2" in check_pooled_shapes([(8, 14, 14), (8, 13, 13)]).message
    assert "must be a list" in check_pooled_shapes(5).message
    assert "must be a list" in check_pooled_shapes("(8, 14, 14)").message


# ----------------------------------------------------------------------------
# 2. max pooling with loops
# ----------------------------------------------------------------------------
def my_max_pool_right(x, size=2, stride=2):
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    return np.array(
        [
            [
                x[i * stride : i * stride + size, j * stride : j * stride + size].max()
                for j in range(out_w)
            ]
            for i in range(out_h)
        ]
    )


def test_a_correct_function_passes():
    feedback = check_my_max_pool(my_max_pool_right)
    assert feedback, str(feedback)
    assert "all 7 cases" in feedback.message


def test_cases_cover_stride_and_odd_sizes():
    cases = max_pool_cases()
    assert any(size != stride for _, size, stride in cases)
    assert any(stride < size for _, size, stride in cases)
    assert any(stride > size for _, size, stride in cases)
    assert any(x.shape[0] % 2 for x, _, _ in cases)
    assert any((x < 0).all() for x, _, _ in cases)
    assert any(x.shape[0] != x.shape[1] for x, _, _ in cases)


def average(x, size=2, stride=2):
    return avg_pool2d(x, size, stride)


def minimum(x, size=2, stride=2):
    return -max_pool2d(-x, size, stride)


def stride_ignored(x, size=2, stride=2):
    out_h = x.shape[0] - size + 1
    out_w = x.shape[1] - size + 1
    return np.array(
        [[x[i : i + size, j : j + size].max() for j in range(out_w)] for i in range(out_h)]
    )


def stride_in_size_only(x, size=2, stride=2):
    """The right number of outputs, but window (i, j) starts at (i, j)."""
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    return np.array(
        [[x[i : i + size, j : j + size].max() for j in range(out_w)] for i in range(out_h)]
    )


def partial_windows(x, size=2, stride=2):
    rows, cols = range(0, x.shape[0], stride), range(0, x.shape[1], stride)
    return np.array([[x[r : r + size, c : c + size].max() for c in cols] for r in rows])


def off_by_one(x, size=2, stride=2):
    return my_max_pool_right(x, size, stride)[:-1, :-1]


def transposed(x, size=2, stride=2):
    return my_max_pool_right(x, size, stride).T


def starts_at_zero(x, size=2, stride=2):
    out_h = (x.shape[0] - size) // stride + 1
    out_w = (x.shape[1] - size) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            best = 0
            for a in range(size):
                for b in range(size):
                    best = max(best, x[i * stride + a, j * stride + b])
            out[i, j] = best
    return out


def not_written(x, size=2, stride=2):
    raise NotImplementedError


def runs_off_the_edge(x, size=2, stride=2):
    out_h = x.shape[0] // stride
    out_w = x.shape[1] // stride
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = max(
                x[i * stride + a, j * stride + b] for a in range(size) for b in range(size)
            )
    return out


def stride_is_window(x, size=2, stride=2):
    return my_max_pool_right(x, size, size)


def stride_is_window_and_min(x, size=2, stride=2):
    """Two slips at once: the values match no single mistake, the shape tells the stride one."""
    return -my_max_pool_right(-x, size, size)


@pytest.mark.parametrize(
    ("wrong", "hint", "mistake"),
    [
        (average, "averages of the windows", "average-pooling"),
        (minimum, "smallest values", "minimum"),
        (stride_ignored, "the stride was ignored", "stride-ignored"),
        (stride_is_window, "as if the stride were always the window size", "stride-equals-window"),
        (
            stride_is_window_and_min,
            "as if the stride were always the window size",
            "stride-equals-window",
        ),
        (stride_in_size_only, "windows are in the wrong places", "windows-not-strided"),
        (partial_windows, "hang over the edge", "partial-windows"),
        (off_by_one, "off by one", "off-by-one"),
        (transposed, "transposed", "transposed"),
        (starts_at_zero, "start at 0", "max-starts-at-zero"),
        (not_written, "not written yet", "not-written"),
        (runs_off_the_edge, "ran past the edge", "window-past-edge"),
    ],
)
def test_typical_pooling_mistakes_get_their_hint(wrong, hint, mistake):
    feedback = check_my_max_pool(wrong)
    assert not feedback
    assert hint in str(feedback)
    assert mistake in feedback.mistakes, feedback.mistakes


def test_stride_taken_as_window_names_the_cases_where_they_differ():
    feedback = check_my_max_pool(stride_is_window)
    assert feedback.mistakes == ("stride-equals-window",)
    assert "Case 3 of 7: x 5x5, size=3, stride=1" in feedback.message
    assert "right on 3 of 7 cases; the same on cases 4, 5 and 7" in feedback.message


def test_the_failing_case_is_named_and_printed():
    feedback = check_my_max_pool(average)
    assert "Case 1 of 7: x 4x4, size=2, stride=2" in feedback.message
    assert feedback.details[0].startswith("expected:")


def test_passing_a_call_instead_of_the_function():
    feedback = check_my_max_pool(np.zeros((2, 2)))
    assert not feedback and "without calling it" in feedback.message
