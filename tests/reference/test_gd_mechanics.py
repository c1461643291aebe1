"""reference.gd_mechanics against torch autograd, torch's SGD optimizer and brute force."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import gd_mechanics as gd

Loss = Callable[[torch.Tensor], torch.Tensor]

finite = st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False)
data = st.integers(2, 8).flatmap(
    lambda n: st.tuples(
        st.lists(finite, min_size=n, max_size=n), st.lists(finite, min_size=n, max_size=n)
    )
)


def _autograd(loss_fn: Loss, theta: float) -> float:
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    loss_fn(t).backward()
    assert t.grad is not None
    return float(t.grad)


def _value(loss_fn: Loss, theta: float) -> float:
    return float(loss_fn(torch.tensor(theta, dtype=torch.float64)))


def _torch_sgd_step(loss_fn: Loss, theta: float, lr: float) -> float:
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([t], lr=lr)
    loss_fn(t).backward()
    opt.step()
    return float(t.detach())


@settings(max_examples=25, deadline=None)
@given(xy=data, theta=finite, alpha=st.floats(1e-3, 1.0))
def test_constant_model_gradient_and_steps_match_autograd(
    xy: tuple[list[float], list[float]], theta: float, alpha: float
) -> None:
    y = np.array(xy[1])
    yt = torch.tensor(y)

    def loss(t: torch.Tensor) -> torch.Tensor:
        return torch.mean((t - yt) ** 2)

    assert gd.constant_gradient(theta, y) == pytest.approx(_autograd(loss, theta), abs=1e-9)
    assert gd.constant_loss(theta, y) == pytest.approx(_value(loss, theta), abs=1e-9)
    assert gd.constant_gd_step(theta, y, alpha) == pytest.approx(
        _torch_sgd_step(loss, theta, alpha), abs=1e-9
    )
    i = len(y) // 2
    single = _torch_sgd_step(lambda t: (t - yt[i]) ** 2, theta, alpha)
    assert gd.constant_sgd_step(theta, y[i], alpha) == pytest.approx(single, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(xy=data, theta=finite, alpha=st.floats(1e-3, 1.0))
def test_linear_model_gradient_and_steps_match_autograd(
    xy: tuple[list[float], list[float]], theta: float, alpha: float
) -> None:
    x, y = np.array(xy[0]), np.array(xy[1])
    xt, yt = torch.tensor(x), torch.tensor(y)

    def loss(t: torch.Tensor) -> torch.Tensor:
        return torch.mean((t * xt - yt) ** 2)

    assert gd.linear_gradient(theta, x, y) == pytest.approx(_autograd(loss, theta), abs=1e-8)
    assert gd.linear_loss(theta, x, y) == pytest.approx(_value(loss, theta), abs=1e-9)
    assert gd.linear_gd_step(theta, x, y, alpha) == pytest.approx(
        _torch_sgd_step(loss, theta, alpha), abs=1e-8
    )
    i = 0
    single = _torch_sgd_step(lambda t: (t * xt[i] - yt[i]) ** 2, theta, alpha)
    assert gd.linear_sgd_step(theta, x[i], y[i], alpha) == pytest.approx(single, abs=1e-8)


@settings(max_examples=30, deadline=None)
@given(xy=data, theta=finite)
def test_point_contributions_are_the_autograd_of_each_term_and_sum_to_the_gradient(
    xy: tuple[list[float], list[float]], theta: float
) -> None:
    x, y = np.array(xy[0]), np.array(xy[1])
    n = len(x)
    const = [gd.constant_point_contribution(theta, y[i], n) for i in range(n)]
    lin = [gd.linear_point_contribution(theta, x[i], y[i], n) for i in range(n)]
    assert sum(const) == pytest.approx(gd.constant_gradient(theta, y), abs=1e-9)
    assert sum(lin) == pytest.approx(gd.linear_gradient(theta, x, y), abs=1e-8)
    for i in range(n):
        xi, yi = float(x[i]), float(y[i])

        def lin_term(t: torch.Tensor, xi: float = xi, yi: float = yi) -> torch.Tensor:
            return (t * xi - yi) ** 2 / n

        def const_term(t: torch.Tensor, yi: float = yi) -> torch.Tensor:
            return (t - yi) ** 2 / n

        term = _autograd(lin_term, theta)
        assert lin[i] == pytest.approx(term, abs=1e-9)
        assert gd.linear_vote(theta, x[i], y[i], n) == pytest.approx(-term, abs=1e-9)
        c_term = _autograd(const_term, theta)
        assert const[i] == pytest.approx(c_term, abs=1e-9)


def test_sgd_step_is_n_times_the_point_share_of_a_gd_step() -> None:
    x, y, theta, alpha = np.array([1.0, -2.0, 3.0]), np.array([0.5, 1.0, -1.0]), 0.3, 0.1
    for i in range(3):
        share = gd.linear_point_contribution(theta, x[i], y[i], 3)
        assert gd.linear_sgd_step(theta, x[i], y[i], alpha) == pytest.approx(
            theta - alpha * 3 * share
        )


@settings(max_examples=30, deadline=None)
@given(xy=data)
def test_minimisers_beat_a_brute_force_grid_and_zero_the_gradient(
    xy: tuple[list[float], list[float]],
) -> None:
    x, y = np.array(xy[0]), np.array(xy[1])
    grid = np.linspace(-60, 60, 12001)
    c_star = gd.constant_minimiser(y)
    assert gd.constant_gradient(c_star, y) == pytest.approx(0.0, abs=1e-9)
    best_c = min(gd.constant_loss(t, y) for t in grid[::10])
    assert gd.constant_loss(c_star, y) <= best_c + 1e-12
    if np.sum(x**2) == 0.0:
        with pytest.raises(ValueError):
            gd.linear_minimiser(x, y)
        return
    l_star = gd.linear_minimiser(x, y)
    if np.sum(x**2) < 1e-2:
        return  # ill-posed fit: the minimiser lies far outside any sensible grid
    lstsq = np.linalg.lstsq(x[:, None], y, rcond=None)[0][0]
    assert l_star == pytest.approx(lstsq, rel=1e-9, abs=1e-9)
    assert gd.linear_gradient(l_star, x, y) == pytest.approx(0.0, abs=1e-7)
    losses = (grid[:, None] * x - y) ** 2
    assert gd.linear_loss(l_star, x, y) <= float(losses.mean(axis=1).min()) + 1e-12


def test_gd_converges_to_the_minimiser_by_simulation() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=20), rng.normal(size=20)
    theta_c, theta_l = 5.0, 5.0
    for _ in range(500):
        theta_c = gd.constant_gd_step(theta_c, y, 0.1)
        theta_l = gd.linear_gd_step(theta_l, x, y, 0.1)
    assert theta_c == pytest.approx(np.mean(y), abs=1e-10)
    assert theta_l == pytest.approx(gd.linear_minimiser(x, y), abs=1e-10)


def test_votes_of_equal_error_points_scale_with_x() -> None:
    x = np.array([0.5, 1.0, 2.0, -3.0])
    assert gd.vote_scaling(x, theta=0.7, error=0.4) == "prop_x"
    votes = [gd.linear_vote(0.7, xi, 0.7 * xi - 0.4, 4) for xi in x]
    assert votes[2] == pytest.approx(4 * votes[0])
    assert votes[3] == pytest.approx(-6 * votes[0])
    assert set(gd.VOTE_OPTIONS) == {"equal", "prop_x", "prop_y", "error_only"}
    with pytest.raises(ValueError):
        gd.vote_scaling(x, theta=0.7, error=0.0)
