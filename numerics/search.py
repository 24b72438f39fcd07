"""The largest value of a function over a box of positive parameters: explicit points, then a local search.

A random sample misses the places where a bound is tightest: they sit at corners and edges of the domain
(a parameter at an extreme) or along narrow ridges. ``maximise`` evaluates the points it is given (the
caller passes ``box_points``, random draws, points of its own), then refines the best ones with SciPy's
L-BFGS-B inside the box, in log coordinates (the parameters span decades). Points are dicts
name → ``Fraction``; the objective returns a finite float: NaN or an infinity raises ArithmeticError
naming the point (a failed evaluation is never passed over).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
from scipy import optimize


def box_points(box: dict) -> list:
    """The corners of ``box`` (name → (low, high), 0 < low < high), the midpoints (geometric) of its edges,
    and its centre: every point with at most one coordinate strictly inside its range."""
    names = list(box)
    middle = {name: _geometric_mean(*box[name]) for name in names}
    points = [dict(zip(names, corner)) for corner in itertools.product(*(box[name] for name in names))]
    for free in names:
        others = [name for name in names if name != free]
        for corner in itertools.product(*(box[name] for name in others)):
            points.append({**dict(zip(others, corner)), free: middle[free]})
    points.append(middle)
    return points


def random_points(box: dict, count: int, rng, digits: int = 2) -> list:
    """``count`` points drawn log-uniformly in ``box`` by the NumPy generator ``rng``, rounded to ``digits``
    significant digits (exact, readable)."""
    return [{name: _rounded(math.exp(rng.uniform(math.log(low), math.log(high))), (low, high), digits)
             for name, (low, high) in box.items()} for _ in range(count)]


def maximise(objective, box: dict, points: list, *, starts: int, evaluations: int, digits: int = 4):
    """(value, point): the largest ``objective`` found over ``points`` and by L-BFGS-B (a budget of
    ``evaluations`` evaluations each, which SciPy checks once per iteration; an evaluation with its
    finite-difference gradient calls ``objective`` once per parameter and once more) from the best ``starts``
    of them. Optimised points are rounded to ``digits`` significant digits (clipped into the box) and
    evaluated again there, so the point returned is exact."""
    names = list(box)
    low = np.array([math.log(box[name][0]) for name in names])
    high = np.array([math.log(box[name][1]) for name in names])

    def evaluate(point: dict) -> float:
        value = float(objective(point))
        if not math.isfinite(value):
            raise ArithmeticError(f"the objective is {value} at {_show(point)}")
        return value

    scored = sorted(((evaluate(point), point) for point in points), key=lambda item: -item[0])
    best = scored[0]
    for _, start in scored[:starts]:
        x0 = np.array([math.log(start[name]) for name in names])
        found = optimize.minimize(lambda u: -evaluate({name: _clipped(Fraction(math.exp(x)), box[name])
                                                       for name, x in zip(names, u)}),
                                  x0, method="L-BFGS-B", bounds=list(zip(low, high)), options={"maxfun": evaluations})
        point = {name: _rounded(math.exp(x), box[name], digits) for name, x in zip(names, found.x)}
        value = evaluate(point)
        if value > best[0]:
            best = (value, point)
    return best


def _show(point: dict) -> str:
    return ", ".join(f"{name}={float(value):.6g}" for name, value in point.items())


def _geometric_mean(low: Fraction, high: Fraction) -> Fraction:
    return _rounded(math.sqrt(low * high), (low, high), 2)


def _rounded(value: float, bounds: tuple, digits: int) -> Fraction:
    exponent = math.floor(math.log10(value)) - digits + 1
    return _clipped(Fraction(round(value / 10.0**exponent)) * Fraction(10) ** exponent, bounds)


def _clipped(value: Fraction, bounds: tuple) -> Fraction:
    return min(max(value, bounds[0]), bounds[1])
