"""The seccomp filter loaded by bubblewrap before the sandboxed interpreter starts.

Default allow, with a deny list: no sockets of any family (torch and numpy do not need one),
no tracing, no mounts or namespaces, no kernel-level facilities (bpf, perf, keyrings, modules,
kexec, io_uring, userfaultfd). clone() with namespace flags is refused; clone3() answers
ENOSYS so libc falls back to the filterable clone(). Other architectures are killed.
"""

from __future__ import annotations

import errno
import os
import tempfile

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

# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME
_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                    0x40000000, 0x00000080)


class SeccompUnavailable(RuntimeError):
    """The filter cannot be built (pyseccomp or libseccomp missing)."""


def build_filter_bpf() -> bytes:
    """Compile the deny-list filter to raw BPF for ``bwrap --seccomp FD``."""
    try:
        import pyseccomp as sc
    except (ImportError, OSError) as exc:  # OSError: libseccomp.so not found
        raise SeccompUnavailable(f"pyseccomp/libseccomp not usable: {exc}") from exc
    try:
        filt = sc.SyscallFilter(sc.ALLOW)
        deny = sc.ERRNO(errno.EPERM)
        for name in DENIED_SYSCALLS:
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
    if not blob:
        raise SeccompUnavailable("the seccomp filter compiled to nothing")
    return blob


def filter_fd(blob: bytes) -> int:
    """A fresh readable memfd holding ``blob`` (bwrap reads and closes its copy)."""
    fd = os.memfd_create("sandbox-seccomp", 0)
    os.write(fd, blob)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
