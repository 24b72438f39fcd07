"""End-to-end classification claim: it holds with every check evaluated, and a corrupted population loss is
refuted with a shrunk counterexample. (The soft-margin baseline and the reversed learning order are the claim's
declared corruptions, which the contract test runs: tests/contract.)"""

from verify import runner
from verify.claim import Profile, Run
from verify.claims import REGISTRY
from verify.claims import classification as claim
from verify.training import classifier_checks as experiment

PROFILE = Profile("test", cases=2, step_budget=900, shrink_seconds=5)


def test_classification_holds_with_every_check_evaluated():
    result = runner.run(REGISTRY["classification"], Run(profile=PROFILE, seed=0))
    assert result.verdict == runner.HOLDS
    assert {o.check for o in result.outcomes if o.status == "pass"} == {spec.name for spec in claim.CLAIM.checks}
    rows = experiment.measured(result, "cosine-depth")
    assert rows
    for _, data in rows:
        assert all(data[f"N={depth}"] > data["SVM"] for depth in (2, 3, 4, 5))
        assert data["N=5"] > data["N=1"]
    assert len(result.tables) == 2


def test_a_corrupted_population_loss_is_refuted_by_monte_carlo_with_a_shrunk_case():
    (corruption,) = (c for c in claim.CLAIM.corruptions if c.name.startswith("population loss"))
    with corruption.patch():
        result = runner.run(REGISTRY["classification"], Run(profile=PROFILE, seed=0, checks=frozenset(
            {"population-loss", "early-gradient", "monte-carlo"})))
    assert result.verdict == runner.REFUTED
    failed = {o.check for o in result.outcomes if o.status == "fail"}
    assert failed == {"population-loss", "early-gradient", "monte-carlo"}  # the gradient step differentiates it
    assert result.counterexample.check == "monte-carlo"
    assert isinstance(result.counterexample.case, experiment.ClassifierCase)
