"""Every registered claim (built in, or installed through the entry point) passes the claim contract."""

from verify.claims import REGISTRY
from verify.testing import parametrize_with_checks


@parametrize_with_checks(list(REGISTRY.values()))
def test_contract(claim, check):
    check(claim)
