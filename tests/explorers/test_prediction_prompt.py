"""The prediction widget, driven headlessly as a learner uses it.

Type into the number box (or press a choice), click Check (or press Enter, which the
browser sends as a "submit" message), read the feedback line. Also: every control
has a name, the feedback sits in a live region, nothing a learner can type gets a
traceback, each check is logged, and the static view of a saved notebook shows the
question and an empty answer line but never the answer. The browser side (axe-core,
the keyboard, the live region in Chromium) is tests/browser/test_prediction_prompt.py.
"""

from __future__ import annotations

import asyncio
import html
import re

import ipywidgets as widgets
import pytest

from cnnlib import PredictionPrompt, predict_first
from cnnlib.exercises import attempts, clear_results, find_prediction, predictions

NUMBER = "conv-stride-2-padding-1"
CHOICE = "descent-lr-1.1"
TYPED = [
    "",
    " ",
    "fourteen",
    "14,5",
    "14 x 15",
    "nan",
    "inf",
    "1e999",
    "9" * 5000,
    "<b>14</b>",
    "\u0000",
    "🙂",
    "-",
    "14%",
]


@pytest.fixture(autouse=True)
def fresh_log():
    clear_results()
    yield
    clear_results()


def enter(prompt, text):
    """Type ``text`` and press Enter, as JupyterLab sends it."""
    prompt.controls["answer"].value = text
    prompt.controls["answer"]._handle_custom_msg({"event": "submit"}, [])
    return prompt.feedback


def click_check(prompt, value):
    prompt.controls["answer"].value = value
    prompt.controls["check"].click()
    return prompt.feedback


def feedback_text(prompt) -> str:
    """The feedback line as a screen reader reads it (the hidden icon left out)."""
    shown = re.sub(r'<span aria-hidden="true">.*?</span>', "", prompt._feedback.value)
    return html.unescape(re.sub(r"<[^>]+>", "", shown)).strip()


# ----------------------------------------------------------------------------
# using it
# ----------------------------------------------------------------------------
def test_a_number_prediction_is_checked_with_the_button():
    prompt = predict_first(NUMBER)
    assert isinstance(prompt, PredictionPrompt) and prompt.feedback is None
    assert isinstance(prompt.controls["answer"], widgets.Text)
    wrong = click_check(prompt, "13")
    assert not wrong.passed and wrong.mistakes == ("padding-forgotten",)
    shown = feedback_text(prompt)
    assert shown.startswith("Not yet. You predicted 13.")
    assert find_prediction(NUMBER).mistake("padding-forgotten").hint in shown
    right = click_check(prompt, "14")
    assert right.passed and "Right! You predicted 14." in feedback_text(prompt)


def test_enter_in_the_number_box_checks():
    prompt = predict_first(NUMBER)
    assert enter(prompt, "28").mistakes == ("stride-ignored",)
    assert enter(prompt, " 14 ").passed
    prompt.controls["answer"]._handle_custom_msg({"event": "something else"}, [])
    prompt.controls["answer"]._handle_custom_msg("not a dict", [])
    assert len(attempts("prediction")) == 2  # only Enter checks


def test_a_choice_prediction_offers_one_button_per_choice():
    prompt = predict_first(CHOICE)
    prediction = find_prediction(CHOICE)
    buttons = prompt.controls["answer"]
    assert isinstance(buttons, widgets.ToggleButtons)
    assert list(buttons.options) == list(prediction.choices) and buttons.value is None
    nothing = click_check(prompt, None)  # Check before choosing
    assert nothing.mistakes == ("placeholder",) and "one of the choices" in nothing.message
    bounce = click_check(prompt, "bounces in (overshoots, but settles)")
    assert bounce.mistakes == ("big-steps-bounce-in",)
    assert "You predicted: bounces in (overshoots, but settles)." in feedback_text(prompt)
    assert click_check(prompt, prediction.expected).passed


@pytest.mark.parametrize("prediction_id", [p.id for p in predictions()])
def test_every_prediction_can_be_shown_and_answered(prediction_id):
    prompt = predict_first(prediction_id)
    prediction = prompt.prediction
    value = prediction.expected if prediction.choices else f"{prediction.expected}"
    assert click_check(prompt, value).passed
    if prediction.percent:
        assert click_check(prompt, f"{100 * prediction.expected:g}%").passed


@pytest.mark.parametrize("text", TYPED)
def test_whatever_is_typed_gets_a_sentence_not_a_traceback(text):
    prompt = predict_first(NUMBER)
    feedback = click_check(prompt, text)
    assert not feedback.passed and len(feedback.message) >= 40
    shown = feedback_text(prompt)
    assert "Traceback" not in shown and "checker-error" not in feedback.mistakes
    assert "<b>14</b>" not in prompt._feedback.value  # what the learner typed is escaped


def test_each_check_is_logged_as_a_prediction():
    prompt = predict_first(NUMBER)
    click_check(prompt, "13")
    enter(prompt, "14")
    logged = attempts("prediction")
    assert [a["exercise"] for a in logged] == [NUMBER, NUMBER]
    assert [a["passed"] for a in logged] == [False, True]
    assert attempts("exercise") == []


def test_an_unknown_id_names_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'descent-lr-1.1'"):
        predict_first("descent-lr-11")


# ----------------------------------------------------------------------------
# accessible by construction
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("prediction_id", [NUMBER, CHOICE])
def test_every_control_has_a_name_and_the_feedback_a_live_region(prediction_id):
    prompt = predict_first(prediction_id)
    answer, check = prompt.controls["answer"], prompt.controls["check"]
    assert check.description == "Check" and not check.icon
    if isinstance(answer, widgets.ToggleButtons):
        assert all(option.strip() for option in answer.options)  # each button's name
        assert answer.description == ""  # no label that names nothing (the question does)
    else:
        assert answer.description == "Your prediction"  # the accessible name
        assert answer.style.description_width == "0px"  # hidden: the question labels it visibly
        assert answer.placeholder and answer.continuous_update  # Enter sends the last key too
    live = prompt._feedback.value
    assert live.startswith('<div role="status" aria-live="polite" aria-atomic="true">')
    check.click()
    assert prompt._feedback.value.startswith('<div role="status" aria-live="polite"')
    assert '<span aria-hidden="true">' in prompt._feedback.value  # the icon is not read out
    children = prompt.widget.children
    assert children[0] is prompt._question and children[-1] is prompt._feedback
    assert "<b>Predict:</b>" in prompt._question.value


# ----------------------------------------------------------------------------
# the static view: the question and an empty line, never the answer
# ----------------------------------------------------------------------------
def _strip(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


@pytest.mark.parametrize("prediction_id", [p.id for p in predictions()])
def test_the_static_view_shows_the_question_but_never_the_answer(prediction_id):
    prompt = predict_first(prediction_id)
    prediction = prompt.prediction
    bundle = prompt._repr_mimebundle_()
    assert set(bundle) >= {"text/plain", "text/html", "application/vnd.jupyter.widget-view+json"}
    for static in (bundle["text/plain"], _strip(bundle["text/html"])):
        text = " ".join(static.split())
        question = " ".join(prediction.question.split())
        assert f"Predict: {question}" in text
        assert "Your prediction:" in text
        for secret in (prediction.explanation, prediction.nudge, prediction.reveal):
            assert secret not in static
        for mistake in prediction.mistakes:
            assert mistake.hint not in static
        if prediction.choices:
            assert all(choice in static for choice in prediction.choices)  # all, unmarked
        else:
            rest = text.replace(question, "")
            number = f"{prediction.expected:g}"
            assert not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", rest), rest
    assert repr(prompt) == bundle["text/plain"]


# ----------------------------------------------------------------------------
# in a live notebook: Enter may overtake the last key (see cnnlib.explorers.prediction)
# ----------------------------------------------------------------------------
def test_in_a_notebook_a_check_waits_for_the_value_still_on_its_way():
    from cnnlib.explorers.prediction import SETTLE_SECONDS

    async def learner():
        prompt = predict_first(NUMBER)
        box = prompt.controls["answer"]
        box.value = "1"  # the first key has reached the kernel, the second is held back
        box._handle_custom_msg({"event": "submit"}, [])  # Enter goes out at once
        box._handle_custom_msg({"event": "submit"}, [])  # pressed twice: still one check
        assert prompt.feedback is None  # waiting for the rest of the answer
        box.value = "13"  # the held-back update arrives
        assert prompt.feedback.mistakes == ("padding-forgotten",)
        box.value = "14"  # typed slowly: already there when Check is clicked
        prompt.controls["check"].click()
        assert not prompt.feedback.passed  # not yet checked: it waits a moment
        await asyncio.sleep(SETTLE_SECONDS + 0.2)
        assert prompt.feedback.passed
        return [a["passed"] for a in attempts("prediction")]

    assert asyncio.run(learner()) == [False, True]


def test_an_exported_notebook_shows_the_question_and_no_answer():
    """nbconvert (which GitHub uses) without saved widget state renders the text/html."""
    import nbformat
    from nbconvert import HTMLExporter

    prompt = predict_first(CHOICE)
    bundle = prompt._repr_mimebundle_()
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f'predict_first("{CHOICE}")')
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    notebook.cells = [cell]
    page, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "Predict: On the parabola" in text and "Your prediction:" in text
    assert prompt.prediction.explanation not in text and "Right!" not in text
