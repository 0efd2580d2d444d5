"""Pooling explorer: window, stride, max or average, and what a small shift does.

Two large panels show a feature map and its pooled version. In max mode the
cell that wins each window is marked: outlined in orange on the small example
(every value printed), coloured orange on the big maps of a digit or the
photo, where the cells that lose their window are dimmed (dozens of outlines
would bury the strokes). A narrow column on the right answers "what if the
input moves a few pixels?": shifted minus unshifted for each map, titled with
how much the map changed (a relative change in percent).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from cnnlib import kernels
from cnnlib.datasets import load_mnist, load_photo
from cnnlib.explorers._base import Explorer
from cnnlib.images import downsample, shift, to_grayscale
from cnnlib.ops import avg_pool2d, conv2d, max_pool2d
from cnnlib.plotting import IMAGE_CMAP, LabelGrid, contrast_colors, show_image, show_signed
from cnnlib.plotting.describe import extremes_text, range_text, rows_text

__all__ = ["PoolingExplorer", "EXAMPLE_MAP"]

#: A small made-up feature map (6x6): the response of a diagonal-line detector,
#: strongest along the diagonal. Small enough to print every value.
EXAMPLE_MAP = np.array(
    [
        [0, 1, 0, 2, 0, 0],
        [3, 9, 1, 0, 1, 0],
        [0, 2, 8, 1, 0, 2],
        [1, 0, 2, 7, 3, 0],
        [0, 1, 0, 2, 9, 1],
        [2, 0, 1, 0, 1, 6],
    ],
    dtype=float,
)

# Okabe-Ito colours, distinguishable with every common colour-vision deficiency
WINNER_COLOR = "#E69F00"  # orange: the cell that wins its window
WINDOW_COLOR = "#56B4E9"  # sky blue: the first window and the output cell it makes
_WINNER_RGB = np.array(to_rgb(WINNER_COLOR))
PADDING_COLOR = "#f3e7cf"  # pale sand: the padded border around the input

_LABEL_LIMIT = 12  # value labels and winner outlines only for maps up to 12x12
# bigger maps: winners coloured orange, at least this bright (so a weak winner is
# still orange, not black), and the other cells dimmed to this share of their brightness
_WINNER_FLOOR = 0.2
_DIMMED = 0.45
# The 600x512 photo is shrunk 6 times, to 100x85, before the edge kernel: big enough
# to recognise, and under 10,000 values, above which numpy's BLAS (used by the core's
# input checks) wakes extra threads, which costs 10-20 ms on a busy 2-core machine.
_PHOTO_FACTOR = 6


def _edge_strength(image):
    """Vertical-edge strength of a 0-1 (H, W) image: |Sobel x|, same size as the image."""
    return np.abs(conv2d(image, kernels.sobel_x(), padding=1))


def _relative_change(after, before):
    """``||after - before|| / ||before||`` over all values (0 = unchanged)."""
    size = np.sqrt(np.sum(before**2))  # not np.linalg.norm: BLAS threads cost ms here
    return float(np.sqrt(np.sum((after - before) ** 2)) / size) if size else 0.0


def _two_decimals(value):
    """2.666 -> '2.67', 2.5 -> '2.5', 9.0 -> '9' (averages of whole numbers)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


class PoolingExplorer(Explorer):
    """Slide a pooling window over a feature map; shift the input and compare.

    Parameters
    ----------
    source : {"example", "digit", "photo"}
        ``"example"``: :data:`EXAMPLE_MAP`, 6x6 with every value printed;
        ``"digit"``: where a real MNIST digit has vertical edges (|Sobel x|, 28x28);
        ``"photo"``: the same for the course photo shrunk to 100x85.
    mode : {"max", "average"}
    window, stride, padding : int
        The pooling window (``kernel_size``), its step and the padding.
    shift : int
        How many pixels (0-3) the input image is moved to the right.
    digit : int
        Which training image of :func:`cnnlib.load_mnist` the digit source uses.

    Attributes
    ----------
    output : ndarray (Ho, Wo) or None
        The pooled map: ``max_pool2d(input_map, window, stride, padding)`` (or
        ``avg_pool2d``); ``None`` if the window does not fit.
    input_map : ndarray (H, W)
        The feature map shown top left (after the shift).
    winners : ndarray (Ho, Wo) of int, or None
        Max mode: flat index ``row * W + col`` of each window's winning cell.
    change : dict
        ``{"feature map": r1, "pooled map": r2}``: relative change
        ``||shifted - unshifted|| / ||unshifted||`` of each map.
    """

    title = "Pooling explorer: slide a window, keep the largest (or the mean) value"

    SOURCES = {
        "small example (6x6)": "example",
        "digit: vertical edges (28x28)": "digit",
        "photo: vertical edges (100x85)": "photo",
    }
    #: What each source's feature map is, and the kernel that made it (for its title).
    WHAT = {
        "example": ("a made-up feature map", ""),
        "digit": ("vertical edges of a digit", "|Sobel x|, "),
        "photo": ("vertical edges of the photo", "|Sobel x|, "),
    }

    def __init__(
        self, source="example", mode="max", window=2, stride=2, padding=0, shift=0, digit=0
    ):
        super().__init__(figsize=(9.2, 5.5), dpi=90)  # 828 x 495 px: fits a laptop screen
        # the status always has room for its two lines (a one-line "not possible" message
        # would otherwise make everything below jump); JupyterLab's widget lines are 28 px
        self._status.layout.min_height = "56px"
        names = list(self.SOURCES.values())
        if source not in names:
            raise ValueError(f"source={source!r} is not known; use one of {names}")
        if mode not in ("max", "average"):
            raise ValueError(f"mode={mode!r} is not known; use 'max' or 'average'")
        self._digit = digit
        self._images: dict[str, np.ndarray] = {}
        self._maps: dict[tuple[str, int], np.ndarray] = {}
        for name in names:  # all maps up front, so no slider move waits for data
            for pixels in range(4):
                self._feature_map(name, pixels)
        self.input_map = self._feature_map(source, shift)
        self.winners = None
        self.change = {"feature map": 0.0, "pooled map": 0.0}
        self._pooled_before = None

        style = {"description_width": "initial"}
        self.controls["source"] = widgets.Dropdown(
            options=list(self.SOURCES.items()), value=source, description="input", style=style
        )
        self.controls["mode"] = widgets.ToggleButtons(
            options=["max", "average"], value=mode, description="pooling", style=style
        )
        for name, value, low, high, label in [
            ("window", window, 1, 7, "window"),
            ("stride", stride, 1, 4, "stride"),
            ("padding", padding, 0, 3, "padding"),
            ("shift", shift, 0, 3, "shift input right (px)"),
        ]:
            self.controls[name] = widgets.IntSlider(
                value=value, min=low, max=high, description=label, style=style
            )
        self._build_figure()
        self._watch()
        self.update()

    # -- data -------------------------------------------------------------------------
    def _source_image(self, source):
        """The unshifted input image of a source, on a 0-1 scale (None for the example)."""
        if source not in self._images:
            if source == "digit":
                image = load_mnist("train")[0][self._digit]
            else:
                image = downsample(to_grayscale(load_photo()), _PHOTO_FACTOR)
            self._images[source] = image / 255.0
        return self._images[source]

    def _feature_map(self, source, pixels):
        """The map that gets pooled, for the input shifted ``pixels`` to the right."""
        key = (source, pixels)
        if key not in self._maps:
            if source == "example":
                self._maps[key] = shift(EXAMPLE_MAP, right=pixels)
            else:
                self._maps[key] = _edge_strength(shift(self._source_image(source), right=pixels))
        return self._maps[key]

    def _settings(self):
        c = self.controls
        names = ("source", "mode", "window", "stride", "padding", "shift")
        return tuple(c[name].value for name in names)

    def _compute(self):
        source, mode, window, stride, padding, pixels = self._settings()
        self.input_map = self._feature_map(source, pixels)
        self.winners = None
        unshifted = self._feature_map(source, 0)
        if mode == "max":
            pooled, self.winners = max_pool2d(
                self.input_map, window, stride, padding, return_indices=True
            )
            pooled_before = max_pool2d(unshifted, window, stride, padding)
        else:
            pooled = avg_pool2d(self.input_map, window, stride, padding)
            pooled_before = avg_pool2d(unshifted, window, stride, padding)
        self._pooled_before = pooled_before
        self.change = {
            "feature map": _relative_change(self.input_map, unshifted),
            "pooled map": _relative_change(pooled, pooled_before),
        }
        return pooled

    # -- figure -----------------------------------------------------------------------
    def _build_figure(self):
        fig = self.figure
        # placed by hand, in pixels of the 828 x 495 picture: the two maps large, side by
        # side, and what a shift changed in a narrow column on the right (constrained
        # layout leaves gaps around square images that span rows)
        fig.set_layout_engine("none")
        # pixels at density 1: at 2x (HiDPI) the same places, with twice the pixels
        width, height = fig.get_size_inches() * self._dpi

        def axes(left, top, size):
            return fig.add_subplot(
                position=(left / width, 1 - (top + size) / height, size / width, size / height)
            )

        big, small = 285, 187
        self._ax_in = axes(8, 92, big)
        self._ax_out = axes(8 + big + 24, 92, big)
        self._ax_din = axes(width - 8 - small, 40, small)
        self._ax_dout = axes(width - 8 - small, 40 + small + 44, small)
        blank = np.zeros((6, 6))
        # two-line titles from the start: the layout is computed once, on the first draw
        self._im_in = show_image(self._ax_in, blank, "feature map\n ", vmin=0, vmax=1)
        self._im_out = show_image(self._ax_out, blank, "pooled map\n ", vmin=0, vmax=1)
        self._im_din, _ = show_signed(self._ax_din, blank, "change\n ", limit=1, colorbar=False)
        self._im_dout, _ = show_signed(self._ax_dout, blank, "change\n ", limit=1, colorbar=False)
        for ax in (self._ax_in, self._ax_out, self._ax_din, self._ax_dout):
            ax.title.set_fontsize(11)
        self._ax_in.set_facecolor(PADDING_COLOR)
        # big maps in max mode: winners orange, the other cells dimmed (an RGBA layer on top)
        self._winner_layer = self._ax_in.imshow(np.zeros((1, 1, 4)), zorder=3)
        self._labels_in = LabelGrid(self._ax_in, height=0.3, max_points=15)
        self._labels_out = LabelGrid(self._ax_out, height=0.3, max_points=15)
        self._winner_lines = LineCollection([], colors=WINNER_COLOR, linewidths=2.0, zorder=4)
        self._ax_in.add_collection(self._winner_lines, autolim=False)
        self._window_box = Rectangle(
            (0, 0), 1, 1, fill=False, ec=WINDOW_COLOR, lw=3.0, ls="--", zorder=5
        )
        self._ax_in.add_patch(self._window_box)
        self._cell_box = Rectangle((0, 0), 1, 1, fill=False, ec=WINDOW_COLOR, lw=3.0, zorder=5)
        self._ax_out.add_patch(self._cell_box)
        self._shift_hints = [
            ax.text(0.5, 0.5, "", ha="center", va="center", transform=ax.transAxes, fontsize=10)
            for ax in (self._ax_din, self._ax_dout)
        ]
        self._not_possible = self._ax_out.text(
            0.5,
            0.5,
            "",
            ha="center",
            va="center",
            transform=self._ax_out.transAxes,
            fontsize=13,
            color="#b35806",
        )
        # one-line keys under the panels (their text changes, their place does not)
        self._ax_in.set_xlabel(" ", fontsize=10)
        self._ax_out.set_xlabel(" ", fontsize=10)
        self._ax_dout.set_xlabel("red: went up, blue: went down", fontsize=10)

    @staticmethod
    def _show_grid(ax, im, data, pad=0):
        """Put ``data`` into ``im`` and fit the axes to it (plus ``pad`` cells around)."""
        h, w = data.shape
        im.set_data(data)
        im.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        ax.set_xlim(-0.5 - pad, w - 0.5 + pad)
        ax.set_ylim(h - 0.5 + pad, -0.5 - pad)

    def _draw(self, result):
        """Redraw the feature map, the pooled map and what the shift changed in each."""
        source = self.controls["source"].value
        x = self.input_map
        unshifted = self._feature_map(source, 0)
        top = float(unshifted.max()) or 1.0  # every panel's colour scale
        small = max(x.shape) <= _LABEL_LIMIT  # values printed in the cells
        fmt = "{:.0f}" if source == "example" else "{:.1f}"
        self._draw_input_panel(result, top, small, fmt)
        self._draw_pooled_panel(result, top, small, fmt)
        self._draw_input_change_panel(result, x - unshifted, top)
        self._draw_pooled_change_panel(result, top)

    def _draw_input_panel(self, result, top, small, fmt):
        """The (shifted) feature map with its padding, the first window and the winners."""
        source, _, window, _, padding, pixels = self._settings()
        x = self.input_map
        self._show_grid(self._ax_in, self._im_in, x, pad=padding)
        self._im_in.set_clim(0, top)
        what, kernel = self.WHAT[source]
        where = f"shifted {pixels} px" if pixels else "no shift"
        self._ax_in.set_title(f"{what}\n{kernel}{x.shape[0]}x{x.shape[1]}, {where}")
        self._set_labels(self._labels_in, x if small else None, top, fmt)
        self._window_box.set_bounds(-0.5 - padding, -0.5 - padding, window, window)
        self._window_box.set_visible(result is not None)
        self._show_winners(result, x, top, small)

    def _draw_pooled_panel(self, result, top, small, fmt):
        """The pooled map at the input's colour scale and its first cell, or a note."""
        source, mode = self._settings()[:2]
        ok = result is not None
        self._im_out.set_visible(ok)
        self._cell_box.set_visible(ok)
        if not ok:
            self._not_possible.set_text("not possible:\nsee the line below")
            self._labels_out.clear()
            self._ax_out.set_title("pooled map\n ")
            self._ax_out.set_xlabel("")
            return
        self._not_possible.set_text("")
        ho, wo = result.shape
        self._show_grid(self._ax_out, self._im_out, result)
        self._im_out.set_clim(0, top)
        self._ax_out.set_title(f"{mode} pooled\n{ho}x{wo}")
        pooled_fmt = fmt if mode == "max" or source != "example" else _two_decimals
        small_out = small and max(ho, wo) <= _LABEL_LIMIT
        self._set_labels(self._labels_out, result if small_out else None, top, pooled_fmt)
        self._cell_box.set_bounds(-0.5, -0.5, 1, 1)
        kept = "largest" if mode == "max" else "mean"
        self._ax_out.set_xlabel(
            f"each cell: the {kept} value of one window\nblue: the first window and its cell"
        )

    def _draw_input_change_panel(self, result, change, top):
        """What the shift changed in the feature map (``change``; red up, blue down)."""
        self._show_grid(self._ax_din, self._im_din, change)
        self._im_din.set_clim(-top, top)
        if result is None:
            self._ax_din.set_title("the shift changed the\nfeature map")
        else:
            percent = 100 * self.change["feature map"]
            self._ax_din.set_title(f"the shift changed the\nfeature map {percent:.0f}%")
        self._shift_hints[0].set_text(self._shift_hint())

    def _draw_pooled_change_panel(self, result, top):
        """What the shift changed after pooling (red up, blue down)."""
        self._im_dout.set_visible(result is not None)
        self._shift_hints[1].set_text(self._shift_hint())
        if result is None:
            self._ax_dout.set_title("the shift changed the\npooled map")
            return
        self._show_grid(self._ax_dout, self._im_dout, result - self._pooled_before)
        self._im_dout.set_clim(-top, top)
        percent = 100 * self.change["pooled map"]
        self._ax_dout.set_title(f"the shift changed the\npooled map {percent:.0f}%")

    def _shift_hint(self):
        """What the two change panels say while the input is not shifted (else nothing)."""
        return "" if self.controls["shift"].value else "no shift yet:\nmove “shift\ninput right”"

    def _show_winners(self, result, x, top, small):
        """Mark the cell that wins each window (max mode; windows that are all 0 have none).

        Small maps: an orange outline per winner, over the printed values. Big maps:
        the winners coloured orange (brighter for larger values) and every other cell
        dimmed, so the cells that max pooling keeps stand out without outlines.
        """
        h, w = x.shape
        self._winner_lines.set_segments([])
        self._winner_layer.set_visible(False)
        if self.winners is None or result is None:
            self._ax_in.set_xlabel("average: every cell counts" if result is not None else "")
            return
        cells = np.unique(self.winners[result > 0])
        rows, cols = np.divmod(cells, w)
        if small:
            r = 0.42
            square = np.array([[-r, -r], [r, -r], [r, r], [-r, r], [-r, -r]])
            centres = np.stack([cols, rows], axis=1).astype(float)
            self._winner_lines.set_segments(centres[:, None, :] + square[None])
            self._winner_lines.set_linewidth(3.0)
            self._ax_in.set_xlabel(
                "orange frame: the largest value of\nits window, kept by max pooling"
            )
            return
        layer = np.zeros((h, w, 4))
        layer[..., 3] = 1.0 - _DIMMED  # black over every cell: dimmed...
        brightness = _WINNER_FLOOR + (1 - _WINNER_FLOOR) * np.clip(x[rows, cols] / top, 0, 1)
        layer[rows, cols, :3] = brightness[:, None] * _WINNER_RGB
        layer[rows, cols, 3] = 1.0  # ...except the winners, painted orange
        self._winner_layer.set_data(layer)
        self._winner_layer.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        self._winner_layer.set_visible(True)
        self._ax_in.set_xlabel("orange: the largest of its window (kept)\ndimmed: not the largest")

    @staticmethod
    def _set_labels(labels, values, top, fmt):
        if values is None:
            labels.clear()
        else:
            labels.set(values, fmt=fmt, colors=contrast_colors(values, 0, top, IMAGE_CMAP))

    _SOURCE_WORDS = {
        "example": "a small made-up feature map",
        "digit": "vertical edges of an MNIST digit",
        "photo": "vertical edges of the photo",
    }

    def _describe_picture(self, result):
        """Both maps in words (every value when they are small) and what the shift changed."""
        source, mode, window, stride, padding, pixels = self._settings()
        ho, wo = result.shape
        h, w = self.input_map.shape
        pooled = (
            f"by row {rows_text(result, self._value_format(source, mode))}"
            if result.size <= 16
            else f"{range_text(result)}; {extremes_text(result, 'largest')}"
        )
        text = (
            f"{self._input_words()} {mode.capitalize()} pooling with a {window}x{window} window, "
            f"stride {stride}, padding {padding}: pooled map {ho}x{wo} ({h * w} values become "
            f"{ho * wo}), {pooled}."
        )
        if pixels:
            text += (
                f" Shifting the input {pixels} px changed the feature map by "
                f"{100 * self.change['feature map']:.0f}% and the pooled map by "
                f"{100 * self.change['pooled map']:.0f}%."
            )
        return text

    def _describe_impossible(self):
        return f"{self._input_words()} No pooled map: {self.message}"

    def _input_words(self) -> str:
        source, mode, window, stride, padding, pixels = self._settings()
        x = self.input_map
        where = f", shifted {pixels} px right" if pixels else ""
        values = (
            f"by row {rows_text(x, self._value_format(source, 'max'))}"
            if x.size <= 36
            else range_text(x)
        )
        return (
            f"Feature map {x.shape[0]}x{x.shape[1]}, {self._SOURCE_WORDS[source]}{where}: {values}."
        )

    @staticmethod
    def _value_format(source, mode):
        """Numbers written as the picture prints them."""
        if source != "example":
            return lambda value: f"{value:.1f}"
        return (lambda value: f"{value:.0f}") if mode == "max" else _two_decimals

    def _describe(self, result):
        source, mode, window, stride, padding, pixels = self._settings()
        h, w = self.input_map.shape
        ho, wo = result.shape
        size = f"⌊({h} + 2·{padding} − {window}) / {stride}⌋ + 1 = {ho}"
        if w != h:
            size += f" rows, ⌊({w} + 2·{padding} − {window}) / {stride}⌋ + 1 = {wo} columns"
        shifted = (
            f"input shifted {pixels} px: the feature map changed "
            f"{100 * self.change['feature map']:.0f}%, the pooled map "
            f"{100 * self.change['pooled map']:.0f}%"
            if pixels
            else "move <i>shift input right</i> and compare the two changes"
        )
        return (
            f"output size {size} &nbsp;·&nbsp; {h * w} values → {ho * wo} "
            f"({h * w / (ho * wo):.3g}× fewer) &nbsp;·&nbsp; no learnable parameters<br>{shifted}"
        )
