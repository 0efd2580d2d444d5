"""The time limit on a learner's function: an endless loop never hangs a check, Ctrl+C still
works, and no timer or signal handler is left behind, on the main thread, in a worker
thread and inside a Jupyter kernel."""

from __future__ import annotations

import os
import signal
import threading
import time

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from cnnlib.exercises import _check, check_my_conv2d, check_softmax
from cnnlib.exercises import _time_limit as tl
from cnnlib.exercises._time_limit import TookTooLong, call_with_time_limit

posix = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX timers")


def endless(*args):
    while True:
        pass


def sleeps(*args):
    time.sleep(100)


def swallows_everything(*args):
    """Catches the stop once with a bare except, then returns as if nothing happened."""
    try:
        while True:
            pass
    except BaseException:
        return np.zeros((3, 3))


def swallows_exceptions(*args):
    """`except Exception` must not be enough to survive the stop."""
    while True:
        try:  # noqa: SIM105 - written as a learner would
            pass
        except Exception:
            pass


def assert_nothing_left_behind(handler_before):
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler_before


@posix
@pytest.mark.parametrize("learner", [endless, sleeps, swallows_everything, swallows_exceptions])
def test_an_endless_function_is_stopped_with_a_friendly_message(learner, short_time_limit):
    handler = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    feedback = check_my_conv2d(learner)
    elapsed = time.monotonic() - start
    assert not feedback and feedback.mistakes == ("too-slow",)
    assert "took too long" in feedback.message and "more than 0.3 s" in feedback.message
    assert "endless loop" in feedback.message and "Case 1 of 7" in feedback.message
    assert elapsed < short_time_limit + 1.0  # stopped on the first case, the others not run
    assert_nothing_left_behind(handler)


DROPPED_ONCE = """
import time, signal
from cnnlib.exercises._time_limit import TookTooLong, call_with_time_limit

def loses_the_first_stop():
    # what happens when the alarm lands in a weakref callback or a __del__ (e.g. during
    # garbage collection): Python reports the exception as ignored and the loop runs on
    try:
        while True:
            pass
    except TookTooLong:
        pass
    while True:
        pass

start = time.monotonic()
try:
    call_with_time_limit(loses_the_first_stop, (), 0.2)
except TookTooLong:
    print("stopped after", round(time.monotonic() - start, 2), "s")
print("timer", signal.getitimer(signal.ITIMER_REAL))
"""


@posix
def test_a_stop_that_python_dropped_comes_again():
    # in a child process: before the alarm repeated, this loop ran for ever
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", DROPPED_ONCE], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    seconds = float(done.stdout.split()[2])
    assert 0.2 <= seconds < 5.0  # a 50 ms retry, with room for a slow machine
    assert "timer (0.0, 0.0)" in done.stdout  # disarmed afterwards


@posix
def test_a_fast_function_leaves_no_timer_behind():
    handler = signal.getsignal(signal.SIGALRM)
    assert check_softmax(
        lambda x: (
            np.exp(x - x.max(-1, keepdims=True))
            / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)
        )
    )
    assert_nothing_left_behind(handler)


@posix
def test_ctrl_c_in_the_learners_function_still_interrupts(monkeypatch):
    # a generous limit: this test is about Ctrl+C, and on a loaded machine a 0.3 s alarm
    # can fire before the learner's function has even sent its SIGINT
    monkeypatch.setattr(_check, "TIME_LIMIT_SECONDS", 30.0)
    handler = signal.getsignal(signal.SIGALRM)

    def interrupted(*args):
        os.kill(os.getpid(), signal.SIGINT)  # what Jupyter's "interrupt kernel" sends
        while True:
            pass

    with pytest.raises(KeyboardInterrupt):
        check_my_conv2d(interrupted)
    assert_nothing_left_behind(handler)

    def raises_it(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check_my_conv2d(raises_it)
    assert_nothing_left_behind(handler)


@posix
def test_someone_elses_timer_is_left_alone():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *args: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        with pytest.raises(TookTooLong):
            call_with_time_limit(endless, (), 0.2)  # falls back to a worker thread
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 25.0 < remaining < 30.0  # still armed, not restarted or cleared
        assert call_with_time_limit(lambda a: a + 1, (1,), 1.0) == 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


@pytest.fixture
def thread_only(monkeypatch):
    """The fallback used where no alarm signal is available (Windows, other threads)."""
    monkeypatch.setattr(tl, "_can_use_alarm", lambda: False)


def _workers_alive():
    return [t for t in threading.enumerate() if t.name == "cnnlib-exercise-check"]


def test_the_thread_fallback_stops_an_endless_loop(thread_only, short_time_limit):
    feedback = check_my_conv2d(endless)
    assert feedback.mistakes == ("too-slow",)
    deadline = time.monotonic() + 2.0
    while _workers_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _workers_alive()  # the stop reached the loop: no thread left spinning


def test_the_thread_fallback_passes_results_and_errors_through(thread_only):
    assert call_with_time_limit(lambda a, b: a * b, (6, 7), 1.0) == 42
    with pytest.raises(ZeroDivisionError):
        call_with_time_limit(lambda: 1 / 0, (), 1.0)
    with pytest.raises(KeyboardInterrupt):
        call_with_time_limit(lambda: (_ for _ in ()).throw(KeyboardInterrupt), (), 1.0)
    feedback = check_my_conv2d(lambda *args: [][1])
    assert feedback.mistakes == ("window-past-edge",)  # an IndexError, explained


def test_the_thread_fallback_reports_a_caught_stop_as_too_slow(thread_only):
    with pytest.raises(TookTooLong):
        call_with_time_limit(swallows_everything, (), 0.2)


def test_a_check_run_from_another_thread_is_limited_too(short_time_limit):
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(feedback=check_my_conv2d(endless)))
    worker.start()
    worker.join(10)
    assert not worker.is_alive()
    assert outcome["feedback"].mistakes == ("too-slow",)


@posix
def test_inside_a_jupyter_kernel(tmp_path):
    """The learner's view: a cell with an endless loop ends with the message, the kernel
    stays usable, and Ctrl+C's handler and the alarm are as before."""
    cells = [
        "import signal\nfrom cnnlib.exercises import _check, check_my_conv2d\n"
        "_check.TIME_LIMIT_SECONDS = 0.5\nbefore = signal.getsignal(signal.SIGALRM)",
        "def my_conv2d(image, kernel, stride=1, padding=0):\n    while True:\n        pass\n\n"
        "feedback = check_my_conv2d(my_conv2d)\nprint(feedback)",
        "assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)\n"
        "assert signal.getsignal(signal.SIGALRM) is before\nprint('clean')",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    printed = [
        "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        for cell in notebook.cells
    ]
    assert "took too long" in printed[1] and "more than 0.5 s" in printed[1]
    assert printed[2].strip() == "clean"
