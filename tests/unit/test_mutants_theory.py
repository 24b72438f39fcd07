"""The numeric spot-check of ``theory.identities`` at its edges, written against mutants that mutmut left alive
(docs/mutation-testing.md): a residual just above the threshold, and residuals that are not finite numbers."""

import pytest
import sympy as sp

from theory.identities import NUMERIC_DPS, NotProven, numeric_zero

x = sp.Symbol("x", positive=True)


def test_a_residual_above_the_threshold_disproves_even_when_every_term_is_small():
    """Terms below 1 are measured against 1: a residual of 1.5·10^-(dps−10) is 1.5 times the threshold."""
    threshold = sp.Integer(10) ** (10 - NUMERIC_DPS)
    with pytest.raises(NotProven, match="≠ 0"):
        numeric_zero(sp.Rational(3, 2) * threshold * x, [{x: 1}])
    assert numeric_zero(sp.Rational(1, 2) * threshold * x, [{x: 1}]).kind == "numeric"


@pytest.mark.parametrize("expression, point", [
    (sp.sin(x - 1) / (x - 1) - 1, {x: 1}),  # 0/0: nan
    (sp.oo * x, {x: 2}),  # +∞
    (1 / (x - 2), {x: 2}),  # complex infinity
])
def test_a_residual_that_is_not_a_finite_number_disproves(expression, point):
    with pytest.raises(NotProven, match="not a finite number"):
        numeric_zero(expression, [point])


def _simplifier(monkeypatch, outcome):
    """``prove_zero`` with SymPy's simplification replaced by ``outcome`` (a method name, or a time-out), and the
    time limit it was given recorded."""
    from theory import identities
    from theory.timelimit import TimeLimitExceeded

    given = []

    def within(seconds, function, *arguments):
        given.append(seconds)
        if outcome is TimeLimitExceeded:
            raise TimeLimitExceeded("simulated")
        return outcome

    monkeypatch.setattr(identities, "within", within)
    return given


@pytest.mark.parametrize("outcome", ["expand_log", "timeout"])
def test_prove_zero_spot_checks_at_the_precision_it_is_given(monkeypatch, outcome):
    """After a forced log expansion, or when SymPy runs out of time, the residual is spot-checked at the caller's
    ``dps``: 10^-30 passes at 30 digits (threshold 10^-20) and fails at the default 60 (10^-50); SymPy gets the
    documented 20 s unless told otherwise."""
    from theory import identities
    from theory.timelimit import TimeLimitExceeded

    given = _simplifier(monkeypatch, TimeLimitExceeded if outcome == "timeout" else outcome)
    residual = sp.Integer(10) ** -30 * x
    accepted = identities.prove_zero(residual, points=[{x: 1}], dps=30)  # no NotProven at 30 digits
    assert outcome == "expand_log" or "30 digits" in accepted.how
    with pytest.raises(NotProven, match="≠ 0"):
        identities.prove_zero(residual, points=[{x: 1}])
    assert given == [20.0, 20.0]


def test_prove_zero_after_a_forced_log_expansion_needs_domain_points(monkeypatch):
    from theory import identities

    _simplifier(monkeypatch, "expand_log")
    with pytest.raises(NotProven, match="^lhs − rhs vanishes only after forcing log expansions, and no domain points "
                                        "were given$"):
        identities.prove_zero(sp.log(x * 2) - sp.log(x) - sp.log(2))
