"""The registry of claims, by id."""

from __future__ import annotations

from .thm1 import Theorem1

REGISTRY = {claim.id: claim for claim in (Theorem1(),)}
