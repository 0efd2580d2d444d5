"""How a Stop click reaches a kernel busy training: the version guard and both ways through.

The ipykernel internals are mocked here (both branches run whatever is
installed); the last tests check that the installed ipykernel still has the
internals the guard looks for, and the slow tests in test_training_dashboard.py
and test_network_builder.py click in a real kernel.
"""

from __future__ import annotations

import contextlib
import sys
import time
import types

import pytest

import cnnlib.explorers._busy_kernel as busy_module
from cnnlib.explorers._busy_kernel import (
    INTERRUPT_ONLY,
    NO_KERNEL,
    POLL_SECONDS,
    POLLING,
    SHELL_THREAD,
    ClicksWhileBusy,
    how_clicks_get_through,
    ipykernel_major,
)

CLICK = {"method": "custom", "content": {"event": "click"}}


class FakeComm:
    """A comm as ipykernel 7 makes it: the kernel asks it where each message goes."""

    def __init__(self):
        self.routed = []

    def _reply_subshell_for(self, data, default):
        self.routed.append((data, default))
        return "routed"


class FakeButton:
    def __init__(self, comm=None):
        self.comm = comm if comm is not None else FakeComm()


class Kernel7:
    shell_channel_thread = object()


class Kernel6:
    def do_one_iteration(self):  # what jupyter-ui-poll calls
        pass


def in_kernel(monkeypatch, kernel, major):
    monkeypatch.setattr(busy_module, "running_kernel", lambda: kernel)
    monkeypatch.setattr(busy_module, "ipykernel_major", lambda: major)


def test_outside_a_kernel_nothing_is_hooked_and_nothing_polled():
    button = FakeButton()
    clicks = ClicksWhileBusy(button, lambda: None)
    assert clicks.how == NO_KERNEL
    assert "route_and_watch" not in button.comm._reply_subshell_for.__qualname__
    with clicks.busy():
        assert clicks.active
        clicks.poll()  # nothing to do, no error
    assert not clicks.active and not clicks.handled_early()


# --- ipykernel 7: the click is seen in the shell-channel thread ---------------------------------
def test_ipykernel_7_clicks_are_acted_on_as_they_arrive_and_still_routed(monkeypatch):
    in_kernel(monkeypatch, Kernel7(), 7)
    heard = []
    button = FakeButton()
    clicks = ClicksWhileBusy(button, lambda: heard.append(1))
    assert clicks.how == SHELL_THREAD
    route = button.comm._reply_subshell_for
    assert route(CLICK, None) == "routed" and heard == []  # idle: the normal handler acts
    assert not clicks.handled_early()
    with clicks.busy():
        assert route(CLICK, None) == "routed" and heard == [1]  # busy: acted on at once
        assert route({"method": "update", "state": {"disabled": True}}, "sub") == "routed"
        assert route(data=None, default="sub") == "routed"  # however ipykernel passes them
    assert heard == [1] and len(button.comm.routed) == 4
    # the same click reaches the button's handler later: it is not acted on twice
    assert clicks.handled_early() and not clicks.handled_early()


def test_ipykernel_7_a_failing_on_click_never_blocks_the_message(monkeypatch):
    in_kernel(monkeypatch, Kernel7(), 7)

    def broken():
        raise RuntimeError("bug")

    button = FakeButton()
    clicks = ClicksWhileBusy(button, broken)
    with clicks.busy():
        assert button.comm._reply_subshell_for(CLICK, None) == "routed"


@pytest.mark.parametrize("major", [7, 8])
def test_ipykernel_7_without_its_internals_falls_back_to_the_interrupt_button(monkeypatch, major):
    in_kernel(monkeypatch, Kernel7(), major)
    no_route = types.SimpleNamespace()  # a comm without _reply_subshell_for
    assert ClicksWhileBusy(FakeButton(no_route), lambda: None).how == INTERRUPT_ONLY
    assert ClicksWhileBusy(types.SimpleNamespace(), lambda: None).how == INTERRUPT_ONLY
    in_kernel(monkeypatch, object(), major)  # no shell-channel thread
    button = FakeButton()
    assert ClicksWhileBusy(button, lambda: None).how == INTERRUPT_ONLY
    assert "route_and_watch" not in button.comm._reply_subshell_for.__qualname__  # untouched


# --- ipykernel 6: waiting messages are handled between mini-batches ------------------------------
def fake_polling(monkeypatch):
    polls = []

    @contextlib.contextmanager
    def ui_polling():
        yield polls.append

    monkeypatch.setattr(busy_module, "_ui_polling", ui_polling)
    return polls


def test_ipykernel_6_polls_every_poll_seconds_while_busy(monkeypatch):
    in_kernel(monkeypatch, Kernel6(), 6)
    polls = fake_polling(monkeypatch)
    button = FakeButton()
    clicks = ClicksWhileBusy(button, lambda: None)
    assert clicks.how == POLLING
    assert "route_and_watch" not in button.comm._reply_subshell_for.__qualname__
    clicks.poll()  # not busy: nothing
    with clicks.busy():
        clicks.poll()
        clicks.poll()  # too soon: skipped
        assert polls == [10]
        time.sleep(POLL_SECONDS * 1.2)
        clicks.poll()
        assert polls == [10, 10]
    clicks.poll()
    assert polls == [10, 10]


def test_ipykernel_6_without_jupyter_ui_poll_or_do_one_iteration(monkeypatch):
    in_kernel(monkeypatch, object(), 6)  # no do_one_iteration
    assert how_clicks_get_through(object(), FakeButton()) == INTERRUPT_ONLY
    monkeypatch.setitem(sys.modules, "jupyter_ui_poll", None)  # importing it fails
    assert how_clicks_get_through(Kernel6(), FakeButton()) == INTERRUPT_ONLY
    monkeypatch.setattr(busy_module, "ipykernel_major", lambda: None)  # another kernel
    assert how_clicks_get_through(object(), FakeButton()) == INTERRUPT_ONLY


def test_ipykernel_6_held_cells_are_replayed_when_a_button_started_training(monkeypatch):
    """jupyter-ui-poll replays held cells when the *cell* ends; training started by a
    click has no cell end, so _ui_polling does that clean-up itself (and only then)."""
    ended = []

    class Wrapper:
        def __enter__(self):
            return lambda n: None

        def __exit__(self, *exc):
            return False

        def _post_run_cell(self):
            ended.append(1)

    monkeypatch.setitem(sys.modules, "jupyter_ui_poll", types.SimpleNamespace(ui_events=Wrapper))
    for msg_type, replayed in (("comm_msg", [1]), ("execute_request", [])):
        ended.clear()
        kernel = types.SimpleNamespace(get_parent=lambda t=msg_type: {"header": {"msg_type": t}})
        monkeypatch.setattr(busy_module, "running_kernel", lambda k=kernel: k)
        with busy_module._ui_polling():
            pass
        assert ended == replayed


# --- the version and the installed kernel ------------------------------------------------------
@pytest.mark.parametrize(("version", "major"), [("6.29.5", 6), ("7.0.0a1", 7), ("7.4.0", 7)])
def test_ipykernel_major_reads_the_version(monkeypatch, version, major):
    monkeypatch.setitem(sys.modules, "ipykernel", types.SimpleNamespace(__version__=version))
    assert ipykernel_major() == major
    monkeypatch.setitem(sys.modules, "ipykernel", types.SimpleNamespace(__version__="dev"))
    assert ipykernel_major() is None


def test_the_installed_ipykernel_has_what_the_guard_looks_for():
    """If an ipykernel upgrade removes these internals, Stop falls back to the interrupt
    button (safe), and this test says which internal has gone."""
    pytest.importorskip("ipykernel")
    major = ipykernel_major()
    if major >= 7:
        from ipykernel.comm.comm import BaseComm
        from ipykernel.kernelbase import Kernel

        assert callable(getattr(BaseComm, "_reply_subshell_for", None)), (
            "ipykernel no longer routes comm messages through comm._reply_subshell_for: "
            "Stop buttons are heard only after training (interrupt still works)"
        )
        assert hasattr(Kernel, "shell_channel_thread")
    else:
        from ipykernel.kernelbase import Kernel

        assert hasattr(Kernel, "do_one_iteration")
