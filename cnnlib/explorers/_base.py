"""The contract every explorer follows.

An explorer is a small app: a row of controls (ipywidgets), one matplotlib
figure built once, a status line, and a sentence saying what the picture
shows. Moving a control calls :meth:`Explorer.update`, which recomputes the
result with the core functions, changes the existing artists in place
(``set_data``, ``set_clim``, ``set_text``), describes the new picture in words
and shows the figure as a PNG in an ``ipywidgets.Image``.

Why a PNG in an Image widget rather than an interactive backend: it needs no
extra JupyterLab extension, renders the same in a browser, in tests and in
exported HTML, and costs one Agg draw per update. How that draw and the PNG
stay within ~50 ms is in :mod:`cnnlib.explorers._render`; how the picture and
the controls reach screen readers and keyboards is in
:mod:`cnnlib.explorers._a11y`.

The contract (used by the notebooks, the tests and the benchmarks):

``explorer.controls``
    dict of name -> widget; set ``.value`` to drive the explorer headlessly.
    Every control has an accessible name (its ``description``, or one given
    with :func:`~cnnlib.explorers._a11y.hidden_name`).
``explorer.output``
    the current result (e.g. the feature map), or ``None`` when the current
    combination of controls is impossible.
``explorer.message``
    ``""``, or the one-line explanation shown instead of the output.
``explorer.description``
    plain text, a sentence or two: what the picture shows *now*, with the
    numbers that matter ("Feature map 26x26 of the digit 3 ..."). Screen
    readers read it as the picture's name; viewers without a kernel get it as
    the ``alt`` of the static picture. With impossible settings it says what
    ``message`` says.
``explorer.widget``
    what a notebook cell displays (the explorer displays itself too).
``explorer.update()``
    recompute, redraw and describe; called automatically when a control changes.
``explorer.png``
    the PNG bytes last rendered, at :attr:`Explorer.pixel_density` image
    pixels per CSS pixel (see :func:`cnnlib.explorers.set_pixel_density`);
    for a moment after a control moved in the browser, the quick picture at
    density 1 that comes before the sharp one.

Subclasses implement :meth:`~Explorer._compute` (return the result, raise
``ValueError`` for an impossible combination), :meth:`~Explorer._draw` (update
the artists) and :meth:`~Explorer._describe_picture` (the description, from
the same result the figure is drawn from; keep it cheap, it runs on every
update).
"""

from __future__ import annotations

import base64
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from cnnlib.explorers import _render
from cnnlib.explorers._a11y import AccessibilityBridge, DescribedImage
from cnnlib.explorers._render import TextCachingCanvas, freeze_layout, png_bytes, whole_pixels
from cnnlib.plotting import apply_style
from cnnlib.plotting.describe import img_tag

__all__ = ["Explorer"]


class Explorer:
    """Base class: controls + a persistent figure + a status line + a description.

    Parameters
    ----------
    figsize : (float, float)
        Figure size in inches; with ``dpi`` it fixes the picture's size on the
        page, so nothing jumps when the content changes. Keep the width at most
        ~830 px (9.2 in at 90 dpi) so the picture fits a JupyterLab notebook
        column unshrunk; a wider one is scaled down to the column.
    dpi : int
        Dots per inch of the picture as shown (CSS pixels). The PNG has
        :attr:`pixel_density` times as many pixels each way.
    """

    title = ""

    def __init__(self, *, figsize=(9.0, 3.2), dpi=90):
        apply_style()
        self.controls: dict[str, widgets.Widget] = {}
        self.output = None
        self.message = ""
        self.description = ""
        self.png = b""
        self.last_update_ms = 0.0
        self._dpi = dpi
        self._density = _render.pixel_density()
        # (a whole number of pixels at 1x stays whole at 2x: doubling a float is exact)
        figsize = tuple(whole_pixels(inches, dpi) for inches in figsize)
        self.figure = Figure(figsize=figsize, dpi=dpi * self._density, layout="constrained")
        self._layout_frozen = False
        TextCachingCanvas(self.figure)
        # shown at its own size in CSS pixels, or shrunk to the notebook column if that
        # is narrower; the height follows the width, so the picture keeps its shape and
        # never gets blank bands (figures are made <= ~830 px wide to fit unshrunk)
        self._image = DescribedImage(
            format="png",
            layout=widgets.Layout(width=self._css_width(), max_width="100%", height="auto"),
        )
        self._status = widgets.HTML(layout=widgets.Layout(min_height="1.8em"))
        self._bridge = AccessibilityBridge()
        self._bridge.observe(self._display_reported, names="device_pixel_ratio")
        self._quick = _render.QuickWhileMoving(self)
        self._widget = None
        _render._live.add(self)

    # -- to be provided by subclasses -------------------------------------------------
    def _compute(self):
        """Return the current result; raise ValueError if the controls make no sense."""
        raise NotImplementedError

    def _draw(self, result):
        """Update the figure's artists for ``result`` (``None`` when impossible)."""
        raise NotImplementedError

    def _describe_picture(self, result) -> str:
        """What the picture shows now, in plain text (a sentence or two).

        Say what each panel shows with the numbers a sighted learner reads off
        it (sizes, ranges, where the strongest values are, the answer), from
        ``result`` and the controls, not from the artists. Called after
        :meth:`_draw` on every update that has a result.

        The default lists the explorer's title and its panels' titles: better
        than nothing, but it does not say what the picture shows.
        """
        panels = [
            " ".join(ax.get_title().split())
            for ax in self.figure.axes
            if ax.get_visible() and ax.get_title().strip()
        ]
        title = self.title if self.title.endswith((".", "?", "!", ":")) else f"{self.title}."
        return f"{title} Panels: {'; '.join(panels)}." if self.title else "; ".join(panels)

    def _describe_impossible(self) -> str:
        """The description when the controls make no sense: what ``message`` says."""
        return f"No result for these settings: {self.message}"

    def _layout_controls(self):
        """The widget holding the controls; by default all of them in a wrapped row."""
        return widgets.HBox(
            list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")
        )

    def _describe(self, result) -> str:
        """A short HTML line under the figure (e.g. the output-size formula)."""
        return ""

    def _widget_parts(self) -> list:
        """What the explorer's box shows, top to bottom: title, controls, picture, status."""
        parts = []
        if self.title:
            parts.append(widgets.HTML(f"<b>{_escape(self.title)}</b>"))
        return [*parts, self._layout_controls(), self._image, self._status]

    # -- the machinery --------------------------------------------------------------------
    def _watch(self):
        """Call :meth:`update` whenever any control's value changes."""
        for control in self.controls.values():
            control.observe(self.update, names="value")

    def update(self, change=None):
        """Recompute, update the artists in place, describe and render. Never raises ValueError.

        An impossible combination of controls (a kernel larger than the padded
        image, 'same' with stride 2, ...) leaves ``output`` as ``None`` and
        shows the reason in the status line instead of a traceback.
        """
        start = time.perf_counter()
        try:
            result = self._compute()
            self.message = ""
        except ValueError as err:
            result = None
            self.message = str(err)
        self.output = result
        self._draw(result)
        if self.message:
            self._status.value = (
                '<span style="color:#b35806;font-weight:600">Not possible:</span> '
                + _escape(self.message)
            )
            self.description = self._describe_impossible()
        else:
            self._status.value = self._describe(result)
            self.description = self._describe_picture(result)
        self._present()
        self.last_update_ms = (time.perf_counter() - start) * 1000.0

    def _present(self):
        """Render; while a learner moves a control on a HiDPI page, quickly at 1x first.

        At pixel density 2 a picture has four times the pixels to draw, send and
        decode. So an update that answers a control moved in the browser is
        drawn at density 1 and the sharp picture follows when the control has
        rested (:class:`~cnnlib.explorers._render.QuickWhileMoving`). Updates
        from code (a cell, a test) and at density 1 render as usual.
        """
        if self._density > 1 and self._layout_frozen and _render.control_moving():
            self._quick.show()
        else:
            self._quick.cancel()
            self.render()

    def render(self):
        """Draw the figure and show it, with its description, in the image widget.

        The first render lets matplotlib's constrained layout place the axes and
        their titles; after that the layout and the titles' positions are frozen,
        which makes every later draw faster and keeps the picture from jumping
        when a title changes length.
        """
        canvas = self.figure.canvas
        canvas.draw()
        if not self._layout_frozen:
            freeze_layout(self.figure)
            self._layout_frozen = True
        self._publish(canvas.buffer_rgba())

    def _publish(self, rgba):
        """Encode the canvas's pixels and send them with the description, in one message."""
        self.png = png_bytes(np.asarray(rgba))
        with self._image.hold_sync():
            self._image.value = self.png
            self._image.alt = self.description

    @property
    def widget(self):
        """The widget a notebook displays: title, controls, figure, status line.

        The box also holds an invisible
        :class:`~cnnlib.explorers._a11y.AccessibilityBridge`, which names the
        controls ipywidgets leaves unnamed and reports the display's pixel ratio.
        """
        if self._widget is None:
            self._bridge.group_name = self.title or type(self).__name__
            box = widgets.VBox([*self._widget_parts(), self._bridge])
            box.add_class("cnn-explorer")
            self._widget = box
        return self._widget

    # -- pixel density (HiDPI screens, projectors) ----------------------------------------
    @property
    def pixel_density(self) -> float:
        """Image pixels per CSS pixel of the picture now: 1, or 2 on a HiDPI display."""
        return self._density

    def _css_width(self) -> str:
        width, _ = self.figure.canvas.get_width_height(physical=True)
        return f"{width / self._density:g}px"

    def _display_reported(self, change):
        """The browser showing this explorer told its devicePixelRatio."""
        self._apply_pixel_density(_render.display_reported(change["new"]))

    def _apply_pixel_density(self, density: float):
        """Render at ``density`` from now on; the picture keeps its size on the page."""
        if density == self._density:
            return
        self._density = density
        self.figure.set_dpi(self._dpi * density)
        self._pixel_density_changed()
        self._image.layout.width = self._css_width()
        if self.png:  # else the first update has not run yet
            self.render()
            if density > 1:
                self._quick.warm()

    def _pixel_density_changed(self):
        """Hook: forget anything drawn at the old density (BlitExplorer's backgrounds)."""

    # -- viewers without a kernel -----------------------------------------------------------
    def static_png(self) -> bytes:
        """The picture for viewers without a kernel (GitHub, nbviewer, HTML exports)."""
        if self._quick.pending:  # a quick 1x picture is up: the saved one is sharp
            self._quick.sharpen()
        return self.png

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Show the live widget, plus a picture of the current state for static viewers.

        JupyterLab shows the widget; GitHub, nbviewer and HTML exports, which
        have no kernel, fall back to the HTML ``<img>`` (with the description as
        its ``alt`` and the CSS width, so a 2x picture keeps its size) or the PNG.
        """
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude))
        png = self.static_png()
        if png:
            encoded = base64.b64encode(png).decode("ascii")
            bundle["image/png"] = encoded
            bundle["text/html"] = img_tag(encoded, self.description, self._static_width(png))
        bundle["text/plain"] = f"<{type(self).__name__}: move the controls to explore>" + (
            f"\n{self.description}" if self.description else ""
        )
        return bundle

    def _static_width(self, png: bytes) -> int:
        """The CSS width of a static picture: its pixel width over the density."""
        width = int.from_bytes(png[16:20], "big")  # IHDR: the first chunk, after 8 + 8 bytes
        return round(width / self._density)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
