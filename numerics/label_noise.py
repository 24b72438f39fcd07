"""The label-noise mode's stationary law in numbers (docs/claims/stochastic-collapse.md §4): the stated density of
P = uv integrated by quadrature (``numerics.stationary``), and the Gamma closed forms it implies, independently.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import sympy as sp

from theory import label_noise as theory

from . import arguments
from . import stationary as stationary_moments


@dataclass(frozen=True)
class Law:
    """Normaliser ∫_0^∞ p dP and the mean of P."""

    normaliser: mp.mpf
    mean: mp.mpf


def stationary(*, target, eta, sigma, dps: int = 30) -> Law:
    """The stated density's normaliser and mean, by quadrature."""
    density, scale, digits = _validated(target, eta, sigma, dps)
    with mp.workdps(digits + 10):
        integral = stationary_moments.integrator(density, theory.power, arguments.to_mpf(scale))
        normaliser = integral(lambda p: 1, mp.inf)
        mean = integral(lambda p: p, mp.inf) / normaliser
    with mp.workdps(digits):
        return Law(+normaliser, +mean)


def gamma_law(*, target, eta, sigma, dps: int = 30) -> Law:
    """The same from the Gamma law with the stated shape k and scale ησ²: (ησ²)^k Γ(k) and k ησ²."""
    _, scale, digits = _validated(target, eta, sigma, dps)
    with mp.workdps(digits + 10):
        k = mp.mpf(str(sp.N(theory.shape(*(_rational(v) for v in (target, eta, sigma))), mp.mp.dps + 5)))
        theta = arguments.to_mpf(scale)
        normaliser, mean = theta**k * mp.gamma(k), k * theta
    with mp.workdps(digits):
        return Law(+normaliser, +mean)


def _validated(target, eta, sigma, dps):
    s, step, noise = (arguments.positive(name, value) for name, value in (("target", target), ("eta", eta),
                                                                          ("sigma", sigma)))
    digits = arguments.dps(dps)
    density = theory.density(theory.power, _rational(s), _rational(step), _rational(noise))
    if not stationary_moments.power_at_zero(density, theory.power) > -1:
        threshold = float(step * noise**2 / 2)
        raise arguments.ParameterError("target", target, f"above the collapse threshold ησ²/2 = {threshold:.6g}",
                                       "below it the mode collapses to 0 and has no stationary density")
    return density, step * noise**2, digits


def _rational(value) -> sp.Rational:
    value = Fraction(value)
    return sp.Rational(value.numerator, value.denominator)
