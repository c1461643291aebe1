"""note2-sgd-concepts: SGD, learning rates and ReLU nets (Note 2)."""

from __future__ import annotations

from service.grading.formula.domains import NonZero, Real
from service.grading.kinds import ChoiceAnswer, ExpressionAnswer
from service.grading.model import Misconception, Part, Problem

STATEMENT = r"""
Questions on the ideas of Note 2: stochastic gradient descent with minibatches, learning-rate
schedules, epochs, and what a one-hidden-layer ReLU network looks like as a function of its
scalar input $x$. Choose one option per question (send its id).
"""

_ELBOW_VARS = {"w": NonZero(), "b": Real()}

PARTS = (
    Part(
        id="a", points=1,
        kind=ChoiceAnswer({
            "unbiased": "an unbiased estimate of the full-data loss and gradient",
            "exact": "exactly the full-data gradient",
            "biased_low": "a systematically smaller (biased) estimate of the gradient",
            "unrelated": "unrelated to the full-data gradient; it only adds noise",
        }),
        prompt="A minibatch is drawn uniformly at random from the training set. Its average "
        "loss (and gradient) is ...",
        expected=lambda p: "unbiased",
        misconceptions=(
            Misconception("exact", "Only the full batch gives the exact gradient; a random "
                          "minibatch is right *on average* (unbiased) but noisy."),
            Misconception("biased_low", "Each point is equally likely to be drawn, so the "
                          "expectation of the minibatch mean is the full mean: no bias."),
            Misconception("unrelated", "Its expectation is the full gradient: noisy, but "
                          "centred on the right direction."),
        ),
        solution="E[minibatch mean] = full-data mean (each point equally likely): unbiased, "
        "with variance shrinking like 1/batch size.",
    ),
    Part(
        id="b", points=1,
        kind=ChoiceAnswer({
            "wanders": "it keeps bouncing around near the optimum (noise floor set by the "
            "step size)",
            "converges": "it converges exactly to the optimum anyway",
            "diverges": "it always diverges",
            "stops": "it stops moving once it is close",
        }),
        prompt="With a constant (non-decaying) learning rate, what does SGD do near the "
        "optimum?",
        expected=lambda p: "wanders",
        misconceptions=(
            Misconception("converges", "At the optimum the *minibatch* gradients are not "
                          "zero, so a fixed step keeps moving θ: shrink the learning rate to "
                          "settle."),
            Misconception("stops", "Only the full gradient vanishes at the optimum; the "
                          "minibatch gradient does not, so SGD keeps jittering."),
            Misconception("diverges", "A small enough constant step stays in a neighbourhood "
                          "of the optimum; it just does not settle."),
        ),
        solution="Minibatch gradients are noisy and nonzero at the optimum; with a fixed step "
        "SGD wanders in a region whose size scales with the step. Decay it to converge.",
    ),
    Part(
        id="c", points=1,
        kind=ChoiceAnswer({
            "one_pass": "one pass over the (shuffled) training set",
            "one_step": "one gradient step",
            "one_batch": "one minibatch",
            "until_converged": "training until the loss stops decreasing",
        }),
        prompt="An *epoch* of SGD training is ...",
        expected=lambda p: "one_pass",
        misconceptions=(
            Misconception("one_step", "A step uses one minibatch; an epoch is N/B steps, "
                          "one pass over the data."),
            Misconception("one_batch", "An epoch covers every training point once, in many "
                          "minibatches."),
            Misconception("until_converged", "An epoch is a fixed amount of work: one pass "
                          "over the (shuffled) data."),
        ),
        solution="One pass over the shuffled training set (N/B minibatch steps).",
    ),
    Part(
        id="d", points=1, kind=ExpressionAnswer(_ELBOW_VARS),
        prompt=r"Where is the elbow (kink) of $x \mapsto \max(0, w x + b)$? Give $x$ in "
        "terms of `w` and `b`.",
        expected=lambda p: "-b/w",
        misconceptions=(
            Misconception("b/w", "Solve w·x + b = 0: x = −b/w (sign)."),
            Misconception("-w/b", "Upside down: w·x + b = 0 gives x = −b/w."),
            Misconception("-b", "Only for w = 1: divide by the slope w."),
        ),
        solution="The ReLU turns on where w x + b = 0, i.e. at x = −b/w.",
    ),
    Part(
        id="e", points=1,
        kind=ChoiceAnswer({
            "cauchy": "Cauchy (heavy tails: some elbows land very far away)",
            "gaussian": "Gaussian with variance 1",
            "uniform": "uniform on [−1, 1]",
            "zero": "concentrated at 0",
        }),
        prompt=r"If $w, b$ are i.i.d. standard Gaussians, the elbow location of (d) is "
        "distributed as ...",
        expected=lambda p: "cauchy",
        misconceptions=(
            Misconception("gaussian", "A ratio of independent Gaussians is not Gaussian: it is "
                          "Cauchy, with heavy tails (no mean)."),
            Misconception("uniform", "The ratio is unbounded: small |w| throws the elbow far "
                          "away (Cauchy)."),
            Misconception("zero", "Its median is 0 but it is spread out with heavy tails "
                          "(Cauchy)."),
        ),
        solution="−b/w with w, b i.i.d. N(0,1) is standard Cauchy: heavy tails, so some "
        "elbows sit far outside the data and those ReLUs stay dead or linear there.",
    ),
    Part(
        id="f", points=1,
        kind=ChoiceAnswer({
            "non_saturating": "its gradient does not vanish as x grows (non-saturating)",
            "bounded": "its output is bounded, like a sigmoid",
            "smooth": "it is differentiable everywhere",
            "saturating": "it saturates for large inputs",
        }),
        prompt="Why does ReLU help gradient-based training compared with sigmoid/tanh?",
        expected=lambda p: "non_saturating",
        misconceptions=(
            Misconception("saturating", "That is sigmoid/tanh; ReLU's slope stays 1 for any "
                          "positive input."),
            Misconception("bounded", "ReLU is unbounded above; that is why it does not "
                          "saturate."),
            Misconception("smooth", "ReLU has a kink at 0; the benefit is its non-vanishing "
                          "gradient for positive inputs."),
        ),
        solution="For positive inputs the derivative is 1 however large x gets, so gradients "
        "do not vanish the way they do in the flat tails of sigmoid/tanh.",
    ),
)

PROBLEM = Problem(
    id="note2-sgd-concepts",
    title="SGD, learning rates and ReLU nets",
    source="Note 2",
    statement=STATEMENT,
    parts=PARTS,
    topics=("SGD", "learning rate", "ReLU"),
)
