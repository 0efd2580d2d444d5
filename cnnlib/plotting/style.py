"""The course's look: colour maps, matplotlib defaults and colour scales.

Colour conventions
------------------
* images (pixel brightness): ``gray``, black = 0, white = 255 (or the max);
* signed values (kernels, feature maps that can be negative): ``RdBu_r``, a
  diverging map from ColorBrewer that stays readable for colour-blind viewers,
  always centred on zero (white = 0, red = positive, blue = negative);
* MNIST digits are stored with ink as *high* values: shown with ``gray_r`` they
  look like ink on paper, with ``gray`` like chalk on a blackboard.

Besides the colour maps, this module decides the limits of a colour scale
(:func:`signed_limit`, :func:`image_limits`, :func:`feature_map_colors`), the
colour of text printed on a cell (:func:`contrast_colors`), how a number is
written (:func:`short_number`), a light colour bar (:class:`ColourScale`) and
how a notebook figure is made (``_new_figure``). The images, kernels, network
and training modules build on it.
"""

from __future__ import annotations

import functools

import numpy as np

from cnnlib import _validate as v

IMAGE_CMAP = "gray"
SIGNED_CMAP = "RdBu_r"
INK_CMAP = "gray_r"

_STYLE = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "image.interpolation": "nearest",
}

__all__ = [
    "IMAGE_CMAP",
    "SIGNED_CMAP",
    "INK_CMAP",
    "apply_style",
    "signed_limit",
    "image_limits",
    "feature_map_colors",
    "contrast_colors",
    "short_number",
    "ColourScale",
]


def apply_style():
    """Set the course's matplotlib defaults (larger fonts, no smoothing of pixels)."""
    import matplotlib as mpl

    mpl.rcParams.update(_STYLE)


def _bare(ax, title):
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)


def _new_figure(width, height, dpi=90):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    apply_style()
    fig = _notebook_figure_class()(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


@functools.cache
def _notebook_figure_class():
    """A Figure subclass that a notebook shows as a PNG when it ends a cell.

    Figures made with ``matplotlib.figure.Figure`` (not pyplot) are shown by
    Jupyter only if pyplot was imported; this one always is, exactly once.
    Built on first use so that importing this module does not load matplotlib.
    """
    from matplotlib.figure import Figure

    class NotebookFigure(Figure):
        def _repr_png_(self):
            import io

            buffer = io.BytesIO()
            self.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
            return buffer.getvalue()

    return NotebookFigure


#: The widest colour scale: matplotlib computes ``value - vmin`` and ``vmax - vmin``,
#: which overflow to infinity for limits near the largest float (1.8e308).
_WIDEST = 1e300


def signed_limit(data) -> float:
    """Half-width of a colour scale centred on zero that fits ``data`` (never 0).

    At most 1e300: larger values are drawn in the scale's end colours.
    """
    data = v.as_float_array(data, "data")
    m = float(np.max(np.abs(data))) if data.size else 0.0
    return min(m, _WIDEST) if m > 0 and np.isfinite(m) else 1.0


def image_limits(image):
    """``(vmin, vmax)`` for showing an image in gray.

    8-bit pixels (values above 100) use the fixed 0-255 scale, so a dark photo
    stays dark; small teaching images (0-9, 0-1) use 0 to their maximum;
    images with negative values (the +1/-1 toys) a scale symmetric around 0.
    """
    image = v.as_float_array(image, "image")
    finite = image[np.isfinite(image)]
    if finite.size == 0:  # nothing to fit (an empty or blank panel)
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= 0:
        return 0.0, 255.0 if hi > 100 else max(hi, 1.0)
    m = max(abs(lo), abs(hi))
    return -m, m


def feature_map_colors(data, kernel=None, image=None):
    """Colour map and limits for a feature map: ``(cmap, vmin, vmax)``.

    * A kernel whose weights add up to 1 (identity, blurs, sharpen) keeps the
      brightness of the ``image`` it was applied to: its map is a picture and
      is shown in gray on the image's own scale (:func:`image_limits`; values
      beyond it are clipped, as photo software does), provided 90% of the
      values stay near that scale.
    * A map with negative values (an edge detector's, say) gets the diverging
      ``RdBu_r`` centred on zero: white means "no response", red and blue the
      two signs.
    * Any other map (never negative) is gray from 0 to its maximum.
    """
    data = v.as_float_array(data, "data")
    finite = data[np.isfinite(data)]
    if kernel is not None and image is not None and abs(float(np.sum(kernel)) - 1.0) <= 0.05:
        lo, hi = image_limits(image)
        margin = 0.5 * (hi - lo)
        inside = np.mean((finite >= lo - margin) & (finite <= hi + margin)) if finite.size else 1
        if inside >= 0.9:  # it still looks like a picture (a template may sum to 1 too)
            return IMAGE_CMAP, lo, hi
    lim = signed_limit(finite)
    if finite.size == 0 or finite.min() >= -1e-9 * lim:
        return IMAGE_CMAP, 0.0, lim
    return SIGNED_CMAP, -lim, lim


def contrast_colors(values, vmin, vmax, cmap_name):
    """Black or white per value, whichever reads better on the colour behind it."""
    import matplotlib as mpl

    cmap = mpl.colormaps[cmap_name]
    span = (vmax - vmin) or 1.0
    rgba = cmap(np.clip((np.asarray(values, dtype=float) - vmin) / span, 0, 1))
    luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
    return np.where(luminance < 0.5, "white", "black")


def short_number(value) -> str:
    """A number as a short label with a real minus sign: ``2``, ``-1``, ``0.11``,
    ``0.004``, ``6600``, ``1.2e7``; anything that rounds to zero is ``0``."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"short_number writes a number, but got {value!r:.60}") from None
    if not np.isfinite(value):
        return str(value).replace("-", "\u2212")
    if abs(value) >= 1e6:  # 2 significant digits instead of a long row of figures
        return f"{value:.2g}".replace("e+0", "e").replace("e+", "e").replace("-", "\u2212")
    if abs(value) >= 100 or value == round(value):
        text = f"{value:.0f}"
    elif abs(value) >= 0.0095:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3f}".rstrip("0").rstrip(".")
    if text.lstrip("-") in ("0", ""):
        return "0"
    return text.replace("-", "\u2212")


class ColourScale:
    """A light colour bar for explorers: a gradient strip and three labels.

    ``Figure.colorbar`` re-lays out its ticks on every draw (about 3 ms); this
    strip is one small image plus three texts, so changing the colour map or the
    limits on every update costs almost nothing. ``cax`` is an axes of its own
    (e.g. a narrow gridspec column); labels are written with ``fmt``.
    """

    def __init__(self, cax, cmap=SIGNED_CMAP, fmt=None, fontsize=10):
        self.ax = cax
        self.fmt = fmt or short_number
        gradient = np.linspace(1.0, 0.0, 256)[:, None]
        self.image = cax.imshow(
            gradient, cmap=cmap, vmin=0, vmax=1, aspect="auto", extent=(0, 1, 0, 1)
        )
        cax.set_axis_off()
        from matplotlib.patches import Rectangle

        self.frame = cax.add_patch(
            Rectangle((0, 0), 1, 1, transform=cax.transAxes, fill=False, lw=0.8, ec="0.25")
        )
        self.labels = [
            cax.text(1.35, y, "", transform=cax.transAxes, va=va, fontsize=fontsize)
            for y, va in ((1.0, "top"), (0.5, "center"), (0.0, "bottom"))
        ]

    def update(self, cmap, vmin, vmax):
        """Show ``cmap`` from ``vmin`` (bottom) to ``vmax`` (top)."""
        if self.image.get_cmap().name != cmap:
            self.image.set_cmap(cmap)
        for label, value in zip(self.labels, (vmax, (vmin + vmax) / 2, vmin)):
            label.set_text(self.fmt(value))
