"""Features of the local linearisation of ``y(x) = W2 · relu(W1 x + b1) + b2``.

Shapes follow ``nn.Sequential(nn.Linear(1, w), nn.ReLU(), nn.Linear(w, 1))``:
``W1`` (w, 1), ``b1`` (w,), ``W2`` (1, w), ``b2`` (1,), inputs ``X`` (n, 1). The feature vector
of a point is ``∂y(x)/∂θ`` with θ flattened in parameter order (W1, b1, W2, b2), so
d = 3w + 1 features. The ReLU derivative at 0 is taken as 0 (as torch does).

Fan conventions of ``init_two_layer`` (documented because they are a choice):
a ``Linear(fan_in, fan_out)`` weight has fan_in inputs and fan_out outputs;
He-normal weights have std ``sqrt(2/fan_in)``; a bias is Xavier-normal with the fans of its own
layer, std ``sqrt(2/(fan_in + fan_out))``. For width w: W1 std ``sqrt(2)``, W2 std
``sqrt(2/w)``, b1 and b2 std ``sqrt(2/(w + 1))``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import torch

Array = NDArray[np.float64]


def _unit_arrays(W1: Any, b1: Any, W2: Any, X: Any) -> tuple[Array, Array, Array, Array]:
    w1 = np.asarray(W1, dtype=float).reshape(-1)
    return (
        w1,
        np.asarray(b1, dtype=float).reshape(-1),
        np.asarray(W2, dtype=float).reshape(-1),
        np.asarray(X, dtype=float).reshape(-1),
    )


def forward(W1: Any, b1: Any, W2: Any, b2: Any, X: Any) -> Array:
    """Network outputs y(x) for X (n, 1) or (n,) → (n,)."""
    w1, c1, w2, x = _unit_arrays(W1, b1, W2, X)
    hidden = np.maximum(0.0, np.outer(x, w1) + c1)
    return hidden @ w2 + float(np.asarray(b2, dtype=float).reshape(-1)[0])


def linearized_features(W1: Any, b1: Any, W2: Any, b2: Any, X: Any) -> Array:
    """Closed form n×(3w+1) feature matrix ∂y(x_i)/∂θ in order (W1, b1, W2, b2)."""
    w1, c1, w2, x = _unit_arrays(W1, b1, W2, X)
    pre = np.outer(x, w1) + c1  # (n, w)
    active = (pre > 0).astype(float)
    d_w1 = active * w2 * x[:, None]  # ∂y/∂W1_i = W2_i 1[z_i > 0] x
    d_b1 = active * w2  # ∂y/∂b1_i = W2_i 1[z_i > 0]
    d_w2 = np.maximum(0.0, pre)  # ∂y/∂W2_i = relu(z_i)
    d_b2 = np.ones((x.size, 1))
    return np.hstack([d_w1, d_b1, d_w2, d_b2])


FEATURE_MISTAKES = ("no_w2", "no_gate", "type_order")


def linearized_features_mistake(
    W1: Any, b1: Any, W2: Any, b2: Any, X: Any, mistake: str
) -> Array:
    """Known wrong feature matrices: ``no_w2`` (first-layer features miss the W2_i factor),
    ``no_gate`` (miss the ReLU indicator), ``type_order`` (columns ordered W1, W2, b1, b2)."""
    F = linearized_features(W1, b1, W2, b2, X)
    width = (F.shape[1] - 1) // 3
    d_w1, d_b1, d_w2, d_b2 = np.split(F, [width, 2 * width, 3 * width], axis=1)
    w1, c1, w2, x = _unit_arrays(W1, b1, W2, X)
    if mistake == "no_w2":
        active = (np.outer(x, w1) + c1 > 0).astype(float)
        d_w1, d_b1 = active * x[:, None], active
    elif mistake == "no_gate":
        d_w1, d_b1 = w2 * x[:, None], np.broadcast_to(w2, d_b1.shape)
    elif mistake == "type_order":
        return np.hstack([d_w1, d_w2, d_b1, d_b2])
    else:
        raise ValueError(f"unknown mistake {mistake!r}")
    return np.hstack([d_w1, d_b1, d_w2, d_b2])


def torch_model(W1: Any, b1: Any, W2: Any, b2: Any) -> torch.nn.Sequential:
    """The float64 ``nn.Sequential`` network with these parameters."""
    import torch  # lazy: loading the problem bank should not pay for torch

    w1 = torch.as_tensor(np.asarray(W1, dtype=float).reshape(-1, 1))
    width = w1.shape[0]
    model = torch.nn.Sequential(
        torch.nn.Linear(1, width), torch.nn.ReLU(), torch.nn.Linear(width, 1)
    ).double()
    first, second = model[0], model[2]
    assert isinstance(first, torch.nn.Linear) and isinstance(second, torch.nn.Linear)
    with torch.no_grad():
        first.weight.copy_(w1)
        first.bias.copy_(torch.as_tensor(np.asarray(b1, dtype=float).reshape(-1)))
        second.weight.copy_(torch.as_tensor(np.asarray(W2, dtype=float).reshape(1, -1)))
        second.bias.copy_(torch.as_tensor(np.asarray(b2, dtype=float).reshape(-1)))
    return model


def jacobian_features(W1: Any, b1: Any, W2: Any, b2: Any, X: Any) -> Array:
    """Independent route: per-sample Jacobians with ``torch.func`` (vmap of jacrev)."""
    import torch
    from torch.func import functional_call, jacrev, vmap

    model = torch_model(W1, b1, W2, b2)
    params = {k: v.detach() for k, v in model.named_parameters()}

    def output(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        return functional_call(model, p, (x.reshape(1, 1),)).reshape(())

    xs = torch.as_tensor(np.asarray(X, dtype=float).reshape(-1, 1))
    jac = vmap(jacrev(output), in_dims=(None, 0))(params, xs)
    n = xs.shape[0]
    # named_parameters() yields 0.weight, 0.bias, 2.weight, 2.bias: the Sequential order.
    blocks = [jac[name].reshape(n, -1) for name, _ in model.named_parameters()]
    return torch.cat(blocks, dim=1).numpy()


def principal_features(F: Any) -> tuple[Array, Array]:
    """Singular values s (descending) and principal features ``F @ Vt.T`` (n×k, k=min(n,d))."""
    F = np.asarray(F, dtype=float)
    _, s, vt = np.linalg.svd(F, full_matrices=False)
    return s, F @ vt.T


def singular_clusters(s: Any, rtol: float = 1e-6, atol: float = 1e-9) -> list[list[int]]:
    """Group indices of a descending s into runs of (numerically) equal singular values."""
    s = np.asarray(s, dtype=float).reshape(-1)
    scale = max(float(s[0]) if s.size else 0.0, 1.0)
    clusters: list[list[int]] = []
    for i, value in enumerate(s):
        if clusters and abs(s[clusters[-1][0]] - value) <= atol * scale + rtol * abs(value):
            clusters[-1].append(i)
        else:
            clusters.append([i])
    return clusters


def same_principal_features(
    got: Any, expected: Any, s: Any, rtol: float = 1e-6, atol: float = 1e-8
) -> bool:
    """Whether two principal-feature matrices (n×k) agree up to the sign of each column and a
    rotation inside each cluster of equal singular values ``s``.

    Compares, per cluster C, the projector-like matrices ``P_C P_Cᵀ`` (= σ² U_C U_Cᵀ), which
    are invariant to both symmetries.
    """
    a, b = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != b.shape:
        return False
    scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1.0)
    for cluster in singular_clusters(s, rtol=max(rtol, 1e-9)):
        pa, pb = a[:, cluster], b[:, cluster]
        if not np.allclose(pa @ pa.T, pb @ pb.T, rtol=rtol, atol=atol * scale**2):
            return False
    return True


def same_singular_vectors(got: Any, expected: Any, s: Any, rtol: float = 1e-6) -> bool:
    """Whether two orthonormal column sets (n×k) span the same subspace per cluster of s."""
    a, b = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != b.shape:
        return False
    for cluster in singular_clusters(s):
        ua, ub = a[:, cluster], b[:, cluster]
        if not np.allclose(ua @ ua.T, ub @ ub.T, rtol=rtol, atol=1e-8):
            return False
    return True


def init_two_layer(width: int, rng: np.random.Generator) -> dict[str, Array]:
    """He-normal weights and Xavier-normal biases, shapes W1 (w,1), b1 (w,), W2 (1,w), b2 (1,)."""
    stds = init_stds(width)
    return {
        "W1": rng.normal(0.0, stds["W1"], size=(width, 1)),
        "b1": rng.normal(0.0, stds["b1"], size=(width,)),
        "W2": rng.normal(0.0, stds["W2"], size=(1, width)),
        "b2": rng.normal(0.0, stds["b2"], size=(1,)),
    }


def init_stds(width: int) -> dict[str, float]:
    """The standard deviations ``init_two_layer`` uses for each parameter (see module doc)."""
    xavier = float(np.sqrt(2.0 / (width + 1)))
    he_w1, he_w2 = float(np.sqrt(2.0)), float(np.sqrt(2.0 / width))
    return {"W1": he_w1, "b1": xavier, "W2": he_w2, "b2": xavier}
