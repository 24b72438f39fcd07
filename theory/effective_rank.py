"""Rank measures of a matrix, and the Fuss–Catalan law of a product of Gaussian matrices (Huh et al.).

Rank measures of A with singular values s_1 ≥ … ≥ s_q ≥ 0 and p_i = s_i/Σ_j s_j
(``docs/claims/low-rank-simplicity.md`` §1):

* spectral entropy ρ(A) = −Σ p_i log p_i (nats): what Huh et al. call the "effective rank";
* its exponential erank(A) = e^ρ (Roy and Vetterli's effective rank);
* stable rank ‖A‖_F²/‖A‖_2² = Σ s_i²/s_1²; threshold rank #{i : s_i ≥ τ s_1}.

``entropy_derivation`` shows ρ = log k for k equal singular values, scale invariance, and that the uniform
spectrum is the only stationary point of ρ on the simplex (Lagrange) and its maximum (log q − ρ is a relative
entropy, ≥ 0 by Gibbs' inequality): 0 ≤ ρ ≤ log rank, 1 ≤ e^ρ ≤ rank; and 1 ≤ stable rank ≤ rank.

Products W_L = G_L ⋯ G_1 of n × n matrices with i.i.d. N(0, 1/n) entries (§2): as n → ∞ the eigenvalues x
of W_L W_Lᵀ follow the Fuss–Catalan law of order L. Its S-transform is the product of L Marchenko–Pastur
ones, 1/(1 + w)^L, so the moment series ψ(z) = Σ_{k≥1} m_k z^k is the compositional inverse of
w/(1 + w)^{L+1}; Lagrange inversion gives m_k = binom((L+1)k, k)/(Lk + 1) (``moment_derivation``). The
statement (a registry, so tests and corruptions can substitute wrong forms):

* ``moment``: m_k = binom((L+1)k, k)/(Lk + 1); ``mellin``: E[x^s] = Γ((L+1)s+1)/(Γ(s+1)Γ(Ls+2));
* ``edge``: the right end of the support, (L+1)^{L+1}/L^L (``edge_derivation``: the singularity of the
  moment series, where dz/dB = 0 on z = (B − 1)/B^{L+1}, and the ratio limit m_{k+1}/m_k);
* ``stable_rank_limit``: stable rank/n → m_1/edge = L^L/(L+1)^{L+1}, strictly decreasing in L;
* ``entropy_limit``: ρ(W_L) − log n → h_L = log M(½) − ½ (log M)'(½), M the Mellin transform
  (``entropy_limit_derivation``), with (log M)' a combination of digamma values.

``density_form`` is the Fuss–Catalan density in the parametrisation of Haagerup and Möller,
x(φ) = sin^{L+1}((L+1)φ)/(sin φ sin^L(Lφ)), p(x(φ)) = sin²φ sin^{L−1}(Lφ)/(π sin^L((L+1)φ)),
0 < φ < π/(L+1), used by ``numerics.effective_rank`` for quadrature (checked against the moments there, and
here against Marchenko–Pastur for L = 1). ``edge_density_derivation`` expands it at the edge:
p(x) ≈ (1/π) c_L^{3/2} √(E_L − x), the coefficient that sets the n^{−2/3} scale of the largest eigenvalue.
``second_moment_derivation`` gives the exact finite-n second moment E (1/n) tr (W_L W_Lᵀ)² by Wick's theorem.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .statement import Statement

L = sp.Symbol("L", positive=True, integer=True)  # depth: number of Gaussian factors
k = sp.Symbol("k", positive=True, integer=True)  # moment order
s = sp.Symbol("s", positive=True)  # real moment order (Mellin variable)
n = sp.Symbol("n", positive=True, integer=True)  # matrix size
z = sp.Symbol("z", positive=True)  # generating-function variable
B = sp.Symbol("B", positive=True)  # 1 + ψ(z), the moment series with m_0
w = sp.Symbol("w", positive=True)  # ψ, the inverse variable of the S-transform
phi = sp.Symbol("phi", positive=True)  # parameter of the density, 0 < φ < π/(L+1)
c = sp.Symbol("c", positive=True)  # a scale
lam = sp.Symbol("lambda", real=True)  # Lagrange multiplier
ENTROPY_SIZE = 3  # singular values in the symbolic entropy identities (any q behaves alike)
WICK_SIZES = (2, 3)  # matrix sizes at which the Wick expectations are computed by expansion


def _moment(depth, order):
    depth, order = sp.sympify(depth), sp.sympify(order)
    return sp.binomial((depth + 1) * order, order) / (depth * order + 1)


def _mellin(depth, order):
    depth, order = sp.sympify(depth), sp.sympify(order)
    return sp.gamma((depth + 1) * order + 1) / (sp.gamma(order + 1) * sp.gamma(depth * order + 2))


def _edge(depth):
    depth = sp.sympify(depth)
    return (depth + 1) ** (depth + 1) / depth**depth


def _stable_rank_limit(depth):
    depth = sp.sympify(depth)
    return depth**depth / (depth + 1) ** (depth + 1)


def _entropy_limit(depth):
    depth = sp.sympify(depth)
    half = sp.Rational(1, 2)
    log_derivative = ((depth + 1) * sp.polygamma(0, (depth + 1) * half + 1) - sp.polygamma(0, half + 1)
                      - depth * sp.polygamma(0, depth * half + 2))
    return sp.log(_mellin(depth, half)) - half * log_derivative


STATEMENT = Statement(moment=_moment, mellin=_mellin, edge=_edge, stable_rank_limit=_stable_rank_limit,
                      entropy_limit=_entropy_limit)


def moment(depth, order):
    """The stated Fuss–Catalan moment m_k of order L (an exact Integer for integer arguments)."""
    return STATEMENT["moment"](depth, order)


def mellin(depth, order):
    return STATEMENT["mellin"](depth, order)


def edge(depth):
    return STATEMENT["edge"](depth)


def stable_rank_limit(depth):
    return STATEMENT["stable_rank_limit"](depth)


def entropy_limit(depth):
    return STATEMENT["entropy_limit"](depth)


def substituted(**forms):
    """Substitute stated forms (tests, corruptions); every check reading them sees the substitute."""
    return STATEMENT.substituted(**forms)


def statement_key() -> str:
    """Changes whenever a stated form changes (for caches)."""
    return "|".join(sp.srepr(form) for form in (moment(L, k), mellin(L, s), edge(L), stable_rank_limit(L),
                                                 entropy_limit(L)))


def density_form(depth):
    """(x(φ), p(x(φ)), d log x/dφ) of the Fuss–Catalan law of order ``depth`` (Haagerup–Möller)."""
    depth = sp.sympify(depth)
    x = sp.sin((depth + 1) * phi) ** (depth + 1) / (sp.sin(phi) * sp.sin(depth * phi) ** depth)
    p = sp.sin(phi) ** 2 * sp.sin(depth * phi) ** (depth - 1) / (sp.pi * sp.sin((depth + 1) * phi) ** depth)
    slope = (depth + 1) ** 2 * sp.cot((depth + 1) * phi) - sp.cot(phi) - depth**2 * sp.cot(depth * phi)
    return x, p, slope


def edge_scale(depth):
    """c_L with p(x) ≈ (1/π) c_L^{3/2} √(E_L − x) at the edge E_L (``edge_density_derivation``)."""
    depth = sp.sympify(depth)
    amplitude = depth ** (depth - 1) / (depth + 1) ** depth * sp.sqrt(2 / (edge(depth) * depth * (depth + 1)))
    return amplitude ** sp.Rational(2, 3)


# ---------------------------------------------------------------------------------------------------
# Rank measures


def _entropy(values):
    total = sum(values)
    return -sum(v / total * sp.log(v / total) for v in values)


def entropy_derivation() -> Derivation:
    derivation = Derivation("Spectral entropy, its exponential and the stable rank: values and bounds")
    i = sp.Symbol("i", positive=True, integer=True)
    flat = sp.Sum(-1 / k * sp.log(1 / k), (i, 1, k)).doit()
    derivation.equal("k equal nonzero singular values (the rest 0, which contribute 0·log 0 = 0): p_i = 1/k",
                     flat, sp.log(k), name=r"\rho(s,\dots,s,0,\dots)")
    derivation.equal("Hence e^ρ = k for k equal nonzero singular values", sp.exp(sp.log(k)), k, name=r"e^{\rho}")
    values = sp.symbols(f"s_1:{ENTROPY_SIZE + 1}", positive=True)
    derivation.equal("Scale invariance: ρ(c s) = ρ(s) for c > 0", _entropy([c * v for v in values]),
                     _entropy(values), name=r"\rho(c\,s)")
    weights = sp.symbols(f"p_1:{ENTROPY_SIZE}", positive=True)
    last = 1 - sum(weights)  # the simplex: p_q = 1 − Σ_{i<q} p_i
    p = [*weights, last]
    point = {weights[0]: sp.Rational(1, 5), weights[1]: sp.Rational(3, 10)}
    derivation.equal("On the simplex, log q − ρ(p) = Σ p_i log(q p_i), the relative entropy to the uniform "
                     "distribution: ≥ 0 (Gibbs), = 0 only at p uniform. So ρ ≤ log q, and ρ ≤ log rank "
                     "(zero singular values drop out)", sp.log(ENTROPY_SIZE) + sum(v * sp.log(v) for v in p),
                     sum(v * sp.log(ENTROPY_SIZE * v) for v in p), points=[point],
                     name=r"\log q-\rho(p)")
    lagrangian_gradient = sp.diff(-sum(v * sp.log(v) for v in weights + (sp.Symbol("p_q", positive=True),))
                                  - lam * (sum(weights) + sp.Symbol("p_q", positive=True) - 1), weights[0])
    derivation.equal("Lagrange: ∂/∂p_i(ρ − λ(Σp − 1)) = −log p_i − 1 − λ vanishes only at p_i = e^{−1−λ}, the "
                     "same for every i: the uniform distribution, the only stationary point (ρ is concave: "
                     "Hessian −diag(1/p_i))", lagrangian_gradient.subs(weights[0], sp.exp(-1 - lam)), 0,
                     name=r"\partial_{p_1}\mathcal{L}")
    derivation.equal("ρ ≥ 0: every term −p_i log p_i ≥ 0 for 0 < p_i ≤ 1 (written as p_i log(1/p_i))",
                     -weights[0] * sp.log(weights[0]), weights[0] * sp.log(1 / weights[0]),
                     points=[point], name=r"-p_1\log p_1")
    derivation.equal("Stable rank: rank − ‖A‖_F²/‖A‖_2² = Σ_i (1 − s_i²/s_1²) ≥ 0 over the nonzero s_i ≤ s_1; "
                     "the i = 1 term makes it ≥ 1", ENTROPY_SIZE - sum(v**2 for v in values) / values[0] ** 2,
                     sum(1 - v**2 / values[0] ** 2 for v in values), name=r"q-\|A\|_F^2/\|A\|_2^2")
    derivation.equal("k equal nonzero singular values: stable rank k", k * c**2 / c**2, k,
                     name=r"\|A\|_F^2/\|A\|_2^2")
    return derivation


# ---------------------------------------------------------------------------------------------------
# The Fuss–Catalan law


def moment_derivation(depths=(1, 2, 3, 4), orders: int = 6) -> Derivation:
    """m_k from Lagrange inversion (symbolic L and k), cross-checked by power series for concrete depths."""
    derivation = Derivation("Fuss–Catalan moments of a product of Gaussian matrices")
    psi = derivation.equal("S-transform of W_L W_Lᵀ: the product of L Marchenko–Pastur transforms 1/(1 + w), so "
                           "the moment series psi(z) = Σ_k m_k z^k inverts chi(w) = w/(1 + w) · S(w)",
                           w / (1 + w) / (1 + w) ** L, w / (1 + w) ** (L + 1), name=r"\chi(w)")
    derivation.equal("Lagrange inversion of z = w/(1 + w)^{L+1}: [z^k]psi = (1/k)[w^{k−1}](1 + w)^{(L+1)k}",
                     sp.binomial((L + 1) * k, k - 1) / k, moment(L, k), name=r"m_k", seconds=30)
    derivation.equal("L = 1: the Catalan numbers (Marchenko–Pastur moments)",
                     sp.gammasimp(moment(1, k).rewrite(sp.gamma)), sp.gammasimp(sp.catalan(k).rewrite(sp.gamma)),
                     name=r"m_k\big|_{L=1}")
    derivation.equal("The Mellin transform E[x^s] continues m_k to real s", mellin(L, k), moment(L, k),
                     name=r"M(k)", seconds=30)
    for depth in depths:
        series = sum(moment(depth, order) * z**order for order in range(orders + 1))
        residual = sp.expand(series - 1 - z * series ** (depth + 1))
        low = sum(residual.coeff(z, order) * z**order for order in range(orders + 1))
        derivation.equal(f"L = {depth}: B(z) = Σ_k m_k z^k satisfies B = 1 + z B^{{{depth + 1}}} (the same "
                         f"inversion, z = (B − 1)/B^{{L+1}}) through z^{orders}", low, 0,
                         name=rf"[z^{{\le {orders}}}](B-1-zB^{{{depth + 1}}})")
    for depth, order, value in ((2, 3, 12), (1, 3, 5), (3, 2, 4)):
        derivation.equal(f"Spot value: m_{order} at L = {depth}", moment(depth, order), value,
                         name=rf"m_{order}\big|_{{L={depth}}}")
    derivation.equal("Mean squared singular value (1/n)E tr W Wᵀ → m_1 = 1 for every L", moment(L, 1), 1,
                     name=r"m_1")
    return derivation


def edge_derivation(depths=(1, 2, 3, 4)) -> Derivation:
    derivation = Derivation("Edge of the Fuss–Catalan support and the limiting stable rank")
    inverse = (B - 1) / B ** (L + 1)
    critical = sp.solve(sp.diff(inverse, B), B)
    if len(critical) != 1:
        derivation.note(f"dz/dB = 0 has {len(critical)} positive roots: {critical}")
    root = derivation.equal("The moment series B(z) (B = 1 + zB^{L+1}) is singular where dz/dB = 0 on "
                            "z = (B − 1)/B^{L+1}", critical[0] if critical else sp.nan, (L + 1) / L,
                            name=r"B_\star")
    derivation.equal("… and dz/dB vanishes there", sp.diff(inverse, B).subs(B, root), 0,
                     name=r"z'(B_\star)")
    radius = derivation.equal("Radius of convergence z* = z(B*) (Pringsheim: positive coefficients put the "
                              "singularity on the positive axis)", inverse.subs(B, root),
                              L**L / (L + 1) ** (L + 1), name=r"z_\star")
    derivation.equal("The support ends at 1/z* (the moments grow like E^k)", 1 / radius, edge(L), name=r"E_L")
    for depth in depths:
        ratio = sp.gammasimp((moment(depth, k + 1) / moment(depth, k)).rewrite(sp.gamma))
        derivation.equal(f"L = {depth}: independently, m_(k+1)/m_k → E_L (Cauchy–Hadamard)",
                         sp.limit(ratio, k, sp.oo), edge(depth), name=rf"\lim m_{{k+1}}/m_k\big|_{{L={depth}}}")
    limit = derivation.equal("stable rank/n = ((1/n)‖W‖_F²)/‖W‖_2² → m_1/E_L", moment(L, 1) / edge(L),
                             stable_rank_limit(L), name=r"\lim\,\mathrm{srank}(W_L)/n")
    derivation.equal("log of the limit, differentiated in L: log L − log(L + 1) = −log(1 + 1/L)",
                     sp.diff(sp.expand_log(sp.log(limit), force=True), L), -sp.log(1 + 1 / L),
                     points=[{L: 2}, {L: 7}], name=r"\partial_L\log r_L")
    derivation.equal("… which is negative for every L > 0: the limit strictly decreases with depth",
                     sp.sign(-sp.log(1 + 1 / L)), -1, name=r"\operatorname{sign}\partial_L\log r_L")
    for depth, value in ((1, sp.Rational(1, 4)), (2, sp.Rational(4, 27)), (3, sp.Rational(27, 256))):
        derivation.equal(f"L = {depth}", stable_rank_limit(depth), value,
                         name=rf"\lim\,\mathrm{{srank}}/n\big|_{{L={depth}}}")
    return derivation


def entropy_limit_derivation() -> Derivation:
    derivation = Derivation("Limiting spectral entropy of a product of Gaussian matrices")
    values = sp.symbols(f"s_1:{ENTROPY_SIZE + 1}", positive=True)
    total = sum(values)
    derivation.equal("ρ = log Σ s_i − (Σ s_i log s_i)/Σ s_i", _entropy(values),
                     sp.log(total) - sum(v * sp.log(v) for v in values) / total,
                     points=[dict(zip(values, (1, 2, 5)))], name=r"\rho")
    derivation.note("With s_i = √x_i and the empirical law of the x_i → Fuss–Catalan: (1/n)Σ s_i → M(½) and "
                    "(1/n)Σ s_i log s_i → ½ M'(½), so ρ − log n → log M(½) − ½ M'(½)/M(½).")
    log_derivative = sp.diff(sp.log(mellin(L, s)), s)
    derivation.equal("d/ds log M(s) in digamma values", log_derivative,
                     (L + 1) * sp.polygamma(0, (L + 1) * s + 1) - sp.polygamma(0, s + 1)
                     - L * sp.polygamma(0, L * s + 2), name=r"(\log M)'(s)")
    derivation.equal("h_L = log M(½) − ½ (log M)'(½)",
                     sp.log(mellin(L, sp.Rational(1, 2))) - log_derivative.subs(s, sp.Rational(1, 2)) / 2,
                     entropy_limit(L), points=[{L: 1}, {L: 3}], name=r"h_L")
    derivation.equal("L = 1 (Marchenko–Pastur): M(½) = 8/(3π), the quarter-circle mean", mellin(1, sp.Rational(1, 2)),
                     8 / (3 * sp.pi), name=r"M(\tfrac12)\big|_{L=1}")
    return derivation


def edge_density_derivation() -> Derivation:
    """The density's square-root vanishing at the edge, for symbolic L, and the L = 1 check of the form."""
    derivation = Derivation("The Fuss–Catalan density near its edge")
    x, p, slope = density_form(L)
    derivation.equal("d log x/dφ of the parametrisation", sp.diff(sp.log(x), phi), slope,
                     points=[{L: 3, phi: sp.Rational(1, 3)}], name=r"\frac{d\log x}{d\varphi}")
    series = sp.series((L + 1) * sp.log(sp.sin((L + 1) * phi)) - sp.log(sp.sin(phi))
                       - L * sp.log(sp.sin(L * phi)), phi, 0, 4).removeO()
    derivation.equal("log x(φ) = log E_L − L(L + 1)φ²/2 + O(φ^4): x ≈ E_L(1 − L(L + 1)φ²/2)", series,
                     sp.log(edge(L)) - L * (L + 1) * phi**2 / 2, points=[{L: 2, phi: sp.Rational(1, 7)}],
                     name=r"\log x(\varphi)")
    lead = sp.series(2 * sp.log(sp.sin(phi)) + (L - 1) * sp.log(sp.sin(L * phi))
                     - L * sp.log(sp.sin((L + 1) * phi)), phi, 0, 2).removeO()
    derivation.equal("log(π p) = log φ + (L − 1)log L − L log(L + 1) + O(φ²): p ≈ L^{L−1}φ/(π(L + 1)^L)", lead,
                     sp.log(phi) + (L - 1) * sp.log(L) - L * sp.log(L + 1),
                     points=[{L: 3, phi: sp.Rational(1, 5)}], name=r"\log(\pi p)")
    gap = sp.Symbol("delta", positive=True)  # E_L − x
    angle = sp.sqrt(2 * gap / (edge(L) * L * (L + 1)))
    derivation.equal("So with E_L − x = δ: p ≈ (1/π) c_L^{3/2} √δ", L ** (L - 1) * angle / (sp.pi * (L + 1) ** L),
                     edge_scale(L) ** sp.Rational(3, 2) * sp.sqrt(gap) / sp.pi,
                     points=[{L: 2, gap: sp.Rational(1, 3)}], name=r"p(E_L-\delta)")
    x1, p1, _ = density_form(1)
    derivation.equal("L = 1: x = 4cos²φ", sp.expand_trig(x1), 4 * sp.cos(phi) ** 2, name=r"x(\varphi)\big|_{L=1}")
    derivation.equal("L = 1: the parametrised density is Marchenko–Pastur's √(4 − x)/(2π√x)", p1,
                     sp.sqrt(4 - 4 * sp.cos(phi) ** 2) / (2 * sp.pi * 2 * sp.cos(phi)),
                     points=[{phi: sp.Rational(1, 3)}, {phi: sp.Rational(7, 5)}], name=r"p\big|_{L=1}")
    derivation.equal("L = 1: c_1^3 = 1/16, i.e. c_1 = 2^{−4/3}: the real Wishart scale λ_max ≈ 4 + 2^{4/3}n^{−2/3}·TW",
                     sp.expand(edge_scale(1) ** 3), sp.Rational(1, 16), name=r"c_1^3")
    return derivation


# ---------------------------------------------------------------------------------------------------
# Exact finite-n second moment


def gaussian_expectation(polynomial, entries, variance):
    """E of a polynomial in independent N(0, variance) ``entries`` (Wick: E g^{2j} = (2j − 1)!! v^j)."""
    poly = sp.Poly(sp.expand(polynomial), *entries)
    total = sp.Integer(0)
    for powers, coefficient in poly.terms():
        factor = sp.Integer(1)
        for power in powers:
            if power % 2:
                factor = 0
                break
            factor *= sp.factorial2(power - 1) * variance ** (power // 2)
        total += coefficient * factor
    return sp.expand(total)


def second_moment_map(size=n):
    """(A, B) -> (A', B') with A = E(tr M)²/n², B = E tr M²/n for M = W Wᵀ, one more Gaussian factor."""
    size = sp.sympify(size)
    return sp.Matrix([[1, 2 / size**2], [1, 1 + 1 / size]])


def second_moment(depth: int, size=n):
    """E (1/n) tr (W_L W_Lᵀ)² exactly, for n × n factors with N(0, 1/n) entries (a rational in n)."""
    state = sp.Matrix([1, 1])
    for _ in range(depth):
        state = second_moment_map(size) * state
    return sp.factor(state[1])


def second_moment_derivation(depths=(1, 2, 3, 4)) -> Derivation:
    derivation = Derivation("Exact second moment of a product of Gaussian matrices at finite n")
    variance = sp.Symbol("v", positive=True)
    for size in WICK_SIZES:
        g = sp.Matrix(size, size, lambda a, b: sp.Symbol(f"g_{a}{b}", real=True))
        m = sp.Matrix(size, size, lambda a, b: sp.Symbol(f"M_{min(a, b)}{max(a, b)}", real=True))
        entries = list(g)
        product = g * m * g.T
        trace, trace2 = m.trace(), (m * m).trace()
        derivation.equal(f"n = {size}, M symmetric: E tr(G M Gᵀ G M Gᵀ) = v²[n(tr M)² + n(n + 1) tr M²] (Wick)",
                         gaussian_expectation((product * product).trace(), entries, variance),
                         sp.expand(variance**2 * (size * trace**2 + size * (size + 1) * trace2)),
                         name=r"\mathbb{E}\operatorname{tr}(GMG^\top)^2")
        derivation.equal(f"n = {size}: E (tr G M Gᵀ)² = v²[n²(tr M)² + 2n tr M²] (Wick)",
                         gaussian_expectation(product.trace() ** 2, entries, variance),
                         sp.expand(variance**2 * (size**2 * trace**2 + 2 * size * trace2)),
                         name=r"\mathbb{E}(\operatorname{tr}GMG^\top)^2")
    derivation.note("With v = 1/n, A = E(tr M)²/n² and B = E tr M²/n obey A' = A + 2B/n², B' = A + (1 + 1/n)B "
                    "from A = B = 1 at M = I.")
    for depth in depths:
        derivation.equal(f"L = {depth}: as n → ∞ the exact second moment tends to m_2 = L + 1",
                         sp.limit(second_moment(depth), n, sp.oo), moment(depth, 2),
                         name=rf"\lim_n\mathbb{{E}}\tfrac1n\operatorname{{tr}}(W_{depth}W_{depth}^\top)^2")
    derivation.equal("L = 1: 2 + 1/n (real Wishart)", second_moment(1), 2 + 1 / n,
                     name=r"\mathbb{E}\tfrac1n\operatorname{tr}(W_1W_1^\top)^2")
    return derivation
