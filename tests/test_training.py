"""The training loop: it learns, it is reproducible, it reports, and it stops cleanly."""

import math

import numpy as np
import pytest

from cnnlib.augment import RandomShift
from cnnlib.datasets import load_mnist
from cnnlib.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from cnnlib.model import Sequential, reference_cnn
from cnnlib.optim import SGD, Adam
from cnnlib.training import (
    Callback,
    CosineDecay,
    EarlyStopping,
    History,
    Trainer,
    evaluate,
    fit,
    prepare_images,
)


def tiny_model(seed=0):
    return Sequential(
        Conv2D(1, 4, 3, padding=1), ReLU(), MaxPool2D(2), Flatten(), Dense(4 * 4 * 4, 3), seed=seed
    )


def tiny_data(n=60, seed=0):
    """Three classes of 8x8 images: a bright row, a bright column, or a bright diagonal."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.random((n, 1, 8, 8)).astype(np.float32) * 0.3
    pos = rng.integers(1, 7, n)
    for i in range(n):
        if y[i] == 0:
            x[i, 0, pos[i], :] += 1
        elif y[i] == 1:
            x[i, 0, :, pos[i]] += 1
        else:
            x[i, 0] += np.eye(8, dtype=np.float32)
    return x, y


def weights(model):
    return {k: p.copy() for k, p in model.params.items()}


def test_training_on_real_digits_learns():
    """500 MNIST digits, 3 epochs: the loss falls and test accuracy beats chance (10%) by far."""
    images, labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    x, y = prepare_images(images[:500]), labels[:500]
    xv, yv = prepare_images(test_images[:300]), test_labels[:300]
    model = reference_cnn(seed=0)
    loss_before, acc_before = evaluate(model, xv, yv)
    history = fit(
        model,
        x,
        y,
        optimizer=Adam(model, lr=3e-3),
        epochs=3,
        batch_size=32,
        validation_data=(xv, yv),
        progress=False,
    )
    assert history.status == "completed" and history.epoch == [1, 2, 3]
    assert history.loss[-1] < 0.5 * history.loss[0] < loss_before
    assert history.val_accuracy[-1] > 0.7 > 0.25 > acc_before
    assert history.val_loss[-1] < 0.5 * loss_before
    assert len(history.batch_loss) == 3 * math.ceil(500 / 32)
    assert (history.val_loss[-1], history.val_accuracy[-1]) == evaluate(model, xv, yv)


def test_same_seed_same_weights_and_history():
    x, y = tiny_data()

    def train(seed):
        model = tiny_model(seed=seed)
        h = fit(
            model,
            x,
            y,
            optimizer=Adam(model, lr=0.01),
            epochs=2,
            batch_size=16,
            seed=seed,
            progress=False,
            augment=RandomShift(1),
        )
        return weights(model), h

    (w1, h1), (w2, h2), (w3, h3) = train(0), train(0), train(1)
    for k in w1:
        np.testing.assert_array_equal(w1[k], w2[k])
    assert h1.batch_loss == h2.batch_loss and h1.loss == h2.loss
    assert not np.array_equal(w1["0.weight"], w3["0.weight"])
    assert h1.batch_loss != h3.batch_loss


def test_history_and_callbacks_report_progress():
    x, y = tiny_data(50)
    seen = []

    class Recorder(Callback):
        def on_batch_end(self, state):
            seen.append(
                (
                    "batch",
                    state.epoch,
                    state.batch,
                    state.step,
                    state.batch_size,
                    state.val_accuracy,
                    round(state.progress, 3),
                )
            )

        def on_epoch_end(self, state):
            seen.append(("epoch", state.epoch, state.loss, state.val_loss, state.val_accuracy))

    ends = []
    model = tiny_model()
    history = fit(
        model,
        x,
        y,
        optimizer=SGD(model, lr=0.1),
        epochs=2,
        batch_size=20,
        validation_data=(x[:10], y[:10]),
        progress=False,
        callbacks=[Recorder(), Callback(on_train_end=lambda s: ends.append(s.seconds))],
    )
    batches = [s for s in seen if s[0] == "batch"]
    # 50 examples in batches of 20: 20, 20, 10
    assert [(b[1], b[2], b[3], b[4]) for b in batches] == [
        (1, 1, 1, 20),
        (1, 2, 2, 20),
        (1, 3, 3, 10),
        (2, 1, 4, 20),
        (2, 2, 5, 20),
        (2, 3, 6, 10),
    ]
    assert all(b[5] is None for b in batches)  # validation only at epoch end
    assert [b[6] for b in batches] == [0.167, 0.333, 0.5, 0.667, 0.833, 1.0]
    epochs = [s for s in seen if s[0] == "epoch"]
    assert [e[1] for e in epochs] == [1, 2]
    assert [e[2] for e in epochs] == history.loss
    assert [e[3] for e in epochs] == history.val_loss
    assert [e[4] for e in epochs] == history.val_accuracy
    assert len(ends) == 1 and ends[0] > 0
    assert history["val_accuracy"] is history.val_accuracy
    assert set(history.as_dict()) == {
        "epoch",
        "loss",
        "accuracy",
        "val_loss",
        "val_accuracy",
        "epoch_seconds",
    }
    assert "2 epochs" in repr(history) and "completed" in repr(history)


def test_stop_flag_ends_after_the_current_batch():
    x, y = tiny_data()
    model = tiny_model()
    start = weights(model)

    def stop_at_third(state):
        if state.step == 3:
            state.trainer.stop = True

    history = fit(
        model,
        x,
        y,
        optimizer=SGD(model, lr=0.1),
        epochs=5,
        batch_size=8,
        progress=False,
        callbacks=[Callback(on_batch_end=stop_at_third)],
    )
    assert history.status == "stopped"
    assert len(history.batch_loss) == 3 and history.epoch == []
    assert not np.array_equal(model.params["0.weight"], start["0.weight"])  # it learned
    assert "no complete epoch" in repr(history)


def test_trainer_continues_and_can_be_stopped_from_outside():
    x, y = tiny_data()
    model = tiny_model()
    trainer = Trainer(model, Adam(model, lr=0.01), batch_size=30, progress=False)
    trainer.fit(x, y, epochs=2)
    trainer.stop = True  # a stale stop request does not block the next run...
    history = trainer.fit(x, y, epochs=1)
    assert history is trainer.history and history.epoch == [1, 2, 3]
    assert history.status == "completed"
    # ...but setting it while training (here from a callback, like a button would) stops it
    trainer.callbacks.append(Callback(on_batch_end=lambda s: setattr(s, "stop", True)))
    trainer.fit(x, y, epochs=3)
    assert history.status == "stopped" and history.epoch == [1, 2, 3]
    assert "Trainer(" in repr(trainer)


def test_keyboard_interrupt_keeps_weights_and_returns_history():
    x, y = tiny_data()
    model = tiny_model()
    snapshot = {}

    def interrupt(state):
        if state.epoch == 2 and state.batch == 2:
            snapshot.update(weights(state.model))
            raise KeyboardInterrupt

    history = fit(
        model,
        x,
        y,
        optimizer=Adam(model, lr=0.01),
        epochs=5,
        batch_size=16,
        progress=True,
        callbacks=[Callback(on_batch_end=interrupt)],
    )
    assert history.status == "interrupted"
    assert history.epoch == [1]  # one complete epoch
    assert len(history.batch_loss) == math.ceil(60 / 16) + 2
    for k, p in model.params.items():  # the weights learned up to the interrupt are kept
        np.testing.assert_array_equal(p, snapshot[k])
    assert model.training  # the mode it had before


def test_divergence_stops_with_an_explanation():
    x, y = tiny_data()
    model = Sequential(Flatten(), Dense(64, 3), seed=0)
    with pytest.warns(RuntimeWarning, match="diverged.*learning rate"):
        history = fit(
            model,
            x * 1e3,
            y,
            optimizer=SGD(model, lr=1e35),
            epochs=3,
            batch_size=10,
            progress=False,
        )
    assert history.status == "diverged"
    assert len(history.batch_loss) < 18


def test_early_stopping_restores_the_best_weights():
    model = Sequential(Dense(2, 2), seed=0)
    stopper = EarlyStopping(patience=1)

    class FakeTrainer:
        stop = False

    state = type("S", (), {})()
    state.trainer, state.model = FakeTrainer(), model
    stopper.on_train_begin(state)
    for epoch, val_loss in enumerate([1.0, 0.8, 0.9, 0.85, 0.95], start=1):
        model.params["0.bias"][:] = epoch  # the weights of each epoch
        state.epoch, state.val_loss = epoch, val_loss
        stopper.on_epoch_end(state)
        if state.trainer.stop:
            break
    assert epoch == 4 and stopper.stopped_epoch == 4
    assert (stopper.best, stopper.best_epoch) == (0.8, 2)
    stopper.on_train_end(state)
    np.testing.assert_array_equal(model.params["0.bias"], [2, 2])


def test_early_stopping_in_fit():
    x, y = tiny_data()
    model = tiny_model()
    # the model memorises 20 examples; accuracy on them soon stops improving
    stopper = EarlyStopping(monitor="val_accuracy", patience=0)
    history = fit(
        model,
        x,
        y,
        optimizer=Adam(model, lr=0.01),
        epochs=30,
        batch_size=20,
        validation_data=(x[:20], y[:20]),
        callbacks=[stopper],
        progress=False,
    )
    assert history.status == "stopped" and len(history.epoch) < 30
    assert stopper.best == max(history.val_accuracy)
    assert evaluate(model, x[:20], y[:20])[1] == stopper.best


def test_cosine_decay_lowers_the_learning_rate_each_epoch():
    x, y = tiny_data(20)
    model = tiny_model()
    opt = Adam(model, lr=0.01)
    rates = []
    record = Callback(on_epoch_begin=lambda s: rates.append(s.optimizer.lr))
    trainer = Trainer(
        model, opt, batch_size=10, progress=False, callbacks=[CosineDecay(min_lr=0.001), record]
    )
    trainer.fit(x, y, epochs=3)
    # (1 + cos(pi * e / 3)) / 2 = 1, 0.75, 0.25 between 0.001 and 0.01
    np.testing.assert_allclose(rates, [0.01, 0.00775, 0.00325])
    trainer.fit(x, y, epochs=2)  # a new run decays again from the first start value
    np.testing.assert_allclose(rates[3:], [0.01, 0.0055])


def test_fit_also_trains_a_single_layer():
    x, y = tiny_data(60)
    layer = Dense(64, 3, seed=0)
    history = fit(
        layer,
        x.reshape(60, 64),
        y,
        optimizer=SGD(layer, lr=0.5),
        epochs=5,
        batch_size=20,
        progress=False,
    )
    assert history.loss[-1] < history.loss[0]


def test_prepare_images():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    x = prepare_images(images)
    assert x.shape == (1, 1, 2, 2) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, 0], [[0, 1], [0.2, 0.4]])
    assert prepare_images(np.zeros((2, 3, 4, 4), np.uint8)).shape == (2, 3, 4, 4)
    with pytest.raises(ValueError, match="images\\[None\\]"):
        prepare_images(np.zeros((28, 28)))


@pytest.mark.parametrize(
    ("x", "y", "error", "match"),
    [
        (np.zeros((4, 1, 8, 8), np.uint8), np.zeros(4, int), TypeError, "prepare_images"),
        (np.zeros((4, 1, 8, 8)), np.zeros(4), TypeError, "integer class labels"),
        (np.zeros((4, 1, 8, 8)), np.zeros(3, int), ValueError, r"shape \(4,\)"),
        (np.zeros((0, 1, 8, 8)), np.zeros(0, int), ValueError, "empty"),
    ],
)
def test_bad_data(x, y, error, match):
    model = tiny_model()
    with pytest.raises(error, match=match):
        fit(model, x, y, optimizer=SGD(model, lr=0.1), progress=False)


def test_history_defaults():
    h = History()
    assert h.status == "not started" and h.loss == [] and "no complete epoch" in repr(h)
