"""End-to-end runs of the claims built on the classifier experiment (classification, convolution)."""

from verify import runner
from verify.claim import Profile, Run
from verify.claims import REGISTRY
from verify.training import classifier_checks as experiment

PROFILE = Profile("test", cases=2, step_budget=900, shrink_seconds=5)


def held(claim_id: str, comparison: str):
    """A run of the claim at ``PROFILE``, checked to hold with every declared check passed, and the rows the
    ``comparison`` check measured (there are some)."""
    result = runner.run(REGISTRY[claim_id], Run(profile=PROFILE, seed=0))
    assert result.verdict == runner.HOLDS
    assert {o.check for o in result.outcomes if o.status == "pass"} == {c.name for c in REGISTRY[claim_id].checks}
    rows = experiment.measured(result, comparison)
    assert rows
    return result, rows


def refuted(claim_id: str, corruption: str, checks: set):
    """A run of ``checks`` at ``PROFILE`` under the claim's corruption whose name starts with ``corruption``,
    checked to be refuted."""
    (wrong,) = (c for c in REGISTRY[claim_id].corruptions if c.name.startswith(corruption))
    with wrong.patch():
        result = runner.run(REGISTRY[claim_id], Run(profile=PROFILE, seed=0, checks=frozenset(checks)))
    assert result.verdict == runner.REFUTED
    return result
