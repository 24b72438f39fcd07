"""Moments of a stationary density on (0, ∞) that may be singular at 0, by tanh-sinh quadrature
(docs/claims/stochastic-collapse.md §1).

A density p ~ x^k at 0 with −1 < k < 0 is integrable but unbounded, and tanh-sinh nodes stop ~10^-dps from the
endpoint, missing a mass ~10^{-dps(k+1)} there. ``integrator`` therefore integrates in w = x^{k+1}, where
p(x) dx = p(x) x^{-k} dw/(k + 1) is bounded; k comes from SymPy's exact limit of x p′(x)/p(x) as x → 0. For large
k the substitution squeezes the bulk of p into a sliver of w (a Gamma law's normaliser was off by 7e-5 at k = 20 and
by 0.48 at k = 30, at 30 digits), while p is smooth at 0 for every k ≥ 0: beyond ``SUBSTITUTION_MAX`` the integral
is taken in x itself.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath as mp
import sympy as sp

# The largest k integrated in w = x^{k+1}: Gamma laws up to k = 10 come out exact to the working precision there
# (the claims draw k ≤ 5.2); at k = 15 they lose 7 of 30 digits, so larger k are integrated in x.
SUBSTITUTION_MAX = 10


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
        if power > SUBSTITUTION_MAX:  # smooth at 0: in x, octaves around the split, so that each holds at most a
            # slice of the bulk wherever the mode lies (within 2^±60 of the split)
            octaves = [mp.mpf(split) * mp.mpf(2) ** j for j in range(-60, 61)]
            points = [0, *(point for point in octaves if point < end), end]
            digits = mp.mp.dps
            with mp.workdps(digits + 10):  # tanh-sinh's error estimate trails its error by a few digits here
                value, error = mp.quad(lambda x: f(x) * compiled(x), points, error=True)
            if error > abs(value) * mp.mpf(10) ** -digits:  # e.g. a far tail of a law with k in the hundreds
                raise ArithmeticError(f"the quadrature of a density ~x^{mp.nstr(power, 6)} up to {mp.nstr(end, 6)} "
                                      f"reached a relative error of only {mp.nstr(error / abs(value), 3)}")
            return value
        top, middle = (end**lift if end != mp.inf else mp.inf), mp.mpf(split) ** lift
        points = [0, middle, top] if top > middle else [0, top]
        return mp.quad(lambda w: integrand(f, w), points)

    return integral


@lru_cache(maxsize=512)
def _prepared(density: sp.Expr, variable: sp.Symbol):
    compiled = sp.lambdify(variable, density, modules="mpmath")
    return compiled, sp.limit(variable * sp.diff(sp.log(density), variable), variable, 0)
