"""Checks of code parts outside ``grade()``: run a spec's cases in the fake runner and apply
its comparisons the way the code kind documents them (compare modes, near misses, judges)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from service.grading.grade import grade
from service.grading.kinds.code_spec import CallOutcome, CodeCase, CodeRunner, CodeSpec
from service.grading.model import Problem
from service.grading.reference_answers import planted_mistake, reference_answers
from service.grading.report import PartStatus
from service.grading.variants import make_variant
from tests.helpers.fake_runner import FakeRunner


def allclose(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-8) -> bool:
    """Elementwise closeness through nested dicts / lists / tuples, shapes included."""
    if isinstance(expected, Mapping):
        return isinstance(got, Mapping) and set(got) == set(expected) and all(
            allclose(got[k], v, rtol, atol) for k, v in expected.items())
    if isinstance(expected, tuple | list) and not isinstance(got, np.ndarray):
        return isinstance(got, tuple | list) and len(got) == len(expected) and all(
            allclose(g, e, rtol, atol) for g, e in zip(got, expected, strict=True))
    try:
        g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    return g.shape == e.shape and bool(np.allclose(g, e, rtol=rtol, atol=atol))


def judge_case(case: CodeCase, outcome: CallOutcome) -> tuple[bool, str]:
    """(passed, message) for one case, as the code kind's contract describes."""
    if not outcome.ok:
        return False, outcome.error
    if case.compare.mode == "judge":
        ok, message = case.judge(outcome.value, case.expected)
        return bool(ok), str(message)
    c = case.compare
    if allclose(outcome.value, case.expected, c.rtol, c.atol):
        return True, "Correct."
    for feedback, value in case.near_misses:
        if allclose(outcome.value, value, c.rtol, c.atol):
            return False, feedback
    return False, "wrong"


def run_cases(spec: CodeSpec, source: str) -> list[CallOutcome]:
    """Run every case of ``spec`` on ``source`` in the fake runner (the run must not fail)."""
    result = FakeRunner().run(source, tuple(c.call for c in spec.cases), timeout_s=spec.timeout_s)
    assert not result.failure, result.failure
    return list(result.outcomes)


def run_spec(spec: CodeSpec, source: str) -> list[tuple[bool, str]]:
    """Run every case of ``spec`` on ``source`` in the fake runner and judge it."""
    outcomes = run_cases(spec, source)
    return [judge_case(c, o) for c, o in zip(spec.cases, outcomes, strict=True)]


def check_code_parts(problem: Problem, secret: bytes, students: list[str]) -> None:
    """For each student: every code part's solution passes all cases, its planted mistake not."""
    for sid in students:
        params = make_variant(problem, sid, secret).params
        for part in problem.parts:
            if part.kind.name != "code":
                continue
            spec = part.expected_for(params, {})
            assert isinstance(spec, CodeSpec)
            assert spec.functions == part.kind.functions  # type: ignore[attr-defined]
            assert isinstance(part.solution, str)
            verdicts = run_spec(spec, part.solution)
            assert all(ok for ok, _ in verdicts), (sid, part.id, verdicts)
            assert any(not c.hidden for c in spec.cases) and any(c.hidden for c in spec.cases)
            bad = run_spec(spec, part.misconceptions[0].answer)
            assert not all(ok for ok, _ in bad), (sid, part.id)


def grade_code_parts(
    problem: Problem, secret: bytes, runner: CodeRunner, students: list[str]
) -> None:
    """Through ``grade()``: reference answers correct, planted mistakes not, for each student."""
    code_parts = tuple(p.id for p in problem.parts if p.kind.name == "code")
    for sid in students:
        variant = make_variant(problem, sid, secret)
        answers = reference_answers(problem, variant.params)
        report = grade(problem, variant, answers, code_runner=runner, only=code_parts)
        wrong = [(r.part_id, r.status, r.feedback) for r in report.parts if r.status != "correct"]
        assert not wrong, (sid, wrong)
        mistakes = {pid: planted_mistake(problem.part(pid), variant.params) for pid in code_parts}
        bad = grade(problem, variant, {**answers, **mistakes}, code_runner=runner, only=code_parts)
        assert all(r.status != PartStatus.CORRECT for r in bad.parts), (sid, bad.parts)
