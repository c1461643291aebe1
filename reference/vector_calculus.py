"""Vector calculus with the row-vector (numerator-layout) convention (Homework 0).

x, c are n×1 columns and A is n×n. The derivative of a scalar s(x) is the 1×n row ∂s/∂x with
entries ∂s/∂x_j; the derivative of a vector v(x) ∈ ℝᵐ is the m×n Jacobian ∂v_i/∂x_j.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _col(v: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(v, dtype=float).reshape(-1, 1)


def d_linear(c: ArrayLike) -> NDArray[np.float64]:
    """∂(xᵀc)/∂x = cᵀ, shape (1, n)."""
    return _col(c).T


def d_square_norm(x: ArrayLike) -> NDArray[np.float64]:
    """∂(xᵀx)/∂x = 2xᵀ, shape (1, n)."""
    return 2.0 * _col(x).T


def d_matvec(A: ArrayLike) -> NDArray[np.float64]:
    """∂(Ax)/∂x = A, shape (n, n)."""
    return np.asarray(A, dtype=float)


def d_quadratic(x: ArrayLike, A: ArrayLike) -> NDArray[np.float64]:
    """∂(xᵀAx)/∂x = xᵀ(A + Aᵀ), shape (1, n)."""
    a = np.asarray(A, dtype=float)
    return _col(x).T @ (a + a.T)


def quadratic_equals_2xtA(A: ArrayLike, atol: float = 1e-12) -> bool:
    """xᵀ(A + Aᵀ) = 2xᵀA for every x exactly when A is symmetric."""
    a = np.asarray(A, dtype=float)
    return bool(np.allclose(a, a.T, atol=atol, rtol=0.0))
