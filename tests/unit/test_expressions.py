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


# Written against mutants that mutmut left alive (docs/mutation-testing.md): every refusal with its exact reason
# (a reason lost or garbled still refuses, but no longer says what is wrong), each limit at its exact edge on
# every path that counts it, and the powers that SymPy evaluates exactly behind an exp or E**.

VALID = ("an expression in N, r, s, f, sigma_j built from numbers, + - * / **, parentheses, pi, E and the "
         "functions log, exp, sqrt, Abs, Min, Max (ln = log), at most 1000 characters")
TERMS_400 = "+".join(["r"] * 98 + ["2"] * 3)  # 101 terms: 98·(Name, Load) + 3 Constants + 100·(BinOp, Add) + 1
TERMS_401 = "+".join(["r"] * 99 + ["2"] * 2)


@pytest.mark.parametrize("text, reason", [
    (42, "got int, not text"),
    ("r" * 1001, "it has 1001 characters"),
    ("sigma_j*(r-1", "it does not parse"),
    (TERMS_401, "it has 401 syntax nodes, over the limit of 400"),
    ("-" * 50 + "r", "it nests deeper than 50 levels"),
    ("sigma_j/(r-r)", "it is infinite or undefined somewhere (a division by zero, log(0), 0**-1)"),
    ("1e3999*10", "a number in it reaches 10^4000 (numbers must stay below)"),
    ("'abc'", "str literals not allowed, only numbers"),
    ("1.1e-3999", "the number 1.1e-3999 is not below 10^4000"),  # 11/10^4000: its denominator is 10^4000
    ("1e4000", "the number 1e4000 is outside 10^-4000..10^4000"),
    ("1e-4000", "the number 1e-4000 is outside 10^-4000..10^4000"),
    ("1e" + "9" * 18, "the number 1e999999999999999999 is outside 10^-4000..10^4000"),  # 20 characters: shown
    ("1e" + "9" * 19, "the number 1e999999999999999... does not parse"),  # 21: clipped to 17 + '...'
    ("1e" + "9" * 30, "the number 1e999999999999999... does not parse"),
    ("log", "log is a function: call it, as in log(x)"),
    ("x", "unknown symbols: x"),
    ("(r)(2)", "only the functions log, ln, exp, sqrt, Abs, Min, Max may be called, not r"),
    ("log.x(r)", "only the functions log, ln, exp, sqrt, Abs, Min, Max may be called"),
    ("log(r, base=2)", "log takes plain positional arguments"),
    ("sqrt(*[r])", "sqrt takes plain positional arguments"),
    ("log(r, s, f)", "log takes 1 or 2 argument(s), not 3"),
    ("exp(r, s)", "exp takes 1 argument(s), not 2"),
    ("Min()", "Min takes 1 or more argument(s), not 0"),
    ("r.x", "attribute access ('.') not allowed"),
    ("r ^ 2", "'^' (write powers as '**') not allowed"),
    ("r if s else f", "'if ... else' not allowed"),
    ("10**1001", "the exponent 1001 is over 1000 in magnitude"),
    ("10**-1001", "the exponent -1001 is over 1000 in magnitude"),
    ("2**(10**30)", "the exponent 10000000000000000... is over 1000 in magnitude"),
    ("exp(1001*log(2))", "the exponent 1001 is over 1000 in magnitude"),  # SymPy makes it 2**1001
    ("E**(1001*log(2))", "the exponent 1001 is over 1000 in magnitude"),  # = exp(1001·log 2)
    ("exp(log(2)/r)**(1001*r)", "the exponent 1001 is over 1000 in magnitude"),  # = exp(1001·log 2) too
    ("((2*r)**1000)**1000", "a power would reach 10^4000: |exponent| × digits of the base must be ≤ 4000"),
    ("(10**4*sqrt(2)*r)**1000", "a power would reach 10^4000: |exponent| × digits of the base must be ≤ 4000"),
    ("(r/10**5)**1000", "a power would reach 10^4000: |exponent| × digits of the base must be ≤ 4000"),
])
def test_each_refusal_gives_its_exact_reason(text, reason):
    """The message is 'bound=<text> is invalid: bound must be <what is valid> (<reason>)'; the reasons by hand:
    10^3999·10 = 10^4000 is not below the limit; 1.1e-3999 = 11/10^4000 in lowest terms; 1001·log 2 in an
    exponential is the power 2^1001; 10^4·√2 has 4.15 digits and r/10^5 five (a denominator counts), times 1000
    is over 4000."""
    with pytest.raises(ParameterError) as raised:
        expressions.parse(text, SYMBOLS)  # the default parameter name is 'bound'
    assert raised.value.parameter == "bound" and raised.value.valid == VALID
    assert str(raised.value).endswith(f" is invalid: bound must be {VALID} ({reason})")


@pytest.mark.parametrize("text, expected", [
    (TERMS_400, 98 * r + 6),  # 400 syntax nodes: the limit
    ("-" * 49 + "r", -r),  # 49 unary minuses: 50 levels
    ("r*(" * 49 + "r" + ")" * 49, r**50),  # right operands: 50 levels
    ("(" * 49 + "r" + "**2)" * 49, r ** (2**49)),  # left operands of a power (not a chain): 50 levels
    ("(16/625)**1000", sp.Integer(2) ** 4000 / sp.Integer(5) ** 4000),  # (log10 16 + log10 625)·1000 = 4000
    ("9999**1000", sp.Integer(9999) ** 1000),  # 3.99996 digits × 1000 ≤ 4000
    ("E**(600*log(2))", sp.Integer(2) ** 600),
    ("exp(log(2)/r)**(600*r)", sp.Integer(2) ** 600),
    ("E**(1/r) + exp(-r)**2", sp.exp(1 / r) + sp.exp(-2 * r)),
])
def test_limits_are_exact_at_their_edges_on_every_path(text, expected):
    """Each limit reached exactly and not passed (the refusals one step further are in the table above, or by
    construction here: one more node, level or digit is refused); values by hand."""
    assert expressions.parse(text, SYMBOLS) == expected


@pytest.mark.parametrize("text", ["-" * 50 + "r", "r*(" * 50 + "r" + ")" * 50, "(" * 50 + "r" + "**2)" * 50])
def test_one_level_more_is_refused_on_every_path(text):
    with pytest.raises(ParameterError, match=r"\(it nests deeper than 50 levels\)$"):
        expressions.parse(text, SYMBOLS)
