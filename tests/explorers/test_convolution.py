"""The explorers of notebook 02, driven headlessly through every control.

What is checked: the displayed feature map is exactly ``cnnlib.conv2d`` of the
displayed image and kernel; impossible settings give a one-line message and
no output (never an exception); the stepper's products and sum are those of
the highlighted patch; the template scores are averages with 1 = perfect.
"""

from __future__ import annotations

import re

import ipywidgets as widgets
import numpy as np
import pytest

from cnnlib import conv2d, kernels, output_size
from cnnlib.datasets import xo_image
from cnnlib.explorers._base import Explorer
from cnnlib.explorers.convolution import ConvolutionExplorer
from cnnlib.explorers.kernel_choice import (
    CUSTOM,
    MAX_WEIGHT,
    ORIENTED,
    PRESET_NAMES,
    KernelGrid,
    preset_kernel,
)
from cnnlib.explorers.stepper import ConvolutionStepper
from cnnlib.explorers.templates import TemplateMatcher
from cnnlib.plotting import short_number

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def control_values(control):
    """Every value a control can take: a slider's whole range, a menu's options."""
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        count = int(round((control.max - control.min) / control.step)) + 1
        values = [control.min + i * control.step for i in range(count)]
        return [round(v, 10) for v in values]
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons)):
        return [opt[1] if isinstance(opt, tuple) else opt for opt in control.options]
    return []


def sweep(explorer, check):
    """Move every slider and menu through all its values, calling ``check`` after each."""
    steps = 0
    for control in explorer.controls.values():
        original = control.value
        for value in control_values(control):
            control.value = value
            check(explorer)
            steps += 1
        control.value = original
    return steps


def shown(image_artist):
    """The array an AxesImage displays, NaN where it is blank."""
    return np.ma.filled(np.ma.asarray(image_artist.get_array(), dtype=float), np.nan)


def assert_contract(explorer):
    """output and message agree; the picture was rendered."""
    assert explorer.png.startswith(PNG_SIGNATURE)
    if explorer.message:
        assert explorer.output is None
        assert "Not possible" in explorer._status.value
    else:
        assert explorer.output is not None
        assert "Not possible" not in explorer._status.value


# ----------------------------------------------------------------------------
# ConvolutionExplorer
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def explorer():
    return ConvolutionExplorer()


def expected_map(e):
    return conv2d(e.image, e.kernel, **e.settings)


def assert_shows_conv2d(e):
    assert_contract(e)
    if e.message:
        assert np.isnan(shown(e._im_out)).all()  # the output panel is blank
        return
    want = expected_map(e)
    np.testing.assert_array_equal(e.output, want)
    np.testing.assert_array_equal(shown(e._im_out), want)
    # the padded input is what is shown on the left
    (pt, pb), (pl, pr) = e._pads
    np.testing.assert_array_equal(shown(e._im_in), np.pad(e.image, ((pt, pb), (pl, pr))))
    np.testing.assert_array_equal(shown(e._im_k), e.kernel)
    # the formula under the figure ends in the size that is shown
    assert f"<b>{want.shape[0]}</b>" in e._status.value


def test_every_control_through_its_range_shows_conv2d(explorer):
    steps = sweep(explorer, assert_shows_conv2d)
    assert steps > 50


def test_sampled_combinations_of_controls(explorer, monkeypatch):
    """A seeded sample of image x size x stride x padding x dilation combinations.

    Only the data is checked here, so the PNG rendering is skipped to keep the
    test fast (the sweep above renders every state).
    """
    monkeypatch.setattr(explorer, "render", lambda: None)
    rng = np.random.default_rng(0)
    c = explorer.controls
    names = ["image", "size", "stride", "padding", "dilation", "preset"]
    impossible = 0
    for _ in range(40):
        for name in rng.permutation(names):
            values = control_values(c[name])
            c[name].value = values[rng.integers(len(values))]
        assert_shows_conv2d(explorer)
        impossible += bool(explorer.message)
    assert 0 < impossible < 40  # the sample covers both kinds


def test_kernel_larger_than_padded_image_shows_a_message_and_recovers():
    e = ConvolutionExplorer(image="X (9x9, +1/-1)", size=7, dilation=2)
    assert e.output is None
    assert "does not fit a 9x9 input" in e.message
    assert "no feature map" in e._nomap.get_text()
    e.controls["padding"].value = 2  # 9 + 4 = 13 = 2*(7-1)+1: fits exactly once
    assert e.message == ""
    assert e.output.shape == (1, 1)
    assert e._nomap.get_text() == ""
    assert_shows_conv2d(e)


@pytest.mark.parametrize("weight", [1e308, -1e308, 1e200, 1001.0])
def test_a_huge_typed_weight_gives_one_line_instead_of_a_map_of_inf(weight):
    """Typing 1e308 into a box used to give a feature map of inf and no message."""
    import warnings

    e = ConvolutionExplorer(image="digit 3 (28x28)")
    kernel = np.zeros((3, 3))
    kernel[1, 2] = weight
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow anywhere while drawing, either
        e.controls["kernel"].value = kernel
    assert e.output is None
    assert e.message.startswith(f"the weight {weight:g} in row 1, column 2 is too large")
    assert "between -1000 and 1000" in e.message and "type a smaller number" in e.message
    assert "Not possible" in e._status.value and e.png.startswith(b"\x89PNG")
    kernel[1, 2] = MAX_WEIGHT  # the largest allowed weight is fine
    e.controls["kernel"].value = kernel
    assert e.message == "" and np.isfinite(e.output).all()
    assert_shows_conv2d(e)


def test_same_padding_with_stride_2_shows_a_message():
    e = ConvolutionExplorer(padding="same", stride=2)
    assert e.output is None
    assert "'same'" in e.message and "stride" in e.message
    e.controls["stride"].value = 1
    assert e.output.shape == e.image.shape


def test_formula_shows_floor_when_the_stride_does_not_divide():
    e = ConvolutionExplorer(image="digit 3 (28x28)", padding=1, stride=2)
    # (28 + 2 - 2 - 1) / 2 = 13.5 -> 13, + 1 = 14
    assert e.output.shape == (14, 14) == (output_size(28, 3, 2, 1),) * 2
    status = e._status.value
    assert "&lfloor;13.5&rfloor;" in status
    assert "does not divide evenly" in status
    e.controls["stride"].value = 1
    assert "does not divide" not in e._status.value


def test_same_padding_with_an_even_kernel_shows_both_pads():
    e = ConvolutionExplorer(image="digit 3 (28x28)", preset="box blur", size=4, padding="same")
    assert e.output.shape == (28, 28)
    assert "p<sub>1</sub> + p<sub>2</sub>" in e._status.value
    assert "(28 + 1 + 2 &minus;" in e._status.value


def test_editing_the_grid_switches_to_custom_and_resizes():
    e = ConvolutionExplorer(image="shapes (32x32)")
    grid = e.controls["kernel"]
    mine = np.arange(25.0).reshape(5, 5) - 12
    grid.value = mine
    assert e.controls["preset"].value == CUSTOM
    assert e.controls["size"].value == 5
    np.testing.assert_array_equal(e.kernel, mine)
    np.testing.assert_array_equal(e.output, conv2d(e.image, mine))
    # typing into one box changes one weight
    grid._cells[0][0].value = 100.0
    assert e.kernel[0, 0] == 100.0
    np.testing.assert_array_equal(e.output, conv2d(e.image, e.kernel))
    # a smaller size keeps the centre of a custom kernel
    e.controls["size"].value = 3
    np.testing.assert_array_equal(e.kernel, mine[1:4, 1:4])
    assert len(grid.children) == 9
    # choosing a preset overwrites the grid
    e.controls["preset"].value = "laplacian"
    np.testing.assert_array_equal(e.kernel, kernels.laplacian())


def test_angle_slider_turns_the_oriented_edge():
    e = ConvolutionExplorer(preset=ORIENTED, size=5)
    np.testing.assert_allclose(e.kernel, kernels.oriented_edge(0), atol=5e-4)
    e.controls["angle"].value = 90
    np.testing.assert_allclose(e.kernel, kernels.oriented_edge(90), atol=5e-4)
    np.testing.assert_array_equal(e.output, expected_map(e))


def test_the_angle_is_usable_only_with_the_oriented_edge(usable_only_when):
    usable_only_when(
        ConvolutionExplorer(preset=ORIENTED, size=5),
        "angle",
        when={"preset": ORIENTED},
        otherwise={"preset": "sharpen"},
        moved_to=90,  # the edge turned a quarter turn
    )


@pytest.mark.parametrize("name", PRESET_NAMES)
@pytest.mark.parametrize("size", range(1, 8))
def test_presets_at_every_size(name, size):
    kernel, note = preset_kernel(name, size, angle=30)
    assert kernel.shape == (size, size)
    assert np.isfinite(kernel).all()
    if size == 3 and name in kernels.PRESETS:
        np.testing.assert_array_equal(kernel, np.round(kernels.PRESETS[name], 3))
    if name in ("sharpen", "laplacian") and size != 3:
        assert "3x3" in note


@pytest.mark.parametrize("size", [1, 2, 4, 5, 6, 7])
def test_note_says_where_a_3x3_preset_sits_in_the_grid(size):
    kernel, note = preset_kernel("sharpen", size)  # its border is 0 -1 0: find the 5
    row, col = np.argwhere(kernel == 5)[0]
    if size > 3:  # the 3x3 sits with its centre at (row, col)
        above, below = row - 1, size - row - 2
        if above == below:
            assert "centre of a" in note
        elif above == 0:
            assert "top-left corner" in note
        else:
            assert f"{above} row/column of zeros above and left, {below} below" in note
    else:  # cut out: the 5 is at (1, 1) of the original
        corner = kernel.shape == (2, 2) and (row, col) == (1, 1)
        assert ("top-left" in note) == corner
        assert ("central" in note) == (not corner)


def test_blur_presets_keep_brightness_and_edges_ignore_flat_areas():
    for size in range(1, 8):
        assert preset_kernel("box blur", size)[0].sum() == pytest.approx(1, abs=0.03)
        assert preset_kernel("gaussian blur", size)[0].sum() == pytest.approx(1, abs=0.03)
        assert preset_kernel("identity", size)[0].sum() == 1
        if size > 1:
            edge = preset_kernel(ORIENTED, size, angle=45)[0]
            assert abs(edge.sum()) < 0.01


def test_kernel_grid_rejects_non_square_and_too_large():
    grid = KernelGrid()
    with pytest.raises(Exception, match="square kernel"):
        grid.value = np.ones((2, 3))
    with pytest.raises(Exception, match="square kernel"):
        grid.value = np.ones((8, 8))
    with pytest.raises(Exception, match="finite"):
        grid.value = np.full((2, 2), np.nan)


def test_own_images_can_be_passed_in():
    ramp = np.tile(np.arange(6.0), (6, 1))
    e = ConvolutionExplorer(images={"ramp": ramp})
    assert e.controls["image"].options == ("ramp",)
    np.testing.assert_array_equal(e.output, conv2d(ramp, kernels.sobel_x()))
    # small enough: the values are printed on the cells
    assert e._lab_in.texts.shape == (6, 6)
    with pytest.raises(ValueError, match=r"image 'rgb' must have shape \(h, w\).*to_grayscale"):
        ConvolutionExplorer(images={"rgb": np.zeros((4, 4, 3))})


def test_feature_map_colours_follow_the_kernel():
    """Edges: red/blue centred on 0 with the scale labelled; blurs: a gray picture."""
    e = ConvolutionExplorer(image="digit 3 (28x28)", preset="sobel x (vertical edges)")
    assert e._im_out.get_cmap().name == "RdBu_r"
    low, high = e._im_out.get_clim()
    assert low == -high == -np.abs(e.output).max()
    assert [t.get_text() for t in e._scale.labels] == [
        f"{high:.0f}",
        "0",
        f"\u2212{high:.0f}",
    ]
    e.controls["preset"].value = "gaussian blur"
    assert e._im_out.get_cmap().name == "gray"
    assert e._im_out.get_clim() == (0.0, 255.0)  # the input's own scale
    assert e._scale.image.get_cmap().name == "gray"
    e.controls["image"].value = "X (9x9, +1/-1)"
    e.controls["preset"].value = "cross x"  # weights add up to 1, but it is a template
    assert e._im_out.get_cmap().name == "RdBu_r"


def test_figure_keeps_its_size_and_has_a_static_picture(explorer):
    before = explorer.png[16:24]  # the PNG header's width and height
    explorer.controls["padding"].value = "full"
    explorer.controls["stride"].value = 3
    assert explorer.png[16:24] == before
    bundle = explorer._repr_mimebundle_()
    assert "image/png" in bundle
    assert explorer.last_update_ms > 0


# ----------------------------------------------------------------------------
# ConvolutionStepper
# ----------------------------------------------------------------------------
def assert_step_is_consistent(s):
    assert_contract(s)
    c = s.controls
    stride, pad = c["stride"].value, c["padding"].value
    want = conv2d(s.image, s.kernel, stride=stride, padding=pad)
    np.testing.assert_array_equal(s.output, want)
    oh, ow = want.shape
    assert c["position"].max == oh * ow - 1
    row, col = s.where
    assert row * ow + col == c["position"].value
    padded = np.pad(s.image, pad)
    top, left = row * stride, col * stride
    np.testing.assert_array_equal(s.patch, padded[top : top + 3, left : left + 3])
    np.testing.assert_array_equal(s.products, s.patch * s.kernel)
    assert s.total == pytest.approx(want[row, col])
    # the highlighted window and cell are where the numbers come from
    assert s._window.get_xy() == (left - 0.5, top - 0.5)
    assert s._cell.get_xy() == (col - 0.5, row - 0.5)
    # the map is filled up to the current position, in reading order
    on_screen = shown(s._im_out).ravel()
    upto = row * ow + col
    np.testing.assert_array_equal(on_screen[: upto + 1], want.ravel()[: upto + 1])
    assert np.isnan(on_screen[upto + 1 :]).all()


def test_stepper_every_control_and_position():
    s = ConvolutionStepper()
    assert sweep(s, assert_step_is_consistent) > 60


def test_stepper_slider_follows_stride_and_padding():
    s = ConvolutionStepper(image="edge (8x8, 0 and 9)", kernel="sobel x (vertical edges)")
    c = s.controls
    c["position"].value = c["position"].max  # the last of 6x6 positions
    assert s.where == (5, 5)
    c["stride"].value = 2  # now only 3x3 positions: the slider clips to the last one
    assert c["position"].max == 8
    assert s.where == (2, 2)
    c["padding"].value = 1  # (8 + 2 - 3) // 2 + 1 = 4
    assert c["position"].max == 15
    assert_step_is_consistent(s)


def test_stepper_shows_the_sum_of_the_products():
    s = ConvolutionStepper(image="X (9x9, +1/-1)", kernel="diagonal \\")
    # the top-left patch of the X: the template's diagonal meets one background pixel
    assert s.total == 7
    assert "= <b>7</b>" in s._status.value
    assert s._sum_text.get_text() == "sum = 7"
    s.controls["position"].value = 8  # row 1, column 1: the X's stroke, a perfect match
    assert s.where == (1, 1)
    assert s.total == 9


def test_stepper_describes_the_step_in_numbers():
    s = ConvolutionStepper(image="X (9x9, +1/-1)", kernel="diagonal \\")
    text = s.description
    # the X's top-left corner is background (-1) with the stroke starting at (1, 1): the
    # kernel's diagonal weights 1 meet -1, 1, 1 and every -1 weight meets background -1
    assert text.startswith("Input: X, 9x9, stride 1. Kernel diagonal \\, by row [1, −1, −1],")
    assert "Position 1 of 49: the kernel covers rows 0 to 2, columns 0 to 2" in text
    assert "patch by row [−1, −1, −1], [−1, 1, −1], [−1, −1, 1]" in text
    assert "products by row [−1, 1, 1], [1, 1, 1], [1, 1, 1]; sum 7," in text
    assert "feature map row 0, column 0. Feature map 7x7, 1 of 49 cells filled" in text
    s.controls["position"].value = 8  # row 1, column 1: on the stroke, every product 1
    assert "Position 9 of 49: the kernel covers rows 1 to 3, columns 1 to 3" in s.description
    assert "products by row [1, 1, 1], [1, 1, 1], [1, 1, 1]; sum 9," in s.description
    assert "9 of 49 cells filled so far, values from" in s.description
    s.controls["padding"].value = 1  # 11x11 padded, 9x9 map; position 8 = row 0, column 8
    assert "9x9, padded with zeros to 11x11" in s.description
    assert "covers padded rows 0 to 2, columns 8 to 10" in s.description
    assert s.description.endswith(
        f"Feature map 9x9, 9 of 81 cells filled so far, values from "
        f"{short_number(s.output[0].min())} to {short_number(s.output[0].max())}."
    )


# ----------------------------------------------------------------------------
# TemplateMatcher
# ----------------------------------------------------------------------------
def assert_scores_are_averages(t):
    assert_contract(t)
    image = t.current_image
    for name, template in (
        ("diagonal \\", kernels.diagonal()),
        ("diagonal /", kernels.antidiagonal()),
        ("cross x", kernels.cross()),
    ):
        np.testing.assert_allclose(t.scores[name], conv2d(image, template) / 9)
        assert t.best[name] == pytest.approx(t.scores[name].max())
    np.testing.assert_array_equal(t.output, t.scores[t.controls["template"].value])
    np.testing.assert_array_equal(shown(t._im_s), t.output)
    assert np.abs(t.output).max() <= 1 + 1e-12


def test_template_matcher_every_control():
    t = TemplateMatcher()
    assert sweep(t, assert_scores_are_averages) > 20


@pytest.mark.parametrize("down, right", [(0, 0), (1, -1), (-1, 1), (1, 1)])
def test_a_shifted_x_still_matches_every_template_perfectly(down, right):
    t = TemplateMatcher(image="x", down=down, right=right)
    np.testing.assert_array_equal(t.current_image, xo_image("x", shift=(down, right)))
    assert all(score == pytest.approx(1) for score in t.best.values())
    # the best diagonal match moves with the letter
    r, c = np.unravel_index(np.argmax(t.output), t.output.shape)
    assert (r, c) == (1 + down, 1 + right)


def test_only_the_cross_tells_an_x_from_an_o():
    """The O's ring has short diagonal strokes too; only the X has a crossing."""
    o, x = TemplateMatcher(image="o").best, TemplateMatcher(image="x").best
    assert o["diagonal \\"] == x["diagonal \\"] == pytest.approx(1)
    assert o["cross x"] == pytest.approx(5 / 9)  # 7 of 9 pixels agree: (7 - 2) / 9
    assert x["cross x"] == pytest.approx(1)


def test_the_noise_seed_is_usable_only_with_noise(usable_only_when):
    usable_only_when(
        TemplateMatcher(noise=0.0),
        "seed",
        when={"noise": 0.1},
        otherwise={"noise": 0.0},
        moved_to=5,  # other pixels flip: another picture
    )


def test_template_matcher_describes_the_match_in_numbers():
    t = TemplateMatcher(image="o", template="cross x")
    # the O's best patch against the cross: 7 of 9 pixels agree, score (7 - 2) / 9
    assert t.description.startswith(
        "Letter O, a ring, 9x9 (ink +1, background −1). Template cross x, by row "
        "[1, −1, 1], [−1, 1, −1], [1, −1, 1]. Match score map 7x7, scores from "
    )
    assert "best 0.56 (7 of 9 pixels agree)" in t.description
    assert t.description.endswith(
        "Best score per template: diagonal \\ 1.00, diagonal / 1.00, cross x 0.56."
    )
    t.controls["image"].value = "x"  # one perfect cross, at the centre of the X
    assert "best 1.00 (a perfect match) at row 3, column 3 (centre): the 3x3 patch" in (
        t.description
    )
    assert t.description.endswith("cross x 1.00.")
    t.controls["down"].value, t.controls["right"].value = 1, -1
    assert "Letter X, two diagonal strokes crossing in the middle, 9x9 (ink +1, background " in (
        t.description
    )
    assert "), moved 1 down and 1 left. Template" in t.description
    # the crossing moved with the letter: from row 3, column 3 to row 4, column 2
    assert "best 1.00 (a perfect match) at row 4, column 2 (middle left)" in t.description
    t.controls["template"].value = "diagonal \\"
    perfect = int(np.sum(np.isclose(t.output, 1)))
    assert perfect > 1  # the long stroke fits the short diagonal in several places
    assert f"reached by {perfect} patches; the first is at row " in t.description


def test_noise_lowers_the_best_score_but_the_x_is_still_found():
    t = TemplateMatcher(image="x", template="cross x", noise=0.1, seed=3)
    assert 0.5 < t.best["cross x"] <= 1
    r, c = np.unravel_index(np.argmax(t.output), t.output.shape)
    assert (r, c) == (3, 3)  # the centre of the X
    assert re.search(r"Best: <b>\d\.\d\d</b>", t._status.value)


def test_stepper_fast_redraw_gives_the_same_pixels_as_a_full_draw():
    """Moving the position pastes a kept background and redraws only what moves."""
    import io

    import PIL.Image

    def pixels(png):
        return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"))

    s = ConvolutionStepper(image="digit 7 (10x10, 0-9)", kernel="sobel x (vertical edges)")
    for position in (5, 17, 40):
        s.controls["position"].value = position
        fast = pixels(s.png)
        Explorer.render(s)  # the ordinary full draw of every artist
        np.testing.assert_array_equal(fast, pixels(s.png))


def test_explorer_fast_redraw_gives_the_same_pixels_as_a_full_draw():
    """Kernel, angle and preset changes redraw only the kernel and feature-map panels."""
    import io

    import PIL.Image

    def pixels(png):
        return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"))

    e = ConvolutionExplorer(image="X (9x9, +1/-1)", preset=ORIENTED, padding="same")
    for name, value in [("angle", 60), ("preset", "laplacian"), ("preset", "identity")]:
        kept = list(e._backgrounds)
        e.controls[name].value = value
        assert list(e._backgrounds) == kept  # it really was the fast path: no new background
        fast = pixels(e.png)
        Explorer.render(e)  # the ordinary full draw of every artist
        np.testing.assert_array_equal(fast, pixels(e.png))


def test_kernel_grid_boxes_can_wait_until_the_picture_is_drawn():
    grid = KernelGrid(np.zeros((3, 3)))
    with grid.deferred():
        grid.value = np.ones((5, 5))
        assert grid._cells[0][0].value == 0.0  # the boxes have not changed yet
        assert len(grid.children) == 9
    assert grid._cells[4][4].value == 1.0
    assert len(grid.children) == 25


def test_a_kept_background_is_still_right_when_its_settings_come_back():
    """Backgrounds are kept per input setting; one reused after other changes
    (here the preset changed while another stride was shown) gives the pixels
    of a full draw."""
    import io

    import PIL.Image

    def pixels(png):
        return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"))

    e = ConvolutionExplorer(image="digit 3 (28x28)", padding="same")
    moves = [("stride", 2), ("preset", "laplacian"), ("stride", 1), ("preset", "box blur")]
    moves += [("stride", 2), ("padding", "valid"), ("padding", "same")]
    for name, value in moves:
        e.controls[name].value = value
        fast = pixels(e.png)
        Explorer.render(e)  # the ordinary full draw of every artist
        np.testing.assert_array_equal(fast, pixels(e.png), err_msg=f"after {name}={value!r}")
    assert len(e._backgrounds) == 3  # stride 1 and 2 with "same", stride 2 with "valid"
