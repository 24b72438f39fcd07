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
