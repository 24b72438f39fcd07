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
                                  rngs=[np.random.default_rng(7)], device="cpu")
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
                               rngs=[np.random.default_rng(3)], device="cpu")
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
                          rngs=[np.random.default_rng(5)], device="cpu")
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


def test_an_experiment_draws_the_same_numbers_alone_and_next_to_others():
    """Each experiment's noise (and initial weights, minibatches, dropout masks) comes from its own generator: trained
    next to another experiment, it gives the bits it gives alone (so a case replayed alone sees its chunk's paths)."""
    from verify.training import invariant_mlp, label_noise, quartic_sde, single_neuron

    def streams(*seeds):
        return [np.random.default_rng(seed) for seed in seeds]

    pair = [quartic_sde.Experiment(1.5, 1.2, 0.01, (1.0,)), quartic_sde.Experiment(0.8, 0.5, 0.02, (0.5,))]
    both = quartic_sde.simulate(pair, paths=3, steps=8, burn_in=2, rngs=streams(1, 2), device="cpu")
    alone = quartic_sde.simulate(pair[1:], paths=3, steps=8, burn_in=2, rngs=streams(2), device="cpu")
    assert np.array_equal(both.final[1], alone.final[0]) and np.array_equal(both.slope[1], alone.slope[0])

    pair = [label_noise.Experiment(0.7, 0.02, 5.0), label_noise.Experiment(0.4, 0.01, 2.0)]
    both = label_noise.train(pair, paths=3, steps=5, burn_in=1, record=(0, 5), rngs=streams(3, 4), device="cpu")
    alone = label_noise.train(pair[1:], paths=3, steps=5, burn_in=1, record=(0, 5), rngs=streams(4), device="cpu")
    assert np.array_equal(both.logs[1], alone.logs[0]) and np.array_equal(both.mean_half[1], alone.mean_half[0])

    x, y = (0.5, -1.0, 2.0), (0.4, -0.9, 1.7)
    pair = [single_neuron.Experiment(x, y, 2.0, 0.3, 0.8, 0.05, 0.2),
            single_neuron.Experiment(y, x, 1.0, 0.1, 0.5, 0.1, 0.3)]
    both = single_neuron.train(pair, paths=3, steps=4, rngs=streams(5, 6), device="cpu")
    alone = single_neuron.train(pair[1:], paths=3, steps=4, rngs=streams(6), device="cpu")
    assert np.array_equal(both.final[1], alone.final[0]) and np.array_equal(both.control[1], alone.control[0])

    generator = np.random.default_rng(1)
    wide, narrow = generator.standard_normal((20, 3)), generator.standard_normal((16, 3))
    pair = [invariant_mlp.Experiment("gelu", 10, wide, np.tanh(wide[:, 0]), 0, (1, 4), 0.05, 0.0, 0.3, 2),
            invariant_mlp.Experiment("tanh", 5, narrow, np.tanh(narrow[:, 1]), 0, (1, 4), 0.05, 0.0, 0.3, 3)]
    both = invariant_mlp.train(pair, steps=12, batch=4, rngs=streams(7, 8), device="cpu")
    alone = invariant_mlp.train(pair[1:], steps=12, batch=4, rngs=streams(8), device="cpu")
    assert both.moved[1] == alone.moved[0] > 0 and both.copy_gap[1] == alone.copy_gap[0]
    with pytest.raises(ValueError, match="one numpy.random.Generator per experiment"):
        invariant_mlp.train(pair, steps=12, batch=4, rngs=streams(7), device="cpu")


def test_invariant_sets_hold_bit_for_bit_and_break_where_they_should():
    from verify.training import invariant_mlp

    generator = np.random.default_rng(1)
    data = generator.standard_normal((16, 3))
    targets = np.tanh(data @ generator.standard_normal(3))
    experiments = [invariant_mlp.Experiment(name, 5, data, targets, 0, (1, 4), 0.05, 0.0, dropout, 2)
                   for name, dropout in (("gelu", 0.0), ("softplus", 0.0), ("tanh", 0.3))]
    runs = invariant_mlp.train(experiments, steps=30, batch=4, rngs=[np.random.default_rng(b) for b in range(3)],
                               device="cpu")
    assert runs.zero_size[0] == 0 and runs.copy_gap[0] == 0 and runs.moved[0] > 0
    assert runs.zero_size[1] > 0 and runs.copy_gap[1] == 0  # σ(0) = log 2 moves the zero neuron
    assert runs.copy_gap[2] > 0  # dropout separates the copies


# ---------------------------------------------------------------------------------------------------------------------
# Against mutants that mutmut left alive (docs/mutation-testing.md): the exponent where the factor vanishes inside the
# Gaussian bulk, the step's sign change without noise, the documented secant points, the stationary laws' closed forms
# at the documented precision, and the parameter each bad input names.


def _unfolded_exponent(a, b, h, dps):
    """E log|1 + ah + b√h ξ| / h as one integral over the whole line (no even part, no log1p), split at the zero of
    the factor: an independent quadrature of the same expectation."""
    with mp.workdps(dps):
        a, b, h = mp.mpf(a), mp.mpf(b), mp.mpf(h)
        zero = -(1 + a * h) / (b * mp.sqrt(h))
        return mp.quad(lambda x: mp.npdf(x) * mp.log(abs(1 + a * h + b * mp.sqrt(h) * x)),
                       [-mp.inf, zero - 1, zero, zero + 1, mp.inf]) / h


@pytest.mark.parametrize("drift, noise, step", [("0.5", "2", "0.25"), ("-1", "3", "0.5")])
def test_discrete_exponent_where_the_factor_vanishes_in_the_bulk(drift, noise, step):
    """At a large step the zero of 1 + ah + b√h ξ lies at |ξ| ≈ 1, where the Gaussian weight is not small: the
    logarithmic singularity must be a breakpoint and the branch |1 + y| < 0 must be the real log|1 + y|. Reference:
    the unfolded integral 20 digits higher; both sides are quadratures accurate far below 10^-dps (dps = 30)."""
    value = diffusion.discrete_exponent(drift=drift, noise=noise, step=step, dps=30)
    reference = _unfolded_exponent(drift, noise, step, 50)
    assert isinstance(value, mp.mpf)
    with mp.workdps(50):
        assert abs(value - reference) < mp.mpf(10) ** -30


@pytest.mark.parametrize("drift, factor", [(-30, -2), (-15, "-0.5")])
def test_discrete_exponent_without_noise_when_the_step_overshoots(drift, factor):
    """No noise and ah < −1: the factor 1 + ah is negative, and the exponent is log|1 + ah| / h, exact here
    (h = 0.1: 1 + ah = −2 and −0.5); to 10^-25 as the existing noiseless test."""
    value = diffusion.discrete_exponent(drift=drift, noise=0, step="0.1", dps=30)
    with mp.workdps(30):
        assert isinstance(value, mp.mpf)
        assert abs(value - 10 * mp.log(abs(mp.mpf(factor)))) < mp.mpf(10) ** -25


def test_small_step_exponent_at_the_default_precision_is_rounded_to_30_digits():
    """dps defaults to 30: the value is the exponent a − b²/2 rounded to 30 digits (the quadrature is exact to
    ~10^-40 relative inside, so the rounding is the reference's unless within 10^-40 of a rounding boundary; −0.545
    rounded to 31 digits is another number)."""
    value = diffusion.small_step_exponent(drift="-0.3", noise="0.7")
    with mp.workdps(60):
        exact = -mp.mpf(3) / 10 - mp.mpf(49) / 200
    with mp.workdps(30):
        assert value == +exact


@pytest.mark.parametrize("call", [diffusion.discrete_exponent, diffusion.small_step_exponent])
def test_exponents_name_the_bad_argument(call):
    """Each bad input is refused with a ParameterError naming it (a None drift, a negative noise, a zero step)."""
    extra = {"step": "0.1"} if call is diffusion.discrete_exponent else {}
    for name, bad in (("drift", None), ("noise", -1)):
        arguments = {"drift": 1, "noise": 1, **extra, name: bad}
        with pytest.raises(ParameterError) as error:
            call(**arguments)
        assert error.value.parameter == name and error.value.value == bad
    if extra:
        with pytest.raises(ParameterError) as error:
            call(drift=1, noise=1, step=0)
        assert error.value.parameter == "step" and error.value.value == 0


@pytest.mark.parametrize("dps", [50, 51])
def test_refine_root_steps_through_the_documented_points(dps):
    """For f(x) = x^n − 2 started at its root r, the secant through r(1 ± ε) lands at
    r[(1 + ε) − ((1 + ε)^n − 1)·2ε / ((1 + ε)^n − (1 − ε)^n)] = r(1 − (n − 1)ε²/2 + O(ε⁴)), with
    ε = 10^-(dps//2 + 5) as documented: for n = 201 that offset is 100ε² ≥ 10^-(dps+8), a hundred times the step's
    rounding at its dps + 10 working digits, which is the tolerance (the reference is this closed form, 40 digits
    higher). An odd dps tells dps//2 from dps/2."""
    n = 201
    with mp.workdps(dps + 40):
        root = mp.mpf(2) ** (mp.mpf(1) / n)
        epsilon = mp.mpf(10) ** -(dps // 2 + 5)
        up, down = (1 + epsilon) ** n, (1 - epsilon) ** n
        expected = root * ((1 + epsilon) - (up - 1) * 2 * epsilon / (up - down))
        value = diffusion.refine_root(lambda x: x**n - 2, root, dps=dps)
        assert abs(expected / root - 1) > mp.mpf(10) ** -(dps + 9)  # the offset the check relies on
        assert abs(value / expected - 1) < mp.mpf(10) ** -(dps + 10)


@pytest.mark.parametrize("shape", ["2", "10", "15", "20", "99.5", "999.5"])
def test_integrator_keeps_the_precision_of_gamma_laws_of_every_shape(shape):
    """Gamma(k + 1) densities x^k e^{−x}/Γ(k + 1): mass 1, mean k + 1, P(x ≤ k + 1) and the left tail P(x ≤ (k + 1)/2)
    against mpmath's regularised incomplete gamma function, to 10^-(dps−3) at dps 30, on both sides of
    ``SUBSTITUTION_MAX`` (in w = x^{k+1}, k = 20 was off by 7e-5 and k ≥ 30 by about 1/2), and beyond it with the
    split far below, at or far above the mode. The left tail of k = 999.5 (a mass of 3e-86, 1 % off in x) is refused
    with an ArithmeticError, not returned."""
    import sympy as sp

    x, k = sp.Symbol("x", positive=True), sp.Rational(shape)
    density = x**k * sp.exp(-x) / sp.gamma(k + 1)
    splits = (k + 1,) if k <= stationary.SUBSTITUTION_MAX else (1, k + 1, 1000 * (k + 1))
    with mp.workdps(30):
        bulk = mp.mpf(k + 1)
        inside, tail = (mp.gammainc(bulk, 0, end, regularized=True) for end in (bulk, bulk / 2))
        for split in splits:
            integral = stationary.integrator(density, x, split)
            for end, expected in ((mp.inf, 1), (bulk, inside)):
                assert abs(integral(lambda t: 1, end) / expected - 1) < mp.mpf(10) ** -27
            assert abs(integral(lambda t: t, mp.inf) / bulk - 1) < mp.mpf(10) ** -27
            if k > 500:
                with pytest.raises(ArithmeticError, match="relative error"):
                    integral(lambda t: 1, bulk / 2)
            else:
                assert abs(integral(lambda t: 1, bulk / 2) / tail - 1) < mp.mpf(10) ** -27


def test_integrator_refuses_a_density_that_is_not_integrable_at_zero():
    """p ~ x^k with k ≤ −1 has no finite integral at 0: k = −1 exactly (the boundary) and k = −3/2 are refused."""
    import sympy as sp

    x = sp.Symbol("x", positive=True)
    for density in (sp.exp(-x) / x, x ** sp.Rational(-3, 2) * sp.exp(-x)):
        with pytest.raises(ValueError, match="not integrable"):
            stationary.integrator(density, x, 1)


def _gamma_reference(target, eta, sigma, dps):
    """Normaliser θ^k Γ(k) and mean kθ of P^{k−1} e^{−P/θ}, θ = ησ², k = (s − ησ²/2)/θ, from the parameters by hand."""
    s, step, noise = Fraction(target), Fraction(eta), Fraction(sigma)
    scale = step * noise**2
    k = (s - scale / 2) / scale
    with mp.workdps(dps):
        theta, shape = mp.mpf(scale.numerator) / scale.denominator, mp.mpf(k.numerator) / k.denominator
        return theta**shape * mp.gamma(shape), shape * theta


@pytest.mark.parametrize("dps", [30, 50])
@pytest.mark.parametrize("target, eta, sigma", [("0.9", Fraction(3, 1024), 10), ("0.9", Fraction(7, 1000), 10)])
def test_label_noise_laws_to_the_requested_digits(target, eta, sigma, dps):
    """The Gamma closed forms (``gamma_law``) and the quadrature of the stated density (``stationary``) against
    (ησ²)^k Γ(k) and kησ² computed here from the parameters, 20 digits higher, to 10^-dps relative (both are computed
    10 digits higher and rounded to dps). The second case has ησ² = 7/10 and k = 11/14, whose decimal expansion does
    not end (a k carried with 15 digits would show), and a density P^{−3/14}e^{−P/θ} unbounded at 0."""
    normaliser, mean = _gamma_reference(target, eta, sigma, dps + 20)
    for law in (label_noise.gamma_law(target=target, eta=eta, sigma=sigma, dps=dps),
                label_noise.stationary(target=target, eta=eta, sigma=sigma, dps=dps)):
        with mp.workdps(dps + 20):
            assert abs(law.normaliser / normaliser - 1) < mp.mpf(10) ** -dps
            assert abs(law.mean / mean - 1) < mp.mpf(10) ** -dps


def test_label_noise_laws_at_the_default_precision_are_rounded_to_30_digits():
    """dps defaults to 30: both laws are the closed forms rounded to 30 digits (each computed 10 digits higher)."""
    normaliser, mean = _gamma_reference("0.9", Fraction(3, 1024), 10, 60)
    with mp.workdps(30):
        expected = (+normaliser, +mean)
    for law in (label_noise.gamma_law(target="0.9", eta=Fraction(3, 1024), sigma=10),
                label_noise.stationary(target="0.9", eta=Fraction(3, 1024), sigma=10)):
        assert (law.normaliser, law.mean) == expected


def test_label_noise_refusals_name_the_parameter_and_the_threshold():
    """A non-positive parameter is refused by name; a target at (the boundary k = 0 included) or below ησ²/2 = 0.5 is
    refused naming the target, the threshold and why; a target just above it (k = 1/2: P^{−1/2} at 0) is accepted."""
    for name in ("target", "eta", "sigma"):
        values = {"target": 1, "eta": "0.01", "sigma": 10, name: 0}
        with pytest.raises(ParameterError) as error:
            label_noise.stationary(**values)
        assert error.value.parameter == name and error.value.value == 0
    for call in (label_noise.stationary, label_noise.gamma_law):
        for target in ("0.5", "0.25"):
            with pytest.raises(ParameterError) as error:
                call(target=target, eta="0.01", sigma=10)
            assert error.value.parameter == "target" and error.value.value == target
            assert str(error.value) == (f"target='{target}' is invalid: target must be above the collapse threshold "
                                        "ησ²/2 = 0.5 (below it the mode collapses to 0 and has no stationary density)")
    law = label_noise.gamma_law(target=1, eta="0.01", sigma=10, dps=20)
    with mp.workdps(20):
        assert abs(law.normaliser - mp.sqrt(mp.pi)) < mp.mpf(10) ** -19 and abs(law.mean - mp.mpf("0.5")) < mp.mpf(10) ** -19


@pytest.mark.parametrize("dps", [20, 40])
def test_quartic_laws_to_the_requested_digits(dps):
    """Both quartic laws against ½ζ^{2k}Γ(k), kζ² and P(k, level/ζ²), k = μ/ζ² − ½ (ζ_c² = 2μ) from the parameters,
    20 digits higher, to 10^-dps relative."""
    mu, zeta, levels = Fraction(1, 4), Fraction(57, 100), (Fraction(1, 100), Fraction(1, 2))
    with mp.workdps(dps + 20):
        z = mp.mpf(57) / 100
        k = mp.mpf(1) / 4 / z**2 - mp.mpf(1) / 2
        expected = (z ** (2 * k) * mp.gamma(k) / 2, k * z**2,
                    *(mp.gammainc(k, 0, mp.mpf(level.numerator) / level.denominator / z**2, regularized=True)
                      for level in levels))
    for law in (quartic_collapse.stationary(mu=mu, zeta=zeta, levels=levels, dps=dps),
                quartic_collapse.gamma_law(mu=mu, zeta=zeta, levels=levels, dps=dps)):
        with mp.workdps(dps + 20):
            for value, reference in zip((law.normaliser, law.mean_square, *law.below), expected):
                assert abs(value / reference - 1) < mp.mpf(10) ** -dps


def test_quartic_laws_at_the_default_precision_are_rounded_to_30_digits():
    """dps defaults to 30: the normaliser and mean of θ² are the closed forms rounded to 30 digits."""
    with mp.workdps(60):
        z = mp.mpf(57) / 100
        k = mp.mpf(1) / 4 / z**2 - mp.mpf(1) / 2
        normaliser, mean_square = z ** (2 * k) * mp.gamma(k) / 2, k * z**2
    with mp.workdps(30):
        expected = (+normaliser, +mean_square)
    for law in (quartic_collapse.stationary(mu="0.25", zeta="0.57"), quartic_collapse.gamma_law(mu="0.25", zeta="0.57")):
        assert (law.normaliser, law.mean_square) == expected


def test_quartic_refusals_name_the_parameter_and_the_threshold():
    """A non-positive μ, ζ or level is refused by name; ζ at (the boundary: θ^{-1} at 0) or above ζ_c(μ) = √(2μ) = 3/2
    for μ = 9/8 is refused naming ζ, the threshold to 6 digits and why."""
    for call in (quartic_collapse.stationary, quartic_collapse.gamma_law):
        for name, values in (("mu", {"mu": 0, "zeta": 1}), ("zeta", {"mu": 1, "zeta": -1}),
                             ("level", {"mu": 1, "zeta": 1, "levels": (1, 0)})):
            with pytest.raises(ParameterError) as error:
                call(**values)
            assert error.value.parameter == name
        for zeta in ("1.5", 2):
            with pytest.raises(ParameterError) as error:
                call(mu=Fraction(9, 8), zeta=zeta)
            assert error.value.parameter == "zeta" and error.value.value == zeta
            assert str(error.value) == (f"zeta={zeta!r} is invalid: zeta must be below the collapse threshold "
                                        "ζ_c(μ) = 1.50000 (above it the stationary density is not normalisable: θ "
                                        "collapses to 0)")
