"""A color organ variant: its params ↔ Settings, the inputs and answers of its (f)/(g) circuit
checks, and the first steps of its (f)/(g) training.

``first_steps`` replays the course's update ``R -= lr * dL/dR`` (the part (e) loss summed over
the points, gradient by autograd) for a few steps, and the same loop with the update-line bugs
students make: the step doubled (``backward()`` twice, or ``2 * lr``), the gradient never zeroed
(each step uses the sum of every gradient so far), the sign flipped (ascent).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from reference.color_organ import LED_THRESHOLD, bp_mag, hp_mag, lp_mag, r_for_cutoff
from reference.color_organ_training import Settings, frequency_batch, shifted_squared_error

BUGS = ("", "doubled", "not_zeroed", "sign")
"""Update rules ``first_steps`` can replay: the course's ("") and three buggy ones."""


def settings_from_params(p: Mapping[str, Any]) -> Settings:
    """The Settings (cutoffs, initial resistors, learning rates) of a variant's params."""
    return Settings(
        f_lp=float(p["f_lp"]), f_bp_lo=float(p["f_bp_lo"]), f_bp_hi=float(p["f_bp_hi"]),
        f_hp=float(p["f_hp"]), init_c=float(p["init_c"]), lr_c=float(p["lr_c"]),
        init_d=float(p["init_d"]), lr_d=float(p["lr_d"]), init_hp=float(p["init_hp"]),
        lr_hp=float(p["lr_hp"]), init_bp=(float(p["init_bp_low"]), float(p["init_bp_high"])),
        lr_bp=float(p["lr_bp"]), init_organ=tuple(float(x) for x in p["init_organ"]),  # type: ignore[arg-type]
        lr_organ=float(p["lr_organ"]),
    )  # fmt: skip


def params_from_settings(s: Settings, t0: int, dt: int, n_on: int) -> dict[str, Any]:
    """A variant's params: the settings plus a 7-tone LED table (t0 + dt·j Hz, first n_on lit)."""
    return {
        "f_lp": s.f_lp, "f_bp_lo": s.f_bp_lo, "f_bp_hi": s.f_bp_hi, "f_hp": s.f_hp,
        "init_c": s.init_c, "lr_c": s.lr_c, "init_d": s.init_d, "lr_d": s.lr_d,
        "init_hp": s.init_hp, "lr_hp": s.lr_hp, "init_bp_low": s.init_bp[0],
        "init_bp_high": s.init_bp[1], "lr_bp": s.lr_bp, "init_organ": list(s.init_organ),
        "lr_organ": s.lr_organ,
        "table_freqs": [t0 + dt * j for j in range(7)],
        "table_lit": [1 if j < n_on else 0 for j in range(7)],
    }  # fmt: skip


def desired_resistors(s: Settings, band: bool) -> tuple[float, ...]:
    """The closed-form resistors whose LEDs are the labels: (R_low, R_high) or (R_high,)."""
    if band:
        return r_for_cutoff(s.f_bp_hi), r_for_cutoff(s.f_bp_lo)
    return (r_for_cutoff(s.f_hp),)


def _magnitude(freqs: Any, resistors: Sequence[Any]) -> Any:
    return bp_mag(freqs, *resistors) if len(resistors) == 2 else hp_mag(freqs, resistors[0])


@dataclass(frozen=True, slots=True)
class CircuitCheck:
    """One call of a student's (f)/(g) circuit: inputs, the right |H| and two usual wrong ones."""

    freqs: np.ndarray
    resistors: tuple[float, ...]
    expected: np.ndarray
    no_two_pi: np.ndarray  # ω = f: the 2π left out
    confused: np.ndarray  # band-pass: R_low and R_high swapped; high-pass: the low-pass response


def circuit_checks(s: Settings, band: bool) -> tuple[CircuitCheck, CircuitCheck]:
    """The visible check (7 landmark frequencies, the desired resistors) and the hidden one (40
    log-uniform frequencies seeded by the corner, other resistors) of a circuit part."""
    desired = desired_resistors(s, band)
    cutoff = s.f_bp_lo if band else s.f_hp
    visible = np.array([10.0, 100.0, cutoff / 4, cutoff, 4 * cutoff, 1e5, 1e6])
    hidden = np.sort(10.0 ** np.random.default_rng(int(cutoff)).uniform(0.0, 6.0, 40))
    other = (2.5 * desired[0], 0.4 * desired[1]) if band else (3.0 * desired[0],)
    checks = []
    for freqs, rs in ((visible, desired), (hidden, other)):
        confused = bp_mag(freqs, rs[1], rs[0]) if band else lp_mag(freqs, rs[0])
        no_two_pi = _magnitude(freqs / (2 * math.pi), rs)
        checks.append(CircuitCheck(freqs, rs, _magnitude(freqs, rs), no_two_pi, confused))
    return checks[0], checks[1]


def training_data(s: Settings, band: bool, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One run's (freqs, LED labels) for part (g) (band) or (f): float64 tensors of length N."""
    freqs = frequency_batch([seed])[0]
    on = _magnitude(freqs, desired_resistors(s, band)) > LED_THRESHOLD
    return freqs, on.to(torch.float64)


def first_steps(s: Settings, band: bool, seed: int, steps: int, bug: str = "") -> np.ndarray:
    """(steps + 1, P) resistors R_0..R_steps of part (g)/(f) training under an update rule.

    P = 2 (R_low, R_high) for the band-pass, 1 for the high-pass. ``bug`` is one of BUGS.
    """
    if bug not in BUGS:
        raise ValueError(f"unknown update rule {bug!r}")
    freqs, labels = training_data(s, band, seed)
    lr = s.lr_bp if band else s.lr_hp
    r = torch.tensor(s.init_bp if band else (s.init_hp,), dtype=torch.float64)
    held = torch.zeros_like(r)  # the gradient a never-zeroed .grad still holds
    path = [r.numpy().copy()]
    for _ in range(steps):
        p = r.clone().requires_grad_(True)
        loss = shifted_squared_error(_magnitude(freqs, list(p)), labels).sum()
        (grad,) = torch.autograd.grad(loss, p)
        held = held + grad if bug == "not_zeroed" else grad
        factor = {"doubled": 2.0, "sign": -1.0}.get(bug, 1.0)
        r = r - lr * factor * held
        path.append(r.numpy().copy())
    return np.array(path)
