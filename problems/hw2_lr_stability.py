"""hw2-lr-stability: why learning rates cannot be too big (Homework 2)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from reference import lr_stability as lr
from service.grading.formula.domains import Domain, Positive
from service.grading.kinds import (
    ChoiceAnswer,
    ExpressionAnswer,
    IntervalAnswer,
    NumberAnswer,
    TextAnswer,
)
from service.grading.model import Misconception, Params, Part, Problem

STATEMENT = r"""
Gradient descent with learning rate $\eta > 0$ on the scalar loss $(y - \sigma w)^2$
($\sigma > 0$) gives the recursion
$$w_{t+1} = (1 - 2\eta\sigma^2)\, w_t + 2\eta\sigma y, \qquad w_0 = 0,$$
whose fixed point is $w^* = y/\sigma$. Later we take two independent coordinates with
singular values $\sigma_\ell \gg \sigma_s > 0$, both updated with the same $\eta$:
loss $(y_1 - \sigma_\ell w_1)^2 + (y_2 - \sigma_s w_2)^2$.

Write formulas with `eta`, `sigma`, `eps`, `sigma_l`, `sigma_s` (Unicode η, σ, ε, σ_l also
work); intervals as chains like `lo < eta < hi`.
"""


def _sig3(value: float) -> float:
    """Round to the 3 significant figures the statement prints, so students see the numbers."""
    return float(f"{value:.3g}")


def _sample_single(rng: np.random.Generator) -> dict[str, float]:
    while True:
        sigma = _sig3(rng.uniform(0.5, 3.0))
        ratio = rng.uniform(0.05, 0.95)  # eta * sigma**2; 0.5 would converge in one step
        eps = float(rng.choice([0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001]))
        eta = _sig3(ratio / sigma**2)
        if not lr.is_stable(eta, sigma) or abs(eta * sigma**2 - 0.5) < 0.05:
            continue
        real_t = lr.iterations_formula(eta, sigma, eps)
        # Keep the smallest t clear of rounding: no near-integer real solutions.
        if 2 <= real_t <= 300 and abs(real_t - round(real_t)) >= 0.05:
            return {"sigma": sigma, "eta": eta, "eps": eps}


def _sample_pair(rng: np.random.Generator) -> dict[str, float]:
    # Half the variants have the sigma_s coordinate faster (eta near the edge 1/sigma_l**2).
    want = str(rng.choice(["large", "small"]))
    while True:
        sigma_l = _sig3(rng.uniform(2.0, 5.0))
        sigma_s = _sig3(sigma_l * rng.uniform(0.1, 0.6))
        eta = _sig3(rng.uniform(0.05, 0.98) / sigma_l**2)
        r_l, r_s = lr.rates(eta, sigma_l, sigma_s)
        well_posed = lr.is_stable(eta, sigma_l) and abs(r_l - r_s) >= 0.03
        if well_posed and lr.faster_coordinate(eta, sigma_l, sigma_s) == want:
            return {"d_sigma_l": sigma_l, "d_sigma_s": sigma_s, "d_eta": eta}


def sample_params(rng: np.random.Generator) -> dict[str, Any]:
    """A variant: (sigma, eta, eps) for b.num and (eta, sigma_l, sigma_s) for d."""
    return {**_sample_single(rng), **_sample_pair(rng)}


BASE_PARAMS: dict[str, Any] = {
    "sigma": 1.0, "eta": 0.1, "eps": 0.01, "d_sigma_l": 3.0, "d_sigma_s": 1.0, "d_eta": 0.05,
}

_SINGLE: dict[str, Domain] = {"eta": Positive(), "sigma": Positive()}
# eta*sigma**2 stays in (0.0125, 0.87): stable, on both sides of 1/2 (rho > 0 and rho < 0).
_ITER: dict[str, Domain] = {
    "eta": Positive(0.05, 0.6), "sigma": Positive(0.5, 1.2), "eps": Positive(0.01, 0.5),
}
_PAIR: dict[str, Domain] = {
    "eta": Positive(), "sigma_l": Positive(2.0, 4.0), "sigma_s": Positive(0.1, 1.0),
}
_PAIR_EXPR: dict[str, Domain] = {"sigma_l": Positive(2.0, 4.0), "sigma_s": Positive(0.1, 1.0)}

_COORDS = {
    "large": "the σ_ℓ coordinate (w_1)",
    "small": "the σ_s coordinate (w_2)",
    "same": "both converge at the same rate",
}


def _t(p: Params) -> int:
    return lr.iterations_to_converge(p["eta"], p["sigma"], p["eps"])


def _t_without_factor_two(p: Params) -> int:
    rho = abs(1 - p["eta"] * p["sigma"] ** 2)
    return math.ceil(math.log(p["eps"]) / math.log(rho))


def _faster(p: Params) -> str:
    return lr.faster_coordinate(p["d_eta"], p["d_sigma_l"], p["d_sigma_s"])


def _slower(p: Params) -> str:
    return "small" if _faster(p) == "large" else "large"


def _t_solution(p: Params) -> str:
    rho = lr.contraction(p["eta"], p["sigma"])
    real = lr.iterations_formula(p["eta"], p["sigma"], p["eps"])
    return (f"|1 − 2ησ²| = {abs(rho):.4g}; log(ε)/log|ρ| = {real:.4g}, so the smallest "
            f"integer is t = {_t(p)}.")


def _d_solution(p: Params) -> str:
    r_l, r_s = lr.rates(p["d_eta"], p["d_sigma_l"], p["d_sigma_s"])
    return (f"|1 − 2ησ_ℓ²| = {r_l:.3g} and |1 − 2ησ_s²| = {r_s:.3g}: the smaller factor "
            f"converges faster, so {_COORDS[_faster(p)]}.")


PARTS = (
    Part(
        id="a", kind=IntervalAnswer("eta", _SINGLE), points=2,
        prompt=r"For which learning rates $\eta$ does $w_t$ converge to $w^*$ for every $y$? "
        "Give an interval for `eta` in terms of `sigma`.",
        expected=lambda p: "0 < eta < 1/sigma**2",
        misconceptions=(
            Misconception("0 < eta < 2/sigma**2", "The loss (y − σw)² has no ½: its gradient "
                          "carries a factor 2, so the bound is 1/σ², not 2/σ².", credit=0.5),
            Misconception("0 < eta < 1/sigma", "Solve |1 − 2ησ²| < 1: the bound involves σ².",
                          credit=0.5),
            Misconception("0 <= eta <= 1/sigma**2", "At η = 1/σ² the factor is −1 and w_t "
                          "oscillates forever; at η = 0 nothing moves. Both ends are "
                          "excluded.", credit=0.5),
        ),
        solution="w_t − w* = (1 − 2ησ²)^t (w_0 − w*) → 0 ⇔ |1 − 2ησ²| < 1 ⇔ 0 < η < 1/σ².",
    ),
    Part(
        id="b", kind=ExpressionAnswer(_ITER), points=2,
        prompt=r"For a stable $\eta$, how many iterations $t$ until $w_t$ is within a factor "
        r"$1-\varepsilon$ of $w^*$, i.e. $|w_t - w^*| \le \varepsilon |w^*|$? Give the "
        "(real) solution $t$ of the equality in `eta`, `sigma`, `eps`.",
        expected=lambda p: "log(eps)/log(abs(1 - 2*eta*sigma**2))",
        misconceptions=(
            Misconception("log(eps)/log(1 - 2*eta*sigma**2)", "Right while 1 − 2ησ² > 0, but "
                          "for η > 1/(2σ²) the factor is negative and w_t oscillates: the "
                          "error shrinks like |1 − 2ησ²|^t, so take the absolute value.",
                          credit=0.5),
            Misconception("log(eps)/log(abs(1 - eta*sigma**2))", "The gradient of "
                          "(y − σw)² is −2σ(y − σw): the factor is 1 − 2ησ²."),
            Misconception("log(1 - eps)/log(abs(1 - 2*eta*sigma**2))", "Within a factor "
                          "1 − ε means the remaining error |1 − 2ησ²|^t is at most ε."),
            Misconception("log(abs(1 - 2*eta*sigma**2))/log(eps)", "Upside down: solve "
                          "|1 − 2ησ²|^t = ε for t."),
            Misconception("-log(eps)/(2*eta*sigma**2)", "That is the small-step approximation "
                          "log(1 − x) ≈ −x; give the exact count."),
        ),
        solution="|w_t − w*| = |1 − 2ησ²|^t |w*| ≤ ε|w*| ⇔ t ≥ log(ε)/log|1 − 2ησ²|.",
    ),
    Part(
        id="b.num", kind=NumberAnswer(integer=True), points=1,
        prompt=r"With $\sigma = {{ sigma:.3g }}$, $\eta = {{ eta:.3g }}$ and "
        r"$\varepsilon = {{ eps:.3g }}$: the smallest integer $t$ with "
        r"$|w_t - w^*| \le \varepsilon |w^*|$.",
        expected=_t,
        misconceptions=(
            Misconception(lambda p: _t(p) - 1, "Rounded down: after that many steps the error "
                          "is still above ε. Round the real solution up."),
            Misconception(_t_without_factor_two, "The factor per step is 1 − 2ησ² (the "
                          "gradient of (y − σw)² has a 2)."),
        ),
        solution=_t_solution,
    ),
    Part(
        id="c", kind=IntervalAnswer("eta", _PAIR), points=2,
        prompt=r"Now both coordinates are updated with the same $\eta$. For which $\eta$ do "
        "both converge? Interval for `eta` in `sigma_l`, `sigma_s`.",
        expected=lambda p: "0 < eta < 1/sigma_l**2",
        misconceptions=(
            Misconception("0 < eta < 1/sigma_s**2", "That only keeps the σ_s coordinate "
                          "stable; the σ_ℓ coordinate diverges once η > 1/σ_ℓ².", credit=0.5),
            Misconception("0 < eta < 1/(sigma_l**2 + sigma_s**2)", "That is the best η (part "
                          "e), not the edge of stability.", credit=0.5),
            Misconception("0 < eta < 2/sigma_l**2", "The loss has no ½: the bound is 1/σ_ℓ².",
                          credit=0.5),
        ),
        solution="Each coordinate needs 0 < η < 1/σ_k²; the binding one is σ_ℓ: 0 < η < 1/σ_ℓ².",
    ),
    Part(
        id="c.limit", points=1,
        kind=ChoiceAnswer({
            "large": "σ_ℓ, the larger singular value",
            "small": "σ_s, the smaller singular value",
            "both": "both limit it equally",
        }),
        prompt="Which singular value limits the learning rate?",
        expected=lambda p: "large",
        misconceptions=(
            Misconception("small", "The stability bound 1/σ² is *smallest* for the largest "
                          "σ: σ_ℓ limits η."),
            Misconception("both", "Each coordinate has its own bound 1/σ_k²; only the tighter "
                          "one, from σ_ℓ, matters."),
        ),
        solution="The bound 1/σ² is tightest for the largest σ: σ_ℓ.",
    ),
    Part(
        id="d", kind=ChoiceAnswer(_COORDS), points=2,
        prompt=r"With $\eta = {{ d_eta:.3g }}$, $\sigma_\ell = {{ d_sigma_l:.3g }}$, "
        r"$\sigma_s = {{ d_sigma_s:.3g }}$: which coordinate converges faster?",
        expected=_faster,
        misconceptions=(
            Misconception(_slower, "Compare the per-step factors |1 − 2ησ_ℓ²| and "
                          "|1 − 2ησ_s²| with these numbers: the smaller one converges faster."),
            Misconception("same", "The two factors |1 − 2ησ²| differ for these numbers."),
        ),
        solution=_d_solution,
    ),
    Part(
        id="e", kind=ExpressionAnswer(_PAIR_EXPR), points=2,
        prompt=r"Which $\eta$ makes the slower of the two coordinates converge as fast as "
        "possible? Formula in `sigma_l`, `sigma_s`.",
        expected=lambda p: "1/(sigma_l**2 + sigma_s**2)",
        misconceptions=(
            Misconception("1/sigma_l**2", "At η = 1/σ_ℓ² the σ_ℓ coordinate oscillates "
                          "forever (factor −1). Balance |1 − 2ησ_ℓ²| = |1 − 2ησ_s²|."),
            Misconception("1/sigma_s**2", "That η is far beyond 1/σ_ℓ²: the σ_ℓ coordinate "
                          "diverges."),
            Misconception("1/(sigma_l + sigma_s)**2", "Square each σ before adding: "
                          "2ησ_ℓ² − 1 = 1 − 2ησ_s²."),
            Misconception("1/(2*sigma_l**2)", "That makes the σ_ℓ coordinate converge in one "
                          "step but leaves σ_s slow; balance the two factors instead."),
        ),
        solution="The slower factor max(|1 − 2ησ_ℓ²|, |1 − 2ησ_s²|) is smallest where "
        "2ησ_ℓ² − 1 = 1 − 2ησ_s², i.e. η = 1/(σ_ℓ² + σ_s²).",
    ),
    Part(
        id="f", points=1,
        kind=ChoiceAnswer({
            "neither": "they change neither the stable range nor the best η",
            "range": "they shrink the stable range",
            "best": "they change the best η",
            "both": "they change both",
        }),
        prompt=r"Add more coordinates with singular values between $\sigma_s$ and "
        r"$\sigma_\ell$. What happens?",
        expected=lambda p: "neither",
        misconceptions=(
            Misconception("both", "Only the extremes matter: the range depends on σ_ℓ and "
                          "the best η on σ_ℓ and σ_s; middle coordinates converge faster than "
                          "the slowest one anyway."),
            Misconception("range", "The stable range is set by the largest σ alone."),
            Misconception("best", "At η = 1/(σ_ℓ² + σ_s²) every middle coordinate has a "
                          "factor smaller than the extremes'."),
        ),
        solution="Middle σ's have |1 − 2ησ²| between the two extremes' factors, so neither "
        "the bound 1/σ_ℓ² nor the best η changes.",
    ),
    Part(
        id="g", kind=TextAnswer(), points=2,
        prompt="Explain how this connects to gradient descent on least squares "
        r"$\|y - Xw\|^2$ through the SVD of $X$.",
        solution="With X = UΣVᵀ, rotating to w̃ = Vᵀw and ỹ = Uᵀy decouples the problem into "
        "independent scalar problems (ỹ_k − σ_k w̃_k)², one per singular value; the largest "
        "singular value limits η and the condition number σ_ℓ/σ_s sets the speed.",
    ),
)

PROBLEM = Problem(
    id="hw2-lr-stability",
    title="Why learning rates cannot be too big",
    source="Homework 2",
    statement=STATEMENT,
    parts=PARTS,
    base_params=BASE_PARAMS,
    sample_params=sample_params,
    topics=("gradient descent", "learning rate", "stability", "SVD"),
)
