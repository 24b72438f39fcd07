"""The data sets a batch of experiments trains on, and the two steps every trainer of them takes: validation with
named errors, and zero-padding to one batched array (a padded row or coordinate is zero, so it adds nothing to a
loss and its gradient)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Data:
    """Inputs X (n × d) and targets y (n): real values for regression, labels ±1 for classifiers."""

    inputs: np.ndarray
    targets: np.ndarray


def validate(experiments, data, *, labels: bool = False) -> None:
    """Named errors for an empty batch, a data set that is not finite n × d inputs with n finite targets (labels
    in {−1, +1} when ``labels``), and an experiment whose ``data`` is not an index into ``data``."""
    if not experiments:
        raise ValueError("experiments=[] is invalid: train at least one experiment")
    for index, item in enumerate(data):
        x, y = np.asarray(item.inputs), np.asarray(item.targets)
        valid = np.isin(y, (-1, 1)).all() if labels else np.isfinite(y).all()
        if x.ndim != 2 or y.shape != (x.shape[0],) or not np.isfinite(x).all() or not valid:
            wanted = "n labels in {-1, +1}" if labels else "n targets"
            raise ValueError(f"data[{index}] is invalid: finite inputs n × d and {wanted}")
    for index, e in enumerate(experiments):
        if not 0 <= e.data < len(data):
            raise ValueError(f"experiments[{index}].data={e.data} is invalid: an index into data (0..{len(data) - 1})")


def padded_to(name: str, size, largest: int) -> int:
    """The size a batch is padded to along one axis: ``size``, a whole number at least the batch's ``largest``, or
    ``largest`` when ``size`` is None. A caller that trains cases in batches passes the largest any case can have:
    padding changes how reductions round, and a case then rounds the same whichever cases share its batch."""
    if size is None:
        return largest
    if not (type(size) is int and size >= largest):
        raise ValueError(f"{name}={size!r} is invalid: a whole number at least {largest}, the batch's largest")
    return size


def padded(experiments, data, shape=None) -> tuple:
    """(inputs B × n × d, targets B × n): experiment b's data set, zero-padded to ``shape`` (n, d), by default the
    batch's largest n and d. The padding changes how reductions round: a caller that trains cases in batches passes
    the largest shape a case can have, so that a case computes the same bits whichever cases share its batch (and
    replayed alone)."""
    largest = (max(data[e.data].inputs.shape[0] for e in experiments),
               max(data[e.data].inputs.shape[1] for e in experiments))
    if shape is not None and not (isinstance(shape, (tuple, list)) and len(shape) == 2):
        raise ValueError(f"shape={shape!r} is invalid: two whole numbers (n, d)")
    rows, width = (padded_to(f"shape[{axis}]", None if shape is None else shape[axis], largest[axis])
                   for axis in (0, 1))
    inputs, targets = np.zeros((len(experiments), rows, width)), np.zeros((len(experiments), rows))
    for b, e in enumerate(experiments):
        x, y = data[e.data].inputs, data[e.data].targets
        inputs[b, : x.shape[0], : x.shape[1]], targets[b, : len(y)] = x, y
    return inputs, targets
