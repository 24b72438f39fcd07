"""Fuzzing the public API and the CLI with arbitrary arguments: every bad input is a clear error naming
the parameter (CLI: exit code 2, one line, no traceback), never a traceback, a NaN or a silent pass."""

import math

import mpmath as mp
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from numerics import gd, integrators, separation, toy
from numerics.arguments import ParameterError
from verify import cli, runner

anything = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["nan", "inf", "-1", "0", "1e-400", "1/3", "0.5", "2", "1e999", "abc"]),
    st.fractions(min_value=-5, max_value=5, max_denominator=50), st.lists(st.integers(), max_size=2),
)
small_depth = st.one_of(anything, st.integers(1, 6))
precision = st.one_of(anything, st.integers(15, 40))


def _finite_number(value):
    return isinstance(value, mp.mpf) and mp.isfinite(value)


@settings(max_examples=60)
@given(anything, small_depth, anything, anything, precision)
def test_time_to_and_sigma_at(sigma, depth, target, init, dps):
    for function in (toy.time_to, toy.sigma_at, integrators.quad_time_to):
        try:
            value = function(sigma, depth=depth, target=target, init=init, dps=dps)
        except ParameterError as error:
            assert error.parameter in ("sigma", "t", "depth", "target", "init", "dps") and "must be" in str(error)
        else:
            assert _finite_number(value) and value >= 0


@settings(max_examples=40)
@given(small_depth, anything, anything, anything, anything, precision)
def test_separation(depth, ratio, s, f, target, dps):
    try:
        value = separation.max_init(depth=depth, ratio=ratio, s=s, f=f, target=target, dps=dps)
    except ParameterError as error:
        assert error.parameter in ("depth", "ratio", "s", "f", "target", "dps")
    else:
        assert value is None or (_finite_number(value) and value > 0)


@settings(max_examples=40)
@given(st.lists(st.integers(-3, 50), max_size=3), small_depth, anything, anything, anything)
def test_gd_replay(steps, depth, target, init, step):
    try:
        run = gd.replay(steps, depth=depth, target=target, init=init, step=step, dps=20)
    except ParameterError as error:
        assert error.parameter in ("steps", "depth", "target", "init", "step", "dps")
    else:
        assert all(_finite_number(value) for value in run.sigma)


@settings(max_examples=40)
@given(st.lists(anything, max_size=3), small_depth, anything, anything)
def test_scipy_integrators(levels, depth, target, init):
    try:
        times = integrators.scipy_times_to(levels, depth=depth, target=target, init=init)
    except ParameterError:
        return
    except (ArithmeticError, IndexError):  # no levels: nothing to integrate to
        assert not levels
        return
    assert all(math.isfinite(value) and value >= 0 for value in times)


WORDS = ["thm1", "thm2", "all", "list", "thm9", "--json", "--profile", "quick", "fast", "--seed", "-3", "7", "x",
         "--dps", "10", "50", "2000", "--device", "tpu", "cpu", "--dtype", "float16", "--bound", "sigma_j*(r-1)**3",
         "r*", "--kind", "sufficient", "maybe", "--depth", "0", "3", "--latex", "/no/such/dir/out.tex",
         "--latex-fragment", "--plot", "/proc/forbidden", "--no-cache", "--bogus", "nan", "", "-q", "--cases", "0",
         "--check", "gd-order", "--replay", "{}"]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(WORDS), max_size=7))
@example(words=["thm1", "--plot", "float16"])  # a directory named float16 is a valid place for figures
def test_cli_arguments(words, capsys, monkeypatch, tmp_path):
    """Valid argument lists reach the runner (stubbed here: real runs are tested elsewhere); every other
    list exits 2 with exactly one line on stderr and no traceback."""
    monkeypatch.chdir(tmp_path)  # '--plot thm1' makes the directory thm1: here, not in the checkout
    reached = []

    def stub(claim, settings_, executor=None):
        reached.append(claim.id)
        raise KeyboardInterrupt  # leave right away once the arguments were accepted

    monkeypatch.setattr(runner, "start", stub)
    monkeypatch.setattr(runner, "replay", stub)
    code = cli.main(words)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if reached:
        assert code == cli.EXIT_INTERRUPTED
    elif code == 0:  # 'list' was the claim
        assert "list" in words and "thm1" in captured.out
    else:
        assert code == cli.EXIT_USAGE, (words, captured.err)
        assert len(captured.err.strip().splitlines()) == 1 and "error" in captured.err
    free = ("--plot", "--latex", "--bound")  # any path or expression is their value
    if any(word in ("thm9", "fast", "tpu", "float16", "maybe", "--bogus") and not (i and words[i - 1] in free)
           for i, word in enumerate(words)):
        assert code == cli.EXIT_USAGE


@pytest.mark.parametrize("path", ["/no/such/dir/out.tex", "/proc/version"])
def test_unwritable_outputs_are_refused_before_any_work(path, capsys):
    assert cli.main(["thm1", "--latex", path]) == cli.EXIT_USAGE
    assert "--latex" in capsys.readouterr().err


BAD_NUMBERS = [math.nan, math.inf, -math.inf, "nan", "inf", "abc", None, True, [1], "", "1e999"]
BAD = {
    "sigma": BAD_NUMBERS + ["0.001", "1", "2"], "depth": BAD_NUMBERS + [0, -1, 2.5, 1001, "3.5"],
    "target": [b for b in BAD_NUMBERS if b != "1e999"] + [0, -1],  # 1e999 is a valid (exact) target
    "init": BAD_NUMBERS + [0, -1, 1, "2"], "dps": BAD_NUMBERS + [14, 2001, 20.5],
}
VALID = {"sigma": "0.5", "depth": 3, "target": 1, "init": "0.01", "dps": 20}


@pytest.mark.parametrize("name, value", [(name, value) for name in sorted(BAD) for value in BAD[name]])
def test_one_bad_argument_is_named(name, value):
    """With every other argument valid, the error names exactly the bad one and says what is valid
    (every entry of the table, not a sample)."""
    call = {**VALID, name: value}
    with pytest.raises(ParameterError) as raised:
        toy.time_to(call.pop("sigma"), **call)
    assert raised.value.parameter == name and "must be" in str(raised.value)
