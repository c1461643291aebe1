"""Color organ circuits (HW0): RC filter magnitudes, LED rule, closed-form resistors.

Frequencies are in Hz everywhere in this module; the formulas use ω = 2πf (rad/s).
Every magnitude function works on floats, numpy arrays and torch tensors alike (it only uses
arithmetic and ``** -0.5``), so the trainer can run them under autograd.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

C: float = 1e-6
"""The capacitor of every filter, in farads."""

LED_THRESHOLD: float = 1.0 / math.sqrt(2.0)
"""An LED is on when the filter's magnitude exceeds this (the -3 dB point)."""


def omega(freq_hz: Any) -> Any:
    """Angular frequency ω = 2πf in rad/s."""
    return 2.0 * math.pi * freq_hz


def lp_mag(freq_hz: Any, r: Any, c: float = C) -> Any:
    """Low-pass magnitude |H| = 1/sqrt(1 + (ωRC)²)."""
    a: Any = omega(freq_hz) * r * c
    return (1.0 + a * a) ** -0.5


def hp_mag(freq_hz: Any, r: Any, c: float = C) -> Any:
    """High-pass magnitude |H| = ωRC/sqrt(1 + (ωRC)²)."""
    a: Any = omega(freq_hz) * r * c
    return a * (1.0 + a * a) ** -0.5


def bp_mag(freq_hz: Any, r_low: Any, r_high: Any, c: float = C) -> Any:
    """Band-pass magnitude: low-pass(R_low) · high-pass(R_high)."""
    return lp_mag(freq_hz, r_low, c) * hp_mag(freq_hz, r_high, c)


def led_on(magnitude: Any) -> Any:
    """The LED rule: on where |H| > 1/√2 (works elementwise on arrays and tensors)."""
    return magnitude > LED_THRESHOLD


def r_for_cutoff(cutoff_hz: float, c: float = C) -> float:
    """Resistor that puts an RC filter's -3 dB corner at ``cutoff_hz``: R = 1/(2π f_c C)."""
    return 1.0 / (2.0 * math.pi * cutoff_hz * c)


def cutoff_for_r(r: float, c: float = C) -> float:
    """Corner frequency of an RC filter: f_c = 1/(2π R C)."""
    return 1.0 / (2.0 * math.pi * r * c)


def lp_grad_r(freq_hz: np.ndarray, r: float, c: float = C) -> np.ndarray:
    """Analytic d|H_lp|/dR = -a²/(R (1 + a²)^{3/2}) with a = ωRC."""
    a = omega(freq_hz) * r * c
    return -(a * a) * (1.0 + a * a) ** -1.5 / r


def hp_grad_r(freq_hz: np.ndarray, r: float, c: float = C) -> np.ndarray:
    """Analytic d|H_hp|/dR = a/(R (1 + a²)^{3/2}) with a = ωRC."""
    a = omega(freq_hz) * r * c
    return a * (1.0 + a * a) ** -1.5 / r


def lp_r_range_for_table(
    freqs_hz: Sequence[float], on: Sequence[bool], c: float = C
) -> tuple[float, float]:
    """Open interval (lo, hi) of low-pass R lighting exactly the ``on`` LEDs of the table.

    A low-pass LED is on at f ⇔ 2πfRC < 1 ⇔ R < 1/(2πfC): R must be below the bound of every
    lit frequency and above the bound of every dark one. Raises ValueError if no R works.
    """
    bounds = [r_for_cutoff(f, c) for f in freqs_hz]
    lit = [b for b, o in zip(bounds, on, strict=True) if o]
    dark = [b for b, o in zip(bounds, on, strict=True) if not o]
    hi = min(lit) if lit else math.inf
    lo = max(dark) if dark else 0.0
    if not lo < hi:
        raise ValueError("no low-pass resistor lights this table")
    return lo, hi


def lp_table_lights(freqs_hz: Sequence[float], r: float, c: float = C) -> list[bool]:
    """Which LEDs of the table a low-pass filter with resistor ``r`` lights."""
    return [bool(led_on(lp_mag(float(f), r, c))) for f in freqs_hz]


def bode_db(freq_hz: np.ndarray, f_lp: float, f_hp: float) -> np.ndarray:
    """Straight-line Bode magnitude (dB) of a band-pass built from two ReLUs in log10 f.

    0 dB between the corners, -20 dB/decade above the low-pass corner ``f_lp`` and below the
    high-pass corner ``f_hp``.
    """
    x = np.log10(freq_hz)
    return -20.0 * np.maximum(x - math.log10(f_lp), 0.0) - 20.0 * np.maximum(
        math.log10(f_hp) - x, 0.0
    )


def bode_fit(freq_hz: np.ndarray, mag_db: np.ndarray, iters: int = 50) -> np.ndarray:
    """Least-squares Bode fit: corners (f_lp, f_hp) in Hz minimising Σ (bode_db - mag_db)².

    Vectorised over runs: ``freq_hz`` and ``mag_db`` are (S, N); returns (S, 2). The model is
    piecewise linear in (u, v) = log10 corners, so Gauss-Newton is exact Newton here and
    reaches the minimiser (what gradient descent on the two ReLU corners converges to) in a
    few iterations. Starts from the -3 dB crossings of the data.
    """
    f = np.atleast_2d(np.asarray(freq_hz, dtype=float))
    y = np.atleast_2d(np.asarray(mag_db, dtype=float))
    x = np.log10(f)
    peak = np.argmax(y, axis=1)
    x_peak = x[np.arange(len(x)), peak][:, None]
    above = y > -3.0
    u = np.where(above & (x >= x_peak), x, -np.inf).max(axis=1)
    v = np.where(above & (x <= x_peak), x, np.inf).min(axis=1)
    for _ in range(iters):
        ju = 20.0 * (x > u[:, None])
        jv = -20.0 * (x < v[:, None])
        resid = -20.0 * np.maximum(x - u[:, None], 0.0) - 20.0 * np.maximum(v[:, None] - x, 0.0)
        resid = resid - y
        a11, a12, a22 = (ju * ju).sum(1), (ju * jv).sum(1), (jv * jv).sum(1)
        b1, b2 = -(ju * resid).sum(1), -(jv * resid).sum(1)
        det = a11 * a22 - a12 * a12
        du = (a22 * b1 - a12 * b2) / det
        dv = (a11 * b2 - a12 * b1) / det
        u, v = u + du, v + dv
        if max(np.abs(du).max(), np.abs(dv).max()) < 1e-12:
            break
    return np.stack([10.0**u, 10.0**v], axis=1)


def circuit_resistor_gradients(
    freq_hz: np.ndarray, resistors: Sequence[float], band: bool
) -> list[float]:
    """Analytic d/dR_j of Σ_f |H(f)| for the high-pass (R_high,) or band-pass (R_low, R_high)."""
    f = np.asarray(freq_hz, dtype=float)
    if not band:
        return [float(hp_grad_r(f, resistors[0]).sum())]
    r_low, r_high = resistors
    return [
        float((lp_grad_r(f, r_low) * hp_mag(f, r_high)).sum()),
        float((lp_mag(f, r_low) * hp_grad_r(f, r_high)).sum()),
    ]
