"""Exact arithmetic in the cyclotomic field Q(ζ), ζ = e^{2πi/M}, for zero tests of trigonometric identities.

An expression built from a variable v, rationals, +, ×, integer powers, cos(kθ) and sin(kθ) with
θ = 2π/N is a rational function of v with coefficients in Q(ζ_{4N}) (cos kθ = (ζ^{4k} + ζ^{-4k})/2,
sin kθ = (ζ^{4k} − ζ^{-4k})/(2i), i = ζ^N). If its numerator has degree ≤ D in v and it vanishes at D + 1
points where it is defined, it is identically zero. Evaluating at rational points in exact field
arithmetic (elements are coefficient vectors modulo the cyclotomic polynomial Φ_M) is fast where
SymPy's ``simplify`` or ``together`` stall on the same identity.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp


class _Field:
    """Q(ζ_M) as Q[x]/Φ_M(x); elements are tuples of Fractions of length deg Φ_M."""

    def __init__(self, m: int):
        x = sp.Symbol("x")
        self.modulus = [Fraction(int(c)) for c in reversed(sp.Poly(sp.cyclotomic_poly(m, x), x).all_coeffs())]
        self.degree = len(self.modulus) - 1
        self.m = m

    def reduce(self, coefficients: list) -> tuple:
        coefficients = list(coefficients)
        for power in range(len(coefficients) - 1, self.degree - 1, -1):
            lead = coefficients[power]
            if lead:
                for offset, c in enumerate(self.modulus):
                    coefficients[power - self.degree + offset] -= lead * c
        coefficients = coefficients[: self.degree] + [Fraction(0)] * (self.degree - len(coefficients))
        return tuple(coefficients)

    def constant(self, value) -> tuple:
        return self.reduce([Fraction(value)])

    def zeta(self, power: int) -> tuple:
        coefficients = [Fraction(0)] * (power % self.m + 1)
        coefficients[power % self.m] = Fraction(1)
        return self.reduce(coefficients)

    def add(self, a, b):
        return tuple(x + y for x, y in zip(a, b))

    def mul(self, a, b):
        product = [Fraction(0)] * (2 * self.degree)
        for i, x in enumerate(a):
            if x:
                for j, y in enumerate(b):
                    product[i + j] += x * y
        return self.reduce(product)

    def inverse(self, a):
        """Extended Euclid in Q[x]: s·a + t·Φ = 1; raises ZeroDivisionError for 0."""
        if not any(a):
            raise ZeroDivisionError
        r0, r1 = _trim(list(self.modulus)), _trim(list(a))
        s0, s1 = [Fraction(0)], [Fraction(1)]
        while len(r1) > 1 or r1[0] == 0:
            quotient, remainder = _divmod(r0, r1)
            r0, r1 = r1, remainder
            s0, s1 = s1, _trim(_sub(s0, _mul(quotient, s1)))
        return self.reduce([c / r1[0] for c in s1])

    def power(self, a, exponent: int):
        if exponent < 0:
            return self.power(self.inverse(a), -exponent)
        result = self.constant(1)
        while exponent:
            if exponent & 1:
                result = self.mul(result, a)
            a = self.mul(a, a)
            exponent >>= 1
        return result


def _trim(p):
    while len(p) > 1 and p[-1] == 0:
        p.pop()
    return p


def _sub(a, b):
    size = max(len(a), len(b))
    return [(a[i] if i < len(a) else 0) - (b[i] if i < len(b) else 0) for i in range(size)]


def _mul(a, b):
    product = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            product[i + j] += x * y
    return product


def _divmod(a, b):
    a = list(a)
    quotient = [Fraction(0)] * max(1, len(a) - len(b) + 1)
    while len(_trim(a)) >= len(b) and any(a):
        shift = len(a) - len(b)
        factor = a[-1] / b[-1]
        quotient[shift] = factor
        for i, c in enumerate(b):
            a[shift + i] -= factor * c
        a.pop()
    return quotient, _trim(a or [Fraction(0)])


def vanishes(expression, variable: sp.Symbol, theta: sp.Symbol, n: int) -> bool:
    """True iff ``expression`` (rational in ``variable``, cos/sin of integer multiples of θ = 2π/n) is 0."""
    field = _Field(4 * n)
    bound = _degree_bound(expression, variable)[0]
    zeros, q = 0, 2
    while zeros <= bound:
        point = Fraction(q - 1, q)  # distinct points in (0, 1), away from the poles at 0 and 1
        q += 1
        try:
            value = _evaluate(expression, field, variable, theta, n, point)
        except ZeroDivisionError:
            continue
        if any(value):
            return False
        zeros += 1
    return True


def _evaluate(expression, field: _Field, variable, theta, n, point):
    if expression == variable:
        return field.constant(point)
    if expression.is_Rational:
        return field.constant(Fraction(int(expression.p), int(expression.q)))
    if isinstance(expression, (sp.cos, sp.sin)):
        k = sp.simplify(expression.args[0] / theta)
        if not k.is_Integer:
            raise ValueError(f"{expression} is not a trigonometric function of an integer multiple of θ")
        up, down = field.zeta(4 * int(k)), field.zeta(-4 * int(k))
        half = field.constant(Fraction(1, 2))
        if isinstance(expression, sp.cos):
            return field.mul(field.add(up, down), half)
        minus_i = field.zeta(3 * n)  # 1/i = −i = ζ^{3N}
        return field.mul(field.mul(field.add(up, field.mul(field.constant(-1), down)), half), minus_i)
    parts = [_evaluate(arg, field, variable, theta, n, point) for arg in expression.args] if expression.args else []
    if expression.is_Add:
        total = parts[0]
        for part in parts[1:]:
            total = field.add(total, part)
        return total
    if expression.is_Mul:
        total = parts[0]
        for part in parts[1:]:
            total = field.mul(total, part)
        return total
    if expression.is_Pow and expression.exp.is_Integer:
        return field.power(parts[0], int(expression.exp))
    raise ValueError(f"cannot evaluate {expression} exactly in a cyclotomic field")


def _degree_bound(expression, variable) -> tuple[int, int]:
    """(numerator, denominator) degree bounds in ``variable`` of ``expression`` as one fraction."""
    if expression == variable:
        return 1, 0
    if not expression.has(variable):
        return 0, 0
    parts = [_degree_bound(arg, variable) for arg in expression.args]
    if expression.is_Add:
        numerator, denominator = parts[0]
        for top, bottom in parts[1:]:
            numerator, denominator = max(numerator + bottom, top + denominator), denominator + bottom
        return numerator, denominator
    if expression.is_Mul:
        return sum(p[0] for p in parts), sum(p[1] for p in parts)
    if expression.is_Pow and expression.exp.is_Integer:
        top, bottom = parts[0]
        exponent = int(expression.exp)
        return (top * exponent, bottom * exponent) if exponent >= 0 else (bottom * -exponent, top * -exponent)
    raise ValueError(f"{expression} is not rational in {variable}")
