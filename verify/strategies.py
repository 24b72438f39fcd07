"""Hypothesis strategies for the claims' parameter domains (public: use them in your own tests).

Strategies *construct* valid, affordable cases instead of filtering: every drawn value is inside the
domain by construction, and every case fits the run's step budget. Values are exact decimals with few
significant digits, so shrunk counterexamples read well.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

from hypothesis import strategies as st
from scipy import optimize

from numerics import gd, toy
from theory import theorem1

from .cases import SeparationCase, ToyCase, round_down

# Targets: quarter-integers in [1, 4]; a spread of at most 4 keeps the slowest coordinate within reach
# of a step size that is stable for the fastest one.
TARGETS = tuple(Fraction(k, 4) for k in range(4, 17))
# Step size as a fraction of the monotone limit 1/(N σ*_max^{2−2/N}): at most 1/8 keeps the O(η²)
# remainder of GD below ~1/8 of its O(η) gap to the flow.
STEP_DIVISORS = (8, 16, 32, 64)
# The slowest coordinate is followed until it reaches this fraction of its target.
HORIZON = Fraction(99, 100)


# Depths of the toy-model cases: every depth the symbolic checks cover, and deeper ones up to the numerics'
# limit (numerics.arguments.MAX_DEPTH), which the trainer's own limit may skip.
TOY_DEPTHS = (*range(1, 9), 9, 12, 16, 32, 64, 128, 1000)
# The init ranges up to this fraction of the smallest target (the closed forms hold on 0 < σ_0 < σ*).
INIT_CEILING = Fraction(9, 10)
# The most targets (coordinates) a toy-model case has.
TOY_MAX_TARGETS = 3


@st.composite
def toy_cases(draw, *, depths=TOY_DEPTHS, max_targets=TOY_MAX_TARGETS, step_budget=2000, max_tail=30) -> ToyCase:
    """Toy-model cases whose gradient descent needs at most ``step_budget`` steps at the drawn step size
    (the order check also runs at half the step, with twice the steps); init anywhere up to
    ``INIT_CEILING`` of the smallest target, levels up to 10^-``max_tail`` (relative) below the target."""
    depth = draw(st.sampled_from(tuple(depths)))
    count = draw(st.integers(1, max_targets))
    targets = tuple(sorted(draw(st.lists(st.sampled_from(TARGETS), min_size=count, max_size=count, unique=True)),
                           reverse=True))
    slowest, ceiling = targets[-1], targets[-1] * INIT_CEILING
    limit = gd.monotone_step_limit(depth=depth, target=targets[0])
    steps_for = {d: steps_to_horizon(depth, slowest, ceiling, round_down(limit / d)) for d in STEP_DIVISORS}
    affordable = [d for d in STEP_DIVISORS if steps_for[d] <= step_budget] or [STEP_DIVISORS[0]]
    step = round_down(limit / draw(st.sampled_from(affordable)))
    init = log_uniform(draw, smallest_init(depth, slowest, step, step_budget, ceiling), ceiling)
    steps = steps_to_horizon(depth, slowest, init, step)
    probe = Fraction(draw(st.integers(1, 999)), 1000)
    tail = draw(st.integers(1, max_tail))
    return ToyCase(depth, targets, init, step, steps, probe, tail)


def log_uniform(draw, low: Fraction, high: Fraction) -> Fraction:
    """Draw a value in [low, high], log-uniform, two significant digits: log10 of it in hundredths, as
    integers spread evenly over the range (floats would favour its ends)."""
    start = math.ceil(100 * math.log10(low))
    exponent = draw(st.integers(start, max(start, math.floor(100 * math.log10(high))))) / 100
    return min(max(pow10(exponent), low), high)


def steps_to_horizon(depth: int, target: Fraction, init: Fraction, step: Fraction) -> int:
    """GD steps of size ``step`` for the flow from ``init`` to reach ``HORIZON`` of ``target``."""
    horizon = _horizon(depth, target, init, theorem1.statement_version())
    return max(1, math.ceil(horizon / float(step)))


@functools.lru_cache(maxsize=4096)
def _horizon(depth, target, init, version) -> float:
    """The flow's time to the horizon (``version``: the stated closed forms it was computed from). Cached: a case
    asks for it at several step sizes and inits, and a search asks again for the same grid points."""
    return float(toy.time_to(HORIZON * target, depth=depth, target=target, init=init, dps=15))


SMALLEST_INIT, SMALLEST_EXPONENT = Fraction(1, 10**300), -300.0


def smallest_init(depth, target, step, budget, ceiling) -> Fraction:
    """The smallest init (two significant digits, ≥ 1e-300) whose run fits the budget; the time to the horizon
    decreases as init grows.

    A search over the grid of two-digit values (grid index i: (10 + i mod 90)/10 · 10^(i div 90)) from 1e-300 up
    to the ceiling's grid value, which is the answer also when no smaller value fits. A float64 estimate of the
    threshold (``toy.float_time_to``) only says where to start: every decision is ``steps_to_horizon``'s, and the
    answer is a grid value that fits next to one that does not, so it is the one a bisection on log10(init) over
    those decisions finds.
    """
    if steps_to_horizon(depth, target, SMALLEST_INIT, step) <= budget:
        return SMALLEST_INIT
    bottom, top = _grid_index(SMALLEST_EXPONENT), _grid_index(math.log10(ceiling))

    def fits(index):  # the top counts as fitting: it is the answer when nothing below it fits
        return index >= top or steps_to_horizon(depth, target, _grid_value(index), step) <= budget

    first_fit = _first_true(fits, bottom, top, _estimate(depth, target, step, budget, ceiling))
    return min(_round_up(_grid_value(first_fit)), ceiling)


def _estimate(depth, target, step, budget, ceiling) -> int:
    """Grid index near the init whose float64 time to the horizon is ``budget`` steps (only where the search
    starts: a stated form that float64 cannot evaluate, e.g. a corrupted one, starts it at the top)."""
    level, allowed = float(HORIZON * target), budget * float(step)

    def excess(exponent):  # decreasing in the exponent of init
        try:
            return toy.float_time_to(level, depth=depth, target=float(target), init=10.0**exponent) - allowed
        except (ArithmeticError, ValueError):
            return math.nan

    low, high = SMALLEST_EXPONENT, math.log10(ceiling)
    if not excess(high) < 0:  # nothing fits below the ceiling (or no finite estimate): start at the top
        return _grid_index(high)
    if not 0 < excess(low) < math.inf:
        return _grid_index(low)
    try:
        return _grid_index(optimize.brentq(excess, low, high, xtol=1e-6))
    except (RuntimeError, ValueError):  # brentq met a value float64 could not evaluate
        return _grid_index(high)


def _first_true(predicate, false_at: int, true_at: int, start: int) -> int:
    """The smallest index in (false_at, true_at] where a monotone ``predicate`` holds (it holds at true_at),
    galloping from ``start`` and then bisecting: a few evaluations when ``start`` is close."""
    start = min(max(start, false_at + 1), true_at)
    low, high, stride = false_at, true_at, 1
    if predicate(start):
        high = start
        while high - stride > low and predicate(high - stride):
            high, stride = high - stride, 2 * stride
        low = max(low, high - stride)
    else:
        low = start
        while low + stride < high and not predicate(low + stride):
            low, stride = low + stride, 2 * stride
        high = min(high, low + stride)
    while high - low > 1:
        middle = (low + high) // 2
        if predicate(middle):
            high = middle
        else:
            low = middle
    return high


def _grid_index(exponent: float) -> int:
    """Grid index of ``pow10(exponent)``: 90 two-digit mantissas per decade."""
    whole = math.floor(exponent)
    return 90 * whole + round(10 * round(10 ** (exponent - whole), 1)) - 10


def _grid_value(index: int) -> Fraction:
    whole, mantissa = divmod(index, 90)
    return Fraction(10 + mantissa, 10) * Fraction(10) ** whole


def pow10(exponent: float) -> Fraction:
    """10^exponent rounded to two significant digits, as an exact decimal."""
    whole = math.floor(exponent)
    mantissa = round(10 ** (exponent - whole), 1)
    return Fraction(str(mantissa)) * Fraction(10) ** whole


def _round_up(value: Fraction) -> Fraction:
    exponent = math.floor(math.log10(float(value))) - 1
    return Fraction(math.ceil(float(value) / 10.0**exponent)) * Fraction(10) ** exponent


# Definition 1's thresholds: s "not yet learned", f "learned" (docs/claims/thm2.md).
S_VALUES = tuple(Fraction(k, 100) for k in range(1, 26))
F_VALUES = tuple(Fraction(k, 100) for k in range(75, 100))
PAIR_TARGETS = (Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(2))


@st.composite
def separation_cases(draw, *, depths=range(1, 9), ratio_decades=(-2.0, 1.0)) -> SeparationCase:
    """Pairs for Theorem 2: r − 1 log-uniform over ``ratio_decades`` (two significant digits), s ≤ 1/4,
    f ≥ 3/4, the smaller target in [1/2, 2]."""
    depth = draw(st.sampled_from(tuple(depths)))
    exponent = draw(st.integers(round(100 * ratio_decades[0]), round(100 * ratio_decades[1]))) / 100
    ratio = 1 + pow10(exponent)
    return SeparationCase(depth, ratio, draw(st.sampled_from(S_VALUES)), draw(st.sampled_from(F_VALUES)),
                          draw(st.sampled_from(PAIR_TARGETS)))
