"""The quartic toy of "Stochastic Collapse": a double well whose local maximum becomes attractive under noise
(docs/claims/stochastic-collapse.md §2).

Model [seen: the authors' code]: loss L(θ) = θ^4/4 − μθ²/2 (minima ±√μ, local maximum at 0) and multiplicative
noise, dθ = −(θ^3 − μθ) dt + ζ θ dW. The SDE never changes the sign of θ, so θ > 0 without loss of generality.

Statement, as a registry of two forms (tests substitute corrupted ones):

* ``threshold(μ)`` = √(2μ): θ_t → 0 almost surely iff ζ > √(2μ);
* ``density(θ, ζ, ζ_c)`` = θ^{ζ_c²/ζ² − 2} e^{−θ²/ζ²} with ζ_c the threshold: the unnormalised stationary density
  (normalisable iff ζ < ζ_c).

Everything else is read from these two: the exponent λ = (ζ_c² − ζ²)/2 of |θ| near 0, the Gamma law of θ²/ζ²
(shape k = ζ_c²/(2ζ²) − ½), and the stationary mean of θ² (= λ). A threshold moved by a few percent moves all of
them, which is what the claim's empirical checks can see.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .diffusion import convergent_integral, ito_drift, zero_flux
from .statement import Statement

theta = sp.Symbol("theta", positive=True)
mu = sp.Symbol("mu", positive=True)
zeta = sp.Symbol("zeta", positive=True)
x = sp.Symbol("x", positive=True)  # θ²/ζ²
_epsilon = sp.Symbol("epsilon", positive=True)
_excess = sp.Symbol("j", positive=True)  # −1 − (exponent of θ near 0) when the density is not integrable

DRIFT = mu * theta - theta**3  # −L′(θ)
DIFFUSION_SQUARED = zeta**2 * theta**2


def _threshold(m):
    return sp.sqrt(2 * m)


def _density(t, z, critical):
    return t ** (critical**2 / z**2 - 2) * sp.exp(-(t**2) / z**2)


STATEMENT = Statement(threshold=_threshold, density=_density)
substituted = STATEMENT.substituted


def threshold(m=mu):
    """The stated collapse threshold ζ_c(μ)."""
    return STATEMENT["threshold"](sp.sympify(m))


def density(t=theta, m=mu, z=zeta):
    """The stated unnormalised stationary density of θ > 0."""
    return STATEMENT["density"](sp.sympify(t), sp.sympify(z), threshold(m))


def exponent(m=mu, z=zeta):
    """The exponent of |θ| near the invariant set θ = 0, written with the stated threshold: (ζ_c² − ζ²)/2."""
    return (threshold(m) ** 2 - sp.sympify(z) ** 2) / 2


def shape(m=mu, z=zeta):
    """Shape k of the Gamma law of θ²/ζ² (scale 1) under the stated density: ζ_c²/(2ζ²) − ½."""
    return threshold(m) ** 2 / (2 * sp.sympify(z) ** 2) - sp.Rational(1, 2)


def statement_key() -> str:
    return sp.srepr(density())


# ---------------------------------------------------------------------------------------------------
# Derivations


def density_derivation() -> Derivation:
    """The stated density is stationary (zero flux); its normaliser; θ²/ζ² is Gamma; E θ² = λ."""
    derivation = Derivation("Quartic toy: the stationary density")
    p = density()
    derivation.equal("Zero probability flux: a p − ½ (b² p)' with a = μθ − θ^3, b² = ζ²θ²",
                     zero_flux(p, DRIFT, DIFFUSION_SQUARED, theta), 0, name=r"a p - \tfrac12 (b^2 p)'")
    normaliser, condition = convergent_integral(p, theta, 0, sp.oo)
    k = shape()
    derivation.equal("The normaliser ∫_0^∞ p dθ (SymPy's convergent branch)", normaliser,
                      zeta ** (2 * k) * sp.gamma(k) / 2, name=r"\int_0^\infty p\,d\theta",
                      condition=f"{condition} (SymPy's convergence condition)")
    root = zeta * sp.sqrt(x)
    gamma_ratio = (p * sp.diff(root, x)).subs(theta, root) / (x ** (k - 1) * sp.exp(-x))
    derivation.equal("x = θ²/ζ² has a Gamma(k) density x^{k−1} e^{−x} (up to a constant): the ratio of "
                     "p(θ) dθ/dx to it does not depend on x", sp.diff(gamma_ratio, x), 0,
                     name=r"\frac{d}{dx}\frac{p\,d\theta/dx}{x^{k-1}e^{-x}}")
    second, _ = convergent_integral(theta**2 * p, theta, 0, sp.oo)
    derivation.equal("The stationary mean of θ² (Γ(k + 1)/Γ(k) = k) equals the exponent λ of |θ| at 0",
                     sp.expand_func(second / normaliser), exponent(),
                     name=r"\mathbb{E}\,\theta^2", condition="ζ < ζ_c")
    return derivation


def threshold_derivation() -> Derivation:
    """Normalisable iff ζ < ζ_c (convergence condition, and divergence beyond), and λ(ζ_c) = 0."""
    derivation = Derivation("Quartic toy: the collapse threshold")
    _, condition = convergent_integral(density(), theta, 0, sp.oo)
    boundary = _interval_end(condition)
    derivation.equal("The density is integrable exactly for 0 < ζ < ζ_c: the boundary of SymPy's convergence "
                     "condition is the stated threshold", boundary, threshold(), name=r"\zeta_c")
    power = sp.log(density() * sp.exp(theta**2 / zeta**2)).expand(force=True).coeff(sp.log(theta))
    derivation.equal("Near θ = 0, p ~ θ^k: k + 1 = (ζ_c² − ζ²)/ζ², so k ≤ −1 for ζ ≥ ζ_c", power + 1,
                     (threshold() ** 2 - zeta**2) / zeta**2, name="k + 1")
    for excess, label in ((_excess, "k < −1"), (0, "k = −1")):
        tail = sp.integrate(theta ** (-1 - excess), (theta, _epsilon, zeta))
        derivation.equal(f"For {label}: 1/∫_ε^ζ θ^k dθ → 0 as ε → 0, and p ≥ θ^k/e on (0, ζ], so p is not integrable",
                         sp.limit(1 / tail, _epsilon, 0, "+"), 0, name=r"\lim_{\varepsilon\to0}1/\int_\varepsilon^\zeta"
                         r"\theta^k d\theta")
    drift = ito_drift(sp.log(theta), DRIFT, DIFFUSION_SQUARED, theta)
    derivation.equal("The exponent of |θ| at the invariant set, lim_{θ→0} of the drift of log θ, vanishes at ζ_c",
                     sp.limit(drift, theta, 0).subs(zeta, threshold()), 0, name=r"\lambda(\zeta_c)")
    return derivation


def collapse_derivation() -> Derivation:
    """Itô's lemma for log θ: drift μ − ζ²/2 − θ² ≤ λ, so log θ_t ≤ log θ_0 + λt + ζW_t → −∞ when λ < 0."""
    derivation = Derivation("Quartic toy: collapse when the exponent is negative")
    drift = derivation.equal("Itô's lemma: the drift of log θ", ito_drift(sp.log(theta), DRIFT, DIFFUSION_SQUARED, theta),
                             mu - zeta**2 / 2 - theta**2, name=r"\tfrac{d}{dt}\mathbb{E}[d\log\theta]")
    derivation.equal("At θ → 0 it is the stated exponent λ", sp.limit(drift, theta, 0), exponent(), name=r"\lambda")
    derivation.equal("It is below λ by θ² ≥ 0, so log θ_t ≤ log θ_0 + λ t + ζ W_t (W_t/t → 0: θ_t → 0 if λ < 0)",
                     exponent() - drift, theta**2, name=r"\lambda - (\mu - \zeta^2/2 - \theta^2)")
    return derivation


def _interval_end(condition):
    """b when ``condition`` (a relation in ζ > 0) holds exactly on 0 < ζ < b: its one positive boundary, with the
    condition true below it and false above it."""
    roots = [root for root in sp.solve(sp.Eq(condition.lhs, condition.rhs), zeta) if root.is_positive]
    below, above = (condition.subs(zeta, factor * roots[0]) if len(roots) == 1 else None for factor in (sp.Rational(1, 2), 2))
    if len(roots) != 1 or below is not sp.true or above is not sp.false:
        raise ArithmeticError(f"the convergence condition {condition} is not of the form 0 < ζ < ζ_c")
    return roots[0]
