"""The synthetic task of Nakkiran et al.'s Figure 1 and its best linear classifier
(``docs/claims/increasing-complexity.md`` §3).

* ``disc_task``: x uniform in the unit disc, label sign(x₂ − a·sin(2πx₁)); a fraction ``noise`` of the training
  labels flipped, test labels clean. a = 0.6 is the paper's toy (a linear part and a sinusoidal part); a = 0.25
  makes the best linear classifier nearly optimal (a control).
* ``logistic_regression``: L, the logistic regression with bias fitted on the (noisy) training set by BFGS with a
  tiny ridge, with the gradient norm at the solution reported (the first-order optimality residual).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from . import arguments

RIDGE = 1e-6  # tiny ridge: keeps the separable-looking corner cases bounded; its effect on L is below 1e-5


@dataclass(frozen=True)
class Task:
    """Training inputs/labels (±1, noisy) and clean test inputs/labels."""

    train_inputs: np.ndarray
    train_labels: np.ndarray
    test_inputs: np.ndarray
    test_labels: np.ndarray


def _disc(rng, count: int) -> np.ndarray:
    radius, angle = np.sqrt(rng.random(count)), 2 * math.pi * rng.random(count)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def labels(inputs, amplitude) -> np.ndarray:
    """sign(x₂ − a sin(2πx₁)) (0 counts as +1)."""
    a = float(arguments.nonnegative("amplitude", amplitude))
    return np.where(inputs[:, 1] - a * np.sin(2 * math.pi * inputs[:, 0]) >= 0, 1.0, -1.0)


def disc_task(rng: np.random.Generator, *, amplitude, noise, train: int, test: int) -> Task:
    rate = float(arguments.exact("noise", noise))
    if not 0 <= rate < 0.5:
        raise arguments.ParameterError("noise", noise, "in [0, 1/2)")
    train_inputs = _disc(rng, arguments.integer("train", train, 1, 10**7))
    train_labels = labels(train_inputs, amplitude)
    train_labels[rng.random(len(train_labels)) < rate] *= -1
    test_inputs = _disc(rng, arguments.integer("test", test, 1, 10**7))
    return Task(train_inputs, train_labels, test_inputs, labels(test_inputs, amplitude))


@dataclass(frozen=True)
class Linear:
    """sign(⟨weights, x⟩ + bias), and the gradient norm of the regularised logistic loss at it."""

    weights: np.ndarray
    bias: float
    gradient_norm: float

    def predict(self, inputs) -> np.ndarray:
        return np.where(inputs @ self.weights + self.bias >= 0, 1.0, -1.0)


def logistic_regression(inputs, targets, *, ridge=RIDGE) -> Linear:
    x = np.hstack([np.asarray(inputs, dtype=np.float64), np.ones((len(inputs), 1))])
    y = np.asarray(targets, dtype=np.float64)
    strength = float(arguments.nonnegative("ridge", ridge))

    def loss(theta):
        margins = y * (x @ theta)
        value = np.mean(np.logaddexp(0.0, -margins)) + strength / 2 * theta @ theta
        weights = -y / (1 + np.exp(margins))
        return value, x.T @ weights / len(y) + strength * theta

    result = optimize.minimize(loss, np.zeros(x.shape[1]), jac=True, method="BFGS", options={"gtol": 1e-10})
    gradient = loss(result.x)[1]
    return Linear(result.x[:-1], float(result.x[-1]), float(np.linalg.norm(gradient)))
