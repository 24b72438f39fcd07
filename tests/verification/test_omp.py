"""End-to-end OMP comparison, and wrong variants that must be caught."""

import numpy as np

from numerics import omp
from verify import runner
from verify.claim import PROFILES, Settings
from verify.claims import REGISTRY


def test_omp_claim_holds_and_reports_the_agreement_curve():
    result = runner.run(REGISTRY["omp"], Settings(profile=PROFILES["quick"], seed=5))
    assert result.verdict == runner.HOLDS
    assert any(o.check == "first-pick" and o.status == "pass" for o in result.outcomes)


def test_matching_pursuit_without_the_refit_is_caught(monkeypatch):
    def no_refit(x, y, *, tolerance=1e-4, max_features=None):
        order, residual, orthogonality = [], y.copy(), []
        for _ in range(max_features or 5):
            pick = int(np.argmax(np.abs(x.T @ residual)))
            order.append(pick)
            residual = residual - (x[:, pick] @ residual) * x[:, pick]  # plain matching pursuit
            orthogonality.append(float(np.max(np.abs(x[:, order].T @ residual))))
        return order, orthogonality

    monkeypatch.setattr(omp, "omp", no_refit)
    result = runner.run(REGISTRY["omp"], Settings(profile=PROFILES["quick"], seed=5))
    assert result.verdict == runner.REFUTED and result.counterexample.check == "omp-refit"
