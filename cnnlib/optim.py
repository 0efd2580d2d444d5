"""Optimisers: how the gradients turn into better weights.

After ``model.backward(...)`` every parameter ``p`` has a gradient ``g``: the
direction in which the loss grows fastest. An optimiser moves each parameter a
small step the other way. They differ in how they choose the step:

* :class:`SGD`: ``p -= lr * g``. With ``momentum`` the step is a running sum of
  past gradients (a ball rolling downhill keeps its speed through small bumps
  and across flat stretches).
* :class:`RMSprop`: divides each gradient by the root of a running mean of its
  squares, so every parameter moves at a similar pace whether its gradients are
  large or tiny.
* :class:`Adam`: momentum and RMSprop together, with a correction for the first
  steps when both running means still start from zero. A good default.

The update rules are exactly PyTorch's (``torch.optim``), including where
``weight_decay`` (L2 regularisation: add ``weight_decay * p`` to the gradient)
enters. Usage::

    optimizer = Adam(model, lr=1e-3)
    logits = model.forward(x)
    loss, grad, _ = softmax_cross_entropy(logits, y)
    model.backward(grad)
    optimizer.step()            # updates model.params in place

``model`` may be a :class:`~cnnlib.Sequential` or a single layer: anything
with ``params`` and ``grads`` dicts. The arrays are updated in place.
"""

from __future__ import annotations

import math

import numpy as np

from cnnlib import _validate as v
from cnnlib._interrupts import interrupts_held

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam"]


class Optimizer:
    """Common machinery: walk over the parameters and apply :meth:`update` to each.

    Attributes
    ----------
    model : object with ``params`` and ``grads`` dicts
    lr : float
        Learning rate; may be changed between steps (e.g. by a slider).
    state : dict
        Per-parameter memory (momentum buffers, running means), keyed by the
        parameter's name.
    steps : int
        Number of :meth:`step` calls so far.
    """

    def __init__(self, model, lr):
        if not (hasattr(model, "params") and hasattr(model, "grads")):
            raise TypeError(
                f"an optimiser needs a model or layer with `params` and `grads` dicts, but got "
                f"{model!r}; pass the network, e.g. Adam(model, lr=1e-3)"
            )
        self.model = model
        self.lr = v.as_learning_rate(lr, "lr")
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.steps = 0

    def step(self) -> None:
        """Update every parameter once, using the gradients of the last backward pass.

        All or nothing: if something goes wrong halfway (an error, or Ctrl+C),
        the parameters and the optimiser's memory are as they were before.
        """
        params, grads = self.model.params, self.model.grads
        for name, p in params.items():  # check every gradient before changing anything
            g = grads.get(name)
            if g is None:
                raise ValueError(f"parameter {name!r} has no gradient; call backward() first")
            if g.shape != p.shape:
                raise ValueError(
                    f"gradient of {name!r} has shape {g.shape} but the parameter has {p.shape}"
                )
        with interrupts_held():  # Ctrl+C waits until the step is complete (microseconds)
            before = self._copy(params)
            try:
                for name, p in params.items():
                    state = self.state.setdefault(name, {})
                    self.update(p, grads[name].astype(p.dtype, copy=False), state)
            except BaseException:  # an error halfway: put everything back
                self._restore(params, before)
                raise
            self.steps += 1

    def _copy(self, params):
        """Copies of the parameters and of the optimiser's memory (to undo a failed step)."""
        state = {
            name: {k: x.copy() if isinstance(x, np.ndarray) else x for k, x in memory.items()}
            for name, memory in self.state.items()
        }
        return [p.copy() for p in params.values()], state

    def _restore(self, params, copies):
        values, state = copies
        for p, value in zip(params.values(), values):
            np.copyto(p, value)
        self.state.clear()
        self.state.update(state)

    def update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        """Change parameter ``p`` in place given its gradient ``g`` and its ``state`` dict."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the running means and momentum (e.g. after loading new weights)."""
        self.state.clear()
        self.steps = 0

    def _settings(self) -> str:
        return f"lr={self.lr}"

    def __repr__(self):
        return f"{type(self).__name__}({self._settings()})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and weight decay.

    PyTorch's rule, for every parameter ``p`` with gradient ``g``::

        g = g + weight_decay * p
        if momentum:
            buf = g                                   (first step)
            buf = momentum * buf + (1 - dampening) * g (later steps)
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g

    Parameters
    ----------
    model : Sequential or Layer
    lr : float
        Learning rate (e.g. 0.01-0.1).
    momentum : float
        0 (plain SGD) to below 1; 0.9 is typical.
    weight_decay : float
        L2 penalty factor (e.g. 1e-4); 0 = none.
    dampening : float
        Scales down the new gradient in the momentum sum (PyTorch's option; usually 0).
    nesterov : bool
        Look-ahead momentum (needs momentum > 0 and dampening 0).
    """

    def __init__(
        self, model, lr=0.01, momentum=0.0, weight_decay=0.0, dampening=0.0, nesterov=False
    ):
        super().__init__(model, lr)
        self.momentum = v.as_momentum(momentum)
        self.weight_decay = v.as_real(weight_decay, "weight_decay", example=5e-4)
        self.dampening = v.as_real(dampening, "dampening", maximum=1, example=0)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0")

    def update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= self.momentum
                buf += (1 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g

    def _settings(self):
        text = f"lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay}"
        if self.dampening:
            text += f", dampening={self.dampening}"
        if self.nesterov:
            text += ", nesterov=True"
        return text


class RMSprop(Optimizer):
    """RMSprop: divide each gradient by the root of a running mean of its squares.

    PyTorch's rule::

        g = g + weight_decay * p
        square_avg = alpha * square_avg + (1 - alpha) * g**2      (starts at 0)
        avg = sqrt(square_avg) + eps
            (centered: avg = sqrt(square_avg - grad_avg**2) + eps,
             with grad_avg = alpha * grad_avg + (1 - alpha) * g)
        if momentum:  buf = momentum * buf + g / avg;  p = p - lr * buf
        else:         p = p - lr * g / avg

    Parameters
    ----------
    model : Sequential or Layer
    lr : float
        Learning rate (PyTorch's default 0.01; 1e-3 is often better for CNNs).
    alpha : float
        Smoothing of the running mean of squares (0.99).
    eps : float
        Added to the denominator so it is never 0 (1e-8).
    weight_decay, momentum : float
    centered : bool
        Divide by an estimate of the gradient's standard deviation instead.
    """

    def __init__(
        self, model, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False
    ):
        super().__init__(model, lr)
        self.alpha = v.as_real(alpha, "alpha", below=1, example=0.99)
        self.eps = v.as_real(eps, "eps", example=1e-8)
        self.weight_decay = v.as_real(weight_decay, "weight_decay", example=5e-4)
        self.momentum = v.as_momentum(momentum)
        self.centered = bool(centered)

    def update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if not state:
            state["square_avg"] = np.zeros_like(p)
            if self.centered:
                state["grad_avg"] = np.zeros_like(p)
            if self.momentum:
                state["momentum_buffer"] = np.zeros_like(p)
        sq = state["square_avg"]
        sq *= self.alpha
        sq += (1 - self.alpha) * g * g
        if self.centered:
            ga = state["grad_avg"]
            ga += (1 - self.alpha) * (g - ga)  # PyTorch's lerp
            avg = np.sqrt(sq - ga * ga)
        else:
            avg = np.sqrt(sq)
        avg += self.eps
        if self.momentum:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += g / avg
            p -= self.lr * buf
        else:
            p -= self.lr * (g / avg)

    def _settings(self):
        text = f"lr={self.lr}, alpha={self.alpha}, eps={self.eps}, weight_decay={self.weight_decay}"
        if self.momentum:
            text += f", momentum={self.momentum}"
        if self.centered:
            text += ", centered=True"
        return text


class Adam(Optimizer):
    """Adam: momentum plus RMSprop-style scaling, with bias correction.

    PyTorch's rule, at step ``t = 1, 2, ...``::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g          (running mean of gradients, starts at 0)
        v = beta2 * v + (1 - beta2) * g**2       (running mean of squares, starts at 0)
        m_hat = m / (1 - beta1**t)               (undo the pull towards the zero start)
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    Parameters
    ----------
    model : Sequential or Layer
    lr : float
        Learning rate (1e-3 is the classic default).
    betas : (float, float)
        Smoothing of the two running means (0.9, 0.999).
    eps : float
        Keeps the denominator away from 0 (1e-8).
    weight_decay : float
        L2 penalty added to the gradient (as ``torch.optim.Adam``; not AdamW).
    """

    def __init__(self, model, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(model, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers like (0.9, 0.999), not {betas!r}")
        self.betas = (
            v.as_real(betas[0], "betas[0]", below=1, example=0.9),
            v.as_real(betas[1], "betas[1]", below=1, example=0.999),
        )
        self.eps = v.as_real(eps, "eps", example=1e-8)
        self.weight_decay = v.as_real(weight_decay, "weight_decay", example=5e-4)

    def update(self, p, g, state):
        beta1, beta2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * p
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p)
            state["exp_avg_sq"] = np.zeros_like(p)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - beta1) * (g - m)  # PyTorch's lerp: m = beta1 * m + (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        step_size = self.lr / (1 - beta1**t)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**t)
        denom += self.eps
        p -= step_size * (m / denom)

    def _settings(self):
        return f"lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay}"
