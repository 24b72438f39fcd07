"""Commuting matrix sensing: the derivation, the programme solved two ways, the flow's limit, GD's exact effective
start, and the sensing trainer on commuting measurements against the replay."""

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from numerics import nuclear_norm as numbers
from numerics.arguments import ParameterError
from theory import nuclear_norm as theory

TABLE = ((1, 0, 1, -1), (0, 1, 2, 1))
TRUTH = (Fraction(1), Fraction(3, 2), 0, 0)
OBSERVATIONS = tuple(sum(d * x for d, x in zip(row, TRUTH)) for row in TABLE)


def test_derivation_is_exact():
    assert theory.reduction_derivation().exact


def test_programme_by_highs_and_by_vertices():
    # By hand: eliminating x_1 and x_2, the trace is 5/2 − 2x_3 + x_4 with x_3 ≤ 1 + x_4 and 2x_3 + x_4 ≤ 3/2, least
    # at x_4 = 0, x_3 = 3/4: x = (1/4, 0, 3/4, 0), trace 1 (the truth has trace 5/2)
    value, vertex, unique = numbers.vertex_minimum(TABLE, OBSERVATIONS)
    assert value == 1 and vertex == [Fraction(1, 4), 0, Fraction(3, 4), 0] and unique
    solved = numbers.minimum_trace(TABLE, OBSERVATIONS)
    assert abs(solved.value - 1) < 1e-12 and max(solved.kkt.values()) < 1e-12


def test_flow_limit_is_the_entropic_minimiser_and_tends_to_the_programme():
    path = numbers.entropic_path(TABLE, OBSERVATIONS, [[Fraction(1, 10**k)] * 4 for k in range(1, 7)], dps=30)
    traces = [float(sum(x)) for x, _ in path]
    assert all(later <= earlier for earlier, later in zip(traces, traces[1:])) and traces[-1] - 1 < 1e-4
    x, residual = path[2]  # α = 1e-3: log(x/α) is in the range of Dᵀ, and Dx = y
    logs = np.array([float(mp.log(v * 1000)) for v in x])
    d = np.array(TABLE, dtype=float)
    assert np.allclose(d.T @ np.linalg.lstsq(d.T, logs, rcond=None)[0], logs, atol=1e-12) and residual < 1e-25
    direct, _ = numbers.entropic_minimum(TABLE, OBSERVATIONS, [Fraction(1, 1000)] * 4, dps=30)
    assert max(abs(a - b) for a, b in zip(direct, x)) < 1e-25


def test_gd_limit_is_the_minimiser_from_the_effective_start():
    x, deviation, residual = numbers.replay(TABLE, OBSERVATIONS, init=Fraction(1, 1000), step=Fraction(1, 10),
                                            steps=4000)
    assert residual < 1e-13
    starts = [Fraction(1, 1000) * Fraction(float(np.exp(d))) for d in deviation]
    predicted, _ = numbers.entropic_minimum(TABLE, OBSERVATIONS, starts, dps=30)
    assert np.allclose(x, [float(v) for v in predicted], rtol=0, atol=1e-12)
    # the flow's own limit (δ = 0) is O(η) away
    flow, _ = numbers.entropic_minimum(TABLE, OBSERVATIONS, [Fraction(1, 1000)] * 4, dps=30)
    assert 1e-9 < np.max(np.abs(x - np.array([float(v) for v in flow]))) < 1e-2


@pytest.mark.parametrize("call, parameter", [
    (lambda: numbers.vertex_minimum(((1, 2),), (1, 2)), "observations"),
    (lambda: numbers.minimum_trace(((1, 2), (3, 4)), (1, 1)), "table"),
    (lambda: numbers.entropic_minimum(TABLE, OBSERVATIONS, [1, 1, 0, 1]), "starts"),
])
def test_bad_parameters_are_named(call, parameter):
    with pytest.raises(ParameterError, match=parameter):
        call()


def test_sensing_trainer_on_commuting_measurements_follows_the_replay():
    from numerics import stability
    from verify.training import sensing

    q = np.array(stability.reflector((1, 2, -1, 1)), dtype=float)
    measurements = np.stack([q @ np.diag(row) @ q.T for row in np.array(TABLE, dtype=float)]).reshape(2, -1)
    target = q @ np.diag([float(v) for v in TRUTH]) @ q.T
    start = np.stack([np.sqrt(1e-3) * np.eye(4)] * 2)
    runs = sensing.train([sensing.Experiment(start, target, 0, 0.1, (300,))], [measurements], top=1, device="cpu")
    rotated = q.T @ runs.final[0] @ q
    x, _, _ = numbers.replay(TABLE, OBSERVATIONS, init=Fraction(1, 1000), step=Fraction(1, 10), steps=300)
    assert np.allclose(np.diag(rotated), x, rtol=0, atol=1e-12)
    assert np.max(np.abs(rotated - np.diag(np.diag(rotated)))) < 1e-12
