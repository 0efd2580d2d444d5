"""Fixtures shared by the unit tests (the browser tests have their own conftest).

Both are module-scoped: every test module gets its own copy, so a module that
changes the network cannot affect another. A module that needs something else
(fewer digits, another seed) defines its own fixture of the same name, which
takes precedence there.
"""

from __future__ import annotations

import pytest

from cnnlib import load_mnist, reference_cnn


@pytest.fixture(scope="module")
def digits():
    """The first 60 bundled MNIST test digits: images (60, 28, 28) uint8, labels (60,)."""
    images, labels = load_mnist("test")
    return images[:60], labels[:60]


@pytest.fixture(scope="module")
def model():
    """The course CNN, untrained (seed 3): plenty of mistakes, any weights will do."""
    return reference_cnn(seed=3)
