"""Greedy low-rank learning (theory/greedy_low_rank.py) as numbers: the effective start of each mode, and when
Theorem 1's depth-2 dynamics from it learn the mode.

For a start U_0 and the target's eigenvectors q_1, q_2, … (λ_1 > λ_2 > … > 0), the rows u_k(0) = q_kᵀU_0 grow
linearly at first (u_k ∝ e^{λ_k t}, directions fixed); once mode j is learned, the flow removes from every later
row its component along u_j (at rate λ_j − λ_k). So mode k is learned as the aligned toy model from the part of
u_k(0) orthogonal to u_1(0), …, u_{k−1}(0): ``effective_inits`` returns σ_0,k = ‖P⊥ u_k(0)‖², the squared diagonal
of the R factor of Gram–Schmidt on u_1(0), u_2(0), … in that order (docs/claims/vardi-stability-and-rank.md §2).

``map_hitting_step`` replays the toy model's GD map (depth 2, with the claim's clock factor c: w → w + cη·w(λ − w²),
σ = w²) in mpmath and returns the first step with σ ≥ λ/2 and the first-order lag of GD behind the flow there
(numerics/gd.py: δ_k = (η/2)·log(f(w_k)/f(w_0)), f(w) = w(λ − w²)). ``flow_hitting_time`` is Theorem 1's time to
λ/2 (``numerics.toy.time_to``, depth 2) over the clock factor.
"""

from __future__ import annotations

import mpmath as mp

from . import arguments, toy
from .arguments import ParameterError, to_mpf

MAX_STEPS = 10**6


def coordinates(start, basis, *, dps=30) -> list:
    """Rows u_k = q_kᵀU_0 (as mpmath matrices 1 × r) for the columns q_k of ``basis`` (exact or float entries)."""
    rows, columns = len(start), len(start[0]) if start else 0
    if rows < 1 or columns < 1 or any(len(row) != columns for row in start) or len(basis) != rows \
            or any(len(row) != rows for row in basis):
        raise ParameterError("start", "...", "a d × r matrix with a d × d basis")
    with mp.workdps(arguments.working_dps(dps) + 10):
        u = mp.matrix([[to_mpf(arguments.exact("start", v)) for v in row] for row in start])
        q = mp.matrix([[to_mpf(arguments.exact("basis", v)) for v in row] for row in basis])
        projected = q.T * u
        return [projected[k, :] for k in range(rows)]


def effective_inits(rows, *, dps=30) -> list:
    """σ_0,k = ‖u_k − (its projection on span(u_1, …, u_{k−1}))‖² for the given rows, in order (modified
    Gram–Schmidt, at ``dps`` digits plus guard digits)."""
    with mp.workdps(arguments.working_dps(dps) + 10):
        basis, out = [], []
        for row in rows:
            rest = row.copy()
            for unit in basis:
                rest -= mp.fdot(rest, unit) * unit
            square = mp.fdot(rest, rest)
            out.append(square)
            if square:
                basis.append(rest / mp.sqrt(square))
        return out


def map_hitting_step(*, target, init, step, clock=1, dps=30, limit=MAX_STEPS) -> tuple:
    """(k, δ_k, κ): the first GD step k at which the depth-2 toy map from σ_0 = ``init`` reaches ``target``/2, the
    lag δ_k = (η/2)·log(f(w_k)/f(w_0)) there, and the crossing placed between steps k − 1 and k by
    ``crossing_fraction``. Raises ``ArithmeticError`` if it takes more than ``limit`` steps."""
    star = arguments.positive("target", target)
    s0 = arguments.positive("init", init)
    if s0 >= star / 2:
        raise ParameterError("init", init, f"below target/2 = {float(star / 2):g}", "the mode starts learned")
    speed = arguments.positive("clock", clock)
    eta = arguments.positive("step", step)
    if 2 * speed * eta * star >= 1:
        raise ParameterError("step", step, f"below 1/(2·clock·target) = {float(1 / (2 * speed * star)):g}",
                             "the toy map rises monotonically only below it")
    with mp.workdps(arguments.working_dps(dps)):
        lam, h = to_mpf(star), to_mpf(speed * eta)
        w = previous = mp.sqrt(to_mpf(s0))
        f0 = w * (lam - w * w)
        for k in range(arguments.integer("limit", limit, 1, MAX_STEPS) + 1):
            if w * w >= lam / 2:
                lag = to_mpf(eta) / 2 * mp.log(w * (lam - w * w) / f0)
                return k, lag, k - 1 + crossing_fraction(previous**2, w**2, lam / 2) if k else mp.mpf(0)
            previous, w = w, w + h * w * (lam - w * w)
    raise ArithmeticError(f"the toy map from {float(s0):g} did not reach {float(star) / 2:g} within {limit} steps")


def crossing_fraction(before, after, level):
    """Where ``level`` lies between ``before`` and ``after`` (consecutive values of a geometrically growing
    coordinate), as a fraction of the step in log scale: (log level − log before)/(log after − log before)."""
    return (mp.log(level) - mp.log(before)) / (mp.log(after) - mp.log(before))


def flow_hitting_time(*, target, init, clock=1, dps=30):
    """Theorem 1's time for the depth-2 flow from ``init`` to reach ``target``/2, divided by the clock factor."""
    star = arguments.positive("target", target)
    speed = arguments.positive("clock", clock)
    time = toy.time_to(star / 2, depth=2, target=star, init=init, dps=dps)
    with mp.workdps(arguments.working_dps(dps)):
        return time / to_mpf(speed)
