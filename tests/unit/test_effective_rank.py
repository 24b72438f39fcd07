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


# --- written against surviving mutants (docs/mutation-testing.md) ------------------------------------------------


def _parameter(call):
    with pytest.raises(ParameterError) as refused:
        call()
    return refused.value.parameter


def test_threshold_rank_counts_values_at_the_threshold_and_no_cutoff():
    """#{s_i ≥ τ s_1} counted by hand on one spectrum (not a batch): [4, 2, 1, 0] at τ = ½ is 2 (2 = τ·4 counts),
    at τ = 1 is 1 (τ = 1 is allowed); a value 10^-17 of s_1, below the resolution cutoff of the other measures, is
    counted at τ = 10^-18. τ = 0 and a non-number are refused, naming the threshold."""
    assert measures.threshold_rank([4.0, 2.0, 1.0, 0.0], threshold=Fraction(1, 2)) == 2
    assert measures.threshold_rank([4.0, 4.0, 1.0], threshold=1) == 2
    assert measures.threshold_rank([1.0, 1e-17], threshold=Fraction(1, 10**18)) == 2
    assert measures.threshold_rank(np.ones((2, 2, 3)), threshold=1).tolist() == [[3, 3], [3, 3]]
    assert _parameter(lambda: measures.threshold_rank([1.0], threshold=0)) == "threshold"
    assert _parameter(lambda: measures.threshold_rank([1.0], threshold="many")) == "threshold"


def test_an_explicit_cutoff_drops_values_at_or_below_it():
    """cutoff c: s_i ≤ c·s_1 is zero. [4, 4, 1] at c = ¼ (1 = ¼·4 exactly) has two equal values: ρ = log 2,
    e^ρ = 2 (exactly representable, so 1e-15); at c = 0 the third value counts (p = (4, 4, 1)/9 by hand). The
    default cutoff resolution(q)·s_1 also scales with s_1. A negative cutoff is refused, naming it."""
    assert measures.spectral_entropy([4.0, 4.0, 1.0], cutoff=Fraction(1, 4)) == pytest.approx(math.log(2), abs=1e-15)
    assert measures.exp_spectral_entropy([4.0, 4.0, 1.0], cutoff=Fraction(1, 4)) == pytest.approx(2, abs=1e-15)
    p = np.array([4, 4, 1]) / 9
    assert measures.spectral_entropy([4.0, 4.0, 1.0], cutoff=0) == pytest.approx(-np.sum(p * np.log(p)), rel=1e-15)
    noise = 4 * measures.resolution(3) / 2
    assert measures.spectral_entropy([4.0, 4.0, noise]) == pytest.approx(math.log(2), abs=1e-15)
    assert _parameter(lambda: measures.spectral_entropy([1.0], cutoff=-1)) == "cutoff"


def test_rank_measures_take_exact_numbers_and_refuse_a_scalar():
    """Exact singular values (Fractions) are measured like their floats; a scalar or an empty spectrum is refused
    with a ParameterError, not an IndexError. Zero singular values raise no floating-point warning (log 0 is never
    evaluated)."""
    import warnings
    exact = [Fraction(3), Fraction(1), Fraction(0)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert measures.spectral_entropy(exact) == measures.spectral_entropy([3.0, 1.0, 0.0])
    assert measures.stable_rank(exact) == pytest.approx(10 / 9, rel=1e-15)
    for bad in (3.0, []):
        assert _parameter(lambda: measures.spectral_entropy(bad)) == "singular_values"


def test_stable_rank_keeps_values_below_the_resolution():
    """The stable rank is Σ s_i²/s_1² with no resolution cutoff: 2^20 values 2^-34 (below resolution(q) ≈ 1.2e-10)
    add 2^20·2^-68 = 2^-48 = 16 ulps to 1; float64 summation of them is exact to ≤ 2 ulps."""
    spectrum = np.full(2**20 + 1, 2.0**-34)
    spectrum[0] = 1.0
    assert abs(measures.stable_rank(spectrum) - (1 + 2.0**-48)) <= 2 * 2.0**-52


def test_fuss_catalan_arguments_and_their_ranges():
    """Depth 1 … 64, moment order 0 … 10^4, size 1 … 10^6, each end accepted and refused one step beyond, naming
    the parameter. Values at the ends by independent means: L^L/(L+1)^{L+1} at L = 64 as a Fraction; m_41 of depth
    1 is the Catalan number C_41 (Segner's recursion); m_10^4/m_9999 = 2(2k − 1)/(k + 1) (the Catalan ratio); at
    size 1, W_L is a product of L standard normals, so E w^4 = 3^L; the edge bias at size 1 is
    −E[TW]·2^{4/3}/4 (Johnstone's scale, as in the test above)."""
    assert measures.stable_rank_limit(depth=64) == Fraction(64**64, 65**65)
    for depth in (0, 65, "deep"):
        assert _parameter(lambda: measures.stable_rank_limit(depth=depth)) == "depth"
    catalan = [1]
    for k in range(41):
        catalan.append(sum(catalan[i] * catalan[k - i] for i in range(k + 1)))
    assert measures.moment(depth=1, order=41) == catalan[41]
    k = 10**4
    assert measures.moment(depth=1, order=k) / measures.moment(depth=1, order=k - 1) == Fraction(2 * (2 * k - 1), k + 1)
    for order in (-1, 10**4 + 1):
        assert _parameter(lambda: measures.moment(depth=1, order=order)) == "order"
    assert [measures.second_moment(depth=depth, size=1) for depth in (1, 2, 3)] == [3, 9, 27]
    assert measures.second_moment(depth=1, size=10**6) > 0
    assert measures.edge_correction(depth=1, size=1) == pytest.approx(-measures.TRACY_WIDOM_MEAN * 2 ** (4 / 3) / 4,
                                                                      rel=1e-12)
    assert measures.edge_correction(depth=1, size=10**6) == pytest.approx(
        -measures.TRACY_WIDOM_MEAN * 2 ** (4 / 3) / 4 / 10**4, rel=1e-12)
    for size in (0, 10**6 + 1):
        assert _parameter(lambda: measures.second_moment(depth=1, size=size)) == "size"
        assert _parameter(lambda: measures.edge_correction(depth=1, size=size)) == "size"


def test_a_substituted_moment_keeps_its_denominator():
    """The stated moment is passed through exactly: a corrupted, non-integer m_k = (2k + 1)/3 comes back as that
    Fraction (the Fuss–Catalan claim must see the corruption, not its numerator)."""
    with theory.substituted(moment=lambda depth, order: sp.Rational(2 * order + 1, 3)):
        assert measures.moment(depth=1, order=2) == Fraction(5, 3)


def _binomial_cdfs(m, q):
    """[P(Bin(m, q) ≤ j) for j = −1 … m], exactly."""
    cdfs = [Fraction(0)]
    for i in range(m + 1):
        cdfs.append(cdfs[-1] + math.comb(m, i) * q**i * (1 - q) ** (m - i))
    return cdfs


@pytest.mark.parametrize("m, confidence", [(6, Fraction(9, 10)), (60, Fraction(9, 10)), (60, Fraction(99, 100))])
def test_decile_bounds_are_the_order_statistics_of_exact_binomial_ranks(m, confidence):
    """Brute force with exact binomial probabilities (Fractions): the lower bound of decile q is X_(r) for the
    largest r with P(Bin(m, q) ≤ r − 1) ≤ (1 − confidence)/2 (−inf if r = 0), the upper bound X_(t) for the
    smallest t with P(Bin(m, q) ≥ t) ≤ (1 − confidence)/2 (inf if none). The sample 1 … m (shuffled) makes the
    returned value the rank. No probability lies within 1e-9 of the tail, so float64 cannot flip a rank. m = 6
    reaches both ends: rank 1 at q = ½ below and rank m = 6 above."""
    tail = (1 - confidence) / 2
    sample = np.random.default_rng(m).permutation(np.arange(1.0, m + 1))
    lower, upper = measures.decile_bounds(sample, confidence=confidence)
    expected_lower, expected_upper = [], []
    for decile in range(1, 10):
        q = Fraction(decile, 10)
        probabilities = _binomial_cdfs(m, q)  # P(Bin ≤ j), j = −1 … m
        assert all(abs(p - tail) > Fraction(1, 10**9) for p in probabilities)
        r = max(r for r in range(m + 1) if probabilities[r] <= tail)  # probabilities[r] = P(Bin ≤ r − 1)
        t = min([t for t in range(1, m + 1) if 1 - probabilities[t] <= tail] + [m + 1])  # 1 − P(Bin ≤ t − 1)
        expected_lower.append(float(r) if r >= 1 else -math.inf)
        expected_upper.append(float(t) if t <= m else math.inf)
    assert list(lower) == expected_lower and list(upper) == expected_upper
    if m == 6:
        assert expected_lower[4] == 1 and expected_upper[4] == 6


def test_decile_bounds_refuse_a_confidence_outside_the_open_interval():
    for bad in (0, 1, Fraction(3, 2), "sure"):
        assert _parameter(lambda: measures.decile_bounds([1.0, 2.0], confidence=bad)) == "confidence"


def test_moment_by_quadrature_at_a_negative_order_and_its_boundary():
    """E[x^s] for s = −1/10 at depth 2 against the Mellin transform Γ(3s+1)/(Γ(s+1)Γ(2s+2)) evaluated by mpmath
    (to 10^-15, the requested dps), and real (a node rounded onto the end of the support made it complex before);
    s = −1/(L+1) itself is refused (the density ~ x^{−L/(L+1)} is not integrable against it), naming the order, as is
    a non-number."""
    value = measures.moment_by_quadrature(depth=2, order=Fraction(-1, 10), dps=15)
    assert isinstance(value, mp.mpf)
    with mp.workdps(30):
        s = mp.mpf(-1) / 10
        assert abs(value / (mp.gamma(3 * s + 1) / (mp.gamma(s + 1) * mp.gamma(2 * s + 2))) - 1) <= mp.mpf(10) ** -15
    for order in (Fraction(-1, 3), "high"):
        assert _parameter(lambda: measures.moment_by_quadrature(depth=2, order=order, dps=15)) == "order"


def test_closed_form_entropy_limit_to_thirty_digits_and_the_default_precision():
    """h_2 from the compiled closed form against the quadrature of the density, both at 30 digits (the quadrature
    is checked to 10^-32 relative), and real. The default precision is 50 digits: a call without dps returns exactly
    what dps=50 returns (edge of the density at depth 3, 256/27, which is not a short binary fraction; h_1
    and E√x = 8/(3π) by quadrature)."""
    closed, quadrature = measures.entropy_limit(depth=2, dps=30), measures.entropy_limit_by_quadrature(depth=2, dps=30)
    assert isinstance(quadrature, mp.mpf)
    with mp.workdps(40):
        assert abs(closed - quadrature) <= abs(quadrature) * mp.mpf(10) ** -29
    assert measures.entropy_limit(depth=2) == measures.entropy_limit(depth=2, dps=50)
    assert measures.edge_of_density(depth=3) == measures.edge_of_density(depth=3, dps=50)
    assert measures.entropy_limit_by_quadrature(depth=1) == measures.entropy_limit_by_quadrature(depth=1, dps=50)
    half = Fraction(1, 2)
    assert measures.moment_by_quadrature(depth=1, order=half) == measures.moment_by_quadrature(depth=1, order=half,
                                                                                                dps=50)
    with mp.workdps(60):
        assert abs(measures.edge_of_density(depth=3) - mp.mpf(256) / 27) <= mp.mpf(10) ** -49
