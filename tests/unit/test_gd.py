"""The mpmath replay of gradient descent, and its first-order error terms."""

from fractions import Fraction

import mpmath as mp
import pytest

from numerics import gd, toy


def test_depth_one_replay_matches_its_closed_form():
    """N = 1: w ← w + η(σ* − w) gives σ_k = σ* − (σ* − σ0)(1 − η)^k exactly."""
    steps = [0, 1, 7, 50, 200]
    run = gd.replay(steps, depth=1, target=2, init="0.01", step="0.05", dps=40)
    for k, value in zip(steps, run.sigma):
        with mp.workdps(40):
            exact = 2 - (2 - mp.mpf("0.01")) * (1 - mp.mpf("0.05")) ** k
            assert abs(value - exact) < mp.mpf(10) ** -35


@pytest.mark.parametrize("depth, init, step, steps", [(2, "1e-3", "0.02", 600), (3, "1e-3", "0.01", 2000),
                                                      (4, "1e-4", "0.02", 4000), (8, "1e-2", "0.001", 4000)])
def test_first_order_bound_tracks_the_true_gap_and_halves_with_the_step(depth, init, step, steps):
    gaps = []
    for scale in (1, 2):
        marks = list(range(0, scale * steps + 1, scale * steps // 40))
        run = gd.replay(marks, depth=depth, target=1, init=init, step=Fraction(step) / scale, dps=30)
        gap = max(abs(s - toy.sigma_at(Fraction(step) / scale * k, depth=depth, target=1, init=init, dps=20, guess=s))
                  for k, s in zip(run.steps, run.sigma))
        assert 0.5 * run.deviation[-1] < gap <= 1.1 * run.deviation[-1]
        gaps.append(float(gap))
    assert 1.8 < gaps[0] / gaps[1] < 2.2


def test_monotone_step_limit_separates_monotone_rise_from_overshoot():
    limit = gd.monotone_step_limit(depth=4, target=1)
    assert limit == mp.mpf(1) / 4
    steps = list(range(0, 60))
    below = gd.replay(steps, depth=4, target=1, init="0.1", step=limit * mp.mpf("0.99"), dps=40).sigma
    above = gd.replay(steps, depth=4, target=1, init="0.1", step=limit * mp.mpf("1.5"), dps=40).sigma
    assert all(a < b <= 1 for a, b in zip(below, below[1:]) if b < 1 - mp.mpf(10) ** -35)
    assert max(above) > 1


def test_first_order_bounds_judge_only_inside_their_regime():
    """A bound above its regime is a reason to skip, at the stated constants and not before; a NaN bound is not
    a reason (the check then reports the NaN as an error)."""
    assert gd.outside_regime(step_bound=gd.STEP_REGIME, rounding_bound=gd.ROUNDING_REGIME) is None
    assert "O(η) bound" in gd.outside_regime(step_bound=gd.STEP_REGIME * (1 + 1e-12))
    assert "rounding bound" in gd.outside_regime(rounding_bound=gd.ROUNDING_REGIME * (1 + 1e-12), step_bound=1.0)
    assert gd.outside_regime(step_bound=float("nan"), rounding_bound=float("nan")) is None
