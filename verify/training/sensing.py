"""Batched gradient descent on deep matrix sensing: W = W_1 W_2 ⋯ W_N trained in torch.

Each experiment b has its own depth N_b, measurements A_bk (n_b matrices of size d × d), target W*_b,
initialisation and step size η_b. Its loss is

    ℓ_b(W) = ½ · mean_k (⟨A_bk, W⟩ − y_bk)²,   y_bk = ⟨A_bk, W*_b⟩,

whose population version under Gaussian A is ½‖W − W*‖²_F (E⟨A, Δ⟩² = ‖Δ‖²_F, derived in
``theory.sensing``). On the layered product with this plain ½ loss, step k of gradient descent with
step size η is the project's gradient flow at time t = η k, up to O(η) (the same convention as
``verify.training.toy``): aligned singular values follow dσ/dt = N σ^{2−2/N}(σ* − σ).

All experiments train in one tensor program: factors of shape (experiments, max depth, d, d), the
layers beyond an experiment's depth held at the identity (as ``verify.training.toy`` holds padded layers
at 1). Measurements come as datasets shared by experiments: a step reads each dataset once and
multiplies it with the stacked W of all its experiments. A 1500 × 2500 dataset is 30 MB, and a step
costs about one pass over it per matrix-vector product, so batching pays through the sharing: with a
private copy per experiment (the plain (experiments, n, d²) layout, which one dataset per experiment
gives) a batch is no faster than a loop on a 2-core CPU (``benchmarks/batched_sensing.py``). An
experiment uses the first n_b rows of its dataset.

Initialisations:

* ``gaussian``: i.i.d. N(0, s²) factor entries, s = (σ_0/m_N)^{1/N}/√d, so that the singular values of
  the product have mean σ_0 (``gaussian_scale``);
* ``identity``: W_j = σ_0^{1/N} I, balanced and aligned with a diagonal target (the reduction to the
  toy model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import one_thread_on_cpu, select_device, torch_dtype
from .toy import isotropic_inputs

INITIALISATIONS = ("gaussian", "identity")
MAX_DEPTH = 16


@dataclass(frozen=True)
class Runs:
    """What training recorded, per experiment b (in the order given to ``train``).

    ``singular[b, r]`` holds the ``top`` largest singular values of W after ``steps[b][r]`` steps (NaN
    where b recorded fewer steps); ``crossings[b, i]`` is the first step at which the i-th largest
    singular value was ≥ ``levels[b][i]`` (−1: never; all −1 without levels); ``initial[b]`` and
    ``final[b]`` are W at step 0 and at b's last recorded step; ``loss[b]`` is ℓ_b there; ``finite[b]``
    is False when b produced NaN or inf.
    """

    steps: tuple
    singular: np.ndarray
    crossings: np.ndarray
    initial: np.ndarray
    final: np.ndarray
    loss: np.ndarray
    finite: np.ndarray
    device: str
    dtype: str


def fuss_catalan_mean(depth: int) -> float:
    """m_N: the mean singular value of a product of N independent d × d Gaussian matrices with entry
    variance 1/d, as d → ∞. The squared singular values follow the Fuss–Catalan law of order N, whose
    moments E[x^s] = Γ((N+1)s + 1)/(Γ(s + 1)Γ(N s + 2)) give, at s = ½, m_N = Γ((N+3)/2)/(Γ(3/2)Γ(N/2 + 2))
    (m_1 = 8/(3π) ≈ 0.849, the quarter-circle mean; m_4 ≈ 0.625)."""
    n = arguments.depth(depth)
    return math.gamma((n + 3) / 2) / (math.gamma(1.5) * math.gamma(n / 2 + 2))


def gaussian_scale(depth: int, init, size: int) -> float:
    """Per-entry standard deviation of each factor so that the product's singular values have mean
    ``init``: s = (init/m_N)^{1/N}/√d. The authors' code uses init^{1/N}/√d, i.e. mean m_N·init
    (0.62–0.85 of init for N = 1..4); at d = 50 the finite-size mean is within a few % of the limit."""
    n = arguments.depth(depth)
    scale = float(arguments.positive("init", init))
    return (scale / fuss_catalan_mean(n)) ** (1.0 / n) / math.sqrt(arguments.integer("size", size, 1, 1000))


def gaussian_measurements(seed: int, samples: int, size: int) -> np.ndarray:
    """n = ``samples`` measurement matrices with i.i.d. N(0, 1) entries, flattened: shape (n, d²);
    the same for the same seed on every machine (NumPy's PCG64, stream 0 of ``seed``)."""
    rng = np.random.default_rng([arguments.integer("seed", seed, 0, 2**63 - 1), 0])
    return rng.standard_normal((arguments.integer("samples", samples, 1, 10**6),
                                arguments.integer("size", size, 1, 1000) ** 2))


def aligned_measurements(size: int) -> np.ndarray:
    """Measurements aligned with a diagonal target's singular bases: A_k = diag(h_k), h_k the rows of
    ``verify.training.toy.isotropic_inputs`` (Σ_k h_k h_kᵀ = n I exactly). The loss is then exactly
    ½‖diag(W) − diag(W*)‖², the toy model's, and off-diagonal entries are not measured. Shape (n, d²)."""
    d = arguments.integer("size", size, 1, 1000)
    rows = isotropic_inputs(d, torch.float64).numpy()
    out = np.zeros((rows.shape[0], d, d))
    out[:, np.arange(d), np.arange(d)] = rows
    return out.reshape(rows.shape[0], d * d)


def train(depths, measurements, targets, inits, step_sizes, record, *, datasets=None, samples=None,
          initialisation="gaussian", seeds=None, levels=None, top=5, device="auto", dtype="float64") -> Runs:
    """Train every experiment at once; record the ``top`` singular values at the step counts ``record[b]``.

    ``measurements`` is a list of datasets, each an (n_s, d²) array of flattened A_k; experiment b uses the
    first ``samples[b]`` rows of dataset ``datasets[b]`` (defaults: dataset b, all its rows), so experiments
    can share a dataset, which each step then reads once for all of them (one matrix product instead of
    one matrix-vector product per experiment).
    ``targets[b]`` is a d × d array; ``inits[b]`` the initial scale σ_0; ``seeds[b]`` seeds the Gaussian
    initialisation (stream 1 of the seed; the measurements of ``gaussian_measurements`` use stream 0);
    ``levels[b]`` (optional, up to ``top`` values) asks for the first step at which each of the largest
    singular values reaches its level, checked at every step. Experiment b trains for max(record[b]) steps.
    """
    kind = torch_dtype(dtype)
    if initialisation not in INITIALISATIONS:
        raise ValueError(f"initialisation={initialisation!r} is invalid: must be one of {', '.join(INITIALISATIONS)}")
    count = len(depths)
    datasets = list(range(count)) if datasets is None else list(datasets)
    if samples is None:  # every row of its dataset (0 for an invalid dataset, which _validate reports)
        samples = [np.shape(measurements[s])[0] if s in range(len(measurements)) else 0 for s in datasets]
    size = _validate(depths, measurements, datasets, samples, targets, inits, step_sizes, record, seeds, levels, top,
                     initialisation)
    where = select_device(device)
    order = sorted(range(count), key=lambda b: -max(record[b]))  # longest first: the live runs are a prefix

    def pick(values):
        return None if values is None else [values[b] for b in order]

    with one_thread_on_cpu(where):
        arrays = _train(pick(depths), measurements, pick(datasets), pick(samples), pick(targets), pick(inits),
                        pick(step_sizes), pick(record), initialisation, pick(seeds), pick(levels), top, size, kind,
                        where)
    singular, crossings, initial, final, loss, finite = (array[np.argsort(order)] for array in arrays)
    return Runs(tuple(tuple(int(k) for k in record[b]) for b in range(count)), singular, crossings, initial, final,
                loss, finite, str(where), dtype)


def _train(depths, measurements, datasets, samples, targets, inits, step_sizes, record, initialisation, seeds,
           levels, top, size, torch_dtype, where):
    """The training loop, experiments ordered longest first: at step k the first ``live`` experiments are
    recorded or stepped and the first ``moving`` of them are stepped, so every tensor op works on a prefix."""
    count, deepest, area = len(depths), max(depths), size * size
    sensing = [torch.as_tensor(np.asarray(m, dtype=np.float64), dtype=torch_dtype).to(where) for m in measurements]
    star = torch.as_tensor(np.stack([np.asarray(t, dtype=np.float64).reshape(area) for t in targets]),
                           dtype=torch_dtype, device=where)
    longest = max(samples)
    # mask[b, k] = 1 for the n_b rows experiment b uses; labels y = A w*, zero beyond n_b
    mask = (torch.arange(longest, device=where)[None, :] < torch.tensor(samples, device=where)[:, None]).to(torch_dtype)
    labels = torch.zeros((count, longest), dtype=torch_dtype, device=where)
    for b in range(count):
        labels[b, : samples[b]] = sensing[datasets[b]][: samples[b]] @ star[b]
    divisor = torch.tensor([float(n) for n in samples], dtype=torch_dtype, device=where)
    eta = torch.tensor([float(h) for h in step_sizes], dtype=torch_dtype, device=where)
    ends = [max(r) for r in record]
    used = torch.arange(deepest, device=where)[None, :] < torch.tensor(depths, device=where)[:, None]
    eye = torch.eye(size, dtype=torch_dtype, device=where)
    factors = torch.nn.Parameter(_initial_factors(depths, inits, seeds, initialisation, size, deepest, torch_dtype)
                                 .to(where))
    optimizer = torch.optim.SGD([factors], lr=1.0)
    wanted = torch.full((count, top), math.inf, dtype=torch_dtype, device=where)
    for b, values in enumerate(levels or []):
        wanted[b, : len(values)] = torch.tensor([float(v) for v in values], dtype=torch_dtype)
    pending = [bool(levels and levels[b]) for b in range(count)]  # levels not all crossed yet
    first = torch.full((count, top), -1, dtype=torch.long, device=where)
    stored = torch.full((count, max(len(r) for r in record), top), math.nan, dtype=torch_dtype, device=where)
    final = torch.full((count, size, size), math.nan, dtype=torch_dtype, device=where)
    loss_at_end = torch.full((count,), math.nan, dtype=torch_dtype, device=where)
    schedule, blocks = _schedule(record), {}

    def block(live):
        """Per dataset, for the first ``live`` experiments: their positions, rows read, masks and labels."""
        if live not in blocks:
            blocks[live] = []
            for dataset, matrix in enumerate(sensing):
                members = [b for b in range(live) if datasets[b] == dataset]
                if members:
                    rows, at = max(samples[b] for b in members), torch.tensor(members, device=where)
                    blocks[live].append((at, matrix[:rows].T, mask[at, :rows], labels[at, :rows]))
        return blocks[live]

    initial = None
    for k in range(ends[0] + 1):
        live = sum(end >= k for end in ends)
        moving = sum(end > k for end in ends)
        layers = torch.where(used[:live, :, None, None], factors[:live], eye)
        product = layers[:, 0]
        for j in range(1, deepest):
            product = product @ layers[:, j]
        current = product.detach()
        if k == 0:
            initial = current.clone()
        loss = torch.zeros(live, dtype=torch_dtype, device=where)
        for at, transposed, rows_used, y in block(live):  # a few datasets, each read once for all its experiments
            residual = product[at].reshape(len(at), area) @ transposed * rows_used - y
            loss = loss.index_add(0, at, 0.5 * residual.pow(2).sum(dim=1))
        loss = loss / divisor[:live]
        due = schedule.get(k, {})
        look = [b for b in range(live) if pending[b] or b in due]
        if look:
            at = torch.tensor(look, device=where)
            singular = _singular_values(current[at], top)
            first[at] = torch.where((first[at] < 0) & (singular >= wanted[at]), k, first[at])
            open_levels = ((first[at] < 0) & torch.isfinite(wanted[at])).any(dim=1).tolist()
            for row, b in enumerate(look):
                pending[b] = open_levels[row]
                if b in due:
                    stored[b, due[b]] = singular[row]
        if moving < live:  # the last step of experiments moving..live-1
            final[moving:live] = current[moving:live]
            loss_at_end[moving:live] = loss.detach()[moving:live]
        if moving == 0:
            break
        optimizer.zero_grad(set_to_none=True)
        (loss[:moving] * eta[:moving]).sum().backward()
        optimizer.step()
    singular, crossings, start, end, loss = (a.cpu().numpy() for a in (stored, first, initial, final, loss_at_end))
    finite = np.isfinite(end).all(axis=(1, 2)) & np.isfinite(loss)
    finite &= np.array([np.isfinite(singular[b, : len(record[b])]).all() for b in range(count)])
    return singular.astype(np.float64), crossings, start.astype(np.float64), end.astype(np.float64), \
        loss.astype(np.float64), finite


def _singular_values(matrices: torch.Tensor, top: int) -> torch.Tensor:
    """The ``top`` largest singular values of each matrix; NaN for a diverged (non-finite) one, where
    LAPACK would raise."""
    finite = torch.isfinite(matrices).all(dim=2).all(dim=1)
    out = torch.full((matrices.shape[0], top), math.nan, dtype=matrices.dtype, device=matrices.device)
    if bool(finite.any()):
        out[finite] = torch.linalg.svdvals(matrices[finite])[:, :top]
    return out


def _initial_factors(depths, inits, seeds, initialisation, size, deepest, torch_dtype) -> torch.Tensor:
    """(experiments, max depth, d, d): each experiment's N_b factors, then identity layers."""
    factors = torch.eye(size, dtype=torch_dtype).repeat(len(depths), deepest, 1, 1)
    for b, (depth, init) in enumerate(zip(depths, inits)):
        if initialisation == "identity":
            factors[b, :depth] *= float(init) ** (1.0 / depth)
        else:
            rng = np.random.default_rng([int(seeds[b]), 1])
            entries = rng.standard_normal((depth, size, size)) * gaussian_scale(depth, init, size)
            factors[b, :depth] = torch.as_tensor(entries, dtype=torch_dtype)
    return factors


def _schedule(record) -> dict:
    """step count → {experiment: slot} of the recordings due at that step."""
    due: dict = {}
    for b, steps in enumerate(record):
        for slot, step in enumerate(steps):
            due.setdefault(int(step), {})[b] = slot
    return due


def _validate(depths, measurements, datasets, samples, targets, inits, step_sizes, record, seeds, levels, top,
              initialisation) -> int:
    """One entry per experiment in every per-experiment argument, values in range; returns d."""
    count = len(depths)
    if count == 0:
        raise ValueError("depths=[] is invalid: train at least one experiment")
    if not measurements:
        raise ValueError("measurements=[] is invalid: give at least one dataset")
    named = [("targets", targets), ("inits", inits), ("step_sizes", step_sizes), ("record", record),
             ("datasets", datasets), ("samples", samples)] + ([("seeds", seeds)] if seeds is not None else []) + (
             [("levels", levels)] if levels is not None else [])
    for name, values in named:
        if len(values) != count:
            raise ValueError(f"{name} has {len(values)} entries, but there are {count} experiments (one per experiment)")
    if initialisation == "gaussian" and seeds is None:
        raise ValueError("seeds=None is invalid with initialisation='gaussian': give one seed per experiment")
    arguments.integer("top", top, 1, 1000)
    shape = np.shape(targets[0])
    size = shape[0] if len(shape) == 2 and shape[0] == shape[1] and shape[0] >= 1 else None
    if size is None:
        raise ValueError(f"targets[0] has shape {shape}: it must be a square d × d matrix")
    if top > size:
        raise ValueError(f"top={top} is invalid: W has only {size} singular values")
    for s, matrix in enumerate(measurements):
        rows = np.shape(matrix)
        if len(rows) != 2 or rows[0] < 1 or rows[1] != size * size:
            raise ValueError(f"measurements[{s}] has shape {rows}: it must be (n, d²) = (n, {size * size}) with n ≥ 1")
    for b in range(count):
        depth = arguments.depth(depths[b])
        if depth > MAX_DEPTH:
            raise ValueError(f"depths[{b}]={depth} is invalid: sensing training supports depth <= {MAX_DEPTH}")
        if np.shape(targets[b]) != (size, size) or not np.isfinite(np.asarray(targets[b], dtype=float)).all():
            raise ValueError(f"targets[{b}] is invalid: a finite {size} × {size} matrix, like targets[0]")
        dataset = arguments.integer("datasets", datasets[b], 0, len(measurements) - 1)
        arguments.integer("samples", samples[b], 1, np.shape(measurements[dataset])[0])
        arguments.positive("inits", inits[b])
        arguments.positive("step_sizes", step_sizes[b])
        if seeds is not None:
            arguments.integer("seeds", seeds[b], 0, 2**63 - 1)
        if not record[b]:
            raise ValueError(f"record[{b}] is invalid: a non-empty list of step counts in [0, 1e8]")
        for k in record[b]:
            arguments.integer("record", k, 0, 10**8)
        if levels is not None and len(levels[b]) > top:
            raise ValueError(f"levels[{b}] has {len(levels[b])} values, more than top={top} singular values")
    return size
