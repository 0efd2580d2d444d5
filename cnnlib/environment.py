"""Check that this Python has what the course needs.

The requirements are read from cnnlib's own installed metadata (the
``dependencies`` of ``pyproject.toml``), so the check can never disagree with
what ``pip install`` was asked for. Each package is either OK, missing, too
old (below the lowest version the course is tested with) or too new (at or
above an upper bound, a major version the course does not know yet), and
every problem comes with the command that fixes it in *this* Python.
"""

from __future__ import annotations

import platform
import shlex
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

__all__ = ["check_environment", "PackageCheck", "install_command"]

MIN_PYTHON = (3, 10)


def _readable(specifier: str) -> str:
    """``<3,>=1.24`` -> ``>=1.24,<3``: the lower bound first, as people write it."""
    specs = sorted(SpecifierSet(specifier), key=lambda s: (s.operator.startswith("<"), str(s)))
    return ",".join(str(s) for s in specs)


def install_command(requirements: list[str]) -> str:
    """The command that installs ``requirements`` into the Python running this code.

    ``sys.executable -m pip`` rather than a bare ``pip``: a terminal's ``pip`` may
    belong to another Python than the notebook's kernel. In a conda environment
    the packages come from conda-forge, as ``environment.yml`` installs them.
    """
    quoted = " ".join(shlex.quote(r) for r in requirements)
    if (Path(sys.prefix) / "conda-meta").is_dir():
        return f"conda install --yes --prefix {shlex.quote(sys.prefix)} -c conda-forge {quoted}"
    return f"{shlex.quote(sys.executable)} -m pip install {quoted}"


@dataclass(frozen=True)
class PackageCheck:
    """One line of the report: a package, what is needed, what is installed.

    Attributes
    ----------
    name : str
        The package as pip knows it, e.g. ``"numpy"``.
    required : str
        The versions the course accepts, e.g. ``">=1.24,<3"``.
    installed : str or None
        The installed version, or None when the package is missing.
    """

    name: str
    required: str
    installed: str | None

    @property
    def problem(self) -> str:
        """``""`` when fine, else ``"missing"``, ``"too old"``, ``"too new"``,
        ``"not allowed"`` (a version excluded by name) or ``"unreadable version"``."""
        if self.installed is None:
            return "missing"
        try:
            version = Version(self.installed)
        except InvalidVersion:  # not a version number pip could compare
            return "unreadable version"
        failed = [s for s in SpecifierSet(self.required) if not s.contains(version, True)]
        if not failed:
            return ""
        if any(s.operator in (">=", ">", "~=") for s in failed):
            return "too old"
        if any(s.operator in ("<", "<=") for s in failed):
            return "too new"
        return "not allowed"

    @property
    def ok(self) -> bool:
        return self.problem == ""

    @property
    def requirement(self) -> str:
        """What to ask the installer for, e.g. ``numpy>=1.24,<3``."""
        return f"{self.name}{_readable(self.required)}"

    @property
    def fix(self) -> str:
        """The command that installs an accepted version ("" when nothing needs fixing)."""
        return "" if self.ok else install_command([self.requirement])


def _requirements(extra: str | None = None) -> list[Requirement]:
    """cnnlib's requirements for this Python: the runtime ones, or those of ``extra``."""
    reqs = []
    for line in metadata.requires("cnnlib") or []:
        req = Requirement(line)
        if extra is None:
            wanted = req.marker is None or req.marker.evaluate({"extra": ""})
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
        Check an optional group instead, e.g. ``"dev"`` for the test tools.
    verbose : bool
        Print a table saying OK, missing, too old or too new for each package,
        and the command that fixes every problem at once.

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
        _report(checks)
    return checks


def _report(checks: list[PackageCheck]) -> None:
    py_ok = sys.version_info[:2] >= MIN_PYTHON
    wanted = ">=" + ".".join(map(str, MIN_PYTHON))
    rows = [("python", wanted, platform.python_version(), "OK" if py_ok else "too old")]
    rows += [(c.name, _readable(c.required), c.installed or "-", c.problem or "OK") for c in checks]
    width = max(len(r[0]) for r in [("package",), *rows]) + 2
    print(f"{'package':<{width}}{'needs':<16}{'installed':<12}status")
    for name, required, installed, status in rows:
        print(f"{name:<{width}}{required:<16}{installed:<12}{status}")
    broken = [c for c in checks if not c.ok]
    if py_ok and not broken:
        print("\nEverything is in place.")
        return
    print("\nSomething needs fixing.")
    if not py_ok:
        print(f"This is Python {platform.python_version()}; install Python {wanted[2:]} or newer.")
    if broken:
        command = install_command([c.requirement for c in broken])
        print(
            "Run this command in a terminal (or in a notebook cell, with ! in front),\n"
            f"then restart the kernel (Kernel > Restart Kernel):\n\n    {command}"
        )
