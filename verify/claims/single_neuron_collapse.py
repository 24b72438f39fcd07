"""single-neuron-collapse: label noise makes the origin of a single neuron attractive iff ηζ²σ′(0)/2 > Σxy/Σx²
(the authors' "Theorem 5.1" line in "Stochastic Collapse").

The mathematics and where each tolerance comes from: docs/claims/stochastic-collapse.md §3.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st

from numerics import diffusion
from theory import single_neuron as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, Trained, check, derived, digits_tolerance
from ..monte_carlo import CONFIDENCE, standard_error

SAMPLES = 32  # data points per data set, as in the authors' notebook
STEP = Fraction(1, 50)  # SGD step h in units of τ = 1/(σ′(0) c), the time scale of the linearised drift
HORIZON = 60  # steps · h, in units of τ
INIT = 1e-120  # initial weights' scale: the whole run stays in the linear regime (tanh(z) = z in float64)
PATHS = {"quick": 64, "default": 128, "thorough": 512}
SLOPES = (Fraction(1, 2), Fraction(1), Fraction(2))  # σ′(0) of σ(z) = tanh(σ′(0) z)


@dataclass(frozen=True)
class NeuronCase(Case):
    """A data set (m = 32 points, x ~ N(0, 1), y = teacher·x + spread·N(0, 1), from ``data_seed``), the slope
    σ′(0) of σ(z) = tanh(σ′(0) z), and the SDE's noise parameters (η, ζ), η ≥ 20% away from the stated threshold."""

    data_seed: int
    teacher: Fraction
    spread: Fraction
    slope: Fraction
    zeta: Fraction
    eta: Fraction

    def data(self):
        generator = np.random.default_rng(self.data_seed)
        inputs = generator.standard_normal(SAMPLES)
        return inputs, float(self.teacher) * inputs + float(self.spread) * generator.standard_normal(SAMPLES)

    def exact_data(self):
        """The data as exact rationals (the floats themselves), and their moments c = mean(xy), s = mean(x²)."""
        inputs, labels = self.data()
        xs, ys = [Fraction(float(x)) for x in inputs], [Fraction(float(y)) for y in labels]
        return xs, ys, sum(x * y for x, y in zip(xs, ys)) / SAMPLES, sum(x * x for x in xs) / SAMPLES


@st.composite
def neuron_cases(draw) -> NeuronCase:
    seed = draw(st.integers(0, 2**16))
    teacher = Fraction(draw(st.integers(30, 200)), 100)
    spread = Fraction(draw(st.integers(0, 50)), 100)
    slope = draw(st.sampled_from(SLOPES))
    zeta = Fraction(draw(st.integers(50, 200)), 100)
    side = draw(st.sampled_from(((50, 80), (125, 200))))  # ηζ²σ′(0)/(2·ratio), percent: escape or collapse
    ratio = _stated_ratio(NeuronCase(seed, teacher, spread, slope, zeta, Fraction(1)))
    assume(ratio > 0)  # c > 0: with teacher ≥ 0.3 and 32 points, all but never violated
    eta = 2 * ratio / (zeta**2 * slope) * Fraction(draw(st.integers(*side)), 100)
    return NeuronCase(seed, teacher, spread, slope, zeta, Fraction(f"{float(eta):.3g}"))


class SingleNeuronCollapse(Claim):
    id = "single-neuron-collapse"
    title = "Single neuron: label-noise SGD collapses to the origin iff ηζ²σ′(0)/2 > Σx_iy_i/Σx_i²"
    statement = (
        "For f(x) = w_2 σ(w_1 x) with σ(0) = 0, σ′(0) > 0, the loss (1/2m)Σ(f(x_i) − y_i)² with Σx_iy_i > 0, and the "
        "label-noise SDE dw = −∇L dt + Σ_i √η ζ ∂f(x_i)/∂w /√m dW_i: the origin (a saddle of the loss) is "
        "stochastically attractive iff ηζ²σ′(0)/2 > Σx_iy_i/Σx_i²; near it u = w_1 + w_2 is a geometric Brownian "
        "motion with exponent λ_u = σ′(0)s(Σx_iy_i/Σx_i² − ηζ²σ′(0)/2), s = Σx_i²/m.")
    provenance = """
        seen: The model, the SDE's noise convention and the threshold line ηζ²σ′(0)/2 = Σx_iy_i/Σx_i², labelled 'Theorem
        5.1', in the authors' code (their Fig2 notebook), as summarised in docs/claims/stochastic-collapse.md.

        reconstructed: The theorem's wording and numbering in the paper (not available to us).

        derived: The linearisation, the rank-one noise, the decoupling into two geometric Brownian motions, the Itô
        exponents and the threshold as the zero of λ_u (SymPy); every tolerance.
        """
    corruptions = (
        Corruption("threshold Σxy/Σx² moved up by 3%", lambda: theory.substituted(
            ratio=lambda xs, ys: sp.Rational(103, 100) * theory._ratio(xs, ys)),
                   checks=("linearisation", "threshold-vs-quadrature", "origin-exponent")),
        Corruption("factor ½ dropped: ηζ²σ′(0) > Σxy/Σx²", lambda: theory.substituted(
            ratio=lambda xs, ys: theory._ratio(xs, ys) / 2),
                   checks=("exponent-vs-quadrature", "origin-exponent")),
    )
    fixed_training = f"{int(HORIZON / STEP)} SGD steps per path"

    statement_key = staticmethod(theory.statement_key)

    @derived(theory.linearisation_derivation)
    def linearisation(self):
        """at w = 0 (σ(0) = 0, σ′(0) = g): the drift σ′(0)c(w₂, w₁); every noise channel along (w₂, w₁) (covariance of
        rank one); u = w₁ ± w₂ two geometric Brownian motions; Itô exponents λ_u, λ_v = λ_u − 2σ′(0)c; λ_u = 0 exactly
        at the stated threshold
        """

    case_strategy = neuron_cases()

    @check("numeric", measures="absolute error")
    def exponent_vs_quadrature(self, case, run):
        """the exponent of the linear map u ← u(1 + hσ′(0)c + σ′(0)ζ√(ηhs) ξ), E log|…|/h by quadrature at h =
        10^-(dps+10) (no Itô formula), against the stated λ_u on the drawn data

        Tolerance: 10^(10−dps) × max(1, |λ_u|): the O(h) remainder is below 10^-dps
        """
        drift, noise = _linear(case)
        with mp.workdps(run.dps):
            measured = diffusion.small_step_exponent(drift=drift, noise=noise, dps=run.dps)
            stated = _exponent(case, run.dps)
            return Measured(float(abs(measured - stated)), digits_tolerance(run.dps) * max(1.0, abs(float(stated))),
                            f"λ_u = {float(stated):.6g}")

    @check("numeric", measures="relative error")
    def threshold_vs_quadrature(self, case, run):
        """the η at which the quadrature exponent on the drawn data vanishes (one secant step through the stated η*(1 ±
        ε), ε = 10^-(dps/2+5)), as ηζ²σ′(0)/2, against the stated Σx_iy_i/Σx_i²

        Tolerance: 10^(10−dps) relative
        """
        xs, ys, c, s = case.exact_data()
        with mp.workdps(run.dps + 5):
            stated = mp.mpf(str(sp.N(theory.ratio(xs, ys), run.dps + 10)))
            slope, zeta = (mp.mpf(v.numerator) / v.denominator for v in (case.slope, case.zeta))
            guess = 2 * stated / (zeta**2 * slope)

            def exponent(eta):
                noise = slope * zeta * mp.sqrt(eta * mp.mpf(s.numerator) / s.denominator)
                return diffusion.small_step_exponent(drift=case.slope * c, noise=noise, dps=run.dps + 5)

            root = diffusion.refine_root(exponent, guess, dps=run.dps)
            level = root * zeta**2 * slope / 2
            return Measured(float(abs(level / stated - 1)), digits_tolerance(run.dps),
                            f"ηζ²σ′(0)/2 at the root {mp.nstr(level, 12)}")

    def train(self, cases, run):
        from ..training import single_neuron  # noqa: PLC0415 - torch only when models train

        experiments = []
        for case in cases:
            inputs, labels = case.data()
            _, _, c, _ = case.exact_data()
            step = STEP / (case.slope * c)
            experiments.append(single_neuron.Experiment(tuple(inputs), tuple(labels), float(case.slope),
                                                        float(case.eta), float(case.zeta), float(step), INIT))
        runs = single_neuron.train(experiments, paths=PATHS.get(run.profile.name, PATHS["default"]),
                                   steps=int(HORIZON / STEP), rngs=[run.case_rng("label-noise", c) for c in cases],
                                   device=run.device, dtype=run.dtype)
        out = {}
        for index, (case, experiment) in enumerate(zip(cases, experiments)):
            if not runs.finite[index]:
                out[case] = Diverged(f"non-finite weights or growth rate at step h = {experiment.step:.3g}")
            else:
                out[case] = Trained(slope=runs.slope[index], control=runs.control[index], step=experiment.step,
                                    where=runs.where)
        return out

    @check("empirical", measures="absolute error")
    def origin_exponent(self, case, run, trained):
        """label-noise SGD (torch, autograd, lr h, label noise ζ√(ηm/h)) from weights ~1e-120: the growth rate (log|u_T|
        − log|u_0|)/T of u = w₁ + w₂, averaged over the paths, against the stated λ_u plus the exact shift of the
        discrete map at step h (quadrature); negative means attractive

        Tolerance: 5 standard errors of the path average, with the label noise's share of the growth as control variate
        (mean exactly 0)
        """
        drift, noise = _linear(case)
        shift = float(diffusion.discrete_exponent(drift=drift, noise=noise, step=Fraction(trained.step), dps=20)
                      - diffusion.small_step_exponent(drift=drift, noise=noise, dps=20))
        stated = float(_exponent(case, 20))
        estimate = trained.slope - trained.control
        mean, error = float(np.mean(estimate)), standard_error(estimate)
        expected = stated + shift
        verdict = "attractive" if stated < 0 else "repelling"
        _, _, c, s = case.exact_data()
        level = float(case.eta * case.zeta**2 * case.slope / 2)
        return Measured(abs(mean - expected), CONFIDENCE * error,
                        f"{mean:.5f} ± {error:.1e} against {expected:.5f} (stated {verdict}; {trained.where})",
                        {"measured": mean, "standard error": error, "stated exponent": stated,
                         "discretisation shift": shift, "noise level": level,
                         "ratio": float(theory.ratio(*case.exact_data()[:2])), "time scale": float(1 / (case.slope * c))})

    def figures(self, directory, result) -> list:
        return _figure(directory, result)


def _stated_ratio(case) -> Fraction:
    xs, ys, _, _ = case.exact_data()
    return Fraction(str(sp.Rational(theory.ratio(xs, ys))))


def _linear(case):
    """(a, b) of the linear map of u: drift σ′(0)c and noise σ′(0)ζ√(ηs) (b as an mpf at 30 extra digits)."""
    _, _, c, s = case.exact_data()
    with mp.workdps(mp.mp.dps + 30):
        noise = mp.mpf(case.slope.numerator) / case.slope.denominator * mp.mpf(case.zeta.numerator) / case.zeta.denominator \
            * mp.sqrt(mp.mpf((case.eta * s).numerator) / (case.eta * s).denominator)
    return case.slope * c, noise


def _exponent(case, dps: int) -> mp.mpf:
    xs, ys, _, _ = case.exact_data()
    value = theory.exponent(xs, ys, _rational(case.eta), _rational(case.zeta), _rational(case.slope))
    with mp.workdps(dps):
        return mp.mpf(str(sp.N(value, dps + 10)))


def _rational(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


def _figure(directory, result) -> list:
    """Right: measured growth rates of the run's cases against the stated line, in units of τ = 1/(σ′(0)c).
    Left: the authors' picture, the fraction of paths with |w_T| < 10⁻² against ηζ²σ′(0)/2 for one data set."""
    from ..plots import plt, save, verdict_colour  # noqa: PLC0415 - matplotlib only when figures are asked for
    from ..training import single_neuron  # noqa: PLC0415

    rng = result.settings.rng("figure")
    inputs = rng.standard_normal(SAMPLES)
    labels = inputs + 0.1 * rng.standard_normal(SAMPLES)
    ratio = float(np.sum(inputs * labels) / np.sum(inputs**2))
    levels = np.linspace(0.3, 2.0, 15) * ratio
    horizon, step = 150.0, 0.05
    experiments = [single_neuron.Experiment(tuple(inputs), tuple(labels), 1.0, 2 * level, 1.0, step, 1e-3)
                   for level in levels]
    runs = single_neuron.train(experiments, paths=128, steps=int(horizon / step), rngs=rng.spawn(len(experiments)),
                               device=result.settings.device, dtype=result.settings.dtype)
    collapsed = (np.linalg.norm(runs.final, axis=2) < 1e-2).mean(axis=1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    left.plot(levels, collapsed, "o-", color="#1b6ca8", ms=4, label=r"SGD: fraction with $|w_T| < 10^{-2}$")
    left.axvline(ratio, color="#d1495b", ls=":", label=r"threshold $\sum x_iy_i/\sum x_i^2$")
    left.set_xlabel(r"$\eta\zeta^2\sigma'(0)/2$")
    left.set_ylabel(f"fraction of 128 paths collapsed at T = {horizon:g}")
    left.set_title(r"the authors' sweep: $\sigma = \tanh$, $\zeta = 1$, $m = 32$, init $10^{-3}$")
    left.legend(fontsize=8)
    grid = np.linspace(0.4, 2.1, 100)
    right.plot(grid, 1 - grid, color="black", lw=1.2, label=r"stated $\lambda_u\tau = 1 - $ level/ratio")
    right.axvline(1.0, color="#d1495b", ls=":", label="threshold")
    right.axhline(0.0, color="grey", lw=0.6)
    for outcome in result.outcomes:
        if outcome.check == "origin-exponent" and outcome.status in ("pass", "fail"):
            data = outcome.measurements
            scale = data["time scale"]
            right.errorbar(data["noise level"] / data["ratio"], (data["measured"] - data["discretisation shift"]) * scale,
                           yerr=CONFIDENCE * data["standard error"] * scale, fmt="o", ms=4,
                           color=verdict_colour(outcome.status))
    right.set(xlabel=r"$\eta\zeta^2\sigma'(0)/2$ over $\sum x_iy_i/\sum x_i^2$",
              ylabel=r"growth rate of $|w_1 + w_2|$ near 0, times $\tau = 1/(\sigma'(0)c)$")
    right.set_title("drawn cases: label-noise SGD (points ± 5 SE)")
    right.legend(fontsize=8)
    figure.suptitle(r"Single neuron $f = w_2\sigma(w_1x)$: the origin attracts iff $\eta\zeta^2\sigma'(0)/2 > "
                    r"\sum x_iy_i/\sum x_i^2$")
    return save(figure, directory, "single-neuron-collapse")


CLAIM = SingleNeuronCollapse()
