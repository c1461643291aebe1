"""ReLU elbow update under SGD (Homework 0).

One unit ``phi(x) = max(0, w*x + b)`` trained on one point (x, y) with loss
``0.5*(phi(x) - y)**2``; its elbow (the kink) sits at ``x = -b/w``. The full network
``f(x) = W2 @ relu(W1*x + b)`` has scalar input, hidden vectors W1, b, W2 of shape (H,).
At a kink (``w*x + b == 0``) we use the subgradient 0, as PyTorch does.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

SlopeChange = Literal["increases", "decreases", "unchanged"]
ElbowChange = Literal["left", "right", "unchanged"]


class Gradients(NamedTuple):
    """Gradients of ``0.5*(phi - y)**2`` for one unit and one point."""

    d_phi: float
    d_w: float
    d_b: float


class Direction(NamedTuple):
    """How one SGD step moves the unit's slope and elbow."""

    slope: SlopeChange
    elbow: ElbowChange
    new_w: float
    new_b: float


def elbow(w: float, b: float) -> float:
    """The kink of ``max(0, w*x + b)``: ``-b/w`` (w != 0)."""
    if w == 0:
        raise ValueError("w = 0: the unit is constant and has no elbow")
    return -b / w


def relu_unit(w: float, b: float, x: float) -> float:
    """``phi(x) = max(0, w*x + b)``."""
    return max(0.0, w * x + b)


def active(w: float, b: float, x: float) -> bool:
    """True when the ReLU is active at x (``w*x + b > 0``)."""
    return w * x + b > 0


def gradients(w: float, b: float, x: float, y: float) -> Gradients:
    """``dL/dphi = phi - y``, ``dL/dw = (phi - y)*x*[w x + b > 0]``, ``dL/db = (phi - y)*[..]``."""
    resid = relu_unit(w, b, x) - y
    gate = 1.0 if active(w, b, x) else 0.0
    return Gradients(d_phi=resid, d_w=resid * x * gate, d_b=resid * gate)


def sgd_update(w: float, b: float, x: float, y: float, lam: float) -> tuple[float, float]:
    """(w, b) after one SGD step with learning rate lam on the point (x, y)."""
    g = gradients(w, b, x, y)
    return w - lam * g.d_w, b - lam * g.d_b


def _sign_change(before: float, after: float, tol: float) -> int:
    delta = after - before
    if abs(delta) <= tol * max(1.0, abs(before)):
        return 0
    return 1 if delta > 0 else -1


def update_direction(
    w: float, b: float, x: float, y: float, lam: float, tol: float = 1e-12
) -> Direction:
    """Apply one SGD step and report whether the slope rises/falls and the elbow moves.

    Raises ValueError if the step makes the slope 0 (the elbow then vanishes).
    """
    new_w, new_b = sgd_update(w, b, x, y, lam)
    slope_sign = _sign_change(w, new_w, tol)
    slope: SlopeChange = {1: "increases", -1: "decreases", 0: "unchanged"}[slope_sign]  # type: ignore[assignment]
    if new_w == 0:
        raise ValueError("the step makes w = 0: the unit has no elbow any more")
    elbow_sign = _sign_change(elbow(w, b), elbow(new_w, new_b), tol)
    move: ElbowChange = {1: "right", -1: "left", 0: "unchanged"}[elbow_sign]  # type: ignore[assignment]
    return Direction(slope=slope, elbow=move, new_w=new_w, new_b=new_b)


# ---- the full one-hidden-layer network -------------------------------------------------------


def net_forward(W1: ArrayLike, b: ArrayLike, W2: ArrayLike, x: float) -> float:
    """``f(x) = sum(W2 * relu(W1*x + b))``; W1, b, W2 have shape (H,)."""
    w1, bv, w2 = (np.asarray(a, dtype=float) for a in (W1, b, W2))
    return float(np.sum(w2 * np.maximum(0.0, w1 * x + bv)))


def net_elbows(W1: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Elbow of every hidden unit: ``-b/W1``, shape (H,)."""
    return -np.asarray(b, dtype=float) / np.asarray(W1, dtype=float)


def net_sgd_update(
    W1: ArrayLike, b: ArrayLike, W2: ArrayLike, x: float, y: float, lam: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(W1, b, W2) after one SGD step on ``0.5*(f(x) - y)**2``; shapes (H,)."""
    w1, bv, w2 = (np.asarray(a, dtype=float) for a in (W1, b, W2))
    resid = net_forward(w1, bv, w2, x) - y
    pre = w1 * x + bv
    gate = (pre > 0).astype(float)
    d_w1 = resid * w2 * gate * x
    d_b = resid * w2 * gate
    d_w2 = resid * np.maximum(0.0, pre)
    return w1 - lam * d_w1, bv - lam * d_b, w2 - lam * d_w2


def new_unit_elbow(
    W1_i: float, b_i: float, W2_i: float, fhat: float, y: float, x: float, lam: float
) -> float:
    """Elbow of an active unit i after one SGD step (fhat = f(x) before the step).

    ``-(b_i - lam*(fhat - y)*W2_i) / (W1_i - lam*(fhat - y)*W2_i*x)``.
    """
    g = lam * (fhat - y) * W2_i
    return elbow(W1_i - g * x, b_i - g)


def net_new_elbows(
    W1: ArrayLike, b: ArrayLike, W2: ArrayLike, x: float, y: float, lam: float
) -> np.ndarray:
    """Elbows of all units after one SGD step of the full network, shape (H,)."""
    w1, bv, _ = net_sgd_update(W1, b, W2, x, y, lam)
    return net_elbows(w1, bv)
