"""The registry of claims, by id: every module here that defines ``CLAIM`` (a ``Claim`` instance), then the
claims other installed packages register under the entry-point group ``implicit_bias_verify.claims``
(each entry point names a ``Claim`` instance, e.g. ``my-claim = my_package.claims:CLAIM``)."""

from __future__ import annotations

import importlib
import pkgutil
from importlib import metadata

from ..claim import Claim
from ..errors import ClaimDefinitionError

ENTRY_POINTS = "implicit_bias_verify.claims"
ORDER = ("thm1", "thm2", "sensing", "quadratic", "classification", "convolution", "omp")


def _built_in() -> dict:
    claims = {}
    for module in pkgutil.iter_modules(__path__):
        claim = getattr(importlib.import_module(f"{__name__}.{module.name}"), "CLAIM", None)
        if claim is not None:
            claims[claim.id] = claim
    ordered = sorted(claims, key=lambda id_: (ORDER.index(id_) if id_ in ORDER else len(ORDER), id_))
    return {id_: claims[id_] for id_ in ordered}


def _installed(known: dict) -> dict:
    claims = {}
    for entry in sorted(metadata.entry_points(group=ENTRY_POINTS), key=lambda e: e.name):
        try:
            claim = entry.load()
        except Exception as failure:  # noqa: BLE001 - whatever the package raises, the user must learn which one
            package = entry.dist.name if entry.dist else entry.module
            raise ClaimDefinitionError(
                f"entry point {entry.name} = {entry.value} (package {package}) cannot be loaded: "
                f"{type(failure).__name__}: {failure}; reinstall that package, or uninstall it (pip uninstall "
                f"{package}); python -c 'import {entry.module}' shows the traceback") from failure
        if not isinstance(claim, Claim):
            raise ClaimDefinitionError(f"entry point {entry.name} = {entry.value} is not a verify.claim.Claim instance")
        if claim.id in known or claim.id in claims:
            raise ClaimDefinitionError(f"entry point {entry.value} registers claim id {claim.id!r}, which is taken")
        claims[claim.id] = claim
    return claims


REGISTRY = _built_in()
REGISTRY.update(_installed(REGISTRY))
