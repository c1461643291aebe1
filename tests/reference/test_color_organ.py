"""reference.color_organ(_training, _variant) against the course's numbers, brute force,
autograd, finite differences and a literal, one-run-at-a-time transcription of the notebook's
training loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from reference import color_organ as co
from reference import color_organ_training as tr
from reference import color_organ_variant as cv


@pytest.mark.parametrize(
    ("cutoff", "published"), [(800, 198.94), (5000, 31.83), (4000, 39.79), (1000, 159.15)]
)
def test_closed_form_resistors_match_the_course(cutoff: float, published: float) -> None:
    assert co.r_for_cutoff(cutoff) == pytest.approx(published, abs=0.005)
    assert co.cutoff_for_r(co.r_for_cutoff(cutoff)) == pytest.approx(cutoff, rel=1e-12)


def test_magnitudes_are_minus_3db_at_the_cutoff_and_band_pass_is_the_product() -> None:
    r = co.r_for_cutoff(800.0)
    assert co.lp_mag(800.0, r) == pytest.approx(co.LED_THRESHOLD, rel=1e-12)
    assert co.hp_mag(800.0, r) == pytest.approx(co.LED_THRESHOLD, rel=1e-12)
    f = np.logspace(0, 6, 61)
    # |H_lp|² + |H_hp|² = 1 for the same R (power complementary)
    np.testing.assert_allclose(co.lp_mag(f, r) ** 2 + co.hp_mag(f, r) ** 2, 1.0, rtol=1e-12)
    np.testing.assert_allclose(co.bp_mag(f, 40.0, 160.0), co.lp_mag(f, 40.0) * co.hp_mag(f, 160.0))
    lit = co.led_on(co.lp_mag(f, r))
    np.testing.assert_array_equal(lit, f < 800.0)
    # torch tensors go through the same formulas
    t = co.lp_mag(torch.tensor(f), torch.tensor(r, dtype=torch.float64))
    np.testing.assert_allclose(t.numpy(), co.lp_mag(f, r), rtol=1e-14)


def test_led_table_range_matches_brute_force_over_r() -> None:
    freqs = [300, 500, 700, 900, 1100, 1300, 1500]
    want = [True, True, True, False, False, False, False]
    lo, hi = co.lp_r_range_for_table(freqs, want)
    assert (lo, hi) == (pytest.approx(176.84, abs=0.005), pytest.approx(227.36, abs=0.005))
    grid = np.arange(100.0, 300.0, 0.01)
    good = grid[[co.lp_table_lights(freqs, float(r)) == want for r in grid]]
    assert good.min() == pytest.approx(lo, abs=0.011) and good.max() == pytest.approx(hi, abs=0.011)
    assert co.lp_table_lights(freqs, lo * (1 - 1e-9)) != want  # the range is open
    with pytest.raises(ValueError):
        co.lp_r_range_for_table(freqs, [False, True, True, False, False, False, False])


@pytest.mark.parametrize("r", [20.0, 198.94, 900.0])
def test_analytic_resistor_gradients_match_autograd(r: float) -> None:
    f = tr.sample_frequencies(3, 200)
    for mag, grad in ((co.lp_mag, co.lp_grad_r), (co.hp_mag, co.hp_grad_r)):
        rt = torch.tensor(r, dtype=torch.float64, requires_grad=True)
        per_point = [
            torch.autograd.grad(v, rt, retain_graph=True)[0] for v in mag(torch.tensor(f), rt)[:20]
        ]
        want = np.array([float(g) for g in per_point])
        np.testing.assert_allclose(grad(f[:20], r), want, rtol=1e-8, atol=1e-14 * abs(want).max())
    for band, rs in ((False, (r,)), (True, (r, 4 * r))):
        ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in rs]
        ft = torch.tensor(f)
        out = co.bp_mag(ft, ts[0], ts[-1]) if band else co.hp_mag(ft, ts[0])
        auto = torch.autograd.grad(out.sum(), ts)
        np.testing.assert_allclose(
            co.circuit_resistor_gradients(f, rs, band), [float(g) for g in auto], rtol=1e-10
        )


def course_loop(freqs: np.ndarray, targets: np.ndarray, r0: float, lr: float) -> tuple[float, int]:
    """The notebook's loop for one circuit, written out literally (independent of the trainer)."""
    f, y = torch.tensor(freqs), torch.tensor(targets)
    r = torch.nn.Parameter(torch.tensor(r0, dtype=torch.float64))
    for step in range(tr.MAX_STEPS):
        pred = 1 / torch.sqrt(1 + (2 * math.pi * f * r * 1e-6) ** 2)
        loss = torch.sum((pred - y) ** 2)
        (grad,) = torch.autograd.grad(loss, r)
        if loss.item() < 1e-6 or abs(grad.item()) < 1e-6:
            return r.item(), step
        with torch.no_grad():
            r.sub_(lr * grad)
    return r.item(), tr.MAX_STEPS


def test_vectorised_trainer_equals_the_literal_loop_run_by_run() -> None:
    seeds = [0, 11]
    res = tr.learn_lp_binary(800.0, seeds, 500.0, 200.0)
    for j, seed in enumerate(seeds):
        f = tr.sample_frequencies(seed)
        r, steps = course_loop(f, (f < 800.0).astype(float), 500.0, 200.0)
        assert res.params[j, 0] == pytest.approx(r, rel=1e-9)
        assert res.steps[j] == steps and res.converged[j]


def test_transfer_function_training_recovers_the_closed_form() -> None:
    res = tr.learn_lp_from_transfer(800.0, [0, 1, 2, 3], 1000.0, 200.0)
    np.testing.assert_allclose(res.params[:, 0], co.r_for_cutoff(800.0), rtol=5e-4)
    assert res.converged.all() and (res.loss < 1e-6).all()


def test_binary_mse_lands_on_the_loss_minimiser_far_from_the_closed_form() -> None:
    seed = 4
    got = tr.learn_lp_binary(800.0, [seed], 500.0, 200.0).params[0, 0]
    f = tr.sample_frequencies(seed)
    labels = (f < 800.0).astype(float)
    grid = np.arange(250.0, 450.0, 0.01)
    losses = [np.sum((co.lp_mag(f, r) - labels) ** 2) for r in grid]
    assert got == pytest.approx(grid[int(np.argmin(losses))], abs=0.05)
    assert 320.0 < got < 390.0  # the course's biased range


def test_fixed_loss_lands_near_the_closed_form_and_the_trainer_respects_the_step_cap() -> None:
    r = tr.learn_lp_binary(800.0, range(8), 500.0, 200.0, tr.shifted_squared_error).params[:, 0]
    assert abs(np.median(r) / co.r_for_cutoff(800.0) - 1) < 0.05
    capped = tr.learn_lp_binary(800.0, [0, 1], 500.0, 200.0, max_steps=5)
    assert (capped.steps == 5).all() and not capped.converged.any()


def test_band_pass_and_color_organ_training_aim_at_the_closed_form() -> None:
    s = tr.Settings()
    g = tr.learn_bp_binary(s.f_bp_lo, s.f_bp_hi, range(6), s.init_bp, s.lr_bp).params
    assert np.median(g[:, 0]) == pytest.approx(39.79, rel=0.08)
    assert np.median(g[:, 1]) == pytest.approx(159.15, rel=0.08)
    organ = tr.learn_color_organ(s, range(3))
    # the joint loss separates per filter: each resistor ends where its own training ends
    np.testing.assert_allclose(organ.params[:, 1:3], g[:3], rtol=1e-4)
    hp = tr.learn_hp_binary(s.f_hp, range(3), s.init_hp, s.lr_hp).params[:, 0]
    np.testing.assert_allclose(organ.params[:, 3], hp, rtol=1e-4)


def test_bode_fit_is_the_least_squares_minimiser() -> None:
    f = tr.sample_frequencies(2)
    y = 20 * np.log10(co.bp_mag(f, co.r_for_cutoff(4000.0), co.r_for_cutoff(1000.0)))
    fit = co.bode_fit(f, y)[0]
    assert 3800 < fit[0] < 3880 and 1020 < fit[1] < 1045  # the course's published ranges

    def sse(lp: float, hp: float) -> float:
        return float(np.sum((co.bode_db(f, lp, hp) - y) ** 2))

    best = sse(*fit)
    for d_lp, d_hp in [(1, 0), (-1, 0), (0, 1), (0, -1), (0.5, 0.5), (-0.5, 0.3)]:
        assert sse(fit[0] + d_lp, fit[1] + d_hp) > best
    # an independent route: brute-force grid of corner pairs around the fit (±1 %, 0.02 % steps)
    lps = fit[0] * np.linspace(0.99, 1.01, 101)
    hps = fit[1] * np.linspace(0.99, 1.01, 101)
    x = np.log10(f)
    lp_part = -20 * np.maximum(x[None, :] - np.log10(lps)[:, None], 0)  # (101, N)
    hp_part = -20 * np.maximum(np.log10(hps)[:, None] - x[None, :], 0)
    grid = ((lp_part[:, None, :] + hp_part[None, :, :] - y) ** 2).sum(axis=2)
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    assert (lps[i], hps[j]) == (pytest.approx(fit[0], rel=3e-4), pytest.approx(fit[1], rel=3e-4))


def test_scaled_settings_keep_the_learned_ratio() -> None:
    base, double = tr.Settings(), tr.Settings().scaled(2.0)
    assert (double.f_lp, double.init_d, double.lr_d) == (1600.0, 250.0, 50.0)
    f = tr.frequency_batch([3])
    labels = (f < base.f_lp).to(torch.float64)

    def lp(freqs: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        return co.lp_mag(freqs, p[:, :1])

    loss = tr.shifted_squared_error
    r1 = tr.train(lp, f, labels, [base.init_d], base.lr_d, loss).params[0, 0]
    r2 = tr.train(lp, 2 * f, labels, [double.init_d], double.lr_d, loss).params[0, 0]
    # every frequency ×2, R0 ÷2, lr ÷4: the same path in R/R*, so the learned R halves
    assert r2 == pytest.approx(r1 / 2, rel=1e-4)


def test_variant_params_round_trip_to_settings() -> None:
    s = tr.Settings().scaled(1.35)
    params = cv.params_from_settings(s, 250, 150, 4)
    assert cv.settings_from_params(params) == s
    assert params["table_freqs"] == [250, 400, 550, 700, 850, 1000, 1150]
    assert params["table_lit"] == [1, 1, 1, 1, 0, 0, 0]


@pytest.mark.parametrize("band", [False, True])
def test_first_steps_are_the_trainers_and_the_bugs_follow_their_rules(band: bool) -> None:
    s = tr.Settings().scaled(0.8)
    path = cv.first_steps(s, band, 5, 3)
    for k in (1, 2, 3):  # the vectorised trainer capped at k steps lands on R_k
        res = (
            tr.learn_bp_binary(s.f_bp_lo, s.f_bp_hi, [5], s.init_bp, s.lr_bp, max_steps=k)
            if band
            else tr.learn_hp_binary(s.f_hp, [5], s.init_hp, s.lr_hp, max_steps=k)
        )
        np.testing.assert_allclose(res.params[0], path[k], rtol=1e-12)
    # an independent gradient: central finite differences of the summed loss at R_0
    freqs, labels = cv.training_data(s, band, 5)
    f, y = freqs.numpy(), labels.numpy()

    def loss(rs: np.ndarray) -> float:
        mag = co.bp_mag(f, *rs) if band else co.hp_mag(f, rs[0])
        return float(np.sum((mag - (0.3 + 0.7 * y)) ** 2))

    lr, r0 = (s.lr_bp, path[0]) if band else (s.lr_hp, path[0])
    h = 1e-4
    g0 = np.array([(loss(r0 + h * e) - loss(r0 - h * e)) / (2 * h) for e in np.eye(len(r0))])
    np.testing.assert_allclose(path[1], r0 - lr * g0, rtol=1e-7)
    doubled, not_zeroed, sign = (cv.first_steps(s, band, 5, 3, b) for b in cv.BUGS[1:])
    np.testing.assert_allclose(doubled[1] - r0, 2 * (path[1] - r0), rtol=1e-12)
    np.testing.assert_allclose(sign[1] - r0, -(path[1] - r0), rtol=1e-12)
    np.testing.assert_allclose(not_zeroed[:2], path[:2], rtol=1e-12)  # step 1 is still right
    # step 2 of the never-zeroed run uses g(R_0) + g(R_1): the step it adds is lr * g(R_0) longer
    np.testing.assert_allclose(not_zeroed[2] - not_zeroed[1],
                               (path[2] - path[1]) - lr * g0, rtol=1e-6)  # fmt: skip
    with pytest.raises(ValueError):
        cv.first_steps(s, band, 5, 1, "halved")


def test_circuit_checks_hold_the_desired_filter_and_its_usual_mistakes() -> None:
    s = tr.Settings()
    hp_visible, hp_hidden = cv.circuit_checks(s, band=False)
    assert hp_visible.resistors == (pytest.approx(31.83, abs=0.005),)
    assert hp_visible.expected[3] == pytest.approx(co.LED_THRESHOLD)  # 5000 Hz is the corner
    assert len(hp_hidden.freqs) == 40 and hp_hidden.resistors[0] == 3 * hp_visible.resistors[0]
    np.testing.assert_allclose(hp_visible.confused, co.lp_mag(hp_visible.freqs, 31.830988618))
    bp_visible, _ = cv.circuit_checks(s, band=True)
    r_low, r_high = bp_visible.resistors
    assert (r_low, r_high) == (pytest.approx(39.79, abs=0.005), pytest.approx(159.15, abs=0.005))
    np.testing.assert_allclose(bp_visible.confused, co.bp_mag(bp_visible.freqs, r_high, r_low))
    # ω = f instead of 2πf: the corner moves up by 2π
    np.testing.assert_allclose(
        bp_visible.no_two_pi, co.bp_mag(bp_visible.freqs, r_low / (2 * math.pi),
                                        r_high / (2 * math.pi)), rtol=1e-12)  # fmt: skip
