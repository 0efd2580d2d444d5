"""Gradient descent on small loss landscapes you can draw (numpy only).

Training a network means walking downhill on its loss: at every step, find
the slope (the gradient) and take a small step against it. Real networks have
millions of weights, so their landscape cannot be drawn; the landscapes here
have one or two, which is enough to see the two ways it goes wrong: a
learning rate that is too small crawls, one that is too large overshoots the
valley further with every step and diverges.

* :class:`Landscape`: a loss function with its gradient, a starting point and
  its minima; :data:`LANDSCAPES` holds four of them by display name.
* :func:`gradient_descent`: the path taken from the start, with optional
  momentum, updating exactly like PyTorch's ``torch.optim.SGD``.
* :func:`judge_descent`: did the path converge, crawl, bounce, get stuck in a
  local minimum or diverge? Returns a one-line verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnlib import _validate as v

__all__ = [
    "LANDSCAPES",
    "Landscape",
    "Verdict",
    "gradient_descent",
    "judge_descent",
]


@dataclass(frozen=True)
class Landscape:
    """A loss with one or two weights, small enough to draw.

    Attributes
    ----------
    name : str
        Display name, e.g. ``"2-D: narrow valley"``.
    formula : str
        The loss as text, for titles.
    loss : callable
        ``loss(points)`` for ``points`` of shape ``(..., d)``; returns ``(...)``.
        Works on one point ``(d,)``, a path ``(n, d)`` or a grid ``(h, w, d)``.
    gradient : callable
        ``gradient(point)``: the slope at one point, shape ``(d,)`` -> ``(d,)``.
    start : array, shape (d,)
        Where descent begins.
    minima : array, shape (m, d)
        Every minimum, the lowest (global) one first.
    view : tuple of (low, high) pairs, one per weight
        The region worth drawing.
    """

    name: str
    formula: str
    loss: Callable
    gradient: Callable
    start: np.ndarray
    minima: np.ndarray
    view: tuple

    @property
    def dim(self) -> int:
        """Number of weights: 1 (a curve) or 2 (a surface)."""
        return len(self.start)

    @property
    def lowest_loss(self) -> float:
        """The loss at the global minimum."""
        return float(self.loss(self.minima[0]))

    @property
    def escape(self) -> float:
        """A distance from the origin beyond which a path counts as diverged:
        10 times the size of the view."""
        return 10.0 * max(max(abs(lo), abs(hi)) for lo, hi in self.view)


def _parabola_loss(p):
    return p[..., 0] ** 2


def _two_valleys_loss(p):
    x = p[..., 0]
    return x**4 / 4 - x**2 + x / 2


def _round_bowl_loss(p):
    return (p[..., 0] ** 2 + p[..., 1] ** 2) / 2


def _narrow_valley_loss(p):
    return p[..., 0] ** 2 / 20 + p[..., 1] ** 2


_TWO_VALLEY_MINIMA = np.sort(np.roots([1.0, 0.0, -2.0, 0.5]).real)[[0, 2], None]  # x**3 - 2x + 1/2

LANDSCAPES = {
    "1-D: parabola": Landscape(
        "1-D: parabola",
        "loss = w²",
        _parabola_loss,
        lambda p: 2 * p,
        np.array([4.0]),
        np.array([[0.0]]),
        ((-5.0, 5.0),),
    ),
    "1-D: two valleys": Landscape(
        "1-D: two valleys",
        "loss = w⁴/4 - w² + w/2",
        _two_valleys_loss,
        lambda p: p**3 - 2 * p + 0.5,
        np.array([2.5]),
        _TWO_VALLEY_MINIMA,
        ((-2.6, 2.6),),
    ),
    "2-D: round bowl": Landscape(
        "2-D: round bowl",
        "loss = (w₁² + w₂²) / 2",
        _round_bowl_loss,
        lambda p: p.copy(),
        np.array([-4.0, 2.0]),
        np.array([[0.0, 0.0]]),
        ((-5.0, 5.0), (-2.5, 2.5)),
    ),
    "2-D: narrow valley": Landscape(
        "2-D: narrow valley",
        "loss = w₁²/20 + w₂²",
        _narrow_valley_loss,
        lambda p: np.array([p[0] / 10, 2 * p[1]]),
        np.array([-4.5, 2.0]),
        np.array([[0.0, 0.0]]),
        ((-5.0, 5.0), (-2.5, 2.5)),
    ),
}
"""Four landscapes by display name: two curves (one weight) and two surfaces
(two weights). In the narrow valley one direction is 20 times steeper than
the other, which is where momentum helps."""


def gradient_descent(gradient, start, learning_rate, momentum=0.0, steps=30, escape=1e6):
    """Walk downhill from ``start``: the path of (momentum) gradient descent.

    Each step, as in PyTorch's ``torch.optim.SGD``::

        velocity = momentum * velocity + gradient(point)    # velocity starts at 0
        point    = point - learning_rate * velocity

    With ``momentum=0`` this is plain gradient descent,
    ``point = point - learning_rate * gradient(point)``: on ``loss = w**2``
    (gradient ``2w``) one step from ``w = 1`` with learning rate 0.1 lands on
    ``1 - 0.1 * 2 = 0.8``. Momentum lets the velocity build up over steps
    that point the same way, like a ball rolling downhill.

    Parameters
    ----------
    gradient : callable
        ``gradient(point)`` returns the slope at ``point``, shape ``(d,)``.
    start : array-like, shape (d,)
        The first point.
    learning_rate : float
        Step size, > 0.
    momentum : float
        From 0 (none) up to, but not including, 1.
    steps : int
        Number of steps, from 0 to 100,000 (these landscapes settle within a
        few hundred; more would only take time and memory).
    escape : float
        Stop early once a point is farther than this from the origin in any
        weight (or is not finite): the descent has diverged, and going on
        would only overflow.

    Returns
    -------
    array, shape (n + 1, d)
        The start and the ``n`` points after each step; ``n == steps`` unless
        the path escaped first.

    Examples
    --------
    >>> gradient_descent(lambda w: 2 * w, [1.0], learning_rate=0.1, steps=2)
    array([[1.  ],
           [0.8 ],
           [0.64]])
    """
    if not callable(gradient):
        raise TypeError(
            f"gradient must be a function gradient(point) -> slope, but is {gradient!r}; "
            "e.g. gradient=lambda w: 2 * w for loss = w**2"
        )
    point = v.finite_float_array(start, "start").astype(np.float64).reshape(-1)
    if point.size == 0:
        raise ValueError("start must hold at least one weight, e.g. start=[1.0]")
    learning_rate = v.as_learning_rate(learning_rate, "learning_rate")
    momentum = v.as_momentum(momentum)
    steps = v.as_int(
        steps,
        "steps",
        minimum=0,
        maximum=MAX_STEPS,
        why="these landscapes settle (or blow up) within a few hundred steps",
    )
    escape = v.as_number(escape, "escape", low=0, low_open=True, example=1e6)
    velocity = np.zeros_like(point)
    path = [point]
    for _ in range(steps):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging path: see escape
            velocity = momentum * velocity + _slope(gradient, point)
            point = point - learning_rate * velocity
        path.append(point)
        if not np.all(np.abs(point) <= escape):  # also true for NaN
            break
    return np.array(path)


#: The most steps :func:`gradient_descent` takes.
MAX_STEPS = 100_000


def _slope(gradient, point):
    """``gradient(point)`` as a float array shaped like ``point``, or a clear error."""
    slope = gradient(point)
    try:
        slope = np.asarray(slope, dtype=np.float64)
    except (TypeError, ValueError):
        slope = None
    if slope is None or slope.shape not in (point.shape, ()):
        raise ValueError(
            f"gradient(point) must return one slope per weight, an array of shape "
            f"{point.shape}, but returned {slope if slope is None else slope.shape!r} for "
            f"point {point}; check the gradient function"
        )
    return slope


@dataclass(frozen=True)
class Verdict:
    """What happened on a descent path.

    ``outcome`` is one of ``"converged"``, ``"stuck"`` (in a minimum that is not
    the lowest), ``"crawling"``, ``"bouncing"``, ``"diverged"``; ``steps`` is the
    step at which it converged or diverged (else the number of steps taken);
    ``text`` is a one-line explanation for a learner.
    """

    outcome: str
    steps: int
    text: str


def judge_descent(landscape: Landscape, path, tolerance=0.01) -> Verdict:
    """Say whether ``path`` converged, got stuck, crawled, bounced or diverged.

    Checked in this order:

    * diverged: the path escaped (see :attr:`Landscape.escape`), or its loss
      ended more than 10 times as far above the lowest loss as it started;
    * converged: from some step on, the loss stays within ``tolerance`` of the
      lowest loss of the landscape (``steps`` is that step);
    * stuck: it ends within 0.1 of a minimum that is not the lowest one;
    * otherwise it is still on its way: bouncing if, in the second half of the
      path, a step points back against the one before (it overshoots the
      valley floor and swings back), else crawling.

    Parameters
    ----------
    landscape : Landscape
    path : array, shape (n + 1, d)
        From :func:`gradient_descent`; the last point may be infinite or NaN
        (a descent that diverged).
    tolerance : float
        How close to the lowest loss counts as arrived.
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(
            f"landscape must be a Landscape, e.g. LANDSCAPES['1-D: parabola'], but is {landscape!r}"
        )
    path = v.as_float_array(path, "path").astype(np.float64, copy=False)
    if path.ndim != 2 or path.shape[1] != landscape.dim or len(path) == 0:
        raise ValueError(
            f"path must have shape (n + 1, {landscape.dim}), one point of {landscape.dim} "
            f"weight(s) per step as gradient_descent returns it, but has shape "
            f"{tuple(path.shape)}"
        )
    tolerance = v.as_number(tolerance, "tolerance", low=0, low_open=True, example=0.01)
    n = len(path) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        gap = landscape.loss(path) - landscape.lowest_loss
    if not np.all(np.abs(path[-1]) <= landscape.escape):
        return Verdict(
            "diverged",
            n,
            f"diverged after {_steps(n)}: each step overshoots the valley by more than the "
            "last (the learning rate is too large)",
        )
    if gap[-1] > 10 * gap[0] + tolerance:
        return Verdict(
            "diverged",
            n,
            f"diverging: after {_steps(n)} the loss is {gap[-1] / max(gap[0], tolerance):.0f} "
            "times as far above the lowest as at the start (the learning rate is too large)",
        )
    if n == 0:
        return Verdict("crawling", 0, "at the start: add steps to walk downhill")
    arrived = gap <= tolerance
    if arrived[-1]:
        first = n + 1 - int(np.argmin(arrived[::-1])) if not arrived.all() else 0
        return Verdict(
            "converged",
            first,
            f"converged to within {tolerance:g} of the lowest loss in {_steps(first)}",
        )
    distance = np.abs(landscape.minima - path[-1]).max(axis=1)
    nearest = int(np.argmin(distance))
    if nearest > 0 and distance[nearest] < 0.1:
        where = ", ".join(f"{c:.2f}" for c in landscape.minima[nearest])
        return Verdict(
            "stuck",
            n,
            f"stuck in a higher valley at w = {where} (a local minimum), "
            f"{gap[-1]:.2f} above the lowest loss; more momentum may carry it over the hump",
        )
    if n >= 2 and _turned_back(path[-(n // 2 + 2) :]):
        return Verdict(
            "bouncing",
            n,
            f"still swinging back and forth across the valley after {_steps(n)} "
            f"({gap[-1]:.3g} above the lowest loss): a smaller learning rate or less "
            "momentum would settle it sooner",
        )
    return Verdict(
        "crawling",
        n,
        f"still crawling after {_steps(n)} ({gap[-1]:.3g} above the lowest loss): "
        "a larger learning rate or momentum would get there sooner",
    )


def _turned_back(path) -> bool:
    """True if any step of ``path`` points against the step before it."""
    moves = np.diff(path, axis=0)
    return bool(np.any(np.sum(moves[1:] * moves[:-1], axis=1) < 0))


def _steps(n: int) -> str:
    return "1 step" if n == 1 else f"{n} steps"
