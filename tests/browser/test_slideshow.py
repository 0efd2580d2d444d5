"""A notebook presented as slides with jupyterlab-slideshow, explorers live in them.

The first numbered notebook that has slide metadata (tests/test_slides.py) is
opened in JupyterLab, run, and shown as a deck (command ``deck:start``, as the
toolbar's deck button does). Then:

- Space steps through the deck to its end without a browser error, and every
  cell that starts a slide is shown at some step;
- on the first slide with an explorer, ArrowRight on a slider handle moves the
  slider, the picture changes, and the deck stays on that slide (the key goes
  to the slider, not to the deck); a click on the slide outside the explorer
  gives the keys back to the deck (Space steps on);
- Escape leaves the deck.

Screenshots of every step go to ``browser-screenshots/slides-NN_name/``.
"""

from __future__ import annotations

import shutil
import sys

import nbformat
import pytest

from .notebook_page import NOTEBOOKS, REPO, NotebookPage

sys.path.insert(0, str(REPO / "tests"))
from a11y_todo import NO_SLIDES  # noqa: E402

pytestmark = pytest.mark.browser

DECKS = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if p.stem not in NO_SLIDES]

# Which cells are on screen now (index in the notebook), the deck's current cell (a
# fragment not yet revealed is laid out already, so the cells on screen alone do not
# change at every step), and whether the deck is on.
WHERE = """() => {
  const active = window.jupyterapp.shell.currentWidget.content.activeCellIndex;
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const shown = cells.filter((c) => { const r = c.getBoundingClientRect();
    const s = getComputedStyle(c);
    return r.height > 0 && r.width > 0 && s.display !== 'none' && s.visibility !== 'hidden'
      && r.bottom > 0 && r.top < innerHeight; });
  return { deck: document.body.dataset.jpDeckMode || null, active,
           visible: shown.map((c) => cells.indexOf(c)),
           handles: shown.reduce((n, c) => n + c.querySelectorAll('.noUi-handle').length, 0) };
}"""

START = """() => { const panel = window.jupyterapp.shell.currentWidget;
  panel.content.activeCellIndex = 0; panel.content.mode = 'command'; panel.content.node.focus();
  return window.jupyterapp.commands.execute('deck:start'); }"""


def test_a_notebook_as_slides_with_live_explorers(lab, browser_context, screenshot_dir):
    if not DECKS:
        pytest.skip("no numbered notebook has slide metadata yet (tests/a11y_todo.py NO_SLIDES)")
    notebook = DECKS[0]
    types = [
        c.metadata.get("slideshow", {}).get("slide_type")
        for c in nbformat.read(notebook, as_version=4).cells
    ]
    slides = [i for i, t in enumerate(types) if t == "slide"]
    folder = screenshot_dir / f"slides-{notebook.stem}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    page = NotebookPage(browser_context, lab, f"notebooks/{notebook.name}")
    try:
        page.open()
        state = page.run_all(timeout=600)
        assert state["errors"] == 0, state
        p = page.page
        p.evaluate(START)
        p.wait_for_function("() => !!document.body.dataset.jpDeckMode", timeout=30_000)
        p.wait_for_timeout(1500)
        steps, seen = [], set()
        for step in range(2 * len(types) + 5):
            where = p.evaluate(WHERE)
            steps.append(where)
            seen.update(where["visible"])
            p.screenshot(path=str(folder / f"step-{step:02d}.png"))
            if len(steps) >= 3 and steps[-1] == steps[-2] == steps[-3]:
                break  # the end: Space no longer moves
            p.keyboard.press("Space")
            p.wait_for_timeout(700)
        assert steps[0]["deck"], "the deck did not start"
        missed = [i for i in slides if i not in seen]
        assert not missed, f"slides never shown: cells {missed} ({len(steps)} steps)"
        assert len({tuple(s["visible"]) for s in steps}) >= len(slides)

        # back to the first slide with an explorer, and move its slider with the keyboard
        target = next((i for i, s in enumerate(steps) if s["handles"]), None)
        assert target is not None, "no slide shows an explorer's slider"
        p.keyboard.press("Escape")
        p.wait_for_function("() => !document.body.dataset.jpDeckMode", timeout=10_000)
        p.evaluate(START)
        p.wait_for_function("() => !!document.body.dataset.jpDeckMode", timeout=30_000)
        p.wait_for_timeout(1500)
        for _ in range(target):
            p.keyboard.press("Space")
            p.wait_for_timeout(500)
        before = p.evaluate(WHERE)
        handle = p.locator(".jp-Notebook .jp-Cell .noUi-handle").locator("visible=true").first
        picture = handle.locator("xpath=ancestor::div[contains(@class,'cnn-explorer')]").locator(
            "img.cnn-figure"
        )
        src = picture.get_attribute("src")
        p.screenshot(path=str(folder / "explorer-before.png"))
        handle.focus()
        handle.press("ArrowRight")
        p.wait_for_function(
            "([img, src]) => img.getAttribute('src') !== src",
            arg=[picture.element_handle(), src],
            timeout=15_000,
        )
        p.wait_for_timeout(500)
        p.screenshot(path=str(folder / "explorer-after-arrow-right.png"))
        assert p.evaluate(WHERE)["visible"] == before["visible"], "the key moved the deck too"
        # a click on the slide's text, and Space steps the deck again
        p.locator(".jp-Notebook .jp-MarkdownCell").locator("visible=true").last.click()
        p.wait_for_timeout(300)
        clicked = p.evaluate(WHERE)
        p.keyboard.press("Space")
        p.wait_for_timeout(800)
        assert p.evaluate(WHERE) != clicked, "Space did not step on"
        assert not page.console_errors, page.console_errors[:5]
    finally:
        page.close()
        lab.shutdown_kernels()
