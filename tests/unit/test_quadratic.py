"""Quadratic networks: the identity and the eigenvalue dynamics against independent references."""

from fractions import Fraction

import numpy as np
import pytest

from numerics import gd, quadratic, toy
from theory import quadratic as theory

TARGETS = [1, Fraction(1, 2), 0]


def test_derivations_are_exact():
    assert theory.population_identity(3).exact
    assert theory.eigenvalue_flow().exact


def test_variance_gd_map_is_depth_two_toy_gd_with_four_times_the_step():
    steps = [0, 10, 100, 400]
    eigen = quadratic.eigenvalue_gd(TARGETS, init="1e-4", step=Fraction(1, 64), steps=steps, coupled=False)
    for index, star in enumerate(TARGETS[:2]):
        toy_gd = gd.replay(steps, depth=2, target=star, init="1e-4", step=Fraction(4, 64), dps=30)
        assert all(abs(e[index] - t) < 1e-25 for e, t in zip(eigen, toy_gd.sigma))


def test_variance_flow_is_theorem1_at_four_times_the_time():
    times = [0.5, 1, 2, 4]
    flow = quadratic.eigenvalue_flow(TARGETS, init="1e-3", times=times, coupled=False)
    for row, t in zip(flow, times):
        for index, star in enumerate(TARGETS[:2]):
            exact = float(toy.sigma_at(4 * t, depth=2, target=star, init="1e-3", dps=20))
            assert abs(row[index] - exact) <= 1e-8 * exact


def test_coupled_flow_overshoots_and_grows_spurious_eigenvalues():
    times = np.linspace(0, 6, 121)
    targets = [1, Fraction(1, 2), Fraction(1, 3), Fraction(1, 4)] + [0] * 16
    coupled = quadratic.eigenvalue_flow(targets, init="1e-4", times=times, coupled=True)
    assert coupled[:, 0].max() > 1.1 and coupled[:, 4].max() > 100e-4
    free = quadratic.eigenvalue_flow(targets, init="1e-4", times=times, coupled=False)
    assert free[:, 0].max() <= 1 and free[:, 4].max() <= 1e-4 * (1 + 1e-9)


def test_bad_targets():
    with pytest.raises(ValueError, match="targets"):
        quadratic.eigenvalue_gd([], init="1e-4", step="0.01", steps=[1], coupled=True)
