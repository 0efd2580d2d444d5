"""Plotting helpers for kernels and feature maps (notebook 02): colours on purpose, short labels."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib import conv2d, kernels, plotting

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "value, text",
    [
        (2, "2"),
        (-1, "\u22121"),
        (0.1111, "0.11"),
        (-0.5, "\u22120.5"),
        (0.0034, "0.003"),
        (-1e-17, "0"),  # rounding noise is not a negative number
        (-0.0, "0"),
        (6600, "6600"),
        (127.5, "128"),
    ],
)
def test_short_number(value, text):
    assert plotting.short_number(value) == text


def test_feature_map_colours():
    photo_like = np.zeros((8, 8))
    photo_like[2:6, 2:6] = 255.0  # a bright square: edges of both signs
    edges = conv2d(photo_like, kernels.sobel_x())
    assert plotting.feature_map_colors(edges) == ("RdBu_r", -1020.0, 1020.0)
    # a blur keeps the brightness: a gray picture on the image's own scale
    blurred = conv2d(photo_like, kernels.box_blur(3))
    assert plotting.feature_map_colors(blurred, kernels.box_blur(3), photo_like) == (
        "gray",
        0.0,
        255.0,
    )
    # never negative, but not a picture of the input: gray from 0 to the maximum
    assert plotting.feature_map_colors(np.array([[0.0, 3.0]])) == ("gray", 0.0, 3.0)
    # weights adding up to 1 are not enough: the X/O cross template on an X is signed
    cross_map = conv2d(np.where(np.eye(9) > 0, 1.0, -1.0), kernels.cross())
    cmap, low, high = plotting.feature_map_colors(cross_map, kernels.cross(), np.eye(9) * 2 - 1)
    assert cmap == "RdBu_r" and low == -high


@pytest.mark.parametrize(
    "image, limits",
    [
        (np.array([[0, 200]]), (0.0, 255.0)),  # 8-bit pixels: the fixed 0-255 scale
        (np.array([[0, 9]]), (0.0, 9.0)),  # a small teaching image: full contrast
        (np.array([[0.0, 0.5]]), (0.0, 1.0)),
        (np.array([[-1.0, 1.0]]), (-1.0, 1.0)),  # the +1/-1 toys
    ],
)
def test_image_limits(image, limits):
    assert plotting.image_limits(image) == limits


def test_plot_panels_shows_itself_once_as_png():
    fig = plotting.plot_panels(
        [
            ("image", np.arange(16.0).reshape(4, 4), "image"),
            ("kernel", kernels.sobel_x(), "kernel"),
            ("map", conv2d(np.arange(16.0).reshape(4, 4), kernels.sobel_x()), "map"),
            ("scores", np.array([[0.5, -1.0]]), "signed"),
        ],
        limit=1,
    )
    assert fig._repr_png_().startswith(PNG_SIGNATURE)
    titled = [ax.get_title() for ax in fig.axes]
    assert titled[:4] == ["image", "kernel", "map", "scores"]
    assert len(fig.axes) == 5  # one shared colour bar for the signed panels
    from matplotlib.collections import PathCollection

    printed = [c for c in fig.axes[1].collections if isinstance(c, PathCollection)]
    assert printed and len(printed[0].get_paths()) > 0  # the weights are printed on the kernel


def test_plot_panels_shared_limit_and_bad_values():
    fig = plotting.plot_panels([("a", np.array([[2.0, -4.0]]), "map")], limit="shared")
    image = fig.axes[0].get_images()[0]
    assert image.get_clim() == (-4.0, 4.0)
    assert fig.axes[1]._colorbar.extend == "neither"  # nothing lies beyond the scale
    # a fixed limit below the values: the colour bar's pointed ends say they are clipped
    fig = plotting.plot_panels([("a", np.array([[2.0, -4.0]]), "map")], limit=3)
    assert fig.axes[1]._colorbar.extend == "min"
    with pytest.raises(ValueError, match="'shared'"):
        plotting.plot_panels([("a", np.ones((2, 2)), "map")], limit="same")
    with pytest.raises(ValueError, match="kind must be"):
        plotting.plot_panels([("a", np.ones((2, 2)), "photo")])


def test_kernel_gallery_applies_every_kernel():
    image = np.zeros((20, 20))
    image[:, 10:] = 255.0
    fig = plotting.plot_kernel_gallery(
        image, {"identity": kernels.identity(), "sobel x": kernels.sobel_x()}, ncols=2
    )
    maps = [ax.get_images()[0] for ax in fig.axes[1::3]]  # kernel, map, colour bar, ...
    np.testing.assert_array_equal(maps[0].get_array(), image)
    np.testing.assert_array_equal(
        maps[1].get_array(), conv2d(image, kernels.sobel_x(), padding="same")
    )
    assert maps[0].get_cmap().name == "gray" and maps[1].get_cmap().name == "RdBu_r"
    assert fig._repr_png_().startswith(PNG_SIGNATURE)


def _gallery_maps(fig):
    """(image, colour bar axes) of every feature map of a kernel gallery."""
    axes = fig.axes
    return [(axes[i].get_images()[0], axes[i + 1]) for i in range(1, len(axes), 3)]


def test_kernel_gallery_edge_maps_have_contrast_and_a_colour_bar():
    """Edge maps are mostly near 0: scaled to the strongest edge they looked white (#13)."""
    rng = np.random.default_rng(0)
    image = rng.uniform(0, 255, size=(30, 30))
    image[14:16, 14:16] += 5000.0  # a few edges far stronger than all the others
    sobel = kernels.sobel_x()
    fmap = conv2d(image, sobel, padding="same")
    fig = plotting.plot_kernel_gallery(image, {"sobel": sobel, "blur": kernels.box_blur(3)})
    (edges, edge_bar), (blurred, blur_bar) = _gallery_maps(fig)
    low, high = edges.get_clim()
    assert high == -low == pytest.approx(np.percentile(np.abs(fmap), 95))
    assert high < 0.5 * np.abs(fmap).max()  # the one strong edge no longer sets the scale
    assert edge_bar.get_label() == "<colorbar>" and blur_bar.get_label() == "<colorbar>"
    assert [t.get_text() for t in edge_bar.get_xticklabels()][1] == "0"
    assert fig.axes[2]._colorbar.extend == "both"  # values beyond both ends are drawn
    assert blurred.get_cmap().name == "gray"
    # percentile=100 reaches the strongest value exactly; nothing is beyond the bar
    fig = plotting.plot_kernel_gallery(image, {"sobel": sobel}, percentile=100)
    ((edges, bar),) = _gallery_maps(fig)
    assert edges.get_clim()[1] == np.abs(fmap).max()
    assert fig.axes[2]._colorbar.extend == "neither"
    with pytest.raises(ValueError, match="percentile"):
        plotting.plot_kernel_gallery(image, {"sobel": sobel}, percentile=20)


def test_plot_panels_grid_without_values():
    """The receptive-field squares of notebook 02 need lines to count 3x3, 5x5, 7x7 (#13)."""
    from matplotlib.collections import LineCollection

    dot = np.zeros((11, 11))
    panels = [("dot", dot, "image")]
    bare = plotting.plot_panels(panels, values=False)
    assert not [c for c in bare.axes[0].collections if isinstance(c, LineCollection)]
    fig = plotting.plot_panels(panels, values=False, grid=True)
    (lines,) = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == 12 + 12  # 12 lines across, 12 down
    with pytest.raises(TypeError, match="grid must be True or False"):
        plotting.plot_panels(panels, grid="yes")


def test_cell_borders_follow_the_grid():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    lines = plotting.cell_borders(ax, (2, 3))
    assert len(lines.get_segments()) == (2 + 1) + (3 + 1)
    plotting.set_cell_borders(lines, (4, 4), origin=(1, 1))
    segments = lines.get_segments()
    assert len(segments) == 10
    np.testing.assert_allclose(segments[0], [[0.5, 0.5], [4.5, 0.5]])


def test_colour_scale_labels_and_map():
    from matplotlib.figure import Figure

    scale = plotting.ColourScale(Figure().add_subplot())
    scale.update("gray", 0.0, 255.0)
    assert [t.get_text() for t in scale.labels] == ["255", "128", "0"]
    assert scale.image.get_cmap().name == "gray"


def test_show_image_scales_a_float_colour_photo_like_a_gray_one():
    """imshow ignores vmin/vmax for colour and clips floats to 0-1: a float photo on
    the 0-255 scale came out nearly all white."""
    import matplotlib.pyplot as plt

    photo = np.zeros((2, 2, 3))
    photo[0, 0] = [255.0, 128.0, 0.0]
    fig, ax = plt.subplots()
    im = plotting.show_image(ax, photo)
    np.testing.assert_allclose(im.get_array()[0, 0], [1.0, 128 / 255, 0.0])
    assert im.get_array()[1, 1].max() == 0.0  # black stays black
    plt.close(fig)


def test_plot_panels_never_leaves_empty_columns():
    fig = plotting.plot_panels([("a", np.eye(3), "map"), ("b", np.eye(3), "map")], ncols=5)
    assert sum(ax.get_visible() for ax in fig.axes if ax.get_label() != "<colorbar>") == 2
    assert fig.axes[0].get_gridspec().get_geometry() == (1, 2)


def test_short_numbers_stay_short():
    assert [plotting.short_number(v) for v in (1.25e7, -1e308, 999_999, float("inf"))] == [
        "1.2e7",
        "\u22121e308",
        "999999",
        "inf",
    ]
    assert plotting.signed_limit(np.array([1e308, -1e308])) == 1e300  # no overflow in clim
