"""The quartic toy's stationary law in numbers (docs/claims/stochastic-collapse.md §2): from the stated density by
tanh-sinh quadrature, and from the Gamma law it implies (θ²/ζ² ~ Gamma(k, 1)), independently.

``stationary`` integrates whatever density ``theory.quartic_collapse`` states (a corrupted one included);
``gamma_law`` evaluates the closed forms with Γ and the regularised incomplete Γ. Levels are values of θ².
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import sympy as sp

from theory import quartic_collapse as theory

from . import arguments
from . import stationary as stationary_moments


@dataclass(frozen=True)
class Stationary:
    """Normaliser ∫_0^∞ p dθ, the mean of θ², and P(θ² ≤ level) for each level."""

    normaliser: mp.mpf
    mean_square: mp.mpf
    below: tuple


def stationary(*, mu, zeta, levels=(), dps: int = 30) -> Stationary:
    """The stated density's normaliser, mean of θ² and distribution function, by quadrature."""
    m, z, digits = _validated(mu, zeta, dps)
    checked = tuple(arguments.positive("level", level) for level in levels)
    with mp.workdps(digits + 10):
        integral = _integrator(m, z)
        normaliser = integral(lambda t: 1, mp.inf)
        mean_square = integral(lambda t: t * t, mp.inf) / normaliser
        below = tuple(integral(lambda t: 1, mp.sqrt(arguments.to_mpf(level))) / normaliser for level in checked)
    with mp.workdps(digits):
        return Stationary(+normaliser, +mean_square, tuple(+value for value in below))


def gamma_law(*, mu, zeta, levels=(), dps: int = 30) -> Stationary:
    """The same quantities from θ²/ζ² ~ Gamma(k, 1): ½ζ^{2k}Γ(k), kζ², and the regularised P(k, level/ζ²)."""
    m, z, digits = _validated(mu, zeta, dps)
    checked = tuple(arguments.positive("level", level) for level in levels)
    with mp.workdps(digits + 10):
        k, z = _shape(m, z), arguments.to_mpf(z)
        normaliser = z ** (2 * k) * mp.gamma(k) / 2
        below = tuple(mp.gammainc(k, 0, arguments.to_mpf(level) / z**2, regularized=True) for level in checked)
        mean_square = k * z**2
    with mp.workdps(digits):
        return Stationary(+normaliser, +mean_square, tuple(+value for value in below))


def _integrator(m: Fraction, z: Fraction):
    """∫_0^end f(θ) p(θ) dθ for the stated density at (μ, ζ), at the current precision."""
    return stationary_moments.integrator(_density(m, z), theory.theta, arguments.to_mpf(z))


def _density(m: Fraction, z: Fraction) -> sp.Expr:
    return theory.density(theory.theta, sp.Rational(m.numerator, m.denominator), sp.Rational(z.numerator, z.denominator))


def _validated(mu, zeta, dps):
    m, z, digits = arguments.positive("mu", mu), arguments.positive("zeta", zeta), arguments.dps(dps)
    if not stationary_moments.power_at_zero(_density(m, z), theory.theta) > -1:
        critical = theory.threshold(sp.Rational(m.numerator, m.denominator))
        raise arguments.ParameterError("zeta", zeta, f"below the collapse threshold ζ_c(μ) = {sp.N(critical, 6)}",
                                       "above it the stationary density is not normalisable: θ collapses to 0")
    return m, z, digits


def _shape(m: Fraction, z: Fraction) -> mp.mpf:
    """The stated Gamma shape k = ζ_c(μ)²/(2ζ²) − ½ at the current precision."""
    k = theory.shape(sp.Rational(m.numerator, m.denominator), sp.Rational(z.numerator, z.denominator))
    return mp.mpf(str(sp.N(k, mp.mp.dps + 5)))
