"""The explorer skeleton: error line instead of traceback, static PNG, frozen layout, fast text."""

from __future__ import annotations

import base64
import io
import zlib

import ipywidgets as widgets
import numpy as np
import PIL.Image
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from cnnlib.explorers._base import Explorer
from cnnlib.explorers._render import TextCachingCanvas as _TextCachingCanvas
from cnnlib.explorers._render import TextCachingRenderer as _TextCachingRenderer
from cnnlib.explorers._render import png_bytes


class Squares(Explorer):
    """A test explorer: shows an n x n grid; n > 5 is 'impossible'."""

    title = "Squares <test>"

    def __init__(self, n=3):
        super().__init__(figsize=(4.0, 3.0), dpi=80)
        self.controls["n"] = widgets.IntSlider(value=n, min=1, max=8)
        self.ax = self.figure.add_subplot()
        self.im = self.ax.imshow(np.zeros((n, n)), vmin=0, vmax=64)
        self.draws = 0
        self._watch()
        self.update()

    def _compute(self):
        n = self.controls["n"].value
        if n > 5:
            raise ValueError(f"n={n} is too big for this test; use n<=5")
        if n == 1:
            raise TypeError("a bug, not an impossible combination")
        return np.arange(n * n, dtype=float).reshape(n, n)

    def _draw(self, result):
        self.draws += 1
        self.im.set_visible(result is not None)
        if result is not None:
            n = len(result)
            self.im.set_data(result)
            self.im.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        self.ax.set_title("x" * self.controls["n"].value)

    def _describe(self, result):
        return f"{result.size} cells"


def decode(png):
    return np.asarray(PIL.Image.open(io.BytesIO(png)))


def test_moving_a_control_recomputes_and_renders():
    ex = Squares()
    first = ex.png
    ex.controls["n"].value = 4
    assert ex.draws == 2
    np.testing.assert_array_equal(ex.output, np.arange(16).reshape(4, 4))
    assert ex.message == ""
    assert ex._status.value == "16 cells"
    assert ex.png != first
    assert ex._image.value == ex.png
    assert ex.last_update_ms > 0


def test_impossible_combination_shows_one_line_and_keeps_controls_alive():
    ex = Squares()
    ex.controls["n"].value = 7  # must not raise
    assert ex.output is None
    assert ex.message == "n=7 is too big for this test; use n<=5"
    assert "Not possible:" in ex._status.value
    assert "use n&lt;=5" in ex._status.value  # HTML-escaped
    assert "Traceback" not in ex._status.value
    assert decode(ex.png).shape == (240, 320, 4)  # still a picture
    ex.controls["n"].value = 2  # and the explorer recovers
    assert ex.message == ""
    np.testing.assert_array_equal(ex.output, [[0, 1], [2, 3]])


def test_bugs_are_not_hidden_as_messages():
    ex = Squares()
    with pytest.raises(TypeError, match="a bug"):
        ex.controls["n"].value = 1


def test_png_is_the_rendered_figure_at_its_fixed_size():
    ex = Squares()
    pixels = decode(ex.png)
    assert pixels.shape == (240, 320, 4)  # figsize (4, 3) at 80 dpi
    np.testing.assert_array_equal(pixels, np.asarray(ex.figure.canvas.buffer_rgba()))
    assert (pixels[..., 3] == 255).all()  # opaque


def test_png_bytes_round_trip():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    png = png_bytes(rgba)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    np.testing.assert_array_equal(decode(png), rgba)


@pytest.mark.parametrize("deflate", ["isal", "zlib"])
def test_png_of_a_2x_frame_has_the_same_pixels_with_either_deflate(deflate, monkeypatch):
    from cnnlib.explorers import _render

    if deflate == "zlib":  # the fallback where isal has no wheel
        monkeypatch.setattr(_render, "_deflate", zlib)
    rng = np.random.default_rng(1)
    rgba = rng.integers(0, 256, size=(990, 331, 4), dtype=np.uint8)
    rgba[:330] = 255  # flat parts, as in a figure, and noise
    png = png_bytes(rgba)
    np.testing.assert_array_equal(decode(png), rgba)
    # a strict decoder checks the stream's header and Adler-32: zlib's own does
    idat = png[33 + 8 : -12 - 4]  # after signature + IHDR and the IDAT header, before CRC
    assert zlib.decompress(idat) == b"".join(b"\x00" + row.tobytes() for row in rgba)


def test_png_is_deflated_by_isal():
    # isal is a dependency: without it every 2x picture takes ~10 ms longer to write
    from isal import isal_zlib

    from cnnlib.explorers import _render

    assert _render._deflate is isal_zlib


def test_title_freezing_relies_on_a_private_attribute_this_matplotlib_has():
    # if this fails, matplotlib changed how it places titles: check
    # cnnlib/explorers/_render.py freeze_title_positions (explorers then only get slower)
    from cnnlib.explorers._render import freeze_title_positions

    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("placed on every draw")
    assert getattr(ax, "_autotitlepos", None) is True
    assert freeze_title_positions(fig) is True
    assert ax._autotitlepos is False


def test_static_fallback_in_mimebundle():
    ex = Squares()
    bundle = ex._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == ex.png
    assert bundle["text/plain"] == "<Squares: move the controls to explore>\n" + ex.description
    assert "application/vnd.jupyter.widget-view+json" in bundle
    ex.controls["n"].value = 5
    assert base64.b64decode(ex._repr_mimebundle_()["image/png"]) == ex.png


def test_widget_holds_title_controls_picture_and_status():
    ex = Squares()
    parts = ex.widget.children
    assert parts[0].value == "<b>Squares &lt;test&gt;</b>"
    assert ex.controls["n"] in parts[1].children
    assert parts[2] is ex._image and parts[3] is ex._status
    assert ex.widget is ex.widget  # built once


def test_picture_shown_at_its_own_width_shrinking_to_the_column_with_its_shape_kept():
    ex = Squares()
    width, height = decode(ex.png).shape[1::-1]
    layout = ex._image.layout
    assert layout.width == f"{width}px"  # the PNG's own pixel width, not scaled up
    assert layout.max_width == "100%"  # a narrower notebook column shrinks it...
    assert layout.height == "auto"  # ...and the height follows: no blank bands
    assert layout.object_fit is None


def test_layout_is_frozen_after_the_first_render():
    ex = Squares()
    assert not isinstance(ex.figure.get_layout_engine(), ConstrainedLayoutEngine)
    position = ex.ax.get_position().bounds
    title_at = ex.ax.title.get_position()
    for n in (5, 2, 7, 3):  # titles of different lengths, an impossible value
        ex.controls["n"].value = n
        assert ex.ax.get_position().bounds == position
        assert ex.ax.title.get_position() == title_at


def _text_figure(canvas_class):
    fig = Figure(figsize=(5, 3.5), dpi=90)
    canvas_class(fig)
    ax = fig.add_subplot()
    ax.imshow(np.arange(25).reshape(5, 5))
    ax.set_title("Title → ⌊(28 − 2) / 2⌋ + 1 = 14", fontweight="bold")
    ax.set_ylabel("rotated label")
    ax.text(1.3, 2.6, "red, tilted", color="red", rotation=30)
    ax.text(0.1, 0.1, r"$\alpha^2$", color="white", transform=ax.transAxes)
    fig.canvas.draw()
    return fig


def test_text_cache_draws_like_matplotlib():
    plain = np.asarray(_text_figure(FigureCanvasAgg).canvas.buffer_rgba()).astype(int)
    cached = np.asarray(_text_figure(_TextCachingCanvas).canvas.buffer_rgba()).astype(int)
    diff = np.abs(plain - cached)
    # the same picture up to a quarter pixel of glyph position (rounding the text
    # to whole pixels instead gives a mean of ~0.8 and over 1000 pixels off by > 64)
    assert diff.mean() < 0.4
    assert (diff.max(axis=-1) > 64).sum() == 0


def test_text_cache_reuses_masks():
    fig = _text_figure(_TextCachingCanvas)
    assert isinstance(fig.canvas.get_renderer(), _TextCachingRenderer)
    before = len(_TextCachingRenderer._masks)
    first = np.asarray(fig.canvas.buffer_rgba()).copy()
    fig.canvas.draw()
    assert len(_TextCachingRenderer._masks) == before  # nothing rendered afresh
    np.testing.assert_array_equal(np.asarray(fig.canvas.buffer_rgba()), first)


def test_titles_stay_where_the_first_render_put_them():
    ex = Squares()
    title_at = ex.ax.title.get_position()
    ex.ax.xaxis.tick_top()  # big tick labels above the axes would push an automatic title up
    ex.ax.tick_params(labelsize=30)
    ex.controls["n"].value = 4
    assert ex.ax.title.get_position() == title_at
