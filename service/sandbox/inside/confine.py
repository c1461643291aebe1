"""The zygote's own confinement, done before it imports numpy/torch or reads any job.

1. From the root that bwrap leaves it (with only CAP_SETUID/SETGID/SETPCAP), empty the bounding
   set and switch to the dedicated sandbox uid/gid: every capability is gone.
2. As that unprivileged uid, enter a fresh user namespace with an identity map of the uid (so the
   host still sees the sandbox uid, never root). The pid, net, mount and ipc namespaces stay
   owned by the host's initial user namespace: capabilities held in the new one give no power
   over them. Drop that full capability set at once anyway.
3. Stack the full seccomp filter (no ``unshare`` at all) on top of the bootstrap one bwrap loaded
   (which let only ``unshare(CLONE_NEWUSER)`` through), then check every claim from /proc.
"""

from __future__ import annotations

import ctypes
import errno
import os

CLONE_NEWUSER = 0x10000000
_PR_SET_DUMPABLE = 4
_PR_SET_SECCOMP = 22
_PR_CAPBSET_DROP = 24
_PR_SET_CHILD_SUBREAPER = 36
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_SECCOMP_MODE_FILTER = 2
_CAP_VERSION_3 = 0x20080522
_CAP_SETUID_GID = (1 << 6) | (1 << 7)
_CAP_KEYS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
INITIAL_UID_MAP = ["0", "0", "4294967295"]

_libc = ctypes.CDLL(None, use_errno=True)


class ConfinementError(RuntimeError):
    """A confinement step failed or its self-check did not hold."""


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _prctl(option: int, arg2: int = 0) -> int:
    return int(_libc.prctl(option, ctypes.c_ulong(arg2), 0, 0, 0))


def _capset(permitted: int, effective: int) -> None:
    header = (ctypes.c_uint32 * 2)(_CAP_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)(effective, permitted, 0, 0, 0, 0)  # low word of each set
    if _libc.capset(header, data) != 0:
        raise ConfinementError(f"capset failed: {os.strerror(ctypes.get_errno())}")


def _drop_all_caps() -> None:
    """Empty bounding, ambient, inheritable, permitted and effective sets."""
    for cap in range(64):
        _prctl(_PR_CAPBSET_DROP, cap)
    _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    _capset(0, 0)


def unshare_user() -> int:
    """Call unshare(CLONE_NEWUSER); 0 on success, else the errno."""
    if _libc.unshare(CLONE_NEWUSER) == 0:
        return 0
    return ctypes.get_errno()


def _status() -> dict[str, str]:
    with open("/proc/self/status") as status:
        return {k: v.strip() for k, v in (line.split(":", 1) for line in status if ":" in line)}


def switch_uid(uid: int) -> None:
    """Drop every capability but SETUID/SETGID, then become ``uid``/``uid`` with no groups."""
    for cap in range(64):
        _prctl(_PR_CAPBSET_DROP, cap)
    _capset(_CAP_SETUID_GID, _CAP_SETUID_GID)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if 0 in os.getresuid() or 0 in os.getresgid():
        raise ConfinementError("still root after the uid switch")


def enter_user_namespace(uid: int) -> None:
    """A new user namespace mapping ``uid``/``uid`` to itself only; its capabilities dropped."""
    err = unshare_user()
    if err:
        raise ConfinementError(f"unshare(CLONE_NEWUSER) failed: {os.strerror(err)}")
    _prctl(_PR_SET_DUMPABLE, 1)  # /proc/self/*_map are root-owned while non-dumpable
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                           ("gid_map", f"{uid} {uid} 1")):
            fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
            try:
                os.write(fd, text.encode())
            finally:
                os.close(fd)
    finally:
        _prctl(_PR_SET_DUMPABLE, 0)
    _drop_all_caps()


def stack_filter(fd: int) -> None:
    """Load the raw BPF read from ``fd`` as a further seccomp filter; close ``fd``."""
    with os.fdopen(fd, "rb") as handle:
        blob = handle.read()
    if not blob or len(blob) % 8:
        raise ConfinementError("the full seccomp filter is empty or malformed")
    code = ctypes.create_string_buffer(blob, len(blob))
    prog = _SockFprog(len(blob) // 8, ctypes.addressof(code))
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise ConfinementError(f"cannot stack the seccomp filter: "
                               f"{os.strerror(ctypes.get_errno())}")


def verify(uid: int) -> None:
    """Every claim above, checked from /proc and by trying the forbidden call once more."""
    fields = _status()
    for key in _CAP_KEYS:
        if int(fields[key], 16) != 0:
            raise ConfinementError(f"{key} is not empty")
    if fields.get("Seccomp") != "2" or fields.get("NoNewPrivs") != "1":
        raise ConfinementError("seccomp filtering or no-new-privs is off")
    if int(fields.get("Seccomp_filters", "2")) < 2:
        raise ConfinementError("the full seccomp filter is not stacked")
    with open("/proc/self/uid_map") as uid_map:
        lines = [line.split() for line in uid_map.read().splitlines() if line.strip()]
    if lines != [[str(uid), str(uid), "1"]]:
        raise ConfinementError(f"unexpected uid_map {lines}")
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid):
        raise ConfinementError("not running as the sandbox uid/gid")
    if unshare_user() != errno.EPERM:
        raise ConfinementError("unshare(CLONE_NEWUSER) is still allowed")


def confine(uid: int, full_filter_fd: int) -> None:
    """All of the above, in order; then become a subreaper so orphans come back to us."""
    switch_uid(uid)
    enter_user_namespace(uid)
    stack_filter(full_filter_fd)
    verify(uid)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
