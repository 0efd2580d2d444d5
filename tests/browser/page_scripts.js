// Helpers installed into every JupyterLab page the browser tests open
// (window.__cnn). They read the notebook model through window.jupyterapp,
// which the test server exposes (--LabApp.expose_app_in_browser), and time
// how long an explorer takes to show a new picture after a key press.
window.__cnn = {
  panel(path) {
    const app = window.jupyterapp;
    if (!app || !app.shell) return null;
    for (const widget of app.shell.widgets("main")) {
      if (widget.context && widget.context.path === path && widget.content) return widget;
    }
    return null;
  },

  // Progress of "Run All": code cells, how many ran, which one runs now.
  state(path) {
    const panel = this.panel(path);
    if (!panel || !panel.context.isReady) return { ready: false };
    const session = panel.sessionContext.session;
    const kernel = session && session.kernel;
    const result = {
      ready: true,
      kernel: kernel ? kernel.status : null,
      code: 0,
      executed: 0,
      running: 0,
      errors: 0,
      current: null,
    };
    panel.content.widgets.forEach((cell, i) => {
      if (cell.model.type !== "code") return;
      if (!cell.model.sharedModel.getSource().trim()) return;
      result.code += 1;
      const prompt = cell.node.querySelector(".jp-InputPrompt");
      if (prompt && prompt.textContent.includes("*")) {
        result.running += 1;
        if (result.current === null) result.current = i + 1;
      } else if (cell.model.executionCount !== null) {
        result.executed += 1;
      }
      const outputs = cell.model.outputs;
      for (let j = 0; j < outputs.length; j++) {
        if (outputs.get(j).type === "error") result.errors += 1;
      }
    });
    return result;
  },

  // Every output of every code cell: errors, stderr, widgets that did not
  // render, and the explorers (a widget view shipped with a PNG fallback,
  // text/plain "<Name: move the controls to explore>"). Explorer output
  // nodes get data-cnn-explorer="k" so the tests can find them.
  survey(path) {
    const panel = this.panel(path);
    const problems = [];
    const notes = [];
    const explorers = [];
    let widgetViews = 0;
    const asText = (value) => (Array.isArray(value) ? value.join("") : value || "");
    const short = (text) => (text.length > 400 ? text.slice(0, 400) + " ..." : text);
    panel.content.widgets.forEach((cell, i) => {
      if (cell.model.type !== "code") return;
      const where = `cell ${i + 1}`;
      const outputs = cell.model.outputs;
      for (let j = 0; j < outputs.length; j++) {
        const output = outputs.get(j).toJSON();
        const child = cell.outputArea.widgets[j];
        const node = child ? child.node : null;
        if (output.output_type === "error") {
          problems.push(`${where} raised ${output.ename}: ${short(output.evalue)}`);
          continue;
        }
        if (output.output_type === "stream") {
          const text = asText(output.text);
          if (/Traceback \(most recent call last\)/.test(text)) {
            problems.push(`${where} printed a traceback: ${short(text)}`);
          } else if (output.name === "stderr") {
            if (/(Error|Warning|Exception)\b/.test(text)) {
              problems.push(`${where} wrote an error or warning to stderr: ${short(text)}`);
            } else {
              notes.push(`${where} wrote to stderr: ${short(text)}`);
            }
          }
          continue;
        }
        const data = output.data || {};
        const plain = asText(data["text/plain"]);
        const match = /^<(\w+): move the controls/.exec(plain);
        const isWidget = "application/vnd.jupyter.widget-view+json" in data;
        if (!isWidget) {
          if (match) problems.push(`${where}: ${match[1]} was shown as text, not as a widget`);
          continue;
        }
        widgetViews += 1;
        const text = node ? node.innerText : "";
        if (!node) {
          problems.push(`${where}: a widget output has no element on the page`);
          continue;
        }
        if (/Error displaying widget|model not found/i.test(text)) {
          problems.push(`${where}: ${short(text.trim())}`);
          continue;
        }
        if (!node.querySelector(".jupyter-widgets")) {
          problems.push(`${where}: the widget ${plain || ""} did not render`);
          continue;
        }
        if (match || "image/png" in data) {
          const k = explorers.length;
          node.setAttribute("data-cnn-explorer", String(k));
          explorers.push({ index: k, cell: i + 1, name: match ? match[1] : "explorer" });
        }
      }
    });
    // a last net over the whole page (e.g. a widget inside an Output widget)
    document.querySelectorAll(".jp-OutputArea").forEach((area) => {
      const text = area.innerText || "";
      const found = /Error displaying widget[^\n]*|model not found[^\n]*/i.exec(text);
      if (found && !problems.some((p) => p.includes(found[0].trim()))) {
        problems.push(`an output area shows "${found[0].trim()}"`);
      }
    });
    return { problems, notes, explorers, widgetViews };
  },

  // What one explorer shows: its pictures and its controls.
  inspect(k) {
    const node = document.querySelector(`[data-cnn-explorer="${k}"]`);
    const images = Array.from(node.querySelectorAll("img"));
    let main = null;
    for (const img of images) {
      img.removeAttribute("data-cnn-figure");
      const area = img.naturalWidth * img.naturalHeight;
      if (!main || area > main.naturalWidth * main.naturalHeight) main = img;
    }
    if (main) main.setAttribute("data-cnn-figure", "");
    const root = node.querySelector(".jupyter-widgets") || node;
    const area = node.closest(".jp-OutputArea-child") || node;
    const rect = root.getBoundingClientRect();
    const count = (selector) => node.querySelectorAll(selector).length;
    const scroller = node.closest(".jp-WindowedPanel-outer");
    // an <img> narrower than its PNG is scaled down (smaller text); with a fixed
    // height and object-fit: contain it is also letterboxed (blank bands)
    let scale = 1;
    let letterbox = 0;
    if (main && main.naturalWidth > 0) {
      const box = main.getBoundingClientRect();
      scale = Math.min(box.width / main.naturalWidth, box.height / main.naturalHeight);
      letterbox = Math.round(box.height - main.naturalHeight * scale);
    }
    return {
      figureScale: Math.round(scale * 1000) / 1000,
      letterbox,
      visibleHeight: scroller ? scroller.clientHeight : null,
      images: images.map((img) => ({
        naturalWidth: img.naturalWidth,
        naturalHeight: img.naturalHeight,
        shownWidth: Math.round(img.getBoundingClientRect().width),
        shownHeight: Math.round(img.getBoundingClientRect().height),
        src: img.src ? img.src.slice(0, 5) : "",
      })),
      controls: {
        sliders: count(".noUi-handle"),
        dropdowns: count("select"),
        toggleButtons: count(".widget-toggle-button"),
        checkboxes: count('input[type="checkbox"]'),
        radios: count('input[type="radio"]'),
        textInputs: count('input[type="text"], input[type="number"], textarea'),
        buttons: count("button:not(.widget-toggle-button)"),
      },
      width: Math.round(rect.width),
      height: Math.round(rect.height),
      // wider than the room the notebook gives it: a sideways scrollbar, or cut off
      overflow: Math.max(
        0,
        Math.round(root.scrollWidth - root.clientWidth),
        Math.round(node.scrollWidth - node.clientWidth),
        Math.round(root.getBoundingClientRect().right - area.getBoundingClientRect().right),
      ),
    };
  },

  // Start timing explorer k: the next key press / click / change inside it
  // is t0; the next change of a picture's src is `changed`, and the moment
  // the new picture has loaded is `loaded` (all on the performance.now() clock).
  // `sharp`: the first picture loaded after t0 with as many image pixels as the
  // screen has device pixels (on a HiDPI page, a quick 1x picture comes first).
  arm(k) {
    const node = document.querySelector(`[data-cnn-explorer="${k}"]`);
    if (!node.__cnnRecord) {
      const record = { armed: false };
      node.__cnnRecord = record;
      const start = (event) => {
        if (record.armed && record.t0 === null) record.t0 = event.timeStamp;
      };
      for (const type of ["keydown", "pointerdown", "mousedown", "input", "change"]) {
        node.addEventListener(type, start, true);
      }
      node.__cnnObserver = new MutationObserver(() => {
        if (record.armed && record.t0 !== null && record.changed === null) {
          record.changed = performance.now();
        }
      });
      node.__cnnWatched = new WeakSet();
    }
    // every picture, also those of an output rendered anew since the last arm
    // (a display update after training makes new elements)
    const record = node.__cnnRecord;
    for (const img of node.querySelectorAll("img")) {
      if (node.__cnnWatched.has(img)) continue;
      node.__cnnWatched.add(img);
      node.__cnnObserver.observe(img, { attributes: true, attributeFilter: ["src"] });
      img.addEventListener("load", () => {
        if (!record.armed || record.changed === null) return;
        const now = performance.now();
        if (record.loaded === null) record.loaded = now;
        const wanted = window.devicePixelRatio * img.getBoundingClientRect().width;
        if (record.sharp === null && img.naturalWidth >= wanted - 2) record.sharp = now;
      });
    }
    const root = node.querySelector(".jupyter-widgets") || node;
    Object.assign(node.__cnnRecord, {
      armed: true,
      t0: null,
      changed: null,
      loaded: null,
      sharp: null,
      height0: root.getBoundingClientRect().height,
    });
  },

  record(k) {
    const node = document.querySelector(`[data-cnn-explorer="${k}"]`);
    const root = node.querySelector(".jupyter-widgets") || node;
    const record = node.__cnnRecord || {};
    return {
      t0: record.t0 ?? null,
      changed: record.changed ?? null,
      loaded: record.loaded ?? null,
      sharp: record.sharp ?? null,
      height0: record.height0 ?? null,
      height: root.getBoundingClientRect().height,
    };
  },

  // The element that scrolls the notebook, for full-page screenshots.
  scroller(path) {
    const content = this.panel(path).content.node;
    const outer = content.querySelector(".jp-WindowedPanel-outer");
    if (outer) return outer;
    for (const node of [content, ...content.querySelectorAll("*")]) {
      const overflow = getComputedStyle(node).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) {
        return node;
      }
    }
    return content;
  },

  // [height of the notebook's content (without the blank scroll-past-end room),
  //  height of the visible part] in px
  scrollSize(path) {
    const scroller = this.scroller(path);
    const cells = scroller.querySelectorAll(".jp-Cell");
    let bottom = 0;
    if (cells.length) {
      const last = cells[cells.length - 1].getBoundingClientRect().bottom;
      bottom = last - scroller.getBoundingClientRect().top + scroller.scrollTop + 20;
    }
    const height = Math.min(scroller.scrollHeight, Math.max(bottom, scroller.clientHeight));
    return [Math.round(height), scroller.clientHeight];
  },
};
