"""Theorem 1's closed forms evaluated at any precision: the time to reach sigma, and sigma at a time.

Project convention (docs/claims/thm1.md §1): dσ/dt = N σ^{2-2/N} (σ* − σ), σ(0) = init. The closed forms
come from ``theory.theorem1`` (t(σ) = G(σ) − G(σ0) for every depth; explicit σ(t) for depth 1 and 2),
compiled to mpmath; σ(t) for depth ≥ 3 inverts t(σ) by safeguarded Halley iteration from a float64 start.

All parameters are held as exact Fractions and every rounded quantity is computed with guard digits
sized to the conditioning of the problem (digits lost to cancellation near init, to 1 − σ/σ* near the
target, and to the amplification of a long plateau), so results are correct to the requested ``dps``.
"""

from __future__ import annotations

import contextlib
import functools
import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp
from scipy import special

from theory import theorem1
from theory import toy as toy_symbols

from . import arguments
from .arguments import to_mpf

_GUARD = 15  # digits kept beyond the requested precision before any conditioning estimate


def time_to(sigma, *, depth, target, init, dps=50):
    """Gradient-flow time for σ to rise from ``init`` to ``sigma`` (project convention).

    >>> from mpmath import nstr
    >>> nstr(time_to('0.5', depth=4, target=1, init='1e-4', dps=30), 25)
    '49.72857984564655660720752'

    Valid for every integer depth ≥ 1, 0 < init < target and init ≤ sigma < target. Returns an mpmath
    number correct to ``dps`` significant digits.
    """
    n, star, s0 = arguments.toy(depth_=depth, target=target, init=init)
    s = arguments.sigma(sigma, target=star, init=s0)
    digits = arguments.working_dps(dps)
    with mp.workdps(digits):
        return +_time_to(s, n, star, s0, digits)


def sigma_at(t, *, depth, target, init, dps=50, guess=None):
    """σ(t) of the gradient flow started at ``init`` (project convention).

    ``guess``, an approximate σ(t), only speeds up the inversion for depth ≥ 3 (the result is the same).

    >>> from mpmath import nstr
    >>> nstr(sigma_at(50, depth=4, target=1, init='1e-4', dps=30), 25)
    '0.6983446426208079876845523'

    Valid for t ≥ 0; returns an mpmath number correct to ``dps`` significant digits.
    """
    n, star, s0 = arguments.toy(depth_=depth, target=target, init=init)
    time = arguments.nonnegative("t", t)
    digits = arguments.working_dps(dps)
    start = None
    if guess is not None:
        start = min(max(arguments.exact("guess", guess), s0 + (star - s0) / 10**6), star - (star - s0) / 10**6)
    with mp.workdps(digits):
        return +_sigma_at(time, n, star, s0, digits, start)


def float_time_to(sigma: float, *, depth: int, target: float, init: float) -> float:
    """t(σ) from the same closed form in float64 (SciPy's 2F1): an estimate, with no guard against cancellation
    or overflow, for searches that confirm each decision with ``time_to``.

    >>> round(float_time_to(0.5, depth=4, target=1.0, init=1e-4), 9)
    49.728579846
    """
    antiderivative = _compiled("antiderivative", depth, (toy_symbols.sigma, toy_symbols.target), _FLOAT64)
    return float(antiderivative(sigma, target) - antiderivative(init, target))


_FLOAT64 = ({"hyper": lambda upper, lower, z: special.hyp2f1(*upper, *lower, z)}, "scipy")


# ---------------------------------------------------------------------------------------------------
# exact-parameter implementations (Fractions in, mpf out), shared with the cross-checks


def _digits(x) -> float:
    """log10 of a positive number (Fraction or mpf), for sizing guard digits."""
    if isinstance(x, Fraction):
        return float(mp.log10(mp.mpf(x.numerator)) - mp.log10(x.denominator))
    return float(mp.log10(x))


def _time_to(s: Fraction, n: int, star: Fraction, s0: Fraction, dps: int):
    if s == s0:
        return mp.mpf(0)
    # Rounding σ/σ* loses log10(σ*/(σ* − σ)) digits of 1 − σ/σ*, where G has its log singularity.
    near_target = int(max(0.0, -_digits((star - s) / star)))
    lost = 0  # digits lost in G(σ) − G(σ0) when σ is close to σ0; measured, then paid for
    while True:
        with mp.workdps(dps + near_target + lost + _GUARD):
            high, low = _antiderivative(n, s, star), _antiderivative(n, s0, star)
            difference = _real(high - low)
            # digits lost to cancellation: all of them when σ − σ0 is below the working precision (a difference of
            # 0, or rounding noise of either sign), else as measured
            measured = int(_digits(max(abs(high), abs(low)) / abs(difference))) if difference else mp.mp.dps
            if measured <= lost + 5:
                return difference  # negative only for a wrong closed form: reported as computed
            if lost > 20 * dps + 1000:
                raise ArithmeticError(f"t(σ) cancels beyond {lost} digits at σ = {float(s)!r}")
            lost = measured + 5


def _antiderivative(n: int, x: Fraction, star: Fraction):
    """G(x) at the current precision. The checks of one case evaluate G at the same points and precision many
    times (G(σ0) in every t(σ), the same levels in several checks): an evaluation is deterministic, so each is
    computed once."""
    return _evaluated(n, x, star, mp.mp.prec, theorem1.statement_version())


@functools.lru_cache(maxsize=20000)
def _evaluated(n: int, x: Fraction, star: Fraction, prec: int, version) -> mp.mpf:
    """G(x) at ``prec`` bits (the caller's working precision) for statement ``version``: the memo's key."""
    with _gamma_memoized():
        return _compiled("antiderivative", n, (toy_symbols.sigma, toy_symbols.target))(to_mpf(x), to_mpf(star))


@contextlib.contextmanager
def _gamma_memoized():
    """mpmath's gamma and rgamma remember their values while the block runs. mpmath evaluates G's 2F1 through
    transformations whose gamma factors depend on the depth and the precision, not on σ, and computed them again at
    every evaluation: 93 % of thm1's gamma calls were repeats, 4–10 % of its per-case time. Only mpmath's own values
    are returned, for the same argument, precision and rounding, so G is the same to the bit. (mpmath's precision is
    one global state, so G is not evaluated from two threads at once, here or anywhere.)"""
    context = mp.mp
    saved = context.gamma, context.rgamma
    context.gamma, context.rgamma = (_remembered(function, values) for function, values in zip(saved, _GAMMAS))
    try:
        yield
    finally:
        context.gamma, context.rgamma = saved


def _remembered(function, values: dict):
    context = mp.mp

    def remembering(x, **options):
        if options:  # an explicit precision or rounding: not worth a key
            return function(x, **options)
        if type(x) not in context.types:
            x = context.convert(x)
        key = (getattr(x, "_mpf_", None) or x._mpc_, *context._prec_rounding)
        if key not in values:
            if len(values) >= _GAMMAS_KEPT:
                values.clear()
            values[key] = function(x)
        return values[key]

    return remembering


_GAMMAS = ({}, {})  # gamma's and rgamma's values by (argument, precision, rounding)
_GAMMAS_KEPT = 4096  # a few per depth and precision are used


def _compiled(form: str, depth: int, arguments, modules="mpmath"):
    """Theorem 1's closed form ``form`` at ``depth`` as a function of ``arguments`` (mpmath, or ``_FLOAT64``)."""
    key = (form, depth, theorem1.statement_version(), modules == "mpmath")
    if key not in _COMPILED:
        expression = getattr(theorem1, form)(depth)
        _COMPILED[key] = sp.lambdify(arguments, expression, modules=modules)
    return _COMPILED[key]


_COMPILED: dict = {}


def _real(value):
    """A closed form may pass through complex intermediates (logs of negatives); t itself is real."""
    if isinstance(value, mp.mpc):
        if abs(value.imag) > (abs(value) + 1) * mp.mpf(10) ** (10 - mp.mp.dps):
            raise ArithmeticError(f"closed form gave a complex value {value}")
        return value.real
    return value


def _sigma_at(t: Fraction, n: int, star: Fraction, s0: Fraction, dps: int, guess=None):
    if t == 0:
        return to_mpf(s0)
    # Relative condition number of σ(t): σ̇·t/σ ≤ N σ*^{2−2/N} t. A long plateau makes it huge
    # (t ≈ 1e100 for N = 3, init = 1e-300), and that many more digits are needed in t(σ).
    with mp.workdps(20):
        condition = _digits(1 + n * to_mpf(star) ** (2 - mp.mpf(2) / n) * to_mpf(t))
    wdps = dps + _GUARD + int(condition)
    if n <= 2:
        explicit = _compiled("explicit_solution", n, (toy_symbols.t, toy_symbols.target, toy_symbols.init))
        return _stable(lambda: _real(explicit(to_mpf(t), to_mpf(star), to_mpf(s0))), dps, wdps)
    # N ≥ 3: safeguarded Halley iteration at full precision, which from ~13 correct digits takes two evaluations.
    # Those digits come from the same iteration in float64 (microseconds a step) where float64 can locate σ, else
    # from the same iteration to 15 digits at low precision.
    rough = _float_logit(t, n, star, s0, guess)
    if rough is None:
        start = None
        if guess is not None:
            with mp.workdps(20):
                start = _logit(guess, star)
        rough = _halley_logit(t, n, star, s0, _GUARD + 5 + int(condition), start, 15)
    with mp.workdps(wdps):
        return _from_logit(_halley_logit(t, n, star, s0, wdps, rough, dps + 3), star)


def _stable(evaluate, dps: int, wdps: int):
    """``evaluate()`` at a precision where two evaluations 20 digits apart agree to ``dps`` + 5 digits.

    The explicit solutions cancel (σ* − (σ* − σ0)e^{−t} for small t); the disagreement measures the loss,
    and a result of exactly 0 (σ > 0 always) means everything cancelled.
    """
    for _ in range(8):
        with mp.workdps(wdps):
            low = evaluate()
        with mp.workdps(wdps + 20):
            high = evaluate()
            if high and abs(high - low) <= abs(high) * mp.mpf(10) ** -(dps + 5):
                return high
            lost = _digits(abs(high) / abs(high - low)) if high and high != low else 0
        wdps += max(20, wdps - int(lost))
    raise ArithmeticError("closed form did not stabilise with increasing precision")


def _logit(x: Fraction, star: Fraction):
    return mp.log(to_mpf(x)) - mp.log(to_mpf(star - x))


def _from_logit(y, star: Fraction):
    return to_mpf(star) / (1 + mp.exp(-y))


def _halley_logit(t: Fraction, n: int, star: Fraction, s0: Fraction, wdps: int, start, digits: int):
    """y with σ(y) correct to ``digits`` (a change dy moves σ by dσ/σ = (1 − σ/σ*) dy)."""
    with mp.workdps(wdps):
        target_time, sm, p = to_mpf(t), to_mpf(star), mp.mpf(2) / n - 1

        def residual(y):
            s = _from_logit(y, star)
            exact_s = _fraction(s)
            if exact_s >= star:  # beyond the working precision's last number below the target
                return mp.inf, s
            return _time_to(max(exact_s, s0), n, star, s0, wdps) - target_time, s

        lo, hi = _logit(s0, star), mp.inf  # residual(lo) = -t < 0
        y = None if start is None else max(mp.mpf(start), lo)  # left of the init t(y) is flat (σ clamped to σ0)
        if y is None:  # march right with doubling steps until t(y) >= t
            y, width = lo + 1, mp.mpf(1)
            while residual(y)[0] < 0:
                lo, y, width = y, y + 2 * width, 2 * width
        # Done when the candidate's error is below the tolerance squared (what a Newton step within the tolerance
        # leaves) or below the working precision's last digit, whichever is larger.
        tolerance = mp.mpf(10) ** -digits
        converged = max(tolerance**2, mp.mpf(10) ** -wdps)
        for _ in range(500):
            value, s = residual(y)
            if value < 0:
                lo = y
            else:
                hi = y
            # Halley's step: t'(y) = σ^p/(N σ*) and t''/t' = p(1 − σ/σ*), both cheap next to t(y), whose 2F1
            # dominates. t(y) is concave: Newton from the left stays left of the root, from the right it lands left
            # of it, so the bracket [lo, hi] only guards against rounding and a start far to the right.
            stepped = mp.isfinite(value)
            if stepped:
                candidate = y - _halley_step(value / (s**p / (n * sm)), p * (1 - s / sm))
            else:
                candidate = (lo + hi) / 2
            if not (lo < candidate < hi or candidate == y):  # (a step below y's last digit: converged)
                candidate, stepped = (lo + y) / 2 if candidate <= lo else (y + hi) / 2, False
            # The candidate's error is about (1/8)·step³ in y (Halley's constant |t''²/(4t'²) − t'''/(6t')| ≤ 1/8
            # here, since |p| < 1), so step³ bounds it. A move in y is bounded in σ with dσ/σ = dy/(1 + e^y) at the
            # step's left end, where it is largest: from y far right, where σ no longer changes with y, a step of
            # hundreds in y lands near the root. A bisection step says nothing of the distance to the root, however
            # little it moves σ: only a bracket as narrow as the tolerance ends it.
            step = abs(candidate - y)
            moves = step / (1 + mp.exp(min(y, candidate)))
            if (stepped and moves * step**2 <= converged) or (hi - lo) / (1 + mp.exp(lo)) <= tolerance:
                return candidate
            y = candidate
        raise ArithmeticError(f"sigma_at: Halley iteration did not converge for t={t}")  # pragma: no cover


def _float_logit(t: Fraction, n: int, star: Fraction, s0: Fraction, guess) -> float | None:
    """A start for ``_halley_logit``: y with t(y) = t as closely as float64 locates it, by Halley's iteration on
    ``float_time_to``'s closed form, from ``guess`` or from init. About 13 digits; fewer where float64's t(y) is
    noisy: after a long plateau (t's rounding, amplified by σ̇·t/σ) and next to σ* (σ's rounding, amplified by
    σ*/(σ* − σ)), where the iteration stops once its steps no longer shrink. None where a parameter, a time or
    G(σ0) is beyond float64's range, or σ rounds to σ*."""
    start = s0 if guess is None else guess
    try:
        sm, time = float(star), float(t)
        lowest, y = (math.log(float(x)) - math.log(float(star - x)) for x in (s0, start))
    except (OverflowError, ValueError):  # beyond float64 (a log of 0: an init or a gap to σ* below its range)
        return None
    antiderivative = _compiled("antiderivative", n, (toy_symbols.sigma, toy_symbols.target), _FLOAT64)
    p, previous = 2 / n - 1, math.inf
    with np.errstate(all="ignore"):
        origin = antiderivative(float(s0), sm)
        for _ in range(100):
            s, gap = sm * special.expit(y), special.expit(-y)  # σ and 1 − σ/σ*, each to full relative precision
            value = float(antiderivative(s, sm) - origin) - time
            if not (math.isfinite(value) and 0 < gap and s < sm):
                return None
            step = _halley_step(value / (s**p / (n * sm)), p * gap)
            # Near the root (a step under 1e-3) a cubic step shrinks the next far below half of itself; one that does
            # not is float64's noise in t(y), and y is as good as float64 locates it.
            if previous / 2 < abs(step) < 1e-3 * (1 + abs(y)):
                return y
            y, previous = max(y - step, lowest), abs(step)
            if abs(step) <= 1e-13 * (1 + abs(y)):  # within a few units of float64's last digit (2.2e-16)
                return y
    return None


def _halley_step(delta, curving):
    """Halley's step for t(y) − t, given Newton's step δ = (t(y) − t)/t' and t''/t': δ/(1 − δ t''/(2t')), cubically
    convergent; Newton's δ where |δ t''/t'| > 1, far from the root, where Halley's denominator could vanish."""
    return delta / (1 - delta * curving / 2) if abs(delta * curving) <= 1 else delta


def _fraction(x) -> Fraction:
    man, exp = x.man_exp
    return Fraction(man) * Fraction(2) ** exp
