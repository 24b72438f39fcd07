"""The performance correlation and its plug-in estimator, each against an independent computation
(docs/claims/increasing-complexity.md §1)."""

import itertools
import math
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
