"""``verify all`` on local processes (one per core): the same outcomes as in this process, in the same order."""

import json

from verify import executors, runner
from verify.claim import PROFILES, Run
from verify.claims import REGISTRY
from verify.report import as_json


def _outcomes(result) -> list:
    return json.loads(as_json(result))["outcomes"]


def test_local_processes_give_the_in_process_report():
    """thm1's numeric round trip on two chunks of cases, once in this process and once on two spawned workers."""
    claim = REGISTRY["thm1"]
    settings = Run(profile=PROFILES["quick"], dps=20, cases=runner.CHUNK_CASES + 5,
                   checks=frozenset({"inverse-roundtrip"}))
    serial = runner.run(claim, settings)
    pool = executors.Processes(2)
    try:
        parallel = runner.run(claim, settings, executor=pool)
    finally:
        pool.close()
    assert serial.verdict == parallel.verdict == runner.HOLDS
    assert len(serial.outcomes) > runner.CHUNK_CASES  # two chunks (the draw keeps distinct cases only)
    assert _outcomes(serial) == _outcomes(parallel)
    assert (serial.executor, parallel.executor) == ("in-process", "2 local processes")


def test_the_cli_splits_a_claim_over_processes_once_it_has_a_second_chunk(monkeypatch):
    """One chunk of cases stays in this process (a worker's start-up would not pay); a second chunk, or a second
    claim, gets a worker per core (at most one per unit); one core never starts a pool."""
    from types import SimpleNamespace

    from verify import cli

    options = SimpleNamespace(workers=None, scheduler=None)
    one, two = [REGISTRY["thm1"]], [REGISTRY["thm1"], REGISTRY["thm2"]]
    chosen = []
    for cores, claims, cases in ((2, one, runner.CHUNK_CASES), (2, one, runner.CHUNK_CASES + 1), (4, one, 17),
                                 (2, two, 1), (1, one, 100)):
        monkeypatch.setattr(cli.os, "sched_getaffinity", lambda _, cores=cores: set(range(cores)))
        executor = cli._executor(options, claims, Run(cases=cases))
        chosen.append(executor.name)
        executor.close()
    assert chosen == ["in-process", "2 local processes", "2 local processes", "2 local processes", "in-process"]
