"""End-to-end deep matrix sensing: the claim holds, and wrong versions of it are refuted."""

import functools
import json
import math
from fractions import Fraction

import pytest

from theory import sensing as theory
from theory import toy
from verify import cache, runner
from verify.claim import FAIL, PROFILES, Profile, Settings
from verify.claims import REGISTRY
from verify.claims import sensing as claim_module
from verify.cli import main
from verify.strategies import steps_to_horizon

CLAIM = REGISTRY["sensing"]
TINY = Profile("tiny", cases=2, step_budget=300, shrink_seconds=5)


def _case(depth, samples, init, seed=0, aligned_init=Fraction(1, 10)):
    step = claim_module.gaussian_step(depth, samples)
    twin = claim_module.aligned_step(depth)
    return claim_module.SensingCase(seed, samples, depth, init, step,
                                    claim_module.gaussian_steps(depth, samples, init, step), aligned_init, twin,
                                    steps_to_horizon(depth, claim_module.TARGETS[-1], aligned_init, twin))


@pytest.fixture(scope="module")
def shallow_and_deep():
    """One depth-1 and one depth-2 case (n = 1000, σ_0 = 1e-4) evaluated together, with their training."""
    cases = [_case(1, 1000, Fraction(1, 10**4)), _case(2, 1000, Fraction(1, 10**4))]
    return cases, CLAIM.evaluate(cases, Settings(profile=PROFILES["quick"]))


def test_sensing_holds_with_every_check_evaluated(capsys):
    assert main(["sensing", "--profile", "quick", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["verdict"] == "holds" and document["claim"]["id"] == "sensing"
    assert {check["name"] for check in document["checks"] if check["pass"] >= 1} == {s.name for s in CLAIM.checks}
    assert all(math.isfinite(o["error"]) for o in document["outcomes"] if o["status"] == "pass")
    (table,) = document["tables"].values()
    assert {row[0] for row in table["rows"]} >= {"1", "2"}


def test_depth_one_ends_near_one_minus_n_over_d_squared_and_depth_two_recovers(shallow_and_deep):
    cases, evidence = shallow_and_deep
    shallow = {o.check: o for o in evidence[cases[0]]}
    deep = {o.check: o for o in evidence[cases[1]]}
    assert {o.status for o in evidence[cases[0]] + evidence[cases[1]]} == {"pass"}
    assert shallow["depth1-error"].error < 0.05 and "vs 1 − n/d² = 0.6000" in shallow["depth1-error"].detail
    assert deep["low-rank-recovery"].error < 0.01 * 0.6  # far below the minimum-norm solution's error


def test_wrong_expectations_are_refuted(shallow_and_deep):
    """Depth 1 does not learn largest-first and does not recover W*; depth 2 does not end at 1 − n/d²."""
    cases, evidence = shallow_and_deep
    shallow, deep = (dict(outcome.data)["relative error"] for case in cases for outcome in evidence[case]
                     if outcome.data)
    assert claim_module.judge("low-rank-recovery", cases[0], shallow, claim_module.RECOVERY).status == FAIL
    assert claim_module.judge("depth1-error", cases[1], abs(deep - 0.6), 0.07).status == FAIL
    reversed_order = claim_module._order(cases[1], [40, 30, 20, 10], [0, 0, 0, 0])
    never = claim_module._order(cases[1], [5, -1, -1, -1], [0, 0, 0, 0])
    assert reversed_order.status == FAIL and reversed_order.error == 3 and never.error == 3


def test_depth_one_does_not_learn_largest_first():
    """The learning-order check applied to a trained depth-1 model fails: its singular values rise together
    towards the minimum-norm solution's, and the largest never reaches 12/2."""
    case = _case(1, 1000, Fraction(1, 10**4))
    from verify.training import sensing as training

    runs = training.train([1], [training.gaussian_measurements(0, 1000, 50)], [claim_module.target_matrix()],
                          [case.init], [case.step], [[0, case.steps]], seeds=[0], levels=[(6, 3, 2, 1.5)],
                          device="cpu")
    assert claim_module._order(case, runs.crossings[0][:4], [0] * 4).status == FAIL


def test_a_corrupted_reduction_is_refuted():
    """The reduction checked against twice the project ODE (the 'mse' loss without ½) fails its last step."""
    wrong = functools.partial(theory.reduction_derivation, ode=lambda n: 2 * toy.flow_rhs(n))
    with cache.disabled(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(theory, "reduction_derivation", wrong)
        outcomes = {o.check: o for o in CLAIM.global_checks(Settings())}
    assert outcomes["aligned-reduction"].status == FAIL and "project ODE" in outcomes["aligned-reduction"].detail
    assert outcomes["isometry"].status == "pass"


def test_a_failing_check_is_shrunk_to_a_counterexample():
    """A recovery tolerance 1000× too strict must be refuted, with a counterexample Hypothesis shrank."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claim_module, "RECOVERY", claim_module.RECOVERY / 1000)
        result = runner.run(CLAIM, Settings(profile=TINY, seed=0))
    assert result.verdict == runner.REFUTED
    assert result.counterexample.check == "low-rank-recovery" and result.counterexample.case.depth >= 2


def test_diverging_and_over_budget_cases_are_errors_and_skips_not_counterexamples():
    case = _case(2, 1000, Fraction(1, 10**4))
    diverging = claim_module.SensingCase(**{**case.__dict__, "step": Fraction(1), "steps": 50})
    too_long = claim_module.SensingCase(**{**case.__dict__, "steps": 10**6, "aligned_steps": 10**6})
    evidence = CLAIM.evaluate([diverging, too_long], Settings(profile=TINY))
    gaussian = [o for o in evidence[diverging] if o.check in ("learning-order", "low-rank-recovery")]
    assert {o.status for o in gaussian} == {"error"} and all("diverged" in o.detail for o in gaussian)
    trained = [o for o in evidence[too_long] if o.check != "min-norm-concentration"]  # the only untrained check
    assert {o.status for o in trained} == {"skipped"} and all("budget" in o.detail for o in trained)


def test_cli_lists_the_claim(capsys):
    assert main(["list"]) == 0
    assert "sensing" in capsys.readouterr().out
