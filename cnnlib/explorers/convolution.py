"""The convolution explorer of notebook 02: any kernel, any settings, and the output size.

:class:`ConvolutionExplorer` slides a kernel over an image. Pick the image and
the kernel (a named preset at any size from 1x1 to 7x7, an edge at any angle,
or your own numbers typed into a
:class:`~cnnlib.explorers.kernel_choice.KernelGrid`), change stride, padding
and dilation, and see the padded input, the kernel, the feature map and the
output-size formula with the current numbers (:func:`output_size_html`).

It follows the contract of :class:`cnnlib.explorers._base.Explorer`:
``controls``, ``output`` (the feature map, computed by :func:`cnnlib.conv2d`),
``message``, ``update()`` and ``png``. It is a
:class:`cnnlib.explorers._blit.BlitExplorer`: a change that leaves the input
panel alone redraws only the kernel, the feature map and its colour scale.

The other explorers of notebook 02 live next door:
:class:`~cnnlib.explorers.stepper.ConvolutionStepper` (one kernel position
at a time) and :class:`~cnnlib.explorers.templates.TemplateMatcher` (X and O
scored by +1/-1 templates).
"""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from cnnlib import _validate as v
from cnnlib import plotting
from cnnlib.explorers._base import _escape
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.explorers._panels import HIGHLIGHT, feature_style, fix_titles, frame_only
from cnnlib.explorers._upload import UploadSlot
from cnnlib.explorers.kernel_choice import (
    CUSTOM,
    MAX_KERNEL,
    ORIENTED,
    PRESET_NAMES,
    KernelGrid,
    check_weights,
    fit_kernel,
    preset_kernel,
)
from cnnlib.geometry import output_size, padding_sides
from cnnlib.ops import conv2d
from cnnlib.plotting.describe import extremes_text, range_text, rows_text, size_text

__all__ = ["ConvolutionExplorer", "example_images", "shapes_image"]


# ----------------------------------------------------------------------------
# images
# ----------------------------------------------------------------------------
def shapes_image(size=32):
    """A synthetic gray image with edges in every direction.

    A bright square (horizontal and vertical edges), a triangle (a diagonal
    edge), a disk (every direction) and a thin horizontal bar on a dark
    background; values 0-255.

    Parameters
    ----------
    size : int
        Pixels per side, from 8 (smaller hides the shapes) to 4096.

    Returns
    -------
    array, shape (size, size), float64
    """
    n = v.as_int(size, "size", minimum=8, maximum=4096, why="the shapes need 8 pixels to be seen")
    r, c = np.mgrid[:n, :n] * (32.0 / n)
    img = np.full((n, n), 30.0)
    img[(r >= 4) & (r < 14) & (c >= 4) & (c < 14)] = 220.0  # square
    img[(r >= 4) & (r < 14) & (c >= 18) & (c < 28) & (c - 18 >= r - 4)] = 170.0  # triangle
    img[np.hypot(r - 22.5, c - 22.5) < 5.5] = 200.0  # disk
    img[(r >= 23) & (r < 25) & (c >= 3) & (c < 14)] = 255.0  # thin bar
    return img


@functools.lru_cache(maxsize=1)
def _default_images():
    from cnnlib.datasets import load_mnist, load_photo, xo_image
    from cnnlib.images import downsample, to_grayscale

    digits, labels = load_mnist("train")
    three = digits[np.flatnonzero(labels == 3)[0]].astype(np.float64)
    photo = to_grayscale(load_photo())[:512, :512]  # the top square: cap, face, flag
    photo = downsample(photo, 8).astype(np.float64)  # 64x64
    return {
        "photo (64x64, gray)": photo,
        "digit 3 (28x28)": three,
        "shapes (32x32)": shapes_image(32),
        "X (9x9, +1/-1)": xo_image("x"),
        "O (9x9, +1/-1)": xo_image("o"),
    }


def example_images():
    """The images offered by :class:`ConvolutionExplorer`, by display name.

    A grayscale photo (Grace Hopper, 64x64), an MNIST digit (28x28), the
    synthetic :func:`shapes_image`, and the +1/-1 X and O of the
    template-matching example. Each is a float64 (H, W) array.
    """
    return {name: img.copy() for name, img in _default_images().items()}


#: The largest image side the explorer takes: beyond it an update takes longer
#: than the 50 ms that make a slider feel live (measured: 512 -> ~30 ms, 1024 -> ~60).
MAX_SIDE = 512


def _check_images(images) -> dict:
    """The explorer's images as float64 (H, W) arrays by name, or a clear error."""
    if not isinstance(images, dict) or not images:
        raise TypeError(
            f"images must be a dict of names to images, e.g. {{'mine': array}}, with at least "
            f"one image, but is {images!r:.80}"
        )
    checked = {}
    for name, img in images.items():
        img = v.as_grid(img, f"image {name!r}").astype(np.float64, copy=False)
        if max(img.shape) > MAX_SIDE:
            raise ValueError(
                f"image {name!r} is {img.shape[0]}x{img.shape[1]}; the explorer redraws it on "
                f"every change, which stays quick up to {MAX_SIDE}x{MAX_SIDE}: shrink it first, "
                f"e.g. downsample(image, {-(-max(img.shape) // MAX_SIDE)})"
            )
        checked[str(name)] = img
    return checked


# ----------------------------------------------------------------------------
# small drawing helpers
# ----------------------------------------------------------------------------
def _tick_label(value):
    """Colour-scale labels: short numbers, and 2 significant digits from 10,000 on."""
    if abs(value) >= 10_000:
        return f"{value:.2g}".replace("-", "\u2212").replace("e+0", "e").replace("e+", "e")
    return plotting.short_number(value)


def _values_fit(side):
    """Whether numbers printed in the cells are legible in a panel ``side`` cells wide."""
    return side <= 12


def _set_square_limits(ax, lo, hi):
    ax.set_xlim(lo, hi)
    ax.set_ylim(hi, lo)


# ----------------------------------------------------------------------------
# the convolution explorer
# ----------------------------------------------------------------------------
class ConvolutionExplorer(BlitExplorer):
    """Slide any kernel over an image and see the feature map and its size.

    Controls: ``image``, ``preset`` (a named kernel, an oriented edge with the
    ``angle`` slider, or "custom"), ``size`` (1-7), ``kernel`` (a
    :class:`~cnnlib.explorers.kernel_choice.KernelGrid`: type your own
    weights; editing it switches the preset to "custom"), ``stride`` (1-4),
    ``padding`` ('valid', 'same', 'full', 1, 2, 3) and ``dilation`` (1-3).

    The figure shows the (padded) input with the kernel's first two positions,
    the kernel with its weights, and the feature map at the same scale as the
    input, centred under it. The line below gives the output-size formula
    with the current numbers.

    ``output`` is ``conv2d(explorer.image, explorer.kernel, stride=...,
    padding=..., dilation=...)``, or None when the settings cannot work.

    The ``upload`` button adds the learner's own PNG or JPEG to the images,
    in gray and shrunk to at most :attr:`UPLOAD_SIDE` pixels a side; the
    line below says what was done to it.

    Parameters
    ----------
    images : dict of str to array (H, W), optional
        The images to choose from (default: :func:`example_images`), each
        grayscale and at most 512x512 (the explorer redraws on every change).
    image, preset : str
        The initial choices.
    size, stride, padding, dilation, angle
        Initial values of the controls.
    """

    title = "Convolution explorer: slide a kernel over an image"
    UPLOAD_SIDE = 96  #: an uploaded picture is shrunk to this (the course photo here is 64)

    #: kernels typed into the grid, for benchmarks/widget_latency.py (it cannot guess them)
    benchmark_values = {
        "kernel": [
            ((0.0, -1.0, 0.0), (-1.0, 4.0, -1.0), (0.0, -1.0, 0.0)),
            tuple(tuple(float(i == j) for j in range(5)) for i in range(5)),
            ((2.0,),),
        ]
    }

    def __init__(
        self,
        images=None,
        image=None,
        preset="sobel x (vertical edges)",
        size=3,
        stride=1,
        padding="valid",
        dilation=1,
        angle=0,
    ):
        super().__init__(figsize=(9.3, 3.55), dpi=90)  # 837 px: fits a notebook column
        self._images = _check_images(example_images() if images is None else images)
        self._note = ""  # what fitting a preset to the kernel size did, if anything
        self._busy = False  # True while one change moves other controls
        self._upload_name = None
        self._add_controls(image, preset, size, stride, padding, dilation, angle)
        self._refill_kernel()
        self._build_figure()
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        self._upload = UploadSlot(self._uploaded, max_side=self.UPLOAD_SIDE, grayscale=True)
        self._uploads, self._problem = 0, ""  # pictures uploaded; why the last one failed
        self.controls["upload"] = self._upload.control
        # room for 4 lines: the formula, its remarks (which can wrap), a note
        self._status.layout.min_height = "6.4em"
        self.figure.canvas.draw()  # place the axes once so the labels get their final size
        self.update()

    def _add_controls(self, image, preset, size, stride, padding, dilation, angle):
        """The menus, sliders and kernel grid, set to the initial values (no upload yet)."""
        names = list(self._images)
        image = names[0] if image is None else image
        pad_options = [
            ("valid (no padding)", "valid"),
            ("same", "same"),
            ("full", "full"),
            ("1", 1),
            ("2", 2),
            ("3", 3),
        ]
        style = {"description_width": "initial"}
        c = self.controls
        c["image"] = widgets.Dropdown(options=names, value=image, description="image", style=style)
        c["preset"] = widgets.Dropdown(
            options=[*PRESET_NAMES, CUSTOM], value=preset, description="kernel", style=style
        )
        c["angle"] = widgets.IntSlider(
            value=angle, min=0, max=345, step=15, description="edge angle (°)", style=style
        )
        c["size"] = widgets.IntSlider(
            value=size, min=1, max=MAX_KERNEL, description="kernel size", style=style
        )
        c["stride"] = widgets.IntSlider(value=stride, min=1, max=4, description="stride")
        c["padding"] = widgets.Dropdown(
            options=pad_options, value=padding, description="padding", style=style
        )
        c["dilation"] = widgets.IntSlider(value=dilation, min=1, max=3, description="dilation")
        c["kernel"] = KernelGrid()

    def _background_key(self):
        """The input panel depends only on these; kernel, angle and preset redraw less."""
        c = self.controls
        names = ("image", "size", "stride", "padding", "dilation")
        return (*(c[name].value for name in names), self._uploads)

    def _dynamic_artists(self):
        """The kernel and feature-map panels and the colour scale, in drawing order."""
        scale = self._scale
        return [
            self._im_k,
            self._cells_k,
            self._lab_k.collection,
            self._frames[1],
            self._ax_k.title,
            self._im_out,
            self._cells_out,
            self._lab_out.collection,
            self._frames[2],
            self._nomap,
            self._ax_out.title,
            scale.image,
            scale.frame,
            *scale.labels,
        ]

    def _layout_controls(self):
        """Menus and sliders on the left, the editable kernel grid on the right.

        The grid's box is as tall as a 7x7 kernel whatever the size, and the
        status line keeps room for four lines (the output-size formula, its
        remarks, which can take two lines, and a note), so nothing on the page
        moves when the kernel grows or the formula gets longer. Only a
        non-square image can need more: its width gets a formula of its own.
        """
        c = self.controls
        for name in ("image", "preset", "angle", "size", "stride", "padding", "dilation"):
            c[name].layout.width = "340px"
            c[name].style.description_width = "100px"  # labels and controls line up
        left = widgets.VBox([c[n] for n in ("upload", "image", "preset", "angle", "size")])
        left.children += tuple(c[n] for n in ("stride", "padding", "dilation"))
        grid = widgets.VBox(
            [widgets.HTML("<b>kernel weights</b>: type a number, press Enter"), c["kernel"]],
            layout=widgets.Layout(min_height=f"{40 + 31 * MAX_KERNEL}px", margin="0 0 0 16px"),
        )
        return widgets.HBox([left, grid])

    # -- state ------------------------------------------------------------------------
    @property
    def image(self):
        """The current input image (H, W), before padding."""
        return self._images[self.controls["image"].value]

    @property
    def kernel(self):
        """The current kernel (k, k): the numbers in the grid."""
        return self.controls["kernel"].array()

    @property
    def settings(self):
        """stride, padding and dilation as keyword arguments for ``conv2d``."""
        c = self.controls
        return {
            "stride": c["stride"].value,
            "padding": c["padding"].value,
            "dilation": c["dilation"].value,
        }

    def _refill_kernel(self):
        c = self.controls
        size = c["size"].value
        if c["preset"].value == CUSTOM:
            current = c["kernel"].array()
            kernel, self._note = fit_kernel(current, size), ""
        else:
            kernel, self._note = preset_kernel(c["preset"].value, size, c["angle"].value)
        c["kernel"].value = kernel
        c["angle"].disabled = c["preset"].value != ORIENTED

    def _changed(self, change):
        if self._busy:
            return
        self._problem = ""  # a control moved: a bad upload's message has been read
        c = self.controls
        with c["kernel"].deferred():  # the picture first, then the number boxes
            self._changed_in_order(change)

    def _changed_in_order(self, change):
        c = self.controls
        self._busy = True
        try:
            owner = change["owner"]
            if owner is c["kernel"]:
                size = len(owner.value)
                if c["size"].value != size:
                    c["size"].value = size
                if c["preset"].value != CUSTOM:
                    c["preset"].value = CUSTOM
                    c["angle"].disabled = True
                self._note = ""
            elif owner in (c["preset"], c["size"], c["angle"]):
                self._refill_kernel()
        finally:
            self._busy = False
        self.update()

    def _uploaded(self):
        """A file arrived: add it to the images and show it, or say why it cannot be used."""
        self._problem = self._upload.problem
        if not self._problem:
            pixels = self._upload.image.pixels
            name = f"your picture ({pixels.shape[0]}x{pixels.shape[1]}, gray)"
            self._images = {k: im for k, im in self._images.items() if k != self._upload_name}
            self._images[name] = pixels.astype(np.float64)
            self._upload_name, self._uploads = name, self._uploads + 1
            self._busy = True  # one update at the end, not one per menu change
            try:
                self.controls["image"].options = list(self._images)
                self.controls["image"].value = name
            finally:
                self._busy = False
        self.update()

    # -- figure -----------------------------------------------------------------------
    def _build_figure(self):
        """Input, kernel and feature map side by side, then the feature map's colour scale."""
        fig = self.figure
        # the last column is room for colour-bar labels of any length (the layout is frozen)
        grid = fig.add_gridspec(1, 5, width_ratios=[1.0, 0.72, 1.0, 0.045, 0.06])
        self._ax_in = fig.add_subplot(grid[0])
        self._ax_k = fig.add_subplot(grid[1])
        self._ax_out = fig.add_subplot(grid[2])
        self._scale = plotting.ColourScale(fig.add_subplot(grid[3]), fmt=_tick_label)
        # one frame each, kept in this order: _dynamic_artists redraws the last two
        self._frames = []
        self._build_input_panel()
        self._build_kernel_panel()
        self._build_feature_map_panel()

    def _build_input_panel(self):
        """The padded input, the image's border and the kernel's first two positions."""
        ax = self._ax_in
        self._im_in = plotting.show_image(ax, np.zeros((2, 2)), title="input")
        fix_titles(ax)
        self._frames += frame_only(ax)
        self._lab_in = plotting.LabelGrid(ax, height=0.3, max_points=12)
        self._cells_in = plotting.cell_borders(ax, (1, 1), color="0.5")
        self._border = Rectangle((0, 0), 1, 1, fill=False, ec="#1f78b4", lw=1.8, ls="--")
        self._first = Rectangle((0, 0), 1, 1, fill=False, ec=HIGHLIGHT, lw=2.5, zorder=4)
        self._second = Rectangle(
            (0, 0), 1, 1, fill=False, ec=HIGHLIGHT, lw=1.8, ls=(0, (3, 2)), zorder=4
        )
        for patch in (self._border, self._first, self._second):
            ax.add_patch(patch)
        # the kernel's taps at its first position: spread out when it is dilated
        self._taps = ax.scatter([], [], s=14, c=HIGHLIGHT, zorder=4, linewidths=0)

    def _build_kernel_panel(self):
        """The kernel's weights, coloured and printed in their cells."""
        ax = self._ax_k
        self._im_k, _ = plotting.show_signed(ax, np.zeros((2, 2)), title="kernel", colorbar=False)
        fix_titles(ax)
        self._frames += frame_only(ax)
        self._lab_k = plotting.LabelGrid(ax, height=0.3, max_points=14)
        self._cells_k = plotting.cell_borders(ax, (1, 1))

    def _build_feature_map_panel(self):
        """The feature map at the input's scale, or a note saying there is none."""
        ax = self._ax_out
        self._im_out, _ = plotting.show_signed(
            ax, np.zeros((2, 2)), title="feature map", colorbar=False
        )
        fix_titles(ax)
        self._frames += frame_only(ax)
        self._lab_out = plotting.LabelGrid(ax, height=0.3, max_points=12)
        self._cells_out = plotting.cell_borders(ax, (1, 1))
        self._nomap = ax.text(
            0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=12
        )

    # -- the two steps the base class calls -------------------------------------------
    def _compute(self):
        image, kernel, s = self.image, self.kernel, self.settings
        k, d = kernel.shape[0], s["dilation"]
        self._pads = None
        if self._problem:
            raise ValueError(self._problem)
        side = padding_sides(s["padding"], k, s["stride"], d)  # (before, after), both axes
        self._pads = (side, side)
        check_weights(kernel)
        return conv2d(image, kernel, **s)

    def _draw(self, result):
        """Redraw the panels left to right: input, kernel, feature map (with its scale)."""
        pads = self._pads if self._pads is not None else ((0, 0), (0, 0))
        padded = np.pad(self.image, pads)
        self._draw_input_panel(padded, pads)
        self._draw_kernel_panel()
        self._draw_feature_map_panel(result, padded.shape)

    def _draw_input_panel(self, padded, pads):
        """The padded input, the image's border in it and the kernel's first two positions."""
        image, s = self.image, self.settings
        h, w = image.shape
        k, d, stride = self.kernel.shape[0], s["dilation"], s["stride"]
        (pt, pb), (pl, pr) = pads
        ph, pw = padded.shape
        side = max(ph, pw)
        self._im_in.set_data(padded)
        self._im_in.set_extent((-0.5, pw - 0.5, ph - 0.5, -0.5))
        self._im_in.set_clim(*plotting.image_limits(image))
        _set_square_limits(self._ax_in, -0.5, side - 0.5)
        self._border.set_bounds(pl - 0.5, pt - 0.5, w, h)
        self._border.set_visible(bool(pt or pb or pl or pr))
        span = d * (k - 1) + 1
        self._first.set_bounds(-0.5, -0.5, span, span)
        self._second.set_bounds(stride - 0.5, -0.5, span, span)
        self._second.set_visible(stride + span <= pw)
        taps = np.arange(k) * d
        ty, tx = np.meshgrid(taps, taps, indexing="ij")
        self._taps.set_offsets(np.column_stack([tx.ravel(), ty.ravel()]))
        self._taps.set_sizes([max(4.0, 120.0 / side)])
        self._taps.set_visible(d > 1 or not _values_fit(side))  # dots would cover values
        pad_text = "" if (ph, pw) == (h, w) else f", padded to {ph}x{pw}"
        self._ax_in.title.set_text(f"input {h}x{w}{pad_text}")
        small = _values_fit(side)
        self._cells_in.set_visible(small)
        if small:
            colors = plotting.contrast_colors(padded, *self._im_in.get_clim(), plotting.IMAGE_CMAP)
            self._lab_in.set(padded, fmt=plotting.short_number, colors=colors)
            plotting.set_cell_borders(self._cells_in, padded.shape)
        else:
            self._lab_in.clear()

    def _draw_kernel_panel(self):
        """The kernel with its weights printed in the cells, its size and dilation above."""
        kernel, d = self.kernel, self.settings["dilation"]
        k = kernel.shape[0]
        self._im_k.set_data(kernel)
        self._im_k.set_extent((-0.5, k - 0.5, k - 0.5, -0.5))
        lim = plotting.signed_limit(kernel)
        self._im_k.set_clim(-lim, lim)
        _set_square_limits(self._ax_k, -0.5, k - 0.5)
        colors = plotting.contrast_colors(kernel, -lim, lim, plotting.SIGNED_CMAP)
        self._lab_k.set(kernel, fmt=plotting.short_number, colors=colors)
        plotting.set_cell_borders(self._cells_k, kernel.shape)
        dil = f" (dilation {d})" if d > 1 else ""
        self._ax_k.title.set_text(f"kernel {k}x{k}{dil}")

    def _draw_feature_map_panel(self, result, padded_shape):
        """The feature map and its colour scale, centred at the padded input's scale."""
        ph, pw = padded_shape
        side = max(ph, pw)
        lo, hi = -0.5, side - 0.5
        _set_square_limits(self._ax_out, lo, hi)
        if result is None:
            self._im_out.set_data(np.full((1, 1), np.nan))
            self._im_out.set_extent((lo, hi, hi, lo))
            self._lab_out.clear()
            self._cells_out.set_visible(False)
            self._nomap.set_text("no feature map:\nsee the line below")
            self._ax_out.title.set_text("feature map: none")
            return
        self._nomap.set_text("")
        oh, ow = result.shape
        oy, ox = (ph - oh) / 2.0, (pw - ow) / 2.0
        self._im_out.set_data(result)
        self._im_out.set_extent((ox - 0.5, ox + ow - 0.5, oy + oh - 0.5, oy - 0.5))
        cmap = feature_style(self._im_out, result, self._scale, self.kernel, self.image)
        small = _values_fit(side)
        self._cells_out.set_visible(small)
        if small:
            colors = plotting.contrast_colors(result, *self._im_out.get_clim(), cmap)
            self._lab_out.set(result, fmt=plotting.short_number, colors=colors, origin=(ox, oy))
            plotting.set_cell_borders(self._cells_out, result.shape, origin=(ox, oy))
        else:
            self._lab_out.clear()
        self._ax_out.title.set_text(f"feature map {oh}x{ow}")

    def _describe_picture(self, result):
        """Input, kernel and feature map in words: sizes, weights, range, strongest responses."""
        oh, ow = result.shape
        where = extremes_text(result)
        return (
            f"{self._input_words()} {self._kernel_words()} Feature map {oh}x{ow}, "
            f"{range_text(result)}" + (f"; {where}." if where else ".")
        )

    def _describe_impossible(self):
        return f"{self._input_words()} {self._kernel_words()} No feature map: {self.message}"

    def _input_words(self) -> str:
        name = self.controls["image"].value.split(" (")[0]
        h, w = self.image.shape
        pads = self._pads
        padded = ""
        if pads is not None and any(pads[0] + pads[1]):
            (pt, pb), (pl, pr) = pads
            padded = f", padded with zeros to {h + pt + pb}x{w + pl + pr}"
        return f"Input: {name}, {h}x{w}{padded}."

    def _kernel_words(self) -> str:
        c, kernel = self.controls, self.kernel
        k = kernel.shape[0]
        preset = c["preset"].value
        if preset == ORIENTED:
            name = f"edge at {c['angle'].value}°"
        elif preset == CUSTOM:
            name = "your own"
        else:
            name = preset
        weights = (
            f"weights by row {rows_text(kernel)}"
            if k <= 5
            else (f"weights from {range_text(kernel)[12:]}")
        )
        s = self.settings
        steps = f"stride {s['stride']}" + (
            f", dilation {s['dilation']}" if s["dilation"] > 1 else ""
        )
        return f"Kernel {name}, {size_text(kernel)}, {weights}; {steps}."

    def _describe(self, result):
        image, kernel, s = self.image, self.kernel, self.settings
        i, k = image.shape[0], kernel.shape[0]
        (pa, pb), _ = self._pads
        lines = [output_size_html(i, k, s["stride"], (pa, pb), s["dilation"], s["padding"])]
        if image.shape[0] != image.shape[1]:
            j = image.shape[1]
            _, (pa, pb) = self._pads
            lines.append(
                "width: "
                + output_size_html(j, k, s["stride"], (pa, pb), s["dilation"], s["padding"])
            )
        if self._note:
            lines.append(f"<i>Note: {self._note}</i>")
        if self.controls["image"].value == self._upload_name:
            lines.append(f"Your picture, {_escape(self._upload.summary)}")
        return "<br>".join(lines)


def output_size_html(i, k, s, pads, d, padding=None):
    """The formula ``o = floor((i + 2p - d(k-1) - 1)/s) + 1`` with the numbers filled in.

    ``pads`` is (before, after); when they differ (``'same'`` with an even
    kernel) the formula shows both instead of ``2p``. A second line explains
    a named padding and a stride that does not divide evenly.
    """
    pa, pb = pads
    total = i + pa + pb - d * (k - 1) - 1  # the numbers inside the floor, for the steps shown
    o = output_size(i, k, s, padding if isinstance(padding, str) else pa, d)
    if pa == pb:
        formula = "o = &lfloor;(i + 2p &minus; d(k&minus;1) &minus; 1) / s&rfloor; + 1"
        pad_part = f"2&middot;{pa}"
    else:
        formula = (
            "o = &lfloor;(i + p<sub>1</sub> + p<sub>2</sub> &minus; d(k&minus;1) &minus; 1) / s"
            "&rfloor; + 1"
        )
        pad_part = f"{pa} + {pb}"
    filled = (
        f"&lfloor;({i} + {pad_part} &minus; {d}&middot;({k}&minus;1) &minus; 1) / {s}&rfloor; + 1"
    )
    if s == 1:
        steps = f"{total} + 1"
    elif total % s == 0:
        steps = f"{total // s} + 1"
    else:
        steps = f"&lfloor;{total / s:.4g}&rfloor; + 1"
    line = f"<b>Output size</b>: {formula} = {filled} = {steps} = <b>{o}</b>"
    remarks = []
    if isinstance(padding, str) and padding != "valid":
        remarks.append(f"'{padding}' padding means p = {pa if pa == pb else f'{pa} + {pb}'} here")
    rest = total % s
    if rest:
        lines = "row and column" if rest == 1 else f"{rest} rows and columns"
        remarks.append(
            f"{total}/{s} does not divide evenly: the kernel never reaches the last {lines} "
            "of the padded input"
        )
    return line + ("<br>" + "; ".join(remarks) + "." if remarks else "")
