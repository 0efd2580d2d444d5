"""Kernels a learner can choose or type in: presets at any size, and an editable grid.

* :func:`preset_kernel` gives every named kernel of :mod:`cnnlib.kernels` at
  any size from 1x1 to 7x7, plus an edge at any angle: the identity, the
  blurs and the angled edge are built at that size, the kernels that exist
  only as 3x3 (Sobel, sharpen...) are padded with zeros or cut, with a note
  that says so;
* :func:`fit_kernel` centres a kernel in a bigger grid of zeros, or cuts out
  its centre, when the size changes;
* :class:`KernelGrid` is a square grid of number boxes whose ``value`` is the
  kernel, for typing in your own numbers; :func:`check_weights` keeps those
  numbers within +-:data:`MAX_WEIGHT`.

Used by :class:`~cnnlib.explorers.convolution.ConvolutionExplorer`.
"""

from __future__ import annotations

import contextlib

import ipywidgets as widgets
import numpy as np
import traitlets

from cnnlib import _validate as v
from cnnlib import kernels as K
from cnnlib.explorers._a11y import hidden_name

__all__ = [
    "KernelGrid",
    "check_weights",
    "preset_kernel",
    "fit_kernel",
    "PRESET_NAMES",
    "MAX_KERNEL",
    "MAX_WEIGHT",
    "ORIENTED",
    "CUSTOM",
]

MAX_KERNEL = 7
#: The largest weight (in size) a learner may type into the kernel grid. Teaching
#: kernels hold weights of a few units; beyond this, a weight only scales the
#: feature map up, and near 1e308 its products with 0-255 pixels overflow to infinity.
MAX_WEIGHT = 1000.0
ORIENTED = "oriented edge (angle)"
CUSTOM = "custom (edit the grid)"


# ----------------------------------------------------------------------------
# kernels at any size
# ----------------------------------------------------------------------------
_EDGE_SIGMA = {1: 1.0, 2: 0.75, 3: 0.85, 4: 1.0, 5: 1.0, 6: 1.2, 7: 1.4}


def _centred_grid(size):
    """Cell offsets from the kernel's centre; for even sizes the centre lies between cells."""
    return np.arange(size) - (size - 1) / 2.0


def _gaussian(size):
    if size == 3:
        return K.PRESETS["gaussian blur"].copy()
    sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8  # the usual rule of thumb (OpenCV's)
    r = _centred_grid(size)
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2.0 * sigma**2))
    return g / g.sum()


def _oriented(angle, size):
    """Same recipe as :func:`cnnlib.kernels.oriented_edge`, at any size (also even)."""
    if size == 1:
        return np.zeros((1, 1))  # one cell has no direction
    theta = np.deg2rad(float(angle))
    r = _centred_grid(size)
    yy, xx = np.meshgrid(-r, r, indexing="ij")  # y grows upwards
    along = xx * np.cos(theta) + yy * np.sin(theta)
    k = along * np.exp(-(xx**2 + yy**2) / (2.0 * _EDGE_SIGMA[size] ** 2))
    k -= k.mean()
    return k / np.abs(k).sum() * 4.0


def fit_kernel(kernel, size):
    """Put a kernel in the centre of a size x size grid of zeros, or cut out its centre."""
    kernel = v.as_grid(kernel, "kernel")
    if kernel.shape[0] != kernel.shape[1]:
        raise ValueError(f"kernel must be square (k, k), but has shape {kernel.shape}")
    size = v.as_int(size, "size", minimum=1, maximum=MAX_KERNEL)
    out = np.zeros((size, size))
    k = kernel.shape[0]
    if size >= k:
        top = (size - k) // 2
        out[top : top + k, top : top + k] = kernel
    else:
        top = (k - size) // 2
        out[:] = kernel[top : top + size, top : top + size]
    return out


def _fit_note(name, size):
    """How :func:`fit_kernel` placed a 3x3 kernel in a size x size grid, in words."""
    start = f"'{name}' is a 3x3 kernel: "
    if size > 3:
        before, after = (size - 3) // 2, (size - 3) - (size - 3) // 2
        if before == after:
            return start + f"shown in the centre of a {size}x{size} grid of zeros."
        if before == 0:
            return start + (
                f"shown in the top-left corner of a {size}x{size} grid of zeros "
                "(an even grid has no centre cell)."
            )
        return start + (
            f"shown in a {size}x{size} grid of zeros: {before} row/column of zeros above "
            f"and left, {after} below and right."
        )
    if (3 - size) % 2 == 0:
        return start + f"cut to its central {size}x{size} cell."
    return start + f"cut to its top-left {size}x{size} cells."


def preset_kernel(name, size=3, angle=0):
    """A named kernel at ``size`` x ``size`` and a note on how it was made.

    Identity, box blur, Gaussian blur and the oriented edge are built at any
    size from 1 to 7. The kernels defined only as 3x3 (sharpen, Sobel,
    Laplacian, the X/O templates) are placed in the centre of a larger grid of
    zeros, or cut to their centre for a smaller grid (for an even size, half a
    cell up and left of the centre); the note says where.

    Returns
    -------
    kernel : array, shape (size, size), rounded to 3 decimals (what the grid shows)
    note : str, empty when the preset was built at this size
    """
    if not isinstance(name, str) or name not in PRESET_NAMES:
        raise ValueError(f"unknown kernel preset {name!r}; choose one of {list(PRESET_NAMES)}")
    size = v.as_int(size, "size", minimum=1, maximum=MAX_KERNEL)
    angle = v.as_number(angle, "angle", example=45)
    note = ""
    if name == "identity":
        kernel = np.zeros((size, size))
        kernel[(size - 1) // 2, (size - 1) // 2] = 1.0
    elif name == "box blur":
        kernel = K.box_blur(size)
    elif name == "gaussian blur":
        kernel = _gaussian(size)
    elif name == ORIENTED:
        kernel = _oriented(angle, size)
        if size == 1:
            note = "a 1x1 kernel cannot see an edge: choose size 2 or more."
    elif name in K.PRESETS:
        kernel = fit_kernel(K.PRESETS[name], size)
        note = _fit_note(name, size) if size != 3 else ""
    else:
        raise ValueError(f"unknown kernel preset {name!r}; choose one of {list(PRESET_NAMES)}")
    return np.round(kernel, 3) + 0.0, note  # + 0.0 turns -0.0 into 0.0


PRESET_NAMES = (*K.PRESETS, ORIENTED)


def check_weights(kernel) -> None:
    """Raise ``ValueError`` (one line, for the status line) if a weight is beyond
    :data:`MAX_WEIGHT`."""
    kernel = np.asarray(kernel, dtype=np.float64)
    too_big = np.abs(kernel) > MAX_WEIGHT
    if too_big.any():
        i, j = (int(n) for n in np.argwhere(too_big)[0])
        raise ValueError(
            f"the weight {kernel[i, j]:g} in row {i}, column {j} is too large: this explorer "
            f"keeps weights between -{MAX_WEIGHT:g} and {MAX_WEIGHT:g} (larger ones only scale "
            "the feature map, and near 1e308 they make it overflow to infinity); type a "
            "smaller number"
        )


# ----------------------------------------------------------------------------
# an editable grid of numbers
# ----------------------------------------------------------------------------
class KernelGrid(widgets.GridBox):
    """A square grid of number boxes whose ``value`` is the kernel.

    ``value`` is a tuple of rows (so that two kernels compare with ``==``);
    assigning a numpy array works too. Typing into a box updates ``value``;
    assigning ``value`` (any size up to 7x7) updates the boxes. Observe it like
    any widget: ``grid.observe(callback, names="value")``.

    Each box has an accessible name saying which weight it holds ("kernel
    weight, row 0, column 1", counted from 0 as in the course), out of sight.

    Any finite number is accepted, so that the boxes always show ``value``;
    the explorer that uses the grid says in its status line when a weight is
    beyond :data:`MAX_WEIGHT` (:func:`check_weights`).
    """

    value = traitlets.Any()

    def __init__(self, kernel=None, max_size=MAX_KERNEL, **kwargs):
        # each box is named for screen readers; the heading above the grid says it to others
        self._cells = [
            [
                hidden_name(
                    widgets.FloatText(
                        value=0.0,
                        step=0.1,
                        layout=widgets.Layout(width="4.8em", height="29px", margin="1px"),
                    ),
                    f"kernel weight, row {i}, column {j}",
                )
                for j in range(max_size)
            ]
            for i in range(max_size)
        ]
        self.max_size = max_size
        self._syncing = False
        self._deferred = 0
        super().__init__(layout=widgets.Layout(grid_gap="0px", width="max-content"), **kwargs)
        for row in self._cells:
            for cell in row:
                cell.observe(self._cell_changed, names="value")
        self.value = np.zeros((3, 3)) if kernel is None else kernel

    @property
    def size(self):
        return len(self.value)

    def array(self):
        """The kernel as a float64 array of shape (size, size)."""
        return np.array(self.value, dtype=np.float64)

    @traitlets.validate("value")
    def _check(self, proposal):
        arr = np.asarray(proposal["value"], dtype=np.float64)
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or not 1 <= arr.shape[0] <= self.max_size:
            raise traitlets.TraitError(
                f"a kernel grid holds a square kernel of 1x1 to {self.max_size}x{self.max_size}, "
                f"but got shape {arr.shape}"
            )
        if not np.isfinite(arr).all():
            raise traitlets.TraitError("kernel values must be finite numbers")
        return tuple(tuple(float(x) + 0.0 for x in row) for row in arr)

    @traitlets.observe("value")
    def _value_changed(self, change):
        if not self._deferred:
            self._show(change["new"])

    def _show(self, kernel):
        """Write the kernel into the boxes; show k x k of them."""
        k = len(kernel)
        self._syncing = True
        try:
            for i in range(k):
                for j in range(k):
                    self._cells[i][j].value = kernel[i][j]
        finally:
            self._syncing = False
        if len(self.children) != k * k:
            self.children = [self._cells[i][j] for i in range(k) for j in range(k)]
            self.layout.grid_template_columns = f"repeat({k}, max-content)"

    @contextlib.contextmanager
    def deferred(self):
        """Update the boxes only when the ``with`` block ends.

        Every box is a widget of its own, and each changed number is one
        message to the browser. An explorer that redraws its picture inside
        this block sends the picture first, so it appears before the boxes
        catch up.
        """
        self._deferred += 1
        try:
            yield self
        finally:
            self._deferred -= 1
            if not self._deferred:
                self._show(self.value)

    def _cell_changed(self, change):
        if self._syncing:
            return
        k = len(self.value)
        self.value = [[self._cells[i][j].value for j in range(k)] for i in range(k)]
