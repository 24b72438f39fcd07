"""Linear stability of GD: the derivations, the numeric references, and the trainers against hand-derived values."""

from fractions import Fraction
from unittest import mock

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
