"""Derivation steps record what was checked and how; numeric spot-checks demand their stated precision."""

import pytest
import sympy as sp

from theory import identities
from theory.derivation import Derivation, DerivationError

x = sp.Symbol("x", positive=True)
POINTS = [{x: sp.Rational(1, 3)}, {x: sp.Rational(7, 2)}]


def test_a_step_records_its_sides_check_condition_and_name_and_returns_the_right_side():
    derivation = Derivation("record")
    result = derivation.equal("double angle", sp.sin(2 * x), 2 * sp.sin(x) * sp.cos(x), name=r"\sin 2x",
                              condition="x > 0")
    assert result == 2 * sp.sin(x) * sp.cos(x)
    (step,) = derivation.steps
    assert (step.statement, step.lhs, step.rhs, step.condition, step.name) == (
        "double angle", sp.sin(2 * x), 2 * sp.sin(x) * sp.cos(x), "x > 0", r"\sin 2x")
    assert step.check.kind == "symbolic" and derivation.exact
    assert derivation.equal("plain numbers are sympified", 4, 2 + 2) == 4
    assert derivation.steps[-1].lhs == sp.Integer(4)
    assert derivation.steps[-1].name == derivation.steps[-1].condition == ""  # none given


def test_a_given_check_receives_lhs_minus_rhs_and_its_verdict_is_kept():
    seen = []

    def check(difference):
        seen.append(difference)
        return identities.Check("numeric", "by hand")

    derivation = Derivation("custom")
    derivation.equal("custom", x + 2, x + 1, check=check)
    assert seen == [sp.Integer(1)]
    assert derivation.steps[0].check == identities.Check("numeric", "by hand") and not derivation.exact


def test_a_failed_step_names_the_derivation_and_the_step_and_is_not_appended():
    derivation = Derivation("title")
    with pytest.raises(DerivationError, match="title: step 'wrong' failed its check"):
        derivation.equal("wrong", sp.log(x * x), sp.log(x), points=POINTS)
    assert derivation.steps == []
    derivation.note("tried log(x²) = log x")
    assert derivation.notes == ["tried log(x²) = log x"]


def test_exact_means_every_step_is_symbolic():
    derivation = Derivation("mixed")
    assert derivation.exact  # no step, nothing numeric
    derivation.equal("symbolic", x + x, 2 * x)
    derivation.equal("numeric", x, x, check=lambda difference: identities.Check("numeric", "spot-check"))
    derivation.equal("symbolic again", x * 1, x)
    assert not derivation.exact


def test_the_time_limit_reaches_the_simplifier(monkeypatch):
    """A step SymPy cannot settle in time falls back to the numeric spot-check at the given points."""
    calls = []

    def slow(seconds, function, *args):
        calls.append(seconds)
        raise identities.TimeLimitExceeded("slow")

    monkeypatch.setattr(identities, "within", slow)
    derivation = Derivation("timed")
    derivation.equal("log of a square", sp.log(x * x), 2 * sp.log(x), points=POINTS, seconds=3.5)
    assert calls == [3.5] and derivation.steps[0].check.kind == "numeric"


@pytest.mark.parametrize("dps", [30, 60])
def test_a_spot_check_demands_its_stated_precision(dps):
    """Numeric spot-checks accept |lhs − rhs| below 10^(10 − dps) relative to the terms, and nothing more:
    a residual ten times the threshold is a disproof, a tenth of it passes."""
    for factor, accepted in ((10, False), (sp.Rational(1, 10), True)):
        residual = factor * sp.Integer(10) ** (10 - dps)
        expression = sp.log(x * x) - 2 * sp.log(x) + residual
        if accepted:
            check = identities.numeric_zero(expression, POINTS, dps)
            assert check.kind == "numeric" and f"1e-{dps - 10}" in check.how
        else:
            with pytest.raises(identities.NotProven, match="≠ 0"):
                identities.numeric_zero(expression, POINTS, dps)


def test_a_spot_check_refuses_a_non_finite_value():
    with pytest.raises(identities.NotProven, match="not a finite number"):
        identities.numeric_zero(1 / (x - sp.Rational(1, 3)), POINTS)
