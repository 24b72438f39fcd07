"""The safeguarded Newton iterations converge like Newton, and Theorem 2's parameter ranges have the
stated edges.

A safeguarded Newton iteration with a wrong derivative still finds the root, by bisection, so the result
alone does not show the error; the number of function evaluations does: Newton needs about a dozen from
the first guess to 120 digits, bisection hundreds.
"""

from fractions import Fraction

import mpmath as mp
import pytest
import sympy as sp

from numerics import separation, toy
from numerics.arguments import ParameterError


def counted(monkeypatch, module, name):
    calls = []
    original = getattr(module, name)

    def wrapper(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.mark.parametrize("dps", [20, 120])
def test_max_init_takes_newton_steps(monkeypatch, dps):
    calls = counted(monkeypatch, separation, "_gap")
    for case in (dict(depth=3, ratio="1.5"), dict(depth=2, ratio="1.1"), dict(depth=6, ratio="1.02")):
        calls.clear()
        separation.max_init(s="0.1", f="0.9", dps=dps, **case)
        assert len(calls) <= 20, case


@pytest.mark.parametrize("dps", [20, 120])
def test_sigma_at_takes_newton_steps(monkeypatch, dps):
    calls = counted(monkeypatch, toy, "_time_to")
    for t, depth, init, guess in ((5, 3, "1e-3", None), (5, 3, "1e-3", "0.9"), (40, 6, "1e-2", None)):
        calls.clear()
        toy.sigma_at(t, depth=depth, target=1, init=init, guess=guess, dps=dps)
        assert len(calls) <= 16, (t, depth)


def test_pair_ranges_have_the_stated_edges():
    case = dict(depth=2, ratio=2, s="0.1", f="0.9")
    with pytest.raises(ParameterError) as raised:
        separation.max_init(**{**case, "s": "0.5", "f": "0.5"})  # s = f: no room to be incremental
    assert raised.value.parameter == "s"
    assert separation.max_init(**{**case, "ratio": "1.5"}) > 0  # any ratio above 1
    top = Fraction(1, 10)  # init = s·target is allowed
    assert separation.hitting_gap(top, **case, dps=20) < 0
    assert not separation.is_incremental(top, **case)
    with pytest.raises(ParameterError) as raised:
        separation.hitting_gap(top * (1 + Fraction(1, 10**12)), **case)
    assert raised.value.parameter == "init"
    assert not separation.is_incremental(top * (1 + Fraction(1, 10**12)), **case)  # above s·target: never
    assert not separation.is_incremental(5, **case)  # even where both hitting times are 0
    small = {**case, "target": Fraction(1, 10)}  # s·target = 0.01, while both times are 0 from f·r·target = 0.18
    assert not separation.is_incremental("0.5", **small)
    with pytest.raises(ParameterError):  # s·target = 0.2 with target 2; (not s/target = 0.05)
        separation.hitting_gap(Fraction(21, 100), **{**case, "target": 2})
    assert separation.hitting_gap(Fraction(1, 5), **{**case, "target": 2}, dps=20) < 0
    for function in (separation.hitting_gap, separation.is_incremental):
        with pytest.raises(ParameterError) as raised:
            function(0, **case)
        assert raised.value.parameter == "init"


def test_gap_close_to_the_threshold_keeps_its_digits():
    """Just below the threshold T_j(s) − T_i(f) cancels about 8 digits of the hitting times (about 10 for
    the ones computed to get there): the guard digits must cover it."""
    case = dict(depth=3, ratio="1.5", s="0.1", f="0.9")
    threshold = separation.max_init(dps=80, **case)
    with mp.workdps(80):
        init = threshold * (1 - mp.mpf(10) ** -8)
    value, reference = separation.hitting_gap(init, dps=30, **case), separation.hitting_gap(init, dps=70, **case)
    with mp.workdps(80):
        assert value > 0 and abs(value - reference) <= abs(reference) * mp.mpf(10) ** -30


def test_bounds_are_sympy_expressions_never_text():
    """Parsing text evaluates Python (``--bound`` parses it safely before it gets here)."""
    with pytest.raises(sp.SympifyError):
        separation.bound_value("sigma_j/2", depth=2, ratio=2, s="0.1", f="0.9")
