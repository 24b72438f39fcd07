"""Invariant sets of gradient descent in a two-layer network: vanishing neurons and identical neurons
("Stochastic Collapse", docs/claims/stochastic-collapse.md §5).

Network f(x) = Σ_j a_j σ(⟨w_j, x⟩ + b_j), any per-example loss ℓ(f, y), any minibatch (a sum of per-example
gradients), SGD with momentum and weight decay.

Statement, as a registry of two conditions (tests substitute corrupted ones):

* ``vanishing(σ(0))``: the set {w_j = 0, b_j = 0, a_j = 0} of a vanishing neuron is invariant iff σ(0) = 0;
* ``identical(procedure)``: the set {(w_i, b_i, a_i) = (w_j, b_j, a_j)} of two identical neurons is invariant for
  every procedure that treats neurons alike (SGD with momentum, weight decay), not for per-neuron noise (dropout).

The derivations show why: on the vanishing set the gradient is (∂ℓ/∂a_j, ∂ℓ/∂w_j, ∂ℓ/∂b_j) = (ℓ′σ(0), 0, 0); on
the identical set swapping the two neurons is a symmetry of the loss, so their gradients are equal; an update
θ ← θ − η(g + λθ) + momentum then keeps both sets, the momentum buffer included.
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation
from .statement import Statement

WIDTH, INPUTS = 3, 2  # symbolic width and input dimension: the identities hold neuron by neuron
sigma = sp.Function("sigma")
loss = sp.Function("ell")
xs = sp.symbols(f"x_1:{INPUTS + 1}", real=True)
y = sp.Symbol("y", real=True)
weights = [sp.symbols(f"w_{j}1:{j}{INPUTS + 1}", real=True) for j in range(1, WIDTH + 1)]
biases = sp.symbols(f"b_1:{WIDTH + 1}", real=True)
outputs = sp.symbols(f"a_1:{WIDTH + 1}", real=True)
eta, decay, friction = sp.symbols("eta lambda beta", positive=True)  # step, weight decay, momentum
_z = sp.Symbol("z", real=True)
at_zero = sp.Symbol("sigma_0", real=True)  # σ(0)

PROCEDURES = ("momentum", "weight-decay", "dropout")  # all with momentum; the derivation covers any β ≥ 0


def _vanishing(value):
    return sp.Eq(value, 0)


def _identical(procedure):
    return procedure != "dropout"


STATEMENT = Statement(vanishing=_vanishing, identical=_identical)
substituted = STATEMENT.substituted


def keeps_vanishing(value) -> bool:
    """Whether the stated condition makes the vanishing-neuron set invariant for an activation with σ(0) = value."""
    return bool(STATEMENT["vanishing"](sp.sympify(value)))


def keeps_identical(procedure: str) -> bool:
    """Whether the stated condition makes the identical-neuron set invariant under ``procedure``."""
    if procedure not in PROCEDURES:
        raise ValueError(f"procedure={procedure!r} is invalid: must be one of {', '.join(PROCEDURES)}")
    return bool(STATEMENT["identical"](procedure))


def statement_key() -> str:
    return f"{STATEMENT['vanishing'](at_zero)}|{[keeps_identical(p) for p in PROCEDURES]}"


def network(ws=None, bs=None, as_=None):
    ws, bs, as_ = ws or weights, bs or biases, as_ or outputs
    return sum(a * sigma(sum(w * x for w, x in zip(wj, xs)) + b) for wj, b, a in zip(ws, bs, as_))


def _parameters(j):
    return (*weights[j], biases[j], outputs[j])


# ---------------------------------------------------------------------------------------------------
# Derivations


def vanishing_derivation() -> Derivation:
    """The gradient on a vanishing neuron is (ℓ′σ(0), 0, 0): zero exactly when the stated condition holds."""
    derivation = Derivation("Vanishing neurons: the gradient on the set")
    per_example = loss(network(), y)
    on_set = {p: 0 for p in _parameters(0)}
    gradient = {p: sp.diff(per_example, p).subs(on_set).doit().subs(sigma(0), at_zero) for p in _parameters(0)}
    slope = sp.diff(loss(_z, y), _z).subs(_z, network().subs(on_set))
    derivation.equal("On the set w_1 = 0, b_1 = 0, a_1 = 0: ∂ℓ/∂a_1 = ℓ′(f) σ(0)", gradient[outputs[0]],
                     slope * at_zero, name=r"\partial\ell/\partial a_1")
    for p in (*weights[0], biases[0]):
        derivation.equal(f"and ∂ℓ/∂{p} = ℓ′(f) a_1 σ′(0)(…) = 0", gradient[p], 0, name=rf"\partial\ell/\partial {p}")
    condition = STATEMENT["vanishing"](at_zero)
    allowed = sp.solve(condition, at_zero) if isinstance(condition, sp.Equality) else [at_zero]  # else: any σ(0)
    for value in allowed:
        derivation.equal("Under the stated condition on σ(0) the whole gradient of the neuron vanishes, for every "
                         "loss, example and minibatch", gradient[outputs[0]].subs(at_zero, value), 0,
                         name=r"\partial\ell/\partial a_1\big|_{\text{condition}}")
    return derivation


def identical_derivation() -> Derivation:
    """Swapping two neurons is a symmetry of f, so identical neurons get identical gradients (any σ)."""
    derivation = Derivation("Identical neurons: the gradient on the set")
    swapped = network([weights[1], weights[0], weights[2]], [biases[1], biases[0], biases[2]],
                      [outputs[1], outputs[0], outputs[2]])
    derivation.equal("Swapping neurons 1 and 2 leaves f unchanged", swapped - network(), 0, name=r"f(P\theta) - f(\theta)")
    per_example = loss(network(), y)
    on_set = dict(zip(_parameters(1), _parameters(0)))
    for p, q in zip(_parameters(0), _parameters(1)):
        difference = (sp.diff(per_example, p) - sp.diff(per_example, q)).subs(on_set)
        derivation.equal(f"On (w_1, b_1, a_1) = (w_2, b_2, a_2): ∂ℓ/∂{p} = ∂ℓ/∂{q}", difference, 0,
                         name=rf"\partial\ell/\partial {p} - \partial\ell/\partial {q}")
    return derivation


def update_derivation() -> Derivation:
    """SGD with momentum and weight decay maps each set into itself when the gradient does (buffers included)."""
    derivation = Derivation("The optimiser keeps the sets")
    theta, other, gradient, buffer = sp.symbols("theta theta' g m", real=True)
    step_buffer = friction * buffer + gradient + decay * theta
    step = theta - eta * step_buffer
    derivation.equal("A vanishing coordinate (θ = 0, buffer 0, gradient 0) stays 0, and so does its buffer",
                     step.subs({theta: 0, buffer: 0, gradient: 0}) ** 2 + step_buffer.subs({theta: 0, buffer: 0,
                                                                                              gradient: 0}) ** 2, 0,
                     name=r"\theta'^2 + m'^2")
    other_buffer, other_gradient = sp.symbols("m' g'", real=True)
    other_step_buffer = friction * other_buffer + other_gradient + decay * other
    difference = (step - (other - eta * other_step_buffer)).subs({other: theta, other_buffer: buffer,
                                                                  other_gradient: gradient})
    derivation.equal("Two equal coordinates with equal buffers and equal gradients stay equal", difference, 0,
                     name=r"\theta_1' - \theta_2'")
    odd = {sigma(-_z): -sigma(_z)}
    reflected = (-outputs[0]) * sigma(-_z)
    derivation.equal("For odd σ the reflection of (w_1, b_1, a_1) to −(w_1, b_1, a_1) leaves a_1 σ(z) unchanged: the "
                     "vanishing set is its fixed-point set", reflected.subs(odd) - outputs[0] * sigma(_z), 0,
                     name=r"(-a_1)\sigma(-z) - a_1\sigma(z)")
    return derivation
