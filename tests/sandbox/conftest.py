"""Shared sandbox fixtures: one runner per module, skipped only without root or bwrap."""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from service.sandbox import SandboxOptions, SandboxRunner, create_runner

SECRET = "s3cret-token-9f2c1d7e"
os.environ["GRADER_TEST_PLANTED_SECRET"] = SECRET  # must never reach a report
UID_BASE = SandboxOptions().uid_base
UID_COUNT = SandboxOptions().uid_count


def sandbox_skip_reason() -> str:
    """Why sandbox tests cannot run here ('' when they can)."""
    if os.geteuid() != 0:
        return "sandbox tests need root (the sandbox switches to a dedicated uid)"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    return ""


def sandbox_process_counts() -> Counter[int]:
    """Processes per sandbox uid, seen from the host's /proc."""
    counts: Counter[int] = Counter()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            uid = os.stat(f"/proc/{entry}").st_uid
        except FileNotFoundError:
            continue
        if UID_BASE <= uid < UID_BASE + UID_COUNT:
            counts[uid] += 1
    return counts


def wait_no_strays(uids: set[int], deadline_s: float = 10.0) -> Counter[int]:
    """Poll until each of ``uids`` runs at most its zygote; return the last counts."""
    end = time.monotonic() + deadline_s
    while True:
        counts = Counter({u: n for u, n in sandbox_process_counts().items() if u in uids})
        if all(n <= 1 for n in counts.values()) or time.monotonic() > end:
            return counts
        time.sleep(0.05)


@pytest.fixture(scope="module")
def runner() -> Iterator[SandboxRunner]:
    reason = sandbox_skip_reason()
    if reason:
        pytest.skip(reason)
    r = create_runner(2)
    ok, why = r.available()
    assert ok, why
    yield r
    r.close()
