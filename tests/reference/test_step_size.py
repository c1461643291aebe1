"""reference.step_size against autograd, simulation and the course's published numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from reference import step_size as ss

BASE_B = np.array([6.0, 4.5])


def test_gradient_matches_autograd_for_norm_of_affine_map() -> None:
    rng = np.random.default_rng(0)
    for _ in range(10):
        a, b, x = rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2)
        xt = torch.tensor(x, requires_grad=True)
        torch.linalg.norm(torch.tensor(a) @ xt - torch.tensor(b)).backward()
        assert xt.grad is not None
        np.testing.assert_allclose(ss.compute_gradient(a, b, x), xt.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ss.compute_gradient(np.eye(2), b, x), ss.gradient(x, b))


def test_gradient_is_unit_vector_pointing_away_from_b() -> None:
    g = ss.gradient([0.0, 0.0], BASE_B)
    np.testing.assert_allclose(g, -BASE_B / 7.5)
    assert np.linalg.norm(g) == pytest.approx(1.0)
    np.testing.assert_array_equal(ss.gradient(BASE_B, BASE_B), [0.0, 0.0])


def test_step_at_accepts_callable_number_and_sequence() -> None:
    assert ss.step_at(lambda i: 1 / (i + 1), 3) == 0.25
    assert ss.step_at(0.7, 12) == 0.7
    assert ss.step_at([1.0, 0.5, 0.25], 2) == 0.25
    np.testing.assert_allclose(ss.harmonic_schedule(4), [1, 1 / 2, 1 / 3, 1 / 4])


def test_compute_updates_follows_the_course_loop_and_schedule_forms_agree() -> None:
    a, b, p = np.array([[2.0, 0.3], [0.1, 1.0]]), np.array([1.0, -2.0]), np.array([0.5, 0.5])
    xs = ss.compute_updates(a, b, p, 6, lambda i: 1 / (i + 1))
    assert xs.shape == (7, 2)
    manual = [p]
    for k in range(6):
        x = manual[-1]
        r = a @ x - b
        manual.append(x - (1 / (k + 1)) * a.T @ r / np.linalg.norm(r))
    np.testing.assert_allclose(xs, np.array(manual), rtol=1e-12)
    np.testing.assert_allclose(ss.compute_updates(a, b, p, 6, ss.harmonic_schedule(6)), xs)
    np.testing.assert_allclose(
        ss.compute_updates(a, b, p, 4, 0.3), ss.compute_updates(a, b, p, 4, lambda i: 0.3)
    )


def test_course_constant_step_never_gets_within_001_and_oscillates_at_half() -> None:
    d = ss.distances(BASE_B, 1.0, 200)
    assert d.min() > 0.01
    np.testing.assert_allclose(d[7:], 0.5, atol=1e-12)
    assert ss.constant_step_distances(7.5) == (0.5, 0.5)
    assert ss.steps_to_within(BASE_B, 1.0, max_steps=5000) is None
    assert not ss.constant_step_gets_within(7.5)


def test_course_harmonic_schedule_needs_1005_steps() -> None:
    assert ss.steps_to_within(BASE_B, lambda i: 1 / (i + 1)) == 1005
    d = ss.distances(BASE_B, ss.harmonic_schedule(1005), 1005)
    assert d[1004] > 0.01 >= d[1005]


@pytest.mark.parametrize("norm_b", [2.3, 3.05, 4.72, 5.5, 6.991])
def test_constant_step_two_distances_match_simulation(norm_b: float) -> None:
    b = norm_b * np.array([0.6, 0.8])
    d = ss.distances(b, 1.0, 40)
    tail = d[-10:]
    near, far = ss.constant_step_distances(norm_b)
    seen = sorted({round(float(v), 9) for v in tail})
    assert seen == sorted({round(near, 9), round(far, 9)})
    assert d.min() == pytest.approx(near, abs=1e-9)
    assert (d.min() <= 0.01) == ss.constant_step_gets_within(norm_b)


def test_constant_step_gets_within_001_only_near_an_integer_norm() -> None:
    rng = np.random.default_rng(1)
    for norm_b in rng.uniform(1.5, 9.0, 200):
        b = norm_b * np.array([math.cos(1.0), math.sin(1.0)])
        brute = ss.steps_to_within(b, 1.0, max_steps=int(norm_b) + 5) is not None
        near_integer = abs(norm_b - round(norm_b)) <= 0.01
        assert brute == near_integer == ss.constant_step_gets_within(norm_b)
    assert ss.steps_to_within(np.array([3.0, 4.004]) * 1.0, 1.0, max_steps=20) is not None


def test_harmonic_step_count_grows_like_exp_of_norm() -> None:
    counts = {
        r: ss.steps_to_within(np.array([r, 0.0]), lambda i: 1 / (i + 1)) for r in (4.5, 5.5, 6.5)
    }
    for r, k in counts.items():
        assert k is not None
        assert k == pytest.approx(ss.harmonic_steps_estimate(r), rel=0.03)
    ratio = counts[6.5] / counts[5.5]  # type: ignore[operator]
    assert ratio == pytest.approx(math.e, rel=0.02)


def test_unnormalised_updates_follow_the_squared_loss_gradient() -> None:
    a, b = np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([1.0, 3.0])
    xs = ss.unnormalised_updates(a, b, np.zeros(2), 2, 0.1)
    # x1 = 0 - 0.1·Aᵀ(A·0 − b) = 0.1·Aᵀb = [0.2, 0.3]; x2 = x1 - 0.1·Aᵀ(Ax1 − b).
    x1 = np.array([0.2, 0.3])
    x2 = x1 - 0.1 * np.array([2 * (2 * 0.2 - 1), 0.3 - 3])
    np.testing.assert_allclose(xs, [[0, 0], x1, x2])


def test_shifted_schedule_is_off_by_one_with_the_last_step_repeated() -> None:
    np.testing.assert_allclose(ss.shifted_schedule([1.0, 0.5, 0.25]), [0.5, 0.25, 0.25])
