"""hw0-relu-elbow: how one SGD step moves a ReLU's slope and elbow (Homework 0)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from reference import relu_elbow as re
from service.grading.formula.domains import Derived, Domain, NonZero, Positive, Real
from service.grading.kinds import ChoiceAnswer, ExpressionAnswer
from service.grading.model import Misconception, Params, Part, Problem

STATEMENT = r"""
A single ReLU unit $\phi(x) = \max(0,\, w x + b)$ is trained on one point $(x, y)$ with the
loss $\ell = \tfrac12\,(\phi(x) - y)^2$ and SGD with learning rate $\lambda$. Its *elbow* is
the $x$ where it turns on.

In part (b) the prediction is too high: $\phi(x) - y = {{ r:.3g }}$ (we pull the function
down), with learning rate $\lambda = {{ lam:.3g }}$.

Later, the full network $f(x) = W^{(2)} \Phi(W^{(1)} x + b)$ (scalar $x$, $k$ hidden units,
$\Phi$ the elementwise ReLU) is trained on $\tfrac12 (\hat f - y)^2$ with $\hat f = f(x)$.

Write formulas with `w`, `b`, `x`, `y`, `phi` (Unicode φ, λ work), `heaviside(...)` or a
comparison such as `(w*x + b > 0)` for the 0/1 indicator; for the network use `W1_i`, `b_i`,
`W2_i`, `fhat`, `lam`.
"""

_SIG = 3


def _round(value: float) -> float:
    """Round to the significant figures the statement prints."""
    return float(f"{value:.{_SIG}g}")


def _sample_case_ii(rng: np.random.Generator, r: float, lam: float) -> dict[str, float]:
    want = str(rng.choice(["left", "right"]))  # both directions occur across students
    while True:
        w, x = _round(rng.uniform(0.5, 2.0)), _round(rng.uniform(0.5, 3.0))
        b = _round(rng.uniform(-w * x + 0.3, 2.5))
        if w * x + b < 0.2 or abs(w - b * x) < 0.2 or lam * r * x > 0.6 * w:
            continue
        if re.update_direction(w, b, x, re.relu_unit(w, b, x) - r, lam).elbow == want:
            return {"ii_w": w, "ii_b": b, "ii_x": x}


def _sample_case_iv(rng: np.random.Generator) -> dict[str, float]:
    w, x = _round(-rng.uniform(0.5, 2.0)), _round(rng.uniform(0.5, 3.0))
    b = _round(-w * x + rng.uniform(0.3, 2.0))
    return {"iv_w": w, "iv_b": b, "iv_x": x}


def sample_params(rng: np.random.Generator) -> dict[str, Any]:
    """A variant: residual r, learning rate lam and the (w, b, x) of cases (b.ii) and (b.iv)."""
    r, lam = _round(rng.uniform(0.5, 2.0)), _round(rng.uniform(0.02, 0.2))
    return {"r": r, "lam": lam, **_sample_case_ii(rng, r, lam), **_sample_case_iv(rng)}


BASE_PARAMS: dict[str, Any] = {
    "r": 1.0, "lam": 0.1, "ii_w": 1.0, "ii_b": 1.0, "ii_x": 2.0,
    "iv_w": -1.0, "iv_b": 2.0, "iv_x": 1.0,
}

# Representative points for the cases stated by signs only (the reference tests show every
# point of the case moves the same way).
_CASE_POINTS: dict[str, Callable[[Params], tuple[float, float, float]]] = {
    "i": lambda p: (1.0, -2.0, 1.0),  # phi(x) = 0
    "ii": lambda p: (p["ii_w"], p["ii_b"], p["ii_x"]),
    "iii": lambda p: (1.0, 2.0, -1.0),  # w > 0, x < 0, phi > 0
    "iv": lambda p: (p["iv_w"], p["iv_b"], p["iv_x"]),
}


def direction(case: str, p: Params) -> re.Direction:
    """Slope/elbow change from applying the reference SGD step to the case's numbers."""
    w, b, x = _CASE_POINTS[case](p)
    return re.update_direction(w, b, x, re.relu_unit(w, b, x) - p["r"], p["lam"])


_SLOPE = ChoiceAnswer({
    "increases": "the slope w increases", "decreases": "the slope w decreases",
    "unchanged": "the slope does not change",
})
_ELBOW = ChoiceAnswer({
    "left": "the elbow moves left", "right": "the elbow moves right",
    "unchanged": "the elbow does not move",
})
_OPPOSITE = {"increases": "decreases", "decreases": "increases", "left": "right",
             "right": "left", "unchanged": "increases"}

_UNIT: dict[str, Domain] = {
    "w": Real(), "b": Real(), "x": Real(), "y": Real(), "phi": Derived("max(0, w*x + b)"),
}
_ACTIVE = ("w*x + b > 0",)
_NET: dict[str, Domain] = {
    "b_i": Real(), "W1_i": NonZero(0.5, 3.0), "W2_i": Real(-1.0, 1.0), "x": Real(-2.0, 2.0),
    "y": Real(-1.0, 1.0), "fhat": Real(-1.0, 1.0), "lam": Positive(0.01, 0.1),
}
_SIGN = "Sign: d/dφ ½(φ − y)² = φ − y, not y − φ."
_HALF = "The ½ in the loss cancels the 2 from the square: no factor 2."
_UPDATE = "w ← w − λ(φ − y)x and b ← b − λ(φ − y) while the ReLU is active"


def _direction_part(case: str, which: str, prompt: str, feedback: str) -> Part:
    def expected(p: Params) -> str:
        return str(getattr(direction(case, p), which))

    def opposite(p: Params) -> str:
        return _OPPOSITE[expected(p)]

    def solution(p: Params) -> str:
        d = direction(case, p)
        w, b, x = _CASE_POINTS[case](p)
        return (f"With w = {w:.3g}, b = {b:.3g}, x = {x:.3g}: w' = {d.new_w:.4g}, "
                f"b' = {d.new_b:.4g}; the slope {d.slope}, the elbow moves {d.elbow} "
                f"(from {re.elbow(w, b):.4g} to {re.elbow(d.new_w, d.new_b):.4g}).")

    return Part(
        id=f"b.{case}.{which}", kind=_SLOPE if which == "slope" else _ELBOW, points=1,
        prompt=prompt + (" What happens to the **slope**?" if which == "slope" else
                         " What happens to the **elbow**?"),
        expected=expected, misconceptions=(Misconception(opposite, feedback),),
        solution=solution,
    )


_CASE_PROMPTS = {
    "i": r"(b.i) $\phi(x) = 0$.",
    "ii": r"(b.ii) $w = {{ ii_w:.3g }} > 0$, $b = {{ ii_b:.3g }}$, $x = {{ ii_x:.3g }} > 0$ "
    r"(so $\phi(x) > 0$).",
    "iii": r"(b.iii) $w > 0$, $x < 0$ and $\phi(x) > 0$.",
    "iv": r"(b.iv) $w = {{ iv_w:.3g }} < 0$, $b = {{ iv_b:.3g }}$, $x = {{ iv_x:.3g }} > 0$ "
    r"(so $\phi(x) > 0$).",
}
_CASE_FEEDBACK = {
    ("i", "slope"): "φ(x) = 0: the ReLU is off at x, so ∂ℓ/∂w = ∂ℓ/∂b = 0 and nothing moves.",
    ("i", "elbow"): "φ(x) = 0: the ReLU is off at x, so ∂ℓ/∂w = ∂ℓ/∂b = 0 and nothing moves.",
    ("ii", "slope"): f"{_UPDATE}: with φ − y > 0 and x > 0, w goes down.",
    ("ii", "elbow"): "Apply the step to your numbers: w' = w − λ(φ − y)x, b' = b − λ(φ − y); "
    "compare −b'/w' with −b/w.",
    ("iii", "slope"): f"{_UPDATE}: with x < 0 the term −λ(φ − y)x is positive, so w goes up.",
    ("iii", "elbow"): "e' − e = λ(φ − y)(w − bx)/(w w'); here b > 0 > x, so w − bx > 0: the "
    "elbow moves right.",
    ("iv", "slope"): f"{_UPDATE}: with x > 0, w goes down (more negative, a steeper descent).",
    ("iv", "elbow"): "Apply the step to your numbers: w' = w − λ(φ − y)x, b' = b − λ(φ − y); "
    "compare −b'/w' with −b/w (here it moves left).",
}

PARTS = (
    Part(
        id="a.i", kind=ExpressionAnswer({"w": NonZero(), "b": Real()}), points=1,
        prompt=r"(a.i) Where is the elbow of $\phi$? Formula in `w`, `b`.",
        expected=lambda p: "-b/w",
        misconceptions=(
            Misconception("b/w", "Solve w x + b = 0: x = −b/w (sign)."),
            Misconception("-w/b", "Upside down: w x + b = 0 gives x = −b/w."),
        ),
        solution="φ turns on where w x + b = 0: x = −b/w.",
    ),
    Part(
        id="a.ii", kind=ExpressionAnswer(_UNIT), points=1,
        prompt=r"(a.ii) $\frac{\partial \ell}{\partial \phi}$.",
        expected=lambda p: "phi - y",
        misconceptions=(
            Misconception("y - phi", _SIGN),
            Misconception("2*(phi - y)", _HALF),
            Misconception("(phi - y)**2/2", "That is the loss itself; differentiate it."),
            Misconception("w*x + b - y", "φ equals w x + b only where the ReLU is active; "
                          "write the derivative in terms of φ.", credit=0.5),
        ),
        solution="∂ℓ/∂φ = φ − y.",
    ),
    Part(
        id="a.iii", kind=ExpressionAnswer(_UNIT, regions=_ACTIVE), points=2,
        prompt=r"(a.iii) $\frac{\partial \ell}{\partial w}$ (for every $x$, active or not).",
        expected=lambda p: "(phi - y)*x*heaviside(w*x + b)",
        misconceptions=(
            Misconception("(phi - y)*heaviside(w*x + b)", "That is ∂ℓ/∂b; for w the chain rule "
                          "gives ∂(w x + b)/∂w = x."),
            Misconception("(phi - y)*w*heaviside(w*x + b)", "∂(w x + b)/∂w = x, not w."),
            Misconception("(y - phi)*x*heaviside(w*x + b)", _SIGN),
            Misconception("2*(phi - y)*x*heaviside(w*x + b)", _HALF),
        ),
        solution="∂ℓ/∂w = (φ − y)·∂φ/∂w = (φ − y)·x·[w x + b > 0].",
    ),
    Part(
        id="a.iv", kind=ExpressionAnswer(_UNIT, regions=_ACTIVE), points=2,
        prompt=r"(a.iv) $\frac{\partial \ell}{\partial b}$ (for every $x$, active or not).",
        expected=lambda p: "(phi - y)*heaviside(w*x + b)",
        misconceptions=(
            Misconception("(phi - y)*x*heaviside(w*x + b)", "That is ∂ℓ/∂w; ∂(w x + b)/∂b = 1."),
            Misconception("(phi - y)*b*heaviside(w*x + b)", "∂(w x + b)/∂b = 1, not b."),
            Misconception("(y - phi)*heaviside(w*x + b)", _SIGN),
            Misconception("2*(phi - y)*heaviside(w*x + b)", _HALF),
        ),
        solution="∂ℓ/∂b = (φ − y)·[w x + b > 0].",
    ),
    *(
        _direction_part(case, which, _CASE_PROMPTS[case], _CASE_FEEDBACK[(case, which)])
        for case in ("i", "ii", "iii", "iv")
        for which in ("slope", "elbow")
    ),
    Part(
        id="c", kind=ExpressionAnswer({"b_i": Real(), "W1_i": NonZero(), "W2_i": Real()}),
        points=1,
        prompt=r"(c) Full network: the elbow of hidden unit $i$, in `W1_i`, `b_i` (and "
        "`W2_i` if needed).",
        expected=lambda p: "-b_i/W1_i",
        misconceptions=(
            Misconception("-b_i/(W1_i*W2_i)", "W2_i scales the unit's output; the kink is "
                          "where W1_i x + b_i = 0."),
            Misconception("b_i/W1_i", "Sign: W1_i x + b_i = 0 gives x = −b_i/W1_i."),
            Misconception("-W1_i/b_i", "Upside down: x = −b_i/W1_i."),
            Misconception("-b_i/W2_i", "The kink is where unit i's input W1_i x + b_i is 0."),
        ),
        solution="Unit i turns on where W1_i x + b_i = 0: e_i = −b_i/W1_i.",
    ),
    Part(
        id="d", kind=ExpressionAnswer(_NET), points=2,
        prompt=r"(d) After one SGD step with learning rate $\lambda$ on $(x, y)$, where is "
        r"the elbow of unit $i$ (active at $x$)? Use `b_i`, `W1_i`, `W2_i`, `x`, `y`, `fhat`, "
        "`lam`.",
        expected=lambda p: "-(b_i - lam*(fhat - y)*W2_i)/(W1_i - lam*(fhat - y)*W2_i*x)",
        misconceptions=(
            Misconception("-b_i/W1_i", "That is the elbow before the step; update W1_i and "
                          "b_i first."),
            Misconception("-(b_i + lam*(fhat - y)*W2_i)/(W1_i + lam*(fhat - y)*W2_i*x)",
                          "SGD subtracts the gradient: W1_i − λ∂ℓ/∂W1_i."),
            Misconception("-(b_i - lam*(fhat - y))/(W1_i - lam*(fhat - y)*x)",
                          "Chain rule through the output layer: ∂f/∂b_i = W2_i (active unit)."),
            Misconception("-(b_i - lam*(fhat - y)*W2_i*x)/(W1_i - lam*(fhat - y)*W2_i)",
                          "x goes with W1_i: ∂(W1_i x + b_i)/∂W1_i = x, ∂/∂b_i = 1."),
            Misconception(
                "-(b_i - 2*lam*(fhat - y)*W2_i)/(W1_i - 2*lam*(fhat - y)*W2_i*x)",
                "The ½ in the loss cancels the 2: ∂ℓ/∂f̂ = f̂ − y."),
        ),
        solution="∂ℓ/∂W1_i = (f̂ − y)W2_i x, ∂ℓ/∂b_i = (f̂ − y)W2_i (active unit), so the new "
        "elbow is −(b_i − λ(f̂ − y)W2_i)/(W1_i − λ(f̂ − y)W2_i x).",
    ),
)

PROBLEM = Problem(
    id="hw0-relu-elbow",
    title="ReLU elbow update under SGD",
    source="Homework 0",
    statement=STATEMENT,
    parts=PARTS,
    base_params=BASE_PARAMS,
    sample_params=sample_params,
    topics=("ReLU", "SGD", "backpropagation"),
)
