"""minnorm: gradient descent on under-determined least squares converges to the interpolant closest to its
initialisation (Vardi's review; classical).

The mathematics and where each tolerance comes from: docs/claims/vardi-classics.md §1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics import least_squares as numbers
from theory import least_squares as theory

from ..cases import Case, round_down
from ..claim import Claim, Corruption, Diverged, Measured, Trained, check, derived, digits_tolerance, worst

RECORDS = 16  # steps at which GD is compared with the limit: log-spaced up to the last
STEP_RATIOS = (Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(7, 4))  # η·λ_{max}, below 2
DOMINANCE = (2, 3, 4)  # c ≥ t‖A‖_F in X = A + c·S keeps κ(X) ≤ (t + 1)/(t − 1) ≤ 3
CONVERGED = 1e-14  # GD runs until the spectral bound ρ^k falls below this (or the profile's budget)


@dataclass(frozen=True)
class InterpolationCase(Case):
    """X (``inputs``, n rows of d integers, full row rank), y (``targets``), w₀ (``init``), the step size η
    (< 2/λ_{max}(XXᵀ)) and the number of GD ``steps``."""

    inputs: tuple
    targets: tuple
    init: tuple
    step: Fraction
    steps: int

    @property
    def problem(self) -> numbers.Problem:
        return numbers.problem(self.inputs, self.targets, self.init)


@st.composite
def interpolation_cases(draw, *, step_budget: int) -> InterpolationCase:
    """Constructed full-rank cases: X = A + c·S with A small integers, S a partial permutation (n distinct
    columns) and c ≥ t‖A‖_F, so σ_min(X) ≥ c − ‖A‖₂ > 0 and κ(X) ≤ (t + 1)/(t − 1)."""
    rows = draw(st.integers(1, 4))
    columns = draw(st.integers(rows + 1, 2 * rows + 4))
    base = [draw(st.lists(st.integers(-3, 3), min_size=columns, max_size=columns)) for _ in range(rows)]
    placed = draw(st.permutations(range(columns)))[:rows]
    squares = sum(a * a for row in base for a in row)
    t = draw(st.sampled_from(DOMINANCE))
    boost = 1 + (math.isqrt(t * t * squares - 1) + 1 if squares else 0)  # 1 + ⌈t‖A‖_F⌉
    for i, j in enumerate(placed):
        base[i][j] += boost
    inputs = tuple(tuple(row) for row in base)
    targets = tuple(draw(st.lists(st.integers(-5, 5), min_size=rows, max_size=rows)))
    init = tuple(draw(st.lists(st.integers(-3, 3), min_size=columns, max_size=columns)))
    eigenvalues = np.linalg.eigvalsh(np.array(inputs, dtype=float) @ np.array(inputs, dtype=float).T)
    step = round_down(draw(st.sampled_from(STEP_RATIOS)) / Fraction(float(eigenvalues[-1])))
    rate = max(abs(1 - float(step) * eigenvalues[0]), abs(1 - float(step) * eigenvalues[-1]))
    steps = min(step_budget, max(1, math.ceil(math.log(CONVERGED) / math.log(rate)))) if rate > 0 else 1
    return InterpolationCase(inputs, targets, init, step, steps)


class MinimumNorm(Claim):
    id = "minnorm"
    title = "GD on under-determined least squares converges to the interpolant closest to the initialisation"
    statement = (
        "For X ∈ R^{n×d} of full row rank n < d, y ∈ R^n and the loss L(w) = ½‖Xw − y‖², gradient descent "
        "w_{k+1} = w_k − ηXᵀ(Xw_k − y) from w₀ with 0 < η < 2/λ_{max}(XXᵀ) stays in w₀ + row(X) and converges to "
        "w∞ = w₀ + X^+(y − Xw₀), the interpolant (Xw = y) closest to w₀ (from w₀ = 0: the minimum-norm interpolant), "
        "with "
        "‖w_k − w∞‖ ≤ ρ^k‖w₀ − w∞‖, ρ = max(|1 − ηλ_{min}|, |1 − ηλ_{max}|) over the eigenvalues of XXᵀ.")
    provenance = """
        seen: Vardi's review (CACM 2023, 'Implicit bias in regression: linear regression'): gradient flow on linear
        regression converges to the global minimum closest to the initialisation in ℓ2 distance, R(w) = ‖w − w(0)‖, and
        this extends to gradient descent and SGD.

        reconstructed: The precise gradient-descent form (step condition η < 2/λ_{max}, the rate from the spectrum) is
        the classical statement, not quoted from the review.

        derived: Every identity here for symbolic dimensions n × d with SymPy's matrix algebra (checked in coordinates
        too); docs/claims/vardi-classics.md §1.
        """

    # --- once per run: the derivations ----------------------------------------------------------------
    statement_key = staticmethod(theory.statement_key)

    @derived(theory.gradient_descent)
    def row_space_invariance(self):
        """∇L = Xᵀ(Xw − y); P = Xᵀ(XXᵀ)^{-1}X is a symmetric idempotent; a GD step keeps (I − P)w; the stated limit
        interpolates, lies in w₀ + row(X), and the error contracts by I − ηXᵀX from a start in the row space (symbolic n
        × d)

        Tolerance: exact: SymPy's matrix algebra reduces lhs − rhs to the zero matrix, and it vanishes in coordinates (n
        = 2, d = 3) at random rational points
        """

    @derived(theory.closest_interpolant)
    def closest_interpolant(self):
        """X^+ = Xᵀ(XXᵀ)^{-1} satisfies the four Penrose conditions, the stated limit is w₀ + X^+(y − Xw₀) (Lagrange
        stationarity), and ‖w∞ + z − w₀‖² = ‖w∞ − w₀‖² + ‖z‖² for every z in null(X)

        Tolerance: exact: as row-space-invariance
        """

    # --- per case: numbers ------------------------------------------------------------------------------
    def strategy(self, run):
        return interpolation_cases(step_budget=run.profile.step_budget)

    @check("numeric", measures="relative error")
    def limit_vs_svd(self, case, run):
        """the stated limit, evaluated exactly in rationals, against w₀ + X^+(y − Xw₀) with X^+ from mpmath's SVD (no
        normal equations) at dps digits

        Tolerance: 10^(10−dps) relative: the SVD carries 20 guard digits
        """
        stated = _stated_limit(case)
        reference = numbers.limit_by_svd(case.problem, dps=run.dps)
        with mp.workdps(run.dps + numbers.GUARD_DIGITS):
            difference = mp.norm(mp.matrix([mp.mpf(value.p) / value.q for value in stated]) - reference)
            error = difference / mp.norm(reference) if mp.norm(reference) else difference
        return Measured(float(error), digits_tolerance(run.dps), f"n = {len(case.inputs)}, d = {len(case.init)}")

    @check("numeric", measures="largest |residual| (exact)")
    def limit_is_closest(self, case, run):
        """in exact rational arithmetic: Xw∞ = y, and w∞ − w₀ is orthogonal to every vector of an exact basis of null(X)
        (so no other interpolant is closer to w₀)

        Tolerance: 0: exact arithmetic
        """
        stated = sp.Matrix(_stated_limit(case))
        x, y, w = _exact(case)
        residuals = list(x * stated - y)
        residuals += [(z.T * (stated - w))[0] / z.norm() for z in x.nullspace()]
        return Measured(float(max(abs(r) for r in residuals)), 0.0,
                        f"{len(residuals) - len(case.targets)} null-space directions")

    @check("numeric", measures="relative error")
    def rate_vs_iteration_norm(self, case, run):
        """the stated rate from the extreme eigenvalues of XXᵀ (mpmath eigsy) against ‖(I − ηXᵀX)P‖₂, the largest
        singular value of one GD step on the row space (mpmath SVD of a d × d matrix)

        Tolerance: 10^(10−dps) relative: both carry 20 guard digits
        """
        stated = _stated_rate(case, run.dps)
        reference = numbers.iteration_norm(case.problem, case.step, dps=run.dps)
        with mp.workdps(run.dps + 10):
            error = abs(stated - reference) / reference
        return Measured(float(error), digits_tolerance(run.dps), f"ρ = {mp.nstr(reference, 8)}",
                        {"rate": float(reference)})

    # --- per case: trained models -----------------------------------------------------------------------
    def train(self, cases, run):
        from ..training import regression  # noqa: PLC0415 - torch is imported only when models train

        data = [regression.Data(np.array(c.inputs, dtype=float), np.array(c.targets, dtype=float)) for c in cases]
        records = [_records(c.steps) for c in cases]
        experiments = [regression.Experiment(i, float(c.step), c.steps, init=tuple(float(v) for v in c.init),
                                             record=record) for i, (c, record) in enumerate(zip(cases, records))]
        runs = regression.train("linear", experiments, data, device=run.device, dtype=run.dtype)
        results = {}
        for i, case in enumerate(cases):
            if not runs.finite[i]:
                limit = float(numbers.stable_step_limit(case.problem))
                results[case] = Diverged(f"GD diverged (NaN/inf): step {float(case.step):g} vs the stability limit "
                                         f"2/λ_{max} = {limit:.4g}")
                continue
            results[case] = Trained(record=records[i], weights=runs.recorded[i], where=runs.where)
        return results

    @check("empirical", measures="ratio to bound")
    def gd_stays_in_affine_set(self, case, run, trained):
        """torch GD (batched, torch.optim.SGD): the component of w_k − anchor outside the row space, ‖(I − P)(w_k −
        w₀)‖, at 16 log-spaced steps

        Tolerance: float rounding only: k·B (B the first-order rounding of one step, c = n + d + 4 ulps of each term; I
        − ηXᵀX does not expand errors) plus the rounding of applying I − P
        """
        x, _, _ = _exact(case)
        outside = np.array((sp.eye(x.cols) - x.T * (x * x.T).inv() * x).evalf(20).tolist(), dtype=float)
        anchor = np.array([float(v) for v in _stated_anchor(case)])
        per_step = numbers.rounding_per_step(case.problem, case.step, run.unit_roundoff)
        width = len(case.init)
        ratios = []
        for k, w in zip(trained.record, trained.weights):
            applied = (2 * width + 4) * math.sqrt(width) * run.unit_roundoff * (np.linalg.norm(w) + np.linalg.norm(anchor))
            ratios.append(_ratio(np.linalg.norm(outside @ (w - anchor)), k * per_step + applied))
        return Measured(worst(ratios), 1.0, trained.where)

    @check("empirical", measures="ratio to bound")
    def gd_vs_limit(self, case, run, trained):
        """torch GD against the stated limit at 16 log-spaced steps k ≥ 1: ‖w_k − w∞‖

        Tolerance: the spectral bound ρ^k‖w₀ − w∞‖ (stated rate) plus float rounding k·B + 2u‖w∞‖
        """
        final = np.array([float(v) for v in _stated_limit(case)])
        start = np.array([float(v) for v in case.init])
        rate = float(_stated_rate(case, run.dps))
        per_step = numbers.rounding_per_step(case.problem, case.step, run.unit_roundoff)
        distance = np.linalg.norm(start - final)
        errors, bounds = [], []
        for k, w in zip(trained.record, trained.weights):
            errors.append(float(np.linalg.norm(w - final)))
            bounds.append(rate**k * distance + k * per_step + 2 * run.unit_roundoff * np.linalg.norm(final))
        ratios = [_ratio(e, b) for k, e, b in zip(trained.record, errors, bounds) if k > 0]  # k = 0: ratio 1
        return Measured(worst(ratios), 1.0, f"ρ = {rate:.6g}, {case.steps} steps: ‖w − w∞‖ = {errors[-1]:.3g}",
                        {"rate": rate, "record": list(trained.record), "errors": errors, "bounds": bounds,
                         "distance": float(distance)})

    corruptions = (
        Corruption("GD from any init finds the minimum-norm interpolant X^+y (the init forgotten)",
                   lambda: theory.substituted(limit=lambda x, y, w0: x.T * (x * x.T) ** -1 * y, anchor=lambda w0: 0 * w0),
                   checks=("row-space-invariance", "limit-is-closest", "gd-stays-in-affine-set", "gd-vs-limit")),
        Corruption("limit 3% too far along X^+(y − Xw₀)",
                   lambda: theory.substituted(limit=lambda x, y, w0: w0 + sp.Rational(103, 100) * x.T * (x * x.T) ** -1
                                              * (y - x * w0)),
                   checks=("row-space-invariance", "limit-vs-svd", "limit-is-closest", "gd-vs-limit")),
        Corruption("rate 3% optimistic: 0.97·max|1 − ηλ|",
                   lambda: theory.substituted(rate=lambda s, a, b: sp.Rational(97, 100) * sp.Max(sp.Abs(1 - s * a),
                                                                                                 sp.Abs(1 - s * b))),
                   checks=("rate-vs-iteration-norm", "gd-vs-limit")),
    )

    # --- reports ----------------------------------------------------------------------------------------

    def figures(self, directory, result) -> list:
        from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

        figure, (plane, decay) = plt.subplots(1, 2, figsize=(10.5, 4.6), constrained_layout=True)
        _plane_panel(plane, result.settings, COLOURS)
        measured = [o for o in result.outcomes if o.check == "gd-vs-limit" and "errors" in o.measurements]
        curves = [o for o in measured if o.measurements["distance"] > 0]  # w₀ = w∞: no decay to draw (0/0)
        for index, outcome in enumerate(curves):
            m = outcome.measurements
            steps = np.maximum(np.array(m["record"]), 0.7)
            colour = COLOURS[index % len(COLOURS)]
            decay.plot(steps, np.array(m["errors"]) / m["distance"], "o-", ms=3, lw=1, color=colour)
            decay.plot(steps, np.array(m["bounds"]) / m["distance"], "--", lw=1, color=colour, alpha=0.7)
        decay.set_xscale("log")
        decay.set_yscale("log")
        decay.set_xlabel("GD step k (step 0 drawn at 0.7)")
        decay.set_ylabel(r"$\|w_k - w_\infty\| \,/\, \|w_0 - w_\infty\|$")
        unmoved = len(measured) - len(curves)
        decay.set_title(f"{len(curves)} drawn cases: GD (dots) under the bound $\\rho^k$ + rounding (dashed)"
                        + (f"\n({unmoved} more start at $w_\\infty$: nothing to decay)" if unmoved else ""))
        decay.grid(alpha=0.25, which="both")
        figure.suptitle("minnorm: gradient descent on least squares converges to the interpolant closest to $w_0$")
        return save(figure, directory, "minnorm")


def _exact(case):
    return (sp.Matrix(case.inputs), sp.Matrix(case.targets), sp.Matrix(case.init))


def _stated_limit(case) -> list:
    """The stated limit evaluated exactly: a list of SymPy rationals."""
    return list(theory.limit(*_exact(case)))


def _stated_anchor(case) -> list:
    return list(theory.anchor(sp.Matrix(case.init)))


def _stated_rate(case, dps: int):
    """The stated rate at the case's step and the extreme eigenvalues of XXᵀ (mpmath, ``dps`` digits)."""
    values = numbers.spectrum(case.problem, dps=dps)
    with mp.workdps(dps + 10):
        form = sp.lambdify((theory.eta, theory.low, theory.high), theory.rate(), modules="mpmath")
        return form(mp.mpf(case.step.numerator) / case.step.denominator, values[0], values[-1])


def _ratio(error: float, bound: float) -> float:
    """error/bound, 0 when both vanish (w₀ = w∞: nothing to converge)"""
    return 0.0 if error == 0 else error / bound


def _records(steps: int) -> tuple:
    return tuple(sorted({0, steps} | {round(steps ** (j / RECORDS)) for j in range(RECORDS)}))


def _plane_panel(axis, settings, colours) -> None:
    """The picture of the statement for n = 1, d = 2: GD from several inits (torch, one batch) walks straight to
    the foot of the perpendicular on the solution line x·w = y."""
    from ..training import regression  # noqa: PLC0415 - torch only when figures are drawn

    x, y = np.array([[1.0, 2.0]]), np.array([2.0])
    inits = [(-1.5, -1.0), (2.5, 2.0), (-2.0, 2.5), (0.0, 0.0), (2.0, -1.5)]
    step, steps = 0.1, 40
    record = tuple(range(steps + 1))
    runs = regression.train("linear", [regression.Experiment(0, step, steps, init=w0, record=record) for w0 in inits],
                            [regression.Data(x, y)], device=settings.device, dtype=settings.dtype)
    line = np.linspace(-3, 3, 2)
    axis.plot(line, (y[0] - line) / 2, color="black", lw=1.5, label=r"interpolants $x^\top w = y$")
    for index, (w0, path) in enumerate(zip(inits, runs.recorded)):
        colour = colours[index % len(colours)]
        axis.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=0.8, color=colour)
        axis.plot(*w0, "o", color=colour)
        foot = np.array(w0) + np.linalg.pinv(x) @ (y - x @ np.array(w0))
        axis.plot(*foot, "x", color=colour, ms=9, mew=2)
    axis.plot([], [], "kx", label=r"$w_0 + X^+(y - Xw_0)$ (closest point)")
    axis.plot(0.4, 0.8, "k*", ms=10, label="minimum-norm interpolant (from $w_0 = 0$)")
    axis.set_aspect("equal")
    axis.set_xlim(-3, 3)
    axis.set_ylim(-3, 3)
    axis.set_xlabel("$w_1$")
    axis.set_ylabel("$w_2$")
    axis.set_title(r"$d = 2$, $x = (1, 2)$, $y = 2$: paths meet the line at right angles")
    axis.legend(fontsize=7.5, loc="lower left")
    axis.grid(alpha=0.25)


CLAIM = MinimumNorm()
