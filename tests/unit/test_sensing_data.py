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


def _error(call):
    with pytest.raises(ParameterError) as caught:
        call()
    return caught.value


def test_bad_data_parameters_are_named_and_the_ranges_hold_at_their_ends():
    """samples in [1, 10^6], size in [1, MAX_SIZE = 1000], init > 0, each named in its error (the error's
    ``parameter``, so that a misspelt name does not pass a substring match); one sample and a 1 × 1 matrix are
    valid, and the 10^6-sample end too (d = 1: an 8 MB draw)."""
    rng = np.random.default_rng(0)
    assert _error(lambda: sensing_data.gaussian_measurements(rng, 0, 3)).parameter == "samples"
    assert _error(lambda: sensing_data.gaussian_measurements(rng, 10**6 + 1, 1)).parameter == "samples"
    assert _error(lambda: sensing_data.gaussian_measurements(rng, 1, 0)).parameter == "size"
    assert _error(lambda: sensing_data.gaussian_measurements(rng, 1, sensing_data.MAX_SIZE + 1)).parameter == "size"
    assert _error(lambda: sensing_data.gaussian_scale(2, 0, 3)).parameter == "init"
    assert _error(lambda: sensing_data.balanced_factors(depth=2, init=-1, size=3)).parameter == "init"
    one = sensing_data.gaussian_measurements(np.random.default_rng(4), 1, 3)
    assert one.shape == (1, 9) and np.array_equal(one, sensing_data.gaussian_measurements(np.random.default_rng(4),
                                                                                           5, 3)[:1])
    assert sensing_data.gaussian_measurements(rng, 10**6, 1).shape == (10**6, 1)
    assert sensing_data.gaussian_measurements(rng, 1, sensing_data.MAX_SIZE).shape == (1, sensing_data.MAX_SIZE**2)
    assert np.array_equal(sensing_data.balanced_factors(depth=2, init=4, size=1), [[[2.0]], [[2.0]]])


def test_aligned_measurements_use_the_smallest_hadamard_order_above_the_side():
    """n = the smallest power of two > d (d = 1..9: 2, 4, 4, 8, 8, 8, 8, 16, 16), and for each d the diagonal
    rows are exactly isotropic (Σ_k h_k h_kᵀ = n I) with nothing off the diagonal; d = 1 is [[1], [−1]]."""
    for d, order in zip(range(1, 10), (2, 4, 4, 8, 8, 8, 8, 16, 16)):
        rows = sensing_data.aligned_measurements(d)
        assert rows.shape == (order, d * d)
        diagonal = np.einsum("kii->ki", rows.reshape(order, d, d))
        assert np.array_equal(diagonal.T @ diagonal, order * np.eye(d))
        assert not (rows.reshape(order, d, d) - np.einsum("ki,ij->kij", diagonal, np.eye(d))).any()
    assert np.array_equal(sensing_data.aligned_measurements(1), [[1.0], [-1.0]])


def test_gaussian_scale_against_hand_evaluated_fuss_catalan_means():
    """m_N = Γ((N+3)/2)/(Γ(3/2)Γ(N/2 + 2)) by hand: m_2 = (3/2)/2 = 3/4, m_3 = 2/((√π/2)(15√π/8)) = 32/(15π),
    m_4 = (15√π/8)/((√π/2)·6) = 5/8; s = (σ_0/m_N)^{1/N}/√d then gives 0.1/2 (N = 2, σ_0 = 3/400, d = 4) and
    0.1/3 (N = 4, σ_0 = 5/8·10^-4, d = 9). Float64 gammas: 1e-14 relative."""
    assert sensing_data.fuss_catalan_mean(2) == pytest.approx(0.75, rel=1e-14)
    assert sensing_data.fuss_catalan_mean(3) == pytest.approx(32 / (15 * math.pi), rel=1e-14)
    assert sensing_data.fuss_catalan_mean(4) == pytest.approx(0.625, rel=1e-14)
    assert sensing_data.gaussian_scale(2, 0.0075, 4) == pytest.approx(0.05, rel=1e-14)
    assert sensing_data.gaussian_scale(4, 0.625e-4, 9) == pytest.approx(0.1 / 3, rel=1e-14)


def test_minimum_norm_from_one_measurement_and_in_single_precision():
    """n = 1: W_mn = a (aᵀw*)/‖a‖², by hand (a = (1, 2, 2, 0), w* = (3, 0, 0, 1): aᵀw* = 3, ‖a‖² = 9); its spectrum
    is ‖a‖² = 9. Measurements given in float32 are computed in float64 (their values are exact in float64): the
    pseudoinverse of the float64 copy agrees to 1e-12, which float32 arithmetic (1e-7) could not."""
    single = sensing.minimum_norm(np.array([[1.0, 2.0, 2.0, 0.0]]), np.array([[3.0, 0.0], [0.0, 1.0]]))
    assert np.allclose(single.solution, np.array([1.0, 2.0, 2.0, 0.0]) / 3, rtol=0, atol=1e-15)
    assert np.allclose(single.spectrum, [9.0], rtol=1e-15) and np.allclose(single.basis, [[1 / 3, 2 / 3, 2 / 3, 0]])
    rng = np.random.default_rng(5)
    a, star = rng.standard_normal((10, 25)).astype(np.float32), rng.standard_normal(25)
    limit = sensing.minimum_norm(a, star)
    a64 = a.astype(np.float64)
    assert np.allclose(limit.solution, np.linalg.pinv(a64) @ (a64 @ star), rtol=0, atol=1e-12)


def test_minimum_norm_refuses_every_bad_shape_naming_it():
    """n = D (as many measurements as unknowns: nothing to choose), n = 0, a target of the wrong size, 1-D and 3-D
    measurements: a ParameterError naming ``measurements`` with the shape and the valid range (D in it)."""
    target = np.eye(3)
    for shape, star in (((9, 9), target), ((0, 9), target), ((4, 9), np.eye(2)), ((9,), target), ((2, 3, 3), target)):
        error = _error(lambda: sensing.minimum_norm(np.ones(shape), star))
        assert (error.parameter, error.value) == ("measurements", f"shape {shape}")
        assert error.valid == f"an (n, D) array with 1 <= n < D and a target of D = {star.size} entries"


def test_expected_error_and_interval_at_the_ends_of_their_ranges():
    """1 − n/d² exactly at n = 1 and n = d² (d = 1, 2 and 1000, the largest side); n = 0, n > d², d = 0 and
    d = 1001 are refused by name. The interval's false_alarm must lie in (0, 1) (0 and 1 refused, with its value
    and range); a prediction at 0 or 1 or outside is a point mass [p, p]; a bad prediction is named."""
    from fractions import Fraction

    assert sensing.expected_relative_error(1, 1) == 0 and sensing.expected_relative_error(4, 2) == 0
    assert sensing.expected_relative_error(1, 2) == Fraction(3, 4)
    assert sensing.expected_relative_error(1, 1000) == 1 - Fraction(1, 10**6)
    assert _error(lambda: sensing.expected_relative_error(0, 2)).parameter == "samples"
    assert _error(lambda: sensing.expected_relative_error(5, 2)).parameter == "samples"
    assert _error(lambda: sensing.expected_relative_error(1, 0)).parameter == "size"
    assert _error(lambda: sensing.expected_relative_error(1, 1001)).parameter == "size"
    for alarm in (0, 1, 2):
        error = _error(lambda: sensing.concentration_interval(0.6, dimension=2500, false_alarm=alarm))
        assert (error.parameter, error.value, error.valid) == ("false_alarm", alarm, "a probability in (0, 1)")
    for point in (0, 1, 1.5, -0.5):
        assert sensing.concentration_interval(point, dimension=2500, false_alarm=1e-6) == (point, point)
    assert _error(lambda: sensing.concentration_interval(None, dimension=2500, false_alarm=1e-6)
                  ).parameter == "predicted"
