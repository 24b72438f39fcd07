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
