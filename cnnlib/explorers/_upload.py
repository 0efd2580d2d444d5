"""An upload button that turns a learner's picture into an explorer's image.

:class:`UploadSlot` holds one ``ipywidgets.FileUpload`` (PNG or JPEG, one
file) and what came of the last file: the decoded picture
(:func:`cnnlib.photos.read_image`, shrunk to the size the explorer can redraw
quickly) or the one sentence that says why it could not be used. The
explorer puts the control among its ``controls`` and is called back after
each upload; it never sees a traceback. :class:`UploadMenu` is what an
explorer then does with it when the picture becomes an entry of its image
menu (the pixel inspector, the channel explorer, the digit-photo reader).

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

from cnnlib.explorers._base import _escape
from cnnlib.photos import read_image

__all__ = ["ACCEPT", "UploadMenu", "UploadSlot", "uploaded_file"]

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


class UploadMenu:
    """Mixin for an explorer whose image menu takes the learner's picture.

    A picture that can be used becomes the entry :attr:`UPLOAD` of the menu
    ``controls[UPLOAD_MENU]`` (added once, chosen at once; a later upload
    replaces it), and the status line says what was done to it. A file that
    cannot be used gives one line instead of the explorer's result, and the
    picture shown stays as it was, until any control moves.

    Put it before the explorer base class (``class X(UploadMenu, BlitExplorer)``).
    The explorer calls :meth:`_start_upload` in its ``__init__`` before its
    controls exist, keeps the decoded picture in :meth:`_keep_upload`, fits its
    controls to a new picture in :meth:`_fit_to_image` (if any need it), starts
    ``_compute`` with :meth:`_check_upload` and ends its status line with
    :meth:`_upload_words`. While ``_holding`` is True (controls being fitted to
    an image) updates wait for the one at the end.
    """

    UPLOAD = "your picture"  #: the menu entry of the learner's picture
    UPLOAD_SIDE = 512  #: an upload is shrunk to this (the course photo is 600 x 512)
    UPLOAD_MENU = "source"  #: the name of the image menu among the controls
    UPLOAD_WORDS = "Your picture"  #: how the status line names the upload

    def _start_upload(self, *, grayscale):
        self._upload = UploadSlot(self._uploaded, max_side=self.UPLOAD_SIDE, grayscale=grayscale)
        self._uploads = 0  # how many pictures were uploaded: a new one needs a new drawing
        self._problem = ""  # why the last upload could not be used, until a control moves
        self._holding = False

    def _keep_upload(self, pixels):
        """Keep the decoded picture where the explorer looks for the menu's images."""
        raise NotImplementedError

    def _fit_to_image(self):
        """Fit the controls to the image chosen in the menu (nothing to do by default)."""

    def update(self, change=None):
        if self._holding:  # the controls are being fitted to an image: one update at the end
            return
        if change is not None:  # a control moved: a bad upload's message has been read
            self._problem = ""
        super().update(change)

    def _uploaded(self):
        """A file arrived: show it, or say in one line why it cannot be shown."""
        self._problem = self._upload.problem
        if self._problem:
            self.update()
            return
        self._uploads += 1
        self._keep_upload(self._upload.image.pixels)
        menu = self.controls[self.UPLOAD_MENU]
        if self.UPLOAD not in menu.options:
            menu.options = (*menu.options, self.UPLOAD)
            menu.disabled = False
        if menu.value == self.UPLOAD:  # a second upload: same menu entry, new picture
            self._fit_to_image()
            self.update()
        else:
            menu.value = self.UPLOAD  # the menu's observers fit the controls and update

    def _check_upload(self):
        """Raise the last upload's problem (the explorer shows it as its one line)."""
        if self._problem:
            raise ValueError(self._problem)

    def _upload_words(self) -> str:
        """``<br>Your picture, <what was done to it>`` while the upload is shown, else ``""``."""
        if self.controls[self.UPLOAD_MENU].value != self.UPLOAD:
            return ""
        return f"<br>{self.UPLOAD_WORDS}, {_escape(self._upload.summary)}"
