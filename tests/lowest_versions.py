"""The lowest versions pyproject.toml allows, as pins for pip.

Every requirement of cnnlib (runtime and the ``dev`` extra) declares a floor
with ``>=``. This prints each one as ``==`` so that an environment can be built
with exactly the oldest versions the project claims to work with; markers are
kept (``tomli`` only below Python 3.11), and whatever the pinned packages need
in turn is left to pip. Read from pyproject.toml every time, the pins cannot
drift from what is declared.

    python tests/lowest_versions.py                # print the pins
    python tests/lowest_versions.py -o pins.txt    # write them to a file

``./course test-lowest`` installs them (as pip constraints) into
``.venv-lowest`` and runs the unit tests and the notebooks there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[Requirement]:
    """cnnlib's runtime requirements followed by those of its ``dev`` extra."""
    project = tomllib.loads(pyproject.read_text())["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(line) for line in lines]


def lowest_pin(req: Requirement) -> str:
    """``numpy>=1.24,<3`` -> ``numpy==1.24``; the marker, if any, is kept.

    Raises ValueError for a requirement without exactly one ``>=`` floor: the
    lowest version it allows would then be unknown (or anything at all).
    """
    floors = [spec.version for spec in req.specifier if spec.operator == ">="]
    if len(floors) != 1:
        raise ValueError(
            f"pyproject.toml: '{req}' needs exactly one '>=' lower bound (it has "
            f"{len(floors)}), so that the lowest version it allows can be installed and tested"
        )
    pin = f"{req.name}=={floors[0]}"
    return f"{pin}; {req.marker}" if req.marker else pin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, help="write the pins to this file")
    args = parser.parse_args(argv)
    text = "".join(f"{lowest_pin(req)}\n" for req in requirements())
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
