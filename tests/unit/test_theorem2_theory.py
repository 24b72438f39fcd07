"""Theorem 2's derivations are exact and reject corrupted bounds."""

import sympy as sp
import pytest

from theory import theorem2
from theory.derivation import DerivationError


def test_depth_one_and_two_derivations_are_exact():
    assert theorem2.never_at_depth_one().exact
    assert theorem2.depth_two().exact


@pytest.mark.parametrize("depth", [3, 4, 8])
def test_deep_derivation_is_exact_for_concrete_depths(depth):
    assert theorem2.deep(depth).exact


def test_corrupted_bounds_break_their_derivation():
    K = (1 - theorem2.s) / theorem2.s * (theorem2.f / (1 - theorem2.f)) ** (1 / theorem2.r)
    wrong = {"sufficient_2": lambda: theorem2.sigma_j * (2 * K) ** (-theorem2.r / (theorem2.r - 1)),
             "necessary_2": lambda: theorem2.sigma_j / (1 + K ** (1 / (theorem2.r - 1)))}
    for name, corrupted in wrong.items():
        with theorem2.substituted(**{name: corrupted}):
            with pytest.raises(DerivationError):
                theorem2.depth_two()
    with theorem2.substituted(sufficient_deep=lambda: theorem2._sufficient_deep() * 2):
        with pytest.raises(DerivationError):
            theorem2.deep(4)
    assert sp.srepr(theorem2.bound("sufficient_deep")) == sp.srepr(theorem2._sufficient_deep())
