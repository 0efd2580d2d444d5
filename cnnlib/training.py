"""Training a network: the loop that makes the weights learn.

One training step on a mini-batch ``(xb, yb)`` is four lines::

    logits = model.forward(xb)                            # 1. predict
    loss, grad, _ = softmax_cross_entropy(logits, yb)     # 2. how wrong? which way is better?
    model.backward(grad)                                  # 3. gradients for every weight
    optimizer.step()                                      # 4. move every weight a little

:func:`fit` repeats that over the whole training set in shuffled mini-batches
("an epoch"), for several epochs, measures the network on validation data
after each epoch, and keeps a :class:`History` of the numbers. Around the four
lines it adds what makes training pleasant to watch and safe to stop:

* a progress bar (tqdm; works in a notebook and a terminal; ``progress=False``
  switches it off);
* callbacks: objects (or a :class:`Callback` built from functions) whose
  ``on_batch_end(state)`` / ``on_epoch_end(state)`` methods are called with a
  :class:`TrainingState` full of numbers, e.g. to draw a live plot;
* stopping: ``trainer.stop = True`` (from a callback, a button, another thread)
  ends training after the current batch; pressing "interrupt" (Ctrl+C or the
  notebook's stop button) ends it at once. Either way the weights learned so far
  stay in the model and ``fit`` returns the history so far. An interrupt never
  splits a weight update or an epoch's record: each happens whole or not at all;
* checks that blame the right thing: data a network cannot learn from (raw
  0-255 pixels, NaN, labels outside the classes) are refused before the first
  step; an optimiser built for another model too; a loss that becomes NaN or
  explodes ends the run as ``"diverged"`` with advice about the learning rate;
* reproducibility: the order of the examples comes from a generator seeded by
  ``seed``, so the same seed, model and data give the same weights every run.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from cnnlib import _validate as v
from cnnlib._interrupts import interrupts_held, interrupts_watched
from cnnlib.losses import softmax_cross_entropy
from cnnlib.model import Sequential

__all__ = [
    "prepare_images",
    "History",
    "TrainingState",
    "Callback",
    "EarlyStopping",
    "CosineDecay",
    "Trainer",
    "fit",
    "evaluate",
]


# ----------------------------------------------------------------------------
# data in the right form
# ----------------------------------------------------------------------------
def prepare_images(images) -> np.ndarray:
    """Turn 0-255 images into network input: float32 in [0, 1], channels first.

    Parameters
    ----------
    images : array, shape (N, H, W) or (N, C, H, W)
        E.g. ``uint8`` digits from :func:`cnnlib.load_mnist`. Integer images
        hold 0-255 pixel values and are divided by 255. Float images are taken
        to be scaled already and are kept as they are, with one exception: if
        no value is negative and some are above 1.5, they look like 0-255
        pixels stored as floats, and a ``ValueError`` says so (scale them
        yourself, ``images / 255``, or pass ``images.astype(np.uint8)``). The
        values decide nothing else: a rule that scaled some arrays and not
        others would treat a dark image differently from a bright one.

    Returns
    -------
    float32 array, shape (N, 1, H, W) or (N, C, H, W)

    Raises
    ------
    ValueError
        For another number of axes, integers outside 0-255, 0-255 floats,
        NaN or infinity.
    """
    images = np.asarray(images) if not isinstance(images, np.ndarray) else images
    if images.ndim not in (3, 4):
        raise ValueError(
            f"images must have shape (N, H, W) or (N, C, H, W), but have shape "
            f"{tuple(images.shape)}; for one image use images[None]"
        )
    if images.dtype.kind in "iub":
        if images.size and (images.min() < 0 or images.max() > 255):
            raise ValueError(
                f"integer images must hold 0-255 pixel values, but range from {images.min()} "
                f"to {images.max()}; scale them to 0-1 floats yourself, e.g. "
                "images / images.max()"
            )
        x = images.astype(np.float32) / np.float32(255)
    else:
        x = v.as_float_array(images, "images").astype(np.float32)
        v.check_finite(x, "images")
        if x.size and x.min() >= 0 and x.max() > 1.5:
            raise ValueError(
                f"images are floats from {x.min():g} to {x.max():g}: they look like 0-255 "
                "pixels, but float images must already be scaled to 0-1. Use "
                "prepare_images(images / 255), or prepare_images(images.astype(np.uint8))"
            )
    return x[:, None] if x.ndim == 3 else x


# ----------------------------------------------------------------------------
# what training records
# ----------------------------------------------------------------------------
@dataclass
class History:
    """The numbers of a training run, one entry per completed epoch.

    An epoch is recorded whole or not at all: every per-epoch list has one
    entry per recorded epoch (the validation lists too, when there is
    validation data), even after Ctrl+C. Every mini-batch in ``batch_loss``
    is one weight update the model received.

    Attributes
    ----------
    epoch : list of int
        Epoch numbers (1, 2, ...).
    loss, accuracy : list of float
        Mean training loss and accuracy of each epoch (measured on the
        mini-batches as they were trained, in training mode).
    val_loss, val_accuracy : list of float
        The same on the validation data after each epoch (evaluation mode);
        empty without validation data.
    epoch_seconds : list of float
        Training time of each epoch (without validation).
    step : list of int
        Mini-batches trained so far when each epoch ended: where the epochs
        sit on a per-batch axis.
    batch_loss, batch_accuracy : list of float
        Every mini-batch, including those of an epoch that was cut short.
    seconds : float
        Total wall time of ``fit``, validation included.
    status : str
        ``"completed"``, ``"stopped"`` (the ``stop`` flag), ``"interrupted"``
        (KeyboardInterrupt), ``"diverged"`` (the loss became NaN or infinite,
        or exploded), ``"failed"`` (an error ended it) or ``"running"``.
    message : str
        Why a run diverged or failed, in a sentence; empty otherwise.
    """

    epoch: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    epoch_seconds: list = field(default_factory=list)
    step: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)
    batch_accuracy: list = field(default_factory=list)
    seconds: float = 0.0
    status: str = "not started"
    message: str = ""

    #: The per-epoch lists, in the order :meth:`as_dict` gives them.
    PER_EPOCH = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "epoch_seconds", "step")

    def __getitem__(self, key):
        """``history["val_accuracy"]``, as in Keras."""
        if key not in self.__dataclass_fields__:
            raise KeyError(
                f"History has no {key!r}; it keeps {', '.join(self.__dataclass_fields__)}"
            )
        return getattr(self, key)

    def as_dict(self) -> dict:
        """The per-epoch lists as a dict (e.g. for a table or JSON)."""
        return {k: list(getattr(self, k)) for k in self.PER_EPOCH}

    def __repr__(self):
        if not self.epoch:
            return f"History(no complete epoch, {len(self.batch_loss)} batches, {self.status})"
        text = (
            f"History({len(self.epoch)} epochs, loss {self.loss[-1]:.4f}, "
            f"accuracy {self.accuracy[-1]:.2%}"
        )
        if self.val_accuracy:
            text += f", val_loss {self.val_loss[-1]:.4f}, val_accuracy {self.val_accuracy[-1]:.2%}"
        return text + f", {self.seconds:.1f} s, {self.status})"


@dataclass
class TrainingState:
    """What callbacks receive: where training is and how it goes.

    One object is updated in place and passed to every callback call.

    Attributes
    ----------
    trainer : Trainer
        Set ``state.trainer.stop = True`` (or ``state.stop = True``) to end
        training after the current batch.
    model, optimizer, history
    epoch : int
        Current epoch number, counting from 1 (continues across ``fit`` calls
        of one :class:`Trainer`).
    epochs : int
        Number of epochs this ``fit`` call runs.
    last_epoch : int
        Number of the last epoch this ``fit`` call will run.
    batch : int
        Mini-batch number within the epoch, from 1.
    batches : int
        Mini-batches per epoch.
    step : int
        Mini-batches trained in total (all epochs, all ``fit`` calls).
    batch_size : int
        Examples in the current batch (the last one may be smaller).
    batch_loss, batch_accuracy : float
        Of the mini-batch just trained.
    loss, accuracy : float
        Running means over the epoch so far (its final value at epoch end).
    val_loss, val_accuracy : float or None
        Set at the end of an epoch when there is validation data, else None.
    has_validation_data : bool
        Whether this ``fit`` call measures validation data after each epoch.
    seconds : float
        Time since this ``fit`` call started.
    """

    trainer: Trainer
    model: object
    optimizer: object
    history: History
    epoch: int = 0
    epochs: int = 0
    last_epoch: int = 0
    batch: int = 0
    batches: int = 0
    step: int = 0
    batch_size: int = 0
    batch_loss: float = math.nan
    batch_accuracy: float = math.nan
    loss: float = math.nan
    accuracy: float = math.nan
    val_loss: float | None = None
    val_accuracy: float | None = None
    has_validation_data: bool = False
    seconds: float = 0.0

    @property
    def stop(self) -> bool:
        return self.trainer.stop

    @stop.setter
    def stop(self, value):
        self.trainer.stop = bool(value)

    @property
    def progress(self) -> float:
        """Fraction of this ``fit`` call done, 0 to 1 (handy for progress displays)."""
        first = self.last_epoch - self.epochs + 1
        done = (self.epoch - first) * self.batches + self.batch
        return min(1.0, done / max(1, self.epochs * self.batches))


# ----------------------------------------------------------------------------
# callbacks
# ----------------------------------------------------------------------------
class Callback:
    """Hooks that :func:`fit` calls while training; override the ones you need.

    Each hook receives the :class:`TrainingState`. Instead of subclassing, pass
    functions: ``Callback(on_epoch_end=lambda s: print(s.epoch, s.val_accuracy))``.
    Any object with some of these methods works as a callback too.

    Hooks: ``on_train_begin``, ``on_epoch_begin``, ``on_batch_end``,
    ``on_epoch_end``, ``on_train_end`` (always called, also after a stop or an
    interrupt).
    """

    HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end")

    def __init__(self, **hooks):
        for name, fn in hooks.items():
            if name not in self.HOOKS:
                raise TypeError(f"unknown hook {name!r}; the hooks are {', '.join(self.HOOKS)}")
            if not callable(fn):
                raise TypeError(f"{name} must be a function taking the training state")
            setattr(self, name, fn)

    def on_train_begin(self, state: TrainingState) -> None: ...
    def on_epoch_begin(self, state: TrainingState) -> None: ...
    def on_batch_end(self, state: TrainingState) -> None: ...
    def on_epoch_end(self, state: TrainingState) -> None: ...
    def on_train_end(self, state: TrainingState) -> None: ...


class EarlyStopping(Callback):
    """Stop when the validation numbers stop improving, and keep the best weights.

    A cure for overfitting: the training loss keeps falling while the
    validation loss turns back up; the best moment to stop is where validation
    was best.

    Parameters
    ----------
    monitor : str
        ``"val_loss"`` (default; lower is better), ``"val_accuracy"`` (higher is
        better), ``"loss"`` or ``"accuracy"``.
    patience : int
        Epochs without improvement before stopping.
    min_delta : float
        Smallest change that counts as an improvement.
    restore_best_weights : bool
        At the end, put back the weights of the best epoch.

    Attributes
    ----------
    best, best_epoch : the best value seen and its epoch
    stopped_epoch : int or None
        The epoch after which it stopped training (None if it did not).
    """

    def __init__(self, monitor="val_loss", patience=3, min_delta=0.0, restore_best_weights=True):
        choices = ("val_loss", "val_accuracy", "loss", "accuracy")
        if monitor not in choices:
            raise ValueError(f"monitor must be one of {choices}, but is {monitor!r}")
        self.monitor = monitor
        self.patience = v.as_int(patience, "patience", minimum=0)
        self.min_delta = v.as_real(min_delta, "min_delta", example=0.001)
        self.restore_best_weights = bool(restore_best_weights)
        self._sign = 1.0 if monitor.endswith("loss") else -1.0  # minimise loss, maximise accuracy
        self.best, self.best_epoch, self.stopped_epoch = None, None, None
        self._wait, self._weights = 0, None

    def on_train_begin(self, state):
        if self.monitor.startswith("val_") and not getattr(state, "has_validation_data", True):
            raise ValueError(self._no_validation())
        self._wait = 0
        self.stopped_epoch = None

    def _no_validation(self):
        return (
            f"EarlyStopping watches {self.monitor!r}, but there is no validation data to "
            "measure it on: pass validation_data=(x_val, y_val), or use "
            f"EarlyStopping(monitor={self.monitor[4:]!r})"
        )

    def on_epoch_end(self, state):
        value = getattr(state, self.monitor)
        if value is None:
            raise ValueError(self._no_validation())
        if self.best is None or self._sign * (self.best - value) > self.min_delta:
            weights = None
            if self.restore_best_weights:
                weights = {k: p.copy() for k, p in state.model.params.items()}
            with interrupts_held():  # the best value and its weights go together
                self.best, self.best_epoch, self._wait = value, state.epoch, 0
                self._weights = weights if weights is not None else self._weights
            return
        self._wait += 1
        if self._wait > self.patience:
            self.stopped_epoch = state.epoch
            state.trainer.stop = True

    def on_train_end(self, state):
        if self.restore_best_weights and self._weights is not None:
            with interrupts_held():  # all the best weights, not some of them
                for k, p in state.model.params.items():
                    np.copyto(p, self._weights[k])

    def __repr__(self):
        return f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience})"


class CosineDecay(Callback):
    """Lower the learning rate along half a cosine, from its start value towards ``min_lr``.

    Big steps early travel fast; small steps late settle into a good spot
    instead of jumping around it. At the start of epoch ``e`` (0, 1, ... of
    ``E`` in this ``fit`` call) the optimiser's learning rate becomes::

        min_lr + (lr0 - min_lr) * (1 + cos(pi * e / E)) / 2

    where ``lr0`` is the learning rate the optimiser had when training first
    started.

    Parameters
    ----------
    min_lr : float
        Where the rate would arrive after the last epoch: at least 0 and at
        most the optimiser's learning rate.
    """

    def __init__(self, min_lr: float = 0.0):
        self.min_lr = v.as_real(min_lr, "min_lr", example=0)
        self.start_lr = None

    def on_train_begin(self, state):
        if self.start_lr is None:
            self.start_lr = state.optimizer.lr
        if self.min_lr > self.start_lr:
            raise ValueError(
                f"CosineDecay(min_lr={self.min_lr:g}) would raise the learning rate: the "
                f"optimiser starts at {self.start_lr:g}. Use a min_lr below that, e.g. "
                "CosineDecay() to decay towards 0"
            )

    def on_epoch_begin(self, state):
        first = state.last_epoch - state.epochs + 1
        fraction = (state.epoch - first) / max(1, state.epochs)
        cosine = (1 + math.cos(math.pi * fraction)) / 2
        state.optimizer.lr = self.min_lr + (self.start_lr - self.min_lr) * cosine

    def __repr__(self):
        return f"CosineDecay(min_lr={self.min_lr})"


# ----------------------------------------------------------------------------
# evaluation
# ----------------------------------------------------------------------------
def evaluate(model, x, y, batch_size: int = 500) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on ``(x, y)``, in evaluation mode.

    Parameters
    ----------
    model : Sequential
    x : float array, shape (N, C, H, W)
        Scaled like the training data, e.g. ``prepare_images(images)``; the
        same data :func:`fit` accepts (raw 0-255 pixels are refused by both).
    y : int array, shape (N,)
    batch_size : int
        Examples per forward pass (only memory depends on it).

    Returns
    -------
    (loss, accuracy) : (float, float)
        Accuracy is the fraction of examples whose largest score is the label.
    """
    x, y = v.training_data(x, y, model)
    batch_size = v.as_batch_size(batch_size)
    return _evaluate(model, x, y, batch_size)


def _evaluate(model, x, y, batch_size=500):
    """:func:`evaluate` for data already checked (the validation data after each epoch)."""
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    try:
        for i in range(0, len(x), batch_size):
            logits = model.forward(x[i : i + batch_size])
            yb = y[i : i + batch_size]
            loss, _, _ = softmax_cross_entropy(logits, yb)
            total_loss += loss * len(yb)
            correct += int((logits.argmax(axis=1) == yb).sum())
    finally:
        model.train(was_training)
    return total_loss / len(x), correct / len(x)


# ----------------------------------------------------------------------------
# the training loop
# ----------------------------------------------------------------------------
#: When a run has diverged: the middle value (median) of its last ``WINDOW``
#: mini-batch losses (at least ``MIN_WINDOW`` of them) is more than ``EXPLODED``
#: times the larger of ln(K), the loss of a network that guesses among K
#: classes, and the loss the run started from. A network that has learned
#: nothing sits at ln(K); ten times that, batch after batch, means confidently
#: wrong answers: the steps are throwing the weights around. The median ignores
#: the single spikes of healthy runs (one batch at 4,000 times ln(K) in a run
#: with RMSprop that recovered). Measured on 186 runs on the bundled digits
#: (SGD with and without momentum, RMSprop and Adam, learning rates from 1e-4 to
#: 1e6, batches of 8 to 128): no run that learned came above 1.2 times the
#: reference (the median of 3 batches reached 9.3: too short a window), and every
#: run at a learning rate of 1000 or more went far beyond 10 times it within its
#: first batches. The window goes on across the ``fit`` calls of one
#: :class:`Trainer` (e.g. presses of the dashboard's Start); until it holds
#: ``MIN_WINDOW`` batches, only NaN and infinity count.
WINDOW = 10
MIN_WINDOW = 5
EXPLODED = 10.0


class _Diverged(Exception):
    """Raised inside the loop when the run diverges; the message says how."""


def _overflow(err):
    """What a NaN/inf error from inside the network means, in a few words."""
    return (
        f"the numbers inside the network overflowed to infinity or NaN ({str(err).split(';')[0]})"
    )


class Trainer:
    """Trains a model with an optimiser; keeps its history across ``fit`` calls.

    Use :func:`fit` for a single run; use a ``Trainer`` when something else
    needs a handle on the run, e.g. a Stop button::

        trainer = Trainer(model, Adam(model, lr=2e-3), batch_size=32, seed=0)
        history = trainer.fit(x, y, epochs=5, validation_data=(x_test, y_test))
        trainer.stop = True         # from a callback or a widget: stop after this batch

    Calling ``fit`` again continues where the last call ended: the epochs
    keep counting, the shuffling generator continues, the history grows.

    Parameters
    ----------
    model : Sequential
    optimizer : Optimizer
        Built for this model, e.g. ``Adam(model, lr=2e-3)``; one built for
        another model (e.g. before the model's cell ran again) is refused.
    batch_size : int
        Examples per mini-batch (the last batch of an epoch may be smaller).
    seed : int
        Seeds the shuffling (and the augmentation) generators.
    shuffle : bool
        Visit the examples in a new random order every epoch (default True).
    augment : callable, optional
        ``augment(xb, rng) -> xb`` applied to every training mini-batch,
        e.g. :class:`cnnlib.RandomShift`.
    callbacks : list
        Objects with some of :class:`Callback`'s hooks.
    progress : bool
        Show a tqdm progress bar per epoch.

    Attributes
    ----------
    stop : bool
        Set it to True to end training cleanly after the current batch.
    history : History
    """

    def __init__(
        self,
        model,
        optimizer,
        *,
        batch_size=64,
        seed=0,
        shuffle=True,
        augment=None,
        callbacks=(),
        progress=True,
    ):
        if not all(hasattr(model, name) for name in ("forward", "backward", "params")):
            raise TypeError(
                f"model must be a network or a layer (with forward, backward and params), "
                f"e.g. reference_cnn(), but is {model!r}"
            )
        self.model = model
        self.optimizer = v.optimizer_for(model, optimizer)
        self.batch_size = v.as_batch_size(batch_size)
        self.seed = v.as_int(seed, "seed", minimum=0)
        self.shuffle = bool(shuffle)
        if augment is not None and not callable(augment):
            raise TypeError(f"augment must be a function augment(xb, rng) -> xb, not {augment!r}")
        self.augment = augment
        self.callbacks = list(callbacks)
        self.progress = bool(progress)
        self.stop = False
        self.history = History()
        self._bar = None  # the progress bar of the running epoch
        self._start = 0.0
        self._shuffle_rng = np.random.default_rng((self.seed, 0))
        self._augment_rng = np.random.default_rng((self.seed, 1))
        self._step = 0
        self._losses: list[float] = []  # the last batch losses (the divergence watch)
        self._loss_scale = 0.0  # max(ln K, the first loss), set at the first batch

    def _call(self, hook, state):
        for cb in self.callbacks:
            fn = getattr(cb, hook, None)
            if fn is not None:
                fn(state)

    def fit(self, x, y, epochs=1, validation_data=None) -> History:
        """Train for ``epochs`` more epochs; returns the (growing) :class:`History`.

        Parameters
        ----------
        x : float array, shape (N, C, H, W)
            Training inputs, e.g. ``prepare_images(images)``.
        y : int array, shape (N,)
            Their labels.
        epochs : int
        validation_data : (x_val, y_val), optional
            Measured after every epoch, in evaluation mode.

        Raises
        ------
        ValueError, TypeError
            Before the first step, for data the network cannot learn from
            (see :func:`cnnlib._validate.training_data`) and for an
            optimiser built for another model.
        """
        model, history = self.model, self.history
        self.optimizer = v.optimizer_for(model, self.optimizer)  # it may have been replaced
        v.finite_weights(model)
        dtype = model.dtype or np.float32
        x, y = v.training_data(x, y, model)
        x = x.astype(dtype, copy=False)  # once for all batches
        epochs = v.as_int(epochs, "epochs", minimum=0)
        if validation_data is not None:
            if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
                raise TypeError("validation_data must be a pair (x_val, y_val)")
            xv, yv = v.training_data(*validation_data, model, name="x_val", label="y_val")
            validation_data = (xv.astype(dtype, copy=False), yv)
        first = len(history.epoch) + 1
        state = TrainingState(
            self,
            model,
            self.optimizer,
            history,
            epochs=epochs,
            last_epoch=first + epochs - 1,
            batches=math.ceil(len(x) / self.batch_size),
            has_validation_data=validation_data is not None,
        )
        self.stop = False
        was_training = model.training
        try:
            history.status, history.message = "running", ""
            self._start = time.perf_counter()
            model.train()
            # a diverging run overflows; the divergence watch reports that once, clearly
            with np.errstate(over="ignore", invalid="ignore"), interrupts_watched():
                self._call("on_train_begin", state)
                for epoch in range(first, first + epochs):
                    seconds = self._run_epoch(epoch, x, y, state)
                    if seconds is None:
                        break  # stopped midway
                    self._end_epoch(state, seconds, validation_data)
                    if self.stop:
                        break
            history.status = "stopped" if self.stop else "completed"
        except _Diverged as why:
            history.status, history.message = "diverged", str(why)
        except KeyboardInterrupt:  # Ctrl+C, or the notebook's stop button
            history.status = "interrupted"
        except Exception as err:
            history.status, history.message = "failed", f"{type(err).__name__}: {err}"
            raise
        finally:
            # a Ctrl+C while wrapping up comes too late to stop anything: it is dropped
            with interrupts_held(deliver=False):
                if history.status == "running":  # KeyboardInterrupt before the try began
                    history.status = "interrupted"
                self._bar = self._close(self._bar, note=history.status)
                model.train(was_training)
                state.seconds = time.perf_counter() - self._start
                history.seconds += state.seconds
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl+C while wrapping up
            self._call("on_train_end", state)
        if history.status == "diverged":
            warnings.warn(history.message, RuntimeWarning, stacklevel=3)
        return history

    def _run_epoch(self, epoch, x, y, state):
        """Train on every mini-batch once; return the seconds it took, None if stopped midway."""
        model = self.model
        state.epoch, state.batch, state.val_loss, state.val_accuracy = epoch, 0, None, None
        self._call("on_epoch_begin", state)
        self._bar = self._progress_bar(epoch, state.last_epoch, state.batches)
        order = self._shuffle_rng.permutation(len(x)) if self.shuffle else np.arange(len(x))
        epoch_start = time.perf_counter()
        loss_sum, correct, seen = 0.0, 0, 0
        for b in range(state.batches):
            idx = order[b * self.batch_size : (b + 1) * self.batch_size]
            xb, yb = x[idx], y[idx]
            if self.augment is not None:
                xb = self.augment(xb, self._augment_rng)
            try:  # the four lines of learning (the fourth, the step, below)
                logits = model.forward(xb)
                loss, grad, _ = softmax_cross_entropy(logits, yb)
                self._watch(loss, logits.shape[1], epoch, b + 1)
                if isinstance(model, Sequential):
                    model.backward(grad, input_grad=False)  # nobody needs d(loss)/d(images)
                else:  # a single layer, or a model of your own
                    model.backward(grad)
            except (_Diverged, v.NonFiniteError) as err:  # NaN, inf, or an exploding loss
                raise self._blame(err, xb, epoch, b + 1) from None
            hits = int((logits.argmax(axis=1) == yb).sum())
            with interrupts_held():  # a step and its record go together: both or neither
                self.optimizer.step()
                loss_sum, correct, seen = loss_sum + loss * len(yb), correct + hits, seen + len(yb)
                self._step += 1
                self.history.batch_loss.append(loss)
                self.history.batch_accuracy.append(hits / len(yb))
                state.batch, state.step, state.batch_size = b + 1, self._step, len(yb)
                state.batch_loss, state.batch_accuracy = loss, hits / len(yb)
                state.loss, state.accuracy = loss_sum / seen, correct / seen
            state.seconds = time.perf_counter() - self._start
            self._call("on_batch_end", state)
            if self._bar is not None:
                self._bar.update(1)
                self._bar.set_postfix(
                    loss=f"{state.loss:.4f}", acc=f"{state.accuracy:.3f}", refresh=False
                )
            if self.stop:
                return None
        return time.perf_counter() - epoch_start

    def _blame(self, err, xb, epoch, batch):
        """The error for NaN, infinity or an explosion in a batch: bad data or divergence.

        The data were checked before training, but ``augment`` may have spoiled
        the batch (checked only now, not on every batch: it costs time).
        """
        if self.augment is not None:
            try:
                v.check_finite(v.as_float_array(xb, "xb"), "the batch returned by augment")
            except ValueError as bad_data:
                return bad_data
        return (
            err
            if isinstance(err, _Diverged)
            else _Diverged(self._advice(epoch, batch, _overflow(err)))
        )

    def _watch(self, loss, classes, epoch, batch):
        """Raise :class:`_Diverged` if the loss is NaN or infinite, or has exploded."""
        if not math.isfinite(loss):
            raise _Diverged(self._advice(epoch, batch, f"the loss became {loss}"))
        losses = self._losses  # of this trainer: a run of a few batches continues the last
        if not losses:  # the first batch: the scale of its loss
            self._loss_scale = max(math.log(classes), loss)
        losses.append(loss)
        if len(losses) > WINDOW:
            del losses[0]
        if len(losses) >= MIN_WINDOW and self._loss_scale > 0:
            typical = statistics.median(losses)
            if typical > EXPLODED * self._loss_scale:
                guess = math.log(classes)
                reference = (  # the start is often within a few percent of guessing
                    f"the loss of guessing among {classes} classes (ln {classes} = {guess:.2f})"
                    if self._loss_scale < 1.5 * guess
                    else f"the loss it started from ({self._loss_scale:.3g})"
                )
                what = (
                    f"the loss exploded to {typical:.3g} (the median of the last {len(losses)} "
                    f"mini-batches), over {EXPLODED:g} times {reference}"
                )
                raise _Diverged(self._advice(epoch, batch, what))

    def _advice(self, epoch, batch, what):
        lr = getattr(self.optimizer, "lr", None)
        smaller = f"e.g. lr={lr / 10:g}" if isinstance(lr, float) else "about 10 times smaller"
        rate = f"The learning rate ({lr:g})" if isinstance(lr, float) else "The learning rate"
        return (
            f"Training diverged at epoch {epoch}, batch {batch}: {what}. {rate} is probably "
            "too large: build the model again (its weights are ruined) and use a learning rate "
            f"about 10 times smaller, {smaller}"
        )

    def _end_epoch(self, state, seconds, validation_data):
        """Measure the validation data, record the epoch (all or nothing), tell the callbacks."""
        model, history = self.model, self.history
        for name, p in model.params.items():  # NaN weights would poison the next run
            if not np.isfinite(p).all():
                raise _Diverged(
                    self._advice(state.epoch, state.batch, f"the weights {name!r} became NaN")
                )
        val_loss = val_accuracy = None
        if validation_data is not None:
            try:
                val_loss, val_accuracy = _evaluate(model, *validation_data)
            except v.NonFiniteError as err:
                what = _overflow(err) + ", measuring the validation data"
                raise _Diverged(self._advice(state.epoch, state.batch, what)) from None
        with interrupts_held():  # every number of the epoch, or none
            history.epoch.append(state.epoch)
            history.loss.append(state.loss)
            history.accuracy.append(state.accuracy)
            history.epoch_seconds.append(seconds)
            history.step.append(len(history.batch_loss))
            if validation_data is not None:
                history.val_loss.append(val_loss)
                history.val_accuracy.append(val_accuracy)
            state.val_loss, state.val_accuracy = val_loss, val_accuracy
        if self._bar is not None and val_accuracy is not None:
            self._bar.set_postfix(
                loss=f"{state.loss:.4f}", acc=f"{state.accuracy:.3f}", val_acc=f"{val_accuracy:.3f}"
            )
        state.seconds = time.perf_counter() - self._start
        self._call("on_epoch_end", state)
        self._bar = self._close(self._bar)

    def _progress_bar(self, epoch, last, batches):
        if not self.progress:
            return None
        from tqdm.auto import tqdm

        return tqdm(
            total=batches, desc=f"epoch {epoch}/{last}", unit="batch", leave=True, mininterval=0.25
        )

    @staticmethod
    def _close(bar, note=None):
        if bar is not None:
            if note in ("stopped", "interrupted", "diverged", "failed"):
                bar.set_description_str(f"{bar.desc} ({note})", refresh=False)
            bar.close()
        return None

    def __repr__(self):
        return (
            f"Trainer(model with {sum(p.size for p in self.model.params.values()):,} params, "
            f"{self.optimizer!r}, batch_size={self.batch_size}, seed={self.seed})"
        )


def fit(
    model,
    x,
    y,
    *,
    optimizer,
    epochs=1,
    batch_size=64,
    validation_data=None,
    seed=0,
    shuffle=True,
    augment=None,
    callbacks=(),
    progress=True,
) -> History:
    """Train ``model`` on ``(x, y)`` with mini-batches; returns the :class:`History`.

    Parameters
    ----------
    model : Sequential
        Ends with class scores (N, K); the loss is softmax cross-entropy.
    x : float array, shape (N, C, H, W)
        Training inputs scaled to small floats, e.g. ``prepare_images(images)``.
    y : int array, shape (N,)
        Class labels 0..K-1.
    optimizer : Optimizer
        Built for this model, e.g. ``Adam(model, lr=2e-3)``.
    epochs : int
        Passes over the training data.
    batch_size : int
        Examples per weight update.
    validation_data : (x_val, y_val), optional
        Measured after every epoch (loss and accuracy, evaluation mode).
    seed : int
        Seeds the shuffling: same seed, same model, same data -> same weights.
    shuffle : bool
        New random order every epoch.
    augment : callable, optional
        ``augment(xb, rng) -> xb`` applied to training batches (e.g. :class:`cnnlib.RandomShift`).
    callbacks : list
        Objects with ``on_batch_end(state)``, ``on_epoch_end(state)`` ... methods,
        e.g. ``[Callback(on_epoch_end=plot)]`` or ``[EarlyStopping(patience=2)]``.
    progress : bool
        Show a progress bar.

    Returns
    -------
    History
        Per-epoch loss and accuracy (and validation numbers), per-batch losses,
        timing and ``status``. After Ctrl+C / the notebook's stop button the
        model keeps what it learned and ``status`` is ``"interrupted"``. If
        the loss becomes NaN or infinite or explodes (see ``EXPLODED``),
        training stops, ``status`` is ``"diverged"``, ``message`` says why, and
        a ``RuntimeWarning`` says it too.

    Raises
    ------
    ValueError, TypeError
        Before the first step: for 0-255 or otherwise large inputs, NaN or
        infinity in the data, labels that are not integers or outside the
        model's classes, shapes that do not fit, an optimiser built for
        another model, a model whose weights are already NaN.

    Examples
    --------
    >>> images, labels = load_mnist("train")                         # doctest: +SKIP
    >>> model = reference_cnn(seed=0)                                # doctest: +SKIP
    >>> history = fit(model, prepare_images(images), labels,         # doctest: +SKIP
    ...               optimizer=Adam(model, lr=2e-3), epochs=3, batch_size=32)
    """
    trainer = Trainer(
        model,
        optimizer,
        batch_size=batch_size,
        seed=seed,
        shuffle=shuffle,
        augment=augment,
        callbacks=callbacks,
        progress=progress,
    )
    return trainer.fit(x, y, epochs=epochs, validation_data=validation_data)
