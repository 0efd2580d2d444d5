"""Design a small CNN from a few choices, and know its size and cost before building it.

A CNN for digits is mostly one *block* repeated::

    Conv2D -> activation -> pooling

then Flatten and one or two Dense layers that turn the last maps into class
scores. :class:`CNNDesign` holds the choices (how many blocks, how many
filters, the kernel size, the padding, the pooling, the activation, an
optional hidden dense layer, dropout) and

* :meth:`CNNDesign.plan` lists every layer's output shape, parameters and
  multiply-adds from the choices alone, with the formulas of notebooks 02-05.
  No weights are drawn, so even a network far too big to train is planned
  in a fraction of a millisecond;
* :meth:`CNNDesign.build` makes the :class:`~cnnlib.Sequential` to train;
* :meth:`CNNDesign.describe` says it in one line, e.g.
  ``2×[conv 3×3 same, ReLU, max 2], filters 8→16 + dense 10``.

The default design is the course's network (:func:`cnnlib.reference_cnn`):
``CNNDesign().build(seed)`` has the same layers and the same initial weights.

How the work is counted: a *multiply-add* is one input value multiplied by one
weight and added into a sum. A convolution does ``Ho * Wo * F * C * k * k`` of
them per image (every output position, every filter, every weight of the
filter), a dense layer ``in * out``. Pooling, activations, Flatten and Dropout
have no weights and count 0: they compare, average or copy each value once,
little next to the convolutions. Biases are added once per output value and
are not counted either. The same rules as :meth:`cnnlib.Layer.multiply_adds`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnlib import _validate as v
from cnnlib.geometry import window_plan
from cnnlib.layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Tanh,
)
from cnnlib.model import Sequential, Summary

__all__ = ["CNNDesign", "ACTIVATIONS", "POOLINGS", "PADDINGS", "POOL_SIZE"]

#: Activation choices: name -> (how it is written, the layer class).
ACTIVATIONS = {
    "relu": ("ReLU", ReLU),
    "leaky_relu": ("leaky ReLU", LeakyReLU),  # negative slope 0.01, PyTorch's default
    "tanh": ("tanh", Tanh),
    "sigmoid": ("sigmoid", Sigmoid),
}
#: Pooling choices: name -> (how it is written, the layer class or None).
POOLINGS = {"max": ("max", MaxPool2D), "average": ("avg", AvgPool2D), "none": ("", None)}
PADDINGS = ("same", "valid")
POOL_SIZE = 2  #: pooling window and stride: every pooling halves the maps (rounding down)


@dataclass(frozen=True)
class CNNDesign:
    """The choices that make a small CNN: blocks of conv -> activation -> pooling, then dense.

    Parameters
    ----------
    blocks : int
        Convolution blocks, 0 or more (0: the pixels go straight to the
        dense layers).
    filters : int
        Filters of the first block's convolution.
    double : bool
        Each block has twice the filters of the block before it (8, 16,
        32...), the usual pattern when pooling halves the maps; otherwise
        every block has ``filters``.
    kernel_size : int
        Square kernels of every convolution (stride 1).
    padding : 'same' or 'valid'
        'same' keeps the maps' size; 'valid' (no padding) shrinks them by
        ``kernel_size - 1``.
    pooling : 'max', 'average' or 'none'
        2x2 pooling with stride 2 at the end of every block.
    activation : 'relu', 'leaky_relu', 'tanh' or 'sigmoid'
        After every convolution and after the hidden dense layer.
    hidden : int
        Units of a hidden dense layer before the output layer (0: none).
    dropout : float
        Probability of the Dropout layer before the output layer (0: none).
    input_shape : (C, H, W)
        One example (default: a grey 28x28 digit).
    classes : int
        Outputs of the last layer (class scores).

    Examples
    --------
    >>> design = CNNDesign(blocks=1, filters=4, pooling="none")
    >>> design.describe()
    '1×[conv 3×3 same, ReLU], filters 4 + dense 10'
    >>> design.plan().total_params
    31410
    """

    blocks: int = 2
    filters: int = 8
    double: bool = True
    kernel_size: int = 3
    padding: str = "same"
    pooling: str = "max"
    activation: str = "relu"
    hidden: int = 0
    dropout: float = 0.0
    input_shape: tuple = (1, 28, 28)
    classes: int = 10

    def __post_init__(self):
        def keep(name, value):  # the dataclass is frozen: set the checked value once
            object.__setattr__(self, name, value)

        keep("blocks", v.as_int(self.blocks, "blocks", minimum=0))
        keep("filters", v.as_int(self.filters, "filters", minimum=1))
        keep("double", bool(self.double))
        keep("kernel_size", v.as_int(self.kernel_size, "kernel_size", minimum=1))
        keep("padding", v.as_choice(self.padding, "padding", PADDINGS))
        keep("pooling", v.as_choice(self.pooling, "pooling", tuple(POOLINGS)))
        keep("activation", v.as_choice(self.activation, "activation", tuple(ACTIVATIONS)))
        keep("hidden", v.as_int(self.hidden, "hidden", minimum=0))
        keep("dropout", v.as_drop_probability(self.dropout, "dropout"))
        shape = v.as_shape(self.input_shape, "input_shape")
        if len(shape) != 3:
            raise ValueError(
                f"input_shape must be (C, H, W), one image, but is {shape}; "
                "e.g. (1, 28, 28) for a grey 28x28 digit"
            )
        keep("input_shape", shape)
        keep("classes", v.as_int(self.classes, "classes", minimum=1))

    # -- what the choices mean ---------------------------------------------------------------
    def filters_per_block(self) -> list[int]:
        """Filters of each block's convolution, e.g. ``[8, 16]``."""
        growth = 2 if self.double else 1
        return [self.filters * growth**b for b in range(self.blocks)]

    def describe(self) -> str:
        """The design in one short line.

        E.g. ``2×[conv 3×3 same, ReLU, max 2], filters 8→16 + dense 10``.
        """
        parts = []
        if self.blocks:
            k = self.kernel_size
            block = [f"conv {k}×{k} {self.padding}", ACTIVATIONS[self.activation][0]]
            pool_name = POOLINGS[self.pooling][0]
            if pool_name:
                block.append(f"{pool_name} {POOL_SIZE}")
            filters = self.filters_per_block()
            counts = "→".join(str(f) for f in filters) if self.double else str(filters[0])
            if not self.double and self.blocks > 1:
                counts += " each"
            parts.append(f"{self.blocks}×[{', '.join(block)}], filters {counts}")
        if self.hidden:
            parts.append(f"dense {self.hidden} {ACTIVATIONS[self.activation][0]}")
        if self.dropout:
            parts.append(f"dropout {self.dropout:g}")
        parts.append(f"dense {self.classes}")
        return " + ".join(parts)

    # -- the plan: shapes, parameters, multiply-adds -------------------------------------------
    def plan(self) -> Summary:
        """Every layer's output shape, parameters and multiply-adds, without building it.

        Returns
        -------
        Summary
            The table :meth:`cnnlib.Sequential.summary` gives for the built
            network (``summary(input_shape, multiply_adds=True)``): the same
            output shapes, parameters and multiply-adds per layer. Each row
            also has ``block`` (1, 2, ... or None for the dense part) and
            ``layer``, a short description such as ``"8 filters 3×3, same"``.

        Raises
        ------
        ValueError
            If the maps shrink to nothing: a kernel or a pooling window no
            longer fits the maps a block receives. The message names the
            block, quotes the reason and says what to change.
        """
        c, h, w = self.input_shape
        rows = []

        def add(kind, text, shape, params=0, work=0, block=None):
            rows.append(
                {
                    "index": len(rows),
                    "layer": text,
                    "type": kind,
                    "output_shape": tuple(int(s) for s in shape),
                    "params": int(params),
                    "multiply_adds": int(work),
                    "block": block,
                }
            )

        act_name, act_class = ACTIVATIONS[self.activation]
        pool_class = POOLINGS[self.pooling][1]
        k = self.kernel_size
        for b, f in enumerate(self.filters_per_block(), start=1):
            try:  # the output-size formula of notebook 02 (cnnlib.output_size), on both axes
                ho, wo = window_plan((h, w), k, 1, self.padding).out
            except ValueError as err:
                raise ValueError(self._too_small(b, err, "convolution", (h, w))) from None
            # F filters of C x k x k weights and one bias each; at each of the Ho x Wo
            # positions every filter multiplies its C x k x k weights with the pixels
            add(
                "Conv2D",
                f"{f} filters {k}×{k}, {self.padding}",
                (f, ho, wo),
                params=f * (c * k * k + 1),
                work=ho * wo * f * c * k * k,
                block=b,
            )
            c, h, w = f, ho, wo
            add(act_class.__name__, act_name, (c, h, w), block=b)
            if pool_class is not None:
                try:  # the same formula: a 2x2 window moved by 2
                    h, w = pool_class(POOL_SIZE).output_shape((c, h, w))[1:]
                except ValueError as err:
                    raise ValueError(self._too_small(b, err, "pooling", (h, w))) from None
                window = f"{POOL_SIZE}×{POOL_SIZE}, stride {POOL_SIZE}"
                add(pool_class.__name__, window, (c, h, w), block=b)
        n = c * h * w
        add("Flatten", "flatten", (n,))
        if self.hidden:
            # every output is a weighted sum of all n inputs, plus a bias
            add(
                "Dense",
                f"{self.hidden} units",
                (self.hidden,),
                params=self.hidden * (n + 1),
                work=n * self.hidden,
            )
            n = self.hidden
            add(act_class.__name__, act_name, (n,))
        if self.dropout:
            add("Dropout", f"p = {self.dropout:g}", (n,))
        add(
            "Dense",
            f"{self.classes} scores",
            (self.classes,),
            params=self.classes * (n + 1),
            work=n * self.classes,
        )
        return Summary(self.input_shape, rows, multiply_adds=True)

    def _too_small(self, block, err, where, size) -> str:
        """One line: which block cannot be built, the core's reason, and what to change."""
        reason = str(err).split("; ")[0]  # the core's reason, without its advice on padding
        maps = f"{size[0]}x{size[1]}"
        if where == "convolution":
            left = f"block {block - 1} left maps of {maps}" if block > 1 else f"the input is {maps}"
            fix = "use 'same' padding, a smaller kernel or fewer blocks"
        else:
            left = f"its convolution left maps of {maps}"
            fix = "use fewer blocks, 'same' padding, a smaller kernel or no pooling"
        return f"block {block} cannot be built: {reason} ({left}); {fix}"

    # -- the network ------------------------------------------------------------------------
    def layers(self) -> list:
        """The layers of the design, with fresh weights (see :meth:`build`)."""
        plan = self.plan()  # the shapes must fit before anything is drawn; its error says why not
        c = self.input_shape[0]
        layers = []
        act_class = ACTIVATIONS[self.activation][1]
        pool_class = POOLINGS[self.pooling][1]
        for f in self.filters_per_block():
            layers.append(Conv2D(c, f, self.kernel_size, padding=self.padding))
            layers.append(act_class())
            if pool_class is not None:
                layers.append(pool_class(POOL_SIZE))
            c = f
        layers.append(Flatten())
        (features,) = plan.rows[len(layers) - 1]["output_shape"]  # the flattened maps
        if self.hidden:
            layers += [Dense(features, self.hidden), act_class()]
            features = self.hidden
        if self.dropout:
            layers.append(Dropout(self.dropout))
        layers.append(Dense(features, self.classes))
        return layers

    def build(self, seed: int = 0) -> Sequential:
        """The network of this design with fresh weights drawn from ``seed``.

        The same design and seed give the same initial weights; the default
        design with ``seed`` gives :func:`cnnlib.reference_cnn` ``(seed)``'s.

        Raises
        ------
        ValueError
            If the maps shrink to nothing (see :meth:`plan`), or if the
            weights alone would take more than 2 GB.
        """
        seed = v.as_int(seed, "seed", minimum=0)
        total = self.plan().total_params
        v.check_memory(
            total * 4,
            f"the weights of this design ({total:,} parameters in float32)",
            "use fewer filters, pooling, or a smaller hidden layer",
        )
        return Sequential(*self.layers(), seed=seed)
