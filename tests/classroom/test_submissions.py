"""Finding who handed in which notebook, in the shapes learning platforms export."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from classroom.submissions import find_submissions, unpack

NOTEBOOKS = ["01_pixels", "02_convolution", "03_pooling", "10_extra_topics"]
CHECKS = {"check_image_sizes": "01_pixels", "check_my_conv2d": "02_convolution"}


def notebook(path: Path, code: str = "x = 1", mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def found(folder: Path, tmp_path: Path):
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    submissions, unmatched = find_submissions(folder, NOTEBOOKS, CHECKS, scratch)
    return {(s.student, s.notebook): s for s in submissions}, {u.shown: u.reason for u in unmatched}


def test_a_folder_per_student_at_any_depth(tmp_path):
    folder = tmp_path / "in"
    notebook(folder / "alice" / "01_pixels.ipynb")
    notebook(folder / "alice" / "work" / "03_Pooling.ipynb")  # any case, any depth
    notebook(folder / "Bob Martin_1234_assignsubmission_file_" / "02-convolution.ipynb")  # Moodle
    notebook(folder / "pixels-janedoe" / "notebooks" / "01_pixels.ipynb")  # GitHub Classroom
    notebook(folder / "carl" / "ps1" / "01 pixels.ipynb")  # nbgrader's submitted/<student>/<ps>/
    subs, unmatched = found(folder, tmp_path)
    assert set(subs) == {
        ("alice", "01_pixels"),
        ("alice", "03_pooling"),
        ("Bob Martin", "02_convolution"),
        ("pixels-janedoe", "01_pixels"),
        ("carl", "01_pixels"),
    }
    assert subs[("alice", "03_pooling")].shown == "alice/work/03_Pooling.ipynb"
    assert unmatched == {}


def test_names_in_the_file_names_as_canvas_writes_them(tmp_path):
    folder = tmp_path / "in"
    notebook(folder / "alice_01_pixels.ipynb")
    notebook(folder / "01_pixels_bob.ipynb")
    notebook(folder / "martincarla_late_12345_67890_02_convolution.ipynb")
    notebook(folder / "10_extra_topics-dan.ipynb")  # a number of two digits, not 1 + 0
    subs, _ = found(folder, tmp_path)
    assert set(subs) == {
        ("alice", "01_pixels"),
        ("bob", "01_pixels"),
        ("martincarla", "02_convolution"),
        ("dan", "10_extra_topics"),
    }


def test_the_newest_of_two_files_is_graded_and_the_other_noted(tmp_path):
    folder = tmp_path / "in"
    notebook(folder / "alice_12_34_01_pixels.ipynb", mtime=1_000)
    notebook(folder / "alice_12_35_01_pixels-1.ipynb", mtime=2_000)  # a resubmission
    subs, _ = found(folder, tmp_path)
    chosen = subs[("alice", "01_pixels")]
    assert chosen.shown == "alice_12_35_01_pixels-1.ipynb"
    assert chosen.replaced == ["alice_12_34_01_pixels.ipynb"]


def test_a_renamed_notebook_is_recognised_by_its_checks(tmp_path):
    folder = tmp_path / "in"
    notebook(folder / "alice" / "my work (final).ipynb", "check_my_conv2d(my_conv2d)")
    notebook(folder / "alice" / "Untitled.ipynb", "print('hello')")
    subs, unmatched = found(folder, tmp_path)
    assert set(subs) == {("alice", "02_convolution")}
    assert unmatched == {
        "alice/Untitled.ipynb": "neither its name nor its checks match a course notebook"
    }


def test_archives_are_read_as_folders(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    source = notebook(tmp_path / "src" / "01_pixels.ipynb")
    with zipfile.ZipFile(folder / "alice.zip", "w") as archive:  # one student's files
        archive.write(source, "01_pixels.ipynb")
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:  # a whole export
        archive.write(source, "export/bob/01_pixels.ipynb")
        archive.write(source, "export/carl/01_pixels.ipynb")
    (folder / "broken.zip").write_bytes(b"PK not really")
    subs, unmatched = found(folder, tmp_path)
    assert set(subs) == {("alice", "01_pixels")}
    assert "not a readable zip archive" in unmatched["broken.zip"]
    subs, _ = found(tmp_path / "export.zip", tmp_path)  # one wrapping folder is looked into
    assert set(subs) == {("bob", "01_pixels"), ("carl", "01_pixels")}


def test_other_files_are_reported_not_graded(tmp_path):
    folder = tmp_path / "in"
    notebook(folder / "alice_01_pixels.ipynb")
    (folder / "alice_notes.txt").write_text("hi")
    (folder / ".DS_Store").write_bytes(b"\0")
    notebook(folder / "alice" / ".ipynb_checkpoints" / "01_pixels-checkpoint.ipynb")
    notebook(folder / "01_pixels.ipynb")  # whose?
    subs, unmatched = found(folder, tmp_path)
    assert set(subs) == {("alice", "01_pixels")}
    assert unmatched == {
        "alice_notes.txt": "not a notebook (.ipynb)",
        "01_pixels.ipynb": "no student's name in its file or folder name",
    }


def test_unpacking_never_leaves_the_target(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../outside.txt", "no")
        zipped.writestr("/etc/absolute.txt", "no")
        zipped.writestr("inside/ok.txt", "yes")
        link = zipfile.ZipInfo("inside/link")
        link.external_attr = (0o120777) << 16
        zipped.writestr(link, "/etc/passwd")
    target = tmp_path / "target"
    unpack(archive, target)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == [
        "inside",
        "inside/ok.txt",
    ]
    assert not (tmp_path / "outside.txt").exists()


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        found(tmp_path / "nothing", tmp_path)
