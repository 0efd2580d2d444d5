"""For every pytest session (unit tests and the notebooks nbval runs in place): notebooks
leave the course folder alone, and tests never touch a learner's own files.

- ``CNNLIB_DATA_DIR`` points at a temporary folder for the whole session, set before any
  test or kernel starts: nbval's kernels (and the browser suite's Jupyter server) inherit
  it, so notebook 06 saves the network it trains there, not over the network a learner
  saved in their own data folder (``cnnlib.user_data_dir()``). The folder is removed and
  the variable restored at the end.
- ``notebooks/`` must hold exactly the same files, with the same contents, at the end of
  the session as at its start. nbval runs the notebooks in place, from that folder, so a
  notebook that writes a file next to itself (instead of into ``user_data_dir()``) fails
  the session with the list of what changed.
- Every picture a notebook cell shows has a text alternative (issue 15): a cell run by
  nbval that outputs an image without an ``alt`` (a figure drawn with plain matplotlib
  and no ``describe(...)``) fails, unless its notebook is still listed in
  ``tests/a11y_todo.py`` FIGURES_WITHOUT_ALT; a listed notebook whose figures all
  have one fails on its last cell, so that the list is kept up to date.
- nbval compares checked outputs with ``tests/nbval_sanitize.cfg`` (unless another file is
  given): the PNG inside a described figure's HTML is not compared, as nbval never
  compares ``image/png`` itself.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
DATA_DIR_VARIABLE = "CNNLIB_DATA_DIR"  # cnnlib.datasets.ENV_DATA_DIR; cnnlib not imported here
_STATE = pytest.StashKey[dict]()
_FIGURES = pytest.StashKey[dict]()  # notebook -> pictures without alt seen so far
_IMAGES = ("image/png", "image/jpeg", "image/svg+xml")
_ALT = re.compile(r"<img\b[^>]*\balt=\"[^\"]*\w")  # an <img> whose alt says something


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (relative path) and the SHA-256 of its contents."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".ipynb_checkpoints" not in path.parts  # JupyterLab's, not ours
    }


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What happened between two snapshots, one line per file: added, removed or changed."""
    lines = [f"added:   {name}" for name in sorted(after.keys() - before.keys())]
    lines += [f"removed: {name}" for name in sorted(before.keys() - after.keys())]
    lines += [
        f"changed: {name}"
        for name in sorted(before.keys() & after.keys())
        if before[name] != after[name]
    ]
    return lines


def pytest_configure(config):
    data_dir = tempfile.mkdtemp(prefix="cnnlib-test-data-")
    config.stash[_STATE] = {
        "data_dir": data_dir,
        "previous": os.environ.get(DATA_DIR_VARIABLE),
        "notebooks": snapshot(NOTEBOOKS),
        "changes": [],
    }
    os.environ[DATA_DIR_VARIABLE] = data_dir  # inherited by every kernel started from here
    # nbval: a picture's bytes inside an output's HTML are not compared (see the file)
    if getattr(config.option, "nbval_sanitize_with", "absent") is None:
        config.option.nbval_sanitize_with = str(NOTEBOOKS.parent / "tests" / "nbval_sanitize.cfg")


def pytest_sessionfinish(session, exitstatus):
    state = session.config.stash.get(_STATE, None)
    if state is None:
        return
    state["changes"] = changes(state["notebooks"], snapshot(NOTEBOOKS))
    if state["changes"] and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    state = config.stash.get(_STATE, None)
    if state and state["changes"]:
        terminalreporter.section("notebooks/ changed during the test session", red=True)
        terminalreporter.line(
            "A notebook (or a test) wrote into the course folder, so the session fails: a "
            "notebook writes only into cnnlib.user_data_dir(). See `git status` to restore it."
        )
        for line in state["changes"]:
            terminalreporter.line(f"  {line}")


def pytest_unconfigure(config):
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    if state["previous"] is None:
        os.environ.pop(DATA_DIR_VARIABLE, None)
    else:
        os.environ[DATA_DIR_VARIABLE] = state["previous"]
    shutil.rmtree(state["data_dir"], ignore_errors=True)


def images_without_alt(outputs) -> int:
    """How many outputs show an image with no text alternative.

    An image counts as described when the output also has HTML with an
    ``<img alt="...">`` (what JupyterLab shows: cnnlib's figures and explorers)
    or an ``alt`` in the image's metadata.
    """
    missing = 0
    for output in outputs or []:
        data = output.get("data", {})
        shown = [mime for mime in _IMAGES if mime in data]
        if not shown:
            continue
        metadata = output.get("metadata", {})
        html = data.get("text/html", "")
        html = "".join(html) if isinstance(html, list) else html
        if not (_ALT.search(html) or all(metadata.get(m, {}).get("alt") for m in shown)):
            missing += 1
    return missing


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """nbval's cells: fail one that shows a picture without a text alternative."""
    outcome = yield
    if call.when != "call" or getattr(item, "test_outputs", None) is None:
        return
    report = outcome.get_result()
    notebook = Path(str(item.fspath)).stem
    sys.path.insert(0, str(NOTEBOOKS.parent / "tests"))
    try:
        from a11y_todo import FIGURES_WITHOUT_ALT
    finally:
        sys.path.pop(0)
    seen = item.config.stash.setdefault(_FIGURES, {})
    missing = images_without_alt(item.test_outputs)
    seen[notebook] = seen.get(notebook, 0) + missing
    if report.failed:
        return
    if missing and notebook not in FIGURES_WITHOUT_ALT:
        report.outcome = "failed"
        report.longrepr = (
            f"{notebook}, cell {item.cell_num}: {missing} picture(s) without a text "
            "alternative. A figure drawn with plain matplotlib needs "
            "describe(fig_or_ax, 'what it shows') (from cnnlib import describe)."
        )
    last = [other for other in item.session.items if other.parent is item.parent][-1]
    if item is last and notebook in FIGURES_WITHOUT_ALT and seen[notebook] == 0:
        report.outcome = "failed"
        report.longrepr = (
            f"every picture of {notebook} has a text alternative now: delete it from "
            "FIGURES_WITHOUT_ALT in tests/a11y_todo.py"
        )
