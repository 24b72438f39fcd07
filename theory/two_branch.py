"""The two-branch toy model of the authors' code, σ = w_+^N − w_-^N (both signs representable).

With the authors' loss, Keras 'mse' = mean of squared errors (no ½), on inputs with XᵀX/n = I the loss is
‖σ − σ*‖², and gradient flow on the weight-shared branches gives, per coordinate,
dσ/dt = 2N² (w_+^{2N−2} + w_-^{2N−2}) (σ* − σ) (docs/claims/omp.md) [derived].
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .toy import N

plus, minus, goal = sp.symbols("w_+ w_- sigma^*", positive=True)


def flow() -> Derivation:
    derivation = Derivation("Two-branch toy model: gradient flow of σ = w_+^N − w_-^N")
    value = plus**N - minus**N
    loss = (value - goal) ** 2  # 'mse' on isotropic inputs
    rate = sp.diff(value, plus) * (-sp.diff(loss, plus)) + sp.diff(value, minus) * (-sp.diff(loss, minus))
    derivation.equal("Chain rule through both branches, ẇ_± = −∂L/∂w_±, L = (σ − σ*)²", rate,
                     2 * N**2 * (plus ** (2 * N - 2) + minus ** (2 * N - 2)) * (goal - value), name=r"\dot\sigma")
    return derivation
