"""A run's cases depend on its seed and the claim's strategy alone, not on constants Hypothesis harvests from
the source of whatever local modules happen to be loaded (so an edit, an entry point or the install mode cannot
change which cases a seed draws)."""

import contextlib
from unittest import mock

import pytest
from hypothesis import strategies as st

from verify import runner

providers = pytest.importorskip("hypothesis.internal.conjecture.providers")
constants_ast = pytest.importorskip("hypothesis.internal.constants_ast")

STRATEGY = st.tuples(st.integers(0, 10**6), st.integers(-50, 50), st.fractions(0, 1000, max_denominator=1000))


def _harvest_of_other_code():
    """A pool like the one Hypothesis builds from a project's literals (here: made up)."""
    pool = constants_ast.Constants(integers={7, 42, 99, 1000, 31337, 271828}, floats={0.5, 1.41, 2.5, 1e-30})
    return mock.patch.object(providers, "_get_local_constants", lambda: pool)


def test_the_same_seed_draws_the_same_cases_whatever_the_loaded_code_holds():
    plain = runner.draw_cases(STRATEGY, 200, 3)
    with _harvest_of_other_code(), mock.patch.object(providers, "CONSTANTS_CACHE", {}):
        harvested = runner.draw_cases(STRATEGY, 200, 3)
        unguarded = _draw_without_guard(STRATEGY, 200, 3)
    assert harvested == plain
    assert unguarded != plain  # the harvest does change Hypothesis' draws: the guard is what keeps them


def _draw_without_guard(strategy, count, seed_value):
    with mock.patch.object(runner, "seeded_only", contextlib.nullcontext):
        return runner.draw_cases(strategy, count, seed_value)
