"""Retention of the initial linear classifier under SGD on the square loss (Nakkiran et al., the mechanism of
their Theorem 1; ``docs/claims/increasing-complexity.md`` §2).

Setting: X ∈ ℝ^{n×d} of full row rank n < d, labels y ∈ {±1}^n, SGD on ½(x_iᵀw − y_i)² from w₀.

* Every SGD update (any sample, step size or mini-batch) is w ← w − Xᵀa for some a ∈ ℝ^n, so the component
  outside the row space never moves: (I − P)w_k = (I − P)w₀ with P = Xᵀ(XXᵀ)⁻¹X. On every direction v
  orthogonal to the data, ⟨w_k, v⟩ = ⟨w₀, v⟩: w₀'s predictions there are kept (``sgd_derivation``). The limit
  is the interpolant closest to w₀, w∞ = w₀ + X⁺(y − Xw₀) (``theory.least_squares``, reused).
* For x ~ N(0, I_d), P[sign⟨u, x⟩ ≠ sign⟨v, x⟩] = ∠(u, v)/π (Sheppard; ``sheppard_derivation``): only the
  projection of x on span(u, v) matters, it is N(0, I₂), its polar angle is uniform, and the signs differ on two
  arcs of length ∠(u, v).
* ‖w₀‖ sin∠(w₀, w∞) = min_t ‖w₀ − t w∞‖ ≤ ‖w₀ − w∞‖ ≤ ‖y − Xw₀‖/s_min(X) (``angle_derivation``), so the final
  interpolating classifier disagrees with w₀ on at most arcsin(‖y − Xw₀‖/(‖w₀‖ s_min(X)))/π of fresh points
  (s_min(X) ≈ √d − √n for Gaussian X: the fraction shrinks like √(n/d) · ‖y − Xw₀‖/(√n ‖w₀‖)).
"""

from __future__ import annotations

import sympy as sp

from . import least_squares
from .derivation import Derivation
from .statement import Statement

theta = sp.Symbol("theta", positive=True)  # the angle between two vectors, in (0, π)
phi = sp.Symbol("phi", real=True)  # polar angle of the projected Gaussian point
radius = sp.Symbol("r", positive=True)
step = sp.Symbol("s", real=True)  # a scale t along w∞


def _disagreement(angle):
    return angle / sp.pi


STATEMENT = Statement(disagreement=_disagreement)


def disagreement(angle=theta):
    """The stated P[sign⟨u, x⟩ ≠ sign⟨v, x⟩] for x ~ N(0, I) and ∠(u, v) = ``angle``."""
    return STATEMENT["disagreement"](sp.sympify(angle))


def substituted(**forms):
    return STATEMENT.substituted(**forms)


def statement_key() -> str:
    return sp.srepr(disagreement()) + "|" + least_squares.statement_key()


def sgd_derivation() -> Derivation:
    derivation = Derivation("SGD keeps the initialisation's predictions outside the span of the data")
    X, w_k, projection = least_squares.X, least_squares.w_k, least_squares.projector()
    update = sp.MatrixSymbol("a", least_squares.n, 1)
    gradient = sp.MatrixSymbol("x_i", least_squares.d, 1)
    derivation.note("The gradient of ½(x_iᵀw − y_i)² is x_i(x_iᵀw − y_i), a multiple of a row of X; a mini-batch sums "
                    "such terms: every SGD update is w -> w − Xᵀa for some a ∈ R^n.")
    derivation.equal("A row x_i = Xᵀe_i of X lies in the row space: (I − P)Xᵀ = 0", X.T - projection * X.T,
                     sp.ZeroMatrix(least_squares.d, least_squares.n), name=r"(I-P)X^\top",
                     check=least_squares.matrix_zero)
    next_point = w_k - X.T * update
    derivation.equal("So an SGD step leaves (I − P)w unchanged: (I − P)(w_k − Xᵀa) = (I − P)w_k",
                     next_point - projection * next_point, w_k - projection * w_k, name=r"(I-P)w_{k+1}",
                     check=least_squares.matrix_zero)
    null = gradient - projection * gradient
    derivation.equal("For v = (I − P)z orthogonal to the data: ⟨w_k − Xᵀa, v⟩ = ⟨w_k, v⟩ (w₀'s predictions on v "
                     "are kept at every step, hence in the limit)", (next_point.T * null), w_k.T * null,
                     name=r"\langle w_{k+1},v\rangle", check=least_squares.matrix_zero)
    return derivation


def sheppard_derivation() -> Derivation:
    derivation = Derivation("Sign disagreement of two linear classifiers on Gaussian inputs (Sheppard)")
    density = radius * sp.exp(-radius**2 / 2) / (2 * sp.pi)
    derivation.equal("The projection of x ~ N(0, I_d) on span(u, v) is N(0, I_2); in polar coordinates its angle has "
                     "density ∫_0^∞ r e^{−r²/2}/(2π) dr = 1/(2π): uniform", sp.integrate(density, (radius, 0, sp.oo)),
                     1 / (2 * sp.pi), name=r"p(\varphi)")
    derivation.note("With u at angle 0 and v at angle θ in that plane, sign⟨u, x⟩ = sign cos φ and sign⟨v, x⟩ = "
                    "sign cos(φ − θ); for 0 < θ < π they differ exactly on (π/2, π/2 + θ) and (3π/2, 3π/2 + θ), "
                    "where one cosine has crossed zero and the other not yet.")
    for start, label in ((sp.pi / 2, "π/2"), (3 * sp.pi / 2, "3π/2")):
        derivation.equal(f"The arc from {label}: its ends are zeros of the two cosines, and at its midpoint "
                         "cos φ · cos(φ − θ) = −sin²(θ/2) < 0",
                         sp.expand_trig(sp.cos(start + theta / 2) * sp.cos(start - theta / 2)),
                         -sp.sin(theta / 2) ** 2, points=[{theta: sp.Rational(1, 3)}, {theta: sp.Rational(29, 10)}],
                         name=r"\cos\varphi\cos(\varphi-\theta)")
    probability = sp.integrate(sp.Integer(1) / (2 * sp.pi), (phi, sp.pi / 2, sp.pi / 2 + theta)) + sp.integrate(
        sp.Integer(1) / (2 * sp.pi), (phi, 3 * sp.pi / 2, 3 * sp.pi / 2 + theta))
    derivation.equal("P[sign⟨u, x⟩ ≠ sign⟨v, x⟩] = the two arcs' share of the circle", probability, disagreement(theta),
                     name=r"P[\operatorname{sign}\langle u,x\rangle\neq\operatorname{sign}\langle v,x\rangle]")
    correlation = sp.Rational(1, 2) - sp.asin(sp.cos(theta)) / sp.pi
    derivation.equal("Cross-check with Sheppard's orthant formula P(both > 0) = 1/4 + arcsin(ρ)/(2π), ρ = cos θ: "
                     "1 − 2(1/4 + arcsin(cos θ)/(2π))", correlation, disagreement(theta),
                     points=[{theta: sp.Rational(1, 5)}, {theta: sp.Rational(3, 2)}, {theta: sp.Rational(14, 5)}],
                     name=r"\tfrac12-\arcsin(\cos\theta)/\pi")
    return derivation


def angle_derivation() -> Derivation:
    derivation = Derivation("How far the interpolant turns from the initialisation")
    u = sp.Matrix(sp.symbols("u_1:4", real=True))
    v = sp.Matrix(sp.symbols("v_1:4", real=True))
    gap = (u - step * v).dot(u - step * v)
    best = sp.solve(sp.diff(gap, step), step)
    derivation.equal("min over t of ‖w₀ − t w∞‖² is attained at t* = ⟨w₀, w∞⟩/‖w∞‖²", best[0] if best else sp.nan,
                     u.dot(v) / v.dot(v), name=r"t_\star")
    derivation.equal("… where it equals ‖w₀‖² − ⟨w₀, w∞⟩²/‖w∞‖² = ‖w₀‖² sin²(angle(w₀, w∞)); taking t = 1 instead shows "
                     "‖w₀‖ sin(angle) ≤ ‖w₀ − w∞‖", gap.subs(step, u.dot(v) / v.dot(v)), u.dot(u) - u.dot(v) ** 2 / v.dot(v),
                     name=r"\|w_0-t_\star w_\infty\|^2")
    derivation.note("‖w₀ − w∞‖ = ‖X^+(y − Xw₀)‖ ≤ ‖y − Xw₀‖/s_min(X): the pseudo-inverse has norm 1/s_min(X).")
    return derivation
