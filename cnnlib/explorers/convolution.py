"""Explorers for notebook 02: convolution as template matching.

* :class:`ConvolutionExplorer`: pick an image and a kernel (a preset or your
  own numbers), change kernel size, stride, padding and dilation, and see the
  feature map and the output-size formula with the current numbers.
* :class:`ConvolutionStepper`: walk the kernel over a small image one position
  at a time: the patch, the element-wise products, their sum, and where the
  sum lands in the feature map.
* :class:`TemplateMatcher`: X and O images scored by small +1/-1 templates;
  a score of 1 is a perfect match, wherever the letter sits.

All three follow the contract of :class:`cnnlib.explorers._base.Explorer`:
``controls``, ``output`` (the feature map / score map, computed by
:func:`cnnlib.conv2d`), ``message``, ``update()`` and ``png``. The first two
are :class:`cnnlib.explorers._blit.BlitExplorer` subclasses: a move that leaves
the input panel alone redraws only the panels that change.
"""

from __future__ import annotations

import contextlib
import functools

import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.patches import Rectangle

from cnnlib import kernels as K
from cnnlib import plotting
from cnnlib._validate import resolve_padding
from cnnlib.explorers._base import Explorer
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.ops import conv2d

__all__ = [
    "ConvolutionExplorer",
    "ConvolutionStepper",
    "TemplateMatcher",
    "KernelGrid",
    "example_images",
    "shapes_image",
    "preset_kernel",
]

HIGHLIGHT = "#ffb000"  # amber: visible on gray, red and blue, and for colour-blind viewers
MAX_KERNEL = 7
ORIENTED = "oriented edge (angle)"
CUSTOM = "custom (edit the grid)"
FIXED_SIZE_PRESETS = (
    "sharpen",
    "sobel x (vertical edges)",
    "sobel y (horizontal edges)",
    "laplacian",
    "diagonal \\",
    "diagonal /",
    "cross x",
)


# ----------------------------------------------------------------------------
# images
# ----------------------------------------------------------------------------
def shapes_image(size=32):
    """A synthetic gray image with edges in every direction.

    A bright square (horizontal and vertical edges), a triangle (a diagonal
    edge), a disk (every direction) and a thin horizontal bar on a dark
    background; values 0-255.

    Returns
    -------
    array, shape (size, size), float64
    """
    n = int(size)
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


# ----------------------------------------------------------------------------
# kernels at any size
# ----------------------------------------------------------------------------
_EDGE_SIGMA = {1: 1.0, 2: 0.75, 3: 0.85, 4: 1.0, 5: 1.0, 6: 1.2, 7: 1.4}


def _centred_grid(size):
    """Cell offsets from the kernel's centre; for even sizes the centre lies between cells."""
    return np.arange(size) - (size - 1) / 2.0


def _gaussian(size):
    if size == 3:
        return K.PRESETS["gaussian blur"].copy()
    sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8  # the usual rule of thumb (OpenCV's)
    r = _centred_grid(size)
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2.0 * sigma**2))
    return g / g.sum()


def _oriented(angle, size):
    """Same recipe as :func:`cnnlib.kernels.oriented_edge`, at any size (also even)."""
    if size == 1:
        return np.zeros((1, 1))  # one cell has no direction
    theta = np.deg2rad(float(angle))
    r = _centred_grid(size)
    yy, xx = np.meshgrid(-r, r, indexing="ij")  # y grows upwards
    along = xx * np.cos(theta) + yy * np.sin(theta)
    k = along * np.exp(-(xx**2 + yy**2) / (2.0 * _EDGE_SIGMA[size] ** 2))
    k -= k.mean()
    return k / np.abs(k).sum() * 4.0


def _fit(kernel, size):
    """Put a kernel in the centre of a size x size grid of zeros, or cut out its centre."""
    out = np.zeros((size, size))
    k = kernel.shape[0]
    if size >= k:
        top = (size - k) // 2
        out[top : top + k, top : top + k] = kernel
    else:
        top = (k - size) // 2
        out[:] = kernel[top : top + size, top : top + size]
    return out


def _fit_note(name, size):
    """How :func:`_fit` placed a 3x3 kernel in a size x size grid, in words."""
    start = f"'{name}' is a 3x3 kernel: "
    if size > 3:
        before, after = (size - 3) // 2, (size - 3) - (size - 3) // 2
        if before == after:
            return start + f"shown in the centre of a {size}x{size} grid of zeros."
        if before == 0:
            return start + (
                f"shown in the top-left corner of a {size}x{size} grid of zeros "
                "(an even grid has no centre cell)."
            )
        return start + (
            f"shown in a {size}x{size} grid of zeros: {before} row/column of zeros above "
            f"and left, {after} below and right."
        )
    if (3 - size) % 2 == 0:
        return start + f"cut to its central {size}x{size} cell."
    return start + f"cut to its top-left {size}x{size} cells."


def preset_kernel(name, size=3, angle=0):
    """A named kernel at ``size`` x ``size`` and a note on how it was made.

    Identity, box blur, Gaussian blur and the oriented edge are built at any
    size from 1 to 7. The kernels defined only as 3x3 (sharpen, Sobel,
    Laplacian, the X/O templates) are placed in the centre of a larger grid of
    zeros, or cut to their centre for a smaller grid (for an even size, half a
    cell up and left of the centre); the note says where.

    Returns
    -------
    kernel : array, shape (size, size), rounded to 3 decimals (what the grid shows)
    note : str, empty when the preset was built at this size
    """
    size = int(size)
    note = ""
    if name == "identity":
        kernel = np.zeros((size, size))
        kernel[(size - 1) // 2, (size - 1) // 2] = 1.0
    elif name == "box blur":
        kernel = K.box_blur(size)
    elif name == "gaussian blur":
        kernel = _gaussian(size)
    elif name == ORIENTED:
        kernel = _oriented(angle, size)
        if size == 1:
            note = "a 1x1 kernel cannot see an edge: choose size 2 or more."
    elif name in K.PRESETS:
        kernel = _fit(K.PRESETS[name], size)
        note = _fit_note(name, size) if size != 3 else ""
    else:
        raise ValueError(f"unknown kernel preset {name!r}; choose one of {list(PRESET_NAMES)}")
    return np.round(kernel, 3) + 0.0, note  # + 0.0 turns -0.0 into 0.0


PRESET_NAMES = (*K.PRESETS, ORIENTED)


# ----------------------------------------------------------------------------
# an editable grid of numbers
# ----------------------------------------------------------------------------
class KernelGrid(widgets.GridBox):
    """A square grid of number boxes whose ``value`` is the kernel.

    ``value`` is a tuple of rows (so that two kernels compare with ``==``);
    assigning a numpy array works too. Typing into a box updates ``value``;
    assigning ``value`` (any size up to 7x7) updates the boxes. Observe it like
    any widget: ``grid.observe(callback, names="value")``.
    """

    value = traitlets.Any()

    def __init__(self, kernel=None, max_size=MAX_KERNEL, **kwargs):
        self._cells = [
            [
                widgets.FloatText(
                    value=0.0,
                    step=0.1,
                    layout=widgets.Layout(width="4.8em", height="29px", margin="1px"),
                )
                for _ in range(max_size)
            ]
            for _ in range(max_size)
        ]
        self.max_size = max_size
        self._syncing = False
        self._deferred = 0
        super().__init__(layout=widgets.Layout(grid_gap="0px", width="max-content"), **kwargs)
        for row in self._cells:
            for cell in row:
                cell.observe(self._cell_changed, names="value")
        self.value = np.zeros((3, 3)) if kernel is None else kernel

    @property
    def size(self):
        return len(self.value)

    def array(self):
        """The kernel as a float64 array of shape (size, size)."""
        return np.array(self.value, dtype=np.float64)

    @traitlets.validate("value")
    def _check(self, proposal):
        arr = np.asarray(proposal["value"], dtype=np.float64)
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or not 1 <= arr.shape[0] <= self.max_size:
            raise traitlets.TraitError(
                f"a kernel grid holds a square kernel of 1x1 to {self.max_size}x{self.max_size}, "
                f"but got shape {arr.shape}"
            )
        if not np.isfinite(arr).all():
            raise traitlets.TraitError("kernel values must be finite numbers")
        return tuple(tuple(float(x) + 0.0 for x in row) for row in arr)

    @traitlets.observe("value")
    def _value_changed(self, change):
        if not self._deferred:
            self._show(change["new"])

    def _show(self, kernel):
        """Write the kernel into the boxes; show k x k of them."""
        k = len(kernel)
        self._syncing = True
        try:
            for i in range(k):
                for j in range(k):
                    self._cells[i][j].value = kernel[i][j]
        finally:
            self._syncing = False
        if len(self.children) != k * k:
            self.children = [self._cells[i][j] for i in range(k) for j in range(k)]
            self.layout.grid_template_columns = f"repeat({k}, max-content)"

    @contextlib.contextmanager
    def deferred(self):
        """Update the boxes only when the ``with`` block ends.

        Every box is a widget of its own, and each changed number is one
        message to the browser. An explorer that redraws its picture inside
        this block sends the picture first, so it appears before the boxes
        catch up.
        """
        self._deferred += 1
        try:
            yield self
        finally:
            self._deferred -= 1
            if not self._deferred:
                self._show(self.value)

    def _cell_changed(self, change):
        if self._syncing:
            return
        k = len(self.value)
        self.value = [[self._cells[i][j].value for j in range(k)] for i in range(k)]


# ----------------------------------------------------------------------------
# helpers shared by the explorers
# ----------------------------------------------------------------------------
def _feature_style(im, data, scale=None, kernel=None, image=None):
    """Colour a feature map as :func:`cnnlib.plotting.feature_map_colors` says."""
    cmap, vmin, vmax = plotting.feature_map_colors(data, kernel, image)
    if im.get_cmap().name != cmap:
        im.set_cmap(cmap)
    im.set_clim(vmin, vmax)
    if scale is not None:
        scale.update(cmap, vmin, vmax)
    return cmap


def _fix_titles(*axes):
    """Give each axes a title at a fixed height (no re-measuring on every draw)."""
    for ax in axes:
        ax.set_title(ax.get_title() or " ", y=1.0)


def _frame_only(*axes):
    """Hide the (tick-less) axis machinery of picture panels and keep a thin frame.

    Drawing an axis costs a few milliseconds even without ticks, and a
    picture panel needs none; a plain rectangle gives the same frame.
    """
    frames = []
    for ax in axes:
        ax.set_axis_off()
        frame = Rectangle(
            (0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=0.8, ec="0.25", clip_on=False
        )
        frames.append(ax.add_patch(frame))
    return frames


def _tick_label(value):
    """Colour-scale labels: short numbers, and 2 significant digits from 10,000 on."""
    if abs(value) >= 10_000:
        return f"{value:.2g}".replace("-", "\u2212").replace("e+0", "e").replace("e+", "e")
    return plotting.short_number(value)


def _set_square_limits(ax, lo, hi):
    ax.set_xlim(lo, hi)
    ax.set_ylim(hi, lo)


def _fmt_size(shape):
    return f"{shape[0]}x{shape[1]}"


# ----------------------------------------------------------------------------
# the convolution explorer
# ----------------------------------------------------------------------------
class ConvolutionExplorer(BlitExplorer):
    """Slide any kernel over an image and see the feature map and its size.

    Controls: ``image``, ``preset`` (a named kernel, an oriented edge with the
    ``angle`` slider, or "custom"), ``size`` (1-7), ``kernel`` (a
    :class:`KernelGrid`: type your own weights; editing it switches the preset
    to "custom"), ``stride`` (1-4), ``padding`` ('valid', 'same', 'full', 1, 2,
    3) and ``dilation`` (1-3).

    The figure shows the (padded) input with the kernel's first two positions,
    the kernel with its weights, and the feature map at the same scale as the
    input, centred under it. The line below gives the output-size formula
    with the current numbers.

    ``output`` is ``conv2d(explorer.image, explorer.kernel, stride=...,
    padding=..., dilation=...)``, or None when the settings cannot work.

    Parameters
    ----------
    images : dict of str to array (H, W), optional
        The images to choose from (default: :func:`example_images`).
    image, preset : str
        The initial choices.
    size, stride, padding, dilation, angle
        Initial values of the controls.
    """

    title = "Convolution explorer: slide a kernel over an image"

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
        self._images = dict(example_images() if images is None else images)
        if not self._images:
            raise ValueError("images must hold at least one image, e.g. {'mine': array}")
        for name, img in self._images.items():
            img = np.asarray(img, dtype=np.float64)
            if img.ndim != 2:
                raise ValueError(f"image {name!r} must be 2-D (H, W), but has shape {img.shape}")
            self._images[name] = img
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
        self._note = ""
        self._busy = False
        self._refill_kernel()
        self._build_figure()
        for control in c.values():
            control.observe(self._changed, names="value")
        self._status.layout.min_height = "6.4em"  # up to 4 lines: formula, remarks, a note
        self.figure.canvas.draw()  # place the axes once so the labels get their final size
        self.update()

    def _background_key(self):
        """The input panel depends only on these; kernel, angle and preset redraw less."""
        c = self.controls
        return tuple(c[name].value for name in ("image", "size", "stride", "padding", "dilation"))

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
        status line keeps three lines, so nothing on the page moves when the
        kernel grows or the formula gets longer.
        """
        c = self.controls
        for name in ("image", "preset", "angle", "size", "stride", "padding", "dilation"):
            c[name].layout.width = "340px"
            c[name].style.description_width = "100px"  # labels and controls line up
        left = widgets.VBox([c[n] for n in ("image", "preset", "angle", "size")])
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
            kernel, self._note = _fit(current, size), ""
        else:
            kernel, self._note = preset_kernel(c["preset"].value, size, c["angle"].value)
        c["kernel"].value = kernel
        c["angle"].disabled = c["preset"].value != ORIENTED

    def _changed(self, change):
        if self._busy:
            return
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

    # -- figure -----------------------------------------------------------------------
    def _build_figure(self):
        fig = self.figure
        # the last column is room for colour-bar labels of any length (the layout is frozen)
        grid = fig.add_gridspec(1, 5, width_ratios=[1.0, 0.72, 1.0, 0.045, 0.06])
        self._ax_in = fig.add_subplot(grid[0])
        self._ax_k = fig.add_subplot(grid[1])
        self._ax_out = fig.add_subplot(grid[2])
        blank = np.zeros((2, 2))
        self._im_in = plotting.show_image(self._ax_in, blank, title="input")
        self._im_k, _ = plotting.show_signed(self._ax_k, blank, title="kernel", colorbar=False)
        self._im_out, _ = plotting.show_signed(
            self._ax_out, blank, title="feature map", colorbar=False
        )
        self._scale = plotting.ColourScale(fig.add_subplot(grid[3]), fmt=_tick_label)
        _fix_titles(self._ax_in, self._ax_k, self._ax_out)
        self._frames = _frame_only(self._ax_in, self._ax_k, self._ax_out)
        self._lab_in = plotting.LabelGrid(self._ax_in, height=0.3, max_points=12)
        self._lab_k = plotting.LabelGrid(self._ax_k, height=0.3, max_points=14)
        self._lab_out = plotting.LabelGrid(self._ax_out, height=0.3, max_points=12)
        self._cells_k = plotting.cell_borders(self._ax_k, (1, 1))
        self._cells_in = plotting.cell_borders(self._ax_in, (1, 1), color="0.5")
        self._cells_out = plotting.cell_borders(self._ax_out, (1, 1))
        # the image's border inside the padding, and the kernel's first two positions
        self._border = Rectangle((0, 0), 1, 1, fill=False, ec="#1f78b4", lw=1.8, ls="--")
        self._first = Rectangle((0, 0), 1, 1, fill=False, ec=HIGHLIGHT, lw=2.5, zorder=4)
        self._second = Rectangle(
            (0, 0), 1, 1, fill=False, ec=HIGHLIGHT, lw=1.8, ls=(0, (3, 2)), zorder=4
        )
        for patch in (self._border, self._first, self._second):
            self._ax_in.add_patch(patch)
        self._taps = self._ax_in.scatter([], [], s=14, c=HIGHLIGHT, zorder=4, linewidths=0)
        self._nomap = self._ax_out.text(
            0.5, 0.5, "", transform=self._ax_out.transAxes, ha="center", va="center", fontsize=12
        )

    # -- the two steps the base class calls -------------------------------------------
    def _compute(self):
        image, kernel, s = self.image, self.kernel, self.settings
        k, d = kernel.shape[0], s["dilation"]
        self._pads = None
        self._pads = resolve_padding(s["padding"], (k, k), (s["stride"],) * 2, (d, d))
        return conv2d(image, kernel, **s)

    def _draw(self, result):
        image, kernel, s = self.image, self.kernel, self.settings
        h, w = image.shape
        k, d, stride = kernel.shape[0], s["dilation"], s["stride"]
        (pt, pb), (pl, pr) = self._pads if self._pads is not None else ((0, 0), (0, 0))
        padded = np.pad(image, ((pt, pb), (pl, pr)))
        ph, pw = padded.shape
        side = max(ph, pw)
        lo, hi = -0.5, side - 0.5

        # input, padded, with the image's border and the kernel's first positions
        self._im_in.set_data(padded)
        self._im_in.set_extent((-0.5, pw - 0.5, ph - 0.5, -0.5))
        self._im_in.set_clim(*plotting.image_limits(image))
        _set_square_limits(self._ax_in, lo, hi)
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
        self._taps.set_visible(d > 1 or side > 12)  # dots would cover printed values
        pad_text = "" if (ph, pw) == (h, w) else f", padded to {ph}x{pw}"
        self._ax_in.title.set_text(f"input {h}x{w}{pad_text}")
        small = side <= 12  # print values only when they fit
        self._cells_in.set_visible(small)
        if small:
            colors = plotting.contrast_colors(padded, *self._im_in.get_clim(), plotting.IMAGE_CMAP)
            self._lab_in.set(padded, fmt=plotting.short_number, colors=colors)
            plotting.set_cell_borders(self._cells_in, padded.shape)
        else:
            self._lab_in.clear()

        # kernel with its weights
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

        # feature map, same scale as the input, centred under it
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
        cmap = _feature_style(self._im_out, result, self._scale, kernel, image)
        self._cells_out.set_visible(small)
        if small:
            colors = plotting.contrast_colors(result, *self._im_out.get_clim(), cmap)
            self._lab_out.set(result, fmt=plotting.short_number, colors=colors, origin=(ox, oy))
            plotting.set_cell_borders(self._cells_out, result.shape, origin=(ox, oy))
        else:
            self._lab_out.clear()
        self._ax_out.title.set_text(f"feature map {oh}x{ow}")

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
        return "<br>".join(lines)


def output_size_html(i, k, s, pads, d, padding=None):
    """The formula ``o = floor((i + 2p - d(k-1) - 1)/s) + 1`` with the numbers filled in.

    ``pads`` is (before, after); when they differ (``'same'`` with an even
    kernel) the formula shows both instead of ``2p``. A second line explains
    a named padding and a stride that does not divide evenly.
    """
    pa, pb = pads
    total = i + pa + pb - d * (k - 1) - 1
    o = total // s + 1
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


# ----------------------------------------------------------------------------
# the step-by-step view
# ----------------------------------------------------------------------------
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
        return (h + 2 * p - 3) // s + 1, (w + 2 * p - 3) // s + 1

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
        _fix_titles(*self._axes)
        self._frames = _frame_only(*self._axes)
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
        if result is None:  # cannot happen with these sizes, but never leave a stale picture
            self._sum_text.set_text("")
            return
        c = self.controls
        kernel, padded = self.kernel, self.padded
        s, p = c["stride"].value, c["padding"].value
        row, col = self.where
        ph, pw = padded.shape
        oh, ow = result.shape
        ax_in, ax_k, ax_p, ax_out = self._axes
        lab_in, lab_k, lab_p, lab_out = self._labels

        clim = plotting.image_limits(self.image)
        self._im_in.set_data(padded)
        self._im_in.set_extent((-0.5, pw - 0.5, ph - 0.5, -0.5))
        self._im_in.set_clim(*clim)
        ax_in.set_xlim(-0.5, pw - 0.5)
        ax_in.set_ylim(ph - 0.5, -0.5)
        lab_in.set(
            padded,
            fmt=plotting.short_number,
            colors=plotting.contrast_colors(padded, *clim, "gray"),
        )
        self._window.set_xy((col * s - 0.5, row * s - 0.5))
        h, w = self.image.shape
        self._border.set_bounds(p - 0.5, p - 0.5, w, h)
        self._border.set_visible(p > 0)
        ax_in.title.set_text(f"input {h}x{w}" + (f", padding {p}" if p else ""))
        plotting.set_cell_borders(self._cells[0], padded.shape)

        klim = plotting.signed_limit(kernel)
        self._im_k.set_data(kernel)
        self._im_k.set_clim(-klim, klim)
        lab_k.set(
            kernel,
            fmt=plotting.short_number,
            colors=plotting.contrast_colors(kernel, -klim, klim, "RdBu_r"),
        )

        all_products = _all_products(padded, kernel, s, oh, ow)
        plim = plotting.signed_limit(all_products)
        self._im_p.set_data(self.products)
        self._im_p.set_clim(-plim, plim)
        colors = plotting.contrast_colors(self.products, -plim, plim, "RdBu_r")
        lab_p.set(self.products, fmt=plotting.short_number, colors=colors)
        self._sum_text.set_text(f"sum = {plotting.short_number(round(self.total, 2))}")

        done = np.full(result.shape, np.nan)
        upto = row * ow + col
        done.flat[: upto + 1] = result.flat[: upto + 1]
        self._im_out.set_data(done)
        self._im_out.set_extent((-0.5, ow - 0.5, oh - 0.5, -0.5))
        cmap = _feature_style(self._im_out, result, None, kernel, self.image)
        if cmap == plotting.IMAGE_CMAP and abs(kernel.sum() - 1) > 0.05:
            # a score map that happens to have no negative value: keep red = high, as
            # in the products panel, rather than gray
            lim = plotting.signed_limit(result)
            self._im_out.set_cmap(plotting.SIGNED_CMAP)
            self._im_out.set_clim(-lim, lim)
            cmap = plotting.SIGNED_CMAP
        colors = plotting.contrast_colors(result, *self._im_out.get_clim(), cmap)
        lab_out.set(done, fmt=lambda v: plotting.short_number(round(float(v), 2)), colors=colors)
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


def _all_products(padded, kernel, stride, oh, ow):
    """Every element-wise product at every position (for a colour scale that stays put)."""
    k = kernel.shape[0]
    patches = np.lib.stride_tricks.sliding_window_view(padded, (k, k))[::stride, ::stride]
    return patches[:oh, :ow] * kernel


# ----------------------------------------------------------------------------
# X versus O
# ----------------------------------------------------------------------------
TEMPLATES = {
    "diagonal \\": K.diagonal(),
    "diagonal /": K.antidiagonal(),
    "cross x": K.cross(),
}


class TemplateMatcher(Explorer):
    """Score every 3x3 patch of an X or O image against a small +1/-1 template.

    The score is the average of the nine products pixel x template weight: 1
    when the patch is exactly the template, -1 when it is its negative. Shift
    the letter or flip some pixels (noise): the best score follows the letter.

    Controls: ``image`` ('x' or 'o'), ``down`` and ``right`` (shift in
    pixels), ``noise`` (fraction of flipped pixels), ``seed`` (which pixels)
    and ``template``. ``output`` is the score map ``conv2d(image, template) / 9``;
    ``best`` holds the best score of every template on the current image.
    """

    title = "Template matching: where does each pattern fit?"

    def __init__(self, image="x", template="diagonal \\", down=0, right=0, noise=0.0, seed=0):
        super().__init__(figsize=(9.3, 3.15), dpi=90)  # 837 px: fits a notebook column
        c = self.controls
        c["image"] = widgets.ToggleButtons(
            options=[("X", "x"), ("O", "o")], value=image, description="letter"
        )
        c["template"] = widgets.Dropdown(
            options=list(TEMPLATES), value=template, description="template"
        )
        c["down"] = widgets.IntSlider(value=down, min=-2, max=2, description="move down")
        c["right"] = widgets.IntSlider(value=right, min=-2, max=2, description="move right")
        c["noise"] = widgets.FloatSlider(
            value=noise, min=0.0, max=0.3, step=0.05, description="noise", readout_format=".2f"
        )
        c["seed"] = widgets.IntSlider(value=seed, min=0, max=9, description="noise seed")
        for control in c.values():
            control.style.description_width = "initial"
        self._build_figure()
        self._watch()
        self.figure.canvas.draw()
        self.update()

    @property
    def image(self):
        """The current 9x9 image of +1 (ink) and -1 (background)."""
        from cnnlib.datasets import xo_image

        c = self.controls
        return xo_image(
            c["image"].value,
            shift=(c["down"].value, c["right"].value),
            noise=round(c["noise"].value, 2),
            seed=c["seed"].value,
        )

    @property
    def template(self):
        return TEMPLATES[self.controls["template"].value].copy()

    def _build_figure(self):
        fig = self.figure
        grid = fig.add_gridspec(1, 4, width_ratios=[1.0, 0.45, 0.95, 0.9])
        axes = [fig.add_subplot(grid[i]) for i in range(4)]
        self._axes = axes
        self._im = plotting.show_image(
            axes[0], np.zeros((9, 9)), title="image (ink = +1)", vmin=-1, vmax=1
        )
        self._im_t, _ = plotting.show_signed(
            axes[1], np.zeros((3, 3)), title="template", limit=1, colorbar=False
        )
        self._im_s, _ = plotting.show_signed(
            axes[2], np.zeros((7, 7)), title="match score", limit=1, colorbar=False
        )
        for ax, n in zip(axes[:3], (9, 3, 7)):
            plotting.cell_borders(ax, (n, n))
        self._lab_t = plotting.LabelGrid(axes[1], height=0.3, max_points=14)
        self._lab_s = plotting.LabelGrid(axes[2], height=0.26, max_points=11)
        self._best_img = Rectangle((0, 0), 3, 3, fill=False, ec=HIGHLIGHT, lw=3.5, zorder=5)
        self._best_cell = Rectangle((0, 0), 1, 1, fill=False, ec=HIGHLIGHT, lw=3.5, zorder=5)
        axes[0].add_patch(self._best_img)
        axes[2].add_patch(self._best_cell)
        bars = axes[3]
        self._bars = bars.bar(range(3), [0, 0, 0], color="0.65", width=0.6)
        bars.set_xlim(-0.6, 2.6)
        bars.set_ylim(-1.05, 1.2)
        bars.set_title("best score per template")
        # no axis machinery (slow to redraw): reference lines and plain labels instead
        bars.set_axis_off()
        bars.axhline(0, color="0.3", lw=0.8)
        bars.axhline(1, color="0.3", lw=0.8, ls=":")
        bars.axhline(-1, color="0.3", lw=0.8, ls=":")
        under = bars.get_xaxis_transform()
        for i, name in enumerate(["diag \\", "diag /", "cross x"]):
            bars.text(i, -0.03, name, transform=under, ha="center", va="top", fontsize=11)
        for y in (-1, 0, 1):
            bars.text(-0.65, y, plotting.short_number(y), ha="right", va="center", fontsize=10)
        self._bar_text = [bars.text(i, 0, "", ha="center", va="bottom") for i in range(3)]
        _fix_titles(*axes)
        _frame_only(*axes[:3])

    def _compute(self):
        image = self.image
        self.scores = {name: conv2d(image, t) / t.size for name, t in TEMPLATES.items()}
        self.best = {name: float(m.max()) for name, m in self.scores.items()}
        self.current_image = image
        return self.scores[self.controls["template"].value]

    def _draw(self, result):
        image, template = self.current_image, self.template
        name = self.controls["template"].value
        self._im.set_data(image)
        self._im_t.set_data(template)
        self._lab_t.set(
            template,
            fmt=plotting.short_number,
            colors=plotting.contrast_colors(template, -1, 1, "RdBu_r"),
        )
        self._im_s.set_data(result)
        self._lab_s.set(
            result,
            fmt=lambda v: f"{v:.2f}".replace("-", "\u2212"),
            colors=plotting.contrast_colors(result, -1, 1, "RdBu_r"),
        )
        r, c = np.unravel_index(np.argmax(result), result.shape)
        self._best_cell.set_xy((c - 0.5, r - 0.5))
        self._best_img.set_xy((c - 0.5, r - 0.5))
        self._axes[2].title.set_text(f"match score (best {result.max():.2f})")
        for i, (bar, text, tname) in enumerate(zip(self._bars, self._bar_text, TEMPLATES)):
            value = self.best[tname]
            bar.set_height(value)
            bar.set_color(HIGHLIGHT if tname == name else "0.65")
            text.set_position((i, max(value, 0) + 0.03))
            text.set_text(f"{value:.2f}")

    def _describe(self, result):
        r, c = np.unravel_index(np.argmax(result), result.shape)
        best = result.max()
        verdict = (
            "a perfect match"
            if np.isclose(best, 1)
            else f"{int(round((1 + best) / 2 * 9))} of 9 pixels agree"
        )
        return (
            f"Score = (sum of the 9 products pixel &times; weight) / 9. Best: <b>{best:.2f}</b> "
            f"({verdict}) with the patch whose top-left pixel is row {r}, column {c}."
        )
