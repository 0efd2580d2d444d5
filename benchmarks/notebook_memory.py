"""How much memory does each notebook's kernel need? (for sizing a JupyterHub)

Each numbered notebook is run from top to bottom in a fresh kernel, started
with this Python the way ``nbval --nbval-current-env`` and ``./course lab``
start it, from the ``notebooks/`` folder, with ``CNNLIB_DATA_DIR`` pointing at
a temporary folder (notebook 06 saves the network it trains there). After the
last cell, the kernel reports its own peak resident memory (the most physical
memory the process ever held: ``VmHWM`` in ``/proc/self/status`` on Linux,
``ru_maxrss`` elsewhere), and the peak of any process it started.
That is what a hub must leave room for per learner with one notebook open,
besides the Jupyter server; a learner who keeps several notebooks running
needs the sum.

    .venv/bin/python benchmarks/notebook_memory.py              # every notebook
    .venv/bin/python benchmarks/notebook_memory.py 04 06        # names containing 04 or 06
    .venv/bin/python benchmarks/notebook_memory.py --baseline   # also an empty kernel

Prints one line per notebook, ``notebook=NAME peak_mb=... seconds=...``
(MB = 10^6 bytes, as hubs' memory limits are written), and exits with status
1 if a notebook raised or took more than ``--limit-mb`` (default 500).
``tests/test_notebook_memory.py`` runs the same measurement in the full test
stage and keeps every notebook under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LIMIT_MB = 500

# Run in the kernel after the notebook: its own peak, and that of the processes it waited for.
# On Linux the peak is VmHWM, the high-water mark of the kernel's own memory map:
# getrusage's ru_maxrss would also count the process that launched the kernel, since Linux
# carries the peak over from before the exec (a kernel started from a 120 MB pytest then
# "peaks" at 120 MB having done nothing). ru_maxrss is in kilobytes on Linux, bytes on macOS.
_READOUT = """\
import json as _m_json, os as _m_os, resource as _m_resource, sys as _m_sys
_m_unit = 1 if _m_sys.platform == "darwin" else 1024
_m_peak = _m_resource.getrusage(_m_resource.RUSAGE_SELF).ru_maxrss * _m_unit
if _m_os.path.exists("/proc/self/status"):
    with open("/proc/self/status") as _m_file:
        for _m_line in _m_file:
            if _m_line.startswith("VmHWM:"):
                _m_peak = int(_m_line.split()[1]) * 1024
print("@@peak@@" + _m_json.dumps([
    _m_peak, _m_resource.getrusage(_m_resource.RUSAGE_CHILDREN).ru_maxrss * _m_unit
]))
"""


@dataclass
class Measurement:
    """One notebook's run: its kernel's peak resident memory and how long it ran."""

    notebook: str
    peak_mb: float
    seconds: float
    errors: list[str]

    def line(self) -> str:
        text = f"notebook={self.notebook} peak_mb={self.peak_mb:.0f} seconds={self.seconds:.0f}"
        return text + (f" errors={len(self.errors)}" if self.errors else "")


def measure(notebook: str | Path | nbformat.NotebookNode, timeout: int = 900) -> Measurement:
    """Run ``notebook`` (a path, or a notebook already read) in a fresh kernel.

    Parameters
    ----------
    notebook : str, Path or NotebookNode
    timeout : int
        Seconds allowed per cell.

    Returns
    -------
    Measurement
        ``peak_mb``: the kernel's peak resident memory in MB (10^6 bytes);
        ``errors``: "cell N: Name: message" for each cell that raised, but for
        those tagged ``raises-exception`` (the run goes on after one, so the
        peak covers every cell).
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient

    if isinstance(notebook, nbformat.NotebookNode):
        nb, name = nbformat.from_dict(notebook), "(notebook)"
    else:
        nb, name = nbformat.read(notebook, as_version=4), Path(notebook).stem
    with tempfile.TemporaryDirectory(prefix="cnn-memory-") as scratch:
        specs = Path(scratch) / "kernels" / "this-python"
        specs.mkdir(parents=True)
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        spec = {"argv": argv, "display_name": "this Python", "language": "python"}
        (specs / "kernel.json").write_text(json.dumps(spec))
        manager = AsyncKernelManager(
            kernel_name="this-python",
            kernel_spec_manager=KernelSpecManager(
                kernel_dirs=[str(specs.parent)], ensure_native_kernel=False
            ),
            transport="ipc",  # Unix sockets in the scratch folder, not open TCP ports
            ip=str(Path(scratch) / "kernel"),
        )
        env = {**os.environ, "CNNLIB_DATA_DIR": str(Path(scratch) / "data")}
        client = NotebookClient(
            nb,
            km=manager,
            timeout=timeout,
            allow_errors=True,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        readout = nbformat.v4.new_code_cell(_READOUT)
        nb.cells.append(readout)
        started = time.monotonic()
        try:
            with client.setup_kernel(env=env, cwd=str(NOTEBOOKS)):
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
            seconds = time.monotonic() - started
        finally:  # the client leaves a kernel it was given running
            if manager.has_kernel:
                run_sync(manager.shutdown_kernel)(now=True)
    errors = [
        f"cell {n}: {out.get('ename')}: {out.get('evalue')}"
        for n, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 1)
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
        and "raises-exception" not in cell.get("metadata", {}).get("tags", [])  # meant to
    ]
    printed = "".join(out.get("text", "") for out in readout.outputs if "text" in out)
    lines = [x for x in printed.splitlines() if x.startswith("@@peak@@")]
    if not lines:
        raise RuntimeError(f"{name}: the kernel did not report its memory ({errors or printed!r})")
    own, children = json.loads(lines[-1][len("@@peak@@") :])
    return Measurement(name, max(own, children) / 1e6, seconds, errors)


def course_notebooks(patterns: list[str] | None = None) -> list[Path]:
    """The numbered notebooks whose names contain one of ``patterns`` (all by default)."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    return [p for p in paths if not patterns or any(x in p.stem for x in patterns)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="parts of notebook names (default: all)")
    parser.add_argument("--baseline", action="store_true", help="also measure an empty kernel")
    parser.add_argument("--limit-mb", type=float, default=LIMIT_MB)
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args(argv)
    paths = course_notebooks(args.notebooks)
    if not paths:
        parser.error(f"no notebook in {NOTEBOOKS} matches {args.notebooks}")
    print(f"load_average={os.getloadavg()[0]:.1f} python={sys.version.split()[0]}", flush=True)
    results = []
    if args.baseline:
        empty = measure(nbformat.v4.new_notebook())
        empty.notebook = "(empty kernel)"
        print(empty.line(), flush=True)
        results.append(empty)
    failed = False
    for path in paths:
        result = measure(path)
        print(result.line(), flush=True)
        for error in result.errors:
            print(f"  {error}", flush=True)
        failed |= bool(result.errors) or result.peak_mb > args.limit_mb
        results.append(result)
    if args.markdown:
        print("\n| notebook | peak memory of its kernel | time to run |\n|---|---:|---:|")
        for result in results:
            print(f"| {result.notebook} | {result.peak_mb:.0f} MB | {result.seconds:.0f} s |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
