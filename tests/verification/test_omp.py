"""End-to-end OMP comparison at another seed than the contract's (OMP without its refit, and a first pick
predicted as OMP's second, are the claim's declared corruptions, run by tests/contract)."""

from verify import runner
from verify.claim import PROFILES, Run
from verify.claims import REGISTRY


def test_omp_claim_holds_and_reports_the_agreement_curve():
    result = runner.run(REGISTRY["omp"], Run(profile=PROFILES["quick"], seed=5))
    assert result.verdict == runner.HOLDS
    judged = [o for o in result.outcomes if o.check == "first-pick" and o.status == "pass"]
    assert judged and all(o.measurements["agreement"][0] == 1.0 for o in judged)
    assert result.tables
