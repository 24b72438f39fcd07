"""Why deep linear networks fit low-rank targets first: the per-mode time scale of Theorem 1's flow
(``docs/claims/low-rank-simplicity.md`` §4).

A deep linear network W = W_1⋯W_N from aligned balanced init W_j = σ_0^{1/N}I, trained on ½‖W − W*‖²_F with
W* = diag(s*_1, …), keeps W diagonal, and each diagonal entry follows the project ODE
dσ/dt = N σ^{2−2/N}(s* − σ) (``theory.sensing.reduction_derivation``: Theorem 1's flow, one mode at a time).

``time_scale_derivation``: substituting σ = s*u, the time for a mode to rise from σ_0 to a fraction f of its
target is t(s*) = s*^{2/N−2} τ_N(σ_0/s*), τ_N(a) = ∫_a^f du/(N u^{2−2/N}(1 − u)). For N ≥ 3 and a → 0,
τ_N(a) ~ a^{2/N−1}/(N − 2), so t ≈ 1/((N − 2) s* σ_0^{1−2/N}): inversely proportional to the target, and for
small σ_0 growing with depth (σ_0^{−(1−2/N)} grows faster than 1/(N − 2) falls). For N = 2,
t = ln(f(1 − a)/((1 − f)a))/(2s*); for N = 1, t = ln((1 − a)/(1 − f)), nearly the same for every mode. Small
modes are therefore learned last, and a fixed budget learns fewer of them the deeper the network.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation

N = sp.Symbol("N", positive=True, integer=True)
u = sp.Symbol("u", positive=True)  # σ/s*
a = sp.Symbol("a", positive=True)  # σ_0/s*
f = sp.Symbol("f", positive=True)  # the learned fraction
star = sp.Symbol("s^*", positive=True)
sigma = sp.Symbol("sigma", positive=True)


def rate(depth=N):
    """dσ/dt = N σ^{2−2/N}(s* − σ): the project ODE (Theorem 1)."""
    return depth * sigma ** (2 - sp.Integer(2) / depth) * (star - sigma)


def scaled_integrand(depth=N):
    """dτ/du = 1/(N u^{2−2/N}(1 − u)), the time integrand in the scaled variable u = σ/s*."""
    return 1 / (depth * u ** (2 - sp.Integer(2) / depth) * (1 - u))


def time_scale_derivation() -> Derivation:
    derivation = Derivation("The time a mode takes to be learned, by target and depth")
    derivation.equal("Substituting σ = s*u in dt = dσ/(N σ^{2−2/N}(s* − σ)): dt/du = s*^{2/N−2} dτ/du, so "
                     "t(s*) = s*^{2/N−2} τ_N(σ_0/s*)", (star / rate(N)).subs(sigma, star * u),
                     star ** (2 / N - 2) * scaled_integrand(N), points=[{N: 3, u: sp.Rational(1, 3), star: 2}],
                     name=r"\frac{dt}{du}")
    derivation.equal("Small init, N ≥ 3: τ_N(a) ~ a^{2/N−1}/(N − 2) as a → 0 (L'Hôpital: the ratio of the "
                     "derivatives in a tends to 1)", sp.limit(scaled_integrand(N).subs(u, a) * N * a ** (2 - 2 / N), a, 0),
                     1, name=r"\lim_{a\to0} N a^{2-2/N}\,\tau_N'(a)")
    derivation.equal("… so t ≈ s*^{2/N−2}(σ_0/s*)^{2/N−1}/(N − 2) = 1/((N − 2) s* σ_0^{1−2/N}): proportional to 1/s*",
                     star ** (2 / N - 2) * (sigma / star) ** (2 / N - 1) / (N - 2),
                     1 / ((N - 2) * star * sigma ** (1 - 2 / N)), points=[{N: 4, star: sp.Rational(1, 3), sigma: 5}],
                     name=r"t_{\mathrm{lead}}")
    derivation.equal("N = 2: τ_2(a) = ln(f(1 − a)/((1 − f)a))/2 exactly (differentiated back)",
                     sp.diff(sp.log(f * (1 - a) / ((1 - f) * a)) / 2, a), -scaled_integrand(2).subs(u, a),
                     name=r"\frac{d}{da}\tau_2(a)")
    derivation.equal("N = 1: τ_1(a) = ln((1 − a)/(1 − f)) exactly, the same for every target up to a = σ_0/s*",
                     sp.diff(sp.log((1 - a) / (1 - f)), a), -scaled_integrand(1).subs(u, a),
                     name=r"\frac{d}{da}\tau_1(a)")
    return derivation
