"""Your own pictures: an image file's bytes -> an array of 0-255 numbers.

A photo from a phone or a picture drawn in a paint program arrives as the
bytes of a PNG or JPEG file. :func:`read_image` decodes them with Pillow (the
imaging library matplotlib itself uses) into the kind of array the rest of
the course works with: ``(H, W, 3)`` for colour or ``(H, W)`` for grayscale,
``uint8`` values 0-255. On the way it does what a photo viewer does without
saying so, and here says so:

* a phone photo taken sideways is turned upright (the camera stores the
  picture as the sensor saw it, plus an orientation tag in its EXIF data);
* transparent parts of a PNG are put on white paper;
* only the first frame of an animated GIF is kept;
* 16-bit values (0-65535) are brought to 8 bits (0-255), and print colours
  (CMYK) or a palette of colours become red, green and blue;
* a big photo is shrunk (a 12-megapixel photo holds 36 million numbers, far
  more than an explorer can redraw in a blink) and, when asked, made gray.

Each of these steps is listed in the result's :attr:`LoadedImage.notes`, so an
explorer can tell the learner what happened to their picture. A file that
cannot work (not an image, an empty upload, a picture of more than
:data:`MAX_PIXELS` pixels) raises a ``ValueError`` that says why and what to do.

:func:`photo_of_digit` goes the other way for the handwriting explorer: it
makes a picture that looks like a phone photo of a digit written on paper,
for examples and tests that need no camera.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnlib import _validate as v
from cnnlib.images import to_grayscale

__all__ = ["FORMATS", "MAX_PIXELS", "LoadedImage", "photo_of_digit", "read_image"]

#: The largest picture read, in pixels (20 megapixels: more than most phone
#: cameras take). A bigger one is refused before its pixels are decoded, so a
#: small file that unpacks to gigabytes (a "decompression bomb") cannot fill
#: the memory.
MAX_PIXELS = 20_000_000

#: The file formats read. Pillow knows many more, but these are the ones
#: learners have; naming them also keeps Pillow from trying rarer decoders
#: (and, for PostScript, an external program) on a file of unknown kind.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")

_ORIENTATION_TAG = 0x0112  # EXIF "Orientation": 1 = upright, 2-8 = turned and/or mirrored

# How the first bytes of some files that are not one of FORMATS begin, to name
# what the learner picked instead of only saying "not an image".
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"8BPS", "a Photoshop (PSD) file"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
)
_OWN_SIGNATURES = (  # files that start like one of FORMATS
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


@dataclass(frozen=True)
class LoadedImage:
    """An image read from a file, and what was done to it on the way.

    Attributes
    ----------
    pixels : uint8 array, shape (H, W, 3) or (H, W)
        The picture as the course uses it: upright, 8-bit, opaque, at most
        ``max_side`` pixels high and wide, grayscale if asked for.
    format : str
        The file's format, as Pillow names it ("PNG", "JPEG", ...).
    file_size : (int, int)
        Height and width stored in the file, before anything was done.
    file_mode : str
        How the file stores its pixels, in Pillow's words: "RGB", "RGBA"
        (with transparency), "L" (8-bit gray), "I;16" (16-bit gray),
        "P" (a palette), "CMYK", "1" (black and white)...
    notes : tuple of str
        What was done, in order, in plain words (empty if nothing).
    """

    pixels: np.ndarray
    format: str
    file_size: tuple[int, int]
    file_mode: str
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """One sentence: the file, then what was done, e.g. for a status line.

        ``"a 3024 x 4032 JPEG photo (H x W): turned upright ...; shrunk to 512 x 384."``
        """
        h, w = self.file_size
        text = f"a {h} x {w} {self.format} image (H x W)"
        if self.notes:
            text += ": " + "; ".join(self.notes)
        return text + "."


# ----------------------------------------------------------------------------
# reading a file
# ----------------------------------------------------------------------------
def read_image(source, max_side=None, grayscale=False) -> LoadedImage:
    """Decode a PNG, JPEG, GIF, BMP or WebP file into a uint8 array.

    Parameters
    ----------
    source : bytes, bytearray, memoryview, path or binary file object
        The file's content (e.g. what a ``FileUpload`` widget received), or
        where to read it from. Nothing is written anywhere.
    max_side : int, optional
        Shrink the picture (keeping its shape) so that neither its height nor
        its width is larger than this. Shrinking averages neighbouring pixels
        with a Lanczos filter, as photo software does, so thin lines fade
        instead of breaking up. A smaller picture is never enlarged.
    grayscale : bool
        ``True``: one brightness per pixel, ``(H, W)``, mixed as
        :func:`cnnlib.to_grayscale` does. ``False``: always three channels,
        ``(H, W, 3)`` (a gray file gets three equal channels).

    Returns
    -------
    LoadedImage
        ``.pixels`` is the array; ``.notes`` and ``.summary`` say what was
        done: turned upright, put on white, 16 bits brought to 8, first frame
        of an animation kept, shrunk, made gray.

    Raises
    ------
    ValueError
        For an empty file, a file that is not one of :data:`FORMATS` (with a
        hint when it is a known other kind, such as an iPhone's HEIC photo),
        a damaged file, or a picture of more than :data:`MAX_PIXELS` pixels
        (refused from its header, before its pixels are decoded).
    TypeError
        If ``source`` is neither bytes, a path nor a file object.

    Examples
    --------
    >>> photo = read_image(upload_bytes, max_side=512, grayscale=True)  # doctest: +SKIP
    >>> photo.pixels.shape, photo.summary                               # doctest: +SKIP
    ((384, 512), 'a 3024 x 4032 JPEG image (H x W): turned upright ...')
    """
    data = _as_bytes(source)
    if max_side is not None:
        max_side = v.as_int(max_side, "max_side", 1)
    if not isinstance(grayscale, bool | np.bool_):
        raise TypeError(f"grayscale must be True or False, but is {grayscale!r}")

    image = _open(data)
    height, width = image.height, image.width
    fmt, mode = image.format, image.mode
    if height * width > MAX_PIXELS:
        raise ValueError(
            f"the picture is {height} x {width} pixels ({height * width / 1e6:.1f} megapixels), "
            f"more than the {MAX_PIXELS / 1e6:.0f} megapixels read here; save a smaller copy "
            "(any photo app can resize or 'export for web') and upload that"
        )
    notes = []
    if getattr(image, "is_animated", False):
        notes.append("animated: only its first frame is used")
    if fmt == "JPEG" and max_side is not None:
        # JPEG can decode straight at 1/2, 1/4 or 1/8 size, much faster than
        # decoding every pixel and shrinking afterwards; the final shrink is below
        image.draft(None, (max_side, max_side))
    deep_colour = _sixteen_bit_colour(image)  # known from the header only, before loading
    try:
        image.load()
    except Exception as err:  # Pillow's decoders raise several kinds for a damaged file
        raise ValueError(_damaged(fmt, err)) from err

    image = _upright(image, notes)
    image = _eight_bit_opaque(image, notes, deep_colour)
    if max_side is not None and max(image.size) > max_side:
        w, h = image.size
        scale = max_side / max(w, h)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        notes.append(f"shrunk to {size[1]} x {size[0]}")

    pixels = np.array(image, dtype=np.uint8)  # a copy: the array owns its numbers
    if grayscale and pixels.ndim == 3:
        pixels = to_grayscale(pixels)
        notes.append("made grayscale (0.299 R + 0.587 G + 0.114 B)")
    elif not grayscale and pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
        notes.append("a gray picture: its red, green and blue are equal")
    return LoadedImage(pixels, fmt, (height, width), mode, tuple(notes))


def _as_bytes(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, memoryview):
        data = source.tobytes()
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            data = file.read()
    elif hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, bytes | bytearray):
            raise TypeError(
                f"the file object gave {type(data).__name__}, not bytes; open the file in "
                "binary mode: open(path, 'rb')"
            )
        data = bytes(data)
    else:
        raise TypeError(
            f"source must be the file's bytes, a path or a file opened with 'rb', but is "
            f"{type(source).__name__}; for a FileUpload widget pass upload.value[0]['content']"
        )
    if not data:
        raise ValueError(
            "the file is empty (0 bytes): the upload did not arrive, or the file was saved "
            "without content; choose the file again, or save the picture again first"
        )
    return data


def _open(data: bytes) -> Image.Image:
    """Pillow's lazy open: reads the header (size, mode), not yet the pixels."""
    try:
        with warnings.catch_warnings():
            # a picture above MAX_PIXELS is refused anyway, with our own message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as err:
        raise ValueError(
            f"the picture is far more than {MAX_PIXELS / 1e6:.0f} megapixels (Pillow "
            "refused it as a possible decompression bomb); save a smaller copy and upload that"
        ) from err
    except UnidentifiedImageError as err:
        raise ValueError(_not_an_image(data)) from err
    except Exception as err:  # a header that starts right and then breaks
        raise ValueError(_damaged(_own_format(data) or "image", err)) from err


def _own_format(data: bytes):
    """ "PNG", "JPEG"... if the file starts like one of FORMATS, else None."""
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WebP"
    return next((name for start, name in _OWN_SIGNATURES if data.startswith(start)), None)


def _not_an_image(data: bytes) -> str:
    own = _own_format(data)
    if own:
        return _damaged(own, ValueError("its header cannot be read"))
    kind = next((name for start, name in _SIGNATURES if data.startswith(start)), None)
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return (
            "this is a HEIC/HEIF or AVIF photo (the iPhone's usual format), which cannot be "
            "read here; export it as JPEG (Photos: File > Export, or on the phone Settings > "
            "Camera > Formats > Most Compatible) and upload that"
        )
    if kind is None:
        head = data[:512].lstrip().lower()
        if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
            kind = "an SVG drawing (a text file of shapes, not of pixels)"
        elif head.startswith((b"<!doctype html", b"<html")):
            kind = "a web page (HTML), perhaps saved instead of the picture on it"
    what = f"this file is {kind}, not" if kind else "this file is not"
    return (
        f"{what} a PNG, JPEG, GIF, BMP or WebP picture; open it in an image viewer and save "
        "or export it as PNG or JPEG, then upload that"
    )


def _damaged(what: str, err: Exception) -> str:
    return (
        f"the {what} file is damaged or cut short, so its pixels cannot be decoded "
        f"({type(err).__name__}: {err}); save or download it again and upload the new copy"
    )


# ----------------------------------------------------------------------------
# the steps a photo viewer does silently
# ----------------------------------------------------------------------------
def _upright(image: Image.Image, notes: list) -> Image.Image:
    """Turn (and un-mirror) the picture as its EXIF orientation tag says."""
    try:
        orientation = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # damaged EXIF data: the pixels are still fine
        notes.append("its EXIF data is damaged, so it is shown as stored")
        return image
    if orientation not in (2, 3, 4, 5, 6, 7, 8):
        return image
    notes.append("turned upright, as the camera's orientation tag (EXIF) says")
    return ImageOps.exif_transpose(image)


def _sixteen_bit_colour(image: Image.Image) -> bool:
    """True for a PNG with 16 bits per colour channel, which Pillow reads as 8."""
    raw_modes = [tile[3] for tile in image.tile if len(tile) > 3]
    return image.mode in ("RGB", "RGBA") and any(
        isinstance(raw, str) and ";16" in raw for raw in raw_modes
    )


def _eight_bit_opaque(image: Image.Image, notes: list, deep_colour=False) -> Image.Image:
    """Bring any mode to 8-bit "L" (gray) or "RGB", saying what changed."""
    mode = image.mode
    if mode == "I" or mode.startswith("I;16"):
        # 16-bit gray (PNG). Keep the top 8 bits (divide by 256, rounding down), as
        # Pillow itself does for 16-bit colour, so that both kinds get the same numbers
        values = np.clip(np.asarray(image, dtype=np.int64), 0, 65535)
        notes.append("16-bit values 0-65535 brought to 0-255 (divided by 256)")
        return Image.fromarray((values // 256).astype(np.uint8))
    if deep_colour:
        notes.append("16 bits per channel brought to 8 (values 0-65535 divided by 256)")
    if mode == "1":
        notes.append("black-and-white (1 bit per pixel): black is 0, white 255")
        return image.convert("L")
    if mode == "CMYK":
        notes.append("print colours (CMYK) converted to RGB, approximately")
        return image.convert("RGB")
    if mode in ("P", "PA"):
        notes.append("a palette picture (each pixel names one of its colours): colours looked up")
        image = image.convert("RGBA" if _has_transparency(image) else "RGB")
    elif mode in ("L", "RGB") and "transparency" in image.info:
        image = image.convert("LA" if mode == "L" else "RGBA")  # one colour marked see-through
    if image.mode in ("LA", "La", "RGBA", "RGBa"):
        return _on_white(image, notes)
    if image.mode not in ("L", "RGB"):
        notes.append(f"{image.mode} colours converted to RGB")
        return image.convert("RGB")
    return image


def _has_transparency(image: Image.Image) -> bool:
    return image.mode == "PA" or "transparency" in image.info


def _on_white(image: Image.Image, notes: list) -> Image.Image:
    """Put a picture with an alpha channel on white paper: each pixel is mixed with
    white in proportion to how see-through it is (alpha 0 = all white)."""
    if image.mode in ("La", "RGBa"):  # colours stored premultiplied by alpha
        image = image.convert("LA" if image.mode == "La" else "RGBA")
    rgba = np.asarray(image, dtype=np.float64)
    colour, alpha = rgba[..., :-1], rgba[..., -1:] / 255.0
    if alpha.min() >= 1.0:
        notes.append("its transparency channel is fully opaque, so it was dropped")
        out = colour
    else:
        clear = float(np.mean(alpha < 1.0))
        notes.append(f"transparent parts ({clear:.0%} of the pixels) put on white")
        out = colour * alpha + 255.0 * (1.0 - alpha)
    out = np.rint(out).astype(np.uint8)
    return Image.fromarray(out[..., 0] if out.shape[-1] == 1 else out)  # "L" or "RGB"


# ----------------------------------------------------------------------------
# a stand-in for a phone photo of handwriting
# ----------------------------------------------------------------------------
PAPER = (232, 226, 212)  #: off-white paper, as a phone sees it indoors
INK = (38, 42, 68)  #: blue-black ballpoint ink


def photo_of_digit(digit, height=180, seed=0):
    """What a phone photo of a digit written on paper looks like, made from an MNIST digit.

    The digit is enlarged (smoothly, so its strokes keep soft edges), drawn in
    dark ink on off-white paper somewhere near the middle, lit unevenly (the
    light falls off from one side, as from a window or a desk lamp) and
    given a little sensor noise. Examples for the handwriting explorer and
    tests use it where a real photo would need a camera.

    Parameters
    ----------
    digit : array, shape (28, 28)
        An MNIST-style digit: ink as high values, 0-255.
    height : int
        Height of the photo in pixels; the width is 4/3 of it (a phone's
        landscape shape).
    seed : int
        Chooses the digit's size and place, the light's direction and strength,
        and the noise.

    Returns
    -------
    uint8 array, shape (height, 4 * height // 3, 3)
        A colour photo, dark writing on light paper.
    """
    from scipy import ndimage

    digit = v.as_float_array(digit, "digit")
    v.check_ndim(digit, (2,), "digit", "(H, W), e.g. one 28x28 MNIST digit")
    v.check_finite(digit, "digit")
    height = v.as_int(height, "height", 28)
    width = 4 * height // 3
    rng = np.random.default_rng(seed)
    ink = np.clip(digit / max(float(digit.max()), 1e-12), 0, 1)
    side = int(height * rng.uniform(0.55, 0.8))  # the 28x28 frame, enlarged
    big = np.clip(ndimage.zoom(ink, side / ink.shape[0], order=1), 0, 1)
    top = rng.integers(0, height - big.shape[0] + 1)
    left = rng.integers(width // 8, width - width // 8 - big.shape[1] + 1)
    page = np.zeros((height, width))
    page[top : top + big.shape[0], left : left + big.shape[1]] = big

    paper, pen = np.array(PAPER, float), np.array(INK, float)
    photo = paper * (1 - page[..., None]) + pen * page[..., None]
    # light falling off along a random direction, down to 55-80 % on the dark side
    angle = rng.uniform(0, 2 * np.pi)
    rows, cols = np.mgrid[0:height, 0:width]
    along = np.cos(angle) * cols / width + np.sin(angle) * rows / height
    along = (along - along.min()) / (along.max() - along.min())  # 0 on the dark side, 1 bright
    darkest = rng.uniform(0.55, 0.8)
    photo *= (darkest + (1 - darkest) * along)[..., None]
    photo += rng.normal(0, 4.0, photo.shape)
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8)
