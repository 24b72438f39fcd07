"""Numerics and trainers of the stochastic-collapse claims (docs/claims/stochastic-collapse.md) against independent
computations: Itô's formula, known integrals, and the simulations replayed step by step in NumPy."""

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from numerics import diffusion, label_noise, quartic_collapse, stationary
from numerics.arguments import ParameterError


@pytest.mark.parametrize("drift, noise", [("1.5", "2.5"), ("-0.3", "0.7"), ("2", "0")])
def test_small_step_exponent_is_the_ito_exponent(drift, noise):
    """Quadrature without Itô's formula against a − b²/2."""
    value = diffusion.small_step_exponent(drift=drift, noise=noise, dps=50)
    with mp.workdps(50):
        assert abs(value - (mp.mpf(drift) - mp.mpf(noise) ** 2 / 2)) < mp.mpf(10) ** -45


def test_discrete_exponent_follows_its_small_step_expansion():
    """λ_h = a − b²/2 + h(−a²/2 + ab² − 3b⁴/4) + O(h²) (the expansion of E log|1 + ah + b√h ξ|)."""
    a, b, h = mp.mpf("1.5"), mp.mpf("2.5"), mp.mpf("1e-5")
    value = diffusion.discrete_exponent(drift="1.5", noise="2.5", step="1e-5", dps=30)
    assert abs(value - (a - b**2 / 2 + h * (-(a**2) / 2 + a * b**2 - 3 * b**4 / 4))) < 1e-6


def test_discrete_exponent_without_noise_is_the_deterministic_rate():
    with mp.workdps(30):
        assert abs(diffusion.discrete_exponent(drift=-3, noise=0, step="0.1", dps=30) - 10 * mp.log(mp.mpf("0.7"))) \
            < mp.mpf(10) ** -25


def test_refine_root_is_one_quadratically_convergent_secant_step():
    with mp.workdps(60):
        near = diffusion.refine_root(lambda x: x * x - 2, mp.sqrt(2) * (1 + mp.mpf(10) ** -22), dps=50)
        far = diffusion.refine_root(lambda x: x * x - 2, mp.mpf("1.5"), dps=50)
        assert abs(near / mp.sqrt(2) - 1) < mp.mpf(10) ** -40
        assert mp.mpf(10) ** -4 < abs(far / mp.sqrt(2) - 1) < mp.mpf("0.01")  # one step from 6% off: not converged


def test_integrator_resolves_a_singular_density():
    """∫_0^∞ x^{-1/2} e^{-x} dx = √π: tanh-sinh alone would miss ~10^-25 of it next to 0 at 50 digits."""
    import sympy as sp

    x = sp.Symbol("x", positive=True)
    density = x ** sp.Rational(-1, 2) * sp.exp(-x)
    assert stationary.power_at_zero(density, x) == sp.Rational(-1, 2)
    with mp.workdps(50):
        value = stationary.integrator(density, x, 1)(lambda t: 1, mp.inf)
        assert abs(value - mp.sqrt(mp.pi)) < mp.mpf(10) ** -45


def test_quartic_density_quadrature_matches_the_gamma_law():
    levels = (Fraction(1, 100), Fraction(1, 2))
    a = quartic_collapse.stationary(mu="0.25", zeta="0.57", levels=levels, dps=40)
    b = quartic_collapse.gamma_law(mu="0.25", zeta="0.57", levels=levels, dps=40)
    for x, y in zip((a.normaliser, a.mean_square, *a.below), (b.normaliser, b.mean_square, *b.below)):
        assert abs(x / y - 1) < mp.mpf(10) ** -30


def test_label_noise_mean_is_the_shrunk_target_and_collapse_is_refused():
    law = label_noise.stationary(target="0.9", eta=Fraction(3, 1024), sigma=10, dps=30)
    with mp.workdps(30):
        assert abs(law.mean - (mp.mpf("0.9") - mp.mpf(300) / 2048)) < mp.mpf(10) ** -25
    with pytest.raises(ParameterError, match="target"):
        label_noise.stationary(target="0.1", eta="0.01", sigma=10)
    with pytest.raises(ParameterError, match="zeta"):
        quartic_collapse.stationary(mu=1, zeta=2)


def test_quartic_paths_replay_euler_maruyama():
    """Two paths, six steps, window from step 2: the trainer against the recursion written out in NumPy."""
    from verify.training import quartic_sde

    mu, zeta, h, level = 1.5, 1.2, 0.01, 1.0
    result = quartic_sde.simulate([quartic_sde.Experiment(mu, zeta, h, (level,))], paths=2, steps=6, burn_in=2,
                                  rng=np.random.default_rng(7), device="cpu")
    xi = np.random.default_rng(7).standard_normal((6, 1, 2))[:, 0]
    fine, coarse = np.full(2, np.sqrt(mu)), np.full(2, np.sqrt(mu))
    square, below, squares_coarse = np.zeros(2), np.zeros(2), np.zeros(2)
    for k in range(6):
        if k == 2:
            start, start_coarse = np.log(fine), np.log(coarse)
        if k >= 2:
            square, below = square + fine**2, below + (fine**2 <= level)
        fine = fine * ((mu - fine**2) * h + 1 + zeta * np.sqrt(h) * xi[k])
        if k % 2 == 1:
            if k > 2:
                squares_coarse += 2 * coarse**2
            coarse = coarse * ((mu - coarse**2) * 2 * h + 1 + zeta * np.sqrt(h) * (xi[k - 1] + xi[k]))
    window = 4 * h
    assert np.allclose(result.slope[0], (np.log(fine) - start) / window, rtol=1e-14)
    assert np.allclose(result.slope_coarse[0], (np.log(coarse) - start_coarse) / window, rtol=1e-14)
    assert np.allclose(result.brownian[0], zeta * np.sqrt(h) * xi[2:].sum(axis=0) / window, rtol=1e-14)
    assert np.allclose(result.mean_square[0], square / 4, rtol=1e-14)
    assert np.allclose(result.mean_square_coarse[0], squares_coarse / 4, rtol=1e-14)
    assert np.array_equal(result.below[0, 0], below / 4)


def test_single_neuron_replays_label_noise_sgd():
    """Two paths, three SGD steps of the tanh neuron, against the gradient written out by hand."""
    from verify.training import single_neuron

    x, y = np.array([0.5, -1.0, 2.0]), np.array([0.4, -0.9, 1.7])
    g, eta, zeta, h, init = 2.0, 0.3, 0.8, 0.05, 0.2
    runs = single_neuron.train([single_neuron.Experiment(tuple(x), tuple(y), g, eta, zeta, h, init)], paths=2, steps=3,
                               rng=np.random.default_rng(3), device="cpu")
    rng = np.random.default_rng(3)
    w = init * rng.standard_normal((1, 2, 2))[0]
    eps = zeta * np.sqrt(eta * 3 / h) * rng.standard_normal((3, 1, 2, 3))[:, 0]
    start, control = np.log(np.abs(w.sum(axis=1))), np.zeros(2)
    for k in range(3):
        pre = g * w[:, :1] * x
        residual = w[:, 1:] * np.tanh(pre) - y - eps[k]
        grad = np.stack([(residual * w[:, 1:] * g * (1 - np.tanh(pre) ** 2) * x).mean(axis=1),
                         (residual * np.tanh(pre)).mean(axis=1)], axis=1)
        w = w - h * grad
        control += h * g * (eps[k] * x).sum(axis=1) / 3
    assert np.allclose(runs.final[0], w, rtol=1e-13)
    assert np.allclose(runs.slope[0], (np.log(np.abs(w.sum(axis=1))) - start) / (3 * h), rtol=1e-12)
    assert np.allclose(runs.control[0], control / (3 * h), rtol=1e-13)


def test_label_noise_replays_both_runs():
    """Two paths, four steps (window from step 1): the main run at η and the companion at η/2, noise σ√2."""
    from verify.training import label_noise as training

    target, eta, sigma = 0.7, 0.02, 5.0
    runs = training.train([training.Experiment(target, eta, sigma)], paths=2, steps=4, burn_in=1, record=(0, 4),
                          rng=np.random.default_rng(5), device="cpu")
    xi = np.random.default_rng(5).standard_normal((4, 2, 1, 2))[:, :, 0]
    main, half = np.ones(2), np.ones(2)  # u = v, so the product is u²; track u
    total, total_half, control = np.zeros(2), np.zeros(2), np.zeros(2)
    for k in range(4):
        first, second = xi[k]
        if k == 1:
            start = np.log(main**2)
        for substep, noise in ((0, np.sqrt(2) * sigma * first), (1, np.sqrt(2) * sigma * second)):
            if k >= 1:
                total_half += half**2
            half = half - eta / 2 * (half**2 - target + noise) * half
        if k >= 1:
            total += main**2
            control -= 2 * eta * sigma * (first + second) / np.sqrt(2)
        main = main - eta * (main**2 - target + sigma * (first + second) / np.sqrt(2)) * main
    assert np.allclose(runs.mean[0], total / 3, rtol=1e-13)
    assert np.allclose(runs.mean_half[0], total_half / 6, rtol=1e-13)
    assert np.allclose(runs.growth[0], (np.log(main**2) - start) / 3, rtol=1e-12)
    assert np.allclose(runs.control[0], control / 3, rtol=1e-13)
    assert np.allclose(runs.logs[0, 1], np.log(main**2), rtol=1e-13)


def test_invariant_sets_hold_bit_for_bit_and_break_where_they_should():
    from verify.training import invariant_mlp

    generator = np.random.default_rng(1)
    data = generator.standard_normal((16, 3))
    targets = np.tanh(data @ generator.standard_normal(3))
    experiments = [invariant_mlp.Experiment(name, 5, data, targets, 0, (1, 4), 0.05, 0.0, dropout, 2)
                   for name, dropout in (("gelu", 0.0), ("softplus", 0.0), ("tanh", 0.3))]
    runs = invariant_mlp.train(experiments, steps=30, batch=4, rng=np.random.default_rng(0), device="cpu")
    assert runs.zero_size[0] == 0 and runs.copy_gap[0] == 0 and runs.moved[0] > 0
    assert runs.zero_size[1] > 0 and runs.copy_gap[1] == 0  # σ(0) = log 2 moves the zero neuron
    assert runs.copy_gap[2] > 0  # dropout separates the copies
