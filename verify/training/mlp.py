"""Batched mini-batch SGD on one-hidden-layer ReLU networks with the logistic loss
(docs/claims/increasing-complexity.md §3).

Network b: f_b(x) = v_bᵀ relu(W_b x + c_b) + e_b on inputs in ℝ^p, ``hidden`` units, He-normal W (std √(2/p)),
v He-normal scaled by ``output_scale``, zero biases; loss log(1 + exp(−y f(x))) averaged over a mini-batch;
``torch.optim.SGD`` (no momentum) with the experiment's learning rate. Each epoch visits the training set in a
fresh random order (NumPy PCG64 seeded with the experiment's ``seed``), in consecutive batches of ``batch``
(the last partial batch of an epoch is dropped).

All networks train in one tensor program: parameters stacked on a leading axis, every network its own data set
(padded to the largest), batches gathered per network, losses summed (each network receives only its own
gradient). At the recorded steps every network's outputs f_b(x) on its test inputs are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import Placed, placed


@dataclass(frozen=True)
class Data:
    """Training inputs (n × p) with ±1 labels, and test inputs (m × p)."""

    train_inputs: np.ndarray
    train_labels: np.ndarray
    test_inputs: np.ndarray


@dataclass(frozen=True)
class Experiment:
    data: int
    seed: int
    steps: int
    record: tuple
    learning_rate: float = 0.2
    batch: int = 32
    hidden: int = 100
    output_scale: float = 0.1


@dataclass(frozen=True)
class Runs(Placed):
    """``outputs[b]``: (len(record_b), m_b) network outputs f_b(x) on b's test inputs after each recorded step;
    ``finite[b]``: no NaN or inf in b's parameters."""

    outputs: tuple


def train(experiments, data, *, device="auto", dtype="float64") -> Runs:
    experiments, data = list(experiments), list(data)
    _validate(experiments, data)
    with placed(device, dtype) as (kind, where):
        return _train(experiments, data, kind, where, dtype)


def _train(experiments, data, kind, where, dtype) -> Runs:
    count = len(experiments)
    width = max(e.hidden for e in experiments)
    dimension = data[0].train_inputs.shape[1]
    rows = max(data[e.data].train_inputs.shape[0] for e in experiments)
    tests = max(data[e.data].test_inputs.shape[0] for e in experiments)
    inputs, targets = np.zeros((count, rows, dimension)), np.zeros((count, rows))
    test = np.zeros((count, tests, dimension))
    first, second = np.zeros((count, dimension, width)), np.zeros((count, width, 1))
    for b, e in enumerate(experiments):
        item = data[e.data]
        n = item.train_inputs.shape[0]
        inputs[b, :n], targets[b, :n] = item.train_inputs, item.train_labels
        test[b, : item.test_inputs.shape[0]] = item.test_inputs
        rng = np.random.default_rng([e.seed, 0])
        first[b, :, : e.hidden] = rng.standard_normal((dimension, e.hidden)) * math.sqrt(2 / dimension)
        second[b, : e.hidden, 0] = rng.standard_normal(e.hidden) * math.sqrt(2 / e.hidden) * e.output_scale
    longest = max(e.steps for e in experiments)
    batch = max(e.batch for e in experiments)
    order = np.zeros((count, longest, batch), dtype=np.int64)  # sample indices of every step of every network
    for b, e in enumerate(experiments):
        n = data[e.data].train_inputs.shape[0]
        per_epoch = n // e.batch
        rng = np.random.default_rng([e.seed, 1])
        epochs = [rng.permutation(n)[: per_epoch * e.batch].reshape(per_epoch, e.batch)
                  for _ in range(math.ceil(e.steps / per_epoch))]
        order[b, :, : e.batch] = np.concatenate(epochs)[: e.steps].reshape(e.steps, e.batch) if e.steps else 0
    # every step's batch gathered once, and its loss weights (learning rate / batch size; 0 after a network's last
    # step or beyond its batch size) precomputed: a step is then one forward and one backward pass
    points = torch.tensor(np.take_along_axis(inputs[:, None], order[..., None], axis=2), dtype=kind, device=where)
    labels = torch.tensor(np.take_along_axis(targets[:, None], order, axis=2), dtype=kind, device=where)
    scale = np.zeros((count, longest, batch))
    for b, e in enumerate(experiments):
        scale[b, : e.steps, : e.batch] = e.learning_rate / e.batch
    scale = torch.tensor(scale, dtype=kind, device=where)
    probe = torch.tensor(test, dtype=kind, device=where)
    weights = torch.nn.Parameter(torch.tensor(first, dtype=kind, device=where))
    bias = torch.nn.Parameter(torch.zeros((count, 1, width), dtype=kind, device=where))
    output = torch.nn.Parameter(torch.tensor(second, dtype=kind, device=where))
    offset = torch.nn.Parameter(torch.zeros((count, 1, 1), dtype=kind, device=where))
    optimizer = torch.optim.SGD([weights, bias, output, offset], lr=1.0)  # the rates are in ``scale``
    marks = {}
    for b, e in enumerate(experiments):
        for r, k in enumerate(e.record):
            marks.setdefault(int(k), []).append((b, r))
    outputs = [np.zeros((len(e.record), data[e.data].test_inputs.shape[0])) for e in experiments]

    def network(points):
        return (torch.relu(points @ weights + bias) @ output + offset)[:, :, 0]

    for k in range(longest + 1):
        if k in marks:
            with torch.no_grad():
                values = network(probe).cpu().numpy().astype(np.float64)
            for b, r in marks[k]:
                outputs[b][r] = values[b, : outputs[b].shape[1]]
        if k == longest:
            break
        losses = torch.nn.functional.softplus(-labels[:, k] * network(points[:, k]))
        loss = (scale[:, k] * losses).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    finite = np.array([all(bool(torch.isfinite(p[b]).all()) for p in (weights, bias, output, offset))
                       for b in range(count)])
    return Runs(tuple(outputs), finite=finite, device=str(where), dtype=dtype)


def _validate(experiments, data) -> None:
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one experiment")
    dimensions = {np.shape(item.train_inputs)[1] if np.ndim(item.train_inputs) == 2 else -1 for item in data}
    if len(dimensions) != 1 or -1 in dimensions:
        raise ValueError("data are invalid: every data set needs n × p training inputs with the same p")
    for index, item in enumerate(data):
        n = np.shape(item.train_inputs)[0]
        if np.shape(item.train_labels) != (n,) or np.ndim(item.test_inputs) != 2:
            raise ValueError(f"data[{index}] is invalid: n training labels and m × p test inputs")
    for index, e in enumerate(experiments):
        if not 0 <= e.data < len(data):
            raise ValueError(f"experiments[{index}].data={e.data} is invalid: an index into data (0..{len(data) - 1})")
        arguments.integer(f"experiments[{index}].seed", e.seed, 0, 2**63 - 1)
        arguments.integer(f"experiments[{index}].steps", e.steps, 0, 10**7)
        arguments.integer(f"experiments[{index}].batch", e.batch, 1, np.shape(data[e.data].train_inputs)[0])
        arguments.integer(f"experiments[{index}].hidden", e.hidden, 1, 10**4)
        arguments.positive(f"experiments[{index}].learning_rate", e.learning_rate)
        arguments.positive(f"experiments[{index}].output_scale", e.output_scale)
        for k in e.record:
            arguments.integer(f"experiments[{index}].record", k, 0, e.steps)
