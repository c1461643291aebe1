"""The sandbox's own user namespace: identity map of the sandbox uid, and no further unshare."""

from __future__ import annotations

import ctypes
import errno
import os
import platform

import pytest

from service.grading.kinds.code_spec import CodeCall
from service.sandbox import SandboxOptions, SandboxRunner
from service.sandbox.inside.confine import CLONE_NEWUSER, stack_filter, unshare_user
from service.sandbox.probe import _problems
from service.sandbox.seccomp import build_filters, filter_fd

pytestmark = [pytest.mark.sandbox, pytest.mark.xdist_group("sandbox")]

IDENTITY = """
import os
def identity():
    status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
    return {"uid_map": [l.split() for l in open("/proc/self/uid_map").read().splitlines()],
            "gid_map": [l.split() for l in open("/proc/self/gid_map").read().splitlines()],
            "setgroups": open("/proc/self/setgroups").read().strip(),
            "ids": [os.getuid(), os.geteuid(), os.getgid()],
            "caps": [status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd",
                                                 "CapAmb")],
            "seccomp": [status["Seccomp"].strip(), status["Seccomp_filters"].strip(),
                        status["NoNewPrivs"].strip()]}
"""

ESCAPES = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
NEWUSER, NEWNS, NEWNET = 0x10000000, 0x00020000, 0x40000000

def _errno(ret):
    return ctypes.get_errno() if ret == -1 else f"returned {ret}"

def try_unshare(flags):
    ctypes.set_errno(0)
    return _errno(libc.unshare(flags))

def try_raw_unshare():
    ctypes.set_errno(0)
    return _errno(libc.syscall(272, NEWUSER))  # x86_64 unshare, bypassing libc's wrapper

def try_clone_newuser():
    ctypes.set_errno(0)
    return _errno(libc.syscall(56, NEWUSER | 17, 0, 0, 0, 0))  # clone(NEWUSER | SIGCHLD)

def try_in_grandchild():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        got = try_unshare(NEWUSER)
        os.write(w, bytes([got if isinstance(got, int) else 255]))
        os._exit(0)
    os.waitpid(pid, 0)
    return os.read(r, 1)[0]
"""


def test_job_runs_in_an_identity_mapped_user_namespace(runner: SandboxRunner) -> None:
    for torch in (False, True):
        res = runner.run(IDENTITY, (CodeCall("identity", ()),), timeout_s=10, needs_torch=torch)
        assert res.failure == "", res.failure
        facts = res.outcomes[0].value
        uid = facts["ids"][0]
        assert uid in runner.uids_used() and uid != 0
        assert facts["ids"] == [uid, uid, uid]
        assert facts["uid_map"] != [["0", "0", "4294967295"]]
        assert facts["uid_map"] == [[str(uid), str(uid), "1"]]  # host uid = the sandbox uid
        assert facts["gid_map"] == [[str(uid), str(uid), "1"]]
        assert facts["setgroups"] == "deny"
        assert facts["caps"] == ["0000000000000000"] * 5
        assert facts["seccomp"] == ["2", "2", "1"]  # bootstrap + full filter, no-new-privs


def test_student_code_cannot_create_another_user_namespace(runner: SandboxRunner) -> None:
    calls: tuple[CodeCall, ...] = (
        CodeCall("try_unshare", (0x10000000,)),
        CodeCall("try_unshare", (0x10000000 | 0x00020000,)),
        CodeCall("try_unshare", (0x40000000,)),
        CodeCall("try_in_grandchild", ()),
    )
    if platform.machine() == "x86_64":  # raw syscall numbers below are x86_64's
        calls += (CodeCall("try_raw_unshare", ()), CodeCall("try_clone_newuser", ()))
    res = runner.run(ESCAPES, calls, timeout_s=5)
    assert res.failure == "", res.failure
    assert [o.value for o in res.outcomes] == [errno.EPERM] * len(calls)
    honest = runner.run(IDENTITY, (CodeCall("identity", ()),), timeout_s=5)
    assert honest.outcomes[0].ok


def _in_child(steps: list[str]) -> list[int]:
    """Run the filter steps in a forked child (no-new-privs set there); return its errnos."""
    filters = build_filters()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
            out = []
            for step in steps:
                if step in ("bootstrap", "full"):
                    stack_filter(filter_fd(getattr(filters, step)))
                elif step == "newuser+newns":
                    out.append(0 if libc.unshare(CLONE_NEWUSER | 0x00020000) == 0
                               else ctypes.get_errno())
                else:
                    out.append(unshare_user())
            os.write(w, bytes(out))
        finally:
            os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    with os.fdopen(r, "rb") as handle:
        return list(handle.read())


def test_bootstrap_filter_lets_only_a_bare_newuser_through_and_full_filter_none() -> None:
    got = _in_child(["bootstrap", "newuser+newns", "newuser", "full", "newuser"])
    assert got == [errno.EPERM, 0, errno.EPERM]


def test_probe_flags_a_missing_or_foreign_user_namespace() -> None:
    good = {"uid": 61005, "euid": 61005, "seccomp": "2", "nnp": "1", "filters": 2,
            "caps": ["0"] * 5, "socket": errno.EPERM, "reference": "hidden",
            "repo_visible": False, "venv": "read-only", "hostname": "sandbox", "pids": 2,
            "uid_map": [["61005", "61005", "1"]], "unshare_user": errno.EPERM}
    options = SandboxOptions()
    assert _problems(good, options) == []
    initial = _problems({**good, "uid_map": [["0", "0", "4294967295"]]}, options)
    assert initial == ["the sandbox has no user namespace of its own (initial uid_map)"]
    to_root = _problems({**good, "uid_map": [["61005", "0", "1"]]}, options)
    assert to_root and "identity map" in to_root[0]
    assert _problems({**good, "unshare_user": 0}, options) == [
        "unshare(CLONE_NEWUSER) is not blocked inside the sandbox"]
    assert _problems({**good, "filters": 1}, options) == ["the seccomp filter is not active"]
