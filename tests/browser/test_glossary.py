"""The glossary in JupyterLab's Markdown Preview, as a learner reads it.

Checks what the unit tests (tests/test_glossary.py) cannot see: MathJax typesets every
formula without an error, a link to a term scrolls to that term, a link to a notebook opens
the notebook, and a notebook cell's link to ``glossary.md#term`` opens the preview at that
term. A screenshot of the formula sheet goes to ``browser-screenshots/glossary/``.
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest

from .notebook_page import NOTEBOOKS

pytestmark = pytest.mark.browser

GLOSSARY = NOTEBOOKS / "glossary.md"
PREVIEW = ".jp-MarkdownViewer .jp-RenderedMarkdown"


def _top_of(page, anchor: str) -> float:
    """Distance from the top of the preview's scroll area to the anchor's element."""
    return page.evaluate(
        """anchor => {
            const target = document.querySelector(`[data-jupyter-id="${anchor}"]`);
            const viewer = target.closest('.jp-MarkdownViewer');
            return target.getBoundingClientRect().top - viewer.getBoundingClientRect().top;
        }""",
        anchor,
    )


def _open_lab(context, lab, workspace: str):
    page = context.new_page()
    page.goto(lab.url(f"/lab/workspaces/{workspace}"))
    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-DirListing')")
    return page


def test_glossary_preview_typesets_every_formula_and_follows_links(
    browser_context, lab, screenshot_dir
):
    displays = len(re.findall(r"^\$\$.+\$\$$", GLOSSARY.read_text(), re.MULTILINE))
    page = _open_lab(browser_context, lab, "cnn-glossary")
    try:
        page.evaluate(
            "window.jupyterapp.commands.execute('docmanager:open',"
            " {path: 'notebooks/glossary.md', factory: 'Markdown Preview'})"
        )
        page.wait_for_function(
            f"document.querySelectorAll('{PREVIEW} mjx-container').length >= {displays}",
            timeout=60_000,
        )
        state = page.evaluate(
            f"""() => {{
                const root = document.querySelector('{PREVIEW}');
                return {{
                    formulas: root.querySelectorAll('mjx-container[display="true"]').length,
                    // a TeX error, or an unknown macro (MathJax's noundefined shows it in red)
                    errors: root.querySelectorAll(
                        'mjx-merror, [data-mjx-error], mtext[mathcolor="red"]').length,
                    dollars: (root.innerText.match(/\\$\\$/g) || []).length,
                    anchors: root.querySelectorAll('a[data-jupyter-id]').length,
                    tables: root.querySelectorAll('table').length,
                }};
            }}"""
        )
        assert state["formulas"] == displays, state
        assert state["errors"] == 0 and state["dollars"] == 0, state
        assert state["anchors"] >= 150 and state["tables"] == 4, state

        # a link to a term scrolls that term to the top of the preview
        assert _top_of(page, "stride") > 1000
        page.locator(f"{PREVIEW} a[href='#stride']").first.click()
        page.wait_for_timeout(500)
        assert -2 <= _top_of(page, "stride") < 100  # scrolled to the top, give or take a subpixel

        page.locator(f"{PREVIEW} a[href='#formulas']").first.click()
        page.wait_for_timeout(500)
        assert -2 <= _top_of(page, "formulas") < 100  # scrolled to the top, give or take a subpixel
        folder = screenshot_dir / "glossary"
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / "formula-sheet.png"))

        # a notebook link opens the notebook in JupyterLab
        page.locator(f"{PREVIEW} a[href*='02_convolution.ipynb']").first.click()
        page.wait_for_function(
            "window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.title.label === '02_convolution.ipynb'"
        )
    finally:
        lab.shutdown_kernels()
        page.close()


def test_a_notebook_link_to_a_term_opens_the_preview_there(browser_context, lab):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("Read about [stride](glossary.md#stride).")]
    path = lab.root / "notebooks" / "zz_glossary_link.ipynb"  # in the server's temporary copy
    nbformat.write(notebook, path)
    page = _open_lab(browser_context, lab, "cnn-glossary-link")
    try:
        page.evaluate(
            "window.jupyterapp.commands.execute('docmanager:open',"
            " {path: 'notebooks/zz_glossary_link.ipynb', kernelPreference: {shouldStart: false}})"
        )
        link = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown a", has_text="stride")
        link.wait_for()
        deadline = time.monotonic() + 10
        while page.locator(".jp-Dialog").count() and time.monotonic() < deadline:
            page.keyboard.press("Escape")  # a kernel chooser, if one opens
            page.wait_for_timeout(200)
        link.click()
        page.wait_for_function(
            "window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.title.label === 'glossary.md'"
            " && document.querySelector('.jp-MarkdownViewer [data-jupyter-id=\"stride\"]')"
        )
        page.wait_for_timeout(1000)
        assert -2 <= _top_of(page, "stride") < 100  # scrolled to the top, give or take a subpixel
    finally:
        lab.shutdown_kernels()
        page.close()
        path.unlink(missing_ok=True)
