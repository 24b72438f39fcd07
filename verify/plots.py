"""Figures (matplotlib, PNG and PDF), written atomically."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from numerics import toy  # noqa: E402

from .cases import round_down  # noqa: E402
from .files import write_atomic  # noqa: E402

COLOURS = ("#1b6ca8", "#d1495b", "#edae49", "#00798c")


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
