"""The sandbox's parts: the limits, the launcher that applies them, the bubblewrap command."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from classroom import sandbox
from classroom.sandbox import Limits, Sandbox

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "classroom" / "_launch.py"
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (switching users)")


def launch(config: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(LAUNCHER), json.dumps(config), "--", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", ["seconds", "memory", "open_files", "file_size", "processes"])
@pytest.mark.parametrize("value", [0, -5, "4G", None, True])
def test_limits_must_be_positive_numbers(name, value):
    with pytest.raises(ValueError, match=f"Limits: {name} must be a positive number"):
        Limits(**{name: value})


def test_the_cpu_limit_backs_the_time_limit_up_and_processes_only_count_for_nobody():
    limits = Limits(seconds=100, memory=2**30)
    assert limits.rlimits(own_user=False) == {
        "memory": 2**30,
        "cpu_seconds": 160,
        "open_files": 1024,
        "file_size": 2**30,
        "core_size": 0,
    }
    assert limits.rlimits(own_user=True)["processes"] == 512


def test_the_launcher_applies_the_limits():
    code = (
        "import resource as r; "
        "print([r.getrlimit(x)[0] for x in (r.RLIMIT_AS, r.RLIMIT_CPU, r.RLIMIT_NOFILE,"
        " r.RLIMIT_FSIZE, r.RLIMIT_CORE)])"
    )
    config = {"limits": Limits(seconds=50, memory=3 * 2**30).rlimits(own_user=False)}
    run = launch(config, code)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [3 * 2**30, 110, 1024, 2**30, 0]


def test_memory_beyond_the_limit_is_a_memory_error():
    config = {"limits": {"memory": 1 * 2**30}}
    run = launch(config, "x = bytearray(2 * 2**30)")
    assert run.returncode == 1 and "MemoryError" in run.stderr


def test_a_program_that_cannot_start_is_named():
    run = subprocess.run(
        [sys.executable, str(LAUNCHER), "{}", "--", "/nonexistent/python"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 126 and "cannot start /nonexistent/python" in run.stderr


@ROOT_ONLY
def test_the_launcher_becomes_nobody_without_network(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    (tmp_path / "private.txt").write_text("secret")
    tmp_path.chmod(0o700)
    code = (
        "import os, socket\n"
        f"print(os.getuid(), os.getgid(), os.getgroups())\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        "    print('connected')\n"
        "except OSError as err:\n"
        "    print('no network')\n"
        "try:\n"
        f"    open({str(tmp_path / 'private.txt')!r}).read()\n"
        "    print('read')\n"
        "except OSError:\n"
        "    print('refused')\n"
    )
    nobody = sandbox._nobody()
    if not Path("/usr/bin/python3").exists():
        pytest.skip("needs /usr/bin/python3, a Python that nobody may run")
    run = subprocess.run(
        [
            sys.executable,
            str(LAUNCHER),
            json.dumps({"user": list(nobody), "no_network": True, "limits": {"processes": 64}}),
            "--",
            "/usr/bin/python3",
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    server.close()
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [f"{nobody[0]} {nobody[1]} []", "no network", "refused"]


def test_the_bubblewrap_command_shows_only_what_the_kernel_needs(tmp_path):
    box = Sandbox("bubblewrap", sys.executable, (65534, 65534), network=False, bwrap="bwrap")
    course, work, shared = tmp_path / "course", tmp_path / "work", tmp_path / "shared"
    argv, env, cwd = box.command(["python", "-m", "kernel"], course, work, shared, Limits())
    assert argv[0] == "bwrap" and cwd == str(work) and set(env) == {"PATH"}
    options = argv[: argv.index("--")]
    binds = {
        (options[i], options[i + 1], options[i + 2])
        for i in range(len(options) - 2)
        if options[i] in ("--bind", "--ro-bind")
    }
    writable = {(source, target) for kind, source, target in binds if kind == "--bind"}
    assert writable == {(str(work), "/home/student"), (str(shared), str(shared))}
    assert ("--ro-bind", str(course), "/course") in binds
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--clearenv"):
        assert flag in options
    sources = {source for _, source, _ in binds}
    assert str(ROOT) not in sources and str(Path.home()) not in sources
    # the repository is not shown, but for the Python environment if it lives there
    inside_root = {s for s in sources if s.startswith(str(ROOT) + "/")}
    assert inside_root <= {sys.prefix, str(LAUNCHER)}  # and the launcher, one file
    inner = argv[argv.index("--") + 1 :]
    assert inner[1] == sandbox.LAUNCHER_INSIDE and inner[-3:] == ["python", "-m", "kernel"]
    assert options[options.index("--chdir") + 1] == "/home/student"


def test_the_environment_passes_nothing_of_the_graders(monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", "x")
    box = Sandbox("none", sys.executable, None, network=True)
    env = box.environment("/w", "/c")
    assert "SECRET_TOKEN" not in env and env["HOME"] == "/w" and env["PYTHONPATH"] == "/c"
    assert env["CNNLIB_DATA_DIR"].startswith("/w/")


@pytest.mark.parametrize("level", sandbox.LEVELS)
def test_each_level_says_what_it_guarantees(level):
    user = None if level == "none" else (65534, 65534)
    box = Sandbox(level, sys.executable, user, network=level == "none")
    text = " ".join(box.guarantees())
    assert "Time, memory" in text
    if level == "none":
        assert "NO ISOLATION" in text and "with network" in box.describe()
    if level == "unprivileged-user":
        assert "CAN read every world-readable file" in text
    if level == "bubblewrap":
        assert "not the repository" in text and "without network" in box.describe()


def test_an_unknown_level_is_refused(tmp_path):
    with pytest.raises(ValueError, match="isolation='strong' is not a level"):
        sandbox.detect(tmp_path, "strong")


def test_auto_falls_back_loudly_and_never_to_none_as_root(monkeypatch, tmp_path):
    def missing(level, python):
        return "not here" if level != "none" else Sandbox("none", python, None, network=True)

    monkeypatch.setattr(sandbox, "_candidate", missing)
    monkeypatch.setattr(sandbox, "_probe", lambda box, course: None)
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    box = sandbox.detect(tmp_path)
    assert box.level == "none"
    assert box.notes == ["bubblewrap: not here", "unprivileged-user: not here"]
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)
    with pytest.raises(sandbox.SandboxUnavailable, match="refused as root"):
        sandbox.detect(tmp_path)
    assert sandbox.detect(tmp_path, "none").level == "none"  # when asked for explicitly
