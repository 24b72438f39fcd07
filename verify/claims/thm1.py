"""thm1: the toy model's gradient flow has analytic solutions for every depth (Theorem 1).

The mathematics and where each tolerance comes from: docs/claims/thm1.md.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache, partial

import mpmath as mp
import sympy as sp

from numerics import gd, integrators, toy
from numerics.arguments import ParameterError
from theory import theorem1
from theory import toy as model
from theory.derivation import DerivationError

from ..cases import round_down
from ..claim import Claim, Corruption, Diverged, Measured, Skip, Trained, check, derived, digits_tolerance, worst
from ..strategies import TOY_MAX_TARGETS, toy_cases

DEPTHS = tuple(range(1, 9))  # concrete depths of the symbolic checks (plus symbolic N)
ELEMENTARY = tuple(d for d in DEPTHS if d >= 3)
_ELEMENTARY = tuple(partial(theorem1.elementary_time, depth) for depth in ELEMENTARY)  # (t(σ), its derivation)
RECORDS = 16  # GD is compared with the flow at this many evenly spaced steps (plus step 0)
ORDER_TOLERANCE = 0.25
SCIPY_TOLERANCE = 1e-9
GUARD = 10  # extra digits at which two dps-digit computations are compared, so their true difference shows
SMALLEST_NORMAL = {"float64": 2.0**-1022, "float32": 2.0**-126}
# (σ, σ*, σ_0) at which the elementary forms are compared with the hypergeometric one
ELEMENTARY_POINTS = ((Fraction(1, 2), 1, Fraction(1, 1000)), (Fraction(199, 100), 2, Fraction(1, 10)),
                     (Fraction(3, 10), 3, Fraction(1, 10**6)))
FIGURE2_TARGETS = (Fraction(12), Fraction(6), Fraction(4), Fraction(3))
FIGURE2_DEPTHS = (1, 2, 4)
FIGURE2_INITS = (Fraction(1, 10), Fraction(1, 1000))


class Theorem1(Claim):
    id = "thm1"
    step_factor = 2  # the order check reruns each case at half the step, for twice the steps
    title = "Theorem 1: analytic gradient-flow solutions of the toy model for every depth"
    statement = (
        "Gradient flow on the depth-N toy model (σ_i = w_i^N with the depth-normalised loss "
        "(1/2N)E[(f(x) − y)²], equivalently the layered diagonal network with the ½ loss, Gaussian inputs, "
        "balanced init σ_0, 0 < σ_0 < σ*) follows dσ/dt = N σ^{2−2/N}(σ* − σ), solved by "
        "σ(t) = σ* + (σ_0 − σ*)e^{−t} (N = 1), σ(t) = σ_0σ*e^{2σ*t}/(σ* − σ_0 + σ_0e^{2σ*t}) (N = 2), and for "
        "N ≥ 3 implicitly by t(σ) = G(σ) − G(σ_0), G(x) = x^p/(N p σ*)·2F1(1, p; p+1; x/σ*), p = 2/N − 1, "
        "with an elementary log/atan form for each integer N.")
    provenance = """
        seen: That Theorem 1 gives analytic solutions of the gradient flow on the toy model with Gaussian inputs, a
        depth-normalised squared loss and σ* > 0 (the opening of Theorem 1).

        reconstructed: The printed form and the time convention: the paper's exact formulas were not available; the
        depth normalisation (1/2N) is our reading (docs/claims/thm1.md).

        derived: Every formula here: derived with SymPy, checked by differentiating back, and evaluated against
        independent integrators and trained models.
        """
    corruptions = (
        Corruption("N ≥ 3 time: sign flipped", lambda: _corrupted("antiderivative", lambda d, form: -form if d not in (1, 2)
                                                                   else form),
                   checks=("implicit-solution", "closed-form-vs-quadrature")),
        Corruption("N = 2 solution: prefactor 2 of the exponent dropped", lambda: _corrupted(
            "explicit_solution", lambda d, form: form.subs(model.t, model.t / 2) if d == 2 else form),
                   checks=("explicit-solutions",)),
    )

    # --- once per run: the derivations ----------------------------------------------------------------
    def statement_key(self) -> str:
        return "|".join(theorem1.statement_key(depth) for depth in (model.N, *DEPTHS))

    @derived(*(partial(model.flow_derivation, depth) for depth in (model.N, *DEPTHS)))
    def ode_from_losses(self):
        """dσ/dt derived from both losses (chain rule, balancedness) equals N σ^{2−2/N}(σ* − σ), for symbolic N and N =
        1..8

        Tolerance: exact: lhs − rhs simplifies to 0
        """

    @derived(*(partial(theorem1.explicit_derivation, depth) for depth in (1, 2)))
    def explicit_solutions(self):
        """dsolve for N = 1, 2 equals the stated σ(t); it satisfies the ODE and σ(0) = σ_0"""

    @derived(*(partial(theorem1.antiderivative_derivation, depth) for depth in (model.N, *DEPTHS)))
    def implicit_solution(self):
        """dG/dσ = 1/(N σ^{2−2/N}(σ* − σ)) for the stated G: symbolic N (with its power series), N = 1, 2, and each N =
        3..8
        """

    @check("symbolic", once=True)
    def elementary_forms(self, run):
        """elementary log/atan t(σ) for N = 3..8 (SymPy integrate tried and checked; roots-of-unity partial fractions
        otherwise) differentiates back to dt/dσ

        Tolerance: exact: evaluation in a cyclotomic field at more points than the degree
        """
        return [time_and_derivation[1] for time_and_derivation in self.derivations_of(_ELEMENTARY)]

    @check("numeric", once=True, measures="relative error")
    def elementary_vs_hypergeometric(self, run):
        """the elementary and hypergeometric t(σ) agree for N = 3..8 at three points

        Tolerance: 10^(10−dps) relative
        """
        outcomes = []
        for depth, compiled in self._elementary(run):
            errors = []
            for s, star, s0 in ELEMENTARY_POINTS:
                reference = toy.time_to(s, depth=depth, target=star, init=s0, dps=run.dps)
                with mp.workdps(run.dps + 20):  # guard digits for the cancellation G(σ) − G(σ_0)
                    errors.append(abs(compiled(_mpf(s), _mpf(star), _mpf(s0)) - reference) / reference)
            outcomes.append(Measured(worst(errors), digits_tolerance(run.dps), f"depth {depth}, 3 points"))
        return outcomes

    @check("numeric", once=True, measures="relative violation")
    def elementary_continuity(self, run):
        """the elementary t(σ) along 64 points from σ_0 to 0.999σ* (N = 3..8): each increment lies between Δσ/max rhs
        and Δσ/min rhs on its interval, so no branch of log/atan jumps (a constant jump is invisible to the derivative
        check)

        Tolerance: 10^(10−dps) relative to the increment
        """
        outcomes = []
        for depth, compiled in self._elementary(run):
            violations = []
            for _, star, s0 in ELEMENTARY_POINTS:
                with mp.workdps(run.dps + 20):
                    star, s0 = _mpf(star), _mpf(s0)
                    grid = [s0 + (star * mp.mpf("0.999") - s0) * k / 64 for k in range(65)]
                    times = [compiled(point, star, s0) for point in grid]
                    for a, b, ta, tb in zip(grid, grid[1:], times, times[1:]):
                        low, high = _rhs_range(depth, star, a, b)
                        step = tb - ta
                        violations.append(max(0, (b - a) / high - step, step - (b - a) / low) / ((b - a) / low))
            outcomes.append(Measured(worst(violations), digits_tolerance(run.dps), f"depth {depth}, 3 paths"))
        return outcomes

    def _elementary(self, run):
        """(depth, compiled real t(σ; σ*, σ_0)) for each depth whose elementary form derived (a failed one is
        reported by elementary-forms)."""
        forms = []
        for depth, build in zip(ELEMENTARY, _ELEMENTARY):
            try:
                time = self.derivation(build)[0]
            except DerivationError:
                continue
            forms.append((depth, lambda *values, f=_lambdified(time): mp.re(f(*values))))
        return forms

    # --- per case: closed form against independent computations --------------------------------------
    def strategy(self, run):
        return toy_cases(step_budget=run.profile.step_budget, max_tail=run.dps - GUARD)

    @check("numeric", measures="relative error")
    def closed_form_vs_quadrature(self, case, run):
        """t(σ) from the closed form against tanh-sinh quadrature in the logit variable, at a level inside (init,
        target) and one 10^-tail below the target

        Tolerance: 10^(10−dps) relative: both are computed with guard digits for their conditioning, and compared at 10
        more digits than judged
        """
        errors = []
        for star, level in _levels(case):  # at GUARD more digits than judged: the true difference shows
            arguments = dict(depth=case.depth, target=star, init=case.init, dps=run.dps + GUARD)
            errors.append(_relative(toy.time_to(level, **arguments), integrators.quad_time_to(level, **arguments),
                                    run.dps + GUARD))
        return Measured(worst(errors), digits_tolerance(run.dps))

    @check("numeric", measures="relative error")
    def inverse_roundtrip(self, case, run):
        """σ(t(σ)) = σ at both levels (Newton inversion of the closed form, t computed with extra digits for the
        conditioning of σ(t))

        Tolerance: 10^(10−dps) relative
        """
        errors = [_roundtrip_error(level, run.dps, dict(depth=case.depth, target=star, init=case.init))
                  for star, level in _levels(case)]
        return Measured(worst(errors), digits_tolerance(run.dps))

    @check("numeric", measures="relative error")
    def scipy_event_times(self, case, run):
        """times at which SciPy DOP853 (rtol 1e-12, float64, logit variable) crosses the levels, against the closed form

        Tolerance: 1e-9 relative: DOP853's global error at rtol 1e-12 over a logit-variable trajectory
        (docs/claims/thm1.md); levels float64 cannot resolve are skipped
        """
        errors, skipped = [], set()
        for star in case.targets:
            arguments = dict(depth=case.depth, target=star, init=case.init)
            levels = case.levels(star)
            resolvable = [level for level in levels if integrators.float64_resolvable(level, target=star, init=case.init)]
            if len(resolvable) < len(levels):
                skipped.add(f"levels within {integrators.SCIPY_MIN_SEPARATION:g} (relative) of init or target are "
                            "beyond float64 and were skipped")
            try:
                times = integrators.scipy_times_to(resolvable, **arguments) if resolvable else []
            except ParameterError as reason:  # a plateau too long for float64 time
                skipped.add(str(reason))
                continue
            for level, time in zip(resolvable, times):
                exact = toy.time_to(level, dps=run.dps, **arguments)
                errors.append(float(abs(time - exact) / exact))
        note = "; ".join(sorted(skipped))
        return Measured(worst(errors), SCIPY_TOLERANCE, note) if errors else Skip(note)

    # --- per case: trained models -----------------------------------------------------------------------
    def train(self, cases, run):
        """Every trainable case at step η and at η/2, in one batched program."""
        budget, smallest = run.profile.step_budget, SMALLEST_NORMAL[run.dtype]
        from ..training import toy as training  # noqa: PLC0415 - torch is imported only when models train

        results = {}
        for case in cases:
            if case.depth > training.MAX_DEPTH:
                results[case] = Skip(f"depth {case.depth} is beyond the trainer's limit ({training.MAX_DEPTH})")
            elif case.steps > budget:
                results[case] = Skip(f"needs {case.steps} GD steps, over the profile's budget of {budget}")
            elif case.init < smallest:
                results[case] = Skip(f"init {float(case.init):g} is below {run.dtype}'s range ({smallest:g})")
        trainable = [case for case in cases if case not in results]
        if not trainable:
            return results

        records = [sorted({round(r * case.steps / RECORDS) for r in range(RECORDS + 1)}) for case in trainable]
        halves = [[2 * k for k in record] for record in records]
        experiments = [training.Experiment(c.depth, c.targets, c.init, c.step, record)
                       for c, record in zip(trainable, records)]
        experiments += [training.Experiment(c.depth, c.targets, c.init, c.step / 2, half)
                        for c, half in zip(trainable, halves)]
        # Inputs as wide as any case can be, so that a case trains the same in any chunk, and alone when replayed
        width = max(TOY_MAX_TARGETS, *(len(c.targets) for c in trainable))
        runs = training.train(experiments, width=width, device=run.device, dtype=run.dtype)
        for index, case in enumerate(trainable):
            if not (runs.finite[index] and runs.finite[index + len(trainable)]):
                limit = 2 / (case.depth * float(case.targets[0]) ** (2 - 2 / case.depth))
                results[case] = Diverged(f"GD diverged (NaN/inf): step {float(case.step):g} vs the stability limit "
                                         f"2/(N σ*^(2−2/N)) = {limit:.4g}; a property of the step size, not a "
                                         "counterexample")
                continue
            results[case] = Trained(record=records[index], full=runs.sigma[index],
                                    half=runs.sigma[index + len(trainable)], samples=runs.samples,
                                    where=runs.where, replays={})
        return results

    @check("empirical", measures="relative error")
    def gd_float_vs_replay(self, case, run, trained):
        """torch GD (batched, per-case step sizes) against the same GD map replayed in mpmath

        Tolerance: first-order rounding bound: N·c·u·Σ_j amplification, c = 4(N + n) ulps per step, u the unit roundoff;
        judged while the bound is ≤ 1e-3 (first-order regime), skipped beyond
        """
        errors, bound = [], 0.0
        for i, star in enumerate(case.targets):
            replay = self._replay(case, star, trained, run)
            per_step = 4 * (case.depth + trained.samples) * run.unit_roundoff
            bound = max(bound, case.depth * per_step * float(max(replay.amplification)) + 4 * run.unit_roundoff)
            errors += [abs(trained.full[r, i] - float(exact)) / float(exact) for r, exact in enumerate(replay.sigma)]
        if reason := gd.outside_regime(rounding_bound=bound):
            return Skip(reason)
        return Measured(worst(errors), bound, trained.where)

    @check("empirical", measures="absolute error / σ*")
    def gd_vs_flow(self, case, run, trained):
        """GD replayed exactly against the closed-form flow at t = ηk, max over the run of |σ_GD − σ(ηk)|/σ*

        Tolerance: 2 × the first-order bound (η/2)·max σ̇·|log f(w_k)/f(w_0)| (the factor 2 covers the O(η²) remainder);
        judged while the bound is ≤ σ*/10, skipped beyond
        """
        errors, bound = [], 0.0
        for star in case.targets:
            replay = self._replay(case, star, trained, run)
            bound = max(bound, 2 * float(replay.deviation[-1]) / float(star))
            errors += [float(abs(exact - flow)) / float(star) for exact, flow in zip(replay.sigma, replay.flow)]
        if reason := gd.outside_regime(step_bound=bound):
            return Skip(reason)
        return Measured(worst(errors), bound, f"step {float(case.step):g}, {case.steps} steps")

    @check("empirical",
           tolerance=f"|order − 1| ≤ {ORDER_TOLERANCE}: the O(η²) term shifts it by O(η·Nσ*^(2−2/N)) ≤ 1/8",
           measures="|order − 1|")
    def gd_order(self, case, run, trained):
        """observed order log2(e(η)/e(η/2)) of torch GD's gap to the flow"""
        gap_full, gap_half, float_bound = [], [], 0.0
        for i, star in enumerate(case.targets):
            replay = self._replay(case, star, trained, run)
            per_step = 4 * (case.depth + trained.samples) * run.unit_roundoff
            float_bound = max(float_bound, case.depth * per_step * float(max(replay.amplification)) + 4 * run.unit_roundoff)
            gap_full += [abs(trained.full[r, i] - float(flow)) / float(star) for r, flow in enumerate(replay.flow)]
            gap_half += [abs(trained.half[r, i] - float(flow)) / float(star) for r, flow in enumerate(replay.flow)]
        full, half = worst(gap_full), worst(gap_half)
        if half <= 100 * float_bound:
            return Skip("the GD gap is below 100× the rounding bound")
        order = math.log2(full / half)
        return Measured(abs(order - 1), ORDER_TOLERANCE, f"order {order:.3f}: e(η) = {full:.3e}, e(η/2) = {half:.3e}",
                        {"order": order, "gap at η": full, "gap at η/2": half})

    def _replay(self, case, star, trained, run):
        """The GD map replayed in mpmath at the recorded steps, with the flow at the same times (cached on the
        trained record: three checks read it)."""
        key = (star, run.dps)
        if key not in trained.replays:
            replay = gd.replay(trained.record, depth=case.depth, target=star, init=case.init, step=case.step,
                               dps=run.dps)
            flow = [toy.sigma_at(case.step * k, depth=case.depth, target=star, init=case.init, dps=run.dps, guess=exact)
                    for k, exact in zip(trained.record, replay.sigma)]
            trained.replays[key] = _Replay(replay.sigma, replay.amplification, replay.deviation, flow)
        return trained.replays[key]

    # --- reports ----------------------------------------------------------------------------------------
    def tables(self, result) -> dict:
        rows = sorted((o.case.depth, f"{float(o.case.step):.3g}",
                       f"e(η) = {o.measurements['gap at η']:.3e}, e(η/2) = {o.measurements['gap at η/2']:.3e}",
                       f"{o.measurements['order']:.3f}")
                      for o in result.outcomes if o.check == "gd-order" and o.status in ("pass", "fail"))
        if not rows:
            return {}
        return {"GD against the flow: observed order (halving the step)": (("depth", "step η", "gaps", "order"), rows)}

    def derivations(self) -> list:  # symbolic N, not each depth
        flow, implicit = partial(model.flow_derivation, model.N), partial(theorem1.antiderivative_derivation, model.N)
        return [self.derivation(flow), *self.explicit_solutions(), self.derivation(implicit),
                *self.elementary_forms(None)]

    def figures(self, directory, result) -> list:
        return _figure2(directory, device=result.settings.device, dtype=result.settings.dtype)


class _Replay:
    def __init__(self, sigma, amplification, deviation, flow):
        self.sigma, self.amplification, self.deviation, self.flow = sigma, amplification, deviation, flow


def _corrupted(name: str, change):
    """Theorem 1's statement with the closed form ``name`` replaced by ``change(depth, stated form)``."""
    stated = theorem1.STATEMENT[name]
    return theorem1.substituted(**{name: lambda depth: change(depth, stated(depth))})


@lru_cache(maxsize=64)
def _lambdified(time):
    """An elementary t(σ; σ*, σ_0) compiled to mpmath once (two checks evaluate it)."""
    return sp.lambdify((model.sigma, model.target, model.init), time, modules="mpmath")


def _mpf(value) -> mp.mpf:
    value = Fraction(value)
    return mp.mpf(value.numerator) / value.denominator


def _rhs_range(depth: int, star, a, b) -> tuple:
    """min and max of N σ^{2−2/N}(σ* − σ) on [a, b] ⊂ (0, σ*): it rises to its peak at σ = (2 − 2/N)σ*/(3 − 2/N)
    and falls after, so the minimum is at an end and the maximum at the peak if [a, b] holds it."""
    power = 2 - mp.mpf(2) / depth
    rhs = lambda x: depth * x**power * (star - x)  # noqa: E731
    peak = power * star / (power + 1)
    ends = (rhs(a), rhs(b))
    return min(ends), rhs(peak) if a < peak < b else max(ends)


def _levels(case):
    return [(star, level) for star in case.targets for level in case.levels(star)]


def _relative(a, b, dps: int) -> float:
    with mp.workdps(dps + 20):
        return float(abs(a - b) / abs(b)) if b else float(abs(a - b))


def _roundtrip_error(level: Fraction, dps: int, arguments: dict) -> float:
    """σ(t(σ)) − σ, relative, with t(σ) computed with extra digits for the conditioning σ̇·t/σ."""
    n, star = arguments["depth"], arguments["target"]
    rough = toy.time_to(level, dps=dps, **arguments)
    condition = float(n * float(star) ** (2 - 2 / n) * (1 + float(rough)))
    extra = int(max(0.0, math.log10(condition))) + 10
    time = toy.time_to(level, dps=dps + extra, **arguments)
    back = toy.sigma_at(time, dps=dps, **arguments)
    with mp.workdps(dps + 20):
        exact = mp.mpf(level.numerator) / level.denominator
        return float(abs(back - exact) / exact)


def _figure2(directory, *, device: str, dtype: str) -> list:
    """Figure 2 of the paper from Theorem 1's solutions, with trained GD points; returns the paths."""
    from ..plots import COLOURS, legend_below, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for
    from ..training import toy as training  # noqa: PLC0415 - torch only when models train

    panels = [(n, s0) for s0 in FIGURE2_INITS for n in FIGURE2_DEPTHS]
    plans = []
    for depth, init in panels:
        step = round_down(1 / (8 * depth * float(max(FIGURE2_TARGETS)) ** (2 - 2 / depth)))
        horizon = 1.15 * float(toy.time_to(Fraction(99, 100) * min(FIGURE2_TARGETS), depth=depth,
                                            target=min(FIGURE2_TARGETS), init=init, dps=15))
        plans.append((step, math.ceil(horizon / float(step)), horizon))
    records = [sorted({round(k * steps / 30) for k in range(31)}) for _, steps, _ in plans]
    runs = training.train([training.Experiment(d, FIGURE2_TARGETS, s, step, record)
                           for (d, s), (step, _, _), record in zip(panels, plans, records)], device=device, dtype=dtype)

    figure, axes = plt.subplots(len(FIGURE2_INITS), len(FIGURE2_DEPTHS), figsize=(10, 5.6), sharey=True,
                                constrained_layout=True)
    for index, ((depth, init), (step, _, horizon)) in enumerate(zip(panels, plans)):
        axis = axes.flat[index]
        for colour, star in zip(COLOURS, FIGURE2_TARGETS):
            times, fractions = _curve(depth, star, init, horizon)
            axis.plot(times, fractions, color=colour, lw=1.6, label=rf"$\sigma^* = {star}$")
            axis.plot([k * float(step) for k in records[index]], runs.sigma[index, : len(records[index]),
                      FIGURE2_TARGETS.index(star)] / float(star), "o", ms=3.2, color=colour, mfc="white", mew=1)
        axis.set_title(rf"depth $N = {depth}$, $\sigma_0 = {float(init):g}$")
        axis.set_xlim(0, horizon)
        axis.set_ylim(-0.02, 1.05)
        axis.grid(alpha=0.25)
        if index >= len(FIGURE2_DEPTHS) * (len(FIGURE2_INITS) - 1):
            axis.set_xlabel(r"time $t$   ($\dot\sigma = N\sigma^{2-2/N}(\sigma^*-\sigma)$)")
        if index % len(FIGURE2_DEPTHS) == 0:
            axis.set_ylabel(r"$\sigma(t)/\sigma^*$")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    handles.append(plt.Line2D([], [], ls="", marker="o", mfc="white", color="0.3"))
    labels.append(f"torch GD ({runs.dtype}, step η, t = ηk)")
    legend_below(figure, handles, labels)
    figure.suptitle("Theorem 1: toy-model dynamics (curves: closed forms; points: trained models)")
    return save(figure, directory, "thm1-figure2")


def _curve(depth: int, star: Fraction, init: Fraction, horizon: float):
    """(t, σ/σ*) along the closed form, sampled in σ (logit-spaced) so that no inversion is needed."""
    times, fractions = [0.0], [float(init / star)]
    low, high = math.log(float(init) / float(star - init)), math.log(999)
    for k in range(1, 241):
        y = low + (high - low) * k / 240
        sigma = star / (1 + Fraction(math.exp(-y)))
        if sigma <= init:
            continue
        time = float(toy.time_to(sigma, depth=depth, target=star, init=init, dps=15))
        if time > horizon:
            break
        times.append(time)
        fractions.append(float(sigma / star))
    return times, fractions


CLAIM = Theorem1()
