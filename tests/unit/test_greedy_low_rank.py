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


# -------------------------------------------------------------------------------------------------------------
# Against mutants (docs/mutation-testing.md): values worked out by hand or replayed independently at more digits,
# the parameter each bad input names, and the edges of every accepted range.


def _mpq(value):
    """An exact number as an mpf at the current precision."""
    value = Fraction(value)
    return mp.mpf(value.numerator) / value.denominator


def _replay(target, init, step, clock=1, digits=60):
    """The depth-2 map w → w + cη·w(λ − w²) from w = √σ_0, replayed here in mpmath at ``digits``: its hitting
    step K, the lag (η/2)·log(f(w_K)/f(w_0)), f(w) = w(λ − w²), and the crossing K − 1 + (log(λ/2) − log σ_{K−1})
    /(log σ_K − log σ_{K−1})."""
    with mp.workdps(digits):
        lam, h = _mpq(target), _mpq(clock) * _mpq(step)
        w = mp.sqrt(_mpq(init))
        f0, sigmas = w * (lam - w * w), [w * w]
        while sigmas[-1] < lam / 2:
            w = w + h * w * (lam - w * w)
            sigmas.append(w * w)
        k = len(sigmas) - 1
        lag = _mpq(step) / 2 * mp.log(w * (lam - w * w) / f0)
        crossing = k - 1 + (mp.log(lam / 2) - mp.log(sigmas[-2])) / (mp.log(sigmas[-1]) - mp.log(sigmas[-2]))
        return k, lag, crossing


@pytest.mark.parametrize("target, init, step, clock", [
    (2, Fraction(1, 10**6), Fraction(1, 100), 1),
    (Fraction(1, 2), Fraction(1, 1000), Fraction(1, 20), 2),
    (3, Fraction(6, 5), Fraction(1, 10), 1),  # init = 0.4·target: just below target/2, a few steps
])
def test_map_hitting_step_lag_and_crossing_match_an_independent_replay(target, init, step, clock):
    """(K, δ_K, κ) against the replay above at 60 digits: K exactly, δ_K and κ to 10^-25 (the module works at
    dps = 30; the map is contracting in log σ, so its rounding does not grow along the ~10^2..10^3 steps)."""
    k, lag, crossing = numbers.map_hitting_step(target=target, init=init, step=step, clock=clock)
    expected = _replay(target, init, step, clock)
    assert k == expected[0]
    with mp.workdps(60):
        assert abs(lag - expected[1]) <= mp.mpf(10) ** -25 * abs(expected[1])
        assert abs(crossing - expected[2]) <= mp.mpf(10) ** -25 * expected[2]


def test_map_hitting_step_limit_is_the_last_step_allowed():
    """With limit = K (the hitting step) the step is found; with K − 1 it is not (ArithmeticError). A start one
    step below target/2 is found with the least limit, 1. A start within 10^-40 of target/2 is target/2 at 30
    digits: it crosses at once (κ = 0), whether the map counts it as step 0 or 1."""
    target, init, step = 2, Fraction(1, 10**4), Fraction(1, 50)
    k = _replay(target, init, step)[0]
    assert numbers.map_hitting_step(target=target, init=init, step=step, limit=k)[0] == k
    with pytest.raises(ArithmeticError):
        numbers.map_hitting_step(target=target, init=init, step=step, limit=k - 1)
    assert numbers.map_hitting_step(target=2, init=Fraction(99, 100), step=Fraction(1, 10), limit=1)[0] == 1
    k, lag, crossing = numbers.map_hitting_step(target=8, init=4 - Fraction(4, 10**40), step=Fraction(1, 100))
    assert k in (0, 1) and abs(crossing) <= 1e-25
    assert k == 1 or lag == 0


@pytest.mark.parametrize("call, message", [
    (lambda: numbers.map_hitting_step(target=0, init=1, step=1), "^target=0 is invalid"),
    (lambda: numbers.map_hitting_step(target=1, init=0, step=1), "^init=0 is invalid"),
    (lambda: numbers.map_hitting_step(target=1, init=Fraction(1, 2), step=Fraction(1, 100)), "^init=0.5 is invalid"),
    (lambda: numbers.map_hitting_step(target=1, init=Fraction(1, 10), step=0), "^step=0 is invalid"),
    (lambda: numbers.map_hitting_step(target=1, init=Fraction(1, 10), step=Fraction(1, 100), clock=0),
     "^clock=0 is invalid"),
    (lambda: numbers.map_hitting_step(target=1, init=Fraction(1, 10), step=Fraction(1, 100), limit=0),
     "^limit=0 is invalid"),
    # 2·clock·η·target = 1 exactly: the edge of the monotone map (clock ≠ 1 and target ≠ 1 so that each factor counts)
    (lambda: numbers.map_hitting_step(target=1, init=Fraction(1, 10), step=Fraction(1, 4), clock=2), "^step=0.25"),
    (lambda: numbers.map_hitting_step(target=4, init=Fraction(1, 10), step=Fraction(1, 8)), "^step=0.125"),
    (lambda: numbers.flow_hitting_time(target=0, init=1), "^target=0 is invalid"),
    (lambda: numbers.flow_hitting_time(target=1, init=Fraction(1, 10), clock=0), "^clock=0 is invalid"),
    (lambda: numbers.coordinates([], [[1]]), "^start="),
    (lambda: numbers.coordinates([[]], [[1]]), "^start="),
    (lambda: numbers.coordinates([[1], [2]], [[1, 0, 0], [0, 1, 0]]), "^start="),
    (lambda: numbers.coordinates([[1], [2]], [[1, 0], [0, 1], [0, 0]]), "^start="),
    (lambda: numbers.coordinates([[1, "x"]], [[1]]), "^start='x' is invalid"),
    (lambda: numbers.coordinates([[1, 2]], [["x"]]), "^basis='x' is invalid"),
])
def test_bad_input_names_its_parameter_exactly(call, message):
    """The error starts with the parameter's own name (a mutant's XXnameXX or None would not)."""
    with pytest.raises(ParameterError, match=message):
        call()


def test_a_step_just_inside_the_monotone_range_is_accepted():
    """2·clock·η·target = 0.9 < 1 (clock 2, η = 9/40, target 1) is a valid step, and so is init = 0.4·target."""
    k, _, _ = numbers.map_hitting_step(target=1, init=Fraction(1, 10), step=Fraction(9, 40), clock=2)
    assert k == _replay(1, Fraction(1, 10), Fraction(9, 40), 2)[0]


def test_coordinates_in_a_rotated_basis_and_their_effective_starts_by_hand():
    """U = [[1, 2], [3, 4]] in the basis q_1 = (3, 4)/5, q_2 = (−4, 3)/5: u_1 = (3, 22/5), u_2 = (1, 4/5) (to 10^-38:
    3/5 is not binary); σ_0,1 = ‖u_1‖² = 709/25 and σ_0,2 = det(U)²/‖u_1‖² = 100/709. A d × 1 start has rows of
    one entry each."""
    rows = numbers.coordinates([[1, 2], [3, 4]], [[Fraction(3, 5), Fraction(-4, 5)], [Fraction(4, 5), Fraction(3, 5)]])
    expected = [(3, Fraction(22, 5)), (1, Fraction(4, 5))]
    with mp.workdps(60):
        for row, values in zip(rows, expected):
            assert row.rows == 1 and row.cols == 2
            for entry, value in zip(row, values):
                assert abs(entry - _mpq(value)) <= mp.mpf(10) ** -38
        first, second = numbers.effective_inits(rows)
        assert abs(first - mp.mpf(709) / 25) <= mp.mpf(10) ** -30 * 709 / 25
        assert abs(second - mp.mpf(100) / 709) <= mp.mpf(10) ** -30 * 100 / 709
    narrow = numbers.coordinates([[1], [2]], [[1, 0], [0, 1]])
    assert [list(row) for row in narrow] == [[1], [2]]


@pytest.mark.parametrize("dps", [30, 50])
def test_effective_start_of_nearly_parallel_rows_keeps_dps_digits(dps):
    """u_1 = (1, 1), u_2 = (1, 1 + ε), ε = 10^-8: σ_0,2 = ‖(−ε/2, ε/2)‖² = ε²/2 exactly, after Gram–Schmidt
    cancels 8 digits (16 in the square's scale); the guard digits of coordinates and effective_inits pay for
    them: 10^-dps relative."""
    epsilon = Fraction(1, 10**8)
    rows = numbers.coordinates([[1, 1], [1, 1 + epsilon]], [[1, 0], [0, 1]], dps=dps)
    first, second = numbers.effective_inits(rows, dps=dps)
    with mp.workdps(dps + 40):
        assert first == 2
        assert abs(second - mp.mpf(10) ** -16 / 2) <= mp.mpf(10) ** -dps * mp.mpf(10) ** -16 / 2


def test_crossing_fraction_is_measured_in_log_scale():
    """4 lies halfway between 2 and 8 in log scale (log 2 / log 4); 2 is a quarter of the way from 1 to 16."""
    with mp.workdps(30):
        assert abs(numbers.crossing_fraction(2, 8, 4) - mp.mpf(1) / 2) <= 1e-28
        assert abs(numbers.crossing_fraction(1, 16, 2) - mp.mpf(1) / 4) <= 1e-28


@pytest.mark.parametrize("dps", [30, 80])
def test_flow_hitting_time_is_the_closed_form_over_the_clock(dps):
    """Depth 2: t(λ/2) = log((λ − σ_0)/σ_0)/(2λ), divided by the clock: λ = 3, σ_0 = 1/7, clock 2 gives
    log 20/12, to 10^-dps relative (dps = 80 is above numerics.toy's default of 50, so dps must be passed on)."""
    value = numbers.flow_hitting_time(target=3, init=Fraction(1, 7), clock=2, dps=dps)
    with mp.workdps(dps + 40):
        reference = mp.log(20) / 12
        assert abs(value - reference) <= mp.mpf(10) ** -dps * reference
