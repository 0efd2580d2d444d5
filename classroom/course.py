"""What the grader and the release need to know about a course folder.

* :func:`catalogue`: the exercises and the mistakes their checkers recognise,
  as the course folder's own ``cnnlib.exercises.catalogue()`` gives them;
* :func:`exercise_sections`: the part of a notebook that poses each exercise
  (its heading, instructions and template cells);
* :func:`clean_notebook`: a notebook without outputs, as the repository keeps them.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

__all__ = ["ROOT", "catalogue", "clean_notebook", "exercise_sections", "solutions_path"]

#: The course folder this package belongs to.
ROOT = Path(__file__).resolve().parents[1]

_CATALOGUE = (
    "import json, sys; from cnnlib.exercises import catalogue; "
    "where = sys.modules['cnnlib'].__file__; assert where.startswith(sys.argv[1]), where; "
    "print(json.dumps(catalogue()))"
)


@functools.lru_cache(maxsize=8)
def _catalogue(root: str) -> str:
    env = {**os.environ, "PYTHONPATH": root}
    run = subprocess.run(
        [sys.executable, "-c", _CATALOGUE, root],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode != 0:
        raise RuntimeError(
            f"could not read the exercise catalogue of {root}:\n{run.stderr.strip()[-2000:]}"
        )
    return run.stdout


def catalogue(root: Path = ROOT) -> dict:
    """``cnnlib.exercises.catalogue()`` of the course folder ``root`` (read in a separate
    Python, so that it is that folder's cnnlib whatever this process imported)."""
    return json.loads(_catalogue(str(Path(root).resolve())))


def solutions_path(root: Path = ROOT) -> Path:
    """Where the model answers live in a course folder."""
    return Path(root) / "cnnlib" / "exercises" / "solutions.py"


_HEADING = re.compile(r"^#{1,6} ", re.M)


def exercise_sections(nb, exercises: list[dict]) -> dict[str, str]:
    """The text that poses each exercise in notebook ``nb``: from its heading
    ("Exercise N · title") to the next heading, code cells included.

    Parameters
    ----------
    nb : NotebookNode
    exercises : list of dict
        The catalogue's exercises of this notebook.

    Returns
    -------
    dict
        exercise id -> its section (markdown and code, one cell after another);
        exercises whose heading is missing are left out.
    """
    sections: dict[str, str] = {}
    for exercise in exercises:
        heading = re.compile(
            rf"^#+ Exercise {exercise['number']} \u00b7 {re.escape(exercise['title'])}\s*$", re.M
        )
        parts: list[str] | None = None
        for cell in nb.cells:
            if parts is None:
                found = heading.search(cell.source) if cell.cell_type == "markdown" else None
                if found:
                    rest = cell.source[found.start() :]
                    following = _HEADING.search(rest, 1)
                    parts = [rest[: following.start()] if following else rest]
                    if following:
                        break
                continue
            if cell.cell_type == "markdown" and _HEADING.search(cell.source):
                break
            parts.append(cell.source)
        if parts is not None:
            sections[exercise["id"]] = "\n\n".join(parts)
    return sections


@functools.lru_cache(maxsize=4)
def _cleaner(root: str):
    path = Path(root) / "tests" / "nbclean.py"
    spec = importlib.util.spec_from_file_location("_course_nbclean", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.clean


def clean_notebook(nb, root: Path = ROOT):
    """``nb`` without outputs or execution counts, exactly as ``./course clean`` leaves it
    (cells tagged ``nbval-check-output`` keep the outputs nbval compares)."""
    return _cleaner(str(Path(root).resolve()))(nb)
