"""The symbolic layer: derivations check every step, reject wrong CAS answers, and catch false steps."""

import sympy as sp
import pytest

from theory import identities, theorem1
from theory import toy as model
from theory.derivation import Derivation, DerivationError
from theory.timelimit import TimeLimitExceeded, within


@pytest.mark.parametrize("depth", [model.N, 1, 2, 3, 5, 8])
def test_both_losses_give_the_project_ode(depth):
    derivation = model.flow_derivation(depth)
    assert derivation.exact
    final = derivation.steps[-1]
    assert sp.simplify(final.rhs - model.flow_rhs(depth).subs(
        {model.sigma: sp.Symbol("sigma_1", positive=True), model.target: sp.Symbol("sigma_1^*", positive=True)})) == 0


def test_explicit_solutions_satisfy_the_ode():
    for depth in (1, 2):
        derivation = theorem1.explicit_derivation(depth)
        assert derivation.exact
        solution = theorem1.explicit_solution(depth)
        residual = solution.diff(model.t) - model.flow_rhs(depth).subs(model.sigma, solution)
        assert sp.simplify(residual) == 0 and sp.simplify(solution.subs(model.t, 0) - model.init) == 0


def test_general_antiderivative_is_proven_exactly():
    derivation = theorem1.antiderivative_derivation(model.N)
    assert derivation.exact
    assert any("Lerch" in step.check.how for step in derivation.steps)


@pytest.mark.parametrize("depth", range(3, 9))
def test_elementary_forms_differentiate_back_and_agree_with_the_hypergeometric_form(depth):
    time, derivation = theorem1.elementary_time(depth)
    assert derivation.exact
    assert not time.has(sp.hyper, sp.lerchphi) and time.has(sp.log)
    point = {model.sigma: sp.Rational(3, 5), model.target: 2, model.init: sp.Rational(1, 100)}
    general = theorem1.antiderivative(depth)
    expected = general.subs({model.sigma: point[model.sigma], model.target: 2}) - general.subs(
        {model.sigma: point[model.init], model.target: 2})
    assert abs(sp.N(time.subs(point) - expected, 40)) < 1e-35


def test_sympy_integrate_answers_are_checked_and_the_wrong_ones_recorded():
    """SymPy 1.14 drops the complex-root terms for N = 3: the derivation must say so, not use it."""
    _, derivation = theorem1.elementary_time(3)
    if sp.__version__.startswith("1.14"):
        assert any("rejected" in note for note in derivation.notes)


def test_a_false_step_is_rejected():
    x = sp.Symbol("x", positive=True)
    derivation = Derivation("test")
    derivation.equal("true", sp.sin(x) ** 2 + sp.cos(x) ** 2, 1)
    with pytest.raises(DerivationError, match="false"):
        derivation.equal("false", sp.log(x * x), sp.log(x), points=[{x: sp.Rational(1, 3)}])


def test_cyclotomic_zero_test_is_exact_and_catches_small_errors():
    v, theta = sp.symbols("v theta", positive=True)
    identity = sp.cos(2 * theta) - 2 * sp.cos(theta) ** 2 + 1 + v * (sp.sin(theta) ** 2 + sp.cos(theta) ** 2 - 1)
    assert identities.prove_zero_cyclotomic(identity, v, theta, 7).kind == "symbolic"
    with pytest.raises(identities.NotProven):
        identities.prove_zero_cyclotomic(identity + v / 10**30, v, theta, 7)


def test_time_limit_stops_a_slow_computation():
    with pytest.raises(TimeLimitExceeded):
        within(0.5, _sleep, 5)
    assert within(5, sp.factorint, 360) == {2: 3, 3: 2, 5: 1}


def _sleep(seconds):
    import time

    time.sleep(seconds)


def test_substituted_forms_are_restored_and_validated():
    original = theorem1.antiderivative(3)
    with theorem1.substituted(antiderivative=lambda depth: model.sigma):
        assert theorem1.antiderivative(3) == model.sigma
    assert theorem1.antiderivative(3) == original
    with pytest.raises(ValueError, match="unknown closed forms"):
        with theorem1.substituted(nonsense=lambda depth: 0):
            pass
