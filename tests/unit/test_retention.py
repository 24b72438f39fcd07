"""Retention: the disagreement of two linear classifiers, the closest interpolant and the batched SGD trainer,
each against an independent computation (docs/claims/increasing-complexity.md §2)."""

import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from numerics import retention as numbers
from numerics.arguments import ParameterError
from theory import least_squares
from verify.training.linear_sgd import Data, Experiment, train


@pytest.mark.parametrize("angle", [Fraction(1, 7), Fraction(3, 2), Fraction(3)])
def test_disagreement_quadrature_is_angle_over_pi(angle):
    assert float(numbers.disagreement_by_quadrature(angle, dps=20)) == pytest.approx(float(angle) / math.pi, abs=1e-16)
    assert numbers.disagreement(float(angle)) == pytest.approx(float(angle) / math.pi, rel=1e-15)
    with pytest.raises(ParameterError, match="angle"):
        numbers.disagreement_by_quadrature(4)


def test_angle_is_accurate_for_nearly_parallel_vectors():
    u, v = np.array([1.0, 0.0]), np.array([1.0, 1e-9])
    with mp.workdps(30):
        exact = float(mp.atan(mp.mpf("1e-9")))
    assert numbers.angle(u, v) == pytest.approx(exact, rel=1e-12)


def test_limit_interpolates_and_keeps_the_outside_component():
    rng = np.random.default_rng(4)
    x, y, init = rng.standard_normal((3, 7)), rng.choice([-1.0, 1.0], 3), rng.standard_normal(7)
    limit = numbers.limit(x, y, init)
    assert x @ limit == pytest.approx(y, abs=1e-13)
    assert numbers.outside_span(x, limit) == pytest.approx(numbers.outside_span(x, init), abs=1e-13)
    assert numbers.angle(init, limit) / math.pi <= numbers.retention_bound(x, y, init)


def test_one_sgd_step_is_the_projection_onto_the_sample_hyperplane():
    """n = 1, x = (3, 4), y = 1, w₀ = 0: the step 1/‖x‖² on ½(xᵀw − y)² lands on x/‖x‖² = (0.12, 0.16)."""
    data = [Data(np.array([[3.0, 4.0]]), np.array([1.0]))]
    runs = train([Experiment(0, (0.0, 0.0), 1, seed=0, record=(0, 1))], data, device="cpu")
    assert runs.final[0] == pytest.approx([0.12, 0.16], rel=1e-15)
    assert runs.recorded[0][0] == pytest.approx([0.0, 0.0]) and runs.finite.all()


def test_sgd_results_do_not_depend_on_the_batch():
    rng = np.random.default_rng(5)
    small = Data(rng.standard_normal((2, 5)), np.array([1.0, -1.0]))
    large = Data(rng.standard_normal((4, 9)), np.ones(4))
    alone = train([Experiment(0, (0.1,) * 5, 30, seed=3)], [small], device="cpu").final[0]
    together = train([Experiment(0, (0.0,) * 9, 50, seed=4), Experiment(1, (0.1,) * 5, 30, seed=3)], [large, small],
                     device="cpu").final[1]
    assert together == pytest.approx(alone, abs=1e-15)  # padded to the batch: equal up to rounding
    # padded to one shape, alone and together: the same bits (padded to the batch, these two differ by 8e-17)
    narrow = Data(rng.standard_normal((3, 40)), rng.standard_normal(3))
    wide = Data(rng.standard_normal((6, 300)), np.ones(6))
    alone = train([Experiment(0, (0.1,) * 40, 30, seed=3)], [narrow], shape=(6, 300), device="cpu").final[0]
    together = train([Experiment(0, (0.0,) * 300, 50, seed=4), Experiment(1, (0.1,) * 40, 30, seed=3)], [wide, narrow],
                     shape=(6, 300), device="cpu").final[1]
    assert np.array_equal(together, alone)
    with pytest.raises(ValueError, match=r"shape\[0\]=5 is invalid: a whole number at least 6, the batch's largest"):
        train([Experiment(0, (0.0,) * 300, 50, seed=4)], [wide], shape=(5, 300), device="cpu")
    with pytest.raises(ValueError, match=r"shape=\(6,\) is invalid: two whole numbers \(n, d\)"):
        train([Experiment(0, (0.0,) * 300, 50, seed=4)], [wide], shape=(6,), device="cpu")


def test_trainer_rejects_bad_experiments():
    data = [Data(np.ones((2, 3)), np.ones(2))]
    with pytest.raises(ValueError, match="init"):
        train([Experiment(0, (0.0,), 5, seed=0)], data)
    with pytest.raises(ValueError, match="zero"):
        train([Experiment(0, (0.0,) * 3, 5, seed=0)], [Data(np.zeros((1, 3)), np.ones(1))])
    with pytest.raises(ParameterError, match="steps"):
        train([Experiment(0, (0.0,) * 3, 0, seed=0)], data)


# --- tests written against surviving mutants (docs/mutation-testing.md) -----------------------------------------

def test_disagreement_at_the_ends_and_named_errors():
    """θ = 0: the classifiers agree everywhere (0); θ = π: they disagree everywhere (1); both ends are allowed. A
    non-number is refused naming ``angle``, by both the stated form and the quadrature."""
    assert numbers.disagreement(0) == 0
    assert numbers.disagreement(math.pi) == 1
    for function in (numbers.disagreement, numbers.disagreement_by_quadrature):
        with pytest.raises(ParameterError) as caught:
            function(float("nan"))
        assert caught.value.parameter == "angle"


def test_quadrature_refuses_the_closed_ends():
    """The quadrature needs cot θ finite: θ = 0 and the angle equal to π at the check's 30 digits (the Fraction of
    mpmath's 30-digit π) are refused (an angle just inside, 3, is accepted: the first test)."""
    with mp.workdps(30):
        pi30 = mp.pi
        man, exp = (+pi30).man_exp
    for bad in (0, Fraction(man) * Fraction(2) ** exp):
        with pytest.raises(ParameterError) as caught:
            numbers.disagreement_by_quadrature(bad, dps=20)
        assert caught.value.parameter == "angle"


def test_angle_of_vectors_of_different_lengths():
    """∠((3, 0), (2, 2)) = π/4 and ∠((3, 0, 0), (0, −5, 0)) = π/2, whatever the lengths (the vectors are
    normalised first); Kahan's formula is accurate to a few ulps here."""
    assert numbers.angle([3.0, 0.0], [2.0, 2.0]) == pytest.approx(math.pi / 4, rel=1e-15)
    assert numbers.angle([3.0, 0.0, 0.0], [0.0, -5.0, 0.0]) == pytest.approx(math.pi / 2, rel=1e-15)
    assert numbers.angle([0.5, 0.5], [-4.0, -4.0]) == pytest.approx(math.pi, rel=1e-15)


def test_retention_bound_by_hand():
    """X = diag(2, 4, 6) padded with a zero column (s_min = 2), w₀ = (½, 0, 0, √3/2) (‖w₀‖ = 1, Xw₀ = (1, 0, 0)),
    y = (1, 1, 1): ‖y − Xw₀‖ = √2, so arcsin(√2/(1·2))/π = arcsin(1/√2)/π = 1/4. With w₀ scaled by 1/10 the ratio
    exceeds 1 and the bound is capped at arcsin(1)/π = 1/2. Float64 rounding of a few operations: rel 1e-14."""
    x = np.array([[2.0, 0, 0, 0], [0, 4.0, 0, 0], [0, 0, 6.0, 0]])
    init, targets = np.array([0.5, 0, 0, math.sqrt(3) / 2]), np.ones(3)
    assert numbers.retention_bound(x, targets, init) == pytest.approx(0.25, rel=1e-14)
    assert numbers.retention_bound(x, targets, init / 10) == 0.5


def test_outside_span_by_hand():
    """Rows e₁ + e₂ and e₂ (span {e₁, e₂}) in ℝ³: (I − P)(1, 2, 3) = (0, 0, 3). The QR basis carries float64 rounding
    of a few ulps of ‖v‖ ≈ 3.7: abs 1e-14."""
    inputs = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    assert numbers.outside_span(inputs, [1.0, 2.0, 3.0]) == pytest.approx([0.0, 0.0, 3.0], abs=1e-14)


def test_the_limit_follows_a_substituted_statement_and_returns_after_it():
    """w∞ is compiled once per stated form: under a substituted limit (here w₀ itself, a corruption) the numbers follow
    it, and the stated w∞ = w₀ + X⁺(y − Xw₀) returns afterwards (a cache keyed by anything but the statement would
    serve one form for the other)."""
    x = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])
    y, w0 = np.array([1.0, -1.0]), np.array([0.5, 0.0, 2.0])
    stated = w0 + np.linalg.pinv(x) @ (y - x @ w0)  # two float64 routes (cond X = 2.4): a few ulps of |w| ≤ 2 apart
    assert np.allclose(numbers.limit(x, y, w0), stated, rtol=0, atol=1e-12)
    with least_squares.substituted(limit=lambda inputs, targets, init: init):
        assert np.array_equal(numbers.limit(x, y, w0), w0)
    assert np.allclose(numbers.limit(x, y, w0), stated, rtol=0, atol=1e-12)
