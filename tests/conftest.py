"""Fixtures shared by the unit tests (the browser tests have their own conftest).

Both are module-scoped: every test module gets its own copy, so a module that
changes the network cannot affect another. A module that needs something else
(fewer digits, another seed) defines its own fixture of the same name, which
takes precedence there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cnnlib import load_mnist, reference_cnn

sys.path.insert(0, str(Path(__file__).parent))
from cpu_variants import describe  # noqa: E402


def pytest_report_header(config):
    """Which CPU code computes the floats of this run (``./course test`` runs several)."""
    return f"cpu: {describe()}"


@pytest.fixture(scope="module")
def digits():
    """The first 60 bundled MNIST test digits: images (60, 28, 28) uint8, labels (60,)."""
    images, labels = load_mnist("test")
    return images[:60], labels[:60]


@pytest.fixture(scope="module")
def model():
    """The course CNN, untrained (seed 3): plenty of mistakes, any weights will do."""
    return reference_cnn(seed=3)
