"""The instructor guides (docs/instructors/) against the notebooks and the checkers.

Their lists of misconceptions are written by ``./course guides``
(tests/instructor_guides.py) from ``cnnlib.exercises.catalogue()``; these tests
fail when a guide no longer says what the checkers do, when a notebook has no
guide, when an exercise or prediction is missing from the guides or listed
twice, when a mistake has no note for the instructor, and when a guide still
tells instructors to start the slides the old way (RISE).
"""

from __future__ import annotations

import difflib
import html
import re
import sys
from pathlib import Path

import mistune
import pytest

from cnnlib.exercises import catalogue

sys.path.insert(0, str(Path(__file__).parent))
import instructor_guides as gen  # noqa: E402

RUN = "run `./course guides` to rewrite it from cnnlib.exercises.catalogue()"


def _student_edition() -> bool:
    readme = gen.REPO / "README.md"
    return readme.exists() and "**Student edition.**" in readme.read_text(encoding="utf-8")[:500]


pytestmark = pytest.mark.skipif(
    not gen.GUIDES.is_dir() and _student_edition(),
    reason="a student edition of the course has no instructor guides",
)


def guides() -> dict[str, Path]:
    """The numbered guides by notebook stem."""
    return {p.stem: p for p in sorted(gen.GUIDES.glob("[0-9][0-9]_*.md"))}


def region(path: Path, name: str = gen.MISCONCEPTIONS) -> str:
    found = gen.region_pattern(name).findall(path.read_text(encoding="utf-8"))
    assert len(found) == 1, f"{path.name}: {len(found)} generated '{name}' regions, not 1"
    return found[0]


# ----------------------------------------------------------------------------
# a guide for every notebook, in step with the catalogue
# ----------------------------------------------------------------------------
def test_every_numbered_notebook_has_a_guide_with_the_generated_region():
    notebooks = gen.numbered_notebooks()
    assert len(notebooks) >= 8
    missing = [nb for nb in notebooks if nb not in guides()]
    assert not missing, f"no instructor guide for {missing}: write docs/instructors/NN_name.md"
    strays = [name for name in guides() if name not in notebooks]
    assert not strays, f"guides without a notebook (renamed?): {strays}"
    for path in guides().values():
        text = path.read_text(encoding="utf-8")
        assert text.count("<!-- BEGIN GENERATED: misconceptions -->") == 1, path.name
        assert text.count("<!-- END GENERATED: misconceptions -->") == 1, path.name
        heading = text.index("## Misconceptions the checkers detect")
        assert heading < text.index("<!-- BEGIN GENERATED: misconceptions -->"), path.name


def test_generated_parts_are_what_the_catalogue_gives_now():
    files, problems = gen.expected()
    for path, text in files.items():
        now = path.read_text(encoding="utf-8")
        if now != text:
            diff = difflib.unified_diff(
                now.splitlines(),
                text.splitlines(),
                "in the guide",
                "from the catalogue",
                n=0,
                lineterm="",
            )
            shown = "\n".join(list(diff)[:12])
            problems.append(
                f"{path.relative_to(gen.REPO)} differs from what the checkers' catalogue "
                f"gives now; {RUN}.\n{shown}"
            )
    assert not problems, "\n".join(problems)


def test_the_generator_changes_only_its_regions():
    files, _ = gen.expected()
    for path, text in files.items():
        name = gen.COMMON if path == gen.INDEX else gen.MISCONCEPTIONS
        outside_now = gen.region_pattern(name).sub("", path.read_text(encoding="utf-8"))
        outside_new = gen.region_pattern(name).sub("", text)
        assert outside_now == outside_new, path.name


def test_fill_refuses_a_file_without_exactly_one_region():
    with pytest.raises(ValueError, match="has 0 regions.*needs exactly one"):
        gen.fill("# a guide\n", gen.MISCONCEPTIONS, "x\n", "docs/instructors/09_new.md")
    twice = "<!-- BEGIN GENERATED: misconceptions -->\n<!-- END GENERATED: misconceptions -->\n"
    with pytest.raises(ValueError, match="has 2 regions"):
        gen.fill(twice * 2, gen.MISCONCEPTIONS, "x\n")
    filled = gen.fill("a\n" + twice + "b\n", gen.MISCONCEPTIONS, "new\n")
    assert filled == "a\n" + twice.replace("-->\n<!-- END", "-->\nnew\n<!-- END") + "b\n"


def test_a_changed_note_makes_the_guide_stale():
    """The comparison can fail: a note edited in the catalogue changes the guide."""
    doctored = catalogue()
    doctored["exercises"][0]["mistakes"][0]["note"] = "A new note for the instructor."
    files, _ = gen.expected(doctored)
    notebook = doctored["exercises"][0]["notebook"]
    guide = gen.GUIDES / f"{notebook}.md"
    assert guide in gen.stale(files)
    assert "A new note for the instructor." in files[guide]


_ITEM = re.compile(r"^### (?:Exercise \d+|Prediction) · .* \(`([^`]+)`\)$", re.M)


def test_every_exercise_and_prediction_is_in_exactly_one_guide():
    data = catalogue()
    home = {e["id"]: e["notebook"] for e in data["exercises"]}
    home.update({p["id"]: p["notebook"] for p in data["predictions"]})
    seen: dict[str, list[str]] = {}
    for notebook, path in guides().items():
        for item in _ITEM.findall(region(path)):
            seen.setdefault(item, []).append(notebook)
    missing = sorted(set(home) - set(seen))
    assert not missing, f"not in any guide: {missing}; {RUN}"
    unknown = sorted(set(seen) - set(home))
    assert not unknown, f"in a guide but not in the catalogue: {unknown}; {RUN}"
    for item, where in seen.items():
        assert where == [home[item]], f"{item} is listed in {where}, not once in {home[item]}"


def test_each_guide_lists_every_mistake_of_its_notebook():
    data = catalogue()
    present = guides()  # a missing guide is reported by the tests above
    for item in [*data["exercises"], *data["predictions"]]:
        if item["notebook"] not in present:
            continue
        text = region(present[item["notebook"]])
        start = text.index(f"(`{item['id']}`)")
        following = _ITEM.search(text, start + 1)
        section = text[start : following.start() if following else len(text)]
        for mistake in item["mistakes"]:
            assert f"(`{mistake['id']}`)" in section, (item["id"], mistake["id"])
    common = region(gen.INDEX, gen.COMMON)
    for mistake in data["common"]:
        assert f"(`{mistake['id']}`)" in common, mistake["id"]


# ----------------------------------------------------------------------------
# a note for the instructor on every mistake
# ----------------------------------------------------------------------------
def notes_missing(data: dict) -> list[str]:
    """What the guides could not tell an instructor: a mistake without a note (or
    with the learner's hint as its note), an exercise or prediction whose check
    recognises no mistake of its own."""
    found = []
    items = [*data["exercises"], *data["predictions"]]
    for item in items:
        if not item["mistakes"]:
            found.append(f"{item['id']}: no typical mistake of its own, so nothing to address")
    owners = [(item["id"], m) for item in items for m in item["mistakes"]]
    owners += [("common", m) for m in data["common"]]
    for owner, mistake in owners:
        note, hint = mistake["note"].strip(), mistake["hint"].strip()
        if len(note.split()) < 8:
            found.append(f"{owner}/{mistake['id']}: an instructor note is needed")
        elif note == hint:
            found.append(f"{owner}/{mistake['id']}: the note repeats the hint")
        if not hint:
            found.append(f"{owner}/{mistake['id']}: no hint for the learner")
    return found


def test_every_mistake_has_a_note_for_the_instructor():
    missing = notes_missing(catalogue())
    assert not missing, (
        "the instructor guides need a note on how to address each mistake "
        "(Mistake(..., note=...) in cnnlib/exercises/):\n" + "\n".join(missing)
    )


def test_a_missing_note_is_caught():
    doctored = catalogue()
    doctored["predictions"][0]["mistakes"][0]["note"] = ""
    doctored["exercises"][0]["mistakes"] = []
    doctored["common"][0]["note"] = doctored["common"][0]["hint"] + " " * 3
    found = notes_missing(doctored)
    assert len(found) == 3, found
    assert "an instructor note is needed" in found[1]


# ----------------------------------------------------------------------------
# readable Markdown that says exactly what the checkers say
# ----------------------------------------------------------------------------
def _text(rendered_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered_html)).split())


def _plain(catalogue_text: str) -> str:
    return " ".join(catalogue_text.replace("`", " ").split())


def test_catalogue_text_shows_as_written_once_rendered():
    """Titles, questions, names, hints and notes read as the catalogue writes them.

    Markdown must not eat characters: ``y*stride, x*stride`` is not italics, and
    ``<`` not the start of a tag."""
    render = mistune.create_markdown(escape=True, plugins=["strikethrough", "table", "url"])
    data = catalogue()
    for notebook, path in guides().items():
        html_text = render(region(path))
        assert "<em>" not in html_text and "<del>" not in html_text, notebook
        shown = _text(html_text)
        for item in [*data["exercises"], *data["predictions"]]:
            if item["notebook"] != notebook:
                continue
            texts = [(item["id"], key, item[key]) for key in ("title", "question") if key in item]
            texts += [
                (f"{item['id']}/{mistake['id']}", key, mistake[key])
                for mistake in item["mistakes"]
                for key in ("name", "hint", "note")
            ]
            for where, key, text in texts:
                wanted = _plain(text)
                assert wanted in shown, (
                    f"{notebook}: {where} {key} does not show as written: {wanted[:80]!r}"
                )


@pytest.mark.parametrize(
    "text, markdown",
    [
        ("(y*stride, x*stride)", r"(y\*stride, x\*stride)"),
        ("use `x[i*s]` here", "use `x[i*s]` here"),
        ("negative_slope * x", r"negative_slope \* x"),
        ("_private_", r"\_private\_"),
        ("(< for >)", r"(\< for >)"),
        ("[a](b) and [...]", r"[a\](b) and [...]"),
        ("~14 and ~15", r"\~14 and \~15"),
        ("two\nlines", "two lines"),
    ],
)
def test_md_escapes_only_what_markdown_would_read(text, markdown):
    assert gen.md(text) == markdown


# ----------------------------------------------------------------------------
# the index, and how to start the slides
# ----------------------------------------------------------------------------
def test_the_index_links_every_guide_and_the_readme_links_the_index():
    index = gen.INDEX.read_text(encoding="utf-8")
    for name in guides():
        assert f"]({name}.md)" in index, f"docs/instructors/README.md has no line for {name}"
    readme = (gen.REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/instructors/README.md" in readme or "(docs/instructors)" in readme


# RISE in capitals: "the loss may rise" is not about slides
_OLD_SLIDES = re.compile(r"(?i:Alt\s*\+\s*R|jupyterlab-rise|Render as slideshow)|\bRISE\b")


def test_guides_start_slides_with_jupyterlab_slideshow_not_rise():
    for path in guides().values():
        text = path.read_text(encoding="utf-8")
        old = _OLD_SLIDES.findall(text)
        assert not old, (
            f"{path.name} still mentions {old}: the course presents with jupyterlab-slideshow"
        )
        assert "README.md#starting-a-slideshow" in text, (
            f"{path.name}: the slides section should link to the index's 'Starting a slideshow'"
        )
    index = gen.INDEX.read_text(encoding="utf-8")
    assert not re.search(r"Alt\s*\+\s*R|Render as slideshow", index)
    start = index[index.index("## Starting a slideshow") :]
    for step in ("Run All Cells", "Start Deck", "Space", "Escape"):
        assert step in start


# ----------------------------------------------------------------------------
# no model answer in what the generator writes
# ----------------------------------------------------------------------------
def test_generated_parts_hold_no_model_answer(tmp_path):
    """The generated text holds only what the checkers tell every learner and the
    instructor notes; the classroom release's own search for model answers finds
    nothing in it (when the classroom tools are part of this copy)."""
    if not (gen.REPO / "classroom").is_dir():
        pytest.skip("the classroom tools (and their search for model answers) are not here")
    answers = pytest.importorskip("classroom.answers")
    solutions = gen.REPO / "cnnlib" / "exercises" / "solutions.py"
    prints = answers.fingerprints(answers.load_solutions(solutions))
    for name, path in guides().items():
        (tmp_path / f"{name}.md").write_text(region(path), encoding="utf-8")
    (tmp_path / "README.md").write_text(region(gen.INDEX, gen.COMMON), encoding="utf-8")
    allowed = (
        *answers.NOT_ANSWERS,
        answers.NotAnAnswer(
            "image_sizes", "921,600", ("01_pixels.md",), "notebook 01's photo, in a prediction"
        ),
        answers.NotAnAnswer(
            "softmax",
            "each row adds up to 1",
            ("05_dense_classifier.md",),
            "what softmax gives, said by the hint for e^score left undivided (in cnnlib the "
            "words are split over two string literals, so the release's search misses them)",
        ),
    )
    leaks = answers.find_answers(tmp_path, prints, allowed)
    assert not leaks, "\n".join(map(str, leaks))
