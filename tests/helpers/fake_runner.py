"""An in-process ``CodeRunner`` for TRUSTED, test-authored source only (a problem's own model
solutions and planted bugs), never student code: it isolates nothing.

It mirrors what the sandbox driver does with a call (deep-copied plain-data inputs,
``convert`` to tensors / numpy generators, public harnesses, tensors back to numpy) so that
problem definitions can be tested without the sandbox.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from service.grading.kinds.code_spec import CallOutcome, CodeCall, RunResult


def _convert(value: Any, how: str | None) -> Any:
    if how == "rng":
        return np.random.default_rng(int(value))
    if how == "tensor":
        import torch

        return torch.as_tensor(np.array(value))
    return value


def to_plain(value: Any) -> Any:
    """Tensors to numpy copies, containers recursively (lists and tuples keep their type)."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, tuple | list):
        return type(value)(to_plain(v) for v in value)
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    return value


class FakeRunner:
    """In-process ``CodeRunner`` for trusted test sources only (no isolation at all)."""

    def run(
        self,
        source: str,
        calls: tuple[CodeCall, ...],
        *,
        timeout_s: float,
        needs_torch: bool = False,
    ) -> RunResult:
        """Exec ``source`` and make each call on deep copies of its plain-data inputs."""
        namespace: dict[str, Any] = {"__name__": "student"}
        try:
            exec(compile(source, "<trusted test source>", "exec"), namespace)
        except Exception as exc:
            return RunResult((), failure=f"source does not run: {exc}")
        return RunResult(tuple(self._call(call, namespace) for call in calls))

    def _call(self, call: CodeCall, namespace: dict[str, Any]) -> CallOutcome:
        raw_args, raw_kwargs = copy.deepcopy((call.args, dict(call.kwargs)))
        args = [_convert(a, call.convert.get(str(i))) for i, a in enumerate(raw_args)]
        kwargs = {k: _convert(v, call.convert.get(k)) for k, v in raw_kwargs.items()}
        try:
            if call.harness:
                module = importlib.import_module(f"service.sandbox.harnesses.{call.harness}")
                value = module.run(namespace, *args, **kwargs)
            else:
                value = namespace[call.function](*args, **kwargs)
            return CallOutcome(True, to_plain(value))
        except Exception as exc:
            return CallOutcome(False, error=f"{type(exc).__name__}: {exc}")

    def available(self) -> tuple[bool, str]:
        """Always available (it isolates nothing)."""
        return True, ""
