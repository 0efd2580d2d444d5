"""notebooks/glossary.md: every term of the course, and a formula sheet whose numbers are true.

The glossary is a markdown file read in JupyterLab's Markdown Preview and on GitHub. These
tests check that

- every term the course relies on has an entry, in alphabetical order under its letter;
- every entry names the notebook that teaches it, every linked notebook exists, and every
  numbered notebook is linked;
- every link inside the page lands on an anchor that exists in both renderers, and no two
  elements of the rendered page share an id;
- the formula sheet holds every formula the course teaches, and each worked number in it is
  what ``cnnlib`` computes.

Anchors: JupyterLab gives a heading the id "its text with spaces replaced by '-'" (case and
punctuation kept) and turns every ``id`` into ``data-jupyter-id``; GitHub lower-cases the
text, drops punctuation and prefixes ``user-content-``. The two never agree for a heading
such as "ReLU", so every entry carries an explicit ``<a id="...">`` that both keep, and the
page links only to those.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import mistune
import numpy as np
import pytest

import cnnlib
from cnnlib import (
    Conv2D,
    Dense,
    Flatten,
    gradient_descent,
    load_mnist,
    max_pool2d,
    output_size,
    reference_cnn,
    sigmoid_slope,
    softmax,
    to_grayscale,
)
from cnnlib.explorers.classifier import classifier_parts
from cnnlib.gradcheck import numerical_gradient, relative_error
from cnnlib.reference import avg_pool2d_backward, conv2d_backward

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
GLOSSARY = NOTEBOOKS / "glossary.md"
TEXT = GLOSSARY.read_text(encoding="utf-8")
TERMS_PART, _, SHEET_PART = TEXT.partition('## <a id="formulas"></a>Formula sheet')

ENTRY = re.compile(
    r'^<a id="(?P<id>[a-z0-9-]+)"></a>(?P<names>\*\*[^*]+\*\*(?:, \*\*[^*]+\*\*)*)'
    r" · (?P<notebooks>\[\d\d\]\(\d\d_[a-z_]+\.ipynb\)(?:, \[\d\d\]\(\d\d_[a-z_]+\.ipynb\))*)"
    r" —\n(?P<body>.+)",
    re.DOTALL,
)
LETTER = re.compile(r'^## <a id="letter-([a-z])"></a>([A-Z])$')
NOTEBOOK_LINK = re.compile(r"\[(\d\d)\]\((\d\d_[a-z_]+\.ipynb)\)")
INTERNAL_LINK = re.compile(r"\]\(#([^)\s]+)\)")
EXPLICIT_ID = re.compile(r'<a id="([^"]+)"></a>')

# The words a learner meets in the course (from issue 13 and the lead's list). Each must
# be the name (or one of the names) of an entry.
REQUIRED_TERMS = """
kernel; filter; feature map; activation map; stride; padding; valid padding; same padding;
full padding; zero padding; dilation; receptive field; weight sharing; local connectivity;
bias; linear; non-linear; activation function; ReLU; sigmoid; tanh; leaky ReLU; saturation;
vanishing gradient; dead ReLU; pooling; max pooling; average pooling; global pooling; flatten;
dense layer; fully connected layer; class score; score; logit; softmax; temperature;
probability; prediction; loss; cross-entropy loss; logarithm; natural logarithm; e;
exponential function; gradient; slope; chain rule; backpropagation; forward pass;
backward pass; gradient descent; learning rate; loss landscape; momentum; RMSprop; Adam;
optimiser; stochastic gradient descent; SGD; mini-batch; batch; epoch; training data;
validation data; test data; overfitting; generalisation; weight decay; L2 regularisation;
dropout; data augmentation; early stopping; accuracy; confusion matrix;
most confident mistakes; parameter; weight; hyperparameter; channel; channels-first;
channels-last; depth; volume; N, C, H, W; grayscale; RGB; pixel; uint8; overflow;
convolution; cross-correlation; flip; template matching; match score; Sobel kernel;
Gaussian blur; box blur; sharpen; Laplacian; identity kernel; edge detector; blob detector;
numerical gradient; centred difference; gradient check; relative error; float32; float64;
infinity; NaN; saliency map; occlusion map; PyTorch; autograd; CNN; neuron; unit; layer;
convolution layer; feature extractor; classifier; feature; feature vector; class; label;
MNIST; output size; kernel size; floor; sparsity; norm; relative change; shift tolerance;
Jupyter kernel; explorer; seed; model; learning-rate schedule; cosine decay; local minimum
"""

# The formulas the sheet must hold: (anchor of its block, strings that must appear in it).
FORMULAS = {
    "f-output-size": [
        r"o = \left\lfloor \frac{i + 2p - d(k-1) - 1}{s} \right\rfloor + 1",
        "`o = floor((i + 2p - d(k-1) - 1) / s) + 1`",
        "**same**",
        "**full**",
        "**valid**",
    ],
    "f-pool-size": [r"o = \left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1"],
    "f-receptive-field": [r"r \leftarrow r + d(k-1) \cdot j", r"j \leftarrow j \cdot s"],
    "f-conv-parameters": [r"\text{parameters} = F \times (C \times k \times k) + F"],
    "f-dense-parameters": [r"n_\text{in} \times n_\text{out} + n_\text{out}"],
    "f-multiplications": [
        r"H_o \times W_o \times F \times C \times k^2",
        "`Ho * Wo * F * C * k**2`",
    ],
    "f-activations": [r"\max(0, z)", r"\frac{1}{1 + e^{-z}}", r"2\sigma(2z) - 1"],
    "f-softmax": [r"p_k = \frac{e^{s_k}}{e^{s_1} + e^{s_2} + \dots + e^{s_K}}"],
    "f-temperature": [r"e^{s_k / T}"],
    "f-cross-entropy": [r"L = -\ln p_\text{right}"],
    "f-gradient-descent": [r"w \leftarrow w - \eta \cdot \frac{\partial L}{\partial w}"],
    "f-momentum": [
        r"v \leftarrow \mu v + \frac{\partial L}{\partial w}",
        r"w \leftarrow w - \eta v",
    ],
    "f-weight-decay": [r"\frac{\partial L}{\partial w} + \lambda w"],
    "f-chain-rule": [r"\frac{\partial L}{\partial s} \cdot \frac{\partial s}{\partial h}"],
    "f-conv-gradient": [
        r"\frac{\partial L}{\partial W[f,c,i,j]} = \sum_{n} \sum_{o_y} \sum_{o_x}",
        r"x[n, c, o_y \cdot s + i \cdot d, o_x \cdot s + j \cdot d]",
        "`dL/dW[f,c,i,j] = sum over n, oy, ox of dL/dout[n,f,oy,ox]"
        " * x[n, c, oy*s + i*d, ox*s + j*d]`",
    ],
    "f-centred-difference": [r"\frac{L(w + \varepsilon) - L(w - \varepsilon)}{2\varepsilon}"],
    "f-relative-error": [r"\frac{\lVert a - b \rVert}{\lVert a \rVert + \lVert b \rVert}"],
}


def _paragraphs(text):
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def _entries():
    """Every entry of the glossary in page order, and the paragraphs that look like a broken one."""
    entries, malformed, letter = [], [], None
    for paragraph in _paragraphs(TERMS_PART):
        heading = LETTER.match(paragraph)
        if heading:
            letter = heading.group(2)
            continue
        match = ENTRY.match(paragraph)
        if match:
            entries.append(
                {
                    "id": match["id"],
                    "names": re.findall(r"\*\*([^*]+)\*\*", match["names"]),
                    "notebooks": NOTEBOOK_LINK.findall(match["notebooks"]),
                    "body": match["body"],
                    "letter": letter,
                }
            )
        elif paragraph.startswith("<a id="):
            malformed.append(paragraph[:120])
    return entries, malformed


ENTRIES, MALFORMED = _entries()


def _sheet_block(anchor):
    """The text of one formula, from its anchor to the next anchor (or heading)."""
    start = SHEET_PART.index(f'<a id="{anchor}"></a>')
    rest = SHEET_PART[start + 1 :]
    ends = [m.start() for m in re.finditer(r'<a id="f-|^#', rest, re.MULTILINE)]
    return SHEET_PART[start : start + 1 + (min(ends) if ends else len(rest))]


def _table(block, first_header):
    """Rows (as lists of cell strings) of the markdown table whose first header is given."""
    lines = block.splitlines()
    for n, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_header:
            rows = []
            for row in lines[n + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip().strip("|").split("|")])
            return rows
    raise AssertionError(f"no table starting with column {first_header!r} in {block[:80]!r}")


def _says(block, text):
    """``text`` appears in ``block``, whatever the line breaks."""
    return " ".join(text.split()) in " ".join(block.split())


def _number(cell):
    return int(cell.replace(",", ""))


# ---------------------------------------------------------------------------
# the entries
# ---------------------------------------------------------------------------
def test_the_glossary_has_its_entries_and_a_formula_sheet():
    assert len(ENTRIES) >= 150
    assert SHEET_PART, "the formula sheet heading is missing"


def test_every_entry_follows_the_format():
    """`<a id="..."></a>**name**[, **other name**] · [NN](NN_x.ipynb)[, ...] —` then the text:
    the anchor to link to, the names to look up, and the notebooks that teach it."""
    assert not MALFORMED, "entries not in the glossary's format:\n" + "\n".join(MALFORMED)


@pytest.mark.parametrize("term", [t.strip() for t in REQUIRED_TERMS.split(";")])
def test_every_term_of_the_course_has_an_entry(term):
    names = {name.lower() for entry in ENTRIES for name in entry["names"]}
    assert term.lower() in names, f"no glossary entry is called {term!r}"


def test_entries_are_in_alphabetical_order_under_their_letter():
    keys = [entry["names"][0].lower() for entry in ENTRIES]
    misplaced = [(a, b) for a, b in zip(keys, keys[1:]) if a > b]
    assert not misplaced, f"out of order: {misplaced}"
    wrong_letter = [
        (e["names"][0], e["letter"]) for e in ENTRIES if e["names"][0][0].upper() != e["letter"]
    ]
    assert not wrong_letter, f"entries under the wrong letter: {wrong_letter}"


def test_the_jump_line_leads_to_every_letter():
    letters = {e["letter"] for e in ENTRIES}
    jump_line = TEXT[TEXT.index("**Jump to:**") : TEXT.index("## <a id=")]
    linked = set(re.findall(r"\[([A-Z])\]\(#letter-([a-z])\)", jump_line))
    assert linked == {(letter, letter.lower()) for letter in letters}
    assert "(#formulas)" in jump_line


def test_every_entry_names_a_notebook_with_a_matching_number():
    for entry in ENTRIES:
        assert entry["notebooks"], f"{entry['names'][0]!r} names no notebook"
        for number, filename in entry["notebooks"]:
            assert filename.startswith(number + "_"), (
                f"{entry['names'][0]!r}: [{number}]({filename})"
            )
        assert len(entry["body"].split()) >= 8, f"{entry['names'][0]!r} is not explained"


def _linked_notebooks():
    return set(re.findall(r"\]\((\d\d_[a-z_]+\.ipynb)\)", TEXT))


def test_every_linked_notebook_exists():
    missing = {name for name in _linked_notebooks() if not (NOTEBOOKS / name).is_file()}
    assert not missing, f"the glossary links notebooks that do not exist: {sorted(missing)}"
    numbered = {p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    assert numbered <= _linked_notebooks(), "every notebook should be linked from the glossary"


# ---------------------------------------------------------------------------
# anchors and rendering
# ---------------------------------------------------------------------------
def _heading_texts():
    """The visible text of every heading (inline HTML dropped, as textContent does)."""
    texts = []
    for line in TEXT.splitlines():
        match = re.match(r"^#{1,6} (.*)$", line)
        if match:
            texts.append(re.sub(r"<[^>]+>", "", match.group(1)).strip())
    return texts


def _github_slug(text):
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def test_every_internal_link_lands_on_an_explicit_anchor():
    explicit = EXPLICIT_ID.findall(TEXT)
    broken = sorted(set(INTERNAL_LINK.findall(TEXT)) - set(explicit))
    assert not broken, f"links to anchors that do not exist: {broken}"


def test_ids_are_unique_in_jupyterlab_and_on_github():
    explicit = EXPLICIT_ID.findall(TEXT)
    headings = _heading_texts()
    for renderer, heading_ids in [
        ("JupyterLab", [h.replace(" ", "-") for h in headings]),
        ("GitHub", [_github_slug(h) for h in headings]),
    ]:
        ids = explicit + heading_ids
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        assert not duplicates, f"ids used twice on {renderer}: {duplicates}"


def test_the_page_renders_to_html_with_its_anchors_tables_and_math():
    render = mistune.create_markdown(escape=False, plugins=["table", "math", "url"])
    html = render(TEXT)
    ids = re.findall(r'<a id="([^"]+)"></a>', html)
    assert ids == EXPLICIT_ID.findall(TEXT), "an anchor was lost or mangled in rendering"
    assert html.count("<table>") == 4
    display_math = re.findall(r'<div class="math">\$\$(.+?)\$\$</div>', html, re.DOTALL)
    assert len(display_math) == len(re.findall(r"^\$\$.+\$\$$", TEXT, re.MULTILINE)) >= 20
    assert "$$" not in re.sub(r'<div class="math">\$\$.+?\$\$</div>', "", html, flags=re.DOTALL)
    # every entry is a paragraph that starts with its anchor and a bold name
    paragraphs = re.findall(r'<p><a id="([a-z0-9-]+)"></a><strong>', html)
    assert paragraphs == [e["id"] for e in ENTRIES] + [
        i for i in EXPLICIT_ID.findall(SHEET_PART) if i.startswith("f-")
    ]


def test_display_math_avoids_what_markdown_would_eat_on_github():
    """Backslash-punctuation (\\, \\; \\{ \\\\) and * are markdown escapes or emphasis;
    JupyterLab protects math from markdown, but the safest formula does not need it."""
    for block in re.findall(r"^\$\$\n?(.+?)\n?\$\$$", TEXT, re.MULTILINE | re.DOTALL):
        assert not re.search(r"\\[,;:!{}\\|]|\*", block), block


# every macro the formulas use; MathJax (JupyterLab) and GitHub both know these, and a typo
# such as \timez would otherwise only show up as red text in the browser
KNOWN_MACROS = {
    "approx", "cdot", "dots", "eta", "frac", "lambda", "lceil", "left", "leftarrow", "lfloor",
    "ln", "lVert", "mathrm", "max", "mu", "partial", "qquad", "rceil", "rfloor", "right",
    "rVert", "sigma", "sum", "tanh", "text", "times", "varepsilon",
}  # fmt: skip


def test_formulas_use_only_known_macros():
    used = set(re.findall(r"\\([A-Za-z]+)", "".join(re.findall(r"\$\$.+?\$\$", TEXT))))
    assert used <= KNOWN_MACROS, f"unknown or misspelt macros: {sorted(used - KNOWN_MACROS)}"


# ---------------------------------------------------------------------------
# the formula sheet
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("anchor", sorted(FORMULAS))
def test_the_formula_sheet_holds_every_formula(anchor):
    block = _sheet_block(anchor)
    for formula in FORMULAS[anchor]:
        assert formula in block, f"{anchor}: {formula!r} is missing"
    assert NOTEBOOK_LINK.search(block), f"{anchor} names no notebook"


def test_output_size_examples():
    rows = _table(_sheet_block("f-output-size"), "i")
    assert len(rows) >= 6
    for i, k, s, p, d, o, _ in rows:
        padding = p if p in ("valid", "same", "full") else int(p)
        got = output_size(int(i), int(k), stride=int(s), padding=padding, dilation=int(d))
        assert got == int(o), f"i={i} k={k} s={s} p={p} d={d}: cnnlib says {got}, sheet {o}"
    block = _sheet_block("f-output-size")
    # the special cases, stated with the formula
    assert output_size(28, 5, padding="same") == 28 and output_size(28, 5, padding="full") == 32
    assert _says(block, "o = i − k + 1") and _says(block, "o = i + d(k − 1)")


def test_pooling_size_examples():
    rows = _table(_sheet_block("f-pool-size"), "i")
    for i, k, s, o, _ in rows:
        assert output_size(int(i), int(k), stride=int(s)) == int(o)
        pooled = max_pool2d(np.zeros((1, int(i), int(i))), int(k), stride=int(s))
        assert pooled.shape == (1, int(o), int(o))


def test_flatten_length():
    assert Flatten().forward(np.zeros((1, 16, 7, 7))).shape == (1, 784)
    assert _says(_sheet_block("f-flatten"), "16 × 7 × 7 = 784")


def test_image_sizes():
    block = _sheet_block("f-image-size")
    for shape, text in [((28, 28), "784"), ((480, 480, 3), "691,200"), ((32, 32, 3), "3,072")]:
        assert f"{math.prod(shape):,}" == text and _says(block, f"= {text}")


def test_grayscale_mix_of_the_red_pixel():
    # the glossary quotes the weights; the red pixel of notebook 01 becomes 48
    gray = to_grayscale(np.array([[[138, 9, 14]]], dtype=np.uint8))
    assert gray[0, 0] == round(0.299 * 138 + 0.587 * 9 + 0.114 * 14) == 48
    assert _says(TERMS_PART, "0.299 R + 0.587 G + 0.114 B")


def test_uint8_wraps_around():
    assert (np.array([250], dtype=np.uint8) + np.uint8(10))[0] == 4
    assert _says(TERMS_PART, "250 + 10 gives 4")


def _receptive_field(layers, size=32):
    """Bounding box of the input pixels that reach the centre output, through the loops.

    ``layers`` is a list of ("conv", k, padding) / ("pool", k). All-ones kernels and
    average pooling spread a gradient over every input that can reach the output, which
    is the receptive field (max pooling has the same windows).
    """
    shapes, x = [], np.zeros((1, 1, size, size))
    for layer in layers:
        shapes.append(x.shape)
        if layer[0] == "conv":
            x = cnnlib.conv2d(x, np.ones((1, 1, layer[1], layer[1])), padding=layer[2])
        else:
            x = cnnlib.avg_pool2d(x, layer[1])
    grad = np.zeros(x.shape)
    grad[0, 0, x.shape[2] // 2, x.shape[3] // 2] = 1.0
    for layer, shape in zip(reversed(layers), reversed(shapes)):
        x_in = np.ones(shape)
        if layer[0] == "conv":
            ones = np.ones((1, 1, layer[1], layer[1]))
            grad, _, _ = conv2d_backward(x_in, ones, grad, padding=layer[2])
        else:
            grad = avg_pool2d_backward(x_in, grad, layer[1])
    rows, cols = np.nonzero(grad[0, 0])
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def _rule(layers):
    r, j, seen = 1, 1, []
    for k, s, d in layers:
        r, j = r + d * (k - 1) * j, j * s
        seen.append((r, j))
    return seen


def test_receptive_field_examples():
    block = _sheet_block("f-receptive-field")
    conv3 = ("conv", 3, 1)
    for n, side in [(2, 5), (3, 7), (10, 21)]:
        assert _receptive_field([conv3] * n, size=48) == (side, side)
        assert _rule([(3, 1, 1)] * n)[-1][0] == side
        assert _says(block, f"{side}x{side}")
    digit_network = [conv3, ("pool", 2), conv3, ("pool", 2)]
    assert _receptive_field(digit_network, size=28) == (10, 10)
    steps = _rule([(3, 1, 1), (2, 2, 1), (3, 1, 1), (2, 2, 1)])
    assert steps == [(3, 1), (4, 2), (8, 2), (10, 4)]
    assert _says(block, "r = 3, 4, 8, **10**") and _says(block, "j = 1, 2, 2, 4")
    # dilation: a 3x3 kernel with d = 2 covers 5x5
    assert _rule([(3, 1, 2)])[0][0] == 5


def _parameters(code):
    """Build the layer named in the sheet (`Conv2D(3, 6, 5)`, `Dense(784, 10)`) and count."""
    match = re.fullmatch(r"`(Conv2D|Dense)\((\d+(?:, \d+)*)\)`", code)
    assert match, f"unexpected layer {code!r}"
    layer = {"Conv2D": Conv2D, "Dense": Dense}[match[1]](*map(int, match[2].split(", ")))
    return sum(p.size for p in layer.params.values())


def test_parameter_counts():
    rows = _table(_sheet_block("f-dense-parameters"), "layer")
    assert len(rows) == 5
    counts = {}
    for name, code, formula, count in rows:
        assert _parameters(code) == _number(count), f"{name}: {code}"
        # the formula column, evaluated, gives the same number
        assert re.fullmatch(r"[\d ,×()+]+", formula), formula
        assert eval(formula.replace("×", "*").replace(",", "")) == _number(count), formula
        counts[name] = _number(count)
    total = reference_cnn(seed=0).summary((1, 28, 28)).total_params
    assert total == 9098
    digit = [c for n, c in counts.items() if n.startswith("digit network")]
    assert sum(digit) == total
    block = _sheet_block("f-dense-parameters")
    assert _says(block, "80 + 1,168 + 7,850 = 9,098")
    # two 3x3 layers against one 5x5 (C channels in and out, weights only)
    for c in (1, 4, 16):
        two = 2 * Conv2D(c, c, 3, bias=False).params["weight"].size
        one = Conv2D(c, c, 5, bias=False).params["weight"].size
        assert (two, one) == (18 * c * c, 25 * c * c)
    assert _says(block, "18C²") and _says(block, "25C²")


def test_weight_sharing_and_local_connectivity_savings():
    """The glossary's entries quote: dense 14,455,392 -> local only 357,504 -> shared 456."""
    outputs = output_size(32, 5) ** 2 * 6
    assert outputs == 4704
    assert outputs * (3 * 5 * 5 + 1) == 357_504
    assert sum(p.size for p in Conv2D(3, 6, 5).params.values()) == 456
    entry = next(e for e in ENTRIES if e["id"] == "weight-sharing")["body"]
    assert _says(entry, "357,504") and _says(entry, "4,704") and _says(entry, "456")
    local = next(e for e in ENTRIES if e["id"] == "local-connectivity")["body"]
    assert _says(local, f"{32 * 32 * 3:,}") and _says(local, f"{5 * 5 * 3}")


def test_multiplication_counts():
    rows = _table(_sheet_block("f-multiplications"), "input (C, H, W)")
    assert len(rows) == 4
    for shape, filters, k, padding, positions, count in rows:
        c, h, w = map(int, re.findall(r"\d+", shape))
        f, k, p = int(filters), int(k), int(padding)
        ho, wo = output_size(h, k, padding=p), output_size(w, k, padding=p)
        assert positions == f"{ho} × {wo}"
        weight = np.zeros((f, c, k, k))
        assert cnnlib.conv2d(np.zeros((c, h, w)), weight, padding=p).shape == (f, ho, wo)
        assert ho * wo * f * c * k * k == _number(count), shape
    assert _says(_sheet_block("f-multiplications"), "784 positions × 75 multiplications")


def test_multiply_adds_of_the_course_network():
    body = next(e["body"] for e in ENTRIES if e["id"] == "multiply-add")
    summary = reference_cnn().summary((1, 28, 28), multiply_adds=True)
    conv2 = [r["multiply_adds"] for r in summary.rows if r["type"] == "Conv2D"][1]
    assert _says(body, f"needs {summary.total_multiply_adds:,} per digit")
    assert _says(body, f"{conv2 / summary.total_multiply_adds:.0%} of them in its second")


def test_activation_numbers():
    block = _sheet_block("f-activations")
    assert sigmoid_slope(np.array([0.0]))[0] == 0.25
    assert f"{sigmoid_slope(np.array([5.0]))[0]:.4f}" == "0.0066" and _says(
        block, "0.0066 at z = 5"
    )
    assert f"{0.25**10:.1e}" == "9.5e-07" and _says(block, "0.25¹⁰ ≈ 9.5 × 10⁻⁷")
    z = np.linspace(-3, 3, 13)
    assert np.allclose(cnnlib.tanh(z), 2 * cnnlib.sigmoid(2 * z) - 1)


def test_dense_score_of_the_cat():
    dense = Dense(3, 1)
    dense.params["weight"][:] = [[1.5, -1.0, -0.2]]
    dense.params["bias"][:] = [0.0]
    score = dense.forward(np.array([[2.0, 0.0, 1.0]]))[0, 0]
    assert f"{score:.1f}" == "2.8" and _says(_sheet_block("f-dense-score"), "= 2.8")


def _entry_body(anchor):
    return next(e["body"] for e in ENTRIES if e["id"] == anchor)


def test_noise_and_zero_feature_numbers():
    """The shares notebook 05 prints (bars with noise) and its explorer shows (zero features)."""
    net = cnnlib.handwired_cnn()
    noise = _entry_body("noise")
    for level, text in ((0.4, "95.4% of the bars right at noise 0.4"), (0.6, "77.7% at 0.6")):
        images, labels = cnnlib.make_bars(1000, noise=level, seed=0)
        share = f"{np.mean(net.predict(images) == labels):.1%}"
        assert share in text and _says(noise, text), (level, share)
    digits, _ = load_mnist("test")
    _, features, _ = classifier_parts(cnnlib.load_pretrained(), digits[:1, None] / 255)
    zeros = f"{np.mean(features[0] == 0):.0%}"
    assert _says(_entry_body("feature-vector"), f"({zeros} for the first test digit)")


def test_softmax_and_temperature_examples():
    scores = np.array([2.8, 1.1, 0.0])
    expected = ", ".join(f"{p:.2f}" for p in softmax(scores))
    assert expected == "0.80, 0.15, 0.05"
    assert _says(_sheet_block("f-softmax"), f"probabilities {expected}")
    temperature = _sheet_block("f-temperature")
    for t in (2, 0.5):
        text = ", ".join(f"{p:.3f}" for p in softmax(scores / t))
        assert _says(temperature, f"T = {t} give {text}"), t


def test_cross_entropy_examples():
    block = _sheet_block("f-cross-entropy")
    for p in (0.1, 0.5, 0.001):
        logits = np.log(np.array([[p, 1 - p]]))  # softmax of these is (p, 1 - p)
        loss = cnnlib.softmax_cross_entropy(logits, np.array([0]))[0]
        assert _says(block, f"costs {loss:.3f}") or _says(block, f"costs ln 10 = {loss:.3f}"), p
    assert f"{np.log(10):.3f}" == "2.303"


def test_gradient_descent_and_momentum_paths():
    plain = gradient_descent(lambda w: 2 * w, start=[4.0], learning_rate=0.1, steps=2)
    text = " → ".join(f"{w:g}" for (w,) in plain)
    assert text == "4 → 3.2 → 2.56" and _says(_sheet_block("f-gradient-descent"), text)
    heavy = gradient_descent(lambda w: 2 * w, start=[4.0], learning_rate=0.1, momentum=0.9, steps=2)
    text = " → ".join(f"{w:g}" for (w,) in heavy)
    assert text == "4 → 3.2 → 1.84" and _says(_sheet_block("f-momentum"), text)


def test_local_minimum_example():
    """The entry's numbers are what notebook 06's "two valleys" explorer reports."""
    from cnnlib.descent import LANDSCAPES, judge_descent

    valleys = LANDSCAPES["1-D: two valleys"]
    entry = next(e for e in ENTRIES if e["id"] == "local-minimum")["body"]
    plain = judge_descent(valleys, gradient_descent(valleys.gradient, [2.5], 0.05, steps=30))
    assert plain.outcome == "stuck" and "w = 1.27" in plain.text and "1.41 above" in plain.text
    assert _says(entry, "w = 2.5 stops at w = 1.27, 1.41 above the lowest loss")
    rolled = gradient_descent(valleys.gradient, [2.5], 0.05, momentum=0.8, steps=30)
    assert judge_descent(valleys, rolled).outcome == "converged"
    assert _says(entry, "momentum](#momentum) 0.8 carries it")


def test_weight_decay_example():
    layer = Dense(1, 1, bias=False)
    layer.params["weight"][:] = 2.0
    layer.grads["weight"][:] = 0.0
    before = layer.params["weight"].copy()
    cnnlib.SGD(layer, lr=1.0, weight_decay=0.01).step()
    assert np.isclose(before - layer.params["weight"], 0.02).all()
    assert _says(_sheet_block("f-weight-decay"), "a weight of 2 gets 0.02 added to its gradient")


def test_dropout_doubles_what_it_keeps():
    drop = cnnlib.Dropout(0.5, seed=0)
    out = drop.forward(np.ones((1, 1000), dtype=np.float32))
    assert set(np.unique(out)) == {0.0, 2.0}
    assert _says(_sheet_block("f-dropout"), "p = 0.5 doubles the values it keeps")


def test_chain_rule_example():
    x, v, t = 2.0, 3.0, 1.0
    w = np.array([0.5])
    slope = numerical_gradient(lambda w: (v * max(0.0, w[0] * x) - t) ** 2, w)[0]
    assert round(slope, 4) == 24 and _says(_sheet_block("f-chain-rule"), "= 4 × 3 × 2 = 24")


def test_conv_weight_gradient_example():
    """The 1-D example: a shared weight's gradient is the sum over the positions it visited."""
    x = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    weight = np.array([[1.0, 2.0, 3.0]])
    grad_out = np.array([[1.0, 10.0, 100.0]])
    _, grad_weight, grad_bias = conv2d_backward(x, weight, grad_out)
    block = _sheet_block("f-conv-gradient")
    assert ", ".join(f"{g:.0f}" for g in grad_weight[0]) == "321, 432, 543"
    assert _says(block, "gradients 321, 432, 543")
    assert grad_bias[0] == 111 and _says(block, "bias gradient of 111")
    # the same through the fast layer, and by the formula written out
    conv = Conv2D(1, 1, (1, 3), bias=True)
    conv.params["weight"][:] = weight
    conv.forward(x[None, None])
    conv.backward(grad_out[None, None])
    assert np.array_equal(conv.grads["weight"][0, 0], grad_weight)
    by_formula = [sum(grad_out[0, o] * x[0, o + j] for o in range(3)) for j in range(3)]
    assert by_formula == [321, 432, 543]
    assert _says(block, "1 × 1 + 10 × 2 + 100 × 3 = 321")


def test_centred_difference_examples():
    w = np.array([3.0])
    assert numerical_gradient(lambda w: w[0] ** 2, w, eps=0.1)[0] == pytest.approx(6.0)
    block = _sheet_block("f-centred-difference")
    assert _says(block, f"({3.1**2:.2f} − {2.9**2:.2f})/0.2 = 6.0")
    assert _says(block, "24.0000")


def test_relative_error_example():
    value = relative_error(24.0, 24.000001)
    text = f"{value:.1e}"  # 2.1e-08
    mantissa, exponent = text.split("e")
    superscript = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    assert _says(_sheet_block("f-relative-error"), f"gives {mantissa} × 10{superscript}")


def test_steps_per_epoch():
    from cnnlib.explorers.training import HELD_OUT, default_training_setup

    train, _ = load_mnist("train")
    setup = default_training_setup()  # notebook 06's split
    steps = math.ceil(len(setup["x"]) / 32)
    assert len(setup["x"]) == len(train) - HELD_OUT == 3500 and steps == 110
    block = _sheet_block("f-steps-per-epoch")
    assert _says(block, f"{len(setup['x']):,} training digits")
    assert _says(block, f"the {len(train):,} shipped minus the {HELD_OUT} held out")
    assert _says(block, f"{steps} steps per epoch, the last one with the {len(setup['x']) % 32}")
