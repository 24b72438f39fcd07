"""What a run reports besides its verdict: progress, timings, where the work ran, the claim's tables, and the
fields of every outcome (``verify.runner``, ``verify.claim``). Written against mutants that mutmut left alive
(docs/mutation-testing.md); the claims here are small integer thresholds whose right answers are obvious."""

import math
import time
from fractions import Fraction

import pytest
from hypothesis import strategies as st

from theory.derivation import DerivationError
from verify import runner
from verify.claim import (ERROR, FAIL, PASS, PROFILES, SKIPPED, Claim, Diverged, Measured, Run, Skip, check,
                          describe_failure, for_claim, judge)
from verify.executors import InProcess

from test_claim_kit_mutants import Kinds, Level, Threshold, derivation


class Low(Threshold):
    """Fails for x > 500 with error/tolerance x/500; draws x from [0, option 'top'] (default 1000), so
    that its strategy depends on the run it is given; its table counts the report's cases."""

    id = "low-mutants-test"
    limit = Fraction(500)

    def strategy(self, run):
        return st.builds(Level, st.integers(0, run.options.get("top", 1000)).map(Fraction))

    @check("numeric", compares="x against the limit", tolerance="the limit", measures="x")
    def below(self, case, run):
        return Measured(case.x, self.limit)

    def tables(self, result):
        return {"cases": (("count",), ((len(result.cases),),))}


class Recording(InProcess):
    """In this process, but remembering each unit's description and reporting fixed seconds per chunk."""

    name = "recording"

    def __init__(self, seconds):
        self.described, self.seconds = [], list(seconds)

    def submit(self, function, *arguments, describe=""):
        self.described.append(describe)
        return super().submit(function, *arguments)

    def gather(self, unit):
        evidence, _ = unit()
        return evidence, self.seconds.pop(0)


def test_progress_names_each_stage_with_its_counts():
    calls = []
    runner.run(Low(), Run(profile=PROFILES["quick"], cases=2 * Claim.chunk_cases + 1, seed=1),
               progress=lambda *call: calls.append(call))
    global_checks, drawing, cases, shrinking = runner.STAGES
    assert calls == [(global_checks, 0, 1), (cases, 0, 3), (cases, 1, 3), (cases, 2, 3), (shrinking, 0, 1)]


def test_timings_add_the_chunks_and_are_measured_from_the_start():
    executor = Recording([0.5, 0.25])
    before = time.perf_counter()
    result = runner.run(Low(), Run(profile=PROFILES["quick"], cases=Claim.chunk_cases + 1, seed=1), executor=executor)
    elapsed = time.perf_counter() - before
    assert result.timings["cases_s"] == 0.75 and result.executor == "recording"
    assert 0 <= result.timings["shrink_s"] <= result.timings["total_s"] <= elapsed


def test_chunks_are_described_by_their_case_numbers_and_cases():
    executor = Recording([0.0, 0.0])
    pending = runner.start(Low(), Run(cases=Claim.chunk_cases + 2, seed=3), executor)
    first, second = (chunk for chunk, _ in pending.chunks)
    assert executor.described == [
        f"low-mutants-test: the chunk of cases 1..16 ({'; '.join(c.describe() for c in first)})",
        f"low-mutants-test: the chunk of cases 17..18 ({second[0].describe()}; {second[1].describe()})"]


def test_cases_come_from_the_strategy_for_this_run_and_one_case_is_drawn():
    pending = runner.start(Low(), Run(cases=1, seed=2, options={"top": 3}), InProcess())
    assert len(pending.cases) == 1 and pending.cases[0].x <= 3
    assert pending.settings.claim == "low-mutants-test"


def test_a_passing_run_has_no_counterexample_and_reports_the_claims_tables():
    result = runner.run(Low(), Run(profile=PROFILES["quick"], cases=5, options={"top": 400}))
    assert result.verdict == runner.HOLDS and result.counterexample is None
    assert result.tables == {"cases": (("count",), ((5,),))}


def test_when_shrinking_finds_nothing_the_worst_failing_case_is_reported(monkeypatch):
    monkeypatch.setattr(runner, "shrink", lambda *arguments: None)
    result = runner.run(Low(), Run(profile=PROFILES["quick"], cases=30, seed=1))
    failing = [o for o in result.outcomes if o.status == FAIL]
    assert len({o.case for o in failing}) > 1 and result.counterexample is max(failing, key=lambda o: o.ratio)


class TwoChecks(Low):
    """A second numeric check, x against 250, that fails worse than the first (x/500); an empirical
    check whose training skips x = 0 and diverges for x = 1."""

    id = "two-checks-mutants-test"

    @check("numeric", compares="x against half the limit", tolerance="half the limit", measures="x")
    def half(self, case, run):
        return Measured(case.x, self.limit / 2)

    @check("empirical", compares="a model's x", tolerance="given")
    def trained(self, case, run, model):
        return Measured(model, 1)

    def train(self, cases, run):  # the model is the run's seed
        return {case: Skip("x = 0") if case.x == 0 else Diverged("step") if case.x == 1 else run.seed for case in cases}


def test_a_replay_reports_the_worst_check_of_its_case_with_timings_and_tables():
    before = time.perf_counter()
    result = runner.replay(TwoChecks(), Run(checks=frozenset({"below", "half"})), Level(Fraction(1001)).exact_json())
    elapsed = time.perf_counter() - before
    assert result.claim.id == TwoChecks.id and result.settings.claim == TwoChecks.id
    assert [o.status for o in result.outcomes] == [FAIL, FAIL]
    assert result.counterexample.check == "half"  # ratio 1001/250 beats 1001/500
    assert 0 <= result.timings["cases_s"] <= result.timings["total_s"] <= elapsed
    assert result.tables == {"cases": (("count",), ((1,),))} and result.device == "auto"
    passing = runner.replay(TwoChecks(), Run(cases=5, checks=frozenset({"below"})), Level(Fraction(3)).exact_json())
    assert passing.verdict == runner.HOLDS and passing.counterexample is None


def test_the_device_is_resolved_only_when_an_empirical_check_judged_a_model():
    from verify.training.placement import select_device  # noqa: PLC0415 - torch only for this test

    settings = Run(cases=2, checks=frozenset({"trained"}))
    for x, resolved in ((0, False), (1, False), (2, True)):  # skipped, diverged, trained
        result = runner.replay(TwoChecks(), settings, Level(Fraction(x)).exact_json())
        assert result.device == (str(select_device("auto")) if resolved else "auto"), x
        assert result.outcomes[0].case == Level(Fraction(x))
    both = runner.replay(TwoChecks(), Run(checks=frozenset({"below", "trained"})), Level(Fraction(0)).exact_json())
    assert [(o.check, o.status) for o in both.outcomes] == [("below", PASS), ("trained", SKIPPED)]
    [trained] = runner.replay(TwoChecks(), settings, Level(Fraction(2)).exact_json()).outcomes
    assert (trained.status, trained.case, trained.error) == (PASS, Level(Fraction(2)), 0)


def test_chunks_that_trained_on_different_devices_are_all_named(monkeypatch):
    """Each chunk names the device its models trained on, resolved where they trained: on a cluster whose workers
    differ, every device is reported, once, sorted."""
    from itertools import cycle  # noqa: PLC0415

    from verify.training import placement  # noqa: PLC0415 - torch only for this test

    class OnePerChunk(TwoChecks):
        id = "one-per-chunk-mutants-test"
        chunk_cases = 1

    devices = cycle(["cuda:1", "cpu"])
    monkeypatch.setattr(placement, "select_device", lambda requested: next(devices))
    result = runner.run(OnePerChunk(), Run(cases=6, checks=frozenset({"trained"})))  # seed 0: the models pass
    assert sum(o.status == PASS for o in result.outcomes) >= 2  # at least two chunks trained
    assert result.device == "cpu, cuda:1"


def test_every_outcome_keeps_its_case_and_measurements():
    case = Level(Fraction(7))
    non_finite = judge("c", case, math.nan, 2.0, data={"a": 1})
    assert (non_finite.case, non_finite.tolerance, non_finite.status) == (case, 2.0, ERROR)
    assert non_finite.data == (("a", 1),)
    assert math.isnan(non_finite.error) and judge("c", case, 3.0, math.inf).error == 3.0

    class Every(Threshold):
        id = "every-mutants-test"

        @check("numeric", compares="data", tolerance="given")
        def measured(self, case, run):
            return Measured(1, 2, "m", {"b": 3})

        @check("numeric", compares="nothing", tolerance="none")
        def skipped(self, case, run):
            return Skip("why")

        @check("numeric", compares="nothing", tolerance="none")
        def diverged(self, case, run):
            return Diverged("how")

        @check("numeric", compares="nothing", tolerance="none")
        def raises(self, case, run):
            raise ValueError(f"outside the domain at seed {run.seed}")

        @check("symbolic", compares="a derivation", tolerance="exact")
        def fails(self, case, run):
            raise DerivationError("a step failed")

    selected = frozenset({"measured", "skipped", "diverged", "raises", "fails"})
    outcomes = Every().evaluate([case], Run(seed=4, checks=selected))[case]
    assert [(o.check, o.case, o.status, o.detail) for o in outcomes] == [
        ("measured", case, PASS, "m"), ("skipped", case, SKIPPED, "why"), ("diverged", case, ERROR, "how"),
        ("raises", case, ERROR, "ValueError: outside the domain at seed 4"), ("fails", case, FAIL, "a step failed")]
    assert outcomes[0].data == (("b", 3),)
    assert all(math.isnan(o.error) and math.isnan(o.tolerance) for o in outcomes[1:4])


def test_global_checks_all_run_with_the_run_they_are_given():
    class Globals(Threshold):
        id = "globals-mutants-test"

        @check("numeric", compares="the seed", tolerance="given", once=True)
        def first(self, run):
            return Measured(run.seed, 10)

        @check("numeric", compares="the seed again", tolerance="given", once=True)
        def second(self, run):
            return Measured(run.seed, 1)

    outcomes = Globals().global_outcomes(Run(seed=5))
    assert [(o.check, o.error, o.status) for o in outcomes] == [("first", 5, PASS), ("second", 5, FAIL)]


def test_a_derivation_outcome_names_its_check_and_case():
    case = Level(Fraction(1))
    Kinds.result = derivation()
    [passed] = Kinds().evaluate([case], Run(checks=frozenset({"derived"})))[case]
    assert (passed.check, passed.case) == ("derived", case)


def test_messages_of_201_characters_are_cut_and_runs_are_keyed_by_their_claim():
    assert describe_failure(ValueError("z" * 201)) == "ValueError: " + "z" * 197 + "..."
    assert for_claim(Run(seed=3), Low()) == Run(seed=3, claim="low-mutants-test")


def test_a_claim_derives_through_the_cache_under_its_id_and_key(monkeypatch):
    calls = []
    monkeypatch.setattr("verify.cache.cached", lambda *arguments: calls.append(arguments) or "built")
    assert Low().derive("key", Level) == "built" and calls == [("low-mutants-test", "key", Level)]


def test_a_derivation_is_cached_under_its_build_name(monkeypatch):
    calls = []
    monkeypatch.setattr("verify.cache.cached", lambda *arguments: calls.append(arguments) or "built")
    assert Low().derivation(derivation) == "built"
    assert calls == [("low-mutants-test", "test_claim_kit_mutants.derivation", derivation)]


def test_the_report_says_how_long_a_case_trains():
    class Longer(TwoChecks):
        step_factor = 3

    assert Threshold().training_length(PROFILES["default"]) == "no model trained"
    assert Longer().training_length(PROFILES["default"]) == "≤ 4500 (S)GD steps per case"  # 3 × 1500


def keyed(first, second=0):
    """A module-level build for the derived-check test below."""
    return (first, second)


def test_a_derived_check_declares_itself_and_keys_a_partial_by_its_arguments(monkeypatch):
    from functools import partial

    from verify.claim import ClaimDefinitionError, derived

    class WithDerived(Low):
        id = "derived-mutants-test"
        @derived(partial(keyed, 1, second=2), compares="both sides", tolerance="exact here")
        def two_steps(self):
            pass

    declared = WithDerived.checks[-1]
    assert (declared.name, declared.kind, declared.compares, declared.tolerance, declared.once, declared.method) == (
        "two-steps", "symbolic", "both sides", "exact here", True, "two_steps")
    assert derived(keyed, compares="c", name="given")(lambda self: None).name == "given"
    assert derived(keyed, compares="c")(lambda self: None).tolerance == "exact"
    calls = []
    monkeypatch.setattr("verify.cache.cached", lambda claim, key, build: calls.append(key) or build())
    assert WithDerived().two_steps() == [(1, 2)] and calls == ["test_mutants_runner.keyed(1, second=2)"]
    for unnamed in (lambda: 0, object()):
        with pytest.raises(ClaimDefinitionError, match="no stable name"):
            derived(unnamed, compares="c")
