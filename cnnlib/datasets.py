"""Data for the course: real MNIST digits, toy X/O images and a colour photo.

Everything here works offline. The MNIST digits ship with the repository in
``data/mnist_5k.npz`` (5,000 real digits, see ``data/README.md``); the full
60,000/10,000 MNIST is an opt-in download.

Core floor: numpy (and pooch, only when a download is asked for); never
matplotlib, except inside :func:`load_photo`, which reads matplotlib's sample
photo.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

__all__ = ["load_mnist"]

# ----------------------------------------------------------------------------
# the bundled MNIST subset
# ----------------------------------------------------------------------------
#: Folder with the data that ships with the repository (found next to the package,
#: which works for a clone and for an editable install, ``pip install -e .``).
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
BUNDLED_MNIST = "mnist_5k.npz"
#: SHA-256 of ``data/mnist_5k.npz`` as written by ``data/make_mnist_subset.py``.
BUNDLED_MNIST_SHA256 = "bdff3d71faebe47aafcb1d6a994c8d6161eec54e880c2869bac483f71f3c8156"

SPLITS = ("train", "test")
SOURCES = ("bundled", "full")


def load_mnist(split: str = "train", source: str = "bundled") -> tuple[np.ndarray, np.ndarray]:
    """Load handwritten digits from MNIST.

    Parameters
    ----------
    split : {"train", "test"}
        Which part of the data set to return. The two parts never share an image.
    source : {"bundled", "full"}
        ``"bundled"`` (default): the 5,000 real MNIST digits that ship with the
        course (500 of each digit), split once, at random with a fixed seed, into
        4,000 training and 1,000 test images (400 and 100 of each digit). Works
        offline and loads in milliseconds.

    Returns
    -------
    images : numpy.ndarray, shape (n, 28, 28), dtype uint8
        Grey levels as MNIST stores them: 0 is the background, 255 full ink, so
        the digit is *bright* on a dark background.
    labels : numpy.ndarray, shape (n,), dtype int64
        The digit shown in each image, 0-9.

    Raises
    ------
    ValueError
        For an unknown ``split`` or ``source``, or if the bundled file is damaged.
    FileNotFoundError
        If the bundled file is not found next to the package.

    Examples
    --------
    >>> images, labels = load_mnist("train")
    >>> images.shape, images.dtype, labels.shape
    ((4000, 28, 28), dtype('uint8'), (4000,))
    """
    split = _check_choice(split, SPLITS, "split")
    source = _check_choice(source, SOURCES, "source")
    return _load_bundled(split)


def _check_choice(value, choices: tuple[str, ...], name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a string, one of {', '.join(map(repr, choices))}; "
            f"got {value!r} of type {type(value).__name__}"
        )
    if value not in choices:
        raise ValueError(
            f"{name}={value!r} is not known; use one of {', '.join(map(repr, choices))}"
        )
    return value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _bundled_path() -> Path:
    path = DATA_DIR / BUNDLED_MNIST
    if not path.is_file():
        raise FileNotFoundError(
            f"the bundled MNIST digits were not found at {path}. cnnlib reads them from the "
            "data/ folder of the course repository, next to the cnnlib/ folder: clone the "
            "repository and install it with `pip install -e .` (a plain `pip install .` copies "
            "only the package, not data/), or fetch the full data set with "
            "load_mnist(source='full')"
        )
    return path


def _load_bundled(split: str) -> tuple[np.ndarray, np.ndarray]:
    path = _bundled_path()
    found = _sha256(path)
    if found != BUNDLED_MNIST_SHA256:
        raise ValueError(
            f"{path} is damaged or was changed: its SHA-256 is {found}, expected "
            f"{BUNDLED_MNIST_SHA256}. Restore it with `git checkout -- data/{BUNDLED_MNIST}`, "
            "or rebuild it with data/make_mnist_subset.py (see data/README.md) and, if the "
            "change is intended, update BUNDLED_MNIST_SHA256 in cnnlib/datasets.py"
        )
    with np.load(path, allow_pickle=False) as archive:
        images = archive[f"{split}_images"]
        labels = archive[f"{split}_labels"]
    return images, labels.astype(np.int64, copy=False)
