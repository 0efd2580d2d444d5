"""The loss: how wrong the network's class probabilities are, and its gradient.

A classifier ends in a :class:`~cnnlib.Dense` layer that gives one score
("logit") per class. Softmax turns the scores into probabilities and the
cross-entropy loss is ``-log(probability of the correct class)``, averaged over
the batch: 0 when the network is certain and right, large when it is confident
and wrong.

The two are computed together ("fused") because together they are both
simpler and safer:

* stable: ``log(softmax(z))_k = z_k - max(z) - log(sum_j exp(z_j - max(z)))``
  never takes the log of 0 and never overflows, even for scores of 1000;
* simple gradient: ``d loss / d z = (softmax(z) - onehot(target)) / N``,
  i.e. the probabilities minus 1 at the correct class. Separately, softmax
  and log would each have a much messier derivative.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v

__all__ = ["softmax_cross_entropy", "SoftmaxCrossEntropy"]


def softmax_cross_entropy(logits, targets) -> tuple[float, np.ndarray, np.ndarray]:
    """Mean cross-entropy of softmax probabilities, with its gradient.

    Parameters
    ----------
    logits : array, shape (N, K)
        Class scores, one row per example (N >= 1); NaN or infinity is refused.
    targets : int array, shape (N,)
        Correct class of each example, 0 to K-1.

    Returns
    -------
    loss : float
        ``mean_n(-log softmax(logits[n])[targets[n]])``.
    grad : array, shape (N, K)
        d(loss)/d(logits) = ``(softmax(logits) - onehot(targets)) / N``.
    probs : array, shape (N, K)
        The softmax probabilities (each row sums to 1).

    Examples
    --------
    >>> loss, grad, probs = softmax_cross_entropy(np.array([[2.0, 0.0]]), np.array([0]))
    >>> round(loss, 4)                    # -log(e^2 / (e^2 + 1))
    0.1269
    >>> grad.round(4)                     # probabilities minus 1 at the correct class
    array([[-0.1192,  0.1192]])
    """
    logits, targets = v.logits_and_targets(logits, targets)
    n = logits.shape[0]
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)  # the largest score becomes 0
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    log_probs_correct = shifted[rows, targets] - np.log(total[:, 0])
    loss = float(-log_probs_correct.mean())
    probs = exp / total
    grad = probs.copy()
    grad[rows, targets] -= 1
    grad /= n
    return loss, grad, probs


class SoftmaxCrossEntropy:
    """Softmax + cross-entropy as a loss object with ``forward`` and ``backward``.

    >>> loss_fn = SoftmaxCrossEntropy()
    >>> loss = loss_fn.forward(logits, targets)     # float    # doctest: +SKIP
    >>> grad_logits = loss_fn.backward()            # (N, K)   # doctest: +SKIP

    After ``forward``, ``probs`` holds the softmax probabilities (N, K).
    """

    def forward(self, logits, targets) -> float:
        """Mean loss of logits (N, K) against integer targets (N,)."""
        loss, self._grad, self.probs = softmax_cross_entropy(logits, targets)
        return loss

    __call__ = forward

    def backward(self) -> np.ndarray:
        """d(loss)/d(logits), shape (N, K), for the last ``forward``."""
        grad = getattr(self, "_grad", None)
        if grad is None:
            raise RuntimeError(
                "SoftmaxCrossEntropy.backward gives the gradient of the last loss computed: "
                "call forward(logits, targets) first"
            )
        return grad

    def __repr__(self):
        return "SoftmaxCrossEntropy()"
