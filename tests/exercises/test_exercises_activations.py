"""Notebook 04's exercise checks: correct answers pass, typical wrong answers get
the hint that names the mistake, placeholders get a friendly reminder."""

import numpy as np
import pytest

from cnnlib import leaky_relu, relu
from cnnlib.exercises.activations import (
    BLOCKS,
    RELU_MAP,
    block_parameters,
    check_block_parameters,
    check_my_leaky_relu,
    check_relu_by_hand,
)

RIGHT_MAP = [[3, 0, 0, 2], [0, 5, 0, 1], [0, 0, 6, 0], [1, 2, 0, 0]]  # worked out by hand


def my_leaky_relu(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x)


# ----------------------------------------------------------------------------
# 1. ReLU by hand
# ----------------------------------------------------------------------------


def test_relu_by_hand_accepts_the_right_map_as_list_or_array():
    assert check_relu_by_hand(RIGHT_MAP)
    assert check_relu_by_hand(relu(RELU_MAP))
    np.testing.assert_array_equal(RIGHT_MAP, relu(RELU_MAP))


@pytest.mark.parametrize(
    "wrong, words, mistakes",
    [
        (np.minimum(RELU_MAP, 0), "other way round", ("relu-reversed",)),
        (np.abs(RELU_MAP), "absolute value", ("absolute-value",)),
        (RELU_MAP, "A negative number was kept", ("negative-kept",)),
        ((RELU_MAP > 0) * 1, "slope", ("wrote-slope",)),
        (np.zeros((4, 4)), "positive numbers stay as they are", ("positive-zeroed",)),
    ],
)
def test_relu_by_hand_names_the_mix_up(wrong, words, mistakes):
    feedback = check_relu_by_hand(wrong.tolist())
    assert not feedback and words in feedback.message
    assert feedback.mistakes == mistakes


def test_relu_by_hand_points_at_every_wrong_cell_counting_from_0():
    answer = relu(RELU_MAP)
    answer[1, 0] = -4  # a negative kept by accident
    answer[0, 1] = 1  # a negative made positive
    answer[2, 2] = 0  # a positive zeroed
    answer[3, 3] = 7  # something else
    feedback = check_relu_by_hand(answer)
    assert not feedback and "4 of the 16" in feedback.message
    assert feedback.details == [
        "row 0, column 1: the map has -1, so ReLU gives 0, not 1 (took the absolute value)",
        "row 1, column 0: the map has -4, so ReLU gives 0, not -4 (negative number kept)",
        "row 2, column 2: the map has 6, so ReLU gives 6, not 0 (positive number turned to 0)",
        "row 3, column 3: the map has -2, so ReLU gives 0, not 7",
    ]
    assert feedback.mistakes == ("absolute-value", "negative-kept", "positive-zeroed")


@pytest.mark.parametrize("answer", [..., None])
def test_relu_by_hand_placeholder(answer):
    feedback = check_relu_by_hand(answer)
    assert not feedback and "placeholder" in feedback.message


def test_relu_by_hand_wrong_shape_and_type():
    assert "shape (3, 3)" in check_relu_by_hand(np.zeros((3, 3))).message
    ragged = check_relu_by_hand([[1, 2], [3]]).message
    assert "4 rows of 4 numbers" in ragged and "row 0 has 2 values but row 1 has 1" in ragged
    assert "without quotes" in check_relu_by_hand([["3", 0, 0, 2]] * 4).message


# ----------------------------------------------------------------------------
# 2. parameters of conv -> ReLU -> pool
# ----------------------------------------------------------------------------


def test_block_parameters_by_hand():
    assert block_parameters(3, 16, 3) == 16 * 3 * 9 + 16 == 448
    assert block_parameters(16, 32, 5) == 32 * 16 * 25 + 32 == 12_832


def test_block_parameters_match_a_real_convolution_layer():
    torch = pytest.importorskip("torch")
    for block in BLOCKS:
        layer = torch.nn.Conv2d(block["in_channels"], block["out_channels"], block["kernel_size"])
        pooled = torch.nn.Sequential(layer, torch.nn.ReLU(), torch.nn.MaxPool2d(block["pool"]))
        count = sum(p.numel() for p in pooled.parameters())
        assert count == block_parameters(
            block["in_channels"], block["out_channels"], block["kernel_size"]
        )


def test_block_parameters_accepts_the_right_counts():
    feedback = check_block_parameters(448, 12_832)
    assert feedback and "ReLU and pooling add nothing" in feedback.message
    assert check_block_parameters(448.0, np.int64(12_832))


@pytest.mark.parametrize(
    "first, words, mistake",
    [
        (432, "forgot the biases", "biases-forgotten"),
        (160, "for every input channel", "input-channels-forgotten"),
        (144, "for every input channel", "input-channels-forgotten"),
        (464, "ReLU and max pooling have no parameters", "params-in-relu-or-pool"),
        (452, "ReLU and max pooling have no parameters", "params-in-relu-or-pool"),
        (512, "ReLU and max pooling have no parameters", "params-in-relu-or-pool"),
        (435, "not per input channel", "bias-per-input-channel"),
        (864, "not one per weight", "bias-per-weight"),
        (304, "not 2 * k", "two-k-not-k-squared"),
        (28, "single filter", "single-filter"),
        (999, "weights = filters x input channels x k x k", None),
    ],
)
def test_block_parameters_hints(first, words, mistake):
    feedback = check_block_parameters(first, 12_832)
    assert not feedback
    assert feedback.message == "1 of 2 right."
    assert words in feedback.details[0] and "\u2714" in feedback.details[1]
    assert feedback.mistakes == ((mistake,) if mistake else ())


def test_block_parameters_second_block_hints_use_its_own_numbers():
    feedback = check_block_parameters(448, 32 * 16 * 25 + 32 * 16)
    assert "not one per filter and channel" in feedback.details[1]
    assert feedback.mistakes == ("bias-per-filter-and-channel",)
    feedback = check_block_parameters(448, 32 * 16 * 25)
    assert "forgot the biases" in feedback.details[1]
    feedback = check_block_parameters(448, 32 * 25 + 32)
    assert "every input channel" in feedback.details[1]


def test_block_parameters_placeholders_and_text():
    feedback = check_block_parameters(..., ...)
    assert not feedback and feedback.message == "0 of 2 right."
    assert feedback.details == [
        "block 1: replace the placeholder (None or ...) with a whole number.",
        "block 2: replace the placeholder (None or ...) with a whole number.",
    ]
    assert "write 448 without quotes" in check_block_parameters("448", 1).details[0]
    assert "truth value" in check_block_parameters(True, 1).details[0]
    assert "not a whole number" in check_block_parameters(448.5, 1).details[0]
    assert "far too large" in check_block_parameters(10**400, 1).details[0]


# ----------------------------------------------------------------------------
# 3. leaky ReLU
# ----------------------------------------------------------------------------


def test_leaky_relu_right_answers_pass():
    assert check_my_leaky_relu(my_leaky_relu)
    assert check_my_leaky_relu(lambda x, a: np.maximum(x, a * x))  # for slopes below 1
    assert check_my_leaky_relu(leaky_relu)


@pytest.mark.parametrize(
    "wrong, words, mistake",
    [
        (lambda x, a: np.where(x > 0, a * x, x), "wrong side", "slope-wrong-side"),
        (lambda x, a: np.maximum(x, 0), "plain ReLU", "plain-relu"),
        (lambda x, a: np.where(x > 0, x, a), "not the slope itself", "slope-not-times-x"),
        (lambda x, a: a * x, "Every number was multiplied", "slope-everywhere"),
        (lambda x, a: np.where(x > 0, x, -a * x), "sign is flipped", "sign-flipped"),
        (lambda x, a=0.01: np.where(x > 0, x, 0.01 * x), "not a fixed 0.01", "fixed-slope"),
    ],
)
def test_leaky_relu_hints(wrong, words, mistake):
    feedback = check_my_leaky_relu(wrong)
    assert not feedback and words in feedback.message
    assert feedback.mistakes == (mistake,)


def test_fixed_slope_is_named_only_on_the_cases_with_another_slope():
    feedback = check_my_leaky_relu(lambda x, a=0.01: np.where(x > 0, x, 0.01 * x))
    assert "right on 1 of 4 cases" in feedback.message


def test_leaky_relu_unwritten_and_broken_functions():
    def placeholder(x, negative_slope=0.01):
        raise NotImplementedError

    assert "not written yet" in check_my_leaky_relu(placeholder).message
    assert "raised an error" in check_my_leaky_relu(lambda x, a: x[5, 5, 5]).message
    assert "without calling it" in check_my_leaky_relu(np.zeros(3)).message


def test_leaky_relu_does_not_let_the_learner_change_the_cases():
    def in_place(x, a):
        x[x < 0] *= a
        return x

    assert check_my_leaky_relu(in_place)
    assert check_my_leaky_relu(my_leaky_relu)  # the cases were not modified
