"""retention: SGD on the square loss from w₀ keeps w₀'s predictions off the data span, and the interpolating
classifier disagrees with w₀ on a fraction ∠(w₀, w∞)/π of Gaussian inputs (the mechanism of Nakkiran et al.'s
Theorem 1).

The mathematics and where each tolerance comes from: docs/claims/increasing-complexity.md (§2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics import retention as numbers
from theory import least_squares
from theory import retention as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, Skip, Trained, check, derived, digits_tolerance, worst

Z = 5  # Monte Carlo at 5 standard errors: a false alarm has probability 5.7e-7 per case
FRESH = 20000  # fresh Gaussian inputs for the disagreement
CHUNK = 2000
CONVERGED = 1e-6  # ‖Xw − y‖/‖y‖ below which SGD counts as having interpolated
# SGD steps per sample: at least 60 (n ≤ budget/60), at most 100: with d ≥ 10n the expected squared error falls by
# about e^(−0.47) every n steps (s_min(X)²/‖x‖² ≈ (1 − √(n/d))² ≥ 0.47), so 60n steps reach 10⁻¹² relative
STEPS_PER_SAMPLE = 60
MOST_SAMPLES, MOST_DIMENSIONS = 50, 1000  # every case's data is padded to these: its rounding is its own alone
QUADRATURE_ANGLES = (Fraction(1, 10), Fraction(1), Fraction(2), Fraction(3))


@dataclass(frozen=True)
class RetentionCase(Case):
    """n Gaussian inputs in d dimensions, labels sign(x₁) flipped with probability ``flip``; w₀ of norm ``scale``
    at ``angle`` (radians) from the true direction e₁; SGD for ``steps`` steps (min(budget, 100n))."""

    samples: int
    dimension: int
    flip: Fraction
    angle: Fraction
    scale: Fraction
    steps: int


@st.composite
def retention_cases(draw, *, step_budget: int) -> RetentionCase:
    samples = draw(st.integers(4, max(4, min(MOST_SAMPLES, step_budget // STEPS_PER_SAMPLE))))
    dimension = min(MOST_DIMENSIONS, draw(st.integers(10, 40)) * samples)
    flip = Fraction(draw(st.integers(0, 30)), 100)
    angle = Fraction(draw(st.integers(5, 120)), 100)
    scale = Fraction(10) ** draw(st.integers(-1, 1)) * Fraction(draw(st.integers(1, 9)))
    return RetentionCase(samples, dimension, flip, angle, scale, min(step_budget, 100 * samples))


class Retention(Claim):
    id = "retention"
    title = "SGD on the square loss keeps the initial linear classifier off the data span (Nakkiran et al., Theorem 1)"
    statement = (
        "Linear regression with square loss, X ∈ R^(n×d) of rank n < d, labels y = ±1 (noisy), SGD from w₀: every "
        "update lies in the row space of X, so ⟨w_k, v⟩ = ⟨w₀, v⟩ for every v orthogonal to the data, and SGD "
        "reaches w∞ = w₀ + X^+(y − Xw₀), the interpolant closest to w₀. For x ~ N(0, I_d), "
        "P[sign⟨w∞, x⟩ ≠ sign⟨w₀, x⟩] = angle(w₀, w∞)/π ≤ arcsin(‖y − Xw₀‖/(‖w₀‖ s_min(X)))/π: the interpolating "
        "classifier disagrees with w₀ (and its accuracy differs from w₀'s) on at most that fraction.")
    provenance = """
        seen: Theorem 1 concerns a linear classifier trained by SGD on the empirical square loss from an initial w₀,
        with label noise, and says the classifier learned first is retained (the paper's statement opens with this
        setting; its exact conditions on w₀ and its rates were not available).

        reconstructed: The statement checked here is the mechanism, not the paper's quantifiers: the exact data model
        (Gaussian here), the conditions on w₀ and p and the probability bound must be copied from the paper before this
        is shown as its Theorem 1.

        derived: Row-space invariance of SGD, the closest interpolant (shared with the least-squares claim), Sheppard's
        angle/π, and the angle bound (docs/claims/increasing-complexity.md §2).
        """
    corruptions = (
        Corruption("disagreement ∠/(2π)", lambda: theory.substituted(disagreement=lambda angle: angle / (2 * sp.pi)),
                   checks=("sheppard", "disagreement-vs-quadrature", "disagreement-monte-carlo")),
        Corruption("limit forgets w₀ (X⁺y)", lambda: least_squares.substituted(
            limit=lambda inputs, targets, init: inputs.T * (inputs * inputs.T) ** -1 * targets),
                   checks=("closest-interpolant", "sgd-reaches-the-interpolant")),
    )

    def strategy(self, run):
        return retention_cases(step_budget=run.profile.step_budget)

    # --- once per run --------------------------------------------------------------------------------------
    def statement_key(self) -> str:
        return f"{least_squares.statement_key()}|{theory.statement_key()}"

    @derived(least_squares.closest_interpolant)
    def closest_interpolant(self):
        """w∞ = w₀ + X⁺(y − Xw₀) is the interpolant closest to w₀ (Penrose conditions, Pythagoras, Lagrange; the
        least-squares claim's derivation, reused)

        Tolerance: exact: matrix algebra for symbolic n × d, and coordinates at rational points
        """

    @derived(theory.sgd_derivation)
    def sgd_keeps_the_outside(self):
        """every SGD update w ← w − Xᵀa leaves (I − P)w and ⟨w, v⟩ for v ⊥ row(X) unchanged"""

    @derived(theory.sheppard_derivation)
    def sheppard(self):
        """P[sign⟨u,x⟩ ≠ sign⟨v,x⟩] = ∠(u,v)/π from the uniform polar angle of a 2-D Gaussian, and against Sheppard's
        orthant formula

        Tolerance: exact; the orthant cross-check is a 60-digit spot-check at three angles
        """

    @derived(theory.angle_derivation)
    def angle_bound(self):
        """‖w₀‖² sin²∠(w₀, w∞) = min_t ‖w₀ − t w∞‖² ≤ ‖w₀ − w∞‖²"""

    # --- per case ------------------------------------------------------------------------------------------
    @check("numeric", measures="absolute error")
    def disagreement_vs_quadrature(self, case, run):
        """stated disagreement at the case's angle and at 0.1, 1, 2, 3 rad against 2∫φ(s)Φ(−s cot θ)ds by quadrature

        Tolerance: 10^(10−dps) absolute
        """
        errors = []
        for angle in (case.angle, *QUADRATURE_ANGLES):
            with mp.workdps(run.dps + 10):
                stated = theory.disagreement(sp.Rational(angle.numerator, angle.denominator))
                exact = mp.mpf(str(sp.N(stated, run.dps + 10)))
                errors.append(float(abs(exact - numbers.disagreement_by_quadrature(angle, dps=run.dps))))
        return Measured(worst(errors), digits_tolerance(run.dps))

    def train(self, cases, run):
        from ..training.linear_sgd import Data, Experiment  # noqa: PLC0415 - torch only when training
        from ..training.linear_sgd import train as sgd  # noqa: PLC0415

        data, experiments, problems = [], [], {}
        for index, case in enumerate(cases):
            rng = run.rng(f"data {case.describe()}")
            inputs, targets, init = _problem(case, rng)
            data.append(Data(inputs, targets))
            experiments.append(Experiment(index, tuple(init), case.steps, int(rng.integers(2**63))))
            problems[case] = dict(inputs=inputs, targets=targets, init=init)
        runs = sgd(experiments, data, shape=(MOST_SAMPLES, MOST_DIMENSIONS), device=run.device, dtype=run.dtype)
        results = {}
        for index, case in enumerate(cases):
            if not runs.finite[index]:
                results[case] = Diverged("SGD produced NaN or inf (step 1/‖x_i‖² is stable: a bug or an overflow)")
                continue
            results[case] = Trained(**problems[case], final=runs.final[index], where=runs.where)
        return results

    @check("empirical", measures="norm")
    def outside_span_kept(self, case, run, trained):
        """‖(I − P)(w_K − w₀)‖: SGD's movement off the row space of X

        Tolerance: first-order rounding: 3u per step of ‖w∞‖ + ‖w₀ − w∞‖ (Kaczmarz steps are non-expansive) plus
        10·d·u·(‖w_K‖ + ‖w₀‖) for the projection itself
        """
        u = run.unit_roundoff
        limit = numbers.limit(trained.inputs, trained.targets, trained.init)
        scale = np.linalg.norm(limit) + np.linalg.norm(trained.init - limit)
        bound = 3 * case.steps * u * scale + 10 * case.dimension * u * (
            np.linalg.norm(trained.final) + np.linalg.norm(trained.init))
        moved = np.linalg.norm(numbers.outside_span(trained.inputs, trained.final - trained.init))
        return Measured(float(moved), float(bound), trained.where)

    @check("empirical", measures="norm")
    def sgd_reaches_the_interpolant(self, case, run, trained):
        """‖w_K − w∞‖ for the stated w∞ against what the final iterate's residual and its movement off the row space
        allow

        Tolerance: a posteriori: ‖Xw_K − y‖/s_min(X) + ‖(I − P)(w_K − w₀)‖ + 4κ(X)²u‖w∞‖ (the stated form's normal
        equations in float64) + d·u·κ(X)‖w_K‖ + 10·d·u·‖w_K‖ (rounding of the residual and the projection); skipped
        unless ‖Xw_K − y‖ ≤ 1e-6‖y‖
        """
        x, y = trained.inputs, trained.targets
        residual = np.linalg.norm(x @ trained.final - y)
        if residual > CONVERGED * np.linalg.norm(y):
            return Skip(f"SGD has not interpolated within {case.steps} steps (‖Xw − y‖ = {residual:.2e})")
        singular = np.linalg.svd(x, compute_uv=False)
        limit = numbers.limit(x, y, trained.init)
        u, size = run.unit_roundoff, np.linalg.norm(trained.final)
        bound = residual / singular[-1] + np.linalg.norm(numbers.outside_span(x, trained.final - trained.init)) + (
            4 * (singular[0] / singular[-1]) ** 2 * u * np.linalg.norm(limit)  # the stated form's normal equations
            + case.dimension * u * singular[0] * size / singular[-1]  # the residual's own rounding
            + 10 * case.dimension * u * size)  # the projection's
        return Measured(float(np.linalg.norm(trained.final - limit)), float(bound), f"‖Xw − y‖ = {residual:.1e}")

    @check("empirical",
           tolerance=f"{Z} binomial standard errors (false alarm 5.7e-7 per "
                     "case)", measures="|fraction − stated|/standard error")
    def disagreement_monte_carlo(self, case, run, trained):
        """fraction of 20000 fresh x ~ N(0, I_d) on which sign⟨w_K, x⟩ ≠ sign⟨w₀, x⟩, against the stated disagreement at
        ∠(w₀, w_K)
        """
        angle = numbers.angle(trained.init, trained.final)
        stated = numbers.disagreement(angle)
        rng = run.rng(f"fresh {case.describe()}")
        disagree = correct_init = correct_final = 0
        for _ in range(FRESH // CHUNK):
            fresh = rng.standard_normal((CHUNK, case.dimension))
            before, after, truth = np.sign(fresh @ trained.init), np.sign(fresh @ trained.final), np.sign(fresh[:, 0])
            disagree += int(np.sum(before != after))
            correct_init += int(np.sum(before == truth))
            correct_final += int(np.sum(after == truth))
        fraction = disagree / FRESH
        error = math.sqrt(max(stated * (1 - stated), 1 / FRESH) / FRESH)
        return Measured(abs(fraction - stated) / error, Z, f"∠ = {angle:.4f} rad: {fraction:.4f} against {stated:.4f}",
                        {"angle": angle, "disagreement": fraction, "stated": stated,
                         "accuracy of w0": correct_init / FRESH, "accuracy of w_K": correct_final / FRESH,
                         "bound": numbers.retention_bound(trained.inputs, trained.targets, trained.init),
                         "dimension": case.dimension, "samples": case.samples})

    @check("empirical", measures="∠/π − bound")
    def retention_bound(self, case, run, trained):
        """∠(w₀, w_K)/π against arcsin(‖y − Xw₀‖/(‖w₀‖ s_min(X)))/π

        Tolerance: the bound itself (the error is ∠/π − bound, ≤ 0 when it holds) plus 10⁻⁹ for the float64 angle
        """
        bound = numbers.retention_bound(trained.inputs, trained.targets, trained.init)
        angle = numbers.angle(trained.init, trained.final) / math.pi
        return Measured(angle - bound, 1e-9, f"∠/π = {angle:.4f} ≤ {bound:.4f}")

    # --- reports ----------------------------------------------------------------------------------------------
    def tables(self, result) -> dict:
        rows = sorted((o.case.samples, o.case.dimension, f"{float(o.case.flip):.2f}", f"{o.measurements['angle']:.4f}",
                       f"{o.measurements['disagreement']:.4f}", f"{o.measurements['bound']:.4f}",
                       f"{o.measurements['accuracy of w0']:.3f}", f"{o.measurements['accuracy of w_K']:.3f}")
                      for o in result.outcomes if o.check == "disagreement-monte-carlo" and o.status in ("pass", "fail"))
        if not rows:
            return {}
        return {"Retention on fresh Gaussian inputs (accuracy against the clean labels sign x₁)":
                (("n", "d", "flip", "∠(w0, w_K)", "disagreement", "bound", "acc w0", "acc w_K"), rows)}


    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        return _figure(directory, result.settings)


def _problem(case: RetentionCase, rng):
    """X with i.i.d. N(0, 1) entries, y = sign(x₁) flipped with probability p, w₀ at the case's angle from e₁."""
    inputs = rng.standard_normal((case.samples, case.dimension))
    targets = np.where(inputs[:, 0] >= 0, 1.0, -1.0)
    targets[rng.random(case.samples) < float(case.flip)] *= -1
    init = np.zeros(case.dimension)
    init[0], init[1] = math.cos(float(case.angle)), math.sin(float(case.angle))
    return inputs, targets, float(case.scale) * init


def _figure(directory, settings) -> list:
    """Disagreement of the interpolant with w₀ against d (n = 40, 20% label noise): ∠/π, Monte Carlo, the bound."""
    from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

    rng = settings.rng("figure")
    samples, dimensions = 40, (100, 200, 400, 800, 1600, 3200)
    angles, fractions, bounds, accuracy_init, accuracy_final = [], [], [], [], []
    for dimension in dimensions:
        case = RetentionCase(samples, dimension, Fraction(1, 5), Fraction(3, 10), Fraction(1), 0)
        inputs, targets, init = _problem(case, rng)
        final = numbers.limit(inputs, targets, init)
        angles.append(numbers.angle(init, final) / math.pi)
        bounds.append(numbers.retention_bound(inputs, targets, init))
        fresh = rng.standard_normal((4000, dimension))
        before, after, truth = np.sign(fresh @ init), np.sign(fresh @ final), np.sign(fresh[:, 0])
        fractions.append(float(np.mean(before != after)))
        accuracy_init.append(float(np.mean(before == truth)))
        accuracy_final.append(float(np.mean(after == truth)))
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    left.plot(dimensions, angles, "o-", color=COLOURS[0], label=r"$\angle(w_0, w_\infty)/\pi$")
    left.plot(dimensions, fractions, "s", color=COLOURS[1], label="disagreement on 4000 fresh inputs")
    left.plot(dimensions, bounds, "--", color=COLOURS[2], label=r"bound $\arcsin(\|y - Xw_0\|/(\|w_0\| s_{min}))/\pi$")
    reference = np.array(dimensions, dtype=float)
    left.plot(reference, angles[0] * np.sqrt(reference[0] / reference), ":", color="grey", label=r"$\propto d^{-1/2}$")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("dimension d")
    left.set_ylabel("fraction of Gaussian inputs")
    left.set_title(f"The interpolant keeps w₀'s labels (n = {samples}, 20% label noise)")
    left.legend(fontsize=8)
    right.plot(dimensions, accuracy_init, "o-", color=COLOURS[0], label=r"$w_0$ (0.3 rad from $e_1$)")
    right.plot(dimensions, accuracy_final, "s-", color=COLOURS[1], label=r"$w_\infty$ (fits the noisy labels)")
    right.set_xscale("log")
    right.set_xlabel("dimension d")
    right.set_ylabel("accuracy on fresh inputs (clean labels)")
    right.set_title("Test accuracy is retained while the training labels are fitted")
    right.legend(fontsize=8)
    figure.suptitle("Nakkiran et al., Theorem 1's mechanism: SGD from w₀ on the square loss")
    return save(figure, directory, "retention")


CLAIM = Retention()
