"""Notebook 06's exercise checks: right answers pass, typical wrong answers get the hint
that names the mistake, placeholders get a friendly reminder."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib.descent import LANDSCAPES, gradient_descent
from cnnlib.exercises import (
    check_confusion_reading,
    check_learning_rate,
    check_regulariser,
    show_solution,
)
from cnnlib.exercises._check import _SOLUTIONS
from cnnlib.exercises.training import (
    LEARNING_RATE_LANDSCAPE,
    LEARNING_RATE_STEPS,
    regulariser_baseline,
)


# ----------------------------------------------------------------------------
# 1. a learning rate that converges
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("lr", [0.5, 0.7, 0.9, 0.95])
def test_learning_rates_that_arrive_pass(lr):
    feedback = check_learning_rate(lr)
    assert feedback and "reached the valley floor" in feedback.message


def test_the_check_really_runs_the_descent():
    landscape = LANDSCAPES[LEARNING_RATE_LANDSCAPE]
    path = gradient_descent(landscape.gradient, landscape.start, 0.9, steps=LEARNING_RATE_STEPS)
    feedback = check_learning_rate(0.9)
    first = np.flatnonzero(landscape.loss(path) - landscape.lowest_loss <= 0.01)[0]
    assert f"in {first} of 50 steps" in feedback.message


@pytest.mark.parametrize(
    ("lr", "words"),
    [
        (0.01, "Too small"),
        (0.1, "still 0.371 above the lowest"),
        (0.99, "Almost too large"),
        (1.2, "Too large"),
        (1.2, "diverged after 10 steps"),
        (5, "Too large"),
    ],
)
def test_learning_rates_that_fail_get_the_right_hint(lr, words):
    feedback = check_learning_rate(lr)
    assert not feedback and words in feedback.message


def test_momentum_can_rescue_a_small_learning_rate():
    assert not check_learning_rate(0.1)
    assert check_learning_rate(0.1, momentum=0.8)


@pytest.mark.parametrize(
    ("answer", "words"),
    [(..., "placeholder"), (None, "placeholder"), ("0.1", "a number"), (-0.5, "positive")],
)
def test_learning_rate_placeholders_and_nonsense(answer, words):
    feedback = check_learning_rate(answer)
    assert not feedback and words in feedback.message


def test_learning_rate_solution_passes():
    assert check_learning_rate(_SOLUTIONS["learning_rate"]())


# ----------------------------------------------------------------------------
# 2. reading a confusion matrix
# ----------------------------------------------------------------------------
def make_matrix():
    m = np.diag(np.full(10, 95))
    m[4, 9] = 3  # three 4s taken for 9s
    m[9, 4] = 1  # one 9 taken for a 4
    m[4, 1] = 2
    m[7, 9] = 6  # the most common mistake: 7 -> 9
    m[3, 9] = 1
    return m


def test_the_right_reading_passes():
    feedback = check_confusion_reading(make_matrix(), 3, (7, 9))
    assert feedback
    assert "3 of the 100 test 4s" in feedback.message and "a 7 taken for a 9" in feedback.message
    assert check_confusion_reading(make_matrix(), np.int64(3), [7, 9])


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (1, "row 9, column 4"),  # swapped
        (5, "every mistake on a 4"),  # the row's mistakes
        (10, "every digit wrongly called 9"),  # the column's mistakes
        (95, "on the diagonal"),
        (7, "Find row 4"),
        (..., "placeholder"),
        ("three", "whole number"),
    ],
)
def test_misreadings_of_the_cell_get_the_right_hint(count, words):
    feedback = check_confusion_reading(make_matrix(), count, (7, 9))
    assert not feedback and words in feedback.message


@pytest.mark.parametrize(
    ("pair", "words"),
    [
        ((9, 7), "Swapped"),
        ((5, 5), "on the diagonal"),
        ((4, 9), "holds 3; another cell"),
        ((7,), "a pair"),
        ((12, 3), "between 0 and 9"),
        (..., "placeholder"),
    ],
)
def test_misreadings_of_the_most_common_mistake(pair, words):
    feedback = check_confusion_reading(make_matrix(), 3, pair)
    assert not feedback and words in feedback.message


def test_ties_accept_either_cell_and_say_so():
    m = make_matrix()
    m[2, 3] = 6
    feedback = check_confusion_reading(m, 3, (2, 3))
    assert feedback and "tied with (7, 9)" in feedback.message
    assert check_confusion_reading(m, 3, (7, 9))


def test_confusion_solution_passes_and_a_wrong_matrix_is_refused():
    m = make_matrix()
    assert check_confusion_reading(m, *_SOLUTIONS["confusion_reading"](m))
    assert "10 x 10" in check_confusion_reading(np.zeros((3, 3)), 0, (0, 1)).message
    assert "confusion_reading" in str(show_solution("confusion_reading"))


# ----------------------------------------------------------------------------
# 3. a regulariser (each check trains the small network for about a second)
# ----------------------------------------------------------------------------
def test_the_baseline_overfits():
    base = regulariser_baseline()
    assert base["train_accuracy"] == 1.0
    assert base["train_accuracy"] - base["test_accuracy"] > 0.05


def test_random_shifts_beat_the_baseline():
    feedback = check_regulariser(max_shift=2)
    assert feedback and "gap between training and test accuracy shrank" in feedback.message
    assert check_regulariser(**_SOLUTIONS["regulariser"]())


def test_too_much_dropout_is_called_too_strong():
    feedback = check_regulariser(dropout=0.9)
    assert not feedback and "Too strong" in feedback.message and "dropout 0.9" in feedback.message


def test_weight_decay_alone_lowers_the_loss_and_the_hint_says_so():
    feedback = check_regulariser(weight_decay=0.01)
    assert not feedback and "test loss fell" in feedback.message
    assert "Weight decay alone" in feedback.message


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({}, "baseline itself"),
        ({"dropout": ...}, "placeholder"),
        ({"dropout": 1.0}, "up to (not including) 1"),
        ({"weight_decay": -0.1}, "negative"),
        ({"max_shift": 1.5}, "whole number"),
        ({"max_shift": 20}, "a digit is 28 wide"),
    ],
)
def test_regulariser_answers_that_need_no_training(kwargs, words):
    feedback = check_regulariser(**kwargs)
    assert not feedback and words in feedback.message
