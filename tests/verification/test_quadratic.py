"""End-to-end quadratic networks at another seed than the contract's (the wrong trace coupling and the uncoupled
GD map are the claim's declared corruptions, run by tests/contract)."""

from verify import runner
from verify.claim import PROFILES, Run
from verify.claims import REGISTRY


def test_quadratic_holds():
    result = runner.run(REGISTRY["quadratic"], Run(profile=PROFILES["quick"], seed=2, cases=2))
    assert result.verdict == runner.HOLDS
    assert {o.check for o in result.outcomes if o.status == "pass"} >= {
        "reduction-to-eigenvalues", "variance-vs-theorem1", "no-bias-coupling", "identity-monte-carlo"}
