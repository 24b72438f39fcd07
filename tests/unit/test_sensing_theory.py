"""Deep matrix sensing, symbolically: the Gaussian isometry and the aligned reduction to the toy model,
each checked against an independent computation, and a corrupted reduction that must be refuted."""

import numpy as np
import pytest
import sympy as sp
import torch

from theory import sensing, toy
from theory.derivation import DerivationError


def test_isometry_matches_a_monte_carlo_average():
    """E⟨A, Δ⟩² = ‖Δ‖²: the derivation's result, against 200 000 Gaussian draws (6 standard errors)."""
    derivation = sensing.isometry_derivation()
    assert derivation.exact and len(derivation.steps) == 2
    delta = np.array([[0.3, -1.2], [2.0, 0.7]])
    symbols = sensing._matrix("Delta", 2, real=True)
    exact = float(derivation.steps[0].rhs.subs(dict(zip(symbols, delta.ravel()))))
    draws = np.random.default_rng(5).standard_normal((200_000, 4)) @ delta.ravel()
    squares = draws**2
    assert exact == pytest.approx(float((delta**2).sum()), rel=1e-15)
    assert abs(squares.mean() - exact) <= 6 * squares.std() / np.sqrt(len(squares))


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_reduction_ends_in_the_toy_ode_for_every_coordinate(depth):
    derivation = sensing.reduction_derivation(depth)
    assert derivation.exact
    odes = [step.rhs for step in derivation.steps if "project ODE" in step.statement]
    assert len(odes) == sensing.REDUCTION_SIZE and all(sp.simplify(ode - toy.flow_rhs(depth)) == 0 for ode in odes)


def test_reduction_agrees_with_autograd_at_random_diagonal_layers():
    """Independent of SymPy: torch's gradient of ½‖W_1 W_2 W_3 − W*‖² at diagonal layers is diagonal, and on
    the diagonal σ̇_i = (σ_i* − σ_i) Σ_j ∏_{l≠j} w_{l,i}², the step the derivation checks before balancing."""
    rng = np.random.default_rng(2)
    entries = rng.uniform(0.2, 1.5, (3, 4))
    stars = np.array([3.0, 2.0, 0.5, 0.0])
    layers = [torch.tensor(np.diag(row), requires_grad=True) for row in entries]
    loss = 0.5 * ((layers[0] @ layers[1] @ layers[2] - torch.diag(torch.tensor(stars))) ** 2).sum()
    gradients = torch.autograd.grad(loss, layers)
    for gradient in gradients:
        assert torch.count_nonzero(gradient - torch.diag(torch.diagonal(gradient))) == 0
    sigma = entries.prod(axis=0)
    rate = sum((sigma / entries[j]) * -np.diag(gradients[j].numpy()) for j in range(3))
    assert np.allclose(rate, (stars - sigma) * ((sigma / entries) ** 2).sum(axis=0), rtol=1e-14, atol=0)


@pytest.mark.parametrize("wrong", [
    lambda n: n * toy.sigma ** (2 - sp.Integer(1) / n) * (toy.target - toy.sigma),  # wrong exponent
    lambda n: toy.sigma ** (2 - sp.Integer(2) / n) * (toy.target - toy.sigma),  # prefactor-free time
])
def test_a_corrupted_reduction_is_refuted(wrong):
    with pytest.raises(DerivationError, match="project ODE"):
        sensing.reduction_derivation(2, size=2, ode=wrong)


def test_invalid_arguments_name_themselves():
    with pytest.raises(ValueError, match="depth=0"):
        sensing.reduction_derivation(0)
    with pytest.raises(ValueError, match="size=1"):
        sensing.reduction_derivation(2, size=1)
