"""The performance correlation μ_Y(F; L) = I(F; Y) − I(F; Y | L) of Nakkiran et al., and the bias of its
plug-in estimator (``docs/claims/increasing-complexity.md`` §1).

For discrete F, L, Y with joint pmf p(f, l, y), in bits:

* μ is the interaction information: μ = H(F) + H(L) + H(Y) − H(F,L) − H(F,Y) − H(L,Y) + H(F,L,Y), symmetric
  in F, L, Y; so μ_Y(F; L) = μ_Y(L; F) = I(L; Y) − I(L; Y | F) = I(F; L) − I(F; L | Y)
  (``identity_derivation``);
* every (conditional) mutual information is a (weighted) relative entropy, ≥ 0 (Gibbs), so
  −min(I(F;Y|L), I(L;Y|F), I(F;L|Y)) ≤ μ ≤ min(I(F;Y), I(L;Y), I(F;L)) (``bounds_derivation``);
* μ_Y(F; F) = I(F; Y); μ = 0 when L is independent of (F, Y); μ = −1 bit for XOR (Y = F ⊕ L, F, L fair and
  independent); for binary symmetric channels (Y fair, F = Y ⊕ Bern(a), L = Y ⊕ Bern(b) independently)
  μ = 1 − h(a ∗ b), a ∗ b = a(1 − b) + b(1 − a), h the binary entropy (``special_cases_derivation``);
* the plug-in estimator from N samples, μ̂ (each entropy from the empirical frequencies), has
  E μ̂ = μ + Σ_T s_T [−(K_T − 1)/(2N) − (Σ_c 1/q_c − 1)/(12N²)]/ln 2 + O(N⁻³), the sum over the seven entropy
  terms T with signs s_T, K_T the number of cells of positive probability of T's table and q_c their
  probabilities (``bias_derivation``: Taylor expansion of −p̂ log p̂ with the binomial central moments from
  the moment generating function).

The statement is a registry (``STATEMENT``) so corruptions can substitute wrong forms.
"""

from __future__ import annotations

import itertools

import sympy as sp

from . import identities
from .derivation import Derivation
from .statement import Statement

a, b = sp.symbols("a b", positive=True)  # flip probabilities of the binary symmetric channels
p, N, t = sp.Symbol("p", positive=True), sp.Symbol("N", positive=True), sp.Symbol("t", real=True)
x = sp.Symbol("x", real=True)  # p̂ − p
cells = sp.Symbol("K", positive=True, integer=True)
inverse_sum = sp.Symbol("S", positive=True)  # Σ_c 1/q_c
ALPHABET = 2  # the symbolic identities use binary F, L, Y (8 cells); the numeric checks any alphabet


def _log2(value):
    return sp.log(value) / sp.log(2)


def _entropy_terms():
    """The interaction-information form as (sign, variables kept) over F = 0, L = 1, Y = 2."""
    return ((1, (0,)), (1, (1,)), (1, (2,)), (-1, (0, 1)), (-1, (0, 2)), (-1, (1, 2)), (1, (0, 1, 2)))


def _plug_in_bias(cell_counts, inverse_sums, signs, samples):
    """Σ_T s_T[−(K_T − 1)/(2N) − (S_T − 1)/(12N²)]/ln 2: E μ̂ − μ to second order in 1/N (bits)."""
    return sum(sign * (-(count - 1) / (2 * samples) - (inverse - 1) / (12 * samples**2))
               for count, inverse, sign in zip(cell_counts, inverse_sums, signs)) / sp.log(2)


def _bsc(a_, b_):
    star = a_ * (1 - b_) + b_ * (1 - a_)
    return 1 - binary_entropy(star)


STATEMENT = Statement(entropy_terms=_entropy_terms, plug_in_bias=_plug_in_bias, bsc=_bsc)


def entropy_terms():
    return STATEMENT["entropy_terms"]()


def plug_in_bias(cell_counts, inverse_sums, signs, samples):
    return STATEMENT["plug_in_bias"](cell_counts, inverse_sums, signs, samples)


def bsc(a_, b_):
    return STATEMENT["bsc"](a_, b_)


def substituted(**forms):
    return STATEMENT.substituted(**forms)


def statement_key() -> str:
    return "|".join([repr(entropy_terms()), sp.srepr(plug_in_bias((cells,), (inverse_sum,), (1,), N)),
                     sp.srepr(bsc(a, b))])


def binary_entropy(q):
    return -q * _log2(q) - (1 - q) * _log2(1 - q)


# ---------------------------------------------------------------------------------------------------
# Information quantities of a joint pmf given by its tables
#
# A pmf is given by ``table(keep)``: the marginal over the axes ``keep`` (sorted; F = 0, L = 1, Y = 2) as
# {values: probability}. Symbolically the marginals are symbols of their own (p^FY_fy, …), so formulas display
# compactly; identities are then checked after substituting each marginal by its sum of joint symbols.

NAMES = "FLY"
JOINT = {key: sp.Symbol("p_{" + "".join(map(str, key)) + "}", positive=True)
         for key in itertools.product(range(ALPHABET), repeat=3)}


def _marginal_symbols(keep: tuple) -> dict:
    label = "".join(NAMES[i] for i in keep)
    return {key: sp.Symbol(f"p^{{{label}}}_{{{''.join(map(str, key))}}}", positive=True)
            for key in itertools.product(range(ALPHABET), repeat=len(keep))}


def symbolic_table(keep: tuple) -> dict:
    """The joint symbols p_fly, or the marginal symbols of ``keep``."""
    return JOINT if tuple(keep) == (0, 1, 2) else _marginal_symbols(tuple(keep))


def _sums(pmf: dict, keep: tuple) -> dict:
    out: dict = {}
    for key, value in pmf.items():
        reduced = tuple(key[i] for i in keep)
        out[reduced] = out.get(reduced, 0) + value
    return out


MARGINALS = {symbol: _sums(JOINT, keep)[key] for keep in ((0,), (1,), (2,), (0, 1), (0, 2), (1, 2))
             for key, symbol in _marginal_symbols(keep).items()}


def concrete(pmf: dict):
    """``table`` of an explicit pmf {(f, l, y): p}."""
    return lambda keep: _sums(pmf, tuple(keep))


def _value(table, axes: tuple, values: tuple):
    order = sorted(range(len(axes)), key=lambda i: axes[i])
    return table(tuple(axes[i] for i in order)).get(tuple(values[i] for i in order), 0)


def entropy(table, keep: tuple):
    return -sum(v * _log2(v) for v in table(tuple(keep)).values() if v != 0)


def mutual_information(table, first: int, second: int):
    """I(X_first; X_second) = Σ p(u, v) log p(u, v)/(p(u)p(v)), from its definition."""
    total = 0
    for u, w in itertools.product(range(ALPHABET), repeat=2):
        v = _value(table, (first, second), (u, w))
        if v != 0:
            total += v * _log2(v / (_value(table, (first,), (u,)) * _value(table, (second,), (w,))))
    return total


def conditional_mutual_information(table, first: int, second: int, given: int):
    """I(X_first; X_second | X_given) = Σ p(u, v, g) log p(u, v, g)p(g)/(p(u, g)p(v, g)), from its definition."""
    total = 0
    for u, w, g in itertools.product(range(ALPHABET), repeat=3):
        v = _value(table, (first, second, given), (u, w, g))
        if v != 0:
            total += v * _log2(v * _value(table, (given,), (g,)) / (_value(table, (first, given), (u, g))
                                                                     * _value(table, (second, given), (w, g))))
    return total


def performance_correlation(table):
    """μ_Y(F; L) = I(F; Y) − I(F; Y | L) from the definitions."""
    return mutual_information(table, 0, 2) - conditional_mutual_information(table, 0, 2, 1)


def interaction_form(table):
    """The stated entropy form of μ."""
    return sum(sign * entropy(table, keep) for sign, keep in entropy_terms())


def _with_marginals(difference) -> identities.Check:
    """Exact: substitute every marginal symbol by its sum of joint symbols, expand the logarithms (all arguments
    positive) and the products; the difference must vanish identically."""
    if sp.expand(sp.expand_log(sp.sympify(difference).xreplace(MARGINALS), force=True)) == 0:
        return identities.Check("symbolic", "marginals substituted, logs of positive products expanded: lhs − rhs = 0")
    raise identities.NotProven("lhs − rhs does not vanish after substituting the marginals")


# ---------------------------------------------------------------------------------------------------
# Derivations

MARGINAL_CONDITION = "p^FY_fy = Σ_l p_fly and likewise for every marginal"


def identity_derivation() -> Derivation:
    derivation = Derivation("The performance correlation is the interaction information (binary F, L, Y)")
    table = symbolic_table
    mu = performance_correlation(table)
    derivation.equal("μ_Y(F; L) = I(F; Y) − I(F; Y | L) from the definitions, in joint entropies", mu,
                     interaction_form(table), check=_with_marginals, condition=MARGINAL_CONDITION,
                     name=r"\mu_Y(F;L)")
    derivation.equal("Symmetric in F and L: μ_Y(L; F) = I(L; Y) − I(L; Y | F)", mu,
                     mutual_information(table, 1, 2) - conditional_mutual_information(table, 1, 2, 0),
                     check=_with_marginals, condition=MARGINAL_CONDITION, name=r"\mu_Y(L;F)")
    derivation.equal("… and in Y: I(F; L) − I(F; L | Y)", mu,
                     mutual_information(table, 0, 1) - conditional_mutual_information(table, 0, 1, 2),
                     check=_with_marginals, condition=MARGINAL_CONDITION, name=r"I(F;L)-I(F;L\mid Y)")
    return derivation


def bounds_derivation() -> Derivation:
    """Each (conditional) mutual information written as a weighted relative entropy: Gibbs makes it ≥ 0."""
    derivation = Derivation("Bounds on the performance correlation")
    table = symbolic_table
    weighted = 0
    for g in range(ALPHABET):
        weight = _value(table, (1,), (g,))
        for u, w in itertools.product(range(ALPHABET), repeat=2):
            conditional = _value(table, (0, 1, 2), (u, g, w)) / weight
            weighted += weight * conditional * _log2(conditional / (_value(table, (0, 1), (u, g)) / weight
                                                                   * _value(table, (1, 2), (g, w)) / weight))
    derivation.equal("I(F; Y | L) = Σ_l p(l) D(p(f, y | l) ‖ p(f | l)p(y | l)) ≥ 0 (Gibbs)",
                     conditional_mutual_information(table, 0, 2, 1), weighted, check=_with_marginals,
                     condition=MARGINAL_CONDITION, name=r"I(F;Y\mid L)")
    derivation.note("Likewise every (conditional) mutual information is a (weighted) relative entropy, ≥ 0; with the "
                    "three forms of μ (identity derivation): μ ≤ min(I(F;Y), I(L;Y), I(F;L)) and "
                    "μ ≥ −min(I(F;Y|L), I(L;Y|F), I(F;L|Y)).")
    return derivation


def special_cases_derivation() -> Derivation:
    derivation = Derivation("The performance correlation in special cases")
    pair, first, label = _marginal_symbols((0, 2)), _marginal_symbols((0,)), _marginal_symbols((2,))
    def copied(keep):  # tables of (F, F, Y) in terms of p^FY, p^F, p^Y
        if keep == (0, 1, 2):
            return {(f, f, y): pair[(f, y)] for f, y in pair}
        if keep == (0, 1):
            return {(f, f): first[(f,)] for (f,) in first}
        if keep in ((0, 2), (1, 2)):
            return pair
        return first if keep in ((0,), (1,)) else label

    derivation.equal("L = F: I(F; Y | F) = 0, so μ_Y(F; F) = I(F; Y)", performance_correlation(copied),
                     mutual_information(copied, 0, 2), name=r"\mu_Y(F;F)")
    r = sp.Symbol("r", positive=True)  # P(L = 1)
    weights = (1 - r, r)

    def independent(keep):  # p(f, l, y) = p^FY_fy · P(L = l)
        if keep == (0, 1, 2):
            return {(f, l, y): pair[(f, y)] * weights[l] for (f, y) in pair for l in range(2)}
        if keep == (0, 1):
            return {(f, l): first[(f,)] * weights[l] for (f,) in first for l in range(2)}
        if keep == (1, 2):
            return {(l, y): weights[l] * label[(y,)] for (y,) in label for l in range(2)}
        return {(l,): weights[l] for l in range(2)} if keep == (1,) else copied(keep)

    derivation.equal("L independent of (F, Y): I(F; Y | L) = Σ_l P(L = l) I(F; Y) = I(F; Y), so μ = 0",
                     performance_correlation(independent), 0, check=_with_marginals, condition=MARGINAL_CONDITION,
                     name=r"\mu_Y(F;L)\big|_{L\perp(F,Y)}")
    xor = {(f, l, y): (sp.Rational(1, 4) if y == f ^ l else 0) for f, l, y in itertools.product(range(2), repeat=3)}
    derivation.equal("XOR: F, L fair and independent, Y = F xor L: μ = −1 bit (I(F;Y) = 0, I(F;Y|L) = 1)",
                     performance_correlation(concrete(xor)), -1, name=r"\mu_Y(F;L)\big|_{\mathrm{XOR}}")
    channel = {(f, l, y): sp.Rational(1, 2) * (a if f != y else 1 - a) * (b if l != y else 1 - b)
               for f, l, y in itertools.product(range(2), repeat=3)}
    spots = [{a: sp.Rational(1, 10), b: sp.Rational(1, 5)}, {a: sp.Rational(1, 3), b: sp.Rational(2, 5)}]
    derivation.equal("Binary symmetric channels: I(F; Y) = 1 − h(a)", mutual_information(concrete(channel), 0, 2),
                     1 - binary_entropy(a), points=spots, seconds=2, name=r"I(F;Y)")
    derivation.equal("… I(F; Y | L) = h(a ∗ b) − h(a), so μ = 1 − h(a ∗ b) ≥ 0",
                     performance_correlation(concrete(channel)), bsc(a, b), points=spots, seconds=2,
                     name=r"\mu_Y(F;L)")
    return derivation


def bias_derivation() -> Derivation:
    """E[−p̂ log p̂] for p̂ = n/N, n ~ Binomial(N, p), to order 1/N³, and the bias of μ̂ it implies."""
    derivation = Derivation("Bias of the plug-in entropy and of the plug-in performance correlation")
    generating = N * sp.log(1 - p + p * sp.exp(t / N)) - p * t  # log E exp(t(p̂ − p)): the cumulants of p̂ − p
    kappa, derivative = [], generating
    for _ in range(7):
        kappa.append(sp.simplify(derivative.subs(t, 0)))
        derivative = sp.diff(derivative, t)
    derivation.equal("Variance of p̂ (second cumulant of Binomial(N, p)/N)", kappa[2], p * (1 - p) / N,
                     name=r"\kappa_2")
    derivation.equal("Third cumulant", kappa[3], p * (1 - p) * (1 - 2 * p) / N**2, name=r"\kappa_3")
    central = {2: kappa[2], 3: kappa[3], 4: kappa[4] + 3 * kappa[2] ** 2, 5: kappa[5] + 10 * kappa[3] * kappa[2],
               6: kappa[6] + 15 * kappa[4] * kappa[2] + 10 * kappa[3] ** 2 + 15 * kappa[2] ** 3}
    derivation.equal("Fourth central moment from the cumulants", central[4],
                     3 * p**2 * (1 - p) ** 2 / N**2 + p * (1 - p) * (1 - 6 * p * (1 - p)) / N**3,
                     name=r"\mathbb{E}(\hat p-p)^4")
    g = -(p + x) * sp.log(p + x)
    taylor = -p * sp.log(p) + sum(sp.diff(g, x, order).subs(x, 0) / sp.factorial(order) * central[order]
                                  for order in range(2, 7))
    derivation.equal("Taylor expansion of −p̂ log p̂ about p with the central moments to the sixth (the seventh and "
                     "higher are O(N^-4))", sp.series(sp.expand(taylor), N, sp.oo, 4).removeO(),
                     -p * sp.log(p) - (1 - p) / (2 * N) - (1 / p - p) / (12 * N**2) + (1 / p - 1 / p**2) / (12 * N**3),
                     name=r"\mathbb{E}[-\hat p\log\hat p]")
    derivation.note("Summed over the K cells of a table (Σ p = 1): the plug-in entropy has expectation H − (K − 1)/(2N) "
                    "− (S − 1)/(12N²) + (S − S_2)/(12N^3) + O(N^-4) nats, S = Σ 1/p, S_2 = Σ 1/p². μ̂ is the signed sum of seven plug-in "
                    "entropies, so its bias is the signed sum of theirs, divided by ln 2 for bits.")
    k_values, s_values = sp.symbols("K_1:8", positive=True), sp.symbols("S_1:8", positive=True)
    signs = [sign for sign, _ in entropy_terms()]
    derivation.equal("E μ̂ − μ to order 1/N² (bits): the seven tables' biases with the signs of the interaction form",
                     sum(s * (-(k - 1) / (2 * N) - (v - 1) / (12 * N**2)) for s, k, v in zip(signs, k_values, s_values))
                     / sp.log(2), plug_in_bias(k_values, s_values, signs, N), name=r"\mathbb{E}\hat\mu-\mu")
    first = sp.expand(plug_in_bias((2, 2, 2, 4, 4, 4, 8), (0,) * 7, signs, N) * N).subs(N, sp.oo)
    derivation.equal("Binary F, L, Y, every cell positive: the first-order bias is −1/(2N ln 2)", first,
                     -1 / (2 * sp.log(2)), name=r"\lim_N N(\mathbb{E}\hat\mu-\mu)")
    return derivation


def third_order(inverse_sum_, inverse_square_sum):
    """The O(N⁻³) term of E Ĥ − H per table, times N³ (nats): (S − S₂)/12 (``bias_derivation``)."""
    return (inverse_sum_ - inverse_square_sum) / 12
