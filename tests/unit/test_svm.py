"""The hard-margin SVM against independent solutions, and the soft margin it must not be confused with."""

import itertools

import numpy as np
import pytest
from scipy.optimize import minimize

from numerics import svm
from numerics.arguments import ParameterError


def separable(n, d, seed):
    x = np.random.default_rng(seed).normal(size=(n, d))
    u = np.zeros(d)
    u[: min(d, 4)] = (8, 4, 2, 1)[: min(d, 4)]
    return x, np.where(x @ u >= 0, 1.0, -1.0)


def brute_force(x, y):
    """Every support set S: w_S = Z_Sᵀ(Z_S Z_Sᵀ)⁻¹1 has margin 1 on S; the SVM is the feasible one of least norm
    whose duals are nonnegative."""
    z = y[:, None] * x
    best = None
    for size in range(1, min(x.shape) + 1):
        for support in itertools.combinations(range(len(x)), size):
            rows = z[list(support)]
            gram = rows @ rows.T
            if abs(np.linalg.det(gram)) < 1e-12:
                continue
            duals = np.linalg.solve(gram, np.ones(size))
            w = rows.T @ duals
            if (duals >= -1e-12).all() and (z @ w >= 1 - 1e-9).all() and (best is None or w @ w < best @ best):
                best = w
    return best


@pytest.mark.parametrize("seed", range(4))
def test_hard_margin_equals_brute_force_on_small_problems(seed):
    x, y = separable(7, 3, seed)
    solution = svm.hard_margin(x, y)
    assert np.allclose(solution.weights, brute_force(x, y), rtol=1e-9, atol=1e-12)
    assert solution.margin == pytest.approx(1 / np.linalg.norm(solution.weights))


def test_hard_margin_equals_the_primal_solved_by_slsqp():
    x, y = separable(40, 10, 5)
    z = y[:, None] * x
    primal = minimize(lambda w: 0.5 * w @ w, np.linalg.lstsq(z, np.ones(40), rcond=None)[0] * 3, jac=lambda w: w,
                      constraints=[{"type": "ineq", "fun": lambda w: z @ w - 1, "jac": lambda w: z}], method="SLSQP",
                      options={"ftol": 1e-14, "maxiter": 500})
    solution = svm.hard_margin(x, y)
    assert np.allclose(solution.weights, primal.x, rtol=1e-6, atol=1e-8)


def test_kkt_conditions_hold_at_the_claims_sizes():
    x, y = separable(400, 120, 1)
    solution = svm.hard_margin(x, y)
    assert max(solution.kkt.values()) < 1e-11
    assert (solution.duals >= 0).all() and (y * (x @ solution.weights) >= 1 - 1e-11).all()
    support = solution.duals > 0
    assert np.allclose(y[support] * (x[support] @ solution.weights), 1, atol=1e-11)


def soft_margin(x, y, c=1.0):
    """scikit-learn's LinearSVC objective without its intercept: ½‖w‖² + C Σ max(0, 1 − y⟨w, x⟩)², with its duals."""
    z = y[:, None] * x

    def objective(w):
        slack = np.maximum(0, 1 - z @ w)
        return 0.5 * w @ w + c * slack @ slack, w - 2 * c * z.T @ slack

    w = minimize(objective, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"gtol": 1e-12}).x
    return w, 2 * c * np.maximum(0, 1 - z @ w)


def test_a_linear_svc_style_soft_margin_fails_the_kkt_check():
    x, y = separable(200, 100, 0)
    w, duals = soft_margin(x, y)
    residuals = svm.kkt_residuals(x, y, w, duals)
    assert residuals["feasibility"] > 100 * svm.KKT_TOLERANCE  # margins below 1: not the hard-margin solution
    hard = svm.hard_margin(x, y).weights
    assert np.linalg.norm(w - hard) > 1e-3 * np.linalg.norm(hard)


def test_non_separable_data_is_a_named_error():
    x = np.random.default_rng(0).normal(size=(50, 3))
    y = np.random.default_rng(1).choice([-1.0, 1.0], size=50)
    with pytest.raises(ParameterError, match="separable through the origin"):
        svm.hard_margin(x, y)
    with pytest.raises(ParameterError, match="separable"):
        svm.hard_margin(np.array([[1.0], [1.0]]), np.array([1.0, -1.0]))


@pytest.mark.parametrize("inputs, labels, message", [
    (np.ones(3), np.ones(3), "n × d"),
    (np.ones((3, 2)), np.ones(2), "one per row"),
    (np.ones((3, 2)), np.array([1.0, 0.0, 1.0]), r"\{-1, \+1\}"),
    (np.array([[np.nan, 1.0]]), np.ones(1), r"finite"),
])
def test_bad_inputs_are_named(inputs, labels, message):
    with pytest.raises(ParameterError, match=message):
        svm.hard_margin(inputs, labels)
