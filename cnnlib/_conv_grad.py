"""The backward passes of convolution and pooling (used by :mod:`cnnlib.layers`).

Forward, a convolution computes every output pixel as a sum of products. The
chain rule sends the gradient of each output pixel back along the same
products:

* to each **weight** ``w[f, c, i, j]``: the sum, over every image and every
  output position, of output gradient times the input pixel that weight
  touched there;
* to each **input pixel**: the sum of output gradient times weight over every
  window that contained the pixel (a "full" correlation with the flipped
  kernel).

Both are written as loops over the ``kH * kW`` kernel offsets, never over
pixels or images: for a fixed offset ``(i, j)`` the pixels a kernel cell
touches form one strided slice of the padded input, so each step is one
matrix product or one array addition over the whole batch.

Layout: the functions take and return PyTorch's ``(N, C, H, W)``. Inside they
work channels-first-then-batch, ``(C, N, H, W)``, because then a gradient map
of all images of one channel is a single matrix row and the products below are
single BLAS calls.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v

__all__ = [
    "conv2d_backward",
    "conv2d_weight_grad",
    "conv2d_input_grad",
    "max_pool2d_backward",
    "avg_pool2d_backward",
]


def _offset_slice(offset: int, stride: int, count: int) -> slice:
    """Rows (or columns) under kernel cell ``offset``: ``count`` of them, ``stride`` apart."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


def _padded_shape(x_shape, win: v.Window) -> tuple[int, int]:
    (pt, pb), (pl, pr) = win.pads
    return x_shape[-2] + pt + pb, x_shape[-1] + pl + pr


def _crop(xp: np.ndarray, win: v.Window) -> np.ndarray:
    """Remove the padding rows/columns from the last two axes of ``xp``."""
    (pt, pb), (pl, pr) = win.pads
    return xp[..., pt : xp.shape[-2] - pb, pl : xp.shape[-1] - pr]


def conv2d_backward(x, weight, grad_out, win: v.Window, input_grad: bool = True):
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

    Returns
    -------
    grad_weight : array, shape (F, C, kH, kW)
    grad_x : array, shape (N, C, H, W), or None
    """
    if win.stride == (1, 1) and win.dilation == (1, 1):
        return _backward_stride1(x, weight, grad_out, win, input_grad)
    (pt, pb), (pl, pr) = win.pads
    n, c, h, w = x.shape
    xp = np.zeros((c, n, h + pt + pb, w + pl + pr), dtype=x.dtype)
    xp[:, :, pt : pt + h, pl : pl + w] = x.transpose(1, 0, 2, 3)
    grad_weight = conv2d_weight_grad(xp, grad_out, win)
    grad_x = conv2d_input_grad(grad_out, weight, win, x.shape) if input_grad else None
    return grad_weight, grad_x


def _backward_stride1(x, weight, grad_out, win, input_grad):
    """Stride 1: both gradients from *shifted copies* of flat images, no 4-D gathers.

    Store every padded image plane as one long row (all images of a channel
    one after the other). Kernel cell ``(i, j)`` then reads, for output pixel
    ``q`` of that row, the input pixel at ``q + i*Wp + j``: the same row shifted
    by a constant. So the "pixels under each kernel cell" are nine contiguous
    slices of one array, and col2im is nine shifted additions. The output
    gradient is laid out on the padded grid too (zeros where the kernel never
    sat), which costs some multiplications by zero but keeps every copy a
    plain contiguous one.
    """
    n, c, h, w = x.shape
    f, _, kh, kw = weight.shape
    (pt, pb), (pl, pr) = win.pads
    hp, wp = h + pt + pb, w + pl + pr
    ho, wo = win.out
    q = n * hp * wp  # length of one flat channel row
    offsets = [i * wp + j for i in range(kh) for j in range(kw)]
    tail = offsets[-1]  # room for the largest shift
    dtype = np.result_type(x.dtype, weight.dtype)

    # output gradient on the padded grid: g_flat[f, position of (n, y, x)] (F, Q)
    g_flat = np.zeros((f, n, hp, wp), dtype=dtype)
    g_flat[:, :, :ho, :wo] = grad_out.transpose(1, 0, 2, 3)
    g_flat = g_flat.reshape(f, q)

    # weights: the padded input as flat rows (C, Q + tail), then the nine shifted
    # copies stacked into (kH*kW*C, Q) and one matrix product
    x_flat = np.zeros((c, q + tail), dtype=dtype)
    x_flat[:, :q].reshape(c, n, hp, wp)[:, :, pt : pt + h, pl : pl + w] = x.transpose(1, 0, 2, 3)
    shifted = np.empty((kh * kw, c, q), dtype=dtype)
    for k, off in enumerate(offsets):
        shifted[k] = x_flat[:, off : off + q]
    grad_weight = g_flat @ shifted.reshape(kh * kw * c, q).T  # (F, kH*kW*C)
    grad_weight = grad_weight.reshape(f, kh, kw, c).transpose(0, 3, 1, 2)
    if not input_grad:
        return np.ascontiguousarray(grad_weight), None

    # input: every output gradient times every weight, (kH*kW, C, Q) in one product, then
    # each kernel cell's share added back at its shift (col2im)
    w_cells = weight.transpose(2, 3, 1, 0).reshape(kh * kw * c, f)
    shares = (w_cells @ g_flat).reshape(kh * kw, c, q)
    dx_flat = np.zeros((c, q + tail), dtype=dtype)
    for k, off in enumerate(offsets):
        dx_flat[:, off : off + q] += shares[k]
    dx = dx_flat[:, :q].reshape(c, n, hp, wp)[:, :, pt : pt + h, pl : pl + w]
    return np.ascontiguousarray(grad_weight), np.ascontiguousarray(dx.transpose(1, 0, 2, 3))


def conv2d_weight_grad(xp_cn: np.ndarray, grad_out: np.ndarray, win: v.Window) -> np.ndarray:
    """Gradient of the loss with respect to the convolution weights.

    ``dW[f, c, i, j] = sum over n, y, x of grad_out[n, f, y, x] * xp[n, c, y*s + i, x*s + j]``

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
    (kh, kw), (sh, sw), (ho, wo) = win.kernel, win.stride, win.out
    g = grad_out.transpose(1, 0, 2, 3).reshape(f, n * ho * wo)  # (F, N*Ho*Wo), one copy
    # the input pixels under kernel cell (i, j) at every output position, for every (i, j):
    # (C, kH, kW, N*Ho*Wo), filled offset by offset (each a strided slice of the input)
    cols = np.empty((c, kh, kw, n, ho, wo), dtype=xp_cn.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, i, j] = xp_cn[:, :, _offset_slice(i, sh, ho), _offset_slice(j, sw, wo)]
    cols = cols.reshape(c * kh * kw, n * ho * wo)
    return (g @ cols.T).reshape(f, c, kh, kw)  # one matrix product for all weights


def conv2d_input_grad(grad_out: np.ndarray, weight: np.ndarray, win: v.Window, x_shape):
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
    (sh, sw), (ho, wo) = win.stride, win.out
    g = grad_out.transpose(1, 0, 2, 3).reshape(f, n * ho * wo)  # (F, N*Ho*Wo)
    # share of every output gradient for every (channel, kernel cell): (C*kH*kW, N*Ho*Wo)
    dcols = (weight.reshape(f, c * kh * kw).T @ g).reshape(c, kh, kw, n, ho, wo)
    dxp = np.zeros((c, n, *_padded_shape(x_shape, win)), dtype=dcols.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, _offset_slice(i, sh, ho), _offset_slice(j, sw, wo)] += dcols[:, i, j]
    return np.ascontiguousarray(_crop(dxp, win).transpose(1, 0, 2, 3))


def max_pool2d_backward(grad_out: np.ndarray, indices: np.ndarray, x_shape, win: v.Window):
    """Route each output gradient to the input pixel that won its window.

    Max pooling passes only its largest value on, so only that pixel
    influences the output: it receives the whole gradient, every other pixel
    of the window receives 0. Where windows overlap, a pixel that wins several
    windows collects the sum.

    Parameters
    ----------
    grad_out : array, shape (N, C, Ho, Wo)
    indices : int array, shape (N, C, Ho, Wo)
        For every output value, the flat index ``row * W + col`` of its
        maximum in the (H, W) input plane (as returned by
        ``ops.max_pool2d(..., return_indices=True)``).
    x_shape : tuple (N, C, H, W)
    win : Window

    Returns
    -------
    array, shape (N, C, H, W)
    """
    n, c, h, w = x_shape
    planes = n * c
    g = grad_out.reshape(planes, -1)
    idx = indices.reshape(planes, -1)
    overlap = any(s < k for s, k in zip(win.stride, win.kernel))
    if not overlap:
        # every input pixel wins at most one window: a plain scatter is enough
        dx = np.zeros((planes, h * w), dtype=grad_out.dtype)
        np.put_along_axis(dx, idx, g, axis=1)
        return dx.reshape(x_shape)
    # overlapping windows: a pixel may win several of them, so add up (bincount sums repeats)
    flat = (idx + (np.arange(planes) * (h * w))[:, None]).ravel()
    dx = np.bincount(flat, weights=g.ravel(), minlength=planes * h * w)
    return dx.astype(grad_out.dtype, copy=False).reshape(x_shape)


def avg_pool2d_backward(grad_out: np.ndarray, x_shape, win: v.Window) -> np.ndarray:
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
    (kh, kw), (sh, sw), (ho, wo) = win.kernel, win.stride, win.out
    share = grad_out / grad_out.dtype.type(kh * kw)
    dxp = np.zeros((*x_shape[:2], *_padded_shape(x_shape, win)), dtype=grad_out.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, _offset_slice(i, sh, ho), _offset_slice(j, sw, wo)] += share
    return np.ascontiguousarray(_crop(dxp, win))
