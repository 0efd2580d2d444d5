"""A trained network that ships with the course, for sections that need one at once.

``data/mnist_cnn_weights.npz`` holds the weights of :func:`cnnlib.reference_cnn`
after training on the 4,000 bundled MNIST digits, written by
``data/make_mnist_weights.py`` (fixed seed, same recipe as notebook 06). It
reaches at least 97% accuracy on the 1,000 bundled test digits (a test checks
this), so "draw your own digit" and the views of a trained network work
without training first.
"""

from __future__ import annotations

from cnnlib.datasets import DATA_DIR
from cnnlib.model import Sequential, reference_cnn

__all__ = ["PRETRAINED_WEIGHTS", "RECIPE", "load_pretrained"]

#: The weights file, next to the bundled digits.
PRETRAINED_WEIGHTS = DATA_DIR / "mnist_cnn_weights.npz"

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
    return reference_cnn().load_weights(PRETRAINED_WEIGHTS).eval()
