"""End-to-end convolution claim: it holds with every check evaluated, and conjugated filters are refuted exactly
and numerically. (The reversed frequency order and the soft-margin baseline are the claim's declared corruptions,
which the contract test runs: tests/contract.)"""

from .classifier_runs import held, refuted


def test_convolution_holds_with_every_check_evaluated():
    result, rows = held("convolution", "sparsity-depth")
    for _, data in rows:
        assert data["N=3"] < data["N=2"] < data["N=1"] and data["N=2"] < data["SVM"]
    assert len(result.tables) == 3


def test_conjugated_filters_are_refuted_exactly_and_numerically():
    result = refuted("convolution", "conjugated filters", {"reduction-exact", "fourier-flow", "reduction-numeric"})
    assert {o.check for o in result.outcomes if o.status == "fail"} == {"reduction-exact", "reduction-numeric"}
    assert result.counterexample.check == "reduction-numeric"
