"""One cgroup per sandbox: a memory and a pids limit on the whole bwrap process tree.

RLIMIT_AS bounds each process and RLIMIT_NPROC their count, but not their product; the cgroup
bounds the total (zygote included). Works with cgroup v2 (``memory.max``, ``pids.max``,
``cgroup.kill``) and with v1 ``memory`` + ``pids`` hierarchies (``memory.limit_in_bytes``,
``pids.max``). Sandbox cgroups are created below the service's own cgroup (or below
``parent``, a path relative to each hierarchy's root) and named after the sandbox uid, which
the pool holds exclusively, so an existing one is a leftover of a crash and is cleared first.
This layer is used when the host offers it; without it the rlimits still apply.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass

NAME_PREFIX = "grader-sandbox-"


class CgroupUnavailable(RuntimeError):
    """The host offers no usable memory + pids cgroup controllers (message says why)."""


@dataclass(frozen=True, slots=True)
class CgroupStats:
    """What a sandbox's cgroup saw over its life (read just before removal)."""

    name: str
    limit_bytes: int
    peak_bytes: int
    limit_hits: int  # allocations refused or reclaimed at the limit (v1 failcnt, v2 "max")
    oom_kills: int


@dataclass(frozen=True, slots=True)
class CgroupLayout:
    """Where sandbox cgroups go: version 2 (one dir) or 1 (a memory dir and a pids dir)."""

    version: int
    memory_dir: str
    pids_dir: str

    def describe(self) -> str:
        """Short human description for /health."""
        return f"cgroup v{self.version} memory+pids under {self.memory_dir}"


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(hierarchy root, mount point, fstype, super options) of each cgroup mount."""
    out = []
    with open("/proc/self/mountinfo") as info:
        for line in info:
            left, _, right = line.partition(" - ")
            fields, tail = left.split(), right.split()
            if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
                out.append((fields[3], fields[4], tail[0], set(tail[2].split(","))))
    return out


def _own_paths() -> dict[str, str]:
    """Controller (or "" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    out = {}
    with open("/proc/self/cgroup") as cg:
        for line in cg:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                out[name] = path
    return out


def _join(mount: str, root: str, path: str) -> str:
    rel = os.path.relpath(path, root) if path.startswith(root) else path.lstrip("/")
    return os.path.normpath(os.path.join(mount, rel))


def _read(path: str) -> str:
    with open(path) as fh:
        return fh.read()


def _write(path: str, value: str) -> None:
    with open(path, "w") as fh:
        fh.write(value)


def detect(parent: str = "") -> CgroupLayout:
    """Find writable memory + pids controllers (CgroupUnavailable with the reason if none)."""
    if os.geteuid() != 0:
        raise CgroupUnavailable("cgroups need root")
    mounts, own = _mounts(), _own_paths()
    v1 = {c: (root, mnt) for root, mnt, kind, opts in mounts if kind == "cgroup"
          for c in ("memory", "pids") if c in opts}
    if "memory" in v1 and "pids" in v1:
        dirs = []
        for c in ("memory", "pids"):
            root, mnt = v1[c]
            dirs.append(_join(mnt, root, "/" + parent.strip("/") if parent else own.get(c, "/")))
        if all(os.access(d, os.W_OK) for d in dirs):
            return CgroupLayout(1, dirs[0], dirs[1])
        raise CgroupUnavailable(f"cgroup v1 directories not writable: {dirs}")
    for root, mnt, kind, _ in mounts:
        if kind != "cgroup2":
            continue
        base = _join(mnt, root, "/" + parent.strip("/") if parent else own.get("", "/"))
        try:
            available = _read(os.path.join(base, "cgroup.controllers")).split()
        except OSError:
            continue
        if "memory" not in available or "pids" not in available:
            continue
        enabled = _read(os.path.join(base, "cgroup.subtree_control")).split()
        if "memory" not in enabled or "pids" not in enabled:
            try:
                _write(os.path.join(base, "cgroup.subtree_control"), "+memory +pids")
            except OSError as exc:
                raise CgroupUnavailable(
                    f"cannot enable memory+pids below {base} ({os.strerror(exc.errno or 0)}); "
                    "give the service a delegated cgroup (SandboxOptions.cgroup_parent)"
                ) from exc
        return CgroupLayout(2, base, base)
    raise CgroupUnavailable("no memory and pids cgroup controllers are mounted")


class Cgroup:
    """The cgroup of one sandbox: create with limits, join (pre-exec), kill all and remove."""

    def __init__(
        self, layout: CgroupLayout, name: str, memory_bytes: int, pids: int, *, create: bool = True
    ) -> None:
        self.layout = layout
        self.name = name
        self.limit = memory_bytes
        self.dirs = sorted({os.path.join(layout.memory_dir, name),
                            os.path.join(layout.pids_dir, name)})
        self._mem = os.path.join(layout.memory_dir, name)
        self._pids = os.path.join(layout.pids_dir, name)
        self.destroy()  # a leftover of a crashed service holding the same uid
        if not create:
            return
        for d in self.dirs:
            os.mkdir(d, 0o700)
        try:
            if layout.version == 2:
                self._limit(self._mem, "memory.max", str(memory_bytes))
                self._limit(self._mem, "memory.swap.max", "0", optional=True)
            else:
                self._limit(self._mem, "memory.limit_in_bytes", str(memory_bytes))
                self._limit(self._mem, "memory.memsw.limit_in_bytes", str(memory_bytes),
                            optional=True)
            self._limit(self._pids, "pids.max", str(pids))
        except OSError:
            self.destroy()
            raise

    @classmethod
    def remove_stale(cls, layout: CgroupLayout, name: str) -> None:
        """Kill what is left in a sandbox cgroup nobody owns any more and remove it."""
        cls(layout, name, 0, 0, create=False)

    @staticmethod
    def _limit(d: str, key: str, value: str, *, optional: bool = False) -> None:
        path = os.path.join(d, key)
        if optional and not os.path.exists(path):
            return
        _write(path, value)

    def open_procs(self) -> list[int]:
        """Write-only fds on each ``cgroup.procs``: writing "0" moves the writer in."""
        return [os.open(os.path.join(d, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC)
                for d in self.dirs]

    def pids(self) -> set[int]:
        """Host pids of every process in the sandbox's cgroup(s)."""
        found: set[int] = set()
        for d in self.dirs:
            with contextlib.suppress(FileNotFoundError):
                found.update(int(p) for p in _read(os.path.join(d, "cgroup.procs")).split())
        return found

    def stats(self) -> CgroupStats:
        """Peak memory and limit hits so far."""
        def num(key: str) -> int:
            try:
                return int(_read(os.path.join(self._mem, key)).split()[0])
            except (OSError, ValueError, IndexError):
                return 0

        if self.layout.version == 2:
            events = {}
            with contextlib.suppress(OSError):
                events = dict(line.split() for line in _read(
                    os.path.join(self._mem, "memory.events")).splitlines() if line.strip())
            return CgroupStats(self.name, self.limit, num("memory.peak"),
                               int(events.get("max", 0)), int(events.get("oom_kill", 0)))
        oom = {}
        with contextlib.suppress(OSError):
            oom = dict(line.split() for line in _read(
                os.path.join(self._mem, "memory.oom_control")).splitlines() if line.strip())
        return CgroupStats(self.name, self.limit, num("memory.max_usage_in_bytes"),
                           num("memory.failcnt"), int(oom.get("oom_kill", 0)))

    def kill_all(self) -> None:
        """SIGKILL every process in the cgroup (v2 ``cgroup.kill``, else one by one)."""
        kill_file = os.path.join(self._pids, "cgroup.kill")
        if self.layout.version == 2 and os.path.exists(kill_file):
            with contextlib.suppress(OSError):
                _write(kill_file, "1")
        for pid in self.pids():
            try:
                pidfd = os.pidfd_open(pid)  # pins the pid: it cannot be reused while open
            except OSError:
                continue
            try:
                if pid in self.pids():
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            except OSError:
                pass
            finally:
                os.close(pidfd)

    def destroy(self, timeout_s: float = 10.0) -> bool:
        """Kill everything inside and remove the cgroup; False if it could not be removed."""
        end = time.monotonic() + timeout_s
        for d in self.dirs:
            while os.path.isdir(d):
                self.kill_all()
                try:
                    os.rmdir(d)
                except OSError as exc:
                    if exc.errno not in (errno.EBUSY, errno.ENOTEMPTY):
                        raise
                    if time.monotonic() > end:
                        return False
                    time.sleep(0.01)
        return True
