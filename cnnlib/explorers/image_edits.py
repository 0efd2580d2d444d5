"""Explorers for notebook 01: editing an image is arithmetic on its numbers.

* :class:`ResolutionExplorer` -- what downsampling keeps and what it loses;
* :class:`ImageEditExplorer` -- brightness, contrast, negative and threshold
  are arithmetic on the numbers (and what ``uint8`` overflow does);
  :func:`edit_pixels` is its pipeline as one plain function.

Each builds its figure once and only updates the artists afterwards (see
:mod:`cnnlib.explorers._base`).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from cnnlib import images as img
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.explorers._pictures import (
    MARK,
    check_digits,
    fit_image,
    full_labels,
    photo_and_gray,
    pixel_extent,
    screen_copy,
    thousands,
)
from cnnlib.plotting import IMAGE_CMAP, show_image
from cnnlib.plotting.describe import range_text, rows_text, size_text

__all__ = ["ImageEditExplorer", "ResolutionExplorer", "edit_pixels"]


def _shape_text(shape) -> str:
    return " x ".join(str(s) for s in shape)


# ----------------------------------------------------------------------------
# ResolutionExplorer
# ----------------------------------------------------------------------------
class ResolutionExplorer(BlitExplorer):
    """Shrink an image by a factor and see what is lost.

    Every ``factor x factor`` block of pixels becomes one pixel (the block's
    average, or just its top-left pixel). The result is drawn at the same size
    as the original, so each of its pixels shows as a big square.

    Parameters
    ----------
    source : {"photo (colour)", "photo (grayscale)", "MNIST digit"}
    factor : int
        1 (unchanged) to 16.
    method : {"mean", "subsample"}
        See :func:`cnnlib.images.downsample`.
    index : int
        Which digit (for ``source="MNIST digit"``).
    digits, labels, photo : arrays, optional
        Other images to use.

    Attributes
    ----------
    output : ndarray
        The downsampled image, ``(H // factor, W // factor[, 3])``.
    """

    title = "Resolution: fewer pixels, fewer numbers, less detail"
    SOURCES = ("photo (colour)", "photo (grayscale)", "MNIST digit")
    METHODS = (("average each block", "mean"), ("keep one pixel per block", "subsample"))

    def __init__(
        self,
        source="photo (colour)",
        factor=8,
        method="mean",
        index=0,
        *,
        digits=None,
        labels=None,
        photo=None,
    ):
        super().__init__(figsize=(9.2, 4.25))  # 828 px: fits a notebook column
        digits, labels = check_digits(digits, labels)
        portrait = "the portrait of Grace Hopper" if photo is None else "the photo"
        photo, gray = photo_and_gray(photo)
        self._images = {
            "photo (colour)": photo,
            "photo (grayscale)": gray,
            "MNIST digit": digits[index],
        }
        self._index, self._label = index, labels[index]
        digit = f"digit #{index}" + (f" (a {labels[index]})" if labels[index] >= 0 else "")
        self._names = {  # what the description calls each image
            "photo (colour)": f"{portrait} in colour",
            "photo (grayscale)": f"{portrait} in grayscale",
            "MNIST digit": digit,
        }
        self._lost_cache: dict[tuple, float] = {}
        self._screen = {name: screen_copy(im) for name, im in self._images.items()}
        self.controls["source"] = widgets.Dropdown(
            options=self.SOURCES, value=source, description="image"
        )
        self.controls["factor"] = widgets.IntSlider(
            value=factor, min=1, max=16, description="factor"
        )
        self.controls["method"] = widgets.Dropdown(
            options=self.METHODS, value=method, description="method"
        )
        self._ax_before, self._ax_after = self.figure.subplots(1, 2)
        self._im_before = show_image(self._ax_before, photo, title=" ")
        self._im_after = show_image(self._ax_after, photo, title=" ")
        # lay the figure out for the tallest image, so no title is pushed off later
        self._shown = None
        self._lay_out()
        full_labels(self.controls)
        self._watch()
        self.update()

    def _background_key(self):
        return self.controls["source"].value

    def _dynamic_artists(self):
        return [self._im_after, self._ax_after.title, *self._ax_after.spines.values()]

    def _compute(self):
        c = self.controls
        return img.downsample(self._images[c["source"].value], c["factor"].value, c["method"].value)

    def _draw(self, small):
        c = self.controls
        source, factor = c["source"].value, c["factor"].value
        image = self._images[source]
        h, w = image.shape[:2]
        cmap = IMAGE_CMAP  # as everywhere in the course: 0 black, 255 white
        if self._shown != source:
            screen, _ = self._screen[source]
            self._im_before.set_data(screen)
            for im, ax in ((self._im_before, self._ax_before), (self._im_after, self._ax_after)):
                im.set_extent(pixel_extent(h, w))
                im.set_cmap(cmap)
                fit_image(ax, h, w)
            what = source
            if source == "MNIST digit":
                label = self._label
                what = f"digit #{self._index}" + (f" (a {label})" if label >= 0 else "")
            self._ax_before.set_title(
                f"{what}: {_shape_text(image.shape)} = {thousands(image.size)} numbers"
            )
            self._shown = source
        if small is None:
            self._im_after.set_data(np.full((1, 1), np.nan))
            self._ax_after.set_title("(not possible)")
            return
        rows, cols = small.shape[:2]
        screen, _ = screen_copy(small)  # big results are drawn from a screen-sized copy
        self._im_after.set_data(screen)
        self._im_after.set_extent(pixel_extent(rows * factor, cols * factor))
        self._ax_after.set_title(
            f"factor {factor}: {_shape_text(small.shape)} = {thousands(small.size)} numbers"
        )

    def _lost(self, small) -> float:
        """How far, on average, each number of the shrunk image is from the ones it replaced.

        The mean absolute difference between the original and the shrunk image drawn at
        the original's size (each value repeated over its block), over the pixels the
        blocks cover. Cached: it depends only on the image, the factor and the method.
        """
        c = self.controls
        key = (c["source"].value, c["factor"].value, c["method"].value)
        if key not in self._lost_cache:
            f, image = key[1], self._images[key[0]]
            rows, cols = small.shape[:2]
            blocks = image[: rows * f, : cols * f].reshape(rows, f, cols, f, *image.shape[2:])
            spread = small[:, None, :, None].astype(np.int16)  # each value over its block
            self._lost_cache[key] = float(np.abs(blocks.astype(np.int16) - spread).mean())
        return self._lost_cache[key]

    def _before_words(self) -> str:
        image = self._images[self.controls["source"].value]
        return (
            f"Left: {self._names[self.controls['source'].value]}, "
            f"{size_text(image)} = {thousands(image.size)} numbers."
        )

    def _describe_picture(self, small):
        """Both images in numbers: how many there were and are, and how much detail went."""
        c = self.controls
        factor = c["factor"].value
        image = self._images[c["source"].value]
        how = "its average" if c["method"].value == "mean" else "its top-left pixel"
        if factor == 1:
            after = f"Right: factor 1, unchanged: the same {thousands(small.size)} numbers."
        else:
            listed = f", by row {rows_text(small)}" if small.ndim == 2 and small.size <= 16 else ""
            after = (
                f"Right: factor {factor}, each {factor}x{factor} block replaced by {how}: "
                f"{size_text(small)} = {thousands(small.size)} "
                f"number{'s' if small.size > 1 else ''} "
                f"({small.size / image.size:.1%} of them){listed}, drawn at the same size, so "
                f"each new pixel shows as a square of {factor}x{factor}; on average a number is "
                f"now {self._lost(small):.0f} away from the one it replaced (on the 0-255 scale)."
            )
        lost_r, lost_c = self._left_over(image, small, factor)
        if lost_r or lost_c:
            strips = [
                f"{n} {what}" + ("s" if n > 1 else "")
                for n, what in ((lost_r, "row"), (lost_c, "column"))
                if n
            ]
            after += (
                f" Left over, too few for a whole block: the last {' and '.join(strips)}, "
                "dropped (a blank strip at the "
                + " and ".join(s for n, s in ((lost_r, "bottom"), (lost_c, "right")) if n)
                + ")."
            )
        return f"{self._before_words()} {after}"

    def _describe_impossible(self):
        return f"{self._before_words()} Right: no shrunk image, because {self.message}."

    @staticmethod
    def _left_over(image, small, factor):
        """The rows and columns at the bottom and right too few for a whole block."""
        h, w = image.shape[:2]
        return h - small.shape[0] * factor, w - small.shape[1] * factor

    def _describe(self, small):
        c = self.controls
        factor = c["factor"].value
        image = self._images[c["source"].value]
        how = "its average" if c["method"].value == "mean" else "its top-left pixel only"
        share = small.size / image.size
        text = (
            f"Each {factor} x {factor} block became one pixel ({how}): "
            f"{thousands(image.size)} numbers became {thousands(small.size)} "
            f"({share:.1%} of them). "
            f"Details smaller than {factor} pixels are gone."
        )
        lost_r, lost_c = self._left_over(image, small, factor)
        if lost_r or lost_c:
            text += (
                f" The last {lost_r} row(s) and {lost_c} column(s) do not fill a whole block"
                " and were dropped (blank strip)."
            )
        return text


# ----------------------------------------------------------------------------
# ImageEditExplorer
# ----------------------------------------------------------------------------
def _unbounded(image, brightness, contrast):
    """Contrast (around 128), then brightness, rounded: whole numbers, not yet in 0-255."""
    return np.rint(128.0 + contrast * (np.asarray(image, dtype=np.float64) - 128.0) + brightness)


def edit_pixels(image, brightness=0, contrast=1.0, invert=False, level=None, wrap=False):
    """The editing pipeline of :class:`ImageEditExplorer`, on the 0-255 scale.

    contrast (around 128), then brightness, then the negative, then the
    threshold (``level=None``: none). ``wrap=True`` keeps only the last 8 bits
    of each result instead of clipping, which is what plain ``uint8``
    arithmetic does (``np.uint8(250) + 10 == 4``).

    Returns an array of uint8 with the shape of ``image``.
    """
    x = _unbounded(image, brightness, contrast)
    x = np.mod(x, 256) if wrap else np.clip(x, 0, 255)
    if invert:
        x = 255 - x
    if level is not None:
        x = np.where(x >= level, 255, 0)
    return x.astype(np.uint8)


class ImageEditExplorer(BlitExplorer):
    """Image editing is arithmetic on the pixel numbers.

    Sliders for contrast and brightness, a negative switch and a threshold;
    the histogram shows how many pixels have each value before (gray) and
    after (orange) the edit. The ``numbers`` control compares clipping to
    0-255 with what raw ``uint8`` arithmetic does: values past 255 wrap around
    to 0 and bright areas turn black.

    Parameters
    ----------
    source : {"photo (grayscale)", "MNIST digit"}
    brightness : int
        Added to every pixel, -150 to 150.
    contrast : float
        Distances from middle gray (128) are multiplied by this, 0 to 3.
    negative : bool
        Replace every value x by 255 - x.
    threshold : int
        0 = off; otherwise pixels >= threshold become 255, the others 0.
    overflow : {"clip", "wrap"}
        What happens to results outside 0-255: clipped, or wrapped around as
        raw ``uint8`` arithmetic does.
    index : int
        Which digit (for ``source="MNIST digit"``).
    digits : array (n, H, W), optional
        Other digits (default: the first 100 training digits).
    labels : array (n,), optional
        Accepted as by the other notebook-01 explorers; this one does not show it.
    photo : array (H, W, 3) or (H, W), optional
        Another photo (default: :func:`cnnlib.datasets.load_photo`), edited in
        grayscale.

    Attributes
    ----------
    output : ndarray of uint8
        The edited image. For the photo this is the edited screen-sized copy
        (the 600 x 512 course photo is edited as 300 x 256: the same
        arithmetic on the pixels that are drawn).
    """

    title = "Image editing = arithmetic on the numbers"
    SOURCES = ("photo (grayscale)", "MNIST digit")
    OVERFLOW = (("clip to 0-255 (safe)", "clip"), ("raw uint8: wraps around", "wrap"))
    #: The histogram's height is this times its tallest bar: the legend sits in the rest.
    HIST_HEADROOM = 1.3

    def __init__(
        self,
        source="photo (grayscale)",
        brightness=0,
        contrast=1.0,
        negative=False,
        threshold=0,
        overflow="clip",
        index=0,
        *,
        digits=None,
        labels=None,
        photo=None,
    ):
        super().__init__(figsize=(9.2, 3.6))  # 828 px: fits a notebook column
        digits, labels = check_digits(digits, labels)
        portrait = "the portrait of Grace Hopper" if photo is None else "the photo"
        _, gray = photo_and_gray(photo)
        # edit a screen-sized copy: the same arithmetic, a quarter of the pixels
        self._images = {"photo (grayscale)": screen_copy(gray)[0], "MNIST digit": digits[index]}
        self._names = {  # what the description calls each image
            "photo (grayscale)": f"{portrait} in grayscale",
            "MNIST digit": f"digit #{index}"
            + (f" (a {labels[index]})" if labels[index] >= 0 else ""),
        }
        self._counts: dict[str, np.ndarray] = {}  # source -> how many pixels have each value
        self._wrapped_count: tuple = (None, 0)  # (source, brightness, contrast), count
        c = self.controls
        c["source"] = widgets.Dropdown(options=self.SOURCES, value=source, description="image")
        c["contrast"] = widgets.FloatSlider(
            value=contrast, min=0.0, max=3.0, step=0.1, description="contrast x"
        )
        c["brightness"] = widgets.IntSlider(
            value=brightness, min=-150, max=150, step=5, description="brightness +"
        )
        c["negative"] = widgets.Checkbox(value=negative, description="negative", indent=False)
        c["threshold"] = widgets.IntSlider(
            value=threshold, min=0, max=255, step=5, description="threshold"
        )
        c["overflow"] = widgets.Dropdown(
            options=self.OVERFLOW, value=overflow, description="numbers"
        )
        grid = self.figure.add_gridspec(1, 3, width_ratios=[1, 1, 1.25])
        self._ax_before = self.figure.add_subplot(grid[0])
        self._ax_after = self.figure.add_subplot(grid[1])
        self._ax_hist = self.figure.add_subplot(grid[2])
        # built with the photo whatever the source: the layout is fixed at the first
        # draw, and laid out for a square digit the two-line title above the edited
        # image would be cut off at the top
        first = self._images["photo (grayscale)"]
        self._im_before = show_image(self._ax_before, first, title="original")
        self._im_after = show_image(self._ax_after, first, title="edited\n ")
        self._ax_after.title.set_fontsize(10.5)
        self._edges = np.linspace(0, 256, 33)
        ax = self._ax_hist
        self._hist_before = ax.stairs(
            np.zeros(32), self._edges, fill=True, color="0.75", label="original"
        )
        self._hist_after = ax.stairs(
            np.zeros(32), self._edges, color=MARK, linewidth=2.2, label="edited"
        )
        ax.set_xlim(0, 256)
        ax.set_xticks([0, 64, 128, 192, 255])
        ax.set_yticks([])
        ax.set_xlabel("pixel value")
        ax.set_title("how many pixels have each value")
        ax.legend(loc="upper center", frameon=False, ncols=2, fontsize=10)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        self._legend = ax.get_legend()
        self._shown = None
        self._lay_out()
        full_labels(self.controls)
        self._watch()
        self.update()

    def _background_key(self):
        return self.controls["source"].value

    def _dynamic_artists(self):
        # the histogram's height limit follows the edited image, so both curves move
        return [
            self._im_after,
            self._ax_after.title,
            *self._ax_after.spines.values(),
            self._hist_before,
            self._hist_after,
            self._legend,
        ]

    def _settings(self):
        c = self.controls
        return {
            "brightness": c["brightness"].value,
            "contrast": c["contrast"].value,
            "invert": c["negative"].value,
            "level": c["threshold"].value or None,
            "wrap": c["overflow"].value == "wrap",
        }

    def _compute(self):
        return edit_pixels(self._images[self.controls["source"].value], **self._settings())

    def _histogram(self, image):
        counts, _ = np.histogram(image, bins=self._edges)
        return counts / image.size

    def _draw(self, edited):
        source = self.controls["source"].value
        image = self._images[source]
        if self._shown != source:
            h, w = image.shape
            self._im_before.set_data(image)
            for im, ax in ((self._im_before, self._ax_before), (self._im_after, self._ax_after)):
                im.set_extent(pixel_extent(h, w))
                fit_image(ax, h, w)
            self._before_counts = self._histogram(image)
            self._hist_before.set_data(self._before_counts)
            self._shown = source
        after = self._histogram(edited)
        self._im_after.set_data(edited)
        self._hist_after.set_data(after)
        # a log-like scale would hide the spikes; scale to the tallest bar instead, with
        # the top of the panel kept free for the legend, which a peak may sit under anywhere
        tallest = max(after.max(), self._before_counts.max())
        self._ax_hist.set_ylim(0, self.HIST_HEADROOM * tallest)
        self._ax_after.set_title(self._formula(short=True))

    def _formula(self, short=False):
        s = self._settings()
        x = "x"
        if s["contrast"] != 1:
            x = f"128 + {s['contrast']:g}(x - 128)"
        if s["brightness"]:
            x = f"{x} {'+' if s['brightness'] > 0 else '-'} {abs(s['brightness'])}"
        if short:  # two short lines for the panel title
            first = [f"contrast x{s['contrast']:g}"] if s["contrast"] != 1 else []
            if s["brightness"]:
                first.append(f"{s['brightness']:+d}")
            second = ["negative"] if s["invert"] else []
            if s["level"] is not None:
                second.append(f"threshold {s['level']}")
            if s["wrap"] and first:  # a changed contrast or brightness can leave 0-255
                second.append("wrapped")
            if not first and not second:
                return "edited\n(no change yet)"
            return "edited: " + ", ".join(first or ["x"]) + "\n" + ", ".join(second)
        rule = f"({x}) mod 256" if s["wrap"] else f"clip({x}, 0, 255)"
        if s["invert"]:
            rule = f"255 - {rule}"
        if s["level"] is not None:
            rule = f"255 if {rule} >= {s['level']} else 0"
        return rule

    def _edit_words(self) -> str:
        """The edit in words: "contrast x2, brightness +20, negative", or "" for none."""
        s = self._settings()
        words = [f"contrast x{s['contrast']:g}"] if s["contrast"] != 1 else []
        if s["brightness"]:
            words.append(f"brightness {s['brightness']:+d}")
        if s["invert"]:
            words.append("negative")
        if s["level"] is not None:
            words.append(f"threshold at {s['level']}")
        if s["wrap"]:
            words.append("raw uint8 numbers that wrap around")
        return ", ".join(words)

    @staticmethod
    def _values_words(image, counts) -> str:
        """Range and average, and how many pixels sit at 0 and at 255."""
        n = image.size
        share = {v: f"{counts[v] / n:.0%}" for v in (0, 255) if counts[v]}
        if counts[1:255].sum() == 0:  # a threshold: only black and white are left
            return "only 0 and 255: " + " and ".join(f"{p} are {v}" for v, p in share.items())
        ends = " and ".join(f"{p} are {v}" for v, p in share.items() if p != "0%")
        return f"{range_text(image)}, average {image.mean():.0f}" + (f"; {ends}" if ends else "")

    @staticmethod
    def _middle(counts) -> str:
        """Where the middle 90% of the pixels lie, read off the counts of each value."""
        cumulative = np.cumsum(counts) / counts.sum()
        low, high = np.searchsorted(cumulative, [0.05, 0.95])
        return f"between {int(low)} and {int(high)}"

    def _describe_picture(self, edited):
        """Original and edited image in numbers; the histogram as where the values lie."""
        source = self.controls["source"].value
        image = self._images[source]
        if source not in self._counts:
            self._counts[source] = np.bincount(image.ravel(), minlength=256)
        before, after = self._counts[source], np.bincount(edited.ravel(), minlength=256)
        edits = self._edit_words()
        middle = "the edited image, unchanged so far" if not edits else f"edited ({edits})"
        text = (
            f"Left: the original, {self._names[source]}, {size_text(image)} pixels "
            f"(black = 0, white = 255), {self._values_words(image, before)}. "
            f"Middle: {middle}, {self._values_words(edited, after)}."
        )
        s = self._settings()
        if s["wrap"]:
            wrapped = self._wrapped()
            pixels = "1 pixel" if wrapped == 1 else f"{thousands(wrapped)} pixels"
            text += f" {pixels} wrapped around past 0 or 255."
        return text + (
            " Right: the histogram of how many pixels have each value (original filled gray, "
            f"edited as an orange outline): the middle 90% of the original's pixels lie "
            f"{self._middle(before)}, of the edited ones {self._middle(after)}."
        )

    def _wrapped(self) -> int:
        """How many pixels leave 0-255 before wrapping (the status line and the description
        both say it: counted once per setting)."""
        s = self._settings()
        key = (self.controls["source"].value, s["brightness"], s["contrast"])
        if self._wrapped_count[0] != key:
            raw = _unbounded(self._images[key[0]], s["brightness"], s["contrast"])
            self._wrapped_count = (key, int(np.count_nonzero((raw > 255) | (raw < 0))))
        return self._wrapped_count[1]

    def _describe(self, edited):
        s = self._settings()
        text = f"edited pixel = {self._formula()}."
        if s["wrap"]:
            wrapped = self._wrapped()
            text += (
                f" uint8 keeps only 0-255: 256 becomes 0, 260 becomes 4, -1 becomes 255."
                f" {thousands(wrapped)} pixels wrapped around."
            )
        return text
