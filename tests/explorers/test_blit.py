"""BlitExplorer: a partial redraw equals a full draw, and only the most recently
used backgrounds are kept."""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
import PIL.Image

from cnnlib.explorers._base import Explorer
from cnnlib.explorers._blit import BlitExplorer


class Shelves(BlitExplorer):
    """A test explorer: the background (axis limits) depends on ``scale``; a dot
    moves with ``x`` over it."""

    max_backgrounds = 3

    def __init__(self):
        super().__init__(figsize=(3.0, 2.0), dpi=60)
        self.controls["scale"] = widgets.IntSlider(value=1, min=1, max=9)
        self.controls["x"] = widgets.FloatSlider(value=0.5, min=0.0, max=1.0)
        self.ax = self.figure.add_subplot()
        (self.dot,) = self.ax.plot([0.5], [0.5], "o")
        self.background_draws = 0
        self._watch()
        self.update()

    def _compute(self):
        return self.controls["scale"].value, self.controls["x"].value

    def _draw(self, result):
        scale, x = result
        self.ax.set_xlim(0, scale)
        self.ax.set_title(f"scale {scale}")
        self.dot.set_data([x * scale], [0.5])

    def _dynamic_artists(self):
        return [self.dot]

    def _background_key(self):
        key = self.controls["scale"].value
        if (self.figure.dpi, key) not in getattr(self, "_backgrounds", {}):  # kept per dpi
            self.background_draws += 1
        return key


def _pixels(explorer):
    return np.asarray(PIL.Image.open(io.BytesIO(explorer.png)))


def _kept(explorer):
    """The background keys kept, least recently used first (each is (dpi, key))."""
    assert {dpi for dpi, _ in explorer._backgrounds} <= {explorer.figure.dpi}
    return [key for _, key in explorer._backgrounds]


def test_only_the_most_recently_used_backgrounds_are_kept():
    e = Shelves()
    for scale in (2, 3, 4):
        e.controls["scale"].value = scale
    assert _kept(e) == [2, 3, 4]  # 1 was the least recently used
    e.controls["scale"].value = 2  # reused: becomes the most recent, nothing drawn
    draws = e.background_draws
    e.controls["scale"].value = 5  # evicts 3, not 2
    assert _kept(e) == [4, 2, 5]
    assert e.background_draws == draws + 1
    e.controls["scale"].value = 3  # evicted earlier: drawn again, evicts 4
    assert _kept(e) == [2, 5, 3]
    assert e.background_draws == draws + 2


def test_a_redrawn_background_gives_the_same_picture_as_a_full_draw():
    e = Shelves()
    for scale in (2, 3, 4, 5, 2, 1):
        e.controls["scale"].value = scale
        e.controls["x"].value = scale / 10
        fast = _pixels(e)
        Explorer.render(e)
        assert np.array_equal(fast, _pixels(e)), f"scale={scale}"
    assert len(e._backgrounds) == e.max_backgrounds


def test_dropped_backgrounds_are_drawn_again_with_what_changed_outside_the_key():
    e = Shelves()
    e.ax.set_ylim(0, 2)  # a change the background key does not know about
    e.controls["x"].value = 0.2
    stale = _pixels(e)  # the old background, with the old y axis
    e.drop_backgrounds()
    draws = e.background_draws
    e.controls["x"].value = 0.3
    e.controls["x"].value = 0.2
    assert e.background_draws == draws + 1  # drawn once, then reused
    fresh = _pixels(e)
    Explorer.render(e)
    assert np.array_equal(fresh, _pixels(e))
    assert not np.array_equal(fresh, stale)


def test_a_new_pixel_density_draws_new_backgrounds():
    from cnnlib.explorers import set_pixel_density

    e = Shelves()
    try:
        set_pixel_density(2)
        assert _pixels(e).shape == (240, 360, 4)  # 3 x 2 inches at 60 dpi, twice
        e.controls["x"].value = 0.9
        fast = _pixels(e)
        Explorer.render(e)
        assert np.array_equal(fast, _pixels(e))
    finally:
        set_pixel_density("auto")
