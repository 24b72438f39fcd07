"""maxmargin: gradient descent on the exponential or logistic loss of a linear classifier on separable data
converges in direction to the hard-margin SVM, with ‖w(t)‖ ~ ‖ŵ‖ log t and a direction gap ~ 1/log t
(Soudry et al. 2018, surveyed by Vardi).

The mathematics and where each tolerance comes from: docs/claims/vardi-classics.md §3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics import max_margin as numbers
from numerics.arguments import ParameterError
from theory import max_margin as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, Skip, Trained, check, derived, worst

LOSSES = ("exponential", "logistic")
STEP_FACTOR = 4  # GD at η runs 4× the profile's step budget (η/2 twice that): t = ηk spans ~3–4 decades
FLOW_TOLERANCE = 1e-7  # the flow's accuracy at the GD comparison times (t ≤ 10⁴): DOP853 at rtol 1e-12
FLOW_ACCURACY = 1e-9  # DOP853's global relative error at rtol 1e-12 over ≤ 4000 units of log time
RECORDS = 13  # log-spaced record steps
POINTS, DIMENSIONS = (3, 16), (2, 4)  # every case's data is padded to the largest: its rounding is its own alone


@dataclass(frozen=True)
class MarginCase(Case):
    """Separable data: ``points`` Gaussian inputs in ``dimension`` dimensions labelled by a random teacher (NumPy
    generator seeded by ``seed``), points off the margin moved out to margin ≥ 1 + ``gap``."""

    points: int
    dimension: int
    seed: int
    gap: Fraction

    @property
    def data(self):
        return _data(self)


@lru_cache(maxsize=256)
def _data(case):
    return numbers.separable_data(points=case.points, dimension=case.dimension, seed=case.seed, gap=float(case.gap))


def margin_cases():
    return st.builds(MarginCase, st.integers(*POINTS), st.integers(*DIMENSIONS), st.integers(0, 2**31 - 1),
                     st.sampled_from((Fraction(1, 5), Fraction(1, 2), Fraction(1))))


class MaxMargin(Claim):
    id = "maxmargin"
    step_factor = 2 * STEP_FACTOR  # η/2 runs twice as many steps as η
    title = "GD on separable data (exponential/logistic loss) converges in direction to the hard-margin SVM"
    statement = (
        "For linearly separable data (x_i, y_i), z_i = y_i x_i, and the mean exponential or logistic loss "
        "(1/n)Σ ℓ(⟨w, z_i⟩), gradient flow, and gradient descent with a small enough step, from w = 0 satisfy "
        "w(t) = ŵ log t + ρ(t) with ŵ the hard-margin SVM (min ‖w‖ subject to ⟨w, z_i⟩ ≥ 1) and ρ(t) converging; "
        "on the span of the support vectors ⟨ρ(∞), z_i⟩ = −log(n α_i), α the SVM's duals. Hence ‖w(t)‖ grows like "
        "‖ŵ‖ log t and ‖w/‖w‖ − ŵ/‖ŵ‖‖ ~ ‖P⊥ρ(∞)‖/(‖ŵ‖ log t).")
    provenance = """
        seen: Vardi's review (CACM 2023): for linearly separable data, gradient flow on the logistic loss of a linear
        predictor converges in direction to the ℓ2 maximum-margin predictor (Soudry et al.), and the results extend to
        gradient descent.

        reconstructed: The rate statement w(t) = ŵ log t + ρ(t) with ρ bounded, the offset on the support and the 1/log
        t direction rate are Soudry et al.'s (JMLR 2018), reconstructed, not quoted.

        derived: The exact solutions behind the asymptote, the logistic tail and the 1/log t constant:
        docs/claims/vardi-classics.md §3.
        """

    statement_key = staticmethod(theory.statement_key)

    @derived(theory.exponential_tail)
    def asymptotic_solution(self):
        """one point: w(t) = z log(1 + ‖z‖²t)/‖z‖² solves the flow from 0; two support vectors: ŵ log t + ρ with ⟨ρ,
        z_i⟩ = −log(nα_i) solves it exactly; −ℓ′ of the logistic loss is e^{−u} − e^{−2u} + …; log t · (direction gap) →
        ‖P⊥ρ‖/‖ŵ‖

        Tolerance: exact: SymPy reduces lhs − rhs to 0
        """

    case_strategy = margin_cases()

    @check("numeric", measures="relative error")
    def flow_asymptote(self, case, run):
        """the gradient flow (SciPy DOP853, rtol 1e-12, in log time τ = log t until its slowest transient decayed by
        e^{−40}) against the stated asymptote from the exact SVM (numerics.svm, NNLS, KKT checked): ‖dw/dτ − ŵ‖/‖ŵ‖ and
        the offset ‖P_S(w − ŵτ) − ρ_S‖/(1 + ‖ρ_S‖), both losses

        Tolerance: 1e-9(1 + τ_end‖ŵ‖max‖z_i‖): the integrator's global relative error at rtol 1e-12 over ≤ 4000 units of
        log time, amplified by the cancellation in ⟨w, z_i⟩ − τ and w − ŵτ (both O(τ‖ŵ‖‖z‖)); the transient is below
        e^{−40}
        """
        def measure(loss, asymptote, path, _):
            rows = (case.data[1][:, None] * case.data[0])[asymptote.support]
            inside = rows.T @ np.linalg.solve(rows @ rows.T, rows)  # the projector onto span(S)
            drift = np.linalg.norm(path.velocity - asymptote.growth) / np.linalg.norm(asymptote.growth)
            offset = np.linalg.norm(inside @ (path.final - asymptote.growth * path.tau_end) - asymptote.offset)
            offset /= 1 + np.linalg.norm(asymptote.offset)
            scale = path.tau_end * np.linalg.norm(asymptote.growth) * np.max(np.linalg.norm(case.data[0], axis=1))
            return Measured(worst([drift, offset]), FLOW_ACCURACY * (1 + scale), f"{loss}: drift {drift:.2e}, offset "
                            f"{offset:.2e}, τ_end = {path.tau_end:.0f}",
                            {"loss": loss, "support": len(asymptote.support), "rate": asymptote.rate,
                             "svm kkt": asymptote.svm.kkt})
        return _per_loss(case, measure)

    @check("numeric", measures="|p + 1|")
    def flow_direction_rate(self, case, run):
        """the 1/log t rate on the flow: the exponent p of gap(τ) ∝ τ^p fitted between τ_end/2 and τ_end (τ = log t),
        against −1; reported: gap·τ against its limit ‖P⊥ρ‖/‖ŵ‖ (P⊥: orthogonal to ŵ)

        Tolerance: derived: (−log(1 − ε_a) − log(1 − ε_b))/log 2 + 1e-6, ε = ‖ρ‖/(‖ŵ‖τ − ‖ρ‖) + (‖P⊥ρ‖/(‖ŵ‖τ − ‖ρ‖))²
        the first-order remainder of gap·τ; 1e-6 for ρ's change over the window (its transient is below e^{−20} there)
        and the integrator
        """
        def measure(loss, asymptote, path, _):
            growth = asymptote.growth
            unit = growth / np.linalg.norm(growth)
            ends = (path.tau_end / 2, path.tau_end)
            values = path.values[0], path.final
            gaps, remainders, across = [], [], []
            for tau, w in zip(ends, values):
                rho = w - growth * tau
                across.append(np.linalg.norm(rho - (rho @ unit) * unit))
                scale = np.linalg.norm(growth) * tau - np.linalg.norm(rho)
                remainders.append(np.linalg.norm(rho) / scale + (across[-1] / scale) ** 2)
                gaps.append(_gap(w, unit))
            if across[-1] <= 1e-9 * (1 + np.linalg.norm(path.final - growth * path.tau_end)):
                return Skip(f"{loss}: ρ is parallel to ŵ, so the gap falls like 1/log²t, not 1/log t")
            exponent = math.log(gaps[1] / gaps[0]) / math.log(2)
            tolerance = (-math.log(1 - remainders[0]) - math.log(1 - remainders[1])) / math.log(2) + 1e-6
            constant = across[1] / np.linalg.norm(growth)
            return Measured(abs(exponent + 1), tolerance, f"{loss}: p = {exponent:.6f}, gap·τ = "
                            f"{gaps[1] * ends[1]:.6g} (limit {constant:.6g}) at τ = {ends[1]:.0f}",
                            {"loss": loss, "exponent": exponent, "gap tau": gaps[1] * ends[1], "limit": constant})
        return _per_loss(case, measure)

    def train(self, cases, run):
        from ..training import linear_classifiers as training  # noqa: PLC0415 - torch only when models train

        steps = STEP_FACTOR * run.profile.step_budget
        record = _records(steps)
        data = [training.Data(*case.data) for case in cases]
        experiments, plans = [], []
        for index, case in enumerate(cases):
            step = _step(case)
            for loss in LOSSES:
                experiments.append(training.Experiment(index, loss, step, steps, record))
                experiments.append(training.Experiment(index, loss, step / 2, 2 * steps, tuple(2 * k for k in record)))
                plans.append((case, loss, step))
        runs = training.train(experiments, data, shape=(POINTS[1], DIMENSIONS[1]), device=run.device, dtype=run.dtype)
        results = {case: {} for case in cases}
        for p, (case, loss, step) in enumerate(plans):
            if not (runs.finite[2 * p] and runs.finite[2 * p + 1]):
                results[case][loss] = Diverged(f"GD diverged (NaN/inf) on the {loss} loss at step {step:.3g} = "
                                               "1/max‖z_i‖², the smoothness of the mean loss on its sublevel set")
                continue
            results[case][loss] = Trained(step=step, record=record, full=runs.predictors[2 * p],
                                          half=runs.predictors[2 * p + 1], where=runs.where)
        return results

    @check("empirical", measures="ratio to bound")
    def gd_vs_flow(self, case, run, trained):
        """torch GD (batched, torch.optim.SGD, w(0) = 0, step η = 1/max‖z_i‖² and η/2) against the flow at the same
        times t = ηk (13 log-spaced k): ‖w_GD(η/2) − w(t)‖, both losses

        Tolerance: first order in η: 2‖w_GD(η) − w_GD(η/2)‖ (the factor 2 covers the O(η²) remainder) plus the flow's
        tolerance 1e-7(1 + ‖w‖) and rounding 4k(n + d)u‖w‖
        """
        def measure(loss, _, __, model):
            flow = _flow_at(case, loss, model.step, model.record)
            ratios = [np.linalg.norm(model.half[r] - flow[r]) / _distance_bound(case, run, model, flow, r)
                      for r, k in enumerate(model.record) if k > 0]
            return Measured(worst(ratios), 1.0, f"{loss}, η = {model.step:.3g}", {"loss": loss})
        return _per_loss(case, measure, trained)

    @check("empirical", measures="ratio to bound")
    def gd_direction(self, case, run, trained):
        """torch GD's direction gap ‖w/‖w‖ − ŵ/‖ŵ‖‖ against the flow's at the same 13 times (both losses); reported:
        GD's fitted exponent p of gap ∝ (log t)^p over its last two decades and gap·log t

        Tolerance: geometry: |gap_GD − gap_flow| ≤ 2‖w_GD − w‖/‖w‖, with ‖w_GD − w‖ replaced by gd-vs-flow's first-order
        bound
        """
        def measure(loss, asymptote, _, model):
            unit = asymptote.growth / np.linalg.norm(asymptote.growth)
            flow = _flow_at(case, loss, model.step, model.record)
            times, gaps, ratios = [], [], []
            for r, k in enumerate(model.record):
                if k == 0:
                    continue
                distance = _distance_bound(case, run, model, flow, r)
                gap = _gap(model.half[r], unit)
                ratios.append(abs(gap - _gap(flow[r], unit)) / (2 * distance / np.linalg.norm(flow[r])))
                times.append(model.step * k)
                gaps.append(gap)
            logs = np.log(times)
            late = logs >= logs[-1] - math.log(100)
            exponent = float(np.polyfit(np.log(logs[late]), np.log(gaps)[late], 1)[0]) if logs[late][0] > 0 else math.nan
            return Measured(worst(ratios), 1.0, f"{loss}: gap {gaps[-1]:.3g} at t = {times[-1]:.3g}, fitted "
                            f"exponent {exponent:.2f}, gap·log t = {gaps[-1] * logs[-1]:.3g}",
                            {"loss": loss, "times": times, "gaps": gaps, "exponent": exponent,
                             "gap log t": float(gaps[-1] * logs[-1])})
        return _per_loss(case, measure, trained)

    corruptions = (
        Corruption("log t coefficient 3% long: w(t) = 1.03ŵ log t + ρ",
                   lambda: theory.substituted(growth=lambda svm: sp.Rational(103, 100) * svm),
                   checks=("asymptotic-solution", "flow-asymptote")),
        Corruption("SVM direction rotated by 3% (in the plane of its first two coordinates)",
                   lambda: theory.substituted(growth=lambda svm: sp.Matrix([svm[0] - sp.Rational(3, 100) * svm[1],
                                                                            svm[1] + sp.Rational(3, 100) * svm[0],
                                                                            *svm[2:]])),
                   checks=("asymptotic-solution", "flow-asymptote", "flow-direction-rate")),
        Corruption("offset without the 1/n: ⟨ρ, z_i⟩ = −log α_i",
                   lambda: theory.substituted(offset=lambda count, dual: -sp.log(dual)),
                   checks=("asymptotic-solution", "flow-asymptote")),
    )

    def tables(self, result) -> dict:
        flow = {(o.case, o.measurements["loss"]): o.measurements for o in result.outcomes
                if o.check == "flow-direction-rate" and "exponent" in o.measurements}
        rows = []
        for o in result.outcomes:
            if o.check != "gd-direction" or "gaps" not in o.measurements:
                continue
            m, f = o.measurements, flow.get((o.case, o.measurements["loss"]), {})
            rows.append((o.case.describe(), m["loss"], f"{m['gaps'][-1]:.3g}", f"{m['exponent']:.2f}",
                         f"{m['gap log t']:.3g}", f"{f.get('exponent', math.nan):.5f}", f"{f.get('limit', math.nan):.3g}"))
        if not rows:
            return {}
        return {"Direction gap ∝ (log t)^p: GD's last two decades, and the flow far out (p → −1; limit of gap·log t)": (
            ("case", "loss", "GD final gap", "GD p", "GD gap·log t", "flow p", "flow limit"), rows)}

    def figures(self, directory, result) -> list:
        from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

        curves = [o for o in result.outcomes if o.check == "gd-direction" and "gaps" in o.measurements]
        limits = {(o.case, o.measurements["loss"]): o.measurements["limit"] for o in result.outcomes
                  if o.check == "flow-direction-rate" and "limit" in o.measurements}
        figure, (plane, decay) = plt.subplots(1, 2, figsize=(11, 4.6), constrained_layout=True)
        _plane_panel(plane, result.settings, COLOURS)
        for index, o in enumerate(curves):
            m = o.measurements
            style = "-" if m["loss"] == "exponential" else "--"
            decay.plot(m["times"], m["gaps"], style, marker="o", ms=3, lw=1, color=COLOURS[index // 2 % 4])
            if (o.case, m["loss"]) in limits and m["loss"] == "exponential":
                times = np.geomspace(max(np.e, m["times"][0]), m["times"][-1], 50)
                decay.plot(times, limits[(o.case, m["loss"])] / np.log(times), ":", lw=1.2, color=COLOURS[index // 2 % 4])
        decay.set_yscale("log")
        decay.set_xscale("log")
        decay.set_xlabel(r"$t = \eta k$")
        decay.set_ylabel(r"$\|w/\|w\| - \hat w/\|\hat w\|\|$")
        decay.set_title("direction gap of GD (solid: exponential, dashed: logistic);\ndotted: the flow's limit "
                        r"$\|P_\perp\rho\|/(\|\hat w\|\log t)$", fontsize=9.5)
        decay.grid(alpha=0.25, which="both")
        figure.suptitle("maxmargin: GD on separable data turns towards the hard-margin SVM at rate 1/log t")
        return save(figure, directory, "maxmargin")


def _per_loss(case, measure, trained=None) -> list:
    """Per loss: ``measure(loss, asymptote, flow path, trained model or None)``, or the Skip/Diverged that stands
    for it."""
    outcomes = []
    for loss in LOSSES:
        model = None if trained is None else trained[loss]
        reference = _reference(case, loss, theory.statement_key())
        if model is not None and not isinstance(model, Trained):
            outcomes.append(model)
        elif isinstance(reference, Skip):
            outcomes.append(reference)
        else:
            outcomes.append(measure(loss, *reference, model))
    return outcomes


def _distance_bound(case, run, model, flow, r) -> float:
    """First-order bound on ‖w_GD(η/2) − w(t)‖ at record r: 2‖w_GD(η) − w_GD(η/2)‖ + the flow's tolerance + rounding."""
    size = np.linalg.norm(flow[r])
    return (2 * np.linalg.norm(model.full[r] - model.half[r]) + FLOW_TOLERANCE * (1 + size)
            + 8 * model.record[r] * (case.points + case.dimension) * run.unit_roundoff * size)


def _gap(w, unit) -> float:
    return float(np.linalg.norm(w / np.linalg.norm(w) - unit))


def _step(case) -> float:
    x, y = case.data
    return 1.0 / float(np.max(np.sum(x**2, axis=1)))


def _records(steps: int) -> tuple:
    return tuple(sorted({0, steps} | {max(1, round(steps ** (j / (RECORDS - 1)))) for j in range(RECORDS)}))


@lru_cache(maxsize=256)
def _reference(case, loss, statement):
    """The stated asymptote and the flow followed until its slowest transient decayed by e^{−40}; a Skip for data
    whose transient outlasts the integration budget or whose SVM is degenerate."""
    x, y = case.data
    try:
        asymptote = numbers.asymptote(x, y, loss=loss)
    except ParameterError as degenerate:
        return Skip(f"degenerate data: {degenerate}")
    tau_end = 2 * (20 + numbers.DECAY / asymptote.rate)  # the transient is below e^{−40} at τ_end, e^{−20} at τ_end/2
    if tau_end > numbers.TAU_MAX:
        return Skip(f"the flow's slowest transient (rate {asymptote.rate:.2g} in log time) outlasts the "
                    f"integration budget τ ≤ {numbers.TAU_MAX:g}")
    return asymptote, numbers.flow(x, y, loss=loss, taus=[tau_end / 2], tau_end=tau_end)


@lru_cache(maxsize=256)
def _flow_at(case, loss, step, record):
    x, y = case.data
    taus = [math.log(step * k) for k in record if k > 0]
    values = numbers.flow(x, y, loss=loss, taus=taus, tau_end=max(0.0, max(taus))).values
    return np.vstack([np.zeros((1, x.shape[1])), values]) if record[0] == 0 else values


def _plane_panel(axis, settings, colours) -> None:
    """A two-dimensional example: the data, the SVM direction, and GD's direction at t = 10, 10², …."""
    from ..plots import plt  # noqa: PLC0415 - matplotlib only when figures are asked for
    from ..training import linear_classifiers as training  # noqa: PLC0415 - torch only when figures are drawn

    x, y = numbers.separable_data(points=14, dimension=2, seed=8, gap=0.2)  # a seed with a visible margin (0.62)
    asymptote = numbers.asymptote(x, y, loss="logistic")
    step = 1.0 / float(np.max(np.sum(x**2, axis=1)))
    record = tuple(int(round(10**j / step)) for j in range(1, 5))
    runs = training.train([training.Experiment(0, "logistic", step, record[-1], record)], [training.Data(x, y)],
                          device=settings.device, dtype=settings.dtype)
    for label, colour, marker in ((1, colours[0], "o"), (-1, colours[1], "s")):
        axis.plot(*x[y == label].T, marker, color=colour, ms=5, ls="none", label=f"y = {label:+d}")
    support = x[asymptote.support]
    axis.plot(*support.T, "ko", ms=10, mfc="none", label="support vectors")
    unit = asymptote.growth / np.linalg.norm(asymptote.growth)
    span = np.array([-1, 1]) * 3.5
    axis.plot(span * -unit[1], span * unit[0], "k-", lw=1.5, label="SVM boundary")
    shades = plt.get_cmap("viridis")(np.linspace(0.85, 0.15, len(record)))
    for j, w in enumerate(runs.predictors[0]):
        direction = w / np.linalg.norm(w)
        axis.plot(span * -direction[1], span * direction[0], "--", lw=1.2, color=shades[j],
                  label=f"GD boundary at t = 1e{j + 1}")
    for side in (1, -1):  # the margin lines ⟨ŵ, x⟩ = ±1
        shift = side * asymptote.growth / np.linalg.norm(asymptote.growth) ** 2
        axis.plot(shift[0] + span * -unit[1], shift[1] + span * unit[0], "k:", lw=0.8)
    axis.set_aspect("equal")
    axis.set_xlim(-3.5, 3.5)
    axis.set_ylim(-3.5, 3.5)
    axis.set_title("d = 2, logistic loss: GD's boundary turns to the SVM's")
    axis.plot([], [], "k:", lw=0.8, label="SVM margins ⟨ŵ, x⟩ = ±1")
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    axis.grid(alpha=0.25)


CLAIM = MaxMargin()
