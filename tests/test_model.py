"""Sequential: chaining, parameters, summary, seeds, saving and loading."""

import inspect
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnlib import layers
from cnnlib import model as model_module
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
from cnnlib.model import WEIGHTS_FORMAT, Sequential, reference_cnn
from cnnlib.optim import SGD
from cnnlib.pretrained import PRETRAINED_WEIGHTS

RNG = np.random.default_rng(7)


def small_model(seed=0):
    return Sequential(
        Conv2D(1, 4, 3, padding=1), ReLU(), MaxPool2D(2), Flatten(), Dense(4 * 4 * 4, 3), seed=seed
    )


def test_forward_and_backward_chain_the_layers():
    model = small_model()
    x = RNG.standard_normal((2, 1, 8, 8)).astype(np.float32)
    h = x
    for layer in model.layers:
        h = layer.forward(h)
    np.testing.assert_array_equal(model.forward(x), h)
    g = RNG.standard_normal((2, 3)).astype(np.float32)
    grad_x = model.backward(g)
    expected = g
    for layer in reversed(model.layers):
        expected = layer.backward(expected)
    np.testing.assert_allclose(grad_x, expected, rtol=1e-6)
    assert model.backward(g, input_grad=False) is None


def test_params_are_named_like_pytorch_and_shared_with_the_layers():
    model = small_model()
    assert list(model.params) == ["0.weight", "0.bias", "4.weight", "4.bias"]
    assert model.params["4.weight"] is model.layers[4].params["weight"]
    model.forward(np.zeros((1, 1, 8, 8)))
    model.backward(np.ones((1, 3), dtype=np.float32))
    assert {k: g.shape for k, g in model.grads.items()} == {
        k: p.shape for k, p in model.params.items()
    }


def test_summary_of_the_reference_network():
    summary = reference_cnn().summary((1, 28, 28))
    shapes = [r["output_shape"] for r in summary.rows]
    assert shapes == [
        (8, 28, 28),
        (8, 28, 28),
        (8, 14, 14),
        (16, 14, 14),
        (16, 14, 14),
        (16, 7, 7),
        (784,),
        (10,),
    ]
    assert [r["params"] for r in summary.rows] == [80, 0, 0, 1168, 0, 0, 0, 7850]
    assert summary.total_params == 9098
    text = str(summary)
    assert "Total params: 9,098" in text and "(N, 16, 7, 7)" in text and "7,850" in text
    assert repr(summary) == text
    assert text.splitlines()[0].split() == ["#", "Layer", "(type)", "Output", "shape", "Params"]


def test_multiply_adds_of_the_reference_network_by_hand():
    # conv 1: 28*28 positions x 8 filters x (1*3*3) weights; conv 2: 14*14 x 16 x (8*3*3);
    # dense: 784 inputs x 10 outputs; ReLU, pooling and Flatten multiply no weights
    by_hand = [28 * 28 * 8 * 9, 0, 0, 14 * 14 * 16 * 8 * 9, 0, 0, 0, 784 * 10]
    assert by_hand == [56_448, 0, 0, 225_792, 0, 0, 0, 7_840]
    model = reference_cnn()
    summary = model.summary((1, 28, 28), multiply_adds=True)
    assert [r["multiply_adds"] for r in summary.rows] == by_hand
    assert summary.total_multiply_adds == model.multiply_adds((1, 28, 28)) == 290_080
    lines = str(summary).splitlines()
    assert lines[0].split()[-1] == "Mult-adds" and lines[3].split()[-1] == "56,448"
    assert lines[-1] == "Total multiply-adds per example: 290,080"
    # without asking, the table is the one notebooks 05 and 06 print; the rows have them anyway
    plain = model.summary((1, 28, 28))
    assert "Mult-adds" not in str(plain) and plain.rows[3]["multiply_adds"] == 225_792


@pytest.mark.parametrize(
    ("layer", "shape", "expected"),
    [  # the glossary's formula sheet: Ho * Wo * F * C * k^2
        (Conv2D(3, 1, 5), (3, 32, 32), 58_800),
        (Conv2D(3, 6, 5), (3, 32, 32), 352_800),
        (Conv2D(8, 16, 3, padding=1), (8, 28, 28), 903_168),
        (Conv2D(8, 16, 3, padding=1), (8, 14, 14), 225_792),
        (Conv2D(2, 3, (2, 4), padding="same"), (2, 5, 8), 5 * 8 * 3 * 2 * 8),
        (Conv2D(2, 3, (2, 4), stride=(1, 2)), (2, 5, 8), 4 * 3 * 3 * 2 * 8),
        (Conv2D(1, 4, 3, dilation=2), (1, 28, 28), 24 * 24 * 4 * 1 * 9),  # same 9 weights
        (Dense(784, 10), (784,), 7_840),
        (MaxPool2D(2), (8, 28, 28), 0),
        (AvgPool2D(3, 1, 1), (8, 28, 28), 0),
        (LeakyReLU(), (8, 28, 28), 0),
        (Dropout(0.5), (10,), 0),
        (Flatten(), (3, 4, 4), 0),
    ],
)
def test_multiply_adds_of_each_layer(layer, shape, expected):
    assert layer.multiply_adds(shape) == expected


@settings(max_examples=40, deadline=None)
@given(
    c=st.integers(1, 3),
    f=st.integers(1, 3),
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    k=st.integers(1, 4),
    stride=st.integers(1, 3),
    pad=st.integers(0, 2),
)
def test_multiply_adds_count_the_products_a_convolution_makes(c, f, h, w, k, stride, pad):
    """Independent count: with every input value (padding included) and every weight 1, each
    output value is the number of products added into it, so the outputs sum to the count."""
    assume(h + 2 * pad >= k and w + 2 * pad >= k)
    layer = Conv2D(c, f, k, stride=stride, padding=pad, bias=False)
    layer.params["weight"][:] = 1
    unpadded = Conv2D(c, f, k, stride=stride, bias=False)  # the padding made explicit: ones
    unpadded.params["weight"][:] = 1
    x = np.ones((1, c, h + 2 * pad, w + 2 * pad), dtype=np.float32)
    assert int(unpadded.forward(x).sum()) == layer.multiply_adds((c, h, w))
    dense = Dense(h * w, f, bias=False)
    dense.params["weight"][:] = 1
    assert int(dense.forward(np.ones((1, h * w))).sum()) == dense.multiply_adds((h * w,))


def test_multiply_adds_check_the_shape_like_output_shape():
    with pytest.raises(ValueError, match="in_channels=3"):
        Conv2D(1, 4, 3).multiply_adds((3, 28, 28))
    with pytest.raises(ValueError, match=r"Dense\(100, 10\)"):
        Dense(784, 10).multiply_adds((100,))
    model = Sequential(Conv2D(1, 4, 3), Flatten(), Dense(100, 10))
    with pytest.raises(ValueError, match=r"layer 2 Dense"):
        model.multiply_adds((1, 28, 28))
    nested = Sequential(reference_cnn()[:3], reference_cnn()[3:])
    assert nested.multiply_adds((1, 28, 28)) == 290_080


def test_summary_of_dilated_convolutions():
    """Dilation spreads the same 9 weights over 5x5 (or 7x7) pixels: smaller maps, same counts."""
    model = Sequential(
        Conv2D(1, 4, 3, dilation=2),  # 28 - 2*2 = 24
        Conv2D(4, 4, 3, padding="same", dilation=3),  # 24, padded 3 + 3
        Conv2D(4, 2, 3, stride=2, padding="full", dilation=(1, 2)),  # 13 x 14
    )
    summary = model.summary((1, 28, 28))
    assert [r["output_shape"] for r in summary.rows] == [(4, 24, 24), (4, 24, 24), (2, 13, 14)]
    assert [r["params"] for r in summary.rows] == [40, 148, 74]
    assert "dilation=(2, 2)" in summary.rows[0]["layer"]
    assert "(N, 2, 13, 14)" in str(summary) and "Total params: 262" in str(summary)


def test_reference_network_with_dropout_before_the_dense_layer():
    plain, dropped = reference_cnn(seed=2), reference_cnn(seed=2, dropout=0.5)
    assert len(plain) == len(reference_cnn(seed=2, dropout=0)) == 8  # 0: no Dropout layer
    assert isinstance(dropped[7], Dropout) and dropped[7].p == 0.5
    assert isinstance(dropped[8], Dense)
    # the plain network's first 7 layers, then Dropout and Dense seeded as layers 7 and 8
    by_hand = Sequential(*plain.layers[:7], Dropout(0.5), Dense(784, 10), seed=2)
    for name, p in by_hand.params.items():
        np.testing.assert_array_equal(dropped.params[name], p)
    x = RNG.random((3, 1, 28, 28))
    np.testing.assert_array_equal(dropped.forward(x), by_hand.forward(x))
    with pytest.raises(
        ValueError,
        match=r"dropout must be at least 0 and less than 1, but is 1; it is the probability",
    ):
        reference_cnn(dropout=1)
    with pytest.raises(TypeError, match="dropout"):
        reference_cnn(dropout="0.5")


def test_summary_names_the_layer_that_does_not_fit():
    model = Sequential(Conv2D(1, 4, 3), Flatten(), Dense(100, 10))
    with pytest.raises(ValueError, match=r"layer 2 Dense.*2704.*Dense\(2704, 10\)"):
        model.summary((1, 28, 28))
    with pytest.raises(ValueError, match=r"layer 0 Conv2D.*in_channels=3"):
        model.summary((3, 28, 28))


def test_forward_errors_name_the_layer():
    with pytest.raises(ValueError, match="layer 4 Dense"):
        small_model().forward(np.zeros((2, 1, 10, 10)))


def test_seeds_make_models_reproducible_and_layers_different():
    a, b, c = reference_cnn(seed=1), reference_cnn(seed=1), reference_cnn(seed=2)
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])
    assert not np.array_equal(a.params["0.weight"], c.params["0.weight"])
    # two identical layers in one model do not start identical
    twins = Sequential(Dense(5, 5), Dense(5, 5))
    assert not np.array_equal(twins.params["0.weight"], twins.params["1.weight"])
    # a layer built with its own seed keeps its weights
    own = Dense(5, 5, seed=3)
    w = own.params["weight"].copy()
    Sequential(own, seed=9)
    np.testing.assert_array_equal(own.params["weight"], w)


def test_slicing_and_rewrapping_keep_trained_weights():
    model = small_model(seed=1)
    for p in model.params.values():
        p += 1  # "training"
    trained = {k: p.copy() for k, p in model.params.items()}
    head = model[:3]
    again = Sequential(*model.layers, seed=5)
    for k, p in model.params.items():
        np.testing.assert_array_equal(p, trained[k])
    np.testing.assert_array_equal(head.params["0.weight"], trained["0.weight"])
    np.testing.assert_array_equal(again.params["4.bias"], trained["4.bias"])
    x = RNG.standard_normal((2, 1, 8, 8)).astype(np.float32)
    np.testing.assert_array_equal(
        head.forward(x), model.layers[2](model.layers[1](model.layers[0](x)))
    )
    # starting again from scratch is explicit
    model.initialize(1)
    np.testing.assert_array_equal(model.params["0.weight"], small_model(seed=1).params["0.weight"])


def test_predict_and_predict_proba_use_eval_mode():
    model = Sequential(Flatten(), Dense(16, 8), ReLU(), Dropout(0.5), Dense(8, 4), seed=0)
    x = RNG.standard_normal((30, 1, 4, 4))
    proba = model.predict_proba(x, batch_size=7)
    assert proba.shape == (30, 4) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    # no dropout in eval mode: the same call gives the same numbers, bit for bit
    np.testing.assert_array_equal(model.predict_proba(x, batch_size=7), proba)
    # another batch size is another matrix product: BLAS may add up in another order
    # (it does with OpenBLAS's Haswell and Zen kernels), so float32 rounding may differ
    np.testing.assert_allclose(model.predict_proba(x), proba, rtol=1e-5, atol=1e-7)
    pred = model.predict(x)
    assert pred.dtype == np.int64 and pred.shape == (30,)
    np.testing.assert_array_equal(pred, model.predict_proba(x).argmax(axis=1))  # same batches
    assert model.training and all(layer.training for layer in model)


def test_train_and_eval_reach_every_layer():
    model = small_model()
    model.eval()
    assert not any(layer.training for layer in model)
    model.train()
    assert all(layer.training for layer in model)


def test_container_behaviour_and_repr():
    model = small_model()
    assert len(model) == 5 and isinstance(model[0], Conv2D) and len(model[:3]) == 3
    assert repr(model).splitlines()[:2] == [
        "Sequential(",
        "  (0): Conv2D(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
    ]
    assert Sequential([ReLU(), Flatten()]).layers[1].__class__ is Flatten
    with pytest.raises(TypeError, match="parentheses"):
        Sequential(Flatten(), ReLU)


def test_save_and_load_round_trip(tmp_path):
    model, other = small_model(seed=1), small_model(seed=2)
    x = RNG.standard_normal((5, 1, 8, 8)).astype(np.float32)
    path = tmp_path / "weights.npz"
    model.save_weights(path)
    arrays_before = {k: id(p) for k, p in other.params.items()}
    assert other.load_weights(path) is other
    np.testing.assert_array_equal(other.forward(x), model.forward(x))
    assert {k: id(p) for k, p in other.params.items()} == arrays_before  # copied in place
    with np.load(path, allow_pickle=False) as data:  # plain arrays only, no pickles
        assert set(data.files) == {"0.weight", "0.bias", "4.weight", "4.bias", "__architecture__"}
        description = json.loads(data["__architecture__"].item())
    assert description["format"] == WEIGHTS_FORMAT
    assert description["layers"][0] == {
        "type": "Conv2D",
        "settings": {
            "in_channels": 1,
            "out_channels": 4,
            "kernel_size": [3, 3],
            "stride": [1, 1],
            "padding": [1, 1],
            "bias": True,
        },
    }
    assert description["layers"][2] == {
        "type": "MaxPool2D",
        "settings": {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0]},
    }
    assert [layer["type"] for layer in description["layers"]] == [
        "Conv2D",
        "ReLU",
        "MaxPool2D",
        "Flatten",
        "Dense",
    ]


def test_an_optimiser_keeps_working_after_load(tmp_path):
    model = small_model(seed=1)
    opt = SGD(model, lr=0.1)
    small_model(seed=5).save_weights(tmp_path / "w.npz")
    model.load_weights(tmp_path / "w.npz")
    before = model.params["4.bias"].copy()
    model.forward(np.ones((1, 1, 8, 8)))
    model.backward(np.ones((1, 3), dtype=np.float32))
    opt.step()
    np.testing.assert_allclose(model.params["4.bias"], before - 0.1)


def test_loading_into_another_architecture_names_layer_and_shapes(tmp_path):
    path = tmp_path / "w.npz"
    reference_cnn().save_weights(path)
    wider = Sequential(
        Conv2D(1, 8, 3, padding=1),
        ReLU(),
        MaxPool2D(2),
        Conv2D(8, 32, 3, padding=1),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(32 * 7 * 7, 10),
    )
    before = {k: p.copy() for k, p in wider.params.items()}
    with pytest.raises(ValueError) as info:
        wider.load_weights(path)
    message = str(info.value)
    assert "saved from a different network" in message
    # the first difference, then the saved network, layer by layer, to rebuild it
    assert "layer 3 Conv2D has out_channels=16 in the file but out_channels=32" in message
    assert "(3): Conv2D(in_channels=8, out_channels=16, kernel_size=(3, 3)" in message
    assert "(7): Dense(in_features=784, out_features=10, bias=True)" in message
    for k, p in wider.params.items():  # nothing was half-loaded
        np.testing.assert_array_equal(p, before[k])
    with pytest.raises(ValueError, match=r"layer 0 is Conv2D\(in_channels=1.* but Flatten\(\)"):
        Sequential(Flatten(), Dense(784, 10), ReLU(), ReLU(), Dense(10, 10)).load_weights(path)
    with pytest.raises(ValueError, match="the file's network has 8 layers, this model 7"):
        reference_cnn()[:7].load_weights(path)


# ----------------------------------------------------------------------------
# a weights file that does not fit is refused, and refused before anything changes
# ----------------------------------------------------------------------------
def fully_convolutional(stride=1, padding=1, pool=MaxPool2D, activation=ReLU):
    """A network whose parameter shapes do not depend on strides, paddings or pooling."""
    return Sequential(
        Conv2D(1, 4, 3, padding=1),
        activation(),
        pool(2),
        Conv2D(4, 2, 3, stride=stride, padding=padding),
        seed=0,
    )


@pytest.mark.parametrize(
    ("other", "pattern"),
    [
        (
            fully_convolutional(stride=2),
            r"layer 3 Conv2D has stride=\(1, 1\) in the file but stride=\(2, 2\) in this model",
        ),
        (
            fully_convolutional(padding=0),
            r"layer 3 Conv2D has padding=\(1, 1\) in the file but padding=\(0, 0\)",
        ),
        (
            fully_convolutional(pool=AvgPool2D),
            r"layer 2 is MaxPool2D\(kernel_size=\(2, 2\).* but AvgPool2D\(kernel_size",
        ),
        (
            fully_convolutional(activation=Sigmoid),
            r"layer 1 is ReLU\(\) in the file but Sigmoid\(\)",
        ),
        (
            Sequential(Conv2D(1, 4, 3, padding=1), LeakyReLU(0.2), MaxPool2D(2), Conv2D(4, 2, 3)),
            r"layer 1 is ReLU\(\) in the file but LeakyReLU\(negative_slope=0.2\)",
        ),
        (
            Sequential(Conv2D(1, 4, 3, padding=1), ReLU(), MaxPool2D(2, stride=1), Conv2D(4, 2, 3)),
            r"layer 2 MaxPool2D has stride=\(2, 2\) in the file but stride=\(1, 1\)",
        ),
    ],
)
def test_same_shaped_weights_of_another_network_are_refused(tmp_path, other, pattern):
    path = fully_convolutional().save_weights(tmp_path / "w.npz")
    assert {k: p.shape for k, p in other.params.items()} == {
        k: p.shape for k, p in fully_convolutional().params.items()
    }  # the shapes alone would fit
    before = {k: p.copy() for k, p in other.params.items()}
    with pytest.raises(ValueError, match=pattern):
        other.load_weights(path)
    for k, p in other.params.items():
        np.testing.assert_array_equal(p, before[k])


def test_leaky_slope_and_dropout_rate_are_part_of_the_network(tmp_path):
    path = Sequential(Flatten(), Dense(4, 3), LeakyReLU(0.1), Dropout(0.5)).save_weights(
        tmp_path / "w"
    )
    with pytest.raises(ValueError, match=r"layer 2 LeakyReLU has negative_slope=0.1 in the file"):
        Sequential(Flatten(), Dense(4, 3), LeakyReLU(0.3), Dropout(0.5)).load_weights(path)
    with pytest.raises(ValueError, match=r"layer 3 Dropout has p=0.5 in the file but p=0.2"):
        Sequential(Flatten(), Dense(4, 3), LeakyReLU(0.1), Dropout(0.2)).load_weights(path)
    Sequential(Flatten(), Dense(4, 3), LeakyReLU(0.1), Dropout(0.5)).load_weights(path)


def test_every_constructor_argument_of_every_layer_is_recorded():
    """A layer's settings are its constructor arguments; a new one must reach the file."""
    examples = [
        Conv2D(1, 2, 3),
        MaxPool2D(2),
        AvgPool2D(2),
        ReLU(),
        LeakyReLU(0.1),
        Sigmoid(),
        Tanh(),
        Flatten(),
        Dense(3, 2),
        Dropout(0.5),
    ]
    assert {type(layer).__name__ for layer in examples} == set(layers.__all__) - {"Layer"}
    for layer in examples:
        arguments = set(inspect.signature(type(layer).__init__).parameters) - {
            "self",
            "seed",
            "dtype",
        }
        recorded = set(model_module._architecture([layer])[0]["settings"])
        assert recorded == arguments, type(layer).__name__


def test_a_file_that_fails_any_check_changes_nothing(tmp_path):
    model = small_model(seed=1)
    before = {k: p.copy() for k, p in model.params.items()}
    good = small_model(seed=2).save_weights(tmp_path / "good.npz")
    with np.load(good, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    # layer 0 is fine in every file; a later parameter is not
    spoiled = {
        "strings": {**arrays, "4.bias": np.array(["a", "b", "c"])},
        "complex": {**arrays, "4.weight": arrays["4.weight"] * 1j},
        "nan": {**arrays, "4.weight": np.where(np.eye(3, 64) > 0, np.nan, arrays["4.weight"])},
        "inf": {**arrays, "4.bias": np.array([0, np.inf, 0], dtype=np.float32)},
    }
    for label, bad in spoiled.items():
        path = tmp_path / f"{label}.npz"
        np.savez(path, **bad)
        with pytest.raises(ValueError, match="'4.weight'|'4.bias'"):
            model.load_weights(path)
        for k, p in model.params.items():
            np.testing.assert_array_equal(p, before[k], err_msg=label)


def test_weights_with_nan_are_refused_when_saving_and_loading(tmp_path):
    model = small_model(seed=1)
    model.params["4.bias"][1] = np.nan  # training diverged
    with pytest.raises(ValueError, match=r"parameter '4.bias' contains 1 NaN.*diverged"):
        model.save_weights(tmp_path / "w.npz")
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file
    arrays = dict(small_model(seed=1).params)
    arrays["4.bias"] = np.array([np.nan, 0, 0], dtype=np.float32)
    path = small_model().save_weights(tmp_path / "ok.npz")
    with np.load(path, allow_pickle=False) as data:
        np.savez(path, **arrays, __architecture__=data["__architecture__"])
    with pytest.raises(ValueError, match=r"'4.bias' in .*ok.npz contains 1 NaN.*diverged"):
        small_model().load_weights(path)


def test_save_and_load_agree_on_the_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = small_model(seed=1)
    written = model.save_weights("m")
    assert written == Path("m.npz") and written.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]
    for name in ("m", "m.npz", Path("m"), tmp_path / "m.npz"):
        loaded = small_model(seed=2).load_weights(name)
        np.testing.assert_array_equal(loaded.params["0.weight"], model.params["0.weight"])
    with pytest.raises(FileNotFoundError, match=r"no weights file other.npz \(the current folder"):
        model.load_weights("other")


def test_saving_gives_the_same_bytes_and_replaces_a_file_whole(tmp_path):
    model = small_model(seed=1)
    first = model.save_weights(tmp_path / "a.npz").read_bytes()
    second = model.save_weights(tmp_path / "b.npz").read_bytes()
    assert first == second  # no time stamps in the file
    small_model(seed=3).save_weights(tmp_path / "a.npz")  # over an older file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz", "b.npz"]
    assert (tmp_path / "a.npz").read_bytes() != first


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(np.random.default_rng(0).bytes(2000), id="random-bytes"),
        pytest.param(b"", id="empty"),
        pytest.param(b"0.weight,0.bias\n1,2\n", id="text"),
    ],
)
def test_a_file_that_is_not_a_weights_file_says_so(tmp_path, content):
    path = tmp_path / "w.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="is not a weights file written by") as info:
        small_model().load_weights(path)
    assert "allow_pickle" not in str(info.value)


def test_a_damaged_or_foreign_npz_says_so(tmp_path):
    model = small_model()
    path = model.save_weights(tmp_path / "w.npz")
    damaged = bytearray(path.read_bytes())
    damaged[200] ^= 0xFF  # inside the data of the first array
    path.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="or it is damaged: it cannot be read"):
        model.load_weights(path)
    with open(tmp_path / "one.npz", "wb") as file:  # a single .npy array under an .npz name
        np.save(file, np.zeros(3))
    with pytest.raises(ValueError, match="it is not a .npz archive"):
        model.load_weights(tmp_path / "one.npz")
    np.savez(tmp_path / "plain.npz", **model.params)  # right names and shapes, no record
    with pytest.raises(ValueError, match="does not say which network its weights belong to"):
        model.load_weights(tmp_path / "plain.npz")
    np.savez(tmp_path / "pickled.npz", **model.params, __architecture__=np.array([{}], object))
    with pytest.raises(ValueError, match="cannot be read as an archive of plain arrays"):
        model.load_weights(tmp_path / "pickled.npz")


@pytest.mark.parametrize(
    "description",
    [
        np.array("not JSON"),
        np.array('{"format": 2}'),
        np.array('{"format": 2, "layers": [{"settings": {}}]}'),
        np.array('{"format": 2, "layers": [1]}'),
        np.array("[1, 2]"),
        np.arange(3),
    ],
)
def test_an_unreadable_description_of_the_network_says_so(tmp_path, description):
    model = small_model()
    np.savez(tmp_path / "w.npz", **model.params, __architecture__=description)
    with pytest.raises(ValueError, match="its description of the network is unreadable"):
        model.load_weights(tmp_path / "w.npz")


def test_a_file_from_a_newer_cnnlib_says_so(tmp_path):
    model = small_model()
    description = json.dumps({"format": WEIGHTS_FORMAT + 1, "layers": []})
    np.savez(tmp_path / "new.npz", **model.params, __architecture__=np.array(description))
    with pytest.raises(ValueError, match="written by a newer cnnlib.*update cnnlib"):
        model.load_weights(tmp_path / "new.npz")


def test_a_dilation_is_recorded_and_must_match(tmp_path):
    def dilated(d):  # 8x8 -> 4x4 with dilation 2 (padding 0), 6x6 without
        side = 8 - 2 * d
        return Sequential(Conv2D(1, 2, 3, dilation=d), Flatten(), Dense(2 * side * side, 3))

    model = dilated(2)
    path = model.save_weights(tmp_path / "dilated")
    with np.load(path, allow_pickle=False) as data:
        record = json.loads(data["__architecture__"].item())["layers"][0]["settings"]
    assert record["dilation"] == [2, 2]
    x = RNG.standard_normal((2, 1, 8, 8)).astype(np.float32)
    np.testing.assert_array_equal(dilated(2).load_weights(path).forward(x), model.forward(x))
    with pytest.raises(
        ValueError, match=r"layer 0 Conv2D has dilation=\(2, 2\) in the file but dilation=\(1, 1\)"
    ):
        dilated(1).load_weights(path)


def test_a_nested_sequential_with_convolutions_loads_its_own_file(tmp_path):
    def nested(d):
        return Sequential(Sequential(Conv2D(1, 2, 3, padding=d, dilation=d), ReLU()), Flatten())

    path = nested(1).save_weights(tmp_path / "nested")
    nested(1).load_weights(path)
    with pytest.raises(ValueError, match="layer 0 Sequential has layers="):
        nested(2).load_weights(path)
    nested(2).load_weights(nested(2).save_weights(tmp_path / "nested2"))


def test_files_saved_before_convolutions_had_a_dilation_load_as_dilation_1(tmp_path):
    """A file whose record has no dilation (all files from before Conv2D had one, such as the
    shipped weights) was saved from convolutions with dilation 1, and loads only into those."""
    with np.load(PRETRAINED_WEIGHTS, allow_pickle=False) as data:
        layers_record = json.loads(data["__architecture__"].item())["layers"]
    assert layers_record[0]["type"] == "Conv2D" and "dilation" not in layers_record[0]["settings"]
    reference_cnn().load_weights(PRETRAINED_WEIGHTS)
    # the same network, but its first convolution dilated (padding 2 keeps every shape)
    dilated = Sequential(Conv2D(1, 8, 3, padding=2, dilation=2), *reference_cnn().layers[1:])
    assert dilated.summary((1, 28, 28)).rows[-1]["output_shape"] == (10,)
    with pytest.raises(
        ValueError,
        match=r"layer 0 Conv2D has padding=\(1, 1\), dilation=\(1, 1\) in the file but "
        r"padding=\(2, 2\), dilation=\(2, 2\) in this model",
    ):
        dilated.load_weights(PRETRAINED_WEIGHTS)
    # and a model saved with dilation 1 today writes the same record as before
    path = reference_cnn().save_weights(tmp_path / "today")
    with np.load(path, allow_pickle=False) as data:
        assert json.loads(data["__architecture__"].item())["layers"] == layers_record


def test_files_from_before_the_settings_were_recorded_are_checked_by_their_layer_texts(tmp_path):
    """Format 1 (cnnlib before this check) recorded each layer's repr in '__layers__'."""
    model = small_model(seed=1)
    old = tmp_path / "old.npz"
    np.savez(old, **model.params, __layers__=np.array([repr(layer) for layer in model.layers]))
    loaded = small_model(seed=2).load_weights(old)
    for k, p in model.params.items():
        np.testing.assert_array_equal(loaded.params[k], p)
    other = Sequential(
        Conv2D(1, 4, 3, padding=1), ReLU(), AvgPool2D(2), Flatten(), Dense(4 * 4 * 4, 3)
    )
    with pytest.raises(ValueError, match=r"layer 2 is MaxPool2D\(kernel_size=2.* but AvgPool2D"):
        other.load_weights(old)


def test_save_weights_refuses_what_is_not_a_file_name_or_folder(tmp_path):
    with pytest.raises(TypeError, match=r"path must be a file name.*user_data_dir"):
        small_model().save_weights(3)
    with pytest.raises(FileNotFoundError, match="the folder .*missing does not exist"):
        small_model().save_weights(tmp_path / "missing" / "w.npz")
    (tmp_path / "taken.npz").mkdir()  # cannot be replaced by a file (as root, unlike chmod)
    with pytest.raises(
        OSError, match=r"cannot write .*taken.npz .*user_data_dir\(\) / 'taken.npz'"
    ):
        small_model().save_weights(tmp_path / "taken.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.npz"]  # no temporary file left


# ----------------------------------------------------------------------------
# predict and summary check their arguments
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_predict_checks_batch_size_and_values(method):
    model = small_model()
    x = RNG.standard_normal((5, 1, 8, 8))
    predict = getattr(model, method)
    for batch_size in (0, -1):
        with pytest.raises(ValueError, match=f"batch_size .* at least 1, but is {batch_size}"):
            predict(x, batch_size=batch_size)
    for batch_size in (2.5, "10", True, None):
        with pytest.raises(TypeError, match="batch_size .* must be an int"):
            predict(x, batch_size=batch_size)
    x[3, 0, 2, 2] = np.nan
    with pytest.raises(ValueError, match=r"x contains 1 NaN.*index \(3, 0, 2, 2\)"):
        predict(x)
    assert model.training  # the failed call left the mode alone


def test_predict_on_no_examples_gives_answers_of_the_right_shape():
    model = small_model()
    assert model.predict_proba(np.zeros((0, 1, 8, 8))).shape == (0, 3)
    empty = model.predict(np.zeros((0, 1, 8, 8)))
    assert empty.shape == (0,) and empty.dtype == np.int64
    with pytest.raises(ValueError, match="layer 4 Dense"):
        model.predict(np.zeros((0, 1, 10, 10)))


@pytest.mark.parametrize("method", ["summary", "output_shape"])
def test_summary_refuses_impossible_shapes(method):
    check = getattr(reference_cnn(), method)
    for shape in [(1, -28, 28), (1, 28, 0), (0, 28, 28)]:
        with pytest.raises(ValueError, match=r"input_shape=.* is impossible.*at least 1") as info:
            check(shape)
        assert "padding" not in str(info.value)
    for shape in ["1, 28, 28", (1, 28.5, 28), (), None]:
        with pytest.raises(TypeError, match="input_shape must be the shape of one example"):
            check(shape)
    assert Sequential(Flatten(), Dense(4, 2)).summary(4).rows[-1]["output_shape"] == (2,)
