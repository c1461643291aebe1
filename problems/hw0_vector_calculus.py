"""hw0-vector-calculus: derivatives with the row-vector convention (Homework 0)."""

from __future__ import annotations

from service.grading.formula.domains import Column, Domain, Integer, Matrix
from service.grading.kinds import ChoiceAnswer, ExpressionAnswer
from service.grading.model import Misconception, Part, Problem

STATEMENT = r"""
Let $x, c \in \mathbb R^{n}$ be column vectors ($n\times 1$) and $A \in \mathbb R^{n\times n}$.
We use the convention that the derivative of a scalar with respect to the column $x$ is the
$1\times n$ **row** $\frac{\partial s}{\partial x} = \left[\frac{\partial s}{\partial x_1}
\ \cdots\ \frac{\partial s}{\partial x_n}\right]$, and the derivative of a vector $v(x)$ is the
matrix with entries $\frac{\partial v_i}{\partial x_j}$. Write answers with `x`, `c`, `A`,
`.T` and `@` (e.g. `x.T @ A`).
"""

_vars: dict[str, Domain] = {
    "n": Integer(2, 5),
    "x": Column("n"),
    "c": Column("n"),
    "A": Matrix("n", "n"),
}
_kind = ExpressionAnswer(_vars)

PROBLEM = Problem(
    id="hw0-vector-calculus",
    title="Vector calculus review",
    source="Homework 0",
    statement=STATEMENT,
    topics=("vector calculus", "gradients"),
    parts=(
        Part(
            id="a",
            kind=_kind,
            points=1,
            prompt=r"$\frac{\partial}{\partial x}\left(x^\top c\right)$",
            expected=lambda p: "c.T",
            misconceptions=(
                Misconception("c", "Transposed: the derivative of a scalar is a 1×n row, cᵀ."),
                Misconception(
                    "x.T",
                    "Differentiate with respect to x: the coefficients of x are the entries of c.",
                ),
            ),
            solution="xᵀc = Σ c_j x_j, so ∂/∂x_j = c_j: the row cᵀ.",
        ),
        Part(
            id="b",
            kind=_kind,
            points=1,
            prompt=r"$\frac{\partial}{\partial x}\left(x^\top x\right) = "
            r"\frac{\partial}{\partial x}\lVert x\rVert_2^2$",
            expected=lambda p: "2*x.T",
            misconceptions=(
                Misconception("2*x", "Transposed: the derivative of a scalar is a 1×n row, 2xᵀ."),
                Misconception("x.T", "Both factors depend on x: Σ x_j² gives 2x_j."),
            ),
            solution="xᵀx = Σ x_j², so ∂/∂x_j = 2x_j: the row 2xᵀ.",
        ),
        Part(
            id="c",
            kind=_kind,
            points=1,
            prompt=r"$\frac{\partial}{\partial x}\left(Ax\right)$",
            expected=lambda p: "A",
            misconceptions=(
                Misconception("A.T", "Transposed: entry (i, j) is ∂(Ax)_i/∂x_j = A_ij."),
            ),
            solution="(Ax)_i = Σ_j A_ij x_j, so ∂(Ax)_i/∂x_j = A_ij: the matrix A.",
        ),
        Part(
            id="d",
            kind=_kind,
            points=2,
            prompt=r"$\frac{\partial}{\partial x}\left(x^\top A x\right)$",
            expected=lambda p: "x.T @ (A + A.T)",
            misconceptions=(
                Misconception(
                    "2*x.T@A", "Only for symmetric A: x appears on both sides, giving xᵀA + xᵀAᵀ."
                ),
                Misconception(
                    "(A + A.T) @ x",
                    "Transposed: the derivative of a scalar is a 1×n row, xᵀ(A + Aᵀ).",
                ),
                Misconception("x.T @ A", "x appears twice; the product rule adds xᵀAᵀ."),
            ),
            solution="xᵀAx = Σ_ij x_i A_ij x_j; ∂/∂x_k = Σ_j A_kj x_j + Σ_i x_i A_ik, "
            "i.e. the row xᵀAᵀ + xᵀA = xᵀ(A + Aᵀ).",
        ),
        Part(
            id="e",
            points=1,
            kind=ChoiceAnswer(
                {
                    "symmetric": "A is symmetric (A = Aᵀ)",
                    "diagonal": "A is diagonal",
                    "invertible": "A is invertible",
                    "psd": "A is positive semidefinite",
                    "always": "always",
                }
            ),
            prompt=r"Under what condition is the previous derivative equal to $2x^\top A$?",
            expected=lambda p: "symmetric",
            misconceptions=(
                Misconception(
                    "diagonal", "Diagonal is enough but not needed: any A with A = Aᵀ works."
                ),
                Misconception("always", "xᵀ(A + Aᵀ) = 2xᵀA for all x needs Aᵀ = A."),
                Misconception("psd", "Definiteness does not matter; symmetry does."),
            ),
            solution="When A = Aᵀ, since then xᵀ(A + Aᵀ) = 2xᵀA for every x.",
        ),
    ),
)
