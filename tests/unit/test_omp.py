"""OMP and the two-branch trainer against independent references."""

import numpy as np
import pytest

from numerics import omp
from theory import two_branch
from verify.training import two_branch as training


def test_omp_recovers_a_sparse_support_in_order_of_contribution():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(60, 200))
    x /= np.linalg.norm(x, axis=0)
    truth = np.zeros(200)
    truth[[7, 50, 120]] = [10.0, 5.0, 2.0]
    order, orthogonality = omp.omp(x, x @ truth)
    assert sorted(order) == [7, 50, 120] and order[0] == 7
    assert max(orthogonality) < 1e-12


def test_omp_matches_a_brute_force_greedy_reference():
    """Brute force: at each step try every unused column, keep the one whose least-squares refit leaves the
    residual most correlated... i.e. re-derive OMP's pick from its definition with explicit projections."""
    rng = np.random.default_rng(9)
    x = rng.normal(size=(12, 30))
    x /= np.linalg.norm(x, axis=0)
    y = rng.normal(size=12)
    order, _ = omp.omp(x, y, max_features=5, tolerance=0)
    chosen, residual = [], y.copy()
    for _ in range(5):
        scores = [abs(x[:, i] @ residual) if i not in chosen else -1 for i in range(30)]
        chosen.append(int(np.argmax(scores)))
        basis = x[:, chosen]
        residual = y - basis @ np.linalg.solve(basis.T @ basis, basis.T @ y)
    assert order == chosen


def test_omp_rejects_bad_input():
    with pytest.raises(ValueError, match="finite"):
        omp.omp(np.full((3, 4), np.nan), np.zeros(3))
    with pytest.raises(ValueError, match="n×d"):
        omp.omp(np.zeros((3, 4)), np.zeros(4))


def test_two_branch_flow_derivation_is_exact():
    assert two_branch.flow().exact


def test_sparse_regression_data_are_the_authors():
    x, truth, y = omp.sparse_regression(np.random.default_rng(3), samples=80, features=1000, sparsity=5)
    assert x.shape == (80, 1000) and np.allclose(np.linalg.norm(x, axis=0), 1, rtol=1e-14)
    assert np.count_nonzero(truth) == 5 and truth[truth != 0].min() >= 1 and np.array_equal(y, x @ truth)


def _isotropic(goals, **fields):
    x = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    return training.Experiment(x, x @ np.array(goals), **{**dict(depth=3, init=1e-2, step=1e-3, steps=3000,
                                                                   threshold=0.5), **fields})


def test_trainer_records_first_crossings_and_both_signs():
    run = training.train([_isotropic([3.0, -2.0]), _isotropic([3.0, -2.0], wanted=2)], device="cpu")
    assert (run.first[0] > 0).all() and run.first[0, 0] < run.first[0, 1]  # the larger target first
    assert np.allclose(run.sigma[0], [3.0, -2.0], atol=1e-6) and run.steps[0] == 3000
    assert run.steps[1] < 3000 and run.steps[1] % 500 == 0 and (run.first[1] == run.first[0]).all()
    assert run.finite.all() and run.device == "cpu" and run.dtype == "float64"


def test_an_experiment_trains_the_same_alone_and_in_a_batch_of_other_shapes_and_depths():
    """Batched with a deeper network on more features (padding), at its own step size and limit."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(7, 5))
    other = training.Experiment(x, x @ np.array([2.0, 0, 0, -1.0, 0]), 5, 1e-4, 2e-3, 4000, 0.1)
    batch = training.train([_isotropic([3.0, -2.0], steps=1200), other], device="cpu")
    alone = training.train([_isotropic([3.0, -2.0], steps=1200)], device="cpu")
    assert np.allclose(batch.sigma[0, :2], alone.sigma[0], rtol=1e-13, atol=1e-15) and (batch.sigma[0, 2:] == 0).all()
    assert (batch.first[0] == np.append(alone.first[0], [-1, -1, -1])).all() and list(batch.steps) == [1200, 4000]


def test_trainer_names_bad_fields():
    for change, message in ((dict(depth=0), "depth"), (dict(step=-1), "step"), (dict(wanted=3), "wanted"),
                            (dict(labels=np.zeros(3)), "inputs must be")):
        with pytest.raises(ValueError, match=message):
            training.train([_isotropic([3.0, -2.0], **change) if "labels" not in change else
                            training.Experiment(np.zeros((4, 2)), change["labels"], 3, 1e-2, 1e-3, 5, 1)], device="cpu")
