"""ActivationExplorer driven headlessly: every control, the displayed data is the
core functions' output, and the fast (blitted) picture equals a full redraw."""

from __future__ import annotations

import io
import warnings
from itertools import pairwise

import numpy as np
import PIL.Image
import pytest
import scipy.signal

from cnnlib import conv2d, kernels, leaky_relu, relu, sigmoid, tanh
from cnnlib.activations import ACTIVATIONS, sparsity
from cnnlib.explorers.activations import HIST_FLOOR, ActivationExplorer, colour, example_images
from cnnlib.plotting import SIGNED_CMAP, short_number


@pytest.fixture(scope="module")
def explorer():
    return ActivationExplorer()


def small_images():
    rng = np.random.default_rng(0)
    return {
        "noise": rng.integers(0, 256, size=(12, 12)).astype(np.uint8),
        "ramp": np.tile(np.linspace(0, 255, 10), (10, 1)),
    }


def decode(png):
    return np.asarray(PIL.Image.open(io.BytesIO(png)))[..., :3]


def expected_output(ex):
    c = ex.controls
    pixels = np.asarray(ex.images[c["image"].value], dtype=float)
    z = conv2d(pixels, kernels.PRESETS[c["kernel"].value]) / 255.0 + c["bias"].value
    name = c["activation"].value
    if name == "ReLU":
        return z, relu(z)
    if name == "leaky ReLU":
        return z, leaky_relu(z, c["negative_slope"].value)
    if name == "sigmoid":
        return z, sigmoid(z)
    return z, tanh(z)


def check_consistent(ex):
    """Everything shown agrees with the core functions for the current controls."""
    assert ex.message == ""
    z, out = expected_output(ex)
    np.testing.assert_allclose(ex.feature_map, z, atol=1e-12)
    np.testing.assert_array_equal(ex.output, expected_output(ex)[1])
    assert ex.sparsity == sparsity(out)
    # the pictures show these very arrays, coloured on a scale centred on zero
    limit = ex.colour_limit
    np.testing.assert_array_equal(ex._im_z.get_array(), colour(z, SIGNED_CMAP, -limit, limit))
    name = ex.controls["activation"].value
    out_limit = limit if "ReLU" in name else 1.0
    np.testing.assert_array_equal(
        ex._im_a.get_array(), colour(out, SIGNED_CMAP, -out_limit, out_limit)
    )
    # histograms: percent of positions per bin, as numpy counts them
    for patch, values in [(ex._hist_z, z), (ex._hist_a, out)]:
        heights, edges, _ = patch.get_data()
        counts = [np.count_nonzero((lo <= values) & (values < hi)) for lo, hi in pairwise(edges)]
        counts[0] += np.count_nonzero(values < edges[0])  # the end bins take what lies beyond
        counts[-1] += np.count_nonzero(values >= edges[-1])
        counts = np.array(counts)
        np.testing.assert_allclose(heights, np.maximum(100 * counts / values.size, HIST_FLOOR))
    # the shaded range spans exactly the values of the feature map
    assert ex._span_f.get_x() == pytest.approx(z.min())
    assert ex._span_f.get_x() + ex._span_f.get_width() == pytest.approx(z.max())
    # the status line reports the measured sparsity
    assert f"{sparsity(out):.1%}" in ex._status.value


def test_default_shows_the_photo_through_relu(explorer):
    c = explorer.controls
    assert c["image"].value.startswith("photo")
    assert c["activation"].value == "ReLU"
    check_consistent(explorer)
    # an edge detector on a photo: about half the positions are negative, ReLU zeroes them
    assert sparsity(explorer.feature_map) < 0.05
    assert 0.3 < explorer.sparsity < 0.7


def test_every_control_value_gives_the_core_output(explorer):
    c = explorer.controls
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for image, kernel in zip(c["image"].options, ["laplacian", "sharpen", "cross x"]):
            c["image"].value, c["kernel"].value = image, kernel
            for activation in c["activation"].options:
                c["activation"].value = activation
                for bias in (-4.0, 0.0, 2.3, 4.0):  # the ends of the slider too
                    c["bias"].value = bias
                    check_consistent(explorer)
        c["activation"].value = "leaky ReLU"
        for slope in (0.01, 0.3):
            c["negative_slope"].value = slope
            check_consistent(explorer)
        for kernel in c["kernel"].options:  # every kernel once
            c["kernel"].value = kernel
            check_consistent(explorer)


def test_zeros_are_counted_exactly_whatever_the_cpu():
    """The share of zeros is that of exact arithmetic: scipy's correlation of the whole
    numbers in int64 (exact), not a count that depends on how the CPU adds floats. Dividing
    the image by 255 before the convolution found 2.1% zeros instead of 3.0% here."""
    ex = ActivationExplorer(kernel="sobel x (vertical edges)", activation="ReLU", bias=0.0)
    pixels = np.asarray(ex.images[ex.controls["image"].value], dtype=np.int64)
    exact = scipy.signal.correlate2d(pixels, kernels.sobel_x().astype(np.int64), mode="valid")
    np.testing.assert_array_equal(ex.feature_map == 0, exact == 0)
    np.testing.assert_array_equal(ex.output == 0, exact <= 0)
    assert round(sparsity(ex.feature_map), 3) == 0.030
    assert round(ex.sparsity, 3) == 0.516
    assert "51.6%" in ex._status.value and "before the activation 3.0%" in ex._status.value


def test_relu_with_a_negative_bias_is_a_threshold(explorer):
    c = explorer.controls
    c["activation"].value = "ReLU"
    c["kernel"].value = "sobel x (vertical edges)"
    c["bias"].value = 0.0
    raw = explorer.feature_map.copy()
    c["bias"].value = -1.5
    kept = explorer.output > 0
    np.testing.assert_array_equal(kept, raw > 1.5)
    np.testing.assert_allclose(explorer.output[kept], raw[kept] - 1.5)


def test_a_stronger_threshold_makes_the_map_sparser(explorer):
    c = explorer.controls
    c["activation"].value = "ReLU"
    values = []
    for bias in (1.0, 0.0, -0.5, -1.0, -2.0):
        c["bias"].value = bias
        values.append(explorer.sparsity)
    assert values == sorted(values) and values[0] < values[-1]


def test_sigmoid_and_tanh_make_no_new_zeros_but_saturate(explorer):
    c = explorer.controls
    c["image"].value = c["image"].options[-1]  # the photo: no flat background of exact zeros
    c["kernel"].value = "sobel x (vertical edges)"
    c["bias"].value = 0.0
    c["activation"].value = "sigmoid"
    assert explorer.sparsity == 0.0  # sigmoid(z) > 0 for every z
    c["activation"].value = "tanh"
    assert explorer.sparsity == sparsity(explorer.feature_map)  # only tanh(0) is 0
    c["bias"].value = -4.0  # pushed far into the flat tail
    for name in ("sigmoid", "tanh"):
        c["activation"].value = name
        assert explorer.flat > 0.9
        assert "slope below 0.05" in explorer._status.value


def test_curve_and_slope_show_the_chosen_function(explorer):
    c = explorer.controls
    for name, act in ACTIVATIONS.items():
        c["activation"].value = name
        z, f = explorer._curve.get_data()
        _, s = explorer._slope.get_data()
        if name == "leaky ReLU":
            a = c["negative_slope"].value
            np.testing.assert_allclose(f, act.function(z, a))
            np.testing.assert_allclose(s, act.slope(z, a))
        else:
            np.testing.assert_allclose(f, act.function(z))
            np.testing.assert_allclose(s, act.slope(z))


def test_leaky_slope_control_only_works_for_leaky_relu(usable_only_when):
    usable_only_when(
        ActivationExplorer(),
        "negative_slope",
        when={"activation": "leaky ReLU"},
        otherwise={"activation": "ReLU"},
        moved_to=0.3,  # negative inputs kept at 0.3 of their size, not 0.1
    )


def test_fast_picture_equals_a_full_redraw(explorer):
    c = explorer.controls
    for image, activation, bias in [
        (c["image"].options[0], "ReLU", -1.0),
        (c["image"].options[0], "ReLU", -4.0),  # all zeros: a bar up to the top frame
        (c["image"].options[-1], "tanh", 2.0),
        (c["image"].options[-1], "leaky ReLU", 0.0),
    ]:
        c["image"].value, c["activation"].value, c["bias"].value = image, activation, bias
        fast = decode(explorer.png)
        explorer.figure.canvas.draw()
        full = np.asarray(explorer.figure.canvas.buffer_rgba())[..., :3]
        np.testing.assert_array_equal(fast, full)


def test_updates_render_and_time_themselves(explorer):
    before = explorer.png
    explorer.controls["bias"].value = 1.2 if explorer.controls["bias"].value != 1.2 else 0.3
    assert explorer.png != before and explorer.png.startswith(b"\x89PNG")
    assert explorer.last_update_ms > 0
    bundle = explorer._repr_mimebundle_()
    assert "image/png" in bundle


def test_own_images_and_settings():
    ex = ActivationExplorer(
        images=small_images(), image="ramp", kernel="sobel x (vertical edges)", bias=-0.5
    )
    assert ex.feature_map.shape == (8, 8)
    check_consistent(ex)
    # a left-to-right ramp: Sobel x gives the same value everywhere
    assert np.ptp(ex.feature_map) < 1e-12


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"image": "nope"}, "image"),
        ({"kernel": "nope"}, "kernel"),
        ({"activation": "softplus"}, "activation"),
    ],
)
def test_unknown_choices_are_explained(kwargs, word):
    with pytest.raises(ValueError, match=word):
        ActivationExplorer(images=small_images(), **kwargs)


def test_example_images():
    images = example_images()
    assert list(images) == ["digit 3 (28x28)", "digit 7 (28x28)", "photo (128x128)"]
    assert images["photo (128x128)"].shape == (128, 128)
    assert all(im.dtype == np.uint8 and im.ndim == 2 for im in images.values())


def test_plot_activation_curves_draws_the_core_functions():
    from matplotlib.figure import Figure

    from cnnlib.plotting import plot_activation_curves

    fig = Figure()
    left, right = fig.subplots(1, 2)
    lines = plot_activation_curves(left, right, negative_slope=0.2)
    assert list(lines) == list(ACTIVATIONS)
    for name, (value, slope) in lines.items():
        z, f = value.get_data()
        extra = (0.2,) if name == "leaky ReLU" else ()
        np.testing.assert_allclose(f, ACTIVATIONS[name].function(z, *extra))
        np.testing.assert_allclose(slope.get_ydata(), ACTIVATIONS[name].slope(z, *extra))
    assert "0.2" in left.get_legend().get_texts()[1].get_text()


def test_the_description_gives_the_maps_in_numbers():
    # a ramp 0 -> 255 across 10 columns, 255/9 per column: Sobel x adds (1 + 2 + 1) times
    # the rise over two columns, 4 * 2 * 255/9, which is 8/9 = 0.89 after dividing by 255
    ramp = np.tile(np.linspace(0, 255, 10), (10, 1))
    ex = ActivationExplorer(images={"ramp": ramp}, kernel="sobel x (vertical edges)")
    assert ex.description.startswith(
        "Input: ramp. Feature map z = conv2d with sobel x (vertical edges) + bias +0.0: 8x8, "
        "all values 0.89, 100% positive. After ReLU, f(z) = max(0, z): all values 0.89, "
        "100% positive. Its slope is below 0.05 (flat) at 0% of the positions."
    )
    assert ex.description.endswith("its slope, shaded at z = 0.89.")
    ex.controls["bias"].value = -1.0  # z = -1/9 everywhere: ReLU makes every value 0
    assert "+ bias −1.0: 8x8, all values −0.11, 100% negative. After ReLU" in ex.description
    assert "max(0, z): all values 0, 100% exactly 0. Its slope is below 0.05 (flat) at 100%" in (
        ex.description
    )
    ex.controls["activation"].value = "leaky ReLU"
    ex.controls["negative_slope"].value = 0.3  # -1/9 * 0.3 = -0.033
    assert "After leaky ReLU, f(z) = z if z > 0 else 0.3·z: all values −0.03" in ex.description
    ex.controls["activation"].value = "sigmoid"  # sigmoid(-1/9) = 0.472
    assert "f(z) = 1 / (1 + exp(−z)): all values 0.47, 100% positive." in ex.description


def test_the_description_points_at_the_strongest_responses(explorer):
    explorer.controls["activation"].value = "ReLU"
    explorer.controls["bias"].value = 0.5
    z = explorer.feature_map
    high = np.unravel_index(np.argmax(z), z.shape)
    low = np.unravel_index(np.argmin(z), z.shape)
    text = explorer.description
    assert f"{z.shape[0]}x{z.shape[1]}" in text
    assert f"strongest positive {short_number(z.max())} at row {high[0]}, column {high[1]} (" in (
        text
    )
    assert f"strongest negative {short_number(z.min())} at row {low[0]}, column {low[1]} (" in (
        text
    )
    positive = np.mean(z > 0)
    assert f"{positive:.0%} positive" in text
    # after ReLU the negative share is exactly 0 (the sparsity in the title)
    assert f"{sparsity(explorer.output):.0%} exactly 0" in text.split("After ReLU")[1]
