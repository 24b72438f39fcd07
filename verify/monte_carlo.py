"""Monte Carlo tolerances shared by the stochastic claims (docs/claims/stochastic-collapse.md §1.3).

An estimate is a mean over independent paths; it is judged within ``CONFIDENCE`` standard errors. For an
(asymptotically) normal mean the two-sided false-alarm probability is 2Φ(−5) = 5.7·10⁻⁷ per comparison.
"""

from __future__ import annotations

import math

import numpy as np

CONFIDENCE = 5  # standard errors
# A claimed order between two sampled quantities is judged when their gap is this many standard errors of the
# sampled difference: a sample inverts such a pair with probability at most Φ(−3.5) = 2.3·10⁻⁴.
RESOLUTION = 3.5


def standard_error(values) -> float:
    """The standard error of the mean of independent ``values`` (sample standard deviation over √n)."""
    values = np.asarray(values, dtype=float)
    return float(np.std(values, ddof=1) / math.sqrt(values.size))


def resolved(gap: float, variance: float, samples: int) -> bool:
    """Whether a population gap is resolved by ``samples`` draws whose difference has per-draw ``variance``."""
    return abs(gap) >= RESOLUTION * math.sqrt(variance / samples)
