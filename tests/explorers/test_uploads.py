"""Learners' own pictures in the explorers: uploaded the way the browser does it.

The browser sends a FileUpload's value as JSON with the file's bytes as a
binary buffer; ``set_state`` runs the widget's own deserializer on it, so the
explorer receives exactly what it gets in JupyterLab (a tuple of ``Bunch``
dicts whose ``content`` is a ``memoryview``). ipywidgets 8.0 and 8.1 share
this Python side; a script may also assign plain dicts with ``bytes``.
"""

from __future__ import annotations

import datetime
import io

import numpy as np
import PIL.Image
import pytest

from cnnlib import conv2d, load_mnist, to_grayscale
from cnnlib.datasets import load_photo
from cnnlib.explorers._base import Explorer
from cnnlib.explorers._upload import UploadSlot, uploaded_file
from cnnlib.explorers.convolution import ConvolutionExplorer
from cnnlib.explorers.handwriting import DigitPhoto, example_photos
from cnnlib.explorers.pixels import ChannelExplorer, PixelExplorer
from cnnlib.photos import photo_of_digit, read_image


def _jpeg(array, exif_orientation=None) -> bytes:
    image = PIL.Image.fromarray(array)
    options = {"quality": 92}
    if exif_orientation:
        exif = PIL.Image.Exif()
        exif[0x0112] = exif_orientation
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def _png(array) -> bytes:
    buffer = io.BytesIO()
    PIL.Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def browser_upload(control, name, data, kind="image/jpeg"):
    """What JupyterLab does when a file is chosen: the JSON state, through the widget."""
    entry = {"name": name, "type": kind, "size": len(data), "content": memoryview(data)}
    control.set_state({"value": [{**entry, "last_modified": 1_700_000_000_000}]})


def script_upload(control, name, data):
    """What a script may assign: plain dicts holding bytes (the widget's serializer
    needs every key, ``last_modified`` as a datetime)."""
    when = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    entry = {"name": name, "type": "image/png", "size": len(data), "content": data}
    control.value = [{**entry, "last_modified": when}]


PHOTO = load_photo()
BIG = np.asarray(PIL.Image.fromarray(PHOTO).resize((1200, 1400)))  # 1400 x 1200 (H x W)


# ----------------------------------------------------------------------------
# the upload control itself
# ----------------------------------------------------------------------------
def test_uploaded_file_reads_both_forms_of_the_value():
    data = _png(np.zeros((2, 2), np.uint8))
    assert uploaded_file(()) is None
    assert uploaded_file([{"name": "a.png", "content": data}]) == ("a.png", data)
    assert uploaded_file(({"name": "b.png", "content": memoryview(data)},)) == ("b.png", data)


@pytest.mark.parametrize("upload", [browser_upload, script_upload])
def test_the_slot_decodes_once_then_forgets_the_bytes(upload):
    calls = []
    slot = UploadSlot(lambda: calls.append(1), max_side=8, grayscale=True)
    data = _png(np.arange(16 * 16, dtype=np.uint8).reshape(16, 16))
    upload(slot.control, "ramp.png", data)
    assert calls == [1]
    assert slot.image.pixels.shape == (8, 8) and slot.problem == ""
    assert slot.control.value == ()  # nothing kept in the widget (nor a saved notebook)
    assert slot.summary.startswith("ramp.png: a 16 x 16 PNG image (H x W): shrunk to 8 x 8")
    upload(slot.control, "ramp.png", data)  # the same file again still arrives
    assert calls == [1, 1]


def test_the_control_offers_png_and_jpeg_one_file_at_a_time():
    control = UploadSlot(lambda: None, max_side=8, grayscale=True).control
    assert ".png" in control.accept and ".jpg" in control.accept and not control.multiple


# ----------------------------------------------------------------------------
# PixelExplorer
# ----------------------------------------------------------------------------
def test_a_phone_photo_becomes_the_pixel_explorers_image():
    e = PixelExplorer()
    data = _jpeg(np.rot90(BIG, 1).copy(), exif_orientation=6)  # stored sideways, tagged
    browser_upload(e.controls["upload"], "IMG_0001.jpg", data)
    expected = read_image(data, max_side=PixelExplorer.UPLOAD_SIDE, grayscale=True).pixels
    assert expected.shape == (512, 439)  # upright again, and shrunk
    assert e.controls["source"].value == PixelExplorer.UPLOAD
    assert e.message == ""
    row, col, size = (e.controls[n].value for n in ("row", "col", "size"))
    assert (row, col) == (256, 219)  # the middle of the picture
    np.testing.assert_array_equal(e.output, expected[row : row + size, col : col + size])
    status = e._status.value
    assert "IMG_0001.jpg: a 1200 x 1400 JPEG image" in status
    assert "turned upright" in status and "shrunk to 512 x 439" in status
    assert e.controls["row"].max == 512 - size
    # every control still works on the upload, and the other images come back
    e.controls["size"].value = 4
    e.controls["col"].value = e.controls["col"].max
    np.testing.assert_array_equal(e.output, expected[row : row + 4, -4:])
    e.controls["source"].value = "MNIST digit"
    assert e.output.shape == (4, 4) and "Your picture" not in e._status.value


def test_a_bad_file_gives_one_line_and_the_explorer_recovers():
    e = PixelExplorer()
    png_before = e.png
    browser_upload(e.controls["upload"], "scan.pdf", b"%PDF-1.5 ...", "application/pdf")
    assert e.output is None
    assert e.message.startswith("scan.pdf: this file is a PDF document")
    assert "Not possible" in e._status.value and "Traceback" not in e._status.value
    assert e.png != png_before
    assert e.controls["source"].value == "MNIST digit"  # what was shown stays
    e.controls["index"].value = 3  # any move: the message has been read
    assert e.message == "" and e.output is not None


def test_an_empty_upload_is_explained():
    e = PixelExplorer()
    browser_upload(e.controls["upload"], "empty.jpg", b"")
    assert "the file is empty (0 bytes)" in e.message


def test_a_second_upload_replaces_the_first():
    e = PixelExplorer()
    browser_upload(e.controls["upload"], "first.png", _png(np.zeros((40, 50), np.uint8)))
    browser_upload(e.controls["upload"], "second.png", _png(np.full((30, 20), 200, np.uint8)))
    assert e.controls["source"].options.count(PixelExplorer.UPLOAD) == 1
    assert e.controls["row"].max == 30 - e.controls["size"].value
    assert np.all(e.output == 200) and "second.png" in e._status.value


# ----------------------------------------------------------------------------
# ChannelExplorer
# ----------------------------------------------------------------------------
def test_a_colour_photo_becomes_the_channel_explorers_image():
    e = ChannelExplorer()
    assert e.controls["source"].disabled  # one choice, nothing to choose yet
    wide = np.asarray(PIL.Image.fromarray(PHOTO).resize((1400, 900)))  # 900 x 1400 (H x W)
    data = _jpeg(wide)
    browser_upload(e.controls["upload"], "holiday.jpg", data)
    assert not e.controls["source"].disabled  # the photo and the upload
    expected = read_image(data, max_side=ChannelExplorer.UPLOAD_SIDE, grayscale=False).pixels
    assert expected.shape == (329, 512, 3)  # shrunk, in colour, its shape kept
    assert e.controls["source"].value == ChannelExplorer.UPLOAD and e.message == ""
    np.testing.assert_array_equal(e.output, expected)
    row, col = (e.controls[n] for n in ("row", "col"))
    assert (row.value, col.value) == (164, 256)  # the middle of the picture
    assert (row.max, col.max) == (328, 511)
    assert row.step == col.step == 3  # 512 / 240 rounded up: one pixel of the screen copy
    r, g, b = expected[164, 256]
    assert e._ax_rgb.get_title() == f"(R, G, B) = ({r}, {g}, {b})"
    status = e._status.value
    assert "(329, 512, 3)" in status and "(3, 329, 512)" in status
    assert "holiday.jpg: a 900 x 1400 JPEG image (H x W): shrunk to 329 x 512" in status
    # the switches work on the upload; the course photo comes back with its own sliders
    e.controls["red"].value = False
    np.testing.assert_array_equal(e.output, expected * np.array([0, 1, 1], np.uint8))
    assert np.all(np.asarray(e._im_channels[0].get_array()) == 0)
    e.controls["source"].value = ChannelExplorer.PHOTO
    np.testing.assert_array_equal(e.output, PHOTO * np.array([0, 1, 1], np.uint8))
    assert (row.value, col.value, row.max, col.max) == (336, 69, 599, 511)
    assert "Your picture" not in e._status.value


def test_a_gray_picture_gets_three_equal_channels_and_says_so():
    e = ChannelExplorer()
    ramp = np.tile(np.arange(0, 250, 10, dtype=np.uint8), (12, 1))  # 12 x 25, gray
    browser_upload(e.controls["upload"], "ramp.png", _png(ramp), "image/png")
    assert e.output.shape == (12, 25, 3)
    for k in range(3):
        np.testing.assert_array_equal(e.output[..., k], ramp)
    assert e.controls["row"].step == 1 and e.controls["row"].max == 11
    assert "its red, green and blue are equal" in e._status.value


def test_a_bad_file_in_the_channel_explorer_is_one_line_and_it_recovers():
    e = ChannelExplorer()
    browser_upload(e.controls["upload"], "notes.pdf", b"%PDF-1.7 ...", "application/pdf")
    assert e.output is None and e.message.startswith("notes.pdf: this file is a PDF document")
    assert "Not possible" in e._status.value and "Traceback" not in e._status.value
    assert e.controls["source"].options == (ChannelExplorer.PHOTO,)  # nothing to switch to
    assert e.controls["source"].disabled
    # the picture still shows the photo: the description says why, then what it shows
    assert e.description.startswith("notes.pdf: this file is a PDF document")
    assert ". Left: the portrait of Grace Hopper" in e.description
    e.controls["green"].value = False  # any move: the message has been read
    assert e.message == "" and e.output is not None


def test_a_second_upload_replaces_the_first_in_the_channel_explorer():
    e = ChannelExplorer()
    browser_upload(e.controls["upload"], "a.png", _png(np.zeros((40, 50, 3), np.uint8)))
    browser_upload(e.controls["upload"], "b.png", _png(np.full((30, 20, 3), 90, np.uint8)))
    assert e.controls["source"].options == (ChannelExplorer.PHOTO, ChannelExplorer.UPLOAD)
    assert e.output.shape == (30, 20, 3) and np.all(e.output == 90)
    assert (e.controls["row"].max, e.controls["col"].max) == (29, 19)
    assert "b.png" in e._status.value


def test_the_channel_explorers_quick_redraw_of_an_upload_is_a_full_draw():
    e = ChannelExplorer()
    browser_upload(e.controls["upload"], "big.jpg", _jpeg(BIG))
    for name, value in [
        ("row", 99),
        ("blue", False),
        ("source", "photo"),
        ("source", "your picture"),
    ]:
        e.controls[name].value = value
        fast = e.png
        Explorer.render(e)  # everything drawn from scratch
        assert fast == e.png, f"after {name}={value!r}"


# ----------------------------------------------------------------------------
# what PixelExplorer and ChannelExplorer share (_upload.UploadMenu)
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [PixelExplorer, ChannelExplorer])
def test_both_pixel_explorers_handle_good_and_bad_files_alike(cls):
    e = cls()
    menu = e.controls["source"]
    first, options = menu.value, menu.options
    bad = ("notes.pdf", b"%PDF-1.7 ...", "application/pdf")
    browser_upload(e.controls["upload"], *bad)
    assert e.output is None and e.message.startswith("notes.pdf: this file is a PDF document")
    assert e.message.rstrip(".") in e.description  # the picture's text says it too
    assert (menu.value, menu.options) == (first, options)  # nothing new to choose
    # a good file right after a bad one: the message goes, the picture comes
    grey = _png(np.full((30, 40), 77, np.uint8))
    browser_upload(e.controls["upload"], "grey.png", grey, "image/png")
    assert e.message == "" and np.all(e.output == 77)
    assert (menu.value, menu.options) == (cls.UPLOAD, (*options, cls.UPLOAD))
    assert e._status.value.count("<br>Your picture, grey.png: a 30 x 40 PNG image") == 1
    # a bad file while the upload is shown: one line; the next good file replaces the upload
    browser_upload(e.controls["upload"], *bad)
    assert e.output is None and menu.value == cls.UPLOAD
    browser_upload(e.controls["upload"], "dark.png", _png(np.full((20, 10), 5, np.uint8)))
    assert e.message == "" and np.all(e.output == 5) and menu.options.count(cls.UPLOAD) == 1
    assert "dark.png" in e._status.value and "grey.png" not in e._status.value
    menu.value = first
    assert "Your picture" not in e._status.value and e.message == ""


# ----------------------------------------------------------------------------
# ConvolutionExplorer
# ----------------------------------------------------------------------------
def test_an_upload_is_convolved_in_gray_and_small():
    e = ConvolutionExplorer()
    data = _jpeg(BIG)
    browser_upload(e.controls["upload"], "me.jpg", data)
    image = read_image(data, max_side=ConvolutionExplorer.UPLOAD_SIDE, grayscale=True).pixels
    assert image.shape == (96, 82)
    assert e.controls["image"].value == "your picture (96x82, gray)"
    np.testing.assert_array_equal(e.image, image)
    np.testing.assert_array_equal(e.output, conv2d(image.astype(float), e.kernel))
    assert "me.jpg: a 1400 x 1200 JPEG image (H x W): shrunk to 96 x 82" in e._status.value
    e.controls["stride"].value = 2
    e.controls["padding"].value = 1
    np.testing.assert_array_equal(
        e.output, conv2d(image.astype(float), e.kernel, stride=2, padding=1)
    )


def test_a_new_upload_replaces_the_old_one_in_the_menu():
    e = ConvolutionExplorer()
    browser_upload(e.controls["upload"], "a.png", _png(np.zeros((20, 30), np.uint8)), "image/png")
    browser_upload(e.controls["upload"], "b.png", _png(np.zeros((30, 20), np.uint8)), "image/png")
    uploads = [name for name in e.controls["image"].options if name.startswith("your picture")]
    assert uploads == ["your picture (30x20, gray)"]
    assert e.output.shape == (28, 18)


def test_a_transparent_drawing_is_put_on_white_and_said_so():
    e = ConvolutionExplorer()
    rgba = np.zeros((24, 24, 4), np.uint8)
    rgba[8:16, 8:16] = (0, 0, 0, 255)  # a black square on a see-through sheet
    browser_upload(e.controls["upload"], "square.png", _png(rgba), "image/png")
    assert e.image[0, 0] == 255 and e.image[10, 10] == 0
    assert "transparent parts" in e._status.value


def test_a_bad_upload_in_the_convolution_explorer_is_one_line():
    e = ConvolutionExplorer()
    heic = b"\x00\x00\x00\x18ftypheic" + bytes(40)
    browser_upload(e.controls["upload"], "IMG_1234.HEIC", heic, "image/heic")
    assert e.output is None and e.message.startswith("IMG_1234.HEIC: this is a HEIC")
    assert "\n" not in e.message
    e.controls["dilation"].value = 2
    assert e.message == "" and e.output is not None


# ----------------------------------------------------------------------------
# DigitPhoto
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reader():
    return DigitPhoto()


def test_the_example_photos_are_read_right(reader):
    for name in example_photos():
        reader.controls["photo"].value = name
        digit = int(name.split()[2])
        assert reader.message == ""
        assert reader.output.shape == (10,) and abs(reader.output.sum() - 1) < 1e-5
        assert int(np.argmax(reader.output)) == digit, name
        assert reader._status.value.startswith(f"Top guesses: {digit} (")


def test_an_uploaded_photo_is_prepared_like_the_drawing_pad(reader):
    from cnnlib import digit_from_photo, load_pretrained, prepare_images

    images, labels = load_mnist("test")
    three = images[np.flatnonzero(labels == 3)[0]]
    photo = photo_of_digit(three, height=600, seed=11)  # a bigger photo, as a phone's
    data = _jpeg(photo)
    browser_upload(reader.controls["upload"], "three.jpg", data)
    assert reader.controls["photo"].value == DigitPhoto.UPLOAD
    shrunk = read_image(data, max_side=DigitPhoto.UPLOAD_SIDE).pixels
    np.testing.assert_array_equal(reader.digit, digit_from_photo(shrunk))
    expected = load_pretrained().predict_proba(prepare_images(reader.digit[None]))[0]
    np.testing.assert_allclose(reader.output, expected, rtol=0, atol=0)  # same call, same bits
    assert int(np.argmax(reader.output)) == 3
    assert "Your photo, three.jpg: a 600 x 800 JPEG image" in reader._status.value


def test_a_photo_without_writing_says_what_to_do(reader):
    blank = np.full((300, 400, 3), 215, np.uint8)
    browser_upload(reader.controls["upload"], "paper.png", _png(blank), "image/png")
    assert reader.output is None and not reader.digit.any()
    assert "no writing stands out from the paper" in reader.message


def test_a_bad_file_in_the_digit_reader_is_one_line(reader):
    browser_upload(reader.controls["upload"], "digit.png", b"\x89PNG\r\n\x1a\ncut", "image/png")
    assert reader.output is None
    assert reader.message.startswith("digit.png: the PNG file is damaged or cut short")
    shown = reader.controls["photo"].value  # a bad file leaves the photo shown before
    reader.controls["photo"].value = next(name for name in example_photos() if name != shown)
    assert reader.message == "" and reader.output is not None


def test_the_digit_reader_draws_what_it_computed(reader):
    reader.controls["photo"].value = list(example_photos())[1]
    png = np.asarray(PIL.Image.open(io.BytesIO(reader.png)))
    assert png.shape[1] <= 830  # fits a notebook column
    assert reader._bar_title.get_text().startswith("the network says 2")
    heights = [bar.get_height() for bar in reader._bars]
    np.testing.assert_allclose(heights, reader.output)


def test_grayscale_photos_work_too(reader):
    gray = to_grayscale(example_photos()[list(example_photos())[2]])
    browser_upload(reader.controls["upload"], "gray.png", _png(gray), "image/png")
    assert int(np.argmax(reader.output)) == 4


def test_the_digit_reader_describes_photo_digit_and_answer():
    reader = DigitPhoto()
    names = list(example_photos())
    text = reader.description
    p, digit = reader.output, reader.digit
    best, second, third = np.argsort(p)[::-1][:3]
    assert text.startswith("The photo, 240x320: the example photo: a 7 on paper. What the ")
    assert f"({np.count_nonzero(digit)} of 784 pixels)" in text
    assert text.endswith(
        f"the network says {best}, {p[best]:.0%} sure (the dark bar); next {second} "
        f"({p[second]:.0%}), {third} ({p[third]:.0%})."
    )
    reader.controls["photo"].value = names[1]
    assert reader.description != text and "example photo: a 2 on paper" in reader.description
    blank = np.full((300, 400, 3), 215, np.uint8)
    browser_upload(reader.controls["upload"], "paper.png", _png(blank), "image/png")
    assert reader.description.startswith(
        "The photo, 300x400: your photo. Nothing for the network to read, so no "
        "probabilities: no writing stands out from the paper"
    )


def test_a_second_photo_replaces_the_first_in_the_digit_reader():
    reader = DigitPhoto()
    first = np.full((300, 400, 3), 215, np.uint8)  # blank paper: a message, but it is shown
    browser_upload(reader.controls["upload"], "first.png", _png(first), "image/png")
    second = np.full((200, 100, 3), 230, np.uint8)
    browser_upload(reader.controls["upload"], "second.png", _png(second), "image/png")
    menu = reader.controls["photo"]
    assert menu.value == DigitPhoto.UPLOAD and menu.options.count(DigitPhoto.UPLOAD) == 1
    assert reader.description.startswith("The photo, 200x100: your photo.")
    np.testing.assert_array_equal(reader.photo, second)
