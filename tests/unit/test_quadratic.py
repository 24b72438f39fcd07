"""Quadratic networks: the identity and the eigenvalue dynamics against independent references."""

from fractions import Fraction

import numpy as np
import pytest

from numerics import gd, quadratic, toy
from theory import quadratic as theory

TARGETS = [1, Fraction(1, 2), 0]


def test_derivations_are_exact():
    assert theory.population_identity(3).exact
    assert theory.eigenvalue_flow().exact


def test_variance_gd_map_is_depth_two_toy_gd_with_four_times_the_step():
    steps = [0, 10, 100, 400]
    eigen = quadratic.eigenvalue_gd(TARGETS, init="1e-4", step=Fraction(1, 64), steps=steps, coupled=False)
    for index, star in enumerate(TARGETS[:2]):
        toy_gd = gd.replay(steps, depth=2, target=star, init="1e-4", step=Fraction(4, 64), dps=30)
        assert all(abs(e[index] - t) < 1e-25 for e, t in zip(eigen, toy_gd.sigma))


def test_variance_flow_is_theorem1_at_four_times_the_time():
    times = [0.5, 1, 2, 4]
    flow = quadratic.eigenvalue_flow(TARGETS, init="1e-3", times=times, coupled=False)
    for row, t in zip(flow, times):
        for index, star in enumerate(TARGETS[:2]):
            exact = float(toy.sigma_at(4 * t, depth=2, target=star, init="1e-3", dps=20))
            assert abs(row[index] - exact) <= 1e-8 * exact


def test_coupled_flow_overshoots_and_grows_spurious_eigenvalues():
    times = np.linspace(0, 6, 121)
    targets = [1, Fraction(1, 2), Fraction(1, 3), Fraction(1, 4)] + [0] * 16
    coupled = quadratic.eigenvalue_flow(targets, init="1e-4", times=times, coupled=True)
    assert coupled[:, 0].max() > 1.1 and coupled[:, 4].max() > 100e-4
    free = quadratic.eigenvalue_flow(targets, init="1e-4", times=times, coupled=False)
    assert free[:, 0].max() <= 1 and free[:, 4].max() <= 1e-4 * (1 + 1e-9)


def test_bad_targets():
    with pytest.raises(ValueError, match="targets"):
        quadratic.eigenvalue_gd([], init="1e-4", step="0.01", steps=[1], coupled=True)


def _experiment(loss, init, step, record, seed=0, samples=None, size=3):
    from numerics import quadratic_data
    from verify.training import quadratic as training

    rng = np.random.default_rng(seed)
    weights = quadratic_data.orthogonal_weights(rng, init=init, size=size)
    inputs = quadratic_data.gaussian_inputs(rng, samples=samples, size=size) if samples else None
    return training.Experiment(loss, weights, step, record, inputs)


def test_trained_population_losses_follow_the_eigenvalue_gd_maps():
    """Full 3 × 3 W from a random orthogonal init: the eigenvalues of WᵀW are the eigenvalue GD map's, with the
    bias at its optimum (variance loss) and without it (population loss, coupled through the trace)."""
    from verify.training import quadratic as training

    record = (0, 50, 200)
    runs = training.train([_experiment("variance", "1e-3", Fraction(1, 64), record),
                           _experiment("population", "1e-3", Fraction(1, 64), record, seed=1)], TARGETS, device="cpu")
    for b, coupled in enumerate((False, True)):
        exact = quadratic.eigenvalue_gd(TARGETS, init="1e-3", step=Fraction(1, 64), steps=record, coupled=coupled)
        reference = np.sort(np.array(exact, dtype=float), axis=1)[:, ::-1]
        assert np.allclose(runs.values[b], reference, rtol=1e-12, atol=0)
    assert runs.finite.all() and runs.device == "cpu" and runs.dtype == "float64"


def test_a_data_experiment_trains_the_same_alone_and_in_a_batch():
    from verify.training import quadratic as training

    batch = training.train([_experiment("bias", "1e-3", 0.004, (0, 300), samples=40),
                            _experiment("no-bias", "1e-2", 0.004, (0, 100, 600), seed=2, samples=25),
                            _experiment("variance", "1e-3", 0.01, (0, 800))], TARGETS, device="cpu")
    alone = training.train([_experiment("no-bias", "1e-2", 0.004, (0, 100, 600), seed=2, samples=25)], TARGETS,
                           device="cpu")
    assert np.allclose(batch.values[1], alone.values[0], rtol=1e-12, atol=1e-15)
    assert np.isnan(batch.values[0, 2:]).all() and batch.steps[1] == (0, 100, 600)


def test_trainer_flags_divergence_and_names_bad_fields():
    from verify.training import quadratic as training

    runs = training.train([_experiment("variance", "1e-3", 10.0, (0, 200)),
                           _experiment("variance", "1e-3", 0.01, (0, 5))], TARGETS, device="cpu")
    assert list(runs.finite) == [False, True]
    for experiment, message in ((_experiment("ridge", "1e-3", 0.01, (0,)), "loss="),
                                (_experiment("bias", "1e-3", 0.01, (0,)), "inputs"),
                                (_experiment("variance", "1e-3", 0.01, ()), "record"),
                                (_experiment("variance", "1e-3", 0.01, (0,), size=4), "weights")):
        with pytest.raises(ValueError, match=message):
            training.train([experiment], TARGETS, device="cpu")


def test_data_padded_to_given_rows_train_to_the_same_bits_alone_and_in_a_batch():
    from verify.training import quadratic as training

    small = _experiment("no-bias", "1e-3", 0.01, (0, 40), seed=1, samples=13)
    large = _experiment("bias", "1e-3", 0.01, (0, 40), seed=2, samples=97)
    together = training.train([large, small], TARGETS, rows=97, device="cpu").values[1]
    alone = training.train([small], TARGETS, rows=97, device="cpu").values[0]
    assert np.array_equal(together, alone)
    with pytest.raises(ValueError, match="rows=12 is invalid: a whole number at least 13, the batch's largest"):
        training.train([small], TARGETS, rows=12, device="cpu")


# Written against mutants that mutmut left alive (docs/mutation-testing.md): the data of quadratic_data.

@pytest.mark.parametrize(("init", "size"), [(9, 5), (Fraction(1, 4), 1), ("1e-3", 3)])
def test_orthogonal_weights_give_init_times_the_identity(init, size):
    """W = √init·Q with Q orthogonal: WᵀW = WWᵀ = init·I (to d·1e-15 relative, Householder QR's orthogonality
    in float64), at init 9 (√9 = 3, where init/2 = 4.5 and init^1.5 = 27 differ), 1/4 with d = 1 (W = ±1/2), and
    1e-3; the same seed gives the same W, another seed another one (for d > 1; for d = 1, Q = ±1)."""
    from numerics import quadratic_data

    weights = quadratic_data.orthogonal_weights(np.random.default_rng(7), init=init, size=size)
    scale = float(Fraction(init))
    assert weights.shape == (size, size)
    for product in (weights.T @ weights, weights @ weights.T):
        assert np.abs(product - scale * np.eye(size)).max() <= size * 1e-15 * scale
    again = quadratic_data.orthogonal_weights(np.random.default_rng(7), init=init, size=size)
    other = quadratic_data.orthogonal_weights(np.random.default_rng(8), init=init, size=size)
    assert np.array_equal(weights, again) and (size == 1 or not np.array_equal(weights, other))


def test_gaussian_inputs_shape_and_law():
    """n × d standard normal draws: shape (n, d) at the extremes n = 1, d = 1 and n = 10^6 (the largest accepted);
    the mean and variance of 10^6 draws within 5 standard errors (5e-3 and 5·√2·1e-3) of 0 and 1."""
    from numerics import quadratic_data

    rng = np.random.default_rng(3)
    assert quadratic_data.gaussian_inputs(rng, samples=1, size=1).shape == (1, 1)
    assert quadratic_data.gaussian_inputs(rng, samples=2, size=1000).shape == (2, 1000)
    draws = quadratic_data.gaussian_inputs(rng, samples=10**6, size=1)
    assert draws.shape == (10**6, 1)
    assert abs(draws.mean()) < 5e-3 and abs(draws.var() - 1) < 5 * 2**0.5 * 1e-3


@pytest.mark.parametrize(("call", "parameter"), [
    (lambda q, rng: q.orthogonal_weights(rng, init=1, size=0), "size"),
    (lambda q, rng: q.orthogonal_weights(rng, init=1, size=1001), "size"),
    (lambda q, rng: q.orthogonal_weights(rng, init=1, size=2.5), "size"),
    (lambda q, rng: q.orthogonal_weights(rng, init=0, size=2), "init"),
    (lambda q, rng: q.orthogonal_weights(rng, init=-1, size=2), "init"),
    (lambda q, rng: q.gaussian_inputs(rng, samples=0, size=2), "samples"),
    (lambda q, rng: q.gaussian_inputs(rng, samples=10**6 + 1, size=2), "samples"),
    (lambda q, rng: q.gaussian_inputs(rng, samples=2, size=0), "size"),
    (lambda q, rng: q.gaussian_inputs(rng, samples=2, size=1001), "size"),
])
def test_quadratic_data_names_the_bad_parameter(call, parameter):
    """Sizes outside [1, 1000] (inputs: samples in [1, 10^6]) and init ≤ 0 are refused, naming the parameter."""
    from numerics import quadratic_data
    from numerics.arguments import ParameterError

    with pytest.raises(ParameterError) as error:
        call(quadratic_data, np.random.default_rng(0))
    assert error.value.parameter == parameter
