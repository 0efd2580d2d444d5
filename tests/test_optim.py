"""Optimisers: one step against hand-computed values, several steps against PyTorch's rules."""

import math

import numpy as np
import pytest

from cnnlib.layers import Dense
from cnnlib.optim import SGD, Adam, RMSprop


class Holder:
    """The smallest thing an optimiser can work on: params and grads dicts."""

    def __init__(self, values, dtype=np.float32):
        self.params = {"w": np.array(values, dtype=dtype)}
        self.grads = {"w": np.zeros_like(self.params["w"])}

    def set_grad(self, g):
        self.grads["w"] = np.array(g, dtype=self.params["w"].dtype)


def run(opt_class, grads, start=(1.0, -2.0), **kw):
    h = Holder(start)
    opt = opt_class(h, **kw)
    for g in grads:
        h.set_grad(g)
        opt.step()
    return h.params["w"]


G1, G2 = (0.5, 0.25), (0.1, 0.3)


# --- one or two steps, computed by hand ----------------------------------------------
def test_sgd_by_hand():
    # p - lr * g
    np.testing.assert_allclose(run(SGD, [G1], lr=0.1), [0.95, -2.025], rtol=1e-6)
    # weight decay adds 0.1 * p to the gradient: g = (0.6, 0.05)
    np.testing.assert_allclose(run(SGD, [G1], lr=0.1, weight_decay=0.1), [0.94, -2.005], rtol=1e-6)
    # momentum: buf = g, then buf = 0.9 * buf + g = (0.95, 0.475)
    np.testing.assert_allclose(
        run(SGD, [G1, G1], lr=0.1, momentum=0.9), [0.855, -2.0725], rtol=1e-6
    )
    # nesterov: step with g + 0.9 * buf = 1.9 g on the first step
    np.testing.assert_allclose(
        run(SGD, [G1], lr=0.1, momentum=0.9, nesterov=True), [0.905, -2.0475], rtol=1e-6
    )


def test_adam_by_hand():
    # step 1: m_hat = g and v_hat = g**2, so the step is lr * g / |g| = lr * sign(g)
    np.testing.assert_allclose(run(Adam, [(0.5, -0.25)], lr=0.1), [0.9, -1.9], rtol=1e-6)
    # step 2 with g = (0.1, 0.3): m = (0.055, 0.0075), v = (2.5975e-4, 1.524375e-4),
    # bias corrections 1 - 0.9**2 = 0.19 and 1 - 0.999**2 = 0.001999
    expected = [
        0.9 - 0.1 * (0.055 / 0.19) / math.sqrt(2.5975e-4 / 0.001999),
        -1.9 - 0.1 * (0.0075 / 0.19) / math.sqrt(1.524375e-4 / 0.001999),
    ]
    np.testing.assert_allclose(expected, [0.8196959, -1.9142945], rtol=1e-6)
    np.testing.assert_allclose(run(Adam, [(0.5, -0.25), G2], lr=0.1), expected, rtol=1e-6)


def test_rmsprop_by_hand():
    # square_avg = 0.01 g**2, so the step is lr * g / (0.1 |g|) = 10 lr sign(g)
    np.testing.assert_allclose(run(RMSprop, [(0.5, -0.25)], lr=0.01), [0.9, -1.9], rtol=1e-6)
    # centred: grad_avg = 0.01 g, denominator sqrt(0.01 g**2 - 1e-4 g**2) = sqrt(0.0099) |g|
    step = 0.01 / math.sqrt(0.0099)
    np.testing.assert_allclose(
        run(RMSprop, [(0.5, -0.25)], lr=0.01, centered=True), [1 - step, -2 + step], rtol=1e-6
    )


# --- several steps against PyTorch's update rules written out in float64 ---------------
def torch_rules(kind, p, grads, lr, **kw):
    """torch.optim's single-tensor algorithms, transcribed, in float64."""
    p = np.array(p, dtype=np.float64)
    state = {}
    for t, g in enumerate(grads, start=1):
        g = np.array(g, dtype=np.float64)
        g = g + kw.get("weight_decay", 0) * p
        if kind == "sgd":
            mom, damp = kw.get("momentum", 0), kw.get("dampening", 0)
            if mom:
                buf = g.copy() if t == 1 else mom * state["buf"] + (1 - damp) * g
                state["buf"] = buf
                g = g + mom * buf if kw.get("nesterov") else buf
            p = p - lr * g
        elif kind == "rmsprop":
            alpha, eps, mom = kw.get("alpha", 0.99), kw.get("eps", 1e-8), kw.get("momentum", 0)
            sq = alpha * state.get("sq", 0) + (1 - alpha) * g * g
            state["sq"] = sq
            if kw.get("centered"):
                ga = alpha * state.get("ga", 0) + (1 - alpha) * g
                state["ga"] = ga
                avg = np.sqrt(sq - ga * ga) + eps
            else:
                avg = np.sqrt(sq) + eps
            if mom:
                state["buf"] = mom * state.get("buf", 0) + g / avg
                p = p - lr * state["buf"]
            else:
                p = p - lr * g / avg
        else:  # adam
            (b1, b2), eps = kw.get("betas", (0.9, 0.999)), kw.get("eps", 1e-8)
            m = b1 * state.get("m", 0) + (1 - b1) * g
            v = b2 * state.get("v", 0) + (1 - b2) * g * g
            state["m"], state["v"] = m, v
            denom = np.sqrt(v) / math.sqrt(1 - b2**t) + eps
            p = p - (lr / (1 - b1**t)) * m / denom
    return p


CONFIGS = [
    ("sgd", SGD, {"lr": 0.05}),
    ("sgd", SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
    ("sgd", SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("sgd", SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("rmsprop", RMSprop, {"lr": 0.01}),
    ("rmsprop", RMSprop, {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1, "alpha": 0.9}),
    ("rmsprop", RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("adam", Adam, {"lr": 0.01}),
    ("adam", Adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}),
]
START = np.random.default_rng(0).standard_normal(12)
GRADS = np.random.default_rng(1).standard_normal((6, 12))


@pytest.mark.parametrize(("kind", "cls", "kw"), CONFIGS, ids=lambda c: str(c))
def test_six_steps_follow_pytorchs_rules(kind, cls, kw):
    ours = run(cls, GRADS, start=START, **kw)
    np.testing.assert_allclose(ours, torch_rules(kind, START, GRADS, **kw), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize(("kind", "cls", "kw"), CONFIGS, ids=lambda c: str(c))
def test_six_steps_match_torch_itself(kind, cls, kw):
    torch = pytest.importorskip("torch")
    p = torch.tensor(START, dtype=torch.float32, requires_grad=True)
    make = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam}
    opt = make[kind]([p], **kw)
    for g in GRADS:
        p.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
    ours = run(cls, GRADS, start=START, **kw)
    np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-5, atol=1e-6)


# --- behaviour -----------------------------------------------------------------------
def test_optimiser_updates_a_layer_in_place_and_keeps_dtype():
    layer = Dense(3, 2, seed=0)
    weight = layer.params["weight"]
    layer.forward(np.ones((4, 3), dtype=np.float32))
    layer.backward(np.ones((4, 2), dtype=np.float32))
    opt = Adam(layer, lr=0.01)
    opt.step()
    assert layer.params["weight"] is weight and weight.dtype == np.float32
    assert opt.steps == 1 and set(opt.state) == {"weight", "bias"}
    opt.lr = 0.5  # a slider may change it between steps
    opt.step()
    assert opt.state["weight"]["step"] == 2
    opt.reset()
    assert opt.state == {} and opt.steps == 0


def test_repr():
    h = Holder([0.0])
    assert repr(SGD(h, lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9, weight_decay=0.0)"
    assert repr(Adam(h)) == "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0)"


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda h: SGD(h, lr=0), ValueError, "lr must be greater than 0"),
        (lambda h: SGD(h, lr=-1), ValueError, "lr"),
        (lambda h: SGD(h, lr="0.1"), TypeError, "lr must be a number"),
        (
            lambda h: SGD(h, lr=0.1, momentum=1.0),
            ValueError,
            "momentum must be at least 0 and less than 1",
        ),
        (lambda h: SGD(h, lr=0.1, nesterov=True), ValueError, "nesterov"),
        (lambda h: Adam(h, betas=0.9), TypeError, "betas"),
        (lambda h: Adam(h, betas=(0.9, 1.0)), ValueError, "betas"),
        (lambda h: RMSprop(h, alpha=-0.1), ValueError, "alpha"),
        (lambda h: Adam([1, 2]), TypeError, "params"),
        (lambda h: Adam(h, lr=float("nan")), ValueError, "lr"),
    ],
)
def test_bad_settings(make, error, match):
    with pytest.raises(error, match=match):
        make(Holder([1.0]))


def test_step_without_gradient_explains():
    h = Holder([1.0])
    del h.grads["w"]
    with pytest.raises(ValueError, match="backward"):
        SGD(h, lr=0.1).step()


class TwoParams:
    def __init__(self):
        self.params = {"a": np.array([1.0, 2.0]), "b": np.array([3.0])}
        self.grads = {"a": np.array([0.5, -0.5]), "b": np.array([1.0])}


def test_a_bad_gradient_changes_nothing():
    """Every gradient is checked before the first parameter moves."""
    model = TwoParams()
    model.grads["b"] = np.zeros(2)  # wrong shape, for the second parameter
    opt = Adam(model, lr=0.1)
    with pytest.raises(ValueError, match=r"gradient of 'b' has shape \(2,\)"):
        opt.step()
    np.testing.assert_array_equal(model.params["a"], [1.0, 2.0])
    assert opt.state == {} and opt.steps == 0


@pytest.mark.parametrize("cls", [SGD, RMSprop, Adam])
@pytest.mark.parametrize("failure", [KeyboardInterrupt, MemoryError, ValueError])
def test_a_step_that_fails_halfway_is_undone(cls, failure):
    """Ctrl+C (or any error) after the first parameter has moved: the step is taken back,
    the memory too, so the optimiser can go on as if it had not been attempted."""
    model, twin = TwoParams(), TwoParams()
    settings = {} if cls is Adam else {"momentum": 0.9}  # every kind of memory
    opt, clean = cls(model, lr=0.1, **settings), cls(twin, lr=0.1, **settings)
    opt.step()
    clean.step()
    update = opt.update

    def fail_on_b(p, g, state):
        update(p, g, state)
        if p.shape == (1,):  # "b", after "a" was updated
            raise failure

    opt.update = fail_on_b
    with pytest.raises(failure):
        opt.step()
    opt.update = update
    assert opt.steps == 1
    for name in ("a", "b"):
        np.testing.assert_array_equal(model.params[name], twin.params[name])
        for key, value in clean.state[name].items():
            np.testing.assert_array_equal(opt.state[name][key], value)
    opt.step()  # and it goes on exactly like the optimiser that never failed
    clean.step()
    for name in ("a", "b"):
        np.testing.assert_array_equal(model.params[name], twin.params[name])


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda h: SGD(h, lr=np.inf), ValueError, "lr must be a finite number, but is inf"),
        (lambda h: SGD(h, lr=True), TypeError, "lr must be a number, but is True"),
        (
            lambda h: SGD(h, lr=0.1, dampening=1.5),
            ValueError,
            r"dampening must be in \[0, 1\], but is 1.5",
        ),
        (lambda h: Adam(h, eps=-1e-8), ValueError, "eps must be at least 0"),
    ],
)
def test_more_bad_settings(make, error, match):
    with pytest.raises(error, match=match):
        make(Holder([1.0]))
