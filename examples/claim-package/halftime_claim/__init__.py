"""half-time: a depth-2 diagonal network reaches half its target at t½ = log(σ*/σ_0 − 1)/(2σ*).

Derived from Theorem 1's depth-2 solution σ(t) = σ_0σ*e^{2σ*t}/(σ* − σ_0 + σ_0e^{2σ*t}) by solving
σ(t½) = σ*/2; checked against the project's high-precision hitting times and against gradient descent
trained in torch (the first step at which σ ≥ σ*/2).

GD's lag: step k multiplies the balanced factor by 1 + η(σ* − σ), so log σ grows by
2 log(1 + η(σ* − σ)) ≥ 2η(σ* − σ) − η²(σ* − σ)² per step instead of 2η(σ* − σ): the growth rate is
slower by a relative factor of at most ησ*/2, so t½ is late by at most t½·ησ*/2 (first order), and the
first crossing step adds at most one step η. The tolerance doubles the first-order term for the
remainder: |ηk − t½| ≤ t½·ησ* + η.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import sympy as sp
from hypothesis import strategies as st

from numerics import toy
from theory import theorem1
from theory.derivation import Derivation
from theory.toy import init, t, target
from verify.cases import Case
from verify.claim import Claim, Corruption, Measured, check, digits_tolerance

_STATE = {"halving": sp.Integer(2)}  # the level σ*/halving the claim is about (corruptions change it)


def half_time_derivation() -> Derivation:
    """σ(t½) = σ*/2 solved for t½, then substituted back into Theorem 1's depth-2 solution."""
    derivation = Derivation("Depth 2: the time to half the target")
    solution = theorem1.explicit_solution(2)
    stated = sp.log(target / init - 1) / (2 * target)
    derivation.equal("the depth-2 solution at the stated t½ is half the target", solution.subs(t, stated),
                     target / _STATE["halving"], name=r"\sigma(t_{1/2})")
    return derivation


@dataclass(frozen=True)
class HalfTimeCase(Case):
    target: Fraction
    init: Fraction
    step: Fraction

    @property
    def half_time(self) -> float:
        return float(sp.log(self.target / self.init - 1) / (2 * self.target))


class HalfTime(Claim):
    id = "half-time"
    title = "Depth-2 toy model: the time to reach half the target"
    statement = "A depth-2 diagonal network from balanced init σ_0 reaches σ*/2 at t½ = log(σ*/σ_0 − 1)/(2σ*)."
    provenance = """
        derived: From Theorem 1's depth-2 solution (SymPy, substituted back).
        """
    corruptions = (Corruption("the level is a third, not a half", lambda: _level(3),
                              checks=("half-time-formula", "versus-quadrature")),)

    def strategy(self, run):
        targets = st.sampled_from([Fraction(k, 4) for k in range(2, 13)])
        return targets.flatmap(lambda star: st.builds(
            HalfTimeCase, st.just(star), st.sampled_from([star / 10**k for k in range(2, 7)]),
            st.sampled_from([Fraction(1, 20 * d) / star for d in (2, 4, 8)])))

    @check("symbolic", once=True)
    def half_time_formula(self, run):
        """Theorem 1's depth-2 σ(t) at the stated t½ equals σ*/2

        Tolerance: exact
        """
        return self.derive(f"half-time:{_STATE['halving']}:{theorem1.statement_key(2)}", half_time_derivation)

    @check("numeric", measures="relative error")
    def versus_quadrature(self, case, run):
        """the stated t½ against numerics.toy.time_to(σ*/2) (hypergeometric/log form)

        Tolerance: 10^(10−dps) relative: both sides carry guard digits
        """
        level = case.target / int(_STATE["halving"])
        reference = toy.time_to(level, depth=2, target=case.target, init=case.init, dps=run.dps)
        with mp.workdps(run.dps + 10):
            stated = mp.log(_mpf(case.target / case.init - 1)) / (2 * _mpf(case.target))
            return Measured(float(abs(stated - reference) / reference), digits_tolerance(run.dps))

    def train(self, cases, run):
        from verify.training import toy as training  # torch only when models train

        experiments = [training.Experiment(2, (case.target,), case.init, case.step,
                                           (0, int(2 * case.half_time / float(case.step)) + 2),
                                           levels=(case.target / 2,)) for case in cases]
        runs = training.train(experiments, device=run.device, dtype=run.dtype)
        return {case: int(runs.crossings[b, 0]) for b, case in enumerate(cases)}

    @check("empirical", measures="absolute error in time")
    def gd_crossing(self, case, run, trained):
        """torch GD's first step at or above σ*/2, times η, against t½

        Tolerance: first-order GD lag t½·ησ*/2, doubled for the remainder, plus one step η (module docstring)
        """
        step = float(case.step)
        if trained < 0:
            return Measured(float("inf"), 0.0, "GD never reached σ*/2 within twice t½")
        bound = case.half_time * step * float(case.target) + step
        return Measured(abs(trained * step - case.half_time), bound, f"crossed at step {trained}")

    def derivations(self):
        return [half_time_derivation()]


def _mpf(value: Fraction):
    return mp.mpf(value.numerator) / value.denominator


@contextmanager
def _level(halving):
    saved = _STATE["halving"]
    _STATE["halving"] = sp.Integer(halving)
    try:
        yield
    finally:
        _STATE["halving"] = saved


CLAIM = HalfTime()
