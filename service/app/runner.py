"""The sandbox code runner, created once and checked at start-up (fail closed)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from service.grading.kinds.code_spec import CodeRunner

log = logging.getLogger(__name__)

RunnerFactory = Callable[[int], CodeRunner]


def _sandbox_factory(workers: int) -> CodeRunner:
    from service.sandbox import create_runner

    runner: CodeRunner = create_runner(workers)
    return runner


class RunnerHolder:
    """Holds the code runner, or the reason code grading is unavailable."""

    def __init__(self, workers: int, factory: RunnerFactory | None = None) -> None:
        self._workers = max(workers, 1)
        self._factory = factory or _sandbox_factory
        self._runner: CodeRunner | None = None
        self._reason = "code runner not started"
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> tuple[bool, str]:
        """Create the runner and check every isolation layer; returns (available, why not)."""
        with self._lock:
            if self._started:
                return self._runner is not None, self._reason
            self._started = True
            try:
                runner = self._factory(self._workers)
            except Exception as exc:  # a broken sandbox must not stop JSON grading
                log.exception("code runner failed to start")
                self._reason = f"the code runner failed to start: {exc}"
                return False, self._reason
            ok, reason = runner.available()
            if not ok:
                self._reason = reason or "an isolation layer is missing"
                _close(runner)
                return False, self._reason
            # Available may still come with a note (e.g. an optional layer the host lacks).
            self._runner, self._reason = runner, reason
            return True, reason

    def status(self) -> tuple[bool, str]:
        """(True, note) when code can be graded, else (False, why)."""
        if not self._started:
            self.start()
        return self._runner is not None, self._reason

    def get(self) -> CodeRunner | None:
        """The runner, or None when code grading is unavailable."""
        if not self._started:
            self.start()
        return self._runner

    def close(self) -> None:
        """Stop the runner."""
        with self._lock:
            if self._runner is not None:
                _close(self._runner)
            self._runner = None
            self._started = False


def _close(runner: Any) -> None:
    close = getattr(runner, "close", None)
    if callable(close):
        try:
            close()
        except Exception:
            log.exception("closing the code runner failed")
