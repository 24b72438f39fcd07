"""The claim kit: declarations, guarding, the contract battery, seeds and the error hierarchy."""

import contextlib
import functools
import math
import pickle
import sys
from dataclasses import dataclass
from fractions import Fraction
from unittest import mock

import pytest
import sympy as sp
from hypothesis import strategies as st

from numerics.arguments import ParameterError
from theory.derivation import Derivation, DerivationError
from verify import runner, testing
from verify.cases import Case
from verify.claims import REGISTRY
from verify.claim import (PROFILES, Claim, Corruption, Diverged, Measured, Run, Skip, check, derived, for_claim,
                          worst)
from verify.errors import ClaimDefinitionError, UsageError, VerifyError

QUICK = Run(profile=PROFILES["quick"], seed=0)


@dataclass(frozen=True)
class Point(Case):
    x: Fraction


class Square(Claim):
    """x·x = x² exactly; 'training' squares in floating point. ``wrong`` corrupts the power."""

    id = "square-test"
    title = "squares"
    statement = "x·x = x²"
    provenance = (("derived", "arithmetic"),)
    wrong = 0
    trained_cases = None
    corruptions = (Corruption("power off by one", lambda: _patched(Square, "wrong", 1), checks=("power",)),)

    case_strategy = st.builds(Point, st.fractions(1, 10, max_denominator=10))

    @check("numeric")
    def power(self, case, run):
        """x·x against x²

        Tolerance: exact
        """
        return Measured(abs(case.x * case.x - case.x ** (2 + self.wrong)), 0)

    @check("numeric", once=True, compares="a once-per-run check", tolerance="exact")  # the prose as arguments
    def once_only(self, run):
        return Measured(0, 0)

    def train(self, cases, run):
        type(self).trained_cases = list(cases)
        return {case: float(case.x) ** 2 for case in cases}

    @check("empirical", measures="relative error", tolerance="one unit roundoff, relative")
    def trained_square(self, case, run, trained):
        """float x² against the exact one"""
        return Measured(abs(trained - float(case.x * case.x)) / float(case.x * case.x), run.unit_roundoff)


@contextlib.contextmanager
def _patched(owner, name, value):
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


def test_checks_are_declared_by_their_methods_in_order():
    assert [c.name for c in Square.checks] == ["power", "once-only", "trained-square"]
    assert Square.checks[1].once and Square.checks[2].kind == "empirical"
    result = runner.run(Square(), QUICK)
    assert result.verdict == runner.HOLDS
    assert {o.check for o in result.outcomes} == {"power", "once-only", "trained-square"}


def test_the_whole_battery_passes_on_a_correct_claim():
    for name, battery_check in testing.claim_checks(Square()):
        battery_check(Square())


def test_nan_never_passes_and_worst_keeps_it():
    assert math.isnan(worst([1.0, math.nan, 2.0])) and worst([3, 1]) == 3

    class NaNClaim(Square):
        id = "nan-test"

        def power(self, case, run):
            return Measured(worst([0.0, math.nan]), 1.0)

    outcomes = NaNClaim().evaluate([Point(Fraction(1))], Run(checks=frozenset({"power"})))[Point(Fraction(1))]
    assert [o.status for o in outcomes] == ["error"]
    assert runner.run(NaNClaim(), Run(profile=PROFILES["quick"], checks=frozenset({"power"}))).verdict == runner.INCONCLUSIVE


def test_domain_failures_are_error_outcomes_and_programming_errors_crash():
    class Failing(Square):
        id = "failing-test"
        failure = ZeroDivisionError("division by zero")

        def power(self, case, run):
            raise self.failure

    case = Point(Fraction(1))
    for failure in (ZeroDivisionError("x"), ParameterError("x", 1, "positive"), DerivationError("step")):
        Failing.failure = failure
        [outcome] = Failing().evaluate([case], Run(checks=frozenset({"power"})))[case]
        assert outcome.status == "error" and (type(failure).__name__ in outcome.detail or "step" in outcome.detail)
    Failing.failure = TypeError("a bug")
    with pytest.raises(TypeError):
        Failing().evaluate([case], Run(checks=frozenset({"power"})))


def test_skip_and_divergence_from_training_reach_every_empirical_check():
    class Skipping(Square):
        id = "skipping-test"

        def train(self, cases, run):
            return {cases[0]: Skip("over budget"), cases[1]: Diverged("step beyond the limit 0.5")}

    cases = [Point(Fraction(1)), Point(Fraction(2))]
    evidence = Skipping().evaluate(cases, Run(checks=frozenset({"trained-square"})))
    assert [(o.status, o.detail) for o in evidence[cases[0]]] == [("skipped", "over budget")]
    assert [(o.status, o.detail) for o in evidence[cases[1]]] == [("error", "step beyond the limit 0.5")]


def test_selected_checks_only_and_no_training_without_empirical_checks():
    Square.trained_cases = None
    result = runner.run(Square(), Run(profile=PROFILES["quick"], checks=frozenset({"power"}), cases=3))
    assert {o.check for o in result.outcomes} == {"power"} and len(result.cases) == 3
    assert Square.trained_cases is None
    with pytest.raises(UsageError, match="not a check of square-test"):
        runner.run(Square(), Run(checks=frozenset({"powr"})))


def test_an_undeclared_check_is_a_bug_caught_by_the_kit():
    class Undeclared(Square):
        id = "undeclared-test"

        def evaluate(self, cases, run):
            evidence = super().evaluate(cases, run)
            for outcomes in evidence.values():
                outcomes.append(outcomes[0].__class__("bogus", None, 0.0, 0.0, "pass"))
            return evidence

    with pytest.raises(ClaimDefinitionError, match="undeclared check 'bogus'"):
        runner.run(Undeclared(), QUICK)


def test_the_contract_fails_when_a_declared_check_is_dropped_or_a_corruption_survives():
    class Dropping(Square):
        id = "dropping-test"

        def power(self, case, run):
            return []

    with pytest.raises(AssertionError, match=r"no outcome for the declared checks \['power'\]"):
        testing.check_quick_run(Dropping())

    class Blind(Square):
        id = "blind-test"
        corruptions = (Corruption("a corruption the checks cannot see", contextlib.nullcontext, checks=("power",)),)

    with pytest.raises(AssertionError, match="was not refuted"):
        testing.check_corruptions_refuted(Blind())


def test_random_streams_depend_on_seed_claim_and_stream_only():
    a = Run(seed=1, claim="x").rng("data").standard_normal(3)
    assert (a == Run(seed=1, claim="x", dps=80).rng("data").standard_normal(3)).all()
    assert not (a == Run(seed=2, claim="x").rng("data").standard_normal(3)).any()
    assert not (a == Run(seed=1, claim="y").rng("data").standard_normal(3)).any()
    assert not (a == Run(seed=1, claim="x").rng("noise").standard_normal(3)).any()


def test_one_root_catches_every_error_of_the_tool():
    for error in (ParameterError("dps", 5, "an integer in [15, 1000]"), UsageError("x"), DerivationError("x"),
                  ClaimDefinitionError("x")):
        with pytest.raises(VerifyError):
            raise error


def _holds() -> Derivation:
    derivation = Derivation("x + x = 2x")
    derivation.equal("doubling", 2 * sp.Symbol("x"), sp.Symbol("x") + sp.Symbol("x"))
    return derivation


def _breaks(power) -> Derivation:
    derivation = Derivation("x·x = x^power")
    derivation.equal("the power", sp.Symbol("x") ** power, sp.Symbol("x") * sp.Symbol("x"))
    return derivation


DERIVED = Run(checks=frozenset({"doubling", "sq", "squares"}))


class Derivations(Square):
    """Square with derivation checks declared as data: one holds, one breaks when ``power`` is not 2."""

    id = "derived-test"
    power = 2
    keys = []

    @derived(_holds)
    def doubling(self):
        """x + x against 2x"""

    @derived(_holds, functools.partial(_breaks, 2), name="sq")
    def squares(self):
        """the doubling and x·x against x²"""

    def statement_key(self):
        return f"power {self.power}"

    def derive(self, key, build):
        type(self).keys.append(key)
        return build()


def test_derived_checks_are_declared_checks_with_cached_derivations():
    assert [(c.name, c.kind, c.once, c.tolerance) for c in Derivations.checks[len(Square.checks):]] == [
        ("doubling", "symbolic", True, "exact"), ("sq", "symbolic", True, "exact")]
    Derivations.keys = []
    outcomes = Derivations().global_outcomes(DERIVED)
    assert [(o.check, o.status, o.detail) for o in outcomes] == [
        ("doubling", "pass", "1 derivations, every step checked"), ("sq", "pass", "2 derivations, every step checked")]
    # the cache key names the build (with a partial's arguments) and carries the claim's statement key
    module = _holds.__module__
    assert Derivations.keys == [f"{module}._holds:power 2", f"{module}._holds:power 2", f"{module}._breaks(2):power 2"]


def test_a_derived_check_whose_derivation_fails_is_a_failed_outcome():
    class Broken(Derivations):
        id = "derived-broken-test"
        @derived(functools.partial(_breaks, 3))
        def squares(self):
            """x·x against x³"""

    outcomes = {o.check: o for o in Broken().global_outcomes(DERIVED)}
    assert outcomes["squares"].status == "fail" and "the power" in outcomes["squares"].detail
    assert outcomes["doubling"].status == "pass"


def test_derivations_default_to_the_derived_checks_in_declaration_order():
    titles = [d.title for d in Derivations().derivations()]
    assert titles == ["x + x = 2x", "x + x = 2x", "x·x = x^power"]
    assert Square().derivations() == []


def test_the_statement_key_is_part_of_every_derivation_key():
    assert Square().statement_key() == ""
    Derivations.keys = []
    Derivations.power = 5
    try:
        Derivations().derivations()
    finally:
        Derivations.power = 2
    assert Derivations.keys and all(key.endswith(":power 5") for key in Derivations.keys)


def test_a_checks_prose_is_its_docstring_or_its_arguments_never_both_nor_neither():
    assert [(c.compares, c.tolerance) for c in Square.checks] == [
        ("x·x against x²", "exact"), ("a once-per-run check", "exact"),
        ("float x² against the exact one", "one unit roundoff, relative")]

    def wrapped(self, case, run):
        """a comparison whose paragraph
           runs over two lines

        Tolerance: from the
        mathematics
        """

    assert check("numeric")(wrapped).__check__.compares == "a comparison whose paragraph runs over two lines"
    assert wrapped.__check__.tolerance == "from the mathematics"
    with pytest.raises(ClaimDefinitionError, match="says what it compares twice"):
        check("numeric", compares="again")(wrapped)
    with pytest.raises(ClaimDefinitionError, match="says where its tolerance comes from twice"):
        check("numeric", tolerance="again")(wrapped)

    def silent(self, case, run):
        return Measured(0, 0)

    with pytest.raises(ClaimDefinitionError, match="'silent' does not say what it compares"):
        check("numeric", tolerance="exact")(silent)
    with pytest.raises(ClaimDefinitionError, match="'silent' does not say where its tolerance comes from"):
        check("numeric", compares="x")(silent)
    assert derived(_holds)(wrapped).tolerance == "from the mathematics"
    silent.__doc__ = "only a comparison"
    assert derived(_holds)(silent).tolerance == "exact"  # a derivation's default


def test_a_build_without_a_stable_name_is_a_definition_error():
    with pytest.raises(ClaimDefinitionError, match="no stable name"):
        derived(lambda: _holds())
    with pytest.raises(ClaimDefinitionError, match="at least one build"):
        derived()


def test_a_build_patched_in_its_module_is_derived_afresh_under_another_key():
    module = sys.modules[_holds.__module__]
    Derivations.keys = []
    with mock.patch.object(module, "_holds", functools.partial(_breaks, 3)):  # a corruption of the statement
        outcomes = {o.check: o.status for o in Derivations().global_outcomes(DERIVED)}
    assert outcomes == {"doubling": "fail", "sq": "fail"}
    assert all("patched by" in key for key in Derivations.keys[:2])


class Focused(Square):
    """An option that asks one question: only ``power`` runs when it is set."""

    id = "focused-test"

    def selection(self, run):
        return frozenset({"power"}) & (run.checks or {"power"}) if run.options.get("focus") else run.checks


def test_a_claim_narrows_the_selection_once_for_the_whole_run():
    claim = Focused()
    focused = for_claim(Run(options={"focus": True}), claim)
    assert focused.checks == {"power"} and focused.claim == "focused-test"
    assert claim.global_outcomes(focused) == [] and [c.name for c in claim.per_case_checks(focused)] == ["power"]
    assert for_claim(Run(options={"focus": True}, checks=frozenset({"once-only"})), claim).checks == frozenset()
    assert for_claim(Run(), claim).checks is None
    result = runner.run(claim, Run(profile=PROFILES["quick"], options={"focus": True}))
    assert {o.check for o in result.outcomes} == {"power"} and result.settings.checks == {"power"}


def test_a_registered_claim_travels_by_id_and_another_by_value():
    """A worker process gets the registry's claim object (a forked worker's holds this process's patches); a claim
    the registry does not hold is pickled whole."""
    claim = REGISTRY["thm1"]
    assert pickle.loads(pickle.dumps(claim.evaluate)).__self__ is claim
    assert len(pickle.dumps(claim)) < 100  # a reference, not the object's state
    copy = pickle.loads(pickle.dumps(type(claim)()))
    assert type(copy) is type(claim) and copy is not claim
