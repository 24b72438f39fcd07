"""woodworth's layers: Q_α's derivations, the two routes to its minimiser, the ℓ1 programme against brute force,
the regime bounds, and the case strategy."""

import itertools
import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

from numerics import least_squares, woodworth as numbers
from theory import woodworth as theory
from theory.derivation import DerivationError
from verify.claims.woodworth import sparse_regressions

X = ((2, -1, 0, 1, 3, 1), (1, 2, -2, 0, 1, -1), (0, 1, 3, -1, 1, 2))
SPARSE = (0, 2, 0, 0, -1, 0)
Y = tuple(sum(a * b for a, b in zip(row, SPARSE)) for row in X)
PROBLEM = least_squares.problem(X, Y, [0] * 6)


def test_regulariser_derivation_holds_and_a_corrupted_q_fails_it():
    assert theory.regulariser_derivation().exact
    with theory.substituted(q=lambda value: theory._q(sp.Rational(103, 100) * value) / sp.Rational(103, 100) ** 2):
        with pytest.raises(DerivationError, match="asinh"):
            theory.regulariser_derivation()


@pytest.mark.parametrize("alpha", [Fraction(1, 10**5), Fraction(1, 10), Fraction(10)])
def test_mirror_path_interpolant_is_the_stated_minimiser(alpha):
    mirror = numbers.mirror_interpolant(PROBLEM, alpha, dps=40)
    stated = numbers.regulariser_minimiser(PROBLEM, alpha, dps=40)
    with mp.workdps(50):
        assert mp.norm(mp.matrix(mirror.beta) - mp.matrix(stated.beta)) < mp.mpf(10) ** -35
        beta = mp.matrix(stated.beta)
        x = mp.matrix([[mp.mpf(v) for v in row] for row in X])
        assert mp.norm(x * beta - mp.matrix(Y)) < mp.mpf(10) ** -35
        # KKT of the primal, directly: ∇Q_α(β) = asinh(β/(2α²)) lies in the row space of X
        scale = mp.mpf(alpha.numerator) / alpha.denominator
        gradient = mp.matrix([mp.asinh(b / (2 * scale**2)) for b in stated.beta])
        multipliers = mp.lu_solve(x * x.T, x * gradient)
        assert mp.norm(gradient - x.T * multipliers) < mp.mpf(10) ** -30 * mp.norm(gradient)
    assert stated.kkt["feasibility"] < 1e-12


def test_l1_programme_equals_the_best_basic_solution():
    """An ℓ1 minimiser over Xβ = y is attained at a basic solution (support of n columns): try them all."""
    x, y = np.array(X, float), np.array(Y, float)
    best = min(np.abs(np.linalg.solve(x[:, list(s)], y)).sum() for s in itertools.combinations(range(6), 3)
               if abs(np.linalg.det(x[:, list(s)])) > 1e-9)
    found = numbers.l1_interpolant(PROBLEM)
    assert np.abs(found.beta).sum() == pytest.approx(best, rel=1e-10)
    assert max(found.kkt.values()) < 1e-9


def test_the_two_sided_bound_behind_the_rich_gap():
    """b(A + log b − 1) ≤ α²q(b/α²) ≤ b(A + log b − 1) + 3α², A = log(1/α²) (docs/claims/vardi-classics.md §2.3)."""
    q = sp.lambdify(theory.z, theory.q(), modules="mpmath")
    with mp.workdps(40):
        for alpha in (mp.mpf("1e-6"), mp.mpf("0.01"), mp.mpf("0.5")):
            for b in (mp.mpf(0), mp.mpf("1e-9"), mp.mpf("0.003"), mp.mpf(1), mp.mpf(7)):
                value = alpha**2 * q(b / alpha**2)
                low = b * (mp.log(1 / alpha**2) + mp.log(b) - 1) if b else mp.mpf(0)
                assert low - mp.mpf(10) ** -30 <= value <= low + 3 * alpha**2


def test_rich_gap_is_within_its_bound_and_shrinks():
    l1 = numbers.l1_interpolant(PROBLEM)
    gaps = []
    for alpha in (Fraction(1, 10), Fraction(1, 100), Fraction(1, 10**4)):
        beta = [float(v) for v in numbers.mirror_interpolant(PROBLEM, alpha, dps=30).beta]
        gaps.append(np.abs(beta).sum() - np.abs(l1.beta).sum())
        assert -1e-9 <= gaps[-1] <= numbers.rich_gap_bound(beta, l1.beta, alpha)
    assert gaps[0] > gaps[1] > gaps[2]
    with pytest.raises(numbers.ParameterError, match="alpha"):
        numbers.rich_gap_bound(beta, l1.beta, 2)


def test_kernel_distance_falls_like_alpha_to_the_minus_four():
    least = np.linalg.pinv(np.array(X, float)) @ np.array(Y, float)
    distances = [np.linalg.norm(np.array([float(v) for v in numbers.mirror_interpolant(PROBLEM, a, dps=40).beta]) - least)
                 for a in (Fraction(10), Fraction(20))]
    assert math.log2(distances[0] / distances[1]) == pytest.approx(4, abs=1e-3)


@settings(max_examples=25, deadline=None)
@given(sparse_regressions())
def test_drawn_regressions_are_full_rank_with_nonzero_targets(case):
    assert least_squares.rank(case.inputs) == len(case.inputs) < len(case.sparse)
    assert any(case.targets) and sum(v != 0 for v in case.sparse) <= len(case.inputs)


# Written against mutants that mutmut left alive (docs/mutation-testing.md): the KKT reports, the `start`
# argument, the float stage as Newton's start, the damped step, the regime bound's value, the LP's residuals.

def _newton_steps(monkeypatch):
    """Counts the mpmath Newton steps (one call of _damped per step) of the next solver calls."""
    steps = []
    damped = numbers._damped
    monkeypatch.setattr(numbers, "_damped", lambda *args: steps.append(1) or damped(*args))
    return steps


@pytest.mark.parametrize("alpha", [Fraction(1, 1000), Fraction(1, 10), Fraction(10)])
def test_the_float_stage_hands_newton_a_start_in_its_quadratic_region(alpha, monkeypatch):
    """The float64 solvers exist to give Newton a start accurate to about 10 digits (their gtol is 1e-12): from
    there Newton's quadratic convergence reaches the 10^-(dps+10) of the dual gradient and the 10^-(2dps+20) of the
    decrement at dps 40 in 3 steps (10 → 20 → 40 → 80 digits ≥ 50). A float stage that hands over a poor start
    (a wrong gradient, Hessian or tolerance) costs the damped phase and more steps."""
    steps = _newton_steps(monkeypatch)
    numbers.mirror_interpolant(PROBLEM, alpha, dps=40)
    assert 1 <= len(steps) <= 3
    steps.clear()
    numbers.regulariser_minimiser(PROBLEM, alpha, dps=40)
    assert 1 <= len(steps) <= 3


def test_kkt_reports_name_their_residuals_relative_to_the_targets():
    """The documented KKT keys, and feasibility relative to ‖y‖: with targets 1000 times those of PROBLEM (‖y‖ ≈
    5900) the relative residual stays at the float solvers' level (≤ 1e-9; ≤ 1e-12 for the minimiser, whose
    iterate β_ℓ2 + N z is feasible by construction up to rounding, about 1e-16), while ‖Xβ − y‖·‖y‖ would be
    ≥ 3·10^7 times larger. The iteration counts are the float solvers' (integers ≥ 1 from the ℓ2 start)."""
    big = least_squares.problem(X, [1000 * v for v in Y], [0] * 6)
    mirror = numbers.mirror_interpolant(big, Fraction(1, 10), dps=20)
    stated = numbers.regulariser_minimiser(big, Fraction(1, 10), dps=20)
    assert set(mirror.kkt) == {"feasibility", "iterations"}
    assert set(stated.kkt) == {"stationarity", "feasibility", "iterations"}
    assert 0 <= mirror.kkt["feasibility"] < 1e-9 and 0 <= stated.kkt["feasibility"] < 1e-12
    assert 0 <= stated.kkt["stationarity"] < 1e-6
    for report in (mirror.kkt, stated.kkt):
        assert isinstance(report["iterations"], int) and report["iterations"] >= 1
    with mp.workdps(30):
        assert mp.norm(mp.matrix(mirror.beta) - mp.matrix(stated.beta)) < mp.mpf(10) ** -15 * mp.norm(mp.matrix(stated.beta))


def test_a_start_changes_the_work_not_the_answer(monkeypatch):
    """regulariser_minimiser from a given interpolant (here the minimiser itself, as mpmath numbers, the way a
    sweep over α passes the previous answer): the float solver starts at its optimum (0 iterations: the gradient
    there is ~1e-15, below gtol 1e-12) and the answer is the one from the ℓ2 start to 10^-30 (dps 30)."""
    cold = numbers.regulariser_minimiser(PROBLEM, Fraction(1, 10), dps=30)
    warm = numbers.regulariser_minimiser(PROBLEM, Fraction(1, 10), dps=30, start=cold.beta)
    assert cold.kkt["iterations"] >= 3 and warm.kkt["iterations"] == 0
    with mp.workdps(40):
        assert mp.norm(mp.matrix(cold.beta) - mp.matrix(warm.beta)) < mp.mpf(10) ** -30
    nearby = numbers.regulariser_minimiser(PROBLEM, Fraction(1, 9), dps=30)  # a start that is not the optimum
    steps = _newton_steps(monkeypatch)
    again = numbers.regulariser_minimiser(PROBLEM, Fraction(1, 10), dps=30, start=nearby.beta)
    assert 1 <= again.kkt["iterations"] < cold.kkt["iterations"] and len(steps) <= 3
    with mp.workdps(40):
        assert mp.norm(mp.matrix(cold.beta) - mp.matrix(again.beta)) < mp.mpf(10) ** -30


@pytest.mark.parametrize(("length", "step"), [(mp.mpf("3.1"), mp.mpf("0.25")), (mp.mpf("0.5"), mp.mpf(1)),
                                              (mp.mpf("1e-12"), mp.mpf(1))])
def test_damped_step_is_the_first_halving_that_passes_armijo(length, step):
    """f(p) = p² from p = 1 along d = −length, slope f'(1)·d = −2·length: the Armijo test f(1 − t·length) ≤ 1 −
    t·length/2 holds iff t·length ≤ 3/2, so the first of t = 1, 1/2, 1/4 … that passes is 1/4 for length 3.1
    (1/2 gives 1.55 > 1.5; a constant 1/5 would accept it, 1.6), 1 for 0.5; at a slope below 10^-10 the full step
    is taken without a test. Exact: these are binary fractions at 30 digits."""
    with mp.workdps(30):
        point, direction, gradient = mp.matrix([1]), mp.matrix([-length]), mp.matrix([2])
        found = numbers._damped(lambda p: p[0] ** 2, point, direction, gradient)
        assert found.rows == 1 and abs(found[0] - (1 - step * length)) <= mp.mpf(10) ** -28


def test_damped_step_takes_the_full_step_below_the_decrement_threshold():
    """Below a Newton decrement of 10^-10 the step is taken whole even where the Armijo test (here a function
    that increases along d) would refuse it (at 10^-11 and 5·10^-11); above it, the backtracking refuses and halves
    60 times."""
    with mp.workdps(30):
        rising = lambda p: p[0]  # noqa: E731  (increases along d = +δ, against the gradient −1 given)
        for delta, expected in ((mp.mpf("1e-11"), 1 + mp.mpf("1e-11")), (mp.mpf("5e-11"), 1 + mp.mpf("5e-11")),
                                (mp.mpf("1e-9"), 1 + mp.mpf("1e-9") / 2**60)):
            found = numbers._damped(rising, mp.matrix([1]), mp.matrix([delta]), mp.matrix([-1]))
            assert abs(found[0] - expected) <= mp.mpf(10) ** -28


def test_rich_gap_bound_value_by_hand():
    """(H(ℓ1) − H(β) + 3dα²)/log(1/α²) with H(v) = Σ|v_i|(log|v_i| − 1), 0·log 0 = 0, computed here in mpmath
    from the formula of docs/claims/vardi-classics.md §2.3 (entries below 1 and zeros included); float64
    agreement 1e-13 relative. α = 1 is refused (log(1/α²) = 0), as is α ≤ 0, naming alpha."""
    beta, l1 = (Fraction(1, 2), -2, 0, 3, Fraction(-1, 8)), (0, Fraction(-5, 2), 0, 4, 0)

    def entropy(vector):
        values = [mp.mpf(v.numerator) / v.denominator for v in map(Fraction, vector) if v]
        return mp.fsum(abs(v) * (mp.log(abs(v)) - 1) for v in values)

    for alpha in (Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)):
        with mp.workdps(40):
            a = mp.mpf(alpha.numerator) / alpha.denominator
            expected = (entropy(l1) - entropy(beta) + 3 * 5 * a**2) / mp.log(1 / a**2)
        assert numbers.rich_gap_bound(beta, l1, alpha) == pytest.approx(float(expected), rel=1e-13)
    for bad in (1, Fraction(3, 2), 0, -1):
        with pytest.raises(numbers.ParameterError) as error:
            numbers.rich_gap_bound(beta, l1, bad)
        assert error.value.parameter == "alpha"


def test_l1_residuals_are_the_documented_formulas(monkeypatch):
    """l1_interpolant's reports, with a stand-in for HiGHS returning a chosen primal p, q and dual λ for X = (1 2),
    y = 2: β = p − q = (1, −1/4); feasibility |Xβ − y|/|y| = |1/2 − 2|/2 = 3/4; dual feasibility
    max(‖Xᵀλ‖∞ − 1, 0) = 3 − 1 = 2 at λ = 3/2; duality gap |‖β‖₁ − yᵀλ|/‖β‖₁ = |5/4 − 3|/(5/4) = 7/5 (all exact
    in binary but 7/5: 1e-15). The programme handed to HiGHS is min 1ᵀ(p, q) over [X, −X](p, q) = y with the
    tolerances LP_TOLERANCE asked for; a failed solve raises."""
    from types import SimpleNamespace

    calls = []

    def highs(c, **kwargs):
        calls.append((np.asarray(c), kwargs))
        return SimpleNamespace(status=0, message="", x=np.array([1.0, 0.0, 0.0, 0.25]),
                               eqlin=SimpleNamespace(marginals=np.array([1.5])))

    monkeypatch.setattr(numbers, "linprog", highs)
    found = numbers.l1_interpolant(least_squares.problem([(1, 2)], [2], [0, 0]))
    assert found.beta == (1.0, -0.25)
    assert found.kkt == pytest.approx({"feasibility": 0.75, "dual_feasibility": 2.0, "duality_gap": 1.4}, rel=1e-15)
    (c, kwargs), = calls
    assert np.array_equal(c, np.ones(4)) and np.array_equal(kwargs["A_eq"], [[1.0, 2.0, -1.0, -2.0]])
    assert np.array_equal(kwargs["b_eq"], [2.0])
    assert kwargs["options"] == {"primal_feasibility_tolerance": numbers.LP_TOLERANCE,
                                 "dual_feasibility_tolerance": numbers.LP_TOLERANCE}
    monkeypatch.setattr(numbers, "linprog", lambda c, **kwargs: SimpleNamespace(status=2, message="infeasible"))
    with pytest.raises(ArithmeticError, match="infeasible"):
        numbers.l1_interpolant(least_squares.problem([(1, 2)], [2], [0, 0]))


def test_alpha_is_validated_by_name():
    """Both solvers refuse α ≤ 0 with a ParameterError naming alpha."""
    for solver in (numbers.mirror_interpolant, numbers.regulariser_minimiser):
        with pytest.raises(numbers.ParameterError) as error:
            solver(PROBLEM, 0, dps=20)
        assert error.value.parameter == "alpha"


@pytest.mark.parametrize("dps", [20, 50])
@pytest.mark.parametrize("alpha", [Fraction(1, 100), Fraction(10)])
def test_each_route_keeps_dps_digits_against_the_other_at_more_digits(alpha, dps):
    """10^-dps relative (‖·‖₂), the project's standard: the mirror-path interpolant at dps against the stated
    minimiser at dps + 20, and the other way round (two independent routes to one point). A Newton stopping rule
    looser than the documented 10^-(dps+10) (gradient) or 10^-(2dps+20) (decrement), or fewer working digits,
    loses digits at one of the two precisions."""
    with mp.workdps(dps + 40):
        for route, reference in ((numbers.mirror_interpolant, numbers.regulariser_minimiser),
                                 (numbers.regulariser_minimiser, numbers.mirror_interpolant)):
            value = mp.matrix(route(PROBLEM, alpha, dps=dps).beta)
            exact = mp.matrix(reference(PROBLEM, alpha, dps=dps + 20).beta)
            assert mp.norm(value - exact) <= mp.mpf(10) ** -dps * mp.norm(exact)



@pytest.mark.parametrize("alpha", [Fraction(1, 10**5), Fraction(1, 100)])
def test_newton_alone_converges_from_a_cold_start(alpha, monkeypatch):
    """The mpmath stages are globalised by the backtracking step, so they reach the same point without the float
    stage: with a stand-in for SciPy's minimize that returns its starting point (ν = 0 for the dual, the ℓ2
    interpolant for Q_α), Newton starts far from the answer (at α = 10^-5 the dual's ν is of order log(1/α²) ≈ 23
    away) and must take damped steps; the result equals the usual one to 10^-30 (dps 30)."""
    from types import SimpleNamespace

    usual = [solver(PROBLEM, alpha, dps=30).beta for solver in (numbers.mirror_interpolant, numbers.regulariser_minimiser)]
    monkeypatch.setattr(numbers, "minimize", lambda f, x0, **kwargs: SimpleNamespace(x=np.array(x0, float), nit=0))
    cold = [solver(PROBLEM, alpha, dps=30).beta for solver in (numbers.mirror_interpolant, numbers.regulariser_minimiser)]
    with mp.workdps(40):
        for a, b in zip(usual, cold):
            assert mp.norm(mp.matrix(a) - mp.matrix(b)) <= mp.mpf(10) ** -30 * mp.norm(mp.matrix(a))


def test_the_minimiser_follows_a_substituted_regulariser_and_returns_after_it():
    """The compiled forms of Q_α are keyed by the stated forms: under a substituted regulariser, the quadratic
    β²/(4α²), the minimiser is the ℓ2 interpolant (least squares' minimum norm); afterwards the stated one again."""
    alpha = Fraction(1, 10)
    stated = numbers.regulariser_minimiser(PROBLEM, alpha, dps=20)
    with theory.substituted(regulariser=lambda coordinate, scale: coordinate**2 / (4 * scale**2)):
        quadratic = numbers.regulariser_minimiser(PROBLEM, alpha, dps=20)
    again = numbers.regulariser_minimiser(PROBLEM, alpha, dps=20)
    minimum_norm = np.linalg.lstsq(np.array(X, dtype=float), np.array(Y, dtype=float), rcond=None)[0]
    # the minimiser is exact to 20 digits, NumPy's lstsq on this small well-conditioned X to a few ulps of |β| ≲ 2
    assert np.allclose([float(b) for b in quadratic.beta], minimum_norm, rtol=0, atol=1e-12)
    # at α = 1/10 the minimiser leans to the sparse β* (0.58 away from the ℓ2 one, measured): 10^-3 is a chosen margin
    assert max(abs(float(a) - float(b)) for a, b in zip(stated.beta, quadratic.beta)) > 1e-3
    assert [float(b) for b in again.beta] == [float(b) for b in stated.beta]
