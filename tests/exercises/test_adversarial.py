"""Every public check against a zoo of bad answers: it must answer with a helpful "not yet",
never raise, never hang.

The checks are found through the catalogue, so a new exercise is covered as soon as it is
registered (the test fails until it has a right answer in RIGHT below). For an exercise
where the learner writes values, every argument of a right answer is replaced by each
value of the zoo in turn, and so is the first and last item of a list or dict argument;
for a function exercise, the zoo is passed instead of the function, and functions that
return the zoo, raise, loop forever, recurse, exit or print are passed too.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np
import pytest

import cnnlib.exercises as ex
from cnnlib import kernels
from cnnlib.exercises import Feedback, catalogue


def _zoo():
    path = Path(__file__).with_name("zoo.py")
    spec = importlib.util.spec_from_file_location("_exercise_zoo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_ZOO = _zoo()
Hostile, ZOO = _ZOO.Hostile, _ZOO.ZOO

X = np.array([[1, 0, 0, 0, 1], [0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [0, 1, 0, 1, 0], [1, 0, 0, 0, 1]])
MATRIX = np.diag(np.full(10, 95))
MATRIX[4, 9], MATRIX[7, 9] = 3, 6

#: A right answer to every exercise where the learner writes values, as (args, kwargs),
#: written here independently of the model answers.
RIGHT = {
    "image_sizes": (((24, 36), 864, (480, 640, 3), 921_600), {}),
    "draw_x": ((X,), {}),
    "output_sizes": (([26, 28, 28, 3, 3, 14, 5, 112],), {}),
    "horizontal_edge_kernel": ((kernels.sobel_y(),), {}),
    "pooled_shapes": (([(8, 14, 14), (8, 13, 13), (8, 13, 13), (16, 2, 2)],), {}),
    "relu_by_hand": (([[3, 0, 0, 2], [0, 5, 0, 1], [0, 0, 6, 0], [1, 2, 0, 0]],), {}),
    "block_parameters": ((448, 12_832), {}),
    "softmax_by_hand": (([0.844, 0.114, 0.042],), {}),
    "parameter_count": (
        (
            {
                "conv1": 608,
                "relu1": 0,
                "pool1": 0,
                "conv2": 1168,
                "relu2": 0,
                "pool2": 0,
                "flatten": 0,
                "dense": 10250,
            },
        ),
        {},
    ),
    "learning_rate": ((0.9, 0.0), {}),
    "regulariser": ((), {"weight_decay": 0.0, "dropout": 0.0, "max_shift": 2}),
    "confusion_reading": ((MATRIX, 3, (7, 9)), {}),
    "cover_the_cue": ((7, 11, 3), {}),
}


def _returns(value):
    return lambda *args, **kwargs: value


def _raises(error):
    def learner(*args, **kwargs):
        raise error

    return learner


def _endless(*args):
    i = 0
    while i < 10:
        i == i + 1  # noqa: B015 - the classic slip: == instead of =


def _recurses(*args):
    return _recurses(*args)


def _generator(*args):
    yield args[0]


def _in_place(*args):
    args[0][...] = 0
    return args[0]


def _prints(*args):
    print("working on", *args)


FUNCTION_ZOO = [_returns(v) for v in ZOO] + [
    _raises(ValueError("bad")),
    _raises(MemoryError()),
    _raises(SystemExit(1)),
    _raises(StopIteration()),
    _raises(RuntimeError()),
    lambda: 0,  # takes no arguments
    _endless,
    _recurses,
    _generator,
    _in_place,
    _prints,
    lambda *args: args[0],  # the input unchanged
    lambda *args: np.zeros((3000, 3000)),
    lambda *args: np.asmatrix(np.zeros((2, 2))),
    dict,  # a class is callable too
    Hostile,
]


def _exercises():
    return [e["id"] for e in catalogue()["exercises"]]


def _check(exercise_id):
    exercise = next(e for e in catalogue()["exercises"] if e["id"] == exercise_id)
    return exercise, getattr(ex, exercise["check"])


def _variants(value):
    """The zoo in place of the whole value, and of its first and last items (two levels)."""
    yield from ZOO
    if isinstance(value, dict) and value:
        for key in (next(iter(value)), list(value)[-1]):
            for bad in ZOO:
                yield {**value, key: bad}
    elif isinstance(value, list | tuple) and value:
        for index in sorted({0, len(value) - 1}):
            for bad in _variants(value[index]) if isinstance(value[index], tuple) else ZOO:
                changed = list(value)
                changed[index] = bad
                yield type(value)(changed)


def _calls(exercise):
    """Every (args, kwargs) to try for one exercise."""
    if exercise["kind"] == "function":
        for fn in FUNCTION_ZOO + ZOO:
            yield (fn,), {}
        return
    args, kwargs = RIGHT[exercise["id"]]
    for position, value in enumerate(args):
        for bad in _variants(value):
            yield (*args[:position], bad, *args[position + 1 :]), kwargs
    for name, value in kwargs.items():
        for bad in _variants(value):
            yield args, {**kwargs, name: bad}


def _problem(feedback, exercise_id, seconds, limit):
    if not isinstance(feedback, Feedback):
        return f"returned {type(feedback).__name__}"
    if feedback:
        return "passed"
    if not isinstance(feedback.message, str) or len(str(feedback)) < 40:
        return f"too short to help: {str(feedback)!r}"
    if "Traceback" in str(feedback) or not all(isinstance(d, str) for d in feedback.details):
        return "a traceback or odd details"
    if feedback.exercise != exercise_id or "checker-error" in feedback.mistakes:
        return f"answered by the safety net: {feedback.details}"
    if seconds > 2 * limit + 2.0:
        return f"took {seconds:.1f} s"
    return None


def test_every_exercise_has_a_right_answer_here():
    values = {e["id"] for e in catalogue()["exercises"] if e["kind"] == "values"}
    assert values == set(RIGHT)
    for exercise_id, (args, kwargs) in RIGHT.items():
        if exercise_id != "regulariser":  # trains a network: covered in its own tests
            assert _check(exercise_id)[1](*args, **kwargs), exercise_id


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.asmatrix, on purpose
@pytest.mark.parametrize("exercise_id", _exercises())
def test_a_zoo_of_bad_answers_gets_a_helpful_not_yet(exercise_id, short_time_limit, capsys):
    exercise, check = _check(exercise_id)
    problems, calls = [], 0
    for args, kwargs in _calls(exercise):
        calls += 1
        start = time.monotonic()
        try:
            feedback = check(*args, **kwargs)
        except BaseException as err:  # noqa: BLE001 - exactly what must never happen
            problems.append(f"{_show(args, kwargs)} raised {type(err).__name__}: {err}")
            continue
        problem = _problem(feedback, exercise_id, time.monotonic() - start, short_time_limit)
        if problem:
            problems.append(f"{_show(args, kwargs)}: {problem}")
    assert calls >= len(ZOO)
    assert not problems, "\n".join(problems[:20])


def _show(args, kwargs):
    from cnnlib.exercises._check import (
        short,
    )

    return short(args) + (f" {short(kwargs)}" if kwargs else "")


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_the_generic_checks_hold_up_too(short_time_limit, capsys):
    """check_value and check_function, the public building blocks, under the same zoo."""
    problems = []
    for bad in ZOO:
        try:
            feedback = ex.check_value(bad, 3.0)
            assert isinstance(feedback, Feedback) and not feedback and feedback.message
        except BaseException as err:  # noqa: BLE001
            problems.append(f"check_value({_show((bad,), {})}): {type(err).__name__}: {err}")
    for fn in FUNCTION_ZOO + ZOO:
        try:
            feedback = ex.check_function(fn, lambda x: x * 2, [(np.arange(3.0),)])
            assert isinstance(feedback, Feedback) and not feedback and len(str(feedback)) >= 40
        except BaseException as err:  # noqa: BLE001
            problems.append(f"check_function({_show((fn,), {})}): {type(err).__name__}: {err}")
    assert not problems, "\n".join(problems[:20])
