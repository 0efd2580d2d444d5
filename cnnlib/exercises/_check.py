"""The machinery behind every exercise check: run the learner's answer on
several cases, compare with the reference, and explain what looks wrong.

A check is built from:

* ``cases``: the inputs to try, small ones first so a hint can show them;
* the reference answer for each case;
* ``mistakes``: typical wrong answers, each a function computing what a
  learner with that misconception would get, plus the hint to give when the
  learner's answer matches it (e.g. "you flipped the kernel").

:func:`check_function` and :func:`check_value` return a :class:`Feedback`,
which shows as a coloured box in a notebook and as text in a terminal, and is
truthy when the answer is right (so tests can ``assert check_...(answer)``).
"""

from __future__ import annotations

import html
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Feedback",
    "Mistake",
    "check_function",
    "check_value",
    "same_answer",
    "solution",
    "show_solution",
]


@dataclass
class Feedback:
    """The verdict of a check: ``passed`` and a message for the learner."""

    passed: bool
    message: str
    details: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        head = ("Correct! " if self.passed else "Not yet. ") + self.message
        return "\n".join([head, *self.details])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, border, icon = (
            ("#e6f4ea", "#1e8e3e", "&#10004;") if self.passed else ("#fef7e0", "#b06000", "&#9888;")
        )
        body = html.escape(self.message).replace("\n", "<br>")
        extra = "".join(f"<pre style='margin:4px 0'>{html.escape(d)}</pre>" for d in self.details)
        verdict = "Correct!" if self.passed else "Not yet."
        return (
            f"<div style='background:{colour};border-left:4px solid {border};"
            f"padding:8px 12px;margin:4px 0'>{icon} <b>{verdict}</b> {body}{extra}</div>"
        )


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: ``compute(*case)`` is what that mistake produces."""

    compute: Callable
    hint: str


def same_answer(got, expected, rtol=1e-6, atol=1e-8) -> bool:
    """True if ``got`` equals ``expected``: same shape and values within tolerance."""
    if isinstance(expected, (int, float, np.integer, np.floating)) and not isinstance(
        got, (np.ndarray, list, tuple)
    ):
        try:
            return bool(np.isclose(float(got), float(expected), rtol=rtol, atol=atol))
        except (TypeError, ValueError):
            return False
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=float)
    return got_arr.shape == expected.shape and bool(
        np.allclose(got_arr, expected, rtol=rtol, atol=atol)
    )


def _shape_of(value):
    try:
        return tuple(np.shape(value))
    except (TypeError, ValueError):
        return None


def _diagnose(got, case, expected, mistakes: Sequence[Mistake]) -> str | None:
    for mistake in mistakes:
        try:
            wrong = mistake.compute(*case)
        except Exception:  # a mistake that cannot happen for this case
            continue
        if same_answer(got, wrong) and not same_answer(wrong, expected):
            return mistake.hint
    return None


def check_function(
    learner_fn: Callable,
    reference_fn: Callable,
    cases: Sequence[tuple],
    mistakes: Sequence[Mistake] = (),
    describe: Callable[[tuple], str] = repr,
    success: str = "Your function agrees with the reference on every case.",
) -> Feedback:
    """Run ``learner_fn(*case)`` for every case and compare with ``reference_fn``.

    Stops at the first failing case and explains it: the case, an exception
    raised by the learner's code (with its last line), a wrong shape, or a hint
    from ``mistakes`` when the answer matches a known misconception.
    """
    if not callable(learner_fn):
        return Feedback(
            False, f"Pass your function itself (without calling it), got {learner_fn!r}."
        )
    for number, case in enumerate(cases, start=1):
        expected = reference_fn(*case)
        where = f"Case {number} of {len(cases)}: {describe(case)}"
        try:
            got = learner_fn(*case)
        except NotImplementedError:
            return Feedback(
                False,
                "The function is not written yet: replace the `raise "
                "NotImplementedError` line with your code.",
            )
        except Exception as err:  # the learner's code failed: show where and why
            last = traceback.format_exception_only(type(err), err)[-1].strip()
            return Feedback(False, f"Your function raised an error.\n{where}", [last])
        if same_answer(got, expected):
            continue
        hint = _diagnose(got, case, expected, mistakes)
        got_shape, want_shape = _shape_of(got), _shape_of(expected)
        if hint is None and got_shape != want_shape:
            hint = (
                f"The result has shape {got_shape}, but should have shape {want_shape}. "
                "Check how many positions the window can take along each axis."
            )
        if hint is None:
            hint = "The shape is right but some values differ."
        details = []
        if np.size(expected) <= 36:
            details = [
                f"expected:\n{np.round(np.asarray(expected, dtype=float), 3)}",
                f"got:\n{np.round(np.asarray(got, dtype=float), 3)}",
            ]
        return Feedback(False, f"{hint}\n{where}", details)
    return Feedback(True, success)


def check_value(
    answer,
    expected,
    mistakes: Sequence[tuple[object, str]] = (),
    success: str = "That is right.",
    otherwise: str = "That is not it.",
) -> Feedback:
    """Compare a single answer (number or array) with the expected one.

    ``mistakes`` lists ``(wrong_answer, hint)`` pairs for typical wrong answers.
    """
    if answer is None or answer is ...:
        return Feedback(False, "Replace the placeholder (None or ...) with your answer.")
    if same_answer(answer, expected):
        return Feedback(True, success)
    for wrong, hint in mistakes:
        if same_answer(answer, wrong):
            return Feedback(False, hint)
    return Feedback(False, otherwise)


# ----------------------------------------------------------------------------
# solutions, shown only on request
# ----------------------------------------------------------------------------
_SOLUTIONS: dict[str, Callable] = {}


def solution(name: str):
    """Decorator: register a function as the model answer of exercise ``name``."""

    def register(fn):
        _SOLUTIONS[name] = fn
        return fn

    return register


@dataclass(frozen=True)
class Solution:
    """The source of a model answer; shows as highlighted code in a notebook."""

    name: str
    source: str

    def __str__(self) -> str:
        return self.source

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"**Solution: `{self.name}`**\n\n```python\n{self.source}```"


def show_solution(name: str) -> Solution:
    """Return the model answer of exercise ``name`` (try the exercise first!)."""
    import inspect

    if name not in _SOLUTIONS:
        known = ", ".join(sorted(_SOLUTIONS)) or "none yet"
        raise ValueError(f"no solution called {name!r}; the exercises with solutions are: {known}")
    return Solution(name, inspect.getsource(_SOLUTIONS[name]))
