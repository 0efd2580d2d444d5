"""Argument checks shared by every public function.

All error messages of the core live here, so they read the same everywhere:
what was given, why it cannot work, and what to do instead. Each check lives
in one place; the sections below group them by what they check.

Nothing in this module computes anything a learner needs to understand
convolution; it only makes sure the arrays that reach ``ops`` and
``reference`` have the shapes and types those functions expect. (Where a
window goes and how big the output is, is :mod:`cnnlib.geometry`.)

Three rules hold for the whole library:

* a bad value raises ``ValueError``, a bad type ``TypeError``, with a
  sentence that names the argument, the value given and the fix;
* NaN and infinity are refused where numbers come in from the caller
  (:func:`check_finite`); inside a network (the layers, during training) they
  are let through, and the trainer reports them as divergence;
* an operation that would allocate more than :data:`MEMORY_LIMIT` (2 GB)
  fails at once with a sentence (:func:`check_memory`), before allocating.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
from pathlib import Path

import numpy as np

# cnnlib.geometry imports this module too: neither uses the other while it is
# being imported, only inside functions, so the two can import each other.
from cnnlib import geometry

# ----------------------------------------------------------------------------
# arrays
# ----------------------------------------------------------------------------
#: The most memory one operation may ask for. Beyond it a call fails at once with
#: a sentence instead of swapping the machine to a halt or dying with numpy's
#: "Unable to allocate"; the limit is a variable so that tests can lower it.
MEMORY_LIMIT = 2 << 30


def as_array(x, name: str = "x", kinds: str = "uifb") -> np.ndarray:
    """Return ``x`` as a numpy array of numbers, keeping its dtype.

    ``kinds`` are the allowed numpy dtype kinds (``u`` unsigned, ``i`` signed
    integers, ``f`` floats, ``b`` booleans).

    Raises
    ------
    ValueError
        For a ragged nested list (rows of different lengths).
    TypeError
        For strings, ``None``, complex numbers and other non-numbers.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        if isinstance(x, str):
            raise TypeError(
                f"{name} must be an array of numbers, but is the text {x!r}; "
                "pass a numpy array or a nested list of numbers"
            )
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError):  # ragged lists and the like
            raise ValueError(_ragged_message(x, name)) from None
    if arr.dtype.kind not in kinds:
        raise TypeError(_dtype_message(arr, name, kinds))
    return arr


def _ragged_message(x, name: str) -> str:
    """Why ``np.asarray(x)`` failed, for a nested list whose rows differ in length."""
    lengths = []
    with contextlib.suppress(TypeError):  # not a list of lists
        lengths = [len(row) for row in x][:6]
    if len(set(lengths)) > 1:
        shown = ", ".join(map(str, lengths)) + (", ..." if len(x) > 6 else "")
        why = f"its rows have different lengths ({shown})"
    else:
        why = "its nested lists do not all have the same shape"
    return (
        f"{name} must be a rectangular grid of numbers, but {why}; every row must hold as "
        f"many numbers as the others (a numpy array has one shape), so check how {name} "
        "was built"
    )


def _dtype_message(arr: np.ndarray, name: str, kinds: str) -> str:
    wanted = "integers" if kinds in ("iu", "ui") else "real numbers"
    if arr.dtype.kind in "USO" and arr.size:
        fix = f"convert it first, e.g. np.asarray({name}, dtype=float)"
        if arr.dtype.kind == "O":
            fix = "pass an array of numbers (no None, strings or nested arrays)"
        return f"{name} must hold {wanted}, but has dtype {arr.dtype}; {fix}"
    if arr.dtype.kind == "c":
        return (
            f"{name} must hold {wanted}, but has dtype {arr.dtype} (complex numbers); "
            f"keep the real part with {name}.real if that is what you mean"
        )
    return f"{name} must hold {wanted}, but has dtype {arr.dtype}"


def as_float_array(x, name: str = "x") -> np.ndarray:
    """Return ``x`` as a floating-point numpy array.

    float32 and float64 arrays are returned as they are (no copy). Integer and
    boolean arrays (for example ``uint8`` images with values 0-255) become
    float64 so that sums of products cannot overflow. float16 becomes float32.

    Raises
    ------
    ValueError
        For a ragged nested list.
    TypeError
        If ``x`` holds complex numbers, strings or other objects.
    """
    arr = as_array(x, name, "uifb")
    if arr.dtype.kind == "f":
        if arr.dtype == np.float16:
            return arr.astype(np.float32)
        return arr
    return arr.astype(np.float64)


def finite_float_array(x, name: str = "x", fix: str | None = None) -> np.ndarray:
    """:func:`as_float_array`, then :func:`check_finite`: the usual first line of a
    public function that takes numbers from its caller."""
    arr = as_float_array(x, name)
    check_finite(arr, name, fix)
    return arr


class NonFiniteError(ValueError):
    """An array holds NaN or infinity (raised by :func:`check_finite`).

    A ``ValueError`` like any bad value; its own type lets the training loop
    tell numbers that overflowed inside a diverging network from other errors.
    """


_DOT_LIMIT = 8192  # check_finite: up to this many values, one BLAS dot (single-threaded)


def check_finite(x: np.ndarray, name: str = "x", fix: str | None = None) -> None:
    """Raise ``ValueError`` if ``x`` contains NaN or infinity.

    ``fix`` replaces the message's last sentence (replace the values with
    ``np.nan_to_num``) where another remedy fits better.

    One NaN pixel would silently turn every output it touches into NaN, so the
    core refuses such inputs instead. The check is a quick summary of the
    array that NaN or inf anywhere makes NaN or inf; only when that is not
    finite is every element inspected. Small float arrays use the sum of
    squares ``x . x``, a single BLAS call several times faster than
    ``x.sum()``. Larger ones use ``max - min`` (NaN wins both, and an
    infinity shows in one of them): two fast passes, where the dot would make
    OpenBLAS wake its other threads, which after the kernel has been idle
    can take ~16 ms instead of ~0.05 ms. Integer and boolean arrays are
    always finite and are not looked at.
    """
    if x.size == 0 or x.dtype.kind != "f":
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if x.size <= _DOT_LIMIT and x.flags.c_contiguous:
            flat = x.reshape(-1)  # a view
            total = np.dot(flat, flat)
        else:
            total = x.max() - x.min()  # NaN if either is NaN, inf if either is infinite
    if np.isfinite(total):
        return
    bad = ~np.isfinite(x)
    if not bad.any():  # the summary overflowed, the values are fine
        return
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    if fix is None:
        fix = f"Replace them first, e.g. {name} = np.nan_to_num({name})"
    raise NonFiniteError(
        f"{name} contains {int(bad.sum())} NaN or infinite value(s), the first at index {where}; "
        f"they would spread through every output they touch. {fix}"
    )


def check_memory(nbytes: int, what: str, fix: str) -> None:
    """Raise ``ValueError`` before allocating ``nbytes`` beyond :data:`MEMORY_LIMIT`.

    ``what`` names what would be allocated, as the subject of the sentence
    (e.g. "conv2d's output (1 x 1 x 24001 x 24001 values)"), ``fix`` says
    what to do instead. Call it with sizes computed from shapes, before any
    array is made.
    """
    if nbytes > MEMORY_LIMIT:
        raise ValueError(
            f"{what} would need {_bytes(nbytes)} of memory, more than the "
            f"{_bytes(MEMORY_LIMIT)} one operation may take here (it would exhaust a laptop's "
            f"memory); {fix}"
        )


def _bytes(n: int) -> str:
    for unit, size in (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20)):
        if n >= size:
            return f"{n / size:.3g} {unit}".replace("e+", "e")
    return f"{n} bytes"


def as_grid(x, name: str, colour: bool = False) -> np.ndarray:
    """A finite float array to draw: (h, w), or also (h, w, 3 or 4) if ``colour``.

    Used by the plotting functions, which draw grids of numbers (images,
    kernels, feature maps).
    """
    arr = finite_float_array(x, name)
    layouts = "(h, w) or (h, w, 3) for colour" if colour else "(h, w)"
    if not (arr.ndim == 2 or (colour and arr.ndim == 3 and arr.shape[2] in (3, 4))):
        hint = ""
        if arr.ndim == 3 and arr.shape[0] in (3, 4) and colour:
            hint = "; for channels-first (3, h, w) use cnnlib.to_channels_last first"
        elif arr.ndim == 3 and arr.shape[2] in (3, 4):
            hint = "; for a colour image pick one channel or use cnnlib.to_grayscale first"
        elif arr.ndim > 2:
            hint = "; pick one map, e.g. x[0], or remove extra axes with .squeeze()"
        raise ValueError(f"{name} must have shape {layouts}, but has shape {arr.shape}{hint}")
    if 0 in arr.shape:
        raise ValueError(f"{name} is empty (shape {arr.shape}); there is nothing to draw")
    return arr


def check_ndim(x: np.ndarray, allowed: tuple[int, ...], name: str, meaning: str) -> None:
    """Raise ``ValueError`` unless ``x.ndim`` is one of ``allowed``.

    ``meaning`` describes the expected layouts, e.g. ``"(H, W) or (N, C, H, W)"``.
    """
    if x.ndim not in allowed:
        raise ValueError(
            f"{name} must have shape {meaning}, but has {x.ndim} dimension(s) with shape "
            f"{tuple(x.shape)}; " + _ndim_hint(x, allowed)
        )


def _ndim_hint(x: np.ndarray, allowed: tuple[int, ...]) -> str:
    if x.ndim == 3 and x.shape[-1] in (3, 4) and 4 in allowed:
        return (
            "it looks like a channels-last colour image (H, W, C); convert it with "
            "cnnlib.to_channels_first(image)[None] to get (1, C, H, W)"
        )
    if x.ndim < min(allowed):
        return "add the missing axes, e.g. x[None, None] turns (H, W) into (1, 1, H, W)"
    return "remove extra axes, e.g. with x.squeeze() or by indexing one image"


# ----------------------------------------------------------------------------
# numbers, integers and pairs
# ----------------------------------------------------------------------------
def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


#: Window sizes, strides, paddings and dilations above this are refused: no
#: image has that many pixels, and numpy's strided views overflow beyond it.
_LARGEST_PAIR = 2**31 - 1


def _not_a_number(value, name: str, example) -> str:
    """The TypeError message for a ``value`` that should have been a number."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return f"{name} must be a number, but is {value!r} (text); e.g. {name}={example}"
        return (
            f"{name} must be a number, but is {value!r} (text); "
            f"write it without quotes: {name}={value}"
        )
    if isinstance(value, (bool, np.bool_)):
        return f"{name} must be a number, but is {value!r} (True/False); e.g. {name}={example}"
    if isinstance(value, complex):
        return f"{name} must be a real number, but is the complex number {value!r}"
    return (
        f"{name} must be a number, but is {value!r} ({type(value).__name__}); e.g. {name}={example}"
    )


def as_number(
    value,
    name: str,
    *,
    low=None,
    high=None,
    low_open: bool = False,
    high_open: bool = False,
    example=1,
    why: str = "",
) -> float:
    """Check that ``value`` is a finite real number in the given range; return a float.

    ``low``/``high`` bound the range (inclusive unless ``low_open``/``high_open``).
    ``example`` is shown in the advice for a value of the wrong type, ``why``
    (a clause such as "a negative factor would invert the image") explains the range.

    Raises
    ------
    TypeError
        For text, True/False, None, complex numbers, lists...
    ValueError
        For NaN, infinity and numbers outside the range.
    """
    if not _is_real(value):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise TypeError(_not_a_number(value, name, example))
    try:
        number = float(value)
    except OverflowError:  # an int with hundreds of digits
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, but is {value!r}; e.g. {name}={example}")
    below = low is not None and (number <= low if low_open else number < low)
    above = high is not None and (number >= high if high_open else number > high)
    if below or above:
        raise ValueError(
            f"{name} must be {_range_text(low, high, low_open, high_open)}, but is {value!r}"
            + (f"; {why}" if why else f"; e.g. {name}={example}")
        )
    return number


def _range_text(low, high, low_open, high_open) -> str:
    if high is None:
        return f"{'greater than' if low_open else 'at least'} {low:g}"
    if low is None:
        return f"{'less than' if high_open else 'at most'} {high:g}"
    if low == 0 and not low_open and high_open:
        return f"at least 0 and less than {high:g}"
    left, right = "(" if low_open else "[", ")" if high_open else "]"
    return f"in {left}{low:g}, {high:g}{right}"


def as_int(value, name: str, minimum: int, maximum: int | None = None, why: str = "") -> int:
    """Check that ``value`` is an int from ``minimum`` to ``maximum``; return it.

    numpy integers count as ints; True/False and floats (even 3.0) do not.
    ``why`` (a clause) explains the range when it is not met.
    """
    if not _is_int(value):
        hint = ""
        if _is_real(value) and math.isfinite(value) and float(value).is_integer():
            hint = f"; write {name}={int(value)}"
        elif isinstance(value, str):
            hint = "; write it without quotes" if value.strip().lstrip("-").isdigit() else ""
        raise TypeError(f"{name} must be an int, but is {value!r} ({type(value).__name__})" + hint)
    tail = f"; {why}" if why else ""
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, but is {value}{tail}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, but is {value}{tail}")
    return int(value)


def as_bool(value, name: str) -> bool:
    """Check that ``value`` is True or False (numpy's bool too); return it."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{name} must be True or False, but is {value!r} ({type(value).__name__}); "
            f"e.g. {name}=False"
        )
    return bool(value)


def as_path(value, name: str, what: str, example: str) -> Path:
    """Check a file or folder name (str or path-like) and return it as a ``Path``, ``~`` expanded.

    ``what`` says what the path names ("a file name", "a folder path"); ``example``
    is a call that works, shown in the message.
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be {what} (str or pathlib.Path), but is {value!r} "
            f"({type(value).__name__}); e.g. {example}"
        )
    return Path(value).expanduser()


def as_seed(value, name: str = "seed"):
    """Check a seed for ``numpy.random.default_rng``: an int of at least 0, None (a fresh
    seed each call) or a ``numpy.random.Generator``; return it unchanged."""
    if value is None or isinstance(value, np.random.Generator):
        return value
    if not _is_int(value):
        raise TypeError(
            f"{name} must be an int, None or a numpy.random.Generator, but is {value!r}; "
            f"e.g. {name}=0"
        )
    if value < 0:
        raise ValueError(f"{name} must be at least 0, but is {value}; e.g. {name}=0")
    return value


def as_pair(value, name: str, minimum: int) -> tuple[int, int]:
    """Turn an int or a pair of ints into a ``(height, width)`` pair.

    Raises ``TypeError`` for non-integers and ``ValueError`` below ``minimum``
    (or above 2**31 - 1, more than any image has pixels).
    """
    if _is_int(value):
        pair = (int(value), int(value))
    elif (
        isinstance(value, (tuple, list, np.ndarray))
        and np.ndim(value) == 1
        and len(value) == 2
        and all(_is_int(v) for v in value)
    ):
        pair = (int(value[0]), int(value[1]))
    else:
        raise TypeError(
            f"{name} must be an int or a pair of ints (height, width), but is {value!r}; "
            f"e.g. {name}=2 or {name}=(2, 1)"
        )
    if min(pair) < minimum:
        fix = {1: f"use {name}>=1 ({name}=1 is the usual choice)", 0: f"use {name}>=0"}[minimum]
        raise ValueError(f"{name} must be at least {minimum}, but is {value!r}; {fix}")
    if max(pair) > _LARGEST_PAIR:
        raise ValueError(
            f"{name} must be at most {_LARGEST_PAIR}, but is {value!r}; no image is that large"
        )
    return pair


def as_batch_size(value, name: str = "batch_size") -> int:
    """Check a number of examples computed at once: an int of at least 1; return it."""
    if not _is_int(value):
        raise TypeError(
            f"{name} is a number of examples and must be an int, but is {value!r} "
            f"({type(value).__name__}); e.g. {name}=32"
        )
    if value < 1:
        raise ValueError(
            f"{name} is how many examples are computed at once and must be at least 1, but is "
            f"{value}; e.g. {name}=32"
        )
    return int(value)


def as_shape(value, name: str) -> tuple[int, ...]:
    """Check that ``value`` is the shape of one example: an int or a tuple of ints >= 1.

    An int ``n`` stands for ``(n,)``. Returns a tuple of Python ints.
    """
    items = (value,) if _is_int(value) else value
    if not isinstance(items, (tuple, list)) or not items or not all(_is_int(s) for s in items):
        raise TypeError(
            f"{name} must be the shape of one example without the batch axis, a tuple of "
            f"ints, but is {value!r}; e.g. {name}=(1, 28, 28) for one grey 28x28 image"
        )
    shape = tuple(int(s) for s in items)
    if min(shape) < 1:
        bad = next(s for s in shape if s < 1)
        raise ValueError(
            f"{name}={shape} is impossible: every size counts channels, rows, columns or "
            f"features, and a count of {bad} makes no sense; a shape needs sizes of at least 1, "
            f"e.g. {name}=(1, 28, 28) for one grey 28x28 image"
        )
    return shape


def as_drop_probability(value, name: str) -> float:
    """Check that ``value`` is a probability of dropping a value, in [0, 1); return a float.

    Shared by :class:`cnnlib.Dropout` (``p``) and :func:`cnnlib.reference_cnn`
    (``dropout``), which name the argument differently.
    """
    return as_number(
        value,
        name,
        low=0,
        high=1,
        high_open=True,
        example=0.5,
        why=f"it is the probability of dropping a value: {name}=0.5 drops half of the values, "
        f"{name}=0 none",
    )


def as_learning_rate(value, name: str = "lr") -> float:
    """A learning rate: a finite number above 0. Shared by gradient descent on a
    landscape (``learning_rate``), every optimiser (``lr``) and the network builder."""
    return as_number(
        value,
        name,
        low=0,
        low_open=True,
        example=0.1,
        why="it is the size of each step downhill: try 0.1 and adjust",
    )


def as_momentum(value) -> float:
    """A momentum: a number from 0 up to, not including, 1. Shared by gradient
    descent on a landscape, SGD and RMSprop."""
    return as_number(
        value,
        "momentum",
        low=0,
        high=1,
        high_open=True,
        example=0.9,
        why="0.9 is the usual choice, 0 means no momentum",
    )


def as_choice(value, name: str, choices) -> str:
    """Check that ``value`` is one of the strings ``choices``; return it.

    Letter case, spaces, hyphens and underscores do not count: ``"Leaky ReLU"``
    is ``"leaky_relu"``. Returns the matching choice as spelt in ``choices``.
    """

    def key(text):
        return "".join(ch for ch in text.lower() if ch.isalnum())

    if isinstance(value, str):
        for choice in choices:
            if key(choice) == key(value):
                return choice
    listed = ", ".join(repr(c) for c in choices)
    raise (ValueError if isinstance(value, str) else TypeError)(
        f"{name} must be one of {listed}, but is {value!r}"
    )


def as_letter_size(value) -> int:
    """The side of a toy X or O image: an int of at least 5. Shared by
    :func:`cnnlib.xo_image` and :func:`cnnlib.make_xo`."""
    return as_int(
        value,
        "size",
        5,
        why="a smaller X or O is not recognisable; the classic example uses size=9",
    )


def as_flip_fraction(value) -> float:
    """The fraction of pixels flipped in a toy X or O image, 0 to 1. Shared by
    :func:`cnnlib.xo_image` and :func:`cnnlib.make_xo`."""
    return as_number(
        value,
        "noise",
        low=0,
        high=1,
        example=0.05,
        why="it is the fraction of pixels flipped: noise=0.05 flips 5% of them, noise=0 none",
    )


# ----------------------------------------------------------------------------
# one image and its class, for questions to a trained network (cnnlib.attribution)
# ----------------------------------------------------------------------------
def as_one_image(image, name: str = "image") -> np.ndarray:
    """Check that ``image`` is one image of finite real numbers; return it as (1, C, H, W).

    Accepted: (H, W) (one grey image, e.g. an MNIST digit), (C, H, W) or a batch
    of one (1, C, H, W). The dtype is kept (the caller decides how to scale
    integer pixels); the result is a view where possible.
    """
    values = as_float_array(image, name)  # TypeError for text, complex, ragged lists
    check_ndim(values, (2, 3, 4), name, "(H, W), (C, H, W) or (1, C, H, W)")
    if values.ndim == 3 and values.shape[-1] in (3, 4) and values.shape[0] not in (1, 3, 4):
        raise ValueError(
            f"{name} {tuple(values.shape)} looks like a channels-last colour image (H, W, C), "
            f"but networks take channels first (C, H, W); convert it with "
            f"cnnlib.to_channels_first({name}), or to gray with cnnlib.to_grayscale({name})"
        )
    if values.ndim == 4 and values.shape[0] != 1:
        raise ValueError(
            f"{name} must be one image, but has shape {tuple(values.shape)}: a batch of "
            f"{values.shape[0]}; pass one of them, e.g. {name}[0] (or images[i] from the stack)"
        )
    if 0 in values.shape:
        raise ValueError(f"{name} must not have an empty axis, but has shape {values.shape}")
    check_finite(values, name)
    image = np.asarray(image)
    return image.reshape((1,) * (4 - image.ndim) + image.shape)


def check_class_scores(scores: np.ndarray, name: str = "model") -> None:
    """Raise ``ValueError`` unless a network's output is class scores, one row per image (N, K)."""
    if scores.ndim != 2:
        raise ValueError(
            f"{name} must end in class scores, one row of K numbers per image (N, K), but its "
            f"output has shape {tuple(scores.shape)}; end the network with Flatten() and "
            "Dense(features, K)"
        )


def as_class_index(value, n_classes: int, name: str = "target") -> int:
    """Check that ``value`` names one of ``n_classes`` classes (an int from 0); return it."""
    if not _is_int(value):
        raise TypeError(
            f"{name} must be a class index, an int such as 7, but is {value!r} "
            f"({type(value).__name__})"
        )
    if not 0 <= value < n_classes:
        raise ValueError(
            f"{name} must be a class index from 0 to {n_classes - 1} (the network has "
            f"{n_classes} classes), but is {value}; e.g. {name}=label for the true class"
        )
    return int(value)


def as_patch(patch, image_size: tuple[int, int], name: str = "patch") -> tuple[int, int]:
    """Check a patch size, an int or (height, width) that fits inside the image; return the pair."""
    pair = as_pair(patch, name, minimum=1)
    h, w = image_size
    if pair[0] > h or pair[1] > w:
        shown = pair[0] if pair[0] == pair[1] else pair
        raise ValueError(
            f"{name} {shown} is larger than the {h}x{w} image, so it cannot be placed on it; "
            f"use {name}<={min(h, w)} (a patch at most as large as the image)"
        )
    return pair


def as_negative_slope(value) -> float:
    """Leaky ReLU's ``negative_slope``: a finite number (shared by ops, activations, layers)."""
    return as_number(value, "negative_slope", example=0.01)


def check_axis(x: np.ndarray, axis) -> None:
    """Raise unless ``axis`` is an int that indexes an axis of ``x``."""
    if not _is_int(axis):
        raise TypeError(
            f"axis must be an int, the axis to work along, but is {axis!r}; "
            "e.g. axis=-1 for the last axis"
        )
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(
            f"axis must be an int between {-x.ndim} and {x.ndim - 1} for an array of shape "
            f"{tuple(x.shape)}, but is {axis!r}"
        )


# ----------------------------------------------------------------------------
# class labels, scores and the loss
# ----------------------------------------------------------------------------
def as_labels(labels, name: str, num_classes: int | None = None, length: int | None = None):
    """Check class labels: integers 0, 1, 2, ... in one row; return them as int64.

    ``num_classes`` (K) bounds them to 0..K-1; ``length`` fixes how many
    there must be (one per example).
    """
    labels = as_array(labels, name)
    if labels.size == 0 and labels.dtype.kind == "f":  # np.asarray([]) is float64
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        fix = "if you have one-hot rows or scores, take the largest: .argmax(axis=1)"
        whole = labels.dtype.kind == "f" and labels.ndim == 1 and labels.size
        if whole and np.all(labels == np.round(labels)):
            fix = f"they look whole: convert them with {name}.astype(int)"
        raise TypeError(
            f"{name} must be integer class labels (0, 1, 2, ...), but have dtype "
            f"{labels.dtype}; {fix}"
        )
    if labels.ndim != 1 or (length is not None and labels.shape[0] != length):
        want = f"({length},), one label per example" if length is not None else "(N,)"
        raise ValueError(f"{name} must have shape {want}, but has shape {tuple(labels.shape)}")
    labels = labels.astype(np.int64, copy=False)
    if labels.size:
        lo, hi = int(labels.min()), int(labels.max())
        top = None if num_classes is None else num_classes - 1
        if lo < 0 or (top is not None and hi > top):
            where = int(np.flatnonzero((labels < 0) | (labels > (hi if top is None else top)))[0])
            span = "0, 1, 2, ..." if top is None else f"from 0 to {top}"
            raise ValueError(
                f"{name} must be class numbers {span}, but range from {lo} to {hi} "
                f"(the first wrong one is {name}[{where}] = {labels[where]})"
            )
    return labels


def logits_and_targets(logits, targets):
    """The checks of the cross-entropy loss (``cross_entropy`` and ``softmax_cross_entropy``).

    Returns ``(logits, targets)``: float logits (N, K) with N >= 1, finite,
    and int64 targets (N,) from 0 to K-1.
    """
    logits = as_float_array(logits, "logits")
    if logits.ndim != 2:
        raise ValueError(
            f"logits must have shape (N, K), one row of K class scores per example, but has "
            f"shape {tuple(logits.shape)}; for one example use logits[None]"
        )
    n, k = logits.shape
    if n == 0 or k == 0:
        raise ValueError(
            f"logits have shape {tuple(logits.shape)}: the loss needs at least one example "
            "and one class (the mean loss of no examples is undefined)"
        )
    check_finite(
        logits,
        "logits",
        "Scores like these out of a network mean its weights blew up: the learning rate "
        "was too large; rebuild the network and train it with one about 10 times smaller",
    )
    targets = as_labels(targets, "targets", num_classes=k, length=n)
    return logits, targets


# ----------------------------------------------------------------------------
# sliding-window settings: the checks of cnnlib.geometry
# ----------------------------------------------------------------------------
def as_padding(padding, stride: tuple[int, int], *, names: bool = True):
    """Check a padding: an int >= 0, a pair of them, or (with ``names``) a padding name.

    Returns a ``(height, width)`` pair of ints, or the name ('valid', 'same' or
    'full', see :func:`cnnlib.geometry.padding_sides`) in lower case.
    ``stride`` is the checked stride pair: 'same' needs (1, 1).
    """
    if not isinstance(padding, str):
        return as_pair(padding, "padding", minimum=0)
    if not names:
        raise TypeError(
            f"padding must be an int or a pair of ints here, but is {padding!r}; "
            "'valid', 'same' and 'full' are for convolution"
        )
    name = padding.lower()
    if name not in geometry.PADDING_MODES:
        raise ValueError(
            f"padding must be an int, a pair of ints or one of {geometry.PADDING_MODES}, "
            f"but is {padding!r}"
        )
    if name == "same" and stride != (1, 1):
        raise ValueError(
            f"padding='same' keeps the output the size of the input only with stride 1, "
            f"but stride is {stride if stride[0] != stride[1] else stride[0]}; "
            "use stride=1, or a number for padding (e.g. padding=k//2) with stride>1"
        )
    return name


def padding_args(padding, kernel_size, stride, dilation):
    """The checks of :func:`cnnlib.geometry.padding_sides`, one axis.

    Returns ``(padding, k, s, d)``: ints, the padding an int or a name in lower case.
    """
    k = as_int(kernel_size, "kernel_size", minimum=1)
    s = as_int(stride, "stride", minimum=1)
    d = as_int(dilation, "dilation", minimum=1)
    if isinstance(padding, str):
        padding = as_padding(padding, (s, s))
    else:
        padding = as_int(padding, "padding", minimum=0)
    return padding, k, s, d


def output_size_args(size, kernel_size, stride, padding, dilation):
    """The checks of :func:`cnnlib.geometry.output_size`; returns ``(i, k, s, padding, d)``."""
    i = as_int(size, "size", minimum=1)
    padding, k, s, d = padding_args(padding, kernel_size, stride, dilation)
    return i, k, s, padding, d


def window_settings(kernel_size, stride, padding, dilation, *, pooling: bool = False):
    """Check the settings of a sliding window; return ``(kernel, stride, padding, dilation)``.

    ``kernel``, ``stride`` and ``dilation`` become ``(height, width)`` pairs
    of ints, ``padding`` such a pair or a name in lower case (:func:`as_padding`).
    For ``pooling``: ``stride=None`` means the window size, the padding must be
    numbers, at most half the window (:func:`check_pool_padding`), and there
    is no dilation. Shared by the functions and the layers.
    """
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    stride = kernel if pooling and stride is None else as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    padding = as_padding(padding, stride, names=not pooling)
    if pooling:
        if dilation != (1, 1):
            raise ValueError(
                f"pooling windows have no dilation, but dilation is {dilation}; use dilation=1"
            )
        check_pool_padding(kernel, padding)
    return kernel, stride, padding, dilation


def window_args(input_size, kernel_size, stride, padding, dilation, *, pooling: bool = False):
    """The checks of :func:`cnnlib.geometry.window_plan`: :func:`window_settings`, and
    the input's (H, W) as a pair. Returns ``(input_size, kernel, stride, padding, dilation)``."""
    size = as_pair(input_size, "input_size", minimum=1)
    return (size, *window_settings(kernel_size, stride, padding, dilation, pooling=pooling))


def check_window_fits(input_size, kernel, dilation, pads, what: str = "kernel") -> None:
    """Raise ``ValueError`` unless the window fits the padded input at least once.

    Two axes: ``input_size``, ``kernel`` and ``dilation`` are (height, width)
    pairs and ``pads`` is ``((top, bottom), (left, right))``. One axis: ints,
    and ``pads`` is ``(before, after)``; the message then speaks of a square.
    The message names the smallest padding that would make the window fit.
    """
    if isinstance(input_size, numbers.Integral):  # one axis: a square
        input_size, kernel, dilation, pads = (
            (input_size,) * 2,
            (kernel,) * 2,
            (dilation,) * 2,
            (tuple(pads),) * 2,
        )
    for i, k, d, (before, after) in zip(input_size, kernel, dilation, pads):
        if i + before + after < d * (k - 1) + 1:
            raise ValueError(_too_big_message(input_size, kernel, dilation, pads, what))


def _too_big_message(input_size, kernel, dilation, pads, what):
    kh, kw = kernel
    pad_text = pads[0][0] if len({p for pair in pads for p in pair}) == 1 else pads
    dil = "" if tuple(dilation) == (1, 1) else f" with dilation {dilation} (it spans more pixels)"
    need = max(-(-(d * (k - 1) + 1 - i) // 2) for i, k, d in zip(input_size, kernel, dilation))
    return (
        f"{what} {kh}x{kw}{dil} does not fit a {input_size[0]}x{input_size[1]} input with "
        f"padding {pad_text}; use padding>={need} or a smaller {what}"
    )


# ----------------------------------------------------------------------------
# whole-call checks for convolution and pooling
# ----------------------------------------------------------------------------
def _as_batch(x: np.ndarray) -> tuple[np.ndarray, int]:
    """View (H, W) or (C, H, W) as (N, C, H, W); also return the original ndim."""
    ndim = x.ndim
    if ndim == 2:
        return x[None, None], ndim
    if ndim == 3:
        return x[None], ndim
    return x, ndim


def restore_layout(out: np.ndarray, ndim: int) -> np.ndarray:
    """Undo :func:`_as_batch`: drop the axes that were added for the input."""
    if ndim == 2:
        return out[0, 0]
    if ndim == 3:
        return out[0]
    return out


def conv_args(x, weight, bias, stride, padding, dilation):
    """Validate the arguments of ``conv2d`` and bring them to batched form.

    Returns ``(x4, w4, b, window, ndim)`` with ``x4`` of shape (N, C, H, W),
    ``w4`` of shape (F, C, kH, kW), ``b`` of shape (F,) or None, both arrays in
    one floating dtype, ``window`` the :class:`cnnlib.geometry.Window` of the
    convolution, and ``ndim`` the number of dimensions ``x`` came with.
    """
    x = as_float_array(x, "x")
    weight = as_float_array(weight, "weight")
    check_ndim(x, (2, 3, 4), "x", "(H, W), (C, H, W) or (N, C, H, W)")
    if x.ndim == 2:
        if weight.ndim != 2:
            raise ValueError(
                f"a 2-D image x {tuple(x.shape)} needs a 2-D kernel (kH, kW), but weight has "
                f"shape {tuple(weight.shape)}; pass x[None, None] to use a 4-D weight"
            )
        weight = weight[None, None]
    else:
        check_ndim(weight, (4,), "weight", "(F, C, kH, kW) for a batched input")
    x4, ndim = _as_batch(x)
    if x4.shape[1] != weight.shape[1]:
        if x.ndim == 3 and x.shape[-1] == weight.shape[1]:
            raise ValueError(
                f"x {tuple(x.shape)} looks like a channels-last image (H, W, C) but conv2d "
                f"wants channels first (C, H, W) to match weight {tuple(weight.shape)}; "
                "convert it with cnnlib.to_channels_first(x)"
            )
        raise ValueError(
            f"x has {x4.shape[1]} channel(s) but weight expects {weight.shape[1]} "
            f"(x {tuple(x.shape)}, weight {tuple(weight.shape)}); every filter must have as many "
            "channels as its input: use weight of shape "
            f"(F, {x4.shape[1]}, kH, kW)"
        )
    if 0 in x4.shape or 0 in weight.shape:
        raise ValueError(
            f"x {tuple(x.shape)} and weight {tuple(weight.shape)} must not have an empty axis"
        )
    if bias is not None:
        bias = as_float_array(bias, "bias")
        bias = bias.reshape(1) if bias.ndim == 0 else bias
        if bias.shape != (weight.shape[0],):
            raise ValueError(
                f"bias must have shape ({weight.shape[0]},), one number per filter, "
                f"but has shape {tuple(bias.shape)}"
            )
    settings = window_settings(weight.shape[2:], stride, padding, dilation)
    window = geometry.checked_window_plan(x4.shape[2:], *settings, pooling=False)
    dtype = np.result_type(x4.dtype, weight.dtype)
    _check_conv_memory(x4.shape, weight.shape, window, np.dtype(dtype).itemsize)
    if bias is not None:
        check_finite(bias, "bias")
    check_finite(x, "x")
    check_finite(weight, "weight")
    x4 = x4.astype(dtype, copy=False)
    weight = weight.astype(dtype, copy=False)
    if bias is not None:
        bias = bias.astype(dtype, copy=False)
    return x4, weight, bias, window, ndim


def pool_args(x, kernel_size, stride, padding):
    """Validate the arguments of the pooling functions.

    Returns ``(x4, window, ndim)`` with ``x4`` of shape (N, C, H, W) and
    ``window`` the :class:`cnnlib.geometry.Window` of the pooling. ``stride``
    defaults to ``kernel_size``. Padding may be at most half the window, as in
    PyTorch, so that every window sees at least one real value.
    """
    x = as_float_array(x, "x")
    check_ndim(x, (2, 3, 4), "x", "(H, W), (C, H, W) or (N, C, H, W)")
    if 0 in x.shape:
        raise ValueError(f"x must not have an empty axis, but has shape {tuple(x.shape)}")
    x4, ndim = _as_batch(x)
    settings = window_settings(kernel_size, stride, padding, 1, pooling=True)
    window = geometry.checked_window_plan(x4.shape[2:], *settings, pooling=True)
    n, c, h, w = x4.shape
    (pt, pb), (pl, pr) = window.pads
    padded = n * c * (h + pt + pb) * (w + pl + pr) if pt or pb or pl or pr else 0
    check_memory(
        (padded + n * c * window.out[0] * (w + pl + pr)) * x4.itemsize,
        f"pooling {n} x {c} planes of {h} x {w} values",
        "pool fewer images at a time (split the batch)",
    )
    check_finite(x, "x")  # (x, not x4: the index of a NaN as the caller counts)
    return x4, window, ndim


def check_pool_padding(kernel: tuple[int, int], padding: tuple[int, int]) -> None:
    """Pooling padding may be at most half the window (as in PyTorch), so that every
    window sees at least one real value. Shared by the pooling functions and layers."""
    for k, p in zip(kernel, padding):
        if p > k // 2:
            shown = padding[0] if padding[0] == padding[1] else padding
            size = kernel[0] if kernel[0] == kernel[1] else kernel
            raise ValueError(
                f"padding {shown} is more than half the pooling window {size}; windows would "
                f"see only padding. Use padding<={k // 2}"
            )


# ----------------------------------------------------------------------------
# whole-call checks for the backward passes (cnnlib.reference)
# ----------------------------------------------------------------------------
def _grad_output(grad_output, batched_shape: tuple, ndim: int, forward: str) -> np.ndarray:
    """Check d(loss)/d(output) against the output the forward pass gives; return it batched.

    ``batched_shape`` is that output's shape in batched form (N, F or C, Ho, Wo)
    or (N, out_features); ``ndim`` is how many dimensions ``x`` came with, and
    ``grad_output`` must come in the same layout as the output would (the
    forward drops the axes it added to ``x``). ``forward`` names the forward
    call and its geometry arguments, for the message.
    """
    grad_output = as_float_array(grad_output, "grad_output")
    dropped = len(batched_shape) - ndim  # axes the forward added to x and removes again
    expected = tuple(batched_shape[dropped:])
    if grad_output.shape != expected:
        raise ValueError(
            f"grad_output must have the shape of the output of {forward}, {expected}, but has "
            f"shape {tuple(grad_output.shape)}; it holds d(loss)/d(output), one number per "
            "output value. Pass the gradient of that output, computed with the same arguments "
            "as the forward pass (e.g. np.ones_like(out) for the loss out.sum())"
        )
    check_finite(grad_output, "grad_output")
    return grad_output.reshape(batched_shape)  # a view with the dropped axes put back


def conv_backward_args(x, weight, grad_output, stride, padding, dilation):
    """Validate the arguments of ``conv2d_backward``: those of ``conv2d``, plus ``grad_output``.

    Returns ``(x4, w4, g4, window, ndim)`` as :func:`conv_args`, with ``g4``
    of shape (N, F, Ho, Wo).
    """
    x4, w4, _, window, ndim = conv_args(x, weight, None, stride, padding, dilation)
    forward = "conv2d with these x, weight, stride, padding and dilation"
    g4 = _grad_output(grad_output, (x4.shape[0], w4.shape[0], *window.out), ndim, forward)
    return x4, w4, g4, window, ndim


def pool_backward_args(x, grad_output, kernel_size, stride, padding, forward: str):
    """Validate the arguments of a pooling backward pass: the forward's, plus ``grad_output``.

    ``forward`` is the forward function's name. Returns ``(x4, g4, window,
    ndim)`` as :func:`pool_args`, with ``g4`` of shape (N, C, Ho, Wo).
    """
    x4, window, ndim = pool_args(x, kernel_size, stride, padding)
    forward = f"{forward} with these x, kernel_size, stride and padding"
    g4 = _grad_output(grad_output, (*x4.shape[:2], *window.out), ndim, forward)
    return x4, g4, window, ndim


def dense_backward_args(x, weight, grad_output):
    """Validate the arguments of ``dense_backward``.

    ``x`` is (N, in_features) or one example (in_features,); ``weight`` is
    (out_features, in_features) as in PyTorch's Linear; ``grad_output`` has the
    shape of ``x @ weight.T``. Returns ``(x2, w, g2, ndim)`` with ``x2`` of shape
    (N, in_features), ``g2`` of shape (N, out_features), ``ndim`` the number of
    dimensions ``x`` came with.
    """
    x = as_float_array(x, "x")
    weight = as_float_array(weight, "weight")
    if x.ndim not in (1, 2):
        raise ValueError(
            f"x must have shape (N, in_features) or (in_features,), but has shape "
            f"{tuple(x.shape)}; flatten every example into one vector first, e.g. "
            "x.reshape(len(x), -1), as the Flatten layer does"
        )
    if weight.ndim != 2:
        raise ValueError(
            f"weight must have shape (out_features, in_features), as in PyTorch's Linear, but "
            f"has shape {tuple(weight.shape)}"
        )
    if 0 in x.shape or 0 in weight.shape:
        raise ValueError(
            f"x {tuple(x.shape)} and weight {tuple(weight.shape)} must not have an empty axis"
        )
    n_out, n_in = weight.shape
    if x.shape[-1] != n_in:
        transposed = x.shape[-1] == n_out
        fix = (
            "weight looks transposed: PyTorch's Linear stores (out_features, in_features), "
            "so pass weight.T"
            if transposed
            else f"use weight of shape (out_features, {x.shape[-1]})"
        )
        raise ValueError(
            f"x has {x.shape[-1]} features but weight expects {n_in} (x {tuple(x.shape)}, "
            f"weight {tuple(weight.shape)}, which is (out_features, in_features)); {fix}"
        )
    check_finite(x, "x")
    check_finite(weight, "weight")
    ndim = x.ndim
    x2 = x.reshape(-1, n_in)  # one example becomes a batch of one
    g2 = _grad_output(grad_output, (len(x2), n_out), ndim, "x @ weight.T")
    return x2, weight, g2, ndim


# ----------------------------------------------------------------------------
# settings, data and optimisers of training (optim, training, the dashboard)
# ----------------------------------------------------------------------------
def as_real(
    value, name: str, *, minimum=0.0, maximum=None, below=None, above_zero=False, example=None
):
    """Check that ``value`` is a finite real number in the allowed range; return a float.

    ``minimum`` and ``maximum`` are allowed values, ``below`` is not;
    ``above_zero`` excludes 0 (e.g. a learning rate). ``minimum=None`` allows
    any negative number. The check and its words are :func:`as_number`'s.
    """
    low, low_open = (0, True) if above_zero else (minimum, False)
    high, high_open = (below, True) if below is not None else (maximum, False)
    if example is None:
        example = 0.01 if above_zero else 0.1
    return as_number(
        value, name, low=low, high=high, low_open=low_open, high_open=high_open, example=example
    )


#: The largest absolute input value training accepts. Pixels scaled to 0-1,
#: values in -1..1 and standardised data (MNIST standardised reaches 2.8, most
#: data sets stay within +-5) are far below it; 0-255 pixels, the usual
#: mistake, are far above it.
INPUT_LIMIT = 10.0


def training_data(x, y, model=None, *, name: str = "x", label: str = "y"):
    """Check examples and labels before training or evaluating; return ``(x, y)``.

    Used by :func:`cnnlib.fit`, :func:`cnnlib.evaluate` and the training
    dashboard, so that all of them accept and refuse the same data with the
    same words. Everything is checked before the first step, and a problem
    is blamed on the data: integer pixels (0-255), values that are not small
    (see ``INPUT_LIMIT``), NaN or infinity, labels that are not integers, do
    not match the examples or are outside the classes of ``model`` (when it
    can tell its output shape).

    Returns
    -------
    x : float array, shape (N, ...)
    y : int64 array, shape (N,)
    """
    if not isinstance(x, np.ndarray):
        with contextlib.suppress(TypeError, ValueError):  # as_float_array explains below
            x = np.asarray(x)
    if isinstance(x, np.ndarray) and x.dtype.kind in "iub":
        raise TypeError(
            f"{name} has integer dtype {x.dtype} (pixel values 0-255?); networks learn from "
            f"small floats: use {name} = prepare_images(images)"
        )
    x = as_float_array(x, name)
    if x.ndim < 2:
        raise ValueError(
            f"{name} must be a batch of examples, shape (N, C, H, W) for images, but has shape "
            f"{tuple(x.shape)}; prepare_images(images) makes (N, 1, H, W) from (N, H, W)"
        )
    if len(x) == 0:
        raise ValueError(f"{name} is empty; training needs at least one example")
    try:
        y = np.asarray(y)
    except (TypeError, ValueError):  # ragged lists
        y = np.asarray(None)
    if y.dtype.kind not in "iu":
        fix = f"; convert them with {label}.astype(int)" if y.dtype.kind == "f" else ""
        raise TypeError(
            f"{label} must be integer class labels (0, 1, 2, ...), but has dtype {y.dtype}{fix}"
        )
    if y.ndim != 1 or len(y) != len(x):
        raise ValueError(
            f"{label} must have shape ({len(x)},), one label per example of {name}, but has "
            f"shape {tuple(y.shape)}"
        )
    with np.errstate(invalid="ignore"):
        low, high = x.min(), x.max()  # NaN if any value is NaN
    if not (np.isfinite(low) and np.isfinite(high)):
        check_finite(x, name)  # raises, saying how many and where
    if max(-low, high) > INPUT_LIMIT:
        raise ValueError(
            f"{name} holds values from {low:g} to {high:g}, but a network learns from small "
            "inputs (about -3 to 3, e.g. pixels scaled to 0-1): its first weights are scaled "
            "for inputs of that size, and large ones make it guess wildly and learn slowly. "
            f"If these are 0-255 pixels, use {name} = prepare_images(images) or {name} / 255"
        )
    if y.min() < 0:
        first = int(np.argmax(y < 0))
        raise ValueError(
            f"{label} must hold class labels 0, 1, 2, ..., but {label}[{first}] is {y[first]}"
        )
    classes = _classes(model, x.shape[1:], name) if model is not None else None
    if classes is not None and y.max() >= classes:
        first = int(np.argmax(y >= classes))
        raise ValueError(
            f"{label} holds class labels up to {y.max()} ({label}[{first}] is {y[first]}), but "
            f"the model has {classes} outputs, one score per class 0 to {classes - 1}: check "
            f"the labels, or give the last layer {y.max() + 1} outputs"
        )
    return x, y.astype(np.int64, copy=False)


def _classes(model, example_shape, name):
    """Number of class scores ``model`` gives for one example, or None if it cannot tell."""
    output_shape = getattr(model, "output_shape", None)
    if output_shape is None:
        return None
    try:
        shape = output_shape(tuple(example_shape))
    except ValueError as err:
        raise ValueError(
            f"the model cannot take {name}, whose examples have shape {tuple(example_shape)}: {err}"
        ) from None
    if len(shape) != 1:
        raise ValueError(
            f"the model gives an output of shape {tuple(shape)} per example, but training "
            "needs one score per class: end it with Flatten() and a Dense layer with one "
            "output per class"
        )
    return int(shape[0])


def optimizer_for(model, optimizer):
    """Check that ``optimizer`` trains ``model`` itself; return it.

    An optimiser changes the weight arrays of the model it was built for. If
    that is another model (typically: the cell that builds the model ran
    again, the cell that builds the optimiser did not), training would
    silently change the old model and leave this one at chance.
    """
    if optimizer is None or not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            f"optimizer must be an optimiser built for the model, e.g. "
            f"optimizer=Adam(model, lr=0.001), but is {optimizer!r}"
        )
    bound = getattr(optimizer, "model", None)
    if bound is None or bound is model:
        return optimizer
    own = {id(p) for p in model.params.values()}
    theirs = getattr(bound, "params", {}).values()
    if any(id(p) not in own for p in theirs):
        lr = getattr(optimizer, "lr", 0.001)
        raise ValueError(
            f"the optimizer {type(optimizer).__name__}(lr={lr:g}) was built for another model: "
            "it would change that "
            "model's weights and leave this one untrained (this happens when the cell that "
            "builds the model runs again but the one that builds the optimiser does not). "
            f"Build the optimiser after the model, for it: {type(optimizer).__name__}(model, "
            f"lr={lr:g})"
        )
    return optimizer


def finite_weights(model) -> None:
    """Refuse to train a model whose weights already hold NaN or infinity."""
    for name, p in model.params.items():
        if not np.isfinite(p).all():
            raise ValueError(
                f"the model's parameter {name!r} holds NaN or infinite values (did an earlier "
                "run diverge?); build the model again, e.g. model = reference_cnn(), and train "
                "it with a smaller learning rate"
            )


def _check_conv_memory(x_shape, w_shape, window: geometry.Window, itemsize: int) -> None:
    """Fail fast when a convolution's output and padded input would not fit in memory."""
    n, c, h, w = x_shape
    f = w_shape[0]
    (pt, pb), (pl, pr) = window.pads
    ho, wo = window.out
    hp, wp = h + pt + pb, w + pl + pr
    nbytes = (n * f * ho * wo + n * c * hp * wp) * itemsize
    if hp * wp > 4 * h * w:  # mostly padding
        fix = (
            f"padding {pt if len({pt, pb, pl, pr}) == 1 else window.pads} is far more than a "
            f"{w_shape[2]}x{w_shape[3]} kernel needs: padding='same' keeps the output the size "
            "of the input, padding='full' lets every kernel cell visit every pixel"
        )
    else:
        fix = "convolve fewer images at a time (split the batch) or use fewer filters"
    check_memory(
        nbytes,
        f"the convolution's output ({n} x {f} x {ho} x {wo} values) with a padded copy of its "
        f"input ({n} x {c} x {hp} x {wp})",
        fix,
    )


# ----------------------------------------------------------------------------
# source code to show (cnnlib.source)
# ----------------------------------------------------------------------------
def source_lines(function, name: str = "function") -> tuple[list[str], int, str]:
    """The source lines of a Python function, method or class, its first line
    number and its file; a TypeError when it has no Python source to show."""
    import inspect

    target = getattr(function, "__func__", function)  # a bound method: its function
    if not (inspect.isfunction(target) or inspect.isclass(target)):
        given = f"{type(function).__name__} {function!r}"[:120]
        raise TypeError(
            f"{name} must be a function or class written in Python, e.g. "
            f"cnnlib.reference.conv2d_backward, but is a {given}"
        )
    try:
        lines, first = inspect.getsourcelines(target)
        path = inspect.getsourcefile(target) or "?"
    except (OSError, TypeError) as err:  # defined in a notebook cell that is gone, or built in
        raise TypeError(
            f"{name}={target.__qualname__} has no source file to read ({err}); show a "
            "function of a module, e.g. cnnlib.reference.conv2d_backward"
        ) from None
    return [line.rstrip("\n") for line in lines], first, path


def line_with(lines: list[str], text, name: str, where: str, start: int = 0) -> int:
    """The index of the first of ``lines[start:]`` that contains ``text``."""
    if not isinstance(text, str) or not text.strip():
        raise TypeError(
            f"{name} must be a piece of text from a line of {where}, e.g. 'for n in range', "
            f"but is {text!r}"
        )
    for i in range(start, len(lines)):
        if text in lines[i]:
            return i
    after = " after the first line shown" if start else ""
    raise ValueError(
        f"{name}={text!r} is on no line of {where}{after}; copy a piece of the line you "
        f"want (spaces and case count), or leave {name} out. `{where.split()[0]}??` in a "
        "cell shows the whole source"
    )
