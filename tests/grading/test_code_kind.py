"""The code kind judged against a fake runner: comparison modes, feedback, hidden cases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from service.grading.kinds.base import CheckContext, InvalidAnswer
from service.grading.kinds.code import CodeAnswer
from service.grading.kinds.code_spec import (
    CallOutcome,
    CodeCall,
    CodeCase,
    CodeSpec,
    Compare,
    RunResult,
)
from service.grading.report import PartStatus

SOURCE = "def f(x):\n    return 2 * x\n"


@dataclass
class FakeRunner:
    """Replays outcomes computed by a Python function on the calls' inputs."""

    func: Any = None
    failure: str = ""
    ok: bool = True
    runs: list[tuple[CodeCall, ...]] = field(default_factory=list)

    def available(self) -> tuple[bool, str]:
        return self.ok, "" if self.ok else "bwrap missing"

    def run(
        self, source: str, calls: tuple[CodeCall, ...], *, timeout_s: float, needs_torch: bool
    ) -> RunResult:
        self.runs.append(calls)
        if self.failure:
            return RunResult((), self.failure)
        outs = []
        for call in calls:
            try:
                outs.append(CallOutcome(True, self.func(*call.args), stdout="printed"))
            except Exception as exc:
                outs.append(CallOutcome(False, error=f"{type(exc).__name__}: {exc}"))
        return RunResult(tuple(outs))


def ctx(runner: Any) -> CheckContext:
    return CheckContext(params={}, answers={}, seed=1, part_id="a", code_runner=runner)


def spec(*cases: CodeCase, partial: bool = True) -> CodeSpec:
    return CodeSpec(functions=("f",), cases=cases, timeout_s=2.0, partial_credit=partial)


def case(x: Any, expected: Any, hidden: bool = False, **kw: Any) -> CodeCase:
    return CodeCase(call=CodeCall("f", (x,)), expected=expected, hidden=hidden, **kw)


X = np.array([1.0, 2.0, 3.0])


def test_correct_function_gets_full_credit() -> None:
    verdict = CodeAnswer(("f",)).check(
        SOURCE,
        spec(case(X, 2 * X), case(X + 1, 2 * X + 2, hidden=True)),
        ctx(FakeRunner(lambda x: 2 * x)),
    )
    assert verdict.status is PartStatus.CORRECT and verdict.fraction == 1.0


def test_partial_credit_is_fraction_of_cases_and_hidden_run_separately() -> None:
    runner = FakeRunner(lambda x: 2 * x if x[0] < 5 else x)
    s = spec(case(X, 2 * X), case(X + 10, 2 * (X + 10), hidden=True))
    verdict = CodeAnswer(("f",)).check(SOURCE, s, ctx(runner))
    assert verdict.status is PartStatus.PARTIAL and verdict.fraction == pytest.approx(0.5)
    assert [len(r) for r in runner.runs] == [1, 1]  # hidden inputs never share a run
    assert "Hidden case 2: failed." in verdict.feedback
    assert "11." not in verdict.feedback and "printed" not in verdict.feedback.split("Hidden")[1]


def test_no_partial_credit_when_disabled() -> None:
    s = spec(case(X, 2 * X), case(X, 3 * X), partial=False)
    verdict = CodeAnswer(("f",)).check(SOURCE, s, ctx(FakeRunner(lambda x: 2 * x)))
    assert verdict.fraction == 0.0 and verdict.status is PartStatus.INCORRECT


def test_visible_failure_shows_input_expected_and_got() -> None:
    verdict = CodeAnswer(("f",)).check(SOURCE, spec(case(X, 2 * X)), ctx(FakeRunner(lambda x: x)))
    assert "Expected: [2. 4. 6.]" in verdict.feedback and "Got:      [1. 2. 3.]" in verdict.feedback
    assert "f([1. 2. 3.])" in verdict.feedback


def test_shape_is_checked_unless_disabled() -> None:
    runner = FakeRunner(lambda x: (2 * x).reshape(3, 1))
    strict = CodeAnswer(("f",)).check(SOURCE, spec(case(X, 2 * X)), ctx(runner))
    assert strict.fraction == 0.0 and "Expected shape (3,), got shape (3, 1)" in strict.feedback
    loose = case(X, 2 * X, compare=Compare(check_shape=False))
    assert CodeAnswer(("f",)).check(SOURCE, spec(loose), ctx(runner)).fraction == 1.0


def test_tolerance_and_nested_structures() -> None:
    runner = FakeRunner(lambda x: (x * (1 + 1e-9), {"n": 3}))
    good = case(X, (X, {"n": 3}))
    assert CodeAnswer(("f",)).check(SOURCE, spec(good), ctx(runner)).fraction == 1.0
    bad = case(X, (X, {"n": 4}))
    assert CodeAnswer(("f",)).check(SOURCE, spec(bad), ctx(runner)).fraction == 0.0


def test_exact_mode_and_text_values() -> None:
    exact = case(3, "three", compare=Compare(mode="exact"))
    assert (
        CodeAnswer(("f",)).check(SOURCE, spec(exact), ctx(FakeRunner(lambda x: "three"))).fraction
        == 1
    )
    assert (
        CodeAnswer(("f",)).check(SOURCE, spec(exact), ctx(FakeRunner(lambda x: "3"))).fraction == 0
    )


def test_sign_invariant_columns() -> None:
    u = np.array([[1.0, 2.0], [3.0, -4.0]])
    c = case(0, u, compare=Compare(mode="sign_invariant_columns"))
    flipped = FakeRunner(lambda _: u * np.array([-1.0, 1.0]))
    assert CodeAnswer(("f",)).check(SOURCE, spec(c), ctx(flipped)).fraction == 1.0
    mixed = FakeRunner(lambda _: u * np.array([[1.0, 1.0], [-1.0, 1.0]]))
    assert CodeAnswer(("f",)).check(SOURCE, spec(c), ctx(mixed)).fraction == 0.0


def test_judge_callable_decides_and_its_errors_fail_the_case() -> None:
    judged = case(
        0,
        1.0,
        compare=Compare(mode="judge"),
        judge=lambda got, want: (abs(got - want) < 0.1, "mean is close"),
    )
    assert (
        CodeAnswer(("f",)).check(SOURCE, spec(judged), ctx(FakeRunner(lambda _: 1.05))).fraction
        == 1
    )
    boom = case(0, 1.0, compare=Compare(mode="judge"), judge=lambda got, want: 1 / 0)
    assert (
        CodeAnswer(("f",)).check(SOURCE, spec(boom), ctx(FakeRunner(lambda _: 1.0))).fraction == 0
    )


def test_near_miss_message_on_visible_case_only() -> None:
    c = case(X, 2 * X, near_misses=(("You forgot the factor 2.", X),))
    verdict = CodeAnswer(("f",)).check(SOURCE, spec(c), ctx(FakeRunner(lambda x: x)))
    assert "You forgot the factor 2." in verdict.feedback
    hidden = case(X, 2 * X, hidden=True, near_misses=(("You forgot the factor 2.", X),))
    verdict = CodeAnswer(("f",)).check(SOURCE, spec(hidden), ctx(FakeRunner(lambda x: x)))
    assert "factor" not in verdict.feedback


def test_call_exception_is_a_failed_case_with_message() -> None:
    verdict = CodeAnswer(("f",)).check(
        SOURCE, spec(case(X, 2 * X)), ctx(FakeRunner(lambda x: 1 / 0))
    )
    assert verdict.fraction == 0 and "ZeroDivisionError" in verdict.feedback


def test_compile_failure_is_invalid_and_other_failures_are_errors() -> None:
    bad = FakeRunner(failure="source does not compile: invalid syntax (line 1)")
    verdict = CodeAnswer(("f",)).check(SOURCE, spec(case(X, 2 * X)), ctx(bad))
    assert verdict.status is PartStatus.INVALID and "line 1" in verdict.feedback
    slow = FakeRunner(failure="timed out after 2 s")
    verdict = CodeAnswer(("f",)).check(SOURCE, spec(case(X, 2 * X)), ctx(slow))
    assert verdict.status is PartStatus.ERROR and verdict.fraction == 0.0


def test_failure_in_hidden_run_does_not_show_its_message() -> None:
    class Forger(FakeRunner):
        def run(self, source: str, calls: tuple[CodeCall, ...], **kw: Any) -> RunResult:
            if calls[0].args[0][0] > 100:
                return RunResult((), "source does not compile: 987654.5")
            return super().run(source, calls, **kw)

    s = spec(case(X, 2 * X), case(X + 987653.5, 2 * X, hidden=True))
    verdict = CodeAnswer(("f",)).check(SOURCE, s, ctx(Forger(lambda x: 2 * x)))
    assert verdict.status is PartStatus.ERROR and "987654" not in verdict.feedback


def test_missing_runner_or_unavailable_sandbox_is_an_error() -> None:
    assert CodeAnswer(("f",)).check(SOURCE, spec(case(X, X)), ctx(None)).status is PartStatus.ERROR
    verdict = CodeAnswer(("f",)).check(SOURCE, spec(case(X, X)), ctx(FakeRunner(ok=False)))
    assert verdict.status is PartStatus.ERROR and "bwrap missing" in verdict.feedback


@pytest.mark.parametrize("answer", [None, 42, "", "x" * 100_001, "def g(x):\n    return x\n"])
def test_unusable_sources_are_invalid(answer: Any) -> None:
    runner = FakeRunner(lambda x: x)
    with pytest.raises(InvalidAnswer):
        CodeAnswer(("f",)).check(answer, spec(case(X, X)), ctx(runner))
    assert runner.runs == []  # never sent to the sandbox


def test_function_not_defined_inside_is_invalid() -> None:
    class Missing(FakeRunner):
        def run(self, source: str, calls: tuple[CodeCall, ...], **kw: Any) -> RunResult:
            return RunResult(
                tuple(
                    CallOutcome(False, error="function 'f' is not defined by your code")
                    for _ in calls
                )
            )

    verdict = CodeAnswer(("f",)).check("f = 3\n", spec(case(X, X)), ctx(Missing()))
    assert verdict.status is PartStatus.INVALID and "must define f" in verdict.feedback


def test_one_of_two_functions_missing_costs_only_its_cases() -> None:
    class Partial(FakeRunner):
        def run(self, source: str, calls: tuple[CodeCall, ...], **kw: Any) -> RunResult:
            self.runs.append(calls)
            return RunResult(
                tuple(
                    CallOutcome(True, 2 * call.args[0])
                    if call.function == "f"
                    else CallOutcome(False, error="function 'g' is not defined by your code")
                    for call in calls
                )
            )

    both = CodeSpec(
        functions=("f", "g"),
        cases=(case(X, 2 * X), CodeCase(call=CodeCall("g", (X,)), expected=X)),
        timeout_s=2.0,
    )
    runner = Partial()
    verdict = CodeAnswer(("f", "g")).check(SOURCE, both, ctx(runner))
    assert verdict.status is PartStatus.PARTIAL and verdict.fraction == 0.5
    assert "'g' is not defined" in verdict.feedback
    with pytest.raises(InvalidAnswer, match="does not define f, g"):
        CodeAnswer(("f", "g")).check("h = 1\n", both, ctx(runner))


# Notebook answers: {"source": str | None, "notes": [...]} from reading an upload.
NOTE = "'g' is defined in a cell that does not parse."


def test_notebook_answer_without_source_scores_zero_and_says_why() -> None:
    runner = FakeRunner(lambda x: 2 * x)
    verdict = CodeAnswer(("f",)).check(
        {"source": None, "notes": [NOTE, "'f' is still the starter's placeholder."]},
        spec(case(X, 2 * X)),
        ctx(runner),
    )
    assert verdict.status is PartStatus.INCORRECT and verdict.fraction == 0.0
    assert verdict.feedback == (
        f"No answer found in the notebook: {NOTE} 'f' is still the starter's placeholder."
    )
    assert runner.runs == []  # nothing to run


def test_notebook_answer_with_source_is_graded_as_the_source_plus_notes() -> None:
    s = spec(case(X, 2 * X), case(X + 1, 2 * X + 2, hidden=True))
    plain = CodeAnswer(("f",)).check(SOURCE, s, ctx(FakeRunner(lambda x: 2 * x)))
    noted = CodeAnswer(("f",)).check(
        {"source": SOURCE, "notes": [NOTE]}, s, ctx(FakeRunner(lambda x: 2 * x))
    )
    assert (noted.status, noted.fraction) == (plain.status, plain.fraction) == (
        PartStatus.CORRECT,
        1.0,
    )
    assert noted.feedback == f"{plain.feedback}\nNotebook: {NOTE}"
    wrong = CodeAnswer(("f",)).check(
        {"source": SOURCE, "notes": [NOTE]}, s, ctx(FakeRunner(lambda x: x))
    )
    assert wrong.fraction == 0.0 and wrong.feedback.endswith(f"Notebook: {NOTE}")


def test_notebook_answer_with_unusable_source_keeps_its_notes() -> None:
    with pytest.raises(InvalidAnswer, match=f"does not define f. Notebook: {re.escape(NOTE)}"):
        CodeAnswer(("f",)).check(
            {"source": "h = 1\n", "notes": [NOTE]}, spec(case(X, X)), ctx(FakeRunner())
        )


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"source": SOURCE},
        {"notes": [NOTE]},
        {"source": SOURCE, "notes": [NOTE], "score": 1.0},
        {"source": 3, "notes": [NOTE]},
        {"source": SOURCE, "notes": NOTE},
        {"source": SOURCE, "notes": []},
        {"source": None, "notes": [None]},
        {"source": None, "notes": [""]},
        {"source": None, "notes": ["x" * 501]},
        {"source": None, "notes": ["n"] * 21},
        {"source": ["def f(x): return 2 * x"], "notes": [NOTE]},
    ],
)
def test_malformed_notebook_answers_are_invalid(answer: Any) -> None:
    runner = FakeRunner(lambda x: 2 * x)
    with pytest.raises(InvalidAnswer):
        CodeAnswer(("f",)).check(answer, spec(case(X, 2 * X)), ctx(runner))
    assert runner.runs == []


def test_json_notes_gain_nothing() -> None:
    """A forged dict scores exactly what its source scores; its notes are only appended text."""
    s = spec(case(X, 2 * X), case(X + 1, 2 * X + 2))
    half = FakeRunner(lambda x: 2 * x if x[0] < 2 else x)
    plain = CodeAnswer(("f",)).check(SOURCE, s, ctx(half))
    forged = CodeAnswer(("f",)).check(
        {"source": SOURCE, "notes": ["2/2 cases passed. Full marks."]}, s, ctx(half)
    )
    assert (forged.status, forged.fraction) == (plain.status, plain.fraction)
    assert forged.fraction == pytest.approx(0.5)
    assert forged.feedback.startswith(plain.feedback)
