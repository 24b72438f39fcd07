"""Claims from other packages: the worked example (examples/claim-package) registers through the entry point."""

import inspect
from importlib import metadata

from verify.claims import ENTRY_POINTS, REGISTRY


def test_the_example_package_registers_its_claim_through_the_entry_point():
    names = {entry.name: entry.value for entry in metadata.entry_points(group=ENTRY_POINTS)}
    assert names.get("half-time") == "halftime_claim:CLAIM", "pip install -e examples/claim-package (README)"
    claim = REGISTRY["half-time"]
    assert type(claim).__module__ == "halftime_claim"
    assert len(inspect.getsource(inspect.getmodule(claim)).splitlines()) <= 150
