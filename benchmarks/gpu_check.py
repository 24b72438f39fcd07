"""GPU check, prepared as one script (run it on a machine with a CUDA GPU; it finishes in under 8 minutes).

    python benchmarks/gpu_check.py [--budget 420] [--out gpu-check]

1. Every registered claim at ``--profile quick`` (and, while the time budget lasts, ``default``) with
   ``--device cuda`` and with ``--device cpu``, same seed: the verdicts and the status of every (check, case)
   must agree (the values differ by float64 rounding, which every tolerance covers).
2. The batched toy trainer's throughput on the GPU (parameter elements updated per second at 16k and 262k
   cases) as a fraction of the GPU's memory bandwidth, measured in the same run with a device-to-device copy.

Prints one line per comparison and a summary; exits 1 if any comparison disagrees. Writes the JSON reports into
``--out``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import torch

from verify.claims import REGISTRY
from verify.training import toy as training


def _report(claim: str, profile: str, device: str, out: Path) -> dict:
    path = out / f"{claim}-{profile}-{device}.json"
    done = subprocess.run([sys.executable, "-m", "verify", claim, "--profile", profile, "--device", device, "--json",
                           "--seed", "0"], capture_output=True, text=True)
    path.write_text(done.stdout)
    document = json.loads(done.stdout)
    return {"verdict": document["verdict"], "device": document["environment"]["device"],
            "statuses": {(o["check"], json.dumps(o["case"], sort_keys=True)): o["status"] for o in document["outcomes"]}}


def _bandwidth_fraction(cases: int, steps: int = 200) -> tuple:
    """(elements updated per second, fraction of the copy bandwidth) for the toy trainer on the GPU."""
    experiments = [training.Experiment(4, (Fraction(3), Fraction(2), Fraction(1)), Fraction(1, 100), Fraction(1, 100),
                                       (0, steps))] * cases
    training.train(experiments[:8], device="cuda")  # start-up, untimed
    torch.cuda.synchronize()
    started = time.perf_counter()
    training.train(experiments, device="cuda")
    torch.cuda.synchronize()
    elements = cases * 4 * 3 * steps / (time.perf_counter() - started)
    buffer = torch.empty(2**28, dtype=torch.float64, device="cuda")
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(10):
        buffer.clone()
    torch.cuda.synchronize()
    copy = 10 * buffer.numel() / (time.perf_counter() - started)  # elements read and written per second
    return elements, elements / copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=420.0, help="seconds for the claim comparisons")
    parser.add_argument("--out", default="gpu-check")
    options = parser.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device: run this on a machine with a GPU")
        return 2
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    started, disagreements, compared = time.perf_counter(), 0, 0
    for profile in ("quick", "default"):
        for claim in REGISTRY:
            if time.perf_counter() - started > options.budget:
                print(f"time budget spent: {profile} {claim} and later not compared")
                break
            gpu, cpu = _report(claim, profile, "cuda", out), _report(claim, profile, "cpu", out)
            same = gpu["verdict"] == cpu["verdict"] and gpu["statuses"] == cpu["statuses"]
            compared += 1
            disagreements += not same
            print(f"{claim:24s} {profile:8s} cuda {gpu['verdict']:12s} cpu {cpu['verdict']:12s} "
                  f"{'agree' if same else 'DISAGREE'} (trained on {gpu['device']})", flush=True)
    for cases in (16_384, 262_144):
        elements, fraction = _bandwidth_fraction(cases)
        print(f"toy trainer, {cases} cases: {elements:.3e} elements/s = {100 * fraction:.1f} % of the copy bandwidth")
    print(f"{compared} comparisons, {disagreements} disagreements, {time.perf_counter() - started:.0f} s")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
