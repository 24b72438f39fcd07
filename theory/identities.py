"""Proving that a SymPy expression is identically zero, and saying how it was proven.

SymPy can be silently wrong and can hang (docs/claims/thm1.md §2: SymPy 1.14's integrate is wrong or slow here), so:

* ``prove_zero`` runs ``cancel``/``simplify`` in a child process with a time limit; if that does not reach
  0 it falls back to a numeric spot-check at high precision at caller-supplied points of the domain,
  and labels the result as numeric. A nonzero residual at any point is a disproof.
* ``prove_zero_cyclotomic`` proves rational identities involving cos(kθ), sin(kθ) with θ = 2π/N exactly
  (``cyclotomic.vanishes``), where ``simplify`` stalls (N = 7: > 10 min).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import cyclotomic
from .timelimit import TimeLimitExceeded, within

NUMERIC_DPS = 60


@dataclass(frozen=True)
class Check:
    """How an identity was established: ``kind`` is "symbolic" (exact) or "numeric" (spot-check)."""

    kind: str
    how: str


class NotProven(Exception):
    """The identity could not be established (with the residual, when one was found)."""


def prove_zero(expression, *, points=(), seconds=20.0, dps=NUMERIC_DPS) -> Check:
    expression = sp.sympify(expression)
    if expression == 0:
        return Check("symbolic", "identical after construction")
    try:
        method = within(seconds, simplifies_to_zero, expression)
    except TimeLimitExceeded:
        method = None
    if method == "expand_log":  # log(ab) = log a + log b needs a, b > 0: confirm on the domain too
        if not points:
            raise NotProven("lhs − rhs vanishes only after forcing log expansions, and no domain points were given")
        numeric_zero(expression, points, dps)
        return Check("symbolic", f"expand_log then simplify(lhs − rhs) = 0 (log arguments positive on the domain; "
                                 f"confirmed at {len(points)} points)")
    if method:
        return Check("symbolic", f"{method}(lhs − rhs) = 0")
    if not points:
        raise NotProven(f"SymPy did not reduce lhs − rhs to 0 within {seconds:g} s and no sample points were given")
    return numeric_zero(expression, points, dps)


def numeric_zero(expression, points, dps=NUMERIC_DPS) -> Check:
    """|expression| below 10^-(dps−10) relative to the size of its terms at every point, else NotProven."""
    threshold = sp.Float(10) ** (10 - dps)
    for point in points:
        value = sp.N(expression.subs(point), dps)
        if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo):  # before the scale, which cannot compare NaN
            raise NotProven(f"lhs − rhs is not a finite number at {_show(point)}: {value}")
        scale = max([abs(sp.N(term.subs(point), dps)) for term in sp.Add.make_args(expression)] + [sp.Integer(1)])
        if abs(value) > threshold * scale:
            raise NotProven(f"lhs − rhs = {sp.N(value, 6)} ≠ 0 at {_show(point)}")
    return Check("numeric", f"|lhs − rhs| < 1e-{dps - 10} (relative) at {len(points)} points, {dps} digits")


def prove_zero_cyclotomic(expression, variable: sp.Symbol, theta: sp.Symbol, n: int) -> Check:
    """Exact zero test for a rational function of ``variable`` and of cos(kθ), sin(kθ), θ = 2π/n."""
    if cyclotomic.vanishes(sp.sympify(expression), variable, theta, n):
        return Check("symbolic", f"exact evaluation in Q(e^(2πi/{4 * n})) at more points than the degree in {variable}")
    raise NotProven(f"lhs − rhs is not identically zero (exact evaluation in Q(e^(2πi/{4 * n})))")


def simplifies_to_zero(expression):
    """The name of the first of cancel, simplify, expand_log (forced) that reduces ``expression`` to 0."""
    for method in (sp.cancel, sp.simplify):
        if method(expression) == 0:
            return method.__name__
    if expression.has(sp.log) and sp.simplify(sp.expand_log(expression, force=True)) == 0:
        return "expand_log"
    return None


def _show(point) -> str:
    return ", ".join(f"{symbol}={value}" for symbol, value in point.items())
