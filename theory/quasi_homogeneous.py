"""Quasi-homogeneous models and their asymmetric maximum-margin bias (Kunin, Yamamura, Ma, Ganguli;
docs/claims/quasi-homogeneous.md).

Definition [reconstructed, standard]: f(θ; x) is Λ-quasi-homogeneous for a diagonal Λ ⪰ 0, Λ ≠ 0, if
f(e^{αΛ}θ; x) = e^α f(θ; x) for every α; differentiating at α = 0 gives the Euler identity ⟨∇_θ f, Λθ⟩ = f.
Homogeneous of degree L is Λ = I/L.

Statement, as a registry of two rate assignments (tests substitute corrupted ones):

* ``network_rates(λ)``: the two-layer ReLU network with biases f = Σ_j v_j relu(⟨W_j, x⟩ + b_j) + c is
  quasi-homogeneous with rates W, b: λ; v: 1 − λ; c: 1, for every λ (a one-parameter family); the output bias c
  always has the maximal rate 1 for λ ∈ [0, 1];
* ``toy_rates``: the toy f_q(x) = v w x + b has rates v, w: ½ and b: 1 (b alone has the maximal rate), while
  f_h(x) = w x + b is homogeneous (both rates 1).

The asymmetric max-margin bias: gradient flow on an exponential loss maximises the margin with a norm of the
maximal-rate parameters only; for the toy that is min b² subject to y_i(βx_i + b) ≥ 1 with β = vw free, solved by
b = 0 whenever the data are separable through the origin: the higher-rate bias is discarded (threshold −b/β → 0),
unlike the homogeneous model, whose limit is the hard-margin SVM on (x, 1).
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .statement import Statement

alpha = sp.Symbol("alpha", real=True)
rate = sp.Symbol("lambda", real=True)  # the free parameter of the rate family
WIDTH, INPUTS = 2, 2
xs = sp.symbols(f"x_1:{INPUTS + 1}", real=True)
first = [sp.symbols(f"W_{j}1:{j}{INPUTS + 1}", real=True) for j in range(1, WIDTH + 1)]
hidden_bias = sp.symbols(f"b_1:{WIDTH + 1}", real=True)
last = sp.symbols(f"v_1:{WIDTH + 1}", real=True)
output_bias = sp.Symbol("c", real=True)
pattern = sp.symbols(f"s_1:{WIDTH + 1}", nonnegative=True)  # relu'(pre-activation) on a region: 0 or 1
x, v, w, b = sp.symbols("x v w b", real=True)
_t, _r = sp.symbols("t r", positive=True)
GROUPS = ("W", "b", "v", "c")


def _network_rates(level):
    return {"W": level, "b": level, "v": 1 - level, "c": sp.Integer(1)}


def _toy_rates():
    return {"v": sp.Rational(1, 2), "w": sp.Rational(1, 2), "b": sp.Integer(1)}


STATEMENT = Statement(network_rates=_network_rates, toy_rates=_toy_rates)
substituted = STATEMENT.substituted


def network_rates(level=rate) -> dict:
    return STATEMENT["network_rates"](sp.sympify(level))


def toy_rates() -> dict:
    return STATEMENT["toy_rates"]()


def bias_is_discarded() -> bool:
    """Whether the stated toy rates give the bias b alone the maximal rate (then its max-margin limit has b = 0)."""
    rates = toy_rates()
    return all(rates["b"] > value for name, value in rates.items() if name != "b")


def statement_key() -> str:
    return f"{network_rates()}|{toy_rates()}"


def pre_activations(ws=None, bs=None):
    ws, bs = ws or first, bs or hidden_bias
    return [sum(weight * value for weight, value in zip(row, xs)) + bias for row, bias in zip(ws, bs)]


def network_on_pattern(ws=None, bs=None, vs=None, c=None):
    """f on a region where relu′(pre-activation j) = s_j: Σ_j v_j s_j (⟨W_j, x⟩ + b_j) + c."""
    vs, c = vs or last, output_bias if c is None else c
    return sum(weight * s * z for weight, s, z in zip(vs, pattern, pre_activations(ws, bs))) + c


def _scaled(rates):
    factor = {group: sp.exp(alpha * rates[group]) for group in GROUPS}
    ws = [[factor["W"] * value for value in row] for row in first]
    return ws, [factor["b"] * value for value in hidden_bias], [factor["v"] * value for value in last], \
        factor["c"] * output_bias


# ---------------------------------------------------------------------------------------------------
# Derivations


def network_derivation() -> Derivation:
    """The bias network is quasi-homogeneous with the stated rates; Euler's identity; the rate family; c is maximal."""
    derivation = Derivation("A two-layer ReLU network with biases is quasi-homogeneous")
    derivation.equal("relu is positively homogeneous: relu(t z) = t relu(z) for t > 0, z > 0", sp.Max(0, _t * _r),
                     _t * sp.Max(0, _r), name=r"\mathrm{relu}(tz)")
    derivation.equal("and for z < 0", sp.Max(0, -_t * _r), _t * sp.Max(0, -_r), name=r"\mathrm{relu}(-tz)")
    rates = network_rates()
    ws, bs, vs, c = _scaled(rates)
    for k, (scaled, plain) in enumerate(zip(pre_activations(ws, bs), pre_activations()), start=1):
        derivation.equal(f"Scaling (W, b) by e^(αλ_W), e^(αλ_b) multiplies pre-activation {k} by e^(αλ): its sign, "
                         "and so the activation pattern, is kept", scaled - sp.exp(alpha * rates["W"]) * plain, 0,
                         name=rf"z_{k}(e^{{\alpha\Lambda}}\theta) - e^{{\alpha\lambda}}z_{k}(\theta)")
    derivation.equal("On the pattern, f(e^(αΛ)θ) = e^α f(θ) with the stated rates", network_on_pattern(ws, bs, vs, c),
                     sp.exp(alpha) * network_on_pattern(), name=r"f(e^{\alpha\Lambda}\theta)")
    parameters = [value for row in first for value in row] + [*hidden_bias, *last, output_bias]
    groups = ["W"] * (WIDTH * INPUTS) + ["b"] * WIDTH + ["v"] * WIDTH + ["c"]
    euler = sum(rates[group] * p * sp.diff(network_on_pattern(), p) for p, group in zip(parameters, groups))
    derivation.equal("Euler's identity ⟨∇f, Λθ⟩ = f (the derivative at α = 0)", euler, network_on_pattern(),
                     name=r"\langle\nabla_\theta f, \Lambda\theta\rangle")
    unknowns = sp.symbols("r_W r_b r_v r_c", real=True)
    trial = dict(zip(GROUPS, unknowns))
    ws, bs, vs, c = _scaled(trial)
    identity = sp.expand(network_on_pattern(ws, bs, vs, c).diff(alpha).subs(alpha, 0) - network_on_pattern())
    equations = sp.Poly(identity, *[value for row in first for value in row], *hidden_bias, *last, output_bias,
                        *pattern, *xs).coeffs()
    family = sp.solve(equations, unknowns[1:], dict=True)  # the other rates in terms of r_W
    if len(family) != 1 or set(family[0]) != set(unknowns[1:]):
        raise ArithmeticError(f"the rate equations {equations} do not fix r_b, r_v, r_c given r_W: {family}")
    general = {group: family[0].get(u, u).subs(unknowns[0], rate) for group, u in trial.items()}
    for group in GROUPS:
        derivation.equal(f"Every valid rate assignment (solving Euler's identity for all θ, x) gives rate_{group} as "
                         "stated, with the one free parameter λ = r_W", general[group], rates[group],
                         name=rf"\lambda_{{{group}}}")
    derivation.equal("The output bias has rate 1, the largest for λ in [0, 1] (max(λ, 1 − λ, 1) = 1)",
                     sp.Max(rates["W"], rates["v"], rates["c"]).subs(rate, sp.Rational(1, 3)), rates["c"],
                     name=r"\max_i\lambda_i(\lambda = 1/3)")
    return derivation


def toy_derivation() -> Derivation:
    """The toy f_q = v w x + b with the stated rates; the asymmetric problem's solution b = 0."""
    derivation = Derivation("The quasi-homogeneous toy f = v w x + b")
    rates = toy_rates()
    model = v * w * x + b
    scaled = model.subs({v: sp.exp(alpha * rates["v"]) * v, w: sp.exp(alpha * rates["w"]) * w,
                         b: sp.exp(alpha * rates["b"]) * b}, simultaneous=True)
    derivation.equal("f(e^(αΛ)θ) = e^α f(θ) with the stated rates of v, w, b", scaled, sp.exp(alpha) * model,
                     name=r"f(e^{\alpha\Lambda}\theta)")
    euler = sum(rates[name] * symbol * sp.diff(model, symbol) for name, symbol in (("v", v), ("w", w), ("b", b)))
    derivation.equal("Euler's identity", euler, model, name=r"\langle\nabla f, \Lambda\theta\rangle")
    homogeneous = w * x + b
    derivation.equal("f_h = w x + b is homogeneous of degree 1 (rates 1, 1): no parameter is favoured",
                     homogeneous.subs({w: sp.exp(alpha) * w, b: sp.exp(alpha) * b}, simultaneous=True),
                     sp.exp(alpha) * homogeneous, name=r"f_h(e^{\alpha}\theta)")
    p, q = sp.symbols("p q", positive=True)  # closest positive point p, closest negative point −q
    slope = sp.Symbol("beta", positive=True)
    derivation.equal("The asymmetric problem min b² s.t. y_i(βx_i + b) ≥ 1, β = vw free: b = 0 (the least b²) is "
                     "feasible for data separable through the origin, since at β = 1/min(p, q) the smallest margin "
                     "β min(p, q) (p, q the distances of the closest points to 0) is 1", (slope * sp.Min(p, q)).subs(
                         slope, 1 / sp.Min(p, q)), 1, name=r"\beta\min(p, q)")
    return derivation
