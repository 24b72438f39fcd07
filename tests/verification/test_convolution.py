"""End-to-end convolution claim: it holds with every check evaluated; a corrupted Fourier reduction and a wrong
frequency order are refuted; the figures render."""

import math
from dataclasses import replace

from theory import convolution as theory
from verify import runner
from verify.claim import Profile, Settings
from verify.claims import REGISTRY
from verify.claims import convolution as claim

PROFILE = Profile("test", cases=2, step_budget=900, shrink_seconds=5)


def run(seed=0):
    return runner.run(REGISTRY["convolution"], Settings(profile=PROFILE, seed=seed))


def test_convolution_holds_with_every_check_evaluated():
    result = run()
    assert result.verdict == runner.HOLDS
    assert {o.check for o in result.outcomes if o.status == "pass"} == {spec.name for spec in claim.CLAIM.checks}
    for _, data in claim.measured(result, "sparsity-depth"):
        assert data["N=3"] < data["N=2"] < data["N=1"] and data["N=2"] < data["SVM"]


def test_conjugated_filters_are_refuted_exactly_and_numerically():
    with theory.substituted(fourier_product=lambda last, filters, conjugate: last * math.prod(map(conjugate, filters))):
        result = run()
    assert result.verdict == runner.REFUTED
    assert {"reduction-exact", "reduction-numeric"} <= {o.check for o in result.outcomes if o.status == "fail"}
    assert result.counterexample.check == "reduction-numeric"


def test_a_wrong_frequency_order_is_refuted(monkeypatch):
    monkeypatch.setattr(claim, "CONVOLUTIONAL", replace(claim.CONVOLUTIONAL, support=lambda dimension: (0, 1, 2, 3)))
    result = run()
    assert result.verdict == runner.REFUTED
    assert {"population-order", "top-frequencies"} <= {o.check for o in result.outcomes if o.status == "fail"}

