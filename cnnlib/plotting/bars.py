"""Bar charts with their values written on them (scores, probabilities, features)."""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v
from cnnlib.plotting.describe import describe
from cnnlib.plotting.values import _CAP_HEIGHT, _glyphs

__all__ = ["BAR_COLOR", "HIGHLIGHT_COLOR", "OUTLINE_COLOR", "LabelledBars"]


BAR_COLOR = "#bcbddc"  # light purple: an ordinary bar
HIGHLIGHT_COLOR = "#54278f"  # dark purple: the bar that matters (the prediction)
OUTLINE_COLOR = "#E69F00"  # Okabe-Ito orange: the true class


class LabelledBars:
    """One bar per name, with its value printed at its tip; updated in place.

    Parameters
    ----------
    ax : Axes
    names : list of str
        One label per bar (tick labels), e.g. the class names.
    horizontal : bool
        Bars grow to the right (names down the side, first on top) instead of up.
    fontsize : float
        Size of the printed values, in points.

    Call :meth:`set` with new values; it changes the bars' lengths, colours and
    printed values without making new artists. A zero line marks where bars
    start, so negative values (scores) grow the other way.

    The printed values are glyph outlines in one ``PathCollection`` (as in
    :class:`~cnnlib.plotting.values.LabelGrid`): a new number costs microseconds, where a matplotlib
    ``Text`` would be laid out and rasterised again (1-2 ms per label and draw).

    Attributes
    ----------
    texts : list of str
        What is printed at each bar.
    """

    def __init__(self, ax, names, horizontal=False, fontsize=10):
        from matplotlib.collections import PathCollection
        from matplotlib.transforms import Affine2D

        self.ax = ax
        self.names = [str(name) for name in names]
        self.horizontal = bool(horizontal)
        positions = np.arange(len(names))
        zeros = np.zeros(len(names))
        if self.horizontal:
            self.bars = ax.barh(positions, zeros, height=0.7, color=BAR_COLOR)
            ax.set_yticks(positions, list(names))
            ax.set_ylim(len(names) - 0.5, -0.5)  # first name on top
            ax.axvline(0, color="0.25", linewidth=0.9)
        else:
            self.bars = ax.bar(positions, zeros, width=0.7, color=BAR_COLOR)
            ax.set_xticks(positions, list(names))
            ax.set_xlim(-0.6, len(names) - 0.4)
            ax.axhline(0, color="0.25", linewidth=0.9)
        # glyphs are in font-size units: scaled to inches, then to pixels at the figure's
        # dpi (which follows a change of dpi: explorers at pixel density 2), placed at
        # data positions
        self.labels = PathCollection(
            [],
            offsets=np.zeros((0, 2)),
            offset_transform=ax.transData,
            transform=Affine2D().scale(fontsize / 72) + ax.figure.dpi_scale_trans,
            facecolors="black",
            linewidths=0,
            zorder=4,
        )
        self.labels.set_clip_on(False)
        ax.add_collection(self.labels, autolim=False)
        self.texts = ["" for _ in names]
        self.values = zeros

    @property
    def artists(self):
        """The bars and their value labels (what changes when :meth:`set` is called)."""
        return [*self.bars, self.labels]

    def set(self, values, fmt="{:.2f}", highlight=None, outline=None):
        """Show ``values`` (one per bar).

        Parameters
        ----------
        values : array (n,)
        fmt : str or callable
            How to print a value (``"{:.0%}"`` for probabilities).
        highlight : int, optional
            Index of the bar drawn dark (e.g. the predicted class).
        outline : int, optional
            Index of the bar outlined in orange (e.g. the true class).

        The axis limits stay as they are: set them once (``ax.set_ylim``) to
        fit every value you will show, with room for the printed numbers.
        """
        from matplotlib.path import Path

        values = v.as_float_array(values, "values")  # NaN draws no bar (a broken model)
        if values.shape != (len(self.bars),):
            raise ValueError(
                f"values must hold one number per bar ({len(self.bars)}), but has shape "
                f"{values.shape}"
            )
        self.values = values
        gap = 0.35  # between bar and number, in font-size units
        paths, offsets, texts = [], [], []
        for k, (bar, value) in enumerate(zip(self.bars, values)):
            bar.set_color(HIGHLIGHT_COLOR if k == highlight else BAR_COLOR)
            bar.set_edgecolor(OUTLINE_COLOR if k == outline else "none")
            bar.set_linewidth(3.0 if k == outline else 0.0)
            label = fmt.format(value) if isinstance(fmt, str) else fmt(value)
            label = label.replace("-", "\u2212")
            texts.append(label)
            sign = 1.0 if value >= 0 else -1.0
            if self.horizontal:
                bar.set_width(value)
            else:
                bar.set_height(value)
            if not label:
                continue
            verts, codes, width = _glyphs(label)
            if self.horizontal:  # beside the bar's end, vertically centred
                shift, offset = (sign * (width / 2 + gap), 0.0), (value, k)
            else:  # above a positive bar, below a negative one
                shift, offset = (0.0, sign * (_CAP_HEIGHT / 2 + gap)), (k, value)
            paths.append(Path(verts + shift, codes))
            offsets.append(offset)
        self.texts = texts
        self._describe(texts, highlight, outline)
        self.labels.set_paths(paths)
        self.labels.set_offsets(np.array(offsets, dtype=float).reshape(-1, 2))
        self.labels.stale = True

    def _describe(self, texts, highlight, outline):
        """The bars in words on the axes: each name with its printed value, the marked ones."""
        shown = [f"{name} {text}" for name, text in zip(self.names, texts) if text]
        text = f"{len(self.names)} bars: " + ", ".join(shown)
        if highlight is not None and 0 <= highlight < len(self.names):
            text += f"; dark bar: {self.names[highlight]}"
        if outline is not None and 0 <= outline < len(self.names):
            text += f"; outlined bar: {self.names[outline]}"
        title = self.ax.get_title()
        describe(self.ax, f"{title}: {text}" if title.strip() else text)
