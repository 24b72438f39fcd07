"""End-to-end classification claim: it holds with every check evaluated, and a corrupted population loss is
refuted with a shrunk counterexample. (The soft-margin baseline and the reversed learning order are the claim's
declared corruptions, which the contract test runs: tests/contract.)"""

from verify.training import classifier_checks as experiment

from .classifier_runs import held, refuted


def test_classification_holds_with_every_check_evaluated():
    result, rows = held("classification", "cosine-depth")
    for _, data in rows:
        assert all(data[f"N={depth}"] > data["SVM"] for depth in (2, 3, 4, 5))
        assert data["N=5"] > data["N=1"]
    assert len(result.tables) == 2


def test_a_corrupted_population_loss_is_refuted_by_monte_carlo_with_a_shrunk_case():
    result = refuted("classification", "population loss", {"population-loss", "early-gradient", "monte-carlo"})
    failed = {o.check for o in result.outcomes if o.status == "fail"}
    assert failed == {"population-loss", "early-gradient", "monte-carlo"}  # the gradient step differentiates it
    assert result.counterexample.check == "monte-carlo"
    assert isinstance(result.counterexample.case, experiment.ClassifierCase)
