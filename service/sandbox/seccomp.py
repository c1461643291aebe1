"""The two stacked seccomp filters of a sandbox.

The full filter is default allow with a deny list: no sockets of any family (torch and numpy do
not need one), no tracing, no mounts or namespaces, no kernel-level facilities (bpf, perf,
keyrings, modules, kexec, io_uring, userfaultfd). clone() with namespace flags is refused;
clone3() answers ENOSYS so libc falls back to the filterable clone(). Other architectures are
killed.

bubblewrap loads the bootstrap filter: the same, except that ``unshare`` is allowed when its
flags argument is exactly CLONE_NEWUSER, so the zygote can enter its own user namespace. The
zygote then stacks the full filter (read from a second fd) before it imports anything or reads a
job; stacked filters all run and the most restrictive answer wins, so student code can never
call ``unshare``.
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass

DENIED_SYSCALLS: tuple[str, ...] = (
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "kexec_load", "kexec_file_load", "reboot", "init_module", "finit_module", "delete_module",
    "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd",
    "open_by_handle_at", "name_to_handle_at", "syslog", "acct", "quotactl",
    "swapon", "swapoff", "sethostname", "setdomainname", "settimeofday", "clock_settime",
    "clock_adjtime", "adjtimex", "iopl", "ioperm", "vhangup", "uselib", "lookup_dcookie",
    "personality", "fanotify_init", "seccomp",
)

CLONE_NEWUSER = 0x10000000
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME
_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, CLONE_NEWUSER, 0x20000000,
                    0x40000000, 0x00000080)


class SeccompUnavailable(RuntimeError):
    """The filter cannot be built (pyseccomp or libseccomp missing)."""


@dataclass(frozen=True, slots=True)
class SeccompFilters:
    """Raw BPF of the bootstrap filter (bwrap loads it) and the full one (the zygote stacks it)."""

    bootstrap: bytes
    full: bytes


def _compile(allow_userns: bool) -> bytes:
    try:
        import pyseccomp as sc
    except (ImportError, OSError) as exc:  # OSError: libseccomp.so not found
        raise SeccompUnavailable(f"pyseccomp/libseccomp not usable: {exc}") from exc
    try:
        filt = sc.SyscallFilter(sc.ALLOW)
        deny = sc.ERRNO(errno.EPERM)
        for name in DENIED_SYSCALLS:
            if allow_userns and name == "unshare":
                # the whole 64-bit register must equal CLONE_NEWUSER, nothing more
                filt.add_rule(deny, name, sc.Arg(0, sc.NE, CLONE_NEWUSER))
                continue
            try:
                filt.add_rule(deny, name)
            except (ValueError, RuntimeError, OSError):
                continue  # syscall unknown on this architecture
        for flag in _NAMESPACE_FLAGS:
            filt.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
        filt.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
        with tempfile.TemporaryFile() as handle:
            filt.export_bpf(handle)
            handle.seek(0)
            blob = handle.read()
    except (RuntimeError, OSError, ValueError, AttributeError) as exc:
        raise SeccompUnavailable(f"cannot build the seccomp filter: {exc}") from exc
    if not blob or len(blob) % 8:
        raise SeccompUnavailable("the seccomp filter compiled to nothing usable")
    return blob


def build_filter_bpf() -> bytes:
    """Compile the full deny-list filter (no ``unshare`` at all) to raw BPF."""
    return _compile(allow_userns=False)


def build_filters() -> SeccompFilters:
    """Compile both filters: the bootstrap one for ``bwrap --seccomp`` and the full one."""
    return SeccompFilters(bootstrap=_compile(allow_userns=True), full=build_filter_bpf())


def filter_fd(blob: bytes) -> int:
    """A fresh readable memfd holding ``blob`` (the reader closes its copy)."""
    fd = os.memfd_create("sandbox-seccomp", 0)
    os.write(fd, blob)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
