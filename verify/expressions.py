"""A small, safe expression language for formulas a user types (thm2's ``--bound``).

The text is parsed with Python's ``ast`` module (which only parses: nothing is evaluated) and the SymPy
expression is built from the tree node by node. Allowed, and nothing else:

* numbers: decimal literals such as ``3``, ``0.25``, ``1e-3``, turned into exact SymPy Integers and
  Rationals (never floats);
* the caller's symbols (e.g. ``N, r, s, f, sigma_j``) and the constants ``pi`` and ``E``;
* ``+ - * / **``, unary ``+``/``-``, parentheses;
* the functions ``log`` (one argument, or ``log(x, base)``), ``ln``, ``exp``, ``sqrt``, ``Abs``, ``Min``,
  ``Max``, called with positional arguments.

Everything else (attribute access, subscripts, other calls, keyword or starred arguments, lambdas,
comprehensions, strings, comparisons, boolean operators, ``:=``, ...) is refused before SymPy sees
anything, with a ``ParameterError`` naming the parameter and saying what is allowed.

Limits keep SymPy from building gigantic numbers (it evaluates numeric powers exactly):

* at most ``MAX_LENGTH`` = 1000 characters, ``MAX_NODES`` = 400 syntax nodes, ``MAX_DEPTH`` = 50 levels
  of nesting;
* every number, literal or computed, has a numerator and denominator below 10^4000 (``MAX_DIGITS``);
* a power with a constant rational exponent needs |exponent| ≤ 1000 (``MAX_EXPONENT``), and
  |exponent| × (the digits of its base's numeric factors) ≤ 4000, so ``10**400`` and ``(2*r)**1000``
  are allowed and ``10**10**10``, ``2**99999999``, ``((2*r)**1000)**1000`` are refused without being
  computed. ``exp`` of a multiple of a logarithm is a power (SymPy rewrites ``exp(c·log x)`` as
  ``x**c``) and obeys the same limits.

Results that are infinite or undefined (``1/0``, ``log(0)``, ``0**-1``, ``sigma_j/(r - r)``) are refused
too. Whether the expression is real and positive where it is used is the caller's check.
"""

from __future__ import annotations

import ast
import math
from decimal import Decimal, InvalidOperation

import sympy as sp

from numerics.arguments import ParameterError

MAX_LENGTH = 1000
MAX_NODES = 400
MAX_DEPTH = 50
MAX_DIGITS = 4000
MAX_EXPONENT = 1000

_LIMIT = 10**MAX_DIGITS
# name → (SymPy function, allowed numbers of arguments)
FUNCTIONS = {"log": (sp.log, (1, 2)), "ln": (sp.log, (1,)), "exp": (sp.exp, (1,)), "sqrt": (sp.sqrt, (1,)),
             "Abs": (sp.Abs, (1,)), "Min": (sp.Min, None), "Max": (sp.Max, None)}
CONSTANTS = {"pi": sp.pi, "E": sp.E}
_OPERATORS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
              ast.Div: lambda a, b: a / b}
_GROUPS = {ast.Add: "sum", ast.Sub: "sum", ast.Mult: "product", ast.Div: "product"}
_UNDEFINED = (sp.zoo, sp.nan, sp.oo, -sp.oo)
# what a refused node is, in the user's words
_REFUSED = {ast.Attribute: "attribute access ('.')", ast.Subscript: "subscripts ('[...]')",
            ast.Lambda: "lambda", ast.JoinedStr: "f-strings",
            ast.NamedExpr: "':='", ast.Compare: "comparisons", ast.BoolOp: "'and'/'or'",
            ast.IfExp: "'if ... else'", ast.Starred: "'*' unpacking", ast.Tuple: "tuples (a comma)",
            ast.List: "lists", ast.Dict: "dicts", ast.Set: "sets", ast.ListComp: "comprehensions",
            ast.SetComp: "comprehensions", ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
            ast.Slice: "slices", ast.Await: "'await'", ast.Yield: "'yield'", ast.YieldFrom: "'yield'"}
_REFUSED_OPERATORS = {ast.BitXor: "'^' (write powers as '**')", ast.FloorDiv: "'//'", ast.Mod: "'%'",
                      ast.MatMult: "'@'", ast.LShift: "'<<'", ast.RShift: "'>>'", ast.BitOr: "'|'",
                      ast.BitAnd: "'&'", ast.Not: "'not'", ast.Invert: "'~'"}


def parse(text, symbols: dict, parameter: str = "bound") -> sp.Expr:
    """``text`` as a SymPy expression in ``symbols`` (name → ``sympy.Symbol``), or ParameterError.

    >>> r = sp.Symbol("r", positive=True)
    >>> parse("sqrt(r)/2 + 10**-3", {"r": r})
    sqrt(r)/2 + 1/1000
    """
    return _Builder(text, symbols, parameter).expression()


class _Builder:
    def __init__(self, text, symbols: dict, parameter: str):
        self.text, self.symbols, self.parameter = text, dict(symbols), parameter
        self.source = text.strip() if isinstance(text, str) else ""
        functions = ", ".join(name for name in FUNCTIONS if name != "ln")
        self.valid = (f"an expression in {', '.join(self.symbols)} built from numbers, + - * / **, parentheses, "
                      f"pi, E and the functions {functions} (ln = log), at most {MAX_LENGTH} characters")

    def refuse(self, reason: str):
        raise ParameterError(self.parameter, self.text, self.valid, reason)

    def expression(self) -> sp.Expr:
        if not isinstance(self.text, str):
            self.refuse(f"got {type(self.text).__name__}, not text")
        if len(self.text) > MAX_LENGTH:
            self.refuse(f"it has {len(self.text)} characters")
        try:
            tree = ast.parse(self.source, mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self.refuse("it does not parse")
        nodes = sum(1 for _ in ast.walk(tree))
        if nodes > MAX_NODES:
            self.refuse(f"it has {nodes} syntax nodes, over the limit of {MAX_NODES}")
        return self.build(tree.body, 1)

    def build(self, node, depth: int) -> sp.Expr:
        if depth > MAX_DEPTH:
            self.refuse(f"it nests deeper than {MAX_DEPTH} levels")
        result = self.node(node, depth)
        if result.has(*_UNDEFINED):
            self.refuse("it is infinite or undefined somewhere (a division by zero, log(0), 0**-1)")
        if not all(_small(number) for number in result.atoms(sp.Rational)):
            self.refuse(f"a number in it reaches 10^{MAX_DIGITS} (numbers must stay below)")
        return result

    def node(self, node, depth: int) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and (type(node.op) in _OPERATORS or isinstance(node.op, ast.Pow)):
            # a chain a + b − c + … or a·b/c·… nests to the left but is one level (SymPy flattens it)
            group = _GROUPS.get(type(node.op))
            chained = group is not None and isinstance(node.left, ast.BinOp) and \
                _GROUPS.get(type(node.left.op)) == group
            left = self.build(node.left, depth if chained else depth + 1)
            right = self.build(node.right, depth + 1)
            if isinstance(node.op, ast.Pow):
                return self.power(left, right)
            return _OPERATORS[type(node.op)](left, right)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        operator = getattr(node, "op", None)
        what = _REFUSED_OPERATORS.get(type(operator)) or _REFUSED.get(type(node), type(node).__name__)
        self.refuse(f"{what} not allowed")

    def number(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if type(value) is int:  # noqa: E721 - bool is an int subclass and is refused
            number = sp.Integer(value)
        elif type(value) is float:  # noqa: E721
            number = self.decimal(ast.get_source_segment(self.source, node) or "")
        else:
            self.refuse(f"{type(value).__name__} literals not allowed, only numbers")
        if not _small(number):
            self.refuse(f"the number {_clip(ast.get_source_segment(self.source, node))} is not below 10^{MAX_DIGITS}")
        return number

    def decimal(self, literal: str) -> sp.Rational:
        """A decimal literal exactly (0.1 is 1/10, not the nearest double)."""
        try:
            value = Decimal(literal.replace("_", ""))
        except InvalidOperation:
            self.refuse(f"the number {_clip(literal)} does not parse")
        if value and not -MAX_DIGITS < value.adjusted() < MAX_DIGITS:
            self.refuse(f"the number {_clip(literal)} is outside 10^-{MAX_DIGITS}..10^{MAX_DIGITS}")
        numerator, denominator = value.as_integer_ratio()
        return sp.Rational(numerator, denominator)

    def name(self, name: str) -> sp.Expr:
        if name in self.symbols:
            return self.symbols[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            self.refuse(f"{name} is a function: call it, as in {name}(x)")
        self.refuse(f"unknown symbols: {name}")

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            self.refuse(f"only the functions {', '.join(FUNCTIONS)} may be called"
                        + (f", not {name}" if name else ""))
        function, counts = FUNCTIONS[name]
        if node.keywords or any(isinstance(argument, ast.Starred) for argument in node.args):
            self.refuse(f"{name} takes plain positional arguments")
        if (counts is not None and len(node.args) not in counts) or not node.args:
            self.refuse(f"{name} takes {' or '.join(map(str, counts or (1,)))}{'' if counts else ' or more'} "
                        f"argument(s), not {len(node.args)}")
        arguments = [self.build(argument, depth + 1) for argument in node.args]
        if name == "exp":
            self.exponential(arguments[0])
        return function(*arguments)

    def power(self, base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
        """``base**exponent``, after checking that SymPy's exact evaluation of it stays small."""
        if base == sp.E or isinstance(base, sp.exp):  # E**x = exp(x), exp(a)**x = exp(a·x)
            self.exponential(exponent * (base.args[0] if isinstance(base, sp.exp) else 1))
        self.bounded_power(base, exponent)
        return base**exponent

    def exponential(self, argument: sp.Expr) -> None:
        """SymPy turns exp(c·log(x)) into x**c, term by term of a sum: each such term is a power."""
        for term in sp.Add.make_args(argument):
            logs = [factor for factor in sp.Mul.make_args(term) if isinstance(factor, sp.log)]
            if len(logs) == 1:
                self.bounded_power(logs[0].args[0], term / logs[0])

    def bounded_power(self, base: sp.Expr, exponent: sp.Expr) -> None:
        if not isinstance(exponent, sp.Rational):
            return  # symbolic or irrational: SymPy leaves the power unevaluated
        if abs(exponent) > MAX_EXPONENT:
            self.refuse(f"the exponent {_clip(str(exponent))} is over {MAX_EXPONENT} in magnitude")
        if abs(exponent) * _digits(base) > MAX_DIGITS:
            self.refuse(f"a power would reach 10^{MAX_DIGITS}: |exponent| × digits of the base must be ≤ "
                        f"{MAX_DIGITS}")


def _small(number: sp.Rational) -> bool:
    return abs(number.p) < _LIMIT and number.q < _LIMIT


def _digits(base: sp.Expr) -> float:
    """The decimal digits of the numeric factors of ``base``, powers of numbers included: what a power of
    it makes SymPy compute exactly (it distributes (a·b)**k = a**k·b**k, and (n**a)**k = n**(a·k))."""
    digits = 0.0
    for factor in sp.Mul.make_args(base):
        number, exponent = factor.as_base_exp()
        if isinstance(number, sp.Rational) and isinstance(exponent, sp.Rational):
            digits += float(abs(exponent)) * (math.log10(abs(number.p) or 1) + math.log10(number.q))
    return digits


def _clip(text) -> str:
    text = str(text)
    return text if len(text) <= 20 else text[:17] + "..."
