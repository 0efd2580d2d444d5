"""Classify a photo of your handwriting: a digit on paper, read by the trained network.

:class:`DigitPhoto` takes a phone photo of one digit written on paper, finds
the ink (:func:`cnnlib.preprocess.ink_from_photo`: dark on light, uneven
light, grain), prepares it exactly as the drawing pad does
(:func:`cnnlib.mnist_style`) and shows the photo, the 28x28 picture the
network really sees, and the network's ten probabilities (drawn as in
:class:`~cnnlib.explorers.drawing.DigitPad`).

Until a photo is uploaded it offers a few example photos made from bundled
test digits (:func:`cnnlib.photos.photo_of_digit`), so it works without a
camera, in tests and in exported notebooks.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np

from cnnlib.explorers._base import Explorer, _escape
from cnnlib.explorers._pictures import bare, pixel_extent
from cnnlib.explorers._upload import UploadMenu
from cnnlib.explorers.drawing import (
    digit_words,
    probability_bars,
    show_probabilities,
    top_guesses,
)
from cnnlib.preprocess import ink_from_photo, mnist_style
from cnnlib.training import prepare_images

__all__ = ["DigitPhoto", "example_photos"]

EXAMPLE_DIGITS = (7, 2, 4, 9, 5)  #: which bundled test digits the example photos show


@functools.lru_cache(maxsize=1)
def _examples():
    from cnnlib.datasets import load_mnist
    from cnnlib.photos import photo_of_digit

    images, labels = load_mnist("test")
    found = {}
    for k, digit in enumerate(EXAMPLE_DIGITS):
        index = int(np.flatnonzero(labels == digit)[0])
        found[f"example: a {digit} on paper"] = photo_of_digit(images[index], height=240, seed=k)
    return found


def example_photos():
    """The example photos :class:`DigitPhoto` offers, by name: (240, 320, 3) uint8 each."""
    return {name: photo.copy() for name, photo in _examples().items()}


class DigitPhoto(UploadMenu, Explorer):
    """Photograph a digit you wrote on paper and watch the trained network read it.

    Write one digit large, with a dark pen, on plain paper; photograph it from
    above (PNG or JPEG) and press ``upload``. The picture shows the photo,
    the 28x28 image the network receives after the same preparation as the
    drawing pad (ink found, cut to its box, scaled to 20 pixels, centred by
    its centre of mass), and the network's probability for each digit. The
    line below lists the top guesses and what was done to the photo.

    Parameters
    ----------
    model : object with ``predict_proba(x)``, optional
        Takes (N, 1, 28, 28) float32 images in [0, 1] and returns (N, 10)
        probabilities. Default: the course's pretrained network
        (:func:`cnnlib.load_pretrained`).
    photo : str
        Which example photo to start with (a key of :func:`example_photos`).

    Attributes
    ----------
    digit : uint8 array, shape (28, 28)
        What the network sees.
    output : float array, shape (10,), or None
        The network's probabilities for 0-9; None when the photo cannot be
        read or shows no writing (``message`` says why).
    """

    title = "Classify a photo of your handwriting: write a digit on paper, photograph it, upload"
    UPLOAD = "your photo"
    UPLOAD_SIDE = 400  #: an upload is shrunk to this; the ink is looked for at 200 pixels
    UPLOAD_MENU = "photo"
    UPLOAD_WORDS = "Your photo"

    def __init__(self, model=None, photo=None):
        super().__init__(figsize=(9.2, 3.0))
        if model is None:
            from cnnlib import load_pretrained

            model = load_pretrained()
        self.model = model
        self._photos = example_photos()
        names = list(self._photos)
        self.digit = np.zeros((28, 28), np.uint8)
        self._notes = []
        self._start_upload(grayscale=False)
        self.controls["photo"] = widgets.Dropdown(
            options=names,
            value=names[0] if photo is None else photo,
            description="photo",
            layout=widgets.Layout(width="290px"),
        )
        self.controls["upload"] = self._upload.control

        ax_photo, ax_digit, ax_bar = self.figure.subplots(1, 3, width_ratios=[1.35, 1, 1.45])
        first = self._photos[names[0]]
        self._im_photo = ax_photo.imshow(first)
        ax_photo.set_title("the photo")
        self._ax_photo = ax_photo
        self._im_digit = ax_digit.imshow(self.digit, cmap="gray_r", vmin=0, vmax=255)
        ax_digit.set_title("what the network sees")
        for ax in (ax_photo, ax_digit):
            bare(ax)
        self._bars, self._bar_title = probability_bars(ax_bar)
        self.controls["photo"].observe(self.update, names="value")
        self.update()

    def benchmark_sweep(self):
        """For ``benchmarks/widget_latency.py``: go through the example photos (each
        is prepared and read by the network anew, the work an upload costs after decoding)."""
        names = list(self.controls["photo"].options)
        for name in names[1:] + names[:1]:
            yield "photo", name

    # -- the upload ---------------------------------------------------------------------
    def _keep_upload(self, pixels):
        self._photos[self.UPLOAD] = pixels

    @property
    def photo(self):
        """The photo shown, (H, W, 3) uint8."""
        return self._photos[self.controls["photo"].value]

    # -- the explorer contract ------------------------------------------------------------
    def _compute(self):
        self.digit = np.zeros((28, 28), np.uint8)
        self._notes = []
        self._check_upload()
        ink, self._notes = ink_from_photo(self.photo, return_notes=True)
        self.digit = mnist_style(ink)
        if not self.digit.any():
            raise ValueError(
                "no writing stands out from the paper in this photo; write one digit large "
                "with a dark pen on plain paper and photograph it from above, close up"
            )
        x = prepare_images(self.digit[None])  # (1, 1, 28, 28), ink 0-1 as in training
        return np.asarray(self.model.predict_proba(x))[0]

    def _draw(self, probs):
        photo = self.photo
        h, w = photo.shape[:2]
        self._im_photo.set_data(photo)
        self._im_photo.set_extent(pixel_extent(h, w))
        self._ax_photo.set_xlim(-0.5, w - 0.5)
        self._ax_photo.set_ylim(h - 0.5, -0.5)
        self._ax_photo.set_title(f"the photo, {h} x {w}")
        self._im_digit.set_data(self.digit)
        show_probabilities(self._bars, self._bar_title, probs)

    def _describe_picture(self, probs):
        """The photo, what the network sees of it and its ten probabilities, in words."""
        return f"{self._photo_words()} {digit_words(self.digit, probs)}"

    def _describe_impossible(self):
        return (
            f"{self._photo_words()} Nothing for the network to read, so no probabilities: "
            f"{self.message}"
        )

    def _photo_words(self):
        name = self.controls["photo"].value
        h, w = self.photo.shape[:2]
        what = "your photo" if name == self.UPLOAD else f"the {name.replace(': ', ' photo: ')}"
        return f"The photo, {h}x{w}: {what}."

    def _describe(self, probs):
        parts = [top_guesses(probs) + "."]
        if self._notes:
            parts.append("Finding the ink: " + "; ".join(self._notes) + ".")
        return "<br>".join(_escape(part) for part in parts) + self._upload_words()
