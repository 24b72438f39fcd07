"""Retention in numbers (``docs/claims/increasing-complexity.md`` §2): the stated interpolant and disagreement
evaluated, an independent quadrature of the disagreement, angles, and the deterministic retention bound.

Arrays are float64 (d up to a few thousand); the disagreement quadrature is mpmath at ``dps``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import mpmath as mp
import numpy as np
import sympy as sp

from theory import least_squares
from theory import retention as theory

from . import arguments
from .arguments import ParameterError


def disagreement(angle: float) -> float:
    """The stated P[sign⟨u, x⟩ ≠ sign⟨v, x⟩] for ∠(u, v) = ``angle`` (θ/π unless substituted)."""
    value = float(arguments.exact("angle", angle))
    if not 0 <= value <= math.pi:
        raise ParameterError("angle", angle, "in [0, π]")
    return float(theory.disagreement(sp.Float(value, 30)))


def disagreement_by_quadrature(angle, *, dps=50):
    """2∫_0^∞ φ(s) Φ(−s cot θ) ds: P[⟨u, x⟩ > 0 > ⟨v, x⟩] twice, writing ⟨v̂, x⟩ = cos θ·s + sin θ·z with s, z
    independent standard normals (an mpmath quadrature, independent of the closed form)."""
    value = arguments.exact("angle", angle)
    with mp.workdps(30):
        if not 0 < arguments.to_mpf(value) < mp.pi:
            raise ParameterError("angle", angle, "in (0, π)")
    return _disagreement_by_quadrature(value, arguments.dps(dps))


@lru_cache(maxsize=256)
def _disagreement_by_quadrature(value: Fraction, digits: int):
    with mp.workdps(digits + 10):
        slope = mp.cot(arguments.to_mpf(value))
        half = mp.quad(lambda s: mp.npdf(s) * mp.ncdf(-s * slope), [0, 1, mp.inf])
        result = 2 * half
    with mp.workdps(digits):
        return +result


def angle(u, v) -> float:
    """∠(u, v) by Kahan's formula 2·atan2(‖û − v̂‖, ‖û + v̂‖), accurate also for nearly parallel vectors."""
    a, b = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    return float(2 * math.atan2(np.linalg.norm(a - b), np.linalg.norm(a + b)))


def limit(inputs, targets, init) -> np.ndarray:
    """The stated w∞ (``theory.least_squares.limit``) evaluated in float64."""
    key = least_squares.statement_key()
    if key not in _COMPILED:
        _COMPILED[key] = sp.lambdify((least_squares.X, least_squares.y, least_squares.w0), least_squares.limit(),
                                     modules="numpy")
    x = np.asarray(inputs, dtype=np.float64)
    value = _COMPILED[key](x, np.asarray(targets, dtype=np.float64)[:, None],
                           np.asarray(init, dtype=np.float64)[:, None])
    return np.asarray(value, dtype=np.float64)[:, 0]


def outside_span(inputs, vector) -> np.ndarray:
    """(I − P)v: the component of v orthogonal to the rows of X (by a QR basis of the row space)."""
    basis, _ = np.linalg.qr(np.asarray(inputs, dtype=np.float64).T)
    v = np.asarray(vector, dtype=np.float64)
    return v - basis @ (basis.T @ v)


def retention_bound(inputs, targets, init) -> float:
    """arcsin(min(1, ‖y − Xw₀‖/(‖w₀‖ s_min(X))))/π: no interpolant reached from w₀ by SGD disagrees with w₀ on a
    larger fraction of Gaussian inputs (``theory.retention.angle_derivation``)."""
    x = np.asarray(inputs, dtype=np.float64)
    residual = np.linalg.norm(np.asarray(targets) - x @ np.asarray(init))
    smallest = np.linalg.svd(x, compute_uv=False)[-1]
    return math.asin(min(1.0, residual / (np.linalg.norm(init) * smallest))) / math.pi


_COMPILED: dict = {}
