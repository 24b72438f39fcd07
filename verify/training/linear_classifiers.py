"""Batched gradient descent for linear and deep linear classifiers on the exponential or logistic loss
(docs/claims/vardi-classics.md §3–§4).

A network is a product of layers W_L ⋯ W_1 (W_1: m_1 × d, …, W_L: 1 × m_{L−1}); with no hidden ``widths`` it is
the linear predictor w (one 1 × d layer). The loss is the mean over the sample of ℓ(y_i⟨W_L⋯W_1, x_i⟩), ℓ(u) =
e^{−u} (``exponential``) or log(1 + e^{−u}) (``logistic``, computed as softplus(−u)).

Every experiment of a run trains in one tensor program: layer tensors with a leading batch dimension (all
experiments of a run share the widths; inputs are zero-padded to the largest d), the objective Σ_b η_b L_b
minimised by ``torch.optim.SGD`` with lr = 1, so that experiment b takes its own step η_b. Linear predictors start
at 0; deep layers at ``init``·N(0, 1) entries drawn from the experiment's ``seed`` (NumPy, float64).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from . import datasets
from .datasets import Data  # noqa: F401 - inputs (n × d) and labels ±1 as targets
from .placement import Placed, placed

LOSSES = ("exponential", "logistic")


@dataclass(frozen=True)
class Experiment:
    """One network: the index of its ``Data``, its ``loss``, step size, number of ``steps``, the step counts at which
    it is ``record``ed, and for a deep network the init scale and the ``seed`` of its Gaussian layers."""

    data: int
    loss: str
    step: float
    steps: int
    record: tuple
    init: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class Runs(Placed):
    """Per experiment b: ``predictors[b]`` (records × d) the end-to-end vector W_L⋯W_1 after each recorded step,
    ``layers[b]`` (for deep networks) a tuple over records of the layer matrices, ``losses[b]`` the loss there,
    ``movements[b]`` (records × layers) Σ_j ‖W_k(j+1) − W_k(j)‖_F² over the steps so far (the sum of squared
    steps, which bounds how far GD drifts from the flow's invariants), ``finite[b]`` no NaN or inf."""

    predictors: tuple
    layers: tuple
    losses: tuple
    movements: tuple


def train(experiments, data, *, widths=(), shape=None, device="auto", dtype="float64") -> Runs:
    """Train every experiment in one tensor program (all with the hidden ``widths``); ``shape``: the (n, d) the data
    sets are padded to (``datasets.padded``), by default the largest."""
    _validate(experiments, data, widths)
    with placed(device, dtype) as (kind, where):
        return _run(list(experiments), data, tuple(widths), shape, kind, where, dtype)


def _run(experiments, data, widths, shape, kind, where, dtype) -> Runs:
    count = len(experiments)
    inputs, signs = datasets.padded(experiments, data, shape)
    width, weights = inputs.shape[2], np.zeros(signs.shape)
    for b, e in enumerate(experiments):
        weights[b, : len(data[e.data].targets)] = 1.0 / len(data[e.data].targets)
    shapes = list(zip((1, *widths[::-1]), (*widths[::-1], width)))[::-1]  # (out, in) of W_1, …, W_L
    layers = []
    for out, into in shapes:
        start = np.zeros((count, out, into))
        if widths:
            for b, e in enumerate(experiments):
                # the first layer's own input width, not the batch's: padded inputs carry no weight, and an
                # experiment starts from the same weights whichever experiments train with it
                own = data[e.data].inputs.shape[1] if not layers else into
                start[b, :, :own] = e.init * np.random.default_rng([e.seed, len(layers)]).standard_normal((out, own))
        layers.append(torch.nn.Parameter(torch.tensor(start, dtype=kind, device=where)))
    x, s, w = (torch.tensor(a, dtype=kind, device=where) for a in (inputs, signs, weights))
    eta = torch.tensor([e.step for e in experiments], dtype=kind, device=where)
    limit = torch.tensor([e.steps for e in experiments], device=where)
    exponential = torch.tensor([e.loss == "exponential" for e in experiments], device=where)
    optimizer = torch.optim.SGD(layers, lr=1.0, foreach=False)
    marks = {}
    for b, e in enumerate(experiments):
        for r, k in enumerate(e.record):
            marks.setdefault(k, []).append((b, r))
    predictors = [np.full((len(e.record), data[e.data].inputs.shape[1]), np.nan) for e in experiments]
    kept = [[None] * len(e.record) for e in experiments]
    losses = [np.full(len(e.record), np.nan) for e in experiments]
    movements = [np.full((len(e.record), len(layers)), np.nan) for e in experiments]
    moved = torch.zeros(count, len(layers), dtype=kind, device=where)
    for k in range(max(e.steps for e in experiments) + 1):
        product = layers[-1]
        for layer in reversed(layers[:-1]):
            product = torch.bmm(product, layer)  # (count, 1, width)
        margins = s * torch.bmm(x, product.transpose(1, 2))[:, :, 0]
        loss = (w * torch.where(exponential[:, None], torch.exp(-margins),
                                torch.nn.functional.softplus(-margins))).sum(dim=1)
        if k in marks:
            with torch.no_grad():
                for b, r in marks[k]:
                    d = data[experiments[b].data].inputs.shape[1]
                    predictors[b][r] = product[b, 0, :d].cpu().numpy()
                    losses[b][r] = float(loss[b])
                    movements[b][r] = moved[b].cpu().numpy()
                    if widths:
                        kept[b][r] = tuple(layer[b].cpu().numpy().copy() for layer in layers)
        objective = (eta * (k < limit) * loss).sum()
        optimizer.zero_grad(set_to_none=True)
        objective.backward()
        with torch.no_grad():  # SGD with lr = 1 moves each layer by its gradient (η_b is inside the objective)
            moved += torch.stack([layer.grad.pow(2).sum(dim=(1, 2)) for layer in layers], dim=1)
        optimizer.step()
    finite = np.array([np.isfinite(p).all() and np.isfinite(l).all() for p, l in zip(predictors, losses)])
    return Runs(tuple(predictors), tuple(tuple(k) for k in kept), tuple(losses), tuple(movements),
                finite=finite, device=str(where), dtype=dtype)


def _validate(experiments, data, widths) -> None:
    datasets.validate(experiments, data, labels=True)
    for value in widths:
        arguments.integer("widths", value, 1, 10**4)
    for index, e in enumerate(experiments):
        if e.loss not in LOSSES:
            raise ValueError(f"experiments[{index}].loss={e.loss!r} is invalid: must be one of {', '.join(LOSSES)}")
        arguments.positive(f"experiments[{index}].step", e.step)
        arguments.integer(f"experiments[{index}].steps", e.steps, 0, 10**8)
        for k in e.record:
            arguments.integer(f"experiments[{index}].record", k, 0, e.steps)
        if widths:
            arguments.positive(f"experiments[{index}].init", e.init)
