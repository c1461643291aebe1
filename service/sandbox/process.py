"""Host-side handle on one sandboxed zygote process (a bwrap process group)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import Any

from service.sandbox.cgroup import Cgroup, CgroupStats
from service.sandbox.inside import wire

log = logging.getLogger(__name__)
HEADER_CAP = 1 << 16
HOST_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}  # bwrap itself never sees our secrets


class ZygoteFailure(RuntimeError):
    """The zygote died, hung or broke the protocol; it must be discarded."""


def _joiner(procs_fds: list[int]) -> Callable[[], None] | None:
    """A pre-exec hook moving the forked bwrap into the sandbox's cgroup before it runs.

    Only raw writes to fds opened beforehand: nothing that could take a lock held by another
    thread of the parent at fork time.
    """
    if not procs_fds:
        return None

    def join() -> None:
        for fd in procs_fds:
            os.write(fd, b"0")

    return join


class Zygote:
    """A started sandbox: send jobs, read results, kill the whole process tree."""

    def __init__(
        self,
        argv: list[str],
        filter_fds: tuple[int, ...],
        *,
        flavor: str,
        uid: int,
        lock_fd: int,
        cgroup: Cgroup | None = None,
    ) -> None:
        self.flavor = flavor
        self.uid = uid
        self._lock_fd = lock_fd  # flock on the uid, held until the sandbox is dead
        self.cgroup = cgroup
        self.final_stats: CgroupStats | None = None
        self.jobs = 0
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the zygote)
        procs = cgroup.open_procs() if cgroup is not None else []
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                pass_fds=filter_fds,
                start_new_session=True,
                env=HOST_ENV,
                preexec_fn=_joiner(procs),  # raw writes only, see _joiner
            )
        except subprocess.SubprocessError as exc:  # the pre-exec hook failed
            self._stderr.close()
            raise OSError(f"cannot place the sandbox in its cgroup: {exc}") from exc
        finally:
            for fd in filter_fds:
                os.close(fd)
            for fd in procs:
                os.close(fd)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in = self.proc.stdin.fileno()
        self._out = self.proc.stdout.fileno()

    def wait_ready(self, timeout_s: float) -> dict[str, Any]:
        """Block until the zygote announces itself; ZygoteFailure with its stderr if not."""
        try:
            ready = json.loads(self._read_frame(time.monotonic() + timeout_s, HEADER_CAP))
        except (ZygoteFailure, ValueError) as exc:
            detail = self.stderr_tail()
            self.kill()
            raise ZygoteFailure(f"sandbox did not start ({exc}): {detail}") from exc
        if not isinstance(ready, dict) or ready.get("ready") is not True:
            self.kill()
            raise ZygoteFailure("sandbox sent a bad ready message")
        return ready

    def stderr_tail(self) -> str:
        """Last lines bwrap or the bootstrap wrote (diagnostics for start-up failures)."""
        self._stderr.seek(0, os.SEEK_END)
        size = self._stderr.tell()
        self._stderr.seek(max(0, size - 2000))
        return self._stderr.read().decode("utf-8", "replace").strip()

    def request(
        self, limits: dict[str, Any], body: bytes, deadline: float, result_cap: int
    ) -> tuple[dict[str, Any], bytes]:
        """Send one job and read (header, raw result); ZygoteFailure on death or deadline."""
        self.jobs += 1
        head = json.dumps({**limits, "body_len": len(body)}).encode()
        self._write(wire.frame(head) + body, deadline)  # the child reads the body itself
        try:
            header = json.loads(self._read_frame(deadline, HEADER_CAP))
        except ValueError as exc:
            raise ZygoteFailure("sandbox sent a bad header") from exc
        if not isinstance(header, dict):
            raise ZygoteFailure("sandbox sent a bad header")
        return header, self._read_frame(deadline, result_cap)

    def _write(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        os.set_blocking(self._in, False)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ZygoteFailure("timed out sending the job")
            _, ready, _ = select.select([], [self._in], [], left)
            if ready:
                try:
                    view = view[os.write(self._in, view):]
                except BlockingIOError:
                    continue
                except OSError as exc:
                    raise ZygoteFailure("sandbox died") from exc

    def _read_exact(self, size: int, deadline: float) -> bytes:
        chunks: list[bytes] = []
        while size > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ZygoteFailure("timeout")
            ready, _, _ = select.select([self._out], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._out, min(size, 1 << 20))
            if not chunk:
                raise ZygoteFailure("sandbox died")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _read_frame(self, deadline: float, cap: int) -> bytes:
        size = wire.frame_length(self._read_exact(4, deadline))
        if size > cap:
            raise ZygoteFailure("sandbox sent too much data")
        return self._read_exact(size, deadline)

    def alive(self) -> bool:
        """True while the bwrap process is running."""
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the cgroup and the bwrap process group, then remove the cgroup."""
        if self.cgroup is not None:
            self.cgroup.kill_all()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # --die-with-parent takes the pid ns down
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        if self.cgroup is not None and self.final_stats is None:
            self.final_stats = self.cgroup.stats()
            if not self.cgroup.destroy():
                log.warning("sandbox cgroup %s could not be removed", self.cgroup.name)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self._stderr.close()
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1
