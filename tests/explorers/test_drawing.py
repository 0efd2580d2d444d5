"""DigitPad driven headlessly: a stroke drawn anywhere lands centred and scaled like an
MNIST digit, the network sees exactly that, its probabilities add up to 1, Clear wipes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from cnnlib import mnist_style, prepare_images, reference_cnn
from cnnlib.explorers.drawing import EMPTY, DigitPad, _shrink


@pytest.fixture(scope="module")
def model():
    return reference_cnn(seed=0)  # any network will do: the pad's job is the preparation


@pytest.fixture
def pad(model):
    return DigitPad(model)


def test_an_empty_pad_asks_for_a_digit(pad):
    """The contract: no output, so ``message`` says why (it used to be empty)."""
    assert pad.output is None and not pad.drawing.any() and not pad.digit.any()
    assert (
        pad.message
        == EMPTY
        == "The pad is empty: draw a digit (0-9) large, in the middle of the box."
    )
    assert pad._status.value == EMPTY  # a request, not "Not possible:"
    assert pad._bar_title.get_text() == "draw a digit in the box"
    assert pad.png.startswith(b"\x89PNG")
    pad.draw_stroke([(140, 40), (140, 240)])
    assert pad.message == "" and pad.output is not None
    pad.clear()
    assert pad.message == EMPTY


def _picture(png):
    import io

    import PIL.Image

    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("L"))


def test_static_picture_shows_the_drawing_beside_the_figure(pad):
    """Without a kernel the canvas cannot be shown: the static PNG draws the pad's
    ink in a frame left of the figure (issue 13: the static copy was empty)."""
    import base64

    empty = _picture(pad.static_png())
    pad.draw_stroke([(140, 40), (140, 240)])  # a vertical bar down the middle of the pad
    bundle = pad._repr_mimebundle_()
    drawn = _picture(base64.b64decode(bundle["image/png"]))
    figure = _picture(pad.png)
    assert drawn.shape == empty.shape and drawn.shape[0] == figure.shape[0]
    np.testing.assert_array_equal(drawn[:, -figure.shape[1] :], figure)  # the figure, as is
    side = drawn.shape[0] - 24
    middle = drawn[12 : 12 + side, 12 + side // 2]
    assert (middle[side // 5 : 4 * side // 5] < 40).all()  # ink, dark on white
    assert (empty[12 : 12 + side, 12 : 12 + side] == 255).all()  # nothing drawn: white paper
    assert (drawn[12 : 12 + side, 12 : 12 + side // 4] == 255).all()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live pad as before


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"size": 28}, ValueError, "size must be at least 100, but is 28"),
        ({"size": 280.5}, TypeError, "size must be an int"),
        ({"model": "net"}, TypeError, "model must be a trained network with predict_proba"),
    ],
)
def test_bad_arguments_are_explained(model, kwargs, error, match):
    with pytest.raises(error, match=match):
        DigitPad(**{"model": model, **kwargs})


def test_draw_stroke_wants_pairs_of_numbers(pad):
    with pytest.raises(ValueError, match=r"points must be a list of \(x, y\) pairs"):
        pad.draw_stroke([1, 2, 3])
    with pytest.raises(ValueError, match="points contains 1 NaN"):
        pad.draw_stroke([(1, 2), (np.nan, 3)])
    pad.draw_stroke([])  # nothing to draw
    assert not pad.drawing.any()


def test_a_stroke_in_a_corner_lands_centred_like_mnist(pad):
    # a short vertical stroke near the top-left corner of the 280 x 280 pad
    pad.draw_stroke([(40, 20), (40, 120)])
    rows = np.flatnonzero(pad.drawing.any(axis=1))
    assert rows[0] < 20 and rows[-1] > 120 and pad.drawing[:, 200:].sum() == 0
    digit = pad.digit
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    # MNIST: the bounding box scaled to 20 pixels (its longer side) ...
    ink = np.flatnonzero((digit > 0.1 * digit.max()).any(axis=1))
    assert 19 <= ink[-1] - ink[0] + 1 <= 21
    # ... and the centre of mass moved to the middle (by whole pixels)
    cy, cx = ndimage.center_of_mass(digit.astype(float))
    assert abs(cy - 13.5) <= 1.0 and abs(cx - 13.5) <= 1.0


def test_the_network_sees_the_prepared_digit_and_answers_with_probabilities(pad, model):
    pad.draw_stroke([(150, 60), (100, 140), (150, 220)])
    np.testing.assert_array_equal(pad.digit, mnist_style(_shrink(pad.drawing)))
    expected = model.predict_proba(prepare_images(pad.digit[None]))[0]
    np.testing.assert_allclose(pad.output, expected, rtol=1e-6)
    assert pad.output.shape == (10,) and abs(pad.output.sum() - 1) < 1e-5
    np.testing.assert_array_equal(pad._img.get_array(), pad.digit)
    heights = [bar.get_height() for bar in pad._bars]
    np.testing.assert_allclose(heights, pad.output)
    best = int(np.argmax(pad.output))
    assert f"says {best}" in pad._bar_title.get_text()
    assert pad._status.value.startswith("Top guesses: " + str(best))


def test_the_same_stroke_anywhere_gives_the_same_digit(pad):
    stroke = np.array([(0, 0), (60, 10), (20, 90)], dtype=float)
    pad.draw_stroke(stroke + (30, 30))
    first = pad.digit.copy()
    pad.clear()
    pad.draw_stroke(stroke + (150, 150))  # moved by a multiple of the 4-pixel blocks
    np.testing.assert_array_equal(pad.digit, first)


def test_clear_empties_the_pad(pad):
    pad.draw_stroke([(50, 50), (200, 200)])
    assert pad.output is not None
    before = pad.png
    pad.controls["clear"].click()
    assert not pad.drawing.any() and not pad.digit.any() and pad.output is None
    assert "empty" in pad._status.value and pad._bar_title.get_text() == "draw a digit in the box"
    assert all(bar.get_height() == 0 for bar in pad._bars)
    assert pad.png != before


def test_the_brush_sets_the_stroke_width(pad):
    pad.controls["brush"].value = 4
    pad.draw_stroke([(140, 40), (140, 240)])
    thin = int(pad.drawing[140].sum())
    pad.clear()
    pad.controls["brush"].value = 30
    pad.draw_stroke([(140, 40), (140, 240)])
    assert thin == 5 and int(pad.drawing[140].sum()) == 31  # a disk of radius brush // 2


def test_mouse_and_touch_events_draw(pad):
    pad._on_down(100, 100)
    pad._on_move(180, 100)
    pad._on_up(180, 100)
    assert pad.drawing[100, 100:181].all() and pad.output is not None
    pad.clear()
    if pad.canvas is None:
        pytest.skip("ipycanvas is not installed")
    pad.canvas._touch_start_callbacks([(60, 60)])
    pad.canvas._touch_move_callbacks([(60, 200), (10, 10)])  # the first finger draws
    pad.canvas._touch_end_callbacks([])
    assert pad.drawing[60:201, 60].all() and not pad.drawing[5:15, 5:15].any()
    assert not pad._drawing_now


def test_moving_without_pressing_does_not_draw(pad):
    pad._on_move(100, 100)
    assert not pad.drawing.any()


def test_shrink_averages_blocks():
    drawing = np.zeros((280, 280))
    drawing[:4, :2] = 1
    small = _shrink(drawing)
    assert small.shape == (70, 70) and small[0, 0] == 0.5 and small.sum() == 0.5
    np.testing.assert_array_equal(_shrink(np.ones((50, 50))), np.ones((50, 50)))


def test_moving_the_brush_slider_reads_the_drawing_again(pad):
    pad.draw_stroke([(70, 50), (210, 50), (120, 240)])
    before = pad.png
    pad.controls["brush"].value = 10
    assert pad.png is not before and pad.output is not None
    steps = list(pad.benchmark_sweep())  # the latency benchmark draws first, then moves it
    assert pad.drawing.any() and {name for name, _ in steps} == {"brush"}


def test_the_pad_writes_each_sample_digit_that_the_trained_network_reads():
    """The keyboard's way to a digit: the sample menu writes it with pen strokes."""
    from cnnlib.explorers.drawing import NO_SAMPLE

    pad = DigitPad()  # the course's trained network
    brush = pad.controls["brush"]
    for width in (brush.min, brush.value, brush.max):
        brush.value = width
        for digit in range(10):
            pad.controls["sample"].value = digit
            assert int(np.argmax(pad.output)) == digit, (digit, width, pad.output)
    pad.controls["sample"].value = NO_SAMPLE
    assert not pad.drawing.any() and pad.output is None


def test_the_brush_repaints_every_stroke_and_clear_removes_the_sample(pad):
    from cnnlib.explorers.drawing import NO_SAMPLE

    pad.controls["brush"].value = 4
    pad.draw_stroke([(140, 40), (140, 240)])
    alone = pad.drawing.sum()
    pad.controls["sample"].value = 4
    assert pad.drawing.sum() > alone and pad.drawing[140].sum() > 5  # the 4 is there too
    pad.controls["sample"].value = NO_SAMPLE
    assert int(pad.drawing[140].sum()) == 5  # the learner's stroke stays
    pad.controls["brush"].value = 30  # a disk of radius 15: 31 pixels wide
    assert int(pad.drawing[140].sum()) == 31 and pad.output is not None
    pad.controls["sample"].value = 7
    pad.clear()
    assert pad.controls["sample"].value == NO_SAMPLE and not pad.drawing.any()
    assert pad._strokes == [] and pad.output is None


def test_the_description_says_what_is_on_the_pad_and_what_the_network_sees(pad):
    text = pad.description
    assert text == (
        "The pad is empty (brush 20 px): the network's 28x28 view is blank and its ten "
        "probability bars are empty."
    )
    pad.draw_stroke([(140, 40), (140, 240)])
    p, digit = pad.output, pad.digit
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    best, second, third = np.argsort(p)[::-1][:3]
    assert pad.description == (
        "On the pad: 1 stroke of yours, brush 20 px. What the network sees: a 28x28 digit, "
        f"ink in rows {rows[0]} to {rows[-1]} and columns {cols[0]} to {cols[-1]} "
        f"({np.count_nonzero(digit)} of 784 pixels). Ten bars of probabilities: the network "
        f"says {best}, {p[best]:.0%} sure (the dark bar); next {second} ({p[second]:.0%}), "
        f"{third} ({p[third]:.0%})."
    )
    assert rows[0] == 4 and rows[-1] == 23  # MNIST's 20-pixel box, centred in 28
    pad.controls["sample"].value = 3
    assert pad.description.startswith("On the pad: the sample 3 and 1 stroke of yours, brush 20")
    before = pad.description
    pad.controls["brush"].value = 34
    assert pad.description != before and "brush 34 px" in pad.description


class _KernelClock:
    """A fake ``time`` module for the pad: the kernel's clock, advanced by hand."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now


def test_a_slow_machine_does_not_fall_behind_the_pen(model, monkeypatch):
    """Mouse moves arrive at 60 per second; one refresh costs 80 ms (a busy shared
    server), more than the 50 ms between refreshes. The events the kernel could not
    take during a refresh wait in its queue. The pad used to count the 50 ms from the
    *start* of the last refresh, so every waiting event found them passed and
    refreshed again: one refresh per event, the queue grew by 63 ms of work per
    event and the picture ended 3.6 s behind a one-second stroke. Counted from the
    *end* of the last refresh, the waiting events are drawn without a refresh and
    the pad catches up within one refresh."""
    from cnnlib.explorers import drawing

    clock = _KernelClock()
    monkeypatch.setattr(drawing, "time", clock)

    class Slow:
        def predict_proba(self, x):
            clock.now += 0.080
            return model.predict_proba(x)

    pad = DigitPad(Slow())
    assert pad.refresh_seconds < 0.080
    refreshes = []
    pad.observe_digit(lambda digit: None)
    pad.update = _counting(pad.update, refreshes)
    pad._on_down(40.0, 140.0)
    arrivals = [k / 60 for k in range(1, 61)]  # one second of moving the pen
    for k, arrival in enumerate(arrivals):
        clock.now = max(clock.now, arrival)  # the kernel takes the event when it is free
        pad._on_move(40.0 + 3 * k, 140.0)
    behind = clock.now - arrivals[-1]
    assert behind <= 0.080 + 1e-9, f"the picture ends {behind:.2f} s behind the pen"
    assert 5 <= len(refreshes) <= 9  # one every 50 ms + 80 ms: ~8 pictures in a second
    pad._on_up(217.0, 140.0)
    assert len(refreshes) <= 10 and pad.output is not None and pad.drawing[140, 40:218].all()


def _counting(method, calls):
    def counted(*args, **kwargs):
        calls.append(1)
        return method(*args, **kwargs)

    return counted
