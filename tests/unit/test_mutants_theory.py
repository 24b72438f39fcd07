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
