"""The data of deep matrix sensing, in NumPy: measurements and the layers' initialisations (docs/claims/sensing.md).

Random data come from a generator the caller passes (a claim passes one of its run's streams, ``Run.rng``), so
that one seed determines every data set.

* ``gaussian_measurements``: n matrices A_k with i.i.d. N(0, 1) entries, flattened to the rows of an (n, d²)
  array; drawn row by row, so the first n rows of a larger draw from the same generator state are the n-row draw;
* ``aligned_measurements``: A_k = diag(h_k), h_k the rows of a Sylvester–Hadamard design (Σ_k h_k h_kᵀ = n I
  exactly): the loss is exactly ½‖diag(W) − diag(W*)‖², the toy model's;
* ``gaussian_factors``: N layers with i.i.d. N(0, s²) entries, s chosen so that the product's singular values
  have mean σ_0 (``gaussian_scale``); ``balanced_factors``: W_j = σ_0^{1/N} I.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import hadamard

from . import arguments

MAX_SIZE = 1000  # d: the largest matrix side accepted


def gaussian_measurements(rng: np.random.Generator, samples: int, size: int) -> np.ndarray:
    """n = ``samples`` measurement matrices of side d = ``size`` with i.i.d. N(0, 1) entries: shape (n, d²)."""
    return rng.standard_normal((arguments.integer("samples", samples, 1, 10**6), _size(size) ** 2))


def aligned_measurements(size: int) -> np.ndarray:
    """Diagonal measurements A_k = diag(h_k), h_k the columns 1..d of the rows of a Sylvester–Hadamard matrix of
    the smallest order n > d (a power of two): Σ_k h_k h_kᵀ = n I exactly, off-diagonal entries unmeasured.
    Shape (n, d²)."""
    d = _size(size)
    rows = hadamard(2 ** max(1, math.ceil(math.log2(d + 1))))[:, 1 : d + 1].astype(float)
    out = np.zeros((rows.shape[0], d, d))
    out[:, np.arange(d), np.arange(d)] = rows
    return out.reshape(rows.shape[0], d * d)


def fuss_catalan_mean(depth: int) -> float:
    """m_N: the mean singular value of a product of N independent d × d Gaussian matrices with entry variance
    1/d, as d → ∞. The squared singular values follow the Fuss–Catalan law of order N, whose moments
    E[x^s] = Γ((N+1)s + 1)/(Γ(s + 1)Γ(N s + 2)) give, at s = ½, m_N = Γ((N+3)/2)/(Γ(3/2)Γ(N/2 + 2))
    (m_1 = 8/(3π) ≈ 0.849, the quarter-circle mean; m_4 ≈ 0.625)."""
    n = arguments.depth(depth)
    return math.gamma((n + 3) / 2) / (math.gamma(1.5) * math.gamma(n / 2 + 2))


def gaussian_scale(depth: int, init, size: int) -> float:
    """Per-entry standard deviation of each layer so that the product's singular values have mean ``init``:
    s = (init/m_N)^{1/N}/√d. The authors' code uses init^{1/N}/√d, i.e. mean m_N·init (0.62–0.85 of init for
    N = 1..4); at d = 50 the finite-size mean is within a few % of the limit."""
    n = arguments.depth(depth)
    scale = float(arguments.positive("init", init))
    return (scale / fuss_catalan_mean(n)) ** (1.0 / n) / math.sqrt(_size(size))


def gaussian_factors(rng: np.random.Generator, *, depth: int, init, size: int) -> np.ndarray:
    """N = ``depth`` layers with i.i.d. N(0, s²) entries, s = ``gaussian_scale``: shape (N, d, d)."""
    scale = gaussian_scale(depth, init, size)
    return rng.standard_normal((depth, size, size)) * scale


def balanced_factors(*, depth: int, init, size: int) -> np.ndarray:
    """The balanced, aligned initialisation W_j = σ_0^{1/N} I (j = 1..N): shape (N, d, d)."""
    n = arguments.depth(depth)
    return np.repeat(np.eye(_size(size))[None], n, axis=0) * float(arguments.positive("init", init)) ** (1.0 / n)


def _size(size) -> int:
    return arguments.integer("size", size, 1, MAX_SIZE)
