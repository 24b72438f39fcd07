"""minnorm's layers: the derivations, the SVD reference against exact rationals, the spectrum, the batched
regression trainer against hand-derived steps, and the case strategy's guarantees."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

from numerics import least_squares as numbers
from numerics.arguments import ParameterError
from theory import least_squares as theory
from theory.identities import NotProven
from verify.claims.minnorm import interpolation_cases
from verify.training import regression

X = ((3, 1, 0, 1), (1, -4, 2, 0))
Y = (1, 2)
W0 = (1, 0, -1, 2)


def test_derivations_are_exact_for_symbolic_dimensions():
    for derivation in (theory.gradient_descent(), theory.closest_interpolant()):
        assert derivation.exact and len(derivation.steps) >= 8


def test_matrix_zero_refuses_a_false_identity():
    with pytest.raises(NotProven):
        theory.matrix_zero(theory.projector() - sp.Identity(theory.d))
    wrong = theory.X * (theory.w0 + sp.Rational(103, 100) * theory.PSEUDO_INVERSE * (theory.y - theory.X * theory.w0))
    with pytest.raises(NotProven):
        theory.matrix_zero(wrong - theory.y)


def test_svd_limit_equals_the_exact_rational_limit_and_numpy():
    exact = theory.limit(sp.Matrix(X), sp.Matrix(Y), sp.Matrix(W0))
    assert list(exact) == [Fraction(8, 115), Fraction(-197, 230), Fraction(-86, 115), Fraction(379, 230)]
    svd = numbers.limit_by_svd(numbers.problem(X, Y, W0), dps=60)
    assert max(abs(float(svd[i] - sp.Float(exact[i], 80))) for i in range(4)) < 1e-50
    x, w0 = np.array(X, float), np.array(W0, float)
    assert np.allclose([float(v) for v in exact], w0 + np.linalg.pinv(x) @ (np.array(Y) - x @ w0), rtol=1e-14)


def test_spectrum_and_iteration_norm():
    problem = numbers.problem(X, Y, W0)
    values = np.linalg.eigvalsh(np.array(X, float) @ np.array(X, float).T)
    assert np.allclose([float(v) for v in numbers.spectrum(problem, dps=30)], values, rtol=1e-14)
    for step in (Fraction(1, 50), Fraction(1, 12), Fraction(3, 20)):
        expected = max(abs(1 - float(step) * values))
        assert float(numbers.iteration_norm(problem, step, dps=30)) == pytest.approx(expected, rel=1e-13)
    assert float(numbers.stable_step_limit(problem)) == pytest.approx(2 / values[-1], rel=1e-14)


@pytest.mark.parametrize(("inputs", "targets", "init", "name"), [
    (((1, 2, 3), (2, 4, 6)), (1, 2), (0, 0, 0), "inputs"),  # rank 1
    (((1, 2), (3, 4)), (1, 2), (0, 0), "inputs"),  # square: not under-determined
    (X, (1,), W0, "targets"),
    (X, Y, (1, 2), "init"),
])
def test_bad_problems_name_the_parameter(inputs, targets, init, name):
    with pytest.raises(ParameterError, match=f"^{name}="):
        numbers.problem(inputs, targets, init)


def test_linear_gd_follows_the_closed_form_iterate_and_batches_independently():
    x, y, w0 = np.array(X, float), np.array(Y, float), np.array(W0, float)
    step, steps = 0.05, 37
    limit = w0 + np.linalg.pinv(x) @ (y - x @ w0)
    expected = limit + np.linalg.matrix_power(np.eye(4) - step * x.T @ x, steps) @ (w0 - limit)
    data = [regression.Data(x, y), regression.Data(x[:1, :3], y[:1])]
    experiments = [regression.Experiment(0, step, steps, init=tuple(W0), record=(0, 10, steps, 100)),
                   regression.Experiment(1, 0.1, 5, record=(5,))]
    batch = regression.train("linear", experiments, data, device="cpu")
    alone = regression.train("linear", experiments[:1], data, device="cpu")
    assert np.abs(batch.final[0] - expected).max() < 1e-14
    assert np.array_equal(batch.final[0], alone.final[0]) and batch.stopped.tolist() == [steps, 5]
    assert np.array_equal(batch.recorded[0][2], batch.recorded[0][3])  # a record after the stop keeps the final β
    assert batch.finite.all() and batch.dtype == "float64"


def test_diagonal_model_first_step_by_hand():
    """u = v = α: the residual is −y, ∇_u = 2u⊙Xᵀr, ∇_v = −2v⊙Xᵀr, so β₁ = (α − 2ηαg)² − (α + 2ηαg)² = −8ηα²g,
    g = Xᵀr = −Xᵀy."""
    x, y = np.array(X, float), np.array(Y, float)
    alpha, step = 0.3, 0.01
    run = regression.train("diagonal", [regression.Experiment(0, step, 1, scale=alpha)], [regression.Data(x, y)],
                           device="cpu")
    assert np.allclose(run.final[0], 8 * step * alpha**2 * (x.T @ y), rtol=1e-14, atol=0)


def test_stopping_divergence_and_bad_arguments():
    x, y = np.array(X, float), np.array(Y, float)
    data = [regression.Data(x, y)]
    run = regression.train("linear", [regression.Experiment(0, 0.05, 10**5, tolerance=1e-9),
                                      regression.Experiment(0, 0.2, 1000)], data, device="cpu")
    assert run.final_residual[0] <= 1e-9 and run.stopped[0] < 10**5
    assert not run.finite[1]  # 0.2 > 2/λ_max ≈ 0.095
    with pytest.raises(ValueError, match="model="):
        regression.train("quadratic", [regression.Experiment(0, 0.1, 1)], data)
    with pytest.raises(ValueError, match="init"):
        regression.train("linear", [regression.Experiment(0, 0.1, 1, init=(1.0,))], data)
    with pytest.raises(ParameterError, match="step"):
        regression.train("linear", [regression.Experiment(0, -0.1, 1)], data)


@settings(max_examples=25, deadline=None)
@given(interpolation_cases(step_budget=600))
def test_drawn_cases_are_full_rank_well_conditioned_and_stable(case):
    x = np.array(case.inputs, float)
    values = np.linalg.eigvalsh(x @ x.T)
    assert values[0] > 0 and values[-1] / values[0] <= 9 * (1 + 1e-12)  # κ(X) ≤ 3
    assert 0 < float(case.step) < 2 / values[-1] and 1 <= case.steps <= 600
    numbers.problem(case.inputs, case.targets, case.init)  # validates exactly (full row rank)


# Written against mutants that mutmut left alive (docs/mutation-testing.md): the rounding bound, the validation
# of a problem, the exact rank and null space.

def test_rounding_per_step_by_hand_and_against_one_float_step():
    """c·u·(R + η‖|X|‖(‖|X|‖R + ‖y‖)) with c = n + d + 4 = 10, R = ‖w∞‖ + ‖w₀ − w∞‖ from the exact limit
    (8/115, −197/230, −86/115, 379/230), ‖|X|‖₂² = λ_max([[11, 7], [7, 21]]) = 16 + √74 and ‖y‖ = √5, in mpmath
    (float64 agreement 1e-13 relative: pinv and the 2-norm in float). It bounds the rounding of one float step
    w ← w − ηXᵀ(Xw − y) from w₀, measured against the same step in exact rationals."""
    from fractions import Fraction as F

    import mpmath as mp

    limit = [F(8, 115), F(-197, 230), F(-86, 115), F(379, 230)]
    problem = numbers.problem(X, Y, W0)
    for step, unit in ((Fraction(1, 20), 2.0**-53), (Fraction(3, 40), 2.0**-24)):
        with mp.workdps(40):
            norm = lambda v: mp.sqrt(mp.fsum(mp.mpf(c.numerator) ** 2 / mp.mpf(c.denominator) ** 2 for c in v))  # noqa: E731
            radius = norm(limit) + norm([F(a) - b for a, b in zip(W0, limit)])
            magnitude = mp.sqrt(16 + mp.sqrt(74))
            eta = mp.mpf(step.numerator) / step.denominator
            expected = 10 * mp.mpf(unit) * (radius + eta * magnitude * (magnitude * radius + mp.sqrt(5)))
        bound = numbers.rounding_per_step(problem, step, unit)
        assert bound == pytest.approx(float(expected), rel=1e-13)
    x, y, w = np.array(X, float), np.array(Y, float), np.array(W0, float)
    floated = w - 0.05 * (x.T @ (x @ w - y))
    exact = [F(a) - F(1, 20) * sum(F(X[i][j]) * (sum(F(X[i][k]) * W0[k] for k in range(4)) - Y[i]) for i in range(2))
             for j, a in enumerate(W0)]
    error = np.linalg.norm(floated - np.array([float(v) for v in exact]))
    assert error <= numbers.rounding_per_step(problem, Fraction(1, 20), 2.0**-53)


def test_problem_keeps_exact_data_and_accepts_the_extreme_shapes():
    """One row (n = 1 < d = 2) and d = MAX_SIZE = 64 are valid; the data are kept as exact Fractions (0.1 is the
    binary double it denotes, "1/3" a third)."""
    one = numbers.problem([(1, "1/3")], ["0.5"], [0, 0.1])
    assert one.inputs == ((Fraction(1), Fraction(1, 3)),) and one.targets == (Fraction(1, 2),)
    assert one.init == (Fraction(0), Fraction(0.1)) and one.shape == (1, 2)
    wide = numbers.problem([[1] + [0] * 63, [0, 1] + [0] * 62], [1, 2], [0] * 64)
    assert wide.shape == (2, 64)


@pytest.mark.parametrize(("inputs", "targets", "init", "name"), [
    ((), (), (), "inputs"),  # no rows
    ([[1] + [0] * 64, [0, 1] + [0] * 63], (1, 2), [0] * 65, "inputs"),  # d = 65 > MAX_SIZE
    (((1, 2, 3), (4, 5)), (1, 2), (0, 0, 0), "inputs"),  # ragged
    (((1, 2, 3), (4, 5, 6, 7)), (1, 2), (0, 0, 0), "inputs"),  # ragged, longer
    (((1, "x", 3),), (1,), (0, 0, 0), "inputs"),
    (((1, float("nan"), 3),), (1,), (0, 0, 0), "inputs"),
    (((1, 2, 3),), (None,), (0, 0, 0), "targets"),
    (((1, 2, 3),), (1,), (0, "y", 0), "init"),
    (((0, 0, 0),), (1,), (0, 0, 0), "inputs"),  # rank 0 < 1
])
def test_more_bad_problems_name_the_parameter(inputs, targets, init, name):
    with pytest.raises(ParameterError) as error:
        numbers.problem(inputs, targets, init)
    assert error.value.parameter == name


@pytest.mark.parametrize("rows", [
    ((0, 2, 4, 1), (0, 1, 2, 3)),  # a zero first column, a row swap
    ((1, 2, 3, 4, 5), (2, 4, 6, 8, 10), (0, 0, 1, 1, 1)),  # rank 2 of 3 rows
    ((0, 0, 1), (1, 0, 0)),  # pivots out of order: a swap is needed
    ((2, -1, 0, 1, 3, 1), (1, 2, -2, 0, 1, -1), (0, 1, 3, -1, 1, 2)),
    ((0, 0, 0), (0, 0, 0)),  # rank 0
    ((Fraction(1, 3), Fraction(2, 7), 5), (Fraction(2, 3), Fraction(4, 7), 11)),
])
def test_rank_and_null_basis_equal_sympys_exact_ones(rows):
    """Exact rank and null-space basis against SymPy's rational row reduction: the basis of a reduced echelon form
    (one vector per free column, 1 there and 0 at the other free columns) is unique, so SymPy's nullspace() is the
    same list of vectors; each one is annihilated by X exactly."""
    matrix = sp.Matrix([[sp.Rational(Fraction(v).numerator, Fraction(v).denominator) for v in row] for row in rows])
    assert numbers.rank(rows) == matrix.rank()
    basis = numbers.null_basis(rows)
    reference = [[Fraction(int(c.p), int(c.q)) for c in vector] for vector in matrix.nullspace()]
    assert basis == reference
    for vector in basis:
        assert all(isinstance(c, Fraction) for c in vector)
        assert all(sum(Fraction(a) * b for a, b in zip(row, vector)) == 0 for row in rows)


@pytest.mark.parametrize("dps", [20, 50])
def test_spectrum_limit_and_iteration_norm_keep_dps_digits(dps):
    """Against closed forms at 10^-dps (relative): XXᵀ = [[11, −1], [−1, 21]] has eigenvalues 16 ∓ √26, so the
    stable step limit is 2/(16 + √26) and ‖(I − ηXᵀX)P‖ = max|1 − η(16 ∓ √26)|; the SVD limit is the exact
    rational one. Float64 agreement (the test above) cannot see a working precision 20 digits short."""
    import mpmath as mp

    problem = numbers.problem(X, Y, W0)
    exact = [Fraction(8, 115), Fraction(-197, 230), Fraction(-86, 115), Fraction(379, 230)]
    tolerance = mp.mpf(10) ** -dps
    values = numbers.spectrum(problem, dps=dps)
    limit = numbers.limit_by_svd(problem, dps=dps)
    norm = numbers.iteration_norm(problem, Fraction(3, 20), dps=dps)
    with mp.workdps(dps + 20):
        low, high = 16 - mp.sqrt(26), 16 + mp.sqrt(26)
        assert abs(values[0] / low - 1) <= tolerance and abs(values[1] / high - 1) <= tolerance
        assert max(abs(limit[i] - mp.mpf(v.numerator) / v.denominator) for i, v in enumerate(exact)) <= tolerance
        expected = max(abs(1 - mp.mpf(3) / 20 * low), abs(1 - mp.mpf(3) / 20 * high))
        assert abs(norm / expected - 1) <= tolerance
    assert abs(numbers.stable_step_limit(problem, dps=dps) * (16 + mp.sqrt(26)) / 2 - 1) <= tolerance
    with pytest.raises(ParameterError) as error:
        numbers.iteration_norm(problem, 0, dps=dps)
    assert error.value.parameter == "step"


def test_stable_step_limit_uses_the_largest_of_three_eigenvalues():
    """With n = 3 rows the largest eigenvalue of XXᵀ is the last of three (not the second): 2/λ_max against
    NumPy's eigvalsh in float64 (1e-14 relative; XXᵀ is an exact integer matrix here)."""
    rows = ((2, -1, 0, 1, 3, 1), (1, 2, -2, 0, 1, -1), (0, 1, 3, -1, 1, 2))
    problem = numbers.problem(rows, (1, 2, 3), [0] * 6)
    values = np.linalg.eigvalsh(np.array(rows, float) @ np.array(rows, float).T)
    assert values[1] < values[2] * (1 - 1e-3)
    assert float(numbers.stable_step_limit(problem)) == pytest.approx(2 / values[-1], rel=1e-14)
