"""Cases: points of a claim's parameter domain, as exact numbers that print readably."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from decimal import Decimal, localcontext
from fractions import Fraction


def text(value) -> str:
    """An exact, readable rendering: the shortest decimal equal to the value, else ``p/q``."""
    if isinstance(value, tuple):
        return "(" + ", ".join(text(v) for v in value) + ")"
    if not isinstance(value, Fraction):
        return str(value)
    if value.denominator == 1:
        return str(value.numerator)
    if Fraction(float(value)) == value:  # an exact double, e.g. 0.5 or the double nearest 1e-300
        return repr(float(value))
    with localcontext() as context:
        context.prec = 120
        decimal = (Decimal(value.numerator) / Decimal(value.denominator)).normalize()
    if Fraction(decimal) == value:
        return format(decimal, "g")
    return f"{value.numerator}/{value.denominator}"


def exact_product(matrix, vector) -> tuple:
    """``matrix @ vector`` in exact arithmetic (rows of ints or Fractions): the observations of exact cases."""
    return tuple(sum(a * b for a, b in zip(row, vector)) for row in matrix)


def round_down(value) -> Fraction:
    """Two significant digits, rounded towards zero (a step size must not grow)."""
    exponent = math.floor(math.log10(float(value))) - 1
    return Fraction(math.floor(float(value) / 10.0**exponent)) * Fraction(10) ** exponent


class Case:
    """Mixin for case dataclasses: exact JSON and a one-line description."""

    def as_json(self) -> dict:
        out = {}
        for field in fields(self):
            value = getattr(self, field.name)
            out[field.name] = [text(v) for v in value] if isinstance(value, tuple) else (
                text(value) if isinstance(value, Fraction) else value)
        return out

    def exact_json(self) -> dict:
        """The case with every fraction as ``p/q``: what ``from_json`` reads back exactly (replays)."""
        def exact(value):
            if isinstance(value, tuple):
                return [exact(v) for v in value]
            return f"{value.numerator}/{value.denominator}" if isinstance(value, Fraction) else value
        return {field.name: exact(getattr(self, field.name)) for field in fields(self)}

    @classmethod
    def from_json(cls, document: dict):
        """The case ``exact_json`` wrote (a ``ParameterError`` names a missing or malformed field)."""
        from numerics.arguments import ParameterError  # noqa: PLC0415

        def read(value):
            if isinstance(value, list):
                return tuple(read(v) for v in value)
            if isinstance(value, str) and "/" in value:
                return Fraction(value)
            return value

        names = [field.name for field in fields(cls)]
        if not isinstance(document, dict) or sorted(document) != sorted(names):
            raise ParameterError("replay", document, f"a JSON object with the fields {', '.join(names)}")
        try:
            return cls(**{name: read(document[name]) for name in names})
        except (ValueError, ZeroDivisionError) as failure:
            raise ParameterError("replay", document, "exact values as written by a counterexample's replay command",
                                 str(failure)) from None

    def describe(self) -> str:
        return ", ".join(f"{field.name}={text(getattr(self, field.name))}" for field in fields(self))


@dataclass(frozen=True)
class ToyCase(Case):
    """One toy-model configuration: a depth-N network with several coordinates.

    ``targets`` (decreasing) share ``init``; ``step`` is the GD step size and ``steps`` the number of GD
    steps after which the slowest coordinate has reached 99% of its target. ``probe`` (in (0, 1)) and
    ``tail`` (a power of ten) place the levels at which the numeric checks evaluate t(σ): a fraction
    ``probe`` of the way from init to each target, and a distance 10^-tail (relative) below it.
    """

    depth: int
    targets: tuple
    init: Fraction
    step: Fraction
    steps: int
    probe: Fraction
    tail: int

    def levels(self, target: Fraction) -> tuple:
        gap = target - self.init
        return self.init + self.probe * gap, target - gap / 10**self.tail


@dataclass(frozen=True)
class SeparationCase(Case):
    """A pair of targets (ratio·target, target) with thresholds s < f, at one depth (Definition 1)."""

    depth: int
    ratio: Fraction
    s: Fraction
    f: Fraction
    target: Fraction

    @property
    def parameters(self) -> dict:
        return dict(depth=self.depth, ratio=self.ratio, s=self.s, f=self.f, target=self.target)
