"""The performance correlation and its plug-in estimator, each against an independent computation
(docs/claims/increasing-complexity.md §1)."""

import itertools
import math
import warnings
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from numerics import information as numbers
from numerics.arguments import ParameterError
from theory import information as theory


def _channel(a, b):
    return np.array([[[Fraction(1, 2) * (a if f != y else 1 - a) * (b if l != y else 1 - b) for y in range(2)]
                      for l in range(2)] for f in range(2)], dtype=object)


@given(st.fractions(Fraction(1, 50), Fraction(49, 50)), st.fractions(Fraction(1, 50), Fraction(49, 50)))
def test_channel_closed_form_matches_the_definitions(a, b):
    joint = _channel(a, b)
    with mp.workdps(30):
        exact = numbers.performance_correlation(joint, dps=20)
        closed = sp.N(theory.bsc(sp.Rational(a.numerator, a.denominator), sp.Rational(b.numerator, b.denominator)), 30)
        assert abs(exact - mp.mpf(str(closed))) < mp.mpf(10) ** -18


def test_xor_is_minus_one_bit_and_symmetry_holds():
    xor = np.array([[[Fraction(1, 4) if y == f ^ l else Fraction(0) for y in range(2)] for l in range(2)]
                    for f in range(2)], dtype=object)
    with mp.workdps(30):
        assert abs(numbers.performance_correlation(xor, dps=20) + 1) < mp.mpf(10) ** -25
        assert abs(numbers.interaction(xor, dps=20) + 1) < mp.mpf(10) ** -25
    assert numbers.plug_in(xor.astype(float)) == pytest.approx(-1, abs=1e-15)


def test_expected_plug_in_against_enumerating_every_data_set():
    """N = 4 samples on 8 cells: sum μ̂ × multinomial probability over all 330 count vectors."""
    joint = numbers.exact_joint([[[3, 1], [1, 2]], [[2, 1], [4, 2]]])
    probabilities = joint.astype(float).ravel()
    total = 0.0
    for cells in itertools.combinations_with_replacement(range(8), 4):
        counts = np.bincount(cells, minlength=8)
        total += stats.multinomial.pmf(counts, 4, probabilities) * float(numbers.plug_in(counts.reshape(2, 2, 2)))
    assert numbers.expected_plug_in(joint, samples=4) == pytest.approx(total, abs=1e-14)


def test_bias_expansion_leading_term_for_full_binary_tables():
    """Every cell positive: the first-order bias of μ̂ is −1/(2N ln 2) (the K's give 1 + 1 + 1 − 3 − 3 − 3 + 7)."""
    joint = numbers.exact_joint(np.ones((2, 2, 2), dtype=int))
    stated, third = numbers.bias_expansion(joint, samples=10**5)
    assert stated == pytest.approx(-1 / (2 * 10**5 * math.log(2)), rel=1e-4)
    assert 0 < third < 1e-12


def test_plug_in_rejects_bad_counts_and_weights():
    with pytest.raises(ParameterError, match="counts"):
        numbers.plug_in(np.zeros((2, 2, 2)))
    with pytest.raises(ParameterError, match="counts"):
        numbers.plug_in(np.ones((2, 2)))
    with pytest.raises(ParameterError, match="weights"):
        numbers.exact_joint([[[0, 0]]])
    with pytest.raises(ParameterError, match="weights"):
        numbers.exact_joint([[[1, -2]]])


def test_samples_for_puts_twenty_expected_counts_in_every_cell():
    joint = numbers.exact_joint([[[1, 9]], [[0, 10]]])
    assert numbers.samples_for(joint) == 400


# --- tests written against surviving mutants (docs/mutation-testing.md) -----------------------------------------

_GENERIC = [[[5, 1], [2, 7]], [[1, 3], [6, 2]]]  # every marginal asymmetric: F, L, Y have different laws


def _sympy_pmf(joint):
    return {key: sp.Rational(v.numerator, v.denominator) for key, v in np.ndenumerate(joint)}


def test_informations_in_every_argument_order_against_the_symbolic_definitions():
    """I(X_i; X_j) for all six ordered pairs and I(X_i; X_j | X_k) for all six orders, on a joint whose marginals all
    differ (so swapped or transposed marginals show), against ``theory.information``'s definitions evaluated by
    SymPy to 40 digits. The mpmath sums run at dps + 10 = 40 digits on exact inputs: 10^-28 leaves 12 digits for
    rounding."""
    joint = numbers.exact_joint(_GENERIC)
    table = theory.concrete(_sympy_pmf(joint))
    with mp.workdps(40):
        for first, second in itertools.permutations(range(3), 2):
            given = 3 - first - second
            reference = mp.mpf(str(sp.N(theory.mutual_information(table, first, second), 40)))
            assert abs(numbers.mutual_information(joint, first, second, dps=30) - reference) < mp.mpf(10) ** -28
            reference = mp.mpf(str(sp.N(theory.conditional_mutual_information(table, first, second, given), 40)))
            assert abs(numbers.conditional_mutual_information(joint, first, second, given, dps=30)
                       - reference) < mp.mpf(10) ** -28


def test_three_forms_of_mu_and_the_entropy_form_agree_to_the_digits_asked_for():
    """μ = I(F;Y) − I(F;Y|L) = I(L;Y) − I(L;Y|F) = I(F;L) − I(F;L|Y) = the entropy form (identity_derivation), on
    the generic joint, each at dps = 30 (computed with 40 digits): they must agree to 10^-30, which a computation at
    fewer than 30 digits misses."""
    joint = numbers.exact_joint(_GENERIC)
    with mp.workdps(60):
        reference = numbers.performance_correlation(joint, dps=50)
        forms = [numbers.interaction(joint, dps=30), numbers.performance_correlation(joint, dps=30),
                 numbers.mutual_information(joint, 1, 2, dps=30) - numbers.conditional_mutual_information(joint, 1, 2, 0, dps=30),
                 numbers.mutual_information(joint, 0, 1, dps=30) - numbers.conditional_mutual_information(joint, 0, 1, 2, dps=30)]
        assert abs(reference) > mp.mpf(10) ** -3  # not a trivial zero
        for form in forms:
            assert abs(form - reference) < mp.mpf(10) ** -30


def test_ternary_copy_is_log2_three_bits():
    """F = Y uniform on three values, L independent with P(L = 1) = 1/3: I(F; Y) = I(F; Y | L) = log2 3 and μ = 0
    (hand-derived; alphabets of size 3 and 2 side by side)."""
    joint = numbers.exact_joint([[[2 * (f == y) * (1 + l) for y in range(3)] for l in range(2)] for f in range(3)])
    with mp.workdps(40):
        log3 = mp.log(3) / mp.log(2)
        assert abs(numbers.mutual_information(joint, 0, 2, dps=30) - log3) < mp.mpf(10) ** -30
        assert abs(numbers.mutual_information(joint, 2, 0, dps=30) - log3) < mp.mpf(10) ** -30
        assert abs(numbers.conditional_mutual_information(joint, 0, 2, 1, dps=30) - log3) < mp.mpf(10) ** -30
        assert abs(numbers.interaction(joint, dps=30)) < mp.mpf(10) ** -30


def test_plug_in_rounding_bound_by_hand():
    """Σ over the seven tables' positive cells of 4u(1 + |log2 q|)q, u = 2^-53, counted by hand. Uniform 2×2×2:
    singles 3 × 2 cells × 4u·½·2 = 24u, pairs 3 × 4 × 4u·¼·3 = 36u, the triple 8 × 4u·⅛·4 = 16u: 76u. XOR (four
    cells ¼, four empty): 24u + 36u + the triple's 4 × 4u·¼·3 = 12u: 72u; the empty cells add nothing. Both sums
    are exact in binary, so equality is asked for; an exact (Fraction) pmf is taken as its floats. The bound must also cover plug_in's actual error on a generic
    pmf (against the exact μ at 30 digits)."""
    u = 2.0**-53
    uniform = np.full((2, 2, 2), 1 / 8)
    xor = np.array([[[0.25 if y == f ^ l else 0.0 for y in range(2)] for l in range(2)] for f in range(2)])
    assert numbers.plug_in_rounding(uniform) == 76 * u
    assert numbers.plug_in_rounding(xor) == 72 * u
    assert numbers.plug_in_rounding(numbers.exact_joint(np.ceil(xor).astype(int))) == 72 * u  # exact pmf: as floats
    joint = numbers.exact_joint(_GENERIC)
    with mp.workdps(30):
        exact = numbers.interaction(joint, dps=20)
        error = abs(mp.mpf(float(numbers.plug_in(joint.astype(float)))) - exact)
    assert error <= numbers.plug_in_rounding(joint.astype(float))


def _independent_tables():
    """F ~ Bern(1/4), L and Y fair, all independent: per variable S = Σ 1/q and S₂ = Σ 1/q², and a table's sums are
    the products over its variables (independence factorises the cells)."""
    single = {0: (Fraction(16, 3), Fraction(160, 9)), 1: (Fraction(4), Fraction(8)), 2: (Fraction(4), Fraction(8))}
    sums = {}
    for sign, keep in theory.entropy_terms():
        s = s2 = Fraction(1)
        for axis in keep:
            s, s2 = s * single[axis][0], s2 * single[axis][1]
        sums[keep] = (sign, 2 ** len(keep), s, s2)
    return sums


@pytest.mark.parametrize("samples", [1, 3])
def test_bias_expansion_against_hand_sums(samples):
    """The stated Σ_T s_T[−(K_T − 1)/(2N) − (S_T − 1)/(12N²)]/ln 2 and Σ_T |S_T − S₂_T|/(12N³ ln 2), with K, S, S₂
    from the factorised independent pmf (by hand: Σ s(K − 1) = 1, Σ s(S − 1) = 39, Σ|S − S₂| = 12264/9), at N = 1
    (the smallest N allowed) and N = 3 (so N³ and N⁴ differ). The sums of 1/q are float64 (a few ulps each), so
    rel = 1e-12."""
    weights = [[[3 * (f == 0) + (f == 1)] * 2] * 2 for f in range(2)]
    joint = numbers.exact_joint(weights)
    sums = _independent_tables()
    n = samples
    stated = sum(sign * (-(k - 1) / Fraction(2 * n) - (s - 1) / Fraction(12 * n**2))
                 for sign, k, s, _ in sums.values())
    third = sum(abs(s - s2) for _, _, s, s2 in sums.values()) / 12 / n**3
    assert stated == Fraction(-1, 2 * n) - Fraction(39, 12 * n**2)  # the hand sums above
    assert third == Fraction(1022, 9 * n**3)
    got = numbers.bias_expansion(joint, samples=n)
    assert got[0] == pytest.approx(float(stated) / math.log(2), rel=1e-12)
    assert got[1] == pytest.approx(float(third) / math.log(2), rel=1e-12)


def test_bias_expansion_counts_only_positive_cells():
    """XOR: four of the eight cells are empty, so K = 2, 2, 2, 4, 4, 4, 4 and S = 4, 4, 4, 16, 16, 16, 16, S₂ = 8
    (singles) or 64: the stated bias is (3/(2N) + 7/(4N²))/ln 2 and the third order 17/(N³ ln 2) (by hand; all
    inputs dyadic, so only the final divisions round)."""
    xor = numbers.exact_joint([[[int(y == f ^ l) for y in range(2)] for l in range(2)] for f in range(2)])
    n = 5
    stated, third = numbers.bias_expansion(xor, samples=n)
    assert stated == pytest.approx((3 / (2 * n) + 7 / (4 * n**2)) / math.log(2), rel=1e-14)
    assert third == pytest.approx(17 / (n**3 * math.log(2)), rel=1e-14)


def test_sample_counts_are_checked_and_named():
    """N must be an integer in [1, 10^6] for both the expansion and the exact expectation; the error names
    ``samples``. With one sample every plug-in entropy is 0, so E μ̂ = 0 exactly."""
    joint = numbers.exact_joint(_GENERIC)
    for function in (numbers.bias_expansion, numbers.expected_plug_in):
        for bad in (0, 10**6 + 1):
            with pytest.raises(ParameterError) as caught:
                function(joint, samples=bad)
            assert caught.value.parameter == "samples"
    assert numbers.bias_expansion(joint, samples=10**6)[0] < 0
    assert numbers.expected_plug_in(joint, samples=1) == 0


def test_exact_joint_checks_shape_range_and_names_the_weights():
    """Weights: a 3-d array of integers in [0, 10^9]; a 2-d array or a weight 10^9 + 1 is refused naming
    ``weights``; the largest weight is accepted and gives the exact Fractions."""
    with pytest.raises(ParameterError) as caught:
        numbers.exact_joint([[1, 2]])
    assert caught.value.parameter == "weights"
    for bad in (-1, 10**9 + 1):
        with pytest.raises(ParameterError) as caught:
            numbers.exact_joint([[[1, bad]]])
        assert caught.value.parameter == "weights"
    with pytest.raises(ParameterError) as caught:  # ragged: refused by the shape check, not by NumPy's own error
        numbers.exact_joint([[[1, 2]], [[3]]])
    assert caught.value.parameter == "weights"
    joint = numbers.exact_joint([[[10**9, 10**9 - 2]]])
    assert list(joint.ravel()) == [Fraction(10**9, 2 * 10**9 - 2), Fraction(10**9 - 2, 2 * 10**9 - 2)]


def test_samples_for_is_the_smallest_such_n_exactly():
    """min q = 1/49: the smallest N with N/49 ≥ 20 is 980 exactly (N q = 20 is allowed); float64 division
    20/(1/49) gives 980.0000000000001 and rounds up to 981 if the pmf is turned into floats first. A float pmf
    keeps its own (binary) value: 20/0.05 in exact arithmetic is just below 400 (0.05 is stored slightly above
    1/20), so 400. An infinite or NaN cell, no positive cell, or a negative one is not a pmf: refused, naming
    ``joint`` (a NaN was skipped by the old `q > 0` filter and the result silently returned)."""
    joint = numbers.exact_joint([[[1, 48]]])
    assert numbers.samples_for(joint) == 980
    assert numbers.samples_for(joint, per_cell=2) == 98
    assert numbers.samples_for(np.array([[[0.05, 0.95]]])) == 400
    for bad in ([[[np.inf]]], [[[np.nan, 0.5]]], [[[0.0, 0.0]]], [[[-0.1, 1.1]]]):  # no pmf: no N exists
        with pytest.raises(ParameterError) as caught:
            numbers.samples_for(np.array(bad))
        assert caught.value.parameter == "joint"


def test_plug_in_information_batched_against_exact_definitions():
    """Three tables of different totals and shapes 2×3 (rows and columns with different marginals, one empty
    cell) in one call, plus an exact Fraction table: each against the mpmath definition of I(A; B) on the exact
    pmf (L trivial). Tolerance 1e-14: the float64 plug-in of a few terms of size ≤ 1."""
    tables = np.array([[[3, 1, 0], [1, 4, 2]], [[10, 20, 5], [1, 1, 30]], [[1, 1, 1], [2, 2, 2]]], dtype=float)
    got = numbers.plug_in_information(tables)
    assert got.shape == (3,)
    with mp.workdps(30):
        for table, value in zip(tables, got):
            joint = numbers.exact_joint(table.astype(int)[:, None, :])
            assert float(value) == pytest.approx(float(numbers.mutual_information(joint, 0, 2, dps=20)), abs=1e-14)
        exact = numbers.exact_joint([[[1, 3]], [[5, 0]]])
        reference = float(numbers.mutual_information(exact, 0, 2, dps=20))
    assert float(numbers.plug_in_information(exact[:, 0, :])) == pytest.approx(reference, abs=1e-14)
    for bad in ([[1.0, -1.0], [1.0, 1.0]], [[1.0, np.nan], [1.0, 1.0]], [1.0, 2.0]):
        with pytest.raises(ParameterError) as caught:
            numbers.plug_in_information(np.array(bad))
        assert caught.value.parameter == "counts"


def test_plug_in_batched_and_exact_inputs():
    """μ̂ of three count tables of different totals in one call (leading batch axis) and of an exact Fraction pmf,
    each against the exact μ at 30 digits. Tolerance: twice ``plug_in_rounding`` (its first-order bound, plus the
    division of the counts by their total). Negative or NaN counts are refused naming ``counts``."""
    weights = np.array([[[[5, 1], [2, 7]], [[1, 3], [6, 2]]], [[[50, 1], [2, 9]], [[0, 3], [6, 2]]],
                        [[[1, 1], [1, 1]], [[1, 1], [1, 2]]]])
    got = numbers.plug_in(weights.astype(float))
    assert got.shape == (3,)
    for table, value in zip(weights, got):
        joint = numbers.exact_joint(table)
        with mp.workdps(30):
            exact = float(numbers.performance_correlation(joint, dps=20))
        assert float(value) == pytest.approx(exact, abs=2 * numbers.plug_in_rounding(joint.astype(float)))
    joint = numbers.exact_joint(weights[0])
    with mp.workdps(30):
        exact = float(numbers.performance_correlation(joint, dps=20))
    assert float(numbers.plug_in(joint)) == pytest.approx(exact, abs=2 * numbers.plug_in_rounding(joint.astype(float)))
    for bad in (-1.0, np.nan):
        counts = np.ones((2, 2, 2))
        counts[1, 0, 1] = bad
        with pytest.raises(ParameterError) as caught:
            numbers.plug_in(counts)
        assert caught.value.parameter == "counts"


def test_sign_counts_batched_against_a_loop():
    """Two rows of twelve ±1 triples in one call: the (2, 2, 2, 2) table of integer counts must match counting by
    a Python loop, row by row (index 0 for −1, 1 for +1)."""
    rng = np.random.default_rng(3)
    first, second, third = (rng.choice([-1.0, 1.0], (2, 12)) for _ in range(3))
    counts = numbers.sign_counts(first, second, third)
    assert counts.shape == (2, 2, 2, 2) and np.issubdtype(counts.dtype, np.integer)
    for row in range(2):
        expected = np.zeros((2, 2, 2), dtype=int)
        for a, b, c in zip(first[row], second[row], third[row]):
            expected[int(a > 0), int(b > 0), int(c > 0)] += 1
        assert np.array_equal(counts[row], expected)


def test_performance_correlation_carries_its_precision_to_both_terms():
    """μ at dps = 100 against I(F; Y) − I(F; Y | L) at dps = 130 (the two definitions called directly): they agree
    to 10^-100 when both terms are computed at the precision asked for; a term left at the default 50 digits misses by
    about 40 orders."""
    joint = numbers.exact_joint(_GENERIC)
    with mp.workdps(140):
        reference = (numbers.mutual_information(joint, 0, 2, dps=130)
                     - numbers.conditional_mutual_information(joint, 0, 2, 1, dps=130))
        assert abs(numbers.performance_correlation(joint, dps=100) - reference) < mp.mpf(10) ** -100


def test_empty_cells_and_counts_raise_no_numpy_warning():
    """An empty cell of a count table, and the count 0 in the exact expectation, contribute 0·log 0 = 0 without
    NumPy's divide-by-zero warning (a run's output would show it; the values are checked by the tests above); the
    largest N accepted, 10^6, is computed: with F and L constant, the tables with Y are all the same two cells and
    the others one cell, so the signed terms are the same float64 numbers and cancel exactly, E μ̂ = 0.0."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        counts = np.array([[[5.0, 0.0], [2.0, 7.0]], [[1.0, 3.0], [0.0, 2.0]]])
        assert np.isfinite(numbers.plug_in(counts))
        assert math.isfinite(numbers.expected_plug_in(numbers.exact_joint(_GENERIC), samples=50))
        assert numbers.expected_plug_in(numbers.exact_joint([[[1, 1]]]), samples=10**6) == 0.0
