"""The zoo of bad answers every exercise check is tested with (one list, reused by
test_adversarial.py and test_predictions.py). A plain module, not a test file, and free
of model answers, so that the student edition of the course keeps it."""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np


class Hostile:
    """A value whose every conversion fails."""

    def __float__(self):
        raise RuntimeError("no float")

    def __len__(self):
        raise RuntimeError("no len")

    def __iter__(self):
        raise RuntimeError("no iter")

    def __getitem__(self, i):
        raise RuntimeError("no item")

    def __bool__(self):
        raise RuntimeError("no bool")

    def __repr__(self):
        raise RuntimeError("no repr")

    def __eq__(self, other):
        raise RuntimeError("no eq")

    __hash__ = None


ZOO = [
    None,
    ...,
    "79",
    "",
    "nan",
    b"12",
    np.str_("3"),
    (7.9, 9.9),
    (),
    [],
    [[0.0] * 3, [0.0] * 2],
    [1, [2, 3]],
    [None, 1],
    {},
    {"a": 1},
    {1, 2},
    1j,
    [1j, 2],
    np.complex64(1),
    float("nan"),
    float("inf"),
    -float("inf"),
    [float("nan")] * 3,
    True,
    np.bool_(False),
    -1,
    10**400,
    1e308,
    -1e308,
    np.float16("inf"),
    Decimal("1.5"),
    (x for x in range(3)),
    itertools.count(),
    range(10**12),
    np.broadcast_to(0.0, (10**5, 10**5)),  # 10^10 values, no memory
    np.zeros((1500, 1500)),
    np.array(["79"]),
    np.array([1, None], dtype=object),
    np.datetime64("2020-01-01"),
    np.ma.masked_array([1, 2], [0, 1]),
    object(),
    Hostile(),
    len,
]
