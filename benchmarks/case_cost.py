"""What one case costs before training: drawing it, and thm1's per-case numeric checks, before and after, in one run.

    python benchmarks/case_cost.py [--cases 20] [--seed 0] [--full]

* Drawing: seconds to draw 100 cases for thm1, thm2 and sensing (after an untimed draw at another seed has
  compiled the closed forms). "Before" draws the same cases with the plain bisection for the
  smallest affordable init (``tests/unit/test_smallest_init.py``, the search's specification) and without the
  evaluation caches; the benchmark checks that both draws give the same cases.
* Numeric checks: thm1's per-case checks on ``--cases`` cases (seconds per case, training excluded: the models
  train once, untimed), with and without the memo of closed-form evaluations, the float64 start of σ(t)'s
  inversion, the quadrature intervals shared between levels and the remembered gamma values of G's 2F1; the outcomes
  must be identical. (Halley's step,
  which replaced Newton's in that inversion, is in both.)
* ``--full``: ``thm1 --cases 100`` run in process, before (as above) and after.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import time
from pathlib import Path

from numerics import integrators, toy
from verify import runner, strategies
from verify.claim import Run, for_claim
from verify.claims import sensing, thm1, thm2

SPECIFICATION = Path(__file__).resolve().parents[1] / "tests" / "unit" / "test_smallest_init.py"


@contextlib.contextmanager
def before():
    """The code as it was: bisection for the smallest init, no cache of horizons, no memo of evaluations, no
    float64 start for the inversion σ(t) (its low-precision stage instead), no quadrature intervals shared, no gamma
    values remembered."""
    spec = importlib.util.spec_from_file_location("smallest_init_specification", SPECIFICATION)
    specification = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(specification)
    saved = (strategies.smallest_init, sensing.smallest_init, strategies._horizon, toy._evaluated, toy._float_logit,
             integrators._KEPT_INTERVALS, toy._gamma_memoized)
    strategies.smallest_init = sensing.smallest_init = specification.bisection_smallest_init
    strategies._horizon, toy._evaluated = strategies._horizon.__wrapped__, toy._evaluated.__wrapped__
    toy._float_logit = lambda *_: None
    integrators._KEPT_INTERVALS = 0  # every interval's sum dropped before the next is kept
    toy._gamma_memoized = contextlib.nullcontext
    try:
        yield
    finally:
        (strategies.smallest_init, sensing.smallest_init, strategies._horizon, toy._evaluated, toy._float_logit,
         integrators._KEPT_INTERVALS, toy._gamma_memoized) = saved


def fresh():
    """Empty caches, so that "after" gains nothing from what "before" computed."""
    strategies._horizon.cache_clear()
    toy._evaluated.cache_clear()
    integrators._INTERVALS.clear()
    for remembered in toy._GAMMAS:
        remembered.clear()


def timed(work) -> tuple:
    """(``work()``, the seconds it took)."""
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def draw(claim, count: int, seed: int) -> tuple:
    return timed(lambda: runner.draw_cases(claim.strategy(for_claim(Run(), claim)), count, seed))


def numeric_cost(cases: list, settings: Run) -> tuple:
    """(outcomes, seconds) of thm1's per-case checks on ``cases``, given models trained beforehand."""
    claim = thm1.CLAIM
    trained = claim.train(cases, settings)

    def evaluate():
        claim.train = lambda *_: {case: _untouched(model) for case, model in trained.items()}
        try:
            return claim.evaluate(cases, settings)
        finally:
            del claim.train
    return timed(evaluate)


def _untouched(model):
    """A trained record with an empty replay cache, so that each timing replays GD and the flow itself."""
    replays = getattr(model, "replays", None)
    if replays is None:
        return model
    return type(model)(**{**vars(model), "replays": {}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20, help="cases for the numeric cost")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full", action="store_true", help="also time thm1 --cases 100, before and after")
    options = parser.parse_args()

    for claim in (thm1.CLAIM, sensing.CLAIM):  # compile the closed forms once, untimed: both sides use them
        draw(claim, 100, options.seed + 1)
    print("drawing 100 cases (seconds):           before      after   ratio")
    for claim in (thm1.CLAIM, thm2.CLAIM, sensing.CLAIM):
        with before():
            old, old_s = draw(claim, 100, options.seed)
        fresh()
        new, new_s = draw(claim, 100, options.seed)
        same = "same cases" if old == new else "DIFFERENT CASES"
        print(f"  {claim.id:36}{old_s:8.2f}   {new_s:8.2f}   {old_s / new_s:5.1f}x   ({len(new)} distinct, {same})")

    settings = for_claim(Run(), thm1.CLAIM)
    cases = runner.draw_cases(thm1.CLAIM.strategy(settings), options.cases, options.seed)
    with before():
        old, old_s = numeric_cost(cases, settings)
    fresh()
    new, new_s = numeric_cost(cases, settings)
    same = "same outcomes" if repr(old) == repr(new) else "DIFFERENT OUTCOMES"
    print(f"thm1 per-case checks, training excluded ({len(cases)} cases; seconds per case):")
    print(f"  {'':36}{old_s / len(cases):8.3f}   {new_s / len(cases):8.3f}   {old_s / new_s:5.1f}x   ({same})")

    if options.full:
        settings = for_claim(Run(cases=100, seed=options.seed), thm1.CLAIM)
        with before():
            old, old_s = timed(lambda: runner.run(thm1.CLAIM, settings))
        fresh()
        new, new_s = timed(lambda: runner.run(thm1.CLAIM, settings))
        same = "same outcomes" if repr(old.outcomes) == repr(new.outcomes) else "DIFFERENT OUTCOMES"
        print("thm1 --cases 100, in process (seconds):")
        print(f"  {'':36}{old_s:8.2f}   {new_s:8.2f}   {old_s / new_s:5.1f}x   ({same})")


if __name__ == "__main__":
    main()
