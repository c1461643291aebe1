"""reference.ill_conditioning: the bounds hold on simulated GD with ill-conditioned F."""

from __future__ import annotations

import numpy as np
import pytest

from reference import ill_conditioning as ic


def _problem(seed: int, cond: float = 1e6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    f = ic.ill_conditioned_matrix(rng, 12, 6, cond, alpha=rng.uniform(0.5, 5.0))
    w_star = rng.normal(size=6)
    y = f @ w_star + 0.1 * rng.normal(size=12)
    return f, y, w_star


def test_ill_conditioned_matrix_has_requested_spectrum() -> None:
    f = ic.ill_conditioned_matrix(np.random.default_rng(0), 10, 4, 1e4, alpha=3.0)
    s = np.linalg.svd(f, compute_uv=False)
    np.testing.assert_allclose(s, 3.0 * np.logspace(0, -4, 4), rtol=1e-10)
    assert ic.largest_singular_value(f) == pytest.approx(3.0)


def test_gd_iterates_match_closed_form_recursion() -> None:
    f, y, _ = _problem(1)
    eta = ic.max_stable_eta(f) / 2
    ws = ic.gd_iterates(f, y, eta, 5)
    m = np.eye(6) - eta * f.T @ f
    w = np.zeros(6)
    for t in range(1, 6):
        w = m @ w + eta * f.T @ y
        np.testing.assert_allclose(ws[t], w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("frac", [0.3, 0.99, 1.0])
def test_bounds_hold_when_gd_cannot_diverge(seed: int, frac: float) -> None:
    f, y, w_star = _problem(seed)
    eta = frac * ic.max_stable_eta(f)
    eig = ic.update_matrix_eigenvalues(f, eta)
    assert eig.min() >= -1 - 1e-12 and eig.max() <= 1 + 1e-12
    alpha, norm_y = ic.largest_singular_value(f), float(np.linalg.norm(y))
    ws = ic.gd_iterates(f, y, eta, 300)
    norms = np.linalg.norm(ws, axis=1)
    for t in range(1, len(ws)):
        assert norms[t] <= ic.step_bound(norms[t - 1], eta, alpha, norm_y) + 1e-9
    errors = np.linalg.norm(ws - w_star, axis=1)
    norm_wstar = float(np.linalg.norm(w_star))
    for k in range(len(ws)):
        assert errors[k] <= ic.k_step_bound(k, eta, alpha, norm_y, norm_wstar) + 1e-9


def test_bound_fails_once_eta_exceeds_the_stable_range() -> None:
    f, y, _ = _problem(2)
    eta = 1.2 * ic.max_stable_eta(f)
    assert ic.update_matrix_eigenvalues(f, eta).min() < -1
    alpha, norm_y = ic.largest_singular_value(f), float(np.linalg.norm(y))
    norms = np.linalg.norm(ic.gd_iterates(f, y, eta, 200), axis=1)
    assert any(norms[t] > ic.step_bound(norms[t - 1], eta, alpha, norm_y) for t in range(1, 201))


def test_bound_formulas() -> None:
    assert ic.step_bound(2.0, 0.1, 3.0, 4.0) == pytest.approx(3.2)
    assert ic.k_step_bound(10, 0.1, 3.0, 4.0, 5.0) == pytest.approx(17.0)
