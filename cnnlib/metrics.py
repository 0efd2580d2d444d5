"""Numbers about a trained classifier's answers (numpy only).

* :func:`confusion_matrix`: which class is taken for which, counted;
* :func:`most_confident_mistakes`: the wrong answers the network was surest of.

Notebook 06 reads them; :func:`cnnlib.plotting.plot_confusion_matrix` draws
the matrix and :class:`cnnlib.explorers.MistakesGallery` shows the mistakes.
"""

from __future__ import annotations

import numpy as np

from cnnlib import _validate as v

__all__ = ["confusion_matrix", "most_confident_mistakes"]


def confusion_matrix(labels, predictions, num_classes=None) -> np.ndarray:
    """Count how often each true class was predicted as each class.

    Parameters
    ----------
    labels : int array (N,)
        The true classes.
    predictions : int array (N,)
        The network's answers, e.g. ``model.predict(x)``.
    num_classes : int, optional
        K (every label and prediction must be below it); default: one more
        than the largest class seen.

    Returns
    -------
    int64 array (K, K)
        ``matrix[t, p]`` = number of examples of true class ``t`` that were
        predicted as ``p``. Row ``t`` adds up to the number of examples of
        class ``t``; the diagonal holds the right answers.

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1])
    array([[1, 1],
           [0, 2]])
    """
    k = None if num_classes is None else v.as_int(num_classes, "num_classes", minimum=1)
    labels = v.as_labels(labels, "labels")
    predictions = v.as_labels(predictions, "predictions")
    if len(labels) != len(predictions):
        raise ValueError(
            f"labels and predictions must be two lists of the same length, one pair per "
            f"example, but have {len(labels)} and {len(predictions)} values"
        )
    seen = int(max(labels.max(initial=-1), predictions.max(initial=-1))) + 1
    if k is None:
        k = seen
    elif k < seen:
        raise ValueError(
            f"num_classes={k}, but class {seen - 1} occurs; use num_classes>={seen} "
            "(classes are counted from 0)"
        )
    v.check_memory(8 * k * k, f"a {k} x {k} confusion matrix", "check num_classes and labels")
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def most_confident_mistakes(probabilities, labels) -> np.ndarray:
    """Indices of the wrongly classified examples, surest wrong answer first.

    Parameters
    ----------
    probabilities : array (N, K)
        E.g. ``model.predict_proba(x)``: values from 0 to 1.
    labels : int array (N,)
        The true classes, 0 to K-1.

    Returns
    -------
    int64 array (M,)
        The examples whose most probable class is not their label, sorted by
        that (wrong) probability, largest first; ties keep the data's order.
    """
    probabilities = v.finite_float_array(probabilities, "probabilities")
    if probabilities.ndim != 2 or probabilities.shape[1] == 0:
        raise ValueError(
            f"probabilities must have shape (N, K), one row of K class probabilities per "
            f"example, but have shape {tuple(probabilities.shape)}"
        )
    if probabilities.size and (probabilities.min() < 0 or probabilities.max() > 1):
        raise ValueError(
            f"probabilities must be between 0 and 1, but range from {probabilities.min():.3g} "
            f"to {probabilities.max():.3g}; for class scores (logits) pass softmax(scores) or "
            "model.predict_proba(x)"
        )
    n, k = probabilities.shape
    labels = v.as_labels(labels, "labels", num_classes=k, length=n)
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")].astype(np.int64)
