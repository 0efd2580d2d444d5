"""AttributionExplorer driven headlessly: every control, the pictures show the numbers of
cnnlib.saliency_map / occlusion_map for the chosen digit and class, impossible settings give
one line, the drawing pad's digit is followed. The ``digits`` and ``model`` fixtures are in
tests/conftest.py (60 test digits, an untrained network: any weights will do here; the
maps' meaning is tested in tests/test_attribution.py)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from cnnlib import (
    occlusion_map,
    occlusion_per_pixel,
    prepare_images,
    saliency_map,
)
from cnnlib.explorers._panels import HIGHLIGHT
from cnnlib.explorers.attribution import (
    ANSWER,
    DRAWING,
    PER_PIXEL,
    PER_POSITION,
    RAISES_COLOR,
    TEST,
    TRUE,
    AttributionExplorer,
    _points,
    _position_extent,
    _round_up,
    ink_outline,
)
from cnnlib.explorers.drawing import DigitPad
from cnnlib.plotting import signed_colors


@pytest.fixture(scope="module")
def explorer(digits, model):
    return AttributionExplorer(model, *digits, index=3)


def _expected(model, digits, index, target, patch, stride):
    image = prepare_images(digits[0][index : index + 1])[0]  # (1, 28, 28)
    drops = occlusion_map(model, image, target, patch=patch, stride=stride)
    return saliency_map(model, image, target)[0], drops


def test_the_maps_are_the_cores_for_the_chosen_digit_and_class(explorer, digits, model):
    ex, c = explorer, explorer.controls
    c["view"].value = PER_PIXEL
    c["patch"].value, c["stride"].value = 5, 3
    c["index"].value = 11
    c["target"].value = 6
    r = ex.output
    assert ex.message == "" and r.target == 6 and (r.patch, r.stride) == (5, 3)
    saliency, drops = _expected(model, digits, 11, 6, 5, 3)
    np.testing.assert_array_equal(r.saliency, saliency)
    np.testing.assert_array_equal(r.drops, drops)  # the same batches: bit for bit
    np.testing.assert_array_equal(r.drops_per_pixel, occlusion_per_pixel(drops, 28, 5, 3))
    np.testing.assert_array_equal(r.image, prepare_images(digits[0][11:12])[0, 0])
    probabilities = model.predict_proba(prepare_images(digits[0][11:12]))[0]
    np.testing.assert_allclose(r.probabilities, probabilities)
    assert r.answer == int(np.argmax(probabilities)) and r.label == int(digits[1][11])
    # the pictures: each map on its own signed scale (round numbers at or above its largest value)
    lim = float(ex._saliency_scale.labels[0].get_text().replace("\u2212", "-"))
    assert np.abs(saliency).max() <= lim < 2 * np.abs(saliency).max()
    np.testing.assert_array_equal(ex._im_saliency.get_array(), signed_colors(saliency, lim))
    np.testing.assert_array_equal(ex._im_image.get_array(), r.image)
    heights = [bar.get_width() for bar in ex._bars.bars]
    np.testing.assert_allclose(heights, probabilities)
    # the orange square sits on the patch with the largest drop
    i, j = np.unravel_index(np.argmax(drops), drops.shape)
    assert r.lowers_most == (3 * i, 3 * j)
    i, j = np.unravel_index(np.argmin(drops), drops.shape)
    assert r.raises_most == (3 * i, 3 * j)
    top, left = r.lowers_most if drops.max() >= -drops.min() else r.raises_most
    assert ex._strongest.get_x() == left - 0.5 and ex._strongest.get_y() == top - 0.5
    assert ex._strongest.get_width() == 5
    assert ex._strongest.get_edgecolor() == to_rgba(
        HIGHLIGHT if drops.max() >= -drops.min() else RAISES_COLOR
    )
    assert "saliency for 6" in ex._ax_saliency.title.get_text()
    assert "patch 5, stride 3: 8\u00d78" in ex._ax_occlusion.title.get_text()


def test_the_class_menu_names_the_answer_the_truth_and_every_digit(explorer, digits):
    ex, c = explorer, explorer.controls
    c["index"].value = 4
    values = [value for _, value in c["target"].options]
    assert values == [ANSWER, TRUE, *range(10)]
    c["target"].value = ANSWER
    assert ex.output.target == ex.output.answer
    c["target"].value = TRUE
    assert ex.output.target == int(digits[1][4])
    for k in range(10):
        c["target"].value = k
        assert ex.output.target == k and ex.message == ""
        assert f"P({k}) = " in ex._status.value


def test_every_control_changes_the_picture(explorer):
    ex, c = explorer, explorer.controls
    assert set(c) == {"index", "target", "patch", "stride", "view"}
    other_view = PER_PIXEL if c["view"].value == PER_POSITION else PER_POSITION
    for name, value in [
        ("index", 20),
        ("target", 2),
        ("patch", 9),
        ("stride", 4),
        ("view", other_view),
        ("view", c["view"].value),
    ]:
        before = ex.png
        c[name].value = value
        assert ex.png != before and ex.message == "", name
    assert c["patch"].max == 28 and c["stride"].max == 28


def test_the_per_position_view_centres_each_cell_on_its_patch(explorer):
    ex, c = explorer, explorer.controls
    c["patch"].value, c["stride"].value = 6, 4
    c["view"].value = PER_POSITION
    drops = ex.output.drops
    assert drops.shape == (6, 6)
    left, right, bottom, top = ex._im_occlusion.get_extent()
    # cell j spans stride pixels around the centre of patch j, (j * 4) + 2.5
    assert (right - left) / drops.shape[1] == 4 and left + 4 / 2 == (6 - 1) / 2
    assert (bottom - top) / drops.shape[0] == 4
    assert _position_extent((6, 6), 6, 4) == (0.5, 24.5, 24.5, 0.5)
    assert _position_extent((28, 28), 1, 1) == (-0.5, 27.5, 27.5, -0.5)  # one cell per pixel
    limit = float(ex._occlusion_scale.labels[0].get_text().rstrip("%")) / 100
    np.testing.assert_array_equal(ex._im_occlusion.get_array(), signed_colors(drops, limit))
    c["view"].value = PER_PIXEL
    assert ex._im_occlusion.get_extent() == [-0.5, 27.5, 27.5, -0.5]


def test_a_stride_larger_than_the_patch_leaves_gray_gaps(explorer):
    ex, c = explorer, explorer.controls
    c["view"].value = PER_PIXEL
    c["patch"].value, c["stride"].value = 3, 5
    gaps = np.isnan(ex.output.drops_per_pixel)
    assert gaps[3:5].all() and gaps[:, 3:5].all() and ex.message == ""
    assert f"{int(gaps.sum())} pixels (gray) were never covered" in ex._status.value
    rgba = ex._im_occlusion.get_array()
    assert (rgba[gaps] == [217, 217, 217, 255]).all()  # the gap colour
    # the scale fits the pixels' means, which are smaller than the largest single drop
    limit = float(ex._occlusion_scale.labels[0].get_text().rstrip("%")) / 100
    shown = ex.output.drops_per_pixel
    assert np.abs(shown[~gaps]).max() <= limit or limit == 0.02
    np.testing.assert_array_equal(rgba, signed_colors(shown, limit))


def test_the_status_line_describes_the_maps(explorer, digits):
    ex, c = explorer, explorer.controls
    c["patch"].value, c["stride"].value = 4, 2
    c["index"].value, c["target"].value = 7, TRUE
    r = ex.output
    text = ex._status.value
    assert f"Test digit #7 (label {digits[1][7]}): the network says {r.answer}" in text
    high = np.unravel_index(np.argmax(r.saliency), r.saliency.shape)
    assert f"more ink at row {high[0]}, column {high[1]}" in text
    top, left = r.lowers_most
    if r.drops.max() >= 0.0005:
        assert f"covering rows {top}-{top + 3}, columns {left}-{left + 3}" in text
        assert f"by {r.drops.max() * 100:.1f} points" in text


def test_occlusion_maps_are_computed_once_per_digit_patch_and_stride(digits, model, monkeypatch):
    from cnnlib.explorers import attribution

    calls = []
    real = attribution.occlusion_map

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(attribution, "occlusion_map", counting)
    ex = AttributionExplorer(model, *digits)
    c = ex.controls
    for target in (1, 2, TRUE, ANSWER):  # another class: the same map, another row
        c["target"].value = target
    c["view"].value = PER_PIXEL
    assert len(calls) == 1
    c["index"].value = 1
    c["index"].value = 0
    assert len(calls) == 2  # back to digit 0: from the cache
    assert c["patch"].value == 6
    ex.max_cached = 2
    c["patch"].value = 5
    c["patch"].value = 4
    assert len(ex._occlusions) == 2
    c["patch"].value = 6  # dropped from the cache: computed again
    assert len(calls) == 5


def test_without_labels_there_is_no_true_digit(digits, model):
    ex = AttributionExplorer(model, digits[0][:5])
    assert TRUE not in [value for _, value in ex.controls["target"].options]
    assert "label" not in ex._status.value.split(".")[0]


# ----------------------------------------------------------------------------
# the drawing pad
# ----------------------------------------------------------------------------
@pytest.fixture
def pad_and_explorer(digits, model):
    pad = DigitPad(model)
    return pad, AttributionExplorer(model, *digits, pad=pad)


def test_the_drawing_is_a_choice_and_is_followed(pad_and_explorer, model):
    pad, ex = pad_and_explorer
    c = ex.controls
    assert list(c) == ["source", "index", "target", "patch", "stride", "view"]
    assert c["source"].options == (TEST, DRAWING)
    c["source"].value = DRAWING
    assert ex.output is None and "drawing pad is empty" in ex.message
    assert "Not possible:" in ex._status.value and "Traceback" not in ex._status.value
    pad.draw_stroke([(70, 50), (210, 50), (120, 240)])  # a 7: the explorer follows at once
    assert ex.message == "" and ex.output is not None
    np.testing.assert_array_equal(ex.output.image, prepare_images(pad.digit[None])[0, 0])
    expected = saliency_map(model, pad.digit, ex.output.target)
    np.testing.assert_array_equal(ex.output.saliency, expected)
    assert ex.output.label is None and "your drawing" in ex._ax_image.title.get_text()
    first = ex.png
    pad.draw_stroke([(140, 140), (200, 140)])
    assert ex.png != first
    c["target"].value = TRUE
    assert ex.output is None and "no true digit" in ex.message
    c["target"].value = 3
    assert ex.message == "" and ex.output.target == 3
    pad.clear()
    assert ex.output is None and "empty" in ex.message
    c["source"].value = TEST
    assert ex.message == "" and ex.output.label is not None


def test_the_pad_updates_the_explorer_only_when_the_drawing_is_shown(pad_and_explorer):
    pad, ex = pad_and_explorer
    before = ex.png
    pad.draw_stroke([(70, 50), (210, 50)])  # the test digit is shown: nothing to redo
    assert ex.png is before


def test_the_pad_reports_a_new_digit_after_a_stroke_not_during_it(digits, model):
    pad = DigitPad(model)
    seen = []
    pad.observe_digit(lambda digit: seen.append(digit.copy()))
    pad._on_down(100, 100)
    pad.refresh_seconds = 0.0  # refresh on every move
    pad._on_move(150, 100)
    pad._on_move(180, 120)
    assert seen == []  # the pen is still down
    pad._on_up(180, 120)
    assert len(seen) == 1 and np.array_equal(seen[0], pad.digit) and seen[0].any()
    pad.clear()
    assert len(seen) == 2 and not seen[1].any()


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def test_ink_outline_runs_along_the_pixel_borders_of_the_ink():
    image = np.zeros((4, 5))
    image[1, 1:3] = 1.0  # two ink pixels side by side
    image[3, 4] = 0.4  # below half the maximum: not ink
    segments = {tuple(map(tuple, s)) for s in ink_outline(image)}
    expected = {
        ((0.5, 0.5), (1.5, 0.5)),  # top edges
        ((1.5, 0.5), (2.5, 0.5)),
        ((0.5, 1.5), (1.5, 1.5)),  # bottom edges
        ((1.5, 1.5), (2.5, 1.5)),
        ((0.5, 0.5), (0.5, 1.5)),  # left and right ends
        ((2.5, 0.5), (2.5, 1.5)),
    }
    assert segments == expected
    edge = np.zeros((2, 2))
    edge[0, 0] = 1  # ink on the image's border is closed by the border
    assert len(ink_outline(edge)) == 4
    assert ink_outline(np.zeros((3, 3))).shape == (0, 2, 2)


def test_colour_scales_end_on_round_numbers():
    assert [_round_up(v) for v in (2.12, 0.93, 0.021, 1.0, 7.0, 0.0031)] == [
        2.5,
        1.0,
        0.025,
        1.0,
        8.0,
        0.004,
    ]
    assert _points(0.35) == "35%" and _points(-0.02) == "\u22122%" and _points(0.0) == "0"


def test_a_model_without_images_and_the_lazy_export(model):
    import cnnlib

    with pytest.raises(ValueError, match=r"AttributionExplorer\(model, images, labels\)"):
        AttributionExplorer(model)
    with pytest.raises(ValueError, match=r"grey images, .* have 3 channels"):
        AttributionExplorer(model, np.zeros((2, 3, 28, 28)))
    assert cnnlib.AttributionExplorer is AttributionExplorer


def test_a_network_blind_to_the_pixels_is_described_as_such(digits):
    from cnnlib import Dense, Flatten, Sequential

    blind = Sequential(Flatten(), Dense(784, 10, seed=0))
    blind.params["1.weight"][:] = 0  # every score is its bias, whatever the pixels
    ex = AttributionExplorer(blind, *digits)
    assert not ex.output.saliency.any() and not ex.output.drops.any()
    assert "Saliency: 0 everywhere" in ex._status.value
    assert "no patch lowers P" in ex._status.value
    assert not ex._strongest.get_visible()
    assert "no patch changes P" in ex._captions[0].get_text()


def test_the_description_gives_both_maps_numbers(digits, model):
    from cnnlib.plotting import short_number

    ex = AttributionExplorer(model, *digits, index=3, patch=4, stride=2)
    r, p = ex.output, ex.output.probabilities
    text = ex.description
    label = digits[1][3]
    assert text.startswith(f"Test digit #3 (label {label}), 28x28, with ")
    if r.drops.max() >= 0.0005 and r.drops.max() >= -r.drops.min():
        top, left = r.lowers_most
        assert f"an orange square on rows {top}-{top + 3}, columns {left}-{left + 3}" in text
    low, high = short_number(r.saliency.min()), short_number(r.saliency.max())
    assert f"values from {low} to {high}" in text
    row, col = np.unravel_index(np.argmax(r.saliency), r.saliency.shape)
    assert f"highest {high} at row {row}, column {col} (" in text
    rows, cols = r.drops.shape  # (28 - 4) // 2 + 1 = 13 positions each way
    assert (rows, cols) == (13, 13) and "patch 4, stride 2 (13x13 positions" in text
    assert f"the network says {r.answer} ({p[r.answer]:.1%}), its bar dark as the class" in text
    assert ex._bars_caption.get_text().startswith(f"dark: answer {r.answer}\n")
    assert text.endswith(f"the true digit {label} outlined.")
    other = (r.answer + 1) % 10
    ex.controls["target"].value = other
    assert ex.description != text and f"Saliency for {other} (" in ex.description
    assert f"class {other} chosen, its bar dark, {p[other]:.1%}" in ex.description
    assert ex._bars_caption.get_text().startswith(f"dark: class {other}\n")
    ex.controls["target"].value = TRUE  # often the answer's class: the caption says which
    assert f"the true digit {label} chosen, its bar dark" in ex.description
    assert ex._bars_caption.get_text().startswith(f"dark: true digit {label}\n")
    ex.controls["stride"].value = 10  # patches at 0, 10, 20: rows 4-9, 14-19, 24-27 uncovered
    never = int(np.isnan(ex.output.drops_per_pixel).sum())
    assert never > 0 and f"{never} pixels never covered (gray)" in ex.description


def test_a_blind_network_s_picture_is_described_as_such(digits):
    from cnnlib import Dense, Flatten, Sequential

    blind = Sequential(Flatten(), Dense(784, 10, seed=0))
    blind.params["1.weight"][:] = 0
    ex = AttributionExplorer(blind, *digits)
    text = ex.description
    assert "with no square: no patch changes P(" in text and "all values 0" in text
    assert "when covered, all 0 (" in text


def test_the_status_line_keeps_its_height_as_the_controls_move(explorer):
    """Before: a line appeared and vanished with the digit (the explorer jumped by 28 px)."""
    from cnnlib.explorers.attribution import STATUS_LINES

    ex, c = explorer, explorer.controls
    assert ex._status.layout.min_height == f"{28 * STATUS_LINES}px"
    seen = set()
    for index, target, patch, stride in [
        (0, TRUE, 6, 2),
        (12, 1, 10, 2),
        (141, TRUE, 3, 1),
        (552, TRUE, 12, 7),
        (7, 0, 1, 1),
        (3, 6, 28, 28),
    ]:
        c["index"].value, c["target"].value = index, target
        c["patch"].value, c["stride"].value = patch, stride
        assert ex.message == ""
        lines = ex._status.value.split("<br>")
        seen.add(len(lines))
        assert all(len(line) <= 120 for line in lines), lines  # one line each in a column
    assert seen == {STATUS_LINES}
