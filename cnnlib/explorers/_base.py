"""The skeleton every explorer shares.

An explorer is a small app: a row of controls (ipywidgets), one matplotlib
figure built once, and a status line. Moving a control calls :meth:`update`,
which recomputes the result with the core functions and changes the existing
artists in place (``set_data``, ``set_clim``, ``set_text``) before rendering
the figure to a PNG shown in an ``ipywidgets.Image``.

Why a PNG in an Image widget rather than an interactive backend: it needs no
extra JupyterLab extension, renders the same in a browser, in tests and in
exported HTML, and costs one Agg draw per update.

The contract (used by the notebooks, the tests and the benchmarks):

``explorer.controls``
    dict of name -> widget; set ``.value`` to drive the explorer headlessly.
``explorer.output``
    the current result (e.g. the feature map), or ``None`` when the current
    combination of controls is impossible.
``explorer.message``
    ``""``, or the one-line explanation shown instead of the output.
``explorer.widget``
    what a notebook cell displays (the explorer displays itself too).
``explorer.update()``
    recompute and redraw; called automatically when a control changes.
``explorer.png``
    the PNG bytes last rendered.

Subclasses implement :meth:`_compute` (return the result, raise ``ValueError``
for an impossible combination) and :meth:`_draw` (update the artists).
"""

from __future__ import annotations

import base64
import io
import time

import ipywidgets as widgets
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cnnlib.plotting import apply_style

__all__ = ["Explorer"]


class Explorer:
    """Base class: controls + a persistent figure + a status line.

    Parameters
    ----------
    figsize : (float, float)
        Figure size in inches; with ``dpi`` it fixes the picture's pixel size,
        so nothing on the page jumps when the content changes.
    dpi : int
        Resolution of the rendered PNG.
    """

    title = ""

    def __init__(self, *, figsize=(9.0, 3.2), dpi=90):
        apply_style()
        self.controls: dict[str, widgets.Widget] = {}
        self.output = None
        self.message = ""
        self.png = b""
        self.last_update_ms = 0.0
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        width, height = (int(round(s * dpi)) for s in figsize)
        self._image = widgets.Image(
            format="png",
            layout=widgets.Layout(width=f"{width}px", height=f"{height}px", object_fit="contain"),
        )
        self._status = widgets.HTML(layout=widgets.Layout(min_height="1.8em"))
        self._widget = None

    # -- to be provided by subclasses -------------------------------------------------
    def _compute(self):
        """Return the current result; raise ValueError if the controls make no sense."""
        raise NotImplementedError

    def _draw(self, result):
        """Update the figure's artists for ``result`` (``None`` when impossible)."""
        raise NotImplementedError

    def _layout_controls(self):
        """The widget holding the controls; by default all of them in a wrapped row."""
        return widgets.HBox(
            list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")
        )

    def _describe(self, result) -> str:
        """A short HTML line under the figure (e.g. the output-size formula)."""
        return ""

    # -- the machinery --------------------------------------------------------------------
    def _watch(self):
        """Call :meth:`update` whenever any control's value changes."""
        for control in self.controls.values():
            control.observe(self.update, names="value")

    def update(self, change=None):
        """Recompute, update the artists in place and render. Never raises ValueError.

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
        else:
            self._status.value = self._describe(result)
        self.render()
        self.last_update_ms = (time.perf_counter() - start) * 1000.0

    def render(self):
        """Draw the figure and show it as PNG bytes in the image widget.

        The first render lets matplotlib's constrained layout place the axes;
        after that the layout is frozen, which makes every later draw faster and
        keeps the picture from jumping when a title changes length.
        """
        canvas = self.figure.canvas
        canvas.draw()
        if self.figure.get_layout_engine() is not None:
            self.figure.set_layout_engine("none")
        rgb = np.asarray(canvas.buffer_rgba())[..., :3]
        buffer = io.BytesIO()
        PIL.Image.fromarray(rgb).save(buffer, format="png", compress_level=1)
        self.png = buffer.getvalue()
        self._image.value = self.png

    @property
    def widget(self):
        """The widget a notebook displays: title, controls, figure, status line."""
        if self._widget is None:
            parts = []
            if self.title:
                parts.append(widgets.HTML(f"<b>{_escape(self.title)}</b>"))
            parts += [self._layout_controls(), self._image, self._status]
            self._widget = widgets.VBox(parts)
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Show the live widget, plus a PNG of the current state for static viewers.

        JupyterLab shows the widget; GitHub, nbviewer and HTML exports, which
        have no kernel, fall back to the picture.
        """
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle = dict(bundle)
        if self.png:
            bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        bundle["text/plain"] = f"<{type(self).__name__}: move the controls to explore>"
        return bundle


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
