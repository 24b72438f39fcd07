"""quartic-collapse: noise makes the local maximum of a double well attractive (the quartic toy of "Stochastic
Collapse").

The mathematics and where each tolerance comes from: docs/claims/stochastic-collapse.md §2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics import diffusion
from numerics import quartic_collapse as stationary
from theory import quartic_collapse as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, Skip, check, derived, digits_tolerance, worst
from ..monte_carlo import CONFIDENCE, standard_error

STEP = Fraction(3, 400)  # Euler–Maruyama step in units of 1/μ (the SDE's own time scale)
BURN_IN, WINDOW = 20, 40  # in units of 1/μ: ≥ 4 relaxation times ζ²/(2λ²) before the window, for ζ ≤ 0.8 ζ_c
PATHS = {"quick": 300, "default": 1000, "thorough": 4000}
LEVELS = (Fraction(1, 4), Fraction(1), Fraction(2))  # θ² levels, as multiples of the stated mean of θ²
BINS = np.linspace(0.0, 3.0, 31)  # histogram of θ/√μ kept for the figure


@dataclass(frozen=True)
class QuarticCase(Case):
    """One double well L = θ^4/4 − μθ²/2 with noise level ζ (away from the stated threshold by ≥ 20%)."""

    mu: Fraction
    zeta: Fraction


@st.composite
def quartic_cases(draw) -> QuarticCase:
    mu = Fraction(draw(st.integers(25, 400)), 100)
    side = draw(st.sampled_from(((30, 80), (120, 160))))  # ζ/ζ_c in percent: stationary or collapsing
    ratio = Fraction(draw(st.integers(*side)), 100)
    critical = float(theory.threshold(sp.Rational(mu.numerator, mu.denominator)))
    return QuarticCase(mu, Fraction(round(float(ratio) * critical * 100), 100))


class QuarticCollapse(Claim):
    id = "quartic-collapse"
    title = "Quartic toy: the local maximum θ = 0 becomes attractive exactly when ζ > √(2μ)"
    statement = (
        "For dθ = −(θ^3 − μθ) dt + ζθ dW (the loss θ^4/4 − μθ²/2 with multiplicative noise; μ, ζ > 0): for ζ < √(2μ) "
        "the stationary density is p(θ) = C |θ|^{2μ/ζ² − 2} e^{−θ²/ζ²} (θ²/ζ² is Gamma with shape μ/ζ² − ½, and "
        "E θ² = μ − ζ²/2); it is normalisable iff ζ < √(2μ); for ζ > √(2μ), |θ| → 0 almost surely at the exponential "
        "rate λ = μ − ζ²/2 (Itô).")
    provenance = """
        seen: The quartic toy SDE, its noise convention and the stationary density: the authors' code (the Fig1 notebook
        of the authors' repository), as summarised in docs/claims/stochastic-collapse.md.

        reconstructed: That the paper states the collapse threshold as ζ = √(2μ) (its figure's threshold; the paper's
        text was not available to us).

        derived: The zero-flux density, its normaliser and Gamma law, the normalisability condition (SymPy), the Itô
        exponent and the collapse bound; every tolerance.
        """
    corruptions = (
        Corruption("threshold moved up by 3%", lambda: theory.substituted(
            threshold=lambda m: sp.Rational(103, 100) * sp.sqrt(2 * m)),
                   checks=("threshold", "exponent-vs-quadrature", "long-run-exponent")),
        Corruption("Stratonovich instead of Itô: density θ^{2μ/ζ² − 1} e^{−θ²/ζ²}", lambda: theory.substituted(
            density=lambda t, z, c: t ** (c**2 / z**2 - 1) * sp.exp(-(t**2) / z**2)),
                   checks=("stationary-density", "stationary-law", "stationary-distribution")),
    )
    fixed_training = f"{2 * math.ceil((BURN_IN + WINDOW) / STEP / 2)} Euler–Maruyama steps per path"

    # --- once per run: the derivations ----------------------------------------------------------------
    statement_key = staticmethod(theory.statement_key)

    @derived(theory.density_derivation)
    def stationary_density(self):
        """the stated density has zero Fokker–Planck flux; its normaliser ½ζ^{2k}Γ(k) (SymPy's integral); θ²/ζ² is
        Gamma(k); E θ² = μ − ζ²/2
        """

    @derived(theory.threshold_derivation)
    def threshold(self):
        """SymPy's convergence condition of ∫p is exactly ζ < stated ζ_c; divergence for ζ ≥ ζ_c (p ≥ θ^k/e with k ≤
        −1); the Itô exponent at θ = 0 vanishes at ζ_c
        """

    @derived(theory.collapse_derivation)
    def collapse_bound(self):
        """Itô's lemma for log θ: drift μ − ζ²/2 − θ², equal to the stated exponent at θ = 0 and below it by θ²
        elsewhere (so log θ_t ≤ log θ_0 + λt + ζW_t)
        """

    # --- per case: numbers --------------------------------------------------------------------------------
    case_strategy = quartic_cases()

    @check("numeric", measures="relative error")
    def stationary_law(self, case, run):
        """the stated density's normaliser, mean of θ² and P(θ² ≤ ℓ) (ℓ = ¼, 1, 2 × ζ²) by tanh-sinh quadrature, against
        the Gamma law (Γ, regularised incomplete Γ)

        Tolerance: 10^(10−dps) relative: both carried to dps digits with guard digits
        """
        if _exponent(case) <= 0:
            return Skip("ζ above the stated threshold: no stationary density")
        levels = tuple(case.zeta**2 * level for level in LEVELS)
        quadrature = stationary.stationary(mu=case.mu, zeta=case.zeta, levels=levels, dps=run.dps)
        closed = stationary.gamma_law(mu=case.mu, zeta=case.zeta, levels=levels, dps=run.dps)
        with mp.workdps(run.dps):
            errors = [abs(a / b - 1) for a, b in zip((quadrature.normaliser, quadrature.mean_square, *quadrature.below),
                                                     (closed.normaliser, closed.mean_square, *closed.below))]
        return Measured(worst(errors), digits_tolerance(run.dps), "normaliser, E θ², 3 quantiles")

    @check("numeric", measures="absolute error")
    def exponent_vs_quadrature(self, case, run):
        """the exponent of the linear Euler–Maruyama map, E log|1 + μh + ζ√h ξ|/h by quadrature at h = 10^-(dps+10) (no
        Itô formula), against the stated λ = (ζ_c² − ζ²)/2

        Tolerance: 10^(10−dps) × max(1, |λ|): the O(h) remainder is below 10^-dps
        """
        measured = diffusion.small_step_exponent(drift=case.mu, noise=case.zeta, dps=run.dps)
        stated = _exponent(case, run.dps)
        return Measured(float(abs(measured - stated)), digits_tolerance(run.dps) * max(1.0, abs(float(stated))),
                        f"λ = {float(stated):.6g}")

    @check("numeric", measures="relative error")
    def threshold_vs_quadrature(self, case, run):
        """the noise level at which the quadrature exponent at this μ vanishes (one secant step through the stated ζ_c(1
        ± ε), ε = 10^-(dps/2+5): converges quadratically) against the stated threshold ζ_c(μ)

        Tolerance: 10^(10−dps) relative
        """
        with mp.workdps(run.dps + 5):
            stated = mp.mpf(str(sp.N(theory.threshold(_rational(case.mu)), run.dps + 10)))
            root = diffusion.refine_root(lambda z: diffusion.small_step_exponent(drift=case.mu, noise=z, dps=run.dps + 5),
                                         stated, dps=run.dps)
            error = abs(root / stated - 1)
        return Measured(float(error), digits_tolerance(run.dps), f"root {mp.nstr(root, 12)}")

    # --- per case: Euler–Maruyama paths ----------------------------------------------------------------
    def train(self, cases, run):
        from ..training import quartic_sde  # noqa: PLC0415 - torch only when paths are simulated

        horizon = (BURN_IN + WINDOW) / STEP
        steps, burn_in = 2 * math.ceil(horizon / 2), 2 * math.ceil(BURN_IN / STEP / 2)
        levels = {case: _levels(case) for case in cases}
        experiments = [quartic_sde.Experiment(float(c.mu), float(c.zeta), float(STEP / c.mu),
                                              tuple(float(level) for level in levels[c]) or (1.0,) * len(LEVELS))
                       for c in cases]
        paths = quartic_sde.simulate(experiments, paths=PATHS.get(run.profile.name, PATHS["default"]), steps=steps,
                                     burn_in=burn_in, rngs=[run.case_rng("euler-maruyama", c) for c in cases],
                                     device=run.device, dtype=run.dtype)
        out = {}
        for index, case in enumerate(cases):
            if not paths.finite[index]:
                out[case] = Diverged(f"non-finite Euler–Maruyama statistics: step h = {float(STEP / case.mu):.3g} "
                                     f"against the drift's stiffness 1/(θ² − μ) at the largest θ reached")
                continue
            out[case] = _Trained({name: getattr(paths, name)[index] for name in _Trained.FIELDS}, float(STEP / case.mu),
                                 levels[case], paths.where)
        return out

    @check("empirical", measures="absolute error")
    def long_run_exponent(self, case, run, trained):
        """the long-run exponent of |θ| over the window, per path (log|θ_end| − log|θ_start|)/T averaged over the paths,
        against min(λ, 0): the stated λ = (ζ_c² − ζ²)/2 above the threshold (plus the Euler–Maruyama map's exact shift,
        computed by quadrature), 0 below it

        Tolerance: 5 standard errors of the path average (the collapsing side with the control variate ζΔW/T, mean
        exactly 0), plus the window mean of θ² (the term −θ² of the drift of log θ, dropped from λ)
        """
        stated = float(_exponent(case))
        if stated < 0:
            estimate = trained.statistics["slope"] - trained.statistics["brownian"]
            shift = float(diffusion.discrete_exponent(drift=case.mu, noise=case.zeta, step=Fraction(trained.step), dps=20)
                          - diffusion.small_step_exponent(drift=case.mu, noise=case.zeta, dps=20))
            expected, residual = stated + shift, float(np.mean(trained.statistics["mean_square"]))
        else:
            estimate, expected, residual, shift = trained.statistics["slope"], 0.0, 0.0, 0.0
        mean, error = float(np.mean(estimate)), standard_error(estimate)
        return Measured(abs(mean - expected), CONFIDENCE * error + residual,
                        f"{mean:.5f} ± {error:.1e} against {expected:.5f} ({trained.where})",
                        {"mu": float(case.mu), "zeta": float(case.zeta), "measured": mean, "standard error": error,
                         "stated exponent": stated, "discretisation shift": shift})

    @check("empirical", measures="absolute error")
    def stationary_distribution(self, case, run, trained):
        """below the threshold: the window averages of θ² and of the indicators θ² ≤ ℓ (ℓ = ¼, 1, 2 × the stated mean)
        over the paths, against the stated density (quadrature)

        Tolerance: 5 standard errors of the path average, plus the Euler–Maruyama bias estimated by the coupled run at
        step 2h (weak order one: bias(h) ≈ coarse − fine) and 5 standard errors of that difference
        """
        if _exponent(case) <= 0:
            return Skip("ζ above the stated threshold: no stationary density")
        levels = trained.levels
        law = stationary.stationary(mu=case.mu, zeta=case.zeta, levels=levels, dps=15)
        statistics = trained.statistics
        pairs = [("E θ²", statistics["mean_square"], statistics["mean_square_coarse"], float(law.mean_square))]
        pairs += [(f"P(θ² ≤ {float(level):.3g})", statistics["below"][i], statistics["below_coarse"][i],
                   float(law.below[i])) for i, level in enumerate(levels)]
        out = []
        histogram = np.histogram(np.abs(statistics["final"]) / math.sqrt(case.mu), BINS, density=True)[0]
        for name, fine, coarse, expected in pairs:
            mean, bias = float(np.mean(fine)), float(np.mean(coarse - fine))
            tolerance = CONFIDENCE * (standard_error(fine) + standard_error(coarse - fine)) + abs(bias)
            out.append(Measured(abs(mean - expected), tolerance, f"{name}: {mean:.4f} against {expected:.4f}",
                                {"statistic": name, "measured": mean, "stated": expected, "bias estimate": bias,
                                 "mu": float(case.mu), "zeta": float(case.zeta),
                                 "histogram": [round(float(v), 4) for v in histogram]}))
        return out

    # --- figure -------------------------------------------------------------------------------------------
    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        """Left: stationary histograms of θ/√μ against the stated density, for the run's cases below the threshold.
        Right: the measured long-run exponent λ/μ against ζ/ζ_c, with the stated curve 1 − (ζ/ζ_c)²."""
        from ..plots import COLOURS, plt, save, verdict_colour  # noqa: PLC0415 - matplotlib only when figures are asked for

        figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
        shown = {}
        for outcome in result.outcomes:
            if outcome.check == "stationary-distribution" and outcome.status in ("pass", "fail"):
                shown.setdefault((outcome.case.mu, outcome.case.zeta), outcome.measurements["histogram"])
        grid = np.linspace(1e-3, BINS[-1], 300)
        by_ratio = sorted(shown.items(), key=lambda item: item[0][1] / item[0][0] ** 0.5)
        for colour, ((mu, zeta), histogram) in zip(COLOURS, by_ratio[:4]):
            ratio = float(zeta) / float(theory.threshold(_rational(mu)))
            centres = (BINS[1:] + BINS[:-1]) / 2
            left.step(centres, histogram, where="mid", color=colour, alpha=0.7)
            left.plot(grid, _scaled_density(mu, zeta, grid), color=colour, lw=1.8,
                      label=rf"$\mu$ = {float(mu):g}, $\zeta$ = {float(zeta):g} ({ratio:.2f} $\zeta_c$)")
        left.set_xlabel(r"$|\theta|/\sqrt{\mu}$")
        left.set_ylabel("density (steps: paths at the end; line: stated p)")
        left.set_title("stationary density below the threshold")
        left.legend(fontsize=7.5)
        ratios = np.linspace(0.25, 1.65, 200)
        right.plot(ratios, 1 - ratios**2, color="black", lw=1.2, label=r"stated $\lambda/\mu = 1 - (\zeta/\zeta_c)^2$")
        right.plot(ratios, np.minimum(1 - ratios**2, 0), color="grey", ls="--", lw=1, label="long-run exponent min(λ, 0)")
        right.axvline(1.0, color="#d1495b", lw=1, ls=":", label=r"threshold $\zeta_c = \sqrt{2\mu}$")
        for outcome in result.outcomes:
            if outcome.check == "long-run-exponent" and outcome.status in ("pass", "fail"):
                data = outcome.measurements
                ratio = data["zeta"] / math.sqrt(2 * data["mu"])
                measured = (data["measured"] - data["discretisation shift"]) / data["mu"]
                right.errorbar(ratio, measured, yerr=CONFIDENCE * data["standard error"] / data["mu"], fmt="o",
                               ms=4, color=verdict_colour(outcome.status))
        right.set(xlabel=r"$\zeta/\zeta_c$", ylabel=r"exponent of $|\theta|$ / $\mu$   (points: Euler–Maruyama ± 5 SE)")
        right.set_title("collapse exactly above the threshold")
        right.legend(fontsize=7.5)
        figure.suptitle(r"Quartic toy $d\theta = -(\theta^3 - \mu\theta)\,dt + \zeta\theta\,dW$: "
                        r"$\theta = 0$ attracts exactly when $\zeta > \sqrt{2\mu}$")
        return save(figure, directory, "quartic-collapse")


class _Trained:
    """One case's per-path window statistics (arrays over paths), its step, its θ² levels and where it ran."""

    FIELDS = ("slope", "brownian", "mean_square", "mean_square_coarse", "below", "below_coarse", "final")

    def __init__(self, statistics, step, levels, where):
        self.statistics, self.step, self.levels, self.where = statistics, step, levels, where


def _exponent(case, dps: int = 15) -> mp.mpf:
    """The stated exponent λ = (ζ_c² − ζ²)/2 at the case, to ``dps`` digits."""
    with mp.workdps(dps):
        return mp.mpf(str(sp.N(theory.exponent(_rational(case.mu), _rational(case.zeta)), dps + 10)))


def _levels(case) -> tuple:
    """θ² levels ¼, 1, 2 × the stated stationary mean, to 15 digits (none above the threshold)."""
    if _exponent(case) <= 0:
        return ()
    mean = Fraction(str(stationary.stationary(mu=case.mu, zeta=case.zeta, dps=15).mean_square))
    return tuple(mean * level for level in LEVELS)


def _scaled_density(mu, zeta, grid):
    """The stated density of u = θ/√μ on ``grid``, normalised by quadrature."""
    law = stationary.stationary(mu=mu, zeta=zeta, dps=15)
    density = sp.lambdify(theory.theta, theory.density(theory.theta, _rational(mu), _rational(zeta)), "numpy")
    root = math.sqrt(mu)
    return density(grid * root) * root / float(law.normaliser)


def _rational(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


CLAIM = QuarticCollapse()
