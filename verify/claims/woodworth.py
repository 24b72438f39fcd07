"""woodworth: the u² − v² (entrywise) model from scale α converges to the interpolant minimising Woodworth et al.'s Q_α,
which tends to ℓ1 as α → 0 (rich regime) and to ℓ2 as α → ∞ (kernel regime).

The mathematics and where each tolerance comes from: docs/claims/vardi-classics.md §2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics import least_squares, woodworth as numbers
from theory import woodworth as theory

from ..cases import Case, exact_product
from ..claim import Claim, Corruption, Diverged, Measured, Skip, Trained, check, derived, digits_tolerance

ALPHAS = (Fraction(1, 10**6), Fraction(1, 10**4), Fraction(1, 100), Fraction(1, 10), Fraction(1), Fraction(10))
TRAINED = (Fraction(1, 100), Fraction(1, 10), Fraction(1), Fraction(10))  # α at which GD trains (η and η/2)
STEP_SHARE = 8  # η = 1/(8λ): a quarter of the stability limit 1/(2λ), λ = λ_max(X diag(√(β² + 4α^4)) Xᵀ)
STEP_FACTOR = 8  # GD at η runs at most 8× the profile's step budget (η/2 twice that): one batch, tiny tensors
RESIDUAL = 1e-10  # GD stops once ‖Xβ − y‖ ≤ 1e-10‖y‖
FIGURE_ALPHAS = tuple(10.0 ** (k / 4) for k in range(-28, 9))


@dataclass(frozen=True)
class SparseRegressionCase(Case):
    """X (``inputs``, n rows of d integers, full row rank) and a sparse β* (``sparse``): the targets are y = Xβ*."""

    inputs: tuple
    sparse: tuple

    @property
    def targets(self) -> tuple:
        """y = Xβ*, in exact arithmetic."""
        return exact_product(self.inputs, self.sparse)

    @property
    def problem(self) -> least_squares.Problem:
        return least_squares.problem(self.inputs, self.targets, [0] * len(self.sparse))


FIGURE_CASE = SparseRegressionCase(((2, -1, 0, 1, 3, 1), (1, 2, -2, 0, 1, -1), (0, 1, 3, -1, 1, 2)),
                                   (0, 2, 0, 0, -1, 0))  # drawn when no case of the run shows the transition


@st.composite
def sparse_regressions(draw) -> SparseRegressionCase:
    """X with entries in −3..3, made full row rank by construction (a partial permutation added, with the
    smallest boost that gives rank n: usually none); β* with 1..n nonzero entries in ±1..3."""
    rows = draw(st.integers(2, 5))
    columns = draw(st.integers(rows + 2, 2 * rows + 3))
    base = [draw(st.lists(st.integers(-3, 3), min_size=columns, max_size=columns)) for _ in range(rows)]
    placed = draw(st.permutations(range(columns)))
    boost = 0
    while least_squares.rank(_boosted(base, placed, boost)) < rows:
        boost += 1
    inputs = tuple(tuple(row) for row in _boosted(base, placed, boost))
    support = draw(st.integers(1, rows))
    values = draw(st.lists(st.sampled_from((-3, -2, -1, 1, 2, 3)), min_size=support, max_size=support))
    sparse = [0] * columns
    for j, value in zip(draw(st.permutations(range(columns)))[:support], values):
        sparse[j] = value
    if not any(exact_product(inputs, sparse)):  # β* in null(X): use one column
        sparse = [int(j == next(k for k in range(columns) if any(row[k] for row in inputs))) for j in range(columns)]
    return SparseRegressionCase(inputs, tuple(sparse))


def _boosted(base, placed, boost) -> list:
    """The rows of ``base`` with ``boost`` added at column placed[i] of row i (a partial permutation)."""
    return [[a + boost * (placed[i] == j) for j, a in enumerate(row)] for i, row in enumerate(base)]


class Woodworth(Claim):
    id = "woodworth"
    step_factor = 2 * STEP_FACTOR  # η/2 runs twice as many steps as η
    title = ("u² − v² (entrywise) from scale α: GD converges to the minimiser of Q_α, which moves from ℓ1 (α → 0) to "
             "ℓ2 (α → ∞)")
    statement = (
        "For an under-determined regression Xβ = y and the model β = u² − v² (entrywise) with u(0) = v(0) = α·1, "
        "gradient flow on ½‖Xβ − y‖², if it converges to an interpolant, converges to the minimiser of Q_α(β) over "
        "the interpolants Xβ = y, where Q_α(β) = α²Σ_i q(β_i/α²), q(z) = 2 − √(4 + z²) + z·asinh(z/2); gradient "
        "descent with step η converges within O(η) of it. As α → ∞, 4α²Q_α(β) → ‖β‖² and the minimiser tends to "
        "the minimum-ℓ2 interpolant, at distance ‖(I − P)β^3‖/(24α^4) to first order; as α → 0, "
        "Q_α(β)/log(1/α²) → ‖β‖₁ and the minimiser's ℓ1 norm tends to the minimum, with gap at most "
        "(H(β_ℓ1) − H(β_α) + 3dα²)/log(1/α²).")
    provenance = """
        seen: Vardi's review (CACM 2023): for this model (weights shared between the two layers) with u(0) = v(0) = α·1,
        the implicit bias is ℓ1 as α → 0 and ℓ2 as α → ∞ (the kernel regime), citing Woodworth et al. (COLT 2020).

        reconstructed: The exact regulariser Q_α and its form q(z) are Woodworth et al.'s, reconstructed (the primary
        paper's wording and constants need a check against the PDF).

        derived: The mirror path, Q_α as its potential, the KKT argument, both limits, the first kernel correction and
        the rich-regime gap bound: derived here (docs/claims/vardi-classics.md §2).
        """

    # --- once per run: the derivations ----------------------------------------------------------------
    statement_key = staticmethod(theory.statement_key)

    @derived(theory.flow)
    def mirror_path(self):
        """∂L/∂u = 2u·Xᵀr, ∂L/∂v = −2v·Xᵀr entrywise (explicit n = 2, d = 3); u = α e^{−2c}, v = α e^{2c} solve the
        flow; β = 2α² sinh(Xᵀμ) (the mirror path); uv = α² is conserved

        Tolerance: exact: SymPy reduces lhs − rhs to 0
        """

    @derived(theory.regulariser_derivation)
    def regulariser_derivation(self):
        """the stated q: q′(z) = asinh(z/2), q(0) = 0, q'' = 1/√(4 + z²) > 0, q even; ∂Q_α/∂β_i = asinh(β_i/(2α²)) and
        the link 2α² sinh inverts it (so the mirror path's limit is the KKT point of min Q_α over the interpolants); Q_α
        = ∫ asinh(s/(2α²)) ds
        """

    @derived(theory.limits)
    def limits(self):
        """q(z) = z²/4 − z^4/192 + O(z^6); lim_{α→∞} 4α²Q_α = ‖β‖² ; lim_{α→0} Q_α/log(1/α²) = ‖β‖₁; 2α²(z − asinh z) =
        β^3/(24α^4) + O(β^5/α^8) and the next term −3z^5/40

        Tolerance: exact: SymPy limits and series
        """

    # --- per case: numbers ------------------------------------------------------------------------------
    case_strategy = sparse_regressions()

    @check("numeric", measures="relative error")
    def flow_limit_is_q_minimiser(self, case, run):
        """at α = 1e-6, 1e-4, 0.01, 0.1, 1, 10: the interpolant on the flow's mirror path (dual Newton, mpmath) against
        the minimiser of the stated Q_α over the interpolants (SciPy trust-exact, KKT residuals reported, then Newton in
        mpmath on the stated form)

        Tolerance: 10^(10−dps) relative: both are Newton solutions carried with 20 guard digits
        """
        outcomes = []
        for alpha in ALPHAS:
            mirror = numbers.mirror_interpolant(case.problem, alpha, dps=run.dps)
            stated = _minimiser(case, alpha, run.dps, theory.statement_key())
            with mp.workdps(run.dps + 10):
                error = mp.norm(mp.matrix(mirror.beta) - mp.matrix(stated.beta)) / mp.norm(mp.matrix(mirror.beta))
            outcomes.append(Measured(float(error), digits_tolerance(run.dps), f"α = {float(alpha):g}",
                                     {"alpha": float(alpha), "dual solver": mirror.kkt, "primal solver": stated.kkt}))
        return outcomes

    @check("numeric", measures="relative error")
    def kernel_limit(self, case, run):
        """kernel regime, α = 10: 24α^4‖β_α − β_ℓ2‖ against ‖(I − P)β_ℓ2^3‖ (β_α the stated Q_α's minimiser, β_ℓ2 =
        X^+y)

        Tolerance: the derived remainder: (‖(I − P)(β_α^3 − β_ℓ2^3)‖ + (18/5)α^6‖z^5‖)/‖(I − P)β_ℓ2^3‖, z = β_α/(2α²),
        valid for |z| ≤ 1
        """
        alpha = ALPHAS[-1]
        with mp.workdps(run.dps + numbers.GUARD_DIGITS):
            beta = mp.matrix(_minimiser(case, alpha, run.dps, theory.statement_key()).beta)
            x, y, _ = least_squares.matrices(case.problem)
            least = x.T * mp.lu_solve(x * x.T, y)
            outside = lambda v: v - x.T * mp.lu_solve(x * x.T, x * v)  # noqa: E731 - (I − P)v
            cube = lambda v: mp.matrix([e**3 for e in v])  # noqa: E731
            a = mp.mpf(alpha.numerator) / alpha.denominator
            scaled = [e / (2 * a**2) for e in beta]
            if max(abs(s) for s in scaled) > 1:
                return Skip(f"|β|/(2α²) > 1 at α = {float(alpha):g}: the remainder bound needs |z| ≤ 1")
            predicted = mp.norm(outside(cube(least)))
            if predicted <= mp.mpf(10) ** (-run.dps // 2) * mp.norm(cube(least)):
                return Skip("(I − P)β_ℓ2^3 = 0: the first correction vanishes, the distance is of higher order")
            ratio = 24 * a**4 * mp.norm(beta - least) / predicted
            remainder = (mp.norm(outside(cube(beta) - cube(least))) + mp.mpf(18) / 5 * a**6
                         * mp.norm(mp.matrix([s**5 for s in scaled]))) / predicted
            return Measured(float(abs(ratio - 1)), float(remainder), f"24α^4‖β_α − β_ℓ2‖/‖(I − P)β_ℓ2^3‖ = "
                            f"{mp.nstr(ratio, 10)}", {"ratio": float(ratio), "distance": float(mp.norm(beta - least))})

    @check("numeric", measures="ℓ1 gap")
    def rich_limit(self, case, run):
        """rich regime, α = 1e-6 … 0.1: the ℓ1 gap ‖β_α‖₁ − min{‖β‖₁ : Xβ = y} (linear programme, HiGHS, KKT residuals
        reported) of the stated Q_α's minimiser

        Tolerance: the derived bound (H(β_ℓ1) − H(β_α) + 3dα²)/log(1/α²), H(β) = Σ|β_i|(log|β_i| − 1), plus the LP's
        duality gap
        """
        l1 = numbers.l1_interpolant(case.problem)
        smallest = float(np.abs(l1.beta).sum())
        outcomes = []
        for alpha in (a for a in ALPHAS if a < 1):
            beta = [float(v) for v in _minimiser(case, alpha, run.dps, theory.statement_key()).beta]
            gap = float(np.abs(beta).sum()) - smallest
            bound = numbers.rich_gap_bound(beta, l1.beta, alpha) + l1.kkt["duality_gap"] * smallest
            outcomes.append(Measured(gap, bound, f"α = {float(alpha):g}: gap {gap:.3g}, gap·log(1/α²) = "
                                     f"{gap * math.log(1 / float(alpha) ** 2):.3g}",
                                     {"alpha": float(alpha), "gap": gap, "bound": bound, "lp": l1.kkt}))
        return outcomes

    # --- per case: trained models -----------------------------------------------------------------------
    def train(self, cases, run):
        from ..training import regression  # noqa: PLC0415 - torch is imported only when models train

        cap = STEP_FACTOR * run.profile.step_budget
        data, experiments, plans = [], [], []
        for index, case in enumerate(cases):
            x, y = np.array(case.inputs, dtype=float), np.array(case.targets, dtype=float)
            data.append(regression.Data(x, y))
            for alpha in TRAINED:
                beta = np.array([float(v) for v in _minimiser(case, alpha, run.dps, theory.statement_key()).beta])
                step = 1 / (STEP_SHARE * np.linalg.eigvalsh((x * np.sqrt(beta**2 + 4 * float(alpha) ** 4)) @ x.T)[-1])
                for share in (1, 2):
                    experiments.append(regression.Experiment(index, step / share, cap * share, scale=float(alpha),
                                                             tolerance=RESIDUAL * float(np.linalg.norm(y))))
                plans.append((case, alpha, step, cap))
        runs = regression.train("diagonal", experiments, data, device=run.device, dtype=run.dtype)
        results = {case: {} for case in cases}
        for p, (case, alpha, step, limit) in enumerate(plans):
            full, half = 2 * p, 2 * p + 1
            if not (runs.finite[full] and runs.finite[half]):
                results[case][alpha] = Diverged(f"GD diverged (NaN/inf) at α = {float(alpha):g}, step {step:.3g} = "
                                                f"1/({STEP_SHARE}λ), a quarter of the limit 1/(2λ) at the minimiser")
            elif max(runs.final_residual[full], runs.final_residual[half]) > RESIDUAL * np.linalg.norm(case.targets):
                results[case][alpha] = Skip(f"α = {float(alpha):g}: not interpolating within {limit} steps at η "
                                            f"(and {2 * limit} at η/2): a plateau of the rich regime's incremental "
                                            "learning outlasts the step budget")
            else:
                results[case][alpha] = Trained(step=step, full=runs.final[full], half=runs.final[half],
                                               steps_full=runs.stopped[full], steps_half=runs.stopped[half],
                                               where=runs.where)
        return results

    @check("empirical", measures="ratio to bound")
    def gd_vs_q_minimiser(self, case, run, trained):
        """torch GD on (u, v) (batched, torch.optim.SGD, α = 0.01, 0.1, 1, 10, steps η and η/2, run until ‖Xβ − y‖ ≤
        1e-10‖y‖) against the stated Q_α's minimiser: ‖β_GD(η/2) − β_α‖

        Tolerance: first order in η: 2‖β_GD(η) − β_GD(η/2)‖ (the factor 2 covers the O(η²) remainder), plus 3× the
        first-order distance still to travel, ‖DXᵀ(XDXᵀ)⁻¹r‖ with D = √(β² + 4α^4), of each run, plus rounding k·(n + d
        + 8)·u·2‖√(β² + 4α^4)‖
        """
        x = np.array(case.inputs, dtype=float)
        y = np.array(case.targets, dtype=float)
        outcomes = []
        for alpha, model in trained.items():
            if not isinstance(model, Trained):
                outcomes.append(model)
                continue
            target = np.array([float(v) for v in _minimiser(case, alpha, run.dps, theory.statement_key()).beta])
            gaps = [float(np.linalg.norm(beta - target)) for beta in (model.full, model.half)]
            estimate = float(np.linalg.norm(model.full - model.half))
            slack = [_remaining(x, y, beta, alpha) for beta in (model.full, model.half)]
            rounding = [steps * (x.shape[0] + x.shape[1] + 8) * run.unit_roundoff * 2
                        * float(np.linalg.norm(np.sqrt(beta**2 + 4 * float(alpha) ** 4)))
                        for steps, beta in zip((model.steps_full, model.steps_half), (model.full, model.half))]
            bound = 2 * estimate + 3 * sum(slack) + sum(rounding)
            order = math.log2(gaps[0] / gaps[1]) if gaps[1] > 0 and gaps[0] > 0 else math.nan
            outcomes.append(Measured(gaps[1] / bound, 1.0, f"α = {float(alpha):g}: e(η/2) = {gaps[1]:.3g}, "
                                     f"‖β(η) − β(η/2)‖ = {estimate:.3g}, order {order:.3f}",
                                     {"alpha": float(alpha), "step": model.step, "gap at η": gaps[0],
                                      "gap at η/2": gaps[1], "order": order, "steps": int(model.steps_half),
                                      "beta": [float(v) for v in model.half]}))
        return outcomes

    corruptions = (
        Corruption("α where α² belongs: Q_α = α Σ q(β_i/α)",
                   lambda: theory.substituted(regulariser=lambda coordinate, scale: scale * theory.q(coordinate / scale)),
                   checks=("regulariser-derivation", "flow-limit-is-q-minimiser", "kernel-limit", "gd-vs-q-minimiser")),
        Corruption("q(1.03z)/1.03²: the scale of q 3% off",
                   lambda: theory.substituted(q=lambda value: theory._q(sp.Rational(103, 100) * value)
                                              / sp.Rational(103, 100) ** 2),
                   checks=("regulariser-derivation", "flow-limit-is-q-minimiser", "kernel-limit")),
        Corruption("no rich regime: Q_α = ‖β‖²/(4α²) at every α",
                   lambda: theory.substituted(regulariser=lambda coordinate, scale: coordinate**2 / (4 * scale**2)),
                   checks=("flow-limit-is-q-minimiser", "rich-limit", "gd-vs-q-minimiser")),
    )

    # --- reports ----------------------------------------------------------------------------------------

    def tables(self, result) -> dict:
        rows = [(f"{o.measurements['alpha']:g}", f"{o.measurements['step']:.3g}", f"{o.measurements['gap at η']:.3e}",
                 f"{o.measurements['gap at η/2']:.3e}", f"{o.measurements['order']:.3f}")
                for o in result.outcomes if o.check == "gd-vs-q-minimiser" and "order" in o.measurements]
        if not rows:
            return {}
        return {"GD against the Q_α minimiser: gap at η and η/2, observed order": (
            ("α", "η", "e(η)", "e(η/2)", "order"), sorted(rows, key=lambda r: float(r[0])))}

    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

        trained = [o for o in result.outcomes if o.check == "gd-vs-q-minimiser" and "beta" in o.measurements]
        case = max({o.case for o in trained}, key=lambda c: _spread(c, trained), default=None)
        if case is None or _spread(case, trained) < 1e-3:  # no drawn case shows the transition: a fixed one
            case, trained = FIGURE_CASE, []
        l1 = numbers.l1_interpolant(case.problem)
        smallest = float(np.abs(l1.beta).sum())
        x, y = np.array(case.inputs, dtype=float), np.array(case.targets, dtype=float)
        least = np.linalg.pinv(x) @ y
        path = np.array([[float(v) for v in numbers.mirror_interpolant(case.problem, Fraction(a), dps=20).beta]
                         for a in FIGURE_ALPHAS])
        figure, (regimes, coordinates) = plt.subplots(1, 2, figsize=(11, 4.6), constrained_layout=True)
        regimes.plot(FIGURE_ALPHAS, np.abs(path).sum(1) / smallest - 1, color=COLOURS[1], lw=2,
                     label=r"$\|\beta_\alpha\|_1/\min\|\beta\|_1 - 1$ (rich regime $\to 0$)")
        regimes.plot(FIGURE_ALPHAS, np.linalg.norm(path - least, axis=1) / np.linalg.norm(least), color=COLOURS[0], lw=2,
                     label=r"$\|\beta_\alpha - \beta_{\ell_2}\|/\|\beta_{\ell_2}\|$ (kernel regime $\to 0$)")
        small = [a for a in FIGURE_ALPHAS if a <= 0.1]
        bound = [numbers.rich_gap_bound(path[i], l1.beta, Fraction(a)) / smallest for i, a in enumerate(small)]
        regimes.plot(small, bound, ":", color=COLOURS[1], label="derived bound on the ℓ1 gap")
        for o in (o for o in trained if o.case == case):
            beta, alpha = np.array(o.measurements["beta"]), o.measurements["alpha"]
            regimes.plot(alpha, np.abs(beta).sum() / smallest - 1, "o", color=COLOURS[1], mfc="white")
            regimes.plot(alpha, np.linalg.norm(beta - least) / np.linalg.norm(least), "o", color=COLOURS[0], mfc="white")
        regimes.plot([], [], "ko", mfc="white", label="torch GD (step η/2)")
        regimes.set_xscale("log")
        regimes.set_yscale("log")
        regimes.set_xlabel(r"initialisation scale $\alpha$")
        regimes.set_title("the transition: ℓ1 gap and ℓ2 distance of the Q_α minimiser")
        regimes.legend(fontsize=7.5, loc="lower left")
        regimes.grid(alpha=0.25, which="both")
        for j in range(path.shape[1]):
            coordinates.plot(FIGURE_ALPHAS, path[:, j], lw=1.4)
        coordinates.set_xscale("log")
        coordinates.set_xlabel(r"initialisation scale $\alpha$")
        coordinates.set_ylabel(r"coordinates of $\beta_\alpha$")
        coordinates.set_title(f"the minimiser's coordinates (n = {len(case.inputs)}, d = {len(case.sparse)}): sparse "
                              "at small α")
        coordinates.grid(alpha=0.25, which="both")
        figure.suptitle("woodworth: u² − v² (entrywise) from scale α, the implicit regulariser Q_α moves from ℓ1 to ℓ2")
        return save(figure, directory, "woodworth")


def _minimiser(case, alpha, dps, statement) -> numbers.Solution:
    """The stated Q_α's minimiser at one α of ALPHAS."""
    return _minimisers(case, dps, statement)[alpha]


@lru_cache(maxsize=64)
def _minimisers(case, dps, statement) -> dict:
    """The stated Q_α's minimisers at every α of ALPHAS, from the largest α down, each solve starting from the
    previous minimiser (continuation: less work, the same answers). ``statement``, the stated forms' key, keeps
    corrupted forms apart."""
    found, start = {}, None
    for alpha in sorted(ALPHAS, reverse=True):
        found[alpha] = numbers.regulariser_minimiser(case.problem, alpha, dps=dps, start=start)
        start = [float(v) for v in found[alpha].beta]
    return found


def _spread(case, trained) -> float:
    """How much the trained β of ``case`` moves between the smallest and largest trained α (relative)."""
    betas = sorted(((o.measurements["alpha"], np.array(o.measurements["beta"])) for o in trained if o.case == case),
                   key=lambda pair: pair[0])
    return float(np.linalg.norm(betas[0][1] - betas[-1][1]) / np.linalg.norm(betas[-1][1])) if len(betas) > 1 else 0.0


def _remaining(x, y, beta, alpha) -> float:
    """The first-order distance gradient flow still travels from β with residual r: ‖DXᵀ(XDXᵀ)⁻¹r‖, D the flow's
    metric √(β² + 4α^4) (docs/claims/vardi-classics.md §2.5)."""
    metric = np.sqrt(beta**2 + 4 * float(alpha) ** 4)
    residual = x @ beta - y
    return float(np.linalg.norm(metric * (x.T @ np.linalg.solve((x * metric) @ x.T, residual))))


CLAIM = Woodworth()
