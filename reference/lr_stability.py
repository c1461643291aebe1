"""Why learning rates cannot be too big (Homework 2).

Gradient descent on the scalar loss ``(y - sigma*w)**2`` with step ``eta`` is the recursion
``w_{t+1} = (1 - 2*eta*sigma**2) * w_t + 2*eta*sigma*y`` from ``w_0 = 0``. Its fixed point is
``w* = y/sigma`` and ``w_t - w* = rho**t * (w_0 - w*)`` with ``rho = 1 - 2*eta*sigma**2``.
"""

from __future__ import annotations

import math
from typing import Literal

Coordinate = Literal["large", "small", "same"]


def contraction(eta: float, sigma: float) -> float:
    """The factor ``rho = 1 - 2*eta*sigma**2`` multiplying the error at every step."""
    return 1.0 - 2.0 * eta * sigma**2


def gd_step(w: float, eta: float, sigma: float, y: float) -> float:
    """One GD step: ``(1 - 2*eta*sigma**2)*w + 2*eta*sigma*y``."""
    return contraction(eta, sigma) * w + 2.0 * eta * sigma * y


def fixed_point(sigma: float, y: float) -> float:
    """The minimiser ``w* = y/sigma`` (sigma != 0)."""
    return y / sigma


def closed_form(eta: float, sigma: float, y: float, t: int, w0: float = 0.0) -> float:
    """``w_t = w* + rho**t * (w0 - w*)``; with ``w0 = 0`` this is ``w* * (1 - rho**t)``."""
    w_star = fixed_point(sigma, y)
    return w_star + contraction(eta, sigma) ** t * (w0 - w_star)


def stable_eta_bound(sigma: float) -> float:
    """GD converges for every y exactly when ``0 < eta < 1/sigma**2``; returns the bound."""
    return 1.0 / sigma**2


def is_stable(eta: float, sigma: float) -> bool:
    """True when ``|1 - 2*eta*sigma**2| < 1``, i.e. ``0 < eta < 1/sigma**2``."""
    # Same as |rho| < 1, without the rounding of 1 - tiny to 1.
    return 0.0 < eta * sigma**2 < 1.0


def iterations_formula(eta: float, sigma: float, eps: float) -> float:
    """The real t solving ``|rho|**t = eps``: ``log(eps) / log(|1 - 2*eta*sigma**2|)``.

    After t steps ``|w_t - w*| = |rho|**t * |w*|``, so w_t is within a factor ``1 - eps`` of
    w* (relative error at most eps) once ``|rho|**t <= eps``. Needs a stable eta and
    ``rho != 0`` (rho = 0 converges in one step).
    """
    rho = abs(contraction(eta, sigma))
    if not 0.0 < rho < 1.0:
        raise ValueError(f"|1 - 2 eta sigma^2| = {rho:g}: the formula needs 0 < |rho| < 1")
    if not 0.0 < eps < 1.0:
        raise ValueError("eps must lie in (0, 1)")
    return math.log(eps) / math.log(rho)


def iterations_to_converge(eta: float, sigma: float, eps: float) -> int:
    """Smallest integer t with ``|1 - 2*eta*sigma**2|**t <= eps`` (relative error <= eps)."""
    rho = abs(contraction(eta, sigma))
    if rho == 0.0:
        return 1
    t = max(math.ceil(iterations_formula(eta, sigma, eps) - 1e-9), 0)
    # Guard the rounding at exact integers: step to the true smallest t.
    while t > 0 and rho ** (t - 1) <= eps:
        t -= 1
    while rho**t > eps:
        t += 1
    return t


def rates(eta: float, sigma_l: float, sigma_s: float) -> tuple[float, float]:
    """Per-coordinate error factors ``(|1 - 2 eta sigma_l^2|, |1 - 2 eta sigma_s^2|)``."""
    return abs(contraction(eta, sigma_l)), abs(contraction(eta, sigma_s))


def faster_coordinate(eta: float, sigma_l: float, sigma_s: float, tol: float = 1e-12) -> Coordinate:
    """Which coordinate's error shrinks faster per step: "large" (sigma_l), "small" or "same"."""
    r_l, r_s = rates(eta, sigma_l, sigma_s)
    if abs(r_l - r_s) <= tol:
        return "same"
    return "large" if r_l < r_s else "small"


def two_coordinate_rate(eta: float, sigma_l: float, sigma_s: float) -> float:
    """The overall rate ``max(|1 - 2 eta sigma_l^2|, |1 - 2 eta sigma_s^2|)`` (the slower one)."""
    return max(rates(eta, sigma_l, sigma_s))


def two_coordinate_stable_bound(sigma_l: float, sigma_s: float) -> float:
    """Both coordinates converge iff ``0 < eta < 1/max(sigma_l, sigma_s)**2``."""
    return 1.0 / max(sigma_l, sigma_s) ** 2


def best_eta(sigma_l: float, sigma_s: float) -> float:
    """The eta minimising the slower rate: ``1/(sigma_l**2 + sigma_s**2)``.

    At that eta ``2 eta sigma_l^2 - 1 = 1 - 2 eta sigma_s^2``: both coordinates contract by
    ``(sigma_l^2 - sigma_s^2)/(sigma_l^2 + sigma_s^2)``.
    """
    return 1.0 / (sigma_l**2 + sigma_s**2)
