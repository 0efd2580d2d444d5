"""What the trained network looks at (notebook 07): a saliency map and an occlusion map.

:class:`AttributionExplorer` shows one digit beside two answers to "which
pixels does the network's answer depend on?": the saliency map of a class
(:func:`cnnlib.saliency_map`, the gradient of its score with respect to every
pixel) and its occlusion map (:func:`cnnlib.occlusion_map`, how much its
probability drops when a patch of the digit is covered), with the network's
ten probabilities. The learner picks the digit (or their own drawing from a
:class:`~cnnlib.explorers.drawing.DigitPad`), the class, the patch size and
the stride.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from cnnlib.attribution import occlusion_map, occlusion_per_pixel, saliency_map
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.explorers._panels import HIGHLIGHT, fix_titles, frame_only
from cnnlib.explorers.network import _network_and_data
from cnnlib.plotting import (
    INK_CMAP,
    SIGNED_CMAP,
    ColourScale,
    LabelledBars,
    short_number,
    signed_colors,
    signed_limit,
)
from cnnlib.plotting.describe import extremes_text, range_text
from cnnlib.training import prepare_images

__all__ = ["AttributionExplorer", "Attribution", "ink_outline"]

ANSWER, TRUE = "answer", "true"  #: the two classes named by role in the class menu
TEST, DRAWING = "test digit", "your drawing"  #: the two sources of the digit
PER_PIXEL, PER_POSITION = "per pixel", "per patch position"  #: the two views of occlusion
#: The occlusion colour scale reaches at least this drop (2 percentage points), so that a
#: map of tiny drops stays pale instead of being stretched to full colour.
OCCLUSION_SCALE_FLOOR = 0.02
#: A drop of at least this (0.05 percentage points) counts as noticeable in the picture and
#: the description; below it, covering a patch changed the probability only in its last digits.
NOTICEABLE = 0.0005
OUTLINE_COLOR = "0.1"  # the digit's outline over the maps: near black reads on red, blue, white
RAISES_COLOR = "#2166ac"  # the blue end of RdBu: the patch whose covering raises P most
#: The status line always has this many lines (and keeps their height when a setting is
#: impossible), so the explorer does not jump up and down as the controls move.
STATUS_LINES = 4


@dataclass
class Attribution:
    """What :class:`AttributionExplorer` shows for one digit, class, patch and stride.

    Attributes
    ----------
    image : float32 array (H, W)
        The digit as the network reads it (0 paper, 1 full ink).
    label : int or None
        The true digit (None for a drawing).
    probabilities : array (K,)
    answer : int
        The network's answer (the most probable class).
    target : int
        The class both maps are about.
    saliency : array (H, W)
        :func:`cnnlib.saliency_map` for ``target``.
    drops : array (Ho, Wo)
        :func:`cnnlib.occlusion_map` for ``target``: one drop per patch position.
    drops_per_pixel : array (H, W)
        :func:`cnnlib.occlusion_per_pixel`: NaN where no patch covered the pixel.
    patch, stride : int
    lowers_most, raises_most : (int, int)
        Top-left pixel of the patch whose covering lowers (raises) ``P(target)`` most.
    """

    image: np.ndarray
    label: int | None
    probabilities: np.ndarray
    answer: int
    target: int
    saliency: np.ndarray
    drops: np.ndarray
    drops_per_pixel: np.ndarray
    patch: int
    stride: int
    lowers_most: tuple[int, int]
    raises_most: tuple[int, int]


def ink_outline(image, level=0.5) -> np.ndarray:
    """The pixel edges around the ink of ``image`` (H, W), as segments (n, 2, 2).

    Each segment is ``((x0, y0), (x1, y1))``. A pixel is ink where its value
    is at least ``level`` times the image's maximum. The segments run along
    pixel borders (pixel ``(i, j)`` covers x from ``j - 0.5`` to ``j + 0.5``,
    as ``imshow`` draws it), so the outline drawn over a map of the same size
    shows exactly which cells were ink.
    """
    image = np.asarray(image, dtype=float)
    top = image.max() if image.size else 0.0
    mask = image >= level * top if top > 0 else np.zeros(image.shape, bool)
    padded = np.pad(mask, 1)
    # between rows r - 1 and r of the image (a line at y = r - 0.5), column c
    rows, cols = np.nonzero(padded[1:, 1:-1] != padded[:-1, 1:-1])
    across = np.stack(
        [np.stack([cols - 0.5, rows - 0.5], 1), np.stack([cols + 0.5, rows - 0.5], 1)], 1
    )
    # between columns c - 1 and c (a line at x = c - 0.5), row r
    rows, cols = np.nonzero(padded[1:-1, 1:] != padded[1:-1, :-1])
    down = np.stack(
        [np.stack([cols - 0.5, rows - 0.5], 1), np.stack([cols - 0.5, rows + 0.5], 1)], 1
    )
    return np.concatenate([across, down]).astype(float)


class AttributionExplorer(BlitExplorer):
    """Which pixels does the network's answer depend on? Two maps beside the digit.

    * **saliency**: how fast the class's score would change with a little more
      ink on each pixel (red: it would rise, blue: fall);
    * **occlusion**: how much the class's probability drops when a patch of
      background covers the digit there (red: covering it lowers the
      probability, so that part was evidence for the class; blue: covering it
      makes the class more likely). Shown per patch position (one cell at the
      centre of each patch: what was measured) or per pixel (the mean over the
      patches that covered it);
    * the network's ten probabilities (the chosen class dark, the true digit
      outlined in orange).

    The thin dark outline on both maps is the digit's ink; the square on the
    digit is the patch whose covering changes the probability most: orange if
    it lowers it, blue if it raises it.

    Parameters
    ----------
    model : Sequential, optional
        A trained CNN ending in class scores. Default: the course's trained
        network (:func:`cnnlib.load_pretrained`) on the 1,000 bundled test digits.
    images : array (N, H, W) or (N, 1, H, W), optional
        The grey digits to choose from (uint8 pixels are divided by 255).
    labels : int array (N,), optional
    index : int
        The digit shown first.
    pad : DigitPad, optional
        A drawing pad: its digit becomes a choice ("your drawing") and the maps
        follow each new stroke.
    target : "answer", "true" or int
        The class shown first: the network's answer, the true digit, or a class.
    patch, stride : int
        The occlusion patch's size and step shown first.

    Attributes
    ----------
    output : Attribution or None
        Everything shown (None when the settings are impossible).
    """

    title = "What the network looks at: saliency and occlusion maps"
    max_cached = 32  #: occlusion maps (every class at once) kept per digit, patch and stride

    def __init__(
        self,
        model=None,
        images=None,
        labels=None,
        index=0,
        pad=None,
        target=ANSWER,
        patch=6,
        stride=2,
    ):
        model, self.images, self.labels = _network_and_data(
            model, images, labels, "AttributionExplorer"
        )
        self.model = model
        self.pad = pad
        self._occlusions = OrderedDict()  # (digit key, patch, stride) -> drops (K, Ho, Wo)
        if self.images.shape[1] != 1:
            raise ValueError(
                f"AttributionExplorer shows grey images, (N, H, W) or (N, 1, H, W), but images "
                f"have {self.images.shape[1]} channels; convert them to gray first"
            )
        height, width = self.images.shape[2:]
        classes = model.predict_proba(self.images[:1]).shape[1]
        super().__init__(figsize=(9.2, 3.3), dpi=90)  # 828 px: fits a notebook column
        # a widget's line is 28 px high in JupyterLab (--jp-widgets-inline-height)
        self._status.layout.min_height = f"{28 * STATUS_LINES}px"

        style = {"description_width": "initial"}
        if pad is not None:
            self.controls["source"] = widgets.ToggleButtons(
                options=[TEST, DRAWING], value=TEST, description="show", style=style
            )
            pad.observe_digit(self._drawing_changed)
        self.controls["index"] = widgets.IntSlider(
            value=int(index),
            min=0,
            max=len(self.images) - 1,
            description="test digit #",
            style=style,
            layout=widgets.Layout(width="340px"),
        )
        options = [("the network's answer", ANSWER)]
        if self.labels is not None:
            options.append(("the true digit", TRUE))
        options += [(str(k), k) for k in range(classes)]
        self.controls["target"] = widgets.Dropdown(
            options=options, value=target, description="class", style=style
        )
        side = min(height, width)
        self.controls["patch"] = widgets.IntSlider(
            value=int(patch), min=1, max=side, description="patch", style=style
        )
        self.controls["stride"] = widgets.IntSlider(
            value=int(stride), min=1, max=side, description="stride", style=style
        )
        self.controls["view"] = widgets.ToggleButtons(
            options=[PER_POSITION, PER_PIXEL],
            value=PER_POSITION,
            description="occlusion",
            style=style,
        )
        self._build_figure(height, width, classes)
        self._watch()
        self.update()

    # -- figure -----------------------------------------------------------------------
    def _build_figure(self, height, width, classes):
        fig = self.figure
        fig.set_layout_engine("none")  # placed by hand: three equal squares, scales, bars
        fig_w, fig_h = fig.get_size_inches()

        def place(left, bottom, w, h):  # inches -> an axes
            return fig.add_axes((left / fig_w, bottom / fig_h, w / fig_w, h / fig_h))

        side, low = 2.12, 0.5  # the three pictures: side and bottom edge, in inches
        self._ax_image = place(0.08, low, side, side)
        self._ax_saliency = place(2.34, low, side, side)
        self._ax_occlusion = place(5.08, low, side, side)
        saliency_cax = place(4.52, low, 0.1, side)
        occlusion_cax = place(7.26, low, 0.1, side)
        ax_bars = place(8.0, low, 1.0, side)

        blank = np.zeros((height, width, 4), np.uint8)
        extent = (-0.5, width - 0.5, height - 0.5, -0.5)
        self._im_image = self._ax_image.imshow(
            np.zeros((height, width)), cmap=INK_CMAP, vmin=0, vmax=1, extent=extent
        )
        self._im_saliency = self._ax_saliency.imshow(blank, extent=extent)
        self._im_occlusion = self._ax_occlusion.imshow(blank, extent=extent)
        pictures = (self._ax_image, self._ax_saliency, self._ax_occlusion)
        for ax in pictures:
            ax.set_xlim(-0.5, width - 0.5)
            ax.set_ylim(height - 0.5, -0.5)
            ax.set_title(" \n ")
        fix_titles(*pictures)
        self._captions = []
        for ax in pictures:
            ax.title.set_fontsize(10.5)
            caption = ax.text(
                0.5, -0.03, " \n ", transform=ax.transAxes, ha="center", va="top", fontsize=9
            )
            self._captions.append(caption)
        self._frames = frame_only(*pictures)
        for frame in self._frames:
            frame.set_zorder(5)  # drawn over the pictures, which are redrawn on every update
        self._outlines = []
        for ax in (self._ax_saliency, self._ax_occlusion):
            lines = LineCollection([], colors=OUTLINE_COLOR, linewidths=0.9, zorder=3)
            ax.add_collection(lines, autolim=False)
            self._outlines.append(lines)
        self._strongest = Rectangle(
            (0, 0), 1, 1, fill=False, ec=HIGHLIGHT, lw=2.2, zorder=4, clip_on=False
        )
        self._ax_image.add_patch(self._strongest)
        self._saliency_scale = ColourScale(saliency_cax, SIGNED_CMAP, fontsize=9)
        self._occlusion_scale = ColourScale(occlusion_cax, SIGNED_CMAP, fmt=_points, fontsize=9)
        self._bars = LabelledBars(
            ax_bars, [str(k) for k in range(classes)], horizontal=True, fontsize=8.5
        )
        ax_bars.set_xlim(0, 1.5)
        ax_bars.set_xticks([])
        ax_bars.set_title("probabilities", fontsize=10.5, y=1.0)
        ax_bars.tick_params(axis="y", labelsize=10, length=0)
        for spine in ("top", "right", "bottom"):
            ax_bars.spines[spine].set_visible(False)
        self._bars_caption = ax_bars.text(
            0.5, -0.03, " \n ", transform=ax_bars.transAxes, ha="center", va="top", fontsize=9
        )

    def _dynamic_artists(self):
        return [
            self._im_image,
            self._im_saliency,
            self._im_occlusion,
            self._strongest,
            *self._outlines,
            *self._frames,
            self._ax_image.title,
            self._ax_saliency.title,
            self._ax_occlusion.title,
            *self._captions,
            self._bars_caption,
            *self._saliency_scale.labels,
            *self._occlusion_scale.labels,
            *self._bars.artists,
        ]

    def _layout_controls(self):
        c = self.controls
        first = [c[name] for name in ("source", "index", "target") if name in c]
        return widgets.VBox(
            [
                widgets.HBox(first, layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(
                    [c["patch"], c["stride"], c["view"]],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ]
        )

    # -- the digit --------------------------------------------------------------------------
    def _drawing_changed(self, digit):
        """The pad has a new digit: show its maps if the drawing is what is shown."""
        if self.controls["source"].value == DRAWING:
            self.update()

    def _drawing_shown(self):
        return "source" in self.controls and self.controls["source"].value == DRAWING

    def _digit(self):
        """``(image (1, H, W) float32, label or None, key for the cache, name)``."""
        if self._drawing_shown():
            digit = self.pad.digit
            return (
                prepare_images(digit[None])[0],
                None,
                ("drawing", digit.tobytes()),
                "your drawing",
            )
        index = self.controls["index"].value
        label = None if self.labels is None else int(self.labels[index])
        return self.images[index], label, ("test", index), f"test digit #{index}"

    def _target(self, answer, label):
        choice = self.controls["target"].value
        if choice == ANSWER:
            return answer
        if choice == TRUE:
            if label is None:
                raise ValueError(
                    "your drawing has no true digit to show; choose the network's answer or a "
                    "class 0-9"
                )
            return label
        return int(choice)

    def _occlusion(self, key, image, patch, stride):
        """Drops of every class (K, Ho, Wo), computed once per digit, patch and stride."""
        key = (key, patch, stride)
        drops = self._occlusions.get(key)
        if drops is None:
            drops = occlusion_map(self.model, image, None, patch=patch, stride=stride)
            self._occlusions[key] = drops
            while len(self._occlusions) > self.max_cached:
                self._occlusions.popitem(last=False)  # the least recently used
        else:
            self._occlusions.move_to_end(key)
        return drops

    # -- the explorer contract ---------------------------------------------------------------
    def _compute(self):
        image, label, key, self._name = self._digit()
        self._image_shown = image[0]
        if not image.any() and self._drawing_shown():
            raise ValueError(
                "the drawing pad is empty: draw a digit on it first (or show a test digit)"
            )
        probabilities = np.asarray(self.model.predict_proba(image[None])[0], dtype=float)
        answer = int(np.argmax(probabilities))
        target = self._target(answer, label)
        patch, stride = self.controls["patch"].value, self.controls["stride"].value
        drops = self._occlusion(key, image, patch, stride)[target]
        height, width = image.shape[1:]
        lowers = np.unravel_index(np.argmax(drops), drops.shape)
        raises = np.unravel_index(np.argmin(drops), drops.shape)
        return Attribution(
            image=image[0],
            label=label,
            probabilities=probabilities,
            answer=answer,
            target=target,
            saliency=saliency_map(self.model, image, target)[0],
            drops=drops,
            drops_per_pixel=occlusion_per_pixel(drops, (height, width), patch, stride),
            patch=patch,
            stride=stride,
            lowers_most=(int(lowers[0]) * stride, int(lowers[1]) * stride),
            raises_most=(int(raises[0]) * stride, int(raises[1]) * stride),
        )

    def _draw(self, result):
        for artist in (self._im_saliency, self._im_occlusion, self._strongest, *self._outlines):
            artist.set_visible(result is not None)
        if result is None:
            self._draw_nothing()
            return
        self._im_image.set_data(result.image)
        self._draw_saliency(result)
        self._draw_occlusion(result)
        segments = ink_outline(result.image)
        for lines in self._outlines:
            lines.set_segments(segments)
        self._draw_strongest_patch(result)
        self._draw_labels(result)

    def _draw_nothing(self):
        """Impossible settings: the digit if there is one, empty maps and bars."""
        self._im_image.set_data(self._image_shown)
        self._ax_image.title.set_text(f"{self._name}\n ")
        self._ax_saliency.title.set_text("saliency\n ")
        self._ax_occlusion.title.set_text("occlusion\n ")
        for text in (*self._captions, self._bars_caption):
            text.set_text(" \n ")
        for scale in (self._saliency_scale, self._occlusion_scale):
            for text in scale.labels:
                text.set_text("")
        self._bars.set(np.zeros(len(self._bars.bars)), fmt=lambda p: "")

    def _draw_saliency(self, r):
        """Signed colours on a scale that fits this map."""
        limit = _round_up(signed_limit(r.saliency))
        self._im_saliency.set_data(signed_colors(r.saliency, limit))
        self._saliency_scale.update(SIGNED_CMAP, -limit, limit)

    def _draw_occlusion(self, r):
        """One cell per patch position centred on its patch, or per pixel; on a signed scale
        that fits what is shown (a pixel's mean over several patches is smaller)."""
        height, width = r.image.shape
        if self.controls["view"].value == PER_POSITION:
            shown, extent = r.drops, _position_extent(r.drops.shape, r.patch, r.stride)
        else:
            shown, extent = r.drops_per_pixel, (-0.5, width - 0.5, height - 0.5, -0.5)
        measured = shown[np.isfinite(shown)]  # per pixel: NaN where no patch covered it
        limit = min(1.0, _round_up(max(OCCLUSION_SCALE_FLOOR, signed_limit(measured))))
        self._im_occlusion.set_data(signed_colors(shown, limit))
        self._im_occlusion.set_extent(extent)
        self._occlusion_scale.update(SIGNED_CMAP, -limit, limit)

    def _draw_strongest_patch(self, r):
        """The square on the digit, and its caption: the patch whose covering changes P the
        most, lowering it (orange) or raising it (blue); none if no patch changes it."""
        t = r.target
        largest, smallest = r.drops.max(), r.drops.min()
        lowers = largest >= NOTICEABLE and largest >= -smallest
        raises = not lowers and smallest <= -NOTICEABLE
        top, left = r.raises_most if raises else r.lowers_most
        self._strongest.set_bounds(left - 0.5, top - 0.5, r.patch, r.patch)
        self._strongest.set_edgecolor(RAISES_COLOR if raises else HIGHLIGHT)
        self._strongest.set_visible(lowers or raises)
        if lowers:
            caption = f"orange: covering this patch\nlowers P({t}) most"
        elif raises:
            caption = f"blue: covering this patch\nraises P({t}) most"
        else:
            caption = f"no patch changes P({t})\nnoticeably"
        self._captions[0].set_text(caption)

    def _draw_labels(self, r):
        """Titles, the maps' captions and the probabilities."""
        t = r.target
        truth = "" if r.label is None else f"label {r.label}, "
        self._ax_image.title.set_text(f"{self._name}\n{truth}says {r.answer}")
        self._ax_saliency.title.set_text(f"saliency for {t}\nd score({t}) / d pixel")
        rows, cols = r.drops.shape
        self._ax_occlusion.title.set_text(
            f"occlusion for {t}\npatch {r.patch}, stride {r.stride}: {rows}\u00d7{cols}"
        )
        self._captions[1].set_text(f"red: more ink, higher score({t})\nblue: more ink, lower")
        self._captions[2].set_text(f"drop in P({t}) when covered\nred: it falls; blue: it rises")
        outline = "\norange: true digit" if r.label is not None else "\n "
        role = {ANSWER: "answer", TRUE: "true digit"}.get(self.controls["target"].value, "class")
        self._bars_caption.set_text(f"dark: {role} {t}{outline}")  # why this class is shown
        self._bars.set(r.probabilities, fmt=_percent, highlight=t, outline=r.label)

    def _describe_picture(self, r):
        """The three pictures and the bars in words: the digit and the square on it, both
        maps' ranges, colour scales and strongest places, the probabilities."""
        t, p = r.target, r.probabilities
        h, w = r.image.shape
        truth = "" if r.label is None else f" (label {r.label})"
        size = r.patch - 1
        most, least = r.drops.max(), r.drops.min()
        if most >= NOTICEABLE and most >= -least:
            (top, left), verb, colour = r.lowers_most, "lowers", "orange"
        elif least <= -NOTICEABLE:
            (top, left), verb, colour = r.raises_most, "raises", "blue"
        else:
            verb = None
        if verb:
            spot = (
                f"row {top}, column {left}"
                if size == 0
                else f"rows {top}-{top + size}, columns {left}-{left + size}"
            )
            article = "an" if colour == "orange" else "a"
            square = f"{article} {colour} square on {spot}: covering it {verb} P({t}) most"
        else:
            square = f"no square: no patch changes P({t}) noticeably"
        limit = short_number(_round_up(signed_limit(r.saliency))) if r.saliency.any() else "0"
        where = extremes_text(r.saliency, "highest", "lowest")
        saliency = (
            f"Saliency for {t} (how the score of {t} changes with more ink; scale "
            f"\u00b1{limit}, red +, blue \u2212, the digit outlined): {range_text(r.saliency)}"
            + (f"; {where}" if where else "")
        )
        per_pixel = self.controls["view"].value == PER_PIXEL
        rows, cols = r.drops.shape
        shown = r.drops_per_pixel if per_pixel else r.drops
        measured = shown[np.isfinite(shown)]
        scale = min(1.0, _round_up(max(OCCLUSION_SCALE_FLOOR, signed_limit(measured))))
        low, high = _points(measured.min()), _points(measured.max())
        drops = f"all {low}" if low == high else f"from {low} to {high}"
        occlusion = (
            f"Occlusion for {t}, patch {r.patch}, stride {r.stride} ({rows}x{cols} positions, "
            f"shown {'per pixel' if per_pixel else 'one cell per position'}; scale "
            f"\u00b1{_points(scale)}): the drop in P({t}) when covered, {drops} (red: it "
            "falls, blue: it rises)"
        )
        never = int(np.isnan(r.drops_per_pixel).sum())
        if never:
            occlusion += f"; {never} pixels never covered (gray)"
        bars = f"Ten probability bars: the network says {r.answer} ({p[r.answer]:.1%})"
        choice = self.controls["target"].value
        if choice == ANSWER:
            bars += ", its bar dark as the class chosen"
        elif choice == TRUE:
            bars += f"; the true digit {t} chosen, its bar dark, {p[t]:.1%}"
        else:
            bars += f"; class {t} chosen, its bar dark, {p[t]:.1%}"
        if r.label is not None:
            bars += f"; the true digit {r.label} outlined"
        bars += "."
        return (
            f"{self._name.capitalize()}{truth}, {h}x{w}, with {square}. {saliency}. "
            f"{occlusion}. {bars}"
        )

    def _describe(self, r):
        """Always four lines (:data:`STATUS_LINES`), each short enough not to wrap in a
        notebook column, so that the explorer keeps its height as the controls move."""
        p = r.probabilities
        t = r.target
        truth = "" if r.label is None else f" (label {r.label})"
        lines = [
            f"{self._name.capitalize()}{truth}: the network says {r.answer} "
            f"({p[r.answer]:.1%} sure). The maps are about class {t}, P({t}) = {p[t]:.1%}."
        ]
        high = np.unravel_index(np.argmax(r.saliency), r.saliency.shape)
        low = np.unravel_index(np.argmin(r.saliency), r.saliency.shape)
        if not r.saliency.any():
            lines.append(f"Saliency: 0 everywhere, no pixel changes the score of {t} here.")
        else:
            lines.append(
                f"Saliency: the score of {t} would rise most with more ink at row {high[0]}, "
                f"column {high[1]}, and fall most at row {low[0]}, column {low[1]}."
            )
        size = r.patch - 1
        most, least = r.drops.max(), r.drops.min()
        if most >= NOTICEABLE:
            top, left = r.lowers_most
            where = (
                f"covering rows {top}-{top + size}, columns {left}-{left + size} lowers "
                f"P({t}) most, by {most * 100:.1f} points"
            )
        else:
            where = f"no patch lowers P({t}) by more than 0.05 points"
        lines.append(f"Occlusion (patch {r.patch}, stride {r.stride}): {where}.")
        if least <= -NOTICEABLE:
            top, left = r.raises_most
            rise = (
                f"Covering rows {top}-{top + size}, columns {left}-{left + size} raises "
                f"P({t}) most, by {-least * 100:.1f} points."
            )
        else:
            rise = f"No patch raises P({t}) by more than 0.05 points."
        never = int(np.isnan(r.drops_per_pixel).sum())
        if never:
            rise += f" {never} pixels (gray) were never covered."
        lines.append(rise)
        return "<br>".join(lines)


def _position_extent(shape, patch, stride):
    """imshow extent that centres occlusion cell (i, j) on the patch it stands for."""
    rows, cols = shape
    start = (patch - 1) / 2 - stride / 2  # the first cell's edge, in pixel coordinates
    return (start, start + cols * stride, start + rows * stride, start)


def _round_up(value):
    """The next of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of 10) at or above ``value``.

    Colour scales end on such round numbers: easier to read, and their labels
    repeat from one picture to the next (a new label costs a new text drawing).
    """
    power = 10.0 ** np.floor(np.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= value * (1 - 1e-9):
            return float(step * power)
    return float(10 * power)  # not reached: value / power < 10


def _percent(p):
    return f"{p:.0%}" if p >= 0.005 else ""


def _points(value):
    """A probability difference as percentage points: 0.35 -> '35%', -0.02 -> '−2%'."""
    return short_number(round(value * 100, 1)) + "%" if value else "0"
