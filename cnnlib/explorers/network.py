"""Looking inside a trained network (notebook 07).

* :func:`layer_outputs`: what every layer makes of one input;
* :class:`FeatureMapExplorer`: a digit's feature maps through every layer,
  with a slider to choose the digit;
* :class:`MistakesGallery`: the most confident mistakes with their ten
  probabilities, filtered by true and predicted digit.

The first-layer filters and the confusion matrix are drawn by
:func:`cnnlib.plotting.plot_filters` and
:func:`cnnlib.plotting.plot_confusion_matrix`; the numbers behind the matrix
and the gallery (:func:`cnnlib.metrics.confusion_matrix`,
:func:`cnnlib.metrics.most_confident_mistakes`) live in :mod:`cnnlib.metrics`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from cnnlib.explorers._blit import BlitExplorer
from cnnlib.metrics import most_confident_mistakes
from cnnlib.plotting import (
    BAR_COLOR,
    HIGHLIGHT_COLOR,
    INK_CMAP,
    OUTLINE_COLOR,
    LabelledBars,
    show_image,
    show_tiles,
    signed_colors,
    signed_limit,
    tile_maps,
)
from cnnlib.plotting.describe import range_text
from cnnlib.plotting.style import short_number

__all__ = [
    "FeatureMapExplorer",
    "MistakesGallery",
    "layer_outputs",
]


def layer_outputs(model, x) -> list:
    """Run ``x`` through ``model`` layer by layer and keep every layer's output.

    Parameters
    ----------
    model : Sequential
    x : float array (N, C, H, W)

    Returns
    -------
    list of (index, layer, output)
        One entry per layer, in order; the network runs in evaluation mode
        (dropout off), as :meth:`~cnnlib.Sequential.predict` does.
    """
    was_training = model.training
    model.eval()
    outputs = []
    try:
        h = np.asarray(x, dtype=model.dtype or np.float32)
        for i, layer in enumerate(model.layers):
            h = layer.forward(h)
            outputs.append((i, layer, h))
    finally:
        model.train(was_training)
    return outputs


def _prepare(images):
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(
            f"images must be a non-empty stack (N, H, W) or (N, C, H, W), but have shape "
            f"{images.shape}"
        )
    if images.dtype.kind in "iub":
        return images.astype(np.float32) / np.float32(255)
    return images.astype(np.float32)


def _default_network(explorer="FeatureMapExplorer"):
    """The course's trained network and the 1,000 bundled test digits."""
    from cnnlib.datasets import load_mnist

    try:
        from cnnlib import load_pretrained
    except ImportError as err:  # the shipped weights are not available
        raise RuntimeError(
            f"no trained network is available: pass one, e.g. {explorer}(model, images, labels)"
        ) from err
    images, labels = load_mnist("test")
    return load_pretrained(), images, labels


def _network_and_data(model, images, labels, explorer="FeatureMapExplorer"):
    """The model and its inputs (float32, (N, C, H, W)) for ``explorer``; defaults as above."""
    if model is None:
        if images is not None:
            raise ValueError("images were given without a model; pass the model too")
        model, images, labels = _default_network(explorer)
    elif images is None:
        raise ValueError(
            "a model was given without images; pass the inputs to choose from, e.g. "
            f"{explorer}(model, images, labels)"
        )
    x = _prepare(images)
    y = None if labels is None else np.asarray(labels, dtype=np.int64)
    if y is not None and y.shape != (len(x),):
        raise ValueError(f"{y.size} labels for {len(x)} images; give one label per image")
    return model, x, y


def _map_columns(channels):
    """Tiles per row in a feature-map mosaic: up to 4 (8 maps -> 4x2, 16 -> 4x4)."""
    return channels if channels <= 4 else 4 if channels <= 16 else 8


def _stage_name(layer):
    name = type(layer).__name__
    return {"Conv2D": "convolution", "MaxPool2D": "max pooling", "AvgPool2D": "avg pooling"}.get(
        name, name
    )


# ----------------------------------------------------------------------------
# feature maps of one digit through every layer
# ----------------------------------------------------------------------------
class FeatureMapExplorer(BlitExplorer):
    """A digit's journey through the network: every layer's maps, then the probabilities.

    One row per convolution block (convolution, activation, pooling): each
    panel shows all the maps of that layer side by side, red positive, blue
    negative, white 0, on one colour scale per row (so that you can see
    ReLU remove the blue and pooling keep the strongest red). On the left:
    the input and the network's ten probabilities.

    Parameters
    ----------
    model : Sequential, optional
        A trained CNN ending in class scores. Default: the course's trained
        network (:func:`cnnlib.load_pretrained`) on the 1,000 bundled test
        digits.
    images : array (N, H, W) or (N, C, H, W)
        The inputs to choose from (uint8 pixels are divided by 255).
    labels : int array (N,), optional
    index : int
        The input shown first.

    Attributes
    ----------
    output : list of (index, layer, array)
        Every layer's output for the chosen input (:func:`layer_outputs`).
    probabilities : array (K,)
    prediction : int
    """

    title = "Feature maps: one digit through every layer of the trained network"

    def __init__(self, model=None, images=None, labels=None, index=0):
        model, self.images, self.labels = _network_and_data(model, images, labels)
        self.model = model
        super().__init__(figsize=(9.3, 5.0), dpi=90)  # 837 px: fits a notebook column
        self.probabilities, self.prediction = None, None
        self.mosaics = {}  # output position -> the mosaic of maps shown in its panel
        self.limits = {}  # row -> the colour scale's limit shared by that row's panels
        outputs = layer_outputs(model, self.images[:1])
        self._blocks = _blocks(outputs)
        if not self._blocks:
            raise ValueError("the network has no layer that makes feature maps (N, C, H, W)")
        if outputs[-1][2].ndim != 2:
            raise ValueError(
                "the network must end in class scores (N, K), e.g. with Flatten and Dense"
            )
        self.controls["index"] = widgets.IntSlider(
            value=int(index),
            min=0,
            max=len(self.images) - 1,
            description="input #",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="480px"),
        )
        self._build_figure(outputs)
        self._watch()
        self.update()

    def _build_figure(self, outputs):
        fig = self.figure
        rows = len(self._blocks)
        cols = max(len(block) for block in self._blocks)
        grid = fig.add_gridspec(rows, cols + 1, width_ratios=[0.8] + [1.0] * cols)
        self._panels = []  # (output position, image artist, columns, row)
        for r, block in enumerate(self._blocks):
            for c, position in enumerate(block):
                i, layer, out = outputs[position]
                ax = fig.add_subplot(grid[r, c + 1])
                channels, h, w = out.shape[1:]
                columns = _map_columns(channels)
                image = show_tiles(ax, np.zeros((channels, h, w)), ncols=columns, limit=1.0)
                ax.set_title(
                    f"{i}: {_stage_name(layer)}\n{channels} maps of {h}\u00d7{w}", fontsize=11
                )
                self._panels.append((position, image, columns, r))
        ax = fig.add_subplot(grid[0, 0])
        first = self.images[0]
        self._input = show_image(ax, first[0], title="input", vmin=0, vmax=1, cmap=INK_CMAP)
        self._ax_input = ax
        ax = fig.add_subplot(grid[rows - 1, 0]) if rows > 1 else None
        if ax is None:
            ax = self._ax_input.inset_axes([0, -1.3, 1, 0.9])
        k = outputs[-1][2].shape[1]
        self._bars = LabelledBars(ax, [str(d) for d in range(k)], horizontal=True, fontsize=9)
        ax.set_xlim(0, 1.35)
        ax.set_xticks([])
        ax.set_title("probabilities")
        ax.tick_params(axis="y", labelsize=10, length=0)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)

    def _compute(self):
        index = self.controls["index"].value
        outputs = layer_outputs(self.model, self.images[index : index + 1])
        scores = outputs[-1][2][0].astype(float)
        shifted = np.exp(scores - scores.max())
        self.probabilities = shifted / shifted.sum()
        self.prediction = int(np.argmax(scores))
        return outputs

    def _draw(self, outputs):
        index = self.controls["index"].value
        self._input.set_data(self.images[index, 0])
        limits = {}
        for position, _, _, row in self._panels:
            out = outputs[position][2][0]
            limits[row] = max(limits.get(row, 0.0), signed_limit(out))
        self.limits = limits
        for position, image, columns, row in self._panels:
            mosaic = tile_maps(outputs[position][2][0], columns)
            self.mosaics[position] = mosaic
            # colours computed here: faster than letting matplotlib map a masked array
            image.set_data(signed_colors(mosaic, limits[row]))
        label = None if self.labels is None else int(self.labels[index])
        self._bars.set(self.probabilities, fmt=_percent, highlight=self.prediction, outline=label)
        truth = "" if label is None else f"label {label}, "
        self._ax_input.title.set_text(f"input #{index}\n{truth}said {self.prediction}")

    def _dynamic_artists(self):
        return [
            self._input,
            *self._ax_input.spines.values(),
            self._ax_input.title,
            *[image for _, image, _, _ in self._panels],
            *self._bars.artists,
        ]

    def _describe_picture(self, outputs):
        """The digit, the answer, and each panel's maps: size, range, blank maps, strongest."""
        index = self.controls["index"].value
        p = self.probabilities
        h, w = self.images.shape[2:]
        label = "" if self.labels is None else f" (label {int(self.labels[index])})"
        runner_up = int(np.argsort(p)[-2])
        parts = [
            f"Input #{index}{label}, {h}x{w}: the network says {self.prediction}, "
            f"{p[self.prediction]:.1%} sure (next {runner_up}, {p[runner_up]:.1%})."
        ]
        rows = {}
        for position, _, _, r in self._panels:
            i, layer, out = outputs[position]
            maps = out[0]
            flat = maps.reshape(len(maps), -1)
            blank = int(np.sum(~flat.any(axis=1)))
            text = (
                f"{i}: {_stage_name(layer)}, {len(maps)} maps of {maps.shape[1]}x{maps.shape[2]}, "
                f"{range_text(maps)}"
            )
            if blank:
                text += f", {blank} map{'s' if blank > 1 else ''} all 0"
            if maps.max() > 0:
                text += f", largest in map {int(np.argmax(flat.max(axis=1)))}"
            rows.setdefault(r, []).append(text)
        for r, texts in rows.items():
            limit = short_number(self.limits[r])
            parts.append(
                f"Row {r + 1} on one colour scale, \u00b1{limit} (blue \u2212, white 0, red +): "
                + "; ".join(texts)
                + "."
            )
        return " ".join(parts)

    def _describe(self, outputs):
        index = self.controls["index"].value
        p = self.probabilities
        text = f"Input #{index}: the network says {self.prediction} ({p[self.prediction]:.1%} sure)"
        if self.labels is not None:
            label = int(self.labels[index])
            verdict = "right" if label == self.prediction else "wrong"
            text += f"; the label is {label}: {verdict}."
        return text + " Each row shares one colour scale: red +, blue \u2212, white 0."


def _a(digit) -> str:
    """'a 7', 'an 8': a digit with its article, as read aloud."""
    return f"an {digit}" if digit == 8 else f"a {digit}"


def _bar_outlines(values, width=0.75):
    """The corners of one bar per value, bar ``d`` centred on x = d (for a PolyCollection)."""
    x = np.arange(len(values), dtype=float)
    left, right = x - width / 2, x + width / 2
    heights = np.asarray(values, dtype=float)
    zeros = np.zeros_like(heights)
    corners = [(left, zeros), (left, heights), (right, heights), (right, zeros)]
    return np.stack([np.stack(c, axis=-1) for c in corners], axis=1)


def _percent(p):
    return f"{p:.0%}" if p >= 0.005 else ""


def _blocks(outputs):
    """Positions of the 4-D outputs, grouped in blocks that each start with a convolution."""
    blocks = []
    for position, (_, layer, out) in enumerate(outputs):
        if out.ndim != 4:
            continue
        weight = getattr(layer, "params", {}).get("weight")
        starts_block = weight is not None and weight.ndim == 4
        if starts_block or not blocks:
            blocks.append([])
        blocks[-1].append(position)
    return blocks


# ----------------------------------------------------------------------------
# the most confident mistakes
# ----------------------------------------------------------------------------
ANY = -1
TICK_FONTSIZE = 10  #: the digits 0-9 under each tile's bars, in points


class MistakesGallery(BlitExplorer):
    """The test digits the network got wrong while being surest of itself.

    Each tile shows the digit, "true taken for said" with both probabilities,
    and the ten probabilities as small bars (the wrong answer dark, an orange
    triangle under the true digit). Filter by the true digit and by the wrong answer
    to look at one cell of the confusion matrix.

    Parameters
    ----------
    model : Sequential, optional
        Default: the course's trained network on the 1,000 bundled test
        digits.
    images : array (N, H, W) or (N, C, H, W)
    labels : int array (N,)
    count : int
        Tiles shown at once (in rows of 5).

    Attributes
    ----------
    output : int array
        The indices (into ``images``) of the mistakes shown, surest first.
    mistakes : int array
        All mistakes, surest first (:func:`most_confident_mistakes`).
    probabilities : array (N, K)
        The network's probabilities for every image.
    """

    title = "The most confident mistakes"

    def __init__(self, model=None, images=None, labels=None, count=10):
        model, self.images, self.labels = _network_and_data(model, images, labels)
        if self.labels is None:
            raise ValueError("a gallery of mistakes needs the true labels; pass labels")
        self.model = model
        self.count = int(count)
        self.probabilities = np.asarray(model.predict_proba(self.images), dtype=float)
        self.predictions = self.probabilities.argmax(axis=1)
        self.mistakes = most_confident_mistakes(self.probabilities, self.labels)
        k = self.probabilities.shape[1]
        columns = min(5, self.count)
        rows = -(-self.count // columns)
        super().__init__(figsize=(1.85 * columns, 2.55 * rows + 0.1), dpi=90)  # <= 846 px wide
        options = [("any", ANY)] + [(str(d), d) for d in range(k)]
        style = {"description_width": "initial"}
        self.controls["true"] = widgets.Dropdown(
            options=options, value=ANY, description="true digit", style=style
        )
        self.controls["said"] = widgets.Dropdown(
            options=options, value=ANY, description="taken for", style=style
        )
        self.controls["start"] = widgets.IntSlider(
            value=0,
            min=0,
            max=max(0, len(self.mistakes) - 1),
            step=self.count,
            description="from mistake #",
            style=style,
        )
        self._build_figure(rows, columns, k)
        self._watch()
        self.update()

    def _build_figure(self, rows, columns, k):
        from matplotlib.collections import PolyCollection

        grid = self.figure.add_gridspec(2 * rows, columns, height_ratios=[1.0, 0.42] * rows)
        self._tiles = []
        blank = np.zeros(self.images.shape[2:])
        for n in range(self.count):
            r, c = divmod(n, columns)
            ax = self.figure.add_subplot(grid[2 * r, c])
            image = show_image(ax, blank, title=" \n ", vmin=0, vmax=1, cmap=INK_CMAP)
            ax.title.set_fontsize(10)
            for spine in ax.spines.values():
                spine.set_visible(False)
            bars_ax = self.figure.add_subplot(grid[2 * r + 1, c])
            # ten bars as one artist (one draw call instead of ten)
            bars = PolyCollection(_bar_outlines(np.zeros(k)), facecolors=BAR_COLOR, linewidths=0)
            bars_ax.add_collection(bars, autolim=False)
            (truth,) = bars_ax.plot(
                [], [], "^", color=OUTLINE_COLOR, ms=7, mec="black", mew=0.6, clip_on=False
            )
            bars_ax.set_ylim(0, 1.0)
            bars_ax.set_xlim(-0.6, k - 0.4)
            # the digits under the bars: 10 pt (readable on a projector), one per bar
            bars_ax.set_xticks(range(k), [str(d) for d in range(k)], fontsize=TICK_FONTSIZE)
            bars_ax.set_yticks([])
            bars_ax.tick_params(length=0, pad=7)
            for side in ("top", "right", "left"):
                bars_ax.spines[side].set_visible(False)
            self._tiles.append((ax, image, bars, truth))

    def _compute(self):
        true, said = self.controls["true"].value, self.controls["said"].value
        chosen = self.mistakes
        if true != ANY:
            chosen = chosen[self.labels[chosen] == true]
        if said != ANY:
            chosen = chosen[self.predictions[chosen] == said]
        if true != ANY and true == said:
            raise ValueError(
                f"a {true} taken for a {said} is a right answer, not a mistake; "
                "choose two different digits"
            )
        self._matching = len(chosen)
        start = self.controls["start"].value
        if start >= len(chosen):
            start = 0
        return chosen[start : start + self.count]

    def _draw(self, shown):
        shown = [] if shown is None else shown
        for n, (ax, image, bars, truth) in enumerate(self._tiles):
            visible = n < len(shown)
            for artist in (image, ax.title, bars, truth):
                artist.set_visible(visible)
            if not visible:
                continue
            i = int(shown[n])
            image.set_data(self.images[i, 0])
            p = self.probabilities[i]
            true, said = int(self.labels[i]), int(self.predictions[i])
            ax.title.set_text(
                f"{true} taken for {said}\n{said}: {p[said]:.0%}, {true}: {p[true]:.0%}"
            )
            bars.set_verts(_bar_outlines(p))
            bars.set_facecolor([HIGHLIGHT_COLOR if d == said else BAR_COLOR for d in range(len(p))])
            truth.set_data([true], [-0.02])

    def _dynamic_artists(self):
        artists = []
        for ax, image, bars, truth in self._tiles:
            artists += [image, ax.title, bars, truth]
        return artists

    def _describe_picture(self, shown):
        """Which mistakes are shown and, tile by tile, the answer and both probabilities."""
        true, said = self.controls["true"].value, self.controls["said"].value
        if true == ANY and said == ANY:
            what = f"{len(self.mistakes)} of {len(self.images):,} digits are wrong"
        else:
            t = "any digit" if true == ANY else _a(true)
            s = "something else" if said == ANY else _a(said)
            if self._matching == 0:
                what = f"{t[0].upper()}{t[1:]} was never taken for {s}"
            else:
                times = "once" if self._matching == 1 else f"{self._matching} times"
                what = f"{times[0].upper()}{times[1:]} {t} was taken for {s}"
        if len(shown) == 0:
            return f"{what}: no tile to show."
        start = self.controls["start"].value
        start = 0 if start >= self._matching else start
        which = (
            f"tiles of mistakes {start + 1} to {start + len(shown)}, surest first, each"
            if len(shown) > 1
            else f"one tile, mistake {start + 1}, showing"
        )
        tiles = []
        for i in shown:
            p = self.probabilities[i]
            t, s = int(self.labels[i]), int(self.predictions[i])
            tiles.append(f"{_a(t)} taken for {s} ({s}: {p[s]:.0%}, {t}: {p[t]:.0%})")
        return (
            f"{what}; {which} a digit over the bars of its ten probabilities: "
            + "; ".join(tiles)
            + "."
        )

    def _describe(self, shown):
        true, said = self.controls["true"].value, self.controls["said"].value
        total = len(self.images)
        if true == ANY and said == ANY:
            what = f"{len(self.mistakes)} of {total:,} digits are wrong"
        else:
            t = "any digit" if true == ANY else f"a {true}"
            s = "something else" if said == ANY else f"a {said}"
            what = f"{self._matching} times {t} was taken for {s} (of {total:,} digits)"
        if shown is not None and len(shown) == 0:
            return what + ": nothing to show."
        start = self.controls["start"].value
        start = 0 if start >= self._matching else start
        return (
            f"{what}; showing #{start + 1}-{start + len(shown)}, surest first. "
            "Bars: the ten probabilities (dark: the answer given; orange triangle: the true "
            "digit)."
        )

    def _layout_controls(self):
        c = self.controls
        return widgets.HBox([c["true"], c["said"], c["start"]])
