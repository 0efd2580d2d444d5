"""Every explorer, headless: a description that follows the picture, named controls, the
bridge in its box, a static fallback with alt text, and the HiDPI pixel density.

Parametrized over every Explorer subclass cnnlib exports, so an explorer added
later is held to the same rules. The explorers not done yet are listed in
tests/a11y_todo.py (one per line); an explorer listed there that already
passes makes the test fail, so the lists only shrink.
"""

from __future__ import annotations

import base64
import html
import io
import re
import sys
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import PIL.Image
import pytest
from scipy.ndimage import uniform_filter

import cnnlib.explorers
from cnnlib.explorers import _render, set_pixel_density
from cnnlib.explorers._a11y import AccessibilityBridge, DescribedImage, unnamed_controls
from cnnlib.explorers._base import Explorer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from a11y_todo import NOT_DESCRIBED, PENDING_EXPLORERS, UNNAMED_CONTROLS  # noqa: E402

NAMES = sorted(
    name
    for name in cnnlib.explorers.__all__
    if isinstance(getattr(cnnlib.explorers, name), type)
    and issubclass(getattr(cnnlib.explorers, name), Explorer)
    and getattr(cnnlib.explorers, name) is not Explorer
)
CHOICES = (
    widgets.Dropdown,
    widgets.ToggleButtons,
    widgets.RadioButtons,
    widgets.Select,
    widgets.SelectionSlider,
)
_made: dict[str, Explorer] = {}


def make(name: str) -> Explorer:
    """The explorer with its default (or benchmark) arguments, made once per session."""
    if name not in _made:
        cls = getattr(cnnlib.explorers, name)
        kwargs = getattr(cls, "benchmark_kwargs", {})
        _made[name] = cls(**(kwargs() if callable(kwargs) else kwargs))
    return _made[name]


def other_values(control):
    """Values to try for a control, other than its current one."""
    if isinstance(control, CHOICES):
        return [value for value in control._options_values if value != control.value]
    if isinstance(control, widgets.Checkbox | widgets.ToggleButton):
        return [not control.value]
    if isinstance(control, widgets.IntSlider | widgets.FloatSlider | widgets.FloatLogSlider):
        return [x for x in (control.max, control.min) if x != control.value]
    return []


def move_until_the_picture_changes(explorer):
    """Set controls one by one until the PNG changes; return (control name, value)."""
    for name, control in explorer.controls.items():
        for value in other_values(control):
            before = explorer.png
            control.value = value
            if explorer.png != before and explorer.output is not None:
                return name, value
    if hasattr(explorer, "draw_stroke"):  # a drawing pad: draw a stroke
        explorer.draw_stroke([(90, 40), (140, 40), (140, 240)])
        return "drawing", "a stroke"
    return None


@pytest.fixture(autouse=True)
def automatic_density(monkeypatch):
    """Every test starts and ends with the automatic pixel density at 1."""
    monkeypatch.delenv(_render.DENSITY_VARIABLE, raising=False)
    set_pixel_density("auto")
    monkeypatch.setattr(_render, "_display", 1.0)
    yield
    set_pixel_density("auto")


def test_the_allowlists_name_explorers():
    for listed in (NOT_DESCRIBED, UNNAMED_CONTROLS):
        assert listed - set(NAMES) <= PENDING_EXPLORERS, listed - set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_description_says_what_the_picture_shows_and_follows_it(name):
    explorer = make(name)
    own = type(explorer)._describe_picture is not Explorer._describe_picture
    if name in NOT_DESCRIBED:
        assert not own, f"{name} describes its picture: delete it from NOT_DESCRIBED"
    else:
        assert own, f"{name} needs its own _describe_picture (or a line in NOT_DESCRIBED)"
    text = explorer.description
    assert text.strip() and text == " ".join(text.split()), repr(text)
    assert not re.search(r"<[a-z/]", text), f"plain text, not HTML: {text!r}"
    assert len(text) <= 800, f"{len(text)} characters: say less ({text[:100]!r}...)"
    assert explorer._image.alt == text  # on the live picture, as its title
    if isinstance(explorer.output, np.ndarray) and explorer.output.ndim == 2 and own:
        h, w = explorer.output.shape
        assert f"{h}x{w}" in text, f"the result is {h}x{w}; the description does not say so"

    moved = move_until_the_picture_changes(explorer)
    if moved is None:
        pytest.skip(f"{name}: no menu, slider or checkbox changes its picture (only training)")
    if own:
        assert explorer.description != text, f"moving {moved} left the description as it was"
    assert explorer._image.alt == explorer.description


@pytest.mark.parametrize("name", NAMES)
def test_every_control_has_a_name(name):
    problems = unnamed_controls(make(name).widget)
    if name in UNNAMED_CONTROLS:
        assert problems, f"{name}'s controls are all named: delete it from UNNAMED_CONTROLS"
    else:
        assert problems == []


@pytest.mark.parametrize("name", NAMES)
def test_the_box_holds_the_bridge_and_a_described_picture(name):
    explorer = make(name)
    box = explorer.widget
    assert "cnn-explorer" in box._dom_classes
    assert isinstance(box.children[-1], AccessibilityBridge)
    assert box.children[-1] is explorer._bridge
    assert isinstance(explorer._image, DescribedImage)
    assert "cnn-figure" in explorer._image._dom_classes
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget
    alt = re.search(r'alt="([^"]*)"', bundle["text/html"]).group(1)
    assert html.unescape(alt) == explorer.description
    png = base64.b64decode(bundle["image/png"])
    assert bundle["text/html"].count(bundle["image/png"]) == 1
    assert explorer.description in bundle["text/plain"]
    assert png == explorer.static_png()


def _png_width(png: bytes) -> int:
    return PIL.Image.open(io.BytesIO(png)).size[0]


@pytest.mark.parametrize("name", ["WidgetCheck", "ConvolutionExplorer", "PoolingExplorer"])
def test_pixel_density_two_doubles_the_pixels_and_keeps_the_size_on_the_page(name):
    cls = getattr(cnnlib.explorers, name)
    explorer = cls()
    css = explorer._image.layout.width
    width = _png_width(explorer.png)
    assert css == f"{width}px" and explorer.pixel_density == 1
    text = explorer.description
    set_pixel_density(2)  # applies to explorers already shown
    assert explorer.pixel_density == 2
    assert _png_width(explorer.png) == 2 * width
    assert explorer._image.layout.width == css
    assert explorer.description == text
    assert f'width="{width}"' in explorer._repr_mimebundle_()["text/html"]
    later = cls()  # and to explorers made later
    assert _png_width(later.png) == 2 * width and later._image.layout.width == css
    control = next(c for c in later.controls.values() if other_values(c))
    control.value = other_values(control)[0]
    assert _png_width(later.png) == 2 * width  # updates stay at 2x
    set_pixel_density(1)
    assert _png_width(explorer.png) == width and _png_width(later.png) == width


def test_the_picture_at_2x_is_the_same_picture():
    small = cnnlib.explorers.PoolingExplorer().png
    set_pixel_density(2)
    large = cnnlib.explorers.PoolingExplorer().png
    a = np.asarray(PIL.Image.open(io.BytesIO(small)).convert("L"), dtype=float)
    b = np.asarray(PIL.Image.open(io.BytesIO(large)).convert("L"), dtype=float)
    b = b.reshape(a.shape[0], 2, a.shape[1], 2).mean(axis=(1, 3))  # 2x2 pixels -> 1
    # the same layout: text and lines are drawn with finer antialiasing and hinting,
    # nothing moves. A 3x3 blur of both evens out the antialiasing (raw: 6.7 here),
    # not a move: 4.1 as drawn, 5.6 if everything sat 1 px further right, 8.4 at 2 px
    a, b = uniform_filter(a, 3), uniform_filter(b, 3)
    assert np.mean(np.abs(a - b)) < 5


def test_the_display_s_pixel_ratio_switches_to_2x_unless_a_density_was_chosen(monkeypatch):
    explorer = cnnlib.explorers.WidgetCheck()
    width = _png_width(explorer.png)
    explorer._bridge.device_pixel_ratio = 2.0  # as the browser reports it
    assert explorer.pixel_density == 2 and _png_width(explorer.png) == 2 * width
    assert _png_width(cnnlib.explorers.WidgetCheck().png) == 2 * width  # remembered
    explorer._bridge.device_pixel_ratio = 1.0  # the window moved to a normal screen
    assert explorer.pixel_density == 1
    set_pixel_density(1)  # chosen: the display no longer decides
    explorer._bridge.device_pixel_ratio = 3.0
    assert explorer.pixel_density == 1
    set_pixel_density("auto")
    monkeypatch.setenv(_render.DENSITY_VARIABLE, "2")  # a class's setting
    assert cnnlib.explorers.WidgetCheck().pixel_density == 2
    monkeypatch.setenv(_render.DENSITY_VARIABLE, "auto")
    assert cnnlib.explorers.pixel_density() == 2  # the display's again: it last reported 3
    monkeypatch.setenv(_render.DENSITY_VARIABLE, "two")
    with pytest.raises(ValueError, match=r"CNN_PIXEL_DENSITY must be a number from 1 to 4"):
        cnnlib.explorers.WidgetCheck()
    monkeypatch.delenv(_render.DENSITY_VARIABLE)


@pytest.mark.parametrize(
    ("value", "error", "pattern"),
    [
        (0.5, ValueError, r"density must be in \[1, 4\], but is 0.5; 1 is a normal screen"),
        (8, ValueError, r"density must be in \[1, 4\], but is 8"),
        (float("nan"), ValueError, r"density must be a finite number"),
        ("big", ValueError, r"density must be a number from 1 to 4 or 'auto', but is 'big'"),
        (None, TypeError, r"density must be a number, but is None"),
    ],
)
def test_a_bad_density_is_refused_with_a_sentence(value, error, pattern):
    with pytest.raises(error, match=pattern):
        set_pixel_density(value)
