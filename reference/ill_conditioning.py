"""Gradient descent does not go nuts with ill-conditioning (Homework 0).

Least squares min ‖y − Fw‖² by GD from w_0 = 0: w_t = (I − ηFᵀF) w_{t−1} + ηFᵀy. When GD
cannot diverge the eigenvalues 1 − ησ_i² of I − ηFᵀF lie in [−1, 1] (0 ≤ η ≤ 2/α², α the
largest singular value of F), so ‖w_t‖ ≤ ‖w_{t−1}‖ + ηα‖y‖ and, by induction and the triangle
inequality, ‖w_k − w*‖ ≤ kηα‖y‖ + ‖w*‖.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def gd_iterates(F: ArrayLike, y: ArrayLike, eta: float, k: int) -> NDArray[np.float64]:
    """w_0 = 0, ..., w_k of GD w ← w − ηFᵀ(Fw − y). F (n, d), y (n,) -> (k + 1, d)."""
    f = np.asarray(F, dtype=float)
    yy = np.asarray(y, dtype=float)
    ws = [np.zeros(f.shape[1])]
    for _ in range(k):
        w = ws[-1]
        ws.append(w - eta * f.T @ (f @ w - yy))
    return np.array(ws)


def largest_singular_value(F: ArrayLike) -> float:
    """α = σ_max(F) = ‖F‖₂."""
    return float(np.linalg.norm(np.asarray(F, dtype=float), 2))


def max_stable_eta(F: ArrayLike) -> float:
    """The largest η for which GD on ‖y − Fw‖² (with step ηFᵀ(Fw − y)) cannot diverge: 2/α²."""
    return 2.0 / largest_singular_value(F) ** 2


def update_matrix_eigenvalues(F: ArrayLike, eta: float) -> NDArray[np.float64]:
    """Eigenvalues of I − ηFᵀF, ascending, shape (d,)."""
    f = np.asarray(F, dtype=float)
    return np.asarray(np.linalg.eigvalsh(np.eye(f.shape[1]) - eta * f.T @ f), dtype=float)


def step_bound(norm_wprev: float, eta: float, alpha: float, norm_y: float) -> float:
    """The one-step bound ‖w_t‖ ≤ ‖w_{t−1}‖ + ηα‖y‖."""
    return norm_wprev + eta * alpha * norm_y


def k_step_bound(k: int, eta: float, alpha: float, norm_y: float, norm_wstar: float) -> float:
    """The error bound ‖w_k − w*‖ ≤ kηα‖y‖ + ‖w*‖ after k steps from w_0 = 0."""
    return k * eta * alpha * norm_y + norm_wstar


def ill_conditioned_matrix(
    rng: np.random.Generator, n: int, d: int, condition: float, alpha: float = 1.0
) -> NDArray[np.float64]:
    """A random n×d matrix (n ≥ d), singular values log-spaced from alpha to alpha/condition."""
    u, _ = np.linalg.qr(rng.standard_normal((n, d)))
    v, _ = np.linalg.qr(rng.standard_normal((d, d)))
    s = alpha * np.logspace(0.0, -np.log10(condition), d)
    return np.asarray(u @ np.diag(s) @ v.T, dtype=float)
