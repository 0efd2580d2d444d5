"""Gradient descent on the drawable landscapes: hand-computed steps, PyTorch's
SGD as the reference for momentum, and the verdicts the explorer shows."""

import warnings

import numpy as np
import pytest

from cnnlib.descent import LANDSCAPES, gradient_descent, judge_descent


def square_gradient(w):
    return 2 * w  # loss = w**2


def test_one_step_on_a_parabola_by_hand():
    path = gradient_descent(square_gradient, [1.0], learning_rate=0.1, steps=1)
    np.testing.assert_allclose(path, [[1.0], [0.8]])


def test_plain_descent_shrinks_by_the_same_factor_every_step():
    # w <- w - lr * 2w = (1 - 2 lr) w
    path = gradient_descent(square_gradient, [4.0], learning_rate=0.1, steps=10)
    np.testing.assert_allclose(path[:, 0], 4.0 * 0.8 ** np.arange(11))


def test_momentum_by_hand():
    # v1 = 2*1 = 2, w1 = 1 - 0.1*2 = 0.8
    # v2 = 0.9*2 + 2*0.8 = 3.4, w2 = 0.8 - 0.34 = 0.46
    # v3 = 0.9*3.4 + 2*0.46 = 3.98, w3 = 0.46 - 0.398 = 0.062
    path = gradient_descent(square_gradient, [1.0], learning_rate=0.1, momentum=0.9, steps=3)
    np.testing.assert_allclose(path[:, 0], [1.0, 0.8, 0.46, 0.062])


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_same_path_as_pytorch_sgd(momentum):
    torch = pytest.importorskip("torch")
    landscape = LANDSCAPES["2-D: narrow valley"]
    w = torch.tensor(landscape.start, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.3, momentum=momentum)
    expected = [w.detach().numpy().copy()]
    for _ in range(15):
        optimizer.zero_grad()
        loss = w[0] ** 2 / 20 + w[1] ** 2
        loss.backward()
        optimizer.step()
        expected.append(w.detach().numpy().copy())
    path = gradient_descent(landscape.gradient, landscape.start, 0.3, momentum, steps=15)
    np.testing.assert_allclose(path, np.array(expected), rtol=1e-12, atol=1e-12)


def test_a_diverging_path_stops_at_the_escape_distance_without_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = gradient_descent(square_gradient, [4.0], 3.0, momentum=0.99, steps=10_000, escape=50)
    assert len(path) < 10  # stopped early
    assert abs(path[-1, 0]) > 50 and np.all(np.abs(path[:-1]) <= 50)


def test_zero_steps_is_just_the_start():
    np.testing.assert_array_equal(gradient_descent(square_gradient, [2.0], 0.1, steps=0), [[2.0]])


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        ({"learning_rate": 0}, ValueError, "learning_rate"),
        ({"learning_rate": -0.1}, ValueError, "learning_rate"),
        ({"learning_rate": 0.1, "momentum": 1.0}, ValueError, "momentum"),
        ({"learning_rate": 0.1, "momentum": -0.5}, ValueError, "momentum"),
        ({"learning_rate": 0.1, "steps": -1}, ValueError, "steps"),
        ({"learning_rate": 0.1, "steps": 2.5}, TypeError, "steps"),
    ],
)
def test_bad_settings_are_explained(kwargs, error, word):
    with pytest.raises(error, match=word):
        gradient_descent(square_gradient, [1.0], **kwargs)


# ----------------------------------------------------------------------------
# the landscapes
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(LANDSCAPES))
def test_gradient_matches_centred_differences(name):
    landscape = LANDSCAPES[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        point = np.array([rng.uniform(lo, hi) for lo, hi in landscape.view])
        numeric = np.empty_like(point)
        for i in range(landscape.dim):
            h = np.zeros_like(point)
            h[i] = 1e-6
            numeric[i] = (landscape.loss(point + h) - landscape.loss(point - h)) / 2e-6
        np.testing.assert_allclose(landscape.gradient(point), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", list(LANDSCAPES))
def test_minima_are_flat_and_the_first_is_the_lowest(name):
    landscape = LANDSCAPES[name]
    for minimum in landscape.minima:
        np.testing.assert_allclose(landscape.gradient(minimum), 0, atol=1e-12)
    # the loss on a fine grid over the view never goes below the global minimum
    axes = [np.linspace(lo, hi, 201) for lo, hi in landscape.view]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
    assert landscape.loss(grid).min() >= landscape.lowest_loss - 1e-12
    assert landscape.lowest_loss == min(landscape.loss(m) for m in landscape.minima)
    assert landscape.loss(grid).shape == grid.shape[:-1]


def test_two_valleys_has_a_higher_valley_on_the_right():
    minima = LANDSCAPES["1-D: two valleys"].minima[:, 0]
    np.testing.assert_allclose(minima, [-1.5257, 1.2670], atol=1e-4)


# ----------------------------------------------------------------------------
# verdicts
# ----------------------------------------------------------------------------
def verdict(name, learning_rate, momentum=0.0, steps=30):
    landscape = LANDSCAPES[name]
    path = gradient_descent(
        landscape.gradient, landscape.start, learning_rate, momentum, steps, landscape.escape
    )
    return judge_descent(landscape, path)


def test_converged_step_by_hand():
    # w_n = 4 * 0.8**n; loss 16 * 0.64**n <= 0.01 first at n = 17 (16.5 rounded up)
    v = verdict("1-D: parabola", 0.1)
    assert (v.outcome, v.steps) == ("converged", 17)
    assert v.text == "converged to within 0.01 of the lowest loss in 17 steps"
    # learning rate 0.5 jumps straight to the bottom: w = 4 - 0.5 * 8 = 0
    assert verdict("1-D: parabola", 0.5).text.endswith("in 1 step")


def test_diverged_step_by_hand():
    # w_n = 4 * (1 - 2.2)**n leaves |w| <= 50 when 1.2**n > 12.5: n = 14
    v = verdict("1-D: parabola", 1.1)
    assert (v.outcome, v.steps) == ("diverged", 14)
    assert v.text.startswith("diverged after 14 steps")


def test_slowly_growing_path_counts_as_diverging():
    v = verdict("1-D: parabola", 1.03)  # |w| grows by 1.06 per step: 4 -> 23 in 30 steps
    assert v.outcome == "diverged" and v.text.startswith("diverging")


def test_crawling_bouncing_and_stuck():
    assert verdict("1-D: parabola", 0.001).outcome == "crawling"
    assert verdict("1-D: parabola", 1.0).outcome == "bouncing"  # 4, -4, 4, ...
    stuck = verdict("1-D: two valleys", 0.1)
    assert stuck.outcome == "stuck" and "1.27" in stuck.text
    # a large enough step jumps the hump into the lower valley
    assert verdict("1-D: two valleys", 0.3).outcome == "converged"


def test_momentum_helps_in_the_narrow_valley():
    plain = verdict("2-D: narrow valley", 0.5, momentum=0.0, steps=100)
    heavy = verdict("2-D: narrow valley", 0.5, momentum=0.5, steps=100)
    assert plain.outcome == heavy.outcome == "converged"
    assert heavy.steps < plain.steps / 2


def test_judge_descent_takes_a_path_that_ended_in_infinity():
    """gradient_descent stops at the first point beyond escape, which may be inf or
    NaN; judge_descent must still say "diverged" (no NaN check on the path)."""
    parabola = LANDSCAPES["1-D: parabola"]
    path = gradient_descent(parabola.gradient, [4.0], learning_rate=1e308, steps=5)
    assert not np.isfinite(path[-1]).all()
    assert judge_descent(parabola, path).outcome == "diverged"


def test_a_gradient_that_returns_a_list_or_a_number_is_fine():
    np.testing.assert_allclose(
        gradient_descent(lambda w: [2 * w[0]], [1.0], 0.1, steps=1), [[1.0], [0.8]]
    )
    np.testing.assert_allclose(
        gradient_descent(lambda w: 2 * float(w[0]), [1.0], 0.1, steps=1), [[1.0], [0.8]]
    )
