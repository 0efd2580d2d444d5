"""Fixtures for the browser tests: a throwaway JupyterLab and a headless Chromium.

Environment variables
---------------------
CNN_CHROMIUM
    Path of the Chrome/Chromium binary (default: /usr/bin/chromium, then
    ``chromium``/``chromium-browser``/``google-chrome`` on PATH).
CNN_BROWSER_NOTEBOOKS
    The folder whose ``NN_*.ipynb`` notebooks to test (default: ``notebooks/``).
CNN_BROWSER_SCREENSHOTS
    Folder for the screenshots (default: ``browser-screenshots/`` at the repository root).
CNN_BROWSER_MOVES
    How many times each explorer's control is moved to time it (default 10).
CNN_BROWSER_TIMEOUT
    Seconds a notebook may take to run all its cells (default 600).
CNN_REQUIRE_BROWSER
    Set to 1 (CI does) to make a missing Chromium, Playwright or npm (for axe-core)
    an error, not a skip.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import pytest

from .axe import install_axe
from .lab_server import LabServer
from .notebook_page import NOTEBOOKS, REPO

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # in a closed network these background services open connections that fail
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}  # a laptop screen, file browser open

RESULTS = pytest.StashKey[dict]()


def pytest_configure(config):
    config.stash[RESULTS] = {
        "notebooks": {},
        "explorers": [],
        "screenshots": None,
        "upstream": {},  # axe violations the course cannot fix: rule and why -> count
        "todo": [],  # what an allowlisted item still lacks (tests/a11y_todo.py)
        "hidpi": [],  # explorers checked at device_scale_factor=2
    }


def find_chromium() -> str | None:
    """The Chromium to drive: $CNN_CHROMIUM, /usr/bin/chromium, or one on PATH."""
    configured = os.environ.get("CNN_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str):
    if os.environ.get("CNN_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"{reason} (CNN_REQUIRE_BROWSER is set, so this is an error)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        where = os.environ.get("CNN_CHROMIUM")
        _unavailable(
            (f"CNN_CHROMIUM={where} does not exist; " if where else "no Chromium found; ")
            + "install it with `sudo apt-get install chromium` (Debian/Ubuntu) or point"
            " CNN_CHROMIUM at a Chrome/Chromium binary to run the browser tests"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable(
            "Playwright is not installed: `pip install playwright` (or `./course setup`,"
            " it is in the dev extras); its browser download is not needed"
        )
    return path


@pytest.fixture(scope="package")
def axe_script() -> Path:
    """axe-core's browser script (installed with npm into ~/.cache/cnn-notebooks once)."""
    found = install_axe()
    if isinstance(found, str):
        _unavailable(found)
    return found


@pytest.fixture(scope="package")
def screenshot_dir(request) -> Path:
    folder = Path(os.environ.get("CNN_BROWSER_SCREENSHOTS") or REPO / "browser-screenshots")
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    request.config.stash[RESULTS]["screenshots"] = folder
    return folder


@pytest.fixture(scope="package")
def lab(chromium_path, tmp_path_factory):
    """A JupyterLab serving a temporary copy of notebooks/; stopped at the end, always."""
    workdir = Path(tempfile.mkdtemp(prefix="cnn-lab-", dir=tmp_path_factory.getbasetemp()))
    server = LabServer(NOTEBOOKS, workdir, python=sys.executable)
    atexit.register(server.stop)  # also on Ctrl+C or a crash between the hooks
    try:
        server.start()
        yield server
    finally:
        server.stop()
        atexit.unregister(server.stop)


@pytest.fixture(scope="package")
def playwright_driver(chromium_path):
    """Playwright's driver, one for the whole browser suite (its sync API allows only one)."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        yield playwright
    finally:
        with contextlib.suppress(Exception):
            playwright.stop()


@contextlib.contextmanager
def chromium(playwright, chromium_path, tmp_path_factory, scale: float = 1):
    """A headless Chromium with a fresh profile, ``scale`` device pixels per CSS pixel."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    home = tmp_path_factory.mktemp("chromium-home")
    # Debian's chromium keeps crash reports under $XDG_CONFIG_HOME: keep them out of ~
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"))
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=chromium_path,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=VIEWPORT,
        device_scale_factor=scale,
        env=env,
    )
    context.set_default_timeout(60_000)
    try:
        yield context
    finally:
        with contextlib.suppress(Exception):  # already gone after Ctrl+C
            context.close()


@pytest.fixture(scope="package")
def browser_context(playwright_driver, chromium_path, lab, tmp_path_factory):
    """A headless Chromium at 1 device pixel per CSS pixel (an ordinary screen)."""
    with chromium(playwright_driver, chromium_path, tmp_path_factory) as context:
        yield context


@pytest.fixture(scope="package")
def hidpi_context(playwright_driver, chromium_path, lab, tmp_path_factory):
    """A headless Chromium at device_scale_factor=2: a HiDPI laptop or a projector."""
    with chromium(playwright_driver, chromium_path, tmp_path_factory, scale=2) as context:
        yield context


@pytest.fixture
def results(request) -> dict:
    """Where the tests leave what the summary at the end of the run prints."""
    return request.config.stash[RESULTS]


# -- the summary at the end of the run ------------------------------------------------------
def _percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_table(explorers, sharp: bool = False) -> list[str]:
    """Markdown table: per explorer, key press -> new picture (median, p95, max).

    With ``sharp``: key press -> the picture drawn at the screen's density.
    """
    lines = [
        "| Notebook | Explorer | Control moved | Moves | Median (ms) | p95 (ms) | Max (ms) |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    every = []
    for report in explorers:
        values = report.sharp_latencies if sharp else report.latencies
        if not report.control.startswith("button"):  # a Start button's first frame: apart
            every += values
        control = report.control
        if values:
            numbers = (
                f"{statistics.median(values):.0f} | {_percentile(values, 0.95):.0f}"
                f" | {max(values):.0f}"
            )
        else:
            numbers = "- | - | -"
        lines.append(
            f"| {report.notebook} | {report.name} (cell {report.cell}) | {control}"
            f" | {len(values)}/{len(report.moves)} | {numbers} |"
        )
    if every:
        lines.append(
            f"| **all** (buttons apart) | | | {len(every)} | {statistics.median(every):.0f}"
            f" | {_percentile(every, 0.95):.0f} | {max(every):.0f} |"
        )
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stash = config.stash.get(RESULTS, None)
    if not stash or not (stash["notebooks"] or stash["hidpi"]):
        return
    write = terminalreporter.write_line
    terminalreporter.section("browser: notebooks in JupyterLab + headless Chromium")
    for name, info in stash["notebooks"].items():
        write(
            f"{name}: ran {info.get('code', '?')} code cells in {info.get('seconds', 0):.1f} s,"
            f" {info.get('explorers', 0)} explorer(s), {info.get('problems', 0)} problem(s)"
            + (
                " (seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in info["timings"].items()) + ")"
                if info.get("timings")
                else ""
            )
        )
    explorers = stash["explorers"]
    if explorers:
        write("")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
        write(
            "Key press -> changed picture, measured in the browser (target p95 <= 100 ms;"
            f" {os.cpu_count()} CPU cores, load average now {load}):"
        )
        for line in latency_table(explorers):
            write(line)
        notes = [f"{report.label}: {note}" for report in explorers for note in report.notes()]
        if notes:
            write("")
            write("Worth a look (not failures):")
            for note in notes:
                write("- " + note)
    if stash["hidpi"]:
        write("")
        write(
            "At device_scale_factor=2 (every explorer rendering at pixel density 2), key press"
            " -> changed picture (target p95 <= 100 ms; while a control moves, the quick"
            " picture at density 1):"
        )
        for line in latency_table(stash["hidpi"]):
            write(line)
        write("")
        write(
            "... and key press -> the sharp picture (density 2), drawn once the control has"
            " rested for cnnlib.explorers._render.SHARPEN_AFTER seconds:"
        )
        for line in latency_table(stash["hidpi"], sharp=True):
            write(line)
    if stash["upstream"]:
        write("")
        write("axe-core violations the course cannot fix (upstream; not failures):")
        for what, count in sorted(stash["upstream"].items()):
            write(f"- {count} x {what}")
    if stash["todo"]:
        write("")
        write(f"Not done yet (tests/a11y_todo.py lists them; {len(stash['todo'])} problems):")
        for problem in stash["todo"]:
            write(f"- {problem}")
    if stash["screenshots"]:
        write("")
        write(f"screenshots: {stash['screenshots']}")
