"""A throwaway JupyterLab server for the browser tests.

The server runs from the project's environment on 127.0.0.1 with a free port
and a random token, and touches nothing of the user's: it serves a *copy* of
``notebooks/`` from a temporary folder (so running cells can never write
outputs into the committed notebooks), and its config, data, runtime,
settings and workspace folders are temporary too. Autosave is off and
notebooks render every cell into the page (``windowingMode: none``), so the
tests can see every output.

``cnnlib`` stays importable in the kernel because it is installed (editable)
in the same environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["LabServer"]

# User settings written into the temporary settings folder.
SETTINGS = {
    # every cell in the DOM, so outputs off-screen can be checked and captured
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # never write outputs back, not even into the temporary copy
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # no "would you like to receive news?" toast over the notebook, no network
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """Start ``jupyter lab`` serving a copy of ``notebooks``; stop it with :meth:`stop`.

    Parameters
    ----------
    notebooks : Path
        The folder to copy (the repository's ``notebooks/``).
    workdir : Path
        An empty temporary folder for the copy, settings, logs and runtime files.
    python : str
        The interpreter whose ``jupyter lab`` to run (the project's environment).
    """

    def __init__(self, notebooks: Path, workdir: Path, python: str = sys.executable):
        self.workdir = Path(workdir)
        self.root = self.workdir / "root"
        shutil.copytree(notebooks, self.root / "notebooks", ignore=_ignore_checkpoints)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "jupyterlab.log"
        self.python = python
        self.process: subprocess.Popen | None = None
        self._descendants: dict = {}  # pid -> psutil.Process (guards against pid reuse)

    # -- starting -------------------------------------------------------------------------
    def start(self, timeout: float = 120.0) -> LabServer:
        """Launch the server and wait until its REST API answers."""
        settings = self.workdir / "settings"
        for plugin, values in SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ)
        for name, sub in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ]:
            env[name] = str(self.workdir / sub)
        env.pop("JUPYTER_PATH", None)
        env.pop("JUPYTER_CONFIG_PATH", None)
        env["PYTHONUNBUFFERED"] = "1"
        command = [
            self.python,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.terminals_enabled=False",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
            # window.jupyterapp lets the tests read the notebook model (outputs, kernel status)
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI containers run as root
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() kills all of it
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.process.returncode} while starting;"
                    f" its log ({self.log_path}) ends with:\n{self.log_tail()}"
                )
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.api("GET", "/api/status", timeout=5)
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"JupyterLab did not answer within {timeout:.0f} s;"
                    f" its log ends with:\n{self.log_tail()}"
                )
            time.sleep(0.3)

    def url(self, path: str) -> str:
        """Full URL of ``path`` with the token, e.g. for ``page.goto``."""
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}token={self.token}"

    def api(self, method: str, path: str, timeout: float = 10.0):
        """Call the Jupyter REST API; return the decoded JSON (or None)."""
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- kernels ---------------------------------------------------------------------------
    def shutdown_kernels(self) -> None:
        """Stop every running kernel (between notebooks, and before stopping)."""
        self._remember_descendants()
        with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
            for kernel in self.api("GET", "/api/kernels") or []:
                with contextlib.suppress(OSError, urllib.error.URLError):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)

    # -- stopping --------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop kernels and server; kill whatever is left. Safe to call twice."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            self._remember_descendants(process.pid)
            with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                for kernel in self.api("GET", "/api/kernels", timeout=5) or []:
                    with contextlib.suppress(OSError, urllib.error.URLError):
                        self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=15)
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        # the group is gone; kernels run in sessions of their own, so end any survivor by pid
        for child in self._descendants.values():
            with contextlib.suppress(Exception):
                child.kill()  # psutil refuses if the pid now belongs to another process
        self._descendants = {}

    def _remember_descendants(self, pid: int | None = None) -> None:
        """Note the pids of the server's children (kernels), to kill them by pid if needed."""
        pid = pid if pid is not None else (self.process.pid if self.process else None)
        if pid is None:
            return
        try:
            import psutil
        except ImportError:  # psutil comes with ipykernel; without it rely on the signals
            return
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(pid).children(recursive=True):
                self._descendants.setdefault(child.pid, child)


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, sig)


def _ignore_checkpoints(directory, names):
    return [name for name in names if name in {".ipynb_checkpoints", "__pycache__"}]
