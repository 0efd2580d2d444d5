"""Checking a prediction: read what the learner entered, compare, say what it shows.

:func:`check_prediction` takes a prediction's id and the learner's answer,
exactly as it arrives: a number or a choice from Python, or the raw text of
the number box of :func:`cnnlib.predict_first` ("14", " 9,098 ", "14x14",
"50%", "", "fourteen"). Whatever it gets, it returns a
:class:`~cnnlib.exercises._catalogue.Feedback` and never raises on the answer:

* right: why, and where to watch it happen in the explorer;
* a typical wrong prediction: that mistake's hint (the catalogue's
  :class:`~cnnlib.exercises._catalogue.Mistake`), and where to watch;
* any other wrong answer: the prediction's nudge, and where to watch;
* not an answer yet (empty, text that is not a number or not a choice, NaN):
  what to enter instead.

Every check is logged for :func:`cnnlib.exercises.results` with kind
"prediction".
"""

from __future__ import annotations

import math
import re

import numpy as np

from cnnlib.exercises._catalogue import (
    NOT_FINITE,
    PLACEHOLDER,
    UNREADABLE,
    Feedback,
    Prediction,
    _record,
    find_prediction,
)
from cnnlib.exercises._check import as_real, as_shape, is_placeholder, short, why_not_a_number

__all__ = ["check_prediction", "read_choice", "read_number"]

_MAX_TEXT = 60  # characters: a number or a choice is never longer
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:([,_ '\u202f\u00a0])\d{3})(?:\1\d{3})*(?:\.\d+)?")
_PAIR = re.compile(rf"^\(?\s*({_NUMBER})\s*(?:[x×X*,]|by)\s*({_NUMBER})\s*\)?$")
_UNIT = re.compile(rf"^({_NUMBER})\s*([a-zA-Z]+\.?|%)?$")


def check_prediction(prediction_id: str, answer) -> Feedback:
    """Check the learner's ``answer`` to the prediction ``prediction_id``.

    Parameters
    ----------
    prediction_id : str
        A prediction's id (see ``catalogue()["predictions"]``); an unknown id
        is a ValueError that names the closest ones.
    answer : number or str
        A number question takes a number, or text holding one ("14",
        "9,098", "14x14" for a square size, "50%" where a probability is
        asked); a choice question takes one of the choices as text (case and
        spaces do not matter, the start of a choice is enough when only one
        choice starts that way).

    Returns
    -------
    Feedback
        ``passed``, a message for the learner (never a traceback, whatever
        ``answer`` is), the prediction's id in ``exercise``, the ids of the
        mistakes recognised and ``kind == "prediction"``. The check is logged
        for :func:`cnnlib.exercises.results`.

    Examples
    --------
    >>> check_prediction("conv-stride-2-padding-1", 14).passed
    True
    """
    prediction = find_prediction(prediction_id)
    try:
        feedback = _judge(prediction, answer)
    except Exception as err:  # a fault here must never reach the learner
        feedback = Feedback(
            False,
            "The check could not read this answer: that is a fault in the course, not in "
            f"your prediction ({type(err).__name__}). Try it in the explorer instead: "
            f"{prediction.reveal}.",
            mistakes=("checker-error",),
        )
    feedback.exercise = prediction.id
    feedback.kind = "prediction"
    _record(feedback, prediction.notebook, prediction.title)
    return feedback


# ----------------------------------------------------------------------------
# judging
# ----------------------------------------------------------------------------
def _judge(prediction: Prediction, answer) -> Feedback:
    if is_placeholder(answer) or (isinstance(answer, str) and not answer.strip()):
        what = "one of the choices" if prediction.choices else "a number"
        return Feedback(
            False,
            f"Write down your prediction first, then enter it here: {what}.",
            mistakes=(PLACEHOLDER.id,),
        )
    if prediction.choices:
        chosen, why = read_choice(answer, prediction.choices)
        if why is not None:
            return Feedback(False, why, mistakes=(UNREADABLE.id,))
        said = f"You predicted: {chosen}."
        if chosen == prediction.expected:
            return _right(prediction, said)
        for mistake in prediction.mistakes:
            if mistake.compute is not None and mistake.compute() == chosen:
                return _wrong(prediction, said, mistake.hint, mistake.id)
        return _wrong(prediction, said, prediction.nudge)

    number, why = read_number(answer, percent=prediction.percent)
    if why is not None:
        return Feedback(False, why, mistakes=(UNREADABLE.id,))
    if not math.isfinite(number):
        return Feedback(
            False,
            f"{NOT_FINITE.hint} The explorer will show an ordinary number: enter that.",
            mistakes=(NOT_FINITE.id,),
        )
    expected = prediction.expected
    said = f"You predicted {_shown(number)}."
    if _close(number, expected, prediction.tolerance):
        return _right(prediction, said)
    if (
        prediction.percent
        and 1 < abs(number) <= 100
        and _close(number / 100, expected, prediction.tolerance)
    ):
        return _right(prediction, f"You predicted {_shown(number)}%.")
    for mistake in prediction.mistakes:
        if mistake.compute is None:
            continue
        wrong = mistake.compute()
        if _close(number, wrong, prediction.tolerance) and not _close(
            wrong, expected, prediction.tolerance
        ):
            return _wrong(prediction, said, mistake.hint, mistake.id)
    if float(expected).is_integer() and not number.is_integer():
        return _wrong(prediction, said, f"The answer is a whole number. {prediction.nudge}")
    return _wrong(prediction, said, prediction.nudge)


def _right(prediction: Prediction, said: str) -> Feedback:
    return Feedback(
        True, f"{said} {prediction.explanation} Now see it happen: {prediction.reveal}."
    )


def _wrong(prediction: Prediction, said: str, why: str, mistake_id: str | None = None):
    return Feedback(
        False,
        f"{said} {why} Think again, or find out in the explorer: {prediction.reveal}.",
        mistakes=(mistake_id,) if mistake_id else (),
    )


def _close(got: float, expected, tolerance: float) -> bool:
    expected = float(expected)
    return abs(got - expected) <= tolerance + 1e-12 * max(1.0, abs(expected))


def _shown(number: float) -> str:
    """14 -> '14', 9098 -> '9,098', 0.5 -> '0.5', 1e-07 -> '1e-07'."""
    if number.is_integer() and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:.6g}"


# ----------------------------------------------------------------------------
# reading an answer
# ----------------------------------------------------------------------------
def read_number(answer, percent: bool = False) -> tuple[float | None, str | None]:
    """The number in ``answer``, or ``(None, why not)`` as a sentence for the learner.

    Takes real numbers (numpy ones too), a pair of equal numbers for a square
    size ((14, 14), "14x14"), and text: "14", " 14.0 ", "9,098", "1e3",
    "14 pixels", and "50%" when ``percent`` (read as 0.5). NaN and infinity
    are returned as they are (the caller says why they cannot be right).
    Never raises.
    """
    if isinstance(answer, str | bytes | np.str_):
        return _number_from_text(answer, percent)
    number = as_real(answer, finite=False)
    if number is not None:
        return number, None
    if isinstance(answer, list | tuple | np.ndarray) and not isinstance(answer, str):
        values = as_shape(answer, whole=False)
        if values and len(values) <= 3 and len(set(values)) == 1:
            return float(values[0]), None
        if values and len(set(values)) > 1:
            return None, (
                f"{short(answer)} holds several numbers: enter one number (for a square "
                "size, its side)."
            )
    return None, f"This question asks for a number, but {why_not_a_number(answer)}."


def _number_from_text(answer, percent: bool) -> tuple[float | None, str | None]:
    if isinstance(answer, bytes):
        answer = answer.decode(errors="replace")
    text = str(answer).strip().strip("\"'").strip()
    if len(text) > _MAX_TEXT:
        return None, "That is a long text; enter just the number you predict, e.g. 14."
    text = text.replace("\u2212", "-")  # a typographic minus
    if text.lower() in ("nan", "inf", "+inf", "-inf", "infinity", "-infinity"):
        return float(text), None
    plain = _without_thousands(text)
    pair = _PAIR.match(plain)
    if pair:
        first, second = float(pair.group(1)), float(pair.group(2))
        if first == second:
            return first, None
        if re.fullmatch(r"[-+]?\d+,\d+", text):
            return None, f"'{text}': write decimals with a point, e.g. {text.replace(',', '.')}."
        return None, (
            f"'{text}' holds two different numbers: enter one number (for a square size, its side)."
        )
    unit = _UNIT.match(plain)
    if unit:
        number = float(unit.group(1))
        if unit.group(2) == "%":
            if not percent:
                return None, (
                    f"'{text}' is a percentage, but this question asks for a plain number: "
                    "enter it without %."
                )
            return number / 100, None
        return number, None
    return None, f"'{short(text)[1:-1]}' is not a number: enter digits, e.g. 14."


def _without_thousands(text: str) -> str:
    """'9,098' -> '9098', '1 000 000' -> '1000000'; other text unchanged."""
    whole = _THOUSANDS.fullmatch(text)
    if whole and whole.group(1):
        return re.sub(r"[,_ '\u202f\u00a0]", "", text)
    return text


def _normalised(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().strip("\"'.!").strip()).casefold()
    return text


def read_choice(answer, choices) -> tuple[str | None, str | None]:
    """The choice ``answer`` names, or ``(None, why not)`` as a sentence for the learner.

    Case, spaces and quotes do not matter; the start of a choice is enough
    when no other choice starts the same way ("diverge" for "diverges
    (overshoots more and more)"). Never raises.
    """
    listed = ", ".join(f"'{c}'" for c in choices)
    if not isinstance(answer, str | np.str_ | bytes):
        return None, (
            f"This question asks you to choose one of: {listed}; but "
            f"{why_not_a_number(answer, 'one of them')}."
        )
    if isinstance(answer, bytes):
        answer = answer.decode(errors="replace")
    given = _normalised(str(answer))[:_MAX_TEXT]
    if not given:
        return None, f"Choose one of: {listed}."
    exact = [c for c in choices if _normalised(c) == given]
    if exact:
        return exact[0], None
    starts = [c for c in choices if _normalised(c).startswith(given)]
    if len(given) >= 3 and len(starts) == 1:
        return starts[0], None
    shown = short(str(answer))
    return None, f"{shown} is not one of the choices: choose one of {listed}."
