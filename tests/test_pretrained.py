"""The trained weights that ship in data/: the right network, small, and as good as promised."""

import numpy as np

from cnnlib import evaluate, load_mnist, prepare_images
from cnnlib.pretrained import PRETRAINED_WEIGHTS, load_pretrained


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
        shapes = {name: data[name].shape for name in data.files if name != "__layers__"}
        assert all(data[name].dtype == np.float32 for name in shapes)
    assert shapes == {
        "0.weight": (8, 1, 3, 3),
        "0.bias": (8,),
        "3.weight": (16, 8, 3, 3),
        "3.bias": (16,),
        "7.weight": (10, 784),
        "7.bias": (10,),
    }
