"""Near-miss feedback from the numbers: constant factors, sign, powers of ten, 2π, transposes,
a missing 1/N. Shared by the number, expression and matrix kinds. Never reveals the expected
formula, only how the answer relates to it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from service.grading.kinds.base import Verdict

Array = np.ndarray
TWO_PI = 2 * math.pi


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(abs(b), 1e-300)


def factor_message(c: float, tol: float = 1e-3) -> str | None:
    """Feedback for an answer that is ``c`` times the expected one (None if unremarkable)."""
    if not math.isfinite(c) or c == 0:
        return None
    negative, m = c < 0, abs(c)
    scale: str | None = None
    if _close(m, 1.0, tol):
        scale = ""
    elif _close(m, 2.0, tol):
        scale = "twice the expected value"
    elif _close(m, 0.5, tol):
        scale = "half the expected value"
    elif _close(m, TWO_PI, tol) or _close(m, 1 / TWO_PI, tol):
        scale = "off by a factor of 2π (check Hz vs rad/s)"
    else:
        for k in range(3, 10):
            if _close(m, float(k), tol):
                scale = f"{k} times the expected value"
            elif _close(m, 1.0 / k, tol):
                scale = f"1/{k} of the expected value"
        power = round(math.log10(m))
        if scale is None and power != 0 and _close(m, 10.0**power, tol):
            direction = "too large" if power > 0 else "too small"
            scale = (
                f"off by a factor of {10.0 ** abs(power):g} ({direction}; a power of ten: "
                "check units and exponents)"
            )
    if scale is None or (scale == "" and not negative):
        return None
    if negative and scale:
        return f"Your answer has the wrong sign and is {scale}."
    if negative:
        return "Your answer has the wrong sign."
    return f"Your answer is {scale}."


def _allclose(a: Array, b: Array, tol: float) -> bool:
    return bool(np.all(np.abs(a - b) <= tol * np.abs(b)))


def _constant(values: Array, tol: float) -> float | None:
    if values.size == 0:
        return None
    centre = float(values[0])  # any element will do: all must agree
    spread = np.abs(values - centre)
    if np.all(spread <= tol * max(abs(centre), 1e-12)):
        return centre
    return None


def near_miss(
    got: Sequence[Array],
    expected: Sequence[Array],
    *,
    rtol: float = 1e-6,
    integers: Sequence[Mapping[str, Array]] = (),
) -> str | None:
    """How ``got`` relates to ``expected`` (per group, batch-first arrays of equal shape)."""
    tol = max(3 * rtol, 1e-6)
    ratios, diffs, transposed = [], [], True
    per_int: dict[str, list[Array]] = {}
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        g2, e2 = g.reshape(g.shape[0], -1), e.reshape(e.shape[0], -1)
        with np.errstate(all="ignore"):
            keep = np.isfinite(g2) & np.isfinite(e2) & (np.abs(e2) > 1e-9)
            ratios.append((g2 / e2)[keep])
            diffs.append((g2 - e2)[np.isfinite(g2) & np.isfinite(e2)])
        if g.ndim == 3 and g.shape[1] == g.shape[2] > 1:
            transposed &= bool(np.allclose(np.swapaxes(g, 1, 2), e, rtol=tol, equal_nan=True))
        else:
            transposed = False
        if i < len(integers):
            for name, values in integers[i].items():
                full = np.broadcast_to(values.reshape(-1, 1), g2.shape)[keep]
                per_int.setdefault(name, []).append(full)
    if transposed:
        return "Your answer is the transpose of the expected one."
    ratio = np.concatenate(ratios) if ratios else np.array([])
    if ratio.size == 0:
        return None
    c = _constant(ratio, tol)
    if c is not None:
        return factor_message(c, tol)
    for name, chunks in per_int.items():
        n = np.concatenate(chunks)
        if _allclose(ratio, n, tol):
            return f"Your answer is {name} times the expected one: is a factor 1/{name} missing?"
        if _allclose(ratio * n, np.ones_like(n), tol):
            return f"Your answer is 1/{name} times the expected one: an extra factor 1/{name}?"
        if _allclose(ratio, -n, tol):
            return f"Your answer is -{name} times the expected one: check the sign and 1/{name}."
    diff = np.concatenate(diffs)
    shift = _constant(diff, tol)
    if shift is not None and abs(shift) > tol and ratio.size > 1:
        return "Your answer differs from the expected one by a constant."
    return None


def misconception_answer(misconception: Any, params: Mapping[str, Any]) -> Any:
    """The authored wrong answer for this variant (``answer`` may be a callable of params)."""
    answer = misconception.answer
    return answer(params) if callable(answer) else answer


def misconception_verdict(misconception: Any) -> Verdict:
    """The authored feedback and credit: partial if credit > 0, else incorrect."""
    from service.grading.kinds.base import Verdict

    credit = float(misconception.credit)
    if credit >= 1.0:
        return Verdict.correct(misconception.feedback)
    if credit > 0:
        return Verdict.partial(credit, misconception.feedback)
    return Verdict.incorrect(misconception.feedback)
