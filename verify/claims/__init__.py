"""The registry of claims, by id."""

from __future__ import annotations

from .thm1 import Theorem1
from .thm2 import Theorem2

REGISTRY = {claim.id: claim for claim in (Theorem1(), Theorem2())}
