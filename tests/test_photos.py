"""read_image: learners' own files, every awkward kind, all made in memory with Pillow."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from cnnlib import images
from cnnlib import photos as ph
from cnnlib.photos import read_image


def _save(image: Image.Image, fmt="PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _png_by_hand(width, height, bit_depth, colour_type, rows: bytes) -> bytes:
    """A PNG written chunk by chunk: for headers that lie and for 16-bit colour,
    which Pillow cannot save."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _rows16(values: np.ndarray) -> bytes:
    """Big-endian 16-bit samples, each row preceded by filter type 0."""
    h = values.shape[0]
    raw = values.astype(">u2").reshape(h, -1)
    return b"".join(b"\x00" + row.tobytes() for row in raw)


RNG = np.random.default_rng(0)
COLOUR = RNG.integers(0, 256, (12, 16, 3), dtype=np.uint8)


# ----------------------------------------------------------------------------
# ordinary files
# ----------------------------------------------------------------------------
def test_a_png_comes_back_number_for_number_with_nothing_to_say():
    loaded = read_image(_save(Image.fromarray(COLOUR)))
    np.testing.assert_array_equal(loaded.pixels, COLOUR)
    assert loaded.pixels.dtype == np.uint8
    assert (loaded.format, loaded.file_size, loaded.file_mode) == ("PNG", (12, 16), "RGB")
    assert loaded.notes == ()
    assert loaded.summary == "a 12 x 16 PNG image (H x W)."


def test_grayscale_mixes_the_colours_as_the_course_does():
    data = _save(Image.fromarray(COLOUR))
    gray = read_image(data, grayscale=True)
    assert gray.pixels.shape == (12, 16)
    np.testing.assert_array_equal(gray.pixels, images.to_grayscale(COLOUR))
    assert any("grayscale" in note for note in gray.notes)


def test_a_gray_file_read_as_colour_gets_three_equal_channels():
    gray = COLOUR[..., 0]
    loaded = read_image(_save(Image.fromarray(gray)))
    assert loaded.pixels.shape == (12, 16, 3)
    for channel in range(3):
        np.testing.assert_array_equal(loaded.pixels[..., channel], gray)
    assert any("equal" in note for note in loaded.notes)
    np.testing.assert_array_equal(
        read_image(_save(Image.fromarray(gray)), grayscale=True).pixels, gray
    )


def test_a_jpeg_is_close_to_what_was_saved():
    smooth = np.repeat(np.repeat(COLOUR[::4, ::4], 8, axis=0), 8, axis=1)  # flat 8x8 blocks
    loaded = read_image(_save(Image.fromarray(smooth), "JPEG", quality=95))
    assert loaded.format == "JPEG" and loaded.pixels.shape == smooth.shape
    # JPEG is lossy: flat blocks come back within a few levels, except at block borders
    error = np.abs(loaded.pixels.astype(int) - smooth)
    assert np.median(error) <= 3


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "path", "file"])
def test_every_kind_of_source_gives_the_same_pixels(kind, tmp_path):
    data = _save(Image.fromarray(COLOUR))
    path = tmp_path / "mine.png"
    path.write_bytes(data)
    source = {
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),  # what a FileUpload widget holds
        "path": path,
        "file": io.BytesIO(data),
    }[kind]
    np.testing.assert_array_equal(read_image(source).pixels, COLOUR)


def test_wrong_argument_types_are_named():
    with pytest.raises(TypeError, match="source must be the file's bytes"):
        read_image([1, 2, 3])
    with pytest.raises(TypeError, match="binary mode"):
        read_image(io.StringIO("text"))
    with pytest.raises(TypeError, match="grayscale must be True or False"):
        read_image(_save(Image.fromarray(COLOUR)), grayscale="yes")
    with pytest.raises(ValueError, match="max_side"):
        read_image(_save(Image.fromarray(COLOUR)), max_side=0)


# ----------------------------------------------------------------------------
# shrinking
# ----------------------------------------------------------------------------
def test_a_big_picture_is_shrunk_keeping_its_shape_and_a_small_one_is_never_enlarged():
    big = RNG.integers(0, 256, (300, 200, 3), dtype=np.uint8)
    loaded = read_image(_save(Image.fromarray(big)), max_side=60)
    assert loaded.pixels.shape == (60, 40, 3)
    assert "shrunk to 60 x 40" in loaded.notes
    assert loaded.file_size == (300, 200)
    small = read_image(_save(Image.fromarray(COLOUR)), max_side=60)
    assert small.pixels.shape == COLOUR.shape and small.notes == ()


def test_shrinking_averages_fine_detail_instead_of_sampling_it():
    # one-pixel black and white stripes: keeping every 4th pixel would give pure
    # black (0) everywhere; a proper filter gives the average, mid-gray
    stripes = np.tile(np.array([0, 255], np.uint8), (64, 32))
    loaded = read_image(_save(Image.fromarray(stripes)), max_side=16, grayscale=True)
    assert loaded.pixels.shape == (16, 16)
    centre = loaded.pixels[4:-4, 4:-4].astype(float)
    assert np.all(np.abs(centre - 127.5) < 8), centre


def test_a_big_jpeg_is_decoded_small_and_still_looks_the_same():
    rows, cols = np.mgrid[0:1600, 0:2000]
    ramp = np.stack([rows * 255 // 1599, cols * 255 // 1999, np.full_like(rows, 90)], -1)
    data = _save(Image.fromarray(ramp.astype(np.uint8)), "JPEG", quality=90)
    loaded = read_image(data, max_side=100)
    assert loaded.pixels.shape == (80, 100, 3)
    assert loaded.file_size == (1600, 2000)
    expected = ramp[10::20, 10::20][:80, :100]  # the ramp at the centres of 20x20 blocks
    assert np.abs(loaded.pixels.astype(int) - expected).max() <= 6


# ----------------------------------------------------------------------------
# the steps a photo viewer does silently, said aloud
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("orientation", "upright"),
    [
        (3, lambda a: np.rot90(a, 2)),  # upside down
        (6, lambda a: np.rot90(a, -1)),  # phone turned: rotate 90 degrees clockwise
        (8, lambda a: np.rot90(a, 1)),  # the other way
        (2, lambda a: a[:, ::-1]),  # mirrored (a front camera)
    ],
)
def test_a_phone_photo_is_turned_upright_as_its_exif_tag_says(orientation, upright):
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _save(Image.fromarray(COLOUR), exif=exif.tobytes())
    loaded = read_image(data)
    np.testing.assert_array_equal(loaded.pixels, upright(COLOUR))
    assert any("upright" in note for note in loaded.notes)
    assert loaded.file_size == (12, 16)  # as stored, before turning


def test_an_upright_tag_changes_nothing():
    exif = Image.Exif()
    exif[0x0112] = 1
    loaded = read_image(_save(Image.fromarray(COLOUR), exif=exif.tobytes()))
    np.testing.assert_array_equal(loaded.pixels, COLOUR)
    assert loaded.notes == ()


def test_transparent_parts_are_put_on_white():
    rgba = np.zeros((4, 5, 4), np.uint8)
    rgba[..., 0] = 200  # red...
    rgba[..., 3] = 255
    rgba[0, 0, 3] = 0  # ...except one clear pixel
    rgba[1, 1, 3] = 128  # and one half-clear pixel
    loaded = read_image(_save(Image.fromarray(rgba)))
    assert loaded.file_mode == "RGBA"
    np.testing.assert_array_equal(loaded.pixels[0, 0], [255, 255, 255])
    a = 128 / 255
    expected = np.rint([200 * a + 255 * (1 - a), 255 * (1 - a), 255 * (1 - a)])
    np.testing.assert_array_equal(loaded.pixels[1, 1], expected)
    np.testing.assert_array_equal(loaded.pixels[2, 2], [200, 0, 0])
    assert any("transparent parts (10% of the pixels) put on white" in n for n in loaded.notes)


def test_a_transparency_channel_that_is_all_opaque_is_dropped():
    rgba = np.dstack([COLOUR, np.full((12, 16), 255, np.uint8)])
    loaded = read_image(_save(Image.fromarray(rgba)))
    np.testing.assert_array_equal(loaded.pixels, COLOUR)
    assert any("fully opaque" in note for note in loaded.notes)


def test_gray_with_transparency_is_put_on_white_too():
    la = Image.fromarray(np.dstack([np.zeros((3, 3), np.uint8), np.zeros((3, 3), np.uint8)]))
    assert la.mode == "LA"
    loaded = read_image(_save(la), grayscale=True)
    np.testing.assert_array_equal(loaded.pixels, np.full((3, 3), 255))


def test_a_palette_picture_is_looked_up_and_its_clear_colour_becomes_white():
    pal = Image.fromarray(COLOUR).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    loaded = read_image(_save(pal))
    np.testing.assert_array_equal(loaded.pixels, np.asarray(pal.convert("RGB")))
    assert loaded.file_mode == "P" and any("palette" in n for n in loaded.notes)

    gif = Image.new("P", (4, 4), 0)
    gif.putpalette([10, 20, 30, 0, 0, 0] + [0] * 762)
    gif.putpixel((0, 0), 1)
    data = _save(gif, "GIF", transparency=1)
    loaded = read_image(data)
    np.testing.assert_array_equal(loaded.pixels[0, 0], [255, 255, 255])
    np.testing.assert_array_equal(loaded.pixels[1, 1], [10, 20, 30])


def test_an_animated_gif_gives_its_first_frame_and_says_so():
    frames = [Image.new("RGB", (6, 4), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    loaded = read_image(buffer.getvalue())
    assert loaded.pixels.shape == (4, 6, 3)
    assert tuple(loaded.pixels[0, 0]) == (255, 0, 0)
    assert "animated: only its first frame is used" in loaded.notes


def test_16_bit_gray_keeps_the_top_8_bits():
    values = np.array([[0, 255, 256, 40000], [65535, 511, 512, 1000]], np.uint16)
    loaded = read_image(_save(Image.fromarray(values)), grayscale=True)
    np.testing.assert_array_equal(loaded.pixels, values // 256)
    assert any("16-bit" in note for note in loaded.notes)


def test_16_bit_colour_is_brought_to_8_bits_the_same_way():
    values = RNG.integers(0, 65536, (3, 5, 3))
    data = _png_by_hand(5, 3, 16, 2, _rows16(values))
    loaded = read_image(data)
    np.testing.assert_array_equal(loaded.pixels, values // 256)
    assert any("16 bits per channel" in note for note in loaded.notes)


def test_cmyk_becomes_rgb():
    cyan = Image.new("CMYK", (8, 8), (255, 0, 0, 0))
    loaded = read_image(_save(cyan, "JPEG", quality=95))
    assert loaded.file_mode == "CMYK"
    r, g, b = loaded.pixels[4, 4].astype(int)
    assert r < 20 and g > 235 and b > 235  # cyan = no red, full green and blue
    assert any("CMYK" in note for note in loaded.notes)


def test_black_and_white_bits_become_0_and_255():
    bits = Image.fromarray(COLOUR[..., 0] > 128)
    assert bits.mode == "1"
    loaded = read_image(_save(bits), grayscale=True)
    np.testing.assert_array_equal(loaded.pixels, np.where(COLOUR[..., 0] > 128, 255, 0))


# ----------------------------------------------------------------------------
# files that cannot work: one sentence with the reason and the fix
# ----------------------------------------------------------------------------
def test_an_empty_upload():
    with pytest.raises(ValueError, match=r"the file is empty \(0 bytes\).*choose the file again"):
        read_image(b"")


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"just some text, not a picture", "this file is not a PNG, JPEG"),
        (b"%PDF-1.7\n...", "this file is a PDF document, not a PNG"),
        (b"II*\x00" + bytes(40), "a TIFF image"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "an SVG drawing"),
        (b"<!DOCTYPE html><html><body><img src=x></body></html>", "a web page"),
        (b"PK\x03\x04" + bytes(30), "a ZIP archive"),
    ],
)
def test_not_an_image_says_what_it_seems_to_be_and_what_to_do(content, named):
    with pytest.raises(ValueError, match="export it as PNG or JPEG") as info:
        read_image(content)
    assert named in str(info.value)
    assert "\n" not in str(info.value)  # one line, for a status line


def test_an_iphone_heic_photo_gets_its_own_advice():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    with pytest.raises(ValueError, match="HEIC.*export it as JPEG"):
        read_image(heic)


def test_a_file_that_starts_like_a_png_but_is_not_one_is_called_damaged():
    with pytest.raises(ValueError, match="the PNG file is damaged or cut short"):
        read_image(b"\x89PNG\r\n\x1a\nand then nothing sensible")


def test_a_file_cut_short_is_called_damaged():
    data = _save(Image.fromarray(RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8)))
    with pytest.raises(ValueError, match="damaged or cut short"):
        read_image(data[: len(data) // 2])


def test_a_huge_picture_is_refused_from_its_header_before_any_pixel_is_decoded():
    # the header claims 6000 x 4000 (24 MP) but the pixel data is garbage: had the
    # pixels been decoded, the error would be "damaged", not the size
    data = _png_by_hand(6000, 4000, 8, 0, b"not real pixel rows")
    with pytest.raises(ValueError, match=r"4000 x 6000 pixels \(24.0 megapixels\).*smaller copy"):
        read_image(data)


def test_a_decompression_bomb_is_refused_too():
    data = _png_by_hand(20000, 20000, 8, 0, b"tiny")  # 400 MP: Pillow itself refuses it
    with pytest.raises(ValueError, match="far more than 20 megapixels"):
        read_image(data)


def test_the_pixel_limit_is_inclusive(monkeypatch):
    monkeypatch.setattr(ph, "MAX_PIXELS", 12 * 16)
    assert read_image(_save(Image.fromarray(COLOUR))).pixels.shape == (12, 16, 3)
    with pytest.raises(ValueError, match="12 x 17 pixels"):
        read_image(_save(Image.fromarray(np.zeros((12, 17), np.uint8))))


def test_a_format_outside_the_list_is_not_tried():
    # TIFF is a real image Pillow could read, but it is not one of FORMATS
    data = _save(Image.fromarray(COLOUR), "TIFF")
    with pytest.raises(ValueError, match="a TIFF image, not a PNG"):
        read_image(data)


# ----------------------------------------------------------------------------
# photo_of_digit
# ----------------------------------------------------------------------------
def test_photo_of_digit_is_dark_writing_on_light_unevenly_lit_paper(digits):
    images_, _ = digits
    photo = ph.photo_of_digit(images_[0], height=120, seed=4)
    assert photo.shape == (120, 160, 3) and photo.dtype == np.uint8
    gray = images.to_grayscale(photo).astype(float)
    assert np.median(gray) > 120  # mostly paper
    assert np.percentile(gray, 1) < 80  # and some dark ink
    # uneven light: the paper's brightness differs between the two halves or the top and bottom
    halves = [
        np.median(gray[:, :80]),
        np.median(gray[:, 80:]),
        np.median(gray[:60]),
        np.median(gray[60:]),
    ]
    assert max(abs(halves[0] - halves[1]), abs(halves[2] - halves[3])) > 10
    np.testing.assert_array_equal(photo, ph.photo_of_digit(images_[0], height=120, seed=4))


def test_photo_of_digit_checks_its_digit():
    with pytest.raises(ValueError, match="digit"):
        ph.photo_of_digit(np.zeros(28))
    with pytest.raises(ValueError, match="NaN"):
        ph.photo_of_digit(np.full((28, 28), np.nan))
