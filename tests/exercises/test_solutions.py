"""Model answers: each one, exactly as show_solution shows it, passes its check when put in
the notebook's cell; and without the module of model answers (a student release) every
checker still works while show_solution says the answers are with the instructor."""

from __future__ import annotations

import ast
import builtins
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest

import cnnlib
import cnnlib.exercises as ex
from cnnlib.exercises import catalogue, show_solution

solutions = pytest.importorskip("cnnlib.exercises.solutions")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXERCISES = catalogue()["exercises"]
MATRIX = np.diag(np.full(10, 95))
MATRIX[4, 9], MATRIX[7, 9], MATRIX[9, 4] = 3, 6, 1


def _check_line(exercise):
    """The statement of the exercise's notebook that calls its check, as the notebook wrote it."""
    for cell in nbformat.read(NOTEBOOKS / f"{exercise['notebook']}.ipynb", 4).cells:
        if cell.cell_type != "code" or f"{exercise['check']}(" not in cell.source:
            continue
        for node in ast.parse(cell.source).body:
            call = getattr(node, "value", None)
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == exercise["check"]:
                return ast.get_source_segment(cell.source, node)
    raise AssertionError(f"no call of {exercise['check']} in {exercise['notebook']}")


def test_every_exercise_has_exactly_one_model_answer():
    assert set(solutions.SOLUTIONS) == {e["id"] for e in EXERCISES}
    kinds = {e["id"]: e["kind"] for e in EXERCISES}
    for name, (function, shown_as) in solutions.SOLUTIONS.items():
        assert callable(function)
        assert shown_as == ("function" if kinds[name] == "function" else "cell"), name


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e["id"])
def test_the_answer_as_shown_passes_the_notebooks_own_check(exercise):
    shown = str(show_solution(exercise["id"]))
    # the notebooks' variables a check line may name: notebook 07 passes its `model`
    namespace = {"np": np, "matrix": MATRIX, "model": cnnlib.load_pretrained()}
    exec(f"from cnnlib.exercises import {exercise['check']}", namespace)
    exec(shown, namespace)  # what the learner would paste into the cell
    feedback = eval(_check_line(exercise), namespace)
    assert feedback, f"{shown}\n{feedback}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e["id"])
def test_the_answer_shows_no_library_internals(exercise):
    solution = show_solution(exercise["id"])
    shown = solution.source
    assert solution.available and f"`{exercise['id']}`" in solution._repr_markdown_()
    assert not re.search(r"^\s*@", shown, re.M), "a decorator line"
    assert "cnnlib" not in shown
    names = {n.id for n in ast.walk(ast.parse(shown)) if isinstance(n, ast.Name)}
    assert not {n for n in names if n.startswith("_") or re.fullmatch(r"[A-Z][A-Z0-9_]+", n)}
    defined = {
        n.id
        for n in ast.walk(ast.parse(shown))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    } | {a.arg for a in ast.walk(ast.parse(shown)) if isinstance(a, ast.arg)}
    known = defined | set(dir(builtins)) | {"np", "matrix", exercise["id"]}
    known |= {f.name for f in ast.walk(ast.parse(shown)) if isinstance(f, ast.FunctionDef)}
    assert names <= known, names - known
    if exercise["kind"] == "values":
        assert not shown.startswith("def ") and "return" not in shown


def test_show_solution_without_the_model_answers_says_so_politely(monkeypatch):
    monkeypatch.setitem(sys.modules, "cnnlib.exercises.solutions", None)  # import now fails
    for exercise in EXERCISES:
        solution = show_solution(exercise["id"])
        assert not solution.available and solution.source is None
        assert "not part of this copy of the course: your instructor has them" in str(solution)
        assert "instructor" in solution._repr_markdown_()
    with pytest.raises(ValueError, match="no exercise called"):
        show_solution("nonsense")


def test_the_checkers_never_use_the_model_answers(monkeypatch):
    monkeypatch.setitem(sys.modules, "cnnlib.exercises.solutions", None)
    assert ex.check_my_conv2d(
        lambda x, k, s=1, p=0: cnnlib.reference.conv2d(x, k, stride=s, padding=p)
    )
    assert ex.check_negative(lambda image: 255 - image)
    assert ex.check_output_sizes([26, 28, 28, 3, 3, 14, 5, 112])
    assert ex.check_learning_rate(0.9)
    for path in Path(ex.__file__).parent.glob("*.py"):
        if path.name == "solutions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert not any("solutions" in alias.name for alias in node.names), path.name
            if isinstance(node, ast.ImportFrom):
                names = [node.module or "", *(alias.name for alias in node.names)]
                assert not any("solutions" in name for name in names), path.name
            if isinstance(node, ast.Constant) and node.value == "cnnlib.exercises.solutions":
                assert path.name == "_check.py"  # only show_solution looks it up


def test_a_copy_of_the_course_without_the_module_works(tmp_path):
    """As a student release would ship it: the file deleted, nothing else changed."""
    package = Path(cnnlib.__file__).parent
    shutil.copytree(package, tmp_path / "cnnlib", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "cnnlib" / "exercises" / "solutions.py").unlink()
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        import cnnlib.exercises as ex
        from cnnlib import reference
        assert ex.__file__.startswith(sys.argv[1]), ex.__file__
        right = [
            ex.check_image_sizes((24, 36), 864, (480, 640, 3), 921_600),
            ex.check_negative(lambda image: 255 - image),
            ex.check_my_conv2d(lambda x, k, s=1, p=0: reference.conv2d(x, k, stride=s, padding=p)),
            ex.check_output_sizes([26, 28, 28, 3, 3, 14, 5, 112]),
            ex.check_relu_by_hand([[3, 0, 0, 2], [0, 5, 0, 1], [0, 0, 6, 0], [1, 2, 0, 0]]),
            ex.check_block_parameters(448, 12832),
            ex.check_softmax_by_hand([0.84, 0.11, 0.04]),
            ex.check_learning_rate(0.9),
        ]
        assert all(right), [str(f) for f in right if not f]
        flipped = lambda x, k, s=1, p=0: reference.conv2d(x, k[::-1, ::-1], stride=s, padding=p)
        wrong = ex.check_my_conv2d(flipped)
        assert wrong.mistakes == ("kernel-flipped",), wrong
        print(ex.show_solution("my_conv2d"))
        assert "cnnlib.exercises.solutions" not in sys.modules
        """
    )
    environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "your instructor has them" in run.stdout
