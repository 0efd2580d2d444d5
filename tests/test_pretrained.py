"""The trained weights that ship in data/: the right network, small, as good as promised,
and refused when damaged or changed."""

import hashlib
import re
import shutil

import numpy as np
import pytest

from cnnlib import evaluate, load_mnist, prepare_images, pretrained
from cnnlib.pretrained import PRETRAINED_SHA256, PRETRAINED_WEIGHTS, load_pretrained

README = PRETRAINED_WEIGHTS.parent / "README.md"


def test_shipped_weights_reach_97_percent_on_the_bundled_test_split():
    model = load_pretrained()
    images, labels = load_mnist("test")
    loss, accuracy = evaluate(model, prepare_images(images), labels)
    assert accuracy >= 0.97
    assert loss < 0.12
    assert not model.training


def test_shipped_weights_file_is_small_and_plain():
    assert PRETRAINED_WEIGHTS.stat().st_size < 100_000
    with np.load(PRETRAINED_WEIGHTS, allow_pickle=False) as data:
        shapes = {name: data[name].shape for name in data.files if name != "__architecture__"}
        assert all(data[name].dtype == np.float32 for name in shapes)
    assert shapes == {
        "0.weight": (8, 1, 3, 3),
        "0.bias": (8,),
        "3.weight": (16, 8, 3, 3),
        "3.bias": (16,),
        "7.weight": (10, 784),
        "7.bias": (10,),
    }


def test_the_pinned_hash_is_the_files_and_the_one_data_readme_publishes():
    digest = hashlib.sha256(PRETRAINED_WEIGHTS.read_bytes()).hexdigest()
    assert digest == PRETRAINED_SHA256
    section = README.read_text().split("## `mnist_cnn_weights.npz`")[1].split("\n## ")[0]
    published = re.search(r"size: ([\d,]+) bytes; SHA-256 `([0-9a-f]{64})`", section)
    assert published, "data/README.md no longer states the size and SHA-256 of the weights"
    assert published[2] == PRETRAINED_SHA256
    assert int(published[1].replace(",", "")) == PRETRAINED_WEIGHTS.stat().st_size


def test_the_shipped_file_is_in_the_current_format(tmp_path):
    """Saving the shipped network again gives the same bytes.

    If this fails after a change to the weights file format (or to a layer's
    settings), run `python data/make_mnist_weights.py --resave` and put the
    SHA-256 and size it prints into cnnlib/pretrained.py and data/README.md.
    """
    written = load_pretrained().save_weights(tmp_path / "again.npz")
    assert hashlib.sha256(written.read_bytes()).hexdigest() == PRETRAINED_SHA256


@pytest.fixture
def weights_copy(tmp_path, monkeypatch):
    """A copy of the shipped weights that load_pretrained reads instead of the original."""
    copy = tmp_path / PRETRAINED_WEIGHTS.name
    shutil.copy(PRETRAINED_WEIGHTS, copy)
    monkeypatch.setattr(pretrained, "PRETRAINED_WEIGHTS", copy)
    return copy


def test_a_flipped_byte_is_reported_as_damage_with_the_way_back(weights_copy):
    damaged = bytearray(weights_copy.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    weights_copy.write_bytes(bytes(damaged))
    with pytest.raises(ValueError) as info:
        load_pretrained()
    message = str(info.value)
    assert "are damaged or were changed" in message
    assert f"expected {PRETRAINED_SHA256}" in message
    assert "git checkout -- data/mnist_cnn_weights.npz" in message
    assert "python data/make_mnist_weights.py" in message


def test_changed_but_well_formed_weights_are_refused(weights_copy):
    tampered = load_pretrained()
    tampered.params["7.weight"][:] = tampered.params["7.weight"][::-1]  # classes swapped
    tampered.save_weights(weights_copy)
    with pytest.raises(ValueError, match="damaged or were changed"):
        load_pretrained()


def test_a_missing_file_says_where_it_comes_from(weights_copy):
    weights_copy.unlink()
    with pytest.raises(FileNotFoundError, match="make_mnist_weights.py"):
        load_pretrained()
