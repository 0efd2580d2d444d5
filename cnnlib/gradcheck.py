"""Checking backpropagation against finite differences.

A gradient says how much the loss changes when one number changes a little.
That can be measured directly: nudge the number up by ``eps``, then down by
``eps``, and look at the loss both times (centred differences)::

    dL/dx  ~=  (L(x + eps) - L(x - eps)) / (2 * eps)

The error of this estimate shrinks with ``eps**2``, so with float64 and
``eps = 1e-6`` it agrees with a correct analytic gradient to about 8-10
digits. It costs two forward passes per number, far too slow for training,
but perfect for testing that ``backward`` is right.

:func:`check_gradients` does this for a layer or a whole model and compares
with its ``backward``. It works on a float64 copy, so the layer you pass is
not changed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from cnnlib import _validate as v
from cnnlib.losses import softmax_cross_entropy

__all__ = ["numerical_gradient", "relative_error", "check_gradients", "GradientCheck"]


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6, indices=None) -> np.ndarray:
    """Estimate the gradient of the scalar function ``f`` at ``x`` by centred differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``. It is called with the same array ``x``, changed in
        place one element at a time (and restored afterwards).
    x : float64 array, any shape
        Where to take the gradient. Must be a writeable, contiguous float64
        array: an integer array cannot hold ``x + eps`` (it would store ``x``
        again and the estimate would be nonsense), and float32 keeps only
        about 7 digits, too few for a nudge of 1e-6.
    eps : float > 0
        Size of the nudge.
    indices : int array, optional
        Flat indices of the elements to check; the others are left at 0.
        Default: all of them.

    Returns
    -------
    array, shape of ``x``
        ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every element ``i``.

    Examples
    --------
    >>> x = np.array([1.0, 2.0])
    >>> numerical_gradient(lambda z: (z**2).sum(), x)   # the gradient is 2x
    array([2., 4.])
    """
    x, eps, indices = _check_nudge_args(f, x, eps, indices)
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)  # a view: writing to it changes x
    for i in range(x.size) if indices is None else indices:
        old = flat[i]
        flat[i] = old + eps
        up = f(x)
        flat[i] = old - eps
        down = f(x)
        flat[i] = old
        grad.flat[i] = (_loss_value(up, i) - _loss_value(down, i)) / (2 * eps)
    return grad


def _check_nudge_args(f, x, eps, indices):
    """The checks of :func:`numerical_gradient`; returns ``(x, eps, indices)``."""
    if not callable(f):
        raise TypeError(f"f must be a function f(x) -> float (the loss), but is {f!r}")
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"x must be a numpy array, which is nudged in place, but is a "
            f"{type(x).__name__}; pass np.array(x, dtype=float)"
        )
    v.as_array(x, "x")  # real numbers
    if x.dtype != np.float64:
        why = (
            f"an {x.dtype} array cannot hold x + eps: it would store x again, and the "
            "estimate would be nonsense"
            if x.dtype.kind in "uib"
            else f"{x.dtype} keeps too few digits for a nudge of eps={eps!r}"
        )
        raise TypeError(
            f"x must be a float64 array, but has dtype {x.dtype}: {why}; pass a float64 copy, "
            "x = np.array(x, dtype=np.float64), and let f read that copy"
        )
    if not x.flags.c_contiguous or not x.flags.writeable:
        raise ValueError(
            "x must be a writeable contiguous array so that it can be nudged in place; "
            "pass np.array(x, dtype=float) (a fresh copy)"
        )
    v.check_finite(x, "x")
    eps = v.as_number(eps, "eps", low=0, low_open=True, example=1e-6)
    if indices is not None:
        indices = v.as_array(indices, "indices", "iu").reshape(-1)
        if indices.size and (indices.min() < 0 or indices.max() >= x.size):
            raise ValueError(
                f"indices must be flat positions from 0 to {x.size - 1} (x has {x.size} "
                f"elements), but range from {indices.min()} to {indices.max()}"
            )
    return x, eps, indices


def _loss_value(value, i) -> float:
    """``f``'s answer as a float; an error naming the element for anything else."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        shape = f" of shape {np.shape(value)}" if np.ndim(value) else ""
        raise TypeError(
            f"f must return one number (the loss), but returned {type(value).__name__}"
            f"{shape}; sum or average the values inside f, e.g. return float(loss.sum())"
        ) from None
    if not np.isfinite(number):
        raise ValueError(
            f"f returned {number} when element {i} of x was nudged; the gradient of a "
            "NaN or infinite loss means nothing: check f at that point"
        )
    return number


def relative_error(a, b) -> float:
    """``|a - b| / (|a| + |b|)`` with vector norms; 0 when both are 0.

    Scale-free: 1e-7 means the two agree to about 7 digits whatever their size.
    """
    a = v.finite_float_array(a, "a").astype(np.float64, copy=False)
    b = v.finite_float_array(b, "b").astype(np.float64, copy=False)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape to be compared element by element, but have "
            f"shapes {a.shape} and {b.shape}"
        )
    top = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    if top == 0:
        return 0.0
    a, b = a / top, b / top  # the ratio is the same, and squares of 1e200 cannot overflow
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


@dataclass
class GradientCheck:
    """The result of :func:`check_gradients`: one row per checked array.

    Attributes
    ----------
    rows : list of dict
        ``name`` (``"x"`` or a parameter name), ``shape``, ``checked``
        (elements compared), ``relative_error``, ``max_abs_error``, ``passed``.
    tolerance : float
    passed : bool
        True if every row is within the tolerance.
    """

    title: str
    rows: list
    tolerance: float

    @property
    def passed(self) -> bool:
        return all(r["passed"] for r in self.rows)

    def __getitem__(self, name):
        """The row of one array, e.g. ``check["weight"]["relative_error"]``."""
        for r in self.rows:
            if r["name"] == name:
                return r
        raise KeyError(f"{name!r} was not checked; checked: {[r['name'] for r in self.rows]}")

    def __str__(self):
        def shape(r):  # "(8, 1, 3, 3) [20]" when only 20 of the elements were checked
            return str(r["shape"]) + ("" if r["checked"] == r["size"] else f" [{r['checked']}]")

        width = max(len(r["name"]) for r in self.rows)
        shape_width = max(len("shape"), *(len(shape(r)) for r in self.rows))
        header = f"{'':{width}}  {'shape':<{shape_width}}  {'relative error':>14}  result"
        lines = [self.title, header]
        for r in self.rows:
            mark = "ok" if r["passed"] else f"WRONG (> {self.tolerance:g})"
            lines.append(
                f"{r['name']:{width}}  {shape(r):<{shape_width}}  "
                f"{r['relative_error']:>14.2e}  {mark}"
            )
        return "\n".join(lines)

    __repr__ = __str__


def _random_layers(obj):
    layers = getattr(obj, "layers", [obj])
    return [layer for layer in layers if hasattr(layer, "rng")]


def check_gradients(layer, x, y=None, *, eps=1e-6, tolerance=1e-6, seed=0, samples=None):
    """Compare a layer's (or model's) ``backward`` with centred differences.

    Parameters
    ----------
    layer : Layer or Sequential
        Not changed: the check runs on a float64 copy.
    x : array
        An input batch, e.g. shape (2, 3, 6, 6) for a Conv2D with 3 channels.
        Keep it small: every element costs two forward passes.
    y : int array, shape (N,), optional
        Labels. With labels the loss is softmax cross-entropy of the output
        (which must be class scores (N, K)); without, the loss is
        ``sum(output * R)`` for a fixed random array ``R`` (so every output
        element matters, with its own weight).
    eps : float
        Nudge for the finite differences.
    tolerance : float
        Largest relative error that counts as correct.
    seed : int
        Seeds ``R`` and the choice of sampled elements.
    samples : int, optional
        Check only this many randomly chosen elements per array (for big
        models); default: every element.

    Returns
    -------
    GradientCheck
        Prints as a table; ``.passed`` is True if all arrays agree.
    """
    if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
        raise TypeError(
            f"layer must be a layer or a network with forward and backward, but is {layer!r}"
        )
    x = np.array(v.finite_float_array(x, "x"), dtype=np.float64)  # our own contiguous copy
    eps = v.as_number(eps, "eps", low=0, low_open=True, example=1e-6)
    tolerance = v.as_number(tolerance, "tolerance", low=0, example=1e-6)
    seed = v.as_int(seed, "seed", minimum=0)
    if samples is not None:
        samples = v.as_int(samples, "samples", minimum=1)
    probe = copy.deepcopy(layer).astype(np.float64)
    rng = np.random.default_rng(seed)
    # a layer that draws random numbers (Dropout) must draw the same ones in every pass
    states = [(lay, copy.deepcopy(lay.rng.bit_generator.state)) for lay in _random_layers(probe)]

    def forward(inp):
        for lay, state in states:
            lay.rng.bit_generator.state = copy.deepcopy(state)
        return probe.forward(inp)

    out = forward(x)
    if y is None:
        weights = rng.standard_normal(out.shape)

        def loss_of(o):
            return float((o * weights).sum())

        grad_out = weights
    else:
        y = np.asarray(y)

        def loss_of(o):
            return softmax_cross_entropy(o, y)[0]

        grad_out = softmax_cross_entropy(out, y)[1]
    grad_x = probe.backward(grad_out)
    analytic = [("x", x, grad_x)] + [
        (name, p, probe.grads[name].copy()) for name, p in probe.params.items()
    ]
    rows = []
    for name, array, grad in analytic:
        idx = None
        if samples is not None and samples < array.size:
            idx = rng.choice(array.size, size=samples, replace=False)

        def loss(_):
            return loss_of(forward(x))

        numeric = numerical_gradient(loss, array, eps, idx)
        grad = np.asarray(grad, dtype=np.float64)
        if idx is not None:
            grad, numeric = grad.reshape(-1)[idx], numeric.reshape(-1)[idx]
        err = relative_error(grad, numeric)
        rows.append(
            {
                "name": name,
                "shape": tuple(array.shape),
                "size": int(array.size),
                "checked": int(array.size if idx is None else len(idx)),
                "relative_error": err,
                "max_abs_error": float(np.max(np.abs(grad - numeric))) if grad.size else 0.0,
                "passed": bool(err <= tolerance),
            }
        )
    what = f"a Sequential of {len(layer)} layers" if hasattr(layer, "layers") else repr(layer)
    title = f"gradient check of {what} (centred differences, eps={eps:g})"
    return GradientCheck(title, rows, tolerance)
