"""The operations of a CNN, fast versions (numpy only).

Every function here has a twin in :mod:`cnnlib.reference` written with plain
loops; read that one first to see *what* is computed, then this one to see how
numpy computes the same thing without a Python loop over pixels. The tests
check that the twins agree.

Shapes follow PyTorch: images inside a network are ``(N, C, H, W)`` (batch,
channels, height, width) and convolution weights are ``(F, C, kH, kW)``
(filters, channels, kernel height, kernel width).
"""

from __future__ import annotations

import math
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from cnnlib import _validate as v
from cnnlib.geometry import Window

__all__ = [
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "cross_entropy",
]


# ----------------------------------------------------------------------------
# sliding windows
# ----------------------------------------------------------------------------
def _pad(x4: np.ndarray, pads, value=0.0) -> np.ndarray:
    """Surround every (H, W) plane of ``x4`` with ``value``; no copy without padding."""
    (pt, pb), (pl, pr) = pads
    if pt == pb == pl == pr == 0:
        return x4
    n, c, h, w = x4.shape
    xp = np.full((n, c, h + pt + pb, w + pl + pr), value, dtype=x4.dtype)
    xp[:, :, pt : pt + h, pl : pl + w] = x4
    return xp


def _windows(xp: np.ndarray, w: Window) -> np.ndarray:
    """A read-only view (N, C, kH, kW, Ho, Wo) of every window of ``xp``.

    ``view[n, c, i, j, y, x]`` is the pixel under kernel cell ``(i, j)`` when
    the kernel sits at output position ``(y, x)``. No data is copied.
    """
    n, c = xp.shape[:2]
    sn, sc, sh, sw = xp.strides
    (kh, kw), (ho, wo) = w.kernel, w.out
    (dh, dw), (th, tw) = w.dilation, w.stride
    return as_strided(
        xp,
        shape=(n, c, kh, kw, ho, wo),
        strides=(sn, sc, dh * sh, dw * sw, th * sh, tw * sw),
        writeable=False,
    )


# ----------------------------------------------------------------------------
# convolution
# ----------------------------------------------------------------------------
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D convolution as deep learning means it (cross-correlation, no flip).

    Each filter slides over the input; at every position the overlapping values
    are multiplied element-wise and summed over all channels, then the bias is
    added.

    Parameters
    ----------
    x : array, shape (N, C, H, W), (C, H, W) or (H, W)
        Input images. Integer images (e.g. uint8 0-255) are computed in float64.
    weight : array, shape (F, C, kH, kW), or (kH, kW) when ``x`` is (H, W)
        The filters.
    bias : array, shape (F,), optional
        One number added to each output channel.
    stride : int or (int, int)
        Step between neighbouring kernel positions.
    padding : int, (int, int), 'valid', 'same' or 'full'
        Zeros added around the input. ``'same'`` (stride 1 only) keeps the
        output the size of the input, with an extra row/column at the
        bottom/right for even kernels, as PyTorch does; ``'full'`` pads
        ``d*(k-1)`` on every side.
    dilation : int or (int, int)
        Spacing between kernel cells (1 = the kernel's cells are adjacent).

    Returns
    -------
    array, shape (N, F, Ho, Wo), (F, Ho, Wo) or (Ho, Wo)
        The feature maps, with ``Ho = output_size(H, kH, stride, padding, dilation)``
        (:func:`cnnlib.geometry.output_size`). The dtype is float32 if ``x`` and
        ``weight`` are float32, else float64.

    Raises
    ------
    ValueError
        Wrong number of dimensions, channel mismatch, a kernel that does not fit
        the padded input, stride or dilation < 1, negative padding, ``'same'``
        with stride > 1, or NaN/inf anywhere in the inputs.

    See Also
    --------
    cnnlib.reference.conv2d : the same computation written as plain loops, one
        product at a time: read it to see what is computed.
    cnnlib.geometry.window_plan : where the kernel goes (padding, positions).
    """
    # check the arguments; win is the plan of the kernel's positions (cnnlib.geometry.Window)
    x4, w4, b, win, ndim = v.conv_args(x, weight, bias, stride, padding, dilation)
    out = _conv2d_batched(x4, w4, win)  # every position at once, as matrix products
    if b is not None:
        out += b[None, :, None, None]
    return v.restore_layout(out, ndim)


# The window matrix is built for a group of images at a time, at most about
# _GROUP_BYTES big, which keeps memory bounded for big batches. An image whose
# window matrix alone is bigger than _BAND_BYTES (a photo) is split into bands of
# output rows instead: each band is then one modest matrix product that stays in
# the CPU cache, and for a single filter one that BLAS runs on the calling thread
# (BLAS's own worker threads stall badly when other programs keep the CPU busy).
_GROUP_BYTES = 8 << 20
_BAND_BYTES = 1 << 20

# Scratch arrays are kept from call to call (one set per thread) when they are at
# most this big. Memory new to the process costs a page fault for every 4 KB page
# the first time it is written; for a 1 MB window matrix that takes longer than
# filling it. (PyTorch keeps its own cache of freed memory for the same reason.)
_KEEP_BYTES = 32 << 20
_scratch = threading.local()


def _workspace(name: str, shape, dtype) -> np.ndarray:
    """An uninitialised array of ``shape``, carved from a buffer kept for reuse.

    Only for temporaries: the next call with the same ``name`` and ``dtype``
    (in the same thread) overwrites it, so it must never be returned to a caller.
    """
    size, dtype = math.prod(shape), np.dtype(dtype)
    buffers = _scratch.__dict__.setdefault("buffers", {})
    buf = buffers.get((name, dtype))
    if buf is None or buf.size < size:
        buf = np.empty(size, dtype)
        if buf.nbytes <= _KEEP_BYTES:
            buffers[(name, dtype)] = buf
    return buf[:size].reshape(shape)


def _conv2d_batched(x4: np.ndarray, w4: np.ndarray, win: Window) -> np.ndarray:
    """(N, C, H, W) * (F, C, kH, kW) -> (N, F, Ho, Wo), a new C-contiguous array.

    Convolution is a matrix product in disguise: put the C*kH*kW pixels under
    the kernel at each output position in a column, and the filters in the
    rows of an (F, C*kH*kW) matrix; then row times column is one output value.
    Both strategies below build that "window matrix" for a group of images and
    multiply it by the filters with ``np.matmul``. Stacked matrices make
    ``np.matmul`` call the optimised BLAS product once per image: each product
    is small enough for BLAS's fastest small-matrix code, and the result comes
    out as (N, F, positions), already in PyTorch's order, so nothing has to be
    transposed afterwards. The strategies differ only in how they copy the
    windows, which is where the rest of the time goes.

    Stride 1 uses :func:`_conv2d_rows` as long as at least half of each row
    is kept (2*Wo >= W); everything else uses :func:`_conv2d_im2col`.

    The window matrix is about kH*kW times bigger than the input (for stride
    1), so it is built for a group of images, or for a band of output rows of
    one big image, at a time (see ``_GROUP_BYTES`` and ``_BAND_BYTES``).
    """
    n, c, h, w = x4.shape
    f = w4.shape[0]
    (kh, kw), (ho, wo) = win.kernel, win.out
    if win.stride == (1, 1) and 2 * wo >= w:  # unless most of each row would be cut off
        strategy, row_positions = _conv2d_rows, max(w, wo)
    else:
        strategy, row_positions = _conv2d_im2col, wo
    row_bytes = c * kh * kw * row_positions * x4.itemsize  # window matrix of one output row
    rows = max(1, min(ho, _BAND_BYTES // row_bytes))  # output rows per band
    images = max(1, _GROUP_BYTES // (row_bytes * ho)) if rows == ho else 1  # images per group
    out = np.empty((n, f, ho, wo), dtype=np.result_type(x4, w4))
    for first in range(0, n, images):
        group = slice(first, first + images)
        for top in range(0, ho, rows):
            band = slice(top, min(top + rows, ho))
            x_band, win_band = _band(x4[group], win, band)
            strategy(x_band, w4, win_band, out[group, :, band])
    return out


def _band(x4: np.ndarray, win: Window, band: slice):
    """The input rows, and their geometry, that produce output rows ``band``.

    Rows the windows reach above or below the image become the band's padding.

    Returns
    -------
    rows : array view, shape (N, C, rows used, W)
        The rows of ``x4`` the band's windows touch (possibly none).
    window : Window
        ``win`` with the band's own top/bottom padding and ``out`` =
        (rows in the band, Wo).
    """
    (pt, _), (pl, pr) = win.pads
    (kh, _), (sh, _), (dh, _) = win.kernel, win.stride, win.dilation
    first = band.start * sh - pt  # input row under the top of the band's first window
    end = (band.stop - 1) * sh - pt + dh * (kh - 1) + 1  # one past the last input row used
    lo, hi = max(first, 0), min(end, x4.shape[2])  # the rows that are really in the image
    if lo >= hi:  # a band entirely in a (very wide) padding
        lo = hi = 0
        pads = ((end - first, 0), (pl, pr))
    else:
        pads = ((lo - first, end - hi), (pl, pr))
    out = (band.stop - band.start, win.out[1])
    return x4[:, :, lo:hi], Window(win.kernel, win.stride, win.dilation, pads, out)


def _multiply(w4: np.ndarray, cols: np.ndarray, out: np.ndarray, row_length: int) -> None:
    """out = filters @ window matrix, for windows laid out ``row_length`` per output row.

    ``cols`` is (N, C*kH*kW, Ho*row_length); ``out`` is (N, F, Ho, Wo). When
    the rows have no extra positions and ``out`` is one block of memory, the
    product is written straight into it; otherwise into scratch memory, from
    which the first Wo positions of every row are copied.
    """
    n, f, ho, wo = out.shape
    filters = w4.reshape(f, -1)
    if row_length == wo and out.flags.c_contiguous:
        np.matmul(filters, cols, out=out.reshape(n, f, ho * wo))
        return
    product = _workspace("product", (n, f, ho * row_length), np.result_type(w4, cols))
    np.matmul(filters, cols, out=product)
    np.copyto(out, product.reshape(n, f, ho, row_length)[..., :wo])


def _conv2d_im2col(x4: np.ndarray, w4: np.ndarray, win: Window, out: np.ndarray) -> None:
    """Any stride or dilation: the textbook "im2col". Writes the result into ``out``.

    The strided view of all windows is copied into a (C*kH*kW, Ho*Wo) matrix
    per image. Simple, but the copy moves short pieces of rows (Wo values
    each), which is slow for small images.
    """
    n = x4.shape[0]
    _, c, kh, kw = w4.shape
    ho, wo = win.out
    cols = _workspace("windows", (n, c, kh, kw, ho, wo), x4.dtype)
    np.copyto(cols, _windows(_pad(x4, win.pads), win))  # the one copy
    _multiply(w4, cols.reshape(n, c * kh * kw, ho * wo), out, wo)


def _conv2d_rows(x4: np.ndarray, w4: np.ndarray, win: Window, out: np.ndarray) -> None:
    """Stride 1: windows as long runs of the rows laid end to end.

    Read the images row after row as one long line of numbers, with the
    padding rows above and below but *no* padding columns: each row is
    ``row = max(W, Wo)`` numbers long (the W pixels, then zeros when the
    output is wider than the input), and the next row follows at once.
    Moving the kernel one pixel right moves one place along the line; moving
    it one row down moves ``row`` places. So the pixels under kernel cell
    (i, j), for all output positions of a row and all rows below it, are ONE
    contiguous run of the line, starting ``i*row + j - pl`` places after the
    start of the image's padded plane (``pl`` is the left padding; with
    dilation, ``i*dh*row + j*dw - pl``). The window matrix is then built from
    C*kH*kW long runs, which copy at memory speed.

    The catch: a window that hangs over the left or right edge of the image
    reads, instead of padding, the end of the previous row or the start of
    the next one. Those places are known (kernel column j at output columns
    ``x < pl - j*dw`` or ``x >= W + pl - j*dw``), so they are set to zero in
    the window matrix, which is exactly what padding would have put there.
    When the output is narrower than the input (``'valid'``, or less padding
    than ``'same'``), every row is computed W wide; its last W - Wo values
    come from wrapped windows that are not zeroed, and :func:`_multiply`
    leaves them out when it copies the first Wo of each row into ``out``.
    Writes the result into ``out``.
    """
    n, c, h, w = x4.shape
    _, _, kh, kw = w4.shape
    (dh, dw), (ho, wo) = win.dilation, win.out
    (pt, pb), (pl, _) = win.pads
    hp, row = h + pt + pb, max(w, wo)  # rows per image, numbers per row
    plane = hp * row
    # pl spare numbers in front and dw*(kW-1) - pl behind, read only by windows that get zeroed
    front, back = pl, max(0, dw * (kw - 1) - pl)
    line = _workspace("rows", (front + n * c * plane + back,), x4.dtype)
    images = line[front : front + n * c * plane].reshape(n, c, hp, row)
    images[:, :, :pt], images[:, :, pt + h :] = 0, 0  # the padding rows
    images[:, :, pt : pt + h, :w] = x4
    # the margins and the columns beyond W are read only by windows that get zeroed or
    # cut off, but scratch memory may hold anything, NaN included: clear them all the same
    line[:front], line[line.size - back :], images[:, :, pt : pt + h, w:] = 0, 0, 0
    step = line.itemsize
    runs = as_strided(  # runs[n, c, i, j] = the Ho*row numbers under cell (i, j)
        line,
        shape=(n, c, kh, kw, ho * row),
        strides=(c * plane * step, plane * step, dh * row * step, dw * step, step),
        writeable=False,
    )
    cols = _workspace("windows", runs.shape, x4.dtype)
    np.copyto(cols, runs)  # the one copy, of long runs
    grid = cols.reshape(n, c, kh, kw, ho, row)
    for j in range(kw):  # zero what wrapped around a row end
        shift = j * dw - pl  # input column under output column 0
        for lo, hi in ((0, -shift), (max(0, w - shift), wo)):
            if lo < hi:  # (one column is zeroed faster by index than by slice)
                grid[:, :, :, j, :, lo if hi == lo + 1 else slice(lo, hi)] = 0
    _multiply(w4, cols.reshape(n, c * kh * kw, ho * row), out, row)


# ----------------------------------------------------------------------------
# pooling
# ----------------------------------------------------------------------------
def _pool(xp: np.ndarray, win: Window, combine) -> np.ndarray:
    """Combine every window of ``xp`` with ``combine`` (np.maximum or np.add).

    The maximum (or sum) of a rectangle can be taken in two steps: first
    combine its kH rows element by element, which leaves one row holding the
    maximum of each column; then combine the kW values of that row. Each step
    is one whole-array operation on strided slices of every window at once,
    kH + kW - 2 of them in all, so there is no loop over pixels.
    (``windows.max(axis=(2, 3))`` on the view of :func:`_windows` gives the
    same numbers, but numpy reduces over such tiny axes of 2 or 3 values one
    window at a time, about 30 times more slowly for 2x2 windows.)
    """
    kh, kw = win.kernel
    rows = xp[:, :, win.rows_under(0), :]  # (N, C, Ho, Wp): row 0 of every window
    for i in range(1, kh):
        rows = combine(rows, xp[:, :, win.rows_under(i), :])
    out = rows[..., win.columns_under(0)]  # (N, C, Ho, Wo)
    for j in range(1, kw):
        out = combine(out, rows[..., win.columns_under(j)])
    if kh == kw == 1:  # a 1x1 window only picks pixels: copy, never return a view of x
        out = out.copy()
    return np.ascontiguousarray(out)


def max_pool2d(x, kernel_size, stride=None, padding=0, return_indices=False):
    """Max pooling: keep the largest value of each window.

    Parameters
    ----------
    x : array, shape (N, C, H, W), (C, H, W) or (H, W)
    kernel_size : int or (int, int)
        Window size, usually 2 or 3.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size`` (windows do not overlap).
    padding : int or (int, int)
        Implicit padding with -infinity (never wins), at most half the window.
    return_indices : bool
        Also return where each maximum came from, as in PyTorch: for every
        output value, the flat index ``row * W + col`` into its (H, W) input
        plane. Ties go to the first cell in reading order.

    Returns
    -------
    out : array, shape (N, C, Ho, Wo) (or matching the input's layout)
        ``Ho = output_size(H, kH, stride, padding)`` (:func:`cnnlib.geometry.output_size`).
    indices : int64 array of the same shape, only if ``return_indices``

    See Also
    --------
    cnnlib.reference.max_pool2d : the same, written as plain loops.
    """
    x4, win, ndim = v.pool_args(x, kernel_size, stride, padding)
    if not return_indices:
        return v.restore_layout(_max_pool2d_batched(x4, win), ndim)
    xp = _pad(x4, win.pads, value=-np.inf)
    out, indices = _max_pool_with_indices(xp, win, x4.shape[3])
    return v.restore_layout(out, ndim), v.restore_layout(indices, ndim)


def _max_pool2d_batched(x4: np.ndarray, win: Window) -> np.ndarray:
    """(N, C, H, W) -> (N, C, Ho, Wo) without checks: padding with -infinity never wins."""
    return _pool(_pad(x4, win.pads, value=-np.inf), win, np.maximum)


def _max_pool_with_indices(xp: np.ndarray, win: Window, width: int):
    """Max pooling that also remembers the winning pixel of every window.

    Visits the kH*kW kernel cells in reading order; wherever the pixel under
    the current cell beats the best so far (strictly, so ties keep the
    earlier cell), it becomes the best and its flat index ``row * W + col``
    is noted. Each visit is three whole-array operations. (``np.where`` is
    used rather than ``np.copyto(..., where=mask)``, which numpy runs
    several times more slowly.)
    """
    (kh, kw), (sh, sw), (ho, wo) = win.kernel, win.stride, win.out
    (pt, _), (pl, _) = win.pads
    # flat index (in the unpadded plane) of the pixel under kernel cell (0, 0), per window
    corner = (np.arange(ho)[:, None] * sh - pt) * width + (np.arange(wo) * sw - pl)  # (Ho, Wo)
    best = indices = None
    for i, j in np.ndindex(kh, kw):
        cell = xp[:, :, win.rows_under(i), win.columns_under(j)]
        here = (corner + (i * width + j)).astype(np.int64)  # (Ho, Wo): where cell (i, j) is
        if best is None:
            best, indices = cell.copy(), np.broadcast_to(here, cell.shape).copy()
            continue
        wins = cell > best
        best = np.where(wins, cell, best)
        indices = np.where(wins, here, indices)
    return best, indices


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Average pooling: keep the mean of each window.

    Same parameters as :func:`max_pool2d`. Padded zeros count in the mean
    (PyTorch's default, ``count_include_pad=True``). The loop twin is
    :func:`cnnlib.reference.avg_pool2d`.
    """
    x4, win, ndim = v.pool_args(x, kernel_size, stride, padding)
    return v.restore_layout(_avg_pool2d_batched(x4, win), ndim)


def _avg_pool2d_batched(x4: np.ndarray, win: Window) -> np.ndarray:
    """(N, C, H, W) -> (N, C, Ho, Wo) without checks: the sum of each window, averaged."""
    kh, kw = win.kernel
    out = _pool(_pad(x4, win.pads), win, np.add) / (kh * kw)
    return out.astype(x4.dtype, copy=False)


# ----------------------------------------------------------------------------
# activations (element-wise, any shape; NaN and infinity are refused, as everywhere)
# ----------------------------------------------------------------------------
def relu(x):
    """ReLU(x) = max(0, x): negatives become 0, positives pass unchanged. Any shape."""
    x = v.finite_float_array(x)
    return np.maximum(x, 0, dtype=x.dtype)


def leaky_relu(x, negative_slope=0.01):
    """x for x > 0, ``negative_slope * x`` otherwise. Any shape."""
    x = v.finite_float_array(x)
    slope = x.dtype.type(v.as_negative_slope(negative_slope))
    return np.where(x > 0, x, x * slope)


def sigmoid(x):
    """1 / (1 + exp(-x)), squashing any number into (0, 1). Any shape.

    Computed as ``exp(min(x, 0)) / (1 + exp(-|x|))`` so that no exponential
    overflows, even for x = -1000.
    """
    x = v.finite_float_array(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


def tanh(x):
    """Hyperbolic tangent, squashing any number into (-1, 1). Any shape."""
    return np.tanh(v.finite_float_array(x))


def softmax(x, axis=-1):
    """Turn scores into probabilities that are positive and sum to 1 along ``axis``.

    ``softmax(x)_i = exp(x_i) / sum_j exp(x_j)``, computed after subtracting
    the largest score (which does not change the result) so that ``exp`` never
    overflows, even for scores of 1000.
    """
    x = v.finite_float_array(x)
    v.check_axis(x, axis)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """``log(softmax(x))`` computed without taking the log of a tiny number.

    ``x_i - max(x) - log(sum_j exp(x_j - max(x)))``.
    """
    x = v.finite_float_array(x)
    v.check_axis(x, axis)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def cross_entropy(logits, targets):
    """Mean cross-entropy loss of class scores against integer class labels.

    ``loss = mean_n( -log softmax(logits[n])[targets[n]] )``

    Parameters
    ----------
    logits : array, shape (N, K)
        Raw class scores (not probabilities), one row per example; N >= 1.
    targets : int array, shape (N,)
        The correct class of each example, from 0 to K-1.

    Returns
    -------
    float
        The loss; 0 means every correct class got probability 1.
    """
    logits, targets = v.logits_and_targets(logits, targets)
    logp = log_softmax(logits, axis=1)
    return float(-logp[np.arange(len(targets)), targets].mean())
