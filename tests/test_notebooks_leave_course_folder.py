"""Running the notebooks writes nothing into the course folder, and nothing over a learner's files.

The course folder may be read-only (a shared classroom install) and is kept clean in git,
so what a notebook makes goes to ``cnnlib.user_data_dir()`` instead: notebook 06 saves the
network it trained there. The root ``conftest.py`` guards the whole pytest session: it
points ``CNNLIB_DATA_DIR`` at a temporary folder before anything starts, and fails the
session if ``notebooks/`` holds other files (or other contents) at the end than at the
start. Here: the guard's parts, that nbval's kernels really inherit the temporary folder,
and notebook 06's save and load cells, run as written against a small network.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnnlib import evaluate, load_pretrained, reference_cnn, user_data_dir

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_06 = ROOT / "notebooks" / "06_training.ipynb"


def _root_conftest():
    spec = importlib.util.spec_from_file_location("course_root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cell(notebook: Path, *needles: str) -> str:
    """The source of the one code cell of ``notebook`` that contains every needle."""
    cells = [
        cell.source
        for cell in nbformat.read(notebook, as_version=4).cells
        if cell.cell_type == "code" and all(n in cell.source for n in needles)
    ]
    assert len(cells) == 1, f"{notebook.name}: {len(cells)} code cells contain {needles}"
    return cells[0]


def test_the_session_keeps_tests_out_of_the_learners_data_folder():
    folder = os.environ.get("CNNLIB_DATA_DIR")
    assert folder, "the root conftest.py sets CNNLIB_DATA_DIR for the whole session"
    assert Path(folder).is_relative_to(Path(tempfile.gettempdir()))
    assert user_data_dir() == Path(folder)


def test_the_kernel_nbval_starts_inherits_the_temporary_data_folder():
    nbval_kernel = pytest.importorskip("nbval.kernel")
    kernel = nbval_kernel.RunningKernel(
        nbval_kernel.CURRENT_ENV_KERNEL_NAME, cwd=str(ROOT / "notebooks"), startup_timeout=60
    )
    try:
        source = "import os; print(os.environ.get('CNNLIB_DATA_DIR'))"
        msg_id = kernel.execute_cell_input(source, allow_stdin=False)
        printed = []
        while True:
            message = kernel.get_message(stream="iopub", timeout=30)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
    finally:
        kernel.stop()
    assert "".join(printed).strip() == os.environ["CNNLIB_DATA_DIR"]


def test_the_guard_reports_every_added_removed_and_changed_file(tmp_path):
    guard = _root_conftest()
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.ipynb").write_text("{}")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    before = guard.snapshot(tmp_path)
    assert guard.changes(before, guard.snapshot(tmp_path)) == []

    (tmp_path / "a.ipynb").write_text('{"cells": []}')  # same name, other contents
    (tmp_path / "b.ipynb").unlink()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "my_mnist_cnn.npz").write_bytes(b"weights")
    (tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{}")  # JupyterLab's
    assert guard.changes(before, guard.snapshot(tmp_path)) == [
        "added:   sub/my_mnist_cnn.npz",
        "removed: b.ipynb",
        "changed: a.ipynb",
    ]


def test_the_guard_watches_the_course_notebooks():
    guard = _root_conftest()
    assert guard.NOTEBOOKS == ROOT / "notebooks"
    assert "06_training.ipynb" in guard.snapshot(guard.NOTEBOOKS)


def test_notebook_06_saves_its_network_in_the_data_folder_and_says_where(tmp_path, monkeypatch):
    data = tmp_path / "my-data"
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(data))
    monkeypatch.chdir(tmp_path)  # where a relative path would land
    model = reference_cnn(seed=0)
    namespace = {"model": model, "np": np, "reference_cnn": reference_cnn}
    # what the cells use from earlier ones: the first cell's imports and the test digits
    namespace.update(user_data_dir=user_data_dir, load_pretrained=load_pretrained)
    namespace.update(evaluate=evaluate, y_test=np.zeros(5, dtype=np.int64))
    namespace["x_test"] = np.random.default_rng(0).random((5, 1, 28, 28), dtype=np.float32)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(_cell(NOTEBOOK_06, "save_weights"), namespace)
        exec(_cell(NOTEBOOK_06, "load_weights"), namespace)

    saved = data / "my_mnist_cnn.npz"
    assert saved.is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["my-data"]  # nothing else written
    assert list(data.iterdir()) == [saved]
    assert f"saved to {saved}\n" in printed.getvalue()  # the learner is told where
    assert "same answers: True\n" in printed.getvalue()
