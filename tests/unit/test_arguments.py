"""Bad input gets a ParameterError naming the parameter and its valid range; good input is exact."""

import math
from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest

from numerics import arguments, gd, integrators, toy
from numerics.arguments import ParameterError


@pytest.mark.parametrize("call, parameter, phrase", [
    (lambda: toy.time_to("0.5", depth=0, target=1, init="0.1"), "depth", "integer in [1, 1000]"),
    (lambda: toy.time_to("0.5", depth=2.5, target=1, init="0.1"), "depth", "integer in [1, 1000]"),
    (lambda: toy.time_to("0.5", depth="three", target=1, init="0.1"), "depth", "integer in [1, 1000]"),
    (lambda: toy.time_to("0.5", depth=10**6, target=1, init="0.1"), "depth", "integer in [1, 1000]"),
    (lambda: toy.time_to("0.5", depth=True, target=1, init="0.1"), "depth", "integer"),
    (lambda: toy.time_to("0.5", depth=2, target=0, init="0.1"), "target", "> 0"),
    (lambda: toy.time_to("0.5", depth=2, target=-1, init="0.1"), "target", "> 0"),
    (lambda: toy.time_to("0.5", depth=2, target=math.inf, init="0.1"), "target", "finite"),
    (lambda: toy.time_to("0.5", depth=2, target=1, init=0), "init", "> 0"),
    (lambda: toy.time_to("0.5", depth=2, target=1, init=1), "init", "(0, target)"),
    (lambda: toy.time_to("0.5", depth=2, target=1, init=2), "init", "(0, target)"),
    (lambda: toy.time_to("0.5", depth=2, target=1, init=math.nan), "init", "NaN"),
    (lambda: toy.time_to("nan", depth=2, target=1, init="0.1"), "sigma", "NaN"),
    (lambda: toy.time_to("abc", depth=2, target=1, init="0.1"), "sigma", "could not parse"),
    (lambda: toy.time_to(None, depth=2, target=1, init="0.1"), "sigma", "finite real number"),
    (lambda: toy.time_to("0.05", depth=2, target=1, init="0.1"), "sigma", "[init, target)"),
    (lambda: toy.time_to(1, depth=2, target=1, init="0.1"), "sigma", "[init, target)"),
    (lambda: toy.time_to("0.5", depth=2, target=1, init="0.1", dps=14), "dps", "integer in [15, 2000]"),
    (lambda: toy.time_to("0.5", depth=2, target=1, init="0.1", dps=2001), "dps", "integer in [15, 2000]"),
    (lambda: toy.sigma_at(-1, depth=2, target=1, init="0.1"), "t", ">= 0"),
    (lambda: toy.sigma_at("inf", depth=2, target=1, init="0.1"), "t", "NaN or infinity"),
    (lambda: integrators.scipy_times_to(["0.5"], depth=2, target=1, init="0.1", method="RK23"), "method", "DOP853"),
    (lambda: integrators.scipy_times_to(["0.9999999"], depth=2, target=1, init="0.1"), "levels", "float64"),
    (lambda: integrators.scipy_sigma_at([1], depth=4, target=1, init="1e-200"), "init", "plateau"),
    (lambda: gd.replay([10], depth=2, target=1, init="0.1", step=1.5), "step", "stability limit"),
])
def test_bad_input_names_parameter_and_range(call, parameter, phrase):
    with pytest.raises(ParameterError) as raised:
        call()
    assert raised.value.parameter == parameter
    assert phrase in str(raised.value)
    assert str(raised.value).startswith(f"{parameter}=")


@pytest.mark.parametrize("value, expected", [
    ("0.1", Fraction(1, 10)), ("1e-300", Fraction(1, 10**300)), ("3/7", Fraction(3, 7)), (Decimal("0.25"), Fraction(1, 4)),
    (0.5, Fraction(1, 2)), (3, Fraction(3)), (mpmath.mpf("0.75"), Fraction(3, 4)), (Fraction(2, 3), Fraction(2, 3)),
])
def test_numbers_are_held_exactly(value, expected):
    assert arguments.exact("x", value) == expected


def test_integral_values_are_accepted_as_depth():
    assert arguments.depth("3") == arguments.depth(3.0) == arguments.depth(3) == 3
