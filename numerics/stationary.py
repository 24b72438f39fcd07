"""Moments of a stationary density on (0, ∞) that may be singular at 0, by tanh-sinh quadrature
(docs/claims/stochastic-collapse.md §1).

A density p ~ x^k at 0 with −1 < k < 0 is integrable but unbounded, and tanh-sinh nodes stop ~10^-dps from the
endpoint, missing a mass ~10^{-dps(k+1)} there. ``integrator`` therefore integrates in w = x^{k+1}, where
p(x) dx = p(x) x^{-k} dw/(k + 1) is bounded; k comes from SymPy's exact limit of x p′(x)/p(x) as x → 0.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath as mp
import sympy as sp


def power_at_zero(density: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """k with p(x) ~ x^k as x → 0 (exact; ``density`` has no other free symbol)."""
    return _prepared(density, variable)[1]


def integrator(density: sp.Expr, variable: sp.Symbol, split):
    """A function ``integral(f, end)`` = ∫_0^end f(x) p(x) dx at the current mpmath precision (end may be ∞), for a
    density with p ~ x^k at 0, k > −1; ``split``: a point of the bulk where the quadrature is divided."""
    compiled, power = _prepared(density, variable)
    if not power > -1:
        raise ValueError(f"the density behaves as x^{power} at 0: not integrable there")
    with mp.workdps(mp.mp.dps + 5):
        power = mp.mpf(str(sp.N(power, mp.mp.dps)))
    lift = power + 1

    def integrand(f, w):
        x = w ** (1 / lift)
        return f(x) * compiled(x) * x**-power / lift

    def integral(f, end):
        top, middle = (end**lift if end != mp.inf else mp.inf), mp.mpf(split) ** lift
        points = [0, middle, top] if top > middle else [0, top]
        return mp.quad(lambda w: integrand(f, w), points)

    return integral


@lru_cache(maxsize=512)
def _prepared(density: sp.Expr, variable: sp.Symbol):
    compiled = sp.lambdify(variable, density, modules="mpmath")
    return compiled, sp.limit(variable * sp.diff(sp.log(density), variable), variable, 0)
