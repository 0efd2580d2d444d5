"""Notebook 06's exercise checks: right answers pass, typical wrong answers get the hint
that names the mistake, placeholders get a friendly reminder."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cnnlib.descent import LANDSCAPES, gradient_descent
from cnnlib.exercises import check_learning_rate, check_regulariser
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
    ("lr", "words", "mistake"),
    [
        (0.01, "Too small", "lr-too-small"),
        (0.1, "still 0.371 above the lowest", "lr-too-small"),
        (0.99, "Almost too large", "lr-bouncing"),
        (1.2, "Too large", "lr-diverged"),
        (1.2, "diverged after 10 steps", "lr-diverged"),
        (5, "Too large", "lr-diverged"),
        (1e308, "Too large", "lr-diverged"),
        (1e-300, "Too small", "lr-too-small"),
    ],
)
def test_learning_rates_that_fail_get_the_right_hint(lr, words, mistake):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning leaks out of the check
        feedback = check_learning_rate(lr)
    assert not feedback and words in feedback.message
    assert feedback.mistakes == (mistake,)


def test_momentum_can_rescue_a_small_learning_rate():
    assert not check_learning_rate(0.1)
    assert check_learning_rate(0.1, momentum=0.8)


@pytest.mark.parametrize(
    ("answer", "words", "mistake"),
    [
        (..., "placeholder", "placeholder"),
        (None, "placeholder", "placeholder"),
        ("0.1", "write 0.1 without quotes", "unreadable"),
        (1j, "complex number", "unreadable"),
        (float("nan"), "NaN", "unreadable"),
        (float("inf"), "infinite", "unreadable"),
        ([0.1], "a list of 1 values", "unreadable"),
        (True, "truth value", "unreadable"),
        (-0.5, "must be positive", "lr-not-positive"),
        (0, "0 stands still", "lr-not-positive"),
    ],
)
def test_learning_rate_placeholders_and_nonsense(answer, words, mistake):
    feedback = check_learning_rate(answer)
    assert not feedback and words in feedback.message
    assert feedback.mistakes == (mistake,)


@pytest.mark.parametrize("momentum", [1.0, -0.1, 1j, float("nan"), "0.9"])
def test_learning_rate_refuses_odd_momentum(momentum):
    feedback = check_learning_rate(0.5, momentum=momentum)
    assert not feedback and "momentum must be a number from 0" in feedback.message


# ----------------------------------------------------------------------------
# 2. a regulariser (each check trains the small network for about a second)
# ----------------------------------------------------------------------------
def test_the_baseline_overfits():
    base = regulariser_baseline()
    assert base["train_accuracy"] == 1.0
    assert base["train_accuracy"] - base["validation_accuracy"] > 0.05


def test_random_shifts_beat_the_baseline_on_validation_digits():
    feedback = check_regulariser(max_shift=2)
    assert feedback and "gap between training and validation accuracy shrank" in feedback.message
    assert "Validation accuracy" in feedback.message and "test" not in feedback.message


def test_too_much_dropout_is_called_too_strong():
    feedback = check_regulariser(dropout=0.9)
    assert not feedback and "Too strong" in feedback.message and "dropout 0.9" in feedback.message
    assert feedback.mistakes == ("too-strong",)


def test_weight_decay_alone_lowers_the_loss_and_the_hint_says_so():
    feedback = check_regulariser(weight_decay=0.01)
    assert not feedback and "validation loss fell" in feedback.message
    assert "Weight decay alone" in feedback.message
    assert feedback.mistakes == ("loss-not-accuracy",)


def test_a_weight_decay_too_weak_to_matter_is_not_enough():
    # 1e-4 changes the validation accuracy and loss by less than 0.5 points / 0.01 here,
    # far from the 1.5-point and 10 % thresholds, whatever the BLAS kernel
    feedback = check_regulariser(weight_decay=0.0001)
    assert not feedback and feedback.mistakes == ("not-enough-gain",)
    assert "random shifts" in feedback.message


@pytest.mark.parametrize(
    ("kwargs", "words", "mistake"),
    [
        ({}, "baseline itself", "baseline-itself"),
        ({"dropout": ...}, "placeholder", "placeholder"),
        ({"dropout": 1.0}, "up to (not including) 1", "setting-out-of-range"),
        ({"weight_decay": -0.1}, "negative", "setting-out-of-range"),
        ({"weight_decay": 1e308}, "erase the weights", "setting-out-of-range"),
        ({"max_shift": 1.5}, "whole number", "unreadable"),
        ({"max_shift": 20}, "a digit is 28 wide", "setting-out-of-range"),
        ({"max_shift": float("nan")}, "NaN", "unreadable"),
        ({"weight_decay": float("nan")}, "NaN", "unreadable"),
        ({"dropout": float("inf")}, "infinite", "unreadable"),
        ({"weight_decay": 1j}, "complex", "unreadable"),
        ({"dropout": "0.5"}, "without quotes", "unreadable"),
        ({"max_shift": [1, 2]}, "a list of 2 values", "unreadable"),
    ],
)
def test_regulariser_answers_that_need_no_training(kwargs, words, mistake):
    feedback = check_regulariser(**kwargs)
    assert not feedback and words in feedback.message
    assert feedback.mistakes == (mistake,)


def test_every_setting_out_of_range_is_named():
    feedback = check_regulariser(weight_decay=-1, dropout=2, max_shift=30)
    assert [line.split("=")[0] for line in feedback.message.splitlines()[1:]] == [
        "weight_decay",
        "dropout",
        "max_shift",
    ]
