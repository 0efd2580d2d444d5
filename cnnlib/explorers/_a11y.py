"""What makes an explorer usable with a screen reader and with the keyboard alone.

Three pieces, used by :class:`cnnlib.explorers._base.Explorer` for every explorer:

:class:`DescribedImage`
    the ``ipywidgets.Image`` that shows the figure, with its text description
    as the ``<img>``'s ``title`` (set from Python, no JavaScript needed):
    screen readers read it as the picture's name, and it follows every update.
:func:`hidden_name` and :func:`unnamed_controls`
    the rule that every control has an accessible name: its ``description``
    (the label shown beside it) or, where a visible heading already says what a
    control is (the boxes of the kernel grid), a name only assistive technology
    sees. :func:`unnamed_controls` lists the controls that break the rule; the
    tests run it on every explorer.
:class:`AccessibilityBridge`
    an invisible widget (``anywidget``) placed in each explorer's box, for what
    Python cannot reach because ipywidgets, ipycanvas and JupyterLab render it
    without a name or take its keys. In the browser it

    - names every slider handle with its control's description and gives it
      the value the readout shows (``aria-label``, ``aria-valuetext``; ipywidgets
      leaves the handle nameless and reports noUiSlider's internal number);
    - names the icon-only buttons of ``Play`` ("Play", "Pause", "Stop",
      "Repeat") and marks toggle buttons as pressed or not (``aria-pressed``);
    - keeps JupyterLab's command-mode shortcuts (A, B, M, D D, arrows...) away
      from a focused control, so ArrowDown moves a menu's choice instead of
      jumping to the next cell and A does not insert a cell
      (jupyter-widgets/ipywidgets#3912);
    - lets Tab and Shift+Tab leave an ipycanvas drawing pad (ipycanvas
      swallows every key, a keyboard trap), Escape too;
    - moves the picture's description from its ``title`` (where ipywidgets
      puts it) into its ``alt``, so it is read once, as the picture's name;
      makes the explorer's box a group named after its title; keeps icons'
      glyphs out of buttons' names;
    - reports the display's ``devicePixelRatio`` to Python
      (:attr:`AccessibilityBridge.device_pixel_ratio`), on first display and
      whenever it changes (browser zoom, a window moved to another screen),
      so explorers can render sharp pictures for HiDPI screens and projectors.

    It changes nothing in the widgets' models: if its script cannot run (a
    front end without anywidget), the explorer works as before.

The reports that would make most of the bridge unnecessary upstream are in the
README's accessibility section.
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets
import traitlets

__all__ = [
    "AccessibilityBridge",
    "DescribedImage",
    "accessible_name",
    "hidden_name",
    "unnamed_controls",
]


class DescribedImage(widgets.Image):
    """An ``ipywidgets.Image`` whose ``tooltip`` is the picture's text alternative.

    ipywidgets' front end writes ``tooltip`` into the ``<img>``'s ``title``
    (Chromium and screen readers take it as the image's name) only when the
    model has an empty ``description``; a plain ``Image`` has no
    ``description`` at all, and its view fails as soon as a tooltip is set.
    So this subclass declares one, always empty. Set the text with
    :attr:`alt`.
    """

    #: always "": ipywidgets' view reads it before writing the tooltip into ``title``
    description = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("cnn-figure")  # how the bridge finds the picture to give it its alt

    @property
    def alt(self) -> str:
        """The text alternative (what the picture shows), read by screen readers."""
        return self.tooltip or ""

    @alt.setter
    def alt(self, text: str):
        self.tooltip = text or None


def hidden_name(control, name: str):
    """Give ``control`` the accessible name ``name`` without showing a label.

    For controls whose meaning a visible heading already gives (each box of
    the kernel grid under "kernel weights"): the name becomes the control's
    ``description``, rendered as a ``<label>`` tied to the control, and the
    label takes no room (width 0; the bridge also moves it out of sight, in
    the way screen-reader-only text usually is). Returns ``control``.
    """
    control.description = name
    control.style.description_width = "0px"
    control.add_class("cnn-hidden-label")
    return control


#: widgets a learner operates, and so must be named
_OPERABLE = (
    widgets.ValueWidget,
    widgets.Button,
    widgets.FileUpload,
)
#: value widgets that only show something (no name needed, nothing to operate)
_DISPLAY_ONLY = (
    widgets.HTML,
    widgets.HTMLMath,
    widgets.Label,
    widgets.Image,
    widgets.Valid,
    widgets.IntProgress,
    widgets.FloatProgress,
)


def accessible_name(control) -> str:
    """The name a screen reader will announce for ``control`` ("" if none).

    The ``description`` (shown as the control's label, or kept out of sight by
    :func:`hidden_name`); for a button also its ``tooltip``, which becomes its
    ``title``. For sliders and ``Play`` the name is placed on the handle and on
    the buttons by :class:`AccessibilityBridge`, from the same ``description``.
    """
    name = (getattr(control, "description", "") or "").strip()
    if not name and isinstance(control, widgets.Button | widgets.FileUpload):
        name = (getattr(control, "tooltip", "") or "").strip()
    return name


def unnamed_controls(root) -> list[str]:
    """The controls inside widget ``root`` (a box, recursively) without an accessible name.

    Returns a list of short descriptions (type and a hint of what it is), empty
    when every operable control is named. An icon-only button counts as
    unnamed even with a tooltip: its text is what a screen reader reads first.
    """
    problems = []

    def visit(widget, where):
        if isinstance(widget, widgets.Box):
            for i, child in enumerate(widget.children):
                visit(child, f"{where}/{type(child).__name__}[{i}]")
            return
        if not isinstance(widget, _OPERABLE) or isinstance(widget, _DISPLAY_ONLY):
            return
        name = accessible_name(widget)
        if isinstance(widget, widgets.Button) and not (widget.description or "").strip():
            problems.append(f"{where}: icon-only button (icon={widget.icon!r}) needs text")
        elif not name:
            hint = getattr(widget, "value", "")
            problems.append(f"{where}: {type(widget).__name__} (value {hint!r:.40}) has no name")

    visit(root, type(root).__name__)
    return problems


# ----------------------------------------------------------------------------
# the bridge: what only the browser can do
# ----------------------------------------------------------------------------
_ESM = r"""
// cnnlib accessibility bridge: see cnnlib/explorers/_a11y.py
const PLAY_NAMES = { 'fa-play': 'Play', 'fa-pause': 'Pause', 'fa-stop': 'Stop',
                     'fa-retweet': 'Repeat' };
const FOCUSABLE = 'select, input, textarea, button, .noUi-handle, canvas, [tabindex]';
const STYLE_ID = 'cnn-a11y-style';
// screen-reader-only text: present for assistive technology, out of sight
const STYLE = `.cnn-hidden-label > .widget-label {
  position: absolute !important; width: 1px !important; height: 1px !important;
  margin: -1px !important; padding: 0 !important; overflow: hidden !important;
  clip: rect(0 0 0 0) !important; white-space: nowrap !important; border: 0 !important; }`;

function setAttr(node, name, value) {
  if (value === null || value === undefined) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
  } else if (node.getAttribute(name) !== value) {
    node.setAttribute(name, value);
  }
}

function labelOf(box) {
  const label = box.querySelector(':scope > .widget-label');
  return label ? label.textContent.replace(/\u200b/g, '').trim() : '';
}

function nameSliders(root) {
  for (const slider of root.querySelectorAll('.widget-slider')) {
    const name = labelOf(slider) || 'slider';
    const handles = slider.querySelectorAll('.noUi-handle');
    const readout = slider.querySelector('.widget-readout');
    const shown = readout && readout.style.display !== 'none' ? readout.textContent.trim() : '';
    const parts = shown.split(/\s*[\u2013-]\s*(?=\S)/); // "25 - 75" on range sliders
    handles.forEach((handle, i) => {
      const two = handles.length === 2;
      setAttr(handle, 'aria-label', two ? `${name} (${i === 0 ? 'lower' : 'upper'} end)` : name);
      const text = two && parts.length === 2 ? parts[i] : shown;
      if (text) setAttr(handle, 'aria-valuetext', text);
    });
  }
}

function nameButtons(root) {
  for (const play of root.querySelectorAll('.widget-play')) {
    const what = labelOf(play);
    for (const button of play.querySelectorAll('button')) {
      const icon = button.querySelector('i');
      const cls = icon ? [...icon.classList].find((c) => c in PLAY_NAMES) : null;
      if (!cls) continue;
      setAttr(button, 'aria-label', what ? `${PLAY_NAMES[cls]} (${what})` : PLAY_NAMES[cls]);
      if (cls === 'fa-retweet') {
        setAttr(button, 'aria-pressed', String(button.classList.contains('mod-active')));
      }
    }
  }
  // a Font Awesome icon is a glyph drawn by CSS, which would become part of the name
  for (const icon of root.querySelectorAll('button i.fa')) setAttr(icon, 'aria-hidden', 'true');
  for (const button of root.querySelectorAll('button.widget-button')) {
    const text = button.textContent.replace(/[\ue000-\uf8ff]/g, '').trim();
    const title = button.getAttribute('title');
    setAttr(button, 'aria-label', !text && title && title !== 'null' ? title : null);
  }
  for (const button of root.querySelectorAll('.widget-toggle-button')) {
    setAttr(button, 'aria-pressed', String(button.classList.contains('mod-active')));
  }
  // ipywidgets writes title="null" on labels without a tooltip (shown on hover)
  for (const node of root.querySelectorAll('[title="null"]')) node.removeAttribute('title');
}

function patch(root, model) {
  const group = model.get('group_name');
  if (group) { setAttr(root, 'role', 'group'); setAttr(root, 'aria-label', group); }
  nameSliders(root);
  nameButtons(root);
  for (const node of root.querySelectorAll(FOCUSABLE)) {
    setAttr(node, 'data-lm-suppress-shortcuts', 'true');
  }
  // the description arrives as the title (set by ipywidgets from the tooltip): make it the
  // alt, and drop the title, which screen readers would read a second time
  for (const img of root.querySelectorAll('img.cnn-figure')) {
    const title = img.getAttribute('title');
    if (title !== null) {
      setAttr(img, 'alt', title);
      img.removeAttribute('title');
    } else if (!img.hasAttribute('alt')) {
      setAttr(img, 'alt', '');
    }
  }
  const canvasName = model.get('canvas_name');
  for (const canvas of root.querySelectorAll('canvas')) {
    if (canvasName) setAttr(canvas, 'aria-label', canvasName);
  }
}

function render({ model, el }) {
  el.style.display = 'none';
  if (!document.getElementById(STYLE_ID)) {
    const style = document.createElement('style');
    style.id = STYLE_ID;
    style.textContent = STYLE;
    document.head.appendChild(style);
  }
  let root = null;
  let scheduled = false;
  let tries = 0;
  let media = null;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; if (root) patch(root, model); });
  };
  const observer = new MutationObserver(schedule);
  const onKey = (event) => {
    // ipycanvas calls preventDefault on every key: stop Tab and Escape before it sees them
    if (event.target.tagName !== 'CANVAS') return;
    if (event.key === 'Tab') event.stopPropagation();
    if (event.key === 'Escape') { event.stopPropagation(); event.target.blur(); }
  };
  const report = () => {
    const ratio = window.devicePixelRatio || 1;
    if (model.get('device_pixel_ratio') !== ratio) {
      model.set('device_pixel_ratio', ratio);
      model.save_changes();
    }
    if (media) media.removeEventListener('change', report);
    media = window.matchMedia(`(resolution: ${ratio}dppx)`);
    media.addEventListener('change', report);
  };
  // the view joins the page after render(): find the explorer's box then
  const attach = () => {
    const parent = el.parentElement;
    root = el.closest('.cnn-explorer') || (parent && parent.closest('.widget-box'));
    if (!root) {
      if (++tries < 600) requestAnimationFrame(attach);
      return;
    }
    patch(root, model);
    observer.observe(root, { subtree: true, childList: true, characterData: true,
                             attributes: true, attributeFilter: ['class', 'title', 'style'] });
    root.addEventListener('keydown', onKey, true);
    report();
  };
  model.on('change:canvas_name change:group_name', schedule);
  requestAnimationFrame(attach);
  return () => {
    model.off('change:canvas_name change:group_name', schedule);
    observer.disconnect();
    if (root) root.removeEventListener('keydown', onKey, true);
    if (media) media.removeEventListener('change', report);
  };
}

export default { render };
"""


class AccessibilityBridge(anywidget.AnyWidget):
    """Invisible: names, keyboard fixes and the display's pixel ratio for the box it sits in.

    Put one as the last child of an explorer's box (the box needs the CSS
    class ``cnn-explorer``); :class:`~cnnlib.explorers._base.Explorer` does.
    See the module docstring for what its script does in the browser.

    Attributes
    ----------
    device_pixel_ratio : float
        ``window.devicePixelRatio`` of the browser showing the box (2 on most
        HiDPI laptops, 1.5 at 150% zoom), set by the browser; 0 until a browser
        has shown it.
    group_name : str
        The name of the explorer's box as a whole (its title): the box becomes
        a named group, so a screen reader says which explorer a control is in.
    canvas_name : str
        The accessible name of the drawing canvases (ipycanvas) in the box,
        e.g. "drawing pad: draw a digit with the mouse"; ipycanvas has no way
        to give one.
    """

    _esm = _ESM
    device_pixel_ratio = traitlets.Float(0.0).tag(sync=True)
    group_name = traitlets.Unicode("").tag(sync=True)
    canvas_name = traitlets.Unicode("").tag(sync=True)
