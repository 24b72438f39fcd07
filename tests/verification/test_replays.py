"""A case replayed alone (the --replay of a counterexample) is judged exactly as in its chunk, for claims whose cases
train in one batch: each case draws its random numbers from its own stream (``Run.case_rng``), and the batch's
shapes (nuclear-norm's n, the padded data sets of retention) do not depend on which cases share it."""

import pytest

from verify import runner
from verify.claim import PROFILES, Run, for_claim
from verify.claims import REGISTRY


def _judged(outcome) -> tuple:
    return outcome.check, outcome.status, outcome.error, outcome.tolerance, outcome.detail


@pytest.mark.parametrize("claim_id", ["nuclear-norm", "quartic-collapse", "invariant-sets", "retention"])
def test_a_case_replayed_alone_is_judged_as_in_its_chunk(claim_id):
    claim = REGISTRY[claim_id]
    settings = for_claim(Run(profile=PROFILES["quick"]), claim)
    cases = runner.draw_cases(claim.strategy(settings), 3, settings.seed)
    in_chunk = claim.evaluate(cases, settings)
    for case in cases[1:]:
        replayed = runner.replay(claim, settings, case.exact_json())
        assert [_judged(o) for o in replayed.outcomes] == [_judged(o) for o in in_chunk[case]], case.describe()
