"""Check that this Python has what the course needs.

The requirements are read from cnnlib's own installed metadata (the
``dependencies`` of ``pyproject.toml``), so the check can never disagree with
what ``pip install`` was asked for.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from importlib import metadata

from packaging.requirements import Requirement

__all__ = ["check_environment", "PackageCheck"]

MIN_PYTHON = (3, 10)


@dataclass(frozen=True)
class PackageCheck:
    """One line of the report: a package, what is needed, what is installed."""

    name: str
    required: str
    installed: str | None

    @property
    def ok(self) -> bool:
        if self.installed is None:
            return False
        return Requirement(f"{self.name}{self.required}").specifier.contains(
            self.installed, prereleases=True
        )

    @property
    def fix(self) -> str:
        if self.ok:
            return ""
        return f'pip install "{self.name}{self.required}"  (or run ./course setup)'


def _requirements(extra: str | None = None) -> list[Requirement]:
    """cnnlib's requirements: the runtime ones, or those of one optional ``extra``."""
    reqs = []
    for line in metadata.requires("cnnlib") or []:
        req = Requirement(line)
        if extra is None:
            wanted = req.marker is None
        else:
            wanted = req.marker is not None and req.marker.evaluate({"extra": extra})
        if wanted:
            reqs.append(req)
    return reqs


def check_environment(extra: str | None = None, verbose: bool = True) -> list[PackageCheck]:
    """Compare installed package versions with cnnlib's requirements.

    Parameters
    ----------
    extra : str, optional
        Also check an optional group, e.g. ``"dev"`` for the test tools.
    verbose : bool
        Print a table with OK or the command that fixes each problem.

    Returns
    -------
    list of PackageCheck
        One entry per requirement; ``all(c.ok for c in checks)`` means ready.
    """
    checks = []
    for req in _requirements(extra):
        try:
            installed = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            installed = None
        checks.append(PackageCheck(req.name, str(req.specifier), installed))
    if verbose:
        py_ok = sys.version_info[:2] >= MIN_PYTHON
        print(
            f"{'python':<12} {'>=3.10':<14} {platform.python_version():<10} "
            f"{'OK' if py_ok else 'too old: install Python 3.10 or newer'}"
        )
        for c in checks:
            status = "OK" if c.ok else ("missing: " if c.installed is None else "wrong: ") + c.fix
            print(f"{c.name:<12} {c.required:<14} {c.installed or '-':<10} {status}")
        if py_ok and all(c.ok for c in checks):
            print("\nEverything is in place.")
        else:
            print("\nSomething needs fixing: run the command(s) above, then restart the kernel.")
    return checks
