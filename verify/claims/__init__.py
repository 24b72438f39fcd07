"""The registry of claims, by id: the modules here, each defining ``CLAIM`` (a ``Claim`` instance) whose id is the
module's name with hyphens (``label_noise_collapse.py``: ``label-noise-collapse``), then the claims other installed
packages register under the entry-point group ``implicit_bias_verify.claims``, named by their id (e.g.
``my-claim = my_package.claims:CLAIM``).

A claim's module is imported when the claim is first looked up, so a command that runs one claim imports that one:
importing all of them (with SciPy's optimizers and statistics) takes about half a second more."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Mapping
from importlib import metadata

from ..claim import Claim
from ..errors import ClaimDefinitionError

ENTRY_POINTS = "implicit_bias_verify.claims"
ORDER = ("thm1", "thm2", "sensing", "quadratic", "classification", "convolution", "omp")


class Registry(Mapping):
    """id → Claim, in listing order: the paper's claims (``ORDER``), the other built-in ones by id, then the installed
    packages' by id. Ids are known without importing anything; ``registry[id]`` imports the claim's module once."""

    def __init__(self, entry_points=()):
        modules = {module.name.replace("_", "-"): module.name for module in pkgutil.iter_modules(__path__)}
        ordered = sorted(modules, key=lambda id_: (ORDER.index(id_) if id_ in ORDER else len(ORDER), id_))
        self._loaders = {id_: functools.partial(_built_in, id_, modules[id_]) for id_ in ordered}
        for entry in sorted(entry_points, key=lambda e: e.name):
            if entry.name in self._loaders:
                raise ClaimDefinitionError(f"entry point {entry.name} = {entry.value} registers claim id "
                                           f"{entry.name!r}, which is taken")
            self._loaders[entry.name] = functools.partial(_installed, entry)
        self._claims: dict = {}

    def __getitem__(self, id_: str) -> Claim:
        if id_ not in self._claims:
            self._claims[id_] = self._loaders[id_]()
        return self._claims[id_]

    def __contains__(self, id_) -> bool:  # without importing the claim
        return id_ in self._loaders

    def __iter__(self):
        return iter(self._loaders)

    def __len__(self) -> int:
        return len(self._loaders)


def _built_in(id_: str, module: str) -> Claim:
    claim = getattr(importlib.import_module(f"{__name__}.{module}"), "CLAIM", None)
    if not isinstance(claim, Claim) or claim.id != id_:
        raise ClaimDefinitionError(f"verify/claims/{module}.py must define CLAIM, a verify.claim.Claim whose id is "
                                   f"{id_!r} (the module's name with hyphens), not {claim!r}")
    return claim


def _installed(entry) -> Claim:
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
    if claim.id != entry.name:
        raise ClaimDefinitionError(f"entry point {entry.name} = {entry.value} names claim id {claim.id!r}: name the "
                                   f"entry point by its claim's id ({claim.id} = {entry.value})")
    return claim


REGISTRY = Registry(metadata.entry_points(group=ENTRY_POINTS))
