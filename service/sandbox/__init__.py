"""Runs untrusted student code in isolation (bubblewrap + seccomp + rlimits + a warm zygote).

``create_runner(workers)`` returns a ``SandboxRunner`` implementing the ``CodeRunner``
protocol of ``service.grading.kinds.code_spec``; see shared/SECURITY.md for the threat model.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from service.sandbox.pool import SandboxOptions
from service.sandbox.results import SandboxOutcome, SandboxResult
from service.sandbox.runner import SandboxRunner


def create_runner(workers: int = 2, **options: Any) -> SandboxRunner:
    """A runner with ``workers`` concurrent jobs; ``options`` override SandboxOptions fields."""
    return SandboxRunner(workers, replace(SandboxOptions(), **options))


__all__ = ["SandboxOptions", "SandboxOutcome", "SandboxResult", "SandboxRunner", "create_runner"]
