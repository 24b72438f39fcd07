"""The edges of every valid range, and exactness of every accepted number type (``numerics.arguments``)."""

import math
from decimal import Decimal
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from numerics import arguments
from numerics.arguments import ParameterError


@pytest.mark.parametrize("value, expected", [
    (" 3/7 ", Fraction(3, 7)), ("1e-5", Fraction(1, 10**5)), ("2.5e3", Fraction(2500)),
    (np.int64(7), Fraction(7)), (np.float64(0.1), Fraction(0.1)), (Decimal("-1.25"), Fraction(-5, 4)),
    (mp.mpf("0.1"), Fraction(0.1)), (mp.mpf(-3), Fraction(-3)),
])
def test_every_number_type_is_held_exactly(value, expected):
    assert arguments.exact("x", value) == expected


@pytest.mark.parametrize("value, hint", [
    (True, ""), (None, ""), ([1], "got list"), (math.inf, "NaN or infinity"), (Decimal("NaN"), "NaN or infinity"),
    (Decimal("-Infinity"), "NaN or infinity"), (mp.inf, "NaN or infinity"), (mp.nan, "NaN or infinity"),
    ("inf", "NaN or infinity"), ("1/0", "could not parse"), ("", "could not parse"),
])
def test_non_numbers_are_named(value, hint):
    with pytest.raises(ParameterError, match="finite real number") as raised:
        arguments.exact("x", value)
    assert raised.value.parameter == "x" and hint in str(raised.value)


@pytest.mark.parametrize("check, low, high", [
    (arguments.depth, 1, arguments.MAX_DEPTH), (arguments.dps, arguments.MIN_DPS, arguments.MAX_DPS),
    (arguments.working_dps, arguments.MIN_DPS, arguments.MAX_DPS + arguments.GUARD_DPS),
])
def test_integer_ranges_include_both_ends_and_nothing_beyond(check, low, high):
    assert check(low) == low and check(high) == high and check(f"{high}") == high and check(float(low)) == low
    assert isinstance(check(float(low)), int)
    for outside in (low - 1, high + 1, low + 0.5, True, "x"):
        with pytest.raises(ParameterError, match=rf"an integer in \[{low}, {high}\]") as raised:
            check(outside)
        assert raised.value.parameter == ("depth" if check is arguments.depth else "dps")


def test_sign_conditions_at_zero():
    assert arguments.nonnegative("t", 0) == 0 and arguments.positive("x", Fraction(1, 10**400)) > 0
    for negative in (Fraction(-1, 10**400), mp.mpf(-1)):  # an mpf keeps its sign apart from its mantissa
        with pytest.raises(ParameterError, match=">= 0"):
            arguments.nonnegative("t", negative)
    with pytest.raises(ParameterError, match="> 0"):
        arguments.positive("x", 0)


def test_toy_and_sigma_ranges_are_half_open():
    assert arguments.toy(depth_=2, target="1", init="0.5") == (2, Fraction(1), Fraction(1, 2))
    with pytest.raises(ParameterError, match="init"):
        arguments.toy(depth_=2, target=1, init=1)
    star, init = Fraction(1), Fraction(1, 4)
    assert arguments.sigma(init, target=star, init=init) == init  # σ = init: time 0
    for outside in (star, init - Fraction(1, 10**30)):
        with pytest.raises(ParameterError) as raised:
            arguments.sigma(outside, target=star, init=init)
        assert raised.value.parameter == "sigma" and "[init, target) = [0.25, 1)" in str(raised.value)


def test_messages_show_the_value_readably():
    assert str(ParameterError("a", Fraction(1, 3), "valid")) == "a=0.333333333333333 is invalid: a must be valid"
    assert str(ParameterError("a", Fraction(5), "valid", "hint")) == "a=5 is invalid: a must be valid (hint)"
    assert str(ParameterError("a", mp.mpf(2) / 3, "v")).startswith("a=0.666666666666667 is")
    long = ParameterError("a", "x" * 100, "v")
    assert f"a='{'x' * 56}... is" in str(long) and long.valid == "v" and long.value == "x" * 100
    assert str(ParameterError("a", "x" * 58, "v")).startswith(f"a='{'x' * 58}' is")  # a repr of 60 characters
    assert str(ParameterError("a", "x" * 59, "v")).startswith(f"a='{'x' * 56}... is")  # of 61


def test_to_mpf_rounds_once_at_the_current_precision():
    with mp.workdps(50):
        assert arguments.to_mpf(Fraction(1, 3)) == mp.mpf(1) / 3
        assert arguments.to_mpf(Fraction(-7, 2)) == mp.mpf("-3.5")
