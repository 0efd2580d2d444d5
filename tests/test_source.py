"""show_source: the lines asked for, with the file and line numbers where they are."""

from __future__ import annotations

import inspect

import pytest

import cnnlib
from cnnlib import Conv2D, show_source
from cnnlib.reference import conv2d_backward


def test_the_lines_from_start_to_stop_with_where_they_are():
    source = show_source(conv2d_backward, start="for n in range", stop="grad_bias[f] += g")
    lines, first = inspect.getsourcelines(conv2d_backward)
    begin = next(i for i, line in enumerate(lines) if "for n in range" in line)
    end = next(i for i, line in enumerate(lines) if "grad_bias[f] += g" in line)
    assert (source.first, source.last) == (first + begin, first + end)
    assert source.path == "cnnlib/reference.py" and source.name == "conv2d_backward"
    code = source.code.splitlines()
    assert len(code) == end - begin + 1
    assert code[0] == "for n in range(n_images):"  # the common indentation is removed
    assert code[-1].strip() == "grad_bias[f] += g"
    assert [c.strip() for c in code] == [line.strip() for line in lines[begin : end + 1]]
    text = str(source)
    assert text.splitlines()[0] == (
        f"# cnnlib/reference.py, lines {source.first}-{source.last} (in conv2d_backward)"
    )
    assert source._repr_markdown_() == f"```python\n{text}\n```"  # highlighted in Jupyter
    # the line numbers are the file's
    with open(cnnlib.reference.__file__) as f:
        assert f.read().splitlines()[source.last - 1].strip() == "grad_bias[f] += g"


def test_defaults_show_the_whole_function_and_methods_work():
    whole = show_source(conv2d_backward)
    assert whole.code.startswith("def conv2d_backward(") and whole.code.endswith("grad_bias")
    method = show_source(Conv2D(1, 1, 3).backward, stop="def backward")
    assert method.name == "Conv2D.backward" and method.first == method.last
    assert "line " in method.header and "lines" not in method.header


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((3,), TypeError, r"function must be a function or class written in Python.* int 3"),
        ((print,), TypeError, "must be a function or class written in Python"),
        (
            (conv2d_backward, "for q in range"),
            ValueError,
            r"start='for q in range' is on no line of conv2d_backward \(lines \d+-\d+\); copy "
            r"a piece .*`conv2d_backward\?\?` in a cell shows the whole source",
        ),
        (
            (conv2d_backward, "grad_bias[f] += g", "for n in range"),
            ValueError,
            r"stop='for n in range' is on no line of .* after the first line shown",
        ),
        ((conv2d_backward, 5), TypeError, r"start must be a piece of text .* but is 5"),
        ((conv2d_backward, None, " "), TypeError, r"stop must be a piece of text .* but is ' '"),
    ],
)
def test_bad_arguments_are_explained(args, error, match):
    with pytest.raises(error, match=match):
        show_source(*args)
