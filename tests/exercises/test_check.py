"""The shared machinery of the checkers: reading answers, the feedback, the checker
wrapper, the session log a grader reads, and showing a model answer."""

from __future__ import annotations

import itertools
import json
import re
from fractions import Fraction

import numpy as np
import pytest

from cnnlib.exercises import (
    Feedback,
    attempts,
    check_function,
    check_image_sizes,
    check_learning_rate,
    check_my_conv2d,
    check_regulariser,
    check_value,
    clear_results,
    results,
    show_solution,
)
from cnnlib.exercises import _catalogue as cat
from cnnlib.exercises import _check as c


# ----------------------------------------------------------------------------
# reading an answer
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        (np.float32(0.5), 0.5),
        (np.int64(7), 7.0),
        (np.array(2.5), 2.5),
        (Fraction(1, 4), 0.25),
        (True, None),
        (np.bool_(True), None),
        ("3", None),
        (1j, None),
        (np.complex128(1), None),
        ([3], None),
        (np.array([3.0]), None),
        (10**400, None),
        (float("nan"), None),
        (float("inf"), None),
        (None, None),
    ],
)
def test_as_real_accepts_real_numbers_only(value, expected):
    assert c.as_real(value) == expected
    assert c.is_number(value) == (expected is not None)


def test_as_real_can_let_nan_and_infinity_through():
    assert np.isnan(c.as_real(float("nan"), finite=False))
    assert c.as_real(-np.inf, finite=False) == -np.inf


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (3.0, 3), (np.int64(3), 3), (np.float64(-2.0), -2), (3.5, None), ("3", None)],
)
def test_as_whole_number(value, expected):
    assert c.as_whole_number(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("79", "'79' is text (it is in quotes): write 79 without quotes"),
        ("seven", "'seven' is text, not a number"),
        (b"7", "write 7 without quotes"),
        (True, "True is a truth value"),
        (1j, "1j is a complex number (the j makes it one)"),
        (float("nan"), "nan is NaN (not a number)"),
        (-float("inf"), "-inf is infinite"),
        (10**400, "far too large"),
        ((7.9, 9.9), "(7.9, 9.9) is a tuple of 2 values"),
        ([1, 2, 3], "[1, 2, 3] is a list of 3 values"),
        ({"a": 1}, "it is a dict"),
        ({1, 2}, "it is a set"),
        ((x for x in range(3)), "generator"),
        (itertools.count(), "generator or iterator"),
        (len, "it is a function (len)"),
        (None, "placeholder"),
        (..., "placeholder"),
        (object(), "it is a object"),
    ],
)
def test_why_not_a_number_says_what_the_value_is(value, words):
    assert words in c.why_not_a_number(value)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("79", "it is text"),
        (["1", "2"], "it contains text ('1')"),  # numpy itself would parse these as numbers
        (np.array(["1"]), "it contains text"),
        ([[0.0] * 3, [0.0] * 2], "row 0 has 3 values but row 1 has 2"),
        ([[[1, 2], [3]], [[1, 2], [3, 4]]], "[0, 0] has 2 values but [0, 1] has 1"),
        ([1, [2, 3]], "row 0 is a single number but row 1 is a list"),
        ([1, None], "still contains a placeholder"),
        ([1, ...], "still contains a placeholder"),
        ([1j, 2], "complex"),
        ({"a": 1}, "it is a dict"),
        ({1, 2}, "it is a set"),
        ((x for x in range(3)), "generator"),
        (itertools.count(), "generator"),  # never iterated: it has no end
        (print, "it is a function"),
        (np.broadcast_to(0.0, (10**5, 10**5)), "10,000,000,000 values"),
        (range(10**12), "1,000,000,000,000 values"),
        ([1, object()], "something that is not a number"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "not made of numbers"),
        (None, "placeholder"),
    ],
)
def test_as_array_refuses_what_is_not_numbers_with_a_reason(value, words):
    array, reason = c.as_array(value)
    assert array is None
    assert words in reason, reason
    assert reason.startswith("it")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, np.array(3.0)),
        ([[1, 2], [3, 4]], np.array([[1.0, 2.0], [3.0, 4.0]])),
        ((1, 2.5), np.array([1.0, 2.5])),
        ([True, False], np.array([1.0, 0.0])),
        ([Fraction(1, 2), 1], np.array([0.5, 1.0])),
        (np.arange(3, dtype=np.uint8), np.array([0.0, 1.0, 2.0])),
        ([float("nan")], np.array([np.nan])),
    ],
)
def test_as_array_reads_numbers_as_float64(value, expected):
    array, reason = c.as_array(value)
    assert reason is None and array.dtype == np.float64
    np.testing.assert_array_equal(array, expected)


def test_same_answer_never_reads_text_as_numbers():
    # regression: np.asarray("79", dtype=float) is 79.0, so "79" used to pass for 79
    assert not c.same_answer("79", 79)
    assert not c.same_answer(["1", "2"], [1, 2])
    assert not c.same_answer([[0.0] * 3, [0.0] * 2], np.zeros((2, 3)))
    assert not c.same_answer([1, 2], [1, 2, 3])
    assert not c.same_answer([np.nan], [np.nan])
    assert c.same_answer([1, 2 + 1e-9], np.array([1.0, 2.0]))


@pytest.mark.parametrize(
    ("value", "whole", "expected"),
    [
        ((8, 14, 14), True, (8, 14, 14)),
        ([8.0, 14], True, (8, 14)),
        (np.array([8, 14]), True, (8, 14)),
        (14, True, (14,)),
        ((8, 13.5), True, None),
        ((8, 13.5), False, (8, 13.5)),
        ("8, 14", True, None),
        ((8, "14"), True, None),
        ((8, 14j), False, None),
        (((8, 14),), True, None),
        (None, True, None),
        (iter([1, 2]), True, None),
    ],
)
def test_as_shape(value, whole, expected):
    assert c.as_shape(value, whole=whole) == expected


def test_positions_count_from_0_and_stop_at_a_limit():
    mask = np.zeros((3, 4), dtype=bool)
    mask[0, 1] = mask[2, 3] = True
    assert c.positions(mask) == "(0, 1), (2, 3)"
    assert c.positions(np.array([True, False, True])) == "0, 2"
    assert c.positions(np.ones(20, dtype=bool), limit=3) == "0, 1, 2 and 17 more"


def test_fragment_keeps_acronyms():
    assert c.fragment("You forgot the + 1.") == "you forgot the + 1"
    assert c.fragment("ReLU has nothing to learn.") == "ReLU has nothing to learn"


# ----------------------------------------------------------------------------
# feedback and the generic checks
# ----------------------------------------------------------------------------
def test_feedback_shows_as_text_and_html_and_exports_plain_data():
    feedback = Feedback(False, "a <b> & c", ["x < y"], exercise="negative", mistakes=("unchanged",))
    assert not feedback
    assert str(feedback) == "Not yet. a <b> & c\nx < y"
    assert "a &lt;b&gt; &amp; c" in feedback._repr_html_()
    data = feedback.to_dict()
    assert json.loads(json.dumps(data)) == {
        "exercise": "negative",
        "kind": "exercise",
        "passed": False,
        "message": "a <b> & c",
        "details": ["x < y"],
        "mistakes": ["unchanged"],
    }


def test_check_value_reads_the_answer_safely():
    assert check_value([1, 2], np.array([1.0, 2.0]))
    assert not check_value("12", 12)
    assert "text" in check_value("12", 12).message
    assert check_value(None, 1).mistakes == ("placeholder",)
    assert check_value(3, 2, mistakes=[(3, "one too many")]).message == "one too many"


def test_check_function_runs_every_case_and_groups_what_it_finds():
    def learner(x):
        if x == 0:
            raise ValueError("zero")
        if x == 1:
            return None
        if x == 2:
            return "two"
        return x * 2 if x < 5 else x * 3

    mistake = cat.Mistake("tripled", "Tripled", "You tripled it.", "note", compute=lambda x: x * 3)
    feedback = check_function(learner, lambda x: x * 2, [(i,) for i in range(7)], [mistake])
    assert not feedback
    assert "right on 2 of 7 cases" in feedback.message
    lines = feedback.message.splitlines()
    assert lines[1] == "- Your function raised an error. (case 1)"
    assert lines[2].startswith("- Your function returned None") and lines[2].endswith("(case 2)")
    assert "it is text ('two')" in lines[3] and lines[3].endswith("(case 3)")
    assert lines[4] == "- You tripled it. (cases 6 and 7)"
    assert lines[5] == "First case that is off: case 1 of 7: (0,)"
    assert feedback.details == ["ValueError: zero"]
    assert feedback.mistakes == ("raised-error", "returned-none", "unreadable", "tripled")


def test_check_function_passes_copies_and_can_require_more():
    case = np.arange(4.0)
    check_function(lambda x: x.fill(9) or x, lambda x: x, [(case,)])
    np.testing.assert_array_equal(case, np.arange(4.0))  # the learner changed only a copy
    rule = cat.Mistake("as-list", "List", "Return an array.", "note")
    feedback = check_function(
        lambda x: x.tolist(),
        lambda x: x,
        [(case,)],
        require=lambda raw, x: None if isinstance(raw, np.ndarray) else (rule, rule.hint),
    )
    assert not feedback and feedback.mistakes == ("as-list",)


# ----------------------------------------------------------------------------
# the checker wrapper
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "words"),
    [
        (
            lambda: check_image_sizes((10, 20), 200),
            "It is check_image_sizes(thumbnail_shape, thumbnail_count, photo_shape, "
            "photo_count); here: missing a required argument: 'photo_shape'",
        ),
        (lambda: check_my_conv2d(), "missing a required argument: 'my_conv2d'"),
        (lambda: check_regulariser(max_shit=2), "unexpected keyword argument 'max_shit'"),
        (lambda: check_learning_rate(0.1, 0.5, 7), "too many positional arguments"),
    ],
)
def test_a_check_called_the_wrong_way_says_so_instead_of_raising(call, words):
    feedback = call()
    assert not feedback and feedback.mistakes == ("wrong-call",)
    assert words in feedback.message and "Keep the check line" in feedback.message


def test_a_fault_in_a_checker_becomes_feedback_but_ctrl_c_passes(monkeypatch):
    exercise = cat.Exercise("broken", "99_test", 1, "Broken", "values")

    @cat.checker(exercise)
    def check_broken(answer):
        if answer == "stop":
            raise KeyboardInterrupt
        return {}["missing"]

    try:
        feedback = check_broken(1)
        assert not feedback and feedback.mistakes == ("checker-error",)
        assert "fault in the checker" in feedback.message
        assert feedback.details == ["KeyError: 'missing'"]
        assert feedback.exercise == "broken"
        with pytest.raises(KeyboardInterrupt):
            check_broken("stop")
    finally:
        del cat._EXERCISES["broken"]
        clear_results()


def test_two_exercises_cannot_share_an_id():
    with pytest.raises(ValueError, match="two exercises are called 'negative'"):
        cat.checker(cat.Exercise("negative", "01_pixels", 9, "Again", "values"))(lambda a: a)


def test_every_public_check_keeps_its_name_signature_and_docstring():
    import inspect

    assert check_my_conv2d.__name__ == "check_my_conv2d"
    assert list(inspect.signature(check_image_sizes).parameters) == [
        "thumbnail_shape",
        "thumbnail_count",
        "photo_shape",
        "photo_count",
    ]
    assert "my_conv2d(image, kernel, stride=1, padding=0)" in check_my_conv2d.__doc__
    assert check_my_conv2d.exercise.id == "my_conv2d"


# ----------------------------------------------------------------------------
# the session log: what a grader reads
# ----------------------------------------------------------------------------
def test_results_give_the_latest_check_of_each_exercise_as_plain_data():
    assert results() == {} and attempts() == []
    check_learning_rate(0.01)
    check_learning_rate(0.9)
    check_learning_rate(...)
    check_image_sizes((36, 24), 864, None, None)  # no answers here: the student edition has this
    latest = json.loads(json.dumps(results()))  # JSON all the way down
    assert set(latest) == {"learning_rate", "image_sizes"}
    lr = latest["learning_rate"]
    assert lr["passed"] is False and lr["mistakes"] == ["placeholder"]
    assert lr["attempts"] == 3 and lr["ever_passed"] is True
    assert lr["notebook"] == "06_training" and lr["title"] == "A learning rate that converges"
    sizes = latest["image_sizes"]
    assert sizes["mistakes"] == ["height-width-swapped", "placeholder"]
    assert sizes["attempts"] == 1
    assert sizes["message"] == "3 of 4 answers need another look."
    assert [a["exercise"] for a in attempts()] == ["learning_rate"] * 3 + ["image_sizes"]
    assert [a["passed"] for a in attempts()] == [False, True, False, False]


def test_results_are_copies_and_can_be_cleared():
    check_learning_rate(0.9)
    results()["learning_rate"]["passed"] = False
    attempts()[0]["mistakes"].append("x")
    assert results()["learning_rate"]["passed"] is True
    assert attempts()[0]["mistakes"] == []
    clear_results()
    assert results() == {} and attempts() == []


def test_every_feedback_carries_its_exercise_id():
    assert check_my_conv2d(None).exercise == "my_conv2d"
    assert check_learning_rate(0.9).exercise == "learning_rate"


# ----------------------------------------------------------------------------
# model answers
# ----------------------------------------------------------------------------
def test_an_unknown_solution_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'negative'"):
        show_solution("negativ")


def test_a_cell_answer_is_shown_as_the_cell():
    def cell(matrix):
        """Not shown."""
        # a comment stays
        fours = matrix[4, 9]  # so does this one
        return fours

    assert c.shown_source(cell, "cell") == (
        "# a comment stays\nfours = matrix[4, 9]  # so does this one\n"
    )

    def no_docstring():
        # first line
        x = 1
        return x

    assert c.shown_source(no_docstring, "cell") == "# first line\nx = 1\n"
    assert c.shown_source(no_docstring, "function").startswith("def no_docstring():")


def test_a_placeholder_gets_the_same_sentence_from_every_checker():
    """Issue 12 section 4: the checkers said 'not answered yet', 'still a placeholder',
    'Write your 8 answers in the list' or 'Replace the placeholder ...' for the same
    thing. Now the whole answer and each part of it get placeholder_message's sentence."""
    from cnnlib.exercises import (
        check_block_parameters,
        check_cover_the_cue,
        check_my_max_pool,
        check_output_sizes,
        check_pooled_shapes,
        check_relu_by_hand,
        check_softmax_by_hand,
    )

    whole = [
        check_output_sizes(None),
        check_pooled_shapes(...),
        check_image_sizes(None, None, None, None),
        check_relu_by_hand(...),
        check_softmax_by_hand([0.8, ..., 0.1]),
        check_learning_rate(None),
        check_regulariser(weight_decay=None),
        check_my_max_pool(None),
        check_cover_the_cue(None, 11, 3),
    ]
    for feedback in whole:
        assert not feedback.passed and "placeholder" in feedback.mistakes
        assert re.fullmatch(
            r"(\w+: r|R)eplace (the|every) placeholder \(None or \.\.\.\) with .+\.",
            feedback.message,
        ), feedback.message
    parts = [
        *check_output_sizes([...] * 8).details,
        *check_pooled_shapes([...] * 4).details,
        *check_block_parameters(..., None).details,
        *[d for d in check_image_sizes(None, 5, (1, 2, 3), None).details if "None or" in d],
    ]
    assert len(parts) == 8 + 4 + 2 + 2
    for line in parts:
        assert re.fullmatch(
            r"[\w ]+: replace the placeholder \(None or \.\.\.\) with .+\.", line
        ), line
