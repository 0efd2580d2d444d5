"""Drive one notebook in JupyterLab the way a learner does, with Playwright.

Open it, *Run > Run All Cells* from the menu, wait until the kernel is idle,
then look at every output and at every explorer: does it show its picture and
its controls, and does moving a control with the keyboard (or the mouse)
change the picture, and how fast.

The page-side helpers live in ``page_scripts.js`` (``window.__cnn``).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# the folder whose NN_*.ipynb are tested; another one only to test this suite itself
NOTEBOOKS = Path(os.environ.get("CNN_BROWSER_NOTEBOOKS") or REPO / "notebooks").resolve()
SCRIPTS = (Path(__file__).with_name("page_scripts.js")).read_text()


class NotebookError(AssertionError):
    """The notebook did not load or run in the browser."""


@dataclass
class Move:
    """One control change and what the page did in response."""

    control: str
    latency_ms: float | None  # key press -> new picture loaded; None = picture did not change
    src_ms: float | None  # key press -> new picture src set
    height_change: float  # px the explorer grew or shrank (a layout jump when not 0)
    sharp_ms: float | None = None  # key press -> a picture as sharp as the screen (HiDPI)


@dataclass
class ExplorerReport:
    """What one explorer showed and how it reacted."""

    notebook: str
    index: int
    cell: int
    name: str
    control: str = "-"  # the control that was moved
    info: dict = field(default_factory=dict)
    moves: list[Move] = field(default_factory=list)
    changed_pixels: bool | None = None
    screenshots: list[Path] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.notebook} #{self.index + 1} {self.name} (cell {self.cell})"

    @property
    def latencies(self) -> list[float]:
        return [m.latency_ms for m in self.moves if m.latency_ms is not None]

    @property
    def sharp_latencies(self) -> list[float]:
        return [m.sharp_ms for m in self.moves if m.sharp_ms is not None]

    def notes(self) -> list[str]:
        """What a learner would notice that is not an error: for the run's summary."""
        info = self.info
        notes = []
        scale = info.get("figureScale", 1)
        if scale < 0.99:
            image = max(info.get("images", [{}]), key=lambda i: i.get("naturalWidth", 0))
            notes.append(
                f"the figure is shrunk to {scale:.0%} (its PNG is {image.get('naturalWidth')} px"
                f" wide, the notebook column {info.get('width')} px)"
                + (
                    f" and letterboxed ({info['letterbox']} px blank)"
                    if info.get("letterbox")
                    else ""
                )
            )
        visible = info.get("visibleHeight")
        if visible and info.get("height", 0) > visible:
            notes.append(
                f"{info['height']} px tall but the notebook shows {visible} px: controls and"
                " picture do not fit on one screen"
            )
        if info.get("overflow", 0) > 0 and scale >= 0.99:  # else the same cause as above
            notes.append(
                f"its content is {info['overflow']} px wider than its box"
                " (a sideways scrollbar; the view shifts when a control gets the focus)"
            )
        jumps = [m.height_change for m in self.moves if abs(m.height_change) > 1]
        if jumps:
            notes.append(
                "its height changed while moving a control (a layout jump): "
                + ", ".join(f"{j:+.0f}" for j in jumps)
                + " px"
            )
        clicked = info.get("after_click")
        if clicked and clicked.get("then_clicked") and clicked.get("settle_seconds") is not None:
            notes.append(
                f"{self.control}, then '{clicked['then_clicked']}': back to rest"
                f" {clicked['settle_seconds']:.1f} s after the picture first changed"
            )
        busy = info.get("busy_after_moves")
        if busy is not None and busy > 1.0:
            notes.append(
                f"the kernel was still busy {busy:.1f} s after the last move of {self.control}:"
                " work queued behind the controls (the picture lags behind them)"
            )
        still = sum(m.latency_ms is None for m in self.moves)
        if still and self.moves:
            notes.append(
                f"{still} of {len(self.moves)} moves of {self.control} left the picture as it was"
            )
        return notes


class NotebookPage:
    """One notebook open in a fresh JupyterLab page.

    Parameters
    ----------
    context : playwright BrowserContext
    server : lab_server.LabServer
    path : str
        The notebook's path relative to the server root, e.g. ``notebooks/00_start_here.ipynb``.
    """

    def __init__(self, context, server, path: str):
        self.server = server
        self.path = path
        self.name = Path(path).stem
        self.console_errors: list[str] = []
        self.page = context.new_page()
        self.page.add_init_script(SCRIPTS)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))

    def _on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def close(self):
        with contextlib.suppress(Exception):
            self.page.close()

    # -- opening and running ------------------------------------------------------------
    def open(self, timeout: float = 120.0):
        """Load JupyterLab with only this notebook, and wait for its kernel."""
        workspace = "cnn-" + "".join(c if c.isalnum() else "-" for c in self.name)
        self.page.goto(
            self.server.url(f"/lab/workspaces/{workspace}/tree/{self.path}"),
            timeout=timeout * 1000,
        )
        self._wait(
            "path => { const s = window.__cnn && window.__cnn.state(path);"
            " return s && s.ready && s.kernel === 'idle'; }",
            timeout,
            "the notebook did not open with an idle kernel",
        )

    def run_all(self, timeout: float = 600.0) -> dict:
        """Run > Run All Cells from the menu bar; wait for the kernel to go idle.

        Returns the final run state (code cells, executed, errors) with the
        wall time in seconds under ``"seconds"``.
        """
        page = self.page
        page.locator(".lm-TabBar-tab", has_text=Path(self.path).name).first.click()
        start = time.monotonic()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        try:
            self._wait(
                "path => { const s = window.__cnn.state(path);"
                " return s.running > 0 || s.executed > 0 || s.errors > 0; }",
                30,
                "Run All Cells did not start any cell",
            )
        except NotebookError:
            if self.state()["code"] == 0:  # a notebook without code is done at once
                return dict(self.state(), seconds=0.0)
            raise
        # idle = kernel idle, no [*] prompt, and every cell ran (or one failed and
        # stopped the run); it must hold for a second, as cells start one by one
        deadline = start + timeout
        quiet_since = None
        while True:
            state = self.state()
            finished = state["executed"] >= state["code"] or state["errors"] > 0
            if state["kernel"] == "idle" and state["running"] == 0 and finished:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= 1.0:
                    return dict(state, seconds=time.monotonic() - start)
            else:
                quiet_since = None
            if time.monotonic() > deadline:
                raise NotebookError(
                    f"{self.path}: still running after {timeout:.0f} s"
                    f" (kernel {state['kernel']}, {state['executed']}/{state['code']} code cells"
                    f" done, cell {state['current']} running)"
                )
            page.wait_for_timeout(250)

    def state(self) -> dict:
        return self.page.evaluate("path => window.__cnn.state(path)", self.path)

    def wait_quiet(self, timeout: float = 60.0, quiet: float = 0.3) -> float | None:
        """Wait until the kernel has been idle for ``quiet`` seconds in a row; return how
        long that took (None: still busy after ``timeout``).

        The kernel shows *idle* for a moment between two queued messages (e.g. the
        mouse moves of a drawing), so one idle reading does not mean it has caught up.
        """
        start = time.monotonic()
        idle_since = None
        while time.monotonic() - start < timeout:
            now = time.monotonic()
            if self.state().get("kernel") == "idle":
                idle_since = idle_since or now
                if now - idle_since >= quiet:
                    return round(idle_since - start, 2)
            else:
                idle_since = None
            self.page.wait_for_timeout(50)
        return None

    def survey(self) -> dict:
        """Problems in the outputs (errors, stderr, broken widgets) and the explorers."""
        return self.page.evaluate("path => window.__cnn.survey(path)", self.path)

    def _wait(self, predicate: str, timeout: float, message: str):
        try:
            self.page.wait_for_function(
                predicate, arg=self.path, timeout=timeout * 1000, polling=200
            )
        except Exception as err:  # playwright's TimeoutError
            dialogs = ""
            with contextlib.suppress(Exception):
                texts = self.page.locator(".jp-Dialog").all_inner_texts()
                dialogs = "".join(f"; a dialog says: {' '.join(t.split())}" for t in texts)
            raise NotebookError(
                f"{self.path}: {message} within {timeout:.0f} s{dialogs} ({err})"
            ) from err

    # -- explorers ----------------------------------------------------------------------
    def explorer(self, k: int):
        return self.page.locator(f'[data-cnn-explorer="{k}"]')

    def inspect(self, k: int) -> dict:
        return self.page.evaluate("k => window.__cnn.inspect(k)", k)

    def figure(self, k: int):
        """The explorer's picture (its largest image), marked again if it was replaced.

        A display update (the training dashboard and the network builder refresh their
        static picture after a run) renders the output anew: new elements, unmarked.
        """
        marked = 'k => !!document.querySelector(`[data-cnn-explorer="${k}"] img[data-cnn-figure]`)'
        if not self.page.evaluate(marked, k):
            if not self.page.evaluate(
                'k => !!document.querySelector(`[data-cnn-explorer="${k}"]`)', k
            ):
                self.survey()  # marks the explorers' outputs again, in the same order
            self.inspect(k)
        return self.explorer(k).locator("img[data-cnn-figure]")

    def controls(self, k: int) -> list[Control]:
        """The explorer's controls a learner can move, in the order they are shown."""
        node = self.explorer(k)
        found: list[Control] = []
        # a drawing pad (ipycanvas) first: drawing is what it is for
        canvases = node.locator("canvas")
        if canvases.count():
            found.append(CanvasControl(self, canvases.last))
        for i in range(node.locator(".noUi-handle").count()):
            found.append(SliderControl(self, node.locator(".noUi-handle").nth(i)))
        for i in range(node.locator("select").count()):
            found.append(DropdownControl(self, node.locator("select").nth(i)))
        for i in range(node.locator(".widget-toggle-buttons").count()):
            found.append(ToggleControl(self, node.locator(".widget-toggle-buttons").nth(i)))
        for i in range(node.locator('input[type="checkbox"]').count()):
            found.append(CheckboxControl(self, node.locator('input[type="checkbox"]').nth(i)))
        # buttons last: they may start something long (a Start button trains a network)
        for i in range(node.locator("button.widget-button").count()):
            found.append(ButtonControl(self, node.locator("button.widget-button").nth(i), node))
        return [control for control in found if control.enabled()]

    def move(self, k: int, control: Control, timeout: float = 5.0, sharp: bool = False) -> Move:
        """Move ``control`` one step; wait for explorer k's picture to change.

        With ``sharp``, wait also for the picture drawn at the screen's pixel
        density (on a HiDPI page a quick 1x picture comes first), so that the
        next move starts from rest.
        """
        timeout = max(timeout, control.timeout)
        self.page.evaluate("k => window.__cnn.arm(k)", k)
        control.step()
        wanted = "sharp" if sharp else "loaded"
        with contextlib.suppress(Exception):  # no change within the timeout: latency None
            self.page.wait_for_function(
                f"k => window.__cnn.record(k).{wanted} !== null",
                arg=k,
                timeout=timeout * 1000,
                polling="raf",
            )
        record = self.page.evaluate("k => window.__cnn.record(k)", k)
        # let the status line settle before measuring the height
        self.page.wait_for_timeout(60)
        record_after = self.page.evaluate("k => window.__cnn.record(k)", k)
        t0 = record["t0"]
        latency = record["loaded"] - t0 if t0 is not None and record["loaded"] else None
        src = record["changed"] - t0 if t0 is not None and record["changed"] else None
        sharp_ms = record["sharp"] - t0 if t0 is not None and record["sharp"] else None
        height_change = (record_after["height"] or 0) - (record["height0"] or 0)
        return Move(control.describe(), latency, src, height_change, sharp_ms)

    def screenshot_element(self, locator, path: Path) -> Path:
        """Screenshot one element whole; the window grows for a moment if it is taller."""
        page = self.page
        viewport = page.viewport_size
        box = locator.bounding_box()
        _, visible = self._scroll_size()
        grow = int(box["height"] - visible + 40) if box else 0
        try:
            if grow > 0:
                page.set_viewport_size(
                    {"width": viewport["width"], "height": viewport["height"] + grow}
                )
                page.wait_for_timeout(200)
            locator.scroll_into_view_if_needed()
            locator.screenshot(path=str(path))
        finally:
            if grow > 0:
                page.set_viewport_size(viewport)
        return path

    # -- screenshots --------------------------------------------------------------------
    def screenshot_page(self, folder: Path, max_tiles: int = 40) -> list[Path]:
        """The whole notebook: in viewport-sized tiles (page-01.png, ...), easy to
        read one by one, and in one tall picture (notebook.png)."""
        paths = []
        top = 0
        while len(paths) < max_tiles:
            total, visible = self._scroll_size()
            self._scroll_to(min(top, max(0, total - visible)))  # the last tile ends at the end
            path = folder / f"page-{len(paths) + 1:02d}.png"
            self.page.screenshot(path=str(path))
            paths.append(path)
            if top + visible >= total:
                break
            top += max(200, visible - 40)  # a little overlap between tiles
        paths.append(self.screenshot_tall(folder / "notebook.png"))
        return paths

    def screenshot_tall(self, path: Path, max_height: int = 16000) -> Path:
        """Make the window as tall as the notebook, take one picture, restore the window."""
        page = self.page
        viewport = page.viewport_size
        total, visible = self._scroll_size()
        height = min(max_height, viewport["height"] + max(0, total - visible))
        try:
            page.set_viewport_size({"width": viewport["width"], "height": height})
            self._scroll_to(0)
            page.wait_for_timeout(300)
            page.screenshot(path=str(path))
        finally:
            page.set_viewport_size(viewport)
        return path

    def _scroll_size(self) -> tuple[int, int]:
        return tuple(self.page.evaluate("path => window.__cnn.scrollSize(path)", self.path))

    def _scroll_to(self, top: int):
        self.page.evaluate(
            "([path, top]) => { window.__cnn.scroller(path).scrollTop = top; }", [self.path, top]
        )
        self.page.wait_for_timeout(150)


# -- controls -----------------------------------------------------------------------------
# the label next to a control (ipywidgets' description), zero-width spaces removed
LABEL_SCRIPT = """el => {
    const box = el.closest('.widget-inline-hbox, .widget-inline-vbox, .widget-toggle-buttons');
    if (!box) return '';
    for (const label of box.querySelectorAll('.widget-label, .widget-label-basic')) {
        const text = label.textContent.replace(/\\u200b/g, '').trim();
        if (text) return text;
    }
    return '';
}"""


class Control:
    """A control that can be moved one step with the keyboard or mouse."""

    kind = "control"
    timeout = 0.0  # seconds to wait for the picture to change, if more than move()'s default
    repeatable = True  # moved again and again to time it

    def __init__(self, notebook: NotebookPage, locator):
        self.notebook = notebook
        self.locator = locator
        self.direction = +1

    def enabled(self) -> bool:
        return self.locator.is_visible() and self.locator.is_enabled()

    def label(self) -> str:
        return self.locator.evaluate(LABEL_SCRIPT) or "?"

    def describe(self) -> str:
        return f"{self.kind} '{self.label()}'"

    def step(self):
        raise NotImplementedError

    def settle(self) -> dict:
        """After a move: bring the explorer back to rest; say what that took."""
        return {}


class SliderControl(Control):
    """An ipywidgets slider: focus the handle, press ArrowRight (ArrowLeft at the end)."""

    kind = "slider"

    def enabled(self) -> bool:
        disabled = self.locator.evaluate("el => !!el.closest('[disabled]')")
        return not disabled and self.locator.is_visible()

    def step(self):
        now, low, high = (
            float(self.locator.get_attribute(name) or "nan")
            for name in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
        )
        if self.direction > 0 and now >= high:
            self.direction = -1
        elif self.direction < 0 and now <= low:
            self.direction = +1
        self.locator.focus()
        self.locator.press("ArrowRight" if self.direction > 0 else "ArrowLeft")


class DropdownControl(Control):
    """A dropdown: pick the next option (the previous one at the end of the list).

    (Arrow keys on a closed <select> do nothing in headless Chromium, so this
    selects like a mouse does: the input and change events a click fires.)
    """

    kind = "dropdown"

    def step(self):
        index, count = self.locator.evaluate("el => [el.selectedIndex, el.options.length]")
        if self.direction > 0 and index >= count - 1:
            self.direction = -1
        elif self.direction < 0 and index <= 0:
            self.direction = +1
        self.locator.select_option(index=index + self.direction)


class ToggleControl(Control):
    """A row of toggle buttons: click the next one that is not selected."""

    kind = "toggle buttons"

    def enabled(self) -> bool:
        buttons = self.locator.locator("button")
        return buttons.count() > 1 and self.locator.is_visible()

    def step(self):
        buttons = self.locator.locator("button")
        count = buttons.count()
        active = [
            i for i in range(count) if "mod-active" in (buttons.nth(i).get_attribute("class") or "")
        ]
        current = active[0] if active else -1
        buttons.nth((current + 1) % count).click()


class CheckboxControl(Control):
    """A checkbox: focus it and press Space."""

    kind = "checkbox"

    def step(self):
        self.locator.focus()
        self.locator.press("Space")


class CanvasControl(Control):
    """A drawing pad (ipycanvas): draw one stroke with the mouse, a bit further right each time."""

    kind = "drawing pad"

    def __init__(self, notebook: NotebookPage, locator):
        super().__init__(notebook, locator)
        self.strokes = 0

    def enabled(self) -> bool:
        return self.locator.is_visible()

    def label(self) -> str:
        return "canvas"

    def step(self):
        self.locator.scroll_into_view_if_needed()
        box = self.locator.bounding_box()
        mouse = self.notebook.page.mouse
        # vertical strokes left to right, then horizontal ones top to bottom: each adds new ink
        n = self.strokes % 20
        self.strokes += 1
        at = 0.15 + 0.07 * (n % 10)
        if n < 10:
            start, end = (at, 0.2), (at + 0.03, 0.8)
        else:
            start, end = (0.2, at), (0.8, at + 0.03)
        mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
        mouse.down()
        mouse.move(box["x"] + box["width"] * end[0], box["y"] + box["height"] * end[1], steps=8)
        mouse.up()


class ButtonControl(Control):
    """A button (e.g. Start): click it once.

    If the click enables a button that was disabled (Stop), :meth:`settle`
    clicks that one as soon as the picture has changed and waits until the
    buttons are back as they were and the kernel is idle: a learner's Start,
    watch, Stop.
    """

    kind = "button"
    timeout = 30.0  # e.g. the first refresh of a training run
    repeatable = False

    def __init__(self, notebook: NotebookPage, locator, explorer):
        super().__init__(notebook, locator)
        self.explorer = explorer
        self.before: list[bool] = []

    def label(self) -> str:
        return " ".join(self.locator.inner_text().split()) or "?"

    def _enabled_buttons(self) -> list[bool]:
        return self.explorer.locator("button.widget-button").evaluate_all(
            "buttons => buttons.map(b => !b.disabled)"
        )

    def step(self):
        self.before = self._enabled_buttons()
        self.locator.click()

    def settle(self, timeout: float = 180.0) -> dict:
        result = {}
        start = time.monotonic()
        now = self._enabled_buttons()
        newly = [i for i, (was, is_) in enumerate(zip(self.before, now)) if is_ and not was]
        if newly:
            stop = self.explorer.locator("button.widget-button").nth(newly[0])
            result["then_clicked"] = " ".join(stop.inner_text().split())
            stop.click()
        while time.monotonic() - start < timeout:
            if self._enabled_buttons() == self.before and self.notebook.state()["kernel"] == "idle":
                result["settle_seconds"] = round(time.monotonic() - start, 2)
                return result
            self.notebook.page.wait_for_timeout(250)
        result["settle_seconds"] = None  # still busy
        return result
