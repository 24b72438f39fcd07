"""Per-mode predictions for deep linear networks on a target with a geometric spectrum
(``docs/claims/low-rank-simplicity.md`` §4), from Theorem 1's flow (``numerics.toy.time_to``).

Each mode follows dσ/dt = N σ^{2−2/N}(s* − σ) from σ_0; it counts as learned once σ ≥ f·s*. Gradient descent with
step η is the Euler method of the balanced factor w = σ^{1/N}, ẇ = g(w) = w^{N−1}(s* − w^N); to first order it
lags the flow by δ = (η/2) log(g(w_f)/g(w_0)) flow-time units (``numerics.gd``), so it reaches the level at step
≈ (t_f + δ)/η.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import arguments, toy


def hitting_time(*, depth, target, init, fraction, dps=30) -> float:
    """Flow time for σ to rise from ``init`` to ``fraction``·``target`` (Theorem 1's closed form)."""
    level = arguments.exact("fraction", fraction) * arguments.positive("target", target)
    return float(toy.time_to(level, depth=depth, target=target, init=init, dps=dps))


def gd_lag(*, depth, target, init, fraction, step) -> float:
    """δ = (η/2) log(g(w_f)/g(w_0)), g(w) = w^{N−1}(s* − w^N): GD's first-order lag behind the flow (negative: ahead)."""
    n = arguments.depth(depth)
    star = float(arguments.positive("target", target))
    start = float(arguments.positive("init", init))
    level = float(arguments.exact("fraction", fraction)) * star

    def drift(sigma):
        return sigma ** ((n - 1) / n) * (star - sigma)

    return float(arguments.positive("step", step)) / 2 * math.log(drift(level) / drift(start))


def geometric_targets(ratio: Fraction, modes: int) -> tuple:
    """s*_k = ratio^k, k = 0..modes−1."""
    r = arguments.exact("ratio", ratio)
    if not 0 < r < 1:
        raise arguments.ParameterError("ratio", ratio, "in (0, 1)")
    return tuple(r**k for k in range(arguments.integer("modes", modes, 1, 64)))
