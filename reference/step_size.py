"""Step sizes for f(x) = ‖Ax − b‖₂ (Homework 2, `step_size_helper.py`).

The course's helper minimises ``‖Ax − b‖`` by gradient descent from ``p``; for the homework's
f(x) = ‖x − b‖₂ the course uses ``A = I``. The update is ``x_{k+1} = x_k − t_k ∇f(x_k)`` with
``t_k = step_size(k)`` and ``k`` counting from 0, so the schedule ``t_i = 1/(i + 1)`` starts with
a step of 1. Reading of ``step_size`` (course convention plus two plain-data forms, because a
callable cannot cross into the grading sandbox): a callable ``i -> t_i`` (the course), a number
(a constant step), or a sequence with ``t_i = step_size[i]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

StepSize = Callable[[int], float] | float | Sequence[float] | NDArray[np.float64]
EULER_GAMMA = 0.5772156649015329


def step_at(step_size: StepSize, i: int) -> float:
    """The step size t_i of schedule ``step_size`` at step count ``i`` (0-based)."""
    if callable(step_size):
        return float(step_size(i))
    if np.ndim(step_size) == 0:
        return float(step_size)  # type: ignore[arg-type]
    return float(np.asarray(step_size, dtype=float)[i])


def harmonic_schedule(total_step_count: int) -> NDArray[np.float64]:
    """The course's decaying schedule t_i = 1/(i + 1) as an array, shape (T,)."""
    return 1.0 / np.arange(1, total_step_count + 1, dtype=float)


def gradient(x: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """∇‖x − b‖₂ = (x − b)/‖x − b‖; the subgradient 0 at x = b. Shapes (d,) -> (d,)."""
    r = np.asarray(x, dtype=float) - np.asarray(b, dtype=float)
    norm = float(np.linalg.norm(r))
    return np.zeros_like(r) if norm == 0.0 else r / norm


def compute_gradient(A: ArrayLike, b: ArrayLike, x: ArrayLike) -> NDArray[np.float64]:
    """∇‖Ax − b‖ = Aᵀ(Ax − b)/‖Ax − b‖. A (m, d), b (m,), x (d,) -> (d,)."""
    a = np.asarray(A, dtype=float)
    r = a @ np.asarray(x, dtype=float) - np.asarray(b, dtype=float)
    norm = float(np.linalg.norm(r))
    if norm == 0.0:
        return np.zeros(a.shape[1])
    return np.asarray(a.T @ r / norm, dtype=float)


def compute_update(
    A: ArrayLike, b: ArrayLike, x: ArrayLike, step_count: int, step_size: StepSize
) -> NDArray[np.float64]:
    """One step x − t_k ∇‖Ax − b‖ with t_k = step_at(step_size, step_count). x (d,) -> (d,)."""
    t = step_at(step_size, step_count)
    return np.asarray(x, dtype=float) - t * compute_gradient(A, b, x)


def compute_updates(
    A: ArrayLike, b: ArrayLike, p: ArrayLike, total_step_count: int, step_size: StepSize
) -> NDArray[np.float64]:
    """Positions x_0 = p, ..., x_T of T gradient steps: shape (T + 1, d)."""
    positions = [np.asarray(p, dtype=float)]
    for k in range(total_step_count):
        positions.append(compute_update(A, b, positions[-1], k, step_size))
    return np.array(positions)


def distances(
    b: ArrayLike, step_size: StepSize, total_step_count: int, x0: ArrayLike | None = None
) -> NDArray[np.float64]:
    """‖x_k − b‖ for k = 0..T of GD on ‖x − b‖ from x0 (default 0): shape (T + 1,)."""
    bb = np.asarray(b, dtype=float)
    start = np.zeros_like(bb) if x0 is None else np.asarray(x0, dtype=float)
    xs = compute_updates(np.eye(bb.size), bb, start, total_step_count, step_size)
    return np.asarray(np.linalg.norm(xs - bb, axis=1), dtype=float)


def steps_to_within(
    b: ArrayLike,
    step_size: StepSize,
    tol: float = 0.01,
    max_steps: int = 100_000,
    x0: ArrayLike | None = None,
) -> int | None:
    """Smallest k with ‖x_k − b‖ ≤ tol (x_k after k steps from x0 = 0), None if > max_steps."""
    bb = np.asarray(b, dtype=float)
    x = np.zeros_like(bb) if x0 is None else np.asarray(x0, dtype=float)
    for k in range(max_steps + 1):
        if float(np.linalg.norm(x - bb)) <= tol:
            return k
        x = x - step_at(step_size, k) * gradient(x, bb)
    return None


def constant_step_distances(norm_b: float, t: float = 1.0) -> tuple[float, float]:
    """The two distances (near, far) a constant step t alternates between, from x_0 = 0.

    Steps of length t along the ray to b leave a remainder ρ = ‖b‖ mod t; from then on the
    iterate jumps between ρ before b and t − ρ past it. Returns (min, max) of the two.
    """
    rho = math.fmod(norm_b, t)
    return (min(rho, t - rho), max(rho, t - rho))


def constant_step_gets_within(norm_b: float, tol: float = 0.01, t: float = 1.0) -> bool:
    """True iff constant step t from 0 ever gets within tol of b (‖b‖ within tol of a multiple)."""
    return constant_step_distances(norm_b, t)[0] <= tol


def harmonic_steps_estimate(norm_b: float, tol: float = 0.01) -> float:
    """Estimate of the steps t_i = 1/(i+1) need: H_k ≈ ln k + γ reaches ‖b‖ − tol, so ≈ exp(‖b‖)."""
    return math.exp(norm_b - tol - EULER_GAMMA)


def unnormalised_updates(
    A: ArrayLike, b: ArrayLike, p: ArrayLike, total_step_count: int, step_size: StepSize
) -> NDArray[np.float64]:
    """Positions x_0..x_T of GD with the gradient Aᵀ(Ax − b) of ½‖Ax − b‖² (not divided by
    ‖Ax − b‖, a common mistake for ‖Ax − b‖): shape (T + 1, d)."""
    a, bb = np.asarray(A, dtype=float), np.asarray(b, dtype=float)
    xs = [np.asarray(p, dtype=float)]
    for k in range(total_step_count):
        xs.append(xs[-1] - step_at(step_size, k) * a.T @ (a @ xs[-1] - bb))
    return np.array(xs)


def shifted_schedule(schedule: ArrayLike) -> NDArray[np.float64]:
    """The off-by-one schedule t_{i+1} in place of t_i (the last step repeated), shape (T,)."""
    s = np.asarray(schedule, dtype=float)
    return np.append(s[1:], s[-1])
