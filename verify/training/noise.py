"""Gaussian noise of simulated paths, drawn from the run's NumPy generator (its ziggurat: twice as fast as torch's
float64 sampler on a CPU, and the same numbers on every device) a chunk of steps at a time."""

from __future__ import annotations

import torch

CHUNK = 256  # steps of noise drawn at once (fewer for large shapes: the chunk is held in memory)


def gaussian_steps(rng, steps: int, shape: tuple, kind: torch.dtype, where: torch.device, chunk: int = CHUNK):
    """Standard normal tensors of ``shape``, one per step for ``steps`` steps (``next`` gives the next step's); the
    numbers do not depend on ``chunk``."""
    for start in range(0, steps, chunk):
        yield from torch.from_numpy(rng.standard_normal((min(chunk, steps - start), *shape))).to(where, kind)
