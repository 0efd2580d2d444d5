"""Shared by the classroom tests: notebooks as students hand them in.

``answered(notebook, answers)`` writes answers into a course notebook's exercise
cells the way a student pastes them: in the cell that calls the exercise's check,
above the check line, in place of the template lines (imports stay). The model
answers come from ``show_solution``, i.e. from ``cnnlib/exercises/solutions.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from cnnlib.exercises import catalogue, show_solution

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = catalogue()["exercises"]


def exercises_of(notebook: str) -> list[dict]:
    return [e for e in EXERCISES if e["notebook"] == notebook]


def answered(nb, answers: dict[str, str]):
    """A copy of notebook ``nb`` with each exercise id's answer (source code) pasted in."""
    nb = nbformat.from_dict(nb)
    by_check = {e["check"]: e["id"] for e in EXERCISES}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for index, node in enumerate(tree.body):
            call = getattr(node, "value", None)
            name = getattr(getattr(call, "func", None), "id", None)
            if isinstance(call, ast.Call) and by_check.get(name) in answers:
                lines = cell.source.splitlines()
                kept = [
                    ast.get_source_segment(cell.source, n)
                    for n in tree.body[:index]
                    if isinstance(n, ast.Import | ast.ImportFrom)
                ]
                rest = "\n".join(lines[node.lineno - 1 :])
                cell.source = "\n".join([*kept, answers[by_check[name]].rstrip(), "", rest])
                break
    return nb


def model_answers(notebook: str) -> dict[str, str]:
    return {e["id"]: str(show_solution(e["id"])) for e in exercises_of(notebook)}


def course_notebook(notebook: str):
    return nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)


@pytest.fixture(scope="session")
def notebooks():
    """The helpers above, for tests: ``notebooks.answered(...)`` and so on."""

    class Helpers:
        pass

    helpers = Helpers()
    helpers.answered = answered
    helpers.model_answers = model_answers
    helpers.course_notebook = course_notebook
    helpers.exercises_of = exercises_of
    return helpers
