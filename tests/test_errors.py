"""Bad input gets a clear error that names the argument, the value and the fix.

Each case checks the exception type and the key parts of the message, for
both the fast functions and their loop twins (they share the checks)."""

import numpy as np
import pytest

from cnnlib import (
    avg_pool2d,
    conv2d,
    cross_entropy,
    kernels,
    leaky_relu,
    max_pool2d,
    output_size,
    reference,
    softmax,
    to_channels_first,
)

IMG = np.zeros((1, 1, 8, 8))
W = np.zeros((2, 1, 3, 3))
CONVS = [conv2d, reference.conv2d]
POOLS = [max_pool2d, avg_pool2d, reference.max_pool2d, reference.avg_pool2d]


@pytest.mark.parametrize("conv", CONVS)
class TestConvErrors:
    def test_wrong_number_of_dimensions(self, conv):
        with pytest.raises(ValueError, match=r"x must have shape .* but has 5 dimension"):
            conv(np.zeros((1, 1, 1, 8, 8)), W)
        with pytest.raises(ValueError, match=r"x must have shape .* 1 dimension"):
            conv(np.zeros(8), np.zeros(3))

    def test_channels_last_image_gets_a_specific_hint(self, conv):
        with pytest.raises(
            ValueError, match=r"channels-last image \(H, W, C\).*cnnlib.to_channels_first\(x\)"
        ):
            conv(np.zeros((8, 8, 3)), np.zeros((1, 3, 3, 3)))

    def test_2d_image_needs_2d_kernel(self, conv):
        with pytest.raises(
            ValueError, match=r"2-D image x \(8, 8\) needs a 2-D kernel.*x\[None, None\]"
        ):
            conv(np.zeros((8, 8)), W)

    def test_weight_dimensions(self, conv):
        with pytest.raises(ValueError, match=r"weight must have shape \(F, C, kH, kW\)"):
            conv(IMG, np.zeros((3, 3)))

    def test_channel_mismatch(self, conv):
        with pytest.raises(
            ValueError, match=r"x has 3 channel\(s\) but weight expects 1.*\(F, 3, kH, kW\)"
        ):
            conv(np.zeros((1, 3, 8, 8)), W)

    def test_kernel_larger_than_padded_input(self, conv):
        with pytest.raises(
            ValueError,
            match="kernel 5x5 does not fit a 3x3 input with padding 0; "
            "use padding>=1 or a smaller kernel",
        ):
            conv(np.zeros((3, 3)), np.zeros((5, 5)))
        with pytest.raises(ValueError, match=r"kernel 3x3 with dilation \(3, 3\) .* 5x5 input"):
            conv(np.zeros((5, 5)), np.zeros((3, 3)), dilation=3)

    @pytest.mark.parametrize("name", ["stride", "dilation"])
    @pytest.mark.parametrize("value", [0, -1, (1, 0)])
    def test_stride_and_dilation_below_one(self, conv, name, value):
        with pytest.raises(
            ValueError,
            match=f"{name} must be at least 1, but is {value!r}".replace("(", r"\(").replace(
                ")", r"\)"
            ),
        ):
            conv(IMG, W, **{name: value})

    @pytest.mark.parametrize("value", [1.5, "2", (1, 2, 3), True, None])
    def test_stride_of_wrong_type(self, conv, value):
        with pytest.raises(TypeError, match="stride must be an int or a pair of ints"):
            conv(IMG, W, stride=value)

    def test_negative_padding(self, conv):
        with pytest.raises(
            ValueError, match="padding must be at least 0, but is -1; use padding>=0"
        ):
            conv(IMG, W, padding=-1)

    def test_unknown_padding_mode(self, conv):
        with pytest.raises(ValueError, match=r"padding must be .*'valid', 'same', 'full'.* 'half'"):
            conv(IMG, W, padding="half")

    def test_same_with_stride(self, conv):
        with pytest.raises(
            ValueError, match="padding='same' .* only with stride 1, but stride is 2"
        ):
            conv(IMG, W, padding="same", stride=2)

    @pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
    def test_nan_or_inf_input(self, conv, bad):
        x = IMG.copy()
        x[0, 0, 2, 5] = bad
        with pytest.raises(
            ValueError,
            match=r"x contains 1 NaN or infinite value\(s\), the first at index \(0, 0, 2, 5\)",
        ):
            conv(x, W)
        w = W.copy()
        w[1, 0, 0, 0] = bad
        with pytest.raises(ValueError, match="weight contains 1 NaN"):
            conv(IMG, w)

    def test_bias_shape(self, conv):
        with pytest.raises(ValueError, match=r"bias must have shape \(2,\), one number per filter"):
            conv(IMG, W, bias=np.zeros(3))

    def test_complex_and_strings_are_type_errors(self, conv):
        with pytest.raises(TypeError, match="x must hold real numbers, but has dtype complex128"):
            conv(IMG.astype(complex), W)
        with pytest.raises(TypeError, match="weight must hold real numbers"):
            conv(IMG, np.full((2, 1, 3, 3), "a"))

    def test_empty_axis(self, conv):
        with pytest.raises(ValueError, match="must not have an empty axis"):
            conv(np.zeros((0, 1, 8, 8)), W)


def test_large_finite_values_are_not_mistaken_for_inf():
    """The fast NaN check sums the array (or takes max - min); an overflow must not raise."""
    x = np.full((1, 1, 4, 4), 3e38, dtype=np.float32)
    assert np.isfinite(conv2d(x, np.full((1, 1, 1, 1), 0.5, np.float32))).all()


@pytest.mark.parametrize("size", [8, 8192, 8193, 40_000])  # the small (dot) and large paths
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_small_and_large_arrays(size, bad):
    from cnnlib._validate import check_finite

    x = np.full(size, 3e38, dtype=np.float32)  # finite, but every sum of it overflows
    check_finite(x)
    x[::2] = -3e38  # and so does max - min
    check_finite(x)
    check_finite(x.reshape(1, -1)[:, ::2])  # not contiguous
    x[size // 2] = bad
    with pytest.raises(ValueError, match=rf"x contains 1 NaN .* at index \({size // 2},\)"):
        check_finite(x)
    x[size // 2], x[-1] = np.inf, -np.inf  # inf - inf = NaN in the sum
    with pytest.raises(ValueError, match="x contains 2 NaN or infinite"):
        check_finite(x)


@pytest.mark.parametrize("pool", POOLS)
class TestPoolErrors:
    def test_window_larger_than_input(self, pool):
        with pytest.raises(
            ValueError, match="pooling window 4x4 does not fit a 3x3 input with padding 0"
        ):
            pool(np.zeros((3, 3)), 4)

    def test_too_much_padding(self, pool):
        with pytest.raises(
            ValueError, match="padding 2 is more than half the pooling window 2.* padding<=1"
        ):
            pool(np.zeros((6, 6)), 2, padding=2)

    def test_string_padding_rejected(self, pool):
        with pytest.raises(TypeError, match="'valid', 'same' and 'full' are for convolution"):
            pool(np.zeros((6, 6)), 2, padding="same")

    def test_bad_kernel_and_stride(self, pool):
        with pytest.raises(ValueError, match="kernel_size must be at least 1, but is 0"):
            pool(np.zeros((6, 6)), 0)
        with pytest.raises(ValueError, match="stride must be at least 1, but is 0"):
            pool(np.zeros((6, 6)), 2, stride=0)

    def test_nan(self, pool):
        with pytest.raises(ValueError, match="x contains 1 NaN"):
            pool(np.array([[1.0, np.nan], [0.0, 2.0]]), 2)

    def test_dimensions(self, pool):
        with pytest.raises(ValueError, match="x must have shape"):
            pool(np.zeros(5), 2)


def test_output_size_errors():
    with pytest.raises(ValueError, match="kernel 5x5 does not fit a 3x3 input .* use padding>=1"):
        output_size(3, 5)
    with pytest.raises(TypeError, match="size must be an int, but is 3.5"):
        output_size(3.5, 3)
    with pytest.raises(ValueError, match="stride must be at least 1, but is 0"):
        output_size(10, 3, stride=0)
    with pytest.raises(ValueError, match="padding must be at least 0, but is -2"):
        output_size(10, 3, padding=-2)


def test_cross_entropy_errors():
    with pytest.raises(ValueError, match=r"logits must have shape \(N, K\).* logits\[None\]"):
        cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(TypeError, match="targets must be integer class labels.*argmax"):
        cross_entropy(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"targets must have shape \(2,\)"):
        cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(
        ValueError, match="targets must be class numbers from 0 to 2 .* range from 0 to 3"
    ):
        cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="logits contains 1 NaN"):
        cross_entropy(np.array([[0.0, np.nan]]), np.array([0]))


def test_softmax_axis_and_leaky_slope_errors():
    with pytest.raises(ValueError, match="axis must be an int between -2 and 1 .* but is 2"):
        softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match="negative_slope must be a number"):
        leaky_relu(np.zeros(3), negative_slope="0.1")


def test_kernel_and_image_helper_errors():
    with pytest.raises(
        ValueError, match="size must be odd so the kernel has a centre, but is 4; use 3 or 5"
    ):
        kernels.identity(4)
    with pytest.raises(ValueError, match="sigma must be positive"):
        kernels.gaussian_blur(5, sigma=0)
    with pytest.raises(ValueError, match=r"image must have shape \(H, W, C\) or \(N, H, W, C\)"):
        to_channels_first(np.zeros((4, 4)))
