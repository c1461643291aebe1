"""hw2-step-size: step sizes for f(x) = ‖x − b‖₂ (Homework 2, `step_size_helper.py`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from reference import step_size as ref
from service.grading.formula.domains import Vector
from service.grading.kinds import (
    ChoiceAnswer,
    CodeAnswer,
    ExpressionAnswer,
    NumberAnswer,
    TextAnswer,
    YesNoAnswer,
)
from service.grading.kinds.code_spec import CodeCall, CodeCase, CodeSpec
from service.grading.model import Misconception, Params, Part, Problem

TOL = 0.01
CODE_FUNCTIONS = ("compute_gradient", "compute_update", "compute_updates")


def _b(p: Params) -> np.ndarray:
    return np.asarray(p["b"], dtype=float)


def _norm_b(p: Params) -> float:
    return float(np.linalg.norm(_b(p)))


def harmonic_steps(p: Params) -> int:
    """Steps t_i = 1/(i+1) need from x_0 = 0 to get within 0.01 of b (simulated)."""
    steps = ref.steps_to_within(_b(p), lambda i: 1.0 / (i + 1), TOL)
    assert steps is not None
    return steps


def _well_posed(b: np.ndarray) -> bool:
    near, _ = ref.constant_step_distances(float(np.linalg.norm(b)))
    if near < 0.05 or abs(near - 0.5) < 0.05:  # no integer norm; near and far distances differ
        return False
    steps = ref.steps_to_within(b, lambda i: 1.0 / (i + 1), TOL)
    if steps is None:
        return False
    d = ref.distances(b, ref.harmonic_schedule(steps), steps)
    return bool(d[-1] < TOL - 1e-6 and d[:-1].min() > TOL + 1e-6)  # rounding cannot flip it


def sample_params(rng: np.random.Generator) -> dict[str, Any]:
    """b with one-decimal entries, ‖b‖ in [4.2, 6.4], far from integers (≤ ~350 steps)."""
    while True:
        r, angle = rng.uniform(4.2, 6.4), rng.uniform(0.25, 1.3)
        b = np.round([r * math.cos(angle), r * math.sin(angle)], 1)
        if _well_posed(b):
            return {"b": [float(v) for v in b]}


GRADIENT_SOURCE = "A.T @ (A @ x - b) / np.linalg.norm(A @ x - b)"
SOLUTION_TEMPLATE = '''import numpy as np


def step_at(step_size, k):
    """t_k: step_size(k) for a function, the number itself, or step_size[k] for an array."""
    if callable(step_size):
        return step_size(k)
    if np.ndim(step_size) == 0:
        return float(step_size)
    return step_size[k]


def compute_gradient(A, b, x):
    """Gradient of ||Ax - b|| with respect to x."""
    return GRADIENT


def compute_update(A, b, x, step_count, step_size):
    """The new point after the update at x."""
    return x - step_at(step_size, step_count) * compute_gradient(A, b, x)


def compute_updates(A, b, p, total_step_count, step_size):
    """Positions x_0 = p, ..., x_T of total_step_count updates, shape (T + 1, 2)."""
    positions = [np.array(p, dtype=float)]
    for k in range(total_step_count):
        positions.append(compute_update(A, b, positions[-1], k, step_size))
    return np.array(positions)
'''
SOLUTION = SOLUTION_TEMPLATE.replace("GRADIENT", GRADIENT_SOURCE)
UNNORMALISED = SOLUTION_TEMPLATE.replace("GRADIENT", "A.T @ (A @ x - b)")


def code_spec(p: Params) -> CodeSpec:
    """Cases for the three helper functions on this variant's b (A = I) and a general A."""
    b = _b(p)
    eye, origin = np.eye(2), np.zeros(2)
    rng = np.random.default_rng(int(1000 * abs(b).sum()))
    a_gen = np.array([[1.5, 0.4], [-0.3, 0.8]]) + 0.2 * rng.standard_normal((2, 2))
    x1, p1 = rng.normal(size=2), rng.normal(size=2)
    harm30, harm40 = ref.harmonic_schedule(30), ref.harmonic_schedule(40)
    sign = "Your gradient points the wrong way: ∇‖Ax − b‖ = Aᵀ(Ax − b)/‖Ax − b‖."
    unnorm = "You did not divide by ‖Ax − b‖ (that is the gradient of ½‖Ax − b‖²)."
    shifted = "Off by one: the step at step count k is step_size(k), with k starting at 0."

    def grad_case(a: np.ndarray, x: np.ndarray, hidden: bool, label: str) -> CodeCase:
        g = ref.compute_gradient(a, b, x)
        return CodeCase(
            CodeCall("compute_gradient", (a, b, x)),
            g,
            hidden=hidden,
            label=label,
            near_misses=((sign, -g), (unnorm, a.T @ (a @ x - b))),
        )

    def update_case(x: np.ndarray, k: int, s: Any, label: str) -> CodeCase:
        misses: list[tuple[str, Any]] = [(unnorm, x - ref.step_at(s, k) * (x - b))]
        if np.ndim(s) == 1:
            misses.append((shifted, ref.compute_update(eye, b, x, k + 1, s)))
        return CodeCase(
            CodeCall("compute_update", (eye, b, x, k, s)),
            ref.compute_update(eye, b, x, k, s),
            label=label,
            near_misses=tuple(misses),
        )

    def updates_case(
        a: np.ndarray, x0: np.ndarray, t: int, s: Any, hidden: bool, label: str
    ) -> CodeCase:
        misses: list[tuple[str, Any]] = [(unnorm, ref.unnormalised_updates(a, b, x0, t, s))]
        if np.ndim(s) == 1:
            misses.append((shifted, ref.compute_updates(a, b, x0, t, ref.shifted_schedule(s))))
        return CodeCase(
            CodeCall("compute_updates", (a, b, x0, t, s)),
            ref.compute_updates(a, b, x0, t, s),
            hidden=hidden,
            label=label,
            near_misses=tuple(misses),
        )

    return CodeSpec(
        functions=CODE_FUNCTIONS,
        cases=(
            grad_case(eye, origin, False, "compute_gradient(I, b, 0)"),
            grad_case(a_gen, x1, False, "compute_gradient with a general A"),
            update_case(origin, 0, 1.0, "compute_update, constant 1"),
            update_case(x1, 3, harm30, "compute_update, array schedule"),
            updates_case(eye, origin, 10, 1.0, False, "compute_updates, constant 1, 10 steps"),
            updates_case(eye, origin, 30, harm30, False, "compute_updates, 1/(i+1)"),
            updates_case(a_gen, p1, 8, 0.5, True, "general A, constant 0.5"),
            updates_case(eye, p1, 40, harm40, True, "1/(i+1), 40 steps"),
            grad_case(eye, b + np.array([0.3, -1.2]), True, "gradient near b"),
        ),
        timeout_s=10.0,
    )


STATEMENT = r"""
Let $f(x) = \lVert x - b \rVert_2$ with $b = {{ b }}$, and run gradient descent from
$x_0 = 0$: $x_{i+1} = x_i - t_i \nabla f(x_i)$, where $t_i$ is the step size of step $i$
($i = 0, 1, 2, \dots$). The course's `step_size_helper.py` does this for the more general
$\lVert Ax - b \rVert_2$ (with $A = I$ for this $f$).
"""

CODE_PROMPT = r"""
Write the three functions of `step_size_helper.py` (numpy):

- `compute_gradient(A, b, x)`: the gradient of $\lVert Ax - b\rVert_2$ with respect to `x`
  (a general 2×2 `A`, not only the identity);
- `compute_update(A, b, x, step_count, step_size)`: one step $x - t_k \nabla$ with
  $k$ = `step_count`;
- `compute_updates(A, b, p, total_step_count, step_size)`: the positions
  $x_0 = p, x_1, \dots, x_T$ as a $(T+1)\times 2$ array.

`A`, `b`, `x` and `p` arrive as numpy arrays.

**Step-size convention.** In the course `step_size` is a function of the step count
(`lambda i: 1/(i+1)`). A function cannot be sent to the grader, so your code must also accept
a **number** (a constant step) and a 1-D **numpy array** (`step_size[k]` is $t_k$). For
example:

```python
def step_at(step_size, k):
    if callable(step_size):
        return step_size(k)
    if np.ndim(step_size) == 0:
        return float(step_size)
    return step_size[k]
```
and use `step_at(step_size, step_count)` in `compute_update`.
"""

_grad_vars = {"x": Vector(2), "b": Vector(2)}


def _mistakes(*pairs: tuple[Any, str]) -> tuple[Misconception, ...]:
    """Misconceptions from (answer, feedback) pairs."""
    return tuple(Misconception(answer, feedback) for answer, feedback in pairs)


def _choice(
    part_id: str,
    options: dict[str, str],
    prompt: str,
    key: str,
    wrong: tuple[tuple[str, str], ...],
    solution: str,
) -> Part:
    """A one-point multiple-choice part whose right option is ``key``."""
    return Part(
        id=part_id,
        points=1,
        kind=ChoiceAnswer(options),
        prompt=prompt,
        expected=lambda p: key,
        misconceptions=_mistakes(*wrong),
        solution=solution,
    )


PROBLEM = Problem(
    id="hw2-step-size",
    title="Step sizes for f(x) = ‖x − b‖₂",
    source="Homework 2",
    statement=STATEMENT,
    base_params={"b": [6.0, 4.5]},
    sample_params=sample_params,
    topics=("gradient descent", "step size", "convexity"),
    parts=(
        Part(
            id="a",
            kind=TextAnswer(),
            points=2,
            prompt=r"Show that $f(x) = \lVert x - b\rVert_2$ is convex.",
            solution="For θ ∈ [0, 1]: ‖θx + (1−θ)y − b‖ = ‖θ(x − b) + (1−θ)(y − b)‖ ≤ "
            "θ‖x − b‖ + (1−θ)‖y − b‖ by the triangle inequality and homogeneity of the norm.",
        ),
        Part(
            id="b",
            kind=ExpressionAnswer(_grad_vars),
            points=2,
            prompt=r"Give $\nabla f(x)$ in terms of `x` and `b` (vectors; use `norm`).",
            expected=lambda p: "(x - b)/norm(x - b)",
            misconceptions=_mistakes(
                ("x - b", "That is the gradient of ½‖x − b‖²; f is the norm "
                 "itself, so divide by ‖x − b‖."),
                ("(b - x)/norm(x - b)", "Sign: the gradient points away from b "
                 "(f grows as x leaves b); −∇f points toward b."),
                ("2*(x - b)", "That is the gradient of ‖x − b‖², the squared norm."),
                ("(x - b)/norm(x - b)**2", "Divide by ‖x − b‖ once: ∇f is a unit vector."),
            ),
            solution="∇f(x) = (x − b)/‖x − b‖₂, a unit vector pointing from b to x.",
        ),
        _choice(
            "b.domain",
            {
                "all_but_b": "at every x except x = b",
                "everywhere": "at every x, including x = b",
                "far_only": "only where ‖x − b‖ ≥ 1",
                "origin": "only at x = 0",
            },
            r"Where is $\nabla f(x)$ defined?",
            "all_but_b",
            (
                ("everywhere", "At x = b the norm has a kink (like |t| at 0): "
                 "no gradient there, only subgradients."),
                ("far_only",
                 "The formula works at any distance, however small, as long as x ≠ b."),
            ),
            "Everywhere except x = b, where ‖x − b‖ = 0 and f is not differentiable.",
        ),
        Part(
            id="c.i",
            kind=YesNoAnswer(),
            points=1,
            prompt=r"With the constant step $t_i = 1$, does $x_i$ ever get within $0.01$ of "
            r"$b = {{ b }}$?",
            expected=lambda p: "no",
            misconceptions=_mistakes(
                ("yes", "Each step has length exactly 1 along the line to b, so "
                 "the distance goes ‖b‖, ‖b‖ − 1, … and then jumps back and forth "
                 "over b; it never shrinks below the remainder."),
            ),
            solution=lambda p: (
                "No: ‖∇f‖ = 1, so every step moves exactly 1 along the segment "
                f"from 0 to b. ‖b‖ = {_norm_b(p):.4g} is not within 0.01 of an integer."
            ),
        ),
        Part(
            id="c.ii",
            kind=NumberAnswer(rtol=1e-3, atol=1e-3),
            points=2,
            prompt=r"With $t_i = 1$ the iterates end up jumping back and forth over $b$ between "
            r"two points. What is the smaller of the two distances $\lVert x_i - b\rVert$ "
            r"(if they are equal, that distance)?",
            expected=lambda p: ref.constant_step_distances(_norm_b(p))[0],
            misconceptions=_mistakes(
                (0.0, "Constant unit steps cannot converge: every step has length "
                 "exactly 1, so the iterate overshoots b."),
                (lambda p: ref.constant_step_distances(_norm_b(p))[1],
                 "That is the larger of the two distances; the iterate gets "
                 "closer on the other side of b."),
            ),
            solution=lambda p: (
                "After ⌊‖b‖⌋ unit steps the remainder is ρ = ‖b‖ − ⌊‖b‖⌋; then "
                "x alternates between distance ρ before b and 1 − ρ past it: "
                f"{ref.constant_step_distances(_norm_b(p))}."
            ),
        ),
        _choice(
            "c.general",
            {
                "near_integer": "only if ‖b‖ is within 0.01 of an integer",
                "always": "always, given enough steps",
                "never": "never, whatever b is",
                "small": "only if ‖b‖ < 1",
            },
            r"For a general $b$, when does $t_i = 1$ get within $0.01$ of $b$?",
            "near_integer",
            (
                ("never", "If ‖b‖ is (nearly) an integer, the unit steps land (nearly) on b."),
                ("always", "Constant steps of length 1 never shrink: the iterate "
                 "oscillates at a fixed distance."),
            ),
            "Exactly when ‖b‖ is within 0.01 of an integer: the iterates sit at "
            "distances ‖b‖ − k along the line, then oscillate at the remainder.",
        ),
        Part(
            id="d.i",
            kind=NumberAnswer(integer=True),
            points=2,
            prompt=r"With $t_i = \frac{1}{i+1}$ (so $t_0 = 1$), how many steps $k$ until "
            r"$\lVert x_k - b\rVert \le 0.01$ for the first time? Simulate it.",
            expected=harmonic_steps,
            misconceptions=_mistakes(
                (lambda p: harmonic_steps(p) + 1,
                 "Off by one: x_k is the point after k steps, and x_0 is the start (0 steps)."),
                (lambda p: harmonic_steps(p) - 1,
                 "Off by one: count the step that lands within 0.01."),
                (lambda p: round(math.exp(_norm_b(p))),
                 "exp(‖b‖) is only the order of growth; simulate to get the exact count."),
            ),
            solution=lambda p: (
                f"{harmonic_steps(p)} steps: the distance is ‖b‖ − H_k with "
                "H_k = 1 + 1/2 + … + 1/k, until H_k comes within 0.01 of ‖b‖."
            ),
        ),
        _choice(
            "d.order",
            {
                "exp": "exponentially: like exp(‖b‖)",
                "linear": "linearly in ‖b‖",
                "quadratic": "like ‖b‖²",
                "log": "like log ‖b‖",
            },
            r"As $\lVert b\rVert$ grows, how does the number of steps with "
            r"$t_i = \frac{1}{i+1}$ grow?",
            "exp",
            (
                ("linear", "After k steps you have travelled H_k ≈ ln k + 0.577, "
                 "so reaching ‖b‖ takes k ≈ exp(‖b‖ − 0.577) steps."),
                ("quadratic", "That would be steps 1/√(i+1); with 1/(i+1) the "
                 "distance covered grows like ln k."),
            ),
            "The distance travelled after k steps is H_k ≈ ln k + γ, so the count "
            "grows like exp(‖b‖).",
        ),
        Part(
            id="e",
            kind=CodeAnswer(CODE_FUNCTIONS),
            points=4,
            prompt=CODE_PROMPT,
            expected=code_spec,
            misconceptions=_mistakes(
                (UNNORMALISED, "The gradient must be divided by ‖Ax − b‖."),
            ),
            solution=SOLUTION,
        ),
    ),
)
