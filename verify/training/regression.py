"""Batched gradient descent on under-determined linear regression, ½‖Xβ − y‖², for two parameterisations of the
predictor β (docs/claims/vardi-classics.md):

* ``linear``: β = w, from w(0) = ``init`` (§1, GD converges to the interpolant closest to the init);
* ``diagonal``: β = u⊙u − v⊙v, from u(0) = v(0) = ``scale``·1 (§2, Woodworth et al.'s model; β(0) = 0).

Every experiment of a run trains in one tensor program: data zero-padded to the largest n and d (padded
coordinates get zero gradient and stay where they start), the objective Σ_b η_b ½‖X_b β_b − y_b‖² minimised by
``torch.optim.SGD`` with lr = 1, so that experiment b takes its own step η_b. An experiment stops (its weight
becomes 0) after its ``steps``, once ‖X_b β_b − y_b‖ ≤ its ``tolerance``, or when its loss is not finite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from . import datasets
from .datasets import Data  # noqa: F401 - the data record of every regression trainer
from .placement import Placed, placed

MODELS = ("linear", "diagonal")


@dataclass(frozen=True)
class Experiment:
    """One run: the index of its ``Data``, step size η, at most ``steps`` steps, ``init`` w(0) (linear; empty: 0)
    or ``scale`` α (diagonal), the residual ``tolerance`` at which it stops (0: never early), and the step
    counts at which β is ``record``ed."""

    data: int
    step: float
    steps: int
    init: tuple = ()
    scale: float = 1.0
    tolerance: float = 0.0
    record: tuple = ()


@dataclass(frozen=True)
class Runs(Placed):
    """Per experiment b: ``recorded[b]`` (records × d) β after each of its ``record`` steps (the last β for
    records after it stopped), ``residuals[b]`` ‖Xβ − y‖ there, ``final[b]`` β where it stopped after
    ``stopped[b]`` steps, with residual ``final_residual[b]``; ``finite[b]``: no NaN or inf."""

    recorded: tuple
    residuals: tuple
    final: tuple
    final_residual: np.ndarray
    stopped: np.ndarray


def train(model: str, experiments, data, *, device="auto", dtype="float64") -> Runs:
    """Train every experiment in one tensor program."""
    _validate(model, experiments, data)
    with placed(device, dtype) as (kind, where):
        return _run(model, list(experiments), data, kind, where, dtype)


def _run(model, experiments, data, kind, where, dtype) -> Runs:
    count = len(experiments)
    inputs, targets = datasets.padded(experiments, data)
    start = np.zeros((count, inputs.shape[2]))
    for b, e in enumerate(experiments):
        width = data[e.data].inputs.shape[1]
        start[b, :width] = e.init if model == "linear" and len(e.init) else (e.scale if model == "diagonal" else 0)
    x, y = (torch.tensor(a, dtype=kind, device=where) for a in (inputs, targets))
    parameters = [torch.nn.Parameter(torch.tensor(start, dtype=kind, device=where))]
    if model == "diagonal":
        parameters.append(torch.nn.Parameter(torch.tensor(start, dtype=kind, device=where)))
    optimizer = torch.optim.SGD(parameters, lr=1.0, foreach=False)  # the per-tensor loop is faster for these sizes
    eta = torch.tensor([e.step for e in experiments], dtype=kind, device=where)
    limit = torch.tensor([e.steps for e in experiments], device=where)
    tolerance = torch.tensor([e.tolerance for e in experiments], dtype=kind, device=where)
    marks = {}
    for b, e in enumerate(experiments):
        for r, k in enumerate(e.record):
            marks.setdefault(k, []).append((b, r))
    recorded = [np.full((len(e.record), data[e.data].inputs.shape[1]), np.nan) for e in experiments]
    residuals = [np.full(len(e.record), np.nan) for e in experiments]
    active = torch.ones(count, dtype=torch.bool, device=where)
    stopped = torch.zeros(count, dtype=torch.long, device=where)
    last = max(e.steps for e in experiments)
    for k in range(last + 1):
        beta = parameters[0] if model == "linear" else parameters[0] ** 2 - parameters[1] ** 2
        residual = torch.bmm(x, beta[:, :, None])[:, :, 0] - y
        with torch.no_grad():
            size = residual.norm(dim=1)
            done = active & ((k >= limit) | (size <= tolerance) | ~torch.isfinite(size))
            stopped = torch.where(done, k, stopped)
            active &= ~done
            if k in marks:
                _keep(marks[k], beta, size, recorded, residuals, experiments, data)
        if k == last or (k % 64 == 0 and not bool(active.any())):
            break
        loss = 0.5 * (eta * active * residual.pow(2).sum(dim=1)).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    beta, size = beta.detach(), size.detach()
    for later in (mark for mark in marks if mark > k):  # every experiment had stopped: β stays where it is
        _keep(marks[later], beta, size, recorded, residuals, experiments, data)
    sizes = [data[e.data].inputs.shape[1] for e in experiments]
    out = beta.cpu().numpy()
    final = tuple(out[b, : sizes[b]] for b in range(count))
    finite = np.array([np.isfinite(f).all() and np.isfinite(float(size[b])) for b, f in enumerate(final)])
    return Runs(tuple(recorded), tuple(residuals), final, size.cpu().numpy(), stopped.cpu().numpy(),
                finite=finite, device=str(where), dtype=dtype)


def _keep(marks, beta, size, recorded, residuals, experiments, data) -> None:
    for b, r in marks:
        width = data[experiments[b].data].inputs.shape[1]
        recorded[b][r] = beta[b, :width].detach().cpu().numpy()
        residuals[b][r] = float(size[b])


def _validate(model, experiments, data) -> None:
    """Named errors for every argument out of range."""
    if model not in MODELS:
        raise ValueError(f"model={model!r} is invalid: must be one of {', '.join(MODELS)}")
    datasets.validate(experiments, data)
    for index, e in enumerate(experiments):
        arguments.positive(f"experiments[{index}].step", e.step)
        arguments.integer(f"experiments[{index}].steps", e.steps, 0, 10**8)
        arguments.nonnegative(f"experiments[{index}].tolerance", e.tolerance)
        for k in e.record:
            arguments.integer(f"experiments[{index}].record", k, 0, 10**8)
        width = data[e.data].inputs.shape[1]
        if model == "linear" and len(e.init) not in (0, width):
            raise ValueError(f"experiments[{index}].init has {len(e.init)} values: must be empty or {width} (one per "
                             "input coordinate)")
        if model == "diagonal":
            arguments.positive(f"experiments[{index}].scale", e.scale)
