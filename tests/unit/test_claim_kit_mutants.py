"""The claim kit's rules, one by one, at their edges: how measurements become outcomes, how outcomes
become a verdict, which checks run, how cases are drawn, chunked and shrunk (``verify.claim``,
``verify.runner``). Written against mutants that the contract tests let through."""

import math
from dataclasses import dataclass
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import strategies as st

from theory.derivation import Derivation, DerivationError
from verify import runner
from verify.cases import Case
from verify.claim import (ERROR, FAIL, PASS, PROFILES, SKIPPED, Check, Claim, Diverged, Measured, Outcome, Run, Skip,
                          check, describe_failure, digits_tolerance, judge)
from verify.errors import ClaimDefinitionError, UsageError


@dataclass(frozen=True)
class Level(Case):
    x: Fraction  # an integer, held exactly like every case value


class Threshold(Claim):
    """x ≤ limit for integers x in [0, 1000]; with a lower limit the smallest counterexample is limit + 1."""

    id = "threshold-test"
    title = "a threshold"
    statement = "x ≤ limit"
    provenance = "derived: arithmetic"  # paragraphs 'tag: text', read as ((tag, text), ...)
    limit = Fraction(1000)

    def strategy(self, run):
        return st.builds(Level, st.integers(0, 1000).map(Fraction))

    @check("numeric", compares="x against the limit", tolerance="exact", measures="excess")
    def below(self, case, run):
        return Measured(max(case.x - self.limit, 0), 0)


def outcome(status, error=1.0, tolerance=1.0, case=None, check_name="below"):
    return Outcome(check_name, case, error, tolerance, status)


def test_judge_passes_at_the_tolerance_and_not_beyond_and_never_on_non_finite_values():
    assert judge("c", None, 1.0, 1.0).status == PASS
    assert judge("c", None, math.nextafter(1.0, 2.0), 1.0).status == FAIL
    for error, tolerance in ((math.nan, 1.0), (0.0, math.inf), (math.inf, math.inf), (0.0, math.nan)):
        judged = judge("c", None, error, tolerance)
        assert judged.status == ERROR and "non-finite" in judged.detail
    assert judge("c", None, math.nan, 1.0, "said why").detail == "said why"
    assert judge("c", None, 0, 1, data={"a": 1}).data == (("a", 1),)
    assert judge("c", None, 0, 1, data=[("b", 2)]).measurements == {"b": 2}


def test_ratio_says_how_close_a_check_came_to_failing():
    assert outcome(PASS, 1.0, 4.0).ratio == 0.25
    assert outcome(PASS, 0.0, 0.0).ratio == 0.0
    assert outcome(FAIL, 1e-300, 0.0).ratio == math.inf
    assert outcome(ERROR, 0.0, 1.0).ratio == math.inf


def test_failures_are_described_in_one_bounded_line():
    assert describe_failure(ValueError("short")) == "ValueError: short"
    long = describe_failure(ArithmeticError("x" * 300))
    assert long == "ArithmeticError: " + "x" * 197 + "..."
    assert describe_failure(ValueError("y" * 200)) == "ValueError: " + "y" * 200


def test_a_declaration_records_everything_it_is_told():
    @check("empirical", compares="a with b", tolerance="from u", measures="ratio", once=True, name="given-name")
    def measure_it(self, run):
        pass

    assert measure_it.__check__ == Check("given-name", "empirical", "a with b", "from u", "ratio", True, "measure_it")

    @check("symbolic", compares="c", tolerance="exact")
    def default_name(self, case, run):
        pass

    assert default_name.__check__ == Check("default-name", "symbolic", "c", "exact", "error", False, "default_name")
    with pytest.raises(ClaimDefinitionError, match="must be one of symbolic, numeric, empirical"):
        check("empirical-ish", compares="c", tolerance="t")


def test_an_override_replaces_a_check_in_its_new_place():
    class Base(Threshold):
        @check("numeric", compares="first", tolerance="exact")
        def first(self, case, run):
            return Measured(0, 0)

    class Derived(Base):
        @check("numeric", compares="x again", tolerance="exact", measures="excess")
        def below(self, case, run):
            return Measured(0, 0)

    assert [c.name for c in Base.checks] == ["below", "first"]
    assert [c.name for c in Derived.checks] == ["first", "below"] and Derived.checks[1].compares == "x again"
    assert Derived().check_named("first").compares == "first"
    with pytest.raises(ClaimDefinitionError, match="undeclared check 'second'"):
        Derived().check_named("second")


def test_run_settings():
    run = Run(profile=PROFILES["quick"], dtype="float32", checks=frozenset({"a"}))
    assert run.case_count == PROFILES["quick"].cases and Run(cases=7).case_count == 7
    assert run.unit_roundoff == 2.0**-24 and Run().unit_roundoff == 2.0**-53
    assert run.selects("a") and not run.selects("b") and Run().selects("anything")
    assert digits_tolerance(50) == 1e-40


class Kinds(Threshold):
    """One check of each way a measurement can come back."""

    id = "kinds-test"
    result = None

    @check("symbolic", compares="a derivation", tolerance="exact")
    def derived(self, case, run):
        return self.result

    @check("numeric", compares="several values", tolerance="given", once=True)
    def several(self, run):
        return [Measured(0.5, 1, "first"), Skip("not this one"), Diverged("too far")]


def derivation(numeric=False, note=None):
    x = sp.Symbol("x", positive=True)
    result = Derivation("d")
    result.equal("two x", x + x, 2 * x)
    if numeric:
        result.equal("spot", x, x, check=lambda difference: __import__("theory.identities").identities.Check(
            "numeric", "by hand"))
    if note:
        result.note(note)
    return result


def test_a_list_gives_one_outcome_each_in_order():
    outcomes = Kinds().global_outcomes(Run())
    assert [(o.check, o.status, o.detail) for o in outcomes] == [
        ("several", PASS, "first"), ("several", SKIPPED, "not this one"), ("several", ERROR, "too far")]
    assert outcomes[0].case is None and math.isnan(outcomes[1].error) and math.isnan(outcomes[2].tolerance)
    assert Kinds().global_outcomes(Run(checks=frozenset({"below"}))) == []


def test_derivations_pass_as_one_symbolic_outcome_and_say_what_was_numeric():
    case = Level(Fraction(1))
    run = Run(checks=frozenset({"derived"}))
    Kinds.result = [derivation(), derivation(numeric=True, note="a rejected attempt")]
    [passed] = Kinds().evaluate([case], run)[case]
    assert (passed.status, passed.error, passed.tolerance) == (PASS, 0.0, 0.0)
    assert passed.detail == ("2 derivations, every step checked; a rejected attempt d: includes numeric spot-checks")
    Kinds.result = derivation()
    assert Kinds().evaluate([case], run)[case][0].detail == "1 derivations, every step checked"
    Kinds.result = [derivation(), Measured(0, 1)]
    with pytest.raises(ClaimDefinitionError, match="mixes derivations"):
        Kinds().evaluate([case], run)
    Kinds.result = 0.5
    with pytest.raises(ClaimDefinitionError, match="returned float"):
        Kinds().evaluate([case], run)


def test_a_failed_derivation_step_fails_a_symbolic_check_and_is_an_error_elsewhere():
    case = Level(Fraction(1))

    class Failing(Kinds):
        id = "failing-derivation-test"

        def derived(self, case, run):
            raise DerivationError("step 'x' failed its check")

        def below(self, case, run):
            raise DerivationError("step 'y' failed its check")

    outcomes = {o.check: o for o in Failing().evaluate([case], Run(checks=frozenset({"derived", "below"})))[case]}
    symbolic, numeric = outcomes["derived"], outcomes["below"]
    assert (symbolic.status, symbolic.error, symbolic.tolerance, symbolic.detail) == (
        FAIL, 1.0, 0.0, "step 'x' failed its check")
    assert numeric.status == ERROR and math.isnan(numeric.error) and math.isnan(numeric.tolerance)
    assert numeric.detail == "step 'y' failed its check"


def test_verdicts():
    def verdict(*statuses):
        return runner.Result(Threshold(), Run(), [], [outcome(s) for s in statuses], None).verdict

    assert verdict(PASS, PASS) == runner.HOLDS
    assert verdict(PASS, SKIPPED) == runner.HOLDS
    assert verdict(PASS, ERROR) == runner.INCONCLUSIVE
    assert verdict(SKIPPED, SKIPPED) == runner.INCONCLUSIVE
    assert verdict() == runner.INCONCLUSIVE
    assert verdict(PASS, ERROR, FAIL) == runner.REFUTED


def test_cases_are_distinct_reproducible_and_chunked():
    claim, run = Threshold(), Run(cases=2 * Claim.chunk_cases + 3, seed=5)
    first = runner.draw_cases(claim.strategy(run), run.case_count, 5)
    assert first == runner.draw_cases(claim.strategy(run), run.case_count, 5) and len(set(first)) == len(first)
    assert len(first) == run.case_count  # 1001 values: no two draws alike here
    pending = runner.start(claim, run, runner.InProcess())
    assert [len(chunk) for chunk, _ in pending.chunks] == [Claim.chunk_cases, Claim.chunk_cases, 3]
    assert [case for chunk, _ in pending.chunks for case in chunk] == pending.cases
    result = runner.finish(pending)
    assert [o.case for o in result.outcomes] == pending.cases and result.verdict == runner.HOLDS
    assert {"global_s", "cases_s", "total_s"} <= set(result.timings) and "shrink_s" not in result.timings
    assert runner.start(claim, Run(cases=0), runner.InProcess()).cases == []

    class Fine(Threshold):
        id = "fine-chunks-test"
        chunk_cases = 5

    pending = runner.start(Fine(), Run(cases=12, seed=5), runner.InProcess())
    assert [len(chunk) for chunk, _ in pending.chunks] == [5, 5, 2]
    assert [o.case for o in runner.finish(pending).outcomes] == pending.cases
    single = type("Single", (Threshold,), {"id": "single-chunks-test", "chunk_cases": 1})  # the smallest chunk
    assert [len(chunk) for chunk, _ in runner.start(single(), Run(cases=3, seed=5), runner.InProcess()).chunks] == [1] * 3
    for bad in (0, -1, 2.0, None):  # no chunk of 0 or fewer cases (range() would fail mid-run); a float is no count
        with pytest.raises(ClaimDefinitionError, match=f"chunk_cases={bad!r} is invalid"):
            type("Bad", (Threshold,), {"id": "bad-chunks-test", "chunk_cases": bad})


def test_a_failing_case_is_shrunk_to_the_smallest_counterexample():
    class Low(Threshold):
        id = "low-threshold-test"
        limit = Fraction(500)

    result = runner.run(Low(), Run(profile=PROFILES["quick"], cases=30, seed=1))
    assert result.verdict == runner.REFUTED and "shrink_s" in result.timings
    assert result.counterexample.check == "below" and result.counterexample.case == Level(Fraction(501))
    rows = {name: (count, counted, worst) for name, count, counted, worst in runner.summary(result.outcomes)}
    count, counted, worst = rows["below"]
    assert count == 30 and counted[FAIL] == sum(o.status == FAIL for o in result.outcomes) > 0
    assert counted[PASS] + counted[FAIL] == 30 and worst.status == FAIL  # ratio ∞ (tolerance 0)


def test_without_a_budget_to_shrink_the_worst_failing_case_is_reported():
    class Low(Threshold):
        id = "low-unshrunk-test"
        limit = Fraction(500)

    quick = PROFILES["quick"]
    profile = type(quick)(quick.name, quick.cases, quick.step_budget, shrink_seconds=0)
    result = runner.run(Low(), Run(profile=profile, cases=30, seed=1))
    failing = [o for o in result.outcomes if o.status == FAIL]
    assert result.counterexample == max(failing, key=lambda o: o.ratio)


def test_a_failing_global_check_is_the_counterexample():
    class GlobalFailure(Threshold):
        id = "global-failure-test"

        @check("numeric", compares="once", tolerance="exact", once=True)
        def once(self, run):
            return Measured(2, 1, "global")

    result = runner.run(GlobalFailure(), Run(profile=PROFILES["quick"], checks=frozenset({"once"})))
    assert result.cases == [] and result.counterexample.detail == "global" and "shrink_s" not in result.timings


def test_summary_ignores_skipped_outcomes_when_choosing_the_worst():
    outcomes = [outcome(SKIPPED, math.nan, math.nan), outcome(PASS, 1, 2), outcome(PASS, 3, 4),
                outcome(ERROR, math.nan, math.nan, check_name="other")]
    rows = {row[0]: row for row in runner.summary(outcomes)}
    name, count, counted, worst = rows["below"]
    assert count == 3 and counted == {PASS: 2, FAIL: 0, ERROR: 0, SKIPPED: 1} and worst.error == 3
    assert rows["other"][2][ERROR] == 1
    only_skipped = runner.summary([outcome(SKIPPED, math.nan, math.nan)])
    assert only_skipped[0][3].status == SKIPPED


def test_a_replay_evaluates_the_one_case_it_is_given():
    class Low(Threshold):
        id = "low-replay-test"
        limit = Fraction(500)

    result = runner.replay(Low(), Run(), Level(Fraction(700)).exact_json())
    assert result.cases == [Level(Fraction(700))] and result.verdict == runner.REFUTED
    assert result.counterexample.error == 200
    with pytest.raises(UsageError):
        runner.replay(Low(), Run(checks=frozenset({"nope"})), Level(Fraction(700)).exact_json())


def test_the_device_is_the_requested_one_when_nothing_trained():
    result = runner.run(Threshold(), Run(profile=PROFILES["quick"], device="cuda"))
    assert result.device == "cuda" and result.executor == "in-process"


def test_provenance_text_is_read_as_tagged_paragraphs_and_a_bad_paragraph_names_the_claim():
    """'tag: text' paragraphs become ((tag, text), ...), lines of a paragraph joined; an unknown tag, or a known one
    with nothing said, is a definition error naming the claim and the paragraph's tag."""
    class Told(Threshold):
        provenance = """seen: the caption,
        its second line

        derived: the rest"""

    assert Told.provenance == (("seen", "the caption, its second line"), ("derived", "the rest"))
    for text, tag in (("guessed: a hunch", "guessed"), ("seen:", "seen:"), ("derived: fine\n\nreconstructed:",
                                                                            "reconstructed:")):
        with pytest.raises(ClaimDefinitionError, match=f"claim Untold: .*got '{tag}'"):
            type("Untold", (Threshold,), {"provenance": text})
