"""Theorem 1's numerics (numerics/toy.py) where the other tests do not reach, written against mutants that mutmut
left alive (docs/mutation-testing.md): targets far from 1 and long plateaus (where the guard digits are sized by
conditioning estimates), σ(t) above σ*/2 at depth ≥ 3, a guess, σ at the init, complex intermediates, and the
float64 and mpmath compilations of one closed form side by side.

References are independent of the code under test: σ(t) is checked by its inverse t(σ) (the closed form, 40 digits
higher) and by mpmath's ODE solver; t(σ) by tanh-sinh quadrature of the ODE. Precision is demanded as the API
promises it: 10^-dps relative, at several dps."""

from fractions import Fraction

import mpmath as mp
import pytest

from numerics import integrators, toy
from numerics.arguments import ParameterError, to_mpf

DPS = [20, 40]
MORE = 40


def assert_digits(value, reference, dps):
    with mp.workdps(dps + MORE):
        reference = to_mpf(reference) if isinstance(reference, Fraction) else reference
        error = abs(value - reference) / abs(reference)
        assert error <= mp.mpf(10) ** -dps, f"relative error {mp.nstr(error, 3)} at dps {dps}"


# σ(t) at depth ≥ 3: its inverse, and the ODE -------------------------------------------------------------
# (depth, target, init, level): σ(t(level)) must give level back. Targets far from 1 make the conditioning
# estimate σ̇·t/σ ≈ N σ*^(2−2/N) t differ by tens of digits from a wrong one; a small init makes the plateau long.
ROUND_TRIPS = [
    (3, Fraction(1), Fraction(1, 10**40), Fraction(9, 10)),  # above σ*/2
    (3, Fraction(10**10), Fraction(1, 10**30), Fraction(10**10) / 3),  # large target: σ̇ ~ σ*^(4/3)
    (4, Fraction(1, 10**8), Fraction(1, 10**60), Fraction(3, 4 * 10**8)),  # small target
    (5, Fraction(7, 2), Fraction(1, 10**20), Fraction(7, 2) * (1 - Fraction(1, 10**25))),  # 25 digits from σ*
    (3, Fraction(2), Fraction(1, 100), Fraction(2, 100)),  # just above the init: Newton's bracket starts there
    (3, Fraction(10**10), Fraction(1, 10**110), Fraction(10**10) / 2),  # σ̇·t/σ ≈ 1e40: 40 digits of conditioning
]


@pytest.mark.parametrize("dps", DPS)
@pytest.mark.parametrize("depth, target, init, level", ROUND_TRIPS)
def test_sigma_at_inverts_time_to(depth, target, init, level, dps):
    # t to dps + 90 digits: σ(t) amplifies a relative error of t by σ̇·t/σ, at most 10^40 here
    time = toy.time_to(level, depth=depth, target=target, init=init, dps=dps + 90)
    value = toy.sigma_at(Fraction(mp.nstr(time, dps + 90)), depth=depth, target=target, init=init, dps=dps)
    assert_digits(value, level, dps)


@pytest.mark.parametrize("depth", [3, 4])
def test_sigma_at_follows_the_ode_above_half_the_target(depth):
    """mpmath's Taylor ODE solver, an independent route, at times where σ is past σ*/2 (1.2 and 1.9 of 2)."""
    for level in (1.2, 1.9):
        t = Fraction(toy.float_time_to(level, depth=depth, target=2.0, init=0.01)).limit_denominator(1000)
        value = toy.sigma_at(t, depth=depth, target=2, init="0.01", dps=20)
        assert value > 1
        assert_digits(value, integrators.odefun_sigma_at(t, depth=depth, target=2, init="0.01", dps=20 + 10), 18)


def test_newton_converges_from_far_right_of_the_root():
    """σ* = 1e10 and σ0/σ* = 1e-120 at depth 3: t(σ) is nearly flat in the logit y for y ≫ 0 (σ ≈ σ*), so the march
    ends far right of the root and the first Newton step moves y by hundreds while σ barely moves at the start; the
    rough 15-digit stage must still end at the root (once it stopped there, 15 % off, and only the polishing stage
    hid it)."""
    star, init = Fraction(10**10), Fraction(1, 10**110)
    time = toy.time_to(star / 2, depth=3, target=star, init=init, dps=150)
    with mp.workdps(60):
        y = toy._halley_logit(Fraction(mp.nstr(time, 150)), 3, star, init, 60, None, 15)
        assert abs(toy._from_logit(y, star) / to_mpf(star) - mp.mpf(1) / 2) <= mp.mpf(10) ** -15


@pytest.mark.parametrize("start", [None, "init", -30, 0, 40, 300])
def test_the_iteration_finds_sigma_from_any_start(start):
    """The float64 start is only a start: from none (the march from the init), from just right of the init, from
    far left or right of the root (where t(y) is flat, σ ≈ σ*, and a step lands far left, past the init: the
    bracket's bisection takes over), the safeguarded iteration ends at the root, to its digits."""
    star, init, level = Fraction(3, 2), Fraction(1, 10**6), Fraction(3, 4)
    time = Fraction(mp.nstr(toy.time_to(level, depth=5, target=star, init=init, dps=80), 80))
    with mp.workdps(60):
        lowest = toy._logit(init, star)
        first = {None: None, "init": lowest + mp.mpf(10) ** -30}.get(start, start)
        y = toy._halley_logit(time, 5, star, init, 60, first, 40)
        assert_digits(toy._from_logit(y, star), level, 40)


# the guess -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("guess", ["0.69834", "1e-9", "0.9999999", "5", 0])
def test_a_guess_only_speeds_up_sigma_at(guess):
    """Anywhere in (init, target), outside it (clamped into it), exact or far off: the same σ(t) to dps digits."""
    plain = toy.sigma_at(50, depth=4, target=1, init="1e-4", dps=30)
    assert_digits(toy.sigma_at(50, depth=4, target=1, init="1e-4", dps=30, guess=guess), plain, 30)


def _evaluations_of_t(monkeypatch) -> list:
    """Each full evaluation of t(σ) at any precision appends its precision in digits."""
    calls = []
    evaluate = toy._time_to
    monkeypatch.setattr(toy, "_time_to", lambda *arguments: calls.append(arguments[-1]) or evaluate(*arguments))
    return calls


@pytest.mark.parametrize("dps", [30, 100])
@pytest.mark.parametrize("guess", [None, "0.69", "0.9"])
def test_sigma_at_polishes_its_float64_start_with_two_evaluations(monkeypatch, dps, guess):
    """Halley's iteration in float64 gives ~13 digits of the logit; at full precision, one cubic step leaves ~40
    and a second passes the working precision (at dps 100, 115 digits, a Newton step's 26 and 52 would need a
    third; the plain march and bisection many more)."""
    calls = _evaluations_of_t(monkeypatch)
    toy.sigma_at(50, depth=4, target=1, init="1e-4", dps=dps, guess=guess)
    assert len(calls) == 2 and min(calls) > dps


@pytest.mark.parametrize("depth", [3, 4, 7, 12])
@pytest.mark.parametrize("init", [Fraction(1, 10), Fraction(1, 10**4), Fraction(1, 10**12)])
def test_sigma_at_starts_from_float64_everywhere_float64_resolves_sigma(monkeypatch, depth, init):
    """From σ = 2σ0 to within 1e-12 of σ* (where float64's σ has 4 digits of σ* − σ left), after plateaus up to
    t ≈ 7e8 (where float64's t(y) has ~6 digits): at most three evaluations of t at full precision, none at a lower
    one, and σ to its dps digits. At dps 100 (115 working digits) Halley's tripling takes a start of 6 digits past
    them in three steps (6 → 18 → 54, and 162 predicted), one of 13 in two, one of 3 only in four."""
    star = Fraction(3, 2)
    for fraction in (Fraction(1, 10**3), Fraction(1, 2), Fraction(99, 100), 1 - Fraction(1, 10**6), 1 - Fraction(1, 10**12)):
        level = max(2 * init, star * fraction)
        time = Fraction(mp.nstr(toy.time_to(level, depth=depth, target=star, init=init, dps=140), 140))
        calls = _evaluations_of_t(monkeypatch)
        value = toy.sigma_at(time, depth=depth, target=star, init=init, dps=100)
        assert len(calls) <= 3 and min(calls) > 100, (fraction, calls)
        assert_digits(value, level, 100)
        monkeypatch.undo()


@pytest.mark.parametrize("depth, target, init, level", [
    (3, 1, Fraction(1, 10**400), Fraction(1, 10**300)),  # an init below float64's range
    (4, 1, Fraction(1, 10**400), Fraction(1, 2)),  # and a time beyond it (t ≈ 1e200 ... 1e300)
    (3, 10**400, 1, Fraction(10**400, 2)),  # a target beyond it
])
def test_sigma_at_inverts_beyond_float64s_range(depth, target, init, level):
    """The float64 start gives way (None) to the low-precision stage where a parameter or the time is not a
    float64 number (it once raised: a log of 0, an overflow). The time is passed exactly: σ(t) is conditioned by
    σ̇·t/σ, up to 1e300 here."""
    time = toy._fraction(toy.time_to(level, depth=depth, target=target, init=init, dps=700))
    for guess in (None, level):
        assert_digits(toy.sigma_at(time, depth=depth, target=target, init=init, dps=20, guess=guess), level, 20)


def test_a_guess_saves_evaluations_where_float64_cannot_locate_sigma(monkeypatch):
    """σ(3000) at depth 4 lies within 1e-800 of σ* = 1, where float64 rounds σ to σ*: the low-precision stage
    starts from the guess instead of marching from the init."""
    exact = toy.sigma_at(3000, depth=4, target=1, init="1e-4", dps=30)
    assert toy._float_logit(Fraction(3000), 4, Fraction(1), Fraction(1, 10**4), None) is None
    calls = _evaluations_of_t(monkeypatch)
    toy.sigma_at(3000, depth=4, target=1, init="1e-4", dps=30)
    without = len(calls)
    calls.clear()
    assert toy.sigma_at(3000, depth=4, target=1, init="1e-4", dps=30, guess=mp.nstr(exact, 12)) == exact
    assert len(calls) < without


def test_a_bad_guess_is_named():
    with pytest.raises(ParameterError, match="^guess=nan is invalid: guess must be"):
        toy.sigma_at(50, depth=4, target=1, init="1e-4", guess="nan")


# t(σ) ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_no_time_passes_at_the_init(depth):
    assert toy.time_to("1e-3", depth=depth, target=1, init="1e-3") == 0


@pytest.mark.parametrize("dps", DPS)
def test_time_to_keeps_its_digits_next_to_a_large_target(dps):
    """σ within 10^-40 (relative) of σ* = 1e20: the log singularity of G costs 40 digits of 1 − σ/σ*, paid for with
    guard digits sized by (σ* − σ)/σ*; quadrature of dt/dσ in the logit variable is the reference."""
    target = Fraction(10**20)
    level, init = target * (1 - Fraction(1, 10**40)), Fraction(1, 10**3)
    value = toy.time_to(level, depth=3, target=target, init=init, dps=dps)
    assert_digits(value, integrators.quad_time_to(level, depth=3, target=target, init=init, dps=dps + 10), dps)


@pytest.mark.parametrize("gap", [30, 300, 1200])
def test_time_to_pays_for_the_cancellation_next_to_the_init(gap):
    """σ − σ0 = 10^-gap σ0: G(σ) − G(σ0) cancels gap digits (rounding noise of either sign until the precision
    resolves σ − σ0: once returned as a negative time); t ≈ (σ − σ0)/(N σ0^(2−2/N)(σ* − σ0)) to first order, with a
    relative remainder of order 10^-gap."""
    init = Fraction(1, 10)
    level = init * (1 + Fraction(1, 10**gap))
    value = toy.time_to(level, depth=2, target=1, init=init, dps=20)
    with mp.workdps(gap + 100):
        slope = 2 * to_mpf(init) * (1 - to_mpf(init))  # N σ0^(2−2/N)(σ* − σ0) at N = 2
        reference = to_mpf(level - init) / slope
    assert_digits(value, reference, min(20, gap - 5))


# compilations and complex intermediates --------------------------------------------------------------------
def test_float64_and_mpmath_compilations_of_one_form_are_kept_apart():
    """float_time_to compiles G with SciPy's float64 2F1; a later time_to at 40 digits must not reuse it."""
    toy._COMPILED.clear()
    toy._evaluated.cache_clear()
    estimate = toy.float_time_to(0.5, depth=3, target=1.0, init=1e-4)
    value = toy.time_to("0.5", depth=3, target=1, init="1e-4", dps=40)
    assert_digits(value, integrators.quad_time_to("0.5", depth=3, target=1, init="1e-4", dps=50), 40)
    assert abs(estimate - float(value)) <= 1e-9 * float(value)


def test_a_real_value_is_kept_and_a_complex_one_is_refused():
    with mp.workdps(30):
        assert toy._real(mp.mpf(2)) == 2
        tolerated = 3 * mp.mpf(10) ** -20  # (|v| + 1)·10^(10 − dps) at |v| = 2, dps 30
        assert toy._real(mp.mpc(2, tolerated / 2)) == 2  # a rounding residue of a complex intermediate
        assert toy._real(mp.mpc(0, mp.mpf(10) ** -21)) == 0
        for imaginary in (tolerated * 2, mp.mpf("1e-5"), mp.mpf(1)):
            with pytest.raises(ArithmeticError, match="complex"):
                toy._real(mp.mpc(2, imaginary))
