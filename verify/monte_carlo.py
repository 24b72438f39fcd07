"""Monte Carlo tolerances shared by the stochastic claims (docs/claims/stochastic-collapse.md §1.3).

An estimate is a mean over independent paths; it is judged within ``CONFIDENCE`` standard errors. For an
(asymptotically) normal mean the two-sided false-alarm probability is 2Φ(−5) = 5.7·10⁻⁷ per comparison.
"""

from __future__ import annotations

import math

import numpy as np

CONFIDENCE = 5  # standard errors


def standard_error(values) -> float:
    """The standard error of the mean of independent ``values`` (sample standard deviation over √n)."""
    values = np.asarray(values, dtype=float)
    return float(np.std(values, ddof=1) / math.sqrt(values.size))
