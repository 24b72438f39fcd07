"""maxmargin's and deep-alignment's layers: the flow against an exact solution, the asymptote, the data
construction, the deep-linear measurements, and the classifier trainer against hand-derived steps."""

import math

import numpy as np
import pytest
import sympy as sp

from numerics import deep_linear, max_margin, svm
from numerics.arguments import ParameterError
from theory import deep_linear as deep_theory
from theory.derivation import DerivationError
from verify.training import linear_classifiers as training

# z_1 = (1, 0), z_2 = (0, 2): both support vectors, ŵ = (1, 1/2), duals α = (1, 1/4); the flow separates:
# w_1 = log(1 + t/2), w_2 = ½ log(1 + 2t), so w − ŵ log t → (−log 2, ½ log 2) = −log(nα_i)/‖z_i‖ along z_i.
INPUTS = np.array([[1.0, 0.0], [0.0, -2.0]])
LABELS = np.array([1.0, -1.0])


def test_flow_matches_the_exact_solution_and_the_stated_asymptote():
    tau = 30.0
    path = max_margin.flow(INPUTS, LABELS, loss="exponential", taus=[-1.0, 2.0], tau_end=tau)
    for t, w in zip((math.exp(-1), math.exp(2)), path.values):
        assert np.allclose(w, [math.log(1 + t / 2), 0.5 * math.log(1 + 2 * t)], rtol=1e-11)
    asymptote = max_margin.asymptote(INPUTS, LABELS, loss="exponential")
    assert np.allclose(asymptote.growth, [1, 0.5]) and np.allclose(asymptote.offset, [-math.log(2), math.log(2) / 2])
    assert np.allclose(path.final - asymptote.growth * tau, asymptote.offset, atol=1e-9)
    assert np.allclose(path.velocity, asymptote.growth, rtol=1e-9)


def test_degenerate_data_and_bad_arguments_are_named():
    # a third point on the margin, (1/2, 1): either its dual is zero (the log log t case) or the three support
    # vectors in the plane are dependent
    with pytest.raises(ParameterError, match="labels"):
        max_margin.asymptote(np.vstack([INPUTS, [[0.5, 1.0]]]), np.array([1.0, -1.0, 1.0]), loss="logistic")
    with pytest.raises(ParameterError, match="loss"):
        max_margin.flow(INPUTS, LABELS, loss="hinge", tau_end=1)
    with pytest.raises(ParameterError, match="taus"):
        max_margin.flow(INPUTS, LABELS, loss="logistic", taus=[5.0], tau_end=1)


def test_separable_data_keeps_its_svm_and_its_margin_gap():
    x, y = max_margin.separable_data(points=12, dimension=3, seed=4, gap=0.5)
    solution = svm.hard_margin(x, y)
    margins = y * (x @ solution.weights)
    off = solution.duals <= max_margin.DUAL_FLOOR * solution.duals.max()
    assert np.all(margins[off] >= 1.5 - 1e-9) and np.allclose(margins[~off], 1, atol=1e-9)
    l1 = max_margin.l1_max_margin(x, y)
    assert np.all(y * (x @ l1) >= 1 - 1e-7) and np.abs(l1).sum() <= np.abs(solution.weights).sum() + 1e-7


def test_deep_linear_measurements():
    rng = np.random.default_rng(0)
    u, v, w = (x / np.linalg.norm(x) for x in rng.standard_normal((3, 4)))
    assert deep_linear.alignment(np.outer(w, u), np.outer(u, v)) == pytest.approx(1)
    assert deep_linear.stable_rank(np.outer(u, v)) == pytest.approx(1)
    for _ in range(20):  # the Davis–Kahan bound holds for arbitrary pairs
        following, layer = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
        difference = following.T @ following - layer @ layer.T
        assert 1 - deep_linear.alignment(following, layer) <= deep_linear.davis_kahan(following, layer, difference) + 1e-12
    assert deep_linear.margin_direction_bound(0.6, 0.6) == 0
    with pytest.raises(ParameterError, match="margin"):
        deep_linear.margin_direction_bound(0.7, 0.6)


def test_balancedness_derivation_refuses_a_reweighted_invariant():
    assert deep_theory.balancedness().exact
    with deep_theory.substituted(invariant=lambda a, b: a.T * a - sp.Rational(103, 100) * b * b.T):
        with pytest.raises(DerivationError):
            deep_theory.balancedness()


def test_linear_classifier_first_step_by_hand_and_batch_independence():
    """From w = 0: the exponential loss's gradient is −(1/n)Σ z_i, the logistic loss's half of that."""
    x, y = max_margin.separable_data(points=6, dimension=3, seed=1, gap=0.2)
    data = [training.Data(x, y), training.Data(INPUTS, LABELS)]
    step = 0.1
    experiments = [training.Experiment(0, "exponential", step, 1, (1,)), training.Experiment(0, "logistic", step, 1, (1,)),
                   training.Experiment(1, "exponential", step, 30, (0, 30))]
    runs = training.train(experiments, data, device="cpu")
    pull = (y[:, None] * x).mean(axis=0)
    assert np.allclose(runs.predictors[0][0], step * pull, rtol=1e-14)
    assert np.allclose(runs.predictors[1][0], step * pull / 2, rtol=1e-14)
    alone = training.train(experiments[2:], data, device="cpu")
    assert np.array_equal(runs.predictors[2], alone.predictors[0]) and runs.finite.all()


def test_deep_trainer_tracks_the_balancedness_drift_it_causes():
    x, y = max_margin.separable_data(points=8, dimension=3, seed=2, gap=0.2)
    runs = training.train([training.Experiment(0, "logistic", 0.05, 200, (0, 1, 200), init=0.3, seed=7)],
                          [training.Data(x, y)], widths=(4, 4), device="cpu")
    layers, moved = runs.layers[0], runs.movements[0]
    product = layers[1][2] @ layers[1][1] @ layers[1][0]
    assert np.allclose(product[0], runs.predictors[0][1])
    for r in (1, 2):
        for j in range(2):
            drift = np.linalg.norm((layers[r][j + 1].T @ layers[r][j + 1] - layers[r][j] @ layers[r][j].T)
                                   - (layers[0][j + 1].T @ layers[0][j + 1] - layers[0][j] @ layers[0][j].T))
            assert drift <= moved[r][j] + moved[r][j + 1] + 1e-13
    with pytest.raises(ValueError, match="loss="):
        training.train([training.Experiment(0, "hinge", 0.1, 1, (1,))], [training.Data(x, y)])
