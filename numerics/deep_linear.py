"""Measurements of deep linear networks (NumPy; docs/claims/vardi-classics.md §4): the alignment of adjacent
layers, the Davis–Kahan bound that balancedness puts on it, stable ranks, and the normalised margin's bound on
the direction of the end-to-end predictor."""

from __future__ import annotations

import numpy as np

from .arguments import ParameterError


def alignment(following, layer) -> float:
    """|⟨v_{k+1}, u_k⟩|: the top right singular vector of W_{k+1} against the top left singular vector of W_k."""
    return float(abs(_top_right(following) @ _top_left(layer)))


def davis_kahan(following, layer, difference) -> float:
    """The Davis–Kahan bound on the misalignment 1 − |⟨v_{k+1}, u_k⟩| when W_{k+1}ᵀW_{k+1} − W_kW_kᵀ = D:
    sin θ ≤ ‖D u_k‖/δ with δ = σ_1(W_k)² − σ_2(W_{k+1})² (top eigenvalue of W_kW_kᵀ against the rest of the spectrum
    of W_{k+1}ᵀW_{k+1}), so 1 − cos θ ≤ 1 − √(1 − min(1, ‖D u_k‖/δ)²). Returns 1 (no bound) when δ ≤ 0."""
    top = _top_left(layer)
    second = np.linalg.svd(following, compute_uv=False)
    gap = np.linalg.norm(layer, 2) ** 2 - (second[1] ** 2 if len(second) > 1 else 0.0)
    if gap <= 0:
        return 1.0
    sine = min(1.0, float(np.linalg.norm(np.asarray(difference) @ top)) / gap)
    return 1.0 - float(np.sqrt(1.0 - sine**2))


def stable_rank(layer) -> float:
    """‖W‖_F²/‖W‖₂² (1 for a rank-one matrix)."""
    return float(np.linalg.norm(layer) ** 2 / np.linalg.norm(layer, 2) ** 2)


def margin_direction_bound(margin: float, best: float) -> float:
    """For a unit predictor p with normalised margin γ = min_i⟨p, z_i⟩ > 0 and the SVM ŵ with margin γ* = 1/‖ŵ‖:
    ‖p − ŵ/‖ŵ‖‖ ≤ 2√(1 − (γ/γ*)²) (docs/claims/vardi-classics.md §4.3)."""
    if not 0 < margin <= best:
        raise ParameterError("margin", margin, f"in (0, {best:.6g}] (positive, at most the SVM's margin)")
    return 2.0 * float(np.sqrt(1.0 - (margin / best) ** 2))


def _top_left(matrix):
    return np.linalg.svd(np.asarray(matrix))[0][:, 0]


def _top_right(matrix):
    return np.linalg.svd(np.asarray(matrix))[2][0]
