"""hw0-gd-ill-conditioning: labelled answers per part and 20 random variants."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from problems.hw0_gd_ill_conditioning import PROBLEM, k_bound
from reference import ill_conditioning as ref
from service.grading.report import PartResult, PartStatus
from service.grading.variants import make_variant
from tests.helpers.grading import auto_parts, check_students, grade_one

SECRET = b"test-secret"
STUDENTS = [f"s{random.Random(12).randrange(10**6)}-{i}" for i in range(20)]


def _grade(part_id: str, answer: Any, sid: str | None = None) -> PartResult:
    return grade_one(PROBLEM, SECRET, part_id, answer, sid)


STEP_CORRECT = [
    "norm_wprev + eta*alpha*norm_y",
    "norm_wprev + η α norm_y",
    "α*η*norm_y + norm_wprev",
    "norm_wprev + eta alpha norm_y",
    "(1 + eta*alpha*norm_y/norm_wprev)*norm_wprev",
    "eta*(alpha*norm_y + norm_wprev/eta)",
    "norm_wprev + ηαnorm_y",
]
STEP_WRONG = [
    ("norm_wprev + eta*alpha**2*norm_y", "once"),
    ("norm_wprev + eta*alpha^2*norm_y", "once"),
    ("eta*alpha*norm_y", "previous iterate"),
    ("norm_wprev + alpha*norm_y", "keep η"),
    ("norm_wprev - eta*alpha*norm_y", "never subtracts"),
    ("2*norm_wprev + 2*eta*alpha*norm_y", "twice"),
    ("norm_wprev*(1 - eta*alpha^2) + eta*alpha*norm_y", "Not equivalent"),
]


@pytest.mark.parametrize("answer", STEP_CORRECT)
def test_step_bound_correct_forms(answer: str) -> None:
    assert _grade("a.step", answer).status == PartStatus.CORRECT


@pytest.mark.parametrize(("answer", "feedback"), STEP_WRONG)
def test_step_bound_mistakes(answer: str, feedback: str) -> None:
    result = _grade("a.step", answer)
    assert result.status == PartStatus.INCORRECT and result.score == 0
    assert feedback in result.feedback


@pytest.mark.parametrize("answer", ["norm(w_prev) + eta*alpha*norm(y)", "norm_wprev +", "‖w‖"])
def test_step_bound_unreadable_or_unknown_names_are_invalid(answer: str) -> None:
    assert _grade("a.step", answer).status == PartStatus.INVALID


def test_eigenvalue_choice() -> None:
    assert _grade("a.eig", "pm1").status == PartStatus.CORRECT
    assert _grade("a.eig", "they lie in [−1, 1]").status == PartStatus.CORRECT
    wrong = _grade("a.eig", "unit")
    assert wrong.status == PartStatus.INCORRECT and "oscillates" in wrong.feedback
    assert "1 − ησ_i²" in _grade("a.eig", "zero_two").feedback
    assert _grade("a.eig", "[-1,1]").status == PartStatus.INVALID


def test_base_bound_value() -> None:
    assert _grade("a.k", "50*0.02*4*10 + 3").status == PartStatus.CORRECT
    assert _grade("a.k", 43).status == PartStatus.CORRECT
    assert "‖w*‖" in _grade("a.k", "40").feedback
    assert "One factor of α" in _grade("a.k", "163").feedback
    assert _grade("a.k", "44").status == PartStatus.INCORRECT
    assert _grade("a.k", "forty-three").status == PartStatus.INVALID


def test_variant_bound_and_near_misses() -> None:
    sid = STUDENTS[4]
    p = make_variant(PROBLEM, sid, SECRET).params
    value = p["k"] * p["eta"] * p["alpha"] * p["norm_y"] + p["norm_wstar"]
    assert k_bound(p) == pytest.approx(value)
    assert _grade("a.k", f"{value:.5g}", sid).status == PartStatus.CORRECT
    assert "‖w*‖" in _grade("a.k", f"{value - p['norm_wstar']:.5g}", sid).feedback
    assert _grade("a.k", f"{2 * value:.5g}", sid).status == PartStatus.INCORRECT


def test_variant_numbers_are_consistent_with_a_non_diverging_gd() -> None:
    for sid in STUDENTS:
        p = make_variant(PROBLEM, sid, SECRET).params
        assert 0 < p["eta"] * p["alpha"] ** 2 < 2  # inside the stable range
        assert 20 <= p["k"] <= 200
        assert p["norm_wstar"] >= 0.02 * k_bound(p)
        for key in ("eta", "alpha", "norm_y", "norm_wstar"):
            assert float(f"{p[key]:.3g}") == p[key]  # the statement shows the exact numbers


def test_variant_bound_holds_on_a_simulated_gd() -> None:
    rng = np.random.default_rng(3)
    p = make_variant(PROBLEM, STUDENTS[5], SECRET).params
    f = ref.ill_conditioned_matrix(rng, 10, 5, 1e5, alpha=p["alpha"])
    y = rng.normal(size=10)
    y *= p["norm_y"] / np.linalg.norm(y)
    w_star = np.linalg.lstsq(f, y, rcond=None)[0]
    ws = ref.gd_iterates(f, y, p["eta"], p["k"])
    bound = ref.k_step_bound(
        p["k"], p["eta"], p["alpha"], p["norm_y"], float(np.linalg.norm(w_star))
    )
    assert np.linalg.norm(ws[-1] - w_star) <= bound


def test_reference_answers_correct_and_planted_mistakes_not_for_20_students() -> None:
    check_students(PROBLEM, SECRET, STUDENTS, auto_parts(PROBLEM), zero_score=True)


def test_prompt_renders_variant_numbers() -> None:
    p = make_variant(PROBLEM, STUDENTS[6], SECRET).params
    prompt = PROBLEM.part("a.k").render_prompt(p)
    assert f"k = {p['k']}" in prompt and f"{p['eta']:.3g}" in prompt and "{{" not in prompt
    assert _grade("a", "Because the eigenvalues ...").status == PartStatus.UNGRADED
