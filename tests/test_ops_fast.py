"""The fast paths inside cnnlib.ops, each checked against the loop reference.

``tests/test_ops.py`` checks the public functions; here every internal
strategy is driven directly, including on shapes where ``conv2d`` would pick
the other one, so a bug in a path the dispatcher rarely takes cannot hide.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import geometry, ops, reference

STRATEGIES = [ops._conv2d_rows, ops._conv2d_im2col, ops._conv2d_batched]


def _call(strategy, x4, w4, win):
    """Run a strategy; the two inner ones write into an output array they are given."""
    if strategy is ops._conv2d_batched:
        return strategy(x4, w4, win)
    out = np.full((len(x4), len(w4), *win.out), np.nan, dtype=np.result_type(x4, w4))
    assert strategy(x4, w4, win, out) is None
    return out


def _reference_batched(x4, w4, win):
    """The loop reference with explicit pads (reference.conv2d takes symmetric padding)."""
    (pt, pb), (pl, pr) = win.pads
    xp = np.pad(x4, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    return reference.conv2d(xp, w4, stride=win.stride, dilation=win.dilation)


@st.composite
def conv_geometry(draw, stride_one=False):
    n, c, f = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = (1, 1) if stride_one else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pads = tuple((draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(2))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - sum(pads[0])), 11))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - sum(pads[1])), 11))
    return (n, c, h, w), (f, c, kh, kw), (sh, sw), pads, (dh, dw), draw(st.integers(0, 2**16))


def _window(xshape, wshape, stride, pads, dilation):
    # window_plan takes symmetric padding; build the asymmetric Window it would describe
    out = tuple(
        (i + pa + pb - d * (k - 1) - 1) // s + 1
        for i, k, s, d, (pa, pb) in zip(xshape[2:], wshape[2:], stride, dilation, pads)
    )
    return geometry.Window(tuple(wshape[2:]), stride, dilation, pads, out)


@settings(max_examples=150, deadline=None)
@given(conv_geometry(stride_one=True), st.sampled_from([np.float32, np.float64]))
def test_row_runs_strategy_equals_reference(case, dtype):
    """Stride 1, any dilation and asymmetric padding, even where 2*Wo < Wp."""
    xshape, wshape, stride, pads, dilation, seed = case
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=xshape).astype(dtype), rng.normal(size=wshape).astype(dtype)
    win = _window(xshape, wshape, stride, pads, dilation)
    fast = _call(ops._conv2d_rows, x, w, win)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(fast, _reference_batched(x, w, win), rtol=tol, atol=tol)
    assert fast.dtype == dtype


@settings(max_examples=150, deadline=None)
@given(conv_geometry(), st.sampled_from([np.float32, np.float64]))
def test_im2col_strategy_and_dispatcher_equal_reference(case, dtype):
    xshape, wshape, stride, pads, dilation, seed = case
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=xshape).astype(dtype), rng.normal(size=wshape).astype(dtype)
    win = _window(xshape, wshape, stride, pads, dilation)
    expected = _reference_batched(x, w, win)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    for strategy in (ops._conv2d_im2col, ops._conv2d_batched):
        out = _call(strategy, x, w, win)
        np.testing.assert_allclose(out, expected, rtol=tol, atol=tol, err_msg=strategy.__name__)
        assert out.dtype == dtype and out.flags.c_contiguous


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda f: f.__name__)
def test_strategies_on_a_teaching_shape(strategy):
    """64 images 8 -> 16 channels, 3x3, padding 1, as in the second layer of the course net."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8, 14, 14)).astype(np.float32)
    w = rng.normal(size=(16, 8, 3, 3)).astype(np.float32)
    win = geometry.window_plan((14, 14), (3, 3), 1, 1)
    out = _call(strategy, x, w, win)
    # float64 loops would take seconds here; compare with a float64 einsum over the windows
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = ops._windows(xp, win)
    expected = np.einsum("ncijyx,fcij->nfyx", windows, w.astype(np.float64))
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda f: f.__name__)
def test_strategies_accept_non_contiguous_input_and_never_alias_it(strategy):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 6, 2, 3)).transpose(2, 3, 0, 1)  # (2, 3, 5, 6), not contiguous
    w = rng.normal(size=(4, 3, 3, 3))
    win = geometry.window_plan((5, 6), (3, 3), 1, 1)
    before = x.copy()
    out = _call(strategy, x, w, win)
    np.testing.assert_allclose(out, _reference_batched(x, w, win), rtol=1e-10, atol=1e-10)
    assert not np.shares_memory(out, x) and not np.shares_memory(out, w)
    out += 1  # writable, and writing to it leaves the input alone
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(
    ("stride", "group_bytes", "band_bytes", "calls"),
    [
        # 10,368 bytes of windows per image (2*3*3 x 9*8 float64), 1,152 per output row
        (1, 40_000, 10**6, [(3, 9), (3, 9), (1, 9)]),  # groups of 3, the last one smaller
        (1, 10**6, 5_000, [(1, 4), (1, 4), (1, 1)] * 7),  # bands of 4 output rows
        (1, 1, 1, [(1, 1)] * 63),  # at least one row, however small the budget
        # stride 2: 2,880 bytes per image (2*3*3 x 5*4 float64), 576 per output row
        (2, 9_000, 10**6, [(3, 5), (3, 5), (1, 5)]),
        (2, 10**6, 1_200, [(1, 2), (1, 2), (1, 1)] * 7),
    ],
)
def test_batches_split_into_groups_and_bands_give_the_same_result(
    monkeypatch, stride, group_bytes, band_bytes, calls
):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(7, 2, 9, 8))
    w = rng.normal(size=(3, 2, 3, 3))
    win = geometry.window_plan((9, 8), (3, 3), stride, 1)
    whole = ops._conv2d_batched(x, w, win)

    seen = []
    name = "_conv2d_rows" if stride == 1 else "_conv2d_im2col"
    strategy = getattr(ops, name)

    def spy(x4, w4, win, out):
        seen.append((len(x4), win.out[0]))  # (images, output rows) per call
        return strategy(x4, w4, win, out)

    monkeypatch.setattr(ops, name, spy)
    monkeypatch.setattr(ops, "_GROUP_BYTES", group_bytes)
    monkeypatch.setattr(ops, "_BAND_BYTES", band_bytes)
    grouped = ops._conv2d_batched(x, w, win)
    assert seen == calls
    assert grouped.flags.c_contiguous
    np.testing.assert_allclose(grouped, whole, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grouped, _reference_batched(x, w, win), rtol=1e-10, atol=1e-10)


@settings(max_examples=150, deadline=None)
@given(conv_geometry(), st.integers(0, 6), st.sampled_from([1, 300, 3000]))
def test_bands_of_rows_equal_reference_for_any_geometry(case, extra_pad, budget):
    """Tiny budgets split every image into bands; wide padding makes bands of only zeros."""
    xshape, wshape, stride, pads, dilation, seed = case
    pads = ((pads[0][0] + extra_pad, pads[0][1]), pads[1])
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=xshape), rng.normal(size=wshape)
    win = _window(xshape, wshape, stride, pads, dilation)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ops, "_GROUP_BYTES", budget)
        patch.setattr(ops, "_BAND_BYTES", budget)
        out = ops._conv2d_batched(x, w, win)
    np.testing.assert_allclose(out, _reference_batched(x, w, win), rtol=1e-10, atol=1e-10)


def test_conv2d_on_a_large_single_image_matches_scipy():
    scipy_signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(2)
    image = rng.normal(size=(130, 257)).astype(np.float32)
    kernel = rng.normal(size=(3, 5)).astype(np.float32)
    for padding, mode in (("valid", "valid"), ((1, 2), "same")):
        np.testing.assert_allclose(
            ops.conv2d(image, kernel, padding=padding),
            scipy_signal.correlate2d(image, kernel, mode=mode),
            rtol=1e-4,
            atol=1e-4,
        )


# ----------------------------------------------------------------------------
# pooling
# ----------------------------------------------------------------------------
@st.composite
def pool_geometry(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 10))
    w = draw(st.integers(max(1, kw - 2 * pw), 10))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w)
    return shape, (kh, kw), (sh, sw), (ph, pw), draw(st.integers(0, 2**16))


@settings(max_examples=150, deadline=None)
@given(pool_geometry(), st.sampled_from([np.float32, np.float64]), st.booleans())
def test_pooling_equals_reference_with_ties(case, dtype, few_values):
    """Rectangular windows and strides; with few distinct values, many ties."""
    shape, k, s, p, seed = case
    rng = np.random.default_rng(seed)
    x = (rng.integers(-2, 3, size=shape) if few_values else rng.normal(size=shape)).astype(dtype)
    out, idx = ops.max_pool2d(x, k, s, p, return_indices=True)
    ref_out, ref_idx = reference.max_pool2d(x, k, s, p, return_indices=True)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(idx, ref_idx)  # ties go to the first cell in reading order
    np.testing.assert_array_equal(ops.max_pool2d(x, k, s, p), ref_out)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    avg = ops.avg_pool2d(x, k, s, p)
    np.testing.assert_allclose(avg, reference.avg_pool2d(x, k, s, p), rtol=tol, atol=tol)
    for result in (out, avg):
        assert result.dtype == dtype and result.flags.c_contiguous
    assert idx.dtype == np.int64 and idx.flags.c_contiguous


def test_padding_never_wins_even_against_very_negative_values():
    x = np.full((1, 1, 3, 3), -1e30)
    x[0, 0, 2, 2] = -1e31
    out, idx = ops.max_pool2d(x, 3, stride=1, padding=1, return_indices=True)
    np.testing.assert_array_equal(out, reference.max_pool2d(x, 3, 1, 1))
    assert idx.min() >= 0 and idx.max() < 9


@pytest.mark.parametrize("pool", [ops.max_pool2d, ops.avg_pool2d], ids=lambda f: f.__name__)
def test_one_by_one_pooling_returns_a_copy(pool):
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out = pool(x, 1)
    np.testing.assert_array_equal(out, x)
    out[...] = -1
    assert x.min() == 0  # the input is unchanged


def test_pooling_accepts_non_contiguous_input():
    x = np.random.default_rng(3).normal(size=(7, 6, 2, 3)).transpose(2, 3, 0, 1)
    for k, s, p in ((2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0))):
        np.testing.assert_array_equal(ops.max_pool2d(x, k, s, p), reference.max_pool2d(x, k, s, p))
        np.testing.assert_allclose(
            ops.avg_pool2d(x, k, s, p), reference.avg_pool2d(x, k, s, p), rtol=1e-12
        )


# ----------------------------------------------------------------------------
# scratch memory
# ----------------------------------------------------------------------------
def test_results_do_not_share_the_reused_scratch_memory():
    """A second call (same shapes, so the same scratch buffers) leaves the first result alone."""
    rng = np.random.default_rng(5)
    w = rng.normal(size=(4, 2, 3, 3)).astype(np.float32)
    for stride in (1, 2):
        x1, x2 = rng.normal(size=(2, 3, 2, 9, 9)).astype(np.float32)
        first = ops.conv2d(x1, w, stride=stride, padding=1)
        kept = first.copy()
        ops.conv2d(x2, w, stride=stride, padding=1)
        np.testing.assert_array_equal(first, kept)


def test_threads_get_their_own_scratch_memory():
    from concurrent.futures import ThreadPoolExecutor

    mine = ops._workspace("windows", (64,), np.float32)
    with ThreadPoolExecutor(1) as pool:
        theirs = pool.submit(ops._workspace, "windows", (64,), np.float32).result()
    assert not np.shares_memory(mine, theirs)
    # and convolutions running side by side in threads all get their own answer
    rng = np.random.default_rng(6)
    w = rng.normal(size=(8, 4, 3, 3))
    xs = [rng.normal(size=(8, 4, 32, 32)) for _ in range(8)]
    expected = [ops.conv2d(x, w, padding=1) for x in xs]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda x: ops.conv2d(x, w, padding=1), xs * 2))
    for g, e in zip(got, expected * 2):
        np.testing.assert_array_equal(g, e)


def test_big_scratch_arrays_are_not_kept(monkeypatch):
    monkeypatch.setattr(ops, "_KEEP_BYTES", 100)
    monkeypatch.setattr(ops, "_scratch", __import__("threading").local())
    small = ops._workspace("t", (10,), np.float32)  # 40 bytes: kept
    assert np.shares_memory(small, ops._workspace("t", (5,), np.float32))
    big = ops._workspace("u", (100,), np.float32)  # 400 bytes: not kept
    assert not np.shares_memory(big, ops._workspace("u", (100,), np.float32))
    assert ops._workspace("t", (3, 2), np.float64).dtype == np.float64  # one buffer per dtype
