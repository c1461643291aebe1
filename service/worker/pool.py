"""A pool of grading threads inside the API process, fed by the job queue and a slow poll."""

from __future__ import annotations

import logging
import threading

from service.app import jobs
from service.app.context import Services

log = logging.getLogger(__name__)


class WorkerPool:
    """Threads that grade queued submissions (code parts, notebooks); restart-safe.

    Several pools (processes) may share one database: claims are leased (see ``jobs``).
    """

    def __init__(self, svc: Services, threads: int, poll_seconds: float = 2.0) -> None:
        self._svc = svc
        self._threads_wanted = max(threads, 0)
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Re-queue work whose worker is gone (expired lease), then start the threads."""
        for submission_id in jobs.recover(self._svc):
            self._svc.jobs.put(submission_id)
        for i in range(self._threads_wanted):
            thread = threading.Thread(target=self._loop, name=f"grader-worker-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _loop(self) -> None:
        while not self._stop.is_set():
            submission_id = self._svc.jobs.get(timeout=self._poll)
            try:
                if submission_id is not None:
                    jobs.process(self._svc, submission_id)
                    continue
                # Idle: pick up work queued by other processes (another server, the CLI),
                # and work whose worker died (its lease expired).
                jobs.requeue_expired(self._svc)
                for queued_id in jobs.queued(self._svc, limit=10):
                    if self._stop.is_set():
                        break
                    jobs.process(self._svc, queued_id)
            except Exception:  # the loop must survive a database hiccup
                log.exception("worker loop error")
                self._stop.wait(self._poll)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the threads to finish their current job and wait for them."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
