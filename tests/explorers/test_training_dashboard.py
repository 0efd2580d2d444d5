"""TrainingDashboard driven headlessly: it trains exactly as fit does, its curves are
the history, Stop ends mid-epoch, Start goes on, and redraws are throttled."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import subprocess
import sys
import time
import warnings

import numpy as np
import PIL.Image
import pytest

import cnnlib.explorers.training as dashboard_module
from cnnlib import (
    Adam,
    Callback,
    EarlyStopping,
    Trainer,
    load_mnist,
    prepare_images,
    reference_cnn,
)
from cnnlib.explorers._busy_kernel import NO_KERNEL
from cnnlib.explorers.training import ACCURACY_SMOOTHING, SMOOTHING, TrainingDashboard
from cnnlib.plotting import smoothed, tile_maps

N_TRAIN, N_VAL, BATCH = 96, 64, 32  # three mini-batches per epoch: fast


@pytest.fixture(scope="module")
def data():
    images, labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    return (
        prepare_images(images[:N_TRAIN]),
        labels[:N_TRAIN],
        prepare_images(test_images[:N_VAL]),
        test_labels[:N_VAL],
    )


def make(data, **kwargs):
    x, y, xv, yv = data
    kwargs.setdefault("batch_size", BATCH)
    return TrainingDashboard(reference_cnn(seed=0), x, y, (xv, yv), **kwargs)


def picture(dashboard):
    return np.asarray(PIL.Image.open(io.BytesIO(dashboard.png)))


def test_before_training_the_dashboard_explains_what_will_happen(data):
    d = make(data)
    assert d.output is d.history and d.history.batch_loss == []
    assert "Not trained yet" in d._status.value and "3 mini-batches of 32" in d._status.value
    assert not d.controls["start"].disabled and d.controls["stop"].disabled
    assert d.png.startswith(b"\x89PNG")


def test_training_with_the_dashboard_learns_exactly_what_fit_learns(data):
    x, y, xv, yv = data
    d = make(data)
    d.train(2)
    plain = reference_cnn(seed=0)
    Trainer(plain, Adam(plain, lr=2e-3), batch_size=BATCH, seed=0, progress=False).fit(
        x, y, epochs=2, validation_data=(xv, yv)
    )
    for name, weight in plain.params.items():
        np.testing.assert_array_equal(d.model.params[name], weight)


def test_the_curves_are_the_history(data):
    d = make(data, target=0.9)
    before = picture(d)
    history = d.train(2)
    assert history is d.history and d.output is history
    assert history.status == "completed" and history.epoch == [1, 2]
    curves = d.curves
    steps = np.arange(1, 7) / 3  # six batches, three per epoch
    x, yv = curves["loss (each batch)"]
    np.testing.assert_allclose(x, steps)
    np.testing.assert_array_equal(yv, history.batch_loss)
    np.testing.assert_allclose(
        curves["loss (smoothed)"][1], smoothed(history.batch_loss, SMOOTHING)
    )
    np.testing.assert_allclose(
        curves["accuracy (smoothed)"][1], smoothed(history.batch_accuracy, ACCURACY_SMOOTHING)
    )
    for name, key in (("validation loss", "val_loss"), ("validation accuracy", "val_accuracy")):
        ends, values = curves[name]
        np.testing.assert_allclose(ends, [1.0, 2.0])  # after each epoch
        np.testing.assert_array_equal(values, history[key])
    assert d._progress.value == 1.0
    status = d._status.value
    assert "Done" in status and f"{history.val_accuracy[-1]:.1%}" in status
    assert not np.array_equal(picture(d), before)


def test_the_filters_shown_are_the_first_layer_weights(data):
    d = make(data)
    d.train(1)
    weight = d.model.params["0.weight"][:, 0]
    shown = np.ma.filled(d._filters.get_array(), np.nan)
    np.testing.assert_array_equal(shown, tile_maps(weight, 2))
    lim = np.abs(weight).max()
    np.testing.assert_allclose(d._filters.get_clim(), (-lim, lim), rtol=1e-6)
    assert d._filters_note.get_text() == "after 3\nweight updates"
    # the colour bar's ends say the scale; every filter is numbered above its tile
    assert [t.get_text() for t in d._filters_scale] == [f"\u2212{lim:.2f}", f"+{lim:.2f}"]
    numbers = {t.get_text(): t.get_position() for t in d._ax_filters.texts}
    assert set("01234567") <= set(numbers)
    assert numbers["0"] == (1.0, -1) and numbers["3"] == (5.0, 3)  # over tiles 0 and 3


def test_the_axes_hold_the_curves_of_the_courses_run(data):
    """The loss axis reaches down to 0.001 (a late mini-batch that is all right and sure)
    and the accuracy axis up to 99.9%: the curves of the notebook's run stay inside."""
    d = make(data)
    assert d._ax_loss.get_ylim() == pytest.approx((0.001, 4.0))
    low, high = d._ax_acc.get_ylim()
    assert low == pytest.approx(0.05) and high == pytest.approx(0.999)


def test_stop_ends_training_mid_epoch_and_the_model_stays_usable(data):
    d = make(data)
    stopper = Callback(on_batch_end=lambda state: state.batch == 2 and d.stop())
    d.trainer.callbacks.append(stopper)
    history = d.train(5)
    assert history.status == "stopped"
    assert len(history.batch_loss) == 2 and history.epoch == []  # two batches, no full epoch
    assert not d.running and not d.controls["start"].disabled and d.controls["stop"].disabled
    assert "Stopped" in d._status.value
    probabilities = d.model.predict_proba(data[2][:5])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_start_again_continues_where_training_stopped(data):
    d = make(data)
    d.trainer.callbacks.append(Callback(on_batch_end=lambda s: s.step == 2 and d.stop()))
    d.train(3)
    weights = {k: p.copy() for k, p in d.model.params.items()}
    history = d.train(1)  # continues: the weights are not reset
    assert history.status == "completed"
    assert len(history.batch_loss) == 2 + 3 and history.epoch == [1]
    assert any(not np.array_equal(weights[k], p) for k, p in d.model.params.items())
    x, _ = d.curves["loss (each batch)"]
    assert np.all(np.diff(x) > 0)  # the curve goes on to the right, it does not restart
    assert d._ax_loss.get_xlim()[1] >= x[-1]


def test_the_start_button_trains_for_the_sliders_epochs(data):
    d = make(data)
    d.controls["stop"].click()  # idle: nothing happens
    assert d.history.batch_loss == []
    d.controls["epochs"].value = 2
    d.controls["start"].click()
    assert d.history.epoch == [1, 2] and d.history.status == "completed"


def test_training_twice_at_once_is_refused(data):
    d = make(data)
    d.trainer.callbacks.append(Callback(on_batch_end=lambda s: d.train(1)))
    with pytest.raises(RuntimeError, match="already training"):
        d.train(1)
    assert not d.running  # and the dashboard recovers


def count_renders(dashboard, monkeypatch, delay=0.0):
    renders = []
    original = dashboard.render

    def render():
        renders.append(1)
        time.sleep(delay)
        original()

    monkeypatch.setattr(dashboard, "render", render)
    return renders


def test_redraws_are_throttled(data, monkeypatch):
    d = make(data, refresh_seconds=1e6)
    renders = count_renders(d, monkeypatch)
    d.train(2)
    # once when training begins and once at the end; none per batch or epoch
    assert len(renders) == 2
    monkeypatch.setattr(dashboard_module, "DRAW_BUDGET", 1e6)  # redrawing may take any time
    d = make(data, refresh_seconds=0.0)
    renders = count_renders(d, monkeypatch)
    d.train(1)
    assert len(renders) == 1 + 3 + 1  # and every batch


def test_slow_redraws_are_spaced_out(data, monkeypatch):
    # a redraw of 50 ms may take 3% of the time: the next one waits at least 1.7 s
    d = make(data, refresh_seconds=0.0)
    renders = count_renders(d, monkeypatch, delay=0.05)
    d.train(1)
    assert len(renders) == 1 + 1 + 1  # begin, the first batch, the end
    assert d._draw_cost >= 0.05


def test_bad_data_is_refused_when_the_dashboard_is_built(data):
    x, y, xv, yv = data
    images, labels = load_mnist("test")
    with pytest.raises(TypeError, match="prepare_images"):
        TrainingDashboard(reference_cnn(), images[:10, None], labels[:10])
    with pytest.raises(ValueError, match=r"y must have shape \(96,\), one label per example"):
        TrainingDashboard(reference_cnn(), x, y[:5])
    wrong = y.copy()
    wrong[4] = 10  # a label the ten outputs cannot score
    with pytest.raises(ValueError, match=r"labels up to 10 \(y\[4\] is 10\), but the model has 10"):
        TrainingDashboard(reference_cnn(), x, wrong)
    with pytest.raises(ValueError, match="x_val contains 1 NaN"):
        TrainingDashboard(reference_cnn(), x, y, (np.where(xv == xv.max(), np.nan, xv)[:1], yv[:1]))
    # the same checks, with the same words, as fit
    from cnnlib import SGD, fit

    model = reference_cnn()
    for bad_x, bad_y in ((x * 255, y), (x, wrong)):
        with pytest.raises(ValueError) as by_fit:
            fit(model, bad_x, bad_y, optimizer=SGD(model), progress=False)
        with pytest.raises(ValueError) as by_dashboard:
            TrainingDashboard(model, bad_x, bad_y)
        assert str(by_fit.value) == str(by_dashboard.value)
    with pytest.raises(ValueError, match="built for another model"):
        TrainingDashboard(model, x, y, optimizer=Adam(reference_cnn()))
    with pytest.raises(ValueError, match="without training data"):
        TrainingDashboard(reference_cnn())
    with pytest.raises(TypeError, match="pair"):
        TrainingDashboard(reference_cnn(), x, y, validation_data=xv)


def test_default_dashboard_validates_on_held_out_training_digits_not_on_the_test_digits():
    """The orange curves are the last 500 training digits (as in the NetworkBuilder and
    notebook 06), never trained on; the test digits are kept for the final evaluation."""
    images, labels = load_mnist("train")
    test_images, _ = load_mnist("test")
    d = TrainingDashboard()
    assert len(d.x) == 3500 and d.batches == 110  # 109 batches of 32 and one of 12
    np.testing.assert_array_equal(d.x, prepare_images(images[:3500]))
    np.testing.assert_array_equal(d.y, labels[:3500])
    x_val, y_val = d.validation_data
    np.testing.assert_array_equal(x_val, prepare_images(images[3500:]))
    np.testing.assert_array_equal(y_val, labels[3500:])
    test = prepare_images(test_images).reshape(len(test_images), -1)
    seen = {row.tobytes() for row in test}
    assert not any(row.tobytes() in seen for row in x_val.reshape(len(x_val), -1))
    assert d.model.summary((1, 28, 28)).total_params == 9098


def test_outside_a_kernel_stop_is_a_method_call(data):
    """How clicks reach a busy kernel is tested in test_busy_kernel.py; here: none is needed."""
    assert make(data)._clicks.how == NO_KERNEL


@pytest.mark.slow
def test_stop_button_works_while_a_cell_trains_in_a_real_kernel():
    """The click travels as a widget message to a kernel busy with a cell: it must still stop
    training (this relies on how ipykernel routes messages; a kernel upgrade may break it)."""
    jupyter_client = pytest.importorskip("jupyter_client")
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")

    def wait(msg_id):
        out = []
        while True:
            msg = kc.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            if msg["msg_type"] == "error":
                out.append("error: " + msg["content"]["evalue"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)

    try:
        setup = (
            "from cnnlib.explorers.training import TrainingDashboard, default_training_setup\n"
            "s = default_training_setup(train_size=320)\n"
            "d = TrainingDashboard(s['model'], s['x'], s['y'])\n"
            "print(d.controls['stop'].comm.comm_id)"
        )
        stop_id = wait(kc.execute(setup)).strip().splitlines()[-1]
        cell = kc.execute("h = d.train(1000); print(h.status, len(h.batch_loss))")
        time.sleep(1.5)  # the cell is busy training
        click = {"comm_id": stop_id, "data": {"method": "custom", "content": {"event": "click"}}}
        kc.shell_channel.send(kc.session.msg("comm_msg", click))
        status, batches = wait(cell).split()
        assert status == "stopped" and 0 < int(batches) < 1000 * 10
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


# --- problems appear in the status line, never as a traceback -----------------------------
def start(dashboard):
    """Press Start as a learner does: nothing may escape from the click."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning either: the status line says it all
        dashboard.controls["start"].click()
    return dashboard._status.value


def test_start_without_validation_data_for_early_stopping_explains_in_the_status_line(data):
    x, y, _, _ = data
    d = TrainingDashboard(reference_cnn(seed=0), x, y, callbacks=[EarlyStopping()])
    status = start(d)
    assert "Training failed:" in status and "Traceback" not in status
    assert "EarlyStopping watches &#x27;val_loss&#x27;" in status or "watches 'val_loss'" in status
    assert "validation_data=(x_val, y_val)" in d.message
    assert d.history.batch_loss == [] and d.history.status == "failed"
    assert d._progress.bar_style == "danger" and not d.running
    assert not d.controls["start"].disabled  # it can be tried again
    with pytest.raises(ValueError, match="no validation data"):  # train() in a cell raises
        d.train(1)


def test_start_that_diverges_says_so_with_the_learning_rate_advice(data):
    d = make(data, learning_rate=1e6, epochs=2)  # 6 mini-batches: enough to judge
    status = start(d)
    assert d.history.status == "diverged"
    assert status.startswith(
        '<span style="color:#b35806;font-weight:600">Training diverged at epoch 2, batch 2:</span>'
        " the loss exploded"
    )
    assert "learning rate (1e+06) is probably too large" in status
    assert "e.g. lr=100000" in d.message and "\n" not in d.message


def test_start_with_an_error_in_a_callback_shows_it_in_one_line(data):
    def broken(state):
        raise RuntimeError("my callback\nhas a bug")

    d = make(data, callbacks=[Callback(on_batch_end=broken)])
    status = start(d)
    assert "Training failed:</span> RuntimeError: my callback has a bug" in status
    assert d.history.status == "failed" and len(d.history.batch_loss) == 1


def test_start_with_an_optimizer_swapped_for_another_models_explains(data):
    d = make(data)
    d.trainer.optimizer = Adam(reference_cnn(seed=1))
    status = start(d)
    assert "built for another model" in status and d.history.batch_loss == []


def test_after_a_problem_a_good_run_clears_the_status_line(data):
    x, y, _, _ = data
    stopper = EarlyStopping()
    d = TrainingDashboard(reference_cnn(seed=0), x, y, callbacks=[stopper])
    start(d)
    assert d.message.startswith("EarlyStopping watches")
    d.trainer.callbacks.remove(stopper)  # the learner fixes it and presses Start again
    status = start(d)
    assert d.message == "" and status.startswith("Done") and d._progress.bar_style == "info"


# --- the picture kept for viewers without a kernel -------------------------------------------
class FakeHandle:
    def __init__(self, bundle):
        self.bundles = [bundle]

    def update(self, bundle, raw):
        assert raw
        self.bundles.append(bundle)


def test_the_displayed_picture_is_updated_when_training_ends(data, monkeypatch):
    """The PNG next to the widget is what an HTML export or GitHub shows: after training it
    must show the trained curves, not the empty axes of the moment it was displayed."""
    handles = []

    def display(bundle, raw, display_id):
        assert raw and display_id is True
        handles.append(FakeHandle(bundle))
        return handles[-1]

    import IPython.display

    monkeypatch.setattr(IPython.display, "display", display)
    d = make(data)
    d._ipython_display_()
    untrained = d._repr_mimebundle_()["image/png"]
    assert handles[0].bundles[0]["image/png"] == untrained
    assert "application/vnd.jupyter.widget-view+json" in handles[0].bundles[0]
    d.train(1)
    last = handles[0].bundles[-1]
    assert last["image/png"] == base64.b64encode(d.png).decode() != untrained
    assert (
        last["application/vnd.jupyter.widget-view+json"]
        == (handles[0].bundles[0]["application/vnd.jupyter.widget-view+json"])
    )  # the same live widget


@pytest.mark.slow
def test_an_executed_notebook_shows_the_trained_dashboard_without_a_kernel(tmp_path):
    """nbconvert --execute --to html, as a course page or CI would: the picture that viewers
    without a kernel show (the output's image/png) is the dashboard after training."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    code = [
        "import hashlib\n"
        "from cnnlib.explorers.training import TrainingDashboard, default_training_setup\n"
        "s = default_training_setup(train_size=64)\n"
        "d = TrainingDashboard(s['model'], s['x'], s['y'], batch_size=32)\n"
        "untrained = hashlib.sha256(d.png).hexdigest()\n"
        "d",
        "history = d.train(2)",
        "print('untrained', untrained)\nprint('trained', hashlib.sha256(d.png).hexdigest())",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in code])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, tmp_path / "dashboard.ipynb")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "nbconvert",
            "--to",
            "html",
            "--execute",
            "--ExecutePreprocessor.store_widget_state=False",  # the picture, not the widget
            str(tmp_path / "dashboard.ipynb"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    html = (tmp_path / "dashboard.html").read_text()
    printed = dict(re.findall(r"(untrained|trained) ([0-9a-f]{64})", html))
    pictures = re.findall(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"', html)
    shown = [hashlib.sha256(base64.b64decode(p)).hexdigest() for p in pictures]
    assert shown == [printed["trained"]] != [printed["untrained"]]


def test_the_description_says_what_the_curves_and_filters_show(data):
    from cnnlib.plotting import short_number

    d = make(data, target=0.99)
    kernels = d.model.params[next(iter(d.model.params))][:, 0]  # the first conv's weights
    text = d.description
    assert text.startswith("Not trained yet: the loss and accuracy plots are empty.")
    low, high = short_number(kernels.min()), short_number(kernels.max())
    assert f"First-layer filters: 8 of 3x3, numbered 0 to 7, weights from {low} to {high}" in text
    assert f"largest in filter {np.argmax(kernels.max(axis=(1, 2)))}" in text
    limit = np.abs(kernels).max()  # the scale under the filters, written with 2 decimals
    assert f"colour scale from −{limit:.2f} blue through 0 white to +{limit:.2f} red." in text
    d.train(2)  # 96 digits in batches of 32: 3 updates per epoch
    h, after = d.history, d.description
    assert after != text and after.startswith("After 6 weight updates (2 epochs): training loss")
    loss = smoothed(h.batch_loss, SMOOTHING)
    assert f"from {loss[0]:.3g} to {loss[-1]:.3g}" in after
    assert f"validation after epochs 1, 2: {h.val_loss[0]:.3g}, {h.val_loss[1]:.3g}" in after
    assert f"{h.val_accuracy[0]:.1%}, {h.val_accuracy[1]:.1%}" in after
    assert "goal 99% (dotted line) not reached on validation yet" in after
    kernels = d.model.params[next(iter(d.model.params))][:, 0]
    assert f"weights from {short_number(kernels.min())} to {short_number(kernels.max())}" in after
    d.train(3)  # more than 4 validation points: the first, the last and the best
    values = d.history.val_accuracy
    best = int(np.argmax(values))
    assert (
        f"validation {values[0]:.1%} after epoch 1, {values[-1]:.1%} after epoch 5, "
        f"best {values[best]:.1%} after epoch {best + 1}"
    ) in d.description


def test_between_runs_the_slider_shades_what_the_next_start_trains(data):
    seen = []

    class Watch(Callback):
        def on_batch_end(self, state):
            seen.append(dashboard._next_run[0].get_visible())

    dashboard = make(data, callbacks=[Watch()])
    assert dashboard._ax_loss.get_xlim() == (0, 1)
    before = dashboard.png
    dashboard.controls["epochs"].value = 3  # the keyboard moves it too: the picture changes
    assert dashboard._ax_loss.get_xlim() == (0, 3) and dashboard.png != before
    assert [(s.get_x(), s.get_width()) for s in dashboard._next_run] == [(0, 3), (0, 3)]
    assert "Shaded on the right: the 3 epochs the next Start trains, up to epoch 3." in (
        dashboard.description
    )
    dashboard.train(2)
    assert seen and not any(seen)  # while training, the curves fill the axes unshaded
    assert dashboard._ax_acc.get_xlim() == (0, 5)  # 2 done, room for 3 more
    assert [(s.get_x(), s.get_width()) for s in dashboard._next_run] == [(2, 3), (2, 3)]
    assert "the 3 epochs the next Start trains, up to epoch 5." in dashboard.description
