"""Words for pictures: every figure the course draws carries a text description.

A learner who cannot see a figure gets what it shows as text: screen readers
read an image's ``alt``. This module keeps a description for each axes and
figure, and shows figures in notebooks with it.

:func:`describe`
    attach a description to a figure or an axes (the plotting functions of
    ``cnnlib.plotting`` describe what they draw on their axes themselves; a
    notebook cell that draws with plain matplotlib calls it).
:func:`description_of`
    the text of a figure: its own description, then each axes' in order.
Showing a figure
    importing ``cnnlib.plotting`` in IPython/Jupyter registers a display hook
    for matplotlib figures (``plt.show()``, the inline backend's automatic
    display at the end of a cell, ``display(fig)``, a figure returned by a
    cell). A described figure is shown as HTML ``<img alt="..." src="data:...">``
    (JupyterLab, nbconvert and GitHub read that ``alt``; JupyterLab ignores
    an ``alt`` given only as PNG metadata) with the PNG and the text beside it
    for other viewers. A figure without a description is shown exactly as
    before.
Word helpers
    :func:`size_text`, :func:`range_text`, :func:`position_text`,
    :func:`rows_text`, :func:`extremes_text`: the same wording for the same
    facts in every description (sizes "26x26", rows and columns counted from
    0 as in the course, numbers written as on the pictures).
"""

from __future__ import annotations

import base64
import html
import sys
import weakref

import numpy as np

from cnnlib.plotting.style import short_number

__all__ = [
    "colour_text",
    "describe",
    "description_of",
    "extremes_text",
    "grid_text",
    "position_text",
    "range_text",
    "rows_text",
    "size_text",
    "titled",
]

_descriptions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Figure/Axes -> text


def describe(target, text: str):
    """Attach ``text`` to a figure or an axes as what it shows; return ``target``.

    On a figure, ``text`` comes first in its description, before what its axes
    say (the plotting functions describe their axes themselves); on an axes
    it replaces that axes' description. Say what a learner who cannot see the
    picture needs: what is drawn, and the numbers and shapes that matter.

    Parameters
    ----------
    target : matplotlib Figure or Axes
    text : str
        Plain text, a sentence or a few; "" removes the description.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from cnnlib.plotting import describe
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1, 2], [0, 1, 4])
    >>> _ = describe(ax, "A parabola through (0, 0), (1, 1) and (2, 4).")
    """
    if not _is_figure(target) and not _is_axes(target):
        raise TypeError(
            f"describe() attaches a description to a matplotlib Figure or Axes, but got "
            f"{type(target).__name__}; e.g. describe(fig, '...') or describe(ax, '...')"
        )
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, but is {type(text).__name__}")
    text = " ".join(text.split())
    if text:
        _descriptions[target] = text
    else:
        _descriptions.pop(target, None)
    return target


def description_of(target) -> str:
    """The description of a figure (its own, then its axes', in order) or of an axes."""
    if _is_axes(target):
        return _descriptions.get(target, "")
    parts = [_descriptions.get(target, "")]
    parts += [_descriptions.get(ax, "") for ax in target.axes if ax.get_visible()]
    return " ".join(_sentence(p) for p in parts if p)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def _is_figure(obj) -> bool:
    from matplotlib.figure import Figure

    return isinstance(obj, Figure)


def _is_axes(obj) -> bool:
    from matplotlib.axes import Axes

    return isinstance(obj, Axes)


# ----------------------------------------------------------------------------
# word helpers: the same facts in the same words everywhere
# ----------------------------------------------------------------------------
def size_text(array) -> str:
    """``"26x26"`` for an (h, w) array (rows x columns), ``"10"`` for a vector."""
    shape = np.shape(array)
    return "x".join(str(n) for n in shape)


def range_text(array, what: str = "values") -> str:
    """``"values from −1018 to 1018"``, or ``"all values 0"`` when they are all equal."""
    values = np.asarray(array, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return f"no {what}"
    low, high = float(finite.min()), float(finite.max())
    if short_number(low) == short_number(high):
        return f"all {what} {short_number(low)}"
    return f"{what} from {short_number(low)} to {short_number(high)}"


def position_text(row: int, col: int, shape) -> str:
    """``"row 3, column 20 (top right)"``: counted from 0, with the region in words."""
    h, w = shape[:2]
    vertical = ("top", "middle", "bottom")[min(2, 3 * row // max(h, 1))]
    horizontal = ("left", "centre", "right")[min(2, 3 * col // max(w, 1))]
    region = (
        "centre" if (vertical, horizontal) == ("middle", "centre") else (f"{vertical} {horizontal}")
    )
    return f"row {row}, column {col} ({region})"


def rows_text(array, fmt=short_number) -> str:
    """The numbers of a small grid row by row: ``"[1, 0, −1], [2, 0, −2], [1, 0, −1]"``."""
    grid = np.atleast_2d(np.asarray(array))
    return ", ".join("[" + ", ".join(fmt(x) for x in row) + "]" for row in grid)


def extremes_text(array, positive="strongest positive", negative="strongest negative") -> str:
    """Where the largest and (if any) the most negative value sit, in words.

    ``"strongest positive 1018 at row 6, column 3 (top left); strongest
    negative −1018 at row 6, column 22 (top right)"``; for a map without
    negative values only the first part.
    """
    values = np.asarray(array, dtype=float)
    if values.size == 0 or not np.isfinite(values).any():
        return ""
    safe = np.where(np.isfinite(values), values, np.nan)
    parts = []
    high = np.unravel_index(int(np.nanargmax(safe)), values.shape)
    if safe[high] > 0:
        parts.append(
            f"{positive} {short_number(safe[high])} at {position_text(*high[:2], values.shape)}"
        )
    low = np.unravel_index(int(np.nanargmin(safe)), values.shape)
    if safe[low] < 0:
        parts.append(
            f"{negative} {short_number(safe[low])} at {position_text(*low[:2], values.shape)}"
        )
    return "; ".join(parts)


def colour_text(cmap: str, vmin: float, vmax: float) -> str:
    """How values map to colours, for the course's colour maps."""
    low, high = short_number(vmin), short_number(vmax)
    if cmap == "gray":
        return f"black = {low}, white = {high}"
    if cmap == "gray_r":
        return f"white = {low}, black = {high}"
    if cmap == "RdBu_r":
        return f"blue = {low}, white = 0, red = {high}"
    return f"{cmap} colours from {low} to {high}"


def titled(title, text: str) -> str:
    """``"input: text"``, or ``text`` with a capital letter when there is no title."""
    title = " ".join(str(title).split()) if title else ""
    return f"{title}: {text}" if title else text[:1].upper() + text[1:]


#: grids of at most this many numbers are described number by number
LIST_LIMIT = 36


def grid_text(array, what: str, fmt=short_number, listed: bool | None = None) -> str:
    """``"kernel 3x3, by row [1, 0, −1], ..."`` for small grids, else size, range and extremes."""
    array = np.asarray(array)
    if listed is None:
        listed = array.size <= LIST_LIMIT
    if listed:
        return f"{what} {size_text(array)}, by row {rows_text(array, fmt)}"
    where = extremes_text(array, "largest", "most negative")
    return f"{what} {size_text(array)}, {range_text(array)}" + (f"; {where}" if where else "")


# ----------------------------------------------------------------------------
# showing figures with their description (IPython / Jupyter)
# ----------------------------------------------------------------------------
def img_tag(png_base64: str, alt: str, width: int | None = None) -> str:
    """An HTML ``<img>`` of a base64 PNG with ``alt`` as its text alternative."""
    size = f' width="{int(width)}"' if width else ""
    return (
        f'<img src="data:image/png;base64,{png_base64}" alt="{html.escape(alt, quote=True)}"'
        f'{size} style="max-width:100%;height:auto">'
    )


def _display_figure(fig) -> None:
    """IPython's display hook for figures: the usual output, with the description added.

    The figure is rendered once, by the formatters the session has (the
    inline backend's, with its dpi, 'retina' and bbox settings); a described
    figure gets an HTML ``<img alt>`` made from that same PNG, the PNG's
    metadata an ``alt``, and its plain text becomes the description.
    """
    from IPython import get_ipython
    from IPython.display import publish_display_data

    formatter = get_ipython().display_formatter
    hook = formatter.ipython_display_formatter
    hook.enabled = False  # compute the usual bundle without coming back here
    try:
        data, metadata = formatter.format(fig)
    finally:
        hook.enabled = True
    text = description_of(fig)
    if text and "image/png" in data:
        data, metadata = dict(data), dict(metadata)
        png = data["image/png"]
        encoded = base64.b64encode(png).decode("ascii") if isinstance(png, bytes) else png
        png_metadata = dict(metadata.get("image/png") or {})
        data["text/html"] = img_tag(encoded, text, png_metadata.get("width"))
        data["text/plain"] = text
        metadata["image/png"] = {**png_metadata, "alt": text}
    if data:
        publish_display_data(data, metadata or None)


def _register_display_hook() -> bool:
    """Show matplotlib figures with their description in this IPython session, if any.

    Registered by name, so matplotlib is not imported here; idempotent.
    Returns True if a session was found.
    """
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    hook = shell.display_formatter.ipython_display_formatter
    hook.for_type_by_name("matplotlib.figure", "Figure", _display_figure)
    return True
