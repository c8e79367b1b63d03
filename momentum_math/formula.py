r"""A loss surface from a formula such as ``"(1 - x)**2 + 100*(y - x**2)**2"``, safely.

The text is read by this module's own tokenizer and recursive-descent parser
(nothing in it is ever run: no ``eval``, no ``ast``, no ``sympify`` of the
text). The grammar is Python's, cut down to arithmetic in ``x`` and ``y``:

* numbers: ``12``, ``0.5``, ``.5``, ``2.``, ``1e-3``, ``2.5E+4`` (finite in float64);
* the variables ``x`` and ``y``, the constants ``pi`` and ``e``;
* ``+ - * / **``, unary ``-`` and ``+``, parentheses;
* one-argument calls of the functions in :data:`FUNCTIONS`.

``**`` binds tighter than unary minus and groups to the right, as in Python:
``-x**2`` is ``-(x**2)`` and ``2**3**2`` is ``2**9``. Anything else (``^``,
``2x``, unknown names, commas, strings, attributes, unbalanced parentheses)
is a :class:`FormulaError` giving the position. A text longer than
:data:`MAX_LENGTH` characters or nested deeper than :data:`MAX_DEPTH` levels
is refused the same way.

:func:`formula_surface` turns the tree into a SymPy expression, lets SymPy
derive ∂L/∂x and ∂L/∂y, and evaluates all three over NumPy arrays by walking
the SymPy trees (no ``lambdify``, which runs generated code). It refuses, as
FormulaErrors too, a power of two numbers past the float64 range
(``10**10**10``, which SymPy would compute digit by digit), an expression
SymPy writes more than :data:`SYMPY_DEPTH` levels deep (SymPy differentiates
recursively), and a formula with no finite value on its window: no
RecursionError escapes. SymPy is only imported when a surface is built;
importing this module loads NumPy only.

>>> parse("-x**2")
Unary(op='-', operand=Power(base=Variable(name='x', position=1), exponent=Number(value=2.0, text='2', position=4), position=2), position=0)
>>> surface = formula_surface("x**2/16 + 9*y**2", (-3.6, 3.6), (-0.4, 0.4))
>>> surface.hessian.tolist()
[[0.125, 0.0], [0.0, 18.0]]
>>> surface.gradient([8.0, 1.0]).tolist()
[1.0, 18.0]
>>> parse("x^2")
Traceback (most recent call last):
...
momentum_math.formula.FormulaError: formula 'x^2': '^' is not an operator: write ** for powers at position 1 ('^')
"""  # noqa: E501

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from momentum_math import _validate, surfaces
from momentum_math.surfaces import FloatArray, Surface

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "SYMPY_DEPTH",
    "VARIABLES",
    "Call",
    "Chain",
    "Constant",
    "FormulaError",
    "FormulaSurface",
    "Node",
    "Number",
    "Power",
    "Unary",
    "Variable",
    "formula_surface",
    "parse",
]

#: The functions a formula may call, each with one argument.
FUNCTIONS: tuple[str, ...] = (
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "abs",
    "sinh",
    "cosh",
    "atan",
)
#: The named constants: π and Euler's number.
CONSTANTS: tuple[str, ...] = ("pi", "e")
#: The variables.
VARIABLES: tuple[str, ...] = ("x", "y")

#: Longest formula text accepted, in characters.
MAX_LENGTH = 2000
#: Deepest nesting accepted: parentheses, calls, signs and powers, each a level.
MAX_DEPTH = 64

#: Points per side of the grid on which a formula's minimum is looked for.
GRID_POINTS = 201
#: Rounds of refinement of that minimum, each on a 21x21 grid ten times finer.
_REFINEMENTS = 6

_OPERAND = "a number, x, y, pi, e, a function or '('"
_OPERATORS = "an operator (+ - * / **)"


class FormulaError(ValueError):
    """A formula that cannot be read, or that :func:`formula_surface` cannot use.

    Attributes
    ----------
    text : str
        The formula as given.
    position : int
        0-based index of the offending character in ``text`` (``len(text)``
        for the end, 0 where the whole formula is at fault).
    detail : str
        What was wrong, or what was expected there.
    """

    def __init__(self, text: str, position: int, detail: str, found: str | None = None) -> None:
        self.text = text
        self.position = position
        self.detail = detail
        self.found = found
        super().__init__(_message(text, position, detail, found))

    def __reduce__(self) -> tuple[type[FormulaError], tuple[str, int, str, str | None]]:
        return (FormulaError, (self.text, self.position, self.detail, self.found))


def _message(text: str, position: int, detail: str, found: str | None) -> str:
    if found is None:
        found = "the end" if position >= len(text) else repr(text[position])
    if len(text) <= 80:
        return f"formula {text!r}: {detail} at position {position} ({found})"
    excerpt = text[max(0, position - 30) : position + 30]
    return (
        f"formula {text[:40] + '...'!r} ({len(text)} characters): {detail} at position "
        f"{position} ({found}, in ...{excerpt!r}...)"
    )


# --- the tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A number as written (``text``) and its float64 ``value``."""

    value: float
    text: str
    position: int


@dataclass(frozen=True)
class Variable:
    """``x`` or ``y``."""

    name: str
    position: int


@dataclass(frozen=True)
class Constant:
    """``pi`` or ``e``."""

    name: str
    position: int


@dataclass(frozen=True)
class Unary:
    """``-operand`` or ``+operand``."""

    op: str
    operand: Node
    position: int


@dataclass(frozen=True)
class Chain:
    """``operands[0] operators[0] operands[1] ...``, grouped from the left.

    One precedence level per chain: all ``+``/``-`` or all ``*``/``/``. A run
    of terms is one flat node (not a deep tree), so long sums stay shallow.
    ``positions`` are the operators' positions.
    """

    operands: tuple[Node, ...]
    operators: tuple[str, ...]
    positions: tuple[int, ...]


@dataclass(frozen=True)
class Power:
    """``base ** exponent`` (``position`` is that of ``**``)."""

    base: Node
    exponent: Node
    position: int


@dataclass(frozen=True)
class Call:
    """``function(argument)``, ``function`` one of :data:`FUNCTIONS`."""

    function: str
    argument: Node
    position: int


#: A parsed formula.
Node: TypeAlias = Number | Variable | Constant | Unary | Chain | Power | Call


# --- tokens ----------------------------------------------------------------------------

_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SYMBOLS = ("**", "*", "+", "-", "/", "(", ")", ",")
_WHITESPACE = frozenset(" \t\n\r\f\v")


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name", "symbol", "bad" or "end"
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    """The tokens of ``text``, ending in "end", or in "bad" at the first unreadable character
    (refused only when the parser reaches it, so the leftmost fault is the one reported)."""
    found: list[_Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in _WHITESPACE:
            index += 1
            continue
        match = _NUMBER.match(text, index) or _NAME.match(text, index)
        if match is not None:
            kind = "name" if _NAME.match(char) else "number"
            found.append(_Token(kind, match.group(), index))
            index = match.end()
            continue
        symbol = next((s for s in _SYMBOLS if text.startswith(s, index)), None)
        if symbol is None:
            found.append(_Token("bad", char, index))
            return found
        found.append(_Token("symbol", symbol, index))
        index += len(symbol)
    found.append(_Token("end", "", len(text)))
    return found


def _bad_character(char: str) -> str:
    if char == "^":
        return "'^' is not an operator: write ** for powers"
    if char in "'\"":
        return "strings are not allowed"
    if char == ".":
        return "'.' is allowed only in a number (such as 0.5): there are no attributes"
    return (
        f"unexpected character {char!r}: a formula has numbers, x, y, pi, e, the functions "
        f"{', '.join(FUNCTIONS)}, + - * / ** and parentheses"
    )


# --- the parser -------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the tokens, one method a precedence level."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    def fail(self, token: _Token, detail: str) -> FormulaError:
        if token.kind == "bad":
            return FormulaError(self.text, token.position, _bad_character(token.text))
        found = "the end" if token.kind == "end" else repr(token.text)
        return FormulaError(self.text, token.position, detail, found)

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, *symbols: str) -> bool:
        token = self.peek()
        return token.kind == "symbol" and token.text in symbols

    def formula(self) -> Node:
        if self.peek().kind == "end":
            raise self.fail(self.peek(), f"the formula is empty: expected {_OPERAND}")
        node = self.expression()
        token = self.peek()
        if token.kind != "end":
            if token.kind == "symbol" and token.text == ")":
                raise self.fail(token, "unbalanced ')': there is no '(' to close")
            raise self.after_operand(token, "or the end")
        return node

    def after_operand(self, token: _Token, ending: str) -> FormulaError:
        """The error for ``token`` where an operator (or ``ending``) must follow an operand."""
        if token.kind in ("number", "name") or (token.kind == "symbol" and token.text == "("):
            detail = f"expected {_OPERATORS} {ending}: write * to multiply"
        elif token.kind == "symbol" and token.text == ",":
            detail = f"expected {_OPERATORS} {ending}: functions take one argument"
        else:
            detail = f"expected {_OPERATORS} {ending}"
        return self.fail(token, detail)

    def expression(self) -> Node:
        return self.chain(("+", "-"), self.term)

    def term(self) -> Node:
        return self.chain(("*", "/"), self.factor)

    def chain(self, operators: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        operands = [operand()]
        ops: list[str] = []
        positions: list[int] = []
        while self.at(*operators):
            token = self.advance()
            ops.append(token.text)
            positions.append(token.position)
            operands.append(operand())
        if not ops:
            return operands[0]
        return Chain(tuple(operands), tuple(ops), tuple(positions))

    def factor(self) -> Node:
        token = self.peek()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(
                token,
                f"the formula is nested more than {MAX_DEPTH} levels deep (parentheses, "
                f"function calls, signs and powers)",
            )
        if self.at("+", "-"):
            self.advance()
            node: Node = Unary(token.text, self.factor(), token.position)
        else:
            node = self.power()
        self.depth -= 1
        return node

    def power(self) -> Node:
        base = self.atom()
        if not self.at("**"):
            return base
        position = self.advance().position
        return Power(base, self.factor(), position)

    def atom(self) -> Node:
        token = self.advance()
        if token.kind == "number":
            value = float(token.text)
            if not math.isfinite(value):
                raise self.fail(token, "the number is too large for float64")
            return Number(value, token.text, token.position)
        if token.kind == "name":
            return self.named(token)
        if token.kind == "symbol" and token.text == "(":
            inner = self.expression()
            self.close(token)
            return inner
        raise self.fail(token, f"expected {_OPERAND}")

    def named(self, token: _Token) -> Node:
        name = token.text
        if name in VARIABLES:
            return Variable(name, token.position)
        if name in CONSTANTS:
            return Constant(name, token.position)
        if name not in FUNCTIONS:
            raise self.fail(
                token,
                f"unknown name {name!r}: allowed are x, y, pi, e and the functions "
                f"{', '.join(FUNCTIONS)}",
            )
        opening = self.peek()
        if not self.at("("):
            raise self.fail(opening, f"expected '(' after the function {name}")
        self.advance()
        argument = self.expression()
        self.close(opening)
        return Call(name, argument, token.position)

    def close(self, opening: _Token) -> None:
        token = self.peek()
        if not self.at(")"):
            raise self.after_operand(token, f"or ')' (for the '(' at position {opening.position})")
        self.advance()


def parse(text: str) -> Node:
    """The tree of the formula ``text``; a :class:`FormulaError` says where it is not one.

    >>> parse("2**3**2")
    Power(base=Number(value=2.0, text='2', position=0), exponent=Power(base=Number(value=3.0, text='3', position=3), exponent=Number(value=2.0, text='2', position=6), position=4), position=1)
    """  # noqa: E501
    if not isinstance(text, str):
        raise TypeError(
            f"text must be a string such as 'x**2 + y**2', got {text!r} ({type(text).__name__})"
        )
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            text,
            MAX_LENGTH,
            f"the formula is {len(text)} characters long, more than the {MAX_LENGTH} allowed",
        )
    return _Parser(text).formula()


# --- SymPy: the expression and its derivatives -------------------------------------------


@functools.cache
def _real_abs() -> Any:
    """SymPy's ``Abs`` for arguments it cannot prove real (``abs(log(x))``): |u| with
    derivative sign(u)·u′. SymPy's own ``Abs`` differentiates such arguments through
    re, im and atan2, which is right but gives 0/0 where u is 0."""
    import sympy

    class RealAbs(sympy.Function):  # type: ignore[misc]  # sympy is untyped
        """|u| of a u that is real wherever the formula is."""

        @classmethod
        def eval(cls, argument: Any) -> Any:
            if argument.is_extended_real:
                return sympy.Abs(argument)
            return None

        def fdiff(self, argindex: int = 1) -> Any:
            return sympy.sign(self.args[0])

        def _eval_is_extended_nonnegative(self) -> bool:
            return True

        def _latex(self, printer: Any, exp: Any = None) -> str:
            body = r"\left|{" + printer._print(self.args[0]) + r"}\right|"
            return body if exp is None else f"{body}^{{{exp}}}"

    return RealAbs


def _sympy_functions() -> dict[str, Any]:
    import sympy

    return {
        "sin": sympy.sin,
        "cos": sympy.cos,
        "tan": sympy.tan,
        "exp": sympy.exp,
        "log": sympy.log,
        "sqrt": sympy.sqrt,
        "tanh": sympy.tanh,
        "abs": _real_abs(),
        "sinh": sympy.sinh,
        "cosh": sympy.cosh,
        "atan": sympy.atan,
    }


#: Deepest SymPy expression :func:`formula_surface` differentiates (SymPy recurses through
#: about 9 frames a level: 48 levels leave room for a caller 500 frames deep).
SYMPY_DEPTH = 48


def _sympy_depth(expression: Any) -> int:
    depth, level = 0, [expression]
    while level:
        level = [argument for node in level for argument in node.args]
        depth += 1
    return depth


#: Bits past which an exact power of two numbers is computed in floating point instead.
_EXACT_POWER_BITS = 10_000


class _Converter:
    """The SymPy expression of a tree (exact rationals for the numbers as written)."""

    def __init__(self, text: str, x: Any, y: Any) -> None:
        import sympy

        self.sympy = sympy
        self.text = text
        self.symbols = {"x": x, "y": y}
        self.functions = _sympy_functions()

    def convert(self, node: Node) -> Any:
        sympy = self.sympy
        if isinstance(node, Number):
            return self.number(node)
        if isinstance(node, Variable):
            return self.symbols[node.name]
        if isinstance(node, Constant):
            return sympy.pi if node.name == "pi" else sympy.E
        if isinstance(node, Unary):
            operand = self.convert(node.operand)
            return -operand if node.op == "-" else operand
        if isinstance(node, Chain):
            parts = [self.convert(operand) for operand in node.operands]
            if node.operators[0] in ("+", "-"):
                signed = [parts[0]] + [
                    -part if op == "-" else part
                    for op, part in zip(node.operators, parts[1:], strict=True)
                ]
                return sympy.Add(*signed)
            divided = [parts[0]] + [
                sympy.Pow(part, -1) if op == "/" else part
                for op, part in zip(node.operators, parts[1:], strict=True)
            ]
            return sympy.Mul(*divided)
        if isinstance(node, Power):
            return self.power(node)
        return self.functions[node.function](self.convert(node.argument))

    def number(self, node: Number) -> Any:
        sympy = self.sympy
        if node.text.isdigit():
            return sympy.Integer(int(node.text))
        if node.value == 0.0:  # zero, or a literal that rounds to zero in float64
            return sympy.Integer(0)
        exact = Fraction(node.text)  # a decimal: its exact value (1/10 for 0.1)
        return sympy.Rational(exact.numerator, exact.denominator)

    def power(self, node: Power) -> Any:
        sympy = self.sympy
        base, exponent = self.convert(node.base), self.convert(node.exponent)
        if base.free_symbols or exponent.free_symbols:
            return sympy.Pow(base, exponent)
        # Two numbers: SymPy would compute 10**10**10 exactly, digit by digit.
        with np.errstate(all="ignore"):
            approximate = float(np.power(_constant(base), _constant(exponent)))
        if not math.isfinite(approximate):
            raise FormulaError(
                self.text, node.position, "the power is not a finite real float64 number", "'**'"
            )
        if exponent.is_Rational and base.is_Rational:
            size = max(int(base.p).bit_length(), int(base.q).bit_length(), 1)
            if size * max(abs(int(exponent.p)), int(exponent.q)) <= _EXACT_POWER_BITS:
                return sympy.Pow(base, exponent)
        elif exponent.is_Rational and max(abs(int(exponent.p)), int(exponent.q)) <= 64:
            return sympy.Pow(base, exponent)
        return sympy.Float(approximate)


def _constant(expression: Any) -> float:
    """The float64 value of a SymPy expression without symbols (NaN where it is not real)."""
    with np.errstate(all="ignore"):
        return float(_compile(expression, {})({}))


# --- evaluation over NumPy arrays ------------------------------------------------------

_Values = FloatArray | float
_Program = Callable[[dict[Any, Any]], _Values]


@functools.cache
def _numpy_functions() -> dict[Any, Callable[[Any], Any]]:
    """The NumPy ufunc of each SymPy function a formula or its derivatives can hold."""
    import sympy

    def delta(u: Any) -> Any:  # DiracDelta(u): 0 where u is not 0
        return np.where(u == 0.0, np.nan, 0.0)

    return {
        sympy.sin: np.sin,
        sympy.cos: np.cos,
        sympy.tan: np.tan,
        sympy.exp: np.exp,
        sympy.log: np.log,
        sympy.tanh: np.tanh,
        sympy.sinh: np.sinh,
        sympy.cosh: np.cosh,
        sympy.atan: np.arctan,
        sympy.Abs: np.abs,
        _real_abs(): np.abs,
        sympy.sign: np.sign,
        sympy.DiracDelta: delta,
        sympy.sec: lambda u: 1.0 / np.cos(u),
        sympy.csc: lambda u: 1.0 / np.sin(u),
        sympy.cot: lambda u: 1.0 / np.tan(u),
        sympy.coth: lambda u: 1.0 / np.tanh(u),
        sympy.sech: lambda u: 1.0 / np.cosh(u),
        sympy.csch: lambda u: 1.0 / np.sinh(u),
        sympy.asinh: np.arcsinh,
        sympy.acosh: np.arccosh,
        sympy.atanh: np.arctanh,
        sympy.asin: np.arcsin,
        sympy.acos: np.arccos,
    }


def _number_value(expression: Any) -> float:
    """The float of a SymPy number (±inf past the range, NaN for a complex one)."""
    import sympy

    if expression is sympy.I or expression is sympy.zoo or expression is sympy.nan:
        return math.nan
    try:
        value = complex(expression)
    except OverflowError:
        return math.inf if expression.is_extended_positive else -math.inf
    return value.real if value.imag == 0.0 else math.nan


def _power(exponent: float) -> Callable[[Any, Any], Any]:
    if exponent == 2.0:
        return lambda base, _: np.square(base)
    if exponent == -1.0:
        return lambda base, _: np.reciprocal(np.asarray(base, dtype=np.float64))
    if exponent == 0.5:
        return lambda base, _: np.sqrt(base)
    if exponent == -0.5:
        return lambda base, _: 1.0 / np.sqrt(base)
    return np.power


def _compile(expression: Any, known: dict[Any, _Program]) -> _Program:
    """A function of an environment ``{symbol: array}`` that evaluates ``expression``.

    ``known`` holds the programs of the symbols (x, y and the common subexpressions).
    """
    if expression in known:
        return known[expression]
    if expression.is_Symbol:
        return lambda env: env[expression]  # pragma: no cover (symbols are known)
    if not expression.args:  # a number: Integer, Rational, Float, pi, E, I, zoo, oo, nan
        value = _number_value(expression)
        return lambda env: value
    args = [_compile(argument, known) for argument in expression.args]
    if expression.is_Add:

        def add(env: dict[Any, Any]) -> _Values:
            total = args[0](env)
            for term in args[1:]:
                total = total + term(env)
            return total

        return add
    if expression.is_Mul:

        def multiply(env: dict[Any, Any]) -> _Values:
            product = args[0](env)
            for factor in args[1:]:
                product = product * factor(env)
            return product

        return multiply
    if expression.is_Pow:
        base, exponent = args
        if expression.exp.is_Number:
            raise_to = _power(_number_value(expression.exp))
            return lambda env: raise_to(base(env), exponent(env))
        return lambda env: np.power(base(env), exponent(env))
    function = _numpy_functions().get(expression.func)
    if function is None or len(args) != 1:
        raise ValueError(f"cannot evaluate {expression} ({expression.func}) with NumPy")
    (argument,) = args
    return lambda env: function(argument(env))


@dataclass(frozen=True)
class _Evaluator:
    """``(x, y) -> (f1, f2, ...)``: the values of compiled SymPy expressions.

    Subexpressions they share are computed once (SymPy's ``cse``), each
    kept only until its last use, so a long formula holds few arrays at a time.
    """

    x: Any
    y: Any
    #: (symbol, its program, the symbols no longer needed once it is computed).
    steps: tuple[tuple[Any, _Program, tuple[Any, ...]], ...]
    outputs: tuple[_Program, ...]

    @classmethod
    def build(cls, x: Any, y: Any, expressions: Sequence[Any]) -> _Evaluator:
        import sympy

        replacements, reduced = sympy.cse(
            list(expressions), symbols=sympy.numbered_symbols("_common"), order="none"
        )
        common = {symbol for symbol, _ in replacements}
        last_use = {symbol: index for index, (symbol, _) in enumerate(replacements)}
        for index, (_, expression) in enumerate(replacements):
            for symbol in expression.free_symbols & common:
                last_use[symbol] = index
        for expression in reduced:
            for symbol in expression.free_symbols & common:
                last_use[symbol] = len(replacements)
        known: dict[Any, _Program] = {}
        for symbol in (x, y):
            known[symbol] = functools.partial(_lookup, symbol)
        steps = []
        for index, (symbol, expression) in enumerate(replacements):
            done = tuple(used for used, last in last_use.items() if last == index)
            steps.append((symbol, _compile(expression, known), done))
            known[symbol] = functools.partial(_lookup, symbol)
        outputs = tuple(_compile(expression, known) for expression in reduced)
        return cls(x, y, tuple(steps), outputs)

    def __call__(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, ...]:
        x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        env: dict[Any, Any] = {self.x: x, self.y: y}
        results: list[FloatArray] = []
        with np.errstate(all="ignore"):
            for symbol, program, done in self.steps:
                env[symbol] = program(env)
                for finished in done:
                    del env[finished]
            for program in self.outputs:
                result = np.asarray(program(env), dtype=np.float64)
                shared = result is x or result is y or any(result is r for r in results)
                if result.shape != x.shape or shared:
                    result = np.array(np.broadcast_to(result, x.shape), dtype=np.float64)
                results.append(result)
        return tuple(results)


def _lookup(symbol: Any, env: dict[Any, Any]) -> Any:
    return env[symbol]


# --- the quadratic forms -----------------------------------------------------------------


def _degree_bound(expression: Any) -> float:
    """An upper bound on the total degree of a polynomial SymPy expression."""
    if not expression.free_symbols:
        return 0
    if expression.is_Symbol:
        return 1
    if expression.is_Add:
        return max(_degree_bound(argument) for argument in expression.args)
    if expression.is_Mul:
        return sum(_degree_bound(argument) for argument in expression.args)
    if expression.is_Pow and expression.exp.is_Integer and expression.exp >= 0:
        return int(expression.exp) * _degree_bound(expression.base)
    return math.inf


def _quadratic_form(expression: Any, x: Any, y: Any) -> FloatArray | None:
    """H where ``expression`` is ½θᵀHθ exactly (every term of degree 2) with H positive
    definite in float64; else None."""
    import sympy

    if expression.has(sympy.I, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    if not expression.is_polynomial(x, y) or _degree_bound(expression) > 16:
        return None
    terms = sympy.Poly(sympy.expand(expression), x, y).terms()
    if not terms or any(i + j != 2 for (i, j), _ in terms):
        return None
    coefficients = {monomial: coefficient for monomial, coefficient in terms}
    zero = sympy.Integer(0)
    xx, xy, yy = (coefficients.get(monomial, zero) for monomial in ((2, 0), (1, 1), (0, 2)))
    if not all(coefficient.is_extended_real for coefficient in (xx, xy, yy)):
        return None
    hessian = np.array(
        [[_constant(2 * xx), _constant(xy)], [_constant(xy), _constant(2 * yy)]],
        dtype=np.float64,
    )
    if not np.all(np.isfinite(hessian)):
        return None
    low, high = np.linalg.eigvalsh(hessian)
    with np.errstate(all="ignore"):
        ratio = high / low
    if not (low > 0 and np.isfinite(ratio)):
        return None
    return hessian


# --- the surface ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FormulaSurface(Surface):
    """A :class:`~momentum_math.surfaces.Surface` built by :func:`formula_surface`.

    ``name`` is ``"formula"`` and ``formula`` the text it was built from.
    ``minima`` is approximate: the lowest point of a :data:`GRID_POINTS`² grid
    over the window, refined on finer grids around it (a formula's global
    minimum is not known in general; it may lie outside the window). Where
    the formula is a positive definite quadratic form, ``hessian`` is its
    exact Hessian, ``minima`` the origin, and L and ∇L are computed as the
    built-in quadratics compute them; elsewhere ``hessian`` is None (for
    forms that are not positive definite too). A long formula needs more
    memory a point than :data:`~momentum_math.surfaces.BYTES_PER_POINT`, the
    built-in surfaces' figure that memory budgets assume.
    """

    formula: str = field(kw_only=True)


Window = Sequence[float] | NDArray[Any]


def _window(value: Window, name: str) -> tuple[float, float]:
    array = _validate.real_array(name, value)
    with np.errstate(all="ignore"):
        ok = (
            array.shape == (2,)
            and bool(np.all(np.isfinite(array)))
            and bool(array[0] < array[1])
            and bool(np.isfinite(array[1] - array[0]))
        )
    if not ok:
        raise ValueError(
            f"{name} must be two finite numbers (low, high) with low < high, got {value!r}"
        )
    return float(array[0]), float(array[1])


def _lowest_point(
    evaluate: Callable[[FloatArray, FloatArray], FloatArray],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    text: str,
) -> FloatArray:
    """The lowest finite point of a grid over the window, refined on ever finer grids."""
    xs, ys = np.meshgrid(np.linspace(*x_range, GRID_POINTS), np.linspace(*y_range, GRID_POINTS))
    values = evaluate(xs, ys)
    finite = np.isfinite(values)
    if not finite.any():
        raise FormulaError(
            text,
            0,
            f"L is not a finite number anywhere on the window x_range={x_range}, "
            f"y_range={y_range} (looked at on a {GRID_POINTS}x{GRID_POINTS} grid)",
            "the whole formula",
        )
    index = int(np.argmin(np.where(finite, values, np.inf)))
    best_x, best_y, best = float(xs.flat[index]), float(ys.flat[index]), float(values.flat[index])
    step_x = (x_range[1] - x_range[0]) / (GRID_POINTS - 1)
    step_y = (y_range[1] - y_range[0]) / (GRID_POINTS - 1)
    for _ in range(_REFINEMENTS):
        local_x, local_y = np.meshgrid(
            np.linspace(max(x_range[0], best_x - step_x), min(x_range[1], best_x + step_x), 21),
            np.linspace(max(y_range[0], best_y - step_y), min(y_range[1], best_y + step_y), 21),
        )
        local = evaluate(local_x, local_y)
        local = np.where(np.isfinite(local), local, np.inf)
        index = int(np.argmin(local))
        if local.flat[index] < best:
            best_x, best_y = float(local_x.flat[index]), float(local_y.flat[index])
            best = float(local.flat[index])
        step_x, step_y = step_x / 10.0, step_y / 10.0
    return surfaces._frozen([[best_x, best_y]])


def formula_surface(
    text: str,
    x_range: Window,
    y_range: Window,
    title: str | None = None,
) -> FormulaSurface:
    r"""The loss surface L(x, y) = ``text`` over the window ``x_range`` × ``y_range``.

    ``text`` follows the grammar of :func:`parse` (a :class:`FormulaError`
    says where it does not); a formula that is not finite anywhere on the
    window is a FormulaError too. Each range is two finite numbers
    ``(low, high)`` with low < high. ``title`` defaults to ``"L = <text>"``.
    Where L or ∇L is not finite (``log`` of a negative number, the slope of
    ``sqrt`` at 0) the surface gives NaN or ±inf, which ``Surface.value`` and
    ``Surface.gradient`` refuse and a simulation counts as divergence.

    >>> bowl = formula_surface("(x - 1)**2 + (y + 2)**2", (-3, 3), (-3, 3))
    >>> bowl.name, bowl.title, bowl.latex
    ('formula', 'L = (x - 1)**2 + (y + 2)**2', 'L(x, y) = \\left(x - 1\\right)^{2} + \\left(y + 2\\right)^{2}')
    >>> bowl.minima.round(6).tolist(), bowl.hessian is None
    ([[1.0, -2.0]], True)
    """  # noqa: E501
    tree = parse(text)
    window_x, window_y = _window(x_range, "x_range"), _window(y_range, "y_range")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {title!r} ({type(title).__name__})")
    import sympy

    x, y = sympy.symbols("x y", real=True)
    try:
        expression = _Converter(text, x, y).convert(tree)
        if _sympy_depth(expression) > SYMPY_DEPTH:
            raise FormulaError(
                text,
                0,
                f"the formula is nested too deeply to differentiate: SymPy writes it "
                f"{_sympy_depth(expression)} levels deep, more than {SYMPY_DEPTH}",
                "the whole formula",
            )
        gradient = (sympy.diff(expression, x), sympy.diff(expression, y))
        latex = "L(x, y) = " + sympy.latex(expression)
        hessian = _quadratic_form(expression, x, y)
        if hessian is None:
            program = _Evaluator.build(x, y, (expression, *gradient))
    except RecursionError:
        raise FormulaError(
            text, 0, "the formula is too deeply nested for SymPy", "the whole formula"
        ) from None
    if title is None:
        title = "L = " + " ".join(text.split())
    if hessian is not None:
        # ½θᵀHθ exactly: the built-in quadratics' arithmetic (and speed).
        quadratic = surfaces._quadratic("formula", title, latex, hessian, window_x, window_y)
        return FormulaSurface(
            name="formula",
            title=title,
            latex=latex,
            value_fn=quadratic.value_fn,
            gradient_fn=quadratic.gradient_fn,
            x_range=window_x,
            y_range=window_y,
            minima=quadratic.minima,
            hessian=quadratic.hessian,
            evaluate_xy=quadratic.evaluate_xy,
            evaluate_into=quadratic.evaluate_into,
            formula=text,
        )

    def evaluate_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        # value_fn and gradient_fn go through here too: L is bit-identical either way
        value, grad_x, grad_y = program(x, y)
        return value, grad_x, grad_y

    value_fn, gradient_fn = surfaces._point_functions(evaluate_xy)
    return FormulaSurface(
        name="formula",
        title=title,
        latex=latex,
        value_fn=value_fn,
        gradient_fn=gradient_fn,
        x_range=window_x,
        y_range=window_y,
        minima=_lowest_point(lambda x, y: evaluate_xy(x, y)[0], window_x, window_y, text),
        evaluate_xy=evaluate_xy,
        formula=text,
    )
