"""Two-layer networks f(x) = Σ_j a_j σ(⟨w_j, x⟩ + b_j) + c trained with minibatch SGD with momentum, batched over
experiments, to watch the invariant sets of docs/claims/stochastic-collapse.md §5 bit for bit (see ALIGN).

Each experiment is a network (activation, hidden width, input dimension) on its own regression data, with one
neuron started at zero (w, b, a all 0) and one neuron started as an exact copy of another. Training: the mean
squared loss on a minibatch drawn afresh each step, ``torch.optim.SGD`` (real autograd) with momentum 0.9 at lr 1
on the loss scaled by the experiment's step, optionally weight decay (in the loss: (λ/2)‖θ‖²) or dropout (an
independent Bernoulli mask per hidden unit and example, rescaled). All experiments share tensors of shape
(experiments, …), widths and input dimensions padded with zeros (padded units have zero weights and inputs, so
they are switched off: σ(0) ≠ 0 would otherwise make them train).

Reported per experiment: the largest |parameter| of the zero neuron and the largest |difference| between the two
copies after training (0.0 means bit for bit), and ``finite``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .noise import one_per_experiment
from .placement import Placed, placed

ACTIVATIONS = {"tanh": torch.tanh, "gelu": torch.nn.functional.gelu, "relu": torch.relu,
               "softplus": torch.nn.functional.softplus}
MOMENTUM = 0.9
# Widths and input dimensions are padded to multiples of 16 doubles, and the first layer is an elementwise product
# summed over the inputs (not a BLAS matmul): then every neuron's numbers go through the same sequence of
# floating-point operations (the same SIMD code path, no matmul tile edges, no scalar loop tails), which is what
# makes two identical neurons stay identical bit for bit. With bmm, a copy in the last column of a tile differed by
# 3e-15 after one product; with unaligned sizes, the vectorised reductions' tails differed by 1e-15.
ALIGN = 16
CHUNK = 64  # steps of minibatches drawn at once


@dataclass(frozen=True)
class Experiment:
    """One network: its ``activation``, ``width`` hidden units on ``inputs``-dimensional data (``data`` rows of
    ``inputs`` values and ``targets``), the ``zero`` neuron, the ``copy`` pair (source, copy), the step, weight
    ``decay`` and ``dropout`` probability, and the seed of its initial weights."""

    activation: str
    width: int
    data: np.ndarray
    targets: np.ndarray
    zero: int
    copy: tuple
    step: float
    decay: float
    dropout: float
    seed: int


@dataclass(frozen=True)
class Runs(Placed):
    """``zero_size[b]``: max |w|, |b|, |a| of experiment b's zero neuron after training; ``copy_gap[b]``: max
    |difference| between its two copies; ``moved[b]``: max |change| of the other parameters (they do train)."""

    zero_size: np.ndarray
    copy_gap: np.ndarray
    moved: np.ndarray


def train(experiments, *, steps: int, batch: int, rngs, device="auto", dtype="float64") -> Runs:
    """Every experiment for ``steps`` steps on minibatches of ``batch`` examples, in one tensor program; experiment b's
    row indices and dropout masks are drawn from ``rngs[b]`` (NumPy generators: ``verify.training.noise``)."""
    experiments = list(experiments)
    _validate(experiments, steps, batch)
    rngs = one_per_experiment(rngs, experiments)
    with placed(device, dtype) as (kind, where):
        return _train(experiments, steps, batch, rngs, kind, where, dtype)


def _train(experiments, steps, batch, rngs, kind, where, dtype) -> Runs:
    count = len(experiments)
    width = _aligned(max(e.width for e in experiments))
    inputs = _aligned(max(e.data.shape[1] for e in experiments))
    rows = max(e.data.shape[0] for e in experiments)
    data, targets = np.zeros((count, rows, inputs)), np.zeros((count, rows))
    first, bias, second = np.zeros((count, width, inputs)), np.zeros((count, width)), np.zeros((count, width))
    for index, e in enumerate(experiments):
        data[index, : len(e.data), : e.data.shape[1]], targets[index, : len(e.data)] = e.data, e.targets
        generator = np.random.default_rng(e.seed)
        d = e.data.shape[1]
        first[index, : e.width, :d] = generator.standard_normal((e.width, d)) / np.sqrt(d)
        bias[index, : e.width] = 0.1 * generator.standard_normal(e.width)
        second[index, : e.width] = generator.standard_normal(e.width) / np.sqrt(e.width)
        source, copy = e.copy
        for array in (first, bias, second):
            array[index, e.zero] = 0.0
            array[index, copy] = array[index, source]

    def tensor(values):
        return torch.tensor(np.asarray(values, dtype=float), dtype=kind, device=where)

    data, targets = tensor(data), tensor(targets)
    parameters = [torch.nn.Parameter(tensor(a)) for a in (first, bias, second, np.zeros(count))]
    start = [p.detach().clone() for p in parameters]
    step, decay = tensor([e.step for e in experiments]), tensor([e.decay for e in experiments])
    keep = tensor([1 - e.dropout for e in experiments])[:, None, None]
    units = tensor([[1.0] * e.width + [0.0] * (width - e.width) for e in experiments])[:, None, :]  # padding: off
    groups = {name: torch.tensor([i for i, e in enumerate(experiments) if e.activation == name], device=where)
              for name in ACTIVATIONS if any(e.activation == name for e in experiments)}
    optimiser = torch.optim.SGD(parameters, lr=1.0, momentum=MOMENTUM)
    lanes = torch.arange(count, device=where)[:, None]
    for picked, masks in _minibatches(rngs, experiments, steps, batch, width, kind, where):
        x, target = data[lanes, picked], targets[lanes, picked]
        first_layer, hidden_bias, last, offset = parameters
        pre = (x[:, :, None, :] * first_layer[:, None, :, :]).sum(dim=3) + hidden_bias[:, None, :]
        hidden = torch.empty_like(pre)
        for name, members in groups.items():
            hidden[members] = ACTIVATIONS[name](pre[members])
        hidden = hidden * units * (masks < keep) / keep
        output = (hidden * last[:, None, :]).sum(dim=2) + offset[:, None]
        penalty = sum((p.reshape(count, -1) ** 2).sum(dim=1) for p in parameters)
        loss = (step * (((output - target) ** 2).mean(dim=1) / 2 + decay * penalty / 2)).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        zero, copy, moved = (torch.zeros(count, dtype=kind, device=where) for _ in range(3))
        finite = torch.ones(count, dtype=torch.bool, device=where)
        for parameter, initial in zip(parameters[:3], start):
            for index, e in enumerate(experiments):
                source, twin = e.copy
                zero[index] = torch.maximum(zero[index], parameter[index, e.zero].abs().max())
                copy[index] = torch.maximum(copy[index], (parameter[index, source] - parameter[index, twin]).abs().max())
                moved[index] = torch.maximum(moved[index], (parameter[index, source] - initial[index, source]).abs().max())
            finite &= torch.isfinite(parameter.reshape(count, -1)).all(dim=1)
        return Runs(zero.cpu().numpy(), copy.cpu().numpy(), moved.cpu().numpy(), finite=finite.cpu().numpy(),
                    device=str(where), dtype=dtype)


def _aligned(size: int) -> int:
    """``size`` rounded up to a multiple of ALIGN."""
    return -(-size // ALIGN) * ALIGN


def _minibatches(rngs, experiments, steps, batch, width, kind, where, chunk=CHUNK):
    """Per step, the row indices (experiments × batch) and dropout uniforms (experiments × batch × width) of every
    experiment, experiment b's drawn from ``rngs[b]`` alone (its rows, its width), a chunk of steps at a time."""
    for start in range(0, steps, chunk):
        size = min(chunk, steps - start)
        picks = np.zeros((size, len(experiments), batch), dtype=np.int64)
        masks = np.zeros((size, len(experiments), batch, width))
        for b, (rng, e) in enumerate(zip(rngs, experiments)):
            picks[:, b] = rng.integers(0, len(e.data), size=(size, batch))
            masks[:, b, :, : e.width] = rng.random((size, batch, e.width))
        yield from zip(torch.as_tensor(picks, device=where), torch.as_tensor(masks, dtype=kind, device=where))


def _validate(experiments, steps, batch):
    if not experiments:
        raise ValueError("experiments is empty: give at least one Experiment")
    arguments.integer("steps", steps, 1, 10**8)
    arguments.integer("batch", batch, 1, 10**6)
    for e in experiments:
        if e.activation not in ACTIVATIONS:
            raise arguments.ParameterError("activation", e.activation, f"one of {', '.join(ACTIVATIONS)}")
        arguments.integer("width", e.width, 3, 4096)
        source, copy = e.copy
        if len({e.zero, source, copy}) != 3 or not all(0 <= j < e.width for j in (e.zero, source, copy)):
            raise arguments.ParameterError("zero", (e.zero, e.copy), f"three distinct neurons in [0, {e.width})")
        if e.data.ndim != 2 or e.targets.shape != (e.data.shape[0],) or e.data.shape[0] < batch:
            raise arguments.ParameterError("data", e.data.shape, f"a (rows ≥ {batch}, inputs) array with one target per row")
        arguments.positive("step", e.step)
        arguments.nonnegative("decay", e.decay)
        if not 0 <= e.dropout < 1:
            raise arguments.ParameterError("dropout", e.dropout, "in [0, 1)")
