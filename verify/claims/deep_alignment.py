"""deep-alignment: gradient descent on deep linear networks over separable data aligns adjacent layers, makes them
rank one, and turns the end-to-end predictor towards the hard-margin SVM (Ji & Telgarsky, surveyed by Vardi).

The mathematics and where each tolerance comes from: docs/claims/vardi-classics.md §4.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics import deep_linear as numbers
from numerics import max_margin, svm
from theory import deep_linear as theory
from theory.statement import Statement

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, Trained, check, derived, worst

WIDTHS = (5, 5)  # W_1: 5 × d, W_2: 5 × 5, W_3: 1 × 5 (depth 3, as in the reference calibration)
STEP_SCALE = 0.2  # η = 0.2/max‖z_i‖²
STEP_FACTOR = 8  # GD runs 8× the profile's step budget
RECORDS = 13
POINTS, DIMENSIONS = (4, 16), (2, 4)  # every case's data is padded to the largest: its rounding is its own alone
LATE = 4  # the rank-one trend is judged over the last four records


@dataclass(frozen=True)
class AlignmentCase(Case):
    """Separable data as in maxmargin (``points`` Gaussian inputs in ``dimension`` dimensions, teacher labels, points
    off the margin moved out to margin ≥ 1 + ``gap``; NumPy seed ``seed``) and the layers' init scale ``init``
    (entries init·N(0, 1), drawn from the same seed)."""

    points: int
    dimension: int
    seed: int
    gap: Fraction
    init: Fraction

    @property
    def data(self):
        return max_margin.separable_data(points=self.points, dimension=self.dimension, seed=self.seed,
                                         gap=float(self.gap))


def alignment_cases():
    return st.builds(AlignmentCase, st.integers(*POINTS), st.integers(*DIMENSIONS), st.integers(0, 2**31 - 1),
                     st.sampled_from((Fraction(1, 5), Fraction(1, 2))),
                     st.sampled_from((Fraction(1, 5), Fraction(3, 10), Fraction(1, 2))))


# The statement's numbers: the SVM's normalised margin γ* = 1/‖ŵ‖₂ (a registry, so that a test can corrupt it).
STATED = Statement(margin=lambda weights: 1.0 / float(np.linalg.norm(weights)))


class DeepAlignment(Claim):
    id = "deep-alignment"
    step_factor = STEP_FACTOR
    title = "Deep linear networks on separable data: layers align, become rank one, the product turns to the SVM"
    statement = (
        "For a deep linear network x → W_L⋯W_1x trained by gradient descent on the logistic loss of linearly "
        "separable data, W_{k+1}ᵀW_{k+1} − W_kW_kᵀ is conserved by the flow (and changed by GD only by the squares "
        "of its steps), the layers grow, become rank one and align (|⟨v_{k+1}, u_k⟩| → 1 for their top singular "
        "vectors), and the end-to-end predictor converges in direction to the hard-margin SVM ŵ: its normalised "
        "margin rises to γ* = 1/‖ŵ‖ and its direction gap is at most 2√(1 − (γ/γ*)²).")
    provenance = """
        seen: Vardi's review (CACM 2023): for fully connected linear networks, if gradient flow converges to zero loss
        the product converges in direction to the ℓ2 max-margin predictor (Ji & Telgarsky), and the weight matrices
        converge to rank one.

        reconstructed: Alignment of adjacent layers and the conditions (logistic loss, separable data, an init that
        reaches small loss) are Ji & Telgarsky (ICLR 2019), reconstructed.

        derived: Balancedness for symbolic dimensions, its exact change under GD, the Davis–Kahan bound on alignment and
        the margin bound on the direction: docs/claims/vardi-classics.md §4.
        """

    statement_key = staticmethod(theory.statement_key)

    @derived(theory.balancedness)
    def balancedness(self):
        """∂L/∂W_{k+1} = MW_kᵀ and ∂L/∂W_k = W_{k+1}ᵀM (matrix calculus, symbolic dimensions); the flow leaves
        W_{k+1}ᵀW_{k+1} − W_kW_kᵀ unchanged; one GD step changes it by exactly ΔW_{k+1}ᵀΔW_{k+1} − ΔW_kΔW_kᵀ

        Tolerance: exact: SymPy's matrix algebra reduces lhs − rhs to 0, confirmed in coordinates at random rational
        points
        """

    case_strategy = alignment_cases()

    def train(self, cases, run):
        from ..training import linear_classifiers as training  # noqa: PLC0415 - torch only when models train

        steps = STEP_FACTOR * run.profile.step_budget
        record = tuple(sorted({0, steps} | {round(steps ** (j / (RECORDS - 1))) for j in range(RECORDS)}))
        data = [training.Data(*case.data) for case in cases]
        experiments = [training.Experiment(i, "logistic", _step(case), steps, record, init=float(case.init),
                                           seed=case.seed) for i, case in enumerate(cases)]
        runs = training.train(experiments, data, widths=WIDTHS, shape=(POINTS[1], DIMENSIONS[1]), device=run.device,
                              dtype=run.dtype)
        results = {}
        for i, case in enumerate(cases):
            if not runs.finite[i]:
                results[case] = Diverged(f"GD diverged (NaN/inf) at step {_step(case):.3g} = {STEP_SCALE}/max‖z_i‖²")
            else:
                results[case] = Trained(record=record, predictors=runs.predictors[i], layers=runs.layers[i],
                                        movements=runs.movements[i], losses=runs.losses[i], where=runs.where)
        return results

    @check("empirical", measures="ratio to bound")
    def gd_balancedness(self, case, run, trained):
        """torch GD (batched deep linear networks, widths 5-5-1, torch.optim.SGD): the drift ‖D_k(t) − D_k(0)‖_F of the
        stated invariant D_k = W_{k+1}ᵀW_{k+1} − W_kW_kᵀ, at 13 log-spaced steps, both adjacent pairs

        Tolerance: the exact per-step change bounded: Σ_j(‖ΔW_{k+1}‖_F² + ‖ΔW_k‖_F²) over the steps taken, plus rounding
        k·(2·5 + d + 8)·u·(‖W_{k+1}‖_F² + ‖W_k‖_F²)
        """
        ratios = []
        for r, k in enumerate(trained.record):
            if k == 0:
                continue
            for j in range(len(WIDTHS)):
                now, start = _invariant(trained.layers[r], j), _invariant(trained.layers[0], j)
                following, layer = trained.layers[r][j + 1], trained.layers[r][j]
                rounding = k * (2 * WIDTHS[0] + case.dimension + 8) * run.unit_roundoff * (
                    np.linalg.norm(following) ** 2 + np.linalg.norm(layer) ** 2)
                moved = trained.movements[r][j + 1] + trained.movements[r][j]
                ratios.append(np.linalg.norm(now - start) / (moved + rounding))
        return Measured(worst(ratios), 1.0, trained.where)

    @check("empirical", measures="ratio to bound")
    def alignment(self, case, run, trained):
        """misalignment 1 − |⟨v_{k+1}, u_k⟩| of adjacent layers at the last step; reported: alignments and stable ranks
        ‖W‖_F²/‖W‖₂² at every record

        Tolerance: Davis–Kahan: 1 − √(1 − min(1, ‖D_k u_k‖/δ)²), δ = σ_1(W_k)² − σ_2(W_{k+1})², from the measured
        invariant D_k
        """
        last = trained.layers[-1]
        ratios, detail = [], []
        for j in range(len(WIDTHS)):
            misalignment = 1 - numbers.alignment(last[j + 1], last[j])
            bound = numbers.davis_kahan(last[j + 1], last[j], _invariant(last, j))
            ratios.append(misalignment / bound if bound > 0 else (0.0 if misalignment == 0 else np.inf))
            detail.append(f"|⟨v_{j + 2}, u_{j + 1}⟩| = {1 - misalignment:.6f} (bound {1 - bound:.6f})")
        history = [[numbers.alignment(layers[j + 1], layers[j]) for j in range(len(WIDTHS))]
                   for layers in trained.layers[1:]]
        ranks = [[numbers.stable_rank(layer) for layer in layers[:-1]] for layers in trained.layers[1:]]
        return Measured(worst(ratios), 1.0, "; ".join(detail), {"steps": list(trained.record[1:]),
                                                                 "alignments": history, "stable ranks": ranks})

    @check("empirical", measures="largest ratio of successive excesses")
    def rank_one(self, case, run, trained):
        """stable ranks ‖W_k‖_F²/‖W_k‖₂² of the hidden layers over the last 4 records (log-spaced steps)

        Tolerance: rank one is approached monotonically: the largest ratio of successive excesses (sr − 1) below 1 (the
        trend test of a logarithmically slow limit)
        """
        ratios, finals = [], []
        for j in range(len(WIDTHS)):
            excess = np.array([numbers.stable_rank(layers[j]) - 1 for layers in trained.layers[-LATE:]])
            ratios.extend(excess[1:] / excess[:-1])
            finals.append(float(excess[-1] + 1))
        return Measured(worst(ratios), 1.0, "final stable ranks " + ", ".join(f"{v:.4f}" for v in finals),
                        {"stable ranks": finals})

    @check("empirical", measures="ratio to bound")
    def direction_vs_margin(self, case, run, trained):
        """the end-to-end predictor p = W_L⋯W_1 at every record where it separates the data: its normalised margin γ =
        min_i⟨p, z_i⟩/‖p‖ against the stated γ* (the exact SVM, numerics.svm), and its direction gap ‖p/‖p‖ − ŵ/‖ŵ‖‖
        against 2√(1 − (γ/γ*)²)

        Tolerance: derived inequalities (ŵ is the projection of 0 onto the feasible set): γ ≤ γ*(1 + 1e-9) and the gap
        bound, the 1e-9 for the SVM's KKT tolerance
        """
        x, y = case.data
        solution = svm.hard_margin(x, y)
        best = STATED["margin"](solution.weights)
        unit = solution.weights / np.linalg.norm(solution.weights)
        ratios, gaps, margins = [], [], []
        for p in trained.predictors[1:]:
            margin = float(np.min(y * (x @ p)) / np.linalg.norm(p))
            if margin <= 0:
                continue
            gap = float(np.linalg.norm(p / np.linalg.norm(p) - unit))
            ratios.append(margin / (best * (1 + 1e-9)))
            if margin < best:
                ratios.append(gap / numbers.margin_direction_bound(margin, best))
            gaps.append(gap)
            margins.append(margin / best)
        if not ratios:
            return Measured(np.inf, 1.0, "the predictor never separated the data within the steps")
        return Measured(worst(ratios), 1.0, f"final γ/γ* = {margins[-1]:.4f}, gap {gaps[-1]:.4f}",
                        {"gaps": gaps, "margins": margins})

    corruptions = (
        Corruption("balancedness weighted 3% off: W_{k+1}ᵀW_{k+1} − 1.03·W_kW_kᵀ conserved",
                   lambda: theory.substituted(invariant=lambda following, layer: following.T * following
                                              - sp.Rational(103, 100) * layer * layer.T),
                   checks=("balancedness", "gd-balancedness")),
        Corruption("the SVM's margin measured in ℓ1: γ* = 1/‖ŵ‖₁",
                   lambda: STATED.substituted(margin=lambda weights: 1.0 / float(np.abs(weights).sum())),
                   checks=("direction-vs-margin",)),
    )


    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

        outcomes = {o.case: o.measurements for o in result.outcomes if o.check == "alignment" and o.measurements}
        margins = {o.case: o.measurements for o in result.outcomes if o.check == "direction-vs-margin" and o.measurements}
        if not outcomes:
            return []  # the run measured no alignment (e.g. --check selected others): nothing to draw
        figure, (align, direction) = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
        for index, (case, m) in enumerate(outcomes.items()):
            colour = COLOURS[index % len(COLOURS)]
            steps = np.array(m["steps"])
            misalignment = 1 - np.array(m["alignments"])
            align.plot(steps, np.maximum(misalignment[:, 0], 1e-16), "-", color=colour, lw=1)
            align.plot(steps, np.array(m["stable ranks"])[:, 0] - 1, ":", color=colour, lw=1)
            if case in margins and margins[case]["gaps"]:
                direction.plot(margins[case]["margins"], margins[case]["gaps"], "o-", ms=3, lw=1, color=colour)
        ratio = np.linspace(0.0, 1.0, 200)
        direction.plot(ratio, 2 * np.sqrt(1 - ratio**2), "k--", lw=1.2, label=r"bound $2\sqrt{1-(\gamma/\gamma^*)^2}$")
        align.plot([], [], "k-", label=r"$1 - |\langle v_2, u_1\rangle|$ (misalignment)")
        align.plot([], [], "k:", label=r"stable rank of $W_1$ minus 1")
        for axis in (align,):
            axis.set_xscale("log")
            axis.set_yscale("log")
            axis.set_xlabel("GD step")
            axis.grid(alpha=0.25, which="both")
            axis.legend(fontsize=8)
        align.set_title("layers align and become rank one")
        direction.set_yscale("log")
        direction.set_xlabel(r"normalised margin $\gamma/\gamma^*$ of $W_3W_2W_1$")
        direction.set_ylabel(r"direction gap to the SVM")
        direction.set_title("the product's margin rises to the SVM's; its direction follows")
        direction.grid(alpha=0.25, which="both")
        direction.legend(fontsize=8)
        figure.suptitle("deep-alignment: deep linear networks on separable data (widths 5-5-1, logistic loss)")
        return save(figure, directory, "deep-alignment")


def _step(case) -> float:
    x, _ = case.data
    return STEP_SCALE / float(np.max(np.sum(x**2, axis=1)))


def _invariant(layers, j):
    """The stated invariant of layers j + 1 and j (0-based: W_{j+2}, W_{j+1}), evaluated in floats."""
    following, layer = sp.Matrix(layers[j + 1]), sp.Matrix(layers[j])
    return np.array(theory.invariant(following, layer), dtype=float)


CLAIM = DeepAlignment()
