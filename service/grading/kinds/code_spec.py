"""What a code part asks of the sandbox: functions to call on cases, judged outside.

The code kind (``service/grading/kinds/code.py``) builds a request from a ``CodeSpec``; a
``CodeRunner`` (implemented in ``service/sandbox``) executes it in isolation and returns plain
data. Expected values stay in the trusted process: they are never sent to the runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class CodeCall:
    """One call the driver makes inside the sandbox: ``function(*args, **kwargs)``.

    Arguments are plain data (None, bool, int, float, str, lists, dicts with str keys,
    numpy arrays). ``convert`` names per-argument conversions applied inside the sandbox
    before the call ("tensor": numpy array -> torch tensor, "rng": int seed ->
    numpy Generator). ``harness`` names a trusted, public harness inside the sandbox that
    drives the student's function instead of a direct call (e.g. a course training loop).
    """

    function: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    convert: Mapping[str, str] = field(default_factory=dict)
    harness: str | None = None


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """What came back from one call: a plain-data value, or an error message (no traceback
    paths from the host), plus the student's captured stdout (trimmed)."""

    ok: bool
    value: Any = None
    error: str = ""
    stdout: str = ""
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class RunResult:
    """Result of one sandbox run: outcomes per call in order, or a run-level failure."""

    outcomes: tuple[CallOutcome, ...]
    failure: str = ""  # e.g. "timed out after 5 s", "source does not compile: ..."


class CodeRunner(Protocol):
    """Executes student source in isolation and calls functions on plain-data inputs."""

    def run(
        self,
        source: str,
        calls: tuple[CodeCall, ...],
        *,
        timeout_s: float,
        needs_torch: bool = False,
    ) -> RunResult:
        """Run ``source`` then each call; never raises for student misbehaviour."""
        ...

    def available(self) -> tuple[bool, str]:
        """(True, "") when every isolation layer is in place, else (False, why)."""
        ...


@dataclass(frozen=True, slots=True)
class Compare:
    """How a returned value is compared with the expected one (in the trusted process).

    ``mode``: "allclose" (numbers/arrays, nested tuples/lists/dicts elementwise), "exact",
    "sign_invariant_columns" (each column may be negated: singular vectors), or "judge"
    (``CodeCase.judge`` decides).
    """

    mode: str = "allclose"
    rtol: float = 1e-6
    atol: float = 1e-8
    check_shape: bool = True


@dataclass(frozen=True, slots=True)
class CodeCase:
    """One test case of a code part: a call, its expected value, and how to judge it.

    Hidden cases report pass/fail only. ``near_misses`` are (feedback, value a known mistake
    would return) pairs checked when the case fails. ``judge(got, expected)`` returns
    (passed, message) for checks that are not a plain comparison (statistics, invariants).
    """

    call: CodeCall
    expected: Any = None
    hidden: bool = False
    label: str = ""
    compare: Compare = field(default_factory=Compare)
    near_misses: tuple[tuple[str, Any], ...] = ()
    judge: Any = None  # Callable[[Any, Any], tuple[bool, str]] | None


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """The expected 'answer' of a code part: the names it must define and the cases to run."""

    functions: tuple[str, ...]
    cases: tuple[CodeCase, ...]
    timeout_s: float = 10.0
    needs_torch: bool = False
    partial_credit: bool = True  # score = fraction of cases passed
