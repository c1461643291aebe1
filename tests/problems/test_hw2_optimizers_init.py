"""hw2-optimizers-init: solutions pass and planted mistakes fail for 20 students, near misses
give their messages, He init is judged statistically. (Fake runner: trusted test sources only.)
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from problems import hw2_optimizers_init as prob
from service.grading.grade import grade
from service.grading.variants import make_variant
from tests.helpers.code_parts import check_code_parts, grade_code_parts, run_spec
from tests.helpers.fake_runner import FakeRunner

SECRET = b"problem-test-secret"
STUDENTS = [f"student-{random.Random(11).randrange(10**9)}-{i}" for i in range(20)]


def test_solutions_pass_and_planted_mistakes_fail_for_20_students() -> None:
    check_code_parts(prob.PROBLEM, SECRET, STUDENTS)


def test_base_variant_uses_the_course_check_numbers() -> None:
    params = make_variant(prob.PROBLEM, None, SECRET).params
    spec = prob.PROBLEM.part("a").expected_for(params, {})
    first = spec.cases[0]
    assert first.label == "course check" and not first.hidden
    assert first.expected[0][0, 0] == pytest.approx(-0.39994)
    adam = prob.PROBLEM.part("c").expected_for(params, {}).cases[0]
    assert adam.expected[0][0, 0] == pytest.approx(-0.40094747)
    assert adam.call.args[2]["t"] == 5


def _late_t_adam() -> str:
    source = prob.SOLUTIONS["adam"].replace('    config["t"] += 1\n', "")
    # t is used by the bias correction first and incremented afterwards.
    late = '    config["t"] += 1\n    return next_w, config'
    return source.replace("    return next_w, config", late)


@pytest.mark.parametrize(
    ("part_id", "source", "feedback"),
    [
        ("a", prob.BUGGY["sgd_momentum"], "(1 - momentum)"),
        ("a", prob.SOLUTIONS["sgd_momentum"].replace(
            'v = config["momentum"] * np.asarray(v) + dw',
            'v = config["momentum"] * np.asarray(v) - config["learning_rate"] * dw').replace(
            'return w - config["learning_rate"] * v', "return w + v"), "v = m*v - lr*dw"),
        ("b", prob.BUGGY["rmsprop"], "outside the square root"),
        ("c", prob.BUGGY["adam"], "Missing bias correction"),
        ("c", _late_t_adam(), "Increment t before"),
        ("e", prob.BUGGY["mean_grad_norm"], "not their sum"),
        ("e", prob.SOLUTIONS["mean_grad_norm"].replace(
            "np.linalg.norm(np.ravel(g))", "np.sum(np.square(g))"), "not the squared norms"),
    ],
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_near_misses_produce_their_messages(part_id: str, source: str, feedback: str) -> None:
    part = prob.PROBLEM.part(part_id)
    assert source != part.solution
    for sid in STUDENTS[:3]:
        spec = part.expected_for(make_variant(prob.PROBLEM, sid, SECRET).params, {})
        messages = [m for ok, m in run_spec(spec, source) if not ok]
        assert any(feedback in m for m in messages), messages


def test_adam_missing_bias_correction_on_v_only_is_caught() -> None:
    part = prob.PROBLEM.part("c")
    source = prob.SOLUTIONS["adam"].replace(
        'v_hat = config["v"] / (1 - b2 ** config["t"])', 'v_hat = config["v"]')
    verdicts = run_spec(part.expected_for(prob.PROBLEM.base_params, {}), source)
    assert not all(ok for ok, _ in verdicts)


def test_returned_config_is_compared_key_by_key() -> None:
    expected = prob.ref.sgd_momentum(prob.W, prob.DW, {"learning_rate": 1e-3})
    next_w, cfg = expected
    assert prob.update_problem((next_w, dict(cfg)), expected) == ""
    assert "velocity" in prob.update_problem((next_w, {**cfg, "velocity": 0 * next_w}), expected)
    missing = {k: v for k, v in cfg.items() if k != "momentum"}
    assert "setdefault" in prob.update_problem((next_w, missing), expected)
    assert prob.update_problem(next_w, expected) == "return a pair (next_w, config)"
    assert prob.update_problem([next_w, {**cfg, "extra": 1}], expected) == ""


def test_he_judge_false_failure_rate_and_mistakes() -> None:
    judge = prob.he_judge(8, 4000)
    rng = np.random.default_rng(0)
    # 300 correct draws: the analytic false-failure rate is ~6e-9 per call, so none may fail.
    assert all(judge(rng.normal(0, 0.5, (8, 4000)), None)[0] for _ in range(300))
    assert judge(rng.normal(0, np.sqrt(1 / 8), (8, 4000)), None) == (
        False, "std sqrt(1/fan_in) is LeCun init; He uses sqrt(2/fan_in).")
    assert "fan_out" in judge(rng.normal(0, np.sqrt(2 / 4000), (8, 4000)), None)[1]
    uniform = rng.uniform(-0.5 * np.sqrt(3), 0.5 * np.sqrt(3), (8, 4000))
    ok, message = judge(uniform, None)
    assert not ok and "not normal" in message
    assert judge(rng.normal(0, 0.5, (4000, 8)), None)[0] is False


def test_d_std_number_part() -> None:
    part = prob.PROBLEM.part("d.std")
    assert part.expected_for(prob.PROBLEM.base_params, {}) == pytest.approx(0.0255155, abs=1e-7)


def test_grade_with_code_kind_and_fake_runner() -> None:
    grade_code_parts(prob.PROBLEM, SECRET, FakeRunner(), STUDENTS)
    variant = make_variant(prob.PROBLEM, STUDENTS[0], SECRET)
    answers = {"a": prob.BUGGY["sgd_momentum"]}
    report = grade(prob.PROBLEM, variant, answers, code_runner=FakeRunner(), only=("a",))
    assert "(1 - momentum)" in report.parts[0].feedback


@pytest.mark.sandbox
@pytest.mark.slow
def test_grade_in_the_real_sandbox(sandbox: Any) -> None:
    grade_code_parts(prob.PROBLEM, SECRET, sandbox, STUDENTS[:2])
