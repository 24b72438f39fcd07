"""End-to-end Theorem 2, wrong bounds refuted, right ones accepted."""

import pytest

from theory import theorem2
from verify import runner
from verify.claim import PROFILES, Run
from verify.claims import REGISTRY
from verify.cli import main

from .corruptions import THEOREM2

K = "(((1-s)/s)*(f/(1-f))**(1/r))"  # parenthesised: ** binds tighter than *
DEEP = "r*sigma_j*((r-1)/(((N-2)/N)*(N/2 + log(1/(1-f))) + r**(1+(N-2)/N)*s**(-(N-2)/N)))**(N/(N-2))"
CORRECT = [
    ("sufficient", 2, f"sigma_j*(2*{K})**(-r/(r-1))*r**(-1/(r-1))"),
    ("necessary", 2, f"sigma_j/(1+{K}**(r/(r-1)))"),
    ("sufficient", 5, DEEP),
    ("sufficient", 3, DEEP.replace("r*sigma_j*", "r*sigma_j/2*")),  # looser, still sufficient
    ("necessary", 4, "s*sigma_j"),  # trivially necessary: σ_j must start below s σ_j*
]
WRONG = [
    ("sufficient", 4, DEEP.replace("**(N/(N-2))", "**(N/(N-2) - 1)")),  # exponent off by one
    ("sufficient", 3, DEEP.replace(" + r**(1+(N-2)/N)*s**(-(N-2)/N)", "")),  # a missing term
    ("sufficient", 6, DEEP.replace("r*sigma_j*", "3*r*sigma_j*")),  # a wrong factor
    ("necessary", 2, f"sigma_j*(2*{K})**(-r/(r-1))*r**(-1/(r-1))"),  # the wrong direction
    ("sufficient", 2, f"sigma_j/(1+{K}**(r/(r-1)))"),  # the wrong direction
    ("sufficient", 3, "sigma_j*(r-1)**2/20"),  # polynomial with the depth-4 exponent
]


def test_theorem2_holds():
    result = runner.run(REGISTRY["thm2"], Run(profile=PROFILES["quick"], seed=11))
    assert result.verdict == runner.HOLDS
    assert any(o.check == "gd-threshold" and o.status == "pass" for o in result.outcomes)


@pytest.mark.parametrize("kind, depth, bound", CORRECT)
def test_correct_bounds_pass(kind, depth, bound, capsys):
    assert main(["thm2", "--bound", bound, "--kind", kind, "--depth", str(depth), "--profile", "quick"]) == 0


@pytest.mark.parametrize("kind, depth, bound", WRONG)
def test_wrong_bounds_are_refuted_at_their_worst_point(kind, depth, bound, capsys):
    assert main(["thm2", "--bound", bound, "--kind", kind, "--depth", str(depth)]) == 1
    output = capsys.readouterr().out
    assert "REFUTED" in output and f"worst at depth={depth}" in output


@pytest.mark.parametrize("name", sorted(THEOREM2))
def test_every_corrupted_stated_bound_is_refuted(name, capsys):
    with theorem2.substituted(**THEOREM2[name]):
        assert main(["thm2", "--profile", "quick"]) == 1
    assert "REFUTED" in capsys.readouterr().out
