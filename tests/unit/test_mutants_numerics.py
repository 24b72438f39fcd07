"""Numerics at the edges the other tests do not reach, written against mutants that mutmut left alive
(docs/mutation-testing.md): a closed form that cancels almost all its digits, a threshold that scales with
the target, Newton started badly, the parameter each bad input names, and the law of the OMP data.

Precision is demanded as in test_numerics_precision.py: 10^-dps relative at several dps, against an
independent formula or the same quantity with 40 more digits."""

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from numerics import arguments, gd, integrators, omp, quadratic, separation, svm, toy
from numerics.arguments import ParameterError, to_mpf
from theory import theorem2

DPS = [20, 50]
MORE = 40


def assert_digits(value, reference, dps):
    with mp.workdps(dps + MORE):
        error = abs(value - reference) / abs(reference)
        assert error <= mp.mpf(10) ** -dps, f"relative error {mp.nstr(error, 3)} at dps {dps}"


@pytest.mark.parametrize("dps", DPS)
@pytest.mark.parametrize("t", ["1e-60", "1e-200"])
def test_depth_one_solution_keeps_its_digits_when_the_closed_form_cancels(t, dps):
    """σ* − (σ* − σ0)e^{−t} at t ≪ 1 cancels −log10(t) digits (all of them at the first working precision for
    t = 1e-200); the reference σ0·e^{−t} − σ*·expm1(−t) does not cancel."""
    value = toy.sigma_at(t, depth=1, target=1, init="1e-300", dps=dps)
    with mp.workdps(dps + MORE):
        time, init = mp.mpf(t), mp.mpf("1e-300")
        assert_digits(value, init * mp.exp(-time) - mp.expm1(-time), dps)


@pytest.mark.parametrize("dps", DPS)
def test_the_threshold_scales_with_the_target(dps):
    """σ → σ/σ_j* maps the pair's flows onto those at target 1 with time rescaled, and the sign of the gap does
    not depend on the unit of time: max_init is linear in the target. At ratio 1000 the threshold lies close
    to s·target (1.99 of 2 here), between s/target and s·target."""
    case = dict(depth=2, ratio="1000", s="0.5", f="0.6")
    deep = dict(depth=3, ratio="1.5", s="0.1", f="0.9")
    with mp.workdps(dps + MORE):
        four = 4 * separation.max_init(target=1, dps=dps + MORE, **case)
        quarter = separation.max_init(target=1, dps=dps + MORE, **deep) / 4
    assert_digits(separation.max_init(target=4, dps=dps, **case), four, dps)
    assert_digits(separation.max_init(target="0.25", dps=dps, **deep), quarter, dps)


@pytest.mark.parametrize("start", ["top", "far below", "just below the root", "just above the root"])
def test_newton_finds_the_same_root_from_any_start(start):
    """The safeguarded Newton of max_init: from starts where plain Newton leaves the bracket, the bisection
    fallback keeps it inside, and the root is the one max_init reports (30 digits against 70)."""
    case = dict(depth=3, ratio="1.5", s="0.1", f="0.9")
    n, r, low, high, star = separation._pair(target=1, **case)
    with mp.workdps(70):
        root = mp.log(separation.max_init(dps=70, **case))
    with mp.workdps(40):
        top = mp.log(to_mpf(low * star))
        first = {"top": top - mp.mpf("1e-9"), "far below": root - 40, "just below the root": root - mp.mpf("1e-3"),
                 "just above the root": root + mp.mpf("1e-3")}[start]
        found = separation._newton(n, r, low, high, star, 40, top, first, 30)
        assert abs(found - root) <= mp.mpf(10) ** -28


@pytest.mark.parametrize("call, parameter", [
    (lambda: separation.max_init(depth=2, ratio=None, s="0.1", f="0.9"), "ratio"),
    (lambda: separation.max_init(depth=2, ratio="1.5", s=None, f="0.9"), "s"),
    (lambda: separation.max_init(depth=2, ratio="1.5", s="0.1", f=None), "f"),
    (lambda: omp.sparse_regression(np.random.default_rng(0), samples=0, features=1, sparsity=0), "samples"),
    (lambda: omp.sparse_regression(np.random.default_rng(0), samples=10**6 + 1, features=1, sparsity=0), "samples"),
    (lambda: omp.sparse_regression(np.random.default_rng(0), samples=1, features=0, sparsity=0), "features"),
    (lambda: omp.sparse_regression(np.random.default_rng(0), samples=1, features=10**6 + 1, sparsity=0), "features"),
    (lambda: omp.sparse_regression(np.random.default_rng(0), samples=1, features=2, sparsity=3), "sparsity"),
    (lambda: gd.monotone_step_limit(depth=2, target=0), "target"),
    (lambda: quadratic.eigenvalue_flow([1], init=0, times=[1], coupled=False), "init"),
    (lambda: svm.hard_margin(np.zeros((0, 2)), np.zeros(0)), "inputs"),
    (lambda: svm.hard_margin(np.zeros((2, 0)), np.ones(2)), "inputs"),
])
def test_bad_input_names_its_parameter(call, parameter):
    with pytest.raises(ParameterError) as raised:
        call()
    assert raised.value.parameter == parameter and str(raised.value).startswith(f"{parameter}=")


@pytest.mark.parametrize("s, f, parameter", [("1", "0.9", "s"), ("1.5", "0.9", "s"), ("0.1", "0", "f")])
def test_fractions_outside_the_unit_interval_are_named_as_such(s, f, parameter):
    with pytest.raises(ParameterError, match=rf"^{parameter}=.* must be in \(0, 1\)"):
        separation.max_init(depth=2, ratio="1.5", s=s, f=f)


def test_bad_targets_say_what_a_target_list_must_be():
    with pytest.raises(ParameterError, match=r"^targets=\[\] is invalid: targets must be a non-empty list of "
                                             r"eigenvalues >= 0$"):
        quadratic.eigenvalue_flow([], init=1, times=[1], coupled=False)


def test_the_smallest_data_sets_are_valid():
    x, truth, y = omp.sparse_regression(np.random.default_rng(0), samples=1, features=1, sparsity=0)
    assert x.shape == (1, 1) and not truth.any() and not y.any()


def test_sparse_regression_draws_a_support_of_exactly_k_features_with_values_one_plus_exponential_of_scale_ten():
    """Every feature in the support (k = d: without replacement each is drawn once); w* − 1 ~ Exp(scale 10):
    its mean within 5 standard errors (10/√k) of 10, its minimum just above 1 (the minimum of k draws of
    Exp(10) is Exp(10/k), 5e-4 on average)."""
    k = 20000
    _, truth, _ = omp.sparse_regression(np.random.default_rng(1), samples=1, features=k, sparsity=k)
    assert np.count_nonzero(truth) == k and len(np.unique(truth)) == k
    assert abs((truth - 1).mean() - 10) <= 5 * 10 / np.sqrt(k)
    assert 1 < truth.min() < 1 + 10 * 10 / k


def test_exact_numbers_are_read_as_real_arrays():
    """Fractions (object arrays) are converted, not passed through: the same selection and residuals as floats."""
    x = [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)], [Fraction(1, 2), Fraction(1, 2)]]
    y = [Fraction(3), Fraction(1), Fraction(2)]
    as_floats = np.array(x, dtype=float), np.array(y, dtype=float)
    assert omp.omp(x, y, tolerance=1e-12) == omp.omp(*as_floats, tolerance=1e-12)
    inputs, labels = [[Fraction(2), Fraction(0)], [Fraction(-2), Fraction(0)]], [Fraction(1), Fraction(-1)]
    solution = svm.hard_margin(inputs, labels)
    assert np.allclose(solution.weights, [0.5, 0.0], rtol=1e-12, atol=1e-12)  # margin 1 at |x₁| = 2
    residuals = svm.kkt_residuals(inputs, labels, [Fraction(1, 2), Fraction(0)], [Fraction(1, 8), Fraction(1, 8)])
    assert max(residuals.values()) <= 1e-15


def test_more_dimensions_than_points():
    """Two points in three dimensions: min ‖w‖² subject to w₁ ≥ 1 and −w₂ ≥ 1 is w = (1, −1, 0) (by hand)."""
    solution = svm.hard_margin([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [1.0, -1.0])
    assert np.allclose(solution.weights, [1.0, -1.0, 0.0], rtol=1e-12, atol=1e-12)
    assert abs(solution.margin - 1 / np.sqrt(2)) <= 1e-12


def test_step_counts_are_integers_from_zero_to_1e8_and_an_empty_list_is_named():
    assert arguments.step_counts("record", [0, 7, 10**8]) == (0, 7, 10**8)
    with pytest.raises(ValueError, match="^experiments\\[2\\].record is invalid: a non-empty list"):
        arguments.step_counts("experiments[2].record", [])
    for bad in (-1, 10**8 + 1):
        with pytest.raises(ParameterError) as raised:
            arguments.step_counts("record", [3, bad])
        assert raised.value.parameter == "record" and raised.value.value == bad


def test_a_first_order_bound_is_judged_only_inside_its_regime_and_the_reason_names_the_bound():
    assert gd.outside_regime(rounding_bound=gd.ROUNDING_REGIME) is None  # the O(η) bound defaults to 0
    assert gd.outside_regime(rounding_bound=2e-3) == (
        "the first-order rounding bound 0.002 exceeds 0.001 (a long plateau in low precision): outside the regime "
        "where it bounds the error")
    assert gd.outside_regime(step_bound=0.25) == (
        "the O(η) bound 0.25·σ* exceeds 0.1·σ*: the step is outside the regime where the first-order expansion "
        "in η controls the gap")


PAIR = dict(depth=3, ratio="1.5", s="0.1", f="0.9")
TOY = dict(depth=3, target=1, init="0.01")


@pytest.mark.parametrize("call, default", [
    (lambda **dps: toy.time_to("0.5", **TOY, **dps), 50),
    (lambda **dps: toy.sigma_at(2, **TOY, **dps), 50),
    (lambda **dps: integrators.quad_time_to("0.5", **TOY, **dps), 50),
    (lambda **dps: integrators.odefun_sigma_at("0.5", **TOY, **dps), 30),
    (lambda **dps: separation.hitting_gap("1e-3", **PAIR, **dps), 50),
    (lambda **dps: separation.max_init(**PAIR, **dps), 50),
    (lambda **dps: separation.bound_value(theorem2.bound("sufficient_deep"), **PAIR, **dps), 50),
    (lambda **dps: gd.replay([3], **TOY, step="0.1", **dps).sigma[-1], 30),
    (lambda **dps: quadratic.eigenvalue_gd([1], init="0.01", step="0.01", steps=[3], coupled=False, **dps)[0][0], 30),
])
def test_the_default_precision_is_the_documented_one(call, default):
    """A result is rounded to the working precision of its dps, so one digit more or less is a different number."""
    assert call() == call(dps=default) != call(dps=default + 1)


def test_replay_refuses_a_step_at_the_stability_limit_itself():
    """η·N·σ*^{2−2/N} = 2 exactly (depth 1, σ* = 1, η = 2: w ← 2 − w oscillates forever) is not below the limit."""
    with pytest.raises(ParameterError, match="stability limit"):
        gd.replay([1], depth=1, target=1, init=Fraction(1, 10), step=2)
    assert gd.replay([1], depth=1, target=1, init=Fraction(1, 10), step=Fraction(199, 100)).sigma


def test_replay_pays_for_the_amplification_it_measures(monkeypatch):
    """The replay's guard loop, with the replay itself replaced by one that reports a chosen amplification A:
    N·A = 4·10^12 needs log10(N·A) + 5 = 17 guard digits, more than the first 15, so the replay runs again with at
    least 17; N·A = 4·10^10 needs exactly 15, and the loop stops after one run."""
    calls = []

    def measured(amplification):
        def fake(marks, n, star, s0, eta):
            calls.append(mp.mp.dps)
            assert len(calls) <= 3, "the guard loop does not settle"
            return [mp.mpf(1)] * len(marks), [mp.mpf(0)] * len(marks), [mp.mpf(amplification)] * len(marks)
        return fake

    arguments_ = dict(depth=4, target=1, init=Fraction(1, 10), step=Fraction(1, 100), dps=30)
    monkeypatch.setattr(gd, "_replay", measured(10**12))
    gd.replay([1], **arguments_)
    assert len(calls) == 2 and calls[1] - calls[0] >= 2
    calls.clear()
    monkeypatch.setattr(gd, "_replay", measured(10**10))
    gd.replay([1], **arguments_)
    assert len(calls) == 1


def test_replay_amplification_at_the_fixed_point_is_the_maps_derivative():
    """Once w stops moving at the working precision the amplification recurrence A ← (A + 1)·r uses the map's
    derivative r = 1 − η N σ*^{2−2/N}, so A settles at r/(1 − r): depth 3, σ* = 2, η = 1/20 gives
    r = 1 − 0.15·2^{4/3} ≈ 0.62, A* ≈ 1.65 (a wrong rate, e.g. N σ*(2 − 2/N) = 8 for N σ*^{4/3} = 7.56, settles at
    1.5). Tolerance 10^-12: the recurrence forgets its start like r^k (k in the thousands) and runs at 15 digits
    plus guard digits, so only its rounding, about 10^-15 per step amplified by 1/(1 − r) < 3, remains."""
    replay = gd.replay([3000], depth=3, target=2, init=Fraction(3, 2), step=Fraction(1, 20), dps=15)
    with mp.workdps(30):
        r = 1 - mp.mpf(1) / 20 * 3 * mp.mpf(2) ** (mp.mpf(4) / 3)
        assert abs(replay.amplification[0] - r / (1 - r)) <= mp.mpf(10) ** -12


@pytest.mark.parametrize("dps", DPS)
@pytest.mark.parametrize("depth, ratio", [(2, "1.05"), (3, 11), (5, "1.5"), (4, 11)])
def test_the_threshold_scales_with_the_target(depth, ratio, dps):
    """Time rescales with σ_j*, so the threshold is σ_j* times the threshold at σ_j* = 1: checked at targets 10^-3
    and 10^3 to 10^-dps, including large ratios, where the threshold is a sizeable fraction of s·σ_j* (so a search
    bracket or a time measured at the wrong scale shows)."""
    unit = separation.max_init(depth=depth, ratio=ratio, s="0.25", f="0.75", dps=dps + MORE)
    for target in (Fraction(1, 1000), 1000):
        scaled = separation.max_init(depth=depth, ratio=ratio, s="0.25", f="0.75", target=target, dps=dps)
        with mp.workdps(dps + MORE):
            expected = unit * to_mpf(target)
        assert_digits(scaled, expected, dps)


def test_the_march_that_finds_no_incremental_init_says_why():
    with pytest.raises(separation.NoIncrementalInit, match=r"no incremental init found \(is a closed form wrong, or "
                                                           r"the ratio too close to 1\?\)"):
        separation.max_init(depth=2, ratio=1 + Fraction(1, 10**7), s="0.25", f="0.75", dps=15)


def test_quadrature_time_to_the_init_itself_is_zero():
    assert integrators.quad_time_to("1e-3", depth=3, target=1, init="1e-3") == 0


@pytest.mark.parametrize("dps", DPS)
@pytest.mark.parametrize("depth, init, sigma", [
    (1, "1e-300", "0.999999999999"),  # p = 1: the plateau and the approach to σ*, each over hundreds in y
    (2, "1e-300", "0.5"),  # p = 0: a flat integrand over 690 in y
    (3, "1e-300", "0.5"),  # p = −1/3: e^{py} over a long plateau
    (8, "1e-40", "0.999999999999999999999999999999"),  # p = −3/4, and 69 in y past the transition
    (3, "0.4", "0.41"),  # a short range inside the transition |y| < 24
])
def test_quadrature_keeps_its_digits_over_plateaus_and_tails(depth, init, sigma, dps):
    """Tanh-sinh over the breakpoints against the closed form (2F1, another method) to 10^-dps relative, on the
    ranges the breakpoints are for: long plateaus, long tails towards σ*, short ranges."""
    expected = toy.time_to(sigma, depth=depth, target=1, init=init, dps=dps + MORE)
    assert_digits(integrators.quad_time_to(sigma, depth=depth, target=1, init=init, dps=dps), expected, dps)


@pytest.mark.parametrize("keywords, parameter", [
    (dict(level="nan", target=1, init="0.1"), "level"), (dict(level="0.5", target="inf", init="0.1"), "target"),
    (dict(level="0.5", target=1, init="nan"), "init")])
def test_float64_resolvable_names_the_bad_parameter(keywords, parameter):
    with pytest.raises(ParameterError) as failure:
        integrators.float64_resolvable(**keywords)
    assert failure.value.parameter == parameter


def test_float64_resolvable_at_its_two_boundaries():
    """A level exactly SCIPY_MIN_SEPARATION (relative) above the init is resolvable; near a target of 1000 the
    separation is relative to the target: 10^-7 of it is not enough."""
    separation_ = Fraction(integrators.SCIPY_MIN_SEPARATION)  # the float's exact value
    assert integrators.float64_resolvable(1, target=2, init=1 - separation_)
    assert not integrators.float64_resolvable(1000 * (1 - Fraction(1, 10**7)), target=1000, init=1)


@pytest.mark.parametrize("plateau, refused", [(Fraction(13, 10), True), (Fraction(7, 10), False)])
def test_float64_solves_refuse_plateaus_beyond_1e10_transition_widths(plateau, refused):
    """Depth 3, σ* = 4: the transition's width is 1/(N σ*^{4/3}) and the time to σ*/2 is bounded by
    1.01 (σ0^{-1/3} − (σ*/2)^{-1/3}) / (N (1/3) σ*/2) (its docstring's integral). The init whose bound is
    plateau × 10^10 widths, solved by hand from that formula, is refused at 1.3 and accepted at 0.7."""
    n, star = 3, 4
    with mp.workdps(40):
        width = 1 / (n * mp.mpf(star) ** (mp.mpf(4) / 3))
        bound = to_mpf(plateau) * 10**10 * width
        root = (bound - mp.mpf("1e-12")) / mp.mpf("1.01") * (n * mp.mpf(1) / 3 * (star - mp.mpf(star) / 2)) \
            + (mp.mpf(star) / 2) ** (-mp.mpf(1) / 3)
        init = Fraction(mp.nstr(root ** -3, 30))
    if refused:
        with pytest.raises(ParameterError, match="plateau lasts") as failure:
            integrators.scipy_sigma_at([1.0], depth=n, target=star, init=init)
        assert failure.value.parameter == "init"
    else:
        assert integrators.scipy_sigma_at([1.0], depth=n, target=star, init=init)[0] > 0
