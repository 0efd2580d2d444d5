"""The hand-wired bar classifier: its weights, its inputs, its answers, one trace by hand."""

import numpy as np
import pytest
from scipy.signal import correlate2d

from cnnlib.handwired import (
    BAR_CLASSES,
    HORIZONTAL_DETECTOR,
    VERTICAL_DETECTOR,
    bar_image,
    every_bar,
    handwired_cnn,
    make_bars,
    trace_handwired,
)
from cnnlib.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from cnnlib.model import Sequential


def test_the_network_is_made_of_the_course_layers_with_plus_minus_one_weights():
    model = handwired_cnn()
    assert isinstance(model, Sequential)
    assert [type(layer) for layer in model] == [Conv2D, ReLU, MaxPool2D, Flatten, Dense]
    for name, p in model.params.items():
        assert set(np.unique(p)) <= {-1.0, 0.0, 1.0}, name
    np.testing.assert_array_equal(model.params["0.weight"][0, 0], HORIZONTAL_DETECTOR)
    np.testing.assert_array_equal(model.params["0.weight"][1, 0], VERTICAL_DETECTOR)
    np.testing.assert_array_equal(VERTICAL_DETECTOR, HORIZONTAL_DETECTOR.T)
    np.testing.assert_array_equal(model.params["4.weight"], [[1, -1], [-1, 1]])
    assert model.summary((1, 8, 8)).total_params == 2 * 9 + 2 + 2 * 2 + 2
    assert model.output_shape((1, 8, 8)) == (2,)


def test_reinitialising_the_sequential_keeps_the_hand_wired_weights():
    model = handwired_cnn()
    model.initialize(123)
    np.testing.assert_array_equal(model.params["4.weight"], [[1, -1], [-1, 1]])


@pytest.mark.parametrize("size", [3, 5, 8, 12])
@pytest.mark.parametrize("length", [2, 3, None])
def test_every_clean_bar_at_every_position_is_classified_correctly(size, length):
    images, labels = every_bar(size, length)
    assert len(images) == 2 * size * (size - (length or size) + 1)
    model = handwired_cnn(size)
    np.testing.assert_array_equal(model.predict(images), labels)
    # and confidently: the winning score beats the other by the full bar response
    scores = model.forward(images)
    margin = scores[np.arange(len(labels)), labels] - scores[np.arange(len(labels)), 1 - labels]
    assert margin.min() >= min(length or size, 3) * 2 - 0.001


def test_most_noisy_bars_are_classified_correctly_and_noise_makes_it_harder():
    model = handwired_cnn()
    accuracy = {}
    for noise in (0.0, 0.2, 0.3, 0.6):
        images, labels = make_bars(400, noise=noise, seed=3)
        accuracy[noise] = float((model.predict(images) == labels).mean())
    assert accuracy[0.0] == 1.0
    assert accuracy[0.2] >= 0.98
    assert accuracy[0.3] >= 0.95
    assert 0.5 < accuracy[0.6] < 0.95  # a lot of noise does fool it


def test_a_single_dot_or_a_plus_sign_gives_no_evidence_either_way():
    model = handwired_cnn()
    for picture in (bar_image("plus", 4), bar_image("blank"), bar_image("horizontal", 2, 3, 1)):
        probs = model.predict_proba(picture[None, None])[0]
        np.testing.assert_allclose(probs, [0.5, 0.5], atol=1e-6)


def test_hand_checked_trace_of_a_horizontal_bar_in_the_top_row():
    """Row 0, columns 2..5 (length 4), worked out on paper.

    Horizontal detector centred on (0, 3): middle row sees 3 bar pixels (+3),
    the rows above (padding) and below (empty) add nothing: 3. Centred on
    (0, 2), the left end: 2 bar pixels: 2. Centred on (1, 3), one row lower:
    the bar is in its top row: -3, ReLU -> 0. Vertical detector centred on
    (0, 3): its middle column sees 1 bar pixel (+1), its side columns 2 (-2):
    -1 -> 0; centred on (0, 1), just left of the bar, the bar pixel at (0, 2)
    is in its right column: -1 -> 0; centred at (1, 2) the bar pixel (0, 2)
    is top-middle (+1), (0, 3) top-right (-1), (0, 1) is empty: 0. So h = 3,
    v = 0, scores (+3, -3), P(horizontal) = e^3 / (e^3 + e^-3) = 0.99753.
    """
    image = bar_image("horizontal", position=0, start=2, length=4)
    expected_image = np.zeros((8, 8))
    expected_image[0, 2:6] = 1
    np.testing.assert_array_equal(image, expected_image)

    t = trace_handwired(image)
    assert t.conv[0, 0, 3] == 3
    assert t.conv[0, 0, 2] == 2
    assert t.conv[0, 1, 3] == -3
    assert t.conv[1, 0, 3] == -1
    assert t.conv[1, 0, 1] == -1
    assert t.conv[1, 1, 2] == 0
    # the whole maps agree with scipy (cross-correlation with zero padding)
    for k, kernel in enumerate((HORIZONTAL_DETECTOR, VERTICAL_DETECTOR)):
        np.testing.assert_allclose(t.conv[k], correlate2d(image, kernel, mode="same"))
    np.testing.assert_array_equal(t.relu, np.maximum(t.conv, 0))
    np.testing.assert_array_equal(t.features, [3, 0])
    assert t.winners[0] == (0, 3)
    np.testing.assert_array_equal(t.terms, [[3, 0], [-3, 0]])
    np.testing.assert_array_equal(t.scores, [3, -3])
    np.testing.assert_allclose(t.probabilities, [0.997527, 0.002473], atol=1e-6)
    assert BAR_CLASSES[t.prediction] == "horizontal"
    assert "score horizontal = (+1)·3.00 + (-1)·0.00 + 0 = +3.00" in t.explain()


def test_the_trace_is_what_the_model_computes():
    model = handwired_cnn()
    images, _ = make_bars(10, noise=0.3, seed=5)
    for image in images[:, 0]:
        t = trace_handwired(image, model)
        np.testing.assert_allclose(t.scores, model.forward(image[None, None])[0], rtol=1e-6)
        np.testing.assert_allclose(t.terms.sum(axis=1) + t.bias, t.scores, rtol=1e-6)
        np.testing.assert_allclose(t.features, t.relu.max(axis=(1, 2)))
        for k, (r, c) in enumerate(t.winners):
            assert t.relu[k, r, c] == t.features[k]


def test_bar_images_and_sets():
    vertical = bar_image("vertical", position=5, start=1, length=3, size=6)
    assert vertical.dtype == np.float32
    assert np.argwhere(vertical).tolist() == [[1, 5], [2, 5], [3, 5]]
    assert bar_image("diagonal", size=4).trace() == 4
    noisy = bar_image("horizontal", 2, noise=0.5, seed=1)
    assert noisy.min() >= 0 and noisy.max() <= 1 and not np.array_equal(noisy, bar_image())
    np.testing.assert_array_equal(noisy, bar_image("horizontal", 2, noise=0.5, seed=1))

    images, labels = make_bars(9, size=6, noise=0.0, seed=2)
    assert images.shape == (9, 1, 6, 6) and labels.tolist() == [0, 1, 0, 1, 0, 1, 0, 1, 0]
    for image, label in zip(images[:, 0], labels):
        rows, cols = np.nonzero(image)
        line = rows if label == 0 else cols
        assert len(set(line)) == 1 and len(rows) >= 3
    again, _ = make_bars(9, size=6, noise=0.0, seed=2)
    np.testing.assert_array_equal(images, again)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: bar_image("slanted"), "orientation='slanted' is not known"),
        (lambda: bar_image(position=8), "do not fit a 8x8 image"),
        (lambda: bar_image(noise=-1), "cannot be negative"),
        (lambda: every_bar(4, length=5), "does not fit a 4x4 image"),
        (lambda: make_bars(4, size=4, min_length=5), "does not fit a 4x4 image"),
        (lambda: trace_handwired(np.zeros((4, 5))), "square grey picture"),
        (lambda: bar_image(noise=0.2, seed=-1), r"seed must be at least 0, but is -1"),
        (lambda: make_bars(4, seed=-3), r"seed must be at least 0, but is -3"),
    ],
)
def test_bad_arguments_say_what_to_do(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call", [lambda: bar_image(seed=1.5), lambda: make_bars(4, seed="one")])
def test_a_seed_that_is_not_a_whole_number_is_a_type_error(call):
    with pytest.raises(TypeError, match="seed must be an int, None or a numpy.random.Generator"):
        call()
