"""Write the instructor guides' lists of misconceptions from the checkers' own catalogue.

Each guide ``docs/instructors/NN_name.md`` has a region

    <!-- BEGIN GENERATED: misconceptions -->
    <!-- END GENERATED: misconceptions -->

which this script fills from :func:`cnnlib.exercises.catalogue`: the notebook's
exercises and predictions, and for every mistake their checks recognise, its name
and id, the hint the learner gets and the instructor's note on how to address it.
The index ``docs/instructors/README.md`` gets the mistakes any checker may report
(region ``common-mistakes``). Everything else in the guides is written by hand.
Hints and notes are edited in ``cnnlib/exercises/``, never in the guides; the
test ``tests/test_instructor_guides.py`` fails when a guide no longer matches.

No model answer is written: only what the checkers tell a learner anyway (the
hints ship with every copy of the course) and the instructor notes. A prediction's
expected answer is shown, since it is what its explorer displays to everyone.

    python tests/instructor_guides.py            # rewrite the regions in place
    python tests/instructor_guides.py --check    # exit 1 if a region is out of date

``./course guides`` runs the first form.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GUIDES = REPO / "docs" / "instructors"
NOTEBOOKS = REPO / "notebooks"
INDEX = GUIDES / "README.md"

MISCONCEPTIONS = "misconceptions"
COMMON = "common-mistakes"
DO_NOT_EDIT = (
    "<!-- Written by `./course guides` from cnnlib.exercises.catalogue(): change a hint or a "
    "note in cnnlib/exercises/, then run `./course guides`; edits here are overwritten. -->"
)


def region_pattern(name: str) -> re.Pattern:
    """The generated region called ``name``: group 1 is its text between the two markers."""
    begin, end = (re.escape(f"<!-- {which} GENERATED: {name} -->") for which in ("BEGIN", "END"))
    return re.compile(rf"{begin}\n(.*?){end}", re.S)


def numbered_notebooks() -> list[str]:
    """The stems of the course's numbered notebooks (``00_start_here`` ...)."""
    return sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


# ----------------------------------------------------------------------------
# Markdown from catalogue text
# ----------------------------------------------------------------------------
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# Characters that would change how the text shows: emphasis (* and _ at the edge
# of a word; "negative_slope" is safe), HTML (<), strikethrough (~), math ($), a
# link ("[...](" or "[...][") and the escape character itself.
_SPECIAL = re.compile(r"[\\*<~$]|(?<!\w)_|_(?!\w)|\](?=[(\[])")


def _escape(match: re.Match) -> str:
    return "\\" + match.group(0)


def md(text: str) -> str:
    """``text`` as Markdown that shows exactly these characters: code spans (in
    backticks) are kept, and outside them the characters Markdown would read as
    emphasis, links or HTML are escaped (``y*stride, x*stride`` must not turn into
    italics). Line breaks become spaces, so that an item stays one line."""
    text = " ".join(str(text).split())
    pieces, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(_SPECIAL.sub(_escape, text[last : match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_SPECIAL.sub(_escape, text[last:]))
    return "".join(pieces)


def _value(value) -> str:
    """A prediction's answer as the learner would enter it."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _mistake_lines(mistake: dict, told: str, answer: bool = False) -> list[str]:
    head = f"- **{md(mistake['name'])}** (`{mistake['id']}`)"
    if answer and mistake.get("answer") is not None:
        head += f": predicts {md(_value(mistake['answer']))}"
    return [
        head,
        f"  - {told}: {md(mistake['hint'])}",
        f"  - In class: {md(mistake['note'])}",
    ]


def exercise_section(exercise: dict) -> list[str]:
    """The lines for one exercise: a heading, what the learner writes, its mistakes."""
    writes = "a function" if exercise["kind"] == "function" else "values"
    mistakes = exercise["mistakes"]
    lines = [
        f"### Exercise {exercise['number']} · {md(exercise['title'])} (`{exercise['id']}`)",
        "",
        f"The learner writes {writes}; `{exercise['check']}` recognises "
        f"{len(mistakes)} typical {'mistake' if len(mistakes) == 1 else 'mistakes'}:",
        "",
    ]
    for mistake in mistakes:
        lines += _mistake_lines(mistake, "The checker says")
    return lines + [""]


def prediction_section(prediction: dict) -> list[str]:
    """The lines for one prediction: the question, the answer its explorer shows,
    where to see it, and the typical wrong predictions."""
    mistakes = prediction["mistakes"]
    lines = [
        f"### Prediction · {md(prediction['title'])} (`{prediction['id']}`)",
        "",
        f"Asked before `{prediction['explorer']}`:",
        "",
        f"> {md(prediction['question'])}",
        "",
        f"The explorer shows **{md(_value(prediction['answer']))}**: {md(prediction['reveal'])}.",
        "",
    ]
    if mistakes:
        lines += [
            f"{len(mistakes)} typical wrong {'prediction' if len(mistakes) == 1 else 'predictions'}"
            " recognised:",
            "",
        ]
        for mistake in mistakes:
            lines += _mistake_lines(mistake, "The learner is told", answer=True)
        lines.append("")
    return lines


def misconceptions(notebook: str, catalogue: dict) -> str:
    """The generated region of ``notebook``'s guide (the text between the markers)."""
    exercises = [e for e in catalogue["exercises"] if e["notebook"] == notebook]
    predictions = [p for p in catalogue["predictions"] if p["notebook"] == notebook]
    lines = [DO_NOT_EDIT, ""]
    if not exercises and not predictions:
        lines += ["This notebook has no exercise or prediction to check.", ""]
        return "\n".join(lines)
    counts = []
    for items, word in ((exercises, "exercise"), (predictions, "prediction")):
        if len(items) == 1:
            counts.append(word)
        elif items:
            counts.append(f"{len(items)} {word}s")
    lines.append(
        f"Each typical mistake that the checks of this notebook's {' and '.join(counts)} "
        "recognise: its name and id (the id is what `cnnlib.exercises.results()` and the "
        "grading reports name), what the learner is told, and how to address it in class."
    )
    if predictions:
        lines[-1] += " Predictions are practice, not graded."
    if exercises:
        lines[-1] += (
            " Mistakes any exercise may show (a forgotten `return`, an endless loop...) are "
            "listed once, in the [index of the guides](README.md#mistakes-any-checker-may-report)."
        )
    lines.append("")
    for exercise in exercises:
        lines += exercise_section(exercise)
    for prediction in predictions:
        lines += prediction_section(prediction)
    return "\n".join(lines)


def common_mistakes(catalogue: dict) -> str:
    """The generated region of the index: the mistakes any checker may report."""
    lines = [DO_NOT_EDIT, ""]
    for mistake in catalogue["common"]:
        lines += _mistake_lines(mistake, "The checker says")
    return "\n".join(lines + [""])


# ----------------------------------------------------------------------------
# the files
# ----------------------------------------------------------------------------
def fill(text: str, name: str, body: str, where: str = "the file") -> str:
    """``text`` with its region ``name`` replaced by ``body``; a ValueError if it has
    no such region or more than one."""
    pattern = region_pattern(name)
    found = pattern.findall(text)
    if len(found) != 1:
        raise ValueError(
            f"{where} has {len(found)} regions '<!-- BEGIN GENERATED: {name} -->' ... "
            f"'<!-- END GENERATED: {name} -->'; it needs exactly one (an empty one is "
            "filled in)"
        )
    return pattern.sub(
        lambda _: f"<!-- BEGIN GENERATED: {name} -->\n{body}<!-- END GENERATED: {name} -->",
        text,
    )


def expected(catalogue: dict | None = None) -> tuple[dict[Path, str], list[str]]:
    """Every file the generator writes, with the content it should have now, and the
    problems that keep it from writing the others (a numbered notebook without a
    guide, a guide without its region), each as a sentence that says what to do."""
    if catalogue is None:
        from cnnlib.exercises import catalogue as read_catalogue

        catalogue = read_catalogue()
    out: dict[Path, str] = {}
    problems: list[str] = []
    for notebook in numbered_notebooks():
        guide = GUIDES / f"{notebook}.md"
        name = guide.relative_to(REPO).as_posix()
        if not guide.exists():
            problems.append(
                f"notebook {notebook} has no instructor guide: write {name} (with the "
                "headings of the other guides and their empty generated region)"
            )
            continue
        try:
            text = fill(
                guide.read_text(encoding="utf-8"),
                MISCONCEPTIONS,
                misconceptions(notebook, catalogue),
                name,
            )
        except ValueError as err:
            problems.append(str(err))
        else:
            out[guide] = text
    try:
        text = fill(
            INDEX.read_text(encoding="utf-8"),
            COMMON,
            common_mistakes(catalogue),
            INDEX.relative_to(REPO).as_posix(),
        )
    except (OSError, ValueError) as err:
        problems.append(str(err))
    else:
        out[INDEX] = text
    return out, problems


def stale(files: dict[Path, str]) -> list[Path]:
    """The files whose content differs from what the generator writes."""
    return [path for path, text in files.items() if path.read_text(encoding="utf-8") != text]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="only say which guides are out of date (exit 1)"
    )
    args = parser.parse_args(None if argv is None else list(argv))
    files, problems = expected()
    changed = stale(files)
    for path in changed:
        name = path.relative_to(REPO)
        if args.check:
            print(f"guides: {name} is out of date; run ./course guides", file=sys.stderr)
        else:
            path.write_text(files[path], encoding="utf-8", newline="\n")
            print(f"guides: wrote {name}")
    if not changed:
        print(f"guides: {len(files)} files up to date")
    for problem in problems:
        print(f"guides: {problem}", file=sys.stderr)
    return 1 if problems or (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
