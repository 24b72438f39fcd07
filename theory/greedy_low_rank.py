"""Greedy low-rank learning: symmetric matrix factorisation from a tiny start learns the target's eigen-modes one at
a time, each on Theorem 1's depth-2 flow.

Model (docs/claims/vardi-stability-and-rank.md §2): U ∈ R^{d×r}, a symmetric target M = Q diag(λ) Qᵀ, and the loss
L(U) = (1/4)‖UUᵀ − M‖²_F, trained by gradient flow U̇ = −∇L = −(UUᵀ − M)U (GD: U ← U − η(UUᵀ − M)U). In M's eigenbasis
the rows u_k = q_kᵀU move by u̇_k = λ_k u_k − Σ_j (u_k·u_j) u_j, and the coordinate s_k = ‖u_k‖² = q_kᵀUUᵀq_k:

* ``flow_derivation``: the gradient, its rotation invariance (so M may be taken diagonal), the aligned reduction
  (diagonal U stays diagonal and s = u² follows ds/dt = 2s(λ − s), which is ``CLOCK`` × Theorem 1's depth-2 flow:
  the clock factor is 1 for the (1/4) loss, 2 for the ½ loss), and the row dynamics with their envelope
  d‖u_k‖²/dt = 2λ_k‖u_k‖² − 2Σ_j (u_k·u_j)² and GD's u_k → u_k((1 + ηλ_k)I − ηUᵀU).
* ``hitting_derivation``: Theorem 1's depth-2 solution from σ_0 reaches λ/2 at t = log(λ/σ_0 − 1)/(2λ), over the
  clock factor.
"""

from __future__ import annotations

import sympy as sp

from . import theorem1
from .derivation import Derivation
from .toy import flow_rhs, init, sigma, t, target

CLOCK = 1  # ds/dt = CLOCK · (Theorem 1's depth-2 rate) for the (1/4) loss: GD time ηk is Theorem 1's time t

eta = sp.Symbol("eta", positive=True)


def _symmetric(name: str, size: int) -> sp.Matrix:
    return sp.Matrix(size, size, lambda i, j: sp.Symbol(f"{name}_{min(i, j) + 1}{max(i, j) + 1}", real=True))


def _matrix(name: str, rows: int, columns: int) -> sp.Matrix:
    return sp.Matrix(rows, columns, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


def _loss(u: sp.Matrix, m: sp.Matrix):
    residual = u * u.T - m
    return sum(entry**2 for entry in residual) / 4


def flow_derivation() -> Derivation:
    derivation = Derivation("Symmetric matrix factorisation: gradient, reduction to Theorem 1, row dynamics")
    u, m = _matrix("U", 2, 2), _symmetric("M", 2)
    gradient = (u * u.T - m) * u
    for i in range(2):
        for j in range(2):
            derivation.equal(f"∂L/∂U_{i + 1}{j + 1} for L = (1/4)‖UUᵀ − M‖², M symmetric: ((UUᵀ − M)U)_{i + 1}{j + 1}",
                             sp.diff(_loss(u, m), u[i, j]), gradient[i, j],
                             name=rf"\partial L/\partial U_{{{i + 1}{j + 1}}}")
    s = sp.Symbol("s", real=True)  # a rotation by its rational parametrisation: cos = (1 − s²)/(1 + s²)
    rotation = sp.Matrix([[1 - s**2, -2 * s], [2 * s, 1 - s**2]]) / (1 + s**2)
    rotated = (rotation * u * rotation.T * rotation * u.T * rotation.T - rotation * m * rotation.T) * rotation * u
    for i in range(2):
        for j in range(2):
            derivation.equal(f"Rotation invariance (entry {i + 1}{j + 1}): the gradient at QU for the target QMQᵀ "
                             "(left, put over one denominator) is Q times the gradient at U for M (Q a rotation), so M "
                             "may be taken diagonal",
                             sp.cancel(rotated[i, j]), (rotation * gradient)[i, j],
                             name=rf"[\nabla L(QU;QMQ^\top)]_{{{i + 1}{j + 1}}}")
    _aligned(derivation)
    _rows(derivation)
    return derivation


def _aligned(derivation: Derivation) -> None:
    """Diagonal M and diagonal U: U stays diagonal and each s = u² follows Theorem 1's depth-2 flow × CLOCK."""
    lams = sp.symbols("lambda_1 lambda_2", positive=True)
    w = sp.symbols("w_1 w_2", positive=True)
    u = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"U_{i + 1}{j + 1}", real=True))
    loss = _loss(u, sp.diag(*lams))
    diagonal = {u[0, 0]: w[0], u[1, 1]: w[1], u[0, 1]: 0, u[1, 0]: 0}
    off = sum(sp.diff(loss, u[i, j]).xreplace(diagonal) ** 2 for i in range(2) for j in range(2) if i != j)
    derivation.equal("Diagonal M, diagonal U: the off-diagonal gradient entries vanish (their squares sum to 0), so "
                     "the flow keeps U diagonal", off, 0, name=r"\sum_{i\neq j}(\partial L/\partial U_{ij})^2")
    rate = 2 * w[0] * -sp.diff(loss, u[0, 0]).xreplace(diagonal)
    s = sp.Symbol("s_1", positive=True)
    derivation.equal("ds_1/dt = 2w_1·dw_1/dt for s_1 = w_1²: Theorem 1's depth-2 flow with σ = s_1, σ* = λ_1, on "
                     f"a clock {CLOCK} × as fast (the (1/4) loss; the ½ loss doubles the rate)",
                     rate.subs(w[0], sp.sqrt(s)), CLOCK * flow_rhs(2).subs({sigma: s, target: lams[0]}),
                     name=r"\dot s_1")


def _rows(derivation: Derivation) -> None:
    """Rows u_k = q_kᵀU in M's eigenbasis (M diagonal, U 3 × 2): their flow, the envelope of ‖u_k‖², GD's step."""
    lams = sp.symbols("lambda_1:4", nonnegative=True)
    u = _matrix("u", 3, 2)
    flow = -(u * u.T - sp.diag(*lams)) * u
    rows = [u[k, :] for k in range(3)]
    coupled = rows[0] * lams[0] - sum(((rows[0] * rows[j].T)[0, 0] * rows[j] for j in range(3)), sp.zeros(1, 2))
    for column in range(2):
        derivation.equal(f"Row 1 of the flow (column {column + 1}): du_1/dt = λ_1u_1 − Σ_j (u_1·u_j)u_j",
                         flow[0, column], coupled[0, column], name=rf"\dot u_{{1{column + 1}}}")
    square = 2 * (rows[0] * flow[0, :].T)[0, 0]
    norm = (rows[0] * rows[0].T)[0, 0]
    derivation.equal("d‖u_1‖²/dt = 2λ_1‖u_1‖² − 2Σ_j (u_1·u_j)²; the j = 1 term is −2‖u_1‖^4, so ‖u_1‖² grows at most "
                     "as the aligned depth-2 flow from its own start, and a null mode (λ = 0) never grows",
                     square, 2 * lams[0] * norm - 2 * sum((rows[0] * rows[j].T)[0, 0] ** 2 for j in range(3)),
                     name=r"\tfrac{d}{dt}\|u_1\|^2")
    stepped = u + eta * flow
    gram = u.T * u
    for column in range(2):
        derivation.equal(f"One GD step on row 1 (column {column + 1}): u_1 → u_1((1 + ηλ_1)I − ηUᵀU), so "
                         "‖u_1‖ grows by at most 1 + ηλ_1 per step while η‖UᵀU‖ ≤ 2(1 + ηλ_1)",
                         stepped[0, column], (rows[0] * ((1 + eta * lams[0]) * sp.eye(2) - eta * gram))[0, column],
                         name=rf"u_{{1{column + 1}}}'")


def hitting_derivation() -> Derivation:
    """The time at which Theorem 1's depth-2 solution from σ_0 reaches half of its target, over the clock."""
    derivation = Derivation("Theorem 1, depth 2: the time to learn half of a mode")
    half = sp.log(target / init - 1) / (2 * target) / CLOCK
    solution = theorem1.explicit_solution(2).subs(t, CLOCK * t)
    derivation.equal("Theorem 1's depth-2 solution σ(CLOCK·t) at t = log(σ*/σ_0 − 1)/(2σ* · CLOCK) is σ*/2 "
                     "(substituted back)", solution.subs(t, half), target / 2, name=r"\sigma(t_{1/2})",
                     points=[{target: 3, init: sp.Rational(1, 1000)},
                             {target: sp.Rational(1, 2), init: sp.Rational(1, 7)}])
    return derivation
