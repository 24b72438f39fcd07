"""The performance correlation μ_Y(F; L) of discrete joint distributions: exact (mpmath), plug-in (NumPy), and
the exact expectation of the plug-in estimator (``docs/claims/increasing-complexity.md`` §1). Bits throughout.

A joint distribution is an array indexed [f, l, y] (any alphabet sizes): exact ones hold Fractions, float ones
probabilities or counts. The plug-in estimator evaluates the stated entropy form (``theory.information``) on
empirical frequencies; the exact value is computed from the definitions I(F; Y) − I(F; Y | L), independently.

E μ̂ for N samples is exact and needs no simulation: each of the seven plug-in entropies is a sum over the cells
of its table, and a cell's count is Binomial(N, q) whatever the other cells do, so
E[(n/N) log(n/N)] = Σ_n Binom(n; N, q)(n/N) log(n/N) and E μ̂ is a finite sum.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp
from scipy import stats

from theory import information as theory

from . import arguments
from .arguments import ParameterError

def exact_joint(weights) -> np.ndarray:
    """A joint pmf of Fractions from nonnegative integer weights (an array of shape |F| × |L| × |Y|)."""
    array = np.asarray(weights, dtype=object)
    if array.ndim != 3 or min(array.shape) < 1:
        raise ParameterError("weights", weights, "a 3-d array indexed [f, l, y]")
    values = [arguments.integer("weights", w, 0, 10**9) for w in array.ravel()]
    total = sum(values)
    if total == 0:
        raise ParameterError("weights", weights, "not all zero")
    return np.array([Fraction(v, total) for v in values], dtype=object).reshape(array.shape)


def _table(joint, keep: tuple):
    """The marginal over the axes in ``keep`` (in order), summing out the others."""
    drop = tuple(axis for axis in range(3) if axis not in keep)
    return np.sum(joint, axis=drop) if drop else joint


def _mpf(value) -> mp.mpf:
    return mp.mpf(value.numerator) / value.denominator


def _xlog2(value, base):
    return value * mp.log(value / base) / mp.log(2)


def mutual_information(joint, first: int, second: int, *, dps=50):
    """I(X_first; X_second) from its definition, exact pmf in, mpmath out (bits)."""
    digits = arguments.dps(dps)
    pair = _table(joint, tuple(sorted((first, second))))
    if first > second:
        pair = pair.T
    one, two = pair.sum(axis=1), pair.sum(axis=0)
    with mp.workdps(digits + 10):
        total = sum((_xlog2(_mpf(v), _mpf(one[u]) * _mpf(two[w])) for (u, w), v in np.ndenumerate(pair) if v),
                    mp.mpf(0))
    return total


def conditional_mutual_information(joint, first: int, second: int, given: int, *, dps=50):
    """I(X_first; X_second | X_given) from its definition (bits)."""
    digits = arguments.dps(dps)
    order = (first, second, given)
    triple = np.transpose(joint, order)
    left, right, condition = triple.sum(axis=1), triple.sum(axis=0), triple.sum(axis=(0, 1))
    with mp.workdps(digits + 10):
        total = sum((_mpf(v) * mp.log(_mpf(v) * _mpf(condition[g]) / (_mpf(left[u, g]) * _mpf(right[w, g])))
                     for (u, w, g), v in np.ndenumerate(triple) if v), mp.mpf(0)) / mp.log(2)
    return total


def performance_correlation(joint, *, dps=50):
    """μ_Y(F; L) = I(F; Y) − I(F; Y | L) from the definitions (exact pmf, bits)."""
    return mutual_information(joint, 0, 2, dps=dps) - conditional_mutual_information(joint, 0, 2, 1, dps=dps)


def interaction(joint, *, dps=50):
    """μ from the stated entropy form, exact pmf in, mpmath out."""
    digits = arguments.dps(dps)
    with mp.workdps(digits + 10):
        total = mp.mpf(0)
        for sign, keep in theory.entropy_terms():
            total += sign * sum((-_xlog2(_mpf(v), 1) for v in np.ravel(_table(joint, keep)) if v), mp.mpf(0))
    return total


def plug_in(counts) -> np.ndarray:
    """μ̂ from counts (or probabilities) of shape (..., |F|, |L|, |Y|): the stated entropy form on the empirical
    frequencies, vectorised over the leading axes (bits)."""
    array = np.asarray(counts, dtype=np.float64)
    if array.ndim < 3 or not np.isfinite(array).all() or (array < 0).any():
        raise ParameterError("counts", "array", "finite, >= 0, with the last three axes [f, l, y]")
    totals = array.sum(axis=(-3, -2, -1), keepdims=True)
    if (totals <= 0).any():
        raise ParameterError("counts", "array", "a positive total in every table")
    frequencies = array / totals
    result = np.zeros(array.shape[:-3])
    for sign, keep in theory.entropy_terms():
        drop = tuple(axis - 3 for axis in range(3) if axis not in keep)
        table = frequencies.sum(axis=drop) if drop else frequencies
        axes = tuple(range(-len(keep), 0))
        safe = np.where(table > 0, table, 1.0)
        result += sign * -np.sum(np.where(table > 0, table * np.log2(safe), 0.0), axis=axes)
    return result


def plug_in_rounding(joint) -> float:
    """First-order rounding bound on ``plug_in`` of a float pmf: each term q log2 q is within
    4u(1 + |log2 q|)·q of its exact value, summed over the seven tables' cells."""
    probabilities = np.asarray(joint, dtype=np.float64)
    bound = 0.0
    for _, keep in theory.entropy_terms():
        table = np.ravel(_table(probabilities, keep))
        table = table[table > 0]
        bound += float(np.sum(4 * 2.0**-53 * table * (1 + np.abs(np.log2(table)))))
    return bound


def expected_plug_in(joint, *, samples) -> float:
    """E μ̂ over N = ``samples`` draws, exactly (binomial sums for every cell of every table; float64)."""
    n = arguments.integer("samples", samples, 1, 10**6)
    probabilities = np.asarray(joint, dtype=np.float64)
    counts = np.arange(n + 1)
    shares = counts / n
    weights = np.where(counts > 0, shares * np.log2(np.where(counts > 0, shares, 1.0)), 0.0)
    total = 0.0
    for sign, keep in theory.entropy_terms():
        for q in np.ravel(_table(probabilities, keep)):
            if q > 0:
                total += sign * -float(np.dot(stats.binom.pmf(counts, n, q), weights))
    return total


def bias_expansion(joint, *, samples) -> tuple[float, float]:
    """The stated expansion of E μ̂ − μ (two orders in 1/N, bits) and the size of the next order,
    Σ_T |S_T − S₂_T|/(12N³ ln 2) (``theory.information.third_order``), for an exact or float pmf."""
    n = arguments.integer("samples", samples, 1, 10**6)
    probabilities = np.asarray(joint, dtype=np.float64)
    counts, inverses, signs, third = [], [], [], 0.0
    for sign, keep in theory.entropy_terms():
        table = np.ravel(_table(probabilities, keep))
        table = table[table > 0]
        counts.append(len(table))
        inverses.append(sp.Float(float(np.sum(1 / table)), 30))
        signs.append(sign)
        third += abs(float(theory.third_order(np.sum(1 / table), np.sum(1 / table**2)))) / (n**3 * math.log(2))
    stated = float(theory.plug_in_bias(counts, inverses, signs, sp.Integer(n)))
    return stated, third


def samples_for(joint, *, per_cell=20) -> int:
    """The smallest N with N·q ≥ ``per_cell`` for every cell of positive probability (the expansion in 1/N
    then has exponentially small corrections from empty cells: P(n = 0) = (1 − q)^N ≤ e^{−per_cell}). In exact
    arithmetic: an exact pmf's Fractions as they are, a float pmf at its binary value (a float64 quotient can
    round N·q = per_cell up and return one more than the smallest N)."""
    probabilities = np.asarray(joint)
    cells = [arguments.exact("joint", value) for value in probabilities.flat]  # NaN and inf refused here
    positive = [cell for cell in cells if cell > 0]
    if not positive or min(cells) < 0:
        raise ParameterError("joint", probabilities.tolist(), "a pmf: cells ≥ 0, at least one of them positive")
    return math.ceil(Fraction(per_cell) / min(positive))


def plug_in_information(counts) -> np.ndarray:
    """Plug-in I(A; B) in bits from counts of shape (..., |A|, |B|), vectorised over the leading axes."""
    array = np.asarray(counts, dtype=np.float64)
    if array.ndim < 2 or not np.isfinite(array).all() or (array < 0).any():
        raise ParameterError("counts", "array", "finite, >= 0, with the last two axes [a, b]")
    frequencies = array / array.sum(axis=(-2, -1), keepdims=True)
    product = frequencies.sum(axis=-1, keepdims=True) * frequencies.sum(axis=-2, keepdims=True)
    positive = frequencies > 0
    ratio = np.where(positive, frequencies, 1.0) / np.where(positive, product, 1.0)
    return np.sum(np.where(positive, frequencies * np.log2(ratio), 0.0), axis=(-2, -1))


def sign_counts(first, second, third) -> np.ndarray:
    """Counts of (first, second, third) ∈ {−1, +1}³ over the last axis of three equally shaped arrays: shape
    (..., 2, 2, 2), index 0 for −1 and 1 for +1."""
    a, b, c = ((np.asarray(v) > 0).astype(np.int64) for v in (first, second, third))
    code = 4 * a + 2 * b + c
    out = np.zeros(code.shape[:-1] + (8,), dtype=np.int64)
    for value in range(8):
        out[..., value] = np.sum(code == value, axis=-1)
    return out.reshape(code.shape[:-1] + (2, 2, 2))
