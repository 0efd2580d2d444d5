"""Exercises of notebook 07 (inside the network), with checks that explain what went wrong.

1. :func:`check_confusion_reading`: read a confusion matrix: how many 4s were
   taken for 9s, and which mistake is the most common.
2. :func:`check_cover_the_cue`: find the part of a misread digit that misleads
   the network, and prove it by experiment: the check paints a square of
   background over the digit where the learner says and runs the network on it
   (the course's trained one, or the learner's own with ``model=``); covering
   the right part makes it read the digit correctly.

Model answers: ``show_solution("confusion_reading")`` and ``show_solution("cover_the_cue")``.
"""

from __future__ import annotations

import functools

import numpy as np

from cnnlib.exercises._catalogue import (
    PLACEHOLDER,
    UNREADABLE,
    Exercise,
    Feedback,
    Mistake,
    checker,
)
from cnnlib.exercises._check import (
    as_array,
    as_shape,
    as_whole_number,
    is_placeholder,
    placeholder_feedback,
    placeholder_message,
    short,
    why_not_a_number,
)

__all__ = [
    "CONFUSION_READING",
    "COVER_THE_CUE",
    "COVER_DIGIT",
    "COVER_MAX_SIZE",
    "check_confusion_reading",
    "check_cover_the_cue",
    "cover",
]


# ----------------------------------------------------------------------------
# 1. reading a confusion matrix
# ----------------------------------------------------------------------------
_COUNT_TRANSPOSED = Mistake(
    "count-transposed",
    "Rows and columns swapped",
    "That is the cell in row 9, column 4: 9s that were taken for 4s. Rows are the true "
    "digits, columns what the network said: a 4 taken for a 9 sits in row 4, column 9.",
    "Which axis is which is a convention (cnnlib, like scikit-learn, puts the true digit on "
    "the rows). Label both axes every time, and read one cell aloud as a sentence: 'true 4, "
    "called 9'.",
)
_WHOLE_ROW = Mistake(
    "counted-whole-row",
    "Counted every mistake on a 4",
    "That counts every mistake on a 4 (the whole of row 4 except the diagonal). Only the 4s "
    "that were called 9 count: row 4, column 9.",
    "The question read as 'how many 4s were wrong'. Have the student say what one cell "
    "means before adding cells up.",
)
_WHOLE_COLUMN = Mistake(
    "counted-whole-column",
    "Counted every wrong 9",
    "That counts every digit wrongly called 9 (column 9 without the diagonal). Only the true "
    "4s among them count: row 4, column 9.",
    "The question read as 'how many 9s were wrong'. As for the row: one cell, one sentence.",
)
_DIAGONAL = Mistake(
    "read-diagonal",
    "Read the diagonal",
    "That number is on the diagonal: digits that were recognised correctly. Look for row 4 "
    "(true 4s), column 9 (called 9).",
    "The diagonal holds the successes and the largest numbers, so the eye goes there. Shade "
    "it on the board: everything off it is a mistake.",
)
_PAIR_SWAPPED = Mistake(
    "pair-swapped",
    "Pair in the wrong order",
    "Swapped: the pair is (true digit, predicted digit), and the most common mistake sits in "
    "the row of its true digit.",
    "The same axis confusion as the count, in pair form. Ask for the pair as a sentence "
    "first: 'a true 7 called 9' is (7, 9).",
)
_PAIR_DIAGONAL = Mistake(
    "pair-on-diagonal",
    "A digit paired with itself",
    "That pair is on the diagonal: a digit recognised as itself is no mistake. Look at the "
    "cells off the diagonal.",
    "The largest numbers of the matrix sit on the diagonal; the question asks for the "
    "largest off it. Cover the diagonal with a strip of paper, or show np.fill_diagonal(m, 0).",
)
_NOT_LARGEST = Mistake(
    "not-the-largest",
    "Not the largest off-diagonal cell",
    "Another cell off the diagonal holds a larger number. Look for the largest number that "
    "is not on the diagonal.",
    "Reading a 10 x 10 table by eye is error-prone; colour helps. Show the matrix with the "
    "diagonal set to 0 and let the brightest cell stand out.",
)

CONFUSION_READING = Exercise(
    "confusion_reading",
    "07_inside_the_network",
    1,
    "Read the confusion matrix",
    "values",
    (
        _COUNT_TRANSPOSED,
        _WHOLE_ROW,
        _WHOLE_COLUMN,
        _DIAGONAL,
        _PAIR_SWAPPED,
        _PAIR_DIAGONAL,
        _NOT_LARGEST,
    ),
)


def _most_common_mistakes(matrix):
    off = matrix.astype(float).copy()
    np.fill_diagonal(off, -1)
    top = off.max()
    return [tuple(int(i) for i in pair) for pair in np.argwhere(off == top)], int(top)


def _read_matrix(matrix):
    """The confusion matrix as an int array, or (None, why not)."""
    array, reason = as_array(matrix)
    if reason is None and (
        array.shape != (10, 10)
        or not np.isfinite(array).all()
        or (array < 0).any()
        or (array != np.round(array)).any()
    ):
        reason = f"it has shape {array.shape}" if array.shape != (10, 10) else "it is not counts"
    if reason is not None:
        return None, reason
    return array.astype(np.int64), None


def _count_verdict(matrix, count):
    """(mistake or None, hint) for a wrong count of 4s taken for 9s."""
    if count == matrix[9, 4]:
        return _COUNT_TRANSPOSED, f"{count}: {_COUNT_TRANSPOSED.hint}"
    if count == matrix[4].sum() - matrix[4, 4]:
        return _WHOLE_ROW, f"{count}: {_WHOLE_ROW.hint}"
    if count == matrix[:, 9].sum() - matrix[9, 9]:
        return _WHOLE_COLUMN, f"{count}: {_WHOLE_COLUMN.hint}"
    if count in (matrix[4, 4], matrix[9, 9]):
        return _DIAGONAL, f"{count}: {_DIAGONAL.hint}"
    return None, (
        f"not {count}. Find row 4 (the digits that really are 4) and go along it to column 9 "
        "(what the network said). Counting starts at 0."
    )


def _pair_verdict(matrix, pair, best, count):
    t, p = pair
    n = len(matrix)
    if not (0 <= t < n and 0 <= p < n):
        return None, "both digits are between 0 and 9: (true digit, predicted digit)"
    if (p, t) in best:
        return _PAIR_SWAPPED, (
            f"{_PAIR_SWAPPED.hint} ({t}, {p}) means a true {t} called {p}; the most common "
            f"mistake sits in row {p}, column {t}: true {p}, called {t}."
        )
    if t == p:
        return _PAIR_DIAGONAL, f"({t}, {p}): {_PAIR_DIAGONAL.hint}"
    return _NOT_LARGEST, (
        f"the cell for a true {t} called {p} holds {int(matrix[t, p])}. {_NOT_LARGEST.hint}"
    )


@checker(CONFUSION_READING)
def check_confusion_reading(matrix, fours_as_nines, most_common) -> Feedback:
    """Check two readings of a confusion matrix (rows: true digit, columns: prediction).

    Parameters
    ----------
    matrix : int array (10, 10)
        The matrix you read, e.g. ``confusion_matrix(test_labels, predictions)``.
    fours_as_nines : int
        How many test digits that really are 4 did the network call 9?
    most_common : (int, int)
        The most common mistake as (true digit, predicted digit).

    Both readings are judged, each with its own hint.
    """
    matrix, reason = _read_matrix(matrix)
    if matrix is None:
        return Feedback(
            False,
            "Pass the confusion matrix of the ten digits (a 10 x 10 array of counts) as the "
            f"first argument; {reason}.",
            mistakes=(UNREADABLE.id,),
        )
    right = int(matrix[4, 9])
    best, top = _most_common_mistakes(matrix)
    lines, found, correct = [], [], 0
    # 1. the count
    count = as_whole_number(fours_as_nines)
    if is_placeholder(fours_as_nines):
        lines.append(placeholder_message("fours_as_nines", "a count"))
        found.append(PLACEHOLDER.id)
    elif count is None:
        reason = why_not_a_number(fours_as_nines, "a count")
        lines.append(f"fours_as_nines is a count (a whole number); {reason}.")
        found.append(UNREADABLE.id)
    elif count != right:
        mistake, hint = _count_verdict(matrix, count)
        lines.append(f"fours_as_nines: {hint}")
        found += [mistake.id] if mistake else []
    else:
        correct += 1
    # 2. the most common mistake
    pair = as_shape(most_common)
    if is_placeholder(most_common):
        lines.append(placeholder_message("most_common", "a pair (true digit, predicted digit)"))
        found.append(PLACEHOLDER.id)
    elif pair is None or len(pair) != 2:
        if isinstance(most_common, str | bytes):
            reason = f"{short(most_common)} is text; write the pair as two numbers: (7, 9)"
        else:
            reason = f"not {short(most_common)}"
        lines.append(
            "most_common is a pair of whole digits (true digit, predicted digit), e.g. "
            f"(3, 5); {reason}."
        )
        found.append(UNREADABLE.id)
    elif pair not in best:
        mistake, hint = _pair_verdict(matrix, pair, best, top)
        lines.append(f"most_common: {hint}")
        found += [mistake.id] if mistake else []
    else:
        correct += 1
    if correct == 2:
        fours = int(matrix[4].sum())
        t, p = pair
        also = (
            "" if len(best) == 1 else f" (tied with {', '.join(str(b) for b in best if b != pair)})"
        )
        return Feedback(
            True,
            f"{right} of the {fours} test 4s were taken for 9s: row 4 holds every true 4, and "
            f"column 9 is where the network said 9. The most common mistake is a {t} taken for "
            f"a {p}{also}, {top} times. Look at them with "
            f"MistakesGallery(model, test_images, test_labels) and true digit {t}, taken for "
            f"{p}: most of them are ambiguous even to a human, or written in an unusual style.",
        )
    if correct == 1:
        right_part = "fours_as_nines" if count == right else "most_common"
        lines.insert(0, f"{right_part} is right.")
    return Feedback(False, "\n".join(lines), mistakes=tuple(dict.fromkeys(found)))


# ----------------------------------------------------------------------------
# 2. find what misleads the network, and cover it
# ----------------------------------------------------------------------------
#: The bundled test digit of exercise 2: a 5 that the course's network reads as a 6.
COVER_DIGIT = 141
#: The largest square the learner may paint over it (side in pixels): small enough that
#: the question stays "which part?", not "how much can be erased?".
COVER_MAX_SIZE = 6
#: A rise of P(true digit) of at least this (5 percentage points) counts as "closer".
_CLOSER = 0.05

_SWAPPED = Mistake(
    "cover-swapped",
    "Row and column swapped",
    "Check the order: the row counts down from the top (0 at the top), the column across "
    "from the left, as in image[row, column]. The square with your two numbers swapped "
    "works.",
    "Pictures are read (x, y), arrays [row, column]: the same point written in opposite "
    "orders. Point at one pixel on the projected digit and ask for image[?, ?] before "
    "anyone types coordinates.",
)
_TOO_BIG = Mistake(
    "cover-too-big",
    "Square larger than allowed",
    "The square may be at most 6 pixels wide: the question is which small part of the digit "
    "misleads the network, not how much of it can be erased.",
    "A large patch can always change the answer, by erasing the digit. The limit keeps the "
    "experiment about one part of the digit: ask what the student expects the network to see "
    "once that part is gone.",
)
_OUTSIDE = Mistake(
    "cover-outside",
    "Square not inside the image",
    "The square does not fit inside the 28 x 28 image: row and column go from 0 to 27, and "
    "row + size, column + size may be at most 28.",
    "Counting from 0 again, and the square's corner versus its far edge. Draw the 28 x 28 "
    "grid with its row and column numbers and mark where a square of side 6 may start.",
)
_BLANK = Mistake(
    "cover-blank",
    "Covered only blank paper",
    "That square covers only blank paper: painting background over background changes "
    "nothing, so the network still sees exactly the same digit.",
    "The student picked a place on the occlusion map without relating it to the ink. Ask "
    "them to point at the digit's strokes first: only covering ink can change the picture.",
)
_OTHER_DIGIT = Mistake(
    "cover-other-digit",
    "Made another digit",
    "Covering that part made the network read yet another digit: the square changed what "
    "the digit looks like instead of removing the misleading part.",
    "Covering is itself a change to the picture: a gap in a stroke can turn a digit into "
    "another one. A good moment to say that an occlusion map measures the network's reaction "
    "to a new picture, not only the importance of a region.",
)


_CLOSER_MISTAKE = Mistake(
    "cover-closer",
    "Right area, not enough",
    "Closer: the probability of the true digit rose, but not enough to change the answer. "
    f"Move the square a pixel or two, or make it a little larger (up to {COVER_MAX_SIZE}).",
    "The student found the right area (the probability of the true digit rose). Point them "
    "back to the occlusion map with a patch of their size and stride 1: the strongest blue "
    "cell is the best place for that size.",
)
_WRONG_PART = Mistake(
    "cover-wrong-part",
    "Covered a part that does not mislead",
    "Covering that part does not help: the probability of the true digit did not rise. Look "
    "for the patch whose covering raises it (blue on the occlusion map of the true digit's "
    "class).",
    "Often the square covers what makes the digit a 5 rather than what makes it look like "
    "a 6 (red on the map for class 5, not blue). Ask what the two colours of the occlusion "
    "map mean before choosing.",
)

COVER_THE_CUE = Exercise(
    "cover_the_cue",
    "07_inside_the_network",
    2,
    "Find what misleads the network",
    "values",
    (_SWAPPED, _TOO_BIG, _OUTSIDE, _BLANK, _OTHER_DIGIT, _CLOSER_MISTAKE, _WRONG_PART),
)


@functools.lru_cache(maxsize=1)
def _cover_setup():
    """The course's network, the digit of exercise 2 (uint8 (28, 28)), its label and P."""
    from cnnlib.datasets import load_mnist
    from cnnlib.pretrained import load_pretrained

    model = load_pretrained()
    images, labels = load_mnist("test")
    digit = images[COVER_DIGIT].copy()
    digit.setflags(write=False)
    return model, digit, int(labels[COVER_DIGIT]), _probabilities(model, digit)


def _probabilities(model, digit) -> np.ndarray:
    from cnnlib.training import prepare_images

    return model.predict_proba(prepare_images(digit[None]))[0]


def _network_setup(model):
    """``(model, digit, label, P before)`` for the network the check runs, or a Feedback
    saying why ``model`` cannot do this exercise."""
    shipped, digit, label, before = _cover_setup()
    if model is None:
        return shipped, digit, label, before
    from cnnlib.model import Sequential

    if not isinstance(model, Sequential):
        return Feedback(
            False,
            f"model must be a cnnlib network (a Sequential), such as the `model` of section 1, "
            f"not {short(model)}. Leave model out to run the check with the course's network.",
            mistakes=(UNREADABLE.id,),
        )
    try:
        p = np.asarray(_probabilities(model, digit), dtype=float)
    except Exception as err:  # a network for other inputs: say so, never a traceback
        reason = (str(err).splitlines() or [type(err).__name__])[0]
        reason = reason[:200].rstrip(". ") + (" [...]" if len(reason) > 200 else "")
        return Feedback(
            False,
            "model cannot read a 28 x 28 digit and give 10 probabilities, as this exercise "
            f"needs: {reason}. Use the network of section 1, or leave model out.",
            mistakes=(UNREADABLE.id,),
        )
    if p.shape != (10,) or not np.isfinite(p).all():
        return Feedback(
            False,
            f"model gives {p.shape} values for one digit, not 10 finite probabilities. Use the "
            "network of section 1, or leave model out.",
            mistakes=(UNREADABLE.id,),
        )
    if int(np.argmax(p)) == label:
        return Feedback(
            False,
            f"This network reads test digit #{COVER_DIGIT} correctly: it says {label} "
            f"({p[label]:.0%} sure), so there is no misleading part to cover. The exercise "
            "needs a network that gets it wrong: run it with the course's network "
            "(use_my_network = False in section 1, or leave model out).",
        )
    return model, digit, label, p


def cover(image, row, column, size) -> np.ndarray:
    """A copy of ``image`` (H, W) with the square of side ``size`` whose top-left pixel
    is (``row``, ``column``) painted with background (0)."""
    covered = np.array(image, copy=True)
    covered[row : row + size, column : column + size] = 0
    return covered


def _cover_numbers(row, column, size):
    """The three answers as whole numbers, or a Feedback saying what is wrong with one."""
    numbers = {}
    for name, value, what in (
        ("row", row, "a row number from 0 to 27"),
        ("column", column, "a column number from 0 to 27"),
        ("size", size, f"a side from 1 to {COVER_MAX_SIZE} pixels"),
    ):
        if is_placeholder(value):
            return placeholder_feedback(what, name)
        number = as_whole_number(value)
        if number is None:
            return Feedback(
                False,
                f"{name} is a whole number of pixels; {why_not_a_number(value, 'a whole number')}.",
                mistakes=(UNREADABLE.id,),
            )
        numbers[name] = number
    if numbers["size"] < 1:
        return Feedback(
            False,
            f"size is the side of the square in pixels, at least 1, not {numbers['size']}.",
            mistakes=(UNREADABLE.id,),
        )
    return numbers


def _fits(row, column, size, shape) -> bool:
    return 0 <= row <= shape[0] - size and 0 <= column <= shape[1] - size


@checker(COVER_THE_CUE)
def check_cover_the_cue(row, column, size, model=None) -> Feedback:
    """Paint a square of background over test digit #141 and ask the network again.

    Test digit :data:`COVER_DIGIT` (#141) is a 5 that the course's trained network
    (:func:`cnnlib.load_pretrained`) reads as a 6. The check paints the square of side
    ``size`` (at most :data:`COVER_MAX_SIZE`) whose top-left pixel is (``row``,
    ``column``) with background (0), runs the network on the covered digit, and passes
    if it now answers 5.

    Parameters
    ----------
    row, column : int
        The square's top-left pixel: row from the top, column from the left (0-27).
    size : int
        The square's side in pixels, 1 to 6.
    model : Sequential, optional
        The network to ask: by default the course's trained network. Pass your own
        (notebook 07 passes the one its explorers show) to find what misleads it; the
        check then says so if it reads #141 correctly, leaving nothing to cover.
    """
    numbers = _cover_numbers(row, column, size)
    if isinstance(numbers, Feedback):
        return numbers
    row, column, size = numbers["row"], numbers["column"], numbers["size"]
    setup = _network_setup(model)
    if isinstance(setup, Feedback):
        return setup
    model, digit, label, before = setup
    wrong = int(np.argmax(before))
    where = f"rows {row}-{row + size - 1}, columns {column}-{column + size - 1}"
    if size > COVER_MAX_SIZE:
        return Feedback(False, f"size {size}: {_TOO_BIG.hint}", mistakes=(_TOO_BIG.id,))
    if not _fits(row, column, size, digit.shape):
        return Feedback(
            False,
            f"(row {row}, column {column}, size {size}): {_OUTSIDE.hint}",
            mistakes=(_OUTSIDE.id,),
        )
    covered = cover(digit, row, column, size)
    after = _probabilities(model, covered)
    answer = int(np.argmax(after))
    if answer == label:
        return Feedback(
            True,
            f"With {where} covered, the network says {label} ({after[label]:.0%} sure): "
            f"P({label}) went from {before[label]:.1%} to {after[label]:.1%}, P({wrong}) from "
            f"{before[wrong]:.1%} to {after[wrong]:.1%}. What you covered was the network's "
            f"evidence for a {wrong}: look at it in the explorer's digit, and at the occlusion "
            f"map for class {wrong}, where it is red.",
        )
    closer = after[label] - before[label] >= _CLOSER
    if not closer and _fits(column, row, size, digit.shape):  # read as (x, y)?
        swapped = _probabilities(model, cover(digit, column, row, size))
        if int(np.argmax(swapped)) == label:
            return Feedback(False, f"{where}: {_SWAPPED.hint}", mistakes=(_SWAPPED.id,))
    if np.array_equal(covered, digit):
        return Feedback(False, f"{where}: {_BLANK.hint}", mistakes=(_BLANK.id,))
    change = (
        f"P({label}) went from {before[label]:.1%} to {after[label]:.1%} and P({wrong}) from "
        f"{before[wrong]:.1%} to {after[wrong]:.1%}"
    )
    if answer != wrong:
        return Feedback(
            False,
            f"With {where} covered the network says {answer} ({change}). {_OTHER_DIGIT.hint}",
            mistakes=(_OTHER_DIGIT.id,),
        )
    mistake = _CLOSER_MISTAKE if closer else _WRONG_PART
    return Feedback(
        False,
        f"With {where} covered, {change}: the network still says {wrong}, not {label}. "
        f"{mistake.hint}",
        mistakes=(mistake.id,),
    )
