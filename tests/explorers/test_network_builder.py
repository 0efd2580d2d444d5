"""NetworkBuilder driven headlessly: every control changes the design, its table and its
picture; impossible designs are explained in one line; Train trains exactly what it says on
the held-out split, Stop stops, divergence and failures are one line; runs are compared."""

from __future__ import annotations

import io
import re
import time
import warnings

import numpy as np
import PIL.Image
import pytest

import cnnlib
import cnnlib.explorers.builder as builder_module
from cnnlib import (
    Adam,
    CNNDesign,
    Trainer,
    load_mnist,
    prepare_images,
    reference_cnn,
    to_pytorch,
)
from cnnlib.explorers._busy_kernel import INTERRUPT_ONLY, NO_KERNEL
from cnnlib.explorers.builder import HELD_OUT, NetworkBuilder, Run

SMALL = 64  # training digits for the runs of these tests: two mini-batches of 32


def make(**kwargs):
    kwargs.setdefault("runs", [])
    kwargs.setdefault("train_size", SMALL)
    kwargs.setdefault("epochs", 1)
    return NetworkBuilder(**kwargs)


def picture(builder):
    return np.asarray(PIL.Image.open(io.BytesIO(builder.png)))


def click(builder):
    """Press the button as a learner does: nothing may escape, not even a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        builder.controls["train"].click()
    return builder._status.value


def table_rows(html):
    return re.findall(r"<tr[^>]*>.*?</tr>", html)


def cells(row):
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[dh][^>]*>.*?</t[dh]>", row)]


# --- the design and its table ----------------------------------------------------------------
def test_the_default_is_the_course_network_with_its_numbers():
    b = make()
    assert cnnlib.NetworkBuilder is NetworkBuilder
    assert b.design == CNNDesign() and b.message == ""
    plan = b.output
    assert plan.total_params == 9_098 and plan.total_multiply_adds == 290_080
    rows = table_rows(b._layer_table.value)
    assert cells(rows[0]) == ["#", "block", "layer", "output shape", "parameters", "multiply-adds"]
    assert 'scope="col"' in rows[0] and "<caption" in b._layer_table.value
    body = [cells(r) for r in rows[2:]]  # after the header and the input
    assert cells(rows[1]) == ["", "", "input", "1×28×28", "", ""]
    assert body[0] == ["0", "1", "Conv2D 8 filters 3×3, same", "8×28×28", "80", "56,448"]
    assert body[1] == ["1", "1", "ReLU", "8×28×28", "0", "0"]
    assert body[2] == ["2", "1", "MaxPool2D 2×2, stride 2", "8×14×14", "0", "0"]
    assert body[3] == ["3", "2", "Conv2D 16 filters 3×3, same", "16×14×14", "1,168", "225,792"]
    assert body[6] == ["6", "", "Flatten", "784", "0", "0"]
    assert body[7] == ["7", "", "Dense 10 scores", "10", "7,850", "7,840"]
    assert body[-1] == ["", "", "total", "", "9,098", "290,080"]
    status = b._status.value
    assert "9,098 parameters, 290,080 multiply-adds per image" in status
    assert f"validation on {HELD_OUT} other training digits, held out" in status
    assert "1×28×28 → 8×28×28 → 8×14×14 → 16×14×14 → 16×7×7 → 784 → 10" in status
    assert b._clicks.how == NO_KERNEL
    assert b.model is None and b.last_run is None
    assert b.png.startswith(b"\x89PNG")


# every control, a value to set, and what the design (and the table) must then show
CONTROL_CHANGES = [
    ("blocks", 3, lambda d, t: d.blocks == 3 and t.count("Conv2D") == 3),
    ("blocks", 0, lambda d, t: d.blocks == 0 and "Conv2D" not in t),
    ("filters", 32, lambda d, t: d.filters == 32 and "32 filters" in t and "64 filters" in t),
    ("double", False, lambda d, t: not d.double and t.count("8 filters") == 2),
    ("kernel", 5, lambda d, t: d.kernel_size == 5 and "5×5" in t),
    ("padding", "valid", lambda d, t: d.padding == "valid" and "8×26×26" in t),
    ("pooling", "average", lambda d, t: d.pooling == "average" and t.count("AvgPool2D") == 2),
    ("pooling", "none", lambda d, t: d.pooling == "none" and "Pool" not in t),
    ("activation", "tanh", lambda d, t: d.activation == "tanh" and t.count("Tanh") == 2),
    ("activation", "sigmoid", lambda d, t: t.count("Sigmoid") == 2),
    ("activation", "leaky_relu", lambda d, t: t.count("LeakyReLU") == 2),
    ("hidden", 64, lambda d, t: d.hidden == 64 and "Dense 64 units" in t),
    ("dropout", 0.5, lambda d, t: d.dropout == 0.5 and "Dropout p = 0.5" in t),
]


@pytest.mark.parametrize(("name", "value", "shows"), CONTROL_CHANGES)
def test_every_architecture_control_changes_design_table_and_picture(name, value, shows):
    b = make()
    before, png = b._layer_table.value, picture(b)
    b.controls[name].value = value
    assert b.message == "" and b.output is not None
    assert shows(b.design, b._layer_table.value)
    assert b._layer_table.value != before and not np.array_equal(picture(b), png)
    planned = b.design.plan()
    assert b.output.rows == planned.rows  # the table is the design's plan
    built = b.build().summary((1, 28, 28), multiply_adds=True)
    assert [r["multiply_adds"] for r in built.rows] == [r["multiply_adds"] for r in planned.rows]


def test_epochs_and_learning_rate_are_said_in_the_status_line():
    b = make()
    b.controls["epochs"].value = 4
    assert "Train: 4 epoch(s)" in b._status.value
    b.controls["learning_rate"].value = 0.01
    assert "learning rate 0.01;" in b._status.value
    assert b.design == CNNDesign()  # neither changes the design


def test_a_design_given_at_start_sets_the_controls():
    design = CNNDesign(blocks=1, filters=16, double=False, kernel_size=5, padding="valid",
                       pooling="average", activation="tanh", hidden=32, dropout=0.25)  # fmt: skip
    b = make(design=design, learning_rate=0.01)
    assert b.design == design and b.controls["learning_rate"].value == 0.01
    odd = make(design=CNNDesign(hidden=20, dropout=0.1))  # not in the menus: added to them
    assert odd.design.hidden == 20 and odd.design.dropout == 0.1
    with pytest.raises(TypeError, match="CNNDesign"):
        make(design={"blocks": 2})
    with pytest.raises(ValueError, match=r"input_shape\s+must be \(1, 28, 28\)"):
        make(design=CNNDesign(input_shape=(3, 32, 32)))


def test_a_heavy_design_warns_that_a_run_takes_long():
    b = make()
    assert "Heavy" not in b._status.value
    b.controls["blocks"].value, b.controls["filters"].value = 4, 64
    b.controls["pooling"].value = "none"
    assert "Heavy: " in b._status.value and "the course network's multiply-adds" in b._status.value


# --- impossible designs ---------------------------------------------------------------------
def test_maps_shrunk_to_nothing_are_explained_in_one_line_and_the_builder_recovers():
    b = make()
    b.controls["kernel"].value = 7
    b.controls["padding"].value = "valid"
    assert b.output is not None  # 28 -> 22 -> 11 -> 5 -> 2: two blocks still fit
    b.controls["blocks"].value = 4
    assert b.output is None
    with pytest.raises(ValueError) as err:
        b.design.plan()
    assert b.message == str(err.value) and "\n" not in b.message
    assert b.message.startswith("block 3 cannot be built: kernel 7x7 does not fit a 2x2 input")
    assert "Not possible:</span> block 3 cannot be built" in b._status.value
    assert "Traceback" not in b._status.value and b._layer_table.value == ""
    # the picture: the blocks that fit, then a red mark where the maps ran out
    captions = [t.get_text() for t in b._diagram.captions if t.get_visible()]
    assert captions[-1] == "✗\nblock 3" and captions[-2] == "pool 2\n16×2×2"
    status = click(b)  # Train does nothing and says nothing new
    assert b.runs == [] and "Not possible" in status
    with pytest.raises(ValueError, match="block 3 cannot be built"):
        b.train()
    b.controls["padding"].value = "same"
    assert b.output is not None and b.message == ""


def test_a_pooling_with_nothing_left_to_pool_is_explained_too():
    b = make(design=CNNDesign(blocks=4, kernel_size=2, padding="valid"))
    assert b.output is None
    assert b.message.startswith("block 4 cannot be built: pooling window 2x2 does not fit")


# --- training --------------------------------------------------------------------------------
def test_train_trains_exactly_what_it_says_on_the_held_out_split():
    b = make()
    status = click(b)
    assert len(b.runs) == 1
    run = b.runs[0]
    assert run.status == "completed" and run.number == 1 and run.message == ""
    assert run.text == CNNDesign().describe() and run.params == 9_098
    assert run.multiply_adds == 290_080 and run.epochs == 1 and run.seconds > 0
    # validation: the last 500 training digits, never the test digits
    images, labels = load_mnist("train")
    x, y, xv, yv = b._training_data()
    np.testing.assert_array_equal(xv, prepare_images(images[-HELD_OUT:]))
    np.testing.assert_array_equal(yv, labels[-HELD_OUT:])
    np.testing.assert_array_equal(x, prepare_images(images[:SMALL]))
    assert len(images) - HELD_OUT == 3500
    # the same as a plain Trainer with the same seed, design and recipe (bit for bit)
    plain = reference_cnn(seed=0)
    history = Trainer(plain, Adam(plain, lr=0.002), batch_size=32, seed=0, progress=False).fit(
        x, y, epochs=1, validation_data=(xv, yv)
    )
    for name, weight in plain.params.items():
        np.testing.assert_array_equal(run.model.params[name], weight)
    assert run.val_accuracy == history.val_accuracy[-1]
    # what is shown
    assert f"Run 1 done: validation accuracy {run.val_accuracy:.1%}" in status
    row = cells(table_rows(b._runs_table.value)[1])
    assert row[:5] == ["1", run.text, "1/1", "0.002", "9,098"] and row[-1].startswith("completed")
    np.testing.assert_allclose(b._done.get_offsets(), [[9_098, run.val_accuracy]])
    button = b.controls["train"]
    assert button.description == "Train" and button.button_style == "success"
    assert not any(b.controls[n].disabled for n in b.controls)
    assert b._progress.value == 1.0 and not b.running
    # the model goes on in code
    assert b.model is run.model and b.last_run is run
    assert "class Net(nn.Module)" in to_pytorch(b.model)
    assert b.build() is not b.model  # a fresh, untrained one


def test_while_training_the_button_is_stop_and_the_design_is_locked():
    b = make()
    seen = []

    def look(state):
        button = b.controls["train"]
        seen.append((button.description, button.icon, b.controls["blocks"].disabled))
        seen.append(b._training_line())

    b.on_batch_end = _wrap(b.on_batch_end, look)
    click(b)
    assert seen[0] == ("Stop", "stop", True)
    assert "Run 1: epoch 1 of 1, batch 1 of 2" in seen[1]
    assert "Stop ends after the current mini-batch" in seen[1]


def _wrap(method, extra):
    def wrapped(state):
        method(state)
        extra(state)

    return wrapped


def test_stop_during_a_run_ends_it_after_the_current_mini_batch():
    b = make(epochs=5)
    b.on_batch_end = _wrap(
        b.on_batch_end, lambda s: s.step == 2 and len(b.runs) == 0 and b.controls["train"].click()
    )
    status = click(b)
    run = b.runs[-1]
    assert run.status == "stopped" and len(run.history.batch_loss) == 2
    assert run.val_accuracy is None and run.history.epoch == []  # no epoch finished
    assert "Run 1 stopped: validation accuracy no full epoch" in status
    assert cells(table_rows(b._runs_table.value)[1])[2] == "0/5"
    assert len(b._done.get_offsets()) == len(b._failed.get_offsets()) == 0  # nothing to plot
    assert b.controls["train"].description == "Train" and not b.running
    click(b)  # and Train starts a new run
    assert [r.number for r in b.runs] == [1, 2] and b.runs[1].status == "completed"


def test_a_click_already_acted_on_as_it_arrived_is_not_acted_on_again():
    """With ipykernel 7 a Stop click is acted on in the kernel's shell thread and reaches
    the button's handler later, when the run is over: it must not start a new run."""
    b = make()
    b._clicks._early = 1  # what ClicksWhileBusy counted for that Stop click
    click(b)
    assert b.runs == []
    click(b)  # the next click is a learner's own: it trains
    assert len(b.runs) == 1


def test_a_diverged_run_says_why_in_one_line():
    b = make(learning_rate=1e6, train_size=192, epochs=2)  # 12 mini-batches: enough to judge
    status = click(b)
    run = b.runs[-1]
    assert run.status == "diverged" and "\n" not in run.message
    assert run.message.startswith("Training diverged at epoch")
    assert "learning rate (1e+06) is probably too large" in run.message
    assert (
        '<br><span style="color:#b35806;font-weight:600">Run 1 diverged:</span> Training diverged'
        in status
    )
    assert b._progress.bar_style == "danger"
    row = table_rows(b._runs_table.value)[1]
    assert 'title="Training diverged' in row and cells(row)[-1] == "diverged"
    np.testing.assert_allclose(b._failed.get_offsets(), [[9_098, builder_module.FAILED_Y]])
    assert b.best_run() is None


def test_a_failing_run_is_one_line_and_train_in_code_raises(monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(Trainer, "fit", broken)
    b = make()
    status = click(b)
    assert "Run 1 failed:</span> RuntimeError: something broke" in status
    assert b.runs[-1].status == "failed" and not b.running
    assert b.controls["train"].description == "Train"
    with pytest.raises(RuntimeError, match="something"):
        b.train()
    assert [r.number for r in b.runs] == [1, 2]


def test_training_twice_at_once_is_refused():
    b = make()
    errors = []

    def again(state):
        try:
            b.train()
        except RuntimeError as err:
            errors.append(str(err))

    b.on_batch_end = _wrap(b.on_batch_end, again)
    click(b)
    assert errors and "already training" in errors[0] and len(b.runs) == 1


def test_a_kernel_that_cannot_hear_stop_while_busy_says_to_use_interrupt():
    b = make()
    assert "interrupt button" not in b._status.value
    b._clicks.how = INTERRUPT_ONLY
    b.update()
    assert "cannot hear Stop while training: use the notebook's interrupt button" in (
        b._status.value
    )


def test_a_run_stuck_at_chance_gets_a_hint():
    b = make()
    b.runs.append(_run(1, 9_098, 0.09))
    b.update()
    assert "That is guessing (1 in 10)" in b._status.value


# --- comparing runs ---------------------------------------------------------------------------
def _run(number, params, accuracy, status="completed"):
    return Run(
        number=number, design=CNNDesign(), text=f"net {number}", params=params,
        multiply_adds=10 * params, epochs=3, learning_rate=0.002, seconds=1.0,
        val_accuracy=accuracy, status=status,
    )  # fmt: skip


def test_the_smallest_network_over_the_target_is_marked():
    b = make()
    b.runs += [
        _run(1, 9_098, 0.96),
        _run(2, 2_000, 0.951),
        _run(3, 700, 0.94),
        _run(4, 500, 0.97, status="diverged"),  # diverged later: its accuracy does not count
        _run(5, 2_000, 0.99),  # as small as run 2, but later
    ]
    b.update()
    assert b.best_run().number == 2
    rows = table_rows(b._runs_table.value)
    marked = [cells(r)[0] for r in rows if "dff3ea" in r]
    assert marked == ["2"] and "★ smallest ≥ 95%" in cells(rows[2])[-1]
    assert "the smallest network reaching 95% is run 2 (2,000 parameters, 95.1%)" in (
        b._status.value
    )
    np.testing.assert_allclose(b._best.get_data(), [[2_000], [0.951]])
    labels = [t.get_text() for t in b._labels if t.get_visible()]
    assert labels == ["1", "2", "3", "4", "5"]
    b.runs[:] = [_run(1, 700, 0.94)]
    b.update()
    assert b.best_run() is None and "none has reached 95% yet; the best is run 1" in (
        b._status.value
    )
    assert len(b._best.get_data()[0]) == 0


def test_runs_are_kept_for_the_session_by_default(monkeypatch):
    monkeypatch.setattr(NetworkBuilder, "session_runs", [])
    first = NetworkBuilder(train_size=SMALL, epochs=1)
    click(first)
    second = NetworkBuilder(train_size=SMALL, epochs=1)  # the cell run again
    assert second.runs is first.runs and len(second.runs) == 1
    assert "Run 1 done" in second._status.value
    click(second)
    assert [r.number for r in second.runs] == [1, 2]
    second.clear_runs()
    assert first.runs == [] and "none yet" in second._runs_table.value


def test_the_picture_shows_each_run_and_the_current_design():
    b = make()
    x_before = b._current.get_xdata()[0]
    b.controls["blocks"].value = 1
    assert b._current.get_xdata()[0] == b.output.total_params != x_before
    click(b)
    picture_after = picture(b)
    b.controls["blocks"].value = 2
    click(b)
    offsets = b._done.get_offsets()
    assert len(offsets) == 2 and offsets[0][0] == b.runs[0].params
    assert not np.array_equal(picture(b), picture_after)


@pytest.mark.parametrize(
    "settings",
    [{}, {"blocks": 0}, {"filters": 64, "hidden": 128, "pooling": "none"}, {"filters": 4}],
)
def test_the_no_runs_note_stays_clear_of_the_current_design_line(settings):
    """Before: 'no runs yet' was written across the dashed line's 'this design' label."""
    b = make()
    for name, value in settings.items():
        b.controls[name].value = value
    renderer = b.figure.canvas.get_renderer()
    note = b._runs_note.get_window_extent(renderer)
    label = b._current_label.get_window_extent(renderer)
    axes = b._ax_runs.get_window_extent(renderer)
    assert b._runs_note.get_text().startswith("no runs yet")
    assert not note.overlaps(label), (note, label)
    assert axes.x0 <= note.x0 and note.x1 <= axes.x1  # inside the scatter


def test_moving_the_controls_keeps_the_status_and_the_layer_table_in_their_room():
    """Before: the status line and the table grew and shrank with the design (the browser
    saw the notebook below jump by 55-83 px as 'conv blocks' moved). Now every line fits a
    notebook column (only the largest designs, 4 blocks or 32-64 filters, may wrap one)
    and the table has room for the most layers the controls allow."""
    from cnnlib.explorers.builder import STATUS_LINES, _table_height

    b = make()
    assert b._status.layout.min_height == f"{28 * STATUS_LINES}px"
    assert b._layer_table.layout.min_height == f"{_table_height()}px"
    c = b.controls
    for blocks in range(5):
        for filters, padding, pooling, hidden in [
            (8, "same", "max", 0),
            (16, "same", "max", 128),
            (4, "valid", "none", 16),
            (64, "same", "max", 0),
        ]:
            c["blocks"].value, c["filters"].value = blocks, filters
            c["padding"].value, c["pooling"].value = padding, pooling
            c["hidden"].value = hidden
            if b.message:
                continue
            lines = b._status.value.split("<br>")
            assert len(lines) <= STATUS_LINES, lines
            if blocks <= 3 and filters <= 16 or filters <= 8:
                assert all(len(re.sub("<[^>]+>", "", line)) <= 120 for line in lines), lines
    c["blocks"].value, c["filters"].value, c["pooling"].value = 4, 8, "max"
    c["hidden"].value, c["dropout"].value = 128, 0.5  # the most layers
    rows = len(table_rows(b._layer_table.value))
    assert rows == len(b.output.rows) + 3  # with the header, input and total rows
    assert _table_height() >= 40 + rows * 18.5


def test_the_displayed_picture_is_updated_after_a_run(monkeypatch):
    import IPython.display

    bundles = []

    class Handle:
        def update(self, bundle, raw):
            bundles.append(bundle)

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: Handle())
    b = make()
    b._ipython_display_()
    click(b)
    assert bundles and bundles[-1]["text/plain"].startswith("<NetworkBuilder")


# --- a real kernel ---------------------------------------------------------------------------
@pytest.mark.slow
def test_train_then_stop_in_a_real_kernel():
    """Both clicks travel as widget messages: Train starts a run in the click handler, and the
    Stop click must reach the busy kernel, stop the run, and not start another one afterwards
    (with ipykernel 7 it is seen early and still delivered later)."""
    jupyter_client = pytest.importorskip("jupyter_client")
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")

    def wait(msg_id):
        out = []
        while True:
            msg = kc.get_iopub_msg(timeout=180)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            if msg["msg_type"] == "error":
                out.append("error: " + msg["content"]["evalue"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)

    def press(comm_id):
        content = {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}}
        kc.shell_channel.send(kc.session.msg("comm_msg", content))

    try:
        setup = (
            "from cnnlib.explorers.builder import NetworkBuilder\n"
            "b = NetworkBuilder(runs=[], epochs=10)\n"
            "print(b._clicks.how)\n"
            "print(b.controls['train'].comm.comm_id)"
        )
        how, button = wait(kc.execute(setup)).strip().splitlines()[-2:]
        press(button)  # Train
        time.sleep(2.5)  # the kernel is busy training (10 epochs: ~15 s)
        press(button)  # Stop
        report = "print(len(b.runs), b.runs[-1].status, len(b.runs[-1].history.batch_loss))"
        count, status, batches = wait(kc.execute(report)).split()
        assert (count, status) == ("1", "stopped"), how
        assert 0 < int(batches) < 10 * 110
        again = wait(kc.execute("import time; time.sleep(0.5); print(len(b.runs), b.running)"))
        assert again.split() == ["1", "False"]  # the Stop click did not start a new run
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_the_description_says_the_shapes_and_each_run():
    b = make()
    text = b.description
    # the course's network: 3x3 convolutions with 8 and 16 filters, max pooling, dense 10
    assert text.startswith(
        "2×[conv 3×3 same, ReLU, max 2], filters 8→16 + dense 10: 9,098 parameters, 290 k "
        "multiply-adds per image."
    )
    assert (
        "input 1×28×28 → conv 1 8×28×28 → pool 1 8×14×14 → conv 2 16×14×14 → pool 2 16×7×7 "
        "→ flatten 784 → scores 10." in text
    )
    assert (
        "this design's 9,098 parameters as a dashed line labelled with what Train would run "
        "(1 epoch, learning rate 0.002): no runs yet." in text
    )
    before = b.png
    b.controls["epochs"].value = 4  # what Train would run is in the picture too
    assert b._current_label.get_text() == " this design, 4 epochs, lr 0.002 "
    assert b.png != before and "(4 epochs, learning rate 0.002)" in b.description
    b.controls["learning_rate"].value = 0.01
    assert b._current_label.get_text() == " this design, 4 epochs, lr 0.01 "
    b.controls["padding"].value = "valid"  # 28 -> 26 -> 13 -> 11 -> 5
    assert "conv 1 8×26×26 → pool 1 8×13×13 → conv 2 16×11×11 → pool 2 16×5×5" in b.description
    b.runs += [_run(1, 9_098, 0.96), _run(2, 700, 0.94, status="stopped")]
    b.runs += [_run(k, 500, None, status="diverged") for k in range(3, 9)]
    b.update()
    text = b.description
    assert "8 runs (the last 6 of 8): run 3: 500 parameters, diverged;" in text
    assert "run 1" not in text.split("runs (")[1].split(". Circled")[0]  # only the last 6
    assert text.endswith("Circled: run 1, the smallest reaching 95%.")
    b.runs[:] = [_run(1, 9_098, 0.96), _run(2, 700, 0.94, status="stopped")]
    b.update()
    assert "run 1: 9,098 parameters, 96.0%; run 2: 700 parameters, 94.0%, stopped." in (
        b.description
    )


def test_the_description_of_an_impossible_design_shows_where_the_maps_run_out():
    b = make()
    b.controls["blocks"].value = 4
    b.controls["kernel"].value = 7
    b.controls["padding"].value = "valid"  # 28 -> 22 -> 11 -> 5 -> 2: no room for a 7x7
    assert b.output is None
    text = b.description
    assert "this design cannot be built: block 3 cannot be built" in text
    assert "input 1×28×28 → conv 1 8×22×22 → pool 1 8×11×11 → conv 2 16×5×5 → pool 2" in text
    assert "→ ✗ block 3." in text
