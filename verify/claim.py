"""What a claim is, and the evidence its checks produce.

A claim (one theorem) has an id, a statement, its provenance, and checks of three kinds:

* symbolic: exact identities, run once per claim (``Claim.global_checks``, with any other claim-wide
  check such as a fitted exponent);
* numeric: closed forms against independent computations, per case;
* empirical: trained torch models against the flow, per case, all cases trained in one batch.

Every check on every case produces an ``Outcome``: the measured error, the tolerance it must stay
under and why, and a status. A NaN or inf is never a pass: it is an ``error`` outcome.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

PASS, FAIL, ERROR, SKIPPED = "pass", "fail", "error", "skipped"
KINDS = ("symbolic", "numeric", "empirical")


@dataclass(frozen=True)
class Outcome:
    """One check on one case (``case`` is None for checks that run once per claim)."""

    check: str
    case: object
    error: float
    tolerance: float
    status: str
    detail: str = ""
    data: tuple = ()  # measurements reported with the outcome, not judged: ((name, value), ...)

    @property
    def ratio(self) -> float:
        """error/tolerance: how close the check came to failing (inf for errors)."""
        if self.status == ERROR:
            return math.inf
        if self.tolerance == 0:
            return 0.0 if self.error == 0 else math.inf
        return self.error / self.tolerance


def judge(check: str, case, error, tolerance, detail: str = "", data: tuple = ()) -> Outcome:
    """Pass iff ``error`` ≤ ``tolerance``, both finite; NaN or inf on either side is an error."""
    error, tolerance = float(error), float(tolerance)
    if not (math.isfinite(error) and math.isfinite(tolerance)):
        return Outcome(check, case, error, tolerance, ERROR, detail or f"non-finite error {error} or tolerance {tolerance}",
                       data)
    return Outcome(check, case, error, tolerance, PASS if error <= tolerance else FAIL, detail, data)


def guarded(check: str, case, compute, *arguments) -> Outcome:
    """``compute(*arguments)``, or an error outcome naming what went wrong: an exception inside a check
    (a closed form that cannot be evaluated or inverted) is never a pass."""
    try:
        return compute(*arguments)
    except (ArithmeticError, ValueError, IndexError, TypeError) as failure:
        return Outcome(check, case, math.nan, math.nan, ERROR, describe_failure(failure))


def describe_failure(failure: Exception) -> str:
    message = str(failure)
    return f"{type(failure).__name__}: {message if len(message) <= 200 else message[:197] + '...'}"


@dataclass(frozen=True)
class CheckSpec:
    """A check as a reader of the report sees it."""

    name: str
    kind: str
    description: str
    tolerance: str  # where the tolerance comes from


@dataclass(frozen=True)
class Profile:
    """How hard to look: cases drawn, GD steps allowed per case, seconds spent shrinking a failure."""

    name: str
    cases: int
    step_budget: int
    shrink_seconds: float


PROFILES = {
    "quick": Profile("quick", cases=4, step_budget=600, shrink_seconds=10),
    "default": Profile("default", cases=12, step_budget=1500, shrink_seconds=30),
    "thorough": Profile("thorough", cases=100, step_budget=20000, shrink_seconds=300),
}


def digits_tolerance(dps: int) -> float:
    """Agreement demanded between two computations carried to ``dps`` digits: 10 digits of headroom for
    the conditioning already paid for inside each (guard digits), never looser than that."""
    return 10.0 ** (10 - dps)


# Unit roundoff u of each training dtype: the scale of every floating-point tolerance.
UNIT_ROUNDOFF = {"float64": 2.0**-53, "float32": 2.0**-24}


@dataclass(frozen=True)
class Settings:
    """Run settings shared by every check."""

    profile: Profile = PROFILES["default"]
    seed: int = 0
    dps: int = 50
    device: str = "auto"
    dtype: str = "float64"
    options: dict = field(default_factory=dict)  # claim-specific options (e.g. a user-supplied bound)


class Claim(ABC):
    """A theorem to verify. Subclasses fill in the class attributes and the three methods."""

    id: str
    title: str
    statement: str
    provenance: tuple  # ((tag, text), ...) with tag in seen / derived / reconstructed
    checks: tuple  # CheckSpec, ...

    @abstractmethod
    def global_checks(self, settings: Settings) -> list:
        """Outcomes of the checks that run once per claim (case None): derivations, global fits."""

    @abstractmethod
    def strategy(self, settings: Settings):
        """The Hypothesis strategy drawing this claim's cases."""

    @abstractmethod
    def evaluate(self, cases: list, settings: Settings) -> dict:
        """Outcomes per case, computed for all cases together (one batched training run)."""

    def derivations(self) -> list:
        """The checked derivations behind the claim, in reading order (for the LaTeX export)."""
        return []

    def figures(self, directory, result) -> list:
        """Write the claim's figures (PNG and PDF) into ``directory`` for a finished run; returns their paths."""
        return []

    def tables(self, result) -> dict:
        """Claim-specific summary tables for the report: {title: (header, rows)}."""
        return {}
