"""hw0-ridge-augmentation: Tikhonov regularisation from data augmentation (Homework 0)."""

from __future__ import annotations

from typing import Any

import numpy as np

from reference import ridge as ref
from service.grading.formula.domains import Column, Matrix
from service.grading.kinds import CodeAnswer, ExpressionAnswer, TextAnswer
from service.grading.kinds.code_spec import CodeCall, CodeCase, CodeSpec, Compare
from service.grading.model import Misconception, Params, Part, Problem

SOLUTION = '''import numpy as np


def augment(X, y, Sigma):
    """X_hat = [X; Gamma], y_hat = [y; 0] with Gamma.T @ Gamma = inv(Sigma)."""
    L = np.linalg.cholesky(np.linalg.inv(Sigma))  # inv(Sigma) = L @ L.T
    gamma = L.T                                   # gamma.T @ gamma = L @ L.T
    X_hat = np.vstack([X, gamma])
    y_hat = np.concatenate([np.ravel(y), np.zeros(gamma.shape[0])])
    return X_hat, y_hat
'''
GAMMA_IS_SIGMA_FACTOR = SOLUTION.replace(
    "np.linalg.cholesky(np.linalg.inv(Sigma))", "np.linalg.cholesky(Sigma)"
)


def judge_augment(got: Any, case: dict[str, np.ndarray]) -> tuple[bool, str]:
    """Check X̂[:n] = X, ŷ = [y; 0] and ΓᵀΓ = Σ⁻¹ for the returned Γ = X̂[n:] (any valid Γ)."""
    x, y, sigma = case["X"], case["y"], case["Sigma"]
    n, d = x.shape
    if not isinstance(got, list | tuple) or len(got) != 2:
        return False, "augment must return a pair (X_hat, y_hat)."
    try:
        x_hat = np.asarray(got[0], dtype=float)
        y_hat = np.asarray(got[1], dtype=float)
    except (TypeError, ValueError):
        return False, "X_hat and y_hat must be numeric arrays."
    if x_hat.shape != (n + d, d):
        return False, f"X_hat should have shape {(n + d, d)} (n + d rows), got {x_hat.shape}."
    if y_hat.size != n + d or y_hat.ndim > 2:
        return False, f"y_hat should have n + d = {n + d} entries, got shape {y_hat.shape}."
    y_hat = y_hat.reshape(-1)
    if not np.allclose(x_hat[:n], x, rtol=1e-9, atol=1e-12):
        return False, "The first n rows of X_hat must be X itself (the real data)."
    if not np.allclose(y_hat[:n], y, rtol=1e-9, atol=1e-12):
        return False, "The first n entries of y_hat must be y."
    if not np.allclose(y_hat[n:], 0.0, atol=1e-12):
        return False, "The d fake measurements must be 0: y_hat = [y; 0_d]."
    gamma = x_hat[n:]
    gram, s_inv = gamma.T @ gamma, np.linalg.inv(sigma)
    if np.allclose(gram, s_inv, rtol=1e-6, atol=1e-9):
        return True, "X_hat = [X; Γ] with ΓᵀΓ = Σ⁻¹ and y_hat = [y; 0]."
    if np.allclose(gram, sigma, rtol=1e-6, atol=1e-9):
        return False, "Your Γ has ΓᵀΓ = Σ; it must be Σ⁻¹ (factor the inverse covariance)."
    if np.allclose(gram, s_inv @ s_inv, rtol=1e-6, atol=1e-9):
        return False, "Γ = Σ⁻¹ gives ΓᵀΓ = Σ⁻²; Γ must be a square root of Σ⁻¹ (e.g. Cholesky)."
    return False, "The extra rows Γ = X_hat[n:] must satisfy ΓᵀΓ = Σ⁻¹."


EXPECTED_TEXT = "(X_hat, y_hat) with X_hat = [X; Γ], ΓᵀΓ = inv(Sigma), y_hat = [y; 0]"


def _case(rng: np.random.Generator, n: int, d: int, hidden: bool, label: str) -> CodeCase:
    x, y, sigma = rng.normal(size=(n, d)), rng.normal(size=n), ref.random_spd(rng, d)
    data = {"X": x, "y": y, "Sigma": sigma}

    def judge(got: Any, _expected: Any) -> tuple[bool, str]:
        return judge_augment(got, data)

    # the code kind shows `expected` of a failed visible case: a description, not the data
    return CodeCase(
        CodeCall("augment", (x, y, sigma)),
        EXPECTED_TEXT,
        hidden=hidden,
        label=label,
        compare=Compare(mode="judge"),
        judge=judge,
    )


def code_spec(p: Params) -> CodeSpec:
    """Visible and hidden augment() cases drawn from the variant's data seed."""
    rng = np.random.default_rng(int(p["data_seed"]))
    return CodeSpec(
        functions=("augment",),
        cases=(
            _case(rng, 5, 2, False, "n = 5, d = 2"),
            _case(rng, 8, 3, False, "n = 8, d = 3"),
            _case(rng, 3, 4, True, "fewer points than dimensions"),
            _case(rng, 12, 5, True, "n = 12, d = 5"),
        ),
        timeout_s=10.0,
    )


STATEMENT = r"""
Let $w \sim \mathcal N(0, \Sigma)$ in $\mathbb R^d$ with $\Sigma$ symmetric positive definite,
and $y_i = w^\top x_i + Z_i$ with $Z_i \sim \mathcal N(0, 1)$ i.i.d. With the data matrix
$X \in \mathbb R^{n\times d}$ (rows $x_i^\top$) and $y \in \mathbb R^n$, the MAP estimate of $w$
is the Tikhonov (generalised ridge) solution. Let $\Gamma$ be a $d\times d$ matrix with
$\Gamma^\top\Gamma = \Sigma^{-1}$ and augment the data:
$\hat X = \begin{bmatrix} X \\ \Gamma \end{bmatrix}$,
$\hat y = \begin{bmatrix} y \\ 0_d \end{bmatrix}$.
"""

_vars = {"X": Matrix(5, 3), "y": Column(5), "Sigma": Matrix(3, 3, "spd")}

PROBLEM = Problem(
    id="hw0-ridge-augmentation",
    title="Regularisation from the augmentation perspective",
    source="Homework 0",
    statement=STATEMENT,
    base_params={"data_seed": 0},
    sample_params=lambda rng: {"data_seed": int(rng.integers(1, 2**31))},
    topics=("ridge regression", "MAP estimation", "data augmentation"),
    parts=(
        Part(
            id="a",
            kind=ExpressionAnswer(_vars),
            points=2,
            prompt=r"Give the MAP estimate $\hat w$ in terms of `X`, `y` and `Sigma` "
            r"(use `@`, `.T` and `inv`).",
            expected=lambda p: "inv(X.T@X + inv(Sigma)) @ X.T @ y",
            misconceptions=(
                Misconception(
                    "inv(X.T@X + Sigma) @ X.T @ y",
                    "The prior enters through its "
                    "precision: the penalty is wᵀΣ⁻¹w, so add Σ⁻¹, not Σ.",
                ),
                Misconception(
                    "inv(X.T@X) @ X.T @ y",
                    "That is plain least squares; the prior adds Σ⁻¹ to XᵀX.",
                ),
                Misconception(
                    "inv(X.T@X + Sigma^-1) @ X.T @ y",
                    "Sigma^-1 (or Sigma**-1) takes "
                    "the reciprocal of each entry; the matrix inverse is inv(Sigma).",
                ),
                Misconception(
                    "inv(X.T@X + inv(Sigma)) @ X.T @ y / 2",
                    "No factor ½: set the gradient of ‖y − Xw‖² + wᵀΣ⁻¹w to zero.",
                ),
            ),
            solution="ŵ = (XᵀX + Σ⁻¹)⁻¹Xᵀy, the minimiser of ‖y − Xw‖² + wᵀΣ⁻¹w.",
        ),
        Part(
            id="b",
            kind=CodeAnswer(("augment",)),
            points=3,
            prompt=r"Write `augment(X, y, Sigma)` returning `(X_hat, y_hat)` as defined above "
            r"(numpy arrays; `y` and `y_hat` 1-D). Any $\Gamma$ with "
            r"$\Gamma^\top\Gamma = \Sigma^{-1}$ is accepted.",
            expected=code_spec,
            misconceptions=(Misconception(GAMMA_IS_SIGMA_FACTOR, "Γ must factor Σ⁻¹, not Σ."),),
            solution=SOLUTION,
        ),
        Part(
            id="c",
            kind=TextAnswer(),
            points=3,
            prompt=r"Show that $\arg\min_w \lVert \hat y - \hat X w\rVert_2^2$ equals the MAP "
            r"estimate.",
            solution="OLS on (X̂, ŷ): ŵ = (X̂ᵀX̂)⁻¹X̂ᵀŷ. X̂ᵀX̂ = XᵀX + ΓᵀΓ = XᵀX + Σ⁻¹ and "
            "X̂ᵀŷ = Xᵀy + Γᵀ0 = Xᵀy, so ŵ = (XᵀX + Σ⁻¹)⁻¹Xᵀy.",
        ),
    ),
)
