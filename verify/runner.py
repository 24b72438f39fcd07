"""Running a claim: global checks, a Hypothesis-drawn batch of cases, batched evaluation, shrinking.

1. The claim's global checks (derivations, claim-wide fits) run once.
2. Hypothesis draws ``run.case_count`` cases from the claim's strategy (generate phase only, seeded), unless
   no per-case check is selected.
3. The claim evaluates the cases in chunks of ``claim.chunk_cases`` (one training batch each) on the run's executor
   (this process, local worker processes, or a Dask cluster: ``verify.executors``); results are merged in case
   order.
4. If a case fails, Hypothesis runs again with the same seed and shrinking on: it meets the same cases
   (their outcomes are reused) and shrinks the first failing one, evaluating each candidate alone, for
   at most ``shrink_seconds``. The last failing candidate is the reported counterexample.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from unittest import mock

from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings

from .claim import ERROR, FAIL, PASS, SKIPPED, Claim, Outcome, Run, for_claim
from .errors import UsageError
from .executors import InProcess

HOLDS, REFUTED, INCONCLUSIVE = "holds", "refuted", "inconclusive"
STAGES = ("derivations and global checks", "drawing cases", "numeric and trained checks", "shrinking a counterexample")
# The CLI's own Hypothesis settings, independent of any profile loaded by the user or by CI=true (whose
# built-in profile derandomizes, which would ignore --seed): cases depend on --seed alone.
_BASE = hypothesis_settings(hypothesis_settings.get_profile("default"), database=None, deadline=None,
                            derandomize=False, suppress_health_check=list(HealthCheck), print_blob=False)


@dataclass
class Result:
    """Everything a report shows about one run of one claim."""

    claim: Claim
    settings: Run
    cases: list
    outcomes: list
    counterexample: Outcome | None
    timings: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)  # claim-specific summaries (e.g. thresholds, fitted slopes)
    device: str = ""  # where models trained ('auto' resolved); the requested device when nothing trained
    executor: str = "in-process"  # where the work ran (verify.executors)

    @property
    def verdict(self) -> str:
        statuses = {outcome.status for outcome in self.outcomes}
        if FAIL in statuses:
            return REFUTED
        if ERROR in statuses or PASS not in statuses:
            return INCONCLUSIVE
        return HOLDS


def run(claim: Claim, settings: Run, progress=None, executor=None) -> Result:
    """Verify ``claim``; ``progress(stage, done, total)`` is called as work completes. ``executor`` (default:
    in this process) runs the global checks and the chunks of cases (``verify.executors``)."""
    return finish(start(claim, settings, executor or InProcess()), progress)


@dataclass
class Pending:
    """A run whose units of work are submitted: the global checks and one unit per chunk of cases."""

    claim: Claim
    settings: Run
    executor: object
    started: float
    global_unit: object
    cases: list
    chunks: list  # (cases, unit)


def start(claim: Claim, settings: Run, executor) -> Pending:
    """Draw the cases and submit the run's units: its global checks, and its cases in chunks of
    ``claim.chunk_cases`` (each chunk one batched training program), the same chunks wherever they run, so that a
    report does not depend on where it ran."""
    settings = for_claim(settings, claim)
    validate_selection(claim, settings)
    started = time.perf_counter()
    # Global checks run here, once, when gathered: derivations fork time-limited SymPy children, which a
    # cluster's (daemonic) workers may not do, and they are cached on this machine anyway.
    global_unit = InProcess().submit(claim.global_outcomes, settings)
    cases = []
    if claim.per_case_checks(settings) and settings.case_count > 0:
        cases = draw_cases(claim.strategy(settings), settings.case_count, settings.seed)
    chunks = []
    for first in range(0, len(cases), claim.chunk_cases):
        chunk = cases[first:first + claim.chunk_cases]
        described = f"{claim.id}: the chunk of cases {first + 1}..{first + len(chunk)} ({'; '.join(c.describe() for c in chunk)})"
        chunks.append((chunk, executor.submit(_evaluate, claim, chunk, settings, describe=described)))
    return Pending(claim, settings, executor, started, global_unit, cases, chunks)


def finish(pending: Pending, progress=None) -> Result:
    """Gather a started run's units in submission order, shrink a failing case (here, sequentially), report."""
    claim, settings, executor = pending.claim, pending.settings, pending.executor
    notify = progress or (lambda *_: None)
    notify(STAGES[0], 0, 1)
    outcomes, global_s = InProcess().gather(pending.global_unit)
    outcomes = list(outcomes)
    timings = {"global_s": global_s, "cases_s": 0.0}
    evidence, devices = {}, set()
    for done, (chunk, unit) in enumerate(pending.chunks):
        notify(STAGES[2], done, len(pending.chunks))
        (chunk_evidence, trained_on), seconds = executor.gather(unit)
        timings["cases_s"] += seconds
        evidence.update(chunk_evidence)
        devices |= {trained_on} - {None}
    device = ", ".join(sorted(devices)) or settings.device  # a cluster's workers may differ: each is named
    for case in pending.cases:
        outcomes.extend(evidence[case])
    for outcome in outcomes:
        claim.check_named(outcome.check)  # an outcome for an undeclared check is a bug in the claim

    counterexample = None
    failing = [outcome for outcome in outcomes if outcome.status == FAIL]
    if any(outcome.case is not None for outcome in failing):
        mark = time.perf_counter()
        notify(STAGES[3], 0, 1)
        checks = {outcome.check for outcome in failing if outcome.case is not None}
        counterexample = shrink(claim, settings, evidence, checks) or max(failing, key=lambda o: o.ratio)
        timings["shrink_s"] = time.perf_counter() - mark
    elif failing:
        counterexample = failing[0]
    timings["total_s"] = time.perf_counter() - pending.started
    result = Result(claim, settings, pending.cases, outcomes, counterexample, timings, device=device,
                    executor=executor.name)
    result.tables = claim.tables(result)
    return result


def validate_selection(claim: Claim, settings: Run) -> None:
    """A UsageError when ``--check`` names a check the claim does not declare."""
    if settings.checks is not None:
        unknown = sorted(settings.checks - {c.name for c in claim.checks})
        if unknown:
            raise UsageError(f"--check {unknown[0]} is not a check of {claim.id}: choose from "
                             + ", ".join(c.name for c in claim.checks))


def _evaluate(claim: Claim, cases: list, settings: Run) -> tuple:
    """A chunk's evidence, and where its models trained, resolved on the process that trained them (which has torch
    loaded already: the process gathering the chunks need not load it to name the device)."""
    evidence = claim.evaluate(cases, settings)
    return evidence, _trained_on(claim, settings, [o for outcomes in evidence.values() for o in outcomes])


def _trained_on(claim: Claim, settings: Run, outcomes: list) -> str | None:
    """Where models trained ('auto' resolved), or None when no check judged a trained model."""
    empirical = {c.name for c in claim.checks if c.kind == "empirical"}
    if not any(o.check in empirical and o.status in (PASS, FAIL) for o in outcomes):
        return None
    from .training.placement import select_device  # noqa: PLC0415 - torch only when models trained

    return str(select_device(settings.device))


def replay(claim: Claim, settings: Run, document: dict) -> Result:
    """Evaluate the selected per-case checks on one case, given as a replay command prints it."""
    settings = for_claim(settings, claim)
    validate_selection(claim, settings)
    started = time.perf_counter()
    kind = type(draw_cases(claim.strategy(settings), 1, settings.seed)[0])
    case = kind.from_json(document)
    outcomes = claim.evaluate([case], settings)[case]
    failing = [outcome for outcome in outcomes if outcome.status == FAIL]
    timings = {"cases_s": time.perf_counter() - started, "total_s": time.perf_counter() - started}
    result = Result(claim, settings, [case], outcomes, max(failing, key=lambda o: o.ratio) if failing else None,
                    timings, device=_trained_on(claim, settings, outcomes) or settings.device)
    result.tables = claim.tables(result)
    return result


@contextlib.contextmanager
def seeded_only():
    """Hypothesis (since 6.131) mixes into about 5 % of its draws constants harvested from the source of the
    locally installed modules loaded at the time, so the same seed would draw other cases after any edit of the
    code, from another entry point, or from a regular (not editable) install. Here a run's cases depend on its
    seed and the claim's strategy alone: the harvested pool is empty while cases are drawn."""
    try:
        from hypothesis.internal.conjecture import providers  # noqa: PLC0415 - internals, where they exist
        from hypothesis.internal.constants_ast import Constants  # noqa: PLC0415
    except ImportError:  # a Hypothesis that harvests nothing
        yield
        return
    if not hasattr(providers, "_get_local_constants"):
        yield
        return
    with mock.patch.object(providers, "_get_local_constants", Constants), \
            mock.patch.object(providers, "CONSTANTS_CACHE", {}):  # its pools were built with the harvest
        yield


def draw_cases(strategy, count: int, random_seed: int) -> list:
    """``count`` distinct cases from ``strategy``, the same ones for the same seed."""
    drawn: list = []

    @hypothesis_settings(_BASE, max_examples=count, phases=[Phase.generate])
    @seed(random_seed)
    @given(strategy)
    def collect(case):
        if case not in drawn:
            drawn.append(case)

    with seeded_only():
        collect()
    return drawn


class _Refuted(AssertionError):
    pass


def shrink(claim: Claim, settings: Run, evidence: dict, checks: set) -> Outcome | None:
    """The smallest failing case Hypothesis finds within the profile's shrink budget; None when the batch's
    failing case was not met again (the caller then reports the batch's worst)."""
    known = dict(evidence)
    failures: list = []
    deadline = time.perf_counter() + settings.profile.shrink_seconds

    @hypothesis_settings(_BASE, max_examples=max(settings.case_count, 1), phases=[Phase.generate, Phase.shrink],
                         report_multiple_bugs=False)
    @seed(settings.seed)
    @given(claim.strategy(settings))
    def refuted_on(case):
        if case not in known:
            if time.perf_counter() > deadline:
                return  # out of shrink budget: untried candidates count as passing
            known[case] = claim.evaluate([case], settings)[case]
        bad = [outcome for outcome in known[case] if outcome.status == FAIL and outcome.check in checks]
        if bad:
            failures.append(bad[0])
            raise _Refuted(bad[0].detail)

    try:
        with seeded_only():
            refuted_on()
    except _Refuted:
        return failures[-1]
    return None


def summary(outcomes: list) -> list:
    """Per check: (name, cases, passed, failed, errors, skipped, worst outcome by error/tolerance)."""
    rows: dict = {}
    for outcome in outcomes:
        rows.setdefault(outcome.check, []).append(outcome)
    table = []
    for name, group in rows.items():
        counted = {status: sum(o.status == status for o in group) for status in (PASS, FAIL, ERROR, SKIPPED)}
        judged = [o for o in group if o.status != SKIPPED]
        worst = max(judged, key=lambda o: o.ratio) if judged else group[0]
        table.append((name, len(group), counted, worst))
    return table
