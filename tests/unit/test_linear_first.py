"""The disc task, its logistic regression, the plug-in informations on sign tables and the batched MLP trainer,
each against an independent computation (docs/claims/increasing-complexity.md §3)."""

import math

import numpy as np
import pytest

from numerics import information, linear_first
from verify.training import mlp


def test_logistic_regression_is_the_newton_solution():
    """Independent: Newton's method with the exact Hessian on the same regularised loss."""
    rng = np.random.default_rng(0)
    data = linear_first.disc_task(rng, amplitude=0.6, noise=0.1, train=300, test=10)
    fitted = linear_first.logistic_regression(data.train_inputs, data.train_labels)
    x = np.hstack([data.train_inputs, np.ones((300, 1))])
    y, theta = data.train_labels, np.zeros(3)
    for _ in range(30):
        p = 1 / (1 + np.exp(y * (x @ theta)))
        gradient = -(x.T @ (y * p)) / 300 + linear_first.RIDGE * theta
        hessian = (x.T * (p * (1 - p))) @ x / 300 + linear_first.RIDGE * np.eye(3)
        theta -= np.linalg.solve(hessian, gradient)
    assert np.r_[fitted.weights, fitted.bias] == pytest.approx(theta, abs=1e-7)
    assert fitted.gradient_norm < 1e-8


def test_disc_task_noise_and_labels():
    data = linear_first.disc_task(np.random.default_rng(1), amplitude=0.6, noise=0.1, train=20000, test=100)
    assert np.all(np.sum(data.train_inputs**2, axis=1) <= 1)
    flipped = np.mean(data.train_labels != linear_first.labels(data.train_inputs, 0.6))
    assert abs(flipped - 0.1) < 5 * math.sqrt(0.09 / 20000)
    assert np.all(data.test_labels == linear_first.labels(data.test_inputs, 0.6))


def test_sign_tables_and_information():
    f, l, y = np.array([1, 1, -1, -1]), np.array([1, -1, 1, -1]), np.array([1, 1, -1, -1])
    counts = information.sign_counts(f, l, y)
    assert counts.sum() == 4 and counts[1, 1, 1] == 1 and counts[0, 0, 0] == 1
    assert float(information.plug_in_information(counts.sum(axis=1))) == pytest.approx(1.0)  # F = Y: one bit
    assert float(information.plug_in(counts)) == pytest.approx(0.0, abs=1e-15)  # L independent of (F, Y)


def test_one_full_batch_step_against_a_hand_written_gradient():
    """3 hidden units, batch = n = 4: one SGD step by the trainer against NumPy's gradient of the mean softplus loss
    from the same He-normal initialisation (stream [seed, 0]: W first, then v)."""
    rng = np.random.default_rng(2)
    inputs, labels, test = rng.standard_normal((4, 2)), np.array([1.0, -1.0, 1.0, 1.0]), rng.standard_normal((5, 2))
    experiment = mlp.Experiment(0, seed=9, steps=1, record=(1,), learning_rate=0.3, batch=4, hidden=3,
                                output_scale=0.1)
    runs = mlp.train([experiment], [mlp.Data(inputs, labels, test)], device="cpu")
    init = np.random.default_rng([9, 0])
    w = init.standard_normal((2, 3)) * math.sqrt(2 / 2)
    v = init.standard_normal(3) * math.sqrt(2 / 3) * 0.1
    c, e = np.zeros(3), 0.0
    hidden = np.maximum(inputs @ w + c, 0)
    out = hidden @ v + e
    slope = -labels / (1 + np.exp(labels * out)) / 4  # d mean softplus(−y f)/df
    active = (inputs @ w + c > 0) * v
    w -= 0.3 * inputs.T @ (slope[:, None] * active)
    c -= 0.3 * (slope[:, None] * active).sum(axis=0)
    v -= 0.3 * hidden.T @ slope
    e -= 0.3 * slope.sum()
    expected = np.maximum(test @ w + c, 0) @ v + e
    assert runs.outputs[0][0] == pytest.approx(expected, rel=1e-12) and runs.finite.all()


def test_trainer_rejects_bad_experiments():
    data = [mlp.Data(np.zeros((4, 2)), np.ones(4), np.zeros((2, 2)))]
    with pytest.raises(ValueError, match="batch"):
        mlp.train([mlp.Experiment(0, seed=0, steps=1, record=(1,), batch=5)], data)
    with pytest.raises(ValueError, match="record"):
        mlp.train([mlp.Experiment(0, seed=0, steps=1, record=(2,), batch=2)], data)
