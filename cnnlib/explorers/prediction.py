"""Predict, then move the slider: the question a notebook shows before an explorer.

``predict_first("conv-stride-2-padding-1")`` in a cell shows the prediction's
question (:mod:`cnnlib.exercises.predictions`), a number box or one button
per choice, a Check button and a feedback line. Check (or Enter in the number
box) runs :func:`cnnlib.exercises.check_prediction`: right, or "not yet" with
the hint of the typical wrong prediction it recognises, and where the
explorer below shows the answer. Every check goes to the session log.

Accessible without custom JavaScript: the number box and the choice buttons
have names (the box's label "Your prediction" is hidden, the question above
it says what to enter), Tab reaches the box, each choice and Check; Enter in
the box checks; the feedback is written into a ``role="status"`` live region,
so a screen reader reads it out, and a choice question's feedback starts with
the choice made (ipywidgets' toggle buttons do not expose which one is
pressed). A static view of the notebook (GitHub, nbconvert) shows the question
and an empty answer line, never the answer.

Why a check waits a moment in a live notebook: the browser sends what is
typed as value updates, and while the kernel is still answering one update it
holds the next one back, but a key press or a click goes out at once. Typing
"13" and pressing Enter quickly can therefore reach the kernel as "1",
Enter, "13". So a check asked for by Enter or Check waits until the value
arrives, or :data:`SETTLE_SECONDS` when nothing more comes (in a script or a
test, without a running event loop, it checks at once).
"""

from __future__ import annotations

import asyncio
import html

import ipywidgets as widgets

from cnnlib.exercises import check_prediction, find_prediction

__all__ = ["PredictionPrompt", "predict_first"]

ACCENT = "#4a5bc4"  # the prompt's left border: the course's prediction colour
RIGHT = ("#e6f4ea", "#1e7e34", "&#10004;")  # background, border, icon
NOT_YET = ("#fff4e0", "#a35200", "&#9888;")
LIVE = '<div role="status" aria-live="polite" aria-atomic="true">{}</div>'
#: How long a check asked for in a notebook waits for a value update still on its way.
SETTLE_SECONDS = 0.15


def predict_first(prediction_id: str) -> PredictionPrompt:
    """Show the prediction ``prediction_id`` in a notebook: question, answer box, Check.

    Put it in the cell before an explorer; the list of ids is
    ``[p["id"] for p in cnnlib.exercises.catalogue()["predictions"]]``.

    Returns
    -------
    PredictionPrompt
        Displays itself; ``prompt.feedback`` is the last verdict.
    """
    return PredictionPrompt(prediction_id)


class PredictionPrompt:
    """A prediction's question with an answer control, a Check button and a feedback line.

    Parameters
    ----------
    prediction_id : str
        An id from ``catalogue()["predictions"]``; an unknown one is a
        ValueError naming the closest.

    Attributes
    ----------
    prediction : cnnlib.exercises.Prediction
    controls : dict
        ``"answer"`` (a Text box for a number, ToggleButtons for a choice) and
        ``"check"`` (the Check button); set the answer's ``value`` and call
        ``controls["check"].click()`` to drive it headlessly.
    feedback : Feedback or None
        The last verdict (None before the first check).
    widget : ipywidgets.VBox
        What the notebook shows.
    """

    def __init__(self, prediction_id: str):
        self.prediction = find_prediction(prediction_id)
        self.feedback = None
        self._waiting = None  # a check asked for, waiting for the value to arrive
        p = self.prediction
        if p.choices:  # each button is named by its choice; the question labels the group
            answer = widgets.ToggleButtons(
                options=list(p.choices),
                value=None,
                style={"button_width": "auto"},
                layout=widgets.Layout(width="auto"),
            )
        else:  # named "Your prediction", a label kept out of sight: the question labels it
            answer = widgets.Text(
                value="",
                placeholder="your number",
                description="Your prediction",
                style={"description_width": "0px"},
                continuous_update=True,
                layout=widgets.Layout(width="11em"),
            )
            answer.on_msg(self._on_message)  # Enter in the box
        check = widgets.Button(
            description="Check",
            tooltip="check your prediction",
            button_style="primary",
            layout=widgets.Layout(width="auto", min_width="6em"),
        )
        check.on_click(lambda _: self._check_soon())
        answer.observe(self._answer_arrived, names="value")
        self.controls = {"answer": answer, "check": check}
        self._question = widgets.HTML(self._question_html())
        self._feedback = widgets.HTML(LIVE.format(""), layout=widgets.Layout(width="100%"))
        if p.choices:
            row = widgets.VBox([answer, check], layout=widgets.Layout(align_items="flex-start"))
        else:
            row = widgets.HBox([answer, check])
        self.widget = widgets.VBox(
            [self._question, row, self._feedback],
            layout=widgets.Layout(
                border_left=f"4px solid {ACCENT}", padding="2px 0 4px 10px", margin="6px 0"
            ),
        )

    # -- checking ---------------------------------------------------------------------------
    def check(self):
        """Check the answer entered now; show and return the Feedback."""
        self.feedback = check_prediction(self.prediction.id, self.controls["answer"].value)
        self._feedback.value = LIVE.format(_verdict_html(self.feedback))
        return self.feedback

    def _on_message(self, _widget, content, _buffers):
        if isinstance(content, dict) and content.get("event") == "submit":
            self._check_soon()

    def _check_soon(self):
        """Check once the answer typed before Enter (or the click) has arrived (see above)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a script or a test: every update has already arrived
            self.check()
            return
        if self._waiting is None:
            self._waiting = loop.call_later(SETTLE_SECONDS, self._check_waiting)

    def _answer_arrived(self, change):
        if self._waiting is not None:  # the update a check was waiting for
            self._waiting.cancel()
            self._check_waiting()

    def _check_waiting(self):
        self._waiting = None
        self.check()

    # -- what a notebook shows ---------------------------------------------------------------
    def _question_html(self) -> str:
        p = self.prediction
        how = (
            "Choose one, then press Check."
            if p.choices
            else "Type a number, then press Enter or Check."
        )
        return (
            f'<div style="line-height:1.45"><b>Predict:</b> {html.escape(p.question)}'
            f'<br><span style="color:#444;font-size:92%">Write your prediction down first. '
            f"{how} Then try it in the explorer below.</span></div>"
        )

    def _static_html(self) -> str:
        p = self.prediction
        lines = [f"<p style='margin:0 0 4px 0'><b>Predict:</b> {html.escape(p.question)}</p>"]
        if p.choices:
            items = "".join(f"<li>{html.escape(c)}</li>" for c in p.choices)
            lines.append(
                f"<p style='margin:0'>Choose one:</p><ul style='margin:2px 0'>{items}</ul>"
            )
        lines.append(
            "<p style='margin:4px 0 0 0'>Your prediction: "
            "<span style='display:inline-block;min-width:8em;border-bottom:1px solid #555'>"
            "&nbsp;</span> <i>(run this notebook in Jupyter to check it)</i></p>"
        )
        return (
            f"<div style='border-left:4px solid {ACCENT};padding:2px 0 4px 10px;margin:6px 0'>"
            + "".join(lines)
            + "</div>"
        )

    def _static_text(self) -> str:
        p = self.prediction
        lines = [f"Predict: {p.question}"]
        if p.choices:
            lines += [f"  ( ) {c}" for c in p.choices]
        lines.append("Your prediction: ________  (run this notebook in Jupyter to check it)")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget, plus the question as HTML and text for static viewers.

        JupyterLab shows the widget; GitHub, nbviewer and HTML exports show the
        question with an empty answer line (never the answer).
        """
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude))
        bundle["text/html"] = self._static_html()
        bundle["text/plain"] = self._static_text()
        return bundle

    def __repr__(self) -> str:
        return self._static_text()


def _verdict_html(feedback) -> str:
    background, border, icon = RIGHT if feedback.passed else NOT_YET
    verdict = "Right!" if feedback.passed else "Not yet."
    return (
        f'<div style="background:{background};border-left:4px solid {border};'
        f'padding:6px 10px;margin:2px 0;line-height:1.45;color:#1a1a1a">'
        f'<span aria-hidden="true">{icon}</span> <b>{verdict}</b> '
        f"{html.escape(feedback.message)}</div>"
    )
