"""Deep linear networks W_L⋯W_1 on any loss of their product: gradient flow conserves the balancedness
W_{k+1}ᵀW_{k+1} − W_kW_kᵀ, and gradient descent changes it only by the squares of its steps
(docs/claims/vardi-classics.md §4).

For a loss L(P) of P = W_L⋯W_1 with G = ∂L/∂P, write A = W_L⋯W_{k+2} and B = W_{k−1}⋯W_1 and M = AᵀGBᵀ. Then
∂L/∂W_{k+1} = M W_kᵀ and ∂L/∂W_k = W_{k+1}ᵀM (matrix calculus), and [derived]:

* under gradient flow d/dt(W_{k+1}ᵀW_{k+1}) = −W_kMᵀW_{k+1} − W_{k+1}ᵀMW_kᵀ = d/dt(W_kW_kᵀ);
* one GD step W ← W − η∇ changes W_{k+1}ᵀW_{k+1} − W_kW_kᵀ by exactly ΔW_{k+1}ᵀΔW_{k+1} − ΔW_kΔW_kᵀ.

Everything is proven for symbolic dimensions with SymPy's matrix algebra. The stated invariant lives in a registry
(``substituted``) so that tests can corrupt it.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .least_squares import matrix_zero
from .statement import Statement

m, n, p, q = sp.symbols("m n p q", integer=True, positive=True)
ABOVE = sp.MatrixSymbol("A", 1, m)  # W_L ⋯ W_{k+2}
NEXT = sp.MatrixSymbol("W_{k+1}", m, n)
LAYER = sp.MatrixSymbol("W_k", n, p)
BELOW = sp.MatrixSymbol("B", p, q)  # W_{k−1} ⋯ W_1
PULL = sp.MatrixSymbol("G", 1, q)  # ∂L/∂P
eta = sp.Symbol("eta", positive=True)


def _invariant(following, layer):
    return following.T * following - layer * layer.T


STATEMENT = Statement(invariant=_invariant)
substituted = STATEMENT.substituted


def invariant(following=NEXT, layer=LAYER):
    """The stated conserved quantity of adjacent layers: W_{k+1}ᵀW_{k+1} − W_kW_kᵀ."""
    return STATEMENT["invariant"](following, layer)


def statement_key() -> str:
    return sp.srepr(invariant())


def balancedness() -> Derivation:
    derivation = Derivation("Deep linear networks: the balancedness of adjacent layers")
    objective = sp.trace(PULL.T * ABOVE * NEXT * LAYER * BELOW)  # L to first order around the point: ⟨G, P⟩
    middle = ABOVE.T * PULL * BELOW.T
    upper = derivation.equal("∂L/∂W_{k+1} = M W_kᵀ with M = AᵀGBᵀ (A, B the products above and below)",
                             objective.diff(NEXT), middle * LAYER.T, name=r"\partial L/\partial W_{k+1}", check=matrix_zero)
    lower = derivation.equal("∂L/∂W_k = W_{k+1}ᵀM", objective.diff(LAYER), NEXT.T * middle, name=r"\partial L/\partial W_k",
                             check=matrix_zero)
    flow_next, flow_layer = -upper, -lower
    before = invariant()
    rate = (invariant(NEXT + eta * flow_next, LAYER + eta * flow_layer) - before)
    derivation.equal("Gradient flow conserves the stated invariant: its change along the flow "
                     "dW_{k+1}/dt = −∂L/∂W_{k+1}, dW_k/dt = −∂L/∂W_k is O(η²) (the first-order term vanishes)",
                     _first_order(rate), sp.ZeroMatrix(n, n), name=r"\tfrac{d}{dt}\,D_k", check=matrix_zero)
    step_next, step_layer = -eta * upper, -eta * lower
    derivation.equal("One GD step changes it by exactly ΔW_{k+1}ᵀΔW_{k+1} − ΔW_kΔW_kᵀ (ΔW = −η∇)",
                     invariant(NEXT + step_next, LAYER + step_layer) - before,
                     step_next.T * step_next - step_layer * step_layer.T, name=r"D_k' - D_k", check=matrix_zero)
    return derivation


def _first_order(change):
    """The coefficient of η in a matrix polynomial in η."""
    return sp.diff(change, eta).subs(eta, 0)
