"""Independent integrators of the toy model's gradient flow, used to cross-check the closed forms.

None of them uses the hypergeometric closed form of ``numerics.toy``:

* ``quad_time_to``: tanh-sinh quadrature (mpmath) of dt/dy = σ(y)^p/(N σ*) over the logit
  y = log(σ/(σ* − σ)); the integrand is smooth and breakpoints double in width from the start, which
  resolves the exponential plateau of tiny inits (agrees with the closed form to ~1e-59 at dps 50).
* ``odefun_sigma_at``: mpmath's Taylor-series ODE solver in the balanced factor w = σ^{1/N},
  w' = w^{N-1}(σ* − w^N), a polynomial right-hand side (much faster than the σ form).
* ``scipy_times_to`` / ``scipy_sigma_at``: SciPy ``solve_ivp`` (DOP853 or Radau) in float64, in the logit
  variable, where dy/dt = N σ* σ^{1-2/N}, or in the gap σ* − σ for N = 1 (where that is linear).
  Level crossings are located with events, which removes the plateau's amplification of phase errors.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath as mp
from mpmath import libmp
from mpmath.calculus.quadrature import TanhSinh
from scipy.integrate import solve_ivp
from scipy.special import expit

from . import arguments
from .arguments import ParameterError, to_mpf

SCIPY_METHODS = ("DOP853", "Radau")
# float64 represents t to ~16 digits; the O(1)-wide transition after a plateau of length L is
# resolved only if L stays far below 1e16 times the transition width.
_MAX_PLATEAU_TO_WIDTH = 1e10
# float64 cannot tell apart levels closer than this (relative) to init or to the target.
SCIPY_MIN_SEPARATION = 1e-6


def quad_time_to(sigma, *, depth, target, init, dps=50):
    """t(σ) by tanh-sinh quadrature in the logit variable (independent of 2F1)."""
    n, star, s0 = arguments.toy(depth_=depth, target=target, init=init)
    s = arguments.sigma(sigma, target=star, init=s0)
    digits = arguments.working_dps(dps)
    if s == s0:
        return mp.mpf(0)
    # y1 − y0 ≈ (σ − σ0)/σ0 loses log10(σ/(σ − σ0)) digits to cancellation: carry that many more.
    with mp.workdps(20):
        close = max(0, int(mp.log10(to_mpf(s / (s - s0)))))
    with mp.workdps(digits + 15 + close):
        sm, p = to_mpf(star), mp.mpf(2) / n - 1
        y0, y1 = _logit(s0, star), _logit(s, star)
        rate = _scaled_rate(sm, p, n * sm, mp.mpf(1))  # dt/dy, monotone in y, so largest at an end of the range
        # mp.quad stops on an absolute error estimate: scale the integrand to O(1) so that tiny times
        # (σ close to init at init 1e-300) and huge ones (plateaus of 1e100) keep their relative digits.
        scale = max(rate(y0), rate(y1))
        total = scale * _tanh_sinh(_scaled_rate(sm, p, n * sm, scale), _breakpoints(y0, y1, p), (n, sm, scale))
    with mp.workdps(digits):
        return +total


def odefun_sigma_at(t, *, depth, target, init, dps=30):
    """σ(t) from mpmath's Taylor ODE solver in the balanced factor w = σ^{1/N}."""
    n, star, s0 = arguments.toy(depth_=depth, target=target, init=init)
    time = arguments.nonnegative("t", t)
    digits = arguments.working_dps(dps)
    with mp.workdps(digits + 10):
        sm = to_mpf(star)
        solution = mp.odefun(lambda _, w: w ** (n - 1) * (sm - w**n), 0, mp.root(to_mpf(s0), n))
        value = solution(to_mpf(time)) ** n
    with mp.workdps(digits):
        return +value


def float64_resolvable(level, *, target, init) -> bool:
    """Whether a float64 ODE solve can tell ``level`` apart from init and from the target."""
    star, s0 = arguments.exact("target", target), arguments.exact("init", init)
    level = arguments.exact("level", level)
    return level - s0 >= SCIPY_MIN_SEPARATION * level and star - level >= SCIPY_MIN_SEPARATION * star


def scipy_times_to(levels, *, depth, target, init, method="DOP853", rtol=1e-12):
    """Times (floats) at which the float64 ODE solution first reaches each of ``levels``."""
    n, star, s0, method = _scipy_arguments(depth, target, init, method)
    marks = [arguments.sigma(level, target=star, init=s0) for level in levels]
    for level in marks:
        if not float64_resolvable(level, target=star, init=s0):
            raise ParameterError("levels", float(level),
                                 f"at least {SCIPY_MIN_SEPARATION:g} (relative) away from init and target",
                                 "float64 cannot resolve closer levels; use numerics.toy.time_to")
    ode = _FlowODE(n, float(star))
    ordered = sorted(set(marks))
    events = [ode.crossing(float(level)) for level in ordered]
    events[-1].terminal = True
    solution = ode.solve(float(s0), _time_bound(n, star, s0, ordered[-1]), method, rtol, events=events)
    if any(len(hit) == 0 for hit in solution.t_events):
        raise ArithmeticError(f"scipy {method} stopped before reaching every level: {solution.message}")
    crossing = {level: float(hit[0]) for level, hit in zip(ordered, solution.t_events)}
    return [crossing[level] for level in marks]


def scipy_sigma_at(times, *, depth, target, init, method="DOP853", rtol=1e-12):
    """σ (floats) of the float64 ODE solution at each of ``times``."""
    n, star, s0, method = _scipy_arguments(depth, target, init, method)
    stamps = [float(arguments.nonnegative("t", value)) for value in times]
    ode = _FlowODE(n, float(star))
    solution = ode.solve(float(s0), max(stamps + [0.0]), method, rtol, dense_output=True)
    return [ode.sigma(float(solution.sol(value)[0])) if value > 0 else float(s0) for value in stamps]


class _FlowODE:
    """The flow in a float64-friendly state: the gap σ* − σ for N = 1 (linear), else the logit
    y = log(σ/(σ* − σ)), in which dy/dt = N σ* σ^{1-2/N} resolves both tiny σ and σ near σ*."""

    def __init__(self, n: int, star: float):
        self.n, self.star, self.exponent = n, star, 1 - 2 / n

    def state(self, sigma: float) -> float:
        return self.star - sigma if self.n == 1 else math.log(sigma) - math.log(self.star - sigma)

    def sigma(self, state: float) -> float:
        return self.star - state if self.n == 1 else self.star * float(expit(state))

    def rhs(self, _, y):
        if self.n == 1:
            return [-y[0]]
        return [self.n * self.star * self.sigma(y[0]) ** self.exponent]

    def jac(self, _, y):
        if self.n == 1:
            return [[-1.0]]
        s = self.sigma(y[0])
        return [[self.n * self.star * self.exponent * s**self.exponent * (1 - s / self.star)]]

    def crossing(self, level: float):
        mark = self.state(level)

        def event(_, y):
            return y[0] - mark

        event.direction = -1 if self.n == 1 else 1
        return event

    def solve(self, init: float, horizon: float, method: str, rtol: float, **options):
        if method == "Radau":
            options["jac"] = self.jac
        solution = solve_ivp(self.rhs, (0.0, horizon), [self.state(init)], method=method, rtol=rtol,
                             atol=rtol * 1e-2, **options)
        if solution.status < 0:
            raise ArithmeticError(f"scipy {method} failed: {solution.message}")
        return solution


def _scipy_arguments(depth, target, init, method):
    n, star, s0 = arguments.toy(depth_=depth, target=target, init=init)
    if method not in SCIPY_METHODS:
        raise ParameterError("method", method, f"one of {', '.join(SCIPY_METHODS)}")
    if s0 < Fraction(1, 10**300):
        raise ParameterError("init", s0, "at least 1e-300 for a float64 solve", "use numerics.toy.time_to")
    if star > 10**300:
        raise ParameterError("target", star, "at most 1e300 for a float64 solve", "use numerics.toy.time_to")
    width = 1 / (n * float(star) ** (2 - 2 / n))  # the transition's time scale
    if _time_bound(n, star, s0, star / 2) > _MAX_PLATEAU_TO_WIDTH * width:
        raise ParameterError("init", float(s0), f"large enough that the plateau lasts < {_MAX_PLATEAU_TO_WIDTH:g} "
                             "transition widths at this depth and target",
                             "float64 time cannot resolve the transition; use numerics.toy.sigma_at")
    return n, star, s0, method


def _time_bound(n: int, star: Fraction, s0: Fraction, level: Fraction) -> float:
    """An upper bound on the time to reach ``level``, independent of the closed form (×1.01).

    Below the level, σ* − σ ≥ σ* − level, so σ̇ ≥ N σ^{2-2/N}(σ* − level); integrate that.
    """
    gap, s0f, lf = float(star - level), float(s0), float(level)
    if n == 1:
        bound = (lf - s0f) / gap
    elif n == 2:
        bound = math.log(lf / s0f) / (2 * gap)
    else:
        p = 2 / n - 1
        bound = (s0f**p - lf**p) / (-p * n * gap)
    return 1.01 * bound + 1e-12


def _scaled_rate(sm, p, denominator, scale):
    """y ↦ dt/dy / scale, the quadrature's integrand, at the current precision: the same rounded operations as
    ``(sm / (1 + mp.exp(-y))) ** p / denominator / scale`` on mpf values, on mpmath's raw numbers. It is called
    hundreds of thousands of times per run; without an mpf object per intermediate it takes about a fifth less
    time, and gives the same bits (tests/unit/test_integrators.py)."""
    prec, rounding = mp.mp._prec_rounding
    sm, p, denominator, scale = sm._mpf_, p._mpf_, denominator._mpf_, scale._mpf_

    def integrand(y):
        decay = libmp.mpf_exp(libmp.mpf_neg(y._mpf_, prec, rounding), prec, rounding)  # e^{-y}, -y rounded as mpf's
        x = libmp.mpf_div(sm, libmp.mpf_add(decay, libmp.fone, prec, rounding), prec, rounding)
        power = libmp.mpf_div(libmp.mpf_pow(x, p, prec, rounding), denominator, prec, rounding)
        return mp.make_mpf(libmp.mpf_div(power, scale, prec, rounding))

    return integrand


def _tanh_sinh(integrand, points, key):
    """``mp.quad(integrand, points)``, with each interval's sum kept under ``key`` (all that ``integrand`` depends on
    besides the precision): the levels of one target and init share every breakpoint below the lower level, so
    their quadratures share those intervals. The same sums as mp.quad's, interval by interval, added in the same
    order at the same precision, so the same bits (tests/unit/test_integrators.py)."""
    prec = mp.mp.prec
    epsilon, degree = mp.mp.eps / 8, _RULE.guess_degree(prec)  # what mp.quad uses
    with mp.workprec(prec + 20):
        total = mp.mpf(0)
        for a, b in zip(points, points[1:]):
            interval = (key, a, b, prec)
            if interval not in _INTERVALS:
                if len(_INTERVALS) >= _KEPT_INTERVALS:
                    _INTERVALS.clear()
                _INTERVALS[interval] = _RULE.summation(integrand, [a, b], prec, epsilon, degree)[0]
            total += _INTERVALS[interval]
    return +total


_RULE = TanhSinh(mp.mp)  # mp.quad's default rule; its own caches of nodes
_INTERVALS: dict = {}
_KEPT_INTERVALS = 100_000  # a few MB; thm1 keeps ~20 per target and dps


def _breakpoints(y0, y1, p) -> list:
    """Quadrature intervals in the logit: widths doubling away from y0 and towards y1 (the integrand
    varies like e^{p y} on the plateau and is flat past the target), and width 4 across the transition
    |y| < 24, where σ/σ* = 1/(1 + e^{−y}) turns over."""
    start = min(mp.mpf(4), 2 / abs(p)) if p else mp.mpf(4)
    points, width, y = {y0, y1}, start, y0
    while y + width < min(y1, -24):
        y += width
        points.add(y)
        width *= 2
    points.update(mp.mpf(k) for k in range(-24, 25, 4) if y0 < k < y1)
    y, width = mp.mpf(24), mp.mpf(8)
    while y + width < y1:
        y += width
        points.add(y)
        width *= 2
    return sorted(points)


def _logit(x: Fraction, star: Fraction):
    return mp.log(to_mpf(x)) - mp.log(to_mpf(star - x))
