"""Rank measures, the Fuss–Catalan law and the sampler of networks at initialisation, each against an
independent computation (docs/claims/low-rank-simplicity.md)."""

import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from numerics import effective_rank as measures
from numerics.arguments import ParameterError
from theory import effective_rank as theory
from verify.training.random_networks import Ensemble, sample


@given(st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=9), st.integers(0, 5))
def test_rank_measure_bounds_and_equal_spectra(values, zeros):
    spectrum = np.array(sorted(values, reverse=True) + [0.0] * zeros)
    rank = len(values)
    rho = measures.spectral_entropy(spectrum)
    assert -1e-12 <= rho <= math.log(rank) + 1e-12
    assert 1 - 1e-12 <= measures.stable_rank(spectrum) <= rank + 1e-12
    assert measures.spectral_entropy(np.r_[[2.5] * rank, [0.0] * zeros]) == pytest.approx(math.log(rank), abs=1e-14)
    assert measures.exp_spectral_entropy(spectrum * 7.0) == pytest.approx(math.exp(rho), rel=1e-13)


def test_measures_work_on_batches_and_reject_bad_input():
    batch = np.array([[3.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    assert measures.spectral_entropy(batch) == pytest.approx([-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)),
                                                             math.log(3)])
    assert list(measures.threshold_rank(batch, threshold=Fraction(1, 3))) == [2, 3]
    assert list(measures.stable_rank(batch)) == pytest.approx([10 / 9, 3])
    for bad in ([0.0, 0.0], [1.0, -1.0], [np.nan]):
        with pytest.raises(ParameterError, match="singular_values"):
            measures.spectral_entropy(bad)
    with pytest.raises(ParameterError, match="threshold"):
        measures.threshold_rank([1.0], threshold=2)


def test_resolution_cutoff_drops_rounding_noise_only():
    """A singular value at the SVD's rounding level (q·u·s_1) is zero; one just above it counts."""
    noise = measures.resolution(3) / 2
    assert measures.spectral_entropy([1.0, 1.0, noise]) == pytest.approx(math.log(2), abs=1e-15)
    assert measures.spectral_entropy([1.0, 1.0, 1e-9]) > math.log(2)


def test_fuss_catalan_moments_are_counted_by_a_recursion():
    """Independent of the closed form: m_k counts (L+1)-ary trees, m_k = Σ over compositions of k − 1 into
    L + 1 parts of Π m_parts (the coefficient recursion of B = 1 + zB^{L+1})."""
    for depth in (1, 2, 3):
        counted = [1]
        for order in range(1, 7):
            total = 0
            for parts in _compositions(order - 1, depth + 1):
                total += math.prod(counted[p] for p in parts)
            counted.append(total)
        assert counted == [measures.moment(depth=depth, order=k) for k in range(7)]


def _compositions(total, parts):
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


@pytest.mark.parametrize("depth", [1, 3])
def test_closed_forms_match_quadrature_of_the_density(depth):
    assert float(measures.moment_by_quadrature(depth=depth, order=2, dps=20)) == pytest.approx(depth + 1, rel=1e-15)
    assert measures.entropy_limit(depth=depth, dps=20) == pytest.approx(
        measures.entropy_limit_by_quadrature(depth=depth, dps=20), abs=1e-15)
    with mp.workdps(20):
        limit = measures.moment_by_quadrature(depth=depth, order=1, dps=20) / measures.edge_of_density(depth=depth,
                                                                                                      dps=20)
    assert float(limit) == pytest.approx(float(measures.stable_rank_limit(depth=depth)), rel=1e-15)


def test_stable_rank_limits_and_mean_singular_value():
    assert [measures.stable_rank_limit(depth=d) for d in (1, 2, 3)] == [Fraction(1, 4), Fraction(4, 27),
                                                                       Fraction(27, 256)]
    assert float(measures.moment_by_quadrature(depth=1, order=Fraction(1, 2), dps=20)) == pytest.approx(
        8 / (3 * math.pi), rel=1e-15)
    with pytest.raises(ParameterError, match="order"):
        measures.moment_by_quadrature(depth=2, order=Fraction(-1, 2))


def test_exact_second_moment_against_wick_on_two_layers():
    """E (1/n) tr(W_2 W_2ᵀ)² for n = 2 by expanding over all eight Gaussian entries, against the recursion."""
    g1, g2 = (sp.Matrix(2, 2, sp.symbols(f"{name}:4", real=True)) for name in "ab")
    w = g2 * g1
    m = w * w.T
    expectation = theory.gaussian_expectation((m * m).trace() / 2, list(g1) + list(g2), sp.Rational(1, 2))
    assert expectation == theory.second_moment(2, 2)
    assert measures.second_moment(depth=2, size=64) == Fraction(12483, 4096)


def test_edge_correction_is_the_wishart_scale_at_depth_one():
    """L = 1: λ_max ≈ 4 + 2^{4/3} n^{−2/3} TW (Johnstone), so the bias is −E[TW]·2^{4/3}/(4 n^{2/3})."""
    assert measures.edge_correction(depth=1, size=64) == pytest.approx(
        -measures.TRACY_WIDOM_MEAN * 2 ** (4 / 3) / 4 / 64 ** (2 / 3), rel=1e-12)


def test_decile_bounds_bracket_the_sample_deciles():
    sample_values = np.random.default_rng(3).standard_normal(500)
    lower, upper = measures.decile_bounds(sample_values, confidence=0.999)
    deciles = np.quantile(sample_values, np.arange(1, 10) / 10)
    assert np.all(lower <= deciles) and np.all(deciles <= upper)
    low, high = measures.decile_bounds(sample_values[:20], confidence=1 - 1e-6)
    assert low[0] == -math.inf and high[-1] == math.inf  # 20 draws cannot bound the extreme deciles that tightly


def test_sampler_width_one_is_a_product_of_the_drawn_numbers():
    """Width 1: the linear embedding is |g_1 ⋯ g_L|; the ReLU one is relu(…relu(x w_1)… w_L) with w ~ N(0, 2)."""
    linear = Ensemble("linear", 1, (1, 3), 5, seed=11)
    relu = Ensemble("relu", 1, (2,), 4, seed=12, points=1)
    spectra = sample([linear, relu], device="cpu")
    draws = [np.random.default_rng([11, layer]).standard_normal((5, 1, 1))[:, 0, 0] for layer in (1, 2, 3)]
    assert spectra.singular[0][:, 0, 0] == pytest.approx(np.abs(draws[0]), rel=1e-15)
    assert spectra.singular[0][:, 1, 0] == pytest.approx(np.abs(draws[0] * draws[1] * draws[2]), rel=1e-15)
    x = np.random.default_rng([12, 0]).standard_normal((4, 1, 1))[:, 0, 0]
    w1, w2 = (np.random.default_rng([12, layer]).standard_normal((4, 1, 1))[:, 0, 0] * math.sqrt(2) for layer in (1, 2))
    assert spectra.singular[1][:, 0, 0] == pytest.approx(np.maximum(np.maximum(x * w1, 0) * w2, 0), abs=1e-15)
    assert spectra.finite.all() and spectra.dtype == "float64"


def test_sampler_results_do_not_depend_on_the_batch():
    small = Ensemble("linear", 4, (1, 2), 3, seed=5)
    alone = sample([small], device="cpu").singular[0]
    together = sample([Ensemble("relu", 6, (1, 2, 4), 2, seed=6, points=9), small], device="cpu").singular[1]
    assert together == pytest.approx(alone, rel=1e-12)


def test_sampler_rejects_bad_ensembles():
    with pytest.raises(ValueError, match="activation"):
        sample([Ensemble("tanh", 4, (1,), 2, seed=0)])
    with pytest.raises(ValueError, match="depths"):
        sample([Ensemble("linear", 4, (2, 1), 2, seed=0)])
    with pytest.raises(ParameterError, match="points"):
        sample([Ensemble("relu", 4, (1,), 2, seed=0)])
