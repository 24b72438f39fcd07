"""Classification: the population-loss derivations and their corruptions, the Monte Carlo check, the data, the
batched exponential-loss trainer against independent replays, and the shared judging helpers."""

from dataclasses import replace
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp

from numerics import classification_data
from numerics.arguments import ParameterError
from theory import classification as theory
from theory.classification import alpha, norm2, normal_cdf, normal_pdf
from theory.derivation import DerivationError
from verify.claim import Measured, Run, Skip
from verify.claims import classification as claim
from verify.training import classifier_checks as experiment
from verify.training import classifiers as training

RUN = Run(claim="classification")

CORRUPTED_LOSSES = {
    "Φ(α) for Φ(−α)": lambda a, r: 2 * normal_cdf(a) * sp.exp(r / 2),
    "factor 2 dropped": lambda a, r: normal_cdf(-a) * sp.exp(r / 2),
    "exponent |σ|² for |σ|²/2": lambda a, r: 2 * normal_cdf(-a) * sp.exp(r),
}
CORRUPTED_GRADIENTS = {
    "sign of the φ term": lambda s, u, a, r: sp.exp(r / 2) * (2 * normal_cdf(-a) * s + 2 * normal_pdf(a) * u),
    "exp(|σ|²/2) dropped": lambda s, u, a, r: 2 * normal_cdf(-a) * s - 2 * normal_pdf(a) * u,
}


def test_derivations_are_exact_and_reduce_the_early_phase_to_the_toy_flow():
    for derivation in (theory.loss_derivation(), theory.gradient_derivation()):
        assert derivation.exact and len(derivation.steps) >= 5
    assert theory.early_slope() == sp.sqrt(2 / sp.pi)


@pytest.mark.parametrize("name", sorted(CORRUPTED_LOSSES))
def test_a_corrupted_population_loss_fails_its_derivation(name):
    with theory.substituted(population_loss=CORRUPTED_LOSSES[name]), pytest.raises(DerivationError):
        theory.loss_derivation()


@pytest.mark.parametrize("name", sorted(CORRUPTED_GRADIENTS))
def test_a_corrupted_gradient_fails_its_derivation(name):
    with theory.substituted(gradient=CORRUPTED_GRADIENTS[name]), pytest.raises(DerivationError):
        theory.gradient_derivation()


def test_monte_carlo_accepts_the_closed_form_and_refutes_corrupted_ones():
    case = experiment.ClassifierCase(3, 4, 30, 200, Fraction(1, 100), 100)
    measured = claim.CLAIM.monte_carlo(case, RUN)
    assert measured.error <= measured.tolerance < 0.05
    for corrupted in CORRUPTED_LOSSES.values():
        with theory.substituted(population_loss=corrupted):
            measured = claim.CLAIM.monte_carlo(case, RUN)
            assert measured.error > measured.tolerance


def test_datasets_are_the_runs_streams_labelled_by_the_direction():
    case = experiment.ClassifierCase(7, 4, 30, 50, Fraction(1, 100), 100)
    first, again = experiment.datasets(claim.DIAGONAL, case, RUN), experiment.datasets(claim.DIAGONAL, case, RUN)
    assert all((a[0] == b[0]).all() for a, b in zip(first, again)) and len(first) == 4
    assert not np.allclose(first[0][0], first[1][0])  # each repetition its own stream
    other = experiment.datasets(claim.DIAGONAL, case, Run(claim="classification", seed=1))
    assert not np.allclose(first[0][0], other[0][0])  # the run's seed changes every dataset
    x, y = first[0]
    assert x.shape == (50, 30) and (y == np.where(x @ claim.DIAGONAL.target(30) >= 0, 1.0, -1.0)).all()


def test_directions_are_unit_and_bad_arguments_are_named():
    u = classification_data.sparse_direction(10, (8, 4, 2, 1))
    assert np.linalg.norm(u) == pytest.approx(1) and u[:4] == pytest.approx(np.array([8, 4, 2, 1]) / np.sqrt(85))
    with pytest.raises(ParameterError, match="dimension"):
        classification_data.sparse_direction(3, (8, 4, 2, 1))
    with pytest.raises(ParameterError, match="weights"):
        classification_data.fourier_direction(10, (0, 0))
    with pytest.raises(ParameterError, match="direction"):
        classification_data.gaussian_dataset(np.random.default_rng(0), samples=5, direction=np.ones(3))


def test_the_closed_form_matches_a_direct_two_dimensional_quadrature():
    from scipy.integrate import dblquad
    from scipy.stats import norm

    s1, s2 = 0.7, -0.4
    value = dblquad(lambda x2, x1: norm.pdf(x1) * norm.pdf(x2) * np.exp(-np.sign(x1) * (s1 * x1 + s2 * x2)),
                    -9, 9, -9, 9, epsabs=1e-11)[0]
    closed = float(theory.population_loss().subs({alpha: s1, norm2: s1**2 + s2**2}))
    assert value == pytest.approx(closed, rel=1e-8)


# -------------------------------------------------------------------------------------------------------------
# The trainer


def _data(seed=0, n=60, d=12):
    x = np.random.default_rng(seed).normal(size=(n, d))
    u = claim.DIAGONAL.target(d)
    return x, np.where(x @ u >= 0, 1.0, -1.0), u


def _two_branch_replay(depth, init, step, steps, gradient, d):
    plus = np.full(d, init ** (1 / depth))
    minus = plus.copy()
    for _ in range(steps):
        g = gradient(plus**depth - minus**depth)
        plus, minus = plus - step * plus ** (depth - 1) * g, minus + step * minus ** (depth - 1) * g
    return plus**depth - minus**depth


def test_sample_training_is_two_branch_gradient_descent_on_the_mean_exponential_loss():
    x, y, _ = _data()
    runs = training.train("diagonal", [training.Experiment(3, 0.01, 0.1, 0, 200, 1.0)], [training.Data(x, y)],
                          device="cpu")
    assert runs.backtracked[0] == 0  # a stable step: plain gradient descent throughout

    def gradient(sigma):
        weights = np.exp(-y * (x @ sigma))
        return -(weights * y) @ x / len(y)

    assert np.allclose(runs.predictors[0], _two_branch_replay(3, 0.01, 0.1, 200, gradient, 12), rtol=1e-10, atol=1e-14)


def test_population_training_follows_the_stated_gradient():
    _, _, u = _data()
    compiled = sp.lambdify((sp.Symbol("s"), sp.Symbol("u"), alpha, norm2),
                           theory.gradient(sp.Symbol("s"), sp.Symbol("u")), "scipy")
    runs = training.train("diagonal", [training.Experiment(2, 0.01, 0.2, 0, 150, 1.0)], [training.Data(target=u)],
                          device="cpu")
    replayed = _two_branch_replay(2, 0.01, 0.2, 150, lambda s: compiled(s, u, s @ u, s @ s), 12)
    assert runs.backtracked[0] == 0
    assert np.allclose(runs.predictors[0], replayed, rtol=1e-10, atol=1e-14)


def test_an_experiment_trains_the_same_alone_and_in_a_padded_batch():
    (x, y, u), (x2, y2, _) = _data(), _data(1, n=90, d=20)
    first = training.Experiment(4, 0.01, 0.15, 0, 300, 0.04, (0, 1, 2, 3), 0.05)
    alone = training.train("diagonal", [first], [training.Data(x, y)], device="cpu")
    batch = training.train("diagonal", [training.Experiment(2, 0.02, 0.3, 1, 400, 0.04),
                                        replace(first, data=2), training.Experiment(3, 0.01, 0.2, 0, 50, 0.04)],
                           [training.Data(x2, y2), training.Data(target=u), training.Data(x, y)], device="cpu")
    assert np.allclose(batch.predictors[1, :12], alone.predictors[0], rtol=1e-12, atol=1e-15)
    assert (batch.predictors[1, 12:] == 0).all()
    assert batch.stopped[1] == alone.stopped[0] and (batch.crossings[1, :12] == alone.crossings[0]).all()


def test_stopping_rule_ladder_and_crossings_are_consistent():
    x, y, _ = _data()
    runs = training.train("diagonal", [training.Experiment(2, 0.01, 0.2, 0, 2000, 0.04, (0, 1), 0.05)],
                          [training.Data(x, y)], ladder=(0.2, 0.05), record=range(0, 2001, 10), device="cpu")
    stop, (first, second) = runs.stopped[0], runs.reached[0]
    assert 0 < first < second and stop == max(second, *runs.crossings[0, :2])
    assert runs.losses_final[0] < 0.05 and (np.diff(runs.losses[0]) <= 0).all()
    assert np.isnan(runs.predictors_at[0, :, :]).sum() == 0 and runs.losses[0, -1] == runs.losses_final[0]


def test_backtracking_keeps_a_far_too_large_step_descending():
    x, y, _ = _data()
    runs = training.train("diagonal", [training.Experiment(5, 0.01, 50.0, 0, 400, 1.0)], [training.Data(x, y)],
                          record=range(401), device="cpu")
    assert runs.finite[0] and runs.backtracked[0] > 0 and runs.undecided[0] == 0
    assert (np.diff(runs.losses[0]) <= 1e-12 * runs.losses[0, :-1]).all()
    assert runs.clock[0] < 50.0 * 400


@pytest.mark.parametrize("arguments, message", [
    (dict(model="dense"), "model="),
    (dict(experiments=[]), "at least one"),
    (dict(experiments=[training.Experiment(2, -1.0, 0.1, 0, 10, 0.1)]), "init"),
    (dict(experiments=[training.Experiment(2, 0.01, 0.1, 3, 10, 0.1)]), "index into data"),
    (dict(experiments=[training.Experiment(2, 0.01, 0.1, 0, 10, 0.1, (12,))]), "track"),
    (dict(data=[training.Data(np.ones((3, 2)), np.array([1.0, 0.0, 1.0]))]), "labels"),
    (dict(data=[training.Data(target=np.ones(3))]), "unit vector"),
])
def test_bad_arguments_are_named(arguments, message):
    x, y, _ = _data()
    given = dict(model="diagonal", experiments=[training.Experiment(2, 0.01, 0.1, 0, 10, 0.1)],
                 data=[training.Data(x, y)])
    given.update(arguments)
    with pytest.raises(ValueError, match=message):
        training.train(given.pop("model"), given.pop("experiments"), given.pop("data"), device="cpu")


# -------------------------------------------------------------------------------------------------------------
# Judging helpers


def test_resolvable_pairs_follow_the_sampling_noise_of_the_early_gradient():
    setup = claim.DIAGONAL
    assert np.allclose(setup.variances(50), 1) and setup.support(50) == (0, 1, 2, 3)
    assert setup.level(50) == pytest.approx(0.5 * np.sqrt(2 / np.pi) / np.sqrt(85))
    needed = setup.samples_needed(50)
    assert setup.resolvable(50, needed - 1) == [] and setup.resolvable(50, needed) == [(0, 1)]
    assert setup.resolvable(50, 10**6) == [(0, 1), (1, 2), (2, 3)]


def _view(scores_case=None, crossings=None, population=None):
    case = scores_case or experiment.ClassifierCase(0, 4, 50, 400, Fraction(1, 100), 100)
    runs = SimpleNamespace(crossings=np.array(crossings if crossings is not None else population), steps=100)
    sample = {(0, 2): 0} if crossings is not None else {}
    return SimpleNamespace(case=case, setup=claim.DIAGONAL, runs=runs, sample=sample,
                           population={2: 0} if population is not None else {}, loss=Fraction(1, 20))


def _passes(measured) -> bool:
    assert isinstance(measured, Measured)
    return measured.error <= measured.tolerance


def test_order_checks_count_inversions_and_never_crossing():
    assert _passes(experiment.population_order(_view(population=[[3, 7, 20, 40]])))
    assert experiment.population_order(_view(population=[[3, 20, 7, 40]])).error == 1
    assert isinstance(experiment.population_order(_view(population=[[3, 7, 20, -1]])), Skip)
    assert _passes(experiment.learning_order(_view(crossings=[[5, 9, 30, 2]])))  # only (0, 1) is resolvable
    assert not _passes(experiment.learning_order(_view(crossings=[[9, 5, 1, 2]])))
    assert not _passes(experiment.learning_order(_view(crossings=[[-1, 5, 1, 2]])))
    assert isinstance(experiment.learning_order(_view(crossings=[[-1, -1, 1, 2]])), Skip)


def test_paired_comparison_passes_increases_and_refutes_clear_decreases():
    view = _view(population=[[1, 2, 3, 4]])
    noise = np.array([0.001, -0.002, 0.0015, -0.0005])
    rising = {1: 0.8 + noise, 2: 0.9 + noise[::-1]}
    assert _passes(experiment.paired(view, rising, [(1, 2)], "cosine"))
    falling = {1: 0.9 + noise, 2: 0.8 + noise[::-1]}
    assert not _passes(experiment.paired(view, falling, [(1, 2)], "cosine"))
    within = {1: 0.9 + noise, 2: 0.8995 + noise[::-1]}  # a decrease far inside the t-slack of four datasets
    assert _passes(experiment.paired(view, within, [(1, 2)], "cosine"))


def test_a_nan_score_is_the_worst_pair_and_never_passes():
    view = _view(population=[[1, 2, 3, 4]])
    scores = {1: np.array([0.8, 0.81, 0.79, 0.8]), 2: np.array([0.9, 0.91, 0.89, 0.9]),
              3: np.array([0.9, np.nan, 0.9, 0.9])}
    measured = experiment.paired(view, scores, [(1, 2), (2, 3)], "cosine")
    assert np.isnan(measured.error) and "2 → 3" in measured.detail


# -------------------------------------------------------------------------------------------------------------
# The data, against mutants (docs/mutation-testing.md): the directions by their defining sums, the labels on a
# hand-made draw, the parameter each bad input names, and the edges of every accepted range.


@pytest.mark.parametrize("dimension, spectrum", [(10, (1.0, 2.0, -1.0)), (8, (0.0, 1.0, 0.5, 2.0)), (9, (1.0, 0.5))])
def test_fourier_direction_is_the_normalised_cosine_sum(dimension, spectrum):
    """irfft of real coefficients a_0..a_{m−1} (m ≤ d/2) is (a_0 + 2Σ_k a_k cos(2πkt/d))/d: u is that sum
    normalised, to 1e-14 (float64 sums of ≤ 4 terms). d = 2m is the least dimension accepted; d = 9 is odd (the
    inverse transform must be told d)."""
    t = np.arange(dimension)
    u = spectrum[0] + 2 * sum(a * np.cos(2 * np.pi * k * t / dimension) for k, a in enumerate(spectrum) if k)
    expected = u / np.linalg.norm(u)
    direction = classification_data.fourier_direction(dimension, spectrum)
    assert direction.shape == (dimension,) and np.allclose(direction, expected, rtol=0, atol=1e-14)


def test_sparse_direction_edges_and_exact_weights():
    """d = len(weights) is accepted; one weight gives a coordinate vector; weights given as Fractions (exact
    numbers, as the claims pass them) are accepted: (3, 4)/5."""
    assert np.allclose(classification_data.sparse_direction(4, (1, 1, 1, 1)), 0.5, rtol=0, atol=1e-15)
    assert list(classification_data.sparse_direction(3, (-2,))) == [-1.0, 0.0, 0.0]
    u = classification_data.sparse_direction(3, [Fraction(3), Fraction(4)])
    assert np.allclose(u, [0.6, 0.8, 0.0], rtol=0, atol=1e-15)


@pytest.mark.parametrize("call, message", [
    (lambda: classification_data.sparse_direction(3, (8, 4, 2, 1)), r"^dimension=3 is invalid"),
    (lambda: classification_data.fourier_direction(3, (1, 2)), r"^dimension=3 is invalid"),
    (lambda: classification_data.sparse_direction(5, (0, 0)),
     r"^weights=\[.*0\.0.*\] is invalid: weights must be a non-empty finite list, not all zero$"),
    (lambda: classification_data.sparse_direction(5, (np.nan, 1)), r"^weights="),
    (lambda: classification_data.sparse_direction(5, ((1, 2),)), r"^weights="),
    (lambda: classification_data.sparse_direction(5, ()), r"^weights="),
    (lambda: classification_data.gaussian_dataset(np.random.default_rng(0), samples=0, direction=np.ones(1)),
     r"^samples=0 is invalid"),
    (lambda: classification_data.gaussian_dataset(np.random.default_rng(0), samples=10**6 + 1, direction=np.ones(1)),
     r"^samples=1000001 is invalid"),
    (lambda: classification_data.gaussian_dataset(np.random.default_rng(0), samples=5, direction=np.ones(3)),
     r"^direction='an array of shape \(3,\)' is invalid: direction must be a finite unit vector$"),
    (lambda: classification_data.gaussian_dataset(np.random.default_rng(0), samples=5, direction=[np.nan, 1.0]),
     r"^direction="),
    (lambda: classification_data.gaussian_dataset(np.random.default_rng(0), samples=5, direction=[[1.0, 0.0]]),
     r"^direction='an array of shape \(1, 2\)'"),
])
def test_bad_data_arguments_name_their_parameter(call, message):
    """The error starts with the parameter's name and value and says what is valid (a mutant's XXnameXX, None
    or dropped argument would not)."""
    with pytest.raises(ParameterError, match=message):
        call()


class _Draw:
    """A generator stand-in returning fixed inputs, recording the shape asked for."""

    def __init__(self, x):
        self.x, self.shapes = np.asarray(x, dtype=float), []

    def standard_normal(self, shape):
        self.shapes.append(shape)
        return self.x


def test_labels_are_the_sign_of_the_projection_with_plus_one_on_the_null_set():
    """u = e_1 and inputs chosen by hand: ⟨u, x⟩ = 0 (the null set) → +1, 0.5 → +1, −2 → −1, 3 → +1; the draw is
    asked for (n, d) and returned as is. n = 1 and n = 61 are valid sample counts; a direction given as exact
    Fractions is accepted."""
    rows = [[0.0, 5.0], [0.5, -7.0], [-2.0, 3.0], [3.0, 1.0]]
    draw = _Draw(rows)
    x, y = classification_data.gaussian_dataset(draw, samples=4, direction=np.array([1.0, 0.0]))
    assert draw.shapes == [(4, 2)] and (x == np.array(rows)).all()
    assert list(y) == [1.0, 1.0, -1.0, 1.0]
    for n in (1, 61):
        x, y = classification_data.gaussian_dataset(np.random.default_rng(n), samples=n, direction=[0.6, 0.8])
        assert x.shape == (n, 2) and (y == np.where(x @ np.array([0.6, 0.8]) >= 0, 1.0, -1.0)).all()
    x, y = classification_data.gaussian_dataset(np.random.default_rng(2), samples=3,
                                                direction=[Fraction(3, 5), Fraction(4, 5)])
    assert (y == np.where(x @ np.array([0.6, 0.8]) >= 0, 1.0, -1.0)).all()
