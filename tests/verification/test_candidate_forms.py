"""README's recipe: checking a candidate closed form for Theorem 1 with public names only."""

from theory import theorem1
from verify import report, runner
from verify.claim import PROFILES, Run
from verify.claims import REGISTRY

CHECKS = frozenset({"implicit-solution", "closed-form-vs-quadrature"})


def _verdict(candidate) -> runner.Result:
    with theorem1.substituted(antiderivative=candidate):
        return runner.run(REGISTRY["thm1"], Run(profile=PROFILES["quick"], cases=2, checks=CHECKS))


def test_a_wrong_candidate_is_refuted_and_the_stated_one_holds():
    stated = theorem1.STATEMENT["antiderivative"]
    wrong = _verdict(lambda depth: stated(depth) if depth in (1, 2) else -stated(depth))
    assert wrong.verdict == runner.REFUTED and "Replay it: python -m verify thm1" in report.body(wrong)
    assert {o.check for o in wrong.outcomes if o.status == "fail"} == CHECKS
    assert _verdict(stated).verdict == runner.HOLDS
