"""ClassifierExplorer and HandwiredExplorer: every control, the displayed data, odd inputs."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import PIL.Image
import pytest

from cnnlib import bar_image, handwired_cnn, load_mnist, make_bars, softmax, trace_handwired
from cnnlib.explorers.classifier import (
    ClassifierExplorer,
    HandwiredExplorer,
    VectorLayout,
    classifier_parts,
)
from cnnlib.layers import Conv2D, Flatten, ReLU
from cnnlib.model import Sequential, reference_cnn
from cnnlib.plotting import SIGNED_CMAP, short_number


@pytest.fixture(scope="module")
def digits():
    images, labels = load_mnist("test")
    return images[:12], labels[:12]


@pytest.fixture(scope="module")
def mnist_explorer(digits):
    """The course CNN (random weights: the explorer must not care) on 12 test digits."""
    return ClassifierExplorer(reference_cnn(seed=1), *digits)


@pytest.fixture(scope="module")
def bars_explorer():
    images, labels = make_bars(10, noise=0.2, seed=4)
    return ClassifierExplorer(
        handwired_cnn(), images, labels, class_names=["horizontal", "vertical"]
    )


def direct(model, image, temperature):
    """Scores and probabilities computed straight from the model, layer by layer."""
    x = np.asarray(image, dtype=np.float32)[None]
    h = x
    for layer in model.layers[:-1]:
        h = layer.forward(h)
    features = h[0]
    scores = model.forward(x)[0].astype(float)
    return features, scores, softmax(scores / temperature)


def check_consistent(ex):
    """What the explorer holds and draws is the model's own computation."""
    index = ex.controls["index"].value
    t = ex.controls["temperature"].value
    features, scores, probs = direct(ex.model, ex.images[index], t)
    assert ex.message == ""
    np.testing.assert_allclose(ex.features, features, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ex.scores, scores, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ex.output, probs, rtol=1e-5, atol=1e-7)
    assert np.isfinite(ex.output).all() and ex.output.sum() == pytest.approx(1.0)
    assert ex.prediction == int(np.argmax(scores)) == int(np.argmax(ex.output))
    # the bars show exactly these numbers
    np.testing.assert_allclose([b.get_height() for b in ex._prob_bars.bars], ex.output)
    np.testing.assert_allclose([b.get_height() for b in ex._score_bars.bars], ex.scores)
    # the score of the prediction = sum of weight x feature + bias
    dense = ex.model.layers[-1].params
    p = ex.prediction
    assert ex.contributions.sum() + dense["bias"][p] == pytest.approx(scores[p], abs=1e-4)
    np.testing.assert_allclose(ex._im_input.get_array(), ex.images[index][0])


@pytest.mark.parametrize("which", ["mnist_explorer", "bars_explorer"])
def test_every_input_and_temperature_shows_the_models_numbers(which, request):
    ex = request.getfixturevalue(which)
    for index in range(len(ex.images)):
        ex.controls["index"].value = index
        check_consistent(ex)
    for t in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0):
        ex.controls["temperature"].value = t
        assert ex.controls["temperature"].value == pytest.approx(t)
        check_consistent(ex)
    ex.controls["temperature"].value = 1.0


def test_the_784_features_are_the_flattened_maps(mnist_explorer):
    ex = mnist_explorer
    ex.controls["index"].value = 7
    maps, features, scores = classifier_parts(ex.model, ex.images[7:8])
    assert maps.shape == (1, 16, 7, 7) and features.shape == (1, 784)
    np.testing.assert_array_equal(features[0], maps[0].ravel())
    # each map is a 7x7 tile of the picture, under a 2-row tab with its number:
    # 4 tiles a row, a gap column between tiles; every other cell is a gap (NaN)
    picture = np.ma.filled(ex._im_features.get_array(), np.nan)
    assert picture.shape == (4 * (2 + 7), 4 * 8 - 1)
    for k in range(16):
        top, left = (k // 4) * 9 + 2, (k % 4) * 8
        np.testing.assert_array_equal(picture[top : top + 7, left : left + 7], maps[0, k])
    assert np.isnan(picture).sum() == picture.size - 784
    contributions = np.ma.filled(ex._im_contributions.get_array(), np.nan)
    np.testing.assert_allclose(
        contributions[np.isfinite(contributions)], ex.contributions[ex._layout.index.argsort()]
    )
    numbers = [t.get_text() for t in ex._ax_features.texts]
    assert numbers == [str(k) for k in range(16)]
    assert "784 numbers" in ex._ax_features.get_title()
    assert "map k holds" in ex._ax_features.get_xlabel()


def test_feature_colours_start_at_zero_and_contributions_are_centred(mnist_explorer):
    """Features come out of ReLU: white at 0, no blue half (the scale ran to -5 before);
    weight x feature has both signs: centred on 0. A pointed end where values go beyond."""
    ex = mnist_explorer
    assert ex._features.min() >= 0
    low, high = ex._im_features.get_clim()
    assert low == 0 and high > 0
    # 0 takes the signed map's middle colour (near white), the top its darkest red
    signed = matplotlib.colormaps[SIGNED_CMAP]
    assert ex._im_features.cmap(0.0) == pytest.approx(signed(0.5), abs=0.01)
    assert ex._im_features.cmap(1.0) == pytest.approx(signed(1.0), abs=0.01)
    assert ex._im_features.colorbar.extend in ("max", "neither")
    low, high = ex._im_contributions.get_clim()
    assert low == -high < 0
    assert ex._im_contributions.colorbar.extend != "neither"  # the 99th percentile cuts


@pytest.mark.parametrize(
    ("n", "map_shape", "shape"),
    [
        (784, (16, 7, 7), (36, 31)),
        (12, (3, 2, 2), (8, 5)),
        (10, None, (2, 7)),
        (12, (2, 2, 2), (2, 7)),
    ],
)
def test_vector_layout_places_every_number_once(n, map_shape, shape):
    layout = VectorLayout(n, map_shape)
    assert layout.shape == shape
    assert len(set(layout.index.tolist())) == n  # no two numbers share a cell
    vector = np.arange(n, dtype=float) + 1
    picture = layout.picture(vector)
    np.testing.assert_array_equal(picture.flat[layout.index], vector)
    assert np.isnan(picture).sum() == picture.size - n
    # a stack of maps that does not match the length is shown as plain rows
    assert layout.tiled == (map_shape is not None and int(np.prod(map_shape)) == n)


def test_temperature_sharpens_or_flattens_but_keeps_the_prediction(mnist_explorer):
    ex = mnist_explorer
    ex.controls["index"].value = 3
    tops, entropies = [], []
    for t in (0.1, 1.0, 10.0):
        ex.controls["temperature"].value = t
        p = ex.output
        tops.append(p.max())
        entropies.append(-(p * np.log(np.maximum(p, 1e-300))).sum())
        assert ex.prediction == int(np.argmax(p))
    assert tops[0] > tops[1] > tops[2]
    assert entropies[0] < entropies[1] < entropies[2] <= np.log(10) + 1e-9
    ex.controls["temperature"].value = 1.0


def test_extreme_scores_and_temperatures_do_not_overflow(digits):
    model = reference_cnn(seed=2)
    model.layers[-1].params["weight"] *= 1e4  # scores in the tens of thousands
    ex = ClassifierExplorer(model, digits[0][:3], digits[1][:3])
    assert np.abs(ex.scores).max() > 1e3
    for t in (0.1, 10.0):
        ex.controls["temperature"].value = t
        assert ex.message == ""
        assert np.isfinite(ex.output).all() and ex.output.sum() == pytest.approx(1.0)
    assert ex.output.max() > 0.99  # such scores are certain even at T = 10


def test_broken_weights_give_a_message_not_a_traceback(digits):
    model = reference_cnn(seed=3)
    model.layers[-1].params["bias"][0] = np.nan
    ex = ClassifierExplorer(model, digits[0][:3], digits[1][:3])
    assert ex.output is None
    assert "not finite" in ex.message
    ex.controls["index"].value = 1  # the controls stay alive
    assert ex.output is None and ex.png


def test_the_model_is_left_as_it_was(mnist_explorer):
    model = mnist_explorer.model
    mnist_explorer.controls["index"].value = 5
    assert model.training  # evaluation mode only while the explorer runs it
    for name, value in model.params.items():
        np.testing.assert_array_equal(value, reference_cnn(seed=1).params[name])


def test_small_feature_vectors_are_named_bars(bars_explorer):
    ex = bars_explorer
    ex.controls["index"].value = 2
    widths = [b.get_width() for b in ex._feature_bars.bars]
    np.testing.assert_allclose(widths, ex.features)
    np.testing.assert_allclose([b.get_width() for b in ex._contrib_bars.bars], ex.contributions)
    assert ex._ax_features.get_yticklabels()[0].get_text() == "feature 0"
    true = int(ex.labels[2])
    assert ex._prob_bars.bars[true].get_linewidth() > 0  # the true class is outlined


def test_the_description_finds_the_features_in_their_maps(mnist_explorer):
    ex = mnist_explorer
    ex.controls["temperature"].value = 1.0
    ex.controls["index"].value = 4
    maps, _, _ = classifier_parts(ex.model, ex.images[4:5])
    # the explorer's own numbers (computed in a batch: BLAS may differ from one image in
    # the last bits, which could tip a rounding), laid out as the maps they came from
    features = ex.features.reshape(maps.shape[1:])
    k, r, c = np.unravel_index(np.argmax(features), features.shape)  # (map, row, column)
    text = ex.description
    assert "784 numbers from 16 maps of 7x7, drawn as 16 numbered tiles" in text
    largest = short_number(round(float(features.max()), 2))
    assert "Feature vector: 784 numbers" in text
    assert f"largest {largest} at map {k}, row {r}, column {c}." in text
    zeros = np.mean(features == 0)
    assert f"{zeros:.0%} exactly 0; largest {largest}" in text
    # scores highest first, as the bars print them (one decimal below 10)
    order = np.argsort(ex.scores)[::-1]
    first = f"class {order[0]}: {ex.scores[order[0]]:.1f}".replace("-", "−")
    assert f"Class scores, highest first: {first}, class {order[1]}: " in text
    assert "; the other 5 lower. Probabilities, softmax(scores / T) with T = 1.00: " in text
    label, p = int(ex.labels[4]), ex.prediction
    verdict = "predicted right" if label == p else f"predicted {p}: wrong"
    assert text.startswith(f"Input #4, true class {label}, {verdict}. ")
    ex.controls["temperature"].value = 10.0  # flatter probabilities, same scores
    assert ex.description != text
    assert "T = 10.00: " in ex.description
    assert ex.description.split("Probabilities")[0] == text.split("Probabilities")[0]
    ex.controls["temperature"].value = 1.0


def test_the_description_of_a_short_vector_gives_every_value(bars_explorer):
    ex = bars_explorer
    ex.controls["temperature"].value = 1.0
    ex.controls["index"].value = 2
    h, v = (short_number(round(float(f), 2)) for f in ex.features)
    assert f"Feature vector, 2 numbers: feature 0 = {h}, feature 1 = {v}." in ex.description
    # two classes: both scores and both probabilities, nothing left out
    assert "the other" not in ex.description
    probs = [f"{q:.1%}" for q in ex.output]
    assert f"class horizontal: {probs[0]}" in ex.description
    assert f"class vertical: {probs[1]}" in ex.description


def test_bars_explorer_gets_most_noisy_bars_right(bars_explorer):
    assert bars_explorer.accuracy >= 0.9


def test_default_is_the_trained_network_on_the_test_digits():
    ex = ClassifierExplorer()
    images, labels = load_mnist("test")
    assert ex.images.shape == (len(images), 1, 28, 28)
    np.testing.assert_array_equal(ex.labels, labels)
    assert ex.class_names == [str(d) for d in range(10)]
    assert ex.accuracy >= 0.97  # the shipped weights
    assert ex.output is not None and ex.png
    assert "prediction" in ex._status.value
    # a confident, correct first digit; the strip shows 16 maps of 7x7
    assert ex.prediction == labels[0] and ex.output.max() > 0.9
    assert ex._im_features.get_array().shape == (36, 31)  # 16 tiles of 7x7


def test_png_keeps_its_size(mnist_explorer):
    sizes = set()
    for index in (0, 5, 11):
        mnist_explorer.controls["index"].value = index
        sizes.add(PIL.Image.open(io.BytesIO(mnist_explorer.png)).size)
    assert len(sizes) == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((handwired_cnn(),), {}, "without images"),
        ((None, np.zeros((2, 8, 8))), {}, "without a model"),
        ((handwired_cnn(), np.zeros((0, 8, 8))), {}, "images is empty"),
        ((handwired_cnn(), np.zeros((8, 8))), {}, "shape \\(N, H, W\\)"),
        ((handwired_cnn(), np.zeros((3, 8, 8))), {"labels": [0, 1]}, "2 labels for 3 images"),
        ((handwired_cnn(), np.zeros((3, 8, 8))), {"class_names": ["a"]}, "1 class names"),
        (
            (Sequential(Conv2D(1, 2, 3), ReLU(), Flatten()), np.zeros((3, 8, 8))),
            {},
            "last layer is Flatten",
        ),
    ],
)
def test_bad_arguments_are_refused(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ClassifierExplorer(*args, **kwargs)


def test_uint8_images_are_scaled_like_the_network_expects(mnist_explorer, digits):
    images = mnist_explorer.images
    assert images.dtype == np.float32 and images.shape == (12, 1, 28, 28)
    np.testing.assert_allclose(images[:, 0], digits[0] / 255.0, rtol=1e-6)


# ----------------------------------------------------------------------------
# HandwiredExplorer
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def handwired():
    return HandwiredExplorer()


def check_trace(ex):
    c = {name: control.value for name, control in ex.controls.items()}
    start = (8 - c["length"]) // 2
    image = bar_image(c["shape"], c["position"], start, c["length"], 8, c["noise"], c["noise_seed"])
    np.testing.assert_array_equal(ex.image, image)
    expected = handwired_cnn().predict_proba(image[None, None])[0]
    np.testing.assert_allclose(ex.output, expected, rtol=1e-6)
    t = trace_handwired(image)
    np.testing.assert_allclose(ex._im_maps[0].get_array(), t.conv[0])
    np.testing.assert_allclose(ex._im_maps[1].get_array(), t.conv[1])
    np.testing.assert_allclose([b.get_width() for b in ex._prob_bars.bars], ex.output)
    # the dense layer's table: weight x feature, bias, score for each class
    table = np.column_stack([t.terms, t.bias, t.scores])
    np.testing.assert_allclose(ex._im_sums.get_array(), table, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(table[:, :3].sum(axis=1), t.scores, rtol=1e-6, atol=1e-6)
    for k in range(2):
        box = ex._boxes[k]
        r, col = t.winners[k]
        assert box.get_visible() == (t.features[k] > 0)
        assert (box.get_x() + 0.5, box.get_y() + 0.5) == (col, r)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("shape", ["vertical", "plus", "diagonal", "blank", "horizontal"]),
        ("position", list(range(8))),
        ("length", list(range(1, 9))),
        ("noise", [0.05, 0.3, 0.8, 0.0]),
        ("noise_seed", [1, 5, 9, 0]),
    ],
)
def test_every_value_of_every_control(handwired, name, values):
    handwired.controls["noise"].value = 0.25
    for value in values:
        handwired.controls[name].value = value
        assert handwired.message == ""
        check_trace(handwired)
    handwired.controls["noise"].value = 0.0


def test_clean_bars_are_classified_and_the_sums_are_written_out(handwired):
    for shape, winner in (("horizontal", 0), ("vertical", 1)):
        for position in (0, 3, 7):
            handwired.controls["shape"].value = shape
            handwired.controls["position"].value = position
            handwired.controls["length"].value = 8
            assert int(np.argmax(handwired.output)) == winner
            assert handwired.output[winner] == pytest.approx(np.exp(3) / (np.exp(3) + np.exp(-3)))
    m = "\u2212"
    # a clean bar gives whole numbers: printed without decimals
    assert handwired._labels_sums.texts.tolist() == [
        ["(+1)·0", f"({m}1)·3", "+0", f"{m}3"],
        [f"({m}1)·0", "(+1)·3", "+0", "+3"],
    ]
    titles = [ax.get_title() for ax in handwired._ax_maps]
    assert titles == ["its feature map\nh = 0", "its feature map\nv = 3"]
    np.testing.assert_allclose(handwired._im_sums.get_array(), [[0, -3, 0, -3], [0, 3, 0, 3]])
    assert f"score(horizontal) = (+1)·0.00 + ({m}1)·3.00 + 0 = {m}3.00" in handwired._status.value
    assert "vertical" in handwired._status.value


def test_a_plus_sign_is_a_tie(handwired):
    handwired.controls["shape"].value = "plus"
    np.testing.assert_allclose(handwired.output, [0.5, 0.5])
    assert "no evidence either way" in handwired._status.value
    # no bar is dark: there is no prediction to mark
    colours = {tuple(bar.get_facecolor()) for bar in handwired._prob_bars.bars}
    assert len(colours) == 1
    handwired.controls["shape"].value = "horizontal"


def test_unknown_shape_is_refused():
    with pytest.raises(ValueError, match="shape='x' is not known"):
        HandwiredExplorer(shape="x")


def test_noisy_inputs_print_two_decimals(handwired):
    handwired.controls["noise"].value = 0.4
    h = float(handwired.trace.features[0])
    assert handwired._ax_maps[0].get_title() == f"its feature map\nh = {h:.2f}"
    assert handwired._labels_sums.texts[0, 0] == f"(+1)·{h:.2f}"
    handwired.controls["noise"].value = 0.0


def test_the_description_follows_the_network_neuron_by_neuron():
    ex = HandwiredExplorer(shape="vertical", position=3, length=8)
    m = "\u2212"
    text = ex.description
    assert text.startswith(
        "Input 8x8: a vertical bar in column 3, rows 0 to 7: 1 on the line, 0 elsewhere. "
    )
    # horizontal detector on a vertical bar: its middle row meets one bright pixel (+1),
    # its top and bottom rows one each (-1 -1), so -1, or 0 on the first and last rows
    # (one of those rows is padding): h = 0
    assert (
        f"The horizontal detector, by row [{m}1, {m}1, {m}1], [1, 1, 1], [{m}1, {m}1, {m}1], "
        f"gives a feature map 8x8 with values from {m}1 to 0; after ReLU nothing is above 0: "
        "h = 0."
    ) in text
    # vertical detector: 3 on the bar (the first full column of 3 is row 1), -3 beside it
    assert (
        f"gives a feature map 8x8 with values from {m}3 to 3; after ReLU the largest value, 3, "
        "is at row 1, column 3 (orange box): v = 3."
    ) in text
    assert (
        f"Dense layer: score horizontal = (+1)·0 + ({m}1)·3, bias +0: {m}3; "
        f"score vertical = ({m}1)·0 + (+1)·3, bias +0: +3."
    ) in text
    # softmax of (-3, 3): 1 / (1 + e^-6) = 0.9975
    assert text.endswith("Softmax: horizontal 0.2%, vertical 99.8%; the network says vertical.")
    ex.controls["noise"].value = 0.3
    assert ", with noise (standard deviation 0.30, pattern 0): values from 0 to 1." in (
        ex.description
    )
    h = float(ex.trace.features[0])
    assert f"h = {h:.2f}." in ex.description
    ex.controls["shape"].value = "plus"
    ex.controls["noise"].value = 0.0
    assert ex.description.startswith(
        "Input 8x8: a plus sign: row 3, columns 0 to 7, and column 3, rows 0 to 7: "
    )
    assert ex.description.endswith("a tie: no evidence either way.")


def test_the_noise_pattern_is_usable_only_with_noise(usable_only_when):
    usable_only_when(
        HandwiredExplorer(noise=0.0),
        "noise_seed",
        when={"noise": 0.3},
        otherwise={"noise": 0.0},
        moved_to=4,  # another pattern: another picture
    )
