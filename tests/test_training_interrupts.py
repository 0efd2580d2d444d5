"""Ctrl+C at any moment of training leaves the model, the optimiser and the history consistent.

The same short run is trained once without interruption, keeping the weights and
the optimiser's memory after every step. Then it is trained again many times,
each time interrupted at another point: inside a layer's forward or backward
pass, the loss, the augmentation, halfway through an optimiser step, the
validation, a callback (a KeyboardInterrupt raised right there), and at random
moments by a real SIGINT from a timer (which can land anywhere, also between
two statements of the loop's bookkeeping). After every interrupt:

* every per-epoch list of the history has one entry per recorded epoch, and
  every recorded mini-batch is one optimiser step (no epoch without its
  validation numbers, no step without its record or the other way round);
* the weights and the optimiser's memory are exactly those of the uninterrupted
  run after that many steps: no step was half applied (the same computation
  repeated bit for bit, so exact equality);
* the history's numbers are the uninterrupted run's, cut at that point, and it
  can be plotted; training can go on.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

import cnnlib.training as training_module
from cnnlib.augment import RandomShift
from cnnlib.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from cnnlib.model import Sequential
from cnnlib.optim import Adam
from cnnlib.training import Callback, Trainer

EPOCHS, BATCH = 3, 8


def data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 56)
    x = rng.random((56, 1, 8, 8)).astype(np.float32) * 0.3
    for i, label in enumerate(y):  # a bright row, column or diagonal
        if label == 0:
            x[i, 0, i % 8, :] += 1
        elif label == 1:
            x[i, 0, :, i % 8] += 1
        else:
            x[i, 0] += np.eye(8, dtype=np.float32)
    return x[:40], y[:40], x[40:], y[40:]  # 5 batches per epoch, 16 to validate


X, Y, XV, YV = data()
BATCHES = 5


def network():
    return Sequential(
        Conv2D(1, 4, 3, padding=1), ReLU(), MaxPool2D(2), Flatten(), Dense(4 * 4 * 4, 3), seed=0
    )


def trainer(model, callbacks=()):
    return Trainer(
        model,
        Adam(model, lr=0.01),
        batch_size=BATCH,
        seed=0,
        augment=RandomShift(1),
        callbacks=list(callbacks),
        progress=False,
    )


def snapshot(model, optimizer):
    weights = {k: p.copy() for k, p in model.params.items()}
    memory = {
        name: {k: np.copy(value) for k, value in state.items()}
        for name, state in optimizer.state.items()
    }
    return weights, memory


@pytest.fixture(scope="module")
def reference():
    """The uninterrupted run: weights and optimiser memory after each step, its history."""
    model = network()
    run = trainer(model)
    after = [snapshot(model, run.optimizer)]
    run.callbacks.append(
        Callback(on_batch_end=lambda s: after.append(snapshot(s.model, s.optimizer)))
    )
    start = time.perf_counter()
    history = run.fit(X, Y, epochs=EPOCHS, validation_data=(XV, YV))
    seconds = time.perf_counter() - start
    assert history.status == "completed" and len(after) == EPOCHS * BATCHES + 1
    return after, history, seconds


def assert_consistent(model, run, reference, statuses=("interrupted",)):
    after, full, _ = reference
    history, optimizer = run.history, run.optimizer
    assert history.status in statuses
    epochs = len(history.epoch)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "epoch_seconds", "step"):
        assert len(history[key]) == epochs, key
    steps = optimizer.steps
    assert len(history.batch_loss) == len(history.batch_accuracy) == steps
    assert history.epoch == list(range(1, epochs + 1))
    assert history.step == [BATCHES * e for e in history.epoch]
    # the numbers are the uninterrupted run's, cut here
    assert history.batch_loss == full.batch_loss[:steps]
    assert history.loss == full.loss[:epochs] and history.val_loss == full.val_loss[:epochs]
    assert history.val_accuracy == full.val_accuracy[:epochs]
    # no half-applied step: weights and memory are those after `steps` whole steps
    weights, memory = after[steps]
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, weights[name], err_msg=name)
    assert set(optimizer.state) == set(memory)
    for name, state in optimizer.state.items():
        assert state["step"] == steps
        for key in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_array_equal(state[key], memory[name][key], err_msg=name)
    assert model.training


class Interrupt:
    """Counts calls of one thing and raises KeyboardInterrupt at the chosen one."""

    def __init__(self, at=None):
        self.at, self.calls = at, 0

    def tick(self):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt


def wrap(interrupt, fn, after=False):
    """``fn`` that raises at the chosen call, before its work or after it."""

    def wrapped(*args, **kwargs):
        if not after:
            interrupt.tick()
        result = fn(*args, **kwargs)
        if after:
            interrupt.tick()
        return result

    return wrapped


HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end")
POINTS = (
    "forward",
    "forward-after",
    "backward",
    "loss",
    "augment",
    "update",
    "update-after",
    "evaluate-after",
    *HOOKS,
)


def arrange(point, interrupt, model, run, monkeypatch, layer):
    """Make ``interrupt`` fire at ``point`` of this run."""
    if point.startswith("forward"):
        target = model.layers[layer]
        monkeypatch.setattr(target, "forward", wrap(interrupt, target.forward, "after" in point))
    elif point == "backward":
        target = model.layers[layer]
        monkeypatch.setattr(target, "backward", wrap(interrupt, target.backward))
    elif point == "loss":
        loss = training_module.softmax_cross_entropy
        monkeypatch.setattr(training_module, "softmax_cross_entropy", wrap(interrupt, loss))
    elif point == "augment":
        run.augment = wrap(interrupt, run.augment)
    elif point.startswith("update"):  # one parameter at a time: halfway through a step
        optimizer = run.optimizer
        monkeypatch.setattr(
            optimizer, "update", wrap(interrupt, optimizer.update, "after" in point)
        )
    elif point == "evaluate-after":
        evaluate = training_module._evaluate
        monkeypatch.setattr(training_module, "_evaluate", wrap(interrupt, evaluate, True))
    else:
        run.callbacks.append(Callback(**{point: lambda state: interrupt.tick()}))


@pytest.fixture(scope="module")
def calls():
    """How often each point is reached in the whole run (for choosing where to interrupt)."""
    counts = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for point in POINTS:
            for layer in range(5):
                counter = Interrupt()
                model = network()
                run = trainer(model)
                arrange(point, counter, model, run, monkeypatch, layer)
                run.fit(X, Y, epochs=EPOCHS, validation_data=(XV, YV))
                monkeypatch.undo()
                counts[point, layer] = counter.calls
    return counts


def test_every_interrupt_point_is_reached(calls):
    assert calls["update", 0] == EPOCHS * BATCHES * 4  # four parameter arrays per step
    assert calls["forward", 0] == EPOCHS * (BATCHES + 1)  # training + one validation pass
    assert calls["on_epoch_end", 0] == EPOCHS and calls["on_train_begin", 0] == 1
    assert all(count > 0 for count in calls.values())


@pytest.mark.slow
def test_interrupts_raised_anywhere_leave_everything_consistent(reference, calls, monkeypatch):
    rng = np.random.default_rng(2024)
    seen = set()
    for trial in range(160):
        point = POINTS[rng.integers(len(POINTS))]
        layer = int(rng.integers(5))
        at = int(rng.integers(1, calls[point, layer] + 1))
        model = network()
        run = trainer(model)
        arrange(point, Interrupt(at), model, run, monkeypatch, layer)
        history = run.fit(X, Y, epochs=EPOCHS, validation_data=(XV, YV))
        monkeypatch.undo()
        assert history is run.history
        assert_consistent(model, run, reference)
        seen.add(point)
        if trial % 40 == 0:  # the history can be drawn, training goes on
            run.fit(X, Y, epochs=1, validation_data=(XV, YV))
            assert run.history.status == "completed"
            assert len(run.history.val_loss) == len(run.history.epoch)
    assert seen == set(POINTS)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_real_ctrl_c_at_random_moments_leaves_everything_consistent(reference):
    """A real SIGINT from another thread, at a random moment of the run."""
    _, _, seconds = reference
    rng = np.random.default_rng(7)
    outcomes = set()
    for _ in range(80):
        model = network()
        run = trainer(model)
        timer = threading.Timer(rng.uniform(0, seconds), os.kill, (os.getpid(), signal.SIGINT))
        escaped = False
        try:
            timer.start()
            try:
                run.fit(X, Y, epochs=EPOCHS, validation_data=(XV, YV))
            finally:
                timer.cancel()
                timer.join()
                time.sleep(0.005)  # a signal sent just now arrives here, not later
        except KeyboardInterrupt:  # it came between fit's last statements, or after fit
            escaped = True
        outcomes.add((run.history.status, escaped))
        # before the first step (checking the data) nothing has started yet
        assert_consistent(model, run, reference, ("interrupted", "completed", "not started"))
    assert ("interrupted", False) in outcomes  # most land while training


def test_an_interrupt_while_wrapping_up_does_not_escape_or_skip_on_train_end(reference):
    """Ctrl+C after the last epoch: the run has completed; on_train_end still runs."""
    model = network()
    ends = []

    def late_interrupt(state):
        if state.epoch == EPOCHS:  # the last epoch has just been recorded
            raise KeyboardInterrupt

    run = trainer(model, [Callback(on_epoch_end=late_interrupt, on_train_end=ends.append)])
    history = run.fit(X, Y, epochs=EPOCHS, validation_data=(XV, YV))
    assert len(ends) == 1
    assert history.epoch == [1, 2, 3]
    assert_consistent(model, run, reference)


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_interrupts_held_delays_ctrl_c_to_the_end_of_the_block():
    from cnnlib._interrupts import interrupts_held

    before = signal.getsignal(signal.SIGINT)
    done = []
    with pytest.raises(KeyboardInterrupt), interrupts_held() as outer:
        with interrupts_held() as inner:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)  # the handler runs here: it only takes note
            done.append("inner")
        assert inner.pending  # and still held: the outer block is not over
        done.append("outer")
    assert done == ["inner", "outer"] and outer.pending
    with interrupts_held(deliver=False) as held:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)
    assert held.pending  # noted, and dropped
    assert signal.getsignal(signal.SIGINT) is before  # the handler is back

    def elsewhere():  # other threads receive no signals: nothing to hold there
        with interrupts_held() as held:
            done.append(held.pending)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert done[-1] is False and signal.getsignal(signal.SIGINT) is before


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_inside_interrupts_watched_ctrl_c_works_as_usual_between_held_blocks():
    from cnnlib._interrupts import interrupts_held, interrupts_watched

    before = signal.getsignal(signal.SIGINT)
    steps = []
    with pytest.raises(KeyboardInterrupt), interrupts_watched():
        with interrupts_held():  # the handler is not swapped again here
            assert signal.getsignal(signal.SIGINT) is not before
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)
            steps.append("held")
        steps.append("never")  # raised as the held block ended
    assert steps == ["held"] and signal.getsignal(signal.SIGINT) is before
    with pytest.raises(KeyboardInterrupt), interrupts_watched():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)  # not holding: raised at once, here
        steps.append("never")
    assert steps == ["held"] and signal.getsignal(signal.SIGINT) is before
