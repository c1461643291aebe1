"""Group commit: the submissions of concurrent requests are stored in one transaction.

Async callers queue their rows and await. One flush at a time commits everything queued so far;
what arrives meanwhile goes into the next flush. SQLite commits on the event loop: a local write
of a few pages, cheaper there than the thread hand-offs and GIL ping-pong of a writer thread on
a small machine (measured with bench/json_submissions.py). PostgreSQL commits in a dedicated
writer thread so the loop keeps serving while the server syncs.
A submission is acknowledged only after the transaction holding it has committed; a batch
that fails is retried one submission per transaction, so one bad row fails only its own
request. Sync callers (CLI, worker, threads) write directly.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from service.db import repo_bulk, repo_meta
from service.db.repo_bulk import ResultRow, SubmissionRow
from service.db.session import Database


@dataclass
class WriteItem:
    """One submission's rows, and what to do once they are committed."""

    student_id: str | None
    submission: SubmissionRow
    results: list[ResultRow]
    on_commit: Callable[[], None] | None = None


Pending = list[tuple[WriteItem, "asyncio.Future[None]"]]


class GroupWriter:
    """Stores submissions, batching the ones that arrive while a commit is in progress."""

    def __init__(self, db: Database, *, offload: bool | None = None) -> None:
        self._db = db
        self._offload = (not db.is_sqlite) if offload is None else offload
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Pending = []
        self._flushing = False
        self._lock = threading.Lock()
        self.known_students: set[str] = set()

    async def write(self, item: WriteItem) -> None:
        """Store ``item``; returns once it is committed (raises if it could not be)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._pending.append((item, future))
        if not self._flushing:
            self._flushing = True
            loop.call_soon(self._flush, loop)
        await future

    def write_sync(self, item: WriteItem) -> None:
        """Store ``item`` now, from any thread."""
        self._commit([item])
        if item.on_commit is not None:
            item.on_commit()

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            self._flushing = False
            return
        items = [item for item, _ in batch]
        if not self._offload:
            self._resolve(batch, self._store(items))
            loop.call_soon(self._flush, loop)
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="group-writer")
        task = loop.run_in_executor(self._executor, self._store, items)

        def done(fut: asyncio.Future[list[BaseException | None]]) -> None:
            exc = fut.exception()
            self._resolve(batch, fut.result() if exc is None else [exc] * len(batch))
            self._flush(loop)

        task.add_done_callback(done)

    def _store(self, items: list[WriteItem]) -> list[BaseException | None]:
        """Commit ``items`` together, or one by one if that fails; an outcome per item."""
        try:
            self._commit(items)
            return [None] * len(items)
        except Exception as exc:
            if len(items) == 1:
                return [exc]
        out: list[BaseException | None] = []
        for item in items:
            out.extend(self._store([item]))
        return out

    @staticmethod
    def _resolve(batch: Pending, outcomes: list[BaseException | None]) -> None:
        for (item, future), exc in zip(batch, outcomes, strict=True):
            if exc is None and item.on_commit is not None:
                item.on_commit()
            if future.done():
                continue
            if exc is None:
                future.set_result(None)
            else:
                future.set_exception(exc)

    def _commit(self, items: list[WriteItem]) -> None:
        with self._lock:
            known = set(self.known_students)
        new_students = {i.student_id for i in items if i.student_id} - known
        with self._db.write() as conn:
            repo_meta.ensure_students(conn, new_students)
            repo_bulk.insert_many(
                conn,
                [i.submission for i in items],
                [row for i in items for row in i.results],
            )
        with self._lock:
            self.known_students |= new_students

    def close(self) -> None:
        """Stop the writer thread (pending writes finish first)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
