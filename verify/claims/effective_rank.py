"""effective-rank: rank measures, and the effective rank of deep networks at initialisation falling with depth
(Huh et al., The Low-Rank Simplicity Bias in Deep Networks: Definition 2.1, Theorem 3.1, Figure 2).

The mathematics and where each tolerance comes from: docs/claims/low-rank-simplicity.md (§1–§3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from unittest import mock

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics import effective_rank as measures
from theory import effective_rank as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, Trained, check, derived, digits_tolerance, worst

Z = 5  # Monte Carlo checks at 5 standard errors: a false alarm has probability 5.7e-7 per comparison
CONFIDENCE = 1 - 2e-4  # two-sided level of each distribution-free decile bound (1e-4 per side)
ORDERS = (0, 1, 2, 3)  # Fuss–Catalan moments compared with quadrature
# threshold-rank levels τ, none a ratio of two spectrum values (a tie at τ·s_1 is decided by rounding)
THRESHOLDS = (Fraction(7, 10), Fraction(1, 4), Fraction(1, 25), Fraction(7, 10000))
SPECTRUM_VALUES = (Fraction(0), Fraction(1, 10**6), Fraction(1, 1000), Fraction(1, 2), Fraction(1), Fraction(3),
                   Fraction(1000))  # few values: ties and zeros are frequent
FIGURE_WIDTH, FIGURE_SAMPLES, FIGURE_LINEAR_DEPTHS, FIGURE_RELU_DEPTHS = 64, 400, tuple(range(1, 9)), (1, 2, 4, 8, 16)


@dataclass(frozen=True)
class RankCase(Case):
    """An ensemble of networks at initialisation, and a matrix for the rank-measure properties.

    ``activation`` linear: ``samples`` products of 1..``depth`` n × n Gaussian matrices (n = ``width``);
    relu: ``samples`` bias-free Kaiming-normal ReLU networks of width n at depths 1, 2, 4, … ≤ ``depth`` on
    ``points`` Gaussian inputs (Gram matrix of the embedding). ``spectrum``: the singular values of a
    ``rows`` × ``cols`` matrix, rotated at random, scaled by ``scale`` for the invariance property."""

    activation: str
    width: int
    depth: int
    samples: int
    points: int
    spectrum: tuple
    rows: int
    cols: int
    scale: Fraction

    @property
    def depths(self) -> tuple:
        if self.activation == "linear":
            return tuple(range(1, self.depth + 1))
        return tuple(2**j for j in range(int(math.log2(self.depth)) + 1))


@st.composite
def rank_cases(draw) -> RankCase:
    activation = draw(st.sampled_from(("linear", "relu")))
    if activation == "linear":  # n ≥ 48 and L ≤ 6: where the edge expansion's next order stays below its first
        width, depth, points = draw(st.integers(6, 10)) * 8, draw(st.integers(2, 6)), 0
    else:
        width, depth = draw(st.integers(4, 8)) * 8, draw(st.sampled_from((4, 8)))
        points = draw(st.integers(4, 12)) * 8
    # 0.9^m ≤ 1e-4 needs m ≥ 88: below, the top decile's upper bound lies beyond the sample
    samples = draw(st.integers(112, 176))
    rows, cols = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    values = draw(st.lists(st.sampled_from(SPECTRUM_VALUES), min_size=min(rows, cols), max_size=min(rows, cols)))
    if not any(values):
        values[0] = Fraction(1)
    scale = Fraction(10) ** draw(st.integers(-6, 6)) * Fraction(draw(st.integers(1, 9)))
    return RankCase(activation, width, depth, samples, points, tuple(sorted(values, reverse=True)), rows, cols, scale)


# Whether the claim says the effective rank falls (−1) or rises (+1) with depth: a corruption flips it.
_DIRECTION = {"sign": -1}


def _scaled_stable_rank_limit():
    stated = theory.STATEMENT["stable_rank_limit"]
    return theory.substituted(stable_rank_limit=lambda depth: stated(depth) * sp.Rational(103, 100))


def _shifted_moments():
    return theory.substituted(moment=lambda depth, order: sp.binomial((sp.sympify(depth) + 1) * order, order)
                              / (sp.sympify(depth) * order + 2))


class EffectiveRank(Claim):
    id = "effective-rank"
    title = "Effective rank of deep networks at initialisation falls with depth (Huh et al.)"
    statement = (
        "Rank measures of A with singular values s_i, p_i = s_i/Σs_j: spectral entropy ρ = −Σ p_i log p_i (Huh et "
        "al.'s 'effective rank', nats), e^ρ (Roy–Vetterli), stable rank Σs_i²/s_1², threshold rank #{s_i ≥ τ s_1}; "
        "0 ≤ ρ ≤ log rank, ρ = log k for k equal values, scale and rotation invariant, 1 ≤ stable rank ≤ rank. "
        "For W_L = G_L⋯G_1 with i.i.d. N(0, 1/n) n × n factors, (1/n)E tr(W_LW_Lᵀ)^k → binom((L+1)k, k)/(Lk+1) "
        "(Fuss–Catalan), stable rank/n → L^L/(L+1)^{L+1}, ρ − log n → h_L, all decreasing in L; at finite n the "
        "mean ρ falls with every added layer, and the distribution of ρ at initialisation shifts lower with "
        "depth, for linear and for ReLU networks (first-order stochastic dominance at the deciles).")
    provenance = """
        seen: ρ without the exponential is Huh et al.'s effective rank (their project code); Theorem 3.1's statement
        that the effective rank of a product of Gaussian matrices decreases with depth; Figure 2's shift of the
        distribution at initialisation.

        reconstructed: Theorem 3.1's exact form (expectation or probability, ρ or e^ρ, finite n) is not available to us:
        checked here as the large-n limit and as a Monte Carlo decrease of the mean; the thresholds of the threshold
        rank; Figure 2's protocol (width, inputs, gain).

        derived: The Fuss–Catalan moments by Lagrange inversion, the edge and the limiting stable rank, the limiting
        spectral entropy through the Mellin transform, the edge expansion of the density and the exact finite-n second
        moment (docs/claims/low-rank-simplicity.md).
        """

    corruptions = (
        Corruption("limiting stable rank 3% high", _scaled_stable_rank_limit,
                   checks=("edge-and-stable-rank", "stable-rank-limit-vs-density")),
        Corruption("Fuss–Catalan denominator Lk + 2", _shifted_moments, checks=("fuss-catalan-moments", "moments-vs-density")),
        Corruption("effective rank rising with depth", lambda: mock.patch.dict(_DIRECTION, sign=1),
                   checks=("entropy-falls-with-depth", "decile-dominance")),
    )

    def training_length(self, profile) -> str:
        return "no model trained: random networks are sampled"

    case_strategy = rank_cases()

    # --- once per run: the derivations ---------------------------------------------------------------------
    statement_key = staticmethod(theory.statement_key)

    @derived(theory.entropy_derivation)
    def rank_measure_identities(self):
        """ρ = log k for k equal singular values, scale invariance, log q − ρ as a relative entropy (ρ ≤ log rank), the
        Lagrange stationary point, 1 ≤ stable rank ≤ rank

        Tolerance: exact: lhs − rhs simplifies to 0
        """

    @derived(theory.moment_derivation)
    def fuss_catalan_moments(self):
        """Fuss–Catalan moments from Lagrange inversion of the S-transform (symbolic L, k), the generating-function
        equation B = 1 + zB^{L+1} through z^6 for L = 1..4, Catalan at L = 1, the Mellin transform at integers
        """

    @derived(theory.edge_derivation)
    def edge_and_stable_rank(self):
        """the support edge (L+1)^{L+1}/L^L from the singularity of the moment series and from lim m_(k+1)/m_k; stable
        rank/n → L^L/(L+1)^{L+1}; d/dL of its log = −log(1 + 1/L) < 0
        """

    @derived(theory.entropy_limit_derivation, theory.edge_density_derivation, theory.second_moment_derivation)
    def limits_and_finite_n(self):
        """ρ − log n → h_L = log M(½) − ½(log M)'(½) (Mellin transform M), the density's √(E − x) edge coefficient c_L,
        and the exact finite-n second moment by Wick's theorem

        Tolerance: exact (the Marchenko–Pastur form of the density at L = 1 is a 60-digit spot-check)
        """

    @check("numeric", once=True, measures="largest h_(L+1) − h_L")
    def entropy_limit_decreases(self, run):
        """h_L from the closed form, L = 1..32: strictly decreasing in L

        Tolerance: each decrease exceeds 10^(10−dps) (the closed form's precision)
        """
        values = [measures.entropy_limit(depth=depth, dps=run.dps) for depth in range(1, 33)]
        steps = [float(b - a) for a, b in zip(values, values[1:])]
        return Measured(worst(steps), -digits_tolerance(run.dps), f"h_1 = {float(values[0]):.6f} … "
                        f"h_32 = {float(values[-1]):.6f}", {"h_L": [float(v) for v in values]})

    # --- per case: rank measures (Hypothesis properties) ---------------------------------------------------
    @check("numeric", measures="absolute error (ρ), relative error (stable rank), count (threshold rank)")
    def rank_measure_properties(self, case, run):
        """ρ, e^ρ, stable rank and threshold rank of a rotated matrix with the case's spectrum (float64 SVD) against
        exact values from the spectrum (mpmath), after scaling and rotation; the bounds 0 ≤ ρ ≤ log r, 1 ≤ e^ρ, stable
        rank ≤ r; ρ = log k for k equal values

        Tolerance: first-order rounding: each computed s_i is within q·u·s_1, which moves ρ by at most 4q²u(1 + log
        1/(qu)) and the stable rank by 4q²u relative (u = 2^-53, q singular values)
        """
        q = min(case.rows, case.cols)
        u = 2.0**-53
        entropy_tolerance = 4 * q * q * u * (1 + math.log(1 / (q * u)))
        rng = run.rng(f"properties {case.describe()}")
        matrix = _rotated(case.spectrum, case.rows, case.cols, rng)
        singular = np.linalg.svd(matrix, compute_uv=False)
        rank = sum(1 for v in case.spectrum if v)
        exact = _exact_entropy(case.spectrum, run.dps)
        rho = float(measures.spectral_entropy(singular))
        scaled = float(measures.spectral_entropy(np.linalg.svd(float(case.scale) * matrix, compute_uv=False)))
        turned = float(measures.spectral_entropy(np.linalg.svd(_orthogonal(case.rows, rng) @ matrix,
                                                               compute_uv=False)))
        flat = float(measures.spectral_entropy(np.linalg.svd(_rotated((Fraction(1),) * rank, case.rows, case.cols, rng),
                                                             compute_uv=False)))
        bounds = worst([-rho, rho - math.log(rank), 1 - float(measures.exp_spectral_entropy(singular)),
                        float(measures.exp_spectral_entropy(singular)) - rank])
        stable = float(measures.stable_rank(singular))
        stable_exact = float(sum(v * v for v in case.spectrum) / case.spectrum[0] ** 2)
        counted = [int(measures.threshold_rank(singular, threshold=tau)) for tau in THRESHOLDS]
        expected = [sum(1 for v in case.spectrum if v >= tau * case.spectrum[0]) for tau in THRESHOLDS]
        data = {"rho": rho, "exact rho": float(exact), "stable rank": stable, "rank": rank}
        return [Measured(abs(rho - float(exact)), entropy_tolerance, "ρ(A) against the exact spectrum", data),
                Measured(worst([abs(scaled - rho), abs(turned - rho)]), entropy_tolerance,
                         f"ρ({case.scale}·A) and ρ(QA) against ρ(A)"),
                Measured(abs(flat - math.log(rank)), entropy_tolerance, f"ρ = log k for k = {rank} equal values"),
                Measured(bounds, entropy_tolerance, "0 ≤ ρ ≤ log rank and 1 ≤ e^ρ ≤ rank"),
                Measured(worst([abs(stable - stable_exact) / stable_exact, 1 - stable, stable - rank]),
                         4 * q * q * u, "stable rank against the spectrum, 1 ≤ stable rank ≤ rank"),
                Measured(sum(abs(a - b) for a, b in zip(counted, expected)), 0,
                         "threshold rank at τ = 0.7, 0.25, 0.04, 0.0007 against the spectrum (every ratio of spectrum "
                         "values is ≥ 20% away from each τ, far beyond rounding)")]

    # --- per case: the Fuss–Catalan law against quadrature of its density ------------------------------------
    @check("numeric", measures="relative error")
    def moments_vs_density(self, case, run):
        """stated m_k (k = 0..3) against tanh-sinh quadrature of the Haagerup–Möller density at the case's deepest L

        Tolerance: 10^(10−dps) relative: quadrature with guard digits
        """
        errors = []
        for order in ORDERS:
            stated = measures.moment(depth=case.depth, order=order)
            with mp.workdps(run.dps + 10):
                exact = mp.mpf(stated.numerator) / stated.denominator
                errors.append(float(abs(measures.moment_by_quadrature(depth=case.depth, order=order, dps=run.dps) - exact) / exact))
        return Measured(worst(errors), digits_tolerance(run.dps), f"L = {case.depth}")

    @check("numeric", measures="relative error")
    def stable_rank_limit_vs_density(self, case, run):
        """stated L^L/(L+1)^{L+1} against m_1/E_L from the density: its first moment and the end of its support

        Tolerance: 10^(10−dps) relative
        """
        with mp.workdps(run.dps + 10):
            reference = measures.moment_by_quadrature(depth=case.depth, order=1, dps=run.dps) / measures.edge_of_density(depth=case.depth,
                                                                                               dps=run.dps)
            stated = measures.stable_rank_limit(depth=case.depth)
            error = abs(mp.mpf(stated.numerator) / stated.denominator - reference) / reference
        return Measured(float(error), digits_tolerance(run.dps), f"L = {case.depth}")

    @check("numeric", measures="absolute error")
    def entropy_limit_vs_density(self, case, run):
        """stated h_L (digamma closed form) against log E√x − E[√x log √x]/E√x by quadrature of the density

        Tolerance: 10^(10−dps) absolute: quadrature with guard digits
        """
        error = abs(measures.entropy_limit(depth=case.depth, dps=run.dps) - measures.entropy_limit_by_quadrature(depth=case.depth, dps=run.dps))
        return Measured(float(error), digits_tolerance(run.dps), f"L = {case.depth}")

    # --- per case: sampled networks ---------------------------------------------------------------------------
    def train(self, cases, run):
        from ..training.random_networks import Ensemble, sample  # noqa: PLC0415 - torch only when sampling

        ensembles = [Ensemble(case.activation, case.width, case.depths, case.samples,
                              int(run.rng(f"ensemble {case.describe()}").integers(2**63)), case.points)
                     for case in cases]
        spectra = sample(ensembles, device=run.device, dtype=run.dtype)
        results = {}
        for index, case in enumerate(cases):
            if not spectra.finite[index]:
                results[case] = Diverged("a sampled network overflowed (non-finite singular values)")
                continue
            singular = spectra.singular[index]
            results[case] = Trained(values=singular if case.activation == "linear" else singular**2,
                                    where=spectra.where)
        return results

    @check("empirical",
           tolerance=f"{Z} standard errors of the mean (false alarm 5.7e-7 per "
                     "depth)", measures="|mean − exact|/standard error, worst depth")
    def second_moment_finite_n(self, case, run, sampled):
        """Monte Carlo mean of (1/n) tr(W_LW_Lᵀ)² at every L ≤ depth against its exact finite-n value (Wick recursion)
        """
        if case.activation != "linear":
            return []
        scores, data = [], {}
        for index, depth in enumerate(case.depths):
            values = np.sum(sampled.values[:, index] ** 4, axis=1) / case.width
            exact = float(measures.second_moment(depth=depth, size=case.width))
            scores.append(abs(values.mean() - exact) / _standard_error(values))
            data[f"L={depth}"] = [float(values.mean()), exact]
        return Measured(worst(scores), Z, sampled.where, data)

    @check("empirical", measures="(|relative bias − b| − 5 SE)/b, worst depth")
    def stable_rank_vs_limit(self, case, run, sampled):
        """Monte Carlo mean stable rank/n at every L ≤ depth against L^L/(L+1)^{L+1} plus the predicted edge bias b =
        −E[TW₁]/(c_L E_L n^{2/3})

        Tolerance: |relative bias − b| ≤ b + 5 standard errors: the leading Tracy–Widom term b, doubled to cover the
        next order (docs §2.4)
        """
        if case.activation != "linear":
            return []
        errors, data = [], {}
        for index, depth in enumerate(case.depths):
            limit = float(measures.stable_rank_limit(depth=depth))
            relative = measures.stable_rank(sampled.values[:, index]) / case.width / limit - 1
            predicted = measures.edge_correction(depth=depth, size=case.width)
            errors.append((abs(relative.mean() - predicted) - Z * _standard_error(relative)) / predicted)
            data[f"L={depth}"] = [float(relative.mean()), predicted]
        return Measured(worst(errors), 1, "relative bias and predicted edge bias per depth", data)

    @check("empirical",
           tolerance=f"every decrease exceeds {Z} standard errors of the paired mean (false alarm "
                     "5.7e-7 per depth)",
           measures="5 SE minus the mean decrease (nats), worst depth: ≤ 0 iff all decrease")
    def entropy_falls_with_depth(self, case, run, sampled):
        """mean ρ(W_L) − ρ(W_(L−1)) over the sample (nested products: paired), for every L ≤ depth"""
        if case.activation != "linear":
            return []
        rho = measures.spectral_entropy(sampled.values)
        margins, data = [], {}
        for index in range(1, len(case.depths)):
            change = -_DIRECTION["sign"] * (rho[:, index - 1] - rho[:, index])  # > 0 when the claim holds
            margins.append(Z * _standard_error(change) - change.mean())
            data[f"paired decrease L={case.depths[index]}"] = float(np.mean(rho[:, index] < rho[:, index - 1]))
        for index, depth in enumerate(case.depths):
            data[f"rho - log n at L={depth}"] = [float(rho[:, index].mean() - math.log(case.width)),
                                                 float(measures.entropy_limit(depth=depth, dps=15))]
            data[f"threshold rank (tau=0.01) at L={depth}"] = float(
                measures.threshold_rank(sampled.values[:, index], threshold=Fraction(1, 100)).mean())
        return Measured(worst(margins), 0, "finite-n mean ρ − log n against the limit h_L: reported, not judged", data)

    @check("empirical",
           measures="largest upper(deeper) − lower(shallower) over deciles and depth pairs (nats): ≤ 0 iff dominance "
           "is established")
    def decile_dominance(self, case, run, sampled):
        """the nine deciles of ρ at each depth against the next depth (linear: L → L+1, on the end-to-end matrix; ReLU:
        1, 2, 4, 8, on the Gram matrix of the embedding)

        Tolerance: dominance established: the deeper decile's upper bound below the shallower's lower bound,
        distribution-free order-statistic bounds at one-sided level 1e-4 each (≤ 54 bounds per case: a false pass needs
        one to fail, family-wise ≤ 0.54%)
        """
        rho = measures.spectral_entropy(sampled.values)
        bounds = [measures.decile_bounds(rho[:, index], confidence=CONFIDENCE) for index in range(len(case.depths))]
        gaps = []
        for (low_shallow, high_shallow), (low_deep, high_deep) in zip(bounds, bounds[1:]):
            if _DIRECTION["sign"] < 0:
                gaps.append(np.max(high_deep - low_shallow))
            else:
                gaps.append(np.max(high_shallow - low_deep))
        deciles = {f"L={depth}": [float(v) for v in np.quantile(rho[:, index], np.arange(1, 10) / 10)]
                   for index, depth in enumerate(case.depths)}
        return Measured(worst(gaps), 0, f"{case.activation}, depths {case.depths}", deciles)

    # --- reports ----------------------------------------------------------------------------------------------
    def tables(self, result) -> dict:
        rows = []
        for outcome in result.outcomes:
            if outcome.check == "entropy-falls-with-depth" and outcome.status in ("pass", "fail"):
                for depth in outcome.case.depths:
                    finite, limit = outcome.measurements[f"rho - log n at L={depth}"]
                    rows.append((outcome.case.width, depth, f"{finite:.4f}", f"{limit:.4f}",
                                 f"{(finite - limit) * outcome.case.width:.2f}"))
        if not rows:
            return {}
        rows.sort()
        return {"Mean ρ − log n at finite n against its limit h_L (reported, not judged)":
                (("n", "L", "mean ρ − log n", "h_L", "n·(difference)"), rows)}

    def figures(self, directory, result) -> list:
        return _figure(directory, result.settings)


def _standard_error(values) -> float:
    return float(np.std(values, ddof=1) / math.sqrt(len(values)))


def _exact_entropy(spectrum, dps):
    """ρ of an exact spectrum, at ``dps`` digits."""
    total = sum(spectrum)
    with mp.workdps(dps):
        result = mp.mpf(0)
        for value in spectrum:
            if value:
                share = (value / total).numerator / mp.mpf((value / total).denominator)
                result -= share * mp.log(share)
        return result


def _orthogonal(size: int, rng) -> np.ndarray:
    """A Haar-random orthogonal matrix (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((size, size)))
    return q * np.sign(np.diag(r))


def _rotated(spectrum, rows: int, cols: int, rng) -> np.ndarray:
    """U diag(spectrum) Vᵀ with Haar-random U, V (the spectrum padded with zeros to min(rows, cols))."""
    count = min(rows, cols)
    values = np.zeros(count)
    values[: len(spectrum)] = [float(v) for v in spectrum]
    return _orthogonal(rows, rng)[:, :count] @ np.diag(values) @ _orthogonal(cols, rng)[:, :count].T


def _figure(directory, settings) -> list:
    """Effective rank against depth (limits and finite-n means) and the distribution of ρ at initialisation."""
    from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for
    from ..training.random_networks import Ensemble, sample  # noqa: PLC0415

    rng = settings.rng("figure")
    linear = Ensemble("linear", FIGURE_WIDTH, FIGURE_LINEAR_DEPTHS, FIGURE_SAMPLES, int(rng.integers(2**63)))
    relu = Ensemble("relu", FIGURE_WIDTH, FIGURE_RELU_DEPTHS, FIGURE_SAMPLES, int(rng.integers(2**63)),
                    2 * FIGURE_WIDTH)
    spectra = sample([linear, relu], device=settings.device, dtype=settings.dtype)
    rho_linear = measures.spectral_entropy(spectra.singular[0])
    rho_relu = measures.spectral_entropy(spectra.singular[1] ** 2)
    figure, axes = plt.subplots(2, 2, figsize=(11, 8), constrained_layout=True)
    (entropy, stable), (histogram_linear, histogram_relu) = axes
    depths = np.arange(1, 17)
    entropy.plot(depths, [float(measures.entropy_limit(depth=int(d), dps=15)) for d in depths], color=COLOURS[0], lw=2,
                 label=r"limit $h_L$ (closed form = quadrature)")
    entropy.errorbar(FIGURE_LINEAR_DEPTHS, rho_linear.mean(axis=0) - math.log(FIGURE_WIDTH),
                     yerr=rho_linear.std(axis=0), fmt="o", color=COLOURS[1], ms=4,
                     label=rf"sampled, $n = {FIGURE_WIDTH}$: mean $\pm$ sd")
    entropy.set_ylabel(r"$\rho(W_L) - \log n$ (nats)")
    entropy.set_title(r"Spectral entropy of $W_L = G_L\cdots G_1$")
    stable.plot(depths, [float(measures.stable_rank_limit(depth=int(d))) for d in depths], color=COLOURS[0], lw=2,
                label=r"limit $L^L/(L+1)^{L+1}$")
    stable.plot(FIGURE_LINEAR_DEPTHS, [float(measures.stable_rank_limit(depth=d)) * (1 + measures.edge_correction(
        depth=d, size=FIGURE_WIDTH)) for d in FIGURE_LINEAR_DEPTHS], "--", color=COLOURS[1], lw=1,
                label="limit × (1 + Tracy–Widom edge bias)")
    stable.plot(FIGURE_LINEAR_DEPTHS, measures.stable_rank(spectra.singular[0]).mean(axis=0) / FIGURE_WIDTH, "o",
                color=COLOURS[1], ms=4, label=rf"sampled, $n = {FIGURE_WIDTH}$ (edge bias $O(n^{{-2/3}})$)")
    stable.set_yscale("log")
    stable.set_ylabel("stable rank / n")
    stable.set_title("Stable rank of the same products")
    for axis in (entropy, stable):
        axis.set_xlabel("depth L (Gaussian factors)")
        axis.grid(alpha=0.25, which="both")
        axis.legend(fontsize=8)
    for axis, rho, chosen, title in ((histogram_linear, rho_linear, FIGURE_LINEAR_DEPTHS,
                                      r"linear: $\rho$ of the end-to-end matrix"),
                                     (histogram_relu, rho_relu, FIGURE_RELU_DEPTHS,
                                      r"ReLU (Kaiming): $\rho$ of the Gram matrix"),):
        colours = plt.cm.viridis(np.linspace(0, 0.9, len(chosen)))
        for index, depth in enumerate(chosen):
            axis.hist(rho[:, index], bins=30, density=True, histtype="stepfilled", alpha=0.5, color=colours[index],
                      label=f"depth {depth}")
        axis.set_xlabel(r"$\rho$ (nats)")
        axis.set_ylabel("density")
        axis.set_title(f"At initialisation ({FIGURE_SAMPLES} draws), {title}")
        axis.legend(fontsize=7, ncol=2)
    figure.suptitle(f"Huh et al.: deeper networks have lower effective rank at initialisation (width {FIGURE_WIDTH}, "
                    f"ReLU on {2 * FIGURE_WIDTH} Gaussian inputs)")
    return save(figure, directory, "effective-rank")


CLAIM = EffectiveRank()
