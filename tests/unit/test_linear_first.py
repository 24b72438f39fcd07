"""The disc task, its logistic regression, the plug-in informations on sign tables and the batched MLP trainer,
each against an independent computation (docs/claims/increasing-complexity.md §3)."""

import math

import numpy as np
import pytest

from numerics import information, linear_first
from numerics.arguments import ParameterError
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


# --- tests written against surviving mutants (docs/mutation-testing.md) -----------------------------------------


def test_labels_at_hand_evaluated_points():
    """sign(x₂ − 0.6 sin(2πx₁)) by hand: (¼, ½): ½ − 0.6 < 0; (¼, 0.7): 0.1 > 0; (−¼, −½): −½ + 0.6 > 0;
    (⅛, ½): ½ − 0.6/√2 = 0.076 > 0; (⅛, 0.4): 0.4 − 0.424 < 0; (0, 0): exactly 0, which counts as +1. Amplitude 0
    is the sign of x₂ (0 again +1); a negative amplitude is refused, naming ``amplitude``."""
    points = np.array([[0.25, 0.5], [0.25, 0.7], [-0.25, -0.5], [0.125, 0.5], [0.125, 0.4], [0.0, 0.0]])
    assert linear_first.labels(points, 0.6).tolist() == [-1.0, 1.0, 1.0, 1.0, -1.0, 1.0]
    assert linear_first.labels(points, 0).tolist() == [1.0, 1.0, -1.0, 1.0, 1.0, 1.0]
    with pytest.raises(ParameterError) as caught:
        linear_first.labels(points, -0.1)
    assert caught.value.parameter == "amplitude"


def test_linear_predict_is_the_sign_with_ties_positive():
    """⟨(1, −1), x⟩ + ½ at (0, ½) is exactly 0 (counts as +1), at (0, 0.6) −0.1, at (1, 0) 1.5, at (−1, 0) −½."""
    classifier = linear_first.Linear(np.array([1.0, -1.0]), 0.5, 0.0)
    points = np.array([[0.0, 0.5], [0.0, 0.6], [1.0, 0.0], [-1.0, 0.0]])
    assert classifier.predict(points).tolist() == [1.0, -1.0, 1.0, -1.0]


def test_disc_points_are_uniform_in_the_disc():
    """20000 points uniform in the unit disc: each quadrant and the inner disc of radius ½ hold a quarter of them
    (areas); 5 binomial standard errors √(3/16/n) ≈ 0.0031 each, a false alarm below 10^-6 per check."""
    data = linear_first.disc_task(np.random.default_rng(6), amplitude=0.6, noise=0, train=20000, test=1)
    x = data.train_inputs
    tolerance = 5 * math.sqrt(3 / 16 / len(x))
    for sx in (1, -1):
        for sy in (1, -1):
            assert abs(np.mean((sx * x[:, 0] > 0) & (sy * x[:, 1] > 0)) - 0.25) < tolerance
    assert abs(np.mean(np.sum(x**2, axis=1) < 0.25) - 0.25) < tolerance
    assert np.all(data.train_labels == linear_first.labels(x, 0.6))  # no noise: no flips
    assert data.test_inputs.shape == (1, 2) and data.test_labels.shape == (1,)


def test_disc_task_checks_and_names_its_arguments():
    """noise in [0, ½) (½ and a non-number refused, naming ``noise`` with the valid range), train and test sizes in
    [1, 10^7] (one point each is accepted); flipped training labels stay ±1."""
    rng = np.random.default_rng(7)
    for bad in (0.5, None):
        with pytest.raises(ParameterError) as caught:
            linear_first.disc_task(rng, amplitude=0.6, noise=bad, train=5, test=5)
        assert caught.value.parameter == "noise"
    assert caught.value.value is None
    with pytest.raises(ParameterError) as caught:
        linear_first.disc_task(rng, amplitude=0.6, noise=0.5, train=5, test=5)
    assert caught.value.value == 0.5 and caught.value.valid == "in [0, 1/2)"
    for name in ("train", "test"):
        sizes = {"train": 5, "test": 5, name: 10**7 + 1}
        with pytest.raises(ParameterError) as caught:
            linear_first.disc_task(rng, amplitude=0.6, noise=0.1, **sizes)
        assert caught.value.parameter == name
    data = linear_first.disc_task(rng, amplitude=0.6, noise=0.4, train=1, test=1)
    assert data.train_inputs.shape == (1, 2)
    noisy = linear_first.disc_task(rng, amplitude=0.6, noise=0.45, train=200, test=1).train_labels
    assert set(noisy.tolist()) == {-1.0, 1.0}


def test_logistic_regression_with_a_strong_ridge_is_the_newton_solution():
    """Ridge 0.5 (so the penalty shapes the solution): BFGS against Newton's method with the exact Hessian on the
    same loss mean log(1 + e^{−y⟨θ, x⟩}) + ½·0.5‖θ‖²; the loss is strongly convex, Newton converges quadratically,
    and BFGS stops at gradient norm ≤ 1e-10, so θ agrees to 1e-8 (strong convexity 0.5). A negative ridge is
    refused, naming ``ridge``."""
    rng = np.random.default_rng(8)
    data = linear_first.disc_task(rng, amplitude=0.25, noise=0.1, train=200, test=1)
    ridge = 0.5
    fitted = linear_first.logistic_regression(data.train_inputs, data.train_labels, ridge=ridge)
    x, y, theta = np.hstack([data.train_inputs, np.ones((200, 1))]), data.train_labels, np.zeros(3)
    for _ in range(30):
        p = 1 / (1 + np.exp(y * (x @ theta)))
        gradient = -(x.T @ (y * p)) / 200 + ridge * theta
        hessian = (x.T * (p * (1 - p))) @ x / 200 + ridge * np.eye(3)
        theta -= np.linalg.solve(hessian, gradient)
    assert np.r_[fitted.weights, fitted.bias] == pytest.approx(theta, abs=1e-8)
    assert fitted.gradient_norm < 1e-9
    with pytest.raises(ParameterError) as caught:
        linear_first.logistic_regression(data.train_inputs, data.train_labels, ridge=-1)
    assert caught.value.parameter == "ridge"
