"""check_environment: every problem a learner's Python can have is named, with its fix.

The report is checked against this environment (all OK) and against faked
package metadata: a package too old, one missing, one too new.
"""

import shlex
import sys
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from cnnlib import check_environment
from cnnlib import environment as env
from cnnlib.environment import PackageCheck, install_command


def test_this_environment_is_ready(capsys):
    checks = check_environment()
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    names = {c.name for c in checks}
    assert {"numpy", "matplotlib", "ipywidgets", "jupyterlab"} <= names
    out = capsys.readouterr().out
    assert "Everything is in place." in out
    assert out.splitlines()[0].split() == ["package", "needs", "installed", "status"]
    assert "numpy" in out and ">=1.24,<3" in out  # the lower bound first, as people write it


def test_dev_extra_is_checked_too():
    names = {c.name for c in check_environment("dev", verbose=False)}
    assert {"pytest", "nbval"} <= names and "numpy" not in names
    assert ("tomli" in names) == (sys.version_info < (3, 11))  # its marker is evaluated


@pytest.mark.parametrize(
    ("required", "installed", "problem"),
    [
        (">=1.24,<3", "1.26.0", ""),
        (">=1.24,<3", "1.24", ""),  # the floor itself is fine
        (">=1.24,<3", "1.23.5", "too old"),
        (">=1.24,<3", "3.0.0", "too new"),
        (">=1.24,<3", "3.0.0rc1", "too new"),  # a pre-release of the excluded major
        (">=1.24,<3", None, "missing"),
        (">=23", "99.0", ""),  # no upper bound: never too new
        (">=1.0,!=1.5.0", "1.5.0", "not allowed"),
        (">=1.0", "not-a-version", "unreadable version"),
    ],
)
def test_package_check_verdicts(required, installed, problem):
    check = PackageCheck("numpy", required, installed)
    assert check.problem == problem
    assert check.ok is (problem == "")
    assert (check.fix == "") is check.ok


def test_the_fix_installs_the_required_range_into_this_python(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))  # not a conda environment
    fix = PackageCheck("numpy", "<3,>=1.24", "1.23.5").fix
    python, *rest = shlex.split(fix)
    assert python == sys.executable  # the kernel's own Python, not whatever pip is first on PATH
    assert rest == ["-m", "pip", "install", "numpy>=1.24,<3"]
    # in a conda environment, conda installs it there, from conda-forge, without asking
    (tmp_path / "conda-meta").mkdir()
    assert shlex.split(install_command(["numpy>=1.24,<3"])) == [
        "conda",
        "install",
        "--yes",
        "--prefix",
        str(tmp_path),
        "-c",
        "conda-forge",
        "numpy>=1.24,<3",
    ]


@pytest.fixture
def fake_packages(monkeypatch):
    """cnnlib's metadata replaced: four runtime requirements and one dev tool, whose
    installed versions are numpy too old, scipy missing, tqdm too new, pooch fine."""
    requires = [
        "numpy<3,>=1.24",
        "scipy<2,>=1.10",
        "tqdm<5,>=4.65",
        "pooch<2,>=1.7",
        'pytest>=7.4; extra == "dev"',
    ]
    installed = {"numpy": "1.23.5", "tqdm": "5.0.1", "pooch": "1.8.2", "pytest": "8.0"}

    def version(name):
        if name not in installed:
            raise metadata.PackageNotFoundError(name)
        return installed[name]

    monkeypatch.setattr(metadata, "requires", lambda name: requires if name == "cnnlib" else None)
    monkeypatch.setattr(metadata, "version", version)
    monkeypatch.setattr(sys, "prefix", "/nonexistent")  # a pip, not a conda, environment


def test_report_names_each_problem_and_one_command_fixes_them_all(fake_packages, capsys):
    checks = check_environment()
    assert [(c.name, c.problem) for c in checks] == [
        ("numpy", "too old"),
        ("scipy", "missing"),
        ("tqdm", "too new"),
        ("pooch", ""),
    ]
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:6]}
    assert rows["numpy"] == [">=1.24,<3", "1.23.5", "too", "old"]
    assert rows["scipy"] == [">=1.10,<2", "-", "missing"]
    assert rows["tqdm"] == [">=4.65,<5", "5.0.1", "too", "new"]
    assert rows["pooch"] == [">=1.7,<2", "1.8.2", "OK"]
    assert "Something needs fixing." in out and "restart the kernel" in out
    assert "Everything is in place." not in out
    command = shlex.split(out.rstrip().splitlines()[-1])
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    # exactly the broken packages, each with the range the course declares
    asked = {Requirement(r).name: Requirement(r).specifier for r in command[4:]}
    assert asked == {
        c.name: Requirement(f"{c.name}{c.required}").specifier for c in checks if not c.ok
    }


def test_dev_tools_are_reported_separately(fake_packages, capsys):
    checks = check_environment("dev")
    assert [(c.name, c.ok) for c in checks] == [("pytest", True)]
    assert "Everything is in place." in capsys.readouterr().out


def test_a_too_old_python_is_named(monkeypatch, capsys):
    monkeypatch.setattr(env, "MIN_PYTHON", (99, 0))
    check_environment()
    out = capsys.readouterr().out
    assert out.splitlines()[1].split()[-2:] == ["too", "old"]  # the python row
    assert "install Python 99.0 or newer" in out
