"""A trained network that ships with the course, for sections that need one at once.

``data/mnist_cnn_weights.npz`` holds the weights of :func:`cnnlib.reference_cnn`
after training on the 4,000 bundled MNIST digits, written by
``data/make_mnist_weights.py`` (fixed seed, same recipe as notebook 06). It
reaches at least 97% accuracy on the 1,000 bundled test digits (a test checks
this), so "draw your own digit" and the views of a trained network work
without training first.
"""

from __future__ import annotations

import hashlib

from cnnlib.datasets import DATA_DIR
from cnnlib.model import Sequential, reference_cnn

__all__ = ["PRETRAINED_SHA256", "PRETRAINED_WEIGHTS", "RECIPE", "load_pretrained"]

#: The weights file, next to the bundled digits.
PRETRAINED_WEIGHTS = DATA_DIR / "mnist_cnn_weights.npz"
#: SHA-256 of the shipped weights file, checked on every load. The one place that
#: holds it: ``data/README.md`` publishes the same value (a test compares them), and
#: ``data/make_mnist_weights.py`` prints the new value when it writes new weights.
PRETRAINED_SHA256 = "1f7c5ab031f5e4abac2087bda7eae1732e8705f46b6b190fd63164cd5ab58f44"

#: How the shipped weights were trained (``data/make_mnist_weights.py``) and how
#: ``benchmarks/train_mnist.py`` trains: Adam with learning rate ``lr`` decayed along a
#: cosine (:class:`cnnlib.CosineDecay`), mini-batches of ``batch_size``, every batch
#: shifted by up to ``max_shift`` pixels (:class:`cnnlib.RandomShift`), ``epochs`` epochs.
RECIPE = {"lr": 3e-3, "batch_size": 32, "epochs": 25, "max_shift": 1, "seed": 0}


def load_pretrained() -> Sequential:
    """The reference CNN with the shipped trained weights, in evaluation mode.

    Returns
    -------
    Sequential
        Conv2D 1->8, ReLU, MaxPool 2, Conv2D 8->16, ReLU, MaxPool 2, Flatten,
        Dense 784->10. Input (N, 1, 28, 28) floats in [0, 1] (see
        :func:`cnnlib.prepare_images`), output (N, 10) class scores.

    Raises
    ------
    FileNotFoundError
        If the file is missing.
    ValueError
        If the file is damaged or was changed (its SHA-256 is not
        ``PRETRAINED_SHA256``); the message says how to restore it.

    Examples
    --------
    >>> model = load_pretrained()                                    # doctest: +SKIP
    >>> images, labels = load_mnist("test")                          # doctest: +SKIP
    >>> (model.predict(prepare_images(images)) == labels).mean()     # doctest: +SKIP
    0.97...
    """
    if not PRETRAINED_WEIGHTS.exists():
        raise FileNotFoundError(
            f"the trained weights {PRETRAINED_WEIGHTS} are missing; they ship with the "
            "repository (use a clone installed with `pip install -e .`), or recreate them "
            "with `python data/make_mnist_weights.py`"
        )
    found = hashlib.sha256(PRETRAINED_WEIGHTS.read_bytes()).hexdigest()
    if found != PRETRAINED_SHA256:
        raise ValueError(
            f"the trained weights {PRETRAINED_WEIGHTS} are damaged or were changed: their "
            f"SHA-256 is {found}, expected {PRETRAINED_SHA256}. Restore the file with "
            f"`git checkout -- data/{PRETRAINED_WEIGHTS.name}` in the course folder, or train "
            "it again with `python data/make_mnist_weights.py` (which prints the new SHA-256 "
            "to put into PRETRAINED_SHA256 in cnnlib/pretrained.py and into data/README.md)"
        )
    return reference_cnn().load_weights(PRETRAINED_WEIGHTS).eval()
