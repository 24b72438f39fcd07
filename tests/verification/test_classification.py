"""End-to-end classification claim: it holds with every check evaluated, and wrong mathematics, a soft-margin
"SVM" and a wrong learning order are refuted with a counterexample."""

from dataclasses import replace

import numpy as np
import sympy as sp

from numerics import svm
from theory import classification as theory
from verify import runner
from verify.claim import Profile, Settings
from verify.claims import REGISTRY
from verify.claims import classification as claim

PROFILE = Profile("test", cases=2, step_budget=900, shrink_seconds=5)


def run(seed=0):
    return runner.run(REGISTRY["classification"], Settings(profile=PROFILE, seed=seed))


def test_classification_holds_with_every_check_evaluated():
    result = run()
    assert result.verdict == runner.HOLDS
    assert {o.check for o in result.outcomes if o.status == "pass"} == {spec.name for spec in claim.CLAIM.checks}
    for _, data in claim.measured(result, "cosine-depth"):
        assert all(data[f"N={depth}"] > data["SVM"] for depth in (2, 3, 4, 5))
        assert data["N=5"] > data["N=1"]
    assert len(result.tables) == 2


def test_a_corrupted_population_loss_is_refuted_by_monte_carlo_with_a_shrunk_case():
    with theory.substituted(population_loss=lambda a, r: theory.normal_cdf(-a) * sp.exp(r / 2)):
        result = run()
    assert result.verdict == runner.REFUTED
    failed = {o.check for o in result.outcomes if o.status == "fail"}
    assert failed == {"population-loss", "early-gradient", "monte-carlo"}  # the gradient step differentiates it
    assert result.counterexample.check == "monte-carlo" and isinstance(result.counterexample.case, claim.ClassifierCase)


def test_a_soft_margin_baseline_is_detected(monkeypatch):
    """LinearSVC's objective (C = 1, squared hinge; here without its intercept) passed off as the SVM."""

    def soft_margin(x, y):
        from scipy.optimize import minimize

        z = y[:, None] * x

        def objective(w):
            slack = np.maximum(0, 1 - z @ w)
            return 0.5 * w @ w + slack @ slack, w - 2 * z.T @ slack

        w = minimize(objective, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"gtol": 1e-12}).x
        duals = 2 * np.maximum(0, 1 - z @ w)
        return svm.HardMarginSVM(w, duals, 1 / np.linalg.norm(w), svm.kkt_residuals(x, y, w, duals))

    monkeypatch.setattr(svm, "hard_margin", soft_margin)
    result = run()
    assert result.verdict == runner.REFUTED and result.counterexample.check == "svm-kkt"


def test_a_wrong_learning_order_is_refuted(monkeypatch):
    """The claim with the order reversed (smallest feature first) must fail on the trained models."""
    monkeypatch.setattr(claim, "DIAGONAL", replace(claim.DIAGONAL, support=lambda dimension: (3, 2, 1, 0)))
    result = run()
    assert result.verdict == runner.REFUTED
    failed = {o.check for o in result.outcomes if o.status == "fail"}
    assert {"population-order", "learning-order"} <= failed
