"""Every numbered notebook can be presented as slides (issue 11 §2).

A cell's slide type lives in its metadata, ``{"slideshow": {"slide_type": ...}}``
(the same for jupyterlab-slideshow, RISE and nbconvert's reveal.js export).
A notebook has slides when at least 3 cells start a slide and at least 90% of
its cells have a slide type; notebooks not done yet are listed in
tests/a11y_todo.py NO_SLIDES. ``./course clean`` keeps the metadata.

A cell that continues the slide above has the empty type ``""``: what
JupyterLab's property inspector calls "-". The classic notebook wrote "-"
itself, which RISE and nbconvert read the same way, but jupyterlab-slideshow
0.3 does not show such a cell at all (it knows only a missing or empty type as
"continue"), so "-" is refused here with that explanation; ``./course clean``
rewrites it as "".
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from a11y_todo import NO_SLIDES  # noqa: E402
from nbclean import clean  # noqa: E402

NUMBERED = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: what a cell can be in a deck: a new slide, a slide below the current one, a step
#: revealed on the same slide, left out, speaker notes, or part of the slide above ("")
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", ""}
MIN_SLIDES = 3
MIN_TYPED = 0.9


def slide_types(notebook) -> list[str | None]:
    return [cell.metadata.get("slideshow", {}).get("slide_type") for cell in notebook.cells]


def test_no_slides_lists_only_numbered_notebooks():
    assert {path.stem for path in NUMBERED} >= NO_SLIDES


@pytest.mark.parametrize("path", NUMBERED, ids=[p.stem for p in NUMBERED])
def test_every_numbered_notebook_has_slide_metadata(path):
    types = slide_types(nbformat.read(path, as_version=4))
    dashes = [i for i, t in enumerate(types) if t == "-"]
    assert not dashes, (
        f"{path.name}: cells {dashes} have the slide type '-', which jupyterlab-slideshow does "
        "not show at all; a cell that continues the slide above has the empty type '' "
        "(JupyterLab's property inspector writes it when you choose '-')"
    )
    unknown = sorted({t for t in types if t is not None} - SLIDE_TYPES)
    assert not unknown, f"{path.name}: unknown slide types {unknown}; use {sorted(SLIDE_TYPES)}"
    slides = types.count("slide")
    typed = sum(t is not None for t in types) / len(types)
    done = slides >= MIN_SLIDES and typed >= MIN_TYPED
    if path.stem in NO_SLIDES:
        assert not done, f"{path.stem} has slides now: delete it from NO_SLIDES"
        pytest.skip(f"{path.stem}: no slides yet ({slides} slides, {typed:.0%} of cells typed)")
    assert slides >= MIN_SLIDES, f"{path.name}: {slides} cells start a slide; at least 3"
    assert typed >= MIN_TYPED, (
        f"{path.name}: {typed:.0%} of the cells have a slide type; at least 90% (cells "
        f"without one: {[i for i, t in enumerate(types) if t is None]})"
    )


def test_clean_keeps_the_slide_types():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Title", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_code_cell(
            "print(1)",
            metadata={"slideshow": {"slide_type": "fragment"}, "scrolled": True},
            outputs=[nbformat.v4.new_output("stream", text="1\n")],
            execution_count=3,
        ),
        nbformat.v4.new_code_cell("x = 1", metadata={"slideshow": {"slide_type": "skip"}}),
        nbformat.v4.new_markdown_cell("more", metadata={"slideshow": {"slide_type": "-"}}),
    ]
    cleaned = clean(notebook)
    assert slide_types(cleaned) == ["slide", "fragment", "skip", ""]  # "-" written as ""
    assert cleaned.cells[1].outputs == [] and "scrolled" not in cleaned.cells[1].metadata
