"""One-dimensional Itô diffusions dX = a(X) dt + b(X) dW: the tools every stochastic-collapse model uses
(docs/claims/stochastic-collapse.md §1).

* ``ito_drift``: the drift of f(X) by Itô's lemma, f′a + ½f″b²;
* ``zero_flux``: the stationary probability flux a p − ½(b² p)′ of a density p (zero for a stationary density
  of a diffusion with a reflecting or natural boundary);
* ``convergent_integral``: ∫ f over an interval as SymPy's convergent branch and the condition under which it
  converges (SymPy's Piecewise answer taken apart, never trusted silently: callers check what they use).
"""

from __future__ import annotations

import sympy as sp


def ito_drift(function, drift, diffusion_squared, variable):
    """The dt-coefficient of d f(X) for dX = a dt + b dW: f′(X) a + ½ f″(X) b²."""
    return sp.diff(function, variable) * drift + sp.diff(function, variable, 2) * diffusion_squared / 2


def zero_flux(density, drift, diffusion_squared, variable):
    """The stationary flux a p − ½ (b² p)′: identically zero for a stationary density with no net current."""
    return drift * density - sp.diff(diffusion_squared * density, variable) / 2


def convergent_integral(integrand, variable, low, high):
    """(value, condition): SymPy's ∫_low^high integrand with conds='piecewise', split into the value of its
    convergent branch and the condition of that branch (``sympy.true`` when it converges unconditionally).

    Raises ``ArithmeticError`` when SymPy returns no convergent branch at all."""
    result = sp.integrate(integrand, (variable, low, high), conds="piecewise")
    if isinstance(result, sp.Piecewise):
        value, condition = result.args[0]
    else:
        value, condition = result, sp.true
    if value.has(sp.Integral):
        raise ArithmeticError(f"SymPy could not integrate {integrand} over ({low}, {high})")
    return value, condition
