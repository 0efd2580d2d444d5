"""How the picture panels of the notebook-02 explorers look.

:class:`~cnnlib.explorers.convolution.ConvolutionExplorer`,
:class:`~cnnlib.explorers.stepper.ConvolutionStepper` and
:class:`~cnnlib.explorers.templates.TemplateMatcher` draw the same kind of
panels: an image of numbers in a thin frame, a title at a fixed height and
an amber outline on the window or cell being talked about. The first two
also colour their feature map as :func:`cnnlib.plotting.feature_map_colors`
says; the template matcher's scores always use the signed colours from -1
to 1. The helpers here keep those panels alike and cheap to redraw.
"""

from __future__ import annotations

from matplotlib.patches import Rectangle

from cnnlib import plotting

__all__ = ["HIGHLIGHT", "feature_style", "fix_titles", "frame_only"]

HIGHLIGHT = "#ffb000"  # amber: visible on gray, red and blue, and for colour-blind viewers


def feature_style(im, data, scale=None, kernel=None, image=None):
    """Colour a feature map as :func:`cnnlib.plotting.feature_map_colors` says."""
    cmap, vmin, vmax = plotting.feature_map_colors(data, kernel, image)
    if im.get_cmap().name != cmap:
        im.set_cmap(cmap)
    im.set_clim(vmin, vmax)
    if scale is not None:
        scale.update(cmap, vmin, vmax)
    return cmap


def fix_titles(*axes):
    """Give each axes a title at a fixed height (no re-measuring on every draw)."""
    for ax in axes:
        ax.set_title(ax.get_title() or " ", y=1.0)


def frame_only(*axes):
    """Hide the (tick-less) axis machinery of picture panels and keep a thin frame.

    Drawing an axis costs a few milliseconds even without ticks, and a
    picture panel needs none; a plain rectangle gives the same frame.
    """
    frames = []
    for ax in axes:
        ax.set_axis_off()
        frame = Rectangle(
            (0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=0.8, ec="0.25", clip_on=False
        )
        frames.append(ax.add_patch(frame))
    return frames
