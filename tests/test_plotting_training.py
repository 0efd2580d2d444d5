"""plot_training_curves: what it accepts, and a clear error for what it does not."""

import numpy as np
import pytest

from cnnlib.plotting import plot_training_curves
from cnnlib.training import History


def history(epochs=3):
    h = History()
    h.epoch = list(range(1, epochs + 1))
    h.loss = list(np.linspace(2.0, 0.5, epochs))
    h.accuracy = list(np.linspace(0.3, 0.9, epochs))
    h.batch_loss = list(np.linspace(2.3, 0.4, 10 * epochs))
    h.batch_accuracy = list(np.linspace(0.1, 0.9, 10 * epochs))
    return h


@pytest.mark.parametrize(
    ("histories", "error", "match"),
    [
        ([history(), history()], TypeError, r"is a list \(name the runs of a list: \{'SGD': h1"),
        ((history(),), TypeError, r"a History \(what fit returns\) or a dict .* is a tuple"),
        ({"SGD": history(), "Adam": [1, 2]}, TypeError, r"histories\['Adam'\] must be a History"),
        ({}, ValueError, "histories is an empty dict"),
        (None, TypeError, "but is a NoneType"),
    ],
)
def test_anything_but_histories_gets_a_clear_error(histories, error, match):
    with pytest.raises(error, match=match):
        plot_training_curves(histories)


def test_one_history_or_a_dict_of_them():
    import matplotlib.pyplot as plt

    fig = plot_training_curves(history())
    assert len(fig.axes[0].lines) == 1  # training only: there is no validation data
    fig = plot_training_curves({"a": history(), "b": history(5)}, per="batch")
    assert [len(line.get_xdata()) for line in fig.axes[0].lines] == [30, 50]
    plt.close("all")


def test_chance_draws_what_guessing_scores():
    """ln 10 = 2.30 and 10% for ten classes, each line labelled with its value."""
    import matplotlib.pyplot as plt

    fig = plot_training_curves({"a": history()}, per="batch", smooth=0, chance=10)
    ax_loss, ax_acc = fig.axes
    for ax, value, text in (
        (ax_loss, np.log(10), "guessing: ln 10 = 2.30"),
        (ax_acc, 0.1, "guessing: 1/10 = 10%"),
    ):
        flat = [line for line in ax.lines if len(set(line.get_ydata())) == 1]
        assert len(flat) == 1 and flat[0].get_ydata()[0] == value
        assert [t.get_text() for t in ax.texts] == [text]
    # unsmoothed, the titles say so
    assert [ax.get_title() for ax in fig.axes] == [
        "loss of each mini-batch",
        "accuracy of each mini-batch",
    ]
    fig = plot_training_curves(history())
    assert not fig.axes[0].texts  # no guessing line unless asked
    plt.close("all")


@pytest.mark.parametrize(
    ("chance", "error", "match"),
    [
        (1, ValueError, "chance must be at least 2, but is 1; it is the number of classes"),
        (10.0, TypeError, "chance must be an int, but is 10.0 .*write chance=10"),
    ],
)
def test_chance_is_a_number_of_classes(chance, error, match):
    with pytest.raises(error, match=match):
        plot_training_curves(history(), chance=chance)
