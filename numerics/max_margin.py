"""Soudry et al.'s asymptotics in numbers (docs/claims/vardi-classics.md §3): the hard-margin SVM with its support
and the stated offset, and the gradient flow itself, integrated far into the asymptotic regime in log time.

The flow of the mean loss (1/n)Σ ℓ(⟨w, z_i⟩), z_i = y_i x_i, is integrated by SciPy's DOP853 (rtol 1e-12): in t on
[0, 1], then in τ = log t up to τ_end, where dw/dτ = t·(1/n)Σ z_i ψ(⟨w, z_i⟩) (ψ = −ℓ′) is written so that no
exponential overflows: e^{τ − ⟨w, z_i⟩} (exponential loss) or 1/(e^{−τ} + e^{⟨w, z_i⟩ − τ}) (logistic), whose
exponents stay bounded because ⟨w, z_i⟩ ≥ τ + O(1) along the flow. Nothing here uses the SVM: the flow is an
independent route to the asymptote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp
from scipy.optimize import linprog

from theory import max_margin as theory

from . import svm
from .arguments import ParameterError

DUAL_FLOOR = 1e-6  # a dual below 1e-6 × the largest marks a point off the support (the reference's advice)
ACTIVE = 1e-9  # a margin within 1e-9 of 1 is on the margin
RTOL, ATOL = 1e-12, 1e-14
DECAY = 40.0  # the flow is followed until the slowest transient has decayed by e^{−40}
TAU_MAX = 4000.0


@dataclass(frozen=True)
class Asymptote:
    """ŵ (the SVM), its duals and ``support`` (indices), the stated ``growth`` (coefficient of log t) and
    ``offset`` (the stated ρ∞ on the span of the support vectors), and ``rate`` θ: the slowest exponential rate (in
    log time) at which the flow approaches its asymptote (docs/claims/vardi-classics.md §3.3)."""

    svm: svm.HardMarginSVM
    support: np.ndarray
    growth: np.ndarray
    offset: np.ndarray
    rate: float


def asymptote(inputs, labels, *, loss: str) -> Asymptote:
    """The SVM of the data and the stated asymptote of the flow; ``ParameterError`` for degenerate data (a point on
    the margin with a zero dual, or linearly dependent support vectors), where ρ(t) may grow like log log t."""
    x, y = np.asarray(inputs, dtype=float), np.asarray(labels, dtype=float)
    solution = svm.hard_margin(x, y)
    z = y[:, None] * x
    margins = z @ solution.weights
    support = np.flatnonzero(solution.duals > DUAL_FLOOR * solution.duals.max())
    if np.any((margins <= 1 + ACTIVE) & (solution.duals <= DUAL_FLOOR * solution.duals.max())):
        raise ParameterError("labels", "the given data", "a non-degenerate hard-margin SVM (every point on the margin "
                             "with a positive dual)", "a support vector with a zero dual gives log log t corrections")
    rows = z[support]
    if np.linalg.matrix_rank(rows) < len(support):
        raise ParameterError("labels", "the given data", "linearly independent support vectors",
                             "the offset on their span is then not unique")
    n = len(y)
    omega = np.array([float(theory.offset(n, sp.Float(a, 30))) for a in solution.duals[support]])
    offset = rows.T @ np.linalg.solve(rows @ rows.T, omega)
    growth = np.array([float(v) for v in theory.growth(sp.Matrix(solution.weights))], dtype=float)
    root = np.sqrt(solution.duals[support])
    # the linearised flow of ρ on span(S) is −Σ_S α_i z_i z_iᵀ: its nonzero eigenvalues are those of D^½ G_S D^½
    rates = [float(np.linalg.eigvalsh(root[:, None] * (rows @ rows.T) * root[None, :]).min())]
    off = np.setdiff1d(np.arange(n), support)
    if len(off):
        rates.append(float((margins[off] - 1).min()))
    if loss == "logistic":
        rates.append(1.0)  # the e^{−τ} term of the logistic tail
    return Asymptote(solution, support, growth, offset, float(min(rates)))


@dataclass(frozen=True)
class FlowPath:
    """w at the requested log-times ``taus``; w and dw/dτ at τ_end."""

    values: np.ndarray
    tau_end: float
    final: np.ndarray
    velocity: np.ndarray


def flow(inputs, labels, *, loss: str, taus=(), tau_end: float) -> FlowPath:
    """Gradient flow of the mean ``loss`` from w(0) = 0, at the log-times ``taus`` (t = e^τ; τ ≤ τ_end) and at
    τ_end."""
    if loss not in ("exponential", "logistic"):
        raise ParameterError("loss", loss, "exponential or logistic")
    if not 0 <= tau_end <= TAU_MAX:
        raise ParameterError("tau_end", tau_end, f"in [0, {TAU_MAX:g}]")
    taus = np.asarray(taus, dtype=float)
    if np.any(taus > tau_end):
        raise ParameterError("taus", float(taus.max()), f"at most tau_end = {tau_end:g}")
    z = np.asarray(labels, dtype=float)[:, None] * np.asarray(inputs, dtype=float)
    n = len(z)

    def early(_, w):
        pull = np.exp(-(z @ w)) if loss == "exponential" else np.exp(-np.logaddexp(0, z @ w))
        return z.T @ pull / n

    def late(tau, w):
        exponent = z @ w - tau
        pull = np.exp(-exponent) if loss == "exponential" else np.exp(-np.logaddexp(-tau, exponent))
        return z.T @ pull / n

    early_times, late_taus = np.exp(taus[taus <= 0]), taus[taus > 0]
    # A trial stage far beyond an acceptable step can overflow exp(): its error estimate is then not finite and
    # DOP853 rejects the step, so NumPy's warnings say nothing about the result; a non-finite state that was
    # accepted is refused below.
    with np.errstate(over="ignore", invalid="ignore"):
        first = solve_ivp(early, (0, 1), np.zeros(z.shape[1]), method="DOP853", rtol=RTOL, atol=ATOL,
                          t_eval=np.unique(np.append(early_times, 1.0)))
        # at τ_end = 0 the flow ends at t = 1 (SciPy returns no solution at all for an empty span with t_eval)
        second = solve_ivp(late, (0, tau_end), first.y[:, -1], method="DOP853", rtol=RTOL, atol=ATOL,
                           t_eval=np.unique(np.append(late_taus, tau_end))) if tau_end > 0 else first
    if not (first.success and second.success):
        raise ArithmeticError(f"the flow's integration failed: {first.message} / {second.message}")
    if not (np.isfinite(first.y).all() and np.isfinite(second.y).all()):
        raise ArithmeticError("the flow's integration accepted a non-finite state")
    values = np.zeros((len(taus), z.shape[1]))
    values[taus <= 0] = first.y.T[np.searchsorted(first.t, early_times)]
    values[taus > 0] = second.y.T[np.searchsorted(second.t, late_taus)]
    final = second.y[:, -1]
    return FlowPath(values, tau_end, final, late(tau_end, final))


def separable_data(*, points: int, dimension: int, seed: int, gap: float):
    """Gaussian inputs labelled by a random unit teacher, then every point off the SVM's margin moved out along
    y_i ŵ until its margin is at least 1 + ``gap`` (the SVM is unchanged: those constraints stay inactive). The gap
    keeps the flow's slowest transient, e^{−(m_i − 1) log t}, affordable."""
    generator = np.random.default_rng([seed, points, dimension])
    x = generator.standard_normal((points, dimension))
    teacher = generator.standard_normal(dimension)
    y = np.where(x @ teacher >= 0, 1.0, -1.0)
    solution = svm.hard_margin(x, y)
    margins = y * (x @ solution.weights)
    off = (solution.duals <= DUAL_FLOOR * solution.duals.max()) & (margins < 1 + gap)
    x[off] += ((1 + gap - margins[off]) * y[off])[:, None] * solution.weights / (solution.weights @ solution.weights)
    return x, y


def l1_max_margin(inputs, labels) -> np.ndarray:
    """min ‖w‖₁ subject to y_i⟨w, x_i⟩ ≥ 1 by linear programming (HiGHS; w = p − q, p, q ≥ 0): the limit direction
    of diagonal networks, not of fully connected ones (used to corrupt the deep-alignment claim)."""
    z = np.asarray(labels, dtype=float)[:, None] * np.asarray(inputs, dtype=float)
    d = z.shape[1]
    found = linprog(np.ones(2 * d), A_ub=-np.hstack([z, -z]), b_ub=-np.ones(len(z)), bounds=(0, None), method="highs")
    if found.status != 0:
        raise ArithmeticError(f"linprog failed: {found.message}")
    return found.x[:d] - found.x[d:]
