"""Under-determined least squares in numbers: the closest interpolant by an SVD at high precision, the spectrum
that sets gradient descent's rate, and the float rounding GD accumulates (docs/claims/vardi-classics.md §1).

The SVD route, X = U diag(s) V with orthonormal rows of V, gives X^+ = Vᵀ diag(1/s) Uᵀ without forming (XXᵀ)⁻¹:
it is independent of the normal-equation form w₀ + Xᵀ(XXᵀ)⁻¹(y − Xw₀) the statement uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import numpy as np

from . import arguments
from .arguments import ParameterError, to_mpf

GUARD_DIGITS = 20  # extra digits for the SVD and eigenvalue iterations (conditioning ≤ 10^10 is covered)
MAX_SIZE = 64


@dataclass(frozen=True)
class Problem:
    """Exact data: ``inputs`` X (n rows of d Fractions, full row rank n < d), ``targets`` y, ``init`` w₀."""

    inputs: tuple
    targets: tuple
    init: tuple

    @property
    def shape(self) -> tuple:
        return len(self.inputs), len(self.inputs[0])


def problem(inputs, targets, init) -> Problem:
    """Validated exact data; ``ParameterError`` names what is wrong (shape, rank)."""
    rows = [tuple(arguments.exact("inputs", value) for value in row) for row in inputs]
    if not rows or not 1 <= len(rows) < len(rows[0]) <= MAX_SIZE or any(len(row) != len(rows[0]) for row in rows):
        raise ParameterError("inputs", f"{len(rows)} rows", f"an n × d matrix with 1 <= n < d <= {MAX_SIZE} "
                             "(under-determined)")
    n, d = len(rows), len(rows[0])
    y = tuple(arguments.exact("targets", value) for value in targets)
    w = tuple(arguments.exact("init", value) for value in init)
    if len(y) != n:
        raise ParameterError("targets", f"{len(y)} values", f"{n} values (one per row of inputs)")
    if len(w) != d:
        raise ParameterError("init", f"{len(w)} values", f"{d} values (one per column of inputs)")
    if rank(rows) < n:
        raise ParameterError("inputs", "the given matrix", f"of full row rank {n}", "some row is a combination of "
                             "the others, so not every target vector can be interpolated")
    return Problem(tuple(rows), y, w)


def limit_by_svd(data: Problem, *, dps: int):
    """w₀ + X^+(y − Xw₀) with X^+ from the SVD, carried with guard digits and returned at ``dps`` digits."""
    digits = arguments.dps(dps)
    with mp.workdps(digits + GUARD_DIGITS):
        x, y, w = matrices(data)
        left, singular, right = mp.svd_r(x, full_matrices=False)
        residual = y - x * w
        scaled = mp.matrix([sum(left[i, k] * residual[i] for i in range(x.rows)) / singular[k]
                            for k in range(x.rows)])
        return w + right.T * scaled


def spectrum(data: Problem, *, dps: int) -> tuple:
    """The eigenvalues of XXᵀ (the nonzero eigenvalues of XᵀX), increasing, at ``dps`` digits."""
    digits = arguments.dps(dps)
    with mp.workdps(digits + GUARD_DIGITS):
        x = matrices(data)[0]
        values = mp.eigsy(x * x.T, eigvals_only=True)
        return tuple(sorted(values[i] for i in range(x.rows)))


def iteration_norm(data: Problem, step, *, dps: int):
    """‖(I − ηXᵀX)P‖₂ with P = Xᵀ(XXᵀ)⁻¹X: the largest factor by which one GD step can shrink an error that
    lies in the row space, from the singular values of a d × d matrix (not from the eigenvalues of XXᵀ)."""
    digits = arguments.dps(dps)
    eta = arguments.positive("step", step)
    with mp.workdps(digits + GUARD_DIGITS):
        x = matrices(data)[0]
        projector = x.T * mp.inverse(x * x.T) * x
        iteration = (mp.eye(x.cols) - to_mpf(eta) * x.T * x) * projector
        return max(mp.svd_r(iteration, compute_uv=False))


def stable_step_limit(data: Problem, *, dps: int = 30):
    """2/λ_max(XXᵀ): gradient descent converges for every step below it."""
    return 2 / spectrum(data, dps=dps)[-1]


def rounding_per_step(data: Problem, step, unit_roundoff: float) -> float:
    """First-order bound on the rounding error one float GD step w ← w − ηXᵀ(Xw − y) adds, for any iterate with
    ‖w‖ ≤ radius (docs/claims/vardi-classics.md §1.4): c·u·(R + η‖|X|‖(‖|X|‖R + ‖y‖)) with c = n + d + 4 (the
    two dot products, the step's scaling and the update) and R = ‖w∞‖ + ‖w₀ − w∞‖ bounding every ‖w_k‖."""
    x = np.array([[float(value) for value in row] for row in data.inputs])
    y = np.array([float(value) for value in data.targets])
    w = np.array([float(value) for value in data.init])
    final = w + np.linalg.pinv(x) @ (y - x @ w)
    radius = np.linalg.norm(final) + np.linalg.norm(w - final)
    magnitude = np.linalg.norm(np.abs(x), 2)
    n, d = x.shape
    return (n + d + 4) * unit_roundoff * (radius + float(step) * magnitude * (magnitude * radius + np.linalg.norm(y)))


def matrices(data: Problem):
    """X, y, w₀ as mpmath matrices at the working precision."""
    x = mp.matrix([[to_mpf(value) for value in row] for row in data.inputs])
    return x, mp.matrix([to_mpf(value) for value in data.targets]), mp.matrix([to_mpf(value) for value in data.init])


def rank(rows) -> int:
    """Exact rank over the rationals."""
    return len(_echelon(rows)[1])


def null_basis(rows) -> list:
    """An exact basis of the null space {z : Xz = 0} (lists of Fractions): one vector per free column of the
    reduced row echelon form."""
    reduced, pivots = _echelon(rows)
    columns = len(rows[0])
    basis = []
    for free in (c for c in range(columns) if c not in pivots):
        vector = [Fraction(0)] * columns
        vector[free] = Fraction(1)
        for row, pivot in zip(reduced, pivots):
            vector[pivot] = -row[free]
        basis.append(vector)
    return basis


def _echelon(rows):
    """The reduced row echelon form over the rationals (its nonzero rows) and its pivot columns."""
    matrix = [list(map(Fraction, row)) for row in rows]
    pivots, rank = [], 0
    for column in range(len(matrix[0])):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        matrix[rank] = [a / matrix[rank][column] for a in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank])]
        pivots.append(column)
        rank += 1
    return matrix[:rank], pivots
