"""Every numbered notebook, as a learner sees it: JupyterLab in headless Chromium.

For each ``notebooks/NN_*.ipynb``: open it, *Run > Run All Cells*, wait for the
kernel to go idle, then check that

- no output is an error, a traceback, a warning on stderr, or a widget that
  failed to display ("Error displaying widget: model not found");
- every explorer shows its picture (a decoded PNG) and its controls, and at
  least as many explorers are on the page as the notebook's code displays;
- moving one control of each explorer with the keyboard (or a click) changes
  the picture's pixels, and the picture's description (its alt text) with it.
  The time from the key press to the new picture is measured in the browser
  and printed at the end of the run (target: p95 <= 100 ms; reported, not
  asserted);
- every explorer works with the keyboard alone (keyboard.py: Tab reaches every
  control and leaves, arrows move sliders and menus, Space/Enter press buttons,
  the picture changes, no notebook shortcut fires);
- axe-core finds no WCAG 2.1 A/AA violation the course can fix in the outputs,
  after Run All and again after every explorer has been used (axe.py; upstream
  ones are listed in the summary);
- after an explorer's moves the kernel catches up (idle for a moment) within
  60 s, and the next explorer is only moved then, on a quiet kernel.

Explorers and notebooks not done yet are listed in tests/a11y_todo.py: their
problems are reported, not failed, and a listed one that passes fails the test
until it is deleted from its list.

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
import sys
import time

import nbformat
import pytest

from .axe import course_and_upstream, scan
from .keyboard import keyboard_check
from .notebook_page import NOTEBOOKS, REPO, ExplorerReport, NotebookPage

sys.path.insert(0, str(REPO / "tests"))
from a11y_todo import AXE_TODO, KEYBOARD_TODO, NOT_DESCRIBED  # noqa: E402

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
def test_notebook_in_the_browser(
    notebook, lab, browser_context, screenshot_dir, results, axe_script
):
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

        with timed(timings, "axe"):
            violations = scan(page.page, axe_script)

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

        with timed(timings, "keyboard"):
            for report in reports:
                problems += allowlisted(
                    report.name,
                    KEYBOARD_TODO,
                    "KEYBOARD_TODO",
                    [f"{report.label}, keyboard: {p}" for p in keyboard(page, report)],
                    results,
                )

        with timed(timings, "axe"):
            violations += scan(page.page, axe_script)  # after every explorer was used
        course, upstream = course_and_upstream(violations)
        for violation in upstream:
            key = f"{violation.rule}: {violation.upstream}"
            results["upstream"][key] = results["upstream"].get(key, 0) + 1
        unique = sorted({str(v) for v in course})
        summary["axe"] = {"course": len(unique), "upstream": len(upstream)}
        problems += allowlisted(
            name, AXE_TODO, "AXE_TODO", [f"axe-core: {v}" for v in unique], results
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


def allowlisted(item, todo, list_name, found, results) -> list[str]:
    """Problems of ``item``: failures, or notes if it is still on its to-do list.

    An item on the list that has no problem any more is a failure too, so the
    list is kept up to date (delete its line from tests/a11y_todo.py).
    """
    if item not in todo:
        return found
    if not found:
        return [f"{item} passes now: delete it from {list_name} in tests/a11y_todo.py"]
    results["todo"] += [f"[{list_name}] {problem}" for problem in found]
    return []


def keyboard(page: NotebookPage, report: ExplorerReport) -> list[str]:
    """The explorer used with the keyboard alone (keyboard.py); its log goes to the report."""
    problems, log = keyboard_check(page, report.index)
    report.info["keyboard"] = {"problems": problems, "log": log}
    return problems


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
    described_before = picture_text(page, k)
    report.info["description"] = described_before
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
    problems += description_follows(page, report, described_before)
    explorer.scroll_into_view_if_needed()
    for _ in range(MOVES - 1 if chosen.repeatable else 0):
        report.moves.append(page.move(k, chosen, timeout=3.0))
    return problems


def picture_text(page: NotebookPage, k: int) -> dict:
    """The picture's text alternative as the page has it: alt (the bridge) and title.

    The explorer's own picture (class ``cnn-figure``, set by cnnlib), not the
    suite's ``data-cnn-figure`` mark, which is lost if JupyterLab renders the
    output again (it did for the training dashboard after a run).
    """
    return (
        page.explorer(k)
        .locator("img.cnn-figure")
        .evaluate("img => ({alt: img.getAttribute('alt'), title: img.getAttribute('title')})")
    )


def description_follows(page: NotebookPage, report: ExplorerReport, before: dict) -> list[str]:
    """After a move that changed the picture, its alt text has changed too.

    ipywidgets writes the description into the ``<img>``'s title; the bridge
    moves it into ``alt`` on the next frame (and removes the title, which
    screen readers would read twice).
    """
    page.page.wait_for_timeout(150)
    after = picture_text(page, report.index)
    report.info["description_after_move"] = after
    problems = []
    if not after["alt"] or after["title"] is not None:
        problems.append(
            f"{report.label}: the bridge did not move the description into alt: {after}"
        )
    if report.name not in NOT_DESCRIBED and after["alt"] == before["alt"]:
        problems.append(
            f"{report.label}: the picture changed ({report.control}) but its description did not:"
            f" {after['alt']!r:.120}"
        )
    return problems
