"""Explorers for notebook 01: an image is a grid of numbers.

* :class:`PixelExplorer` -- zoom into a digit or a photo and read the numbers;
* :class:`ChannelExplorer` -- a colour photo is three grayscale images;
* :class:`ResolutionExplorer` -- what downsampling keeps and what it loses;
* :class:`ImageEditExplorer` -- brightness, contrast, negative and threshold
  are arithmetic on the numbers (and what ``uint8`` overflow does);
* :class:`ShiftExplorer` -- the same digit moved by two pixels is a very
  different array of numbers.

Each builds its figure once and only updates the artists afterwards (see
:mod:`cnnlib.explorers._base`). Numbers are printed on the pixels with
:class:`cnnlib.plotting.LabelGrid`, one artist for the whole grid, and only
for small windows.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from cnnlib import images as img
from cnnlib.explorers._blit import BlitExplorer
from cnnlib.images import pixel_distance
from cnnlib.plotting import (
    IMAGE_CMAP,
    SIGNED_CMAP,
    LabelGrid,
    contrast_colors,
    show_image,
)

__all__ = [
    "ChannelExplorer",
    "ImageEditExplorer",
    "PixelExplorer",
    "ResolutionExplorer",
    "ShiftExplorer",
]

#: Colour of the outlines that mark a window or a pixel: orange reads on black,
#: on white and on the photo's skin tones, and is distinct for colour-blind eyes.
MARK = "#f28e2b"
CHANNEL_COLOURS = {"red": "#c0392b", "green": "#1e8449", "blue": "#2874a6"}
DIGITS_SHOWN = 100  # the first 100 training digits are plenty to browse


# ----------------------------------------------------------------------------
# data: the course's digits and photo, loaded once per session
# ----------------------------------------------------------------------------
_CACHE: dict[str, object] = {}


def _digits():
    """The first :data:`DIGITS_SHOWN` MNIST training digits and their labels."""
    if "digits" not in _CACHE:
        from cnnlib.datasets import load_mnist

        images, labels = load_mnist("train")
        _CACHE["digits"] = (images[:DIGITS_SHOWN], labels[:DIGITS_SHOWN])
    return _CACHE["digits"]


def _photo():
    """The colour photo, (600, 512, 3) uint8."""
    if "photo" not in _CACHE:
        from cnnlib.datasets import load_photo

        _CACHE["photo"] = load_photo()
    return _CACHE["photo"]


def _photo_and_gray(photo):
    """The given photo (or the course's) and its grayscale version."""
    photo = _photo() if photo is None else np.asarray(photo)
    return photo, img.to_grayscale(photo) if photo.ndim == 3 else photo


def _check_digits(digits, labels):
    if digits is None:
        return _digits()
    digits = np.asarray(digits)
    if digits.ndim != 3 or len(digits) == 0:
        raise ValueError(f"digits must have shape (n, H, W) with n >= 1, but has {digits.shape}")
    if labels is None:
        labels = np.full(len(digits), -1)
    return digits, np.asarray(labels)


def _n(count: int) -> str:
    """1234567 -> '1,234,567'."""
    return f"{count:,}"


def _shape_text(shape) -> str:
    return " x ".join(str(s) for s in shape)


def _bare(ax):
    ax.set_xticks([])
    ax.set_yticks([])


def _hide_frame(ax):
    _bare(ax)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _full_labels(controls):
    """Show every control's full label ("brightness +", "left col", ...)."""
    for control in controls.values():
        if hasattr(control, "description") and not isinstance(control, widgets.Checkbox):
            control.style.description_width = "initial"


def _grid_segments(size: int):
    """Lines between the cells of a size x size grid drawn with imshow."""
    edges = np.arange(size + 1) - 0.5
    lo, hi = -0.5, size - 0.5
    return [[(e, lo), (e, hi)] for e in edges] + [[(lo, e), (hi, e)] for e in edges]


# ----------------------------------------------------------------------------
# PixelExplorer
# ----------------------------------------------------------------------------
class PixelExplorer(BlitExplorer):
    """Zoom into a digit or a photo and read the numbers behind the pixels.

    Left: the whole image, with an orange frame around the window. Right: the
    window enlarged, with each pixel's value printed on it (for windows up to
    :attr:`MAX_LABELED` pixels wide) and the row and column numbers around it.

    Parameters
    ----------
    source : {"MNIST digit", "photo (grayscale)"}
    index : int
        Which digit (0 to 99: the first 100 training digits).
    row, col : int, optional
        Top-left pixel of the window (default: an interesting spot).
    size : int
        Side of the square window, in pixels.
    cmap : {"gray", "gray_r"}
        ``gray``: 0 black, 255 white. ``gray_r``: the reverse, 0 white, 255
        black, which makes MNIST's high-valued ink look like ink on paper.
    digits, labels, photo : arrays, optional
        Other images to inspect: digits (n, H, W), their labels (n,), and a
        colour (H, W, 3) or grayscale (H, W) photo.

    Attributes
    ----------
    output : ndarray, shape (size, size)
        The numbers in the window (a copy).
    """

    title = "Pixel inspector: every pixel is a number"
    SOURCES = ("MNIST digit", "photo (grayscale)")
    MAX_LABELED = 10  #: largest window side with values printed (more would be unreadable)
    MAX_SIZE = 32

    def __init__(
        self,
        source="MNIST digit",
        index=0,
        row=None,
        col=None,
        size=10,
        cmap="gray",
        *,
        digits=None,
        labels=None,
        photo=None,
    ):
        super().__init__(figsize=(9.2, 4.25))  # 828 px: fits a notebook column
        self._digits, self._labels = _check_digits(digits, labels)
        photo, self._gray_photo = _photo_and_gray(photo)
        self._screen = {"photo (grayscale)": _screen_copy(self._gray_photo, 330)[0]}
        self._shown = None
        self._holding = False
        c = self.controls
        c["source"] = widgets.Dropdown(options=self.SOURCES, value=source, description="image")
        c["index"] = widgets.IntSlider(
            value=index, min=0, max=len(self._digits) - 1, description="digit #"
        )
        c["size"] = widgets.IntSlider(value=size, min=2, max=self.MAX_SIZE, description="window")
        c["row"] = widgets.IntSlider(value=0, min=0, max=0, description="top row")
        c["col"] = widgets.IntSlider(value=0, min=0, max=0, description="left col")
        c["cmap"] = widgets.ToggleButtons(
            options=[("gray: 0 = black", "gray"), ("gray_r: 0 = white", "gray_r")],
            value=cmap,
            description="colours",
            style={"button_width": "auto"},  # the whole label, never cut off
        )
        self._fit_ranges(start=(row, col))

        fig = self.figure
        grid = fig.add_gridspec(1, 2, width_ratios=[1.0, 1.15])
        self._ax_all = fig.add_subplot(grid[0])
        self._ax_win = fig.add_subplot(grid[1])
        image = self._image_now()
        self._im_all = show_image(self._ax_all, image, title=" ", cmap=cmap)
        self._cbar = fig.colorbar(self._im_all, ax=self._ax_all, shrink=0.85, pad=0.03)
        self._cbar.set_ticks([0, 128, 255])
        self._cbar.set_label("pixel value")
        self._frame = Rectangle((0, 0), 1, 1, fill=False, edgecolor=MARK, linewidth=2.5)
        self._ax_all.add_patch(self._frame)
        self._im_win = self._ax_win.imshow(np.zeros((2, 2)), cmap=cmap, vmin=0, vmax=255)
        _hide_frame(self._ax_win)
        self._ax_win.set_title(" ")
        self._grid = LineCollection([], colors="0.55", linewidths=0.6)
        self._ax_win.add_collection(self._grid, autolim=False)
        self._outline = Rectangle((0, 0), 1, 1, fill=False, edgecolor=MARK, linewidth=2.5)
        self._ax_win.add_patch(self._outline)
        self._values = LabelGrid(self._ax_win, height=0.3, max_points=16)
        self._row_numbers = LabelGrid(self._ax_win, height=0.28, max_points=12, color="0.35")
        self._col_numbers = LabelGrid(self._ax_win, height=0.28, max_points=12, color="0.35")
        # lay the figure out once with the photo (the tallest image), so that
        # switching images later never pushes a title off the picture
        h, w = self._gray_photo.shape
        self._im_all.set_extent(_extent(h, w))
        self._ax_all.set_xlim(-0.5, w - 0.5)
        self._ax_all.set_ylim(h - 0.5, -0.5)
        self._ax_all.set_title("photo")
        self._lay_out()
        for c_name in ("source", "size"):
            self.controls[c_name].observe(self._fit_ranges, names="value")
        _full_labels(self.controls)
        self._watch()
        self.update()

    # -- ranges that depend on the image and the window size -----------------------------
    def _background_key(self):
        c = self.controls
        return (c["source"].value, c["index"].value, c["cmap"].value)

    def _dynamic_artists(self):
        return [
            self._frame,
            self._im_win,
            self._grid,
            self._outline,
            self._values.collection,
            self._row_numbers.collection,
            self._col_numbers.collection,
            self._ax_win.title,
        ]

    def _image_now(self):
        if self.controls["source"].value == "MNIST digit":
            return self._digits[self.controls["index"].value]
        return self._gray_photo

    def _default_window(self, image):
        if self.controls["source"].value == "MNIST digit":
            return 4, 15  # the top of a stroke in most digits
        h, w = image.shape
        return int(0.32 * h), int(0.41 * w)  # the photo's left eye (Grace Hopper)

    def update(self, change=None):
        if self._holding:  # ranges are being adjusted: one update at the end
            return
        super().update(change)

    def _fit_ranges(self, change=None, start=None):
        """Keep the window inside the image when the image or the window size changes."""
        c = self.controls
        self._holding = True
        try:
            image = self._image_now()
            h, w = image.shape
            c["index"].disabled = c["source"].value != "MNIST digit"
            c["size"].max = min(self.MAX_SIZE, h, w)
            size = c["size"].value
            c["row"].max, c["col"].max = h - size, w - size
            new_image = (
                change is not None and change["name"] == "value" and change["owner"] is c["source"]
            )
            if start is not None or new_image:
                row, col = self._default_window(image) if start is None else start
                default_row, default_col = self._default_window(image)
                row = default_row if row is None else row
                col = default_col if col is None else col
                c["row"].value = min(max(row, 0), h - size)
                c["col"].value = min(max(col, 0), w - size)
        finally:
            self._holding = False

    # -- compute and draw -----------------------------------------------------------------
    def _compute(self):
        c = self.controls
        size = c["size"].value
        return img.crop(self._image_now(), c["row"].value, c["col"].value, size, size).copy()

    def _draw(self, window):
        c = self.controls
        image = self._image_now()
        cmap, size = c["cmap"].value, c["size"].value
        row, col = c["row"].value, c["col"].value
        h, w = image.shape
        key = (c["source"].value, c["index"].value)
        if key != self._shown:  # a new image: the overview changes, else only the frame moves
            self._im_all.set_data(self._screen[key[0]] if key[0] != "MNIST digit" else image)
            self._im_all.set_extent(_extent(h, w))
            self._ax_all.set_xlim(-0.5, w - 0.5)
            self._ax_all.set_ylim(h - 0.5, -0.5)
            self._shown = key
        if self._im_all.get_cmap().name != cmap:
            for im in (self._im_all, self._im_win):
                im.set_cmap(cmap)
        if c["source"].value == "MNIST digit":
            label = self._labels[c["index"].value]
            what = f"digit #{c['index'].value}" + (f" (a {label})" if label >= 0 else "")
        else:
            what = "photo (grayscale)"
        self._ax_all.set_title(f"{what}: {h} x {w} pixels")
        self._frame.set_bounds(col - 0.5, row - 0.5, size, size)
        if window is None:
            self._im_win.set_data(np.zeros((1, 1)))
            self._values.clear()
            return
        # the window fills the right panel; one extra cell on the top and left
        # holds the row and column numbers
        self._im_win.set_data(window)
        self._im_win.set_extent((-0.5, size - 0.5, size - 0.5, -0.5))
        self._ax_win.set_xlim(-1.6, size - 0.5)
        self._ax_win.set_ylim(size - 0.5, -1.6)
        self._outline.set_bounds(-0.5, -0.5, size, size)
        self._grid.set_segments(_grid_segments(size) if size <= 16 else [])
        self._ax_win.set_title(
            f"window: rows {row}-{row + size - 1}, columns {col}-{col + size - 1}", pad=2
        )
        step = 1 if size <= self.MAX_LABELED else int(np.ceil(size / 8))
        rows = np.where(np.arange(size) % step == 0, np.arange(row, row + size), np.nan)
        cols = np.where(np.arange(size) % step == 0, np.arange(col, col + size), np.nan)
        self._row_numbers.set(rows[:, None], origin=(-1.05, 0))
        self._col_numbers.set(cols[None, :], origin=(0, -1.05))
        if size <= self.MAX_LABELED:
            self._values.set(window, colors=contrast_colors(window, 0, 255, cmap))
        else:
            self._values.clear()

    def _describe(self, window):
        c = self.controls
        size = c["size"].value
        parts = [
            f"window = image[{c['row'].value}:{c['row'].value + size}, "
            f"{c['col'].value}:{c['col'].value + size}]: shape {window.shape}, "
            f"values {window.min()} to {window.max()}."
        ]
        if size > self.MAX_LABELED:
            parts.append(f"Values are printed for windows up to {self.MAX_LABELED} x 10.")
        if c["source"].value == "MNIST digit":
            if c["cmap"].value == "gray":
                parts.append(
                    "MNIST stores ink as <b>high</b> numbers (255 = full ink); "
                    "<b>gray</b> shows high as white: chalk on a blackboard."
                )
            else:
                parts.append(
                    "Same numbers, <b>gray_r</b> shows high as black: ink on paper. "
                    "Only the colours changed."
                )
        else:
            parts.append(
                "0 is black, 255 is white."
                if c["cmap"].value == "gray"
                else "gray_r shows 0 as white and 255 as black: a negative."
            )
        return " ".join(parts)


# ----------------------------------------------------------------------------
# helpers for big photos: draw a screen-sized copy, keep the real coordinates
# ----------------------------------------------------------------------------
SCREEN_PIXELS = 320  # a panel is at most ~320 screen pixels: more detail is never seen


def _screen_copy(image, limit=SCREEN_PIXELS):
    """A copy of ``image`` small enough to draw fast, shrunk by a whole factor.

    A 600 x 512 photo in a 300-pixel-wide panel is shrunk by the drawing
    anyway; averaging 2 x 2 blocks first gives the same picture at a quarter
    of the drawing cost. Returns ``(copy, factor)``.
    """
    factor = max(1, int(np.ceil(max(image.shape[:2]) / limit)))
    return (img.downsample(image, factor) if factor > 1 else image), factor


def _extent(h, w):
    """imshow extent that puts pixel (i, j) at x=j, y=i for an h x w image."""
    return (-0.5, w - 0.5, h - 0.5, -0.5)


# ----------------------------------------------------------------------------
# ChannelExplorer
# ----------------------------------------------------------------------------
class ChannelExplorer(BlitExplorer):
    """A colour photo is three grayscale images: red, green and blue.

    Tick the channels to keep; a channel that is off is set to 0 in the
    recombined photo. The three right panels show each channel as its own
    grayscale image (bright = much of that colour). The sliders pick one pixel
    whose three numbers are printed above the panels.

    Parameters
    ----------
    red, green, blue : bool
        Which channels are on.
    row, col : int, optional
        The inspected pixel (default: a red stripe of the flag). The sliders
        step by the factor the photo is shrunk by on screen (3 for the course
        photo), so that every step moves the marker visibly.
    photo : array, shape (H, W, 3), optional
        Another channels-last colour image (default: :func:`cnnlib.datasets.load_photo`).

    Attributes
    ----------
    output : ndarray, shape (H, W, 3), uint8
        The recombined photo, with switched-off channels set to 0.
    """

    title = "Channel explorer: a colour image is three grayscale images"
    NAMES = ("red", "green", "blue")

    def __init__(self, red=True, green=True, blue=True, row=None, col=None, *, photo=None):
        super().__init__(figsize=(9.2, 3.25))  # 828 px: fits a notebook column
        photo = _photo() if photo is None else np.asarray(photo)
        if photo.ndim != 3 or photo.shape[-1] != 3:
            raise ValueError(
                f"photo must be a channels-last colour image (H, W, 3), but has shape "
                f"{photo.shape}; for (3, H, W) use cnnlib.to_channels_last(photo)"
            )
        self._photo = photo
        self._small, self._factor = _screen_copy(photo, 240)
        self._black = np.zeros(self._small.shape[:2], dtype=np.uint8)
        h, w = photo.shape[:2]
        row = int(0.56 * h) if row is None else row  # a red stripe of the flag
        col = int(0.135 * w) if col is None else col
        for name, value in zip(self.NAMES, (red, green, blue)):
            self.controls[name] = widgets.Checkbox(
                value=value,
                description=f"{name} ({name[0].upper()})",
                indent=False,
                layout=widgets.Layout(width="8em"),
            )
        # one step = one pixel of the shrunk copy drawn on screen (a block of factor x factor
        # photo pixels): a finer step could move the marker by less than a screen pixel
        step = self._factor
        self.controls["row"] = widgets.IntSlider(
            value=row, min=0, max=h - 1, step=step, description="row"
        )
        self.controls["col"] = widgets.IntSlider(
            value=col, min=0, max=w - 1, step=step, description="column"
        )

        axes = self.figure.subplots(1, 4)
        extent = _extent(h, w)
        self._ax_rgb = axes[0]
        self._im_rgb = axes[0].imshow(self._small, extent=extent)
        self._im_channels = []
        for k, (ax, name) in enumerate(zip(axes[1:], self.NAMES)):
            im = ax.imshow(self._small[..., k], cmap=IMAGE_CMAP, vmin=0, vmax=255, extent=extent)
            self._im_channels.append(im)
            ax.set_title(" ", color=CHANNEL_COLOURS[name])
        self._markers = []
        for ax in axes:
            _bare(ax)
            (outer,) = ax.plot([col], [row], "s", ms=11, mfc="none", mec="black", mew=3.2)
            (inner,) = ax.plot([col], [row], "s", ms=11, mfc="none", mec=MARK, mew=1.8)
            self._markers += [outer, inner]
        self._axes = axes
        _full_labels(self.controls)
        self._watch()
        self.update()

    def _on(self):
        return [self.controls[name].value for name in self.NAMES]

    def _background_key(self):
        return tuple(self._on())  # the photos change only when a channel is switched

    def _dynamic_artists(self):
        return self._markers + [ax.title for ax in self._axes]

    def _compute(self):
        keep = np.array(self._on(), dtype=np.uint8)
        return self._photo * keep  # (H, W, 3) * (3,): channel k times 1 or 0

    def _draw(self, combined):
        on = self._on()
        keep = np.array(on, dtype=np.uint8)
        self._im_rgb.set_data(self._small * keep)
        row, col = self.controls["row"].value, self.controls["col"].value
        values = self._photo[row, col]
        for k, (im, name) in enumerate(zip(self._im_channels, self.NAMES)):
            # a switched-off channel is all zeros: black
            im.set_data(self._small[..., k] if on[k] else self._black)
            letter = name[0].upper()
            self._axes[k + 1].set_title(
                f"{name}: {letter} = {values[k]}" if on[k] else f"{name} off: all {letter} = 0"
            )
        shown = ", ".join(str(int(v) * int(o)) for v, o in zip(values, on))
        self._ax_rgb.set_title(f"(R, G, B) = ({shown})")
        for marker in self._markers:
            marker.set_data([col], [row])

    def _describe(self, combined):
        h, w, c = self._photo.shape
        row, col = self.controls["row"].value, self.controls["col"].value
        r, g, b = (int(v) for v in self._photo[row, col])
        return (
            f"photo.shape = ({h}, {w}, {c}) = (H, W, C), channels-last: "
            f"{_n(h * w * c)} numbers. For a network: to_channels_first(photo).shape = "
            f"({c}, {h}, {w}) = (C, H, W). Pixel [{row}, {col}] holds 3 numbers: "
            f"R={r}, G={g}, B={b}."
        )


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
        digits, labels = _check_digits(digits, labels)
        photo, gray = _photo_and_gray(photo)
        self._images = {
            "photo (colour)": photo,
            "photo (grayscale)": gray,
            "MNIST digit": digits[index],
        }
        self._index, self._label = index, labels[index]
        self._screen = {name: _screen_copy(im) for name, im in self._images.items()}
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
        _full_labels(self.controls)
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
                im.set_extent(_extent(h, w))
                im.set_cmap(cmap)
                ax.set_xlim(-0.5, w - 0.5)
                ax.set_ylim(h - 0.5, -0.5)
            what = f"digit #{self._index} (a {self._label})" if source == "MNIST digit" else source
            self._ax_before.set_title(
                f"{what}: {_shape_text(image.shape)} = {_n(image.size)} numbers"
            )
            self._shown = source
        if small is None:
            self._im_after.set_data(np.full((1, 1), np.nan))
            self._ax_after.set_title("(not possible)")
            return
        rows, cols = small.shape[:2]
        screen, _ = _screen_copy(small)  # big results are drawn from a screen-sized copy
        self._im_after.set_data(screen)
        self._im_after.set_extent(_extent(rows * factor, cols * factor))
        self._ax_after.set_title(
            f"factor {factor}: {_shape_text(small.shape)} = {_n(small.size)} numbers"
        )

    def _describe(self, small):
        c = self.controls
        factor = c["factor"].value
        image = self._images[c["source"].value]
        how = "its average" if c["method"].value == "mean" else "its top-left pixel only"
        share = small.size / image.size
        text = (
            f"Each {factor} x {factor} block became one pixel ({how}): "
            f"{_n(image.size)} numbers became {_n(small.size)} ({share:.1%} of them). "
            f"Details smaller than {factor} pixels are gone."
        )
        h, w = image.shape[:2]
        lost_r, lost_c = h - small.shape[0] * factor, w - small.shape[1] * factor
        if lost_r or lost_c:
            text += (
                f" The last {lost_r} row(s) and {lost_c} column(s) do not fill a whole block"
                " and were dropped (blank strip)."
            )
        return text


# ----------------------------------------------------------------------------
# ImageEditExplorer
# ----------------------------------------------------------------------------
def edit_pixels(image, brightness=0, contrast=1.0, invert=False, level=None, wrap=False):
    """The editing pipeline of :class:`ImageEditExplorer`, on the 0-255 scale.

    contrast (around 128), then brightness, then the negative, then the
    threshold (``level=None``: none). ``wrap=True`` keeps only the last 8 bits
    of each result instead of clipping, which is what plain ``uint8``
    arithmetic does (``np.uint8(250) + 10 == 4``).

    Returns an array of uint8 with the shape of ``image``.
    """
    x = 128.0 + contrast * (np.asarray(image, dtype=np.float64) - 128.0) + brightness
    x = np.rint(x)
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

    Attributes
    ----------
    output : ndarray of uint8
        The edited image.
    """

    title = "Image editing = arithmetic on the numbers"
    SOURCES = ("photo (grayscale)", "MNIST digit")
    OVERFLOW = (("clip to 0-255 (safe)", "clip"), ("raw uint8: wraps around", "wrap"))

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
        digits, _ = _check_digits(digits, labels)
        photo, gray = _photo_and_gray(photo)
        # edit a screen-sized copy: the same arithmetic, a quarter of the pixels
        self._images = {"photo (grayscale)": _screen_copy(gray)[0], "MNIST digit": digits[index]}
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
        first = self._images[source]
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
        self._lay_out()  # lay out for the tall photo first
        _full_labels(self.controls)
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
                im.set_extent(_extent(h, w))
                ax.set_xlim(-0.5, w - 0.5)
                ax.set_ylim(h - 0.5, -0.5)
            self._before_counts = self._histogram(image)
            self._hist_before.set_data(self._before_counts)
            self._shown = source
        after = self._histogram(edited)
        self._im_after.set_data(edited)
        self._hist_after.set_data(after)
        # a log-like scale would hide the spikes; cap at the tallest bar instead
        self._ax_hist.set_ylim(0, 1.08 * max(after.max(), self._before_counts.max()))
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
            if s["wrap"] and s["brightness"]:
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

    def _describe(self, edited):
        s = self._settings()
        text = f"edited pixel = {self._formula()}."
        if s["wrap"]:
            raw = (
                128.0
                + s["contrast"]
                * (self._images[self.controls["source"].value].astype(np.float64) - 128.0)
                + s["brightness"]
            )
            wrapped = int(np.count_nonzero((raw > 255.5) | (raw < -0.5)))
            text += (
                f" uint8 keeps only 0-255: 256 becomes 0, 260 becomes 4, -1 becomes 255."
                f" {_n(wrapped)} pixels wrapped around."
            )
        return text


# ----------------------------------------------------------------------------
# ShiftExplorer
# ----------------------------------------------------------------------------
class ShiftExplorer(BlitExplorer):
    """The computer sees only numbers: move a digit by a few pixels.

    Left: the digit. Middle: the same digit shifted. Right: the difference,
    shifted minus original, red where the shifted copy is brighter and blue
    where it is darker. The bars compare the distance between the two arrays
    with the distance from the original to the closest *other* handwritten
    digit of the same class, and of a different class (searched among the
    4,000 training digits).

    Parameters
    ----------
    index : int
        Which digit (0 to 99).
    down, right : int
        The shift in pixels, -6 to 6 (negative: up, left).

    Attributes
    ----------
    output : ndarray, shape (28, 28), uint8
        The shifted digit.
    """

    title = "Shift a digit: same drawing, very different numbers"
    MAX_SHIFT = 6

    def __init__(self, index=0, down=0, right=2, *, digits=None, labels=None, references=None):
        super().__init__(figsize=(9.2, 3.6))  # 828 px: fits a notebook column
        self._digits, self._labels = _check_digits(digits, labels)
        if references is None:
            from cnnlib.datasets import load_mnist

            references = load_mnist("train") if digits is None else (self._digits, self._labels)
        self._ref_images = (
            np.asarray(references[0], dtype=np.float64).reshape(len(references[0]), -1) / 255.0
        )
        self._ref_labels = np.asarray(references[1])
        self._nearest_cache: dict[int, tuple[float, int, float, int]] = {}
        c = self.controls
        c["index"] = widgets.IntSlider(
            value=index, min=0, max=len(self._digits) - 1, description="digit #"
        )
        m = self.MAX_SHIFT
        c["down"] = widgets.IntSlider(value=down, min=-m, max=m, description="down")
        c["right"] = widgets.IntSlider(value=right, min=-m, max=m, description="right")
        grid = self.figure.add_gridspec(1, 4, width_ratios=[1, 1, 1, 1.05])
        axes = [self.figure.add_subplot(grid[k]) for k in range(4)]
        self._ax_orig, self._ax_shift, self._ax_diff, self._ax_bars = axes
        first = self._digits[index]
        self._im_orig = show_image(axes[0], first, title=" ")
        self._im_shift = show_image(axes[1], first, title=" ")
        self._im_diff = axes[2].imshow(
            np.zeros_like(first, dtype=float), cmap=SIGNED_CMAP, vmin=-255, vmax=255
        )
        _bare(axes[2])
        axes[2].set_title(" ")
        ax = self._ax_bars
        self._bars = ax.barh([0, 1, 2], [1, 1, 1], color=[MARK, "#4e79a7", "0.6"], height=0.65)
        ax.set_yticks(
            [0, 1, 2], ["shifted\ncopy", "nearest\nsame digit", "nearest\ndifferent digit"]
        )
        ax.invert_yaxis()
        ax.set_xticks([])
        ax.set_title("distance to original")
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        self._bar_labels = [
            ax.text(0, k, "", va="center", ha="left", fontsize=12, fontweight="bold")
            for k in range(3)
        ]
        _full_labels(self.controls)
        self._watch()
        self.update()

    def _background_key(self):
        return self.controls["index"].value

    def _dynamic_artists(self):
        return [
            self._im_shift,
            self._im_diff,
            self._ax_shift.title,
            self._ax_diff.title,
            *self._ax_shift.spines.values(),
            *self._ax_diff.spines.values(),
            self._ax_bars.spines["left"],  # the bars start on it
            *self._bars,
            *self._bar_labels,
        ]

    def _nearest(self, index):
        """Distances to the closest same-class and other-class reference digits."""
        if index not in self._nearest_cache:
            target = self._digits[index].astype(np.float64).ravel() / 255.0
            dist = np.sqrt(np.sum((self._ref_images - target) ** 2, axis=1))
            dist[dist < 1e-9] = np.inf  # the digit itself
            label = self._labels[index]
            same = np.where(self._ref_labels == label, dist, np.inf)
            other = np.where(self._ref_labels != label, dist, np.inf)
            i_same, i_other = int(np.argmin(same)), int(np.argmin(other))
            self._nearest_cache[index] = (same[i_same], i_same, other[i_other], i_other)
        return self._nearest_cache[index]

    def _compute(self):
        c = self.controls
        return img.shift(self._digits[c["index"].value], c["down"].value, c["right"].value)

    def _draw(self, moved):
        c = self.controls
        index = c["index"].value
        original = self._digits[index]
        diff = moved.astype(np.float64) - original
        self._im_orig.set_data(original)
        self._im_shift.set_data(moved)
        self._im_diff.set_data(diff)
        label = self._labels[index]
        self._ax_orig.set_title(f"digit #{index}" + (f" (a {label})" if label >= 0 else ""))
        self._ax_shift.set_title(f"shifted by ({c['down'].value}, {c['right'].value})")
        changed = int(np.count_nonzero(moved != original))
        self._ax_diff.set_title(f"{changed} pixels differ")
        d_same, _, d_other, _ = self._nearest(index)
        values = [pixel_distance(moved, original), d_same, d_other]
        top = max(max(values), 1e-9)
        self._ax_bars.set_xlim(0, top * 1.35)
        for bar, value in zip(self._bars, values):
            bar.set_width(value)
        for text, value in zip(self._bar_labels, values):
            text.set_x(value + 0.03 * top)
            text.set_text(f"{value:.1f}")

    def _describe(self, moved):
        c = self.controls
        index = c["index"].value
        d_shift = pixel_distance(moved, self._digits[index])
        d_same, i_same, d_other, i_other = self._nearest(index)
        verdict = "farther than" if d_shift > d_same else "closer than"
        return (
            f"Distance = square root of the summed squared differences of the "
            f"{self._digits[index].size} numbers (scaled to 0-1). The shifted copy is "
            f"{d_shift:.1f} away from the original: {verdict} the closest different "
            f"handwritten {self._labels[index]} ({d_same:.1f}), and the closest digit of "
            f"another class is {d_other:.1f} away."
        )
