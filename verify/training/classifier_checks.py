"""The experiment the two classification claims share, and the checks that read its trained runs.

A ``Setup`` says what distinguishes the claims (the network, its depths, the labelling direction and the basis in
which the network's amplitudes live). A ``ClassifierCase`` is ``repetitions`` Gaussian datasets; ``train`` trains,
in one tensor program (verify/training/classifiers.py), every depth on every dataset of every case, plus one
network per depth ≥ 2 on the population loss, and returns a ``Trained`` view per case. The checks here read those
views: the learning order (population and sampled), comparisons of a score across depths and with the hard-margin
SVM at equal training loss, and the SVM's own KKT conditions. The mathematics behind every rule and tolerance:
docs/claims/classification.md.

This module does not import torch: ``train`` imports the trainer when models train.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Callable

import numpy as np
from hypothesis import strategies as st
from scipy import stats

from numerics import classification_data, gd, svm, toy
from theory import classification as theory

from ..cases import Case, round_down, text
from ..claim import FAIL, PASS, Diverged, Measured, Skip, worst
from ..monte_carlo import RESOLUTION, resolved

# Training losses at which depths are compared (the smallest one every network of a case reached); the last is the
# authors' stopping threshold, where every network stops.
LADDER = (Fraction(1, 20), Fraction(1, 50), Fraction(1, 100))
# Initial scales, the authors' 1/100 first (Hypothesis shrinks towards it).
INITS = (Fraction(1, 100), Fraction(2, 100), Fraction(5, 1000), Fraction(3, 1000), Fraction(1, 1000), Fraction(3, 100))
REPETITIONS = (4, 6)  # datasets per case: the statistics across depths are over these
CONFIDENCE = 0.999  # one-sided level of the t-slack of the paired comparisons
PAIRED = ("paired differences over the datasets: mean ≥ −t_{0.999, R−1}·sd/√R (one-sided, false alarm ≤ 1e-3 per "
          "pair)")  # the tolerance of every comparison at equal training loss
TAKE_OFF_SHARE = Fraction(3, 4)  # the toy-model take-off of the smallest feature must fit in this share of the steps
FIGURE_RECORDS = 200  # amplitudes kept at this many evenly spaced steps for the figures


@dataclass(frozen=True)
class Setup:
    """What distinguishes the classification claims.

    ``target(d)`` is the unit labelling direction u; ``transform`` maps vectors (…, d) to their coefficients in
    the basis whose moduli are the network's amplitudes (the identity, or the real FFT); ``support(d)`` lists the
    amplitudes of u, largest first (the claimed learning order); ``branches`` is 2 for the two-branch diagonal
    network (at depth 1 both branches have unit Jacobian, which doubles the curvature) and 1 otherwise.
    """

    model: str
    depths: tuple
    branches: int
    target: Callable
    transform: Callable
    support: Callable

    def amplitudes(self, vectors) -> np.ndarray:
        return np.abs(self.transform(np.asarray(vectors, dtype=np.float64)))

    def early_targets(self, dimension: int) -> np.ndarray:
        """σ*_k = √(2/π)|û_k|: the toy-model targets of the early phase, per amplitude."""
        return _early_slope(theory.STATEMENT.version) * self.amplitudes(self.target(dimension))

    def variances(self, dimension: int) -> np.ndarray:
        """Per amplitude k, the variance of one sample's y⟨e_k, x⟩ along the phase of û_k, e_k the basis row: the
        empirical early-phase target (1/n)Σ y x has coefficient k with standard error √(v_k/n) (an upper bound:
        the label's correlation only lowers it)."""
        phase = np.exp(-1j * np.angle(self.transform(self.target(dimension))))
        return ((self.transform(np.eye(dimension)) * phase).real ** 2).sum(axis=0)

    def level(self, dimension: int) -> float:
        """Crossing level of the learning-order checks: half the smallest early-phase target of the support."""
        return 0.5 * float(self.early_targets(dimension)[list(self.support(dimension))].min())

    def resolvable(self, dimension: int, samples: int) -> list:
        """Consecutive pairs (k, k') of the support (in the claimed order) whose early-phase targets differ by ≥
        RESOLUTION standard errors of their sampled difference, √((v_k + v_k')/n): only those can be expected in a
        definite order on one dataset."""
        a, v, order = self.early_targets(dimension), self.variances(dimension), self.support(dimension)
        return [(k, j) for k, j in zip(order, order[1:]) if resolved(a[k] - a[j], v[k] + v[j], samples)]

    def samples_needed(self, dimension: int) -> int:
        """The smallest n at which the first pair of the support becomes resolvable."""
        a, v, (k, j) = self.early_targets(dimension), self.variances(dimension), self.support(dimension)[:2]
        return math.ceil(RESOLUTION**2 * (v[k] + v[j]) / (a[k] - a[j]) ** 2)

    def unresolvable(self, case) -> Skip:
        return Skip(f"no pair of target amplitudes is {RESOLUTION} standard errors apart at n = {case.samples} "
                    f"(the first needs n ≥ {self.samples_needed(case.dimension)})")


@lru_cache(maxsize=8)
def _early_slope(version: int) -> float:
    """√(2/π) from the stated gradient, once per ``version`` of the statement (a substituted one is never stale)."""
    return float(theory.early_slope())


@dataclass(frozen=True)
class ClassifierCase(Case):
    """``repetitions`` datasets (the run's streams ``dataset <dataset> repetition <r>``) of ``samples`` Gaussian
    inputs in ``dimension`` dimensions, labelled by the claim's direction; networks of every depth start at
    ``init`` and take at most ``steps`` steps."""

    dataset: int
    repetitions: int
    dimension: int
    samples: int
    init: Fraction
    steps: int


@st.composite
def classifier_cases(draw, *, setup: Setup, budget: int, dimensions, samples: tuple, dps: int) -> ClassifierCase:
    """Cases whose smallest feature takes off (toy-model estimate, deepest depth) within 3/4 of ``budget`` steps;
    ``dimensions`` is a strategy, ``samples`` a range (the dimension drawn first)."""
    dimension = draw(dimensions)
    n = draw(st.integers(*samples))
    admissible = [init for init in INITS if init <= setup.level(dimension) / 2]  # small: crossings far above it
    affordable = [init for init in admissible
                  if _take_off_steps(setup, dimension, n, init, dps) <= TAKE_OFF_SHARE * budget]
    init = draw(st.sampled_from(affordable or [max(admissible)]))
    return ClassifierCase(draw(st.integers(0, 10**6)), draw(st.integers(*REPETITIONS)), dimension, n, init, budget)


def _take_off_steps(setup: Setup, dimension: int, samples: int, init: Fraction, dps: int) -> float:
    """GD steps until the smallest support amplitude reaches the level on Theorem 1's flow (its early phase), at
    the step sizes of ``step_size`` with λ_max(XᵀX/n) estimated by the Marchenko–Pastur edge (1 + √(d/n))²."""
    targets = setup.early_targets(dimension)[list(setup.support(dimension))]
    edge = (1 + math.sqrt(dimension / samples)) ** 2
    return worst(float(toy.time_to(setup.level(dimension), depth=depth, target=float(targets.min()), init=init,
                                   dps=dps)) / float(step_size(setup, depth, float(targets.max()), edge))
                 for depth in setup.depths)


def step_size(setup: Setup, depth: int, largest: float, curvature: float) -> Fraction:
    """The monotone step limit of Theorem 1's GD map at the largest early-phase target, divided by the input
    curvature λ_max(XᵀX/n) (and by 2 for two unit-Jacobian branches at depth 1)."""
    limit = gd.monotone_step_limit(depth=depth, target=largest)
    return round_down(float(limit) / (curvature * (setup.branches if depth == 1 else 1)))


def datasets(setup: Setup, case: ClassifierCase, run) -> list:
    """(inputs, labels) of each repetition, from the run's stream for the case's dataset and the repetition."""
    direction = setup.target(case.dimension)
    return [classification_data.gaussian_dataset(run.rng(f"dataset {case.dataset} repetition {r}"),
                                                 samples=case.samples, direction=direction)
            for r in range(case.repetitions)]


def svm_kkt(setup: Setup, case: ClassifierCase, run) -> Measured:
    """The hard-margin SVM of every dataset of the case against its KKT conditions (numerics/svm.py)."""
    baselines = [svm.hard_margin(x, y) for x, y in datasets(setup, case, run)]
    return Measured(worst(value for baseline in baselines for value in baseline.kkt.values()), svm.KKT_TOLERANCE,
                    f"{len(baselines)} datasets, worst KKT residual")


# --- training ----------------------------------------------------------------------------------------------------
@dataclass
class Trained:
    """One case's trained networks (indices into ``runs``, shared by every case of the batch) with what the checks
    need; the hard-margin SVMs of its datasets are solved when a check first asks (``baselines``)."""

    case: ClassifierCase
    setup: Setup
    samples: list
    steps: dict  # depth → step size
    runs: object  # verify.training.classifiers.Runs
    sample: dict  # (repetition, depth) → experiment index
    population: dict  # depth → experiment index
    solved: list = field(default_factory=list, repr=False)  # the SVMs, once ``baselines`` solved them

    @property
    def level_index(self):
        """The smallest training loss of LADDER that every network of the case reached (its index), or None."""
        reached = self.runs.reached[list(self.sample.values())]
        common = [i for i in range(len(LADDER)) if (reached[:, i] >= 0).all()]
        return common[-1] if common else None

    @property
    def loss(self) -> Fraction:
        return LADDER[self.level_index]

    def predictors(self, depth: int) -> np.ndarray:
        """(repetitions, d) predictors at the comparison loss."""
        rows = [self.sample[(r, depth)] for r in range(self.case.repetitions)]
        return self.runs.predictors_at[rows, self.level_index, : self.case.dimension]

    def baselines(self) -> list:
        """The hard-margin SVM of each dataset (numerics/svm.py)."""
        if not self.solved:
            self.solved.extend(svm.hard_margin(x, y) for x, y in self.samples)
        return self.solved

    def trouble(self) -> str:
        """Why the trained checks cannot be judged (a diverged run, or one backtracking could not descend), or ''."""
        indices = list(self.sample.values()) + list(self.population.values())
        if not self.runs.finite[indices].all():
            return f"GD produced NaN/inf (step sizes {_steps_text(self.steps)})"
        stuck = int(self.runs.undecided[indices].sum())
        if stuck:
            return (f"{stuck} GD steps found no descent however far backtracking halved the step (from "
                    f"{_steps_text(self.steps)}): rounding dominates the loss changes; not a counterexample")
        return ""

    def backtracked(self) -> float:
        """The share of steps in which backtracking reduced the step size."""
        indices = list(self.sample.values()) + list(self.population.values())
        taken = np.maximum(self.runs.stopped[indices], 1)
        return float(self.runs.backtracked[indices].sum() / taken.sum())

    def unreached(self) -> Skip | None:
        """Skip the comparisons at equal training loss when the networks reached no common loss."""
        if self.level_index is None:
            return Skip(f"not every network reached training loss {text(LADDER[0])} within {self.case.steps} steps")
        return None


def train(setup: Setup, cases: list, run, record=()) -> dict:
    """Every case's networks in one tensor program: for each dataset every depth, and for each depth ≥ 2 one
    network on the population loss; amplitudes kept at the steps in ``record``. Returns {case: Trained}."""
    from . import classifiers as training  # noqa: PLC0415 - torch only when models train

    experiments, data, layout = [], [], {}
    for case in cases:
        target = setup.target(case.dimension)
        samples = datasets(setup, case, run)
        curvature = max(float(np.linalg.eigvalsh(x.T @ x / case.samples)[-1]) for x, _ in samples)
        largest = float(setup.early_targets(case.dimension).max())
        steps = {depth: step_size(setup, depth, largest, curvature) for depth in setup.depths}
        level, track = setup.level(case.dimension), tuple(setup.support(case.dimension))
        first = len(data)
        data += [training.Data(x, y) for x, y in samples] + [training.Data(target=target)]
        sample, population = {}, {}
        for r in range(case.repetitions):
            for depth in setup.depths:
                sample[(r, depth)] = len(experiments)
                experiments.append(training.Experiment(depth, float(case.init), float(steps[depth]), first + r,
                                                       case.steps, level, track, float(LADDER[-1])))
        for depth in (d for d in setup.depths if d >= 2):
            population[depth] = len(experiments)
            experiments.append(training.Experiment(depth, float(case.init), float(steps[depth]),
                                                   first + case.repetitions, case.steps, level, track, math.inf))
        layout[case] = (samples, steps, sample, population)
    runs = training.train(setup.model, experiments, data, ladder=[float(v) for v in LADDER], record=record,
                          device=run.device, dtype=run.dtype)
    return {case: Trained(case, setup, samples, steps, runs, sample, population)
            for case, (samples, steps, sample, population) in layout.items()}


def judgeable(trained: dict) -> dict:
    """``train``'s results as the claim kit takes them: a case whose runs are in trouble is ``Diverged``."""
    return {case: Diverged(view.trouble()) if view.trouble() else view for case, view in trained.items()}


def plot_learning(axis, trained: Trained, depth: int, support: list, labels: list, other: str, scale=1.0,
                  titled: bool = True) -> None:
    """A panel of Figures 1c/1d: at ``depth``, the amplitudes on the ``support`` over time (one colour each, labelled
    ``labels``) and the largest amplitude off it (grey, dashed, labelled ``other``), each divided by ``scale``; the
    depth and step size in the title when ``titled``."""
    from ..plots import COLOURS  # noqa: PLC0415 - matplotlib only when figures are asked for

    index = trained.sample[(0, depth)]
    amplitudes, times = trained.runs.amplitudes[index], trained.runs.times[index]
    for colour, k, label in zip(COLOURS, support, labels):
        axis.plot(times, amplitudes[:, k] / scale, color=colour, lw=1.6, label=label)
    axis.plot(times, np.delete(amplitudes, support, axis=1).max(axis=1) / scale, color="0.5", lw=1.2, ls="--",
              label=other)
    if titled:
        axis.set_title(rf"depth $N = {depth}$, base $\eta = {float(trained.steps[depth]):g}$")


def figure_runs(setup: Setup, case: ClassifierCase, run) -> Trained:
    """``train`` for one case, with the amplitudes kept at FIGURE_RECORDS evenly spaced steps."""
    return train(setup, [case], run, range(0, case.steps + 1, case.steps // FIGURE_RECORDS))[case]


# --- checks on the trained runs ----------------------------------------------------------------------------------
def population_order(trained: Trained) -> Measured | Skip:
    """GD on the population loss, depth ≥ 2: the support crosses the level in the target's order."""
    case, support = trained.case, trained.setup.support(trained.case.dimension)
    inverted, shown = 0, []
    for depth, index in trained.population.items():
        times = trained.runs.crossings[index, list(support)]
        if (times < 0).any():
            return Skip(f"depth {depth}: not every support amplitude crossed the level within {case.steps} steps")
        inverted += int((np.diff(times) < 0).sum())
        shown.append(f"N={depth}: {', '.join(str(t) for t in times)}")
    return Measured(inverted, 0, f"crossing steps of amplitudes {support} at level "
                                 f"{trained.setup.level(case.dimension):.3g}: " + "; ".join(shown))


def learning_order(trained: Trained) -> Measured | Skip:
    """Trained on each dataset, depth ≥ 2: the resolvable pairs of the support cross the level in order."""
    case = trained.case
    pairs = trained.setup.resolvable(case.dimension, case.samples)
    if not pairs:
        return trained.setup.unresolvable(case)
    inverted, judged, unreached = 0, 0, 0
    for (_, depth), index in trained.sample.items():
        if depth < 2:
            continue
        times = trained.runs.crossings[index]
        for k, j in pairs:
            if times[k] < 0 and times[j] < 0:
                unreached += 1
                continue
            judged += 1
            inverted += int(times[k] < 0 or 0 <= times[j] < times[k])
    if not judged:
        return Skip(f"no judged pair crossed the level within {case.steps} steps")
    note = f"; {unreached} pairs not reached within the steps" if unreached else ""
    return Measured(inverted, 0, f"pairs {pairs} judged on {judged} (dataset, depth) runs, {inverted} inverted{note}")


def paired(trained: Trained, scores: dict, pairs: list, name: str, data: dict | None = None) -> Measured:
    """Each pair (a, b) of ``scores`` keys claims score[b] ≥ score[a] on average over the datasets; a pair fails
    when the mean difference is below −t_{0.999, R−1} sd/√R (one-sided t-slack). Reports the worst pair (a pair
    with a NaN score is the worst)."""
    rows = []
    for low, high in pairs:
        differences = scores[high] - scores[low]
        count = len(differences)
        slack = float(stats.t.ppf(CONFIDENCE, count - 1) * differences.std(ddof=1) / math.sqrt(count))
        rows.append((-float(differences.mean()), slack, low, high))
    deficit, slack, low, high = max(rows, key=_shortfall)
    return Measured(worst((deficit, 0.0)), slack,
                    f"worst pair {low} → {high}: mean {name} change {-deficit:+.4g} over {len(scores[high])} datasets "
                    f"(slack {slack:.2g}) at training loss {text(trained.loss)}", data or {})


def measurements(trained: Trained, values: dict) -> dict:
    """Unjudged numbers for the report: the comparison loss, the mean of each compared value (per depth, and "SVM"),
    the base step size and the mean steps to that loss per depth, the backtracked share."""
    data = {"loss": float(trained.loss)}
    data.update({key if key == "SVM" else f"N={key}": float(np.mean(value)) for key, value in values.items()})
    for depth in trained.setup.depths:
        taken = [trained.runs.reached[trained.sample[(r, depth)], trained.level_index]
                 for r in range(trained.case.repetitions)]
        data.update({f"eta N={depth}": float(trained.steps[depth]), f"steps N={depth}": float(np.mean(taken))})
    return {**data, "backtracked": trained.backtracked()}


# --- reports -----------------------------------------------------------------------------------------------------
def measured(result, check: str) -> list:
    """(case, {name: value}) of every judged outcome of ``check`` that carries measurements."""
    return [(o.case, o.measurements) for o in result.outcomes if o.check == check and o.data
            and o.status in (PASS, FAIL)]


def comparison_tables(result, check: str, depths: tuple, title: str, digits: int) -> dict:
    """From the measurements ``check`` carries: the compared value per case and depth (and the SVM's) at equal
    training loss, and the base step sizes with the steps taken to that loss, per depth over the cases."""
    rows = measured(result, check)
    if not rows:
        return {}
    shown = [(f"n={case.samples}, d={case.dimension}, σ0={text(case.init)}", f"{data['loss']:g}",
              *(f"{data[key]:.{digits}f}" for key in (*(f"N={d}" for d in depths), "SVM")),
              f"{100 * data['backtracked']:.1f}%") for case, data in rows]
    steps = []
    for depth in depths:
        sizes = [data[f"eta N={depth}"] for _, data in rows]
        taken = [data[f"steps N={depth}"] for _, data in rows]
        steps.append((depth, f"{min(sizes):g} – {max(sizes):g}", f"{min(taken):.0f} – {max(taken):.0f}"))
    return {title: (("case", "loss", *(f"N={d}" for d in depths), "hard-margin SVM", "backtracked steps"), shown),
            "Base step sizes η_N (Theorem 1's monotone limit at the largest early-phase target, over λ_max(XᵀX/n); "
            "backtracking halves a step only where the loss would not descend) and steps to the comparison loss":
            (("depth", "η (min – max over cases)", "steps (min – max of the case means)"), steps)}


# --- a wrong baseline, for the claims' corruptions ---------------------------------------------------------------
def soft_margin_svm(inputs, labels) -> svm.HardMarginSVM:
    """The authors' ``LinearSVC()`` objective (C = 1, squared hinge; here without its intercept) passed off as the
    hard-margin SVM: ½‖w‖² + Σ max(0, 1 − y_i⟨w, x_i⟩)², with the duals its stationarity gives."""
    from scipy.optimize import minimize  # noqa: PLC0415 - only under the corruption

    z = labels[:, None] * inputs

    def objective(w):
        slack = np.maximum(0, 1 - z @ w)
        return 0.5 * w @ w + slack @ slack, w - 2 * z.T @ slack

    w = minimize(objective, np.zeros(inputs.shape[1]), jac=True, method="L-BFGS-B", options={"gtol": 1e-12}).x
    duals = 2 * np.maximum(0, 1 - z @ w)
    return svm.HardMarginSVM(w, duals, 1 / np.linalg.norm(w), svm.kkt_residuals(inputs, labels, w, duals))


def _shortfall(row) -> float:
    """How far a pair's mean change falls below its slack (NaN ranks worst)."""
    margin = row[0] - row[1]
    return math.inf if math.isnan(margin) else margin


def _steps_text(steps: dict) -> str:
    return ", ".join(f"η_{depth} = {float(step):g}" for depth, step in steps.items())
