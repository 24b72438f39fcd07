"""mutual-information: the performance correlation μ_Y(F; L) = I(F; Y) − I(F; Y | L) of Nakkiran et al. (SGD on
Neural Networks Learns Functions of Increasing Complexity, Definition 1), its identities and bounds, and the
plug-in estimator with its bias.

The mathematics and where each tolerance comes from: docs/claims/increasing-complexity.md (§1).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics import information as numbers
from theory import information as theory

from ..cases import Case
from ..claim import Claim, Corruption, Measured, check, derived, digits_tolerance, worst

Z = 5  # Monte Carlo at 5 standard errors: a false alarm has probability 5.7e-7 per case
REPLICATES = {"quick": 5000, "default": 20000, "thorough": 100000}  # data sets per case for the Monte Carlo mean
PER_CELL = 20  # N·q ≥ 20 for every cell of positive probability


@dataclass(frozen=True)
class JointCase(Case):
    """A joint distribution of (F, L, Y): integer ``weights`` over the cells of a ``shape`` = (|F|, |L|, |Y|)
    table, flattened in [f, l, y] order (normalised to probabilities)."""

    shape: tuple
    weights: tuple

    def joint(self) -> np.ndarray:
        return numbers.exact_joint(np.array(self.weights, dtype=object).reshape(self.shape))


@st.composite
def joint_cases(draw) -> JointCase:
    shape = tuple(draw(st.integers(2, 3)) for _ in range(3))
    weights = draw(st.lists(st.integers(0, 9), min_size=math.prod(shape), max_size=math.prod(shape)))
    if not any(weights):
        weights[0] = 1
    return JointCase(shape, tuple(weights))


class MutualInformation(Claim):
    id = "mutual-information"
    title = "The performance correlation μ_Y(F; L) = I(F; Y) − I(F; Y | L) and its plug-in estimator (Nakkiran et al.)"
    statement = (
        "For discrete F, L, Y (bits): μ_Y(F; L) = I(F; Y) − I(F; Y | L) is the interaction information "
        "H(F) + H(L) + H(Y) − H(F,L) − H(F,Y) − H(L,Y) + H(F,L,Y), symmetric in F, L, Y; "
        "−min(I(F;Y|L), I(L;Y|F), I(F;L|Y)) ≤ μ ≤ min(I(F;Y), I(L;Y), I(F;L)); μ_Y(F; F) = I(F; Y); μ = 0 when L is "
        "independent of (F, Y); μ = −1 bit for XOR; μ = 1 − h(a ∗ b) for binary symmetric channels. The plug-in "
        "estimator from N samples has E μ̂ − μ = Σ_T s_T[−(K_T − 1)/(2N) − (S_T − 1)/(12N²)]/ln 2 + O(N^-3) over the "
        "seven entropy tables T (K_T cells of positive probability, S_T = Σ 1/q).")
    provenance = """
        seen: The definition μ_Y(F; L) = I(F; Y) − I(F; Y | L) (the paper's abstract and Definition 1); the plug-in
        joint-histogram estimator in bits (a third-party reproduction of the paper).

        derived: Every identity, bound and special case, and the bias of the plug-in estimator to order 1/N^3
        (docs/claims/increasing-complexity.md §1); they are standard information theory, not statements of the paper.
        """
    corruptions = (
        Corruption("interaction form with −H(F,L,Y)", lambda: _flipped_joint_entropy(),
                   checks=("interaction-information", "definition-vs-entropy-form")),
        Corruption("first-order bias (K − 1)/N instead of (K − 1)/(2N)", lambda: _doubled_bias(),
                   checks=("plug-in-bias", "plug-in-bias-expansion")),
        Corruption("channel closed form 1 − h(ab)", lambda: theory.substituted(bsc=lambda a_, b_: 1 - theory.binary_entropy(
            a_ * b_)), checks=("special-cases",)),
    )

    case_strategy = joint_cases()

    # --- once per run --------------------------------------------------------------------------------------
    statement_key = staticmethod(theory.statement_key)

    @derived(theory.identity_derivation)
    def interaction_information(self):
        """I(F;Y) − I(F;Y|L) from the definitions equals the interaction form, I(L;Y) − I(L;Y|F) and I(F;L) − I(F;L|Y)
        (binary F, L, Y, symbolic pmf)
        """

    @derived(theory.bounds_derivation)
    def bounds(self):
        """I(F;Y|L) and I(F;Y) as (weighted) relative entropies, ≥ 0 by Gibbs: the bounds on μ"""

    @derived(theory.special_cases_derivation)
    def special_cases(self):
        """μ_Y(F;F) = I(F;Y), μ = 0 for L independent, μ = −1 bit for XOR, μ = 1 − h(a ∗ b) for binary symmetric
        channels

        Tolerance: exact; the independence and channel steps are 60-digit spot-checks at two points
        """

    @derived(theory.bias_derivation)
    def plug_in_bias(self):
        """binomial cumulants, the Taylor expansion of −p̂ log p̂ to order 1/N^3 and the bias of μ̂ as the signed sum
        over the seven tables
        """

    # --- per case: exact values ----------------------------------------------------------------------------
    @check("numeric", measures="absolute error (bits)")
    def definition_vs_entropy_form(self, case, run):
        """μ from the definitions I(F;Y) − I(F;Y|L) against the stated entropy form and the two symmetric forms, on the
        case's pmf

        Tolerance: 10^(10−dps) absolute: all at dps + 10 digits
        """
        joint = case.joint()
        with mp.workdps(run.dps + 10):
            mu = numbers.performance_correlation(joint, dps=run.dps)
            others = [numbers.interaction(joint, dps=run.dps),
                      numbers.mutual_information(joint, 1, 2, dps=run.dps)
                      - numbers.conditional_mutual_information(joint, 1, 2, 0, dps=run.dps),
                      numbers.mutual_information(joint, 0, 1, dps=run.dps)
                      - numbers.conditional_mutual_information(joint, 0, 1, 2, dps=run.dps)]
            error = worst(float(abs(mu - other)) for other in others)
        return Measured(error, digits_tolerance(run.dps), f"μ = {float(mu):.6f} bits", {"mu": float(mu)})

    @check("numeric", measures="largest violation (bits): ≤ 0 when both hold")
    def bounds_hold(self, case, run):
        """−min(I(F;Y|L), I(L;Y|F), I(F;L|Y)) ≤ μ ≤ min(I(F;Y), I(L;Y), I(F;L)) on the case's pmf

        Tolerance: 10^(10−dps): the exact values' precision
        """
        joint = case.joint()
        with mp.workdps(run.dps + 10):
            mu = numbers.performance_correlation(joint, dps=run.dps)
            upper = min(numbers.mutual_information(joint, i, j, dps=run.dps) for i, j in ((0, 2), (1, 2), (0, 1)))
            lower = -min(numbers.conditional_mutual_information(joint, i, j, k, dps=run.dps)
                         for i, j, k in ((0, 2, 1), (1, 2, 0), (0, 1, 2)))
            violation = float(max(mu - upper, lower - mu))
        return Measured(violation, digits_tolerance(run.dps), f"{float(lower):.4f} ≤ μ = {float(mu):.4f} ≤ "
                        f"{float(upper):.4f}", {"mu": float(mu), "lower": float(lower), "upper": float(upper)})

    @check("numeric", measures="absolute error (bits)")
    def identities_on_case(self, case, run):
        """μ_Y(F; F) against I(F; Y), and μ with L replaced by an independent copy of the case's L (p(f, y)p(l)) against
        0

        Tolerance: 10^(10−dps) absolute
        """
        joint = case.joint()
        pair, single = joint.sum(axis=1), joint.sum(axis=(0, 2))
        same = np.zeros((joint.shape[0], joint.shape[0], joint.shape[2]), dtype=object)
        same[:] = Fraction(0)
        for f, y in itertools.product(range(joint.shape[0]), range(joint.shape[2])):
            same[f, f, y] = pair[f, y]
        independent = np.array([[[pair[f, y] * single[l] for y in range(joint.shape[2])] for l in range(joint.shape[1])]
                                for f in range(joint.shape[0])], dtype=object)
        with mp.workdps(run.dps + 10):
            errors = [abs(numbers.performance_correlation(same, dps=run.dps)
                          - numbers.mutual_information(joint, 0, 2, dps=run.dps)),
                      abs(numbers.performance_correlation(independent, dps=run.dps))]
        return Measured(worst(float(e) for e in errors), digits_tolerance(run.dps))

    # --- per case: the plug-in estimator -------------------------------------------------------------------
    @check("numeric", measures="absolute error (bits)")
    def plug_in_on_pmf(self, case, run):
        """the float64 plug-in estimator applied to the pmf itself against the exact μ

        Tolerance: first-order rounding: Σ over the seven tables' cells of 4u(1 + |log2 q|)q
        """
        joint = case.joint()
        with mp.workdps(run.dps):
            exact = numbers.performance_correlation(joint, dps=run.dps)
            error = float(abs(mp.mpf(float(numbers.plug_in(joint.astype(np.float64)))) - exact))
        return Measured(error, numbers.plug_in_rounding(joint.astype(np.float64)))

    @check("numeric", measures="absolute error (bits)")
    def plug_in_bias_expansion(self, case, run):
        """exact E μ̂ − μ (binomial sums over every cell, N = ⌈20/min q⌉) against the stated two-term expansion

        Tolerance: 2 × Σ_T |S_T − S₂_T|/(12N³ ln 2), the size of the next (third-order) term
        """
        joint = case.joint()
        samples = numbers.samples_for(joint, per_cell=PER_CELL)
        with mp.workdps(run.dps):
            exact = float(numbers.performance_correlation(joint, dps=run.dps))
        bias = numbers.expected_plug_in(joint, samples=samples) - exact
        stated, third = numbers.bias_expansion(joint, samples=samples)
        return Measured(abs(bias - stated), 2 * third, f"N = {samples}: E μ̂ − μ = {bias:.4e}, expansion {stated:.4e}",
                        {"samples": samples, "bias": bias, "expansion": stated})

    @check("numeric",
           tolerance=f"{Z} standard errors of the mean (false alarm 5.7e-7 per "
                     "case; within rounding when μ̂ does not vary)", measures="|mean − E μ̂|/standard error")
    def plug_in_monte_carlo(self, case, run):
        """the mean of μ̂ over independent data sets of N samples (multinomial draws from the run's seed) against the
        exact E μ̂
        """
        joint = case.joint()
        probabilities = joint.astype(np.float64)
        samples = numbers.samples_for(joint, per_cell=PER_CELL)
        replicates = REPLICATES.get(run.profile.name, REPLICATES["default"])
        counts = run.rng(f"plug-in {case.describe()}").multinomial(samples, probabilities.ravel(), size=replicates)
        estimates = numbers.plug_in(counts.reshape((replicates, *case.shape)))
        error = math.sqrt(estimates.var(ddof=1) / replicates)
        expected = numbers.expected_plug_in(joint, samples=samples)
        with mp.workdps(run.dps):
            exact = float(numbers.performance_correlation(joint, dps=run.dps))
        if error == 0:  # one cell of probability 1 (or a product of point masses): μ̂ = 0 on every data set
            return Measured(abs(estimates.mean() - expected), numbers.plug_in_rounding(probabilities),
                            "μ̂ is the same on every data set: compared within rounding")
        return Measured(abs(estimates.mean() - expected) / error, Z,
                        f"{replicates} data sets of N = {samples}: the bias is {(expected - exact) / error:.1f} SE",
                        {"mean": float(estimates.mean()), "expected": expected, "exact": exact, "standard error": error})

    # --- reports ----------------------------------------------------------------------------------------------

    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        return _figure(directory, result.settings)


def _flipped_joint_entropy():
    return theory.substituted(entropy_terms=lambda: tuple((-sign if len(keep) == 3 else sign, keep)
                                                          for sign, keep in theory._entropy_terms()))


def _doubled_bias():
    def wrong(cell_counts, inverse_sums, signs, samples):
        return sum(sign * (-(count - 1) / samples - (inverse - 1) / (12 * samples**2))
                   for count, inverse, sign in zip(cell_counts, inverse_sums, signs)) / sp.log(2)
    return theory.substituted(plug_in_bias=wrong)


def _figure(directory, settings) -> list:
    """Figure 3 of the paper (I(F; Y) against P[F = Y] for unbiased binary F, Y) with μ of channel pairs, and the
    bias of the plug-in estimator against N."""
    from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

    figure, (information, bias) = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    accuracy = np.linspace(0.5, 0.999, 200)
    entropy = lambda q: -(q * np.log2(q) + (1 - q) * np.log2(1 - q))  # noqa: E731
    information.plot(accuracy, 1 - entropy(accuracy), color=COLOURS[0], lw=2, label=r"$I(F;Y) = 1 - h(P[F=Y])$")
    for colour, accuracy_l in zip(COLOURS[1:], (0.95, 0.8, 0.6)):
        flip, other = 1 - accuracy, 1 - accuracy_l
        star = flip * (1 - other) + other * (1 - flip)
        information.plot(accuracy, 1 - entropy(star), "--", color=colour, lw=1.5,
                         label=rf"$\mu_Y(F;L)$, $P[L=Y] = {accuracy_l}$")
    information.set_xlabel(r"$P[F = Y]$")
    information.set_ylabel("bits")
    information.set_title("Unbiased binary F, Y; L a second channel of Y")
    information.legend(fontsize=8)
    joint = numbers.exact_joint(np.array([[[5, 1], [2, 1]], [[1, 2], [1, 6]]], dtype=object))
    with mp.workdps(30):
        exact = float(numbers.performance_correlation(joint, dps=30))
    sizes = np.unique(np.geomspace(numbers.samples_for(joint, per_cell=2), 5000, 14).astype(int))
    expected = [numbers.expected_plug_in(joint, samples=int(n)) - exact for n in sizes]
    expansion = [numbers.bias_expansion(joint, samples=int(n))[0] for n in sizes]
    rng = settings.rng("figure")
    draws = [numbers.plug_in(rng.multinomial(int(n), joint.astype(float).ravel(), size=4000).reshape((4000, 2, 2, 2)))
             for n in sizes]
    monte_carlo = np.array([abs(float(d.mean()) - exact) for d in draws])
    errors = np.array([float(d.std(ddof=1)) / math.sqrt(len(d)) for d in draws])
    bias.plot(sizes, np.abs(expected), color=COLOURS[0], lw=2, label=r"exact $|\mathbb{E}\hat\mu - \mu|$")
    bias.plot(sizes, np.abs(expansion), "--", color=COLOURS[1], lw=1.5, label="two-term expansion")
    bias.errorbar(sizes, monte_carlo, yerr=np.minimum(errors, 0.9 * monte_carlo), fmt="o", color=COLOURS[2], ms=4,
                  label="Monte Carlo mean ± 1 SE, 4000 data sets")
    bias.set_xscale("log")
    bias.set_yscale("log")
    bias.set_xlabel("samples N")
    bias.set_ylabel("|bias| (bits)")
    bias.set_title(rf"Plug-in bias, binary F, L, Y ($\mu = {exact:.3f}$ bits)")
    bias.grid(alpha=0.25, which="both")
    bias.legend(fontsize=8)
    figure.suptitle("Nakkiran et al.'s performance correlation and its plug-in estimator")
    return save(figure, directory, "mutual-information")


CLAIM = MutualInformation()
