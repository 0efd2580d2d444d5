"""Train the reference CNN on the bundled digits and write ``data/mnist_cnn_weights.npz``.

Run once by a maintainer (about 15-30 s on a laptop CPU); learners never need
it: the result is committed, and :func:`cnnlib.load_pretrained` loads it.

Usage (from the repository root)::

    python data/make_mnist_weights.py            # train, check, write
    python data/make_mnist_weights.py --check    # only evaluate the shipped file
    python data/make_mnist_weights.py --resave   # same weights, current file format

The recipe is ``cnnlib.pretrained.RECIPE`` (the one notebook 06 uses): Adam,
mini-batches of 32, cosine learning-rate decay, random shifts of up to one
pixel, a fixed seed. The script refuses to write weights that score below 97%
on the 1,000 bundled test digits. Training is deterministic on one machine;
another CPU or BLAS library may round differently and land on slightly
different weights of the same quality.

The file's SHA-256 is pinned in ``cnnlib.pretrained.PRETRAINED_SHA256`` and
published in ``data/README.md``; after writing a new file the script prints
its SHA-256 and size: put them in both places (a test compares them).
``--resave`` rewrites the shipped weights unchanged in the file format of the
installed cnnlib (for a change of format), without training.
"""

from __future__ import annotations

import argparse
import hashlib
import sys

from cnnlib import (
    Adam,
    CosineDecay,
    RandomShift,
    evaluate,
    fit,
    load_mnist,
    prepare_images,
    reference_cnn,
)
from cnnlib.pretrained import PRETRAINED_SHA256, PRETRAINED_WEIGHTS, RECIPE, load_pretrained

MIN_ACCURACY = 0.97


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only evaluate the shipped file")
    parser.add_argument(
        "--resave", action="store_true", help="rewrite the shipped weights in the current format"
    )
    parser.add_argument("--seed", type=int, default=RECIPE["seed"])
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"])
    args = parser.parse_args(argv)

    test_images, test_labels = load_mnist("test")
    xv = prepare_images(test_images)
    if args.check:
        loss, accuracy = evaluate(load_pretrained(), xv, test_labels)
        print(f"{PRETRAINED_WEIGHTS.name}: test loss {loss:.4f}, test accuracy {accuracy:.4f}")
        return 0 if accuracy >= MIN_ACCURACY else 1
    if args.resave:
        return write(load_pretrained())

    images, labels = load_mnist("train")
    x = prepare_images(images)
    model = reference_cnn(seed=args.seed)
    history = fit(
        model,
        x,
        labels,
        optimizer=Adam(model, lr=RECIPE["lr"]),
        epochs=args.epochs,
        batch_size=RECIPE["batch_size"],
        validation_data=(xv, test_labels),
        seed=args.seed,
        augment=RandomShift(RECIPE["max_shift"]),
        callbacks=[CosineDecay()],
    )
    loss, accuracy = evaluate(model, xv, test_labels)
    print(f"{history}\ntest loss {loss:.4f}, test accuracy {accuracy:.4f}")
    if accuracy < MIN_ACCURACY:
        print(f"below {MIN_ACCURACY:.0%}: not writing {PRETRAINED_WEIGHTS}", file=sys.stderr)
        return 1
    return write(model)


def write(model) -> int:
    """Save ``model`` as the shipped weights; say what to update if the file changed."""
    model.save_weights(PRETRAINED_WEIGHTS)
    digest = hashlib.sha256(PRETRAINED_WEIGHTS.read_bytes()).hexdigest()
    size = PRETRAINED_WEIGHTS.stat().st_size
    print(f"wrote {PRETRAINED_WEIGHTS} ({size:,} bytes), SHA-256 {digest}")
    if digest != PRETRAINED_SHA256:
        print(
            "the file changed: put the SHA-256 into PRETRAINED_SHA256 in cnnlib/pretrained.py, "
            "and the size and SHA-256 into data/README.md",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
