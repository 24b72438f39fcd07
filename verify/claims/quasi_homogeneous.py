"""quasi-homogeneous: quasi-homogeneous models (networks with biases) and their asymmetric max-margin bias: a
parameter of higher rate is discarded (Kunin, Yamamura, Ma, Ganguli).

The mathematics and where each tolerance comes from: docs/claims/quasi-homogeneous.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st

from numerics import quasi_homogeneous as limits
from numerics.svm import KKT_TOLERANCE
from theory import quasi_homogeneous as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, check, derived

LEVELS = (1, 10, 100, 1000)  # smallest margins at which the threshold is read
SEPARATION = 0.1  # at margin 1000 the threshold must be within a tenth of the gap between the two candidate limits
STEP, INIT, STEPS = 0.5, 0.1, 5000
MARGIN_FLOOR = Fraction(1, 5)  # |homogeneous limit threshold| ≥ 0.2: the two models' limits differ visibly


@dataclass(frozen=True)
class ToyCase(Case):
    """One-dimensional data separable through the origin: ``positives`` > 0 and ``negatives`` < 0."""

    positives: tuple
    negatives: tuple

    def data(self):
        return self.positives + self.negatives, (1,) * len(self.positives) + (-1,) * len(self.negatives)


@st.composite
def toy_cases(draw) -> ToyCase:
    def side(sign):
        closest = Fraction(draw(st.integers(2, 30)), 10)
        gaps = draw(st.lists(st.integers(0, 20), min_size=0, max_size=3))
        return tuple(sign * (closest + Fraction(sum(gaps[:k]), 10)) for k in range(len(gaps) + 1))

    case = ToyCase(side(1), side(-1))
    assume(abs(limits.threshold(limits.exact_augmented_svm(*case.data()))) >= MARGIN_FLOOR)
    return case


class QuasiHomogeneous(Claim):
    id = "quasi-homogeneous"
    title = "Quasi-homogeneous networks: Euler's identity with rates, and the max-margin bias discards the top-rate bias"
    statement = (
        "f is Λ-quasi-homogeneous if f(e^{αΛ}θ; x) = e^α f(θ; x) for all α (Λ diagonal, entries ≥ 0), equivalently "
        "(Euler) "
        "⟨∇f, Λθ⟩ = f; a ReLU network with biases f = Σ_j v_j relu(⟨W_j, x⟩ + b_j) + c is quasi-homogeneous with "
        "rates λ for (W, b), 1 − λ for v and 1 for c, for every λ, and c always has the maximal rate. Gradient "
        "descent on the exponential loss then favours the maximal-rate parameters: for the toy f = v w x + b (rates "
        "½, ½, 1) on data separable through the origin the decision threshold −b/(vw) tends to 0 (the bias is "
        "discarded), while for the homogeneous f = w x + b it tends to the hard-margin SVM's threshold on (x, 1).")
    provenance = """
        seen: The class of quasi-homogeneous models, that gradient flow favours a subset of parameters unlike
        homogeneous models, and the conjecture that it discards unnecessary higher-order parameters: the abstract
        (docs/claims/quasi-homogeneous.md).

        reconstructed: The definition with e^{αΛ}, the rate assignment of networks with biases and the asymmetric
        max-margin problem (min ‖θ_max-rate‖² subject to margins ≥ 1): standard, not confirmed against the paper's text.

        derived: The scaling and Euler identities, the rate family (SymPy), the toy's asymmetric problem and every
        tolerance; the toy is ours.
        """
    corruptions = (
        Corruption("hidden bias at the output layer's rate 1 − λ", lambda: theory.substituted(
            network_rates=lambda level: {"W": level, "b": 1 - level, "v": 1 - level, "c": sp.Integer(1)}),
                   checks=("network-rates",)),
        Corruption("toy bias at rate ½ (no favoured parameter)", lambda: theory.substituted(
            toy_rates=lambda: {"v": sp.Rational(1, 2), "w": sp.Rational(1, 2), "b": sp.Rational(1, 2)}),
                   checks=("toy-rates", "quasi-threshold")),
    )
    fixed_training = f"{STEPS} GD steps per case"

    statement_key = staticmethod(theory.statement_key)

    @derived(theory.network_derivation)
    def network_rates(self):
        """for a width-2 ReLU network with biases on two inputs: relu is positively homogeneous, the scaling keeps the
        activation pattern, f(e^{αΛ}θ) = e^α f(θ) and Euler's identity with the stated rates; solving Euler's identity
        for all θ, x gives exactly the stated one-parameter family; the output bias has the maximal rate

        Tolerance: exact (on each activation pattern, i.e. almost everywhere)
        """

    @derived(theory.toy_derivation)
    def toy_rates(self):
        """the toy v w x + b with the stated rates: scaling and Euler identities; w x + b is homogeneous; the asymmetric
        problem is solved by b = 0 for data separable through 0
        """

    case_strategy = toy_cases()

    @check("numeric", tolerance=f"{KKT_TOLERANCE:g} relative: the SVM module's KKT tolerance",
           measures="relative error")
    def svm_limit(self, case, run):
        """the homogeneous model's limit, the hard-margin SVM on (x, 1): NNLS in float64 (numerics/svm.py, KKT-checked)
        against active-set enumeration in rational arithmetic
        """
        exact = limits.exact_augmented_svm(*case.data())
        approximate = limits.augmented_svm(*case.data())
        scale = math.hypot(*(float(value) for value in exact))
        error = math.hypot(*(a - float(e) for a, e in zip(approximate, exact))) / scale
        return Measured(error, KKT_TOLERANCE, f"threshold {float(limits.threshold(exact)):.6g}")

    def train(self, cases, run):
        from ..training import quasi_homogeneous as training  # noqa: PLC0415 - torch only when models train

        experiments = [training.Experiment(model, tuple(float(v) for v in case.data()[0]), case.data()[1], STEP, INIT)
                       for case in cases for model in training.MODELS]
        runs = training.train(experiments, levels=LEVELS, steps=STEPS, device=run.device, dtype=run.dtype)
        out = {}
        for index, case in enumerate(cases):
            rows = (2 * index, 2 * index + 1)
            if not all(runs.finite[row] for row in rows):
                out[case] = Diverged(f"non-finite parameters at the loss-normalised step {STEP}")
                continue
            out[case] = {model: (runs.thresholds[row], runs.reached[row]) for model, row in zip(training.MODELS, rows)}
            out[case]["where"] = runs.where
        return out

    @check("empirical", measures="|threshold − predicted limit| / |SVM threshold|",
           tolerance=f"{SEPARATION:g}: a tenth of that gap (a chosen constant; the flow's direction error decays like "
                     "1/margin, the figure shows it)")
    def homogeneous_threshold(self, case, run, trained):
        """loss-normalised GD on w x + b: the threshold −b/w when the smallest margin reaches 1000, against the SVM
        threshold on (x, 1), relative to the gap |SVM threshold − 0| between the two candidate limits
        """
        return _distance(case, trained, "homogeneous", svm_limit=True)

    @check("empirical", measures="|threshold − predicted limit| / |SVM threshold|",
           tolerance=f"{SEPARATION:g}, as for the homogeneous model (a chosen constant)")
    def quasi_threshold(self, case, run, trained):
        """loss-normalised GD on v w x + b: the threshold −b/(vw) at margin 1000 against the limit the stated rates
        predict (0 when b alone has the maximal rate, else the SVM threshold), relative to the gap between the two
        candidate limits
        """
        return _distance(case, trained, "quasi", svm_limit=not theory.bias_is_discarded())

    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        return _figure(directory, result)


def _distance(case, trained, model, *, svm_limit: bool) -> Measured:
    thresholds, reached = trained[model]
    gap = float(limits.threshold(limits.exact_augmented_svm(*case.data())))
    limit = gap if svm_limit else 0.0
    if reached[-1] < 0:
        return Measured(math.inf, SEPARATION, f"{model}: margin {LEVELS[-1]} not reached within {STEPS} steps")
    errors = [abs(float(t) - limit) for t in thresholds]
    return Measured(errors[-1] / abs(gap), SEPARATION, f"{model}: |threshold − {limit:.4g}| = "
                    + ", ".join(f"{e:.2e}" for e in errors) + f" at margins {', '.join(map(str, LEVELS))} "
                    f"({trained['where']})", {"model": model, "limit": limit, "svm threshold": gap,
                                               "thresholds": [float(t) for t in thresholds],
                                               "steps": [int(s) for s in reached]})


def _figure(directory, result) -> list:
    """The threshold against the margin for both models, each case scaled by its SVM threshold."""
    from ..plots import plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

    judged = [o.measurements for o in result.outcomes
              if o.check in ("homogeneous-threshold", "quasi-threshold") and o.status in ("pass", "fail")]
    if not judged:
        return []  # the run judged no threshold (e.g. --check selected others): nothing to draw
    figure, axis = plt.subplots(figsize=(6.5, 4.4), constrained_layout=True)
    colours = {"homogeneous": "#1b6ca8", "quasi": "#d1495b"}
    for data in judged:
        axis.plot(LEVELS, [t / data["svm threshold"] for t in data["thresholds"]], "o-", ms=3, lw=1,
                  color=colours[data["model"]], alpha=0.7)
    for model, colour in colours.items():
        axis.plot([], [], "o-", color=colour, label=f"{model}: " + ("w x + b" if model == "homogeneous" else "v w x + b"))
    axis.axhline(1.0, color="grey", ls=":", lw=1, label="SVM threshold on (x, 1)")
    axis.axhline(0.0, color="black", lw=0.6)
    axis.set_xscale("log")
    axis.set_xlabel("smallest margin min y_i f(x_i)")
    axis.set_ylabel("decision threshold / the SVM threshold")
    axis.set_title("The quasi-homogeneous toy discards its bias (rate 1 > ½)")
    axis.legend(fontsize=8)
    return save(figure, directory, "quasi-homogeneous")


CLAIM = QuasiHomogeneous()
