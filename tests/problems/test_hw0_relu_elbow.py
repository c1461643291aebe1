"""hw0-relu-elbow: labelled answers, directions from the reference update, variants."""

from __future__ import annotations

from typing import Any

import pytest

from problems.hw0_relu_elbow import PROBLEM, direction
from reference import relu_elbow as re
from service.grading.kinds import ExpressionAnswer
from service.grading.report import PartResult
from service.grading.variants import make_variant
from tests.helpers.grading import auto_parts, check_students, grade_one

SECRET = b"test-secret"
STUDENTS = [f"relu-student-{i:02d}" for i in range(20)]
ACTIVE_ONLY = "right only where w*x + b > 0"


def _grade(part_id: str, answer: Any, student: str | None = "s-relu") -> PartResult:
    return grade_one(PROBLEM, SECRET, part_id, answer, student)


CORRECT = {
    "a.i": ["-b/w", "-(b/w)", "b/(-w)", "-b*w^-1", "(0 - b)/w", "−b w**(-1)"],
    "a.ii": ["phi - y", "-(y - phi)", "max(0, w*x + b) - y", "φ - y", "(2*phi - 2*y)/2",
             "-y + φ"],
    "a.iii": [
        "(phi - y)*x*heaviside(w*x + b)", "(max(0, w*x + b) - y)*x*(w*x + b > 0)",
        "x*(phi - y)*step(w x + b)", "(φ - y) x heaviside(w x + b)",
        "(phi*x - y*x)*(w*x + b > 0)", "(w*x + b - y)*x*heaviside(w*x + b)",
        "(phi - y)*x*(phi > 0)",
    ],
    "a.iv": [
        "(phi - y)*heaviside(w*x + b)", "(φ - y)(w x + b > 0)", "(w*x + b - y)*step(w*x + b)",
        "heaviside(w*x + b)*phi - y*heaviside(w*x + b)", "(phi - y)*(phi > 0)",
        "-(y - phi)*heaviside(b + w*x)",
    ],
    "c": ["-b_i/W1_i", "-(b_i/W1_i)", "b_i/(-W1_i)", "-b_i*W1_i^-1", "(0 - b_i)/W1_i"],
    "d": [
        "-(b_i - lam*(fhat - y)*W2_i)/(W1_i - lam*(fhat - y)*W2_i*x)",
        "(lam*(fhat - y)*W2_i - b_i)/(W1_i - lam*(fhat - y)*W2_i*x)",
        "-(b_i - λ(fhat - y)W2_i)/(W1_i - λ(fhat - y)W2_i x)",
        "(b_i - lam*(fhat-y)*W2_i)/(lam*(fhat-y)*W2_i*x - W1_i)",
        "-(b_i + lambda*(y - fhat)*W2_i)/(W1_i + lambda*(y - fhat)*W2_i*x)",
        "(lam*fhat*W2_i - lam*y*W2_i - b_i)/(W1_i - lam*fhat*W2_i*x + lam*y*W2_i*x)",
        "-(b_i - lam*(fhat - y)*W2_i)*(W1_i - lam*(fhat - y)*W2_i*x)^-1",
    ],
}

# (part, answer, status, score fraction, feedback fragment)
MISTAKES = [
    ("a.i", "b/w", "incorrect", 0.0, "sign"),
    ("a.i", "-w/b", "incorrect", 0.0, "upside down"),
    ("a.i", "-2*b/w", "incorrect", 0.0, "twice the expected"),
    ("a.i", "-b/(2*w)", "incorrect", 0.0, "half the expected"),
    ("a.i", "-b", "incorrect", 0.0, "differs at"),
    ("a.ii", "y - phi", "incorrect", 0.0, "sign"),
    ("a.ii", "2*(phi - y)", "incorrect", 0.0, "cancels the 2"),
    ("a.ii", "(phi - y)**2/2", "incorrect", 0.0, "the loss itself"),
    ("a.ii", "w*x + b - y", "partial", 0.5, "only where the ReLU is active"),
    ("a.ii", "phi", "incorrect", 0.0, "differs at"),
    ("a.iii", "(phi - y)*x", "partial", 0.5, ACTIVE_ONLY),
    ("a.iii", "(w*x + b - y)*x", "partial", 0.5, ACTIVE_ONLY),
    ("a.iii", "(phi - y)*heaviside(w*x + b)", "incorrect", 0.0, "that is ∂ℓ/∂b"),
    ("a.iii", "(phi - y)*w*heaviside(w*x + b)", "incorrect", 0.0, "not w"),
    ("a.iii", "(y - phi)*x*heaviside(w*x + b)", "incorrect", 0.0, "sign"),
    ("a.iii", "2*(phi - y)*x*heaviside(w*x + b)", "incorrect", 0.0, "cancels the 2"),
    ("a.iv", "phi - y", "partial", 0.5, ACTIVE_ONLY),
    ("a.iv", "w*x + b - y", "partial", 0.5, ACTIVE_ONLY),
    ("a.iv", "(phi - y)*x*heaviside(w*x + b)", "incorrect", 0.0, "that is ∂ℓ/∂w"),
    ("a.iv", "(phi - y)*b*heaviside(w*x + b)", "incorrect", 0.0, "not b"),
    ("a.iv", "(y - phi)*heaviside(w*x + b)", "incorrect", 0.0, "sign"),
    ("a.iv", "2*(phi - y)*heaviside(w*x + b)", "incorrect", 0.0, "cancels the 2"),
    ("c", "b_i/W1_i", "incorrect", 0.0, "sign"),
    ("c", "-W1_i/b_i", "incorrect", 0.0, "upside down"),
    ("c", "-b_i/(W1_i*W2_i)", "incorrect", 0.0, "scales the unit's output"),
    ("c", "-b_i/W2_i", "incorrect", 0.0, "input W1_i x + b_i"),
    ("c", "-2*b_i/W1_i", "incorrect", 0.0, "twice the expected"),
    ("d", "-b_i/W1_i", "incorrect", 0.0, "before the step"),
    ("d", "-(b_i + lam*(fhat - y)*W2_i)/(W1_i + lam*(fhat - y)*W2_i*x)", "incorrect", 0.0,
     "subtracts the gradient"),
    ("d", "-(b_i - lam*(fhat - y))/(W1_i - lam*(fhat - y)*x)", "incorrect", 0.0, "W2_i"),
    ("d", "-(b_i - lam*(fhat - y)*W2_i*x)/(W1_i - lam*(fhat - y)*W2_i)", "incorrect", 0.0,
     "x goes with W1_i"),
    ("d", "-(b_i - 2*lam*(fhat - y)*W2_i)/(W1_i - 2*lam*(fhat - y)*W2_i*x)", "incorrect", 0.0,
     "cancels the 2"),
    ("d", "(b_i - lam*(fhat - y)*W2_i)/(W1_i - lam*(fhat - y)*W2_i*x)", "incorrect", 0.0,
     "wrong sign"),
]


@pytest.mark.parametrize(
    ("part_id", "answer"), [(p, a) for p, forms in CORRECT.items() for a in forms]
)
def test_correct_forms_get_full_credit(part_id: str, answer: str) -> None:
    result = _grade(part_id, answer)
    assert (result.status, result.score) == ("correct", result.max_score), result.feedback


@pytest.mark.parametrize(("part_id", "answer", "status", "fraction", "fragment"), MISTAKES)
def test_common_mistakes(part_id: str, answer: str, status: str, fraction: float,
                         fragment: str) -> None:
    result = _grade(part_id, answer)
    assert (result.status, result.score) == (status, fraction * result.max_score)
    assert fragment.lower() in result.feedback.lower(), result.feedback


def test_every_expression_part_has_five_forms_and_five_mistakes() -> None:
    for part in PROBLEM.parts:
        if part.kind.name == "expression":
            assert len(CORRECT[part.id]) >= 5, part.id
            assert sum(1 for m in MISTAKES if m[0] == part.id) >= 5, part.id


def test_unknown_names_and_junk_are_invalid() -> None:
    for bad in ["(phi - y)*z", "__import__('os')", "(phi - y", 3]:
        assert _grade("a.iii", bad).status == "invalid", bad


BASE_DIRECTIONS = {
    "b.i.slope": "unchanged", "b.i.elbow": "unchanged",
    "b.ii.slope": "decreases", "b.ii.elbow": "left",  # w=1, b=1, x=2: elbow -1 -> -1.125
    "b.iii.slope": "increases", "b.iii.elbow": "right",
    "b.iv.slope": "decreases", "b.iv.elbow": "left",
}


@pytest.mark.parametrize(("part_id", "key"), sorted(BASE_DIRECTIONS.items()))
def test_base_variant_directions(part_id: str, key: str) -> None:
    assert _grade(part_id, key, student=None).status == "correct"
    options = {"slope": ["increases", "decreases", "unchanged"],
               "elbow": ["left", "right", "unchanged"]}[part_id.rsplit(".", 1)[1]]
    for other in options:
        if other != key:
            result = _grade(part_id, other, student=None)
            assert (result.status, result.score) == ("incorrect", 0.0)
    assert _grade(part_id, "sideways", student=None).status == "invalid"
    assert _grade(part_id, 1, student=None).status == "invalid"


def test_variant_directions_come_from_applying_the_update() -> None:
    seen = set()
    for sid in STUDENTS:
        p = make_variant(PROBLEM, sid, SECRET).params
        w, b, x, lam, r = p["ii_w"], p["ii_b"], p["ii_x"], p["lam"], p["r"]
        assert w > 0 and x > 0 and w * x + b > 0  # the stated sign conditions hold
        new_w, new_b = w - lam * r * x, b - lam * r  # the update done by hand
        moved = -new_b / new_w - (-b / w)
        assert abs(moved) > 1e-3  # clearly non-degenerate
        expected = "right" if moved > 0 else "left"
        assert PROBLEM.part("b.ii.elbow").expected_for(p, {}) == expected
        assert _grade("b.ii.elbow", expected, sid).status == "correct"
        wrong = _grade("b.ii.elbow", "left" if expected == "right" else "right", sid)
        assert wrong.status == "incorrect" and "−b'/w'" in wrong.feedback
        seen.add(expected)
        w4, b4, x4 = p["iv_w"], p["iv_b"], p["iv_x"]
        assert w4 < 0 and x4 > 0 and w4 * x4 + b4 > 0
        assert direction("iv", p).elbow == "left" and direction("iv", p).slope == "decreases"
        assert -(b4 - lam * r) / (w4 - lam * r * x4) < -b4 / w4
        prompt = PROBLEM.part("b.ii.elbow").render_prompt(p)
        assert f"w = {w:.3g}" in prompt and f"x = {x:.3g}" in prompt
        assert float(f"{w:.3g}") == w and float(f"{b:.3g}") == b  # printed = used
    assert seen == {"left", "right"}


def test_expected_formulas_agree_with_the_reference() -> None:
    checks = {
        "a.iii": lambda v: re.gradients(v["w"], v["b"], v["x"], v["y"]).d_w,
        "a.iv": lambda v: re.gradients(v["w"], v["b"], v["x"], v["y"]).d_b,
        "a.ii": lambda v: re.gradients(v["w"], v["b"], v["x"], v["y"]).d_phi,
        "a.i": lambda v: re.elbow(v["w"], v["b"]),
        "c": lambda v: float(re.net_elbows([v["W1_i"]], [v["b_i"]])[0]),
        "d": lambda v: re.new_unit_elbow(
            v["W1_i"], v["b_i"], v["W2_i"], v["fhat"], v["y"], v["x"], v["lam"]),
    }
    for part_id, ref in checks.items():
        part = PROBLEM.part(part_id)
        assert isinstance(part.kind, ExpressionAnswer)
        envs = part.kind.points(seed=5)
        (values,) = part.kind.evaluate_expected(part.expected_for({}, {}), envs)
        for k, got in enumerate(values):
            point = {name: float(arr[k]) for name, arr in envs[0].items()}
            assert float(got) == pytest.approx(ref(point), rel=1e-9, abs=1e-12), part_id


def test_twenty_students_reference_right_planted_mistake_wrong() -> None:
    check_students(PROBLEM, SECRET, STUDENTS, auto_parts(PROBLEM), zero_score=False)


@pytest.mark.parametrize("answer", ["3*(phi - y)*x*heaviside(w*x + b)",
                                    "-5*(phi - y)*heaviside(w*x + b)"])
def test_no_region_credit_for_being_trivially_zero_where_the_relu_is_off(answer: str) -> None:
    result = _grade("a.iii", answer)
    assert (result.status, result.score) == ("incorrect", 0.0), result.feedback
