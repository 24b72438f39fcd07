"""Definition 1 (incremental learning) and Theorem 2 (dynamical depth separation).

Two coordinates with targets σ_i* = r·σ_j* > σ_j* > 0 share the init σ_0; thresholds 0 < s < f < 1. The
pair is learned **incrementally** when at some time σ_i ≥ f σ_i* while σ_j ≤ s σ_j*. Both coordinates
rise monotonically, so this is T_i(f) ≤ T_j(s), with T_k(q) the time coordinate k reaches q σ_k*
(a comparison of two times of one flow: independent of the time convention).

Theorem 2 [the shape is seen in the abstract; this precise version is derived here, and its constants
may differ from the paper's, which were not available to us]:

(a) depth 1 never learns incrementally;
(b) depth 2 does iff (a − 1)^r ≥ ((1 − s)/s)^r (f/(1 − f)) (r a − 1), a = σ_j*/σ_0, which needs
    σ_0 ≤ σ_j*/(1 + K^{r/(r−1)}) and is ensured by σ_0 ≤ σ_j* (2K)^{−r/(r−1)} r^{−1/(r−1)},
    K = ((1 − s)/s)(f/(1 − f))^{1/r}: σ_0 must be exponentially small in r/(r − 1);
(c) depth N ≥ 3 does whenever σ_0 ≤ σ_i* ((r − 1)/(p L_f + r^{1+p} s^{−p}))^{N/(N−2)},
    p = (N − 2)/N, L_f = N/2 + log(1/(1 − f)): polynomially small in r − 1 suffices.

Bounds are expressions in the symbols ``N, r, s, f, sigma_j`` (σ_j*, the smaller target), as a user
would write them; like Theorem 1's closed forms they sit in a registry that tests can corrupt.
"""

from __future__ import annotations

import sympy as sp

from . import identities, theorem1
from .derivation import Derivation
from .statement import Statement
from .toy import N, init, sigma, t, target

r = sp.Symbol("r", positive=True)
s = sp.Symbol("s", positive=True)
f = sp.Symbol("f", positive=True)
sigma_j = sp.Symbol("sigma_j", positive=True)
BOUND_SYMBOLS = {"N": N, "r": r, "s": s, "f": f, "sigma_j": sigma_j}

_a = sp.Symbol("a", positive=True)  # σ_j*/σ_0
_q = sp.Symbol("q", positive=True)  # a learned fraction
_u = sp.Symbol("u", positive=True)  # σ/σ*


def _k():
    return (1 - s) / s * (f / (1 - f)) ** (1 / r)


def _necessary_2():
    return sigma_j / (1 + _k() ** (r / (r - 1)))


def _sufficient_2():
    return sigma_j * (2 * _k()) ** (-r / (r - 1)) * r ** (-1 / (r - 1))


def _sufficient_deep():
    p = (N - 2) / N
    return r * sigma_j * ((r - 1) / (p * (N / 2 + sp.log(1 / (1 - f))) + r ** (1 + p) * s ** (-p))) ** (1 / p)


STATEMENT = Statement(necessary_2=_necessary_2, sufficient_2=_sufficient_2, sufficient_deep=_sufficient_deep)
substituted = STATEMENT.substituted


def bound(name: str):
    """A bound of Theorem 2 on σ_0: ``necessary_2``, ``sufficient_2`` (depth 2) or ``sufficient_deep`` (N ≥ 3)."""
    return STATEMENT[name]()


def bound_kind(name: str) -> str:
    return "necessary" if name.startswith("necessary") else "sufficient"


# ---------------------------------------------------------------------------------------------------


def never_at_depth_one() -> Derivation:
    """(a): with Theorem 1's N = 1 solution the smaller target's learned fraction is always ahead."""
    derivation = Derivation("Theorem 2 (a): depth 1 never learns incrementally")
    star_i, star_j = r * sigma_j, sigma_j
    fraction = theorem1.explicit_solution(1) / target
    phi_i, phi_j = fraction.subs(target, star_i), fraction.subs(target, star_j)
    derivation.equal("Learned fractions φ_k(t) = σ_k(t)/σ_k*: φ_j − φ_i = e^{−t} σ_0 (1/σ_j* − 1/σ_i*) > 0",
                     phi_j - phi_i, sp.exp(-t) * init * (r - 1) / (r * sigma_j), name=r"\varphi_j-\varphi_i",
                     condition="r > 1, so φ_j > φ_i: f ≤ φ_i ≤ φ_j ≤ s would contradict s < f")
    return derivation


def depth_two() -> Derivation:
    """(b): the exact condition, and the necessary and sufficient bounds as its consequences."""
    derivation = Derivation("Theorem 2 (b): depth 2, exact condition and bounds")
    points = _points()
    positive = lambda difference: _in_positive_parts(difference, points)  # noqa: E731
    antiderivative = theorem1.antiderivative(2)
    hitting = antiderivative.subs(sigma, _q * target) - antiderivative.subs(sigma, init)
    derivation.equal("Hitting time of the fraction q (Theorem 1, N = 2)", hitting,
                     sp.log((target / init - 1) * _q / (1 - _q)) / (2 * target), name="T(q)",
                     condition="0 < σ_0 < q σ* < σ*",
                     points=[{target: star, init: star * q0, _q: q} for star, q0, q in
                             ((2, sp.Rational(1, 100), sp.Rational(3, 5)), (sp.Rational(1, 3), sp.Rational(1, 10**9),
                                                                          sp.Rational(1, 10)))])
    star_i = r * sigma_j
    at = {init: sigma_j / _a}
    time_i = hitting.subs({target: star_i, _q: f}).subs(at)
    time_j = hitting.subs({target: sigma_j, _q: s}).subs(at)
    derivation.equal("T_i(f) with σ_i* = r σ_j*, σ_0 = σ_j*/a", sp.exp(2 * star_i * time_i),
                     (r * _a - 1) * f / (1 - f), name=r"e^{2\sigma_i^*T_i(f)}", check=positive)
    derivation.equal("T_j(s), on the same clock", sp.exp(2 * star_i * time_j), ((_a - 1) * s / (1 - s)) ** r,
                     name=r"e^{2\sigma_i^*T_j(s)}", check=positive)
    condition = (_a - 1) ** r - ((1 - s) / s) ** r * f / (1 - f) * (r * _a - 1)
    derivation.equal("Exact condition: T_i(f) ≤ T_j(s) ⇔ C(a) ≥ 0 (exp is increasing)",
                     ((_a - 1) * s / (1 - s)) ** r - (r * _a - 1) * f / (1 - f), (s / (1 - s)) ** r * condition,
                     name=r"e^{2\sigma_i^*T_j(s)}-e^{2\sigma_i^*T_i(f)}", check=positive)
    derivation.equal("With K = ((1 − s)/s)(f/(1 − f))^{1/r}: C(a) = (a − 1)^r − K^r (r a − 1)", condition,
                     (_a - 1) ** r - _k() ** r * (r * _a - 1), name="C(a)", check=positive)
    necessary = 1 + _k() ** (r / (r - 1))
    derivation.equal("Necessary: r a − 1 > a − 1, so C(a) ≥ 0 needs (a − 1)^{r−1} > K^r, i.e. a > 1 + K^{r/(r−1)}",
                     (necessary - 1) ** (r - 1), _k() ** r, name=r"(a_n-1)^{r-1}", check=positive)
    derivation.equal("The stated necessary bound is σ_j*/a_n", bound("necessary_2"), sigma_j / necessary,
                     name=r"\sigma_0^{\mathrm{nec}}", check=positive)
    sufficient = (2 * _k()) ** (r / (r - 1)) * r ** (1 / (r - 1))
    derivation.equal("Sufficient: for a ≥ 2, a − 1 ≥ a/2 and r a − 1 < r a, so (a/2)^r ≥ K^r r a suffices; "
                     "equality at a_s = (2K)^{r/(r−1)} r^{1/(r−1)} ≥ 2", (sufficient / 2) ** r,
                     _k() ** r * r * sufficient, name=r"(a_s/2)^r", check=positive)
    derivation.equal("The stated sufficient bound is σ_j*/a_s", bound("sufficient_2"), sigma_j / sufficient,
                     name=r"\sigma_0^{\mathrm{suf}}", check=positive)
    return derivation


def deep(depth=N) -> Derivation:
    """(c): an upper bound on T_i(f) and a lower bound on T_j(s) whose crossing is the stated bound.

    Prefactor-free time (the comparison does not depend on the convention), p = (N − 2)/N.
    """
    derivation = Derivation(f"Theorem 2 (c): depth {'N ≥ 3' if depth == N else depth}, sufficient bound")
    depth = sp.sympify(depth)
    points = [{**point, N: 3 if depth == N else depth} for point in _points()]
    p = (depth - 2) / depth
    star = sp.Symbol("sigma^*", positive=True)
    derivation.equal("Partial fractions of the time integrand 1/(σ^{1+p}(σ* − σ))",
                     1 / (sigma ** (1 + p) * (star - sigma)), (sigma ** (-1 - p) + sigma ** (-p) / (star - sigma)) / star,
                     name=r"\frac{dt}{d\sigma}", points=[{**pt, sigma: sp.Rational(1, 3), star: 1} for pt in points])
    derivation.equal("Blow-up part: ∫ σ^{−1−p} dσ = −σ^{−p}/p", sp.diff(-sigma ** (-p) / p, sigma), sigma ** (-1 - p),
                     name=r"\frac{d}{d\sigma}\Big(-\frac{\sigma^{-p}}{p}\Big)",
                     points=[{**pt, sigma: sp.Rational(1, 3)} for pt in points])
    derivation.equal("Remainder, with σ = uσ*: 1/(u^p(1 − u)) = u^{−p} + u^{1−p}/(1 − u), and u^{1−p} ≤ 1",
                     1 / (_u**p * (1 - _u)), _u ** (-p) + _u ** (1 - p) / (1 - _u), name=r"\frac{1}{u^p(1-u)}",
                     points=[{**pt, _u: sp.Rational(1, 3)} for pt in points])
    derivation.equal("∫_0^f u^{−p} du = f^{1−p}/(1 − p) ≤ N/2, so the remainder is at most σ*^{−1−p} L_f, "
                     "L_f = N/2 + log(1/(1 − f))", sp.integrate(_u ** (-p), (_u, 0, f), conds="none"),
                     f ** (1 - p) * depth / 2, name=r"\int_0^f u^{-p}\,du",
                     points=[{**pt, f: sp.Rational(9, 10)} for pt in points])
    star_i, star_j, level = r * sigma_j, sigma_j, _log_term()
    upper_i = (init ** (-p) / p + star_i ** (-p) * (depth / 2 + level)) / star_i
    lower_j = (init ** (-p) - (s * star_j) ** (-p)) / (p * star_j)
    stated = bound("sufficient_deep").subs(N, depth)
    seconds = 5.0 if depth == N else 20.0  # symbolic N is beyond SymPy here (signs of N − 2): spot-checked
    derivation.equal("At σ_0 = the stated bound, the upper bound on T_i(f) meets the lower bound on T_j(s); "
                     "both sides change monotonically with σ_0, so any smaller σ_0 is incremental",
                     upper_i.subs(init, stated), lower_j.subs(init, stated), name=r"\bar T_i(f)",
                     condition="r > 1, 0 < s < f < 1",
                     check=lambda difference: _in_positive_parts(difference, points, seconds))
    return derivation


def _log_term():
    return sp.log(1 / (1 - f))


_rho, _alpha, _odds_s, _odds_f, _ell = sp.symbols("rho alpha S F ell", positive=True)


def _in_positive_parts(difference, points, seconds=20.0):
    """Prove ``difference`` = 0 after naming the positive quantities of the domain: r − 1 = ρ, a − 1 = α,
    s = S/(1 + S), f = F/(1 + F) (so 1 − s, 1 − f > 0), log(1/(1 − f)) = ℓ. With every base of a real
    power visibly positive, powers combine and SymPy can decide the identity."""
    rewritten = sp.expand_power_base(sp.powdenest(sp.sympify(difference).subs(_log_term(), _ell).subs(
        {r: 1 + _rho, _a: 1 + _alpha, s: _odds_s / (1 + _odds_s), f: _odds_f / (1 + _odds_f)})))
    translated = [{**pt, _rho: pt[r] - 1, _alpha: pt.get(_a, 2) - 1, _odds_s: pt[s] / (1 - pt[s]),
                   _odds_f: pt[f] / (1 - pt[f]), _ell: _log_term().subs(f, pt[f])} for pt in points]
    return identities.prove_zero(rewritten, seconds=seconds, points=translated)


def _points():
    values = ((sp.Rational(3, 2), sp.Rational(1, 10), sp.Rational(9, 10), 1, 40),
              (sp.Rational(11, 10), sp.Rational(1, 5), sp.Rational(4, 5), 3, 10**6),
              (3, sp.Rational(1, 100), sp.Rational(99, 100), sp.Rational(1, 2), 7))
    return [{r: ratio, s: low, f: high, sigma_j: star, _a: a, init: star / a}
            for ratio, low, high, star, a in values]
