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
)

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
    assert check_parameter_count(12026.0)


def _with(**changes):
    return {**RIGHT_COUNTS, **changes}


@pytest.mark.parametrize(
    ("answer", "hint", "mistake"),
    [
        (
            _with(conv1=600),
            "conv1: 600 \u2718 you counted the weights but not the biases",
            "biases-forgotten",
        ),
        (_with(conv1=208), "covers all input channels", "input-channels-forgotten"),
        (_with(conv1=200), "two things are missing", "depth-and-biases-forgotten"),
        (_with(conv1=76), "that is one filter", "single-filter"),
        (
            _with(conv2=1152),
            "conv2: 1152 \u2718 you counted the weights but not the biases",
            "biases-forgotten",
        ),
        (_with(conv2=160), "covers all input channels", "input-channels-forgotten"),
        (
            _with(pool1=4),
            "pool1: 4 \u2718 ReLU, max pooling and Flatten have nothing to learn",
            "params-in-fixed-layer",
        ),
        (_with(relu2=1), "relu2: 1 \u2718 ReLU", "params-in-fixed-layer"),
        (
            _with(flatten=1024),
            "flatten: 1024 \u2718 ReLU, max pooling and Flatten",
            "params-in-fixed-layer",
        ),
        (_with(dense=163850), "Did you skip both poolings?", "flat-no-pooling"),
        (_with(dense=40970), "Did you halve only once?", "flat-one-pooling"),
        (_with(dense=650), "forget that there are 16 maps", "flat-maps-forgotten"),
        (_with(dense=30730), "You used the input image's size", "flat-input-size"),
        (_with(dense=5770), "with their padding they keep the size", "flat-convs-shrink"),
        (_with(dense=2570), "Two poolings halve twice", "flat-extra-pooling"),
        (_with(dense=10240), "add one bias per class", "dense-bias-forgotten"),
        (_with(dense=1034), "its own weight for every input", "dense-one-weight-per-input"),
        (_with(dense=999), "dense: 999 \u2718 a dense layer has (inputs x outputs) weights", None),
        (_with(conv1=1), "conv1: 1 \u2718 count it as (number of filters)", None),
        (11992, "not the biases", "biases-forgotten"),
        (10618, "it covers all input channels", "input-channels-forgotten"),
        (165626, "Did you skip both poolings?", "flat-no-pooling"),
        (42746, "Did you halve only once?", "flat-one-pooling"),
        (12000, "Count layer by layer", None),
    ],
)
def test_typical_counting_mistakes_get_their_hint(answer, hint, mistake):
    feedback = check_parameter_count(answer)
    assert not feedback
    assert hint in str(feedback)
    assert feedback.mistakes == ((mistake,) if mistake else ())


def test_every_wrong_layer_is_named():
    feedback = check_parameter_count(_with(conv2=1152, flatten=1024, dense=10240))
    assert feedback.message == "3 layers need another look; the others are right."
    assert [line.split(":")[0] for line in feedback.details] == ["conv2", "flatten", "dense"]
    assert feedback.mistakes == (
        "biases-forgotten",
        "params-in-fixed-layer",
        "dense-bias-forgotten",
    )


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (None, "placeholder"),
        (..., "placeholder"),
        (_with(dense=...), "dense: replace the placeholder"),
        ({"conv1": 608}, "missing: relu1, pool1"),
        ({**RIGHT_COUNTS, "conv3": 5}, "not a layer of it: 'conv3'"),
        ("12026", "write 12026 without quotes"),
        (_with(conv1="608"), "write 608 without quotes"),
        (_with(conv1=608.5), "not a count"),
        (_with(conv1=float("nan")), "NaN"),
        ([608, 0, 0, 1168, 0, 0, 0, 10250], "a list of 8 values"),
    ],
)
def test_placeholders_and_odd_answers_are_explained_not_raised(answer, hint):
    feedback = check_parameter_count(answer)
    assert not feedback and hint in str(feedback)


# ----------------------------------------------------------------------------
# 2. softmax by hand
# ----------------------------------------------------------------------------
def test_softmax_by_hand_accepts_rounded_and_exact_answers():
    exact = softmax(np.array(HAND_SCORES))
    assert check_softmax_by_hand(exact)
    assert check_softmax_by_hand([0.84, 0.11, 0.04])
    assert check_softmax_by_hand((0.844, 0.114, 0.042))
    assert not check_softmax_by_hand([0.80, 0.15, 0.05])


@pytest.mark.parametrize(
    ("answer", "hint", "mistake"),
    [
        ([2.0, 0.0, -1.0], "divided the scores by their sum", "scores-over-sum"),
        ([7.39, 1.0, 0.37], "the first step", "exp-not-normalised"),
        ([0.04, 0.11, 0.84], "wrong order", "wrong-order"),
        ([0.5, 0.4, 0.3], "your three add up to 1.2", "sum-not-one"),
        ([0.7, 0.2, 0.1], "Step by step", None),
        ([0.84], "three numbers", "wrong-shape"),
        (None, "placeholder", "placeholder"),
        ([..., ..., ...], "Replace every placeholder", "placeholder"),
        ([0.84, ..., 0.04], "Replace every placeholder", "placeholder"),
        ("abc", "three numbers", "unreadable"),
        (["0.84", "0.11", "0.04"], "without quotes", "unreadable"),
        ([0.84j, 0.11, 0.04], "complex", "unreadable"),
    ],
)
def test_softmax_by_hand_mistakes(answer, hint, mistake):
    feedback = check_softmax_by_hand(answer)
    assert not feedback and hint in str(feedback)
    assert feedback.mistakes == ((mistake,) if mistake else ())


def test_softmax_by_hand_names_each_value_that_is_off():
    feedback = check_softmax_by_hand([0.84, 0.2, 0.04])
    assert feedback.details[0] == "P(dog) = 0.2: should be about 0.114"
    feedback = check_softmax_by_hand([0.7, 0.2, 0.1])
    assert [line.split(" =")[0] for line in feedback.details] == ["P(cat)", "P(dog)", "P(bird)"]


# ----------------------------------------------------------------------------
# 3. softmax as a function
# ----------------------------------------------------------------------------
def stable(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_right_softmax_functions_pass():
    assert check_softmax(stable)
    assert check_softmax(lambda x: softmax(x, axis=-1))
    # a list instead of an array is fine too
    assert check_softmax(lambda x: stable(x).tolist())


def naive(x):
    return np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)


@pytest.mark.parametrize(
    ("fn", "hint", "mistake"),
    [
        (lambda x: np.exp(x), "divide them by their sum", "exp-not-normalised"),
        (lambda x: x / x.sum(axis=-1, keepdims=True), "Take e^score first", "scores-over-sum"),
        (
            lambda x: np.exp(x) / np.exp(x).sum(axis=0, keepdims=True),
            "not down the columns",
            "normalised-columns",
        ),
        (lambda x: np.exp(x) / np.exp(x).sum(), "not over everything", "normalised-everything"),
        (naive, "e^1000 is too large", "overflow"),
        # subtracting the smallest score instead of the largest still overflows
        (
            lambda x: stable(x) if x.max() < 100 else naive(x - x.min()),
            "e^1000 is too large",
            "overflow",
        ),
    ],
)
def test_typical_softmax_mistakes_get_their_hint(fn, hint, mistake):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker must not leak overflow warnings
        feedback = check_softmax(fn)
    assert not feedback
    assert hint in feedback.message
    assert mistake in feedback.mistakes


def test_a_softmax_right_on_small_scores_is_told_only_about_the_large_ones():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feedback = check_softmax(naive)
    assert feedback.mistakes == ("overflow",)
    assert "right on 5 of 8 cases; the same on cases 7 and 8" in feedback.message


def test_softmax_errors_and_placeholders_are_explained():
    def not_written(x):
        raise NotImplementedError

    assert "not written yet" in check_softmax(not_written).message
    assert "raised an error" in check_softmax(lambda x: x.nope).message
    assert "without calling it" in check_softmax(stable(np.zeros(3))).message
    wrong_shape = check_softmax(lambda x: stable(x).ravel()[:1])
    assert not wrong_shape and "shape" in wrong_shape.message
    assert wrong_shape.mistakes == ("wrong-shape",)


def test_every_layer_wrong_is_not_told_that_the_others_are_right():
    # with no layer right there are no "others"; the summary must not claim any
    feedback = check_parameter_count({name: 1 for name in RIGHT_COUNTS})
    assert not feedback
    assert feedback.message == "All 8 layers need another look."
    assert "others are right" not in str(feedback)
