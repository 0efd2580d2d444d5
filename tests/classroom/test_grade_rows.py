"""From a run to rows of grades.csv and to the per-exercise summary (no kernel needed)."""

from __future__ import annotations

import json

import nbformat
import pytest

from classroom import grade as grading
from classroom.grade import Row, Run, review_notes, rows_for
from cnnlib.exercises import catalogue

CATALOGUE = catalogue()
PIXELS = [e for e in CATALOGUE["exercises"] if e["notebook"] == "01_pixels"]
IDS = [e["id"] for e in PIXELS]  # image_sizes, negative, draw_x


def result(passed, mistakes=(), message="msg"):
    return {
        "passed": passed,
        "mistakes": list(mistakes),
        "message": message,
        "details": [],
        "attempts": 1,
    }


def rows(run, review=""):
    return {r.exercise: r for r in rows_for("ann", "01_pixels", PIXELS, run, "ann.ipynb", review)}


def test_results_become_rows_and_placeholders_are_not_attempted():
    run = Run(
        results={
            "image_sizes": result(True, message="Correct."),
            "negative": result(False, ["not-written"]),
            "draw_x": result(False, ["one-diagonal"], "Only one diagonal."),
        },
        check_cells={"check_image_sizes": [2], "check_negative": [3], "check_x_drawing": [4]},
        record_read=True,
    )
    got = rows(run)
    assert [got[e].passed for e in IDS] == [True, False, False]
    assert got["negative"].feedback == "not attempted" and got["negative"].mistakes == (
        "not-written",
    )
    assert got["draw_x"].feedback == "Only one diagonal." and got["draw_x"].run == "ok"
    assert got["draw_x"].as_csv()["passed"] == 0 and got["image_sizes"].as_csv()["passed"] == 1


def test_exercises_never_checked_say_why():
    run = Run(
        status="timeout",
        detail="the notebook ran out of time (30 s) at code cell 5",
        results={"image_sizes": result(True)},
        cell_errors={3: "NameError: name 'x' is not defined"},
        stopped_at=5,
        check_cells={"check_image_sizes": [2], "check_negative": [3], "check_x_drawing": [6]},
        record_read=True,
    )
    got = rows(run)
    assert got["negative"].feedback == (
        "not checked: code cell 3 raised NameError: name 'x' is not defined"
    )
    assert got["draw_x"].feedback == "not checked: the run stopped before it (timeout)"
    assert got["draw_x"].run.startswith("timeout: the notebook ran out of time")
    assert got["draw_x"].attempts == 0 and got["draw_x"].mistakes == ()


def test_a_deleted_check_or_a_silent_kernel_is_not_mistaken_for_a_pass():
    run = Run(check_cells={"check_image_sizes": [2]}, record_read=True)
    got = rows(run)
    assert got["negative"].feedback.startswith("not attempted (the cell that calls its check")
    assert "never ran" in got["image_sizes"].feedback
    silent = rows(Run(check_cells={"check_image_sizes": [2]}, record_read=False))
    assert "never answered" in silent["image_sizes"].feedback


def test_no_run_gives_the_reason_on_every_row():
    got = rows_for("bo", "01_pixels", PIXELS, None, "", "", "not submitted")
    assert [(r.passed, r.feedback, r.run) for r in got] == [
        (False, "not submitted", "not submitted")
    ] * 3


def test_a_prediction_is_never_a_grade():
    """Predictions (asked before explorers) share the checkers' record; a prediction
    under an exercise's id must still not count as that exercise."""
    run = Run(
        results={"image_sizes": {**result(True, message="Right."), "kind": "prediction"}},
        check_cells={"check_image_sizes": [2]},
        record_read=True,
    )
    got = rows(run)["image_sizes"]
    assert not got.passed and got.attempts == 0 and "never ran" in got.feedback


def test_the_grader_reads_the_exercises_from_the_record_and_not_the_predictions(capsys):
    """The code the grader runs in the kernel, run here after a prediction and an exercise."""
    from cnnlib.exercises import check_image_sizes, clear_results, results
    from cnnlib.exercises.predictions import check_prediction

    clear_results()
    try:
        check_prediction("pixel-background-value", 3)
        check_image_sizes((28, 28), 784, (1, 1, 3), 3)
        assert {entry["kind"] for entry in results().values()} == {"exercise", "prediction"}
        exec(grading._READOUT.format(marker="RECORD"), {})
    finally:
        clear_results()
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("RECORD"))
    record = json.loads(line[len("RECORD") :])
    assert list(record) == ["image_sizes"] and record["image_sizes"]["kind"] == "exercise"


def test_the_summary_counts_passes_and_names_the_most_common_mistake():
    def row(student, exercise, passed, mistakes=(), feedback="x"):
        return Row(
            student, "01_pixels", exercise, "t", passed, feedback, tuple(mistakes), 1, "ok", "", ""
        )

    class_rows = [
        row("a", "image_sizes", True),
        row("b", "image_sizes", False, ["height-width-swapped"]),
        row("c", "image_sizes", False, ["height-width-swapped", "added-sizes"]),
        row("d", "image_sizes", False, ["placeholder"], "not attempted"),
        row("a", "negative", True),
    ]
    summary = {s["exercise"]: s for s in grading._per_exercise(class_rows, CATALOGUE)}
    sizes = summary["image_sizes"]
    assert (sizes["students"], sizes["passed"], sizes["not_attempted"]) == (4, 1, 1)
    assert sizes["pass_rate"] == 0.25
    assert sizes["top_mistake"] == "height-width-swapped" and sizes["top_mistake_students"] == 2
    assert sizes["top_mistake_name"] == "Height and width swapped"
    assert sizes["top_mistake_note"].startswith("Screens are quoted width x height")
    assert sizes["other_mistakes"] == "added-sizes (1)"  # a placeholder is not a mistake
    assert summary["negative"]["top_mistake"] == ""
    assert list(summary) == ["image_sizes", "negative"]  # course order


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("import cnnlib.exercises._catalogue as c\nc._LATEST.clear()", "checkers' record"),
        ("def check_negative(f):\n    return True", "defines its own check_"),
        ("import subprocess", "uses the system"),
        ("!ls ~", "runs shell commands"),
        ("%%bash\nls", "runs shell commands"),
    ],
)
def test_code_worth_a_look_is_flagged(code, words):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    assert words in review_notes(nb)


@pytest.mark.parametrize(
    "path", sorted((grading.course.ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem
)
def test_the_course_notebooks_themselves_are_not_flagged(path):
    assert review_notes(nbformat.read(path, as_version=4)) == ""
