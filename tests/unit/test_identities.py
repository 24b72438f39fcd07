"""How ``theory.identities`` establishes an identity, and that it says which way it did."""

import pytest
import sympy as sp

from theory import identities

x, v, theta = sp.symbols("x v theta", positive=True)
POINTS = [{x: sp.Rational(1, 3)}, {x: sp.Rational(7, 2)}]


def test_the_first_method_that_reaches_zero_is_named():
    assert identities.simplifies_to_zero((x**2 - 1) / (x - 1) - x - 1) == "cancel"
    assert identities.simplifies_to_zero(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1) == "simplify"
    y = sp.Symbol("y")  # not known positive: log(y²) = 2 log y only when forced
    assert identities.simplifies_to_zero(sp.log(y**2) - 2 * sp.log(y)) == "expand_log"
    assert identities.simplifies_to_zero(sp.log(y**2) - 3 * sp.log(y)) is None
    assert identities.simplifies_to_zero(sp.sin(x) - x) is None  # no log: expand_log is not tried


def test_a_forced_log_expansion_needs_domain_points_and_is_confirmed_on_them():
    y = sp.Symbol("y")
    expression = sp.log(y**2) - 2 * sp.log(y)
    with pytest.raises(identities.NotProven, match="forcing log expansions"):
        identities.prove_zero(expression)
    check = identities.prove_zero(expression, points=[{y: sp.Rational(1, 2)}, {y: 3}])
    assert check.kind == "symbolic" and "confirmed at 2 points" in check.how
    with pytest.raises(identities.NotProven):  # y < 0: the forced expansion is false there
        identities.prove_zero(expression, points=[{y: -2}])


def test_exact_answers_say_which_method_and_residuals_need_points():
    assert identities.prove_zero(0) == identities.Check("symbolic", "identical after construction")
    assert identities.prove_zero(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1).how == "simplify(lhs − rhs) = 0"
    with pytest.raises(identities.NotProven, match="no sample points"):
        identities.prove_zero(sp.log(x * x) - sp.log(x) - 1)
    with pytest.raises(identities.NotProven, match="lhs − rhs = -2.09861 ≠ 0 at x=1/3$"):
        identities.prove_zero(sp.log(x * x) - sp.log(x) - 1, points=POINTS)
    with pytest.raises(identities.NotProven, match="≠ 0 at x=1/3, v=2$"):
        identities.numeric_zero(x + v, [{x: sp.Rational(1, 3), v: 2}])


def test_cyclotomic_check_names_the_field():
    identity = sp.cos(2 * theta) - 2 * sp.cos(theta) ** 2 + 1 + v * 0
    check = identities.prove_zero_cyclotomic(identity, v, theta, 7)
    assert check == identities.Check("symbolic", "exact evaluation in Q(e^(2πi/28)) at more points than the degree in v")
    with pytest.raises(identities.NotProven, match=r"Q\(e\^\(2πi/28\)\)"):
        identities.prove_zero_cyclotomic(identity + v, v, theta, 7)


def test_spot_check_scale_is_the_largest_term():
    """The threshold is relative to the largest term (at least 1): a residual of 1e-45 against terms of
    size 1e10 passes at 60 digits (relative 1e-55), against terms of size 1 it fails."""
    residual = sp.Float("1e-45", 60)
    for size, accepted in ((sp.Integer(10) ** 10, True), (1, False)):
        expression = size * sp.log(x**2) - 2 * size * sp.log(x) + residual
        if accepted:
            assert identities.numeric_zero(expression, POINTS).kind == "numeric"
        else:
            with pytest.raises(identities.NotProven):
                identities.numeric_zero(expression, POINTS)
