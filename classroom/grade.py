"""``./course grade SUBMISSIONS``: re-run the notebooks students handed in, in a sandbox,
and grade them with the course's own exercise checkers.

For each submission (see :mod:`classroom.submissions` for the folder shapes):

1. the notebook is read and its saved outputs are thrown away: nothing a
   student's file claims is trusted;
2. it runs top to bottom in a fresh kernel, in a sandbox (:mod:`classroom.sandbox`:
   its own folder as working folder and home, a time limit for the whole
   notebook, a memory limit, no access to the instructor's files where the
   machine allows it), against a copy of the course library without the model
   answers. Cells that raise are noted and the run goes on, as a teacher
   reading the notebook would; a time-out or a dead kernel ends it;
3. after every cell that calls a check, and at the end, the grader asks the
   kernel for ``cnnlib.exercises.results("exercise")`` (the checkers' own
   record: passed, message, mistake ids, attempts; the predictions asked before
   explorers are practice and left out), so a later time-out or crash keeps
   what was already checked;
4. every exercise of the notebook gets a row in ``grades.csv``; one never
   checked says why (not attempted, its cell raised, the run stopped before it).

Then ``summary.csv`` and ``summary.md`` give, per exercise, how many passed and
the most common mistake with its name and the instructor's note from the
catalogue, and list the runs that failed and the submissions worth a look by
hand (code that touches the checkers' record or the system).

The engine is nbclient (what nbconvert, nbgrader and otter-grader execute
notebooks with), driven cell by cell, with a kernel started through the sandbox.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import datetime
import json
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from classroom import course, release, sandbox, submissions

__all__ = [
    "GRADE_COLUMNS",
    "GradingError",
    "Report",
    "Row",
    "Run",
    "grade",
    "rows_for",
    "run_notebook",
]

#: The columns of grades.csv, in order.
GRADE_COLUMNS = (
    "student",
    "notebook",
    "exercise",
    "title",
    "passed",
    "feedback",
    "mistakes",
    "attempts",
    "run",
    "review",
    "file",
)
NOT_ATTEMPTED_IDS = {"placeholder", "not-written"}
#: Seconds given to the kernel to answer the last read-out after a time-out.
GRACE_SECONDS = 20
#: Output a notebook may send before the rest is dropped (it is held in the grader's memory).
MAX_OUTPUT_BYTES = 20 * 2**20


class GradingError(RuntimeError):
    """Grading could not start (no submissions folder, no course notebook found...)."""


# ----------------------------------------------------------------------------
# one run
# ----------------------------------------------------------------------------
@dataclass
class Run:
    """What happened when one notebook ran.

    Attributes
    ----------
    status : str
        "ok" (every cell ran), "errors" (some cells raised, the others ran),
        "timeout", "too much output" (a cell printed more than :data:`MAX_OUTPUT_BYTES`;
        the rest was not run), "kernel died", "unreadable" (not a notebook), "could not start".
    detail : str
        One line for the teacher: which cells raised, where the run stopped, why.
    results : dict
        ``cnnlib.exercises.results("exercise")`` as the kernel last reported it
        (the exercises only: predictions answered before explorers are practice).
    cell_errors : dict
        code cell number (1-based, as Jupyter counts code cells) -> "Name: message".
    stopped_at : int or None
        The code cell number where the run stopped (time-out, dead kernel).
    check_cells : dict
        Each check called in the notebook -> the code cell numbers calling it.
    seconds : float
    executed : NotebookNode or None
        The re-run notebook with its new outputs.
    record_read : bool
        Whether the kernel ever answered the grader's request for the record.
    """

    status: str = "ok"
    detail: str = ""
    results: dict = field(default_factory=dict)
    cell_errors: dict[int, str] = field(default_factory=dict)
    stopped_at: int | None = None
    check_cells: dict[str, list[int]] = field(default_factory=dict)
    seconds: float = 0.0
    executed: object = None
    record_read: bool = False


_READOUT = """\
import json as _grader_json, sys as _grader_sys
from cnnlib.exercises import results as _grader_results
_grader_sys.stdout.write({marker!r} + _grader_json.dumps(_grader_results("exercise")) + "\\n")
_grader_sys.stdout.flush()
"""
_CHECK_CALL = re.compile(r"\b(check_\w+)\s*\(")


def _code_cells(nb) -> list[tuple[int, object]]:
    """(code cell number counted from 1, cell), as a teacher counts cells with code."""
    return [(n, c) for n, c in enumerate((c for c in nb.cells if c.cell_type == "code"), 1)]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _font_cache(work: Path) -> None:
    """Give the kernel matplotlib's font list, so that it need not rebuild it (seconds)."""
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
    except Exception:  # no matplotlib here, or no cache: the kernel builds its own
        return
    target = work / ".config" / "matplotlib"
    for path in cache.glob("fontlist-*.json"):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / path.name)


def _budget_client():
    """nbclient's NotebookClient, keeping at most :data:`MAX_OUTPUT_BYTES` of output, so
    that a notebook printing without end cannot fill the grader's memory."""
    from nbclient import NotebookClient

    class Client(NotebookClient):
        dropping = {"stream", "display_data", "execute_result", "update_display_data"}

        def __init__(self, *args, marker: str = "", **kwargs):
            super().__init__(*args, **kwargs)
            self.spent = 0
            self.marker = marker  # the grader's own read-out always gets through
            self.truncated = False

        reply_error = ""  # "Name: message" when the last cell's reply said it raised

        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            self.reply_error = ""
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

        def _check_raise_for_error(self, cell, cell_index, exec_reply):
            content = (exec_reply or {}).get("content", {})
            if content.get("status") == "error":
                self.reply_error = f"{content.get('ename')}: {content.get('evalue')}"
            return super()._check_raise_for_error(cell, cell_index, exec_reply)

        def process_message(self, msg, cell, cell_index):
            content = msg.get("content", {})
            ours = self.marker and self.marker in str(content.get("text", ""))
            if msg.get("msg_type") in self.dropping and not ours:
                self.spent += len(json.dumps(content, default=str))
                if self.spent > MAX_OUTPUT_BYTES:
                    if not self.truncated:
                        self.truncated = True
                        cell.outputs.append(
                            nbformat.v4.new_output(
                                "stream",
                                name="stderr",
                                text=f"[grader: more than {MAX_OUTPUT_BYTES >> 20} MB of "
                                "output; the rest was dropped]\n",
                            )
                        )
                    return None
            return super().process_message(msg, cell, cell_index)

    return Client


def run_notebook(
    nb,
    box: sandbox.Sandbox,
    library: Path,
    limits: sandbox.Limits,
    scratch: Path,
    name: str = "submission.ipynb",
) -> Run:
    """Run notebook ``nb`` in a fresh kernel in ``box`` and read the checkers' record.

    Parameters
    ----------
    nb : NotebookNode
        The notebook; its outputs are cleared first and it is not changed.
    box : Sandbox
        Where the kernel runs (see :func:`classroom.sandbox.detect`).
    library : Path
        The course library the kernel imports (``cnnlib/`` and ``data/``).
    limits : Limits
    scratch : Path
        An empty folder for this run (its work folder and the kernel's sockets).
    name : str
        The notebook's file name in its work folder.

    Returns
    -------
    Run
        Never raises for anything the notebook does.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    started = time.monotonic()
    deadline = started + limits.seconds
    run = Run()
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a copy
    for _, cell in _code_cells(nb):
        cell.outputs, cell.execution_count = [], None
        for check in _CHECK_CALL.findall(cell.source):
            run.check_cells.setdefault(check, [])
    for number, cell in _code_cells(nb):
        for check in set(_CHECK_CALL.findall(cell.source)):
            run.check_cells[check].append(number)

    work, shared = scratch / "work", scratch / "shared"
    for folder in (work, shared, work / ".tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    scratch.chmod(0o755)
    nbformat.write(nb, work / name)
    _font_cache(work)
    if box.level == "bubblewrap":
        box.write_identity(shared)
    argv, env, cwd = box.command(
        [box.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        library,
        work,
        shared,
        limits,
    )
    specs = scratch / "kernels" / "cnn-sandbox"
    specs.mkdir(parents=True)
    spec = {
        "argv": argv,
        "display_name": "cnn sandbox",
        "language": "python",
        "interrupt_mode": "message",
    }
    (specs / "kernel.json").write_text(json.dumps(spec))
    manager = AsyncKernelManager(
        kernel_name="cnn-sandbox",
        kernel_spec_manager=KernelSpecManager(
            kernel_dirs=[str(scratch / "kernels")], ensure_native_kernel=False
        ),
        transport="ipc",
        ip=str(shared / "kernel"),
    )
    manager.connection_file = str(shared / "connection.json")
    manager.write_connection_file()
    box.prepare(work, shared)
    log = (scratch / "kernel.log").open("wb")
    marker = f"@@grader-{secrets.token_hex(8)}@@"
    client = _budget_client()(
        nb,
        marker=marker,
        km=manager,
        timeout=int(limits.seconds),
        startup_timeout=int(max(10, min(120, limits.seconds))),
        allow_errors=True,
        store_widget_state=False,
        record_timing=False,
    )

    def read_out(seconds: float) -> None:
        cell = nbformat.v4.new_code_cell(_READOUT.format(marker=marker))
        nb.cells.append(cell)
        try:
            client.timeout = int(max(1, seconds))
            client.execute_cell(cell, len(nb.cells) - 1, store_history=False)
        finally:
            nb.cells.pop()
        text = "".join(
            out.get("text", "") for out in cell.outputs if out.get("output_type") == "stream"
        )
        for line in text.splitlines():
            if line.startswith(marker):
                run.results = json.loads(line[len(marker) :])
                run.record_read = True

    stopped = None
    try:
        client.start_new_kernel(env=env, cwd=cwd, stdout=log, stderr=log)
        client.start_new_kernel_client()
    except Exception as err:  # the sandbox or the kernel would not start
        run.status, run.detail = "could not start", f"the kernel did not start: {_short(err)}"
        _stop(client, manager, log)
        run.seconds = time.monotonic() - started
        run.detail += _log_tail(scratch / "kernel.log")
        return run
    try:
        code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        for number, (index, cell) in enumerate(code_cells, 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                stopped = ("timeout", number)
                break
            client.timeout = int(max(1, remaining))
            flooded_before = client.truncated
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                stopped = ("timeout", number)
                break
            except DeadKernelError:
                stopped = ("kernel died", number)
                break
            for out in cell.outputs:
                if out.get("output_type") == "error":
                    run.cell_errors[number] = _short(f"{out.get('ename')}: {out.get('evalue')}")
            if client.reply_error and number not in run.cell_errors:
                # the error's own message was lost behind the cell's output
                run.cell_errors[number] = _short(client.reply_error)
            if client.truncated and not flooded_before:
                # a cell that printed more than the budget (typically a loop without end,
                # which may then fail for lack of memory rather than run out of time): the
                # rest of the notebook is not run, whichever way that cell ended
                stopped = ("too much output", number)
                break
            if _CHECK_CALL.search(cell.source):
                read_out(max(1, min(30, deadline - time.monotonic())))
        if stopped is None:
            read_out(max(5, min(30, deadline - time.monotonic() + 5)))
        elif stopped[0] == "timeout":
            try:  # stop the endless cell, then ask for the record once more
                run_sync(manager.interrupt_kernel)()
                read_out(GRACE_SECONDS)
            except Exception:  # the kernel does not listen any more: keep what we have
                pass
    except (CellTimeoutError, DeadKernelError) as err:  # during a read-out
        stopped = stopped or ("kernel died" if isinstance(err, DeadKernelError) else "timeout", 0)
    except Exception as err:  # anything else the kernel or the protocol throws at us
        stopped = stopped or ("kernel died", 0)
        run.detail = _short(f"the grader lost the kernel: {err}")
    finally:
        _stop(client, manager, log)
    run.seconds = time.monotonic() - started
    run.executed = nb
    if stopped is not None:
        run.status, run.stopped_at = stopped
        where = f"at code cell {stopped[1]}" if stopped[1] else "while reading the results"
        if stopped[0] == "timeout":
            why = f"the notebook ran out of time ({limits.seconds:g} s) {where}"
        elif stopped[0] == "too much output":
            why = (
                f"more than {MAX_OUTPUT_BYTES >> 20} MB of output {where} (a loop without "
                "end?); the cells after it were not run"
            )
        else:
            why = f"the kernel died {where} (out of memory, or the code ended Python)"
            why += _log_tail(scratch / "kernel.log")
        run.detail = "; ".join(filter(None, [why, run.detail]))
    elif run.cell_errors:
        run.status = "errors"
    if run.cell_errors:
        raised = ", ".join(f"cell {n} ({e})" for n, e in sorted(run.cell_errors.items()))
        run.detail = "; ".join(filter(None, [run.detail, f"raised: {raised}"]))
    return run


def _stop(client, manager, log) -> None:
    """End the kernel whatever state it is in (its sandbox ends with it)."""
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):
        client._cleanup_kernel()
    with contextlib.suppress(Exception):
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
    with contextlib.suppress(Exception):
        run_sync(manager.cleanup_resources)()
    log.close()


def _log_tail(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    interesting = [line for line in lines if "Error" in line or "error" in line or "Killed" in line]
    return f" [kernel: {_short(interesting[-1], 120)}]" if interesting else ""


# ----------------------------------------------------------------------------
# rows
# ----------------------------------------------------------------------------
@dataclass
class Row:
    """One line of grades.csv (see :data:`GRADE_COLUMNS`)."""

    student: str
    notebook: str
    exercise: str
    title: str
    passed: bool
    feedback: str
    mistakes: tuple[str, ...]
    attempts: int
    run: str
    review: str
    file: str

    def as_csv(self) -> dict:
        values = {name: getattr(self, name) for name in GRADE_COLUMNS}
        values["passed"] = int(self.passed)
        values["mistakes"] = ";".join(self.mistakes)
        return values


_REVIEW = (
    (
        re.compile(r"\b(_LATEST|_ATTEMPTS|_record|_catalogue|clear_results|_EXERCISES)\b"),
        "touches the checkers' record",
    ),
    (re.compile(r"^\s*(def\s+check_\w+|check_\w+\s*=)", re.M), "defines its own check_ function"),
    (
        re.compile(
            r"\b(subprocess|socket|ctypes|os\.system|os\.remove|os\.unlink|shutil\.rmtree"
            r"|os\.environ)\b"
        ),
        "uses the system (files, processes, network)",
    ),
    (re.compile(r"^\s*(!|%%(bash|sh|script))", re.M), "runs shell commands"),
)


def review_notes(nb) -> str:
    """Reasons to look at a submission by hand: code that touches the checkers' record
    (which could fake results, since the checkers run in the student's kernel) or the
    system. Empty when nothing stands out."""
    code = "\n".join(cell.source for _, cell in _code_cells(nb))
    return "; ".join(reason for pattern, reason in _REVIEW if pattern.search(code))


def _feedback(result: dict) -> str:
    return _short(" ".join([result.get("message", ""), *result.get("details", [])]), 400)


def rows_for(
    student: str,
    notebook: str,
    exercises: list[dict],
    run: Run | None,
    file: str,
    review: str,
    missing: str = "",
) -> list[Row]:
    """One row per exercise of ``notebook`` for one student.

    ``run`` None means there is no run to read (``missing`` says why: not handed in,
    not a readable notebook...).
    """
    rows = []
    for exercise in exercises:
        base = dict(
            student=student,
            notebook=notebook,
            exercise=exercise["id"],
            title=exercise["title"],
            file=file,
            review=review,
        )
        if run is None:
            rows.append(
                Row(**base, passed=False, feedback=missing, mistakes=(), attempts=0, run=missing)
            )
            continue
        status = run.status if not run.detail else f"{run.status}: {run.detail}"
        result = run.results.get(exercise["id"])
        if result is not None and result.get("kind", "exercise") != "exercise":
            result = None  # a prediction is practice, never a grade, whatever its id
        if result is not None:
            mistakes = tuple(result.get("mistakes", ()))
            passed = bool(result.get("passed"))
            if not passed and mistakes and set(mistakes) <= NOT_ATTEMPTED_IDS:
                feedback = "not attempted"
            else:
                feedback = _feedback(result)
            rows.append(
                Row(
                    **base,
                    passed=passed,
                    feedback=feedback,
                    mistakes=mistakes,
                    attempts=int(result.get("attempts", 1)),
                    run=status,
                )
            )
            continue
        cells = run.check_cells.get(exercise["check"], [])
        raised = [n for n in cells if n in run.cell_errors]
        if not cells:
            feedback = "not attempted (the cell that calls its check is not in the notebook)"
        elif raised:
            feedback = f"not checked: code cell {raised[0]} raised {run.cell_errors[raised[0]]}"
        elif run.stopped_at is not None and (not run.stopped_at or run.stopped_at <= cells[0]):
            feedback = f"not checked: the run stopped before it ({run.status})"
        elif run.status == "could not start":
            feedback = "not checked: the notebook could not be run"
        elif not run.record_read:
            feedback = (
                "not checked: the kernel never answered the grader's request for the checkers' "
                "record (does the notebook replace sys.stdout or cnnlib.exercises?)"
            )
        else:
            feedback = "not attempted (its check never ran)"
        rows.append(
            Row(**base, passed=False, feedback=feedback, mistakes=(), attempts=0, run=status)
        )
    return rows


# ----------------------------------------------------------------------------
# the whole class
# ----------------------------------------------------------------------------
@dataclass
class Report:
    """What :func:`grade` wrote and found."""

    out: Path
    rows: list[Row]
    runs: list[tuple[str, str, Run]]
    unmatched: list[submissions.Unmatched]
    replaced: list[str]
    sandbox: sandbox.Sandbox
    limits: sandbox.Limits
    seconds: float
    revisit: list[str]

    def summary(self) -> str:
        students = len({row.student for row in self.rows})
        lines = [
            f"Graded {len(self.runs)} notebooks of {students} students in {self.seconds:.0f} s; "
            f"isolation: {self.sandbox.describe()}.",
        ]
        if self.sandbox.level != "bubblewrap":
            lines.append("WARNING: " + " ".join(self.sandbox.guarantees()[:-1]))
        failed = [r for _, _, r in self.runs if r.status not in ("ok", "errors")]
        if failed:
            lines.append(f"{len(failed)} runs did not finish (see summary.md).")
        if self.revisit:
            lines.append("Revisit first: " + "; ".join(self.revisit[:3]))
        lines.append(f"Written: {self.out / 'grades.csv'}, summary.csv, summary.md")
        return "\n".join(lines)


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "student"


def grade(
    folder: str | Path,
    out: str | Path | None = None,
    limits: sandbox.Limits | None = None,
    isolation: str = "auto",
    notebooks: list[str] | None = None,
    keep_executed: bool = True,
    root: str | Path = course.ROOT,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Grade every submission in ``folder``; write grades.csv, summary.csv and summary.md.

    Parameters
    ----------
    folder : str or Path
        The submissions (see :mod:`classroom.submissions` for the shapes).
    out : str or Path, optional
        Where to write; by default ``grading-<date>-<time>`` in the course folder
        (git ignores it: grades are personal data).
    limits : Limits, optional
        Time and memory per notebook (default: 10 minutes, 4 GiB).
    isolation : str
        "auto" for the strongest level that works here, or a level to insist on.
    notebooks : list of str, optional
        The assignment's notebooks (e.g. ``["01_pixels"]``); a student who handed
        one of them in gets "not submitted" rows. Default: every course notebook
        anyone handed in.
    keep_executed : bool
        Keep each re-run notebook in ``out/executed/<student>/``.
    root : str or Path
        The course folder whose library and checkers grade.
    progress : callable, optional
        Called with one line per notebook graded.

    Returns
    -------
    Report
    """
    started = time.monotonic()
    say = progress or (lambda line: None)
    root = Path(root).resolve()
    limits = limits or sandbox.Limits()
    folder = Path(folder)
    if not folder.exists():
        raise GradingError(f"{folder} does not exist: give the folder (or .zip) of submissions")
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(out) if out is not None else root / f"grading-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    exercises = course.catalogue(root)["exercises"]
    catalogue = course.catalogue(root)
    course_notebooks = sorted(p.stem for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if notebooks:
        unknown = sorted(set(notebooks) - set(course_notebooks))
        if unknown:
            raise GradingError(
                f"--notebooks names {', '.join(unknown)}, which the course does not have; "
                f"its notebooks are {', '.join(course_notebooks)}"
            )
    checks = {e["check"]: e["notebook"] for e in exercises}
    scratch = Path(tempfile.mkdtemp(prefix="cnn-grade-"))
    try:
        scratch.chmod(0o755)
        found, unmatched = submissions.find_submissions(
            folder, course_notebooks, checks, _mkdir(scratch / "unpacked")
        )
        if not found and not unmatched:
            raise GradingError(f"{folder} holds no notebooks")
        library = release.stage_library(_mkdir(scratch / "course"), root)
        for path in [library, *library.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        box = sandbox.detect(library, isolation)
        say(f"grade: isolation {box.describe()}")
        for note in box.notes:
            say(f"grade:   (not stronger because {note})")
        assigned = notebooks or sorted({s.notebook for s in found})
        students = sorted({s.student for s in found}, key=str.lower)
        by_key = {(s.student, s.notebook): s for s in found}
        rows: list[Row] = []
        runs: list[tuple[str, str, Run]] = []
        for student in students:
            for notebook in assigned:
                mine = [e for e in exercises if e["notebook"] == notebook]
                submission = by_key.get((student, notebook))
                if submission is None:
                    rows += rows_for(student, notebook, mine, None, "", "", "not submitted")
                    continue
                rows += _grade_one(
                    submission,
                    mine,
                    box,
                    library,
                    limits,
                    scratch,
                    out,
                    keep_executed,
                    runs,
                    say,
                )
        replaced = [r for s in found for r in s.replaced]
        revisit = _write(
            out,
            rows,
            runs,
            unmatched,
            replaced,
            catalogue,
            box,
            limits,
            folder,
            time.monotonic() - started,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Report(
        out, rows, runs, unmatched, replaced, box, limits, time.monotonic() - started, revisit
    )


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _grade_one(submission, exercises, box, library, limits, scratch, out, keep, runs, say):
    """The rows of one submission; never raises (a fault of the grader becomes a row)."""
    label = f"{submission.student} / {submission.notebook}"
    try:
        try:
            nb = nbformat.read(submission.path, as_version=4)
            nbformat.validate(nb)
        except Exception as err:
            reason = f"unreadable: not a Jupyter notebook ({_short(err, 100)})"
            say(f"grade: {label}: {reason}")
            return rows_for(
                submission.student,
                submission.notebook,
                exercises,
                None,
                submission.shown,
                "",
                reason,
            )
        review = review_notes(nb)
        number = len(runs) + 1
        run = run_notebook(
            nb,
            box,
            library,
            limits,
            _mkdir(scratch / f"run-{number}"),
            name=f"{submission.notebook}.ipynb",
        )
        shutil.rmtree(scratch / f"run-{number}", ignore_errors=True)
        runs.append((submission.student, submission.notebook, run))
        if keep and run.executed is not None:
            folder = _mkdir(out / "executed" / _safe(submission.student))
            nbformat.write(run.executed, folder / f"{submission.notebook}.ipynb")
        rows = rows_for(
            submission.student, submission.notebook, exercises, run, submission.shown, review
        )
        passed = sum(r.passed for r in rows)
        say(f"grade: {label}: {passed}/{len(rows)} passed, {run.status} ({run.seconds:.0f} s)")
        return rows
    except Exception as err:  # a fault of the grader must not stop the class's grading
        reason = f"the grader failed on this file: {_short(err, 150)}"
        say(f"grade: {label}: {reason}")
        return rows_for(
            submission.student, submission.notebook, exercises, None, submission.shown, "", reason
        )


# ----------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------
def _write(out, rows, runs, unmatched, replaced, catalogue, box, limits, folder, seconds):
    with (out / "grades.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, GRADE_COLUMNS)
        writer.writeheader()
        writer.writerows(row.as_csv() for row in rows)
    summary = _per_exercise(rows, catalogue)
    with (out / "summary.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, SUMMARY_COLUMNS)
        writer.writeheader()
        writer.writerows(summary)
    revisit = [
        f"{s['exercise']} ({s['passed']}/{s['students']} passed"
        + (f"; most common: {s['top_mistake_name']}" if s["top_mistake"] else "")
        + ")"
        for s in sorted(summary, key=lambda s: (s["pass_rate"], s["notebook"]))
        if s["students"] and s["pass_rate"] < 1
    ]
    (out / "summary.md").write_text(
        _markdown(summary, rows, runs, unmatched, replaced, box, limits, folder, seconds),
        encoding="utf-8",
    )
    (out / "isolation.json").write_text(json.dumps(sandbox.as_dict(box), indent=2))
    return revisit


SUMMARY_COLUMNS = (
    "notebook",
    "exercise",
    "title",
    "students",
    "passed",
    "not_attempted",
    "pass_rate",
    "top_mistake",
    "top_mistake_name",
    "top_mistake_students",
    "top_mistake_note",
    "other_mistakes",
)


def _per_exercise(rows: list[Row], catalogue: dict) -> list[dict]:
    names = {}
    for exercise in catalogue["exercises"]:
        for mistake in [*exercise["mistakes"], *catalogue["common"]]:
            names[(exercise["id"], mistake["id"])] = mistake
    order = {e["id"]: i for i, e in enumerate(catalogue["exercises"])}
    groups: dict[str, list[Row]] = collections.defaultdict(list)
    for row in rows:
        groups[row.exercise].append(row)
    summary = []
    for exercise_id in sorted(groups, key=lambda e: order.get(e, 999)):
        group = groups[exercise_id]
        counts = collections.Counter(
            mistake
            for row in group
            for mistake in set(row.mistakes)
            if mistake not in NOT_ATTEMPTED_IDS
        )
        ranked = counts.most_common()
        top = ranked[0][0] if ranked else ""
        mistake = names.get((exercise_id, top), {})
        passed = sum(row.passed for row in group)
        summary.append(
            {
                "notebook": group[0].notebook,
                "exercise": exercise_id,
                "title": group[0].title,
                "students": len(group),
                "passed": passed,
                "not_attempted": sum(
                    row.feedback.startswith("not attempted") or row.feedback == "not submitted"
                    for row in group
                ),
                "pass_rate": round(passed / len(group), 3) if group else 0.0,
                "top_mistake": top,
                "top_mistake_name": mistake.get("name", ""),
                "top_mistake_students": ranked[0][1] if ranked else 0,
                "top_mistake_note": mistake.get("note", ""),
                "other_mistakes": "; ".join(f"{m} ({n})" for m, n in ranked[1:]),
            }
        )
    return summary


def _markdown(summary, rows, runs, unmatched, replaced, box, limits, folder, seconds) -> str:
    students = sorted({row.student for row in rows}, key=str.lower)
    lines = [
        f"# Grading summary: {folder}",
        "",
        f"Graded {datetime.datetime.now():%Y-%m-%d %H:%M}: {len(students)} students, "
        f"{len(runs)} notebooks re-run in {seconds:.0f} s. Limits per notebook: "
        f"{limits.seconds:g} s, {limits.memory / 2**30:g} GiB of memory.",
        "",
        f"**Isolation: {box.describe()}.** " + " ".join(box.guarantees()),
        "",
    ]
    for note in box.notes:
        lines.append(f"- not stronger because {note}")
    if box.notes:
        lines.append("")
    weak = [s for s in summary if s["students"] and s["pass_rate"] < 1]
    weak.sort(key=lambda s: (s["pass_rate"], s["notebook"]))
    lines += ["## Revisit first", ""]
    if not weak:
        lines.append("Every exercise was passed by every student.")
    for s in weak[:5]:
        line = (
            f"1. **{s['title']}** (`{s['exercise']}`, {s['notebook']}): "
            f"{s['passed']} of {s['students']} passed, {s['not_attempted']} did not try."
        )
        if s["top_mistake"]:
            line += (
                f" Most common mistake: **{s['top_mistake_name']}** (`{s['top_mistake']}`, "
                f"{s['top_mistake_students']} students). {s['top_mistake_note']}"
            )
        lines.append(line)
    lines += [
        "",
        "## Every exercise",
        "",
        "| notebook | exercise | passed | did not try | most common mistake (students) |",
        "|---|---|---:|---:|---|",
    ]
    for s in summary:
        top = f"{s['top_mistake_name']} (`{s['top_mistake']}`, {s['top_mistake_students']})"
        lines.append(
            f"| {s['notebook']} | {s['title']} (`{s['exercise']}`) | "
            f"{s['passed']}/{s['students']} | {s['not_attempted']} | "
            f"{top if s['top_mistake'] else ''} |"
        )
    troubled = [(st, nb, r) for st, nb, r in runs if r.status != "ok"]
    missing = sorted(
        {
            (r.student, r.notebook, r.run)
            for r in rows
            if r.run == "not submitted" or r.run.startswith(("unreadable", "the grader"))
        }
    )
    if troubled or missing:
        lines += ["", "## Runs that did not go cleanly", ""]
        for student, notebook, run in troubled:
            lines.append(f"- {student} · {notebook}: {run.status}: {run.detail}")
        for student, notebook, why in missing:
            lines.append(f"- {student} · {notebook}: {why}")
    reviews = sorted({(r.student, r.notebook, r.review) for r in rows if r.review})
    if reviews:
        lines += [
            "",
            "## Worth a look by hand",
            "",
            "The checkers run in the student's own kernel, so code that touches their record "
            "could fake a result; code that uses the system may have tried to leave its folder.",
            "",
        ]
        lines += [f"- {student} · {notebook}: {why}" for student, notebook, why in reviews]
    if unmatched or replaced:
        lines += ["", "## Files not graded", ""]
        lines += [f"- {u.shown}: {u.reason}" for u in unmatched]
        lines += [f"- {name}: an older file of the same student and notebook" for name in replaced]
    return "\n".join(lines) + "\n"
