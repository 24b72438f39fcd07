"""Quadratic networks with the bias coupling the eigenvalues: one eigenvalue alone is the toy model again,
with the coupling adding half its rate (τ = λ − λ*): the flow is Theorem 1's depth-2 flow at six times
the time (12λ(λ* − λ) = 6 · 2λ(λ* − λ)) and GD is the depth-2 toy GD with six times the step."""

from fractions import Fraction

import pytest

from numerics import gd, quadratic, toy
from numerics.arguments import ParameterError


def test_coupled_gd_of_one_eigenvalue_is_toy_gd_with_six_times_the_step():
    steps = [0, 1, 5, 40]
    eigen = quadratic.eigenvalue_gd([Fraction(1, 2)], init="1e-3", step=Fraction(1, 100), steps=steps, coupled=True)
    replay = gd.replay(steps, depth=2, target=Fraction(1, 2), init="1e-3", step=Fraction(6, 100), dps=30)
    assert all(abs(e[0] - s) < 1e-25 for e, s in zip(eigen, replay.sigma))


def test_coupled_flow_of_one_eigenvalue_is_theorem1_at_six_times_the_time():
    times = [0.1, 0.5, 2]
    flow = quadratic.eigenvalue_flow([Fraction(1, 2)], init="1e-3", times=times, coupled=True)
    for row, t in zip(flow, times):
        exact = float(toy.sigma_at(6 * t, depth=2, target=Fraction(1, 2), init="1e-3", dps=20))
        assert row[0] == pytest.approx(exact, rel=1e-8)


@pytest.mark.parametrize("call, parameter", [
    (lambda: quadratic.eigenvalue_gd([1], init="1e-3", step=0, steps=[1], coupled=False), "step"),
    (lambda: quadratic.eigenvalue_gd([1], init=0, step="0.1", steps=[1], coupled=False), "init"),
    (lambda: quadratic.eigenvalue_gd([], init="1e-3", step="0.1", steps=[1], coupled=False), "targets"),
    (lambda: quadratic.eigenvalue_gd(["abc"], init="1e-3", step="0.1", steps=[1], coupled=False), "targets"),
    (lambda: quadratic.eigenvalue_gd([1], init="1e-3", step="0.1", steps=[10**7 + 1], coupled=False), "steps"),
    (lambda: quadratic.eigenvalue_gd([1], init="1e-3", step="0.1", steps=[-1], coupled=False), "steps"),
    (lambda: quadratic.eigenvalue_flow([1, -1], init="1e-3", times=[1], coupled=False), "targets"),
    (lambda: quadratic.eigenvalue_flow([1], init="1e-3", times=[-1], coupled=False), "times"),
])
def test_bad_parameters_are_named(call, parameter):
    with pytest.raises(ParameterError) as raised:
        call()
    assert raised.value.parameter == parameter
