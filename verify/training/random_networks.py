"""Networks at initialisation, sampled in one batched torch program: their embeddings' singular values by depth.

An ensemble is ``samples`` independent bias-free networks of width n, applied to a fixed number of inputs:

* ``linear``: inputs the identity I_n, layers with i.i.d. N(0, 1/n) entries, so after L layers the embedding
  H_L = G_1 ⋯ G_L is a product of L Gaussian matrices (the end-to-end matrix of a linear network; its law is
  that of G_L ⋯ G_1);
* ``relu``: ``points`` inputs with i.i.d. N(0, 1) entries, H_l = relu(H_{l−1} W_l), W_l with i.i.d.
  N(0, 2/n) entries (Kaiming normal, gain √2, fan-in n). The spectral entropy of the Gram matrix H Hᵀ uses
  the squares of H's singular values.

All ensembles run together: rows of every ensemble stacked on the leading axis, matrices zero-padded to the
largest shape (padded rows and columns stay exactly zero, so they add only zero singular values, which are
dropped; singular values are computed per shape, without the padding), the activation chosen per row. Layers after an ensemble's deepest recorded depth are the identity.
Each ensemble draws from its own NumPy generator (PCG64 seeded with [seed, layer]), so its draws do not
depend on the batch it runs in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from numerics import arguments

from .placement import Placed, placed

ACTIVATIONS = ("linear", "relu")
MAX_DEPTH = 64
MAX_WIDTH = 512


@dataclass(frozen=True)
class Ensemble:
    """``samples`` networks of ``width`` n; singular values of the embedding recorded after each of ``depths``
    layers; ``points`` inputs (relu only: linear networks take the n × n identity)."""

    activation: str
    width: int
    depths: tuple
    samples: int
    seed: int
    points: int = 0

    @property
    def rows(self) -> int:
        return self.width if self.activation == "linear" else self.points

    @property
    def count(self) -> int:
        """Number of singular values of the embedding: min(rows, width)."""
        return min(self.rows, self.width)


@dataclass(frozen=True)
class Spectra(Placed):
    """``singular[e]``: (samples, len(depths), count) singular values of ensemble e's embedding, descending;
    ``finite[e]``: no NaN or inf in ensemble e."""

    singular: tuple


def sample(ensembles, *, device="auto", dtype="float64") -> Spectra:
    """Draw every ensemble in one tensor program and return its singular values at its depths."""
    _validate(ensembles)
    with placed(device, dtype) as (kind, where), torch.no_grad():
        singular = _sample(list(ensembles), kind, where)
    finite = np.array([bool(np.isfinite(values).all()) for values in singular])
    return Spectra(tuple(singular), finite=finite, device=str(where), dtype=dtype)


def _sample(ensembles, kind, where):
    rows, width = max(e.rows for e in ensembles), max(e.width for e in ensembles)
    starts = np.cumsum([0] + [e.samples for e in ensembles])
    total, deepest = int(starts[-1]), max(max(e.depths) for e in ensembles)
    embedding = torch.zeros((total, rows, width), dtype=kind)
    rectified = torch.zeros(total, dtype=torch.bool)
    for e, ensemble in enumerate(ensembles):
        block = slice(starts[e], starts[e + 1])
        if ensemble.activation == "linear":
            embedding[block, : ensemble.width, : ensemble.width] = torch.eye(ensemble.width, dtype=kind)
        else:
            generator = np.random.default_rng([ensemble.seed, 0])
            points = generator.standard_normal((ensemble.samples, ensemble.points, ensemble.width))
            embedding[block, : ensemble.points, : ensemble.width] = torch.as_tensor(points, dtype=kind)
            rectified[block] = True
    embedding, rectified = embedding.to(where), rectified.to(where)[:, None, None]
    out = [np.full((e.samples, len(e.depths), e.count), math.nan) for e in ensembles]
    for layer in range(1, deepest + 1):
        weights = torch.zeros((total, width, width), dtype=kind)
        for e, ensemble in enumerate(ensembles):
            block = weights[starts[e] : starts[e + 1]]
            if layer > max(ensemble.depths):
                block[:] = torch.eye(width, dtype=kind)
                continue
            gain = 1.0 if ensemble.activation == "linear" else 2.0
            draw = np.random.default_rng([ensemble.seed, layer]).standard_normal(
                (ensemble.samples, ensemble.width, ensemble.width)) * math.sqrt(gain / ensemble.width)
            block[:, : ensemble.width, : ensemble.width] = torch.as_tensor(draw, dtype=kind)
        product = embedding @ weights.to(where)
        embedding = torch.where(rectified, torch.relu(product), product)
        shapes = {}  # ensembles recorded at this layer, grouped by shape: no SVD of padding
        for e, ensemble in enumerate(ensembles):
            if layer in ensemble.depths:
                shapes.setdefault((ensemble.rows, ensemble.width), []).append(e)
        for (height, breadth), due in shapes.items():
            at = torch.cat([torch.arange(starts[e], starts[e + 1]) for e in due]).to(where)
            values = _singular_values(embedding[at, :height, :breadth]).cpu().numpy().astype(np.float64)
            offset = 0
            for e in due:
                ensemble = ensembles[e]
                out[e][:, ensemble.depths.index(layer)] = values[offset : offset + ensemble.samples]
                offset += ensemble.samples
    return out


def _singular_values(matrices: torch.Tensor) -> torch.Tensor:
    """Singular values, descending; NaN rows for non-finite matrices (where LAPACK would raise)."""
    finite = torch.isfinite(matrices).all(dim=2).all(dim=1)
    out = torch.full((matrices.shape[0], min(matrices.shape[1:])), math.nan, dtype=matrices.dtype,
                     device=matrices.device)
    if bool(finite.any()):
        out[finite] = torch.linalg.svdvals(matrices[finite])
    return out


def _validate(ensembles) -> None:
    if not ensembles:
        raise ValueError("ensembles=[] is invalid: give at least one Ensemble")
    for index, ensemble in enumerate(ensembles):
        if ensemble.activation not in ACTIVATIONS:
            raise ValueError(f"ensembles[{index}].activation={ensemble.activation!r} is invalid: must be one of "
                             f"{', '.join(ACTIVATIONS)}")
        arguments.integer("width", ensemble.width, 1, MAX_WIDTH)
        arguments.integer("samples", ensemble.samples, 1, 10**5)
        arguments.integer("seed", ensemble.seed, 0, 2**63 - 1)
        if ensemble.activation == "relu":
            arguments.integer("points", ensemble.points, 1, MAX_WIDTH)
        depths = tuple(ensemble.depths)
        if not depths or list(depths) != sorted(set(depths)):
            raise ValueError(f"ensembles[{index}].depths={depths!r} is invalid: a non-empty increasing tuple of depths")
        for depth in depths:
            arguments.integer("depth", depth, 1, MAX_DEPTH)
