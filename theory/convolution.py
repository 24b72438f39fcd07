"""Circular-convolutional linear networks are diagonal networks in the Fourier basis (docs/claims/convolution.md,
Appendix G of the paper, Figure 1d).

Model [seen: code]: f(x) = <v, C_{N−1} ⋯ C_1 x>, where each layer is a circular cross-correlation with a
full-length filter w_j, (C_w h)_i = Σ_l w_l h_{(i+l) mod d} (Keras' "valid" conv1d over [x, x_{0:d−1}]), and the
last layer v is fully connected.

Statement [derived]: the network's linear predictor is b = v ⊛ w_{N−1} ⊛ ⋯ ⊛ w_1, with the circular convolution
(a ⊛ c)_m = Σ_l a_l c_{(m−l) mod d}, and its discrete Fourier transform is the product of the layers' transforms,
b̂_k = v̂_k ∏_j ŵ_{j,k}. Each cross-correlation multiplies the hidden layer's transform by the conjugate
conj(ŵ_k); the predictor is the adjoint of the layers applied to v, which conjugates once more, so no
conjugate is left. The amplitudes |b̂_k| = |v̂_k| ∏_j |ŵ_{j,k}| are a depth-N diagonal network in the Fourier basis.

Exact method: the transform of a ∈ R^d at frequency k is the polynomial â(z) = Σ_m a_m z^m at z = ω^k,
ω = e^{−2πi/d}. An identity between such polynomials that holds modulo z^d − 1 holds at every d-th root of
unity, so for all frequencies at once; for real a, conj(â_k) = â(z^{−1}) ≡ â(z^{d−1}). Every step is checked by
exact polynomial division, with symbolic filter entries.
"""

from __future__ import annotations

import math
from functools import reduce

import sympy as sp

from . import identities
from .derivation import Derivation
from .statement import Statement

z = sp.Symbol("z")  # a d-th root of unity (any frequency)


# ---------------------------------------------------------------------------------------------------
# The statement, as a registry (tests substitute corrupted forms). ``conjugate`` is the complex conjugate of a
# transform: z → z^{d−1} on the polynomials here, numpy.conj on numbers.


def _fourier_product(last, filters, conjugate):
    return last * math.prod(filters)


STATEMENT = Statement(fourier_product=_fourier_product)
substituted = STATEMENT.substituted


def fourier_product(last, filters, conjugate):
    """The stated transform of the predictor from the transforms of v (``last``) and of the filters."""
    return STATEMENT["fourier_product"](last, list(filters), conjugate)


def statement_key() -> str:
    """Changes whenever the stated product changes (for caches)."""
    last, first, second = sp.symbols("V W_1 W_2")
    return sp.srepr(fourier_product(last, [first, second], sp.conjugate))


def circular_convolution(a, c) -> list:
    """(a ⊛ c)_m = Σ_l a_l c_{(m−l) mod d}, entrywise (SymPy or numbers)."""
    d = len(a)
    return [sum(a[l] * c[(m - l) % d] for l in range(d)) for m in range(d)]


def cross_correlation(w, h) -> list:
    """(C_w h)_i = Σ_l w_l h_{(i+l) mod d}: one convolutional layer applied to h."""
    d = len(w)
    return [sum(w[l] * h[(i + l) % d] for l in range(d)) for i in range(d)]


def predictor(last, filters) -> list:
    """v ⊛ w_{N−1} ⊛ ⋯ ⊛ w_1 for ``filters`` = (w_1, …, w_{N−1})."""
    return reduce(circular_convolution, reversed(filters), list(last))


# ---------------------------------------------------------------------------------------------------
# Derivation


def reduction_derivation(dimension: int, depth: int) -> Derivation:
    """Network → predictor → its transform, for filters of length ``dimension`` and ``depth`` ≥ 2 layers."""
    if dimension < 2 or depth < 2:
        raise ValueError(f"dimension={dimension!r}, depth={depth!r} are invalid: need dimension >= 2 and depth >= 2")
    d = dimension
    derivation = Derivation(f"Circular-convolutional network, d = {d}, depth {depth}: the Fourier-domain product")
    x = sp.symbols(f"x_0:{d}", real=True)
    last = sp.symbols(f"v_0:{d}", real=True)
    filters = [sp.symbols(f"w_{j}_0:{d}", real=True) for j in range(1, depth)]
    hidden = list(x)
    for w in filters:
        hidden = cross_correlation(w, hidden)
    output = sp.expand(sum(a * h for a, h in zip(last, hidden)))
    beta = [sp.expand(b) for b in predictor(last, filters)]
    derivation.equal("The network is linear in x: its predictor ∂f/∂x_m is the circular convolution "
                     "v * w_{N−1} * ⋯ * w_1",
                     sp.Matrix([sp.diff(output, xm) for xm in x]), sp.Matrix(beta), name=r"\nabla_x f",
                     check=_entries_vanish)
    h = sp.symbols(f"h_0:{d}", real=True)
    w = filters[0]
    conjugate = _conjugate(d)
    derivation.equal("One layer in the Fourier basis: the transform of C_w h is conj(ŵ) times ĥ",
                     _transform(cross_correlation(w, h)), sp.expand(conjugate(_transform(w)) * _transform(h)),
                     name=r"\widehat{C_w h}", check=_cyclic_check(d))
    stated = fourier_product(_transform(last), [_transform(f) for f in filters], conjugate)
    derivation.equal("The predictor's transform is the stated product of the layers' transforms",
                     _transform(beta), sp.expand(stated), name=r"\hat b", check=_cyclic_check(d))
    derivation.equal("Parseval: (1/d) Σ_k conj(b̂_k) x̂_k is the constant coefficient of b̂(1/z) x̂(z) "
                     "modulo z^d − 1 (Σ_k ω^{kj} = 0 unless d divides j), which is the network's output",
                     _constant_coefficient(sp.expand(conjugate(_transform(beta)) * _transform(x)), d), output,
                     name=r"\tfrac1d\sum_k\overline{\hat b_k}\hat x_k", check=_entries_vanish)
    return derivation


def flow_derivation(dimension: int, depth: int) -> Derivation:
    """Gradient flow of the layers for any loss with gradient g = ∇_b L, seen in the Fourier basis: frequency k of
    b moves by −Σ_j |∏_{i≠j} ŵ_{i,k}|² ĝ_k, alone; N|b̂_k|^{2−2/N} ĝ_k for balanced layers (Theorem 1's rate)."""
    if dimension < 2 or depth < 2:
        raise ValueError(f"dimension={dimension!r}, depth={depth!r} are invalid: need dimension >= 2 and depth >= 2")
    d = dimension
    derivation = Derivation(f"Circular-convolutional network, d = {d}, depth {depth}: gradient flow per frequency")
    layers = [sp.symbols(f"v_0:{d}", real=True)] + [sp.symbols(f"w_{j}_0:{d}", real=True) for j in range(1, depth)]
    beta = [sp.expand(b) for b in predictor(layers[0], layers[1:])]
    gradient = sp.Matrix(sp.symbols(f"g_0:{d}", real=True))
    velocity = sp.zeros(d, 1)
    for layer in layers:
        jacobian = sp.Matrix(beta).jacobian(list(layer))
        velocity -= jacobian * (jacobian.T * gradient)  # ḃ = Σ_j (∂b/∂w_j) ẇ_j with ẇ_j = −(∂b/∂w_j)ᵀ g
    transforms = [_transform(layer) for layer in layers]
    others = [math.prod(t for i, t in enumerate(transforms) if i != j) for j in range(len(transforms))]
    conjugate = _conjugate(d)
    derivation.equal("Gradient flow of every layer, ẇ_j = −(∂b/∂w_j)^T g with g = ∂L/∂b for any loss: frequency k of b "
                     "moves by −Σ_j |∏_{i≠j} ŵ_{i,k}|² ĝ_k, independently of the other frequencies",
                     _transform(list(velocity)), -sum(o * conjugate(o) for o in others) * _transform(gradient),
                     name=r"\dot{\hat b}", check=_cyclic_check(d))
    amplitude = sp.Symbol("s", positive=True)
    derivation.equal(f"Balanced layers, |ŵ_{{i,k}}| = s^{{1/N}} with s = |b̂_k|: the rate is N s^{{2−2/N}}, "
                     f"Theorem 1's (here N = {depth})", depth * (amplitude ** sp.Rational(1, depth)) ** (2 * depth - 2),
                     depth * amplitude ** (2 - sp.Rational(2, depth)), name=r"\sum_j\prod_{i\ne j}|\hat w_{i,k}|^2")
    return derivation


def _transform(a):
    return sp.expand(sum(value * z**m for m, value in enumerate(a)))


def _conjugate(d: int):
    """conj(â)(z) = â(z^{−1}) ≡ â(z^{d−1}) modulo z^d − 1, for real coefficients."""
    return lambda polynomial: sp.sympify(polynomial).subs(z, z ** (d - 1))


def _constant_coefficient(polynomial, d: int):
    remainder = sp.Poly(polynomial, z).rem(sp.Poly(z**d - 1, z))
    return remainder.as_expr().subs(z, 0)


def _cyclic_check(d: int):
    def check(difference):
        generators = (z, *sorted(sp.sympify(difference).free_symbols - {z}, key=str))  # explicit: fast conversion
        modulus = sp.Poly(z**d - 1, *generators, domain=sp.QQ)
        if sp.Poly(difference, *generators, domain=sp.QQ).rem(modulus).is_zero:
            return identities.Check("symbolic", f"lhs − rhs is divisible by z^{d} − 1 (exact polynomial remainder)")
        raise identities.NotProven(f"lhs − rhs leaves a nonzero remainder modulo z^{d} − 1")

    return check


def _entries_vanish(difference) -> identities.Check:
    entries = difference if isinstance(difference, sp.MatrixBase) else [difference]
    if all(sp.expand(entry) == 0 for entry in entries):
        return identities.Check("symbolic", "expand(lhs − rhs) = 0 entrywise")
    raise identities.NotProven("lhs − rhs does not expand to 0")
