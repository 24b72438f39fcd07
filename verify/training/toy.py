"""Batched gradient descent on the toy model: layered diagonal linear networks trained in torch.

Each case b is a depth-N_b network σ_i = ∏_j w_ij over its own coordinates, with balanced init
w_ij(0) = init_b^{1/N_b}, trained by plain gradient descent (``torch.optim.SGD``, no momentum) on the
plain ½ mean squared loss over inputs X whose empirical covariance XᵀX/n is exactly the identity (the
rows of a Hadamard matrix, without its constant column: entries ±1, mean zero). The empirical loss then
equals the population loss ½‖σ − σ*‖², so step k of GD with step size η follows the project flow at
time t = η k up to O(η).

All cases train together in one tensor program. Cases are grouped by depth, one parameter per depth of
shape (depth, columns), a column per coordinate of each case of that depth, so no layer or coordinate is
padded and every kernel runs over long contiguous rows; σ, coordinates × cases, has 0 where a case has fewer
coordinates than the widest. Case b's loss is scaled by its own step size η_b and SGD (``fused``: one kernel
updates all groups) runs with lr = 1, which is exactly gradient descent with per-case step sizes. The step
loop reads nothing back to the host: σ is written into a preallocated tensor at the scheduled steps and copied
to the host once at the end, and the layer products are one autograd node (``_Products``) whose gradient is
torch's own formula without its host-side test for zero factors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .datasets import padded_to
from .placement import Placed, placed

MAX_DEPTH = 64  # the depth limit of the toy model's torch training (numerics evaluate up to arguments.MAX_DEPTH)


@dataclass(frozen=True)
class Experiment:
    """One network of the toy model, trained by GD on its coordinates at once."""

    depth: int  # N: each coordinate is a product of N weights
    targets: tuple  # σ*, one per coordinate
    init: object  # σ_0, shared by the coordinates (balanced weights σ_0^(1/N))
    step: object  # the GD step size η
    record: tuple  # the step counts at which σ is recorded
    levels: tuple | None = None  # one level per target whose first crossing step is reported (None: none)


@dataclass(frozen=True)
class Trajectories(Placed):
    """σ of every case at its recorded step counts.

    ``sigma[b, r, i]`` is σ_i of case b after ``steps[b][r]`` steps (NaN for padded coordinates);
    ``finite[b]`` is False when case b produced NaN or inf (a diverged run); ``samples`` is the number
    of input rows n; ``crossings[b, i]`` is the first step at which σ_i ≥ ``levels[b][i]`` (−1: never
    within the run; all −1 when no levels were given).
    """

    steps: tuple
    sigma: np.ndarray
    samples: int
    crossings: np.ndarray


def isotropic_inputs(coordinates: int, dtype=torch.float64, device="cpu") -> torch.Tensor:
    """n × d inputs with XᵀX = n·I exactly: columns 1..d of a Sylvester–Hadamard matrix of order n."""
    n = 2
    while n < coordinates + 1:
        n *= 2
    h = np.ones((1, 1))
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return torch.tensor(h[:, 1 : coordinates + 1], dtype=dtype, device=device)


def train(experiments, *, width=None, device="auto", dtype="float64") -> Trajectories:
    """Train every experiment at once (one tensor program) and record σ at each one's ``record`` steps.

    ``width``: the coordinates of the inputs, at least the widest experiment's number of targets (the default). The
    inputs, and so the rounding of every experiment's steps, depend on it alone: a caller that trains experiments in
    batches passes the widest any batch can have, so that an experiment trains the same whichever batch it is in.
    """
    experiments = list(experiments)
    _validate(experiments)
    width = padded_to("width", width, max(len(e.targets) for e in experiments))
    levels = None
    if any(e.levels is not None for e in experiments):
        levels = [e.levels if e.levels is not None else () for e in experiments]
    with placed(device, dtype) as (kind, where):
        return _train([e.depth for e in experiments], [e.targets for e in experiments], [e.init for e in experiments],
                      [e.step for e in experiments], [e.record for e in experiments], levels, width, kind, where,
                      dtype)


def _train(depths, targets, inits, step_sizes, record, levels, width, kind, where, dtype) -> Trajectories:
    cases = len(depths)
    order = sorted(range(cases), key=lambda b: depths[b])  # cases of one depth lie together: no padded layers
    star = torch.tensor(_padded([targets[b] for b in order], width).T, dtype=kind, device=where)
    threshold = torch.tensor(_padded([levels[b] for b in order] if levels else [()] * cases, width, np.inf).T,
                             dtype=kind, device=where)
    first = torch.full((width, cases), -1, dtype=torch.long, device=where)
    lengths = np.array([len(targets[b]) for b in order])
    used = (torch.arange(width)[:, None] < torch.tensor(lengths)[None, :]).to(where)
    start = torch.tensor([float(inits[b]) ** (1.0 / depths[b]) for b in order], dtype=kind, device=where)
    # One column per (case, coordinate), case by case, so the columns of one depth lie together; its place in σ
    case_of = np.repeat(np.arange(cases), lengths)
    coordinate_of = np.arange(len(case_of)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    place = torch.tensor(coordinate_of * cases + case_of, device=where)
    sorted_depths = np.array([depths[b] for b in order])
    layers = sorted(set(depths))
    widths = [int(lengths[sorted_depths == n].sum()) for n in layers]
    columns = start[torch.tensor(case_of, device=where)].split(widths)
    weights = [torch.nn.Parameter(column.expand(n, -1).clone()) for n, column in zip(layers, columns)]
    inputs = isotropic_inputs(width, kind, where)
    labels = inputs @ star
    # ½ mean over the n inputs, scaled by each case's step size: SGD with lr = 1 is GD with per-case steps
    scale = torch.tensor([float(step_sizes[b]) for b in order], dtype=kind, device=where) / (2 * inputs.shape[0])
    optimizer = torch.optim.SGD(weights, lr=1.0, fused=True)

    schedule = _schedule([record[b] for b in order], where)
    slots = max(len(r) for r in record)
    stored = torch.full((cases, slots, width), float("nan"), dtype=kind, device=where)
    last = max(max(r) for r in record)
    for k in range(last + 1):
        sigma = _Products.apply(place, (width, cases), *weights)
        if k in schedule:
            which, slot = schedule[k]
            stored[which, slot] = sigma.detach().T[which]
        if levels is not None:
            first = torch.where((first < 0) & (sigma.detach() >= threshold), k, first)
        if k == last:
            break
        optimizer.zero_grad(set_to_none=True)
        # torch's squared error (X σ − y)², one column per case: one fused kernel each way
        (torch.nn.functional.mse_loss(inputs @ sigma, labels, reduction="none").sum(dim=0) @ scale).backward()
        optimizer.step()
    back = torch.tensor(np.argsort(order), device=where)  # sorted position of each case
    values = stored[back].masked_fill(~used.T[back, None, :], float("nan")).cpu().numpy().astype(np.float64)
    finite = np.array([np.isfinite(values[b][:, : len(targets[b])]).all() for b in range(cases)])
    return Trajectories(tuple(tuple(r) for r in record), values, inputs.shape[0], first.T[back].cpu().numpy(),
                        finite=finite, device=str(where), dtype=dtype)


class _Products(torch.autograd.Function):
    """σ (coordinates × cases) from the depth groups' weights (layers × columns, one column per case and coordinate
    of that depth): each column's product over its layers, put at its ``place`` in σ; coordinates a case does not
    have are 0.

    One node instead of a product per group, a concatenation and a mask, with the gradient torch's ``prod``
    backward computes when no factor is zero, ∂σ/∂w_j = ∏/w_j, to the same bits. What torch adds, a count of
    zero factors read back to the host at every step, is left out: a factor exactly 0 (never at the start,
    init > 0) gives 0/0 = NaN, and the run is reported as diverged rather than continued.
    """

    @staticmethod
    def forward(ctx, place, shape, *weights):
        products = [w.prod(dim=0) for w in weights]
        ctx.save_for_backward(place, *weights)
        ctx.products = products
        return products[0].new_zeros(shape[0] * shape[1]).index_copy_(0, place, torch.cat(products)).view(shape)

    @staticmethod
    def backward(ctx, grad):
        place, *weights = ctx.saved_tensors
        pieces = grad.reshape(-1).index_select(0, place).split([len(p) for p in ctx.products])
        return None, None, *((p / w).mul_(g) for g, p, w in zip(pieces, ctx.products, weights))  # g·(∏/w), one buffer


def _validate(experiments) -> None:
    """Depths, targets, inits, steps and records in range; the message names the experiment and the field."""
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one experiment")
    for b, e in enumerate(experiments):
        depth = arguments.depth(e.depth)
        stars = [arguments.positive("targets", value) for value in e.targets]
        if not stars:
            raise ValueError(f"experiments[{b}].targets=() is invalid: each experiment needs at least one target")
        if not 0 < arguments.positive("init", e.init) < min(stars):
            raise ValueError(f"experiments[{b}].init={e.init!r} is invalid: must be in (0, smallest target)")
        arguments.positive("step", e.step)
        arguments.step_counts(f"experiments[{b}].record", e.record)
        if e.levels is not None and len(e.levels) != len(e.targets):
            raise ValueError(f"experiments[{b}].levels has {len(e.levels)} entries: one per target is needed")
        if depth > MAX_DEPTH:
            raise ValueError(f"experiments[{b}].depth={depth} is invalid: torch training supports depth <= {MAX_DEPTH}")


def _padded(rows, width: int, fill: float = 0.0) -> np.ndarray:
    table = np.full((len(rows), width), fill)
    for b, values in enumerate(rows):
        table[b, : len(values)] = [float(v) for v in values]
    return table


def _schedule(record, device) -> dict:
    """step count → (case indices, slot indices) of the recordings due at that step."""
    due: dict = {}
    for case, steps in enumerate(record):
        for slot, step in enumerate(steps):
            due.setdefault(int(step), ([], []))
            due[int(step)][0].append(case)
            due[int(step)][1].append(slot)
    return {k: (torch.tensor(c, device=device), torch.tensor(s, device=device)) for k, (c, s) in due.items()}
