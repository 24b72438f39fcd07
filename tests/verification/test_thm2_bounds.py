"""thm2's bound search: false bounds are refuted at the default profile with their worst point, true ones hold.

The tight spots of these bounds are corners of the sampled domain (r − 1 = 10, s = 0.01, f = 0.99 for the deep
bound; r − 1 = 10, s = 1/4, f = 3/4 at depth 2), where random cases rarely land.
"""

import sympy as sp
import pytest

from theory import theorem1, theorem2
from theory.toy import sigma
from verify import runner
from theory.derivation import DerivationError
from verify.claim import FAIL, PASS, PROFILES, Run, for_claim
from verify.claims.thm2 import CLAIM, parse_bound, parse_depths

K = "(((1-s)/s)*(f/(1-f))**(1/r))"
SUFFICIENT_2 = f"sigma_j*(2*{K})**(-r/(r-1))*r**(-1/(r-1))"
NECESSARY_2 = f"sigma_j/(1+{K}**(r/(r-1)))"
DEEP = "r*sigma_j*((r-1)/(((N-2)/N)*(N/2 + log(1/(1-f))) + r**(1+(N-2)/N)*s**(-(N-2)/N)))**(N/(N-2))"
# (kind, depths, bound, how far above the threshold it is at its worst point)
FALSE = [
    ("sufficient", "8", f"1.01*{DEEP}", "0.8 %: 1 % above the stated bound"),
    ("sufficient", "4", f"1.02*{DEEP}", "1 %"),
    ("sufficient", "3", f"1.04*{DEEP}", "0.4 %, only near the corner"),
    ("sufficient", "2", f"1.8*{SUFFICIENT_2}", "3 %"),
    ("necessary", "2", f"{NECESSARY_2}/1.25", "1.5 %"),
    ("sufficient", "3", DEEP.replace(" + r**(1+(N-2)/N)*s**(-(N-2)/N)", ""), "a missing term"),
    ("sufficient", "5", DEEP.replace(" + log(1/(1-f))", ""), "a missing term of L_f"),
    ("sufficient", "2", f"sigma_j*{K}**(-r/(r-1))*r**(-1/(r-1))", "a missing factor 2"),
    ("sufficient", "4", f"{DEEP}*(1/2 + 11/20*(1/(100*s))**50)", "5 % above the stated bound where s < 0.0101 only"),
    # false only at a corner that the stated bound's own slack points away from: only the corners find it
    ("sufficient", "4", f"{DEEP}*(1/2 + 31/50*(4*s)**50)", "2 %, only at r - 1 = 10, s = 1/4"),
    # false only inside an edge (r − 1 near 2, s = 0.01), away from every explicit point: the local search finds it
    ("sufficient", "8", f"103/100*{DEEP}*exp(-log((r-1)/2)**2/2)", "1 %, only near r - 1 = 2, s = 0.01"),
    ("sufficient", "2", "sigma_j*(s/(1-s))**(r/(r-1))*((1-f)/f)**(1/(r-1))*r**(-1/(r-1))", "the asymptotic form"),
]
TRUE = [
    ("sufficient", "2", SUFFICIENT_2),
    ("necessary", "2", NECESSARY_2),
    ("sufficient", "8", DEEP),  # within 0.24 % of the threshold at its worst point
    ("sufficient", "3", f"{DEEP}/2"),  # looser, still sufficient
    ("necessary", "4", "s*sigma_j"),  # σ_j must start below s σ_j*
]


def search(kind, depths, bound):
    """The candidate-bound outcomes of a default-profile run of ``bound``."""
    options = CLAIM.configure({"bound": parse_bound(bound), "kind": kind, "depth": parse_depths(depths)})
    outcomes = CLAIM.global_outcomes(for_claim(Run(profile=PROFILES["default"], seed=0, options=options), CLAIM))
    assert outcomes and all(o.check == "candidate-bound" for o in outcomes)
    return outcomes


@pytest.mark.parametrize("kind, depths, bound, why", FALSE, ids=[why for *_, why in FALSE])
def test_false_bounds_are_refuted_at_their_worst_point(kind, depths, bound, why):
    worst = max(search(kind, depths, bound), key=lambda o: o.error)
    assert worst.status == FAIL, worst.detail
    assert f"depth={depths}" in worst.measurements["worst point"] and "worst at depth=" in worst.detail


@pytest.mark.parametrize("kind, depths, bound", TRUE)
def test_true_bounds_hold(kind, depths, bound):
    assert all(o.status == PASS for o in search(kind, depths, bound))


def test_a_bound_beyond_float_range_is_refuted_not_inconclusive():
    (outcome,) = search("sufficient", "2", "sigma_j*10**400")
    assert outcome.status == FAIL and 900 < outcome.error < 2000  # log(bound/threshold), no float overflow


def test_a_looser_registered_bound_holds_and_says_it_is_not_tight():
    stated = theorem2.bound("sufficient_deep")
    with theorem2.substituted(sufficient_deep=lambda: stated / 2):
        derivation = theorem2.deep(4)
        run = Run(profile=PROFILES["quick"], seed=0, options={"depth": (4,)}, checks=frozenset({"candidate-bound"}))
        (outcome,) = CLAIM.global_outcomes(run)
    assert any("not tight" in note and "1/2" in note for note in derivation.notes)
    assert outcome.status == PASS
    with theorem2.substituted(sufficient_deep=lambda: stated * sp.Rational(21, 20)):
        with pytest.raises(DerivationError, match="nor is it a factor q ≤ 1"):
            theorem2.deep(4)


def test_a_sympy_failure_on_a_stated_form_is_a_failed_derivation(monkeypatch):
    def fails(*arguments, **keywords):
        raise sp.PolynomialError("cannot handle this form")

    monkeypatch.setattr(theorem2.identities, "prove_zero", fails)
    with pytest.raises(DerivationError, match="PolynomialError"):
        theorem2.deep(4)


def test_a_wrong_theorem_1_form_that_leaves_no_incremental_init_is_refuted():
    stated = theorem1.STATEMENT["antiderivative"]
    with theorem1.substituted(antiderivative=lambda d: stated(d) * (sigma if d >= 3 else 1)):
        result = runner.run(CLAIM, Run(profile=PROFILES["quick"], seed=0, checks=frozenset({"reference-thresholds"})))
    assert result.verdict == runner.REFUTED
