"""The toy model of "The Implicit Bias of Depth", and its gradient-flow ODE derived from the losses.

Model (docs/claims/thm1.md §1): a linear predictor f(x) = ⟨σ, x⟩ on Gaussian inputs x ~ N(0, I), targets
y = ⟨σ*, x⟩, and each σ_i a depth-N product, in two forms:

* weight-shared: σ_i = w_i^N, trained on the depth-normalised loss (1/2N) E[(f(x) − y)²];
* layered: σ_i = ∏_j w_ij (a diagonal linear network), trained on the plain ½ E[(f(x) − y)²],

both with balanced initialisation (every factor equal to σ_0^{1/N}). ``flow_derivation`` derives
dσ/dt from each loss by differentiation and the chain rule, for symbolic N or a concrete depth, and
shows that both give the project's ODE dσ/dt = N σ^{2−2/N} (σ* − σ).
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.stats import E, Normal

from .derivation import Derivation

N = sp.Symbol("N", positive=True, integer=True)
t = sp.Symbol("t", nonnegative=True)
sigma = sp.Symbol("sigma", positive=True)
target = sp.Symbol("sigma^*", positive=True)
init = sp.Symbol("sigma_0", positive=True)

# two coordinates are enough to show that the population loss decouples them
_SIGMAS = sp.symbols("sigma_1 sigma_2", positive=True)
_TARGETS = sp.symbols("sigma_1^* sigma_2^*", positive=True)


def flow_rhs(depth=N):
    """The project ODE's right-hand side N σ^{2−2/N} (σ* − σ)."""
    return depth * sigma ** (2 - sp.Integer(2) / depth) * (target - sigma)


def flow_derivation(depth=N) -> Derivation:
    """Loss → gradient → chain rule → dσ/dt for both parameterisations, each step checked."""
    depth = sp.sympify(depth)
    if depth != N and not (depth.is_Integer and depth >= 1):
        raise ValueError(f"depth={depth!r} is invalid: must be the symbol N or an integer >= 1")
    derivation = Derivation(f"Gradient flow of the toy model, depth {_depth_name(depth)}")
    loss = _population_loss(derivation)
    first = _weight_shared(derivation, loss, depth)
    second = _layered(derivation, loss, depth)
    derivation.equal("Both parameterisations follow the same ODE", first, second, name=r"\dot\sigma")
    return derivation


@lru_cache(maxsize=1)
def _gaussian_expectation():
    """E_x[(⟨σ, x⟩ − ⟨σ*, x⟩)²] for x ~ N(0, I_2), computed by sympy.stats."""
    x = [Normal(f"x_{i + 1}", 0, 1) for i in range(2)]
    residual = sum((s - s_star) * xi for s, s_star, xi in zip(_SIGMAS, _TARGETS, x))
    return E(sp.expand(residual**2))


def _population_loss(derivation: Derivation):
    norm = sum((s - s_star) ** 2 for s, s_star in zip(_SIGMAS, _TARGETS))
    return derivation.equal("Population loss under Gaussian inputs x ~ N(0, I)", _gaussian_expectation(), norm,
                            name=r"\mathbb{E}_x\big[(\langle\sigma,x\rangle-\langle\sigma^*,x\rangle)^2\big]")


def _weight_shared(derivation: Derivation, loss, depth):
    w = sp.symbols("w_1 w_2", positive=True)
    shared = loss.subs({s: wi**depth for s, wi in zip(_SIGMAS, w)}) / (2 * depth)
    velocity = derivation.equal(
        "Weight-shared model σ_i = w_i^N, loss (1/2N)·E[(f − y)²]: gradient flow of w_1",
        -sp.diff(shared, w[0]), (_TARGETS[0] - w[0] ** depth) * w[0] ** (depth - 1),
        name=r"\dot w_1=-\partial_{w_1}\ell_N")
    chain = derivation.equal("Chain rule for σ_1 = w_1^N", sp.diff(w[0] ** depth, w[0]) * velocity,
                             depth * w[0] ** (2 * depth - 2) * (_TARGETS[0] - w[0] ** depth),
                             name=r"\dot\sigma_1")
    return _in_sigma(derivation, chain, {w[0]: _SIGMAS[0] ** (1 / depth)}, depth, "Substitute w_1 = σ_1^{1/N}")


def _layered(derivation: Derivation, loss, depth):
    if depth.is_Integer:
        layers = sp.symbols(f"w_1:{int(depth) + 1}", positive=True)
        product = sp.Mul(*layers)
        plain = loss.subs(_SIGMAS[0], product) / 2
        chain = derivation.equal(
            f"Layered network σ_1 = w_1⋯w_{int(depth)}, loss ½·E[(f − y)²]: σ̇_1 = Σ_j ∂σ_1/∂w_j · ẇ_j",
            sum(sp.diff(product, wj) * (-sp.diff(plain, wj)) for wj in layers),
            (_TARGETS[0] - product) * sum((product / wj) ** 2 for wj in layers), name=r"\dot\sigma_1")
        balanced = {wj: _SIGMAS[0] ** (1 / depth) for wj in layers}
        return _in_sigma(derivation, chain, balanced, depth, "Balanced layers w_j = σ_1^{1/N}")
    # Symbolic depth: σ_1 = w·R with w one layer and R the product of the other N − 1. The loss depends on
    # w only through w·R, so ẇ = −(wR − σ*)R; balancedness makes all N layers move alike.
    w, rest = sp.symbols("w R", positive=True)
    plain = loss.subs(_SIGMAS[0], w * rest) / 2
    velocity = derivation.equal("Layered network, loss ½·E[(f − y)²]: one layer w, the other N − 1 multiply to R",
                                -sp.diff(plain, w), (_TARGETS[0] - w * rest) * rest, name=r"\dot w_j")
    chain = derivation.equal("σ̇_1 = Σ_j ∂σ_1/∂w_j · ẇ_j with N identical terms (balanced layers)",
                             depth * sp.diff(w * rest, w) * velocity, depth * rest**2 * (_TARGETS[0] - w * rest),
                             name=r"\dot\sigma_1")
    balanced = {w: _SIGMAS[0] ** (1 / depth), rest: _SIGMAS[0] ** ((depth - 1) / depth)}
    return _in_sigma(derivation, chain, balanced, depth, "Balanced layers w = σ_1^{1/N}, R = σ_1^{(N−1)/N}")


def _in_sigma(derivation: Derivation, expression, substitution, depth, statement):
    project = flow_rhs(depth).subs({sigma: _SIGMAS[0], target: _TARGETS[0]})
    return derivation.equal(f"{statement}: the project ODE", expression.subs(substitution), project,
                            name=r"\dot\sigma_1")


def _depth_name(depth) -> str:
    return "N" if depth == N else str(depth)
