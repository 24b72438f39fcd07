"""label-noise-collapse: label-noise SGD in the diagonal teacher–student model shrinks every mode to s* − ησ²/2 and
collapses the modes below it (the teacher–student experiment of "Stochastic Collapse").

The mathematics and where each tolerance comes from: docs/claims/stochastic-collapse.md §4.
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
from numerics import label_noise as stationary
from theory import label_noise as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, check, derived, digits_tolerance, worst
from ..monte_carlo import CONFIDENCE, standard_error

STEPS, BURN_IN = 4000, 1000  # SGD steps; ≥ 4.7 relaxation times 1/(2η|s̄|) before the window for η ≥ 1/64, |s̄| ≥ 0.15
RECORDS = 20
PATHS = {"quick": 96, "default": 256, "thorough": 1024}
MARGIN = Fraction(15, 100)  # |s* − ησ²/2| ≥ 0.15: closer modes decay too slowly to be judged (critical slowing)


@dataclass(frozen=True)
class SpectrumCase(Case):
    """Two modes of a teacher spectrum, s*_1 above ησ²/2 and s*_2 below it (each ≥ 0.15 away; the second only when
    ησ²/2 ≥ 0.21), trained with per-sample step η (lr/N) and label noise σ."""

    targets: tuple
    eta: Fraction
    sigma: Fraction


@st.composite
def spectrum_cases(draw) -> SpectrumCase:
    eta = Fraction(draw(st.integers(16, 32)), 1024)
    temperature = Fraction(draw(st.integers(50, 120)), 100)  # ησ², where the leading order holds (≤ 1.2)
    sigma = Fraction(round(10 * math.sqrt(temperature / eta)), 10)
    half = eta * sigma**2 / 2
    surviving = math.ceil((half + MARGIN) * 100)  # in hundredths
    targets = [Fraction(surviving + draw(st.integers(0, 65)), 100)]
    top = math.floor((half - MARGIN) * 100)
    if top >= 5:  # room for a collapsing mode s* ≥ 0.05
        targets.append(Fraction(top - draw(st.integers(0, top - 5)), 100))
    return SpectrumCase(tuple(targets), eta, sigma)


class LabelNoiseCollapse(Claim):
    id = "label-noise-collapse"
    title = "Label-noise SGD shrinks each teacher mode to s* − ησ²/2 and collapses the modes below it"
    statement = (
        "In the diagonal teacher–student model (one mode: P = uv fitted to s* with loss ½(uv − s*)²), label-noise "
        "SGD with per-sample step η and label noise σ (u becomes u − η(uv − s* + σξ)v, v becomes v − η(uv − s* + "
        "σξ)u), "
        "converges to a stationary law of P with mean L = s* − ησ²/2 (a Gamma law, shape L/(ησ²), scale ησ², to "
        "leading order in η) when L > 0, and collapses, P → 0 at the rate 2ηL per step, when L < 0; the authors' "
        "theory curve is the logistic dS/dt = 2ηS(L − S).")
    provenance = """
        seen: The diagonal teacher–student script (per-mode updates with shared label noise, η = lr/N) and the theory
        curve, a logistic with target s* − ησ²/2 and with rate 2s* − ησ², in the authors' code
        (docs/claims/stochastic-collapse.md).

        reconstructed: Whether the paper states the curve as a bound or an approximation; we derive that it bounds the
        geometric mean exp E log P from above.

        derived: The per-step map, the decay of the imbalance, the step moments and the stationary Gamma law (zero flux,
        normalisable iff L > 0, mean L), the collapse exponent, the logistic's solution; every tolerance.
        """
    corruptions = (
        Corruption("threshold ησ²/2 moved up by 3%", lambda: theory.substituted(
            shrunk=lambda s, step, sigma: s - sp.Rational(103, 100) * step * sigma**2 / 2),
                   checks=("stationary-gamma-law", "threshold-vs-quadrature", "collapse-exponent")),
        Corruption("mean-drift fixed point s* + ησ²/2 (the noise's sign)", lambda: theory.substituted(
            shrunk=lambda s, step, sigma: s + step * sigma**2 / 2),
                   checks=("exponent-vs-quadrature", "shrinkage")),
    )
    fixed_training = f"{STEPS} SGD steps per path"

    # --- once per run: the derivations ----------------------------------------------------------------
    statement_key = staticmethod(theory.statement_key)

    @derived(theory.step_derivation)
    def step_map(self):
        """the gradient of the per-mode loss; u'² − v'² = (u² − v²)(1 − η²r²); P' = P(1 − ηr)² on u = v"""

    @derived(theory.stationary_derivation)
    def stationary_gamma_law(self):
        """the step's mean and variance (Gaussian moments), the stated Gamma density's zero flux, its normaliser
        (SymPy), normalisable iff s̄ > 0, mean s̄, Itô exponent 2ηs̄ at P = 0
        """

    @derived(theory.curve_derivation)
    def theory_curve_solution(self):
        """the authors' logistic curve solves dS/dt = 2ηS(s̄ − S), S(0) = S_0, and tends to s̄"""

    # --- per case: numbers (one outcome per mode) --------------------------------------------------------

    case_strategy = spectrum_cases()

    @check("numeric", measures="relative error")
    def stationary_law(self, case, run):
        """surviving modes: the stated density's normaliser and mean by tanh-sinh quadrature against the Gamma closed
        forms (ησ²)^k Γ(k) and kησ²

        Tolerance: 10^(10−dps) relative
        """
        out = []
        for target in case.targets:
            if _shrunk(case, target) <= 0:
                continue
            arguments = dict(target=target, eta=case.eta, sigma=case.sigma, dps=run.dps)
            quadrature, closed = stationary.stationary(**arguments), stationary.gamma_law(**arguments)
            with mp.workdps(run.dps):
                error = max(abs(quadrature.normaliser / closed.normaliser - 1), abs(quadrature.mean / closed.mean - 1))
            out.append(Measured(float(error), digits_tolerance(run.dps), f"s* = {target}: normaliser and mean"))
        return out

    @check("numeric", measures="relative error")
    def exponent_vs_quadrature(self, case, run):
        """the exponent of log P at P = 0, 2E log|1 + ηs* − ησξ| per step by quadrature in the small-step limit (no Itô
        formula), against the stated 2η s̄, for every mode

        Tolerance: 10^(10−dps) relative
        """
        out = []
        for target in case.targets:
            with mp.workdps(run.dps):
                measured = 2 * _mpf(case.eta) * diffusion.small_step_exponent(drift=target, noise=_noise(case),
                                                                             dps=run.dps)
                stated = 2 * _mpf(case.eta) * _shrunk(case, target, run.dps)
                out.append(Measured(float(abs(measured / stated - 1)), digits_tolerance(run.dps),
                                    f"s* = {target}: 2ηs̄ = {mp.nstr(stated, 8)}"))
        return out

    @check("numeric", measures="relative error")
    def threshold_vs_quadrature(self, case, run):
        """the target s* at which that quadrature exponent vanishes (one secant step through the stated threshold·(1 ±
        ε), ε = 10^-(dps/2+5)), against the stated threshold (the zero of s̄ in s*)

        Tolerance: 10^(10−dps) relative
        """
        s = sp.Symbol("s", positive=True)
        roots = sp.solve(theory.shrunk(s, _rational(case.eta), _rational(case.sigma)), s)
        if len(roots) != 1:
            raise ArithmeticError(f"the stated shrunk value has {len(roots)} zeros in s*")
        with mp.workdps(run.dps + 5):
            stated = mp.mpf(str(sp.N(roots[0], run.dps + 10)))
            root = diffusion.refine_root(lambda t: diffusion.small_step_exponent(drift=t, noise=_noise(case),
                                                                                 dps=run.dps + 5), stated, dps=run.dps)
            return Measured(float(abs(root / stated - 1)), digits_tolerance(run.dps), f"root {mp.nstr(root, 12)}")

    # --- per case: label-noise SGD ------------------------------------------------------------------------
    def train(self, cases, run):
        from ..training import label_noise  # noqa: PLC0415 - torch only when models train

        record = tuple(round(r * STEPS / RECORDS) for r in range(RECORDS + 1))
        modes = [(case, target) for case in cases for target in case.targets]
        streams = [run.case_rng(f"label-noise {index}", case) for case in cases for index in range(len(case.targets))]
        runs = label_noise.train([label_noise.Experiment(float(t), float(c.eta), float(c.sigma)) for c, t in modes],
                                 paths=PATHS.get(run.profile.name, PATHS["default"]), steps=STEPS, burn_in=BURN_IN,
                                 record=record, rngs=streams, device=run.device, dtype=run.dtype)
        out = {}
        for case in cases:
            rows = [index for index, (c, _) in enumerate(modes) if c == case]
            if not all(runs.finite[index] for index in rows):
                out[case] = Diverged(f"non-finite products: ηs* up to {float(case.eta * max(case.targets)):.3g} per "
                                     "step against the stability limit of the map P ← P(1 − ηr)²")
                continue
            out[case] = {target: {name: getattr(runs, name)[index] for name in FIELDS}
                         for (_, target), index in zip([modes[i] for i in rows], rows)}
            out[case]["where"] = runs.where
            out[case]["record"] = record
        return out

    @check("empirical", measures="absolute error")
    def collapse_exponent(self, case, run, trained):
        """the growth rate of log P over the window, per step, averaged over the paths: collapsing modes (s̄ < 0)
        against the stated 2ηs̄ plus the exact shift of the SGD map (quadrature); surviving modes against 0 (stationary)

        Tolerance: 5 standard errors of the path average (collapsing: with the control variate −2ησΣξ/T, mean exactly
        0), plus 2η × the window mean of P (the −2ηP term of the drift, dropped from 2ηs̄)
        """
        out = []
        for target in case.targets:
            statistics = trained[target]
            stated = float(2 * case.eta) * float(_shrunk(case, target))
            if stated < 0:
                estimate = statistics["growth"] - statistics["control"]
                exact = diffusion.discrete_exponent(drift=target, noise=_noise(case), step=case.eta, dps=20)
                limit = diffusion.small_step_exponent(drift=target, noise=_noise(case), dps=20)
                shift = float(2 * case.eta) * float(exact - limit)
                residual = float(2 * case.eta) * float(np.mean(statistics["mean"]))
                expected = stated + shift
            else:
                estimate, shift, residual, expected = statistics["growth"], 0.0, 0.0, 0.0
            mean, error = float(np.mean(estimate)), standard_error(estimate)
            out.append(Measured(abs(mean - expected), CONFIDENCE * error + residual,
                                f"s* = {target}: {mean:.3e} ± {error:.1e} per step against {expected:.3e} "
                                f"({trained['where']})",
                                {"measured": mean, "standard error": error, "stated": stated, "shift": shift,
                                 "target": float(target), "temperature": float(case.eta * case.sigma**2),
                                 "window mean": float(np.mean(statistics["mean"]))}))
        return out

    @check("empirical", measures="absolute error")
    def shrinkage(self, case, run, trained):
        """surviving modes: the window average of P = uv over the paths against the stated s̄ = s* − ησ²/2

        Tolerance: 5 standard errors of the path average, plus SGD's O(η) distance from the SDE limit: 2|m(η) − m(η/2)|
        from the coupled companion at η/2, σ√2 (weak order one), with 5 standard errors of that difference
        """
        out = []
        for target in case.targets:
            stated = float(_shrunk(case, target))
            if stated <= 0:
                continue
            statistics = trained[target]
            measured = float(np.mean(statistics["mean"]))
            gap = statistics["mean"] - statistics["mean_half"]
            bias = 2 * abs(float(np.mean(gap))) + 2 * CONFIDENCE * standard_error(gap)
            out.append(Measured(abs(measured - stated), CONFIDENCE * standard_error(statistics["mean"]) + bias,
                                f"s* = {target}: E[uv] = {measured:.4f} against s̄ = {stated:.4f} (O(η) allowance "
                                f"{bias:.1e})", {"target": float(target), "measured": measured, "stated": stated,
                                                 "temperature": float(case.eta * case.sigma**2)}))
        return out

    @check("empirical", measures="largest excess over the curve, in standard errors")
    def theory_curve(self, case, run, trained):
        """the geometric mean exp E log P(t) of the paths at 21 times against the authors' logistic S(t) from S(0) = 1:
        the derived bound E log P(t) ≤ log S(t) (Itô and AM ≥ GM)

        Tolerance: one-sided: at most 5 standard errors above, after SGD's O(η) distance from the SDE limit
        (2|difference| to the coupled η/2 companion)
        """
        out = []
        for target in case.targets:
            logs, halves = trained[target]["logs"], trained[target]["logs_half"]
            curve = _log_curve(case, target, trained["record"])
            excess = []
            for row, half, bound in list(zip(logs, halves, curve))[1:]:  # after step 0, where both are 1
                mean, error = float(np.mean(row)), standard_error(row)
                above = mean - 2 * abs(mean - float(np.mean(half))) - bound
                excess.append(above / error if error > 0 else (0.0 if above <= 0 else math.inf))
            out.append(Measured(worst(excess), CONFIDENCE, f"s* = {target}: largest excess {max(excess):.2f} SE",
                                {"steps": list(trained["record"]), "log curve": curve,
                                 "geometric mean": [float(np.exp(np.mean(row))) for row in logs],
                                 "mean": [float(np.mean(np.exp(row))) for row in logs], "target": float(target),
                                 "temperature": float(case.eta * case.sigma**2)}))
        return out

    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        return _figure(directory, result)


FIELDS = ("mean", "mean_half", "growth", "control", "logs", "logs_half")


def _log_curve(case, target, record) -> list:
    """log S(t) of the authors' logistic from S(0) = 1 at the recorded steps."""
    steps = sp.Symbol("k", nonnegative=True)
    curve = sp.lambdify(steps, sp.log(theory.theory_curve(steps, *(_rational(v) for v in (target, case.eta, case.sigma)),
                                                          1)), "mpmath")
    return [float(curve(k)) for k in record]


def _shrunk(case, target, dps: int = 20) -> mp.mpf:
    """The stated s̄ of the mode ``target``, to ``dps`` digits."""
    with mp.workdps(dps):
        return mp.mpf(str(sp.N(theory.shrunk(*(_rational(v) for v in (target, case.eta, case.sigma))), dps + 10)))


def _noise(case) -> mp.mpf:
    """b = σ√η of the collapsed map P ← P(1 + ηs* − √η·b ξ)² (the sign of ξ does not matter)."""
    with mp.workdps(mp.mp.dps + 30):
        return _mpf(case.sigma) * mp.sqrt(_mpf(case.eta))


def _rational(value: Fraction) -> sp.Rational:
    return sp.Rational(value.numerator, value.denominator)


def _mpf(value: Fraction) -> mp.mpf:
    return mp.mpf(value.numerator) / value.denominator


def _figure(directory, result) -> list:
    """Left: the shrinkage law, E[uv] against s*, both over ησ², with max(s* − ησ²/2, 0). Right: the mean and the
    geometric mean of P against the step for the drawn modes, with the authors' logistic curves."""
    from ..plots import COLOURS, plt, save, verdict_colour  # noqa: PLC0415 - matplotlib only when figures are asked for

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    grid = np.linspace(0, 2.2, 100)
    left.plot(grid, np.maximum(grid - 0.5, 0), color="black", lw=1.2, label=r"stated $\max(s^* - \eta\sigma^2/2, 0)$")
    left.plot(grid, grid, color="grey", lw=0.8, ls=":", label=r"no noise: $s^*$")
    curves = []
    for outcome in result.outcomes:
        data = outcome.measurements
        if outcome.check == "collapse-exponent" and outcome.status in ("pass", "fail"):
            left.plot(data["target"] / data["temperature"], data["window mean"] / data["temperature"], "o", ms=4,
                      color=verdict_colour(outcome.status))
        if outcome.check == "theory-curve" and outcome.status in ("pass", "fail"):
            curves.append(data)
    left.set_xlabel(r"$s^*/(\eta\sigma^2)$")
    left.set_ylabel(r"$\mathbb{E}[uv]/(\eta\sigma^2)$ over the window")
    left.set_title("shrinkage and collapse (points: label-noise SGD)")
    left.legend(fontsize=8)
    surviving = [data for data in curves if data["target"] > data["temperature"] / 2]
    for colour, data in zip(COLOURS, sorted(surviving, key=lambda d: d["target"] / d["temperature"])[:4]):
        steps = np.array(data["steps"])
        right.plot(steps, data["mean"], color=colour, lw=1.6,
                   label=f"s* = {data['target']:g}, ησ² = {data['temperature']:.2g}")
        right.plot(steps, data["geometric mean"], color=colour, lw=1, ls="--")
        right.plot(steps, np.exp(data["log curve"]), color=colour, lw=1, ls=":")
    right.set_xlabel("SGD step")
    right.set_ylabel("E[uv] (solid), exp E log uv (dashed), logistic (dotted)")
    right.set_title("surviving modes against the authors' theory curve")
    right.legend(fontsize=7.5)
    figure.suptitle(r"Label-noise SGD on teacher modes: $uv \to s^* - \eta\sigma^2/2$, collapse below")
    return save(figure, directory, "label-noise-collapse")


CLAIM = LabelNoiseCollapse()
