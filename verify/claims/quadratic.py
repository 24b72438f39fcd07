"""quadratic: quadratic networks learn incrementally once the trace coupling is removed (Figures 1b, 5).

The mathematics and where each tolerance comes from: docs/claims/quadratic.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from unittest import mock

import numpy as np
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from numerics import gd, quadratic, quadratic_data, toy
from theory import quadratic as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, Skip, check, derived, worst

DIMENSION = 20
TARGETS = (Fraction(1), Fraction(1, 2), Fraction(1, 3), Fraction(1, 4)) + (Fraction(0),) * (DIMENSION - 4)
POPULATION_STEP = Fraction(1, 64)  # the eigenvalue map is depth-2 GD with step 4η: 4η·2λ*_max = 1/8 of its limit
DATA_STEP = Fraction(1, 250)  # about 1/5 of the stability limit 2/(4 λ_max(M*) λ_max of the data's 4th moments)
SMALL, LARGE = (60, 150), (400, 800)  # below and well above the 210 free parameters of a symmetric 20×20 M
MONTE_CARLO_SAMPLES = 200_000
MONTE_CARLO_ERRORS = 4  # standard errors: a two-sided false-alarm probability of 6e-5
REPLAY_TOLERANCE = 1e-9
FIGURE_INIT = Fraction(1, 10**4)


@dataclass(frozen=True)
class QuadraticCase(Case):
    """One experiment: the index of its random draws (the run's stream "dataset {dataset}": the orthogonal init,
    then the inputs), a dataset size, and the initial scale M(0) = init·I."""

    dataset: int
    samples: int
    init: Fraction


@st.composite
def quadratic_cases(draw) -> QuadraticCase:
    size = draw(st.sampled_from((SMALL, LARGE)))
    exponent = draw(st.integers(-500, -300)) / 100  # init from 1e-5 to 1e-3, two significant digits
    init = Fraction(str(round(10 ** (exponent - math.floor(exponent)), 1))) * Fraction(10) ** math.floor(exponent)
    return QuadraticCase(draw(st.integers(0, 2**16)), draw(st.integers(*size)), init)


def _wrong_trace_coupling():
    """The coupled flow with the trace term at half its strength (2λτ instead of 4λτ)."""
    right = quadratic.eigenvalue_flow

    def flow(targets, *, init, times, coupled):
        if not coupled:
            return right(targets, init=init, times=times, coupled=False)
        stars = np.array([float(t) for t in targets])
        solution = solve_ivp(lambda _, logs: 8 * (stars - np.exp(logs)) - 2 * (np.exp(logs) - stars).sum(),
                             (0, max(times)), np.full(len(stars), math.log(float(init))), method="Radau", rtol=1e-10,
                             atol=1e-12, dense_output=True)
        return np.exp(np.array([solution.sol(t) for t in sorted(times)]))

    return mock.patch.object(quadratic, "eigenvalue_flow", flow)


def _uncoupled_gd():
    """The GD map of W without the trace term, whatever the loss."""
    right = quadratic.eigenvalue_gd
    return mock.patch.object(quadratic, "eigenvalue_gd", lambda targets, *, coupled, **keywords: right(
        targets, coupled=False, **keywords))


class Quadratic(Claim):
    id = "quadratic"
    # The default 12 cases as two chunks, side by side: an experiment trains to the same bits in any batch (reports
    # identical to those of one chunk of 12 at seeds 0, 1, 2; docs/adding-a-claim.md, 'Chunks').
    chunk_cases = 6
    step_factor = 4  # the data runs: 4 × the budget (the population run: ≤ the budget)
    title = "Quadratic networks: incremental eigenvalues with a global bias, coupled ones without"
    statement = (
        "For f(x) = xᵀWᵀWx (+ b) on Gaussian inputs with a rank-4 target M* = diag(1, 1/2, 1/3, 1/4, 0, …), "
        "d = 20, small init M(0) = σ_0 I: with a global bias at its optimum (the variance loss) the eigenvalues of "
        "M = WᵀW follow Theorem 1's depth-2 flow (incremental, largest first); without it they are coupled "
        "through the trace, learned together, overshoot, and spurious eigenvalues grow; on a small dataset the "
        "model without bias ends at a larger rank.")
    provenance = """
        seen: Figure 5's caption: without the bias the singular values are learned together and overshoot, and on a
        small dataset the solution has larger rank; with a bias initialised at its optimal value the dynamics are more
        incremental, as in the variance-loss analysis.

        derived: The population identity E[(xᵀΔx + c)²] = 2‖Δ‖²_F + (tr Δ + c)², the eigenvalue flows dλ/dt = 8λ(λ* − λ)
        (with bias) and 8λ(λ* − λ) − 4λ tr(M − M*) (without), and every tolerance here (docs/claims/quadratic.md).

        reconstructed: That the paper states this as a theorem about the variance loss, and the dataset sizes of its
        figure (not available to us).
        """
    corruptions = (
        Corruption("coupled flow with half the trace term (2λτ instead of 4λτ)", _wrong_trace_coupling,
                   checks=("no-bias-coupling",)),
        Corruption("eigenvalue GD map without the trace coupling", _uncoupled_gd, checks=("reduction-to-eigenvalues",)),
    )

    # --- once per run -------------------------------------------------------------------------------------
    @derived(theory.population_identity)
    def population_identity(self):
        """E[(xᵀΔx + c)²] = 2‖Δ‖²_F + (tr Δ + c)², sympy.stats at d = 3"""

    @derived(theory.eigenvalue_flow)
    def eigenvalue_flow(self):
        """dλ/dt from the loss: 8λ(λ* − λ) with the bias (= 4× Theorem 1's depth-2 flow), minus 4λ tr(M − M*) without"""

    @check("numeric", once=True, compares=f"the identity at d = 20 against {MONTE_CARLO_SAMPLES} Gaussian samples "
           "(the run's stream \"monte carlo\")", tolerance=f"{MONTE_CARLO_ERRORS} standard errors of the Monte Carlo "
           "mean: a two-sided false-alarm probability of 6e-5", measures="absolute error")
    def identity_monte_carlo(self, run):
        generator = run.rng("monte carlo")
        half = generator.normal(size=(DIMENSION, DIMENSION)) / DIMENSION
        delta, shift = half + half.T, 0.3
        total, squares = 0.0, 0.0
        for _ in range(MONTE_CARLO_SAMPLES // 20_000):
            x = generator.normal(size=(20_000, DIMENSION))
            values = (np.einsum("ni,ij,nj->n", x, delta, x) + shift) ** 2
            total += values.sum()
            squares += (values**2).sum()
        mean = total / MONTE_CARLO_SAMPLES
        error = math.sqrt((squares / MONTE_CARLO_SAMPLES - mean**2) / MONTE_CARLO_SAMPLES)
        exact = 2 * (delta**2).sum() + (np.trace(delta) + shift) ** 2
        return Measured(abs(mean - exact), MONTE_CARLO_ERRORS * error,
                        f"Monte Carlo {mean:.5f} ± {error:.5f} vs 2‖Δ‖² + (tr Δ + c)² = {exact:.5f}")

    # --- per case -----------------------------------------------------------------------------------------
    case_strategy = quadratic_cases()

    def train(self, cases, run):
        """Five experiments per case in one batched program: the variance and population losses (no data) at η and
        the population loss at η/2, and the two data losses on the case's inputs."""
        from ..training import quadratic as training  # noqa: PLC0415 - torch only when models train

        budget = run.profile.step_budget
        population = tuple(range(0, min(budget, 600) + 1, 10))
        data = tuple(range(0, 4 * budget + 1, max(1, 4 * budget // 200)))
        plans = []  # (case, name, experiment)
        for case in cases:
            rng = run.rng(f"dataset {case.dataset}")
            weights = quadratic_data.orthogonal_weights(rng, init=case.init, size=DIMENSION)
            inputs = quadratic_data.gaussian_inputs(rng, samples=case.samples, size=DIMENSION)
            for name, loss, step, record, x in (
                    ("variance", "variance", POPULATION_STEP, population, None),
                    ("no-bias", "population", POPULATION_STEP, population, None),
                    ("no-bias-half", "population", POPULATION_STEP / 2, tuple(2 * k for k in population), None),
                    ("data-bias", "bias", DATA_STEP, data, inputs),
                    ("data-no-bias", "no-bias", DATA_STEP, data, inputs)):
                plans.append((case, name, training.Experiment(loss, weights, step, record, x)))
        trained = training.train([e for _, _, e in plans], TARGETS, rows=LARGE[1], device=run.device, dtype=run.dtype)
        spectra = {case: _Spectra(population, data) for case in cases}
        for index, (case, name, experiment) in enumerate(plans):
            if not trained.finite[index] and not isinstance(spectra[case], Diverged):
                spectra[case] = Diverged(f"GD diverged (NaN/inf) on the {experiment.loss} loss at step "
                                         f"{float(experiment.step):g}, set at 1/8 (population) or about 1/5 (data) of "
                                         "the stability limit; a property of the step size")
            if not isinstance(spectra[case], Diverged):
                spectra[case].values[name] = trained.values[index, : len(experiment.record)]
        return spectra

    @check("empirical", measures="relative error", tolerance=f"{REPLAY_TOLERANCE:g} relative (a chosen constant): "
           "float64 rounding over a few hundred steps, amplified at most by the plateau")
    def reduction_to_eigenvalues(self, case, run, trained):
        """torch GD on full matrices W (random orthogonal init) against the eigenvalue GD map replayed in mpmath, with
        and without bias (population loss)
        """
        errors = []
        for name, coupled in (("variance", False), ("no-bias", True)):
            exact = quadratic.eigenvalue_gd(TARGETS, init=case.init, step=POPULATION_STEP, steps=trained.population,
                                            coupled=coupled, dps=run.dps)
            for r, values in enumerate(exact):
                reference = np.sort(np.array([float(v) for v in values]))[::-1]
                errors.append(worst(np.abs(trained.values[name][r] - reference) / reference))
        return Measured(worst(errors), REPLAY_TOLERANCE, f"{len(trained.population)} recorded steps, 2 losses")

    @check("empirical", measures="absolute error / λ*")
    def variance_vs_theorem1(self, case, run, trained):
        """eigenvalues of population GD with the bias at its optimum against Theorem 1's depth-2 closed form at time 4ηk

        Tolerance: 2 × the first-order GD bound of numerics.gd for the depth-2 map with step 4η
        """
        gaps, bounds = [], []
        for index, star in enumerate(TARGETS[:4]):
            replay = gd.replay(trained.population, depth=2, target=star, init=case.init, step=4 * POPULATION_STEP,
                               dps=run.dps)
            bounds.append(2 * float(replay.deviation[-1]) / float(star))
            for r, k in enumerate(trained.population):
                flow = toy.sigma_at(4 * POPULATION_STEP * k, depth=2, target=star, init=case.init, dps=run.dps)
                gaps.append(abs(trained.values["variance"][r][index] - float(flow)) / float(star))
        return Measured(worst(gaps), worst(bounds),
                        f"step η = {float(POPULATION_STEP):g}, {trained.population[-1]} steps")

    @check("empirical", measures="absolute error of the overshoot")
    def no_bias_coupling(self, case, run, trained):
        """without a bias (population): the top eigenvalue overshoots its target and the zero-target eigenvalues grow
        above σ_0, as the coupled flow (SciPy) predicts; with the bias they never exceed σ_0

        Tolerance: the overshoot of GD matches the flow's to 2 × its change when η is halved (Richardson) plus 1e-9;
        growth and decay are sign conditions (error 1 when one is violated)
        """
        spectra = trained.values
        times = [float(POPULATION_STEP) * k for k in trained.population]
        flow = quadratic.eigenvalue_flow(TARGETS, init=case.init, times=times, coupled=True)
        overshoot = {"flow": flow[:, 0].max() - 1.0, "gd": spectra["no-bias"][:, 0].max() - 1.0,
                     "half": spectra["no-bias-half"][:, 0].max() - 1.0}
        error = 2 * abs(overshoot["gd"] - overshoot["half"])  # Richardson: GD's O(η) error at η
        spurious = spectra["no-bias"][:, 4].max() / float(case.init)
        decaying = spectra["variance"][:, 4].max() / float(case.init)
        detail = (f"top eigenvalue overshoot: flow {overshoot['flow']:.4f}, GD {overshoot['gd']:.4f} (±{error:.1e}); "
                  f"spurious eigenvalues ×{spurious:.3g} without bias, ×{decaying:.3g} with it")
        # Derived sign conditions: the trace term makes zero-target eigenvalues grow, the bias makes them decay,
        # and the flow overshoots; GD must show the overshoot wherever it exceeds GD's own O(η) error.
        if spurious <= 1 or decaying > 1 + 1e-9 or overshoot["flow"] <= 0 or (
                overshoot["flow"] > 2 * error and overshoot["gd"] <= 0):
            return Measured(1.0, 0.0, detail)
        return Measured(abs(overshoot["gd"] - overshoot["flow"]), 2 * error + 1e-9, detail)

    @check("empirical", measures="pairs out of order")
    def incremental_with_bias(self, case, run, trained):
        """trained on data with the bias: the top-4 eigenvalues reach half their targets in the order 1, 1/2, 1/3, 1/4

        Tolerance: 0: strictly increasing crossing steps (integers)
        """
        if case.samples < LARGE[0]:
            return Skip("small dataset: checked by rank")
        bias, steps = trained.values["data-bias"], trained.data
        crossings = [next((k for k, row in zip(steps, bias) if row[i] >= float(TARGETS[i]) / 2), None)
                     for i in range(4)]
        if None in crossings:
            return Skip(f"not every top eigenvalue reached half its target within {steps[-1]} steps")
        return Measured(sum(a >= b for a, b in zip(crossings, crossings[1:])), 0, f"half-target steps {crossings}",
                        {"steps to half targets": crossings})

    @check("empirical", measures="ratio with/without bias")
    def rank_without_bias(self, case, run, trained):
        """small dataset (n < 210): the spectrum's mass beyond the top 4 after training is larger without the bias than
        with it

        Tolerance: a strict inequality: ratio ≤ 1 − 1e-12
        """
        if case.samples >= LARGE[0]:
            return Skip("large dataset: a single optimum")
        tails = (float(trained.values["data-bias"][-1][4:].sum()), float(trained.values["data-no-bias"][-1][4:].sum()))
        return Measured(tails[0] / tails[1], 1.0 - 1e-12, f"mass beyond the top 4 after {trained.data[-1]} steps: "
                        f"{tails[0]:.4f} with bias, {tails[1]:.4f} without",
                        {"mass beyond top 4 with bias": tails[0], "without bias": tails[1]})

    # --- reports ------------------------------------------------------------------------------------------
    def figures(self, directory, result) -> list:
        return _figure5(directory, result.settings)


@dataclass(frozen=True)
class _Spectra:
    """A case's recorded eigenvalues, by experiment name, at the ``population`` and ``data`` step counts."""

    population: tuple
    data: tuple
    values: dict = field(default_factory=dict)


def _figure5(directory, run) -> list:
    """Figure 5 of the paper: top-5 eigenvalues of WᵀW against time, without/with a global bias (rows) on a large
    and a small dataset (columns), one batched training run (inputs and init from the run's stream "figure")."""
    from ..plots import COLOURS, legend_below, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for
    from ..training import quadratic as training  # noqa: PLC0415 - torch only when models train

    steps = 4 * run.profile.step_budget
    record = tuple(range(0, steps + 1, max(1, steps // 300)))
    layout = [(loss, size) for loss in ("no-bias", "bias") for size in (600, 100)]
    rng = run.rng("figure")
    weights = quadratic_data.orthogonal_weights(rng, init=FIGURE_INIT, size=DIMENSION)
    inputs = {size: quadratic_data.gaussian_inputs(rng, samples=size, size=DIMENSION) for size in (600, 100)}
    trained = training.train([training.Experiment(loss, weights, DATA_STEP, record, inputs[size])
                              for loss, size in layout], TARGETS, device=run.device, dtype=run.dtype)
    figure, axes = plt.subplots(2, 2, figsize=(9.5, 6.2), sharex=True, sharey=True, constrained_layout=True)
    times = [k * float(DATA_STEP) for k in record]
    for index, (loss, size) in enumerate(layout):
        axis = axes.flat[index]
        for rank in range(5):
            colour = COLOURS[rank] if rank < 4 else "0.45"
            axis.plot(times, trained.values[index, :, rank], color=colour, lw=1.6, ls="-" if rank < 4 else "--",
                      label=rf"$\lambda_{rank + 1}$, target {TARGETS[rank]}")
        for star in TARGETS[:4]:
            axis.axhline(float(star), color="0.8", lw=0.8, zorder=0)
        axis.set_title(f"{'with' if loss == 'bias' else 'without'} a global bias, n = {size} "
                       f"({'large' if size > 210 else 'small'} dataset)")
        axis.grid(alpha=0.25)
        if index >= 2:
            axis.set_xlabel(r"time $t = \eta k$ (½ squared loss)")
        if index % 2 == 0:
            axis.set_ylabel(r"top eigenvalues of $W^\top W$")
    # below the panels: inside one, the legend would hide the curves' ends, where they settle on their targets
    legend_below(figure, *axes.flat[0].get_legend_handles_labels(), points=8)
    figure.suptitle("Quadratic networks (d = 20, rank-4 target): coupled without a bias, incremental with it")
    return save(figure, directory, "quadratic-figure5")


CLAIM = Quadratic()
