"""Compiled SymPy expressions: mpmath values as exact as before, and no tower of powers can abort."""

import subprocess
import sys

import mpmath as mp
import pytest
import sympy as sp

from numerics import evaluate, separation
from numerics.arguments import ParameterError
from theory import theorem2

SYMBOLS = [theorem2.BOUND_SYMBOLS[name] for name in ("N", "r", "s", "f", "sigma_j")]
N, r, s, f, sigma_j = SYMBOLS
POINT = dict(zip(SYMBOLS, (3, sp.Integer(11), sp.Rational(1, 10), sp.Rational(9, 10), sp.Rational(1, 2))))


def value(expression):
    with mp.workdps(40):
        return evaluate.compiled(expression, SYMBOLS)(*(mp.mpf(x.p) / x.q for x in map(sp.Rational, POINT.values())))


@pytest.mark.parametrize("expression", [
    *(theorem2.bound(name) for name in ("necessary_2", "sufficient_2", "sufficient_deep")),
    sigma_j * 10**400, sp.sqrt(s) * sp.Min(f, 1 - f) / sp.Max(r, 2) + sp.exp(-r) * sp.log(r, 2) - sp.Abs(s - f),
    sp.Max(sigma_j, sp.Integer(10) ** 400) ** 1000, sigma_j * sp.exp(10**5), sp.pi * sp.E * r ** sp.Rational(-5, 3),
])
def test_values_agree_with_sympy_to_the_working_precision(expression):
    exact = sp.N(expression.subs(POINT), 60)
    with mp.workdps(40):
        assert mp.almosteq(value(expression), mp.mpf(str(exact)), rel_eps=mp.mpf(10) ** -35)


def test_integers_never_become_exact_python_integers():
    assert isinstance(value(sp.Max(sigma_j, sp.Integer(10) ** 400) ** 1000), mp.mpf)  # max() returned the int


@pytest.mark.parametrize("expression", [r ** (r ** (r ** (r**r))), sp.exp(sp.exp(sp.exp(10))) * sigma_j,
                                        sp.exp(-sp.exp(sp.exp(10))) * sigma_j, sp.exp(10**7 * r)])
def test_values_beyond_the_range_raise_overflow(expression):
    with pytest.raises(OverflowError):
        value(expression)


def test_a_tower_of_powers_does_not_abort_the_process():
    """Unguarded, r**r**r**r**r at r = 11 asks GMP for an exponent with ~10^11 digits: 'overflow in mpz
    type', and the process aborts. In a child process, so that a regression fails this test only."""
    script = ("import mpmath as mp\nfrom numerics import evaluate\nfrom theory.theorem2 import r\n"
              "try:\n    evaluate.compiled(r**r**r**r**r, [r])(mp.mpf(11))\nexcept OverflowError:\n"
              "    print('refused')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "refused", done.stderr[-500:]


def test_a_bound_out_of_range_is_a_parameter_error_naming_where():
    with pytest.raises(ParameterError, match=r"^expression=.*above e\^1000000.*ratio=11"):
        separation.bound_value(sigma_j * r ** (r**r**r), depth=3, ratio=11, s="0.1", f="0.9", dps=20)
