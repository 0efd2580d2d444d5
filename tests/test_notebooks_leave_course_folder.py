"""Running a notebook writes nothing into the course folder.

The course folder may be read-only (a shared classroom install) and is kept
clean in git, so what a notebook makes goes to ``cnnlib.user_data_dir()``
instead: notebook 06 saves the network it trained there. The test runs the
notebook the way nbval and ``tests/nbclean.py --execute`` do (a fresh kernel
started in the notebook's folder), but in a copy of ``notebooks/`` and with
``CNNLIB_DATA_DIR`` pointing at a temporary folder, and compares the copy's
files before and after.
"""

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from nbclean import execute  # noqa: E402


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below ``folder``: its size and modification time."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
    }


def printed(nb) -> str:
    return "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )


@pytest.mark.slow
def test_notebook_06_saves_its_network_in_the_data_folder_not_in_notebooks(tmp_path, monkeypatch):
    course = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", course)
    data = tmp_path / "my-data"
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(data))  # inherited by the kernel
    before = snapshot(course)

    nb = execute(course / "06_training.ipynb")

    assert snapshot(course) == before
    saved = data / "my_mnist_cnn.npz"
    assert saved.is_file()
    output = printed(nb)
    assert f"saved to {saved}\n" in output  # the learner is told where
    assert "same answers: True\n" in output
