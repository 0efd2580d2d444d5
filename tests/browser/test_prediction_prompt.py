"""The prediction widget in JupyterLab, used with the keyboard only, checked with axe-core.

A tiny notebook shows a number prediction and a choice prediction. In headless Chromium:

* axe-core (WCAG 2.1 A/AA) finds nothing to fix in their outputs, before and after a
  check (the feedback boxes' colours included);
* every control has an accessible name in Chromium's accessibility tree;
* the keyboard alone works: type a number and press Enter to check (JupyterLab does not
  take the key), Tab reaches the Check button, Space picks a choice, Enter on Check
  checks it;
* the feedback is written into a polite live region (role status), where screen
  readers pick it up.

axe-core is installed once with npm into ~/.cache/cnn-notebooks/axe-core-<version> (the
``axe_script`` fixture of conftest.py; without npm it skips, like the rest of the browser
suite without Chromium, or fails when CNN_REQUIRE_BROWSER is set). A screenshot goes to
browser-screenshots/predictions/.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from .axe import accessibility_tree, scan
from .notebook_page import NotebookPage

pytestmark = pytest.mark.browser

NUMBER, CHOICE = "conv-stride-2-padding-1", "descent-lr-1.1"


def axe_violations(page, script: Path) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations inside the notebook's outputs, compactly."""
    return [{"id": v.rule, "help": v.help, "node": v.html} for v in scan(page, script)]


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName, text: e.textContent.trim(), type: e.type || ''}; }"""
    )


def test_a_prediction_is_made_and_checked_with_the_keyboard_alone(
    browser_context, lab, axe_script, screenshot_dir
):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Predict, then move the slider"),
        nbformat.v4.new_code_cell(f'from cnnlib import predict_first\n\npredict_first("{NUMBER}")'),
        nbformat.v4.new_code_cell(f'predict_first("{CHOICE}")'),
    ]
    path = lab.root / "notebooks" / "zz_predictions.ipynb"  # in the server's temporary copy
    nbformat.write(notebook, path)
    page = NotebookPage(browser_context, lab, "notebooks/zz_predictions.ipynb")
    try:
        page.open()
        state = page.run_all(timeout=180)
        assert state["errors"] == 0, state
        p = page.page
        box = p.get_by_role("textbox", name="Your prediction")
        box.wait_for()
        outputs = p.locator(".jp-OutputArea-output")
        number_output, choice_output = outputs.nth(0), outputs.nth(1)

        # nothing to fix, and a name for everything
        assert axe_violations(p, axe_script) == []
        tree = accessibility_tree(p)
        named = {(n["role"], n["name"]) for n in tree}
        assert ("textbox", "Your prediction") in named
        assert sum(n["role"] == "button" and n["name"] == "Check" for n in tree) == 2
        from cnnlib.exercises import find_prediction

        for choice in find_prediction(CHOICE).choices:
            assert ("button", choice) in named or ("togglebutton", choice) in named, choice
        assert sum(n["role"] == "status" and n["live"] == "polite" for n in tree) == 2

        # type a wrong number and press Enter: the feedback appears in the live region
        cells_before = p.locator(".jp-Notebook .jp-Cell").count()
        box.focus()
        p.keyboard.type("13")
        p.keyboard.press("Enter")
        status = number_output.get_by_role("status")
        status.get_by_text("Not yet.").wait_for(timeout=15_000)
        assert "That is the size without padding." in status.inner_text()
        assert axe_violations(p, axe_script) == []  # the "not yet" colours too
        assert focused(p)["tag"] == "INPUT"  # the focus stays in the box: try again
        assert p.locator(".jp-Notebook .jp-Cell").count() == cells_before  # no notebook command

        # Tab reaches Check; a right answer, checked with Enter on the button
        p.keyboard.press("Control+A")
        p.keyboard.type("14")
        p.keyboard.press("Tab")
        assert focused(p) == {"tag": "BUTTON", "text": "Check", "type": "submit"} or (
            focused(p)["tag"] == "BUTTON" and focused(p)["text"] == "Check"
        )
        p.keyboard.press("Enter")
        status.get_by_text("Right!").wait_for(timeout=15_000)
        assert "You predicted 14." in status.inner_text()

        # the choice: Tab through the buttons, Space picks one, Tab to Check, Enter
        expected = find_prediction(CHOICE).expected
        first_choice = choice_output.get_by_role("button").first
        first_choice.focus()
        for _ in range(10):
            if focused(p)["text"] == expected:
                break
            p.keyboard.press("Tab")
        assert focused(p)["text"] == expected
        p.keyboard.press("Space")
        for _ in range(5):
            if focused(p)["text"] == "Check":
                break
            p.keyboard.press("Tab")
        assert focused(p)["text"] == "Check"
        p.keyboard.press("Enter")
        choice_status = choice_output.get_by_role("status")
        choice_status.get_by_text("Right!").wait_for(timeout=15_000)
        assert f"You predicted: {expected}." in choice_status.inner_text()

        # after the feedback: still nothing to fix, and the feedback is in the live regions
        assert axe_violations(p, axe_script) == []
        live = [n for n in accessibility_tree(p) if n["live"] == "polite"]
        assert len(live) >= 2
        folder = screenshot_dir / "predictions"
        folder.mkdir(exist_ok=True)
        page.screenshot_element(p.locator(".jp-Notebook"), folder / "keyboard-checked.png")
        assert not page.console_errors, page.console_errors
    finally:
        lab.shutdown_kernels()
        page.close()
        os.remove(path)
