"""The registry of claims, by id: every module here that defines ``CLAIM`` (a ``Claim`` instance)."""

from __future__ import annotations

import importlib
import pkgutil

ORDER = ("thm1", "thm2", "sensing", "quadratic", "classification", "convolution", "omp")


def _discover() -> dict:
    claims = {}
    for module in pkgutil.iter_modules(__path__):
        claim = getattr(importlib.import_module(f"{__name__}.{module.name}"), "CLAIM", None)
        if claim is not None:
            claims[claim.id] = claim
    ordered = sorted(claims, key=lambda id_: (ORDER.index(id_) if id_ in ORDER else len(ORDER), id_))
    return {id_: claims[id_] for id_ in ordered}


REGISTRY = _discover()
