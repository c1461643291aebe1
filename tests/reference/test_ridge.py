"""reference.ridge: MAP = posterior mean = OLS on augmented data = minimiser found by autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from reference import ridge


def _data(seed: int, n: int = 7, d: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=n), ridge.random_spd(rng, d)


@pytest.mark.parametrize("seed", range(5))
def test_map_estimate_equals_gaussian_posterior_mean(seed: int) -> None:
    x, y, s = _data(seed)
    expected = ridge.posterior_mean(x, y, s)
    np.testing.assert_allclose(ridge.map_estimate(x, y, s), expected, rtol=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_gamma_squares_to_inverse_sigma_and_augmented_ols_is_map(seed: int) -> None:
    x, y, s = _data(seed, n=4, d=5)  # fewer points than dimensions: plain OLS is singular
    gamma = ridge.gamma_from_sigma(s)
    np.testing.assert_allclose(gamma.T @ gamma, np.linalg.inv(s), rtol=1e-9, atol=1e-12)
    x_hat, y_hat = ridge.augment(x, y, s)
    assert x_hat.shape == (9, 5) and y_hat.shape == (9,)
    np.testing.assert_array_equal(x_hat[:4], x)
    np.testing.assert_array_equal(y_hat, np.concatenate([y, np.zeros(5)]))
    np.testing.assert_allclose(ridge.ols(x_hat, y_hat), ridge.map_estimate(x, y, s), rtol=1e-8)


def test_any_gamma_with_the_right_gram_matrix_works() -> None:
    x, y, s = _data(3)
    q, _ = np.linalg.qr(np.random.default_rng(9).normal(size=(3, 3)))
    gamma = q @ ridge.gamma_from_sigma(s)  # rotated square root: still ΓᵀΓ = Σ⁻¹
    w = ridge.ols(np.vstack([x, gamma]), np.concatenate([y, np.zeros(3)]))
    np.testing.assert_allclose(w, ridge.map_estimate(x, y, s), rtol=1e-8)


def test_map_estimate_minimises_the_tikhonov_objective_by_autograd() -> None:
    x, y, s = _data(4)
    xt, yt, s_inv = torch.tensor(x), torch.tensor(y), torch.tensor(np.linalg.inv(s))

    def objective(w: torch.Tensor) -> torch.Tensor:
        return torch.sum((yt - xt @ w) ** 2) + w @ s_inv @ w

    w = torch.tensor(ridge.map_estimate(x, y, s), requires_grad=True)
    value = objective(w)
    value.backward()
    assert w.grad is not None
    np.testing.assert_allclose(w.grad.numpy(), 0.0, atol=1e-10)
    rng = np.random.default_rng(0)
    for _ in range(20):  # convex objective: every perturbation costs more
        nudged = objective(w.detach() + torch.tensor(rng.normal(scale=1e-2, size=3)))
        assert float(nudged) > float(value.detach())


def test_sigma_instead_of_its_inverse_is_a_different_estimate() -> None:
    x, y, s = _data(5)
    wrong = np.linalg.solve(x.T @ x + s, x.T @ y)
    assert not np.allclose(wrong, ridge.map_estimate(x, y, s), rtol=1e-3)


def test_random_spd_is_symmetric_positive_definite() -> None:
    s = ridge.random_spd(np.random.default_rng(0), 4, 0.5, 2.0)
    np.testing.assert_allclose(s, s.T, atol=1e-12)
    eig = np.linalg.eigvalsh(s)
    assert eig.min() >= 0.5 - 1e-9 and eig.max() <= 2.0 + 1e-9
