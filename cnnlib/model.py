"""A network as a list of layers: :class:`Sequential`.

``forward`` runs the layers in order; ``backward`` runs them in reverse,
handing each layer the gradient of the one after it (backpropagation is the
chain rule applied layer by layer). Parameters are named the way PyTorch
names them in a ``state_dict``: ``"0.weight"`` is the weight of layer 0.

>>> from cnnlib import Sequential, Conv2D, ReLU, MaxPool2D, Flatten, Dense
>>> model = Sequential(
...     Conv2D(1, 8, 3, padding=1), ReLU(), MaxPool2D(2),
...     Flatten(), Dense(8 * 14 * 14, 10),
... )
>>> model.summary((1, 28, 28))        # doctest: +SKIP
"""

from __future__ import annotations

import os

import numpy as np

from cnnlib import _validate as v
from cnnlib.layers import (
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    MaxPool2D,
    ReLU,
)

__all__ = ["Sequential", "Summary", "reference_cnn"]


class Sequential(Layer):
    """Layers applied one after the other.

    Parameters
    ----------
    *layers : Layer
        The layers, input side first.
    seed : int
        Every new layer built without its own ``seed`` gets fresh initial
        weights drawn from ``numpy.random.default_rng((seed, index))``, so the
        whole network is reproducible from this one number and no two layers
        share their random numbers. Layers built with a seed, and layers that
        were already part of a Sequential (e.g. ``model[:3]``, or a trained
        model's layers wrapped again), keep their weights.

    Attributes
    ----------
    layers : list of Layer
    """

    def __init__(self, *layers, seed: int = 0):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                hint = (
                    " (did you forget the parentheses, e.g. ReLU()?)"
                    if isinstance(layer, type)
                    else ""
                )
                raise TypeError(f"Sequential takes layers, but argument {i} is {layer!r}{hint}")
        self.seed = v.as_int(seed, "seed", minimum=0)
        self.layers: list[Layer] = list(layers)
        self.training = True
        for i, layer in enumerate(self.layers):
            if getattr(layer, "_fresh", False):
                layer.initialize((self.seed, i))
                layer._fresh = False

    def initialize(self, seed) -> None:
        """Re-draw the initial weights of every layer built without its own seed.

        E.g. ``model.initialize(model.seed)`` to train again from the start.
        """
        for i, layer in enumerate(self.layers):
            if layer.seed is None:
                layer.initialize((seed, i))
                layer._fresh = False

    # --- container behaviour ---------------------------------------------------
    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index], seed=self.seed)
        return self.layers[index]

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self):
        lines = [f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers)]
        return "Sequential(\n" + "\n".join(lines) + "\n)"

    # --- parameters ------------------------------------------------------------
    @property
    def params(self) -> dict[str, np.ndarray]:
        """All parameters, named ``"<layer index>.<name>"`` (e.g. ``"0.weight"``).

        The arrays are the layers' own (not copies): changing them in place
        changes the network.
        """
        return {
            f"{i}.{name}": p
            for i, layer in enumerate(self.layers)
            for name, p in layer.params.items()
        }

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """Gradients of all parameters after :meth:`backward`, named like :attr:`params`."""
        return {
            f"{i}.{name}": g
            for i, layer in enumerate(self.layers)
            for name, g in layer.grads.items()
        }

    def astype(self, dtype) -> Sequential:
        for layer in self.layers:
            layer.astype(dtype)
        return self

    def train(self, mode: bool = True) -> Sequential:
        self.training = bool(mode)
        for layer in self.layers:
            layer.train(mode)
        return self

    # --- the two passes --------------------------------------------------------
    def _input(self, x):
        x = v.as_float_array(x, "x")
        dtype = self.dtype
        if dtype is not None and x.dtype != dtype:
            x = x.astype(dtype)
        return x

    def forward(self, x) -> np.ndarray:
        """Run ``x`` through every layer; e.g. (N, 1, 28, 28) -> (N, 10) class scores.

        ``x`` is cast to the parameters' dtype (float32) first. An error in a
        layer names the layer.
        """
        x = self._input(x)
        for i, layer in enumerate(self.layers):
            try:
                x = layer.forward(x)
            except (ValueError, TypeError) as err:
                raise type(err)(f"layer {i} {layer!r}: {err}") from None
        return x

    def backward(self, grad_out, input_grad: bool = True):
        """Backpropagate d(loss)/d(output) through the layers in reverse order.

        Fills every layer's ``grads`` and returns d(loss)/d(input) (None with
        ``input_grad=False``; the first layer then skips that work, which
        training does because nobody needs the gradient of the images).
        """
        g = grad_out
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not input_grad:
                if layer.params:  # Conv2D and Dense can skip their input gradient
                    return layer.backward(g, input_grad=False)
                return None
            g = layer.backward(g)
        return g

    def output_shape(self, input_shape):
        """Shape of one example's output for one example's input shape (no batch axis)."""
        shape = v.as_shape(input_shape, "input_shape")
        for i, layer in enumerate(self.layers):
            try:
                shape = layer.output_shape(shape)
            except ValueError as err:
                raise ValueError(f"layer {i} {layer!r}: {err}") from None
        return shape

    # --- using a trained network ----------------------------------------------
    def _batched(self, x, batch_size, fn):
        batch_size = v.as_batch_size(batch_size)
        x = self._input(x)
        if x.ndim == 0:
            raise ValueError("x must be a batch of examples, not a single number")
        v.check_finite(x, "x")
        if len(x) == 0:  # no examples: no answers, in the shape the answers would have
            return fn(np.zeros((0, *self.output_shape(x.shape[1:])), x.dtype))
        was_training = self.training
        self.eval()
        try:
            outs = [fn(self.forward(x[i : i + batch_size])) for i in range(0, len(x), batch_size)]
        finally:
            self.train(was_training)
        return np.concatenate(outs)

    def predict_proba(self, x, batch_size: int = 500) -> np.ndarray:
        """Class probabilities (softmax of the scores), in evaluation mode.

        x (N, C, H, W) -> (N, K); every row sums to 1. Computed ``batch_size``
        examples at a time (an int >= 1) to keep memory small. ``x`` must not
        hold NaN or infinity.
        """
        from cnnlib.ops import softmax

        return self._batched(x, batch_size, lambda z: softmax(z, axis=1))

    def predict(self, x, batch_size: int = 500) -> np.ndarray:
        """Predicted class of every example (the index of the largest score).

        x (N, C, H, W) -> int64 (N,). ``batch_size`` as in :meth:`predict_proba`.
        """
        return self._batched(x, batch_size, lambda z: z.argmax(axis=1)).astype(np.int64)

    # --- summary ---------------------------------------------------------------
    def summary(self, input_shape) -> Summary:
        """A table of the layers with their output shapes and parameter counts.

        Parameters
        ----------
        input_shape : tuple
            Shape of one example, without the batch axis, e.g. ``(1, 28, 28)``.

        Returns
        -------
        Summary
            Shows as the table in a notebook or the REPL (``print()`` it in a
            script); ``.rows`` holds one dict per layer (``index``, ``layer``,
            ``type``, ``output_shape``, ``params``) and ``.total_params`` the sum.

        Raises
        ------
        ValueError
            If a size is below 1, or a layer cannot take the shape it receives
            (the message names the layer).
        """
        input_shape = v.as_shape(input_shape, "input_shape")
        shape = input_shape
        rows = []
        for i, layer in enumerate(self.layers):
            try:
                shape = layer.output_shape(shape)
            except ValueError as err:
                raise ValueError(f"layer {i} {layer!r}: {err}") from None
            rows.append(
                {
                    "index": i,
                    "layer": repr(layer),
                    "type": type(layer).__name__,
                    "output_shape": tuple(int(s) for s in shape),
                    "params": layer.num_params,
                }
            )
        return Summary(input_shape, rows)

    # --- saving and loading ------------------------------------------------------
    def save_weights(self, path) -> None:
        """Write every parameter to a ``.npz`` file (names like ``"0.weight"``).

        The file also records each layer's ``repr``, so that loading it into a
        different network can say what differs.
        """
        arrays = dict(self.params)
        arrays["__layers__"] = np.array([repr(layer) for layer in self.layers], dtype=np.str_)
        np.savez(path, **arrays)

    def load_weights(self, path) -> Sequential:
        """Copy the parameters saved by :meth:`save_weights` into this network.

        The arrays are copied into the existing parameter arrays, so an
        optimiser built for this network keeps working. Returns the network.

        Raises
        ------
        ValueError
            If the file's parameters do not fit this network: the message names
            the layer and the shapes that differ. Nothing is changed then.
        """
        path = os.fspath(path)
        with np.load(path, allow_pickle=False) as data:
            saved = {name: data[name] for name in data.files}
        saved_layers = [str(s) for s in saved.pop("__layers__", np.array([], dtype=np.str_))]
        own = self.params
        problems = []
        for name, p in own.items():
            index = int(name.split(".")[0])
            where = f"layer {index} {self.layers[index]!r}"
            if index < len(saved_layers) and saved_layers[index] != repr(self.layers[index]):
                where += f" (the file has {saved_layers[index]} there)"
            if name not in saved:
                problems.append(f"{where}: the file has no {name!r}")
            elif saved[name].shape != p.shape:
                problems.append(
                    f"{where}: {name!r} has shape {tuple(saved[name].shape)} in the file but "
                    f"{tuple(p.shape)} in this model"
                )
        extra = sorted(set(saved) - set(own))
        if extra:
            problems.append(
                f"the file has parameters this model does not: {', '.join(extra)}"
                + (f" (the file's layers: {saved_layers})" if saved_layers else "")
            )
        if problems:
            raise ValueError(
                f"the weights in {path} do not fit this model:\n  "
                + "\n  ".join(problems)
                + "\nbuild the same architecture that saved them (same layers, sizes and order)"
            )
        for name, p in own.items():
            np.copyto(p, saved[name], casting="same_kind")
        return self


class Summary:
    """The table returned by :meth:`Sequential.summary`.

    Attributes
    ----------
    input_shape : tuple
    rows : list of dict
        ``index``, ``layer`` (its repr), ``type``, ``output_shape`` (without
        the batch axis) and ``params`` for every layer.
    total_params : int
    """

    def __init__(self, input_shape, rows):
        self.input_shape = input_shape
        self.rows = rows
        self.total_params = sum(r["params"] for r in rows)

    def __str__(self):
        def shape_text(shape):
            return "(N, " + ", ".join(str(s) for s in shape) + ")"

        header = ("#", "Layer (type)", "Output shape", "Params")
        body = [
            (str(r["index"]), r["type"], shape_text(r["output_shape"]), f"{r['params']:,}")
            for r in self.rows
        ]
        first = ("", "Input", shape_text(self.input_shape), "")
        widths = [max(len(row[k]) for row in [header, first, *body]) for k in range(4)]

        def line(row):
            return (
                f"{row[0]:>{widths[0]}}  {row[1]:<{widths[1]}}  "
                f"{row[2]:<{widths[2]}}  {row[3]:>{widths[3]}}"
            )

        rule = "=" * len(line(header))
        out = [line(header), rule, line(first), *[line(row) for row in body], rule]
        out.append(f"Total params: {self.total_params:,}")
        return "\n".join(out)

    __repr__ = __str__


def reference_cnn(seed: int = 0, dropout: float = 0.0) -> Sequential:
    """The course's MNIST network (9,098 parameters).

    Conv2D 1->8 3x3 (padding 1), ReLU, MaxPool 2, Conv2D 8->16 3x3 (padding 1),
    ReLU, MaxPool 2, Flatten, Dense 784->10. Input (N, 1, 28, 28), output
    (N, 10) class scores.

    Parameters
    ----------
    seed : int
        Seed of the initial weights (see :class:`Sequential`): the same seed
        gives the same network.
    dropout : float
        Probability of dropping a value in a :class:`~cnnlib.Dropout` layer
        between Flatten and Dense (shape (N, 784) in and out), e.g. 0.5. The
        dense layer then is layer 8 (``"8.weight"``) instead of layer 7. With
        0 (the default) there is no Dropout layer.
    """
    v.as_drop_probability(dropout, "dropout")
    layers = [
        Conv2D(1, 8, 3, padding=1),
        ReLU(),
        MaxPool2D(2),
        Conv2D(8, 16, 3, padding=1),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
    ]
    if dropout:
        layers.append(Dropout(dropout))
    layers.append(Dense(16 * 7 * 7, 10))
    return Sequential(*layers, seed=seed)
