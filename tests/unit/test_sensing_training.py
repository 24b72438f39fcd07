"""Batched deep matrix sensing in torch, against independent references: the toy model's own trainer,
NumPy's closed form of linear gradient descent, and the same experiment trained alone."""

import threading
from fractions import Fraction

import numpy as np
import pytest
import torch

from numerics import sensing_data
from verify.training import placement
from verify.training import sensing as training
from verify.training import toy as toy_training

TARGET = np.diag([3.0, 2.0, 1.0, 0.0, 0.0, 0.0])


def _data(seed: int, samples: int) -> np.ndarray:
    return sensing_data.gaussian_measurements(np.random.default_rng(seed), samples, 6)


def _gaussian(seed, depth, init, step, record, **fields):
    layers = sensing_data.gaussian_factors(np.random.default_rng(seed), depth=depth, init=init, size=6)
    return training.Experiment(layers, TARGET, fields.pop("dataset", 0), step, record, **fields)


def test_aligned_training_is_the_toy_models_gradient_descent():
    """Full 6 × 6 layers on diagonal isotropic measurements against verify.training.toy (diagonal networks)."""
    depth, init, step, record = 3, Fraction(1, 100), Fraction(1, 200), (0, 100, 400, 900)
    layers = sensing_data.balanced_factors(depth=depth, init=init, size=6)
    runs = training.train([training.Experiment(layers, TARGET, 0, step, record)],
                          [sensing_data.aligned_measurements(6)], top=3, device="cpu")
    targets = (Fraction(3), Fraction(2), Fraction(1))
    toy = toy_training.train([toy_training.Experiment(depth, targets, init, step, record)], device="cpu")
    assert np.allclose(runs.singular[0], toy.sigma[0], rtol=1e-12, atol=0)
    assert not (runs.final[0] - np.diag(np.diag(runs.final[0]))).any()
    assert runs.device == "cpu" and runs.dtype == "float64" and runs.finite.all()


def test_depth_one_follows_the_closed_form_of_linear_gradient_descent():
    """w_k = w_mn + P_null w_0 + (I − ηAᵀA/n)^k P_row(w_0 − w*), computed with NumPy."""
    sensing, step, steps = _data(3, 20), 0.1, 150
    runs = training.train([_gaussian(3, 1, 0.01, step, (0, steps))], [sensing], device="cpu")
    start, star = runs.initial[0].ravel(), TARGET.ravel()
    solution = np.linalg.pinv(sensing) @ (sensing @ star)
    row = np.linalg.pinv(sensing) @ sensing
    iteration = np.linalg.matrix_power(np.eye(36) - step * sensing.T @ sensing / 20, steps)
    expected = solution + (start - row @ start) + iteration @ row @ (start - star)
    assert np.allclose(runs.final[0].ravel(), expected, rtol=0, atol=1e-12)
    assert runs.loss[0] == pytest.approx(0.5 * np.mean((sensing @ (runs.final[0].ravel() - star)) ** 2), rel=1e-12)


def test_an_experiment_trains_the_same_alone_and_sharing_its_dataset():
    data = [_data(1, 30), _data(2, 30)]
    batch = training.train([_gaussian(4, 2, 0.01, 0.02, (0, 50, 200), levels=(1.5, 1.0)),
                            _gaussian(5, 3, 0.02, 0.01, (0, 300), samples=20, levels=(1.5,)),
                            _gaussian(6, 1, 0.01, 0.05, (0, 100), dataset=1)], data, device="cpu")
    alone = training.train([_gaussian(5, 3, 0.02, 0.01, (0, 300), levels=(1.5,))], [data[0][:20]], device="cpu")
    assert np.allclose(batch.final[1], alone.final[0], rtol=1e-12, atol=1e-15)
    assert batch.crossings[1, 0] == alone.crossings[0, 0] and (batch.crossings[2] == -1).all()
    assert np.isnan(batch.singular[1, 2:]).all() and batch.finite.all()
    assert batch.steps == ((0, 50, 200), (0, 300), (0, 100))


def test_crossings_are_the_first_steps_reaching_each_level():
    every = tuple(range(301))
    runs = training.train([_gaussian(9, 2, 1e-3, 0.02, every, levels=(1.5, 1.0, 0.5))], [_data(9, 30)], device="cpu")
    for i, level in enumerate((1.5, 1.0, 0.5)):
        reached = np.nonzero(runs.singular[0, :, i] >= level)[0]
        assert runs.crossings[0, i] == (reached[0] if len(reached) else -1)


def test_divergence_is_flagged_per_experiment_not_hidden():
    runs = training.train([_gaussian(0, 2, 0.1, 5.0, (0, 100)), _gaussian(0, 2, 0.1, 0.01, (0, 100))],
                          [_data(0, 30)], device="cpu")
    assert list(runs.finite) == [False, True]


@pytest.mark.parametrize("change, message", [
    (dict(dtype="float16"), "dtype="), (dict(factors=np.zeros((2, 5, 6))), r"factors has shape"),
    (dict(factors=np.full((2, 6, 6), np.nan)), "factors is invalid"), (dict(factors=np.zeros((17, 6, 6))), "N <= 16"),
    (dict(step=0), "step="), (dict(target=np.zeros((5, 6))), "target"),
    (dict(datasets=[np.zeros((4, 35))]), "datasets"),
    (dict(samples=31), "samples="), (dict(dataset=1), "dataset="), (dict(record=()), "record"),
    (dict(levels=(1, 1, 1, 1, 1, 1)), "levels"), (dict(experiments=[]), "experiments=\\[\\]"),
    (dict(device="tpu"), "device="),
])
def test_invalid_arguments_name_themselves(change, message):
    fields = dict(factors=np.full((2, 6, 6), 0.1), target=TARGET, dataset=0, step=0.01, record=(0, 2))
    options = dict(datasets=[_data(0, 30)], device="cpu")
    for name in list(change):
        (fields if name in fields or name in ("samples", "levels") else options)[name] = change[name]
    experiments = options.pop("experiments", [training.Experiment(**fields)])
    with pytest.raises(ValueError, match=message):
        training.train(experiments, options.pop("datasets"), **options)


def test_large_datasets_train_in_programs_of_their_own_each_computing_what_it_computes_alone(monkeypatch):
    """Datasets count as large here (LARGE_DATASET = 1): the three datasets train in two programs at once (on threads,
    balanced by cost) and every recorded number is bit-for-bit what each dataset's experiments give in a call of their
    own; at the real threshold these small datasets share one program. Asked to stop (as ``concurrently`` asks on a
    Ctrl-C), a program ends at its next step: here the first."""
    data = [_data(1, 30), _data(2, 40), _data(3, 25)]
    experiments = [_gaussian(4, 2, 0.01, 0.02, (0, 50, 200), levels=(1.5, 1.0)),
                   _gaussian(7, 3, 0.02, 0.01, (0, 120), dataset=2, levels=(1.0,)),
                   _gaussian(5, 3, 0.02, 0.01, (0, 300), samples=20, dataset=1, levels=(1.5,)),
                   _gaussian(6, 1, 0.01, 0.05, (0, 100, 150, 160), dataset=1)]
    programs = []

    def counted(work, where):
        programs.append(len(work))
        return placement.concurrently(work, where)

    def stopped(work, where):  # as concurrently asks its programs to stop on a Ctrl-C
        stopping = threading.Event()
        stopping.set()
        return [program(stopping) for program in work]

    monkeypatch.setattr(training, "concurrently", stopped)
    with pytest.raises(placement.Stopped, match="stopped at step 0 of 300"):
        training.train(experiments, data, device="cpu")
    monkeypatch.setattr(training, "concurrently", counted)
    training.train(experiments, data, device="cpu")
    monkeypatch.setattr(training, "LARGE_DATASET", 1)
    batch = training.train(experiments, data, device="cpu")
    assert programs == [1, min(2, placement.lanes(torch.device("cpu")))]
    for dataset in range(3):
        members = [b for b, e in enumerate(experiments) if e.dataset == dataset]
        alone = training.train([experiments[b] for b in members], data, device="cpu")
        slots = alone.singular.shape[1]
        assert np.array_equal(batch.singular[members, :slots], alone.singular, equal_nan=True)
        assert np.isnan(batch.singular[members, slots:]).all()
        for field in ("crossings", "initial", "final", "loss", "finite"):
            assert np.array_equal(getattr(batch, field)[members], getattr(alone, field)), field
