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
