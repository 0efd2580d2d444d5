"""The record of the exercises: what each checks, what each found.

* :class:`Feedback`: the verdict a checker returns, stamped with the exercise's
  id and the ids of the mistakes found;
* :class:`Mistake` and :class:`Exercise`: every exercise, with a stable id,
  its notebook, number and title, and the typical mistakes its checker
  recognises, each with a hint for the learner and a note for the instructor;
  :data:`COMMON_MISTAKES` are the ones any checker may report;
* :func:`checker`: the decorator that registers an exercise's checker, keeps
  every exception away from the learner, and logs each verdict;
* :class:`Prediction`: a "predict, then move the slider" question asked before
  an explorer, with its expected answer and the typical wrong predictions (the
  questions themselves are in :mod:`cnnlib.exercises.predictions`);
* :func:`catalogue`: all of it as plain data, for the instructor guides;
* :func:`results` and :func:`attempts`: the session log a grader reads after
  running a learner's notebook (checks of exercises and of predictions, told
  apart by their ``kind``).
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import difflib
import functools
import html
import inspect
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "COMMON_MISTAKES",
    "Exercise",
    "Feedback",
    "Mistake",
    "Prediction",
    "attempts",
    "catalogue",
    "checker",
    "clear_results",
    "exercises",
    "find_prediction",
    "predictions",
    "register_predictions",
    "results",
]


# ----------------------------------------------------------------------------
# feedback
# ----------------------------------------------------------------------------
@dataclass
class Feedback:
    """The verdict of a check: ``passed``, a message for the learner, and for graders
    the id of the exercise (or prediction) and the ids of the mistakes found (see
    :func:`catalogue`).

    Truthy when the answer is right, so tests can ``assert check_...(answer)``.
    A failed check with no mistake ids means the answer is wrong in a way the
    checker does not recognise. ``kind`` is ``"exercise"``, or ``"prediction"``
    for the check of a prediction made before an explorer (whose id is then in
    ``exercise``).
    """

    passed: bool
    message: str
    details: list[str] = field(default_factory=list)
    exercise: str | None = None
    mistakes: tuple[str, ...] = ()
    kind: str = "exercise"

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
        extra = "".join(
            f"<pre style='margin:4px 0;white-space:pre-wrap'>{html.escape(d)}</pre>"
            for d in self.details
        )
        verdict = "Correct!" if self.passed else "Not yet."
        return (
            f"<div style='background:{colour};border-left:4px solid {border};"
            f"padding:8px 12px;margin:4px 0'>{icon} <b>{verdict}</b> {body}{extra}</div>"
        )

    def to_dict(self) -> dict:
        """The verdict as plain data (JSON-ready): what a grader stores."""
        return {
            "exercise": self.exercise,
            "kind": self.kind,
            "passed": bool(self.passed),
            "message": self.message,
            "details": list(self.details),
            "mistakes": list(self.mistakes),
        }


# ----------------------------------------------------------------------------
# mistakes, exercises and the catalogue
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer, or misconception, that a checker recognises.

    ``id`` is stable (graders and the instructor guides refer to it), ``name``
    a few words, ``hint`` what the learner is told, ``note`` how an instructor
    can address it in class. A function checker recognises it in one of three
    ways: ``compute(*case)`` gives the values a learner with this misconception
    gets; ``detect(got, *case)`` says whether the (float array) answer shows it;
    ``shape(*case)`` gives the shape it produces (or a list of shapes), used
    when no values match.
    """

    id: str
    name: str
    hint: str
    note: str
    compute: Callable | None = field(default=None, compare=False, repr=False)
    detect: Callable | None = field(default=None, compare=False, repr=False)
    shape: Callable | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "hint": self.hint, "note": self.note}


@dataclass(frozen=True)
class Exercise:
    """One exercise: a stable ``id`` (also the name for :func:`show_solution`),
    its ``notebook`` (file name without ``.ipynb``), its ``number`` and ``title``
    there, ``kind`` ("function": the learner writes a function; "values": the
    learner writes values), and the :class:`Mistake` objects its checker knows.
    """

    id: str
    notebook: str
    number: int
    title: str
    kind: str
    mistakes: tuple[Mistake, ...] = ()
    check: str = ""  # the checker's name, filled in by @checker

    def mistake(self, mistake_id: str) -> Mistake:
        """The exercise's own mistake called ``mistake_id``, else the common one."""
        for mistake in (*self.mistakes, *COMMON_MISTAKES):
            if mistake.id == mistake_id:
                return mistake
        raise KeyError(f"exercise {self.id!r} has no mistake {mistake_id!r}")

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "notebook": self.notebook,
            "number": self.number,
            "title": self.title,
            "kind": self.kind,
            "check": self.check,
            "mistakes": [m.as_dict() for m in self.mistakes],
        }


PLACEHOLDER = Mistake(
    "placeholder",
    "Answer left as a placeholder",
    "Replace the placeholder (None or ...) with your answer.",
    "Not a misconception: the exercise was not attempted, or the cell was run before it was "
    "edited. A grader counts it as unanswered. When many students leave the same exercise "
    "blank, it probably came at the end of a rushed session: do it together next time.",
)
NOT_WRITTEN = Mistake(
    "not-written",
    "Function left unwritten",
    "The function is not written yet: replace the `raise NotImplementedError` line with your code.",
    "The template's `raise NotImplementedError` line is still there. At the first exercise, "
    "show that this line stands in for the answer and is deleted, not kept above it.",
)
NOT_CALLABLE = Mistake(
    "not-callable",
    "Passed a result instead of the function",
    "Pass your function itself, without calling it: no brackets after its name.",
    "The student wrote check(my_function(...)) because functions as values are new to them. "
    "Show that `my_function` names the recipe while `my_function(x)` cooks it once; the "
    "checker needs the recipe, to cook it on its own cases.",
)
RETURNED_NONE = Mistake(
    "returned-none",
    "Forgot to return",
    "Your function returned None: did you forget the `return` line? A function that only "
    "computes or prints its result gives back None.",
    "The commonest slip with functions: the result is computed (often printed, so it looks "
    "right) but never returned. Put print and return side by side on the board: print shows "
    "a value to a person, return hands it back to the code that called the function.",
)
RAISED_ERROR = Mistake(
    "raised-error",
    "The function raised an error",
    "Your function raised an error.",
    "The feedback names the case and the error's last line. Have the student call their "
    "function on that small case in a cell of their own and read the traceback from the "
    "bottom up; most errors here are indices past the border or mismatched shapes.",
)
TOO_SLOW = Mistake(
    "too-slow",
    "Took too long (endless loop)",
    "Your function took too long, so the check stopped it.",
    "Almost always a `while` loop whose variable never changes (the `+= 1` is missing or "
    "sits outside the loop), or a loop that grows the list it walks through. Ask for a "
    "print inside the loop on a tiny input, and watch the value that should end it. The "
    "check gives up after a few seconds; a right answer needs milliseconds.",
)
UNREADABLE = Mistake(
    "unreadable",
    "Not the kind of answer asked for",
    "This is not the kind of answer the exercise asks for.",
    "Python's types getting in the way: a number in quotes ('79'), a pair where one number "
    "is asked, a generator from a comprehension in round brackets, hand-typed rows of "
    "different lengths, a stray j that makes a complex number. The hint says which. A "
    "two-minute aside pays off: 79 versus '79', (7, 9) versus 79, [...] versus (...).",
)
NOT_FINITE = Mistake(
    "not-finite",
    "NaN or infinity in the answer",
    "The answer contains NaN (not a number) or infinity.",
    "Usually an overflow (exp of a large number), a division by zero, or a NaN typed in on "
    "purpose. Show how inf - inf and 0 / 0 give NaN and how one NaN spreads through every "
    "later sum; np.isfinite finds them.",
)
WRONG_SHAPE = Mistake(
    "wrong-shape",
    "Wrong shape",
    "The result has the wrong shape.",
    "A shape the checker cannot trace to one particular slip. Ask the student to work out the "
    "expected shape on paper before coding, then print the shape of their result: reasoning "
    "about shapes is half of this course.",
)
WRONG_CALL = Mistake(
    "wrong-call",
    "Check called the wrong way",
    "The check was called with the wrong arguments.",
    "The student edited the check line itself (dropped an argument, renamed a variable). "
    "Tell them to leave the check line as the notebook wrote it and change only the answer "
    "above it.",
)
CHECKER_ERROR = Mistake(
    "checker-error",
    "The checker failed",
    "The checker could not judge this answer: that is a fault in the checker, not "
    "necessarily in your answer.",
    "Should not happen: every checker is tested against hundreds of odd answers. Note the "
    "answer that caused it and report it to the course's maintainers.",
)

#: Mistakes every checker may report, whatever the exercise.
COMMON_MISTAKES = (
    PLACEHOLDER,
    NOT_WRITTEN,
    NOT_CALLABLE,
    RETURNED_NONE,
    RAISED_ERROR,
    TOO_SLOW,
    UNREADABLE,
    NOT_FINITE,
    WRONG_SHAPE,
    WRONG_CALL,
    CHECKER_ERROR,
)

_EXERCISES: dict[str, Exercise] = {}


def checker(exercise: Exercise):
    """Decorator: register ``exercise`` and make the decorated function its checker.

    The checker is called only with arguments its signature accepts, never
    lets an exception escape (``KeyboardInterrupt`` aside), returns a
    :class:`Feedback` stamped with the exercise's id, and logs it for
    :func:`results`.
    """

    def wrap(fn):
        if exercise.id in _EXERCISES:
            raise ValueError(f"two exercises are called {exercise.id!r}")
        registered = dataclasses.replace(exercise, check=fn.__name__)
        _EXERCISES[exercise.id] = registered
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def check(*args, **kwargs) -> Feedback:
            try:
                signature.bind(*args, **kwargs)
            except TypeError as err:
                shown = signature.replace(return_annotation=inspect.Signature.empty)
                feedback = Feedback(
                    False,
                    f"{WRONG_CALL.hint} It is {fn.__name__}{shown}; here: {err}. Keep the check "
                    "line as the notebook wrote it, and change only your answer.",
                    mistakes=(WRONG_CALL.id,),
                )
            else:
                try:
                    feedback = fn(*args, **kwargs)
                except Exception as err:  # a fault in the checker must not reach the learner
                    last = traceback.format_exception_only(type(err), err)[-1].strip()
                    feedback = Feedback(
                        False, CHECKER_ERROR.hint, [last], mistakes=("checker-error",)
                    )
            feedback.exercise = registered.id
            _record(feedback, registered.notebook, registered.title)
            return feedback

        check.exercise = registered
        return check

    return wrap


def exercises() -> list[Exercise]:
    """Every registered exercise, in course order (notebook, then number)."""
    return sorted(_EXERCISES.values(), key=lambda e: (e.notebook, e.number))


# ----------------------------------------------------------------------------
# predictions: "predict, then move the slider"
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Prediction:
    """A question asked before an explorer, answered first and then seen in the explorer.

    Predicting before exploring is what makes an explorer teach: the learner
    commits to a number or a choice, then moves the controls and sees whether
    the picture agrees. A prediction is not graded; its answer is what the
    explorer shows, so it stays in a student copy of the course.

    Attributes
    ----------
    id : str
        Stable, lower case with dashes (``"conv-stride-2-padding-1"``): the
        name a notebook passes to :func:`cnnlib.predict_first` or
        :func:`cnnlib.exercises.check_prediction`.
    notebook : str
        The notebook it is asked in (file name without ``.ipynb``).
    explorer : str
        The explorer that reveals the answer (its class name).
    title : str
        A few words for the instructor guides and the session log.
    question : str
        The question, in full sentences, naming the settings to use.
    answer : number, str, or callable
        The expected answer: a number, one of ``choices``, or a function of no
        arguments that computes it with cnnlib (read it as :attr:`expected`).
    explanation : str
        Why that is the answer; shown once the prediction is right.
    reveal : str
        Where the explorer shows it, as an instruction ("set stride 2 ... and
        read the feature map's title"); shown with every verdict.
    nudge : str
        What to think about when a wrong answer matches none of ``mistakes``.
    choices : tuple of str
        The possible answers of a choice question; empty for a number.
    settings : mapping
        The explorer's control values the question names, in the order to
        set them (``{"stride": 2, "padding": 1}``); the tests set them and
        read what the explorer shows.
    moves : tuple of str
        The controls the learner is asked to move (``("stride", "padding")``;
        ``("upload",)`` for a question about uploading a picture, ``("drawing",)``
        for one about drawing on the pad).
    tolerance : float
        How far a number may be from the answer and still count as right.
    percent : bool
        Whether a number may be given in percent ("50%" for 0.5).
    mistakes : tuple of Mistake
        Typical wrong predictions: each one's ``compute()`` gives the wrong
        answer it stands for.
    """

    id: str
    notebook: str
    explorer: str
    title: str
    question: str
    answer: object = field(repr=False)
    explanation: str
    reveal: str
    nudge: str
    choices: tuple[str, ...] = ()
    settings: Mapping = field(default_factory=dict, hash=False)
    moves: tuple[str, ...] = ()
    tolerance: float = 0.0
    percent: bool = False
    mistakes: tuple[Mistake, ...] = ()

    @property
    def kind(self) -> str:
        """What the learner enters: ``"choice"`` (one of :attr:`choices`) or ``"number"``."""
        return "choice" if self.choices else "number"

    @functools.cached_property
    def expected(self):
        """The expected answer (computed once when :attr:`answer` is a function)."""
        answer = self.answer() if callable(self.answer) else self.answer
        if isinstance(answer, str):
            return answer
        number = float(answer)
        return int(number) if number.is_integer() else number

    def mistake(self, mistake_id: str) -> Mistake:
        """The prediction's own mistake called ``mistake_id``, else the common one."""
        for mistake in (*self.mistakes, *COMMON_MISTAKES):
            if mistake.id == mistake_id:
                return mistake
        raise KeyError(f"prediction {self.id!r} has no mistake {mistake_id!r}")

    def as_dict(self) -> dict:
        wrong = []
        for mistake in self.mistakes:
            entry = mistake.as_dict()
            value = mistake.compute() if mistake.compute is not None else None
            if value is not None and not isinstance(value, str):
                value = float(value)
                value = int(value) if value.is_integer() else value
            entry["answer"] = value
            wrong.append(entry)
        return {
            "id": self.id,
            "kind": "prediction",
            "notebook": self.notebook,
            "explorer": self.explorer,
            "title": self.title,
            "question": self.question,
            "answer_type": self.kind,
            "choices": list(self.choices),
            "answer": self.expected,
            "explanation": self.explanation,
            "reveal": self.reveal,
            "settings": dict(self.settings),
            "moves": list(self.moves),
            "mistakes": wrong,
        }


_PREDICTIONS: dict[str, Prediction] = {}


def register_predictions(*items: Prediction) -> None:
    """Add predictions to the catalogue (each id once, in course order as given)."""
    for item in items:
        if item.id in _PREDICTIONS or item.id in _EXERCISES:
            raise ValueError(f"two exercises or predictions are called {item.id!r}")
        _PREDICTIONS[item.id] = item


def predictions() -> list[Prediction]:
    """Every prediction, in course order (notebook, then the order within it)."""
    order = {key: n for n, key in enumerate(_PREDICTIONS)}
    return sorted(_PREDICTIONS.values(), key=lambda p: (p.notebook, order[p.id]))


def find_prediction(prediction_id) -> Prediction:
    """The prediction called ``prediction_id``; a ValueError naming the closest ones if none."""
    found = _PREDICTIONS.get(prediction_id) if isinstance(prediction_id, str) else None
    if found is not None:
        return found
    known = sorted(_PREDICTIONS)
    close = difflib.get_close_matches(str(prediction_id), known, n=3)
    suggestion = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"there is no prediction called {prediction_id!r}.{suggestion} The catalogue lists "
        "them all: [p['id'] for p in cnnlib.exercises.catalogue()['predictions']]."
    )


def catalogue() -> dict:
    """Every exercise and prediction, with the mistakes each check recognises, as plain
    (JSON-ready) data.

    Returns
    -------
    dict
        ``{"exercises": [...], "common": [...], "predictions": [...]}``. Each
        exercise: ``id`` (stable; also the name for :func:`show_solution`),
        ``notebook``, ``number``, ``title``, ``kind`` ("function" or "values"),
        ``check`` (the checker's name) and ``mistakes``; each mistake: ``id``,
        ``name``, ``hint`` (for the learner) and ``note`` (for the instructor).
        ``common`` lists the mistakes any check may report (a placeholder left
        in, a forgotten ``return``, an endless loop...). Mistake ids are unique
        within an exercise together with the common ones.

        Each prediction (a question asked before an explorer, see
        :class:`Prediction`): ``id``, ``kind`` ("prediction"), ``notebook``,
        ``explorer``, ``title``, ``question``, ``answer_type`` ("number" or
        "choice"), ``choices``, ``answer`` (what the explorer shows),
        ``explanation``, ``reveal`` (where the explorer shows it), ``settings``
        (the control values the question names), ``moves`` (the controls the
        learner moves) and ``mistakes`` (the typical wrong predictions, each
        with the wrong ``answer`` it stands for).
    """
    return {
        "exercises": [e.as_dict() for e in exercises()],
        "common": [m.as_dict() for m in COMMON_MISTAKES],
        "predictions": [p.as_dict() for p in predictions()],
    }


# ----------------------------------------------------------------------------
# the session log: what a grader reads after running a notebook
# ----------------------------------------------------------------------------
_ATTEMPTS: collections.deque = collections.deque(maxlen=10_000)
_LATEST: dict[str, dict] = {}


def _record(feedback: Feedback, notebook: str, title: str) -> None:
    entry = {
        **feedback.to_dict(),
        "notebook": notebook,
        "title": title,
        "time": time.time(),
    }
    _ATTEMPTS.append(entry)
    before = _LATEST.get(feedback.exercise, {})
    _LATEST[feedback.exercise] = {
        **entry,
        "attempts": before.get("attempts", 0) + 1,
        "ever_passed": before.get("ever_passed", False) or entry["passed"],
    }


def results(kind: str | None = None) -> dict[str, dict]:
    """The latest check of each exercise (and prediction) checked in this session, by id.

    Each value is plain data: ``exercise`` (the id), ``kind`` ("exercise", or
    "prediction" for a prediction checked before an explorer), ``notebook``,
    ``title``, ``passed``, ``message``, ``details``, ``mistakes`` (ids, see
    :func:`catalogue`), ``time`` (seconds since the epoch), ``attempts`` (how
    many checks of it ran) and ``ever_passed``. An exercise whose check never
    ran is absent. A grader runs the notebook, then reads this, e.g.
    ``json.dumps(results("exercise"))``: ``kind`` keeps only that kind
    (predictions are practice, not graded).
    """
    return copy.deepcopy(
        {key: entry for key, entry in _LATEST.items() if kind in (None, entry["kind"])}
    )


def attempts(kind: str | None = None) -> list[dict]:
    """Every check run in this session, oldest first (the last 10,000), as in
    :func:`results`; ``kind`` ("exercise" or "prediction") keeps only that kind."""
    return copy.deepcopy([entry for entry in _ATTEMPTS if kind in (None, entry["kind"])])


def clear_results() -> None:
    """Forget every check run so far (for a grader that runs several notebooks in one process)."""
    _ATTEMPTS.clear()
    _LATEST.clear()
