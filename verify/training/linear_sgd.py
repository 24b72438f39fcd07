"""Batched SGD on the square loss of a linear predictor, one sample per step (docs/claims/increasing-complexity.md §2).

Experiment b has data (X_b, y_b) and starts at w_b(0). Step k picks a sample i uniformly at random (NumPy PCG64
seeded with the experiment's ``seed``) and takes a plain ``torch.optim.SGD`` step on ½(x_iᵀw − y_i)²/‖x_i‖², i.e.
SGD on the square loss with the per-sample step size 1/‖x_i‖² (randomised Kaczmarz), which reaches the interpolant
closest to w(0) at a linear rate in expectation.

All experiments train in one tensor program: data zero-padded to the largest n and d (a padded coordinate has a zero
input, hence a zero gradient, and stays 0), per-experiment sample indices gathered in one indexing operation, the
losses summed (each experiment's parameters receive only their own gradient).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from . import datasets
from .datasets import Data  # noqa: F401 - the same data record as full-batch regression
from .placement import Placed, placed


@dataclass(frozen=True)
class Experiment:
    """One run of SGD on a linear model."""

    data: int  # which data set of the ``data`` list ``train`` is given
    init: tuple  # w at step 0 (d values)
    steps: int  # SGD steps, one sample each
    seed: int  # the seed of the samples' order
    record: tuple = ()  # the step counts after which w is recorded


@dataclass(frozen=True)
class Runs(Placed):
    """Per experiment b: ``final[b]`` (d) after its steps, ``recorded[b]`` (records × d), ``finite[b]``."""

    final: tuple
    recorded: tuple


def train(experiments, data, *, shape=None, device="auto", dtype="float64") -> Runs:
    """``shape``: the (n, d) the data sets are padded to (``datasets.padded``), by default the largest."""
    _validate(experiments, data)
    with placed(device, dtype) as (kind, where):
        return _train(list(experiments), list(data), shape, kind, where, dtype)


def _train(experiments, data, shape, kind, where, dtype) -> Runs:
    count = len(experiments)
    inputs, targets = datasets.padded(experiments, data, shape)
    start = np.zeros((count, inputs.shape[2]))
    for b, e in enumerate(experiments):
        start[b, : len(e.init)] = e.init
    longest = max(e.steps for e in experiments)
    picks = np.zeros((count, longest), dtype=np.int64)
    for b, e in enumerate(experiments):
        picks[b, : e.steps] = np.random.default_rng([e.seed, 2]).integers(data[e.data].inputs.shape[0], size=e.steps)
    x = torch.tensor(inputs, dtype=kind, device=where)
    y = torch.tensor(targets, dtype=kind, device=where)
    squared = (x * x).sum(dim=2).clamp_min(torch.finfo(kind).tiny)  # padded rows are never picked
    chosen = torch.tensor(picks, device=where)
    moving = torch.tensor([[k < e.steps for k in range(longest)] for e in experiments], dtype=kind, device=where)
    weights = torch.nn.Parameter(torch.tensor(start, dtype=kind, device=where))
    optimizer = torch.optim.SGD([weights], lr=1.0)
    every = torch.arange(count, device=where)
    marks = {}
    for b, e in enumerate(experiments):
        for r, k in enumerate(e.record):
            marks.setdefault(int(k), []).append((b, r))
    recorded = [np.full((len(e.record), data[e.data].inputs.shape[1]), np.nan) for e in experiments]
    for k in range(longest + 1):
        for b, r in marks.get(k, []):
            recorded[b][r] = weights.detach()[b, : data[experiments[b].data].inputs.shape[1]].cpu().numpy()
        if k == longest:
            break
        i = chosen[:, k]
        residual = (x[every, i] * weights).sum(dim=1) - y[every, i]
        loss = (moving[:, k] * residual.pow(2) / (2 * squared[every, i])).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    out = weights.detach().cpu().numpy().astype(np.float64)
    final = tuple(out[b, : data[e.data].inputs.shape[1]] for b, e in enumerate(experiments))
    finite = np.array([bool(np.isfinite(f).all()) for f in final])
    return Runs(final, tuple(recorded), finite=finite, device=str(where), dtype=dtype)


def _validate(experiments, data) -> None:
    datasets.validate(experiments, data)
    for index, item in enumerate(data):
        if (np.sum(np.asarray(item.inputs) ** 2, axis=1) == 0).any():
            raise ValueError(f"data[{index}] is invalid: an input row is zero (its step size 1/‖x‖² is undefined)")
    for index, e in enumerate(experiments):
        arguments.integer(f"experiments[{index}].steps", e.steps, 1, 10**7)
        arguments.integer(f"experiments[{index}].seed", e.seed, 0, 2**63 - 1)
        if len(e.init) != data[e.data].inputs.shape[1]:
            raise ValueError(f"experiments[{index}].init has {len(e.init)} values: must be d = "
                             f"{data[e.data].inputs.shape[1]}")
        for k in e.record:
            arguments.integer(f"experiments[{index}].record", k, 0, e.steps)
