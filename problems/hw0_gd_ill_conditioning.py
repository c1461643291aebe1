"""hw0-gd-ill-conditioning: gradient descent doesn't go nuts with ill-conditioning (Homework 0)."""

from __future__ import annotations

from typing import Any

import numpy as np

from reference import ill_conditioning as ref
from service.grading.formula.domains import Positive
from service.grading.kinds import ChoiceAnswer, ExpressionAnswer, NumberAnswer, TextAnswer
from service.grading.model import Misconception, Params, Part, Problem


def _sig(x: float, digits: int = 3) -> float:
    """x rounded to ``digits`` significant digits (what the statement shows)."""
    return float(f"{x:.{digits}g}")


def k_bound(p: Params) -> float:
    """kηα‖y‖ + ‖w*‖ for the variant's numbers."""
    return ref.k_step_bound(p["k"], p["eta"], p["alpha"], p["norm_y"], p["norm_wstar"])


def sample_params(rng: np.random.Generator) -> dict[str, Any]:
    """Numbers with η inside the stable range 2/α²; ‖w*‖ a visible share of the bound."""
    while True:
        alpha = _sig(rng.uniform(1.5, 8.0))
        params = {
            "k": int(rng.integers(20, 201)),
            "alpha": alpha,
            "eta": _sig(rng.uniform(0.05, 0.9) / alpha**2),
            "norm_y": _sig(rng.uniform(1.0, 5.0)),
            "norm_wstar": _sig(rng.uniform(2.0, 30.0)),
        }
        if params["norm_wstar"] >= 0.02 * k_bound(params):
            return params


STATEMENT = r"""
Instead of inverting $F^\top F$ to solve least squares $\min_w \lVert y - Fw\rVert_2^2$, we run
$k$ iterations of gradient descent from $w_0 = 0$,
$$w_t = w_{t-1} - \eta F^\top (F w_{t-1} - y) = (I - \eta F^\top F)\, w_{t-1} + \eta F^\top y,$$
with a learning rate $\eta$ small enough that gradient descent cannot diverge. $\alpha$ is the
largest singular value of $F$ and $w^*$ the least-squares solution. We want to show that the
error $\lVert w_k - w^*\rVert_2$ grows at most linearly in $k$:
$\lVert w_k - w^*\rVert_2 \le k\eta\alpha\lVert y\rVert_2 + \lVert w^*\rVert_2$.
"""

_step_vars = {
    "norm_wprev": Positive(0.1, 5.0),
    "eta": Positive(0.01, 1.0),
    "alpha": Positive(0.5, 4.0),
    "norm_y": Positive(0.1, 5.0),
}

PROBLEM = Problem(
    id="hw0-gd-ill-conditioning",
    title="Gradient descent doesn't go nuts with ill-conditioning",
    source="Homework 0",
    statement=STATEMENT,
    base_params={"k": 50, "eta": 0.02, "alpha": 4.0, "norm_y": 10.0, "norm_wstar": 3.0},
    sample_params=sample_params,
    topics=("gradient descent", "conditioning", "least squares"),
    parts=(
        Part(
            id="a",
            kind=TextAnswer(),
            points=3,
            prompt=r"Show that for $t > 0$, "
            r"$\lVert w_t\rVert_2 \le \lVert w_{t-1}\rVert_2 + \eta\alpha\lVert y\rVert_2$.",
            solution="w_t = (I − ηFᵀF)w_{t−1} + ηFᵀy. Since GD cannot diverge, the eigenvalues "
            "1 − ησ_i² of the symmetric matrix I − ηFᵀF lie in [−1, 1], so its operator norm is "
            "at most 1 and ‖(I − ηFᵀF)w_{t−1}‖ ≤ ‖w_{t−1}‖. Also ‖ηFᵀy‖ ≤ ηα‖y‖ since "
            "‖Fᵀ‖ = α. The triangle inequality gives the bound.",
        ),
        Part(
            id="a.eig",
            points=1,
            kind=ChoiceAnswer(
                {
                    "pm1": "they lie in [−1, 1]",
                    "unit": "they lie in [0, 1]",
                    "positive": "they are positive",
                    "zero_two": "they lie in [0, 2]",
                }
            ),
            prompt=r"What do you know about the eigenvalues of $I - \eta F^\top F$ when gradient "
            r"descent cannot diverge?",
            expected=lambda p: "pm1",
            misconceptions=(
                Misconception(
                    "unit",
                    "Eigenvalues 1 − ησ² in [−1, 0) are allowed too: that "
                    "coordinate oscillates in sign but does not grow (η up to 2/σ²).",
                ),
                Misconception(
                    "zero_two",
                    "[0, 2] is the range of ησ_i²; the eigenvalues of I − ηFᵀF are 1 − ησ_i².",
                ),
            ),
            solution="1 − ησ_i² ∈ [−1, 1] for every singular value σ_i of F (0 ≤ η ≤ 2/α²).",
        ),
        Part(
            id="a.step",
            kind=ExpressionAnswer(_step_vars),
            points=2,
            prompt=r"Give the bound on $\lVert w_t\rVert_2$ in terms of `norm_wprev` "
            r"($\lVert w_{t-1}\rVert_2$), `eta`, `alpha` and `norm_y` ($\lVert y\rVert_2$).",
            expected=lambda p: "norm_wprev + eta*alpha*norm_y",
            misconceptions=(
                Misconception(
                    "norm_wprev + eta*alpha**2*norm_y",
                    "‖ηFᵀy‖ ≤ ηα‖y‖: Fᵀ stretches by at most α, once.",
                ),
                Misconception(
                    "eta*alpha*norm_y",
                    "The previous iterate stays: "
                    "‖(I − ηFᵀF)w_{t−1}‖ ≤ ‖w_{t−1}‖ is the first term.",
                ),
                Misconception("norm_wprev + alpha*norm_y", "The data term is ηFᵀy: keep η."),
                Misconception(
                    "norm_wprev - eta*alpha*norm_y",
                    "The triangle inequality adds norms; it never subtracts them.",
                ),
            ),
            solution="‖w_t‖ ≤ ‖w_{t−1}‖ + ηα‖y‖.",
        ),
        Part(
            id="a.k",
            kind=NumberAnswer(rtol=1e-3),
            points=2,
            prompt=r"For $k = {{ k }}$, $\eta = {{ eta:.3g }}$, $\alpha = {{ alpha:.3g }}$, "
            r"$\lVert y\rVert_2 = {{ norm_y:.3g }}$ and $\lVert w^*\rVert_2 = "
            r"{{ norm_wstar:.3g }}$, evaluate the bound on $\lVert w_k - w^*\rVert_2$.",
            expected=k_bound,
            misconceptions=(
                Misconception(
                    lambda p: p["k"] * p["eta"] * p["alpha"] * p["norm_y"],
                    "That bounds ‖w_k‖; the error ‖w_k − w*‖ needs ‖w*‖ added "
                    "(triangle inequality).",
                ),
                Misconception(
                    lambda p: p["k"] * p["eta"] * p["alpha"] ** 2 * p["norm_y"] + p["norm_wstar"],
                    "One factor of α: ‖Fᵀy‖ ≤ α‖y‖.",
                ),
            ),
            solution=lambda p: f"kηα‖y‖ + ‖w*‖ = {k_bound(p):.6g}.",
        ),
    ),
)
