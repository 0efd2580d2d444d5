"""Explorers for notebook 05: how a CNN turns features into a decision.

:class:`ClassifierExplorer` works with any :class:`cnnlib.Sequential` that
ends in a :class:`cnnlib.Dense` layer (the trained MNIST network, the
hand-wired bar network): pick an input and see the feature vector the dense
layer receives, what each feature adds to the winning class's score, the class
scores, and the probabilities softmax makes of them, with a temperature
slider on the softmax.

:class:`HandwiredExplorer` follows the hand-wired bar network
(:mod:`cnnlib.handwired`) neuron by neuron: the input, both line detectors,
their feature maps, the two pooled features, the dense layer's weighted sums
written out, and the probabilities.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from cnnlib.explorers._blit import BlitExplorer
from cnnlib.handwired import BAR_CLASSES, bar_image, handwired_cnn, make_bars, trace_handwired
from cnnlib.layers import Dense, Flatten
from cnnlib.ops import softmax
from cnnlib.plotting import (
    GAP_COLOR,
    IMAGE_CMAP,
    INK_CMAP,
    OUTLINE_COLOR,
    SIGNED_CMAP,
    LabelGrid,
    LabelledBars,
    cell_borders,
    contrast_colors,
    short_number,
    show_image,
    show_kernel,
    show_signed,
)
from cnnlib.plotting.describe import range_text, rows_text
from cnnlib.training import prepare_images

__all__ = ["ClassifierExplorer", "HandwiredExplorer", "classifier_parts"]

#: Names of the hand-wired network's two features.
BAR_FEATURES = ("h: horizontal\ndetector", "v: vertical\ndetector")

_SMALL_VECTOR = 32  # feature vectors up to this length are drawn as labelled bars


def _prepare_images(images):
    """Images as the network takes them (:func:`cnnlib.prepare_images`), at least one."""
    images = prepare_images(images)
    if len(images) == 0:
        raise ValueError("images is empty; give at least one image to choose from")
    return images


def classifier_parts(model, x):
    """Run ``x`` through ``model`` and keep what its last (dense) layer sees and makes.

    Parameters
    ----------
    model : Sequential
        A network whose last layer is a :class:`cnnlib.Dense` layer.
    x : array (N, C, H, W)

    Returns
    -------
    maps : array
        The input of the last Flatten layer, e.g. (N, 16, 7, 7): the final
        feature maps (None if the network has no Flatten).
    features : array (N, F)
        The feature vector: the input of the dense layer.
    scores : array (N, K)
        The class scores: ``features @ weight.T + bias``.

    The network runs in evaluation mode (as :meth:`Sequential.predict` does).
    """
    layers = list(model.layers)
    if not layers or not isinstance(layers[-1], Dense):
        last = type(layers[-1]).__name__ if layers else "nothing"
        raise ValueError(
            f"the network's last layer is {last}; a classifier explorer needs a network "
            "that ends in a Dense layer making the class scores"
        )
    was_training = model.training
    model.eval()
    maps = None
    try:
        h = np.asarray(x, dtype=np.float32)
        for layer in layers[:-1]:
            if isinstance(layer, Flatten):
                maps = h
            h = layer.forward(h)
        scores = layers[-1].forward(h)
    finally:
        model.train(was_training)
    return maps, h, scores


def _default_setup():
    """The trained MNIST network on the bundled test digits, or the hand-wired bars."""
    try:
        from cnnlib import load_mnist, load_pretrained

        model = load_pretrained()
        images, labels = load_mnist("test")
    except (ImportError, OSError, ValueError):  # no trained weights yet: the hand-wired net
        return _handwired_setup()
    return {
        "model": model,
        "images": images,
        "labels": labels,
        "class_names": [str(d) for d in range(10)],
        "image_cmap": INK_CMAP,
    }


def _handwired_setup(n=40, noise=0.3, seed=0):
    images, labels = make_bars(n, noise=noise, seed=seed)
    return {
        "model": handwired_cnn(images.shape[-1]),
        "images": images,
        "labels": labels,
        "class_names": list(BAR_CLASSES),
        "feature_names": list(BAR_FEATURES),
        "image_cmap": IMAGE_CMAP,
    }


def _feature_text(value, whole) -> str:
    """``3.0 -> "3"`` when the numbers of a clean input are whole, else ``"2.93"``
    (with "-", and no "-0" for tiny negative values)."""
    value = round(float(value), 0 if whole else 2) + 0.0
    return f"{value:.0f}" if whole else f"{value:.2f}"


def _one_decimal(value) -> str:
    """``0.43 -> "0.4"``, with no "-0.0" for tiny negative values."""
    return f"{round(float(value), 1) + 0.0:.1f}".replace("-", "\u2212")


class ClassifierExplorer(BlitExplorer):
    """Features -> scores -> probabilities for one input at a time.

    Parameters
    ----------
    model : Sequential, optional
        A network ending in a Dense layer. Default: the course's trained MNIST
        network (:func:`cnnlib.load_pretrained`) with the 1,000 bundled test
        digits; if no trained weights are available, the hand-wired bar
        network with 40 noisy bars.
    images : array (N, H, W) or (N, C, H, W)
        The inputs to choose from, as the network takes them; integer pixels
        (0-255) are divided by 255 first (:func:`cnnlib.prepare_images`).
        Required when ``model`` is given. All of them go through the network
        once, when the explorer is built.
    labels : int array (N,), optional
        The true classes, shown as an orange outline.
    class_names : list of str, optional
        One per score (default "0", "1", ...).
    feature_names : list of str, optional
        Names of the features, for short feature vectors drawn as bars.
    index : int
        The input shown first.
    temperature : float
        Softmax temperature T, between 0.1 and 10.
    image_cmap : str
        Colour map of the input ("gray_r" shows MNIST ink dark on white).

    Attributes
    ----------
    output : ndarray (K,)
        The probabilities shown: ``softmax(scores / T)``.
    features : ndarray (F,)
        The feature vector (what the dense layer receives).
    scores : ndarray (K,)
        The class scores.
    contributions : ndarray (F,)
        ``weight[p] * features``: what each feature adds to the score of the
        predicted class ``p`` (they sum to ``scores[p] - bias[p]``).
    prediction : int
        The class with the largest score (and the largest probability).
    accuracy : float or None
        Fraction of the images the network gets right (None without labels).
    """

    title = "Classifier explorer: feature vector -> class scores -> probabilities"

    benchmark_values = {"temperature": [0.1, 0.3, 1.0, 3.0, 10.0]}

    def __init__(
        self,
        model=None,
        images=None,
        labels=None,
        class_names=None,
        feature_names=None,
        index=0,
        temperature=1.0,
        image_cmap=None,
    ):
        if model is None:
            if images is not None:
                raise ValueError("images were given without a model; pass the model too")
            setup = _default_setup()
            model, images, labels = setup["model"], setup["images"], setup["labels"]
            class_names = class_names or setup["class_names"]
            feature_names = feature_names or setup.get("feature_names")
            image_cmap = image_cmap or setup["image_cmap"]
        elif images is None:
            raise ValueError(
                "a model was given without images; pass the inputs to choose from, e.g. "
                "ClassifierExplorer(model, images, labels)"
            )
        super().__init__(figsize=(9.2, 6.4), dpi=90)  # 828 px: fits a notebook column
        self.model = model
        self.images = _prepare_images(images)
        self.labels = None if labels is None else np.asarray(labels, dtype=np.int64)
        if self.labels is not None and self.labels.shape != (len(self.images),):
            raise ValueError(
                f"{self.labels.size} labels for {len(self.images)} images; give one label per image"
            )
        self._map_shape, self._features, self._scores = self._run_all()
        n_features, n_classes = self._features.shape[1], self._scores.shape[1]
        self._set_names(class_names, feature_names)
        self.image_cmap = image_cmap or IMAGE_CMAP
        dense = self.model.layers[-1].params
        self._weight = dense["weight"].astype(float)
        self._bias = dense["bias"].astype(float) if "bias" in dense else np.zeros(n_classes)
        predictions = self._scores.argmax(axis=1)
        self.accuracy = None if self.labels is None else float(np.mean(predictions == self.labels))
        contributions = self._weight[predictions] * self._features
        self.features = self._features[0]
        self.scores = self._scores[0]
        self.contributions = contributions[0]
        self.prediction = int(predictions[0])
        self._add_controls(index, temperature)
        self._fix_scales(contributions)
        self._build_figure(n_features)
        self._watch()
        self.update()

    def _set_names(self, class_names, feature_names):
        """The names of the classes and features (given, or "0", "1"... and "feature 0"...)."""
        n_features, n_classes = self._features.shape[1], self._scores.shape[1]
        self.class_names = (
            [str(k) for k in range(n_classes)] if class_names is None else list(class_names)
        )
        if len(self.class_names) != n_classes:
            raise ValueError(
                f"{len(self.class_names)} class names for a network with {n_classes} scores"
            )
        if feature_names is None:
            feature_names = [f"feature {j}" for j in range(n_features)]
        self.feature_names = list(feature_names)

    def _add_controls(self, index, temperature):
        """The input's slider and the softmax temperature's, at these values."""
        style = {"description_width": "initial"}
        self.controls["index"] = widgets.IntSlider(
            value=int(index), min=0, max=len(self.images) - 1, description="input #", style=style
        )
        self.controls["temperature"] = widgets.FloatLogSlider(
            value=float(temperature),
            base=10,
            min=-1,
            max=1,
            step=0.05,
            description="softmax temperature T",
            readout_format=".2f",
            style=style,
        )

    def _fix_scales(self, contributions):
        """Axis ranges and colour scales that fit every input (``contributions``: of each)."""
        # fixed scales for every input, so that inputs can be compared by eye
        # (and the axes never change, which keeps updates fast)
        self._limits = {
            "features": _range_with_zero(self._features),
            "contributions": _range_with_zero(contributions),
            "scores": _range_with_zero(self._scores),
        }
        # colour scales of the long vectors, the same for every input: a few extreme
        # values would make all the others look white, so each scale ends at the 99th
        # percentile (larger values take its end colour: the colour bar's pointed end)
        self._colour_scales = {
            "features": _colour_scale(self._features),
            "contributions": _colour_scale(contributions),
        }

    # -- computation ------------------------------------------------------------------------
    def _run_all(self, batch_size=250):
        """Feature vectors and scores of every image (one pass, in batches)."""
        maps_shape, features, scores = None, [], []
        for start in range(0, len(self.images), batch_size):
            maps, f, s = classifier_parts(self.model, self.images[start : start + batch_size])
            maps_shape = None if maps is None else maps.shape[1:]
            features.append(f.astype(float))
            scores.append(s.astype(float))
        return maps_shape, np.concatenate(features), np.concatenate(scores)

    def _compute(self):
        index = self.controls["index"].value
        temperature = float(self.controls["temperature"].value)
        if not temperature > 0:
            raise ValueError(f"temperature T = {temperature:g} cannot divide the scores; use T > 0")
        features, scores = self._features[index], self._scores[index]
        if not np.all(np.isfinite(scores)):
            raise ValueError(
                "the network's scores are not finite numbers (NaN or infinity): its weights "
                "are broken; reload or retrain it"
            )
        self.features, self.scores = features, scores
        self.prediction = int(np.argmax(scores))
        self.contributions = self._weight[self.prediction] * features
        return softmax(scores / temperature)

    # -- figure -----------------------------------------------------------------------------
    def _build_figure(self, n_features):
        """Input, feature vector and weight × feature on top; scores and probabilities below."""
        fig = self.figure
        grid = fig.add_gridspec(2, 1, height_ratios=[1.3, 1])
        # the two long vectors get the most room: one tile per map, each cell visible
        top = grid[0].subgridspec(1, 3, width_ratios=[0.75, 1.12, 1.12])
        bottom = grid[1].subgridspec(1, 2)
        self._ax_input = fig.add_subplot(top[0])
        self._ax_features = fig.add_subplot(top[1])
        self._ax_contrib = fig.add_subplot(top[2])
        self._ax_scores = fig.add_subplot(bottom[0])
        self._ax_probs = fig.add_subplot(bottom[1])
        self._small = n_features <= _SMALL_VECTOR  # short vectors are drawn as bars
        if not self._small:
            self._layout = VectorLayout(n_features, self._map_shape)
        self._dynamic = []  # what changes on an update, in drawing order
        self._build_input_panel()
        self._build_features_panel()
        self._build_contributions_panel()
        self._build_scores_panel()
        self._build_probabilities_panel()

    def _build_input_panel(self):
        """The input the network is given, with its number (and true class) above."""
        first = self.images[0]
        shown = first[0] if first.shape[0] != 3 else first.transpose(1, 2, 0)
        self._im_input = show_image(self._ax_input, shown, "input", vmin=0, vmax=1)
        self._im_input.set_cmap(self.image_cmap)
        # the frame goes over the image
        self._dynamic += [self._im_input, *self._ax_input.spines.values(), self._ax_input.title]

    def _build_features_panel(self):
        """The feature vector the dense layer receives."""
        self._feature_bars, self._im_features = self._add_vector(self._ax_features, "features")

    def _build_contributions_panel(self):
        """weight × feature for the predicted class, drawn as the feature vector is."""
        ax = self._ax_contrib
        self._contrib_bars, self._im_contributions = self._add_vector(ax, "contributions")
        if self._small:
            ax.set_yticks([])  # the feature names are next door

    def _add_vector(self, ax, name):
        """Draw the vector ``name`` on ``ax``: labelled bars when it is short, else a picture
        of its numbers (one tile per map) with a colour bar; returns (bars, None) or
        (None, image)."""
        bars = im = None
        if self._small:
            bars = LabelledBars(ax, self.feature_names, True)
            ax.set_xlim(*_padded(self._limits[name]))
            self._dynamic += bars.artists
        else:
            cmap, vmin, vmax, extend = self._colour_scales[name]
            im = ax.imshow(
                self._layout.picture(np.zeros(self._layout.n)),
                cmap=cmap,
                vmin=vmin,
                vmax=vmax,
                interpolation="nearest",
                aspect="equal" if self._layout.tiled else "auto",
            )
            self.figure.colorbar(im, ax=ax, shrink=0.8, extend=extend)
            # the gaps are see-through and the axes behind them gap-gray, so the tile
            # numbers on the tabs stay in the background, drawn once (32 texts drawn
            # on every update cost about 10 ms)
            ax.set_facecolor(GAP_COLOR)
            self._layout.label(ax)
            self._dynamic.append(im)
        self._dynamic.append(ax.title)
        return bars, im

    def _build_scores_panel(self):
        """One bar per class score, on a scale fixed for every input."""
        ax = self._ax_scores
        self._score_bars = LabelledBars(ax, self.class_names)
        ax.set_ylim(*_padded(self._limits["scores"]))
        ax.set_ylabel("score")
        ax.set_title("class scores: the dense layer's outputs")
        if len(self.class_names) > 4:
            ax.set_xlabel("class")
        self._dynamic += self._score_bars.artists

    def _build_probabilities_panel(self):
        """One bar per class probability, or a note when there is none."""
        ax = self._ax_probs
        self._prob_bars = LabelledBars(ax, self.class_names)
        ax.set_ylim(0, 1.18)
        ax.set_ylabel("probability")
        ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
        if len(self.class_names) > 4:
            ax.set_xlabel("class")
        self._not_possible = ax.text(
            0.5,
            0.5,
            "",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=13,
            color="#b35806",
        )
        self._dynamic += [*self._prob_bars.artists, ax.title, self._not_possible]

    def _dynamic_artists(self):
        return self._dynamic

    def _draw(self, probs):
        """Redraw the panels: input, feature vector, weight × feature, scores, probabilities."""
        index = self.controls["index"].value
        true = None if self.labels is None else int(self.labels[index])
        self._draw_input_panel(index, true)
        self._draw_features_panel()
        self._draw_contributions_panel()
        self._draw_scores_panel(true)
        self._draw_probabilities_panel(probs, true)

    def _draw_input_panel(self, index, true):
        """Input ``index``, its number and its true class ``true`` (None: unknown) above."""
        image = self.images[index]
        self._im_input.set_data(image[0] if image.shape[0] != 3 else image.transpose(1, 2, 0))
        truth = "" if true is None else f"\ntrue class: {self.class_names[true]}"
        self._ax_input.set_title(f"input #{index}{truth}")

    def _draw_features_panel(self):
        """The feature vector, its length (and share of zeros when drawn as a picture)."""
        n = len(self.features)
        if self._small:
            self._feature_bars.set(self.features, fmt=short_number)
            self._ax_features.set_title(f"feature vector: {n} numbers")
        else:
            zeros = float(np.mean(self.features == 0))
            self._im_features.set_data(self._layout.picture(self.features))
            self._ax_features.set_title(f"feature vector: {n} numbers\n{zeros:.0%} of them are 0")

    def _draw_contributions_panel(self):
        """weight × feature for the predicted class, named in the title."""
        if self._small:
            self._contrib_bars.set(self.contributions, fmt=short_number)
        else:
            self._im_contributions.set_data(self._layout.picture(self.contributions))
        name = self.class_names[self.prediction]
        self._ax_contrib.set_title(f"weight × feature\nfor class {name}")

    def _draw_scores_panel(self, true):
        """The scores: the predicted class dark, the true class ``true`` outlined."""
        self._score_bars.set(self.scores, fmt=_score_text, highlight=self.prediction, outline=true)

    def _draw_probabilities_panel(self, probs, true):
        """The probabilities ``probs`` and the temperature, or a note when they are None."""
        if probs is None:
            self._not_possible.set_text("not possible:\nsee the line below")
            self._prob_bars.set(np.zeros(len(self.scores)), fmt=lambda v: "")
            self._ax_probs.set_title("softmax(scores / T)")
            return
        self._not_possible.set_text("")
        fmt = "{:.0%}" if len(probs) > 4 else "{:.3f}"
        self._prob_bars.set(probs, fmt=fmt, highlight=self.prediction, outline=true)
        temperature = self.controls["temperature"].value
        self._ax_probs.set_title(f"softmax(scores / T) with T = {temperature:.2f}")

    def _describe(self, probs):
        index = self.controls["index"].value
        p = self.prediction
        name = self.class_names[p]
        text = f"prediction: <b>{name}</b> with probability {probs[p]:.1%}"
        if self.labels is not None:
            true = int(self.labels[index])
            verdict = "right" if true == p else f"wrong, it is a {self.class_names[true]}"
            text += f" ({verdict})"
        order = np.argsort(self.scores)[::-1]
        if len(order) > 1:
            runner = order[1]
            text += f" &nbsp;·&nbsp; runner-up: {self.class_names[runner]} ({probs[runner]:.1%})"
        text += (
            f"<br>score of {name} = the {len(self.features)} products weight × feature, "
            f"added up ({self.contributions.sum():.2f}), + bias ({self._bias[p]:.2f}) = "
            f"{self.scores[p]:.2f} &nbsp;·&nbsp; dark bar: the prediction, orange outline: "
            "the true class"
        )
        return text

    def _describe_picture(self, probs):
        """Input, feature vector, weight x feature, scores and probabilities, in numbers."""
        index = self.controls["index"].value
        names = self.class_names
        p = self.prediction
        true = None if self.labels is None else int(self.labels[index])
        head = f"Input #{index}" + ("" if true is None else f", true class {names[true]}")
        if true is not None:
            head += ", predicted right" if true == p else f", predicted {names[p]}: wrong"
        order = np.argsort(self.scores, kind="stable")[::-1]
        scores = ", ".join(
            f"class {names[k]}: {_minus(_score_text(self.scores[k]))}" for k in order[:5]
        )
        chances = ", ".join(f"class {names[k]}: {_chance(probs[k])}" for k in order[:3])
        if len(order) > 5:
            scores += f"; the other {len(order) - 5} lower"
        if len(order) > 3:
            chances += f"; the other {len(order) - 3} {_chance(probs[order[3:]].sum())} together"
        temperature = float(self.controls["temperature"].value)
        contributions = f"Weight × feature for class {names[p]}"
        total, bias = _two_decimals(self.contributions.sum()), _two_decimals(self._bias[p])
        return (
            f"{head}. {self._vector_words(self.features, 'Feature vector', True)} "
            f"{self._vector_words(self.contributions, contributions, False)} They add up to "
            f"{total}, plus bias {bias}: score {_two_decimals(self.scores[p])}. Class scores, "
            f"highest first: {scores}. Probabilities, softmax(scores / T) with "
            f"T = {temperature:.2f}: {chances}."
        )

    def _vector_words(self, vector, what, layout) -> str:
        """A vector as its picture shows it: every value (bars), or its layout, range, extremes.

        ``layout``: say how a long vector is laid out (the second vector is drawn the same way).
        """
        n = len(vector)
        if self._small:  # drawn as labelled bars: every value
            values = ", ".join(
                f"{' '.join(name.split())} = {short_number(round(v, 2))}"
                for name, v in zip(self.feature_names, vector)
            )
            return f"{what}, {n} numbers: {values}."
        shape = self._map_shape
        tiled = shape is not None and len(shape) == 3 and int(np.prod(shape)) == n
        if not layout:
            layout = "in the same layout"
        elif tiled:
            layout = (
                f"{n} numbers from {shape[0]} maps of {shape[1]}x{shape[2]}, drawn as "
                f"{shape[0]} numbered tiles"
            )
        else:
            layout = f"{n} numbers, row by row"
        zeros = float(np.mean(vector == 0))
        text = f"{what}: {layout}; {range_text(np.round(vector, 2))}, {zeros:.0%} exactly 0"
        high, low = int(np.argmax(vector)), int(np.argmin(vector))
        extremes = [("largest", high)] if vector[high] > 0 else []
        if vector[low] < 0:
            extremes.append(("most negative", low))
        for word, j in extremes:
            where = f"number {j}"
            if tiled:
                h, w = shape[1:]
                where = f"map {j // (h * w)}, row {j % (h * w) // w}, column {j % w}"
            text += f"; {word} {short_number(round(vector[j], 2))} at {where}"
        return text + "."


def _range_with_zero(values):
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    lo = min(0.0, float(finite.min())) if finite.size else 0.0
    hi = max(0.0, float(finite.max())) if finite.size else 1.0
    return lo, hi if hi > lo else lo + 1.0


def _two_decimals(value) -> str:
    """``"13.24"``, with no "-0.00" for tiny negative values."""
    return _minus(f"{round(float(value), 2) + 0.0:.2f}")


def _minus(text: str) -> str:
    """``text`` with real minus signs, as the pictures print numbers."""
    return text.replace("-", "\u2212")


def _chance(probability) -> str:
    """A probability in percent, one decimal; never a bare 0.0% or 100.0%."""
    if probability >= 0.9995:
        return "over 99.9%"
    if probability < 0.0005:
        return "under 0.1%"
    return f"{probability:.1%}"


def _score_text(value) -> str:
    """A score as a short label: one decimal below 10, none above (labels must not collide)."""
    return f"{value:.1f}" if abs(value) < 9.95 else f"{value:.0f}"


def _typical_size(values):
    """The 99th percentile of the non-zero sizes |value| (1.0 if there are none)."""
    sizes = np.abs(np.asarray(values, dtype=float))
    sizes = sizes[np.isfinite(sizes) & (sizes > 0)]
    return float(np.percentile(sizes, 99)) if sizes.size else 1.0


SEE_THROUGH = (0.0, 0.0, 0.0, 0.0)  # the gaps of a mosaic: the axes' gap-gray shows


@functools.cache
def _positive_cmap():
    """The red half of the signed colour map: white = 0, red = large (no blue: no value is
    negative); the gaps of a mosaic are see-through."""
    red_half = mpl.colormaps[SIGNED_CMAP](np.linspace(0.5, 1.0, 128))
    return ListedColormap(red_half, name=f"{SIGNED_CMAP}_positive").with_extremes(bad=SEE_THROUGH)


def _colour_scale(values):
    """``(cmap, vmin, vmax, extend)`` for a long vector, fitted to every input's values.

    Values that are never negative (features after ReLU) get white to red from 0;
    values of both signs (weight x feature) red and blue, centred on 0. The scale ends at
    the 99th percentile of the non-zero sizes; ``extend`` says which ends of the colour
    bar are pointed because some values lie beyond them.
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    limit = _typical_size(finite)
    above = bool(finite.size) and float(finite.max()) > limit
    if not finite.size or float(finite.min()) >= 0:
        return _positive_cmap(), 0.0, limit, "max" if above else "neither"
    below = float(finite.min()) < -limit
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max"}
    signed = mpl.colormaps[SIGNED_CMAP].with_extremes(bad=SEE_THROUGH)
    return signed, -limit, limit, extend.get((below, above), "both")


class VectorLayout:
    """Where each number of a long feature vector sits in the picture that shows it.

    When the vector is a stack of maps flattened (``map_shape`` (C, H, W), e.g. 16 maps
    of 7x7 = 784 numbers), map ``k`` is shown as a tile of H x W cells with its number
    ``k`` on a tab above it, tiles side by side in rows: numbers ``k*H*W`` to
    ``(k+1)*H*W - 1`` of the vector, row by row, are tile ``k`` (flattening only
    reshapes). Otherwise the vector is wrapped into rows about four times as long as
    there are rows.

    Parameters
    ----------
    n : int
        Length of the vector.
    map_shape : tuple (C, H, W), optional
        The shape of the maps it was flattened from.

    Attributes
    ----------
    shape : (rows, columns)
        Size of the picture, in cells.
    index : int array (n,)
        ``picture.flat[index[j]]`` shows number ``j`` of the vector.
    tiled : bool
        Whether the picture shows maps as tiles.
    """

    TAB = 2  # rows above each tile, for its map number

    def __init__(self, n, map_shape=None):
        self.n = int(n)
        self.map_shape = None
        if map_shape is not None and len(map_shape) == 3 and int(np.prod(map_shape)) == self.n:
            self.map_shape = tuple(int(d) for d in map_shape)
        self.tiled = self.map_shape is not None
        j = np.arange(self.n)
        if self.tiled:
            c, h, w = self.map_shape
            self.ncols = int(np.ceil(np.sqrt(c)))
            self.nrows = -(-c // self.ncols)
            k, row, col = j // (h * w), j % (h * w) // w, j % w
            tile_row, tile_col = k // self.ncols, k % self.ncols
            rows = tile_row * (self.TAB + h) + self.TAB + row
            cols = tile_col * (w + 1) + col
            self.shape = (self.nrows * (self.TAB + h), self.ncols * (w + 1) - 1)
        else:
            width = int(np.ceil(np.sqrt(self.n * 4)))
            rows, cols = j // width, j % width
            self.shape = (-(-self.n // width), width)
        self.index = np.ravel_multi_index((rows, cols), self.shape)
        self._blank = np.full(self.shape, np.nan)

    def picture(self, vector) -> np.ndarray:
        """The vector laid out as the picture (NaN where no number is: the gaps)."""
        picture = self._blank.copy()
        picture.flat[self.index] = vector
        return picture

    def label(self, ax):
        """Number the tiles on their tabs and say how the vector fills them.

        Returns the tile numbers (``Text`` artists; the picture must leave its gaps
        see-through for them to show when it is drawn over them).
        """
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if not self.tiled:
            ax.set_xlabel(f"{self.n} numbers, row by row")
            return []
        c, h, w = self.map_shape
        numbers = []
        for k in range(c):
            tile_row, tile_col = divmod(k, self.ncols)
            x = tile_col * (w + 1) + (w - 1) / 2
            y = tile_row * (self.TAB + h) + (self.TAB - 1) / 2
            numbers.append(ax.text(x, y, str(k), ha="center", va="center", fontsize=7))
        size = h * w
        ax.set_xlabel(f"{c} maps of {h}x{w}: map k holds\nnumbers {size}k to {size}k+{size - 1}")
        return numbers


def _padded(limits, room=0.22):
    """Axis limits with room beyond the longest bar for its printed value."""
    lo, hi = limits
    span = hi - lo
    return lo - (room * span if lo < 0 else 0.0), hi + (room * span if hi > 0 else 0.0)


class HandwiredExplorer(BlitExplorer):
    """The hand-wired bar network, followed neuron by neuron.

    Parameters
    ----------
    shape : {"horizontal", "vertical", "plus", "diagonal", "blank"}
        What to draw (see :func:`cnnlib.bar_image`).
    position : int
        Row of a horizontal bar, column of a vertical one.
    length : int
        Length of the bar (centred along its line).
    noise : float
        Standard deviation of the noise added to every pixel.
    noise_seed : int
        Which noise pattern.
    size : int
        Side of the image (8).

    Attributes
    ----------
    output : ndarray (2,)
        The probabilities (horizontal, vertical).
    trace : HandwiredTrace
        Every number the network computed (see :func:`cnnlib.trace_handwired`).
    image : ndarray (size, size)
        The input.
    """

    title = "The hand-wired network, neuron by neuron: horizontal or vertical?"

    SHAPES = {
        "horizontal bar": "horizontal",
        "vertical bar": "vertical",
        "plus sign": "plus",
        "diagonal": "diagonal",
        "blank": "blank",
    }

    def __init__(self, shape="horizontal", position=2, length=5, noise=0.0, noise_seed=0, size=8):
        super().__init__(figsize=(9.2, 6.0), dpi=90)  # 828 px: fits a notebook column
        if shape not in self.SHAPES.values():
            raise ValueError(
                f"shape={shape!r} is not known; use one of {list(self.SHAPES.values())}"
            )
        self.size = int(size)
        self.model = handwired_cnn(self.size)
        self.image = np.zeros((self.size, self.size))
        self.trace = None
        style = {"description_width": "initial"}
        self.controls["shape"] = widgets.Dropdown(
            options=list(self.SHAPES.items()), value=shape, description="input", style=style
        )
        self.controls["position"] = widgets.IntSlider(
            value=position, min=0, max=self.size - 1, description="row / column", style=style
        )
        self.controls["length"] = widgets.IntSlider(
            value=length, min=1, max=self.size, description="bar length", style=style
        )
        self.controls["noise"] = widgets.FloatSlider(
            value=noise, min=0.0, max=0.8, step=0.05, description="noise", style=style
        )
        self.controls["noise_seed"] = widgets.IntSlider(
            value=noise_seed, min=0, max=9, description="noise pattern", style=style
        )
        self._build_figure()
        # the layout first: the numbers printed on the cells are sized from the cells'
        # final size on the picture
        self._lay_out()
        self._watch()
        self.update()

    def _compute(self):
        c = self.controls
        shape, position, length = c["shape"].value, c["position"].value, c["length"].value
        start = (self.size - length) // 2
        self.image = bar_image(
            shape, position, start, length, self.size, c["noise"].value, c["noise_seed"].value
        )
        self.trace = trace_handwired(self.image, self.model)
        return self.trace.probabilities.astype(float)

    # -- figure -----------------------------------------------------------------------------
    def _build_figure(self):
        """The input; each detector beside its feature map; the dense sums over the softmax."""
        fig = self.figure
        grid = fig.add_gridspec(2, 4, width_ratios=[1.35, 0.7, 1.3, 1.5])  # kernels legible
        self._dynamic = []  # what changes on an update, in drawing order (the rest is drawn once)
        self._build_input_panel(grid[:, 0])
        self._ax_maps, self._im_maps, self._labels_maps, self._boxes = [], [], [], []
        for k, name in enumerate(("horizontal", "vertical")):
            self._build_detector_panels(k, name, grid[k, 1], grid[k, 2])
        self._build_sums_panel(grid[0, 3])
        self._build_probabilities_panel(grid[1, 3])
        fig.supxlabel(
            "maps: red = the pattern is there, blue = the opposite (ReLU turns it into 0); "
            "h, v = the largest value after ReLU (orange box)",
            fontsize=10,
        )

    def _build_input_panel(self, cell):
        """The input image, its pixel values printed in the cells."""
        n = self.size
        self._ax_in = self.figure.add_subplot(cell)
        self._im_in = show_image(self._ax_in, np.zeros((n, n)), "input", vmin=0, vmax=1)
        borders = cell_borders(self._ax_in, (n, n))
        self._labels_in = LabelGrid(self._ax_in, height=0.36, max_points=12)
        self._dynamic += [self._im_in, borders, self._labels_in.collection, self._ax_in.title]

    def _build_detector_panels(self, k, name, kernel_cell, map_cell):
        """Detector ``k`` (its fixed 3x3 weights) and, beside it, the feature map it gives."""
        n = self.size
        ax_f = self.figure.add_subplot(kernel_cell)
        kernel = self.model.params["0.weight"][k, 0]
        im_f, weights = show_kernel(ax_f, kernel, title=f"{name}\ndetector")
        # only -1 and 1 in 3 big cells: larger digits than the default, legible from afar
        weights.height, weights.max_points = 0.42, 18
        low, high = im_f.get_clim()
        colors = contrast_colors(kernel, low, high, SIGNED_CMAP)
        weights.set(kernel, fmt=short_number, colors=colors)
        ax_m = self.figure.add_subplot(map_cell)
        # the title names the feature this map gives: its largest value after ReLU
        blank = np.zeros((n, n))
        im, _ = show_signed(ax_m, blank, f"its feature map\n{name[0]} = 0", 3, colorbar=False)
        borders = cell_borders(ax_m, (n, n))
        labels = LabelGrid(ax_m, height=0.3, max_points=12)
        box = Rectangle((0, 0), 1, 1, fill=False, ec=OUTLINE_COLOR, lw=3.5, zorder=5)
        ax_m.add_patch(box)
        self._dynamic += [im, borders, labels.collection, box, ax_m.title]
        self._ax_maps.append(ax_m)
        self._im_maps.append(im)
        self._labels_maps.append(labels)
        self._boxes.append(box)

    def _build_sums_panel(self, cell):
        """The dense layer as a table: one row per class, its products, bias and score."""
        ax = self._ax_sums = self.figure.add_subplot(cell)
        self._im_sums = ax.imshow(np.zeros((2, 4)), cmap=SIGNED_CMAP, vmin=-3, vmax=3)
        ax.set_xticks(range(4), ["w·h", "w·v", "bias", "score"])
        ax.xaxis.tick_top()
        ax.set_yticks(range(2), list(BAR_CLASSES))
        ax.tick_params(length=0)
        ax.set_title("dense: scores as sums")
        sum_borders = cell_borders(ax, (2, 4), color="0.4", linewidth=1.0)
        self._labels_sums = LabelGrid(ax, height=0.24, max_points=13)
        self._dynamic += [self._im_sums, sum_borders, self._labels_sums.collection]

    def _build_probabilities_panel(self, cell):
        """The softmax's two probabilities as bars."""
        self._ax_probs = self.figure.add_subplot(cell)
        self._prob_bars = LabelledBars(
            self._ax_probs, list(BAR_CLASSES), horizontal=True, fontsize=12
        )
        self._ax_probs.set_xlim(0, 1.3)
        self._ax_probs.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
        self._ax_probs.set_title("softmax: probabilities")
        self._dynamic += self._prob_bars.artists

    def _draw(self, probs):
        """Redraw the input, both feature maps, the dense sums and the probabilities."""
        noisy = self.controls["noise"].value > 0
        # the noise pattern matters only with noise: without it the slider is greyed out
        # (and left out of the Tab order) instead of changing nothing
        self.controls["noise_seed"].disabled = not noisy
        fmt = _one_decimal if noisy else short_number
        self._draw_input_panel(fmt, noisy)
        for k in range(2):
            self._draw_feature_map_panel(k, fmt, noisy)
        self._draw_sums_panel(noisy)
        self._draw_probabilities_panel(probs)

    def _draw_input_panel(self, fmt, noisy):
        """The input and its pixel values (printed with ``fmt``), what it shows above."""
        self._im_in.set_data(self.image)
        self._labels_in.set(
            self.image, fmt=fmt, colors=contrast_colors(self.image, 0, 1, IMAGE_CMAP)
        )
        shape = self.controls["shape"].value
        self._ax_in.set_title(f"input: {shape}" + (" + noise" if noisy else ""))

    def _draw_feature_map_panel(self, k, fmt, noisy):
        """Feature map ``k``, its largest value after ReLU boxed and named in the title."""
        t = self.trace
        fmap = t.conv[k]
        self._im_maps[k].set_data(fmap)
        self._labels_maps[k].set(fmap, fmt=fmt, colors=contrast_colors(fmap, -3, 3, SIGNED_CMAP))
        r, c = t.winners[k]
        self._boxes[k].set_bounds(c - 0.5, r - 0.5, 1, 1)
        self._boxes[k].set_visible(bool(t.features[k] > 0))
        feature = _feature_text(t.features[k], whole=not noisy)
        self._ax_maps[k].set_title(f"its feature map\n{'hv'[k]} = {feature}")

    def _draw_sums_panel(self, noisy):
        """The dense layer's table: each weight times its feature, the bias and the score."""
        table, texts = self._sums(self.trace, whole=not noisy)
        self._im_sums.set_data(table)
        self._labels_sums.set(texts, fmt="{}", colors=contrast_colors(table, -3, 3, SIGNED_CMAP))

    def _draw_probabilities_panel(self, probs):
        """The two probabilities, the predicted class dark (none on a tie)."""
        t = self.trace
        tie = t.scores[0] == t.scores[1]  # no prediction to mark dark
        self._prob_bars.set(probs, fmt="{:.3f}", highlight=None if tie else t.prediction)

    def _dynamic_artists(self):
        return self._dynamic

    @staticmethod
    def _sums(t, whole=False):
        """The dense layer's arithmetic as a (2, 4) table of values and of printed texts.

        Row k (a class): weight·h, weight·v, bias, score; the texts show each
        weight with the feature it multiplies, e.g. "(+1)·3" for a clean input
        (``whole``: every feature a whole number) and "(+1)·2.93" for a noisy one.
        """
        table = np.column_stack([t.terms, t.bias, t.scores]).astype(float)
        texts = np.empty((2, 4), dtype=object)
        for k in range(2):
            for j in range(2):
                texts[k, j] = f"({t.weight[k, j]:+.0f})·{_feature_text(t.features[j], whole)}"
            texts[k, 2] = f"{t.bias[k]:+.0f}"
            score = _feature_text(t.scores[k], whole)
            texts[k, 3] = score if score.startswith("-") else f"+{score}"
        return table, np.vectorize(lambda text: text.replace("-", "\u2212"))(texts)

    def _describe(self, probs):
        t = self.trace
        h, v = (float(f) for f in t.features)
        sums = " &nbsp;·&nbsp; ".join(
            f"score({name}) = ({t.weight[k, 0]:+.0f})·{h:.2f} + ({t.weight[k, 1]:+.0f})·{v:.2f}"
            f" + {t.bias[k]:.0f} = {t.scores[k]:+.2f}"
            for k, name in enumerate(BAR_CLASSES)
        )
        head = f"h = {h:.2f}, v = {v:.2f} &nbsp;·&nbsp; {sums}".replace("-", "\u2212")
        if t.scores[0] == t.scores[1]:
            verdict = (
                "The two scores are equal: the network has no evidence either way and says "
                "50/50 (a plus sign, a dot or an empty picture were never its job)."
            )
        else:
            name = BAR_CLASSES[t.prediction]
            verdict = f"The network says <b>{name}</b> with probability {probs[t.prediction]:.1%}."
        return f"{head}<br>{verdict}"

    def _describe_picture(self, probs):
        """Input, both detectors and their maps, the dense sums and the probabilities."""
        t, c, n = self.trace, self.controls, self.size
        shape, position, length = c["shape"].value, c["position"].value, c["length"].value
        start = (n - length) // 2
        along = f"{start} to {start + length - 1}"
        drawn = {
            "horizontal": f"a horizontal bar on row {position}, columns {along}",
            "vertical": f"a vertical bar in column {position}, rows {along}",
            "plus": f"a plus sign: row {position}, columns {along}, and column {position}, "
            f"rows {along}",
            "diagonal": "a diagonal line from the top left to the bottom right",
            "blank": "nothing",
        }[shape]
        noise = c["noise"].value
        pixels = (
            f", with noise (standard deviation {noise:.2f}, pattern {c['noise_seed'].value}): "
            f"{range_text(np.round(self.image, 2))}"
            if noise > 0
            else ": 1 on the line, 0 elsewhere"
            if shape != "blank"
            else ": every pixel 0"
        )
        whole = noise == 0
        maps = []
        for k, name in enumerate(("horizontal", "vertical")):
            r, col = t.winners[k]
            feature = _minus(_feature_text(t.features[k], whole))
            largest = (
                f"the largest value, {feature}, is at row {r}, column {col} (orange box)"
                if t.features[k] > 0
                else "nothing is above 0"
            )
            maps.append(
                f"The {name} detector, by row {rows_text(t.filters[k])}, gives a feature map "
                f"{n}x{n} with {range_text(np.round(t.conv[k], 2))}; after ReLU "
                f"{largest}: {'hv'[k]} = {feature}."
            )
        _, texts = self._sums(t, whole)  # the dense layer's table, as printed
        sums = "; ".join(
            f"score {name} = {texts[k, 0]} + {texts[k, 1]}, bias {texts[k, 2]}: {texts[k, 3]}"
            for k, name in enumerate(BAR_CLASSES)
        )
        if t.scores[0] == t.scores[1]:
            verdict = "a tie: no evidence either way"
        else:
            verdict = f"the network says {BAR_CLASSES[t.prediction]}"
        chances = ", ".join(f"{name} {probs[k]:.1%}" for k, name in enumerate(BAR_CLASSES))
        return (
            f"Input {n}x{n}: {drawn}{pixels}. {' '.join(maps)} Dense layer: {sums}. "
            f"Softmax: {chances}; {verdict}."
        )
