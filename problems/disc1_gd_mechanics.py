"""disc1-gd-mechanics: gradient-descent mechanics for two tiny models (Discussion 1)."""

from __future__ import annotations

import numpy as np

from reference import gd_mechanics as gd
from service.grading.formula.domains import Domain, Integer, Positive, Real, Vector
from service.grading.kinds import ChoiceAnswer, ExpressionAnswer
from service.grading.model import Misconception, Part, Problem

STATEMENT = r"""
We fit $N$ data points $(x_1, y_1), \dots, (x_N, y_N)$ with the mean-squared loss and plain
gradient descent with step size $\alpha > 0$.

**(a) Constant model** $\hat y = \theta$: $\;L(\theta) = \frac1N \sum_{j=1}^N (\theta - y_j)^2$.

**(b) Linear model through the origin** $\hat y = \theta x$:
$\;L(\theta) = \frac1N \sum_{j=1}^N (\theta x_j - y_j)^2$.

A *stochastic* gradient step on point $i$ uses the single-point loss $(\theta - y_i)^2$
(resp. $(\theta x_i - y_i)^2$) in place of $L$.

Answer with formulas in `theta`, `alpha`, `N`, the data vectors `x`, `y` (length $N$;
`sum(...)`, `mean(...)` and elementwise `*`, `**` work on them) and one point's `x_i`, `y_i`.
Unicode θ and α are accepted.
"""

VARIABLES: dict[str, Domain] = {
    "theta": Real(),
    "alpha": Positive(),
    "N": Integer(2, 12),
    "x": Vector("N"),
    "y": Vector("N"),
    "x_i": Real(),
    "y_i": Real(),
}
_expr = ExpressionAnswer(VARIABLES)

_STEP_ONLY = "That is only the step αg; the new θ is the old θ minus it."
_ASCENT = "Gradient descent moves against the gradient: θ − α∇L, not θ + α∇L."
_FULL_VS_POINT = (
    "SGD on point i uses only that point's loss, (θ − y_i)² here: no sum over the data and "
    "no 1/N."
)


def _vote_answer(_: object) -> str:
    # Three points with the same error theta*x_i - y_i = 0.4 but different x_i.
    return gd.vote_scaling(np.array([0.5, 1.0, 2.0, -3.0]), theta=0.7, error=0.4)


PARTS = (
    Part(
        id="a.i", kind=_expr, points=1,
        prompt=r"Constant model: the gradient $\frac{dL}{d\theta}$.",
        expected=lambda p: "2/N*sum(theta - y)",
        misconceptions=(
            Misconception("2*sum(theta - y)", "L is a *mean*: keep the factor 1/N."),
            Misconception("mean((theta - y)**2)", "That is the loss L itself; differentiate it."),
            Misconception("2*(theta - y)", "The gradient of L is a single number: sum (or "
                          "average) the per-point terms over the data."),
        ),
        solution="d/dθ (1/N)Σ(θ − y_j)² = (2/N)Σ(θ − y_j) = 2(θ − mean(y)).",
    ),
    Part(
        id="a.ii", kind=_expr, points=1,
        prompt=r"Constant model: the minimiser $\theta^* = \arg\min_\theta L(\theta)$.",
        expected=lambda p: "mean(y)",
        misconceptions=(
            Misconception("sum(y)", "Setting Σ(θ − y_j) = 0 gives Nθ = Σy_j: divide by N."),
            Misconception("y_i", "θ* must balance all the points, not one of them."),
        ),
        solution="(2/N)Σ(θ − y_j) = 0 ⇔ θ = (1/N)Σ y_j = mean(y).",
    ),
    Part(
        id="a.iii", kind=_expr, points=1,
        prompt=r"Constant model: $\theta$ after one (full-batch) gradient-descent step.",
        expected=lambda p: "theta - 2*alpha/N*sum(theta - y)",
        misconceptions=(
            Misconception("theta + 2*alpha/N*sum(theta - y)", _ASCENT),
            Misconception("theta - 2*alpha*sum(theta - y)", "L is a mean: the gradient has a "
                          "factor 1/N."),
            Misconception("theta - alpha/N*sum(theta - y)", "d/dθ (θ − y_j)² = 2(θ − y_j): "
                          "a factor 2 is missing."),
            Misconception("2*alpha/N*sum(theta - y)", _STEP_ONLY),
            Misconception("mean(y)", "That is where GD ends up (the minimiser), not one step."),
        ),
        solution="θ ← θ − α(2/N)Σ(θ − y_j) = (1 − 2α)θ + 2α·mean(y).",
    ),
    Part(
        id="a.iv", kind=_expr, points=1,
        prompt=r"Constant model: $\theta$ after one SGD step on point $i$ (data point "
        r"$y_i$).",
        expected=lambda p: "theta - 2*alpha*(theta - y_i)",
        misconceptions=(
            Misconception("theta - 2*alpha/N*(theta - y_i)", _FULL_VS_POINT),
            Misconception("theta + 2*alpha*(theta - y_i)", _ASCENT),
            Misconception("theta - alpha*(theta - y_i)", "d/dθ (θ − y_i)² = 2(θ − y_i): a "
                          "factor 2 is missing."),
            Misconception("2*alpha*(theta - y_i)", _STEP_ONLY),
            Misconception("theta - 2*alpha/N*sum(theta - y)", "That is the full-batch GD "
                          "step; SGD uses point i only."),
        ),
        solution="θ ← θ − α·d/dθ(θ − y_i)² = θ − 2α(θ − y_i).",
    ),
    Part(
        id="a.v", kind=_expr, points=1,
        prompt=r"Constant model: point $i$'s contribution to the full gradient "
        r"$\frac{dL}{d\theta}$ (the term of the sum that involves $y_i$).",
        expected=lambda p: "2/N*(theta - y_i)",
        misconceptions=(
            Misconception("2*(theta - y_i)", "In the full gradient each point's term is "
                          "divided by N."),
            Misconception("2/N*sum(theta - y)", "That is the whole gradient; keep only point "
                          "i's term."),
            Misconception("(theta - y_i)**2/N", "That is point i's share of the loss, not of "
                          "its gradient."),
        ),
        solution="dL/dθ = Σ_j (2/N)(θ − y_j); point i contributes (2/N)(θ − y_i).",
    ),
    Part(
        id="b.i", kind=_expr, points=1,
        prompt=r"Linear model: the gradient $\frac{dL}{d\theta}$.",
        expected=lambda p: "2/N*sum((theta*x - y)*x)",
        misconceptions=(
            Misconception("2/N*sum(theta*x - y)", "Chain rule: d/dθ (θx_j − y_j)² = "
                          "2(θx_j − y_j)·x_j; the factor x_j is missing."),
            Misconception("mean((theta*x - y)**2)", "That is the loss L itself; differentiate "
                          "it."),
        ),
        solution="dL/dθ = (2/N)Σ(θx_j − y_j)x_j = (2/N)(θΣx_j² − Σx_j y_j).",
    ),
    Part(
        id="b.ii", kind=_expr, points=1,
        prompt=r"Linear model: the minimiser $\theta^*$ (assume not all $x_j = 0$).",
        expected=lambda p: "sum(x*y)/sum(x**2)",
        misconceptions=(
            Misconception("sum(y)/sum(x)", "Setting the gradient to zero gives "
                          "θΣx_j² = Σx_j y_j; a ratio of sums of x and y is not it."),
            Misconception("sum(x**2)/sum(x*y)", "Upside down: θΣx_j² = Σx_j y_j."),
            Misconception("sum(x*y)/sum(x)**2", "(Σx_j)² is not Σx_j²: square each x_j "
                          "first."),
            Misconception("mean(y/x)", "Averaging per-point slopes is not least squares: "
                          "θΣx_j² = Σx_j y_j."),
        ),
        solution="(2/N)Σ(θx_j − y_j)x_j = 0 ⇔ θ* = Σx_j y_j / Σx_j².",
    ),
    Part(
        id="b.iii", kind=_expr, points=1,
        prompt=r"Linear model: $\theta$ after one (full-batch) gradient-descent step.",
        expected=lambda p: "theta - 2*alpha/N*sum((theta*x - y)*x)",
        misconceptions=(
            Misconception("theta - 2*alpha/N*sum(theta*x - y)", "Chain rule: each term of the "
                          "gradient carries a factor x_j."),
            Misconception("theta + 2*alpha/N*sum((theta*x - y)*x)", _ASCENT),
            Misconception("theta - 2*alpha*sum((theta*x - y)*x)", "L is a mean: the gradient "
                          "has a factor 1/N."),
            Misconception("2*alpha/N*sum((theta*x - y)*x)", _STEP_ONLY),
        ),
        solution="θ ← θ − α(2/N)Σ(θx_j − y_j)x_j.",
    ),
    Part(
        id="b.iv", kind=_expr, points=1,
        prompt=r"Linear model: $\theta$ after one SGD step on point $i$ $(x_i, y_i)$.",
        expected=lambda p: "theta - 2*alpha*(theta*x_i - y_i)*x_i",
        misconceptions=(
            Misconception("theta - 2*alpha*(theta*x_i - y_i)", "Chain rule: d/dθ (θx_i − y_i)² "
                          "= 2(θx_i − y_i)·x_i; the factor x_i is missing."),
            Misconception("theta - 2*alpha/N*(theta*x_i - y_i)*x_i", _FULL_VS_POINT.replace(
                "(θ − y_i)²", "(θx_i − y_i)²")),
            Misconception("theta + 2*alpha*(theta*x_i - y_i)*x_i", _ASCENT),
        ),
        solution="θ ← θ − 2α(θx_i − y_i)x_i.",
    ),
    Part(
        id="b.v", kind=_expr, points=1,
        prompt=r"Linear model: point $i$'s contribution to the full gradient "
        r"$\frac{dL}{d\theta}$.",
        expected=lambda p: "2/N*(theta*x_i - y_i)*x_i",
        misconceptions=(
            Misconception("2/N*(theta*x_i - y_i)", "Chain rule: the term carries a factor "
                          "x_i."),
            Misconception("2*(theta*x_i - y_i)*x_i", "In the full gradient each point's term "
                          "is divided by N."),
        ),
        solution="Point i's term of (2/N)Σ(θx_j − y_j)x_j: (2/N)(θx_i − y_i)x_i.",
    ),
    Part(
        id="b.vi", kind=ChoiceAnswer(gd.VOTE_OPTIONS), points=1,
        prompt=r"Linear model: think of $-\frac2N(\theta x_i - y_i)x_i$ as point $i$'s "
        r"*vote* on how to move $\theta$. Two points have the **same error** "
        r"$\theta x_i - y_i$. How do their votes compare?",
        expected=_vote_answer,
        misconceptions=(
            Misconception("equal", "Same error does not mean same vote: the term "
                          "(θx_i − y_i)·x_i carries x_i, so points far from 0 pull harder."),
            Misconception("error_only", "The vote is (error)·x_i: it depends on x_i too."),
            Misconception("prop_y", "With the error fixed, y_i only enters through the error; "
                          "the extra factor is x_i."),
        ),
        solution="Vote ∝ (θx_i − y_i)·x_i: for equal error it scales with x_i (a point at "
        "x = 0 has no say, a point far out has a big one).",
    ),
)

PROBLEM = Problem(
    id="disc1-gd-mechanics",
    title="Gradient descent mechanics",
    source="Discussion 1",
    statement=STATEMENT,
    parts=PARTS,
    topics=("gradient descent", "SGD", "least squares"),
)
