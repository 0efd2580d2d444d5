"""The same network in PyTorch: source code and weights from a cnnlib model.

:func:`to_pytorch` writes the Python source of a ``torch.nn.Module`` named
``Net`` with the layers of a :class:`cnnlib.Sequential`, one PyTorch layer for
each cnnlib layer and in the same order; :func:`pytorch_translation` lists the
two side by side, layer by layer; :func:`torch_state_dict` gives the model's
weights under the names ``Net`` uses for them::

    >>> from cnnlib import load_pretrained, to_pytorch, torch_state_dict
    >>> model = load_pretrained()
    >>> print(to_pytorch(model))                      # doctest: +SKIP
    >>> weights = torch_state_dict(model)             # {"features.0.weight": array, ...}

With PyTorch installed, the two make a network that computes what the cnnlib
one computes (up to float rounding)::

    import torch
    namespace = {}
    exec(to_pytorch(model), namespace)                # or save the source to net.py
    net = namespace["Net"]()
    net.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    net.eval()

The weights need no conversion: cnnlib stores them in PyTorch's shapes (a
convolution weight is (F, C, kH, kW), a dense weight (out, in)). Nothing here
imports PyTorch.

Each cnnlib layer has an exact counterpart, apart from one setting:
``Conv2D(..., padding="same")`` with an even kernel pads one row (column) more
at the bottom (right) than at the top (left). PyTorch's ``padding="same"``
does the same but warns that it copies the input to do so; the generated code
says it explicitly instead, with an ``nn.ZeroPad2d`` before the convolution.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass, field

import numpy as np

from cnnlib import _validate as v
from cnnlib.geometry import padding_sides
from cnnlib.layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Tanh,
)
from cnnlib.model import Sequential

__all__ = ["PyTorchSource", "Translation", "pytorch_translation", "to_pytorch", "torch_state_dict"]

#: Longest line written: ruff's (and black's) default, below the course's own 100,
#: so the generated file passes ruff under either setting.
LINE_LENGTH = 88

#: Stands for a space that must not break a line (textwrap breaks only at ASCII spaces).
_GLUE = "\N{NO-BREAK SPACE}"

#: Largest square image tried when working out the input size a model expects.
_LARGEST_SIDE = 512


class PyTorchSource(str):
    """Python source code: a ``str`` that a notebook shows as highlighted code.

    Everything a string does works: ``print(source)``, writing it to a file
    (``Path("net.py").write_text(source)``), ``exec(source, namespace)``.
    As the last value of a notebook cell it is shown as a Python code block
    with syntax highlighting (and as plain text in IPython's terminal).
    """

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        return f"```python\n{self}```"

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's text view: the code itself
        printer.text(str(self))


# ----------------------------------------------------------------------------
# the translation: one cnnlib layer -> one (or two) PyTorch modules
# ----------------------------------------------------------------------------
@dataclass
class _Module:
    """One PyTorch module of ``Net``: how to build it, and which weights it takes."""

    name: str  # e.g. "nn.Conv2d"
    args: list[str]  # e.g. ["1", "8", "kernel_size=3", "padding=1"]
    layer: Layer  # the cnnlib layer it comes from
    where: str  # that layer's name in the model, as in model.params ("0", "2.1", ...)
    notes: list[str] = field(default_factory=list)  # comments written beside it
    weights: bool = False  # True: takes the layer's params (weight, bias)
    shape_change: bool = True  # False: element-wise, same shape out as in

    @property
    def code(self) -> str:
        return f"{self.name}({', '.join(self.args)})"


def _pair(pair: tuple[int, int]) -> str:
    """``3`` for (3, 3), ``(3, 5)`` otherwise: how PyTorch code usually writes sizes."""
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _conv2d(layer: Conv2D, where: str) -> list[_Module]:
    args = [
        str(layer.in_channels),
        str(layer.out_channels),
        f"kernel_size={_pair(layer.kernel_size)}",
    ]
    if layer.stride != (1, 1):
        args.append(f"stride={_pair(layer.stride)}")
    notes, before = [], []
    padding = layer.padding
    if isinstance(padding, str):
        mode = padding.lower()
        (top, bottom), (left, right) = _padding_sides(layer)
        if mode == "full":  # dilation * (kernel_size - 1) on every side: a number in PyTorch
            args.append(f"padding={_pair((top, left))}")
            reach = (
                "kernel_size - 1" if layer.dilation == (1, 1) else "dilation * (kernel_size - 1)"
            )
            notes.append(f"padding='full': {reach} on every side")
        elif top == bottom and left == right:  # 'valid', and 'same' with an odd kernel
            args.append(f'padding="{mode}"')
        else:  # 'same' with an even kernel: one more row/column at the bottom/right
            before.append(
                _Module(
                    "nn.ZeroPad2d",
                    [f"({left}, {right}, {top}, {bottom})"],
                    layer,
                    where,
                    notes=["the next Conv2d's padding='same' (left, right, top, bottom)"],
                )
            )
    elif padding != (0, 0):
        args.append(f"padding={_pair(padding)}")
    if layer.dilation != (1, 1):
        args.append(f"dilation={_pair(layer.dilation)}")
    if not layer.use_bias:
        args.append("bias=False")
    return [*before, _Module("nn.Conv2d", args, layer, where, notes, weights=True)]


def _padding_sides(layer: Conv2D) -> tuple[tuple[int, int], tuple[int, int]]:
    """``((top, bottom), (left, right))``: the zeros a convolution with a named padding adds."""
    settings = zip(layer.kernel_size, layer.stride, layer.dilation)
    return tuple(padding_sides(layer.padding, k, s, d) for k, s, d in settings)


def _pool2d(layer: MaxPool2D | AvgPool2D, where: str) -> list[_Module]:
    # PyTorch's defaults are cnnlib's: stride = kernel_size, the output size rounded down
    # (ceil_mode=False), and for average pooling padded zeros counted in the mean
    # (count_include_pad=True); MaxPool2d pads with -infinity as MaxPool2D does.
    args = [f"kernel_size={_pair(layer.kernel_size)}"]
    if layer.stride != layer.kernel_size:
        args.append(f"stride={_pair(layer.stride)}")
    if layer.padding != (0, 0):
        args.append(f"padding={_pair(layer.padding)}")
    name = "nn.MaxPool2d" if type(layer) is MaxPool2D else "nn.AvgPool2d"
    return [_Module(name, args, layer, where)]


def _number(value: float, what: str, layer: Layer, where: str) -> str:
    """A float written so that Python reads back the very same number."""
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(
            f"layer {where} {layer!r}: {what} is {value}, which no network can compute with; "
            f"build the layer with a finite {what}"
        )
    return repr(value)


def _leaky_relu(layer: LeakyReLU, where: str) -> list[_Module]:
    slope = _number(layer.negative_slope, "negative_slope", layer, where)
    return [_Module("nn.LeakyReLU", [f"negative_slope={slope}"], layer, where, shape_change=False)]


def _dropout(layer: Dropout, where: str) -> list[_Module]:
    # the same inverted dropout: drop with probability p, scale the rest by 1 / (1 - p)
    p = _number(layer.p, "p", layer, where)
    return [_Module("nn.Dropout", [f"p={p}"], layer, where, shape_change=False)]


def _dense(layer: Dense, where: str) -> list[_Module]:
    args = [str(layer.in_features), str(layer.out_features)]
    if not layer.use_bias:
        args.append("bias=False")
    return [_Module("nn.Linear", args, layer, where, weights=True)]


def _simple(name: str, shape_change: bool = False):
    def convert(layer: Layer, where: str) -> list[_Module]:
        return [_Module(name, [], layer, where, shape_change=shape_change)]

    return convert


#: cnnlib layer class -> its translation. Exact classes only: a subclass may compute
#: something else, so it is refused rather than translated as its parent.
_CONVERTERS = {
    Conv2D: _conv2d,
    MaxPool2D: _pool2d,
    AvgPool2D: _pool2d,
    ReLU: _simple("nn.ReLU"),
    LeakyReLU: _leaky_relu,
    Sigmoid: _simple("nn.Sigmoid"),
    Tanh: _simple("nn.Tanh"),
    Flatten: _simple("nn.Flatten", shape_change=True),
    Dense: _dense,
    Dropout: _dropout,
}


def _layers(model, name: str = "model") -> list[tuple[str, Layer]]:
    """The model's layers with their names, nested Sequentials opened up.

    ``model[2][1]`` is named ``"2.1"``, as in ``model.params``.
    """
    if not isinstance(model, Sequential):
        if isinstance(model, Layer):
            hint = f"wrap the layer in a network first: Sequential({model!r})"
        elif type(model).__module__.startswith("torch"):
            hint = "it already is a PyTorch object"
        else:
            hint = "build one with cnnlib.Sequential(...) or cnnlib.reference_cnn()"
        raise TypeError(f"{name} must be a cnnlib Sequential, but is {model!r}; {hint}")
    found = []
    for i, layer in enumerate(model.layers):
        if isinstance(layer, Sequential):
            found += [(f"{i}.{inner}", sub) for inner, sub in _layers(layer)]
        else:
            found.append((str(i), layer))
    return found


def _modules(layers: list[tuple[str, Layer]]) -> list[_Module]:
    if not layers:
        raise ValueError(
            "the model has no layers, so there is no network to write; add layers, "
            "e.g. Sequential(Conv2D(1, 8, 3), ReLU(), Flatten(), Dense(8 * 26 * 26, 10))"
        )
    modules = []
    for where, layer in layers:
        convert = _CONVERTERS.get(type(layer))
        if convert is None:
            known = ", ".join(cls.__name__ for cls in _CONVERTERS)
            raise TypeError(
                f"layer {where} {layer!r} has no PyTorch translation: to_pytorch knows the "
                f"course's layers ({known}) and Sequential, exactly those classes, but this "
                f"is a {type(layer).__module__}.{type(layer).__qualname__}. Build the model "
                "from those layers, or write this layer's PyTorch module by hand"
            )
        modules += convert(layer, where)
    return modules


def _groups(modules: list[_Module]) -> list[tuple[str, list[_Module]]]:
    """Split the modules into Net's attributes, in order.

    With a Flatten: ``features`` (the layers before it), ``flatten`` and
    ``classifier`` (the layers after it), the way a CNN is usually read and
    written (``torchvision``'s networks too); without one, a single ``layers``.
    An attribute with no layers is left out.
    """
    split = next((i for i, m in enumerate(modules) if m.name == "nn.Flatten"), None)
    if split is None:
        return [("layers", modules)]
    groups = [
        ("features", modules[:split]),
        ("flatten", [modules[split]]),
        ("classifier", modules[split + 1 :]),
    ]
    return [(name, group) for name, group in groups if group]


def _weights_of(module: _Module) -> dict[str, np.ndarray]:
    """The layer's parameters, checked against what its settings need."""
    layer, where = module.layer, module.where
    if type(layer) is Conv2D:
        f, c, (kh, kw) = layer.out_channels, layer.in_channels, layer.kernel_size
        expected = {"weight": (f, c, kh, kw), "bias": (f,)}
    else:
        expected = {
            "weight": (layer.out_features, layer.in_features),
            "bias": (layer.out_features,),
        }
    if not layer.use_bias:
        del expected["bias"]
    got = {name: tuple(np.shape(p)) for name, p in layer.params.items()}
    if got != expected:
        raise ValueError(
            f"layer {where} {layer!r}: its parameters {got} do not fit its settings, which "
            f"need {expected}; put back arrays of those shapes, or build the layer again"
        )
    for name, p in layer.params.items():
        v.check_finite(
            p,
            f"the {name} of layer {where} {layer!r}",
            fix="A network with them computes nothing useful (did its training diverge?); "
            "train it again with a smaller learning rate, or load weights saved before",
        )
    return layer.params


def _state_names(groups) -> list[tuple[str, _Module]]:
    """``(name prefix in Net's state_dict, module)`` for every module with weights."""
    found = []
    for attr, group in groups:
        for i, module in enumerate(group):
            if module.weights:
                found.append((f"{attr}.{i}", module))
    return found


# ----------------------------------------------------------------------------
# shapes, for the docstring and the comments
# ----------------------------------------------------------------------------
def _shape_text(shape) -> str:
    return "(" + ", ".join(["N", *(str(s) for s in shape)]) + ")"


def _infer_input(model: Sequential, layers) -> tuple[tuple | None, str]:
    """The input the model takes, as ``(shape of one example, how)``.

    The first layer that needs a certain input decides: a :class:`Dense`
    takes vectors of its ``in_features``; convolution and pooling take
    images, with the channels of the first :class:`Conv2D` (1 if none), and
    the smallest square size that fits every layer stands for their size.
    ``how`` says what the shape means:

    * ``"fixed"``: the model takes this shape. A Dense after the images are
      flattened fixes their size (:func:`~cnnlib.reference_cnn` takes 28x28,
      or anything up to 31x31 that pools to the same 7x7; 28 it is);
    * ``"example"``: images of any size the layers fit, e.g. this one;
    * ``"input"``: no size found that fits every layer (no square image up to
      512x512, or the layers do not fit together); the shape has letters
      where the size is not known, e.g. ``(1, "H", "W")``;
    * ``"any"``: element-wise layers only, any shape (the shape is None).
    """
    types = [type(layer) for _, layer in layers]
    first = next((t for t in types if t in (Conv2D, MaxPool2D, AvgPool2D, Dense)), None)
    if first is None:
        return None, "any"
    if first is Dense:
        shape = (next(layer for _, layer in layers if type(layer) is Dense).in_features,)
        return shape, "fixed" if _fits(model, shape) else "input"
    channels = next((layer.in_channels for _, layer in layers if type(layer) is Conv2D), 1)
    for side in range(1, _LARGEST_SIDE + 1):
        if _fits(model, (channels, side, side)):
            return (channels, side, side), "fixed" if Dense in types else "example"
    return (channels, "H", "W"), "input"


def _given_input(model: Sequential, input_shape) -> tuple[int, ...]:
    """``input_shape`` as a tuple, checked to fit ``model`` (the error names the layer)."""
    input_shape = v.as_shape(input_shape, "input_shape")
    try:
        model.output_shape(input_shape)
    except ValueError as err:
        raise ValueError(
            f"input_shape={input_shape} does not fit the model: {err} (or give the "
            "input_shape the model was built for)"
        ) from None
    return input_shape


def _fits(model: Sequential, shape) -> bool:
    try:
        model.output_shape(shape)
    except ValueError:
        return False
    return True


def _annotate_shapes(modules: list[_Module], input_shape) -> tuple[int, ...]:
    """Add ``-> (N, ...)`` to the notes of every module that changes the shape.

    Returns the output shape. ``input_shape`` must fit the model (checked before).
    """
    shape = tuple(input_shape)
    for module in modules:
        if module.name == "nn.ZeroPad2d":  # the padding of the 'same' convolution after it
            (top, bottom), (left, right) = _padding_sides(module.layer)
            padded = (shape[0], shape[1] + top + bottom, shape[2] + left + right)
            module.notes.append(f"-> {_shape_text(padded)}")
            continue  # the convolution's output_shape below counts this padding itself
        shape = module.layer.output_shape(shape)
        if module.shape_change:
            module.notes.append(f"-> {_shape_text(shape)}")
    return shape


# ----------------------------------------------------------------------------
# writing the source
# ----------------------------------------------------------------------------
def _module_lines(module: _Module, indent: str, prefix: str = "", suffix: str = ",") -> list[str]:
    """The lines of one module, with its notes as a comment, within LINE_LENGTH.

    The comment goes at the end of the line if it fits there, else on its own
    line above. A call too long for one line gets one argument per line with
    a trailing comma, as ruff format would write it (the comma keeps it so).
    """
    comment = "; ".join(module.notes)
    line = f"{indent}{prefix}{module.code}{suffix}"
    above = _wrap(comment, f"{indent}# ") if comment else []
    if len(line) <= LINE_LENGTH:
        if comment and len(f"{line}  # {comment}") <= LINE_LENGTH:
            return [f"{line}  # {comment}"]
        return [*above, line]
    return [
        *above,
        f"{indent}{prefix}{module.name}(",
        *(f"{indent}    {arg}," for arg in module.args),
        f"{indent}){suffix}",
    ]


def _describe(input_shape, how: str, output_shape) -> list[str]:
    """The paragraphs of Net's docstring: what goes in and what comes out."""
    if how == "any":
        return ["Takes a batch of any shape and returns one of the same shape."]
    if how == "fixed":
        return [f"Maps a batch of shape {_shape_text(input_shape)} to {_shape_text(output_shape)}."]
    if how == "input":
        return [f"Takes a batch of shape {_shape_text(input_shape)}."]
    return [
        f"Takes images (N, {input_shape[0]}, H, W) of any size the layers fit.",
        f"For example {_shape_text(input_shape)}, the smallest square one, gives "
        f"{_shape_text(output_shape)}.",
    ]


def _wrap(text: str, indent: str) -> list[str]:
    """Break ``text`` into lines of at most LINE_LENGTH characters, never in ``-> (...)``."""
    glued = re.sub(r"(-> )?\([^()]*\)", lambda m: m.group().replace(" ", _GLUE), text)
    lines = textwrap.wrap(
        glued,
        LINE_LENGTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [line.replace(_GLUE, " ") for line in lines]


def _source(groups, layers, description: str, has_dropout: bool) -> str:
    import cnnlib

    n = len(layers)
    lines = [
        '"""A neural network from cnnlib, written for PyTorch.',
        "",
        *_wrap(
            f"Generated by cnnlib.to_pytorch (cnnlib {cnnlib.__version__}) from a cnnlib "
            f"Sequential: Net has the same {n} layer{'s' if n != 1 else ''} in the same "
            "order. Its weights come from cnnlib.torch_state_dict:",
            "",
        ),
        "",
        "    weights = cnnlib.torch_state_dict(model)  # model: the cnnlib Sequential",
        "    net = Net()",
        "    net.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})",
        "    net.eval()  # as cnnlib's predict does"
        + (": Dropout stops dropping" if has_dropout else ""),
        '"""',
        "",
        "import torch",
        "from torch import nn",
        "",
        "",
        "class Net(nn.Module):",
        *_docstring(description, "    "),
        "",
        "    def __init__(self):",
        "        super().__init__()",
    ]
    for attr, group in groups:
        if attr == "flatten":
            lines += _module_lines(group[0], "        ", prefix="self.flatten = ", suffix="")
            continue
        lines.append(f"        self.{attr} = nn.Sequential(")
        for module in group:
            lines += _module_lines(module, "            ")
        lines.append("        )")
    lines += ["", "    def forward(self, x: torch.Tensor) -> torch.Tensor:"]
    attrs = [attr for attr, _ in groups]
    lines += [f"        x = self.{attr}(x)" for attr in attrs[:-1]]
    lines.append(f"        return self.{attrs[-1]}(x)")
    return "\n".join(lines) + "\n"


def _docstring(paragraphs: list[str], indent: str) -> list[str]:
    """A docstring: on one line if it fits, else wrapped with the quotes on their own line."""
    one = f'{indent}"""{paragraphs[0]}"""'
    if len(paragraphs) == 1 and len(one) <= LINE_LENGTH:
        return [one]
    lines = _wrap(f'"""{paragraphs[0]}', indent)
    for paragraph in paragraphs[1:]:
        lines += ["", *_wrap(paragraph, indent)]
    return [*lines, f'{indent}"""']


# ----------------------------------------------------------------------------
# the two public functions
# ----------------------------------------------------------------------------
def to_pytorch(model: Sequential, input_shape=None) -> PyTorchSource:
    """Python source of a PyTorch ``nn.Module`` with the same layers as ``model``.

    The source defines ``class Net(nn.Module)`` with one PyTorch layer for
    each cnnlib layer, in the same order: :class:`~cnnlib.Conv2D` becomes
    ``nn.Conv2d``, :class:`~cnnlib.MaxPool2D` ``nn.MaxPool2d``,
    :class:`~cnnlib.AvgPool2D` ``nn.AvgPool2d``, :class:`~cnnlib.ReLU`,
    :class:`~cnnlib.LeakyReLU`, :class:`~cnnlib.Sigmoid`, :class:`~cnnlib.Tanh`,
    :class:`~cnnlib.Flatten` and :class:`~cnnlib.Dropout` the PyTorch layers of
    the same names, :class:`~cnnlib.Dense` ``nn.Linear``, with every setting
    (stride, padding, dilation, bias, negative slope, drop probability). The layers
    before the first Flatten go into ``self.features``, those after it into
    ``self.classifier``; a model without a Flatten gets one ``self.layers``.
    A nested Sequential is opened up into its layers. One setting takes two
    PyTorch layers: ``padding="same"`` with an even kernel becomes an
    ``nn.ZeroPad2d`` with the uneven padding, then the convolution.

    Load the model's weights into it with :func:`torch_state_dict`. Writing
    the source needs no PyTorch; running it does. It passes ``ruff check``
    and ``ruff format --check``.

    Parameters
    ----------
    model : Sequential
        Built from the course's layers (exactly those classes; a subclass or
        a layer of your own is refused, since it may compute something else).
    input_shape : tuple of int, optional
        Shape of one example without the batch axis, e.g. ``(1, 28, 28)``:
        stated in Net's docstring and, layer by layer, as comments with the
        output shapes. By default the first layer that needs a certain input
        decides: vectors of a Dense's ``in_features``, or images with the
        first convolution's channels and the smallest square size every
        layer fits (28x28 for :func:`~cnnlib.reference_cnn`).

    Returns
    -------
    PyTorchSource
        The source, a ``str``: ``print`` it, save it to a ``.py`` file or
        ``exec`` it. As a notebook cell's result it shows as highlighted code.

    Raises
    ------
    TypeError
        If ``model`` is not a Sequential, or one of its layers has no
        PyTorch translation (the message names the layer).
    ValueError
        If ``model`` has no layers, a layer has a setting no network can
        compute with (a NaN negative slope), or ``input_shape`` does not fit
        the model (the message names the first layer it does not fit).

    Examples
    --------
    >>> from cnnlib import reference_cnn, to_pytorch
    >>> source = to_pytorch(reference_cnn())
    >>> print(source)                                               # doctest: +SKIP
    >>> "nn.Conv2d(1, 8, kernel_size=3, padding=1)" in source
    True
    """
    layers = _layers(model)
    modules = _modules(layers)
    if input_shape is None:
        input_shape, how = _infer_input(model, layers)
    else:
        input_shape, how = _given_input(model, input_shape), "fixed"
    output_shape = None
    if how == "fixed":
        output_shape = _annotate_shapes(modules, input_shape)
    elif how == "example":  # an example only: comments would be wrong for other sizes
        output_shape = model.output_shape(input_shape)
    groups = _groups(modules)
    description = _describe(input_shape, how, output_shape)
    has_dropout = any(type(layer) is Dropout for _, layer in layers)
    return PyTorchSource(_source(groups, layers, description, has_dropout))


def _cnnlib_call(layer: Layer) -> str:
    """How the course writes ``layer``: its class with the settings that differ from the
    defaults, e.g. ``Conv2D(1, 8, 3, padding=1)`` (shorter than ``repr(layer)``)."""
    name = type(layer).__name__
    if isinstance(layer, Conv2D):
        args = [str(layer.in_channels), str(layer.out_channels), _pair(layer.kernel_size)]
        if layer.stride != (1, 1):
            args.append(f"stride={_pair(layer.stride)}")
        if isinstance(layer.padding, str):
            args.append(f"padding={layer.padding!r}")
        elif layer.padding != (0, 0):
            args.append(f"padding={_pair(layer.padding)}")
        if layer.dilation != (1, 1):
            args.append(f"dilation={_pair(layer.dilation)}")
        if not layer.use_bias:
            args.append("bias=False")
    elif isinstance(layer, MaxPool2D | AvgPool2D):
        args = [_pair(layer.kernel_size)]
        if layer.stride != layer.kernel_size:
            args.append(f"stride={_pair(layer.stride)}")
        if tuple(layer.padding) != (0, 0):
            args.append(f"padding={_pair(layer.padding)}")
    elif isinstance(layer, Dense):
        args = [str(layer.in_features), str(layer.out_features)]
        if not layer.use_bias:
            args.append("bias=False")
    elif isinstance(layer, Dropout):
        args = [f"{layer.p:g}"]
    elif isinstance(layer, LeakyReLU):
        args = [f"{layer.negative_slope:g}"]
    else:
        args = []
    return f"{name}({', '.join(args)})"


class Translation:
    """Each layer of a cnnlib model beside the PyTorch module :func:`to_pytorch` writes for it.

    Shows as a table in a notebook (and as plain text when printed).

    Attributes
    ----------
    rows : list of dict
        One per cnnlib layer, in order: ``index`` (its name in ``model.params``,
        e.g. ``"0"``), ``layer`` (how the course builds it, e.g. ``"Conv2D(1, 8,
        3, padding=1)"``), ``pytorch`` (list of ``"name:
        code"`` strings, e.g. ``"features.0: nn.Conv2d(1, 8, kernel_size=3,
        padding=1)"``; two for a 'same' convolution with an even kernel),
        ``output_shape`` (without the batch axis; None when the input size is
        not known) and ``params``.
    input_shape : tuple or None
        The input the shapes start from.
    """

    def __init__(self, rows, input_shape):
        self.rows = rows
        self.input_shape = input_shape
        self.total_params = sum(r["params"] for r in rows)

    def _cells(self):
        head = ("#", "cnnlib layer", "PyTorch module (its name in Net)", "output shape", "params")
        body = [
            (
                r["index"],
                r["layer"],
                "\n".join(r["pytorch"]),
                "" if r["output_shape"] is None else _shape_text(r["output_shape"]),
                f"{r['params']:,}",
            )
            for r in self.rows
        ]
        first = (
            "",
            "input",
            "",
            "" if self.input_shape is None else _shape_text(self.input_shape),
            "",
        )
        last = ("", "total", "", "", f"{self.total_params:,}")
        return head, [first, *body], last

    def __str__(self) -> str:
        head, body, last = self._cells()
        rows = [head, *body, last]
        lines = [row[2].split("\n") for row in rows]
        widths = [max(len(row[k]) for row in rows) for k in (0, 1, 3, 4)]
        widths.insert(2, max(len(part) for parts in lines for part in parts))
        out = []
        for n, (row, parts) in enumerate(zip(rows, lines)):
            for m, part in enumerate(parts):
                cells = row if m == 0 else ("", "", part, "", "")
                out.append(
                    "  ".join(
                        [
                            f"{cells[0]:>{widths[0]}}",
                            f"{cells[1]:<{widths[1]}}",
                            f"{part:<{widths[2]}}",
                            f"{cells[3]:<{widths[3]}}",
                            f"{cells[4]:>{widths[4]}}",
                        ]
                    ).rstrip()
                )
            if n == 0 or n == len(rows) - 2:
                out.append("-" * sum(widths[k] + 2 for k in range(5)))
        return "\n".join(out)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head, body, last = self._cells()

        def cell(text, tag="td", right=False, code=False, extra="", wrap=True):
            content = "<br>".join(
                f"<code>{html.escape(part)}</code>" if code and part else html.escape(part)
                for part in text.split("\n")
            )
            scope = ' scope="col"' if tag == "th" else ""
            align = "right" if right else "left"
            style = f"text-align:{align};padding:2px 8px;{extra}"
            style += "" if wrap else "white-space:nowrap;"
            return f'<{tag}{scope} style="{style}">{content}</{tag}>'

        rule = "border-bottom:1px solid #999;"
        lines = [
            "<tr>"
            + "".join(cell(t, "th", k in (0, 4), extra=rule) for k, t in enumerate(head))
            + "</tr>"
        ]
        for row in body:
            lines.append(
                "<tr>"
                + "".join(
                    cell(t, right=k in (0, 4), code=k in (1, 2), wrap=k == 1)
                    for k, t in enumerate(row)
                )
                + "</tr>"
            )
        top = "border-top:1px solid #999;font-weight:600;"
        lines.append(
            "<tr>" + "".join(cell(t, right=k == 4, extra=top) for k, t in enumerate(last)) + "</tr>"
        )
        return (
            '<table style="border-collapse:collapse;font-size:12px">'
            '<caption style="text-align:left;font-weight:600">Each cnnlib layer and the PyTorch '
            "module to_pytorch writes for it</caption>" + "".join(lines) + "</table>"
        )


def pytorch_translation(model: Sequential, input_shape=None) -> Translation:
    """Each layer of ``model`` beside the PyTorch module :func:`to_pytorch` writes for it.

    A table with one row per cnnlib layer: the layer, the module of ``Net``
    that does the same (with its name in ``Net``, the prefix of its weights in
    :func:`torch_state_dict`), the output shape and the number of parameters,
    so that the cnnlib model and the PyTorch source can be read side by side.

    Parameters
    ----------
    model : Sequential
        Built from the course's layers, as for :func:`to_pytorch`.
    input_shape : tuple of int, optional
        Shape of one example without the batch axis, as for :func:`to_pytorch`
        (by default the one the model was built for).

    Returns
    -------
    Translation
        Shows as a table in a notebook; ``.rows`` holds the rows.

    Raises
    ------
    TypeError, ValueError
        As :func:`to_pytorch`.

    Examples
    --------
    >>> from cnnlib import pytorch_translation, reference_cnn
    >>> table = pytorch_translation(reference_cnn())
    >>> table.rows[0]["pytorch"], table.rows[0]["output_shape"], table.rows[0]["params"]
    (['features.0: nn.Conv2d(1, 8, kernel_size=3, padding=1)'], (8, 28, 28), 80)
    >>> table.rows[-1]["pytorch"]
    ['classifier.0: nn.Linear(784, 10)']
    """
    layers = _layers(model)
    modules = _modules(layers)
    if input_shape is None:
        input_shape, how = _infer_input(model, layers)
        if how != "fixed":  # no size the model was built for: no shapes rather than examples
            input_shape = None
    else:
        input_shape = _given_input(model, input_shape)
    names = {}
    for attr, group in _groups(modules):
        for i, module in enumerate(group):
            names[id(module)] = attr if attr == "flatten" else f"{attr}.{i}"
    rows, shape = [], input_shape
    for where, layer in layers:
        if shape is not None:
            shape = tuple(int(s) for s in layer.output_shape(shape))
        rows.append(
            {
                "index": where,
                "layer": _cnnlib_call(layer),
                "pytorch": [f"{names[id(m)]}: {m.code}" for m in modules if m.where == where],
                "output_shape": shape,
                "params": layer.num_params,
            }
        )
    return Translation(rows, input_shape)


def torch_state_dict(model: Sequential) -> dict[str, np.ndarray]:
    """The weights of ``model`` under the names of :func:`to_pytorch`'s ``Net``.

    ``Net().load_state_dict({k: torch.from_numpy(v) for k, v in
    torch_state_dict(model).items()})`` gives a network that computes what
    ``model`` computes. No array needs reshaping or transposing: cnnlib keeps
    weights in PyTorch's shapes, (F, C, kH, kW) for a convolution and
    (out_features, in_features) for a dense layer.

    Parameters
    ----------
    model : Sequential
        Built from the course's layers, as for :func:`to_pytorch`.

    Returns
    -------
    dict of str -> numpy.ndarray
        In the order of ``Net().state_dict()``, e.g. ``"features.0.weight"``
        (the first convolution's weight, shape (8, 1, 3, 3) in
        :func:`~cnnlib.reference_cnn`), ``"features.0.bias"``, ...,
        ``"classifier.0.weight"``. Copies, in the parameters' dtype (float32
        unless the model was converted): changing them leaves ``model`` as it is.

    Raises
    ------
    TypeError, ValueError
        As :func:`to_pytorch`; and ``ValueError`` if a parameter holds NaN or
        infinity (a diverged training run), or does not have the shape its
        layer's settings need.

    Examples
    --------
    >>> from cnnlib import reference_cnn, torch_state_dict
    >>> {name: w.shape for name, w in torch_state_dict(reference_cnn()).items()}
    ... # doctest: +NORMALIZE_WHITESPACE
    {'features.0.weight': (8, 1, 3, 3), 'features.0.bias': (8,),
     'features.3.weight': (16, 8, 3, 3), 'features.3.bias': (16,),
     'classifier.0.weight': (10, 784), 'classifier.0.bias': (10,)}
    """
    groups = _groups(_modules(_layers(model)))
    state = {}
    for prefix, module in _state_names(groups):
        for name, p in _weights_of(module).items():
            state[f"{prefix}.{name}"] = np.array(p, copy=True)
    return state
