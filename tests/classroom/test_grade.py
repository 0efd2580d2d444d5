"""./course grade: a class of small notebook-01 submissions (perfect, untouched, typical
mistakes, an endless loop, errors, a dying kernel, a hostile one) graded in the strongest
sandbox available here; what each run must produce, and what the sandbox must prevent.

The hostile submission tries to read the instructor's model answers and ~/.ssh, to list
the other submissions, to delete a canary file placed outside its folder, to write into
the course folder, to reach a server on this machine, and to fake its own results. What
is asserted depends on the isolation level that works here (each level promises less);
at the level "none" the hostile notebook is not run at all, since it could do harm.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import nbformat
import pytest

from classroom import grade as grading
from classroom import release, sandbox

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 120  # seconds per notebook: ample for these small ones, even on a busy machine
LOOP_LIMIT = 45  # for the endless loop, which costs this much once

WRONG = {
    "image_sizes": "thumbnail_shape = (36, 24)\nthumbnail_count = 864\n"
    "photo_shape = (480, 640, 3)\nphoto_count = 480 * 640 * 3",
    "negative": "def make_negative(image):\n    return 256 - image.astype(int)",
    "draw_x": "x_drawing = np.eye(5, dtype=int)",
}


def small(nb):
    """A short hand-in: the notebook's first code cell (its imports) and its exercises."""
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    start = next(i for i, c in enumerate(nb.cells) if "Exercise 1 \u00b7" in c.source)
    nb = nbformat.from_dict(nb)
    nb.cells = [nb.cells[first], *nb.cells[start:]]
    return nb


def inserted_after(nb, check: str, source: str):
    """``nb`` with a new code cell after the cell that calls ``check``."""
    nb = nbformat.from_dict(nb)
    index = next(i for i, c in enumerate(nb.cells) if f"{check}(" in c.source)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


class Server:
    """A TCP server on this machine's loopback, to see whether a sandbox reaches it."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.socket.settimeout(0.5)
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.socket.close()


PROBE = """\
import json, os, pathlib, socket
seen = {{}}
def attempt(name, action):
    try:
        seen[name] = ["done", str(action())[:300]]
    except BaseException as err:
        seen[name] = ["refused", type(err).__name__]
attempt("read_answers", lambda: pathlib.Path({answers!r}).read_text())
attempt("list_ssh", lambda: os.listdir({ssh!r}))
attempt("list_submissions", lambda: os.listdir({submissions!r}))
attempt("delete_canary", lambda: os.remove({canary!r}))
attempt("write_course", lambda: pathlib.Path({course_file!r}).write_text("written by a submission"))
attempt("write_library", lambda: open(pathlib.Path(__import__("cnnlib").__file__), "a").write("#"))
attempt("network", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3).close())
attempt("home", lambda: os.path.expanduser("~"))
print("PROBE" + json.dumps(seen))
"""
PREDICTION = """\
from cnnlib.exercises.predictions import check_prediction
check_prediction("pixel-background-value", 3)
"""
FORGE = """\
import cnnlib.exercises._catalogue as record
record._LATEST["draw_x"] = {**record._LATEST.get("image_sizes", {}), "exercise": "draw_x",
                           "passed": True, "message": "forged"}
"""


@pytest.fixture(scope="module")
def level(tmp_path_factory):
    """The isolation level that works here (the one grade() will choose)."""
    library = release.stage_library(tmp_path_factory.mktemp("library"))
    for path in [library, *library.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    try:
        return sandbox.detect(library).level
    except sandbox.SandboxUnavailable:  # root without a sandbox: "none" only when asked for
        return "none"


@pytest.fixture(scope="module")
def graded(level, notebooks, tmp_path_factory):
    """One grading run over the whole class."""
    helpers = notebooks
    base = tmp_path_factory.mktemp("class")
    folder = base / "submissions"
    template = small(helpers.course_notebook("01_pixels"))
    right = helpers.model_answers("01_pixels")
    only_first = {"image_sizes": right["image_sizes"]}
    hand_ins = {
        "alice/01_pixels.ipynb": inserted_after(  # a wrong prediction is not a grade
            helpers.answered(template, right), "check_image_sizes", PREDICTION
        ),
        "bob/01_pixels.ipynb": template,
        "carol/01_pixels.ipynb": helpers.answered(template, WRONG),
        "gina_01_pixels.ipynb": helpers.answered(template, {"image_sizes": WRONG["image_sizes"]}),
        "erin/01_pixels.ipynb": _erin(helpers, template, right),
        "frank/01_pixels.ipynb": inserted_after(
            helpers.answered(template, only_first), "check_image_sizes", "import os\nos._exit(3)"
        ),
    }
    canary = base / "instructor" / "canary.txt"
    canary.parent.mkdir()
    canary.write_text("still here")
    course_file = ROOT / f".sandbox-probe-{os.getpid()}"
    server = Server()
    if level != "none":  # it would do what it tries: only where the sandbox stops it
        probe = PROBE.format(
            answers=str(ROOT / "cnnlib" / "exercises" / "solutions.py"),
            ssh=str(Path.home() / ".ssh"),
            submissions=str(folder),
            canary=str(canary),
            course_file=str(course_file),
            port=server.port,
        )
        hostile = inserted_after(helpers.answered(template, right), "check_x_drawing", probe)
        hand_ins["mallory/01_pixels.ipynb"] = inserted_after(hostile, "check_x_drawing", FORGE)
    for name, nb in hand_ins.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / name)
    (folder / "zed_01_pixels.ipynb").write_text("{ this is not a notebook")
    (folder / "readme.txt").write_text("submissions exported on Monday")
    lines = []
    started = time.monotonic()
    try:
        report = grading.grade(
            folder,
            out=base / "out",
            limits=sandbox.Limits(seconds=LIMIT),
            isolation=level,
            progress=lines.append,
        )
    finally:
        server.close()
        written = course_file.exists()
        if written:
            course_file.unlink()
    with (base / "out" / "grades.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    return {
        "report": report,
        "rows": {(r["student"], r["exercise"]): r for r in rows},
        "list": rows,
        "out": base / "out",
        "canary": canary,
        "course_file_written": written,
        "server": server,
        "seconds": time.monotonic() - started,
        "lines": lines,
    }


def _erin(helpers, template, right):
    """Errors mid-notebook: a syntax error, a division by zero, a memory hog, and a
    NameError in the cell of exercise 2 before its check; exercise 3 still passes."""
    answers = dict(right)
    answers["negative"] = right["negative"] + "\n\nundefined_name"
    nb = helpers.answered(template, answers)
    nb = inserted_after(nb, "check_image_sizes", "def broken(:\n    pass")
    nb = inserted_after(nb, "check_image_sizes", "1 / 0")
    return inserted_after(nb, "check_image_sizes", "hog = np.empty(6 * 2**30, np.uint8)")


pytestmark = pytest.mark.slow


def test_every_student_gets_a_row_per_exercise(graded):
    students = {"alice", "bob", "carol", "gina", "erin", "frank", "zed"}
    if graded["report"].sandbox.level != "none":
        students.add("mallory")
    rows = graded["list"]
    assert {r["student"] for r in rows} == students
    assert len(rows) == 3 * len(students)
    assert list(rows[0]) == list(grading.GRADE_COLUMNS)


def test_a_perfect_submission_passes(graded):
    for exercise in ("image_sizes", "negative", "draw_x"):
        row = graded["rows"][("alice", exercise)]
        assert row["passed"] == "1" and row["run"] == "ok" and row["mistakes"] == "", row
        assert row["attempts"] == "1" and row["file"] == "alice/01_pixels.ipynb"


def test_predictions_are_not_graded(graded):
    (alice,) = [run for student, _, run in graded["report"].runs if student == "alice"]
    assert alice.record_read and set(alice.results) == {"image_sizes", "negative", "draw_x"}
    assert {entry["kind"] for entry in alice.results.values()} == {"exercise"}
    assert not any("pixel-" in row["exercise"] for row in graded["list"])


def test_an_untouched_notebook_is_not_attempted(graded):
    for exercise, mistake in (("image_sizes", "placeholder"), ("negative", "not-written")):
        row = graded["rows"][("bob", exercise)]
        assert row["passed"] == "0" and row["feedback"] == "not attempted", row
        assert row["mistakes"] == mistake


def test_typical_mistakes_are_named(graded):
    rows = graded["rows"]
    assert rows[("carol", "image_sizes")]["mistakes"] == "height-width-swapped"
    assert rows[("carol", "negative")]["mistakes"] == "negative-256"
    assert rows[("carol", "draw_x")]["mistakes"] == "one-diagonal"
    assert "255" in rows[("carol", "negative")]["feedback"]  # the checker's own hint
    assert rows[("gina", "image_sizes")]["file"] == "gina_01_pixels.ipynb"


def test_the_summary_names_the_most_common_mistake_with_the_catalogues_note(graded):
    with (graded["out"] / "summary.csv").open(newline="") as file:
        summary = {r["exercise"]: r for r in csv.DictReader(file)}
    sizes = summary["image_sizes"]
    assert sizes["top_mistake"] == "height-width-swapped" and sizes["top_mistake_students"] == "2"
    assert sizes["top_mistake_name"] == "Height and width swapped"
    assert "rows" in sizes["top_mistake_note"].lower()
    markdown = (graded["out"] / "summary.md").read_text()
    assert "## Revisit first" in markdown and "**Height and width swapped**" in markdown
    assert graded["report"].sandbox.describe() in markdown


@pytest.fixture(scope="module")
def looped(level, notebooks, tmp_path_factory):
    """An endless loop that floods the output (dave), then a perfect notebook (ezra),
    with a shorter time limit."""
    base = tmp_path_factory.mktemp("loop")
    template = small(notebooks.course_notebook("01_pixels"))
    right = notebooks.model_answers("01_pixels")
    hand_ins = {
        "dave_01_pixels.ipynb": inserted_after(
            notebooks.answered(template, {"image_sizes": right["image_sizes"]}),
            "check_image_sizes",
            "while True:\n    print('x' * 10_000)",  # endless, and flooding the output
        ),
        "ezra_01_pixels.ipynb": notebooks.answered(template, right),
    }
    (base / "in").mkdir()
    for name, nb in hand_ins.items():
        nbformat.write(nb, base / "in" / name)
    report = grading.grade(
        base / "in", out=base / "out", limits=sandbox.Limits(seconds=LOOP_LIMIT), isolation=level
    )
    return {
        "report": report,
        "rows": {(r.student, r.exercise): r for r in report.rows},
        "out": base / "out",
    }


def test_an_endless_loop_is_stopped_and_what_was_checked_before_counts(looped):
    rows = looped["rows"]
    assert rows[("dave", "image_sizes")].passed
    # The loop floods its output: it either runs out of time or, as its unsent output
    # piles up in the kernel, fails for lack of memory first (which one depends on how
    # fast the machine is). Either way the run stops there and says why.
    run = next(r for s, _, r in looped["report"].runs if s == "dave")
    assert run.status in ("timeout", "too much output"), run
    for exercise in ("negative", "draw_x"):
        row = rows[("dave", exercise)]
        assert not row.passed and f"stopped before it ({run.status})" in row.feedback, row
    if run.status == "timeout":
        assert rows[("dave", "negative")].run.startswith("timeout: the notebook ran out of time")
        assert LOOP_LIMIT <= run.seconds < LOOP_LIMIT + grading.GRACE_SECONDS + 30
    else:
        assert rows[("dave", "negative")].run.startswith("too much output: more than 20 MB")
        assert run.seconds < LOOP_LIMIT + grading.GRACE_SECONDS + 30
    kept = looped["out"] / "executed" / "dave" / "01_pixels.ipynb"
    assert kept.stat().st_size < grading.MAX_OUTPUT_BYTES * 1.5  # the flood was cut
    assert "the rest was dropped" in kept.read_text()
    assert all(rows[("ezra", e)].passed for e in ("image_sizes", "negative", "draw_x"))


def test_errors_mid_notebook_are_reported_and_the_rest_still_runs(graded):
    rows = graded["rows"]
    assert rows[("erin", "image_sizes")]["passed"] == "1"
    negative = rows[("erin", "negative")]
    assert negative["passed"] == "0"
    assert "raised NameError: name 'undefined_name' is not defined" in negative["feedback"]
    assert rows[("erin", "draw_x")]["passed"] == "1"  # after the errors
    run = rows[("erin", "draw_x")]["run"]
    assert run.startswith("errors:")
    assert "SyntaxError" in run and "ZeroDivisionError" in run
    assert "MemoryError" in run  # 6 GiB is beyond the memory limit


def test_a_kernel_that_dies_is_reported(graded):
    rows = graded["rows"]
    assert rows[("frank", "image_sizes")]["passed"] == "1"
    assert "stopped before it (kernel died)" in rows[("frank", "negative")]["feedback"]
    assert rows[("frank", "negative")]["run"].startswith("kernel died")


def test_files_that_are_not_notebooks_are_reported(graded):
    row = graded["rows"][("zed", "image_sizes")]
    assert row["passed"] == "0" and row["feedback"].startswith("unreadable: not a Jupyter notebook")
    markdown = (graded["out"] / "summary.md").read_text()
    assert "readme.txt: not a notebook (.ipynb)" in markdown


def test_the_re_run_notebooks_are_kept_with_fresh_outputs(graded):
    nb = nbformat.read(graded["out"] / "executed" / "alice" / "01_pixels.ipynb", as_version=4)
    texts = json.dumps(nb.cells[-2].outputs)
    assert "That is an X" in texts


def _probe(graded) -> dict:
    nb = nbformat.read(graded["out"] / "executed" / "mallory" / "01_pixels.ipynb", as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out["text"].startswith("PROBE"):
                return json.loads(out["text"][len("PROBE") :])
    raise AssertionError("the hostile cell printed nothing")


def test_a_hostile_submission_stays_in_its_folder(graded):
    level = graded["report"].sandbox.level
    if level == "none":
        pytest.skip(
            "isolation 'none' here (no bubblewrap, not root): a hostile notebook could delete "
            "files, so it is not run; install bubblewrap to run this test"
        )
    seen = _probe(graded)
    # every level: the canary outside the folder survives, the course folder is not written
    assert graded["canary"].read_text() == "still here"
    assert seen["delete_canary"][0] == "refused", seen
    assert seen["write_course"][0] == "refused" and not graded["course_file_written"], seen
    assert seen["write_library"][0] == "refused", seen
    assert seen["list_ssh"][0] == "refused", seen  # root's home is private to root
    assert seen["network"][0] == "refused" and graded["server"].connections == 0, seen
    if level == "unprivileged-user":
        pytest.skip(
            "isolation 'unprivileged-user': the kernel can read world-readable files such as "
            "the repository's model answers (documented); the stronger checks need bubblewrap"
        )
    assert seen["read_answers"] == ["refused", "FileNotFoundError"], seen
    assert seen["list_submissions"] == ["refused", "FileNotFoundError"], seen
    assert seen["home"] == ["done", "/home/student"], seen


def test_a_submission_that_fakes_its_results_is_flagged_for_review(graded):
    if graded["report"].sandbox.level == "none":
        pytest.skip("the hostile notebook is not run at isolation 'none'")
    row = graded["rows"][("mallory", "draw_x")]
    assert "touches the checkers' record" in row["review"]
    assert "uses the system" in row["review"]
    assert "## Worth a look by hand" in (graded["out"] / "summary.md").read_text()


def test_the_report_says_which_isolation_was_used(graded):
    report = graded["report"]
    assert report.sandbox.level in sandbox.LEVELS
    assert graded["lines"][0].startswith(f"grade: isolation {report.sandbox.level}")
    saved = json.loads((graded["out"] / "isolation.json").read_text())
    assert saved["level"] == report.sandbox.level and saved["guarantees"]
    assert report.sandbox.describe() in report.summary()


# ----------------------------------------------------------------------------
# each level on its own
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("level", sandbox.LEVELS)
def test_each_isolation_level_runs_a_notebook_or_says_why_not(level, tmp_path):
    library = release.stage_library(tmp_path / "library")
    for path in [library, *library.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    tmp_path.chmod(0o755)
    try:
        box = sandbox.detect(library, level)
    except sandbox.SandboxUnavailable as err:
        assert level in str(err) and len(str(err)) > 40
        pytest.skip(f"not available here: {err}")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import os, cnnlib\nfrom cnnlib.exercises import check_learning_rate\n"
                "print(os.getcwd() == os.path.expanduser('~'), cnnlib.__file__)"
            ),
            nbformat.v4.new_code_cell("check_learning_rate(...)"),
        ]
    )
    run = grading.run_notebook(nb, box, library, sandbox.Limits(seconds=120), tmp_path / "run")
    assert run.status == "ok", run.detail
    printed = run.executed.cells[0].outputs[0]["text"]
    assert printed.startswith("True ")
    inside = sandbox.COURSE_INSIDE if level == "bubblewrap" else str(library)
    assert printed.split()[1].startswith(inside)
    assert run.results["learning_rate"]["mistakes"] == ["placeholder"]
    shutil.rmtree(tmp_path / "run", ignore_errors=True)
