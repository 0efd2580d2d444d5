"""The catalogue of exercises and misconceptions: complete, well-formed, and in step with the
notebooks, so that instructor guides generated from it describe what learners really meet."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

import cnnlib.exercises as ex
from cnnlib.exercises import catalogue

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXERCISES = catalogue()["exercises"]


def _code(notebook):
    return [
        c.source
        for c in nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", 4).cells
        if c.cell_type == "code"
    ]


def _markdown(notebook):
    cells = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", 4).cells
    return "\n".join(c.source for c in cells if c.cell_type == "markdown")


def _calls(source):
    """The check_... functions called in a cell, and the names given to show_solution
    (commented-out lines included: the notebooks offer show_solution that way)."""
    return set(re.findall(r"\b(check_\w+)\(", source)), re.findall(
        r"show_solution\(\"(\w+)\"\)", source
    )


def test_the_catalogue_is_plain_data_with_the_documented_shape():
    data = catalogue()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"exercises", "common", "predictions"}  # predictions: test_predictions
    for exercise in data["exercises"]:
        assert set(exercise) == {"id", "notebook", "number", "title", "kind", "check", "mistakes"}
        assert exercise["kind"] in ("function", "values")
        for mistake in exercise["mistakes"]:
            assert set(mistake) == {"id", "name", "hint", "note"}
    assert len(data["exercises"]) == 18
    assert catalogue() is not data and catalogue() == data  # a fresh copy each time


def test_exercises_are_in_course_order_with_unique_ids():
    ids = [e["id"] for e in EXERCISES]
    assert len(set(ids)) == len(ids)
    order = [(e["notebook"], e["number"]) for e in EXERCISES]
    assert order == sorted(order) and len(set(order)) == len(order)
    for notebook in {e["notebook"] for e in EXERCISES}:
        numbers = [e["number"] for e in EXERCISES if e["notebook"] == notebook]
        assert numbers == list(range(1, len(numbers) + 1)), notebook


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e["id"])
def test_mistakes_are_well_formed_and_unique(exercise):
    common = {m["id"] for m in catalogue()["common"]}
    ids = [m["id"] for m in exercise["mistakes"]]
    assert len(set(ids)) == len(ids), ids
    assert not set(ids) & common, set(ids) & common
    assert re.fullmatch(r"[a-z0-9_]+", exercise["id"])
    for mistake in exercise["mistakes"]:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", mistake["id"]), mistake["id"]
        assert 3 <= len(mistake["name"]) <= 45, mistake["name"]
        assert mistake["hint"].endswith((".", ")", "?")), mistake["hint"]
        assert len(mistake["note"]) >= 60 and mistake["note"] != mistake["hint"], mistake["id"]
        assert mistake["note"].endswith((".", ")", "?")), mistake["id"]


def test_common_mistakes_are_well_formed():
    ids = [m["id"] for m in catalogue()["common"]]
    assert len(set(ids)) == len(ids)
    assert {"placeholder", "returned-none", "too-slow", "unreadable", "raised-error"} <= set(ids)
    for mistake in catalogue()["common"]:
        assert len(mistake["note"]) >= 60


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e["id"])
def test_each_exercise_is_in_its_notebook_under_its_number_and_title(exercise):
    assert (NOTEBOOKS / f"{exercise['notebook']}.ipynb").exists()
    heading = f"Exercise {exercise['number']} \u00b7 {exercise['title']}"
    assert re.search(rf"^#+ {re.escape(heading)}\s*$", _markdown(exercise["notebook"]), re.M), (
        heading
    )
    called = set().union(*(_calls(source)[0] for source in _code(exercise["notebook"])))
    assert exercise["check"] in called
    assert callable(getattr(ex, exercise["check"]))


def test_every_check_and_solution_named_in_a_notebook_is_catalogued():
    checks = {e["check"] for e in EXERCISES}
    ids = {e["id"] for e in EXERCISES}
    not_exercises = {"check_environment", "check_gradients", "check_finite"}  # other checks
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        for source in [*_code(path.stem), _markdown(path.stem)]:
            names, solutions = _calls(source)
            assert names - not_exercises <= checks, (path.name, names - checks)
            assert set(solutions) <= ids, (path.name, solutions)
