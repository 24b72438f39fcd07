"""Woodworth et al. (2020): the two-branch diagonal model β = u² − v² (entrywise) from scale α, and its exact implicit
regulariser Q_α (docs/claims/vardi-classics.md §2).

Model: u(0) = v(0) = α·1 (so β(0) = 0), the loss L = ½‖Xβ − y‖² of an under-determined regression, gradient
flow on (u, v). Statement [reconstructed from the primary paper; derived here]:

* the flow stays on the mirror path β(t) = 2α² sinh(Xᵀμ(t)), μ = −4∫r (r = Xβ − y the residual);
* Q_α(β) = α² Σ_i q(β_i/α²), q(z) = 2 − √(4 + z²) + z·asinh(z/2), is strictly convex with
  ∇Q_α(β) = asinh(β/(2α²)), the inverse of the path's link: on the path ∇Q_α(β) = Xᵀμ ∈ row(X), which with
  Xβ = y are the KKT conditions of min Q_α(β) subject to Xβ = y. A limit of the flow that interpolates is
  therefore the unique minimiser of Q_α over the interpolants;
* Q_α → ℓ2 as α → ∞: 4α^4q(b/α²) → b², and more precisely the minimiser satisfies
  β_α − β_ℓ2 = (I − P)·2α²(z − asinh z), z = β_α/(2α²), with 2α²(z − asinh z) = β^3/(24α^4) + O(β^5/α^8);
* Q_α → ℓ1 as α → 0: α²q(b/α²)/log(1/α²) → |b|.

The stated q lives in a registry (``substituted``) so that tests can corrupt it and watch the checks fail.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .statement import Statement

z = sp.Symbol("z", real=True)
b = sp.Symbol("b", real=True)  # one coordinate β_i
alpha = sp.Symbol("alpha", positive=True)
t = sp.Symbol("t", nonnegative=True)
ROWS, COLUMNS = 2, 3  # the size of the explicit regression used for the chain rule


def _q(value):
    return 2 - sp.sqrt(4 + value**2) + value * sp.asinh(value / 2)


def _regulariser(coordinate, scale):
    return scale**2 * q(coordinate / scale**2)


STATEMENT = Statement(q=_q, regulariser=_regulariser)
substituted = STATEMENT.substituted


def q(value=z):
    """The stated q(z) = 2 − √(4 + z²) + z asinh(z/2)."""
    return STATEMENT["q"](sp.sympify(value))


def regulariser(coordinate=b, scale=alpha):
    """One coordinate's term of the stated Q_α: α² q(β_i/α²)."""
    return STATEMENT["regulariser"](sp.sympify(coordinate), sp.sympify(scale))


def link(value, scale=alpha):
    """The flow's link from the dual variable to β: 2α² sinh(s)."""
    return 2 * scale**2 * sp.sinh(value)


def statement_key() -> str:
    return "|".join(sp.srepr(form) for form in (q(), regulariser()))


def flow() -> Derivation:
    """Gradient flow on (u, v): the chain rule, the closed form from α, the mirror path and the invariant uv = α²."""
    derivation = Derivation("Gradient flow of the u² − v² (entrywise) model: the mirror path 2α² sinh(Xᵀμ)")
    x = sp.Matrix(ROWS, COLUMNS, lambda i, j: sp.Symbol(f"x_{i + 1}{j + 1}", real=True))
    y = sp.Matrix(ROWS, 1, lambda i, _: sp.Symbol(f"y_{i + 1}", real=True))
    u = sp.Matrix(COLUMNS, 1, lambda i, _: sp.Symbol(f"u_{i + 1}", real=True))
    v = sp.Matrix(COLUMNS, 1, lambda i, _: sp.Symbol(f"v_{i + 1}", real=True))
    beta = u.multiply_elementwise(u) - v.multiply_elementwise(v)
    residual = x * beta - y
    loss = (residual.T * residual)[0] / 2
    pull = x.T * residual  # ∂L/∂β
    for j in range(COLUMNS):
        derivation.equal(f"Chain rule, coordinate {j + 1} (n = {ROWS}, d = {COLUMNS}): ∂L/∂u = 2u·Xᵀr (entrywise)",
                         sp.diff(loss, u[j]), 2 * u[j] * pull[j], name=rf"\partial L/\partial u_{j + 1}")
        derivation.equal(f"Chain rule, coordinate {j + 1}: ∂L/∂v = −2v·Xᵀr (entrywise)", sp.diff(loss, v[j]),
                         -2 * v[j] * pull[j], name=rf"\partial L/\partial v_{j + 1}")
    c = sp.Function("c")(t)  # c(t) = (Xᵀ∫_0^t r)_i, so ċ = g = (Xᵀr)_i and c(0) = 0
    g = sp.diff(c, t)
    plus, minus = alpha * sp.exp(-2 * c), alpha * sp.exp(2 * c)
    derivation.equal("u(t) = α exp(−2c(t)), c = (Xᵀ∫r)_i, solves u̇ = −∂L/∂u = −2u g", sp.diff(plus, t), -2 * plus * g,
                     name=r"\dot u_i")
    derivation.equal("v(t) = α exp(2c(t)) solves v̇ = −∂L/∂v = 2v g", sp.diff(minus, t), 2 * minus * g, name=r"\dot v_i")
    derivation.equal("Both start at α", plus.subs(c, 0), alpha, name=r"u_i(0)")
    mu = sp.Symbol("s", real=True)  # s = (Xᵀμ)_i = −4c
    derivation.equal("β = u² − v² is the link of s = (Xᵀμ)_i, μ = −4∫r: the mirror path",
                     (plus**2 - minus**2).subs(c, -mu / 4), link(mu), name=r"\beta_i")
    derivation.equal("uv = α² is conserved", sp.diff(plus * minus, t), 0, name=r"\tfrac{d}{dt}(u_i v_i)")
    derivation.equal("(u² + v²)² = β² + 4α^4 (u² + v² > 0), so β̇ = −4√(β² + 4α^4) g", ((plus**2 + minus**2) ** 2).subs(
        c, -mu / 4), link(mu) ** 2 + 4 * alpha**4, name=r"(u_i^2+v_i^2)^2")
    return derivation


def regulariser_derivation() -> Derivation:
    """Q_α is the strictly convex potential whose gradient inverts the flow's link."""
    derivation = Derivation("Q_α: the potential of the flow's mirror map, and its KKT conditions")
    derivation.equal("q′(z) = asinh(z/2)", sp.diff(q(), z), sp.asinh(z / 2), name="q'(z)")
    derivation.equal("q(0) = 0", q(0), 0, name="q(0)")
    derivation.equal("q''(z) = 1/√(4 + z²) > 0: q and Q_α are strictly convex", sp.diff(q(), z, 2), 1 / sp.sqrt(4 + z**2),
                     name="q''(z)")
    derivation.equal("q is even (so Q_α(β) depends on |β_i|)", q(-z), q(), name="q(-z)")
    gradient = derivation.equal("∂Q_α/∂β_i = asinh(β_i/(2α²))", sp.diff(regulariser(), b), sp.asinh(b / (2 * alpha**2)),
                                name=r"\partial Q_\alpha/\partial\beta_i")
    derivation.equal("The link inverts the gradient: 2α² sinh(∂Q_α/∂β_i) = β_i (sinh is one-to-one), so on the "
                     "mirror path ∇Q_α(β) = Xᵀμ ∈ row(X): with Xβ = y the KKT conditions of min Q_α subject to "
                     "Xβ = y, whose minimiser is unique (strict convexity)", link(gradient), b,
                     name=r"2\alpha^2\sinh(\partial Q_\alpha/\partial\beta_i)")
    s = sp.Symbol("s", positive=True)
    derivation.equal("Q_α is the integral of the inverse link from 0: ∫_0^β asinh(s/(2α²)) ds = α² q(β/α²)",
                     sp.integrate(sp.asinh(s / (2 * alpha**2)), (s, 0, sp.Symbol("beta", positive=True))),
                     regulariser(sp.Symbol("beta", positive=True)), name=r"\int_0^\beta\operatorname{asinh}")
    return derivation


def limits() -> Derivation:
    """The two regimes: ℓ2 as α → ∞ (with the first correction), ℓ1 as α → 0."""
    derivation = Derivation("The kernel (α → ∞) and rich (α → 0) limits of Q_α")
    derivation.equal("Near 0, q(z) = z²/4 − z^4/192 + O(z^6)", sp.series(q(), z, 0, 6).removeO(), z**2 / 4 - z**4 / 192,
                     name="q(z)")
    derivation.equal("Kernel regime: 4α^4 q(b/α²) → b² as α → ∞, so 4α² Q_α(β) → ‖β‖²",
                     sp.limit(4 * alpha**2 * regulariser(), alpha, sp.oo), b**2,
                     name=r"\lim_{\alpha\to\infty}4\alpha^2 Q_\alpha")
    positive = sp.Symbol("beta", positive=True)
    derivation.equal("Rich regime: α² q(β/α²)/log(1/α²) → |β| as α → 0 (β > 0; q is even), so "
                     "Q_α/log(1/α²) → ‖β‖₁", sp.limit(regulariser(positive) / sp.log(1 / alpha**2), alpha, 0, "+"),
                     positive, name=r"\lim_{\alpha\to0}Q_\alpha/\log(1/\alpha^2)")
    derivation.equal("Kernel correction: with z = β/(2α²), β − 2α² asinh(z) = 2α²(z − asinh z) = β^3/(24α^4) + O(β^5/α^8) "
                     "(the minimiser's distance to the ℓ2 interpolant is the null-space part of this)",
                     sp.series(2 * alpha**2 * (z - sp.asinh(z)), z, 0, 5).removeO().subs(z, b / (2 * alpha**2)),
                     b**3 / (24 * alpha**4), name=r"2\alpha^2(z-\operatorname{asinh}z)")
    derivation.equal("The next term: z − asinh z − z^3/6 = −3z^5/40 + O(z^7) (alternating, decreasing for |z| ≤ 1: "
                     "|z − asinh z − z^3/6| ≤ 3|z|^5/40 there)", sp.series(z - sp.asinh(z) - z**3 / 6, z, 0, 7).removeO(),
                     -3 * z**5 / 40, name=r"z-\operatorname{asinh}z-z^3/6")
    return derivation
