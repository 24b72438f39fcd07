"""Convolution: the Fourier reduction (exact and numeric) against direct circular sums, its corruptions, and the
convolutional trainer against the network evaluated layer by layer."""

import math

import numpy as np
import pytest

from theory import convolution as theory
from theory.derivation import DerivationError
from verify.claim import Run
from verify.claims import convolution as claim
from verify.training import classifier_checks as experiment
from verify.training import classifiers as training

CORRUPTED = {
    "conjugated filters (cross-correlation taken at face value)":
        lambda last, filters, conjugate: last * math.prod(conjugate(f) for f in filters),
    "last layer conjugated": lambda last, filters, conjugate: conjugate(last) * math.prod(filters),
    "last layer dropped": lambda last, filters, conjugate: math.prod(filters),
}


@pytest.mark.parametrize("dimension, depth", [(4, 2), (4, 3), (6, 2)])
def test_the_reduction_is_exact(dimension, depth):
    derivation = theory.reduction_derivation(dimension, depth)
    assert derivation.exact and len(derivation.steps) == 4


@pytest.mark.parametrize("dimension, depth", [(4, 2), (3, 3)])
def test_the_gradient_flow_moves_each_frequency_alone_at_theorem_1s_rate(dimension, depth):
    derivation = theory.flow_derivation(dimension, depth)
    assert derivation.exact and len(derivation.steps) == 2


@pytest.mark.parametrize("name", sorted(CORRUPTED))
def test_a_corrupted_fourier_product_fails_the_exact_derivation(name):
    with theory.substituted(fourier_product=CORRUPTED[name]), pytest.raises(DerivationError):
        theory.reduction_derivation(4, 3)


def test_one_layer_is_keras_valid_conv1d_over_the_wrapped_input():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=9), rng.normal(size=9)
    keras = np.correlate(np.concatenate([x, x[:-1]]), w, mode="valid")  # Σ_j x_{i+j} w_j over [x, x_{0:d−1}]
    assert np.allclose(theory.cross_correlation(list(w), list(x)), keras, rtol=1e-14)
    assert np.allclose(claim._cross_correlation_matrix(w) @ x, keras, rtol=1e-14)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_fourier_product_equals_direct_sums_to_machine_precision(depth):
    rng = np.random.default_rng(depth)
    layers = [rng.normal(size=100) for _ in range(depth)]
    direct = np.fft.rfft(np.array(theory.predictor(layers[0], layers[1:]), dtype=float))
    stated = theory.fourier_product(np.fft.rfft(layers[0]), [np.fft.rfft(w) for w in layers[1:]], np.conj)
    scale = math.prod(np.abs(layer).sum() for layer in layers)
    assert np.abs(direct - stated).max() / scale < 1e-15
    wrong = CORRUPTED["conjugated filters (cross-correlation taken at face value)"](
        np.fft.rfft(layers[0]), [np.fft.rfft(w) for w in layers[1:]], np.conj)
    assert np.abs(direct - wrong).max() > 0.1 * np.abs(direct).max()


def test_the_numeric_check_refutes_a_corrupted_product():
    case, run = experiment.ClassifierCase(0, 4, 64, 200, 0.01, 100), Run(claim="convolution")
    measured = claim.CLAIM.reduction_numeric(case, run)
    assert measured.error <= measured.tolerance
    with theory.substituted(fourier_product=CORRUPTED["conjugated filters (cross-correlation taken at face value)"]):
        measured = claim.CLAIM.reduction_numeric(case, run)
        assert measured.error > measured.tolerance


def test_labelling_direction_has_the_fourier_target():
    u = claim.CONVOLUTIONAL.target(100)
    amplitudes = np.abs(np.fft.rfft(u))
    assert np.linalg.norm(u) == pytest.approx(1)
    assert np.allclose(amplitudes[:4] / amplitudes[3], np.array(claim.SPECTRUM) / 12) and amplitudes[4:].max() < 1e-12
    assert claim.CONVOLUTIONAL.support(100) == (3, 2, 1, 0)
    assert claim.CONVOLUTIONAL.variances(100)[:3] == pytest.approx([100, 50, 50])


def test_trained_networks_compute_their_fft_predictor_layer_by_layer():
    rng = np.random.default_rng(0)
    u = claim.CONVOLUTIONAL.target(32)
    x = rng.normal(size=(80, 32))
    y = np.where(x @ u >= 0, 1.0, -1.0)
    experiments = [training.Experiment(depth, 0.01, 0.01, 0, 150, 0.4) for depth in (1, 2, 3)]
    runs = training.train("convolutional", experiments, [training.Data(x, y)], record=[0], device="cpu")
    assert np.allclose(runs.amplitudes[:, 0, :17], 0.01)  # identity filters: every amplitude starts at σ_0
    for index, (last, *filters) in enumerate(runs.layers):
        direct = np.array(theory.predictor(list(last), [list(w) for w in filters]), dtype=float)
        assert np.allclose(runs.predictors[index], direct, rtol=1e-12, atol=1e-15)
        hidden = x
        for w in filters:
            hidden = np.array([theory.cross_correlation(list(w), list(row)) for row in hidden])
        assert np.allclose(hidden @ last, x @ runs.predictors[index], rtol=1e-11, atol=1e-14)


def test_mixed_dimensions_train_in_one_program_as_alone():
    rng = np.random.default_rng(1)
    data = []
    for d in (16, 24):
        x = rng.normal(size=(50, d))
        data.append(training.Data(x, np.where(x @ claim.CONVOLUTIONAL.target(d) >= 0, 1.0, -1.0)))
    experiment = training.Experiment(3, 0.01, 0.02, 1, 80, 0.3)
    alone = training.train("convolutional", [experiment], [data[1]] * 2, device="cpu")
    batch = training.train("convolutional", [training.Experiment(2, 0.01, 0.05, 0, 80, 0.3), experiment], data,
                           device="cpu")
    assert np.allclose(batch.predictors[1, :24], alone.predictors[0, :24], rtol=1e-12, atol=1e-15)
