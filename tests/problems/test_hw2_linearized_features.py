"""hw2-linearized-features: solutions pass and planted mistakes fail for 20 students, near
misses give their messages, sign-flipped / rotated singular vectors pass, init is judged
statistically with a measured false-failure rate. (Fake runner: trusted test sources only.)"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from problems import hw2_linearized_features as prob
from reference import linearized_features as lf
from service.grading.grade import grade
from service.grading.report import PartStatus
from service.grading.variants import make_variant
from tests.helpers.code_parts import check_code_parts, grade_code_parts, run_spec
from tests.helpers.fake_runner import FakeRunner

# The same secret and students as the other code-problem tests (hw2-optimizers-init).
SECRET = b"problem-test-secret"
STUDENTS = [f"student-{random.Random(11).randrange(10**9)}-{i}" for i in range(20)]


def test_solutions_pass_and_planted_mistakes_fail_for_20_students() -> None:
    check_code_parts(prob.PROBLEM, SECRET, STUDENTS)


def test_b_top_reference_and_planted_mistake_for_20_students() -> None:
    for sid in STUDENTS:
        variant = make_variant(prob.PROBLEM, sid, SECRET)
        p = variant.params
        F = lf.jacobian_features(*prob._net_arrays(p), prob._grid(p))  # independent route
        top = float(np.linalg.svd(F, compute_uv=False)[0])
        assert prob.top_singular_value(p) == pytest.approx(top, rel=1e-10)
        assert 3 <= p["width"] <= 6 and p["n"] >= 3 * p["width"] + 1
        right = grade(prob.PROBLEM, variant, {"b.top": top}, only=("b.top",))
        assert right.parts[0].status == PartStatus.CORRECT, right.parts[0].feedback
        wrong = grade(prob.PROBLEM, variant, {"b.top": top**2}, only=("b.top",))
        assert wrong.parts[0].status != PartStatus.CORRECT


def test_statement_shows_the_numbers_the_answer_is_computed_from() -> None:
    params = make_variant(prob.PROBLEM, STUDENTS[0], SECRET).params
    text = prob.PROBLEM.render_statement(params)
    for value in params["W1"] + params["b1"]:
        assert f"{value:.6g}" in text


@pytest.mark.parametrize(
    ("mistake", "old", "new"),
    [
        ("no_w2", "on * w2 * x, on * w2,", "on * x, on,"),
        ("no_gate", "on * w2 * x, on * w2,", "w2 * x, w2 + 0 * on,"),
        ("type_order", "on * w2 * x, on * w2, np.maximum(z, 0.0),",
         "on * w2 * x, np.maximum(z, 0.0), on * w2,"),
    ],
)
def test_feature_near_misses_produce_their_messages(mistake: str, old: str, new: str) -> None:
    source = prob.SOLUTIONS["a"].replace(old, new)
    assert source != prob.SOLUTIONS["a"]
    spec = prob.PROBLEM.part("a").expected_for(make_variant(prob.PROBLEM, "x", SECRET).params, {})
    verdicts = run_spec(spec, source)
    assert not verdicts[1][0] and verdicts[1][1] == prob.FEATURE_FEEDBACK[mistake]


SIGN_FLIPPED = '''import numpy as np

def principal_features(F):
    F = np.asarray(F, dtype=float)
    U, s, Vt = np.linalg.svd(F, full_matrices=True)
    signs = np.where(np.arange(Vt.shape[0]) % 2 == 0, -1.0, 1.0)
    Vt = Vt * signs[:, None]
    return s, F @ Vt.T
'''

ROTATED = '''import numpy as np

def principal_features(F):
    F = np.asarray(F, dtype=float)
    U, s, Vt = np.linalg.svd(F, full_matrices=False)
    P = F @ Vt.T
    for i in range(len(s) - 1):  # rotate inside pairs of equal singular values
        if abs(s[i] - s[i + 1]) < 1e-9 * s[0]:
            c, t = np.cos(0.6), np.sin(0.6)
            P[:, [i, i + 1]] = P[:, [i, i + 1]] @ np.array([[c, -t], [t, c]])
    return s, P
'''


@pytest.mark.parametrize("source", [SIGN_FLIPPED, ROTATED], ids=["sign-flips", "rotation"])
def test_sign_flipped_and_rotated_singular_vectors_still_pass(source: str) -> None:
    for sid in STUDENTS[:5]:
        params = make_variant(prob.PROBLEM, sid, SECRET).params
        spec = prob.PROBLEM.part("b").expected_for(params, {})
        assert all(ok for ok, _ in run_spec(spec, source)), sid


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("return s, U", "left singular vectors U"),
        ("return s**2, F @ Vt.T", "squared singular values"),
        ("return s[::-1], F @ Vt.T", "descending"),
        ("return s, F @ Vt", "not F @ Vt.T"),
    ],
)
def test_principal_feature_mistakes_get_specific_messages(new: str, message: str) -> None:
    source = prob.SOLUTIONS["b"].replace("return s, F @ Vt.T", new)
    spec = prob.PROBLEM.part("b").expected_for(prob.PROBLEM.base_params, {})
    verdicts = run_spec(spec, source)
    assert not verdicts[0][0] and message in verdicts[0][1], verdicts[0]


def test_init_judge_false_failure_rate_and_mistakes() -> None:
    width, rng = 3000, np.random.default_rng(5)
    # 400 correct networks: the bound is ~2e-8 per call (4 checks × ~6e-9), so none may fail.
    failures = [prob.init_problem(lf.init_two_layer(width, rng), width, True) for _ in range(400)]
    assert not any(failures), [f for f in failures if f]
    good = lf.init_two_layer(width, rng)
    assert "all zeros" in prob.init_problem({**good, "b1": np.zeros(width)}, width, True)
    he_bias = {**good, "b1": rng.normal(0, np.sqrt(2.0), width)}
    assert "He std" in prob.init_problem(he_bias, width, True)
    lecun = {**good, "W1": rng.normal(0, 1.0, (width, 1))}
    assert "LeCun" in prob.init_problem(lecun, width, True)
    assert "missing" in prob.init_problem({"W1": good["W1"]}, width, True)
    assert "must hold" in prob.init_problem({**good, "b2": np.zeros(2)}, width, True)
    assert prob.init_problem(lf.init_two_layer(3, rng), 3, False) == ""


def test_grade_with_code_kind_and_fake_runner() -> None:
    grade_code_parts(prob.PROBLEM, SECRET, FakeRunner(), STUDENTS[:5])
    variant = make_variant(prob.PROBLEM, STUDENTS[0], SECRET)
    report = grade(prob.PROBLEM, variant, {"b": SIGN_FLIPPED}, code_runner=FakeRunner(),
                   only=("b",))
    assert report.parts[0].status == PartStatus.CORRECT, report.parts[0].feedback


@pytest.mark.sandbox
@pytest.mark.slow
def test_grade_in_the_real_sandbox(sandbox: Any) -> None:
    grade_code_parts(prob.PROBLEM, SECRET, sandbox, STUDENTS[:2])
