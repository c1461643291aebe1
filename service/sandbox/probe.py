"""Start-up check of every isolation layer (fail closed: say precisely what is missing)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.sandbox.pool import SandboxOptions, ZygotePool
from service.sandbox.process import ZygoteFailure
from service.sandbox.results import encode_request, execute_on
from service.sandbox.seccomp import SeccompUnavailable, build_filters

REPO_ROOT = str(Path(__file__).resolve().parents[2])
PROBE_SOURCE = '''
def probe(repo):
    import ctypes, os, socket
    status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
    facts = {"uid": os.getuid(), "euid": os.geteuid(), "seccomp": status["Seccomp"].strip(),
             "nnp": status["NoNewPrivs"].strip(), "hostname": os.uname().nodename,
             "caps": [status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd",
                                                  "CapAmb")],
             "pids": len([p for p in os.listdir("/proc") if p.isdigit()]),
             "repo_visible": os.path.exists(repo),
             "uid_map": [l.split() for l in open("/proc/self/uid_map").read().splitlines()],
             "filters": int(status.get("Seccomp_filters", "0").strip() or 0)}
    libc = ctypes.CDLL(None, use_errno=True)
    facts["unshare_user"] = 0 if libc.unshare(0x10000000) == 0 else ctypes.get_errno()
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        facts["socket"] = 0
    except OSError as exc:
        facts["socket"] = exc.errno
    try:
        import reference
        facts["reference"] = "importable"
    except ImportError:
        facts["reference"] = "hidden"
    try:
        open("/venv/site-packages/probe.pth", "w")
        facts["venv"] = "writable"
    except OSError:
        facts["venv"] = "read-only"
    return facts
'''


@dataclass(frozen=True, slots=True)
class _Call:
    function: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    convert: dict[str, str] = field(default_factory=dict)
    harness: str | None = None


def _problems(facts: dict[str, Any], options: SandboxOptions) -> list[str]:
    out = []
    lo, hi = options.uid_base, options.uid_base + options.uid_count
    if not (lo <= facts.get("uid", -1) < hi and facts.get("euid") == facts.get("uid")):
        out.append(f"the sandbox did not switch to a dedicated uid (uid {facts.get('uid')})")
    uid_map = facts.get("uid_map")
    if uid_map == [["0", "0", "4294967295"]] or not isinstance(uid_map, list):
        out.append("the sandbox has no user namespace of its own (initial uid_map)")
    elif uid_map != [[str(facts.get("uid"))] * 2 + ["1"]]:
        out.append(f"the sandbox's uid_map is not the identity map of its uid ({uid_map})")
    if facts.get("unshare_user") != errno.EPERM:
        out.append("unshare(CLONE_NEWUSER) is not blocked inside the sandbox")
    if any(int(c, 16) for c in facts.get("caps", ["1"])):
        out.append("capabilities remain inside the sandbox")
    if facts.get("seccomp") != "2" or facts.get("nnp") != "1" or facts.get("filters", 0) < 2:
        out.append("the seccomp filter is not active")
    if facts.get("socket") != errno.EPERM:
        out.append("sockets are not blocked by seccomp")
    if facts.get("reference") != "hidden" or facts.get("repo_visible") is not False:
        out.append("the repository is visible inside the sandbox")
    if facts.get("venv") != "read-only":
        out.append("the venv is writable inside the sandbox")
    if facts.get("hostname") != "sandbox" or facts.get("pids", 99) > 3:
        out.append("the sandbox does not have its own uts/pid namespaces")
    return out


def _host_checks() -> str:
    if os.geteuid() != 0:
        return (f"the sandbox must start as root to switch to a dedicated uid "
                f"(running as uid {os.geteuid()})")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    try:
        subprocess.run([bwrap, "--version"], check=True, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap does not run: {exc}"
    return ""


def check_layers(
    workers: int, options: SandboxOptions
) -> tuple[ZygotePool | None, tuple[bool, str]]:
    """Build the filter, start one zygote and verify each layer from inside it.

    Returns (True, "") when every layer is active, (True, note) when only the optional
    cgroup layer is missing, (False, why) when a required layer is missing.
    """
    problem = _host_checks()
    if problem:
        return None, (False, problem)
    try:
        filters = build_filters()
    except SeccompUnavailable as exc:
        return None, (False, str(exc))
    pool = ZygotePool(workers, options, filters)
    try:
        zygote = pool.spawn("numpy")
    except (ZygoteFailure, OSError) as exc:
        return pool, (False, f"the sandbox does not start: {exc}")
    cgroup = zygote.cgroup
    if cgroup is not None and (zygote.proc.pid not in cgroup.pids() or len(cgroup.pids()) < 3):
        pool.discard(zygote)
        return pool, (False, f"the sandbox is not confined to its cgroup {cgroup.dirs}")
    body = encode_request(PROBE_SOURCE, [_Call("probe", (REPO_ROOT,))])
    result, healthy = execute_on(zygote, body, 1, 30.0, options)
    pool.release(zygote, healthy)
    if result.failure or not result.outcomes or not result.outcomes[0].ok:
        why = result.failure or (result.outcomes[0].error if result.outcomes else "")
        return pool, (False, f"the sandbox self-check failed: {why}")
    facts = result.outcomes[0].value
    problems = _problems(facts if isinstance(facts, dict) else {}, options)
    if problems:
        return pool, (False, "; ".join(problems))
    # cgroups are an extra layer on top of the required ones: their absence is reported only
    return pool, (True, pool.cgroup_note)
