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


def test_trainer_records_first_crossings_and_both_signs():
    x = np.array([[[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]]])
    run = training.train(x, x @ np.array([3.0, -2.0]), depth=3, init=1e-2, step=1e-3, steps=3000, threshold=0.5,
                         wanted=99, device="cpu")
    assert (run.first[0] > 0).all() and run.first[0, 0] < run.first[0, 1]  # the larger target first
    assert np.allclose(run.sigma[0], [3.0, -2.0], atol=1e-6) and run.steps == 3000
    early = training.train(x, x @ np.array([3.0, -2.0]), depth=3, init=1e-2, step=1e-3, steps=3000, threshold=0.5,
                           wanted=2, device="cpu")
    assert early.steps < 3000 and early.steps % 500 == 0 and (early.first[0] >= 0).all()
    with pytest.raises(ValueError, match="inputs"):
        training.train(np.zeros((2, 3)), np.zeros((2, 3)), depth=3, init=1e-2, step=1e-3, steps=5, threshold=1,
                       wanted=1)
