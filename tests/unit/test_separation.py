"""Exact thresholds and bound values of Theorem 2 against independent computations."""

from fractions import Fraction

import mpmath as mp
import pytest

from numerics import integrators, separation
from numerics.arguments import ParameterError
from theory import theorem1, theorem2
from theory.toy import sigma


def condition_root(ratio, s, f, target, dps):
    """Depth 2: σ_j*/a* from the closed-form condition (a − 1)^r = ((1 − s)/s)^r (f/(1 − f))(r a − 1),
    solved in log a by bisection: an independent route that never evaluates a hitting time."""
    with mp.workdps(dps):
        r, s, f = (mp.mpf(x.numerator) / x.denominator for x in map(Fraction, (ratio, s, f)))

        def h(v):
            return r * mp.log(mp.expm1(v)) - r * mp.log((1 - s) / s) - mp.log(f / (1 - f)) - mp.log(r * mp.exp(v) - 1)

        low, high = mp.mpf(10) ** -30, mp.mpf(1)
        while h(high) < 0:
            high *= 2
        for _ in range(4 * dps):
            middle = (low + high) / 2
            low, high = (middle, high) if h(middle) < 0 else (low, middle)
        return mp.mpf(Fraction(target).numerator) / Fraction(target).denominator / mp.exp(high)


@pytest.mark.parametrize("ratio", ["1.02", "1.001", "1.1", "2", "11"])
@pytest.mark.parametrize("s, f", [("0.1", "0.9"), ("0.01", "0.99"), ("0.25", "0.75")])
def test_depth_two_threshold_matches_the_closed_form_condition_to_1e_30(ratio, s, f):
    value = separation.max_init(depth=2, ratio=ratio, s=s, f=f, target="1.5", dps=50)
    reference = condition_root(ratio, s, f, "1.5", 120)
    with mp.workdps(60):
        assert abs(value / reference - 1) < mp.mpf(10) ** -40


def test_threshold_far_below_float_range():
    """r − 1 = 0.001: the depth-2 threshold is about 1e-1900."""
    value = separation.max_init(depth=2, ratio="1.001", s="0.1", f="0.9", dps=40)
    assert mp.log10(value) < -1800
    reference = condition_root("1.001", "0.1", "0.9", 1, 100)
    with mp.workdps(50):
        assert abs(value / reference - 1) < mp.mpf(10) ** -30


@pytest.mark.parametrize("depth", [3, 4, 6, 8])
def test_deep_threshold_is_where_quadrature_hitting_times_cross(depth):
    value = separation.max_init(depth=depth, ratio="1.05", s="0.2", f="0.8", target=2, dps=40)
    for sign in (-1, 1):
        with mp.workdps(60):
            init = value * (1 + sign * mp.mpf(10) ** -25)
        slow = integrators.quad_time_to(Fraction(2, 5), depth=depth, target=2, init=init, dps=40)
        fast = integrators.quad_time_to(Fraction(42, 25), depth=depth, target=Fraction(21, 10), init=init, dps=40)
        assert (slow - fast) * sign < 0  # incremental just below, not just above


def test_gap_is_decreasing_and_threshold_separates_signs():
    value = separation.max_init(depth=3, ratio=2, s="0.1", f="0.9", dps=30)
    with mp.workdps(40):
        below, above = value * (1 - mp.mpf(10) ** -20), value * (1 + mp.mpf(10) ** -20)
    assert separation.is_incremental(below, depth=3, ratio=2, s="0.1", f="0.9")
    assert not separation.is_incremental(above, depth=3, ratio=2, s="0.1", f="0.9")
    gaps = [separation.hitting_gap(value * k, depth=3, ratio=2, s="0.1", f="0.9", dps=20) for k in (0.1, 0.5, 1, 2)]
    assert all(a > b for a, b in zip(gaps, gaps[1:]))


def test_depth_one_has_no_threshold():
    assert separation.max_init(depth=1, ratio=3, s="0.1", f="0.9") is None
    assert not separation.is_incremental("1e-200", depth=1, ratio=3, s="0.1", f="0.9")


@pytest.mark.parametrize("depth, name", [(2, "sufficient_2"), (2, "necessary_2"), (3, "sufficient_deep"),
                                         (8, "sufficient_deep")])
def test_stated_bounds_hold_on_a_grid(depth, name):
    for ratio in ("1.05", "1.5", "4"):
        for s, f in (("0.05", "0.95"), ("0.2", "0.8")):
            threshold = separation.max_init(depth=depth, ratio=ratio, s=s, f=f, dps=30)
            value = separation.bound_value(theorem2.bound(name), depth=depth, ratio=ratio, s=s, f=f, dps=30)
            assert (value <= threshold) if name.startswith("sufficient") else (value >= threshold)


@pytest.mark.parametrize("keywords, parameter", [
    (dict(ratio=1), "ratio"), (dict(ratio="0.5"), "ratio"), (dict(s="0.9", f="0.8"), "s"), (dict(s=0), "s"),
    (dict(f=1), "f"), (dict(f="nan"), "f"), (dict(depth=0), "depth"), (dict(target=-1), "target"),
])
def test_bad_parameters(keywords, parameter):
    arguments = {**dict(depth=2, ratio=2, s="0.1", f="0.9"), **keywords}
    with pytest.raises(ParameterError) as raised:
        separation.max_init(**arguments)
    assert raised.value.parameter == parameter


def test_a_gap_that_never_turns_positive_ends_with_an_error_not_an_endless_march():
    """With a wrong closed form (t(σ) times σ for N ≥ 3) no init is incremental: max_init says so."""
    stated = theorem1.STATEMENT["antiderivative"]
    with theorem1.substituted(antiderivative=lambda d: stated(d) * (sigma if d >= 3 else 1)):
        with pytest.raises(separation.NoIncrementalInit, match="stays negative"):
            separation.max_init(depth=3, ratio=2, s="0.1", f="0.9", dps=30)
