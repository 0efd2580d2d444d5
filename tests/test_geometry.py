"""cnnlib.geometry: output sizes, padding and the window plan.

* hand-computed values (the course's worked examples among them);
* hypothesis: the sizes the geometry predicts are the shapes every
  convolution and pooling really produces (fast and loop versions, functions
  and layers), for every padding, stride, dilation and rectangular shape;
* 'same' puts the extra pixel at the bottom/right, checked by hand and, when
  it is installed, against PyTorch;
* what a learner sees: ``output_size??`` shows the formula itself.
"""

from __future__ import annotations

import doctest
import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import (
    AvgPool2D,
    Conv2D,
    MaxPool2D,
    avg_pool2d,
    conv2d,
    geometry,
    max_pool2d,
    output_size,
    reference,
)
from cnnlib.geometry import Window, padding_sides, window_plan

RNG = np.random.default_rng(7)


# ----------------------------------------------------------------------------
# hand-computed
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((28, 3), {}, 26),  # (28 - 2 - 1) / 1 + 1
        ((28, 3), {"padding": 1}, 28),
        ((28, 3), {"stride": 2, "padding": 1}, 14),  # floor(27 / 2) + 1
        ((28, 3), {"padding": "same"}, 28),
        ((28, 3), {"padding": "full"}, 30),
        ((28, 3), {"padding": "valid"}, 26),
        ((28, 3), {"dilation": 2}, 24),  # the kernel spans 5 pixels
        ((28, 3), {"dilation": 2, "padding": "same"}, 28),
        ((28, 3), {"dilation": 2, "padding": "full"}, 32),
        ((32, 5), {}, 28),  # LeNet's first layer
        ((7, 3), {"stride": 2}, 3),  # windows at 0, 2, 4
        ((8, 3), {"stride": 2}, 3),  # floor: a window at 6 would need pixel 8
        ((27, 2), {"stride": 2}, 13),  # pooling drops the last row
        ((28, 2), {"stride": 2}, 14),
        ((5, 5), {}, 1),  # the kernel fits exactly once
        ((1, 1), {}, 1),
        ((3, 5), {"padding": 1}, 1),
        ((28, 6), {"stride": 2}, 12),
        ((9, 3), {"dilation": 2}, 5),
        ((10, 4), {"padding": "same"}, 10),  # 1 before, 2 after
    ],
)
def test_output_size_by_hand(args, kwargs, expected):
    assert output_size(*args, **kwargs) == expected


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((0, 3), {}, (0, 0)),
        ((2, 3), {}, (2, 2)),
        (("valid", 5), {}, (0, 0)),
        (("full", 5), {}, (4, 4)),
        (("full", 3), {"dilation": 2}, (4, 4)),
        (("same", 1), {}, (0, 0)),
        (("same", 3), {}, (1, 1)),
        (("same", 5), {}, (2, 2)),
        (("same", 2), {}, (0, 1)),  # one extra pixel: after (bottom/right)
        (("same", 4), {}, (1, 2)),
        (("same", 6), {}, (2, 3)),
        (("same", 2), {"dilation": 3}, (1, 2)),  # the kernel reaches 3 pixels further
        (("same", 3), {"dilation": 2}, (2, 2)),
        (("SAME", 4), {}, (1, 2)),  # names in any case, as PyTorch accepts them
        (("Full", 2), {"stride": 3}, (1, 1)),  # 'full' takes any stride
    ],
)
def test_padding_sides_by_hand(args, kwargs, expected):
    assert padding_sides(*args, **kwargs) == expected


def test_window_plan_by_hand():
    assert window_plan((28, 28), 3, stride=2, padding=1) == Window(
        kernel=(3, 3), stride=(2, 2), dilation=(1, 1), pads=((1, 1), (1, 1)), out=(14, 14)
    )
    # an even kernel with 'same': the extra row at the bottom, the extra column at the right
    win = window_plan((5, 6), (2, 4), padding="same")
    assert win.pads == ((0, 1), (1, 2)) and win.out == (5, 6)
    # rectangular everything: each axis on its own
    win = window_plan((9, 12), (3, 2), stride=(2, 3), padding=(1, 0), dilation=(2, 1))
    assert win.out == (output_size(9, 3, 2, 1, 2), output_size(12, 2, 3, 0, 1)) == (4, 4)
    # pooling: the stride defaults to the window
    assert window_plan((7, 6), 2, stride=None, pooling=True).out == (3, 3)
    assert window_plan(28, 2, 2, pooling=True).out == (14, 14)  # an int means a square


@given(
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.integers(10, 15), st.integers(10, 15)),  # every kernel fits (10 pixels)
)
def test_the_rows_and_columns_under_a_kernel_cell(kernel, stride, dilation, padding, size):
    """``rows_under(i)`` are the rows ``y*s + i*d`` of the padded input, y = 0 .. Ho-1."""
    win = window_plan(size, kernel, stride, padding, dilation)
    padded_rows = np.arange(size[0] + sum(win.pads[0]))
    padded_cols = np.arange(size[1] + sum(win.pads[1]))
    for i in range(kernel[0]):
        expected = [y * stride[0] + i * dilation[0] for y in range(win.out[0])]
        assert padded_rows[win.rows_under(i)].tolist() == expected
    for j in range(kernel[1]):
        expected = [x * stride[1] + j * dilation[1] for x in range(win.out[1])]
        assert padded_cols[win.columns_under(j)].tolist() == expected


def test_docstring_examples_hold():
    results = doctest.testmod(geometry, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert results.attempted >= 12 and results.failed == 0


def test_output_size_shows_the_formula_itself():
    """``output_size??`` in JupyterLab must land on the formula the course teaches, not on
    a call into another module: the code reads as the docstring's formula."""
    source = inspect.getsource(output_size)
    assert "return (i + p_before + p_after - d * (k - 1) - 1) // s + 1" in source
    assert "o = floor((i + p_before + p_after - d(k - 1) - 1) / s) + 1" in source
    body = source.split('"""')[2]
    assert len(body.strip().splitlines()) <= 4  # check, pad, check it fits, compute
    assert "return reach // 2, reach - reach // 2" in inspect.getsource(padding_sides)


# ----------------------------------------------------------------------------
# the sizes predicted are the sizes produced
# ----------------------------------------------------------------------------
@st.composite
def conv_settings(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    names = ["valid", "full"] + (["same"] if sh == sw == 1 else [])
    padding = draw(
        st.sampled_from(names) | st.integers(0, 3) | st.tuples(st.integers(0, 3), st.integers(0, 3))
    )
    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    return (h, w), (kh, kw), (sh, sw), padding, (dh, dw)


@settings(max_examples=150, deadline=None)
@given(conv_settings())
def test_convolutions_produce_the_predicted_size(case):
    size, kernel, stride, padding, dilation = case
    x = RNG.standard_normal((1, 2, *size))
    w = RNG.standard_normal((3, 2, *kernel))
    try:
        win = window_plan(size, kernel, stride, padding, dilation)
    except ValueError as err:  # does not fit: every convolution refuses it the same way
        assert "does not fit" in str(err)
        for run in (conv2d, reference.conv2d):
            with pytest.raises(ValueError, match="does not fit"):
                run(x, w, None, stride, padding, dilation)
        return
    for axis in range(2):
        p = _per_axis(padding)[axis]
        k, s, d = kernel[axis], stride[axis], dilation[axis]
        assert win.pads[axis] == padding_sides(p, k, s, d)
        assert win.out[axis] == output_size(size[axis], k, s, p, d)
    expected = (1, 3, *win.out)
    assert conv2d(x, w, None, stride, padding, dilation).shape == expected
    assert reference.conv2d(x, w, None, stride, padding, dilation).shape == expected
    layer = Conv2D(2, 3, kernel, stride, padding, dilation, seed=0)
    assert layer(x).shape == expected and layer.output_shape(x.shape[1:]) == expected[1:]


def _per_axis(padding):
    return padding if isinstance(padding, tuple) else (padding, padding)


@settings(max_examples=100, deadline=None)
@given(
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
    st.none() | st.tuples(st.integers(1, 4), st.integers(1, 4)),
    st.data(),
    st.tuples(st.integers(1, 12), st.integers(1, 12)),
)
def test_pooling_produces_the_predicted_size(kernel, stride, data, size):
    padding = data.draw(st.tuples(*(st.integers(0, k // 2) for k in kernel)))
    x = RNG.standard_normal((2, 1, *size))
    try:
        win = window_plan(size, kernel, stride, padding, pooling=True)
    except ValueError as err:
        assert "pooling window" in str(err) and "does not fit" in str(err)
        with pytest.raises(ValueError, match="does not fit"):
            max_pool2d(x, kernel, stride, padding)
        return
    steps = kernel if stride is None else stride
    for axis in range(2):
        assert win.out[axis] == output_size(size[axis], kernel[axis], steps[axis], padding[axis])
    expected = (2, 1, *win.out)
    for run in (max_pool2d, avg_pool2d, reference.max_pool2d, reference.avg_pool2d):
        assert run(x, kernel, stride, padding).shape == expected
    for cls in (MaxPool2D, AvgPool2D):
        layer = cls(kernel, stride, padding)
        assert layer(x).shape == expected and layer.output_shape(x.shape[1:]) == expected[1:]


def test_same_puts_the_extra_pixel_at_the_bottom_and_right():
    """An even kernel with 'same': conv2d equals correlating the image padded 1 above and
    2 below (4x4 kernel), never 2 above and 1 below."""
    x = RNG.standard_normal((7, 8))
    w = RNG.standard_normal((4, 4))
    same = conv2d(x, w, padding="same")
    assert same.shape == x.shape
    explicit = np.pad(x, ((1, 2), (1, 2)))
    np.testing.assert_allclose(same, conv2d(explicit, w), rtol=1e-12, atol=1e-12)
    assert not np.allclose(same, conv2d(np.pad(x, ((2, 1), (2, 1))), w))


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # PyTorch's note
@pytest.mark.parametrize(("kernel", "dilation"), [(2, 1), (4, 1), ((2, 3), 1), (2, 3), (3, 2)])
def test_same_padding_agrees_with_pytorch(kernel, dilation):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((1, 2, 9, 8))
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    w = RNG.standard_normal((3, 2, kh, kw))
    with torch.no_grad():
        theirs = torch.nn.functional.conv2d(
            torch.from_numpy(x), torch.from_numpy(w), padding="same", dilation=dilation
        ).numpy()
    ours = conv2d(x, w, padding="same", dilation=dilation)
    # the same products summed in another order (float64): agreement to ~1e-15 relative
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


# ----------------------------------------------------------------------------
# bad settings: the usual one-sentence errors
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: output_size(3, 5), ValueError, r"kernel 5x5 does not fit a 3x3 input .*>=1"),
        (lambda: output_size(5, 3, dilation=3), ValueError, r"dilation \(3, 3\).*padding>=1"),
        (lambda: output_size(0, 3), ValueError, "size must be at least 1, but is 0"),
        (lambda: output_size(3.5, 3), TypeError, r"size must be an int, but is 3.5"),
        (lambda: output_size("28", 3), TypeError, "write it without quotes"),
        (lambda: output_size(28, 3, padding=-1), ValueError, "padding must be at least 0"),
        (lambda: output_size(28, 3, padding=(1, 1)), TypeError, "padding must be an int"),
        (lambda: output_size(28, 3, 2, "same"), ValueError, "'same' keeps .* only with stride 1"),
        (lambda: output_size(28, 3, padding="half"), ValueError, r"one of \('valid', 'same'"),
        (lambda: padding_sides("same", 0), ValueError, "kernel_size must be at least 1"),
        (lambda: window_plan((28, 28), 3, dilation=(1, 0)), ValueError, "dilation must be at"),
        (lambda: window_plan((0, 5), 3), ValueError, "input_size must be at least 1"),
        (lambda: window_plan((5, 5), 2, padding="same", pooling=True), TypeError, "convolution"),
        (lambda: window_plan((5, 5), 2, padding=2, pooling=True), ValueError, "half the pooling"),
        (lambda: window_plan((5, 5), 2, dilation=2, pooling=True), ValueError, "no dilation"),
        (lambda: window_plan((3, 3), 4, pooling=True), ValueError, "pooling window 4x4 does"),
    ],
)
def test_bad_settings_say_what_to_do(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_a_plan_is_computed_once_per_size_and_settings():
    """The layers ask for the plan at every step; it is remembered, not recomputed."""
    settings = ((28, 28), (3, 3), (1, 1), (1, 1), (1, 1))
    first = geometry.checked_window_plan(*settings, pooling=False)
    assert geometry.checked_window_plan(*settings, pooling=False) is first
    assert window_plan(28, 3, 1, 1) == first  # the public function computes the same plan
