"""At pixel density 2, a control moved in the browser gets a quick 1x picture first and
the sharp one when it rests (cnnlib.explorers._render.QuickWhileMoving).

A kernel is imitated by what the code asks of it: a running asyncio loop (the
kernel's event loop) and ``control_moving()`` (the kernel is answering a widget
message). The pictures are compared with those of an explorer that only ever
draws at one density, pixel for pixel.
"""

from __future__ import annotations

import asyncio
import io
import types

import numpy as np
import PIL.Image
import pytest

from cnnlib.explorers import ConvolutionExplorer, PoolingExplorer, _render
from cnnlib.explorers._base import Explorer
from cnnlib.explorers._busy_kernel import running_kernel

from .test_blit import Shelves


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(PIL.Image.open(io.BytesIO(png)))


def _at_two(explorer):
    explorer._apply_pixel_density(2)  # as when the browser reports devicePixelRatio 2
    return explorer


@pytest.fixture
def moving(monkeypatch):
    """The kernel is answering a widget message (a learner moved a control)."""
    monkeypatch.setattr(_render, "control_moving", lambda: True)


def test_a_moved_control_shows_the_1x_picture_then_the_sharp_one_at_rest(moving):
    e, at_one, at_two = _at_two(Shelves()), Shelves(), _at_two(Shelves())

    async def move_then_rest():
        e.controls["x"].value = 0.8
        at_one.controls["x"].value = 0.8
        quick = _pixels(e.png)
        assert e._quick.pending
        await asyncio.sleep(_render.SHARPEN_AFTER + 0.1)
        return quick

    quick = asyncio.run(move_then_rest())
    assert quick.shape == (120, 180, 4)  # 3 x 2 inches at 60 dpi: the page's size
    assert np.array_equal(quick, _pixels(at_one.png))  # as an explorer that stays at 1x
    assert not e._quick.pending
    at_two.controls["x"].value = 0.8
    assert np.array_equal(_pixels(e.png), _pixels(at_two.png))  # then as one that stays at 2x


def test_the_sharp_picture_waits_until_the_control_rests(moving):
    e = _at_two(Shelves())
    renders = []
    real_render = e.render
    e.render = lambda: (renders.append(e.figure.dpi), real_render())[1]

    async def drag():
        for x in (0.1, 0.2, 0.3, 0.4):
            e.controls["x"].value = x
            await asyncio.sleep(_render.SHARPEN_AFTER / 4)  # moves come faster than the rest
        await asyncio.sleep(_render.SHARPEN_AFTER + 0.1)

    asyncio.run(drag())
    assert renders == [60, 60, 60, 60, 120]  # four quick pictures, one sharp one at the end
    assert _pixels(e.png).shape == (240, 360, 4)


def test_updates_from_code_and_at_density_one_are_drawn_sharp_at_once(monkeypatch):
    e = _at_two(Shelves())
    flat = Shelves()

    async def from_a_cell():
        monkeypatch.setattr(_render, "control_moving", lambda: False)  # an execute_request
        e.controls["x"].value = 0.3
        monkeypatch.setattr(_render, "control_moving", lambda: True)
        flat.controls["x"].value = 0.3  # density 1: nothing quicker to show

    asyncio.run(from_a_cell())
    assert _pixels(e.png).shape == (240, 360, 4) and not e._quick.pending
    assert _pixels(flat.png).shape == (120, 180, 4) and not flat._quick.pending


def test_without_an_event_loop_the_picture_is_sharp_at_once(moving):
    e = _at_two(Shelves())  # plain Python, a test, a benchmark: no kernel loop
    e.controls["x"].value = 0.3
    assert _pixels(e.png).shape == (240, 360, 4) and not e._quick.pending


def test_the_static_picture_saved_in_the_notebook_is_the_sharp_one(moving):
    e = _at_two(Shelves())

    async def move_and_save():
        e.controls["x"].value = 0.6
        assert _pixels(e.png).shape == (120, 180, 4)
        return e._repr_mimebundle_()

    bundle = asyncio.run(move_and_save())
    assert _pixels(e.png).shape == (240, 360, 4) and not e._quick.pending
    assert 'width="180"' in bundle["text/html"]  # shown at its size on the page


@pytest.mark.parametrize("cls", [ConvolutionExplorer, PoolingExplorer])
def test_real_explorers_quick_pictures_equal_their_1x_pictures(cls, moving):
    e, at_one = _at_two(cls()), cls()
    name = "stride" if "stride" in e.controls else next(iter(e.controls))
    control = e.controls[name]
    values = [v for v in getattr(control, "options", None) or (control.min, control.max)]

    async def moves():
        for value in values[-1:] + values[:1]:
            value = value[1] if isinstance(value, tuple) else value
            control.value = value
            at_one.controls[name].value = value
            assert np.array_equal(_pixels(e.png), _pixels(at_one.png)), value
            assert e.description == at_one.description  # the words do not wait
        await asyncio.sleep(_render.SHARPEN_AFTER + 0.1)

    asyncio.run(moves())
    assert _pixels(e.png).shape[1] == 2 * _pixels(at_one.png).shape[1]


def test_the_first_quick_picture_needs_no_new_background(moving):
    e = _at_two(Shelves())  # switching to 2x drew (and kept) the 1x background as well
    draws = e.background_draws

    async def move():
        e.controls["x"].value = 0.7

    asyncio.run(move())
    assert e.background_draws == draws
    assert {dpi for dpi, _ in e._backgrounds} == {60, 120}


def test_control_moving_asks_the_kernel_which_message_it_answers(monkeypatch):
    from cnnlib.explorers import _busy_kernel

    assert running_kernel() is None  # pytest: no kernel, so never moving
    assert _render.control_moving() is False

    def kernel_answering(msg_type):
        parent = {"header": {"msg_type": msg_type}}
        return types.SimpleNamespace(get_parent=lambda: parent)

    for msg_type, expected in [("comm_msg", True), ("execute_request", False)]:
        monkeypatch.setattr(_busy_kernel, "running_kernel", lambda m=msg_type: kernel_answering(m))
        assert _render.control_moving() is expected, msg_type

    def broken():
        raise RuntimeError("a kernel with other ideas")

    monkeypatch.setattr(
        _busy_kernel, "running_kernel", lambda: types.SimpleNamespace(get_parent=broken)
    )
    assert _render.control_moving() is False


def test_a_failing_sharp_draw_leaves_the_quick_picture_up(moving):
    e = _at_two(Shelves())

    async def move_then_fail():
        e.controls["x"].value = 0.4
        quick = e.png
        e.render = lambda: 1 / 0  # nothing in the notebook, no traceback in the kernel log
        await asyncio.sleep(_render.SHARPEN_AFTER + 0.1)
        return quick

    quick = asyncio.run(move_then_fail())
    assert e.png == quick and not e._quick.pending
    del e.render
    assert isinstance(e, Explorer)
