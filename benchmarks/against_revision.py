"""A command's wall time side by side with the same command at an earlier revision of this repository, in one run.

    python benchmarks/against_revision.py REVISION [--repeat 3] -- thm1 --cases 100

The revision is checked out in a temporary git worktree. Both sides run ``python -m verify ARGS -q`` from their own
tree (their own code, this environment's packages), alternately, ``--repeat`` times each, so that a change in the
machine's speed during the run falls on both. The claims of installed packages are left out on both sides (an
earlier revision's kit may not load today's example package). Prints each run's wall seconds and verdict line
(cases drawn, outcomes judged: whether both sides did comparable work), the medians and their ratio, and the wall
seconds per drawn case. Exits 1 when the two sides' verdicts differ.

The issue's baseline for the performance work is 3a24147 (the commit before the first change for it).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# python -m verify, with the entry points of installed claim packages hidden
WITHOUT_INSTALLED_CLAIMS = """
import runpy, sys
from importlib import metadata
found = metadata.entry_points
metadata.entry_points = lambda **kw: [] if kw.get("group") == "implicit_bias_verify.claims" else found(**kw)
sys.argv = ["verify", *sys.argv[1:]]
runpy.run_module("verify", run_name="__main__", alter_sys=True)
"""


def timed(tree: Path, arguments: list) -> tuple:
    """(wall seconds, verdict line) of ``python -m verify ARGUMENTS -q`` run from ``tree``."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WITHOUT_INSTALLED_CLAIMS, *arguments, "-q"], cwd=tree,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("VERDICT")]
    if done.returncode not in (0, 1) or len(lines) != 1:
        raise SystemExit(f"{tree}: python -m verify {' '.join(arguments)} -q ended with exit code {done.returncode}:\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds, lines[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the earlier revision (a commit, tag or branch of this repository)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("arguments", nargs="+", help="the arguments of python -m verify, after --")
    options = parser.parse_args()
    if options.repeat < 1:
        parser.error(f"--repeat {options.repeat} is invalid: at least 1")
    commit = f"{options.revision}^{{commit}}"
    known = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", commit], capture_output=True)
    if known.returncode != 0:
        parser.error(f"revision {options.revision!r} is not a commit of this repository ({ROOT})")

    with tempfile.TemporaryDirectory() as scratch:
        earlier = Path(scratch) / "earlier"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(earlier),
                        options.revision], check=True)
        try:
            sides = {f"at {options.revision}": (earlier, []), "now": (ROOT, [])}
            for _ in range(options.repeat):
                for tree, runs in sides.values():
                    runs.append(timed(tree, options.arguments))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(earlier)], check=True)

    print(f"python -m verify {' '.join(options.arguments)} -q, {options.repeat} runs each, alternately")
    medians, verdicts = {}, {}
    for name, (_, runs) in sides.items():
        for seconds, verdict in runs:
            print(f"  {name:>16}: {seconds:7.2f} s   {verdict}")
        medians[name] = statistics.median(seconds for seconds, _ in runs)
        verdicts[name] = {re.match(r"VERDICT: \S+ (\w+)", verdict).group(1) for _, verdict in runs}
        drawn = re.search(r"(\d+) cases drawn", runs[0][1])
        per_case = f", {medians[name] / int(drawn.group(1)):.3f} s per drawn case" if drawn else ""
        print(f"  {name:>16}: median {medians[name]:.2f} s{per_case}")
    before, after = medians.values()
    print(f"  ratio of the medians (earlier / now): {before / after:.2f}x")
    if len({frozenset(v) for v in verdicts.values()}) != 1:
        print(f"  VERDICTS DIFFER: {verdicts}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
