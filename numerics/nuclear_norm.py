"""Matrix sensing with commuting measurements (theory/nuclear_norm.py) as numbers.

Measurements A_i = Q diag(D_i) Qᵀ (Q orthogonal, D ∈ R^{m×n} the eigenvalue table) and a PSD X = Q diag(x) Qᵀ:
⟨A_i, X⟩ = (Dx)_i and ‖X‖_* = tr X = Σ x_j. Three independent computations:

* ``minimum_trace``: the minimum nuclear norm over PSD solutions, min 1ᵀx s.t. Dx = y, x ≥ 0, by SciPy's HiGHS
  (tightened tolerances) with its KKT residuals: primal feasibility, dual feasibility (Dᵀν ≤ 1), complementary
  slackness x_j(1 − Dᵀν)_j = 0 and the duality gap 1ᵀx − yᵀν;
* ``vertex_minimum``: the same programme exactly, over the rationals, by enumerating every basis (n ≤ 8: at most
  70): its optimum value, an optimal vertex, and whether that vertex is the unique optimum (every reduced cost of
  an optimal nondegenerate basis positive);
* ``entropic_minimum``: the limit of gradient flow from X(0) = αI on the factorised loss (theory/nuclear_norm.py):
  x = a ⊙ exp(Dᵀμ) with Dx = y, i.e. the minimiser of Σ_j x_j log(x_j/a_j) − x_j s.t. Dx = y (a = α·1 for the flow;
  a = α·e^δ for gradient descent, δ from ``replay``), by Newton's method on the concave dual in mpmath;
* ``replay``: gradient descent on the reduced problem w → w ⊙ (1 − η g), g = Dᵀ(Dw² − y)/m (float64, NumPy), with
  the exact log-deviation δ_j = Σ_k 2[log(1 − ηg_jk) + ηg_jk] from the flow's mirror structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import mpmath as mp
import numpy as np
from scipy.optimize import linprog

from . import arguments
from .arguments import ParameterError, to_mpf

HIGHS_TOLERANCE = 1e-10  # HiGHS primal/dual feasibility tolerances requested (defaults 1e-7)
MAX_SIZE = 8


@dataclass(frozen=True)
class Programme:
    """The solution of min 1ᵀx s.t. Dx = y, x ≥ 0: ``x``, the optimum ``value``, duals ``duals`` ν, and the KKT
    residuals (absolute, on the data's scale)."""

    x: np.ndarray
    value: float
    duals: np.ndarray
    kkt: dict


def table(rows) -> list:
    """The eigenvalue table D as exact Fractions, validated: m × n with 1 ≤ m < n ≤ MAX_SIZE."""
    d = [[arguments.exact("table", v) for v in row] for row in rows]
    if not d or not 1 <= len(d) < len(d[0]) <= MAX_SIZE or any(len(row) != len(d[0]) for row in d):
        raise ParameterError("table", rows, f"an m × n matrix with 1 ≤ m < n ≤ {MAX_SIZE} (fewer measurements than "
                                            "eigenvalues)")
    return d


def minimum_trace(rows, observations) -> Programme:
    d = np.array([[float(v) for v in row] for row in table(rows)])
    y = np.array([float(arguments.exact("observations", v)) for v in observations])
    solved = linprog(np.ones(d.shape[1]), A_eq=d, b_eq=y, bounds=(0, None), method="highs",
                     options={"primal_feasibility_tolerance": HIGHS_TOLERANCE,
                              "dual_feasibility_tolerance": HIGHS_TOLERANCE})
    if solved.status != 0:
        raise ArithmeticError(f"HiGHS: {solved.message}")
    x, duals = solved.x, solved.eqlin.marginals
    reduced = 1 - d.T @ duals
    kkt = {"primal feasibility": float(np.max(np.abs(d @ x - y))), "sign": float(max(0.0, -x.min())),
           "dual feasibility": float(max(0.0, -reduced.min())),
           "complementary slackness": float(np.max(np.abs(x * reduced))),
           "duality gap": float(abs(x.sum() - y @ duals))}
    return Programme(x, float(solved.fun), duals, kkt)


def vertex_minimum(rows, observations) -> tuple:
    """(value, x, unique) of min 1ᵀx s.t. Dx = y, x ≥ 0, exactly: every basis B (m columns with D_B invertible)
    with x_B = D_B⁻¹y ≥ 0 is a vertex; the least 1ᵀx wins. ``unique``: the optimal basis is nondegenerate (x_B > 0)
    and every nonbasic reduced cost 1 − D_jᵀν, ν = D_B⁻ᵀ1, is positive."""
    d = table(rows)
    y = [arguments.exact("observations", v) for v in observations]
    m, n = len(d), len(d[0])
    if len(y) != m:
        raise ParameterError("observations", observations, f"{m} values, one per measurement")
    best = None
    for basis in combinations(range(n), m):
        columns = [[d[i][j] for j in basis] for i in range(m)]
        solution = _solve(columns, y)
        if solution is None or min(solution) < 0:
            continue
        value = sum(solution)
        if best is None or value < best[0]:
            best = (value, basis, solution)
    if best is None:
        raise ArithmeticError("the programme is infeasible: no vertex")
    value, basis, solution = best
    x = [Fraction(0)] * n
    for j, v in zip(basis, solution):
        x[j] = v
    duals = _solve([[d[i][j] for i in range(m)] for j in basis], [Fraction(1)] * m)
    reduced = [1 - sum(d[i][j] * duals[i] for i in range(m)) for j in range(n) if j not in basis]
    unique = min(solution) > 0 and all(r > 0 for r in reduced)
    return value, x, unique


def _solve(matrix, rhs):
    """The exact solution of a square rational system, or None if it is singular (Gauss–Jordan over Fractions)."""
    size = len(matrix)
    augmented = [list(row) + [value] for row, value in zip(matrix, rhs)]
    for column in range(size):
        pivot = next((r for r in range(column, size) if augmented[r][column] != 0), None)
        if pivot is None:
            return None
        augmented[column], augmented[pivot] = augmented[pivot], augmented[column]
        for r in range(size):
            if r != column and augmented[r][column]:
                factor = augmented[r][column] / augmented[column][column]
                augmented[r] = [a - factor * b for a, b in zip(augmented[r], augmented[column])]
    return [augmented[r][size] / augmented[r][r] for r in range(size)]


def entropic_minimum(rows, observations, starts, *, dps=30) -> tuple:
    """(x, residual): the minimiser of Σ_j x_j log(x_j/a_j) − x_j s.t. Dx = y for the positive weights ``starts`` a,
    as x = a ⊙ exp(Dᵀμ) with μ maximising the concave dual yᵀμ − Σ_j a_j exp((Dᵀμ)_j) (damped Newton, mpmath at
    ``dps`` digits plus guard digits); ``residual`` = ‖Dx − y‖_∞ / ‖y‖_∞ at the end. Tiny weights are reached by
    continuation: the weights are first scaled up to at most 0.1, then divided by 10 per stage, each stage's Newton
    iteration starting from the previous stage's μ."""
    a = [arguments.exact("starts", v) for v in starts]
    if len(a) != len(table(rows)[0]) or min(a) <= 0:
        raise ParameterError("starts", starts, f"{len(table(rows)[0])} positive weights")
    with mp.workdps(20):
        stages = max(0, int(mp.floor(mp.log10(mp.mpf(1) / 10 / to_mpf(max(a))))))  # 10^stages · max a ≤ 0.1
    factors = [Fraction(10) ** stage for stage in range(stages, -1, -1)]
    return entropic_path(rows, observations, [[v * f for v in a] for f in factors], dps=dps)[-1]


def entropic_path(rows, observations, weights, *, dps=30) -> list:
    """``entropic_minimum`` for each weight vector of ``weights`` in turn, each Newton iteration started from the
    previous one's μ (list the weights from large to small: each solve then starts close to its answer)."""
    d = table(rows)
    y = [arguments.exact("observations", v) for v in observations]
    if len(y) != len(d):
        raise ParameterError("observations", observations, f"{len(d)} values, one per measurement")
    out = []
    with mp.workdps(arguments.working_dps(dps) + 10):
        dm = mp.matrix([[to_mpf(v) for v in row] for row in d])
        ym = mp.matrix([to_mpf(v) for v in y])
        mu = mp.matrix(len(d), 1)
        for vector in weights:
            a = [arguments.exact("starts", v) for v in vector]
            if len(a) != len(d[0]) or min(a) <= 0:
                raise ParameterError("starts", vector, f"{len(d[0])} positive weights")
            mu, x, residual = _newton(dm, ym, [to_mpf(v) for v in a], mu)
            out.append((x, residual))
    return out


def _newton(dm, ym, weights, mu):
    """Damped Newton on the dual yᵀμ − Σ_j a_j exp((Dᵀμ)_j) from ``mu``: (μ, x, relative residual)."""
    n = len(weights)
    scale = max(abs(v) for v in ym) or mp.mpf(1)

    def primal(point):
        exponents = dm.T * point
        return mp.matrix([weights[j] * mp.exp(exponents[j]) for j in range(n)])

    def dual(point, x):
        return (ym.T * point)[0] - sum(x)

    x = primal(mu)
    tolerance = mp.mpf(10) ** (-mp.mp.dps + 5) * scale
    for _ in range(200):
        gradient_ = ym - dm * x
        if mp.norm(gradient_, mp.inf) <= tolerance:
            return mu, x, float(mp.norm(gradient_, mp.inf) / scale)
        hessian = dm * mp.diag(x) * dm.T
        try:
            direction = mp.lu_solve(hessian, gradient_)
        except ZeroDivisionError:  # a degenerate optimum: the Hessian is singular to the working precision
            direction = mp.qr_solve(hessian, gradient_)[0]  # least squares: the singular part carries no gradient
        step, value, size = mp.mpf(1), dual(mu, x), mp.norm(gradient_, mp.inf)
        while True:  # backtracking: the exponentials can overshoot; near the optimum the dual's increase is
            candidate = mu + step * direction  # below its rounding, so a smaller residual is accepted too
            trial = primal(candidate)
            if (dual(candidate, trial) >= value or mp.norm(ym - dm * trial, mp.inf) < size
                    or step < mp.mpf(10) ** -30):
                break
            step /= 2
        mu, x = candidate, trial
    raise ArithmeticError("entropic_minimum: Newton's method did not converge in 200 iterations")


def gradient(table_, x, observations):
    """g = Dᵀ(Dx − y)/m: the gradient of ½·mean_i((Dx)_i − y_i)² in x (the sensing loss is a mean over measurements)."""
    return table_.T @ (table_ @ x - observations) / table_.shape[0]


def replay(rows, observations, *, init, step, steps) -> tuple:
    """(x_K, δ_K, residual): gradient descent on the reduced problem from w = √α·1 for K = ``steps`` steps in
    float64: g = Dᵀ(Dw² − y)/m, w → w ⊙ (1 − ηg), δ += 2[log|1 − ηg| + ηg]; residual = ‖Dx_K − y‖_∞/‖y‖_∞."""
    d = np.array([[float(v) for v in row] for row in table(rows)])
    y = np.array([float(arguments.exact("observations", v)) for v in observations])
    eta = float(arguments.positive("step", step))
    w = np.full(d.shape[1], np.sqrt(float(arguments.positive("init", init))))
    deviation = np.zeros(d.shape[1])
    for _ in range(arguments.integer("steps", steps, 0, 10**7)):
        g = gradient(d, w * w, y)
        deviation += 2 * (np.log(np.abs(1 - eta * g)) + eta * g)  # x = w²: |1 − ηg| even if w changes sign
        w = w * (1 - eta * g)
    x = w * w
    return x, deviation, float(np.max(np.abs(d @ x - y)) / np.max(np.abs(y)))
