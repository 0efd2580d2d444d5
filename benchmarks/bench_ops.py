"""How fast are cnnlib's convolution and pooling next to PyTorch and scipy?

Times the fast path of ``cnnlib.conv2d``, ``cnnlib.max_pool2d`` and
``cnnlib.avg_pool2d`` (the public functions, argument checks included) on the
shapes the course uses, against ``torch.nn.functional`` on the CPU and, for the
single-image convolution, ``scipy.signal.correlate2d``, all in this process,
all float32:

    conv_a   64 images, 1 -> 8 channels, 28x28, 3x3 kernel, padding 1 (MNIST, first layer)
    conv_b   64 images, 8 -> 16 channels, 14x14, 3x3 kernel, padding 1 (second layer)
    conv_c   one 512x512 image, one 3x3 kernel, no padding (edge detection on a photo)
    pool_a   2x2 max pooling of conv_a's output (64, 8, 28, 28)
    pool_b   2x2 max pooling of conv_b's output (64, 16, 14, 14)
    avg_a, avg_b   the same with 2x2 average pooling

Target (issue 2): cnnlib within 2x of PyTorch CPU on every shape, with PyTorch
using as many threads as numpy's BLAS (on the 2-core reference machine: 2).

Method: every call is checked against PyTorch first. Then, for several rounds,
each library runs a block of warm-up calls and a block of timed calls; the
blocks of the two libraries alternate, with a short pause between them so that
the worker threads one library leaves spinning do not steal a core from the
other. A time is the median over all timed calls.

The machine should be otherwise idle. Busy neighbours hurt the two libraries
unequally (PyTorch's thread pool stalls when one of its threads loses its core;
cnnlib's per-image products run on one core, so it gets a smaller share of a
crowded machine), so
the script reports how much CPU other processes took during the run, and
``--wait-idle`` makes each block wait for a quiet moment first (and redoes
blocks that others disturbed).

    .venv/bin/python benchmarks/bench_ops.py
    .venv/bin/python benchmarks/bench_ops.py --rounds 9 --markdown --wait-idle 60
    .venv/bin/python benchmarks/bench_ops.py --only conv

One line per shape,
``shape=NAME[...] cnnlib_ms=... torch_ms=... ratio=... [scipy_ms=...]``, where
``ratio`` is cnnlib_ms / torch_ms (below 1: cnnlib is faster), then the share of
the CPUs other processes used.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy
import scipy.signal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cnnlib  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the torch column is simply left out
    torch = None

TARGET_RATIO = 2.0


# ----------------------------------------------------------------------------
# threads
# ----------------------------------------------------------------------------
def numpy_blas_threads() -> tuple[int, str]:
    """How many threads numpy's BLAS uses, and where that number comes from.

    Asks the OpenBLAS bundled with numpy wheels directly; for other BLAS
    builds falls back to the usual environment variables or the core count
    (what OpenBLAS and MKL use by default).
    """
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in glob.glob(str(libs / "*openblas*")):
        lib = ctypes.CDLL(path)  # already loaded by numpy: this returns the same library
        for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_"):
            func = getattr(lib, name, None)
            if func is not None:
                return int(func()), "OpenBLAS"
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var]), f"${var}"
    return os.cpu_count() or 1, "core count (assumed)"


# ----------------------------------------------------------------------------
# other processes (Linux: /proc/stat)
# ----------------------------------------------------------------------------
def _cpu_jiffies() -> tuple[int, int] | None:
    """(busy, total) CPU time of the whole machine so far, in clock ticks."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


class OtherLoad:
    """How much of the machine other processes used between start() and fraction().

    ``OtherLoad.kept`` adds up (other processes' ticks, all ticks) over the
    timed blocks the results are made of.
    """

    kept = [0.0, 0.0]

    def start(self) -> None:
        self._machine, self._own = _cpu_jiffies(), os.times()

    def ticks(self) -> tuple[float, float]:
        """(ticks used by other processes, ticks elapsed on all CPUs) since start()."""
        now = _cpu_jiffies()
        if self._machine is None or now is None:
            return float("nan"), 1.0
        busy, total = (b - a for a, b in zip(self._machine, now))
        own = os.times()
        own_ticks = (own.user + own.system - self._own.user - self._own.system) * os.sysconf(
            "SC_CLK_TCK"
        )
        return max(0.0, busy - own_ticks), max(total, 1)

    def fraction(self) -> float:
        others, total = self.ticks()
        return others / total


def wait_until_idle(max_wait: float, threshold: float = 0.1) -> None:
    """Wait (at most ``max_wait`` seconds) until other processes use < 10% of the CPUs."""
    deadline = time.monotonic() + max_wait
    load = OtherLoad()
    while time.monotonic() < deadline:
        load.start()
        time.sleep(0.5)
        if not load.fraction() >= threshold:  # also stops when it cannot be measured
            return


# ----------------------------------------------------------------------------
# cases
# ----------------------------------------------------------------------------
def make_cases(seed: int = 0):
    """The benchmark shapes as (name, cnnlib call, torch call or None, scipy call or None)."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    cases = []

    def conv_case(name, x, w, padding):
        def ours():
            return cnnlib.conv2d(x, w, padding=padding)

        theirs = None
        if torch is not None:
            xt = torch.from_numpy(x if x.ndim == 4 else x[None, None])
            wt = torch.from_numpy(w if w.ndim == 4 else w[None, None])

            def theirs():
                return F.conv2d(xt, wt, padding=padding)

        cases.append((name, ours, theirs, None))
        return ours()

    ya = conv_case(
        "conv2d[N64,C1->8,28x28,k3,pad1]",
        rng.standard_normal((64, 1, 28, 28), dtype=f32),
        rng.standard_normal((8, 1, 3, 3), dtype=f32),
        1,
    )
    yb = conv_case(
        "conv2d[N64,C8->16,14x14,k3,pad1]",
        rng.standard_normal((64, 8, 14, 14), dtype=f32),
        rng.standard_normal((16, 8, 3, 3), dtype=f32),
        1,
    )
    photo = rng.standard_normal((512, 512), dtype=f32)
    edge = rng.standard_normal((3, 3), dtype=f32)
    conv_case("conv2d[512x512,k3,valid]", photo, edge, 0)
    name, ours, theirs, _ = cases[-1]
    cases[-1] = (name, ours, theirs, lambda: scipy.signal.correlate2d(photo, edge, mode="valid"))

    for label, y in (("N64,C8,28x28", ya), ("N64,C16,14x14", yb)):
        y = np.ascontiguousarray(y)
        yt = torch.from_numpy(y) if torch is not None else None
        for op, ref in (("max_pool2d", "max_pool2d"), ("avg_pool2d", "avg_pool2d")):
            ours = _bind(getattr(cnnlib, op), y)
            theirs = None if yt is None else _bind_torch(getattr(F, ref), yt)
            cases.append((f"{op}[{label},k2]", ours, theirs, None))
    return cases


def _bind(func, y):
    return lambda: func(y, 2)


def _bind_torch(func, yt):
    return lambda: func(yt, 2)


# ----------------------------------------------------------------------------
# timing
# ----------------------------------------------------------------------------
def _block(func, warmup: int, repeat: int) -> list[float]:
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def time_case(funcs, rounds, repeat, warmup, pause, wait_idle=0.0) -> list[float]:
    """Median milliseconds of each function in ``funcs``, timed in alternating blocks.

    With ``wait_idle`` (seconds), each block first waits for a quiet moment, and
    a block during which other processes took more than 10% of the CPUs is
    thrown away and timed again (as long as the waiting budget lasts).
    """
    samples = [[] for _ in funcs]
    for _ in range(rounds):
        for func, sample in zip(funcs, samples):
            if func is None:
                continue
            deadline = time.monotonic() + wait_idle
            while True:
                if wait_idle:
                    wait_until_idle(max(0.0, deadline - time.monotonic()))
                time.sleep(pause)
                others = OtherLoad()
                others.start()
                block = _block(func, warmup, repeat)
                busy, total = others.ticks()
                if not wait_idle or time.monotonic() > deadline or not busy > 0.1 * total:
                    break
            sample.extend(block)
            OtherLoad.kept[0] += busy
            OtherLoad.kept[1] += total
    return [1e3 * statistics.median(s) if s else float("nan") for s in samples]


def check(name, ours, theirs, scipy_call) -> None:
    """Refuse to time anything that computes a different answer."""
    got = ours()
    for label, call in (("torch", theirs), ("scipy", scipy_call)):
        if call is not None:
            want = np.asarray(call()).reshape(got.shape)  # torch tensors keep (1, 1, H, W)
            if not np.allclose(got, want, rtol=1e-4, atol=1e-4):
                raise SystemExit(f"{name}: cnnlib and {label} disagree; not timing a wrong answer")


# ----------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------
def header(blas_threads: int, source: str) -> list[str]:
    lines = [
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        + (f"torch {torch.__version__}" if torch is not None else "torch not installed"),
        f"cpu: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"numpy BLAS threads: {blas_threads} ({source})"
        + (f"; torch threads: {torch.get_num_threads()}" if torch is not None else ""),
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5:
        lines.append(
            f"warning: load average {load:.1f}: other processes are running, "
            "times will be noisy (run again on an idle machine)"
        )
    return lines


def fmt(value: float, digits: int = 3) -> str:
    return "-" if value != value else f"{value:.{digits}f}"  # NaN (not measured) -> "-"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating blocks per library")
    parser.add_argument("--repeat", type=int, default=40, help="timed calls per block")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls before each block")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between blocks")
    parser.add_argument("--only", default="", help="time only shapes whose name contains this")
    parser.add_argument("--markdown", action="store_true", help="also print a markdown table")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait up to this long per block for other processes to go quiet, and time "
        "again blocks they disturbed",
    )
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=0,
        help="threads for PyTorch (default: as many as numpy's BLAS uses)",
    )
    args = parser.parse_args(argv)

    blas_threads, source = numpy_blas_threads()
    if torch is not None:
        torch.set_num_threads(args.torch_threads or blas_threads)
    for line in header(blas_threads, source):
        print(line)

    rows = []
    for name, ours, theirs, scipy_call in make_cases():
        if args.only not in name:
            continue
        check(name, ours, theirs, scipy_call)
        ms, torch_ms, scipy_ms = time_case(
            (ours, theirs, scipy_call),
            args.rounds,
            args.repeat,
            args.warmup,
            args.pause,
            args.wait_idle,
        )
        ratio = ms / torch_ms if torch_ms == torch_ms else float("nan")
        rows.append((name, ms, torch_ms, ratio, scipy_ms))
        line = f"shape={name} cnnlib_ms={fmt(ms)} torch_ms={fmt(torch_ms)} ratio={fmt(ratio, 2)}"
        if scipy_call is not None:
            line += f" scipy_ms={fmt(scipy_ms)}"
        print(line, flush=True)

    print(
        f"other processes used {fmt(100 * OtherLoad.kept[0] / max(OtherLoad.kept[1], 1), 0)}% "
        "of the CPUs while the times were taken "
        "(above ~10% the times are not trustworthy)"
    )
    if args.markdown:
        print()
        print("| shape | cnnlib ms | PyTorch CPU ms | ratio | scipy ms |")
        print("|---|---:|---:|---:|---:|")
        for name, ms, torch_ms, ratio, scipy_ms in rows:
            print(f"| `{name}` | {fmt(ms)} | {fmt(torch_ms)} | {fmt(ratio, 2)} | {fmt(scipy_ms)} |")
    slow = [r[0] for r in rows if r[3] == r[3] and r[3] > TARGET_RATIO]
    if slow:
        print(f"above the {TARGET_RATIO:g}x target: {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
