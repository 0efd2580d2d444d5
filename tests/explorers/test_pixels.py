"""The notebook-01 explorers, driven headlessly through every control: the data
they show must be exactly the core functions' results."""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
import pytest

from cnnlib import downsample, load_mnist, pixel_distance, shift, to_grayscale
from cnnlib.datasets import load_photo
from cnnlib.explorers._base import Explorer
from cnnlib.explorers.image_edits import ImageEditExplorer, ResolutionExplorer, edit_pixels
from cnnlib.explorers.pixels import ChannelExplorer, PixelExplorer
from cnnlib.explorers.shift import ShiftExplorer

DIGITS, LABELS = load_mnist("train")
PHOTO = load_photo()
GRAY = to_grayscale(PHOTO)


def _values(control):
    """Every value a control can take (sliders: all steps)."""
    if hasattr(control, "options"):
        return [value for _, value in zip(control._options_labels, control._options_values)]
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    return list(range(control.min, control.max + 1, control.step))


def _no_render(explorer):
    """Skip drawing the PNG: sweeps check the data given to the artists, and
    drawing hundreds of frames would only make the tests slow."""
    explorer.render = lambda: None
    return explorer


def _png_array(explorer):
    return np.asarray(PIL.Image.open(io.BytesIO(explorer.png)).convert("RGB")).astype(int)


# ----------------------------------------------------------------------------
# PixelExplorer
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pixels():
    return PixelExplorer()


def _expected_window(e):
    c = e.controls
    image = DIGITS[c["index"].value] if c["source"].value == "MNIST digit" else GRAY
    r, q, s = c["row"].value, c["col"].value, c["size"].value
    return image[r : r + s, q : q + s]


def test_pixel_default_window_is_the_slice(pixels):
    e = pixels
    np.testing.assert_array_equal(e.output, DIGITS[0][4:14, 15:25])
    np.testing.assert_array_equal(e._im_win.get_array(), e.output)
    # every value printed on its pixel
    np.testing.assert_array_equal(e._values.texts, e.output.astype(str))
    # the orange frame on the whole image surrounds the window
    assert e._frame.get_bbox().bounds == (14.5, 3.5, 10, 10)
    assert e.message == ""


def test_pixel_every_control_shows_the_right_window():
    e = _no_render(PixelExplorer())
    for name in ["index", "size", "row", "col", "cmap", "source"]:
        for value in _values(e.controls[name])[::3]:
            e.controls[name].value = value
            assert e.message == ""
            np.testing.assert_array_equal(e.output, _expected_window(e))
            np.testing.assert_array_equal(e._im_win.get_array(), e.output)
            size = e.controls["size"].value
            if size <= e.MAX_LABELED:
                np.testing.assert_array_equal(e._values.texts, e.output.astype(str))
            else:
                assert e._values.texts.size == 0


def test_pixel_window_stays_inside_when_image_or_size_changes():
    e = _no_render(PixelExplorer(size=6))
    c = e.controls
    c["source"].value = "photo (grayscale)"
    assert c["size"].max == 32
    assert c["row"].max == 600 - 6 and c["col"].max == 512 - 6
    c["row"].value, c["col"].value = 594, 506  # bottom-right corner of the photo
    np.testing.assert_array_equal(e.output, GRAY[594:600, 506:512])
    c["size"].value = 32  # grows past the edge: the window is moved back inside
    assert (c["row"].value, c["col"].value) == (568, 480)
    np.testing.assert_array_equal(e.output, GRAY[568:600, 480:512])
    c["source"].value = "MNIST digit"  # back to a 28 x 28 digit
    assert c["size"].max == 28 and c["size"].value == 28
    assert c["row"].value == c["col"].value == 0
    np.testing.assert_array_equal(e.output, DIGITS[0])


def test_the_digit_number_is_usable_only_for_digits(usable_only_when):
    usable_only_when(
        PixelExplorer(),
        "index",
        when={"source": "MNIST digit"},
        otherwise={"source": "photo (grayscale)"},
        moved_to=3,  # another digit
    )


def test_pixel_colour_convention_toggle():
    e = PixelExplorer()
    assert e._im_all.get_cmap().name == "gray"
    assert "chalk" in e._status.value
    # white text on black (0) cells, black text on white (255) cells
    window = e.output
    colours = e._values.collection.get_facecolors()
    assert len(colours) == len(np.unique(np.where(window < 128, 0, 1)))
    e.controls["cmap"].value = "gray_r"
    assert e._im_all.get_cmap().name == "gray_r" == e._im_win.get_cmap().name
    assert "ink on paper" in e._status.value
    np.testing.assert_array_equal(e.output, DIGITS[0][4:14, 15:25])  # same numbers


def test_pixel_custom_images_and_labels_hidden_for_big_windows():
    digits = np.arange(2 * 12 * 12, dtype=np.uint8).reshape(2, 12, 12)
    e = PixelExplorer(index=1, row=0, col=0, size=12, digits=digits, labels=[3, 7])
    np.testing.assert_array_equal(e.output, digits[1])
    assert e._values.texts.size == 0  # 12 x 12 is too many labels
    assert "up to 10 x 10." in e._status.value
    assert "(a 7)" in e._ax_all.get_title()


# ----------------------------------------------------------------------------
# ChannelExplorer
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def channels():
    return ChannelExplorer()


@pytest.mark.parametrize(
    "on", [(r, g, b) for r in (True, False) for g in (True, False) for b in (True, False)]
)
def test_channel_switches(channels, on):
    e = channels
    for name, value in zip(e.NAMES, on):
        e.controls[name].value = value
    keep = np.array(on, dtype=np.uint8)
    np.testing.assert_array_equal(e.output, PHOTO * keep)
    np.testing.assert_array_equal(e._im_rgb.get_array(), e._small * keep)
    for k, im in enumerate(e._im_channels):
        shown = np.asarray(im.get_array())
        np.testing.assert_array_equal(shown, e._small[..., k] if on[k] else 0)
    assert e.message == ""


def test_channel_status_shows_shapes_and_pixel_values(channels):
    e = channels
    e.controls["row"].value, e.controls["col"].value = 336, 69
    r, g, b = PHOTO[336, 69]
    status = e._status.value
    assert "(600, 512, 3)" in status and "(3, 600, 512)" in status
    assert "921,600" in status
    assert f"R={r}, G={g}, B={b}" in status
    for name in e.NAMES:
        e.controls[name].value = True
    assert e._ax_rgb.get_title() == f"(R, G, B) = ({r}, {g}, {b})"


def test_channel_every_slider_value(channels):
    e = channels
    for name in ("row", "col"):
        for value in _values(e.controls[name])[::97]:
            e.controls[name].value = value
            row, col = e.controls["row"].value, e.controls["col"].value
            marker = e._markers[0].get_data()
            assert (marker[0][0], marker[1][0]) == (col, row)


def test_channel_every_slider_step_moves_the_marker_on_screen(channels):
    e = channels
    for name in ("row", "col"):
        control = e.controls[name]
        assert control.step == e._factor  # one pixel of the shrunk copy on screen
        start = control.value
        control.value = control.max // 2 // control.step * control.step
        for _ in range(12):
            before = e.png
            control.value = control.value + control.step
            assert e.png != before, f"{name}={control.value} left the picture unchanged"
        control.value = start


def test_channel_rejects_channels_first():
    with pytest.raises(ValueError, match="to_channels_last"):
        ChannelExplorer(photo=np.zeros((3, 20, 20), dtype=np.uint8))


# ----------------------------------------------------------------------------
# ResolutionExplorer
# ----------------------------------------------------------------------------
def test_resolution_every_combination():
    e = _no_render(ResolutionExplorer())
    sources = {"photo (colour)": PHOTO, "photo (grayscale)": GRAY, "MNIST digit": DIGITS[0]}
    for source, image in sources.items():
        e.controls["source"].value = source
        for method in ("mean", "subsample"):
            e.controls["method"].value = method
            for factor in (1, 2, 3, 7, 16):
                e.controls["factor"].value = factor
                expected = downsample(image, factor, method)
                np.testing.assert_array_equal(e.output, expected)
                rows, cols = expected.shape[:2]
                # drawn over the part of the original it covers
                assert e._im_after.get_extent() == [
                    -0.5,
                    cols * factor - 0.5,
                    rows * factor - 0.5,
                    -0.5,
                ]
                assert f"{expected.size:,} numbers" in e._ax_after.get_title()
                if factor >= 2 or source == "MNIST digit":
                    np.testing.assert_array_equal(e._im_after.get_array(), expected)
    e.controls["factor"].value = 16
    assert e.output.shape == (1, 1)  # a 28 x 28 digit in 16 x 16 blocks
    assert "12 row(s) and 12 column(s)" in e._status.value


def test_resolution_impossible_factor_is_a_message():
    tiny = np.zeros((2, 10, 10), dtype=np.uint8)
    e = ResolutionExplorer(source="MNIST digit", factor=11 - 1, digits=tiny)
    assert e.output.shape == (1, 1)
    e.controls["factor"].value = 12
    assert e.output is None
    assert "factor <= 10" in e.message
    e.controls["factor"].value = 5
    assert e.output.shape == (2, 2) and e.message == ""


def test_resolution_digit_without_label_has_no_label_in_the_title():
    tiny = np.zeros((2, 10, 10), dtype=np.uint8)
    e = ResolutionExplorer(source="MNIST digit", factor=2, index=1, digits=tiny)
    assert e._ax_before.get_title() == "digit #1: 10 x 10 = 100 numbers"
    e = ResolutionExplorer(source="MNIST digit", factor=2, digits=tiny, labels=[7, 0])
    assert e._ax_before.get_title().startswith("digit #0 (a 7):")


# ----------------------------------------------------------------------------
# ImageEditExplorer
# ----------------------------------------------------------------------------
def test_edit_pixels_is_public_in_its_module():
    from cnnlib.explorers import image_edits

    assert "edit_pixels" in image_edits.__all__


def test_edit_pixels_hand_computed():
    x = np.array([[0, 100, 200, 250]], dtype=np.uint8)
    np.testing.assert_array_equal(edit_pixels(x, brightness=10), [[10, 110, 210, 255]])
    np.testing.assert_array_equal(edit_pixels(x, brightness=10, wrap=True), [[10, 110, 210, 4]])
    np.testing.assert_array_equal(edit_pixels(x, brightness=-10, wrap=True), [[246, 90, 190, 240]])
    np.testing.assert_array_equal(edit_pixels(x, contrast=2), [[0, 72, 255, 255]])
    np.testing.assert_array_equal(edit_pixels(x, invert=True), [[255, 155, 55, 5]])
    np.testing.assert_array_equal(edit_pixels(x, level=100), [[0, 255, 255, 255]])


def test_edit_explorer_every_control():
    e = _no_render(ImageEditExplorer())
    c = e.controls
    for name in ["contrast", "brightness", "negative", "threshold", "overflow", "source"]:
        control = c[name]
        values = _values(control) if name != "contrast" else [0.0, 0.5, 1.0, 2.0, 3.0]
        for value in values[::4] if name in ("brightness", "threshold") else values:
            control.value = value
            image = e._images[c["source"].value]
            expected = edit_pixels(image, **e._settings())
            np.testing.assert_array_equal(e.output, expected)
            np.testing.assert_array_equal(e._im_after.get_array(), expected)
            heights = e._hist_after.get_data().values
            assert heights.sum() == pytest.approx(1.0)
            assert e.message == ""


def test_edit_explorer_wrap_explains_overflow():
    e = ImageEditExplorer(source="MNIST digit", brightness=10, overflow="wrap")
    digit = DIGITS[0].astype(int)
    assert f"{np.count_nonzero(digit + 10 > 255):,} pixels wrapped" in e._status.value
    assert "mod 256" in e._status.value
    e.controls["overflow"].value = "clip"
    assert "clip(x + 10, 0, 255)" in e._status.value
    assert e.output.max() == 255


def test_edit_explorer_counts_what_wraps_after_rounding():
    # contrast 1.5: 213 -> 255.5, which rounds to 256 and wraps to 0; 0 -> -64 wraps;
    # 212 -> 254 and 100 -> 86 stay
    digit = np.array([[213, 0, 212, 100]], dtype=np.uint8)
    e = ImageEditExplorer(source="MNIST digit", contrast=1.5, overflow="wrap", digits=[digit])
    np.testing.assert_array_equal(e.output, [[0, 192, 254, 86]])
    assert "2 pixels wrapped around" in e._status.value


def test_edit_explorer_started_on_a_digit_keeps_its_titles_inside_the_figure():
    e = ImageEditExplorer(source="MNIST digit", brightness=20, overflow="wrap")
    renderer = e.figure.canvas.get_renderer()
    top = e.figure.bbox.height
    # a title laid out for one line is cut off by a whole line (~15 px); text extents
    # differ by a fraction of a pixel between matplotlib versions (the two-line title
    # ends at 324.1 px with matplotlib 3.11, at 324.6 px with 3.7-3.10)
    for ax in (e._ax_before, e._ax_after, e._ax_hist):
        assert ax.title.get_window_extent(renderer).y1 <= top + 1, ax.get_title()


def test_edit_explorer_title_says_wrapped_for_contrast_alone():
    e = ImageEditExplorer(source="MNIST digit", contrast=2.0, overflow="wrap")
    assert "wrapped" in e._ax_after.get_title()
    e.controls["contrast"].value = 1.0  # nothing changes, nothing can wrap
    assert "wrapped" not in e._ax_after.get_title()
    e.controls["brightness"].value = 20
    assert "wrapped" in e._ax_after.get_title()


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"overflow": "wrap", "brightness": 80},  # the peak moves under the legend's middle
        {"brightness": 150},  # a pile at 255
        {"contrast": 0.0},  # one bar holding every pixel
        {"threshold": 100},
        {"source": "MNIST digit"},
        {"source": "MNIST digit", "negative": True},
    ],
    ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "default",
)
def test_edit_explorer_legend_never_covers_a_bar(settings):
    """Issue 13: the legend sat on the histogram's peak (brightness +80, wrapped)."""
    e = ImageEditExplorer()
    for name, value in settings.items():
        e.controls[name].value = value
    ax = e._ax_hist
    renderer = e.figure.canvas.get_renderer()
    legend = e._legend.get_window_extent(renderer)
    edges = e._edges
    for stairs in (e._hist_before, e._hist_after):
        for left, right, height in zip(edges[:-1], edges[1:], stairs.get_data().values):
            (x0, _), (x1, top) = ax.transData.transform([(left, 0), (right, height)])
            if x1 > legend.x0 and x0 < legend.x1:  # the bar runs under the legend
                assert top < legend.y0, f"a bar of height {height:.3f} reaches the legend"


SWITCHES = {
    PixelExplorer: ["photo (grayscale)", "MNIST digit", "photo (grayscale)", "MNIST digit"],
    ResolutionExplorer: ["MNIST digit", "photo (colour)", "MNIST digit", "photo (colour)"],
    ImageEditExplorer: ["MNIST digit", "photo (grayscale)", "MNIST digit", "photo (grayscale)"],
}


@pytest.mark.parametrize("cls", list(SWITCHES), ids=lambda c: c.__name__)
def test_switching_back_to_an_image_draws_it_in_its_own_shape(cls):
    """Coming back to an image redraws it from its kept background: the axes must be
    sized for that image again, or the photo is stretched into the digit's square and
    the frame lands beside the picture."""
    e = cls()
    for source in SWITCHES[cls]:
        e.controls["source"].value = source
        fast = _png_array(e)
        Explorer.render(e)  # everything drawn from scratch
        assert np.array_equal(fast, _png_array(e)), f"after source={source!r}"


# ----------------------------------------------------------------------------
# ShiftExplorer
# ----------------------------------------------------------------------------
def test_shift_explorer_shows_shift_difference_and_distances():
    refs = (DIGITS[:300], LABELS[:300])
    e = _no_render(ShiftExplorer(references=refs))
    for down in (-6, -2, 0, 3, 6):
        for right in (-6, 0, 2, 5):
            e.controls["down"].value, e.controls["right"].value = down, right
            expected = shift(DIGITS[0], down, right)
            np.testing.assert_array_equal(e.output, expected)
            diff = expected.astype(float) - DIGITS[0]
            np.testing.assert_array_equal(e._im_diff.get_array(), diff)
            changed = np.count_nonzero(expected != DIGITS[0])
            assert e._ax_diff.get_title() == f"{changed} pixels differ"
            assert e._bars[0].get_width() == pytest.approx(pixel_distance(expected, DIGITS[0]))
    # the comparison bars: brute force over the reference digits, skipping the digit itself
    d = np.array([pixel_distance(DIGITS[0], r) for r in refs[0]])
    d[0] = np.inf
    assert e._bars[1].get_width() == pytest.approx(d[refs[1] == LABELS[0]].min())
    assert e._bars[2].get_width() == pytest.approx(d[refs[1] != LABELS[0]].min())


def test_shift_by_two_is_farther_than_another_handwritten_four():
    e = ShiftExplorer(index=0, down=0, right=2)
    assert LABELS[0] == 4
    assert e._bars[0].get_width() > e._bars[1].get_width()
    assert "farther than" in e._status.value
    e.controls["right"].value = 0
    assert e._bars[0].get_width() == 0
    assert "closer than" in e._status.value


def test_shift_explorer_without_labels_compares_with_any_other_digit():
    digits = DIGITS[:20]
    e = ShiftExplorer(digits=digits)  # raised "Axis limits cannot be NaN or Inf" before
    assert e.message == ""
    assert e._ax_orig.get_title() == "digit #0"
    d = np.array([pixel_distance(digits[0], r) for r in digits])
    d[0] = np.inf
    assert e._bars[1].get_width() == pytest.approx(d.min())  # the closest of any class
    assert e._bars[2].get_width() == 0
    assert "unknown" in e._bar_labels[2].get_text()
    names = [t.get_text() for t in e._ax_bars.get_yticklabels()]
    assert names[1] == "nearest\nother digit"
    assert np.isfinite(e._ax_bars.get_xlim()).all()
    assert "closest other digit" in e._status.value and "labels=" in e._status.value
    e.controls["index"].value = 5
    assert e.message == ""


def test_shift_explorer_says_when_the_references_lack_a_class():
    refs = (DIGITS[:3], LABELS[:3])
    assert list(LABELS[:3]) == [4, 3, 9]  # no other 3 among them
    e = ShiftExplorer(index=1, digits=DIGITS[:3], labels=LABELS[:3], references=refs)
    assert e.message == ""
    assert e._bars[1].get_width() == 0
    assert "none" in e._bar_labels[1].get_text()
    assert f"no other {LABELS[1]} is among the references" in e._status.value
    assert e._bars[2].get_width() > 0


# ----------------------------------------------------------------------------
# fast redraws: only the changing artists are drawn on a saved background
# ----------------------------------------------------------------------------
MOVES = {
    PixelExplorer: [("col", 3), ("size", 4), ("cmap", "gray_r"), ("row", 9), ("index", 5)],
    ChannelExplorer: [("row", 100), ("green", False), ("col", 400), ("green", True)],
    ResolutionExplorer: [("factor", 3), ("source", "MNIST digit"), ("factor", 5)],
    ImageEditExplorer: [("brightness", 60), ("threshold", 100), ("source", "MNIST digit")],
    ShiftExplorer: [("right", -3), ("index", 7), ("down", 2)],
}


@pytest.mark.parametrize("cls", list(MOVES), ids=lambda c: c.__name__)
def test_partial_redraw_is_pixel_identical_to_a_full_draw(cls):
    e = cls()
    for name, value in MOVES[cls]:
        e.controls[name].value = value
        fast = _png_array(e)
        Explorer.render(e)  # everything drawn from scratch
        assert np.array_equal(fast, _png_array(e)), f"after {name}={value!r}"
    assert len(e._backgrounds) <= e.max_backgrounds


def test_shift_partial_redraw_follows_digits_with_and_without_labels():
    labels = LABELS[:20].copy()
    labels[::2] = -1  # digits 0, 2, 4, ... have no label
    e = ShiftExplorer(digits=DIGITS[:20], labels=labels)
    for name, value in [("right", -3), ("index", 1), ("down", 2), ("index", 2), ("index", 1)]:
        e.controls[name].value = value
        fast = _png_array(e)
        Explorer.render(e)
        assert np.array_equal(fast, _png_array(e)), f"after {name}={value!r}"
        known = labels[e.controls["index"].value] >= 0
        second = e._ax_bars.get_yticklabels()[1].get_text()
        assert second == ("nearest\nsame digit" if known else "nearest\nother digit")


# ----------------------------------------------------------------------------
# descriptions (issue 15): what the picture shows now, in words and numbers
# ----------------------------------------------------------------------------
def test_pixel_description_states_the_window_and_its_numbers():
    e = _no_render(PixelExplorer(index=0, row=4, col=15, size=10))
    window = DIGITS[0][4:14, 15:25]
    top, left = np.unravel_index(np.argmax(window), window.shape)
    text = e.description
    assert f"digit #0 (a {LABELS[0]}), 28x28 pixels" in text
    assert "black = 0, white = 255" in text
    assert "rows 4-13, columns 15-24" in text
    assert "10x10 pixels with its values printed" in text
    assert f"values from {window.min()} to {window.max()}" in text
    assert f"{np.count_nonzero(window == 0)} of the 100 are 0" in text
    assert f"the highest, {window.max()}, at row {4 + top}, column {15 + left}" in text

    e.controls["cmap"].value = "gray_r"  # same numbers, other colours: the words say so
    assert "white = 0, black = 255" in e.description and e.description != text

    e.controls["size"].value = 3  # a small window: every value, row by row
    e.controls["row"].value, e.controls["col"].value = 6, 20
    rows = ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in DIGITS[0][6:9, 20:23])
    assert f"3x3 pixels with its values printed: by row {rows}." in e.description

    e.controls["size"].value = 20
    assert "too big for printed values (windows up to 10x10 have them)" in e.description

    e.controls["source"].value = "photo (grayscale)"
    h, w = GRAY.shape
    assert f"photo (grayscale), {h}x{w} pixels" in e.description


def test_channel_description_names_what_is_on_and_the_marked_pixel():
    e = _no_render(ChannelExplorer(row=300, col=150))
    r, g, b = (int(v) for v in PHOTO[300, 150])
    means = PHOTO.reshape(-1, 3).mean(axis=0)
    text = e.description
    assert "Grace Hopper (navy uniform and cap, a flag behind her), 600x512 pixels in colour, " in (
        text
    )
    assert "with all three channels on" in text
    assert f"red, average {means[0]:.0f}; green, average {means[1]:.0f}" in text
    assert f"row 300, column 150 (middle left): R={r}, G={g}, B={b}." in text
    assert "shown as" not in text

    e.controls["green"].value = False
    assert "with green off (set to 0)" in e.description
    assert "green off, all 0 (black)" in e.description
    assert f"R={r}, G={g}, B={b}, shown as ({r}, 0, {b})." in e.description

    e.controls["red"].value = e.controls["blue"].value = False
    assert "with every channel off: all black" in e.description


def test_resolution_description_counts_numbers_and_the_detail_lost():
    digit = np.array(
        [
            [0, 0, 100, 200, 9],
            [0, 0, 100, 200, 9],
            [40, 90, 0, 0, 9],
            [40, 90, 0, 0, 9],
        ],
        dtype=np.uint8,
    )
    e = _no_render(ResolutionExplorer(source="MNIST digit", factor=2, digits=digit[None]))
    # block averages [[0, 150], [65, 0]]; each number's distance to its block's value,
    # averaged over the 16 covered pixels: (0 + 50 + 25 + 0) / 4 = 18.75
    assert e.description == (
        "Left: digit #0, 4x5 = 20 numbers. Right: factor 2, each 2x2 block replaced by its "
        "average: 2x2 = 4 numbers (20.0% of them), by row [0, 150], [65, 0], drawn at the same "
        "size, so each new pixel shows as a square of 2x2; on average a number is now 19 away "
        "from the one it replaced (on the 0-255 scale). Left over, too few for a whole block: "
        "the last 1 column, dropped (a blank strip at the right)."
    )
    e.controls["method"].value = "subsample"  # top-left pixels [[0, 100], [40, 0]]
    assert "replaced by its top-left pixel" in e.description
    assert "by row [0, 100], [40, 0]" in e.description and "now 19 away" in e.description
    e.controls["factor"].value = 1
    assert "Right: factor 1, unchanged: the same 20 numbers." in e.description

    photo = _no_render(ResolutionExplorer(factor=8))
    assert photo.description.startswith(
        "Left: the portrait of Grace Hopper in colour, 600x512x3 = 921,600 numbers. "
        "Right: factor 8, each 8x8 block replaced by its average: 75x64x3 = 14,400 numbers (1.6%"
    )

    e.controls["factor"].value = 6  # larger than the 4x5 digit: the message, in words
    assert e.output is None
    assert e.description == (
        f"Left: digit #0, 4x5 = 20 numbers. Right: no shrunk image, because {e.message}."
    )


def test_edit_description_gives_the_numbers_before_and_after():
    digit = np.array([[[0, 100], [200, 250]]], dtype=np.uint8)
    e = _no_render(ImageEditExplorer(source="MNIST digit", brightness=10, digits=digit))
    # + 10, clipped: [[10, 110], [210, 255]], average 146.25; 250 + 10 = 260 is clipped to 255
    assert e.description == (
        "Left: the original, digit #0, 2x2 pixels (black = 0, white = 255), values from 0 to "
        "250, average 138; 25% are 0. Middle: edited (brightness +10), values from 10 to 255, "
        "average 146; 25% are 255. Right: the histogram of how many pixels have each value "
        "(original filled gray, edited as an orange outline): the middle 90% of the original's "
        "pixels lie between 0 and 250, of the edited ones between 10 and 255."
    )
    e.controls["overflow"].value = "wrap"  # 260 wraps to 4: [[10, 110], [210, 4]]
    assert "Middle: edited (brightness +10, raw uint8 numbers that wrap around), values " in (
        e.description
    )
    assert "from 4 to 210, average 84. 1 pixel wrapped around past 0 or 255." in e.description
    e.controls["overflow"].value = "clip"
    e.controls["threshold"].value = 100  # [[0, 255], [255, 255]]
    assert "threshold at 100), only 0 and 255: 25% are 0 and 75% are 255." in e.description
    e.controls["threshold"].value = 0
    e.controls["brightness"].value = 0
    assert "Middle: the edited image, unchanged so far, values from 0 to 250" in e.description


def test_shift_description_counts_the_changes_and_reads_the_bars():
    refs = (DIGITS[:300], LABELS[:300])
    e = _no_render(ShiftExplorer(index=0, down=0, right=2, references=refs))
    moved = shift(DIGITS[0], 0, 2)
    diff = moved.astype(int) - DIGITS[0]
    brighter, darker = np.count_nonzero(diff > 0), np.count_nonzero(diff < 0)
    d = np.array([pixel_distance(DIGITS[0], r) for r in refs[0]])
    d[0] = np.inf
    same = d[refs[1] == LABELS[0]].min()
    other = np.where(refs[1] != LABELS[0], d, np.inf)
    text = e.description
    assert text.startswith(
        f"Left: digit #0 (a {LABELS[0]}), 28x28 pixels (black = 0, white = 255). Middle: the "
        "same digit moved 2 pixels right, the pixels moved in are 0 (black). Right: shifted "
        f"minus original, {brighter + darker} of the 784 pixels differ: {brighter} brighter "
        f"(red, up to +{diff.max()}) and {darker} darker (blue, down to \u2212{-diff.min()})."
    )
    assert (
        f"Bars, distance to the original: shifted copy {pixel_distance(moved, DIGITS[0]):.1f}, "
        f"nearest other handwritten {LABELS[0]} {same:.1f}, nearest different digit "
        f"(a {refs[1][np.argmin(other)]}) {other.min():.1f}."
    ) in text
    assert "The shifted copy is farther from the original than another handwritten 4 is" in text

    e.controls["down"].value, e.controls["right"].value = -1, 0
    assert "moved 1 pixel up, the pixels" in e.description
    e.controls["down"].value = 0
    assert "the same digit, not moved (shift 0, 0)" in e.description
    assert "all 0, no pixel differs (white)" in e.description
    assert "shifted copy 0.0" in e.description and "farther" not in e.description


def test_shift_description_without_labels_says_what_is_unknown():
    e = _no_render(ShiftExplorer(digits=DIGITS[:20]))
    assert e.description.startswith("Left: digit #0, 28x28 pixels")
    assert "nearest other digit" in e.description
    assert "nearest different digit unknown without labels" in e.description
    assert "than the closest other digit is." in e.description
