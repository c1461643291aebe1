"""SandboxRunner: the CodeRunner the grading core uses to run student code in bubblewrap.

``service.sandbox`` may not import ``service.grading``, so the call and result types are
structural twins of ``CodeCall`` / ``CallOutcome`` / ``RunResult`` in ``code_spec``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from service.sandbox.inside import wire
from service.sandbox.pool import SandboxOptions, ZygotePool
from service.sandbox.probe import check_layers
from service.sandbox.process import ZygoteFailure
from service.sandbox.results import (
    CallLike,
    SandboxResult,
    encode_request,
    execute_on,
    fail,
)


class SandboxRunner:
    """Runs student source in a warm bubblewrap sandbox; thread-safe; fails closed."""

    def __init__(self, workers: int = 2, options: SandboxOptions | None = None) -> None:
        self.options = options or SandboxOptions()
        self._workers = max(1, workers)
        self._slots = threading.BoundedSemaphore(self._workers)
        self._pool: ZygotePool | None = None
        self._status = (False, "not started")
        try:
            self._pool, self._status = check_layers(self._workers, self.options)
        finally:
            if self._pool is not None and not self._status[0]:
                self._pool.close()
                self._pool = None
        if self._pool is not None:
            self._pool.start_background()

    def available(self) -> tuple[bool, str]:
        """(True, "") when every layer was verified at start-up; (True, note) when only the
        optional per-sandbox cgroup is unavailable; (False, why) when a required one is missing.
        """
        return self._status

    def layers(self) -> dict[str, str]:
        """Layer name -> state, for /health and audits."""
        pool = self._pool
        if pool is None:
            return {"sandbox": f"unavailable: {self._status[1]}"}
        layout = pool.cgroup_layout
        return {
            "sandbox": ("bubblewrap: namespaces, own user namespace, dedicated uid, "
                        "no capabilities, stacked seccomp, rlimits"),
            "cgroup": layout.describe() if layout is not None else pool.cgroup_note,
        }

    def cgroup_history(self) -> list[Any]:
        """Memory statistics of recently discarded sandboxes (``cgroup.CgroupStats``)."""
        pool = self._pool
        return list(pool.cgroup_history) if pool is not None else []

    def run(
        self,
        source: str,
        calls: Sequence[CallLike],
        *,
        timeout_s: float,
        needs_torch: bool = False,
    ) -> Any:  # a SandboxResult: structurally code_spec.RunResult
        """Run ``source`` then each call in one sandbox job; never raises for student code."""
        pool = self._pool
        if pool is None:
            return fail(f"code cannot be run here: {self._status[1]}")
        if not isinstance(source, str) or len(source) > self.options.source_cap:
            return fail(f"the source must be text of at most {self.options.source_cap} chars")
        try:
            body = encode_request(source, calls)
        except wire.WireError as exc:
            return fail(f"the grader could not send the inputs: {exc}")
        if len(body) > self.options.request_cap:
            return fail("the inputs of this part are too large for the sandbox")
        with self._slots:
            return self._execute(pool, body, len(calls), float(timeout_s), needs_torch)

    def _execute(
        self, pool: ZygotePool, body: bytes, n_calls: int, timeout_s: float, torch: bool
    ) -> SandboxResult:
        try:
            zygote = pool.acquire("torch" if torch else "numpy")
        except (ZygoteFailure, OSError) as exc:
            return fail(f"the sandbox could not start: {exc}")
        healthy = False
        try:
            result, healthy = execute_on(zygote, body, n_calls, timeout_s, self.options)
        finally:
            pool.release(zygote, healthy)
        return result

    def uids_used(self) -> set[int]:
        """Every host uid this runner's sandboxes have run as (for audits and tests)."""
        pool = self._pool
        return set(pool.uids_used) if pool is not None else set()

    def close(self) -> None:
        """Kill every sandbox process and stop the pool."""
        pool, self._pool = self._pool, None
        self._status = (False, "the runner is closed")
        if pool is not None:
            pool.close()
