"""Every exercise checker, tested without knowing a single model answer.

The student edition of the course (``./course release student``) leaves out the
model answers and the tests that compare right answers with them; this file
stays in it, so that a student's copy still tests every checker on what matters
to a learner and to a grader:

* each exercise's own cells in its notebook, left untouched, are "not attempted"
  (a placeholder, or a function still raising ``NotImplementedError``), never a
  pass and never a crash: what a grader sees for a blank submission;
* for the exercises where the learner writes a function: cnnlib's own
  implementation passes (the library is part of every copy), typical slips built
  from it are named, and the common mistakes (no ``return``, an error, an endless
  loop, a value instead of a function) are recognised;
* for the exercises where the learner writes values: answers of the wrong kind
  in every place (text, NaN, huge numbers, odd objects, the zoo of
  ``tests/exercises/zoo.py``) are refused quickly, with a catalogued mistake
  where the kind is plainly wrong;
* ``show_solution`` either shows the answer or, in a copy without the answers,
  says politely that the instructor has them.

Nothing here is a right value of an exercise where the learner writes values.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

import cnnlib
import cnnlib.exercises as ex
from cnnlib.exercises import catalogue, show_solution

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXERCISES = catalogue()["exercises"]
FUNCTIONS = [e for e in EXERCISES if e["kind"] == "function"]
VALUES = [e for e in EXERCISES if e["kind"] == "values"]
MATRIX = np.diag(np.full(10, 90)) + 1  # a stand-in for notebook 06's confusion matrix
NOT_ATTEMPTED = {"placeholder", "not-written"}

#: Right functions, from cnnlib itself: what the learner's loops must agree with.
FROM_THE_LIBRARY = {
    "negative": lambda image: cnnlib.negative(image),
    "my_conv2d": lambda image, kernel, stride=1, padding=0: cnnlib.conv2d(
        image, kernel, stride=stride, padding=padding
    ),
    "my_max_pool": lambda x, size=2, stride=2: cnnlib.max_pool2d(x, size, stride),
    "my_leaky_relu": cnnlib.leaky_relu,
    "softmax": cnnlib.softmax,
}

#: Typical slips, built from the library, and the mistake each checker must name.
SLIPS = {
    "negative": (lambda image: cnnlib.negative(image).astype(float), "not-uint8"),
    "my_conv2d": (
        lambda image, kernel, stride=1, padding=0: cnnlib.conv2d(
            image, kernel[::-1, ::-1], stride=stride, padding=padding
        ),
        "kernel-flipped",
    ),
    "my_max_pool": (
        lambda x, size=2, stride=2: cnnlib.avg_pool2d(x, size, stride),
        "average-pooling",
    ),
    "my_leaky_relu": (lambda x, negative_slope=0.01: cnnlib.relu(x), "plain-relu"),
    "softmax": (lambda scores: np.exp(np.asarray(scores, dtype=float)), "exp-not-normalised"),
}

#: Answers of the wrong kind, put in every place of a values exercise: each must be
#: refused with a mistake from the catalogue.
ODD_VALUES = ["12", float("nan"), float("inf"), {"a": 1}, object(), (x for x in range(3)), 1j]
#: Wrong answers of the right kind: refused, with or without a recognised mistake.
WRONG_VALUES = [10**100, -1, [1, [2, 3]], 7]


def _zoo() -> list:
    """The zoo of bad answers shared with test_adversarial.py (tests/exercises/zoo.py)."""
    spec = importlib.util.spec_from_file_location(
        "_exercise_zoo", Path(__file__).with_name("zoo.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ZOO


ZOO = _zoo()


# ----------------------------------------------------------------------------
# each exercise's cells, as its notebook poses it
# ----------------------------------------------------------------------------
def _section(exercise) -> list[str]:
    """The code cells under the exercise's heading, up to the next heading."""
    heading = re.compile(
        rf"^#+ Exercise {exercise['number']} \u00b7 {re.escape(exercise['title'])}\s*$", re.M
    )
    cells = nbformat.read(NOTEBOOKS / f"{exercise['notebook']}.ipynb", 4).cells
    code, inside = [], False
    for cell in cells:
        if cell.cell_type == "markdown":
            if inside and re.search(r"^#+ ", cell.source, re.M):
                break
            inside = inside or bool(heading.search(cell.source))
        elif inside:
            code.append(cell.source)
    assert code, f"no cells under the heading of {exercise['id']}"
    return code


@functools.cache
def _course_network():
    return cnnlib.load_pretrained()


def _namespace() -> dict:
    """What the notebook's earlier cells give an exercise's cells: its imports, and the
    course's trained network as ``model`` (notebook 07's default)."""
    namespace = {name: getattr(cnnlib, name) for name in cnnlib.__all__}
    namespace.update({name: getattr(ex, name) for name in ex.__all__})
    namespace.update({"np": np, "matrix": MATRIX.copy(), "model": _course_network()})
    return namespace


def _run_template(exercise, namespace):
    """Run the exercise's cells as the notebook has them; return (the check's feedback,
    the check call's source, the names the cells assign)."""
    feedback, call, assigned = None, None, []
    for source in _section(exercise):
        for node in ast.parse(source).body:
            segment = ast.get_source_segment(source, node)
            value = getattr(node, "value", None)
            if isinstance(value, ast.Call) and getattr(value.func, "id", "") == exercise["check"]:
                call = segment
                feedback = eval(segment, namespace)
            else:
                exec(segment, namespace)
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        names = target.elts if isinstance(target, ast.Tuple) else [target]
                        assigned += [t.id for t in names if isinstance(t, ast.Name)]
    assert call is not None, f"{exercise['id']}: its cells never call {exercise['check']}"
    return feedback, call, assigned


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e["id"])
def test_the_untouched_cells_are_not_attempted(exercise):
    feedback, _, _ = _run_template(exercise, _namespace())
    assert feedback is not None and not feedback.passed
    assert feedback.exercise == exercise["id"]
    assert feedback.mistakes and set(feedback.mistakes) <= NOT_ATTEMPTED, feedback.mistakes


# ----------------------------------------------------------------------------
# functions
# ----------------------------------------------------------------------------
def _check(exercise):
    return getattr(ex, exercise["check"])


def test_every_function_exercise_is_covered_here():
    assert {e["id"] for e in FUNCTIONS} == set(FROM_THE_LIBRARY) == set(SLIPS)


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=lambda e: e["id"])
def test_the_librarys_own_function_passes(exercise):
    feedback = _check(exercise)(FROM_THE_LIBRARY[exercise["id"]])
    assert feedback.passed, str(feedback)
    assert feedback.mistakes == ()


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=lambda e: e["id"])
def test_a_typical_slip_is_named(exercise):
    function, mistake = SLIPS[exercise["id"]]
    assert mistake in {m["id"] for m in exercise["mistakes"]}
    feedback = _check(exercise)(function)
    assert not feedback.passed and mistake in feedback.mistakes, str(feedback)


def _returns_nothing(*args, **kwargs):
    pass


def _raises(*args, **kwargs):
    return 1 / 0


def _loops(*args, **kwargs):
    while True:
        pass


def _unwritten(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("exercise", FUNCTIONS, ids=lambda e: e["id"])
@pytest.mark.parametrize(
    ("answer", "mistake"),
    [
        (_returns_nothing, "returned-none"),
        (_raises, "raised-error"),
        (_loops, "too-slow"),
        (_unwritten, "not-written"),
        (np.zeros((3, 3)), "not-callable"),
    ],
    ids=["no-return", "raises", "endless-loop", "unwritten", "a-value"],
)
def test_the_common_mistakes_with_functions(exercise, answer, mistake, short_time_limit):
    started = time.perf_counter()
    feedback = _check(exercise)(answer)
    assert not feedback.passed and mistake in feedback.mistakes, str(feedback)
    assert time.perf_counter() - started < 10 * short_time_limit + 5


# ----------------------------------------------------------------------------
# values
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("exercise", VALUES, ids=lambda e: e["id"])
def test_values_of_the_wrong_kind_are_refused_quickly(exercise):
    namespace = _namespace()
    _, call, assigned = _run_template(exercise, namespace)
    assert assigned, f"{exercise['id']}: its cells assign no answer"
    known = {m["id"] for m in exercise["mistakes"]} | {m["id"] for m in catalogue()["common"]}
    for value in ODD_VALUES + WRONG_VALUES + ZOO:
        for name in assigned:
            namespace[name] = value
        started = time.perf_counter()
        feedback = eval(call, namespace)
        assert not feedback.passed, (value, str(feedback))
        assert set(feedback.mistakes) <= known, (value, feedback.mistakes)
        assert feedback.mistakes or not any(value is odd for odd in ODD_VALUES), (value, feedback)
        assert time.perf_counter() - started < 5, value


# ----------------------------------------------------------------------------
# model answers
# ----------------------------------------------------------------------------
def test_show_solution_shows_the_answer_or_sends_to_the_instructor():
    present = importlib.util.find_spec("cnnlib.exercises.solutions") is not None
    for exercise in EXERCISES:
        solution = show_solution(exercise["id"])
        assert solution.available is present
        if not present:  # a student edition
            assert "your instructor has them" in str(solution)
            assert "instructor" in solution._repr_markdown_()
