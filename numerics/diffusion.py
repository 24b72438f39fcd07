"""Growth exponents of linear multiplicative noise, computed by quadrature (docs/claims/stochastic-collapse.md §1).

Near an invariant set every stochastic-collapse model is, to first order, the linear Euler–Maruyama map

    X_{n+1} = X_n (1 + a h + b √h ξ_n),   ξ_n ~ N(0, 1) independent,

whose exact exponent per unit time is ``discrete_exponent`` = E log|1 + a h + b √h ξ| / h (a Gaussian integral
with a logarithmic singularity where the factor vanishes, split there). ``small_step_exponent`` is its h → 0
limit, the exponent of the SDE dX = aX dt + bX dW, computed here without Itô's formula: the same integral at
h = 10^-(dps+10), so the O(h) remainder is far below 10^-dps. The claims compare it with
the Itô exponent a − b²/2 their statements use, and use ``discrete_exponent`` − ``small_step_exponent`` as the
exact discretisation shift of a simulation at a finite step.
"""

from __future__ import annotations

import mpmath as mp

from . import arguments


def discrete_exponent(*, drift, noise, step, dps: int = 30) -> mp.mpf:
    """E log|1 + a h + b √h ξ| / h for ξ ~ N(0, 1): a = ``drift``, b = ``noise`` (≥ 0), h = ``step`` > 0."""
    a, b, h = arguments.exact("drift", drift), arguments.nonnegative("noise", noise), arguments.positive("step", step)
    digits = arguments.dps(dps)
    with mp.workdps(digits + 15):
        return _exponent(arguments.to_mpf(a), arguments.to_mpf(b), arguments.to_mpf(h))


def small_step_exponent(*, drift, noise, dps: int = 30) -> mp.mpf:
    """lim_{h→0} of ``discrete_exponent``: the Lyapunov exponent of dX = aX dt + bX dW, to 10^-dps."""
    a, b = arguments.exact("drift", drift), arguments.nonnegative("noise", noise)
    digits = arguments.dps(dps)
    with mp.workdps(digits + 20):
        h = mp.mpf(10) ** -(digits + 10)
        value = _exponent(arguments.to_mpf(a), arguments.to_mpf(b), h)
    with mp.workdps(digits):
        return +value


def _exponent(a, b, h):
    """The integral over ξ > 0 of the even part, log|(1 + ah)² − b²hξ²| = log|1 + y| with y = 2ah + (ah)² − b²hξ²:
    the odd part O(√h) cancels exactly, and log1p keeps every digit of the O(h) value (no digits lost to 1 + y)."""
    if b == 0:
        return (mp.log1p(a * h) if a * h > -1 else mp.log(-1 - a * h)) / h
    shift = 2 * a * h + (a * h) ** 2  # (1 + ah)² − 1, formed without cancellation
    spread = b * b * h
    root = abs(1 + a * h) / (b * mp.sqrt(h))  # where the factor vanishes: a logarithmic singularity

    def integrand(xi):
        y = shift - spread * xi * xi  # scaled by 1/h inside: quad's error target is absolute
        return 2 * mp.npdf(xi) * (mp.log1p(y) if y > -1 else mp.log(-1 - y)) / h  # φ counted twice: ξ and −ξ

    bulk = mp.sqrt(2 * mp.log(10) * mp.mp.dps) + 1  # beyond it φ(ξ) < 10^-dps: the rest only needs to exist
    points = sorted({mp.mpf(0), root, min(root, bulk)})
    return mp.quad(integrand, [*points, mp.inf], maxdegree=10) / 2


def refine_root(function, guess, *, dps: int) -> mp.mpf:
    """One secant step through guess·(1 ± ε), ε = 10^-(dps/2 + 5): the root of ``function`` near ``guess``, to
    ~10^-dps relative when ``guess`` is within ~10^-(dps/2) of it (the step converges quadratically), and otherwise a
    far better estimate than ``guess`` (the distance from ``guess`` is then what a check measures). ``function`` must
    be accurate to about 10^-(dps+5)."""
    with mp.workdps(dps + 10):
        epsilon = mp.mpf(10) ** -(dps // 2 + 5)
        low, high = guess * (1 - epsilon), guess * (1 + epsilon)
        f_low, f_high = function(low), function(high)
        if f_high == f_low:
            raise ArithmeticError(f"the function is flat near {mp.nstr(guess, 10)}: no secant step")
        return high - f_high * (high - low) / (f_high - f_low)
