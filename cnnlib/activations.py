"""Activation functions side by side: their slopes, and how many zeros they make.

The activation functions themselves live in :mod:`cnnlib.ops` (``relu``,
``leaky_relu``, ``sigmoid``, ``tanh``). This module adds what notebook 04
needs to *compare* them:

* the slope (derivative) of each one, because a slope near 0 means the
  function has *saturated*: nudging its input barely changes its output, and
  during training (notebook 06) almost no learning signal gets through;
* :func:`sparsity`, the fraction of values that are exactly zero;
* :data:`ACTIVATIONS`, the four functions with their slopes and output ranges
  by display name, for menus in the explorers.

Every function is element-wise: any shape in, the same shape out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnlib import _validate as v
from cnnlib.ops import leaky_relu, relu, sigmoid, tanh

__all__ = [
    "ACTIVATIONS",
    "Activation",
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
