"""Batched gradient descent on the toy model: layered diagonal linear networks trained in torch.

Each case b is a depth-N_b network σ_i = ∏_j w_ij over its own coordinates, with balanced init
w_ij(0) = init_b^{1/N_b}, trained by plain gradient descent (``torch.optim.SGD``, no momentum) on the
plain ½ mean squared loss over inputs X whose empirical covariance XᵀX/n is exactly the identity (the
rows of a Hadamard matrix, without its constant column: entries ±1, mean zero). The empirical loss then
equals the population loss ½‖σ − σ*‖², so step k of GD with step size η follows the project flow at
time t = η k up to O(η).

All cases train together in one tensor program: parameters of shape (cases, max depth, max
coordinates), with padded layers held at 1 and padded coordinates masked out. Case b's loss is scaled
by its own step size η_b and SGD runs with lr = 1, which is exactly gradient descent with per-case
step sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import one_thread_on_cpu, select_device, torch_dtype



@dataclass(frozen=True)
class Trajectories:
    """σ of every case at its recorded step counts.

    ``sigma[b, r, i]`` is σ_i of case b after ``steps[b][r]`` steps (NaN for padded coordinates);
    ``finite[b]`` is False when case b produced NaN or inf (a diverged run); ``samples`` is the number
    of input rows n; ``crossings[b, i]`` is the first step at which σ_i ≥ ``levels[b][i]`` (−1: never
    within the run; all −1 when no levels were given).
    """

    steps: tuple
    sigma: np.ndarray
    finite: np.ndarray
    device: str
    dtype: str
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


def train(depths, targets, inits, step_sizes, record, *, levels=None, device="auto", dtype="float64") -> Trajectories:
    """Train every case at once and record σ at the step counts ``record[b]`` of each case b.

    ``targets[b]`` is the tuple of targets of case b; ``inits``, ``step_sizes`` are per case; ``levels[b]``
    (optional) holds one level per coordinate whose first crossing step is reported.
    """
    kind = torch_dtype(dtype)
    _validate(depths, targets, inits, step_sizes, record, levels)
    where = select_device(device)
    with one_thread_on_cpu(where):
        return _train(depths, targets, inits, step_sizes, record, levels, kind, where, dtype)


def _train(depths, targets, inits, step_sizes, record, levels, kind, where, dtype) -> Trajectories:
    cases = len(depths)
    width = max(len(t) for t in targets)
    deepest = max(depths)
    depth = torch.tensor(depths, device=where)
    star = torch.tensor(_padded(targets, width), dtype=kind, device=where)
    threshold = torch.tensor(_padded(levels or [()] * cases, width, np.inf), dtype=kind, device=where)
    first = torch.full((cases, width), -1, dtype=torch.long, device=where)
    used = torch.arange(width, device=where)[None, :] < torch.tensor([len(t) for t in targets], device=where)[:, None]
    layer_used = torch.arange(deepest, device=where)[None, :] < depth[:, None]
    start = torch.tensor([float(s) ** (1.0 / n) for s, n in zip(inits, depths)], dtype=kind, device=where)
    weights = torch.nn.Parameter(start[:, None, None].expand(cases, deepest, width).clone())
    eta = torch.tensor([float(h) for h in step_sizes], dtype=kind, device=where)
    inputs = isotropic_inputs(width, kind, where)
    labels = star @ inputs.T
    optimizer = torch.optim.SGD([weights], lr=1.0)

    schedule = _schedule(record, where)
    slots = max(len(r) for r in record)
    stored = torch.full((cases, slots, width), float("nan"), dtype=kind, device=where)
    last = max(max(r) for r in record)
    for k in range(last + 1):
        sigma = torch.where(layer_used[:, :, None], weights, torch.ones((), dtype=kind, device=where))
        sigma = sigma.prod(dim=1) * used
        if k in schedule:
            which, slot = schedule[k]
            stored[which, slot] = sigma.detach()[which]
        if levels is not None:
            first = torch.where((first < 0) & (sigma.detach() >= threshold), k, first)
        if k == last:
            break
        residual = sigma @ inputs.T - labels
        loss = 0.5 * residual.pow(2).mean(dim=1)
        optimizer.zero_grad(set_to_none=True)
        (loss * eta).sum().backward()
        optimizer.step()
    values = stored.masked_fill(~used[:, None, :], float("nan")).cpu().numpy().astype(np.float64)
    finite = np.array([np.isfinite(values[b][:, : len(targets[b])]).all() for b in range(cases)])
    return Trajectories(tuple(tuple(r) for r in record), values, finite, str(where), dtype, inputs.shape[0],
                        first.cpu().numpy())


def _validate(depths, targets, inits, step_sizes, record, levels) -> None:
    """One case per entry of every per-case argument; depths, targets, inits and steps in range."""
    cases = len(depths)
    if cases == 0:
        raise ValueError("depths=[] is invalid: train at least one case")
    for name, values in (("targets", targets), ("inits", inits), ("step_sizes", step_sizes), ("record", record)) + (
            (("levels", levels),) if levels is not None else ()):
        if len(values) != cases:
            raise ValueError(f"{name} has {len(values)} entries, but there are {cases} cases (one per case)")
    for b in range(cases):
        depth = arguments.depth(depths[b])
        stars = [arguments.positive("targets", value) for value in targets[b]]
        if not stars:
            raise ValueError(f"targets[{b}]=() is invalid: each case needs at least one target")
        if not 0 < arguments.positive("inits", inits[b]) < min(stars):
            raise ValueError(f"inits[{b}]={inits[b]!r} is invalid: must be in (0, smallest target)")
        arguments.positive("step_sizes", step_sizes[b])
        if not record[b]:
            raise ValueError(f"record[{b}] is invalid: a non-empty list of step counts in [0, 1e8]")
        for k in record[b]:
            arguments.integer("record", k, 0, 10**8)
        if depth > 64:
            raise ValueError(f"depths[{b}]={depth} is invalid: torch training supports depth <= 64")


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
