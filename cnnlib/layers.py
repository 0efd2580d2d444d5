"""The layers of a CNN, each with a forward and a backward pass.

Every layer works the same way:

* ``out = layer.forward(x)`` (or simply ``layer(x)``) computes the output and
  remembers what the backward pass will need;
* ``grad_x = layer.backward(grad_out)`` takes the gradient of the loss with
  respect to the layer's output and returns the gradient with respect to its
  input (the chain rule, one layer at a time). Layers with weights also fill
  ``layer.grads`` with the gradient of every parameter;
* ``layer.params`` and ``layer.grads`` are dicts keyed ``"weight"`` and
  ``"bias"`` holding arrays of PyTorch's shapes: a :class:`Conv2D` weight is
  ``(F, C, kH, kW)``, a :class:`Dense` weight is ``(out, in)``. ``backward``
  *overwrites* ``grads`` (PyTorch adds to them instead, which is why PyTorch
  code calls ``zero_grad()``);
* ``layer.train()`` / ``layer.eval()`` switch between training and evaluation
  behaviour; only :class:`Dropout` behaves differently.

Initial weights are random and seeded: ``Conv2D(1, 8, 3, seed=1)`` gives the
same weights every time. :class:`cnnlib.Sequential` hands every layer built
without a seed its own seed, so a whole network is reproducible from one
number. Weights are float32, like PyTorch's: half the memory of float64 and
faster, and precise enough for learning. The gradient checker converts a
layer to float64 with :meth:`Layer.astype`.

Shapes inside a network follow PyTorch: ``(N, C, H, W)`` for images (batch,
channels, height, width) and ``(N, features)`` after :class:`Flatten`.

The layers check their arguments when they are built and the shape of what
they are given, but not whether it holds NaN or infinity: inside a network a
NaN means the weights blew up (a learning rate too large), which the trainer
notices in the loss and explains; the data going into a network is checked
where it enters (:func:`cnnlib.fit`, ``predict``, :func:`cnnlib.evaluate`).
Skipping the check also keeps training from paying for an extra pass over
every batch.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _conv_grad, geometry, ops
from cnnlib import _validate as v

__all__ = [
    "Layer",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Flatten",
    "Dense",
    "Dropout",
]


# ----------------------------------------------------------------------------
# the common interface
# ----------------------------------------------------------------------------
class Layer:
    """Base class of all layers: the interface every layer shares.

    Attributes
    ----------
    params : dict of str -> array
        The learnable parameters (empty for layers without any).
    grads : dict of str -> array
        Gradient of the loss with respect to each parameter, same keys and
        shapes as ``params``; filled by :meth:`backward`.
    training : bool
        True in training mode (the default), False after :meth:`eval`.
    seed : int or None
        The seed given when the layer was built (None: a :class:`Sequential`
        hands one out).
    """

    def __init__(self, seed=None):
        if seed is not None:
            seed = v.as_int(seed, "seed", minimum=0)
        self.seed = seed
        self._fresh = seed is None  # default weights, not yet given a seed by a Sequential
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training = True

    # --- the two passes --------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the layer's output for a batch ``x``."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Given d(loss)/d(output), fill ``grads`` and return d(loss)/d(input)."""
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def __getattr__(self, name):
        # only called for attributes that do not exist: what forward saves for backward
        if name in _SAVED_BY_FORWARD:
            raise RuntimeError(
                f"{type(self).__name__}.backward needs what the forward pass saw: "
                "call forward(x) first"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # --- modes, initialisation, bookkeeping --------------------------------------
    def train(self, mode: bool = True) -> Layer:
        """Switch to training mode (or to evaluation mode with ``mode=False``)."""
        self.training = bool(mode)
        return self

    def eval(self) -> Layer:
        """Switch to evaluation mode (Dropout stops dropping)."""
        return self.train(False)

    def initialize(self, seed) -> None:
        """Draw fresh initial weights (or reset the random generator) from ``seed``.

        ``seed`` is anything :func:`numpy.random.default_rng` accepts. Layers
        without randomness ignore it.
        """

    def output_shape(self, input_shape: tuple) -> tuple:
        """Shape of one example's output for one example's input shape (no batch axis).

        Raises ``ValueError`` if the layer cannot take such an input.
        """
        return tuple(input_shape)

    @property
    def num_params(self) -> int:
        """Number of learnable numbers in the layer."""
        return sum(int(p.size) for p in self.params.values())

    def multiply_adds(self, input_shape: tuple) -> int:
        """Multiply-adds for one example of shape ``input_shape`` (no batch axis).

        A multiply-add is one input value multiplied by one weight and added
        into a sum: the work that dominates a network's running time. Layers
        without weights (pooling, activations, Flatten, Dropout) count 0:
        they compare, average or move each value once, little next to the
        convolutions. :class:`Conv2D` and :class:`Dense` give their formulas.
        Biases, added once per output value, are not counted.
        """
        return 0

    @property
    def dtype(self):
        """Floating dtype of the parameters (None for layers without any)."""
        for p in self.params.values():
            return p.dtype
        return None

    def astype(self, dtype) -> Layer:
        """Convert the parameters (and gradients) to ``dtype``, in place; returns the layer."""
        if hasattr(self, "_dtype"):
            self._dtype = _check_dtype(dtype)
        for name in self.params:
            self.params[name] = self.params[name].astype(dtype)
            if name in self.grads:
                self.grads[name] = self.grads[name].astype(dtype)
        return self

    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of ``repr(layer)``."""
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    # --- helpers for subclasses ----------------------------------------------
    def _input(self, x, ndim: int, layout: str) -> np.ndarray:
        """Check that ``x`` is a float array with ``ndim`` axes; cast it to the params' dtype."""
        x = v.as_float_array(x, "x")
        if x.ndim != ndim:
            hint = "for a single example add the batch axis, e.g. x[None]"
            if ndim == 2 and x.ndim > 2:
                hint = "put a Flatten() layer before it"
            elif ndim == 4 and x.ndim == 2:
                hint = "it gets one vector per example; convolution and pooling need images"
            raise ValueError(
                f"{self!r} expects x of shape {layout}, but x has shape {tuple(x.shape)}; {hint}"
            )
        if self.dtype is not None and x.dtype != self.dtype:
            x = x.astype(self.dtype)
        return x


#: What layers remember from forward for backward (see Layer.__getattr__).
_SAVED_BY_FORWARD = {"_x", "_win", "_out", "_mask", "_positive", "_x_shape"}


def _rng(seed):
    return np.random.default_rng(0 if seed is None else seed)


def _he_normal(rng, shape, fan_in, dtype):
    """He/Kaiming initialisation: normal with standard deviation sqrt(2 / fan_in).

    With this spread the signal keeps roughly the same size from layer to
    layer in a ReLU network (ReLU zeroes half of it, the factor 2 makes up for
    that), so deep networks start training instead of fading out or blowing up.
    """
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating type such as np.float32, but is {dtype}")
    return dtype


def _check_weight_memory(shape, dtype, fix):
    """Refuse a weight too big for memory before drawing it (with its float64 draft)."""
    count = int(np.prod(shape, dtype=object))
    shown = " x ".join(map(str, shape))
    v.check_memory(count * (8 + dtype.itemsize), f"a weight of {shown} numbers", fix)


# ----------------------------------------------------------------------------
# convolution
# ----------------------------------------------------------------------------
class Conv2D(Layer):
    """2-D convolution layer: ``out_channels`` learnable filters slid over the input.

    Parameters
    ----------
    in_channels : int
        Channels ``C`` of the input (1 for grey images, 3 for colour).
    out_channels : int
        Number of filters ``F``, i.e. channels of the output.
    kernel_size : int or (int, int)
    stride : int or (int, int)
    padding : int, (int, int), 'valid', 'same' or 'full'
        Zeros added around the input (see :func:`cnnlib.conv2d` and
        :func:`cnnlib.geometry.padding_sides`).
    dilation : int or (int, int)
        Step between the kernel's cells (1 = side by side, as usual; 2 spreads
        a 3x3 kernel over 5x5 pixels with the same 9 weights).
    bias : bool
        Learn one bias per filter (default True).
    seed : int, optional
        Seed of the initial weights (He normal, bias 0).
    dtype : floating dtype
        Of the parameters (float32).

    Shapes
    ------
    x (N, C, H, W) -> out (N, F, Ho, Wo), with ``Ho = output_size(H, kH, stride,
    padding, dilation)`` (:func:`cnnlib.geometry.output_size`);
    ``params["weight"]`` (F, C, kH, kW), ``params["bias"]`` (F,).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        bias: bool = True,
        seed=None,
        dtype=np.float32,
    ):
        super().__init__(seed)
        self.in_channels = v.as_int(in_channels, "in_channels", minimum=1)
        self.out_channels = v.as_int(out_channels, "out_channels", minimum=1)
        settings = v.window_settings(kernel_size, stride, padding, dilation)
        self.kernel_size, self.stride, _, self.dilation = settings
        # a padding name is kept as written ('same', 'SAME'): the layer's repr and its
        # record in saved weights show it so
        self.padding = padding if isinstance(padding, str) else settings[2]
        self.use_bias = v.as_bool(bias, "bias")
        self._dtype = _check_dtype(dtype)
        _check_weight_memory(
            (self.out_channels, self.in_channels, *self.kernel_size),
            self._dtype,
            "use fewer channels or a smaller kernel_size",
        )
        self._workspace = _conv_grad.Workspace()  # scratch arrays reused by backward
        self.initialize(seed)

    def initialize(self, seed) -> None:
        rng = _rng(seed)
        f, c, (kh, kw) = self.out_channels, self.in_channels, self.kernel_size
        self.params = {"weight": _he_normal(rng, (f, c, kh, kw), c * kh * kw, self._dtype)}
        if self.use_bias:
            self.params["bias"] = np.zeros(f, dtype=self._dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def _window(self, hw) -> geometry.Window:
        """Where the kernel goes on an input of height and width ``hw``."""
        return geometry.checked_window_plan(
            hw, self.kernel_size, self.stride, self.padding, self.dilation, pooling=False
        )

    def _check_channels(self, channels: int, shape) -> None:
        if channels != self.in_channels:
            fix = (
                "convert colour images to grey first, or build "
                if self.in_channels == 1
                else "build "
            )
            raise ValueError(
                f"{self!r} was built for {self.in_channels} input channel(s), but x has "
                f"{channels} (shape {tuple(shape)}); {fix}the layer with "
                f"in_channels={channels}"
            )

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"{self!r} takes images of shape (C, H, W) per example, but gets "
                f"{tuple(input_shape)}"
            )
        self._check_channels(input_shape[0], (None, *input_shape))
        return (self.out_channels, *self._window(tuple(input_shape[1:])).out)

    def multiply_adds(self, input_shape):
        """``Ho * Wo * F * C * kH * kW`` for one image of shape (C, H, W).

        At each of the ``Ho * Wo`` output positions, each of the ``F``
        filters multiplies its ``C * kH * kW`` weights with the pixels under
        them and adds the products. Padded zeros count too (the loop does not
        skip them), as in the usual way of counting.
        """
        _, ho, wo = self.output_shape(input_shape)
        kh, kw = self.kernel_size
        return ho * wo * self.out_channels * self.in_channels * kh * kw

    def forward(self, x):
        """Convolve the batch with every filter; x (N, C, H, W) -> (N, F, Ho, Wo)."""
        x = self._input(x, 4, "(N, C, H, W)")
        self._check_channels(x.shape[1], x.shape)
        win = self._window(x.shape[2:])
        out = ops._conv2d_batched(x, self.params["weight"], win)  # the fast path of cnnlib.ops
        if self.use_bias:
            out += self.params["bias"][None, :, None, None]
        self._x, self._win = x, win
        return out

    def backward(self, grad_out, input_grad: bool = True):
        """Weight, bias and input gradients; grad_out (N, F, Ho, Wo) -> (N, C, H, W).

        Read :func:`cnnlib.reference.conv2d_backward` for what is computed, as
        plain loops: a weight's gradient is the sum over every position it
        visited and every image of the batch; a pixel's, the sum over every
        window it was in. Here the same sums are matrix products
        (:mod:`cnnlib._conv_grad`). ``input_grad=False`` skips the input
        gradient (returns None): the first layer of a network does not need it.
        """
        x, win = self._x, self._win
        grad_out = np.asarray(grad_out, dtype=x.dtype)
        grad_weight, grad_x = _conv_grad.conv2d_backward(
            x, self.params["weight"], grad_out, win, input_grad, self._workspace
        )
        self.grads["weight"] = grad_weight
        if self.use_bias:
            self.grads["bias"] = grad_out.sum(axis=(0, 2, 3))
        return grad_x

    def extra_repr(self):
        pad = self.padding
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if pad != (0, 0):
            text += f", padding={pad!r}" if isinstance(pad, str) else f", padding={pad}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if not self.use_bias:
            text += ", bias=False"
        return text


# ----------------------------------------------------------------------------
# pooling
# ----------------------------------------------------------------------------
class _Pool2D(Layer):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        settings = v.window_settings(kernel_size, stride, padding, 1, pooling=True)
        self.kernel_size, self.stride, self.padding, _ = settings

    def _window(self, hw) -> geometry.Window:
        """Where the pooling window goes on an input of height and width ``hw``."""
        return geometry.checked_window_plan(
            hw, self.kernel_size, self.stride, self.padding, (1, 1), pooling=True
        )

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"{self!r} takes images of shape (C, H, W) per example, but gets "
                f"{tuple(input_shape)}"
            )
        return (input_shape[0], *self._window(tuple(input_shape[1:])).out)

    def extra_repr(self):
        def show(pair):
            return pair[0] if pair[0] == pair[1] else pair

        return (
            f"kernel_size={show(self.kernel_size)}, stride={show(self.stride)}, "
            f"padding={show(self.padding)}"
        )


class MaxPool2D(_Pool2D):
    """Max pooling: keep the largest value of every window, channel by channel.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (windows side by side, no overlap).
    padding : int or (int, int)
        Implicit -infinity padding, at most half the window.

    Shapes
    ------
    x (N, C, H, W) -> out (N, C, Ho, Wo). No parameters.

    The backward pass sends each output's gradient to the one pixel that was
    the maximum of its window; the others get 0.
    """

    def forward(self, x):
        """x (N, C, H, W) -> (N, C, Ho, Wo)."""
        x = self._input(x, 4, "(N, C, H, W)")
        out = ops._max_pool2d_batched(x, self._window(x.shape[2:]))  # ops' fast path
        self._x, self._out = x, out
        return out

    def backward(self, grad_out):
        """grad_out (N, C, Ho, Wo) -> (N, C, H, W).

        Each gradient goes whole to the pixel that won its window (the first
        maximum in reading order on ties); the plain loops are
        :func:`cnnlib.reference.max_pool2d_backward`.
        """
        grad_out = np.asarray(grad_out, dtype=self._out.dtype)
        win = self._window(self._x.shape[2:])
        return _conv_grad.max_pool2d_backward(grad_out, self._x, self._out, win)


class AvgPool2D(_Pool2D):
    """Average pooling: keep the mean of every window, channel by channel.

    Same parameters as :class:`MaxPool2D`; padded zeros count in the mean.

    Shapes
    ------
    x (N, C, H, W) -> out (N, C, Ho, Wo). No parameters.

    The backward pass shares each output's gradient equally among the
    ``kH * kW`` pixels of its window.
    """

    def forward(self, x):
        """x (N, C, H, W) -> (N, C, Ho, Wo)."""
        x = self._input(x, 4, "(N, C, H, W)")
        self._x_shape = x.shape
        return ops._avg_pool2d_batched(x, self._window(x.shape[2:]))  # ops' fast path

    def backward(self, grad_out):
        """grad_out (N, C, Ho, Wo) -> (N, C, H, W).

        Each gradient is shared equally among the ``kH * kW`` cells of its
        window (shares on padding are dropped); the plain loops are
        :func:`cnnlib.reference.avg_pool2d_backward`.
        """
        grad_out = np.asarray(grad_out, dtype=np.result_type(grad_out, np.float32))
        win = self._window(self._x_shape[2:])
        return _conv_grad.avg_pool2d_backward(grad_out, self._x_shape, win)


# ----------------------------------------------------------------------------
# activations (element-wise, any shape, no parameters)
# ----------------------------------------------------------------------------
class ReLU(Layer):
    """ReLU(x) = max(0, x). Any shape in, same shape out.

    Backward: the gradient passes where the input was positive and is 0 elsewhere.
    """

    def forward(self, x):
        x = v.as_float_array(x, "x")
        out = np.maximum(x, 0, dtype=x.dtype)
        self._mask = out > 0
        return out

    def backward(self, grad_out):
        return grad_out * self._mask


class LeakyReLU(Layer):
    """x for x > 0, ``negative_slope * x`` otherwise. Any shape.

    Backward: slope 1 where the input was positive, ``negative_slope`` elsewhere,
    so a negative input still lets a little gradient through.
    """

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = v.as_negative_slope(negative_slope)

    def forward(self, x):
        x = v.as_float_array(x, "x")
        self._positive = x > 0
        return np.where(self._positive, x, x * x.dtype.type(self.negative_slope))

    def backward(self, grad_out):
        slope = np.where(self._positive, 1, self.negative_slope).astype(grad_out.dtype)
        return grad_out * slope

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Layer):
    """sigmoid(x) = 1 / (1 + exp(-x)), squashing into (0, 1). Any shape.

    Backward: the slope is ``s * (1 - s)`` with ``s`` the output; at most 0.25
    (at x = 0) and nearly 0 for large |x| (the function saturates).
    """

    def forward(self, x):
        x = v.as_float_array(x, "x")
        e = np.exp(-np.abs(x))  # as cnnlib.sigmoid computes it: no exponential overflows
        self._out = np.where(x >= 0, 1, e) / (1 + e)
        return self._out

    def backward(self, grad_out):
        s = self._out
        return grad_out * s * (1 - s)


class Tanh(Layer):
    """tanh(x), squashing into (-1, 1). Any shape.

    Backward: the slope is ``1 - t**2`` with ``t`` the output; 1 at x = 0,
    nearly 0 for large |x|.
    """

    def forward(self, x):
        self._out = np.tanh(v.as_float_array(x, "x"))
        return self._out

    def backward(self, grad_out):
        return grad_out * (1 - self._out**2)


# ----------------------------------------------------------------------------
# reshaping, dense, dropout
# ----------------------------------------------------------------------------
class Flatten(Layer):
    """Turn every example into one long vector: (N, C, H, W) -> (N, C*H*W).

    Backward reshapes the gradient back to the input's shape; nothing else
    happens, because flattening only changes how the numbers are arranged.
    """

    def forward(self, x):
        x = v.as_float_array(x, "x")
        if x.ndim < 2:
            raise ValueError(
                f"Flatten expects a batch (N, ...), but x has shape {tuple(x.shape)}; "
                "add the batch axis, e.g. x[None]"
            )
        self._x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out):
        return grad_out.reshape(self._x_shape)

    def output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)


class Dense(Layer):
    """Fully connected layer: every output is a weighted sum of every input plus a bias.

    ``out = x @ weight.T + bias``

    Parameters
    ----------
    in_features, out_features : int
    bias : bool
        Learn one bias per output (default True).
    seed : int, optional
        Seed of the initial weights (He normal, bias 0).
    dtype : floating dtype
        Of the parameters (float32).

    Shapes
    ------
    x (N, in_features) -> out (N, out_features);
    ``params["weight"]`` (out_features, in_features), ``params["bias"]`` (out_features,).
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, seed=None, dtype=np.float32
    ):
        super().__init__(seed)
        self.in_features = v.as_int(in_features, "in_features", minimum=1)
        self.out_features = v.as_int(out_features, "out_features", minimum=1)
        self.use_bias = v.as_bool(bias, "bias")
        self._dtype = _check_dtype(dtype)
        _check_weight_memory(
            (self.out_features, self.in_features), self._dtype, "use fewer features"
        )
        self.initialize(seed)

    def initialize(self, seed) -> None:
        rng = _rng(seed)
        shape = (self.out_features, self.in_features)
        self.params = {"weight": _he_normal(rng, shape, self.in_features, self._dtype)}
        if self.use_bias:
            self.params["bias"] = np.zeros(self.out_features, dtype=self._dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def _check_features(self, features, shape):
        if features != self.in_features:
            raise ValueError(
                f"{self!r} was built for {self.in_features} input features, but x has "
                f"{features} (shape {tuple(shape)}); build it as "
                f"Dense({features}, {self.out_features}), or check the layers before it"
            )

    def output_shape(self, input_shape):
        if len(input_shape) != 1:
            raise ValueError(
                f"{self!r} takes a vector per example, but gets shape {tuple(input_shape)}; "
                "put a Flatten() layer before it"
            )
        self._check_features(input_shape[0], (None, *input_shape))
        return (self.out_features,)

    def multiply_adds(self, input_shape):
        """``in_features * out_features``: every output is a weighted sum of every input."""
        self.output_shape(input_shape)  # checks that the input fits
        return self.in_features * self.out_features

    def forward(self, x):
        """x (N, in_features) -> (N, out_features)."""
        x = self._input(x, 2, f"(N, {self.in_features})")
        self._check_features(x.shape[1], x.shape)
        self._x = x
        out = x @ self.params["weight"].T
        if self.use_bias:
            out += self.params["bias"]
        return out

    def backward(self, grad_out, input_grad: bool = True):
        """grad_out (N, out_features) -> (N, in_features); fills ``grads``.

        ``dW = grad_out.T @ x``, ``db = grad_out summed over the batch``,
        ``dx = grad_out @ W``: the sums of :func:`cnnlib.reference.dense_backward`,
        written there as plain loops. ``input_grad=False`` skips ``dx`` (returns None).
        """
        grad_out = np.asarray(grad_out, dtype=self._x.dtype)
        self.grads["weight"] = grad_out.T @ self._x
        if self.use_bias:
            self.grads["bias"] = grad_out.sum(axis=0)
        if not input_grad:
            return None
        return grad_out @ self.params["weight"]

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.use_bias}"
        )


class Dropout(Layer):
    """Randomly zero a fraction ``p`` of the values while training.

    In training mode each value is kept with probability ``1 - p`` and scaled
    by ``1 / (1 - p)`` so that the expected sum stays the same ("inverted
    dropout", as in PyTorch); in evaluation mode the layer does nothing. The
    network cannot rely on any single value, which reduces overfitting.

    Parameters
    ----------
    p : float
        Probability of dropping a value, 0 <= p < 1 (default 0.5).
    seed : int, optional
        Seed of the generator that draws the masks.

    Attributes
    ----------
    rng : numpy.random.Generator
        Draws the masks.

    Shapes
    ------
    Any shape in, same shape out.
    """

    def __init__(self, p: float = 0.5, seed=None):
        super().__init__(seed)
        self.p = v.as_drop_probability(p, "p")
        self.initialize(seed)

    def initialize(self, seed) -> None:
        self.rng = _rng(seed)

    def forward(self, x):
        x = v.as_float_array(x, "x")
        if not self.training or self.p == 0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self._mask = keep.astype(x.dtype) / x.dtype.type(1 - self.p)
        return x * self._mask

    def backward(self, grad_out):
        if self._mask is None:
            return grad_out
        return grad_out * self._mask

    def extra_repr(self):
        return f"p={self.p}"
