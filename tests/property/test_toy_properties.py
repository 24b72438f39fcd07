"""Property tests of Theorem 1's evaluators over Hypothesis-drawn parameters, extremes included.

Each property has an independent reference: tanh-sinh quadrature (not the 2F1 closed form), the
scaling law of the ODE, the inverse map, or the exact GD replay. ``target`` steers Hypothesis towards
the largest errors so that a precision bug shows as a failure, not as a lucky pass.
"""

from fractions import Fraction

import mpmath as mp
from hypothesis import example, given, target
from hypothesis import strategies as st

from numerics import integrators, toy
from verify.strategies import INIT_CEILING, TOY_DEPTHS, toy_cases

depths = st.integers(1, 12)
targets = st.fractions(min_value=Fraction(1, 100), max_value=100, max_denominator=100)
# init = target·10^-e with e up to 300, and sigma placed as a fraction of the way or 10^-k below the target
decades = st.integers(0, 300)
offsets = st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(999, 1000), max_denominator=1000)
tails = st.integers(1, 35)


def _init(star, decade, mantissa):
    return star * mantissa / 10 ** (decade + 1)


placements = st.sampled_from(["inside", "near-target", "near-init"])


@given(depths, targets, decades, offsets, offsets, tails, placements)
@example(1, Fraction(1), 299, Fraction(1, 2), Fraction(1, 2), 30, "near-target")
@example(3, Fraction(1), 299, Fraction(1, 2), Fraction(1, 2), 30, "near-init")
def test_closed_form_matches_quadrature_to_1e_40(depth, star, decade, mantissa, offset, tail, placement):
    init = _init(star, decade, mantissa)
    sigma = {"inside": init + offset * (star - init), "near-target": star - (star - init) / 10**tail,
             "near-init": init * (1 + Fraction(1, 10**tail))}[placement]
    closed = toy.time_to(sigma, depth=depth, target=star, init=init, dps=50)
    quad = integrators.quad_time_to(sigma, depth=depth, target=star, init=init, dps=60)
    with mp.workdps(80):
        error = float(abs(closed - quad) / quad)
    target(error, label="relative error against quadrature")
    assert error < 1e-40


@given(depths, targets, decades, offsets, offsets)
def test_scaling_law(depth, star, decade, mantissa, offset):
    """T_N(σ; σ0, σ*) = σ*^{−(2−2/N)} T_N(σ/σ*; σ0/σ*, 1): rescaling σ rescales time."""
    init = _init(star, decade, mantissa)
    sigma = init + offset * (star - init)
    direct = toy.time_to(sigma, depth=depth, target=star, init=init, dps=50)
    unit = toy.time_to(sigma / star, depth=depth, target=1, init=init / star, dps=50)
    with mp.workdps(80):
        scaled = unit * (mp.mpf(star.numerator) / star.denominator) ** (-(2 - mp.mpf(2) / depth))
        error = float(abs(direct - scaled) / direct)
    target(error, label="scaling-law error")
    assert error < 1e-40


@given(depths, targets, st.integers(0, 60), offsets, offsets)
def test_sigma_at_inverts_time_to(depth, star, decade, mantissa, offset):
    init = _init(star, decade, mantissa)
    sigma = init + offset * (star - init)
    time = toy.time_to(sigma, depth=depth, target=star, init=init, dps=120)
    back = toy.sigma_at(time, depth=depth, target=star, init=init, dps=40)
    with mp.workdps(60):
        exact = mp.mpf(sigma.numerator) / sigma.denominator
        error = float(abs(back - exact) / exact)
    target(error, label="round-trip error")
    assert error < 1e-35


@given(depths, targets, st.integers(0, 60), offsets, offsets, offsets)
def test_time_increases_with_sigma_and_decreases_with_init(depth, star, decade, mantissa, first, second):
    init = _init(star, decade, mantissa)
    low, high = sorted((init + first * (star - init), init + second * (star - init)))
    # On a plateau of length ~init^{2/N−1} the times differ only in late digits: 100 digits resolve
    # differences down to 1e-60 relative, far beyond what init ≥ 1e-62 needs.
    if low < high:
        assert toy.time_to(low, depth=depth, target=star, init=init, dps=100) < toy.time_to(
            high, depth=depth, target=star, init=init, dps=100)
        assert toy.time_to(high, depth=depth, target=star, init=low, dps=100) < toy.time_to(
            high, depth=depth, target=star, init=init, dps=100)


@given(toy_cases(step_budget=800))
def test_strategy_builds_valid_affordable_cases(case):
    assert case.depth in TOY_DEPTHS and list(case.targets) == sorted(case.targets, reverse=True)
    assert 0 < case.init <= case.targets[-1] * INIT_CEILING
    assert 0 < case.init < min(case.targets)
    assert case.step * case.depth * max(case.targets) ** (2 - Fraction(2, case.depth)) <= 1  # stable, monotone
    assert case.steps <= 800 or case.init == min(case.targets) * INIT_CEILING
    for star in case.targets:
        low, high = case.levels(star)
        assert case.init < low < star and case.init < high < star
