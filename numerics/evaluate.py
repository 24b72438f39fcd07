"""SymPy expressions (a user's bound, say) compiled into mpmath functions whose values stay in range.

mpmath numbers carry exact integer exponents, so a value such as 10^400 or e^(10^4) is no overflow. But
a tower of powers or exponentials (``r**r**r**r**r`` at r = 11) asks for an exponent with billions of
digits, and GMP aborts the whole process. So every power and exponential is computed by a guarded
function: when the natural logarithm of its result would exceed ``LOG_RANGE`` = 10^6 in magnitude
(values beyond about 10^±434294) it raises ``OverflowError`` instead. Integers in the expression become
mpmath numbers too, so ``Max(sigma_j, 10**400)**1000`` never computes an exact Python integer.
"""

from __future__ import annotations

import mpmath as mp
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

LOG_RANGE = 10**6


def compiled(expression: sp.Expr, symbols: list):
    """``expression`` as a function of ``symbols`` on mpmath numbers, at the caller's working precision."""
    printer = _Printer({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                        "user_functions": {}})
    return sp.lambdify(symbols, expression, modules=[{"_exp": _exp, "_power": _power}, "mpmath"], printer=printer)


class _Printer(MpmathPrinter):
    def _print_Integer(self, expr):
        return f"mpf({expr.p})"

    def _print_Rational(self, expr):
        return f"mpf({expr.p})/mpf({expr.q})"

    def _print_Pow(self, expr, rational=False):
        return f"_power({self._print(expr.base)}, {self._print(expr.exp)})"

    def _print_exp(self, expr):
        return f"_exp({self._print(expr.args[0])})"


def _exp(x):
    _in_range(x)
    return mp.exp(x)


def _power(base, exponent):
    if base != 0:
        _in_range(exponent * mp.log(base))
    return mp.power(base, exponent)


def _in_range(logarithm) -> None:
    if abs(mp.re(logarithm)) > LOG_RANGE:
        side = "above e^" if mp.re(logarithm) > 0 else "below e^-"
        raise OverflowError(f"a power or exponential in the expression is {side}{LOG_RANGE}, out of range")
