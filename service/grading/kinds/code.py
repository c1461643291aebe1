"""The code kind: Python source run in the sandbox on the spec's cases, judged here.

Only plain data comes back from the sandbox; expected values never leave this process. The
source is checked here for type and size only (it is compiled inside the sandbox). Visible
cases get input, expected and got in their feedback; hidden cases get pass/fail only and run
in a second sandbox run, so no message shown to the student was produced by a process that
had seen a hidden input.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np

from service.grading.kinds.base import CheckContext, InvalidAnswer, Verdict
from service.grading.kinds.code_spec import CodeCase, CodeSpec, Compare

MAX_SOURCE_CHARS = 100_000
MAX_NOTES = 20  # notes from reading a notebook (a name not found, a cell that does not parse)
MAX_NOTE_CHARS = 500
SHOW_CHARS = 300
COMPILE_PREFIX = "source does not compile"
NOT_DEFINED = "is not defined by your code"


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=5, threshold=24, edgeitems=3)
        text = f"array{value.shape} {text}" if value.ndim > 1 else text
    else:
        text = repr(value)
    return text if len(text) <= SHOW_CHARS else text[: SHOW_CHARS - 3] + "..."


def _numeric(value: Any) -> np.ndarray | None:
    """An ndarray for numbers and numeric arrays (not bool-only scalars mixed with text)."""
    if isinstance(value, np.ndarray | np.generic) or type(value) in (int, float, complex, bool):
        arr = np.asarray(value)
        return arr if arr.dtype.kind in "biufc" else None
    return None


def _allclose(got: Any, want: Any, cmp: Compare, depth: int = 0) -> bool:
    if depth > 32:
        return False
    if isinstance(want, tuple | list):
        return (
            isinstance(got, tuple | list)
            and len(got) == len(want)
            and all(_allclose(g, w, cmp, depth + 1) for g, w in zip(got, want, strict=True))
        )
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(want)
            and all(_allclose(got[k], want[k], cmp, depth + 1) for k in want)
        )
    want_arr, got_arr = _numeric(want), _numeric(got)
    if want_arr is None:
        return _exact(got, want)
    if got_arr is None or (got_arr.dtype.kind == "c" and want_arr.dtype.kind != "c"):
        return False
    if got_arr.shape != want_arr.shape:
        if cmp.check_shape or got_arr.size != want_arr.size:
            return False
        got_arr, want_arr = got_arr.ravel(), want_arr.ravel()
    with np.errstate(all="ignore"):
        return bool(np.allclose(got_arr, want_arr, rtol=cmp.rtol, atol=cmp.atol))


def _exact(got: Any, want: Any, depth: int = 0) -> bool:
    if depth > 32:
        return False
    if isinstance(want, tuple | list):
        return (
            isinstance(got, tuple | list)
            and len(got) == len(want)
            and all(_exact(g, w, depth + 1) for g, w in zip(got, want, strict=True))
        )
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(want)
            and all(_exact(got[k], want[k], depth + 1) for k in want)
        )
    want_arr, got_arr = _numeric(want), _numeric(got)
    if want_arr is not None:
        return got_arr is not None and bool(np.array_equal(got_arr, want_arr))
    return type(got) is type(want) and bool(got == want)


def _sign_invariant(got: Any, want: Any, cmp: Compare) -> bool:
    got_arr, want_arr = _numeric(got), _numeric(want)
    if got_arr is None or want_arr is None or got_arr.shape != want_arr.shape:
        return False
    g = got_arr.reshape(got_arr.shape[0], -1) if got_arr.ndim else got_arr.reshape(1, 1)
    w = want_arr.reshape(g.shape)
    with np.errstate(all="ignore"):
        return all(
            np.allclose(g[:, j], w[:, j], rtol=cmp.rtol, atol=cmp.atol)
            or np.allclose(-g[:, j], w[:, j], rtol=cmp.rtol, atol=cmp.atol)
            for j in range(g.shape[1])
        )


def _matches(got: Any, want: Any, case: CodeCase) -> tuple[bool, str]:
    """(passed, message) of one returned value against one expected value."""
    mode = case.compare.mode
    try:
        if mode == "judge":
            if case.judge is None:
                return False, "this case has no judge"
            ok, message = case.judge(got, want)
            return bool(ok), str(message or "")
        if mode == "exact":
            return _exact(got, want), ""
        if mode == "sign_invariant_columns":
            return _sign_invariant(got, want, case.compare), ""
        return _allclose(got, want, case.compare), ""
    except Exception:  # a value of an unexpected shape or type: a failed case, not a crash
        return False, ""


def _shape_hint(got: Any, want: Any) -> str:
    got_arr, want_arr = _numeric(got), _numeric(want)
    if got_arr is not None and want_arr is not None and got_arr.shape != want_arr.shape:
        return f" Expected shape {want_arr.shape}, got shape {got_arr.shape}."
    return ""


def _case_feedback(number: int, case: CodeCase, outcome: Any, passed: bool, msg: str) -> str:
    name = f"Case {number}" + (f" ({case.label})" if case.label else "")
    if case.hidden:
        return f"Hidden case {number}: {'passed' if passed else 'failed'}."
    if passed:
        return f"{name}: passed." + (f" {msg}" if msg else "")
    inputs = ", ".join(
        [_show(a) for a in case.call.args]
        + [f"{k}={_show(v)}" for k, v in case.call.kwargs.items()]
    )
    call = case.call.harness or case.call.function
    lines = [f"{name}: failed. {call}({inputs})"[: 3 * SHOW_CHARS]]
    if not outcome.ok:
        lines.append(f"  Your code raised: {outcome.error}")
    else:
        lines.append(f"  Expected: {_show(case.expected)}")
        lines.append(
            f"  Got:      {_show(outcome.value)}" + _shape_hint(outcome.value, case.expected)
        )
    if msg:
        lines.append(f"  {msg}")
    if outcome.stdout:
        lines.append(f"  Printed: {outcome.stdout[:SHOW_CHARS]}")
    return "\n".join(lines)


def _judge(case: CodeCase, outcome: Any) -> tuple[bool, str]:
    if not outcome.ok:
        return False, ""
    passed, message = _matches(outcome.value, case.expected, case)
    if not passed and not case.hidden:
        for feedback, wrong in case.near_misses:
            if _matches(outcome.value, wrong, case)[0]:
                return False, str(feedback)
    return passed, message


def _notebook_answer(answer: dict[Any, Any]) -> tuple[str | None, tuple[str, ...]]:
    """(source, notes) of ``{"source": str | None, "notes": [str, ...]}``; InvalidAnswer otherwise.

    This form comes from reading a notebook; sent as JSON it gains nothing: the source is graded
    as usual and the notes are only text appended to the feedback.
    """
    if set(answer) != {"source", "notes"}:
        raise InvalidAnswer("A code answer object must have exactly the keys 'source' and 'notes'.")
    source, notes = answer["source"], answer["notes"]
    if source is not None and not isinstance(source, str):
        raise InvalidAnswer(f"'source' must be text or null, got {type(source).__name__}.")
    if (
        not isinstance(notes, list)
        or not 0 < len(notes) <= MAX_NOTES
        or not all(isinstance(n, str) and 0 < len(n) <= MAX_NOTE_CHARS for n in notes)
    ):
        raise InvalidAnswer(
            f"'notes' must be a list of 1 to {MAX_NOTES} texts of at most {MAX_NOTE_CHARS} "
            "characters."
        )
    return source, tuple(notes)


def _with_notes(verdict: Verdict, notes: tuple[str, ...]) -> Verdict:
    if not notes:
        return verdict
    feedback = "\n".join(filter(None, [verdict.feedback, "Notebook: " + " ".join(notes)]))
    return Verdict(verdict.fraction, verdict.status, feedback)


class CodeAnswer:
    """Python source defining ``functions``; run in the sandbox, judged per ``CodeSpec``."""

    name: ClassVar[str] = "code"

    def __init__(self, functions: tuple[str, ...]) -> None:
        self.functions = tuple(functions)

    def __repr__(self) -> str:
        return f"CodeAnswer(functions={self.functions!r})"

    def _source(self, answer: Any, required: tuple[str, ...]) -> str:
        if not isinstance(answer, str):
            raise InvalidAnswer(f"Python source text was expected, got {type(answer).__name__}.")
        if len(answer) > MAX_SOURCE_CHARS:
            raise InvalidAnswer(f"The code is longer than {MAX_SOURCE_CHARS} characters.")
        if not answer.strip():
            raise InvalidAnswer("The code is empty.")
        missing = [n for n in required if not re.search(rf"\b{re.escape(n)}\b", answer)]
        # Some names missing costs only the cases that call them (an unanswered TODO in a
        # notebook); none of them present means this is not an answer to the part at all.
        if missing and len(missing) == len(required):
            raise InvalidAnswer(f"Your code does not define {', '.join(missing)}.")
        return answer

    def check(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        """Run the cases of ``expected`` (a CodeSpec) in the sandbox and judge the results.

        ``answer`` is source text, or a notebook's ``{"source": str | None, "notes": [...]}``:
        no source scores 0 and says why; otherwise the notes follow the usual feedback.
        """
        if not isinstance(answer, dict):
            return self._check_source(answer, expected, ctx)
        source, notes = _notebook_answer(answer)
        if source is None:
            return Verdict.incorrect("No answer found in the notebook: " + " ".join(notes))
        try:
            verdict = self._check_source(source, expected, ctx)
        except InvalidAnswer as exc:
            raise InvalidAnswer(f"{exc} Notebook: {' '.join(notes)}") from None
        return _with_notes(verdict, notes)

    def _check_source(self, answer: Any, expected: Any, ctx: CheckContext) -> Verdict:
        spec: CodeSpec = expected
        required = tuple(dict.fromkeys(self.functions + tuple(spec.functions)))
        source = self._source(answer, required)
        runner = ctx.code_runner
        if runner is None:
            return Verdict.error("Code answers cannot be graded here: no sandbox is configured.")
        try:
            ok, why = runner.available()
        except Exception as exc:
            ok, why = False, str(exc)
        if not ok:
            return Verdict.error(f"Code answers cannot be graded right now: {why}")
        visible = [c for c in spec.cases if not c.hidden]
        hidden = [c for c in spec.cases if c.hidden]
        # Two runs: hidden inputs never enter the run whose messages we show.
        first = self._run(runner, source, visible, spec)
        if isinstance(first, Verdict):
            return first
        if not hidden:
            return self._score(spec, visible, first)
        second = self._run(runner, source, hidden, spec)
        if isinstance(second, Verdict):
            return Verdict.error(
                "Your code could not be graded on the hidden cases "
                "(it crashed, timed out or returned unusable data)."
            )
        return self._score(spec, visible + hidden, first + second)

    def _run(
        self, runner: Any, source: str, cases: list[CodeCase], spec: CodeSpec
    ) -> Verdict | tuple[Any, ...]:
        """Outcomes of one sandbox run, or the verdict its failure deserves."""
        try:
            result = runner.run(
                source,
                tuple(c.call for c in cases),
                timeout_s=spec.timeout_s,
                needs_torch=spec.needs_torch,
            )
            failure, outcomes = str(result.failure), tuple(result.outcomes)
        except Exception as exc:  # a runner bug must not become a 500
            return Verdict.error(f"The sandbox failed: {type(exc).__name__}.")
        if failure:
            if failure.startswith(COMPILE_PREFIX):
                return Verdict.invalid(f"Your code {failure[len('source ') :]}.")
            return Verdict.error(f"Your code could not be graded: {failure}.")
        if len(outcomes) != len(cases):
            return Verdict.error("The sandbox returned an incomplete result.")
        if outcomes and all(not o.ok and NOT_DEFINED in o.error for o in outcomes):
            names = ", ".join(dict.fromkeys(c.call.function for c in cases))
            return Verdict.invalid(f"Your code must define {names}; {outcomes[0].error}.")
        return outcomes

    def _score(self, spec: CodeSpec, cases: list[CodeCase], outcomes: tuple[Any, ...]) -> Verdict:
        lines, passed = [], 0
        for number, (case, outcome) in enumerate(zip(cases, outcomes, strict=True), start=1):
            ok, msg = _judge(case, outcome)
            passed += ok
            lines.append(_case_feedback(number, case, outcome, ok, msg))
        total = len(cases)
        if total == 0:
            return Verdict.error("This code part has no test cases.")
        feedback = "\n".join([f"{passed}/{total} cases passed.", *lines])
        if passed == total:
            return Verdict.correct(feedback)
        fraction = passed / total if spec.partial_credit else 0.0
        if fraction > 0:
            return Verdict.partial(fraction, feedback)
        return Verdict.incorrect(feedback)

    def describe(self) -> str:
        """What a valid answer looks like."""
        return "Python source defining " + ", ".join(self.functions)

    def public_spec(self) -> dict[str, Any]:
        """JSON-ready description (function names only)."""
        return {"kind": self.name, "functions": list(self.functions)}
