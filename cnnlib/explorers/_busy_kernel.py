"""Hearing a Stop button while the kernel is busy training.

A Jupyter kernel runs one request at a time. While a cell (or a button's click
handler) trains a network, the click on a Stop button is a widget message
that normally waits in the queue until training has finished: far too late.
:class:`ClicksWhileBusy` gets the click through, in whichever way the running
kernel allows. The training dashboard and the network builder both use it.

This relies on how ipykernel works inside, which is not a public API; hence
the version guard in :func:`how_clicks_get_through`:

ipykernel 7 and later
    Kernel subshells (JEP 91, ipykernel 7.0) moved the receiving of shell
    messages into a thread of its own: ``Kernel.shell_channel_thread_main``
    (``ipykernel/kernelbase.py``) reads every message there, and for a
    ``comm_msg`` asks the widget's comm which subshell should handle it,
    ``comm._reply_subshell_for(data, default)`` (``ipykernel/comm/comm.py``,
    a private method; seen in ipykernel 7.4), *before* the message is queued
    for the busy main thread. Wrapping that method lets us notice a click as
    it arrives and act on it at once (set the trainer's stop flag); the
    message itself still takes its usual way and reaches the button's click
    handler later, which asks :meth:`ClicksWhileBusy.handled_early` so that
    one click is not acted on twice.
ipykernel 6
    ``Kernel.do_one_iteration`` handles one waiting message on request; the
    ``jupyter-ui-poll`` package calls it (``ui_events``) and holds back the
    cells a learner runs meanwhile. The training loop calls
    :meth:`ClicksWhileBusy.poll` after every mini-batch, which lets the
    waiting widget messages (the click) be handled every ``POLL_SECONDS``.

If neither is there (an ipykernel that changed these internals, another
kernel), nothing breaks: ``how`` says ``"interrupt only"``, a click is handled
when training has ended, and the kernel's interrupt button (or Ctrl+C) still
stops training at once, keeping what the network has learned. Outside a
kernel (tests, scripts) there is nothing to hear; call the explorer's
``stop()``.
"""

from __future__ import annotations

import contextlib
import threading
import time

__all__ = [
    "ClicksWhileBusy",
    "how_clicks_get_through",
    "ipykernel_major",
    "running_kernel",
    "POLL_SECONDS",
    "SHELL_THREAD",
    "POLLING",
    "INTERRUPT_ONLY",
    "NO_KERNEL",
]

POLL_SECONDS = 0.1  #: how often waiting widget messages are handled while busy (ipykernel 6)

SHELL_THREAD = "shell-channel thread"  #: ipykernel >= 7: clicks are seen as they arrive
POLLING = "polling"  #: ipykernel 6 with jupyter-ui-poll: clicks handled between mini-batches
INTERRUPT_ONLY = "interrupt only"  #: a kernel this module cannot listen to while busy
NO_KERNEL = "no kernel"  #: plain Python: nobody can click


def running_kernel():
    """The running IPython kernel, or None (plain Python, tests)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return getattr(get_ipython(), "kernel", None)


def ipykernel_major() -> int | None:
    """The major version of the installed ipykernel (6, 7, ...), or None without it."""
    try:
        import ipykernel
    except ImportError:
        return None
    try:
        return int(str(ipykernel.__version__).split(".")[0])
    except (AttributeError, ValueError):
        return None


def how_clicks_get_through(kernel, button) -> str:
    """How clicks on ``button`` can reach a busy ``kernel``: one of the constants above.

    The version guard: ipykernel >= 7 needs its shell-channel thread and the
    comm's ``_reply_subshell_for``; ipykernel 6 needs ``do_one_iteration``
    and ``jupyter_ui_poll``. Anything else is :data:`INTERRUPT_ONLY`.
    """
    if kernel is None:
        return NO_KERNEL
    major = ipykernel_major()
    if major is not None and major >= 7:
        comm = getattr(button, "comm", None)
        has_route = callable(getattr(comm, "_reply_subshell_for", None))
        if has_route and getattr(kernel, "shell_channel_thread", None) is not None:
            return SHELL_THREAD
        return INTERRUPT_ONLY
    if hasattr(kernel, "do_one_iteration"):
        try:
            import jupyter_ui_poll  # noqa: F401
        except ImportError:
            return INTERRUPT_ONLY
        return POLLING
    return INTERRUPT_ONLY


def _is_click(data) -> bool:
    """Whether a comm message's data is a Button's click (``{"method": "custom", ...}``)."""
    if not isinstance(data, dict) or data.get("method") != "custom":
        return False
    content = data.get("content")
    return isinstance(content, dict) and content.get("event") == "click"


class ClicksWhileBusy:
    """Let clicks on ``button`` reach ``on_click`` while the kernel is busy in a loop.

    Use it around the loop and poll it from inside::

        clicks = ClicksWhileBusy(stop_button, trainer_stop)
        stop_button.on_click(lambda _: clicks.handled_early() or trainer_stop())
        with clicks.busy():
            for batch in ...:
                ...
                clicks.poll()

    Parameters
    ----------
    button : ipywidgets.Button
    on_click : callable
        Called without arguments for a click that arrives while :meth:`busy`
        is active, as soon as the kernel sees it. Keep it quick and
        thread-safe (e.g. set a flag): with ipykernel 7 it runs in the
        kernel's shell-channel thread.

    Attributes
    ----------
    how : str
        :data:`SHELL_THREAD`, :data:`POLLING`, :data:`INTERRUPT_ONLY` or
        :data:`NO_KERNEL` (see :func:`how_clicks_get_through`).
    """

    def __init__(self, button, on_click):
        self.button = button
        self.on_click = on_click
        self.active = False
        self._early = 0  # clicks acted on in the shell-channel thread, not yet handled normally
        self._lock = threading.Lock()
        self._poll = None
        self._last_poll = 0.0
        self.how = how_clicks_get_through(running_kernel(), button)
        if self.how == SHELL_THREAD:
            self._watch_routing()

    # -- ipykernel >= 7 ------------------------------------------------------------------------
    def _watch_routing(self):
        """Wrap the comm's ``_reply_subshell_for``, which ipykernel calls for every message."""
        comm = self.button.comm
        route = comm._reply_subshell_for

        def route_and_watch(*args, **kwargs):
            with contextlib.suppress(Exception):  # never in the way of the message itself
                data = args[0] if args else kwargs.get("data")
                if self.active and _is_click(data):
                    with self._lock:
                        self._early += 1
                    self.on_click()
            return route(*args, **kwargs)

        comm._reply_subshell_for = route_and_watch

    def handled_early(self) -> bool:
        """True (once per click) if this click was already acted on as it arrived.

        The button's own click handler calls this first and does nothing more
        if it returns True: with ipykernel 7 a click during training is acted
        on in the shell-channel thread *and* later reaches the handler.
        """
        with self._lock:
            if self._early:
                self._early -= 1
                return True
        return False

    # -- the busy loop ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def busy(self):
        """While the loop runs, clicks call ``on_click`` (with ipykernel 6: via :meth:`poll`)."""
        self.active = True
        try:
            if self.how == POLLING:
                with _ui_polling() as poll:
                    self._poll = poll
                    yield self
            else:
                yield self
        finally:
            self._poll = None
            self.active = False

    def poll(self) -> None:
        """Handle waiting widget messages (ipykernel 6), at most every ``POLL_SECONDS``."""
        if self._poll is None:
            return
        now = time.perf_counter()
        if now - self._last_poll >= POLL_SECONDS:
            self._last_poll = now
            self._poll(10)


@contextlib.contextmanager
def _ui_polling():
    """Yield ``poll(n)`` from ``jupyter_ui_poll``, which handles up to ``n`` waiting messages.

    ``jupyter_ui_poll`` holds back the cells a learner runs meanwhile and
    replays them when the current cell ends. Training started by a button
    runs in the button's click handler, not in a cell, so no cell end would
    come: there, the same clean-up (restore the kernel, replay the held cells)
    is done as soon as training ends.
    """
    from jupyter_ui_poll import ui_events

    kernel = running_kernel()
    in_cell = False
    with contextlib.suppress(Exception):
        in_cell = kernel.get_parent()["header"]["msg_type"] == "execute_request"
    wrapper = ui_events()
    try:
        with wrapper as poll:
            yield poll
    finally:
        end_of_cell = getattr(wrapper, "_post_run_cell", None)
        if not in_cell and end_of_cell is not None:
            end_of_cell()
