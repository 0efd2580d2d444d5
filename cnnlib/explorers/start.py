"""The smallest explorer: proves that sliders reach the kernel and redraw the figure."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from cnnlib.explorers._base import Explorer

__all__ = ["WidgetCheck"]


class WidgetCheck(Explorer):
    """A wave whose frequency follows a slider. If it moves, widgets work.

    ``output`` is the (200,) array of wave heights currently drawn.
    """

    title = "Widget check: drag the slider"

    def __init__(self, frequency=1.0):
        super().__init__(figsize=(6.0, 2.2))
        self.controls["frequency"] = widgets.FloatSlider(
            value=frequency, min=0.5, max=5.0, step=0.5, description="frequency"
        )
        self._x = np.linspace(0, 2 * np.pi, 200)
        ax = self.figure.add_subplot()
        (self._line,) = ax.plot(self._x, np.sin(self._x), lw=2.5, color="#2166ac")
        ax.set_ylim(-1.15, 1.15)
        ax.set_xlabel("x")
        ax.set_ylabel("sin(frequency * x)")
        self._ax = ax
        self._watch()
        self.update()

    def _compute(self):
        return np.sin(self.controls["frequency"].value * self._x)

    def _draw(self, result):
        self._line.set_ydata(result)
        self._ax.set_title(f"frequency = {self.controls['frequency'].value:g}")

    def _describe_picture(self, result):
        f = self.controls["frequency"].value
        waves = "1 full wave" if f == 1 else f"{f:g} full waves"
        return (
            f"A sine wave, sin(frequency × x) with frequency {f:g}, for x from 0 to 6.28 (2π): "
            f"{waves} between −1 and 1."
        )

    def _describe(self, result):
        return "If the wave changed when you moved the slider, you are ready."
