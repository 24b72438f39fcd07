"""Figures redrawn from a saved JSON report (--from-json) are those of the run; what cannot be redrawn is said;
--plot writes no empty directory."""

import json

import numpy as np

from verify import plots, redraw
from verify.claim import PROFILES, Outcome, Run, for_claim
from verify.claims import REGISTRY
from verify.cli import main
from verify.report import as_json
from verify.runner import Result, draw_cases


def omp_run() -> Result:
    """A finished omp run: three judged experiments with their agreement curves, one skipped."""
    claim = REGISTRY["omp"]
    run = for_claim(Run(profile=PROFILES["quick"], seed=3), claim)
    kind = type(draw_cases(claim.strategy(run), 1, 0)[0])
    cases = [kind(dataset=index, sparsity=4 + index) for index in range(4)]
    curves = [(1.0, 0.5, 2 / 3), (1.0, 1.0), (1.0, 0.5, 1 / 3, 0.25), None]
    outcomes = [Outcome("first-pick", case, 0.0, 0.0, "pass", "", (("agreement", curve),)) if curve else
                Outcome("first-pick", case, float("nan"), float("nan"), "skipped", "near tie") for case, curve in
                zip(cases, curves)]
    return Result(claim, run, cases, outcomes, None)


def plotted(result) -> list:
    """The data of every line and collection of the figures the claim draws for ``result``."""
    figures = []
    original = plots.save
    plots.save = lambda figure, directory, stem: figures.append(figure) or []
    try:
        result.claim.figures(None, result)
    finally:
        plots.save = original
    data = [[np.asarray(artist.get_xydata()) for axis in figure.axes for artist in axis.lines]
            + [np.asarray(segment) for axis in figure.axes for c in axis.collections for segment in c.get_segments()]
            for figure in figures]
    for figure in figures:
        plots.plt.close(figure)
    return data


def test_a_figure_redrawn_from_the_json_report_plots_the_same_data_and_bytes(tmp_path, capsys):
    result = omp_run()
    report = tmp_path / "omp.json"
    report.write_text(as_json(result))
    drawn, redrawn = plotted(result), plotted(redraw.read(report, "omp")[0])
    assert len(drawn) == len(redrawn) == 1 and len(drawn[0]) == len(redrawn[0]) >= 2
    for ours, theirs in zip(drawn[0], redrawn[0]):
        assert np.array_equal(ours, theirs)

    direct = REGISTRY["omp"].figures(tmp_path, result)
    assert main(["omp", "--from-json", str(report), "--plot", str(tmp_path / "again")]) == 0
    for path in direct:
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name
    assert "figure written to" in capsys.readouterr().err


def test_figures_that_train_are_not_redrawn_and_the_reason_is_given(tmp_path, capsys):
    claim = REGISTRY["sensing"]
    report = tmp_path / "reports.json"
    documents = [json.loads(as_json(omp_run())),
                 json.loads(as_json(Result(claim, for_claim(Run(profile=PROFILES["quick"]), claim), [], [], None)))]
    report.write_text(json.dumps(documents))
    assert main(["sensing", "--from-json", str(report), "--plot", str(tmp_path / "none")]) == 2
    assert "sensing: its figures cannot be redrawn from a report" in capsys.readouterr().err
    assert not (tmp_path / "none").exists(), "no empty directory"
    assert main(["all", "--from-json", str(report), "--plot", str(tmp_path / "some")]) == 0, "one of two redrawn"
    assert sorted(p.name for p in (tmp_path / "some").iterdir()) == ["omp-figure3.pdf", "omp-figure3.png"]


def test_from_json_refuses_what_it_cannot_do_in_one_line(tmp_path, capsys):
    report = tmp_path / "omp.json"
    report.write_text(as_json(omp_run()))
    (tmp_path / "broken.json").write_text("{")
    for argv in (["omp", "--from-json", str(report)],  # no --plot
                 ["omp", "--from-json", str(report), "--plot", str(tmp_path), "--json"],
                 ["thm2", "--from-json", str(report), "--plot", str(tmp_path)],
                 ["omp", "--from-json", str(tmp_path / "broken.json"), "--plot", str(tmp_path)]):
        assert main(argv) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and "--from-json" in error, error
    assert main(["omp", "--figure-width", "column"]) == 2, "a width without figures to size"
    assert "--figure-width sizes figures" in capsys.readouterr().err


def test_plot_on_a_claim_without_figures_says_so_and_creates_no_directory(tmp_path, capsys):
    target = tmp_path / "figures"
    assert main(["half-time", "--profile", "quick", "--check", "half-time-formula", "-q", "--plot", str(target)]) == 0
    assert "half-time draws no figures" in capsys.readouterr().err
    assert not target.exists()
