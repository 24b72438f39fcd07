"""Linear stability of gradient descent (theory/stability.py) as numbers.

* Quadratics ½xᵀHx with H = P diag(λ) P, P = I − 2vvᵀ/vᵀv a Householder reflector with an integer vector v:
  H and the start x_0 = P c are exact rationals. The GD iterate after K steps is x_K = (I − ηH)^K x_0, whose
  norm ``quadratic_norm`` evaluates from the spectral closed form ‖x_K‖² = Σ_i (1 − ηλ_i)^{2K} c_i², and
  ``quadratic_norm_by_powers`` independently, by repeated squaring of the matrix I − ηH in mpmath.
* The (ab − 1)² model: ``flow_limit_sharpness`` is the sharpness √(D_0² + 4) of the minimum gradient flow
  reaches from (a_0, b_0) (D = a² − b² is conserved), and ``flow_limit_by_integration`` integrates the flow
  with SciPy to the valley as an independent route; ``valley_start`` builds a start near the valley whose
  flow limit has a prescribed sharpness.
* ``top_eigenvalue``: the largest eigenvalue of a symmetric operator given as a matrix-vector product,
  by SciPy's Lanczos (ARPACK ``eigsh``), with its residual ‖Hv − λv‖ (a bound on the distance from λ to
  the spectrum).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import numpy as np
from scipy.integrate import solve_ivp
from scipy.sparse.linalg import LinearOperator, eigsh

from . import arguments
from .arguments import ParameterError, to_mpf

MAX_DIMENSION = 64
FLOW_RTOL = 1e-12  # SciPy's relative tolerance for the flow to the valley; its error is reported with it


def reflector(vector) -> list:
    """The Householder reflector P = I − 2vvᵀ/vᵀv of a nonzero integer ``vector``, as exact Fractions
    (symmetric and orthogonal: P = Pᵀ = P⁻¹)."""
    v = [arguments.integer("vector", entry, -10**6, 10**6) for entry in vector]
    if not 1 <= len(v) <= MAX_DIMENSION or not any(v):
        raise ParameterError("vector", vector, f"a nonzero integer vector of length 1..{MAX_DIMENSION}")
    norm = sum(entry * entry for entry in v)
    return [[Fraction(int(i == j)) - Fraction(2 * v[i] * v[j], norm) for j in range(len(v))] for i in range(len(v))]


def quadratic_hessian(eigenvalues, vector) -> list:
    """H = P diag(λ) P (exact Fractions): symmetric, with the given eigenvalues and the columns of P as eigenvectors."""
    curvatures = _curvatures(eigenvalues)
    p = reflector(vector)
    if len(p) != len(curvatures):
        raise ParameterError("vector", vector, f"of the same length as eigenvalues ({len(curvatures)})")
    n = len(p)
    return [[sum(p[i][m] * curvatures[m] * p[m][j] for m in range(n)) for j in range(n)] for i in range(n)]


def quadratic_start(components, vector) -> list:
    """x_0 = P c (exact): the start whose coordinates in H's eigenbasis are ``components``."""
    c = [arguments.exact("components", value) for value in components]
    p = reflector(vector)
    if len(p) != len(c):
        raise ParameterError("components", components, f"of the same length as vector ({len(p)})")
    return [sum(p[i][j] * c[j] for j in range(len(c))) for i in range(len(c))]


def quadratic_norm(eigenvalues, components, *, step, steps, dps=30):
    """‖x_K‖ after K = ``steps`` GD steps of size ``step`` from the start with eigen-coordinates ``components``,
    by the closed form √(Σ_i (1 − ηλ_i)^{2K} c_i²) (theory/stability.py), correct to ``dps`` digits."""
    curvatures = _curvatures(eigenvalues)
    c = [arguments.exact("components", value) for value in components]
    if len(c) != len(curvatures):
        raise ParameterError("components", components, f"of the same length as eigenvalues ({len(curvatures)})")
    eta = arguments.positive("step", step)
    count = arguments.integer("steps", steps, 0, 10**7)
    with mp.workdps(arguments.working_dps(dps) + 10):
        # each multiplier is an exact rational, so its power loses no digits to cancellation
        total = sum(to_mpf(1 - eta * lam) ** (2 * count) * to_mpf(ci) ** 2 for lam, ci in zip(curvatures, c))
        return +mp.sqrt(total)


def quadratic_norm_by_powers(hessian, start, *, step, steps, dps=30):
    """‖(I − ηH)^K x_0‖ by repeated squaring of the matrix in mpmath (an independent route to ``quadratic_norm``)."""
    n = len(start)
    if not 1 <= n <= MAX_DIMENSION or any(len(row) != n for row in hessian) or len(hessian) != n:
        raise ParameterError("hessian", "...", f"a square matrix matching start (size 1..{MAX_DIMENSION})")
    eta = arguments.positive("step", step)
    count = arguments.integer("steps", steps, 0, 10**7)
    digits = arguments.working_dps(dps)
    # repeated squaring multiplies rounding errors by at most ‖M‖^K ≤ (1 + η‖H‖)^K relative to the result's
    # scale; pay for it with guard digits (the condition is logged here, generously, in base 10)
    norm_h = max(sum(abs(float(value)) for value in row) for row in hessian)
    guard = int(count * np.log10(1 + float(eta) * norm_h)) + 2 * max(1, count).bit_length() + 10
    with mp.workdps(digits + guard):
        power = mp.eye(n)
        base = mp.matrix([[to_mpf(Fraction(int(i == j)) - eta * arguments.exact("hessian", hessian[i][j]))
                           for j in range(n)] for i in range(n)])
        remaining = count
        while remaining:
            if remaining & 1:
                power = power * base
            base = base * base
            remaining >>= 1
        x = power * mp.matrix([to_mpf(arguments.exact("start", value)) for value in start])
        return +mp.sqrt(sum(x[i] ** 2 for i in range(n)))


def spectral_radius(eigenvalues, *, step) -> Fraction:
    """max_i |1 − ηλ_i| (exact): the GD map's contraction (< 1) or expansion (> 1) factor on ½xᵀHx."""
    eta = arguments.positive("step", step)
    return max(abs(1 - eta * lam) for lam in _curvatures(eigenvalues))


def _curvatures(eigenvalues) -> list:
    values = [arguments.exact("eigenvalues", value) for value in eigenvalues]
    if not 1 <= len(values) <= MAX_DIMENSION or any(value <= 0 for value in values):
        raise ParameterError("eigenvalues", eigenvalues, f"1..{MAX_DIMENSION} positive numbers (a minimum)")
    return values


# --- the (ab − 1)² model -------------------------------------------------------------------------------
def flow_limit_sharpness(a0, b0, *, dps=30):
    """Sharpness √(D_0² + 4) of the minimum gradient flow reaches from (a_0, b_0), D_0 = a_0² − b_0²."""
    a, b = _toy_start(a0, b0)
    with mp.workdps(arguments.working_dps(dps) + 10):
        return +mp.sqrt(to_mpf(a * a - b * b) ** 2 + 4)


def flow_limit_by_integration(a0, b0) -> tuple:
    """a² + b² where SciPy's DOP853 (rtol ``FLOW_RTOL``) brings the flow ȧ = −b(ab − 1), ḃ = −a(ab − 1) to
    the valley (|ab − 1| < 1e-13), and the time that took: an independent route to ``flow_limit_sharpness``."""
    a, b = (float(value) for value in _toy_start(a0, b0))

    def rhs(_, state):
        residual = state[0] * state[1] - 1
        return [-state[1] * residual, -state[0] * residual]

    def arrived(_, state):
        return abs(state[0] * state[1] - 1) - 1e-13

    arrived.terminal = True
    # near the valley the residual decays at rate a² + b² ≥ 2|ab| ≈ 2: 40 time units cover 1e-13 from |r| ~ 1e4
    solution = solve_ivp(rhs, (0.0, 200.0), [a, b], method="DOP853", rtol=FLOW_RTOL, atol=1e-15, events=arrived)
    if solution.status != 1:
        raise ArithmeticError(f"the flow from ({a}, {b}) did not reach the valley by t = 200 ({solution.message})")
    end = solution.y[:, -1]
    return float(end[0] ** 2 + end[1] ** 2), float(solution.t[-1])


def valley_start(*, sharpness, residual) -> tuple:
    """A start (a_0, b_0) with a_0 b_0 = 1 + ``residual`` whose flow limit has sharpness ``sharpness`` (≥ 2):
    a_0² − b_0² = D_0 = √(S² − 4) and a_0 b_0 = 1 + r give a_0² = (D_0 + √(D_0² + 4(1 + r)²))/2, b_0 = (1 + r)/a_0.
    Rounded to 12 significant digits, exact decimals (the flow limit of the rounded start is computed exactly
    by ``flow_limit_sharpness``)."""
    s = arguments.exact("sharpness", sharpness)
    r = arguments.exact("residual", residual)
    if s < 2:
        raise ParameterError("sharpness", sharpness, "at least 2 (every minimum of (ab − 1)² has sharpness ≥ 2)")
    if not -1 < r < 1:
        raise ParameterError("residual", residual, "in (−1, 1)")
    with mp.workdps(40):
        d, product = mp.sqrt(to_mpf(s) ** 2 - 4), 1 + to_mpf(r)
        a = mp.sqrt((d + mp.sqrt(d * d + 4 * product**2)) / 2)
        return _decimal(a), _decimal(product / a)


def _decimal(value) -> Fraction:
    return Fraction(mp.nstr(value, 12, strip_zeros=False))


def _toy_start(a0, b0) -> tuple:
    a, b = arguments.exact("a0", a0), arguments.exact("b0", b0)
    if abs(a) > 10**3 or abs(b) > 10**3:
        raise ParameterError("a0", a0, "a start with |a0|, |b0| <= 1000")
    if a + b == 0:
        raise ParameterError("b0", b0, "≠ −a0", "on the line a = −b the flow runs into the saddle at the origin")
    return a, b


def toy_sharpness(a, b) -> float:
    """λ_max of the Hessian [[b², 2ab − 1], [2ab − 1, a²]] of ½(ab − 1)² at (a, b), in float64."""
    half_trace, half_gap, off = (a * a + b * b) / 2, (a * a - b * b) / 2, 2 * a * b - 1
    return float(half_trace + np.hypot(half_gap, off))


# --- a top eigenvalue from matrix-vector products -------------------------------------------------------
def top_eigenvalue(matvec, size: int, *, start=None, tolerance=1e-10) -> tuple:
    """(λ_max, ‖Hv − λv‖) of the symmetric operator ``matvec`` on R^size (float64 arrays in and out), by
    ARPACK's Lanczos iteration (``which='LA'``: the largest algebraic eigenvalue) to relative ``tolerance``."""
    n = arguments.integer("size", size, 2, 10**7)
    operator = LinearOperator((n, n), matvec=lambda v: np.asarray(matvec(np.asarray(v, dtype=np.float64).ravel())),
                              dtype=np.float64)
    values, vectors = eigsh(operator, k=1, which="LA", v0=start, tol=tolerance)
    vector = vectors[:, 0]
    residual = float(np.linalg.norm(operator.matvec(vector) - values[0] * vector))
    return float(values[0]), residual
