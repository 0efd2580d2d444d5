"""Every numbered notebook, as a learner sees it: JupyterLab in headless Chromium.

For each ``notebooks/NN_*.ipynb``: open it, *Run > Run All Cells*, wait for the
kernel to go idle, then check that

- no output is an error, a traceback, a warning on stderr, or a widget that
  failed to display ("Error displaying widget: model not found");
- every explorer shows its picture (a decoded PNG) and its controls, and at
  least as many explorers are on the page as the notebook's code displays;
- moving one control of each explorer with the keyboard (or a click) changes
  the picture's pixels. The time from the key press to the new picture is
  measured in the browser and printed at the end of the run (target: p95 <=
  100 ms; reported, not asserted);
- after those moves the kernel catches up (idle for a moment) within 60 s,
  and the next explorer is only moved then, on a quiet kernel.

Screenshots of every explorer (before and after the move) and of the whole
notebook go to ``browser-screenshots/NN_name/`` (see conftest.py).
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import json
import os
import shutil
import time

import nbformat
import pytest

from .notebook_page import NOTEBOOKS, ExplorerReport, NotebookPage

pytestmark = pytest.mark.browser

NUMBERED = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
MOVES = int(os.environ.get("CNN_BROWSER_MOVES", "10"))
RUN_TIMEOUT = float(os.environ.get("CNN_BROWSER_TIMEOUT", "600"))
QUIET_TIMEOUT = 60.0  # s an explorer's queued work may take after its last move


def explorer_classes() -> set[str]:
    """Names under which cnnlib exports an Explorer subclass."""
    import cnnlib
    from cnnlib.explorers._base import Explorer

    names = set(getattr(cnnlib, "__all__", [])) | set(getattr(cnnlib, "_LAZY", {}))
    found = set()
    for name in names:
        with contextlib.suppress(Exception):
            value = getattr(cnnlib, name)
            if isinstance(value, type) and issubclass(value, Explorer) and value is not Explorer:
                found.add(name)
    return found


def displayed_explorers(notebook_path, classes: set[str]) -> int:
    """How many explorers the notebook's code displays, read from its source.

    Counts code cells whose last statement shows an explorer: ``Name(...)``,
    a variable assigned from such a call, or ``display(...)`` of either.
    """
    notebook = nbformat.read(notebook_path, as_version=4)
    bound: set[str] = set()
    count = 0

    def is_explorer(node) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return node.func.id in classes
        return isinstance(node, ast.Name) and node.id in bound

    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and is_explorer(node.value):
                bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
        shown = 0
        for statement in tree.body:
            if not isinstance(statement, ast.Expr):
                continue
            value = statement.value
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id == "display"
            ):
                shown += sum(is_explorer(arg) for arg in value.args)
        if tree.body and isinstance(tree.body[-1], ast.Expr) and is_explorer(tree.body[-1].value):
            shown += 1
        count += shown
    return count


@pytest.mark.parametrize("notebook", NUMBERED, ids=[p.stem for p in NUMBERED])
def test_notebook_in_the_browser(notebook, lab, browser_context, screenshot_dir, results):
    name = notebook.stem
    folder = screenshot_dir / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    problems: list[str] = []
    reports: list[ExplorerReport] = []
    page = NotebookPage(browser_context, lab, f"notebooks/{notebook.name}")
    summary = results["notebooks"].setdefault(name, {})
    timings = summary.setdefault("timings", {})
    try:
        with timed(timings, "open"):
            page.open()
        with timed(timings, "run all"):
            run = page.run_all(timeout=RUN_TIMEOUT)
        summary.update(code=run["code"], seconds=run["seconds"])
        survey = page.survey()
        problems += survey["problems"]
        explorers = survey["explorers"]
        summary["explorers"] = len(explorers)

        expected = displayed_explorers(notebook, explorer_classes())
        if len(explorers) < expected:
            problems.append(
                f"the code displays {expected} explorer(s) but only {len(explorers)}"
                " showed up as live widgets"
            )

        with timed(timings, "explorers"):
            for found in explorers:
                report = ExplorerReport(name, found["index"], found["cell"], found["name"])
                results["explorers"].append(report)
                reports.append(report)
                problems += check_explorer(page, report, folder)
                # the next explorer starts on a quiet kernel: work this one left queued
                # (say, a drawing's mouse moves) is not charged to the next one's first move
                busy = page.wait_quiet(timeout=QUIET_TIMEOUT)
                report.info["busy_after_moves"] = busy
                if busy is None:
                    problems.append(
                        f"{report.label}: the kernel was still busy {QUIET_TIMEOUT:.0f} s"
                        " after the last move"
                    )

        with timed(timings, "page screenshots"):
            page.screenshot_page(folder)
        if page.console_errors:
            widget_errors = [e for e in page.console_errors if "widget" in e.lower()]
            problems += [f"browser console: {e[:300]}" for e in widget_errors]
    except Exception:
        with contextlib.suppress(Exception):
            page.page.screenshot(path=str(folder / "failure.png"))
        raise
    finally:
        summary["problems"] = len(problems)
        write_report(folder / "report.json", summary, problems, reports)
        page.close()
        lab.shutdown_kernels()
    if problems:
        pytest.fail(f"{notebook.name} in the browser:\n- " + "\n- ".join(problems), pytrace=False)


@contextlib.contextmanager
def timed(timings: dict, phase: str):
    start = time.monotonic()
    try:
        yield
    finally:
        timings[phase] = round(time.monotonic() - start, 1)


def write_report(path, summary, problems, reports):
    """What the run saw in this notebook, next to its screenshots (report.json)."""
    explorers = []
    for report in reports:
        data = dataclasses.asdict(report)
        data["screenshots"] = [p.name for p in report.screenshots]
        data["notes"] = report.notes()
        explorers.append(data)
    text = json.dumps(dict(summary, problems=problems, explorers=explorers), indent=2)
    path.write_text(text + "\n")


def check_explorer(page: NotebookPage, report: ExplorerReport, folder) -> list[str]:
    """Rendered, reacts to a control, timed; screenshots before and after."""
    k = report.index
    problems = []
    info = page.inspect(k)
    report.info = info
    images = [img for img in info["images"] if img["naturalWidth"] > 0]
    if not images:
        problems.append(f"{report.label}: no picture (no decoded image)")
    elif any(img["shownWidth"] == 0 or img["shownHeight"] == 0 for img in images):
        problems.append(f"{report.label}: a picture is on the page but 0 px in size")
    controls = page.controls(k)
    if not controls:
        problems.append(f"{report.label}: no control to move ({info['controls']})")
    stem = f"explorer-{k + 1}-{report.name}"
    explorer = page.explorer(k)
    report.screenshots.append(page.screenshot_element(explorer, folder / f"{stem}.png"))
    if not images or not controls:
        return problems

    # one control that changes the picture: the first one, or else the next
    figure_before = page.figure(k).screenshot()
    chosen = None
    for control in controls:
        move = page.move(k, control)
        changed = move.src_ms is not None and page.figure(k).screenshot() != figure_before
        settled = control.settle()
        if settled:
            report.info["after_click"] = settled
            if settled.get("settle_seconds") is None:
                problems.append(
                    f"{report.label}: still busy {settled} after clicking {control.describe()}"
                )
        if changed:
            chosen = control
            report.moves.append(move)
            report.control = move.control
            break
    report.changed_pixels = chosen is not None
    if chosen is None:
        tried = ", ".join(c.describe() for c in controls)
        problems.append(f"{report.label}: moving {tried} did not change the picture")
        return problems
    report.screenshots.append(page.screenshot_element(explorer, folder / f"{stem}-moved.png"))
    explorer.scroll_into_view_if_needed()
    for _ in range(MOVES - 1 if chosen.repeatable else 0):
        report.moves.append(page.move(k, chosen, timeout=3.0))
    return problems
