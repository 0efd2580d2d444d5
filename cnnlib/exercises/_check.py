"""Every check shared between exercises, and the machinery that runs a learner's answer.

A checker takes the learner's answer, compares it with what cnnlib itself
computes, and explains what looks wrong. Two promises hold for all of them:

* **never crash, never hang**: any answer (text, ragged lists, None, complex
  numbers, NaN, huge arrays, a function that loops forever) gets a
  :class:`~cnnlib.exercises._catalogue.Feedback`, never a traceback; reading an
  answer goes through :func:`as_real`, :func:`as_whole_number`, :func:`as_shape`
  and :func:`as_array`, which say why a value cannot be read; a learner's
  function runs under a time limit (:data:`TIME_LIMIT_SECONDS`, see
  :mod:`cnnlib.exercises._time_limit`);
* **name every mistake**: every wrong item is reported, each with the hint of
  the misconception it matches (:mod:`cnnlib.exercises._catalogue`); positions
  count from 0, as in numpy.

Sections: reading an answer (numbers, shapes, arrays); running a learner's
function (:func:`check_function`); :func:`check_value`; :func:`show_solution`.
"""

from __future__ import annotations

import ast
import copy
import difflib
import importlib
import inspect
import math
import numbers
import reprlib
import textwrap
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from cnnlib.exercises._catalogue import (
    _EXERCISES,
    NOT_CALLABLE,
    NOT_FINITE,
    NOT_WRITTEN,
    PLACEHOLDER,
    RAISED_ERROR,
    RETURNED_NONE,
    TOO_SLOW,
    UNREADABLE,
    WRONG_SHAPE,
    Feedback,
    Mistake,
)
from cnnlib.exercises._time_limit import TookTooLong, call_with_time_limit

__all__ = [
    "MAX_ANSWER_SIZE",
    "Solution",
    "TIME_LIMIT_SECONDS",
    "as_array",
    "as_real",
    "as_shape",
    "as_whole_number",
    "check_function",
    "check_value",
    "fragment",
    "is_number",
    "is_placeholder",
    "placeholder_feedback",
    "placeholder_message",
    "positions",
    "same_answer",
    "short",
    "show_solution",
    "why_not_a_number",
]


# ----------------------------------------------------------------------------
# reading an answer: every check shared between exercises, once
# ----------------------------------------------------------------------------
#: An answer with more values than this is refused before it is converted or compared.
MAX_ANSWER_SIZE = 10_000_000

_short_repr = reprlib.Repr()
_short_repr.maxstring = 40
_short_repr.maxother = 60
_short_repr.maxlist = _short_repr.maxtuple = 6


def short(value) -> str:
    """A short, safe repr of any value (never raises)."""
    try:
        return _short_repr.repr(value)
    except Exception:
        return f"a {type(value).__name__}"


def is_placeholder(value) -> bool:
    """True for the notebooks' placeholders, ``None`` and ``...``."""
    return value is None or value is ...


#: Why a placeholder is not an answer, as the end of a sentence ("..., but {reason}").
_STILL_A_PLACEHOLDER = "it is still a placeholder (None or ...)"


def placeholder_message(name: str | None = None, what: str = "your answer", *, every=False) -> str:
    """The one sentence that asks to replace a placeholder.

    Without ``name`` it is about the whole answer ("Replace the placeholder
    (None or ...) with your answer."); with ``name`` it is one line of a
    checker's details, about one part of the answer ("case 3: replace the
    placeholder (None or ...) with a whole number."). ``every`` is for an
    answer that still holds several placeholders.
    """
    which = "every placeholder" if every else "the placeholder"
    if name is None:
        return f"Replace {which} (None or ...) with {what}."
    return f"{name}: replace {which} (None or ...) with {what}."


def placeholder_feedback(what: str = "your answer", name: str | None = None, *, every=False):
    """The feedback for an answer (or the part ``name`` of it) that is still a placeholder:
    :func:`placeholder_message`, not passed, with the catalogue's mistake ``placeholder``."""
    message = placeholder_message(name, what, every=every)
    return Feedback(False, message, mistakes=(PLACEHOLDER.id,))


def as_real(value, finite: bool = True) -> float | None:
    """``value`` as a float if it is a real number (numpy scalars and 0-d arrays
    included), else None. Text, ``True``/``False`` and complex numbers are not
    numbers here; NaN and infinity count only with ``finite=False``."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, np.ndarray):
        if value.ndim != 0 or value.dtype.kind not in "iuf":
            return None
        value = value[()]
    if not isinstance(value, numbers.Real):
        return None
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):  # e.g. 10**400
        return None
    if finite and not math.isfinite(number):
        return None
    return number


def is_number(value) -> bool:
    """True if ``value`` is a finite real number (see :func:`as_real`)."""
    return as_real(value) is not None


def as_whole_number(value) -> int | None:
    """``value`` as an int if it is a finite real number without a fractional part."""
    number = as_real(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


def why_not_a_number(value, want: str = "a number") -> str:
    """Why ``value`` is not ``want`` (a sentence without a final full stop)."""
    if is_placeholder(value):
        return _STILL_A_PLACEHOLDER
    if isinstance(value, str | bytes | np.str_):
        text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
        if as_real(_float_or_none(text)) is not None:
            return f"{short(value)} is text (it is in quotes): write {text.strip()} without quotes"
        return f"{short(value)} is text, not {want}"
    if isinstance(value, bool | np.bool_):
        return f"{value} is a truth value (True or False), not {want}"
    if isinstance(value, numbers.Complex | np.complexfloating) and not isinstance(
        value, numbers.Real
    ):
        return f"{short(value)} is a complex number (the j makes it one), not {want}"
    number = as_real(value, finite=False)
    if number is not None:
        if math.isnan(number):
            return f"{short(value)} is NaN (not a number), not {want}"
        if math.isinf(number):
            return f"{short(value)} is infinite, not {want}"
        return f"{short(value)} is not {want}"
    if isinstance(value, numbers.Integral):
        return f"{short(value)} is far too large to be {want}"
    return f"{_what_it_is(value)}, not {want}"


def _float_or_none(text):
    try:
        return float(text)
    except ValueError:
        return None


def _what_it_is(value) -> str:
    """'it is a dict ({...})' and the like, for a value that is not a number."""
    if isinstance(value, dict):
        return f"it is a dict ({short(value)})"
    if isinstance(value, set | frozenset):
        return f"it is a set ({short(value)}), which has no order"
    if isinstance(value, Iterator):
        return (
            "it is a generator or iterator: a comprehension in round brackets, or a function "
            "with yield, makes one; put square brackets around a comprehension to get a list"
        )
    if callable(value) and not isinstance(value, np.ndarray):
        name = getattr(value, "__name__", type(value).__name__)
        return f"it is a function ({name}); call it to get its result"
    if isinstance(value, list | tuple | np.ndarray):
        kind = "an array" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
        return f"{short(value)} is {kind} of {_length(value)} values"
    return f"it is a {type(value).__name__} ({short(value)})"


def _length(value) -> str:
    try:
        return f"{np.size(value):,}" if isinstance(value, np.ndarray) else f"{len(value):,}"
    except Exception:
        return "several"


def as_array(value) -> tuple[np.ndarray | None, str | None]:
    """``value`` as a float64 array, or ``(None, why not)``.

    Accepts numbers, nested lists and tuples of numbers, and numpy arrays of
    numbers or booleans. Refuses, with a reason that starts with "it": text
    (numpy would quietly parse ``"79"`` as 79), complex numbers, rows of
    different lengths (with where), placeholders left inside, dicts, sets,
    generators, functions, and answers of more than :data:`MAX_ANSWER_SIZE`
    values (without converting them first).
    """
    if is_placeholder(value):
        return None, _STILL_A_PLACEHOLDER
    if isinstance(value, str | bytes | np.str_):
        return None, f"it is text ({short(value)}); write numbers without quotes"
    if isinstance(value, dict | set | frozenset | Iterator) or (
        callable(value) and not isinstance(value, np.ndarray)
    ):
        return None, _what_it_is(value)
    if isinstance(value, np.ndarray):
        size = value.size
    else:
        try:
            size = len(value) if hasattr(value, "__len__") else 1
        except Exception:
            size = 1
    if size > MAX_ANSWER_SIZE:
        return None, f"it has {size:,} values, far more than the answer needs"
    try:
        raw = np.asarray(value)
    except ValueError:  # numpy >= 1.24: rows of different lengths
        return None, _ragged_reason(value)
    except Exception as err:  # MemoryError, or a strange object
        return None, f"it could not be read as numbers ({type(err).__name__})"
    if raw.size > MAX_ANSWER_SIZE:
        return None, f"it has {raw.size:,} values, far more than the answer needs"
    kind = raw.dtype.kind
    if kind in "biuf":
        return raw.astype(np.float64, copy=False), None
    if kind == "c":
        return None, "it contains complex numbers (a j part); the answer is made of real numbers"
    if kind in "US":
        return None, f"it contains text ({short(str(raw.flat[0]))}); write numbers without quotes"
    if kind == "O":
        for item in raw.flat:
            if is_placeholder(item):
                return None, "it still contains a placeholder (None or ...)"
            if as_real(item, finite=False) is None:
                if isinstance(item, str | bytes):
                    return None, f"it contains text ({short(item)}); write numbers without quotes"
                return None, f"it contains something that is not a number: {why_not_a_number(item)}"
        try:
            return raw.astype(np.float64), None
        except Exception:
            return None, "it could not be read as numbers"
    return None, f"it is not made of numbers (numpy reads it as {raw.dtype})"


def _ragged_reason(value) -> str:
    """Where a nested list stops being a grid, counting from 0."""

    def is_row(x):
        return isinstance(x, list | tuple) or (isinstance(x, np.ndarray) and x.ndim > 0)

    def grid_error(items, path):
        if not is_row(items):
            return None
        items = list(items)
        nested = [is_row(x) for x in items]

        def name(i):  # row 2 at the top; [0, 2] (an index) deeper down
            return f"row {i}" if not path else "[" + ", ".join(map(str, (*path, i))) + "]"

        if any(nested) and not all(nested):
            i = nested.index(not nested[0])
            kinds = {True: "a list", False: "a single number"}
            return f"{name(0)} is {kinds[nested[0]]} but {name(i)} is {kinds[nested[i]]}"
        if not any(nested):
            return None
        lengths = [len(x) for x in items]
        for i, length in enumerate(lengths):
            if length != lengths[0]:
                return f"{name(0)} has {lengths[0]} values but {name(i)} has {length}"
        for i, x in enumerate(items):
            inner = grid_error(x, (*path, i))
            if inner:
                return inner
        return None

    try:
        where = grid_error(value, ())
    except Exception:
        where = None
    if where is None:
        return "its rows have different lengths, so it is not a grid of numbers"
    return (
        f"its rows have different lengths: {where} (counting from 0). Every row needs the "
        "same number of values; if you build rows in a loop, check that each runs over the "
        "same range"
    )


def as_shape(value, whole: bool = True) -> tuple | None:
    """``value`` as a tuple of numbers, or None if it is not a flat sequence of finite
    real numbers. A single number becomes a 1-tuple. With ``whole``, every number
    must be whole (and becomes an int); without, fractions stay floats."""
    if is_placeholder(value) or isinstance(value, str | bytes | dict | set | Iterator):
        return None
    single = as_real(value)
    if single is not None:
        items = (value,)
    elif isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.ndim == 1):
        if len(value) > 100:
            return None
        items = tuple(value)
    else:
        return None
    numbers_ = [as_real(v) for v in items]
    if any(n is None for n in numbers_):
        return None
    if whole and not all(n.is_integer() for n in numbers_):
        return None
    return tuple(int(n) if n.is_integer() else n for n in numbers_)


def same_answer(got, expected, rtol=1e-6, atol=1e-8) -> bool:
    """True if ``got`` equals ``expected``: same shape and values within tolerance.

    Never raises: an answer that cannot be read as numbers (text included) is
    simply not the same.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if isinstance(got, np.ndarray) and got.shape != expected.shape:
        return False  # without reading a large wrong answer again
    got_arr, reason = as_array(got)
    if reason is not None or got_arr.shape != expected.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(got_arr, expected, rtol=rtol, atol=atol))


def positions(mask: np.ndarray, limit: int = 12) -> str:
    """The positions where ``mask`` is True, counted from 0: '(0, 1), (2, 2)' or '0, 3'."""
    where = np.argwhere(mask)
    shown = [
        str(int(p[0])) if len(p) == 1 else "(" + ", ".join(str(int(i)) for i in p) + ")"
        for p in where[:limit]
    ]
    more = len(where) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def fragment(hint: str) -> str:
    """A hint as a clause inside a line: first letter lower-case, no final full stop."""
    hint = hint.rstrip()
    if hint.endswith("."):
        hint = hint[:-1]
    first_word = hint.split(" ", 1)[0]
    if any(ch.isupper() for ch in first_word[1:]):  # ReLU, NaN: keep as written
        return hint
    return hint[:1].lower() + hint[1:]


# ----------------------------------------------------------------------------
# running a learner's function
# ----------------------------------------------------------------------------
#: Seconds a learner's function may take on one case (a right answer needs milliseconds).
TIME_LIMIT_SECONDS = 5.0


def run_learner(fn: Callable, args: tuple):
    """Call the learner's ``fn(*args)`` under the time limit.

    Returns ``(outcome, value)``: ``("value", result)``, ``("error", exception)``,
    ``("not-written", None)`` or ``("too-slow", None)``. ``KeyboardInterrupt``
    is not caught: Ctrl+C still stops the check.
    """
    try:
        return "value", call_with_time_limit(fn, args, TIME_LIMIT_SECONDS)
    except TookTooLong:
        return "too-slow", None
    except NotImplementedError:
        return "not-written", None
    except (Exception, SystemExit) as err:  # the learner's code failed (or called exit())
        return "error", err


def too_slow_message(where: str) -> str:
    """The time-limit message: what happened, what usually causes it, what to do."""
    return (
        f"{TOO_SLOW.hint} It ran for more than {TIME_LIMIT_SECONDS:g} s on one case; a right "
        "answer needs a few milliseconds. That usually means an endless loop: a `while` loop "
        "whose condition never becomes false (is the position increased inside the loop?), "
        "or a loop that keeps adding to the list it walks through. Try your function on the "
        f"small case below with a print inside the loop.\n{where}"
    )


def error_line(err: BaseException) -> str:
    """The last line of an exception's traceback, e.g. 'IndexError: index 5 is out of ...'."""
    return traceback.format_exception_only(type(err), err)[-1].strip()


def not_callable(value) -> Feedback:
    """The feedback for a value passed where a function was expected."""
    if is_placeholder(value):
        return placeholder_feedback("your function")
    return Feedback(False, f"{NOT_CALLABLE.hint} Got {short(value)}.", mistakes=(NOT_CALLABLE.id,))


def _copies(case: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else copy.deepcopy(a) for a in case)


def _diagnose(got: np.ndarray, case: tuple, expected: np.ndarray, mistakes: Sequence[Mistake]):
    """The first mistake whose values (or, failing that, shape) match ``got``."""
    with np.errstate(all="ignore"):
        for mistake in mistakes:
            try:
                if mistake.compute is not None:
                    wrong = mistake.compute(*case)
                    if same_answer(got, wrong) and not same_answer(wrong, expected):
                        return mistake
                if mistake.detect is not None and mistake.detect(got, *case):
                    return mistake
            except Exception:  # a mistake that cannot happen for this case
                continue
        if got.shape != expected.shape:
            for mistake in mistakes:
                try:
                    if mistake.shape is None:
                        continue
                    shapes = mistake.shape(*case)
                    shapes = shapes if isinstance(shapes, list) else [shapes]
                    if any(got.shape == tuple(shape) != expected.shape for shape in shapes):
                        return mistake
                except Exception:
                    continue
    return None


def _values_table(expected: np.ndarray, got: np.ndarray) -> list[str]:
    if expected.size > 36 or got.size > 36:
        return []
    with np.errstate(all="ignore"):
        return [f"expected:\n{np.round(expected, 3)}", f"got:\n{np.round(got, 3)}"]


def check_function(
    learner_fn: Callable,
    reference_fn: Callable,
    cases: Sequence[tuple],
    mistakes: Sequence[Mistake] = (),
    describe: Callable[[tuple], str] = repr,
    success: str = "Your function agrees with the reference on every case.",
    *,
    explain_error: Callable | None = None,
    require: Callable | None = None,
    keep_inputs: Mistake | None = None,
    shape_advice: str = "",
) -> Feedback:
    """Run ``learner_fn(*case)`` on every case and compare with ``reference_fn(*case)``.

    Every case runs (on copies of its arrays, under the time limit), and every
    mistake found is reported with the cases it showed in: an error raised by
    the learner's code (``explain_error(err, *case)`` may return a
    ``(Mistake, text)`` that explains it better), ``None`` returned, an answer
    that is not numbers, a known misconception from ``mistakes``, NaN, a wrong
    shape, or values that differ (with their positions, counted from 0). The
    first case that is off is shown in full. ``require(raw, *case)`` may return a
    ``(Mistake, text)`` for a right-valued answer that still breaks a rule (a
    wrong dtype); with ``keep_inputs``, changing an input array in place is
    that mistake; ``shape_advice`` follows the message about a wrong shape. An
    endless loop or an unwritten function ends the check at once.
    """
    if not callable(learner_fn):
        return not_callable(learner_fn)
    findings = []  # (case number, key, mistake or None, text, details)
    right = 0
    for number, case in enumerate(cases, start=1):
        where = f"Case {number} of {len(cases)}: {describe(case)}"
        args = _copies(case)
        outcome, raw = run_learner(learner_fn, args)
        if outcome == "too-slow":
            return Feedback(False, too_slow_message(where), mistakes=(TOO_SLOW.id,))
        if outcome == "not-written":
            text = NOT_WRITTEN.hint if number == 1 else f"{NOT_WRITTEN.hint}\n{where}"
            return Feedback(False, text, mistakes=(NOT_WRITTEN.id,))
        expected = np.asarray(reference_fn(*case), dtype=np.float64)
        if outcome == "error":
            special = explain_error(raw, *case) if explain_error else None
            mistake, text = special or (RAISED_ERROR, RAISED_ERROR.hint)
            key = (mistake.id, type(raw).__name__)
            findings.append((number, key, mistake, text, [where, error_line(raw)]))
            continue
        if raw is None:
            findings.append((number, "none", RETURNED_NONE, RETURNED_NONE.hint, [where]))
            continue
        if keep_inputs is not None and any(
            isinstance(a, np.ndarray) and not np.array_equal(a, b, equal_nan=True)
            for a, b in zip(args, case)
        ):
            findings.append((number, keep_inputs.id, keep_inputs, keep_inputs.hint, [where]))
            continue
        got, reason = as_array(raw)
        if reason is not None:
            text = f"Your function's result cannot be read as numbers: {reason}."
            findings.append((number, "unreadable", UNREADABLE, text, [where]))
            continue
        if same_answer(got, expected):
            broken = require(raw, *case) if require else None
            if broken is None:
                right += 1
            else:
                findings.append((number, broken[0].id, broken[0], broken[1], [where]))
            continue
        mistake = _diagnose(got, case, expected, mistakes)
        details = [where, *_values_table(expected, got)]
        if mistake is not None:
            findings.append((number, mistake.id, mistake, mistake.hint, details))
        elif not np.isfinite(got).all():
            text = (
                f"{NOT_FINITE.hint} Look for a division by zero or an overflow; the "
                "reference gives ordinary numbers here."
            )
            findings.append((number, NOT_FINITE.id, NOT_FINITE, text, details))
        elif got.shape != expected.shape:
            text = f"{WRONG_SHAPE.hint} It is {got.shape}, but should be {expected.shape}."
            text += f" {shape_advice}" if shape_advice else ""
            findings.append((number, WRONG_SHAPE.id, WRONG_SHAPE, text, details))
        else:
            with np.errstate(all="ignore"):
                off = ~np.isclose(got, expected, rtol=1e-6, atol=1e-8)
            text = "The shape is right but some values differ from the reference."
            details.append(f"wrong at {positions(off)} (positions counted from 0)")
            findings.append((number, "values", None, text, details))
    if not findings:
        return Feedback(True, success)
    return _summarise(findings, right, len(cases))


def _summarise(findings, right: int, total: int) -> Feedback:
    """One feedback naming every distinct mistake, with the cases it showed in."""
    groups: dict = {}
    for number, key, mistake, text, _details in findings:
        group = groups.setdefault(key, {"mistake": mistake, "text": text, "cases": []})
        group["cases"].append(number)
    first_details = findings[0][4]
    ids = tuple(dict.fromkeys(g["mistake"].id for g in groups.values() if g["mistake"]))
    score = f"right on {right} of {total} cases"
    first_case = first_details[0]
    if len(groups) == 1:
        (group,) = groups.values()
        others = group["cases"][1:]
        if len(group["cases"]) == total:
            also = "; the same on every case"
        else:
            also = f"; the same on {_cases(others)}" if others else ""
        message = f"{group['text']}\n{first_case} ({score}{also})"
        return Feedback(False, message, first_details[1:], mistakes=ids)
    lines = [f"Several things to fix ({score}):"]
    lines += [f"- {g['text']} ({_cases(g['cases'])})" for g in groups.values()]
    lines.append(f"First case that is off: {first_case[:1].lower()}{first_case[1:]}")
    return Feedback(False, "\n".join(lines), first_details[1:], mistakes=ids)


def _cases(numbers_: list[int]) -> str:
    if len(numbers_) == 1:
        return f"case {numbers_[0]}"
    return "cases " + ", ".join(map(str, numbers_[:-1])) + f" and {numbers_[-1]}"


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
    if is_placeholder(answer):
        return placeholder_feedback()
    got, reason = as_array(answer)
    if reason is not None:
        return Feedback(False, f"{UNREADABLE.hint} Here {reason}.", mistakes=(UNREADABLE.id,))
    if same_answer(got, expected):
        return Feedback(True, success)
    for wrong, hint in mistakes:
        if same_answer(got, wrong):
            return Feedback(False, hint)
    return Feedback(False, otherwise)


# ----------------------------------------------------------------------------
# model answers, shown only on request
# ----------------------------------------------------------------------------
_SOLUTIONS_MODULE = "cnnlib.exercises.solutions"

_NOT_HERE = (
    "The model answers are not part of this copy of the course: your instructor has them. "
    "Keep going with the checker's hints (they name the mistake they recognise), and ask "
    "your instructor when you are stuck."
)


@dataclass(frozen=True)
class Solution:
    """A model answer; shows as highlighted code in a notebook.

    ``source`` is None in a copy of the course without model answers; the
    display then says so.
    """

    name: str
    source: str | None

    @property
    def available(self) -> bool:
        return self.source is not None

    def __str__(self) -> str:
        return self.source if self.source is not None else _NOT_HERE

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        if self.source is None:
            return f"**Model answer: `{self.name}`**\n\n{_NOT_HERE}"
        return f"**Model answer: `{self.name}`**\n\n```python\n{self.source}```"


def show_solution(name: str) -> Solution:
    """Return the model answer of exercise ``name`` (try the exercise first!).

    A function exercise shows the whole function; an exercise where you write
    values shows the lines of the cell. In a copy of the course without the
    model answers (a student release), says that the instructor has them.
    """
    if name not in _EXERCISES:
        known = sorted(_EXERCISES)
        close = difflib.get_close_matches(str(name), known, n=1)
        suggestion = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"show_solution: there is no exercise called {name!r}.{suggestion} The exercises "
            f"are: {', '.join(known)}."
        )
    try:
        module = importlib.import_module(_SOLUTIONS_MODULE)
    except ImportError as err:
        if err.name != _SOLUTIONS_MODULE:  # the module is there but broken: a real fault
            raise
        return Solution(name, None)
    function, kind = module.SOLUTIONS[name]
    return Solution(name, shown_source(function, kind))


def shown_source(function: Callable, kind: str) -> str:
    """The code a learner sees for a model answer.

    ``kind`` "function": the function as written. "cell": the lines of the
    notebook cell, i.e. the function's body without its ``def`` line, its
    docstring and its final ``return`` line (which only hands the values to
    the tests).
    """
    source = textwrap.dedent(inspect.getsource(function))
    if kind == "function":
        return source
    lines = source.splitlines()
    node = ast.parse(source).body[0]
    body = node.body
    start = body[0].lineno
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        start = body[0].end_lineno + 1  # skip the docstring
    else:  # keep comment lines between the def line and the first statement
        while start - 2 > node.lineno - 1 and lines[start - 2].strip().startswith("#"):
            start -= 1
    if not isinstance(body[-1], ast.Return):
        raise ValueError(f"the cell answer {function.__name__} must end with a return line")
    end = body[-1].lineno - 1
    return textwrap.dedent("\n".join(lines[start - 1 : end])).strip("\n") + "\n"
