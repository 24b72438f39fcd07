"""stability: gradient descent with step size η cannot converge to a minimum sharper than 2/η (linear stability;
Vardi's review), with the Edge of Stability (Cohen et al. 2021) measured on a small network.

The mathematics and where each tolerance comes from: docs/claims/vardi-stability-and-rank.md §1.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from unittest import mock

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics import stability as numbers
from theory import stability as theory

from ..cases import Case
from ..claim import Claim, Corruption, Measured, Skip, Trained, check, derived, digits_tolerance, worst

# --- the (ab − 1)² model --------------------------------------------------------------------------------
CONVERGED = 1e-12  # |ab − 1| at the last step below this: the run converged to a minimum (see the docs, §1.4)
OVERSHOOTS = (Fraction(9, 10), Fraction(99, 100), Fraction(101, 100), Fraction(11, 10), Fraction(3, 2))
LADDER_RESIDUAL = Fraction(1, 100)  # the valley starts sit at ab = 1.01
TOY_STEPS_PER_BUDGET = 4  # GD steps on the toy: this many times the profile's step budget
FLOW_TOLERANCE = 1e-9  # DOP853 at rtol 1e-12 to the valley: global error well below 1e-9 relative (docs §1.3)
# --- quadratics ------------------------------------------------------------------------------------------
INNER_MARGIN = Fraction(1, 100)  # every case steps at 2(1 ± 1%)/λ_max: a threshold moved by 1% is refuted
EXPANSION = 4  # an expanding run is followed until ‖x_K‖ ≥ this × ‖x_0‖
# --- the Edge of Stability (Cohen et al. 2021), as the calibration in the docs (§1.5) -------------------
EOS_STEP_SIZES = (0.05, 0.1, 0.2)
EOS_JUDGED = 0.2  # the one step size the calibration judges; the others are reported
EOS_STEPS, EOS_EVERY = 4000, 100
EOS_HIT = 0.9  # "reaches the edge": sharpness ≥ 0.9·2/η
EOS_BAND = (0.9, 1.15)  # median sharpness per quarter after the hit, in units of 2/η
EOS_LOSS_DROP = 0.2  # the end loss is below this fraction of the loss at the hit
EOS_POWER_TOLERANCE = 0.01  # power iteration vs Lanczos, relative: a tenth of the band's 0.1 margin
EOS_WIDTHS, EOS_SAMPLES, EOS_INPUTS = (32, 32), 128, 8


@dataclass(frozen=True)
class StabilityCase(Case):
    """A quadratic ½xᵀHx, H = P diag(``curvatures``) P (P the Householder reflector of ``reflector``), from
    x_0 = P·``components``, at the step sizes 2(1 + δ)/λ_max for δ in ``margins``, for ``steps`` steps; and the
    (ab − 1)² model at step size ``step`` from ``starts`` (and from the valley ladder of ``ladder``) for
    ``toy_steps`` steps."""

    curvatures: tuple
    reflector: tuple
    components: tuple
    margins: tuple
    steps: int
    step: Fraction
    starts: tuple
    toy_steps: int

    @property
    def quadratic_steps(self) -> tuple:
        return tuple(2 * (1 + delta) / self.curvatures[0] for delta in self.margins)

    def ladder(self) -> tuple:
        """Starts next to the valley (ab = 1.01) whose flow limit has sharpness m·2/η, m in ``OVERSHOOTS``
        (those with m·2/η ≥ 2, the smallest sharpness a minimum has)."""
        return tuple(numbers.valley_start(sharpness=m * 2 / self.step, residual=LADDER_RESIDUAL)
                     for m in OVERSHOOTS if m * 2 / self.step >= 2)

    def toy_starts(self) -> tuple:
        return self.starts + self.ladder()


def _hundredths(draw, low: int, high: int) -> Fraction:
    return Fraction(draw(st.integers(low, high)), 100)


@st.composite
def stability_cases(draw, *, step_budget: int) -> StabilityCase:
    size = draw(st.integers(2, 6))
    curvatures = tuple(sorted(draw(st.lists(st.integers(10, 1000), min_size=size, max_size=size)), reverse=True))
    reflector = draw(st.lists(st.integers(-3, 3), min_size=size, max_size=size))
    if not any(reflector):
        reflector[0] = 1
    top = _hundredths(draw, 50, 200) * draw(st.sampled_from((1, -1)))
    components = (top,) + tuple(_hundredths(draw, -200, 200) for _ in range(size - 1))
    margins = (-_hundredths(draw, 2, 50), -INNER_MARGIN, INNER_MARGIN, _hundredths(draw, 2, 50))
    # the slowest expanding step (δ = 1%) multiplies the top component by 1 + 2δ per step
    norm = math.sqrt(sum(float(c) ** 2 for c in components))
    steps = math.ceil(math.log(EXPANSION * norm / abs(float(top))) / math.log(1 + 2 * float(INNER_MARGIN)))
    starts = tuple((_hundredths(draw, -300, 300), _hundredths(draw, -300, 300)) for _ in range(6))
    return StabilityCase(tuple(Fraction(c, 100) for c in curvatures), tuple(reflector), components, margins, steps,
                         _hundredths(draw, 5, 150), starts, TOY_STEPS_PER_BUDGET * step_budget)


class Stability(Claim):
    id = "stability"
    step_factor = TOY_STEPS_PER_BUDGET  # the toy runs (the quadratic runs stop once they expand 4×: a few hundred steps)
    title = "Linear stability: GD with step η cannot converge to a minimum sharper than 2/η"
    statement = (
        "Gradient descent θ_{k+1} = θ_k − η∇L(θ_k) cannot converge (from a generic start) to a minimum θ* whose "
        "sharpness λ_max(∇²L(θ*)) exceeds 2/η: the GD map's Jacobian there is I − η∇²L(θ*), with an eigenvalue "
        "1 − ηλ < −1. "
        "On a quadratic ½xᵀHx this is exact: GD expands (‖x_K‖ > ‖x_0‖ for large K) iff ηλ_max(H) > 2. On "
        "L(a, b) = ½(ab − 1)², whose minima ab = 1 have sharpness a² + b² = √((a² − b²)² + 4) ≥ 2, every run "
        "that converges ends at sharpness ≤ 2/η: from a start whose gradient-flow minimum is sharper than 2/η, "
        "GD diverges or converges to a flatter minimum, and for η > 1 it converges nowhere. On a small tanh "
        "network, full-batch GD shows progressive sharpening up to 2/η and then the Edge of Stability: the "
        "sharpness hovers at 2/η while the loss keeps decreasing non-monotonically (Cohen et al. 2021; measured, "
        "judged at the calibrated step size only).")
    provenance = """
        seen: Vardi's review (CACM 2023, 'Dynamical stability'): in a stable minimum the maximal Hessian eigenvalue is
        at most 2/η; and Cohen et al.'s Edge of Stability: sharpness rises until it touches 2/η, then hovers around it
        while the loss decreases non-monotonically over long timescales.

        reconstructed: The precise statements (the quadratic criterion, the (ab − 1)² model, the network experiment and
        its pass criteria) are classical results rebuilt here (Wu, Ma & E 2018; Cohen et al. 2021), not quoted from the
        review; the network's criteria are the reference calibration (docs/claims/vardi-stability-and-rank.md §1.5).

        derived: The quadratic's closed form and threshold, the Hessian of (ab − 1)² on its valley, the sharpness
        identity √(D² + 4) and GD's exact update of D = a² − b²: derived with SymPy here.
        """
    corruptions = (
        Corruption("threshold lowered 3% (1.94/η)", lambda: _threshold(Fraction(97, 100)),
                   checks=("quadratic-threshold", "quadratic-divergence", "converged-sharpness")),
        Corruption("threshold raised 3% (2.06/η)", lambda: _threshold(Fraction(103, 100)),
                   checks=("quadratic-divergence",)),
        Corruption("(ab − 1)² Hessian: off-diagonal 2ab − 1 taken as ab − 1",
                   lambda: mock.patch.object(theory, "toy_hessian",
                                             lambda a, b: sp.Matrix([[b**2, a * b - 1], [a * b - 1, a**2]])),
                   checks=("toy-sharpness",)),
    )

    # --- once per run: the derivations ----------------------------------------------------------------
    def statement_key(self) -> str:
        return f"{theory.sharpness_limit(theory.eta)}|{theory.toy_hessian(theory.a, theory.b)}"

    @derived(theory.quadratic_derivation)
    def quadratic_threshold(self):
        """GD on ½λx² multiplies x by 1 − ηλ; x_k = (1 − ηλ)^k x_0; (1 − ηλ)² − 1 = ηλ(ηλ − 2); the multiplier is −1 at
        λ = 2/η (the stated threshold); eigen-directions of ½xᵀHx decouple; the GD map's Jacobian is I − η∇²L

        Tolerance: exact: lhs − rhs simplifies to 0
        """

    @derived(theory.toy_derivation)
    def toy_sharpness(self):
        """Hessian of ½(ab − 1)² (the stated one, entry by entry); on the valley its eigenvalues are {a² + b², 0}; a² +
        b² − 2 = (a − b)²; (a² + b²)² = D² + 4(ab)²; gradient flow conserves D; one GD step maps D → D(1 − η²r²), r →
        r(1 − η(a² + b²) + η²ab·r)

        Tolerance: exact: lhs − rhs simplifies to 0
        """

    # --- per case ---------------------------------------------------------------------------------------
    def strategy(self, run):
        return stability_cases(step_budget=run.profile.step_budget)

    @check("numeric", measures="relative error")
    def closed_form_vs_powers(self, case, run):
        """‖x_K‖ of GD on the case's quadratic at each step size: the spectral closed form √(Σ(1 − ηλ_i)^{2K}c_i²)
        against repeated squaring of I − ηH (exact rational H) in mpmath

        Tolerance: 10^(10−dps) relative: both carry guard digits for their conditioning
        """
        hessian = numbers.quadratic_hessian(case.curvatures, case.reflector)
        start = numbers.quadratic_start(case.components, case.reflector)
        errors = []
        for step in case.quadratic_steps:
            closed = numbers.quadratic_norm(case.curvatures, case.components, step=step, steps=case.steps, dps=run.dps)
            powers = numbers.quadratic_norm_by_powers(hessian, start, step=step, steps=case.steps, dps=run.dps)
            errors.append(float(abs(closed - powers) / closed))
        return Measured(worst(errors), digits_tolerance(run.dps), f"{len(errors)} step sizes, K = {case.steps}")

    @check("numeric", measures="relative error")
    def flow_limit(self, case, run):
        """the sharpness √(D_0² + 4) of the minimum gradient flow reaches from each start of the (ab − 1)² model (D = a²
        − b² conserved) against SciPy DOP853 integrating the flow to |ab − 1| < 1e-13

        Tolerance: 1e-9 relative: DOP853's global error at rtol 1e-12 (docs §1.3)
        """
        errors = []
        for a0, b0 in case.toy_starts():
            if a0 + b0 == 0:
                continue  # on a = −b the flow runs into the saddle at the origin
            closed = float(numbers.flow_limit_sharpness(a0, b0, dps=run.dps))
            integrated, _ = numbers.flow_limit_by_integration(a0, b0)
            errors.append(abs(integrated - closed) / closed)
        return Measured(worst(errors), FLOW_TOLERANCE, f"{len(errors)} starts")

    def train(self, cases, run):
        """Every quadratic at every step size, and every (ab − 1)² run, in two batched programs."""
        from ..training import stability as training  # noqa: PLC0415 - torch only when models train

        quadratics = [training.Quadratic(_rows(numbers.quadratic_hessian(c.curvatures, c.reflector)),
                                         tuple(numbers.quadratic_start(c.components, c.reflector)), step, c.steps)
                      for c in cases for step in c.quadratic_steps]
        toys = [training.Toy(a0, b0, c.step, c.toy_steps) for c in cases for a0, b0 in c.toy_starts()]
        norms = training.train_quadratics(quadratics, device=run.device, dtype=run.dtype)
        ends = training.train_toys(toys, device=run.device, dtype=run.dtype)
        results, q, t = {}, 0, 0
        for case in cases:
            width, count = len(case.quadratic_steps), len(case.toy_starts())
            results[case] = Trained(norms=norms.norms[q: q + width], finite=norms.finite[q: q + width],
                                    toys=_slice(ends, t, t + count), where=norms.where)
            q, t = q + width, t + count
        return results

    @check("empirical", measures="relative error")
    def quadratic_gd(self, case, run, trained):
        """‖x_K‖ of torch GD on the quadratic against the exact closed form, at every step size

        Tolerance: first-order rounding bound K·c·u·ρ^K‖x_0‖/‖x_K‖, c = 2(d + 2)(1 + ηλ_max) ulps per step, ρ = max|1 −
        ηλ_i| the GD map's norm (docs §1.2)
        """
        errors, bounds = [], []
        start = math.sqrt(sum(float(c) ** 2 for c in case.components))
        for index, step in enumerate(case.quadratic_steps):
            exact = float(numbers.quadratic_norm(case.curvatures, case.components, step=step, steps=case.steps))
            rho = float(numbers.spectral_radius(case.curvatures, step=step))
            per_step = 2 * (len(case.curvatures) + 2) * (1 + float(step * case.curvatures[0])) * run.unit_roundoff
            bounds.append(case.steps * per_step * rho ** case.steps * start / exact + 4 * run.unit_roundoff)
            errors.append(abs(trained.norms[index] - exact) / exact)
        ratios = [e / b for e, b in zip(errors, bounds)]
        index = int(np.argmax(ratios))
        return Measured(errors[index], bounds[index], f"worst of {len(errors)} step sizes; {trained.where}")

    @check("empirical", measures="count of step sizes classified wrongly")
    def quadratic_divergence(self, case, run, trained):
        """GD expands (‖x_K‖ > ‖x_0‖) exactly at the step sizes with λ_max(H) > 2/η (the stated threshold), at 2(1 +
        δ)/λ_max for δ = ±1% and two drawn margins

        Tolerance: exact (0 mismatches): for ηλ_max ≤ 2 the GD map is non-expansive, and K makes an expanding run grow
        past 4‖x_0‖
        """
        start = math.sqrt(sum(float(c) ** 2 for c in case.components))
        wrong = []
        for index, step in enumerate(case.quadratic_steps):
            predicted = float(case.curvatures[0]) > float(theory.sharpness_limit(step))
            if predicted != bool(trained.norms[index] > start):
                wrong.append(f"η·λ_max = {float(step * case.curvatures[0]):.4g}: ‖x_K‖/‖x_0‖ = "
                             f"{trained.norms[index] / start:.3g}")
        return Measured(len(wrong), 0, "; ".join(wrong) or f"{len(case.margins)} step sizes")

    @check("empirical", measures="largest ratio of sharpness to the bound")
    def converged_sharpness(self, case, run, trained):
        """the sharpness √(D_K² + 4) ≥ λ_max at the limit of every (ab − 1)² run that converged (|ab − 1| < 1e-12 at its
        last step; random and near-valley starts) against 2/η

        Tolerance: 1: ratio to the bound 2/η·(1 + 16u) + (2 + η)|r_K| (u the unit roundoff; |D| only shrinks from there,
        docs §1.4)
        """
        limit = float(theory.sharpness_limit(case.step))
        runs = trained.toys
        ratios, sharpness, flows, status = [], [], [], []
        for index, (a0, b0) in enumerate(case.toy_starts()):
            flows.append(float(numbers.flow_limit_sharpness(a0, b0)) if a0 + b0 else None)
            if runs.escaped[index] >= 0:
                status.append("escaped")
                sharpness.append(None)
            elif abs(runs.residual[index]) < CONVERGED:
                value = math.hypot(runs.a[index] ** 2 - runs.b[index] ** 2, 2)
                ratios.append(value / (limit * (1 + 16 * run.unit_roundoff) + (2 + float(case.step))
                                       * abs(runs.residual[index])))
                status.append("converged")
                sharpness.append(value)
            else:
                status.append("not converged")
                sharpness.append(None)
        counts = {s: status.count(s) for s in ("converged", "escaped", "not converged")}
        detail = ", ".join(f"{n} {s}" for s, n in counts.items()) + f"; 2/η = {limit:.4g}"
        data = {"step": float(case.step), "sharpness": sharpness, "flow limit": flows, "status": status}
        if not ratios:  # nothing converged: vacuously within the bound (for η > 1 this is the prediction)
            return Measured(0.0, 1.0, detail, data)
        return Measured(worst(ratios), 1.0, detail, data)

    # --- once per run: the Edge of Stability on a small network ------------------------------------------
    @check("empirical", once=True,
           compares=f"full-batch GD on a tanh {EOS_INPUTS}-32-32-1 network (mean squared "
                    f"error, {EOS_SAMPLES} points, y = sin(xᵀv)) at η = {EOS_JUDGED}: the sharpness (power iteration "
                    "on "
                    "Hessian-vector products) reaches 0.9·2/η from below; afterwards its median per quarter stays in "
                    f"[{EOS_BAND[0]}, {EOS_BAND[1]}]·2/η; the end loss is < {EOS_LOSS_DROP}× the loss at the hit; the "
                    "loss "
                    "rises at least once. Also the last power-iteration estimate of every step size against SciPy's "
                    "Lanczos",
           measures="distance outside the band / loss ratio / counts; |power − Lanczos|/Lanczos")
    def edge_of_stability(self, run):
        """Tolerance: the reference calibration's criteria (chosen constants, docs §1.5); power iteration within 1% of
        Lanczos (chosen: a tenth of the band's margin, so it cannot move a verdict)
        """
        if run.profile.name == "quick":
            return Skip(f"the calibration needs {EOS_STEPS} GD steps on the network (about 10 s): run the default "
                        "profile")
        from ..training import stability as training  # noqa: PLC0415 - torch only when models train

        experiments = [training.Network(0, step, EOS_STEPS, EOS_EVERY) for step in EOS_STEP_SIZES]
        runs = training.train_networks(experiments, [_network_problem(run.rng("edge-of-stability"))],
                                       seed=int(run.rng("power-iteration").integers(2**31)), device=run.device,
                                       dtype=run.dtype)
        outcomes = []
        for index, step in enumerate(EOS_STEP_SIZES):
            outcomes += _edge(step, runs, index, judged=step == EOS_JUDGED)
        return outcomes

    # --- reports ----------------------------------------------------------------------------------------

    def tables(self, result) -> dict:
        rows = [(f"{o.measurements['step']:g}", f"{o.measurements['start']:.3g}", f"{o.measurements['peak']:.3g}",
                 f"{o.measurements['end']:.3g}", f"{2 / o.measurements['step']:.3g}", o.measurements['hit'])
                for o in result.outcomes if o.check == "edge-of-stability" and "peak" in o.measurements]
        if not rows:
            return {}
        return {"Edge of Stability: sharpness of the tanh network": (
            ("η", "at step 0", "max", "at the end", "2/η", "first step ≥ 0.9·2/η"), rows)}

    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        return _figure(directory, result)


def _rows(matrix) -> tuple:
    return tuple(tuple(row) for row in matrix)


def _slice(ends, start: int, stop: int):
    """The toy runs start..stop−1 of a batched result, as a plain record."""
    return _ToySlice(ends.a[start:stop], ends.b[start:stop], ends.residual[start:stop], ends.escaped[start:stop])


@dataclass(frozen=True)
class _ToySlice:
    a: np.ndarray
    b: np.ndarray
    residual: np.ndarray
    escaped: np.ndarray


@contextmanager
def _threshold(factor: Fraction):
    """The stated threshold 2/η multiplied by ``factor``."""
    stated = theory.sharpness_limit
    with mock.patch.object(theory, "sharpness_limit", lambda step: sp.Rational(factor.numerator, factor.denominator)
                           * stated(step)):
        yield


def _network_problem(rng):
    """The calibrated regression problem: x ~ N(0, I_8), 128 points, y = sin(xᵀv) with v ~ N(0, I_8); weights and
    biases uniform in ±1/√fan_in (PyTorch's nn.Linear default)."""
    from ..training import stability as training  # noqa: PLC0415

    inputs = rng.standard_normal((EOS_SAMPLES, EOS_INPUTS))
    direction = rng.standard_normal(EOS_INPUTS)
    sizes = (EOS_INPUTS, *EOS_WIDTHS, 1)
    weights = tuple(rng.uniform(-1, 1, (i, o)) / math.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:]))
    biases = tuple(rng.uniform(-1, 1, o) / math.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:]))
    return training.Problem(inputs, np.sin(inputs @ direction), weights, biases)


def _edge(step: float, runs, index: int, *, judged: bool) -> list:
    """The Edge-of-Stability measurements of one step size: judged at the calibrated step size, reported otherwise
    (as a pass of the Lanczos comparison, which carries the data)."""
    edge = float(theory.sharpness_limit(step))
    sharpness, losses = runs.sharpness[index], runs.losses[index]
    hits = np.flatnonzero(sharpness >= EOS_HIT * edge)
    hit = int(runs.checkpoints[hits[0]]) if hits.size else -1
    data = {"step": step, "start": float(sharpness[0]), "peak": float(np.max(sharpness)), "end": float(sharpness[-1]),
            "hit": hit, "sharpness": [float(s) for s in sharpness],
            "loss": [float(v) for v in losses[:: EOS_EVERY // 4]], "loss every": EOS_EVERY // 4}
    lanczos, residual = runs.lanczos[index]
    outcomes = [Measured(abs(lanczos - sharpness[-1]) / lanczos, EOS_POWER_TOLERANCE,
                         f"η = {step}: power iteration {sharpness[-1]:.6g} (residual {runs.residuals[index, -1]:.2g}) "
                         f"vs Lanczos {lanczos:.6g} (residual {residual:.2g})", data)]
    if not judged:
        return outcomes
    if not runs.finite[index]:
        return outcomes + [Measured(math.nan, 0.0, f"η = {step}: the network diverged (NaN/inf)")]
    if hit < 0 or sharpness[0] >= EOS_HIT * edge:
        return outcomes + [Measured(1, 0, f"η = {step}: the sharpness went {sharpness[0]:.3g} → max "
                                          f"{np.max(sharpness):.3g}, never rising to 0.9·2/η = {EOS_HIT * edge:.3g}")]
    after = sharpness[hits[0]:] / edge
    quarters = [float(np.median(part)) for part in np.array_split(after, 4) if part.size]
    outside = worst(max(EOS_BAND[0] - q, q - EOS_BAND[1], 0.0) for q in quarters)
    rises = int(np.sum(np.diff(losses[hit:]) > 0))
    quarter_text = ", ".join(f"{q:.3f}" for q in quarters)
    return outcomes + [
        Measured(outside, 0.0, f"η = {step}: medians per quarter after step {hit}: {quarter_text} × 2/η"),
        Measured(losses[-1] / losses[hit], EOS_LOSS_DROP, f"η = {step}: loss {losses[hit]:.3g} at the hit → "
                                                          f"{losses[-1]:.3g} at the end"),
        Measured(int(rises == 0), 0, f"η = {step}: the loss rose at {rises} of {len(losses) - 1 - hit} steps after "
                                     "the hit")]


def _figure(directory, result) -> list:
    from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

    toys = [o.measurements for o in result.outcomes if o.check == "converged-sharpness" and o.data]
    edges = [o.measurements for o in result.outcomes if o.check == "edge-of-stability" and "peak" in o.measurements]
    figure, axes = plt.subplots(1, 3, figsize=(13, 4.2), constrained_layout=True)
    axis = axes[0]
    steps = np.linspace(0.04, 1.55, 200)
    axis.plot(steps, 2 / steps, color="0.2", lw=1.4, label="2/η (the bound)")
    axis.axhline(2, color="0.5", ls=":", lw=1, label="2: the flattest minimum")
    for record in toys:
        eta = record["step"]
        converged = [s for s, state in zip(record["sharpness"], record["status"]) if state == "converged"]
        unstable = [f for f in record["flow limit"] if f is not None and f > 2 / eta]
        axis.plot([eta] * len(unstable), unstable, "x", color=COLOURS[1], ms=4, alpha=0.6)
        axis.plot([eta] * len(converged), converged, "o", color=COLOURS[0], ms=4, mfc="white")
    axis.plot([], [], "o", color=COLOURS[0], mfc="white", label="converged GD (√(D² + 4))")
    axis.plot([], [], "x", color=COLOURS[1], label="gradient-flow minimum, unstable")
    axis.set(xlabel="step size η", ylabel="sharpness of the minimum", yscale="log", ylim=(1.5, 60),
             title="(ab − 1)²: converged sharpness ≤ 2/η")
    axis.set_yticks([2, 3, 5, 10, 20, 40], labels=["2", "3", "5", "10", "20", "40"])
    axis.minorticks_off()
    axis.legend(fontsize=8)
    for colour, record in zip(COLOURS, edges):
        eta = record["step"]
        marks = np.arange(len(record["sharpness"])) * EOS_EVERY
        axes[1].plot(marks, record["sharpness"], color=colour, lw=1.5, label=f"η = {eta:g}")
        axes[1].axhline(2 / eta, color=colour, ls="--", lw=1)
        losses = record["loss"]
        axes[2].plot(np.arange(len(losses)) * record["loss every"], losses, color=colour, lw=1, label=f"η = {eta:g}")
    axes[1].set(xlabel="GD step", ylabel="sharpness (power iteration on HVPs)",
                title="tanh network: sharpness → 2/η (dashed)")
    axes[2].set(xlabel="GD step", ylabel="training loss (MSE)", yscale="log", title="tanh network: training loss")
    for axis in axes[1:]:
        if edges:
            axis.legend(fontsize=8)
        else:
            axis.text(0.5, 0.5, "not run at the quick profile", ha="center", transform=axis.transAxes)
    figure.suptitle("Linear stability of gradient descent (Vardi's review) and the Edge of Stability (Cohen et al.)")
    return save(figure, directory, "stability")


CLAIM = Stability()
