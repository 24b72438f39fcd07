"""Theorem 2's derivations are exact and reject corrupted bounds."""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from numerics import search
from theory import theorem2
from theory.derivation import DerivationError


def test_depth_one_and_two_derivations_are_exact():
    assert theorem2.never_at_depth_one().exact
    assert theorem2.depth_two().exact


@pytest.mark.parametrize("depth", [3, 4, 8])
def test_deep_derivation_is_exact_for_concrete_depths(depth):
    assert theorem2.deep(depth).exact


def test_corrupted_bounds_break_their_derivation():
    K = (1 - theorem2.s) / theorem2.s * (theorem2.f / (1 - theorem2.f)) ** (1 / theorem2.r)
    wrong = {"sufficient_2": lambda: theorem2.sigma_j * (2 * K) ** (-theorem2.r / (theorem2.r - 1)),
             "necessary_2": lambda: theorem2.sigma_j / (1 + K ** (1 / (theorem2.r - 1)))}
    for name, corrupted in wrong.items():
        with theorem2.substituted(**{name: corrupted}):
            with pytest.raises(DerivationError):
                theorem2.depth_two()
    with theorem2.substituted(sufficient_deep=lambda: theorem2._sufficient_deep() * 2):
        with pytest.raises(DerivationError):
            theorem2.deep(4)
    assert sp.srepr(theorem2.bound("sufficient_deep")) == sp.srepr(theorem2._sufficient_deep())


# numerics.search: the worst-case search behind the thm2 claim's bounds (the box's corners, edges and centre,
# log-uniform random draws, then L-BFGS-B in log coordinates from the best of them).

SEARCH_BOX = {"a": (Fraction(1, 100), Fraction(1)), "b": (Fraction(1), Fraction(2))}
WIDE = (Fraction(1, 10**9), Fraction(10**9))  # bounds that clip nothing below


def test_box_points_are_the_corners_first_then_the_edge_midpoints_then_the_centre():
    """By hand: the geometric middles are √(1/100 · 1) = 1/10 and √(1 · 2) = 1.414… rounded to 2 significant
    digits, 7/5. The corners come first (the thm2 claim checks the sign at the first 2^d points, its corners)."""
    a, b = Fraction(1, 10), Fraction(7, 5)
    assert search.box_points(SEARCH_BOX) == [
        {"a": Fraction(1, 100), "b": 1}, {"a": Fraction(1, 100), "b": 2}, {"a": 1, "b": 1}, {"a": 1, "b": 2},
        {"a": a, "b": 1}, {"a": a, "b": 2}, {"a": Fraction(1, 100), "b": b}, {"a": 1, "b": b}, {"a": a, "b": b}]


def test_box_points_in_three_dimensions_have_at_most_one_coordinate_inside_and_all_differ():
    """2^3 corners + 3 · 2^2 edge midpoints + the centre = 21 distinct points, each with every coordinate but at
    most one at an end of its range, the free one at the geometric middle."""
    box = {"x": (Fraction(1), Fraction(100)), "y": (Fraction(1, 4), Fraction(4)), "z": (Fraction(2), Fraction(8))}
    middle = {"x": Fraction(10), "y": Fraction(1), "z": Fraction(4)}  # √100, √1, √16: exact, 2 digits
    points = search.box_points(box)
    assert len(points) == 21 and len({tuple(sorted(p.items())) for p in points}) == 21
    for index, point in enumerate(points):
        assert set(point) == set(box)
        inside = [name for name in box if point[name] not in box[name]]
        assert all(point[name] == middle[name] for name in inside)
        assert len(inside) == (0 if index < 8 else 1 if index < 20 else 3)


@pytest.mark.parametrize("value, digits, expected", [
    (1234.5, 2, Fraction(1200)), (1234.5, 3, Fraction(1230)), (0.0012345, 3, Fraction(123, 100000)),
    (987.6, 1, Fraction(1000)), (5.0, 4, Fraction(5)), (3.14159, 4, Fraction(3142, 1000))])
def test_values_are_rounded_to_significant_digits(value, digits, expected):
    """Rounded by hand (no value here is within 10^-12 of a rounding tie)."""
    assert search._rounded(value, WIDE, digits) == expected


def test_rounded_values_and_points_are_clipped_into_their_range():
    """999.9 rounds to 1000, above (1, 10); 0.5 is below it: both are moved to the nearest end."""
    assert search._rounded(999.9, (Fraction(1), Fraction(10)), 2) == 10
    assert search._rounded(0.5, (Fraction(1), Fraction(10)), 2) == 1
    assert [search._clipped(Fraction(x), (Fraction(1), Fraction(10))) for x in (0, 5, 20)] == [1, 5, 10]


def test_random_points_are_log_uniform_draws_rounded_to_two_significant_digits():
    """The same generator drawn by hand, in the documented order (point by point, parameter by parameter): u
    uniform on [log low, log high), e^u rounded to 2 significant digits through its decimal string (a rounding
    tie has probability 0); these box ends have 2 digits, so nothing is clipped."""
    box = {"a": (Fraction(1, 1000), Fraction(10)), "b": (Fraction(2), Fraction(3))}
    rng = np.random.default_rng(7)
    expected = [{name: Fraction(f"{math.exp(rng.uniform(math.log(low), math.log(high))):.1e}")
                 for name, (low, high) in box.items()} for _ in range(50)]
    assert search.random_points(box, 50, np.random.default_rng(7)) == expected
    assert search.random_points(box, 0, np.random.default_rng(7)) == []


def _log_bowl(point):
    """Largest (0) at a = 1.2349, b = 3.4567, a paraboloid in log coordinates."""
    return -math.log(point["a"] / 1.2349) ** 2 - math.log(point["b"] / 3.4567) ** 2


def test_maximise_refines_to_the_interior_maximum_rounded_to_four_digits():
    """No explicit point is near the maximum; L-BFGS-B (projected gradient below 10^-5, so |log a − log a*| ≲
    10^-5) reaches it far inside the rounding cells of 4 significant digits (1.2345..1.2355, 3.4565..3.4575):
    the point returned is exactly (1.235, 3.457), and its value is the objective's there."""
    box = {"a": (Fraction(1, 10), Fraction(10)), "b": (Fraction(1, 10), Fraction(10))}
    value, point = search.maximise(_log_bowl, box, search.box_points(box), starts=1, evaluations=40)
    assert point == {"a": Fraction(1235, 1000), "b": Fraction(3457, 1000)}
    assert value == -math.log(1.235 / 1.2349) ** 2 - math.log(3.457 / 3.4567) ** 2


def test_without_starts_the_best_explicit_point_is_returned_as_given():
    """starts = 0: no local search; the largest of the points (the third of four), not the first or second."""
    box = {"a": (Fraction(1, 10), Fraction(10)), "b": (Fraction(1, 10), Fraction(10))}
    points = [{"a": Fraction(1, 10), "b": Fraction(1, 10)}, {"a": Fraction(1), "b": Fraction(1)},
              {"a": Fraction(1), "b": Fraction(3)}, {"a": Fraction(10), "b": Fraction(10)}]
    assert search.maximise(_log_bowl, box, points, starts=0, evaluations=40) == (_log_bowl(points[2]), points[2])


def test_a_tie_keeps_the_explicit_point_not_its_rounded_refinement():
    """A flat objective: every point ties, L-BFGS-B stops where it starts, and the refined point (rounded to 4
    digits, 1.235) is no better than the explicit 1.23456, which is kept as given (only a strictly larger
    value replaces it)."""
    box = {"a": (Fraction(1, 10), Fraction(10))}
    start = {"a": Fraction(123456, 100000)}
    assert search.maximise(lambda point: 1.0, box, [start, {"a": Fraction(2)}], starts=2, evaluations=10) == (
        1.0, start)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_failed_evaluation_raises_naming_the_point(bad):
    """NaN or an infinity is never passed over: ArithmeticError naming the point, 6 significant digits each."""
    box = {"a": (Fraction(1, 10), Fraction(10)), "b": (Fraction(1, 10), Fraction(10))}
    points = [{"a": Fraction(1), "b": Fraction(1)}, {"a": Fraction(1, 3), "b": Fraction(2)}]
    with pytest.raises(ArithmeticError) as raised:
        search.maximise(lambda p: bad if p["b"] == 2 else 0.0, box, points, starts=1, evaluations=10)
    assert str(raised.value) == f"the objective is {bad} at a=0.333333, b=2"


def _counted_rosenbrock(calls):
    def objective(point):
        calls.append(point)
        u, v = math.log(point["a"]), math.log(point["b"])
        return -(100 * (v - u * u) ** 2 + (1 - u) ** 2)
    return objective


def test_the_evaluation_budget_bounds_each_local_search():
    """Rosenbrock's valley in log coordinates, largest (0) at a = b = e. With a large budget L-BFGS-B follows
    the valley to (2.718, 2.718) (e to 4 digits). With a budget of 1 it stops after its first iteration
    (SciPy checks the budget once per iteration): at most 1 + 20 (SciPy's maxls) evaluations, each
    n + 1 = 3 objective calls (forward-difference gradient), and the refined point evaluated once more;
    the search to convergence needs more calls than that."""
    box = {"a": (Fraction(1, 10), Fraction(10)), "b": (Fraction(1, 10), Fraction(10))}
    points = search.box_points(box)
    calls = []
    _, point = search.maximise(_counted_rosenbrock(calls), box, points, starts=1, evaluations=1000)
    assert point == {"a": Fraction(2718, 1000), "b": Fraction(2718, 1000)}
    converged = len(calls) - len(points)
    calls.clear()
    search.maximise(_counted_rosenbrock(calls), box, points, starts=1, evaluations=1)
    assert len(calls) - len(points) <= (1 + 20) * 3 + 1 < converged
