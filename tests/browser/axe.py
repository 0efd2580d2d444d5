"""axe-core in the browser suite: WCAG 2.1 A/AA scans of the notebook's outputs.

axe-core (Deque's accessibility engine, MPL-2.0) is a browser script: it is
installed once with npm into ``~/.cache/cnn-notebooks/axe-core-<version>`` by
the ``axe_script`` fixture (conftest.py) and injected into the page.

A scan covers what the course renders, ``.jp-OutputArea`` (JupyterLab's own
interface is not ours to fix), and splits the violations in two:

* **course**: anything the course can fix, in its explorers, plots, prose
  outputs or through the accessibility bridge (``cnnlib/explorers/_a11y.py``);
  these fail the test of the notebook (unless the notebook is still in
  ``tests/a11y_todo.py`` AXE_TODO);
* **upstream**: violations inside markup that ipywidgets, ipycanvas or
  JupyterLab render and the course cannot reach, matched by :data:`UPSTREAM`
  (rule and CSS selector, with the reason); listed in the run's summary, never
  a failure.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_DIR = Path.home() / ".cache" / "cnn-notebooks" / f"axe-core-{AXE_VERSION}"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclasses.dataclass(frozen=True)
class Upstream:
    """A kind of violation the course cannot fix: where it is, and whose it is."""

    rule: str  # axe rule id
    selector: str  # the violating node is inside an element matching this
    why: str  # whose markup it is, and the report (see the README's accessibility section)


#: Violations in markup the course does not control. Empty while the bridge covers
#: everything it can; add an entry only with the upstream report that explains it.
UPSTREAM: list[Upstream] = []


def install_axe(npm: str | None = None) -> Path | str:
    """axe-core's script, installed with npm if needed; a reason (str) if it cannot be."""
    if AXE_JS.exists():
        return AXE_JS
    npm = npm or shutil.which("npm")
    if npm is None:
        return f"npm is not installed: it fetches axe-core {AXE_VERSION} once (apt install npm)"
    run = subprocess.run(
        [npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund"]
        + [f"axe-core@{AXE_VERSION}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode != 0 or not AXE_JS.exists():
        return f"npm could not install axe-core {AXE_VERSION}: {run.stderr[-300:]}"
    return AXE_JS


_SCAN = """async ([include, tags, upstream]) => {
  const result = await axe.run({include: [[include]]}, {runOnly: {type: 'tag', values: tags}});
  const out = [];
  for (const v of result.violations) {
    for (const node of v.nodes) {
      const target = node.target.join(' ');
      const el = node.target.length === 1 ? document.querySelector(node.target[0]) : null;
      const known = upstream.find((u) => u[0] === v.id && el && el.closest(u[1]));
      out.push({rule: v.id, impact: v.impact, help: v.help, target,
                html: node.html.slice(0, 160), upstream: known ? known[2] : null});
    }
  }
  return out;
}"""


@dataclasses.dataclass
class Violation:
    rule: str
    impact: str
    help: str
    target: str
    html: str
    upstream: str | None  # why it is not the course's, or None

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help}: {self.html}"


def scan(page, script: Path, include: str = ".jp-OutputArea") -> list[Violation]:
    """axe-core's WCAG 2.1 A/AA violations inside ``include``, one per node."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(script))
    upstream = [[u.rule, u.selector, u.why] for u in UPSTREAM]
    found = page.evaluate(_SCAN, [include, WCAG, upstream])
    return [Violation(**v) for v in found]


def course_and_upstream(violations) -> tuple[list[Violation], list[Violation]]:
    course = [v for v in violations if v.upstream is None]
    return course, [v for v in violations if v.upstream is not None]


def accessibility_tree(page) -> list[dict]:
    """Chromium's own accessibility tree (what a screen reader gets): role, name, live."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    out = []
    for node in nodes:
        if node.get("ignored"):
            continue
        properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        out.append(
            {
                "role": node.get("role", {}).get("value", ""),
                "name": node.get("name", {}).get("value", ""),
                "description": node.get("description", {}).get("value", ""),
                "value": node.get("value", {}).get("value"),
                "live": properties.get("live"),
                "pressed": properties.get("pressed"),
                "id": node.get("backendDOMNodeId"),
            }
        )
    return out
