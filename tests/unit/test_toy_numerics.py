"""Theorem 1's evaluators against independent references: published tables, hand-derived formulas,
other integrators, other precisions."""

import contextlib
import doctest
from fractions import Fraction

import mpmath as mp
import pytest

import numerics.toy
from numerics import integrators, toy

# Reference values (computed independently): t_1/2 (time from σ0 to σ*/2) in the project convention, mpmath at 30 digits,
# printed to 12 significant digits: (σ0, N, σ*=1, σ*=2).
HALF_TIMES = [
    ("1e-2", 1, "0.683096844706", "0.688134638736"),
    ("1e-2", 2, "2.29755992507", "1.32332620618"),
    ("1e-2", 3, "3.76803678108", "1.97755857961"),
    ("1e-2", 4, "4.68341233846", "2.39328541398"),
    ("1e-2", 6, "5.35009736880", "2.68875876636"),
    ("1e-4", 1, "0.69304717556", "0.69309717931"),
    ("1e-4", 2, "4.60512018349", "2.47585938782"),
    ("1e-4", 3, "20.6930189477", "10.4344819297"),
    ("1e-4", 4, "49.7285798456", "24.9045562892"),
    ("1e-4", 6, "116.088515548", "58.0367379586"),
]


@pytest.mark.parametrize("init, depth, one, two", HALF_TIMES)
def test_half_times_match_the_reference_table(init, depth, one, two):
    for target, printed in ((1, one), (2, two)):
        value = toy.time_to(mp.mpf(target) / 2, depth=depth, target=target, init=init, dps=30)
        digits = len(printed.replace(".", "").lstrip("0"))
        assert abs(value - mp.mpf(printed)) / value < 10 ** (1 - digits)


def test_depth_one_and_two_match_hand_derived_logarithms():
    with mp.workdps(60):
        s, star, s0 = mp.mpf("1.5"), mp.mpf(2), mp.mpf("0.01")
        one = mp.log((star - s0) / (star - s))
        two = (mp.log(s / s0) + mp.log((star - s0) / (star - s))) / (2 * star)
        assert abs(toy.time_to("1.5", depth=1, target=2, init="0.01", dps=50) - one) < mp.mpf(10) ** -49
        assert abs(toy.time_to("1.5", depth=2, target=2, init="0.01", dps=50) - two) / two < mp.mpf(10) ** -49


def test_plateau_asymptotics():
    """t_1/2 ≈ σ0^{2/N−1}/((N−2)σ*) for σ0 ≪ σ* (numerics-notes §2: 99.15, 499.73, 2500.07 at σ0 = 1e-6)."""
    for depth, expected in ((3, "99.1497"), (4, "499.733"), (6, "2500.067")):
        value = toy.time_to("0.5", depth=depth, target=1, init="1e-6", dps=20)
        assert abs(value - mp.mpf(expected)) < mp.mpf("0.001"), depth


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 7, 12])
def test_extremes_against_quadrature(depth):
    """init as small as 1e-300 and σ within 1e-30 of the target, to 1e-40 at dps 50."""
    for init, sigma in (("1e-300", "0." + "9" * 30), ("1e-300", "2e-300"), ("0.25", "0.2500000000000000000000001"),
                        ("1e-12", "0.5")):
        closed = toy.time_to(sigma, depth=depth, target=1, init=init, dps=50)
        quad = integrators.quad_time_to(sigma, depth=depth, target=1, init=init, dps=60)
        with mp.workdps(80):
            assert abs(closed - quad) / quad < mp.mpf(10) ** -40, (init, sigma)


@pytest.mark.parametrize("depth", [1, 2, 3, 5, 8])
def test_sigma_at_inverts_time_to_including_ill_conditioned_plateaus(depth):
    """A plateau of length ~1e100 (N = 3, init 1e-300) makes σ(t) ill-conditioned by 100 digits;
    t is computed with 400 digits so that the round trip must come back to 50."""
    for sigma in ("0." + "9" * 30, "0.5", "1.0000000000000000000000000000001e-300"):
        time = toy.time_to(sigma, depth=depth, target=1, init="1e-300", dps=400)
        back = toy.sigma_at(time, depth=depth, target=1, init="1e-300", dps=50)
        with mp.workdps(80):
            assert abs(back - mp.mpf(sigma)) / mp.mpf(sigma) < mp.mpf(10) ** -48


def test_sigma_at_agrees_with_mpmath_odefun():
    for depth in (2, 3, 5):
        time = mp.mpf(3)
        closed = toy.sigma_at(time, depth=depth, target=2, init="0.01", dps=30)
        ode = integrators.odefun_sigma_at(time, depth=depth, target=2, init="0.01", dps=25)
        assert abs(closed - ode) / closed < mp.mpf(10) ** -20


def test_results_have_the_requested_precision_and_leave_mpmath_alone():
    before = mp.mp.dps
    value = toy.time_to("0.5", depth=3, target=1, init="0.01", dps=40)
    assert mp.mp.dps == before
    assert value.context.prec >= 40 * 3.32 - 5 or isinstance(value, mp.mpf)


@pytest.mark.parametrize("depth", [3, 5, 8])
def test_remembered_gamma_values_give_the_same_bits_at_every_precision(depth, monkeypatch):
    """G next to the target (its 2F1 near z = 1, transformed with gamma factors) with mpmath's gamma remembered, against
    the same evaluations without: each precision, visited up, down and up again, must get its own values."""
    def values():
        toy._evaluated.cache_clear()
        found = []
        for prec in (70, 200, 70, 400):
            with mp.workprec(prec):
                found += [toy._antiderivative(depth, level, Fraction(2))._mpf_
                          for level in (Fraction(19, 10), Fraction(1999, 1000))]
        return found

    for remembered in toy._GAMMAS:
        remembered.clear()
    kept = values()
    assert all(toy._GAMMAS), "no gamma value was remembered: the comparison below would prove nothing"
    monkeypatch.setattr(toy, "_gamma_memoized", contextlib.nullcontext)
    assert values() == kept


def test_mpmath_gamma_is_mpmaths_own_again_after_an_evaluation_or_a_failure():
    own = mp.mp.gamma, mp.mp.rgamma
    toy._evaluated.cache_clear()
    toy.time_to("1.99", depth=4, target=2, init="0.01", dps=30)
    assert (mp.mp.gamma, mp.mp.rgamma) == own
    with pytest.raises(ZeroDivisionError), toy._gamma_memoized():
        assert mp.mp.gamma is not own[0]
        raise ZeroDivisionError
    assert (mp.mp.gamma, mp.mp.rgamma) == own


def test_guess_only_changes_speed():
    exact = toy.sigma_at(30, depth=4, target=1, init="1e-4", dps=30)
    for guess in ("0.01", "0.3", "0.999"):
        assert toy.sigma_at(30, depth=4, target=1, init="1e-4", dps=30, guess=guess) == exact


def test_docstring_examples():
    assert doctest.testmod(numerics.toy).failed == 0
