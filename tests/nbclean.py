"""Keep the notebooks clean in git: no outputs, no execution counts, no noise.

Stripping is done by nbstripout. Two things are kept on top: cells tagged
``nbval-check-output`` (nbval's NBVAL_CHECK_OUTPUT marker as a cell tag) keep
their outputs *and* an execution count, because nbval compares those outputs
on every test run (and skips cells whose reference has no execution count);
and every cell's ``slideshow`` metadata (its slide type for presenting the
notebook as slides) is put back as it was, whatever nbstripout is configured
to drop, except that the classic notebook's "-" (continue the slide above) is
written as ``""``, the only spelling jupyterlab-slideshow shows.

    python tests/nbclean.py notebooks/*.ipynb            # clean in place
    python tests/nbclean.py --execute notebooks/02_*.ipynb  # run, then clean
    python tests/nbclean.py --check notebooks/*.ipynb    # exit 1 if not clean

``./course clean`` runs the first form on every notebook.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat
from nbstripout import strip_output

CHECK_TAG = "nbval-check-output"
# metadata that changes on every run and means nothing in git (nbstripout's CLI defaults)
EXTRA_KEYS = [
    "metadata.signature",
    "metadata.widgets",
    "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime",
    "cell.metadata.execution",
    "cell.metadata.heading_collapsed",
    "cell.metadata.hidden",
    "cell.metadata.scrolled",
]


def _kept(cell) -> bool:
    return cell.cell_type == "code" and CHECK_TAG in cell.get("metadata", {}).get("tags", [])


def _slide(cell) -> bool:
    return "slideshow" in cell.get("metadata", {})


def clean(nb):
    """Return a cleaned copy of notebook ``nb`` (an ``nbformat.NotebookNode``)."""
    nb = copy.deepcopy(nb)
    kept = {i: cell.outputs for i, cell in enumerate(nb.cells) if _kept(cell)}
    slides = {i: cell.metadata["slideshow"] for i, cell in enumerate(nb.cells) if _slide(cell)}
    nb = strip_output(nb, keep_output=False, keep_count=False, keep_id=False, extra_keys=EXTRA_KEYS)
    for i, slideshow in slides.items():
        if slideshow.get("slide_type") == "-":  # the classic notebook's "continue the slide"
            slideshow["slide_type"] = ""  # which jupyterlab-slideshow only reads as ""
        nb.cells[i].metadata["slideshow"] = slideshow
    for number, (i, outputs) in enumerate(sorted(kept.items()), start=1):
        cell = nb.cells[i]
        cell.outputs = outputs
        cell.execution_count = number
        for out in outputs:
            if "execution_count" in out:
                out["execution_count"] = number
    return nb


def execute(path: Path, timeout: int = 600):
    """Run a notebook top to bottom in a fresh kernel, from the notebooks folder."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=timeout, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not write")
    parser.add_argument("--execute", action="store_true", help="run before cleaning")
    args = parser.parse_args(argv)
    dirty = []
    for path in args.notebooks:
        nb = execute(path) if args.execute else nbformat.read(path, as_version=4)
        cleaned = clean(nb)
        if args.check:
            if cleaned != nbformat.read(path, as_version=4):
                dirty.append(path)
            continue
        nbformat.write(cleaned, path)
    if dirty:
        print("not clean (run ./course clean):", *map(str, dirty), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
