"""Bank-wide checks: thirteen problems, every part gradable, reference answers correct for
20 random students, planted mistakes caught, statements render for any student."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import numpy as np
import pytest

from problems import load_problems
from service.grading.grade import grade
from service.grading.model import Problem
from service.grading.reference_answers import planted_mistake, reference_answers
from service.grading.report import PartStatus
from service.grading.variants import make_variant

SECRET = b"bank-test-secret"
EXPECTED_IDS = {
    "disc1-gd-mechanics",
    "disc1-relu-sgd",
    "note2-sgd-concepts",
    "hw0-course-policies",
    "hw0-gd-ill-conditioning",
    "hw0-ridge-augmentation",
    "hw0-vector-calculus",
    "hw0-relu-elbow",
    "hw0-color-organ",
    "hw2-lr-stability",
    "hw2-step-size",
    "hw2-linearized-features",
    "hw2-optimizers-init",
}
STUDENTS = [f"student-{random.Random(7).randrange(10**9)}-{i}" for i in range(20)]


def _problems() -> list[Problem]:
    return sorted(load_problems().values(), key=lambda p: p.id)


def _auto_parts(problem: Problem, *, code: bool) -> Iterator[str]:
    for part in problem.parts:
        if part.kind.name == "text":
            continue
        if (part.kind.name == "code") == code:
            yield part.id


def test_registry_lists_the_thirteen_problems() -> None:
    assert set(load_problems()) == EXPECTED_IDS


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.id)
def test_problem_declares_points_and_a_planted_mistake_per_autograded_part(
    problem: Problem,
) -> None:
    assert len(set(problem.part_ids)) == len(problem.parts)
    for part in problem.parts:
        assert part.points > 0, part.id
        assert part.prompt.strip(), part.id
        if part.kind.name != "text":
            assert part.misconceptions, f"{problem.id} {part.id} has no planted mistake"
        if part.kind.name == "code":
            assert isinstance(part.solution, str) and "def " in part.solution, part.id


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.id)
def test_statement_renders_for_random_students_without_answers(problem: Problem) -> None:
    for sid in STUDENTS[:5]:
        variant = make_variant(problem, sid, SECRET)
        text = problem.render_statement(variant.params)
        prompts = [p.render_prompt(variant.params) for p in problem.parts]
        assert "{{" not in text and all("{{" not in p for p in prompts)
        public = json.dumps(
            [text, *prompts, *[[p.kind.public_spec(), p.kind.describe()] for p in problem.parts]],
            default=str,
            ensure_ascii=False,
        )
        compact_public = public.replace(" ", "")
        for part in problem.parts:
            expected = part.expected_for(variant.params, {})
            is_formula = isinstance(expected, str) and not expected.strip("() ").isidentifier()
            if is_formula and part.kind.name in {"expression", "interval"}:
                leaked = expected.replace(" ", "") in compact_public
                assert not leaked, f"{part.id} leaks its answer {expected!r} to students"


_WITH_NON_CODE_PARTS = [p for p in _problems() if any(_auto_parts(p, code=False))]


@pytest.mark.parametrize("problem", _WITH_NON_CODE_PARTS, ids=lambda p: p.id)
def test_reference_answers_grade_correct_and_planted_mistakes_do_not(problem: Problem) -> None:
    parts = tuple(_auto_parts(problem, code=False))
    for sid in STUDENTS:
        variant = make_variant(problem, sid, SECRET)
        answers = reference_answers(problem, variant.params)
        report = grade(problem, variant, answers, only=parts)
        wrong = [(r.part_id, r.status, r.feedback) for r in report.parts if r.status != "correct"]
        assert not wrong, f"{sid}: reference answers not correct: {wrong}"
        for part_id in parts:
            mistake = planted_mistake(problem.part(part_id), variant.params)
            if part_id in {p.id for p in problem.parts if p.expected_with_answers}:
                continue
            bad = grade(problem, variant, {**answers, part_id: mistake}, only=(part_id,))
            assert bad.parts[0].status != PartStatus.CORRECT, (sid, part_id, mistake)
            assert bad.parts[0].score < bad.parts[0].max_score


def test_variants_differ_between_students_and_are_stable() -> None:
    varying = [p for p in _problems() if p.sample_params is not None]
    assert varying, "no problem has per-student variants"
    for problem in varying:
        a1 = make_variant(problem, "alice", SECRET).params
        a2 = make_variant(problem, "alice", SECRET).params
        b = make_variant(problem, "bob", SECRET).params
        assert _same(a1, a2)
        assert not _same(a1, b), problem.id


def _same(p: object, q: object) -> bool:
    return bool(
        json.dumps(p, default=lambda o: np.asarray(o).tolist(), sort_keys=True)
        == json.dumps(q, default=lambda o: np.asarray(o).tolist(), sort_keys=True)
    )
