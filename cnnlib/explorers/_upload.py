"""An upload button that turns a learner's picture into an explorer's image.

:class:`UploadSlot` holds one ``ipywidgets.FileUpload`` (PNG or JPEG, one
file) and what came of the last file: the decoded picture
(:func:`cnnlib.photos.read_image`, shrunk to the size the explorer can redraw
quickly) or the one sentence that says why it could not be used. The
explorer puts the control among its ``controls`` and is called back after
each upload; it never sees a traceback.

The file's bytes are read once and then dropped from the widget (its value
is set back to empty), so they are neither kept in memory nor written into
the notebook when widget state is saved; nothing goes to disk. Emptying the
value also lets the learner upload the same file again, which would
otherwise not count as a change.

``FileUpload.value`` is the same in ipywidgets 8.0 and 8.1 (the Python side
of the widget did not change between them): a tuple with one entry per file,
each a dict (a traitlets ``Bunch`` when the browser sent it) with ``name``,
``type``, ``size``, ``last_modified`` and ``content``, a ``memoryview`` from
the browser or ``bytes`` when a script sets it. :func:`uploaded_file` reads
either, and also the list-of-dicts a script may pass.
"""

from __future__ import annotations

import ipywidgets as widgets

from cnnlib.photos import read_image

__all__ = ["ACCEPT", "UploadSlot", "uploaded_file"]

#: What the browser's file dialog offers (the learner can still pick "all files";
#: read_image then explains what it cannot read).
ACCEPT = ".png,.jpg,.jpeg,image/png,image/jpeg"


def uploaded_file(value):
    """``(name, bytes)`` of the first file in a ``FileUpload.value``, or None if empty."""
    if not value:
        return None
    entry = value[0]
    name = entry.get("name") or "your file"
    content = entry.get("content", b"")
    data = content.tobytes() if isinstance(content, memoryview) else bytes(content)
    return name, data


class UploadSlot:
    """One upload control and the picture (or the problem) its last file gave.

    Parameters
    ----------
    on_change : callable
        Called with no arguments after every upload, good or bad; the
        explorer then switches to the picture (:attr:`image`) or shows
        :attr:`problem`.
    max_side : int
        The picture is shrunk so neither side is larger (keeps the explorer's
        redraws within its time budget).
    grayscale : bool
        Whether the explorer wants one gray value per pixel.
    description : str
        The button's label.

    Attributes
    ----------
    control : ipywidgets.FileUpload
    image : cnnlib.photos.LoadedImage or None
        The last picture that could be used.
    name : str
        Its file name.
    problem : str
        ``""``, or why the last file could not be used (one sentence, with
        the file's name).
    """

    def __init__(self, on_change, *, max_side, grayscale, description="your picture"):
        self._on_change = on_change
        self.max_side = int(max_side)
        self.grayscale = bool(grayscale)
        self.image = None
        self.name = ""
        self.problem = ""
        self.control = widgets.FileUpload(
            accept=ACCEPT,
            multiple=False,
            description=description,
            tooltip="Choose a PNG or JPEG picture: it stays in this notebook's memory only",
        )
        self.control.observe(self._received, names="value")

    @property
    def summary(self) -> str:
        """The file's name and what was done to it, for a status line."""
        if self.image is None:
            return ""
        return f"{self.name}: {self.image.summary}"

    def _received(self, change):
        file = uploaded_file(change["new"])
        if file is None:  # the value was emptied (below)
            return
        name, data = file
        try:
            image = read_image(data, max_side=self.max_side, grayscale=self.grayscale)
        except ValueError as err:
            self.problem = f"{name}: {err}"
        else:
            self.image, self.name, self.problem = image, name, ""
        self.control.value = ()  # forget the bytes (see the module docstring)
        self._on_change()
