"""A network wired by hand: horizontal or vertical bar, with no training at all.

Every weight of this tiny CNN is +1, -1 or 0, chosen by reasoning instead of
learned, so each number it computes can be followed with pen and paper:

1. two 3x3 filters (one convolution layer, padding 1):

   * the *horizontal-line detector* has +1 on its middle row and -1 on the
     rows above and below: a horizontal bar through the middle row scores
     +3, a vertical bar crossing it scores -1 + 1 - 1 = -1;
   * the *vertical-line detector* is the same filter turned on its side;

2. ReLU keeps the positive evidence and turns the rest into 0;
3. a max pool over the whole map (a "global max") asks one question per
   filter: *did the pattern appear anywhere?* and gives 2 numbers, the
   features;
4. a dense layer with weights ``[[+1, -1], [-1, +1]]`` and bias 0 turns them
   into two class scores: ``horizontal = h - v``, ``vertical = v - h``;
5. softmax turns the scores into probabilities.

The network is built from the same :class:`cnnlib.Sequential` and layers as
the trained MNIST network; only its weights were typed in by hand.

>>> from cnnlib import handwired_cnn, bar_image
>>> model = handwired_cnn()
>>> model.predict(bar_image("horizontal", 2)[None, None])
array([0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnlib import _validate as v
from cnnlib.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from cnnlib.model import Sequential
from cnnlib.ops import softmax

__all__ = [
    "BAR_CLASSES",
    "HORIZONTAL_DETECTOR",
    "VERTICAL_DETECTOR",
    "HandwiredTrace",
    "bar_image",
    "every_bar",
    "handwired_cnn",
    "make_bars",
    "trace_handwired",
]

#: Class names of the hand-wired network, in the order of its two scores.
BAR_CLASSES = ("horizontal", "vertical")

#: +1 on the middle row, -1 above and below: responds to a horizontal line.
HORIZONTAL_DETECTOR = np.array([[-1, -1, -1], [1, 1, 1], [-1, -1, -1]], dtype=np.float32)

#: The horizontal detector turned on its side: responds to a vertical line.
VERTICAL_DETECTOR = HORIZONTAL_DETECTOR.T.copy()

#: Dense weights (out, in): each class adds its own detector and subtracts the other.
DENSE_WEIGHT = np.array([[1, -1], [-1, 1]], dtype=np.float32)

SHAPES = ("horizontal", "vertical", "plus", "diagonal", "blank")


def handwired_cnn(size: int = 8) -> Sequential:
    """The hand-wired bar classifier for ``size x size`` grey images.

    Conv2D 1->2 3x3 (padding 1) with :data:`HORIZONTAL_DETECTOR` and
    :data:`VERTICAL_DETECTOR`, bias 0; ReLU; MaxPool2D over the whole
    ``size x size`` map; Flatten; Dense 2->2 with weights ``[[+1, -1],
    [-1, +1]]``, bias 0. 26 parameters (20 in the filters with their
    biases, 6 in the dense layer), all typed in, none learned.

    Parameters
    ----------
    size : int
        Height and width of the input images (at least 3).

    Returns
    -------
    Sequential
        Input (N, 1, size, size), output (N, 2) class scores in the order of
        :data:`BAR_CLASSES` (horizontal, vertical).
    """
    size = v.as_int(size, "size", minimum=3)
    # seed=0 marks the layers as initialised, so Sequential does not redraw them
    conv = Conv2D(1, 2, 3, padding=1, seed=0)
    dense = Dense(2, 2, seed=0)
    np.copyto(conv.params["weight"], np.stack([HORIZONTAL_DETECTOR, VERTICAL_DETECTOR])[:, None])
    conv.params["bias"][:] = 0
    np.copyto(dense.params["weight"], DENSE_WEIGHT)
    dense.params["bias"][:] = 0
    return Sequential(conv, ReLU(), MaxPool2D(size), Flatten(), dense)


def _check_orientation(orientation):
    if orientation not in SHAPES:
        raise ValueError(f"orientation={orientation!r} is not known; use one of {list(SHAPES)}")


def bar_image(
    orientation: str = "horizontal",
    position: int = 3,
    start: int = 0,
    length: int | None = None,
    size: int = 8,
    noise: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """A ``size x size`` picture of a bright bar on a dark background.

    Parameters
    ----------
    orientation : {"horizontal", "vertical", "plus", "diagonal", "blank"}
        A horizontal or vertical bar (the two classes), or a test picture the
        network was not made for: a plus sign (both bars), a diagonal line, or
        an empty image.
    position : int
        The row of a horizontal bar, the column of a vertical one (0 = top /
        left); for "plus" both; ignored for "diagonal" and "blank".
    start : int
        Where along its line the bar begins (column of a horizontal bar's left
        end, row of a vertical bar's top end).
    length : int, optional
        Length of the bar in pixels (default: from ``start`` to the edge).
    size : int
        Height and width of the image.
    noise : float
        Standard deviation of Gaussian noise added to every pixel (0 = clean);
        the result is clipped to [0, 1] like a real image.
    seed : int
        Seed of the noise.

    Returns
    -------
    ndarray, float32, shape (size, size)
        Values in [0, 1]: 1 on the bar, 0 elsewhere (before noise).
    """
    _check_orientation(orientation)
    size = v.as_int(size, "size", minimum=3)
    position = v.as_int(position, "position", minimum=0)
    start = v.as_int(start, "start", minimum=0)
    if position >= size or start >= size:
        raise ValueError(
            f"position={position}, start={start} do not fit a {size}x{size} image; "
            f"use values from 0 to {size - 1}"
        )
    stop = size if length is None else start + v.as_int(length, "length", minimum=1)
    image = np.zeros((size, size), dtype=np.float32)
    if orientation in ("horizontal", "plus"):
        image[position, start:stop] = 1
    if orientation in ("vertical", "plus"):
        image[start:stop, position] = 1
    if orientation == "diagonal":
        np.fill_diagonal(image, 1)
    return _add_noise(image, noise, np.random.default_rng(v.as_seed(seed)))


def _add_noise(image, noise, rng):
    noise = float(noise)
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and cannot be negative, but is {noise}")
    if noise == 0:
        return image
    noisy = image + rng.normal(0.0, noise, size=image.shape)
    return np.clip(noisy, 0, 1).astype(np.float32)


def every_bar(size: int = 8, length: int | None = None):
    """Every clean horizontal and vertical bar of one length, at every position.

    Parameters
    ----------
    size : int
    length : int, optional
        Bar length (default: full bars, ``size`` pixels). Shorter bars are
        placed at every start along every row and column.

    Returns
    -------
    images : float32 (N, 1, size, size)
    labels : int64 (N,)
        0 = horizontal, 1 = vertical (:data:`BAR_CLASSES`).
    """
    size = v.as_int(size, "size", minimum=3)
    length = size if length is None else v.as_int(length, "length", minimum=1)
    if length > size:
        raise ValueError(f"length={length} does not fit a {size}x{size} image; use <= {size}")
    images, labels = [], []
    for label, orientation in enumerate(BAR_CLASSES):
        for position in range(size):
            for start in range(size - length + 1):
                images.append(bar_image(orientation, position, start, length, size))
                labels.append(label)
    return np.stack(images)[:, None], np.array(labels, dtype=np.int64)


def make_bars(n: int = 40, size: int = 8, min_length: int = 3, noise: float = 0.0, seed: int = 0):
    """``n`` random bars: orientation, row/column, start and length all drawn at random.

    Parameters
    ----------
    n : int
        Number of images; the two orientations alternate (half of each).
    size : int
    min_length : int
        Shortest bar (the longest spans the image).
    noise : float
        Standard deviation of the Gaussian noise (see :func:`bar_image`).
    seed : int
        Seed of everything random here.

    Returns
    -------
    images : float32 (n, 1, size, size)
    labels : int64 (n,)
        0 = horizontal, 1 = vertical.
    """
    n = v.as_int(n, "n", minimum=1)
    size = v.as_int(size, "size", minimum=3)
    min_length = v.as_int(min_length, "min_length", minimum=1)
    if min_length > size:
        raise ValueError(f"min_length={min_length} does not fit a {size}x{size} image")
    rng = np.random.default_rng(v.as_seed(seed))
    labels = np.arange(n, dtype=np.int64) % 2
    images = np.empty((n, 1, size, size), dtype=np.float32)
    for i, label in enumerate(labels):
        length = int(rng.integers(min_length, size + 1))
        position = int(rng.integers(0, size))
        start = int(rng.integers(0, size - length + 1))
        clean = bar_image(BAR_CLASSES[label], position, start, length, size)
        images[i, 0] = _add_noise(clean, noise, rng)
    return images, labels


@dataclass
class HandwiredTrace:
    """Every number the hand-wired network computes for one image.

    Attributes
    ----------
    image : (H, W)
        The input.
    filters : (2, 3, 3)
        The two detectors (horizontal, vertical).
    conv : (2, H, W)
        Each filter's feature map, before ReLU.
    relu : (2, H, W)
        The same after ReLU.
    features : (2,)
        The global max of each map: ``h`` and ``v``.
    winners : list of (row, col)
        Where each map has its maximum (the first such cell).
    weight : (2, 2), bias : (2,)
        The dense layer.
    terms : (2, 2)
        ``terms[k, j] = weight[k, j] * features[j]``: score ``k`` is
        ``terms[k].sum() + bias[k]``.
    scores : (2,)
    probabilities : (2,)
        ``softmax(scores)``.
    prediction : int
        Index into :data:`BAR_CLASSES`.
    """

    image: np.ndarray
    filters: np.ndarray
    conv: np.ndarray
    relu: np.ndarray
    features: np.ndarray
    winners: list
    weight: np.ndarray
    bias: np.ndarray
    terms: np.ndarray
    scores: np.ndarray
    probabilities: np.ndarray
    prediction: int

    def explain(self) -> str:
        """The dense layer's arithmetic in words, one line per class."""
        h, v_ = (float(f) for f in self.features)
        lines = [
            f"features: horizontal detector max h = {h:.2f}, vertical detector max v = {v_:.2f}"
        ]
        for k, name in enumerate(BAR_CLASSES):
            parts = " + ".join(
                f"({self.weight[k, j]:+.0f})·{self.features[j]:.2f}" for j in range(2)
            )
            lines.append(
                f"score {name:<10} = {parts} + {self.bias[k]:.0f} = {self.scores[k]:+.2f}"
                f"  ->  probability {self.probabilities[k]:.3f}"
            )
        lines.append(f"prediction: {BAR_CLASSES[self.prediction]}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()


def trace_handwired(image, model: Sequential | None = None) -> HandwiredTrace:
    """Run one image through the hand-wired network layer by layer and keep everything.

    Parameters
    ----------
    image : array (H, W)
        A grey image such as :func:`bar_image` makes.
    model : Sequential, optional
        A network built by :func:`handwired_cnn` (default: a new one of the
        image's size). Its own layers do the work, so the trace shows exactly
        what ``model.forward`` computes.

    Returns
    -------
    HandwiredTrace
    """
    image = v.as_float_array(image, "image")
    if image.ndim != 2 or image.shape[0] != image.shape[1]:
        raise ValueError(
            f"image must be a square grey picture (H, W), but has shape {tuple(image.shape)}"
        )
    if model is None:
        model = handwired_cnn(image.shape[0])
    conv_layer, relu_layer, pool_layer, flatten_layer, dense_layer = model.layers
    x = image[None, None].astype(np.float32)
    conv = conv_layer.forward(x)
    relu = relu_layer.forward(conv)
    features = flatten_layer.forward(pool_layer.forward(relu))
    scores = dense_layer.forward(features)[0]
    features = features[0]
    weight = dense_layer.params["weight"]
    bias = dense_layer.params["bias"]
    winners = [tuple(int(i) for i in np.unravel_index(m.argmax(), m.shape)) for m in relu[0]]
    return HandwiredTrace(
        image=image,
        filters=conv_layer.params["weight"][:, 0].copy(),
        conv=conv[0],
        relu=relu[0],
        features=features,
        winners=winners,
        weight=weight.copy(),
        bias=bias.copy(),
        terms=weight * features[None, :],
        scores=scores,
        probabilities=softmax(scores),
        prediction=int(np.argmax(scores)),
    )
