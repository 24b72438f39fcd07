"""convolution: circular-convolutional networks are diagonal networks in the Fourier basis, and learn the
frequency amplitudes of the labelling vector largest first, sparser with depth (Appendix G, Figure 1d).

The mathematics and where each tolerance comes from: docs/claims/convolution.md. The experiment and the checks on
its trained runs are shared with the classification claim: verify/training/classifier_checks.py.
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction
from functools import partial
from unittest import mock

import numpy as np
from hypothesis import strategies as st

from numerics import classification_data, svm
from theory import convolution as theory

from ..cases import text
from ..claim import UNIT_ROUNDOFF, Claim, Corruption, Measured, check, derived, for_claim, worst
from ..training import classifier_checks as experiment
from ..training.classifier_checks import PAIRED, RESOLUTION, ClassifierCase, Setup

DEPTHS = (1, 2, 3)
SPECTRUM = (3, 4, 6, 12)  # the target's real FFT at frequencies 0..3 (the authors' script), zero elsewhere
EXACT = ((4, 2), (4, 3), (5, 2), (5, 3))  # (d, depth) of the symbolic reduction
FLOW = ((4, 2), (5, 2), (3, 3))  # (d, depth) of the symbolic flow per frequency (its size grows fast with both)
DIMENSIONS = (100, 64, 128)
CONVOLUTIONAL = Setup("convolutional", DEPTHS, 1,
                      lambda dimension: classification_data.fourier_direction(dimension, SPECTRUM),
                      lambda vectors: np.fft.rfft(vectors, axis=-1),
                      lambda dimension: tuple(int(k) for k in np.argsort(SPECTRUM)[::-1]))


def sparsity(amplitudes: np.ndarray) -> np.ndarray:
    """ℓ1/ℓ2 of each row of amplitudes: 1 for one frequency, √K for K equal ones (scale-free)."""
    return amplitudes.sum(axis=-1) / np.linalg.norm(amplitudes, axis=-1)


class Convolution(Claim):
    id = "convolution"
    title = "Circular-convolutional networks: a diagonal network in the Fourier basis, sparser with depth (Figure 1d)"
    statement = (
        "A linear network of N − 1 circular cross-correlation layers with full-length filters w_j and a fully "
        "connected last layer v has the predictor v conv w_{N−1} conv ... conv w_1, whose discrete Fourier transform "
        "is the product of the layers' transforms (the conjugations of the cross-correlations cancel): a depth-N "
        "diagonal network of Fourier amplitudes. Trained by gradient descent with the exponential loss on Gaussian "
        "inputs labelled by u whose Fourier amplitudes are (3, 4, 6, 12) at frequencies 0 to 3, from a small balanced "
        "init, depth N ≥ 2 learns the amplitudes largest first (frequencies 3, 2, 1, 0); at equal training loss the "
        "amplitude vector is sparser (smaller ℓ1/ℓ2) with depth and, for N ≥ 2, than the hard-margin SVM's, with "
        "its largest amplitudes in the target's order.")
    provenance = """
        seen: Figure 1d's caption (depth-3 circular-convolutional networks learn the amplitudes in the frequency domain
        incrementally, larger first) and the authors' script: cross-correlation layers plus a fully connected layer, the
        Fourier target (3, 4, 6, 12), d = 100, n = 200, depths 1 to 3, an SVM baseline (docs/claims/convolution.md).

        reconstructed: That the paper's Figure 7 shows Fourier sparsity increasing with depth and the top frequencies in
        the target's order (its caption is not available to us); the identity-filter init (the authors draw Gaussian
        filters) and the hard-margin SVM baseline are our choices.

        derived: The Fourier reduction of the predictor and of the gradient flow (exact, SymPy, modulo z^d − 1): each
        frequency follows Theorem 1's rate, with early-phase target √(2/π) times the target's amplitude
        (theory/classification.py); the step sizes, the noise model behind which pairs are judged, and every tolerance.
        """
    setup = CONVOLUTIONAL
    corruptions = (
        Corruption("conjugated filters (the cross-correlation's transform taken at face value)",
                   lambda: theory.substituted(fourier_product=lambda last, filters, conjugate: last * math.prod(
                       conjugate(f) for f in filters)), checks=("reduction-exact", "reduction-numeric")),
        Corruption("frequency order reversed (smallest amplitude first)", lambda: mock.patch.object(
            Convolution, "setup", replace(CONVOLUTIONAL, support=lambda dimension: tuple(range(len(SPECTRUM))))),
                   checks=("population-order", "top-frequencies")),
        Corruption("baseline: the soft-margin LinearSVC objective passed off as the hard-margin SVM",
                   lambda: mock.patch.object(svm, "hard_margin", experiment.soft_margin_svm), checks=("svm-kkt",)),
    )

    # --- once per run: the derivations --------------------------------------------------------------------
    statement_key = staticmethod(theory.statement_key)

    @derived(*(partial(theory.reduction_derivation, d, n) for d, n in EXACT),
             compares="network output → predictor v ⊛ w_{N−1} ⊛ ⋯ ⊛ w_1 → its DFT equals v̂∏ŵ_j (a layer alone "
                      f"multiplies by conj(ŵ)) → Parseval back to the output; symbolic filters, (d, N) in {EXACT}")
    def reduction_exact(self):
        """Tolerance: exact: polynomial remainders modulo z^d − 1"""

    @derived(*(partial(theory.flow_derivation, d, n) for d, n in FLOW),
             compares="gradient flow of every layer for any loss gradient g: each frequency of b moves alone, by "
                      "−Σ_j |∏_{i≠j} ŵ_{i,k}|² ĝ_k, which is N|b̂_k|^{2−2/N} ĝ_k for balanced layers (Theorem 1's "
                      f"rate); (d, N) in {FLOW}")
    def fourier_flow(self):
        """Tolerance: exact: polynomial remainders modulo z^d − 1"""

    def derivations(self) -> list:  # the small ones: readable in the LaTeX export
        return [self.derivation(partial(build, d, n)) for build, d, n in ((theory.reduction_derivation, 4, 2),
                (theory.reduction_derivation, 4, 3), (theory.flow_derivation, 4, 2))]

    # --- per case ---------------------------------------------------------------------------------------------
    def strategy(self, run):
        return experiment.classifier_cases(setup=self.setup, budget=run.profile.step_budget,
                                           dimensions=st.sampled_from(DIMENSIONS), samples=(200, 400), dps=run.dps)

    @check("numeric", measures="absolute error relative to ‖v‖₁∏‖w_j‖₁")
    def reduction_numeric(self, case, run):
        """numpy rfft of the predictor from direct circular sums against the stated product of the layers' rffts, random
        filters (the run's stream 'filters <dataset>') at the case's d, depths 2–3

        Tolerance: first-order rounding bound 2((N − 1)d + 2N log2 d)·u of the sums and FFTs (float64)
        """
        rng = run.rng(f"filters {case.dataset}")
        d, unit = case.dimension, UNIT_ROUNDOFF["float64"]  # numpy sums and FFTs, whatever models train in
        errors, bounds = [], []
        for depth in (2, 3):
            layers = [rng.normal(size=d) for _ in range(depth)]
            last, filters = layers[0], layers[1:]
            direct = np.fft.rfft(np.array(theory.predictor(last, filters), dtype=float))
            stated = theory.fourier_product(np.fft.rfft(last), [np.fft.rfft(w) for w in filters], np.conj)
            scale = math.prod(float(np.abs(layer).sum()) for layer in layers)
            errors.append(float(np.abs(direct - stated).max()) / scale)
            bounds.append(2 * ((depth - 1) * d + 2 * depth * math.log2(d)) * unit)
        return Measured(worst(errors), max(bounds), f"d = {d}, depths 2 and 3, relative to ‖v‖₁∏‖w_j‖₁")

    @check("empirical", measures="absolute error relative to the network evaluated on absolute values")
    def network_vs_predictor(self, case, run, trained):
        """every trained network of depth ≥ 2, evaluated layer by layer on the case's inputs with direct
        cross-correlation sums (numpy, no FFT), against ⟨b, x⟩ with the predictor b the trainer computed by FFT

        Tolerance: first-order rounding bound 2((N + 1)d + 2N log2 d)·u, u the training dtype's unit roundoff
        """
        d, runs, unit = case.dimension, trained.runs, run.unit_roundoff
        errors, bounds = [], []
        for (r, depth), index in trained.sample.items():
            if depth < 2:
                continue
            x = trained.samples[r][0]
            last, *filters = (layer[:d] for layer in runs.layers[index])
            hidden, magnitude = x, np.abs(x)
            for w in filters:
                matrix = _cross_correlation_matrix(w)
                hidden, magnitude = hidden @ matrix.T, magnitude @ np.abs(matrix).T
            output, size = hidden @ last, magnitude @ np.abs(last)
            errors.append(float((np.abs(output - x @ runs.predictors[index, :d]) / size).max()))
            bounds.append(2 * ((depth + 1) * d + 2 * depth * math.log2(d)) * unit)
        return Measured(worst(errors), max(bounds), f"{case.repetitions} datasets × depths 2–3 on {runs.dtype}, "
                                                    "relative to the absolute-value network")

    @check("numeric", tolerance=f"{svm.KKT_TOLERANCE:g} relative: float64 active-set solution",
           measures="largest KKT residual (relative)")
    def svm_kkt(self, case, run):
        """the hard-margin SVM of every dataset satisfies its KKT conditions"""
        return experiment.svm_kkt(self.setup, case, run)

    def train(self, cases, run):
        return experiment.judgeable(experiment.train(self.setup, cases, run))

    @check("empirical", measures="inverted pairs")
    def population_order(self, case, run, trained):
        """GD on the exact population loss, depths 2–3: the amplitudes of frequencies 3, 2, 1, 0 cross half the smallest
        early-phase target in that order

        Tolerance: no inversion: deterministic dynamics, targets ≥ 4/3 apart
        """
        return experiment.population_order(trained)

    @check("empirical",
           tolerance=f"no inversion among pairs whose early-phase targets differ by ≥ "
                     f"{RESOLUTION} standard errors √((v_k + v_k')/n) of the sample's −∇L(0) along them (v_k = d/2, or "
                     "d at "
                     "frequency 0); other pairs are sampling-limited and not judged", measures="inverted pairs")
    def learning_order(self, case, run, trained):
        """trained on each dataset, depths 2–3: frequency pairs the sample resolves cross that level larger first"""
        return experiment.learning_order(trained)

    @check("empirical", tolerance=PAIRED, measures="mean increase of ℓ1/ℓ2, worst pair")
    def sparsity_depth(self, case, run, trained):
        """ℓ1/ℓ2 of the Fourier amplitudes at equal training loss does not increase from depth N to N + 1"""
        return trained.unreached() or self._paired(trained, list(zip(DEPTHS, DEPTHS[1:])), report=True)

    @check("empirical", tolerance=PAIRED, measures="mean excess of ℓ1/ℓ2 over the SVM's, worst depth")
    def sparser_than_svm(self, case, run, trained):
        """depths 2–3: ℓ1/ℓ2 of the amplitudes at most the hard-margin SVM's"""
        return trained.unreached() or self._paired(trained, [("SVM", d) for d in DEPTHS if d >= 2])

    @check("empirical", measures="inverted pairs")
    def top_frequencies(self, case, run, trained):
        """depths 2–3, each dataset: the amplitudes at equal training loss of the frequency pairs the sample resolves
        are in the target's order

        Tolerance: no inversion among the resolvable pairs (the same sampling criterion as learning-order)
        """
        skip = trained.unreached()
        if skip:
            return skip
        pairs = self.setup.resolvable(case.dimension, case.samples)
        if not pairs:
            return self.setup.unresolvable(case)
        amplitudes = self._amplitudes(trained)
        inverted = sum(int((amplitudes[depth][:, k] < amplitudes[depth][:, j]).sum())
                       for depth in DEPTHS if depth >= 2 for k, j in pairs)
        return Measured(inverted, 0, f"pairs {pairs} on {case.repetitions} datasets × depths 2–3 at training loss "
                                     f"{text(trained.loss)}")

    def _amplitudes(self, trained) -> dict:
        """Fourier amplitudes per dataset at the comparison loss, per depth and for the SVM."""
        amplitudes = {depth: self.setup.amplitudes(trained.predictors(depth)) for depth in DEPTHS}
        amplitudes["SVM"] = self.setup.amplitudes(np.array([b.weights for b in trained.baselines()]))
        return amplitudes

    def _paired(self, trained, pairs: list, report: bool = False) -> Measured:
        """−ℓ1/ℓ2 (higher is sparser) compared over ``pairs``; with the measurements of the tables when ``report``:
        the mean ℓ1/ℓ2 and the mean normalised amplitudes of frequencies 0–3 and of the largest other one."""
        amplitudes = self._amplitudes(trained)
        scores = {key: -sparsity(values) for key, values in amplitudes.items()}
        data = None
        if report:
            data = experiment.measurements(trained, {key: sparsity(values) for key, values in amplitudes.items()})
            for key, values in amplitudes.items():
                normalised, name = _normalised(values), key if key == "SVM" else f"N={key}"
                data.update({f"{name} k={k}": float(normalised[:, k].mean()) for k in range(len(SPECTRUM))})
                data[f"{name} other"] = float(normalised[:, len(SPECTRUM):].max(axis=1).mean())
        return experiment.paired(trained, scores, pairs, "−ℓ1/ℓ2", data)

    # --- reports ------------------------------------------------------------------------------------------------
    def tables(self, result) -> dict:
        target = _normalised(np.array([SPECTRUM], dtype=float))[0]
        tables = experiment.comparison_tables(result, "sparsity-depth", DEPTHS, "ℓ1/ℓ2 of the Fourier amplitudes at "
                                              "equal training loss, mean over each case's datasets (the target's: "
                                              f"{float(sparsity(target)):.3f})", 3)
        rows = experiment.measured(result, "sparsity-depth")
        if rows:
            spectra = [(model, *(f"{np.mean([data[f'{model} {column}'] for _, data in rows]):.3f}"
                                 for column in (*(f"k={k}" for k in range(len(SPECTRUM))), "other")))
                       for model in (*(f"N={d}" for d in DEPTHS), "SVM")]
            tables["Normalised amplitudes of frequencies 0–3 and the largest other, mean over the cases (target "
                   f"{', '.join(f'{v:.3f}' for v in target)})"] = (("model", "k=0", "k=1", "k=2", "k=3",
                                                                   "largest other"), spectra)
        return tables

    def figures(self, directory, result) -> list:
        return _figures(directory, for_claim(result.settings, self), self.setup)


def _normalised(amplitudes: np.ndarray) -> np.ndarray:
    return amplitudes / np.linalg.norm(amplitudes, axis=-1, keepdims=True)


def _cross_correlation_matrix(w: np.ndarray) -> np.ndarray:
    """C with (C h)_i = Σ_l w_l h_{(i+l) mod d}: C[i, m] = w[(m − i) mod d]."""
    d = len(w)
    return w[(np.arange(d)[None, :] - np.arange(d)[:, None]) % d]


def _figures(directory, run, setup) -> list:
    """Figure 1d: the amplitudes of frequencies 0–3 and the largest other over time per depth; Figure 7: the
    normalised amplitude spectrum at the comparison loss per depth, the SVM's and the target's; the authors'
    setting."""
    from ..plots import COLOURS, legend_below, plt, save  # noqa: PLC0415 - matplotlib only when figures are asked for

    case = ClassifierCase(0, 5, 100, 200, Fraction(1, 100), 2000)
    trained = experiment.figure_runs(setup, case, run)
    support = list(setup.support(case.dimension))
    figure, axes = plt.subplots(1, len(DEPTHS), figsize=(13, 4.2), constrained_layout=True)
    for axis, depth in zip(axes, DEPTHS):
        experiment.plot_learning(axis, trained, depth, support, [f"frequency {k} (target {SPECTRUM[k]})" for k in support],
                                 "largest other frequency")
        axis.set_yscale("log")
        axis.set_ylim(float(case.init) / 3, None)
        axis.set_xlabel(r"time $t = \sum_k \eta_k$")
        axis.grid(alpha=0.25)
    axes[0].set_ylabel(r"Fourier amplitude $|\hat b_k|$")
    legend_below(figure, *axes[0].get_legend_handles_labels())
    figure.suptitle(f"Circular-convolutional networks, exponential loss (d = {case.dimension}, n = {case.samples}, "
                    f"σ0 = {text(case.init)}, dataset 0 of seed {run.seed}): amplitudes learned largest first")
    paths = save(figure, directory, "convolution-figure1d")

    spectra = {depth: setup.amplitudes(trained.predictors(depth)) for depth in DEPTHS}
    spectra["hard-margin SVM"] = setup.amplitudes(np.array([b.weights for b in trained.baselines()]))
    shown = 16
    frequencies = np.arange(shown)
    figure, axis = plt.subplots(figsize=(9, 4.4), constrained_layout=True)
    width = 0.8 / (len(spectra) + 1)
    target = np.zeros(shown)
    target[: len(SPECTRUM)] = np.array(SPECTRUM) / np.linalg.norm(SPECTRUM)
    axis.bar(frequencies - 0.4 + width / 2, target, width, color="black", label="target")
    for offset, ((key, values), colour) in enumerate(zip(spectra.items(), (*COLOURS[:3], "0.55")), start=1):
        normalised = _normalised(values)
        label = f"depth {key}" if key in DEPTHS else key
        axis.bar(frequencies - 0.4 + (offset + 0.5) * width, normalised[:, :shown].mean(axis=0), width,
                 yerr=normalised[:, :shown].std(axis=0, ddof=1), color=colour, capsize=1.5,
                 error_kw={"lw": 0.7, "ecolor": "0.3"},
                 label=f"{label} (ℓ1/ℓ2 = {sparsity(values).mean():.2f})")
    axis.set(xticks=frequencies, xlabel="frequency k", ylabel=r"normalised amplitude $|\hat b_k| / \|\hat b\|$")
    axis.set_title(f"Normalised Fourier amplitudes at training loss {text(trained.loss)}: mean ± sd over "
                   f"{case.repetitions} datasets (first {shown} of {case.dimension // 2 + 1} frequencies)")
    axis.legend(fontsize=8)
    axis.grid(alpha=0.25, axis="y")
    return paths + save(figure, directory, "convolution-figure7")


CLAIM = Convolution()
