"""Warm pool of zygotes per flavor ("numpy", "torch"), refilled by a background thread."""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import shutil
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from service.sandbox.bwrap import SandboxPaths, build_command
from service.sandbox.cgroup import (
    NAME_PREFIX,
    Cgroup,
    CgroupLayout,
    CgroupStats,
    CgroupUnavailable,
    detect,
)
from service.sandbox.process import Zygote, ZygoteFailure
from service.sandbox.seccomp import SeccompFilters, filter_fd

log = logging.getLogger(__name__)
FLAVORS = ("numpy", "torch")
_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    """Limits and knobs of the sandbox (defaults suit the course's code parts)."""

    uid_base: int = 61000
    uid_count: int = 1000
    memory_bytes: int = 1 << 30  # address space a job may add on top of the zygote's
    tmp_bytes: int = 64 << 20
    fsize_bytes: int = 16 << 20
    nofile: int = 64
    nproc: int = 48
    result_cap: int = 32 << 20
    request_cap: int = 64 << 20
    stdout_cap: int = 4000
    source_cap: int = 100_000
    max_jobs: int = 100  # recycle a zygote after this many jobs
    grace_s: float = 3.0  # host backstop beyond the job's own timeout
    startup_timeout_s: float = 90.0
    prewarm: tuple[str, ...] = ("numpy",)
    cgroups: bool = True  # per-sandbox cgroup when the host offers memory + pids controllers
    cgroup_memory_bytes: int = 2 << 30  # whole sandbox: bwrap, zygote, every job process
    cgroup_pids: int = 64  # processes + threads of the whole sandbox
    cgroup_parent: str = ""  # "" = below the service's own cgroup; else relative to the root
    paths: SandboxPaths = field(default_factory=SandboxPaths)


def copy_driver(target: str) -> None:
    """Copy the in-sandbox package and the public harnesses (plain .py files only)."""
    os.chmod(target, 0o755)
    for sub in ("inside", "harnesses"):
        dest = Path(target, sub)
        dest.mkdir(mode=0o755)
        for src in sorted((_HERE / sub).glob("*.py")):
            if src.is_symlink() or not src.is_file():
                continue
            shutil.copyfile(src, dest / src.name)
            os.chmod(dest / src.name, 0o644)
        init = dest / "__init__.py"
        if not init.exists():
            init.write_text("")
            os.chmod(init, 0o644)


def _host_uids(base: int, count: int) -> set[int]:
    """Uids in [base, base + count) that own a process on the host right now."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                uid = os.stat(f"/proc/{entry}").st_uid
            except OSError:
                continue
            if base <= uid < base + count:
                found.add(uid)
    return found


def _lock_uid(uid: int) -> int | None:
    """Hold an exclusive lock on ``uid`` across processes (None if another runner has it)."""
    base = "/run/grader-sandbox" if os.access("/run", os.W_OK) else tempfile.gettempdir()
    os.makedirs(base, mode=0o700, exist_ok=True)
    fd = os.open(os.path.join(base, f"uid-{uid}.lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW,
                 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _sweep_cgroups(layout: CgroupLayout) -> None:
    """Remove sandbox cgroups left by a service that died: those whose uid lock is free."""
    for parent in {layout.memory_dir, layout.pids_dir}:
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            uid = name.removeprefix(NAME_PREFIX)
            if not (name.startswith(NAME_PREFIX) and uid.isdigit()):
                continue
            lock = _lock_uid(int(uid))
            if lock is None:
                continue  # a live sandbox of some runner
            try:
                Cgroup.remove_stale(layout, name)
            except OSError as exc:
                log.warning("cannot remove stale sandbox cgroup %s: %s", name, exc)
            finally:
                os.close(lock)


class ZygotePool:
    """Idle zygotes by flavor; `acquire` pops one (or starts one cold), `release` recycles."""

    def __init__(self, workers: int, options: SandboxOptions, filters: SeccompFilters) -> None:
        self.options = options
        self._filters = filters
        self._driver_dir = tempfile.mkdtemp(prefix="sandbox-driver-")
        copy_driver(self._driver_dir)
        self._cond = threading.Condition()
        self._idle: dict[str, list[Zygote]] = {f: [] for f in FLAVORS}
        self._starting: dict[str, int] = dict.fromkeys(FLAVORS, 0)
        self._target: dict[str, int] = {f: workers if f in options.prewarm else 0 for f in FLAVORS}
        self._workers = workers
        self._uids: set[int] = set()
        self.uids_used: set[int] = set()  # every uid this pool ever ran a zygote as
        self._next_uid = 0
        self._closed = False
        self.cgroup_layout: CgroupLayout | None = None
        self.cgroup_note = "cgroups disabled (SandboxOptions.cgroups)"
        if options.cgroups:
            try:
                self.cgroup_layout = detect(options.cgroup_parent)
                self.cgroup_note = ""
            except (CgroupUnavailable, OSError) as exc:
                self.cgroup_note = f"no per-sandbox memory/pids cgroup: {exc}"
        self.cgroup_history: deque[CgroupStats] = deque(maxlen=64)  # of discarded sandboxes
        if self.cgroup_layout is not None:
            _sweep_cgroups(self.cgroup_layout)
        atexit.register(self.close)  # zygotes die with us; their cgroups must go too
        self._thread = threading.Thread(target=self._fill, name="sandbox-pool", daemon=True)

    def start_background(self) -> None:
        """Start keeping the pool warm."""
        self._thread.start()

    def _take_uid(self) -> tuple[int, int]:
        """A uid no other sandbox on this host holds: (uid, fd of its held lock file)."""
        busy = _host_uids(self.options.uid_base, self.options.uid_count)
        with self._cond:
            for _ in range(self.options.uid_count):
                uid = self.options.uid_base + self._next_uid
                self._next_uid = (self._next_uid + 1) % self.options.uid_count
                if uid in self._uids or uid in busy:
                    continue
                lock = _lock_uid(uid)
                if lock is not None:
                    self._uids.add(uid)
                    self.uids_used.add(uid)
                    return uid, lock
        raise ZygoteFailure("no free sandbox uid")

    def spawn(self, flavor: str) -> Zygote:
        """Start one zygote and wait until it is ready (ZygoteFailure if it cannot start)."""
        uid, lock = self._take_uid()
        cgroup: Cgroup | None = None
        try:
            if self.cgroup_layout is not None:
                cgroup = Cgroup(self.cgroup_layout, f"{NAME_PREFIX}{uid}",
                                self.options.cgroup_memory_bytes, self.options.cgroup_pids)
            fds = (filter_fd(self._filters.bootstrap), filter_fd(self._filters.full))
            argv = build_command(self.options.paths, self._driver_dir, *fds, flavor=flavor,
                                 uid=uid, tmp_bytes=self.options.tmp_bytes)
            zygote = Zygote(argv, fds, flavor=flavor, uid=uid, lock_fd=lock, cgroup=cgroup)
        except OSError:
            if cgroup is not None:
                cgroup.destroy()
            os.close(lock)
            self._free_uid(uid)
            raise
        try:
            zygote.wait_ready(self.options.startup_timeout_s)
        except ZygoteFailure:
            self._record(zygote)
            self._free_uid(uid)
            raise
        return zygote

    def _record(self, zygote: Zygote) -> None:
        stats = zygote.final_stats
        if stats is not None:
            self.cgroup_history.append(stats)
            if stats.limit_hits or stats.oom_kills:
                log.info("sandbox %s hit its memory limit (peak %d bytes, %d OOM kills)",
                         stats.name, stats.peak_bytes, stats.oom_kills)

    def _free_uid(self, uid: int) -> None:
        with self._cond:
            self._uids.discard(uid)

    def acquire(self, flavor: str) -> Zygote:
        """A ready zygote of ``flavor``: a warm one if any, else a cold start."""
        with self._cond:
            self._target[flavor] = max(self._target[flavor], self._workers)
            while self._idle[flavor]:
                zygote = self._idle[flavor].pop()
                if zygote.alive():
                    self._cond.notify_all()
                    return zygote
                self._discard_locked(zygote)
            self._cond.notify_all()
        return self.spawn(flavor)

    def release(self, zygote: Zygote, healthy: bool) -> None:
        """Return a healthy zygote to the pool; kill a misbehaved or worn-out one."""
        keep = healthy and zygote.jobs < self.options.max_jobs and zygote.alive()
        with self._cond:
            if keep and not self._closed:
                self._idle[zygote.flavor].append(zygote)
                return
        self.discard(zygote)

    def discard(self, zygote: Zygote) -> None:
        """Kill a zygote, remove its cgroup and free its uid."""
        zygote.kill()
        self._record(zygote)
        self._free_uid(zygote.uid)
        with self._cond:
            self._cond.notify_all()

    def _discard_locked(self, zygote: Zygote) -> None:
        zygote.kill()
        self._record(zygote)
        self._uids.discard(zygote.uid)

    def _wanted(self) -> str | None:
        for flavor in FLAVORS:
            if len(self._idle[flavor]) + self._starting[flavor] < self._target[flavor]:
                return flavor
        return None

    def _fill(self) -> None:
        while True:
            with self._cond:
                while not self._closed and self._wanted() is None:
                    self._cond.wait(timeout=5.0)
                if self._closed:
                    return
                flavor = self._wanted()
                assert flavor is not None
                self._starting[flavor] += 1
            zygote: Zygote | None = None
            try:
                zygote = self.spawn(flavor)
            except (ZygoteFailure, OSError) as exc:
                log.warning("sandbox warm-up failed: %s", exc)
            with self._cond:
                self._starting[flavor] -= 1
                if zygote is not None and not self._closed:
                    self._idle[flavor].append(zygote)
                    continue
                if zygote is None and not self._closed:
                    self._cond.wait(timeout=5.0)  # back off before trying again
            if zygote is not None:
                self.discard(zygote)

    def close(self) -> None:
        """Kill every idle zygote, stop refilling and remove the driver copy."""
        atexit.unregister(self.close)
        with self._cond:
            self._closed = True
            idle = [z for zs in self._idle.values() for z in zs]
            for zs in self._idle.values():
                zs.clear()
            self._cond.notify_all()
        for zygote in idle:
            self.discard(zygote)
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        shutil.rmtree(self._driver_dir, ignore_errors=True)
