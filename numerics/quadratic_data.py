"""The data of quadratic networks f(x) = xᵀWᵀWx (+ b), in NumPy (docs/claims/quadratic.md).

Random draws come from a generator the caller passes (a claim passes one of its run's streams, ``Run.rng``):

* ``orthogonal_weights``: W(0) = √init·Q with Q orthogonal (the QR factor of a Gaussian matrix), so that
  M(0) = WᵀW = init·I whatever Q is;
* ``gaussian_inputs``: n inputs x ~ N(0, I_d), one per row.
"""

from __future__ import annotations

import numpy as np

from . import arguments

MAX_SIZE = 1000  # d: the largest input dimension accepted


def orthogonal_weights(rng: np.random.Generator, *, init, size: int) -> np.ndarray:
    """√init·Q, Q a d × d orthogonal matrix drawn from ``rng``."""
    d = arguments.integer("size", size, 1, MAX_SIZE)
    orthogonal, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return float(arguments.positive("init", init)) ** 0.5 * orthogonal


def gaussian_inputs(rng: np.random.Generator, *, samples: int, size: int) -> np.ndarray:
    """n = ``samples`` inputs x ~ N(0, I_d): shape (n, d)."""
    return rng.standard_normal((arguments.integer("samples", samples, 1, 10**6),
                                arguments.integer("size", size, 1, MAX_SIZE)))
