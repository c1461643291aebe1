"""reference.vector_calculus against torch.func.jacrev and finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch.func import jacrev

from reference import vector_calculus as vc


def _sample(seed: int, n: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 1)), rng.normal(size=(n, 1)), rng.normal(size=(n, n))


def _row_jacobian(fn: Callable[[torch.Tensor], torch.Tensor], x: np.ndarray) -> np.ndarray:
    """Jacobian of fn: (n,) -> scalar or (m,), as a numerator-layout matrix (1×n or m×n)."""
    jac = jacrev(fn)(torch.tensor(x.reshape(-1)))
    return np.atleast_2d(jac.numpy())


@pytest.mark.parametrize("seed", range(4))
def test_derivatives_match_jacrev(seed: int) -> None:
    x, c, a = _sample(seed)
    ct, at = torch.tensor(c.reshape(-1)), torch.tensor(a)
    np.testing.assert_allclose(vc.d_linear(c), _row_jacobian(lambda v: v @ ct, x), rtol=1e-12)
    np.testing.assert_allclose(vc.d_square_norm(x), _row_jacobian(lambda v: v @ v, x), rtol=1e-12)
    np.testing.assert_allclose(vc.d_matvec(a), _row_jacobian(lambda v: at @ v, x), rtol=1e-12)
    np.testing.assert_allclose(
        vc.d_quadratic(x, a), _row_jacobian(lambda v: v @ at @ v, x), rtol=1e-10
    )


def test_shapes_follow_the_row_convention() -> None:
    x, c, a = _sample(0, n=3)
    assert vc.d_linear(c).shape == (1, 3)
    assert vc.d_square_norm(x).shape == (1, 3)
    assert vc.d_matvec(a).shape == (3, 3)
    assert vc.d_quadratic(x, a).shape == (1, 3)


def test_quadratic_derivative_by_central_differences() -> None:
    x, _, a = _sample(7, n=5)
    h = 1e-6
    fd = np.zeros((1, 5))
    for j in range(5):
        e = np.zeros((5, 1))
        e[j] = h
        fd[0, j] = (((x + e).T @ a @ (x + e)) - ((x - e).T @ a @ (x - e))).item() / (2 * h)
    np.testing.assert_allclose(vc.d_quadratic(x, a), fd, rtol=1e-6)


def test_2xtA_exactly_when_symmetric() -> None:
    x, _, a = _sample(3)
    sym = (a + a.T) / 2
    assert vc.quadratic_equals_2xtA(sym)
    np.testing.assert_allclose(vc.d_quadratic(x, sym), 2 * x.T @ sym, rtol=1e-12)
    assert not vc.quadratic_equals_2xtA(a)
    assert not np.allclose(vc.d_quadratic(x, a), 2 * x.T @ a)
