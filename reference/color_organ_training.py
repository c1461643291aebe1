"""The color organ notebook's training procedure, vectorised over independent runs (seeds).

Course procedure, reproduced: 1000 training frequencies drawn log-uniformly in 1 Hz–1 MHz;
a per-point loss ``loss_fn(pred, target)`` summed over the points (the notebook's total
gradient is the sum of the per-point derivatives it plots); plain gradient steps
``R -= lr * dL/dR`` with the gradient from ``torch.autograd.grad``; a run stops, before
stepping, when its loss < 1e-6 or every |dL/dR| < 1e-6, else after 100,000 steps.
(With a mean instead of a sum, lr = 200 would not reach the published 198.9 Ω from 1000 Ω in
100,000 steps; the sum reproduces 198.9 and the biased 320–390 Ω of part (d).)

Binary labels follow the LED rule on the desired filter: on ⇔ |H_desired(f)| > 1/√2.
S runs are one (S, N) tensor computation; each run stops independently (only active runs are
evaluated and stepped). A run's data depend only on its seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from reference.color_organ import LED_THRESHOLD, bode_fit, bp_mag, hp_mag, lp_mag, r_for_cutoff

N_POINTS = 1000
MAX_STEPS = 100_000
LOSS_TOL = 1e-6
GRAD_TOL = 1e-6

Tensor = torch.Tensor
LossFn = Callable[[Tensor, Tensor], Tensor]
Forward = Callable[[Tensor, Tensor], Tensor]  # (freqs (s, N), params (s, P)) -> predictions


def sample_frequencies(seed: int, n: int = N_POINTS) -> np.ndarray:
    """A run's training frequencies (Hz): log-uniform in 1 Hz–1 MHz from numpy's PCG64(seed)."""
    return np.asarray(10.0 ** np.random.default_rng(seed).uniform(0.0, 6.0, n), dtype=np.float64)


def frequency_batch(seeds: Sequence[int], n: int = N_POINTS) -> Tensor:
    """(S, N) float64 tensor of the runs' training frequencies."""
    return torch.from_numpy(np.stack([sample_frequencies(int(s), n) for s in seeds]))


def squared_error(pred: Tensor, target: Tensor) -> Tensor:
    """The course's per-point squared error (parts c and d)."""
    return (pred - target) ** 2


def shifted_squared_error(pred: Tensor, target: Tensor) -> Tensor:
    """The fixed loss of part (e): dark LEDs ask for 0.3 instead of 0, lit ones for 1."""
    return (pred - (0.3 + 0.7 * target)) ** 2


@dataclass(frozen=True, slots=True)
class Settings:
    """A variant's cutoffs (Hz), initial resistors (Ω) and learning rates."""

    f_lp: float = 800.0
    f_bp_lo: float = 1000.0
    f_bp_hi: float = 4000.0
    f_hp: float = 5000.0
    init_c: float = 1000.0
    lr_c: float = 200.0
    init_d: float = 500.0
    lr_d: float = 200.0
    init_hp: float = 100.0
    lr_hp: float = 20.0
    init_bp: tuple[float, float] = (100.0, 100.0)
    lr_bp: float = 20.0
    init_organ: tuple[float, float, float, float] = (500.0, 100.0, 100.0, 100.0)
    lr_organ: float = 20.0

    def scaled(self, k: float) -> Settings:
        """Every frequency ×k; resistors scale as 1/k, so inits ÷k and learning rates ÷k²
        (rounded) keep each run's path in R/R* the same as the course's."""

        def r(x: float) -> float:
            return float(round(x / k))

        def lr(x: float) -> float:
            return float(f"{x / k**2:.3g}")

        return replace(
            self,
            f_lp=self.f_lp * k,
            f_bp_lo=self.f_bp_lo * k,
            f_bp_hi=self.f_bp_hi * k,
            f_hp=self.f_hp * k,
            init_c=r(self.init_c),
            lr_c=lr(self.lr_c),
            init_d=r(self.init_d),
            lr_d=lr(self.lr_d),
            init_hp=r(self.init_hp),
            lr_hp=lr(self.lr_hp),
            init_bp=(r(self.init_bp[0]), r(self.init_bp[1])),
            lr_bp=lr(self.lr_bp),
            init_organ=tuple(r(x) for x in self.init_organ),  # type: ignore[arg-type]
            lr_organ=lr(self.lr_organ),
        )


@dataclass(frozen=True, slots=True)
class TrainResult:
    """Outcome of S runs: final parameters (S, P), steps taken, final loss, stop reason."""

    params: np.ndarray
    steps: np.ndarray
    loss: np.ndarray
    converged: np.ndarray  # True when stopped by the loss/gradient rule, False at the cap


def train(
    forward: Forward,
    freqs: Tensor,
    targets: Tensor,
    init: Sequence[float],
    lr: float,
    loss_fn: LossFn = squared_error,
    max_steps: int = MAX_STEPS,
) -> TrainResult:
    """Run S independent gradient descents (one per row of ``freqs``) as one computation."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small tensors: extra threads only add contention
    try:
        return _train(forward, freqs, targets, init, lr, loss_fn, max_steps)
    finally:
        torch.set_num_threads(threads)


def _train(
    forward: Forward,
    freqs: Tensor,
    targets: Tensor,
    init: Sequence[float],
    lr: float,
    loss_fn: LossFn,
    max_steps: int,
) -> TrainResult:
    s = freqs.shape[0]
    params = torch.tensor([list(init)] * s, dtype=torch.float64)
    steps = np.zeros(s, dtype=np.int64)
    last_loss = np.full(s, np.nan)
    converged = np.zeros(s, dtype=bool)
    active = torch.arange(s)
    for _ in range(max_steps + 1):
        p = params[active].clone().requires_grad_(True)
        per_point = loss_fn(forward(freqs[active], p), targets[active])
        loss = per_point.reshape(len(active), -1).sum(dim=1)
        (grad,) = torch.autograd.grad(loss.sum(), p)  # runs are independent: row-wise grads
        loss_np = loss.detach().numpy()
        last_loss[active.numpy()] = loss_np
        done = (loss < LOSS_TOL) | (grad.abs().amax(dim=1) < GRAD_TOL)
        converged[active[done].numpy()] = True
        capped = torch.from_numpy(steps[active.numpy()] >= max_steps)
        keep = ~done & ~capped
        if not bool(keep.any()):
            break
        idx = active[keep]
        params[idx] = (p.detach() - lr * grad)[keep]
        steps[idx.numpy()] += 1
        active = idx
    return TrainResult(params.numpy(), steps, last_loss, converged)


def _lp(freqs: Tensor, p: Tensor) -> Tensor:
    return lp_mag(freqs, p[:, :1])


def _hp(freqs: Tensor, p: Tensor) -> Tensor:
    return hp_mag(freqs, p[:, :1])


def _bp(freqs: Tensor, p: Tensor) -> Tensor:
    return bp_mag(freqs, p[:, :1], p[:, 1:2])


def _organ(freqs: Tensor, p: Tensor) -> Tensor:
    return torch.stack([_lp(freqs, p[:, 0:1]), _bp(freqs, p[:, 1:3]), _hp(freqs, p[:, 3:4])], dim=1)


def _labels(magnitude: Tensor) -> Tensor:
    return (magnitude > LED_THRESHOLD).to(torch.float64)


def learn_lp_from_transfer(
    f_lp: float, seeds: Sequence[int], init: float, lr: float, max_steps: int = MAX_STEPS
) -> TrainResult:
    """Part (c): low-pass R learned from samples of the desired |H| (squared error)."""
    f = frequency_batch(seeds)
    return train(_lp, f, lp_mag(f, r_for_cutoff(f_lp)), [init], lr, squared_error, max_steps)


def learn_lp_binary(
    f_lp: float,
    seeds: Sequence[int],
    init: float,
    lr: float,
    loss_fn: LossFn = squared_error,
    max_steps: int = MAX_STEPS,
) -> TrainResult:
    """Parts (d)/(e): low-pass R learned from LED on/off labels with ``loss_fn``."""
    f = frequency_batch(seeds)
    labels = _labels(lp_mag(f, r_for_cutoff(f_lp)))
    return train(_lp, f, labels, [init], lr, loss_fn, max_steps)


def learn_hp_binary(
    f_hp: float, seeds: Sequence[int], init: float, lr: float, max_steps: int = MAX_STEPS
) -> TrainResult:
    """Part (f): high-pass R learned from LED labels with the part (e) loss."""
    f = frequency_batch(seeds)
    labels = _labels(hp_mag(f, r_for_cutoff(f_hp)))
    return train(_hp, f, labels, [init], lr, shifted_squared_error, max_steps)


def learn_bp_binary(
    f_lo: float,
    f_hi: float,
    seeds: Sequence[int],
    init: tuple[float, float],
    lr: float,
    max_steps: int = MAX_STEPS,
) -> TrainResult:
    """Part (g): band-pass (R_low, R_high) learned from LED labels; band f_lo–f_hi Hz."""
    f = frequency_batch(seeds)
    labels = _labels(bp_mag(f, r_for_cutoff(f_hi), r_for_cutoff(f_lo)))
    return train(_bp, f, labels, list(init), lr, shifted_squared_error, max_steps)


def bode_fit_band(f_lo: float, f_hi: float, seeds: Sequence[int]) -> np.ndarray:
    """Part (h): least-squares Bode fit (dB, two ReLUs in log10 f) of the desired band-pass.

    The data are the desired band-pass |H| (R_low, R_high from the band edges) in dB at each
    run's training frequencies. Returns (S, 2): fitted (low-pass corner, high-pass corner) Hz.
    """
    f = frequency_batch(seeds).numpy()
    mag = bp_mag(f, r_for_cutoff(f_hi), r_for_cutoff(f_lo))
    return bode_fit(f, 20.0 * np.log10(mag))


def learn_color_organ(s: Settings, seeds: Sequence[int], max_steps: int = MAX_STEPS) -> TrainResult:
    """Part (i): all four resistors (lp, bp_low, bp_high, hp) trained together on (3, N) labels.

    Labels: row 0 low-pass, row 1 band-pass, row 2 high-pass LED; the per-point loss of part (e)
    is summed over the 3×N entries. A run stops when every |dL/dR_j| < 1e-6.
    """
    f = frequency_batch(seeds)
    desired = torch.tensor(
        [
            [
                r_for_cutoff(s.f_lp),
                r_for_cutoff(s.f_bp_hi),
                r_for_cutoff(s.f_bp_lo),
                r_for_cutoff(s.f_hp),
            ]
        ],
        dtype=torch.float64,
    )
    labels = _labels(_organ(f, desired.expand(len(seeds), 4)))
    return train(
        _organ, f, labels, list(s.init_organ), s.lr_organ, shifted_squared_error, max_steps
    )


LEARNED_KEYS = (
    "c", "d", "e.R", "f.R", "g.R_low", "g.R_high", "h.low", "h.high",
    "i.lp", "i.bp_low", "i.bp_high", "i.hp",
)  # fmt: skip
"""Part ids of the learned quantities, in the order of the course's parts."""


def learned_values(s: Settings, seeds: Sequence[int]) -> dict[str, np.ndarray]:
    """Every learned quantity of parts c–i for each seed (Ω or Hz), keyed by part id."""
    c = learn_lp_from_transfer(s.f_lp, seeds, s.init_c, s.lr_c).params[:, 0]
    d = learn_lp_binary(s.f_lp, seeds, s.init_d, s.lr_d).params[:, 0]
    e = learn_lp_binary(s.f_lp, seeds, s.init_d, s.lr_d, shifted_squared_error).params[:, 0]
    f = learn_hp_binary(s.f_hp, seeds, s.init_hp, s.lr_hp).params[:, 0]
    g = learn_bp_binary(s.f_bp_lo, s.f_bp_hi, seeds, s.init_bp, s.lr_bp).params
    h = bode_fit_band(s.f_bp_lo, s.f_bp_hi, seeds)
    i = learn_color_organ(s, seeds).params
    columns = [c, d, e, f, g[:, 0], g[:, 1], h[:, 0], h[:, 1], *i.T]
    return dict(zip(LEARNED_KEYS, columns, strict=True))


def closed_form_values(s: Settings) -> dict[str, float]:
    """The ideal value each learned quantity aims at (closed-form R, band corners in Hz)."""
    r_lp, r_hp = r_for_cutoff(s.f_lp), r_for_cutoff(s.f_hp)
    r_bl, r_bh = r_for_cutoff(s.f_bp_hi), r_for_cutoff(s.f_bp_lo)
    values = (r_lp, r_lp, r_lp, r_hp, r_bl, r_bh, s.f_bp_hi, s.f_bp_lo, r_lp, r_bl, r_bh, r_hp)
    return dict(zip(LEARNED_KEYS, values, strict=True))


def calibration_ratios(s: Settings, seeds: Sequence[int]) -> dict[str, np.ndarray]:
    """Learned / closed-form ratio of every learned quantity, per seed (relative calibration)."""
    ideal = closed_form_values(s)
    return {key: vals / ideal[key] for key, vals in learned_values(s, seeds).items()}
