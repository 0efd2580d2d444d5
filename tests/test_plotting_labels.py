"""LabelGrid: numbers printed on image cells as one collection of glyph outlines."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cnnlib.plotting import LabelGrid, contrast_colors


def _axes(shape=(3, 4)):
    fig = Figure(figsize=(4, 3), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.imshow(np.zeros(shape))
    return ax


def test_texts_and_one_path_per_colour():
    ax = _axes()
    labels = LabelGrid(ax)
    values = np.array([[0, 7, 255, 12], [3, np.nan, 5, 6], [1, 2, 3, 4]])
    colours = np.where(values > 4, "white", "black")
    labels.set(values, colors=colours)
    assert labels.texts[0, 2] == "255" and labels.texts[1, 1] == ""
    assert labels.texts[2, 3] == "4"
    # two colours: two compound paths, whatever the number of labels
    assert len(labels.collection.get_paths()) == 2
    faces = labels.collection.get_facecolors()
    assert {tuple(f) for f in faces} == {(0, 0, 0, 1), (1, 1, 1, 1)}


def test_each_label_sits_inside_its_cell():
    ax = _axes((2, 2))
    labels = LabelGrid(ax)
    labels.set(np.array([[8, 8], [8, 8]]), colors="black")
    vertices = labels.collection.get_paths()[0].vertices
    # four "8"s: every vertex lies within 0.5 of some cell centre, and each cell has glyph points
    centres = [(x, y) for y in (0, 1) for x in (0, 1)]
    for cx, cy in centres:
        inside = (np.abs(vertices[:, 0] - cx) < 0.5) & (np.abs(vertices[:, 1] - cy) < 0.5)
        assert inside.any()
    assert np.all(np.abs(vertices - np.round(vertices)) < 0.5)


def test_digits_upright_on_an_imshow_axis():
    ax = _axes((1, 1))
    labels = LabelGrid(ax)
    labels.set(np.array([[7]]))
    vertices = labels.collection.get_paths()[0].vertices
    # the 7's horizontal bar is at its top: on an imshow axis (y pointing down) the
    # vertices with the smallest y must span the glyph's full width
    top = vertices[vertices[:, 1] < vertices[:, 1].min() + 0.02]
    assert np.ptp(top[:, 0]) > 0.5 * np.ptp(vertices[:, 0])


def test_format_origin_and_clear():
    ax = _axes((3, 3))
    labels = LabelGrid(ax)
    labels.set(np.array([[-0.25, 1.5]]), fmt="{:+.2f}", origin=(0, -1))
    np.testing.assert_array_equal(labels.texts, [["-0.25", "+1.50"]])
    vertices = labels.collection.get_paths()[0].vertices
    assert np.all(np.abs(vertices[:, 1] + 1) < 0.5)  # row -1: above the image
    labels.clear()
    assert labels.collection.get_paths() == [] and labels.texts.size == 0
    with pytest.raises(ValueError, match="2-D grid"):
        labels.set(np.arange(3))


def test_contrast_colors_pick_readable_text():
    colours = contrast_colors(np.array([0, 255]), 0, 255, "gray")
    assert list(colours) == ["white", "black"]
    assert list(contrast_colors(np.array([0, 255]), 0, 255, "gray_r")) == ["black", "white"]
