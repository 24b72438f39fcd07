"""The strategies' smallest affordable init: the grid search gives what a plain bisection on log10(init) gives.

The search starts from a float64 estimate and decides everything with ``steps_to_horizon``; the bisection below is
its specification (the strategies used it until the search replaced it: the drawn cases must stay the same).
"""

import math
from fractions import Fraction

import pytest

from numerics import gd
from verify import strategies
from verify.cases import round_down


def bisection_smallest_init(depth, target, step, budget, ceiling) -> Fraction:
    """60 bisection steps on log10(init) over ``steps_to_horizon`` ≤ budget, rounded up to two digits."""
    if strategies.steps_to_horizon(depth, target, strategies.SMALLEST_INIT, step) <= budget:
        return strategies.SMALLEST_INIT
    low, high = strategies.SMALLEST_EXPONENT, math.log10(ceiling)
    for _ in range(60):
        middle = (low + high) / 2
        if strategies.steps_to_horizon(depth, target, strategies.pow10(middle), step) <= budget:
            high = middle
        else:
            low = middle
    return min(strategies._round_up(strategies.pow10(high)), ceiling)


# (depth, slowest target, largest target, step divisor, budget, ceiling as a fraction of the slowest target):
# plateaus of every length, a budget no init meets (the answer is the ceiling), one every init meets (1e-300),
# ceilings whose two-digit rounding sits on a grid boundary (1.35, 2.25), and depth 1, whose time barely
# depends on a tiny init.
INPUTS = [
    (1, Fraction(1), Fraction(4), 8, 1500, Fraction(9, 10)),
    (1, Fraction(3, 2), Fraction(3, 2), 64, 300, Fraction(9, 10)),
    (2, Fraction(5, 4), Fraction(4), 16, 600, Fraction(9, 10)),
    (3, Fraction(3, 2), Fraction(3), 8, 2000, Fraction(9, 10)),
    (3, Fraction(3, 2), Fraction(3, 2), 8, 600, Fraction(9, 10)),
    (4, Fraction(5, 2), Fraction(5, 2), 32, 20000, Fraction(9, 10)),
    (5, Fraction(5, 2), Fraction(4), 16, 1000, Fraction(9, 10)),
    (8, Fraction(1), Fraction(2), 8, 1500, Fraction(1, 10)),
    (12, Fraction(2), Fraction(4), 64, 5, Fraction(9, 10)),
    (32, Fraction(7, 4), Fraction(7, 4), 8, 10**9, Fraction(9, 10)),
    (1000, Fraction(1), Fraction(3), 8, 1500, Fraction(9, 10)),
]


@pytest.mark.parametrize("depth, slowest, largest, divisor, budget, fraction", INPUTS)
def test_search_finds_what_the_bisection_finds(depth, slowest, largest, divisor, budget, fraction):
    step = round_down(gd.monotone_step_limit(depth=depth, target=largest) / divisor)
    ceiling = slowest * fraction
    assert strategies.smallest_init(depth, slowest, step, budget, ceiling) == bisection_smallest_init(
        depth, slowest, step, budget, ceiling)


def test_grid_index_names_the_two_digit_value_pow10_gives():
    for exponent in (-300.0, -299.99, -17.3, -1.0, -0.0457, 0.1303, math.log10(1.35), math.log10(2.25), 0.999999):
        assert strategies._grid_value(strategies._grid_index(exponent)) == strategies.pow10(exponent)


@pytest.mark.parametrize("threshold", [-5, 0, 1, 7, 500, 999, 1000])
@pytest.mark.parametrize("start", [-10, 3, 400, 2000])
def test_first_true_is_the_threshold_of_a_monotone_predicate(threshold, start):
    asked = []

    def predicate(index):
        asked.append(index)
        return index >= threshold

    assert strategies._first_true(predicate, -1, 1000, start) == max(threshold, 0)
    assert all(-1 < index <= 1000 for index in asked)
