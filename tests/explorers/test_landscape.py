"""LossLandscape driven headlessly: the path is cnnlib.descent's, drawn as it is,
the verdict is in the status line, diverging settings never overflow."""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
import PIL.Image
import pytest

from cnnlib.descent import LANDSCAPES, gradient_descent, judge_descent
from cnnlib.explorers.landscape import GAP_CEILING, GAP_FLOOR, LossLandscape


@pytest.fixture(scope="module")
def explorer():
    return LossLandscape()


def status(ex):
    """The status line as plain text."""
    return re.sub(r"<[^>]+>", "", ex._status.value)


def check_consistent(ex):
    c = ex.controls
    landscape = LANDSCAPES[c["landscape"].value]
    path = gradient_descent(
        landscape.gradient,
        landscape.start,
        c["learning_rate"].value,
        c["momentum"].value,
        c["steps"].value,
        landscape.escape,
    )
    assert ex.message == ""
    np.testing.assert_array_equal(ex.output, path)
    assert ex.verdict == judge_descent(landscape, path)
    assert status(ex) == ex.verdict.text
    # the drawn path is the output
    if landscape.dim == 1:
        assert ex._ax1.get_visible() and not ex._ax2.get_visible()
        x, y = ex._path1.get_data()
        np.testing.assert_array_equal(x, path[:, 0])
        np.testing.assert_allclose(y, landscape.loss(path))
    else:
        assert ex._ax2.get_visible() and not ex._ax1.get_visible()
        x, y = ex._path2.get_data()
        np.testing.assert_array_equal(np.column_stack([x, y]), path)
        for name, (contour, _) in ex._contours.items():
            assert contour.get_visible() == (name == c["landscape"].value)
    steps, gap = ex._gap.get_data()
    np.testing.assert_array_equal(steps, np.arange(len(path)))
    expected_gap = np.clip(
        landscape.loss(path) - landscape.lowest_loss, GAP_FLOOR, GAP_CEILING * 10
    )
    np.testing.assert_allclose(gap, expected_gap)


def test_default_converges_on_the_parabola_as_computed_by_hand(explorer):
    assert explorer.controls["landscape"].value == "1-D: parabola"
    # w = 4, gradient 8, learning rate 0.1: the first step lands on 4 - 0.8 = 3.2
    np.testing.assert_allclose(explorer.output[:3, 0], [4.0, 3.2, 2.56])
    assert "converged to within 0.01 of the lowest loss in 17 steps" in status(explorer)
    check_consistent(explorer)


def test_every_landscape_and_slider_range_without_overflow(explorer):
    c = explorer.controls
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow would be a RuntimeWarning
        for name in c["landscape"].options:
            c["landscape"].value = name
            for lr in np.logspace(-3, 0.5, 6):
                c["learning_rate"].value = lr
                for momentum in (0.0, 0.5, 0.99):
                    c["momentum"].value = momentum
                    check_consistent(explorer)
            for steps in (0, 1, 100):
                c["steps"].value = steps
                check_consistent(explorer)
            c["steps"].value, c["momentum"].value = 30, 0.0


@pytest.mark.parametrize(
    "landscape, lr, momentum, expected",
    [
        ("1-D: parabola", 10**0.5, 0.0, "diverged after 2 steps"),
        ("1-D: parabola", 0.001, 0.0, "still crawling after 30 steps"),
        ("1-D: parabola", 1.0, 0.0, "still swinging back and forth"),
        ("1-D: two valleys", 0.1, 0.0, "stuck in a higher valley at w = 1.27"),
        ("1-D: two valleys", 0.3, 0.0, "converged"),
        ("2-D: narrow valley", 0.5, 0.0, "still crawling"),
        ("2-D: narrow valley", 0.5, 0.5, "converged to within 0.01 of the lowest loss in 21 steps"),
        ("2-D: round bowl", 10**0.5, 0.0, "diverged after 4 steps"),
    ],
)
def test_the_status_line_says_what_happened(explorer, landscape, lr, momentum, expected):
    c = explorer.controls
    c["steps"].value = 30
    c["landscape"].value, c["learning_rate"].value, c["momentum"].value = landscape, lr, momentum
    assert expected in status(explorer)
    check_consistent(explorer)


def test_a_diverged_path_stops_early(explorer):
    c = explorer.controls
    c["landscape"].value, c["learning_rate"].value, c["momentum"].value = (
        "1-D: two valleys",
        3.0,
        0.9,
    )
    c["steps"].value = 100
    assert len(explorer.output) < 10
    assert explorer.verdict.outcome == "diverged"


def test_fast_picture_equals_a_full_redraw(explorer):
    c = explorer.controls
    for landscape, lr, momentum, steps in [
        ("2-D: narrow valley", 0.9, 0.5, 40),
        ("1-D: two valleys", 2.0, 0.5, 40),
        ("1-D: two valleys", 0.3, 0.5, 30),  # a path high up, near the title
        ("2-D: narrow valley", 1.5, 0.9, 30),  # a path that leaves the map
    ]:
        c["landscape"].value, c["learning_rate"].value = landscape, lr
        c["momentum"].value, c["steps"].value = momentum, steps
        fast = np.asarray(PIL.Image.open(io.BytesIO(explorer.png)))[..., :3]
        explorer.figure.canvas.draw()
        full = np.asarray(explorer.figure.canvas.buffer_rgba())[..., :3]
        np.testing.assert_array_equal(fast, full)


@pytest.mark.parametrize("landscape", list(LANDSCAPES))
def test_the_legend_covers_neither_the_curve_nor_the_map(landscape):
    ex = LossLandscape(landscape=landscape)
    ex.figure.canvas.draw()
    (legend,) = ex.figure.legends
    box = legend.get_window_extent()
    for ax in (ex._ax1, ex._ax2, ex._axg, ex._colorbar_ax):
        if ax.get_visible():
            assert not box.overlaps(ax.get_window_extent()), landscape
    assert [t.get_text() for t in legend.get_texts()] == [
        "start",
        "the weights after each step",
        "lowest point",
    ]


def test_the_map_has_a_colour_bar_of_its_loss():
    ex = LossLandscape(landscape="2-D: narrow valley")
    assert ex._colorbar_ax.get_visible()
    loss = ex._contours["2-D: narrow valley"][1]  # the map as drawn
    colorbar = ex._surface.colorbar
    assert colorbar.ax is ex._colorbar_ax
    assert (colorbar.norm.vmin, colorbar.norm.vmax) == (loss.min(), loss.max())
    ex.figure.canvas.draw()
    low, high = colorbar.ax.get_ylim()
    shown = [t for t in colorbar.get_ticks() if low <= t <= high]
    assert (low, high) == (loss.min(), loss.max()) and len(shown) >= 4
    # beside the map, as high as it is (the map keeps equal scales on both axes)
    bar, picture = ex._colorbar_ax.get_window_extent(), ex._ax2.get_window_extent()
    assert bar.x0 > picture.x1 and abs(bar.height - picture.height) < 1
    ex.controls["landscape"].value = "2-D: round bowl"
    loss = ex._contours["2-D: round bowl"][1]
    assert (colorbar.norm.vmin, colorbar.norm.vmax) == (loss.min(), loss.max())
    ex.controls["landscape"].value = "1-D: parabola"
    assert not ex._colorbar_ax.get_visible()


def test_widget_has_a_play_button_tied_to_steps():
    import ipywidgets as widgets

    ex = LossLandscape(landscape="2-D: round bowl", learning_rate=0.3, momentum=0.2, steps=12)
    box = ex.widget
    assert isinstance(ex._play, widgets.Play) and ex._play.max == ex.controls["steps"].max
    assert box is ex.widget
    assert len(ex.output) == 13


def test_unknown_landscape_is_explained():
    with pytest.raises(ValueError, match="landscape"):
        LossLandscape(landscape="3-D: egg box")


def test_the_description_follows_the_path_with_hand_computed_numbers():
    ex = LossLandscape()
    # w = 4 · 0.8^k: after 30 steps 0.00495 (shown as 0.005); loss above the lowest
    # 16 · 0.64^k <= 0.01 from k = 17 on (16 · 0.64^16 = 0.0127, 16 · 0.64^17 = 0.0081)
    text = ex.description
    assert "Gradient descent on loss = w², learning rate 0.1, momentum 0." in text
    assert (
        "of 31x1 weights (the start and 30 steps): from w = 4 (loss 16) to 0.005 (loss about 0)"
        in text
    )
    assert "the lowest point is at w = 0 (loss 0)" in text
    assert "16 at the start, less than 0.0001 (on the floor of the scale) after step 30" in text
    assert "within 'close enough' (0.01) from step 17: converged." in text
    ex.controls["steps"].value = 2  # 4 -> 3.2 -> 2.56, loss 6.5536
    assert "to 2.56 (loss 6.55);" in ex.description
    assert "6.6 after step 2, above the 'close enough' (0.01) line: crawling." in ex.description
    ex.controls["learning_rate"].value = 10**0.5  # w -> w (1 - 2 · 3.16) = -5.32 w
    assert "more than 10000 (off the top of the scale)" in ex.description
    assert ex.description.endswith("diverged.")
    ex.controls["landscape"].value = "2-D: round bowl"
    text = ex.description
    assert "the loss seen from above (dark = low, from 0 to" in text
    assert "from (w₁, w₂) = (−4, 2) (loss 10)" in text  # (16 + 4) / 2
    assert "the lowest point is at (0, 0) (loss 0)" in text


def test_the_description_names_both_valleys():
    ex = LossLandscape(landscape="1-D: two valleys", steps=100)
    text = ex.description
    # minima of w⁴/4 - w² + w/2: roots of w³ - 2w + 1/2
    assert "the lowest point is at w = −1.53 (loss −1.74)" in text
    assert "another valley's bottom at w = 1.27 (loss −0.328)" in text
    assert text.endswith(f"{ex.verdict.outcome}.")
