"""Rank measures of matrices (NumPy) and the Fuss–Catalan law of Gaussian products evaluated (mpmath).

Rank measures (``docs/claims/low-rank-simplicity.md`` §1) act on singular values along the last axis, so a
batch of spectra is measured at once. Singular values at or below ``resolution`` × s_1 are treated as zero:
a computed singular value carries an absolute error up to about q·u·s_1 (u the unit roundoff, q the number
of singular values), so below that level it cannot be told from 0. Huh et al.'s code uses no cutoff; on a
spectrum without such values the two agree exactly, and otherwise differ by at most q²·u·log(1/u).

The Fuss–Catalan law (§2) comes from ``theory.effective_rank``: the stated closed forms compiled to mpmath,
and independent values by tanh-sinh quadrature of the density in its angle parametrisation,
E g(x) = ∫_0^{π/(L+1)} g(x(φ)) p(x(φ)) x(φ) (−d log x/dφ) dφ.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import mpmath as mp
import numpy as np
import sympy as sp
from scipy import stats

from theory import effective_rank as theory

from . import arguments
from .arguments import ParameterError

# Mean of the Tracy–Widom (GOE, β = 1) law: the largest eigenvalue of a real Gaussian ensemble sits at
# E + TW/(c n^{2/3}) with E[TW] = −1.2065335745820 (Tracy and Widom 1996; Bornemann 2010, 13 digits).
TRACY_WIDOM_MEAN = -1.2065335745820
MAX_DEPTH = 64
_GUARD = 10


def resolution(count: int, unit_roundoff: float = 2.0**-53) -> float:
    """Relative level q·u below which a computed singular value is indistinguishable from zero."""
    return count * unit_roundoff


def _spectra(singular_values, cutoff):
    values = np.asarray(singular_values, dtype=np.float64)
    if values.ndim == 0 or values.shape[-1] == 0:
        raise ParameterError("singular_values", singular_values, "an array with at least one singular value")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ParameterError("singular_values", "array", "finite and >= 0")
    top = values.max(axis=-1, keepdims=True)
    if (top <= 0).any():
        raise ParameterError("singular_values", "array", "not all zero (the rank measures need a nonzero matrix)")
    level = resolution(values.shape[-1]) if cutoff is None else float(arguments.nonnegative("cutoff", cutoff))
    return np.where(values > level * top, values, 0.0), top


def spectral_entropy(singular_values, *, cutoff=None) -> np.ndarray:
    """ρ = −Σ p_i log p_i, p_i = s_i/Σ s_j (nats): Huh et al.'s "effective rank"; 0 ≤ ρ ≤ log rank."""
    values, _ = _spectra(singular_values, cutoff)
    p = values / values.sum(axis=-1, keepdims=True)
    return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=-1)


def exp_spectral_entropy(singular_values, *, cutoff=None) -> np.ndarray:
    """e^ρ: Roy and Vetterli's effective rank, 1 ≤ e^ρ ≤ rank."""
    return np.exp(spectral_entropy(singular_values, cutoff=cutoff))


def stable_rank(singular_values) -> np.ndarray:
    """‖A‖_F²/‖A‖_2² = Σ s_i²/s_1², 1 ≤ stable rank ≤ rank."""
    values, top = _spectra(singular_values, 0)
    return np.sum((values / top) ** 2, axis=-1)


def threshold_rank(singular_values, *, threshold) -> np.ndarray:
    """#{i : s_i ≥ τ s_1} for 0 < τ ≤ 1."""
    tau = arguments.exact("threshold", threshold)
    if not 0 < tau <= 1:
        raise ParameterError("threshold", threshold, "in (0, 1]")
    values, top = _spectra(singular_values, 0)
    return np.sum(values >= float(tau) * top, axis=-1)


# ---------------------------------------------------------------------------------------------------
# The Fuss–Catalan law


def _depth(value) -> int:
    return arguments.integer("depth", value, 1, MAX_DEPTH)


def stable_rank_limit(*, depth) -> Fraction:
    """The stated limit of stable rank/n, exactly (L^L/(L+1)^{L+1} unless substituted)."""
    value = sp.Rational(theory.stable_rank_limit(_depth(depth)))
    return Fraction(int(value.p), int(value.q))


def moment(*, depth, order) -> Fraction:
    """The stated Fuss–Catalan moment m_k, exactly (an integer unless substituted)."""
    value = sp.Rational(theory.moment(_depth(depth), arguments.integer("order", order, 0, 10**4)))
    return Fraction(int(value.p), int(value.q))


def entropy_limit(*, depth, dps=50):
    """The stated h_L = lim (ρ(W_L) − log n), evaluated at ``dps`` digits."""
    digits = arguments.dps(dps)
    with mp.workdps(digits + _GUARD):
        value = _compiled("entropy_limit", _depth(depth))()
    with mp.workdps(digits):
        return +value


def moment_by_quadrature(*, depth, order, dps=50):
    """E[x^s] under the Fuss–Catalan density of order L, s = ``order`` > −1/(L + 1), by quadrature."""
    n = _depth(depth)
    power = arguments.exact("order", order)
    if power <= Fraction(-1, n + 1):
        raise ParameterError("order", order, f"> -1/(depth + 1) = {-1 / (n + 1):.6g} (the density ~ x^(-L/(L+1)) at 0)")
    return _moment_by_quadrature(n, power, arguments.dps(dps))


@lru_cache(maxsize=256)
def _moment_by_quadrature(depth: int, power: Fraction, digits: int):
    with mp.workdps(digits + _GUARD):
        s = arguments.to_mpf(power)
        return _expectation(depth, lambda x: x**s, digits)


def entropy_limit_by_quadrature(*, depth, dps=50):
    """h_L = log E√x − E[√x log √x]/E√x, both expectations by quadrature of the density."""
    return _entropy_limit_by_quadrature(_depth(depth), arguments.dps(dps))


@lru_cache(maxsize=64)
def _entropy_limit_by_quadrature(n: int, digits: int):
    with mp.workdps(digits + _GUARD):
        mean = _expectation(n, mp.sqrt, digits)
        weighted = _expectation(n, lambda x: mp.sqrt(x) * mp.log(x) / 2, digits)
        value = mp.log(mean) - weighted / mean
    with mp.workdps(digits):
        return +value


def edge_of_density(*, depth, dps=50):
    """The right end of the parametrised density's support: x(φ) as φ → 0 (x(φ) = E(1 − O(φ²)))."""
    n = _depth(depth)
    digits = arguments.dps(dps)
    with mp.workdps(2 * digits + _GUARD):
        x, _, _ = _density(n)
        value = x(mp.mpf(10) ** -digits)
    with mp.workdps(digits):
        return +value


def edge_correction(*, depth, size) -> float:
    """Leading relative bias of E[stable rank]/n over its limit at size n: the largest eigenvalue sits at
    E_L + TW/(c_L n^{2/3}) on average, so the bias is −E[TW]/(c_L E_L n^{2/3}) (positive)."""
    n = _depth(depth)
    m = arguments.integer("size", size, 1, 10**6)
    scale = float(theory.edge_scale(n)) * float(theory.edge(n))
    return -TRACY_WIDOM_MEAN / (scale * m ** (2 / 3))


def second_moment(*, depth, size) -> Fraction:
    """E (1/n) tr (W_L W_Lᵀ)² exactly at size n (theory.effective_rank.second_moment)."""
    value = sp.Rational(theory.second_moment(_depth(depth), arguments.integer("size", size, 1, 10**6)))
    return Fraction(int(value.p), int(value.q))


def decile_bounds(values, *, confidence) -> tuple[np.ndarray, np.ndarray]:
    """Distribution-free confidence bounds on the nine deciles of the law a sample was drawn from.

    For the q-quantile ξ_q and order statistics X_(1) ≤ … ≤ X_(m): P(X_(r) > ξ_q) = P(Bin(m, q) < r), so
    X_(r) with r the largest rank for which that is ≤ (1 − confidence)/2 is a lower bound (one-sided
    level (1 − confidence)/2), and symmetrically an upper bound. A bound beyond the sample is ∓inf.
    """
    sample = np.sort(np.asarray(values, dtype=np.float64))
    m = len(sample)
    alpha = float(arguments.exact("confidence", confidence))
    if not 0 < alpha < 1:
        raise ParameterError("confidence", confidence, "in (0, 1)")
    tail = (1 - alpha) / 2
    lower, upper = [], []
    for q in np.arange(1, 10) / 10:
        r = int(stats.binom.ppf(tail, m, q))  # P(Bin < r) ≤ tail: rank r (1-based) is a lower bound
        while r > 0 and stats.binom.cdf(r - 1, m, q) > tail:
            r -= 1
        lower.append(sample[r - 1] if r >= 1 else -math.inf)
        t = int(stats.binom.isf(tail, m, q)) + 1  # P(Bin ≥ t) ≤ tail: rank t is an upper bound
        while t <= m and stats.binom.sf(t - 1, m, q) > tail:
            t += 1
        upper.append(sample[t - 1] if t <= m else math.inf)
    return np.array(lower), np.array(upper)


def _density(depth: int):
    key = ("density", depth)
    if key not in _COMPILED:
        x, p, slope = theory.density_form(depth)
        _COMPILED[key] = tuple(sp.lambdify(theory.phi, form, modules="mpmath") for form in (x, p, slope))
    return _COMPILED[key]


def _expectation(depth: int, g, digits: int):
    """E g(x) by tanh-sinh quadrature in φ; raises ArithmeticError when the error estimate exceeds the
    requested precision. The density's values at the quadrature nodes are shared by every g (the same nodes
    recur for the same depth and precision), so several moments cost little more than one."""
    nodes = _NODES.setdefault((depth, mp.mp.prec), {})
    x, p, slope = _density(depth)

    def integrand(angle):
        if angle not in nodes:
            position = x(angle)
            nodes[angle] = (position, p(angle) * position * -slope(angle))
        position, weight = nodes[angle]
        # a node that rounds onto the end φ = π/(L+1) can give x(φ) ≤ 0 (sin((L+1)φ) of either sign, ~10^-prec):
        # x = 0 is the end of the support, where the weight vanishes; g (x^s, √x, log x) is not evaluated there,
        # which would make the expectation complex
        return g(position) * weight if position > 0 else 0

    value, error = mp.quad(integrand, [0, mp.pi / (2 * (depth + 1)), mp.pi / (depth + 1)], error=True,
                           maxdegree=12)
    if error > abs(value) * mp.mpf(10) ** -(digits + 2):
        raise ArithmeticError(f"quadrature of the Fuss–Catalan density (depth {depth}) reached only "
                              f"{mp.nstr(error, 3)} absolute error at {mp.mp.dps} digits")
    return value


_NODES: dict = {}  # (depth, binary precision) -> {φ: (x(φ), p(x(φ)) x(φ) (−d log x/dφ))}


def _compiled(form: str, depth: int):
    key = (form, depth, theory.STATEMENT.version)
    if key not in _COMPILED:
        _COMPILED[key] = sp.lambdify((), getattr(theory, form)(depth), modules="mpmath")
    return _COMPILED[key]


_COMPILED: dict = {}
