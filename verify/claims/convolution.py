"""convolution: circular-convolutional networks are diagonal networks in the Fourier basis, and learn the
frequency amplitudes of the labelling vector largest first, sparser with depth (Appendix G, Figure 1d)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from numerics import svm
from theory import convolution as theory
from theory.derivation import DerivationError

from .. import cache
from ..cases import text
from ..claim import FAIL, PASS, SKIPPED, UNIT_ROUNDOFF, CheckSpec, Claim, Outcome, Settings, guarded, judge
from .classification import (LADDER, RESOLUTION, ClassifierCase, Setup, classifier_cases, figure_runs,
                             comparison_tables, hard_margin_baselines, learning_order, measured, measurements,
                             paired_outcome, population_order, train_cases, trained_outcomes)

DEPTHS = (1, 2, 3)
SPECTRUM = (3, 4, 6, 12)  # the target's real FFT at frequencies 0..3 (the authors' script), zero elsewhere
EXACT = ((4, 2), (4, 3), (5, 2), (5, 3))  # (d, depth) of the symbolic reduction
FLOW = ((4, 2), (5, 2), (3, 3))  # (d, depth) of the symbolic flow per frequency (its size grows fast with both)
EXPORTED = (("reduction", 4, 2), ("reduction", 4, 3), ("flow", 4, 2))  # readable in the LaTeX export
DIMENSIONS = (100, 64, 128)


def labelling_direction(dimension: int) -> np.ndarray:
    """u = irfft(3, 4, 6, 12, 0, …), unit length."""
    spectrum = np.zeros(dimension // 2 + 1)
    spectrum[: len(SPECTRUM)] = SPECTRUM
    u = np.fft.irfft(spectrum, n=dimension)
    return u / np.linalg.norm(u)


CONVOLUTIONAL = Setup("convolutional", DEPTHS, 1, labelling_direction, lambda vectors: np.fft.rfft(vectors, axis=-1),
                      lambda dimension: tuple(int(k) for k in np.argsort(SPECTRUM)[::-1]))


def _normalised(amplitudes: np.ndarray) -> np.ndarray:
    return amplitudes / np.linalg.norm(amplitudes, axis=-1, keepdims=True)


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
    provenance = (
        ("seen", "Figure 1d's caption (depth-3 circular-convolutional networks learn the amplitudes in the frequency "
                 "domain incrementally, larger first) and the authors' script: cross-correlation layers plus a fully "
                 "connected layer, the Fourier target (3, 4, 6, 12), d = 100, n = 200, depths 1 to 3, an SVM baseline "
                 "(beyond-toy.md §4, §10)."),
        ("reconstructed", "That the paper's Figure 7 shows Fourier sparsity increasing with depth and the top "
                          "frequencies in the target's order (its caption is not available to us); the identity-filter "
                          "init (the authors draw Gaussian filters) and the hard-margin SVM baseline are our choices."),
        ("derived", "The Fourier reduction of the predictor and of the gradient flow (exact, SymPy, modulo z^d − 1): "
                    "each frequency follows Theorem 1's rate, with early-phase target √(2/π) times the target's "
                    "amplitude (theory/classification.py); the step sizes, the noise model behind which pairs are "
                    "judged, and every tolerance."),
    )
    checks = (
        CheckSpec("reduction-exact", "symbolic", "network output → predictor v ⊛ w_{N−1} ⊛ ⋯ ⊛ w_1 → its DFT equals "
                  "v̂∏ŵ_j (a layer alone multiplies by conj(ŵ)) → Parseval back to the output; symbolic filters, "
                  f"(d, N) in {EXACT}", "exact: polynomial remainders modulo z^d − 1"),
        CheckSpec("fourier-flow", "symbolic", "gradient flow of every layer for any loss gradient g: each frequency "
                  "of b moves alone, by −Σ_j |∏_{i≠j} ŵ_{i,k}|² ĝ_k, which is N|b̂_k|^{2−2/N} ĝ_k for balanced layers "
                  f"(Theorem 1's rate); (d, N) in {FLOW}", "exact: polynomial remainders modulo z^d − 1"),
        CheckSpec("reduction-numeric", "numeric", "numpy rfft of the predictor from direct circular sums against the "
                  "stated product of the layers' rffts, random filters at the case's d, depths 2–3",
                  "first-order rounding bound 2((N − 1)d + 2N log2 d)·u of the sums and FFTs, relative to ‖v‖₁∏‖w_j‖₁"),
        CheckSpec("network-vs-predictor", "empirical", "every trained network of depth ≥ 2, evaluated layer by layer "
                  "on the case's inputs with direct cross-correlation sums (numpy, no FFT), against ⟨b, x⟩ with the "
                  "predictor b the trainer computed by FFT", "first-order rounding bound 2((N + 1)d + 2N log2 d)·u "
                  "relative to the same network evaluated on absolute values"),
        CheckSpec("svm-kkt", "numeric", "the hard-margin SVM of every dataset satisfies its KKT conditions",
                  f"{svm.KKT_TOLERANCE:g} relative: float64 active-set solution"),
        CheckSpec("population-order", "empirical", "GD on the exact population loss, depths 2–3: the amplitudes of "
                  "frequencies 3, 2, 1, 0 cross half the smallest early-phase target in that order",
                  "no inversion: deterministic dynamics, targets ≥ 4/3 apart"),
        CheckSpec("learning-order", "empirical", "trained on each dataset, depths 2–3: frequency pairs the sample "
                  "resolves cross that level larger first", f"no inversion among pairs whose early-phase targets "
                  f"differ by ≥ {RESOLUTION} standard errors √((v_k + v_k')/n) of the sample's −∇L(0) along them "
                  "(v_k = d/2, or d at frequency 0); other pairs are sampling-limited and not judged"),
        CheckSpec("sparsity-depth", "empirical", "ℓ1/ℓ2 of the Fourier amplitudes at equal training loss does not "
                  "increase from depth N to N + 1",
                  "paired differences over the datasets: mean ≥ −t_{0.999, R−1}·sd/√R"),
        CheckSpec("sparser-than-svm", "empirical", "depths 2–3: ℓ1/ℓ2 of the amplitudes at most the hard-margin SVM's",
                  "paired differences: mean ≥ −t_{0.999, R−1}·sd/√R"),
        CheckSpec("top-frequencies", "empirical", "depths 2–3, each dataset: the final amplitudes of the frequency "
                  "pairs the sample resolves are in the target's order", "no inversion among the resolvable pairs "
                  "(the same sampling criterion as learning-order)"),
    )

    def global_checks(self, settings: Settings) -> list:
        return [_derivations_outcome("reduction-exact", "reduction", EXACT),
                _derivations_outcome("fourier-flow", "flow", FLOW)]

    def derivations(self) -> list:
        return [_derived(kind, dimension, depth) for kind, dimension, depth in EXPORTED]

    def strategy(self, settings: Settings):
        return classifier_cases(setup=CONVOLUTIONAL, budget=settings.profile.step_budget,
                                dimensions=st.sampled_from(DIMENSIONS), samples=(200, 400))

    def evaluate(self, cases: list, settings: Settings) -> dict:
        evidence = {case: [guarded("reduction-numeric", case, _reduction_numeric, case)] for case in cases}
        for case, view in train_cases(CONVOLUTIONAL, cases, settings).items():
            evidence[case].extend(self._trained(view))
        return evidence

    def _trained(self, view) -> list:
        return trained_outcomes(view, [("network-vs-predictor", _network), ("population-order", population_order),
                                       ("learning-order", learning_order)],
                                ("sparsity-depth", "sparser-than-svm", "top-frequencies"),
                                lambda baselines: _compare(view, baselines))

    # -------------------------------------------------------------------------------------------------------
    def tables(self, result) -> dict:
        target = _normalised(np.array([SPECTRUM], dtype=float))[0]
        tables = comparison_tables(result, "sparsity-depth", DEPTHS, "ℓ1/ℓ2 of the Fourier amplitudes at equal "
                                   f"training loss, mean over each case's datasets (the target's: "
                                   f"{float(sparsity(target)):.3f})", 3)
        rows = measured(result, "sparsity-depth")
        if rows:
            spectra = [(model, *(f"{np.mean([data[f'{model} {column}'] for _, data in rows]):.3f}"
                                 for column in (*(f"k={k}" for k in range(len(SPECTRUM))), "other")))
                       for model in (*(f"N={d}" for d in DEPTHS), "SVM")]
            tables["Normalised amplitudes of frequencies 0–3 and the largest other, mean over the cases (target "
                   f"{', '.join(f'{v:.3f}' for v in target)})"] = (("model", "k=0", "k=1", "k=2", "k=3",
                                                                   "largest other"), spectra)
        return tables

    def figures(self, directory, result) -> list:
        return convolution_figures(directory, result.settings)


def _compare(view, baselines: list) -> list:
    amplitudes = {depth: CONVOLUTIONAL.amplitudes(view.predictors(depth)) for depth in DEPTHS}
    amplitudes["SVM"] = CONVOLUTIONAL.amplitudes(np.array([b.weights for b in baselines]))
    scores = {key: -sparsity(values) for key, values in amplitudes.items()}  # higher is sparser
    data = measurements(view, {key: sparsity(values) for key, values in amplitudes.items()})
    for key, values in amplitudes.items():
        normalised, name = _normalised(values), key if key == "SVM" else f"N={key}"
        data += tuple((f"{name} k={k}", float(normalised[:, k].mean())) for k in range(len(SPECTRUM)))
        data += ((f"{name} other", float(normalised[:, len(SPECTRUM):].max(axis=1).mean())),)
    return [paired_outcome("sparsity-depth", view, scores, list(zip(DEPTHS, DEPTHS[1:])), "−ℓ1/ℓ2", data),
            paired_outcome("sparser-than-svm", view, scores, [("SVM", d) for d in DEPTHS if d >= 2], "−ℓ1/ℓ2"),
            guarded("top-frequencies", view.case, _top_frequencies, view, amplitudes)]


def _derived(kind: str, dimension: int, depth: int):
    derive = theory.reduction_derivation if kind == "reduction" else theory.flow_derivation
    key = f"{kind}:{dimension}:{depth}:{theory.statement_key()}"
    return cache.cached("convolution", key, lambda: derive(dimension, depth))


def _derivations_outcome(check: str, kind: str, sizes: tuple) -> Outcome:
    for dimension, depth in sizes:
        try:
            _derived(kind, dimension, depth)
        except DerivationError as failure:
            return Outcome(check, None, 1.0, 0.0, FAIL, str(failure))
    return Outcome(check, None, 0.0, 0.0, PASS, f"{len(sizes)} derivations, (d, N) = {sizes}, every step checked")


def _reduction_numeric(case: ClassifierCase) -> Outcome:
    """Random filters: rfft of the directly summed predictor against the stated product of the layers' rffts."""
    generator = np.random.default_rng([case.seed, 2])
    d, unit = case.dimension, UNIT_ROUNDOFF["float64"]
    worst, bound = 0.0, 0.0
    for depth in (2, 3):
        layers = [generator.normal(size=d) for _ in range(depth)]
        last, filters = layers[0], layers[1:]
        direct = np.fft.rfft(np.array(theory.predictor(last, filters), dtype=float))
        stated = theory.fourier_product(np.fft.rfft(last), [np.fft.rfft(w) for w in filters], np.conj)
        scale = math.prod(float(np.abs(layer).sum()) for layer in layers)
        worst = max(worst, float(np.abs(direct - stated).max()) / scale)
        bound = max(bound, 2 * ((depth - 1) * d + 2 * depth * math.log2(d)) * unit)
    return judge("reduction-numeric", case, worst, bound, f"d = {d}, depths 2 and 3, relative to ‖v‖₁∏‖w_j‖₁")


def _network(view) -> Outcome:
    """The trained layers applied to the inputs one cross-correlation at a time (direct sums) against ⟨b, x⟩."""
    case, runs = view.case, view.runs
    d, unit = case.dimension, UNIT_ROUNDOFF[runs.dtype]
    worst, bound = 0.0, 0.0
    for (r, depth), index in view.sample.items():
        if depth < 2:
            continue
        x = view.samples[r][0]
        last, *filters = (layer[:d] for layer in runs.layers[index])
        hidden, magnitude = x, np.abs(x)
        for w in filters:
            matrix = _cross_correlation_matrix(w)
            hidden, magnitude = hidden @ matrix.T, magnitude @ np.abs(matrix).T
        output, size = hidden @ last, magnitude @ np.abs(last)
        predicted = x @ runs.predictors[index, :d]
        worst = max(worst, float((np.abs(output - predicted) / size).max()))
        bound = max(bound, 2 * ((depth + 1) * d + 2 * depth * math.log2(d)) * unit)
    return judge("network-vs-predictor", case, worst, bound, f"{case.repetitions} datasets × depths 2–3 on "
                                                            f"{runs.dtype}, relative to the absolute-value network")


def _cross_correlation_matrix(w: np.ndarray) -> np.ndarray:
    """C with (C h)_i = Σ_l w_l h_{(i+l) mod d}: C[i, m] = w[(m − i) mod d]."""
    d = len(w)
    return w[(np.arange(d)[None, :] - np.arange(d)[:, None]) % d]


def _top_frequencies(view, amplitudes: dict) -> Outcome:
    case = view.case
    pairs = CONVOLUTIONAL.resolvable(case.dimension, case.samples)
    if not pairs:
        return Outcome("top-frequencies", case, math.nan, 0.0, SKIPPED, f"no pair of target amplitudes is "
                       f"{RESOLUTION} standard errors apart at n = {case.samples} (the first needs n ≥ "
                       f"{CONVOLUTIONAL.samples_needed(case.dimension)})")
    inverted = sum(int((amplitudes[depth][:, k] < amplitudes[depth][:, j]).sum())
                   for depth in DEPTHS if depth >= 2 for k, j in pairs)
    return judge("top-frequencies", case, inverted, 0, f"pairs {pairs} on {case.repetitions} datasets × depths 2–3 at "
                                                       f"training loss {text(LADDER[view.level_index])}")


# ---------------------------------------------------------------------------------------------------------------
# Figures


def convolution_figures(directory, settings: Settings) -> list:
    """Figure 1d: the amplitudes of frequencies 0–3 and the largest other over time per depth; Figure 7: the
    normalised amplitude spectrum at the end per depth, the SVM's and the target's; the authors' setting."""
    import matplotlib.pyplot as plt  # noqa: PLC0415 - matplotlib only when figures are asked for

    from ..plots import COLOURS, save  # noqa: PLC0415

    case = ClassifierCase(0, 5, 100, 200, Fraction(1, 100), 2000)
    view, record = figure_runs(CONVOLUTIONAL, case, settings)
    support = list(CONVOLUTIONAL.support(case.dimension))
    figure, axes = plt.subplots(1, len(DEPTHS), figsize=(13, 4.2), constrained_layout=True)
    for axis, depth in zip(axes, DEPTHS):
        index = view.sample[(0, depth)]
        amplitudes = view.runs.amplitudes[index][:, : case.dimension // 2 + 1]
        times = view.runs.times[index]
        for colour, k in zip(COLOURS, support):
            axis.plot(times, amplitudes[:, k], color=colour, lw=1.6, label=f"frequency {k} (target {SPECTRUM[k]})")
        axis.plot(times, np.delete(amplitudes, support, axis=1).max(axis=1), color="0.5", lw=1.2, ls="--",
                  label="largest other frequency")
        axis.set_title(rf"depth $N = {depth}$, base $\eta = {float(view.steps[depth]):g}$", fontsize=10)
        axis.set_yscale("log")
        axis.set_ylim(float(case.init) / 3, None)
        axis.set_xlabel(r"time $t = \sum_k \eta_k$")
        axis.grid(alpha=0.25)
    axes[0].set_ylabel(r"Fourier amplitude $|\hat b_k|$")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=5, fontsize=9, frameon=False)
    figure.suptitle(f"Circular-convolutional networks, exponential loss (d = {case.dimension}, n = {case.samples}, "
                    f"σ0 = {text(case.init)}, dataset 0): amplitudes learned largest first", fontsize=11)
    paths = save(figure, directory, "convolution-figure1d")

    baselines = hard_margin_baselines(view)
    spectra = {depth: CONVOLUTIONAL.amplitudes(view.predictors(depth)) for depth in DEPTHS}
    spectra["hard-margin SVM"] = CONVOLUTIONAL.amplitudes(np.array([b.weights for b in baselines]))
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
    axis.set_xticks(frequencies)
    axis.set_xlabel("frequency k")
    axis.set_ylabel(r"normalised amplitude $|\hat b_k| / \|\hat b\|$")
    axis.set_title(f"Normalised Fourier amplitudes at training loss {text(LADDER[view.level_index])}: mean ± sd over "
                   f"{case.repetitions} datasets (first {shown} of {case.dimension // 2 + 1} frequencies)", fontsize=10)
    axis.legend(fontsize=8)
    axis.grid(alpha=0.25, axis="y")
    return paths + save(figure, directory, "convolution-figure7")


CLAIM = Convolution()
