"""CNNDesign: the plan (shapes, parameters, multiply-adds) equals the built network's summary,
impossible designs are refused in one line that reuses the core's reason, and the default
design is the course's network."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import (
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    reference_cnn,
    to_pytorch,
)
from cnnlib.design import CNNDesign

ACTIVATION_CLASSES = {"relu": ReLU, "leaky_relu": LeakyReLU, "tanh": Tanh, "sigmoid": Sigmoid}
POOL_CLASSES = {"max": MaxPool2D, "average": AvgPool2D, "none": None}


def by_hand(design):
    """The design's layers written out independently of cnnlib.design (no plan used)."""
    layers, c = [], design.input_shape[0]
    for b in range(design.blocks):
        f = design.filters * (2**b if design.double else 1)
        layers += [Conv2D(c, f, design.kernel_size, padding=design.padding)]
        layers += [ACTIVATION_CLASSES[design.activation]()]
        if POOL_CLASSES[design.pooling]:
            layers.append(POOL_CLASSES[design.pooling](2))
        c = f
    shape = Sequential(*layers).output_shape(design.input_shape) if layers else design.input_shape
    n = int(np.prod(shape))
    layers.append(Flatten())
    if design.hidden:
        layers += [Dense(n, design.hidden), ACTIVATION_CLASSES[design.activation]()]
        n = design.hidden
    if design.dropout:
        layers.append(Dropout(design.dropout))
    return [*layers, Dense(n, design.classes)]


def columns(summary):
    return [(r["type"], r["output_shape"], r["params"], r["multiply_adds"]) for r in summary.rows]


designs = st.builds(
    CNNDesign,
    blocks=st.integers(0, 4),
    filters=st.integers(1, 3),
    double=st.booleans(),
    kernel_size=st.integers(1, 6),
    padding=st.sampled_from(["same", "valid"]),
    pooling=st.sampled_from(["max", "average", "none"]),
    activation=st.sampled_from(list(ACTIVATION_CLASSES)),
    hidden=st.sampled_from([0, 3]),
    dropout=st.sampled_from([0.0, 0.5]),
    input_shape=st.tuples(st.integers(1, 2), st.integers(1, 16), st.integers(1, 16)),
    classes=st.integers(1, 4),
)


@settings(max_examples=80, deadline=None)
@given(design=designs)
def test_the_plan_is_the_built_networks_summary_or_both_refuse(design):
    hand = by_hand_or_error(design)
    if isinstance(hand, ValueError):
        with pytest.raises(ValueError) as planned:
            design.plan()
        reason = str(hand).split(": ", 1)[1].split("; ")[0]  # "layer 3 Conv2D(...): <reason>; .."
        assert reason in str(planned.value) and "\n" not in str(planned.value)
        with pytest.raises(ValueError):
            design.build()
        return
    plan = design.plan()
    model = design.build(seed=1)
    summary = model.summary(design.input_shape, multiply_adds=True)
    assert columns(plan) == columns(summary) == columns(hand)
    assert plan.total_params == summary.total_params
    assert plan.total_multiply_adds == summary.total_multiply_adds
    x = np.zeros((2, *design.input_shape), dtype=np.float32)
    assert model.forward(x).shape == (2, design.classes)


def by_hand_or_error(design):
    try:
        layers = by_hand(design)
        return Sequential(*layers).summary(design.input_shape, multiply_adds=True)
    except ValueError as err:
        return err


def test_the_default_design_is_the_course_network():
    design = CNNDesign()
    assert design.describe() == "2×[conv 3×3 same, ReLU, max 2], filters 8→16 + dense 10"
    plan = design.plan()
    assert columns(plan) == columns(reference_cnn().summary((1, 28, 28), multiply_adds=True))
    assert plan.total_params == 9_098 and plan.total_multiply_adds == 290_080
    model, course = design.build(seed=5), reference_cnn(seed=5)
    for name, weight in course.params.items():  # the same layers at the same places: same seeds
        np.testing.assert_array_equal(model.params[name], weight)
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(model.forward(x), course.forward(x))


def test_plan_rows_name_the_block_and_describe_the_layer():
    rows = CNNDesign(blocks=2, filters=4, hidden=32, dropout=0.25).plan().rows
    assert [r["block"] for r in rows] == [1, 1, 1, 2, 2, 2, None, None, None, None, None]
    assert [r["layer"] for r in rows] == [
        "4 filters 3×3, same",
        "ReLU",
        "2×2, stride 2",
        "8 filters 3×3, same",
        "ReLU",
        "2×2, stride 2",
        "flatten",
        "32 units",
        "ReLU",
        "p = 0.25",
        "10 scores",
    ]
    # the hidden layer: 392 inputs x 32 units (+32 biases), the output: 32 x 10 (+10)
    assert rows[7]["params"] == 392 * 32 + 32 and rows[7]["multiply_adds"] == 392 * 32
    assert rows[-1]["params"] == 32 * 10 + 10 and rows[-1]["multiply_adds"] == 320


@pytest.mark.parametrize(
    ("choices", "text"),
    [
        ({"blocks": 0}, "dense 10"),
        ({"blocks": 0, "hidden": 64, "dropout": 0.5}, "dense 64 ReLU + dropout 0.5 + dense 10"),
        ({"blocks": 1, "pooling": "none", "filters": 4}, "1×[conv 3×3 same, ReLU], filters 4"),
        (
            {"blocks": 3, "double": False, "pooling": "average", "activation": "leaky ReLU"},
            "3×[conv 3×3 same, leaky ReLU, avg 2], filters 8 each",
        ),
        (
            {"blocks": 3, "kernel_size": 5, "padding": "valid", "activation": "tanh"},
            "3×[conv 5×5 valid, tanh, max 2], filters 8→16→32",
        ),
    ],
)
def test_describe(choices, text):
    assert CNNDesign(**choices).describe().startswith(text)
    assert CNNDesign(**choices).describe().endswith("dense 10")


def test_maps_shrunk_to_nothing_are_explained_in_one_line():
    with pytest.raises(ValueError) as err:
        CNNDesign(blocks=4, kernel_size=7, padding="valid").plan()
    assert str(err.value) == (
        "block 3 cannot be built: kernel 7x7 does not fit a 2x2 input with padding 0 "
        "(block 2 left maps of 2x2); use 'same' padding, a smaller kernel or fewer blocks"
    )
    # 28 -> 27 -> 13 -> 12 -> 6 -> 5 -> 2 -> 1: block 4's pooling has a single value left
    with pytest.raises(ValueError) as err:
        CNNDesign(blocks=4, kernel_size=2, padding="valid").plan()
    assert str(err.value) == (
        "block 4 cannot be built: pooling window 2x2 does not fit a 1x1 input with padding 0 "
        "(its convolution left maps of 1x1); use fewer blocks, 'same' padding, a smaller "
        "kernel or no pooling"
    )
    with pytest.raises(ValueError, match=r"^block 1 cannot be built: .*\(the input is 3x3\)"):
        CNNDesign(blocks=1, kernel_size=5, padding="valid", input_shape=(1, 3, 3)).plan()
    # the same reason as the layers give: the core's message, one place
    with pytest.raises(ValueError, match="kernel 7x7 does not fit a 2x2 input with padding 0"):
        Conv2D(1, 1, 7).output_shape((1, 2, 2))


def test_bad_choices_name_the_argument_and_the_choices():
    with pytest.raises(ValueError, match=r"padding must be one of 'same', 'valid', but is 'full'"):
        CNNDesign(padding="full")
    with pytest.raises(TypeError, match=r"activation must be one of 'relu', .*but is 3"):
        CNNDesign(activation=3)
    with pytest.raises(ValueError, match="pooling must be one of 'max', 'average', 'none'"):
        CNNDesign(pooling="min")
    with pytest.raises(ValueError, match="blocks must be at least 0, but is -1"):
        CNNDesign(blocks=-1)
    with pytest.raises(
        ValueError,
        match=r"dropout must be at least 0 and less than 1, but is 1.0; it is the probability",
    ):
        CNNDesign(dropout=1.0)
    with pytest.raises(ValueError, match=r"input_shape must be \(C, H, W\)"):
        CNNDesign(input_shape=(28, 28))
    assert CNNDesign(activation="Leaky-ReLU").activation == "leaky_relu"  # spelling is forgiven


def test_a_design_too_big_for_memory_is_refused_before_any_weight_is_drawn():
    design = CNNDesign(blocks=4, filters=512, pooling="none", hidden=4096)
    assert design.plan().total_params > 2 * 1024**3 // 4  # planning is fine: nothing allocated
    with pytest.raises(ValueError, match=r"would need .* GB of memory.*use fewer filters"):
        design.build()


@pytest.mark.parametrize("activation", list(ACTIVATION_CLASSES))
def test_a_built_design_exports_to_pytorch_source(activation):
    design = CNNDesign(blocks=2, pooling="average", activation=activation, hidden=16, dropout=0.5)
    source = to_pytorch(design.build())
    assert "class Net(nn.Module)" in source and "nn.AvgPool2d" in source
    assert "nn.Dropout(p=0.5)" in source
