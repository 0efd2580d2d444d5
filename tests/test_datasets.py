"""Tests for cnnlib.datasets: bundled MNIST, the full-MNIST download, X/O images, the photo."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest

import cnnlib
from cnnlib import datasets
from cnnlib.datasets import load_mnist


# ----------------------------------------------------------------------------
# bundled MNIST
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(("split", "n"), [("train", 4000), ("test", 1000)])
def test_bundled_shapes_dtypes_and_ranges(split, n):
    images, labels = load_mnist(split)
    assert images.shape == (n, 28, 28)
    assert images.dtype == np.uint8
    assert labels.shape == (n,)
    assert labels.dtype == np.int64
    assert labels.min() == 0 and labels.max() == 9
    # real digits: full ink somewhere, background (0) in the corners of every image
    assert images.max() == 255
    assert np.all(images[:, 0, 0] == 0) and np.all(images[:, -1, -1] == 0)
    # ink is HIGH (as MNIST stores it): most pixels are dark background
    assert np.median(images) == 0
    assert 20 < images.mean() < 60


@pytest.mark.parametrize(("split", "per_class"), [("train", 400), ("test", 100)])
def test_bundled_classes_are_balanced(split, per_class):
    _, labels = load_mnist(split)
    assert np.bincount(labels, minlength=10).tolist() == [per_class] * 10


def test_bundled_split_is_fixed_and_disjoint():
    train_a, train_labels_a = load_mnist("train")
    train_b, train_labels_b = load_mnist("train")
    np.testing.assert_array_equal(train_a, train_b)
    np.testing.assert_array_equal(train_labels_a, train_labels_b)

    test_images, _ = load_mnist("test")
    train_keys = {image.tobytes() for image in train_a}
    assert not any(image.tobytes() in train_keys for image in test_images)
    with np.load(datasets.DATA_DIR / datasets.BUNDLED_MNIST, allow_pickle=False) as archive:
        train_rows, test_rows = archive["train_rows"], archive["test_rows"]
    assert len(np.union1d(train_rows, test_rows)) == 5000


def test_bundled_classes_are_shuffled_within_a_split():
    _, labels = load_mnist("train")
    # not sorted by digit: the first 50 images already show most digits
    assert len(np.unique(labels[:50])) >= 8


def test_bundled_file_matches_recorded_checksum():
    path = datasets.DATA_DIR / datasets.BUNDLED_MNIST
    assert hashlib.sha256(path.read_bytes()).hexdigest() == datasets.BUNDLED_MNIST_SHA256


def test_damaged_bundled_file_gives_clear_error(tmp_path, monkeypatch):
    damaged = bytearray((datasets.DATA_DIR / datasets.BUNDLED_MNIST).read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (tmp_path / datasets.BUNDLED_MNIST).write_bytes(bytes(damaged))
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="damaged or was changed.*git checkout"):
        load_mnist("train")


def test_missing_bundled_file_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"pip install -e \."):
        load_mnist("test")


def test_bundled_file_copy_loads(tmp_path, monkeypatch):
    shutil.copy(datasets.DATA_DIR / datasets.BUNDLED_MNIST, tmp_path)
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    assert load_mnist("test")[0].shape == (1000, 28, 28)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"split": "validation"}, ValueError, "split='validation'.*'train', 'test'"),
        ({"split": 0}, TypeError, "split must be a string"),
        ({"source": "web"}, ValueError, "source='web'.*'bundled', 'full'"),
    ],
)
def test_load_mnist_rejects_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        load_mnist(**kwargs)


def test_load_mnist_is_exported():
    assert cnnlib.load_mnist is load_mnist
