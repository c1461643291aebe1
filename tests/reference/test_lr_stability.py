"""reference.lr_stability against simulation of the recursion, autograd and brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import lr_stability as lr

sigmas = st.floats(0.2, 5.0)
ratios = st.floats(0.01, 0.99).filter(lambda r: abs(r - 0.5) > 1e-3)  # eta * sigma**2


def test_gd_step_is_a_gradient_step_on_the_squared_loss() -> None:
    for w, eta, sigma, y in [(0.3, 0.1, 2.0, 1.5), (-1.0, 0.02, 0.7, -2.0), (2.0, 0.5, 1.0, 0.0)]:
        wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        ((y - sigma * wt) ** 2).backward()
        assert wt.grad is not None
        assert lr.gd_step(w, eta, sigma, y) == pytest.approx(w - eta * float(wt.grad))


@settings(max_examples=40, deadline=None)
@given(sigma=sigmas, r=st.floats(0.0, 1.5), y=st.floats(-3, 3), t=st.integers(0, 40))
def test_closed_form_matches_simulation(sigma: float, r: float, y: float, t: int) -> None:
    eta = r / sigma**2
    w = 0.0
    for _ in range(t):
        w = lr.gd_step(w, eta, sigma, y)
    scale = max(1.0, abs(lr.fixed_point(sigma, y)) * max(1.0, abs(lr.contraction(eta, sigma)) ** t))
    assert lr.closed_form(eta, sigma, y, t) == pytest.approx(w, abs=1e-9 * scale)


@settings(max_examples=60, deadline=None)
@given(sigma=sigmas, r=st.floats(-0.5, 2.0).filter(lambda r: r == 0 or abs(r) > 1e-12))
def test_stable_range_matches_long_run_behaviour(sigma: float, r: float) -> None:
    eta = r / sigma**2
    bound = lr.stable_eta_bound(sigma)
    assert bound == pytest.approx(1 / sigma**2)
    if abs(r - 1) > 1e-9:  # at the boundary itself eta*sigma**2 rounds either way
        assert lr.is_stable(eta, sigma) == (0 < r < 1)
    if abs(r) < 0.02 or abs(r - 1) < 0.02:
        return  # too slow to tell from a finite run
    w, y = 0.0, 1.0
    for _ in range(2000):
        w = lr.gd_step(w, eta, sigma, y)
    converged = abs(w - lr.fixed_point(sigma, y)) < 1e-6
    assert converged == lr.is_stable(eta, sigma)


@settings(max_examples=80, deadline=None)
@given(sigma=sigmas, r=ratios, eps=st.floats(1e-4, 0.5), y=st.floats(0.1, 3.0))
def test_smallest_t_equals_the_first_simulated_step_within_eps(
    sigma: float, r: float, eps: float, y: float
) -> None:
    eta = r / sigma**2
    w_star = lr.fixed_point(sigma, y)
    w, t = 0.0, 0
    # Compare |rho|^t with eps through the same product the simulation makes, exactly.
    while abs(w - w_star) > eps * abs(w_star) * (1 + 1e-9):
        w = lr.gd_step(w, eta, sigma, y)
        t += 1
    t_ref = lr.iterations_to_converge(eta, sigma, eps)
    assert abs(t_ref - t) <= 1  # float noise only at an exact boundary
    rho = abs(lr.contraction(eta, sigma))
    assert rho**t_ref <= eps < rho ** (t_ref - 1) if t_ref > 0 else True
    real_t = lr.iterations_formula(eta, sigma, eps)
    if abs(real_t - round(real_t)) > 1e-6:
        assert t_ref == math.ceil(real_t)


def test_iterations_formula_handles_oscillation_with_abs() -> None:
    # rho = -0.6 and +0.6 need the same number of steps.
    sigma = 1.0
    assert lr.iterations_formula(0.8, sigma, 0.01) == pytest.approx(
        lr.iterations_formula(0.2, sigma, 0.01)
    )
    assert lr.iterations_to_converge(0.2, sigma, 0.01) == 10  # 0.6**9 = 0.0101, 0.6**10 = 0.006
    with pytest.raises(ValueError):
        lr.iterations_formula(1.2, sigma, 0.01)
    assert lr.iterations_to_converge(0.5, sigma, 0.01) == 1  # rho = 0: one step lands on w*


def test_iterations_to_converge_at_an_exact_power() -> None:
    # rho = 0.5 exactly, eps = 0.5**7: t = 7 (the inequality is non-strict).
    assert lr.iterations_to_converge(0.25, 1.0, 0.5**7) == 7


@settings(max_examples=60, deadline=None)
@given(sigma_l=st.floats(1.5, 6.0), frac=st.floats(0.05, 0.6), r=st.floats(0.01, 0.99))
def test_faster_coordinate_matches_a_two_coordinate_simulation(
    sigma_l: float, frac: float, r: float
) -> None:
    sigma_s = frac * sigma_l
    eta = r / sigma_l**2
    r_l, r_s = lr.rates(eta, sigma_l, sigma_s)
    if abs(r_l - r_s) < 1e-3:
        return
    errs = np.array([1.0, 1.0])
    for _ in range(30):
        errs = errs * np.array([lr.contraction(eta, sigma_l), lr.contraction(eta, sigma_s)])
    faster = "large" if abs(errs[0]) < abs(errs[1]) else "small"
    assert lr.faster_coordinate(eta, sigma_l, sigma_s) == faster
    assert lr.two_coordinate_stable_bound(sigma_l, sigma_s) == pytest.approx(1 / sigma_l**2)


def test_equal_rates_are_reported_as_same() -> None:
    assert lr.faster_coordinate(lr.best_eta(3.0, 1.0), 3.0, 1.0, tol=1e-9) == "same"


@settings(max_examples=40, deadline=None)
@given(sigma_l=st.floats(1.0, 6.0), frac=st.floats(0.05, 0.95))
def test_best_eta_beats_a_brute_force_grid(sigma_l: float, frac: float) -> None:
    sigma_s = frac * sigma_l
    best = lr.best_eta(sigma_l, sigma_s)
    grid = np.linspace(0, 1 / sigma_l**2, 20001)[1:-1]
    rates = np.maximum(np.abs(1 - 2 * grid * sigma_l**2), np.abs(1 - 2 * grid * sigma_s**2))
    assert grid[np.argmin(rates)] == pytest.approx(best, rel=2e-3)
    assert lr.two_coordinate_rate(best, sigma_l, sigma_s) <= rates.min() + 1e-12
    expected_rate = (sigma_l**2 - sigma_s**2) / (sigma_l**2 + sigma_s**2)
    assert lr.two_coordinate_rate(best, sigma_l, sigma_s) == pytest.approx(expected_rate)
