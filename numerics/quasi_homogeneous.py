"""The max-margin limits of the one-dimensional toys of docs/claims/quasi-homogeneous.md, in numbers.

The homogeneous model f = w x + b is a linear classifier of the augmented inputs (x, 1), so gradient descent on the
exponential loss converges in direction to the hard-margin SVM through the origin on (x, 1) (the bias is in the
norm): ``augmented_svm`` solves it with ``numerics.svm`` (NNLS, KKT-checked), ``exact_augmented_svm`` by enumerating
the active sets of the two-dimensional problem in rational arithmetic (the optimum is the feasible least-norm point
among the solutions with one or two active margin constraints). The decision threshold is −b/w.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np

from . import svm
from .arguments import ParameterError, exact


def augmented_svm(inputs, labels) -> tuple:
    """(w, b) of the hard-margin SVM on (x_i, 1), float64, its KKT conditions checked by ``numerics.svm``."""
    x = np.asarray([float(value) for value in inputs])
    solution = svm.hard_margin(np.column_stack([x, np.ones_like(x)]), np.asarray([float(y) for y in labels]))
    return float(solution.weights[0]), float(solution.weights[1])


def exact_augmented_svm(inputs, labels) -> tuple:
    """(w, b) as Fractions: the least-norm (w, b) with y_i(w x_i + b) ≥ 1 for all i, by active-set enumeration."""
    xs, ys = [exact("inputs", value) for value in inputs], [exact("labels", value) for value in labels]
    if not xs or len(xs) != len(ys) or any(y not in (1, -1) for y in ys):
        raise ParameterError("labels", labels, "one label ±1 per input")
    candidates = [(y * x / (x * x + 1), y / (x * x + 1)) for x, y in zip(xs, ys)]  # one active constraint
    for (x1, y1), (x2, y2) in combinations(zip(xs, ys), 2):  # two: w x_i + b = y_i
        if x1 != x2:
            w = (y1 - y2) / (x1 - x2)
            candidates.append((w, y1 - w * x1))
    feasible = [(w, b) for w, b in candidates if all(y * (w * x + b) >= 1 for x, y in zip(xs, ys))]
    if not feasible:
        raise ParameterError("labels", labels, "separable by some w x + b")
    return min(feasible, key=lambda point: point[0] ** 2 + point[1] ** 2)


def threshold(weights: tuple) -> Fraction | float:
    """The decision threshold −b/w of (w, b)."""
    w, b = weights
    return -b / w
