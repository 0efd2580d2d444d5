"""Fingerprints of the model answers, and a search for them through a folder.

The student edition of the course must hold no model answer anywhere. What
counts as an answer is derived from ``cnnlib/exercises/solutions.py`` itself,
so that a new exercise is covered the day its model answer is written:

* **code**: the body of each model answer in one piece, and each of its
  statements that is long enough to be telling (``out[y, x] = (patch *
  kernel).sum()``, ``return 255 - image``);
* **comments**: each comment of a model answer, because its reasoning is part
  of the answer ("255 fits in uint8, and 255 - x stays within 0-255");
* **values**: for an exercise where the learner writes values, what the cell
  computes, as it would be typed: each name with its value (``block_2 =
  12832``; not ``size = 3``, which code writes everywhere), the values in a row
  as in the check call (``448, 12832``), a list on its own (``[26, 28, 28, 3,
  ...]``), numbers of five digits or more as prose writes them (``921,600``)
  and fractions rounded to 2-4 decimals.

Texts are compared after :func:`normalise`: lower case, no white space, no
digit-group underscores, the same quote character, no trailing commas. The
search (:func:`find_answers`) reads every file as bytes, binary ones included,
looks inside notebooks' JSON strings and inside zip archives (``.npz``), and
reports compiled Python and any file called ``solutions.py``, whose content
cannot be read as text.
"""

from __future__ import annotations

import ast
import fnmatch
import gzip
import importlib.util
import io
import json
import re
import tokenize
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "NOT_ANSWERS",
    "Fingerprint",
    "Leak",
    "NotAnAnswer",
    "fingerprints",
    "find_answers",
    "load_solutions",
    "normalise",
]

#: A statement shorter than this (normalised) is too common to tell an answer apart
#: (``return out``, ``e = np.exp(x)``); the body in one piece is always used.
MIN_LENGTH = 16
#: A comment without a digit must be this long to be telling: "keep the largest
#: value" explains max pooling in cnnlib too, while "case 4: 3 (positions 0, 2, 4)"
#: and a 40-character explanation belong to one answer.
MIN_COMMENT_LENGTH = 40
#: Files and archive members larger than this are searched in their first bytes only.
MAX_BYTES = 64 * 1024 * 1024

_SPACE_BETWEEN_WORDS = re.compile(rb"(?<=\w)\s+(?=\w)")
_SPACE = re.compile(rb"\s+")
_DIGIT_UNDERSCORE = re.compile(rb"(?<=\d)_(?=\d)")
_TRAILING_COMMA = re.compile(rb",(?=[)\]}])")


def normalise(text: str | bytes) -> bytes:
    """The form in which answers are compared: lower case; white space kept as one
    space between two letters or digits (``return 255``) and dropped elsewhere
    (``x[4,9]``); no digit-group underscores (``12_832``) or trailing commas;
    ``'`` written as ``"``.

    Bytes are read as Latin-1, so that any file, binary or not, can be searched.
    """
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    data = _SPACE_BETWEEN_WORDS.sub(b"\x00", data.lower())  # a space that separates words
    data = _SPACE.sub(b"", data).replace(b"\x00", b" ")
    data = data.replace(b"'", b'"')
    data = _DIGIT_UNDERSCORE.sub(b"", data)
    return _TRAILING_COMMA.sub(b"", data)


@dataclass(frozen=True)
class Fingerprint:
    """One trace of a model answer: its ``exercise`` id, its ``kind`` ("body",
    "statement", "comment" or "value"), the ``text`` as written (for reports)
    and ``key``, the normalised form that is searched for."""

    exercise: str
    kind: str
    text: str
    key: bytes


@dataclass(frozen=True)
class Leak:
    """A place where a model answer (or something that can hold one) was found:
    the file (relative to the folder searched; ``archive.npz:member`` inside an
    archive), and the :class:`Fingerprint` found there, or None for a file that is
    refused by its name (``solutions.py``, compiled Python)."""

    path: str
    fingerprint: Fingerprint | None
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def load_solutions(path: str | Path) -> dict[str, tuple[Callable, str]]:
    """The ``SOLUTIONS`` table of a ``solutions.py`` file, loaded from its path.

    Loaded by path, not imported, so that the file read is the one of the course
    folder being released, whichever cnnlib the running Python would import.
    """
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"_model_answers_{abs(hash(path))}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot load the model answers from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.SOLUTIONS)


# ----------------------------------------------------------------------------
# fingerprints of one model answer
# ----------------------------------------------------------------------------
def _source(function: Callable) -> str:
    import inspect
    import textwrap

    return textwrap.dedent(inspect.getsource(function))


def _without_comments(source: str) -> str:
    """``source`` with its comments blanked out (strings are left alone)."""
    lines = source.splitlines(keepends=True)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            line = lines[row - 1]
            lines[row - 1] = (
                line[:col]
                + " " * (len(line.rstrip("\r\n")) - col)
                + line[len(line.rstrip("\r\n")) :]
            )
    return "".join(lines)


def _comments(source: str) -> list[str]:
    return [
        token.string.lstrip("#").strip()
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The simple statements of ``body``, nested ones included (the headers of
    ``for``/``if``/``while`` are not statements of their own here)."""
    for node in body:
        nested = [getattr(node, name, None) for name in ("body", "orelse", "finalbody")]
        if any(isinstance(part, list) and part for part in nested):
            for part in nested:
                if isinstance(part, list):
                    yield from _statements(part)
        else:
            yield node


def _code_fingerprints(exercise: str, function: Callable, kind: str) -> list[Fingerprint]:
    source = _source(function)
    code = _without_comments(source)
    tree = ast.parse(code).body[0]
    body = tree.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # a docstring is not part of the answer
    if kind == "cell" and isinstance(body[-1], ast.Return):
        body = body[:-1]  # the cell's values are handed to the tests, not typed
    found = []
    segments = [ast.get_source_segment(code, node) for node in body]
    whole = "\n".join(s for s in segments if s)
    found.append(Fingerprint(exercise, "body", whole, normalise(whole)))
    for node in _statements(body):
        text = ast.get_source_segment(code, node) or ""
        if len(normalise(text)) >= MIN_LENGTH and not _sets_to_zero(node):
            found.append(Fingerprint(exercise, "statement", text, normalise(text)))
    for comment in _comments(source):
        key = normalise(comment)
        telling = len(key) >= MIN_COMMENT_LENGTH or (
            len(key) >= MIN_LENGTH and re.search(rb"\d", key)
        )
        if telling:
            found.append(Fingerprint(exercise, "comment", comment, key))
    return found


def _is_zero(value) -> bool:
    number = isinstance(value, int | float | np.generic) and not isinstance(value, bool)
    return number and value == 0


def _is_small(value) -> bool:
    """A single number that code writes everywhere: a whole number below 100 or a
    round fraction (``size = 3``, ``lr = 0.9``); ``block_1 = 448`` is telling."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.generic):
        return False
    number = float(value)
    if number.is_integer():
        return abs(number) < 100
    return abs(number - round(number, 2)) < 1e-9


def _sets_to_zero(node: ast.stmt) -> bool:
    """``weight_decay = 0.0``: switching a setting off, as library defaults do everywhere."""
    return (
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and _is_zero(node.value.value)
    )


def _as_typed(value) -> list[str]:
    """The ways ``value`` is likely to be typed in a cell: a Python literal, numbers
    rounded as a learner would round them. Empty for values that cannot be typed."""
    if isinstance(value, np.ndarray):
        return _as_typed(value.tolist())
    if isinstance(value, np.generic):
        return _as_typed(value.item())
    if isinstance(value, bool):
        return [str(value)]
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, float):
        if value.is_integer():
            return [repr(value), str(int(value))]
        return [repr(value)] + [f"{value:.{digits}f}" for digits in (2, 3, 4)]
    if isinstance(value, tuple | list):
        opening, closing = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        forms = [_as_typed(item) for item in value]
        if not all(forms):
            return []
        variants = len(max(forms, key=len))
        rows = {
            ", ".join(f[min(i, len(f) - 1)] for f in forms) for i in range(variants)
        }  # each rounding applied to every item
        return [f"{opening}{row}{closing}" for row in sorted(rows)]
    if isinstance(value, dict):
        forms = {key: _as_typed(item) for key, item in value.items()}
        if not all(forms.values()):
            return []
        return ["{" + ", ".join(f"{key!r}: {f[0]}" for key, f in forms.items()) + "}"]
    return []


def _numbers(value) -> Iterator[float]:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, tuple | list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, int | float | np.generic) and not isinstance(value, bool):
        yield float(value)


def _value_fingerprints(exercise: str, function: Callable) -> list[Fingerprint]:
    """What a cell answer computes, as it would be typed (only for cells that need
    no variable of the notebook: ``confusion_reading`` reads the learner's matrix)."""
    import inspect

    if inspect.signature(function).parameters:
        return []
    tree = ast.parse(_source(function)).body[0]
    returned = tree.body[-1].value
    names = (
        [element.id for element in returned.elts if isinstance(element, ast.Name)]
        if isinstance(returned, ast.Tuple)
        else [returned.id]
        if isinstance(returned, ast.Name)
        else []
    )
    values = function()
    values = list(values) if isinstance(returned, ast.Tuple) else [values]
    texts: set[str] = set()
    for name, value in zip(names, values):
        if _is_zero(value) or _is_small(value):
            continue  # ``dropout = 0``, ``size = 3``: settings as code writes them everywhere
        for typed in _as_typed(value):
            texts.add(f"{name} = {typed}")
            if isinstance(value, list | tuple | dict | np.ndarray) and len(typed) > 2:
                texts.add(typed)  # a list on its own, e.g. in a check call
                texts.add(typed[1:-1])  # its items, whatever brackets surround them
    if len(values) > 1:  # the values in a row, as in the check call
        forms = [_as_typed(value) for value in values]
        if all(forms):
            texts.add(", ".join(f[0] for f in forms))
    for number in _numbers(values):  # a number on its own, only where it is telling:
        if number.is_integer() and abs(number) >= 10_000:  # 1,168 is also notebook 03's
            texts.update({f"{int(number)}", f"{int(number):,}"})
        elif abs(number - round(number, 3)) > 1e-9:  # 0.114 is also a luminance weight
            texts.add(f"{number:.4f}")
    return [
        Fingerprint(exercise, "value", text, normalise(text))
        for text in sorted(texts)
        if len(normalise(text)) >= 4
    ]


def fingerprints(
    solutions: dict[str, tuple[Callable, str]], given: dict[str, str] | None = None
) -> list[Fingerprint]:
    """Every fingerprint of every model answer in ``solutions`` (see the module
    docstring), without duplicates.

    Parameters
    ----------
    solutions : dict
        exercise id -> (model answer, "function" or "cell"), as
        ``cnnlib.exercises.solutions.SOLUTIONS`` (see :func:`load_solutions`).
    given : dict, optional
        exercise id -> the text that poses it in its notebook (instructions and
        template cells). What the exercise itself gives away is not an answer:
        the template line ``scores = np.asarray(scores, dtype=float)`` of
        ``my_softmax`` is left out. The body in one piece is always kept, so that
        a whole answer pasted into the notebook is still found.
    """
    given = given or {}
    found: dict[tuple[str, bytes], Fingerprint] = {}
    for exercise, (function, kind) in solutions.items():
        prints = _code_fingerprints(exercise, function, kind)
        if kind == "cell":
            prints += _value_fingerprints(exercise, function)
        posed = normalise(given.get(exercise, ""))
        for fingerprint in prints:
            if fingerprint.kind != "body" and _pattern(fingerprint.key).search(posed):
                continue
            found.setdefault((exercise, fingerprint.key), fingerprint)
    return list(found.values())


# ----------------------------------------------------------------------------
# searching a folder
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class NotAnAnswer:
    """A fingerprint that shows in some files without giving the answer away.

    ``exercise`` and ``text`` name the fingerprint (as :func:`fingerprints`
    writes it), ``paths`` the files where it may appear (glob patterns relative
    to the course folder), ``reason`` why it is not the answer there.
    """

    exercise: str
    text: str
    paths: tuple[str, ...]
    reason: str

    def covers(self, leak: Leak) -> bool:
        path = leak.path.split(":", 1)[0]
        return (
            leak.fingerprint is not None
            and leak.fingerprint.exercise == self.exercise
            and leak.fingerprint.text == self.text
            and any(fnmatch.fnmatchcase(path, pattern) for pattern in self.paths)
        )


_THUMBNAIL = "the checker states the question: a thumbnail 24 pixels high and 36 wide"
#: Where a fingerprint shows for another reason than the answer, each with that reason.
#: Kept short on purpose: a test fails when an entry no longer matches anything.
NOT_ANSWERS = (
    NotAnAnswer("image_sizes", "(24, 36)", ("cnnlib/exercises/pixels.py",), _THUMBNAIL),
    NotAnAnswer("image_sizes", "24, 36", ("cnnlib/exercises/pixels.py",), _THUMBNAIL),
    NotAnAnswer(
        "image_sizes",
        "921,600",
        (
            "notebooks/01_pixels.ipynb",
            "cnnlib/datasets.py",
            "cnnlib/exercises/predictions/pixels.py",
            "tests/explorers/test_pixels.py",
        ),
        "notebook 01's photo, 600 x 512 x 3, holds as many numbers as the exercise's webcam "
        "frame, 480 x 640 x 3",
    ),
)


REFUSED_NAMES = ("solutions.py",)
REFUSED_SUFFIXES = (".pyc", ".pyo")


def _texts(name: str, data: bytes, depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """The searchable texts of a file: its bytes, a notebook's strings, archive members."""
    yield name, data
    if name.endswith((".ipynb", ".json")):
        try:
            strings = list(_json_strings(json.loads(data)))
        except (ValueError, UnicodeDecodeError):
            strings = []
        if strings:
            yield name, "\n".join(strings).encode("utf-8", "replace")
    if depth < 3 and data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.infolist():
                    if member.file_size <= MAX_BYTES and not member.is_dir():
                        inner = archive.read(member)
                        yield from _texts(f"{name}:{member.filename}", inner, depth + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            pass
    if depth < 3 and data[:2] == b"\x1f\x8b":
        try:
            inner = gzip.decompress(data)[:MAX_BYTES]
        except (OSError, EOFError):
            inner = b""
        if inner:
            yield from _texts(f"{name}:gunzip", inner, depth + 1)


def _json_strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        # a notebook's source and text are lists of lines: join them back first
        if value and all(isinstance(item, str) for item in value):
            yield "".join(value)
        else:
            for item in value:
                yield from _json_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)


def _pattern(key: bytes) -> re.Pattern:
    """``key`` as a whole: ``max_shift=2`` is not found in ``max_shift=20``, nor
    ``dropout=0`` in ``dropout=0.5``, nor ``1168`` in ``11680``."""
    before = rb"(?<![\w.])" if re.match(rb"\w", key) else b""
    after = rb"(?!\w|\.\d)" if re.search(rb"\w$", key) else b""
    return re.compile(before + re.escape(key) + after)


def find_answers(
    folder: str | Path, prints: list[Fingerprint], allowed: tuple[NotAnAnswer, ...] = NOT_ANSWERS
) -> list[Leak]:
    """Every place below ``folder`` where a model answer shows.

    Every file is read (binary ones too, symbolic links are not followed), as
    bytes, inside notebooks' JSON strings and inside zip and gzip archives, and
    searched for each fingerprint after :func:`normalise`. Files that are refused
    by name (``solutions.py``, compiled Python ``.pyc``) are reported as such.
    Fingerprints that ``allowed`` explains in that file are not reported.

    Returns
    -------
    list of Leak
        Empty when the folder holds no answer.
    """
    folder = Path(folder)
    patterns = [(fingerprint, _pattern(fingerprint.key)) for fingerprint in prints]
    leaks: list[Leak] = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink() or not path.is_file():
            continue
        if path.name in REFUSED_NAMES or path.suffix in REFUSED_SUFFIXES:
            leaks.append(Leak(relative, None, "a file that may hold the model answers"))
            continue
        with path.open("rb") as file:
            data = file.read(MAX_BYTES)
        seen: set[bytes] = set()
        for name, text in _texts(relative, data):
            squashed = normalise(text)
            for fingerprint, pattern in patterns:
                if (
                    fingerprint.key not in seen
                    and fingerprint.key in squashed  # fast; the pattern then checks the edges
                    and pattern.search(squashed)
                ):
                    seen.add(fingerprint.key)
                    leak = Leak(
                        name,
                        fingerprint,
                        f"the model answer of {fingerprint.exercise!r} "
                        f"({fingerprint.kind}: {fingerprint.text!r})",
                    )
                    if not any(reason.covers(leak) for reason in allowed):
                        leaks.append(leak)
    return leaks
