"""The activation functions and their slopes, drawn side by side (notebook 04)."""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v
from cnnlib.plotting.describe import describe
from cnnlib.plotting.style import short_number

__all__ = ["ACTIVATION_STYLES", "plot_activation_curves"]


# Okabe-Ito colours and distinct line styles: the four activations stay apart in
# colour, in gray print and for colour-blind readers
ACTIVATION_STYLES = {
    "ReLU": {"color": "#0072B2", "ls": "-", "lw": 3.0},
    "leaky ReLU": {"color": "#56B4E9", "ls": "--", "lw": 2.5},
    "sigmoid": {"color": "#E69F00", "ls": "-", "lw": 2.5},
    "tanh": {"color": "#D55E00", "ls": "-.", "lw": 2.5},
}


def plot_activation_curves(ax_values, ax_slopes, negative_slope=0.1, limit=6.0, flat_beyond=4.0):
    """ReLU, leaky ReLU, sigmoid and tanh (left) and their slopes (right).

    The region ``|z| > flat_beyond`` is shaded on the slopes: there sigmoid
    and tanh are almost flat (saturated), while ReLU's slope is still 1 for
    every positive ``z``.

    Parameters
    ----------
    ax_values, ax_slopes : matplotlib Axes
        Where to draw the functions and their slopes.
    negative_slope : float
        Leaky ReLU's slope for negative inputs (0.1 shows better than 0.01).
    limit : float
        The z axis runs from ``-limit`` to ``limit``.
    flat_beyond : float
        Where the shaded, saturated region starts (between 0 and ``limit``).

    Returns
    -------
    dict of str to (Line2D, Line2D)
        The value line and slope line of each activation.
    """
    from cnnlib.activations import ACTIVATIONS

    negative_slope = v.as_negative_slope(negative_slope)
    limit = v.as_number(limit, "limit", low=0, low_open=True, high=1e6, example=6.0)
    flat_beyond = v.as_number(
        flat_beyond, "flat_beyond", low=0, high=limit, low_open=True, high_open=True, example=4.0
    )
    z = np.linspace(-limit, limit, 601)
    lines = {}
    for name, act in ACTIVATIONS.items():
        extra = (negative_slope,) if name == "leaky ReLU" else ()
        label = f"leaky ReLU (a = {negative_slope:g})" if extra else name
        style = ACTIVATION_STYLES[name]
        (value,) = ax_values.plot(z, act.function(z, *extra), label=label, **style)
        (slope,) = ax_slopes.plot(z, act.slope(z, *extra), label=label, **style)
        lines[name] = (value, slope)
    for ax in (ax_values, ax_slopes):
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(-limit, limit)
        ax.set_xlabel("input z")
        ax.grid(True, alpha=0.3)
    for side in (-1, 1):
        ax_slopes.axvspan(side * flat_beyond, side * limit, color="0.85", zorder=0, lw=0)
    ax_slopes.text(
        limit * 0.98, 0.5, "sigmoid and tanh\nflat here", ha="right", va="center", fontsize=10
    )
    ax_values.set_ylim(-1.5, 3.0)
    ax_slopes.set_ylim(-0.05, 1.15)
    ax_values.set_ylabel("output f(z)")
    ax_slopes.set_ylabel("slope of f at z")
    ax_values.set_title("The activation functions")
    ax_slopes.set_title("Their slopes (near 0 = saturated)")
    ax_values.legend(loc="upper left", fontsize=10)
    a = short_number(negative_slope)
    sig_edge = 1 / (1 + np.exp(-flat_beyond))
    describe(
        ax_values,
        f"The activation functions for z from {short_number(-limit)} to {short_number(limit)}: "
        f"ReLU is 0 for negative z and z itself for positive z; leaky ReLU is {a}·z for "
        "negative z; sigmoid rises from 0 to 1 through 0.5 at z = 0; tanh rises from −1 to 1 "
        "through 0",
    )
    describe(
        ax_slopes,
        f"Their slopes: ReLU's is 0 for negative z and 1 for positive z, leaky ReLU's {a} then "
        f"1; sigmoid's peaks at 0.25 and tanh's at 1, both at z = 0; beyond |z| = "
        f"{short_number(flat_beyond)} (shaded) sigmoid's slope is at most "
        f"{sig_edge * (1 - sig_edge):.2g} and tanh's at most "
        f"{1 - np.tanh(flat_beyond) ** 2:.2g}: saturated",
    )
    return lines
