"""Batched gradient descent for the stability claim: quadratics, the (ab − 1)² model and a small tanh network.

Each trainer takes a list of experiment records and runs them all in one tensor program (a leading batch
dimension). Per-experiment step sizes use the loss-scaling trick of ``verify.training.toy``: experiment b's
loss is multiplied by its η_b and ``torch.optim.SGD`` runs with lr = 1, which is gradient descent with step η_b;
an experiment that has finished (or escaped) gets the factor 0 and stays where it is.

* ``train_quadratics``: GD on ½xᵀHx; ‖x_K‖ after each experiment's K steps.
* ``train_toys``: GD on ½(ab − 1)²; the end point and the residual r = ab − 1 there; a run whose |a| + |b|
  passes ``ESCAPE`` (looked at every ``ESCAPE_EVERY`` steps; one that overflowed in between counts too) is
  stopped and reported as escaped.
* ``train_networks``: full-batch GD on the mean squared error (1/n)Σ(f(x_i) − y_i)² of tanh MLPs; the loss
  at every step and the sharpness (the top Hessian eigenvalue) at every ``every`` steps, by power iteration
  on Hessian-vector products (double backward), warm-started from the previous checkpoint's vector, with the
  residual ‖Hv − μv‖ of each estimate; at the end, the top eigenvalue by SciPy's Lanczos iteration on the same
  Hessian-vector products (``numerics.stability.top_eigenvalue``), an independent route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments
from numerics.stability import top_eigenvalue

from .placement import Placed, one_thread_on_cpu, placed, select_device, torch_dtype

ESCAPE = 1e6  # |a| + |b| beyond this: GD on (ab − 1)² has left every bounded region (it would overflow soon)
ESCAPE_EVERY = 8  # steps between looks for escaped runs (those found overflowed are reported as escaped too)
MAX_STEPS = 10**6


# --- quadratics ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Quadratic:
    """GD with ``step`` for ``steps`` steps on ½xᵀHx from ``start`` (``hessian``: rows of a symmetric matrix)."""

    hessian: tuple
    start: tuple
    step: object
    steps: int


@dataclass(frozen=True)
class QuadraticRuns(Placed):
    """``norms[b]``: ‖x‖ after experiment b's steps; ``finite[b]``: no NaN or inf."""

    norms: np.ndarray


def train_quadratics(experiments, *, device="auto", dtype="float64") -> QuadraticRuns:
    kind, where = torch_dtype(dtype), select_device(device)
    size = _validate_quadratics(experiments)
    count = len(experiments)
    hessian = torch.zeros(count, size, size, dtype=kind)
    start = torch.zeros(count, size, dtype=kind)
    for b, e in enumerate(experiments):  # padding with zeros: a padded coordinate has no gradient and stays 0
        n = len(e.start)
        hessian[b, :n, :n] = torch.tensor([[float(v) for v in row] for row in e.hessian], dtype=kind)
        start[b, :n] = torch.tensor([float(v) for v in e.start], dtype=kind)
    with one_thread_on_cpu(where):
        hessian, x = hessian.to(where), torch.nn.Parameter(start.to(where))
        eta = torch.tensor([float(e.step) for e in experiments], dtype=kind, device=where)
        steps = torch.tensor([e.steps for e in experiments], device=where)
        optimizer = torch.optim.SGD([x], lr=1.0)
        for k in range(int(steps.max())):
            loss = 0.5 * torch.einsum("bi,bij,bj->b", x, hessian, x)
            optimizer.zero_grad(set_to_none=True)
            (loss * eta * (k < steps)).sum().backward()
            optimizer.step()
        norms = torch.linalg.vector_norm(x.detach(), dim=1).cpu().numpy().astype(np.float64)
    return QuadraticRuns(norms, finite=np.isfinite(norms), device=str(where), dtype=dtype)


def _validate_quadratics(experiments) -> int:
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one quadratic")
    for b, e in enumerate(experiments):
        n = len(e.start)
        if n < 1 or len(e.hessian) != n or any(len(row) != n for row in e.hessian):
            raise ValueError(f"experiments[{b}]: hessian must be {n} × {n}, matching start")
        arguments.positive("step", e.step)
        arguments.integer("steps", e.steps, 0, MAX_STEPS)
    return max(len(e.start) for e in experiments)


# --- the (ab − 1)² model -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Toy:
    """GD with ``step`` for ``steps`` steps on ½(ab − 1)² from (a0, b0)."""

    a0: object
    b0: object
    step: object
    steps: int


@dataclass(frozen=True)
class ToyRuns(Placed):
    """Per experiment b: the end point ``a[b]``, ``b[b]`` and residual ``residual[b]`` = ab − 1 there;
    ``escaped[b]``: the step by which |a| + |b| had passed ``ESCAPE`` or overflowed (−1: never; the run stopped
    there); ``finite[b]``: no NaN or inf."""

    a: np.ndarray
    b: np.ndarray
    residual: np.ndarray
    escaped: np.ndarray


def train_toys(experiments, *, device="auto", dtype="float64") -> ToyRuns:
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one run")
    for e in experiments:
        arguments.exact("a0", e.a0), arguments.exact("b0", e.b0), arguments.positive("step", e.step)
        arguments.integer("steps", e.steps, 1, MAX_STEPS)
    ends = {e.steps for e in experiments}
    with placed(device, dtype) as (kind, where):
        point = torch.nn.Parameter(torch.tensor([[float(e.a0), float(e.b0)] for e in experiments], dtype=kind,
                                                device=where))
        eta = torch.tensor([float(e.step) for e in experiments], dtype=kind, device=where)
        steps = torch.tensor([e.steps for e in experiments], device=where)
        escaped = torch.full((len(experiments),), -1, device=where)
        optimizer = torch.optim.SGD([point], lr=1.0)
        for k in range(max(ends)):
            if k % ESCAPE_EVERY == 0 or k in ends:
                # not (≤ ESCAPE) also catches NaN: a run may overflow between two looks
                far = ~(point.detach().abs().sum(dim=1) <= ESCAPE) & (escaped < 0)
                escaped = torch.where(far, k, escaped)
                scale = torch.where((k < steps) & (escaped < 0), eta, 0.0)  # η_b while b runs, then 0
            residual = point[:, 0] * point[:, 1] - 1
            optimizer.zero_grad(set_to_none=True)
            (0.5 * residual**2 * scale).sum().backward()
            optimizer.step()
        end = point.detach()
        escaped = torch.where(~(end.abs().sum(dim=1) <= ESCAPE) & (escaped < 0), max(ends), escaped)
        a, b, r = (v.cpu().numpy().astype(np.float64) for v in (end[:, 0], end[:, 1], end[:, 0] * end[:, 1] - 1))
    finite = np.isfinite(a) & np.isfinite(b)
    return ToyRuns(a, b, r, escaped.cpu().numpy(), finite=finite, device=str(where), dtype=dtype)


# --- a small tanh network ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """A regression data set (``inputs`` n × d, ``labels`` n) and a network's initial parameters:
    ``weights[j]`` of shape (in_j, out_j) and ``biases[j]`` of shape (out_j,), tanh between layers."""

    inputs: np.ndarray
    labels: np.ndarray
    weights: tuple
    biases: tuple


@dataclass(frozen=True)
class Network:
    """Full-batch GD with ``step`` for ``steps`` steps on problem ``problem``; sharpness every ``every`` steps."""

    problem: int
    step: float
    steps: int
    every: int


@dataclass(frozen=True)
class NetworkRuns(Placed):
    """Per experiment b: ``losses[b, k]`` after k steps; ``sharpness[b, c]`` and its residual ‖Hv − μv‖
    ``residuals[b, c]`` at step ``checkpoints[c]``; ``lanczos[b]`` = (top eigenvalue, residual) by Lanczos at
    the last checkpoint; ``finite[b]``: no NaN or inf (a diverged run is NaN from its divergence on)."""

    losses: np.ndarray
    checkpoints: tuple
    sharpness: np.ndarray
    residuals: np.ndarray
    lanczos: np.ndarray


def train_networks(experiments, problems, *, iterations=5, first_iterations=30, seed=0, device="auto",
                   dtype="float64") -> NetworkRuns:
    """All experiments train together (they must share ``steps`` and ``every``, and the problems their shapes).
    Power iteration: ``first_iterations`` at step 0 from a random vector (``seed``), then ``iterations`` per
    checkpoint from the previous estimate's vector."""
    kind, where = torch_dtype(dtype), select_device(device)
    steps, every = _validate_networks(experiments, problems)
    checkpoints = tuple(range(0, steps + 1, every))
    with one_thread_on_cpu(where):
        inputs = torch.stack([torch.as_tensor(problems[e.problem].inputs, dtype=kind) for e in experiments]).to(where)
        labels = torch.stack([torch.as_tensor(problems[e.problem].labels, dtype=kind) for e in experiments]).to(where)
        layers = len(problems[0].weights)
        def stacked(pick, shape=lambda t: t):  # per layer, the experiments' values stacked along a first dimension
            return [torch.nn.Parameter(shape(torch.stack([torch.as_tensor(np.asarray(pick(problems[e.problem])[j]),
                                                                          dtype=kind) for e in experiments])).to(where))
                    for j in range(layers)]

        parameters = stacked(lambda p: p.weights) + stacked(lambda p: p.biases, lambda t: t[:, None, :])
        eta = torch.tensor([float(e.step) for e in experiments], dtype=kind, device=where)

        def losses():
            h = inputs
            for j in range(layers):
                h = torch.baddbmm(parameters[layers + j], h, parameters[j])
                if j < layers - 1:
                    h = torch.tanh(h)
            return (h[..., 0] - labels).pow(2).mean(dim=1)

        generator = torch.Generator().manual_seed(arguments.integer("seed", seed, 0, 2**63 - 1))
        vector = _unit([torch.randn(p.shape, generator=generator, dtype=kind).to(where) for p in parameters])
        optimizer = torch.optim.SGD(parameters, lr=1.0)
        history = torch.full((len(experiments), steps + 1), math.nan, dtype=kind, device=where)
        sharpness = torch.full((len(experiments), len(checkpoints)), math.nan, dtype=kind, device=where)
        residuals = torch.full_like(sharpness, math.nan)
        for k in range(steps + 1):
            if k % every == 0:
                count = first_iterations if k == 0 else iterations
                value, residual, vector = _power_iteration(losses, parameters, vector, count)
                sharpness[:, k // every], residuals[:, k // every] = value, residual
            loss = losses()
            history[:, k] = loss.detach()
            if k == steps:
                break
            optimizer.zero_grad(set_to_none=True)
            (loss * eta).sum().backward()
            optimizer.step()
        lanczos = np.array([_lanczos(losses, parameters, b, vector) for b in range(len(experiments))])
        arrays = [v.cpu().numpy().astype(np.float64) for v in (history, sharpness, residuals)]
    finite = np.isfinite(arrays[0]).all(axis=1) & np.isfinite(arrays[1]).all(axis=1)
    return NetworkRuns(arrays[0], checkpoints, arrays[1], arrays[2], lanczos, finite=finite, device=str(where),
                       dtype=dtype)


def _power_iteration(losses, parameters, vector, count):
    """``count`` power iterations on every experiment's Hessian at once: the experiments' parameters are
    disjoint, so the Hessian of the summed loss is block diagonal and one Hessian-vector product of the
    sum gives every experiment's own. Returns the Rayleigh quotients μ, the residuals ‖Hv − μv‖ and the
    next (normalised) vectors."""
    gradient = torch.autograd.grad(losses().sum(), parameters, create_graph=True)
    for _ in range(count):
        product = torch.autograd.grad(gradient, parameters, grad_outputs=vector, retain_graph=True)
        value = _inner(product, vector)
        residual = _norm([h - _expand(value, h) * v for h, v in zip(product, vector)])
        vector = _unit([h.detach() for h in product])
    return value.detach(), residual.detach(), vector


def _lanczos(losses, parameters, b, start):
    """(top eigenvalue, residual) of experiment b's Hessian by Lanczos, from b's power-iteration vector."""
    gradient = torch.autograd.grad(losses()[b], parameters, create_graph=True)
    shapes = [p[b].shape for p in parameters]
    sizes = [math.prod(s) for s in shapes]

    def matvec(flat):
        pieces, offset = [], 0
        for p, shape, size in zip(parameters, shapes, sizes):
            block = torch.zeros_like(p)
            block[b] = torch.as_tensor(flat[offset: offset + size], dtype=p.dtype).reshape(shape)
            pieces.append(block)
            offset += size
        product = torch.autograd.grad(gradient, parameters, grad_outputs=pieces, retain_graph=True)
        return torch.cat([h[b].reshape(-1) for h in product]).detach().cpu().numpy().astype(np.float64)

    initial = torch.cat([v[b].reshape(-1) for v in start]).cpu().numpy().astype(np.float64)
    if not np.isfinite(initial).all():
        return (math.nan, math.nan)
    return top_eigenvalue(matvec, sum(sizes), start=initial)


def _inner(first, second):
    return sum((x * y).flatten(1).sum(dim=1) for x, y in zip(first, second))


def _norm(vector):
    return torch.sqrt(_inner(vector, vector))


def _expand(values, like):
    return values.view(-1, *[1] * (like.dim() - 1))


def _unit(vector):
    norm = _norm(vector)
    return [v / _expand(norm, v) for v in vector]


def _validate_networks(experiments, problems) -> tuple:
    if not experiments or not problems:
        raise ValueError("experiments and problems must be non-empty")
    shapes = [tuple(np.shape(w) for w in p.weights) + tuple(np.shape(c) for c in p.biases) + (np.shape(p.inputs),)
              for p in problems]
    if len(set(shapes)) != 1:
        raise ValueError("problems must share their shapes (one batched network)")
    steps, every = experiments[0].steps, experiments[0].every
    for b, e in enumerate(experiments):
        arguments.integer("problem", e.problem, 0, len(problems) - 1)
        arguments.positive("step", e.step)
        if (e.steps, e.every) != (steps, every):
            raise ValueError(f"experiments[{b}]: steps and every must be the same for every experiment")
    arguments.integer("steps", steps, 1, MAX_STEPS)
    arguments.integer("every", every, 1, steps)
    return steps, every
