"""rank-budget: deep linear networks learn the modes of a geometric target spectrum one by one, largest first, and
fewer of them within a fixed budget the deeper they are, as Theorem 1's flow predicts per mode (the spectral form
of Huh et al.'s Figure 1).

The mathematics and where each tolerance comes from: docs/claims/low-rank-simplicity.md (§4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from unittest import mock

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from numerics import rank_budget as numbers
from theory import rank_budget as theory
from theory import sensing, theorem1

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, check, derived, worst
from ..strategies import log_uniform

DEPTHS = (1, 2, 4)
RATIO = Fraction(1, 2)
FRACTION = Fraction(9, 10)  # a mode is learned once σ ≥ 0.9 s*
REDUCTION_SIZE = 2  # the aligned reduction is derived for d = 2 (one off-diagonal pair)


@dataclass(frozen=True)
class BudgetCase(Case):
    """``modes`` targets s*_k = 2^−k, all starting at ``init``; every depth of DEPTHS trained by GD with step
    1/(4N) for ⌊budget/η⌋ steps (``budget`` in flow time)."""

    modes: int
    init: Fraction
    budget: Fraction

    @property
    def targets(self) -> tuple:
        return numbers.geometric_targets(RATIO, self.modes)


def step(depth: int) -> Fraction:
    """A quarter of the largest monotone step 1/(N s*^{2−2/N}) at the largest target s* = 1 (``numerics.gd``)."""
    return Fraction(1, 4 * depth)


def events(modes: int, init: Fraction, dps: int = 20) -> dict:
    """{depth: [(t_k + δ_k, margin_k)]}: when GD should reach each level (flow time plus its first-order lag) and the
    distance from it within which a budget is ambiguous (2η + |δ|)."""
    out = {}
    for depth in DEPTHS:
        eta = step(depth)
        rows = []
        for target in numbers.geometric_targets(RATIO, modes):
            arguments = dict(depth=depth, target=target, init=init, fraction=FRACTION)
            lag = numbers.gd_lag(step=eta, **arguments)
            rows.append((numbers.hitting_time(dps=dps, **arguments) + lag, 2 * float(eta) + abs(lag)))
        out[depth] = rows
    return out


@st.composite
def budget_cases(draw, *, step_budget: int) -> BudgetCase:
    modes = draw(st.integers(4, 8))
    smallest = RATIO ** (modes - 1)
    init = log_uniform(draw, Fraction(1, 10**6), min(Fraction(1, 1000), smallest / 10))
    table = events(modes, init)
    latest = step_budget * min(float(step(depth)) for depth in DEPTHS)  # every depth within the step budget
    # the range the claim is about: past depth 1's last mode and the middle depth's first, before its last
    low = max(max(e for e, _ in table[DEPTHS[0]]), min(e for e, _ in table[DEPTHS[1]]))
    high = min(max(e for e, _ in table[DEPTHS[1]]), latest)
    times = sorted(e for rows in table.values() for e, _ in rows)
    candidates = []
    for left, right in zip(times, times[1:]):
        middle = (left + right) / 2
        clear = all(abs(middle - e) >= margin for rows in table.values() for e, margin in rows)
        if low < middle < high and clear:
            candidates.append(middle)
    assume(candidates)
    budget = Fraction(draw(st.sampled_from(candidates))).limit_denominator(1000)
    return BudgetCase(modes, init, budget)


_DIRECTION = {"sign": -1}  # the claim: counts fall (−1) with depth; a corruption flips it


class RankBudget(Claim):
    id = "rank-budget"
    title = "Deep linear networks learn a geometric spectrum largest mode first, fewer modes per budget when deeper"
    statement = (
        "W = W_1⋯W_N (d × d), balanced aligned init W_j = σ_0^{1/N}I with small σ_0, gradient descent on "
        "½‖W − W*‖²_F, W* = diag(1, 1/2, …, 2^{1−d}): every mode follows Theorem 1's flow dσ/dt = Nσ^{2−2/N}(s* − σ) "
        "(claim thm1); for N ≥ 2 the modes reach 90% of their targets in decreasing order of s*, and within a flow-"
        "time budget after depth 1's last mode and depth 2's first, before depth 2's last, the number of modes "
        "learned strictly decreases with depth (N = 1, 2, 4); GD's crossing steps match (t + δ)/η per mode.")
    provenance = """
        seen: Figure 1 of Huh et al.: within a fixed budget, deeper linear networks fit high-rank targets worse.

        reconstructed: The protocol of Figure 1 was not available; this is the spectral variant (a geometric target
        spectrum, aligned balanced init), whose mechanism is exact.

        derived: The reduction to Theorem 1's flow per mode (the sensing claim's derivation, reused), the time scale t =
        s*^{2/N−2}τ_N(σ_0/s*) and its small-init form (docs/claims/low-rank-simplicity.md §4).
        """
    corruptions = (
        Corruption("Theorem 1's time without the factor N", lambda: _slower_flow(),
                   checks=("crossings-vs-flow", "learned-count-vs-flow")),
        Corruption("deeper networks learn more modes", lambda: mock.patch.dict(_DIRECTION, sign=1),
                   checks=("flow-predictions", "count-falls-with-depth")),
    )

    def strategy(self, run):
        return budget_cases(step_budget=run.profile.step_budget)

    # --- once per run --------------------------------------------------------------------------------------
    @derived(*(partial(sensing.reduction_derivation, depth, size=REDUCTION_SIZE) for depth in (1, 2, 3, 4)))
    def aligned_reduction(self):
        """gradient flow of ½‖W_1⋯W_N − W*‖² from diagonal balanced layers stays diagonal and each mode follows N
        σ^{2−2/N}(s* − σ), N = 1..4 (the sensing claim's derivation, d = 2)
        """

    @derived(theory.time_scale_derivation)
    def time_scale(self):
        """t(s*) = s*^{2/N−2}τ_N(σ_0/s*); τ_N(a) ~ a^{2/N−1}/(N − 2) for N ≥ 3; exact τ_1, τ_2"""

    # --- per case ------------------------------------------------------------------------------------------
    @check("numeric", measures="violations")
    def flow_predictions(self, case, run):
        """from Theorem 1's closed form: hitting times of 0.9 s*_k increasing in k for N = 2, 4, and the number of modes
        learned within the budget strictly decreasing over N = 1, 2, 4

        Tolerance: 0 violations
        """
        counts, violations = self._flow_counts(case, run.dps)
        for depth in DEPTHS[1:]:
            times = self._times(case, depth, run.dps)
            violations += sum(1 for a, b in zip(times, times[1:]) if not b > a)
        return Measured(violations, 0, f"flow: {dict(zip(DEPTHS, counts))} modes within budget {float(case.budget):g}",
                        {"flow counts": counts})

    def train(self, cases, run):
        from numerics import sensing_data  # noqa: PLC0415
        from ..training import sensing as training  # noqa: PLC0415 - torch only when training

        pairs = [(case, depth) for case in cases for depth in DEPTHS]
        size = max(case.modes for case in cases)
        steps = [math.floor(case.budget / step(depth)) for case, depth in pairs]
        experiments = [training.Experiment(
            sensing_data.balanced_factors(depth=depth, init=case.init, size=size),
            np.diag([float(s) for s in case.targets] + [0.0] * (size - case.modes)), 0, step(depth), (count,),
            levels=tuple(float(FRACTION * s) for s in case.targets)) for (case, depth), count in zip(pairs, steps)]
        runs = training.train(experiments, [sensing_data.aligned_measurements(size)], top=size, device=run.device,
                              dtype=run.dtype)
        results = {}
        for index, case in enumerate(cases):
            rows = range(index * len(DEPTHS), (index + 1) * len(DEPTHS))
            if not all(runs.finite[b] for b in rows):
                results[case] = Diverged("GD diverged at step 1/(4N), a quarter of the monotone limit (not expected)")
                continue
            results[case] = {depth: (runs.crossings[b, : case.modes].tolist(), steps[b]) for depth, b in zip(DEPTHS, rows)}
        return results

    @check("empirical", measures="|ηk − (t + δ)|/(η + |δ|), worst mode")
    def crossings_vs_flow(self, case, run, trained):
        """GD's first step with σ_k ≥ 0.9 s*_k (torch, every mode that crossed within the budget) against Theorem 1's
        flow: η·k against t_k + δ_k

        Tolerance: η + |δ_k|: one step of discretisation plus the first-order lag δ = (η/2)log(g(w_f)/g(w_0)) once more
        for the O(η²) remainder
        """
        ratios = []
        for depth in DEPTHS:
            eta = float(step(depth))
            crossings, _ = trained[depth]
            for target, crossed in zip(case.targets, crossings):
                if crossed < 0:
                    continue
                arguments = dict(depth=depth, target=target, init=case.init, fraction=FRACTION)
                lag = numbers.gd_lag(step=step(depth), **arguments)
                time = numbers.hitting_time(dps=run.dps, **arguments)
                ratios.append(abs(eta * crossed - (time + lag)) / (eta + abs(lag)))
        return Measured(worst(ratios), 1, f"{len(ratios)} crossings")

    @check("empirical", measures="Σ |GD count − flow count|")
    def learned_count_vs_flow(self, case, run, trained):
        """modes GD learned within ⌊budget/η⌋ steps against the flow's count at the budget, per depth

        Tolerance: equal (the strategy keeps every mode's (t + δ) at least 2η + |δ| from the budget)
        """
        flow, _ = self._flow_counts(case, run.dps)
        counts = self._trained_counts(case, trained)
        return Measured(sum(abs(a - b) for a, b in zip(counts, flow)), 0, f"GD {counts}, flow {flow}",
                        {"GD counts": counts, "flow counts": flow})

    @check("empirical", measures="violations")
    def count_falls_with_depth(self, case, run, trained):
        """modes GD learned within the budget over N = 1, 2, 4

        Tolerance: strictly decreasing: 0 violations
        """
        counts = self._trained_counts(case, trained)
        return Measured(_order_violations(counts), 0, f"{dict(zip(DEPTHS, counts))} of {case.modes} modes",
                        {"counts": counts, "modes": case.modes, "budget": float(case.budget)})

    @check("empirical", measures="violations")
    def modes_in_order(self, case, run, trained):
        """GD's crossing steps for N = 2, 4: mode k crosses before mode k + 1 (uncrossed modes last)

        Tolerance: 0 violations
        """
        violations = 0
        for depth in DEPTHS[1:]:
            crossings, _ = trained[depth]
            order = [c if c >= 0 else math.inf for c in crossings]
            violations += sum(1 for a, b in zip(order, order[1:]) if not (a < b or a == b == math.inf))
        return Measured(violations, 0)

    # --- helpers and reports ---------------------------------------------------------------------------------
    def _times(self, case, depth, dps):
        return [numbers.hitting_time(depth=depth, target=s, init=case.init, fraction=FRACTION, dps=dps)
                + numbers.gd_lag(depth=depth, target=s, init=case.init, fraction=FRACTION, step=step(depth))
                for s in case.targets]

    def _flow_counts(self, case, dps):
        counts = [sum(1 for time in self._times(case, depth, dps) if time <= math.floor(case.budget / step(depth))
                      * step(depth)) for depth in DEPTHS]
        return counts, _order_violations(counts)

    def _trained_counts(self, case, trained):
        return [sum(1 for c in trained[depth][0] if 0 <= c <= trained[depth][1]) for depth in DEPTHS]

    def tables(self, result) -> dict:
        rows = sorted((o.case.modes, f"{float(o.case.init):.2g}", f"{float(o.case.budget):.4g}",
                       *(str(c) for c in o.measurements["counts"]))
                      for o in result.outcomes if o.check == "count-falls-with-depth" and o.status in ("pass", "fail"))
        if not rows:
            return {}
        return {"Modes learned (σ ≥ 0.9 s*) within the budget": (("modes", "σ_0", "budget t", "N = 1", "N = 2", "N = 4"),
                                                                  rows)}


    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        return _figure(directory, result.settings)


def _order_violations(counts) -> int:
    """Consecutive depths whose counts do not fall (or, corrupted, do not rise)."""
    return sum(1 for a, b in zip(counts, counts[1:]) if not _DIRECTION["sign"] * (b - a) > 0)


def _slower_flow():
    stated = theorem1.STATEMENT["antiderivative"]
    return theorem1.substituted(antiderivative=lambda depth: stated(depth) * depth)


def _figure(directory, settings) -> list:
    """σ_k(t)/s*_k for N = 1, 2, 4 (Theorem 1's flow) and the modes learned against the budget."""
    from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for
    from numerics import toy  # noqa: PLC0415

    modes, init = 6, Fraction(1, 10**3)
    targets = numbers.geometric_targets(RATIO, modes)
    horizon = 150.0
    figure, axes = plt.subplots(1, len(DEPTHS) + 1, figsize=(15, 4), constrained_layout=True)
    grid = np.linspace(0, horizon, 121)
    colours = plt.cm.viridis(np.linspace(0, 0.9, modes))
    for axis, depth in zip(axes, DEPTHS):
        for colour, target in zip(colours, targets):
            values = [float(toy.sigma_at(Fraction(t).limit_denominator(10**6), depth=depth, target=target, init=init,
                                         dps=15)) / float(target) for t in grid]
            axis.plot(grid, values, color=colour, lw=1.6, label=f"s* = {float(target):g}")
        axis.axhline(float(FRACTION), color="grey", lw=0.8, ls=":")
        axis.set_title(f"depth N = {depth}")
        axis.set_xlabel("flow time t (GD: t = ηk)")
        axis.set_ylim(0, 1.05)
    axes[0].set_ylabel(r"$\sigma_k(t)/s^*_k$")
    axes[0].legend(fontsize=7)
    budgets = np.linspace(1, horizon, 200)
    for colour, depth in zip(COLOURS, DEPTHS):
        times = [numbers.hitting_time(depth=depth, target=s, init=init, fraction=FRACTION, dps=15) for s in targets]
        axes[-1].step(budgets, [sum(1 for t in times if t <= b) for b in budgets], where="post", color=colour, lw=1.8,
                      label=f"N = {depth}")
    axes[-1].set_xlabel("budget (flow time)")
    axes[-1].set_ylabel("modes learned (σ ≥ 0.9 s*)")
    axes[-1].set_title("Fewer modes per budget when deeper")
    axes[-1].legend(fontsize=8)
    figure.suptitle(f"Theorem 1's flow per mode: target spectrum 2^-k, k < {modes}, σ_0 = {float(init):g} "
                    "(balanced aligned init)")
    return save(figure, directory, "rank-budget")


CLAIM = RankBudget()
