"""The backward passes of convolution and pooling (used by :mod:`cnnlib.layers`).

This module is about speed. What is computed is written as plain loops, one
product at a time, in :func:`cnnlib.reference.conv2d_backward`,
:func:`~cnnlib.reference.max_pool2d_backward` and
:func:`~cnnlib.reference.avg_pool2d_backward`: read those first. The tests
check the functions here against them.

Forward, a convolution computes every output pixel as a sum of products. The
chain rule sends the gradient of each output pixel back along the same
products:

* to each **weight** ``w[f, c, i, j]``: the sum, over every image and every
  output position, of output gradient times the input pixel that weight
  touched there;
* to each **input pixel**: the sum of output gradient times weight over every
  window that contained the pixel (a "full" correlation with the flipped
  kernel).

Both are computed with matrix products plus a loop over the ``kH * kW``
kernel offsets, never over pixels or images: for a fixed offset ``(i, j)``
the pixels a kernel cell touches form one slice of the padded input, so each
step is one array operation over the whole batch. Stride 1 (by far the most
common) has its own faster path; :func:`conv2d_weight_grad` and
:func:`conv2d_input_grad` handle any stride and dilation.

All functions take and return PyTorch's layout ``(N, C, H, W)``.
"""

from __future__ import annotations

import numpy as np

from cnnlib.geometry import Window

__all__ = [
    "Workspace",
    "conv2d_backward",
    "conv2d_weight_grad",
    "conv2d_input_grad",
    "max_pool2d_backward",
    "avg_pool2d_backward",
]


def _padded_shape(x_shape, win: Window) -> tuple[int, int]:
    (pt, pb), (pl, pr) = win.pads
    return x_shape[-2] + pt + pb, x_shape[-1] + pl + pr


def _crop(xp: np.ndarray, win: Window) -> np.ndarray:
    """Remove the padding rows/columns from the last two axes of ``xp``."""
    (pt, pb), (pl, pr) = win.pads
    return xp[..., pt : xp.shape[-2] - pb, pl : xp.shape[-1] - pr]


class Workspace:
    """Scratch arrays kept from one training step to the next.

    Every step needs the same big temporary arrays (a few MB). Allocating them
    afresh each time makes the operating system hand out and wipe new memory
    pages again and again, which can cost more than the arithmetic. A layer
    keeps one ``Workspace`` and borrows its arrays instead; one array is kept
    per name and shape (the last, smaller batch of an epoch gets its own).
    """

    def __init__(self):
        self._arrays: dict[tuple, np.ndarray] = {}

    def zeros(self, name: str, shape: tuple, dtype) -> tuple[np.ndarray, bool]:
        """A zero-filled array the first time; afterwards the same array, as left.

        Returns ``(array, fresh)``: callers that rely on parts staying zero
        (padding borders) only write the other parts, so nothing needs
        clearing when ``fresh`` is False.
        """
        key = (name, tuple(shape), np.dtype(dtype).str)
        array = self._arrays.get(key)
        if array is None:
            array = self._arrays[key] = np.zeros(shape, dtype=dtype)
            return array, True
        return array, False

    def __deepcopy__(self, memo):  # copies of a layer start with empty scratch space
        return Workspace()


def _scratch(workspace, name, shape, dtype):
    """A zero-filled array from ``workspace`` (or a new one), as left by the last use."""
    if workspace is None:
        return np.zeros(shape, dtype=dtype)
    return workspace.zeros(name, shape, dtype)[0]


def conv2d_backward(x, weight, grad_out, win: Window, input_grad=True, workspace=None):
    """Gradients of a convolution with respect to its weights and its input.

    Parameters
    ----------
    x : array, shape (N, C, H, W)
        The input of the forward pass (before padding).
    weight : array, shape (F, C, kH, kW)
    grad_out : array, shape (N, F, Ho, Wo)
        Gradient of the loss with respect to the convolution's output.
    win : Window
        The geometry of the forward pass (kernel, stride, padding, output size).
    input_grad : bool
        Also compute the input gradient (False returns None for it).
    workspace : Workspace, optional
        Where to keep the temporary arrays between calls (faster).

    Returns
    -------
    grad_weight : array, shape (F, C, kH, kW)
    grad_x : array, shape (N, C, H, W), or None
        New arrays (never part of the workspace).
    """
    if win.stride == (1, 1) and win.dilation == (1, 1):
        return _backward_stride1(x, weight, grad_out, win, input_grad, workspace)
    (pt, pb), (pl, pr) = win.pads
    n, c, h, w = x.shape
    xp = np.zeros((c, n, h + pt + pb, w + pl + pr), dtype=x.dtype)
    xp[:, :, pt : pt + h, pl : pl + w] = x.transpose(1, 0, 2, 3)
    grad_weight = conv2d_weight_grad(xp, grad_out, win)
    grad_x = conv2d_input_grad(grad_out, weight, win, x.shape) if input_grad else None
    return grad_weight, grad_x


def _backward_stride1(x, weight, grad_out, win, input_grad, workspace):
    """Stride 1: both gradients from shifted views of the images, kernel cell by kernel cell.

    Read a padded image row after row as one long line of Hp*Wp numbers (the
    forward pass in :mod:`cnnlib.ops` reads its rows the same way, there
    without the padding columns). Kernel cell
    ``(i, j)`` touches, for output pixel ``q`` of that line, the input pixel
    at ``q + i*Wp + j``: the same line shifted by a constant. So "the pixels
    under kernel cell (i, j) at every output position" is a *view* of the
    padded images, shifted, with nothing copied; and the output gradient is
    laid on the same Wp-wide grid (zeros in the Wp - Wo columns where the
    kernel never sat). Then, for each of the kH*kW cells:

    * weight gradient: ``dW[:, :, i, j] = sum over images of g_n @ shifted_n.T``;
    * input gradient: ``W[:, :, i, j].T @ g_n`` is what every input pixel under
      that cell receives; it is added back at the shift.

    Each is one ``np.matmul`` over the batch: a small matrix product per
    image, which runs on one core without waiting for others and keeps its
    data in the cache.
    """
    n, c, h, w = x.shape
    f, _, kh, kw = weight.shape
    (pt, pb), (pl, pr) = win.pads
    hp, wp = h + pt + pb, w + pl + pr
    ho, wo = win.out
    length = ho * wp  # output positions per image on the Wp-wide grid
    dtype = np.result_type(x.dtype, weight.dtype)

    # output gradient on the Wp-wide grid: (N, F, Ho*Wp); the last Wp - Wo columns stay 0
    g = _scratch(workspace, "grad", (n, f, ho, wp), dtype)
    g[..., :wo] = grad_out
    g = g.reshape(n, f, length)

    # padded images with one spare zero row: the views of the last kernel cells overhang by kW-1
    xp = _scratch(workspace, "padded", (n, c, hp + 1, wp), dtype)
    xp[:, :, pt : pt + h, pl : pl + w] = x  # the border stays 0
    flat = xp.reshape(n, c, (hp + 1) * wp)  # every image as one long line

    grad_weight = np.empty((f, c, kh, kw), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            shift = i * wp + j
            under_cell = flat[:, :, shift : shift + length]  # (N, C, L): a view, nothing copied
            # (N, F, L) @ (N, L, C) -> (N, F, C), summed over the images
            grad_weight[:, :, i, j] = np.matmul(g, under_cell.transpose(0, 2, 1)).sum(axis=0)
    if not input_grad:
        return grad_weight, None

    dxp = _scratch(workspace, "grad_padded", (n, c, (hp + 1) * wp), dtype)
    dxp[:] = 0
    share = _scratch(workspace, "share", (n, c, length), dtype)
    for i in range(kh):
        for j in range(kw):
            # what every input pixel under cell (i, j) receives: (C, F) @ (N, F, L) -> (N, C, L)
            np.matmul(np.ascontiguousarray(weight[:, :, i, j].T), g, out=share)
            shift = i * wp + j
            dxp[:, :, shift : shift + length] += share
    dx = dxp[:, :, : hp * wp].reshape(n, c, hp, wp)[:, :, pt : pt + h, pl : pl + w]
    return grad_weight, np.ascontiguousarray(dx)  # a new array


def conv2d_weight_grad(xp_cn: np.ndarray, grad_out: np.ndarray, win: Window) -> np.ndarray:
    """Gradient of the loss with respect to the convolution weights.

    ``dW[f, c, i, j] = sum over n, y, x of grad_out[n, f, y, x] * xp[n, c, y*s + i*d, x*s + j*d]``
    (``s`` the stride, ``d`` the dilation).

    Parameters
    ----------
    xp_cn : array, shape (C, N, Hp, Wp)
        The *padded* input of the forward pass, channels before batch.
    grad_out : array, shape (N, F, Ho, Wo)
        Gradient of the loss with respect to the convolution's output.
    win : Window
        The geometry of the forward pass (kernel, stride, padding, output size).

    Returns
    -------
    array, shape (F, C, kH, kW)
    """
    c, n = xp_cn.shape[:2]
    f = grad_out.shape[1]
    (kh, kw), (ho, wo) = win.kernel, win.out
    g = grad_out.transpose(1, 0, 2, 3).reshape(f, n * ho * wo)  # (F, N*Ho*Wo), one copy
    # the input pixels under kernel cell (i, j) at every output position, for every (i, j):
    # (C, kH, kW, N*Ho*Wo), filled offset by offset (each a strided slice of the input)
    cols = np.empty((c, kh, kw, n, ho, wo), dtype=xp_cn.dtype)
    for i in range(kh):
        for j in range(kw):
            rows, columns = win.rows_under(i), win.columns_under(j)
            cols[:, i, j] = xp_cn[:, :, rows, columns]
    cols = cols.reshape(c * kh * kw, n * ho * wo)
    return (g @ cols.T).reshape(f, c, kh, kw)  # one matrix product for all weights


def conv2d_input_grad(grad_out: np.ndarray, weight: np.ndarray, win: Window, x_shape):
    """Gradient of the loss with respect to the convolution's input.

    Every input pixel collects ``grad_out * weight`` from each window it was
    part of. Computed as one matrix product (the gradient for every input
    pixel under every kernel cell) followed by adding each kernel cell's share
    back at its offset ("col2im").

    Parameters
    ----------
    grad_out : array, shape (N, F, Ho, Wo)
    weight : array, shape (F, C, kH, kW)
    win : Window
        The geometry of the forward pass.
    x_shape : tuple (N, C, H, W)
        Shape of the forward input (before padding).

    Returns
    -------
    array, shape (N, C, H, W)
    """
    n, c = x_shape[:2]
    f, _, kh, kw = weight.shape
    ho, wo = win.out
    g = grad_out.transpose(1, 0, 2, 3).reshape(f, n * ho * wo)  # (F, N*Ho*Wo)
    # share of every output gradient for every (channel, kernel cell): (C*kH*kW, N*Ho*Wo)
    dcols = (weight.reshape(f, c * kh * kw).T @ g).reshape(c, kh, kw, n, ho, wo)
    dxp = np.zeros((c, n, *_padded_shape(x_shape, win)), dtype=dcols.dtype)
    for i in range(kh):
        for j in range(kw):
            rows, columns = win.rows_under(i), win.columns_under(j)
            dxp[:, :, rows, columns] += dcols[:, i, j]
    return np.ascontiguousarray(_crop(dxp, win).transpose(1, 0, 2, 3))


def max_pool2d_backward(grad_out: np.ndarray, x: np.ndarray, out: np.ndarray, win: Window):
    """Route each output gradient to the input pixel that won its window.

    Max pooling passes only its largest value on, so only that pixel
    influences the output: it receives the whole gradient, every other pixel
    of the window receives 0. On ties the first winner in reading order takes
    it (as in PyTorch). Where windows overlap, a pixel that wins several
    windows collects the sum.

    The winners are found again from ``x`` and ``out``: visiting the kernel
    cells in reading order, a cell wins a window if its pixel equals the
    window's maximum and no earlier cell has won that window yet. Each visit
    is one whole-array comparison.

    Parameters
    ----------
    grad_out : array, shape (N, C, Ho, Wo)
    x : array, shape (N, C, H, W)
        The input of the forward pass.
    out : array, shape (N, C, Ho, Wo)
        The output of the forward pass (the maxima).
    win : Window

    Returns
    -------
    array, shape (N, C, H, W)
    """
    (kh, kw), (sh, sw), (ho, wo) = win.kernel, win.stride, win.out
    (pt, pb), (pl, pr) = win.pads
    xp = x
    if pt or pb or pl or pr:  # padding never wins: -infinity
        xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=-np.inf)
    overlap = sh < kh or sw < kw
    tiled = (sh, sw) == (kh, kw) and xp.shape[2:] == (ho * kh, wo * kw)  # windows cover x exactly
    # when the windows tile the input, every pixel is written below: no need to clear first
    dxp = (np.empty if tiled else np.zeros)(xp.shape, dtype=grad_out.dtype)
    unclaimed = np.ones(out.shape, dtype=bool)  # windows whose winner is not found yet
    for k, (i, j) in enumerate(np.ndindex(kh, kw)):
        rows, cols = win.rows_under(i), win.columns_under(j)
        wins = xp[:, :, rows, cols] == out
        if k:
            wins &= unclaimed
        if overlap:  # a pixel may win several windows: add up
            dxp[:, :, rows, cols] += grad_out * wins
        else:  # every pixel lies in one window at most: write straight into place
            np.multiply(grad_out, wins, out=dxp[:, :, rows, cols])
        if k < kh * kw - 1:
            unclaimed &= ~wins
    return np.ascontiguousarray(_crop(dxp, win))


def avg_pool2d_backward(grad_out: np.ndarray, x_shape, win: Window) -> np.ndarray:
    """Spread each output gradient evenly over the pixels of its window.

    An average of ``kH * kW`` values changes by ``1 / (kH * kW)`` when any one
    of them changes by 1, so each pixel of the window receives that share.
    Padded zeros count in the average (as in PyTorch), so border pixels get the
    same share as inner ones.

    Parameters
    ----------
    grad_out : array, shape (N, C, Ho, Wo)
    x_shape : tuple (N, C, H, W)
    win : Window

    Returns
    -------
    array, shape (N, C, H, W)
    """
    kh, kw = win.kernel
    share = grad_out / grad_out.dtype.type(kh * kw)
    dxp = np.zeros((*x_shape[:2], *_padded_shape(x_shape, win)), dtype=grad_out.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, win.rows_under(i), win.columns_under(j)] += share
    return np.ascontiguousarray(_crop(dxp, win))
