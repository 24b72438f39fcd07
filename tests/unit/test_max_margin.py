"""maxmargin's and deep-alignment's layers: the flow against an exact solution, the asymptote, the data
construction, the deep-linear measurements, and the classifier trainer against hand-derived steps."""

import math

import numpy as np
import pytest
import sympy as sp

from numerics import deep_linear, max_margin, svm
from numerics.arguments import ParameterError
from theory import deep_linear as deep_theory
from theory.derivation import DerivationError
from verify.training import linear_classifiers as training

# z_1 = (1, 0), z_2 = (0, 2): both support vectors, ŵ = (1, 1/2), duals α = (1, 1/4); the flow separates:
# w_1 = log(1 + t/2), w_2 = ½ log(1 + 2t), so w − ŵ log t → (−log 2, ½ log 2) = −log(nα_i)/‖z_i‖ along z_i.
INPUTS = np.array([[1.0, 0.0], [0.0, -2.0]])
LABELS = np.array([1.0, -1.0])


def test_flow_matches_the_exact_solution_and_the_stated_asymptote():
    tau = 30.0
    path = max_margin.flow(INPUTS, LABELS, loss="exponential", taus=[-1.0, 2.0], tau_end=tau)
    for t, w in zip((math.exp(-1), math.exp(2)), path.values):
        assert np.allclose(w, [math.log(1 + t / 2), 0.5 * math.log(1 + 2 * t)], rtol=1e-11)
    asymptote = max_margin.asymptote(INPUTS, LABELS, loss="exponential")
    assert np.allclose(asymptote.growth, [1, 0.5]) and np.allclose(asymptote.offset, [-math.log(2), math.log(2) / 2])
    assert np.allclose(path.final - asymptote.growth * tau, asymptote.offset, atol=1e-9)
    assert np.allclose(path.velocity, asymptote.growth, rtol=1e-9)


def test_degenerate_data_and_bad_arguments_are_named():
    # a third point on the margin, (1/2, 1): either its dual is zero (the log log t case) or the three support
    # vectors in the plane are dependent
    with pytest.raises(ParameterError, match="labels"):
        max_margin.asymptote(np.vstack([INPUTS, [[0.5, 1.0]]]), np.array([1.0, -1.0, 1.0]), loss="logistic")
    with pytest.raises(ParameterError, match="loss"):
        max_margin.flow(INPUTS, LABELS, loss="hinge", tau_end=1)
    with pytest.raises(ParameterError, match="taus"):
        max_margin.flow(INPUTS, LABELS, loss="logistic", taus=[5.0], tau_end=1)


def test_separable_data_keeps_its_svm_and_its_margin_gap():
    x, y = max_margin.separable_data(points=12, dimension=3, seed=4, gap=0.5)
    solution = svm.hard_margin(x, y)
    margins = y * (x @ solution.weights)
    off = solution.duals <= max_margin.DUAL_FLOOR * solution.duals.max()
    assert np.all(margins[off] >= 1.5 - 1e-9) and np.allclose(margins[~off], 1, atol=1e-9)
    l1 = max_margin.l1_max_margin(x, y)
    assert np.all(y * (x @ l1) >= 1 - 1e-7) and np.abs(l1).sum() <= np.abs(solution.weights).sum() + 1e-7


def test_deep_linear_measurements():
    rng = np.random.default_rng(0)
    u, v, w = (x / np.linalg.norm(x) for x in rng.standard_normal((3, 4)))
    assert deep_linear.alignment(np.outer(w, u), np.outer(u, v)) == pytest.approx(1)
    assert deep_linear.stable_rank(np.outer(u, v)) == pytest.approx(1)
    for _ in range(20):  # the Davis–Kahan bound holds for arbitrary pairs
        following, layer = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
        difference = following.T @ following - layer @ layer.T
        assert 1 - deep_linear.alignment(following, layer) <= deep_linear.davis_kahan(following, layer, difference) + 1e-12
    assert deep_linear.margin_direction_bound(0.6, 0.6) == 0
    with pytest.raises(ParameterError, match="margin"):
        deep_linear.margin_direction_bound(0.7, 0.6)


def test_balancedness_derivation_refuses_a_reweighted_invariant():
    assert deep_theory.balancedness().exact
    with deep_theory.substituted(invariant=lambda a, b: a.T * a - sp.Rational(103, 100) * b * b.T):
        with pytest.raises(DerivationError):
            deep_theory.balancedness()


def test_linear_classifier_first_step_by_hand_and_batch_independence():
    """From w = 0: the exponential loss's gradient is −(1/n)Σ z_i, the logistic loss's half of that."""
    x, y = max_margin.separable_data(points=6, dimension=3, seed=1, gap=0.2)
    data = [training.Data(x, y), training.Data(INPUTS, LABELS)]
    step = 0.1
    experiments = [training.Experiment(0, "exponential", step, 1, (1,)), training.Experiment(0, "logistic", step, 1, (1,)),
                   training.Experiment(1, "exponential", step, 30, (0, 30))]
    runs = training.train(experiments, data, device="cpu")
    pull = (y[:, None] * x).mean(axis=0)
    assert np.allclose(runs.predictors[0][0], step * pull, rtol=1e-14)
    assert np.allclose(runs.predictors[1][0], step * pull / 2, rtol=1e-14)
    alone = training.train(experiments[2:], data, device="cpu")
    assert np.array_equal(runs.predictors[2], alone.predictors[0]) and runs.finite.all()


def test_a_deep_experiment_starts_from_the_same_weights_alone_and_next_to_wider_data():
    """W_1 is drawn at the experiment's own input width, not at the batch's padded one."""
    narrow, wide = (max_margin.separable_data(points=8, dimension=d, seed=3, gap=0.2) for d in (2, 4))
    data = [training.Data(*narrow), training.Data(*wide)]
    experiments = [training.Experiment(1, "logistic", 0.05, 20, (0, 20), init=0.3, seed=5),
                   training.Experiment(0, "logistic", 0.05, 20, (0, 20), init=0.3, seed=7)]
    together = training.train(experiments, data, widths=(4, 4), device="cpu")
    alone = training.train(experiments[1:], data, widths=(4, 4), device="cpu")
    for start, own in zip(together.layers[1][0], alone.layers[0][0]):  # W_1 padded to the batch's 4 inputs
        assert np.array_equal(start[:, : own.shape[1]], own) and not start[:, own.shape[1]:].any()
    # the padded coordinates add zeros to the batch's products, which may round them differently in the last bits
    assert np.allclose(together.predictors[1], alone.predictors[0], rtol=1e-13, atol=0)


def test_deep_trainer_tracks_the_balancedness_drift_it_causes():
    x, y = max_margin.separable_data(points=8, dimension=3, seed=2, gap=0.2)
    runs = training.train([training.Experiment(0, "logistic", 0.05, 200, (0, 1, 200), init=0.3, seed=7)],
                          [training.Data(x, y)], widths=(4, 4), device="cpu")
    layers, moved = runs.layers[0], runs.movements[0]
    product = layers[1][2] @ layers[1][1] @ layers[1][0]
    assert np.allclose(product[0], runs.predictors[0][1])
    for r in (1, 2):
        for j in range(2):
            drift = np.linalg.norm((layers[r][j + 1].T @ layers[r][j + 1] - layers[r][j] @ layers[r][j].T)
                                   - (layers[0][j + 1].T @ layers[0][j + 1] - layers[0][j] @ layers[0][j].T))
            assert drift <= moved[r][j] + moved[r][j + 1] + 1e-13
    with pytest.raises(ValueError, match="loss="):
        training.train([training.Experiment(0, "hinge", 0.1, 1, (1,))], [training.Data(x, y)])


# --- written against surviving mutants (docs/mutation-testing.md) ------------------------------------------------


def _lambert(rate, t):
    """u(t) with u + e^u = 1 + rate·t: the logistic flow du/dt = rate/(1 + e^u) from u(0) = 0, solved by Newton at
    40 digits (independent of SciPy)."""
    import mpmath as mp
    with mp.workdps(40):
        right = 1 + rate * mp.mpf(t)
        u = mp.log(right)
        for _ in range(100):
            u -= (u + mp.exp(u) - right) / (1 + mp.exp(u))
        return u


def test_logistic_flow_matches_its_exact_solution():
    """The logistic flow on z_1 = (1, 0), z_2 = (0, 2) separates: w_1 + e^{w_1} = 1 + t/2 and, for u = 2w_2,
    u + e^u = 1 + 2t. Checked at log-times −1, 0 (t = 1, the end of the first integration), ½ (the first step of
    the second), 2, 5, at τ_end = 30 and in dw/dτ there. DOP853 runs at rtol 1e-12; its global error over the few
    hundred steps stays below 100 × rtol (1e-10 relative, as the exponential case's 1e-11 in the test above)."""
    import mpmath as mp
    taus = [-1.0, 0.0, 0.5, 2.0, 5.0]
    path = max_margin.flow(INPUTS, LABELS, loss="logistic", taus=taus, tau_end=30.0)
    for tau, w in zip(taus, path.values):
        t = math.exp(tau)
        assert w == pytest.approx([float(_lambert(0.5, t)), float(_lambert(2, t)) / 2], rel=1e-10)
    t = mp.exp(30)
    first, second = _lambert(0.5, t), _lambert(2, t)
    assert path.tau_end == 30.0
    assert path.final == pytest.approx([float(first), float(second) / 2], rel=1e-10)
    # dw/dτ = t dw/dt: t/(2(1 + e^{w_1})) and t/(1 + e^u)
    assert path.velocity == pytest.approx([float(t / (2 * (1 + mp.exp(first)))), float(t / (1 + mp.exp(second)))],
                                          rel=1e-9)


@pytest.mark.parametrize("tau_end", [0.0, 0.5, 3.0, max_margin.TAU_MAX])
def test_exponential_flow_over_the_whole_range_of_tau_end(tau_end):
    """tau_end anywhere in [0, TAU_MAX] (both ends included), a requested time equal to it, and no requested time:
    w_1 = log(1 + t/2), w_2 = ½ log(1 + 2t) at t = e^τ_end (exact; the same 1e-11 as above), dw/dτ = t dw/dt
    = (t/(2 + t), t/(1 + 2t)); at τ_end = 4000, w = ŵτ + (−log 2, ½ log 2) to float precision. At τ_end = 0 the flow ends at t = 1, the end of its first integration (this crashed
    inside SciPy before: an empty second span returns no solution)."""
    inverse = math.exp(-tau_end)  # 1/t, written so that τ_end = 4000 does not overflow
    exact = [tau_end + math.log(inverse + 0.5), (tau_end + math.log(inverse + 2)) / 2]
    for taus in ((), (tau_end,), (-1.0, tau_end)):
        path = max_margin.flow(INPUTS, LABELS, loss="exponential", taus=taus, tau_end=tau_end)
        assert path.tau_end == tau_end and path.values.shape == (len(taus), 2)
        assert path.final == pytest.approx(exact, rel=1e-11)
        if taus:
            assert path.values[-1] == pytest.approx(exact, rel=1e-11)
        slope = [1 / (2 * inverse + 1), 1 / (inverse + 2)]
        assert path.velocity == pytest.approx(slope, rel=1e-9)


def test_flow_refuses_tau_end_outside_its_range():
    for bad in (-1e-9, max_margin.TAU_MAX + 1):
        with pytest.raises(ParameterError, match="tau_end"):
            max_margin.flow(INPUTS, LABELS, loss="exponential", tau_end=bad)


# z_1 = (2, 0), z_2 = (1, 2) both active: ŵ = (1/2, 1/4) = (3/16) z_1 + (1/8) z_2 (solved by hand from
# 2w_1 = 1, w_1 + 2w_2 = 1); z_3 on the diagonal with margin 1 + 1/10, off the support.
SKEW = np.array([[2.0, 0.0], [1.0, 2.0], [22 / 15, 22 / 15]])


def test_asymptote_rate_and_support_on_non_orthogonal_data():
    """The rate is the smallest of the eigenvalues of D^½ G_S D^½ (support Gram matrix G_S, duals D; here those
    of G_S D, computed independently by a non-symmetric eigensolver: 1 and 3/8) and of the off-support margins
    minus 1 (1/10 for z_3; without z_3, 3/8). An eigenvalue is always 1 (G_S α = 1), so the logistic tail's rate
    1 never lowers it. Tolerances: float64 rounding of 2×2 solves (1e-12)."""
    labels = np.ones(3)
    for loss in ("exponential", "logistic"):
        asymptote = max_margin.asymptote(SKEW, labels, loss=loss)
        assert list(asymptote.support) == [0, 1]
        assert asymptote.svm.weights == pytest.approx([0.5, 0.25], abs=1e-12)
        assert asymptote.svm.duals == pytest.approx([3 / 16, 1 / 8, 0], abs=1e-12)
        assert asymptote.growth == pytest.approx([0.5, 0.25], abs=1e-12)
        assert SKEW[:2] @ asymptote.offset == pytest.approx([-math.log(3 * 3 / 16), -math.log(3 / 8)], abs=1e-12)
        assert asymptote.rate == pytest.approx(0.1, abs=1e-12)
        gram = SKEW[:2] @ SKEW[:2].T
        eigenvalues = sorted(np.linalg.eigvals(gram @ np.diag([3 / 16, 1 / 8])).real)
        assert eigenvalues == pytest.approx([3 / 8, 1], abs=1e-12)
        inner = max_margin.asymptote(SKEW[:2], labels[:2], loss=loss)
        assert inner.rate == pytest.approx(eigenvalues[0], abs=1e-12)


def test_asymptote_support_is_relative_to_the_largest_dual():
    """Orthogonal z_1 = (10, 0), z_2 = (0, 1000√10): duals α_i = 1/‖z_i‖² = 1e-2 and 1e-7, a ratio 1e-5 above the
    1e-6 floor, so both are support vectors, whatever the scale of the data (a floor 1e-6/max would be 1e-4 and
    drop z_2 or call the data degenerate). Offsets ⟨ρ∞, z_i⟩ = −log(2α_i), the rate 1 (D^½ G D^½ = I)."""
    x = np.array([[10.0, 0.0], [0.0, -1000 * math.sqrt(10)]])
    y = np.array([1.0, -1.0])
    asymptote = max_margin.asymptote(x, y, loss="exponential")
    assert list(asymptote.support) == [0, 1]
    assert asymptote.svm.duals == pytest.approx([1e-2, 1e-7], rel=1e-9)
    assert (y[:, None] * x) @ asymptote.offset == pytest.approx([-math.log(2e-2), -math.log(2e-7)], rel=1e-9)
    assert asymptote.rate == pytest.approx(1, rel=1e-9)


def test_a_margin_point_with_a_zero_dual_is_degenerate():
    """z_3 = (1, 0, 5) lies on the margin of ŵ = (1, 1, 0) (the SVM of z_1 = e_1, z_2 = e_2) but its dual is 0 (ŵ
    has no third component): the log log t case, refused."""
    x = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 5.0]])
    with pytest.raises(ParameterError, match="labels"):
        max_margin.asymptote(x, np.ones(3), loss="exponential")


def test_separable_data_moves_only_the_points_inside_the_gap():
    """Against the draw it starts from (the generator seeded with [seed, points, dimension]: inputs, then the
    teacher): labels are the teacher's signs; a point is moved only if it is off the support with margin below
    1 + gap, and then along y_i ŵ exactly onto 1 + gap; every other point is unchanged; the SVM is the same. This
    draw has off-support margins 1.008, 1.021, 1.131 (moved) and 1.573 … 2.22 (kept) around 1 + gap = 1.25, and
    the construction is reproducible."""
    gap = 0.25
    x, y = max_margin.separable_data(points=16, dimension=2, seed=5, gap=gap)
    again, _ = max_margin.separable_data(points=16, dimension=2, seed=5, gap=gap)
    assert np.array_equal(x, again)
    generator = np.random.default_rng([5, 16, 2])
    drawn = generator.standard_normal((16, 2))
    teacher = generator.standard_normal(2)
    assert np.array_equal(y, np.sign(drawn @ teacher))
    before, after = svm.hard_margin(drawn, y), svm.hard_margin(x, y)
    assert after.weights == pytest.approx(before.weights, rel=1e-9)
    w = before.weights
    margins = y * (drawn @ w)
    moved = (before.duals <= max_margin.DUAL_FLOOR * before.duals.max()) & (margins < 1 + gap)
    assert 0 < moved.sum() < (before.duals == 0).sum()
    assert np.array_equal(x[~moved], drawn[~moved])
    step = (x - drawn)[moved] @ w / (w @ w) * y[moved]  # the move measured along y_i ŵ/‖ŵ‖²
    assert np.allclose((x - drawn)[moved], (step * y[moved])[:, None] * w)
    assert y[moved] * (x[moved] @ w) == pytest.approx(1 + gap, rel=1e-12)
    asymptote = max_margin.asymptote(x, y, loss="exponential")
    assert asymptote.rate == pytest.approx(min(gap, min(np.linalg.eigvals(
        (y[asymptote.support, None] * x[asymptote.support]) @ (y[asymptote.support, None] * x[asymptote.support]).T
        @ np.diag(asymptote.svm.duals[asymptote.support])).real)), rel=1e-9)


def test_davis_kahan_bound_by_hand():
    """W_k = diag(3, 1) (u_k = e_1, σ_1² = 9), D = W_{k+1}ᵀW_{k+1} − W_kW_kᵀ:
    * W_{k+1} = diag(2, ½): δ = 9 − ¼, D u_k = (−5, 0), sin θ ≤ 5/8.75 = 4/7, bound 1 − √33/7;
    * W_{k+1} = (2, 0) (one singular value): δ = 9, sin θ ≤ 5/9, bound 1 − √56/9;
    * W_k = diag(1, ½), W_{k+1} = diag(1.2, ½): δ = ¾ < 1, D u_k = (0.44, 0), bound 1 − √(1 − (0.44/0.75)²);
    * δ < 0 (W_{k+1} = diag(2, 1.5)) and δ = 0 exactly (W_{k+1} = diag(2, 1)): no bound, 1, without dividing by 0.
    Tolerance: float64 rounding of a 2×2 SVD (1e-14 relative)."""
    import warnings
    def bound(following, layer):
        following, layer = np.array(following, dtype=float), np.array(layer, dtype=float)
        return deep_linear.davis_kahan(following, layer, following.T @ following - layer @ layer.T)
    assert bound(np.diag([2, 0.5]), np.diag([3, 1])) == pytest.approx(1 - math.sqrt(33) / 7, rel=1e-14)
    assert bound([[2, 0]], np.diag([3, 1])) == pytest.approx(1 - math.sqrt(56) / 9, rel=1e-14)
    assert bound(np.diag([1.2, 0.5]), np.diag([1, 0.5])) == pytest.approx(1 - math.sqrt(1 - (0.44 / 0.75) ** 2),
                                                                       rel=1e-13)
    assert bound(np.diag([2, 1.5]), np.diag([1, 0.5])) == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bound(np.diag([2, 1]), np.diag([1, 0.5])) == 1.0


def test_stable_rank_and_margin_direction_bound_by_hand():
    """Singular values 4 and 3: stable rank (16 + 9)/16; the direction bound 2√(1 − (γ/γ*)²) at γ/γ* = 3/5 is
    2·4/5, and γ = 0 is refused (no positive margin)."""
    assert deep_linear.stable_rank(np.array([[0.0, 3.0], [4.0, 0.0]])) == pytest.approx(25 / 16, rel=1e-15)
    assert deep_linear.margin_direction_bound(0.3, 0.5) == pytest.approx(1.6, rel=1e-15)
    with pytest.raises(ParameterError, match="margin"):
        deep_linear.margin_direction_bound(0.0, 0.5)


def test_a_long_flow_warns_of_nothing_and_refuses_a_non_finite_state(monkeypatch):
    """The claim's first case at seed 0 (13 points in 2-d, seed 0, gap 1/5, exponential loss, τ_end = 311): DOP853
    tries stages far beyond an acceptable step, where exp() overflows, and rejects them; NumPy's overflow warnings
    said nothing about the result and are no longer printed. A non-finite state that the solver accepted would be
    refused with an ArithmeticError, not returned."""
    import warnings

    from scipy.integrate import solve_ivp

    x, y = max_margin.separable_data(points=13, dimension=2, seed=0, gap=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = max_margin.flow(x, y, loss="exponential", taus=[155.5], tau_end=311.0)
    assert np.isfinite(path.values).all() and np.isfinite(path.final).all()

    calls = []

    def poisoned(*arguments, **options):  # the early phase only: one phase non-finite is enough to refuse
        solution = solve_ivp(*arguments, **options)
        if not calls:
            solution.y[:, 0] = np.inf  # a recorded state, not the one the late phase starts from
        calls.append(solution)
        return solution

    monkeypatch.setattr(max_margin, "solve_ivp", poisoned)
    with pytest.raises(ArithmeticError, match="non-finite"):
        max_margin.flow(x, y, loss="exponential", taus=[-1.0], tau_end=2.0)
    assert len(calls) == 2 and np.isfinite(calls[1].y).all()
