"""Batched gradient descent on deep matrix sensing: W = W_1 W_2 ⋯ W_N trained in torch.

Each experiment b has its own initial layers (hence its depth N_b), target W*_b, step size η_b and the first n_b
rows of one of the datasets of measurements A_k (flattened d × d matrices). Its loss is

    ℓ_b(W) = ½ · mean_k (⟨A_bk, W⟩ − y_bk)²,   y_bk = ⟨A_bk, W*_b⟩,

whose population version under Gaussian A is ½‖W − W*‖²_F (E⟨A, Δ⟩² = ‖Δ‖²_F, derived in
``theory.sensing``). On the layered product with this plain ½ loss, step k of gradient descent with
step size η is the project's gradient flow at time t = η k, up to O(η) (the same convention as
``verify.training.toy``): aligned singular values follow dσ/dt = N σ^{2−2/N}(σ* − σ).

Experiments train in one tensor program: factors of shape (experiments, max depth, d, d), the layers beyond
an experiment's depth held at the identity. Measurements come as datasets shared by experiments: a step reads
each dataset once and multiplies it with the stacked W of all its experiments. A 1500 × 2500 dataset is 30 MB,
and a step costs about one pass over it per matrix-vector product, so batching pays through the sharing: with a
private copy per experiment (the plain (experiments, n, d²) layout, which one dataset per experiment gives) a
batch is no faster than a loop on a 2-core CPU (``benchmarks/batched_sensing.py``). Experiments on different
datasets share nothing: when there are large datasets, the datasets are split between programs that run at once,
one per CPU core, each computing exactly what it computes alone (the sensing claim's default run: 2.2× faster
than one program, the same bits).

Data and initial layers are made in NumPy by ``numerics.sensing_data``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch

from numerics import arguments

from .placement import Placed, Stopped, balanced, concurrently, lanes, placed

MAX_DEPTH = 16  # the depth limit of matrix-sensing training: N d × d layers per experiment and step
# Datasets of this many numbers or more have programs of their own, run at once. A chosen constant: where a step's
# products read ~2 MB or more their kernels (GIL released) outlast the Python that issues a step's ops (GIL held);
# programs of small datasets only contend for the GIL (nuclear-norm's 12 tiny datasets in two threads: 1.5× slower).
LARGE_DATASET = 1 << 18


@dataclass(frozen=True, eq=False)
class Experiment:
    """One network: its initial ``factors`` (the layers W_1..W_N, shape (N, d, d)), its ``target`` W* (d × d),
    the index of its ``dataset`` and the number of its first rows it uses (``samples``; None: all), the GD
    ``step`` size, the step counts at which singular values are ``record``ed (it trains to the largest), and
    optionally ``levels``: the first step at which each of the largest singular values reaches its level is
    reported (checked at every step)."""

    factors: np.ndarray
    target: np.ndarray
    dataset: int
    step: object
    record: tuple
    samples: int | None = None
    levels: tuple = ()

    @property
    def depth(self) -> int:
        return len(self.factors)


@dataclass(frozen=True)
class Runs(Placed):
    """What training recorded, per experiment b (in the order given to ``train``).

    ``singular[b, r]`` holds the ``top`` largest singular values of W after ``steps[b][r]`` steps (NaN
    where b recorded fewer steps); ``crossings[b, i]`` is the first step at which the i-th largest
    singular value was ≥ b's i-th level (−1: never, or no level); ``initial[b]`` and ``final[b]`` are W at
    step 0 and at b's last recorded step; ``loss[b]`` is ℓ_b there; ``finite[b]`` is False when b produced
    NaN or inf.
    """

    steps: tuple
    singular: np.ndarray
    crossings: np.ndarray
    initial: np.ndarray
    final: np.ndarray
    loss: np.ndarray


def train(experiments, datasets, *, top=5, device="auto", dtype="float64") -> Runs:
    """Train every experiment and record the ``top`` singular values at its ``record`` steps.

    ``datasets`` is a list of (n_s, d²) arrays of flattened measurement matrices; experiments that share a
    dataset train in one tensor program, reading it once per step. With ``LARGE_DATASET`` or larger datasets, the
    datasets are split between up to one program per CPU core, balanced by the rows read over the training, and
    the programs run at once (``placement.concurrently``).
    """
    experiments = list(experiments)
    size = _validate(experiments, datasets, top)
    samples = [np.shape(datasets[e.dataset])[0] if e.samples is None else e.samples for e in experiments]
    order = sorted(range(len(experiments)), key=lambda b: -max(experiments[b].record))  # longest first
    # a step reads the rows its experiments use of each dataset, for as many steps as the longest takes
    costs = {s: max(samples[b] * max(experiments[b].record) for b in order if experiments[b].dataset == s)
             for s in sorted({e.dataset for e in experiments})}
    slots = max(len(e.record) for e in experiments)
    with placed(device, dtype) as (kind, where):
        tensors = {s: torch.as_tensor(np.asarray(datasets[s], dtype=np.float64), dtype=kind).to(where) for s in costs}
        large = sum(np.size(datasets[s]) >= LARGE_DATASET for s in costs)
        groups = [[b for b in order if experiments[b].dataset in part]
                  for part in balanced(costs, max(1, min(lanes(where), large)))]
        parts = concurrently([partial(_train, [experiments[b] for b in group], tensors, [samples[b] for b in group],
                                      top, size, kind, where) for group in groups], where)
    singular = np.full((len(experiments), slots, top), np.nan)
    crossings = np.full((len(experiments), top), -1)
    initial, final = (np.full((len(experiments), size, size), np.nan) for _ in range(2))
    loss, finite = np.full(len(experiments), np.nan), np.zeros(len(experiments), dtype=bool)
    for group, (group_singular, *arrays) in zip(groups, parts):
        singular[group, : group_singular.shape[1]] = group_singular
        for whole, array in zip((crossings, initial, final, loss, finite), arrays):
            whole[group] = array
    return Runs(tuple(tuple(int(k) for k in e.record) for e in experiments), singular, crossings, initial, final,
                loss, finite=finite, device=str(where), dtype=dtype)


def _train(experiments, measurements, samples, top, size, torch_dtype, where, stopping):
    """The training loop, experiments ordered longest first: at step k the first ``live`` experiments are
    recorded or stepped and the first ``moving`` of them are stepped, so every tensor op works on a prefix.
    ``measurements`` maps a dataset's index to its tensor; the loop ends early, by ``Stopped``, once ``stopping`` is
    set (``placement.concurrently``)."""
    count, area = len(experiments), size * size
    depths, datasets = [e.depth for e in experiments], [e.dataset for e in experiments]
    record = [e.record for e in experiments]
    deepest = max(depths)
    star = torch.as_tensor(np.stack([np.asarray(e.target, dtype=np.float64).reshape(area) for e in experiments]),
                           dtype=torch_dtype, device=where)
    longest = max(samples)
    # mask[b, k] = 1 for the n_b rows experiment b uses; labels y = A w*, zero beyond n_b
    mask = (torch.arange(longest, device=where)[None, :] < torch.tensor(samples, device=where)[:, None]).to(torch_dtype)
    labels = torch.zeros((count, longest), dtype=torch_dtype, device=where)
    for b in range(count):
        labels[b, : samples[b]] = measurements[datasets[b]][: samples[b]] @ star[b]
    divisor = torch.tensor([float(n) for n in samples], dtype=torch_dtype, device=where)
    eta = torch.tensor([float(e.step) for e in experiments], dtype=torch_dtype, device=where)
    ends = [max(r) for r in record]
    used = torch.arange(deepest, device=where)[None, :] < torch.tensor(depths, device=where)[:, None]
    eye = torch.eye(size, dtype=torch_dtype, device=where)
    factors = torch.nn.Parameter(_initial_factors(experiments, size, deepest, torch_dtype).to(where))
    optimizer = torch.optim.SGD([factors], lr=1.0, fused=True)
    wanted = torch.full((count, top), math.inf, dtype=torch_dtype, device=where)
    for b, e in enumerate(experiments):
        if e.levels:
            wanted[b, : len(e.levels)] = torch.tensor([float(v) for v in e.levels], dtype=torch_dtype)
    pending = [bool(e.levels) for e in experiments]  # levels not all crossed yet
    first = torch.full((count, top), -1, dtype=torch.long, device=where)
    stored = torch.full((count, max(len(r) for r in record), top), math.nan, dtype=torch_dtype, device=where)
    final = torch.full((count, size, size), math.nan, dtype=torch_dtype, device=where)
    loss_at_end = torch.full((count,), math.nan, dtype=torch_dtype, device=where)
    schedule, blocks = _schedule(record), {}

    def block(live):
        """Per dataset, for the first ``live`` experiments: their positions, rows read, masks and labels."""
        if live not in blocks:
            blocks[live] = []
            for dataset, matrix in measurements.items():
                members = [b for b in range(live) if datasets[b] == dataset]
                if members:
                    rows, at = max(samples[b] for b in members), torch.tensor(members, device=where)
                    blocks[live].append((at, matrix[:rows].T, mask[at, :rows], labels[at, :rows]))
        return blocks[live]

    initial = None
    for k in range(ends[0] + 1):
        if stopping.is_set():
            raise Stopped(f"stopped at step {k} of {ends[0]}")
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


def _initial_factors(experiments, size, deepest, torch_dtype) -> torch.Tensor:
    """(experiments, max depth, d, d): each experiment's N_b factors, then identity layers."""
    factors = torch.eye(size, dtype=torch_dtype).repeat(len(experiments), deepest, 1, 1)
    for b, e in enumerate(experiments):
        factors[b, : e.depth] = torch.as_tensor(np.asarray(e.factors, dtype=np.float64), dtype=torch_dtype)
    return factors


def _schedule(record) -> dict:
    """step count → {experiment: slot} of the recordings due at that step."""
    due: dict = {}
    for b, steps in enumerate(record):
        for slot, step in enumerate(steps):
            due.setdefault(int(step), {})[b] = slot
    return due


def _validate(experiments, measurements, top) -> int:
    """Every experiment's fields in range, the message naming the experiment and the field; returns d."""
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one experiment")
    if not measurements:
        raise ValueError("datasets=[] is invalid: give at least one dataset of measurements")
    arguments.integer("top", top, 1, 1000)
    shape = np.shape(experiments[0].target)
    size = shape[0] if len(shape) == 2 and shape[0] == shape[1] and shape[0] >= 1 else None
    if size is None:
        raise ValueError(f"experiments[0].target has shape {shape}: it must be a square d × d matrix")
    if top > size:
        raise ValueError(f"top={top} is invalid: W has only {size} singular values")
    for s, matrix in enumerate(measurements):
        rows = np.shape(matrix)
        if len(rows) != 2 or rows[0] < 1 or rows[1] != size * size:
            raise ValueError(f"datasets[{s}] has shape {rows}: it must be (n, d²) = (n, {size * size}) with n ≥ 1")
    for b, e in enumerate(experiments):
        factors = np.shape(e.factors)
        if len(factors) != 3 or factors[1:] != (size, size) or not 1 <= factors[0] <= MAX_DEPTH:
            raise ValueError(f"experiments[{b}].factors has shape {factors}: it must be (N, {size}, {size}) with "
                             f"1 <= N <= {MAX_DEPTH}")
        if not np.isfinite(np.asarray(e.factors, dtype=float)).all():
            raise ValueError(f"experiments[{b}].factors is invalid: the initial layers must be finite")
        if np.shape(e.target) != (size, size) or not np.isfinite(np.asarray(e.target, dtype=float)).all():
            raise ValueError(f"experiments[{b}].target is invalid: a finite {size} × {size} matrix, like "
                             "experiments[0]'s")
        dataset = arguments.integer("dataset", e.dataset, 0, len(measurements) - 1)
        if e.samples is not None:
            arguments.integer("samples", e.samples, 1, np.shape(measurements[dataset])[0])
        arguments.positive("step", e.step)
        if not e.record:
            raise ValueError(f"experiments[{b}].record is invalid: a non-empty list of step counts in [0, 1e8]")
        for k in e.record:
            arguments.integer("record", k, 0, 10**8)
        if len(e.levels) > top:
            raise ValueError(f"experiments[{b}].levels has {len(e.levels)} values, more than top={top} singular values")
    return size
