"""The convolution of notebook 02, one kernel position at a time.

:class:`ConvolutionStepper` puts a 3x3 kernel on a small image whose values
are printed in their cells, and shows what happens at one position: the patch
under the kernel, the nine element-wise products, their sum, and the cell of
the feature map where that sum lands. A slider (or a play button) moves the
kernel in reading order; stride and padding change how many positions there
are.

It follows the contract of :class:`cnnlib.explorers._base.Explorer` and is a
:class:`cnnlib.explorers._blit.BlitExplorer`: while only the position moves,
just the window outline, the products, the sum and the feature map are drawn
again.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from cnnlib import kernels as K
from cnnlib import plotting
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.explorers._panels import HIGHLIGHT, feature_style, fix_titles, frame_only
from cnnlib.geometry import output_size
from cnnlib.ops import conv2d
from cnnlib.plotting.describe import range_text, rows_text

__all__ = ["ConvolutionStepper"]


def _small_digit():
    """An MNIST digit shrunk to 10x10 with values 0-9, so every number fits its cell."""
    from cnnlib.datasets import load_mnist

    digits, labels = load_mnist("train")
    seven = digits[np.flatnonzero(labels == 7)[0]].astype(np.float64)[4:24, 4:24]
    small = seven.reshape(10, 2, 10, 2).mean(axis=(1, 3))
    return np.round(small / small.max() * 9.0)


@functools.lru_cache(maxsize=1)
def _stepper_images():
    from cnnlib.datasets import xo_image

    edge = np.zeros((8, 8))
    edge[:, 4:] = 9.0
    return {
        "X (9x9, +1/-1)": xo_image("x"),
        "O (9x9, +1/-1)": xo_image("o"),
        "edge (8x8, 0 and 9)": edge,
        "digit 7 (10x10, 0-9)": _small_digit(),
    }


STEPPER_KERNELS = (
    "diagonal \\",
    "cross x",
    "sobel x (vertical edges)",
    "sobel y (horizontal edges)",
    "sharpen",
    "box blur",
    "identity",
)


class ConvolutionStepper(BlitExplorer):
    """One kernel position at a time: patch, products, sum, and where it lands.

    Controls: ``image`` (small images with printed values), ``kernel`` (3x3
    presets), ``stride`` (1-3), ``padding`` (0-2) and ``position`` (which
    window, counted in reading order: left to right, then the next row). A
    play button steps through the positions by itself.

    ``output`` is the whole feature map, ``conv2d(image, kernel, stride,
    padding)``; ``patch``, ``products`` and ``total`` describe the current
    position, and ``where`` is its (row, column) in the feature map.
    """

    title = "Convolution step by step: move the kernel"

    def __init__(self, images=None, image=None, kernel="diagonal \\", stride=1, padding=0):
        super().__init__(figsize=(9.3, 3.15), dpi=90)  # 837 px: fits a notebook column
        self._images = dict(_stepper_images() if images is None else images)
        names = list(self._images)
        c = self.controls
        style = {"description_width": "initial"}
        c["image"] = widgets.Dropdown(
            options=names, value=names[0] if image is None else image, description="image"
        )
        c["kernel"] = widgets.Dropdown(
            options=list(STEPPER_KERNELS), value=kernel, description="kernel"
        )
        c["stride"] = widgets.IntSlider(value=stride, min=1, max=3, description="stride")
        c["padding"] = widgets.IntSlider(value=padding, min=0, max=2, description="padding")
        c["position"] = widgets.IntSlider(
            value=0, min=0, max=1, description="position", style=style, continuous_update=True
        )
        self._play = widgets.Play(value=0, min=0, max=1, interval=900, description="play")
        widgets.jslink((self._play, "value"), (c["position"], "value"))
        widgets.jslink((self._play, "max"), (c["position"], "max"))
        self._busy = False
        self._build_figure()
        for control in c.values():
            control.observe(self._changed, names="value")
        self._status.layout.min_height = "3.4em"
        self._sync_positions()
        self.figure.canvas.draw()
        self.update()

    def _layout_controls(self):
        c = self.controls
        # two menus, then the two sliders, each with room for a visible track
        row1 = widgets.HBox([c["image"], c["kernel"]])
        for name in ("stride", "padding"):
            c[name].layout.width = "260px"
        row2 = widgets.HBox([c["stride"], c["padding"]])
        c["position"].layout.width = "520px"
        row3 = widgets.HBox([self._play, c["position"]])
        return widgets.VBox([row1, row2, row3])

    @property
    def image(self):
        """The current input (H, W), before padding."""
        return np.asarray(self._images[self.controls["image"].value], dtype=np.float64)

    @property
    def kernel(self):
        """The current 3x3 kernel."""
        return K.PRESETS[self.controls["kernel"].value].copy()

    def _map_shape(self):
        c = self.controls
        h, w = self.image.shape
        p, s = c["padding"].value, c["stride"].value
        try:
            return output_size(h, 3, s, p), output_size(w, 3, s, p)
        except ValueError:  # the kernel does not fit: update() says so in the status line
            return 0, 0

    def _sync_positions(self):
        oh, ow = self._map_shape()
        slider = self.controls["position"]
        n = max(oh * ow, 1)
        slider.max = n - 1  # the slider clips its value if needed
        self._play.max = n - 1

    def _changed(self, change):
        if self._busy:
            return
        if change["owner"] is not self.controls["position"]:
            self._busy = True
            try:
                self._sync_positions()
            finally:
                self._busy = False
        self.update()

    def _build_figure(self):
        fig = self.figure
        grid = fig.add_gridspec(1, 4, width_ratios=[1.25, 0.62, 0.62, 1.05])
        titles = ["input", "kernel", "kernel × patch", "feature map"]
        self._axes = [fig.add_subplot(grid[i]) for i in range(4)]
        blank = np.zeros((3, 3))
        self._im_in = plotting.show_image(self._axes[0], blank, title=titles[0])
        self._im_k, _ = plotting.show_signed(self._axes[1], blank, title=titles[1], colorbar=False)
        self._im_p, _ = plotting.show_signed(self._axes[2], blank, title=titles[2], colorbar=False)
        self._im_out, _ = plotting.show_signed(
            self._axes[3], blank, title=titles[3], colorbar=False
        )
        fix_titles(*self._axes)
        self._frames = frame_only(*self._axes)
        # light gray under the cells not computed yet (NaN cells of the map are transparent)
        self._pending = Rectangle((0, 0), 1, 1, color="0.93", zorder=-1)
        self._axes[3].add_patch(self._pending)
        self._labels = [plotting.LabelGrid(ax, height=0.32, max_points=13) for ax in self._axes]
        self._cells = [plotting.cell_borders(ax, (3, 3)) for ax in self._axes]
        self._window = Rectangle((0, 0), 3, 3, fill=False, ec=HIGHLIGHT, lw=3.5, zorder=5)
        self._cell = Rectangle((0, 0), 1, 1, fill=False, ec=HIGHLIGHT, lw=3.5, zorder=5)
        self._border = Rectangle((0, 0), 1, 1, fill=False, ec="#1f78b4", lw=2, ls="--", zorder=4)
        self._axes[0].add_patch(self._window)
        self._axes[0].add_patch(self._border)
        self._axes[3].add_patch(self._cell)
        self._sum_text = self._axes[2].text(
            0.5, -0.08, "", transform=self._axes[2].transAxes, ha="center", va="top", fontsize=14
        )

    # -- faster redraws while only the position moves ------------------------------------
    def _background_key(self):
        """What the picture behind the moving parts depends on."""
        c = self.controls
        return (c["image"].value, c["kernel"].value, c["stride"].value, c["padding"].value)

    def _dynamic_artists(self):
        """What changes when only the position moves, in drawing order."""
        labels, cells = self._labels, self._cells
        return [
            self._window,
            self._im_p,
            cells[2],
            labels[2].collection,
            self._frames[2],
            self._sum_text,
            self._im_out,
            cells[3],
            labels[3].collection,
            self._frames[3],
            self._cell,
        ]

    def _compute(self):
        c = self.controls
        image, kernel = self.image, self.kernel
        s, p = c["stride"].value, c["padding"].value
        fmap = conv2d(image, kernel, stride=s, padding=p)
        oh, ow = fmap.shape
        pos = min(c["position"].value, oh * ow - 1)
        row, col = divmod(pos, ow)
        padded = np.pad(image, p)
        top, left = row * s, col * s
        self.padded = padded
        self.where = (row, col)
        self.patch = padded[top : top + 3, left : left + 3]
        self.products = self.patch * kernel
        self.total = float(self.products.sum())
        return fmap

    def _draw(self, result):
        """Redraw the panels left to right: input, kernel, kernel × patch, feature map."""
        if result is None:  # cannot happen with these sizes, but never leave a stale picture
            self._sum_text.set_text("")
            return
        kernel = self.kernel
        self._draw_input_panel()
        self._draw_kernel_panel(kernel)
        self._draw_products_panel(kernel, result.shape)
        self._draw_feature_map_panel(kernel, result)

    def _draw_input_panel(self):
        """The padded input with its values, the image's border and the kernel's window."""
        c = self.controls
        padded, ax_in = self.padded, self._axes[0]
        s, p = c["stride"].value, c["padding"].value
        row, col = self.where
        ph, pw = padded.shape
        clim = plotting.image_limits(self.image)
        self._im_in.set_data(padded)
        self._im_in.set_extent((-0.5, pw - 0.5, ph - 0.5, -0.5))
        self._im_in.set_clim(*clim)
        ax_in.set_xlim(-0.5, pw - 0.5)
        ax_in.set_ylim(ph - 0.5, -0.5)
        self._labels[0].set(
            padded,
            fmt=plotting.short_number,
            colors=plotting.contrast_colors(padded, *clim, plotting.IMAGE_CMAP),
        )
        self._window.set_xy((col * s - 0.5, row * s - 0.5))
        h, w = self.image.shape
        self._border.set_bounds(p - 0.5, p - 0.5, w, h)
        self._border.set_visible(p > 0)
        ax_in.title.set_text(f"input {h}x{w}" + (f", padding {p}" if p else ""))
        plotting.set_cell_borders(self._cells[0], padded.shape)

    def _draw_kernel_panel(self, kernel):
        """The 3x3 kernel with its weights."""
        klim = plotting.signed_limit(kernel)
        self._im_k.set_data(kernel)
        self._im_k.set_clim(-klim, klim)
        self._labels[1].set(
            kernel,
            fmt=plotting.short_number,
            colors=plotting.contrast_colors(kernel, -klim, klim, plotting.SIGNED_CMAP),
        )

    def _draw_products_panel(self, kernel, map_shape):
        """The 9 products of kernel and patch (colours fit every position) and their sum."""
        oh, ow = map_shape
        stride = self.controls["stride"].value
        all_products = _all_products(self.padded, kernel, stride, oh, ow)
        plim = plotting.signed_limit(all_products)
        self._im_p.set_data(self.products)
        self._im_p.set_clim(-plim, plim)
        colors = plotting.contrast_colors(self.products, -plim, plim, plotting.SIGNED_CMAP)
        self._labels[2].set(self.products, fmt=plotting.short_number, colors=colors)
        self._sum_text.set_text(f"sum = {plotting.short_number(round(self.total, 2))}")

    def _draw_feature_map_panel(self, kernel, result):
        """The feature map filled in up to the current position, whose cell is outlined."""
        ax_out = self._axes[3]
        row, col = self.where
        oh, ow = result.shape
        done = np.full(result.shape, np.nan)
        upto = row * ow + col
        done.flat[: upto + 1] = result.flat[: upto + 1]
        self._im_out.set_data(done)
        self._im_out.set_extent((-0.5, ow - 0.5, oh - 0.5, -0.5))
        cmap = feature_style(self._im_out, result, None, kernel, self.image)
        if cmap == plotting.IMAGE_CMAP and abs(kernel.sum() - 1) > 0.05:
            # a score map that happens to have no negative value: keep red = high, as
            # in the products panel, rather than gray
            lim = plotting.signed_limit(result)
            self._im_out.set_cmap(plotting.SIGNED_CMAP)
            self._im_out.set_clim(-lim, lim)
            cmap = plotting.SIGNED_CMAP
        colors = plotting.contrast_colors(result, *self._im_out.get_clim(), cmap)
        self._labels[3].set(
            done, fmt=lambda v: plotting.short_number(round(float(v), 2)), colors=colors
        )
        ax_out.set_xlim(-0.5, ow - 0.5)
        ax_out.set_ylim(oh - 0.5, -0.5)
        self._cell.set_xy((col - 0.5, row - 0.5))
        self._pending.set_bounds(-0.5, -0.5, ow, oh)
        ax_out.title.set_text(f"feature map {oh}x{ow}")
        plotting.set_cell_borders(self._cells[3], result.shape)

    def _describe(self, result):
        row, col = self.where
        oh, ow = result.shape
        terms = " + ".join(
            f"({plotting.short_number(v)})" if v < 0 else plotting.short_number(v)
            for v in np.round(self.products, 2).ravel()
        )
        s = self.controls["stride"].value
        return (
            f"Position {row * ow + col + 1} of {oh * ow}: the kernel's top-left corner is on "
            f"padded row {row * s}, column {col * s}.<br>"
            f"Sum of the 9 products: {terms} = "
            f"<b>{plotting.short_number(round(self.total, 2))}</b> "
            f"&rarr; feature map row {row}, column {col}."
        )

    def _describe_picture(self, result):
        """The input, the kernel, this position's patch and products, the map so far."""
        c = self.controls
        s, p = c["stride"].value, c["padding"].value
        row, col = self.where
        oh, ow = result.shape
        h, w = self.image.shape
        name = c["image"].value.split(" (")[0]
        padded = f", padded with zeros to {h + 2 * p}x{w + 2 * p}" if p else ""
        top, left = row * s, col * s
        rows = "padded rows" if p else "rows"
        done = row * ow + col + 1
        so_far = result.flat[:done]
        total = plotting.short_number(round(self.total, 2))
        return (
            f"Input: {name}, {h}x{w}{padded}, stride {s}. Kernel {c['kernel'].value}, by row "
            f"{rows_text(self.kernel)}. Position {done} of {oh * ow}: the kernel covers "
            f"{rows} {top} to {top + 2}, columns {left} to {left + 2}, patch by row "
            f"{rows_text(self.patch)}; products by row {rows_text(np.round(self.products, 2))}; "
            f"sum {total}, written to feature map row {row}, column {col}. Feature map "
            f"{oh}x{ow}, {done} of {oh * ow} cells filled so far, {range_text(so_far)}."
        )


def _all_products(padded, kernel, stride, oh, ow):
    """Every element-wise product at every position (for a colour scale that stays put)."""
    k = kernel.shape[0]
    patches = np.lib.stride_tricks.sliding_window_view(padded, (k, k))[::stride, ::stride]
    return patches[:oh, :ow] * kernel
