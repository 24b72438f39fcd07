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
