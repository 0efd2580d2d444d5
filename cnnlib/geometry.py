"""Sliding-window geometry: where a kernel goes on an image, and how big the output is.

Convolution and pooling both slide a window (a kernel, or a pooling window)
over an image. Along each axis (the height, then the width) five numbers
decide where it goes:

* ``i``, the input size;
* ``k``, the window size (``kernel_size``);
* ``d``, the dilation: the step between the window's cells (1 = side by
  side), so that the window spans ``d(k - 1) + 1`` pixels;
* ``s``, the stride: how far the window moves at each step;
* ``p``, the padding: zeros added before (top, left) and after (bottom,
  right) the input.

They give the output size, the number of positions the window takes::

    o = floor((i + p_before + p_after - d(k - 1) - 1) / s) + 1

Why: the padded input is ``i + p_before + p_after`` pixels long and the window
covers ``d(k - 1) + 1`` of them, so its first cell can sit at 0, 1, ...,
``i + p_before + p_after - d(k - 1) - 1`` (the last place where the window
still fits). With stride ``s`` only every ``s``-th of those places is used,
starting at 0: ``floor(last / s)`` steps, plus the position at 0.

* :func:`output_size` is that formula, for one axis;
* :func:`padding_sides` says what ``'valid'``, ``'same'`` and ``'full'`` mean,
  in pixels;
* :func:`window_plan` applies both to the height and the width and returns a
  :class:`Window`: the plan that every convolution and pooling in cnnlib
  follows (:func:`cnnlib.conv2d` and its loop twin
  :func:`cnnlib.reference.conv2d`, the pooling functions, the backward
  passes, the layers and the explorers).

Each public function checks its arguments in its first line (the checks and
their messages are in :mod:`cnnlib._validate`), then computes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cnnlib import _validate as v

__all__ = ["PADDING_MODES", "output_size", "padding_sides", "Window", "window_plan"]

#: The named paddings a convolution accepts besides numbers (pooling takes numbers only).
PADDING_MODES = ("valid", "same", "full")


# ----------------------------------------------------------------------------
# one axis
# ----------------------------------------------------------------------------
def output_size(size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    """How many positions a sliding window takes along one axis: the output size.

    ``o = floor((i + p_before + p_after - d(k - 1) - 1) / s) + 1``

    A number ``p`` as padding means ``p_before = p_after = p`` (the usual
    ``i + 2p``); :func:`padding_sides` turns ``'valid'``, ``'same'`` and
    ``'full'`` into numbers. The same formula holds for pooling (``d = 1``,
    and the stride is usually the window size).

    Parameters
    ----------
    size : int
        Input size ``i`` (height or width).
    kernel_size : int
        Window size ``k``.
    stride : int
        Step ``s`` between neighbouring positions.
    padding : int, 'valid', 'same' or 'full'
        Zeros added on each side, or a named padding (see :func:`padding_sides`).
    dilation : int
        Step ``d`` between the cells of the kernel (1 = side by side).

    Returns
    -------
    int
        The output size ``o``.

    Raises
    ------
    ValueError
        If the window does not fit the padded input even once (the message
        says which padding would make it fit), for a size below 1, a negative
        padding, or ``'same'`` with a stride above 1.
    TypeError
        For a value that is not an int (or a padding name).

    Examples
    --------
    A 3x3 kernel on a 28x28 digit, no padding: ``(28 - 1*(3-1) - 1) / 1 + 1 = 26``.

    >>> output_size(28, 3)
    26

    Stride 2 and padding 1: ``floor((28 + 1 + 1 - 2 - 1) / 2) + 1 = floor(13.5) + 1 = 14``.

    >>> output_size(28, 3, stride=2, padding=1)
    14

    ``'same'`` pads 1 + 1 for a 3x3 kernel, so nothing is lost.

    >>> output_size(28, 3, padding="same")
    28

    Dilation 2 spreads the 3 cells over 5 pixels: ``28 - 2*(3-1) - 1 + 1 = 24``.

    >>> output_size(28, 3, dilation=2)
    24

    Rounding down: a 3-wide window with stride 2 fits a 7-pixel row at 0, 2
    and 4; at 6 it would need pixels 7 and 8, which do not exist.

    >>> output_size(7, 3, stride=2)
    3
    """
    i, k, s, padding, d = v.output_size_args(size, kernel_size, stride, padding, dilation)
    p_before, p_after = padding_sides(padding, k, s, d)
    v.check_window_fits(i, k, d, (p_before, p_after))
    return (i + p_before + p_after - d * (k - 1) - 1) // s + 1


def padding_sides(padding, kernel_size, stride=1, dilation=1) -> tuple[int, int]:
    """The zeros added before and after the input along one axis: ``(p_before, p_after)``.

    * a number ``p``: ``p`` on each side;
    * ``'valid'``: none; the window only goes where it fits inside the image;
    * ``'full'``: ``d(k - 1)`` on each side, so that every cell of the kernel
      visits every pixel (the output is ``i + d(k - 1)`` long);
    * ``'same'`` (stride 1 only): ``d(k - 1)`` in all, so that the output is
      as long as the input. When that is odd (an even kernel), the extra
      pixel goes after: at the bottom, or on the right, as in PyTorch.

    Parameters
    ----------
    padding : int, 'valid', 'same' or 'full'
    kernel_size, stride, dilation : int
        ``k``, ``s`` and ``d``, as in :func:`output_size`.

    Returns
    -------
    (int, int)
        ``(p_before, p_after)``: top and bottom for the height, left and right
        for the width.

    Examples
    --------
    >>> padding_sides(1, 3)
    (1, 1)
    >>> padding_sides("same", 3)  # 2 in all: one on each side
    (1, 1)
    >>> padding_sides("same", 4)  # 3 in all: the extra one after
    (1, 2)
    >>> padding_sides("full", 3, dilation=2)
    (4, 4)
    """
    padding, k, s, d = v.padding_args(padding, kernel_size, stride, dilation)
    reach = d * (k - 1)  # how far the last cell of the kernel is from its first
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return reach, reach
    if padding == "same":
        return reach // 2, reach - reach // 2
    return padding, padding


# ----------------------------------------------------------------------------
# both axes: the plan of a convolution or a pooling
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    """Where a kernel (or pooling window) goes on an image: the plan, for both axes.

    Every attribute is a ``(height, width)`` pair, except ``pads``.

    Attributes
    ----------
    kernel : (int, int)
        The window size (kH, kW).
    stride : (int, int)
        How far the window moves: down, and to the right.
    dilation : (int, int)
        The step between the window's cells (always (1, 1) for pooling).
    pads : ((int, int), (int, int))
        ``((top, bottom), (left, right))``: the zeros added around the input
        (:func:`padding_sides` for each axis).
    out : (int, int)
        The output size (Ho, Wo): :func:`output_size` for each axis.

    Examples
    --------
    >>> win = window_plan((28, 28), 3, stride=2, padding=1)
    >>> win.pads, win.out
    (((1, 1), (1, 1)), (14, 14))

    At output position ``(y, x)`` the window's corner sits on the padded
    input's pixel ``(y * stride[0], x * stride[1])``, and kernel cell
    ``(i, j)`` on ``(y * stride[0] + i * dilation[0], x * stride[1] + j * dilation[1])``.
    """

    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    out: tuple[int, int]

    def rows_under(self, i: int) -> slice:
        """The rows of the padded input that kernel row ``i`` touches, one per output row.

        As the window slides down, its row ``i`` visits the rows ``i*d``,
        ``i*d + s``, ``i*d + 2s``, ... (``d`` the dilation, ``s`` the stride),
        ``Ho`` of them. Fast code takes them all at once: ``xp[:, :, win.rows_under(i)]``.
        """
        return _every(self.stride[0], self.out[0], start=i * self.dilation[0])

    def columns_under(self, j: int) -> slice:
        """The columns of the padded input that kernel column ``j`` touches, one per
        output column (as :meth:`rows_under`, across)."""
        return _every(self.stride[1], self.out[1], start=j * self.dilation[1])


def _every(step: int, count: int, start: int) -> slice:
    """``count`` indices ``step`` apart from ``start``: start, start + step, ..."""
    return slice(start, start + step * (count - 1) + 1, step)


def window_plan(
    input_size, kernel_size, stride=1, padding=0, dilation=1, *, pooling=False
) -> Window:
    """Where a kernel goes on an image of ``input_size``: :func:`padding_sides` and
    :func:`output_size` for the height and the width.

    Parameters
    ----------
    input_size : int or (int, int)
        The input's (H, W).
    kernel_size, stride, dilation : int or (int, int)
    padding : int, (int, int), 'valid', 'same' or 'full'
    pooling : bool
        The plan of a pooling window: no dilation, no named paddings, at most
        half the window of padding, and ``stride=None`` means the window size.

    Returns
    -------
    Window

    Examples
    --------
    An even kernel with ``'same'`` padding: the extra row goes at the bottom.

    >>> window_plan((5, 6), (2, 3), padding="same")
    Window(kernel=(2, 3), stride=(1, 1), dilation=(1, 1), pads=((0, 1), (1, 1)), out=(5, 6))
    """
    size, kernel, stride, padding, dilation = v.window_args(
        input_size, kernel_size, stride, padding, dilation, pooling=pooling
    )
    paddings = padding if isinstance(padding, tuple) else (padding, padding)
    axes = list(zip(size, kernel, stride, paddings, dilation))  # (i, k, s, p, d), height first
    pads = tuple(padding_sides(p, k, s, d) for i, k, s, p, d in axes)
    v.check_window_fits(size, kernel, dilation, pads, "pooling window" if pooling else "kernel")
    out = tuple(output_size(i, k, s, p, d) for i, k, s, p, d in axes)
    return Window(kernel, stride, dilation, pads, out)


#: :func:`window_plan`, remembered: each plan is computed once per input size and
#: settings, then looked up. For the layers and ``conv2d``, which ask for the same few
#: plans at every step and have checked their settings already (pairs of ints, the
#: padding a pair or a name, ``pooling`` always given by name, so that one plan is
#: not remembered twice).
checked_window_plan = functools.lru_cache(maxsize=1024)(window_plan)
