"""Linear stability of gradient descent: a minimum sharper than 2/η repels GD with step size η.

Mathematics in ``docs/claims/vardi-stability-and-rank.md`` §1. Three derivations, every step checked:

* ``quadratic_derivation``: GD on ½λx² multiplies x by 1 − ηλ, so x_k = (1 − ηλ)^k x_0, and
  (1 − ηλ)² − 1 = ηλ(ηλ − 2): |1 − ηλ| < 1 iff 0 < ηλ < 2. The multiplier reaches −1 at the sharpness
  ``sharpness_limit(η)`` = 2/η. For ½xᵀHx, H = R diag(λ_1, λ_2) Rᵀ, each eigenvector is multiplied by its
  own 1 − ηλ_i and ‖x_k‖² = Σ_i (1 − ηλ_i)^{2k} c_i², c = Rᵀx_0 (R a rotation, rationally parametrised).
  For any C² loss the GD map's Jacobian
  is I − η∇²L, so at a minimum the same multipliers decide whether GD can converge to it.
* ``toy_derivation``: L(a, b) = ½(ab − 1)². On the valley of minima ab = 1 the Hessian has the eigenvalues
  {a² + b², 0} (the zero one along the valley); a² + b² − 2 = (a − b)² ≥ 0, so every minimum has sharpness
  ≥ 2 and none is stable for η > 1. With D = a² − b² and r = ab − 1: (a² + b²)² = D² + 4(ab)², so a minimum
  has sharpness √(D² + 4); gradient flow conserves D, and one GD step maps D → D(1 − η²r²) and
  r → r(1 − η(a² + b²) + η²ab·r).
"""

from __future__ import annotations

import sympy as sp

from .derivation import Derivation

eta = sp.Symbol("eta", positive=True)  # the step size η
lam = sp.Symbol("lambda", positive=True)  # a curvature (Hessian eigenvalue)
x, x0 = sp.Symbol("x", real=True), sp.Symbol("x_0", real=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
a, b = sp.symbols("a b", real=True)
a_pos = sp.Symbol("a", positive=True)  # a point of the valley ab = 1 with a > 0 (b = 1/a; a < 0 is symmetric)


def sharpness_limit(step):
    """The largest sharpness a minimum can have and still attract GD with step size ``step``: 2/η."""
    return 2 / step


def quadratic_derivation() -> Derivation:
    """GD on quadratics: the multiplier 1 − ηλ, the k-step closed form and the threshold 2/η."""
    derivation = Derivation("Gradient descent on a quadratic")
    loss = lam * x**2 / 2
    multiplier = derivation.equal("One GD step on L = ½λx²: x − η L'(x)", x - eta * sp.diff(loss, x),
                                  (1 - eta * lam) * x, name=r"x_{k+1}")
    closed = (1 - eta * lam) ** k * x0
    derivation.equal("x_k = (1 − ηλ)^k x_0 satisfies the recurrence (substituted back)",
                     closed.subs(k, k + 1), (multiplier / x) * closed, name=r"x_{k+1}")
    derivation.equal("Squared multiplier minus one: negative iff 0 < ηλ < 2, so x_k → 0 iff ηλ < 2 and |x_k| grows "
                     "geometrically iff ηλ > 2", (1 - eta * lam) ** 2 - 1, eta * lam * (eta * lam - 2),
                     name=r"(1-\eta\lambda)^2-1")
    critical = sp.solve(sp.Eq(1 - eta * lam, -1), lam)
    derivation.equal("The multiplier is −1 (the boundary) at the sharpness λ = 2/η", critical[0],
                     sharpness_limit(eta), name=r"\lambda_{\mathrm{crit}}")
    _matrix_quadratic(derivation)
    _jacobian(derivation)
    return derivation


def _matrix_quadratic(derivation: Derivation) -> None:
    """½xᵀHx with H = R diag(λ_1, λ_2) Rᵀ, R a rotation: eigen-directions decouple. The rotation is written with
    the rational parametrisation cos θ = (1 − s²)/(1 + s²), sin θ = 2s/(1 + s²) (every rotation but θ = π), so
    the identities are rational and ``cancel`` decides them."""
    s = sp.Symbol("s", real=True)
    cosine, sine = (1 - s**2) / (1 + s**2), 2 * s / (1 + s**2)
    rotation = sp.Matrix([[cosine, -sine], [sine, cosine]])
    lams = sp.symbols("lambda_1 lambda_2", positive=True)
    hessian = rotation * sp.diag(*lams) * rotation.T
    step = sp.eye(2) - eta * hessian  # the GD map of ½xᵀHx: x → x − ηHx
    for i in range(2):
        direction = rotation[:, i]
        for row in range(2):
            derivation.equal(f"(I − ηH) maps the eigenvector R e_{i + 1} to (1 − ηλ_{i + 1}) R e_{i + 1} "
                             f"(component {row + 1})", (step * direction)[row], (1 - eta * lams[i]) * direction[row],
                             name=rf"[(I-\eta H)Re_{i + 1}]_{row + 1}")
    c = sp.symbols("c_1 c_2", real=True)
    iterate = rotation * sp.Matrix([(1 - eta * lams[i]) ** k * c[i] for i in range(2)])
    derivation.equal("‖x_k‖² = Σ_i (1 − ηλ_i)^{2k} c_i², c = Rᵀx_0 (R orthogonal)", (iterate.T * iterate)[0, 0],
                     sum((1 - eta * lams[i]) ** (2 * k) * c[i] ** 2 for i in range(2)), name=r"\|x_k\|^2")


def _jacobian(derivation: Derivation) -> None:
    """For any C² loss, the GD map θ → θ − η∇L(θ) has Jacobian I − η∇²L(θ)."""
    theta = sp.symbols("theta_1 theta_2", real=True)
    loss = sp.Function("L")(*theta)
    step = [theta[i] - eta * sp.diff(loss, theta[i]) for i in range(2)]
    for i in range(2):
        for j in range(2):
            derivation.equal(f"Jacobian entry ({i + 1}, {j + 1}) of the GD map: δ_ij − η ∂_i∂_j L",
                             sp.diff(step[i], theta[j]),
                             sp.KroneckerDelta(i, j) - eta * sp.diff(loss, theta[i], theta[j]),
                             name=rf"\partial(\theta_{i + 1}-\eta\partial_{i + 1}L)/\partial\theta_{j + 1}")


def toy_hessian(a_, b_) -> sp.Matrix:
    """The Hessian of ½(ab − 1)² as stated (the corruption tests substitute a wrong one)."""
    return sp.Matrix([[b_**2, 2 * a_ * b_ - 1], [2 * a_ * b_ - 1, a_**2]])


def toy_derivation() -> Derivation:
    """L(a, b) = ½(ab − 1)²: the valley's sharpness, its lower bound 2, and the balance D = a² − b²."""
    derivation = Derivation("The (ab − 1)² model: sharpness of its minima under GD")
    loss = (a * b - 1) ** 2 / 2
    stated = toy_hessian(a, b)
    for i, j in ((0, 0), (0, 1), (1, 1)):
        derivation.equal(f"Hessian entry ({i + 1}, {j + 1})", sp.diff(loss, (a, b)[i], (a, b)[j]), stated[i, j],
                         name=rf"\partial^2L/\partial {'ab'[i]}\,\partial {'ab'[j]}")
    on_valley = stated.subs(b, 1 / a_pos).subs(a, a_pos)
    s = sp.Symbol("s")
    derivation.equal("On the valley b = 1/a: det(H − sI) = s(s − (a² + b²)), so the eigenvalues are a² + b² "
                     "(the sharpness) and 0", (on_valley - s * sp.eye(2)).det(), s * (s - (a_pos**2 + a_pos**-2)),
                     name=r"\det(H-sI)")
    tangent = on_valley * sp.Matrix([a_pos, -1 / a_pos])
    for row in range(2):
        derivation.equal(f"The zero eigenvalue's direction (a, −b) is the valley's tangent (component {row + 1})",
                         tangent[row], 0, name=rf"[H(a,-b)^\top]_{row + 1}")
    derivation.equal("Sharpness minus 2 on the valley is a square: every minimum has sharpness ≥ 2 (equality at "
                     "a = b = ±1), so for η > 1 (2/η < 2) no minimum is stable", a_pos**2 + a_pos**-2 - 2,
                     (a_pos - 1 / a_pos) ** 2, name=r"a^2+b^2-2")
    balance, residual = a**2 - b**2, a * b - 1
    derivation.equal("(a² + b²)² = D² + 4(ab)², D = a² − b²: on the valley the sharpness is √(D² + 4)",
                     (a**2 + b**2) ** 2, balance**2 + 4 * (a * b) ** 2, name=r"(a^2+b^2)^2")
    flow = [-sp.diff(loss, a), -sp.diff(loss, b)]
    derivation.equal("Gradient flow conserves D: dD/dt = 2a·da/dt − 2b·db/dt", 2 * a * flow[0] - 2 * b * flow[1], 0,
                     name=r"\dot D")
    stepped = {a: a - eta * sp.diff(loss, a), b: b - eta * sp.diff(loss, b)}
    derivation.equal("One GD step multiplies D by 1 − η²r² (r = ab − 1): |D| never grows while η|r| ≤ √2",
                     balance.xreplace(stepped), balance * (1 - eta**2 * residual**2), name=r"D_{k+1}")
    derivation.equal("One GD step multiplies r by 1 − η(a² + b²) + η²ab·r: near the valley, by 1 − η·sharpness",
                     residual.xreplace(stepped), residual * (1 - eta * (a**2 + b**2) + eta**2 * a * b * residual),
                     name=r"r_{k+1}")
    return derivation
