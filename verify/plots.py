"""Figures (matplotlib, PNG and PDF), written atomically.

* ``theorem1_figure``: the seed paper's Figure 2: σ_i(t)/σ_i* for σ* ∈ {12, 6, 4, 3} from Theorem 1's
  closed forms, on a grid of depths (columns) and initial scales (rows), with points from torch-trained
  gradient descent (all panels trained in one batch) on the curves.
* ``theorem2_figure``: the phase diagram: the exact threshold σ_0 against r − 1 (log axes) for depths
  2, 3, 4, 8, with the stated bounds, so the exponential-vs-polynomial separation is visible.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from numerics import separation, toy  # noqa: E402
from theory import theorem2  # noqa: E402

from .cases import round_down  # noqa: E402
from .files import write_atomic  # noqa: E402

FIGURE2_TARGETS = (Fraction(12), Fraction(6), Fraction(4), Fraction(3))
FIGURE2_DEPTHS = (1, 2, 4)
FIGURE2_INITS = (Fraction(1, 10), Fraction(1, 1000))
PHASE_DEPTHS = (2, 3, 4, 8)
COLOURS = ("#1b6ca8", "#d1495b", "#edae49", "#00798c")


def theorem1_figure(directory: Path, *, device: str = "auto", dtype: str = "float64") -> list:
    """Figure 2 of the paper from Theorem 1's solutions, with trained GD points; returns the paths."""
    from .training import toy as training  # noqa: PLC0415 - torch only when models train

    panels = [(n, s0) for s0 in FIGURE2_INITS for n in FIGURE2_DEPTHS]
    plans = []
    for depth, init in panels:
        step = round_down(1 / (8 * depth * float(max(FIGURE2_TARGETS)) ** (2 - 2 / depth)))
        horizon = 1.15 * float(toy.time_to(Fraction(99, 100) * min(FIGURE2_TARGETS), depth=depth,
                                            target=min(FIGURE2_TARGETS), init=init, dps=15))
        steps = math.ceil(horizon / float(step))
        plans.append((step, steps, horizon))
    records = [sorted({round(k * steps / 30) for k in range(31)}) for _, steps, _ in plans]
    runs = training.train([d for d, _ in panels], [FIGURE2_TARGETS] * len(panels), [s for _, s in panels],
                          [step for step, _, _ in plans], records, device=device, dtype=dtype)

    figure, axes = plt.subplots(len(FIGURE2_INITS), len(FIGURE2_DEPTHS), figsize=(10, 5.6), sharey=True,
                                constrained_layout=True)
    for index, ((depth, init), (step, _, horizon)) in enumerate(zip(panels, plans)):
        axis = axes.flat[index]
        for colour, star in zip(COLOURS, FIGURE2_TARGETS):
            times, fractions = _curve(depth, star, init, horizon)
            axis.plot(times, fractions, color=colour, lw=1.6, label=rf"$\sigma^* = {star}$")
            axis.plot([k * float(step) for k in records[index]], runs.sigma[index, : len(records[index]),
                      FIGURE2_TARGETS.index(star)] / float(star), "o", ms=3.2, color=colour, mfc="white", mew=1)
        axis.set_title(rf"depth $N = {depth}$, $\sigma_0 = {float(init):g}$", fontsize=10)
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
    figure.legend(handles, labels, loc="outside lower center", ncol=5, fontsize=9, frameon=False)
    figure.suptitle("Theorem 1: toy-model dynamics (curves: closed forms; points: trained models)", fontsize=11)
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


def theorem2_figure(directory: Path) -> list:
    """The phase diagram of Theorem 2: exact thresholds and bounds against r − 1; returns the paths.

    Left: every depth on one log scale (depth 2 falls through 100 decades); right: depths ≥ 3 alone.
    """
    s, f = Fraction(1, 10), Fraction(9, 10)
    gaps = [10 ** (-1.7 + 2.7 * k / 36) for k in range(37)]
    figure, (full, deep) = plt.subplots(1, 2, figsize=(11, 4.8), constrained_layout=True)
    for colour, depth in zip(COLOURS, PHASE_DEPTHS):
        exact = [float(separation.max_init(depth=depth, ratio=1 + Fraction(g), s=s, f=f, dps=20)) for g in gaps]
        names = ("necessary_2", "sufficient_2") if depth == 2 else ("sufficient_deep",)
        bounds = {name: [float(separation.bound_value(theorem2.bound(name), depth=depth, ratio=1 + Fraction(g), s=s,
                                                      f=f, dps=20)) for g in gaps] for name in names}
        for axis in (full, deep) if depth > 2 else (full,):
            axis.plot(gaps, exact, color=colour, lw=2, label=f"N = {depth}: exact threshold")
            for name, style in zip(names, ("--", ":") if depth == 2 else (":",)):
                axis.plot(gaps, bounds[name], style, color=colour, lw=1.3,
                          label=f"N = {depth}: {theorem2.bound_kind(name)} bound")
    for axis, title in ((full, "all depths"), (deep, "depths N ≥ 3: polynomial in r − 1")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel(r"$r - 1 = \sigma_i^*/\sigma_j^* - 1$")
        axis.grid(alpha=0.25, which="both")
        axis.set_title(title, fontsize=10)
        axis.legend(fontsize=7.5, ncol=1 if axis is deep else 2, loc="lower right")
    full.set_ylabel(r"largest init $\sigma_0$ learned incrementally ($\sigma_j^* = 1$)")
    figure.suptitle(r"Theorem 2: depth 2 needs $\sigma_0$ exponentially small in $1/(r-1)$; depth $N \geq 3$ only "
                    r"$\sim (r-1)^{N/(N-2)}$   ($s = 0.1$, $f = 0.9$)", fontsize=11)
    return save(figure, directory, "thm2-phase-diagram")


def save(figure, directory: Path, stem: str) -> list:
    """Write ``figure`` as ``stem``.png and ``stem``.pdf into ``directory`` (atomically); close it."""
    paths = []
    for suffix in ("png", "pdf"):
        path = Path(directory) / f"{stem}.{suffix}"
        buffer = _rendered(figure, suffix)
        write_atomic(path, buffer)
        paths.append(path)
    plt.close(figure)
    return paths


def _rendered(figure, suffix: str) -> bytes:
    from io import BytesIO  # noqa: PLC0415

    buffer = BytesIO()
    figure.savefig(buffer, format=suffix, dpi=160, metadata={"CreationDate": None} if suffix == "pdf" else None)
    return buffer.getvalue()


def quadratic_figure(directory: Path, targets, step, settings) -> list:
    """Figure 5 of the paper: top-5 eigenvalues of WᵀW against time, without/with a global bias (rows) on a
    large and a small dataset (columns), one batched training run."""
    from .training import quadratic as training  # noqa: PLC0415 - torch only when models train

    steps = 4 * settings.profile.step_budget
    record = list(range(0, steps + 1, max(1, steps // 300)))
    layout = [(loss, size) for loss in ("no-bias", "bias") for size in (600, 100)]
    run = training.train([loss for loss, _ in layout], targets, [Fraction(1, 10**4)] * 4, [step] * 4,
                         [settings.seed] * 4, [size for _, size in layout], [record] * 4, device=settings.device,
                         dtype=settings.dtype)
    figure, axes = plt.subplots(2, 2, figsize=(9.5, 6.2), sharex=True, sharey=True, constrained_layout=True)
    times = [k * float(step) for k in record]
    for index, (loss, size) in enumerate(layout):
        axis = axes.flat[index]
        for rank in range(5):
            colour = COLOURS[rank] if rank < 4 else "0.45"
            label = rf"$\lambda_{rank + 1}$, target {targets[rank]}"
            axis.plot(times, run.values[index, :, rank], color=colour, lw=1.6, ls="-" if rank < 4 else "--",
                      label=label)
        for star in targets[:4]:
            axis.axhline(float(star), color="0.8", lw=0.8, zorder=0)
        axis.set_title(f"{'with' if loss == 'bias' else 'without'} a global bias, n = {size} "
                       f"({'large' if size > 210 else 'small'} dataset)", fontsize=10)
        axis.grid(alpha=0.25)
        if index >= 2:
            axis.set_xlabel(r"time $t = \eta k$ (½ squared loss)")
        if index % 2 == 0:
            axis.set_ylabel(r"top eigenvalues of $W^\top W$")
    axes.flat[0].legend(fontsize=8, loc="center right")
    figure.suptitle("Quadratic networks (d = 20, rank-4 target): coupled without a bias, incremental with it",
                    fontsize=11)
    return save(figure, directory, "quadratic-figure5")


def omp_figure(directory: Path, curve: list) -> list:
    """Figure 3 of the paper: agreement of the first s features selected by GD and by OMP, mean ± std."""
    figure, axis = plt.subplots(figsize=(6.4, 4.2), constrained_layout=True)
    if curve:
        sizes = [s for s, _, _, _ in curve]
        means = [mean for _, mean, _, _ in curve]
        spreads = [spread for _, _, spread, _ in curve]
        axis.errorbar(sizes, means, yerr=spreads, color=COLOURS[0], marker="o", capsize=4, lw=1.8)
        for s, mean, _, count in curve:
            axis.annotate(f"{count} exp.", (s, mean), textcoords="offset points", xytext=(6, -12), fontsize=7)
    axis.set_ylim(0, 1.05)
    axis.set_xlabel("s (number of features selected)")
    axis.set_ylabel("|first s by GD ∩ first s by OMP| / s")
    axis.set_title("Depth-5 toy model (init 1e-4, step 3e-3) against OMP: mean ± std over experiments", fontsize=10)
    axis.grid(alpha=0.25)
    return save(figure, directory, "omp-figure3")
