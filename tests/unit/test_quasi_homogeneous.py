"""The quasi-homogeneous toy's limits and trainer (docs/claims/quasi-homogeneous.md)."""

from fractions import Fraction

import numpy as np
import pytest

from numerics import quasi_homogeneous as limits
from numerics.arguments import ParameterError
from theory import quasi_homogeneous as theory


@pytest.mark.parametrize("inputs, labels, expected", [
    ((1, "1.5", 2, -3, "-3.5", -4), (1, 1, 1, -1, -1, -1), (Fraction(1, 2), Fraction(1, 2))),  # both supports active
    ((1, -4), (1, -1), (Fraction(1, 2), Fraction(1, 2))),  # only x = 1 active: (x, 1)/(x² + 1)
    ((2, -1), (1, -1), (Fraction(2, 3), Fraction(-1, 3))),  # w·2 + b = 1, −(−w + b) = 1
])
def test_augmented_svm_exact_and_nnls(inputs, labels, expected):
    assert limits.exact_augmented_svm(inputs, labels) == expected
    assert np.allclose(limits.augmented_svm(inputs, labels), [float(v) for v in expected], rtol=1e-12)


def test_inseparable_data_is_refused():
    with pytest.raises(ParameterError, match="labels"):
        limits.exact_augmented_svm((1, 1), (1, -1))


def test_stated_toy_rates_favour_the_bias():
    assert theory.bias_is_discarded()
    with theory.substituted(toy_rates=lambda: {"v": 1, "w": 1, "b": 1}):
        assert not theory.bias_is_discarded()


def test_trainer_reads_thresholds_on_the_way_to_both_limits():
    """x = 1 against x = −3: the homogeneous threshold tends to the SVM's −1, the quasi toy's to 0."""
    from verify.training import quasi_homogeneous as training

    data = ((1.0, -3.0), (1, -1))
    runs = training.train([training.Experiment(model, *data, 0.5, 0.1) for model in training.MODELS],
                          levels=(10, 1000), steps=5000, device="cpu")
    assert (runs.reached > 0).all() and runs.finite.all()
    homogeneous, quasi = runs.thresholds
    assert abs(homogeneous[1] + 1) < abs(homogeneous[0] + 1) < 1
    assert abs(quasi[1]) < abs(quasi[0]) and abs(quasi[1]) < 0.05


# Against mutants that mutmut left alive (docs/mutation-testing.md): an optimum with one active constraint away from
# x = ±1, an optimum that other orderings of the candidates would miss, the threshold, and the bad inputs by name.


def test_single_active_constraint_away_from_unit_input():
    """Inputs 2 (+1) and −5 (−1): the least-norm point of the half-plane 2w + b ≥ 1 is (2, 1)/5, and it also
    separates −5 (−1·(−2 + 1/5) = 9/5 ≥ 1), so it is the optimum (the two-active point (2/7, 3/7) has norm² 13/49 > 1/5).
    At x = ±1 the formulas (x, 1)/(x² + 1) cannot be told from their variants; here they can."""
    assert limits.exact_augmented_svm((2, -5), (1, -1)) == (Fraction(2, 5), Fraction(1, 5))
    assert np.allclose(limits.augmented_svm((2, -5), (1, -1)), [0.4, 0.2], rtol=1e-12)


def test_least_norm_is_chosen_over_a_candidate_with_smaller_linear_terms():
    """Inputs −1 (−1) and 4 (+1): the feasible candidates are (1, −1)/2 (one active, norm² 1/2) and the two-active
    (2/5, −3/5) (norm² 13/25): the optimum is the first, although w² + 2b and w² + b³ are smaller at the second."""
    assert limits.exact_augmented_svm((-1, 4), (-1, 1)) == (Fraction(1, 2), Fraction(-1, 2))


def test_threshold_is_minus_b_over_w():
    """−b/w: exact for Fractions, 1/2 for (2/3, −1/3) and −3/2 for (2, 3)."""
    assert limits.threshold((Fraction(2, 3), Fraction(-1, 3))) == Fraction(1, 2)
    assert limits.threshold((Fraction(2), Fraction(3))) == Fraction(-3, 2)


def test_bad_inputs_are_refused_by_name():
    """A non-number input names ``inputs``, a non-number label ``labels``; labels not ±1, a label count that is not
    the input count, and no inputs at all are refused as labels with the same reason."""
    with pytest.raises(ParameterError) as error:
        limits.exact_augmented_svm((1, None), (1, -1))
    assert error.value.parameter == "inputs"
    with pytest.raises(ParameterError) as error:
        limits.exact_augmented_svm((1, -1), (1, None))
    assert error.value.parameter == "labels"
    for inputs, labels in (((1, -1), (1, 2)), ((1, -1, 2), (1, -1)), ((1, -1), (1,)), ((), ())):
        with pytest.raises(ParameterError, match="one label ±1 per input") as error:
            limits.exact_augmented_svm(inputs, labels)
        assert error.value.parameter == "labels"
