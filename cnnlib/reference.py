"""Convolution and pooling written as plain loops, to be read line by line.

These functions compute exactly what :mod:`cnnlib.ops` computes, with the same
signatures and the same argument checks, but one multiplication at a time.
They are slow (use them on small images) and they are the definition: the
tests check the fast versions against them.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v

__all__ = ["conv2d", "max_pool2d", "avg_pool2d"]


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Reference 2-D convolution (cross-correlation), see :func:`cnnlib.conv2d`.

    x (N, C, H, W) and weight (F, C, kH, kW) give (N, F, Ho, Wo); a 2-D image
    with a 2-D kernel gives a 2-D map.
    """
    x, weight, bias, win, ndim = v.conv_args(x, weight, bias, stride, padding, dilation)
    n_images, n_channels, _, _ = x.shape
    n_filters, _, k_h, k_w = weight.shape
    (pad_top, pad_bottom), (pad_left, pad_right) = win.pads
    step_y, step_x = win.stride
    dil_y, dil_x = win.dilation
    out_h, out_w = win.out

    # 1. surround every image with zeros
    x = np.pad(x, ((0, 0), (0, 0), (pad_top, pad_bottom), (pad_left, pad_right)))

    out = np.zeros((n_images, n_filters, out_h, out_w), dtype=x.dtype)
    for n in range(n_images):
        for f in range(n_filters):
            # 2. slide filter f over image n
            for oy in range(out_h):
                for ox in range(out_w):
                    top, left = oy * step_y, ox * step_x  # where the kernel's corner sits
                    total = 0.0
                    # 3. multiply each kernel cell with the pixel under it, and add up
                    for c in range(n_channels):
                        for i in range(k_h):
                            for j in range(k_w):
                                pixel = x[n, c, top + i * dil_y, left + j * dil_x]
                                total += pixel * weight[f, c, i, j]
                    if bias is not None:
                        total += bias[f]
                    out[n, f, oy, ox] = total
    return v.restore_layout(out, ndim)


def _pool(x, kernel_size, stride, padding, reduce, pad_value):
    x, win, ndim = v.pool_args(x, kernel_size, stride, padding)
    (pad_top, pad_bottom), (pad_left, pad_right) = win.pads
    k_h, k_w = win.kernel
    step_y, step_x = win.stride
    out_h, out_w = win.out
    x = np.pad(
        x, ((0, 0), (0, 0), (pad_top, pad_bottom), (pad_left, pad_right)), constant_values=pad_value
    )
    out = np.zeros(x.shape[:2] + (out_h, out_w), dtype=x.dtype)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for oy in range(out_h):
                for ox in range(out_w):
                    top, left = oy * step_y, ox * step_x
                    window = x[n, c, top : top + k_h, left : left + k_w]
                    out[n, c, oy, ox] = reduce(window)
    return v.restore_layout(out, ndim)


def max_pool2d(x, kernel_size, stride=None, padding=0, return_indices=False):
    """Reference max pooling: the largest value of every window (padding never wins).

    With ``return_indices``, also where each maximum came from: the flat index
    ``row * W + col`` in its unpadded (H, W) plane, the first one on ties.
    """
    out = _pool(x, kernel_size, stride, padding, np.max, pad_value=-np.inf)
    if not return_indices:
        return out
    x4, win, ndim = v.pool_args(x, kernel_size, stride, padding)
    width = x4.shape[3]
    pad_top, pad_left = win.pads[0][0], win.pads[1][0]
    indices = np.zeros(x4.shape[:2] + win.out, dtype=np.int64)
    for n in range(x4.shape[0]):
        for c in range(x4.shape[1]):
            for oy in range(win.out[0]):
                for ox in range(win.out[1]):
                    best, best_index = -np.inf, -1
                    for i in range(win.kernel[0]):
                        for j in range(win.kernel[1]):
                            row = oy * win.stride[0] + i - pad_top
                            col = ox * win.stride[1] + j - pad_left
                            inside = 0 <= row < x4.shape[2] and 0 <= col < width
                            if inside and x4[n, c, row, col] > best:
                                best, best_index = x4[n, c, row, col], row * width + col
                    indices[n, c, oy, ox] = best_index
    return out, v.restore_layout(indices, ndim)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Reference average pooling: the mean of every window, padded zeros included."""
    return _pool(x, kernel_size, stride, padding, np.mean, pad_value=0.0)
