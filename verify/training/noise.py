"""Gaussian noise of simulated paths, drawn from NumPy generators (their ziggurat: twice as fast as torch's float64
sampler on a CPU, and the same numbers on every device) a chunk of steps at a time, one generator per experiment:
what an experiment draws does not depend on which experiments train with it, so a case replayed alone sees the
noise it saw in its chunk."""

from __future__ import annotations

import numpy as np
import torch

CHUNK = 256  # steps of noise drawn at once (fewer for large shapes: the chunk is held in memory)


def gaussian_steps(rngs, steps: int, shape: tuple, kind: torch.dtype, where: torch.device, *, axis: int = 0,
                   chunk: int = CHUNK):
    """Standard normal tensors, one per step for ``steps`` steps (``next`` gives the next step's): experiment b's
    noise, of ``shape``, from ``rngs[b]``, the experiments stacked along ``axis``. The numbers do not depend on
    ``chunk``."""
    for start in range(0, steps, chunk):
        size = min(chunk, steps - start)
        block = np.stack([rng.standard_normal((size, *shape)) for rng in rngs], axis=1 + axis)
        yield from torch.from_numpy(block).to(where, kind)


def one_per_experiment(rngs, experiments: list) -> list:
    """``rngs`` as a list, checked: one NumPy generator per experiment."""
    rngs = list(rngs)
    if len(rngs) != len(experiments) or not all(isinstance(rng, np.random.Generator) for rng in rngs):
        raise ValueError(f"rngs has {len(rngs)} entries: give one numpy.random.Generator per experiment "
                         f"({len(experiments)})")
    return rngs
