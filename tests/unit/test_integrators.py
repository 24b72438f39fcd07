"""The independent integrators against the closed form, at the tolerances docs/claims/thm1.md §3 derives."""

import mpmath as mp
import pytest

from numerics import integrators, toy


@pytest.mark.parametrize("method", ["DOP853", "Radau"])
@pytest.mark.parametrize("depth, init", [(1, "1e-300"), (2, "1e-300"), (3, "1e-6"), (4, "1e-4"), (6, "1e-6"), (8, "0.3")])
def test_scipy_event_times_within_1e_9(method, depth, init):
    levels = [level for level in ("0.01", "0.5", "1.9", "1.99999") if mp.mpf(level) > mp.mpf(init) * (1 + 1e-6)]
    times = integrators.scipy_times_to(levels, depth=depth, target=2, init=init, method=method)
    for level, time in zip(levels, times):
        exact = float(toy.time_to(level, depth=depth, target=2, init=init, dps=30))
        assert abs(time - exact) / exact < 1e-9, level


def test_scipy_sigma_within_plateau_amplified_tolerance():
    """σ at a time is amplified by the condition number σ̇·t/σ; 1e-9 × (1 + condition) bounds it."""
    for depth, init in ((3, "1e-6"), (6, "1e-6"), (8, "1e-4")):
        times = [toy.time_to(level, depth=depth, target=2, init=init, dps=30) for level in ("0.001", "1", "1.9")]
        values = integrators.scipy_sigma_at(times, depth=depth, target=2, init=init)
        for level, time, value in zip(("0.001", "1", "1.9"), times, values):
            s = float(level)
            condition = depth * s ** (1 - 2 / depth) * (2 - s) * float(time)
            assert abs(value - s) / s < 1e-9 * (1 + condition)


def test_quadrature_and_closed_form_agree_at_high_precision():
    for depth in (3, 4, 5, 7, 10):
        for fraction in ("0.1", "0.5", "0.9", "0.999"):
            closed = toy.time_to(fraction, depth=depth, target=1, init="1e-3", dps=60)
            quad = integrators.quad_time_to(fraction, depth=depth, target=1, init="1e-3", dps=60)
            with mp.workdps(80):
                assert abs(closed - quad) / closed < mp.mpf(10) ** -50


@pytest.mark.parametrize("bits", [53, 200, 333])
@pytest.mark.parametrize("depth", [1, 2, 3, 7, 12])
def test_the_quadrature_integrand_is_the_plain_expression_bit_for_bit(bits, depth):
    """The raw-number integrand rounds exactly where the mpf expression does: equal values, not close ones. The
    nodes y carry more bits than the working precision (as a quadrature's may), so a -y not rounded first shows."""
    with mp.workprec(bits):
        sm, p = mp.mpf(13) / 4, mp.mpf(2) / depth - 1
        scale = mp.mpf(7) / 3
        integrand = integrators._scaled_rate(sm, p, depth * sm, scale)
        with mp.workprec(bits + 40):
            nodes = [mp.mpf(y) / 3 for y in (-2100, -700, -1, 0, 1, 5, 77, 900, 3000)] + [mp.pi * 10 ** k for k in (-9, 0, 2)]
        for y in nodes:
            assert integrand(y) == (sm / (1 + mp.exp(-y))) ** p / (depth * sm) / scale, (bits, depth, y)


@pytest.mark.parametrize("dps", [20, 60])
@pytest.mark.parametrize("depth", [1, 2, 3, 7])
def test_quadratures_sharing_intervals_are_mp_quad_bit_for_bit(dps, depth):
    """Each interval's tanh-sinh sum is kept for the next quadrature of the same integrand: every level, the ones
    after it sharing its intervals, equals mp.quad over the same breakpoints exactly, not closely."""
    integrators._INTERVALS.clear()
    intervals = 0
    with mp.workdps(dps):
        sm, p = mp.mpf(13) / 4, mp.mpf(2) / depth - 1
        y0 = mp.log(mp.mpf("1e-9")) - mp.log(sm - mp.mpf("1e-9"))
        for y1 in (mp.mpf(-30), mp.mpf(-1) / 3, mp.mpf(7), mp.mpf(90)):
            rate = integrators._scaled_rate(sm, p, depth * sm, mp.mpf(1))
            scale = max(rate(y0), rate(y1))
            integrand, points = integrators._scaled_rate(sm, p, depth * sm, scale), integrators._breakpoints(y0, y1, p)
            assert integrators._tanh_sinh(integrand, points, (depth, sm, scale)) == mp.quad(integrand, points)
            intervals += len(points) - 1
    if depth > 1:  # (at depth 1 the integrand rises: each level scales it by its own end, so nothing is shared)
        assert len(integrators._INTERVALS) < intervals
