"""Holding back Ctrl+C while a few numbers that belong together change.

Ctrl+C (or the notebook's interrupt button, which sends the same signal)
raises ``KeyboardInterrupt`` wherever Python happens to be. In the middle of
an optimiser step that would leave some weights moved and others not; in the
middle of recording an epoch, a history with an epoch but without its
validation numbers. :class:`interrupts_held` makes such a short stretch of
code all-or-nothing with respect to Ctrl+C: an interrupt that arrives inside
it is raised as soon as it ends.

Holding needs a SIGINT handler of our own, and swapping handlers is a system
call that costs ~20 microseconds next to busy numpy threads, several times per
mini-batch. So a long stretch of code that holds often (a whole training run)
installs the handler once with :class:`interrupts_watched`; inside it, holding
only counts up and down. Outside it, a held block installs the handler itself.

Nothing here is about learning; it only keeps the training loop's promise
that an interrupted run leaves the model, the optimiser and the history
consistent.
"""

from __future__ import annotations

import signal
import threading

try:  # the C functions under `signal`: no enum wrapping (~10 us a call)
    from _signal import getsignal as _getsignal
    from _signal import signal as _set_handler
except ImportError:  # another Python implementation
    _getsignal, _set_handler = signal.getsignal, signal.signal

__all__ = ["interrupts_held", "interrupts_watched"]

_MAIN = threading.main_thread().ident


class _Guard:
    """The SIGINT handler while one of ours is installed (one per process: signals are)."""

    installed = False  # our handler is the process's SIGINT handler
    previous = None  # the handler it replaced, restored afterwards
    depth = 0  # how many held blocks are open
    pending = False  # an interrupt arrived while holding
    frame = None

    @classmethod
    def handle(cls, signum, frame):
        if cls.depth:
            cls.pending, cls.frame = True, frame
        else:
            cls.deliver(frame)

    @classmethod
    def deliver(cls, frame):
        """Do what the replaced handler would have done (usually: raise KeyboardInterrupt)."""
        previous = cls.previous
        if callable(previous):
            previous(signal.SIGINT, frame)
        elif previous == signal.SIG_DFL:
            _set_handler(signal.SIGINT, signal.SIG_DFL)
            signal.raise_signal(signal.SIGINT)

    @classmethod
    def install(cls) -> bool:
        """Install our handler if possible and not yet done; True if this call did."""
        if cls.installed or threading.get_ident() != _MAIN:
            return False
        previous = _getsignal(signal.SIGINT)
        if previous is None:  # a handler installed outside Python: leave it alone
            return False
        _set_handler(signal.SIGINT, cls.handle)
        cls.installed, cls.previous, cls.depth, cls.pending = True, previous, 0, False
        return True

    @classmethod
    def uninstall(cls):
        _set_handler(signal.SIGINT, cls.previous)
        cls.installed = False


class interrupts_watched:  # noqa: N801 (used like a function: ``with interrupts_watched():``)
    """Context manager: install the handler that :class:`interrupts_held` needs, once.

    Ctrl+C behaves as usual inside it, except within held blocks; those then
    cost a fraction of a microsecond instead of two system calls.
    """

    __slots__ = ("_mine",)

    def __enter__(self):
        self._mine = _Guard.install()
        return self

    def __exit__(self, *exc):
        if self._mine:  # no block is holding now: an interrupt would have been raised
            _Guard.uninstall()
        return False


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

    __slots__ = ("pending", "deliver", "_active", "_mine")

    def __init__(self, deliver: bool = True):
        self.deliver = deliver
        self.pending = False
        self._active = self._mine = False

    def __enter__(self):
        self._mine = _Guard.install()  # False inside interrupts_watched (or elsewhere)
        self._active = _Guard.installed and threading.get_ident() == _MAIN
        if self._active:
            _Guard.depth += 1
        return self

    def __exit__(self, *exc):
        if not self._active:
            return False
        _Guard.depth -= 1
        self.pending = _Guard.pending
        if _Guard.depth == 0 and _Guard.pending:
            _Guard.pending = False
            if self._mine:
                _Guard.uninstall()
            if self.deliver:  # now as if it had arrived just now
                _Guard.deliver(_Guard.frame)
        elif self._mine:
            _Guard.uninstall()
        return False
