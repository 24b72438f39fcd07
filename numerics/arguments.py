"""Validation of the parameters of every public numeric function.

Parameters arrive as int, float, str, Fraction, Decimal or mpmath numbers and are turned into exact
``Fraction``s, so that differences such as ``target - sigma`` are computed exactly before any rounding
(a sigma within 1e-30 of the target keeps all its digits). Every failure raises ``ParameterError``,
which names the parameter, the value and the valid range.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from fractions import Fraction

import mpmath

from theory.errors import VerifyError

MIN_DPS = 15
MAX_DPS = 1000  # the most digits a user may ask of a check (``python -m verify --dps``)
# A check at ``dps`` compares against references computed with guard digits of its own: 10 more, or for
# σ(t) the log10 of its condition number (a few hundred after the longest plateaus). Numeric functions
# accept that much on top of MAX_DPS, so that every documented --dps works; a bound remains, so that a
# typo such as dps=10**5 is an error instead of hours of arithmetic.
GUARD_DPS = 1000
MAX_DEPTH = 1000


class ParameterError(VerifyError, ValueError):
    """A parameter is outside its valid range; the message says which parameter and what is valid."""

    def __init__(self, name: str, value, valid: str, hint: str = ""):
        self.parameter = name
        self.value = value
        self.valid = valid
        message = f"{name}={_show(value)} is invalid: {name} must be {valid}"
        super().__init__(message + (f" ({hint})" if hint else ""))


def _show(value) -> str:
    if isinstance(value, Fraction):
        return _show_fraction(value)
    if isinstance(value, mpmath.mpf):
        return mpmath.nstr(value, 15)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _show_fraction(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return mpmath.nstr(mpmath.mpf(value.numerator) / value.denominator, 15)


def exact(name: str, value) -> Fraction:
    """``value`` as an exact Fraction; finite real numbers only."""
    if isinstance(value, bool) or value is None:
        raise ParameterError(name, value, "a finite real number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise ParameterError(name, value, "a finite real number", "got NaN or infinity")
        man, exp = value.man_exp  # of |value|: mpmath keeps the sign apart
        magnitude = Fraction(man) * Fraction(2) ** exp
        return -magnitude if value < 0 else magnitude
    if isinstance(value, str):
        try:
            return exact(name, Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            try:
                number = mpmath.mpf(value.strip())
            except (ValueError, TypeError, ZeroDivisionError):
                raise ParameterError(name, value, "a finite real number", "could not parse it") from None
            return exact(name, number)
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ParameterError(name, value, "a finite real number", "got NaN or infinity")
        return Fraction(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ParameterError(name, value, "a finite real number", "got NaN or infinity")
        return Fraction(number)
    raise ParameterError(name, value, "a finite real number", f"got {type(value).__name__}")


def positive(name: str, value) -> Fraction:
    number = exact(name, value)
    if number <= 0:
        raise ParameterError(name, value, "a finite number > 0")
    return number


def integer(name: str, value, low: int, high: int) -> int:
    """An integer in [low, high]; integral floats/strings such as 3.0 or "3" are accepted."""
    valid = f"an integer in [{low}, {high}]"
    if isinstance(value, bool):
        raise ParameterError(name, value, valid)
    try:
        number = exact(name, value)
    except ParameterError:
        raise ParameterError(name, value, valid) from None
    if number.denominator != 1 or not low <= number <= high:
        raise ParameterError(name, value, valid)
    return int(number)



def step_counts(name: str, values) -> tuple:
    """A non-empty list of step counts, each an integer in [0, 1e8] (an entry out of range is named 'record')."""
    if not values:
        raise ValueError(f"{name} is invalid: a non-empty list of step counts in [0, 1e8]")
    return tuple(integer("record", k, 0, 10**8) for k in values)


def depth(value) -> int:
    return integer("depth", value, 1, MAX_DEPTH)


def dps(value) -> int:
    """A precision a user asks for: an integer in [MIN_DPS, MAX_DPS]."""
    return integer("dps", value, MIN_DPS, MAX_DPS)


def working_dps(value) -> int:
    """The precision a numeric function is called with: a requested dps plus the caller's guard digits,
    an integer in [MIN_DPS, MAX_DPS + GUARD_DPS]."""
    return integer("dps", value, MIN_DPS, MAX_DPS + GUARD_DPS)


def toy(*, depth_, target, init) -> tuple[int, Fraction, Fraction]:
    """Depth, target and init of one coordinate of the toy model, with 0 < init < target."""
    n = depth(depth_)
    t = positive("target", target)
    s0 = positive("init", init)
    if s0 >= t:
        raise ParameterError("init", init, f"in (0, target) = (0, {_show(t)})",
                             "the flow starts below its target")
    return n, t, s0


def sigma(value, *, target: Fraction, init: Fraction) -> Fraction:
    s = exact("sigma", value)
    if not init <= s < target:
        raise ParameterError("sigma", value, f"in [init, target) = [{_show(init)}, {_show(target)})",
                             "the flow rises from init and never reaches the target")
    return s


def nonnegative(name: str, value) -> Fraction:
    number = exact(name, value)
    if number < 0:
        raise ParameterError(name, value, "a finite number >= 0")
    return number


def to_mpf(value: Fraction) -> mpmath.mpf:
    """An exact Fraction rounded once, at the current mpmath precision."""
    return mpmath.mpf(value.numerator) / value.denominator
