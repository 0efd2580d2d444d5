"""Notebook 05 exercises: the checkers accept right answers and explain typical wrong ones."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cnnlib import softmax
from cnnlib.exercises import (
    EXERCISE_NETWORK,
    HAND_SCORES,
    check_parameter_count,
    check_softmax,
    check_softmax_by_hand,
    exercise_network,
    show_solution,
)
from cnnlib.exercises._check import _SOLUTIONS

RIGHT_COUNTS = {
    "conv1": 608,
    "relu1": 0,
    "pool1": 0,
    "conv2": 1168,
    "relu2": 0,
    "pool2": 0,
    "flatten": 0,
    "dense": 10250,
}


# ----------------------------------------------------------------------------
# 1. counting parameters
# ----------------------------------------------------------------------------
def test_the_expected_counts_are_what_the_network_really_has():
    rows = exercise_network().summary((3, 32, 32)).rows
    assert [r["params"] for r in rows] == list(RIGHT_COUNTS.values())
    assert list(EXERCISE_NETWORK) == list(RIGHT_COUNTS)
    assert sum(RIGHT_COUNTS.values()) == 12026


def test_right_counts_pass_as_a_dict_or_a_total():
    feedback = check_parameter_count(RIGHT_COUNTS)
    assert feedback and "12,026" in feedback.message and "85%" in feedback.message
    assert check_parameter_count({k: float(v) for k, v in RIGHT_COUNTS.items()})
    assert check_parameter_count(np.int64(12026))
    assert check_parameter_count(_SOLUTIONS["parameter_count"]())


def _with(**changes):
    return {**RIGHT_COUNTS, **changes}


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (_with(conv1=600), "conv1: you counted the weights but not the biases"),
        (_with(conv1=208), "covers all 3 input channels"),
        (_with(conv1=200), "two things are missing"),
        (_with(conv1=76), "that is one filter"),
        (_with(conv2=1152), "conv2: you counted the weights but not the biases"),
        (_with(conv2=160), "covers all 8 input channels"),
        (_with(pool1=4), "pool1: max pooling has nothing to learn"),
        (_with(relu2=1), "relu2: ReLU has nothing to learn"),
        (_with(flatten=1024), "flatten: Flatten has nothing to learn"),
        (_with(dense=163850), "Did you skip both poolings?"),
        (_with(dense=40970), "Did you halve only once?"),
        (_with(dense=650), "forget that there are 16 maps"),
        (_with(dense=5770), "with their padding they keep the size"),
        (_with(dense=10240), "add one bias per class"),
        (_with(dense=1034), "its own weight for every input"),
        (_with(dense=999), "dense: not 999"),
        (_with(conv1=1), "conv1: not 1"),
        (11992, "biases are missing"),
        (10618, "Each filter covers all input channels"),
        (165626, "Did you skip both poolings?"),
        (42746, "Did you halve only once?"),
        (12000, "Count layer by layer"),
    ],
)
def test_typical_counting_mistakes_get_their_hint(answer, hint):
    feedback = check_parameter_count(answer)
    assert not feedback
    assert hint in feedback.message


def test_the_first_wrong_layer_is_the_one_named():
    feedback = check_parameter_count(_with(conv2=1152, dense=10240))
    assert "conv2" in feedback.message and "dense" not in feedback.message


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (None, "placeholder"),
        (..., "placeholder"),
        (_with(dense=...), "dense: replace the placeholder"),
        ({"conv1": 608}, "missing"),
        ("12026", "not str"),
        (_with(conv1="608"), "whole number"),
    ],
)
def test_placeholders_and_odd_answers_are_explained_not_raised(answer, hint):
    feedback = check_parameter_count(answer)
    assert not feedback and hint in feedback.message


# ----------------------------------------------------------------------------
# 2. softmax by hand
# ----------------------------------------------------------------------------
def test_softmax_by_hand_accepts_rounded_and_exact_answers():
    exact = softmax(np.array(HAND_SCORES))
    assert check_softmax_by_hand(exact)
    assert check_softmax_by_hand([0.84, 0.11, 0.04])
    assert check_softmax_by_hand((0.844, 0.114, 0.042))
    assert check_softmax_by_hand(_SOLUTIONS["softmax_by_hand"]())
    assert not check_softmax_by_hand([0.80, 0.15, 0.05])


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ([2.0, 0.0, -1.0], "divided the scores by their sum"),
        ([7.39, 1.0, 0.37], "the first step"),
        ([0.04, 0.11, 0.84], "wrong order"),
        ([0.5, 0.4, 0.3], "add up to 1, yours add up to 1.2"),
        ([0.7, 0.2, 0.1], "Step by step"),
        ([0.84], "three numbers"),
        (None, "placeholder"),
        ([..., ..., ...], "Replace every placeholder"),
        ([0.84, ..., 0.04], "Replace every placeholder"),
        ("abc", "three numbers"),
    ],
)
def test_softmax_by_hand_mistakes(answer, hint):
    feedback = check_softmax_by_hand(answer)
    assert not feedback and hint in feedback.message


# ----------------------------------------------------------------------------
# 3. softmax as a function
# ----------------------------------------------------------------------------
def stable(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_right_softmax_functions_pass():
    assert check_softmax(stable)
    assert check_softmax(_SOLUTIONS["softmax"])
    assert check_softmax(lambda x: softmax(x, axis=-1))
    # a list instead of an array is fine too
    assert check_softmax(lambda x: stable(x).tolist())


def naive(x):
    return np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda x: np.exp(x), "divide them by their sum"),
        (lambda x: x / x.sum(axis=-1, keepdims=True), "Take e^score first"),
        (lambda x: np.exp(x) / np.exp(x).sum(axis=0, keepdims=True), "not down the columns"),
        (lambda x: np.exp(x) / np.exp(x).sum(), "not over everything"),
        (naive, "e^1000 is too large"),
        # subtracting the smallest score instead of the largest still overflows
        (lambda x: stable(x) if x.max() < 100 else naive(x - x.min()), "e^1000 is too large"),
    ],
)
def test_typical_softmax_mistakes_get_their_hint(fn, hint):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker must not leak overflow warnings
        feedback = check_softmax(fn)
    assert not feedback
    assert hint in feedback.message


def test_softmax_errors_and_placeholders_are_explained():
    def not_written(x):
        raise NotImplementedError

    assert "not written yet" in check_softmax(not_written).message
    assert "raised an error" in check_softmax(lambda x: x.nope).message
    assert "without calling it" in check_softmax(stable(np.zeros(3))).message
    wrong_shape = check_softmax(lambda x: stable(x).ravel()[:1])
    assert not wrong_shape and "shape" in wrong_shape.message


def test_solutions_are_shown_on_request():
    for name in ("parameter_count", "softmax_by_hand", "softmax"):
        assert name in _SOLUTIONS
        assert "def " in show_solution(name).source
    assert "max(axis=-1, keepdims=True)" in show_solution("softmax").source
