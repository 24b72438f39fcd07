"""Orthogonal matching pursuit, as the authors' code runs it, and its sparse-regression data (docs/claims/omp.md).

Greedily pick the column with the largest |x_iᵀ r|, refit least squares on the selected columns, and
stop when ½‖r‖² < ``tolerance`` or a column would be picked twice. Returns the order of selection and,
for each step, the residual's largest correlation with an already selected column (zero up to rounding
when the refit is right: the check of the implementation).

``sparse_regression`` draws the data of the authors' OMP_experiment.py from a generator the caller passes (a claim
passes one of its run's streams, ``Run.rng``).
"""

from __future__ import annotations

import numpy as np

from . import arguments


def omp(x: np.ndarray, y: np.ndarray, *, tolerance: float = 1e-4, max_features: int | None = None):
    """(selected column indices in order, max |x_Sᵀ r| after each refit)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"x must be n×d and y of length n: got {x.shape} and {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite (no NaN or inf)")
    limit = min(x.shape) if max_features is None else max_features
    selected, orthogonality, residual = [], [], y.copy()
    while len(selected) < limit and 0.5 * residual @ residual >= tolerance:
        pick = int(np.argmax(np.abs(x.T @ residual)))
        if pick in selected:
            break
        selected.append(pick)
        coefficients, *_ = np.linalg.lstsq(x[:, selected], y, rcond=None)
        residual = y - x[:, selected] @ coefficients
        orthogonality.append(float(np.max(np.abs(x[:, selected].T @ residual))))
    return selected, orthogonality


def sparse_regression(rng: np.random.Generator, *, samples: int, features: int, sparsity: int):
    """X (n × d, Gaussian columns normalised to unit norm), a k-sparse w* on a uniformly random support with values
    Exp(scale 10) + 1, and y = X w*."""
    n = arguments.integer("samples", samples, 1, 10**6)
    d = arguments.integer("features", features, 1, 10**6)
    k = arguments.integer("sparsity", sparsity, 0, d)
    x = rng.normal(size=(n, d))
    x /= np.linalg.norm(x, axis=0)
    truth = np.zeros(d)
    truth[rng.choice(d, k, replace=False)] = rng.exponential(10, k) + 1
    return x, truth, x @ truth
