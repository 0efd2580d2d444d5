"""Activation functions side by side: their slopes, and how many zeros they make.

The activation functions themselves live in :mod:`cnnlib.ops` (``relu``,
``leaky_relu``, ``sigmoid``, ``tanh``). This module adds what notebook 04
needs to *compare* them:

* the slope (derivative) of each one, because a slope near 0 means the
  function has *saturated*: nudging its input barely changes its output, and
  during training (notebook 06) almost no learning signal gets through;
* :func:`sparsity`, the fraction of values that are exactly zero;
* :data:`ACTIVATIONS`, the four functions with their slopes and output ranges
  by display name, for menus in the explorers;
* :func:`best_single_kernel`, which asks whether ONE convolution could have
  made a given map: without an activation, two convolutions in a row can
  always be replaced by one; with a ReLU between them, even the best single
  kernel misses.

The activations and their slopes are element-wise: any shape in, the same
shape out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnlib import _validate as v
from cnnlib.ops import conv2d, leaky_relu, relu, sigmoid, tanh

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "best_single_kernel",
    "leaky_relu_slope",
    "relu_slope",
    "sigmoid_slope",
    "sparsity",
    "tanh_slope",
]


def relu_slope(x):
    """Slope of ReLU: 1 where ``x > 0``, 0 elsewhere (0 at ``x = 0``, as PyTorch).

    Parameters
    ----------
    x : array of any shape

    Returns
    -------
    array, same shape and float dtype as ``x``
    """
    x = v.finite_float_array(x)
    return (x > 0).astype(x.dtype)


def leaky_relu_slope(x, negative_slope=0.01):
    """Slope of leaky ReLU: 1 where ``x > 0``, ``negative_slope`` elsewhere.

    Unlike ReLU's, this slope is never 0, so a little signal always gets through.
    """
    x = v.finite_float_array(x)
    slope = x.dtype.type(v.as_negative_slope(negative_slope))
    return np.where(x > 0, x.dtype.type(1), slope)


def sigmoid_slope(x):
    """Slope of the sigmoid: ``s * (1 - s)`` with ``s = sigmoid(x)``.

    At most 0.25 (at ``x = 0``); below 0.01 once ``|x| > 4.6``: saturated.
    """
    s = sigmoid(x)
    return s * (1 - s)


def tanh_slope(x):
    """Slope of tanh: ``1 - tanh(x)**2``.

    At most 1 (at ``x = 0``); below 0.01 once ``|x| > 3``: saturated.
    """
    t = tanh(x)
    return 1 - t * t


def sparsity(x) -> float:
    """The fraction of values in ``x`` that are exactly 0, from 0.0 to 1.0.

    After a ReLU, every negative value has become 0, so this measures how
    selective a feature map is: 0.8 means only 20% of the positions respond.

    Examples
    --------
    >>> sparsity(relu(np.array([-2.0, -1.0, 0.5, 3.0])))
    0.5
    """
    x = v.finite_float_array(x)
    if x.size == 0:
        raise ValueError("x is empty; sparsity needs at least one value")
    return float(np.count_nonzero(x == 0)) / x.size


@dataclass(frozen=True)
class Activation:
    """An activation function with its slope, for menus and plots.

    ``function(x)`` and ``slope(x)`` are element-wise. ``low`` and ``high``
    bound the outputs (``None`` = unbounded on that side). ``formula`` is for
    titles; in leaky ReLU's, ``a`` is ``negative_slope``.
    """

    name: str
    function: Callable
    slope: Callable
    low: float | None
    high: float | None
    formula: str


ACTIVATIONS = {
    "ReLU": Activation("ReLU", relu, relu_slope, 0.0, None, "max(0, z)"),
    "leaky ReLU": Activation(
        "leaky ReLU", leaky_relu, leaky_relu_slope, None, None, "z if z > 0 else a·z"
    ),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_slope, 0.0, 1.0, "1 / (1 + exp(-z))"),
    "tanh": Activation("tanh", tanh, tanh_slope, -1.0, 1.0, "tanh(z)"),
}
"""The four activations of notebook 04 by display name. ``leaky ReLU``'s
``function`` and ``slope`` accept ``negative_slope`` as a second argument."""


def best_single_kernel(image, target, kernel_size):
    """The kernel whose convolution with ``image`` comes closest to ``target``, and how close.

    Could a single convolution turn ``image`` into ``target``? At every position
    the kernel would have to give the target's value from the k x k patch under
    it: one equation per position (576 for a 28x28 image and a 5x5 kernel), but
    only k * k unknown weights (25). In general no kernel solves them all, so
    this finds the *least-squares* kernel, the one whose squared misses add up
    to the least (``np.linalg.lstsq`` on the matrix of every patch), and
    reports how far its map still is from ``target``.

    Parameters
    ----------
    image : array (H, W)
    target : array (H - k + 1, W - k + 1)
        The map to reproduce; the size a k x k kernel gives without padding.
    kernel_size : int
        k, from 1 to ``min(H, W)``.

    Returns
    -------
    kernel : ndarray (k, k)
        The best kernel.
    miss : float
        ``||conv2d(image, kernel) - target|| / ||target||``: 0 when one
        convolution reproduces ``target`` exactly, 1 when the best it can do
        is as far off as a map of zeros.

    Examples
    --------
    Two 3x3 convolutions in a row are one 5x5 convolution (miss 0.0); with a
    ReLU between them they are not (notebook 04: miss 0.39 on a digit).

    >>> from cnnlib import best_single_kernel, conv2d, kernels
    >>> image = np.arange(64.0).reshape(8, 8) % 7
    >>> two = conv2d(conv2d(image, kernels.sobel_x()), kernels.diagonal())
    >>> kernel, miss = best_single_kernel(image, two, 5)
    >>> round(miss, 6)
    0.0
    """
    image = v.finite_float_array(image, "image")
    v.check_ndim(image, (2,), "image", "(H, W), one grayscale image")
    k = v.as_int(
        kernel_size,
        "kernel_size",
        1,
        min(image.shape),
        why=f"a square kernel must fit inside the {image.shape[0]}x{image.shape[1]} image",
    )
    target = v.finite_float_array(target, "target")
    size = (image.shape[0] - k + 1, image.shape[1] - k + 1)
    if target.shape != size:
        raise ValueError(
            f"target must have shape {size}, the size of a {k}x{k} kernel's map of a "
            f"{image.shape[0]}x{image.shape[1]} image without padding, but has shape "
            f"{target.shape}; pass the map made from this image, or the kernel_size that made it"
        )
    scale = float(np.sqrt(np.sum(target**2)))
    if scale == 0:
        raise ValueError(
            "target is all zeros, so every kernel whose map is 0 reproduces it and the miss "
            "(relative to the size of target) is not defined; pass a map with a nonzero value"
        )
    positions = size[0] * size[1]
    v.check_memory(
        positions * k * k * 8,
        f"best_single_kernel's table of every {k}x{k} patch ({positions} x {k * k} values)",
        "use a smaller image or kernel_size",
    )
    # one row per position: the k*k pixels under the kernel there
    patches = np.lib.stride_tricks.sliding_window_view(image, (k, k)).reshape(positions, k * k)
    weights, *_ = np.linalg.lstsq(patches, target.reshape(-1), rcond=None)
    kernel = weights.reshape(k, k)
    miss = float(np.sqrt(np.sum((conv2d(image, kernel) - target) ** 2)) / scale)
    return kernel, miss
