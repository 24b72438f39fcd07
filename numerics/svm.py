"""The hard-margin ℓ2 support vector machine without bias, solved exactly, with its KKT conditions checked.

    minimise ½‖w‖²  subject to  y_i ⟨w, x_i⟩ ≥ 1 for every i.

This is the max-margin direction that gradient descent on the exponential loss of a linear model converges to
(Soudry et al. 2018), and the baseline of the classification claims. scikit-learn's ``LinearSVC()`` (the
authors' baseline) is not it: C = 1, a squared hinge loss and an intercept make it a soft-margin solution.

Method: a least-distance programme min ‖w‖ s.t. G w ≥ h (G = rows y_i x_i, h = 1) is solved by one
non-negative least-squares problem (Lawson & Hanson, *Solving Least Squares Problems*, ch. 23): with
E = [Gᵀ; hᵀ] and f = (0, …, 0, 1), let u ≥ 0 minimise ‖E u − f‖ and r = E u − f. If r = 0 the constraints are
incompatible (no separating w); otherwise w = −r_{1:d}/r_{d+1}, and the dual variables of the SVM are
α = u/‖r‖² (from ‖r‖² = −r_{d+1} = 1 − Σ u). SciPy's ``nnls`` is an active-set method that terminates with an
exact solution up to rounding, so the KKT conditions below hold to a tolerance set by float64 and the
conditioning of the support vectors, not by an iteration count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from .arguments import ParameterError

KKT_TOLERANCE = 1e-8  # float64 NNLS: relative residuals ~1e-13 here; 1e-8 leaves room for ill-conditioned supports
SEPARATION_FLOOR = 1e-10  # ‖r‖² = 1/(1 + ‖w‖²): below this the margin 1/‖w‖ is under 1e-5 × the data scale


@dataclass(frozen=True)
class HardMarginSVM:
    """The solution: ``weights`` w, ``duals`` α ≥ 0 (w = Σ α_i y_i x_i), the geometric margin 1/‖w‖, and the
    KKT residuals (dimensionless; all ≤ ``KKT_TOLERANCE``)."""

    weights: np.ndarray
    duals: np.ndarray
    margin: float
    kkt: dict


def hard_margin(inputs, labels) -> HardMarginSVM:
    """The hard-margin SVM through the origin of ``inputs`` (n × d) with ``labels`` ±1.

    Raises ``ParameterError`` for non-separable data and ``ArithmeticError`` if the solution fails its KKT check.
    """
    x, y = _validated(inputs, labels)
    constraints = y[:, None] * x
    n, d = constraints.shape
    system = np.vstack([constraints.T, np.ones((1, n))])
    rhs = np.zeros(d + 1)
    rhs[-1] = 1.0
    solution, _ = nnls(system, rhs, maxiter=50 * (n + d))
    residual = system @ solution - rhs
    squared = float(residual @ residual)
    if squared <= SEPARATION_FLOOR:
        raise ParameterError("labels", f"{n} labels in {d} dimensions", "linearly separable through the origin "
                             "(some w with y_i <w, x_i> > 0 for every i)", "the hard-margin SVM does not exist; "
                             "a soft margin or a bias would be a different problem")
    weights = -residual[:d] / residual[-1]
    duals = solution / squared
    kkt = kkt_residuals(x, y, weights, duals)
    worst = max(kkt.values())
    if not worst <= KKT_TOLERANCE:
        raise ArithmeticError(f"the SVM solution fails its KKT conditions: worst residual {worst:.3g} > "
                              f"{KKT_TOLERANCE:g} ({', '.join(f'{k} {v:.2g}' for k, v in kkt.items())})")
    return HardMarginSVM(weights, duals, 1.0 / float(np.linalg.norm(weights)), kkt)


def kkt_residuals(inputs, labels, weights, duals) -> dict:
    """How far (w, α) is from the hard-margin optimum, each residual dimensionless (0 at the optimum):

    * ``feasibility``: max_i (1 − y_i⟨w, x_i⟩)_+, margins below 1;
    * ``dual_sign``: max_i (−α_i)_+ / max α;
    * ``slackness``: max_i α_i |y_i⟨w, x_i⟩ − 1| / max α (complementary slackness);
    * ``stationarity``: ‖w − Σ α_i y_i x_i‖ / ‖w‖;
    * ``duality_gap``: |‖w‖² − Σ α_i| / ‖w‖² (the primal and dual objectives agree).
    """
    x, y = _validated(inputs, labels)
    w, alpha = np.asarray(weights, dtype=np.float64), np.asarray(duals, dtype=np.float64)
    if w.shape != (x.shape[1],) or alpha.shape != (x.shape[0],):
        raise ParameterError("weights", f"shapes {w.shape}, {alpha.shape}", f"a {x.shape[1]}-vector w and "
                             f"{x.shape[0]} duals")
    margins = y * (x @ w)
    scale, norm2 = max(float(alpha.max()), np.finfo(float).tiny), float(w @ w)
    return {"feasibility": float(max(0.0, (1 - margins).max())),
            "dual_sign": float(max(0.0, -alpha.min())) / scale,
            "slackness": float((alpha * np.abs(margins - 1)).max()) / scale,
            "stationarity": float(np.linalg.norm(w - (alpha * y) @ x)) / np.sqrt(norm2),
            "duality_gap": abs(norm2 - float(alpha.sum())) / norm2}


def _validated(inputs, labels):
    x = np.asarray(inputs, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ParameterError("inputs", f"an array of shape {x.shape}", "an n × d array with n, d >= 1")
    if y.shape != (x.shape[0],):
        raise ParameterError("labels", f"an array of shape {y.shape}", f"a vector of {x.shape[0]} labels (one per row)")
    if not (np.isfinite(x).all() and np.isin(y, (-1.0, 1.0)).all()):
        raise ParameterError("labels", "the given data", "labels in {-1, +1} and finite inputs")
    return x, y
