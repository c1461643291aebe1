"""Gradient-descent mechanics for the mean-squared loss (Discussion 1).

Two models on data ``x, y`` of shape (N,):

* constant model ``y_hat = theta``: loss ``L(theta) = mean((theta - y)**2)``;
* linear model through the origin ``y_hat = theta * x``: loss ``mean((theta * x - y)**2)``.

An SGD step on point ``i`` uses the single-point loss ``(theta - y_i)**2`` (or
``(theta * x_i - y_i)**2``), so it is ``N`` times that point's share of the full gradient.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _vec(a: ArrayLike) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"expected a non-empty 1-D array, got shape {arr.shape}")
    return arr


# ---- constant model -------------------------------------------------------------------------


def constant_loss(theta: float, y: ArrayLike) -> float:
    """Mean-squared loss of the constant model: ``mean((theta - y)**2)``; y has shape (N,)."""
    return float(np.mean((theta - _vec(y)) ** 2))


def constant_gradient(theta: float, y: ArrayLike) -> float:
    """dL/dtheta of the constant model: ``2/N * sum(theta - y)``; y has shape (N,)."""
    yv = _vec(y)
    return float(2.0 / yv.size * np.sum(theta - yv))


def constant_minimiser(y: ArrayLike) -> float:
    """The theta minimising the constant model's loss: ``mean(y)``; y has shape (N,)."""
    return float(np.mean(_vec(y)))


def constant_gd_step(theta: float, y: ArrayLike, alpha: float) -> float:
    """Theta after one full-batch GD step of size alpha; y has shape (N,)."""
    return float(theta - alpha * constant_gradient(theta, y))


def constant_sgd_step(theta: float, y_i: float, alpha: float) -> float:
    """Theta after one SGD step on the single-point loss ``(theta - y_i)**2``."""
    return float(theta - 2.0 * alpha * (theta - y_i))


def constant_point_contribution(theta: float, y_i: float, n: int) -> float:
    """Point i's share of the full gradient: ``2/N * (theta - y_i)``."""
    return float(2.0 / n * (theta - y_i))


# ---- linear model through the origin ---------------------------------------------------------


def linear_loss(theta: float, x: ArrayLike, y: ArrayLike) -> float:
    """Mean-squared loss of ``y_hat = theta*x``; x, y have shape (N,)."""
    return float(np.mean((theta * _vec(x) - _vec(y)) ** 2))


def linear_gradient(theta: float, x: ArrayLike, y: ArrayLike) -> float:
    """dL/dtheta of the linear model: ``2/N * sum((theta*x - y)*x)``; x, y shape (N,)."""
    xv, yv = _vec(x), _vec(y)
    return float(2.0 / xv.size * np.sum((theta * xv - yv) * xv))


def linear_minimiser(x: ArrayLike, y: ArrayLike) -> float:
    """The least-squares theta: ``sum(x*y) / sum(x**2)``; x, y shape (N,), x not all zero."""
    xv, yv = _vec(x), _vec(y)
    denom = float(np.sum(xv**2))
    if denom == 0.0:
        raise ValueError("x is all zeros: every theta fits equally well")
    return float(np.sum(xv * yv) / denom)


def linear_gd_step(theta: float, x: ArrayLike, y: ArrayLike, alpha: float) -> float:
    """Theta after one full-batch GD step of size alpha; x, y shape (N,)."""
    return float(theta - alpha * linear_gradient(theta, x, y))


def linear_sgd_step(theta: float, x_i: float, y_i: float, alpha: float) -> float:
    """Theta after one SGD step on ``(theta*x_i - y_i)**2``."""
    return float(theta - 2.0 * alpha * (theta * x_i - y_i) * x_i)


def linear_point_contribution(theta: float, x_i: float, y_i: float, n: int) -> float:
    """Point i's share of the full gradient: ``2/N * (theta*x_i - y_i) * x_i``."""
    return float(2.0 / n * (theta * x_i - y_i) * x_i)


def linear_vote(theta: float, x_i: float, y_i: float, n: int) -> float:
    """Point i's "vote": how far it pushes theta in a GD step per unit step size.

    The vote is minus its gradient contribution, ``-2/N * (theta*x_i - y_i) * x_i``: for a
    fixed error ``theta*x_i - y_i`` it scales with ``x_i`` (points far from 0 vote louder).
    """
    return -linear_point_contribution(theta, x_i, y_i, n)


VOTE_OPTIONS: dict[str, str] = {
    "equal": "every point gets the same vote",
    "prop_x": "the vote is proportional to x_i",
    "prop_y": "the vote is proportional to y_i",
    "error_only": "the vote depends on the error only",
}


def vote_scaling(x: ArrayLike, theta: float, error: float) -> str:
    """Which option of VOTE_OPTIONS describes the votes of points with the same error.

    Builds points ``y_i = theta*x_i - error`` (same error for all) and compares their votes;
    x has shape (N,) with at least two distinct non-zero values.
    """
    xv = _vec(x)
    if error == 0:
        raise ValueError("with zero error every vote is 0: nothing to compare")
    y = theta * xv - error
    votes = np.array([linear_vote(theta, xi, yi, xv.size) for xi, yi in zip(xv, y, strict=True)])
    if np.allclose(votes, votes[0]):
        return "equal"
    ratio = votes / xv
    if np.allclose(ratio, ratio[0]):
        return "prop_x"
    ratio_y = votes / np.where(y == 0, np.nan, y)
    if np.all(np.isfinite(ratio_y)) and np.allclose(ratio_y, ratio_y[0]):
        return "prop_y"
    return "error_only"
