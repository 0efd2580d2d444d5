"""Activation explorer: a real feature map before and after ReLU, leaky ReLU,
sigmoid or tanh.

Top row: the input image, its feature map ``z = conv2d(image, kernel) + bias``
and the activated map ``f(z)``, both in the signed colour map (red positive,
blue negative, white zero). Bottom row: how the values are spread before and
after (histograms on a log scale, so a pile of zeros and a few strong
responses both show), and the function itself with its slope, the range of the
current values shaded. The status line gives the fraction of exact zeros
(sparsity) and of positions where the slope is nearly flat.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.ticker import FuncFormatter

from cnnlib import kernels
from cnnlib.activations import ACTIVATIONS, sparsity
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.ops import conv2d
from cnnlib.plotting import IMAGE_CMAP, INK_CMAP, SIGNED_CMAP, short_number
from cnnlib.plotting.describe import extremes_text, range_text

__all__ = ["ActivationExplorer", "colour", "example_images"]

RANGE = 9.0  # every feature map plus bias fits in [-RANGE, RANGE] (0-1 images, 3x3 presets)
BIAS_LIMIT = 4.0
FLAT_SLOPE = 0.05  # a slope below this counts as (nearly) flat
HIST_FLOOR = 0.01  # percent: the histograms' log scale starts here

# Okabe-Ito colours, distinguishable with every common colour-vision deficiency
BEFORE_COLOR = "#56B4E9"  # sky blue
AFTER_COLOR = "#E69F00"  # orange
CURVE_COLOR = "#0072B2"  # blue
SLOPE_COLOR = "#D55E00"  # vermillion
SPAN_COLOR = "#999999"

# x-range of the "after" histogram and y-range of the curve, per activation
_AFTER_RANGE = {
    "ReLU": (-RANGE, RANGE),
    "leaky ReLU": (-RANGE, RANGE),
    "sigmoid": (-0.05, 1.05),
    "tanh": (-1.05, 1.05),
}
_CURVE_YLIM = {
    "ReLU": (-1.0, RANGE),
    "leaky ReLU": (-3.0, RANGE),
    "sigmoid": (-0.1, 1.1),
    "tanh": (-1.2, 1.2),
}


def example_images(digits=(3, 7), photo_size=128):
    """The explorer's input images by display name, as (H, W) uint8 arrays.

    The first test-set MNIST digit of each class in ``digits`` (28x28, ink
    high), and the middle of the grayscale photo of Grace Hopper (see
    :func:`cnnlib.datasets.load_photo`) shrunk 4 times, ``photo_size`` square.
    """
    from cnnlib.datasets import load_mnist, load_photo
    from cnnlib.images import downsample, to_grayscale

    images, labels = load_mnist("test")
    out = {f"digit {d} (28x28)": images[np.flatnonzero(labels == d)[0]] for d in digits}
    photo = downsample(to_grayscale(load_photo()), 4)
    left = (photo.shape[1] - photo_size) // 2
    out[f"photo ({photo_size}x{photo_size})"] = photo[:photo_size, left : left + photo_size]
    return out


def _percent(value, _position):
    return f"{value:g}%"


def colour(values, cmap, low, high):
    """``values`` (H, W) coloured with colour map ``cmap`` from ``low`` to ``high``,
    as an (H, W, 4) uint8 RGBA picture; values outside the range get the end colours.

    matplotlib draws such a ready-coloured picture about twice as fast as raw
    values, which it would first have to scale and colour itself.
    """
    if cmap not in _CMAPS:
        _CMAPS[cmap] = mpl.colormaps[cmap]  # the registry hands out a fresh copy every time
    scaled = (np.asarray(values, dtype=float) - low) / (high - low)
    return _CMAPS[cmap](np.clip(scaled, 0.0, 1.0), bytes=True)


_CMAPS: dict = {}


class ActivationExplorer(BlitExplorer):
    """A real feature map through an activation function, with a bias slider.

    Parameters
    ----------
    images : dict of str to array (H, W), optional
        The images to choose from, values 0-255 (default:
        :func:`example_images`, two digits and a photo). Each is scaled to
        0-1 before the convolution.
    image : str, optional
        Which of ``images`` to start with (default: the last, the photo).
    kernel : str
        A name in :data:`cnnlib.kernels.PRESETS`.
    activation : {"ReLU", "leaky ReLU", "sigmoid", "tanh"}
    bias : float
        Added to every value of the feature map before the activation, from
        -4 to 4. With ReLU, a bias of -b keeps only responses stronger than b:
        it acts as a threshold.
    negative_slope : float
        Leaky ReLU's slope for negative inputs, from 0.01 to 0.3.

    Attributes
    ----------
    output : ndarray (H-2, W-2)
        The activated map, ``f(feature_map)`` with ``f`` the chosen function
        (e.g. :func:`cnnlib.relu`).
    feature_map : ndarray (H-2, W-2)
        ``conv2d(image, kernel) / 255 + bias``, the map shown in the middle: the
        map of the image scaled to 0-1, divided after the convolution so that
        whole-number kernels give exact zeros.
    sparsity : float
        Fraction of exact zeros in ``output``.
    flat : float
        Fraction of positions where the activation's slope is below 0.05.
    """

    title = "Activation explorer: what ReLU and friends do to a real feature map"

    def __init__(
        self,
        images=None,
        image=None,
        kernel="sobel x (vertical edges)",
        activation="ReLU",
        bias=0.0,
        negative_slope=0.1,
    ):
        super().__init__(figsize=(9.2, 5.4), dpi=90)  # 828 x 486 px: fits a notebook column
        self.images = dict(example_images() if images is None else images)
        if not self.images:
            raise ValueError("images is empty; pass at least one (H, W) image, or None")
        image = list(self.images)[-1] if image is None else image
        for name, value, known in [
            ("image", image, list(self.images)),
            ("kernel", kernel, list(kernels.PRESETS)),
            ("activation", activation, list(ACTIVATIONS)),
        ]:
            if value not in known:
                raise ValueError(f"{name}={value!r} is not known; use one of {known}")
        self._maps: dict[tuple[str, str], np.ndarray] = {}
        self.feature_map = None
        self.sparsity = 0.0
        self.flat = 0.0
        self._add_controls(image, kernel, activation, bias, negative_slope)
        self._build_figure()
        self._watch()
        self.update()
        self._prepare_backgrounds("activation")

    def _add_controls(self, image, kernel, activation, bias, negative_slope):
        """The two menus, the activation's buttons and the two sliders, at these values."""
        style = {"description_width": "initial"}
        self.controls["image"] = widgets.Dropdown(
            options=list(self.images), value=image, description="image", style=style
        )
        self.controls["kernel"] = widgets.Dropdown(
            options=list(kernels.PRESETS), value=kernel, description="kernel", style=style
        )
        self.controls["activation"] = widgets.ToggleButtons(
            options=list(ACTIVATIONS), value=activation, description="activation", style=style
        )
        self.controls["bias"] = widgets.FloatSlider(
            value=bias,
            min=-BIAS_LIMIT,
            max=BIAS_LIMIT,
            step=0.1,
            description="bias (added before)",
            readout_format="+.1f",
            style=style,
        )
        self.controls["negative_slope"] = widgets.FloatSlider(
            value=negative_slope,
            min=0.01,
            max=0.3,
            step=0.01,
            description="leaky slope",
            style=style,
        )

    # -- data -------------------------------------------------------------------------
    def _feature_map(self, image, kernel):
        """conv2d of the image with the kernel, no padding, scaled to 0-1 images; cached.

        The image is convolved as it is (whole numbers 0-255) and the result divided by
        255 afterwards, not before: with a kernel of whole numbers (Sobel, Laplacian...)
        every sum is then a whole number, exact in any order of addition, so a position
        where the edges cancel is exactly 0 on every CPU. Dividing first gives fractions
        such as 0.4 that floats only approximate, and sums that should cancel leave a
        tiny rest (~1e-17) that depends on the order of the additions: the photo's
        Sobel x map had 1.2% exact zeros that way, against 1.8% in exact arithmetic.
        """
        key = (image, kernel)
        if key not in self._maps:
            pixels = np.asarray(self.images[image], dtype=float)
            self._maps[key] = conv2d(pixels, kernels.PRESETS[kernel]) / 255.0
        return self._maps[key]

    def _compute(self):
        c = self.controls
        activation = ACTIVATIONS[c["activation"].value]
        self.feature_map = self._feature_map(c["image"].value, c["kernel"].value) + float(
            c["bias"].value
        )
        if activation.name == "leaky ReLU":
            slope = float(c["negative_slope"].value)
            out = activation.function(self.feature_map, slope)
            slopes = activation.slope(self.feature_map, slope)
        else:
            out = activation.function(self.feature_map)
            slopes = activation.slope(self.feature_map)
        self.sparsity = sparsity(out)
        self.flat = float(np.mean(slopes < FLAT_SLOPE))
        return out

    # -- figure -------------------------------------------------------------------------
    def _build_figure(self):
        """Three maps on top (input, z, f(z)); two histograms and the curve below."""
        grid = self.figure.add_gridspec(2, 3, height_ratios=[1.15, 1], width_ratios=[1, 1, 1.15])
        self._ax_in, self._im_in = self._add_map_panel(grid[0, 0])
        self._ax_z, self._im_z = self._add_map_panel(grid[0, 1])
        self._ax_a, self._im_a = self._add_map_panel(grid[0, 2])
        self._edges_z = np.linspace(-RANGE, RANGE, 91)  # fixed bins
        self._ax_hz, self._hist_z = self._add_histogram_panel(grid[1, 0], BEFORE_COLOR, "before")
        self._ax_ha, self._hist_a = self._add_histogram_panel(grid[1, 1], AFTER_COLOR, "after")
        self._ax_hz.set_xlim(-RANGE, RANGE)  # the other one's range depends on the activation
        self._ax_hz.set_ylabel("% of positions (log scale)")
        self._build_function_panel(grid[1, 2])
        self._drawn_for = None
        self._shown_image = None

    def _add_map_panel(self, cell):
        """An empty square for a map, shown as a ready-coloured picture; its axes and image."""
        ax = self.figure.add_subplot(cell)
        # the maps are coloured by `colour` and shown as ready-made RGBA pictures (faster)
        im = ax.imshow(np.zeros((2, 2, 4), dtype=np.uint8))
        im.set_extent((0, 1, 1, 0))  # any image size fills the same square
        ax.set_xlim(0, 1)
        ax.set_ylim(1, 0)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(" ")  # filled in on every update
        return ax, im

    def _add_histogram_panel(self, cell, color, when):
        """The spread of the values ``when`` ("before", "after"), in percent, log scale."""
        ax = self.figure.add_subplot(cell)
        bars = ax.stairs(
            np.full(90, HIST_FLOOR),
            self._edges_z,
            baseline=HIST_FLOOR,
            fill=True,
            color=color,
        )
        ax.set_yscale("log")
        ax.set_ylim(HIST_FLOOR, 100)
        ax.yaxis.set_major_formatter(FuncFormatter(_percent))
        ax._zero = ax.axvline(0, color="black", lw=0.8)
        ax.set_title(f"values {when}")
        ax.set_xlabel("value")
        return ax, bars

    def _build_function_panel(self, cell):
        """The activation f(z) above its slope, sharing the z axis."""
        inner = cell.subgridspec(2, 1, hspace=0.08)
        self._ax_f = self.figure.add_subplot(inner[0])
        self._ax_s = self.figure.add_subplot(inner[1], sharex=self._ax_f)
        self._z = np.linspace(-RANGE, RANGE, 361)
        (self._curve,) = self._ax_f.plot([], [], color=CURVE_COLOR, lw=2.5)
        (self._slope,) = self._ax_s.plot([], [], color=SLOPE_COLOR, lw=2.5)
        self._span_f = self._ax_f.axvspan(0, 1, color=SPAN_COLOR, alpha=0.3, lw=0)
        self._span_s = self._ax_s.axvspan(0, 1, color=SPAN_COLOR, alpha=0.3, lw=0)
        for ax in (self._ax_f, self._ax_s):
            ax._zero = (ax.axvline(0, color="black", lw=0.8), ax.axhline(0, color="black", lw=0.8))
            ax.set_axisbelow(True)  # grid lines under the shaded range
            ax.grid(True, alpha=0.3)
        self._ax_f.set_xlim(-RANGE, RANGE)
        self._ax_f.tick_params(labelbottom=False)
        self._ax_f.set_ylabel("f(z)", color=CURVE_COLOR)
        self._ax_s.set_ylabel("slope", color=SLOPE_COLOR)
        for ax in (self._ax_f, self._ax_s):  # fixed: tick labels change with the activation
            ax.yaxis.set_label_coords(-0.17, 0.5)
        self._ax_s.set_ylim(-0.1, 1.15)
        self._ax_s.set_xlabel("z (gray: the map's range)")
        self._ax_f.set_title(" ")

    def _set_activation_axes(self, name):
        """Axis ranges and titles that depend only on the activation (the background)."""
        if name == self._drawn_for:
            return
        self._ax_ha.set_xlim(*_AFTER_RANGE[name])
        self._ax_ha.set_title(f"values after {name}")
        self._ax_f.set_ylim(*_CURVE_YLIM[name])
        self._ax_f.set_title(f"f(z) = {ACTIVATIONS[name].formula}", fontsize=11)
        lo, hi = _AFTER_RANGE[name]
        self._edges_a = np.linspace(lo, hi, 91) if name in ("sigmoid", "tanh") else self._edges_z
        self._drawn_for = name

    def _draw(self, out):
        """Redraw the maps (input, z, f(z)), the histograms (before, after) and the curve."""
        name = self.controls["activation"].value
        self._set_activation_axes(name)
        self.controls["negative_slope"].disabled = name != "leaky ReLU"
        # both maps' colour scale: the strongest 0.5% of values saturate, so weak
        # responses stay visible
        z = self.feature_map
        self.colour_limit = max(float(np.percentile(np.abs(z), 99.5)), 1e-6)
        self._draw_input_panel()
        self._draw_feature_map_panel()
        self._draw_activated_panel(out, name)
        self._draw_histogram_panels(out)
        self._draw_function_panel(name)

    def _draw_input_panel(self):
        """The input image (digits as ink on paper), when another one is chosen."""
        image = self.controls["image"].value
        if image == self._shown_image:
            return
        pixels = self.images[image]
        cmap = INK_CMAP if pixels.shape[0] <= 28 else IMAGE_CMAP  # digits: ink on paper
        self._im_in.set_data(colour(pixels, cmap, 0, 255))
        self._ax_in.title.set_text(f"input:\n{image}")
        self._shown_image = image

    def _draw_feature_map_panel(self):
        """The feature map z = conv2d + bias in the signed colours, with the bias above."""
        limit = self.colour_limit
        self._im_z.set_data(colour(self.feature_map, SIGNED_CMAP, -limit, limit))
        bias = float(self.controls["bias"].value)
        self._ax_z.title.set_text(f"z = conv2d + bias\n(bias {bias:+.1f})")

    def _draw_activated_panel(self, out, name):
        """The activated map f(z), at z's colour scale (or -1 to 1), and its share of zeros."""
        out_limit = self.colour_limit if name in ("ReLU", "leaky ReLU") else 1.0
        self._im_a.set_data(colour(out, SIGNED_CMAP, -out_limit, out_limit))
        self._ax_a.title.set_text(f"after {name}:\n{self.sparsity:.0%} exactly 0")

    def _draw_histogram_panels(self, out):
        """How the values spread before (z) and after the activation (``out``)."""
        self._hist_z.set_data(self._percentages(self.feature_map, self._edges_z), self._edges_z)
        self._hist_a.set_data(self._percentages(out, self._edges_a), self._edges_a)

    def _draw_function_panel(self, name):
        """The activation and its slope over z, the range of the map's values shaded."""
        activation = ACTIVATIONS[name]
        if name == "leaky ReLU":
            slope = float(self.controls["negative_slope"].value)
            curve = activation.function(self._z, slope)
            slopes = activation.slope(self._z, slope)
        else:
            curve, slopes = activation.function(self._z), activation.slope(self._z)
        self._curve.set_data(self._z, curve)
        self._slope.set_data(self._z, slopes)
        z = self.feature_map
        for span in (self._span_f, self._span_s):
            span.set_x(float(z.min()))
            span.set_width(float(z.max() - z.min()))

    @staticmethod
    def _percentages(values, edges):
        """Percent of ``values`` in each bin (the outermost bins also take what lies beyond)."""
        low, high = edges[0], edges[-1]
        # equal bins given as (number, range): numpy's fast path, no sorting
        counts, _ = np.histogram(np.clip(values, low, high), bins=len(edges) - 1, range=(low, high))
        return np.maximum(100.0 * counts / values.size, HIST_FLOOR)

    def _describe(self, out):
        name = self.controls["activation"].value
        return (
            f"<b>{name}</b>: <b>{self.sparsity:.1%}</b> of the activated map is exactly 0 "
            f"(sparsity; before the activation {sparsity(self.feature_map):.1%}) &middot; "
            f"slope below {FLAT_SLOPE:g} (flat: little learning signal) at {self.flat:.1%} "
            "of the positions"
        )

    def _describe_picture(self, out):
        """The two maps in numbers (range, signs, zeros, strongest responses) and the curve."""
        c = self.controls
        name = c["activation"].value
        z = self.feature_map
        bias = f"{float(c['bias'].value):+.1f}".replace("-", "\u2212")
        formula = ACTIVATIONS[name].formula.replace("-", "\u2212")
        if name == "leaky ReLU":
            formula = formula.replace("a·z", f"{float(c['negative_slope'].value):g}·z")
        low, high = short_number(z.min()), short_number(z.max())
        flat_map = low == high  # one value everywhere: no strongest place to point at
        strongest = "" if flat_map else extremes_text(z)
        shaded = f"at z = {low}" if flat_map else f"over z from {low} to {high}"
        return (
            f"Input: {c['image'].value}. Feature map z = conv2d with "
            f"{c['kernel'].value} + bias {bias}: {z.shape[0]}x{z.shape[1]}, {range_text(z)}, "
            f"{_signs(z)}" + (f"; {strongest}" if strongest else "") + ". "
            f"After {name}, f(z) = {formula}: {range_text(out)}, {_signs(out)}. "
            f"Its slope is below {FLAT_SLOPE:g} (flat) at {self.flat:.0%} of the positions. "
            f"The histograms show these spreads; the curve panel draws f(z) and its slope, "
            f"shaded {shaded}."
        )

    # -- blitting -------------------------------------------------------------------------
    def _dynamic_artists(self):
        # images, full bars and shaded ranges cover their axes' frames: redraw the frames too
        framed = (
            self._ax_in,
            self._ax_z,
            self._ax_a,
            self._ax_hz,
            self._ax_ha,
            self._ax_f,
            self._ax_s,
        )
        frames = [spine for ax in framed for spine in ax.spines.values()]
        return [
            self._im_in,
            self._im_z,
            self._im_a,
            *frames,
            self._ax_in.title,
            self._ax_z.title,
            self._ax_a.title,
            self._hist_z,
            self._hist_a,
            self._span_f,
            self._span_s,
            self._curve,
            self._slope,
            # fixed lines that sit on top of the changing ones
            self._ax_hz._zero,
            self._ax_ha._zero,
            *self._ax_f._zero,
            *self._ax_s._zero,
        ]

    def _background_key(self):
        return self.controls["activation"].value

    def _layout_controls(self):
        c = self.controls
        return widgets.VBox(
            [
                widgets.HBox([c["image"], c["kernel"]]),
                c["activation"],
                widgets.HBox([c["bias"], c["negative_slope"]]),
            ]
        )


def _signs(values) -> str:
    """``"52% positive, 46% negative, 2% exactly 0"``: how a map's values split by sign."""
    n = values.size
    positive, negative = np.count_nonzero(values > 0), np.count_nonzero(values < 0)
    parts = [
        f"{_share(count, n)} {word}"
        for count, word in (
            (positive, "positive"),
            (negative, "negative"),
            (n - positive - negative, "exactly 0"),
        )
        if count
    ]
    return ", ".join(parts)


def _share(count, n) -> str:
    """A share as a whole percent, except that a few are never "0%" and not all "100%"."""
    percent = 100.0 * count / n
    if 0 < percent < 1:
        return "under 1%"
    if 99 < percent < 100:
        return "over 99%"
    return f"{percent:.0f}%"
