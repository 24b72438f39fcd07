"""Soudry et al. (2018): gradient flow/descent on the exponential or logistic loss of a linear classifier on
separable data converges in direction to the hard-margin SVM (docs/claims/vardi-classics.md §3).

With z_i = y_i x_i, the mean loss L(w) = (1/n)Σ ℓ(⟨w, z_i⟩) and ℓ(u) = e^{−u} (or log(1 + e^{−u}), whose
derivative has the same exponential tail), the flow satisfies w(t) = ŵ log t + ρ(t) with ŵ the hard-margin SVM
(min ‖w‖ subject to ⟨w, z_i⟩ ≥ 1) and ρ(t) converging. On the span of the support vectors S the limit of ρ is
fixed by the SVM's duals α_i (ŵ = Σ α_i z_i): ⟨ρ∞, z_i⟩ = −log(n α_i) for i in S. Hence ‖w(t)‖ grows like
‖ŵ‖ log t and the direction gap ‖w/‖w‖ − ŵ/‖ŵ‖‖ decays like ‖P⊥ρ∞‖/(‖ŵ‖ log t).

Derived here: the exact solution from one point; the exact asymptotic solution on support vectors (it solves the
flow exactly when every point is a support vector); the logistic loss's exponential tail; the 1/log t constant.
The stated forms (the coefficient of log t, the offset on the support) live in a registry for corruption tests.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .statement import Statement

t = sp.Symbol("t", positive=True)
tau = sp.Symbol("tau", positive=True)  # log t


def _growth(svm):
    return svm


def _offset(count, dual):
    return -sp.log(count * dual)


STATEMENT = Statement(growth=_growth, offset=_offset)
substituted = STATEMENT.substituted


def growth(svm):
    """The stated coefficient of log t in w(t): the hard-margin SVM ŵ itself (a vector, SymPy or NumPy)."""
    return STATEMENT["growth"](svm)


def offset(count, dual):
    """The stated ⟨ρ∞, z_i⟩ for a support vector with dual α_i among ``count`` points: −log(n α_i)."""
    return STATEMENT["offset"](count, dual)


def statement_key() -> str:
    a, n = sp.symbols("alpha n", positive=True)
    return "|".join(sp.srepr(sp.sympify(form)) for form in (growth(sp.Matrix([a, n])), offset(n, a)))


def exponential_tail() -> Derivation:
    """One point from 0; two support vectors exactly; the logistic tail; the 1/log t constant."""
    derivation = Derivation("Gradient flow on the exponential loss: w(t) = ŵ log t + ρ(t)")
    z = sp.Matrix(sp.symbols("z_1 z_2", real=True))
    norm2 = (z.T * z)[0]
    single = z * sp.log(1 + norm2 * t) / norm2
    derivation.equal("One point z (n = 1): w(t) = z log(1 + ‖z‖²t)/‖z‖² solves ẇ = z exp(−⟨w, z⟩) (coordinate 1)",
                     sp.diff(single[0], t), z[0] * sp.exp(-(single.T * z)[0]), name=r"\dot w_1")
    derivation.equal("… from w(0) = 0, along ŵ = z/‖z‖², the SVM of one point (⟨ŵ, z⟩ = 1)",
                     single.subs(t, 0)[0], 0, name=r"w_1(0)")

    first = sp.Matrix(sp.symbols("a_1 a_2", real=True))
    second = sp.Matrix(sp.symbols("b_1 b_2", real=True))
    points = [first, second]
    gram = sp.Matrix(2, 2, lambda i, j: (points[i].T * points[j])[0])
    duals = gram.inv() * sp.Matrix([1, 1])
    derivation.equal("Two support vectors z_1, z_2: ŵ = Σ α_i z_i with α = G^{-1}1 (G the Gram matrix) has margin 1 on "
                     "both (shown for z_1; the SVM when α > 0)",
                     sp.expand(((duals[0] * first + duals[1] * second).T * first)[0]), 1, name=r"\langle\hat w, z_1\rangle")
    omega = sp.Matrix(sp.symbols("omega_1 omega_2", real=True))
    coefficients = gram.inv() * omega
    derivation.equal("An offset ρ = Σ c_i z_i in their span with ⟨ρ, z_i⟩ = ω_i: c = G^{-1}ω (shown for z_1)",
                     sp.expand(((coefficients[0] * first + coefficients[1] * second).T * first)[0]), omega[0],
                     name=r"\langle\rho, z_1\rangle")
    positive = sp.symbols("alpha_1 alpha_2", positive=True)
    svm = positive[0] * first + positive[1] * second
    pull = sum((p * sp.exp(-sp.log(t) - offset(2, a)) for p, a in zip(points, positive)), sp.zeros(2, 1)) / 2
    derivation.equal("Hence on the path w(t) = ŵ log t + ρ the margins are log t + ω_i. With the stated offsets "
                     "ω_i = −log(nα_i) the pull of the loss equals the velocity ŵ/t: the path solves the flow exactly "
                     "when every point is a support vector (n = 2, coordinate 1)",
                     sp.diff(growth(svm)[0] * sp.log(t), t), pull[0], name=r"\dot w_1")
    s = sp.Symbol("s", positive=True)  # s = e^{−u}
    derivation.equal("The logistic loss has the same exponential tail: −ℓ′(u) = 1/(1 + e^u) = e^{−u} − e^{−2u} + …",
                     sp.series((1 / (1 + sp.exp(sp.Symbol("u")))).subs(sp.Symbol("u"), -sp.log(s)), s, 0, 3).removeO(),
                     s - s**2, name=r"-\ell'(u)", condition="s = e^{−u} → 0")
    a = sp.Symbol("a", positive=True)
    r1, r2 = sp.symbols("rho_1 rho_2", real=True)
    w = sp.Matrix([a * tau + r1, r2])  # coordinates with ŵ = (a, 0)
    unit = w / sp.sqrt((w.T * w)[0])
    gap = sp.sqrt((unit[0] - 1) ** 2 + unit[1] ** 2)
    derivation.equal("Direction gap: with ŵ = (‖ŵ‖, 0), log t·‖w/‖w‖ − ŵ/‖ŵ‖‖ → ‖P⊥ρ‖/‖ŵ‖ = |ρ_2|/‖ŵ‖",
                     sp.limit(tau * gap, tau, sp.oo), sp.Abs(r2) / a, name=r"\lim\,\log t\cdot\mathrm{gap}")
    return derivation
