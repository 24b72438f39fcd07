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


# Written against mutants that mutmut left alive (docs/mutation-testing.md): the range limit at its exact edge
# and the side it names, powers of 0, the range of a power as exponent × log(base), and mpmath functions that
# SymPy's printer knows only by name.

@pytest.mark.parametrize("sign, side", [(1, "above e^"), (-1, "below e^-")])
def test_the_range_limit_is_exact_at_its_edge_and_the_error_names_the_side(sign, side):
    """e^(±10^6·r) at r = 1 has logarithm exactly ±10^6 = ±LOG_RANGE: computed, and checked by its own
    logarithm (±10^6 to 35 of the 40 working digits); at r = 1 + 10^-30 it is past the limit on that side."""
    function = evaluate.compiled(sp.exp(sign * 10**6 * r), [r])
    with mp.workdps(40):
        assert mp.almosteq(mp.log(function(mp.mpf(1))), sign * 10**6, rel_eps=mp.mpf(10) ** -35)
        with pytest.raises(OverflowError) as raised:
            function(1 + mp.mpf(10) ** -30)
    assert str(raised.value) == f"a power or exponential in the expression is {side}1000000, out of range"


def test_powers_of_zero_and_one_are_not_range_questions():
    """0^2 = 0^(1/2) = 0 (log 0 = −∞ must not make them 'below e^-10^6') and 1^(10^7) = 1, by hand."""
    with mp.workdps(30):
        assert evaluate.compiled(s**2 + sp.sqrt(s) + r ** (10**7), [r, s])(mp.mpf(1), mp.mpf(0)) == 1


def test_a_power_is_in_range_by_its_exponent_times_the_log_of_its_base():
    """2^(10^6·r) at r = 1: logarithm 10^6·log 2 ≈ 6.9·10^5, in range (the value checked by its logarithm to 35
    of 40 digits); 10^(10^6·r): logarithm ≈ 2.3·10^6, out of range."""
    with mp.workdps(40):
        two = evaluate.compiled(2 ** (10**6 * r), [r])(mp.mpf(1))
        assert mp.almosteq(mp.log(two), 10**6 * mp.log(2), rel_eps=mp.mpf(10) ** -35)
        with pytest.raises(OverflowError, match="above e"):
            evaluate.compiled(10 ** (10**6 * r), [r])(mp.mpf(1))


def test_functions_the_printer_knows_only_by_name_reach_mpmath():
    """SymPy's printer has no table entry for polygamma or zeta; they are printed by name and found in mpmath.
    Closed forms: ψ₁(3) = π²/6 − 1 − 1/4 and ζ(2) = π²/6 (to 35 of 40 digits)."""
    with mp.workdps(40):
        value = evaluate.compiled(sp.polygamma(1, r) + sp.zeta(r - 1), [r])(mp.mpf(3))
        assert mp.almosteq(value, mp.pi**2 / 3 - mp.mpf(5) / 4, rel_eps=mp.mpf(10) ** -35)
