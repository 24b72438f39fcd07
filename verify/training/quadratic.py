"""Batched gradient descent on quadratic networks f(x) = xᵀWᵀWx (+ b), W ∈ R^{d×d}, in torch.

Every experiment b has its own initial W (made by ``numerics.quadratic_data``: √init·Q, Q orthogonal, so
M(0) = init·I), its own step size (the loss of b is scaled by η_b and the optimiser's rate is 1), and one of four
losses (docs/claims/quadratic.md):

* ``variance``: the population loss with the bias at its optimum, ‖M − M*‖²_F (theory/quadratic.py);
* ``population``: the population loss without a bias, ‖Δ‖²_F + ½(tr Δ)²;
* ``bias`` / ``no-bias``: ½·mean_i (x_iᵀMx_i + b − y_i)² on its own inputs (y = x_iᵀM*x_i), with b trained
  from its optimal value at init, or absent. Datasets of different sizes are padded and masked.

All experiments run in one tensor program, longest first: at step k only the experiments still running (a
prefix) are computed. The eigenvalues of M are recorded at the requested steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .datasets import padded_to
from .placement import Placed, placed

LOSSES = ("variance", "population", "bias", "no-bias")
DATA_LOSSES = ("bias", "no-bias")


@dataclass(frozen=True, eq=False)
class Experiment:
    """One network: its ``loss`` (one of LOSSES), initial ``weights`` W (d × d), GD ``step`` size, the step counts
    at which the eigenvalues of M are ``record``ed (it trains to the largest), and for the data losses its
    ``inputs`` (n × d)."""

    loss: str
    weights: np.ndarray
    step: object
    record: tuple
    inputs: np.ndarray | None = None


@dataclass(frozen=True)
class Eigenvalues(Placed):
    """``values[b, r]``: eigenvalues of M (decreasing) for experiment b after ``steps[b][r]`` steps (NaN where b
    recorded fewer steps); ``finite[b]`` is False when b produced NaN or inf."""

    steps: tuple
    values: np.ndarray


def train(experiments, targets, *, rows=None, device="auto", dtype="float64") -> Eigenvalues:
    """Train every experiment at once; ``targets`` is the diagonal of M* (shared by all). ``rows``: the data sets are
    padded to this many rows, by default the largest; a caller that trains cases in batches passes the most a case can
    have, so that a case's sums over its rows round the same whichever cases share its batch (and replayed alone)."""
    experiments = list(experiments)
    stars = [float(arguments.exact("targets", t)) for t in targets]
    _validate(experiments, len(stars))
    rows = padded_to("rows", rows, max([len(e.inputs) for e in experiments if e.loss in DATA_LOSSES] + [1]))
    order = sorted(range(len(experiments)), key=lambda b: -max(experiments[b].record))  # longest first
    with placed(device, dtype) as (kind, where):
        values = _train([experiments[b] for b in order], stars, rows, kind, where)[np.argsort(order)]
    finite = np.array([np.isfinite(values[b, : len(e.record)]).all() for b, e in enumerate(experiments)])
    return Eigenvalues(tuple(tuple(int(k) for k in e.record) for e in experiments), values, finite=finite,
                       device=str(where), dtype=dtype)


def _train(experiments, stars, rows, kind, where) -> np.ndarray:
    count, d = len(experiments), len(stars)
    star = torch.diag(torch.tensor(stars, dtype=kind, device=where))
    inputs, mask = torch.zeros(count, rows, d, dtype=kind), torch.zeros(count, rows, dtype=kind)
    for b, e in enumerate(experiments):
        if e.loss in DATA_LOSSES:
            inputs[b, : len(e.inputs)] = torch.as_tensor(np.asarray(e.inputs, dtype=np.float64), dtype=kind)
            mask[b, : len(e.inputs)] = 1.0 / len(e.inputs)
    weights = torch.nn.Parameter(torch.as_tensor(np.stack([np.asarray(e.weights, dtype=np.float64)
                                                           for e in experiments]), dtype=kind).to(where))
    inputs, mask = inputs.to(where), mask.to(where)
    labels = ((inputs @ star) * inputs).sum(dim=-1)
    flags = {name: torch.tensor([e.loss == name for e in experiments], dtype=kind, device=where) for name in LOSSES}
    start_quadratic = ((inputs @ (weights.detach().transpose(1, 2) @ weights.detach())) * inputs).sum(dim=-1)
    bias = torch.nn.Parameter(((labels - start_quadratic) * mask).sum(dim=1) * flags["bias"])
    eta = torch.tensor([float(e.step) for e in experiments], dtype=kind, device=where)
    optimizer = torch.optim.SGD([weights, bias], lr=1.0, fused=True)
    due = {}
    for b, e in enumerate(experiments):
        for r, k in enumerate(e.record):
            due.setdefault(int(k), []).append((b, r))
    ends = [max(e.record) for e in experiments]
    values = np.full((count, max(len(e.record) for e in experiments), d), np.nan)
    for k in range(ends[0] + 1):
        live = sum(end >= k for end in ends)  # experiments still recording or stepping: a prefix
        moment = weights[:live].transpose(1, 2) @ weights[:live]
        if k in due:
            spectrum = _eigenvalues(moment.detach())
            for b, r in due[k]:
                values[b, r] = spectrum[b]
        moving = sum(end > k for end in ends)
        if moving == 0:
            break
        moment, delta = moment[:moving], moment[:moving] - star
        squared = (delta**2).sum(dim=(1, 2))
        trace = delta.diagonal(dim1=1, dim2=2).sum(dim=1)
        fitted = ((inputs[:moving] @ moment) * inputs[:moving]).sum(dim=-1) + (bias * flags["bias"])[:moving, None]
        empirical = 0.5 * ((fitted - labels[:moving]) ** 2 * mask[:moving]).sum(dim=1)
        loss = (flags["variance"][:moving] * squared + flags["population"][:moving] * (squared + trace**2 / 2)
                + (flags["bias"] + flags["no-bias"])[:moving] * empirical)
        optimizer.zero_grad(set_to_none=True)
        (loss * eta[:moving]).sum().backward()
        optimizer.step()
    return values


def _eigenvalues(moments: torch.Tensor) -> np.ndarray:
    """The eigenvalues of each symmetric matrix, decreasing; NaN for a diverged (non-finite) one, where LAPACK
    would raise."""
    finite = torch.isfinite(moments).all(dim=2).all(dim=1)
    out = torch.full(moments.shape[:2], float("nan"), dtype=moments.dtype, device=moments.device)
    if bool(finite.any()):
        out[finite] = torch.linalg.eigvalsh(moments[finite]).flip(-1)
    return out.cpu().numpy()


def _validate(experiments, size: int) -> None:
    """Every experiment's fields in range; the message names the experiment and the field."""
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one experiment")
    for b, e in enumerate(experiments):
        if e.loss not in LOSSES:
            raise ValueError(f"experiments[{b}].loss={e.loss!r} is invalid: must be one of {', '.join(LOSSES)}")
        if np.shape(e.weights) != (size, size) or not np.isfinite(np.asarray(e.weights, dtype=float)).all():
            raise ValueError(f"experiments[{b}].weights is invalid: a finite {size} × {size} matrix (d = len(targets))")
        arguments.positive("step", e.step)
        arguments.step_counts(f"experiments[{b}].record", e.record)
        if e.loss in DATA_LOSSES:
            shape = np.shape(e.inputs) if e.inputs is not None else None
            if shape is None or len(shape) != 2 or shape[0] < 1 or shape[1] != size \
                    or not np.isfinite(np.asarray(e.inputs, dtype=float)).all():
                raise ValueError(f"experiments[{b}].inputs is invalid: the {e.loss!r} loss needs finite inputs of "
                                 f"shape (n, {size}) with n >= 1")
