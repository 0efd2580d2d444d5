"""Explorers for notebook 01: an image is a grid of numbers.

* :class:`PixelExplorer` -- zoom into a digit or a photo and read the numbers;
* :class:`ChannelExplorer` -- a colour photo is three grayscale images.

Editing the grid (resolution, brightness, contrast) is in
:mod:`cnnlib.explorers.image_edits`; moving it by a few pixels in
:mod:`cnnlib.explorers.shift`.

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
from cnnlib.explorers._pictures import (
    MARK,
    bare,
    check_digits,
    course_photo,
    fit_image,
    full_labels,
    photo_and_gray,
    pixel_extent,
    screen_copy,
    thousands,
)
from cnnlib.explorers._upload import UploadMenu
from cnnlib.plotting import IMAGE_CMAP, LabelGrid, contrast_colors, show_image
from cnnlib.plotting.describe import colour_text, position_text, rows_text

__all__ = ["ChannelExplorer", "PixelExplorer"]

CHANNEL_COLOURS = {"red": "#c0392b", "green": "#1e8449", "blue": "#2874a6"}


def _hide_frame(ax):
    bare(ax)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _grid_segments(size: int):
    """Lines between the cells of a size x size grid drawn with imshow."""
    edges = np.arange(size + 1) - 0.5
    lo, hi = -0.5, size - 0.5
    return [[(e, lo), (e, hi)] for e in edges] + [[(lo, e), (hi, e)] for e in edges]


# ----------------------------------------------------------------------------
# PixelExplorer
# ----------------------------------------------------------------------------
class PixelExplorer(UploadMenu, BlitExplorer):
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

    The ``upload`` button takes the learner's own PNG or JPEG: it becomes the
    image "your picture (grayscale)", shrunk to at most :attr:`UPLOAD_SIDE`
    pixels a side, and the line below the picture says what was done to it.

    Attributes
    ----------
    output : ndarray, shape (size, size)
        The numbers in the window (a copy).
    """

    title = "Pixel inspector: every pixel is a number"
    SOURCES = ("MNIST digit", "photo (grayscale)")
    MAX_LABELED = 10  #: largest window side with values printed (more would be unreadable)
    MAX_SIZE = 32
    LISTED = 16  #: windows of at most this many pixels are described value by value
    UPLOAD = "your picture (grayscale)"

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
        self._digits, self._labels = check_digits(digits, labels)
        _, self._gray_photo = photo_and_gray(photo)
        self._screen = {"photo (grayscale)": screen_copy(self._gray_photo, 330)[0]}
        self._shown = None
        self._start_upload(grayscale=True)
        # the line under the picture takes two lines for most settings: keep room for two, so
        # the page does not jump when a longer window or another image adds a sentence
        self._status.layout.min_height = "4.4em"
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
        self._im_all.set_extent(pixel_extent(h, w))
        fit_image(self._ax_all, h, w)
        self._ax_all.set_title("photo")
        self._lay_out()
        for c_name in ("source", "size"):
            self.controls[c_name].observe(self._fit_ranges, names="value")
        full_labels(self.controls)
        self._watch()
        c["upload"] = self._upload.control  # after _watch: it calls back when decoded
        self.update()

    # -- ranges that depend on the image and the window size -----------------------------
    def _background_key(self):
        c = self.controls
        return (c["source"].value, c["index"].value, c["cmap"].value, self._uploads)

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
        source = self.controls["source"].value
        if source == "MNIST digit":
            return self._digits[self.controls["index"].value]
        if source == self.UPLOAD:
            return self._upload.image.pixels
        return self._gray_photo

    def _default_window(self, image):
        if self.controls["source"].value == "MNIST digit":
            return 4, 15  # the top of a stroke in most digits
        h, w = image.shape
        if self.controls["source"].value == self.UPLOAD:
            return h // 2, w // 2  # the middle of the learner's picture
        return int(0.32 * h), int(0.41 * w)  # the photo's left eye (Grace Hopper)

    def _keep_upload(self, pixels):
        self._screen[self.UPLOAD] = screen_copy(pixels, 330)[0]

    def _fit_to_image(self):
        self._fit_ranges(start=(None, None))

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
                row, col = (None, None) if start is None else start
                default_row, default_col = self._default_window(image)
                row = default_row if row is None else row
                col = default_col if col is None else col
                c["row"].value = min(max(row, 0), h - size)
                c["col"].value = min(max(col, 0), w - size)
        finally:
            self._holding = False

    # -- compute and draw -----------------------------------------------------------------
    def _compute(self):
        self._check_upload()
        c = self.controls
        size = c["size"].value
        return img.crop(self._image_now(), c["row"].value, c["col"].value, size, size).copy()

    def _draw(self, window):
        c = self.controls
        image = self._image_now()
        cmap, size = c["cmap"].value, c["size"].value
        row, col = c["row"].value, c["col"].value
        h, w = image.shape
        key = (c["source"].value, c["index"].value, self._uploads)
        if key != self._shown:  # a new image: the overview changes, else only the frame moves
            self._im_all.set_data(self._screen[key[0]] if key[0] != "MNIST digit" else image)
            self._im_all.set_extent(pixel_extent(h, w))
            fit_image(self._ax_all, h, w)
            self._shown = key
        if self._im_all.get_cmap().name != cmap:
            for im in (self._im_all, self._im_win):
                im.set_cmap(cmap)
        self._ax_all.set_title(f"{self._image_name()}: {h} x {w} pixels")
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

    def _image_name(self) -> str:
        """ "digit #0 (a 5)", "photo (grayscale)" or "your picture": the left panel's title."""
        c = self.controls
        if c["source"].value == "MNIST digit":
            label = self._labels[c["index"].value]
            return f"digit #{c['index'].value}" + (f" (a {label})" if label >= 0 else "")
        if c["source"].value == self.UPLOAD:
            return "your picture"
        return "photo (grayscale)"

    def _overview_words(self) -> str:
        """The left panel: which image, its size, its colours and where the frame is."""
        c = self.controls
        h, w = self._image_now().shape
        size, row, col = c["size"].value, c["row"].value, c["col"].value
        return (
            f"Left: {self._image_name()}, {h}x{w} pixels in gray "
            f"({colour_text(c['cmap'].value, 0, 255)}), with an orange frame around rows "
            f"{row}-{row + size - 1}, columns {col}-{col + size - 1}."
        )

    def _describe_picture(self, window):
        """The image and the window: where it is and the numbers in it."""
        c = self.controls
        size, row, col = c["size"].value, c["row"].value, c["col"].value
        n = window.size
        zeros = int(np.count_nonzero(window == 0))
        if size * size <= self.LISTED:
            values = f"by row {rows_text(window)}"
        else:
            high = np.unravel_index(int(np.argmax(window)), window.shape)
            values = f"values from {window.min()} to {window.max()}"
            if zeros:
                values += f", {zeros} of the {n} are 0"
            if window.max() > window.min():
                values += (
                    f"; the highest, {window.max()}, at "
                    f"{position_text(row + high[0], col + high[1], self._image_now().shape)}"
                    " of the image"
                )
        printed = (
            "with its values printed"
            if size <= self.MAX_LABELED
            else f"too big for printed values (windows up to {self.MAX_LABELED}x"
            f"{self.MAX_LABELED} have them)"
        )
        return (
            f"{self._overview_words()} Right: that window enlarged, {size}x{size} pixels "
            f"{printed}: {values}."
        )

    def _describe_impossible(self):
        return f"{self._overview_words()} No window: {self.message}"

    def _describe(self, window):
        c = self.controls
        size = c["size"].value
        parts = [
            f"window = image[{c['row'].value}:{c['row'].value + size}, "
            f"{c['col'].value}:{c['col'].value + size}]: shape {window.shape}, "
            f"values {window.min()} to {window.max()}."
        ]
        if size > self.MAX_LABELED:
            m = self.MAX_LABELED
            parts.append(f"Values are printed for windows up to {m} x {m}.")
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
        return " ".join(parts) + self._upload_words()


# ----------------------------------------------------------------------------
# ChannelExplorer
# ----------------------------------------------------------------------------
class ChannelExplorer(UploadMenu, BlitExplorer):
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

    The ``upload`` button takes the learner's own PNG or JPEG: it becomes the
    image "your picture", in colour (a gray file gets three equal channels),
    shrunk to at most :attr:`UPLOAD_SIDE` pixels a side; the line below the
    picture says what was done to it, and the ``image`` menu switches back to
    the photo.

    Attributes
    ----------
    output : ndarray, shape (H, W, 3), uint8
        The recombined photo, with switched-off channels set to 0.
    """

    title = "Channel explorer: a colour image is three grayscale images"
    NAMES = ("red", "green", "blue")
    PHOTO = "photo"
    SCREEN_SIDE = 240  #: images are drawn from a copy at most this many pixels a side

    def __init__(self, red=True, green=True, blue=True, row=None, col=None, *, photo=None):
        super().__init__(figsize=(9.2, 3.25))  # 828 px: fits a notebook column
        # what the description calls the photo: a blind learner is told whose portrait it is
        self._photo_name = (
            "the portrait of Grace Hopper (navy uniform and cap, a flag behind her)"
            if photo is None
            else "the photo"
        )
        photo = course_photo() if photo is None else np.asarray(photo)
        if photo.ndim != 3 or photo.shape[-1] != 3:
            raise ValueError(
                f"photo must be a channels-last colour image (H, W, 3), but has shape "
                f"{photo.shape}; for (3, H, W) use cnnlib.to_channels_last(photo)"
            )
        self._photos = {self.PHOTO: photo}
        self._start_upload(grayscale=False)
        self._shown = None
        self._use(photo)
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
        self.controls["source"] = widgets.Dropdown(
            options=(self.PHOTO,),
            value=self.PHOTO,
            description="image",
            layout=widgets.Layout(width="15em"),  # two short names: no need for a wide menu
            # a menu with one choice offers nothing to choose: shown, but off until an
            # upload adds "your picture" (the keyboard and screen readers skip it till then)
            disabled=True,
        )

        axes = self.figure.subplots(1, 4)
        extent = pixel_extent(h, w)
        self._ax_rgb = axes[0]
        self._im_rgb = axes[0].imshow(self._small, extent=extent)
        self._im_channels = []
        for k, (ax, name) in enumerate(zip(axes[1:], self.NAMES)):
            im = ax.imshow(self._small[..., k], cmap=IMAGE_CMAP, vmin=0, vmax=255, extent=extent)
            self._im_channels.append(im)
            ax.set_title(" ", color=CHANNEL_COLOURS[name])
        self._markers = []
        for ax in axes:
            bare(ax)
            (outer,) = ax.plot([col], [row], "s", ms=11, mfc="none", mec="black", mew=3.2)
            (inner,) = ax.plot([col], [row], "s", ms=11, mfc="none", mec=MARK, mew=1.8)
            self._markers += [outer, inner]
        self._axes = axes
        self._shown = (self.PHOTO, 0)
        self.controls["source"].observe(self._source_changed, names="value")
        full_labels(self.controls)
        self._watch()
        self.controls["upload"] = self._upload.control  # after _watch: it calls back when decoded
        self.update()

    # -- the image: the photo or the learner's picture --------------------------------------
    def _use(self, photo):
        """Make ``photo`` the image shown: its screen-sized copy and the step it sets."""
        self._photo = photo
        self._means = photo.reshape(-1, 3).mean(axis=0)  # per channel, for the description
        self._small, self._factor = screen_copy(photo, self.SCREEN_SIDE)
        self._black = np.zeros(self._small.shape[:2], dtype=np.uint8)

    def _keep_upload(self, pixels):
        self._photos[self.UPLOAD] = pixels

    def _fit_to_image(self):
        self._source_changed()

    def _source_changed(self, change=None):
        """Show the chosen image: sliders fitted to it, the marker on its default pixel."""
        c = self.controls
        source = c["source"].value
        photo = self._photos[source]
        self._use(photo)
        h, w = photo.shape[:2]
        self._holding = True  # one update at the end, not one per slider
        try:
            if source == self.UPLOAD:
                row, col = h // 2, w // 2  # the middle of the learner's picture
            else:
                row, col = int(0.56 * h), int(0.135 * w)
            for name, size, value in (("row", h, row), ("col", w, col)):
                slider = c[name]
                slider.step = self._factor
                slider.max = max(slider.max, size - 1)  # max before value, value before max
                slider.value = value
                slider.max = size - 1
        finally:
            self._holding = False

    # -- compute and draw -----------------------------------------------------------------
    def _on(self):
        return [self.controls[name].value for name in self.NAMES]

    def _background_key(self):
        # the photos change only when a channel is switched or the image changes
        return (*self._on(), self.controls["source"].value, self._uploads)

    def _dynamic_artists(self):
        return self._markers + [ax.title for ax in self._axes]

    def _compute(self):
        self._check_upload()
        keep = np.array(self._on(), dtype=np.uint8)
        return self._photo * keep  # (H, W, 3) * (3,): channel k times 1 or 0

    def _draw(self, combined):
        on = self._on()
        keep = np.array(on, dtype=np.uint8)
        key = (self.controls["source"].value, self._uploads)
        if key != self._shown:  # another image: new extent and limits in every panel
            h, w = self._photo.shape[:2]
            for ax, im in zip(self._axes, [self._im_rgb, *self._im_channels]):
                im.set_extent(pixel_extent(h, w))
                fit_image(ax, h, w)
            self._shown = key
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

    def _describe_picture(self, combined):
        """The recombined photo, the three channel panels and the marked pixel's numbers."""
        on = self._on()
        h, w = self._photo.shape[:2]
        name = "your picture" if self.controls["source"].value == self.UPLOAD else self._photo_name
        off = [n for n, o in zip(self.NAMES, on) if not o]
        if not off:
            kept = "with all three channels on"
        elif len(off) == 3:
            kept = "with every channel off: all black"
        else:
            kept = f"with {' and '.join(off)} off (set to 0)"
        panels = "; ".join(
            f"{n}, average {m:.0f}" if o else f"{n} off, all 0 (black)"
            for n, m, o in zip(self.NAMES, self._means, on)
        )
        row, col = self.controls["row"].value, self.controls["col"].value
        r, g, b = (int(v) for v in self._photo[row, col])
        shown = tuple(int(v) for v in combined[row, col])
        now = f", shown as ({shown[0]}, {shown[1]}, {shown[2]})" if off else ""
        return (
            f"Left: {name}, {h}x{w} pixels in colour, {kept}. Then each channel as a grayscale "
            f"image (black = 0, white = 255 = much of that colour): {panels}. A square marks "
            f"the pixel at {position_text(row, col, (h, w))}: R={r}, G={g}, B={b}{now}."
        )

    def _describe_impossible(self):
        """A file that could not be used: the message, then the picture, which stays as it was."""
        shown = self._photo * np.array(self._on(), dtype=np.uint8)
        return f"{self.message.rstrip('.')}. {self._describe_picture(shown)}"

    def _describe(self, combined):
        h, w, c = self._photo.shape
        row, col = self.controls["row"].value, self.controls["col"].value
        r, g, b = (int(v) for v in self._photo[row, col])
        text = (
            f"photo.shape = ({h}, {w}, {c}) = (H, W, C), channels-last: "
            f"{thousands(h * w * c)} numbers. For a network: to_channels_first(photo).shape = "
            f"({c}, {h}, {w}) = (C, H, W). Pixel [{row}, {col}] holds 3 numbers: "
            f"R={r}, G={g}, B={b}."
        )
        return text + self._upload_words()
