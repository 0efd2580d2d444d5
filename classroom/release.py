"""Copies of the course to hand out: a student edition without any model answer,
and an instructor edition that keeps everything.

``./course release student DIR`` writes a folder that works on its own
(``./course lab``, ``./course test``) and in which no model answer exists:

* the model answers module ``cnnlib/exercises/solutions.py`` is left out, so
  ``show_solution(...)`` says that the instructor has the answers, while every
  checker keeps giving its hints (they never use that module);
* the tests that hold model answers (:data:`ANSWER_FILES`) are left out; the
  others stay, among them ``tests/exercises/test_checkers_without_answers.py``,
  which tests every checker without knowing a single answer;
* the instructor's tools (:data:`INSTRUCTOR_ONLY`) stay out too;
* notebooks are copied clean (no outputs: an instructor's executed notebook may
  show ``show_solution`` output), and the README starts with a note that says
  what this copy is and where it came from.

Only the files git tracks are copied (an untracked scratch notebook with
answers in ``notebooks/`` stays behind), or, outside git, every file but caches
and environments. Before the folder is put in place, every file of it is
searched for the fingerprints of every model answer (:mod:`classroom.answers`);
if any shows, nothing is written and the error names the file and the answer.
"""

from __future__ import annotations

import datetime
import fnmatch
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from classroom import answers, course

__all__ = [
    "ANSWER_FILES",
    "EDITIONS",
    "INSTRUCTOR_ONLY",
    "JUNK",
    "STUDENT_CONTENTS",
    "Release",
    "ReleaseError",
    "answer_fingerprints",
    "release",
    "stage_library",
]

EDITIONS = ("student", "instructor")

#: The top of the student edition: what a learner needs to work through the course
#: and to check that their copy works. Anything else stays out, until it is added here.
STUDENT_CONTENTS = (
    ".ci",
    ".gitignore",
    "LICENSE",
    "README.md",
    "benchmarks",
    "cnnlib",
    "conftest.py",
    "course",
    "data",
    "environment.yml",
    "notebooks",
    "pyproject.toml",
    "tests",
)

#: Files of the course that hold model answers: left out of the student edition.
#: The tests among them compare right answers; the checkers are still tested there by
#: tests/exercises/test_checkers_without_answers.py and the other exercise tests.
ANSWER_FILES = (
    "cnnlib/exercises/solutions.py",
    "tests/exercises/test_adversarial.py",
    "tests/exercises/test_exercises_activations.py",
    "tests/exercises/test_exercises_classifier.py",
    "tests/exercises/test_exercises_convolution.py",
    "tests/exercises/test_exercises_inside.py",
    "tests/exercises/test_exercises_pixels.py",
    "tests/exercises/test_exercises_pooling.py",
    "tests/exercises/test_exercises_training.py",
    "tests/exercises/test_solutions.py",
)

#: The instructor's tools and their tests: not part of the student edition. The guides'
#: generator and its tests go with the guides (the tests quote answer-like values that the
#: guides may hold, to allow them there).
INSTRUCTOR_ONLY = (
    "classroom",
    "tests/classroom",
    "docs/instructors",
    "tests/instructor_guides.py",
    "tests/test_instructor_guides.py",
)

#: Never copied, in either edition: caches, environments, build output, screenshots.
JUNK = (
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "*.pyc",
    "*.pyo",
    ".ipynb_checkpoints",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    "*.egg-info",
    "build",
    "dist",
    ".DS_Store",
    "browser-screenshots",
    "benchmarks/results",
)

_NOTE = {
    "student": (
        "> **Student edition.** This copy of the course was made for a class with `./course "
        "release student`{source}. It has every notebook, the library, the data and the tests, "
        "but no model answers: `show_solution(...)` tells you that your instructor has them, and "
        "the exercise checkers still tell you what looks right and what does not. Work in it, "
        "commit your work to git if you like, and hand in your executed notebooks the way your "
        "instructor asks."
    ),
    "instructor": (
        "> **Instructor edition.** This copy of the course was made with `./course release "
        "instructor`{source} and keeps everything, model answers included: do not share it with "
        "students. `./course release student DIR` makes the copy for them."
    ),
}


class ReleaseError(RuntimeError):
    """The release could not be written; nothing was put in place."""


@dataclass
class Release:
    """What :func:`release` wrote.

    Attributes
    ----------
    path : Path
        The new course folder.
    edition : str
    files : list of str
        Every file written, relative to ``path``.
    left_out : list of str
        What was deliberately not copied (files with answers, the instructor's
        tools), relative to the source; folders as ``classroom/ (7 files)``.
    untracked : list of str
        Files in the course folder that git does not track, hence not copied.
    fingerprints : int
        How many fingerprints of model answers were searched for (0 for the
        instructor edition, which is not searched).
    seconds : float
    """

    path: Path
    edition: str
    files: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    untracked: list[str] = field(default_factory=list)
    fingerprints: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """A few lines for the terminal."""
        size = sum((self.path / f).stat().st_size for f in self.files) / 1e6
        lines = [
            f"{self.edition.capitalize()} edition written to {self.path}: "
            f"{len(self.files)} files, {size:.1f} MB."
        ]
        if self.edition == "student":
            lines.append(
                f"No model answer in it: {self.fingerprints} fingerprints of the model answers "
                "were searched for in every file (binary ones and archives included)."
            )
            lines.append("Left out: " + ", ".join(self.left_out) + ".")
        if self.untracked:
            shown = ", ".join(self.untracked[:5]) + (" ..." if len(self.untracked) > 5 else "")
            lines.append(
                f"Not copied because git does not track them ({len(self.untracked)}): {shown} "
                "(git add them first to include them)."
            )
        lines.append(f"Try it: cd {self.path} && ./course test   (took {self.seconds:.1f} s)")
        return "\n".join(lines)


# ----------------------------------------------------------------------------
# which files
# ----------------------------------------------------------------------------
def _matches(relative: str, patterns) -> bool:
    parts = relative.split("/")
    for pattern in patterns:
        if "/" in pattern:
            if relative == pattern or relative.startswith(pattern + "/"):
                return True
        elif any(fnmatch.fnmatchcase(part, pattern) for part in parts):
            return True
    return False


def _git_files(root: Path) -> tuple[list[str], list[str]] | None:
    """(tracked files, untracked files that git does not ignore), or None outside git."""
    if shutil.which("git") is None or not (root / ".git").exists():
        return None

    def listed(*options: str) -> list[str]:
        run = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", *options],
            capture_output=True,
            check=True,
        )
        return [name for name in run.stdout.decode("utf-8").split("\0") if name]

    try:
        return listed("--cached"), listed("--others", "--exclude-standard")
    except (subprocess.CalledProcessError, OSError):
        return None


def _course_files(root: Path) -> tuple[list[str], list[str]]:
    """(files to consider, untracked files left behind), relative to ``root``."""
    from_git = _git_files(root)
    if from_git is not None:
        tracked, untracked = from_git
        files = [name for name in tracked if (root / name).is_file()]
        return sorted(files), sorted(name for name in untracked if not _matches(name, JUNK))
    files = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not path.is_symlink()
    ]
    return sorted(files), []


def _selected(root: Path, edition: str) -> tuple[list[str], list[str], list[str]]:
    """(files to copy, files deliberately left out, untracked files not copied)."""
    files, untracked = _course_files(root)

    def wanted(name: str) -> bool:
        if edition == "student":
            top = name.split("/", 1)[0]
            forbidden = _matches(name, ANSWER_FILES) or _matches(name, INSTRUCTOR_ONLY)
            return top in STUDENT_CONTENTS and not forbidden
        return True

    chosen = [name for name in files if not _matches(name, JUNK) and wanted(name)]
    left_out = [name for name in files if not _matches(name, JUNK) and not wanted(name)]
    return chosen, left_out, [name for name in untracked if wanted(name)]


def _grouped(left_out: list[str]) -> list[str]:
    """``classroom/a.py, classroom/b.py`` -> ``classroom/ (2 files)``, for the summary."""
    groups: dict[str, int] = {}
    for name in left_out:
        single = name in ANSWER_FILES or name in INSTRUCTOR_ONLY or "/" not in name
        key = name if single else name.split("/", 1)[0] + "/"
        for folder in INSTRUCTOR_ONLY:
            if name.startswith(folder + "/"):
                key = folder + "/"
        groups[key] = groups.get(key, 0) + 1
    return [f"{key} ({count} files)" if count > 1 else key for key, count in groups.items()]


# ----------------------------------------------------------------------------
# what changes on the way
# ----------------------------------------------------------------------------
def _source_note(root: Path) -> str:
    if shutil.which("git") is None:
        return ""
    run = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%h %cs"], capture_output=True, text=True
    )
    if run.returncode != 0 or not run.stdout.strip():
        return ""
    commit, date = run.stdout.split()
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    state = " plus uncommitted changes" if dirty else ""
    return f" from commit `{commit}` ({date}{state}) on {datetime.date.today().isoformat()}"


def _readme(text: str, edition: str, source: str) -> str:
    """The README with the edition's note under its title; the student edition loses
    the section for teachers (its commands are not part of that copy) and every
    paragraph that links the instructor guides, which stay behind."""
    lines = text.splitlines(keepends=True)
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
    note = _NOTE[edition].format(source=source)
    lines.insert(title + 1, f"\n{note}\n")
    text = "".join(lines)
    if edition == "student":
        start = text.find("\n## Teaching with this course")
        if start >= 0:
            end = text.find("\n## ", start + 1)
            text = text[:start] + (text[end:] if end >= 0 else "\n")
        # any other paragraph pointing teachers to the guides would link to nothing here
        paragraphs = text.split("\n\n")
        text = "\n\n".join(p for p in paragraphs if "docs/instructors/" not in p)
    return text


def _copy(root: Path, name: str, target: Path, edition: str, source: str) -> None:
    origin = root / name
    destination = target / name
    destination.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith(".ipynb"):
        nb = nbformat.read(origin, as_version=4)
        nbformat.write(course.clean_notebook(nb, root), destination)
        shutil.copymode(origin, destination)
    elif name == "README.md":
        destination.write_text(_readme(origin.read_text(encoding="utf-8"), edition, source))
        shutil.copymode(origin, destination)
    else:
        shutil.copy2(origin, destination)


# ----------------------------------------------------------------------------
# the fingerprints of the answers, and the release itself
# ----------------------------------------------------------------------------
def answer_fingerprints(root: Path = course.ROOT) -> list[answers.Fingerprint]:
    """The fingerprints of every model answer of the course folder ``root``, leaving
    out what each exercise's own section of its notebook already gives."""
    solutions = answers.load_solutions(course.solutions_path(root))
    exercises = course.catalogue(root)["exercises"]
    given: dict[str, str] = {}
    for notebook in sorted({e["notebook"] for e in exercises}):
        path = Path(root) / "notebooks" / f"{notebook}.ipynb"
        if path.exists():
            nb = nbformat.read(path, as_version=4)
            given.update(
                course.exercise_sections(nb, [e for e in exercises if e["notebook"] == notebook])
            )
    return answers.fingerprints(solutions, given)


def _check_target(root: Path, target: Path) -> None:
    root, resolved = root.resolve(), target.resolve()
    if resolved == root or root in resolved.parents or resolved in root.parents:
        raise ReleaseError(
            f"release: {target} is inside the course folder {root} (or holds it); choose a "
            "folder outside it, e.g. ../cnn-notebooks-student"
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ReleaseError(
            f"release: {target} already exists and is not an empty folder; choose a new "
            "folder, or delete that one first"
        )


def release(edition: str, target: str | Path, root: str | Path = course.ROOT) -> Release:
    """Write a copy of the course folder ``root`` into the new folder ``target``.

    Parameters
    ----------
    edition : {"student", "instructor"}
        "student": no model answers, no instructor tools (see the module docstring);
        "instructor": everything git tracks.
    target : str or Path
        A folder that does not exist yet (or is empty), outside ``root``.
    root : str or Path
        The course folder to copy; by default the one this package belongs to.

    Returns
    -------
    Release

    Raises
    ------
    ReleaseError
        ``target`` is not usable, or a model answer would have been part of the
        student edition (then nothing is written).
    """
    started = time.perf_counter()
    if edition not in EDITIONS:
        raise ValueError(f"release: edition={edition!r}; use one of {', '.join(EDITIONS)}")
    root, target = Path(root).resolve(), Path(target).absolute()
    _check_target(root, target)
    files, left_out, untracked = _selected(root, edition)
    prints = answer_fingerprints(root) if edition == "student" else []
    source = _source_note(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name in files:
            _copy(root, name, staging, edition, source)
        if edition == "student":
            leaks = answers.find_answers(staging, prints)
            if leaks:
                shown = "\n  ".join(map(str, leaks[:20]))
                more = f"\n  ... and {len(leaks) - 20} more" if len(leaks) > 20 else ""
                raise ReleaseError(
                    "release: the student edition would hold model answers, so nothing was "
                    f"written:\n  {shown}{more}\nRemove the answer from that file, or, if the "
                    "whole file is about model answers, add it to ANSWER_FILES in "
                    "classroom/release.py (and if the match is a coincidence, explain it in "
                    "NOT_ANSWERS in classroom/answers.py)."
                )
        staging.chmod(0o755)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Release(
        path=target,
        edition=edition,
        files=files,
        left_out=_grouped(left_out),
        untracked=untracked,
        fingerprints=len(prints),
        seconds=time.perf_counter() - started,
    )


def stage_library(target: Path, root: str | Path = course.ROOT) -> Path:
    """Copy what a kernel needs to import the course into ``target``: ``cnnlib/`` without
    the model answers, and ``data/``. The grader runs submissions against this copy."""
    root = Path(root).resolve()
    files, _ = _course_files(root)
    for name in files:
        top = name.split("/", 1)[0]
        if top not in ("cnnlib", "data") or _matches(name, JUNK) or name in ANSWER_FILES:
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, destination)
    return target
