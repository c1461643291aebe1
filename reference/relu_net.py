"""The 1-D ReLU net of the SGD visualisation notebook: ridge last layer and elbows.

Network ``Linear(1, w) → ReLU → Linear(w, 1)``; ``W1`` has torch's shape (w, 1), ``b1`` (w,).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def hidden_features(W1: Any, b1: Any, x: Any) -> Array:
    """Hidden ReLU activations relu(x W1ᵀ + b1) for inputs x (n,) → (n, w)."""
    w1 = np.asarray(W1, dtype=float).reshape(-1)
    pre = np.outer(np.asarray(x, dtype=float).reshape(-1), w1) + np.asarray(b1, dtype=float)
    return np.maximum(0.0, pre)


def last_layer_ridge(features: Any, y: Any, lambd: float) -> Array:
    """Ridge coefficients ``solve(XᵀX + λI, Xᵀy)`` for X = features (n, k), y (n,) → (k,)."""
    X = np.asarray(features, dtype=float)
    target = np.asarray(y, dtype=float).reshape(-1)
    gram = X.T @ X + lambd * np.eye(X.shape[1])
    return np.linalg.solve(gram, X.T @ target)


def elbow_locations(W1: Any, b1: Any) -> Array:
    """Elbow ``-b1_i / W1_i`` of each hidden unit (w,) (inf where W1_i = 0)."""
    w1 = np.asarray(W1, dtype=float).reshape(-1)
    with np.errstate(divide="ignore"):
        return -np.asarray(b1, dtype=float).reshape(-1) / w1
