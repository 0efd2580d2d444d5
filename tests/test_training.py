"""The training loop: it learns, it is reproducible, it reports, and it stops cleanly."""

import math

import numpy as np
import pytest

from cnnlib.augment import RandomShift
from cnnlib.datasets import load_mnist
from cnnlib.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from cnnlib.model import Sequential, reference_cnn
from cnnlib.optim import SGD, Adam, RMSprop
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
        "step",
    }
    assert history.step == [3, 6]  # where each epoch ended, counted in mini-batches
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
            model, x, y, optimizer=SGD(model, lr=1e38), epochs=3, batch_size=10, progress=False
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


# --- a stale optimiser ---------------------------------------------------------------
def test_an_optimizer_built_for_another_model_is_refused():
    """The model cell ran again, the optimiser cell did not: the optimiser still holds the
    old model's weights; training would change those and leave the new model at chance."""
    x, y = tiny_data()
    old = tiny_model()
    optimizer = Adam(old, lr=0.01)
    model = tiny_model()  # the cell that builds the model, run again
    start, old_start = weights(model), weights(old)
    with pytest.raises(ValueError, match=r"built for another model.*Adam\(model, lr=0.01\)"):
        fit(model, x, y, optimizer=optimizer, progress=False)
    with pytest.raises(ValueError, match="built for another model"):
        Trainer(model, optimizer)
    for name in start:  # nothing was trained, neither model
        np.testing.assert_array_equal(model.params[name], start[name])
        np.testing.assert_array_equal(old.params[name], old_start[name])
    # an optimiser swapped in later is checked at the next fit
    trainer = Trainer(model, Adam(model, lr=0.01), progress=False)
    trainer.optimizer = optimizer
    with pytest.raises(ValueError, match="built for another model"):
        trainer.fit(x, y)


def test_an_optimizer_for_part_of_the_model_trains_that_part():
    """Training only the last layer (the others frozen) is allowed: its weights are the model's."""
    x, y = tiny_data()
    model = tiny_model()
    start = weights(model)
    history = fit(model, x, y, optimizer=SGD(model.layers[4], lr=0.1), progress=False)
    assert history.status == "completed"
    np.testing.assert_array_equal(model.params["0.weight"], start["0.weight"])
    assert not np.array_equal(model.params["4.weight"], start["4.weight"])


@pytest.mark.parametrize("optimizer", [None, "adam", 0.01])
def test_a_missing_optimizer_is_refused_at_once(optimizer):
    with pytest.raises(TypeError, match=r"optimizer must be an optimiser .*=Adam\(model"):
        Trainer(tiny_model(), optimizer)


# --- divergence, on real digits ------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    images, labels = load_mnist("train")
    return prepare_images(images[:500]), labels[:500]


@pytest.mark.parametrize("optimizer", [Adam, RMSprop, SGD])
@pytest.mark.parametrize("lr", [1e6, 1e30])
def test_a_huge_learning_rate_diverges_with_advice(digits, optimizer, lr):
    """At lr=1e6 the loss explodes (5e20 with Adam, which used to be 'completed'); at 1e30
    the numbers inside the network overflow (which used to be a NaN error from a MaxPool
    layer suggesting np.nan_to_num)."""
    x, y = digits
    model = reference_cnn(seed=0)
    with pytest.warns(RuntimeWarning, match="Training diverged") as caught:
        history = fit(model, x, y, optimizer=optimizer(model, lr=lr), epochs=2, progress=False)
    assert history.status == "diverged"
    assert history.message == str(caught[0].message)
    assert f"learning rate ({lr:g}) is probably too large" in history.message
    assert f"lr={lr / 10:g}" in history.message and "nan_to_num" not in history.message
    assert len(history.batch_loss) < 10 and history.epoch == []  # stopped at once


@pytest.mark.parametrize(
    ("optimizer", "settings", "batch_size"),
    [
        (SGD, {"lr": 0.1}, 32),
        (SGD, {"lr": 0.05, "momentum": 0.9}, 32),
        (Adam, {"lr": 0.01}, 64),
        (Adam, {"lr": 0.03}, 8),  # noisy, a few spikes to 4 times ln(10)
        (RMSprop, {"lr": 0.03}, 8),  # single batches spike to 200 times ln(10), and recover
    ],
)
def test_healthy_runs_are_never_called_diverged(digits, optimizer, settings, batch_size):
    x, y = digits
    model = reference_cnn(seed=0)
    history = fit(
        model, x, y, optimizer=optimizer(model, **settings), batch_size=batch_size, progress=False
    )
    assert history.status == "completed" and history.message == ""
    if batch_size == 8:
        assert max(history.batch_loss) > 4  # it had its bad moments


def test_a_run_that_diverges_in_its_last_step_is_caught_at_the_epoch_end():
    x, y = tiny_data(8)
    model = tiny_model()

    class Poison(Callback):  # as if the last step had made a weight NaN
        def on_batch_end(self, state):
            state.model.params["4.bias"][0] = np.nan

    with pytest.warns(RuntimeWarning, match=r"weights '4.bias' became NaN"):
        history = fit(
            model,
            x,
            y,
            optimizer=SGD(model, lr=0.1),
            batch_size=8,
            callbacks=[Poison()],
            progress=False,
        )
    assert history.status == "diverged" and history.epoch == []
    with pytest.raises(ValueError, match="parameter '4.bias' holds NaN.*build the model again"):
        fit(model, x, y, optimizer=SGD(model, lr=0.1), progress=False)


# --- bad data is blamed on the data, before the first step ----------------------------
def test_nan_in_the_data_is_blamed_on_the_data_not_the_learning_rate(digits):
    x, y = digits
    x = x.copy()
    x[3, 0, 5, 5] = np.nan
    model = reference_cnn(seed=0)
    start = weights(model)
    with pytest.raises(ValueError, match=r"x contains 1 NaN .* index \(3, 0, 5, 5\)"):
        fit(model, x, y, optimizer=Adam(model), progress=False)
    with pytest.raises(ValueError, match=r"x_val contains 1 NaN"):
        fit(model, x[4:], y[4:], optimizer=Adam(model), validation_data=(x, y), progress=False)
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, start[name])


def test_augmentation_that_makes_nan_is_blamed():
    x, y = tiny_data()
    model = tiny_model()
    with pytest.raises(ValueError, match="the batch returned by augment contains"):
        fit(
            model,
            x,
            y,
            optimizer=SGD(model),
            augment=lambda xb, rng: xb * np.nan,
            progress=False,
        )


BAD_DATA = [
    # (what, x, y, error, match)
    ("raw pixels", lambda x: (x * 255).astype(np.uint8), None, TypeError, r"integer dtype uint8"),
    (
        "0-255 floats",
        lambda x: x * 255,
        None,
        ValueError,
        r"x holds values from 0.0\d+ to 33\d.*/ 255",
    ),
    ("centred 0-255", lambda x: x * 255 - 128, None, ValueError, r"values from -127.9\d+ to 20\d"),
    ("infinity", lambda x: np.where(x > 1.2, np.inf, x), None, ValueError, "x contains .* inf"),
    ("float labels", None, lambda y: y * 1.0, TypeError, r"integer class labels.*astype\(int\)"),
    ("too few labels", None, lambda y: y[:5], ValueError, r"y must have shape \(60,\)"),
    ("2-D labels", None, lambda y: np.eye(3)[y].astype(int), ValueError, r"shape \(60,\)"),
    (
        "negative label",
        None,
        lambda y: np.where(np.arange(60) == 9, -1, y),
        ValueError,
        r"y\[9\] is -1",
    ),
    (
        "label 3 of 3 classes",
        None,
        lambda y: np.where(np.arange(60) == 7, 3, y),
        ValueError,
        r"labels up to 3 \(y\[7\] is 3\), but the model has 3 outputs.*0 to 2",
    ),
    ("one image", lambda x: x[0, 0, 0], None, ValueError, r"batch of examples"),
    (
        "wrong image size",
        lambda x: x[:, :, :6, :6],
        None,
        ValueError,
        r"model cannot take x.*\(1, 6, 6\).*layer 4 Dense",
    ),
    ("empty", lambda x: x[:0], lambda y: y[:0], ValueError, "x is empty"),
]


@pytest.mark.parametrize(
    ("what", "fx", "fy", "error", "match"), BAD_DATA, ids=[b[0] for b in BAD_DATA]
)
def test_fit_and_evaluate_refuse_bad_data_alike(what, fx, fy, error, match):
    """One rule for both (raw uint8 was refused by fit but measured by evaluate)."""
    x, y = tiny_data()
    x = fx(x) if fx else x
    y = fy(y) if fy else y
    model = tiny_model()
    with pytest.raises(error, match=match) as by_fit:
        fit(model, x, y, optimizer=SGD(model), progress=False)
    with pytest.raises(error, match=match) as by_evaluate:
        evaluate(model, x, y)
    assert str(by_fit.value) == str(by_evaluate.value)


def test_a_model_that_does_not_end_in_class_scores_is_refused():
    x, y = tiny_data()
    model = Sequential(Conv2D(1, 3, 3), seed=0)
    with pytest.raises(ValueError, match=r"output of shape \(3, 6, 6\).*Flatten\(\) and a Dense"):
        fit(model, x, y, optimizer=SGD(model), progress=False)


def test_standardised_data_is_accepted():
    x, y = tiny_data()
    x = (x - x.mean()) / x.std()  # about -1 to 4
    model = tiny_model()
    assert fit(model, x, y, optimizer=SGD(model), progress=False).status == "completed"


def test_prepare_images_refuses_0_255_floats_and_other_scales():
    images = load_mnist("test")[0][:20]
    np.testing.assert_array_equal(prepare_images(images / 255.0), prepare_images(images))
    with pytest.raises(
        ValueError, match=r"floats from 0 to 255: .* prepare_images\(images / 255\)"
    ):
        prepare_images(images.astype(float))
    with pytest.raises(ValueError, match="0-255 pixel values, but range from 0 to 1000"):
        prepare_images(np.array([[[0, 1000]]]))
    with pytest.raises(ValueError, match="images contains 1 NaN"):
        prepare_images(np.array([[[0.5, np.nan]]]))
    standardised = np.array([[[-0.4, 2.8]]])  # negative values: not pixels, kept as they are
    np.testing.assert_allclose(prepare_images(standardised)[0, 0], standardised[0], rtol=1e-6)


# --- callbacks and the history ----------------------------------------------------------
def test_early_stopping_without_validation_data_is_refused_before_training():
    x, y = tiny_data()
    model = tiny_model()
    history = None
    with pytest.raises(ValueError, match=r"watches 'val_loss'.*validation_data=.*monitor='loss'"):
        history = fit(
            model, x, y, optimizer=SGD(model), callbacks=[EarlyStopping()], progress=False
        )
    assert history is None
    trainer = Trainer(model, SGD(model), callbacks=[EarlyStopping()], progress=False)
    with pytest.raises(ValueError, match="no validation data"):
        trainer.fit(x, y)
    assert trainer.history.batch_loss == [] and trainer.history.status == "failed"
    assert (
        fit(
            model, x, y, optimizer=SGD(model), callbacks=[EarlyStopping("loss")], progress=False
        ).status
        == "completed"
    )


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: CosineDecay(min_lr=-1), ValueError, "min_lr must be at least 0, but is -1"),
        (lambda: CosineDecay(min_lr="0"), TypeError, "min_lr must be a number"),
        (lambda: CosineDecay(min_lr=np.nan), ValueError, "min_lr must be a finite number"),
        (lambda: EarlyStopping(min_delta=-0.1), ValueError, "min_delta must be at least 0"),
    ],
)
def test_callback_settings_are_checked(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_cosine_decay_towards_a_higher_rate_is_refused():
    x, y = tiny_data()
    model = tiny_model()
    with pytest.raises(ValueError, match=r"min_lr=0.1\) would raise the learning rate.*0.001"):
        fit(model, x, y, optimizer=Adam(model), callbacks=[CosineDecay(0.1)], progress=False)


def test_history_names_what_it_keeps():
    with pytest.raises(KeyError, match="History has no 'x'; it keeps epoch, loss"):
        History()["x"]
    with pytest.raises(KeyError, match="no 'as_dict'"):
        History()["as_dict"]  # a method, not a record
