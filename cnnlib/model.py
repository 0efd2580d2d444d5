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

import inspect
import io
import json
import os
import zipfile
import zlib
from pathlib import Path

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

    def multiply_adds(self, input_shape) -> int:
        """Multiply-adds of one example through every layer (see :meth:`Layer.multiply_adds`)."""
        return self.summary(input_shape).total_multiply_adds

    # --- summary ---------------------------------------------------------------
    def summary(self, input_shape, multiply_adds: bool = False) -> Summary:
        """A table of the layers with their output shapes and parameter counts.

        Parameters
        ----------
        input_shape : tuple
            Shape of one example, without the batch axis, e.g. ``(1, 28, 28)``.
        multiply_adds : bool
            Also show each layer's multiply-adds for one example (the work of
            a forward pass, :meth:`Layer.multiply_adds`) and their total. The
            rows hold them either way.

        Returns
        -------
        Summary
            Shows as the table in a notebook or the REPL (``print()`` it in a
            script); ``.rows`` holds one dict per layer (``index``, ``layer``,
            ``type``, ``output_shape``, ``params``, ``multiply_adds``),
            ``.total_params`` and ``.total_multiply_adds`` the sums.

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
                work = layer.multiply_adds(shape)
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
                    "multiply_adds": int(work),
                }
            )
        return Summary(input_shape, rows, multiply_adds=multiply_adds)

    # --- saving and loading ------------------------------------------------------
    def save_weights(self, path) -> Path:
        """Write every parameter, and what the network looks like, to a ``.npz`` file.

        Parameters
        ----------
        path : str or path-like
            The file to write. ``.npz`` is added to a name without it (as
            :func:`numpy.savez` does), and :meth:`load_weights` adds it the
            same way: ``save_weights("m")`` and ``load_weights("m")`` both mean
            ``m.npz``. Keep your files out of the course folder, e.g.
            ``cnnlib.user_data_dir() / "my_cnn.npz"``.

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        ValueError
            If a parameter holds NaN or infinity (training diverged); nothing
            is written then.
        TypeError
            If ``path`` is not a str or path-like.
        OSError
            If the folder does not exist (FileNotFoundError) or cannot be
            written to (e.g. PermissionError in a read-only course folder);
            the message suggests :func:`cnnlib.user_data_dir`.

        Notes
        -----
        The file holds one float array per parameter, named as in
        :attr:`params` (``"0.weight"``, ...), and ``"__architecture__"``: the
        type and settings of every layer as JSON text (e.g. ``{"type":
        "Conv2D", "settings": {"in_channels": 1, "out_channels": 8,
        "kernel_size": [3, 3], ...}}``), which :meth:`load_weights` compares
        with the network it loads into. Only plain arrays (no pickles); the
        bytes depend on nothing but the weights and the layers (no time
        stamp), and the file gets its name only once it is complete.
        """
        path = _weights_path(path)
        for name, p in self.params.items():
            v.check_finite(p, f"parameter {name!r}", fix=_DIVERGED_BEFORE_SAVING)
        description = {"format": WEIGHTS_FORMAT, "layers": _record(self.layers)}
        arrays = {**self.params, ARCHITECTURE_KEY: np.array(json.dumps(description))}
        _write_npz(path, arrays)
        return path

    def load_weights(self, path) -> Sequential:
        """Copy the parameters saved by :meth:`save_weights` into this network.

        The arrays are copied into the existing parameter arrays, so an
        optimiser built for this network keeps working. Everything is checked
        before anything is copied: after an error the network is unchanged.

        Parameters
        ----------
        path : str or path-like
            The file; ``.npz`` is added to a name without it.

        Returns
        -------
        Sequential
            This network.

        Raises
        ------
        FileNotFoundError
            If there is no such file.
        ValueError
            If the file is not a weights file written by :meth:`save_weights`,
            or is damaged; if it was saved from a different network (the
            message names the first layer that differs, in its type or in a
            setting such as ``kernel_size``, ``stride`` or ``padding``, and
            lists the layers of the network that saved it); if a parameter is
            missing, has another shape, or holds NaN or infinity.

        Notes
        -----
        Files written by cnnlib before the layers' settings were recorded list
        each layer's ``repr`` in ``"__layers__"`` instead; those texts name the
        same type and settings, and are compared with this network's. A
        setting newer than the file (one it does not record) counts with the
        value it had before it could be chosen (e.g. ``dilation=1`` for
        ``Conv2D``).
        """
        path = _weights_path(path)
        saved, recorded_layers = _read_weights(path)
        difference = _first_difference(recorded_layers, self.layers)
        if difference:
            saved_network = "\n".join(
                f"  ({i}): {_describe(layer)}" for i, layer in enumerate(recorded_layers)
            )
            raise ValueError(
                f"the weights in {path} were saved from a different network: {difference}. "
                "Build the network that saved them (same layers, settings and order) and load "
                f"them into that one; it was:\n{saved_network}"
            )
        values = _checked_values(saved, self, path)
        for name, p in self.params.items():
            np.copyto(p, values[name])
        return self


class Summary:
    """The table returned by :meth:`Sequential.summary` (and :meth:`cnnlib.CNNDesign.plan`).

    Attributes
    ----------
    input_shape : tuple
    rows : list of dict
        ``index``, ``layer`` (its repr, or a description), ``type``,
        ``output_shape`` (without the batch axis), ``params`` and
        ``multiply_adds`` (for one example) for every layer.
    total_params : int
    total_multiply_adds : int
        Multiply-adds of one example's forward pass.
    multiply_adds : bool
        Whether the printed table has the multiply-adds column.
    """

    def __init__(self, input_shape, rows, multiply_adds=False):
        self.input_shape = input_shape
        self.rows = rows
        self.multiply_adds = bool(multiply_adds)
        self.total_params = sum(r["params"] for r in rows)
        self.total_multiply_adds = sum(r.get("multiply_adds", 0) for r in rows)

    def __str__(self):
        def shape_text(shape):
            return "(N, " + ", ".join(str(s) for s in shape) + ")"

        header = ("#", "Layer (type)", "Output shape", "Params")
        body = [
            (str(r["index"]), r["type"], shape_text(r["output_shape"]), f"{r['params']:,}")
            for r in self.rows
        ]
        first = ("", "Input", shape_text(self.input_shape), "")
        if self.multiply_adds:
            header += ("Mult-adds",)
            body = [(*row, f"{r['multiply_adds']:,}") for row, r in zip(body, self.rows)]
            first += ("",)
        columns = len(header)
        widths = [max(len(row[k]) for row in [header, first, *body]) for k in range(columns)]

        def line(row):
            cells = [f"{row[0]:>{widths[0]}}", f"{row[1]:<{widths[1]}}", f"{row[2]:<{widths[2]}}"]
            cells += [f"{row[k]:>{widths[k]}}" for k in range(3, columns)]
            return "  ".join(cells)

        rule = "=" * len(line(header))
        out = [line(header), rule, line(first), *[line(row) for row in body], rule]
        out.append(f"Total params: {self.total_params:,}")
        if self.multiply_adds:
            out.append(f"Total multiply-adds per example: {self.total_multiply_adds:,}")
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


# ----------------------------------------------------------------------------
# the weights file: the machinery behind save_weights and load_weights
# ----------------------------------------------------------------------------
#: Name of the array in a weights file that describes the network (JSON text).
ARCHITECTURE_KEY = "__architecture__"
#: Layout of the weights files :meth:`Sequential.save_weights` writes, recorded
#: in each file. Files without it (format 1) list the layers' reprs in
#: ``"__layers__"``.
WEIGHTS_FORMAT = 2
_LEGACY_KEY = "__layers__"
#: Settings a layer gained after the weights files began to record settings,
#: with the value they had before they could be chosen: a file that does not
#: record one was saved from a layer with that value. They are recorded only
#: when they differ from it, so that such files stay as they were (and older
#: copies of cnnlib still read them).
_ADDED_SETTINGS = {"Conv2D": {"dilation": [1, 1]}}

_DIVERGED_BEFORE_SAVING = (
    "Training diverged (a learning rate too large is the usual cause), so these weights "
    "are useless and nothing was written: train again, e.g. with a smaller learning rate, "
    "and save the network then"
)
_DIVERGED_IN_FILE = (
    "The network had diverged when it was saved, or the file was changed: load a file "
    "saved from a network that trained well, or train again"
)


def _weights_path(path) -> Path:
    """``path`` as a Path, with ``.npz`` added to a name without it (numpy.savez's rule)."""
    v.as_path(path, "path", "a file name", "cnnlib.user_data_dir() / 'my_cnn.npz'")
    text = os.fspath(path)
    return Path(text if text.endswith(".npz") else text + ".npz").expanduser()


def _architecture(layers) -> list[dict]:
    """Type and settings of every layer, as JSON-ready dicts: what must match for weights to fit."""
    description = [{"type": type(layer).__name__, "settings": _settings(layer)} for layer in layers]
    return json.loads(json.dumps(description))  # tuples become lists, as in a file


def _record(layers) -> list[dict]:
    """:func:`_architecture` as written to a file: a setting of :data:`_ADDED_SETTINGS` is
    left out where it has its old value. A nested Sequential records its layers so too."""
    description = _architecture(layers)

    def leave_out_old_values(records):
        for layer in records:
            settings = layer["settings"]
            for key, old in _ADDED_SETTINGS.get(layer["type"], {}).items():
                if settings.get(key) == old:
                    del settings[key]
            if layer["type"] == "Sequential":
                leave_out_old_values(settings["layers"])

    leave_out_old_values(description)
    return description


def _with_added_settings(layer: dict) -> dict:
    """A recorded layer's settings, with the old value of every setting it does not record."""
    settings = layer["settings"]
    added = _ADDED_SETTINGS.get(layer["type"], {})
    return {**settings, **{key: old for key, old in added.items() if key not in settings}}


def _settings(layer) -> dict:
    """A layer's constructor arguments, read back from its attributes.

    An argument is found as the attribute of the same name, or ``use_<name>``
    (Conv2D and Dense keep ``bias`` as ``use_bias``); values that are not plain
    numbers, strings or tuples of them are left out, and so are ``seed`` and
    ``dtype``, which do not change which weights fit. A Sequential inside a
    Sequential records its layers.
    """
    if isinstance(layer, Sequential):
        return {"layers": _architecture(layer.layers)}
    settings = {}
    parameters = inspect.signature(type(layer).__init__).parameters
    for name, parameter in parameters.items():
        if name in ("self", "seed", "dtype") or parameter.kind in (
            parameter.VAR_POSITIONAL,
            parameter.VAR_KEYWORD,
        ):
            continue
        for attribute in (name, f"use_{name}"):
            if attribute in vars(layer):
                value = _plain(vars(layer)[attribute])
                if value is not None:
                    settings[name] = value
                break
    return settings


def _plain(value):
    """``value`` as JSON-ready numbers, strings and lists, or None if it is something else."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        items = [_plain(item) for item in value]
        return None if any(item is None for item in items) else items
    return None


def _describe(layer) -> str:
    """How a recorded layer reads in a message: ``Conv2D(in_channels=1, ..., padding=(1, 1))``."""
    if isinstance(layer, str):  # a file from before format 2: the layer's repr
        return layer
    settings = ", ".join(f"{k}={_show(value)}" for k, value in layer["settings"].items())
    return f"{layer['type']}({settings})"


def _show(value) -> str:
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):  # a nested Sequential
            return "[" + ", ".join(_describe(item) for item in value) + "]"
        return repr(tuple(_show_item(item) for item in value))
    return repr(value)


def _show_item(item):
    return tuple(_show_item(x) for x in item) if isinstance(item, list) else item


def _first_difference(recorded, layers) -> str | None:
    """The first place where the file's network and ``layers`` differ, in words; or None."""
    if recorded and isinstance(recorded[0], str):  # a file from before format 2
        own = [repr(layer) for layer in layers]
        for i, (theirs, mine) in enumerate(zip(recorded, own)):
            if theirs != mine:
                return f"layer {i} is {theirs} in the file but {mine} in this model"
    else:
        own = _record(layers)  # in the form files record, to compare like with like
        for i, (theirs, mine) in enumerate(zip(recorded, own)):
            if theirs["type"] != mine["type"]:
                return (
                    f"layer {i} is {_describe(theirs)} in the file but {_describe(mine)} "
                    "in this model"
                )
            file_settings, model_settings = _with_added_settings(theirs), _with_added_settings(mine)
            changed = [
                key
                for key, value in model_settings.items()
                if key in file_settings and file_settings[key] != value
            ]
            if changed:
                file_side = ", ".join(f"{k}={_show(file_settings[k])}" for k in changed)
                model_side = ", ".join(f"{k}={_show(model_settings[k])}" for k in changed)
                return (
                    f"layer {i} {mine['type']} has {file_side} in the file but {model_side} "
                    "in this model"
                )
    if len(recorded) != len(own):
        return f"the file's network has {len(recorded)} layers, this model {len(own)}"
    return None


def _read_weights(path: Path) -> tuple[dict[str, np.ndarray], list]:
    """The parameter arrays of a weights file, and its record of the layers.

    The record is a list of ``{"type", "settings"}`` dicts, or for a file from
    before format 2 the layers' reprs.
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"there is no weights file {path} (the current folder is {Path.cwd()}); check the "
            "name and the folder (save_weights and load_weights add .npz to a name without it)"
        )
    not_weights = (
        f"{path} is not a weights file written by Sequential.save_weights, or it is damaged"
    )
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{not_weights}: it is not a .npz archive")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(
            f"{not_weights}: it cannot be read as an archive of plain arrays ({type(err).__name__})"
        ) from None
    if ARCHITECTURE_KEY in arrays:
        try:
            description = json.loads(arrays.pop(ARCHITECTURE_KEY).item())
            file_format, layers = int(description["format"]), list(description["layers"])
        except (ValueError, KeyError, TypeError):
            file_format, layers = 0, None
        if layers is None or not all(
            isinstance(layer, dict)
            and isinstance(layer.get("type"), str)
            and isinstance(layer.get("settings"), dict)
            for layer in layers
        ):
            raise ValueError(f"{not_weights}: its description of the network is unreadable")
        if file_format > WEIGHTS_FORMAT:
            raise ValueError(
                f"{path} was written by a newer cnnlib (weights format {file_format}, this one "
                f"reads up to {WEIGHTS_FORMAT}); update cnnlib (git pull in the course folder)"
            )
        return arrays, layers
    if _LEGACY_KEY in arrays:
        return arrays, [str(text) for text in arrays.pop(_LEGACY_KEY)]
    raise ValueError(
        f"{not_weights}: it does not say which network its weights belong to (no "
        f"{ARCHITECTURE_KEY!r}), and weights of the right shapes from another network would "
        "load without complaint and give wrong answers. Load a file written by save_weights"
    )


def _checked_values(saved: dict[str, np.ndarray], model: Sequential, path: Path) -> dict:
    """The file's arrays, checked against ``model``'s parameters and cast to their dtype."""
    own = model.params
    problems = []
    for name, p in own.items():
        index = int(name.split(".")[0])
        where = f"layer {index} {model.layers[index]!r}"
        if name not in saved:
            problems.append(f"{where}: the file has no {name!r}")
        elif saved[name].shape != p.shape:
            problems.append(
                f"{where}: {name!r} has shape {tuple(saved[name].shape)} in the file but "
                f"{tuple(p.shape)} in this model"
            )
        elif saved[name].dtype.kind != "f":
            problems.append(f"{where}: {name!r} holds {saved[name].dtype} in the file, not floats")
    extra = sorted(set(saved) - set(own))
    if extra:
        problems.append(f"the file has parameters this model does not: {', '.join(extra)}")
    if problems:
        raise ValueError(
            f"the weights in {path} do not fit this model:\n  "
            + "\n  ".join(problems)
            + "\nbuild the same architecture that saved them (same layers, sizes and order)"
        )
    for name in own:
        v.check_finite(saved[name], f"{name!r} in {path}", fix=_DIVERGED_IN_FILE)
    return {name: saved[name].astype(p.dtype, copy=False) for name, p in own.items()}


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an uncompressed ``.npz``, like numpy.savez, but reproducibly.

    Every member gets the same fixed time stamp (numpy.savez stamps the current
    time), so the same arrays give the same bytes. The archive is written
    under a temporary name and renamed when complete: an interrupted save
    never leaves half a file, nor spoils an older file of the same name.
    """
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot save to {path}: the folder {path.parent} does not exist; create it first "
            "or save into cnnlib.user_data_dir()"
        )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.create_system = 3  # "unix", whatever system saves
                info.external_attr = 0o644 << 16
                archive.writestr(info, buffer.getvalue())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise type(err)(
            f"cannot write {path} ({err.strerror or err}); save into a folder you can write to, "
            f"e.g. model.save_weights(cnnlib.user_data_dir() / {path.name!r})"
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
