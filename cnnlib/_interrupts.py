"""Holding back Ctrl+C while a few numbers that belong together change.

Ctrl+C (or the notebook's interrupt button, which sends the same signal)
raises ``KeyboardInterrupt`` wherever Python happens to be. In the middle of
an optimiser step that would leave some weights moved and others not; in the
middle of recording an epoch, a history with an epoch but without its
validation numbers. :class:`interrupts_held` makes such a short stretch of
code all-or-nothing with respect to Ctrl+C: an interrupt that arrives inside
it is raised as soon as it ends.

Nothing here is about learning; it only keeps the training loop's promise
that an interrupted run leaves the model, the optimiser and the history
consistent.
"""

from __future__ import annotations

import signal
import threading

try:  # the C functions under `signal`: 1 microsecond a call instead of ~10 (no enum wrapping)
    from _signal import getsignal as _getsignal
    from _signal import signal as _set_handler
except ImportError:  # another Python implementation
    _getsignal, _set_handler = signal.getsignal, signal.signal

__all__ = ["interrupts_held"]

_MAIN = threading.main_thread().ident


class interrupts_held:  # noqa: N801 (used like a function: ``with interrupts_held():``)
    """Context manager: a Ctrl+C (SIGINT) during the block takes effect when it ends.

    Only the main thread receives signals, so elsewhere (and where the SIGINT
    handler was not installed from Python) the block runs unprotected. Blocks
    may be nested. Keep them short: Ctrl+C is not heard while one runs.

    Parameters
    ----------
    deliver : bool
        Raise the held interrupt when the block ends (default). With False it
        is dropped, and ``pending`` tells that it came.

    Attributes
    ----------
    pending : bool
        True once an interrupt arrived during the block.
    """

    __slots__ = ("pending", "deliver", "_frame", "_previous")

    def __init__(self, deliver: bool = True):
        self.deliver = deliver
        self.pending = False
        self._frame = None
        self._previous = None

    def _hold(self, signum, frame):
        self.pending, self._frame = True, frame

    def __enter__(self):
        if threading.get_ident() == _MAIN:
            previous = _getsignal(signal.SIGINT)
            if previous is not None:  # None: a handler installed outside Python; leave it
                _set_handler(signal.SIGINT, self._hold)
                self._previous = previous
        return self

    def __exit__(self, *exc):
        previous, self._previous = self._previous, None
        if previous is None:
            return False
        _set_handler(signal.SIGINT, previous)
        if self.pending and self.deliver:  # now as if it had arrived just now
            if callable(previous):  # usually signal.default_int_handler: KeyboardInterrupt
                previous(signal.SIGINT, self._frame)
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)
        return False
