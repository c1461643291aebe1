"""hw0-color-organ: learning the color organ's resistors with PyTorch (Homework 0).

Learned quantities (c–i) are graded against intervals calibrated by running the course's
training procedure (reference/color_organ_training.py) over many seeds: see
CALIBRATION_RATIOS and bench/calibrate_color_organ.py. Ratios are learned / closed-form, so
they transfer to every variant (a variant scales all cutoffs by k in [0.5, 2]; resistors scale
as 1/k, learning rates as 1/k², which leaves each run's path in R/R* unchanged).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from reference import color_organ as ref
from reference import color_organ_variant as cv
from reference.color_organ_training import Settings, closed_form_values
from service.grading.kinds import CodeAnswer, InvalidAnswer, NumberAnswer, NumberRange
from service.grading.kinds.code_spec import CodeCall, CodeCase, CodeSpec, Compare
from service.grading.kinds.number import to_number
from service.grading.model import Misconception, Params, Part, Problem

# 200 training runs: seeds 0..99 at the base variant, seeds 100..149 at scale 0.5 and
# 150..199 at scale 2.0 (the variant extremes); 2026-11-23, bench/calibrate_color_organ.py.
CALIBRATION_SEEDS = 200
CALIBRATION_DATE = "2026-11-23"
CALIBRATION_RATIOS: dict[str, tuple[float, float]] = {
    "c": (1.00018, 1.00025),
    "d": (1.45372, 2.05142),
    "e.R": (0.85126, 1.10994),
    "f.R": (0.90009, 1.13954),
    "g.R_low": (0.88883, 1.12032),
    "g.R_high": (0.87485, 1.23311),
    "h.low": (0.94057, 0.97088),
    "h.high": (1.02338, 1.04933),
    "i.lp": (0.85126, 1.10994),
    "i.bp_low": (0.88883, 1.12032),
    "i.bp_high": (0.87485, 1.23313),
    "i.hp": (0.90009, 1.13954),
}
MARGIN_FRAC = 0.25  # widen each side by a quarter of the calibrated width ...
MARGIN_REL = 0.005  # ... plus 0.5 % of the ideal value (reading/rounding slack)
E_SEEDS = (7, 1234)  # training-data seeds of the code parts (e)-(g): visible, hidden


def tolerance(key: str) -> tuple[float, float]:
    """Accepted learned/closed-form ratio interval for a learned quantity (widened)."""
    lo, hi = CALIBRATION_RATIOS[key]
    pad = MARGIN_FRAC * (hi - lo) + MARGIN_REL
    return lo - pad, hi + pad


settings = cv.settings_from_params  # the variant's cutoffs, initial resistors, learning rates


def sample_params(rng: np.random.Generator) -> dict[str, Any]:
    """All cutoffs scaled by k = m/40 (m in 20..80, so cutoffs stay whole Hz); own LED table."""
    k = int(rng.integers(20, 81)) / 40
    t0 = int(rng.choice([200, 250, 300, 350, 400]))
    dt = int(rng.choice([100, 150, 200, 250]))
    return cv.params_from_settings(Settings().scaled(k), t0, dt, int(rng.integers(2, 6)))


def ideal(p: Params, key: str) -> float:
    """Closed-form value a learned quantity aims at (Ω, or Hz for h)."""
    return closed_form_values(settings(p))[key]


def learned_range(key: str) -> Any:
    """Expected answer of a learned quantity: its calibrated range for the variant."""

    def expected(p: Params) -> NumberRange:
        lo, hi = tolerance(key)
        return NumberRange(lo * ideal(p, key), hi * ideal(p, key))

    return expected


def table_r_range(p: Params) -> tuple[float, float]:
    """Open interval of low-pass R lighting the LED table of part (b)."""
    return ref.lp_r_range_for_table(p["table_freqs"], [bool(x) for x in p["table_lit"]])


def table_mid_cutoff(p: Params) -> float:
    """A cutoff (Hz) halfway between the last lit and the first dark tone of the table."""
    lo, hi = table_r_range(p)
    return (ref.cutoff_for_r(lo) + ref.cutoff_for_r(hi)) / 2


def cutoff_follow_through(p: Params, answers: Mapping[str, Any]) -> Any:
    """Part b.fc: the cutoff of the student's own b.R (any valid cutoff if b.R is absent)."""
    raw = answers.get("b.R")
    if raw is None:
        lo, hi = table_r_range(p)
        return NumberRange(ref.cutoff_for_r(hi), ref.cutoff_for_r(lo))
    try:
        r = to_number(raw)
    except InvalidAnswer:
        raise InvalidAnswer("b.fc is the cutoff of your b.R, which is not a number.") from None
    if r <= 0:
        raise InvalidAnswer("b.fc is the cutoff of your b.R, which must be a positive resistance.")
    return ref.cutoff_for_r(r)


def _no_two_pi(f: float) -> float:
    return 1.0 / (f * ref.C)


PRE = "import numpy as np\nimport torch\n\nC = 1e-6\n\n\n"
LP_SRC = "def lp(freqs, R):\n    return 1 / torch.sqrt(1 + (2 * np.pi * freqs * R * C) ** 2)\n"
HP_SRC = (
    "def evaluate_hp_circuit(freqs, R_high):\n"
    "    x = 2 * np.pi * freqs * R_high * C\n"
    "    return x / torch.sqrt(1 + x ** 2)\n"
)
BP_TEMPLATE = (
    "\n\ndef evaluate_bp_circuit(freqs, R_low, R_high):\n"
    "    return lp(freqs, {0}) * hp(freqs, {1})\n"
)
HP_HELPER = HP_SRC.replace("evaluate_hp_circuit(freqs, R_high)", "hp(freqs, R_high)")
TRAIN_TEMPLATE = (
    "\n\ndef {name}(freqs, labels, {inits}, lr, max_steps=100000):\n"
    "    R = torch.tensor([{floats}], dtype=torch.float64, requires_grad=True)\n"
    "    for step in range(max_steps):\n"
    "        loss = loss_fn({circuit}(freqs, *R), labels).sum()\n"
    "        (grad,) = torch.autograd.grad(loss, R)\n"
    "        if loss.item() < 1e-6 or grad.abs().max().item() < 1e-6:\n"
    "            break\n"
    "        with torch.no_grad():\n"
    "            R -= {step}\n"
    "    return {result}\n"
)


def train_src(band: bool, step: str = "lr * grad") -> str:
    """Source of the course's training function for (g) (band) or (f), with this update."""
    inits = ("R_low_init", "R_high_init") if band else ("R_init",)
    floats = ", ".join(f"float({n})" for n in inits)
    return TRAIN_TEMPLATE.format(
        name=TRAIN_NAMES[band],
        inits=", ".join(inits),
        floats=floats,
        circuit=CIRCUIT_NAMES[band],
        step=step,
        result="tuple(R.tolist())" if band else "R.item()",
    )


CIRCUIT_NAMES = {False: "evaluate_hp_circuit", True: "evaluate_bp_circuit"}
TRAIN_NAMES = {False: "train_hp_circuit_binary", True: "train_bp_circuit_binary"}
HP_AS_LP_SRC = PRE + LP_SRC.replace("def lp(freqs, R)", "def evaluate_hp_circuit(freqs, R)")
BP_SRC = PRE + LP_SRC + "\n\n" + HP_HELPER + BP_TEMPLATE.format("R_low", "R_high")
BP_SWAPPED_SRC = PRE + LP_SRC + "\n\n" + HP_HELPER + BP_TEMPLATE.format("R_high", "R_low")
LOSS_SRC = "def loss_fn(x, y):\n    return (x - (0.3 + 0.7 * y)) ** 2\n"
MSE_LOSS_SRC = "def loss_fn(x, y):\n    return (x - y) ** 2\n"
STEP_BUGS = (
    ("doubled", "Every step is twice the expected one: is the gradient accumulated twice "
                "(backward() called twice per step) or not zeroed?"),
    ("not_zeroed", "The first step is right, then each step adds the earlier gradients: the "
                   "gradient is not zeroed between steps."),
    ("sign", "R moves uphill (sign error): the update is R -= lr * dL/dR."),
)  # fmt: skip
FEW_STEPS = (1, 2, 3)
# The course's update stops by its loss/gradient rule after 16-23 (f) and 355-510 (g) steps on
# data seed E_SEEDS[1] at every variant (k = 0.5..2): a cap of 5000 instead of 100,000 changes
# nothing for a correct update, and a broken one fails in about a second instead of running on.
CONVERGE_MAX_STEPS = 5000
STEPS_BUDGET_S, CONVERGE_BUDGET_S = 5.0, 20.0  # wall-clock budget per training call


def _judge_training(got: Any, expected: Any) -> tuple[bool, str]:
    """Did training with the student's loss_fn land in the calibrated range?"""
    try:
        r, steps, stopped = float(got["R"]), int(got["steps"]), str(got["stopped"])
    except (TypeError, KeyError, ValueError, IndexError):
        return False, "The training run returned no resistor value."
    target = expected["target"]
    if not math.isfinite(r) or stopped == "diverged":
        return False, "Training with your loss_fn diverged (the loss or gradient became NaN/inf)."
    if expected["lo"] <= r <= expected["hi"]:
        return True, f"Training with your loss_fn learned R = {r:.4g} Ω (ideal {target:.4g} Ω)."
    return False, (
        f"Training with your loss_fn learned R = {r:.4g} Ω after {steps} steps; a loss that fixes "
        f"the tug of war lands within a few percent of {target:.4g} Ω."
    )


def loss_spec(p: Params) -> CodeSpec:
    """Part (e): train with the student's loss_fn in the sandbox (course loop, public harness)."""
    s, (lo, hi) = settings(p), tolerance("e.R")
    target = ideal(p, "e.R")
    kwargs = {"cutoff_hz": s.f_lp, "r_init": s.init_d, "lr": s.lr_d}
    want = {"target": target, "lo": lo * target, "hi": hi * target}
    cases = tuple(
        CodeCase(
            CodeCall("loss_fn", kwargs={**kwargs, "seed": seed}, harness="color_organ"),
            want,
            hidden=i > 0,
            label=f"training from binary labels (data seed {seed})",
            compare=Compare(mode="judge"),
            judge=_judge_training,
        )
        for i, seed in enumerate(E_SEEDS)
    )
    return CodeSpec(("loss_fn",), cases, timeout_s=60.0, needs_torch=True)


def circuit_spec(p: Params, band: bool) -> CodeSpec:
    """Parts (f)/(g): the circuit on torch tensors vs the reference, its autograd gradient, and
    the student's training function (training_cases)."""
    name, cases = CIRCUIT_NAMES[band], []
    checks = cv.circuit_checks(settings(p), band)
    confused = "R_low and R_high are swapped." if band else "That is the low-pass response."
    for check in checks:
        args = (check.freqs, *(np.array(r) for r in check.resistors))
        cases.append(CodeCase(
            CodeCall(name, args, convert={str(j): "tensor" for j in range(len(args))}),
            check.expected, hidden=check is checks[1], compare=Compare(rtol=1e-6, atol=1e-9),
            label=f"{name} on {len(check.freqs)} frequencies",
            near_misses=(("Off by 2π: ω = 2πf, freqs are in Hz.", check.no_two_pi),
                         (confused, check.confused)),
        ))  # fmt: skip
    visible, resistors = checks[0].freqs, checks[0].resistors
    grads = ref.circuit_resistor_gradients(visible, resistors, band)
    cases.append(CodeCase(
        CodeCall(name, (), kwargs={"task": "resistor_gradients", "function": name,
                                   "freqs": visible, "resistors": list(resistors)},
                 harness="color_organ"),
        grads, label="autograd can differentiate it with respect to R (as training does)",
        compare=Compare(rtol=1e-6, atol=1e-12),
    ))  # fmt: skip
    cases += training_cases(p, band)
    return CodeSpec((name, TRAIN_NAMES[band]), tuple(cases), timeout_s=40.0, needs_torch=True)


def _judge_converged(got: Any, expected: list[NumberRange]) -> tuple[bool, str]:
    """Did the student's training, run to its stopping rule, land in the calibrated range?"""
    try:
        rs = [float(r) for r in got[0]]
    except (TypeError, ValueError, IndexError):
        return False, "The training function returned no resistor values."
    if len(rs) != len(expected):
        return False, "The training function returned the wrong number of resistors."
    return all(e.lo <= r <= e.hi for r, e in zip(rs, expected, strict=True)), ""


def training_cases(p: Params, band: bool) -> list[CodeCase]:
    """(f)/(g): the student's training function on the course's data: R after 1, 2, 3 steps vs
    the reference update (near misses: the update-line bugs), then run to its stopping rule."""
    s, name = settings(p), TRAIN_NAMES[band]
    call = {"task": "train_circuit", "function": name, "lr": s.lr_bp if band else s.lr_hp,
            "desired": list(cv.desired_resistors(s, band)),
            "init": list(s.init_bp) if band else [s.init_hp]}  # fmt: skip
    seed, hidden_seed = E_SEEDS

    def path(bug: str) -> list[list[float]]:
        return cv.first_steps(s, band, seed, max(FEW_STEPS), bug)[list(FEW_STEPS)].tolist()

    keys = ("g.R_low", "g.R_high") if band else ("f.R",)
    return [
        CodeCase(
            CodeCall(name, kwargs={**call, "seed": seed, "max_steps": list(FEW_STEPS),
                                   "budget_s": STEPS_BUDGET_S}, harness="color_organ"),
            path(""), label=f"{name} with max_steps = 1, 2, 3 (R after each)",
            compare=Compare(rtol=1e-5, atol=1e-9),
            near_misses=tuple((message, path(bug)) for bug, message in STEP_BUGS),
        ),
        CodeCase(
            CodeCall(name, kwargs={**call, "seed": hidden_seed, "max_steps": [CONVERGE_MAX_STEPS],
                                   "budget_s": CONVERGE_BUDGET_S}, harness="color_organ"),
            [learned_range(k)(p) for k in keys], hidden=True, compare=Compare(mode="judge"),
            label=f"{name} run to its stopping rule", judge=_judge_converged,
        ),
    ]  # fmt: skip


STATEMENT = r"""
A color organ lights one LED per frequency band. Each band is an RC filter with capacitor
$C = 1\,\mu\text{F}$; with $\omega = 2\pi f$ (rad/s, $f$ in Hz):

- low-pass: $|H_{LP}| = 1/\sqrt{1 + (\omega R C)^2}$,
- high-pass: $|H_{HP}| = \omega R C/\sqrt{1 + (\omega R C)^2}$,
- band-pass: $|H_{BP}| = |H_{LP}(R_{low})|\cdot|H_{HP}(R_{high})|$.

An LED is on when $|H| > 1/\sqrt{2}$. Your color organ: low-pass cutoff {{ f_lp:g }} Hz,
band-pass band {{ f_bp_lo:g }}–{{ f_bp_hi:g }} Hz (low-pass corner {{ f_bp_hi:g }} Hz,
high-pass corner {{ f_bp_lo:g }} Hz), high-pass cutoff {{ f_hp:g }} Hz. Binary training
labels are the LED states of these desired filters.

**Training, as in the notebook.** 1000 training frequencies drawn log-uniformly in
1 Hz–1 MHz; the per-point loss is summed over the points; each step is
`R -= lr * dL/dR` with the gradient from `torch.autograd.grad`; training stops when the
loss < 1e-6 or every |dL/dR| < 1e-6, or after 100,000 steps. Your settings:

| part | initial R (Ω) | lr |
|---|---|---|
| (c) | {{ init_c:g }} | {{ lr_c:g }} |
| (d), (e) | {{ init_d:g }} | {{ lr_d:g }} |
| (f) | {{ init_hp:g }} | {{ lr_hp:g }} |
| (g) | R_low {{ init_bp_low:g }}, R_high {{ init_bp_high:g }} | {{ lr_bp:g }} |
| (i) | lp, bp_low, bp_high, hp = {{ init_organ }} | {{ lr_organ:g }} |

Learned values depend a little on the random training data; answers are accepted within the
spread of the course procedure over many runs. Report resistances in Ω and frequencies in Hz.
"""

H_PROMPT = (
    "(h) Fit the straight-line Bode magnitude (0 dB between two corners, -20 dB/decade beyond "
    "each: two ReLUs in log10 f) to 20·log10|H_BP| of the desired band-pass at the training "
    "frequencies, by least squares. "
)
I_PROMPT = (
    "(i) Train all four resistors together on (3, N) LED labels (rows: low-pass, band-pass, "
    "high-pass), the loss of (e) summed over every entry, until every |dL/dR| < 1e-6. "
)
TRAIN_NOTE = (
    "Your training function is called on the course's data and settings, with `loss_fn` set to "
    "the (e) loss (x - (0.3 + 0.7·y))²: the R after max_steps = 1, 2, 3 steps must be the "
    "course's update `R -= lr * dL/dR`, and trained until the stopping rule it must land on the "
    "learned values."
)
HP_SOLUTION = PRE + HP_SRC + train_src(False)
HP_AS_LP_SOLUTION = HP_AS_LP_SRC + train_src(False)
BP_SOLUTION = BP_SRC + train_src(True)
R = NumberAnswer(rtol=0.01, unit="Ω")
HZ = NumberAnswer(rtol=0.01, unit="Hz")


def _learned(pid: str, kind: NumberAnswer, prompt: str, *wrong: Misconception) -> Part:
    return Part(pid, kind, 1, prompt, expected=learned_range(pid), misconceptions=wrong)


_TWO_PI = "Hz vs rad/s: the cutoff formula uses ω = 2πf."
PROBLEM = Problem(
    id="hw0-color-organ",
    title="Learning the color organ with PyTorch",
    source="Homework 0",
    statement=STATEMENT,
    base_params=cv.params_from_settings(Settings(), 300, 200, 3),
    sample_params=sample_params,
    topics=("autograd", "gradient descent", "loss design", "filters"),
    parts=(
        Part("a", R, 1, "(a) The low-pass resistor R (Ω) for a {{ f_lp:g }} Hz cutoff.",
             expected=lambda p: ref.r_for_cutoff(p["f_lp"]),
             misconceptions=(Misconception(lambda p: _no_two_pi(p["f_lp"]), _TWO_PI),)),
        Part("b.R", R, 1,
             "(b) Tones (Hz) {{ table_freqs }}; LED wanted on (1) / off (0): {{ table_lit }}. "
             "Give a low-pass R (Ω) that lights the LEDs exactly like this.",
             expected=lambda p: NumberRange(*table_r_range(p)),
             misconceptions=(Misconception(
                 lambda p: _no_two_pi(table_mid_cutoff(p)),
                 _TWO_PI),)),
        Part("b.fc", HZ, 1, "(b) The cutoff frequency (Hz) of your resistor from b.R.",
             expected_with_answers=cutoff_follow_through,
             misconceptions=(Misconception(
                 lambda p: 1 / (float(np.mean(table_r_range(p))) * ref.C),
                 "That is the cutoff in rad/s (1/RC); in Hz divide by 2π."),)),
        _learned("c", R, "(c) The R (Ω) learned from transfer-function samples.",
                 Misconception(lambda p: p["init_c"], "That is the initial value: train first.")),
        _learned("d", R, "(d) The R (Ω) learned from the binary LED data with squared error.",
                 Misconception(lambda p: ideal(p, "d"),
                               "With binary labels and plain squared error the lit and dark "
                               "points pull R to a biased value: run the training.")),
        Part("e", CodeAnswer(("loss_fn",)), 2,
             "(e) Write `loss_fn(x, y)` (x: predicted |H|, y: 0/1 labels, torch tensors; "
             "per point or summed) so that training from binary labels lands on the right R.",
             expected=loss_spec, solution=LOSS_SRC, notebook_section=r"^\W*\(e\)",
             misconceptions=(Misconception(MSE_LOSS_SRC, "Plain squared error is the biased "
                                           "loss of (d): make dark LEDs ask for more than 0."),)),
        _learned("e.R", R, "(e) The R (Ω) your loss learned.",
                 Misconception(lambda p: 1.74 * ideal(p, "e.R"),
                               "That is the biased value of (d); the fixed loss should move it.")),
        Part("f", CodeAnswer(("evaluate_hp_circuit", "train_hp_circuit_binary")), 2,
             "(f) Write `evaluate_hp_circuit(freqs, R_high)` (torch tensors in, |H_HP| out) and "
             "the update lines of `train_hp_circuit_binary(freqs, labels, R_init, lr, "
             "max_steps=100000)` (returns the learned R). " + TRAIN_NOTE,
             expected=lambda p: circuit_spec(p, band=False), solution=HP_SOLUTION,
             misconceptions=(
                 Misconception(HP_AS_LP_SOLUTION, "That is the low-pass response."),
                 Misconception(HP_SOLUTION.replace("R -= lr", "R -= 2 * lr"), STEP_BUGS[0][1]))),
        _learned("f.R", R, "(f) The learned high-pass R (Ω) for the {{ f_hp:g }} Hz cutoff.",
                 Misconception(lambda p: _no_two_pi(p["f_hp"]), _TWO_PI)),
        Part("g", CodeAnswer(("evaluate_bp_circuit", "train_bp_circuit_binary")), 2,
             "(g) Write `evaluate_bp_circuit(freqs, R_low, R_high)` (torch tensors in) and the "
             "update lines of `train_bp_circuit_binary(freqs, labels, R_low_init, R_high_init, "
             "lr, max_steps=100000)` (returns (R_low, R_high)). " + TRAIN_NOTE,
             expected=lambda p: circuit_spec(p, band=True), solution=BP_SOLUTION,
             misconceptions=(
                 Misconception(BP_SWAPPED_SRC + train_src(True), "R_low and R_high are swapped."),
                 Misconception(BP_SOLUTION.replace("R -= lr", "R -= -lr"), STEP_BUGS[2][1]))),
        _learned("g.R_low", R, "(g) The learned band-pass R_low (Ω).",
                 Misconception(lambda p: ideal(p, "g.R_high"), "That is R_high's value.")),
        _learned("g.R_high", R, "(g) The learned band-pass R_high (Ω).",
                 Misconception(lambda p: ideal(p, "g.R_low"), "That is R_low's value.")),
        _learned("h.low", HZ, H_PROMPT + "The fitted low-pass corner (Hz).",
                 Misconception(lambda p: p["f_bp_hi"], "That is the corner of the desired "
                               "filter; the least-squares Bode fit moves it: run the fit.")),
        _learned("h.high", HZ, H_PROMPT + "The fitted high-pass corner (Hz).",
                 Misconception(lambda p: p["f_bp_lo"], "That is the corner of the desired "
                               "filter; the least-squares Bode fit moves it: run the fit.")),
        _learned("i.lp", R, I_PROMPT + "The learned low-pass R (Ω).",
                 Misconception(lambda p: 1.74 * ideal(p, "i.lp"),
                               "That is the biased plain-squared-error value of (d).")),
        _learned("i.bp_low", R, I_PROMPT + "The learned band-pass R_low (Ω).",
                 Misconception(lambda p: ideal(p, "i.bp_high"), "That is R_high's value.")),
        _learned("i.bp_high", R, I_PROMPT + "The learned band-pass R_high (Ω).",
                 Misconception(lambda p: ideal(p, "i.bp_low"), "That is R_low's value.")),
        _learned("i.hp", R, I_PROMPT + "The learned high-pass R (Ω).",
                 Misconception(lambda p: _no_two_pi(p["f_hp"]), _TWO_PI)),
    ),
)  # fmt: skip
