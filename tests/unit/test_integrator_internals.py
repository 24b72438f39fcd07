"""The pieces of the float64 ODE cross-check, each against its own definition (``numerics.integrators``).

The end-to-end tolerances of the SciPy solvers (1e-9) would hide a wrong Jacobian (Radau only converges
more slowly), a loose time horizon or a shifted domain limit; these tests pin each piece down.
"""

from fractions import Fraction

import mpmath as mp
import pytest
import scipy.integrate

from numerics import integrators, toy
from numerics.arguments import ParameterError
from numerics.integrators import _FlowODE, _time_bound


@pytest.mark.parametrize("depth", [1, 2, 3, 6])
def test_flow_state_rhs_and_jacobian(depth):
    ode, star = _FlowODE(depth, 2.0), 2.0
    for sigma in (1e-3, 0.7, 1.9):
        y = ode.state(sigma)
        assert ode.sigma(y) == pytest.approx(sigma, rel=1e-13)
        # d state/dt from dσ/dt = N σ^{2−2/N}(σ* − σ): the gap falls at σ̇, the logit rises at σ̇ σ*/(σ(σ* − σ))
        rate = depth * sigma ** (2 - 2 / depth) * (star - sigma)
        expected = -rate if depth == 1 else rate * star / (sigma * (star - sigma))
        assert ode.rhs(0.0, [y])[0] == pytest.approx(expected, rel=1e-12)
        h = 1e-6 * max(1.0, abs(y))
        slope = (ode.rhs(0.0, [y + h])[0] - ode.rhs(0.0, [y - h])[0]) / (2 * h)
        assert ode.jac(0.0, [y])[0][0] == pytest.approx(slope, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("depth", [1, 3])
def test_crossing_events_fire_once_in_the_direction_of_the_flow(depth):
    ode = _FlowODE(depth, 2.0)
    event = ode.crossing(1.0)
    assert event(0.0, [ode.state(1.0)]) == 0
    before, after = ode.state(0.9), ode.state(1.1)
    assert event.direction * (event(0.0, [after]) - event(0.0, [before])) > 0


def test_radau_gets_the_analytic_jacobian(monkeypatch):
    seen = {}
    original = scipy.integrate.solve_ivp

    def spy(*args, **options):
        seen.update(options)
        return original(*args, **options)

    monkeypatch.setattr(integrators, "solve_ivp", spy)
    integrators.scipy_times_to(["0.5"], depth=3, target=1, init="0.01", method="Radau", rtol=1e-10)
    assert seen["jac"].__func__ is _FlowODE.jac and seen["rtol"] == 1e-10 and seen["atol"] == pytest.approx(1e-12)
    seen.clear()
    integrators.scipy_times_to(["0.5"], depth=3, target=1, init="0.01", method="DOP853")
    assert "jac" not in seen


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_time_bound_is_an_upper_bound_and_tight_next_to_init(depth):
    """Below the level σ* − σ ≥ σ* − level; next to init that is nearly equality, so the bound is the exact
    time times its stated margin 1.01 (plus 1e-12)."""
    init = Fraction(1, 10)
    close, far = init * (1 + Fraction(1, 10**6)), Fraction(3, 2)
    exact_close = float(toy.time_to(close, depth=depth, target=2, init=init, dps=20))
    assert 1.01 <= _time_bound(depth, Fraction(2), init, close) / exact_close <= 1.0101
    assert _time_bound(depth, Fraction(2), init, far) >= 1.01 * float(toy.time_to(far, depth=depth, target=2,
                                                                                   init=init, dps=20))


def test_times_come_back_in_the_order_asked_and_duplicates_agree():
    levels = ["1.5", "0.5", "1.5", "1"]
    times = integrators.scipy_times_to(levels, depth=2, target=2, init="0.01")
    exact = [float(toy.time_to(level, depth=2, target=2, init="0.01", dps=20)) for level in levels]
    assert times == pytest.approx(exact, rel=1e-9) and times[0] == times[2]


def test_sigma_at_time_zero_is_the_init_and_later_times_follow_the_flow():
    values = integrators.scipy_sigma_at([0, 3, 1], depth=3, target=2, init="0.01")
    assert values[0] == 0.01
    for t, value in zip((3, 1), values[1:]):
        assert value == pytest.approx(float(toy.sigma_at(t, depth=3, target=2, init="0.01", dps=20)), rel=1e-8)


def test_a_negative_time_is_named():
    for call in (lambda: integrators.odefun_sigma_at(-1, depth=2, target=1, init="0.5"),
                 lambda: integrators.scipy_sigma_at([1, -1], depth=2, target=1, init="0.5")):
        with pytest.raises(ParameterError) as raised:
            call()
        assert raised.value.parameter == "t"


def test_float64_resolvable_edges():
    star, init = Fraction(1), Fraction(1, 10)
    gap = integrators.SCIPY_MIN_SEPARATION
    assert integrators.float64_resolvable(Fraction(1, 2), target=star, init=init)
    # level − init ≥ gap·level, i.e. level ≥ init/(1 − gap); and target − level ≥ gap·target
    edge_low = init / (1 - Fraction(gap))
    assert integrators.float64_resolvable(edge_low, target=star, init=init)
    assert not integrators.float64_resolvable(edge_low * (1 - Fraction(1, 10**9)), target=star, init=init)
    edge_high = star * (1 - Fraction(gap))
    assert integrators.float64_resolvable(edge_high, target=star, init=init)
    assert not integrators.float64_resolvable(edge_high * (1 + Fraction(1, 10**12)), target=star, init=init)


@pytest.mark.parametrize("keywords, parameter", [
    (dict(init=Fraction(1, 10**300) * Fraction(99, 100)), "init"), (dict(target=Fraction(10**300) * 2), "target"),
])
def test_float64_range_limits(keywords, parameter):
    arguments = {**dict(depth=1, target=1, init="0.5"), **keywords}
    if parameter == "target":
        arguments["init"] = Fraction(10**300)
    with pytest.raises(ParameterError) as raised:
        integrators.scipy_times_to([arguments["init"] * (1 + Fraction(1, 10**3))], **arguments)
    assert raised.value.parameter == parameter


def test_float64_range_limits_are_inclusive():
    times = integrators.scipy_times_to([Fraction(2, 10**300)], depth=2, target=1, init=Fraction(1, 10**300))
    assert times[0] == pytest.approx(float(mp.log(2)) / 2, rel=1e-9)
    with mp.workdps(20):
        big = integrators.scipy_times_to([Fraction(10**300) * Fraction(1, 2)], depth=1, target=10**300,
                                         init=Fraction(10**300) / 4)
    assert big[0] == pytest.approx(float(mp.log(mp.mpf(3) / 2)), rel=1e-9)
