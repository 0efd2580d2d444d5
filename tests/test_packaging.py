"""The project's own promises: one set of dependencies, clean notebooks,
floors that only import downwards, and a CI that runs the README's command."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
sys.path.insert(0, str(ROOT / "tests"))
from nbclean import clean  # noqa: E402

# conda-forge spells a few packages differently from PyPI
CONDA_NAMES = {"python-isal": "isal"}


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_and_pyproject_name_the_same_packages():
    project = _pyproject()["project"]
    pip_names = {
        Requirement(r).name.lower()
        for r in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_names = set()
    pip_section = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section += dep["pip"]
            continue
        name = re.split(r"[<>=!\s]", dep, maxsplit=1)[0].lower()
        conda_names.add(CONDA_NAMES.get(name, name))
    conda_names -= {"python", "pip"}
    assert conda_names == pip_names, (
        f"only in environment.yml: {sorted(conda_names - pip_names)}; "
        f"only in pyproject.toml: {sorted(pip_names - conda_names)}"
    )
    assert "-e ." in pip_section, "environment.yml must install cnnlib itself with `-e .`"


def test_environment_yml_ranges_match_pyproject():
    """Same lower bounds in both files, so a conda user gets what pip users get."""
    project = _pyproject()["project"]
    wanted = {
        Requirement(r).name.lower(): Requirement(r).specifier
        for r in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    for dep in env["dependencies"]:
        if isinstance(dep, dict) or dep.split(">")[0].split("=")[0] in ("python", "pip"):
            continue
        req = Requirement(dep.replace(" ", ""))
        name = CONDA_NAMES.get(req.name.lower(), req.name.lower())
        assert req.specifier == wanted[name], f"{req.name}: {req.specifier} != pyproject"


def test_requires_python():
    assert _pyproject()["project"]["requires-python"] == ">=3.10"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert clean(nb) == nb, f"{path.name} has outputs or execution counts: run ./course clean"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_imports_names_explicitly(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "import *" not in cell.source, f"{path.name}: use explicit imports"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_opens_and_closes_as_the_curriculum_asks(path):
    nb = nbformat.read(path, as_version=4)
    first, last = nb.cells[0], nb.cells[-1]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {path.name[:2]}")
    assert re.search(r"you will", first.source, re.I), "opening: what you will learn"
    assert re.search(r"\bminutes?\b", first.source, re.I), "opening: a time estimate"
    assert re.search(r"you need", first.source, re.I), "opening: what you need"
    assert last.cell_type == "markdown" and re.search(r"recap", last.source, re.I)
    assert re.search(r"\bnext\b", last.source, re.I), "closing: a pointer to the next notebook"


#: A notebook is one sitting: beyond this many cells it gets split (issue 12 split 06 at 71).
MAX_CELLS = 65


def test_numbered_notebooks_exist_in_sequence():
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert numbers == list(range(len(numbers))), [path.name for path in NOTEBOOKS]
    assert len(numbers) >= 8, "00_start_here ... 07_inside_the_network"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_is_one_sitting(path):
    cells = len(nbformat.read(path, as_version=4).cells)
    assert cells <= MAX_CELLS, f"{path.name} has {cells} cells (at most {MAX_CELLS}): split it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_next_points_at_the_notebook_that_follows(path):
    """The closing pointer names the next notebook's file; the last one says it is the last."""
    last = nbformat.read(path, as_version=4).cells[-1].source
    following = NOTEBOOKS.index(path) + 1
    if following < len(NOTEBOOKS):
        assert f"`{NOTEBOOKS[following].name}`" in last, (
            f"{path.name}: Next: {NOTEBOOKS[following].name}"
        )
    else:
        assert re.search(r"last notebook", last, re.I), f"{path.name} is the last notebook"


CORE_IMPORT_CHECK = """
import importlib, pathlib, sys
import cnnlib
root = pathlib.Path(cnnlib.__file__).parent
for path in sorted(root.rglob("*.py")):
    rel = path.relative_to(root.parent).with_suffix("")
    name = ".".join(rel.parts).removesuffix(".__init__")
    if not name.startswith(("cnnlib.plotting", "cnnlib.explorers")):
        importlib.import_module(name)
bad = [name for name in ("matplotlib", "ipywidgets", "ipycanvas") if name in sys.modules]
print(",".join(bad))
"""


def test_core_never_imports_matplotlib_or_widgets():
    out = subprocess.run(
        [sys.executable, "-c", CORE_IMPORT_CHECK], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", (
        f"importing the core loaded {out}; import it inside the function that needs it"
    )


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_plotting_does_not_import_widgets_or_explorers():
    modules = sorted((ROOT / "cnnlib" / "plotting").glob("*.py"))
    assert modules, "cnnlib/plotting/ has no modules"
    bad = {
        f"{path.name}: {n}"
        for path in modules
        for n in _imports(path)
        if n.startswith(("ipywidgets", "cnnlib.explorers"))
    }
    assert not bad


def test_ci_runs_the_readme_test_commands():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line.strip() for line in ci.splitlines() if line.strip().startswith("./course")]
    assert commands == ["./course setup", "./course test", "./course test-lowest"]
    for command in commands[1:]:
        assert f"`{command}`" in readme, f"README must document {command}"


def test_lowest_versions_are_the_floors_of_pyproject(tmp_path):
    """Every requirement has one floor, and the lowest-versions run installs exactly it."""
    from lowest_versions import lowest_pin, main

    project = _pyproject()["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = [Requirement(lowest_pin(Requirement(line))) for line in lines]
    for line, pin in zip(lines, pins):
        req = Requirement(line)
        (floor,) = [s.version for s in req.specifier if s.operator == ">="]
        assert pin.name == req.name and str(pin.specifier) == f"=={floor}"
        assert pin.marker == req.marker  # tomli stays limited to Python 3.10
        assert req.specifier.contains(floor), f"{line}: its own floor is excluded"
    with pytest.raises(ValueError, match="needs exactly one '>=' lower bound"):
        lowest_pin(Requirement("numpy<3"))
    out = tmp_path / "pins.txt"
    assert main(["-o", str(out)]) == 0
    assert [Requirement(p) for p in out.read_text().splitlines()] == pins


@pytest.mark.parametrize("cpu", ["zen", "prescott"])
def test_cpu_variants_only_disable_what_numpy_may_disable(cpu):
    """numpy refuses to start when told to disable a feature of its baseline."""
    from cpu_variants import _numpy_simd, environment

    baseline, targets, _ = _numpy_simd()
    env = environment(cpu)
    assert env["OPENBLAS_CORETYPE"] in ("Zen", "Prescott")
    disabled = env.get("NPY_DISABLE_CPU_FEATURES", "").split(",")
    assert set(disabled) <= set(targets) | {""} and not set(disabled) & set(baseline)
    code = "import numpy; numpy.ones(3).sum()"
    subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, check=True)
