"""Start a program under the sandbox's limits: the first step of a graded kernel.

    python _launch.py '{"limits": {...}, "user": [uid, gid], "no_network": true}' -- PROGRAM ARGS...

In this order: leave the network (a network namespace of its own, root only),
set the resource limits, switch to the given user (root only) and replace
itself with PROGRAM. It uses the standard library only, because at the
``bubblewrap`` level it runs inside the sandbox, where nothing else of the
grader exists. See :mod:`classroom.sandbox` for what each setting protects.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

CLONE_NEWNET = 0x40000000

#: limit name in the configuration -> resource constant
RLIMITS = {
    "memory": resource.RLIMIT_AS,
    "cpu_seconds": resource.RLIMIT_CPU,
    "open_files": resource.RLIMIT_NOFILE,
    "file_size": resource.RLIMIT_FSIZE,
    "processes": resource.RLIMIT_NPROC,
    "core_size": resource.RLIMIT_CORE,
}


def leave_network() -> None:
    """Move this process into a network namespace of its own (no interface is up)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"unshare(CLONE_NEWNET): {os.strerror(error)}")


def set_limits(limits: dict[str, int]) -> None:
    """Lower each soft and hard limit to the value given (never raise one)."""
    for name, value in limits.items():
        which = RLIMITS[name]
        soft, hard = resource.getrlimit(which)
        value = int(value)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def become(uid: int, gid: int) -> None:
    """Drop every group and become ``uid``/``gid`` for good (real, effective, saved)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:  # pragma: no cover - the kernel refused
        raise OSError(f"could not become user {uid}")


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--":
        raise SystemExit("usage: _launch.py CONFIG_JSON -- PROGRAM [ARGS...]")
    config = json.loads(argv[0])
    program = argv[2:]
    if config.get("no_network"):
        leave_network()
    limits = dict(config.get("limits", {}))
    user = config.get("user")
    processes = limits.pop("processes", None)
    set_limits(limits)
    if user is not None:
        if processes is not None:  # counted per user: meaningful for a user of its own only
            set_limits({"processes": processes})
        become(int(user[0]), int(user[1]))
    try:
        os.execvp(program[0], program)
    except OSError as err:
        who = f"uid {os.getuid()}"
        sys.stderr.write(
            f"_launch.py: cannot start {program[0]} as {who}: {err.strerror} "
            "(is it in a folder that user may not enter, such as /root?)\n"
        )
        raise SystemExit(126) from None


if __name__ == "__main__":
    main(sys.argv[1:])
