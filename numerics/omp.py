"""Orthogonal matching pursuit, as the authors' code runs it (beyond-toy.md §5).

Greedily pick the column with the largest |x_iᵀ r|, refit least squares on the selected columns, and
stop when ½‖r‖² < ``tolerance`` or a column would be picked twice. Returns the order of selection and,
for each step, the residual's largest correlation with an already selected column (zero up to rounding
when the refit is right: the check of the implementation).
"""

from __future__ import annotations

import numpy as np


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
