"""Named kernels: small grids of weights with a meaning.

Each function returns a float64 array of shape (k, k), ready for
``conv2d(image, kernel)``. ``PRESETS`` maps display names to 3x3 versions for
menus in the explorers.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v

__all__ = [
    "identity",
    "box_blur",
    "gaussian_blur",
    "sharpen",
    "sobel_x",
    "sobel_y",
    "laplacian",
    "oriented_edge",
    "diagonal",
    "antidiagonal",
    "cross",
    "PRESETS",
]


def _size(size, name="size", odd=True, minimum=1):
    """Check a kernel's size: an int >= ``minimum`` (odd if ``odd``) that fits in memory."""
    size = v.as_int(size, name, minimum=minimum)
    if odd and size % 2 == 0:
        raise ValueError(
            f"{name} must be odd so the kernel has a centre, but is {size}; "
            f"use {size - 1} or {size + 1}"
        )
    v.check_memory(
        4 * 8 * size * size,  # the kernel and the coordinate grids it is computed from
        f"a {size}x{size} kernel",
        f"kernels are small grids of weights: {name}=3, 5 or 7 are the usual sizes",
    )
    return size


def _sigma(sigma):
    return v.as_number(sigma, "sigma", low=0, low_open=True, example=1.0)


def _bell(r, sigma):
    """exp(-(y**2 + x**2) / (2 sigma**2)) on the grid of offsets ``r`` from the centre,
    computed as (r / sigma)**2 so that no huge or tiny sigma overflows."""
    with np.errstate(over="ignore", under="ignore"):
        z = (np.asarray(r, dtype=np.float64) / sigma) ** 2
        return np.exp(-(z[:, None] + z[None, :]) / 2.0)


def identity(size=3):
    """A 1 in the centre, 0 elsewhere: the output equals the input."""
    size = _size(size)
    k = np.zeros((size, size))
    k[size // 2, size // 2] = 1.0
    return k


def box_blur(size=3):
    """Every weight ``1 / size**2``: each output is the mean of its neighbourhood."""
    size = _size(size, odd=False)
    return np.full((size, size), 1.0 / size**2)


def gaussian_blur(size=5, sigma=1.0):
    """A bell-shaped blur: near pixels count more than far ones; weights sum to 1."""
    size = _size(size)
    g = _bell(np.arange(size) - size // 2, _sigma(sigma))
    return g / g.sum()  # the centre is always 1, so the sum is never 0


def sharpen():
    """Centre minus its four neighbours, plus the centre: edges get stronger."""
    return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])


def sobel_x():
    """Responds to left-to-right brightness changes (vertical edges); positive when
    the image gets brighter to the right."""
    return np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def sobel_y():
    """Responds to top-to-bottom brightness changes (horizontal edges); positive when
    the image gets brighter downwards."""
    return sobel_x().T.copy()


def laplacian():
    """Centre against its four neighbours: zero on flat areas and smooth ramps,
    large on spots and thin lines in any direction."""
    return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def oriented_edge(angle_degrees, size=5, sigma=1.0):
    """An edge detector for one orientation, like a neuron in the visual cortex.

    The kernel is the slope of a Gaussian blob along the direction
    ``angle_degrees`` (0 = brightness increasing to the right, 90 = increasing
    upwards). It responds most to edges perpendicular to that direction and not
    at all to flat areas (its weights sum to 0). ``size`` is odd and at least
    3: one cell has no direction.
    """
    angle = v.as_number(angle_degrees, "angle_degrees", example=45)
    size = _size(size, minimum=3)
    sigma = _sigma(sigma)
    theta = np.deg2rad(angle)
    r = np.arange(size) - size // 2
    yy, xx = np.meshgrid(-r, r, indexing="ij")  # y grows upwards
    along = xx * np.cos(theta) + yy * np.sin(theta)
    k = along * _bell(r, sigma)
    k -= k.mean()
    total = np.abs(k).sum()
    if not total > 1e-300:  # every weight but the centre's vanished: no direction is left
        raise ValueError(
            f"sigma={sigma:g} is so small that the bell is 0 on every cell but the centre, "
            "and one cell has no direction; use sigma>=0.2 (1.0 is usual)"
        )
    return k / total * 4.0


# --- the +1/-1 templates of the X-versus-O example ------------------------------
def diagonal():
    """3x3 template of a stroke from top-left to bottom-right (+1 on it, -1 off it)."""
    return 2.0 * np.eye(3) - 1.0


def antidiagonal():
    """3x3 template of a stroke from top-right to bottom-left."""
    return np.fliplr(diagonal()).copy()


def cross():
    """3x3 template of two crossing diagonals, the centre of an X."""
    k = -np.ones((3, 3))
    k[[0, 0, 1, 2, 2], [0, 2, 1, 0, 2]] = 1.0
    return k


PRESETS = {
    "identity": identity(),
    "box blur": box_blur(),
    "gaussian blur": gaussian_blur(3, 0.85),
    "sharpen": sharpen(),
    "sobel x (vertical edges)": sobel_x(),
    "sobel y (horizontal edges)": sobel_y(),
    "laplacian": laplacian(),
    "diagonal \\": diagonal(),
    "diagonal /": antidiagonal(),
    "cross x": cross(),
}
"""3x3 kernels by display name, for menus in the explorers."""
