"""The claim contract as a battery of named checks, for this project's registry and for your own claims.

In the spirit of scikit-learn's ``parametrize_with_checks``::

    from verify.testing import parametrize_with_checks

    @parametrize_with_checks([MY_CLAIM])
    def test_contract(claim, check):
        check(claim)

Each check raises ``AssertionError`` saying what is wrong. A claim must: be well declared; hold on a quick
run that produces every declared check and nothing else; give a JSON report valid against the documented
schema; judge a case replayed alone as in its chunk; export LaTeX that compiles (when ``pdflatex`` is
installed); refuse bad options with exit code 2 (when registered); and be refuted under each of its corruptions
(it must declare at least one).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from . import cache, report, runner
from .claim import KINDS, PROFILES, PROVENANCE_TAGS, Claim, Run

QUICK = Run(profile=PROFILES["quick"], seed=0)


def check_declaration(claim: Claim) -> None:
    assert isinstance(claim, Claim), f"{claim!r} is not a verify.claim.Claim"
    for attribute in ("id", "title", "statement"):
        assert isinstance(getattr(claim, attribute, None), str) and getattr(claim, attribute), f"{attribute} is empty"
    assert claim.provenance and all(tag in PROVENANCE_TAGS and text for tag, text in claim.provenance), \
        f"provenance must be (tag, text) pairs with tags in {PROVENANCE_TAGS}"
    assert claim.checks, "a claim declares at least one check"
    names = [c.name for c in claim.checks]
    assert len(names) == len(set(names)), f"duplicate check names in {names}"
    for declared in claim.checks:
        assert declared.kind in KINDS and declared.compares and declared.tolerance and declared.measures, \
            f"check {declared.name} must say its kind, what it compares, what it measures and its tolerance's source"


def check_quick_run(claim: Claim) -> None:
    result = _quick(claim)
    produced = {o.check for o in result.outcomes}
    missing = [c.name for c in claim.checks if c.name not in produced]
    assert not missing, f"a quick run produced no outcome for the declared checks {missing}"
    assert result.verdict == runner.HOLDS, f"a quick run at seed 0 ended {result.verdict}: {report.body(result)}"


def check_json_report(claim: Claim) -> None:
    import jsonschema  # noqa: PLC0415 - a test dependency

    from .schema import REPORT  # noqa: PLC0415

    document = json.loads(report.as_json(_quick(claim)))
    jsonschema.validate(document, REPORT)
    assert [c["name"] for c in document["checks"]] == [c.name for c in claim.checks]


def check_latex_compiles(claim: Claim) -> None:
    """The standalone export compiles with no overfull line and one align block per derivation step; the
    fragment (only the align blocks) compiles inside a minimal paper."""
    from .latex import document  # noqa: PLC0415

    derivations = claim.derivations()
    if not derivations:
        return
    steps = sum(len(derivation.steps) for derivation in derivations)
    standalone, fragment = document(claim, derivations), document(claim, derivations, fragment=True)
    assert standalone.count(r"\begin{align*}") == steps, "one align block per derivation step"
    for line in fragment.splitlines():
        assert line.startswith(("%", r"\begin{align*}", r"\end{align*}")) or "&" in line or not line.strip(), line
    log = _pdflatex(standalone)
    assert "Overfull \\hbox" not in log, "every line fits the page: long sums and vectors are broken"
    _pdflatex("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n" + fragment
              + "\\end{document}\n")


def _pdflatex(source: str) -> str:
    """Compile ``source`` with a real engine; its log (an AssertionError on any error)."""
    if shutil.which("pdflatex") is None:
        raise AssertionError("pdflatex is missing: install TeX Live (Debian: texlive-latex-base)")
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "claim.tex").write_text(source)
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "claim.tex"], cwd=directory,
                              capture_output=True, text=True, timeout=300)
        log = (Path(directory) / "claim.log").read_text(errors="replace")
        assert done.returncode == 0 and "Undefined control sequence" not in log, f"pdflatex failed:\n{log[-2000:]}"
        return log


def check_replay_judged_as_in_its_chunk(claim: Claim) -> None:
    """The last case of the quick run, replayed alone from its JSON (the command a counterexample prints), gets the
    outcomes it got in its chunk: to the bit, or the same statuses where the claim declares ``batch_invariant =
    False``."""
    result = _quick(claim)
    judged = [case for case in result.cases if any(outcome.case == case for outcome in result.outcomes)]
    if not judged:
        return
    case = judged[-1]
    replayed = runner.replay(claim, QUICK, json.loads(json.dumps(case.exact_json())))

    def outcomes(listed) -> list:
        if claim.batch_invariant:
            return [repr((o.check, o.status, o.error, o.tolerance, o.detail)) for o in listed]
        return [(o.check, o.status) for o in listed]

    alone, in_chunk = outcomes(replayed.outcomes), outcomes([o for o in result.outcomes if o.case == case])
    assert alone == in_chunk, (f"{case.describe()} replayed alone is judged otherwise than in its chunk: draw its "
                               "random numbers from run.case_rng and pad its batch to the largest shape a case can "
                               f"have (docs/adding-a-claim.md)\nalone:    {alone}\nin chunk: {in_chunk}")


def check_bad_options_exit_2(claim: Claim) -> None:
    from .claims import REGISTRY  # noqa: PLC0415
    from .cli import EXIT_USAGE, main  # noqa: PLC0415

    if claim.id not in REGISTRY:
        return  # the command line reaches registered claims only
    for bad in (["--cases", "0"], ["--check", "no-such-check"], ["--dps", "nan"], ["--seed", "-1"],
                *([f"--{option.name}", "nan∞"] for option in claim.options)):
        with contextlib.redirect_stderr(io.StringIO()) as stderr, contextlib.redirect_stdout(io.StringIO()):
            code = main([claim.id, "--profile", "quick", *bad])
        message = stderr.getvalue()
        assert code == EXIT_USAGE, f"{' '.join(bad)} exited {code}, not 2"
        assert "Traceback" not in message and message.count("\n") == 1, f"{' '.join(bad)}: {message!r}"


def check_corruptions_refuted(claim: Claim) -> None:
    assert claim.corruptions, "declare at least one Corruption: a check that cannot fail is a defect"
    for corruption in claim.corruptions:
        selected = Run(profile=PROFILES["quick"], seed=0, checks=frozenset(corruption.checks))
        with cache.disabled(), corruption.patch():
            result = runner.run(claim, selected)
        assert result.verdict == runner.REFUTED, \
            f"corruption {corruption.name!r} was not refuted by {corruption.checks}: {result.verdict}"


CHECKS = (check_declaration, check_quick_run, check_json_report, check_replay_judged_as_in_its_chunk,
          check_latex_compiles, check_bad_options_exit_2, check_corruptions_refuted)


def claim_checks(claim: Claim):
    """The battery for ``claim``: (name, check) pairs, each check called with the claim."""
    for check in CHECKS:
        yield check.__name__, check


def parametrize_with_checks(claims):
    """A pytest decorator running every check of the battery on every claim (test arguments ``claim, check``);
    the checks of one claim stay on one worker under pytest-xdist's ``--dist loadgroup``."""
    import pytest  # noqa: PLC0415

    parameters = [pytest.param(claim, check, id=f"{claim.id}-{name}", marks=pytest.mark.xdist_group(claim.id))
                  for claim in claims for name, check in claim_checks(claim)]
    return pytest.mark.parametrize(("claim", "check"), parameters)


@lru_cache(maxsize=None)
def _quick(claim: Claim):
    return runner.run(claim, QUICK)
