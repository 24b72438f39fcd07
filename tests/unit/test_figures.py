"""Figures a researcher can put in a paper: ticks that cover what is plotted, error bars within a probability's
range, a paper's column width with legible text and legends that hide no data."""

import math

import pytest

from verify import plots
from verify.claim import PROFILES, Outcome, Run, for_claim
from verify.claims import REGISTRY
from verify.runner import Result, draw_cases

plt = plots.plt


def captured(monkeypatch):
    """The figures the claims hand to ``plots.save`` (fitted to the chosen width, as saved), not written."""
    figures = []

    def keep(figure, directory, stem):
        if plots._chosen["width"] is not None:
            plots.fit(figure, plots.WIDTHS[plots._chosen["width"]])
        figures.append(figure)
        return [stem]

    monkeypatch.setattr(plots, "save", keep)
    return figures


def omp_result(agreements):
    """An omp run whose judged first-pick outcomes carry these agreement curves (one per experiment)."""
    claim = REGISTRY["omp"]
    run = for_claim(Run(profile=PROFILES["quick"]), claim)
    template = draw_cases(claim.strategy(run), 1, 0)[0]
    cases = [type(template)(dataset=index, sparsity=6) for index in range(len(agreements))]
    outcomes = [Outcome("first-pick", case, 0.0, 0.0, "pass", "", (("agreement", curve),))
                for case, curve in zip(cases, agreements)]
    return Result(claim, run, cases, outcomes, None)


def test_decade_ticks_cover_the_plotted_range_with_few_whole_decades():
    figure, axis = plt.subplots()
    plots.decade_ticks(axis, 3e-117, 0.09)  # thm2's phase diagram: depth 2 falls through ~117 decades
    ticks = axis.yaxis.get_major_locator()()
    low, high = axis.get_ylim()
    assert low <= 3e-117 and 0.09 <= high <= 1.0, "the axis starts at the data, not decades above any value"
    assert len(ticks) <= 8 and ticks[0] == low and ticks[-1] == high
    exponents = [round(math.log10(t)) for t in ticks]
    assert len({b - a for a, b in zip(exponents, exponents[1:])}) == 1, "evenly spaced decades"
    plt.close(figure)


def test_omp_figure3_has_integer_s_ticks_bars_within_0_1_and_says_how_many_were_averaged(monkeypatch):
    figures = captured(monkeypatch)
    # s = 1: all agree; s = 2: 0.5 and 1; s = 3: one experiment only
    result = omp_result([(1.0, 0.5, 0.333333), (1.0, 1.0), (1.0,)])
    REGISTRY["omp"].figures(None, result)
    (figure,) = figures
    axis = figure.axes[0]
    assert list(axis.get_xticks()) == [1, 2, 3]
    assert [t.get_text() for t in axis.get_xticklabels()] == ["1\n(3)", "2\n(2)", "3\n(1)"]
    bars = [segment for collection in axis.collections for segment in collection.get_segments()]
    assert bars and all(0.0 <= y <= 1.0 for segment in bars for _, y in segment), "a probability's error bar"
    assert all(segment[1][1] - segment[0][1] > 0.1 for segment in bars), "all agreeing, or one experiment: not certain"
    assert "Wilson interval over 3 experiments" in axis.get_title() and "the paper: 100" in axis.get_title()
    assert axis.get_xlabel() and axis.get_ylabel()
    plt.close(figure)


def test_a_column_width_figure_is_3_4_inches_with_legible_text_and_legends_below_the_panels(monkeypatch):
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    for axis in (left, right):
        axis.plot([0, 1], [0, 1], label="a curve whose end a legend could hide")
        axis.legend(loc="lower right", fontsize=7.5)
    left.set_ylabel("y")
    left.set_xlabel("x")
    right.set_xlabel("x")
    figure.suptitle("a long suptitle " * 8, fontsize=11)
    plots.fit(figure, plots.WIDTHS["column"])
    figure.canvas.draw()
    assert figure.get_figwidth() == pytest.approx(3.4)
    assert all(axis.get_legend() is None for axis in figure.axes), "no legend over a panel's data"
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == ["a curve whose end a legend could hide"]
    sizes = [text.get_fontsize() for text in figure.findobj(plots.Text) if text.get_text()]
    assert min(sizes) >= plots.SMALLEST_POINTS
    assert [axis.get_subplotspec().get_geometry()[:2] for axis in figure.axes] == [(2, 1), (2, 1)], "stacked"
    assert all(axis.get_xlabel() and axis.get_ylabel() for axis in figure.axes), "every panel labelled"
    drawn = figure.get_tightbbox(figure.canvas.get_renderer())  # inches: everything drawn, texts included
    assert drawn.x0 >= -0.01 and drawn.x1 <= 3.41 and drawn.y0 >= -0.01, "nothing clipped at the edges"
    plt.close(figure)


def test_an_unknown_width_is_refused():
    with pytest.raises(ValueError, match="column, page"):
        with plots.width("poster"):
            pass


def test_the_wilson_interval_never_gives_a_negative_error_bar():
    """Every mean k/n of up to 40 experiments lies in its interval, to the last bit (matplotlib refuses negative
    error bars: a default omp run once stopped on one an ulp below zero)."""
    import numpy as np

    from verify.claims.omp import _wilson

    counts = np.array([n for n in range(1, 41) for _ in range(n + 1)], dtype=float)
    means = np.array([k / n for n in range(1, 41) for k in range(n + 1)])
    low, high = _wilson(means, counts)
    assert (means - low >= 0).all() and (high - means >= 0).all() and (low >= 0).all() and (high <= 1).all()


def test_minnorm_decay_panel_leaves_out_a_case_that_starts_at_its_limit_and_says_so(monkeypatch):
    """A case whose init is already the limit (‖w₀ − w∞‖ = 0, drawn at seed 0) has no relative decay (0/0): its curve
    is left out, the title says how many, and NumPy warns of nothing."""
    import warnings

    figures = captured(monkeypatch)
    claim = REGISTRY["minnorm"]
    run = for_claim(Run(profile=PROFILES["quick"]), claim)
    case = draw_cases(claim.strategy(run), 1, 0)[0]
    curve = {"record": [0, 1, 2], "errors": [1.0, 0.5, 0.25], "bounds": [1.0, 0.6, 0.3], "rate": 0.5}
    outcomes = [Outcome("gd-vs-limit", case, 0.5, 1.0, "pass", "", tuple({**curve, "distance": 2.0}.items())),
                Outcome("gd-vs-limit", case, 0.0, 1.0, "pass", "",
                        tuple({**curve, "errors": [0.0] * 3, "distance": 0.0}.items()))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        claim.figures(None, Result(claim, run, [case], outcomes, None))
    (figure,) = figures
    decay = figure.axes[1]
    assert len(decay.get_lines()) == 2  # one case: its GD dots and its bound
    assert "1 drawn cases" in decay.get_title() and "1 more start at" in decay.get_title()
    plt.close(figure)
