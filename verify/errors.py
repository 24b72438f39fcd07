"""Every error the tool raises on purpose, under one root: ``except VerifyError`` catches them all.

* ``ParameterError`` (also a ``ValueError``): a parameter outside its valid range; names the parameter,
  the value and the range.
* ``UsageError``: a command line or option combination that cannot be run (CLI exit code 2).
* ``DerivationError`` (also an ``ArithmeticError``): a derivation step failed its own check.
* ``ClaimDefinitionError``: a claim breaks the kit's contract (an undeclared check, a malformed
  declaration): a bug in the claim, reported as an internal error.
"""

from numerics.arguments import ParameterError
from theory.derivation import DerivationError
from theory.errors import VerifyError


class UsageError(VerifyError):
    """Bad usage; the message is the one line shown to the user."""


class ClaimDefinitionError(VerifyError):
    """A claim does not follow the kit's contract (a bug in the claim, not in the user's input)."""


__all__ = ["VerifyError", "ParameterError", "UsageError", "DerivationError", "ClaimDefinitionError"]
