"""Derivations as ordered lists of checked equalities.

A derivation is built step by step; each step is an equality ``lhs = rhs`` that is verified when it is
added (``Derivation.equal``). A step that fails its check raises ``DerivationError``: a derivation that
contains a wrong step is never returned. Every step records how it was checked, so reports and the
LaTeX export can say which results are exact symbolic identities and which are numeric spot-checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from . import identities
from .errors import VerifyError


class DerivationError(VerifyError, ArithmeticError):
    """A derivation step failed its own check (the CAS answer was wrong, or the step is false)."""


@dataclass(frozen=True)
class Step:
    """One checked equality of a derivation."""

    statement: str  # what the step says, in words
    lhs: sp.Basic
    rhs: sp.Basic
    check: identities.Check
    condition: str = ""  # where the equality holds, e.g. "0 < σ < σ*"
    name: str = ""  # LaTeX for what the left side is, e.g. r"\dot\sigma_1", shown before it


@dataclass
class Derivation:
    """An ordered list of checked steps, plus notes on attempts that were rejected."""

    title: str
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def equal(self, statement: str, lhs, rhs, *, name: str = "", condition: str = "", check=None, points=(),
              seconds=20.0):
        """Verify ``lhs = rhs`` and append it; returns ``rhs`` so steps chain naturally.

        ``check`` is an optional callable ``(difference) -> identities.Check`` for identities that need a
        specialised exact method; otherwise ``identities.prove_zero`` is used with the numeric fallback
        ``points`` (substitution dicts inside the domain of validity).
        """
        difference = sp.sympify(lhs) - sp.sympify(rhs)
        try:
            result = check(difference) if check else identities.prove_zero(difference, points=points, seconds=seconds)
        except identities.NotProven as failure:
            raise DerivationError(f"{self.title}: step '{statement}' failed its check: {failure}") from None
        self.steps.append(Step(statement, sp.sympify(lhs), sp.sympify(rhs), result, condition, name))
        return rhs

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def exact(self) -> bool:
        """True when every step is an exact symbolic identity (no numeric spot-checks)."""
        return all(step.check.kind == "symbolic" for step in self.steps)
