"""``python -m classroom release|grade ...``, run by ``./course release`` and ``./course grade``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from classroom import LEVELS_HELP


def _size(text: str) -> int:
    units = {"k": 2**10, "m": 2**20, "g": 2**30}
    text = text.strip().lower().removesuffix("b")
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size; write e.g. 4G, 1500M or a number of bytes"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="./course", description="Tools for teaching the course.")
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser(
        "release",
        help="write a copy of the course for students (no model answers) or instructors",
        description="Write a copy of the course into a new folder. The student edition holds "
        "no model answer anywhere (every file is searched for them before it is written).",
    )
    release.add_argument("edition", choices=("student", "instructor"))
    release.add_argument("folder", type=Path, help="a new folder, outside this course folder")

    grade = commands.add_parser(
        "grade",
        help="re-run students' notebooks in a sandbox and write grades.csv and a summary",
        description="Re-run every submitted notebook in a fresh kernel, in a sandbox, apply "
        "the exercise checkers and write grades.csv, summary.csv and summary.md.",
        epilog=LEVELS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument(
        "submissions",
        type=Path,
        help="a folder (or .zip) of submissions: SUBMISSIONS/<student>/*.ipynb, "
        "SUBMISSIONS/<student>_<NN_name>.ipynb, LMS exports (Moodle, Canvas, GitHub "
        "Classroom, nbgrader's submitted/)",
    )
    grade.add_argument(
        "--out", type=Path, default=None, help="where to write (default: ./grading-<date-time>)"
    )
    grade.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="seconds per notebook, kernel start included (default 600)",
    )
    grade.add_argument(
        "--memory", type=_size, default="4G", help="memory per notebook (default 4G)"
    )
    grade.add_argument(
        "--isolation",
        default="auto",
        choices=("auto", "bubblewrap", "unprivileged-user", "none"),
        help="insist on one isolation level (default: the strongest that works here)",
    )
    grade.add_argument(
        "--notebooks",
        default=None,
        help="the assignment's notebooks, e.g. 01_pixels,03_pooling (default: every course "
        "notebook that anyone handed in)",
    )
    grade.add_argument(
        "--no-executed",
        action="store_true",
        help="do not keep the re-run notebooks (by default in OUT/executed/)",
    )
    return parser


def _from_caller(path: Path | None) -> Path | None:
    """``./course`` runs from the course folder: relative paths are the caller's."""
    if path is None or path.is_absolute():
        return path
    return Path(os.environ.get("COURSE_CALLER_DIR", ".")) / path


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for name in ("folder", "submissions", "out"):
        if hasattr(args, name):
            setattr(args, name, _from_caller(getattr(args, name)))
    if args.command == "release":
        from classroom.release import ReleaseError, release

        try:
            result = release(args.edition, args.folder)
        except ReleaseError as err:
            print(err, file=sys.stderr)
            return 1
        print(result.summary())
        return 0

    from classroom.grade import GradingError, grade
    from classroom.sandbox import Limits, SandboxUnavailable

    notebooks = [n.strip() for n in args.notebooks.split(",")] if args.notebooks else None
    try:
        limits = Limits(seconds=args.timeout, memory=args.memory)
        report = grade(
            args.submissions,
            out=args.out,
            limits=limits,
            isolation=args.isolation,
            notebooks=notebooks,
            keep_executed=not args.no_executed,
            progress=lambda line: print(line, flush=True),
        )
    except (GradingError, SandboxUnavailable, ValueError) as err:
        print(f"grade: {err}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
