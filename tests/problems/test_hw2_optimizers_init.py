"""hw2-optimizers-init: solutions pass and planted mistakes fail for 20 students, near misses
give their messages, He init is judged statistically.

Code parts run in ``FakeRunner``: an in-process runner that execs TRUSTED, test-authored source
(the problem's own solutions and mistakes), never student code. ``run_spec`` applies a spec's
comparisons the way the code kind documents them (compare modes, near misses, judges), so the
problem definitions are tested even where the real code kind/sandbox is not installed.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pytest

from problems import hw2_optimizers_init as prob
from service.grading.grade import grade
from service.grading.kinds.code_spec import CallOutcome, CodeCall, CodeCase, CodeSpec, RunResult
from service.grading.model import Problem
from service.grading.reference_answers import planted_mistake, reference_answers
from service.grading.report import PartStatus
from service.grading.variants import make_variant

SECRET = b"problem-test-secret"
STUDENTS = [f"student-{random.Random(11).randrange(10**9)}-{i}" for i in range(20)]


class FakeRunner:
    """In-process ``CodeRunner`` for trusted test sources only (no isolation at all)."""

    def run(
        self, source: str, calls: tuple[CodeCall, ...], *, timeout_s: float,
        needs_torch: bool = False,
    ) -> RunResult:
        """Exec ``source`` and make each call on deep copies of its plain-data inputs."""
        namespace: dict[str, Any] = {}
        try:
            exec(compile(source, "<trusted test source>", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - trusted sources compile
            return RunResult((), failure=f"source does not compile: {exc}")
        outcomes = []
        for call in calls:
            raw_args, raw_kwargs = copy.deepcopy((call.args, dict(call.kwargs)))
            args = [_convert(a, call.convert.get(str(i))) for i, a in enumerate(raw_args)]
            kwargs = {k: _convert(v, call.convert.get(k)) for k, v in raw_kwargs.items()}
            try:
                value = namespace[call.function](*args, **kwargs)
                outcomes.append(CallOutcome(True, value=_plain(value)))
            except Exception as exc:
                outcomes.append(CallOutcome(False, error=f"{type(exc).__name__}: {exc}"))
        return RunResult(tuple(outcomes))

    def available(self) -> tuple[bool, str]:
        """Always available (it isolates nothing)."""
        return True, ""


def _convert(value: Any, how: str | None) -> Any:
    if how == "rng":
        return np.random.default_rng(int(value))
    if how == "tensor":
        import torch

        return torch.as_tensor(value)
    return value


def _plain(value: Any) -> Any:
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    if isinstance(value, tuple | list):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _allclose(got: Any, expected: Any, rtol: float, atol: float) -> bool:
    if isinstance(expected, Mapping):
        return isinstance(got, Mapping) and set(got) == set(expected) and all(
            _allclose(got[k], v, rtol, atol) for k, v in expected.items())
    if isinstance(expected, tuple | list) and not isinstance(got, np.ndarray):
        return isinstance(got, tuple | list) and len(got) == len(expected) and all(
            _allclose(g, e, rtol, atol) for g, e in zip(got, expected, strict=True))
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
    if _allclose(outcome.value, case.expected, c.rtol, c.atol):
        return True, "Correct."
    for feedback, value in case.near_misses:
        if _allclose(outcome.value, value, c.rtol, c.atol):
            return False, feedback
    return False, "wrong"


def run_spec(spec: CodeSpec, source: str) -> list[tuple[bool, str]]:
    """Run every case of ``spec`` on ``source`` in the fake runner and judge it."""
    result = FakeRunner().run(source, tuple(c.call for c in spec.cases), timeout_s=spec.timeout_s)
    assert not result.failure, result.failure
    return [judge_case(c, o) for c, o in zip(spec.cases, result.outcomes, strict=True)]


def check_code_parts(problem: Problem, students: list[str]) -> None:
    """For each student: every code part's solution passes all cases, its planted mistake not."""
    for sid in students:
        params = make_variant(problem, sid, SECRET).params
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


def test_solutions_pass_and_planted_mistakes_fail_for_20_students() -> None:
    check_code_parts(prob.PROBLEM, STUDENTS)


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


def code_kind_is_placeholder() -> bool:
    """True while ``service/grading/kinds/code.py`` is still the pre-integration placeholder."""
    from service.grading.kinds import code

    return "Placeholder" in (code.__doc__ or "")


def grade_code_parts(problem: Problem, runner: object, students: list[str]) -> None:
    """Through ``grade()``: reference answers correct, planted mistakes not, for each student."""
    code_parts = tuple(p.id for p in problem.parts if p.kind.name == "code")
    for sid in students:
        variant = make_variant(problem, sid, SECRET)
        answers = reference_answers(problem, variant.params)
        report = grade(problem, variant, answers, code_runner=runner, only=code_parts)  # type: ignore[arg-type]
        wrong = [(r.part_id, r.status, r.feedback) for r in report.parts if r.status != "correct"]
        assert not wrong, (sid, wrong)
        mistakes = {pid: planted_mistake(problem.part(pid), variant.params) for pid in code_parts}
        bad = grade(problem, variant, {**answers, **mistakes}, code_runner=runner, only=code_parts)  # type: ignore[arg-type]
        assert all(r.status != PartStatus.CORRECT for r in bad.parts), (sid, bad.parts)


def real_runner() -> Iterator[object]:
    """The real sandbox runner, or skip when it is not built or not usable here."""
    import service.sandbox as sandbox

    create = getattr(sandbox, "create_runner", None)
    if create is None:
        pytest.skip("service.sandbox.create_runner does not exist yet")
    runner = create(workers=1)
    ok, why = runner.available()
    if not ok:
        runner.close()
        pytest.skip(f"sandbox unavailable: {why}")
    yield runner
    runner.close()


@pytest.mark.skipif(code_kind_is_placeholder(), reason="code kind not integrated yet")
def test_grade_with_code_kind_and_fake_runner() -> None:
    grade_code_parts(prob.PROBLEM, FakeRunner(), STUDENTS)
    variant = make_variant(prob.PROBLEM, STUDENTS[0], SECRET)
    answers = {"a": prob.BUGGY["sgd_momentum"]}
    report = grade(prob.PROBLEM, variant, answers, code_runner=FakeRunner(), only=("a",))
    assert "(1 - momentum)" in report.parts[0].feedback


@pytest.mark.sandbox
@pytest.mark.slow
def test_grade_in_the_real_sandbox() -> None:
    for runner in real_runner():
        grade_code_parts(prob.PROBLEM, runner, STUDENTS[:2])
