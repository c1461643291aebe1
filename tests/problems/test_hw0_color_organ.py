"""hw0-color-organ graded on labelled answers, its calibration re-checked on fresh seeds, its code
parts run through an in-process fake runner (trusted, test-authored source only) and, when
the sandbox is available, the real runner."""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from problems import hw0_color_organ as prob
from reference import color_organ as co
from reference import color_organ_training as tr
from service.grading.grade import grade
from service.grading.reference_answers import planted_mistake, reference_answers
from service.grading.report import PartResult, PartStatus
from service.grading.variants import make_variant
from tests.helpers.fake_runner import FakeRunner

P = prob.PROBLEM
SECRET = b"color-organ-test"
BASE = make_variant(P, None, SECRET)
STUDENTS = [f"student-{i:03d}" for i in range(20)]
NUMBER_PARTS = tuple(p.id for p in P.parts if p.kind.name == "number")
CODE_PARTS = ("e", "f", "g")


def _grade(
    answers: Mapping[str, Any], only: tuple[str, ...], variant: Any = BASE
) -> list[PartResult]:
    return list(grade(P, variant, answers, only=only, code_runner=FakeRunner()).parts)


def _one(part_id: str, answer: Any, variant: Any = BASE, **others: Any) -> PartResult:
    return _grade({**others, part_id: answer}, (part_id,), variant)[0]


def test_base_variant_uses_the_course_numbers() -> None:
    assert P.part("a").expected_for(BASE.params, {}) == pytest.approx(198.94, abs=0.005)
    b = P.part("b.R").expected_for(BASE.params, {})
    assert (b.lo, b.hi) == (pytest.approx(176.84, abs=0.005), pytest.approx(227.36, abs=0.005))
    for key, want in [("f.R", 31.83), ("g.R_low", 39.79), ("g.R_high", 159.15), ("h.low", 4000)]:
        assert prob.ideal(BASE.params, key) == pytest.approx(want, abs=0.005)
    h_low, h_high = (P.part(k).expected_for(BASE.params, {}) for k in ("h.low", "h.high"))
    assert h_low.lo < 3810 and h_low.hi > 3870 and h_high.lo < 1025 and h_high.hi > 1040
    d = P.part("d").expected_for(BASE.params, {})
    assert d.lo < 320 and d.hi > 390 and d.lo > 198.94 * 1.2


LABELLED = [
    ("a", 198.94, PartStatus.CORRECT, ""),
    ("a", "1/(2*pi*800e-6)", PartStatus.CORRECT, ""),
    ("a", 200.9, PartStatus.CORRECT, ""),
    ("a", 203.0, PartStatus.INCORRECT, ""),
    ("a", 1250.0, PartStatus.INCORRECT, "2π"),
    ("a", 198.94 / (2 * math.pi), PartStatus.INCORRECT, "2π"),
    ("a", "two hundred", PartStatus.INVALID, ""),
    ("b.R", 176.9, PartStatus.CORRECT, ""),
    ("b.R", 227.3, PartStatus.CORRECT, ""),
    ("b.R", 176.8, PartStatus.INCORRECT, ""),
    ("b.R", 227.4, PartStatus.INCORRECT, ""),
    ("b.R", 1250.0, PartStatus.INCORRECT, "2π"),
    ("c", 198.99, PartStatus.CORRECT, ""),
    ("c", 198.94, PartStatus.CORRECT, ""),
    ("c", 201.0, PartStatus.INCORRECT, ""),
    ("c", 1000.0, PartStatus.INCORRECT, "initial"),
    ("d", 344.0, PartStatus.CORRECT, ""),
    ("d", 390.0, PartStatus.CORRECT, ""),
    ("d", 198.94, PartStatus.INCORRECT, "biased"),
    ("d", 250.0, PartStatus.INCORRECT, ""),
    ("e.R", 190.0, PartStatus.CORRECT, ""),
    ("e.R", 344.0, PartStatus.INCORRECT, "biased"),
    ("f.R", 31.8, PartStatus.CORRECT, ""),
    ("f.R", 200.0, PartStatus.INCORRECT, "2π"),
    ("g.R_low", 39.8, PartStatus.CORRECT, ""),
    ("g.R_low", 159.15, PartStatus.INCORRECT, "R_high"),
    ("g.R_high", 159.2, PartStatus.CORRECT, ""),
    ("h.low", 3840.0, PartStatus.CORRECT, ""),
    ("h.low", 4000.0, PartStatus.INCORRECT, "Bode fit"),
    ("h.high", 1034.0, PartStatus.CORRECT, ""),
    ("h.high", 1000.0, PartStatus.INCORRECT, "Bode fit"),
    ("i.lp", 198.9, PartStatus.CORRECT, ""),
    ("i.bp_low", 39.8, PartStatus.CORRECT, ""),
    ("i.bp_high", 39.8, PartStatus.INCORRECT, "R_low"),
    ("i.hp", 31.8, PartStatus.CORRECT, ""),
]


@pytest.mark.parametrize(("part_id", "answer", "status", "says"), LABELLED)
def test_labelled_answers(part_id: str, answer: Any, status: PartStatus, says: str) -> None:
    result = _one(part_id, answer)
    assert result.status == status, result.feedback
    assert says in result.feedback


@pytest.mark.parametrize("key", list(prob.CALIBRATION_RATIOS))
def test_learned_parts_accept_inside_and_reject_just_outside_their_tolerance(key: str) -> None:
    for sid in (None, "edge-student"):
        variant = make_variant(P, sid, SECRET)
        lo, hi = prob.tolerance(key)
        target = prob.ideal(variant.params, key)
        for value, ok in [(lo * 1.0001, True), (hi * 0.9999, True), (lo * 0.999, False),
                          (hi * 1.001, False)]:  # fmt: skip
            assert (_one(key, value * target, variant).status == PartStatus.CORRECT) is ok


def test_cutoff_follows_through_from_the_students_own_resistor() -> None:
    both = ("b.R", "b.fc")
    assert _one("b.fc", 884.2, **{"b.R": 180.0}).status == PartStatus.CORRECT
    assert _one("b.fc", 800.0, **{"b.R": 180.0}).status == PartStatus.INCORRECT
    assert _one("b.fc", 800.0, **{"b.R": "1/(2*pi*800e-6)"}).status == PartStatus.CORRECT
    wrong_r = _grade({"b.R": 100.0, "b.fc": 1591.5}, both)  # b.R is wrong; b.fc is consistent
    assert [r.status for r in wrong_r] == [PartStatus.INCORRECT, PartStatus.CORRECT]
    garbled = _one("b.fc", 800.0, **{"b.R": "a resistor"})
    assert garbled.status == PartStatus.INVALID and "b.R" in garbled.feedback
    assert _one("b.fc", 800.0).status == PartStatus.CORRECT  # no b.R: any valid cutoff
    assert _one("b.fc", 950.0).status == PartStatus.INCORRECT
    rad = _one("b.fc", 1 / (200.0 * co.C), **{"b.R": 200.0})
    assert rad.status == PartStatus.INCORRECT and "2π" in rad.feedback


def test_calibration_is_documented_and_covers_fresh_seeds_and_variants() -> None:
    assert prob.CALIBRATION_SEEDS >= 50 and len(prob.CALIBRATION_DATE) == 10
    for k, seeds in ((1.0, range(1000, 1006)), (1.35, range(2000, 2004)), (0.6, range(3000, 3004))):
        ratios = tr.calibration_ratios(tr.Settings().scaled(k), seeds)
        assert set(ratios) == set(prob.CALIBRATION_RATIOS)
        for key, values in ratios.items():
            lo, hi = prob.tolerance(key)
            assert ((lo < values) & (values < hi)).all(), (k, key, values, (lo, hi))


def test_variants_keep_the_led_table_separable_and_scale_everything_together() -> None:
    for seed in range(200):
        params = P.sample_params(np.random.default_rng(seed))  # type: ignore[misc]
        lo, hi = prob.table_r_range(params)
        lit = co.lp_table_lights(params["table_freqs"], (lo + hi) / 2)
        assert lit == [bool(x) for x in params["table_lit"]] and 2 <= sum(lit) <= 5
        k = params["f_lp"] / 800.0
        assert 0.5 <= k <= 2.0 and params["f_hp"] == pytest.approx(5000.0 * k)
        assert params["lr_hp"] == pytest.approx(20.0 / k**2, rel=0.005)


def test_reference_answers_grade_correct_and_planted_mistakes_do_not_for_20_students() -> None:
    for sid in STUDENTS:
        variant = make_variant(P, sid, SECRET)
        answers = reference_answers(P, variant.params)
        results = _grade(answers, NUMBER_PARTS, variant)
        assert all(r.status == PartStatus.CORRECT for r in results), (sid, results)
        for pid in NUMBER_PARTS:
            bad = {**answers, pid: planted_mistake(P.part(pid), variant.params)}
            assert _grade(bad, (pid,), variant)[0].status != PartStatus.CORRECT, (sid, pid)


def test_code_solutions_pass_and_planted_bugs_fail_with_the_fake_runner() -> None:
    for sid in (None, *STUDENTS[:3]):
        variant = make_variant(P, sid, SECRET)
        answers = reference_answers(P, variant.params)
        assert all(r.status == PartStatus.CORRECT for r in _grade(answers, CODE_PARTS, variant))
        for pid in CODE_PARTS:
            bad = _one(pid, planted_mistake(P.part(pid), variant.params), variant)
            assert bad.status in (PartStatus.INCORRECT, PartStatus.PARTIAL), (sid, pid)


SUM_LOSS = "import torch\n\ndef loss_fn(x, y):\n    return torch.sum((x - 0.25 - 0.75 * y) ** 2)\n"
FLOAT_LOSS = "def loss_fn(x, y):\n    return 0.5\n"
BOOL_LOSS = "def loss_fn(x, y):\n    return x > y\n"


@pytest.mark.parametrize(
    ("source", "status"),
    [(SUM_LOSS, PartStatus.CORRECT), (prob.MSE_LOSS_SRC, PartStatus.INCORRECT),
     (FLOAT_LOSS, PartStatus.INCORRECT), (BOOL_LOSS, PartStatus.INCORRECT)],
)  # fmt: skip
def test_loss_part_trains_with_the_students_loss(source: str, status: PartStatus) -> None:
    result = _one("e", source)
    assert result.status == status, result.feedback
    if source == prob.MSE_LOSS_SRC:
        assert "learned R = 3" in result.feedback  # the biased value of (d)


def test_harness_training_is_the_reference_trainer() -> None:
    harness = importlib.import_module("service.sandbox.harnesses.color_organ")
    namespace = {"loss_fn": tr.shifted_squared_error}
    for seed in prob.E_SEEDS:
        got = harness.run(namespace, cutoff_hz=800.0, r_init=500.0, lr=200.0, seed=seed)
        ref = tr.learn_lp_binary(800.0, [seed], 500.0, 200.0, tr.shifted_squared_error)
        assert got["R"] == pytest.approx(float(ref.params[0, 0]), rel=1e-12)
        assert got["steps"] == int(ref.steps[0]) and got["stopped"] == "grad"
    np.testing.assert_array_equal(harness.training_frequencies(9), tr.sample_frequencies(9))


NUMPY_HP = (
    "import numpy as np\n\ndef evaluate_hp_circuit(freqs, R_high):\n"
    "    x = 2 * np.pi * np.asarray(freqs) * R_high.item() * 1e-6\n"
    "    return x / np.sqrt(1 + x ** 2)\n"
) + prob.train_src(False)
NO_TWO_PI_HP = prob.HP_SOLUTION.replace("2 * np.pi * ", "")


@pytest.mark.parametrize(
    ("part_id", "source", "status", "says"),
    [("f", prob.HP_AS_LP_SOLUTION, PartStatus.INCORRECT, "low-pass"),
     ("f", NO_TWO_PI_HP, PartStatus.INCORRECT, "2π"),
     ("f", NUMPY_HP, PartStatus.PARTIAL, "autograd"),
     ("g", prob.BP_SWAPPED_SRC + prob.train_src(True), PartStatus.INCORRECT, "swapped")],
)  # fmt: skip
def test_circuit_parts_feedback(part_id: str, source: str, status: PartStatus, says: str) -> None:
    result = _one(part_id, source)
    assert result.status == status and says in result.feedback, result.feedback


# The notebook's style: .grad filled by backward() and zeroed after the update.
BACKWARD_STEP = "loss.backward()\n        grad = R.grad.clone()\n        R.grad.zero_()"
BACKWARD_TWICE = "loss.backward(retain_graph=True)\n        " + BACKWARD_STEP
NOT_ZEROED = "loss.backward()\n        grad = R.grad.clone()"
AUTOGRAD = "(grad,) = torch.autograd.grad(loss, R)"


def _with(band: bool, old: str, new: str) -> str:
    source = prob.BP_SOLUTION if band else prob.HP_SOLUTION
    assert old in source
    return source.replace(old, new)


@pytest.mark.parametrize("band", [False, True])
@pytest.mark.parametrize(
    ("old", "new", "says"),
    [(AUTOGRAD, BACKWARD_STEP, ""),
     (AUTOGRAD, BACKWARD_TWICE, "twice the expected"),
     ("R -= lr * grad", "R -= lr * (grad + grad)", "twice the expected"),
     (AUTOGRAD, NOT_ZEROED, "not zeroed"),
     ("R -= lr * grad", "R += lr * grad", "sign error")],
)  # fmt: skip
def test_training_update_lines_are_checked_step_by_step(
    band: bool, old: str, new: str, says: str
) -> None:
    result = _one("g" if band else "f", _with(band, old, new))
    if not says:
        assert result.status == PartStatus.CORRECT, result.feedback
        return
    assert result.status == PartStatus.PARTIAL and says in result.feedback, result.feedback
    assert "on 7 frequencies): passed" in result.feedback  # the circuit itself is right


def test_training_is_checked_with_the_course_loss_not_the_students() -> None:
    other_loss = prob.HP_SOLUTION + "\n\ndef loss_fn(x, y):\n    return (x - y) ** 2\n"
    assert _one("f", other_loss).status == PartStatus.CORRECT
    own_loss = (
        prob.HP_SOLUTION.replace("loss_fn(", "mse(") + "\n\ndef mse(x, y):\n"
        "    return (x - y) ** 2\n"
    )  # a loss not read from loss_fn: no longer the course's steps
    result = _one("f", own_loss)
    assert result.status == PartStatus.PARTIAL and "Case 3 (train_hp" in result.feedback
    harness = importlib.import_module("service.sandbox.harnesses.color_organ")
    namespace = {"loss_fn": "mine", "seen": []}
    exec(prob.PRE + "def train_hp_circuit_binary(f, y, r, lr, max_steps):\n"
         "    seen.append(loss_fn)\n    return r\n", namespace)  # fmt: skip
    got = harness.run(
        namespace,
        task="train_circuit",
        function="train_hp_circuit_binary",
        desired=[30.0],
        init=[100.0],
        lr=20.0,
        seed=1,
        max_steps=[1],
        budget_s=5.0,
    )
    assert got == [[100.0]] and namespace["seen"] == [harness.course_loss]
    assert namespace["loss_fn"] == "mine"  # restored


def test_a_training_function_that_never_stops_is_cut_off_by_its_budget() -> None:
    harness = importlib.import_module("service.sandbox.harnesses.color_organ")
    namespace: dict[str, Any] = {}
    exec("def train_hp_circuit_binary(f, y, r, lr, max_steps):\n    while True:\n"
         "        r = r + 0.0\n", namespace)  # fmt: skip
    with pytest.raises(harness.BudgetExceeded, match=r"did not finish within 0\.2 s"):
        harness.run(
            namespace,
            task="train_circuit",
            function="train_hp_circuit_binary",
            desired=[30.0],
            init=[100.0],
            lr=20.0,
            seed=1,
            max_steps=[3],
            budget_s=0.2,
        )


def test_convergence_seed_lands_inside_the_tolerance_at_the_variant_extremes() -> None:
    seed = prob.E_SEEDS[1]
    for k in (0.5, 1.0, 2.0):
        s = tr.Settings().scaled(k)
        ideal = tr.closed_form_values(s)
        hp = tr.learn_hp_binary(s.f_hp, [seed], s.init_hp, s.lr_hp)
        bp = tr.learn_bp_binary(s.f_bp_lo, s.f_bp_hi, [seed], s.init_bp, s.lr_bp)
        assert max(hp.steps[0], bp.steps[0]) * 5 < prob.CONVERGE_MAX_STEPS
        for key, r in (("f.R", hp.params[0, 0]), ("g.R_low", bp.params[0, 0]),
                       ("g.R_high", bp.params[0, 1])):  # fmt: skip
            lo, hi = prob.tolerance(key)
            assert lo < r / ideal[key] < hi, (k, key)


@pytest.mark.sandbox
@pytest.mark.slow
def test_code_parts_in_the_real_sandbox(sandbox: Any) -> None:
    variant = make_variant(P, "sandboxed-student", SECRET)
    answers = reference_answers(P, variant.params)
    good = grade(P, variant, answers, only=CODE_PARTS, code_runner=sandbox)
    assert all(r.status == PartStatus.CORRECT for r in good.parts), good.parts
    bad_answers = {pid: planted_mistake(P.part(pid), variant.params) for pid in CODE_PARTS}
    bad = grade(P, variant, {**answers, **bad_answers}, only=CODE_PARTS, code_runner=sandbox)
    assert all(r.status != PartStatus.CORRECT for r in bad.parts), bad.parts
