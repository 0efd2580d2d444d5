"""Notebook 04's exercise checks: correct answers pass, typical wrong answers get
the hint that names the mistake, placeholders get a friendly reminder."""

import numpy as np
import pytest

from cnnlib import leaky_relu, relu
from cnnlib.exercises import show_solution
from cnnlib.exercises.activations import (
    BLOCKS,
    RELU_MAP,
    block_parameters,
    block_parameters_answer,
    check_block_parameters,
    check_my_leaky_relu,
    check_relu_by_hand,
    my_leaky_relu,
    relu_by_hand,
)

# ----------------------------------------------------------------------------
# 1. ReLU by hand
# ----------------------------------------------------------------------------


def test_relu_by_hand_accepts_the_right_map_as_list_or_array():
    assert check_relu_by_hand(relu_by_hand())
    assert check_relu_by_hand(relu(RELU_MAP))
    np.testing.assert_array_equal(relu_by_hand(), relu(RELU_MAP))


@pytest.mark.parametrize(
    "wrong, words",
    [
        (np.minimum(RELU_MAP, 0), "other way round"),
        (np.abs(RELU_MAP), "absolute value"),
        (RELU_MAP, "Nothing changed"),
        ((RELU_MAP > 0) * 1, "slope"),
        (np.zeros((4, 4)), "positive numbers must stay"),
    ],
)
def test_relu_by_hand_names_the_mix_up(wrong, words):
    feedback = check_relu_by_hand(wrong.tolist())
    assert not feedback and words in feedback.message


def test_relu_by_hand_points_at_wrong_cells():
    answer = relu(RELU_MAP)
    answer[1, 0] = -4  # a negative kept by accident
    feedback = check_relu_by_hand(answer)
    assert not feedback and "1 of the 16" in feedback.message
    assert "row 2, column 1: the map has -4, so ReLU gives 0, not -4" in feedback.details[0]


@pytest.mark.parametrize("answer", [..., None])
def test_relu_by_hand_placeholder(answer):
    feedback = check_relu_by_hand(answer)
    assert not feedback and "placeholder" in feedback.message


def test_relu_by_hand_wrong_shape_and_type():
    assert "shape (3, 3)" in check_relu_by_hand(np.zeros((3, 3))).message
    assert "4 rows of 4 numbers" in check_relu_by_hand([[1, 2], [3]]).message


# ----------------------------------------------------------------------------
# 2. parameters of conv -> ReLU -> pool
# ----------------------------------------------------------------------------


def test_block_parameters_by_hand():
    assert block_parameters(3, 16, 3) == 16 * 3 * 9 + 16 == 448
    assert block_parameters(16, 32, 5) == 32 * 16 * 25 + 32 == 12_832
    assert block_parameters_answer() == (448, 12_832)


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
    "first, words",
    [
        (432, "forgot the biases"),
        (160, "for every input channel"),
        (144, "for every input channel"),
        (464, "ReLU and max pooling have no parameters"),
        (452, "ReLU and max pooling have no parameters"),
        (512, "ReLU and max pooling have no parameters"),
        (435, "not per input channel"),
        (864, "not one per weight"),
        (304, "not 2 * k"),
        (28, "single filter"),
        (999, "weights = filters x input channels x k x k"),
    ],
)
def test_block_parameters_hints(first, words):
    feedback = check_block_parameters(first, 12_832)
    assert not feedback
    assert feedback.message == "1 of 2 right."
    assert words in feedback.details[0] and "\u2714" in feedback.details[1]


def test_block_parameters_second_block_hints_use_its_own_numbers():
    feedback = check_block_parameters(448, 32 * 16 * 25)
    assert "forgot the biases" in feedback.details[1]
    feedback = check_block_parameters(448, 32 * 25 + 32)
    assert "every input channel" in feedback.details[1]


def test_block_parameters_placeholders_and_text():
    feedback = check_block_parameters(..., ...)
    assert not feedback and feedback.message == "0 of 2 right."
    assert feedback.details == ["block 1: not answered yet", "block 2: not answered yet"]
    assert "not a number" in check_block_parameters("448", 1).details[0]
    assert "not a number" in check_block_parameters(True, 1).details[0]


# ----------------------------------------------------------------------------
# 3. leaky ReLU
# ----------------------------------------------------------------------------


def test_leaky_relu_solution_and_alternatives_pass():
    assert check_my_leaky_relu(my_leaky_relu)
    assert check_my_leaky_relu(lambda x, a: np.maximum(x, a * x))  # for slopes below 1
    assert check_my_leaky_relu(leaky_relu)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, a: np.where(x > 0, a * x, x), "wrong side"),
        (lambda x, a: np.maximum(x, 0), "plain ReLU"),
        (lambda x, a: np.where(x > 0, x, a), "not the slope itself"),
        (lambda x, a: a * x, "Every number was multiplied"),
        (lambda x, a: np.where(x > 0, x, -a * x), "sign is flipped"),
        (lambda x, a=0.01: np.where(x > 0, x, 0.01 * x), "not a fixed 0.01"),
    ],
)
def test_leaky_relu_hints(wrong, words):
    feedback = check_my_leaky_relu(wrong)
    assert not feedback and words in feedback.message


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


@pytest.mark.parametrize("name", ["relu_by_hand", "block_parameters", "my_leaky_relu"])
def test_solutions_are_available_on_request(name):
    text = str(show_solution(name))
    assert "def " in text
