"""Run a learner's function with a time limit, so that an endless loop cannot hang a check.

Two ways, chosen per call:

* **an alarm** (POSIX, on the main thread: a Jupyter kernel, a script, pytest):
  ``signal.setitimer`` arms a timer; when it fires, its handler raises
  :class:`TookTooLong` inside the learner's code, which stops the loop where it
  is. Python drops an exception raised while it runs a weakref callback or a
  ``__del__`` (garbage collection can start one at any instruction; the stop
  is then only reported as "ignored"), so until the function has stopped the
  timer fires again every :data:`RETRY_SECONDS`. The learner's function runs
  in the caller's thread, exactly as if it had been called directly, and
  Ctrl+C (Jupyter's "interrupt kernel") still raises ``KeyboardInterrupt`` as
  usual. The timer is disarmed and the previous
  ``SIGALRM`` handler put back on every way out. If a real-time timer is already
  armed by someone else, it is left alone and the thread is used instead.
* **a worker thread** everywhere else (Windows, a check called from another
  thread): the function runs in a daemon thread with a copy of the caller's
  context (numpy's error state included) while the caller waits at most the
  limit; on time-out, CPython is asked to raise :class:`TookTooLong` in that
  thread (``PyThreadState_SetAsyncExc``).

Limits, in both ways: the exception arrives between two Python instructions,
so code stuck inside one long C call (one enormous numpy operation, a blocking
read) is stopped only when that call returns; with the thread, the check then
answers on time while the stray thread finishes in the background. Code that
catches *every* exception (a bare ``except:``) inside its endless loop cannot
be stopped by anything but restarting the kernel; Ctrl+C does not stop it
either. A function that catches the stop and returns anyway is still reported
as too slow.
"""

from __future__ import annotations

import contextvars
import ctypes
import signal
import threading
import time
from collections.abc import Callable

__all__ = ["TookTooLong", "call_with_time_limit"]

#: After the limit, the alarm repeats this often until the function has stopped.
RETRY_SECONDS = 0.05


class TookTooLong(BaseException):
    """Raised inside a learner's function whose time is up.

    A ``BaseException`` (like ``KeyboardInterrupt``), so that a learner's
    ``except Exception:`` does not swallow it.
    """

    def __init__(self, seconds: float | None = None):  # no argument when raised in a thread
        super().__init__("the function was stopped: its time was up")
        self.seconds = seconds


def call_with_time_limit(fn: Callable, args: tuple, seconds: float):
    """Return ``fn(*args)``, or raise :class:`TookTooLong` after ``seconds``.

    Exceptions raised by ``fn`` (``KeyboardInterrupt`` included) reach the
    caller unchanged.
    """
    if _can_use_alarm():
        return _with_alarm(fn, args, seconds)
    return _with_thread(fn, args, seconds)


def _can_use_alarm() -> bool:
    return (
        hasattr(signal, "setitimer")
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0.0  # nobody else's timer is running
    )


def _with_alarm(fn, args, seconds):
    state = {"armed": True, "fired": False}

    def on_alarm(signum, frame):
        if state["armed"]:  # never after the function has returned
            state["fired"] = True
            raise TookTooLong(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        # fires after `seconds`, then every RETRY_SECONDS: a stop Python dropped comes again
        signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_SECONDS)
        result = fn(*args)
    finally:
        # Nested, so that the handler is put back even if the alarm's exception
        # arrives in the middle of this cleanup (the time was up: it is reported so).
        try:
            state["armed"] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)
    if state["fired"]:  # the function caught the stop and returned anyway
        raise TookTooLong(seconds)
    return result


def _with_thread(fn, args, seconds):
    outcome: dict = {}
    context = contextvars.copy_context()  # numpy's errstate lives in a context variable

    def work():
        try:
            outcome["value"] = context.run(fn, *args)
        except BaseException as err:  # handed to the caller below
            outcome["error"] = err

    worker = threading.Thread(target=work, name="cnnlib-exercise-check", daemon=True)
    worker.start()
    deadline = time.monotonic() + seconds
    try:
        # short waits, so that Ctrl+C reaches the caller on every platform
        while worker.is_alive() and time.monotonic() < deadline:
            worker.join(min(0.05, max(deadline - time.monotonic(), 0.0)))
    except BaseException:  # Ctrl+C while waiting: stop the learner's function too
        _raise_in(worker, KeyboardInterrupt)
        raise
    if worker.is_alive():
        _raise_in(worker, TookTooLong)
        worker.join(0.2)  # let it unwind, if it can
        raise TookTooLong(seconds)
    if "error" in outcome:
        error = outcome.pop("error")
        if isinstance(error, TookTooLong):  # caught the stop and raised it again late
            raise TookTooLong(seconds)
        raise error
    return outcome["value"]


def _raise_in(thread: threading.Thread, exception: type[BaseException]) -> None:
    """Ask CPython to raise ``exception`` in ``thread`` at its next Python instruction."""
    set_async_exc = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if set_async_exc is None or thread.ident is None:  # not CPython: the thread runs on
        return
    changed = set_async_exc(ctypes.c_ulong(thread.ident), ctypes.py_object(exception))
    if changed > 1:  # cannot happen for one live thread id; undo to be safe
        set_async_exc(ctypes.c_ulong(thread.ident), None)
