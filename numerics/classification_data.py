"""The data of the classification claims, in NumPy (docs/claims/classification.md, docs/claims/convolution.md).

Inputs x ~ N(0, I_d) labelled y = sign⟨u, x⟩ by a unit labelling direction u:

* ``sparse_direction``: u ∝ (w_1, …, w_m, 0, …, 0), sparse in the standard basis (the diagonal networks);
* ``fourier_direction``: u = irfft(a_0, …, a_{m−1}, 0, …), normalised, sparse in the Fourier basis (the
  circular-convolutional networks);
* ``gaussian_dataset``: n labelled inputs, drawn from a generator the caller passes (a claim passes one of its
  run's streams, ``Run.rng``), so that one seed determines every data set.
"""

from __future__ import annotations

import numpy as np

from . import arguments

MAX_DIMENSION = 10_000  # d: the largest input dimension accepted


def sparse_direction(dimension: int, weights) -> np.ndarray:
    """u ∝ (weights, 0, …, 0) in ``dimension`` coordinates, unit length."""
    weights = _weights(weights)
    d = arguments.integer("dimension", dimension, len(weights), MAX_DIMENSION)
    u = np.zeros(d)
    u[: len(weights)] = weights
    return u / np.linalg.norm(u)


def fourier_direction(dimension: int, spectrum) -> np.ndarray:
    """u ∝ irfft(spectrum, 0, …) in ``dimension`` coordinates (real FFT coefficients 0, 1, …), unit length."""
    spectrum = _weights(spectrum)
    d = arguments.integer("dimension", dimension, 2 * len(spectrum), MAX_DIMENSION)
    coefficients = np.zeros(d // 2 + 1)
    coefficients[: len(spectrum)] = spectrum
    u = np.fft.irfft(coefficients, n=d)
    return u / np.linalg.norm(u)


def gaussian_dataset(rng: np.random.Generator, *, samples: int, direction: np.ndarray) -> tuple:
    """(x, y): ``samples`` inputs x ~ N(0, I_d) (rows) and their labels y = sign⟨u, x⟩ (+1 on the null set)."""
    n = arguments.integer("samples", samples, 1, 10**6)
    u = np.asarray(direction, dtype=np.float64)
    if u.ndim != 1 or not np.isfinite(u).all() or abs(np.linalg.norm(u) - 1) > 1e-12:
        raise arguments.ParameterError("direction", f"an array of shape {u.shape}", "a finite unit vector")
    x = rng.standard_normal((n, len(u)))
    return x, np.where(x @ u >= 0, 1.0, -1.0)


def _weights(values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) == 0 or not np.isfinite(values).all() or not values.any():
        raise arguments.ParameterError("weights", list(values.ravel()), "a non-empty finite list, not all zero")
    return values
