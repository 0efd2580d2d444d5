"""Data for the course: real MNIST digits, toy X/O images and a colour photo.

Everything here works offline. The MNIST digits ship with the repository in
``data/mnist_5k.npz`` (5,000 real digits, see ``data/README.md``); the full
60,000/10,000 MNIST is an opt-in download, cached in :func:`user_data_dir`,
the learner's own folder outside the course folder.

Core floor: numpy (and pooch, only when a download is asked for); never
matplotlib, except inside :func:`load_photo`, which reads matplotlib's sample
photo.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import warnings
from pathlib import Path

import numpy as np

from cnnlib import _validate as v

__all__ = ["load_mnist", "load_photo", "make_xo", "user_data_dir", "xo_image"]

# ----------------------------------------------------------------------------
# the bundled MNIST subset
# ----------------------------------------------------------------------------
#: Folder with the data that ships with the repository (found next to the package,
#: which works for a clone and for an editable install, ``pip install -e .``).
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
BUNDLED_MNIST = "mnist_5k.npz"
#: SHA-256 of ``data/mnist_5k.npz`` as written by ``data/make_mnist_subset.py``.
BUNDLED_MNIST_SHA256 = "bdff3d71faebe47aafcb1d6a994c8d6161eec54e880c2869bac483f71f3c8156"

SPLITS = ("train", "test")
SOURCES = ("bundled", "full")

# ----------------------------------------------------------------------------
# the full MNIST, downloaded on request
# ----------------------------------------------------------------------------
#: Where the four original MNIST files can be downloaded (tried in this order).
#: The original site, yann.lecun.com, has been unreliable for scripted downloads;
#: PyTorch and TensorFlow fetch the same files (same hashes) from these mirrors.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
#: The gzipped IDX files of each split: (images, labels).
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
#: Published SHA-256 of each file (sizes 9,912,422 / 28,881 / 1,648,877 / 4,542 bytes).
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
#: Environment variables that override the download folder and the mirror.
ENV_DATA_DIR = "CNNLIB_DATA_DIR"
ENV_MNIST_URL = "CNNLIB_MNIST_URL"
#: Seconds to wait for a mirror (to connect, then for each answer) before it counts
#: as unreachable and the next one, or the bundled subset, is used. A mirror that
#: accepts the connection and never answers costs this long, not minutes.
DOWNLOAD_TIMEOUT = (5, 5)


class DownloadFallbackWarning(UserWarning):
    """The full MNIST could not be downloaded; the bundled subset is used instead."""


def load_mnist(
    split: str = "train",
    source: str = "bundled",
    *,
    base_url: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    hashes: dict[str, str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Load handwritten digits from MNIST.

    Parameters
    ----------
    split : {"train", "test"}
        Which part of the data set to return. The two parts never share an image.
    source : {"bundled", "full"}
        ``"bundled"`` (default): the 5,000 real MNIST digits that ship with the
        course (500 of each digit), split once, at random with a fixed seed, into
        4,000 training and 1,000 test images (400 and 100 of each digit). Works
        offline and loads in milliseconds.

        ``"full"``: the whole MNIST, 60,000 training and 10,000 test images,
        downloaded on first use (9.9 MB for the training split, 1.7 MB for
        the test split), checked against pinned SHA-256 hashes and cached
        outside the repository. If the download fails (offline, mirror down or
        silent for ``DOWNLOAD_TIMEOUT`` seconds, wrong hash), a
        :class:`DownloadFallbackWarning` says why and the bundled subset is
        returned instead; no unverified file is kept, nor a folder created for it.
    base_url : str, optional
        Only for ``source="full"``: the folder URL that holds the four ``.gz``
        files (a mirror, or a local server in tests). Default: the environment
        variable ``CNNLIB_MNIST_URL`` if set, else the mirrors in
        ``MNIST_MIRRORS``, tried in order.
    cache_dir : str or path-like, optional
        Only for ``source="full"``: where downloaded files are kept, in a
        ``mnist`` subfolder. Default: :func:`user_data_dir`, i.e. the
        environment variable ``CNNLIB_DATA_DIR`` if set, else the user cache
        folder (``pooch.os_cache("cnnlib")``, e.g. ``~/.cache/cnnlib`` on Linux).
    hashes : dict of str to str, optional
        Only for ``source="full"``: expected hash of each file name, replacing
        ``MNIST_SHA256`` (for a mirror with other files, or tests). A bare hex
        string is SHA-256; ``"md5:..."`` also works.

    Returns
    -------
    images : numpy.ndarray, shape (n, 28, 28), dtype uint8
        Grey levels as MNIST stores them: 0 is the background, 255 full ink, so
        the digit is *bright* on a dark background.
    labels : numpy.ndarray, shape (n,), dtype int64
        The digit shown in each image, 0-9.

    Raises
    ------
    ValueError
        For an unknown ``split`` or ``source``, download arguments without
        ``source="full"``, or if the bundled file is damaged.
    FileNotFoundError
        If the bundled file is not found next to the package.

    Warns
    -----
    DownloadFallbackWarning
        With ``source="full"``, when the download fails and the bundled subset
        is returned instead.

    Examples
    --------
    >>> images, labels = load_mnist("train")
    >>> images.shape, images.dtype, labels.shape
    ((4000, 28, 28), dtype('uint8'), (4000,))
    """
    split = v.as_choice(split, "split", SPLITS)
    source = v.as_choice(source, "source", SOURCES)
    if source == "bundled":
        download_args = {"base_url": base_url, "cache_dir": cache_dir, "hashes": hashes}
        given = [name for name, value in download_args.items() if value is not None]
        if given:
            raise ValueError(
                f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} only used for "
                "downloads; pass source='full' to download the full MNIST, or leave "
                f"{'it' if len(given) == 1 else 'them'} out to load the bundled digits"
            )
        return _load_bundled(split)
    folder = _data_root(cache_dir) / "mnist"
    mirrors = _mirrors(base_url)
    hashes = _check_hashes(hashes, split)
    new_folders = _missing_folders(folder)
    try:
        paths = _fetch_full(split, folder, mirrors, hashes)
        images, labels = _read_idx(paths[0]), _read_idx(paths[1])
        _check_mnist_arrays(images, labels, paths)
    except (ImportError, OSError, EOFError, ValueError) as err:
        _discard_unverified(split, folder, hashes)
        _remove_if_empty(new_folders)
        images, labels = _load_bundled(split)
        warnings.warn(
            f"could not get the full MNIST {split} split: {err}. Using the bundled subset "
            f"instead ({len(labels):,} {split} images). To get the full data, connect to the "
            f"internet and call load_mnist({split!r}, source='full') again, or put the files "
            f"{' and '.join(MNIST_FILES[split])} into {folder} yourself.",
            DownloadFallbackWarning,
            stacklevel=2,
        )
        return images, labels
    return images, labels.astype(np.int64)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _bundled_path() -> Path:
    path = DATA_DIR / BUNDLED_MNIST
    if not path.is_file():
        raise FileNotFoundError(
            f"the bundled MNIST digits were not found at {path}. cnnlib reads them from the "
            "data/ folder of the course repository, next to the cnnlib/ folder: clone the "
            "repository and install it with `pip install -e .` (a plain `pip install .` copies "
            "only the package, not data/), or fetch the full data set with "
            "load_mnist(source='full')"
        )
    return path


def _load_bundled(split: str) -> tuple[np.ndarray, np.ndarray]:
    path = _bundled_path()
    found = _sha256(path)
    if found != BUNDLED_MNIST_SHA256:
        raise ValueError(
            f"{path} is damaged or was changed: its SHA-256 is {found}, expected "
            f"{BUNDLED_MNIST_SHA256}. Restore it with `git checkout -- data/{BUNDLED_MNIST}`, "
            "or rebuild it with data/make_mnist_subset.py (see data/README.md) and, if the "
            "change is intended, update BUNDLED_MNIST_SHA256 in cnnlib/datasets.py"
        )
    with np.load(path, allow_pickle=False) as archive:
        images = archive[f"{split}_images"]
        labels = archive[f"{split}_labels"]
    return images, labels.astype(np.int64, copy=False)


def _mirrors(base_url) -> tuple[str, ...]:
    if base_url is None:
        base_url = os.environ.get(ENV_MNIST_URL) or None
    if base_url is None:
        return MNIST_MIRRORS
    if not isinstance(base_url, str) or "://" not in base_url:
        raise ValueError(
            f"base_url must be the URL of the folder holding the MNIST .gz files, like "
            f"'https://example.org/mnist/', but is {base_url!r}"
        )
    return (base_url if base_url.endswith("/") else base_url + "/",)


def _check_hashes(hashes, split: str) -> dict[str, str]:
    if hashes is None:
        return MNIST_SHA256
    if not isinstance(hashes, dict):
        raise TypeError(
            f"hashes must be a dict from file name to hash, got {type(hashes).__name__}; "
            "e.g. {'t10k-images-idx3-ubyte.gz': '8d42...', ...}"
        )
    missing = [name for name in MNIST_FILES[split] if name not in hashes]
    if missing:
        raise ValueError(
            f"hashes has no entry for {', '.join(missing)}; give the hash of every file of "
            f"the {split} split: {', '.join(MNIST_FILES[split])}"
        )
    return hashes


def _fetch_full(split: str, folder: Path, mirrors, hashes) -> tuple[Path, Path]:
    """Download (or find in ``folder``) the two files of ``split``; return their paths.

    pooch writes each download to a temporary file next to its target, checks
    the hash and only then renames it, so a file under its real name has always
    passed the check. A cached file is checked again on every call.
    """
    import pooch

    downloader = pooch.HTTPDownloader(progressbar=True, timeout=DOWNLOAD_TIMEOUT)
    paths = []
    for name in MNIST_FILES[split]:
        errors = []
        for mirror in mirrors:
            try:
                path = pooch.retrieve(
                    mirror + name,
                    known_hash=hashes[name],
                    fname=name,
                    path=folder,
                    downloader=downloader,
                )
            except (OSError, ValueError) as err:  # requests' errors are OSErrors
                errors.append(f"{mirror + name}: {_short(err)}")
                continue
            paths.append(Path(path))
            break
        else:
            raise OSError("; ".join(errors))
    return paths[0], paths[1]


def _short(err: Exception) -> str:
    """The first line of an error message, for a warning a learner can read."""
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0].rstrip('.') if text else ''}"


def _discard_unverified(split: str, folder: Path, hashes) -> None:
    """Delete cached files of ``split`` that do not match their hash."""
    for name in MNIST_FILES[split]:
        path = folder / name
        if path.is_file() and not _hash_matches(path, hashes.get(name, "")):
            path.unlink()


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_if_empty(folders: list[Path]) -> None:
    """Remove the folders a failed download created, deepest first, if they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty (or already gone): keep it and its parents
            if folder.exists():
                return


def _hash_matches(path: Path, known: str) -> bool:
    algorithm, _, value = known.rpartition(":")
    digest = hashlib.new(algorithm or "sha256")
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == value.lower()


def _read_idx(path: Path) -> np.ndarray:
    """Read a gzipped IDX file, the simple format the original MNIST files use.

    An IDX file is a 4-byte header (two zero bytes, a type code, 0x08 for
    unsigned bytes, and the number of dimensions), one big-endian 32-bit size
    per dimension, then the values, row by row.
    """
    with gzip.open(path, "rb") as file:
        data = file.read()
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != 0x08:
        raise ValueError(f"{path.name} is not an IDX file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", count=ndim, offset=4))
    values = np.frombuffer(bytearray(data), np.uint8, offset=4 + 4 * ndim)
    if values.size != np.prod(shape):
        raise ValueError(f"{path.name} holds {values.size} values, its header says {shape}")
    return values.reshape(shape)


def _check_mnist_arrays(images: np.ndarray, labels: np.ndarray, paths) -> None:
    if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.shape != images.shape[:1]:
        raise ValueError(
            f"{paths[0].name} and {paths[1].name} do not hold 28x28 images with one label "
            f"each (shapes {images.shape} and {labels.shape})"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{paths[1].name} holds labels above 9")


# ----------------------------------------------------------------------------
# the learner's own data folder, outside the course folder
# ----------------------------------------------------------------------------
def user_data_dir() -> Path:
    """The folder where cnnlib keeps your files, outside the course folder.

    ``load_mnist(source="full")`` caches its downloads in its ``mnist``
    subfolder, and notebook 06 saves the network you trained there. The course
    folder itself stays as it came (it may even be read-only).

    Returns
    -------
    pathlib.Path
        An absolute path to a folder that exists (it is created if needed):
        the folder named by the environment variable ``CNNLIB_DATA_DIR`` if it
        is set, else the user cache folder (``pooch.os_cache("cnnlib")``, e.g.
        ``~/.cache/cnnlib`` on Linux, ``~/Library/Caches/cnnlib`` on macOS).

    Raises
    ------
    OSError
        If the folder cannot be created; the message suggests setting
        ``CNNLIB_DATA_DIR``.

    Examples
    --------
    >>> path = user_data_dir() / "my_mnist_cnn.npz"     # doctest: +SKIP
    >>> model.save_weights(path)                          # doctest: +SKIP
    """
    folder = _data_root().absolute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise type(err)(
            f"cannot create the data folder {folder} ({err.strerror or err}); set the "
            f"environment variable {ENV_DATA_DIR} to a folder you can write to, e.g. "
            f"os.environ[{ENV_DATA_DIR!r}] = '/tmp/cnnlib' before calling user_data_dir()"
        ) from None
    return folder


def _data_root(folder=None) -> Path:
    """``folder`` if given, else ``$CNNLIB_DATA_DIR``, else the user cache folder (not created)."""
    if folder is None:
        folder = os.environ.get(ENV_DATA_DIR) or None
    if folder is None:
        import pooch

        return Path(pooch.os_cache("cnnlib"))
    return v.as_path(folder, "cache_dir", "a folder path", "cache_dir='~/cnn-data'")


# ----------------------------------------------------------------------------
# a real colour photo
# ----------------------------------------------------------------------------
def load_photo() -> np.ndarray:
    """Load a real colour photo: Grace Hopper, the computer pioneer.

    The portrait ships with matplotlib as sample data, so it is always
    available offline. It is 600 pixels high and 512 wide: 600 x 512 x 3 =
    921,600 numbers.

    Returns
    -------
    photo : numpy.ndarray, shape (600, 512, 3), dtype uint8
        Channels-last RGB, as images are stored on disk and shown by
        matplotlib; each value 0-255. Use ``cnnlib.to_channels_first`` to get
        the (C, H, W) layout networks use.

    Examples
    --------
    >>> photo = load_photo()
    >>> photo.shape, photo.dtype
    ((600, 512, 3), dtype('uint8'))
    """
    # matplotlib is imported here, not at the top: the core must not need it
    import matplotlib.cbook
    import matplotlib.image

    path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    photo = matplotlib.image.imread(path)
    return np.array(photo[..., :3], dtype=np.uint8)  # a writeable copy


# ----------------------------------------------------------------------------
# toy X and O images
# ----------------------------------------------------------------------------
#: Class names of :func:`make_xo` labels: ``XO_CLASSES[label]``.
XO_CLASSES = ("o", "x")
INK, BACKGROUND = 1.0, -1.0


def xo_image(
    kind: str,
    size: int = 9,
    shift: tuple[int, int] = (0, 0),
    noise: float = 0.0,
    seed=None,
) -> np.ndarray:
    """Draw one toy image of an X or an O: +1 for ink, -1 for background.

    The classic first example of template matching: an X is two diagonals that
    cross in the middle, an O a ring, both one pixel thick, with the outermost
    rows and columns left as background.

    Parameters
    ----------
    kind : {"x", "o"}
        Which letter to draw.
    size : int, default 9
        Height and width in pixels, at least 5.
    shift : (int, int), default (0, 0)
        Move the drawing by whole pixels, (down, right); negative values move
        it up or left. Ink pushed over the edge is lost, the uncovered pixels
        are background. With the 1-pixel border, shifts of -1 to +1 keep the
        whole letter.
    noise : float, default 0.0
        Fraction of pixels to flip (ink <-> background), 0 to 1. Exactly
        ``round(noise * size * size)`` pixels, chosen at random, are flipped.
    seed : int or numpy.random.Generator, optional
        Seed for the choice of flipped pixels; the same seed gives the same
        image. Not needed when ``noise`` is 0.

    Returns
    -------
    image : numpy.ndarray, shape (size, size), dtype float64
        Values in {-1.0, +1.0}.

    Examples
    --------
    >>> x = xo_image("x")
    >>> x.shape, float(x[4, 4]), float(x[0, 0])
    ((9, 9), 1.0, -1.0)
    """
    kind = v.as_choice(kind, "kind", XO_CLASSES)
    size = v.as_letter_size(size)
    shift = _check_shift(shift, size)
    noise = v.as_flip_fraction(noise)
    rng = np.random.default_rng(v.as_seed(seed))
    return _flip(_shifted(_draw(kind, size), shift), noise, rng)


def make_xo(
    n: int,
    size: int = 9,
    max_shift: int = 1,
    noise: float = 0.05,
    seed=0,
) -> tuple[np.ndarray, np.ndarray]:
    """Make a balanced, shuffled set of toy X and O images.

    Each image is an X or an O (see :func:`xo_image`) moved by a random shift
    of ``-max_shift`` to ``+max_shift`` pixels along each axis, with a fraction
    ``noise`` of its pixels flipped.

    Parameters
    ----------
    n : int
        Number of images, at least 1. Half are X and half O (one more O when
        ``n`` is odd).
    size : int, default 9
        Height and width in pixels, at least 5.
    max_shift : int, default 1
        Largest shift in pixels along each axis, 0 or more and less than ``size``.
    noise : float, default 0.05
        Fraction of pixels flipped in every image, 0 to 1.
    seed : int or numpy.random.Generator, default 0
        Seed for the order, shifts and noise; the same seed gives the same set.

    Returns
    -------
    images : numpy.ndarray, shape (n, size, size), dtype float64
        Values in {-1.0, +1.0}.
    labels : numpy.ndarray, shape (n,), dtype int64
        0 for "o", 1 for "x" (``XO_CLASSES[label]`` gives the name).

    Examples
    --------
    >>> images, labels = make_xo(10)
    >>> images.shape, int(labels.sum())
    ((10, 9, 9), 5)
    """
    n = v.as_int(n, "n", 1, why="it is the number of images: ask for e.g. n=100")
    size = v.as_letter_size(size)
    max_shift = v.as_int(
        max_shift,
        "max_shift",
        0,
        size - 1,
        why=f"a shift of size={size} pixels or more moves the letter out of the image; "
        "use 0 for centred letters or 1 for small moves",
    )
    noise = v.as_flip_fraction(noise)
    rng = np.random.default_rng(v.as_seed(seed))

    labels = rng.permutation(np.arange(n) % 2)  # balanced, then shuffled
    shifts = rng.integers(-max_shift, max_shift + 1, size=(n, 2))
    templates = [_draw(kind, size) for kind in XO_CLASSES]
    images = np.empty((n, size, size))
    for i in range(n):
        images[i] = _flip(_shifted(templates[labels[i]], shifts[i]), noise, rng)
    return images, labels.astype(np.int64)


def _draw(kind: str, size: int) -> np.ndarray:
    """The centred letter, one pixel thick, inside a one-pixel background border."""
    rows, cols = np.mgrid[:size, :size]
    inside = (rows > 0) & (rows < size - 1) & (cols > 0) & (cols < size - 1)
    if kind == "x":
        ink = inside & ((rows == cols) | (rows + cols == size - 1))
    else:
        centre, radius = (size - 1) / 2, (size - 3) / 2
        distance = np.hypot(rows - centre, cols - centre)
        ink = np.abs(distance - radius) < 0.5  # the pixels the circle passes through
    return np.where(ink, INK, BACKGROUND)


def _shifted(image: np.ndarray, shift) -> np.ndarray:
    """Move ``image`` by (down, right) whole pixels, filling with background."""
    dy, dx = int(shift[0]), int(shift[1])
    h, w = image.shape
    out = np.full_like(image, BACKGROUND)
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def _flip(image: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Flip exactly ``round(noise * image.size)`` randomly chosen pixels."""
    count = round(noise * image.size)
    if count == 0:
        return image
    out = image.copy()
    flat = out.reshape(-1)
    chosen = rng.choice(image.size, size=count, replace=False)
    flat[chosen] = -flat[chosen]
    return out


def _check_shift(shift, size: int) -> tuple[int, int]:
    if not (
        isinstance(shift, (tuple, list, np.ndarray))
        and len(shift) == 2
        and all(v._is_int(s) for s in shift)
    ):
        raise TypeError(
            f"shift must be a pair of ints (down, right) in pixels, but is {shift!r}; "
            "e.g. shift=(1, -1) moves the letter one pixel down and one left"
        )
    if max(abs(int(s)) for s in shift) >= size:
        raise ValueError(
            f"shift={tuple(shift)} would move the whole letter out of a {size}x{size} image; "
            f"use shifts between -{size - 1} and {size - 1} (usually -1, 0 or 1)"
        )
    return int(shift[0]), int(shift[1])
