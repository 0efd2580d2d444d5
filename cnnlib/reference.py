"""The operations of a CNN, forward and backward, written as plain loops to be read line by line.

The forward functions (:func:`conv2d`, :func:`max_pool2d`, :func:`avg_pool2d`)
compute exactly what :mod:`cnnlib.ops` computes, with the same signatures and
the same argument checks, but one multiplication at a time.
They are slow (use them on small images) and they are the definition: the
tests check the fast versions against them.

The backward passes (:func:`conv2d_backward`, :func:`max_pool2d_backward`,
:func:`avg_pool2d_backward`, :func:`dense_backward`) compute what the layers'
``backward`` methods compute, the same way: each visits the same positions as
its forward pass and, where the forward pass multiplied and added, sends the
gradient back along each product and adds it up.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v

__all__ = [
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "conv2d_backward",
    "max_pool2d_backward",
    "avg_pool2d_backward",
    "dense_backward",
]


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """Reference 2-D convolution (cross-correlation), see :func:`cnnlib.conv2d`.

    x (N, C, H, W) and weight (F, C, kH, kW) give (N, F, Ho, Wo); a 2-D image
    with a 2-D kernel gives a 2-D map.
    """
    # check the arguments; win is where the kernel goes: the padding on each side, the
    # stride, the dilation and the output size (cnnlib.geometry.window_plan)
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
    x, win, ndim = v.pool_args(x, kernel_size, stride, padding)  # win: cnnlib.geometry.Window
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


# ----------------------------------------------------------------------------
# backward passes: where the forward pass multiplied and added, the gradient
# flows back along every product, and what arrives at one number is added up
# ----------------------------------------------------------------------------
def conv2d_backward(x, weight, grad_output, stride=1, padding=0, dilation=1):
    """Reference backward pass of :func:`conv2d`: the gradients of the loss.

    Forward, every output value is a sum of products plus a bias::

        out[n, f, oy, ox] = bias[f] + sum over c, i, j of
                            x_padded[n, c, oy*step + i*dil, ox*step + j*dil] * weight[f, c, i, j]

    ``grad_output[n, f, oy, ox]`` says how much the loss changes per unit of
    that output value. The chain rule sends it back along each product: to
    the weight, times the pixel it multiplied; to the pixel, times the weight.
    Whatever reaches the same number is added up, so

    * a kernel weight is shared by every position the kernel visits:
      ``grad_weight[f, c, i, j]`` is the SUM over every image and every output
      position of ``grad_output * (the pixel under cell (i, j) there)``;
    * ``grad_x`` of a pixel is the sum over every filter and every window the
      pixel was part of of ``grad_output * (the weight it met there)``;
    * ``grad_bias[f]`` is the sum of ``grad_output[:, f]`` over images and positions.

    Parameters
    ----------
    x : array, shape (N, C, H, W), (C, H, W) or (H, W)
        The input of the forward pass.
    weight : array, shape (F, C, kH, kW), or (kH, kW) when ``x`` is (H, W)
        The filters of the forward pass.
    grad_output : array, shape (N, F, Ho, Wo), (F, Ho, Wo) or (Ho, Wo)
        d(loss)/d(output), in the shape :func:`conv2d` returns for these arguments.
    stride, padding, dilation
        As given to the forward pass, see :func:`cnnlib.conv2d`.

    Returns
    -------
    grad_x : array, the shape of ``x``
    grad_weight : array, the shape of ``weight``
    grad_bias : array, shape (F,)
        What a bias would receive (F = 1 for a 2-D image), whether or not the
        forward pass had one: the bias does not change the other two.

    Examples
    --------
    A 1x5 image, a 1x3 kernel, three positions:

    >>> x = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    >>> weight = np.array([[1.0, 2.0, 3.0]])
    >>> grad_output = np.array([[1.0, 10.0, 100.0]])
    >>> grad_x, grad_weight, grad_bias = conv2d_backward(x, weight, grad_output)
    >>> grad_weight  # weight j: 1 * x[j] + 10 * x[j + 1] + 100 * x[j + 2]
    array([[321., 432., 543.]])
    >>> grad_x  # pixel 2 sat under all three cells: 1 * 3 + 10 * 2 + 100 * 1
    array([[  1.,  12., 123., 230., 300.]])
    >>> grad_bias
    array([111.])
    """
    # check the arguments; win is the forward pass's plan (cnnlib.geometry.window_plan)
    x, weight, grad_output, win, ndim = v.conv_backward_args(
        x, weight, grad_output, stride, padding, dilation
    )
    n_images, n_channels, height, width = x.shape
    n_filters, _, k_h, k_w = weight.shape
    (pad_top, pad_bottom), (pad_left, pad_right) = win.pads
    step_y, step_x = win.stride
    dil_y, dil_x = win.dilation
    out_h, out_w = win.out
    dtype = np.result_type(x, weight, grad_output)

    # 1. surround every image with zeros, as the forward pass did
    x = np.pad(x, ((0, 0), (0, 0), (pad_top, pad_bottom), (pad_left, pad_right)))

    grad_x = np.zeros(x.shape, dtype=dtype)  # padded too: the border is cut off at the end
    grad_weight = np.zeros(weight.shape, dtype=dtype)
    grad_bias = np.zeros(n_filters, dtype=dtype)
    for n in range(n_images):
        for f in range(n_filters):
            # 2. slide filter f over image n again, through the same positions
            for oy in range(out_h):
                for ox in range(out_w):
                    top, left = oy * step_y, ox * step_x  # where the kernel's corner sits
                    g = grad_output[n, f, oy, ox]  # d(loss) / d(out[n, f, oy, ox])
                    # 3. forward: total += pixel * weight[f, c, i, j]; send g back along each
                    for c in range(n_channels):
                        for i in range(k_h):
                            for j in range(k_w):
                                row, col = top + i * dil_y, left + j * dil_x
                                # one weight, every position and image: summed over n, oy, ox
                                grad_weight[f, c, i, j] += g * x[n, c, row, col]
                                # one pixel, every window of every filter: summed over f, oy, ox
                                grad_x[n, c, row, col] += g * weight[f, c, i, j]
                    # forward: total += bias[f], at every position of every image
                    grad_bias[f] += g

    # 4. cut the border off: what reached the padding zeros changes no pixel of x
    grad_x = grad_x[:, :, pad_top : pad_top + height, pad_left : pad_left + width]
    if ndim == 2:  # a 2-D image came with a 2-D kernel: its gradient gets that shape too
        grad_weight = grad_weight[0, 0]
    return v.restore_layout(grad_x, ndim), grad_weight, grad_bias


def max_pool2d_backward(x, grad_output, kernel_size, stride=None, padding=0):
    """Reference backward pass of :func:`max_pool2d`: d(loss)/d(x).

    Only the largest pixel of a window reached the output; nudging any
    other pixel a little changes nothing. So each ``grad_output`` value goes
    whole to the pixel that won its window, and the others of the window get
    0 from it. A pixel that wins several overlapping windows collects the sum.

    On a tie the winner is the first of the equal maxima in reading order
    (row by row, left to right within the window), as in
    ``max_pool2d(..., return_indices=True)``, the layers'
    :meth:`cnnlib.MaxPool2D.backward` and PyTorch. Padding (-infinity) never wins.

    Parameters
    ----------
    x : array, shape (N, C, H, W), (C, H, W) or (H, W)
        The input of the forward pass.
    grad_output : array, shape (N, C, Ho, Wo), (C, Ho, Wo) or (Ho, Wo)
        d(loss)/d(output), in the shape :func:`max_pool2d` returns for these arguments.
    kernel_size, stride, padding
        As given to the forward pass, see :func:`cnnlib.max_pool2d`.

    Returns
    -------
    grad_x : array, the shape of ``x``
    """
    x, grad_output, win, ndim = v.pool_backward_args(
        x, grad_output, kernel_size, stride, padding, "max_pool2d"
    )
    height, width = x.shape[2:]
    (pad_top, pad_bottom), (pad_left, pad_right) = win.pads
    k_h, k_w = win.kernel
    step_y, step_x = win.stride
    out_h, out_w = win.out

    # 1. surround every image with -infinity, as the forward pass did: padding never wins
    x = np.pad(
        x, ((0, 0), (0, 0), (pad_top, pad_bottom), (pad_left, pad_right)), constant_values=-np.inf
    )
    grad_x = np.zeros(x.shape, dtype=np.result_type(x, grad_output))
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for oy in range(out_h):
                for ox in range(out_w):
                    top, left = oy * step_y, ox * step_x
                    window = x[n, c, top : top + k_h, left : left + k_w]
                    # 2. find the winner, reading the window row by row; only a strictly
                    #    larger value takes over, so on a tie the first one stays
                    best_i, best_j = 0, 0
                    for i in range(k_h):
                        for j in range(k_w):
                            if window[i, j] > window[best_i, best_j]:
                                best_i, best_j = i, j
                    # 3. the winner gets the whole gradient (added: it may win other windows)
                    grad_x[n, c, top + best_i, left + best_j] += grad_output[n, c, oy, ox]

    # 4. cut the border off
    grad_x = grad_x[:, :, pad_top : pad_top + height, pad_left : pad_left + width]
    return v.restore_layout(grad_x, ndim)


def avg_pool2d_backward(x, grad_output, kernel_size, stride=None, padding=0):
    """Reference backward pass of :func:`avg_pool2d`: d(loss)/d(x).

    An output is the sum of its ``kH * kW`` window values divided by
    ``kH * kW`` (padded zeros counted, as the forward pass does). Each of
    those values changes it by ``1 / (kH * kW)`` per unit, so each pixel of
    the window receives that share of the ``grad_output`` value; a pixel in
    several overlapping windows adds up its shares. The shares that fall on
    padding are lost: a pixel near the border gets the same share per window
    as any other, but sits in fewer windows.

    Parameters
    ----------
    x : array, shape (N, C, H, W), (C, H, W) or (H, W)
        The input of the forward pass.
    grad_output : array, shape (N, C, Ho, Wo), (C, Ho, Wo) or (Ho, Wo)
        d(loss)/d(output), in the shape :func:`avg_pool2d` returns for these arguments.
    kernel_size, stride, padding
        As given to the forward pass, see :func:`cnnlib.avg_pool2d`.

    Returns
    -------
    grad_x : array, the shape of ``x``
    """
    x, grad_output, win, ndim = v.pool_backward_args(
        x, grad_output, kernel_size, stride, padding, "avg_pool2d"
    )
    height, width = x.shape[2:]
    (pad_top, pad_bottom), (pad_left, pad_right) = win.pads
    k_h, k_w = win.kernel
    step_y, step_x = win.stride
    out_h, out_w = win.out

    # 1. work on the padded image, as the forward pass did (its zeros were counted)
    grad_x = np.zeros(
        (*x.shape[:2], height + pad_top + pad_bottom, width + pad_left + pad_right),
        dtype=np.result_type(x, grad_output),
    )
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for oy in range(out_h):
                for ox in range(out_w):
                    top, left = oy * step_y, ox * step_x
                    # 2. every value of the window, padding included, gets an equal share
                    share = grad_output[n, c, oy, ox] / (k_h * k_w)
                    grad_x[n, c, top : top + k_h, left : left + k_w] += share

    # 3. cut the border off: the shares that fell on padding are dropped
    grad_x = grad_x[:, :, pad_top : pad_top + height, pad_left : pad_left + width]
    return v.restore_layout(grad_x, ndim)


def dense_backward(x, weight, grad_output):
    """Reference backward pass of a fully connected layer, ``out = x @ weight.T + bias``.

    Forward, every output is a weighted sum of every input::

        out[n, o] = bias[o] + sum over i of x[n, i] * weight[o, i]

    As in :func:`conv2d_backward`, ``grad_output[n, o]`` flows back along each
    product and what reaches one number is added up:

    * ``grad_weight[o, i]``: the sum over the examples of the batch of
      ``grad_output[n, o] * x[n, i]`` (``grad_output.T @ x``);
    * ``grad_x[n, i]``: the sum over the outputs of ``grad_output[n, o] *
      weight[o, i]`` (``grad_output @ weight``): every input fed every output;
    * ``grad_bias[o]``: the sum of ``grad_output[:, o]`` over the batch.

    Parameters
    ----------
    x : array, shape (N, in_features) or (in_features,)
        The input of the forward pass (one vector per example).
    weight : array, shape (out_features, in_features)
        As in PyTorch's ``Linear`` and :class:`cnnlib.Dense`.
    grad_output : array, shape (N, out_features) or (out_features,)
        d(loss)/d(output), in the shape of ``x @ weight.T``.

    Returns
    -------
    grad_x : array, the shape of ``x``
    grad_weight : array, shape (out_features, in_features)
    grad_bias : array, shape (out_features,)
        What a bias would receive, whether or not the layer has one.
    """
    x, weight, grad_output, ndim = v.dense_backward_args(x, weight, grad_output)
    n_examples, n_in = x.shape
    n_out = weight.shape[0]
    dtype = np.result_type(x, weight, grad_output)

    grad_x = np.zeros(x.shape, dtype=dtype)
    grad_weight = np.zeros(weight.shape, dtype=dtype)
    grad_bias = np.zeros(n_out, dtype=dtype)
    for n in range(n_examples):
        for o in range(n_out):
            g = grad_output[n, o]  # d(loss) / d(out[n, o])
            # forward: total += x[n, i] * weight[o, i]; send g back along each product
            for i in range(n_in):
                grad_weight[o, i] += g * x[n, i]  # one weight, every example: summed over n
                grad_x[n, i] += g * weight[o, i]  # one input, every output it fed: summed over o
            # forward: total += bias[o]
            grad_bias[o] += g
    return (grad_x[0] if ndim == 1 else grad_x), grad_weight, grad_bias
