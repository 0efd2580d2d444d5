"""How long does an explorer take to answer a slider move? (headless, no browser)

Every explorer exported from ``cnnlib.explorers`` (each ``Explorer`` subclass
in its ``__all__``) is built with its default arguments and driven through
every control's range: sliders in steps across their range, menus and toggle
buttons through all their options, checkboxes on and off, text boxes through
a few values; buttons are not pressed (e.g. the network builder's Train,
which starts a training run, not a redraw). Each update is timed from the
``control.value = ...`` assignment until it returns; the base class
recomputes, updates the artists and encodes the PNG synchronously inside that
call, so this is the time from the value change until the picture's bytes
exist (the browser then only has to show an image).

Target: p95 <= 50 ms for every explorer at default sizes (100 ms is the usual
bound for "feels instant"), at pixel density 1 and 2 (``--scale 2``: every
explorer renders twice as many pixels each way, as on a HiDPI screen or a
projector; see ``cnnlib.explorers.set_pixel_density``).

    .venv/bin/python benchmarks/widget_latency.py            # all explorers
    .venv/bin/python benchmarks/widget_latency.py Pooling    # names containing "Pooling"
    .venv/bin/python benchmarks/widget_latency.py --repeat 5 --markdown -v
    .venv/bin/python benchmarks/widget_latency.py --scale 2  # at 2x (HiDPI)

Customising the sweep (optional, on the explorer class):

``benchmark_kwargs``
    dict of constructor arguments (default: none), or a callable (e.g. a
    classmethod) returning one, for arguments that are costly to make, such as
    a trained model.
``benchmark_values``
    dict of control name -> list of values to try for that control (e.g. for a
    free text box whose meaningful values the benchmark cannot guess).
``benchmark_sweep(self)``
    method returning ``(control_name, value)`` pairs; replaces the generic
    sweep entirely.

What is reported, per explorer, over all sweeps:

* ``p50_ms``, ``p95_ms``: wall-clock time per update, every update counted
  (the first sweep includes first-time costs such as loading data);
* ``best_p95_ms``: p95 over the steps of a sweep of the *fastest* of the
  sweeps at that step: what an update costs without interference from other
  processes (the usual best-of-N of ``timeit``; compare it with ``p95_ms`` when
  the machine is busy);
* ``cpu_p95_ms``: CPU time of this process per update (more than the wall
  time when numpy's BLAS runs several threads).

The last lines printed are ``explorer=NAME p50_ms=... p95_ms=... n=...
best_p95_ms=... cpu_p95_ms=...``, and the first line records the machine's
load average: measure on a quiet machine. Exit status 1 if an explorer could
not be driven (with ``--strict``, also if a p95 misses the target).

The training dashboard is also measured where it matters, while it trains:
the reference CNN is trained on the bundled digits with a plain ``Trainer``
and with a ``TrainingDashboard`` (runs interleaved, medians of ``--repeat``),
printed before the explorer lines as ``dashboard_overhead=... (wall-clock
ratio - 1) train_seconds_plain=... train_seconds_dashboard=...
drawing_seconds=... drawing_share=...`` (the dashboard's own redrawing time,
measured inside the run, as a share of the plain training time: the wall
clock ratio is noisy on a shared machine). Target: at most 10% slower.
``--no-training`` skips it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ipywidgets as widgets  # noqa: E402
import matplotlib  # noqa: E402

import cnnlib.explorers  # noqa: E402
from cnnlib.explorers._base import Explorer  # noqa: E402

TARGET_P95_MS = 50.0
TARGET_DASHBOARD_OVERHEAD = 0.10
SLIDER_STEPS = 12  # at most this many values per slider (all of them if fewer)
CHOICES = (
    widgets.ToggleButtons,
    widgets.Dropdown,
    widgets.RadioButtons,
    widgets.Select,
    widgets.SelectionSlider,
)


def discover(pattern: str = ""):
    """The Explorer subclasses exported by cnnlib.explorers, in __all__ order."""
    found = []
    for name in cnnlib.explorers.__all__:
        obj = getattr(cnnlib.explorers, name)
        if (
            isinstance(obj, type)
            and issubclass(obj, Explorer)
            and obj is not Explorer
            and pattern.lower() in name.lower()
        ):
            found.append(obj)
    return found


def _slider_values(control):
    low, high = control.min, control.max
    if isinstance(control, widgets.IntSlider | widgets.BoundedIntText):
        values = list(range(int(low), int(high) + 1, max(int(control.step or 1), 1)))
        if len(values) > SLIDER_STEPS:
            picks = np.linspace(0, len(values) - 1, SLIDER_STEPS).round().astype(int)
            values = [values[i] for i in picks]
        return values
    values = np.linspace(low, high, SLIDER_STEPS)
    step = getattr(control, "step", None)
    if step:
        values = low + np.round((values - low) / step) * step
    return [float(v) for v in values]


def control_values(name, control, overrides):
    """The values the generic sweep sets for one control, ending on its start value."""
    if not hasattr(control, "value"):  # e.g. a Button: nothing to sweep
        return []
    if isinstance(control, widgets.FileUpload):  # needs a file: see upload_latency()
        return []
    start = control.value
    if name in overrides:
        values = list(overrides[name])
    elif isinstance(control, CHOICES):
        values = list(control._options_values)  # the values behind the labels shown
    elif isinstance(control, widgets.FloatLogSlider):  # min and max are exponents
        values = [float(v) for v in control.base ** np.linspace(control.min, control.max, 8)]
    elif isinstance(control, widgets.Checkbox | widgets.ToggleButton):
        values = [not start, start]
    elif isinstance(control, widgets.IntRangeSlider | widgets.FloatRangeSlider):
        low, high = control.min, control.max
        mid = (low + high) / 2
        values = [(low, mid), (mid, high), (low, high)]
        if isinstance(control, widgets.IntRangeSlider):
            values = [(int(a), int(b)) for a, b in values]
    elif hasattr(control, "min") and hasattr(control, "max"):
        values = _slider_values(control)
    elif isinstance(control, widgets.IntText | widgets.FloatText):
        values = [start + 1, start - 1]
    elif isinstance(control, widgets.Text | widgets.Textarea):
        values = [start + " ", start.strip() or " "]
    else:
        return []
    return [*values, start]


def sweep(explorer, overrides):
    """(control_name, value) pairs that drive every control through its range."""
    if hasattr(explorer, "benchmark_sweep"):
        yield from explorer.benchmark_sweep()
        return
    for name, control in explorer.controls.items():
        values = control_values(name, control, overrides)
        if not values and not isinstance(control, widgets.Button | widgets.FileUpload):
            print(
                f"# {type(explorer).__name__}: control {name!r} ({type(control).__name__}) "
                "not swept: give its values in benchmark_values"
            )
        for value in values:
            yield name, value


def time_explorer(cls, repeat=3):
    """Drive every control through its values, ``repeat`` times over.

    Returns ``(samples, problems)``; each sample is ``(step, control, wall_ms,
    cpu_ms)``, where ``step`` numbers the value changes within one sweep (the
    same step in every sweep sets the same value from the same state).
    """
    kwargs = getattr(cls, "benchmark_kwargs", {})
    if callable(kwargs):  # e.g. a classmethod that trains a small model first
        kwargs = kwargs()
    overrides = getattr(cls, "benchmark_values", {})
    explorer = cls(**kwargs)
    samples, problems = [], []
    for _ in range(repeat):
        step = 0
        for name, value in sweep(explorer, overrides):
            control = explorer.controls[name]
            try:
                if control.value == value:
                    continue
            except ValueError:  # comparing arrays
                pass
            before = explorer.png
            start, cpu_start = time.perf_counter(), time.process_time()
            control.value = value
            wall = (time.perf_counter() - start) * 1000.0
            cpu = (time.process_time() - cpu_start) * 1000.0
            step += 1
            if explorer.png is before:
                problems.append(f"{name}={value!r} did not re-render")
                continue
            samples.append((step, name, wall, cpu))
    return samples, problems


def summarise(samples):
    """p50/p95 of all updates, of the best of the sweeps per step, and of the CPU time."""
    wall = [s[2] for s in samples]
    cpu = [s[3] for s in samples]
    best = {}
    for step, _, ms, _ in samples:
        best[step] = min(ms, best.get(step, ms))
    per_control = {}
    for _, name, ms, _ in samples:
        per_control.setdefault(name, []).append(ms)
    slowest = max(per_control, key=lambda n: percentile(per_control[n], 95), default="-")
    return {
        "p50": percentile(wall, 50),
        "p95": percentile(wall, 95),
        "n": len(wall),
        "best_p50": percentile(list(best.values()), 50),
        "best_p95": percentile(list(best.values()), 95),
        "cpu_p50": percentile(cpu, 50),
        "cpu_p95": percentile(cpu, 95),
        "slowest": slowest,
        "per_control": per_control,
    }


def dashboard_overhead(repeat=3, epochs=3, train_size=4000):
    """Training seconds of the reference CNN with and without a TrainingDashboard.

    The same network, data, seed and epochs each time; plain and dashboard
    runs alternate so that both see the same machine load. Returns medians:
    ``(plain_seconds, dashboard_seconds, drawing_seconds)``.
    """
    from cnnlib import Adam, Trainer
    from cnnlib.explorers.training import TrainingDashboard, default_training_setup

    def plain_run():
        setup = default_training_setup(train_size=train_size)
        model = setup["model"]
        trainer = Trainer(model, Adam(model, lr=2e-3), batch_size=32, progress=False)
        start = time.perf_counter()
        trainer.fit(setup["x"], setup["y"], epochs, validation_data=setup["validation_data"])
        plain.append(time.perf_counter() - start)

    def dashboard_run():
        setup = default_training_setup(train_size=train_size)
        board = TrainingDashboard(
            setup["model"], setup["x"], setup["y"], setup["validation_data"], target=0.97
        )
        start = time.perf_counter()
        board.train(epochs)
        dashboard.append(time.perf_counter() - start)
        drawing.append(board.seconds_drawing)

    plain, dashboard, drawing = [], [], []
    for r in range(repeat):  # alternate which goes first, against drifting load
        for run in (plain_run, dashboard_run) if r % 2 == 0 else (dashboard_run, plain_run):
            run()
    return statistics.median(plain), statistics.median(dashboard), statistics.median(drawing)


def percentile(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pattern", nargs="?", default="", help="only explorers whose name has this")
    parser.add_argument("--repeat", type=int, default=3, help="sweeps per explorer (default 3)")
    parser.add_argument("--markdown", action="store_true", help="also print a markdown table")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-control p50/p95")
    parser.add_argument(
        "--strict", action="store_true", help=f"exit 1 if a p95 is above {TARGET_P95_MS:g} ms"
    )
    parser.add_argument(
        "--no-training", action="store_true", help="skip the training dashboard's overhead"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="pixel density: image pixels per CSS pixel (default 1; 2 for HiDPI screens)",
    )
    args = parser.parse_args(argv)

    matplotlib.use("Agg")
    cnnlib.explorers.set_pixel_density(args.scale)
    classes = discover(args.pattern)
    if not classes:
        print(f"no explorer matches {args.pattern!r}", file=sys.stderr)
        return 2
    print(
        f"# widget latency: python {platform.python_version()}, matplotlib "
        f"{matplotlib.__version__}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.2f}, {args.repeat} sweeps, pixel density {args.scale:g}, "
        f"target p95 <= {TARGET_P95_MS:g} ms"
    )
    rows, failed, missed = [], False, False
    for cls in classes:
        try:
            samples, problems = time_explorer(cls, args.repeat)
        except Exception as err:  # report and go on with the other explorers
            print(f"# {cls.__name__}: could not be driven: {type(err).__name__}: {err}")
            failed = True
            continue
        for problem in problems[:5]:
            print(f"# {cls.__name__}: {problem}")
        stats = summarise(samples)
        if args.verbose:
            for name, values in stats["per_control"].items():
                print(
                    f"#   {cls.__name__}.{name}: p50 {statistics.median(values):.1f} ms, "
                    f"p95 {percentile(values, 95):.1f} ms, max {max(values):.1f} ms, "
                    f"n={len(values)}"
                )
        rows.append((cls.__name__, stats))
        missed |= not stats["p95"] <= TARGET_P95_MS
    if args.markdown:
        print()
        print(
            "| explorer | p50 (ms) | p95 (ms) | best-of-sweeps p50 / p95 (ms) "
            "| CPU p50 / p95 (ms) | updates | slowest control |"
        )
        print("|---|---:|---:|---:|---:|---:|---|")
        for name, st in rows:
            best = f"{st['best_p50']:.1f} / {st['best_p95']:.1f}"
            cpu = f"{st['cpu_p50']:.1f} / {st['cpu_p95']:.1f}"
            print(
                f"| `{name}` | {st['p50']:.1f} | {st['p95']:.1f} | {best} | {cpu} | {st['n']} "
                f"| {st['slowest']} |"
            )
        print()
    if not args.no_training and any(cls.__name__ == "TrainingDashboard" for cls in classes):
        plain, board, drawing = dashboard_overhead(args.repeat)
        share = drawing / plain
        print(
            f"dashboard_overhead={board / plain - 1:+.1%} train_seconds_plain={plain:.2f} "
            f"train_seconds_dashboard={board:.2f} drawing_seconds={drawing:.2f} "
            f"drawing_share={share:.1%}"
        )
        missed |= share > TARGET_DASHBOARD_OVERHEAD
    print(f"# load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, st in rows:
        print(
            f"explorer={name} p50_ms={st['p50']:.1f} p95_ms={st['p95']:.1f} n={st['n']} "
            f"best_p95_ms={st['best_p95']:.1f} cpu_p95_ms={st['cpu_p95']:.1f}"
        )
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
