"""Floor 2: drawing helpers with one look for the whole course (matplotlib; scipy for smoothed).

Most functions draw on axes they are given and return the artists they made,
so that explorers can build a figure once and later update those artists in
place; :func:`plot_panels`, :func:`plot_kernel_gallery`, :func:`plot_filters`
and :func:`plot_training_curves` make a whole figure, which a notebook shows
when it ends a cell.
Importing the package does not load matplotlib; each function imports it when
first called. Nothing here imports ipywidgets or the explorers.

Which module holds what
-----------------------
``style``
    Colour maps and their conventions (``IMAGE_CMAP``, ``SIGNED_CMAP``,
    ``INK_CMAP``), :func:`apply_style`, colour-scale limits
    (:func:`signed_limit`, :func:`image_limits`, :func:`feature_map_colors`),
    :func:`contrast_colors`, :func:`short_number`, :class:`ColourScale`.
``values``
    Numbers printed on cells: :class:`LabelGrid` (all numbers of a grid as one
    artist); :func:`cell_borders`, :func:`set_cell_borders`.
``images``
    :func:`show_image`, :func:`show_signed`, :func:`show_pixels`,
    :func:`pixel_grid`.
``kernels``
    :func:`show_kernel`, :func:`show_feature_map`, :func:`plot_panels`,
    :func:`plot_kernel_gallery`.
``bars``
    :class:`LabelledBars` and its colours.
``activations``
    :func:`plot_activation_curves`, ``ACTIVATION_STYLES``.
``network``
    Mosaics of maps (:func:`tile_maps`, :func:`signed_colors`,
    :func:`show_tiles`), :func:`plot_filters`, :func:`plot_confusion_matrix`.
``training``
    :func:`plot_training_curves`, :func:`smoothed`, :func:`plain_log_axis`
    and the colours of the curves.
``shapes``
    :class:`ShapeDiagram`: the shapes of a network's stages drawn to scale
    (the network builder), ``STAGE_COLORS``.
``describe``
    Words for pictures: :func:`describe` attaches a text description to a
    figure or an axes (every function above describes what it draws), and
    :func:`description_of` reads it back; in Jupyter, figures are shown with
    their description as the picture's ``alt`` text (for screen readers).

Import from ``cnnlib.plotting`` (every public name is here); the modules only
say where to read the code.
"""

from cnnlib.plotting.activations import ACTIVATION_STYLES, plot_activation_curves
from cnnlib.plotting.bars import BAR_COLOR, HIGHLIGHT_COLOR, OUTLINE_COLOR, LabelledBars
from cnnlib.plotting.describe import _register_display_hook, describe, description_of
from cnnlib.plotting.images import pixel_grid, show_image, show_pixels, show_signed
from cnnlib.plotting.kernels import (
    SIGNED_KINDS,
    plot_kernel_gallery,
    plot_panels,
    show_feature_map,
    show_kernel,
)
from cnnlib.plotting.network import (
    GAP_COLOR,
    plot_confusion_matrix,
    plot_filters,
    show_tiles,
    signed_colors,
    tile_maps,
)
from cnnlib.plotting.shapes import STAGE_COLORS, ShapeDiagram
from cnnlib.plotting.style import (
    IMAGE_CMAP,
    INK_CMAP,
    SIGNED_CMAP,
    ColourScale,
    apply_style,
    contrast_colors,
    feature_map_colors,
    image_limits,
    short_number,
    signed_limit,
)
from cnnlib.plotting.training import (
    RUN_COLORS,
    TARGET_COLOR,
    TRAIN_COLOR,
    VALIDATION_COLOR,
    plain_log_axis,
    plot_training_curves,
    smoothed,
)
from cnnlib.plotting.values import (
    LabelGrid,
    cell_borders,
    set_cell_borders,
)

__all__ = [
    "describe",
    "description_of",
    "IMAGE_CMAP",
    "SIGNED_CMAP",
    "INK_CMAP",
    "apply_style",
    "signed_limit",
    "show_image",
    "show_signed",
    "ColourScale",
    "cell_borders",
    "contrast_colors",
    "set_cell_borders",
    "pixel_grid",
    "LabelGrid",
    "show_pixels",
    "LabelledBars",
    "feature_map_colors",
    "image_limits",
    "plot_kernel_gallery",
    "plot_panels",
    "short_number",
    "show_feature_map",
    "show_kernel",
    "ACTIVATION_STYLES",
    "plot_activation_curves",
    "RUN_COLORS",
    "STAGE_COLORS",
    "ShapeDiagram",
    "TARGET_COLOR",
    "TRAIN_COLOR",
    "VALIDATION_COLOR",
    "plot_confusion_matrix",
    "plot_filters",
    "plain_log_axis",
    "plot_training_curves",
    "show_tiles",
    "signed_colors",
    "smoothed",
    "tile_maps",
    # constants: shared colours and the kinds of panel plot_panels draws
    "BAR_COLOR",
    "HIGHLIGHT_COLOR",
    "OUTLINE_COLOR",
    "GAP_COLOR",
    "SIGNED_KINDS",
]

# in Jupyter/IPython: show figures with their description as alt text (no-op elsewhere)
_register_display_hook()
