"""Eigenvalue dynamics of quadratic networks (theory/quadratic.py) as numbers.

With M(0) = init·I and a diagonal target M*, M stays diagonal in M*'s basis under the flow and under
gradient descent on W, so the eigenvalues λ_i evolve alone:

* flow: dλ_i/dt = 8λ_i(λ_i* − λ_i) − 4λ_i·τ·coupled, τ = Σ_j(λ_j − λ_j*) (coupled = 0 with the bias at its
  optimum, i.e. the variance loss; 1 without a bias): ``eigenvalue_flow`` integrates it (SciPy Radau);
* GD with step η on W: w_i ← w_i(1 − 4η(λ_i − λ_i*) − 2ητ·coupled), λ_i = w_i²: ``eigenvalue_gd`` replays
  it exactly (mpmath).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
from scipy.integrate import solve_ivp

from . import arguments
from .arguments import to_mpf


def _targets(targets):
    values = [arguments.exact("targets", value) for value in targets]
    if not values or any(value < 0 for value in values):
        raise arguments.ParameterError("targets", targets, "a non-empty list of eigenvalues >= 0")
    return values


def eigenvalue_gd(targets, *, init, step, steps, coupled: bool, dps=30) -> list:
    """Eigenvalues after each number of GD steps in ``steps`` (a list per recorded step)."""
    stars = _targets(targets)
    start = arguments.positive("init", init)
    eta = arguments.positive("step", step)
    marks = sorted({arguments.integer("steps", k, 0, 10**7) for k in steps})
    out = []
    with mp.workdps(arguments.working_dps(dps)):
        values = [to_mpf(start)] * len(stars)
        goals, h = [to_mpf(s) for s in stars], to_mpf(eta)
        k = 0
        for mark in marks:
            while k < mark:
                tau = sum(v - g for v, g in zip(values, goals)) if coupled else 0
                values = [v * (1 - 4 * h * (v - g) - 2 * h * tau) ** 2 for v, g in zip(values, goals)]
                k += 1
            out.append(list(values))
    return out


def eigenvalue_flow(targets, *, init, times, coupled: bool) -> np.ndarray:
    """Eigenvalues of the flow at ``times`` (rows), Radau at rtol 1e-10 in log λ (positive by construction)."""
    stars = np.array([float(s) for s in _targets(targets)])
    start = float(arguments.positive("init", init))
    stamps = sorted(float(arguments.nonnegative("times", t)) for t in times)

    def rhs(_, logs):
        values = np.exp(logs)
        tau = (values - stars).sum() if coupled else 0.0
        return 8 * (stars - values) - 4 * tau

    solution = solve_ivp(rhs, (0.0, max(stamps + [0.0]) or 1.0), np.full(len(stars), np.log(start)), method="Radau",
                         rtol=1e-10, atol=1e-12, dense_output=True)
    if solution.status < 0:
        raise ArithmeticError(f"eigenvalue flow: {solution.message}")
    return np.exp(np.array([solution.sol(t) for t in stamps]))
