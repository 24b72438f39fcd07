"""The safe expression language of ``--bound``: an attack corpus that must run no code and build no
gigantic numbers, and the bounds people write, parsed to the exact SymPy expressions."""

import tracemalloc

import pytest
import sympy as sp

from numerics.arguments import ParameterError
from theory import theorem2
from verify import expressions

SYMBOLS = theorem2.BOUND_SYMBOLS
N, r, s, f, sigma_j = (SYMBOLS[name] for name in ("N", "r", "s", "f", "sigma_j"))
MARKER = "pwned-marker"  # every attack that could run code would create this file in the test's directory


def attacks(marker):
    touch = f"open('{marker}', 'w')"
    return [
        # code execution through attribute chains, dunders, builtins
        "Symbol.__class__.__mro__", "log.__globals__", "().__class__", "().__class__.__base__.__subclasses__()",
        f"log.__globals__['__builtins__']['exec'](\"{touch}\")", f"__import__('os').system('touch {marker}')",
        f"Symbol.__new__.__globals__['__builtins__']['open']('{marker}', 'w')",  # ran under SymPy's parse_expr
        f"log.eval.__func__.__globals__['__builtins__']['exec'](\"{touch}\")",  # ran under SymPy's parse_expr
        "__builtins__", "__import__", "sigma_j.__reduce__()", "E.__class__", "[].pop", "getattr(log, '__globals__')",
        touch, "exec('1')", "eval('1')", "compile('1', '', 'eval')", "Symbol('x')", "sympify('x')", "S('x')",
        "Rational(1, 2)", f"(lambda: {touch})()", "lambda: 1", f"[{touch} for _ in (1,)]", f"{{{touch}}}",
        f"(x for x in [{touch}])", "{1: 2}", "(1, 2)", "r[0]", "r[1:2]", "x", "I", "oo", "zoo", "nan",
        # literals and operators outside the language
        "'abc'", "b'abc'", "f'{1}'", "1j", "True", "None", "...", "(x := 1)", "r if s else f", "r < s", "r and s",
        "not r", "~r", "r // s", "r % s", "r @ s", "r ^ 2", "r << 2", "*r", "sqrt(*[r])", "exp(x=1)", "Min()",
        "log(r, s, f)", "log", "\x00", "r)", "",
        # numbers too big to build: each would take seconds to hours and gigabytes
        "10**10**10", "2**99999999", "9**9**9", "10**(10**4)", "2**1001", "exp(10**6*log(2))",
        "E**(10**6*log(2))", "((2*r)**1000)**1000", "(sqrt(2)**1000)**1000", "exp(r)**(10**6)", "1e4000",
        "1e-4000", "10**3999*10**3999",
        # too long, too many nodes, too deep
        "(" * 300 + "r" + ")" * 300, "-" * 999 + "r", "r+" * 300 + "r", "Abs(" * 60 + "r" + ")" * 60, "r" * 1001,
        # undefined values
        "sigma_j/(r-r)", "log(0)", "0**-1", "log(r, 1)",
    ]


@pytest.mark.parametrize("index", range(len(attacks(MARKER))))
def test_attacks_are_refused_without_running_code_or_building_big_numbers(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    attack = attacks(MARKER)[index]
    tracemalloc.start()
    try:
        with pytest.raises(ParameterError) as raised:
            expressions.parse(attack, SYMBOLS, "bound")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not (tmp_path / MARKER).exists()
    assert peak < 20e6, f"{attack[:40]!r} allocated {peak / 1e6:.0f} MB"
    message = str(raised.value)
    assert raised.value.parameter == "bound" and "bound must be an expression in N, r, s, f, sigma_j" in message
    assert "\n" not in message


@pytest.mark.parametrize("text, expected", [
    ("sigma_j*(r-1)**3/100", sigma_j * (r - 1) ** 3 / 100),  # the README's example
    ("0.1*sigma_j", sp.Rational(1, 10) * sigma_j),  # decimals are exact, not doubles
    ("1e-3 + 2.5e2", sp.Rational(250001, 1000)),
    ("1_000.5", sp.Rational(2001, 2)),
    ("sigma_j*10**400", sp.Integer(10) ** 400 * sigma_j),  # big, but bounded: allowed
    ("2**1000", sp.Integer(2) ** 1000),
    ("1e3999", sp.Integer(10) ** 3999),
    ("(2*r)**1000", sp.Integer(2) ** 1000 * r**1000),
    ("2**-3 - -r + +s", sp.Rational(1, 8) + r + s),
    ("ln(2) + log(8, 2)", sp.log(2) + 3),
    ("exp(-1/(r-1))", sp.exp(-1 / (r - 1))),
    ("exp(3*log(2))", sp.Integer(8)),
    ("sqrt(s)*Min(f, 1-f)/Max(r, 2)", sp.sqrt(s) * sp.Min(f, 1 - f) / sp.Max(r, 2)),
    ("Abs(r - 2) * pi / E", sp.Abs(r - 2) * sp.pi / sp.E),
    ("(r-1)**(N/(N-2)) * s**-((N-2)/N)", (r - 1) ** (N / (N - 2)) * s ** -((N - 2) / N)),
    ("+".join(["r"] * 60), 60 * r),  # a long sum is one level deep, not 60
    ("Abs(" * 49 + "r" + ")" * 49, r),  # 50 levels: the limit
])
def test_bounds_parse_to_the_exact_expression(text, expected):
    assert expressions.parse(text, SYMBOLS, "bound") == expected


@pytest.mark.parametrize("name", ["necessary_2", "sufficient_2", "sufficient_deep"])
def test_the_registered_bounds_as_printed_parse_back_to_themselves(name):
    bound = theorem2.bound(name)
    assert expressions.parse(str(bound), SYMBOLS, "bound") == bound


def test_limits_are_exact_at_their_edges():
    for text in ("r" + " " * (expressions.MAX_LENGTH - 1), "Abs(" * 49 + "r" + ")" * 49, "2**1000", "1e3999"):
        expressions.parse(text, SYMBOLS)
    for text in ("r" + " " * expressions.MAX_LENGTH, "Abs(" * 50 + "r" + ")" * 50, "2**1001", "1e4000"):
        with pytest.raises(ParameterError):
            expressions.parse(text, SYMBOLS)


@pytest.mark.parametrize("text, reason", [
    ("sigma_j*x", "unknown symbols: x"),
    ("sigma_j/(r-r)", "division by zero"),
    ("r^2", "write powers as '**'"),
    ("Symbol.__class__", "attribute access"),
    ("getattr(r, 'x')", "only the functions log, ln, exp, sqrt, Abs, Min, Max may be called, not getattr"),
    ("10**10**10", "over 1000 in magnitude"),
    ("sigma_j*(r-1", "does not parse"),
])
def test_the_error_says_what_is_wrong(text, reason):
    with pytest.raises(ParameterError, match=r"^threshold=") as raised:
        expressions.parse(text, SYMBOLS, "threshold")
    assert reason in str(raised.value)
