"""Numbers about a trained classifier's answers (numpy only).

* :func:`confusion_matrix`: which class is taken for which, counted;
* :func:`most_confident_mistakes`: the wrong answers the network was surest of.

Notebook 06 reads them; :func:`cnnlib.plotting.plot_confusion_matrix` draws
the matrix and :class:`cnnlib.explorers.MistakesGallery` shows the mistakes.
"""

from __future__ import annotations

import numpy as np

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
        K; default: one more than the largest class seen.

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
    labels = np.asarray(labels)
    predictions = np.asarray(predictions)
    if labels.shape != predictions.shape or labels.ndim != 1:
        raise ValueError(
            f"labels and predictions must be two lists of the same length, but have shapes "
            f"{labels.shape} and {predictions.shape}"
        )
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values.size and (values.dtype.kind not in "iu" or values.min() < 0):
            raise ValueError(
                f"{name} must be class numbers 0, 1, 2, ...; for probabilities or scores "
                "take the largest one first: scores.argmax(axis=1)"
            )
    seen = int(max(labels.max(initial=-1), predictions.max(initial=-1))) + 1
    k = seen if num_classes is None else int(num_classes)
    if k < seen:
        raise ValueError(f"num_classes={k}, but class {seen - 1} occurs; use num_classes>={seen}")
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def most_confident_mistakes(probabilities, labels) -> np.ndarray:
    """Indices of the wrongly classified examples, surest wrong answer first.

    Parameters
    ----------
    probabilities : array (N, K)
        E.g. ``model.predict_proba(x)``.
    labels : int array (N,)

    Returns
    -------
    int64 array (M,)
        The examples whose most probable class is not their label, sorted by
        that (wrong) probability, largest first; ties keep the data's order.
    """
    probabilities = np.asarray(probabilities, dtype=float)
    labels = np.asarray(labels)
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(
            f"probabilities must be (N, K) with one row per label, but have shape "
            f"{probabilities.shape} for {len(labels)} labels"
        )
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")].astype(np.int64)
