"""Optimizers and initialisation in the course's ``deeplearning/optim.py`` conventions.

Every update rule takes ``(w, dw, config)`` and returns ``(next_w, config)``; missing config
entries get their defaults with ``config.setdefault``. The conventions were pinned by the
course's published checks (``w = linspace(-0.4, 0.6, 20).reshape(4, 5)``,
``dw = linspace(-0.6, 0.4, 20).reshape(4, 5)``):

* momentum ``v = momentum*v + dw; next_w = w - learning_rate*v`` gives ``next_w[0,0] = -0.39994``
  (the cs231n form ``v = momentum*v - learning_rate*dw; next_w = w + v`` would give 0.1406);
* RMSProp ``cache = decay*cache + (1-decay)*dw**2; next_w = w - lr*dw/(sqrt(cache) + eps)``
  gives ``-0.39223849``;
* Adam with ``t`` incremented before use and bias correction gives ``-0.40094747``.

The ``*_mistake`` functions reproduce known wrong versions; graders use them as near misses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Config = dict[str, Any]


def _prepare(config: Mapping[str, Any] | None) -> Config:
    # A fresh dict: reference functions never mutate the caller's config.
    return dict(config) if config is not None else {}


def sgd_momentum(
    w: Array, dw: Array, config: Mapping[str, Any] | None = None
) -> tuple[Array, Config]:
    """SGD with momentum: ``v = m*v + dw; next_w = w - lr*v`` (w, dw: same shape)."""
    cfg = _prepare(config)
    cfg.setdefault("learning_rate", 1e-2)
    cfg.setdefault("momentum", 0.9)
    v = np.asarray(cfg.get("velocity", np.zeros_like(w)), dtype=float)
    v = cfg["momentum"] * v + dw
    next_w = w - cfg["learning_rate"] * v
    cfg["velocity"] = v
    return next_w, cfg


def rmsprop(w: Array, dw: Array, config: Mapping[str, Any] | None = None) -> tuple[Array, Config]:
    """RMSProp: ``cache = d*cache + (1-d)*dw**2; next_w = w - lr*dw/(sqrt(cache)+eps)``."""
    cfg = _prepare(config)
    cfg.setdefault("learning_rate", 1e-2)
    cfg.setdefault("decay_rate", 0.99)
    cfg.setdefault("epsilon", 1e-8)
    cache = np.asarray(cfg.get("cache", np.zeros_like(w)), dtype=float)
    cache = cfg["decay_rate"] * cache + (1 - cfg["decay_rate"]) * dw**2
    next_w = w - cfg["learning_rate"] * dw / (np.sqrt(cache) + cfg["epsilon"])
    cfg["cache"] = cache
    return next_w, cfg


def adam(w: Array, dw: Array, config: Mapping[str, Any] | None = None) -> tuple[Array, Config]:
    """Adam with bias correction; ``t`` is incremented before it is used."""
    cfg = _prepare(config)
    cfg.setdefault("learning_rate", 1e-3)
    cfg.setdefault("beta1", 0.9)
    cfg.setdefault("beta2", 0.999)
    cfg.setdefault("epsilon", 1e-8)
    m = np.asarray(cfg.get("m", np.zeros_like(w)), dtype=float)
    v = np.asarray(cfg.get("v", np.zeros_like(w)), dtype=float)
    t = int(cfg.get("t", 0)) + 1
    b1, b2 = cfg["beta1"], cfg["beta2"]
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw**2
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    next_w = w - cfg["learning_rate"] * m_hat / (np.sqrt(v_hat) + cfg["epsilon"])
    cfg.update(m=m, v=v, t=t)
    return next_w, cfg


def sgd_momentum_mistake(
    w: Array, dw: Array, config: Mapping[str, Any] | None = None
) -> tuple[Array, Config]:
    """Known mistake: exponential-average momentum ``v = m*v + (1-m)*dw``."""
    cfg = _prepare(config)
    cfg.setdefault("learning_rate", 1e-2)
    cfg.setdefault("momentum", 0.9)
    v = np.asarray(cfg.get("velocity", np.zeros_like(w)), dtype=float)
    v = cfg["momentum"] * v + (1 - cfg["momentum"]) * dw
    cfg["velocity"] = v
    return w - cfg["learning_rate"] * v, cfg


def rmsprop_mistake(
    w: Array, dw: Array, config: Mapping[str, Any] | None = None
) -> tuple[Array, Config]:
    """Known mistake: epsilon inside the square root, ``sqrt(cache + eps)``."""
    cfg = _prepare(config)
    cfg.setdefault("learning_rate", 1e-2)
    cfg.setdefault("decay_rate", 0.99)
    cfg.setdefault("epsilon", 1e-8)
    cache = np.asarray(cfg.get("cache", np.zeros_like(w)), dtype=float)
    cache = cfg["decay_rate"] * cache + (1 - cfg["decay_rate"]) * dw**2
    cfg["cache"] = cache
    return w - cfg["learning_rate"] * dw / np.sqrt(cache + cfg["epsilon"]), cfg


def adam_mistake(
    w: Array,
    dw: Array,
    config: Mapping[str, Any] | None = None,
    *,
    bias_correction: bool = True,
    increment_first: bool = True,
) -> tuple[Array, Config]:
    """Known Adam mistakes: no bias correction, or ``t`` incremented only after its use."""
    cfg = _prepare(config)
    cfg.setdefault("learning_rate", 1e-3)
    cfg.setdefault("beta1", 0.9)
    cfg.setdefault("beta2", 0.999)
    cfg.setdefault("epsilon", 1e-8)
    m = np.asarray(cfg.get("m", np.zeros_like(w)), dtype=float)
    v = np.asarray(cfg.get("v", np.zeros_like(w)), dtype=float)
    t_old = int(cfg.get("t", 0))
    t_used = t_old + 1 if increment_first else t_old
    b1, b2 = cfg["beta1"], cfg["beta2"]
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw**2
    if bias_correction:
        with np.errstate(divide="ignore", invalid="ignore"):
            m_hat, v_hat = m / (1 - b1**t_used), v / (1 - b2**t_used)
    else:
        m_hat, v_hat = m, v
    next_w = w - cfg["learning_rate"] * m_hat / (np.sqrt(v_hat) + cfg["epsilon"])
    cfg.update(m=m, v=v, t=t_old + 1)
    return next_w, cfg


def he_std(fan_in: int) -> float:
    """He (Kaiming) normal standard deviation ``sqrt(2 / fan_in)``."""
    return float(np.sqrt(2.0 / fan_in))


def he_init(fan_in: int, fan_out: int, rng: np.random.Generator) -> Array:
    """He-normal weight matrix of shape (fan_in, fan_out), entries N(0, 2/fan_in)."""
    return rng.normal(0.0, he_std(fan_in), size=(fan_in, fan_out))


def mean_grad_norm(grads: Iterable[Any]) -> float:
    """Mean over gradient arrays of each array's L2 (Frobenius) norm."""
    norms = [float(np.linalg.norm(np.asarray(g, dtype=float).ravel())) for g in grads]
    if not norms:
        raise ValueError("mean_grad_norm needs at least one gradient")
    return float(np.mean(norms))


def sgd_momentum_cs231n(
    w: Array, dw: Array, config: Mapping[str, Any] | None = None
) -> tuple[Array, Config]:
    """The other classic form ``v = m*v - lr*dw; next_w = w + v`` (not the course's)."""
    cfg = _prepare(config)
    cfg.setdefault("learning_rate", 1e-2)
    cfg.setdefault("momentum", 0.9)
    v = np.asarray(cfg.get("velocity", np.zeros_like(w)), dtype=float)
    v = cfg["momentum"] * v - cfg["learning_rate"] * dw
    cfg["velocity"] = v
    return w + v, cfg


def normal_sample_problem(sample: Any, std: float, z: float = 6.0) -> str:
    """Why ``sample`` does not look like i.i.d. N(0, std²) draws, or "" if it does.

    Three checks, each a ``z``-sigma band: sample std vs ``std`` (relative standard error
    ``1/sqrt(2n)``), mean vs 0 (``std/sqrt(n)``), and the fraction of draws beyond 2·std
    (0.0455, binomial standard error) which rejects uniform draws of the right std. For
    z = 6 each check fails a correct sample with probability ≈ 2e-9 (n ≥ 1000).
    """
    x = np.asarray(sample, dtype=float).ravel()
    n = x.size
    if n < 2 or not np.all(np.isfinite(x)):
        return "the values must be finite numbers"
    s = float(x.std())
    if abs(s / std - 1) > z / np.sqrt(2 * n):
        return f"sample std {s:.4g}, expected {std:.4g}"
    if abs(float(x.mean())) > z * std / np.sqrt(n):
        return f"sample mean {float(x.mean()):.4g} is not near 0"
    p_tail = 0.04550026389635842  # P(|N(0,1)| > 2)
    tail = float(np.mean(np.abs(x) > 2 * std))
    if abs(tail - p_tail) > z * np.sqrt(p_tail * (1 - p_tail) / n):
        return f"{tail:.3%} of values lie beyond 2 std (a normal gives 4.55%): not normal draws"
    return ""
