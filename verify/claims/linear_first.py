"""linear-first: early SGD on a small network is explained by the best linear classifier, and the part it explains
stays (Nakkiran et al., SGD on Neural Networks Learns Functions of Increasing Complexity, Figure 1's toy).

The mathematics and where each tolerance comes from: docs/claims/increasing-complexity.md (§3).
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from numerics import information
from numerics import linear_first as task
from theory import information as theory

from ..cases import Case
from ..claim import Claim, Corruption, Diverged, Measured, Skip, Trained, check, derived, worst

TASK_AMPLITUDE, CONTROL_AMPLITUDE = Fraction(3, 5), Fraction(1, 4)
NOISE = Fraction(1, 10)
TRAIN, TEST = 2000, 20000
SEEDS = 7  # networks per case, one batch; the criteria use the median over them
CALIBRATED_STEPS = 25200  # 400 epochs of 63 batches: the calibrated run; a profile trains min(budget, this)
FLOOR = 0.05  # bits: checkpoints with I(F_t; Y) below this carry no ratio (about 10 standard errors of the estimate)
# the calibrated criteria (a chosen constant each, from the calibration run; docs §3): early μ/I ≥ 0.85; at the end
# I(F; Y) ≥ I(L; Y) + 0.15 bits (a precondition: otherwise inconclusive) and μ ≥ 0.7 I(L; Y)
CRITERIA = {"early": 0.85, "beyond": 0.15, "plateau": 0.7, "plateau of": "I(L;Y)"}
SOLVER_TOLERANCE = 1e-8  # BFGS asked for gtol 1e-10; the gradient norm at L must be below 100 times that


@dataclass(frozen=True)
class TaskCase(Case):
    """Figure 1's toy with boundary amplitude ``amplitude`` (3/5: a linear and a sinusoidal part; 1/4: a control
    where the best linear classifier is nearly optimal), training-label noise ``noise``, ``seeds`` networks."""

    amplitude: Fraction
    noise: Fraction
    seeds: int


def task_cases():
    return st.sampled_from((TASK_AMPLITUDE, CONTROL_AMPLITUDE)).map(lambda a: TaskCase(a, NOISE, SEEDS))


class LinearFirst(Claim):
    id = "linear-first"
    title = "Early SGD is explained by the best linear classifier, which stays explained (Nakkiran et al.)"
    statement = (
        "On points uniform in the unit disc labelled sign(x_2 − 0.6 sin(2π x_1)) with 10% training-label noise, a "
        "2-100-1 "
        "ReLU network trained by SGD (logistic loss, batch 32, lr 0.2, He init, last layer × 0.1) is explained early "
        "by "
        "L, the logistic regression on the same data: while I(F_t; Y) ≤ I(L; Y), μ_Y(F_t; L)/I(F_t; Y) ≥ 0.85; later "
        "I(F_t; Y) exceeds I(L; Y) + 0.15 bits while μ_Y(F_t; L) stays ≥ 0.7 I(L; Y) (medians over seeds, test set "
        "of 20000 clean points, bits).")
    provenance = """
        seen: The claim that the initial phase of SGD is explained by a linear classifier and that this part is
        retained, and the toy task (unit disc, sinusoidal boundary, 10% label noise) of Figure 1.

        reconstructed: The network, optimiser and thresholds are ours, calibrated on this task (§3 of the claim's
        documentation); the paper's own experiments are on CIFAR and other images.

        derived: μ and its plug-in estimator: the mutual-information claim.
        """
    corruptions = (
        Corruption("early phase explained to 99%", lambda: _criteria(early=0.99), checks=("early-phase-explained",)),
        Corruption("the plateau holds all of F's information (μ ≥ 0.7 I(F;Y))", lambda: _criteria(**{"plateau of": "I(F;Y)"}),
                   checks=("correlation-retained",)),
    )

    case_strategy = task_cases()

    # --- once per run ----------------------------------------------------------------------------------------
    statement_key = staticmethod(theory.statement_key)

    @derived(theory.identity_derivation, theory.bias_derivation)
    def mu_estimator(self):
        """μ as the interaction information of the (F, L, Y) table and the bias of its plug-in estimate (the
        mutual-information claim's derivations, which the curves rely on)
        """

    # --- per case: the linear classifier -------------------------------------------------------------------
    @check("numeric", tolerance=f"{SOLVER_TOLERANCE:g}: 100 × the solver's requested gtol",
           measures="largest gradient norm")
    def linear_classifier_optimal(self, case, run):
        """gradient norm of the regularised logistic loss at L (BFGS), per seed's data set"""
        norms, informations, accuracies = [], [], []
        for data in _tasks(case, run):
            linear = task.logistic_regression(data.train_inputs, data.train_labels)
            predicted = linear.predict(data.test_inputs)
            norms.append(linear.gradient_norm)
            informations.append(float(information.plug_in_information(
                information.sign_counts(predicted, predicted, data.test_labels).sum(axis=0))))
            accuracies.append(float(np.mean(predicted == data.test_labels)))
        return Measured(worst(norms), SOLVER_TOLERANCE, f"I(L;Y) = {np.median(informations):.3f} bits (median), "
                        f"accuracy {np.median(accuracies):.3f}", {"I(L;Y)": informations, "accuracy": accuracies})

    # --- per case: trained networks ------------------------------------------------------------------------
    def train(self, cases, run):
        from ..training import mlp  # noqa: PLC0415 - torch only when training

        steps = min(run.profile.step_budget, CALIBRATED_STEPS)
        record = _checkpoints(steps)
        data, experiments, owners, linear = [], [], [], {}
        for case in cases:
            tasks = _tasks(case, run)
            linear[case] = []
            for seed, item in enumerate(tasks):
                data.append(mlp.Data(item.train_inputs, item.train_labels, item.test_inputs))
                experiments.append(mlp.Experiment(len(data) - 1, int(run.rng(f"init {case.describe()} {seed}")
                                                                     .integers(2**63)), steps, record))
                owners.append(case)
                fitted = task.logistic_regression(item.train_inputs, item.train_labels)
                linear[case].append((fitted.predict(item.test_inputs), item.test_labels))
        runs = mlp.train(experiments, data, device=run.device, dtype=run.dtype)
        results = {}
        for case in cases:
            rows = [b for b, owner in enumerate(owners) if owner == case]
            if not all(runs.finite[b] for b in rows):
                results[case] = Diverged("SGD at lr 0.2 produced NaN or inf (not seen in calibration)")
                continue
            curves = [_curve(np.where(runs.outputs[b] >= 0, 1.0, -1.0), *linear[case][i]) for i, b in enumerate(rows)]
            results[case] = Trained(record=record, curves=curves, where=runs.where)
        return results

    @check("empirical",
           compares="per seed, the smallest μ_Y(F_t; L)/I(F_t; Y) over checkpoints with "
                    f"{FLOOR} ≤ I(F_t; Y) ≤ I(L; Y); the median over seeds",
           measures="0.85 − median ratio (≤ 0 when it holds)")
    def early_phase_explained(self, case, run, curves):
        """Tolerance: ≥ 0.85: the calibration's threshold (a chosen constant; observed 0.91–0.98 there), judged on the
        amplitude-0.6 task only
        """
        minima = []
        for curve in curves.curves:
            ratios = [mu / info for info, mu, _ in curve["points"] if FLOOR <= info <= curve["linear"]]
            minima.append(min(ratios) if ratios else math.nan)
        usable = [m for m in minima if not math.isnan(m)]
        if not usable:
            return Skip("no checkpoint had FLOOR ≤ I(F_t;Y) ≤ I(L;Y)")
        median = float(np.median(usable))
        if case.amplitude != TASK_AMPLITUDE:
            return Skip(f"control (amplitude {case.amplitude}), not calibrated: median smallest early μ/I = {median:.3f}")
        return Measured(CRITERIA["early"] - median, 0, f"median smallest early μ/I = {median:.3f} over {len(usable)} seeds",
                        {"minima": usable})

    @check("empirical", measures="0.7 I(L;Y) − median μ (bits)")
    def correlation_retained(self, case, run, curves):
        """at the last step: median μ_Y(F; L) against 0.7 I(L; Y), provided the network has gone beyond L (median I(F;
        Y) ≥ I(L; Y) + 0.15 bits; otherwise inconclusive, as calibrated)

        Tolerance: ≥ 0.7 I(L; Y): the calibration's threshold (a chosen constant; observed μ in [0.22, 0.27] with I(L;
        Y) = 0.27), judged on the amplitude-0.6 task only
        """
        last = [curve["points"][-1] for curve in curves.curves]
        info = float(np.median([p[0] for p in last]))
        mu = float(np.median([p[1] for p in last]))
        linear = float(np.median([curve["linear"] for curve in curves.curves]))
        summary = (f"after {curves.record[-1]} steps: I(F;Y) = {info:.3f}, μ = {mu:.3f}, I(L;Y) = {linear:.3f} bits "
                   f"(medians)")
        if case.amplitude != TASK_AMPLITUDE:
            return Skip(f"control (amplitude {case.amplitude}), not calibrated: {summary}")
        if info < linear + CRITERIA["beyond"]:
            return Skip(f"inconclusive: the networks have not gone beyond L yet ({summary})")
        reference = linear if CRITERIA["plateau of"] == "I(L;Y)" else info
        return Measured(CRITERIA["plateau"] * reference - mu, 0, summary, {"I(F;Y)": info, "mu": mu, "I(L;Y)": linear})

    @check("empirical", measures="non-finite estimates")
    def curves_reported(self, case, run, curves):
        """the curves I(F_t; Y), μ_Y(F_t; L) and test accuracy over training, every seed

        Tolerance: reported, not judged: a measurement is recorded only when every checkpoint's estimates are finite
        """
        values = [value for curve in curves.curves for point in curve["points"] for value in point]
        median = np.median(np.array([[p[:3] for p in curve["points"]] for curve in curves.curves]), axis=0)
        return Measured(sum(1 for v in values if not math.isfinite(v)), 0, curves.where,
                        {"steps": list(curves.record), "I(F;Y)": median[:, 0].tolist(), "mu": median[:, 1].tolist(),
                         "accuracy": median[:, 2].tolist(),
                         "I(L;Y)": float(np.median([c["linear"] for c in curves.curves])),
                         "amplitude": float(case.amplitude)})

    # --- reports ----------------------------------------------------------------------------------------------
    def tables(self, result) -> dict:
        rows = []
        for outcome in result.outcomes:
            if outcome.check == "curves-reported" and outcome.status == "pass":
                data = outcome.measurements
                for k, info, mu, accuracy in zip(data["steps"], data["I(F;Y)"], data["mu"], data["accuracy"]):
                    rows.append((f"{data['amplitude']:g}", k, f"{info:.3f}", f"{mu:.3f}",
                                 f"{mu / info:.2f}" if info >= FLOOR else "—", f"{accuracy:.3f}",
                                 f"{data['I(L;Y)']:.3f}"))
        if not rows:
            return {}
        return {"SGD on the disc task (medians over seeds; bits)":
                (("amplitude", "step", "I(F;Y)", "μ_Y(F;L)", "μ/I", "accuracy", "I(L;Y)"), rows)}


    figures_from_report = True  # they read only the report: --from-json redraws them

    def figures(self, directory, result) -> list:
        return _figure(directory, result)


def _tasks(case: TaskCase, run) -> list:
    """The case's ``seeds`` data sets, each from its own stream of the run's seed."""
    return [task.disc_task(run.rng(f"data {case.describe()} {seed}"), amplitude=case.amplitude, noise=case.noise,
                           train=TRAIN, test=TEST) for seed in range(case.seeds)]


def _checkpoints(steps: int) -> tuple:
    """0, then roughly 6 per decade up to ``steps``."""
    marks = {0, steps}
    for exponent in np.arange(1, math.log10(max(steps, 10)) + 1e-9, 1 / 6):
        marks.add(min(steps, int(round(10**exponent))))
    return tuple(sorted(marks))


def _curve(predictions, linear, labels) -> dict:
    """(I(F_t;Y), μ_Y(F_t;L), accuracy) per checkpoint, and I(L;Y), all plug-in on the test set (bits)."""
    points = []
    for signs in predictions:
        counts = information.sign_counts(signs, linear, labels)
        points.append((float(information.plug_in_information(counts.sum(axis=1))), float(information.plug_in(counts)),
                       float(np.mean(signs == labels))))
    linear_information = float(information.plug_in_information(information.sign_counts(linear, linear, labels)
                                                               .sum(axis=0)))
    return {"points": points, "linear": linear_information}


@contextmanager
def _criteria(**changes):
    saved = dict(CRITERIA)
    CRITERIA.update(changes)
    try:
        yield
    finally:
        CRITERIA.clear()
        CRITERIA.update(saved)


def _figure(directory, result) -> list:
    """μ over training (the paper's Figure 4 on the toy): I(F_t; Y), μ_Y(F_t; L) and I(L; Y) against SGD steps."""
    from ..plots import COLOURS, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

    reported = {o.measurements["amplitude"]: o.measurements for o in result.outcomes
                if o.check == "curves-reported" and o.status == "pass"}
    if not reported:
        return []
    figure, axes = plt.subplots(1, len(reported), figsize=(5.5 * len(reported), 4.2), constrained_layout=True,
                                squeeze=False)
    for axis, (amplitude, data) in zip(axes[0], sorted(reported.items(), reverse=True)):
        steps = np.maximum(np.array(data["steps"]), 1)
        axis.plot(steps, data["I(F;Y)"], "o-", color=COLOURS[0], ms=3, label=r"$I(F_t;Y)$")
        axis.plot(steps, data["mu"], "s-", color=COLOURS[1], ms=3, label=r"$\mu_Y(F_t;L)$")
        axis.axhline(data["I(L;Y)"], color=COLOURS[2], ls="--", label=r"$I(L;Y)$")
        accuracy = axis.twinx()
        accuracy.plot(steps, data["accuracy"], ":", color="grey", label="test accuracy")
        accuracy.set_ylabel("test accuracy", color="grey")
        axis.set_xscale("log")
        axis.set_xlabel("SGD steps (batch 32)")
        axis.set_ylabel("bits (medians over seeds)")
        kind = "task: linear + sinusoid" if amplitude == float(TASK_AMPLITUDE) else "control: nearly linear"
        axis.set_title(f"amplitude {amplitude:g} ({kind})")
        axis.legend(fontsize=8, loc="upper left")
    figure.suptitle("Nakkiran et al.: early SGD is explained by the linear classifier L, and μ stays near I(L;Y)")
    return save(figure, directory, "linear-first")


CLAIM = LinearFirst()
