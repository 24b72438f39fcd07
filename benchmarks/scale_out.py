"""Scale-out on Dask, measured in one run: the same sweep in process and on local workers.

    python benchmarks/scale_out.py [--claim thm1] [--cases 400] [--workers 2] [--profile quick]

Runs ``python -m verify CLAIM --cases K`` in process, then on a local Dask cluster of ``--workers`` worker
processes, checks that both reports agree (apart from timings and the executor), and prints the ratio. It then
measures the cost of one unit of work on the cluster (submit → result of a no-op chunk) and, with the serial
part of the run (global checks, drawing the cases, merging; shrinking would add to it), predicts the speed-up
on 8, 64 and 512 workers by Amdahl's law: T(w) = S + P/w + overhead·⌈chunks/w⌉.
"""

from __future__ import annotations

import argparse
import json
import math
import time

from verify import executors, report, runner
from verify.claim import PROFILES, Run
from verify.claims import REGISTRY


def _timed_run(claim, settings, executor):
    started = time.perf_counter()
    try:
        result = runner.run(claim, settings, executor=executor)
    finally:
        executor.close()
    return result, time.perf_counter() - started


def _comparable(result) -> dict:
    document = json.loads(report.as_json(result))
    document.pop("timings")
    document["environment"].pop("executor")
    return document


def _noop(chunk, settings):
    return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claim", default="thm1")
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", default="quick", choices=sorted(PROFILES))
    options = parser.parse_args()
    claim = REGISTRY[options.claim]
    settings = Run(profile=PROFILES[options.profile], cases=options.cases)

    claim.global_outcomes(settings)  # fill the derivation cache: both runs then read it
    serial, serial_s = _timed_run(claim, settings, executors.InProcess())
    cluster = executors.Dask(workers=options.workers)
    overhead = _unit_overhead(cluster)
    spread, spread_s = _timed_run(claim, settings, cluster)
    assert _comparable(serial) == _comparable(spread), "the reports differ"

    chunks = math.ceil(len(serial.cases) / claim.chunk_cases)
    parallel = serial.timings["cases_s"]
    serial_part = max(serial_s - parallel, 0.0)
    print(f"{options.claim} --cases {options.cases} --profile {options.profile}: {chunks} chunks of "
          f"{claim.chunk_cases} cases; reports identical; verdict {serial.verdict}")
    print(f"in process:              {serial_s:8.2f} s  (serial part {serial_part:.2f} s: global checks, drawing, "
          "merging)")
    print(f"{options.workers} local workers:         {spread_s:8.2f} s  (start-up of the cluster not included)")
    print(f"speed-up:                {serial_s / spread_s:8.2f}x  (ideal {options.workers}x on {options.workers} free "
          "cores)")
    print(f"cluster overhead per chunk: {overhead * 1000:.1f} ms")
    for workers in (8, 64, 512):
        predicted = serial_part + parallel / workers + overhead * math.ceil(chunks / workers)
        print(f"predicted on {workers:3d} workers:  {serial_s / predicted:7.1f}x  ({predicted:.2f} s)")


def _unit_overhead(cluster, units: int = 40) -> float:
    """Seconds from submit to result for a no-op unit, averaged over ``units`` submitted together."""
    cluster.gather(cluster.submit(_noop, [], None))  # warm the workers
    started = time.perf_counter()
    submitted = [cluster.submit(_noop, [], None) for _ in range(units)]
    for unit in submitted:
        cluster.gather(unit)
    return (time.perf_counter() - started) / units


if __name__ == "__main__":
    main()
