"""Label-noise SGD in the diagonal teacher–student model of "Stochastic Collapse": every mode shrinks by ησ²/2 and
modes below it collapse (docs/claims/stochastic-collapse.md §4).

Model [seen: the authors' script]: a mode of the teacher's spectrum is fitted by a product u·v (a depth-2 factor),
per-mode loss ½(uv − s*)², and label-noise SGD with per-sample step η (lr/N in the script) and label noise σ:

    u ← u − η r v,   v ← v − η r u,   r = uv − s* + σξ,   ξ ~ N(0, 1) shared by u and v.

Statement, as a registry of one form: ``shrunk(s*, η, σ)`` = s* − ησ²/2. Read from it: the stationary law of P = uv
is Gamma with shape k = shrunk/(ησ²) and scale ησ² (mean = shrunk), normalisable iff shrunk > 0; below that, P → 0
at the exponent 2η·shrunk per step; and the authors' theory curve, the logistic dS/dt = 2ηS(shrunk − S) (t in
steps), which bounds the geometric mean exp E log P from above.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .diffusion import convergent_integral, ito_drift, zero_flux
from .statement import Statement

u, v = sp.symbols("u v", real=True)
power = sp.Symbol("P", positive=True)  # P = uv on the balanced set u = v
target = sp.Symbol("s^*", positive=True)
eta = sp.Symbol("eta", positive=True)
noise = sp.Symbol("sigma", positive=True)
xi = sp.Symbol("xi", real=True)
t = sp.Symbol("t", nonnegative=True)  # SGD steps
start = sp.Symbol("S_0", positive=True)
_level = sp.Symbol("s", positive=True)  # a positive shrunk value (the logistic's limit)


def _shrunk(s, step, sigma):
    return s - step * sigma**2 / 2


STATEMENT = Statement(shrunk=_shrunk)
substituted = STATEMENT.substituted


def shrunk(s=target, step=eta, sigma=noise):
    """The stated value every mode's product shrinks to: s* − ησ²/2 (collapse where it is negative)."""
    return STATEMENT["shrunk"](sp.sympify(s), sp.sympify(step), sp.sympify(sigma))


def shape(s=target, step=eta, sigma=noise):
    """Shape k of the Gamma law of P (scale ησ²): shrunk/(ησ²)."""
    return shrunk(s, step, sigma) / (sp.sympify(step) * sp.sympify(sigma) ** 2)


def density(p=power, s=target, step=eta, sigma=noise):
    """The stated (unnormalised) stationary density of P: P^{k−1} e^{−P/(ησ²)}."""
    scale = sp.sympify(step) * sp.sympify(sigma) ** 2
    return sp.sympify(p) ** (shape(s, step, sigma) - 1) * sp.exp(-sp.sympify(p) / scale)


def theory_curve(steps=t, s=target, step=eta, sigma=noise, initial=start):
    """The authors' curve: the logistic S(t) = s̄ S₀ / (S₀ + (s̄ − S₀) e^{−2η s̄ t}), s̄ = shrunk."""
    return _logistic(shrunk(s, step, sigma), steps, step, initial)


def _logistic(level, steps, step, initial):
    return level * initial / (initial + (level - initial) * sp.exp(-2 * step * level * steps))


def statement_key() -> str:
    return sp.srepr(shrunk())


# ---------------------------------------------------------------------------------------------------
# Derivations


def step_derivation() -> Derivation:
    """The SGD map: its gradient, the decay of the imbalance, and P ← P(1 − ηr)² on the balanced set."""
    derivation = Derivation("Label-noise SGD on one mode: the per-step map")
    residual = u * v - target + noise * xi
    loss = residual**2 / 2
    derivation.equal("The gradient of ½(uv − s* + σξ)² in u is r v (r the noisy residual)", sp.diff(loss, u),
                     residual * v, name=r"\partial_u \ell")
    new_u, new_v = u - eta * residual * v, v - eta * residual * u
    derivation.equal("The imbalance u² − v² is multiplied by 1 − η²r² each step (so it decays: balanced is attractive)",
                     new_u**2 - new_v**2, (u**2 - v**2) * (1 - eta**2 * residual**2), name=r"u'^2 - v'^2")
    balanced = {v: u}
    derivation.equal("On u = v, the product P = uv = u² is multiplied by (1 − ηr)²",
                     (new_u * new_v).subs(balanced), (u**2) * (1 - eta * residual.subs(balanced)) ** 2, name="P'")
    return derivation


def stationary_derivation() -> Derivation:
    """Step moments → diffusion → the stated Gamma density (zero flux), its normaliser, mean and threshold."""
    derivation = Derivation("Label-noise SGD on one mode: the stationary Gamma law")
    residual = power - target + noise * xi
    new = power * (1 - eta * residual) ** 2
    mean_change = _gaussian_mean(new - power)
    drift = derivation.equal("Mean change of P per step (E ξ = 0, E ξ² = 1)", mean_change,
                             -2 * eta * power * (power - target) + eta**2 * power * ((power - target) ** 2 + noise**2),
                             name=r"\mathbb{E}[P' - P]")
    variance = _gaussian_mean((new - power) ** 2) - mean_change**2
    derivation.equal("Its variance is 4η²σ²P² to leading order in η", sp.limit(variance / eta**2, eta, 0),
                     4 * noise**2 * power**2, name=r"\lim_{\eta\to0}\mathrm{Var}[P']/\eta^2")
    leading = drift - eta**2 * power * (power - target) ** 2  # dropped: η² P (P − s*)², one order below the rest
    squared = 4 * eta**2 * noise**2 * power**2
    p = density()
    derivation.equal("The stated density has zero flux for the diffusion with that drift (without its η²P(P − s*)² "
                     "term) and variance", zero_flux(p, leading, squared, power), 0, name=r"a p - \tfrac12 (b^2 p)'")
    normaliser, condition = convergent_integral(p, power, 0, sp.oo)
    k, scale = shape(), eta * noise**2
    derivation.equal("Its normaliser (SymPy's convergent branch) is (ησ²)^k Γ(k)", normaliser, scale**k * sp.gamma(k),
                     name=r"\int_0^\infty p\,dP", condition=f"{condition} (SymPy's convergence condition)")
    relational = isinstance(condition, sp.core.relational.Relational)
    boundary = sp.solve(sp.Eq(condition.lhs, condition.rhs), target) if relational else []
    if len(boundary) != 1:
        raise ArithmeticError(f"the convergence condition {condition} has no single boundary in s*")
    derivation.equal("It is normalisable exactly while the stated shrunk value is positive: it vanishes at the "
                     "boundary of the condition", shrunk(boundary[0]), 0, name=r"\bar s\,\big|_{\text{boundary}}")
    mean, _ = convergent_integral(power * p, power, 0, sp.oo)
    derivation.equal("The stationary mean of P is the stated shrunk value", sp.expand_func(mean / normaliser), shrunk(),
                     name=r"\mathbb{E}\,P")
    log_drift = derivation.equal("Itô: the drift of log P is 2η(shrunk − P)", ito_drift(sp.log(power), leading, squared,
                                                                                        power),
                                 2 * eta * (shrunk() - power), name=r"\mathbb{E}[d\log P]/dt")
    derivation.equal("At P → 0 it is the collapse exponent 2η times the shrunk value per step: negative below the "
                     "threshold",
                     sp.limit(log_drift, power, 0), 2 * eta * shrunk(), name=r"\lambda_0")
    return derivation


def curve_derivation() -> Derivation:
    """The authors' logistic curve: it solves dS/dt = 2ηS(s̄ − S) from S₀ and tends to s̄."""
    derivation = Derivation("The authors' theory curve")
    curve = theory_curve()
    level = shrunk()
    derivation.equal("It solves dS/dt = 2ηS(L − S), L the stated shrunk value", sp.diff(curve, t),
                     2 * eta * curve * (level - curve), name=r"\dot S")
    derivation.equal("from S(0) = S_0", curve.subs(t, 0), start, name="S(0)")
    derivation.equal("and tends to L when L > 0 (to 0 when L < 0)", sp.limit(_logistic(_level, t, eta, start), t, sp.oo),
                     _level, name=r"S(\infty)")
    return derivation


def _gaussian_mean(polynomial):
    """E over ξ ~ N(0, 1) of a polynomial in ξ: ξ^n ↦ (n − 1)!! for even n, 0 for odd n."""
    expanded = sp.Poly(sp.expand(polynomial), xi)
    return sp.expand(sum(coefficient * (sp.factorial2(n - 1) if n % 2 == 0 else 0)
                         for (n,), coefficient in expanded.terms()))
