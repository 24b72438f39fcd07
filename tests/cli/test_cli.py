"""``python -m verify`` as a user runs it: real subprocesses, exit codes, one-line errors."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*arguments, timeout=300):
    return subprocess.run([sys.executable, "-m", "verify", *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "CI": "true"})


def test_help_and_list():
    helped = run("--help")
    assert helped.returncode == 0 and "Exit codes" in helped.stdout
    listed = run("list")
    assert listed.returncode == 0 and "thm1" in listed.stdout and "provenance" in listed.stdout


def test_thm1_quick_holds_and_prints_a_table():
    done = run("thm1", "--profile", "quick")
    assert done.returncode == 0, done.stderr
    for column in ("check", "worst error", "tolerance", "verdict"):
        assert column in done.stdout
    assert "VERDICT: thm1 HOLDS" in done.stdout


def test_json_is_valid_and_identical_across_runs_except_timings():
    first, second = (run("thm1", "--profile", "quick", "--json", "--seed", "5") for _ in range(2))
    assert first.returncode == second.returncode == 0
    documents = [json.loads(done.stdout) for done in (first, second)]
    for document in documents:
        assert document["schema_version"] == 2 and document["verdict"] == "holds"
        assert document["settings"]["seed"] == 5
        document.pop("timings")
    assert json.dumps(documents[0], sort_keys=False) == json.dumps(documents[1], sort_keys=False)


@pytest.mark.parametrize("arguments, phrase", [
    (("thm9",), "unknown claim 'thm9'"),
    (("tmh1",), "did you mean 'thm1'"),
    (("thm1", "--dps", "10"), "dps='10' is invalid: dps must be an integer in [15, 1000]"),
    (("thm1", "--dps", "abc"), "dps='abc' is invalid"),
    (("thm1", "--seed", "-1"), "seed='-1' is invalid"),
    (("thm1", "--seed", "nan"), "seed='nan' is invalid"),
    (("thm1", "--profile", "fast"), "invalid choice"),
    (("thm1", "--device", "tpu"), "invalid choice"),
    (("thm1", "--bogus"), "unrecognized arguments"),
    ((), "the following arguments are required"),
])
def test_bad_usage_exits_2_with_one_line_and_no_traceback(arguments, phrase):
    done = run(*arguments)
    assert done.returncode == 2
    assert phrase in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("arguments, phrase", [
    (("thm2", "--bound", "sigma_j*(r-1", "--kind", "sufficient"), "does not parse"),
    (("thm2", "--bound", "sigma_j*x", "--kind", "sufficient"), "unknown symbols: x"),
    (("thm2", "--bound", "log(s - 1/2)", "--kind", "sufficient"), "positive real number on the whole sampled domain"),
    (("thm2", "--bound", "sigma_j", "--kind", "sufficient", "--depth", "1"), "--bound needs a depth ≥ 2"),
    (("thm2", "--bound", "sigma_j"), "--bound needs --kind"),
    (("thm2", "--kind", "sufficient"), "--kind applies only with --bound"),
    (("thm1", "--depth", "3"), "applies to thm2"),
    (("thm2", "--depth", "0"), "depth='0' is invalid"),
    (("thm2", "--depth", "3-65"), "a range such as 3-8"),
    (("thm2", "--bound", "sigma_j", "--kind", "maybe"), "kind='maybe' is invalid"),
])
def test_bad_bound_usage(arguments, phrase):
    done = run(*arguments)
    assert done.returncode == 2 and phrase in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_reader_that_closes_the_pipe_ends_the_run_quietly():
    """`python -m verify list --json | head -1`: exit 141 (128 + SIGPIPE) and no traceback."""
    process = subprocess.Popen([sys.executable, "-m", "verify", "list", "--json"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.read(1)
    process.stdout.close()  # the reader goes away long before the listing (≈ 40 kB) is written
    assert process.wait(timeout=120) == 141
    assert b"Traceback" not in process.stderr.read()
