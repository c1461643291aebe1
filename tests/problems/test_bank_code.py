"""Bank-wide check of code parts in the real sandbox: the model solution passes, the
planted buggy source does not (three random students per problem)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from problems import load_problems
from service.grading.grade import grade
from service.grading.model import Problem
from service.grading.reference_answers import planted_mistake, reference_answers
from service.grading.report import PartStatus
from service.grading.variants import make_variant

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
SECRET = b"bank-test-secret"


def _code_problems() -> list[Problem]:
    return [
        p
        for p in sorted(load_problems().values(), key=lambda p: p.id)
        if any(part.kind.name == "code" for part in p.parts)
    ]


@pytest.fixture(scope="module")
def runner() -> Iterator[object]:
    from service.sandbox import create_runner

    sandbox = create_runner(workers=1)
    ok, why = sandbox.available()
    if not ok:
        pytest.skip(f"sandbox unavailable: {why}")
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize("problem", _code_problems(), ids=lambda p: p.id)
def test_code_solutions_pass_and_planted_bugs_fail(problem: Problem, runner: object) -> None:
    code_parts = tuple(p.id for p in problem.parts if p.kind.name == "code")
    for sid in ("s-alpha", "s-beta", "s-gamma"):
        variant = make_variant(problem, sid, SECRET)
        answers = reference_answers(problem, variant.params)
        report = grade(problem, variant, answers, code_runner=runner, only=code_parts)  # type: ignore[arg-type]
        wrong = [(r.part_id, r.status, r.feedback) for r in report.parts if r.status != "correct"]
        assert not wrong, f"{sid}: {wrong}"
        mistakes = {pid: planted_mistake(problem.part(pid), variant.params) for pid in code_parts}
        bad = grade(problem, variant, {**answers, **mistakes}, code_runner=runner, only=code_parts)  # type: ignore[arg-type]
        for result in bad.parts:
            assert result.status != PartStatus.CORRECT, (sid, result.part_id)
