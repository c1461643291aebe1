"""Regularisation from the augmentation perspective (Homework 0).

Prior w ~ N(0, Σ), y = Xw + Z with Z ~ N(0, I): the MAP estimate is the Tikhonov solution
ŵ = (XᵀX + Σ⁻¹)⁻¹ Xᵀy. Appending d fake rows Γ (with ΓᵀΓ = Σ⁻¹) to X and d zeros to y turns it
into ordinary least squares on (X̂, ŷ).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def map_estimate(X: ArrayLike, y: ArrayLike, Sigma: ArrayLike) -> NDArray[np.float64]:
    """(XᵀX + Σ⁻¹)⁻¹Xᵀy. X (n, d), y (n,), Sigma (d, d) spd -> (d,)."""
    x = np.asarray(X, dtype=float)
    s_inv = np.linalg.inv(np.asarray(Sigma, dtype=float))
    return np.asarray(np.linalg.solve(x.T @ x + s_inv, x.T @ np.asarray(y, dtype=float)))


def gamma_from_sigma(Sigma: ArrayLike) -> NDArray[np.float64]:
    """An upper-triangular Γ (d, d) with ΓᵀΓ = Σ⁻¹: Γ = Lᵀ where Σ⁻¹ = LLᵀ (Cholesky)."""
    s_inv = np.linalg.inv(np.asarray(Sigma, dtype=float))
    return np.asarray(np.linalg.cholesky((s_inv + s_inv.T) / 2).T, dtype=float)


def augment(
    X: ArrayLike, y: ArrayLike, Sigma: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """X̂ = [X; Γ] (n + d, d) and ŷ = [y; 0_d] (n + d,)."""
    x = np.asarray(X, dtype=float)
    yy = np.asarray(y, dtype=float).reshape(-1)
    gamma = gamma_from_sigma(Sigma)
    return np.vstack([x, gamma]), np.concatenate([yy, np.zeros(gamma.shape[0])])


def ols(X: ArrayLike, y: ArrayLike) -> NDArray[np.float64]:
    """argmin_w ‖y − Xw‖² by least squares. X (n, d), y (n,) -> (d,)."""
    sol, *_ = np.linalg.lstsq(np.asarray(X, dtype=float), np.asarray(y, dtype=float), rcond=None)
    return np.asarray(sol, dtype=float)


def posterior_mean(X: ArrayLike, y: ArrayLike, Sigma: ArrayLike) -> NDArray[np.float64]:
    """E[w | y] for the jointly Gaussian model: Σ Xᵀ (X Σ Xᵀ + I)⁻¹ y, shape (d,)."""
    x = np.asarray(X, dtype=float)
    s = np.asarray(Sigma, dtype=float)
    cov_y = x @ s @ x.T + np.eye(x.shape[0])
    return np.asarray(s @ x.T @ np.linalg.solve(cov_y, np.asarray(y, dtype=float)))


def random_spd(
    rng: np.random.Generator, d: int, lo: float = 0.3, hi: float = 3.0
) -> NDArray[np.float64]:
    """A random symmetric positive-definite d×d matrix with eigenvalues in [lo, hi]."""
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return np.asarray(q @ np.diag(rng.uniform(lo, hi, d)) @ q.T, dtype=float)
