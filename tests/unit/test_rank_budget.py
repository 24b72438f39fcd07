"""Per-mode predictions of rank-budget against independent closed forms and the exactly replayed GD map
(docs/claims/low-rank-simplicity.md §4)."""

import math
from fractions import Fraction

import numpy as np
import pytest

from numerics import gd, rank_budget, sensing_data
from verify.training import sensing


@pytest.mark.parametrize("target", [Fraction(1), Fraction(1, 8)])
def test_hitting_times_match_the_scaled_closed_forms(target):
    """N = 1: ln((1 − a)/(1 − f)); N = 2: ln(f(1 − a)/((1 − f)a))/(2s*), a = σ_0/s* (theory/rank_budget.py)."""
    init, f = Fraction(1, 1000), Fraction(9, 10)
    a = float(init / target)
    assert rank_budget.hitting_time(depth=1, target=target, init=init, fraction=f) == pytest.approx(
        math.log((1 - a) / (1 - float(f))), rel=1e-12)
    assert rank_budget.hitting_time(depth=2, target=target, init=init, fraction=f) == pytest.approx(
        math.log(float(f) * (1 - a) / ((1 - float(f)) * a)) / (2 * float(target)), rel=1e-12)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_lag_corrected_flow_predicts_the_replayed_gd_crossing(depth):
    """The exact GD map (mpmath) crosses 0.9 s* at the first k with ηk ≥ t + δ, within η + |δ|."""
    target, init, step, f = Fraction(1, 2), Fraction(1, 1000), Fraction(1, 4 * depth), Fraction(9, 10)
    time = rank_budget.hitting_time(depth=depth, target=target, init=init, fraction=f)
    lag = rank_budget.gd_lag(depth=depth, target=target, init=init, fraction=f, step=step)
    guess = math.ceil((time + lag) / float(step))
    marks = list(range(max(0, guess - 20), guess + 21))
    replay = gd.replay(marks, depth=depth, target=target, init=init, step=step, dps=30)
    crossed = next(k for k, s in zip(marks, replay.sigma) if float(s) >= float(f * target))
    assert abs(float(step) * crossed - (time + lag)) <= float(step) + abs(lag)


def test_aligned_deep_network_follows_the_gd_map_per_mode():
    """Balanced aligned factors on diagonal measurements: each singular value is the scalar GD map's σ."""
    targets, init, step = (1.0, 0.25), Fraction(1, 100), Fraction(1, 8)
    experiment = sensing.Experiment(sensing_data.balanced_factors(depth=2, init=init, size=2), np.diag(targets), 0,
                                    step, (40,))
    runs = sensing.train([experiment], [sensing_data.aligned_measurements(2)], top=2, device="cpu")
    for value, target in zip(runs.singular[0, 0], targets):
        replay = gd.replay([40], depth=2, target=Fraction(target), init=init, step=step, dps=30)
        assert value == pytest.approx(float(replay.sigma[0]), rel=1e-12)


def test_geometric_targets_reject_bad_ratios():
    assert rank_budget.geometric_targets(Fraction(1, 2), 3) == (1, Fraction(1, 2), Fraction(1, 4))
    with pytest.raises(ValueError, match="ratio"):
        rank_budget.geometric_targets(Fraction(3, 2), 3)


def _parameter_error(call):
    with pytest.raises(ValueError) as caught:
        call()
    return caught.value


def test_bad_parameters_are_named():
    """Each function's invalid parameter is named in its error (the error's ``parameter``, not just a match inside
    a longer name), and the documented ranges hold at their ends: fraction, target, dps (hitting_time; dps below
    MIN_DPS = 15 is refused, not silently replaced by toy's default), target, init, fraction, step (gd_lag)."""
    good = dict(depth=2, target=Fraction(1, 2), init=Fraction(1, 1000), fraction=Fraction(9, 10))
    for name, bad in (("fraction", None), ("target", 0), ("dps", 5)):
        assert _parameter_error(lambda: rank_budget.hitting_time(**{**good, name: bad})).parameter == name
    for name, bad in (("target", 0), ("init", -1), ("fraction", None), ("step", 0)):
        assert _parameter_error(lambda: rank_budget.gd_lag(**{**good, "step": Fraction(1, 100), name: bad})
                                ).parameter == name


def test_geometric_targets_at_the_ends_of_their_ranges():
    """ratio is refused at 0 and 1 (the open interval), with its name, value and range in the error; modes runs
    from 1 to 64: one mode is (1,), 64 modes are ratio^0..ratio^63, 65 are refused."""
    for ratio in (Fraction(0), Fraction(1)):
        error = _parameter_error(lambda: rank_budget.geometric_targets(ratio, 3))
        assert (error.parameter, error.value, error.valid) == ("ratio", ratio, "in (0, 1)")
        assert str(error) == f"ratio={ratio} is invalid: ratio must be in (0, 1)"
    assert _parameter_error(lambda: rank_budget.geometric_targets(None, 3)).parameter == "ratio"
    assert rank_budget.geometric_targets(Fraction(1, 3), 1) == (1,)
    assert rank_budget.geometric_targets(Fraction(1, 3), 64)[-1] == Fraction(1, 3**63)
    assert _parameter_error(lambda: rank_budget.geometric_targets(Fraction(1, 3), 65)).parameter == "modes"


def _euler_crossing_time(depth, star, init, level, eta):
    """The time ηk* at which the Euler iterates of ẇ = w^{N−1}(s* − w^N) (GD on the balanced factor, own float64
    loop) cross σ = w^N = level, k* interpolated linearly between the two iterates around the crossing."""
    w, k = init ** (1 / depth), 0
    while True:
        after = w + eta * w ** (depth - 1) * (star - w**depth)
        if after**depth >= level:
            return (k + (level - w**depth) / (after**depth - w**depth)) * eta
        w, k = after, k + 1


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_gd_lag_is_the_euler_methods_first_order_delay(depth):
    """δ against Euler itself: the interpolated crossing time of the Euler iterates minus the flow time (mpmath's
    quadrature of dt = dσ/(Nσ^{2−2/N}(s* − σ)), independent of toy's closed form; hitting_time agrees with it to
    1e-12). Euler is the exact flow of ẇ = g − (η/2)g'g + O(η²), so the delay is δ + O(η²); at η = 0.01 the
    O(η²) remainder (coefficient ≤ 0.2 measured from η = 1e-3 to 1e-2, bounded here by 1) is below 1e-4, against
    |δ| = 4e-3 to 1e-2: a wrong prefactor (η/3, 2η), exponent or drift moves δ by ≥ 25 %."""
    import mpmath as mp

    star, init, f, eta = Fraction(1, 2), Fraction(1, 1000), Fraction(9, 10), 0.01
    with mp.workdps(30):
        s, s0, level = mp.mpf(1) / 2, mp.mpf(1) / 1000, mp.mpf(9) / 20
        flow = mp.quad(lambda x: 1 / (depth * x ** (2 - mp.mpf(2) / depth) * (s - x)), [s0, 10 * s0, 100 * s0, level])
    assert rank_budget.hitting_time(depth=depth, target=star, init=init, fraction=f) == pytest.approx(
        float(flow), rel=1e-12)
    measured = _euler_crossing_time(depth, float(star), float(init), float(f * star), eta) - float(flow)
    lag = rank_budget.gd_lag(depth=depth, target=star, init=init, fraction=f, step=eta)
    assert abs(lag - measured) <= eta**2 and abs(lag) > 25 * eta**2
