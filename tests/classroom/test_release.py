"""The student edition: no model answer anywhere in it, everything a student needs, and
checkers that tell a student who solves the exercises that they did."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from classroom import answers, course, release, sandbox
from classroom.grade import run_notebook
from cnnlib.exercises import catalogue, show_solution

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = catalogue()["exercises"]
SOLUTIONS = answers.load_solutions(ROOT / "cnnlib" / "exercises" / "solutions.py")
WITH_EXERCISES = sorted({e["notebook"] for e in EXERCISES})


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """A student edition of this course folder, made once for the module."""
    made = release.release("student", tmp_path_factory.mktemp("release") / "cnn-course")
    return made


@pytest.fixture(scope="module")
def prints():
    return release.answer_fingerprints(ROOT)


# ----------------------------------------------------------------------------
# the fingerprints, and the search for them
# ----------------------------------------------------------------------------
def test_every_model_answer_has_fingerprints_derived_from_solutions_py(prints):
    assert set(SOLUTIONS) == {e["id"] for e in EXERCISES}
    by_exercise = {e: [p for p in prints if p.exercise == e] for e in SOLUTIONS}
    for exercise, found in by_exercise.items():
        assert any(p.kind == "body" for p in found), exercise
    kinds = {p.kind for p in prints}
    assert kinds == {"body", "statement", "comment", "value"}
    texts = {p.text for p in prints}
    # a few as a reader would spell them, to show what the derivation finds
    assert "[26, 28, 28, 3, 3, 14, 5, 112]" in texts
    assert "return 255 - image" in texts
    assert "block_2 = 12832" in texts
    assert "out[y, x] = (patch * kernel).sum()" in texts


def _planted(exercise: str) -> str:
    """The model answer as a student would see it (show_solution), reformatted a little:
    other indentation, single quotes, a trailing comma, digit groups."""
    shown = str(show_solution(exercise))
    return shown.replace("    ", "  ").replace('"', "'").replace("12832", "12_832")


@pytest.mark.parametrize("exercise", sorted(SOLUTIONS))
def test_the_search_finds_an_answer_planted_in_any_kind_of_file(exercise, prints, tmp_path):
    text = _planted(exercise)
    (tmp_path / "notes.py").write_text(f"# my notes\n{text}\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "print(1)", outputs=[nbformat.v4.new_output("stream", name="stdout", text=text)]
        )
    ]
    nbformat.write(nb, tmp_path / "executed.ipynb")
    with zipfile.ZipFile(tmp_path / "weights.npz", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("answer.txt", text)
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff" + text.encode() + b"\x00")
    (tmp_path / "notes.md").write_text(text.replace("\n", "\r\n"))
    leaks = answers.find_answers(tmp_path, prints)
    where = {leak.path for leak in leaks if leak.fingerprint.exercise == exercise}
    assert where == {
        "notes.py",
        "executed.ipynb",
        "weights.npz:answer.txt",
        "image.png",
        "notes.md",
    }, leaks


def test_the_search_refuses_compiled_python_and_the_answers_module(prints, tmp_path):
    (tmp_path / "cnnlib" / "__pycache__").mkdir(parents=True)
    (tmp_path / "cnnlib" / "__pycache__" / "solutions.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "solutions.py").write_text("SOLUTIONS = {}\n")
    found = {leak.path for leak in answers.find_answers(tmp_path, prints)}
    assert found == {"cnnlib/__pycache__/solutions.cpython-311.pyc", "solutions.py"}


def test_values_are_matched_whole(prints, tmp_path):
    """``block_1 = 448`` is an answer, ``block_1 = 4480`` is not; ``dropout=0`` and
    ``size = 3`` are nobody's."""
    (tmp_path / "a.py").write_text("fit(block_1=4480, dropout=0.5, weight_decay=0.0, size=3)\n")
    assert answers.find_answers(tmp_path, prints) == []
    (tmp_path / "b.py").write_text("block_1 = 448\n")
    assert [leak.path for leak in answers.find_answers(tmp_path, prints)] == ["b.py"]


def test_every_allowance_is_still_needed(prints):
    """Each entry of NOT_ANSWERS names a real fingerprint that really shows in its files."""
    texts = {(p.exercise, p.text) for p in prints}
    for allowance in answers.NOT_ANSWERS:
        assert (allowance.exercise, allowance.text) in texts, allowance
        files = [path for pattern in allowance.paths for path in ROOT.glob(pattern)]
        assert files, allowance
        wanted = [p for p in prints if (p.exercise, p.text) == (allowance.exercise, allowance.text)]
        assert any(answers.find_answers(path.parent, wanted, allowed=()) for path in files), (
            f"{allowance.text!r} no longer shows in {allowance.paths}: drop the allowance"
        )


# ----------------------------------------------------------------------------
# the student edition
# ----------------------------------------------------------------------------
def test_no_model_answer_anywhere_in_the_student_edition(student, prints):
    assert student.fingerprints == len(prints) > 100
    assert answers.find_answers(student.path, prints) == []
    names = {p.name for p in student.path.rglob("*")}
    assert "solutions.py" not in names
    assert not {n for n in names if n.endswith((".pyc", ".egg-info"))}
    assert not names & {"__pycache__", ".git", ".venv", ".ipynb_checkpoints", "classroom"}


def test_the_student_edition_has_what_a_student_needs(student):
    path = student.path
    for name in (
        "README.md",
        "LICENSE",
        "pyproject.toml",
        "environment.yml",
        ".gitignore",
        ".ci/run",
        "data/mnist_5k.npz",
        "data/mnist_cnn_weights.npz",
        "data/README.md",
        "cnnlib/__init__.py",
        "cnnlib/exercises/__init__.py",
        "tests/nbclean.py",
        "tests/exercises/test_checkers_without_answers.py",
    ):
        assert (path / name).is_file(), name
    assert os.access(path / "course", os.X_OK) and os.access(path / ".ci" / "run", os.X_OK)
    if (ROOT / "conftest.py").exists():  # the session's guards run in the student edition too
        assert (path / "conftest.py").is_file()
    for extra in (ROOT / "notebooks").iterdir():  # every notebook, the glossary if any
        if extra.is_file() and extra.suffix in (".ipynb", ".md"):
            assert (path / "notebooks" / extra.name).is_file(), extra.name
    for name in release.ANSWER_FILES:
        assert not (path / name).exists(), name
    assert set(student.files) == {
        p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()
    }


def test_the_student_editions_notebooks_are_clean(student):
    for path in sorted((student.path / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert course.clean_notebook(nb) == nb, path.name


def test_the_readme_says_what_this_copy_is(student):
    readme = (student.path / "README.md").read_text()
    first = readme.split("\n\n")[1]
    assert first.startswith("> **Student edition.**") and "no model answers" in first
    assert "## Teaching with this course" not in readme
    assert "docs/instructors/" not in readme  # left out of this copy: no link to nothing
    assert "## Quick start" in readme  # the rest is there


def test_the_course_command_says_the_classroom_tools_are_not_in_it(student):
    for command in ("release", "grade"):
        run = subprocess.run(
            [str(student.path / "course"), command, "x"], capture_output=True, text=True
        )
        assert run.returncode == 1 and "student edition" in run.stderr, run.stderr


def test_show_solution_in_the_student_edition_sends_to_the_instructor(student):
    script = (
        "import cnnlib.exercises as ex, sys; "
        "assert ex.__file__.startswith(sys.argv[1]), ex.__file__; "
        "print(ex.show_solution('my_conv2d')); "
        "print(bool(ex.check_output_sizes([26, 28, 28, 3, 3, 14, 5, 111])))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(student.path)],
        cwd=student.path,
        env={**os.environ, "PYTHONPATH": str(student.path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "your instructor has them" in run.stdout and run.stdout.endswith("False\n")


@pytest.mark.slow
def test_the_student_editions_own_exercise_tests_pass(student):
    """The tests that stay in the student edition pass there, with its own cnnlib."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/exercises",
            "tests/test_packaging.py",
        ],
        cwd=student.path,
        env={**os.environ, "PYTHONPATH": str(student.path)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and " failed" not in run.stdout


@pytest.mark.slow
@pytest.mark.parametrize("notebook", WITH_EXERCISES)
def test_a_student_who_solves_the_exercises_is_told_so(notebook, student, notebooks, tmp_path):
    """Each model answer pasted into the student edition's own notebook, run with the
    student edition's cnnlib: every check passes, and every cell runs."""
    nb = nbformat.read(student.path / "notebooks" / f"{notebook}.ipynb", as_version=4)
    nb = notebooks.answered(nb, notebooks.model_answers(notebook))
    nb.cells.append(nbformat.v4.new_code_cell("import cnnlib\nprint(cnnlib.__file__)"))
    box = sandbox.detect(student.path, "none")
    run = run_notebook(nb, box, student.path, sandbox.Limits(seconds=900), tmp_path / "run")
    assert run.status == "ok", run.detail
    printed = run.executed.cells[-1].outputs[0]["text"]
    assert printed.startswith(str(student.path / "cnnlib")), printed
    for exercise in notebooks.exercises_of(notebook):
        result = run.results[exercise["id"]]
        assert result["passed"], (exercise["id"], result["message"])


# ----------------------------------------------------------------------------
# refusals, and the instructor edition
# ----------------------------------------------------------------------------
def _course_copy(target: Path) -> Path:
    """This course folder's files (no git, no caches), to release from."""
    for name in ("cnnlib", "data", "notebooks", "tests"):
        shutil.copytree(
            ROOT / name,
            target / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"),
        )
    for name in ("README.md", "LICENSE", "pyproject.toml", "environment.yml", "course"):
        shutil.copy2(ROOT / name, target / name)
    return target


@pytest.mark.slow
def test_a_student_edition_with_an_answer_in_it_is_not_written(tmp_path):
    source = _course_copy(tmp_path / "course")
    cheat = source / "notebooks" / "worked_answers.md"
    cheat.write_text("Exercise 1:\n```python\n" + str(show_solution("my_max_pool")) + "```\n")
    target = tmp_path / "release"
    with pytest.raises(release.ReleaseError) as error:
        release.release("student", target, root=source)
    assert "notebooks/worked_answers.md" in str(error.value)
    assert "my_max_pool" in str(error.value)
    assert not target.exists() and list(tmp_path.iterdir()) == [source]  # nothing left over
    cheat.unlink()
    made = release.release("student", target, root=source)  # outside git: every file
    assert (made.path / "notebooks" / "01_pixels.ipynb").is_file()
    assert not (made.path / "cnnlib" / "exercises" / "solutions.py").exists()


def test_the_target_must_be_new_and_outside_the_course(tmp_path):
    with pytest.raises(release.ReleaseError, match="inside the course folder"):
        release.release("student", ROOT / "student-copy")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(release.ReleaseError, match="already exists"):
        release.release("student", tmp_path / "full")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    with pytest.raises(ValueError, match="edition='teacher'"):
        release.release("teacher", tmp_path / "new")


def test_the_instructor_edition_keeps_everything(tmp_path):
    made = release.release("instructor", tmp_path / "instructor")
    path = made.path
    assert (path / "cnnlib" / "exercises" / "solutions.py").is_file()
    assert (path / "classroom" / "grade.py").is_file()
    assert (path / "tests" / "exercises" / "test_solutions.py").is_file()
    readme = (path / "README.md").read_text()
    assert "> **Instructor edition.**" in readme and "do not share it with students" in readme
    assert "## Teaching with this course" in readme
    assert json.loads((path / "notebooks" / "01_pixels.ipynb").read_text())["cells"]
