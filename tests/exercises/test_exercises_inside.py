"""Notebook 07's exercise checks: right answers pass, typical wrong answers get the hint
that names the mistake, placeholders get a friendly reminder."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib import load_mnist, load_pretrained, prepare_images
from cnnlib.exercises import check_confusion_reading, check_cover_the_cue
from cnnlib.exercises.inside import COVER_DIGIT, COVER_MAX_SIZE


# ----------------------------------------------------------------------------
# 1. reading a confusion matrix
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
    assert check_confusion_reading(make_matrix().tolist(), 3.0, np.array([7, 9]))


@pytest.mark.parametrize(
    ("count", "words", "mistake"),
    [
        (1, "row 9, column 4", "count-transposed"),  # swapped
        (5, "every mistake on a 4", "counted-whole-row"),  # the row's mistakes
        (10, "every digit wrongly called 9", "counted-whole-column"),  # the column's mistakes
        (95, "on the diagonal", "read-diagonal"),
        (7, "Find row 4", None),
        (..., "placeholder", "placeholder"),
        ("three", "whole number", "unreadable"),
        ("3", "write 3 without quotes", "unreadable"),
        (3.5, "whole number", "unreadable"),
        ((3,), "a tuple of 1 values", "unreadable"),
        (float("nan"), "NaN", "unreadable"),
    ],
)
def test_misreadings_of_the_cell_get_the_right_hint(count, words, mistake):
    feedback = check_confusion_reading(make_matrix(), count, (7, 9))
    assert not feedback and words in feedback.message
    assert feedback.message.startswith("most_common is right.")
    assert feedback.mistakes == ((mistake,) if mistake else ())


@pytest.mark.parametrize(
    ("pair", "words", "mistake"),
    [
        ((9, 7), "Swapped", "pair-swapped"),
        ((5, 5), "on the diagonal", "pair-on-diagonal"),
        ((4, 9), "holds 3. Another cell", "not-the-largest"),
        ((7,), "a pair", "unreadable"),
        ((12, 3), "between 0 and 9", None),
        (..., "placeholder", "placeholder"),
        ("79", "'79' is text", "unreadable"),
        ((7.9, 9.9), "a pair of whole digits", "unreadable"),
        ((7, 9, 0), "a pair", "unreadable"),
    ],
)
def test_misreadings_of_the_most_common_mistake(pair, words, mistake):
    feedback = check_confusion_reading(make_matrix(), 3, pair)
    assert not feedback and words in feedback.message
    assert feedback.message.startswith("fours_as_nines is right.")
    assert feedback.mistakes == ((mistake,) if mistake else ())


def test_both_readings_wrong_are_both_named():
    feedback = check_confusion_reading(make_matrix(), 1, (9, 7))
    assert feedback.mistakes == ("count-transposed", "pair-swapped")
    assert feedback.message.count("\n") == 1


def test_ties_accept_either_cell_and_say_so():
    m = make_matrix()
    m[2, 3] = 6
    feedback = check_confusion_reading(m, 3, (2, 3))
    assert feedback and "tied with (7, 9)" in feedback.message
    assert check_confusion_reading(m, 3, (7, 9))


@pytest.mark.parametrize(
    "matrix",
    [np.zeros((3, 3)), None, "matrix", np.full((10, 10), 0.5), -make_matrix(), [[1, 2], [3]]],
)
def test_a_wrong_matrix_is_refused(matrix):
    feedback = check_confusion_reading(matrix, 0, (0, 1))
    assert not feedback and "10 x 10" in feedback.message


# ----------------------------------------------------------------------------
# 2. find what misleads the network, and cover it
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def network_and_digit():
    images, labels = load_mnist("test")
    return load_pretrained(), images[COVER_DIGIT], int(labels[COVER_DIGIT])


def says(model, image) -> int:
    return int(model.predict(prepare_images(image[None]))[0])


def test_the_digit_is_a_five_the_shipped_network_is_sure_is_a_six(network_and_digit):
    """The premise of the exercise (it changes if the shipped weights are retrained)."""
    model, digit, label = network_and_digit
    p = model.predict_proba(prepare_images(digit[None]))[0]
    assert label == 5 and p.argmax() == 6 and p[6] > 0.9


def test_the_model_answer_passes_and_says_what_changed(network_and_digit):
    model, digit, _ = network_and_digit
    covered = digit.copy()
    covered[7:10, 11:14] = 0  # rows 7-9, columns 11-13, by hand
    assert says(model, covered) == 5
    feedback = check_cover_the_cue(7, 11, 3)
    assert feedback and feedback.mistakes == ()
    assert "rows 7-9, columns 11-13 covered, the network says 5" in feedback.message
    assert "P(6) from 96.7%" in feedback.message
    assert check_cover_the_cue(np.int64(7), 11.0, np.uint8(3))  # any whole numbers


def test_every_square_that_fixes_the_mistake_passes_and_no_other(network_and_digit):
    """The check agrees with an independent experiment on every square of one size."""
    model, digit, _ = network_and_digit
    size = 4
    for row in range(0, 28 - size + 1, 2):
        for column in range(0, 28 - size + 1, 2):
            covered = digit.copy()
            covered[row : row + size, column : column + size] = 0
            assert bool(check_cover_the_cue(row, column, size)) == (says(model, covered) == 5)


@pytest.mark.parametrize(
    ("answer", "words", "mistake"),
    [
        ((9, 15, 3), "The square with your two numbers swapped works", "cover-swapped"),
        ((0, 0, 3), "covers only blank paper", "cover-blank"),
        ((22, 22, 6), "covers only blank paper", "cover-blank"),
        ((7, 11, COVER_MAX_SIZE + 1), "at most 6 pixels wide", "cover-too-big"),
        ((7, 11, 28), "at most 6 pixels wide", "cover-too-big"),
        ((25, 25, 6), "does not fit inside the 28 x 28 image", "cover-outside"),
        ((-1, 11, 3), "does not fit inside", "cover-outside"),
        ((7, 28, 1), "does not fit inside", "cover-outside"),
        ((11, 7, 3), "the network says 3", "cover-other-digit"),
        ((6, 11, 3), "still says 6, not 5. Closer: the probability", "cover-closer"),
        ((1, 12, 3), "still says 6, not 5. Covering that part does not help", "cover-wrong-part"),
        ((18, 20, 3), "Covering that part does not help", "cover-wrong-part"),
        ((..., 11, 3), "row: replace the placeholder", "placeholder"),
        ((7, None, 3), "column: replace the placeholder", "placeholder"),
        ((7, 11, ...), "size: replace the placeholder", "placeholder"),
        (("7", 11, 3), "write 7 without quotes", "unreadable"),
        ((7.5, 11, 3), "whole number of pixels", "unreadable"),
        (((7, 11), 11, 3), "whole number of pixels", "unreadable"),
        ((7, 11, 0), "at least 1", "unreadable"),
        ((7, 11, -3), "at least 1", "unreadable"),
        ((7, 11, float("nan")), "NaN", "unreadable"),
    ],
)
def test_wrong_squares_get_the_hint_that_names_the_mistake(answer, words, mistake):
    feedback = check_cover_the_cue(*answer)
    assert not feedback and words in feedback.message, feedback.message
    assert feedback.mistakes == (mistake,)


def test_a_swapped_square_is_only_blamed_when_the_learners_own_square_does_not_help():
    # rows 12-14, columns 6-8 raise P(5) by themselves: the learner is on the right track,
    # and is told so, although rows 6-8, columns 12-14 would pass
    assert check_cover_the_cue(6, 12, 3)
    assert check_cover_the_cue(12, 6, 3).mistakes == ("cover-closer",)
    swapped = check_cover_the_cue(9, 15, 3)
    assert check_cover_the_cue(15, 9, 3) and swapped.mistakes == ("cover-swapped",)


# ----------------------------------------------------------------------------
# model=: the network the learner's explorers show
# ----------------------------------------------------------------------------
def _shifted(class_shift):
    """The course's network with its dense biases moved: another network, cheaply."""
    model = load_pretrained()
    for k, shift in class_shift.items():
        model.params["7.bias"][k] += shift
    return model


def test_the_course_network_passed_as_model_gives_the_same_verdicts():
    for answer in [(7, 11, 3), (6, 11, 3), (1, 12, 3), (11, 7, 3), (0, 0, 3)]:
        default, given = (
            check_cover_the_cue(*answer),
            check_cover_the_cue(*answer, model=load_pretrained()),
        )
        assert (bool(default), default.message, default.mistakes) == (
            bool(given),
            given.message,
            given.mistakes,
        )


def test_a_network_that_reads_the_digit_right_is_told_there_is_nothing_to_cover():
    right = _shifted({5: 20.0})  # now sure it is a 5
    feedback = check_cover_the_cue(7, 11, 3, model=right)
    assert not feedback and "reads test digit #141 correctly: it says 5" in feedback.message
    assert "use_my_network = False" in feedback.message


def test_a_network_with_another_wrong_answer_gets_feedback_that_names_it():
    """The feedback names the asked network's answer (the course's says 6, this one 3)."""
    other = _shifted({6: -8.0, 3: 3.0})  # reads #141 as a 3
    images, _ = load_mnist("test")
    assert says(other, images[COVER_DIGIT]) == 3
    closer = check_cover_the_cue(6, 11, 3, model=other)
    assert (
        closer.mistakes == ("cover-closer",) and "the network still says 3, not 5" in closer.message
    )
    wrong = check_cover_the_cue(1, 12, 3, model=other)
    assert wrong.mistakes == ("cover-wrong-part",) and "still says 3, not 5" in wrong.message
    passed = check_cover_the_cue(7, 11, 3, model=other)
    assert passed and "evidence for a 3" in passed.message


@pytest.mark.parametrize(
    ("model", "words"),
    [
        ("my network", "must be a cnnlib network (a Sequential)"),
        (np.zeros((28, 28)), "must be a cnnlib network (a Sequential)"),
        ("dense 10 -> 10", "cannot read a 28 x 28 digit"),
        ("dense 784 -> 3", "not 10 finite probabilities"),
    ],
)
def test_a_model_that_cannot_do_the_exercise_is_explained(model, words):
    from cnnlib import Dense, Flatten, Sequential

    built = {
        "dense 10 -> 10": Sequential(Flatten(), Dense(10, 10)),
        "dense 784 -> 3": Sequential(Flatten(), Dense(784, 3)),
    }
    feedback = check_cover_the_cue(
        7, 11, 3, model=built.get(model, model) if isinstance(model, str) else model
    )
    assert not feedback and words in feedback.message, feedback.message
    assert "checker-error" not in feedback.mistakes


class _Hostile:
    """Breaks anything that touches it."""

    def __getattr__(self, name):
        raise RuntimeError("hostile")


def _nan_network():
    model = load_pretrained()
    model.params["7.weight"][...] = np.nan
    return model


@pytest.mark.parametrize(
    "model",
    [0, 1.5, True, "", [1, 2], {"0.weight": 1}, np.ones(10), load_pretrained, _Hostile()],
    ids=repr,
)
def test_any_other_model_gets_a_helpful_not_yet(model):
    feedback = check_cover_the_cue(7, 11, 3, model=model)
    assert not feedback and len(feedback.message) > 60 and "Sequential" in feedback.message
    assert "checker-error" not in feedback.mistakes


def test_a_network_whose_weights_broke_is_explained():
    feedback = check_cover_the_cue(7, 11, 3, model=_nan_network())
    assert not feedback and "checker-error" not in feedback.mistakes, feedback.details
    assert "model" in feedback.message
