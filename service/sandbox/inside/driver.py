"""In-sandbox driver: runs in the forked child, executes the student source and the calls.

Everything here runs as the sandbox uid in the same process as the student's code, so nothing
in it is trusted by the host: it only turns the student's results into plain data. The host
parses what comes back strictly and judges it against expected values it never sent in.
"""

from __future__ import annotations

import builtins
import importlib
import io
import re
import sys
import time
import traceback
from typing import Any

import numpy as np

from . import wire

STUDENT_FILE = "<your code>"
_HARNESS_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,63}$")
MSG_CHARS = 600


class _Unsupported(Exception):
    pass


class CappedWriter(io.TextIOBase):
    """A text stream keeping at most ``cap`` characters (the rest is counted, not kept)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: Any) -> int:
        text = str(text)
        room = self.cap - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self) -> str:
        out = "".join(self.parts)
        return out + (f"\n... ({self.dropped} more characters)" if self.dropped else "")


def describe_error(exc: BaseException) -> str:
    """'Type: message (line N)' without host paths or a traceback."""
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable message>"
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == STUDENT_FILE:
            line = frame.lineno
    if line is not None:
        text += f" (line {line} of your code)"
    return text[:MSG_CHARS]


def to_plain(value: Any, depth: int = 0) -> Any:
    """Torch tensors to numpy, containers recursively; unknown types are refused."""
    if depth > wire.MAX_DEPTH:
        raise _Unsupported("returned a value nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, float, complex, str):
        return value
    if kind in (list, tuple):
        items = [to_plain(v, depth + 1) for v in value]
        return items if kind is list else tuple(items)
    if kind is dict:
        return {k: to_plain(v, depth + 1) for k, v in value.items()}
    if kind is np.ndarray or isinstance(value, np.generic):
        return value
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        tensor = value.detach().cpu()
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        return tensor.resolve_conj().resolve_neg().numpy().copy()
    raise _Unsupported(f"returned an unsupported type {kind.__name__}")


def _convert(value: Any, how: str) -> Any:
    if how == "tensor":
        import torch

        return torch.as_tensor(np.array(value))
    if how == "rng":
        return np.random.default_rng(int(value))
    raise ValueError(f"unknown conversion {how!r}")


def _prepare(call: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    args = list(wire.decode(call.get("args", [])))
    kwargs = dict(wire.decode(call.get("kwargs", {"t": "dict", "v": []})))
    for key, how in dict(call.get("convert", {})).items():
        if key.isdigit() and int(key) < len(args):
            args[int(key)] = _convert(args[int(key)], how)
        elif key in kwargs:
            kwargs[key] = _convert(kwargs[key], how)
    return args, kwargs


def _target(call: dict[str, Any], namespace: dict[str, Any]) -> Any:
    harness = call.get("harness")
    if harness:
        if not isinstance(harness, str) or not _HARNESS_NAME.match(harness):
            raise LookupError(f"unknown harness {str(harness)[:40]!r}")
        module = importlib.import_module(f"harnesses.{harness}")
        return lambda *a, **k: module.run(namespace, *a, **k)
    name = str(call.get("function", ""))
    func = namespace.get(name)
    if not callable(func):
        raise LookupError(f"function '{name}' is not defined by your code")
    return func


def _run_call(call: dict[str, Any], namespace: dict[str, Any], cap: int) -> dict[str, Any]:
    out = CappedWriter(cap)
    started = time.perf_counter()
    try:
        target = _target(call, namespace)
        args, kwargs = _prepare(call)
    except LookupError as exc:
        return {"ok": False, "error": str(exc.args[0] if exc.args else exc)[:MSG_CHARS],
                "stdout": "", "seconds": 0.0}
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    try:
        value = target(*args, **kwargs)
        encoded = wire.encode(to_plain(value))
        outcome: dict[str, Any] = {"ok": True, "value": encoded}
    except _Unsupported as exc:
        outcome = {"ok": False, "error": str(exc)}
    except wire.WireError as exc:
        outcome = {"ok": False, "error": f"returned an unsupported value: {exc}"}
    except BaseException as exc:  # the student's exception, SystemExit included
        outcome = {"ok": False, "error": describe_error(exc)}
    finally:
        sys.stdout, sys.stderr = saved
    outcome["stdout"] = out.text()
    outcome["seconds"] = time.perf_counter() - started
    return outcome


def run_job(body: bytes, stdout_cap: int) -> bytes:
    """Execute one request (source + calls) and return the encoded results."""
    request = wire.loads(body)
    source = request["source"]
    calls = request["calls"]
    try:
        code = compile(source, STUDENT_FILE, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        msg = getattr(exc, "msg", str(exc))
        return wire.dumps({"failure": f"source does not compile: {msg}{where}"[:MSG_CHARS],
                           "outcomes": []})
    namespace: dict[str, Any] = {"__name__": "submission", "__builtins__": builtins}
    loading = CappedWriter(stdout_cap)
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = loading
    try:
        exec(code, namespace)
    except BaseException as exc:  # SystemExit at import included
        sys.stdout, sys.stderr = saved
        return wire.dumps({"failure": "your code raised while loading: " + describe_error(exc),
                           "outcomes": []})
    sys.stdout, sys.stderr = saved
    outcomes = [_run_call(call, namespace, stdout_cap) for call in calls]
    if outcomes and loading.kept:
        outcomes[0]["stdout"] = loading.text() + outcomes[0]["stdout"]
    return wire.dumps({"failure": "", "outcomes": outcomes})
