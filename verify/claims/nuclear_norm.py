"""nuclear-norm: matrix sensing with commuting measurements, from a tiny start αI, converges to the minimum nuclear
norm PSD solution as α → 0 (Gunasekar et al. 2017; Vardi's review).

The mathematics and where each tolerance comes from: docs/claims/vardi-stability-and-rank.md §3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from unittest import mock

import mpmath as mp
import numpy as np
from hypothesis import strategies as st

from numerics import nuclear_norm as numbers
from numerics import stability as reflectors
from theory import nuclear_norm as theory

from ..cases import Case, exact_product, round_down
from ..claim import Claim, Corruption, Diverged, Measured, Skip, Trained, check, derived, digits_tolerance, worst
from ..strategies import log_uniform

SCALES = (Fraction(1, 10**6), Fraction(1, 10**2))  # α: W_1(0) = W_2(0) = √α·I, X(0) = αI
LADDER = tuple(Fraction(1, 10**k) for k in range(1, 9))  # α's at which the flow's limit is followed to the LP
STEP_FRACTION = Fraction(1, 2)  # η = this × 2/(the larger sharpness at the truth and at the minimiser)
CONVERGED = 1e-6  # GD counts as converged below this relative constraint residual: the first-order bounds need
# the residual's second-order terms to be negligible (docs §3.4)
STEPS_PER_BUDGET = 4
# n of the cases: each trains embedded in the largest, so that its rounding, and the bound on it, are the same
# whichever cases train with it (a case replayed alone is judged as in its chunk)
SIZES = (3, 7)
LP_TOLERANCE = 1e-9  # HiGHS asked for 1e-10 feasibility: its optimum and KKT residuals within 1e-9 (docs §3.4)


@dataclass(frozen=True)
class SensingCase(Case):
    """Measurements A_i = Q diag(D_i) Qᵀ (D = ``table``, m × n integers; Q the Householder reflector of
    ``reflector``), the PSD truth X* = Q diag(``truth``) Qᵀ, y = Dx*; the start scale α = ``scale`` and GD step
    ``step``."""

    table: tuple
    truth: tuple
    reflector: tuple
    scale: Fraction  # α: the flow starts at X(0) = αI
    step: Fraction  # GD's η

    @property
    def observations(self) -> tuple:
        """The measurements y_i = ⟨A_i, X*⟩ = (D x*)_i, in exact arithmetic."""
        return exact_product(self.table, self.truth)

    @property
    def size(self) -> int:
        return len(self.truth)  # n: X* and the A_i are n × n


@st.composite
def sensing_cases(draw) -> SensingCase:
    """D = [I_m | B] with its columns permuted (full row rank by construction, m < n), B small integers; the truth
    has every eigenvalue positive, so the feasible set has a positive point and the flow's limit α·exp(Dᵀμ) exists
    for every α (a feasible set inside a face of the orthant would send μ to infinity)."""
    size = draw(st.integers(*SIZES))
    measured = draw(st.integers(2, size - 1))
    rest = [draw(st.lists(st.integers(-2, 2), min_size=size - measured, max_size=size - measured))
            for _ in range(measured)]
    order = draw(st.permutations(range(size)))
    full = [[int(i == j) for j in range(measured)] + rest[i] for i in range(measured)]
    table = tuple(tuple(row[order.index(j)] for j in range(size)) for row in full)
    truth = tuple(Fraction(draw(st.integers(10, 200)), 100) for _ in range(size))
    reflector = draw(st.lists(st.integers(-3, 3), min_size=size, max_size=size))
    if not any(reflector):
        reflector[0] = 1
    step = round_down(STEP_FRACTION * 2 / _sharpness(table, truth))

    return SensingCase(table, truth, tuple(reflector), log_uniform(draw, *SCALES), step)


def _sharpness(table, truth) -> float:
    """The larger top Hessian eigenvalue of the reduced loss at x* and at the minimiser: (4/m)·λ_max(D diag(x) Dᵀ)
    (the Gauss–Newton part; the residual term vanishes at a solution)."""
    d = np.array(table, dtype=float)
    _, vertex, _ = numbers.vertex_minimum(table, list(exact_product(table, truth)))
    points = (np.array([float(v) for v in truth]), np.array([float(v) for v in vertex]))
    return max(4 / len(d) * float(np.linalg.eigvalsh((d * x) @ d.T)[-1]) for x in points)


class NuclearNorm(Claim):
    id = "nuclear-norm"
    step_factor = STEPS_PER_BUDGET
    title = "Commuting matrix sensing from a tiny start converges to the minimum nuclear norm solution"
    statement = (
        "For measurements A_i = Q diag(D_i) Qᵀ that commute (D ∈ R^{m×n}, m < n), observations y_i = ⟨A_i, X*⟩ of a "
        "PSD X*, and W = W_1W_2 trained on ½·mean_i(⟨A_i, W⟩ − y_i)² from W_1 = W_2 = √α·I: the layers stay equal and "
        "diagonal in Q's basis, W = Q diag(x) Qᵀ PSD, and gradient flow converges to x = α·exp(Dᵀμ) with Dx = y, the "
        "minimiser of Σ x_j log(x_j/α) − x_j subject to Dx = y, whose trace decreases, as α → 0, to the minimum "
        "nuclear norm of a PSD solution of ⟨A_i, X⟩ = y_i, which is min 1ᵀx subject to Dx = y, x ≥ 0; gradient descent "
        "with step η "
        "converges to the same minimiser with α replaced by α·e^δ, δ = Σ_k 2[log(1 − ηg_k) + ηg_k] = O(η).")
    provenance = """
        seen: Vardi's review (CACM 2023, 'Matrix factorization as a test-bed'): Gunasekar et al. conjectured that
        gradient flow from small initialisation minimises the nuclear norm, and proved it when the measurement matrices
        commute.

        reconstructed: Gunasekar, Woodworth, Bhojanapalli, Neyshabur & Srebro (NeurIPS 2017), the commuting case: the
        statement and its proof route (reduction to the eigenvalues, an exponentiated-gradient limit) are rebuilt here,
        not quoted.

        derived: The reduction to the eigenvalue table D, the flow's limit as an entropy-regularised trace, GD's exact
        effective start α·e^δ, and the duality identity used to read gaps: derived here.
        """
    corruptions = (
        Corruption("flow limit from α² instead of α (X(0) = αI read as W(0) = αI)",
                   lambda: _changed_start(lambda start: start**2), checks=("replay-limit", "gd-trace")),
        Corruption("flow limit from 1.05α (the start's scale 5% off)",
                   lambda: _changed_start(lambda start: start * Fraction(105, 100)),
                   checks=("replay-limit", "gd-trace")),
        Corruption("loss read as a sum over measurements (g = Dᵀr instead of Dᵀr/m)",
                   lambda: mock.patch.object(numbers, "gradient", lambda d, x, y: d.T @ (d @ x - y)),
                   checks=("gd-vs-replay",)),
    )

    # --- once per run ---------------------------------------------------------------------------------------
    @derived(theory.reduction_derivation)
    def reduction(self):
        """with W_1 = W_2 = Q diag(w) Qᵀ and A_i = Q diag(D_i) Qᵀ the gradient is Q diag(w·Dᵀr/m (entrywise)) Qᵀ; d log
        x/dt = −2g; x = αe^{Dᵀμ} is stationary for Σ x log(x/α) − x on Dx = y, which over log(1/α) is the trace plus a
        vanishing entropy; GD's step on log x; the duality identity; tr Q diag(x) Qᵀ = Σ x

        Tolerance: exact (a log identity confirmed at two points of its domain)
        """

    # --- per case ---------------------------------------------------------------------------------------
    case_strategy = sensing_cases()

    @check("numeric", measures="relative error / residual")
    def lp_optimum(self, case, run):
        """the minimum nuclear norm (min 1ᵀx subject to Dx = y, x ≥ 0) by SciPy HiGHS against exact rational vertex
        enumeration (every basis), and HiGHS's KKT residuals (primal and dual feasibility, complementary slackness,
        duality gap)

        Tolerance: 1e-9: HiGHS at feasibility tolerance 1e-10 (relative for the optimum, absolute on the data's scale
        for the residuals)
        """
        solved = numbers.minimum_trace(case.table, case.observations)
        exact, vertex, unique = numbers.vertex_minimum(case.table, case.observations)
        outcomes = [Measured(abs(solved.value - float(exact)) / float(exact), LP_TOLERANCE,
                             f"HiGHS {solved.value:.12g} vs exact {float(exact):.12g} "
                             f"({'unique' if unique else 'not unique'})")]
        outcomes += [Measured(value, LP_TOLERANCE, f"KKT: {name}") for name, value in solved.kkt.items()]
        return outcomes

    @check("numeric",
           compares=f"the gradient-flow limit x(α) = αe^{{Dᵀμ}} (Newton on the dual, mpmath) for α = 1e-1 … "
                    "1e-8: its constraint residual; its trace never below the minimum nuclear norm and non-increasing "
                    "as α "
                    "decreases (the gap → 0)", measures="residual / largest increase of the trace / deficit")
    def flow_limit(self, case, run):
        """Tolerance: 10^(10−dps): the limit is computed at dps digits; monotonicity and the lower bound are exact (docs
        §3.3)
        """
        exact, _, _ = numbers.vertex_minimum(case.table, case.observations)
        path = numbers.entropic_path(case.table, case.observations, [[alpha] * case.size for alpha in LADDER],
                                     dps=run.dps)
        residuals = [residual for _, residual in path]
        with mp.workdps(run.dps + 10):  # the traces carry dps + 10 digits: difference them before rounding
            minimum = mp.mpf(exact.numerator) / exact.denominator
            traces = [mp.fsum(x) for x, _ in path]
            increases = [max(0.0, float((later - earlier) / minimum)) for earlier, later in zip(traces, traces[1:])]
            gaps = [float((trace - minimum) / minimum) for trace in traces]
        tolerance = digits_tolerance(run.dps)
        data = {"alphas": [float(a) for a in LADDER], "relative gaps": gaps}
        gap_text = ", ".join(f"{g:.2g}" for g in gaps)
        return [Measured(worst(residuals), tolerance, "Newton residual ‖Dx − y‖/‖y‖"),
                Measured(worst(increases), tolerance, f"relative trace gaps {gap_text} for α = 1e-1 … 1e-8", data),
                Measured(worst(max(0.0, -g) for g in gaps), tolerance, "trace below the minimum nuclear norm")]

    @check("numeric", measures="largest absolute difference")
    def replay_limit(self, case, run):
        """gradient descent replayed on the eigenvalues (float64) against the minimiser with the effective start α·e^δ
        (δ accumulated along the replay), at the case's α and η

        Tolerance: first order in the replay's remaining residual e = Dx_K − y: 2‖X Dᵀ(D X Dᵀ)⁻¹e‖_∞, plus 4K(n +
        3)u·max x for float64 rounding of K steps
        """
        steps = STEPS_PER_BUDGET * run.profile.step_budget
        x, deviation, residual = numbers.replay(case.table, case.observations, init=case.scale, step=case.step,
                                                steps=steps)
        if residual > CONVERGED:
            return Skip(_unconverged(steps, residual))
        predicted = _predicted(case, deviation, run.dps)
        bound = _residual_bound(case, x) + 4 * steps * (case.size + 3) * run.unit_roundoff * float(np.max(x))
        return Measured(float(np.max(np.abs(x - predicted))), bound,
                        f"replay residual {residual:.2g}, max|δ| = {float(np.max(np.abs(deviation))):.2g}")

    def train(self, cases, run):
        """Every case in one batched program of ``verify.training.sensing`` (depth 2, identity start): every case is
        embedded in the largest n a case can have, with zero measurements on the extra coordinates, which then have
        zero gradient and stay at α (their trace is subtracted)."""
        from ..training import sensing as training  # noqa: PLC0415 - torch only when models train

        size = SIZES[1]
        steps = STEPS_PER_BUDGET * run.profile.step_budget
        measurements, targets, bases = [], [], []
        for case in cases:
            basis = _embedded(np.array(reflectors.reflector(case.reflector), dtype=float), size)
            bases.append(basis)
            table = np.zeros((len(case.table), size))
            table[:, : case.size] = np.array(case.table, dtype=float)
            measurements.append(np.stack([basis @ np.diag(row) @ basis.T for row in table]).reshape(len(table), -1))
            truth = np.zeros(size)
            truth[: case.size] = [float(v) for v in case.truth]
            targets.append(basis @ np.diag(truth) @ basis.T)
        experiments = [training.Experiment(np.stack([math.sqrt(float(case.scale)) * np.eye(size)] * 2), target, index,
                                           case.step, (steps,))
                       for index, (case, target) in enumerate(zip(cases, targets))]
        runs = training.train(experiments, measurements, top=1, device=run.device, dtype=run.dtype)
        results = {}
        for index, case in enumerate(cases):
            if not runs.finite[index]:
                results[case] = Diverged(f"GD diverged (NaN/inf) at step {float(case.step):g}: the step is half the "
                                         "stability limit at the truth, so the trajectory passed a sharper region")
                continue
            rotated = bases[index].T @ runs.final[index] @ bases[index]
            replayed = numbers.replay(case.table, case.observations, init=case.scale, step=case.step, steps=steps)
            results[case] = Trained(diagonal=np.diag(rotated)[: case.size].copy(), rotated=rotated, steps=steps,
                                    replay=replayed, where=runs.where)
        return results

    @check("empirical", measures="largest absolute difference")
    def gd_vs_replay(self, case, run, trained):
        """torch GD's W in Q's basis: its diagonal against the replay on the eigenvalues, its off-diagonal against 0
        (the layers stay diagonal there)

        Tolerance: first-order rounding: K·c·u·max x, c = 4(d² + m + 2) ulps per step (the measurement inner products
        and the update), u the unit roundoff
        """
        x, _, _ = trained.replay
        size = len(trained.rotated)
        bound = trained.steps * 4 * (size**2 + len(case.table) + 2) * run.unit_roundoff * float(np.max(x))
        off = trained.rotated - np.diag(np.diag(trained.rotated))
        error = max(float(np.max(np.abs(trained.diagonal - x))), float(np.max(np.abs(off))))
        return Measured(error, bound, trained.where)

    @check("empirical", measures="absolute difference of traces")
    def gd_trace(self, case, run, trained):
        """the nuclear norm (trace) of torch GD's W against the trace of the minimiser with the effective start α·e^δ;
        reported: its gap to the minimum nuclear norm and its distance to the minimising X

        Tolerance: the replay's first-order residual bound plus rounding (as replay-limit), summed over the eigenvalues
        """
        _, deviation, residual = trained.replay
        if residual > CONVERGED:
            return Skip(_unconverged(trained.steps, residual))
        predicted = _predicted(case, deviation, run.dps)
        exact, vertex, unique = numbers.vertex_minimum(case.table, case.observations)
        largest = float(np.max(trained.diagonal))
        rounding = 4 * trained.steps * (len(trained.rotated) ** 2 + 3) * run.unit_roundoff * largest
        bound = case.size * (_residual_bound(case, trained.diagonal) + rounding)
        trace = float(np.sum(trained.diagonal))
        gap = (trace - float(exact)) / float(exact)
        distance = float(np.max(np.abs(trained.diagonal - np.array([float(v) for v in vertex]))))
        data = {"alpha": float(case.scale), "gap": gap, "distance": distance if unique else None,
                "residual": residual}
        return Measured(abs(trace - float(np.sum(predicted))), bound,
                        f"trace {trace:.10g}, minimum nuclear norm {float(exact):.10g} (gap {gap:.2g}); "
                        f"distance to the minimiser {distance:.2g}" + ("" if unique else " (minimiser not unique)"),
                        data)

    # --- reports ----------------------------------------------------------------------------------------

    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        return _figure(directory, result)


def _unconverged(steps: int, residual: float) -> str:
    return (f"GD has not converged in {steps} steps (relative residual {residual:.2g} > {CONVERGED:g}): the "
            "first-order bound needs a converged run; a larger profile runs more steps")


def _embedded(basis: np.ndarray, size: int) -> np.ndarray:
    out = np.eye(size)
    out[: len(basis), : len(basis)] = basis
    return out


def _predicted(case: SensingCase, deviation, dps: int) -> np.ndarray:
    starts = [case.scale * Fraction(math.exp(float(d))) for d in deviation]
    x, _ = numbers.entropic_minimum(case.table, case.observations, starts, dps=dps)
    return np.array([float(v) for v in x])


def _residual_bound(case: SensingCase, x: np.ndarray) -> float:
    """2‖X Dᵀ(D X Dᵀ)⁻¹ e‖_∞ with e = Dx − y: the first-order change of the minimiser when its data move by e."""
    d = np.array(case.table, dtype=float)
    error = d @ x - np.array([float(v) for v in case.observations])
    weighted = d * x[None, :]
    return float(2 * np.max(np.abs(weighted.T @ np.linalg.solve(weighted @ d.T, error))))


def _changed_start(change):
    """Every entropic minimiser (the flow's and GD's predicted limits) computed from ``change(weight)``."""
    original = numbers.entropic_minimum

    def changed(rows, observations, starts, *, dps=30):
        return original(rows, observations, [change(Fraction(s)) for s in starts], dps=dps)

    return mock.patch.object(numbers, "entropic_minimum", changed)


def _figure(directory, result) -> list:
    from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

    flows = [o.measurements for o in result.outcomes if o.check == "flow-limit" and "alphas" in o.measurements]
    trained = [o.measurements for o in result.outcomes if o.check == "gd-trace" and o.data]
    figure, axis = plt.subplots(figsize=(7.2, 4.6), constrained_layout=True)
    for index, record in enumerate(flows):
        axis.plot(record["alphas"], [max(g, 1e-17) for g in record["relative gaps"]], "-", color="0.6", lw=1,
                  label="gradient-flow limit (Newton), per case" if index == 0 else None)
    if trained:
        axis.plot([r["alpha"] for r in trained], [max(r["gap"], 1e-17) for r in trained], "o", color=COLOURS[0],
                  mfc="white", label="torch GD (trained), per case")
    axis.set(xscale="log", yscale="log", xlabel=r"start scale $\alpha$ ($X(0) = \alpha I$)",
             ylabel=r"$(\|X\|_* - \min\|X\|_*)/\min\|X\|_*$",
             title="Commuting sensing: the nuclear-norm gap vanishes as α → 0")
    axis.invert_xaxis()
    axis.legend(fontsize=8)
    return save(figure, directory, "nuclear-norm")


CLAIM = NuclearNorm()
