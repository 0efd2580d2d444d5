"""Show a few lines of a function's source code in a notebook.

Every function of ``cnnlib`` is meant to be read. In JupyterLab,
``conv2d_backward??`` shows a whole function; :func:`show_source` shows only
the lines a notebook talks about, with the file and line numbers where to find
the rest::

    show_source(conv2d_backward, start="for n in range", stop="grad_bias[f] += g")
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from cnnlib import _validate as v

__all__ = ["Source", "show_source"]


class Source:
    """Lines of source code with where they come from.

    Prints as the lines under a comment naming the file and line numbers;
    in Jupyter it is shown as highlighted Python.

    Attributes
    ----------
    code : str
        The lines, with their common indentation removed.
    path : str
        The file, from the package folder on (e.g. ``cnnlib/reference.py``).
    first, last : int
        Their line numbers in that file (counting from 1, as editors do).
    name : str
        The function or class they belong to.
    """

    def __init__(self, code: str, path: str, first: int, last: int, name: str):
        self.code, self.path, self.first, self.last, self.name = code, path, first, last, name

    @property
    def header(self) -> str:
        lines = (
            f"line {self.first}" if self.first == self.last else f"lines {self.first}-{self.last}"
        )
        return f"# {self.path}, {lines} (in {self.name})"

    def __str__(self):
        return f"{self.header}\n{self.code}"

    __repr__ = __str__

    def _repr_markdown_(self):
        return f"```python\n{self}\n```"


def show_source(function, start: str | None = None, stop: str | None = None) -> Source:
    """A few lines of a function's (or class's) source code, to read in a notebook.

    Parameters
    ----------
    function : function, method or class
        E.g. ``cnnlib.reference.conv2d_backward``.
    start : str, optional
        A piece of the first line to show: the first line that contains it.
        Default: the first line (``def ...``).
    stop : str, optional
        A piece of the last line to show: the first line from ``start`` on
        that contains it. Default: the function's last line.

    Returns
    -------
    Source
        The lines (their common indentation removed) and where they are.

    Examples
    --------
    >>> from cnnlib.reference import conv2d_backward
    >>> one_line = show_source(conv2d_backward, "grad_bias[f] +=", "grad_bias[f] +=")
    >>> print(one_line)  # doctest: +ELLIPSIS
    # cnnlib/reference.py, line ... (in conv2d_backward)
    grad_bias[f] += g
    """
    lines, first_number, path = v.source_lines(function)
    name = getattr(function, "__qualname__", str(function))
    where = f"{name} (lines {first_number}-{first_number + len(lines) - 1})"
    begin = 0 if start is None else v.line_with(lines, start, "start", where)
    end = len(lines) - 1 if stop is None else v.line_with(lines, stop, "stop", where, begin)
    code = textwrap.dedent("\n".join(lines[begin : end + 1]))
    return Source(code, _short_path(path), first_number + begin, first_number + end, name)


def _short_path(path: str) -> str:
    """``.../cnnlib/reference.py`` -> ``cnnlib/reference.py``; other files unchanged."""
    package = Path(__file__).resolve().parent
    try:
        return Path(path).resolve().relative_to(package.parent).as_posix()
    except ValueError:
        return path
