"""Batched deep matrix sensing in torch, against independent references: the toy model's own trainer,
NumPy's closed form of linear gradient descent, the Fuss–Catalan initial scale, and the same experiment
trained alone."""

import math
from fractions import Fraction

import numpy as np
import pytest

from verify.training import sensing as training
from verify.training import toy as toy_training

TARGET = np.diag([3.0, 2.0, 1.0, 0.0, 0.0, 0.0])


def test_datasets_are_reproducible_and_nested():
    """n = 1000 measurements are the first 1000 of the n = 1500 ones: the claim relies on it."""
    small, large = training.gaussian_measurements(7, 40, 5), training.gaussian_measurements(7, 60, 5)
    assert np.array_equal(small, large[:40]) and not np.array_equal(small, training.gaussian_measurements(8, 40, 5))


def test_aligned_measurements_are_isotropic_on_the_diagonal_and_blind_off_it():
    rows = training.aligned_measurements(6).reshape(-1, 6, 6)
    diagonal = np.einsum("kii->ki", rows)
    assert np.array_equal(diagonal.T @ diagonal, rows.shape[0] * np.eye(6))
    assert not (rows - np.einsum("ki,ij->kij", diagonal, np.eye(6))).any()


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_gaussian_initialisation_has_the_requested_mean_singular_value(depth):
    """Mean over 20 draws at d = 50 within 4% of σ_0: the Fuss–Catalan limit has an O(1/d) ≈ 1% bias and
    the 20-draw average a standard error ≤ 1%. The authors' scale σ_0^{1/N}/√d would give m_N·σ_0."""
    means = []
    for seed in range(20):
        runs = training.train([depth], [training.gaussian_measurements(seed, 2, 50)], [np.zeros((50, 50))],
                              [1e-4], [1e-3], [[0]], seeds=[seed], device="cpu")
        means.append(np.linalg.svd(runs.initial[0], compute_uv=False).mean())
    assert abs(np.mean(means) / 1e-4 - 1) < 0.04
    authors = np.mean(means) * training.fuss_catalan_mean(depth)  # their per-entry std is m_N^{1/N} times ours
    assert abs(authors / 1e-4 - 1) > 0.04
    assert training.fuss_catalan_mean(1) == pytest.approx(8 / (3 * math.pi), rel=1e-15)


def test_aligned_training_is_the_toy_models_gradient_descent():
    """Full 6 × 6 layers on diagonal isotropic measurements against verify.training.toy (diagonal networks)."""
    depth, init, step, record = 3, Fraction(1, 100), Fraction(1, 200), [0, 100, 400, 900]
    runs = training.train([depth], [training.aligned_measurements(6)], [TARGET], [init], [step], [record],
                          initialisation="identity", top=3, device="cpu")
    toy = toy_training.train([depth], [(Fraction(3), Fraction(2), Fraction(1))], [init], [step], [record], device="cpu")
    assert np.allclose(runs.singular[0], toy.sigma[0], rtol=1e-12, atol=0)
    assert not (runs.final[0] - np.diag(np.diag(runs.final[0]))).any()


def test_depth_one_follows_the_closed_form_of_linear_gradient_descent():
    """w_k = w_mn + P_null w_0 + (I − ηAᵀA/n)^k P_row(w_0 − w*), computed with NumPy."""
    sensing, step, steps = training.gaussian_measurements(3, 20, 6), 0.1, 150
    runs = training.train([1], [sensing], [TARGET], [0.01], [step], [[0, steps]], seeds=[3], device="cpu")
    start, star = runs.initial[0].ravel(), TARGET.ravel()
    solution = np.linalg.pinv(sensing) @ (sensing @ star)
    row = np.linalg.pinv(sensing) @ sensing
    iteration = np.linalg.matrix_power(np.eye(36) - step * sensing.T @ sensing / 20, steps)
    expected = solution + (start - row @ start) + iteration @ row @ (start - star)
    assert np.allclose(runs.final[0].ravel(), expected, rtol=0, atol=1e-12)
    assert runs.loss[0] == pytest.approx(0.5 * np.mean((sensing @ (runs.final[0].ravel() - star)) ** 2), rel=1e-12)


def test_an_experiment_trains_the_same_alone_and_sharing_its_dataset():
    data = [training.gaussian_measurements(1, 30, 6), training.gaussian_measurements(2, 30, 6)]
    depths, inits, steps = [2, 3, 1], [0.01, 0.02, 0.01], [0.02, 0.01, 0.05]
    record = [[0, 50, 200], [0, 300], [0, 100]]
    batch = training.train(depths, data, [TARGET] * 3, inits, steps, record, datasets=[0, 0, 1],
                           samples=[30, 20, 30], seeds=[4, 5, 6], levels=[(1.5, 1.0), (1.5,), ()], device="cpu")
    alone = training.train([3], [data[0][:20]], [TARGET], [0.02], [0.01], [[0, 300]], seeds=[5], levels=[(1.5,)],
                           device="cpu")
    assert np.allclose(batch.final[1], alone.final[0], rtol=1e-12, atol=1e-15)
    assert batch.crossings[1, 0] == alone.crossings[0, 0] and (batch.crossings[2] == -1).all()
    assert np.isnan(batch.singular[1, 2:]).all() and batch.finite.all()


def test_crossings_are_the_first_steps_reaching_each_level():
    data = training.gaussian_measurements(9, 30, 6)
    every = list(range(301))
    runs = training.train([2], [data], [TARGET], [1e-3], [0.02], [every], seeds=[9], levels=[(1.5, 1.0, 0.5)],
                          device="cpu")
    for i, level in enumerate((1.5, 1.0, 0.5)):
        reached = np.nonzero(runs.singular[0, :, i] >= level)[0]
        assert runs.crossings[0, i] == (reached[0] if len(reached) else -1)


def test_divergence_is_flagged_not_hidden():
    runs = training.train([2], [training.gaussian_measurements(0, 30, 6)], [TARGET], [0.1], [5.0], [[0, 100]],
                          seeds=[0], device="cpu")
    assert not runs.finite[0]


@pytest.mark.parametrize("change, message", [
    (dict(dtype="float16"), "dtype="), (dict(initialisation="orthogonal"), "initialisation="),
    (dict(seeds=None), "seeds=None"), (dict(inits=[0.0]), "inits="), (dict(step_sizes=[-1]), "step_sizes="),
    (dict(targets=[np.zeros((5, 6))]), "targets"), (dict(measurements=[np.zeros((4, 35))]), "measurements"),
    (dict(samples=[31]), "samples="), (dict(datasets=[1]), "datasets="), (dict(record=[[]]), "record"),
    (dict(levels=[(1, 1, 1, 1, 1, 1)]), "levels"), (dict(depths=[2, 2]), "entries"), (dict(device="tpu"), "device="),
])
def test_invalid_arguments_name_themselves(change, message):
    arguments = dict(depths=[2], measurements=[training.gaussian_measurements(0, 30, 6)], targets=[TARGET],
                     inits=[0.01], step_sizes=[0.01], record=[[0, 2]], seeds=[0], device="cpu")
    arguments.update(change)
    with pytest.raises(ValueError, match=message):
        training.train(arguments.pop("depths"), arguments.pop("measurements"), arguments.pop("targets"),
                       arguments.pop("inits"), arguments.pop("step_sizes"), arguments.pop("record"), **arguments)
