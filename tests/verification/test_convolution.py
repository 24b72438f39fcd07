"""End-to-end convolution claim: it holds with every check evaluated, and conjugated filters are refuted exactly
and numerically. (The reversed frequency order and the soft-margin baseline are the claim's declared corruptions,
which the contract test runs: tests/contract.)"""

from verify import runner
from verify.claim import Profile, Run
from verify.claims import REGISTRY
from verify.claims import convolution as claim
from verify.training import classifier_checks as experiment

PROFILE = Profile("test", cases=2, step_budget=900, shrink_seconds=5)


def test_convolution_holds_with_every_check_evaluated():
    result = runner.run(REGISTRY["convolution"], Run(profile=PROFILE, seed=0))
    assert result.verdict == runner.HOLDS
    assert {o.check for o in result.outcomes if o.status == "pass"} == {spec.name for spec in claim.CLAIM.checks}
    rows = experiment.measured(result, "sparsity-depth")
    assert rows
    for _, data in rows:
        assert data["N=3"] < data["N=2"] < data["N=1"] and data["N=2"] < data["SVM"]
    assert len(result.tables) == 3


def test_conjugated_filters_are_refuted_exactly_and_numerically():
    (corruption,) = (c for c in claim.CLAIM.corruptions if c.name.startswith("conjugated filters"))
    with corruption.patch():
        result = runner.run(REGISTRY["convolution"], Run(profile=PROFILE, seed=0, checks=frozenset(
            {"reduction-exact", "fourier-flow", "reduction-numeric"})))
    assert result.verdict == runner.REFUTED
    assert {o.check for o in result.outcomes if o.status == "fail"} == {"reduction-exact", "reduction-numeric"}
    assert result.counterexample.check == "reduction-numeric"
