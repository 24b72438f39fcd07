"""Matrix sensing with commuting measurements: gradient flow from αI keeps everything diagonal in the common
eigenbasis, and its limit is the minimiser of an entropy-regularised trace, which tends to the minimum nuclear
norm as α → 0 (Gunasekar et al. 2017; docs/claims/vardi-stability-and-rank.md §3).

Model: W = W_1W_2 (d × d layers), measurements A_i = Q diag(D_i) Qᵀ, y_i = ⟨A_i, X*⟩, the loss
ℓ = ½·(1/m)Σ_i (⟨A_i, W⟩ − y_i)² (``verify.training.sensing``), start W_1 = W_2 = √α·I.

``reduction_derivation``: with W_1 = W_2 = Q diag(w) Qᵀ the gradient with respect to either layer is
Q diag(w·g) (entrywise) Qᵀ, g = Dᵀr/m (r the residuals), so the layers stay equal and diagonal in the eigenbasis, and
x = w² (W = Q diag(x) Qᵀ, PSD, trace = nuclear norm = Σ x) follows d log x_j/dt = −2g_j: log(x/α) stays in the range of
Dᵀ. A point x = α e^{Dᵀμ} with Dx = y is exactly a stationary point of Σ x_j log(x_j/α) − x_j on {Dx = y}; dividing
by log(1/α) that objective is the trace plus (1/log(1/α))·(Σ x log x − x), which tends to the trace. One GD step
multiplies x_j by (1 − ηg_j)², i.e. adds 2 log(1 − ηg_j) = −2ηg_j + δ_j to log x_j. For the programme
min 1ᵀx s.t. Dx = y, x ≥ 0 with duals z: 1ᵀx − yᵀz = (1 − Dᵀz)ᵀx + zᵀ(Dx − y) for every x.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation

eta = sp.Symbol("eta", positive=True)
alpha = sp.Symbol("alpha", positive=True)


def reduction_derivation() -> Derivation:
    derivation = Derivation("Commuting matrix sensing: reduction to the eigenvalues and the flow's implicit bias")
    s = sp.Symbol("s", real=True)  # a rotation by its rational parametrisation (cos = (1 − s²)/(1 + s²))
    q = sp.Matrix([[1 - s**2, -2 * s], [2 * s, 1 - s**2]]) / (1 + s**2)
    a, v = _matrix("A", 2), _matrix("V", 2)
    derivation.equal("Rotation invariance: ⟨QAQᵀ, QVQᵀ⟩ = ⟨A, V⟩ (Q a rotation), so the loss, its gradient and the "
                     "flow may be written in the common eigenbasis of commuting measurements, where A_i = diag(D_i)",
                     sp.cancel(_inner(q * a * q.T, q * v * q.T)), _inner(a, v),
                     name=r"\langle QAQ^\top,QVQ^\top\rangle")
    w = sp.symbols("w_1 w_2", positive=True)
    table = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"D_{i + 1}{j + 1}", real=True))  # two measurements, n = 2
    y = sp.symbols("y_1 y_2", real=True)
    layer = _matrix("V", 2)  # W_1, differentiated at W_1 = W_2 = diag(w)
    fixed = sp.diag(*w)
    loss = sum((_inner(sp.diag(*table[i, :]), layer * fixed) - y[i]) ** 2 for i in range(2)) / 4
    at = {layer[i, j]: fixed[i, j] for i in range(2) for j in range(2)}
    x = [wi**2 for wi in w]
    residuals = [sum(table[i, j] * x[j] for j in range(2)) - y[i] for i in range(2)]
    g = [sum(table[i, j] * residuals[i] for i in range(2)) / 2 for j in range(2)]
    stated = sp.diag(*[w[j] * g[j] for j in range(2)])
    for i in range(2):
        for j in range(2):
            derivation.equal(f"∂ℓ/∂(W_1)_{i + 1}{j + 1} at W_1 = W_2 = diag(w), m = 2 measurements diag(D_i): "
                             "diag(w·g) (entrywise) with g = Dᵀr/m, the same for W_2 by symmetry: the layers stay "
                             "equal and diagonal",
                             sp.diff(loss, layer[i, j]).xreplace(at), stated[i, j],
                             name=rf"\partial\ell/\partial(W_1)_{{{i + 1}{j + 1}}}")
    wj, gj = sp.Symbol("w", positive=True), sp.Symbol("g", real=True)
    derivation.equal("x = w² with dw/dt = −wg: d log x/dt = 2(dw/dt)/w = −2g, so log(x/α) stays in the range of Dᵀ "
                     "(x = α e^{Dᵀμ})", 2 * (-wj * gj) / wj, -2 * gj, name=r"\tfrac{d}{dt}\log x_j")
    xj = sp.Symbol("x", positive=True)
    derivation.equal("∂/∂x of x log(x/α) − x is log(x/α): x = α e^{Dᵀμ} on {Dx = y} is the stationary point of "
                     "Σ x_j log(x_j/α) − x_j there (Lagrange multipliers μ)", sp.diff(xj * sp.log(xj / alpha) - xj, xj),
                     sp.log(xj / alpha), name=r"\partial_x\,(x\log(x/\alpha)-x)",
                     points=[{xj: 3, alpha: sp.Rational(1, 7)}])
    derivation.equal("Divided by log(1/α): the trace plus (1/log(1/α))·(x log x − x), a vanishing entropic term",
                     (xj * sp.log(xj / alpha) - xj) / sp.log(1 / alpha),
                     xj + (xj * sp.log(xj) - xj) / sp.log(1 / alpha), name=r"\frac{x\log(x/\alpha)-x}{\log(1/\alpha)}",
                     points=[{xj: 3, alpha: sp.Rational(1, 7)}, {xj: sp.Rational(1, 5), alpha: sp.Rational(1, 1000)}])
    derivation.equal("One GD step multiplies x by (1 − ηg)²: log x gains −2ηg plus δ = 2[log(1 − ηg) + ηg] (O(η²g²))",
                     sp.log((wj * (1 - eta * gj)) ** 2) - sp.log(wj**2),
                     -2 * eta * gj + 2 * (sp.log(1 - eta * gj) + eta * gj), name=r"\Delta\log x",
                     points=[{wj: 2, eta: sp.Rational(1, 10), gj: sp.Rational(3, 4)},
                             {wj: sp.Rational(1, 3), eta: sp.Rational(1, 100), gj: -5}])
    _duality(derivation)
    derivation.equal("For X = Q diag(x) Qᵀ the trace is Σ x_j (the nuclear norm when x ≥ 0)",
                     sp.cancel((q * sp.diag(*x) * q.T).trace()), sum(x), name=r"\operatorname{tr}X")
    return derivation


def _matrix(name: str, size: int) -> sp.Matrix:
    return sp.Matrix(size, size, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


def _inner(first: sp.Matrix, second: sp.Matrix):
    """⟨A, B⟩ = tr(AᵀB), the Frobenius inner product."""
    return sum(first.multiply_elementwise(second))


def _duality(derivation: Derivation) -> None:
    """1ᵀx − yᵀz = (1 − Dᵀz)ᵀx + zᵀ(Dx − y): the gap to the programme's optimum yᵀz, term by term."""
    table = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"D_{i + 1}{j + 1}", real=True))
    x = sp.Matrix(sp.symbols("x_1:4", real=True))
    z, y = sp.Matrix(sp.symbols("z_1:3", real=True)), sp.Matrix(sp.symbols("y_1:3", real=True))
    ones = sp.ones(3, 1)
    derivation.equal("Duality: 1ᵀx − yᵀz = (1 − Dᵀz)ᵀx + zᵀ(Dx − y), so a feasible x ≥ 0 has trace ≥ yᵀz when "
                     "Dᵀz ≤ 1, with equality iff x vanishes where the reduced cost 1 − Dᵀz is positive",
                     (ones.T * x - y.T * z)[0], ((ones - table.T * z).T * x + z.T * (table * x - y))[0],
                     name=r"1^\top x-y^\top z")
