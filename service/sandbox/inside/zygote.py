"""The zygote: confines itself (see confine.py), imports numpy (and torch), then forks per job.

Protocol on fd 0/1 (length-prefixed frames): the zygote sends a ready header; then for each
job it reads a JSON header (limits, body length) and forks; the child reads the body (source +
calls) straight from fd 0, so no student's code or inputs ever sit in the zygote's memory for
a later child to find. The zygote answers with a JSON header (status, leftover processes) and
the child's result bytes. After each job it kills every other process it can signal in its pid
namespace, reaps them (it is a subreaper, so orphans come back to it) and wipes the scratch.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import shutil
import signal
import sys
import time
from typing import Any

from .confine import ConfinementError, confine

SCRATCH = ("/tmp", "/dev/shm")


def _die(message: str) -> None:
    os.write(2, f"zygote: {message}\n".encode())
    os._exit(70)


def _read_exact(fd: int, size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _child(limits: dict[str, Any], result_fd: int) -> None:
    """In the forked child: read the job from the host, isolate fds, apply rlimits, run it."""
    body = _read_exact(0, int(limits["body_len"]))
    os.dup2(result_fd, 3)
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(4, 1 << 16)
    mem = int(limits["mem"]) + _address_space()
    for res, value in (
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_CPU, int(limits["cpu"])),
        (resource.RLIMIT_FSIZE, int(limits["result_cap"])),
        (resource.RLIMIT_NOFILE, int(limits["nofile"])),
        (resource.RLIMIT_NPROC, int(limits["nproc"])),
        (resource.RLIMIT_AS, mem),
    ):
        resource.setrlimit(res, (value, value))
    os.makedirs("/tmp/job", exist_ok=True)
    os.chdir("/tmp/job")
    from . import driver

    _write_all(3, driver.run_job(body, int(limits["stdout_cap"])))


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _wait_exit(pid: int, deadline: float) -> bool:
    """True if the child exited before the deadline."""
    pidfd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([pidfd], [], [], max(0.0, deadline - time.monotonic()))
        return bool(ready)
    finally:
        os.close(pidfd)


def _kill_all(child: int) -> tuple[int, str]:
    """SIGKILL every process we can signal (not pid 1, not us); reap all; count extras."""
    extras, child_status = 0, "unknown"
    while True:
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return extras, child_status
        if pid == child:
            if os.WIFSIGNALED(status):
                child_status = f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
            else:
                child_status = f"exit {os.WEXITSTATUS(status)}"
        else:
            extras += 1


def _wipe() -> bool:
    clean = True
    for top in SCRATCH:
        for name in os.listdir(top):
            path = os.path.join(top, name)
            for root, dirs, _files in os.walk(path):
                for d in dirs:
                    with contextlib.suppress(OSError):
                        os.chmod(os.path.join(root, d), 0o700)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)
        clean = clean and not os.listdir(top)
    return clean


def _job(limits: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Fork a child for one job; the job's data never passes through this process's memory:
    the child reads its body from fd 0 and writes results into a memfd sent on by sendfile."""
    result_fd = os.memfd_create("result", 0)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            _child(limits, result_fd)
        finally:
            os._exit(0)
    exited = _wait_exit(pid, started + float(limits["timeout"]))
    extras, child_status = _kill_all(pid)
    size = os.fstat(result_fd).st_size
    if not exited:
        status = "timeout"
    elif size > int(limits["result_cap"]):
        status = "too_large"
    elif size == 0 or child_status != "exit 0":
        status = "no_result"
    else:
        status = "done"
    header = {"status": status, "child": child_status, "leftover": extras,
              "clean": _wipe(), "seconds": time.monotonic() - started,
              "result_len": size if status == "done" else 0}
    return header, result_fd


def main() -> None:
    """Entry point (see bwrap.BOOTSTRAP): argv = [flavor, uid, fd of the full seccomp filter]."""
    flavor, uid, filter_fd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    try:
        confine(uid, filter_fd)
    except (ConfinementError, OSError, KeyError, ValueError) as exc:
        _die(f"confinement failed: {exc}")
    import numpy  # noqa: F401  (warm import: forked children share it)

    if flavor == "torch":
        import torch

        torch.set_num_threads(1)
    from . import driver  # noqa: F401

    ready = json.dumps({"ready": True, "flavor": flavor}).encode()
    _write_all(1, len(ready).to_bytes(4, "big") + ready)
    while True:
        try:
            limits = json.loads(_read_exact(0, int.from_bytes(_read_exact(0, 4), "big")))
        except EOFError:
            os._exit(0)
        header, result_fd = _job(limits)
        raw = json.dumps(header).encode()
        _write_all(1, len(raw).to_bytes(4, "big") + raw)
        _write_all(1, int(header["result_len"]).to_bytes(4, "big"))
        offset, left = 0, int(header["result_len"])
        while left > 0:
            sent = os.sendfile(1, result_fd, offset, left)
            if sent <= 0:
                os._exit(71)
            offset, left = offset + sent, left - sent
        os.close(result_fd)
