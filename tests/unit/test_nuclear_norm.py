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


def _named(call):
    with pytest.raises(ParameterError) as caught:
        call()
    return caught.value.parameter


def test_every_bad_parameter_is_named():
    """The error names the parameter itself (its ``parameter``, so that a misspelt name does not pass a substring
    match): a table entry that is no number, a ragged table, 9 eigenvalues (MAX_SIZE = 8); an observation that
    is no number (in each of the four functions that read them); a start or weight that is no number, zero or of
    the wrong length; replay's step, init and steps (0 ≤ steps ≤ 10^7); a dps below 15."""
    bad_y = (1, None)
    assert _named(lambda: numbers.table(((1, None, 2),))) == "table"
    assert _named(lambda: numbers.table(((1, 2, 3), (1, 2)))) == "table"
    assert _named(lambda: numbers.table((tuple(range(1, 10)),))) == "table"
    assert _named(lambda: numbers.minimum_trace(TABLE, bad_y)) == "observations"
    assert _named(lambda: numbers.vertex_minimum(TABLE, bad_y)) == "observations"
    assert _named(lambda: numbers.entropic_path(TABLE, bad_y, [[1] * 4])) == "observations"
    assert _named(lambda: numbers.replay(TABLE, bad_y, init=1, step=1, steps=1)) == "observations"
    assert _named(lambda: numbers.entropic_minimum(TABLE, OBSERVATIONS, [1, None, 1, 1])) == "starts"
    for weights in ([1, None, 1, 1], [1, 0, 1, 1], [1, 1, 1]):
        assert _named(lambda: numbers.entropic_path(TABLE, OBSERVATIONS, [[1] * 4, weights])) == "starts"
    assert _named(lambda: numbers.entropic_minimum(TABLE, OBSERVATIONS, [1] * 4, dps=5)) == "dps"
    for name, bad in (("step", 0), ("init", 0), ("steps", -1), ("steps", 10**7 + 1)):
        arguments = {"init": Fraction(1, 1000), "step": Fraction(1, 10), "steps": 1, name: bad}
        assert _named(lambda: numbers.replay(TABLE, OBSERVATIONS, **arguments)) == name


def test_refused_starts_are_reported_as_given():
    """entropic_minimum refuses a zero start or a wrong number of starts itself, reporting the starts as given
    (not the continuation's rescaled copy, which the path would refuse too): α = 10^-3 is rescaled by 10² first."""
    for starts in ((Fraction(1, 1000), 0, Fraction(1, 1000), Fraction(1, 1000)), (Fraction(1, 1000),) * 3):
        with pytest.raises(ParameterError) as caught:
            numbers.entropic_minimum(TABLE, OBSERVATIONS, starts)
        assert caught.value.value is starts and caught.value.valid == "4 positive weights"


def test_programme_solution_duals_and_residual_names():
    """HiGHS's x is the vertex (1/4, 0, 3/4, 0) found by hand above; its duals solve D_Bᵀν = 1 on the basis {1, 3}:
    ν_1 = 1, ν_1 + 2ν_2 = 1, so ν = (1, 0) (yᵀν = 1 = the optimum); the KKT residuals carry their documented names.
    A basic solution of a 2 × 2 system in float64: 1e-12."""
    solved = numbers.minimum_trace(TABLE, OBSERVATIONS)
    assert np.allclose(solved.x, [0.25, 0, 0.75, 0], rtol=0, atol=1e-12)
    assert np.allclose(solved.duals, [1, 0], rtol=0, atol=1e-12)
    assert set(solved.kkt) == {"primal feasibility", "sign", "dual feasibility", "complementary slackness",
                               "duality gap"}


def test_programme_at_tolerances_below_highs_defaults():
    """The tightened HiGHS tolerances (1e-10) matter: with observations of size 1e-8 (below the default primal
    tolerance 1e-7) x = 0 would pass as feasible; with eigenvalues 1 and 1 + 10^-8 (a reduced cost of −10^-8, below
    the default dual tolerance) the worse vertex would pass as optimal. Reference: the exact vertex enumeration (the
    optimum scales with y; the second optimum is 1/(1 + 10^-8)); HiGHS's basic solution is exact to rounding."""
    tiny = [v * Fraction(1, 10**8) for v in OBSERVATIONS]
    assert numbers.minimum_trace(TABLE, tiny).value == pytest.approx(float(numbers.vertex_minimum(TABLE, tiny)[0]),
                                                                     rel=1e-9)
    close = ((1, 1 + Fraction(1, 10**8), 1),)
    exact, vertex, unique = numbers.vertex_minimum(close, (1,))
    assert exact == 1 / (1 + Fraction(1, 10**8)) and vertex == [0, exact, 0] and unique
    assert numbers.minimum_trace(close, (1,)).value == pytest.approx(float(exact), rel=1e-12, abs=0)


@pytest.mark.parametrize("table, observations, value, vertex, unique", [
    # basis {1, 2} is infeasible (x_1 = −1) and comes first; feasible: (1, 0, 0, 2) trace 3, (0, 1, 0, 1) trace 2,
    # (0, 0, 1/3, 4/3) trace 5/3 (x_3 − x_4 = −1, 2x_3 + x_4 = 2), optimal with ν = (−1/3, 2/3), reduced costs 4/3, 1/3
    (TABLE, (-1, 2), Fraction(5, 3), [0, 0, Fraction(1, 3), Fraction(4, 3)], True),
    # columns 1 and 2 are parallel (a singular basis); (0, 1, 1) trace 2 beats (2, 0, 1) trace 3; ν = (−1/2, 1)
    (((1, 2, 0), (1, 2, 1)), (2, 3), 2, [0, 1, 1], True),
    # one measurement, 2x_1 + 3x_2 = 1: x_2 = 1/3 beats x_1 = 1/2; ν = 1/3, reduced cost 1 − 2/3 = 1/3
    (((2, 3),), (1,), Fraction(1, 3), [0, Fraction(1, 3)], True),
    # eight eigenvalues (MAX_SIZE): Σ j x_j = 1 is cheapest at x_8 = 1/8; reduced costs 1 − j/8 > 0
    ((tuple(range(1, 9)),), (1,), Fraction(1, 8), [0] * 7 + [Fraction(1, 8)], True),
    # a degenerate optimum: y = (1, 0) = column 1, every other vertex infeasible
    (TABLE, (1, 0), 1, [1, 0, 0, 0], None),
])
def test_vertex_enumeration_by_hand(table, observations, value, vertex, unique):
    """The exact programme on small tables solved by hand (each case comments its vertices), and HiGHS agreeing on
    the value (float64: 1e-12). ``unique`` where the optimal basis is nondegenerate (None: not asserted)."""
    exact, x, flag = numbers.vertex_minimum(table, observations)
    assert exact == value and x == vertex and (unique is None or flag == unique)
    assert numbers.minimum_trace(table, observations).value == pytest.approx(float(value), rel=1e-12)


def test_a_tie_is_not_unique():
    """x_1 + x_2 = 1: both vertices have trace 1, the nonbasic reduced cost is 0, so the optimum is not unique."""
    value, vertex, unique = numbers.vertex_minimum(((1, 1),), (1,))
    assert value == 1 and vertex in ([1, 0], [0, 1]) and not unique


@pytest.mark.parametrize("alpha", [Fraction(2, 1000), Fraction(1, 10**12)])
def test_entropic_minimum_against_its_closed_form(alpha):
    """One measurement x_1 + 2x_2 = 1 from a = (α, α): x = (αt, αt²) with αt + 2αt² = 1, so
    t = (−α + √(α² + 8α))/(4α), in mpmath at 80 digits. At dps = 50 the result must hold its 50 digits (the
    continuation from α = 2·10^-3 has one stage of ×10, from 10^-12 eleven)."""
    import mpmath as mp

    x, residual = numbers.entropic_minimum(((1, 2),), (1,), [alpha, alpha], dps=50)
    with mp.workdps(80):
        a = mp.mpf(alpha.numerator) / alpha.denominator
        t = (-a + mp.sqrt(a * a + 8 * a)) / (4 * a)
        assert max(abs(v / w - 1) for v, w in zip(x, (a * t, a * t * t))) < mp.mpf(10) ** -50
    assert residual < 1e-50


def test_entropic_minimum_with_zero_observations_and_at_a_large_scale():
    """y = 0 (x_1 = x_2, so that the scale of y is 0): x_1 = x_2 = √(a_1 a_2) = 1/50 for a = (1/100, 4/100), by
    hand from x = a ⊙ exp(Dᵀμ). Scaling: the minimiser for (c·a, c·y) is c times the one for (a, y) (the objective
    scales by c); at c = 10^30 the relative residual stays relative (10^-30 at dps = 30, 25 digits compared)."""
    import mpmath as mp

    x, residual = numbers.entropic_minimum(((1, -1),), (0,), [Fraction(1, 100), Fraction(4, 100)], dps=40)
    with mp.workdps(60):
        assert max(abs(v * 50 - 1) for v in x) < mp.mpf(10) ** -40
    assert residual < 1e-40
    scale = 10**30
    small, _ = numbers.entropic_minimum(TABLE, OBSERVATIONS, [Fraction(1, 1000)] * 4, dps=30)
    large, residual = numbers.entropic_minimum(TABLE, [v * scale for v in OBSERVATIONS], [Fraction(scale, 1000)] * 4,
                                               dps=30)
    assert max(abs(b / (a * scale) - 1) for a, b in zip(small, large)) < 1e-25 and residual < 1e-30


def test_replay_at_zero_and_a_few_steps():
    """K = 0: x = α·1, δ = 0 and residual ‖Dα1 − y‖_∞/‖y‖_∞ = max(|10^-3 − 1|, |4·10^-3 − 3/2|)/(3/2) = 1.496/1.5
    (by hand; x = (√α)² to two roundings). K = 30: against the same map iterated in mpmath at 30 digits (float64 over 30 steps: 1e-12)."""
    import mpmath as mp

    x, deviation, residual = numbers.replay(TABLE, OBSERVATIONS, init=Fraction(1, 1000), step=Fraction(1, 10),
                                            steps=0)
    assert np.allclose(x, 1e-3, rtol=1e-15, atol=0) and not deviation.any()  # x = (√α)²: two roundings
    assert residual == pytest.approx(1.496 / 1.5, rel=1e-14)
    x, deviation, residual = numbers.replay(TABLE, OBSERVATIONS, init=Fraction(1, 1000), step=Fraction(1, 10),
                                            steps=30)
    with mp.workdps(30):
        d, y, eta = mp.matrix(TABLE), mp.matrix([1, mp.mpf(3) / 2]), mp.mpf(1) / 10
        w, delta = [mp.sqrt(mp.mpf(1) / 1000)] * 4, [mp.mpf(0)] * 4
        for _ in range(30):
            r = d * mp.matrix([v * v for v in w]) - y
            g = [sum(d[i, j] * r[i] for i in range(2)) / 2 for j in range(4)]
            delta = [s + 2 * (mp.log(abs(1 - eta * gj)) + eta * gj) for s, gj in zip(delta, g)]
            w = [v * (1 - eta * gj) for v, gj in zip(w, g)]
        exact = [v * v for v in w]
        misfit = d * mp.matrix(exact) - y
    assert np.allclose(x, [float(v) for v in exact], rtol=1e-12, atol=0)
    assert np.allclose(deviation, [float(v) for v in delta], rtol=1e-10, atol=1e-15)
    assert residual == pytest.approx(float(max(abs(v) for v in misfit) / 1.5), rel=1e-9)
