"""Linear stability of GD: the derivations, the numeric references, and the trainers against hand-derived values."""

from fractions import Fraction
from unittest import mock

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from numerics import stability as numbers
from numerics.arguments import ParameterError
from theory import stability as theory
from theory.derivation import DerivationError

EIGENVALUES = (Fraction(3), Fraction(2), Fraction(1, 2))
REFLECTOR = (1, 2, -2)
COMPONENTS = (Fraction(1), Fraction(1, 3), Fraction(-2))


def test_derivations_are_exact():
    assert theory.quadratic_derivation().exact
    assert theory.toy_derivation().exact


def test_a_moved_threshold_or_a_wrong_hessian_breaks_the_derivations():
    with mock.patch.object(theory, "sharpness_limit", lambda step: sp.Rational(97, 50) / step):
        with pytest.raises(DerivationError, match="2/η"):
            theory.quadratic_derivation()
    with mock.patch.object(theory, "toy_hessian", lambda a, b: sp.Matrix([[b**2, a * b - 1], [a * b - 1, a**2]])):
        with pytest.raises(DerivationError, match="Hessian entry"):
            theory.toy_derivation()


def test_quadratic_is_exact_and_its_norm_agrees_three_ways():
    p = np.array(numbers.reflector(REFLECTOR), dtype=float)
    assert np.allclose(p @ p, np.eye(3)) and np.allclose(p, p.T)
    hessian = numbers.quadratic_hessian(EIGENVALUES, REFLECTOR)
    assert np.allclose(np.linalg.eigvalsh(np.array(hessian, dtype=float)), sorted(float(v) for v in EIGENVALUES))
    start = numbers.quadratic_start(COMPONENTS, REFLECTOR)
    step, steps = Fraction(2, 3) * Fraction(101, 100), 60  # η·λ_max = 2.02: expanding
    closed = numbers.quadratic_norm(EIGENVALUES, COMPONENTS, step=step, steps=steps, dps=40)
    powers = numbers.quadratic_norm_by_powers(hessian, start, step=step, steps=steps, dps=40)
    direct = np.linalg.norm(np.linalg.matrix_power(np.eye(3) - float(step) * np.array(hessian, dtype=float), steps)
                            @ np.array(start, dtype=float))
    assert abs(closed - powers) <= 1e-30 * closed
    assert abs(float(closed) - direct) <= 1e-12 * direct
    assert numbers.spectral_radius(EIGENVALUES, step=step) == Fraction(101, 50) - 1


def test_toy_references():
    a, b = numbers.valley_start(sharpness=Fraction(21, 2), residual=Fraction(1, 100))
    assert abs(float(a * b) - 1.01) < 1e-11
    assert abs(numbers.flow_limit_sharpness(a, b) - Fraction(21, 2)) < 1e-9
    integrated, _ = numbers.flow_limit_by_integration(Fraction(-27, 10), Fraction(13, 10))
    assert abs(integrated - float(numbers.flow_limit_sharpness(Fraction(-27, 10), Fraction(13, 10)))) < 1e-9
    x, y = 1.3, -0.4
    hessian = np.array([[y * y, 2 * x * y - 1], [2 * x * y - 1, x * x]])
    assert abs(numbers.toy_sharpness(x, y) - np.linalg.eigvalsh(hessian)[-1]) < 1e-14
    matrix = np.random.default_rng(0).standard_normal((6, 6))
    matrix = matrix + matrix.T
    value, residual = numbers.top_eigenvalue(lambda v: matrix @ v, 6)
    assert abs(value - np.linalg.eigvalsh(matrix)[-1]) < 1e-9 and residual < 1e-8


@pytest.mark.parametrize("call, parameter", [
    (lambda: numbers.quadratic_norm([1, 0], [1, 1], step=1, steps=3), "eigenvalues"),
    (lambda: numbers.flow_limit_by_integration(1, -1), "b0"),
    (lambda: numbers.valley_start(sharpness=1, residual=0), "sharpness"),
    (lambda: numbers.reflector([0, 0]), "vector"),
])
def test_bad_parameters_are_named(call, parameter):
    with pytest.raises(ParameterError, match=parameter):
        call()


def test_trainers_take_the_steps_derived_by_hand():
    from verify.training import stability as training

    quadratic = training.train_quadratics([training.Quadratic(((2, 0), (0, 1)), (1, 1), Fraction(1, 4), 2),
                                           training.Quadratic(((3,),), (2,), Fraction(1), 3)], device="cpu")
    # (1 − 2/4)² = 1/4 and (1 − 1/4)² = 9/16 on the two coordinates; 2·(1 − 3)³ = −16
    assert np.allclose(quadratic.norms, [np.hypot(1 / 4, 9 / 16), 16.0], rtol=1e-15)
    a0, b0, eta = Fraction(2), Fraction(1, 4), Fraction(3, 10)
    toys = training.train_toys([training.Toy(a0, b0, eta, 1), training.Toy(3, 2, Fraction(3, 2), 50)], device="cpu")
    r0 = a0 * b0 - 1
    assert toys.a[0] == pytest.approx(float(a0 - eta * b0 * r0), rel=1e-15)
    assert toys.b[0] == pytest.approx(float(b0 - eta * a0 * r0), rel=1e-15)
    # the exact D update of theory/stability.py: D_1 = D_0 (1 − η²r_0²)
    assert toys.a[0] ** 2 - toys.b[0] ** 2 == pytest.approx(float((a0**2 - b0**2) * (1 - eta**2 * r0**2)), rel=1e-14)
    assert toys.escaped[0] == -1 and 0 < toys.escaped[1] <= 50


def test_power_iteration_and_lanczos_find_the_top_hessian_eigenvalue():
    import torch

    from verify.training import stability as training

    rng = np.random.default_rng(1)
    inputs = rng.standard_normal((6, 2))
    weights = (rng.standard_normal((2, 3)), rng.standard_normal((3, 1)))
    biases = (rng.standard_normal(3), rng.standard_normal(1))
    problem = training.Problem(inputs, np.sin(inputs[:, 0]), weights, biases)
    runs = training.train_networks([training.Network(0, 0.01, 1, 1)], [problem], first_iterations=300, iterations=300,
                                   device="cpu")
    flat = torch.tensor(np.concatenate([w.ravel() for w in weights] + [c.ravel() for c in biases]),
                        dtype=torch.float64)

    def loss(theta):
        w1, w2 = theta[:6].reshape(2, 3), theta[6:9].reshape(3, 1)
        c1, c2 = theta[9:12], theta[12:]
        hidden = torch.tanh(torch.as_tensor(inputs) @ w1 + c1)
        return ((hidden @ w2 + c2)[:, 0] - torch.as_tensor(np.sin(inputs[:, 0]))).pow(2).mean()

    hessian = torch.autograd.functional.hessian(loss, flat).numpy()
    top = np.linalg.eigvalsh(hessian)[-1]
    assert runs.sharpness[0, 0] == pytest.approx(top, rel=1e-9)
    # the Lanczos value is taken after the step, where the Hessian has moved by O(η): compare with that one
    assert runs.lanczos[0, 0] == pytest.approx(runs.sharpness[0, 1], rel=1e-9)


# -------------------------------------------------------------------------------------------------------------
# Against mutants (docs/mutation-testing.md): exact values derived by hand, the parameter each bad input names,
# the edges of every accepted range, and precision demanded at 10^-dps.

P_BY_HAND = ((Fraction(7, 9), Fraction(-4, 9), Fraction(4, 9)),  # I − 2vvᵀ/9 for v = (1, 2, −2)
             (Fraction(-4, 9), Fraction(1, 9), Fraction(8, 9)),
             (Fraction(4, 9), Fraction(8, 9), Fraction(1, 9)))


def _gd_norm_squared(hessian, start, step, steps):
    """‖x_K‖² by K exact GD steps x ← x − ηHx in Fractions: a third route, sharing no code with the module."""
    x = list(start)
    for _ in range(steps):
        x = [x[i] - step * sum(hessian[i][j] * x[j] for j in range(len(x))) for i in range(len(x))]
    return sum(value * value for value in x)


def _relative(value, exact, dps):
    with mp.workdps(dps + 40):
        return abs(mp.mpf(value) ** 2 - mp.mpf(exact.numerator) / exact.denominator) / (
            mp.mpf(exact.numerator) / exact.denominator)


def test_reflector_hessian_and_start_are_the_exact_values_derived_by_hand():
    """P for v = (1, 2, −2) written out by hand; H must satisfy HP = P diag(λ) exactly (the columns of P are
    its eigenvectors) and be symmetric; x_0 = Pc worked out by hand (−7, −59, 14)/27. A 1-vector reflects:
    P = [[−1]]; the largest and smallest accepted entries (±10^6) and dimensions (1, 64) are accepted."""
    assert numbers.reflector(REFLECTOR) == [list(row) for row in P_BY_HAND]
    hessian = numbers.quadratic_hessian(EIGENVALUES, REFLECTOR)
    for k, lam in enumerate(EIGENVALUES):
        column = [P_BY_HAND[i][k] for i in range(3)]
        assert [sum(hessian[i][j] * column[j] for j in range(3)) for i in range(3)] == [lam * c for c in column]
    assert all(hessian[i][j] == hessian[j][i] for i in range(3) for j in range(3))
    assert numbers.quadratic_start(COMPONENTS, REFLECTOR) == [Fraction(-7, 27), Fraction(-59, 27), Fraction(14, 27)]
    assert numbers.reflector([3]) == [[-1]]
    assert numbers.reflector([10**6, -10**6]) == [[0, 1], [1, 0]]
    assert len(numbers.reflector([1] * numbers.MAX_DIMENSION)) == numbers.MAX_DIMENSION
    assert numbers.quadratic_hessian([5], [2]) == [[5]] and numbers.quadratic_start([7], [-1]) == [-7]


@pytest.mark.parametrize("call, message", [
    (lambda: numbers.reflector([1.5, 1]), "^vector=1.5 is invalid"),
    (lambda: numbers.reflector([10**6 + 1]), "^vector=1000001 is invalid"),
    (lambda: numbers.reflector([-10**6 - 1]), "^vector=-1000001 is invalid"),
    (lambda: numbers.reflector([1] * 65), "^vector="),
    (lambda: numbers.reflector([]), "^vector="),
    (lambda: numbers.quadratic_hessian([1, 2], [1, 2, 3]), "^vector="),
    (lambda: numbers.quadratic_start([1, "x"], [1, 2]), "^components='x' is invalid"),
    (lambda: numbers.quadratic_start([1, 2], [1, 2, 3]), "^components="),
    (lambda: numbers.quadratic_norm(["x"], [1], step=1, steps=1), "^eigenvalues='x' is invalid"),
    (lambda: numbers.quadratic_norm([1] * 65, [1] * 65, step=1, steps=1), "^eigenvalues="),
    (lambda: numbers.quadratic_norm([], [], step=1, steps=1), "^eigenvalues="),
    (lambda: numbers.quadratic_norm([1], ["x"], step=1, steps=1), "^components='x' is invalid"),
    (lambda: numbers.quadratic_norm([1, 2], [1], step=1, steps=1), "^components="),
    (lambda: numbers.quadratic_norm([1], [1], step=0, steps=1), "^step=0 is invalid"),
    (lambda: numbers.quadratic_norm([1], [1], step=1, steps=-1), "^steps=-1 is invalid"),
    (lambda: numbers.quadratic_norm([1], [1], step=1, steps=10**7 + 1), "^steps=10000001 is invalid"),
    (lambda: numbers.quadratic_norm_by_powers([[1, 0], [0]], [1, 1], step=1, steps=1), "^hessian="),
    (lambda: numbers.quadratic_norm_by_powers([[1]], [1, 1], step=1, steps=1), "^hessian="),
    (lambda: numbers.quadratic_norm_by_powers([], [], step=1, steps=1), "^hessian="),
    (lambda: numbers.quadratic_norm_by_powers([[1] * 65] * 65, [1] * 65, step=1, steps=0), "^hessian="),
    (lambda: numbers.quadratic_norm_by_powers([[True]], [1], step=1, steps=1), "^hessian=True is invalid"),
    (lambda: numbers.quadratic_norm_by_powers([[1]], [True], step=1, steps=1), "^start=True is invalid"),
    (lambda: numbers.quadratic_norm_by_powers([[1]], [1], step=0, steps=1), "^step=0 is invalid"),
    (lambda: numbers.quadratic_norm_by_powers([[1]], [1], step=1, steps=-1), "^steps=-1 is invalid"),
    (lambda: numbers.quadratic_norm_by_powers([[1]], [1], step=1, steps=10**7 + 1), "^steps=10000001 is invalid"),
    (lambda: numbers.spectral_radius([1], step=0), "^step=0 is invalid"),
    (lambda: numbers.flow_limit_sharpness("x", 1), "^a0='x' is invalid"),
    (lambda: numbers.flow_limit_sharpness(1, "x"), "^b0='x' is invalid"),
    (lambda: numbers.flow_limit_sharpness(1001, 1), "^a0=1001 is invalid"),
    (lambda: numbers.flow_limit_sharpness(1, 1001), "^a0=1 is invalid"),  # the range error names a0 for both
    (lambda: numbers.flow_limit_sharpness(-1001, -1), "^a0=-1001 is invalid"),
    (lambda: numbers.valley_start(sharpness="x", residual=0), "^sharpness='x' is invalid"),
    (lambda: numbers.valley_start(sharpness=3, residual="x"), "^residual='x' is invalid"),
    (lambda: numbers.valley_start(sharpness=3, residual=-1), "^residual=-1 is invalid"),
    (lambda: numbers.valley_start(sharpness=3, residual=1), "^residual=1 is invalid"),
    (lambda: numbers.valley_start(sharpness=3, residual=Fraction(3, 2)), "^residual="),
    (lambda: numbers.top_eigenvalue(lambda v: v, 1), "^size=1 is invalid"),
])
def test_each_bad_input_names_its_parameter(call, message):
    """The error starts with the parameter's own name and value (a mutant's XXnameXX or None would not), and
    every range is closed where the code says so."""
    with pytest.raises(ParameterError, match=message):
        call()


@pytest.mark.parametrize("steps", [0, 1, 6, 7, 71])
def test_quadratic_norms_match_exact_gradient_descent_to_dps_digits(steps):
    """Both ‖x_K‖ routes against K exact GD steps in Fractions (K = 6 = 110b and 7 = 111b exercise both bits of
    the repeated squaring, 0 the empty product, 71 a count above 70): 10^-dps relative on ‖x_K‖², dps = 30 and
    45, with the expanding step η·λ_max = 2.02 of the test above."""
    hessian = numbers.quadratic_hessian(EIGENVALUES, REFLECTOR)
    start = numbers.quadratic_start(COMPONENTS, REFLECTOR)
    step = Fraction(2, 3) * Fraction(101, 100)
    exact = _gd_norm_squared(hessian, start, step, steps)
    for dps in (30, 45):
        closed = numbers.quadratic_norm(EIGENVALUES, COMPONENTS, step=step, steps=steps, dps=dps)
        powers = numbers.quadratic_norm_by_powers(hessian, start, step=step, steps=steps, dps=dps)
        assert closed > 0 and powers > 0
        assert _relative(closed, exact, dps) <= mp.mpf(10) ** -dps
        assert _relative(powers, exact, dps) <= mp.mpf(10) ** -dps


def test_repeated_squaring_keeps_its_digits_when_the_start_contracts_fast():
    """A start along the eigenvector with 1 − ηλ = 10^-3 while the other mode has |1 − ηλ| ≈ 1 (λ = (2, 1),
    v = (1, 2), η = 0.999): ‖x_5‖ = 10^-15 exactly, and the rounding of the other mode cancels ~15 digits of
    the working precision. The module's guard digits (18 here) cover it: 10^-30 relative at dps = 30; 12 or
    20 guard digits fewer would not. Also a 1 × 1 and a 64 × 64 case (dimension limits) at K = 0 and 1."""
    hessian = numbers.quadratic_hessian((2, 1), (1, 2))
    start = numbers.quadratic_start((0, 1), (1, 2))
    value = numbers.quadratic_norm_by_powers(hessian, start, step=Fraction(999, 1000), steps=5, dps=30)
    with mp.workdps(60):
        assert abs(value - mp.mpf(10) ** -15) <= mp.mpf(10) ** -45
    assert numbers.quadratic_norm_by_powers([[3]], [2], step=Fraction(1, 2), steps=1) == 1  # |1 − 3/2|·2
    big = [[int(i == j) for j in range(64)] for i in range(64)]
    assert numbers.quadratic_norm_by_powers(big, [3] * 64, step=1, steps=0) == 24  # √(64·9)


def test_spectral_radius_is_the_largest_multiplier_in_absolute_value():
    """max|1 − ηλ| by hand: η = 1/2 on λ = (3, 1, 1/4): multipliers −1/2, 1/2, 7/8 → 7/8 (attained at the
    smallest curvature); η = 1 on (3, 1/2): −2 and 1/2 → 2."""
    assert numbers.spectral_radius((3, 1, Fraction(1, 4)), step=Fraction(1, 2)) == Fraction(7, 8)
    assert numbers.spectral_radius((3, Fraction(1, 2)), step=1) == 2
    assert numbers.spectral_radius([Fraction(1, 2)], step=4) == 1


def test_flow_limit_sharpness_to_dps_digits_and_the_start_range():
    """√(D_0² + 4) with D_0 = a_0² − b_0² (D_0 = −3/4 here, so a wrong power or sign shows), checked through
    S² − D_0² − 4 = 0 at 10^-dps (dps = 30, 60); a = b (D = 0) gives 2, and |a_0|, |b_0| = 1000 are accepted."""
    for dps in (30, 60):
        value = numbers.flow_limit_sharpness(Fraction(1, 2), 1, dps=dps)
        with mp.workdps(dps + 40):
            assert abs(value**2 - mp.mpf(9) / 16 - 4) <= 4 * mp.mpf(10) ** -dps
            assert value > 0
    assert numbers.flow_limit_sharpness(1, 1) == 2
    assert numbers.flow_limit_sharpness(1000, -999) > 0 and numbers.flow_limit_sharpness(-999, 1000) > 0


def test_flow_integration_reaches_the_valley_point_and_takes_the_flow_time():
    """From (3, 1/10): the valley point's a² + b² = √(D² + 4(ab)²) with ab within 1e-13 of 1, i.e. the flow
    limit up to 4e-13/S (S = √(D² + 4) ≈ 9.2), plus an allowance of 2e-13 for the drift of the conserved D at
    rtol 1e-12 (a chosen constant; seen ≤ 1e-13). The time against ∫ du/√(D² + 4(1 + r)²), r = r_0·e^u from
    |r| = 1e-13 to r_0 = ab − 1 (ṙ = −r(a² + b²) along the flow), by mpmath quadrature: the solver's a·b is
    off by up to ~FLOW_RTOL near the valley, where r decays at rate S, which moves the event by
    ≤ log(1 + FLOW_RTOL/1e-13)/S ≈ 0.26."""
    a0, b0 = Fraction(3), Fraction(1, 10)
    limit, time = numbers.flow_limit_by_integration(a0, b0)
    sharpness = float(numbers.flow_limit_sharpness(a0, b0))
    assert abs(limit - sharpness) <= 4e-13 / sharpness + 2e-13
    with mp.workdps(30):
        d, r0 = mp.mpf(899) / 100, mp.mpf(3) / 10 - 1
        flow_time = mp.quad(lambda u: 1 / mp.sqrt(d**2 + 4 * (1 + r0 * mp.exp(u))**2), [mp.log(mp.mpf(10)**-13 / abs(r0)), 0])
    assert abs(time - float(flow_time)) <= np.log(1 + numbers.FLOW_RTOL / 1e-13) / sharpness


def test_valley_start_lies_on_its_sharpness_and_residual_with_twelve_digits():
    """a_0 b_0 = 1 + r and a_0² − b_0² = √(S² − 4), up to the rounding of a_0, b_0 to 12 significant digits
    (relative 5e-12 each); each is a decimal of exactly 12 significant digits. S = 2 (the least sharpness)
    gives the valley point (1, 1)·√(1 + r) rounded; r = 0 and r = −0.99 are inside (−1, 1)."""
    for sharpness, residual in [(Fraction(7, 3), Fraction(-1, 5)), (Fraction(40), Fraction(99, 100)), (5, 0)]:
        a, b = numbers.valley_start(sharpness=sharpness, residual=residual)
        assert abs(a * b / (1 + residual) - 1) <= 1.1e-11
        d = np.sqrt(float(sharpness) ** 2 - 4)
        assert abs(float(a * a - b * b) - d) <= 1.1e-11 * float(a * a + b * b)
        for value in (a, b):
            shift = 11 - int(np.floor(np.log10(float(value))))
            scaled = value * Fraction(10) ** shift
            assert scaled.denominator == 1 and 10**11 <= scaled < 10**12
    a, b = numbers.valley_start(sharpness=2, residual=0)
    assert a == b == 1
    a, b = numbers.valley_start(sharpness=2, residual=Fraction(-99, 100))
    assert a == b == Fraction("0.100000000000")


def test_toy_sharpness_is_the_top_hessian_eigenvalue():
    """λ_max of [[b², 2ab − 1], [2ab − 1, a²]] against NumPy's eigvalsh at three points, 1e-14 relative."""
    for a, b in [(2.0, 0.5), (-1.5, 3.0), (0.25, 0.1)]:
        hessian = np.array([[b * b, 2 * a * b - 1], [2 * a * b - 1, a * a]])
        top = np.linalg.eigvalsh(hessian)[-1]
        assert abs(numbers.toy_sharpness(a, b) - top) <= 1e-14 * abs(top)


def test_top_eigenvalue_is_the_largest_algebraic_one_to_its_tolerance():
    """Diagonal operators, eigenvalues known: 400 values in [−3, 1] with a gap of 1e-3 at the top (Lanczos
    needs restarts; a tolerance of 1 would stop ~1e-3 short) and a large negative one (the largest in
    magnitude, −3, is not the largest algebraic, 1); at 1e-10 the value is good to 1e-8 and its residual
    ‖Hv − λv‖ < 1e-8. A 2 × 2 operator (the least size) by hand: eigenvalues 3 and 1. The start vector is the
    first product asked for (a warm start is used, and no product is wasted on a zero vector)."""
    diagonal = np.linspace(-3.0, 1.0, 400)
    diagonal[-2] = 0.999
    seen = []

    def matvec(v):
        seen.append(v.copy())
        return diagonal * v

    start = np.cos(np.arange(400.0))
    value, residual = numbers.top_eigenvalue(matvec, 400, start=start)
    assert abs(value - 1.0) <= 1e-8 and residual <= 1e-8
    assert np.allclose(seen[0] / np.linalg.norm(seen[0]), start / np.linalg.norm(start), rtol=0, atol=1e-12)
    value, residual = numbers.top_eigenvalue(lambda v: np.array([[2.0, 1.0], [1.0, 2.0]]) @ v, 2)
    assert abs(value - 3.0) <= 1e-12 and residual <= 1e-12
    value, _ = numbers.top_eigenvalue(lambda v: np.arange(71.0) * v, 71)
    assert abs(value - 70.0) <= 1e-8


def test_top_eigenvalue_refuses_a_size_above_its_bound_before_any_product():
    """size = 10^7 + 1 is out of range: the error comes first, no matrix-vector product is asked for (a mutant
    that accepts it starts Lanczos, ~0.3 GB of work vectors, and reaches the refusing product)."""
    def refuse(v):
        raise AssertionError("no product expected")

    with pytest.raises(ParameterError, match="^size=10000001 is invalid"):
        numbers.top_eigenvalue(refuse, 10**7 + 1)


def test_repeated_squaring_guard_digits_scale_with_the_expansion():
    """λ = (30, 1), v = (1, 2), η = 1/2, start along the λ = 1 eigenvector: ‖x_40‖ = 2^-40 exactly, while the
    other mode (1 − ηλ = −14) amplifies the rounding of I − ηH by 14^40: ~58 digits of the working precision
    cancel. The guard, 40·log10(1 + η‖H‖_∞) + 2·bitlength(40) + 10 = 71 digits here, pays for them: 10^-30
    relative at dps = 30 (seen: 2e-46). A guard that grew more slowly with K·log10(1 + η‖H‖) (e.g. K over it,
    or log10(1 + η/‖H‖)) would leave the result wrong at the 30th digit."""
    hessian = numbers.quadratic_hessian((30, 1), (1, 2))
    start = numbers.quadratic_start((0, 1), (1, 2))
    value = numbers.quadratic_norm_by_powers(hessian, start, step=Fraction(1, 2), steps=40, dps=30)
    with mp.workdps(80):
        assert abs(value * mp.mpf(2) ** 40 - 1) <= mp.mpf(10) ** -30


def test_the_largest_accepted_number_of_eigenvalues():
    """64 curvatures (MAX_DIMENSION) are accepted: η = 1/2 on λ = 2 gives the multiplier 0 in every direction."""
    assert numbers.spectral_radius([2] * numbers.MAX_DIMENSION, step=Fraction(1, 2)) == 0
