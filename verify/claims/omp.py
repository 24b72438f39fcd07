"""omp: the depth-5 toy model selects features like orthogonal matching pursuit (Figure 3)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from numerics import omp
from theory import two_branch
from theory.derivation import DerivationError

from .. import cache
from ..cases import Case
from ..claim import ERROR, FAIL, PASS, SKIPPED, CheckSpec, Claim, Outcome, Settings, guarded, judge

FEATURES, SAMPLES = 1000, 80  # the authors' OMP_experiment.py defaults
DEPTH, INIT, STEP = 5, Fraction(1, 10**4), Fraction(3, 1000)  # Figure 3's caption
THRESHOLD = Fraction(1, 10)  # a feature is "selected" when |σ_i| first reaches it (the authors' 0.1)
TIE = 1.1  # first-pick check only when the largest |x_iᵀy| beats the second by this factor


@dataclass(frozen=True)
class OmpCase(Case):
    """One experiment of Figure 3: its seed and the sparsity of w*."""

    seed: int
    sparsity: int

    def data(self):
        """X (n × d, unit-norm columns), the k-sparse w* (values Exp(scale 10) + 1), y = X w*."""
        generator = np.random.default_rng(self.seed)
        x = generator.normal(size=(SAMPLES, FEATURES))
        x /= np.linalg.norm(x, axis=0)
        truth = np.zeros(FEATURES)
        truth[generator.choice(FEATURES, self.sparsity, replace=False)] = generator.exponential(10, self.sparsity) + 1
        return x, truth, x @ truth


class Omp(Claim):
    id = "omp"
    title = "Gradient descent on the depth-5 toy model selects features like orthogonal matching pursuit"
    statement = (
        "On sparse regression (d = 1000 features, n = 80 samples, a k-sparse target), gradient descent on the "
        "two-branch depth-5 toy model from init 1e-4 with step 3e-3 picks features (the order in which |σ_i| "
        "reaches 0.1) much as orthogonal matching pursuit does; in particular its first pick is OMP's, the "
        "feature most correlated with y.")
    provenance = (
        ("seen", "Figure 3's caption: the depth-5 toy model (init 1e-4, learning rate 3e-3) against OMP, the "
                 "agreement of the first s selected features for every s over 100 experiments with its standard "
                 "deviation; the data and OMP of the authors' OMP_experiment.py."),
        ("reconstructed", "The claim that incremental learning acts like a greedy sparse-recovery algorithm; the "
                          "paper's agreement values are not available to us, so the curve is reported, not judged."),
        ("derived", "That the first pick is OMP's: before any feature moves, the gradient is −(2/n)Xᵀy, and in the "
                    "depth-5 plateau the time to reach the threshold is inversely proportional to |x_iᵀy|."),
    )
    checks = (
        CheckSpec("two-branch-flow", "symbolic", "dσ/dt of σ = w_+^N − w_-^N under the 'mse' loss on isotropic "
                  "inputs is 2N²(w_+^{2N−2} + w_-^{2N−2})(σ* − σ)", "exact"),
        CheckSpec("two-branch-gd-vs-flow", "empirical", "the torch trainer on two isotropic features (targets 3 and "
                  "−2, both branches) against the two-branch flow (SciPy Radau)", "2 × GD's change when η is halved "
                  "(Richardson estimate of its O(η) error)"),
        CheckSpec("omp-refit", "numeric", "after each OMP step the residual is orthogonal to the selected columns",
                  "1e-10·‖y‖: least squares on ≤ 10 well-conditioned unit columns in float64"),
        CheckSpec("first-pick", "empirical", "gradient descent's first selected feature is OMP's (argmax |x_iᵀy|), "
                  f"when that correlation beats the next by a factor ≥ {TIE}", "exact equality; near-ties skipped"),
    )

    def global_checks(self, settings: Settings) -> list:
        try:
            cache.cached("omp", "two-branch", two_branch.flow)
            derived = Outcome("two-branch-flow", None, 0.0, 0.0, PASS, "every step checked")
        except DerivationError as failure:
            derived = Outcome("two-branch-flow", None, 1.0, 0.0, FAIL, str(failure))
        return [derived, guarded("two-branch-gd-vs-flow", None, _two_branch_check, settings)]

    def derivations(self) -> list:
        return [cache.cached("omp", "two-branch", two_branch.flow)]

    def strategy(self, settings: Settings):
        return st.builds(OmpCase, st.integers(0, 2**32 - 1), st.integers(3, 6))

    def evaluate(self, cases: list, settings: Settings) -> dict:
        from ..training import two_branch as training  # noqa: PLC0415 - torch only when models train

        data = [case.data() for case in cases]
        selections = training.train(np.stack([x for x, _, _ in data]), np.stack([y for _, _, y in data]),
                                    depth=DEPTH, init=INIT, step=STEP, steps=16 * settings.profile.step_budget,
                                    threshold=THRESHOLD, wanted=max(case.sparsity for case in cases),
                                    device=settings.device, dtype=settings.dtype)
        evidence = {}
        for index, (case, (x, _, y)) in enumerate(zip(cases, data)):
            order, orthogonality = omp.omp(x, y, max_features=10)
            refit = judge("omp-refit", case, max(orthogonality), 1e-10 * np.linalg.norm(y), f"OMP order {order}")
            picks = _gd_order(selections.first[index])
            if not selections.finite[index]:
                first = Outcome("first-pick", case, math.nan, math.nan, ERROR, "GD produced NaN/inf")
            else:
                first = _first_pick(case, x, y, order, picks, selections.steps)
            evidence[case] = [refit, replace(first, data=(("agreement", _agreement(case, order, picks)),))]
        return evidence

    def tables(self, result) -> dict:
        curve = agreement_curve(result)
        if not curve:
            return {}
        rows = [(s, f"{mean:.3f}", f"{spread:.3f}", count) for s, mean, spread, count in curve]
        return {"Agreement of the first s features selected by GD and by OMP (reported; the paper's values are "
                "unknown)": (("s", "mean", "std", "experiments"), rows)}

    def figures(self, directory, result) -> list:
        from ..plots import omp_figure  # noqa: PLC0415 - matplotlib only when figures are asked for

        return omp_figure(directory, agreement_curve(result))


def _gd_order(first: np.ndarray) -> list:
    selected = np.flatnonzero(first >= 0)
    return [int(i) for i in selected[np.argsort(first[selected], kind="stable")]]


def _first_pick(case, x, y, order, picks, steps) -> Outcome:
    correlations = np.sort(np.abs(x.T @ y))[::-1]
    if correlations[0] < TIE * correlations[1]:
        return Outcome("first-pick", case, math.nan, 0.0, SKIPPED,
                       f"near tie: top correlations {correlations[0]:.3f} and {correlations[1]:.3f}")
    if not picks:
        return Outcome("first-pick", case, math.nan, 0.0, SKIPPED, f"no feature selected within {steps} steps")
    return judge("first-pick", case, float(picks[0] != order[0]), 0.0,
                 f"GD picked {picks[0]}, OMP {order[0]} (|x_iᵀy| ratio {correlations[0] / correlations[1]:.3f})")


def _agreement(case, order, picks) -> tuple:
    """|first s of OMP ∩ first s of GD|/s for every s both reached (a measurement: the paper's values are
    not available, so it is reported with the first-pick outcome, not judged)."""
    reach = min(len(order), len(picks), case.sparsity)
    return tuple(round(len(set(order[:s]) & set(picks[:s])) / s, 6) for s in range(1, reach + 1))


def agreement_curve(result) -> list:
    """(s, mean, std, experiments) over the run's experiments that reached s selections with both methods."""
    per_s: dict = {}
    for outcome in result.outcomes:
        for s, value in enumerate(dict(outcome.data).get("agreement", ()), start=1):
            per_s.setdefault(s, []).append(value)
    return [(s, float(np.mean(v)), float(np.std(v)), len(v)) for s, v in sorted(per_s.items())]


def _two_branch_check(settings: Settings) -> Outcome:
    """Two isotropic features (Hadamard rows: XᵀX/n = I exactly), targets 3 and −2, GD at η and η/2."""
    from ..training import two_branch as training  # noqa: PLC0415

    x = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    goals = np.array([3.0, -2.0])
    step, steps = Fraction(1, 2000), 500  # t = 0.25: both coordinates mid-transition
    finals = []
    for h, k in ((step, steps), (step / 2, 2 * steps)):
        run = training.train(x[None], (x @ goals)[None], depth=3, init=Fraction(1, 100), step=h, steps=k,
                             threshold=10, wanted=99, device=settings.device, dtype=settings.dtype)
        finals.append(run.sigma[0])
    start = (1 / 100) ** (1 / 3)

    def rhs(_, w):
        sigma = w[:2] ** 3 - w[2:] ** 3
        pull = 2 * (goals - sigma)  # −∂/∂σ of the 'mse' loss ‖σ − σ*‖² on isotropic inputs
        return np.concatenate([3 * w[:2] ** 2 * pull, -3 * w[2:] ** 2 * pull])

    flow = solve_ivp(rhs, (0, float(step) * steps), np.full(4, start), method="Radau", rtol=1e-11, atol=1e-13).y[:, -1]
    exact = flow[:2] ** 3 - flow[2:] ** 3
    error = float(np.max(np.abs(finals[0] - exact)))
    richardson = 2 * float(np.max(np.abs(finals[0] - finals[1])))
    return judge("two-branch-gd-vs-flow", None, error, 2 * richardson + 1e-12,
                 f"σ after t = {float(step) * steps:g}: GD {np.round(finals[0], 6)}, flow {np.round(exact, 6)}")


CLAIM = Omp()
