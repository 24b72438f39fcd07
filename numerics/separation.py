"""Definition 1 and Theorem 2 in numbers: hitting-time gaps, the exact init threshold, bound values.

The pair (σ_i*, σ_j*) = (ratio·target, target) with common init σ_0 is learned incrementally iff
σ_0 ≤ s·σ_j* and the hitting-time gap T_j(s) − T_i(f) is ≥ 0. The gap is strictly decreasing in σ_0:
its derivative is 1/σ̇_i(σ_0) − 1/σ̇_j(σ_0) < 0, because σ̇_i = Nσ^{2−2/N}(σ_i* − σ) > σ̇_j at the same σ.
So the incremental inits form an interval (0, σ_0^max], and ``max_init`` finds its end by safeguarded
Newton iteration in u = log σ_0 (thresholds reach 1e-97 at depth 2, r − 1 = 0.02, and far smaller),
with working digits sized to the conditioning of the gap.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import sympy as sp

from theory import theorem2

from . import arguments, evaluate
from .arguments import ParameterError, to_mpf
from .toy import _fraction, _time_to

# max_init searches init ≥ e^LOWEST_LOG_INIT (about 1e-56924; depth 2 at r − 1 = 1e-4 needs about 1e-19000).
LOWEST_LOG_INIT = -(2**17)


class NoIncrementalInit(ArithmeticError):
    """No init ≥ e^LOWEST_LOG_INIT is learned incrementally (at depth ≥ 2 that contradicts Theorem 2)."""


def _pair(depth, ratio, s, f, target):
    n = arguments.depth(depth)
    r = arguments.exact("ratio", ratio)
    if r <= 1:
        raise ParameterError("ratio", ratio, "a finite number > 1", "ratio = σ_i*/σ_j* of the two targets")
    low, high = arguments.exact("s", s), arguments.exact("f", f)
    if not 0 < low < 1:
        raise ParameterError("s", s, "in (0, 1)", "the 'not yet learned' fraction")
    if not 0 < high < 1:
        raise ParameterError("f", f, "in (0, 1)", "the 'learned' fraction")
    if low >= high:
        raise ParameterError("s", s, f"below f = {arguments._show(high)}", "incremental learning needs s < f")
    return n, r, low, high, arguments.positive("target", target)


def hitting_gap(init, *, depth, ratio, s, f, target=1, dps=50):
    """T_j(s) − T_i(f) for the flow from ``init`` (≥ 0 exactly when the pair is learned incrementally).

    Valid for 0 < init ≤ s·target (above it σ_j starts beyond s·σ_j* and the pair is never incremental).
    """
    n, r, low, high, star = _pair(depth, ratio, s, f, target)
    s0 = arguments.positive("init", init)
    if s0 > low * star:
        raise ParameterError("init", init, f"in (0, s·target] = (0, {arguments._show(low * star)}]",
                             "above it the smaller target is past s from the start")
    digits = arguments.working_dps(dps)
    with mp.workdps(digits):
        return +_gap(s0, n, r, low, high, star, digits + 10)


def is_incremental(init, *, depth, ratio, s, f, target=1) -> bool:
    """Definition 1 for the flow: some time has σ_i ≥ f σ_i* while σ_j ≤ s σ_j*."""
    n, r, low, high, star = _pair(depth, ratio, s, f, target)
    s0 = arguments.positive("init", init)
    return s0 <= low * star and _gap(s0, n, r, low, high, star, 30) >= 0


def max_init(*, depth, ratio, s, f, target=1, dps=50):
    """The largest σ_0 for which (ratio·target, target) is learned incrementally; ``None`` for depth 1.

    >>> from mpmath import nstr
    >>> nstr(max_init(depth=2, ratio='1.1', s='0.1', f='0.9', dps=30), 6)
    '3.52355e-21'
    """
    n, r, low, high, star = _pair(depth, ratio, s, f, target)
    digits = arguments.working_dps(dps)
    if n == 1:
        return None  # Theorem 2 (a): depth 1 is never incremental
    top = mp.log(to_mpf(low * star))
    with mp.workdps(30):
        rough = _newton(n, r, low, high, star, 30, top, None, 12)
        times = max(abs(_time(_fraction(mp.exp(rough)), n, r * star, high, 30)), mp.mpf(1))
        slope = abs(_slope(mp.exp(rough), n, r, star))
        conditioning = max(0, int(mp.log10(times / slope + 1)))
    wdps = digits + 10 + conditioning
    with mp.workdps(wdps):
        root = _newton(n, r, low, high, star, wdps, mp.log(to_mpf(low * star)), rough, digits + 3)
    with mp.workdps(digits):
        return +mp.exp(root)


def bound_value(expression, *, depth, ratio, s, f, target=1, dps=50):
    """A bound on σ_0 (SymPy expression in N, r, s, f, sigma_j) at these parameters, as an mpmath number;
    ParameterError when a power or exponential in it leaves e^±10^6 here (``numerics.evaluate``)."""
    n, r, low, high, star = _pair(depth, ratio, s, f, target)
    digits = arguments.working_dps(dps)
    compiled = _compiled_bound(sp.sympify(expression, strict=True))  # never parses text: that runs code
    with mp.workdps(digits + 20):
        try:
            value = compiled(mp.mpf(n), to_mpf(r), to_mpf(low), to_mpf(high), to_mpf(star))
        except OverflowError as failure:
            raise ParameterError("expression", str(expression), "computable here, within e^±10^6",
                                 f"{failure}, at depth={n}, ratio={arguments._show(r)}") from None
    with mp.workdps(digits):
        return +value


# ---------------------------------------------------------------------------------------------------


def _time(init: Fraction, n: int, star: Fraction, fraction: Fraction, wdps: int):
    level = fraction * star
    return _time_to(level, n, star, init, wdps) if init < level else mp.mpf(0)


def _gap(s0: Fraction, n, r, low, high, star, wdps):
    return _time(s0, n, star, low, wdps) - _time(s0, n, r * star, high, wdps)


def _slope(s0, n, r, star):
    """d gap/d log σ_0 = σ_0 (1/σ̇_i(σ_0) − 1/σ̇_j(σ_0)), negative."""
    sm = to_mpf(star)
    rate = n * s0 ** (2 - mp.mpf(2) / n)
    return s0 * (1 / (rate * (to_mpf(r) * sm - s0)) - 1 / (rate * (sm - s0)))


def _newton(n, r, low, high, star, wdps, top, start, digits):
    """Root of the gap in u = log σ_0 on (−∞, top]; the gap is negative at top and decreasing."""
    tolerance = mp.mpf(10) ** -digits

    def gap(u):
        return _gap(_fraction(mp.exp(u)), n, r, low, high, star, wdps)

    lo, hi = None, top  # gap(lo) > 0 > gap(hi)
    u = start if start is not None else top - 1
    width = mp.mpf(1)
    while lo is None:  # march down with doubling steps until the gap turns positive
        if gap(u) > 0:
            lo = u
        elif u < LOWEST_LOG_INIT:
            raise NoIncrementalInit(f"max_init: the hitting-time gap T_j(s) − T_i(f) stays negative for every init "
                                  f"down to e^{LOWEST_LOG_INIT}: no incremental init found (is a closed form wrong, "
                                  "or the ratio too close to 1?)")
        else:
            hi, u, width = u, u - 2 * width, 2 * width
    u = start if start is not None else (lo + hi) / 2
    for _ in range(300):
        value = gap(u)
        if value > 0:
            lo = u
        else:
            hi = u
        candidate = u - value / _slope(mp.exp(u), n, r, star)
        if abs(candidate - u) <= tolerance:  # converged; the step may round to 0, onto an end of the bracket
            return candidate
        if not lo < candidate < hi:
            candidate = (lo + hi) / 2
        if hi - lo <= tolerance:
            return candidate
        u = candidate
    raise ArithmeticError("max_init: the root of the hitting-time gap did not converge")  # pragma: no cover


_BOUNDS: dict = {}


def _compiled_bound(expression):
    key = sp.srepr(expression)
    if key not in _BOUNDS:
        names = theorem2.BOUND_SYMBOLS
        _BOUNDS[key] = evaluate.compiled(expression, [names[name] for name in ("N", "r", "s", "f", "sigma_j")])
    return _BOUNDS[key]
