"""Deep matrix sensing in NumPy: the data (measurements, initial layers) and the depth-1 minimum-norm limit with
the law of its error, against independent references."""

import math

import numpy as np
import pytest
from scipy import stats

from numerics import sensing, sensing_data
from numerics.arguments import ParameterError


def test_datasets_are_reproducible_and_nested():
    """n = 1000 measurements are the first 1000 of the n = 1500 ones drawn from the same stream: the claim
    relies on it."""
    small = sensing_data.gaussian_measurements(np.random.default_rng(7), 40, 5)
    large = sensing_data.gaussian_measurements(np.random.default_rng(7), 60, 5)
    other = sensing_data.gaussian_measurements(np.random.default_rng(8), 40, 5)
    assert small.shape == (40, 25) and np.array_equal(small, large[:40]) and not np.array_equal(small, other)


def test_aligned_measurements_are_isotropic_on_the_diagonal_and_blind_off_it():
    rows = sensing_data.aligned_measurements(6).reshape(-1, 6, 6)
    diagonal = np.einsum("kii->ki", rows)
    assert rows.shape[0] == 8 and np.array_equal(diagonal.T @ diagonal, rows.shape[0] * np.eye(6))
    assert not (rows - np.einsum("ki,ij->kij", diagonal, np.eye(6))).any()


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_gaussian_layers_have_the_requested_mean_singular_value(depth):
    """Mean over 20 draws at d = 50 within 4% of σ_0: the Fuss–Catalan limit has an O(1/d) ≈ 1% bias and
    the 20-draw average a standard error ≤ 1%. The authors' scale σ_0^{1/N}/√d would give m_N·σ_0."""
    rng = np.random.default_rng(depth)
    means = []
    for _ in range(20):
        layers = sensing_data.gaussian_factors(rng, depth=depth, init=1e-4, size=50)
        means.append(np.linalg.svd(np.linalg.multi_dot([*layers, np.eye(50)]), compute_uv=False).mean())
    assert abs(np.mean(means) / 1e-4 - 1) < 0.04
    authors = np.mean(means) * sensing_data.fuss_catalan_mean(depth)  # their per-entry std is m_N^{1/N} times ours
    assert abs(authors / 1e-4 - 1) > 0.04
    assert sensing_data.fuss_catalan_mean(1) == pytest.approx(8 / (3 * math.pi), rel=1e-15)


def test_balanced_layers_multiply_to_the_initial_scale():
    layers = sensing_data.balanced_factors(depth=3, init=1e-3, size=4)
    assert np.allclose(np.linalg.multi_dot(list(layers)), 1e-3 * np.eye(4), rtol=1e-15, atol=0)


def test_minimum_norm_solution_is_the_pseudoinverse_solution():
    sensing_matrix = np.random.default_rng(3).standard_normal((20, 36))
    target = np.diag([3.0, 2.0, 1.0, 0.0, 0.0, 0.0])
    limit = sensing.minimum_norm(sensing_matrix, target)
    assert np.allclose(limit.solution, np.linalg.pinv(sensing_matrix) @ (sensing_matrix @ target.ravel()), atol=1e-12)
    assert np.allclose(limit.basis @ limit.basis.T, np.eye(20), atol=1e-12)
    spectrum = np.linalg.eigvalsh(sensing_matrix.T @ sensing_matrix / 20)
    assert np.allclose(np.sort(limit.spectrum), np.sort(spectrum)[-20:])
    with pytest.raises(ParameterError, match="measurements"):
        sensing.minimum_norm(np.zeros((40, 36)), target)


def test_the_relative_error_follows_the_beta_law():
    """‖P_null w*‖²/‖w*‖² for 400 random row spaces (n = 12 of D = 36) against Beta((D − n)/2, n/2):
    Kolmogorov–Smirnov at the 1e-4 level."""
    rng = np.random.default_rng(11)
    star = rng.standard_normal(36)
    errors = [((sensing.minimum_norm(rng.standard_normal((12, 36)), star).solution - star) ** 2).sum() / (star**2).sum()
              for _ in range(400)]
    assert float(sensing.expected_relative_error(12, 6)) == pytest.approx(2 / 3)
    assert stats.kstest(errors, stats.beta(12, 6).cdf).pvalue > 1e-4


def test_the_interval_moves_with_the_prediction():
    """Around the right prediction it is the Beta law's two-sided interval; a wrong prediction (0, 1, or off by
    a few standard deviations) gives an interval that excludes the right value."""
    low, high = sensing.concentration_interval(0.6, dimension=2500, false_alarm=1e-6)
    assert (low, high) == pytest.approx((stats.beta.ppf(5e-7, 750, 500), stats.beta.isf(5e-7, 750, 500)), rel=1e-12)
    assert low < 0.6 < high and high - low < 0.15
    for wrong in (0, 1, 0.45, 0.75):
        low, high = sensing.concentration_interval(wrong, dimension=2500, false_alarm=1e-6)
        assert not low <= 0.6 <= high
    with pytest.raises(ParameterError, match="false_alarm"):
        sensing.concentration_interval(0.6, dimension=2500, false_alarm=2)
