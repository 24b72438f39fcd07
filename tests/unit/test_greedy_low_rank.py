"""Greedy low-rank learning: the derivations, the effective starts and hitting steps, and the trainer by hand."""

from fractions import Fraction
from unittest import mock

import mpmath as mp
import numpy as np
import pytest

from numerics import greedy_low_rank as numbers
from numerics import toy
from numerics.arguments import ParameterError
from theory import greedy_low_rank as theory
from theory.derivation import DerivationError


def test_derivations_are_exact_and_a_wrong_clock_breaks_them():
    assert theory.flow_derivation().exact
    assert theory.hitting_derivation().exact
    with mock.patch.object(theory, "CLOCK", 2):  # the ½ loss's clock, stated for the ¼ loss
        with pytest.raises(DerivationError, match="clock"):
            theory.flow_derivation()


def test_effective_starts_are_gram_schmidt():
    rows = numbers.coordinates([[1, 2], [3, 4], [0, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    first, second = numbers.effective_inits(rows[:2])
    assert first == 5
    # ‖(3, 4) − ((3·1 + 4·2)/5)(1, 2)‖² = ‖(0.8, −0.4)‖² = 0.8: the area² of the two rows over ‖u_1‖²
    with mp.workdps(40):
        assert abs(second - mp.mpf(4) / 5) < 1e-28
    rotated = numbers.coordinates([[1, 2]], [[1]])  # a 1 × 1 basis with a 1 × 2 start
    assert numbers.effective_inits(rotated) == [5]


def test_map_hitting_step_and_its_lag_against_theorem1():
    step, lag, between = numbers.map_hitting_step(target=2, init=Fraction(1, 10**6), step=Fraction(1, 100))
    # replayed by hand in floats: w → w + ηw(λ − w²) from w = 1e-3
    w, k = 1e-3, 0
    while w * w < 1:
        w, k = w + 0.01 * w * (2 - w * w), k + 1
    assert step == k and k - 1 < between <= k
    flow = numbers.flow_hitting_time(target=2, init=Fraction(1, 10**6))
    with mp.workdps(30):
        assert abs(flow - mp.log(2 * 10**6 - 1) / 4) < 1e-25
    assert abs(0.01 * step - float(flow)) <= 0.01 + 2 * float(lag)
    assert flow == toy.time_to(1, depth=2, target=2, init=Fraction(1, 10**6), dps=30)


@pytest.mark.parametrize("call, parameter", [
    (lambda: numbers.map_hitting_step(target=1, init=Fraction(3, 4), step=Fraction(1, 100)), "init"),
    (lambda: numbers.map_hitting_step(target=10, init=Fraction(1, 10), step=Fraction(1, 10)), "step"),
    (lambda: numbers.coordinates([[1, 2], [3]], [[1, 0], [0, 1]]), "start"),
])
def test_bad_parameters_are_named(call, parameter):
    with pytest.raises(ParameterError, match=parameter):
        call()


def test_trainer_follows_the_row_update_and_reports_crossings():
    from verify.training import factorisation as training

    target = ((2.0, 0.0), (0.0, 0.5))
    basis = ((1.0, 0.0), (0.0, 1.0))
    start = ((0.1, 0.2), (0.3, -0.1))
    one = training.train([training.Experiment(target, basis, start, 0.1, 1, (1.0,), 1)], device="cpu")
    u = np.array(start)
    u = u - 0.1 * (u @ u.T - np.array(target)) @ u  # one GD step on ¼‖UUᵀ − M‖²
    assert np.allclose(one.trajectory[0, 1], (u**2).sum(axis=1), rtol=1e-14)
    # an aligned start: each coordinate is the depth-2 toy map, so the crossing is the map's hitting step
    aligned = training.train([training.Experiment(target, basis, ((1e-3, 0.0), (0.0, 1e-3)), 0.05, 400, (1.0, 0.25),
                                                  10)], device="cpu")
    expected = [numbers.map_hitting_step(target=lam, init=Fraction(1, 10**6), step=Fraction(1, 20))[0]
                for lam in (2, Fraction(1, 2))]
    assert list(aligned.crossings[0]) == expected and aligned.finite[0]
