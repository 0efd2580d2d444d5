"""The checkers of notebook 02: right answers pass, typical mistakes get the right hint."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib import conv2d, kernels, output_size, reference
from cnnlib.exercises import (
    check_horizontal_edge_kernel,
    check_my_conv2d,
    check_output_sizes,
)
from cnnlib.exercises import convolution as ex

RIGHT_SIZES = [26, 28, 28, 3, 3, 14, 5, 112]


def model(x, k, s=1, p=0):
    """A right answer written independently of the model answers: the loop reference."""
    return reference.conv2d(x, k, stride=s, padding=p)


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


def ignores_both(x, k, s=1, p=0):
    return model(x, k, 1, 0)


def one_side_padded(x, k, s=1, p=0):
    return model(np.pad(x, ((p, 0), (p, 0))), k, s, 0)


def rows_read_as_columns(x, k, s=1, p=0):
    return model(x, k.T, s, p)  # the kernel read as kernel[col, row]


def past_edge_without_error(x, k, s=1, p=0):
    """Rounds the positions up and pads the far side so no index fails: only the shape tells."""
    out = model(np.pad(x, ((0, s), (0, s))), k, s, p)
    want = model(x, k, s, p)
    rows = -(-(x.shape[0] + 2 * p - k.shape[0]) // s) + 1
    cols = -(-(x.shape[1] + 2 * p - k.shape[1]) // s) + 1
    return out[:rows, :cols] if (rows, cols) != want.shape else out[: rows + 1, : cols + 1]


@pytest.mark.parametrize(
    "answer, hint, mistake",
    [
        (flipped, "flipped the kernel", "kernel-flipped"),
        (no_padding, "padding was left out", "padding-ignored"),
        (no_stride, "stride was ignored", "stride-ignored"),
        (windows_not_strided, "windows are in the wrong places", "windows-not-strided"),
        (one_short, "off by one", "off-by-one"),
        (transposed, "transposed", "transposed"),
        (rows_read_as_columns, "read as [col, row]", "rows-columns-swapped"),
        (averaged, "average", "averaged-not-summed"),
        (one_side_padded, "top and left only", "padded-one-side"),
        (edge_padded, "copies of its border", "padded-with-edges"),
        (ceil_positions, "ran past the edge", "window-past-edge"),
        (sliced_past_the_edge, "patch came out smaller than the kernel", "window-past-edge"),
        (past_edge_without_error, "ran past the edge", "window-past-edge"),
        (not_written, "not written yet", "not-written"),
    ],
)
def test_typical_mistakes_get_their_hint(answer, hint, mistake):
    feedback = check_my_conv2d(answer)
    assert not feedback
    assert hint in str(feedback), str(feedback)
    assert mistake in feedback.mistakes, feedback.mistakes


def test_first_failing_case_is_named_with_expected_and_got():
    feedback = check_my_conv2d(flipped)
    assert "Case 1 of 7: image 5x5, kernel 3x3, stride=1, padding=0" in feedback.message
    assert "the same on every case" in feedback.message
    assert feedback.details[0].startswith("expected:")


def test_every_mistake_is_named_with_the_cases_it_shows_in():
    feedback = check_my_conv2d(ignores_both)
    assert not feedback
    assert feedback.mistakes == ("padding-ignored", "stride-ignored", "stride-and-padding-ignored")
    assert "right on 1 of 7 cases" in feedback.message
    assert "(cases 2 and 7)" in feedback.message  # padding only
    assert "(case 3)" in feedback.message  # stride only
    assert "(cases 4, 5 and 6)" in feedback.message  # both
    assert "First case that is off: case 2 of 7" in feedback.message


def test_unrecognised_values_are_located_from_0():
    def one_value_off(x, k, s=1, p=0):
        out = model(x, k, s, p)
        out[0, 1] += 1
        return out

    feedback = check_my_conv2d(one_value_off)
    assert feedback.mistakes == ()
    assert "some values differ" in feedback.message
    assert "wrong at (0, 1) (positions counted from 0)" in feedback.details


def test_a_value_passed_instead_of_a_function():
    feedback = check_my_conv2d(np.zeros((3, 3)))
    assert "Pass your function itself" in str(feedback)
    assert feedback.mistakes == ("not-callable",)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda im, k, s=1, p=0: [[0.0] * 3, [0.0] * 2], "row 0 has 3 values but row 1 has 2"),
        (lambda im, k, s=1, p=0: "feature map", "it is text"),
        (lambda im, k, s=1, p=0: (v for v in im), "generator"),
        (lambda im, k, s=1, p=0: model(im, k, s, p) * 1j, "complex"),
        (lambda im, k, s=1, p=0: {"map": model(im, k, s, p)}, "a dict"),
    ],
)
def test_answers_that_are_not_numbers_are_explained(answer, words):
    feedback = check_my_conv2d(answer)
    assert not feedback and words in feedback.message
    assert feedback.mistakes == ("unreadable",)


def test_nan_in_the_result_is_named():
    feedback = check_my_conv2d(lambda im, k, s=1, p=0: np.full_like(model(im, k, s, p), np.nan))
    assert feedback.mistakes == ("not-finite",)


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


def test_the_right_sizes_match_output_size_and_pass():
    right = [output_size(c["i"], c["k"], c["s"], c["p"], c["d"]) for c in ex.OUTPUT_SIZE_CASES]
    assert right == RIGHT_SIZES
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
    assert feedback.mistakes
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
    assert "write 26 without quotes" in str(check_output_sizes(["26"] + RIGHT_SIZES[1:]))
    assert "complex number" in str(check_output_sizes([26j] + RIGHT_SIZES[1:]))
    assert "NaN" in str(check_output_sizes([float("nan")] + RIGHT_SIZES[1:]))
    assert "with a list of your 8 answers" in str(check_output_sizes(None))
    assert "must be a list" in str(check_output_sizes(26))
    assert "must be a list" in str(check_output_sizes("26, 28"))
    assert "put the numbers into" in str(check_output_sizes([99] + RIGHT_SIZES[1:]))


def test_every_wrong_case_is_named_and_a_number_two_slips_give_names_both():
    answers = list(RIGHT_SIZES)
    answers[1] = 26  # case 2: padding left out
    answers[3] = 5  # case 4 (i=7, k=3, s=2): stride left out
    answers[5] = 13  # case 6 (i=28, k=5, s=2, p=2): the + 1 forgotten, or the padding added once
    feedback = check_output_sizes(answers)
    assert feedback.message == "5 of 8 right."
    assert "case 2: 26 \u2718 you left out the padding" in feedback.details[1]
    assert "you left out the stride" in feedback.details[3]
    assert (
        "forgot the + 1" in feedback.details[5]
        and "; or you added the padding once" in feedback.details[5]
    )
    assert feedback.mistakes == (
        "padding-left-out",
        "stride-left-out",
        "forgot-plus-one",
        "padding-once",
    )


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
    "kernel, hint, mistakes",
    [
        (None, "placeholder", ("placeholder",)),
        (..., "placeholder", ("placeholder",)),
        (np.zeros((3, 3)), "responds to nothing", ("all-zero",)),
        (np.ones((3, 3)), "weights add up to 9", ("flat-not-zero", "no-horizontal-response")),
        ([[-1, -1, -1], [0, 0, 0], [1, 1, 2]], "add up to 0", ("flat-not-zero",)),
        (kernels.sobel_x(), "Turn it by 90 degrees", ("compares-columns",)),
        (kernels.sobel_x() + 1, "Turn it by 90 degrees", ("flat-not-zero", "compares-columns")),
        (kernels.laplacian(), "also responds to vertical edges", ("responds-to-vertical",)),
        (kernels.oriented_edge(45), "also responds to vertical edges", ("responds-to-vertical",)),
        (np.ones((3, 3, 3)), "2-D grid", ("wrong-shape",)),
        (np.ones((11, 11)), "at most 9x9", ("wrong-shape",)),
        ([[1, np.nan]], "NaN", ("not-finite",)),
        ([[1, 1e308], [-1, -1e308]], "ordinary numbers", ("not-finite",)),
        ("abc", "grid of numbers", ("unreadable",)),
        ([[1, -1], [1]], "row 0 has 2 values but row 1 has 1", ("unreadable",)),
    ],
)
def test_wrong_kernels_get_their_hint(kernel, hint, mistakes):
    feedback = check_horizontal_edge_kernel(kernel)
    assert not feedback
    assert hint in str(feedback), str(feedback)
    assert feedback.mistakes == mistakes
