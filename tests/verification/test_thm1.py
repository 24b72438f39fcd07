"""End-to-end verification of Theorem 1, and the verifier's power to refute wrong mathematics."""

import pytest

from theory import theorem1
from verify import runner
from verify.claim import PROFILES, Diverged, Run
from verify.claims import REGISTRY
from verify.cli import main

from .corruptions import THEOREM1


def test_theorem1_holds_with_every_check_evaluated():
    result = runner.run(REGISTRY["thm1"], Run(profile=PROFILES["quick"], seed=3))
    assert result.verdict == runner.HOLDS
    checked = {outcome.check for outcome in result.outcomes if outcome.status == "pass"}
    assert checked == {spec.name for spec in REGISTRY["thm1"].checks}
    orders = [o for o in result.outcomes if o.check == "gd-order" and o.status == "pass"]
    assert orders and all(abs(o.error) <= 0.25 for o in orders)


# The checks that read the stated closed forms (training compares GD with the flow, not with the statement).
STATEMENT_CHECKS = ("explicit-solutions", "implicit-solution", "closed-form-vs-quadrature", "inverse-roundtrip")


@pytest.mark.parametrize("name", sorted(THEOREM1))
def test_every_corrupted_closed_form_is_refuted(name, capsys):
    with theorem1.substituted(**THEOREM1[name]):
        code = main(["thm1", "--profile", "quick", *(f"--check={check}" for check in STATEMENT_CHECKS)])
    output = capsys.readouterr().out
    assert code == 1, output[-2000:]
    assert ("Counterexample" in output or "Failed derivation step" in output) and "REFUTED" in output


def test_diverging_gradient_descent_is_an_error_with_the_limit_not_a_counterexample():
    """A step beyond the stability limit 2/(N σ*^{2−2/N}) makes GD blow up: reported as such."""
    from fractions import Fraction

    from verify.cases import ToyCase

    claim = REGISTRY["thm1"]
    case = ToyCase(depth=2, targets=(Fraction(4),), init=Fraction(1, 2), step=Fraction(1), steps=60,
                   probe=Fraction(1, 2), tail=3)
    run = Run(profile=PROFILES["quick"])
    trained = claim.train([case], run)
    assert isinstance(trained[case], Diverged) and "stability limit" in trained[case].detail
    outcomes = claim.evaluate([case], Run(profile=PROFILES["quick"], checks=frozenset({"gd-vs-flow", "gd-order"})))[case]
    assert {o.status for o in outcomes} == {"error"} and len(outcomes) == 2
    assert all("stability limit" in o.detail and "= 0.25" in o.detail for o in outcomes)


def test_a_case_replayed_alone_is_judged_exactly_as_in_its_chunk():
    """A counterexample's replay command trains its case alone: the same numbers and tolerances as in the chunk it
    was found in, where a wider case sets the inputs (the rounding bound of gd-float-vs-replay counts their rows)."""
    from fractions import Fraction

    from verify.cases import ToyCase

    claim = REGISTRY["thm1"]
    narrow = ToyCase(depth=3, targets=(Fraction(1),), init=Fraction(1, 10), step=Fraction(1, 20), steps=200,
                     probe=Fraction(1, 2), tail=3)
    wide = ToyCase(depth=2, targets=(Fraction(2), Fraction(1), Fraction(1, 2)), init=Fraction(1, 10),
                   step=Fraction(1, 50), steps=300, probe=Fraction(1, 2), tail=3)
    run = Run(profile=PROFILES["quick"], checks=frozenset({"gd-float-vs-replay", "gd-vs-flow", "gd-order"}))
    judged = [[(o.check, o.error, o.tolerance, o.status, o.detail) for o in outcomes]
              for outcomes in (claim.evaluate([narrow, wide], run)[narrow], claim.evaluate([narrow], run)[narrow])]
    assert judged[0] == judged[1] and any(status == "pass" for *_, status, _ in judged[0])


def test_a_branch_jump_in_an_elementary_form_is_caught(monkeypatch):
    """A log/atan on the wrong branch differs by a constant on part of the path: its derivative is right, so
    only the continuity check can see it."""
    import mpmath as mp

    claim = REGISTRY["thm1"]
    computed = claim._elementary

    def jumped(run):
        return [(depth, lambda s, star, s0, form=form: form(s, star, s0) + (mp.pi / star if s > star / 2 else 0))
                for depth, form in computed(run)]

    monkeypatch.setattr(claim, "_elementary", jumped)
    outcomes = claim.global_outcomes(Run(checks=frozenset({"elementary-continuity"})))
    assert len(outcomes) == 6 and {o.status for o in outcomes} == {"fail"}


@pytest.mark.parametrize("module, function, check, value", [
    ("integrators", "quad_time_to", "closed-form-vs-quadrature", float("nan")),
    ("integrators", "scipy_times_to", "scipy-event-times", [float("nan")] * 8),
    ("toy", "sigma_at", "inverse-roundtrip", float("nan")),
])
def test_a_reference_returning_nan_is_an_error_never_a_pass(module, function, check, value, monkeypatch):
    import mpmath as mp

    from numerics import integrators, toy

    target = {"integrators": integrators, "toy": toy}[module]
    monkeypatch.setattr(target, function, lambda *a, **k: mp.mpf("nan") if not isinstance(value, list) else
                        value[: len(a[0])])
    result = runner.run(REGISTRY["thm1"], Run(profile=PROFILES["quick"], cases=2, checks=frozenset({check})))
    assert {o.status for o in result.outcomes} == {"error"} and result.verdict == runner.INCONCLUSIVE
