"""Image arithmetic in cnnlib.images against hand-computed values, plain loops
and properties that must hold for every image."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnlib import images
from cnnlib.images import (
    adjust_brightness,
    adjust_contrast,
    crop,
    downsample,
    negative,
    pixel_distance,
    shift,
    threshold,
    to_channels_first,
    to_channels_last,
    to_grayscale,
)

RNG = np.random.default_rng(101)

uint8_images = hnp.arrays(
    np.uint8,
    st.one_of(
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=9),
        st.tuples(st.integers(1, 6), st.integers(1, 6), st.just(3)),
    ),
)


# ----------------------------------------------------------------------------
# channels
# ----------------------------------------------------------------------------
def test_channels_round_trip_and_layout():
    photo = RNG.integers(0, 256, size=(4, 5, 3), dtype=np.uint8)
    first = to_channels_first(photo)
    assert first.shape == (3, 4, 5)
    np.testing.assert_array_equal(first[1], photo[:, :, 1])  # channel 1 = all the green values
    np.testing.assert_array_equal(to_channels_last(first), photo)
    batch = RNG.integers(0, 256, size=(2, 4, 5, 3), dtype=np.uint8)
    assert to_channels_first(batch).shape == (2, 3, 4, 5)


def test_channels_reject_grayscale():
    with pytest.raises(ValueError, match=r"\(H, W, C\)"):
        to_channels_first(np.zeros((4, 5)))


# ----------------------------------------------------------------------------
# grayscale
# ----------------------------------------------------------------------------
def test_to_grayscale_hand_computed():
    pixel = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [100, 100, 100]]], dtype=np.uint8)
    gray = to_grayscale(pixel)
    assert gray.shape == (1, 4) and gray.dtype == np.uint8
    # 0.299 * 255 = 76.2, 0.587 * 255 = 149.7, 0.114 * 255 = 29.1; gray stays gray
    np.testing.assert_array_equal(gray, [[76, 150, 29, 100]])


def test_to_grayscale_float_and_alpha():
    rgba = np.zeros((2, 2, 4))
    rgba[..., 1] = 200.0
    rgba[..., 3] = 255.0  # alpha is ignored
    gray = to_grayscale(rgba)
    assert gray.dtype == np.float64
    np.testing.assert_allclose(gray, 0.587 * 200.0)


@pytest.mark.parametrize(
    ("shape", "match"), [((4, 5), "already grayscale"), ((3, 4, 5), "to_channels_last")]
)
def test_to_grayscale_errors_say_what_to_do(shape, match):
    with pytest.raises(ValueError, match=match):
        to_grayscale(np.zeros(shape, dtype=np.uint8))


def test_non_numeric_image_is_a_type_error():
    with pytest.raises(TypeError, match="image must hold real numbers, but has dtype <U1"):
        negative(np.array([["a", "b"]]))


def test_wrong_number_of_dimensions():
    with pytest.raises(ValueError, match=r"\(H, W\) for grayscale"):
        negative(np.zeros(5, dtype=np.uint8))


# ----------------------------------------------------------------------------
# negative, brightness, contrast, threshold
# ----------------------------------------------------------------------------
def test_negative_hand_computed_and_input_untouched():
    image = np.array([[0, 1, 128], [200, 254, 255]], dtype=np.uint8)
    before = image.copy()
    neg = negative(image)
    np.testing.assert_array_equal(neg, [[255, 254, 127], [55, 1, 0]])
    assert neg.dtype == np.uint8
    np.testing.assert_array_equal(image, before)


def test_negative_of_a_0_1_image():
    np.testing.assert_allclose(negative(np.array([[0.0, 0.25, 1.0]]), max_value=1), [[1, 0.75, 0]])
    with pytest.raises(ValueError, match="max_value=255"):
        negative(np.array([[0.0, 200.0]]), max_value=1)


@settings(max_examples=40, deadline=None)
@given(uint8_images)
def test_negative_twice_is_the_original(image):
    np.testing.assert_array_equal(negative(negative(image)), image)
    np.testing.assert_array_equal(negative(image).astype(int) + image, 255)


def test_brightness_clips_instead_of_wrapping():
    image = np.array([[0, 100, 250]], dtype=np.uint8)
    assert (image + np.uint8(10))[0, 2] == 4  # the pitfall the function avoids
    np.testing.assert_array_equal(adjust_brightness(image, 10), [[10, 110, 255]])
    np.testing.assert_array_equal(adjust_brightness(image, -50), [[0, 50, 200]])
    assert adjust_brightness(image, 10).dtype == np.uint8


@settings(max_examples=40, deadline=None)
@given(uint8_images, st.integers(-300, 300))
def test_brightness_is_add_then_clip(image, amount):
    expected = np.clip(image.astype(int) + amount, 0, 255)
    np.testing.assert_array_equal(adjust_brightness(image, amount), expected)


def test_contrast_hand_computed():
    image = np.array([[0, 64, 128, 192, 255]], dtype=np.uint8)
    # 128 + 2 * (x - 128): -128 -> 0, 0, 128, 256 -> 255, 382 -> 255
    np.testing.assert_array_equal(adjust_contrast(image, 2), [[0, 0, 128, 255, 255]])
    # half the contrast: 64, 96, 128, 160, 191.5 -> 192 (rounded)
    np.testing.assert_array_equal(adjust_contrast(image, 0.5), [[64, 96, 128, 160, 192]])
    np.testing.assert_array_equal(adjust_contrast(image, 0), 128)
    np.testing.assert_array_equal(adjust_contrast(image, 1), image)


def test_contrast_rejects_negative_factor():
    with pytest.raises(ValueError, match="negative"):
        adjust_contrast(np.zeros((2, 2)), -1)
    with pytest.raises(TypeError, match="factor must be a number"):
        adjust_contrast(np.zeros((2, 2)), "2")


def test_threshold():
    image = np.array([[0, 127, 128, 255]], dtype=np.uint8)
    out = threshold(image, 128)
    np.testing.assert_array_equal(out, [[0, 0, 255, 255]])
    assert out.dtype == np.uint8
    assert set(np.unique(threshold(RNG.integers(0, 256, (9, 9)), 50))) <= {0, 255}


# ----------------------------------------------------------------------------
# crop, downsample, shift
# ----------------------------------------------------------------------------
def test_crop_is_the_slice():
    image = np.arange(30).reshape(5, 6)
    np.testing.assert_array_equal(crop(image, 1, 2, 3, 4), image[1:4, 2:6])
    colour = RNG.integers(0, 256, (5, 6, 3))
    assert crop(colour, 0, 0, 2, 2).shape == (2, 2, 3)


def test_crop_outside_the_image_explains_the_limits():
    with pytest.raises(ValueError, match=r"top <= 2 and left <= 2"):
        crop(np.zeros((5, 6)), 3, 0, 3, 4)
    with pytest.raises(ValueError, match="height must be at least 1"):
        crop(np.zeros((5, 6)), 0, 0, 0, 4)


def _block_mean_loops(image, f):
    rows, cols = image.shape[0] // f, image.shape[1] // f
    out = np.zeros((rows, cols) + image.shape[2:])
    for i in range(rows):
        for j in range(cols):
            out[i, j] = image[i * f : (i + 1) * f, j * f : (j + 1) * f].mean(axis=(0, 1))
    return out


@pytest.mark.parametrize("shape", [(12, 12), (13, 10), (7, 9, 3)])
@pytest.mark.parametrize("factor", [1, 2, 3, 4])
def test_downsample_mean_equals_block_averages(shape, factor):
    image = RNG.uniform(0, 255, size=shape)
    out = downsample(image, factor)
    np.testing.assert_allclose(out, _block_mean_loops(image, factor))
    assert out.shape[:2] == (shape[0] // factor, shape[1] // factor)


def test_downsample_uint8_hand_computed_and_subsample():
    image = np.array([[0, 10, 200, 200], [20, 30, 100, 101]], dtype=np.uint8)
    mean = downsample(image, 2)
    np.testing.assert_array_equal(mean, [[15, 150]])  # 150.25 rounds to 150
    assert mean.dtype == np.uint8
    np.testing.assert_array_equal(downsample(image, 2, method="subsample"), [[0, 200]])
    np.testing.assert_array_equal(downsample(image, 1), image)


def test_downsample_errors():
    with pytest.raises(ValueError, match="factor <= 4"):
        downsample(np.zeros((4, 8)), 5)
    with pytest.raises(ValueError, match="method='median' is not known"):
        downsample(np.zeros((4, 8)), 2, method="median")
    with pytest.raises(TypeError, match="factor must be an int"):
        downsample(np.zeros((4, 8)), 2.0)


def test_shift_hand_computed():
    image = np.arange(1, 10).reshape(3, 3)
    np.testing.assert_array_equal(shift(image, 1, 0), [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(shift(image, 0, -1), [[2, 3, 0], [5, 6, 0], [8, 9, 0]])
    np.testing.assert_array_equal(shift(image, 5, 0), np.zeros((3, 3)))
    np.testing.assert_array_equal(shift(image, -1, 1, fill=7), [[7, 4, 5], [7, 7, 8], [7, 7, 7]])


@settings(max_examples=40, deadline=None)
@given(uint8_images, st.integers(-4, 4), st.integers(-4, 4))
def test_shift_moves_every_pixel_that_stays_inside(image, down, right):
    moved = shift(image, down, right)
    assert moved.shape == image.shape and moved.dtype == image.dtype
    rows, cols = image.shape[:2]
    for r in range(rows):
        for c in range(cols):
            src = (r - down, c - right)
            if 0 <= src[0] < rows and 0 <= src[1] < cols:
                np.testing.assert_array_equal(moved[r, c], image[src])
            else:
                assert np.all(moved[r, c] == 0)


def test_pixel_distance():
    a = np.zeros((2, 2), dtype=np.uint8)
    b = np.array([[255, 0], [0, 255]], dtype=np.uint8)
    assert pixel_distance(a, b) == pytest.approx(np.sqrt(2))
    assert pixel_distance(b, b) == 0
    c = RNG.integers(0, 256, (4, 5, 3))
    d = RNG.integers(0, 256, (4, 5, 3))
    assert pixel_distance(c, d) == pytest.approx(np.linalg.norm((c - d) / 255.0))
    assert pixel_distance(c, d) == pytest.approx(pixel_distance(d, c))
    with pytest.raises(ValueError, match="same shape"):
        pixel_distance(a, c)


def test_every_public_name_is_exported():
    for name in images.__all__:
        assert hasattr(images, name)


# ----------------------------------------------------------------------------
# one rule for every integer type: an integer image is a 0-255 image
# ----------------------------------------------------------------------------
INTEGER_TYPES = [np.uint8, np.int8, np.int16, np.int32, np.int64, np.uint16, np.uint64]


@pytest.mark.parametrize("dtype", INTEGER_TYPES)
def test_value_helpers_return_uint8_for_every_integer_type(dtype):
    """negative() of an int8 image used to come back as int8, where 255 - 0 wraps
    to -1: the very trap notebook 01 teaches."""
    image = np.array([[0, 100], [127, 50]], dtype=dtype)
    wide = image.astype(np.int64)
    expected = {
        "negative": 255 - wide,
        "brightness": np.clip(wide + 200, 0, 255),
        "contrast": np.clip(128 + 2 * (wide - 128), 0, 255),
        "threshold": np.where(wide >= 60, 255, 0),
    }
    results = {
        "negative": negative(image),
        "brightness": adjust_brightness(image, 200),
        "contrast": adjust_contrast(image, 2),
        "threshold": threshold(image, 60),
    }
    for name, result in results.items():
        assert result.dtype == np.uint8, name
        np.testing.assert_array_equal(result, expected[name], err_msg=name)
    mean = downsample(np.tile(image, (2, 2)), 2)
    assert mean.dtype == np.uint8
    colour = np.stack([image] * 3, axis=-1)
    assert to_grayscale(colour).dtype == np.uint8
    np.testing.assert_array_equal(to_grayscale(colour), image)


def test_bool_images_are_0_255_images_too():
    mask = np.array([[True, False]])
    np.testing.assert_array_equal(negative(mask), [[254, 255]])
    assert adjust_brightness(mask, 10).dtype == np.uint8


@pytest.mark.parametrize("dtype", [*INTEGER_TYPES, np.float32, np.float64, bool])
def test_helpers_that_only_move_pixels_keep_the_type(dtype):
    image = (RNG.integers(0, 2 if dtype is bool else 100, size=(4, 6))).astype(dtype)
    assert crop(image, 1, 1, 2, 2).dtype == image.dtype
    assert downsample(image, 2, method="subsample").dtype == image.dtype
    moved = shift(image, 1, -2, fill=1)
    assert moved.dtype == image.dtype
    np.testing.assert_array_equal(moved[1:, :4], image[:3, 2:])
    assert (moved[0] == 1).all() and (moved[:, 4:] == 1).all()


def test_shift_fill_follows_the_type():
    assert shift(np.zeros((2, 2)), 1, fill=0.5)[0, 0] == 0.5  # float: any number
    assert shift(np.zeros((2, 2), np.int8), 1, fill=-3)[0, 0] == -3  # int8 holds -3
    assert shift(np.zeros((2, 2), np.uint8), 1, fill=255.0)[0, 0] == 255  # a whole float
    for dtype, fill in ((np.uint8, -1), (np.uint8, 256), (np.int8, 200), (bool, 2)):
        with pytest.raises(ValueError, match=f"fill={fill} cannot be stored in a"):
            shift(np.zeros((2, 2), dtype), 1, fill=fill)


@pytest.mark.parametrize(
    "call",
    [
        negative,
        lambda im: adjust_brightness(im, 1),
        lambda im: adjust_contrast(im, 1),
        lambda im: threshold(im, 1),
        lambda im: downsample(im, 2),
        lambda im: to_grayscale(np.stack([im] * 3, axis=-1)),
    ],
)
def test_integer_images_outside_0_255_are_refused_not_clipped(call):
    with pytest.raises(ValueError, match=r"values from -5 to 100; .*astype\(float\)"):
        call(np.array([[-5, 100], [0, 0]], dtype=np.int16))


def test_downsample_by_subsampling_takes_any_integer_values():
    image = np.array([[-5, 1], [2, 3]], dtype=np.int16)
    np.testing.assert_array_equal(downsample(image, 2, method="subsample"), [[-5]])
    with pytest.raises(ValueError, match="from -5 to 3"):
        downsample(image, 2)  # the mean computes new values: 0-255 only
