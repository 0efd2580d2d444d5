"""Train the reference CNN on the bundled digits and write ``data/mnist_cnn_weights.npz``.

Run once by a maintainer (about 15-30 s on a laptop CPU); learners never need
it: the result is committed, and :func:`cnnlib.load_pretrained` loads it.

Usage (from the repository root)::

    python data/make_mnist_weights.py            # train, check, write
    python data/make_mnist_weights.py --check    # only evaluate the shipped file

The recipe is ``cnnlib.pretrained.RECIPE`` (the one notebook 06 uses): Adam,
mini-batches of 32, cosine learning-rate decay, random shifts of up to one
pixel, a fixed seed. The script refuses to write weights that score below 97%
on the 1,000 bundled test digits. Training is deterministic on one machine;
another CPU or BLAS library may round differently and land on slightly
different weights of the same quality.
"""

from __future__ import annotations

import argparse
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
from cnnlib.pretrained import PRETRAINED_WEIGHTS, RECIPE, load_pretrained

MIN_ACCURACY = 0.97


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only evaluate the shipped file")
    parser.add_argument("--seed", type=int, default=RECIPE["seed"])
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"])
    args = parser.parse_args(argv)

    test_images, test_labels = load_mnist("test")
    xv = prepare_images(test_images)
    if args.check:
        loss, accuracy = evaluate(load_pretrained(), xv, test_labels)
        print(f"{PRETRAINED_WEIGHTS.name}: test loss {loss:.4f}, test accuracy {accuracy:.4f}")
        return 0 if accuracy >= MIN_ACCURACY else 1

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
    model.save_weights(PRETRAINED_WEIGHTS)
    print(f"wrote {PRETRAINED_WEIGHTS} ({PRETRAINED_WEIGHTS.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
