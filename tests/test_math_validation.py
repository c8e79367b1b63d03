"""Bad input is refused with a message naming the parameter, the value and what is allowed.

One test per rule of ``momentum_math._validate``, run across every public
function that takes the parameter.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import momentum_math
from momentum_math import CONVENTIONS, _validate, presets, rules, simulation, surfaces, theory
from momentum_math.simulation import MAX_PATH_BYTES

NAN, INF = math.nan, math.inf
RAVINE = surfaces.ravine()
START = (-2.4, 0.2)
MAX_STEPS = _validate.MAX_STEPS
WORKED_EXAMPLE_MAX_STEPS = 10_000


def assert_refused(
    call: Callable[[], Any],
    error: type[Exception],
    name: str,
    value: Any,
    allowed: str,
) -> None:
    """``call()`` raises ``error`` whose message names ``name``, shows ``value`` and ``allowed``."""
    with pytest.raises(error) as excinfo:
        call()
    assert type(excinfo.value) is error
    message = str(excinfo.value)
    # The parameter as a whole word: "steps" must not be satisfied by "max_steps".
    assert re.search(rf"(?<![\w.]){re.escape(name)}\b", message), (name, message)
    assert repr(value) in message or str(value) in message, (value, message)
    assert allowed in message, (allowed, message)


# --- the public functions, each with one parameter left open -------------------

LR_TAKERS: dict[str, Callable[[Any], Any]] = {
    "simulate": lambda lr: momentum_math.simulate(RAVINE, START, lr=lr, steps=3),
    "simulate_batch": lambda lr: momentum_math.simulate_batch(RAVINE, START, lr=lr, steps=3),
    "spectral_radius": lambda lr: theory.spectral_radius(1.0, lr=lr, beta=0.5),
    "predicted_steps_to_converge": lambda lr: theory.predicted_steps_to_converge(
        RAVINE, START, lr=lr, beta=0.5, max_steps=10
    ),
    "effective_step": lambda lr: theory.effective_step(lr, 0.9),
    "worked_example": lambda lr: momentum_math.worked_example(lr=lr),
}

BETA_TAKERS: dict[str, Callable[[Any], Any]] = {
    "simulate": lambda beta: momentum_math.simulate(RAVINE, START, lr=0.1, beta=beta, steps=3),
    "simulate_batch": lambda beta: momentum_math.simulate_batch(
        RAVINE, START, lr=0.1, beta=beta, steps=3
    ),
    "spectral_radius": lambda beta: theory.spectral_radius(1.0, lr=0.1, beta=beta),
    "predicted_steps_to_converge": lambda beta: theory.predicted_steps_to_converge(
        RAVINE, START, lr=0.1, beta=beta, max_steps=10
    ),
    "effective_step": lambda beta: theory.effective_step(0.1, beta),
    "memory_window": lambda beta: theory.memory_window(beta),
    "worked_example": lambda beta: momentum_math.worked_example(beta=beta),
}

#: name -> (call with the step count, the parameter's name, its documented maximum)
STEPS_TAKERS: dict[str, tuple[Callable[[Any], Any], str, int]] = {
    "simulate": (
        lambda steps: momentum_math.simulate(RAVINE, START, lr=0.1, steps=steps),
        "steps",
        MAX_STEPS,
    ),
    "simulate_batch": (
        lambda steps: momentum_math.simulate_batch(RAVINE, START, lr=0.1, steps=steps),
        "steps",
        MAX_STEPS,
    ),
    "predicted_steps_to_converge": (
        lambda steps: theory.predicted_steps_to_converge(RAVINE, START, lr=0.1, max_steps=steps),
        "max_steps",
        MAX_STEPS,
    ),
    "worked_example": (
        lambda steps: momentum_math.worked_example(steps=steps),
        "steps",
        WORKED_EXAMPLE_MAX_STEPS,
    ),
}

#: name -> (call with the point, the parameter's name)
START_TAKERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "simulate": (lambda start: momentum_math.simulate(RAVINE, start, lr=0.1, steps=3), "start"),
    "simulate_batch": (
        lambda start: momentum_math.simulate_batch(RAVINE, start, lr=0.1, steps=3),
        "start",
    ),
    "predicted_steps_to_converge": (
        lambda start: theory.predicted_steps_to_converge(RAVINE, start, lr=0.1, max_steps=10),
        "start",
    ),
    "Surface.value": (lambda points: RAVINE.value(points), "points"),
    "Surface.gradient": (lambda points: RAVINE.gradient(points), "points"),
}

THRESHOLD_TAKERS: dict[str, Callable[[Any], Any]] = {
    "simulate_batch": lambda threshold: momentum_math.simulate_batch(
        RAVINE, START, lr=0.1, steps=3, threshold=threshold
    ),
    "predicted_steps_to_converge": lambda threshold: theory.predicted_steps_to_converge(
        RAVINE, START, lr=0.1, threshold=threshold, max_steps=10
    ),
    "Trajectory.steps_to_converge": lambda threshold: momentum_math.simulate(
        RAVINE, START, lr=0.1, steps=3
    ).steps_to_converge(threshold),
}

CONVENTION_TAKERS: dict[str, Callable[[Any], Any]] = {
    "simulate": lambda convention: momentum_math.simulate(
        RAVINE, START, lr=0.1, steps=3, convention=convention
    ),
    "simulate_batch": lambda convention: momentum_math.simulate_batch(
        RAVINE, START, lr=0.1, steps=3, convention=convention
    ),
    "spectral_radius": lambda convention: theory.spectral_radius(
        1.0, lr=0.1, convention=convention
    ),
    "predicted_steps_to_converge": lambda convention: theory.predicted_steps_to_converge(
        RAVINE, START, lr=0.1, max_steps=10, convention=convention
    ),
    "effective_step": lambda convention: theory.effective_step(0.1, 0.9, convention=convention),
    "rules.rule": lambda convention: rules.rule(convention),
}


# --- lr: finite and > 0 --------------------------------------------------------


@pytest.mark.parametrize("lr", [0, 0.0, -1, -1e-300, NAN, INF, -INF])
@pytest.mark.parametrize("function", list(LR_TAKERS))
def test_lr_must_be_finite_and_positive(function, lr):
    assert_refused(lambda: LR_TAKERS[function](lr), ValueError, "lr", lr, "finite and > 0")


@pytest.mark.parametrize("lr", ["0.1", None, True, [0.1, "x"]])
@pytest.mark.parametrize("function", list(LR_TAKERS))
def test_lr_of_the_wrong_type_is_a_type_error(function, lr):
    assert_refused(lambda: LR_TAKERS[function](lr), TypeError, "lr", lr, "real number")


# --- beta: in [0, 1) -----------------------------------------------------------


@pytest.mark.parametrize("beta", [-0.1, -1e-300, 1.0, 1, 1.5, NAN, INF, -INF])
@pytest.mark.parametrize("function", list(BETA_TAKERS))
def test_beta_must_be_in_zero_one(function, beta):
    assert_refused(lambda: BETA_TAKERS[function](beta), ValueError, "beta", beta, "in [0, 1)")


@pytest.mark.parametrize("beta", ["0.9", None, False])
@pytest.mark.parametrize("function", list(BETA_TAKERS))
def test_beta_of_the_wrong_type_is_a_type_error(function, beta):
    assert_refused(lambda: BETA_TAKERS[function](beta), TypeError, "beta", beta, "real number")


def test_beta_just_below_one_and_zero_are_accepted():
    for beta in (0.0, 0, np.nextafter(1.0, 0.0)):
        momentum_math.simulate(RAVINE, START, lr=0.01, beta=beta, steps=3)
        theory.memory_window(beta)


# --- lr and beta arrays: one bad element spoils the batch ------------------------


@pytest.mark.parametrize(
    "lr",
    [
        np.array([0.1, 0.2, -0.3]),
        np.array([0.1, np.nan]),
        np.array([[0.1, 0.2], [np.inf, 0.1]]),
        np.array([0.0, 0.1]),
        np.linspace(0.0, 1.0, 50),  # a long array: its repr is summarised, still shown
    ],
)
def test_batch_lr_array_with_one_bad_element(lr):
    assert_refused(
        lambda: momentum_math.simulate_batch(RAVINE, START, lr=lr, steps=3),
        ValueError,
        "lr",
        lr,
        "finite and > 0",
    )


@pytest.mark.parametrize(
    "beta",
    [
        np.array([0.5, 1.0]),
        np.array([0.9, -0.01, 0.0]),
        np.array([[0.5], [np.nan]]),
        np.linspace(0.0, 1.0, 50),
    ],
)
def test_batch_beta_array_with_one_bad_element(beta):
    assert_refused(
        lambda: momentum_math.simulate_batch(RAVINE, START, lr=0.1, beta=beta, steps=3),
        ValueError,
        "beta",
        beta,
        "in [0, 1)",
    )


@pytest.mark.parametrize(
    ("lr", "beta"),
    [(np.array([0.1, 0.2]), 0.5), (0.1, np.array([0.5, 0.9])), ([0.1], 0.0)],
)
def test_simulate_takes_single_numbers_only(lr, beta):
    assert_refused(
        lambda: momentum_math.simulate(RAVINE, START, lr=lr, beta=beta, steps=3),
        ValueError,
        "lr",
        lr,
        "single numbers",
    )


def test_worked_example_takes_single_numbers_only():
    lr = np.array([0.1, 0.2])
    assert_refused(
        lambda: momentum_math.worked_example(lr=lr), ValueError, "lr", lr, "single numbers"
    )


# --- steps: an integer in [0, maximum] ------------------------------------------


@pytest.mark.parametrize("function", list(STEPS_TAKERS))
def test_steps_must_be_in_range(function):
    call, name, maximum = STEPS_TAKERS[function]
    for steps in (-1, -(10**12), maximum + 1, 10**30):
        assert_refused(
            lambda steps=steps: call(steps),
            ValueError,
            name,
            steps,
            f"an integer in [0, {maximum}]",
        )


@pytest.mark.parametrize("steps", [2.5, 3.0, True, False, "3", None, np.float64(3.0)])
@pytest.mark.parametrize("function", list(STEPS_TAKERS))
def test_steps_of_the_wrong_type_is_a_type_error(function, steps):
    call, name, _ = STEPS_TAKERS[function]
    assert_refused(lambda: call(steps), TypeError, name, steps, "must be an integer")


def test_documented_maximum_is_one_million():
    assert MAX_STEPS == 1_000_000
    assert "1 000 000" in momentum_math.simulate.__doc__


def test_steps_at_the_edges_are_accepted():
    assert momentum_math.simulate(RAVINE, START, lr=0.1, steps=0).num_steps == 0
    assert momentum_math.simulate(RAVINE, START, lr=0.1, steps=np.int64(2)).num_steps == 2
    assert momentum_math.worked_example(steps=WORKED_EXAMPLE_MAX_STEPS).steps == 10_000
    # The maximum itself is allowed (checked directly: a million-step run takes seconds).
    assert _validate.steps(MAX_STEPS) == MAX_STEPS
    assert _validate.steps(np.int64(MAX_STEPS)) == MAX_STEPS


# --- start / points: finite, shape (2,) ------------------------------------------


@pytest.mark.parametrize(
    "start", [(1.0, 2.0, 3.0), [1.0], 1.0, (), np.zeros((3, 3)), np.zeros((2, 0))]
)
@pytest.mark.parametrize("function", list(START_TAKERS))
def test_start_must_have_shape_two(function, start):
    call, name = START_TAKERS[function]
    assert_refused(lambda: call(start), ValueError, name, start, "shape (2,)")


@pytest.mark.parametrize(
    "start", [(NAN, 0.0), (0.0, INF), (-INF, 1.0), np.array([[0.0, 0.0], [NAN, 1.0]])]
)
@pytest.mark.parametrize("function", list(START_TAKERS))
def test_start_must_be_finite(function, start):
    call, name = START_TAKERS[function]
    assert_refused(lambda: call(start), ValueError, name, start, "finite")


@pytest.mark.parametrize("function", ["simulate", "predicted_steps_to_converge"])
def test_single_run_start_must_be_one_point(function):
    call, name = START_TAKERS[function]
    start = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert_refused(lambda: call(start), ValueError, name, start, "one point of shape (2,)")


@pytest.mark.parametrize("start", ["(1, 2)", None, (True, False), ["a", "b"]])
@pytest.mark.parametrize("function", list(START_TAKERS))
def test_start_of_the_wrong_type_is_a_type_error(function, start):
    call, name = START_TAKERS[function]
    assert_refused(lambda: call(start), TypeError, name, start, "real number")


def test_batch_starts_broadcast_or_are_refused():
    starts = np.zeros((3, 2))
    lr = np.array([0.1, 0.2])
    with pytest.raises(ValueError) as excinfo:
        momentum_math.simulate_batch(RAVINE, starts, lr=lr, steps=3)
    message = str(excinfo.value)
    for part in ("start", "lr", "(3,)", "(2,)", "broadcast"):
        assert part in message


# --- threshold (and the other > 0 scalars) ----------------------------------------


@pytest.mark.parametrize("threshold", [0, 0.0, -1.0, NAN, INF, -INF])
@pytest.mark.parametrize("function", list(THRESHOLD_TAKERS))
def test_threshold_must_be_finite_and_positive(function, threshold):
    assert_refused(
        lambda: THRESHOLD_TAKERS[function](threshold),
        ValueError,
        "threshold",
        threshold,
        "finite and > 0",
    )


@pytest.mark.parametrize("threshold", ["1e-3", True, [1e-3], np.array([1e-3])])
@pytest.mark.parametrize("function", list(THRESHOLD_TAKERS))
def test_threshold_of_the_wrong_type_is_a_type_error(function, threshold):
    assert_refused(
        lambda: THRESHOLD_TAKERS[function](threshold),
        TypeError,
        "threshold",
        threshold,
        "a real number",
    )


@pytest.mark.parametrize("value", [0, -1.0, NAN, INF])
@pytest.mark.parametrize("name", ["smallest", "largest"])
def test_optimal_momentum_bounds_must_be_positive(name, value):
    arguments = {"smallest": 0.1, "largest": 10.0, name: value}
    assert_refused(
        lambda: theory.optimal_momentum(**arguments), ValueError, name, value, "finite and > 0"
    )


def test_optimal_momentum_bounds_in_order():
    assert_refused(
        lambda: theory.optimal_momentum(10.0, 0.1), ValueError, "smallest", 10.0, "<= largest"
    )


@pytest.mark.parametrize("bound", [0, -1.0, NAN, INF])
def test_divergence_bound_must_be_positive(bound):
    for call in (
        lambda: momentum_math.simulate(RAVINE, START, lr=0.1, steps=3, bound=bound),
        lambda: momentum_math.simulate_batch(RAVINE, START, lr=0.1, steps=3, bound=bound),
    ):
        assert_refused(call, ValueError, "bound", bound, "finite and > 0")


# --- conventions, flags, record ------------------------------------------------


@pytest.mark.parametrize("convention", ["nag", "PyTorch", "", "pytorch "])
@pytest.mark.parametrize("function", list(CONVENTION_TAKERS))
def test_unknown_convention(function, convention):
    assert_refused(
        lambda: CONVENTION_TAKERS[function](convention),
        ValueError,
        "convention",
        convention,
        f"one of {CONVENTIONS!r}",
    )


@pytest.mark.parametrize("convention", [None, 0, ("pytorch",)])
@pytest.mark.parametrize("function", list(CONVENTION_TAKERS))
def test_convention_of_the_wrong_type_is_a_type_error(function, convention):
    assert_refused(
        lambda: CONVENTION_TAKERS[function](convention),
        TypeError,
        "convention",
        convention,
        "must be a string",
    )


@pytest.mark.parametrize("nesterov", ["yes", 1, None])
def test_nesterov_is_a_flag(nesterov):
    for call in (
        lambda: momentum_math.simulate(RAVINE, START, lr=0.1, steps=3, nesterov=nesterov),
        lambda: momentum_math.simulate_batch(RAVINE, START, lr=0.1, steps=3, nesterov=nesterov),
        lambda: theory.spectral_radius(1.0, lr=0.1, nesterov=nesterov),
    ):
        assert_refused(call, TypeError, "nesterov", nesterov, "True or False")


@pytest.mark.parametrize("record", ["full", "paths", ""])
def test_unknown_record(record):
    assert_refused(
        lambda: momentum_math.simulate_batch(RAVINE, START, lr=0.1, steps=3, record=record),
        ValueError,
        "record",
        record,
        "one of ('summary', 'path')",
    )


def test_path_record_refuses_huge_batches():
    runs = MAX_PATH_BYTES // (7 * 8 * 1001) + 1
    with pytest.raises(ValueError) as excinfo:
        momentum_math.simulate_batch(
            RAVINE, START, lr=np.full(runs, 0.1), steps=1000, record="path"
        )
    message = str(excinfo.value)
    assert "record='path'" in message and str(runs) in message and "summary" in message


@pytest.mark.parametrize("surface", ["ravine", None, surfaces.ravine])
def test_surface_must_be_a_surface(surface):
    for call in (
        lambda: momentum_math.simulate(surface, START, lr=0.1),
        lambda: momentum_math.simulate_batch(surface, START, lr=0.1),
    ):
        assert_refused(call, TypeError, "surface", surface, "Surface")


# --- names: surfaces, presets ----------------------------------------------------


@pytest.mark.parametrize("name", ["bowl", "Ravine", "", "stretched bowl"])
def test_unknown_surface_name(name):
    assert_refused(
        lambda: surfaces.get(name), ValueError, "name", name, f"one of {surfaces.NAMES!r}"
    )


@pytest.mark.parametrize("name", ["race", "ravine", "Ravine_Zigzag"])
def test_unknown_preset_name(name):
    assert_refused(lambda: presets.get(name), ValueError, "name", name, f"one of {presets.NAMES!r}")


@pytest.mark.parametrize("name", [None, 3, surfaces.ravine()])
def test_surface_and_preset_names_are_strings(name):
    for getter in (surfaces.get, presets.get):
        assert_refused(lambda getter=getter: getter(name), TypeError, "name", name, "a string")


def test_every_known_name_is_accepted():
    for name in surfaces.NAMES:
        assert surfaces.get(name).name == name
    for name in presets.NAMES:
        assert presets.get(name).name == name


# --- surfaces.quadratic -----------------------------------------------------------


@pytest.mark.parametrize(
    "eigenvalues", [[1.0, -1.0], [0.0, 1.0], [NAN, 1.0], [1.0, INF], [1.0, 1.0, 1.0], 1.0]
)
def test_quadratic_eigenvalues_must_be_two_positive_numbers(eigenvalues):
    assert_refused(
        lambda: surfaces.quadratic(eigenvalues),
        ValueError,
        "eigenvalues",
        eigenvalues,
        "two finite numbers > 0",
    )


@pytest.mark.parametrize("eigenvalues", ["1, 2", None, [True, True]])
def test_quadratic_eigenvalues_of_the_wrong_type(eigenvalues):
    assert_refused(
        lambda: surfaces.quadratic(eigenvalues), TypeError, "eigenvalues", eigenvalues, "real"
    )


@pytest.mark.parametrize("angle", [NAN, INF, [0.1, 0.2]])
def test_quadratic_angle_must_be_one_finite_number(angle):
    assert_refused(
        lambda: surfaces.quadratic([1.0, 2.0], angle=angle),
        ValueError,
        "angle",
        angle,
        "one finite number",
    )


# --- NumPy times and masked arrays: refused by name, for every numeric parameter -----
#
# NumPy converts both to numbers without complaint: np.timedelta64(5, "s") becomes 5.0
# (np.timedelta64 even registers as a numbers.Integral), a masked array becomes its
# data with the mask dropped. Every numeric parameter of every public function refuses
# them with a TypeError that names it and says why.

BOWL = surfaces.stretched_bowl()

#: name -> (call with the value, the parameter's name), for the parameters that take one
#: real number (checked by ``_validate.positive``).
NUMBER_TAKERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    **{f"{name} threshold": (call, "threshold") for name, call in THRESHOLD_TAKERS.items()},
    "simulate bound": (
        lambda bound: momentum_math.simulate(RAVINE, START, lr=0.1, steps=3, bound=bound),
        "bound",
    ),
    "simulate_batch bound": (
        lambda bound: momentum_math.simulate_batch(RAVINE, START, lr=0.1, steps=3, bound=bound),
        "bound",
    ),
    "asymptotic_steps rate": (lambda rate: theory.asymptotic_steps(rate, 1.0, 1e-3), "rate"),
    "asymptotic_steps initial_loss": (
        lambda loss: theory.asymptotic_steps(0.5, loss, 1e-3),
        "initial_loss",
    ),
    "asymptotic_steps threshold": (
        lambda threshold: theory.asymptotic_steps(0.5, 1.0, threshold),
        "threshold",
    ),
    "optimal_momentum smallest": (lambda value: theory.optimal_momentum(value, 10.0), "smallest"),
    "optimal_momentum largest": (lambda value: theory.optimal_momentum(0.1, value), "largest"),
}

#: name -> (call, parameter): the parameters that take a real number or an array of them.
ARRAY_TAKERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    **{f"{name} lr": (call, "lr") for name, call in LR_TAKERS.items()},
    **{f"{name} beta": (call, "beta") for name, call in BETA_TAKERS.items()},
    "contraction_rate lr": (lambda lr: theory.contraction_rate(BOWL, lr), "lr"),
    "contraction_rate beta": (lambda beta: theory.contraction_rate(BOWL, 0.1, beta), "beta"),
    "direction_response lr": (lambda lr: theory.direction_response(1.0, lr), "lr"),
    "predicted_losses beta": (lambda beta: theory.predicted_losses(BOWL, START, 0.1, beta), "beta"),
    "Experiment.run beta": (lambda beta: presets.ravine_zigzag().run(beta=beta), "beta"),
    "rules.pytorch_step_size lr": (lambda lr: rules.pytorch_step_size(lr, 0.5, "ema"), "lr"),
    "rules.velocity_scale beta": (lambda beta: rules.velocity_scale(0.1, beta, "ema"), "beta"),
    "spectral_radius eigenvalue": (lambda value: theory.spectral_radius(value, 0.1), "eigenvalue"),
    "direction_response eigenvalue": (
        lambda value: theory.direction_response(value, 0.1),
        "eigenvalue",
    ),
    "quadratic angle": (lambda angle: surfaces.quadratic([1.0, 2.0], angle), "angle"),
}

#: name -> (call, parameter): the parameters that take a point (or points) of shape (2,).
POINT_TAKERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    **START_TAKERS,
    "predicted_losses": (lambda start: theory.predicted_losses(BOWL, start, 0.1), "start"),
    "quadratic eigenvalues": (lambda values: surfaces.quadratic(values), "eigenvalues"),
}

#: name -> (call, parameter): the parameters that take a count (an integer).
COUNT_TAKERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    **{name: (call, parameter) for name, (call, parameter, _) in STEPS_TAKERS.items()},
    "direction_response steps": (
        lambda steps: theory.direction_response(1.0, 0.1, 0.0, steps),
        "steps",
    ),
    "predicted_losses steps": (
        lambda steps: theory.predicted_losses(BOWL, START, 0.1, 0.0, steps),
        "steps",
    ),
    "Experiment.run steps": (lambda steps: presets.ravine_zigzag().run(steps=steps), "steps"),
    "batch_bytes runs": (lambda runs: simulation.batch_bytes(runs, 3), "runs"),
    "batch_bytes steps": (lambda steps: simulation.batch_bytes(3, steps), "steps"),
    "simulate max_bytes": (
        lambda budget: momentum_math.simulate(RAVINE, START, lr=0.1, steps=3, max_bytes=budget),
        "max_bytes",
    ),
    "simulate_batch max_bytes": (
        lambda budget: momentum_math.simulate_batch(
            RAVINE, START, lr=0.1, steps=3, max_bytes=budget
        ),
        "max_bytes",
    ),
    "Surface.value max_bytes": (lambda budget: RAVINE.value(START, max_bytes=budget), "max_bytes"),
}

TIMES = {
    "timedelta64[s]": np.timedelta64(5, "s"),
    "timedelta64[ns]": np.timedelta64(1, "ns"),  # int() of it is 1: it used to pass as a count
    "0-d timedelta64 array": np.array(3, dtype="m8[ns]"),
    "datetime64": np.datetime64("2020-01-01"),
}
MASKED_NUMBERS = {
    "masked array, nothing masked": np.ma.masked_array(0.5),
    "masked array, masked": np.ma.masked_array(0.5, mask=True),
    "np.ma.masked": np.ma.masked,
}
POINT_TIMES = {
    "timedelta64 array": np.array([1, 2], dtype="m8[s]"),
    "list of timedelta64": [np.timedelta64(1, "s"), np.timedelta64(2, "s")],
    "datetime64 array": np.array(["2020-01-01", "2020-01-02"], dtype="M8[D]"),
}
MASKED_POINTS = {
    "masked array, one masked": np.ma.masked_array([1.0, 2.0], mask=[False, True]),
    "masked array, nothing masked": np.ma.masked_array([1.0, 2.0]),
    "np.ma.masked in a list": [1.0, np.ma.masked],
    "masked row in a list": [[1.0, 2.0], np.ma.masked_array([3.0, 4.0], mask=[True, False])],
}


def _cases(takers: dict[str, tuple[Callable[[Any], Any], str]], values: dict[str, Any]):
    return [
        pytest.param(call, name, value, id=f"{taker}-{label}")
        for taker, (call, name) in takers.items()
        for label, value in values.items()
    ]


@pytest.mark.parametrize(
    "call, name, value",
    _cases(NUMBER_TAKERS, TIMES)
    + _cases(ARRAY_TAKERS, TIMES)
    + _cases(COUNT_TAKERS, TIMES)
    + _cases(POINT_TAKERS, POINT_TIMES),
)
def test_numpy_times_are_refused_by_name(call, name, value):
    assert_refused(lambda: call(value), TypeError, name, value, "a NumPy time")


@pytest.mark.parametrize(
    "call, name, value",
    _cases(NUMBER_TAKERS, MASKED_NUMBERS)
    + _cases(ARRAY_TAKERS, {**MASKED_NUMBERS, "np.ma.masked in a list": [0.5, np.ma.masked]})
    + _cases(COUNT_TAKERS, MASKED_NUMBERS)
    + _cases(POINT_TAKERS, MASKED_POINTS),
)
def test_masked_arrays_are_refused_by_name(call, name, value):
    assert_refused(lambda: call(value), TypeError, name, value, "masked array")


@pytest.mark.parametrize("taker", ["simulate_batch lr", "spectral_radius eigenvalue"])
def test_times_inside_object_arrays_are_refused(taker):
    call, name = ARRAY_TAKERS[taker]
    for value in (
        np.array([np.timedelta64(1, "s"), 0.5], dtype=object),
        (np.float64(0.5), np.timedelta64(2, "s")),
        np.array([0.5, np.datetime64("2020-01-01")], dtype=object),
    ):
        assert_refused(lambda value=value: call(value), TypeError, name, value, "real number")


def test_a_list_that_holds_itself_is_refused_at_once():
    """``a = [a, a]``: np.asarray would nest it 32 levels deep (2**32 elements) and fill memory.

    Run in a child process under a 2 GiB address-space limit: where it is refused
    the child exits 0 within seconds; where it is not, it fails on the limit.
    """
    script = textwrap.dedent(
        """
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
        from momentum_math import simulate_batch, surfaces, theory
        a = []
        a += [a, a]
        b = [[0.1, 0.2]]
        b.append(b)
        for value in (a, [a], b, [b, b]):
            for call in (
                lambda: theory.spectral_radius(value, 0.1),
                lambda: simulate_batch(surfaces.ravine(), value, lr=0.1, steps=3),
            ):
                try:
                    call()
                except TypeError as error:
                    assert "holds itself" in str(error), error
                else:
                    sys.exit("accepted " + repr(value))
        """
    )
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=Path(momentum_math.__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr[-2000:]
