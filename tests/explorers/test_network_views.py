"""Views of a trained network: the pictures show the numbers they claim (feature
maps against the layers' own outputs, the gallery against sorted probabilities).
The numbers themselves are tested in tests/test_metrics.py;
the ``digits`` and ``model`` fixtures are in tests/conftest.py."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlib import (  # noqa: E402
    History,
    prepare_images,
    reference_cnn,
    softmax,
)
from cnnlib.explorers.network import (  # noqa: E402
    ANY,
    FeatureMapExplorer,
    MistakesGallery,
    _bar_outlines,
    layer_outputs,
)
from cnnlib.plotting import (  # noqa: E402
    plot_confusion_matrix,
    plot_filters,
    plot_training_curves,
    signed_colors,
    smoothed,
    tile_maps,
)


def test_layer_outputs_are_the_layers_applied_in_turn(digits, model):
    x = prepare_images(digits[0][:2])
    outputs = layer_outputs(model, x)
    assert [i for i, _, _ in outputs] == list(range(len(model.layers)))
    h = x
    for _, layer, out in outputs:
        h = layer.forward(h)
        np.testing.assert_array_equal(out, h)
    np.testing.assert_allclose(outputs[-1][2], model.forward(x), rtol=1e-6)
    assert [o.shape[1:] for _, _, o in outputs][:6] == [(8, 28, 28)] * 2 + [(8, 14, 14)] + [
        (16, 14, 14)
    ] * 2 + [(16, 7, 7)]


def test_tile_maps_lays_maps_out_in_rows_with_gaps():
    maps = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    mosaic = tile_maps(maps, ncols=2)
    assert mosaic.shape == (3 * 3 - 1, 2 * 4 - 1)
    np.testing.assert_array_equal(mosaic[0:2, 0:3], maps[0])
    np.testing.assert_array_equal(mosaic[0:2, 4:7], maps[1])
    np.testing.assert_array_equal(mosaic[6:8, 0:3], maps[4])
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[:, 3]).all()
    assert np.isnan(mosaic[6:8, 4:7]).all()  # the empty sixth tile
    with pytest.raises(ValueError, match="weight\\[:, 0\\]"):
        tile_maps(np.zeros((2, 1, 3, 3)))


def test_signed_colors_are_rdbu_centred_on_zero_with_gray_gaps():
    values = np.array([[-2.0, -1.0, 0.0], [1.0, 2.0, np.nan], [5.0, -7.0, 0.5]])
    rgba = signed_colors(values, 2.0)
    assert rgba.shape == (3, 3, 4) and rgba.dtype == np.uint8
    expected = matplotlib.colormaps["RdBu_r"]((np.clip(values, -2, 2) + 2) / 4, bytes=True)
    finite = ~np.isnan(values)
    np.testing.assert_array_equal(rgba[finite], expected[finite])
    many = np.random.default_rng(0).uniform(-3, 3, (30, 30))
    expected = matplotlib.colormaps["RdBu_r"]((np.clip(many, -2.5, 2.5) + 2.5) / 5, bytes=True)
    np.testing.assert_array_equal(signed_colors(many, 2.5), expected)
    assert rgba[1, 2].tolist() == [217, 217, 217, 255]  # the gap colour
    assert rgba[2, 0].tolist() == rgba[1, 1].tolist()  # beyond the limit: clipped


def test_smoothed_is_the_bias_corrected_moving_average():
    values = np.array([4.0, 2.0, 3.0, 1.0, 0.5])
    beta, s, expected = 0.8, 0.0, []
    for t, v in enumerate(values, start=1):
        s = beta * s + (1 - beta) * v
        expected.append(s / (1 - beta**t))
    np.testing.assert_allclose(smoothed(values, beta), expected)
    assert smoothed(values, 0.0).tolist() == values.tolist()
    assert smoothed(values, beta)[0] == 4.0  # the first point is not pulled towards 0


# ----------------------------------------------------------------------------
# FeatureMapExplorer
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def feature_maps(digits, model):
    images, labels = digits
    return FeatureMapExplorer(model, images, labels, index=0)


def test_feature_maps_show_each_layers_output(feature_maps, digits, model):
    ex = feature_maps
    images, labels = digits
    ex.controls["index"].value = 7
    x = prepare_images(images[7:8])
    expected = layer_outputs(model, x)
    assert len(ex.output) == len(expected)
    for (_, _, got), (_, _, want) in zip(ex.output, expected):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(ex._input.get_array(), x[0, 0])
    # six panels: conv, ReLU, pool for each of the two blocks, 4 tiles per row
    assert [p[0] for p in ex._panels] == [0, 1, 2, 3, 4, 5]
    for position, image, columns, row in ex._panels:
        assert columns == 4
        maps = expected[position][2][0]
        np.testing.assert_allclose(ex.mosaics[position], tile_maps(maps, 4))
        block = [expected[p][2][0] for p, _, _, r in ex._panels if r == row]
        lim = max(np.abs(b).max() for b in block)
        np.testing.assert_allclose(ex.limits[row], lim, rtol=1e-6)
        np.testing.assert_array_equal(image.get_array(), signed_colors(ex.mosaics[position], lim))
    scores = expected[-1][2][0]
    np.testing.assert_allclose(ex.probabilities, softmax(scores.astype(float)), rtol=1e-6)
    heights = [bar.get_width() for bar in ex._bars.bars]  # horizontal bars
    np.testing.assert_allclose(heights, ex.probabilities)
    assert ex.prediction == int(np.argmax(scores))
    assert f"the label is {labels[7]}" in ex._status.value


def test_feature_map_slider_changes_the_picture(feature_maps):
    ex = feature_maps
    ex.controls["index"].value = 1
    first = ex.png
    ex.controls["index"].value = 2
    assert ex.png != first and ex.message == ""


def test_feature_maps_need_a_cnn(digits):
    from cnnlib import Dense, Flatten, Sequential

    with pytest.raises(ValueError, match="feature maps"):
        FeatureMapExplorer(Sequential(Flatten(), Dense(784, 10)), *digits)
    with pytest.raises(ValueError, match="without images"):
        FeatureMapExplorer(reference_cnn())


# ----------------------------------------------------------------------------
# MistakesGallery
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gallery(digits, model):
    return MistakesGallery(model, *digits, count=10)


def test_gallery_shows_the_surest_mistakes_first(gallery, digits, model):
    images, labels = digits
    probabilities = model.predict_proba(prepare_images(images))
    np.testing.assert_allclose(gallery.probabilities, probabilities, rtol=1e-6)
    wrong = np.flatnonzero(probabilities.argmax(1) != labels)
    confidence = probabilities.max(axis=1)
    assert sorted(gallery.mistakes.tolist()) == wrong.tolist()
    assert np.all(np.diff(confidence[gallery.mistakes]) <= 0)
    np.testing.assert_array_equal(gallery.output, gallery.mistakes[:10])
    for n, (ax, image, bars, truth) in enumerate(gallery._tiles):
        i = gallery.output[n]
        np.testing.assert_allclose(image.get_array(), images[i] / 255)
        heights = [path.vertices[1, 1] for path in bars.get_paths()]
        np.testing.assert_allclose(heights, probabilities[i], rtol=1e-6)
        said = probabilities[i].argmax()
        assert ax.get_title().startswith(f"{labels[i]} taken for {said}")
        assert truth.get_xdata()[0] == labels[i]
    assert f"{len(wrong)} of 60 digits are wrong" in gallery._status.value


def test_gallery_filters_by_true_and_predicted_digit(gallery, digits):
    _, labels = digits
    c = gallery.controls
    true = int(labels[gallery.mistakes[0]])
    c["true"].value = true
    assert len(gallery.output) and all(labels[i] == true for i in gallery.output)
    said = int(gallery.predictions[gallery.output[0]])
    c["said"].value = said
    shown = gallery.output
    assert all(labels[i] == true and gallery.predictions[i] == said for i in shown)
    expected = [i for i in gallery.mistakes if labels[i] == true and gallery.predictions[i] == said]
    assert list(shown) == expected[:10]
    visible = [image.get_visible() for _, image, _, _ in gallery._tiles]
    assert visible == [n < len(shown) for n in range(10)]
    c["said"].value = true  # a right answer is no mistake
    assert gallery.output is None and "not a mistake" in gallery.message
    c["true"].value, c["said"].value = ANY, ANY


def test_the_digits_under_every_bar_chart_are_readable(gallery, digits, model):
    """Before: 7 pt digits under the gallery's bars (issue 13: 'the 0-9 labels are tiny')."""
    for _, _, bars, _ in gallery._tiles:
        labels = bars.axes.get_xticklabels()
        assert [t.get_text() for t in labels] == [str(d) for d in range(10)]
        assert min(t.get_fontsize() for t in labels) >= 10
    explorer = FeatureMapExplorer(model, *digits)
    names = explorer._bars.ax.get_yticklabels()
    assert len(names) == 10 and min(t.get_fontsize() for t in names) >= 10


def test_gallery_pages_through_the_mistakes(gallery):
    gallery.controls["start"].value = 10
    np.testing.assert_array_equal(gallery.output, gallery.mistakes[10:20])
    assert "#11-" in gallery._status.value
    gallery.controls["start"].value = 0


def test_bar_outlines_are_bars_of_the_given_heights():
    corners = _bar_outlines([0.5, 0.0, 1.0], width=0.5)
    assert corners.shape == (3, 4, 2)
    np.testing.assert_allclose(corners[0], [[-0.25, 0], [-0.25, 0.5], [0.25, 0.5], [0.25, 0]])
    np.testing.assert_allclose(corners[2, 1], [1.75, 1.0])


# ----------------------------------------------------------------------------
# static plots
# ----------------------------------------------------------------------------
def test_plot_confusion_matrix_prints_every_count():
    matrix = np.array([[5, 1, 0], [2, 7, 0], [0, 3, 9]])
    fig, ax = plt.subplots()
    mistakes, diagonal, texts = plot_confusion_matrix(ax, matrix)
    assert [t.get_text() for t in texts] == [str(v) for v in matrix.ravel()]
    shown = np.ma.filled(mistakes.get_array(), np.nan)
    assert np.isnan(np.diag(shown)).all() and shown[2, 1] == 3
    assert ax.get_ylabel().startswith("true digit")
    plt.close(fig)
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(plt.gca(), np.zeros((2, 3)))


def test_plot_filters_shows_each_kernel_with_its_weights():
    model = reference_cnn(seed=0)
    fig = plot_filters(model)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    weight = model.params["0.weight"][:, 0]
    assert len(images) == 8
    for image, kernel in zip(images, weight):
        np.testing.assert_allclose(image.get_array(), kernel)
    lim = np.abs(weight).max()
    assert all(np.allclose(im.get_clim(), (-lim, lim)) for im in images)  # one shared scale
    with pytest.raises(ValueError, match="input channels"):
        plot_filters(np.zeros((4, 3, 3, 3)))


def test_plot_training_curves_draws_the_history():
    h = History(
        epoch=[1, 2, 3],
        loss=[1.0, 0.5, 0.2],
        accuracy=[0.6, 0.8, 0.9],
        val_loss=[1.1, 0.7, 0.8],
        val_accuracy=[0.55, 0.75, 0.74],
        batch_loss=[2.0, 1.5, 1.0, 0.8],
        batch_accuracy=[0.1, 0.3, 0.5, 0.6],
    )
    fig = plot_training_curves({"run": h}, target=0.97)
    ax_loss, ax_acc = fig.axes
    lines = {line.get_label(): line for line in ax_loss.get_lines()}
    np.testing.assert_array_equal(lines["run: validation"].get_ydata(), h.val_loss)
    np.testing.assert_array_equal(lines["run: training"].get_ydata(), h.loss)
    assert ax_loss.get_yscale() == "log"
    fig = plot_training_curves({"a": h, "b": h}, per="batch", smooth=0.5)
    (line_a, line_b) = fig.axes[0].get_lines()
    np.testing.assert_allclose(line_a.get_ydata(), smoothed(h.batch_loss, 0.5))
    assert line_a.get_color() != line_b.get_color()
    fig = plot_training_curves({"a": h, "b": h}, curves=("validation",))
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["a", "b"]
    np.testing.assert_array_equal(fig.axes[1].get_lines()[0].get_ydata(), h.val_accuracy)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].yaxis.get_ticklabels() if t.get_text()]
    assert labels and all(float(t) > 0 for t in labels)  # plain numbers on the log axis
    with pytest.raises(ValueError, match="per"):
        plot_training_curves(h, per="step")
    with pytest.raises(ValueError, match="curves"):
        plot_training_curves(h, curves=("test",))


def test_feature_map_description_gives_each_panels_numbers(digits, model):
    from cnnlib.plotting import short_number

    images, labels = digits
    ex = FeatureMapExplorer(model, images, labels, index=3)
    outputs = layer_outputs(model, prepare_images(images[3:4]))
    p = softmax(outputs[-1][2][0].astype(float))
    text = ex.description
    said, next_best = np.argsort(p)[-1], np.argsort(p)[-2]
    assert text.startswith(
        f"Input #3 (label {labels[3]}), 28x28: the network says {said}, {p[said]:.1%} sure "
        f"(next {next_best}, {p[next_best]:.1%})."
    )
    conv, relu = outputs[0][2][0], outputs[1][2][0]
    lim = max(np.abs(outputs[k][2][0]).max() for k in (0, 1, 2))
    assert f"Row 1 on one colour scale, ±{short_number(lim)} (blue −, white 0, red +)" in text
    low, high = short_number(conv.min()), short_number(conv.max())
    assert f"0: convolution, 8 maps of 28x28, values from {low} to {high}" in text
    assert f"largest in map {np.argmax(conv.reshape(8, -1).max(axis=1))}" in text
    blank = int(np.sum(~relu.reshape(8, -1).any(axis=1)))  # ReLU of a map with no positive
    assert f"1: ReLU, 8 maps of 28x28, values from 0 to {high}" in text
    assert (f"{blank} map" in text.split("1: ReLU")[1].split(";")[0]) == (blank > 0)
    assert "5: max pooling, 16 maps of 7x7, values from 0 to" in text
    ex.controls["index"].value = 4
    assert ex.description != text and ex.description.startswith("Input #4")


def test_gallery_description_reads_each_tile(digits, model):
    gallery = MistakesGallery(model, *digits, count=10)
    _, labels = digits
    text = gallery.description
    first = gallery.output[0]
    t, s = labels[first], gallery.predictions[first]
    p = gallery.probabilities[first]
    total = len(gallery.mistakes)
    assert text.startswith(f"{total} of 60 digits are wrong; tiles of mistakes 1 to ")
    assert f": a {t} taken for {s} ({s}: {p[s]:.0%}, {t}: {p[t]:.0%});" in text.replace(
        "an 8", "a 8"
    )
    assert text.count(" taken for ") == len(gallery.output)
    gallery.controls["true"].value = t
    gallery.controls["said"].value = s
    matching = sum(1 for i in gallery.mistakes if labels[i] == t and gallery.predictions[i] == s)
    times = "Once" if matching == 1 else f"{matching} times"
    assert gallery.description.startswith(f"{times} a") and f"taken for a {s}" in (
        gallery.description.replace("an 8", "a 8")
    )
    pairs = {(labels[i], gallery.predictions[i]) for i in gallery.mistakes}
    never = next((a, b) for a in range(10) for b in range(10) if a != b and (a, b) not in pairs)
    gallery.controls["true"].value, gallery.controls["said"].value = never
    assert len(gallery.output) == 0
    article = lambda d: f"an {d}" if d == 8 else f"a {d}"  # noqa: E731
    assert gallery.description == (
        f"{article(never[0]).capitalize()} was never taken for {article(never[1])}: "
        "no tile to show."
    )
