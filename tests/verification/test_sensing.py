"""End-to-end deep matrix sensing: the claim holds, and wrong versions of it are refuted (the corrupted
reduction and wrong depth-1 predictions are the claim's declared corruptions, run by tests/contract)."""

import itertools
from fractions import Fraction

import numpy as np
import pytest

from verify import runner
from verify.claim import FAIL, PROFILES, Profile, Run, for_claim
from verify.claims import REGISTRY
from verify.claims import sensing as claim_module
from verify.cli import main
from verify.strategies import steps_to_horizon

CLAIM = REGISTRY["sensing"]
TINY = Profile("tiny", cases=2, step_budget=300, shrink_seconds=2)


def _case(depth, samples, init, dataset=0, aligned_init=Fraction(1, 10)):
    step = claim_module.gaussian_step(depth, samples)
    twin = claim_module.aligned_step(depth)
    return claim_module.SensingCase(dataset, samples, depth, init, step,
                                    claim_module.gaussian_steps(depth, samples, init, step), aligned_init, twin,
                                    steps_to_horizon(depth, claim_module.TARGETS[-1], aligned_init, twin))


def _run(**fields) -> Run:
    return for_claim(Run(**fields), CLAIM)


@pytest.fixture(scope="module")
def shallow_and_deep():
    """One depth-1 and one depth-2 case (n = 1000, σ_0 = 1e-4) evaluated together, with their training."""
    cases = [_case(1, 1000, Fraction(1, 10**4)), _case(2, 1000, Fraction(1, 10**4))]
    run = _run(profile=PROFILES["quick"])
    return cases, CLAIM.evaluate(cases, run)


def test_depth_one_ends_near_one_minus_n_over_d_squared_and_depth_two_recovers(shallow_and_deep):
    cases, evidence = shallow_and_deep
    shallow = {o.check: o for o in evidence[cases[0]]}
    deep = {o.check: o for o in evidence[cases[1]]}
    assert {o.status for o in evidence[cases[0]] + evidence[cases[1]]} == {"pass"}
    assert shallow["depth1-error"].error < 0.05 and shallow["depth1-error"].measurements["predicted"] == 0.6
    assert deep["low-rank-recovery"].error < 0.01 * 0.6  # far below the minimum-norm solution's error
    assert {"learning-order", "low-rank-recovery"}.isdisjoint(shallow) and {"depth1-error"}.isdisjoint(deep)


def test_wrong_expectations_are_refuted(shallow_and_deep):
    """Depth 1 does not learn largest-first and does not recover W*; depth 2 does not end at 1 − n/d²."""
    cases, evidence = shallow_and_deep
    shallow, deep = (o.measurements["relative error"] for case in cases for o in evidence[case]
                     if o.check in ("depth1-error", "low-rank-recovery"))
    assert shallow > claim_module.RECOVERY
    assert claim_module._against_law(cases[0], deep, 0.0, "depth 2").error > \
        claim_module._against_law(cases[0], deep, 0.0, "depth 2").tolerance
    every_pair = claim_module.judged_pairs(3, 1000)
    assert len(every_pair) == 6 and claim_module.judged_pairs(2, 1000) == [(0, 1), (0, 2), (0, 3), (1, 3)]
    assert claim_module.disorder([40, 30, 20, 10], every_pair) == 6
    assert claim_module.disorder([5, -1, -1, -1], every_pair) == 3
    assert claim_module.disorder([10, 20, 30, 40], every_pair) == 0
    assert claim_module.disorder([10, 20, 31, 30], claim_module.judged_pairs(2, 1500)) == 0  # 4 vs 3 unresolved


def test_depth_one_does_not_learn_largest_first():
    """The learning-order criterion applied to a trained depth-1 model fails: its singular values rise together
    towards the minimum-norm solution's, and the largest never reaches 12/2."""
    from numerics import sensing_data
    from verify.training import sensing as training

    case, run = _case(1, 1000, Fraction(1, 10**4)), _run()
    layers = sensing_data.gaussian_factors(run.rng("initialisation 0"), depth=1, init=case.init, size=50)
    experiment = training.Experiment(layers, claim_module.target_matrix(), 0, case.step, (0, case.steps), 1000,
                                     (6, 3, 2, 1.5))
    runs = training.train([experiment], [claim_module._measurements(run, 0)], device="cpu")
    assert claim_module.disorder(runs.crossings[0][:4], claim_module.judged_pairs(3, 1000)) > 0


def test_a_failing_check_is_shrunk_to_a_counterexample():
    """A recovery tolerance 1000× too strict must be refuted, with a counterexample Hypothesis shrank."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claim_module, "RECOVERY", claim_module.RECOVERY / 1000)
        result = runner.run(CLAIM, Run(profile=TINY, seed=0, checks=frozenset({"low-rank-recovery"})))
    assert result.verdict == runner.REFUTED
    assert result.counterexample.check == "low-rank-recovery" and result.counterexample.case.depth >= 2
    assert result.counterexample.status == FAIL


def test_diverging_and_over_budget_cases_are_errors_and_skips_not_counterexamples():
    case = _case(2, 1000, Fraction(1, 10**4))
    diverging = claim_module.SensingCase(**{**case.__dict__, "step": Fraction(1), "steps": 50})
    too_long = claim_module.SensingCase(**{**case.__dict__, "steps": 10**6, "aligned_steps": 10**6})
    evidence = CLAIM.evaluate([diverging, too_long], _run(profile=TINY))
    gaussian = [o for o in evidence[diverging] if o.check in ("learning-order", "low-rank-recovery")]
    assert len(gaussian) == 2 and {o.status for o in gaussian} == {"error"}
    assert all("diverged" in o.detail for o in gaussian)
    trained = [o for o in evidence[too_long] if o.check != "min-norm-concentration"]  # the only untrained check
    assert len(trained) == 5 and {o.status for o in trained} == {"skipped"}
    assert all("budget" in o.detail for o in trained)


def test_datasets_come_from_the_runs_streams():
    """One seed: a case's dataset is the run's stream, the same in every process, different for another seed."""
    first = claim_module._measurements(_run(seed=0), 0)
    assert (first == claim_module._measurements(_run(seed=0), 0)).all()
    assert not (first[:5] == claim_module._measurements(_run(seed=1), 0)[:5]).any()
    assert not (first[:5] == claim_module._measurements(_run(seed=0), 1)[:5]).any()


def test_cli_lists_the_claim(capsys):
    assert main(["list"]) == 0
    assert "sensing" in capsys.readouterr().out


@pytest.mark.parametrize("depth", [2, 3])
@pytest.mark.parametrize("samples", claim_module.SIZES)
def test_judged_pairs_match_a_simulated_sample(depth, samples):
    """The resolution rule's variance 2‖R‖² + (σ_i* − σ_j*)² (Isserlis) against the empirical variance of
    (A_ii − A_jj)⟨A, R⟩ over 400 000 simulated Gaussian measurements (only the diagonal of A meets a diagonal R).
    Every pair's z-score sits ≥ 0.3 from the 3.5 cut, far beyond the 0.5 % error of the simulated variance."""
    rng = np.random.default_rng(0)
    diagonal = rng.standard_normal((400_000, claim_module.RANK))
    targets = np.array([float(t) for t in claim_module.TARGETS])
    expected = []
    for i, j in itertools.combinations(range(claim_module.RANK), 2):
        residual = diagonal[:, 0 if depth == 2 else i:] @ targets[0 if depth == 2 else i:]
        spread = ((diagonal[:, i] - diagonal[:, j]) * residual).std()
        if targets[i] - targets[j] >= 3.5 * spread / np.sqrt(samples):
            expected.append((i, j))
    assert claim_module.judged_pairs(depth, samples) == expected
