"""Plain-data job requests and results exchanged with the zygote (host side)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from service.sandbox.inside import wire
from service.sandbox.pool import SandboxOptions
from service.sandbox.process import Zygote, ZygoteFailure

MSG_CHARS = 600


class CallLike(Protocol):
    """What the runner reads from a ``CodeCall``."""

    @property
    def function(self) -> str: ...
    @property
    def args(self) -> tuple[Any, ...]: ...
    @property
    def kwargs(self) -> Mapping[str, Any]: ...
    @property
    def convert(self) -> Mapping[str, str]: ...
    @property
    def harness(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SandboxOutcome:
    """One call's plain-data result (same fields as ``code_spec.CallOutcome``)."""

    ok: bool
    value: Any = None
    error: str = ""
    stdout: str = ""
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class SandboxResult:
    """One run's outcomes or failure (same fields as ``code_spec.RunResult``)."""

    outcomes: tuple[SandboxOutcome, ...]
    failure: str = ""


def fail(message: str) -> SandboxResult:
    """A run-level failure with a trimmed message."""
    return SandboxResult((), message[:MSG_CHARS])


def encode_request(source: str, calls: Sequence[CallLike]) -> bytes:
    """The job body sent to the zygote (WireError if an input is not plain data)."""
    encoded = [
        {
            "function": str(c.function),
            "args": wire.encode(list(c.args)),
            "kwargs": wire.encode(dict(c.kwargs)),
            "convert": {str(k): str(v) for k, v in dict(c.convert).items()},
            "harness": c.harness,
        }
        for c in calls
    ]
    return wire.dumps({"source": source, "calls": encoded})


def parse_result(raw: bytes, n_calls: int, stdout_cap: int) -> SandboxResult:
    """Strictly parse what the child sent back (JSON + .npy, never pickle)."""
    try:
        data = wire.loads(raw)
        if type(data) is not dict or type(data.get("failure")) is not str:
            raise wire.WireError("bad result object")
        if data["failure"]:
            return fail(data["failure"])
        items = data.get("outcomes")
        if type(items) is not list or len(items) != n_calls:
            raise wire.WireError("wrong number of outcomes")
        outcomes = []
        for item in items:
            if type(item) is not dict or type(item.get("ok")) is not bool:
                raise wire.WireError("bad outcome")
            stdout, error = item.get("stdout", ""), item.get("error", "")
            seconds = item.get("seconds", 0.0)
            if type(stdout) is not str or type(error) is not str:
                raise wire.WireError("bad outcome text")
            if type(seconds) not in (int, float) or not math.isfinite(seconds):
                seconds = 0.0
            value = wire.decode(item.get("value")) if item["ok"] else None
            outcomes.append(SandboxOutcome(item["ok"], value, error[:MSG_CHARS],
                                           stdout[: stdout_cap + 80], float(seconds)))
    except (wire.WireError, RecursionError, MemoryError):
        return fail("your code sent back results that are not plain data")
    return SandboxResult(tuple(outcomes))


def execute_on(
    zygote: Zygote, body: bytes, n_calls: int, timeout_s: float, opts: SandboxOptions
) -> tuple[SandboxResult, bool]:
    """Run one job on ``zygote``; returns the result and whether the zygote may be reused."""
    limits = {
        "timeout": timeout_s, "cpu": math.ceil(timeout_s) + 1, "mem": opts.memory_bytes,
        "fsize": opts.fsize_bytes, "nofile": opts.nofile, "nproc": opts.nproc,
        "result_cap": opts.result_cap, "stdout_cap": opts.stdout_cap,
    }
    deadline = time.monotonic() + timeout_s + opts.grace_s
    try:
        header, raw = zygote.request(limits, body, deadline, opts.result_cap)
    except ZygoteFailure as exc:
        if "tim" in str(exc):
            return fail(f"timed out after {timeout_s:g} s"), False
        return fail("the sandbox stopped while running your code"), False
    status, leftover = header.get("status"), header.get("leftover")
    healthy = status == "done" and leftover == 0 and header.get("clean") is True
    if status == "timeout":
        return fail(f"timed out after {timeout_s:g} s"), False
    if status == "too_large":
        return fail("your code sent back too much data"), False
    if status == "no_result":
        child = str(header.get("child", ""))[:40]
        return fail(f"your code stopped the run before it finished ({child})"), False
    if status != "done" or type(leftover) is not int:
        return fail("the sandbox sent a malformed answer"), False
    if leftover:
        return fail("your code left processes running after the run"), False
    return parse_result(raw, n_calls, opts.stdout_cap), healthy
