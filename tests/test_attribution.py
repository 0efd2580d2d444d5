"""Saliency and occlusion maps: the saliency map is the derivative it claims to be (central
differences), the occlusion map is what covering the image by hand gives (a loop, one covered
image at a time), the geometry follows the window formula, the model is left as it was, and
bad input gets a clear error."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import (
    Conv2D,
    Dense,
    Flatten,
    ReLU,
    Sequential,
    load_mnist,
    load_pretrained,
    occlusion_map,
    occlusion_per_pixel,
    output_size,
    prepare_images,
    reference_cnn,
    saliency_map,
    softmax,
)


@pytest.fixture(scope="module")
def trained():
    return load_pretrained()


@pytest.fixture(scope="module")
def test_digits():
    images, labels = load_mnist("test")
    return images[:40], labels[:40]


def _scores64(model, images):
    """Class scores of a float64 model for a stack of (H, W) images."""
    return model.forward(images[:, None])


# ----------------------------------------------------------------------------
# saliency
# ----------------------------------------------------------------------------
def test_saliency_is_the_gradient_of_the_score_by_central_differences(trained, test_digits):
    # float64 copy of the trained network; the image gets a little noise so that no ReLU
    # input and no max-pooling window sits exactly on a kink or a tie (there the two
    # one-sided slopes differ and no finite difference can match a gradient)
    model = copy.deepcopy(trained).astype(np.float64)
    rng = np.random.default_rng(0)
    image = 0.8 * test_digits[0][3] / 255 + 0.2 * rng.random((28, 28))
    target = 5
    grad = saliency_map(model, image, target)
    assert grad.shape == (28, 28) and grad.dtype == np.float64
    h = 1e-5
    steps = np.eye(784).reshape(784, 28, 28) * h  # one nudged pixel per image, all 784
    up = _scores64(model, image + steps)[:, target]
    down = _scores64(model, image - steps)[:, target]
    numerical = ((up - down) / (2 * h)).reshape(28, 28)
    # the network is piecewise linear, so the only error is float64 rounding of the scores
    # (~1e-15 * |score| / h ~ 1e-9)
    np.testing.assert_allclose(grad, numerical, rtol=1e-6, atol=1e-7)
    assert np.abs(grad).max() > 0.01  # not a trivial all-zero map


def test_saliency_of_a_dense_layer_is_its_weight_row():
    # by hand: score k = sum_p weight[k, p] * pixel[p] + bias[k], so d(score k)/d(pixel p)
    # is weight[k, p], whatever the image
    rng = np.random.default_rng(1)
    model = Sequential(Flatten(), Dense(36, 4, seed=0), seed=0).astype(np.float64)
    image = rng.random((1, 6, 6))
    grad = saliency_map(model, image, 2)
    # a dense layer's score is linear in the pixels: its gradient is the weight row
    np.testing.assert_allclose(grad.reshape(-1), model.params["1.weight"][2], rtol=1e-12)


def test_saliency_in_float32_agrees_with_float64(trained, test_digits):
    digit, label = test_digits[0][7], int(test_digits[1][7])
    fast = saliency_map(trained, digit, label)
    exact = saliency_map(copy.deepcopy(trained).astype(np.float64), digit, label)
    assert fast.dtype == np.float32
    # float32 arithmetic against float64: relative rounding ~1e-6 per operation, summed
    # over a few hundred products per value
    np.testing.assert_allclose(fast, exact, rtol=1e-4, atol=1e-5 * np.abs(exact).max())


def test_saliency_takes_the_digit_as_it_comes_in_any_layout(trained, test_digits):
    digit, label = test_digits[0][1], int(test_digits[1][1])
    prepared = prepare_images(digit[None])[0]  # (1, 28, 28) float32 in [0, 1]
    as_uint8 = saliency_map(trained, digit, label)
    assert as_uint8.shape == (28, 28)
    # the same float32 input either way, so the same computation bit for bit
    np.testing.assert_array_equal(saliency_map(trained, prepared, label)[0], as_uint8)
    np.testing.assert_array_equal(saliency_map(trained, prepared[None], label)[0, 0], as_uint8)
    assert saliency_map(trained, prepared[None], label).shape == (1, 1, 28, 28)


def test_saliency_differs_between_classes_and_points_at_ink(trained, test_digits):
    images, labels = test_digits
    i = int(np.flatnonzero(labels == 7)[0])
    for_7 = saliency_map(trained, images[i], 7)
    for_1 = saliency_map(trained, images[i], 1)
    assert not np.allclose(for_7, for_1)
    # adding ink where a 7 has ink, all over its stroke, raises the score of 7 on balance
    ink = images[i] > 128
    assert for_7[ink].sum() > 0


def _snapshot(model):
    return (
        {k: p.copy() for k, p in model.params.items()},
        {k: g for k, g in model.grads.items()},
        {k: g.copy() for k, g in model.grads.items()},
        [layer.training for layer in model.layers],
        model.training,
    )


def _assert_unchanged(model, snapshot):
    params, grad_arrays, grad_values, modes, mode = snapshot
    for k, p in model.params.items():
        np.testing.assert_array_equal(p, params[k])
    for k, g in model.grads.items():
        assert g is grad_arrays[k]  # the very arrays of before
        np.testing.assert_array_equal(g, grad_values[k])
    assert [layer.training for layer in model.layers] == modes and model.training == mode


@pytest.mark.parametrize("call", ["saliency", "occlusion", "saliency error", "occlusion error"])
def test_the_model_is_left_as_it_was(test_digits, call):
    images, labels = test_digits
    model = reference_cnn(seed=1, dropout=0.5)  # in training mode: Dropout would drop
    x = prepare_images(images[:8])
    from cnnlib import softmax_cross_entropy

    _, grad, _ = softmax_cross_entropy(model.forward(x), labels[:8])
    model.backward(grad)  # gradients from a training step, as an optimiser would see them
    rng_state = copy.deepcopy(model[7].rng.bit_generator.state)
    before = _snapshot(model)
    if call == "saliency":
        result = saliency_map(model, images[0], 3)
        expected = saliency_map(copy.deepcopy(model).eval(), images[0], 3)
        np.testing.assert_array_equal(result, expected)  # computed with dropout off
    elif call == "occlusion":
        occlusion_map(model, images[0], 3, patch=7, stride=7)
    else:
        run = saliency_map if call == "saliency error" else occlusion_map
        with pytest.raises(ValueError, match="target must be a class index"):
            run(model, images[0], 10)  # fails inside, after the forward pass
    _assert_unchanged(model, before)
    assert model[7].rng.bit_generator.state == rng_state  # no dropout mask was drawn


def test_nested_networks_are_restored_too(test_digits):
    inner = Sequential(Conv2D(1, 2, 3, seed=0), ReLU())
    model = Sequential(inner, Flatten(), Dense(2 * 26 * 26, 10, seed=1))
    model.train()
    grads = dict(inner[0].grads)
    saliency_map(model, test_digits[0][0], 4)
    assert inner.training and inner[0].training
    assert all(inner[0].grads[k] is g for k, g in grads.items())


# ----------------------------------------------------------------------------
# occlusion
# ----------------------------------------------------------------------------
def _occlusion_by_hand(model, image, target, patch, stride, fill=0.0):
    """The definition, one covered image at a time (an independent reference)."""
    x = prepare_images(image[None]) if image.dtype == np.uint8 else image[None, None]
    before = model.predict_proba(x)[0, target]
    h, w = image.shape
    rows, cols = output_size(h, patch, stride), output_size(w, patch, stride)
    drops = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            covered = x.copy()
            covered[..., i * stride : i * stride + patch, j * stride : j * stride + patch] = fill
            drops[i, j] = before - model.predict_proba(covered)[0, target]
    return drops


@pytest.mark.parametrize(("patch", "stride"), [(4, 2), (7, 3), (3, 5), (28, 1)])
def test_occlusion_is_what_covering_by_hand_gives(trained, test_digits, patch, stride):
    images, labels = test_digits
    digit, label = images[5], int(labels[5])
    got = occlusion_map(trained, digit, label, patch=patch, stride=stride)
    expected = _occlusion_by_hand(trained, digit, label, patch, stride)
    assert got.shape == expected.shape == (output_size(28, patch, stride),) * 2
    # batches of covered images against one at a time: other BLAS paths, float32 rounding
    np.testing.assert_allclose(got, expected, atol=2e-6)


def test_occlusion_for_every_class_at_once(trained, test_digits):
    digit = test_digits[0][2]
    every = occlusion_map(trained, digit, None, patch=6, stride=3)
    assert every.shape == (10, 8, 8)  # (28 - 6) // 3 + 1 = 8 positions per axis
    for target in (0, 4, 9):
        np.testing.assert_array_equal(every[target], occlusion_map(trained, digit, target, 6, 3))
    assert occlusion_map(trained, digit, 3).shape == (12, 12)  # by default patch 6, stride 2
    # probabilities sum to 1 before and after covering: the drops of a position sum to 0
    np.testing.assert_allclose(every.sum(axis=0), 0, atol=1e-6)


def test_covering_an_empty_corner_changes_nothing(trained, test_digits):
    images, labels = test_digits
    for digit, label in zip(images[:10], labels[:10]):
        assert not digit[:4, :4].any()  # MNIST digits leave the corners empty
        drops = occlusion_map(trained, digit, int(label), patch=4, stride=4)
        assert drops[0, 0] == 0.0 and drops[0, -1] == 0.0  # exactly: the image is unchanged
    # a patch of ink over the empty corner is a change, and is measured
    ink = occlusion_map(trained, images[0], int(labels[0]), patch=4, stride=4, fill=255)
    by_hand = _occlusion_by_hand(trained, images[0], int(labels[0]), 4, 4, fill=1.0)
    np.testing.assert_allclose(ink, by_hand, atol=2e-6)
    assert ink[0, 0] != 0.0


def _covers(digit, patch, stride, level):
    """True where the patch at that position covers a pixel above ``level``."""
    n = output_size(digit.shape[0], patch, stride)
    return np.array(
        [
            [
                digit[stride * i : stride * i + patch, stride * j : stride * j + patch].max()
                > level
                for j in range(n)
            ]
            for i in range(n)
        ]
    )


def test_covering_the_ink_lowers_the_true_class_on_average(trained, test_digits):
    images, labels = test_digits
    ink_drops, background_drops = [], []
    for digit, label in zip(images, labels):
        drops = occlusion_map(trained, digit, int(label), patch=6, stride=2)
        ink_drops.append(drops[_covers(digit, 6, 2, 128)].mean())
        background_drops.append(np.abs(drops[~_covers(digit, 6, 2, 0)]).max(initial=0.0))
    assert np.mean(ink_drops) > 0.005  # covering ink costs the true class probability
    assert np.mean(np.array(ink_drops) > 0) >= 0.8  # for most digits, not just on average
    assert max(background_drops) == 0.0  # covering nothing but background: exactly nothing


def test_fill_is_in_the_images_own_units(trained, test_digits):
    digit, label = test_digits[0][9], int(test_digits[1][9])
    prepared = prepare_images(digit[None])[0, 0]
    # grey level 255 on a uint8 digit is 1.0 on its prepared twin
    np.testing.assert_array_equal(
        occlusion_map(trained, digit, label, 5, 3, fill=255),
        occlusion_map(trained, prepared, label, 5, 3, fill=1.0),
    )


def test_patches_cover_every_channel():
    # a linear 2-channel network: covering a patch removes exactly those pixels' share
    rng = np.random.default_rng(2)
    model = Sequential(Flatten(), Dense(2 * 5 * 5, 3, seed=0)).astype(np.float64)
    image = rng.random((2, 5, 5))
    drops = occlusion_map(model, image, 1, patch=2, stride=3)
    expected = _occlusion_by_hand_multichannel(model, image, 1, 2, 3)
    np.testing.assert_allclose(drops, expected, rtol=1e-12, atol=1e-15)


def _occlusion_by_hand_multichannel(model, image, target, patch, stride):
    before = softmax(model.forward(image[None]))[0, target]
    n = output_size(image.shape[1], patch, stride)
    drops = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            covered = image.copy()
            covered[:, i * stride : i * stride + patch, j * stride : j * stride + patch] = 0
            drops[i, j] = before - softmax(model.forward(covered[None]))[0, target]
    return drops


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    ph=st.integers(1, 12),
    pw=st.integers(1, 12),
    sh=st.integers(1, 6),
    sw=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_map_sizes_follow_the_window_formula(h, w, ph, pw, sh, sw, seed):
    ph, pw = min(ph, h), min(pw, w)
    rng = np.random.default_rng(seed)
    model = Sequential(Flatten(), Dense(h * w, 3, seed=seed % 7))
    image = rng.random((h, w))
    drops = occlusion_map(model, image, 0, patch=(ph, pw), stride=(sh, sw))
    assert drops.shape == ((h - ph) // sh + 1, (w - pw) // sw + 1)
    assert drops.shape == (output_size(h, ph, sh), output_size(w, pw, sw))
    # spread over the pixels: the mean of the patches covering each pixel, by brute force
    per_pixel = occlusion_per_pixel(drops, (h, w), (ph, pw), (sh, sw))
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for i in range(drops.shape[0]):
        for j in range(drops.shape[1]):
            total[i * sh : i * sh + ph, j * sw : j * sw + pw] += drops[i, j]
            count[i * sh : i * sh + ph, j * sw : j * sw + pw] += 1
    assert per_pixel.shape == (h, w)
    np.testing.assert_array_equal(np.isnan(per_pixel), count == 0)
    # the same sums in another order: a tolerance for the rounding
    np.testing.assert_allclose(per_pixel[count > 0], (total / np.maximum(count, 1))[count > 0])
    assert saliency_map(model, image, 2).shape == (h, w)


def test_per_pixel_map_of_every_class_and_a_hand_example():
    drops = np.array([[1.0, 2.0], [3.0, 4.0]])  # a 2x2 patch with stride 1 on a 3x3 image
    expected = np.array([[1.0, 1.5, 2.0], [2.0, 2.5, 3.0], [3.0, 3.5, 4.0]])
    np.testing.assert_allclose(occlusion_per_pixel(drops, 3, 2, 1), expected)
    both = occlusion_per_pixel(np.stack([drops, -drops]), (3, 3), 2, 1)
    np.testing.assert_allclose(both, np.stack([expected, -expected]))
    # stride 3 with a patch of 2 on a 5x5 image: row and column 2 are never covered
    gaps = occlusion_per_pixel(drops, 5, 2, 3)
    assert np.isnan(gaps[2]).all() and np.isnan(gaps[:, 2]).all()
    assert gaps[0, 0] == 1.0 and gaps[4, 4] == 4.0


# ----------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------
DIGIT = np.zeros((28, 28), np.uint8)


@pytest.mark.parametrize("run", [saliency_map, occlusion_map], ids=["saliency", "occlusion"])
class TestErrors:
    def test_target_must_be_one_of_the_classes(self, trained, run):
        for bad in (10, -1):
            with pytest.raises(
                ValueError, match=rf"target must be a class index from 0 to 9 .*{bad}"
            ):
                run(trained, DIGIT, bad)
        with pytest.raises(TypeError, match=r"target must be a class index, an int .* '7' \(str\)"):
            run(trained, DIGIT, "7")
        with pytest.raises(TypeError, match=r"target .* 7\.0 \(float\)"):
            run(trained, DIGIT, 7.0)

    def test_one_image_of_a_shape_the_network_takes(self, trained, run):
        with pytest.raises(
            ValueError, match=r"image must be one image, .* a batch of 2.*image\[0\]"
        ):
            run(trained, np.zeros((2, 1, 28, 28)), 0)
        with pytest.raises(ValueError, match=r"image must have shape \(H, W\), .* 1 dimension"):
            run(trained, np.zeros(784), 0)
        with pytest.raises(ValueError, match=r"image must have shape .* 5 dimension"):
            run(trained, np.zeros((1, 1, 1, 28, 28)), 0)
        with pytest.raises(ValueError, match=r"channels-last colour image.*to_channels_first"):
            run(trained, np.zeros((28, 28, 3)), 0)
        with pytest.raises(ValueError, match=r"empty axis"):
            run(trained, np.zeros((0, 28)), 0)
        with pytest.raises(TypeError, match=r"image must hold real numbers"):
            run(trained, np.zeros((28, 28), complex), 0)
        with pytest.raises(ValueError, match=r"layer 0 Conv2D.*3 \(shape \(1, 3, 28, 28\)\)"):
            run(trained, np.zeros((3, 28, 28)), 0)  # the network's own message

    def test_nan_and_inf_are_refused(self, trained, run):
        image = np.zeros((28, 28))
        image[3, 4] = np.nan
        with pytest.raises(ValueError, match=r"image contains 1 NaN .* first at index \(3, 4\)"):
            run(trained, image, 0)
        image[3, 4] = np.inf
        with pytest.raises(ValueError, match=r"image contains 1 NaN or infinite"):
            run(trained, image, 0)

    def test_the_model_must_be_a_network_ending_in_class_scores(self, run):
        with pytest.raises(TypeError, match=r"model must be a cnnlib network .* str"):
            run("net", DIGIT, 0)
        with pytest.raises(
            ValueError, match=r"model must end in class scores.*\(1, 2, 26, 26\).*Flatten"
        ):
            run(Sequential(Conv2D(1, 2, 3)), DIGIT, 0)


def test_impossible_patches_strides_and_fills(trained):
    with pytest.raises(ValueError, match=r"patch 29 is larger than the 28x28 image.*patch<=28"):
        occlusion_map(trained, DIGIT, 0, patch=29)
    with pytest.raises(ValueError, match=r"patch \(4, 30\) is larger than the 28x28 image"):
        occlusion_map(trained, DIGIT, 0, patch=(4, 30))
    with pytest.raises(ValueError, match=r"patch must be at least 1, but is 0"):
        occlusion_map(trained, DIGIT, 0, patch=0)
    with pytest.raises(ValueError, match=r"stride must be at least 1, but is 0; use stride>=1"):
        occlusion_map(trained, DIGIT, 0, stride=0)
    with pytest.raises(TypeError, match=r"stride must be an int or a pair of ints .* 1\.5"):
        occlusion_map(trained, DIGIT, 0, stride=1.5)
    with pytest.raises(ValueError, match=r"fill must be a finite number, but is nan"):
        occlusion_map(trained, DIGIT, 0, fill=np.nan)
    with pytest.raises(TypeError, match=r"fill must be a number, but is 'white'"):
        occlusion_map(trained, DIGIT, 0, fill="white")


def test_per_pixel_spreading_checks_its_geometry():
    with pytest.raises(
        ValueError, match=r"drops has 5x5 patch positions, but a 4x4 patch .* 25x25"
    ):
        occlusion_per_pixel(np.zeros((5, 5)), 28, 4, 1)
    with pytest.raises(ValueError, match=r"drops must have shape \(Ho, Wo\) or \(K, Ho, Wo\)"):
        occlusion_per_pixel(np.zeros(5), 28, 4, 1)
    with pytest.raises(ValueError, match=r"patch 30 is larger than the 28x28 image"):
        occlusion_per_pixel(np.zeros((1, 1)), 28, 30, 1)
