"""The controls researchers expect: replaying a counterexample, JUnit XML, --out, --quiet, one owner per stream,
list --json, no files in the working directory."""

import json
import shlex
import xml.etree.ElementTree as ET

from theory import theorem1
from verify.cli import main

FAST = ["--profile", "quick", "--cases", "2", "--check", "closed-form-vs-quadrature"]


def corrupted_thm1():
    """Theorem 1 with the depth-N ≥ 3 time's sign flipped."""
    stated = theorem1.STATEMENT["antiderivative"]
    return theorem1.substituted(antiderivative=lambda d: stated(d) if d in (1, 2) else -stated(d))


def test_a_counterexample_prints_a_replay_command_that_reproduces_it(capsys, tmp_path):
    with corrupted_thm1():
        assert main(["thm1", *FAST, "--junit-xml", str(tmp_path / "junit.xml")]) == 1
        output = capsys.readouterr().out
        (line,) = [line for line in output.splitlines() if line.startswith("Replay it: ")]
        command = shlex.split(line.removeprefix("Replay it: "))
        assert command[:3] == ["python", "-m", "verify"]
        assert main(command[3:]) == 1
        replayed = capsys.readouterr().out
    assert "1 cases drawn" in replayed and "REFUTED" in replayed
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite.get("name") == "thm1" and suite.get("failures") == "1" and suite.get("tests") == "1"
    failure = suite.find("testcase").find("failure")
    assert "tolerance" in failure.get("message") and "Replay: python -m verify thm1" in failure.text
    with corrupted_thm1():
        assert main(["thm1", *FAST[:2], "--check", "closed-form-vs-quadrature", "--replay", "{\"depth\": 2}"]) == 2
    assert "replay" in capsys.readouterr().err


def test_out_writes_report_json_and_latex_and_quiet_prints_only_the_verdict(capsys, tmp_path):
    assert main(["thm1", *FAST, "--quiet", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and printed[0].startswith("VERDICT: thm1 HOLDS")
    document = json.loads((tmp_path / "thm1.json").read_text())
    assert document["verdict"] == "holds" and document["settings"]["checks"] == ["closed-form-vs-quadrature"]
    assert "Where each tolerance comes from" in (tmp_path / "thm1.txt").read_text()
    assert "% verdict: HOLDS (seed 0, profile quick, 2 cases" in (tmp_path / "thm1.tex").read_text()


def test_stdout_has_one_owner(capsys):
    assert main(["thm1", *FAST, "--latex", "-"]) == 2
    assert main(["thm1", *FAST, "--latex", "-", "--json", "--quiet"]) == 2
    assert "would mix LaTeX" in capsys.readouterr().err
    assert main(["thm1", *FAST, "--latex", "-", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VERDICT") or out.startswith("%")


def test_list_json_declares_every_check(capsys):
    assert main(["list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    thm1 = next(claim for claim in listing if claim["id"] == "thm1")
    assert {"name": "gd-order", "kind": "empirical"}.items() <= thm1["checks"][-1].items()


def test_no_files_are_written_into_the_working_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["thm1", *FAST]) == 0
    assert list(tmp_path.iterdir()) == []


def test_the_settings_line_states_the_steps_a_case_really_trains():
    """Sensing's Gaussian runs may take 3 × the profile's budget, so its settings line promises that, not the
    bare budget; every drawn case's run fits what is promised."""
    from verify.claim import PROFILES, Run, for_claim
    from verify.claims import REGISTRY
    from verify.report import header
    from verify.runner import draw_cases

    claim, profile = REGISTRY["sensing"], PROFILES["quick"]
    promised = 3 * profile.step_budget
    assert f"≤ {promised} (S)GD steps per case" in header(claim, Run(profile=profile))
    cases = draw_cases(claim.strategy(for_claim(Run(profile=profile), claim)), 30, 0)
    assert max(case.steps for case in cases) > profile.step_budget  # the bare budget would be a false promise
    assert all(max(case.steps, case.aligned_steps) <= promised for case in cases)


def test_figures_of_a_run_that_measured_nothing_they_show_are_skipped_with_a_note(capsys, tmp_path):
    """deep-alignment's figure plots the alignment check's measurements: with only another check selected there
    is nothing to draw, which is said, not a crash."""
    arguments = ["deep-alignment", "--profile", "quick", "--cases", "1", "--check", "direction-vs-margin"]
    assert main([*arguments, "--plot", str(tmp_path / "figures")]) == 0
    assert "deep-alignment: no figure drawn" in capsys.readouterr().err


def test_a_failing_figure_is_that_claims_internal_error_and_the_report_still_comes(capsys, tmp_path):
    """A bug in figure code (here a ValueError, as matplotlib raises for a negative error bar) is reported with
    its traceback as an internal error of that claim's figures; the report is printed, the exit code is 2."""
    from unittest import mock

    from verify.claims import REGISTRY

    def broken(directory, result):
        raise ValueError("'yerr' must not contain negative values")

    with mock.patch.object(REGISTRY["thm1"], "figures", broken):
        assert main(["thm1", *FAST, "--plot", str(tmp_path / "figures")]) == 2
    captured = capsys.readouterr()
    assert "VERDICT: thm1 HOLDS" in captured.out
    assert "Traceback" in captured.err and "internal error drawing thm1's figures: ValueError" in captured.err
