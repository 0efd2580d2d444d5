"""The checkers of notebook 02: right answers pass, typical mistakes get the right hint."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib import conv2d, kernels, output_size, reference
from cnnlib.exercises import (
    check_horizontal_edge_kernel,
    check_my_conv2d,
    check_output_sizes,
    show_solution,
)
from cnnlib.exercises import convolution as ex

model = ex.my_conv2d  # the registered model answer, written with loops


# ----------------------------------------------------------------------------
# exercise 1: convolution with loops
# ----------------------------------------------------------------------------
def test_cases_cover_stride_padding_rectangles_and_lopsided_kernels():
    cases = ex.conv2d_cases()
    assert any(stride > 1 for _, _, stride, _ in cases)
    assert any(padding > 0 for _, _, _, padding in cases)
    assert any(stride > 1 and padding > 0 for _, _, stride, padding in cases)
    assert any(image.shape[0] != image.shape[1] for image, _, _, _ in cases)
    for _, kernel, _, _ in cases:  # a flipped kernel must give another answer
        assert not np.array_equal(kernel, kernel[::-1, ::-1])
    assert np.array_equal(cases[0][0], ex.conv2d_cases()[0][0])  # deterministic


@pytest.mark.parametrize(
    "answer",
    [
        model,
        lambda x, k, s=1, p=0: reference.conv2d(x, k, stride=s, padding=p),
        lambda x, k, s=1, p=0: conv2d(x, k, stride=s, padding=p).tolist(),  # lists are fine
    ],
)
def test_correct_functions_pass(answer):
    feedback = check_my_conv2d(answer)
    assert feedback, str(feedback)
    assert "7 cases" in feedback.message


def flipped(x, k, s=1, p=0):
    return model(x, k[::-1, ::-1], s, p)


def no_padding(x, k, s=1, p=0):
    return model(x, k, s, 0)


def no_stride(x, k, s=1, p=0):
    return model(x, k, 1, p)


def windows_not_strided(x, k, s=1, p=0):
    full = model(x, k, 1, p)
    want = model(x, k, s, p)
    return full[: want.shape[0], : want.shape[1]]


def one_short(x, k, s=1, p=0):
    return model(x, k, s, p)[:-1, :-1]


def transposed(x, k, s=1, p=0):
    return model(x, k, s, p).T


def averaged(x, k, s=1, p=0):
    return model(x, k, s, p) / k.size


def edge_padded(x, k, s=1, p=0):
    return model(np.pad(x, p, mode="edge"), k, s, 0)


def ceil_positions(x, k, s=1, p=0):
    """Rounds the number of positions up, so the last window runs off the image."""
    x = np.pad(x, p)
    out_h = -(-(x.shape[0] - k.shape[0]) // s) + 1
    out_w = -(-(x.shape[1] - k.shape[1]) // s) + 1
    out = np.zeros((out_h, out_w))
    for y in range(out_h):
        for col in range(out_w):
            for i in range(k.shape[0]):
                for j in range(k.shape[1]):
                    out[y, col] += x[y * s + i, col * s + j] * k[i, j]
    return out


def sliced_past_the_edge(x, k, s=1, p=0):
    """Same mistake with slices: the last patch comes out too small."""
    x = np.pad(x, p)
    out_h = -(-(x.shape[0] - k.shape[0]) // s) + 1
    out_w = -(-(x.shape[1] - k.shape[1]) // s) + 1
    return np.array(
        [
            [(x[y * s : y * s + 3, c * s : c * s + 3] * k).sum() for c in range(out_w)]
            for y in range(out_h)
        ]
    )


def not_written(x, k, s=1, p=0):
    raise NotImplementedError


@pytest.mark.parametrize(
    "answer, hint",
    [
        (flipped, "flipped the kernel"),
        (no_padding, "padding was left out"),
        (no_stride, "stride was ignored"),
        (windows_not_strided, "windows are in the wrong places"),
        (one_short, "off by one"),
        (transposed, "transposed"),
        (averaged, "average"),
        (edge_padded, "copies of its border"),
        (ceil_positions, "ran past the edge"),
        (sliced_past_the_edge, "patch is smaller than the kernel"),
        (not_written, "not written yet"),
    ],
)
def test_typical_mistakes_get_their_hint(answer, hint):
    feedback = check_my_conv2d(answer)
    assert not feedback
    assert hint in str(feedback), str(feedback)


def test_first_failing_case_is_named_with_expected_and_got():
    feedback = check_my_conv2d(flipped)
    assert "Case 1 of 7: image 5x5, kernel 3x3, stride=1, padding=0" in feedback.message
    assert feedback.details[0].startswith("expected:")


def test_a_value_passed_instead_of_a_function():
    assert "Pass your function itself" in str(check_my_conv2d(np.zeros((3, 3))))


def test_the_learner_cannot_spoil_the_cases_by_changing_the_input():
    def destructive(x, k, s=1, p=0):
        out = model(x, k, s, p)
        x[:] = 0
        k[:] = 0
        return out

    assert check_my_conv2d(destructive)


# ----------------------------------------------------------------------------
# exercise 2: output sizes
# ----------------------------------------------------------------------------
def sizes(formula):
    return [formula(**c) for c in ex.OUTPUT_SIZE_CASES]


def test_the_model_answer_matches_output_size():
    right = ex.output_sizes()
    assert right == [
        output_size(c["i"], c["k"], c["s"], c["p"], c["d"]) for c in ex.OUTPUT_SIZE_CASES
    ]
    assert right == [26, 28, 28, 3, 3, 14, 5, 112]
    feedback = check_output_sizes(right)
    assert feedback
    assert feedback.details.count(next(d for d in feedback.details if "case 1" in d)) == 1
    assert check_output_sizes(np.array(right))  # numpy numbers are numbers too


@pytest.mark.parametrize(
    "formula, hint, wrong_cases",
    [
        (lambda i, k, s, p, d: (i - d * (k - 1) - 1) // s + 1, "left out the padding", [2, 6, 8]),
        (lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) // s, "forgot the + 1", range(1, 9)),
        (
            lambda i, k, s, p, d: -(-(i + 2 * p - d * (k - 1) - 1) // s) + 1,
            "rounded up",
            [5, 6, 8],
        ),
        (lambda i, k, s, p, d: (i + 2 * p - k) // s + 1, "ignored the dilation", [7]),
        (lambda i, k, s, p, d: (i + p - d * (k - 1) - 1) // s + 1, "added the padding once", [2]),
    ],
)
def test_each_typical_mistake_gets_its_hint_on_the_cases_it_changes(formula, hint, wrong_cases):
    feedback = check_output_sizes(sizes(formula))
    assert not feedback
    for number in wrong_cases:
        line = feedback.details[number - 1]
        assert line.startswith(f"case {number}:") and "\u2718" in line
        assert hint in line, line
    right = set(range(1, 9)) - set(wrong_cases)
    for number in right:
        line = feedback.details[number - 1]
        if "\u2714" not in line:  # another mistake may coincide with this one here
            assert "\u2718" in line


def test_output_size_placeholders_and_bad_shapes():
    assert "not answered yet" in str(check_output_sizes([...] * 8))
    assert "8 not answered yet" in check_output_sizes([...] * 8).message
    assert "has 3 answers" in str(check_output_sizes([1, 2, 3]))
    assert "not a number" in str(check_output_sizes(["26"] + ex.output_sizes()[1:]))
    assert "Write your 8 answers" in str(check_output_sizes(None))
    assert "must be a list" in str(check_output_sizes(26))
    assert "put the numbers into" in str(check_output_sizes([99] + ex.output_sizes()[1:]))


def test_table_lists_every_case():
    table = ex.output_size_table()
    assert table.count("\n") == len(ex.OUTPUT_SIZE_CASES) + 1
    assert "| 8 | 224 | 7 | 2 | 3 | 1 |" in table


# ----------------------------------------------------------------------------
# exercise 3: a horizontal-edge kernel
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kernel",
    [
        ex.horizontal_edge_kernel(),
        kernels.sobel_y(),
        -kernels.sobel_y(),  # bright above, dark below is a horizontal edge too
        [[1], [-1]],
        [[-1, -1, -1], [1, 1, 1]],
        kernels.oriented_edge(90),
    ],
)
def test_horizontal_edge_kernels_pass(kernel):
    feedback = check_horizontal_edge_kernel(kernel)
    assert feedback, str(feedback)
    assert "strongest response on a vertical edge" in feedback.details[1]


@pytest.mark.parametrize(
    "kernel, hint",
    [
        (None, "placeholder"),
        (..., "placeholder"),
        (np.zeros((3, 3)), "responds to nothing"),
        (np.ones((3, 3)), "weights add up to 9"),
        ([[-1, -1, -1], [0, 0, 0], [1, 1, 2]], "add up to 0"),
        (kernels.sobel_x(), "Turn it by 90 degrees"),
        (kernels.laplacian(), "also responds to vertical edges"),
        (kernels.oriented_edge(45), "also responds to vertical edges"),
        (np.ones((3, 3, 3)), "2-D grid"),
        (np.ones((11, 11)), "at most 9x9"),
        ([[1, np.nan]], "NaN"),
        ("abc", "grid of numbers"),
    ],
)
def test_wrong_kernels_get_their_hint(kernel, hint):
    feedback = check_horizontal_edge_kernel(kernel)
    assert not feedback
    assert hint in str(feedback), str(feedback)


# ----------------------------------------------------------------------------
# solutions
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, text",
    [
        ("my_conv2d", "def my_conv2d(image, kernel, stride=1, padding=0):"),
        ("output_sizes", "// s + 1"),
        ("horizontal_edge_kernel", "Sobel y"),
    ],
)
def test_solutions_are_available_on_request(name, text):
    assert text in str(show_solution(name))
