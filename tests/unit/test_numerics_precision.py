"""Every numeric function delivers the precision it promises, ``dps`` significant digits, at every dps.

A result at ``dps`` digits is compared with the same quantity computed with ``MORE`` = 40 more digits,
by the same function (which then has 40 digits to spare) or by an independent one. The tolerance is
10^-dps, relative: rounding a result to dps digits costs at most 2^-prec < 10^-(dps+1) (mpmath carries
prec = (dps + 1)·log2(10) bits), and the guard digits each function adds keep its own error below the
rest (the worst cases here reach 10^-(dps+0.9)). A function that skimps on guard digits, stops an
iteration early or ignores a cancellation misses by orders of magnitude.
"""

import mpmath as mp
import pytest
import sympy as sp

from numerics import arguments, gd, integrators, separation, toy
from theory import theorem2

DPS = [20, 50, 120]
MORE = 40


def assert_digits(value, reference, dps):
    with mp.workdps(dps + MORE):
        error = abs(value - reference) / abs(reference)
        assert error <= mp.mpf(10) ** -dps, f"relative error {mp.nstr(error, 3)} at dps {dps}"


# (sigma, depth, target, init): each stresses one source of lost digits
TIMES = [
    ("0.3", 3, 1, "0.29999"),  # σ − σ0 = 3e-5 σ: G(σ) − G(σ0) cancels 5 digits
    ("0.3", 3, 1, "0.2999999999"),  # and 10 digits
    ("0.30000000000000000000000003", 3, 1, "0.3"),  # and 25: more than the first pass's guard digits
    ("0.999999999999", 5, 1, "0.01"),  # 1e-12 below the target, at G's log singularity
    ("1.5", 1, 2, "0.01"),
    ("1.5", 2, 2, "0.01"),
    ("0.7", 12, 2, "1e-3"),
    ("2e-300", 4, 1, "1e-300"),
]


@pytest.mark.parametrize("dps", DPS)
def test_time_to(dps):
    for sigma, depth, target, init in TIMES:
        arguments_ = dict(depth=depth, target=target, init=init)
        assert_digits(toy.time_to(sigma, dps=dps, **arguments_), toy.time_to(sigma, dps=dps + MORE, **arguments_), dps)


# (t, depth, target, init, guess)
SIGMAS = [
    (5, 3, 1, "1e-3", None),
    (5, 3, 1, "1e-3", "0.9"),
    ("1e-10", 2, 1, "0.5", None),  # σ* − (σ* − σ0)e^{−t}-like cancellation for small t
    ("1e-10", 1, 3, "0.1", None),
    (2, 2, 3, "0.1", None),
    (40, 6, 1, "1e-2", None),  # σ(t) conditioned by the plateau: t·σ̇/σ ≈ 100
]


@pytest.mark.parametrize("dps", DPS)
def test_sigma_at(dps):
    for t, depth, target, init, guess in SIGMAS:
        arguments_ = dict(depth=depth, target=target, init=init, guess=guess)
        assert_digits(toy.sigma_at(t, dps=dps, **arguments_), toy.sigma_at(t, dps=dps + MORE, **arguments_), dps)


@pytest.mark.parametrize("dps", DPS[:2])
def test_quadrature_against_the_closed_form(dps):
    """Independent of the closed form, so it also catches a wrong formula that is precise."""
    for sigma, depth, target, init in TIMES:
        arguments_ = dict(depth=depth, target=target, init=init)
        quad = integrators.quad_time_to(sigma, dps=dps, **arguments_)
        assert_digits(quad, toy.time_to(sigma, dps=dps + MORE, **arguments_), dps)


def test_taylor_ode_solver_against_the_closed_form():
    for depth in (1, 2, 3):
        ode = integrators.odefun_sigma_at(3, depth=depth, target=2, init="0.01", dps=20)
        assert_digits(ode, toy.sigma_at(3, depth=depth, target=2, init="0.01", dps=20 + MORE), 20)


@pytest.mark.parametrize("dps", DPS)
def test_max_init_at_depth_two_against_the_closed_form_condition(dps):
    from test_separation import condition_root  # noqa: PLC0415 - the independent reference lives there

    for ratio in ("1.1", "3"):
        value = separation.max_init(depth=2, ratio=ratio, s="0.1", f="0.9", target="1.5", dps=dps)
        assert_digits(value, condition_root(ratio, "0.1", "0.9", "1.5", dps + MORE), dps)


@pytest.mark.parametrize("dps", DPS[:2])
def test_deep_max_init_hitting_gap_and_bounds(dps):
    case = dict(depth=3, ratio="1.5", s="0.1", f="0.9", target=2)
    threshold = separation.max_init(dps=dps + MORE, **case)
    assert_digits(separation.max_init(dps=dps, **case), threshold, dps)
    with mp.workdps(dps + MORE):
        init = threshold / 3
    assert_digits(separation.hitting_gap(init, dps=dps, **case), separation.hitting_gap(init, dps=dps + MORE, **case),
                  dps)
    values = {theorem2.BOUND_SYMBOLS[name]: value for name, value in
              (("N", 3), ("r", sp.Rational(3, 2)), ("s", sp.Rational(1, 10)), ("f", sp.Rational(9, 10)),
               ("sigma_j", 2))}
    bound = theorem2.bound("sufficient_deep")
    with mp.workdps(dps + MORE):
        reference = mp.mpf(str(sp.N(bound.subs(values), dps + MORE)))
    assert_digits(separation.bound_value(bound, dps=dps, **case), reference, dps)


@pytest.mark.parametrize("dps", DPS[:2])
def test_gd_replay_through_a_long_plateau(dps):
    """Rounding errors of w grow by N·amplification (about 2·10^4 here) along the plateau."""
    steps = [0, 1, 7, 2000, 4000]
    case = dict(depth=4, target=1, init="1e-4", step="0.02")
    run, reference = gd.replay(steps, dps=dps, **case), gd.replay(steps, dps=dps + MORE, **case)
    for value, exact in zip(run.sigma + run.deviation[1:], reference.sigma + reference.deviation[1:]):
        assert_digits(value, exact, dps)


def test_every_documented_dps_reaches_the_numerics():
    """A check at the largest --dps computes its references with guard digits on top (dps + 10 and more)."""
    top = arguments.MAX_DPS + 10
    one = toy.time_to("1.5", depth=1, target=2, init="0.01", dps=top)
    with mp.workdps(top + MORE):
        assert_digits(one, mp.log(mp.mpf("1.99") / mp.mpf("0.5")), top)
    assert arguments.working_dps(arguments.MAX_DPS + arguments.GUARD_DPS) == 2000
    with pytest.raises(arguments.ParameterError, match=r"integer in \[15, 1000\]"):
        arguments.dps(arguments.MAX_DPS + 1)  # what a user may ask for stays as documented
    with pytest.raises(arguments.ParameterError, match=r"integer in \[15, 2000\]"):
        arguments.working_dps(arguments.MAX_DPS + arguments.GUARD_DPS + 1)
