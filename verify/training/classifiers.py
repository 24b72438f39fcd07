"""Batched gradient descent on the exponential loss for the two linear classifiers of the paper's §4.3 and
Appendix G: one loop, two parameterisations of the linear predictor b.

* ``diagonal`` (docs/claims/classification.md): the two-branch network b = w_+^N − w_-^N, weight-shared within
  each branch, with balanced init w_±(0) = σ_0^{1/N} (so b(0) = 0), trained on L/N: each branch then follows
  dσ_±/dt = ±N σ_±^{2−2/N}(−∇L), the project's time convention (theory/classification.py).
* ``convolutional`` (theory/convolution.py): N − 1 circular cross-correlation layers with full-length filters
  and a fully connected last layer v, every layer initialised to σ_0^{1/N}·δ, the identity filter: its transform
  is σ_0^{1/N} at every frequency, so this is the balanced init of the diagonal network in the Fourier basis and
  every Fourier amplitude of b starts at σ_0. Trained on the plain loss L (layered convention: the amplitudes
  follow ds/dt = N s^{2−2/N}(…)). The predictor b = v ⊛ w_{N−1} ⊛ ⋯ ⊛ w_1 is computed by FFT convolution, an
  exact algorithm for circular convolution and 8–25× faster here than direct sums; the claim checks the trained
  networks, evaluated layer by layer with direct sums, against ⟨b, x⟩.

Losses: on a sample, (1/n) Σ_i exp(−y_i⟨b, x_i⟩); on the population of a labelling direction u (``Data`` without
inputs), the closed form 2Φ(−⟨b, u⟩) exp(‖b‖²/2) of theory/classification.py, evaluated in log space.

Every experiment of a run trains in one tensor program: parameters of shape (experiments, layers, width) with
padded layers held at the identity and padded coordinates at zero; a dataset is stored once and multiplied with
the predictors of all experiments that train on it in one batched product per step. An experiment stops (its
step becomes 0, as the authors' StopAtThreshold) once its loss is below its ``stop_loss`` and all its ``track``ed
amplitudes have crossed its ``level``.

Step sizes: gradient descent with backtracking (Armijo). Each step first tries the experiment's own step size η
and halves it, for that experiment and that step only, until the loss decreases by at least ½η‖∇‖² (a rounding
allowance of 4(n + d) units in the last place added). The early phase runs at η throughout; the deep networks'
late phase, where the curvature N σ^{2−2/N}·∇²L grows with the weights faster than the loss shrinks, would
otherwise turn a constant step unstable (a period-2 oscillation of the smallest margins that ends in overflow).
Every step is a descent step of the same gradient flow, and the flow time t = Σ η_k is recorded.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import Placed, placed

MODELS = ("diagonal", "convolutional")
HALVINGS = 40  # backtracking gives up (and takes the smallest step) after this many halvings


@dataclass(frozen=True)
class Data:
    """A sample (``inputs`` n × d, ``labels`` ±1), or the population of the unit labelling direction ``target``."""

    inputs: np.ndarray | None = None
    labels: np.ndarray | None = None
    target: np.ndarray | None = None

    @property
    def dimension(self) -> int:
        return (self.target if self.inputs is None else self.inputs[0]).shape[0]


@dataclass(frozen=True)
class Experiment:
    """One network: ``depth``, init σ_0, step size, the index of its ``Data``, and at most ``steps`` GD steps; the
    ``level`` whose first crossing is recorded for every amplitude. It stops earlier once its loss is below
    ``stop_loss`` and its ``track``ed amplitudes have crossed the level. (Each experiment's own limits make its
    result independent of the batch it trains in.)"""

    depth: int
    init: float
    step: float
    data: int
    steps: int
    level: float
    track: tuple = ()
    stop_loss: float = 0.0


@dataclass(frozen=True)
class Runs(Placed):
    """What training recorded, per experiment b (first index). Amplitudes are |b_i| (diagonal) or the moduli of
    the real FFT of b (convolutional), padded with 0.

    * ``record``: step counts; ``amplitudes[b, r, k]`` and ``losses[b, r]`` after ``record[r]`` steps;
    * ``crossings[b, k]``: first step with amplitude k ≥ level_b (−1: never);
    * ``ladder``: loss levels; ``reached[b, l]``: first step with loss < ladder[l] (−1: never), and
      ``predictors_at[b, l]`` the predictor then (NaN: never);
    * ``predictors[b]``, ``losses_final[b]``: where b stopped, after ``stopped[b]`` steps (its stopping rule, its
      step limit, or a non-finite loss);
    * ``layers[b]``: final parameters, (w_+, w_-) or (v, w_1, …, w_{N−1}), each padded to the width;
    * ``times[b, r]``: flow time Σ η_k after ``record[r]`` steps; ``clock[b]``: flow time where b stopped;
    * ``backtracked[b]``: steps whose step size backtracking reduced; ``undecided[b]``: steps that found no
      descent within HALVINGS halvings (0 in a healthy run);
    * ``finite[b]``: no NaN or inf; ``steps``: steps run (the loop ends once every experiment stopped).
    """

    record: tuple
    amplitudes: np.ndarray
    losses: np.ndarray
    crossings: np.ndarray
    ladder: tuple
    reached: np.ndarray
    predictors_at: np.ndarray
    predictors: np.ndarray
    losses_final: np.ndarray
    stopped: np.ndarray
    layers: tuple
    times: np.ndarray
    clock: np.ndarray
    backtracked: np.ndarray
    undecided: np.ndarray
    steps: int


def train(model: str, experiments, data, *, ladder=(), record=(), device="auto", dtype="float64") -> Runs:
    """Train every experiment in one tensor program; ``record``: step counts at which amplitudes are kept."""
    _validate(model, experiments, data, ladder, record)
    with placed(device, dtype) as (kind, where):
        return _Program(model, experiments, data, kind, where).run(tuple(ladder), sorted(set(record)), dtype)


class _Program:
    """The batched tensors of one run: parameters, data, and the predictor and loss of every experiment."""

    def __init__(self, model, experiments, data, torch_dtype, where):
        self.model, self.experiments, self.where, self.dtype = model, list(experiments), where, torch_dtype
        count = len(self.experiments)
        self.sizes = [data[e.data].dimension for e in self.experiments]
        self.width = max(self.sizes)
        depth = torch.tensor([e.depth for e in self.experiments], device=where)
        self.depth = depth.to(torch_dtype)
        scale = torch.tensor([e.init ** (1.0 / e.depth) for e in self.experiments], dtype=torch_dtype, device=where)
        sizes = torch.tensor(self.sizes, device=where)
        self.coordinates = torch.arange(self.width, device=where)[None, :] < sizes[:, None]
        if model == "diagonal":
            start = scale[:, None] * self.coordinates
            self.parameters = [torch.nn.Parameter(start.clone()), torch.nn.Parameter(start.clone())]
            self.normaliser = self.depth  # the depth-normalised loss L/N
        else:
            layers = max(e.depth for e in self.experiments) - 1
            delta = torch.zeros(count, max(layers, 1), self.width, dtype=torch_dtype, device=where)
            delta[:, :, 0] = scale[:, None]
            self.layer_used = torch.arange(max(layers, 1), device=where)[None, :] < (depth - 1)[:, None]
            self.parameters = [torch.nn.Parameter(delta[:, 0].clone()), torch.nn.Parameter(delta[:, :layers].clone())]
            self.normaliser = torch.ones(count, dtype=torch_dtype, device=where)
            self.groups = [(torch.tensor([b for b, s in enumerate(self.sizes) if s == size], device=where), size)
                           for size in sorted(set(self.sizes))]
        self._data(data)

    def _data(self, data):
        samples = sorted({e.data for e in self.experiments if data[e.data].inputs is not None})
        self.sampled = torch.tensor([b for b, e in enumerate(self.experiments) if e.data in samples], device=self.where,
                                    dtype=torch.long)
        self.population = torch.tensor([b for b, e in enumerate(self.experiments) if e.data not in samples],
                                       device=self.where, dtype=torch.long)
        targets = np.zeros((len(self.population), self.width))
        for row, b in enumerate(self.population.tolist()):
            target = data[self.experiments[b].data].target
            targets[row, : len(target)] = target
        self.targets = torch.tensor(targets, dtype=self.dtype, device=self.where)
        self.rows = max([data[s].inputs.shape[0] for s in samples], default=1)
        if not samples:
            return
        inputs = np.zeros((len(samples), self.rows, self.width))
        labels, weights = np.zeros((len(samples), self.rows)), np.zeros((len(samples), self.rows))
        for index, s in enumerate(samples):
            n, d = data[s].inputs.shape
            inputs[index, :n, :d], labels[index, :n], weights[index, :n] = data[s].inputs, data[s].labels, 1.0 / n
        self.inputs, self.labels, self.weights = (torch.tensor(a, dtype=self.dtype, device=self.where)
                                                  for a in (inputs, labels, weights))
        dataset = [samples.index(self.experiments[b].data) for b in self.sampled.tolist()]
        slot = [dataset[:i].count(s) for i, s in enumerate(dataset)]
        self.grid = (torch.tensor(dataset, device=self.where), torch.tensor(slot, device=self.where))
        self.slots = max(slot) + 1

    def predictor(self) -> torch.Tensor:
        if self.model == "diagonal":
            plus, minus = self.parameters
            return (plus ** self.depth[:, None] - minus ** self.depth[:, None]) * self.coordinates
        last, filters = self.parameters
        parts, order = [], []
        for index, size in self.groups:
            spectrum = torch.fft.rfft(last[index, :size])
            for j in range(filters.shape[1]):
                factor = torch.fft.rfft(filters[index, j, :size])
                spectrum = spectrum * torch.where(self.layer_used[index, j, None], factor, torch.ones_like(factor))
            parts.append(torch.nn.functional.pad(torch.fft.irfft(spectrum, n=size), (0, self.width - size)))
            order.append(index)
        return torch.cat(parts)[torch.argsort(torch.cat(order))]

    def amplitudes(self, beta: torch.Tensor) -> torch.Tensor:
        if self.model == "diagonal":
            return beta.abs()
        out = torch.zeros(beta.shape[0], self.width // 2 + 1, dtype=beta.dtype, device=beta.device)
        for index, size in self.groups:
            out[index, : size // 2 + 1] = torch.fft.rfft(beta[index, :size]).abs()
        return out

    def loss(self, beta: torch.Tensor) -> torch.Tensor:
        loss = torch.zeros(beta.shape[0], dtype=beta.dtype, device=beta.device)
        if len(self.sampled):
            dataset, slot = self.grid
            grid = torch.zeros(len(self.inputs), self.slots, self.width, dtype=beta.dtype, device=beta.device)
            grid = grid.index_put((dataset, slot), beta[self.sampled])
            margins = self.labels[:, :, None] * torch.bmm(self.inputs, grid.transpose(1, 2))
            per_slot = (self.weights[:, :, None] * torch.exp(-margins)).sum(dim=1)
            loss = loss.index_put((self.sampled,), per_slot[dataset, slot])
        if len(self.population):
            b = beta[self.population]
            log_loss = np.log(2.0) + torch.special.log_ndtr(-(b * self.targets).sum(1)) + 0.5 * b.pow(2).sum(1)
            loss = loss.index_put((self.population,), torch.exp(log_loss))
        return loss

    def run(self, ladder, record, dtype) -> Runs:
        count, where, real = len(self.experiments), self.where, self.dtype
        limit = torch.tensor([e.steps for e in self.experiments], device=where)
        eta = torch.tensor([e.step for e in self.experiments], dtype=real, device=where)
        level = torch.tensor([e.level for e in self.experiments], dtype=real, device=where)
        stop_loss = torch.tensor([e.stop_loss for e in self.experiments], dtype=real, device=where)
        allowance = 4 * (self.rows + self.width) * torch.finfo(real).eps / 2
        amplitude_count = self.width if self.model == "diagonal" else self.width // 2 + 1
        tracked = torch.zeros(count, amplitude_count, dtype=torch.bool, device=where)
        for b, e in enumerate(self.experiments):
            tracked[b, list(e.track)] = True
        crossings = torch.full((count, amplitude_count), -1, dtype=torch.long, device=where)
        reached = torch.full((count, len(ladder)), -1, dtype=torch.long, device=where)
        at = torch.full((count, len(ladder), self.width), float("nan"), dtype=real, device=where)
        amplitudes = torch.zeros(count, len(record), amplitude_count, dtype=real, device=where)
        losses, times = (torch.zeros(count, len(record), dtype=real, device=where) for _ in range(2))
        active = torch.ones(count, dtype=torch.bool, device=where)
        stopped = torch.full((count,), -1, dtype=torch.long, device=where)
        clock = torch.zeros(count, dtype=real, device=where)
        backtracked, undecided = (torch.zeros(count, dtype=torch.long, device=where) for _ in range(2))
        finite = torch.ones(count, dtype=torch.bool, device=where)
        slots = {k: r for r, k in enumerate(record)}
        for k in range(max(e.steps for e in self.experiments) + 1):
            beta = self.predictor()
            loss = self.loss(beta)
            with torch.no_grad():
                current, value = beta.detach(), loss.detach()
                sizes = self.amplitudes(current)
                crossings = torch.where((crossings < 0) & (sizes >= level[:, None]), k, crossings)
                for index, threshold in enumerate(ladder):
                    new = (reached[:, index] < 0) & (value < threshold)
                    reached[:, index] = torch.where(new, k, reached[:, index])
                    at[:, index] = torch.where(new[:, None], current, at[:, index])
                finite &= torch.isfinite(value) | ~active
                done = active & (((value < stop_loss) & ((crossings >= 0) | ~tracked).all(dim=1)) | ~finite
                                 | (k >= limit))
                stopped = torch.where(done, k, stopped)
                active &= ~done
                if k in slots:
                    amplitudes[:, slots[k]], losses[:, slots[k]], times[:, slots[k]] = sizes, value, clock
            if not active.any():
                later = bisect.bisect_right(record, k)  # every experiment stopped: later records stay where they are
                amplitudes[:, later:], losses[:, later:] = sizes[:, None], value[:, None]
                times[:, later:] = clock[:, None]
                break
            step, failed = self._descend(loss, value, eta * active, allowance)
            clock += step
            backtracked += (step < eta) & active
            undecided += failed
        return self._runs(record, amplitudes, losses, times, crossings, ladder, reached, at, current, value, stopped,
                          clock, backtracked, undecided, finite, k, dtype)

    def _descend(self, loss, value, eta, allowance):
        """One backtracking step of every experiment from its step size ``eta`` (0: stays put) on its objective
        L/N (diagonal) or L; returns the steps taken and where no step within HALVINGS halvings descended."""
        objective = (loss / self.normaliser).sum()
        found = torch.autograd.grad(objective, self.parameters, allow_unused=True)
        gradients = [torch.zeros_like(p) if g is None else g  # no filters at all when every depth is 1
                     for p, g in zip(self.parameters, found)]
        with torch.no_grad():
            norm2 = sum(g.pow(2).flatten(1).sum(dim=1) for g in gradients) * self.normaliser
            start = [p.detach().clone() for p in self.parameters]
            step = eta.clone()
            for attempt in range(HALVINGS + 1):
                for parameter, origin, gradient in zip(self.parameters, start, gradients):
                    parameter.copy_(origin - step.view(-1, *[1] * (origin.dim() - 1)) * gradient)
                trial = self.loss(self.predictor())
                enough = (trial <= value - 0.5 * step * norm2 + allowance * value) | (step == 0)
                if enough.all() or attempt == HALVINGS:
                    break
                step = torch.where(enough, step, step / 2)
        return step, ~enough

    def _runs(self, record, amplitudes, losses, times, crossings, ladder, reached, at, beta, value, stopped, clock,
              backtracked, undecided, finite, steps, dtype) -> Runs:
        def out(tensor):
            return tensor.detach().cpu().numpy()

        if self.model == "diagonal":
            layers = tuple(zip(*(out(p) for p in self.parameters)))
        else:
            last, filters = (out(p) for p in self.parameters)
            layers = tuple((last[b], *filters[b, : e.depth - 1]) for b, e in enumerate(self.experiments))
        return Runs(tuple(record), out(amplitudes), out(losses), out(crossings), ladder, out(reached), out(at),
                    out(beta), out(value), out(stopped), layers, out(times), out(clock), out(backtracked),
                    out(undecided), steps, finite=out(finite), device=str(self.where), dtype=dtype)


def _validate(model, experiments, data, ladder, record) -> None:
    """Named errors for every argument out of range."""
    if model not in MODELS:
        raise ValueError(f"model={model!r} is invalid: must be one of {', '.join(MODELS)}")
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one experiment")
    for value in ladder:
        arguments.positive("ladder", value)
    for value in record:
        arguments.integer("record", value, 0, 10**8)
    for index, item in enumerate(data):
        if item.inputs is None:
            target = np.asarray(item.target, dtype=float)
            if target.ndim != 1 or not np.isfinite(target).all() or abs(np.linalg.norm(target) - 1) > 1e-9:
                raise ValueError(f"data[{index}].target is invalid: a finite unit vector (the labelling direction)")
        else:
            x, y = np.asarray(item.inputs), np.asarray(item.labels)
            if x.ndim != 2 or y.shape != (x.shape[0],) or not np.isfinite(x).all() or not np.isin(y, (-1, 1)).all():
                raise ValueError(f"data[{index}] is invalid: inputs n × d (finite) with n labels in {{-1, +1}}")
    for index, e in enumerate(experiments):
        if not 1 <= arguments.depth(e.depth) <= 64:
            raise ValueError(f"experiments[{index}].depth={e.depth} is invalid: torch training supports depth <= 64")
        for name in ("init", "step", "level"):
            arguments.positive(f"experiments[{index}].{name}", getattr(e, name))
        arguments.integer(f"experiments[{index}].steps", e.steps, 0, 10**8)
        if not e.stop_loss >= 0:
            raise ValueError(f"experiments[{index}].stop_loss={e.stop_loss!r} is invalid: must be >= 0 (inf: stop "
                             "once the tracked amplitudes crossed)")
        if not 0 <= e.data < len(data):
            raise ValueError(f"experiments[{index}].data={e.data} is invalid: an index into data (0..{len(data) - 1})")
        amplitudes = data[e.data].dimension if model == "diagonal" else data[e.data].dimension // 2 + 1
        if any(not 0 <= k < amplitudes for k in e.track):
            raise ValueError(f"experiments[{index}].track={e.track} is invalid: amplitude indices in [0, {amplitudes})")
