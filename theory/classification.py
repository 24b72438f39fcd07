"""Binary classification with the exponential loss: the population loss of a linear predictor, and why its
early phase is the toy model (docs/claims/classification.md, Figure 1c).

Model [seen: code]: inputs x ~ N(0, I_d), labels y = sign<u, x> for a unit vector u (the sparse labelling
direction), a linear predictor σ and the exponential loss L(σ) = E exp(−y<σ, x>).

Statement [derived], with α = <σ, u>, Φ and φ the standard normal distribution function and density:

* L(σ) = 2 Φ(−α) exp(|σ|²/2);
* ∂L/∂σ_i = exp(|σ|²/2) (2 Φ(−α) σ_i − 2 φ(α) u_i);
* near σ = 0: −∂L/∂σ_i = √(2/π) u_i − σ_i + O(|σ|²), which is the toy model's σ*_i − σ_i with
  σ*_i = √(2/π) u_i. A diagonal network σ_i = w_i^N (weight-shared, loss L/N) therefore starts on Theorem 1's
  flow dσ_i/dt = N σ_i^{2−2/N}(σ*_i − σ_i): features are learned largest |u_i| first. There is no finite
  minimiser, so only this early phase is the toy model; later only the direction converges.

How it is derived: write σ = α u + σ_⊥. The coordinates z_1 = <u, x> and z_2 = <σ_⊥, x>/|σ_⊥| are independent
standard normals (rotation invariance of N(0, I)) and y<σ, x> = sign(z_1)(α z_1 + b z_2) with b = |σ_⊥|, so the
d-dimensional expectation is two one-dimensional Gaussian integrals, which SymPy computes. The two-coordinate
case (u = e_1) is also integrated directly, without the reduction. The stated forms live in a registry
(``substituted``) so that tests can corrupt them and watch the checks fail.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .statement import Statement
from .toy import N, flow_rhs, sigma, target

alpha = sp.Symbol("alpha", real=True)  # <σ, u>
norm2 = sp.Symbol("rho", nonnegative=True)  # |σ|²
_z = sp.Symbol("z", real=True)
_b = sp.Symbol("b", nonnegative=True)  # |σ_⊥|
_epsilon = sp.Symbol("epsilon", real=True)
DIMENSION = 3  # coordinates of the symbolic gradient (any d behaves alike: the loss depends on α and |σ|² only)
_SIGMAS = sp.symbols(f"sigma_1:{DIMENSION + 1}", real=True)
_UNIT = sp.symbols(f"u_1:{DIMENSION + 1}", real=True)
_DIRECTION = sp.symbols(f"s_1:{DIMENSION + 1}", real=True)


def normal_cdf(x):
    """Φ(x) = erfc(−x/√2)/2, the form SymPy's Gaussian integrals return."""
    return sp.erfc(-x / sp.sqrt(2)) / 2


def normal_pdf(x):
    return sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)


# ---------------------------------------------------------------------------------------------------
# The statement, as a registry of closed forms (tests substitute corrupted ones).


def _population_loss(projection, squared_norm):
    return 2 * normal_cdf(-projection) * sp.exp(squared_norm / 2)


def _gradient(coordinate, direction, projection, squared_norm):
    pull = 2 * normal_cdf(-projection) * coordinate - 2 * normal_pdf(projection) * direction
    return sp.exp(squared_norm / 2) * pull


STATEMENT = Statement(population_loss=_population_loss, gradient=_gradient)
substituted = STATEMENT.substituted


def population_loss(projection=alpha, squared_norm=norm2):
    """E exp(−y<σ, x>) as stated, in terms of α = <σ, u> and |σ|²."""
    return STATEMENT["population_loss"](sp.sympify(projection), sp.sympify(squared_norm))


def gradient(coordinate, direction, projection=alpha, squared_norm=norm2):
    """∂L/∂σ_i as stated, in terms of σ_i, u_i, α and |σ|²."""
    return STATEMENT["gradient"](*(sp.sympify(value) for value in (coordinate, direction, projection, squared_norm)))


def early_slope():
    """The constant c in −∂L/∂σ_i = c u_i at σ = 0 (the stated gradient there): √(2/π)."""
    return sp.simplify(-gradient(0, 1, 0, 0))


def statement_key() -> str:
    """Changes whenever a stated form changes (for caches)."""
    return "|".join(sp.srepr(form) for form in (population_loss(), gradient(sigma, target)))


# ---------------------------------------------------------------------------------------------------
# Derivations


def loss_derivation() -> Derivation:
    """The population loss from two one-dimensional Gaussian integrals, and from the direct 2-D integral."""
    derivation = Derivation("Population exponential loss of a linear classifier on Gaussian inputs")
    for sign, label in ((1, "positive"), (-1, "negative")):
        inner = _integrate(normal_pdf(_z) * sp.exp(-sign * _b * _z), (_z, -sp.oo, sp.oo))
        derivation.equal(f"The coordinate z_2 orthogonal to u, for a {label} label: E exp(−y b z_2) over z_2 ~ N(0, 1)",
                         inner, sp.exp(_b**2 / 2), name=r"\mathbb{E}_{z_2}e^{-y b z_2}")
    half = _integrate(normal_pdf(_z) * sp.exp(-alpha * _z), (_z, 0, sp.oo))
    outer = derivation.equal("The coordinate z_1 = <u, x>: E exp(−α|z_1|) is twice the integral over z_1 > 0",
                             2 * half, 2 * sp.exp(alpha**2 / 2) * normal_cdf(-alpha),
                             name=r"\mathbb{E}_{z_1}e^{-\alpha|z_1|}")
    derivation.equal("Independence, and |σ|² = α² + b²: the stated population loss",
                     (sp.exp(_b**2 / 2) * outer).subs(_b, sp.sqrt(norm2 - alpha**2)), population_loss(),
                     name=r"L(\sigma)", condition="α² ≤ |σ|²", points=_loss_points())
    s1, s2, x1, x2 = sp.symbols("sigma_1 sigma_2 x_1 x_2", real=True)
    density = normal_pdf(x1) * normal_pdf(x2)
    direct = sum(_integrate(_integrate(density * sp.exp(-label * (s1 * x1 + s2 * x2)), (x2, -sp.oo, sp.oo)),
                            (x1, *span)) for label, span in ((1, (0, sp.oo)), (-1, (-sp.oo, 0))))
    derivation.equal("Check without the reduction: d = 2, u = e_1, the double integral split at x_1 = 0",
                     direct, population_loss(s1, s1**2 + s2**2), name=r"\mathbb{E}\,e^{-y\langle\sigma,x\rangle}",
                     points=[{s1: sp.Rational(1, 3), s2: sp.Rational(-5, 4)}, {s1: -2, s2: sp.Rational(1, 2)}])
    return derivation


def gradient_derivation() -> Derivation:
    """The gradient, its value at σ = 0, its linearisation, and the toy-model flow of the early phase."""
    derivation = Derivation("Gradient of the population loss and the early phase as the toy model")
    projection = sum(s * u for s, u in zip(_SIGMAS, _UNIT))
    squared = sum(s**2 for s in _SIGMAS)
    loss = population_loss(projection, squared)
    stated = gradient(_SIGMAS[0], _UNIT[0], projection, squared)
    derivation.equal(f"Differentiate the population loss (d = {DIMENSION}, α = Σ σ_i u_i, |σ|² = Σ σ_i²)",
                     sp.diff(loss, _SIGMAS[0]), stated, name=r"\partial L/\partial\sigma_1",
                     points=[_gradient_point(1), _gradient_point(2)])
    at_zero = {s: 0 for s in _SIGMAS}
    slope = sp.sqrt(2 / sp.pi)
    derivation.equal("At σ = 0 the negative gradient is √(2/π) u", -stated.subs(at_zero), slope * _UNIT[0],
                     name=r"-\partial L/\partial\sigma_1(0)")
    ray = {s: _epsilon * direction for s, direction in zip(_SIGMAS, _DIRECTION)}
    derivation.equal("Along σ = ε s: the first-order term of the negative gradient is −s (the Hessian at 0 is I)",
                     sp.diff(-stated.subs(ray), _epsilon).subs(_epsilon, 0), -_DIRECTION[0],
                     name=r"\frac{d}{d\varepsilon}\big(-\partial L/\partial\sigma_1\big)(\varepsilon s)\big|_0")
    w, pull, level = sp.symbols("w g L_0", positive=True)
    velocity = -sp.diff((level - pull * w**N) / N, w)  # L/N with L linear in σ near the point, −∂L/∂σ_i = g
    branch = derivation.equal("Weight-shared branch σ_i = w^N, loss L/N, −∂L/∂σ_i = g: σ̇_i = (dσ_i/dw)·ẇ",
                              sp.diff(w**N, w) * velocity, N * w ** (2 * N - 2) * pull, name=r"\dot\sigma_i")
    derivation.equal("With w = σ^{1/N} and the linearised gradient g = √(2/π) u_i − σ: the toy-model flow with "
                     "target √(2/π) u_i", branch.subs(w, sigma ** (1 / N)).subs(pull, slope * _UNIT[0] - sigma),
                     flow_rhs(N).subs(target, slope * _UNIT[0]), name=r"\dot\sigma_i",
                     condition="σ > 0, early phase (terms O(|σ|²) in g dropped)")
    return derivation


def _integrate(integrand, limits):
    """SymPy's integral, written with erfc only (SymPy mixes erf and erfc, which simplify leaves apart)."""
    return sp.integrate(integrand, limits).rewrite(sp.erfc)


def _loss_points():
    return [{alpha: sp.Rational(1, 2), norm2: 3}, {alpha: -2, norm2: 5}]


def _gradient_point(seed: int) -> dict:
    values = [sp.Rational(seed * k + 1, 7 + k) * (-1) ** k for k in range(2 * DIMENSION)]
    return dict(zip(_SIGMAS + _UNIT, values))
