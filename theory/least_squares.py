"""Gradient descent on under-determined least squares converges to the interpolant closest to its start
(docs/claims/vardi-classics.md §1).

Model: X ∈ R^{n×d} of full row rank n < d, targets y ∈ R^n, the loss L(w) = ½‖Xw − y‖², GD from w₀ with a step
η < 2/λ_{max}(XXᵀ). Statement [derived]:

* the gradient is Xᵀ(Xw − y), so every step moves inside the row space of X and (I − P)w_k = (I − P)w₀ with
  P = Xᵀ(XXᵀ)^{-1}X the orthogonal projector onto it: the iterates stay in w₀ + row(X);
* the only interpolant there is w∞ = w₀ + X^+(y − Xw₀), X^+ = Xᵀ(XXᵀ)^{-1} (the Moore–Penrose inverse);
* w∞ is the interpolant closest to w₀: every z in null(X) is orthogonal to w∞ − w₀, so
  ‖w∞ + z − w₀‖² = ‖w∞ − w₀‖² + ‖z‖²;
* the error obeys w_{k+1} − w∞ = (I − ηXᵀX)(w_k − w∞) and starts in the row space, so
  ‖w_k − w∞‖ ≤ ρ^k ‖w₀ − w∞‖ with ρ = max over the nonzero eigenvalues λ of XXᵀ of |1 − ηλ|.

Everything is proven for symbolic dimensions n × d with SymPy's matrix expressions (``MatrixSymbol``), and each
identity is confirmed once more in coordinates (n = 2, d = 3) at random exact rational points. The stated
forms (the limit, the anchor of the affine set, the rate) live in a registry so that tests can corrupt them.
"""

from __future__ import annotations

import random

import sympy as sp

from .derivation import Derivation
from .identities import Check, NotProven
from .statement import Statement

n, d = sp.symbols("n d", integer=True, positive=True)
X = sp.MatrixSymbol("X", n, d)
y = sp.MatrixSymbol("y", n, 1)
w0 = sp.MatrixSymbol("w_0", d, 1)
w = sp.MatrixSymbol("w", d, 1)
w_k = sp.MatrixSymbol("w_k", d, 1)
v = sp.MatrixSymbol("v", d, 1)  # any vector: v − Pv runs over null(X)
eta = sp.Symbol("eta", positive=True)
low, high = sp.symbols("lambda_min lambda_max", positive=True)
GRAM_INVERSE = (X * X.T) ** -1
PSEUDO_INVERSE = X.T * GRAM_INVERSE  # X^+ for full row rank
COORDINATES = {n: 2, d: 3}  # where every identity is confirmed in coordinates (other dimensions: 2, 3, 2, …)
POINTS = 3


def _limit(inputs, targets, init):
    return init + inputs.T * (inputs * inputs.T) ** -1 * (targets - inputs * init)


def _anchor(init):
    return init


def _rate(step_size, smallest, largest):
    return sp.Max(sp.Abs(1 - step_size * smallest), sp.Abs(1 - step_size * largest))


STATEMENT = Statement(limit=_limit, anchor=_anchor, rate=_rate)
substituted = STATEMENT.substituted


def limit(inputs=X, targets=y, init=w0):
    """The stated limit w∞ (a matrix expression; explicit ``sympy.Matrix`` arguments give exact numbers)."""
    return STATEMENT["limit"](inputs, targets, init)


def anchor(init=w0):
    """The stated point whose translate of the row space holds every iterate: w₀."""
    return STATEMENT["anchor"](init)


def rate(step_size=eta, smallest=low, largest=high):
    """The stated contraction factor per step from the extreme nonzero eigenvalues of XXᵀ."""
    return STATEMENT["rate"](*(sp.sympify(value) for value in (step_size, smallest, largest)))


def projector():
    """P = Xᵀ(XXᵀ)^{-1}X, the orthogonal projector onto the row space of X."""
    return PSEUDO_INVERSE * X


def matrix_zero(difference) -> Check:
    """An exact zero test for matrix expressions: SymPy's matrix algebra must reduce ``difference`` to the zero
    matrix, and the same difference must vanish in coordinates at random exact rational points."""
    reduced = sp.expand(difference).doit()
    if not (reduced.is_ZeroMatrix or reduced == sp.ZeroMatrix(*reduced.shape)):
        raise NotProven(f"the matrix algebra leaves {reduced}")
    expression = sp.sympify(difference)
    sizes = {symbol for symbol in expression.free_symbols if symbol.is_integer}  # the dimensions
    sizes |= {size for matrix in expression.atoms(sp.MatrixSymbol) for size in matrix.shape if isinstance(size, sp.Symbol)}
    sizes = sorted(sizes, key=str)
    coordinates = {size: COORDINATES.get(size, 2 + index % 2) for index, size in enumerate(sizes)}
    explicit = sp.sympify(difference).subs(coordinates)
    symbols = sorted(explicit.free_symbols, key=str)
    draw = random.Random(0)
    for _ in range(POINTS):
        point = {}
        for symbol in symbols:
            if isinstance(symbol, sp.MatrixSymbol):
                point[symbol] = sp.Matrix(*symbol.shape, lambda *_: sp.Rational(draw.randint(-9, 9), draw.randint(1, 5)))
            else:
                point[symbol] = sp.Rational(draw.randint(1, 9), draw.randint(1, 9))
        value = explicit.subs(point).doit()
        if any(entry != 0 for entry in sp.Matrix(value)):
            raise NotProven(f"in coordinates ({_show(coordinates)}) it is {sp.Matrix(value).T} ≠ 0 at a rational point")
    return Check("symbolic", f"matrix algebra reduces lhs − rhs to 0 for symbolic dimensions; exact zero in coordinates "
                             f"({_show(coordinates)}) at {POINTS} random rational points")


def _show(coordinates) -> str:
    return ", ".join(f"{size} = {value}" for size, value in coordinates.items())


def gradient_descent() -> Derivation:
    """The iterates stay in w₀ + row(X), the stated limit is the one interpolant there, and the error contracts."""
    derivation = Derivation("Gradient descent on least squares stays in the initialisation's translate of the "
                            "row space")
    loss = (X * w - y).T * (X * w - y) / 2
    gradient = derivation.equal("Gradient of L(w) = ½‖Xw − y‖² (matrix calculus)", loss.diff(w), X.T * (X * w - y),
                                name=r"\nabla L(w)", check=matrix_zero)
    projection = projector()
    derivation.equal("P = Xᵀ(XXᵀ)^{-1}X is idempotent (written P·P)", X.T * GRAM_INVERSE * X * X.T * GRAM_INVERSE * X,
                     projection, name="P P", check=matrix_zero)
    derivation.equal("P is symmetric", projection.T, projection, name=r"P^\top", check=matrix_zero)
    update = w_k - eta * gradient.subs(w, w_k)
    derivation.equal("A GD step leaves the component outside the row space unchanged: (I − P)w_{k+1} = (I − P)w_k",
                     update - projection * update, w_k - projection * w_k, name=r"(I-P)\,w_{k+1}", check=matrix_zero)
    derivation.equal("By induction the iterates stay in the stated affine set anchor + row(X): the anchor has "
                     "the same component outside the row space as w₀",
                     w0 - projection * w0, anchor() - projection * anchor(), name=r"(I-P)\,w_0", check=matrix_zero)
    final = limit()
    derivation.equal("The stated limit interpolates", X * final, y, name=r"X w_\infty", check=matrix_zero)
    derivation.equal("The stated limit lies in the same affine set", final - projection * final,
                     w0 - projection * w0, name=r"(I-P)\,w_\infty", check=matrix_zero)
    error = w_k - final
    derivation.equal("With y = Xw∞ the error contracts: w_{k+1} − w∞ = (I − ηXᵀX)(w_k − w∞)",
                     w_k - eta * X.T * (X * w_k - X * final) - final, error - eta * X.T * X * error,
                     name=r"w_{k+1}-w_\infty", check=matrix_zero)
    derivation.equal("The initial error lies in the row space: P(w₀ − w∞) = w₀ − w∞", projection * (w0 - final),
                     w0 - final, name=r"P(w_0-w_\infty)", check=matrix_zero)
    return derivation


def closest_interpolant() -> Derivation:
    """w∞ = w₀ + X^+(y − Xw₀) with X^+ the Moore–Penrose inverse, and no interpolant is closer to w₀."""
    derivation = Derivation("The limit is the interpolant closest to the initialisation")
    pinv = PSEUDO_INVERSE
    derivation.equal("Penrose condition X X^+ X = X", X * pinv * X, X, name=r"X X^+ X", check=matrix_zero)
    derivation.equal("Penrose condition X^+ X X^+ = X^+", pinv * X * pinv, pinv, name=r"X^+ X X^+", check=matrix_zero)
    derivation.equal("Penrose condition (X X^+)ᵀ = X X^+", (X * pinv).T, X * pinv, name=r"(X X^+)^\top",
                     check=matrix_zero)
    derivation.equal("Penrose condition (X^+ X)ᵀ = X^+ X", (pinv * X).T, pinv * X, name=r"(X^+ X)^\top",
                     check=matrix_zero)
    final = limit()
    derivation.equal("The stated limit is w₀ + X^+(y − Xw₀)", final, w0 + pinv * (y - X * w0), name=r"w_\infty",
                     check=matrix_zero)
    null = v - projector() * v
    derivation.equal("z = v − Pv lies in the null space of X (every null vector has this form)", X * null,
                     sp.ZeroMatrix(n, 1), name="X z", check=matrix_zero)
    derivation.equal("z is orthogonal to w∞ − w₀, so (Pythagoras) ‖w∞ + z − w₀‖² = ‖w∞ − w₀‖² + ‖z‖²: every other "
                     "interpolant w∞ + z is farther from w₀", null.T * (final - w0), sp.ZeroMatrix(1, 1),
                     name=r"z^\top(w_\infty-w_0)", check=matrix_zero)
    derivation.equal("Lagrange stationarity of ½‖w − w₀‖² subject to Xw = y: w∞ − w₀ = Xᵀλ, λ = (XXᵀ)^{-1}(y − Xw₀)",
                     final - w0, X.T * (GRAM_INVERSE * (y - X * w0)), name=r"w_\infty-w_0", check=matrix_zero)
    return derivation


def statement_key() -> str:
    """Changes whenever a stated form changes (for caches)."""
    return "|".join(sp.srepr(form) for form in (limit(), anchor(), rate()))
