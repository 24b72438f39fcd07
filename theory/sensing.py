"""Deep matrix sensing reduces to the toy model when everything is aligned with the target.

Model (docs/claims/sensing.md): W = W_1 W_2 ⋯ W_N with d × d layers, measurements y_k = ⟨A_k, W*⟩ and the
loss ½·mean_k (⟨A_k, W⟩ − y_k)².

* ``isometry_derivation``: with i.i.d. N(0, 1) entries, E⟨A, Δ⟩² = ‖Δ‖²_F (sympy.stats, d = 2), so the
  population loss is ½‖W − W*‖²_F, the loss the reduction starts from.
* ``reduction_derivation``: for a diagonal target and diagonal layers, every off-diagonal entry of every
  layer's gradient vanishes, so gradient flow keeps the layers (and W) diagonal; on the diagonal the
  chain rule gives σ̇_i = (σ_i* − σ_i) Σ_j ∏_{l≠j} w_{l,i}², which for balanced layers is the project ODE
  ``theory.toy.flow_rhs``: every singular value follows the toy model, uncoupled from the others.

Both are built from real SymPy matrices of symbols for concrete N and d, differentiated entry by entry.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.stats import E, Normal

from .derivation import Derivation
from .toy import flow_rhs, sigma, target

ISOMETRY_SIZE = 2  # the expectation is over d² Gaussian entries: 2 × 2 shows every kind of term
REDUCTION_SIZE = 3  # three coordinates: each off-diagonal entry couples a pair, and there are three pairs


def isometry_derivation() -> Derivation:
    """E⟨A, Δ⟩² = ‖Δ‖²_F for A with i.i.d. N(0, 1) entries, and the population loss that follows."""
    derivation = Derivation(f"Gaussian measurements are an isometry in expectation (d = {ISOMETRY_SIZE})")
    delta = _matrix("Delta", ISOMETRY_SIZE, real=True)
    squared = derivation.equal("Expectation over A with i.i.d. N(0, 1) entries, for a fixed matrix Δ (sympy.stats)",
                               _expected_square(ISOMETRY_SIZE),
                               _frobenius(delta), name=r"\mathbb{E}_A\langle A,\Delta\rangle^2")
    w, w_star = _matrix("W", ISOMETRY_SIZE, real=True), _matrix("W^*", ISOMETRY_SIZE, real=True)
    difference = {delta[a, b]: w[a, b] - w_star[a, b] for a in range(ISOMETRY_SIZE) for b in range(ISOMETRY_SIZE)}
    derivation.equal("With Δ = W − W* and labels y = <A, W*>: the population loss ½E(<A, W> − y)² is ½||W − W*||_F²",
                     squared.subs(difference) / 2, _frobenius(w - w_star) / 2,
                     name=r"\tfrac12\mathbb{E}_A(\langle A,W\rangle-y)^2")
    return derivation


@lru_cache(maxsize=1)
def _expected_square(size: int):
    """E⟨A, Δ⟩² for a size × size symbol matrix Δ, computed by sympy.stats."""
    delta = _matrix("Delta", size, real=True)
    entries = [Normal(f"a_{a + 1}{b + 1}", 0, 1) for a in range(delta.rows) for b in range(delta.cols)]
    inner = sum(entry * value for entry, value in zip(entries, delta))
    return E(sp.expand(inner**2))


def reduction_derivation(depth: int, *, size: int = REDUCTION_SIZE, ode=flow_rhs) -> Derivation:
    """Gradient flow of ½‖W_1⋯W_N − W*‖²_F from diagonal layers, W* diagonal: the layers stay diagonal
    and each diagonal entry of balanced layers follows ``ode(depth)`` (the project ODE by default; tests
    pass a corrupted one and expect a ``DerivationError``)."""
    if not (isinstance(depth, int) and depth >= 1) or not (isinstance(size, int) and size >= 2):
        raise ValueError(f"depth={depth!r}, size={size!r} are invalid: integers with depth >= 1 and size >= 2")
    derivation = Derivation(f"Aligned deep matrix sensing is the toy model, depth {depth}, d = {size}")
    layers = [_matrix(f"W_{j + 1}", size, real=True) for j in range(depth)]
    stars = sp.symbols(f"sigma_1:{size + 1}^*", positive=True)
    product = sp.Mul(*layers) if depth > 1 else layers[0]
    loss = _frobenius(product - sp.diag(*stars)) / 2
    # Diagonal layers with entries w_{j,i}; the gradient is differentiated first, then evaluated there.
    diagonal = {layer[a, b]: 0 for layer in layers for a in range(size) for b in range(size) if a != b}
    entries = [[sp.Symbol(f"w_{j + 1},{i + 1}", positive=True) for i in range(size)] for j in range(depth)]
    diagonal.update({layer[i, i]: entries[j][i] for j, layer in enumerate(layers) for i in range(size)})
    off = sum(sp.diff(loss, layer[a, b]).xreplace(diagonal) ** 2 for layer in layers
              for a in range(size) for b in range(size) if a != b)
    derivation.equal("Every off-diagonal gradient entry vanishes on diagonal layers (their squares sum to 0), so "
                     "gradient flow started diagonal stays diagonal", off, 0,
                     name=r"\sum_j\sum_{a\neq b}\big(\partial\ell/\partial(W_j)_{ab}\big)^2")
    for i in range(size):
        value = sp.Mul(*[entries[j][i] for j in range(depth)])
        chain = sum(sp.diff(value, entries[j][i]) * -sp.diff(loss, layers[j][i, i]).xreplace(diagonal)
                    for j in range(depth))
        rate = sum((value / entries[j][i]) ** 2 for j in range(depth))
        flow = derivation.equal(f"Chain rule on the diagonal, σ_{i + 1} = ∏_j w_j,{i + 1}: only σ_{i + 1} and "
                                f"σ*_{i + 1} appear", chain, (stars[i] - value) * rate, name=rf"\dot\sigma_{i + 1}")
        balanced = {entries[j][i]: sigma ** sp.Rational(1, depth) for j in range(depth)}
        derivation.equal(f"Balanced layers w_j,{i + 1} = σ^(1/N): the project ODE", flow.subs(balanced).subs(stars[i], target),
                         ode(depth), name=rf"\dot\sigma_{i + 1}")
    return derivation


def _matrix(name: str, size: int, **assumptions) -> sp.Matrix:
    return sp.Matrix(size, size, lambda a, b: sp.Symbol(f"{name}_{a + 1}{b + 1}", **assumptions))


def _frobenius(matrix: sp.Matrix):
    return sum(entry**2 for entry in matrix)
