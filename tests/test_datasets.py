"""Tests for cnnlib.datasets: bundled MNIST, the full-MNIST download, X/O images, the photo."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import shutil
import socket
import struct
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import cnnlib
from cnnlib import datasets
from cnnlib.datasets import DownloadFallbackWarning, load_mnist, load_photo, make_xo, xo_image


# ----------------------------------------------------------------------------
# bundled MNIST
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(("split", "n"), [("train", 4000), ("test", 1000)])
def test_bundled_shapes_dtypes_and_ranges(split, n):
    images, labels = load_mnist(split)
    assert images.shape == (n, 28, 28)
    assert images.dtype == np.uint8
    assert labels.shape == (n,)
    assert labels.dtype == np.int64
    assert labels.min() == 0 and labels.max() == 9
    # real digits: full ink somewhere, background (0) in the corners of every image
    assert images.max() == 255
    assert np.all(images[:, 0, 0] == 0) and np.all(images[:, -1, -1] == 0)
    # ink is HIGH (as MNIST stores it): most pixels are dark background
    assert np.median(images) == 0
    assert 20 < images.mean() < 60


@pytest.mark.parametrize(("split", "per_class"), [("train", 400), ("test", 100)])
def test_bundled_classes_are_balanced(split, per_class):
    _, labels = load_mnist(split)
    assert np.bincount(labels, minlength=10).tolist() == [per_class] * 10


def test_bundled_split_is_fixed_and_disjoint():
    train_a, train_labels_a = load_mnist("train")
    train_b, train_labels_b = load_mnist("train")
    np.testing.assert_array_equal(train_a, train_b)
    np.testing.assert_array_equal(train_labels_a, train_labels_b)

    test_images, _ = load_mnist("test")
    train_keys = {image.tobytes() for image in train_a}
    assert not any(image.tobytes() in train_keys for image in test_images)
    with np.load(datasets.DATA_DIR / datasets.BUNDLED_MNIST, allow_pickle=False) as archive:
        train_rows, test_rows = archive["train_rows"], archive["test_rows"]
    assert len(np.union1d(train_rows, test_rows)) == 5000


def test_bundled_classes_are_shuffled_within_a_split():
    _, labels = load_mnist("train")
    # not sorted by digit: the first 50 images already show most digits
    assert len(np.unique(labels[:50])) >= 8


def test_bundled_file_matches_recorded_checksum():
    path = datasets.DATA_DIR / datasets.BUNDLED_MNIST
    assert hashlib.sha256(path.read_bytes()).hexdigest() == datasets.BUNDLED_MNIST_SHA256


def test_data_readme_publishes_the_pinned_hash():
    readme = (datasets.DATA_DIR / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `mnist_5k.npz`"))
    assert f"`{datasets.BUNDLED_MNIST_SHA256}`" in row
    size = (datasets.DATA_DIR / datasets.BUNDLED_MNIST).stat().st_size
    assert f"{size:,} bytes" in row


def test_damaged_bundled_file_gives_clear_error(tmp_path, monkeypatch):
    damaged = bytearray((datasets.DATA_DIR / datasets.BUNDLED_MNIST).read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (tmp_path / datasets.BUNDLED_MNIST).write_bytes(bytes(damaged))
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="damaged or was changed.*git checkout"):
        load_mnist("train")


def test_missing_bundled_file_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"pip install -e \."):
        load_mnist("test")


def test_bundled_file_copy_loads(tmp_path, monkeypatch):
    shutil.copy(datasets.DATA_DIR / datasets.BUNDLED_MNIST, tmp_path)
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    assert load_mnist("test")[0].shape == (1000, 28, 28)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"split": "validation"}, ValueError, "split must be one of 'train', 'test', but is 'val"),
        ({"split": 0}, TypeError, "split must be one of 'train', 'test', but is 0"),
        ({"source": "web"}, ValueError, "source must be one of 'bundled', 'full', but is 'web'"),
        (
            {"base_url": "http://127.0.0.1/"},
            ValueError,
            "base_url is only used for downloads.*source=.full.",
        ),
    ],
)
def test_load_mnist_rejects_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        load_mnist(**kwargs)


def test_public_names_are_exported_from_cnnlib():
    for name in ("load_mnist", "load_photo", "make_xo", "user_data_dir", "xo_image"):
        assert getattr(cnnlib, name) is getattr(datasets, name)
        assert name in cnnlib.__all__


def test_importing_cnnlib_does_not_load_matplotlib_or_pooch():
    import subprocess

    code = "import sys, cnnlib; print('matplotlib' in sys.modules, 'pooch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ----------------------------------------------------------------------------
# full MNIST: the download code against a local HTTP server on 127.0.0.1
# ----------------------------------------------------------------------------
def write_idx_gz(path, array):
    """Write ``array`` (uint8) as a gzipped IDX file, the format of the MNIST files."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb", compresslevel=1) as file:
        file.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def sha256_of(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Serve small IDX files made from the bundled digits; yield what a test needs."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.delenv(datasets.ENV_MNIST_URL, raising=False)
    monkeypatch.delenv(datasets.ENV_DATA_DIR, raising=False)
    site = tmp_path / "site"
    site.mkdir()
    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    # fewer images than the bundled splits, so a fallback cannot pass for a download
    arrays = {
        "train-images-idx3-ubyte.gz": train_images[:600],
        "train-labels-idx1-ubyte.gz": train_labels[:600].astype(np.uint8),
        "t10k-images-idx3-ubyte.gz": test_images[:200],
        "t10k-labels-idx1-ubyte.gz": test_labels[:200].astype(np.uint8),
    }
    for name, array in arrays.items():
        write_idx_gz(site / name, array)
    hashes = {name: sha256_of(site / name) for name in arrays}

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield {"url": url, "site": site, "arrays": arrays, "hashes": hashes, "server": server}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def files_in(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize(("split", "prefix"), [("train", "train"), ("test", "t10k")])
def test_full_download_succeeds_and_is_cached(served, tmp_path, split, prefix):
    cache = tmp_path / "cache"
    kwargs = {"base_url": served["url"], "cache_dir": cache, "hashes": served["hashes"]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning
        images, labels = load_mnist(split, source="full", **kwargs)
    np.testing.assert_array_equal(images, served["arrays"][f"{prefix}-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(labels, served["arrays"][f"{prefix}-labels-idx1-ubyte.gz"])
    assert images.dtype == np.uint8 and labels.dtype == np.int64
    assert images.flags.writeable
    names = [f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"]
    assert files_in(cache) == sorted(names)  # only the two files asked for, no temp files
    for name in names:
        assert sha256_of(cache / "mnist" / name) == served["hashes"][name]

    # the cached files are used (and checked again) when the server is gone
    served["server"].shutdown()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again, _ = load_mnist(split, source="full", **kwargs)
    np.testing.assert_array_equal(again, images)


def test_full_download_reads_url_and_folder_from_environment(served, tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.ENV_MNIST_URL, served["url"].rstrip("/"))  # slash added
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(tmp_path / "env-cache"))
    images, _ = load_mnist("test", source="full", hashes=served["hashes"])
    assert images.shape == (200, 28, 28)
    assert "t10k-images-idx3-ubyte.gz" in files_in(tmp_path / "env-cache")


def test_corrupted_download_falls_back_and_leaves_no_file(served, tmp_path):
    damaged = bytearray((served["site"] / "t10k-images-idx3-ubyte.gz").read_bytes())
    damaged[100] ^= 0xFF  # one flipped byte on the server
    (served["site"] / "t10k-images-idx3-ubyte.gz").write_bytes(bytes(damaged))
    cache = tmp_path / "cache"
    with pytest.warns(DownloadFallbackWarning, match=r"(?s)hash.*bundled subset"):
        images, labels = load_mnist(
            "test", source="full", base_url=served["url"], cache_dir=cache, hashes=served["hashes"]
        )
    bundled_images, bundled_labels = load_mnist("test")
    np.testing.assert_array_equal(images, bundled_images)
    np.testing.assert_array_equal(labels, bundled_labels)
    # the bad file was never stored under its name (nor as a temporary file)
    assert "t10k-images-idx3-ubyte.gz" not in files_in(cache)
    assert all(name.endswith(".gz") for name in files_in(cache))


def test_damaged_cached_file_is_replaced_or_removed(served, tmp_path):
    cache = tmp_path / "cache"
    kwargs = {"cache_dir": cache, "hashes": served["hashes"]}
    load_mnist("test", source="full", base_url=served["url"], **kwargs)
    cached = cache / "mnist" / "t10k-labels-idx1-ubyte.gz"
    cached.write_bytes(cached.read_bytes()[:-10])  # e.g. a copy cut short

    # server up: the damaged copy is downloaded again
    _, labels = load_mnist("test", source="full", base_url=served["url"], **kwargs)
    assert len(labels) == 200
    assert sha256_of(cached) == served["hashes"][cached.name]

    # server down: fall back and delete the damaged copy
    cached.write_bytes(b"not a gzip file")
    served["server"].shutdown()
    served["server"].server_close()
    with pytest.warns(DownloadFallbackWarning):
        _, labels = load_mnist("test", source="full", base_url=served["url"], **kwargs)
    assert len(labels) == 1000
    assert not cached.exists()


def test_unreachable_server_falls_back_with_message(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with socket.socket() as sock:  # a free port that nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mnist/"
    cache = tmp_path / "cache"
    with pytest.warns(DownloadFallbackWarning) as record:
        images, labels = load_mnist("train", source="full", base_url=url, cache_dir=cache)
    message = str(record[0].message)
    assert "could not get the full MNIST train split" in message
    assert url in message and "ConnectionError" in message
    assert "bundled subset instead (4,000 train images)" in message
    assert images.shape == (4000, 28, 28) and labels.dtype == np.int64
    assert files_in(cache) == []


@pytest.fixture
def silent_server(monkeypatch):
    """The URL of a server on 127.0.0.1 that accepts connections and never answers.

    The socket listens but nobody calls accept(): the operating system completes
    the connection, the request is sent, and no reply ever comes.
    """
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/mnist/"


def test_a_server_that_never_answers_costs_seconds_not_minutes(silent_server, tmp_path):
    cache = tmp_path / "cache"
    start = time.perf_counter()
    with pytest.warns(DownloadFallbackWarning, match="bundled subset") as record:
        images, _ = load_mnist("test", source="full", base_url=silent_server, cache_dir=cache)
    waited = time.perf_counter() - start
    assert images.shape == (1000, 28, 28)  # the bundled digits
    assert "Timeout" in str(record[0].message)
    # one mirror, given up after its timeout: a few seconds (it was 30 s, or 60 s with two)
    assert waited < 2 * sum(datasets.DOWNLOAD_TIMEOUT)
    assert max(datasets.DOWNLOAD_TIMEOUT) <= 10
    assert not cache.exists()


@pytest.mark.parametrize("how", ["environment", "argument"])
def test_a_failed_download_leaves_no_new_folder_behind(tmp_path, monkeypatch, how):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with socket.socket() as sock:  # a free port that nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine")
    new = existing / "new" / "data"
    kwargs = {"base_url": url}
    if how == "environment":
        monkeypatch.setenv(datasets.ENV_DATA_DIR, str(new))
    else:
        kwargs["cache_dir"] = new
    with pytest.warns(DownloadFallbackWarning):
        load_mnist("test", source="full", **kwargs)
    assert sorted(p.name for p in existing.iterdir()) == ["keep.txt"]  # no "new" folder


def test_a_failed_download_keeps_a_folder_that_holds_other_files(served, tmp_path):
    cache = tmp_path / "cache"
    load_mnist(
        "test", source="full", base_url=served["url"], cache_dir=cache, hashes=served["hashes"]
    )
    served["server"].shutdown()
    served["server"].server_close()
    with pytest.warns(DownloadFallbackWarning):  # the train split is not cached
        load_mnist("train", source="full", base_url=served["url"], cache_dir=cache)
    assert files_in(cache) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


# ----------------------------------------------------------------------------
# the learner's own data folder
# ----------------------------------------------------------------------------
def test_user_data_dir_is_the_folder_named_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(tmp_path / "a" / "b"))
    folder = cnnlib.user_data_dir()
    assert folder == tmp_path / "a" / "b" and folder.is_dir()
    assert cnnlib.user_data_dir() == folder  # again: it exists already
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(datasets.ENV_DATA_DIR, "relative")
    assert cnnlib.user_data_dir() == tmp_path / "relative"  # absolute, for printing
    assert (tmp_path / "relative").is_dir()


def test_user_data_dir_defaults_to_the_user_cache_folder(tmp_path, monkeypatch):
    import pooch

    monkeypatch.delenv(datasets.ENV_DATA_DIR, raising=False)
    monkeypatch.setattr(pooch, "os_cache", lambda project: tmp_path / "cache" / project)
    assert cnnlib.user_data_dir() == tmp_path / "cache" / "cnnlib"
    assert (tmp_path / "cache" / "cnnlib").is_dir()


def test_user_data_dir_is_where_full_mnist_is_cached(served, tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(tmp_path / "mine"))
    load_mnist("test", source="full", base_url=served["url"], hashes=served["hashes"])
    assert "t10k-images-idx3-ubyte.gz" in files_in(cnnlib.user_data_dir() / "mnist")


def test_user_data_dir_that_cannot_be_created_says_what_to_do(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv(datasets.ENV_DATA_DIR, str(tmp_path / "a-file" / "data"))
    with pytest.raises(
        OSError,
        match="cannot create the data folder .*set the environment variable CNNLIB_DATA_DIR",
    ):
        cnnlib.user_data_dir()


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"base_url": "127.0.0.1/mnist"}, ValueError, "base_url must be the URL"),
        ({"cache_dir": 3}, TypeError, "cache_dir must be a folder path"),
        ({"hashes": ["abc"]}, TypeError, "hashes must be a dict"),
        ({"hashes": {"t10k-images-idx3-ubyte.gz": "0" * 64}}, ValueError, "no entry for t10k-lab"),
    ],
)
def test_full_rejects_bad_download_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        load_mnist("test", source="full", **kwargs)


def test_idx_reader_round_trip_and_bad_header(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx_gz(tmp_path / "a.gz", array)
    np.testing.assert_array_equal(datasets._read_idx(tmp_path / "a.gz"), array)
    with gzip.open(tmp_path / "b.gz", "wb") as file:
        file.write(b"\x00\x00\x0d\x01" + struct.pack(">I", 1) + b"\x00" * 4)  # float32 code
    with pytest.raises(ValueError, match="not an IDX file of unsigned bytes"):
        datasets._read_idx(tmp_path / "b.gz")
    with gzip.open(tmp_path / "c.gz", "wb") as file:
        file.write(b"\x00\x00\x08\x01" + struct.pack(">I", 5) + b"\x00" * 4)  # one short
    with pytest.raises(ValueError, match="holds 4 values"):
        datasets._read_idx(tmp_path / "c.gz")


def test_pinned_hashes_cover_the_four_official_files():
    assert sorted(datasets.MNIST_SHA256) == sorted(sum(datasets.MNIST_FILES.values(), ()))
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in datasets.MNIST_SHA256.values())


# ----------------------------------------------------------------------------
# the colour photo
# ----------------------------------------------------------------------------
def test_load_photo():
    photo = load_photo()
    assert photo.shape == (600, 512, 3)
    assert photo.dtype == np.uint8
    assert photo.min() == 0 and photo.max() == 255
    # a real colour photo: the three channels differ
    assert not np.array_equal(photo[..., 0], photo[..., 2])
    photo[:] = 0  # a writeable copy: changing it does not change the next load
    assert load_photo().max() == 255


# ----------------------------------------------------------------------------
# X/O toy images
# ----------------------------------------------------------------------------
CLASSIC_X = """
.........
.#.....#.
..#...#..
...#.#...
....#....
...#.#...
..#...#..
.#.....#.
.........
"""
CLASSIC_O = """
.........
...###...
..#...#..
.#.....#.
.#.....#.
.#.....#.
..#...#..
...###...
.........
"""


def picture(text):
    rows = text.strip().splitlines()
    return np.array([[1.0 if c == "#" else -1.0 for c in row] for row in rows])


@pytest.mark.parametrize(
    ("kind", "expected"), [("x", CLASSIC_X), ("o", CLASSIC_O), ("X", CLASSIC_X)]
)
def test_xo_image_draws_the_classic_letters(kind, expected):
    image = xo_image(kind)
    assert image.shape == (9, 9) and image.dtype == np.float64
    np.testing.assert_array_equal(image, picture(expected))


@pytest.mark.parametrize("size", [5, 8, 9, 16, 28])
@pytest.mark.parametrize("kind", ["x", "o"])
def test_xo_image_sizes(kind, size):
    image = xo_image(kind, size=size)
    assert image.shape == (size, size)
    assert set(np.unique(image)) == {-1.0, 1.0}
    # the border is background, the letter is symmetric left-right and up-down
    assert np.all(image[0] == -1) and np.all(image[:, -1] == -1)
    np.testing.assert_array_equal(image, image[::-1])
    np.testing.assert_array_equal(image, image[:, ::-1])


@pytest.mark.parametrize("shift", [(1, 0), (0, -1), (1, 1), (-1, 1)])
def test_xo_image_shift_moves_the_letter(shift):
    centred, moved = xo_image("o"), xo_image("o", shift=shift)
    np.testing.assert_array_equal(moved, np.roll(centred, shift, axis=(0, 1)))


def test_xo_image_large_shift_loses_ink_at_the_edge():
    moved = xo_image("x", shift=(3, 0))
    assert np.all(moved[:3] == -1)  # uncovered rows are background
    np.testing.assert_array_equal(moved[3:], xo_image("x")[:-3])
    assert (moved == 1).sum() < (xo_image("x") == 1).sum()


@pytest.mark.parametrize(("noise", "flipped"), [(0.0, 0), (0.05, 4), (0.1, 8), (1.0, 81)])
def test_xo_image_noise_flips_that_fraction_of_pixels(noise, flipped):
    clean, noisy = xo_image("x"), xo_image("x", noise=noise, seed=3)
    assert (clean != noisy).sum() == flipped
    assert set(np.unique(noisy)) <= {-1.0, 1.0}


def test_xo_image_is_deterministic_for_a_seed():
    a = xo_image("o", noise=0.2, seed=7)
    np.testing.assert_array_equal(a, xo_image("o", noise=0.2, seed=7))
    assert not np.array_equal(a, xo_image("o", noise=0.2, seed=8))


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"kind": "y"}, ValueError, "kind must be one of 'o', 'x', but is 'y'"),
        ({"kind": 1}, TypeError, "kind must be one of 'o', 'x', but is 1"),
        ({"kind": "x", "size": 3}, ValueError, "size must be at least 5.*size=9"),
        ({"kind": "x", "size": 9.0}, TypeError, "size must be an int"),
        ({"kind": "x", "shift": 1}, TypeError, r"shift must be a pair of ints \(down, right\)"),
        ({"kind": "x", "shift": (9, 0)}, ValueError, "shift=.9, 0. would move the whole letter"),
        (
            {"kind": "x", "noise": 5},
            ValueError,
            r"noise must be in \[0, 1\], but is 5; it is the fraction of pixels flipped",
        ),
        ({"kind": "x", "noise": float("nan")}, ValueError, "noise must be a finite number"),
        ({"kind": "x", "noise": "a"}, TypeError, "noise must be a number"),
        ({"kind": "x", "seed": 1.5}, TypeError, "seed must be an int, None or a numpy.random.Gen"),
        ({"kind": "x", "seed": -1}, ValueError, "seed must be at least 0, but is -1; e.g. seed=0"),
    ],
)
def test_xo_image_rejects_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        xo_image(**kwargs)


@pytest.mark.parametrize("n", [1, 2, 9, 100])
def test_make_xo_shapes_values_and_balance(n):
    images, labels = make_xo(n)
    assert images.shape == (n, 9, 9) and images.dtype == np.float64
    assert labels.shape == (n,) and labels.dtype == np.int64
    assert set(np.unique(images)) <= {-1.0, 1.0}
    counts = np.bincount(labels, minlength=2)
    assert counts[0] == (n + 1) // 2 and counts[1] == n // 2  # "o" gets the odd one


def test_make_xo_images_match_their_labels():
    images, labels = make_xo(200, noise=0.0, max_shift=1, seed=1)
    for image, label in zip(images, labels):
        kind = datasets.XO_CLASSES[label]
        # every image is its letter moved by at most one pixel along each axis
        assert any(
            np.array_equal(image, xo_image(kind, shift=(dy, dx)))
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
        )
    assert labels[:20].tolist() != sorted(labels[:20].tolist())  # shuffled
    # shifts vary: more than a handful of distinct X images
    assert len({image.tobytes() for image in images[labels == 1]}) >= 6


def test_make_xo_noise_and_no_shift():
    images, labels = make_xo(50, max_shift=0, noise=0.1, seed=2)
    for image, label in zip(images, labels):
        assert (image != xo_image(datasets.XO_CLASSES[label])).sum() == 8


def test_make_xo_is_deterministic_for_a_seed():
    a_images, a_labels = make_xo(30, seed=5)
    b_images, b_labels = make_xo(30, seed=5)
    np.testing.assert_array_equal(a_images, b_images)
    np.testing.assert_array_equal(a_labels, b_labels)
    assert not np.array_equal(a_images, make_xo(30, seed=6)[0])


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"n": 0}, ValueError, "n must be at least 1, but is 0; it is the number of images"),
        ({"n": 2.5}, TypeError, "n must be an int"),
        ({"n": 4, "max_shift": 9}, ValueError, "max_shift must be at most 8, but is 9; a shift of"),
        ({"n": 4, "max_shift": -1}, ValueError, "max_shift must be at least 0, but is -1"),
        ({"n": 4, "max_shift": 1.0}, TypeError, "max_shift must be an int.*write max_shift=1"),
        ({"n": 4, "noise": -0.1}, ValueError, "noise must be in .0, 1., but is -0.1; it is"),
        ({"n": 4, "seed": "0"}, TypeError, "seed must be an int"),
    ],
)
def test_make_xo_rejects_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        make_xo(**kwargs)
