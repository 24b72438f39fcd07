"""Woodworth et al.'s regulariser in numbers (docs/claims/vardi-classics.md §2): the interpolant on the flow's
mirror path, the minimiser of the stated Q_α over the interpolants (two independent routes to the same point),
the ℓ1 interpolant by linear programming, and the bounds the regime checks use.

* ``mirror_interpolant``: the β = 2α² sinh(Xᵀν) with Xβ = y, derived from the flow alone. ν maximises the
  concave dual νᵀy − 2α²Σ(cosh((Xᵀν)_i) − 1): SciPy's ``trust-exact`` (Newton with exact Hessians) in float64,
  then Newton's method in mpmath at dps + 20 digits.
* ``regulariser_minimiser``: min Q_α(β) over Xβ = y with Q_α as the statement writes it (``theory.woodworth``,
  differentiated by SymPy): in the coordinates z of β = β_ℓ2 + N z (N the exact null basis of X from its reduced
  row echelon form, ``least_squares.null_basis``; not orthonormal, which the coordinates do not need), an
  unconstrained strictly convex problem: ``trust-exact`` in float64 (its KKT residuals reported), then damped
  Newton in mpmath.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath as mp
import numpy as np
import sympy as sp
from scipy.optimize import linprog, minimize

from theory import woodworth as theory

from . import arguments
from .arguments import ParameterError, to_mpf
from .least_squares import GUARD_DIGITS, Problem, matrices, null_basis

NEWTON_STEPS = 200
LP_TOLERANCE = 1e-9  # HiGHS' feasibility/optimality tolerances are 1e-7 by default; we ask for tighter, and check


@dataclass(frozen=True)
class Solution:
    """β (mpmath, ``dps`` digits) and the float solver's KKT residuals and iteration counts."""

    beta: tuple
    kkt: dict


def mirror_interpolant(data: Problem, alpha, *, dps: int) -> Solution:
    """The interpolant β = 2α² sinh(Xᵀν) (the flow's mirror path meeting Xβ = y)."""
    digits = arguments.dps(dps)
    scale = arguments.positive("alpha", alpha)
    x = np.array([[float(v) for v in row] for row in data.inputs])
    y = np.array([float(v) for v in data.targets])
    a2 = 2 * float(scale) ** 2

    def dual(nu):
        s = x.T @ nu
        return a2 * np.sum(np.cosh(s) - 1) - nu @ y, x @ (a2 * np.sinh(s)) - y

    found = minimize(lambda nu: dual(nu)[0], np.zeros(len(y)), jac=lambda nu: dual(nu)[1],
                     hess=lambda nu: (x * (a2 * np.cosh(x.T @ nu))) @ x.T, method="trust-exact",
                     options={"gtol": 1e-12 * max(1.0, np.linalg.norm(y)), "maxiter": 2000})
    kkt = {"feasibility": float(np.linalg.norm(dual(found.x)[1]) / np.linalg.norm(y)), "iterations": int(found.nit)}
    with mp.workdps(digits + GUARD_DIGITS):
        xm, ym, _ = matrices(data)
        a2m = 2 * to_mpf(scale) ** 2
        nu = mp.matrix([mp.mpf(v) for v in found.x])

        def objective(point):
            s = xm.T * point
            return a2m * mp.fsum(mp.cosh(s[i]) - 1 for i in range(xm.cols)) - (ym.T * point)[0]

        for _ in range(NEWTON_STEPS):
            s = xm.T * nu
            beta = mp.matrix([a2m * mp.sinh(s[i]) for i in range(xm.cols)])
            gradient = xm * beta - ym
            if mp.norm(gradient) <= mp.mpf(10) ** -(digits + GUARD_DIGITS // 2) * max(1, mp.norm(ym)):
                return Solution(tuple(beta), kkt)
            weights = [a2m * mp.cosh(s[i]) for i in range(xm.cols)]
            hessian = mp.matrix(xm.rows, xm.rows)
            for i in range(xm.rows):
                for k in range(xm.rows):
                    hessian[i, k] = mp.fsum(xm[i, j] * weights[j] * xm[k, j] for j in range(xm.cols))
            nu = _damped(objective, nu, -mp.lu_solve(hessian, gradient), gradient)
    raise ArithmeticError(f"Newton's method on the dual did not converge in {NEWTON_STEPS} steps (alpha={float(scale):g})")


def regulariser_minimiser(data: Problem, alpha, *, dps: int, start=None) -> Solution:
    """argmin of the stated Q_α over the interpolants, from its value, gradient and Hessian (SymPy). ``start``: an
    interpolant to start the float solver from (e.g. the minimiser at a nearby α; default the ℓ2 interpolant):
    it changes the work, not the answer (the problem is strictly convex)."""
    digits = arguments.dps(dps)
    scale = arguments.positive("alpha", alpha)
    floats, exact = _forms(theory.statement_key())
    basis = null_basis(data.inputs)
    x = np.array([[float(v) for v in row] for row in data.inputs])
    y = np.array([float(v) for v in data.targets])
    n_basis = np.array([[float(v) for v in vector] for vector in basis]).T  # d × (d − n)
    n_least = np.linalg.lstsq(x, y, rcond=None)[0]
    a = float(scale)
    value, slope, curvature = (np.vectorize(lambda point, f=f: f(point, a), otypes=[float]) for f in floats)

    def objective(coordinates):
        beta = n_least + n_basis @ coordinates
        return value(beta).sum(), n_basis.T @ slope(beta), (n_basis.T * curvature(beta)) @ n_basis

    initial = np.zeros(n_basis.shape[1]) if start is None else np.linalg.lstsq(n_basis, np.asarray(start, float) - n_least,
                                                                               rcond=None)[0]
    found = minimize(lambda c: objective(c)[0], initial, jac=lambda c: objective(c)[1],
                     hess=lambda c: objective(c)[2], method="trust-exact", options={"gtol": 1e-12, "maxiter": 5000})
    beta_f = n_least + n_basis @ found.x
    gradient_f = slope(beta_f)
    kkt = {"stationarity": float(np.linalg.norm(n_basis.T @ gradient_f) / max(np.linalg.norm(gradient_f), 1e-300)),
           "feasibility": float(np.linalg.norm(x @ beta_f - y) / np.linalg.norm(y)), "iterations": int(found.nit)}
    with mp.workdps(digits + GUARD_DIGITS):
        value, slope, curvature = exact
        am = to_mpf(scale)
        xm, ym, _ = matrices(data)
        least = xm.T * mp.lu_solve(xm * xm.T, ym)  # any interpolant: the ℓ2 one
        columns = [[to_mpf(v) for v in vector] for vector in basis]
        d, k = xm.cols, len(columns)
        coordinates = [mp.mpf(v) for v in found.x]

        def point(weights):
            return [least[i] + mp.fsum(weights[j] * columns[j][i] for j in range(k)) for i in range(d)]

        def total(weights):
            return mp.fsum(value(b, am) for b in point(list(weights)))

        for _ in range(NEWTON_STEPS):
            beta = point(coordinates)
            slopes = [slope(b, am) for b in beta]
            curvatures = [curvature(b, am) for b in beta]
            gradient = mp.matrix([mp.fsum(columns[j][i] * slopes[i] for i in range(d)) for j in range(k)])
            hessian = mp.matrix(k, k)
            for j in range(k):
                for m in range(j, k):
                    hessian[j, m] = hessian[m, j] = mp.fsum(columns[j][i] * curvatures[i] * columns[m][i]
                                                           for i in range(d))
            direction = -mp.lu_solve(hessian, gradient)
            decrement = -(gradient.T * direction)[0]  # the Newton decrement squared
            if decrement <= mp.mpf(10) ** -(2 * digits + GUARD_DIGITS):
                return Solution(tuple(beta), kkt)
            coordinates = list(_damped(total, mp.matrix(coordinates), direction, gradient))
    raise ArithmeticError(f"Newton's method on Q_alpha did not converge in {NEWTON_STEPS} steps (alpha={float(scale):g})")


@lru_cache(maxsize=8)
def _forms(statement: str):
    """The stated α²q(b/α²) and its first two derivatives in b, as functions of (b, α) for NumPy and mpmath;
    keyed by the stated forms (a corrupted statement gets its own)."""
    term = theory.regulariser(theory.b, theory.alpha)
    forms = [term, sp.diff(term, theory.b), sp.diff(term, theory.b, 2)]
    arguments_ = (theory.b, theory.alpha)
    return ([sp.lambdify(arguments_, f, modules="numpy") for f in forms],
            [sp.lambdify(arguments_, f, modules="mpmath") for f in forms])


def l1_interpolant(data: Problem) -> Solution:
    """min ‖β‖₁ subject to Xβ = y by linear programming (HiGHS, β = p − q with p, q ≥ 0), its KKT residuals:
    feasibility ‖Xβ − y‖/‖y‖, dual feasibility max(‖Xᵀλ‖_∞ − 1, 0), and the duality gap |‖β‖₁ − yᵀλ|/‖β‖₁."""
    x = np.array([[float(v) for v in row] for row in data.inputs])
    y = np.array([float(v) for v in data.targets])
    d = x.shape[1]
    found = linprog(np.ones(2 * d), A_eq=np.hstack([x, -x]), b_eq=y, bounds=(0, None), method="highs",
                    options={"primal_feasibility_tolerance": LP_TOLERANCE, "dual_feasibility_tolerance": LP_TOLERANCE})
    if found.status != 0:
        raise ArithmeticError(f"linprog failed: {found.message}")
    beta = found.x[:d] - found.x[d:]
    dual = found.eqlin.marginals
    norm = float(np.abs(beta).sum())
    kkt = {"feasibility": float(np.linalg.norm(x @ beta - y) / np.linalg.norm(y)),
           "dual_feasibility": float(max(np.abs(x.T @ dual).max() - 1, 0.0)),
           "duality_gap": abs(norm - float(y @ dual)) / norm}
    return Solution(tuple(float(v) for v in beta), kkt)


def rich_gap_bound(beta, l1_beta, alpha) -> float:
    """Upper bound on ‖β_α‖₁ − min‖·‖₁ for the minimiser β_α of Q_α, α < 1 (docs/claims/vardi-classics.md §2.3):
    (H(β_ℓ1) − H(β_α) + 3dα²)/log(1/α²), H(β) = Σ|β_i|(log|β_i| − 1) (0 log 0 = 0)."""
    scale = float(arguments.positive("alpha", alpha))
    if scale >= 1:
        raise ParameterError("alpha", scale, "below 1 (the rich-regime bound divides by log(1/alpha^2))")
    return (_entropy(l1_beta) - _entropy(beta) + 3 * len(beta) * scale**2) / np.log(1 / scale**2)


def _entropy(beta) -> float:
    magnitudes = np.abs(np.array([float(v) for v in beta]))
    positive = magnitudes[magnitudes > 0]
    return float(np.sum(positive * (np.log(positive) - 1)))


def _damped(objective, point, direction, gradient):
    """A backtracking (Armijo) step along the Newton ``direction`` from ``point``; the full step once the Newton
    decrement is below 10⁻¹⁰, inside the region of quadratic convergence, where the decrease it would test
    is beyond the working precision."""
    slope = (gradient.T * direction)[0]
    if -slope < mp.mpf(10) ** -10:
        return point + direction
    current = objective(point)
    step = mp.mpf(1)
    for _ in range(60):
        trial = point + step * direction
        if objective(trial) <= current + step * slope / 4:
            return trial
        step /= 2
    return point + step * direction
