"""Where a submitted notebook runs: the strongest isolation this machine offers.

A submission is code written by someone else, run on the instructor's machine.
Three levels, strongest first; :func:`detect` tries each and keeps the first
that works here, and the grading report names the one used.

``bubblewrap``
    The kernel starts inside `bubblewrap <https://github.com/containers/bubblewrap>`_
    (``bwrap``, Debian package ``bubblewrap``), in namespaces of its own: it sees
    a file system made of the system's ``/usr`` and the Python environment (both
    read-only), the course library *without* the model answers (read-only, at
    ``/course``), its own folder (``/home/student``, its home and working folder)
    and a private ``/tmp``; nothing else exists for it: not the repository, not
    the other submissions, not the instructor's home. It has no network (only
    its own loopback), cannot see or signal other processes, and everything it
    starts ends with it. Run as root, the grader also makes it the unprivileged
    user ``nobody`` without capabilities; run as another user, it stays that user
    (bubblewrap then relies on unprivileged user namespaces).
``unprivileged-user``
    No bubblewrap, but the grader runs as root: the kernel runs as ``nobody``
    in a network namespace of its own. It cannot write outside its folder (and
    the world-writable ``/tmp``), cannot read files private to other users (such
    as ``~/.ssh``), has no network, but **can read every world-readable file**,
    the repository's model answers included, and a process it leaves behind may
    outlive the run.
``none``
    The kernel runs as the instructor, with its own folder as working folder and
    home, and the resource limits below. It can read, change and delete whatever
    the instructor can, and use the network. Only for submissions you trust.

At every level: a time limit per notebook (the grader stops the kernel; a CPU
limit backs it up), an address-space limit (``RLIMIT_AS``), limits on open
files and on the size of a file it writes, no core dumps, and a limit on its
processes where it runs as a user of its own. What no level prevents: a
submission can still forge its own results, since the checkers run in its
kernel (the grader flags submissions that touch the checkers' record, see
:mod:`classroom.grade`).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = [
    "LEVELS",
    "Limits",
    "Sandbox",
    "SandboxUnavailable",
    "detect",
]

#: The isolation levels, strongest first.
LEVELS = ("bubblewrap", "unprivileged-user", "none")

LAUNCHER = Path(__file__).with_name("_launch.py")
#: Where the sandbox's own files appear inside bubblewrap.
COURSE_INSIDE = "/course"
HOME_INSIDE = "/home/student"
LAUNCHER_INSIDE = "/sandbox/launch.py"

GIB = 2**30


class SandboxUnavailable(RuntimeError):
    """The isolation level asked for does not work on this machine (the message says why)."""


@dataclass(frozen=True)
class Limits:
    """What one notebook run may use.

    Parameters
    ----------
    seconds : float
        Wall-clock time for the whole notebook, kernel start included; the
        grader stops the kernel then. The CPU-time limit is set a minute above it.
    memory : int
        Address space of the kernel in bytes (``RLIMIT_AS``). numpy reports an
        allocation beyond it as a ``MemoryError`` in the cell that tried.
    open_files : int
        Open files and sockets (``RLIMIT_NOFILE``).
    file_size : int
        Largest file the kernel may write, in bytes (``RLIMIT_FSIZE``).
    processes : int
        Processes and threads of the kernel's user (``RLIMIT_NPROC``), applied only
        where the kernel runs as a user of its own (``nobody``): for any other user
        it would count that user's unrelated processes too.
    """

    seconds: float = 600.0
    memory: int = 4 * GIB
    open_files: int = 1024
    file_size: int = 1 * GIB
    processes: int = 512

    def __post_init__(self):
        for name in ("seconds", "memory", "open_files", "file_size", "processes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"Limits: {name} must be a positive number, got {value!r}")

    def rlimits(self, own_user: bool) -> dict[str, int]:
        """The resource limits for :mod:`classroom._launch`."""
        limits = {
            "memory": int(self.memory),
            "cpu_seconds": int(self.seconds) + 60,
            "open_files": int(self.open_files),
            "file_size": int(self.file_size),
            "core_size": 0,
        }
        if own_user:
            limits["processes"] = int(self.processes)
        return limits


@dataclass
class Sandbox:
    """One isolation level, ready to start kernels.

    Attributes
    ----------
    level : str
        One of :data:`LEVELS`.
    python : str
        The interpreter that runs the kernel (the grader's own environment).
    user : tuple of int or None
        ``(uid, gid)`` the kernel runs as, or None for the grader's own user.
    network : bool
        Whether the kernel can reach the network.
    notes : list of str
        Why stronger levels were not used (empty when the strongest works).
    """

    level: str
    python: str
    user: tuple[int, int] | None
    network: bool
    bwrap: str | None = None
    notes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------
    def describe(self) -> str:
        """One line: the level, whose user the kernel is, network or not."""
        who = "as the grader's own user" if self.user is None else f"as uid {self.user[0]}"
        if self.user is not None and self.user[0] == _nobody()[0]:
            who = "as 'nobody'"
        net = "with network" if self.network else "without network"
        return f"{self.level} (kernel {who}, {net})"

    def guarantees(self) -> list[str]:
        """What a hostile submission can and cannot do at this level, one sentence each."""
        common = (
            "Time, memory, open files, file size are limited; the notebook is re-run from a "
            "clean copy, never trusted from its saved outputs."
        )
        if self.level == "bubblewrap":
            own = (
                "It runs as 'nobody', without capabilities; its processes are limited."
                if self.user is not None
                else "It runs as the grader's own user, mapped into a user namespace."
            )
            return [
                "It sees only /usr, the Python environment and the course library without "
                "model answers (all read-only), its own folder and a private /tmp: not the "
                "repository, not the other submissions, not your home.",
                "It has no network, cannot see or signal other processes, and everything it "
                "starts ends with it.",
                own,
                common,
            ]
        if self.level == "unprivileged-user":
            return [
                "It runs as 'nobody' without network: it cannot write outside its folder and "
                "the world-writable /tmp, nor read files private to other users (~/.ssh).",
                "It CAN read every world-readable file, the repository's model answers "
                "included, and a process it leaves behind may outlive the run.",
                common,
            ]
        return [
            "NO ISOLATION: it runs as you and can read, change and delete whatever you can, "
            "and use the network. Grade only submissions you trust, or install bubblewrap.",
            common,
        ]

    # ------------------------------------------------------------------
    def prepare(self, *folders: Path) -> None:
        """Give the kernel's user its folders (root only: hand them to ``nobody``)."""
        if self.user is None:
            return
        uid, gid = self.user
        for folder in folders:
            for path in [folder, *folder.rglob("*")]:
                os.chown(path, uid, gid, follow_symlinks=False)

    def environment(self, home: str, course: str) -> dict[str, str]:
        """The kernel's whole environment: nothing of the grader's is passed on."""
        prefix = str(Path(self.python).parent)
        return {
            "HOME": home,
            "USER": "student",
            "LOGNAME": "student",
            "LANG": "C.UTF-8",
            "PATH": f"{prefix}:/usr/local/bin:/usr/bin:/bin",
            "PYTHONPATH": course,
            "PYTHONDONTWRITEBYTECODE": "1",
            "CNNLIB_DATA_DIR": f"{home}/.cnnlib-data",
            "MPLCONFIGDIR": f"{home}/.config/matplotlib",
            "IPYTHONDIR": f"{home}/.ipython",
            "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
            "JUPYTER_DATA_DIR": f"{home}/.local/share/jupyter",
            "JUPYTER_RUNTIME_DIR": f"{home}/.local/share/jupyter/runtime",
            "JUPYTER_PLATFORM_DIRS": "1",
            "TMPDIR": "/tmp" if self.level == "bubblewrap" else f"{home}/.tmp",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }

    def command(
        self, program: list[str], course: Path, work: Path, shared: Path, limits: Limits
    ) -> tuple[list[str], dict[str, str], str]:
        """How to start ``program`` in the sandbox.

        Parameters
        ----------
        program : list of str
            The command, e.g. the kernel's (``python -m ipykernel_launcher -f ...``).
        course : Path
            The course library without model answers (``cnnlib/`` and ``data/``).
        work : Path
            The submission's own folder: its home and working folder.
        shared : Path
            A folder the grader and the kernel share (the kernel's connection file
            and sockets), seen at the same path on both sides.
        limits : Limits

        Returns
        -------
        argv, env, cwd
            The command line, its environment and working folder, for the grader's side.
        """
        own_user = self.user is not None
        config = {"limits": limits.rlimits(own_user)}
        if own_user:
            config["user"] = list(self.user)
        if self.level != "bubblewrap":
            if not self.network:
                config["no_network"] = True
            env = self.environment(str(work), str(course))
            argv = [self.python, str(LAUNCHER), json.dumps(config), "--", *program]
            return argv, env, str(work)
        env = self.environment(HOME_INSIDE, COURSE_INSIDE)
        inner = [self.python, LAUNCHER_INSIDE, json.dumps(config), "--", *program]
        options = self._bwrap_options(course, work, shared, env)
        argv = [self.bwrap or "bwrap", *options, "--", *inner]
        return argv, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, str(work)

    def _bwrap_options(self, course: Path, work: Path, shared: Path, env: dict) -> list[str]:
        options = _Mounts()
        options.extend(
            [
                "--die-with-parent",
                "--new-session",
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-uts",
                "--unshare-cgroup-try",
                "--hostname",
                "sandbox",
            ]
        )
        if not self.network:
            options.append("--unshare-net")
        if os.geteuid() != 0:
            options.append("--unshare-user")
        else:  # the launcher inside drops from root to nobody: it needs these two, then none
            options.extend(["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"])
        options.system()
        for path in _python_paths(self.python):
            options.bind(path, path)
        options.extend(["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"])
        options.bind(course, COURSE_INSIDE)
        options.bind(LAUNCHER, LAUNCHER_INSIDE)
        identity = shared / "identity"
        if identity.is_dir():
            options.bind(identity / "passwd", "/etc/passwd")
            options.bind(identity / "group", "/etc/group")
        options.bind(work, HOME_INSIDE, writable=True)
        options.bind(shared, shared, writable=True)
        options.extend(["--chdir", HOME_INSIDE, "--clearenv"])
        for name, value in env.items():
            options.extend(["--setenv", name, value])
        return options

    def write_identity(self, shared: Path) -> None:
        """A minimal /etc/passwd and /etc/group naming the kernel's user ``student``
        (bubblewrap only: the machine's own files are not shown to the kernel)."""
        uid, gid = self.user if self.user is not None else (os.getuid(), os.getgid())
        folder = shared / "identity"
        folder.mkdir(exist_ok=True)
        (folder / "passwd").write_text(f"student:x:{uid}:{gid}:student:{HOME_INSIDE}:/bin/sh\n")
        (folder / "group").write_text(f"student:x:{gid}:\n")
        for path in (folder, folder / "passwd", folder / "group"):
            path.chmod(0o755 if path.is_dir() else 0o644)


class _Mounts(list):
    """bubblewrap options, creating each mount point's parent folders world-readable
    (bubblewrap would create them readable by root only, which ``nobody`` cannot cross)."""

    def __init__(self):
        super().__init__()
        self._folders: set[str] = {"/"}

    def _parents(self, target: str) -> None:
        parts = Path(target).parts
        for depth in range(2, len(parts)):
            folder = str(Path(*parts[:depth]))
            if folder not in self._folders:
                self._folders.add(folder)
                self.extend(["--perms", "0755", "--dir", folder])

    def bind(self, source, target, writable: bool = False) -> None:
        target = str(target)
        if target in self._folders:
            return
        self._parents(target)
        self._folders.add(target)
        self.extend(["--bind" if writable else "--ro-bind", str(source), target])

    def system(self) -> None:
        """``/usr`` read-only, the usual links to it, and the few files of /etc programs
        need to start (the dynamic linker's cache, time zone, fonts)."""
        self.bind("/usr", "/usr")
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = Path("/", name)
            if path.is_symlink():
                self.extend(["--symlink", os.readlink(path), str(path)])
                self._folders.add(str(path))
            elif path.is_dir():
                self.bind(path, path)
        for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts"):
            path = Path("/etc", name)
            if path.exists():
                self.bind(path.resolve(), path)


def _python_paths(python: str) -> list[str]:
    """The folders an interpreter needs (its environment and the installation it is
    made from), outside ``/usr``, each once."""
    script = (
        "import json, os, sys; print(json.dumps([sys.prefix, sys.exec_prefix, sys.base_prefix,"
        " sys.base_exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]))"
    )
    output = subprocess.run(
        [python, "-I", "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    paths: list[str] = []
    for path in json.loads(output):
        for candidate in {path, os.path.realpath(path)}:
            if candidate.startswith("/usr/") or candidate == "/usr":
                continue
            if not any(candidate == p or candidate.startswith(p + "/") for p in paths):
                paths = [p for p in paths if not p.startswith(candidate + "/")] + [candidate]
    return sorted(paths)


def _nobody() -> tuple[int, int]:
    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 65534, 65534


# ----------------------------------------------------------------------------
# which level works here
# ----------------------------------------------------------------------------
_PROBE = (
    "import json, os, cnnlib.exercises, ipykernel; "
    "print(json.dumps({'uid': os.getuid(), 'cnnlib': cnnlib.exercises.__file__}))"
)


def _candidate(level: str, python: str) -> Sandbox | str:
    """The sandbox of ``level`` if its tools are here, else why not."""
    root = os.geteuid() == 0
    if level == "bubblewrap":
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
        user = _nobody() if root else None
        return Sandbox(level, python, user, network=False, bwrap=bwrap)
    if level == "unprivileged-user":
        if not root:
            return "running as another user than nobody needs the grader to run as root"
        return Sandbox(level, python, _nobody(), network=False)
    return Sandbox("none", python, None, network=True)


def _probe(sandbox: Sandbox, course: Path) -> str | None:
    """Start Python the way a kernel would start; None if it works, else why not."""
    base = Path(tempfile.mkdtemp(prefix="cnn-probe-"))
    try:
        base.chmod(0o755)
        work, shared = base / "work", base / "shared"
        work.mkdir()
        shared.mkdir()
        (work / ".tmp").mkdir()
        if sandbox.level == "bubblewrap":
            sandbox.write_identity(shared)
        sandbox.prepare(work, shared)
        argv, env, cwd = sandbox.command(
            [sandbox.python, "-c", _PROBE], course, work, shared, Limits(seconds=60)
        )
        try:
            run = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=90)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"{sandbox.level}: could not start ({err})"
        if run.returncode != 0:
            last = (run.stderr.strip().splitlines() or ["no message"])[-1]
            return f"{sandbox.level}: the test start failed ({last})"
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        inside = COURSE_INSIDE if sandbox.level == "bubblewrap" else str(course)
        if not seen["cnnlib"].startswith(inside):
            return f"{sandbox.level}: the kernel imported {seen['cnnlib']}, not the course copy"
        if sandbox.user is not None and seen["uid"] != sandbox.user[0]:
            return f"{sandbox.level}: the kernel ran as uid {seen['uid']}"
        return None
    finally:
        shutil.rmtree(base, ignore_errors=True)


def detect(course: Path, want: str = "auto", python: str | None = None) -> Sandbox:
    """The strongest isolation that works here (or exactly ``want``).

    Each level is tried by starting Python in it the way a kernel starts and
    importing the course library from ``course``. Run as root, "auto" never falls
    back to "none" (a notebook would run as root): only ``want="none"`` allows it.

    Parameters
    ----------
    course : Path
        The course library the kernels will use (``cnnlib/`` and ``data/``, no answers).
    want : str
        "auto" (the strongest that works), or one of :data:`LEVELS` to insist on it.
    python : str, optional
        The kernel's interpreter; by default the one running the grader.

    Raises
    ------
    SandboxUnavailable
        ``want`` names a level that does not work here (the message says why).
    """
    if want != "auto" and want not in LEVELS:
        raise ValueError(
            f"isolation={want!r} is not a level; use 'auto' or one of {', '.join(LEVELS)}"
        )
    python = python or sys.executable
    levels = LEVELS if want == "auto" else (want,)
    notes: list[str] = []
    for level in levels:
        if level == "none" and want == "auto" and os.geteuid() == 0:
            notes.append(
                "none: refused as root, where a notebook could do anything to this machine "
                "(install bubblewrap, or pass --isolation none to run them anyway)"
            )
            break
        candidate = _candidate(level, python)
        if isinstance(candidate, str):
            notes.append(f"{level}: {candidate}")
            continue
        problem = _probe(candidate, course)
        if problem is None:
            candidate.notes = notes
            return candidate
        notes.append(problem)
    raise SandboxUnavailable(
        f"isolation {want!r} does not work here: " + "; ".join(notes)
        if want != "auto"
        else "no way to run a kernel works here: " + "; ".join(notes)
    )


def as_dict(sandbox: Sandbox) -> dict:
    """The sandbox as plain data, for the grading report."""
    data = asdict(sandbox)
    data["description"] = sandbox.describe()
    data["guarantees"] = sandbox.guarantees()
    return data
