"""Formula surfaces: the grammar, its refusals, SymPy's derivatives, the Surface they make."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from momentum_math import Surface, formula, simulate, simulate_batch, surfaces
from momentum_math.formula import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    Call,
    Chain,
    Constant,
    FormulaError,
    FormulaSurface,
    Number,
    Power,
    Unary,
    Variable,
    formula_surface,
    parse,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WINDOW = ((-2.0, 2.0), (-2.0, 2.0))
HYPOTHESIS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: What Python's own arithmetic means by each name a formula may use.
MATH: dict[str, Any] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "abs": abs,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "atan": math.atan,
    "pi": math.pi,
    "e": math.e,
}


def python_value(text: str, x: float, y: float) -> float:
    """``text`` evaluated by Python with the math functions (only texts the tests made)."""
    value = eval(text, {"__builtins__": {}}, {**MATH, "x": x, "y": y})  # noqa: S307
    if isinstance(value, complex):
        raise ValueError("complex")
    return float(value)


#: The same, in 40-digit arithmetic (the reference for rounding: SymPy simplifies exactly).
PRECISE: dict[str, Any] = {
    **{name: getattr(mpmath, name) for name in ("sin", "cos", "tan", "exp", "log", "sqrt")},
    **{name: getattr(mpmath, name) for name in ("tanh", "sinh", "cosh", "atan")},
    "abs": abs,
    "pi": mpmath.pi,
    "e": mpmath.e,
}


def precise_value(text: str, x: float, y: float) -> float:
    """``text`` evaluated by Python in 40-digit arithmetic (mpmath), at the floats x and y."""
    with mpmath.workdps(40):
        names = {**PRECISE, "x": mpmath.mpf(x), "y": mpmath.mpf(y)}
        value = eval(text, {"__builtins__": {}}, names)  # noqa: S307
        if isinstance(value, (complex, mpmath.mpc)):
            raise ValueError("complex")
        return float(value)


def values_at(surface: Surface, x: float, y: float) -> tuple[float, float, float]:
    value, grad_x, grad_y = surface.evaluate_xy(np.array([x]), np.array([y]))
    return float(value[0]), float(grad_x[0]), float(grad_y[0])


# --- the grammar ------------------------------------------------------------------------

#: (formula, points, what it means), points where every formula is finite.
GOOD: list[tuple[str, list[tuple[float, float]], Callable[[float, float], float]]] = [
    ("x**2 + y**2", [(0.5, 0.7), (-1.3, 0.2)], lambda x, y: x**2 + y**2),
    ("-x**2", [(1.5, 0.0), (-0.5, 1.0)], lambda x, y: -(x**2)),
    ("-2**2 + 0*x", [(0.3, 0.3)], lambda x, y: -4.0),
    ("(-2)**2 + 0*x", [(0.3, 0.3)], lambda x, y: 4.0),
    ("2**3**2", [(0.3, 0.3)], lambda x, y: 512.0),
    ("x**-1", [(0.5, 0.0), (-2.0, 1.0)], lambda x, y: 1 / x),
    ("2**-x**2", [(1.2, 0.0)], lambda x, y: 2 ** (-(x**2))),
    ("x - y - 1", [(3.0, 1.0), (0.25, -2.0)], lambda x, y: (x - y) - 1),
    ("x / y / 2", [(3.0, 4.0), (-1.0, 0.5)], lambda x, y: (x / y) / 2),
    ("x - y * 2 + 1", [(1.0, 3.0)], lambda x, y: x - (y * 2) + 1),
    ("x * y ** 2", [(2.0, 3.0)], lambda x, y: x * (y**2)),
    ("+x - -y", [(1.0, 2.0)], lambda x, y: x + y),
    ("--x", [(1.25, 0.0)], lambda x, y: x),
    (
        "(1 - x)**2 + 100*(y - x**2)**2",
        [(-1.2, 1.0), (0.3, 0.8)],
        lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    ),
    ("sin(x) * cos(y)", [(0.5, 0.7), (2.0, -1.0)], lambda x, y: math.sin(x) * math.cos(y)),
    ("tan(x / 4) + tanh(y)", [(0.5, 0.7)], lambda x, y: math.tan(x / 4) + math.tanh(y)),
    ("exp(-x*x) * log(1 + y*y)", [(0.5, 0.7)], lambda x, y: math.exp(-x * x) * math.log(1 + y * y)),
    (
        "sqrt(1 + x**2) + abs(x - y)",
        [(0.5, 0.7), (-1.0, -3.0)],
        lambda x, y: math.sqrt(1 + x**2) + abs(x - y),
    ),
    (
        "sinh(x) + cosh(y) + atan(x * y)",
        [(0.5, 0.7)],
        lambda x, y: math.sinh(x) + math.cosh(y) + math.atan(x * y),
    ),
    ("pi * e * x", [(0.5, 0.7)], lambda x, y: math.pi * math.e * x),
    ("e**x", [(0.5, 0.7)], lambda x, y: math.e**x),
    (
        ".5*x + 1e-3*y + 2.5E+4 + 2.*x + 12*y",
        [(0.5, 0.7)],
        lambda x, y: 0.5 * x + 1e-3 * y + 2.5e4 + 2.0 * x + 12 * y,
    ),
    ("x**y", [(0.5, 0.7), (2.0, -1.5)], lambda x, y: x**y),
    ("x**0.5 * y**(1/3)", [(0.5, 0.7)], lambda x, y: x**0.5 * y ** (1 / 3)),
    ("  x\t*\n y  ", [(0.5, 0.7)], lambda x, y: x * y),
    ("sin (x)", [(0.5, 0.7)], lambda x, y: math.sin(x)),
    ("((((x))))", [(0.5, 0.7)], lambda x, y: x),
    ("3", [(0.5, 0.7)], lambda x, y: 3.0),
    ("pi", [(0.5, 0.7)], lambda x, y: math.pi),
    ("x*y/(1 + x**2)", [(0.5, 0.7)], lambda x, y: x * y / (1 + x**2)),
]


@pytest.mark.parametrize("text, points, meaning", GOOD, ids=[row[0] for row in GOOD])
def test_good_formulas_mean_what_python_means(text, points, meaning):
    surface = formula_surface(text, (-3.0, 3.0), (-3.0, 3.0))
    for x, y in points:
        value = values_at(surface, x, y)[0]
        assert value == pytest.approx(meaning(x, y), rel=1e-12, abs=1e-12)
        assert value == pytest.approx(python_value(text.replace("\n", " "), x, y), rel=1e-12)


def test_precedence_in_the_tree():
    minus = parse("-x**2")
    assert isinstance(minus, Unary) and minus.op == "-"
    assert isinstance(minus.operand, Power)
    tower = parse("2**3**2")
    assert isinstance(tower, Power) and isinstance(tower.exponent, Power)
    assert tower.base == Number(2.0, "2", 0)
    chain = parse("x - y - 1")
    assert isinstance(chain, Chain) and chain.operators == ("-", "-")
    assert chain.operands == (Variable("x", 0), Variable("y", 4), Number(1.0, "1", 8))
    assert chain.positions == (2, 6)
    mixed = parse("x + y * 2")
    assert isinstance(mixed, Chain) and mixed.operators == ("+",)
    assert isinstance(mixed.operands[1], Chain) and mixed.operands[1].operators == ("*",)
    assert parse("x / y / 2").operators == ("/", "/")  # type: ignore[union-attr]
    call = parse("sin(pi)")
    assert call == Call("sin", Constant("pi", 4), 0)


def test_long_sums_are_one_flat_node():
    text = "+".join(["x"] * 600)
    tree = parse(text)
    assert isinstance(tree, Chain) and len(tree.operands) == 600
    assert values_at(formula_surface(text, *WINDOW), 0.5, 0.0)[0] == 300.0


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_and_its_slope(name):
    # arguments in (0.5, 1.5): inside every function's domain
    text = f"{name}(x/4 + 1) + {name}(y/4 + 1)"
    surface = formula_surface(text, *WINDOW)
    function = MATH[name]
    for x, y in [(0.3, -0.7), (-1.0, 1.5)]:
        value, grad_x, grad_y = values_at(surface, x, y)
        assert value == pytest.approx(function(x / 4 + 1) + function(y / 4 + 1), rel=1e-13)
        h = 1e-6
        assert grad_x == pytest.approx(
            (function((x + h) / 4 + 1) - function((x - h) / 4 + 1)) / (2 * h), rel=1e-7
        )
        assert grad_y == pytest.approx(
            (function((y + h) / 4 + 1) - function((y - h) / 4 + 1)) / (2 * h), rel=1e-7
        )


def test_the_allowed_names():
    assert FUNCTIONS == (
        "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "abs", "sinh", "cosh", "atan",
    )  # fmt: skip
    assert formula.CONSTANTS == ("pi", "e") and formula.VARIABLES == ("x", "y")


# --- refusals -----------------------------------------------------------------------------

DEEP = "(" * 500 + "x" + ")" * 500
LONG = "x+" * 1001 + "x"

#: (formula, position of the fault, a part of the message).
BAD = [
    ("x^2", 1, "write ** for powers"),
    ("2x", 1, "write * to multiply"),
    ("x(y)", 1, "write * to multiply"),
    ("(x)(y)", 3, "write * to multiply"),
    ("x y", 2, "write * to multiply"),
    ("2e", 1, "write * to multiply"),
    ("x +", 3, "(the end)"),
    ("x**2 +", 6, "expected a number, x, y, pi, e, a function or '(' at position 6 (the end)"),
    ("(x", 2, "')'"),
    ("((x)", 4, "')' (for the '(' at position 0)"),
    ("x)", 1, "unbalanced ')'"),
    ("sin(x))", 6, "unbalanced ')'"),
    (")(", 0, "expected a number"),
    ("()", 1, "expected a number"),
    ("abs()", 4, "expected a number"),
    ("import os", 0, "unknown name 'import'"),
    ("__import__('os')", 0, "unknown name '__import__'"),
    ("x.real", 1, "no attributes"),
    ("x.__class__", 1, "no attributes"),
    ("lambda: 1", 0, "unknown name 'lambda'"),
    ("z", 0, "unknown name 'z'"),
    ("X", 0, "unknown name 'X'"),
    ("sinx", 0, "unknown name 'sinx'"),
    ("", 0, "empty"),
    ("   ", 3, "empty"),
    ("1e999", 0, "too large"),
    ("9" * 400, 0, "too large"),
    ("sin x", 4, "expected '(' after the function sin"),
    ("sin", 3, "expected '(' after the function sin"),
    ("sin(x, y)", 5, "functions take one argument"),
    ("x, y", 1, "functions take one argument"),
    ("'x'", 0, "strings are not allowed"),
    ('"x"', 0, "strings are not allowed"),
    ("x[0]", 1, "unexpected character '['"),
    ("x == y", 2, "unexpected character '='"),
    ("x; y", 1, "unexpected character ';'"),
    ("x # note", 2, "unexpected character '#'"),
    ("x ** * y", 5, "expected a number"),
    ("2 +* 3", 3, "expected a number"),
    ("x**", 3, "(the end)"),
    ("π*x", 0, "unexpected character 'π'"),
    ("1_000", 1, "write * to multiply"),
    ("x^", 1, "write ** for powers"),
    ("x + $ + ^", 4, "unexpected character '$'"),
    (DEEP, MAX_DEPTH, f"nested more than {MAX_DEPTH} levels"),
    ("-" * 100 + "x", MAX_DEPTH, "nested more than"),
    ("x**" * 100 + "x", 3 * MAX_DEPTH, "nested more than"),
    ("sin(" * 80 + "x" + ")" * 80, 4 * MAX_DEPTH, "nested more than"),
    (LONG, MAX_LENGTH, f"more than the {MAX_LENGTH} allowed"),
]


@pytest.mark.parametrize("text, position, part", BAD, ids=[row[0][:20] for row in BAD])
def test_bad_formulas_are_refused_where_they_go_wrong(text, position, part):
    with pytest.raises(FormulaError) as info:
        parse(text)
    error = info.value
    assert error.position == position
    assert error.text == text
    message = str(error)
    assert part in message
    assert f"at position {position}" in message
    assert (repr(text) if len(text) <= 80 else repr(text[:40] + "...")) in message
    assert isinstance(error, ValueError)
    with pytest.raises(FormulaError):
        formula_surface(text, *WINDOW)


def test_formula_errors_pickle():
    try:
        parse("x + ^")
    except FormulaError as error:
        copy = pickle.loads(pickle.dumps(error))
        assert (copy.text, copy.position, str(copy)) == ("x + ^", 4, str(error))
    else:  # pragma: no cover
        pytest.fail("no FormulaError")


@pytest.mark.parametrize("bad", [3, None, b"x", ["x"], 1.5])
def test_text_must_be_a_string(bad):
    with pytest.raises(TypeError, match="text"):
        parse(bad)
    with pytest.raises(TypeError, match="text"):
        formula_surface(bad, *WINDOW)


@pytest.mark.parametrize(
    "window",
    [(1.0, 0.0), (0.0, 0.0), (0.0, math.inf), (math.nan, 1.0), (0.0,), (0.0, 1.0, 2.0),
     (-1e308, 1e308), [[0.0, 1.0]], 5.0],
)  # fmt: skip
def test_windows_must_be_two_increasing_finite_numbers(window):
    with pytest.raises(ValueError, match="x_range") as info:
        formula_surface("x + y", window, (0.0, 1.0))
    assert repr(window) in str(info.value)
    with pytest.raises(ValueError, match="y_range"):
        formula_surface("x + y", (0.0, 1.0), window)


def test_window_and_title_types():
    with pytest.raises(TypeError, match="x_range"):
        formula_surface("x", "ab", (0, 1))
    with pytest.raises(TypeError, match="title"):
        formula_surface("x", (0, 1), (0, 1), title=3)
    surface = formula_surface("x", np.array([0, 1]), [-1, 1], title="Slope")
    assert surface.title == "Slope" and surface.x_range == (0.0, 1.0)
    assert isinstance(surface.x_range[0], float) and surface.y_range == (-1.0, 1.0)


def test_formulas_with_no_finite_value_on_the_window_are_refused():
    with pytest.raises(FormulaError, match="not a finite number anywhere") as info:
        formula_surface("log(x - 10)", (-1.0, 1.0), (-1.0, 1.0))
    assert info.value.position == 0
    for text in ("x/0", "log(0) + x", "log(-1) + y", "sqrt(-1) * x"):
        with pytest.raises(FormulaError, match="not a finite number anywhere"):
            formula_surface(text, *WINDOW)
    # the same formula is fine on a window where it is defined
    assert formula_surface("log(x - 10)", (11.0, 12.0), (-1.0, 1.0)).hessian is None


def test_powers_of_numbers_past_the_float_range_are_refused():
    for text, position in [("10**10**10 * x", 2), ("x + 2**3**2**5", 5), ("(-8)**(1/3) + x", 4)]:
        with pytest.raises(FormulaError, match="power") as info:
            formula_surface(text, *WINDOW)
        assert info.value.position == position


def test_formulas_too_deep_for_sympy_are_refused_not_crashed():
    text = "tanh(x+y*" * 20 + "x" + ")" * 20  # parses (60 levels), too deep to differentiate
    parse(text)
    with pytest.raises(FormulaError, match="too deeply") as info:
        formula_surface(text, *WINDOW)
    assert info.value.position == 0
    shallower = "tanh(x+y*" * 12 + "x" + ")" * 12
    assert np.isfinite(values_at(formula_surface(shallower, *WINDOW), 0.5, 0.5)[0])


# --- the surface ---------------------------------------------------------------------------


def test_a_formula_surface_is_a_surface():
    surface = formula_surface("(x - 1)**2 + (y + 2)**2", (-3, 3), (-3, 3))
    assert isinstance(surface, Surface) and isinstance(surface, FormulaSurface)
    assert surface.name == "formula"
    assert surface.formula == "(x - 1)**2 + (y + 2)**2"
    assert surface.title == "L = (x - 1)**2 + (y + 2)**2"
    assert surface.latex == r"L(x, y) = \left(x - 1\right)^{2} + \left(y + 2\right)^{2}"
    assert surface.x_range == (-3.0, 3.0) and surface.dimension == 2
    assert surface.hessian is None and not surface.is_quadratic
    np.testing.assert_allclose(surface.minima, [[1.0, -2.0]], atol=1e-6)
    assert surface.min_value == pytest.approx(0.0, abs=1e-11)
    assert formula_surface("x *\n  y", *WINDOW).title == "L = x * y"


def test_vectorised_over_any_batch_shape():
    surface = formula_surface("sin(x) * y**2 + abs(x)", *WINDOW)
    assert np.shape(surface.value([0.3, -0.2])) == ()
    assert np.shape(surface.gradient([0.3, -0.2])) == (2,)
    batch = np.random.default_rng(0).uniform(-2, 2, size=(4, 5, 2))
    values, gradients = surface.value(batch), surface.gradient(batch)
    assert values.shape == (4, 5) and gradients.shape == (4, 5, 2)
    for index in np.ndindex(4, 5):
        assert values[index] == surface.value(batch[index])
        np.testing.assert_array_equal(gradients[index], surface.gradient(batch[index]))
    x, y = batch[..., 0], batch[..., 1]
    value, grad_x, grad_y = surface.evaluate_xy(x, y)
    np.testing.assert_allclose(value, np.sin(x) * y**2 + np.abs(x), rtol=1e-14)
    np.testing.assert_allclose(grad_x, np.cos(x) * y**2 + np.sign(x), rtol=1e-14)
    np.testing.assert_allclose(grad_y, 2 * np.sin(x) * y, rtol=1e-14)


def test_results_are_fresh_arrays():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    for text in ("x", "y", "x*y", "x + y", "3"):
        results = formula_surface(text, *WINDOW).evaluate_xy(x, y)
        for result in results:
            assert result.shape == (2,) and result.dtype == np.float64
            assert not np.shares_memory(result, x) and not np.shares_memory(result, y)
        assert not np.shares_memory(results[1], results[2])
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_the_ravine_formula_is_the_ravine():
    surface = formula_surface("x**2/16 + 9*y**2", (-3.6, 3.6), (-0.4, 0.4))
    ravine = surfaces.ravine()
    np.testing.assert_array_equal(surface.hessian, [[1 / 8, 0.0], [0.0, 18.0]])
    assert surface.hessian.dtype == np.float64 and surface.is_quadratic
    assert surface.condition_number == pytest.approx(144.0)
    np.testing.assert_array_equal(surface.minima, [[0.0, 0.0]])
    assert surface.evaluate_into is not None
    points = np.random.default_rng(1).uniform(-4, 4, size=(100, 2))
    np.testing.assert_array_equal(surface.value(points), ravine.value(points))
    np.testing.assert_array_equal(surface.gradient(points), ravine.gradient(points))
    mine = simulate(surface, [-2.4, 0.2], lr=0.1, beta=0.8, steps=50)
    theirs = simulate(ravine, [-2.4, 0.2], lr=0.1, beta=0.8, steps=50)
    np.testing.assert_allclose(mine.positions, theirs.positions, rtol=1e-12, atol=0)
    np.testing.assert_allclose(mine.losses, theirs.losses, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "text, hessian",
    [
        ("x**2 + y**2", [[2, 0], [0, 2]]),
        ("x**2 + x*y + y**2", [[2, 1], [1, 2]]),
        ("(x + y)**2 / 2 + (x - y)**2", [[3, -1], [-1, 3]]),
        ("0.5*(0.1*x**2 + 10*y**2)", [[0.1, 0], [0, 10]]),
        ("pi*x**2 + y*y", [[2 * math.pi, 0], [0, 2]]),
    ],
)
def test_positive_definite_quadratic_forms_get_their_hessian(text, hessian):
    surface = formula_surface(text, *WINDOW)
    np.testing.assert_allclose(surface.hessian, hessian, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(surface.minima, [[0.0, 0.0]])
    point = np.array([0.7, -1.3])
    expected = python_value(text, *point)
    assert float(surface.value(point)) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    "text",
    [
        "x**4 + y**2",  # not quadratic
        "(x - 1)**2 + y**2",  # quadratic, but not a form: terms of degree 0 and 1
        "x**2 + y**2 + 1",
        "x*y",  # forms that are not positive definite
        "x**2 - y**2",
        "x**2",
        "abs(x)**2 + sqrt(y**4) + cos(x)",
        "(x + y + 1)**40",
    ],
)
def test_other_formulas_have_no_hessian(text):
    surface = formula_surface(text, *WINDOW)
    assert surface.hessian is None and surface.evaluate_into is None


def test_the_rosenbrock_formula_matches_the_built_in_surface():
    built_in = surfaces.rosenbrock()
    surface = formula_surface("(1 - x)**2 + 100*(y - x**2)**2", built_in.x_range, built_in.y_range)
    points = np.random.default_rng(2).uniform(-2, 2, size=(200, 2))
    np.testing.assert_allclose(surface.value(points), built_in.value(points), rtol=1e-12)
    np.testing.assert_allclose(
        surface.gradient(points), built_in.gradient(points), rtol=1e-11, atol=1e-9
    )
    np.testing.assert_allclose(surface.minima, [[1.0, 1.0]], atol=1e-3)  # approximate
    assert surface.min_value < 1e-6


def test_runs_on_a_formula_surface_match_the_built_in_one():
    built_in = surfaces.rosenbrock()
    surface = formula_surface("(1 - x)**2 + 100*(y - x**2)**2", (-2, 2), (-1, 3))
    kwargs = {"lr": [1e-4, 1e-3, 2e-3], "beta": 0.9, "steps": 300, "record": "path"}
    mine = simulate_batch(surface, (-1.5, 2.0), **kwargs)
    theirs = simulate_batch(built_in, (-1.5, 2.0), **kwargs)
    np.testing.assert_array_equal(mine.diverged, theirs.diverged)
    np.testing.assert_allclose(mine.final_positions, theirs.final_positions, rtol=1e-9)
    run = simulate(surface, (-1.5, 2.0), lr=1e-3, beta=0.9, steps=100)
    np.testing.assert_array_equal(run.losses, surface.value(run.positions))  # bit for bit
    np.testing.assert_array_equal(run.gradients, surface.gradient(run.positions))


def test_where_the_formula_is_not_finite():
    surface = formula_surface("log(x) + y**2", (0.1, 2.0), (-1.0, 1.0))
    with pytest.raises(ValueError, match="finite"):
        surface.value([-1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = simulate(surface, [0.2, 0.5], lr=1.0, steps=20)
    assert run.diverged and np.all(np.isfinite(run.positions))
    cone = formula_surface("sqrt(x**2 + y**2)", *WINDOW)
    assert float(cone.value([0.0, 0.0])) == 0.0
    with pytest.raises(ValueError, match="gradient"):
        cone.gradient([0.0, 0.0])


def test_abs_of_an_argument_sympy_cannot_prove_real():
    surface = formula_surface("abs(log(x)) + abs(sqrt(y) - 1)", (0.1, 3.0), (0.1, 3.0))
    assert r"\left|" in surface.latex
    _, grad_x, grad_y = values_at(surface, math.e, 4.0)
    assert grad_x == pytest.approx(1 / math.e, rel=1e-14)
    assert grad_y == pytest.approx(0.25, rel=1e-14)
    _, grad_x, grad_y = values_at(surface, 0.5, 0.25)
    assert (grad_x, grad_y) == (pytest.approx(-2.0, rel=1e-14), pytest.approx(-1.0, rel=1e-14))
    # at the kinks the slope is sign(0) = 0, not 0/0
    assert values_at(surface, 1.0, 1.0)[1:] == (0.0, 0.0)
    np.testing.assert_allclose(surface.minima, [[1.0, 1.0]], atol=1e-6)


def test_importing_the_module_does_not_load_sympy():
    script = (
        "import sys, momentum_math, momentum_math.formula as f\n"
        "before = 'sympy' in sys.modules\n"
        "f.formula_surface('x**2 + y', (-1, 1), (-1, 1))\n"
        "print(before, 'sympy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_ROOT,
        timeout=120, check=True,
    )  # fmt: skip
    assert done.stdout.split() == ["False", "True"]


# --- property tests ---------------------------------------------------------------------

LEAVES = st.sampled_from(["x", "y", "pi", "e", "2", "3", "0.5", "1.5", ".25", "1e-1", "2.5E+0"])


def _grown(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operators = st.sampled_from([" + ", " - ", "*", " / ", "-"])
    exponents = st.sampled_from(["2", "3", "0.5", "-1", "(-2)", "(1/3)"])
    return st.one_of(
        st.tuples(children, operators, children).map("".join),
        children.map(lambda child: f"({child})"),
        children.map(lambda child: f"-{child}"),
        st.tuples(st.sampled_from(FUNCTIONS), children).map(lambda pair: f"{pair[0]}({pair[1]})"),
        st.tuples(children, exponents).map(lambda pair: f"({pair[0]})**{pair[1]}"),
    )


FORMULAS = st.recursive(LEAVES, _grown, max_leaves=8)
COORDINATES = st.floats(-2.0, 2.0, allow_nan=False)


def _largest_part(text: str, x: float, y: float) -> float:
    """The largest magnitude of any part of the formula at (x, y): the scale of its rounding.

    Raises what Python's arithmetic raises outside its real domain.
    """
    parts: list[float] = []

    def walk(node: formula.Node) -> float:
        if isinstance(node, Number):
            value = node.value
        elif isinstance(node, Variable):
            value = x if node.name == "x" else y
        elif isinstance(node, Constant):
            value = MATH[node.name]
        elif isinstance(node, Unary):
            value = -walk(node.operand) if node.op == "-" else walk(node.operand)
        elif isinstance(node, Chain):
            value = walk(node.operands[0])
            for op, operand in zip(node.operators, node.operands[1:], strict=True):
                other = walk(operand)
                value = {"+": value + other, "-": value - other, "*": value * other}.get(
                    op, value / other if op == "/" else math.nan
                )
        elif isinstance(node, Power):
            result = walk(node.base) ** walk(node.exponent)
            if isinstance(result, complex):
                raise ValueError("complex")
            value = float(result)
        else:
            value = MATH[node.function](walk(node.argument))
        parts.append(abs(value))
        return value

    walk(parse(text))
    return max(parts)


@HYPOTHESIS
@given(text=FORMULAS, x=COORDINATES, y=COORDINATES)
def test_random_formulas_evaluate_as_python_does(text, x, y):
    try:
        surface = formula_surface(text, *WINDOW)
    except FormulaError as error:  # not finite anywhere on the window
        assert "finite" in error.detail
        assume(False)
    value, grad_x, grad_y = values_at(surface, x, y)
    try:
        rounded = python_value(text, x, y)
        expected = precise_value(text, x, y)
        scale = _largest_part(text, x, y)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        assume(False)  # outside Python's real domain (log or sqrt of a negative, 1/0, ...)
    assume(math.isfinite(expected) and abs(expected) < 1e8 and scale < 1e8)
    # Python's own float rounding shows how sensitive the formula is here (sqrt(sin(pi))
    # is 1e-8 in floats, 0 to SymPy).
    sensitivity = abs(rounded - expected)
    if not math.isfinite(value):  # only where rounding decides, e.g. sqrt of a tiny difference
        assert sensitivity > 1e-12 * (1 + scale), (text, x, y, expected)
        return
    slope = abs(grad_x) * (1 + abs(x)) + abs(grad_y) * (1 + abs(y))
    if not math.isfinite(slope):
        slope = 0.0
    tolerance = 1e-9 * (1 + abs(expected) + scale + slope) + 10 * sensitivity
    assert abs(value - expected) <= tolerance, (text, x, y, value, expected, rounded)


@HYPOTHESIS
@given(text=FORMULAS, x=COORDINATES, y=COORDINATES)
def test_random_formulas_have_the_slope_of_central_differences(text, x, y):
    try:
        surface = formula_surface(text, *WINDOW)
    except FormulaError:
        assume(False)
    value, grad_x, grad_y = values_at(surface, x, y)
    assume(math.isfinite(value) and abs(value) < 1e4)
    assume(math.isfinite(grad_x) and math.isfinite(grad_y))
    h = 1e-5
    for analytic, (dx, dy) in ((grad_x, (1.0, 0.0)), (grad_y, (0.0, 1.0))):
        plus = values_at(surface, x + h * dx, y + h * dy)[0]
        minus = values_at(surface, x - h * dx, y - h * dy)[0]
        forward, backward, central = (plus - value) / h, (value - minus) / h, (plus - minus) / 2 / h
        assume(math.isfinite(forward) and math.isfinite(backward))
        # smooth here: the one-sided slopes agree (no kink, no pole between them)
        assume(abs(forward - backward) <= 1e-3 * (1 + abs(central)))
        assert abs(analytic - central) <= 1e-4 * (1 + abs(analytic)), (text, x, y, dx)


SOUP = st.lists(
    st.sampled_from(
        [*"xy+-*/()^.,e0123456789az_[]'\" ", "**", "sin", "log", "sqrt", "abs", "pi", "1e3", ".5"]
    ),
    max_size=30,
).map("".join)


def _mutated(case: tuple[str, int, str, bool]) -> str:
    """A formula with one character replaced (or one inserted): usually almost right."""
    text, index, char, insert = case
    index %= len(text) + 1
    return text[:index] + char + text[index + (0 if insert else 1) :]


MUTATED = st.tuples(
    FORMULAS, st.integers(0, 200), st.sampled_from([*"xy+-*/()^.,e019 _'"]), st.booleans()
).map(_mutated)


@HYPOTHESIS
@given(text=st.one_of(st.text(max_size=40), SOUP, MUTATED))
def test_any_text_parses_or_is_a_formula_error(text):
    try:
        tree = parse(text)
    except FormulaError as error:
        assert error.text == text
        assert 0 <= error.position <= len(text)
        assert (repr(text) if len(text) <= 80 else repr(text[:40] + "...")) in str(error)
        return
    assert tree is not None
    try:
        surface = formula_surface(text, *WINDOW)
    except FormulaError as error:
        assert error.text == text
        return
    assert isinstance(surface, FormulaSurface)
    assert np.isfinite(surface.min_value)
