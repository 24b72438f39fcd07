"""Quadratic networks f(x) = Σ_k (w_kᵀx)² (+ b) = xᵀMx (+ b), M = WᵀW, on Gaussian inputs.

For a symmetric Δ = M − M* and x ~ N(0, I), E[(xᵀΔx + c)²] = 2‖Δ‖²_F + (tr Δ + c)² (Isserlis). So with
the bias at its optimum (equivalently the variance loss) the ½ squared loss is ‖Δ‖²_F: depth-2 symmetric
matrix sensing, whose eigenvalues follow Theorem 1's depth-2 flow on a clock four times as fast,
dλ/dt = 8λ(λ* − λ) = 4·[2λ(λ* − λ)]. Without a bias the trace term couples them:
dλ/dt = 8λ(λ* − λ) − 4λ tr(M − M*) [derived here; the claim itself is seen in the Figure 5 caption].
"""

from __future__ import annotations

import sympy as sp
from sympy.stats import E, Normal

from .derivation import Derivation
from .toy import flow_rhs, sigma, target

lam = sp.Symbol("lambda", positive=True)  # an eigenvalue of M
lam_star = sp.Symbol("lambda^*", nonnegative=True)  # its target
trace_gap = sp.Symbol("tau", real=True)  # tr(M − M*)


def population_identity(d: int = 3) -> Derivation:
    """E[(xᵀΔx + c)²] = 2‖Δ‖²_F + (tr Δ + c)² for symmetric Δ, by sympy.stats (Isserlis) at dimension d."""
    derivation = Derivation(f"Quadratic networks: population loss identity (d = {d})")
    x = [Normal(f"x_{i + 1}", 0, 1) for i in range(d)]
    delta = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"Delta_{min(i, j) + 1}{max(i, j) + 1}", real=True))
    shift = sp.Symbol("c", real=True)
    quadratic = sum(delta[i, j] * x[i] * x[j] for i in range(d) for j in range(d)) + shift
    derivation.equal("Gaussian inputs x ~ N(0, I), Δ symmetric", E(sp.expand(quadratic**2)),
                     2 * sum(delta[i, j] ** 2 for i in range(d) for j in range(d)) + (delta.trace() + shift) ** 2,
                     name=r"\mathbb{E}\big[(x^\top\Delta x + c)^2\big]")
    return derivation


def eigenvalue_flow() -> Derivation:
    """Gradient flow of W for the ½ loss, written for the eigenvalues of M = WᵀW (M, M* diagonal)."""
    derivation = Derivation("Quadratic networks: eigenvalue dynamics with and without a bias")
    w = sp.symbols("w_1 w_2", positive=True)
    targets = sp.symbols("lambda_1^* lambda_2^*", nonnegative=True)
    square = sum((wi**2 - ti) ** 2 for wi, ti in zip(w, targets))  # ‖Δ‖²_F for diagonal W
    trace = sum(wi**2 - ti for wi, ti in zip(w, targets))
    for name, loss, coupled in (("variance loss (optimal bias)", square, 0), ("no bias", square + trace**2 / 2, 1)):
        rate = derivation.equal(f"{name}: dλ_1/dt = 2 w_1 ẇ_1 with ẇ_1 = −∂L/∂w_1, λ_1 = w_1²",
                                2 * w[0] * (-sp.diff(loss, w[0])),
                                8 * w[0] ** 2 * (targets[0] - w[0] ** 2) - 4 * w[0] ** 2 * trace * coupled,
                                name=r"\dot\lambda_1")
        in_lambda = 8 * lam * (lam_star - lam) - 4 * lam * trace_gap * coupled
        derivation.equal(f"{name}: in the eigenvalue λ = w_1², with τ = tr(M − M*)",
                         in_lambda.subs({lam: w[0] ** 2, lam_star: targets[0], trace_gap: trace}), rate,
                         name=r"\dot\lambda")
    toy = 4 * flow_rhs(2).subs({sigma: lam, target: lam_star})
    derivation.equal("With the bias, this is Theorem 1's depth-2 flow on a clock 4× as fast", 8 * lam * (lam_star - lam),
                     toy, name=r"\dot\lambda")
    return derivation
