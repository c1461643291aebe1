"""Time grading a submission of 10 expression parts (run: python bench/formula_speed.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from service.grading.formula.domains import Domain, Integer, Positive, Real, Vector
from service.grading.grade import grade
from service.grading.kinds import ExpressionAnswer
from service.grading.model import Misconception, Part, Problem
from service.grading.variants import make_variant

V: dict[str, Domain] = {
    "theta": Real(), "alpha": Positive(), "N": Integer(2, 12), "x": Vector("N"),
    "y": Vector("N"), "x_i": Real(), "y_i": Real(),
}
FORMULAS = {
    "a.i": "2/N*sum(theta - y)",
    "a.ii": "mean(y)",
    "a.iii": "theta - 2*alpha/N*sum(theta - y)",
    "a.iv": "theta - 2*alpha*(theta - y_i)",
    "a.v": "2/N*(theta - y_i)",
    "b.i": "2/N*sum((theta*x - y)*x)",
    "b.ii": "sum(x*y)/sum(x**2)",
    "b.iii": "theta - 2*alpha/N*sum((theta*x - y)*x)",
    "b.iv": "theta - 2*alpha*(theta*x_i - y_i)*x_i",
    "b.v": "2/N*(theta*x_i - y_i)*x_i",
}
ANSWERS = {
    "a.i": "2 mean(θ - y)", "a.ii": "sum(y)/N", "a.iii": "θ - 2α mean(θ - y)",
    "a.iv": "θ - 2α(θ - y_i)", "a.v": "(2/N)(θ - y_i)", "b.i": "2 mean((θ x - y) x)",
    "b.ii": "sum(x y)/sum(x^2)", "b.iii": "θ - 2α/N sum((θx - y)x)",
    "b.iv": "θ - 2α(θ x_i - y_i) x_i", "b.v": "2(θ x_i - y_i) x_i / N",
}


def _const(formula: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda params: formula




def _mistakes(formula: str) -> tuple[Misconception, ...]:
    return tuple(Misconception(f"{k}*({formula})", f"off by {k}") for k in (3, 5, 7, 11, 13))


WRONG = {pid: f"-2*({f}) + 1" for pid, f in FORMULAS.items()}


def _time(problem: Problem, answers: dict[str, str], label: str) -> None:
    times = []
    for i in range(300):
        variant = make_variant(problem, f"student{i}", b"secret")
        start = time.perf_counter()
        grade(problem, variant, answers)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"{label}: median {times[len(times) // 2] * 1e3:.2f} ms, "
          f"best {times[0] * 1e3:.2f} ms, p95 {times[int(len(times) * 0.95)] * 1e3:.2f} ms")


def main() -> None:
    """Print median, best and p95 wall time of grading one 10-part submission."""
    parts = tuple(
        Part(pid, ExpressionAnswer(V), 1, "", expected=_const(f), misconceptions=_mistakes(f))
        for pid, f in FORMULAS.items()
    )
    problem = Problem("bench", "bench", "bench", "", parts)
    variant = make_variant(problem, "student", b"secret")
    assert grade(problem, variant, ANSWERS).score == 10
    assert grade(problem, variant, WRONG).score == 0
    _time(problem, ANSWERS, "10 expression parts, all right")
    _time(problem, WRONG, "10 expression parts, all wrong (5 misconceptions each + feedback)")


if __name__ == "__main__":
    main()
