"""greedy-low-rank: matrix factorisation from a tiny start learns the target's eigen-modes one at a time, each at the
time Theorem 1's depth-2 flow predicts from its effective start (Li, Luo & Lyu 2021; Vardi's review).

The mathematics and where each tolerance comes from: docs/claims/vardi-stability-and-rank.md §2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from unittest import mock

import mpmath as mp
import numpy as np
from hypothesis import strategies as st

from numerics import greedy_low_rank as numbers
from numerics import stability as reflectors
from numerics import toy
from theory import greedy_low_rank as theory

from ..cases import Case, round_down
from ..claim import Claim, Corruption, Diverged, Measured, Skip, Trained, check, derived, digits_tolerance, worst
from ..strategies import log_uniform

STEP_FRACTIONS = (Fraction(1, 20), Fraction(1, 10))  # η·λ_1: small enough for the monotone toy map (< 1/2)
SCALES = (Fraction(1, 10**7), Fraction(1, 10**4))  # α, the start's scale: U_0 = α·G (docs §2.4)
STEPS_PER_BUDGET = 4  # GD steps allowed: this many times the profile's step budget
MARGIN = Fraction(11, 10)  # GD runs 10% past the predicted learning of the slowest mode
STEP_TOLERANCE = 1  # torch's hitting step vs the toy map's, in steps (docs §2.4)
RECORDS = 60  # trajectory samples kept for the figure


@dataclass(frozen=True)
class GreedyCase(Case):
    """Target M = Q diag(``targets``, 0, …, 0) Qᵀ of size ``size`` (Q the Householder reflector of ``reflector``),
    start U_0 = ``scale``·G with G a ``size`` × ``width`` matrix of i.i.d. N(0, 1) entries (NumPy PCG64 of ``seed``),
    GD step size ``step``."""

    targets: tuple
    size: int
    width: int
    reflector: tuple
    scale: Fraction
    seed: int
    step: Fraction

    def eigenvalues(self) -> tuple:
        return self.targets + (Fraction(0),) * (self.size - len(self.targets))

    def basis(self) -> list:
        return reflectors.reflector(self.reflector)

    def start(self) -> np.ndarray:
        gaussian = np.random.default_rng([self.seed, 0]).standard_normal((self.size, self.width))
        return float(self.scale) * gaussian

    def target(self) -> np.ndarray:
        q = np.array(self.basis(), dtype=float)
        return q @ np.diag([float(v) for v in self.eigenvalues()]) @ q.T


@st.composite
def greedy_cases(draw) -> GreedyCase:
    """Two or three modes, each 2–2.5× the next (modes closer than 2× learn nearly together), width m or m + 1
    (so each mode's effective start differs from its raw one), 1–4 null directions."""
    modes = draw(st.integers(2, 3))
    targets = [Fraction(draw(st.integers(50, 200)), 100)]
    for _ in range(modes - 1):
        targets.insert(0, targets[0] * Fraction(draw(st.integers(20, 25)), 10))
    size = draw(st.integers(modes + 1, modes + 4))
    reflector = draw(st.lists(st.integers(-3, 3), min_size=size, max_size=size))
    if not any(reflector):
        reflector[0] = 1
    step = round_down(draw(st.sampled_from(STEP_FRACTIONS)) / targets[0])
    return GreedyCase(tuple(targets), size, draw(st.integers(modes, modes + 1)), tuple(reflector),
                      log_uniform(draw, *SCALES), draw(st.integers(0, 2**32 - 1)), step)


class GreedyLowRank(Claim):
    id = "greedy-low-rank"
    step_factor = STEPS_PER_BUDGET
    title = "Greedy low-rank learning: tiny-start matrix factorisation learns modes one at a time, on Theorem 1's clock"
    statement = (
        "Gradient descent on L(U) = (1/4)‖UUᵀ − M‖²_F (U ∈ R^{d×r}, M = Q diag(λ_1 > … > λ_m > 0, 0, …) Qᵀ) from "
        "a tiny start U_0 learns M's eigen-modes one at a time, largest first: in the eigenbasis the coordinate "
        "s_k = ‖q_kᵀU‖² follows Theorem 1's depth-2 flow ds/dt = 2s(λ_k − s) (clock factor 1 for the (1/4) loss, "
        "t = ηk) from the effective start σ_0,k = ‖P⊥ q_kᵀU_0‖², the part of q_kᵀU_0 orthogonal to the rows of the "
        "modes learned before it; so mode k is half learned at Theorem 1's t = log(λ_k/σ_0,k − 1)/(2λ_k), while "
        "every later coordinate is still below its linear envelope s_j(0)(1 + ηλ_j)^{2k}.")
    provenance = """
        seen: Vardi's review (CACM 2023, 'Matrix factorization as a test-bed'): Li et al. provide evidence that gradient
        flow from infinitesimal initialisation in matrix factorisation is equivalent to Greedy Low-Rank Learning, a
        rank-minimisation heuristic.

        reconstructed: Li, Luo & Lyu (ICLR 2021): the greedy picture (rank-one steps along the top direction of the
        residual); its quantitative form here (the Gram–Schmidt effective starts and the hitting steps) is our
        reconstruction, checked against trained models, not quoted.

        derived: The gradient, its rotation invariance, the reduction of each aligned mode to Theorem 1's depth-2 flow
        with clock factor 1, the row dynamics and their growth envelope, the half-learning time: derived with SymPy here
        (docs/claims/vardi-stability-and-rank.md §2).
        """
    corruptions = (
        Corruption("clock 3% fast (the modes' rate taken as 1.03 × Theorem 1's)",
                   lambda: mock.patch.object(theory, "CLOCK", Fraction(103, 100)),
                   checks=("factorisation-flow", "mode-hitting-steps")),
        Corruption("effective start without the greedy projection (‖q_kᵀU_0‖²)",
                   lambda: mock.patch.object(numbers, "effective_inits", lambda rows, dps=30: [
                       mp.fdot(row, row) for row in rows]),
                   checks=("mode-hitting-steps",)),
    )

    # --- once per run: the derivations ----------------------------------------------------------------
    def statement_key(self) -> str:
        return f"clock {theory.CLOCK}"

    @derived(theory.flow_derivation)
    def factorisation_flow(self):
        """∇L = (UUᵀ − M)U; its rotation invariance; diagonal U stays diagonal and s = u² follows CLOCK × Theorem 1's
        depth-2 flow (stated CLOCK = 1); the rows' flow du_k/dt = λ_k u_k − Σ_j (u_k·u_j)u_j, the envelope of d‖u_k‖²/dt
        and GD's row update

        Tolerance: exact: lhs − rhs simplifies to 0
        """

    @derived(theory.hitting_derivation)
    def half_time(self):
        """Theorem 1's depth-2 solution reaches σ*/2 at t = log(σ*/σ_0 − 1)/(2σ*) (substituted back)"""

    # --- per case ---------------------------------------------------------------------------------------
    case_strategy = greedy_cases()

    @check("numeric", measures="relative error")
    def half_time_vs_theorem1(self, case, run):
        """each mode's half-learning time: the closed form log(λ/σ_0 − 1)/(2λ) against numerics.toy.time_to (thm1's
        evaluator, depth 2), from the effective start

        Tolerance: 10^(10−dps) relative
        """
        errors = []
        for lam, start in zip(case.targets, _effective(case, run.dps)):
            with mp.workdps(run.dps + 20):
                value = mp.mpf(lam.numerator) / lam.denominator
                closed = mp.log(value / start - 1) / (2 * value)
            reference = toy.time_to(lam / 2, depth=2, target=lam, init=start, dps=run.dps)
            errors.append(float(abs(closed - reference) / reference))
        return Measured(worst(errors), digits_tolerance(run.dps), f"{len(errors)} modes")

    @check("numeric", measures="absolute time difference")
    def flow_time_vs_map(self, case, run):
        """η × the step at which the depth-2 toy GD map from the effective start reaches λ/2, against Theorem 1's flow
        time to λ/2

        Tolerance: η + 2δ: one step of discreteness plus twice the first-order lag δ = (η/2)·log(f(w_k)/f(w_0)) of GD
        behind the flow (numerics/gd.py; the factor 2 covers the O(η²) remainder)
        """
        outcomes = []
        for index, (lam, start) in enumerate(zip(case.targets, _effective(case, run.dps))):
            step, lag, _ = numbers.map_hitting_step(target=lam, init=start, step=case.step, clock=theory.CLOCK)
            flow = numbers.flow_hitting_time(target=lam, init=start, clock=theory.CLOCK, dps=run.dps)
            outcomes.append(Measured(abs(float(case.step) * step - float(flow)), float(case.step) + 2 * float(lag),
                                     f"mode {index + 1}: {step} steps vs t = {float(flow):.5g}"))
        return outcomes

    def train(self, cases, run):
        """Every case in one batched program, each for 10% past its predicted last hitting step."""
        from ..training import factorisation as training  # noqa: PLC0415 - torch only when models train

        budget = STEPS_PER_BUDGET * run.profile.step_budget
        results, plans = {}, []
        for case in cases:
            hits = _predicted_steps(case, run.dps)
            steps = math.ceil(float(MARGIN) * max(hits)) + 5
            if steps > budget:
                results[case] = Skip(f"needs {steps} GD steps, over {STEPS_PER_BUDGET} × the profile's budget "
                                     f"({budget})")
            else:
                plans.append((case, hits, steps))
        if not plans:
            return results
        experiments = [training.Experiment(_rows(case.target()), _rows(case.basis()), _rows(case.start()),
                                           float(case.step), steps, tuple(lam / 2 for lam in case.targets),
                                           max(1, steps // RECORDS)) for case, _, steps in plans]
        runs = training.train(experiments, device=run.device, dtype=run.dtype)
        for index, (case, hits, steps) in enumerate(plans):
            if not runs.finite[index]:
                results[case] = Diverged(f"GD diverged (NaN/inf) at step size {float(case.step):g}, below "
                                         "1/(10 λ_1) where the toy map rises monotonically: a defect of the trainer, "
                                         "not a counterexample")
                continue
            modes = len(case.targets)  # the batch pads crossings to the most modes of any case
            results[case] = Trained(predicted=hits, steps=steps, crossings=runs.crossings[index, :modes],
                                    at_crossing=runs.at_crossing[index, :modes], before=runs.before[index, :modes],
                                    trajectory=runs.trajectory[index], every=experiments[index].every,
                                    where=runs.where)
        return results

    @check("empirical", measures="largest |difference| in steps")
    def mode_hitting_steps(self, case, run, trained):
        """when torch GD's coordinate s_k crosses λ_k/2 (placed between steps in log scale), for every mode, against the
        depth-2 toy GD map (Theorem 1's dynamics, stated clock) from the effective start σ_0,k

        Tolerance: 1 step: a chosen constant, the resolution of GD's clock; the greedy picture's own error vanishes with
        the start's scale (observed ≤ 0.1 step, docs §2.4)
        """
        modes = zip(trained.crossings, trained.before, case.targets)
        seen = [k - 1 + float(numbers.crossing_fraction(before, trained.at_crossing[i, i], lam / 2)) if k > 0
                else math.inf for i, (k, before, lam) in enumerate(modes)]
        differences = [abs(a - b) for a, b in zip(seen, trained.predicted)]
        detail = (f"crossings (steps, placed between steps) torch {', '.join(f'{v:.3f}' for v in seen)} vs predicted "
                  f"{', '.join(f'{v:.3f}' for v in trained.predicted)} ({trained.where})")
        data = {"crossings": seen, "predicted": list(trained.predicted),
                "step": float(case.step), "targets": [float(v) for v in case.targets],
                "effective starts": [float(v) for v in _effective(case, 30)],
                "every": trained.every, "trajectory": _finite_rows(trained.trajectory, case.size)}
        return Measured(worst(differences), STEP_TOLERANCE, detail, data)

    @check("empirical", measures="largest ratio to the envelope")
    def later_modes_bounded(self, case, run, trained):
        """at the step k at which mode k is half learned, every later coordinate s_j (later modes and the null
        directions) against its linear envelope s_j(0)(1 + ηλ_j)^{2k}: the modes are learned one at a time

        Tolerance: ratio 1 + 4k(d + r)u: the envelope is exact for GD while η‖UᵀU‖ ≤ 2(1 + ηλ_j)
        (theory/greedy_low_rank.py), plus first-order rounding of k steps (u the unit roundoff)
        """
        eigenvalues = case.eigenvalues()
        initial = trained.trajectory[0]
        ratios, fractions = [], []
        for k, step in enumerate(trained.crossings):
            if step < 0:
                return Measured(math.inf, 1.0, f"mode {k + 1} was never learned within {trained.steps} steps")
            later = range(k + 1, case.size)
            envelope = [initial[j] * (1 + float(case.step * eigenvalues[j])) ** (2 * int(step)) for j in later]
            ratios += [trained.at_crossing[k, j] / bound for j, bound in zip(later, envelope)]
            fractions.append([float(trained.at_crossing[k, j] / eigenvalues[j]) for j in later if eigenvalues[j]])
        tolerance = 1 + 4 * max(int(s) for s in trained.crossings) * (case.size + case.width) * run.unit_roundoff
        return Measured(worst(ratios), tolerance, f"later modes' learned fractions at each hit: "
                        + "; ".join(", ".join(f"{f:.2g}" for f in row) or "-" for row in fractions),
                        {"fractions": fractions})

    # --- reports ----------------------------------------------------------------------------------------

    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        return _figure(directory, result)


def _effective(case: GreedyCase, dps: int) -> list:
    """The effective starts σ_0,k of the case's modes (Gram–Schmidt on the start's rows in the eigenbasis)."""
    rows = numbers.coordinates(case.start().tolist(), case.basis(), dps=dps)
    return numbers.effective_inits(rows[: len(case.targets)], dps=dps)


def _predicted_steps(case: GreedyCase, dps: int) -> tuple:
    """Each mode's crossing of λ/2 by the toy map from its effective start, placed between steps (a float)."""
    return tuple(float(numbers.map_hitting_step(target=lam, init=start, step=case.step, clock=theory.CLOCK)[2])
                 for lam, start in zip(case.targets, _effective(case, dps)))


def _rows(matrix) -> tuple:
    return tuple(tuple(float(v) for v in row) for row in matrix)


def _finite_rows(trajectory, size: int) -> list:
    return [[float(v) for v in row[:size]] for row in trajectory if np.isfinite(row[:size]).all()]


def _figure(directory, result) -> list:
    from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

    records = [o.measurements for o in result.outcomes if o.check == "mode-hitting-steps" and o.data]
    figure, axis = plt.subplots(figsize=(7.5, 4.6), constrained_layout=True)
    if records:
        record = max(records, key=lambda r: len(r["targets"]))  # a case with the most modes
        eta, every = record["step"], record["every"]
        trajectory = np.array(record["trajectory"])
        times = np.arange(len(trajectory)) * every * eta
        for k in range(trajectory.shape[1]):
            modes = len(record["targets"])
            colour = COLOURS[k % len(COLOURS)] if k < modes else "0.6"
            axis.plot(times, trajectory[:, k], "o" if k < modes else ".", ms=3.5 if k < modes else 2, color=colour,
                      mfc="white" if k < modes else colour, label=f"torch GD, mode {k + 1}" if k < modes else None)
        for k, (lam, start) in enumerate(zip(record["targets"], record["effective starts"])):
            grid = np.linspace(0, times[-1], 200)
            curve = [float(toy.sigma_at(t, depth=2, target=Fraction(lam), init=Fraction(start), dps=15)) for t in grid]
            axis.plot(grid, curve, color=COLOURS[k % len(COLOURS)], lw=1.4,
                      label=r"Theorem 1 ($N = 2$) from the effective start $\sigma_{0,k}$" if k == 0 else None)
            axis.axvline(record["predicted"][k] * eta, color=COLOURS[k % len(COLOURS)], ls=":", lw=1)
        axis.plot([], [], ".", color="0.6", label="null directions")
        axis.set(yscale="log", xlabel=r"time $t = \eta k$", ylabel=r"$s_k = \|q_k^\top U\|^2$",
                 title="Modes learned one at a time (dotted: predicted half-learning steps)")
        axis.legend(fontsize=8, loc="lower right")
    else:
        axis.text(0.5, 0.5, "no trained case", ha="center", transform=axis.transAxes)
    figure.suptitle("Greedy low-rank learning in (1/4)‖UUᵀ − M‖² from a tiny start")
    return save(figure, directory, "greedy-low-rank")


CLAIM = GreedyLowRank()
