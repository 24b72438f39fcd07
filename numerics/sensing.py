"""Depth-1 matrix sensing in numbers: the minimum-norm solution, and the law of its error (docs/claims/sensing.md).

With n < D = d² Gaussian measurements (the rows of A, flattened matrices) and labels y = A w*, the minimum-norm
least-squares solution is w_mn = A⁺y = P_row w*, so ‖w_mn − w*‖² = ‖P_null w*‖². The row space of a Gaussian A is
a uniformly random n-dimensional subspace, so ‖P_null w*‖²/‖w*‖² ~ Beta((D − n)/2, n/2), whatever w* is: the
relative error is predicted to be p = 1 − n/D (``expected_relative_error``), the law's mean, and the law is
Beta(pD/2, (1 − p)D/2): written through p, so that a wrong prediction moves the interval with it
(``concentration_interval``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import stats

from . import arguments


@dataclass(frozen=True)
class MinimumNorm:
    """The minimum-norm least-squares solution of A w = A w* (``solution``, flattened), the spectrum of AAᵀ/n
    (``spectrum``: the nonzero spectrum of AᵀA/n, which sets gradient descent's rate) and an orthonormal basis of
    A's row space (``basis``, one vector per row)."""

    solution: np.ndarray
    spectrum: np.ndarray
    basis: np.ndarray


def minimum_norm(measurements: np.ndarray, target: np.ndarray) -> MinimumNorm:
    """W_mn = Aᵀ(AAᵀ)⁻¹y through the eigendecomposition of AAᵀ (n × n). For Gaussian A its condition number is
    about ((√(D/n) + 1)/(√(D/n) − 1))² (Marchenko–Pastur): 20 and 62 for n = 1000 and 1500 of D = 2500, so the
    eigendecomposition loses at most two of float64's digits."""
    sensing = np.asarray(measurements, dtype=float)
    star = np.asarray(target, dtype=float).reshape(-1)
    samples = sensing.shape[0]
    if sensing.ndim != 2 or not 1 <= samples < sensing.shape[1] or star.shape != (sensing.shape[1],):
        raise arguments.ParameterError("measurements", f"shape {sensing.shape}",
                                       f"an (n, D) array with 1 <= n < D and a target of D = {star.size} entries")
    values, vectors = np.linalg.eigh(sensing @ sensing.T)
    labels = sensing @ star
    return MinimumNorm(sensing.T @ (vectors @ ((vectors.T @ labels) / values)), values / samples,
                       (vectors / np.sqrt(values)).T @ sensing)


def expected_relative_error(samples: int, size: int) -> Fraction:
    """1 − n/d²: the mean of ‖W_mn − W*‖²_F/‖W*‖²_F for n Gaussian measurements of a d × d matrix."""
    dimension = arguments.integer("size", size, 1, 10**3) ** 2
    return 1 - Fraction(arguments.integer("samples", samples, 1, dimension), dimension)


def concentration_interval(predicted, *, dimension: int, false_alarm: float) -> tuple:
    """The two-sided interval [low, high] holding ‖P_null w*‖²/‖w*‖² with probability 1 − ``false_alarm`` when its
    law is Beta(pD/2, (1 − p)D/2), p = ``predicted`` and D = ``dimension``: the quantiles false_alarm/2 and
    1 − false_alarm/2. A prediction outside (0, 1) is a point mass: the interval [p, p]."""
    p = float(arguments.exact("predicted", predicted))
    half = float(false_alarm) / 2
    if not 0 < half < 0.5:
        raise arguments.ParameterError("false_alarm", false_alarm, "a probability in (0, 1)")
    if not 0 < p < 1:
        return p, p
    a, b = p * dimension / 2, (1 - p) * dimension / 2
    return float(stats.beta.ppf(half, a, b)), float(stats.beta.isf(half, a, b))
