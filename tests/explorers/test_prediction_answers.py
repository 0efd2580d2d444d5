"""Every prediction's answer is what its explorer shows.

For each prediction of the catalogue, the explorer it names is built as a notebook
builds it, the controls the question names (``prediction.settings``) are set, and
what the learner would read (the output, a title, the line under the picture) is
turned into the prediction's kind of answer: a number, or the choice it shows. That
must be the catalogue's expected answer, and every typical wrong prediction must be
something the explorer does *not* show. A prediction without an observer here fails,
so a new prediction cannot be added without checking it against its explorer.

An explorer that is not in cnnlib yet is skipped with a message; its answers are
checked against the core in ``tests/exercises/test_predictions.py``, and the
explorer is held to them here as soon as it lands.
"""

from __future__ import annotations

import functools
import io
import re

import numpy as np
import PIL.Image
import pytest

import cnnlib.explorers
from cnnlib import load_mnist, load_pretrained
from cnnlib.exercises import find_prediction, predictions
from cnnlib.exercises.predictions.training import (
    BOUNCES,
    CRAWLS,
    DIVERGES,
    MOMENTUM,
    WALKS,
)

OBSERVERS = {}


def observes(*ids):
    """Register a function(prediction) -> what the explorer shows, for these ids."""

    def register(function):
        for prediction_id in ids:
            assert prediction_id not in OBSERVERS, prediction_id
            OBSERVERS[prediction_id] = function
        return function

    return register


def explorer_class(prediction):
    cls = getattr(cnnlib.explorers, prediction.explorer, None)
    if cls is None:
        pytest.skip(
            f"{prediction.explorer} is not in cnnlib.explorers yet; its prediction "
            f"{prediction.id!r} is checked against the core in tests/exercises"
        )
    return cls


def apply(explorer, settings):
    """Set the controls in the order the prediction lists them, as a learner would."""
    for name, value in settings.items():
        assert name in explorer.controls, (
            f"{type(explorer).__name__} has no control {name!r}: update the prediction's "
            "settings (or the explorer)"
        )
        explorer.controls[name].value = value
    return explorer


def explore(prediction, *args, **kwargs):
    """The prediction's explorer, built with these arguments, its settings applied."""
    return apply(explorer_class(prediction)(*args, **kwargs), prediction.settings)


def title(axes) -> str:
    return axes.title.get_text()


def jpeg(height, width, seed=0) -> bytes:
    pixels = (np.random.default_rng(seed).random((height, width, 3)) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    PIL.Image.fromarray(pixels).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def browser_upload(control, name, data, kind="image/jpeg"):
    """A file chosen in JupyterLab: the JSON state, through the widget's own deserializer."""
    entry = {"name": name, "type": kind, "size": len(data), "content": memoryview(data)}
    control.set_state({"value": [{**entry, "last_modified": 1_700_000_000_000}]})


# ----------------------------------------------------------------------------
# 00 start here
# ----------------------------------------------------------------------------
@observes("widget-wave-hills")
def _(p):
    e = explore(p)
    wave = e.output
    assert f"frequency = {p.settings['frequency']:g}" == title(e._ax)
    hills = (wave[1:-1] > wave[:-2]) & (wave[1:-1] >= wave[2:]) & (wave[1:-1] > 0.9)
    return int(np.count_nonzero(hills))


# ----------------------------------------------------------------------------
# 01 pixels
# ----------------------------------------------------------------------------
@observes("pixel-background-value")
def _(p):
    e = explore(p)
    assert e.controls["cmap"].value == "gray_r" and np.ptp(e.output) == 0  # blank paper
    return int(e.output[0, 0])


@observes("pixel-colour-map-numbers")
def _(p):
    e = explorer_class(p)(size=10)
    before = e.output.copy()
    apply(e, p.settings)
    assert before.size == 100
    return int(np.count_nonzero(e.output != before))


@observes("pixel-upload-height")
def _(p):
    e = explore(p)
    browser_upload(e.controls["upload"], "phone.jpg", jpeg(1536, 2048))
    shown = re.search(r"(\d+) x (\d+) pixels", title(e._ax_all))
    assert e.message == "" and shown, title(e._ax_all)
    return int(shown.group(1))


@observes("pixel-upload-numbers-per-pixel")
def _(p):
    e = explore(p)
    browser_upload(e.controls["upload"], "colour.jpg", jpeg(300, 400))
    assert "grayscale" in e.controls["source"].value
    return 1 if e.output.ndim == 2 else e.output.shape[-1]


@observes("channel-red-off-white")
def _(p):
    e = explore(p)
    photo = e._photo
    rows, cols = np.nonzero(photo.min(axis=2) > 235)  # white: all three lights on
    assert rows.size > 100
    pixels = e.output[rows, cols].astype(int)
    r, g, b = pixels.mean(axis=0)
    if max(r, g, b) < 40:
        return "black"
    if r < 40 and g > 200 and b > 200:
        return "cyan (green + blue)"
    if r > 200 and g > 200 and b > 200:
        return "they stay white"
    return "red" if r > 200 else f"something else: {(r, g, b)}"


@observes("resolution-factor-8-numbers")
def _(p):
    e = explore(p)
    assert f"{e.output.size:,} numbers" in title(e._ax_after)
    return e.output.size


@observes("resolution-factor-2-share")
def _(p):
    e = explore(p)
    share = e.output.size / e._images[e.controls["source"].value].size
    assert "(25.0% of them)" in e._status.value
    return {0.5: "a half", 0.25: "a quarter", 0.125: "an eighth"}[share]


@observes("edit-wrap-bright")
def _(p):
    e = explore(p)
    original = e._images[e.controls["source"].value]
    bright = e.output[original >= 200].astype(float)
    assert bright.size > 100
    if bright.min() >= 250:
        return "they stay white (stuck at 255)"
    if bright.max() < 100:
        return "they turn dark"
    return "they turn middle gray" if abs(bright.mean() - 128) < 30 else "mixed"


@observes("edit-contrast-zero")
def _(p):
    e = explore(p)
    values = np.unique(e.output)
    assert values.size == 1, values
    return int(values[0])


@observes("shift-smallest-farther")
def _(p):
    e = explorer_class(p)()
    apply(e, {k: v for k, v in p.settings.items() if k != "right"})
    for pixels in range(0, e.MAX_SHIFT + 1):
        e.controls["right"].value = pixels
        if "farther than the closest different handwritten" in e._status.value:
            return f"{pixels} pixel" + ("s" if pixels > 1 else "")
    return "never: a moved 4 stays closer"


# ----------------------------------------------------------------------------
# 02 convolution
# ----------------------------------------------------------------------------
@observes("template-moved-x")
def _(p):
    e = explore(p)
    best = e.best["cross x"]
    assert f"Best: <b>{best:.2f}</b>" in e._status.value
    if np.isclose(best, 1):
        return "1: a perfect match, somewhere else"
    return "a little below 1" if best > 0.5 else "about 0: the template no longer fits"


@observes("conv-angle-180")
def _(p):
    e = explorer_class(p)(
        image="shapes (32x32)", preset="oriented edge (angle)", size=5, padding="same", angle=45
    )
    before = e.output.copy()
    apply(e, p.settings)
    after = e.output
    if np.allclose(after, before):
        return "nothing changes"
    if np.allclose(after, -before):
        return "red and blue swap places"
    if np.allclose(after, before[::-1, ::-1]) or np.allclose(after, before[::-1]):
        return "the map turns upside down"
    return "the map becomes 0 everywhere" if not after.any() else "something else"


@observes("conv-stride-2-padding-1", "conv-dilation-2")
def _(p):
    e = explore(p)
    rows, cols = e.output.shape
    assert rows == cols and title(e._ax_out) == f"feature map {rows}x{cols}"
    assert f"= <b>{rows}</b>" in e._status.value  # the formula under the picture agrees
    return rows


@observes("conv-same-stride-2")
def _(p):
    e = explore(p)
    if e.output is None:
        assert e.message and "Not possible" in e._status.value
        return "not possible"
    return f"{e.output.shape[0]} x {e.output.shape[1]}"


@observes("conv-upload-width")
def _(p):
    e = explore(p)
    browser_upload(e.controls["upload"], "wide.jpg", jpeg(900, 1200))
    assert e.message == "" and e.settings == {"stride": 1, "padding": "valid", "dilation": 1}
    assert e.kernel.shape == (3, 3)
    columns = e.output.shape[1]
    assert "width: " in e._status.value and f"= <b>{columns}</b>" in e._status.value
    return columns


@observes("stepper-stride-2-positions")
def _(p):
    e = explore(p)
    shown = re.search(r"Position 1 of (\d+)", e._status.value)
    assert shown and int(shown.group(1)) == e.output.size
    return e.output.size


@observes("stepper-perfect-match")
def _(p):
    e = explore(p)
    best = 0.0
    for position in range(e.controls["position"].max + 1):  # as the play button does
        e.controls["position"].value = position
        best = max(best, e.total)
    return best


# ----------------------------------------------------------------------------
# 03 pooling
# ----------------------------------------------------------------------------
@observes("pool-window-3-stride-2")
def _(p):
    e = explore(p)
    rows, cols = e.output.shape
    assert rows == cols and f"= {rows}" in e._status.value
    return rows


@observes("pool-shift-change")
def _(p):
    e = explore(p)
    before, after = e.change["feature map"], e.change["pooled map"]
    assert f"the pooled map {100 * after:.0f}%" in e._status.value
    assert 0.5 < before < 1.0  # "about three quarters", as the question says
    ratio = after / before
    if after == 0:
        return "0%: pooling hides the shift"
    if 0.3 <= ratio <= 0.75:
        return "less: about half as much"
    return "about as much as the edge map" if ratio <= 1.1 else "more than the edge map"


# ----------------------------------------------------------------------------
# 04 activations
# ----------------------------------------------------------------------------
def _share(value):
    if value < 0.1:
        return "almost none"
    if 0.3 <= value <= 0.7:
        return "about half"
    return "almost all" if value > 0.85 else f"{value:.0%}"


@observes("relu-sparsity-photo", "sigmoid-zeros")
def _(p):
    e = explore(p)
    assert f"{e.sparsity:.0%} exactly 0" in title(e._ax_a)
    return _share(e.sparsity)


@observes("relu-bias-minus-1")
def _(p):
    e = explore(p)
    after = e.sparsity
    e.controls["bias"].value = 0.0
    before = e.sparsity
    return "it grows" if after > before else "it shrinks" if after < before else "it stays the same"


@observes("relu-box-blur")
def _(p):
    e = explore(p)
    changed = np.count_nonzero(e.output != e.feature_map) / e.output.size
    if changed == 0:
        return "none: ReLU changes nothing"
    return "all of them" if changed == 1 else "about half"


# ----------------------------------------------------------------------------
# 05 the dense classifier
# ----------------------------------------------------------------------------
@observes("handwired-dot")
def _(p):
    e = explore(p)
    horizontal = float(e.output[0])
    assert f"with probability {horizontal:.1%}" in e._status.value or "50/50" in e._status.value
    return horizontal


@observes("handwired-moved-bar")
def _(p):
    e = explorer_class(p)()
    h_before, said_before = float(e.trace.features[0]), e.trace.prediction
    apply(e, p.settings)
    h, said = float(e.trace.features[0]), e.trace.prediction
    assert h_before == 3 and f"h = {h:.2f}" in e._status.value
    if h == h_before and said == said_before:
        return "h stays 3: still horizontal, as sure as before"
    return "h drops to 0: it says vertical" if h == 0 else "h gets smaller: less sure"


@observes("classifier-temperature")
def _(p):
    images, labels = load_mnist("test")
    e = explorer_class(p)(load_pretrained(), images, labels, image_cmap="gray_r")
    changed = 0
    for index in range(0, 1000, 50):
        e.controls["index"].value = index
        for temperature in (0.1, 1.0, 10.0):
            e.controls["temperature"].value = temperature
            changed += int(np.argmax(e.output)) != e.prediction or (
                f"prediction: <b>{e.class_names[e.prediction]}</b>" not in e._status.value
            )
    apply(e, p.settings)
    return "it never changes" if changed == 0 else "it changes for some digits"


@observes("classifier-feature-zeros")
def _(p):
    images, labels = load_mnist("test")
    e = explorer_class(p)(load_pretrained(), images, labels, image_cmap="gray_r")
    shares = []
    for index in (0, 1, 2, 3, 4):  # "step through a few digits"
        e.controls["index"].value = index
        shares.append(np.mean(e.features == 0))
    apply(e, p.settings)
    share = float(np.mean(shares))
    if share == 0:
        return "none"
    if share < 0.1:
        return "a few (under 10%)"
    return "almost all (over 90%)" if share > 0.9 else "about half"


# ----------------------------------------------------------------------------
# 06 training
# ----------------------------------------------------------------------------
@observes("descent-lr-1.1", "descent-lr-0.9", "descent-lr-0.01")
def _(p):
    e = explore(p)
    assert e.controls["learning_rate"].value == pytest.approx(p.settings["learning_rate"])
    outcome, path = e.verdict.outcome, e.output[:, 0]
    assert outcome.split()[0][:7] in e._status.value  # the line under the picture says it
    if outcome == "diverged":
        return DIVERGES
    if outcome == "crawling":
        return CRAWLS
    return BOUNCES if np.any(np.sign(path[1:]) * np.sign(path[:-1]) < 0) else WALKS


@observes("descent-narrow-momentum")
def _(p):
    e = explore(p)
    with_momentum = float(re.search(r"\(([\d.]+) above", e._status.value).group(1))
    e.controls["momentum"].value = 0.0
    without = float(re.search(r"\(([\d.]+) above", e._status.value).group(1))
    if with_momentum < without / 2:
        return MOMENTUM[0]
    return MOMENTUM[2] if with_momentum > 2 * without else MOMENTUM[1]


@functools.cache
def one_epoch():
    """The default dashboard (the notebook's network and digits) after one epoch (a few s)."""
    dashboard = cnnlib.explorers.TrainingDashboard()
    apply(dashboard, find_prediction("training-first-epoch-accuracy").settings)
    dashboard.controls["start"].click()  # trains the slider's epochs, in the foreground
    assert len(dashboard.history.epoch) == 1 and len(dashboard.history.batch_loss) == 110
    return dashboard


@observes("training-first-loss")
def _(p):
    dashboard = one_epoch()
    x, y = dashboard.curves["loss (each batch)"]
    first = float(np.mean(y[:5]))  # where the thin blue curve begins
    assert x[0] < 0.05  # at the left end
    return min(p.choices, key=lambda c: abs(np.log(float(c.split()[-1]) / first)))


@observes("training-first-epoch-accuracy")
def _(p):
    dashboard = one_epoch()
    # the question's numbers are the dashboard's: 3,500 digits, 110 batches, 500 to validate
    assert f"{len(dashboard.x):,} training digits: {dashboard.batches} mini-batches" in (p.question)
    assert f"{len(dashboard.validation_data[0])} validation digits" in p.question
    accuracy = dashboard.history.val_accuracy[0]
    assert f"validation accuracy {accuracy:.1%}" in dashboard._status.value
    if accuracy < 0.2:
        return "about 10% (still guessing)"
    if accuracy < 0.8:
        return "about 50%"
    return "above 99%" if accuracy >= 0.99 else "between 90% and 99%"


# ----------------------------------------------------------------------------
# 07 inside the network
# ----------------------------------------------------------------------------
@observes("feature-maps-last-size")
def _(p):
    images, labels = load_mnist("test")
    e = explore(p, load_pretrained(), images, labels)
    maps = [out for _, _, out in e.output if out.ndim == 4]
    side = maps[-1].shape[-1]
    assert any(f"maps of {side}\u00d7{side}" in ax.get_title() for ax in e.figure.axes)
    return side


@observes("feature-maps-relu-negatives")
def _(p):
    images, labels = load_mnist("test")
    e = explore(p, load_pretrained(), images, labels)
    negatives = 0
    for index in (0, 7, 42):
        e.controls["index"].value = index
        negatives += sum(
            int((out < 0).sum()) for _, layer, out in e.output if type(layer).__name__ == "ReLU"
        )
    return "none" if negatives == 0 else "some"


@observes("mistakes-count")
def _(p):
    images, labels = load_mnist("test")
    e = explore(p, load_pretrained(), images, labels)
    count = len(e.mistakes)
    assert f"{count} of 1,000 digits are wrong" in e._status.value
    return min(p.choices, key=lambda c: abs(np.log(float(c.split()[-1]) / count)))


def _ink_box(digit):
    rows = np.flatnonzero(digit.any(axis=1))
    cols = np.flatnonzero(digit.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@observes("pad-small-digit")
def _(p):
    e = explore(p, load_pretrained())
    e.draw_stroke([(20, 20), (55, 20), (30, 65)])  # a small 7 in the top-left corner
    height, width = _ink_box(e.digit)
    rows, cols = np.nonzero(e.digit)
    weights = e.digit[rows, cols].astype(float)
    centre = (np.average(rows, weights=weights), np.average(cols, weights=weights))
    if max(height, width) == 28:
        return p.choices[2]
    if abs(centre[0] - 13.5) < 2 and abs(centre[1] - 13.5) < 2 and max(height, width) >= 18:
        assert max(height, width) == 20
        return p.choices[1]
    return p.choices[0]


@observes("photo-digit-size")
def _(p):
    e = explore(p, load_pretrained())
    sides = []
    for name in e.controls["photo"].options:  # every example photo
        e.controls["photo"].value = name
        sides.append(max(_ink_box(e.digit)))
    assert len(set(sides)) == 1, sides
    return sides[0]


@observes("occlusion-map-size")
def _(p):
    images, labels = load_mnist("test")
    e = explore(p, load_pretrained(), images, labels)
    rows, cols = e.output.drops.shape
    assert rows == cols and f": {rows}\u00d7{cols}" in title(e._ax_occlusion)
    return rows


@observes("occlusion-empty-corner")
def _(p):
    images, labels = load_mnist("test")
    e = explore(p, load_pretrained(), images, labels)
    patch = e.controls["patch"].value
    corner = e.output.image[:patch, :patch]
    assert not corner.any()  # the corner is blank paper
    drop = e.output.drops[0, 0]
    return "not at all: exactly 0" if drop == 0 else "a little" if abs(drop) < 0.05 else "a lot"


@observes("occlusion-seven-as-one")
def _(p):
    images, labels = load_mnist("test")
    e = explore(p, load_pretrained(), images, labels)
    assert labels[p.settings["index"]] == 7 and e.output.answer == 7
    found = re.search(
        r"Covering rows (\d+)-(\d+), columns (\d+)-(\d+) raises P\(1\) most", e._status.value
    )
    if found is None:  # "No patch raises P(1) ..."
        return p.choices[2]
    top, bottom, left, right = (int(g) for g in found.groups())
    from matplotlib.colors import to_rgba

    from cnnlib.explorers.attribution import RAISES_COLOR

    assert e._strongest.get_edgecolor() == to_rgba(RAISES_COLOR)  # blue square: it raises P
    row, column = (top + bottom) / 2, (left + right) / 2
    ink = e.output.image > 0
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    height = rows[-1] - rows[0]
    if row <= rows[0] + height / 3 and column < (columns[0] + columns[-1]) / 2:
        return p.choices[0]  # over the left part of the bar
    if row >= rows[0] + 2 * height / 3:
        return p.choices[1]
    return f"elsewhere: rows {top}-{bottom}, columns {left}-{right}"


@observes("builder-valid-blocks")
def _(p):
    e = explore(p, runs=[])
    assert not e.message, e.message
    e.controls["blocks"].value = p.settings["blocks"] + 1
    assert e.message, "a block too many should be explained in one line"
    return p.settings["blocks"]


@observes("builder-dense-parameters")
def _(p):
    e = explore(p, runs=[])
    row = e.output.rows[-1]  # the dense layer's row of the layer table
    assert row["type"] == "Dense" and f"{row['params']:,}" in e._layer_table.value
    dense = e.build().layers[-1]  # and the network Train builds has that many
    assert sum(int(np.size(v)) for v in dense.params.values()) == row["params"]
    return row["params"]


@observes("builder-multiply-adds")
def _(p):
    e = explore(p, runs=[])
    first, second = (r["multiply_adds"] for r in e.output.rows if r["type"] == "Conv2D")
    assert f"{first:,}" in e._layer_table.value and f"{second:,}" in e._layer_table.value
    choices = p.choices  # conv 1, conv 2, both the same
    return choices[0] if first > second else choices[1] if second > first else choices[2]


# ----------------------------------------------------------------------------
# the tests
# ----------------------------------------------------------------------------
IDS = [p.id for p in predictions()]


def test_every_prediction_is_checked_against_its_explorer():
    assert set(OBSERVERS) == set(IDS)


@pytest.mark.filterwarnings("ignore:.*:UserWarning")
@pytest.mark.parametrize("prediction_id", IDS)
def test_the_explorer_shows_the_expected_answer(prediction_id):
    prediction = find_prediction(prediction_id)
    shown = OBSERVERS[prediction_id](prediction)
    wrong = [m.compute() for m in prediction.mistakes]
    if prediction.choices:
        assert shown == prediction.expected, (prediction.id, shown)
        assert shown not in wrong
        assert prediction.expected in prediction.choices
    else:
        assert shown == pytest.approx(prediction.expected, abs=prediction.tolerance + 1e-9), (
            prediction.id,
            shown,
        )
        for value in wrong:
            assert abs(shown - value) > prediction.tolerance, (prediction.id, value)
