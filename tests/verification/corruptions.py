"""Wrong closed forms of the kind a CAS or a typo produces; the verifier must refute every one.

Each entry maps a name to keyword arguments for ``theory.theorem1.substituted``. Keep this set growing.
"""

import sympy as sp

from theory.theorem1 import _antiderivative, _explicit_solution
from theory.theorem2 import N, _sufficient_deep, f, r, s, sigma_j
from theory.toy import init, sigma, t, target


def _only(depth, wrong, right):
    return lambda d: wrong(d) if d == depth else right(d)


THEOREM1 = {
    "N=2 solution: sign of the exponent flipped": dict(explicit_solution=_only(
        2, lambda d: init * target * sp.exp(-2 * target * t) / (target - init + init * sp.exp(-2 * target * t)),
        _explicit_solution)),
    "N=1 solution: wrong prefactor in the exponent": dict(explicit_solution=_only(
        1, lambda d: target + (init - target) * sp.exp(-2 * t), _explicit_solution)),
    "N=2 time: prefactor 1/2 dropped": dict(antiderivative=_only(
        2, lambda d: (sp.log(sigma) - sp.log(target - sigma)) / target, _antiderivative)),
    "N=1 time: log term dropped": dict(antiderivative=_only(
        1, lambda d: sigma / target, _antiderivative)),
    "N>=3 time: exponent of sigma off by one": dict(antiderivative=lambda d: _antiderivative(d) * (
        sigma if d not in (1, 2) else 1)),
    "N>=3 time: 2F1 parameter p with the wrong sign": dict(antiderivative=lambda d: _antiderivative(d) if d in (1, 2) else (
        sigma ** (2 / sp.sympify(d) - 1) / (d * (2 / sp.sympify(d) - 1) * target)
        * sp.hyper([1, 1 - 2 / sp.sympify(d)], [2 - 2 / sp.sympify(d)], sigma / target))),
    "N=4 time: factor 1/N dropped at one depth": dict(antiderivative=_only(
        4, lambda d: _antiderivative(d) * d, _antiderivative)),
    "N=2 solution: init and target swapped": dict(explicit_solution=_only(
        2, lambda d: init * target * sp.exp(2 * target * t) / (init - target + target * sp.exp(2 * target * t)),
        _explicit_solution)),
    "N>=3 time: 2F1 lower parameter off by one": dict(antiderivative=lambda d: _antiderivative(d) if d in (1, 2) else (
        sigma ** (2 / sp.sympify(d) - 1) / (d * (2 / sp.sympify(d) - 1) * target)
        * sp.hyper([1, 2 / sp.sympify(d) - 1], [2 / sp.sympify(d) + 1], sigma / target))),
    "N>=3 time: sign flipped": dict(antiderivative=lambda d: _antiderivative(d) * (-1 if d not in (1, 2) else 1)),
}


def _k():
    return (1 - s) / s * (f / (1 - f)) ** (1 / r)


THEOREM2 = {
    "depth 2 sufficient bound: factor r^(-1/(r-1)) dropped": dict(
        sufficient_2=lambda: sigma_j * (2 * _k()) ** (-r / (r - 1))),
    "depth 2 necessary bound: exponent r/(r-1) replaced by 1/(r-1)": dict(
        necessary_2=lambda: sigma_j / (1 + _k() ** (1 / (r - 1)))),
    "deep sufficient bound: exponent N/(N-2) off by one": dict(
        sufficient_deep=lambda: r * sigma_j * ((r - 1) / (((N - 2) / N) * (N / 2 + sp.log(1 / (1 - f)))
                                                          + r ** (1 + (N - 2) / N) * s ** (-(N - 2) / N))) ** (2 / (N - 2))),
    "deep sufficient bound: wrong prefactor": dict(sufficient_deep=lambda: 10 * _sufficient_deep()),
}
