"""Gradient descent on the toy model, replayed exactly, and what the mathematics says about its gap
to the gradient flow.

The trained model is the layered diagonal network σ = ∏_j w_j (depth N) with balanced init
w_j(0) = init^{1/N} and the plain ½ squared loss under identity input covariance. Every layer gets the
same gradient, so all layers stay equal to one scalar w and a GD step with step size η is the map

    w ← w + η f(w),   f(w) = w^{N−1} (σ* − w^N),   σ = w^N,

which is the Euler method for the flow ẇ = f(w), i.e. the project ODE at time t = η k.

First-order analysis of that map (derived here; used to set tolerances, not to compute references):

* **Lag.** For a 1-D autonomous ODE, a step covers flow time η − η² f'(w)/2 + O(η³), so after k
  steps GD sits where the flow is at time η k − δ_k with δ_k = (η/2) log(f(w_k)/f(w_0)) + O(η²).
  Hence |σ_GD(k) − σ(η k)| ≤ (η/2) · max|log f(w_k)/f(w_0)| · max σ̇ + O(η²): the O(η) bound.
* **Stability.** On [w_0, w*] the map is increasing when η < 1/(N σ*^{2−2/N}) (then GD rises
  monotonically and never overshoots the target); it diverges beyond 2/(N σ*^{2−2/N}).
* **Rounding.** A relative perturbation ε of w at step j becomes a time shift ε w_j/f(w_j) of the
  trajectory, which at step k is the relative perturbation ε (w_j/f(w_j)) (f(w_k)/w_k) of w, and N times
  that of σ. ``GDReplay.amplification`` accumulates Σ_j of these factors.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath as mp

from . import arguments
from .arguments import ParameterError, to_mpf

# First-order bounds are meaningful only while they are small: beyond these the neglected second-order terms are
# not controlled, and a check reports its case as outside the bound's regime instead of judging it against a
# tolerance that could not fail. Chosen constants, stated.
ROUNDING_REGIME = 1e-3  # the first-order rounding bound (relative error)
STEP_REGIME = 0.1  # the O(η) GD-vs-flow bound, in units of σ*


def outside_regime(*, step_bound: float = 0.0, rounding_bound: float = 0.0) -> str | None:
    """Why a first-order bound cannot judge a case (None when both bounds are within their regimes)."""
    if rounding_bound > ROUNDING_REGIME:
        return (f"the first-order rounding bound {rounding_bound:.2g} exceeds {ROUNDING_REGIME:g} (a long plateau in "
                "low precision): outside the regime where it bounds the error")
    if step_bound > STEP_REGIME:
        return (f"the O(η) bound {step_bound:.2g}·σ* exceeds {STEP_REGIME:g}·σ*: the step is outside the regime "
                "where the first-order expansion in η controls the gap")
    return None



def monotone_step_limit(*, depth, target):
    """Largest step size for which GD rises monotonically to ``target``: 1/(N σ*^{2−2/N})."""
    n = arguments.depth(depth)
    star = arguments.positive("target", target)
    with mp.workdps(30):
        return 1 / (n * to_mpf(star) ** (2 - mp.mpf(2) / n))


@dataclass(frozen=True)
class GDReplay:
    """σ after each recorded number of GD steps, with the first-order error terms along the way.

    For each recorded step count k = ``steps[i]``:

    * ``sigma[i]``: σ after k steps (exact to ``dps`` digits);
    * ``deviation[i]``: max over j ≤ k of (η/2) σ̇(w_j) |log f(w_j)/f(w_0)|, the first-order bound on
      |σ_GD − σ_flow| up to step k;
    * ``amplification[i]``: Σ_{j<k} (w_j/f(w_j)) (f(w_k)/w_k), the first-order growth factor of
      per-step relative rounding errors of w (multiply by N and the unit roundoff for σ).
    """

    steps: tuple
    sigma: tuple
    deviation: tuple
    amplification: tuple


def replay(steps, *, depth, target, init, step, dps=30) -> GDReplay:
    """Replay GD with step size ``step`` in mpmath and record σ after each number of ``steps``.

    Every step rounds w, and ``amplification`` says how much those errors grow; the replay runs with
    guard digits for N · max(amplification) (measured, then paid for), so that σ is correct to ``dps``.
    """
    n, star, s0 = arguments.toy(depth_=depth, target=target, init=init)
    eta = arguments.positive("step", step)
    digits = arguments.working_dps(dps)
    marks = sorted({arguments.integer("steps", k, 0, 10**9) for k in steps})
    with mp.workdps(digits):
        curvature = n * to_mpf(star) ** (2 - mp.mpf(2) / n)  # -f'(w*) per unit of σ-time: the fixed point's rate
        if to_mpf(eta) * curvature >= 2:
            raise ParameterError("step", float(eta),
                                 f"below the stability limit 2/(N target^(2-2/N)) = {mp.nstr(2 / curvature, 6)}",
                                 "gradient descent diverges beyond it")
    guard = 15  # enough while N · amplification < 1e10, the common case; else measured and rerun
    while True:
        with mp.workdps(digits + guard):
            sigmas, deviations, amplifications = _replay(marks, n, star, s0, eta)
            needed = int(mp.log10(n * max(amplifications + [mp.mpf(1)]))) + 5
        if needed <= guard:
            break
        guard = needed
    with mp.workdps(digits):
        return GDReplay(tuple(marks), *(tuple(+value for value in values) for values in (sigmas, deviations,
                                                                                      amplifications)))


def _replay(marks, n, star, s0, eta):
    """σ, deviation and amplification after each number of steps in ``marks``, at the current precision."""
    sm, h = to_mpf(star), to_mpf(eta)
    curvature = n * sm ** (2 - mp.mpf(2) / n)
    w = mp.root(to_mpf(s0), n)
    power = w ** (n - 1)  # w^{N−1}, shared by f(w) = w^{N−1}(σ* − w^N) and σ̇ = N w^{N−1} f(w)
    drift = f0 = power * (sm - power * w)
    sigmas, deviations, amplifications = [], [], []
    deviation, amplification, k = mp.mpf(0), mp.mpf(0), 0
    for mark in marks:
        while k < mark:
            w_next = w + h * drift
            power_next = w_next ** (n - 1)
            drift_next = power_next * (sm - power_next * w_next)
            # A_{k+1} = (A_k + 1) · (f(w_{k+1})/w_{k+1}) / (f(w_k)/w_k); at the fixed point (w stops moving
            # at this precision) the ratio is the map's derivative 1 − η N σ*^{2−2/N}.
            ratio = drift_next * w / (drift * w_next) if w_next != w else 1 - h * curvature
            amplification = (amplification + 1) * ratio
            w, power, drift, k = w_next, power_next, drift_next, k + 1
            if drift:
                rate = n * power * drift  # σ̇ = N w^{N−1} f(w)
                deviation = max(deviation, h / 2 * rate * abs(mp.log(drift / f0)))
        sigmas.append(w**n)
        deviations.append(deviation)
        amplifications.append(amplification)
    return sigmas, deviations, amplifications

