"""PoolingExplorer: every control, the displayed data, impossible combinations, the shift demo."""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
import pytest

from cnnlib import avg_pool2d, conv2d, kernels, load_mnist, max_pool2d, shift
from cnnlib.explorers.pooling import EXAMPLE_MAP, PoolingExplorer

SIZES = {"example": (6, 6), "digit": (28, 28), "photo": (100, 85)}


@pytest.fixture(scope="module")
def explorer():
    return PoolingExplorer()


def settings(ex):
    return {name: control.value for name, control in ex.controls.items()}


def set_all(ex, **values):
    for name, value in values.items():
        ex.controls[name].value = value


def reference(ex):
    """What the explorer should show, computed from its displayed input with cnnlib."""
    s = settings(ex)
    pool = max_pool2d if s["mode"] == "max" else avg_pool2d
    return pool(ex.input_map, s["window"], s["stride"], s["padding"])


def check_consistent(ex):
    """The displayed data is the core functions' output, or the reason it cannot be."""
    s = settings(ex)
    np.testing.assert_array_equal(ex._im_in.get_array(), ex.input_map)
    try:
        expected = reference(ex)
    except ValueError as err:
        assert ex.output is None
        assert ex.message == str(err)
        assert not ex._im_out.get_visible()
        return
    assert ex.message == ""
    np.testing.assert_allclose(ex.output, expected)
    np.testing.assert_allclose(ex._im_out.get_array(), expected)
    if s["mode"] == "max":
        # every winner is a real cell holding its window's maximum
        np.testing.assert_array_equal(ex.input_map.flat[ex.winners], ex.output)
    else:
        assert ex.winners is None


def test_defaults_show_the_small_example_max_pooled(explorer):
    set_all(explorer, source="example", mode="max", window=2, stride=2, padding=0, shift=0)
    np.testing.assert_array_equal(explorer.input_map, EXAMPLE_MAP)
    # worked by hand: the largest value of each 2x2 block of EXAMPLE_MAP
    np.testing.assert_array_equal(explorer.output, [[9, 2, 1], [2, 8, 3], [2, 2, 9]])
    assert explorer._labels_out.texts.tolist() == [
        ["9", "2", "1"],
        ["2", "8", "3"],
        ["2", "2", "9"],
    ]
    assert explorer._labels_in.texts.shape == (6, 6)
    assert "⌊(6 + 2·0 − 2) / 2⌋ + 1 = 3" in explorer._status.value
    assert "36 values → 9 (4× fewer)" in explorer._status.value
    assert "no learnable parameters" in explorer._status.value


def test_winners_are_outlined_only_where_something_wins(explorer):
    set_all(explorer, source="example", mode="max", window=2, stride=2, padding=0, shift=0)
    centres = {tuple(seg[0] + [0.42, 0.42]) for seg in explorer._winner_lines.get_segments()}
    rows, cols = np.divmod(explorer.winners.ravel(), 6)
    assert centres == {(float(c), float(r)) for r, c in zip(rows, cols)}
    assert not explorer._winner_layer.get_visible()
    set_all(explorer, mode="average")
    assert len(explorer._winner_lines.get_segments()) == 0
    set_all(explorer, mode="max")


@pytest.mark.parametrize("source", ["digit", "photo"])
def test_big_maps_colour_the_winners_and_dim_the_rest(explorer, source):
    """No outlines on a big map: the winners are painted orange, the other cells dimmed."""
    set_all(explorer, source=source, mode="max", window=2, stride=2, padding=0, shift=1)
    assert len(explorer._winner_lines.get_segments()) == 0
    layer = explorer._winner_layer.get_array()
    assert explorer._winner_layer.get_visible()
    assert layer.shape == (*explorer.input_map.shape, 4)
    # windows of the empty background have no winner: painted = the winners of the rest
    painted = layer[..., 3] == 1.0
    winners = np.unique(explorer.winners[explorer.output > 0])
    np.testing.assert_array_equal(np.flatnonzero(painted), winners)
    assert 0 < painted.sum() < painted.size / 4  # at most one cell per 2x2 window
    # orange (red > green > blue), brighter for larger values; the rest covered half-dark
    r, g, b = layer[painted][:, :3].T
    assert np.all((r > g) & (g > b))
    values = explorer.input_map.flat[winners]
    assert np.corrcoef(values, r)[0, 1] > 0.99
    assert np.all(layer[~painted] == [0, 0, 0, 0.55])
    assert "orange" in explorer._ax_in.get_xlabel()
    set_all(explorer, mode="average")  # every cell counts: nothing marked
    assert not explorer._winner_layer.get_visible()
    assert len(explorer._winner_lines.get_segments()) == 0
    assert explorer._ax_in.get_xlabel() == "average: every cell counts"
    set_all(explorer, source="example", mode="max", shift=0)


def test_the_titles_name_the_kernel_and_the_shift(explorer):
    set_all(explorer, source="digit", mode="max", window=2, stride=2, padding=0, shift=2)
    title = explorer._ax_in.get_title()
    assert title == "vertical edges of a digit\n|Sobel x|, 28x28, shifted 2 px"
    set_all(explorer, source="photo", shift=0)
    title = explorer._ax_in.get_title()
    assert title == "vertical edges of the photo\n|Sobel x|, 100x85, no shift"
    set_all(explorer, source="example")
    assert explorer._ax_in.get_title() == "a made-up feature map\n6x6, no shift"
    assert explorer._ax_out.get_title() == "max pooled\n3x3"


def test_the_change_panels_are_large_and_the_layout_stays_put():
    """The shift's change maps are at least 180 px square (they were 157 px), the maps
    285 px, and nothing moves when titles or the source change."""
    ex = PoolingExplorer(source="digit", shift=1)
    width, height = ex.figure.canvas.get_width_height()

    def box(ax):
        return np.round(ax.get_position().bounds * np.array([width, height, width, height]))

    before = [box(ax) for ax in ex.figure.axes]
    assert [b[2] for b in before] == [285, 285, 187, 187]
    set_all(ex, source="photo", shift=0)
    set_all(ex, source="example", window=7)
    assert all(np.array_equal(a, b) for a, b in zip(before, [box(ax) for ax in ex.figure.axes]))
    # every title and key stays inside the picture
    renderer = ex.figure.canvas.get_renderer()
    for source in SIZES:
        set_all(ex, source=source, window=2, shift=1)
        for ax in ex.figure.axes:
            for text in (ax.title, ax.xaxis.label):
                extent = text.get_window_extent(renderer)
                assert extent.x0 >= 0 and extent.x1 <= width, text.get_text()
                assert extent.y0 >= 0 and extent.y1 <= height, text.get_text()


def test_average_labels_show_two_decimals(explorer):
    set_all(explorer, source="example", mode="average", window=3, stride=1, padding=0, shift=0)
    assert explorer._labels_out.texts[0, 0] == "2.67"  # (0+1+0+3+9+1+0+2+8) / 9
    assert explorer._labels_out.texts[3, 0] == "0.78"
    set_all(explorer, mode="max", window=2, stride=2)


@pytest.mark.parametrize("name", ["source", "mode", "window", "stride", "padding", "shift"])
def test_every_value_of_every_control(explorer, name):
    control = explorer.controls[name]
    start = control.value
    if hasattr(control, "options"):
        values = [opt[1] if isinstance(opt, tuple) else opt for opt in control.options]
    else:
        values = range(control.min, control.max + 1)
    for value in values:
        control.value = value
        check_consistent(explorer)
    control.value = start
    check_consistent(explorer)


def test_random_combinations_are_consistent():
    ex = PoolingExplorer(source="digit")
    rng = np.random.default_rng(3)
    seen_impossible = 0
    for _ in range(15):
        set_all(
            ex,
            source=str(rng.choice(list(SIZES))),
            mode=str(rng.choice(["max", "average"])),
            window=int(rng.integers(1, 8)),
            stride=int(rng.integers(1, 5)),
            padding=int(rng.integers(0, 4)),
            shift=int(rng.integers(0, 4)),
        )
        check_consistent(ex)
        seen_impossible += ex.output is None
    assert seen_impossible > 0


def test_window_larger_than_the_map_shows_a_message(explorer):
    set_all(explorer, source="example", mode="max", window=7, stride=2, padding=0, shift=0)
    assert explorer.output is None
    assert explorer.message == (
        "pooling window 7x7 does not fit a 6x6 input with padding 0; "
        "use padding>=1 or a smaller pooling window"
    )
    assert "Not possible" in explorer._status.value
    assert explorer._not_possible.get_text().startswith("not possible")
    explorer.controls["padding"].value = 1  # the suggested fix works
    assert explorer.output is not None and explorer.output.shape == (1, 1)
    assert explorer._not_possible.get_text() == ""
    set_all(explorer, window=2, padding=0)


def test_too_much_padding_shows_a_message(explorer):
    set_all(explorer, source="example", mode="max", window=2, stride=2, padding=2, shift=0)
    assert explorer.output is None
    assert "padding 2 is more than half the pooling window 2" in explorer.message
    explorer.controls["padding"].value = 1
    assert explorer.output.shape == (4, 4)
    explorer.controls["padding"].value = 0


def test_shift_moves_the_input_and_measures_the_change(explorer):
    set_all(explorer, source="example", mode="max", window=2, stride=2, padding=0, shift=0)
    assert explorer.change == {"feature map": 0.0, "pooled map": 0.0}
    pooled_before = explorer.output.copy()
    explorer.controls["shift"].value = 1
    np.testing.assert_array_equal(explorer.input_map, shift(EXAMPLE_MAP, right=1))
    diff = explorer.input_map - EXAMPLE_MAP
    assert explorer.change["feature map"] == pytest.approx(
        np.sqrt((diff**2).sum() / (EXAMPLE_MAP**2).sum())
    )
    pooled_diff = explorer.output - pooled_before
    assert explorer.change["pooled map"] == pytest.approx(
        np.sqrt((pooled_diff**2).sum() / (pooled_before**2).sum())
    )
    np.testing.assert_allclose(explorer._im_din.get_array(), diff)
    np.testing.assert_allclose(explorer._im_dout.get_array(), pooled_diff)
    title = explorer._ax_dout.get_title()
    assert title == f"the shift changed the\npooled map {100 * explorer.change['pooled map']:.0f}%"
    assert "input shifted 1 px" in explorer._status.value
    explorer.controls["shift"].value = 0


def test_pooling_tolerates_a_one_pixel_shift_of_a_digit():
    ex = PoolingExplorer(source="digit", shift=1)
    assert ex.change["pooled map"] < 0.75 * ex.change["feature map"]


def test_digit_source_is_the_edge_strength_of_a_real_digit():
    ex = PoolingExplorer(source="digit", digit=5, shift=2)
    digit = load_mnist("train")[0][5] / 255.0
    expected = np.abs(conv2d(shift(digit, right=2), kernels.sobel_x(), padding=1))
    np.testing.assert_allclose(ex.input_map, expected)
    assert ex._labels_in.texts.size == 0  # too many cells for value labels


@pytest.mark.parametrize("source", list(SIZES))
def test_png_keeps_its_size(source):
    ex = PoolingExplorer(source=source)
    size = PIL.Image.open(io.BytesIO(ex.png)).size
    assert size == (828, 495)
    assert ex.input_map.shape == SIZES[source]
    ex.controls["window"].value = 7
    assert PIL.Image.open(io.BytesIO(ex.png)).size == size


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"source": "cat"}, "source='cat'"), ({"mode": "min"}, "mode='min'")]
)
def test_unknown_choices_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PoolingExplorer(**kwargs)


def test_picture_and_status_fit_a_laptop_screen_without_jumping():
    explorer = PoolingExplorer()
    width, height = PIL.Image.open(io.BytesIO(explorer.png)).size
    assert width <= 830 and height <= 500  # with its controls, under ~700 px
    # the status keeps room for its two lines when it shows a one-line message instead
    assert explorer._status.value.count("<br>") == 1
    assert explorer._status.layout.min_height == "56px"
    explorer.controls["window"].value = 7
    assert explorer.output is None and "<br>" not in explorer._status.value
