"""The single-neuron model of "Stochastic Collapse": when label noise makes the origin, a saddle of the loss,
attractive (docs/claims/stochastic-collapse.md §3).

Model [seen: the authors' code]: f(x) = w₂ σ(w₁ x) with σ(0) = 0, the loss L = (1/2m) Σ_i (f(x_i) − y_i)², and the
SDE dw = −∇L dt + Σ_i √η ζ ∂f(x_i)/∂w /√m dW_i (m independent noise channels: label-noise SGD with step η).

Statement, as a registry of one form (tests substitute corrupted ones): ``ratio`` = Σ x_i y_i / Σ x_i². The origin
is attractive iff η ζ² σ′(0)/2 > ratio (the authors' "Theorem 5.1" line), with the exponent of u = w₁ + w₂

    λ_u = σ′(0) s (ratio − η ζ² σ′(0)/2),   s = Σ x_i²/m

written with the stated ratio, so a moved threshold moves the exponent too. ``linearisation_derivation`` derives it:
the drift and noise at first order, the rank-one noise along (w₂, w₁), the decoupling in u = w₁ + w₂ and
v = w₁ − w₂ (two geometric Brownian motions), Itô's exponent, and the threshold as the zero of λ_u.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .diffusion import ito_drift
from .statement import Statement

SAMPLES = 3  # symbolic data points (x_i, y_i): every identity is a sum over samples, so m = 3 shows the pattern
w1, w2 = sp.symbols("w_1 w_2", real=True)
slope = sp.Symbol("g", positive=True)  # σ′(0)
eta = sp.Symbol("eta", positive=True)
zeta = sp.Symbol("zeta", positive=True)
xs = sp.symbols(f"x_1:{SAMPLES + 1}", real=True)
ys = sp.symbols(f"y_1:{SAMPLES + 1}", real=True)
u, v = sp.symbols("u v", positive=True)  # |w₁ ± w₂|: the exponents of their logarithms
_a, _b, _epsilon = sp.symbols("a b epsilon", real=True)  # a ray w = ε(a, b) through the origin
sigma = sp.Function("sigma")


def _ratio(inputs, labels):
    return sum(x * y for x, y in zip(inputs, labels)) / sum(x**2 for x in inputs)


STATEMENT = Statement(ratio=_ratio)
substituted = STATEMENT.substituted


def ratio(inputs=xs, labels=ys):
    """The stated threshold Σ x_i y_i / Σ x_i²."""
    return STATEMENT["ratio"](tuple(sp.sympify(x) for x in inputs), tuple(sp.sympify(y) for y in labels))


def noise_level(step=eta, noise=zeta, derivative=slope):
    """The left side of the criterion, η ζ² σ′(0)/2."""
    return step * noise**2 * derivative / 2


def exponent(inputs=xs, labels=ys, step=eta, noise=zeta, derivative=slope):
    """λ_u = σ′(0) s (ratio − η ζ² σ′(0)/2), with the stated ratio and s = Σ x_i²/m."""
    second = sum(sp.sympify(x) ** 2 for x in inputs) / len(inputs)
    return derivative * second * (ratio(inputs, labels) - noise_level(step, noise, derivative))


def statement_key() -> str:
    return sp.srepr(ratio())


# ---------------------------------------------------------------------------------------------------
# Derivation


def linearisation_derivation() -> Derivation:
    derivation = Derivation("Single neuron: linearisation at the origin and the attractivity threshold")
    m = SAMPLES
    outputs = [w2 * sigma(w1 * x) for x in xs]
    loss = sum((f - y) ** 2 for f, y in zip(outputs, ys)) / (2 * m)
    ray = {w1: _epsilon * _a, w2: _epsilon * _b}
    mean_xy = sum(x * y for x, y in zip(xs, ys)) / m
    mean_xx = sum(x**2 for x in xs) / m
    for w, other, name in ((w1, _b, "w_1"), (w2, _a, "w_2")):
        derivation.equal(f"The drift −∂L/∂{name} at first order along the ray w = ε(a, b) is σ′(0) c times the "
                         "other coordinate, with c = Σ x_i y_i/m and σ(0) = 0", _first_order(-sp.diff(loss, w), ray),
                         slope * mean_xy * other, name=rf"\partial_\varepsilon(-\partial L/\partial {name})")
    columns = [[sp.sqrt(eta) * zeta * sp.diff(f, w) / sp.sqrt(m) for w in (w1, w2)] for f in outputs]
    linear = [[_first_order(entry, ray) for entry in column] for column in columns]
    for k, column in enumerate(linear, start=1):
        size = sp.sqrt(eta) * zeta * slope * xs[k - 1] / sp.sqrt(m)
        distance = (column[0] - size * _b) ** 2 + (column[1] - size * _a) ** 2
        derivation.equal(f"Noise channel {k} at first order is √η ζ σ′(0) x_{k}/√m (b, a), along (w_2, w_1): the squared "
                         "distance between the two vectors vanishes", distance, 0, name=rf"\|b_{k} - \sqrt\eta\zeta\sigma'(0)x_{k}(b,a)/\sqrt m\|^2")
    covariance = sp.Matrix(2, 2, lambda i, j: sum(column[i] * column[j] for column in linear))
    derivation.equal("The noise covariance D = Σ_i b_i b_iᵀ is rank one: its determinant vanishes", covariance.det(), 0,
                     name=r"\det D")
    derivation.equal("and its trace is η ζ² σ′(0)² s (a² + b²), s = Σ x_i²/m", covariance.trace(),
                     eta * zeta**2 * slope**2 * mean_xx * (_a**2 + _b**2), name=r"\operatorname{tr} D")
    drift_u = _first_order(-sp.diff(loss, w1) - sp.diff(loss, w2), ray)
    derivation.equal("u = w_1 + w_2 has drift σ′(0) c u (u = ε(a + b))", drift_u, slope * mean_xy * (_a + _b),
                     name=r"\partial_\varepsilon\,\mathrm{drift}(u)")
    noise_u = sum((column[0] + column[1]) ** 2 for column in linear)
    derivation.equal("and noise variance rate η ζ² σ′(0)² s u²: a geometric Brownian motion", noise_u,
                     eta * zeta**2 * slope**2 * mean_xx * (_a + _b) ** 2, name=r"\sum_i b_{u,i}^2")
    drift_v = _first_order(-sp.diff(loss, w1) + sp.diff(loss, w2), ray)
    derivation.equal("v = w_1 − w_2 has drift −σ′(0) c v and the same noise size: another one",
                     drift_v, -slope * mean_xy * (_a - _b), name=r"\partial_\varepsilon\,\mathrm{drift}(v)")
    noise_squared = eta * zeta**2 * slope**2 * mean_xx
    exponent_u = derivation.equal("Itô: the exponent of |u| is σ′(0) c − η ζ² σ′(0)² s/2, the stated λ_u",
                                  ito_drift(sp.log(u), slope * mean_xy * u, noise_squared * u**2, u),
                                  exponent(), name=r"\lambda_u")
    exponent_v = ito_drift(sp.log(v), -slope * mean_xy * v, noise_squared * v**2, v)
    derivation.equal("and of |v|: λ_v = λ_u − 2σ′(0) c < λ_u when c > 0, so u decides", exponent_v - exponent_u,
                     -2 * slope * mean_xy, name=r"\lambda_v - \lambda_u")
    critical = sp.solve(sp.Eq(exponent_u, 0), eta)
    if len(critical) != 1:
        raise ArithmeticError(f"λ_u = 0 has {len(critical)} solutions in η: {critical}")
    derivation.equal("λ_u = 0 exactly when η ζ² σ′(0)/2 equals the stated Σ x_i y_i/Σ x_i²",
                     noise_level(critical[0]), ratio(), name=r"\eta^*\zeta^2\sigma'(0)/2")
    return derivation


def _first_order(expression, ray):
    """d/dε at ε = 0 along the ray, with σ(0) = 0 and σ′(0) = g."""
    value = sp.diff(expression.subs(ray), _epsilon).subs(_epsilon, 0).doit().subs(sigma(0), 0)
    return sp.expand(value.replace(lambda e: isinstance(e, sp.Subs) and isinstance(e.expr, sp.Derivative)
                                   and e.expr.derivative_count == 1 and e.point == (0,), lambda e: slope))
