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
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
DATA_DIR_VARIABLE = "CNNLIB_DATA_DIR"  # cnnlib.datasets.ENV_DATA_DIR; cnnlib not imported here
_STATE = pytest.StashKey[dict]()


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
