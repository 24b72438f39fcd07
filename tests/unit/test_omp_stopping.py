"""When OMP stops: at ½‖r‖² below the tolerance (the threshold itself continues), at the feature limit,
and when the best column is one already chosen."""

import numpy as np

from numerics import omp


def test_stops_when_half_the_squared_residual_falls_below_the_tolerance():
    x = np.eye(3)
    y = np.array([3.0, 2.0, 1.0])  # after picking e1, e2: r = (0, 0, 1), ½‖r‖² = 0.5
    assert omp.omp(x, y, tolerance=0.5)[0] == [0, 1, 2]  # at the tolerance: one more pick
    assert omp.omp(x, y, tolerance=0.5 + 1e-12)[0] == [0, 1]
    assert omp.omp(x, y, tolerance=0.6, max_features=1)[0] == [0]
    assert omp.omp(x, np.zeros(3))[0] == []
    assert omp.omp(x, np.array([3.0, 2.0, 0.1]))[0] == [0, 1, 2]  # default tolerance 1e-4: ½‖r‖² = 5e-3 goes on
    assert omp.omp(x, np.array([3.0, 2.0, 0.01]))[0] == [0, 1]  # 5e-5 stops


def test_a_column_picked_twice_ends_the_selection():
    """Columns 0 and 1 nearly parallel, y along column 0: after the exact fit on column 0 the residual is
    0, so the next pick repeats column 0 (argmax of zeros) and the selection ends there."""
    x = np.array([[1.0, 1.0], [0.0, 1e-3]])
    order, orthogonality = omp.omp(x, np.array([2.0, 0.0]), tolerance=-1.0)
    assert order == [0] and len(orthogonality) == 1 and orthogonality[0] < 1e-12


def test_integer_input_is_treated_as_real():
    order, _ = omp.omp(np.array([[2, 0], [0, 1]]), np.array([1, 3]), tolerance=0)
    assert order == [1, 0]
