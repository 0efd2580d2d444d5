"""An explorer used with the keyboard alone, as a learner who cannot use a mouse would.

:func:`keyboard_check` takes one explorer on a notebook page and checks that

- Tab, from its first control, reaches every control in turn and then leaves the
  explorer (no keyboard trap: a drawing pad must let Tab go), and Shift+Tab goes back;
- ArrowRight / ArrowLeft and Home move each slider, and the picture changes;
- ArrowDown / ArrowUp change a menu's choice (JupyterLab must not take the keys
  to move to another cell), and the picture changes;
- Space presses a toggle button or ticks a checkbox, Enter presses a button
  (except Start-like buttons that run for long), and the picture changes;
- a number typed into a box and Enter change the picture;
- the notebook's command-mode shortcuts (A inserts a cell, M turns it into
  Markdown) do nothing while a control has the focus.

It returns the problems found (empty: usable from the keyboard) and a log of
what was pressed, for the run's report.
"""

from __future__ import annotations

import contextlib

# Mark the explorer's keyboard-operable elements in DOM order (data-cnn-kb="i")
# and say what each is. Hidden and disabled ones are left out.
_CONTROLS = r"""k => {
  const node = document.querySelector(`[data-cnn-explorer="${k}"]`);
  const selector = '.noUi-handle, select, button, input, textarea, canvas';
  const out = [];
  const visible = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const label = (el) => {
    const box = el.closest('.widget-inline-hbox, .widget-inline-vbox, .widget-toggle-buttons');
    const own = el.getAttribute('aria-label') || (el.labels && el.labels[0] &&
      el.labels[0].textContent) || '';
    const near = box && box.querySelector('.widget-label');
    const text = own || (near && near.textContent) || el.textContent || '';
    return text.replace(/\u200b/g, '').trim();
  };
  let i = 0;
  for (const el of node.querySelectorAll(selector)) {
    el.removeAttribute('data-cnn-kb');
    if (!visible(el) || el.disabled || el.closest('[disabled]')) continue;
    if (el.tagName === 'INPUT' && el.type === 'file') continue;  // the upload's hidden input
    let kind = 'other';
    if (el.classList.contains('noUi-handle')) kind = 'slider';
    else if (el.tagName === 'SELECT') kind = 'select';
    else if (el.tagName === 'CANVAS') kind = 'canvas';
    else if (el.tagName === 'TEXTAREA') kind = 'text';
    else if (el.tagName === 'INPUT') {
      kind = el.type === 'checkbox' ? 'checkbox' : (el.type === 'number' || el.type === 'text')
        ? 'text' : 'other';
    } else if (el.tagName === 'BUTTON') {
      if (el.classList.contains('widget-toggle-button')) kind = 'toggle';
      else if (el.closest('.widget-play')) kind = 'play';
      else if (el.classList.contains('widget-upload')) kind = 'upload';
      else kind = 'button';
    }
    el.setAttribute('data-cnn-kb', String(i));
    const aria = (name) => el.getAttribute(`aria-${name}`);
    out.push({index: i, kind, name: label(el), active: el.classList.contains('mod-active'),
              valuenow: aria('valuenow'), valuemin: aria('valuemin'), valuemax: aria('valuemax')});
    i += 1;
  }
  return out;
}"""

# where the focus is: the data-cnn-kb index inside explorer k, "outside", or "inside"
_FOCUS = r"""k => {
  const el = document.activeElement;
  const node = document.querySelector(`[data-cnn-explorer="${k}"]`);
  if (!el || !node.contains(el)) return 'outside';
  const marked = el.closest('[data-cnn-kb]');
  return marked ? marked.getAttribute('data-cnn-kb') : 'inside';
}"""

_CELLS = """() => { const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  return cells.map((c) => c.classList.contains('jp-MarkdownCell') ? 'm' : 'c').join(''); }"""

#: buttons that start something long (training): reached by Tab, not pressed here
LONG_RUNNING = ("start", "train", "stop")


def keyboard_check(page, k: int, timeout: float = 6.0) -> tuple[list[str], list[str]]:
    """Use explorer ``k`` of ``page`` (a NotebookPage) with the keyboard; (problems, log)."""
    p = page.page
    problems: list[str] = []
    log: list[str] = []
    controls = p.evaluate(_CONTROLS, k)
    if not controls:
        return ["no control the keyboard can reach"], log
    element = lambda i: page.explorer(k).locator(f'[data-cnn-kb="{i}"]')  # noqa: E731
    name = lambda c: f"{c['kind']} '{c['name'] or '?'}'"  # noqa: E731

    # 1. Tab goes through every control and out; Shift+Tab comes back
    element(controls[0]["index"]).focus()
    reached, order = {0}, ["0"]
    left = False
    for _ in range(len(controls) + 12):
        p.keyboard.press("Tab")
        where = p.evaluate(_FOCUS, k)
        if where == "outside":
            left = True
            break
        order.append(where)
        if where.isdigit():
            reached.add(int(where))
    log.append(f"Tab order: {' '.join(order)} -> {'out' if left else 'still inside'}")
    for control in controls:
        if control["index"] not in reached:
            problems.append(f"Tab never reaches {name(control)}")
    if not left:
        problems.append(f"Tab does not leave the explorer after {len(controls) + 12} presses")
    for control in controls[1:]:  # Shift+Tab goes back from every control (a canvas too)
        element(control["index"]).focus()
        p.keyboard.press("Shift+Tab")
        if p.evaluate(_FOCUS, k) == str(control["index"]):
            problems.append(f"Shift+Tab does not leave {name(control)}")

    # 2. each kind of control does its job
    cells = p.evaluate(_CELLS)
    texts_done = False
    for control in controls:
        kind, i = control["kind"], control["index"]
        target = element(i)
        if kind == "slider":
            # read the slider as it is now, not as the first snapshot saw it: moving an
            # earlier control may have changed its range and value (a PixelExplorer window
            # at its largest clamps 'top row' to 0, and it stays there)
            def attribute(what, target=target, control=control):
                value = target.get_attribute(f"aria-value{what}")
                return float(value if value is not None else control[f"value{what}"] or 0)

            high, now = attribute("max"), attribute("now")
            key, back = ("ArrowLeft", "ArrowRight") if now >= high else ("ArrowRight", "ArrowLeft")
            for press in (key, back):
                _expect_change(page, k, target, press, f"{press} on {name(control)}", problems, log)
            low, now = attribute("min"), attribute("now")
            for press in ("Home", "End") if now != low else ("End", "Home"):
                _expect_change(page, k, target, press, f"{press} on {name(control)}", problems, log)
                value = target.get_attribute("aria-valuenow")
                if press == "Home" and value is not None and float(value) != low:
                    problems.append(f"Home on {name(control)} went to {value}, not the minimum")
            # back where it was, so that the next control is tried from the same state
            target.press("Home")
            for _ in range(100):
                value = target.get_attribute("aria-valuenow")
                if value is None or float(value) >= now:
                    break
                target.press("ArrowRight")
            _settle(page, k)
        elif kind == "select":
            index, count = target.evaluate("el => [el.selectedIndex, el.options.length]")
            key, back = ("ArrowUp", "ArrowDown") if index >= count - 1 else ("ArrowDown", "ArrowUp")
            # two options may draw the same picture (the 'same' padding of a 1x1 kernel is no
            # padding): the key goes on to the next option until the picture changes, and
            # back as many steps; each way the picture must change at least once
            steps = 0
            for press in (key, back):
                changed = False
                for _ in range(steps or max(count - 1, 1)):
                    value, trial = target.input_value(), []
                    what = f"{press} on {name(control)}"
                    _expect_change(page, k, target, press, what, trial, log)
                    log.append(f"  ({name(control)}: {value!r} -> {target.input_value()!r})")
                    changed |= not trial
                    if press == key:
                        steps += 1
                        if changed:
                            break
                if not changed:
                    problems.append(f"{press} on {name(control)} did not change the picture")
        elif kind == "toggle" and not control["active"]:
            _expect_change(page, k, target, "Space", f"Space on {name(control)}", problems, log)
            if target.get_attribute("aria-pressed") != "true":
                problems.append(f"{name(control)} is not marked as pressed (aria-pressed)")
            group = target.locator("xpath=ancestor::*[contains(@class,'widget-toggle-buttons')]")
            for other in controls:  # press the one that was active again
                if other["kind"] == "toggle" and other["active"]:
                    mine = element(other["index"])
                    if group.locator(f'[data-cnn-kb="{other["index"]}"]').count():
                        mine.focus()
                        mine.press("Space")
                        _settle(page, k)
        elif kind == "checkbox":
            for _ in range(2):
                _expect_change(page, k, target, "Space", f"Space on {name(control)}", problems, log)
        elif kind == "button" and not any(w in control["name"].lower() for w in LONG_RUNNING):
            _expect_change(page, k, target, "Enter", f"Enter on {name(control)}", problems, log)
        elif kind == "text" and not texts_done:
            texts_done = True
            old = target.input_value()
            target.focus()
            p.keyboard.press("Control+A")
            p.keyboard.type("2" if old.strip() not in ("2", "2.0") else "3")
            _expect_change(
                page, k, target, "Enter", f"a number typed into {name(control)}", problems, log
            )
            target.focus()
            p.keyboard.press("Control+A")
            p.keyboard.type(old)
            target.press("Enter")
            _settle(page, k)
        if p.evaluate(_CELLS) != cells:
            problems.append(f"the notebook's cells changed while using {name(control)}")
            cells = p.evaluate(_CELLS)

    # 3. command-mode shortcuts stay away from a focused control
    for control in controls:
        if control["kind"] in ("slider", "select", "toggle", "button", "checkbox"):
            element(control["index"]).focus()
            for key in ("a", "m"):
                p.keyboard.press(key)
            p.wait_for_timeout(150)
            if p.evaluate(_CELLS) != cells:
                problems.append(f"A/M on a focused {name(control)} ran a notebook command")
                with contextlib.suppress(Exception):
                    p.keyboard.press("Control+z")
            break
    return problems, log


def _expect_change(page, k, target, key, what, problems, log):
    """Press ``key`` on ``target``; the picture must change within a few seconds."""
    p = page.page
    p.evaluate("k => window.__cnn.arm(k)", k)
    target.focus()
    target.press(key)
    changed = True
    try:
        p.wait_for_function(
            "k => window.__cnn.record(k).loaded !== null", arg=k, timeout=6000, polling="raf"
        )
    except Exception:  # playwright's TimeoutError
        changed = False
    record = p.evaluate("k => window.__cnn.record(k)", k)
    ms = (record["loaded"] - record["t0"]) if changed and record["t0"] is not None else None
    log.append(f"{what}: " + (f"new picture in {ms:.0f} ms" if ms is not None else "no change"))
    if not changed:
        problems.append(f"{what} did not change the picture")


def _settle(page, k):
    """Let pending updates arrive (after keys pressed without waiting): the kernel has
    caught up with every key (a busy machine takes longer than a fixed pause), then the
    browser gets a moment to apply what the kernel sent."""
    page.wait_quiet(timeout=30.0)
    page.page.wait_for_timeout(300)
