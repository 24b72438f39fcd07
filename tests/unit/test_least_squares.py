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
