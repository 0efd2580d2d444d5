import pytest

from cnnlib import check_environment
from cnnlib.environment import PackageCheck


def test_this_environment_is_ready(capsys):
    checks = check_environment()
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    names = {c.name for c in checks}
    assert {"numpy", "matplotlib", "ipywidgets", "jupyterlab"} <= names
    assert "Everything is in place." in capsys.readouterr().out


def test_dev_extra_is_checked_too():
    assert "pytest" in {c.name for c in check_environment("dev", verbose=False)}


@pytest.mark.parametrize(
    ("installed", "ok"), [("1.26.0", True), ("1.23.5", False), ("3.0.0", False), (None, False)]
)
def test_package_check_verdicts(installed, ok):
    check = PackageCheck("numpy", ">=1.24,<3", installed)
    assert check.ok is ok
    assert (check.fix == "") is ok
    if not ok:
        assert 'pip install "numpy>=1.24,<3"' in check.fix


def test_report_says_what_to_fix(monkeypatch, capsys):
    from importlib import metadata

    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "1.0" if name == "numpy" else real(name))
    checks = check_environment()
    out = capsys.readouterr().out
    assert not next(c for c in checks if c.name == "numpy").ok
    assert 'wrong: pip install "numpy' in out
    assert "Something needs fixing" in out
