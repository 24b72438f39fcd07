"""Each KKT residual of the hard-margin SVM measures its own condition, with the value its formula gives.

From the optimum (w, α), scaling w by c leaves the support margins at c and gives, exactly,
feasibility 1 − c, slackness 1 − c, stationarity |1 − c|/c and duality gap |1 − c²|/c² (Σα = ‖w‖² at
the optimum); flipping the sign of the largest dual gives dual sign 1. A residual that is forced to 0, or
computed from the wrong quantity, misses these values.
"""

import numpy as np
import pytest

from numerics import svm


@pytest.fixture(scope="module")
def problem():
    x = np.random.default_rng(3).normal(size=(30, 4))
    y = np.where(x @ np.array([4.0, 2.0, 1.0, 0.5]) >= 0, 1.0, -1.0)
    return x, y, svm.hard_margin(x, y)


def test_the_solution_satisfies_its_own_identities(problem):
    x, y, solution = problem
    assert solution.kkt.keys() == {"feasibility", "dual_sign", "slackness", "stationarity", "duality_gap"}
    assert max(solution.kkt.values()) < 1e-10
    assert solution.margin == pytest.approx(1 / np.linalg.norm(solution.weights), rel=1e-14)
    assert solution.duals.sum() == pytest.approx(solution.weights @ solution.weights, rel=1e-10)
    support = solution.duals > 1e-12 * solution.duals.max()
    assert 1 <= support.sum() <= x.shape[1]
    assert np.allclose(y[support] * (x[support] @ solution.weights), 1, atol=1e-10)


@pytest.mark.parametrize("c", [0.5, 0.9, 1.25])
def test_scaled_weights_give_each_residual_its_exact_value(problem, c):
    x, y, solution = problem
    residuals = svm.kkt_residuals(x, y, c * solution.weights, solution.duals)
    expected = {"feasibility": max(0.0, 1 - c), "dual_sign": 0.0, "slackness": abs(1 - c),
                "stationarity": abs(1 - c) / c, "duality_gap": abs(1 - c**2) / c**2}
    for name, value in expected.items():
        assert residuals[name] == pytest.approx(value, rel=1e-8, abs=1e-10), name


def test_a_negative_dual_is_measured_against_the_largest(problem):
    x, y, solution = problem
    duals = solution.duals.copy()
    duals[np.argmin(np.where(duals > 0, duals, np.inf))] = -duals.max() / 4  # not the largest: 2+ supports
    assert svm.kkt_residuals(x, y, solution.weights, duals)["dual_sign"] == pytest.approx(0.25)


def test_mismatched_shapes_are_named(problem):
    x, y, solution = problem
    with pytest.raises(svm.ParameterError, match="4-vector w and 30 duals"):
        svm.kkt_residuals(x, y, solution.weights[:3], solution.duals)
    with pytest.raises(svm.ParameterError, match="4-vector w and 30 duals"):
        svm.kkt_residuals(x, y, solution.weights, solution.duals[:29])


def test_the_kkt_check_rejects_a_solution_that_fails_it(problem, monkeypatch):
    x, y, _ = problem
    monkeypatch.setattr(svm, "kkt_residuals", lambda *args: {"feasibility": 2 * svm.KKT_TOLERANCE})
    with pytest.raises(ArithmeticError, match="KKT"):
        svm.hard_margin(x, y)
    monkeypatch.setattr(svm, "kkt_residuals", lambda *args: {"feasibility": svm.KKT_TOLERANCE})
    svm.hard_margin(x, y)  # at the tolerance itself: accepted
