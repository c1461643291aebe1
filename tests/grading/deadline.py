"""A generous wall-clock guard for tests of hostile input: a hang fails the test, not the suite.

``re`` checks for signals while it matches, so SIGALRM interrupts a runaway regex. This is a
guard against catastrophic slowness (seconds), never a timing assertion.
"""

from __future__ import annotations

import faulthandler
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

GUARD_S = 5.0


class TooSlow(AssertionError):
    """The guarded block ran past its deadline."""


@contextmanager
def deadline(seconds: float = GUARD_S) -> Iterator[None]:
    """Raise TooSlow if the block runs longer than ``seconds``."""
    if threading.current_thread() is not threading.main_thread():
        # No signals off the main thread: kill the process with a traceback instead of hanging.
        faulthandler.dump_traceback_later(seconds * 4, exit=True)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TooSlow(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
