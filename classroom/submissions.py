"""Who handed in which notebook: reading the folders that learning platforms export.

A submission is one student's copy of one course notebook. The shapes found
in a submissions folder (several may be mixed):

``<student>/01_pixels.ipynb``
    a folder per student, the notebooks inside (at any depth). This is what
    Moodle's "download all submissions" gives (``Jane Doe_1234_assignsubmission_file_/``,
    the name is cleaned to ``Jane Doe``), what GitHub Classroom clones look like
    (``pixels-janedoe/notebooks/01_pixels.ipynb``; the assignment prefix is
    *not* removed), and nbgrader's ``submitted/<student>/<assignment>/``.
``<student>_01_pixels.ipynb`` or ``01_pixels_<student>.ipynb``
    all notebooks in one folder, the student's name in the file name; Canvas
    adds its numbers (``doejane_late_12345_67890_01_pixels-1.ipynb``: the
    student is ``doejane``, ``late`` and the numbers are dropped, ``-1`` marks a
    resubmission).
``*.zip``
    an archive is read as a folder of the same name (a whole export, or one
    student's files); a ``.zip`` given instead of a folder is unpacked first.
    A folder that holds nothing but one folder of student folders (how many
    exports are wrapped) is looked into.

Which course notebook a file is: the notebook name in its file name
(``01_pixels``, ``01-pixels``, ``01 pixels``, any case), else the exercise checks
its code calls. When one student has two files for one notebook, the newest
(last modified; a higher ``-N`` suffix on a tie) is graded and the other noted.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = ["Submission", "Unmatched", "find_submissions", "unpack"]

#: The largest archive member unpacked, and the most bytes unpacked from one archive.
MAX_MEMBER_BYTES = 50 * 2**20
MAX_ARCHIVE_BYTES = 500 * 2**20

_IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints", ".git", ".venv", "__pycache__"}


@dataclass
class Submission:
    """One student's file for one course notebook.

    ``student`` the name used in the grades, ``notebook`` the course notebook
    (e.g. ``01_pixels``), ``path`` the file, ``shown`` the file relative to the
    submissions folder, ``replaced`` the student's other files for the same
    notebook that were not graded (older).
    """

    student: str
    notebook: str
    path: Path
    shown: str
    replaced: list[str] = field(default_factory=list)


@dataclass
class Unmatched:
    """A file that could not be read as a submission, and why."""

    shown: str
    reason: str


# ----------------------------------------------------------------------------
# archives
# ----------------------------------------------------------------------------
def unpack(archive: Path, target: Path) -> Path:
    """Unpack a zip archive into ``target`` safely: members may not leave ``target``
    (no absolute paths or ``..``), links are skipped, sizes are capped.

    Raises
    ------
    ValueError
        The archive is damaged or too large (the message says which).
    """
    target.mkdir(parents=True, exist_ok=True)
    total = 0
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                name = PurePosixPath(member.filename.replace("\\", "/"))
                if member.is_dir() or name.is_absolute() or ".." in name.parts:
                    continue
                if (member.external_attr >> 16) & 0o170000 == 0o120000:  # a symbolic link
                    continue
                if member.file_size > MAX_MEMBER_BYTES:
                    continue
                total += member.file_size
                if total > MAX_ARCHIVE_BYTES:
                    raise ValueError(
                        f"{archive.name} unpacks to more than {MAX_ARCHIVE_BYTES >> 20} MB"
                    )
                destination = target.joinpath(*name.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, destination.open("wb") as out:
                    shutil.copyfileobj(source, out)
    except (zipfile.BadZipFile, OSError) as err:
        raise ValueError(f"{archive.name} is not a readable zip archive ({err})") from err
    return target


# ----------------------------------------------------------------------------
# names
# ----------------------------------------------------------------------------
def _notebook_pattern(stem: str) -> re.Pattern:
    number, _, name = stem.partition("_")
    words = r"[ _-]+".join(re.escape(word) for word in name.split("_"))
    return re.compile(rf"(?<![0-9a-z]){re.escape(number)}[ _-]*{words}(?![a-z])", re.I)


def _notebook_by_name(filename: str, notebooks: list[str]) -> tuple[str, str, str] | None:
    """(notebook, text before its name, text after it) if the name shows in ``filename``."""
    stem = filename[: -len(".ipynb")] if filename.lower().endswith(".ipynb") else filename
    for notebook in sorted(notebooks, key=len, reverse=True):
        found = _notebook_pattern(notebook).search(stem)
        if found:
            return notebook, stem[: found.start()], stem[found.end() :]
    return None


def _notebook_by_content(path: Path, checks: dict[str, str]) -> str | None:
    """The course notebook whose exercise checks the file's code calls most."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        cells = nb.get("cells", []) if isinstance(nb, dict) else []
        code = "\n".join(
            "".join(c.get("source", "")) if isinstance(c.get("source"), list) else c["source"]
            for c in cells
            if isinstance(c, dict) and c.get("cell_type") == "code"
        )
    except (ValueError, OSError, TypeError, KeyError):
        return None
    counts: dict[str, int] = {}
    for check in set(re.findall(r"\b(check_\w+)\s*\(", code)):
        notebook = checks.get(check)
        if notebook:
            counts[notebook] = counts.get(notebook, 0) + 1
    return max(counts, key=counts.get) if counts else None


_MOODLE = re.compile(r"_\d+_assignsubmission_\w*$")
_RESUBMISSION = re.compile(r"^-(\d+)")


def _clean_student(text: str) -> str:
    """A person's name from a folder or file name part, as platforms write them."""
    text = _MOODLE.sub("", text)
    parts = [p for p in re.split(r"[_\s]+", text.strip(" _-.")) if p]
    kept = [p for p in parts if not p.isdigit() and p.lower() != "late"]
    return " ".join(kept) if kept else text.strip(" _-.")


def _resubmission(after: str) -> int:
    found = _RESUBMISSION.match(after)
    return int(found.group(1)) if found else 0


# ----------------------------------------------------------------------------
# the search
# ----------------------------------------------------------------------------
def find_submissions(
    folder: Path, notebooks: list[str], checks: dict[str, str], scratch: Path
) -> tuple[list[Submission], list[Unmatched]]:
    """Every submission in ``folder`` (see the module docstring for the shapes).

    Parameters
    ----------
    folder : Path
        The submissions folder (or a .zip of it).
    notebooks : list of str
        The course notebooks' names, e.g. ``["01_pixels", "02_convolution", ...]``.
    checks : dict
        Each exercise check's name -> its notebook, to recognise renamed files.
    scratch : Path
        An empty folder where archives are unpacked.

    Returns
    -------
    submissions, unmatched
        One :class:`Submission` per student and notebook, sorted; the files that
        are not submissions of a course notebook, with the reason.
    """
    folder = Path(folder)
    if folder.is_file() and folder.suffix.lower() == ".zip":
        folder = unpack(folder, scratch / folder.stem)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder (nor a .zip) of submissions")
    while True:  # an export wrapped in one folder of student folders: look inside it
        entries = [e for e in folder.iterdir() if not _ignored(e.name)]
        if len(entries) != 1 or not entries[0].is_dir():
            break
        inside = [e for e in entries[0].iterdir() if not _ignored(e.name)]
        if (
            any(e.suffix.lower() == ".ipynb" for e in inside)
            or sum(e.is_dir() or e.suffix.lower() == ".zip" for e in inside) < 2
        ):
            break  # one student's folder, not a wrapper
        folder = entries[0]
    found: dict[tuple[str, str], list[tuple[tuple, Submission]]] = {}
    unmatched: list[Unmatched] = []
    for path, shown, student_folder, problem in _files(folder, scratch):
        if problem is not None:
            unmatched.append(Unmatched(shown, problem))
            continue
        if path.suffix.lower() != ".ipynb":
            unmatched.append(Unmatched(shown, "not a notebook (.ipynb)"))
            continue
        by_name = _notebook_by_name(path.name, notebooks)
        notebook = by_name[0] if by_name else _notebook_by_content(path, checks)
        if notebook is None:
            unmatched.append(
                Unmatched(shown, "neither its name nor its checks match a course notebook")
            )
            continue
        if student_folder is not None:
            student = _clean_student(student_folder)
        else:
            before, after = (by_name[1], by_name[2]) if by_name else (path.stem, "")
            student = _clean_student(before) or _clean_student(_RESUBMISSION.sub("", after))
        if not student:
            unmatched.append(Unmatched(shown, "no student's name in its file or folder name"))
            continue
        after = by_name[2] if by_name else ""
        rank = (path.stat().st_mtime, _resubmission(after), shown)
        found.setdefault((student, notebook), []).append(
            (rank, Submission(student, notebook, path, shown))
        )
    submissions = []
    for candidates in found.values():
        candidates.sort(key=lambda pair: pair[0])
        newest = candidates[-1][1]
        newest.replaced = [submission.shown for _, submission in candidates[:-1]]
        submissions.append(newest)
    submissions.sort(key=lambda s: (s.student.lower(), s.notebook))
    return submissions, unmatched


def _ignored(name: str) -> bool:
    return name in _IGNORED_PARTS or name.startswith(".")


def _files(folder: Path, scratch: Path):
    """(file, its name as shown, the student folder it is in or None, a problem or None),
    archives unpacked: a top-level folder or archive is a student's, a top-level file not."""
    for number, entry in enumerate(sorted(folder.iterdir())):
        if _ignored(entry.name):
            continue
        if entry.is_file() and entry.suffix.lower() == ".zip":
            try:
                inner = unpack(entry, scratch / f"{number}-{entry.stem}")
            except ValueError as err:
                yield entry, entry.name, None, str(err)
                continue
            yield from _inside(inner, entry.name, entry.stem)
        elif entry.is_dir():
            yield from _inside(entry, entry.name, entry.name)
        elif entry.is_file():
            yield entry, entry.name, None, None


def _inside(folder: Path, shown: str, student: str):
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_symlink() or not path.is_file() or any(_ignored(p) for p in parts):
            continue
        yield path, f"{shown}/{'/'.join(parts)}", student, None
