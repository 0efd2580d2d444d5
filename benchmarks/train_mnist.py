"""Train the course's reference CNN on the bundled MNIST split; compare with PyTorch.

    .venv/bin/python benchmarks/train_mnist.py            # the full benchmark
    .venv/bin/python benchmarks/train_mnist.py --no-torch # cnnlib only

Two measurements, in one process:

1. **Accuracy within a time budget.** ``cnnlib.fit`` trains
   ``reference_cnn()`` (Conv2D 1->8 3x3 pad 1, ReLU, MaxPool 2, Conv2D 8->16
   3x3 pad 1, ReLU, MaxPool 2, Flatten, Dense 784->10) on the 4,000 bundled
   training digits with the course's recipe, ``cnnlib.pretrained.RECIPE``
   (Adam from learning rate 3e-3 with cosine decay, mini-batches of 32,
   random shifts of up to 1 pixel, 25 epochs), validating on the 1,000 test
   digits after every epoch. ``seconds`` is the whole ``fit``
   (validation included); ``test_accuracy`` is measured at the end.

2. **Speed against PyTorch.** The same architecture, batch size and
   optimiser (Adam) in PyTorch (CPU, its default threads). Epochs of the two
   libraries are *interleaved* (cnnlib, torch, cnnlib, torch, ...) so that
   both see the same machine load, and the median epoch time of each is
   reported. These epochs are plain training (no augmentation, no
   validation) in both libraries, so they do the same work. Before each
   pair the script waits (``--wait-quiet``, up to 30 s) for other processes
   to go quiet, and it measures how much CPU they used meanwhile; when at
   least 3 pairs ran with other processes below 10%, only those pairs count.
   (PyTorch spreads each operation over all cores and slows down many times
   over when another process holds one of them, while cnnlib's small
   per-image products run on one core and barely notice; counting busy
   moments would flatter cnnlib.)

The last line printed is the result, e.g.::

    test_accuracy=0.9740 seconds=13.0 epochs=25 seconds_per_epoch=0.464
    torch_seconds_per_epoch=0.380 ratio=1.22 peak_rss_mb=410

(on one line). ``ratio`` is cnnlib's epoch time over PyTorch's; ``peak_rss_mb``
is the peak resident memory of the whole process (``resource.getrusage``),
PyTorch included. The figures without PyTorch are ``nan`` when it is not
installed or with ``--no-torch``.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import sys
import time

from cnnlib import (
    Adam,
    CosineDecay,
    RandomShift,
    Trainer,
    evaluate,
    fit,
    load_mnist,
    prepare_images,
    reference_cnn,
)
from cnnlib.pretrained import RECIPE

#: Epoch pairs during which other processes used less than this share of the CPUs
#: count as quiet; with at least 3 quiet pairs, only those are used.
QUIET = 0.10


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class OtherLoad:
    """Share of the machine's CPU time used by *other* processes over an interval (Linux).

    Reads the machine's busy and total clock ticks from /proc/stat and
    subtracts this process's own CPU time (``os.times``).
    """

    @staticmethod
    def _machine():
        try:
            with open("/proc/stat") as f:
                ticks = [int(t) for t in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        return sum(ticks) - ticks[3] - ticks[4], sum(ticks)  # busy (not idle/iowait), total

    def start(self):
        self._start, self._own = self._machine(), os.times()
        return self

    def share(self) -> float:
        end = self._machine()
        if self._start is None or end is None:
            return math.nan
        busy, total = (b - a for a, b in zip(self._start, end))
        own = os.times()
        own_ticks = (own.user + own.system - self._own.user - self._own.system) * os.sysconf(
            "SC_CLK_TCK"
        )
        return max(0.0, busy - own_ticks) / max(total, 1)


def wait_until_quiet(max_wait: float, threshold: float = 0.1) -> None:
    """Wait up to ``max_wait`` s until other processes use < ``threshold`` of the CPUs."""
    deadline = time.monotonic() + max_wait
    while time.monotonic() < deadline:
        load = OtherLoad().start()
        time.sleep(0.5)
        if not load.share() >= threshold:  # quiet (or not measurable)
            return


def train_for_accuracy(x, y, xv, yv, args):
    model = reference_cnn(seed=args.seed)
    history = fit(
        model,
        x,
        y,
        optimizer=Adam(model, lr=args.lr),
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_data=(xv, yv),
        seed=args.seed,
        augment=RandomShift(args.shift) if args.shift else None,
        callbacks=[CosineDecay()],
        progress=args.progress,
    )
    _, accuracy = evaluate(model, xv, yv)
    return model, history, accuracy


class TorchRun:
    """The reference network in PyTorch, trained one epoch at a time."""

    def __init__(self, x, y, batch_size, lr, seed, threads=None):
        import torch

        if threads:
            torch.set_num_threads(threads)
        self.torch = torch
        torch.manual_seed(seed)
        nn = torch.nn
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(784, 10),
        )
        self.opt = torch.optim.Adam(self.net.parameters(), lr=lr)
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)
        self.batch_size = batch_size
        self.gen = torch.Generator().manual_seed(seed)

    def epoch(self) -> float:
        torch, start = self.torch, time.perf_counter()
        order = torch.randperm(len(self.x), generator=self.gen)
        for i in range(0, len(self.x), self.batch_size):
            idx = order[i : i + self.batch_size]
            self.opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(self.net(self.x[idx]), self.y[idx])
            loss.backward()
            self.opt.step()
        return time.perf_counter() - start

    def accuracy(self, xv, yv) -> float:
        with self.torch.no_grad():
            pred = self.net(self.torch.from_numpy(xv)).argmax(1).numpy()
        return float((pred == yv).mean())


def compare_speed(x, y, args):
    """Interleaved epochs of cnnlib and PyTorch; returns both lists of epoch times."""
    model = reference_cnn(seed=args.seed)
    trainer = Trainer(
        model, Adam(model, lr=args.lr), batch_size=args.batch_size, seed=args.seed, progress=False
    )
    try:
        if args.no_torch:
            raise ImportError
        torch_run = TorchRun(x, y, args.batch_size, args.lr, args.seed, args.torch_threads)
    except ImportError:
        torch_run = None
    ours, theirs, others = [], [], []
    for _ in range(args.speed_epochs):
        if args.wait_quiet:
            wait_until_quiet(args.wait_quiet)
        load = OtherLoad().start()
        ours.append(trainer.fit(x, y, epochs=1).epoch_seconds[-1])
        if torch_run is not None:
            theirs.append(torch_run.epoch())
        others.append(load.share())
    return ours, theirs, others


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"], help="accuracy run")
    parser.add_argument("--batch-size", type=int, default=RECIPE["batch_size"])
    parser.add_argument("--lr", type=float, default=RECIPE["lr"], help="Adam's first learning rate")
    parser.add_argument("--shift", type=int, default=RECIPE["max_shift"], help="random shift (px)")
    parser.add_argument("--seed", type=int, default=RECIPE["seed"])
    parser.add_argument("--speed-epochs", type=int, default=7, help="interleaved epochs each")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="before each pair of speed epochs, wait up to this long for other processes "
        "to go quiet (0: do not wait)",
    )
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument(
        "--torch-threads", type=int, default=None, help="PyTorch threads (default: its own)"
    )
    parser.add_argument("--progress", action="store_true", help="show progress bars")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()[0]
    images, labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    x, xv = prepare_images(images), prepare_images(test_images)
    print(f"data: {len(x)} training and {len(xv)} test digits, batch size {args.batch_size}")

    _, history, accuracy = train_for_accuracy(x, labels, xv, test_labels, args)
    for e, loss, acc, val in zip(
        history.epoch, history.loss, history.accuracy, history.val_accuracy
    ):
        print(f"  epoch {e:2d}  loss {loss:.4f}  train acc {acc:.4f}  test acc {val:.4f}")
    rss_before_torch = peak_rss_mb()
    print(
        f"cnnlib: {history.seconds:.1f} s for {len(history.epoch)} epochs, test accuracy "
        f"{accuracy:.4f}; peak memory before PyTorch {rss_before_torch:.0f} MB"
    )

    ours, theirs, others = compare_speed(x, labels, args)
    print("epoch seconds, cnnlib:  " + " ".join(f"{t:.3f}" for t in ours))
    if theirs:
        import torch

        print(
            f"epoch seconds, PyTorch ({torch.get_num_threads()} threads): "
            + " ".join(f"{t:.3f}" for t in theirs)
        )
    print("CPU share used by other processes meanwhile: " + " ".join(f"{o:.0%}" for o in others))
    load_after = os.getloadavg()[0]
    print(
        f"machine load (1-min average) {load_before:.1f} before, {load_after:.1f} after, on "
        f"{os.cpu_count()} cores: with other work running, times (PyTorch's above all) vary"
    )
    # the epochs during which other processes stayed (almost) idle, if there are enough of them
    quiet = [i for i, share in enumerate(others) if share < QUIET]
    kept = quiet if len(quiet) >= 3 else list(range(len(ours)))
    print(
        f"epoch times used: {len(kept)} of {len(ours)} "
        + (f"(those with other processes below {QUIET:.0%})" if kept is quiet else "(all)")
    )
    ours_median = statistics.median(ours[i] for i in kept)
    theirs_median = statistics.median(theirs[i] for i in kept) if theirs else math.nan
    print(
        f"test_accuracy={accuracy:.4f} seconds={history.seconds:.1f} epochs={len(history.epoch)} "
        f"seconds_per_epoch={ours_median:.3f} torch_seconds_per_epoch={theirs_median:.3f} "
        f"ratio={ours_median / theirs_median:.2f} peak_rss_mb={peak_rss_mb():.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
