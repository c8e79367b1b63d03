"""Fuzzing every public function of ``momentum_math`` across the whole input range.

Each call either raises ValueError/TypeError whose message names the parameter,
shows the value (or its shape) and says what is allowed, or returns results
that are entirely finite. Warnings are errors here: no RuntimeWarning escapes.

The documented exceptions to "entirely finite" are checked for what they
promise: ``theory.asymptotic_steps`` is ``inf`` when the rate is >= 1, and a
diverging closed-form prediction (``direction_response``, ``predicted_losses``)
holds ±inf past the float range, never NaN.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import momentum_math
from momentum_math import (
    CONVENTIONS,
    _budget,
    presets,
    rules,
    simulate,
    simulate_batch,
    simulation,
    surfaces,
    theory,
    worked_example,
)

pytestmark = pytest.mark.filterwarnings("error")

#: Examples per property; raise it for a soak (``MOMENTUM_MATH_FUZZ_EXAMPLES=2000``).
FUZZ = settings(
    max_examples=int(os.environ.get("MOMENTUM_MATH_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

MAX = float(np.finfo(np.float64).max)
TINY = 5e-324  # the smallest subnormal
EDGES = [
    0.0,
    -0.0,
    TINY,
    -TINY,
    2.2250738585072014e-308,
    1e-300,
    1e-160,
    1e-10,
    0.5,
    1.0,
    -1.0,
    float(np.nextafter(1.0, 0.0)),
    2.0,
    1e10,
    1e154,
    1e200,
    1e300,
    MAX,
    -MAX,
    math.nan,
    math.inf,
    -math.inf,
]

#: Any float, the limits, subnormals, NaN and ±inf included.
floats = st.one_of(st.sampled_from(EDGES), st.floats(allow_nan=True, allow_infinity=True))
#: Floats a user might reasonably pass: finite, any magnitude, either sign.
finite_floats = st.one_of(
    st.sampled_from([value for value in EDGES if math.isfinite(value)]),
    st.floats(allow_nan=False, allow_infinity=False),
)
#: Things that are not real numbers at all.
junk = st.sampled_from(
    [None, "0.1", b"1", True, False, 1 + 2j, [1.0, "x"], [[1.0, 2.0], [3.0]], {}, object()]
)
#: Python ints, up to far past the float range.
big_ints = st.one_of(st.integers(-(10**20), 10**20), st.sampled_from([10**400, -(10**400)]))


def arrays_of(elements: st.SearchStrategy, max_dims: int = 2, last: int | None = None):
    """Small float arrays (any shape, optionally ending in ``last``), plain or broadcast views."""

    @st.composite
    def build(draw):
        dims = draw(st.lists(st.integers(0, 3), min_size=0, max_size=max_dims))
        shape = (*dims, last) if last is not None else tuple(dims)
        size = math.prod(shape)
        values = draw(st.lists(elements, min_size=size, max_size=size))
        array = np.array(values, dtype=np.float64).reshape(shape)
        if draw(st.booleans()) and array.ndim:
            # the same values as a broadcast view with a leading zero-stride axis
            array = np.broadcast_to(array, (draw(st.integers(1, 3)), *shape))
        return array

    return build()


#: What a scalar parameter might be given.
scalars = st.one_of(floats, big_ints, junk, st.floats(width=32).map(np.float32))
#: What an array parameter might be given.
array_like = st.one_of(scalars, arrays_of(floats))

conventions = st.one_of(st.sampled_from(CONVENTIONS), st.sampled_from(["nag", "", None, 0]))
flags = st.one_of(st.booleans(), st.sampled_from([np.True_, 1, "yes", None]))
step_counts = st.one_of(st.integers(0, 30), st.sampled_from([-1, 2.0, None, True, 10**30]))
surface_objects = st.one_of(
    st.sampled_from([surfaces.get(name) for name in surfaces.NAMES]),
    st.sampled_from(["ravine", None, surfaces.ravine]),
)


# --- the property ---------------------------------------------------------------------


def assert_finite(value: Any, where: str = "result") -> None:
    """Every number reachable from ``value`` is finite."""
    if isinstance(value, surfaces.Surface) or callable(value) and not hasattr(value, "dtype"):
        return
    if isinstance(value, np.ndarray):
        if np.issubdtype(value.dtype, np.floating) or np.issubdtype(
            value.dtype, np.complexfloating
        ):
            assert np.all(np.isfinite(value)), f"{where} is not finite: {value!r}"
        return
    if isinstance(value, (float, np.floating)):
        assert math.isfinite(value), f"{where} = {value!r} is not finite"
        return
    if dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            assert_finite(getattr(value, item.name), f"{where}.{item.name}")
        return
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        for name in value._fields:
            assert_finite(getattr(value, name), f"{where}.{name}")
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            assert_finite(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            assert_finite(item, f"{where}[{key!r}]")


def assert_clear_error(error: Exception, names: tuple[str, ...]) -> None:
    """The message names one of ``names``, shows a value or shape, and says what is allowed."""
    message = str(error)
    named = [name for name in names if re.search(rf"(?<![\w]){re.escape(name)}\b", message)]
    assert named, f"{type(error).__name__} names none of {names}: {message}"
    assert "got" in message or "shape" in message, f"no value or shape shown: {message}"
    assert re.search(r"must|allowed|exceed|refuse|would", message), f"nothing allowed: {message}"


def outcome(call: Callable[[], Any], *names: str, finite: bool = True) -> Any:
    """Run ``call``: a clear ValueError/TypeError (returns None) or a finite result (returned)."""
    try:
        result = call()
    except (ValueError, TypeError) as error:
        assert_clear_error(error, names)
        return None
    if finite:
        assert_finite(result)
    return result


# --- surfaces ---------------------------------------------------------------------------


@FUZZ
@given(
    name=st.sampled_from(surfaces.NAMES),
    points=st.one_of(arrays_of(floats, last=2), arrays_of(finite_floats, last=2), array_like),
)
def test_surface_value_and_gradient(name, points):
    surface = surfaces.get(name)
    value = outcome(lambda: surface.value(points), "points")
    gradient = outcome(lambda: surface.gradient(points), "points")
    if value is not None:
        assert value.shape == np.shape(points)[:-1]
    if gradient is not None:
        assert gradient.shape == np.shape(points)


@FUZZ
@given(
    eigenvalues=st.one_of(
        arrays_of(floats, max_dims=1), st.lists(finite_floats, min_size=2, max_size=2), array_like
    ),
    angle=st.one_of(floats, scalars),
)
def test_quadratic_factory(eigenvalues, angle):
    surface = outcome(lambda: surfaces.quadratic(eigenvalues, angle), "eigenvalues", "angle")
    if surface is None:
        return
    assert_finite(surface.hessian)
    assert_finite(surface.hessian_eigenvalues)
    assert_finite(surface.condition_number)
    assert_finite(surface.min_value)
    outcome(lambda: surface.value(surface.minima), "points")
    outcome(lambda: surface.gradient([[1.0, -1.0], [1e100, 1e-100]]), "points")


@FUZZ
@given(name=st.one_of(st.text(max_size=12), st.sampled_from(surfaces.NAMES + presets.NAMES), junk))
def test_get_by_name(name):
    for getter in (surfaces.get, presets.get):
        found = outcome(lambda getter=getter: getter(name), "name")
        if found is not None:
            assert found.name == name


@FUZZ
@given(convention=conventions, lr=array_like, beta=array_like)
def test_rules(convention, lr, beta):
    outcome(lambda: rules.rule(convention), "convention")
    for function in (rules.pytorch_step_size, rules.velocity_scale):
        outcome(
            lambda function=function: function(lr, beta, convention), "lr", "beta", "convention"
        )


# --- simulate ---------------------------------------------------------------------------


def check_trajectory(run: momentum_math.Trajectory, steps: int, bound: float) -> None:
    assert np.all(np.abs(run.positions) <= bound)
    if run.diverged:
        assert 1 <= run.diverged_step <= steps
        assert run.num_steps == run.diverged_step - 1
    else:
        assert run.num_steps == steps
    for array in (run.positions, run.velocities, run.gradients):
        assert array.shape == (run.num_steps + 1, 2)
    assert_finite(run.displacements)
    assert_finite(run.final_loss)
    outcome(lambda: run.steps_to_converge(1e-3), "threshold")


@FUZZ
@given(
    surface=surface_objects,
    start=st.one_of(st.tuples(finite_floats, finite_floats), arrays_of(floats, last=2), array_like),
    lr=st.one_of(finite_floats, scalars),
    beta=st.one_of(st.floats(0.0, 1.0, exclude_max=True), scalars),
    steps=step_counts,
    convention=conventions,
    nesterov=flags,
    bound=st.one_of(st.sampled_from([1e10, 1e300, MAX, 1.0, 1e-300]), scalars),
)
def test_simulate(surface, start, lr, beta, steps, convention, nesterov, bound):
    run = outcome(
        lambda: simulate(surface, start, lr, beta, steps, convention, nesterov, bound),
        "surface",
        "start",
        "lr",
        "beta",
        "steps",
        "convention",
        "nesterov",
        "bound",
    )
    if run is not None:
        check_trajectory(run, steps, float(bound))


@FUZZ
@given(
    name=st.sampled_from(surfaces.NAMES),
    lr=st.one_of(finite_floats.filter(lambda value: value > 0), st.sampled_from([TINY, MAX])),
    beta=st.one_of(st.floats(0.0, 1.0, exclude_max=True), st.sampled_from([0.0, 0.99999999])),
    convention=st.sampled_from(CONVENTIONS),
    nesterov=st.booleans(),
    bound=st.sampled_from([1e10, 1e150, 1e300, MAX]),
    x=finite_floats,
)
def test_simulate_valid_extremes_are_finite(name, lr, beta, convention, nesterov, bound, x):
    """Valid arguments at the float limits run (or refuse the start) and stay finite."""
    surface = surfaces.get(name)
    start = (x, -x / 3.0)
    run = outcome(
        lambda: simulate(surface, start, lr, beta, 20, convention, nesterov, bound), "start"
    )
    if run is not None:
        check_trajectory(run, 20, bound)
        batch = simulate_batch(
            surface, start, lr, beta, 20, convention, nesterov, 1e-3, "path", bound
        )
        assert int(batch.diverged_step) == (-1 if run.diverged_step is None else run.diverged_step)
        np.testing.assert_array_equal(batch.final_positions, run.final_position)
        assert_finite(batch)


def test_start_beyond_the_bound_is_refused():
    """A start already outside ±bound used to report divergence at step 1 with an inf loss."""
    for call in (
        lambda: simulate(surfaces.ravine(), [1e200, 0.0], lr=0.1, steps=5),
        lambda: simulate_batch(surfaces.ravine(), [[0.0, 0.0], [0.0, -2e10]], lr=0.1, steps=5),
    ):
        with pytest.raises(ValueError, match=r"start must lie within the divergence bound") as info:
            call()
        assert "bound = 10000000000.0" in str(info.value)


def test_start_with_an_overflowing_loss_is_refused():
    with pytest.raises(ValueError, match=r"start must be where the ravine surface's L"):
        simulate(surfaces.ravine(), [1e200, 0.0], lr=0.1, steps=5, bound=1e300)


def test_overflowing_loss_inside_the_bound_is_divergence():
    """θₖ inside the bound whose L overflows: the run stops at k, nothing infinite is stored."""
    run = simulate(surfaces.ravine(), [1.0, 1.0], lr=1.0, steps=400, bound=MAX)
    assert run.diverged
    assert np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.gradients))
    # y is multiplied by −17 each step, so L = 9y² first overflows when 17^k > ~4.5e153
    overflow = next(k for k in range(400) if 9.0 * (17.0**k) ** 2 > MAX)
    assert run.diverged_step == overflow
    batch = simulate_batch(
        surfaces.ravine(), [1.0, 1.0], lr=1.0, steps=400, bound=MAX, record="path"
    )
    assert int(batch.diverged_step) == overflow
    assert np.all(np.isfinite(batch.losses))


# --- simulate_batch ---------------------------------------------------------------------


@FUZZ
@given(
    surface=surface_objects,
    start=st.one_of(arrays_of(finite_floats, last=2), arrays_of(floats, last=2), array_like),
    lr=st.one_of(arrays_of(st.floats(1e-3, 2.0)), array_like),
    beta=st.one_of(arrays_of(st.floats(0.0, 0.99)), array_like),
    steps=step_counts,
    convention=conventions,
    nesterov=flags,
    threshold=st.one_of(st.none(), st.sampled_from([1e-3, TINY, MAX]), scalars),
    record=st.one_of(st.sampled_from(["summary", "path"]), st.sampled_from(["full", None])),
    bound=st.one_of(st.sampled_from([1e10, 1e300, MAX]), scalars),
)
def test_simulate_batch(
    surface, start, lr, beta, steps, convention, nesterov, threshold, record, bound
):
    batch = outcome(
        lambda: simulate_batch(
            surface, start, lr, beta, steps, convention, nesterov, threshold, record, bound
        ),
        "surface",
        "start",
        "lr",
        "beta",
        "steps",
        "convention",
        "nesterov",
        "threshold",
        "record",
        "bound",
    )
    if batch is None:
        return
    shape = np.broadcast_shapes(np.shape(start)[:-1], np.shape(lr), np.shape(beta))
    assert batch.shape == shape
    assert batch.final_positions.shape == (*shape, 2)
    assert np.all(
        (batch.diverged_step == -1) | ((batch.diverged_step >= 1) & (batch.diverged_step <= steps))
    )
    assert np.all(np.abs(batch.final_positions) <= float(bound))
    if record == "path":
        assert batch.positions.shape == (*shape, steps + 1, 2)
    if batch.shape and math.prod(batch.shape):
        # the first run, alone, is the same run bit for bit
        index = (0,) * len(shape)
        run = simulate(
            surface,
            batch.starts[index],
            float(batch.lr[index]),
            float(batch.beta[index]),
            steps,
            convention,
            nesterov,
            bound,
        )
        np.testing.assert_array_equal(batch.final_positions[index], run.final_position)
        assert batch.diverged_step[index] == (
            -1 if run.diverged_step is None else run.diverged_step
        )


def test_huge_summary_sweep_is_refused_before_allocating():
    """A 10¹¹-run sweep of broadcast views: refused with the sizes, no array materialised."""
    lr = np.broadcast_to(0.1, (100_000, 1_000_000))
    start = np.broadcast_to(np.array([1.0, 1.0]), (100_000, 1, 2))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            simulate_batch(surfaces.ravine(), start, lr=lr, steps=10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024**2, peak
    message = str(info.value)
    for part in (
        "record='summary'",
        "100000000000 runs",
        "(100000, 1000000)",
        "max_bytes",
        "MOMENTUM_MATH_MAX_BATCH_BYTES",
        "memory budget",
    ):
        assert part in message, (part, message)


def test_huge_surface_batches_are_refused_before_allocating():
    points = np.broadcast_to(np.array([1.0, 1.0]), (100_000, 1_000_000, 2))
    for name in surfaces.NAMES:
        for method in ("value", "gradient"):
            call = getattr(surfaces.get(name), method)
            tracemalloc.start()
            try:
                with pytest.raises(ValueError) as info:
                    call(points)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert peak < 1024**2, peak
            message = str(info.value)
            for part in ("points of shape (100000, 1000000, 2)", "memory budget", "max_bytes"):
                assert part in message, message
    small = np.zeros((1000, 2))
    needed = 1000 * surfaces.BYTES_PER_POINT
    assert surfaces.ravine().value(small, max_bytes=needed).shape == (1000,)
    with pytest.raises(ValueError, match="memory budget"):
        surfaces.ravine().gradient(small, max_bytes=needed - 1)


def test_huge_theory_arrays_are_refused_before_allocating():
    huge = np.broadcast_to(0.5, (100_000, 1_000_000))
    calls = {
        "spectral_radius": lambda: theory.spectral_radius(huge, lr=0.1),
        "effective_step": lambda: theory.effective_step(0.1, huge),
        "memory_window": lambda: theory.memory_window(huge),
        "pytorch_step_size": lambda: rules.pytorch_step_size(0.1, huge, "ema"),
        "velocity_scale": lambda: rules.velocity_scale(huge, 0.5, "lesson"),
    }
    for name, call in calls.items():
        tracemalloc.start()
        try:
            with pytest.raises(ValueError) as info:
                call()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1024**2, (name, peak)
        message = str(info.value)
        for part in ("shape (100000, 1000000)", "memory budget", "max_bytes"):
            assert part in message, (name, message)


def test_broadcast_arguments_are_checked_without_copies():
    """Validating a broadcast view looks at its distinct elements only."""
    big = (4_000, 4_000)  # 128 MB as float64 if materialised
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="lr must be finite and > 0"):
            simulate_batch(surfaces.ravine(), (1.0, 1.0), lr=np.broadcast_to(-1.0, big), steps=1)
        with pytest.raises(ValueError, match="beta must be in"):
            simulate_batch(
                surfaces.ravine(),
                (1.0, 1.0),
                lr=0.1,
                beta=np.broadcast_to(np.array([0.5, 1.0]), (*big, 2)),
                steps=1,
            )
        with pytest.raises(ValueError, match="start must be finite"):
            simulate_batch(
                surfaces.ravine(), np.broadcast_to([np.nan, 1.0], (*big, 2)), lr=0.1, steps=1
            )
        with pytest.raises(ValueError, match="eigenvalue must be finite"):
            theory.spectral_radius(np.broadcast_to(-1.0, big), lr=0.1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024**2, peak


def test_memory_budget_overrides(monkeypatch):
    arguments = dict(start=(1.0, 1.0), lr=np.full(1000, 0.1), steps=10)
    needed = simulation.batch_bytes(1000, 10, "summary")
    simulate_batch(surfaces.ravine(), **arguments)  # well inside the default budget
    with pytest.raises(ValueError, match=rf"max_bytes = {needed - 1} bytes"):
        simulate_batch(surfaces.ravine(), **arguments, max_bytes=needed - 1)
    simulate_batch(surfaces.ravine(), **arguments, max_bytes=needed)
    monkeypatch.setenv(simulation.MAX_BATCH_BYTES_ENV, str(needed - 1))
    with pytest.raises(ValueError, match="memory budget"):
        simulate_batch(surfaces.ravine(), **arguments)
    simulate_batch(surfaces.ravine(), **arguments, max_bytes=needed)  # the keyword wins
    monkeypatch.setenv(simulation.MAX_BATCH_BYTES_ENV, "lots")
    with pytest.raises(ValueError, match="MOMENTUM_MATH_MAX_BATCH_BYTES must be an integer"):
        simulate_batch(surfaces.ravine(), **arguments)
    monkeypatch.delenv(simulation.MAX_BATCH_BYTES_ENV)
    # The default budget lives in the leaf module _budget (simulation re-exports it).
    monkeypatch.setattr(_budget, "MAX_BATCH_BYTES", needed - 1)
    with pytest.raises(ValueError, match="memory budget"):
        simulate_batch(surfaces.ravine(), **arguments)
    for bad, error in ((-1, ValueError), (1.5, TypeError), ("1", TypeError), (True, TypeError)):
        with pytest.raises(error, match="max_bytes must be"):
            simulate_batch(surfaces.ravine(), **arguments, max_bytes=bad)


@pytest.mark.parametrize("record", ["summary", "path"])
@pytest.mark.parametrize("name", ["ravine", "ackley"])
def test_batch_bytes_is_an_honest_estimate(name, record):
    """The estimate checked against the budget is close to the real peak (tracemalloc)."""
    runs, steps = (20_000, 10) if record == "summary" else (2_000, 50)
    lr = np.linspace(0.01, 1.0, runs)
    tracemalloc.start()
    try:
        simulate_batch(
            surfaces.get(name),
            (1.0, 0.5),
            lr=lr,
            beta=0.5,
            steps=steps,
            threshold=1e-3,
            record=record,
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = simulation.batch_bytes(runs, steps, record)
    assert 0.5 * estimate < peak < 1.1 * estimate, (peak, estimate)


def test_the_budget_is_documented():
    for text in (
        simulate_batch.__doc__,
        simulation.__doc__ or "",
        simulation.max_batch_bytes.__doc__,
    ):
        assert text
    assert "MOMENTUM_MATH_MAX_BATCH_BYTES" in simulate_batch.__doc__
    assert "max_bytes" in simulate_batch.__doc__
    assert simulation.MAX_BATCH_BYTES == momentum_math.MAX_BATCH_BYTES == 2 * 1024**3
    assert simulation.max_batch_bytes is _budget.max_batch_bytes
    assert simulation.check_budget is _budget.check_budget


# --- theory -----------------------------------------------------------------------------


@FUZZ
@given(
    eigenvalue=st.one_of(arrays_of(finite_floats), arrays_of(floats), array_like),
    lr=st.one_of(arrays_of(finite_floats), array_like),
    beta=st.one_of(arrays_of(st.floats(0.0, 1.0, exclude_max=True)), array_like),
    convention=conventions,
    nesterov=flags,
)
def test_spectral_radius(eigenvalue, lr, beta, convention, nesterov):
    radius = outcome(
        lambda: theory.spectral_radius(eigenvalue, lr, beta, convention, nesterov),
        "eigenvalue",
        "lr",
        "beta",
        "convention",
        "nesterov",
    )
    if radius is not None:
        assert np.all(radius >= 0)


@FUZZ
@given(surface=surface_objects, lr=array_like, beta=array_like, convention=conventions)
def test_contraction_rate(surface, lr, beta, convention):
    outcome(
        lambda: theory.contraction_rate(surface, lr, beta, convention),
        "surface",
        "lr",
        "beta",
        "convention",
        "eigenvalue",
    )
    losses = outcome(
        lambda: theory.predicted_losses(surface, (1.0, -1.0), lr, beta, 50, convention),
        "surface",
        "lr",
        "beta",
        "convention",
        "eigenvalue",
        finite=False,
    )
    if losses is not None:
        check_prediction(losses)


def test_mismatched_theory_arrays_name_their_parameters():
    with pytest.raises(ValueError) as info:
        theory.spectral_radius(np.ones(3), lr=np.full(2, 0.1), beta=np.zeros(4))
    message = str(info.value)
    for part in ("eigenvalue (shape (3,))", "lr (shape (2,))", "beta (shape (4,))", "broadcast"):
        assert part in message, message
    with pytest.raises(ValueError, match=r"lr \(shape \(2,\)\) and beta \(shape \(3,\)\)"):
        theory.effective_step(np.full(2, 0.1), np.zeros(3))


def test_theory_at_extreme_allowed_eigenvalues():
    """Where the old formulas overflowed (NaN, inf or a zero step size, with warnings)."""
    # lr·λ = 1e300: ρ ≈ 1e300, computed with scaled roots (the plain formula squares 1e300)
    assert float(theory.spectral_radius(1e100, lr=1e200)) == pytest.approx(1e300)
    assert float(theory.spectral_radius(1e100, lr=1e200, beta=0.5, nesterov=True)) == (
        pytest.approx(1.5e300)
    )
    best = theory.optimal_momentum(1e308, 1.7e308)
    assert best.lr > 0 and best.gd_lr > 0  # 4/(√L + √μ)² and 2/(μ + L) no longer 0
    assert best.gd_rate == pytest.approx(0.7 / 2.7)
    steep = theory.optimal_momentum(5e-324, 1e-160)  # κ ≈ 2e163: β* rounds to 1
    assert steep.beta < 1.0
    theory.spectral_radius(1e-160, lr=steep.lr, beta=steep.beta)  # and is accepted back
    with pytest.raises(ValueError, match=r"largest / smallest .* got smallest=1e-300"):
        theory.optimal_momentum(1e-300, 1e300)
    with pytest.raises(ValueError, match=r"lr \* eigenvalue must stay within .*lr=1e\+300"):
        theory.spectral_radius(1e300, lr=1e300)
    with pytest.raises(ValueError, match=r"lr / \(1 - beta\) must be within .*lr=1e\+308"):
        theory.effective_step(1e308, 0.99)
    with pytest.raises(ValueError, match=r"lr must keep the velocities"):
        worked_example(lr=1e308, beta=0.99)
    assert theory.asymptotic_steps(0.5, 1e300, 1e-300) == pytest.approx(
        (math.log(1e-300) - math.log(1e300)) / (2 * math.log(0.5))
    )


def check_prediction(values: np.ndarray) -> None:
    """Finite, or ±inf past the float range from some step on: never NaN."""
    assert not np.any(np.isnan(values)), values
    infinite = np.flatnonzero(~np.isfinite(values))
    if infinite.size:
        assert np.all(~np.isfinite(values[infinite[0] :])), values


@FUZZ
@given(
    eigenvalue=st.one_of(finite_floats, scalars),
    lr=st.one_of(finite_floats, scalars),
    beta=st.one_of(st.floats(0.0, 1.0, exclude_max=True), scalars),
    steps=st.one_of(st.integers(0, 3000), step_counts),
    convention=conventions,
    nesterov=flags,
)
def test_direction_response(eigenvalue, lr, beta, steps, convention, nesterov):
    response = outcome(
        lambda: theory.direction_response(eigenvalue, lr, beta, steps, convention, nesterov),
        "eigenvalue",
        "lr",
        "beta",
        "steps",
        "convention",
        "nesterov",
        "direction_response",
        finite=False,
    )
    if response is not None:
        assert response.shape == (steps + 1,)
        assert not np.any(np.isnan(response))
        if not np.all(np.isfinite(response)):
            assert float(theory.spectral_radius(eigenvalue, lr, beta, convention, nesterov)) > 1


@FUZZ
@given(
    eigenvalues=st.lists(
        st.sampled_from([1e-300, 1e-3, 1.0, 18.0, 1e150, 1e300]), min_size=2, max_size=2
    ),
    angle=st.sampled_from([0.0, 0.3]),
    start=st.one_of(st.tuples(finite_floats, finite_floats), array_like),
    lr=st.one_of(finite_floats, scalars),
    beta=st.one_of(st.floats(0.0, 1.0, exclude_max=True), scalars),
    steps=st.one_of(st.integers(0, 2000), step_counts),
    convention=st.sampled_from(CONVENTIONS),
    nesterov=st.booleans(),
)
def test_predicted_losses(eigenvalues, angle, start, lr, beta, steps, convention, nesterov):
    try:
        surface = surfaces.quadratic(eigenvalues, angle)
    except ValueError:
        return
    names = ("start", "lr", "beta", "steps", "max_steps", "eigenvalue", "convention")
    losses = outcome(
        lambda: theory.predicted_losses(surface, start, lr, beta, steps, convention, nesterov),
        *names,
        finite=False,
    )
    if losses is None:
        return
    check_prediction(losses)
    assert np.all(losses >= 0)
    found = theory.predicted_steps_to_converge(
        surface, start, lr, beta, 1e-3, steps, convention, nesterov
    )
    below = np.flatnonzero(losses < 1e-3)
    assert found == (int(below[0]) if below.size else None)


def test_diverging_prediction_along_an_untouched_direction_is_finite():
    """A start with no component along the diverging direction used to give NaN (0 · inf)."""
    losses = theory.predicted_losses(surfaces.ravine(), (1.0, 0.0), lr=0.5, steps=2000)
    assert np.all(np.isfinite(losses))
    run = simulate(surfaces.ravine(), (1.0, 0.0), lr=0.5, steps=2000)
    np.testing.assert_allclose(losses, run.losses, rtol=1e-8, atol=1e-300)


def test_diverging_response_is_signed_inf_not_nan():
    response = theory.direction_response(10.0, lr=0.25, steps=3000)  # z = 1 − 2.5 = −1.5
    finite = np.isfinite(response)
    assert not np.any(np.isnan(response))
    tail = response[~finite]
    assert tail.size and np.all(np.abs(tail) == np.inf)
    k = np.flatnonzero(~finite)
    assert np.all(np.sign(tail) == np.where(k % 2 == 0, 1.0, -1.0))


@FUZZ
@given(smallest=st.one_of(floats, scalars), largest=st.one_of(floats, scalars))
def test_optimal_momentum(smallest, largest):
    best = outcome(lambda: theory.optimal_momentum(smallest, largest), "smallest", "largest")
    if best is not None:
        assert best.lr > 0 and best.gd_lr > 0
        assert 0 <= best.beta < 1 and 0 <= best.rate <= 1 and 0 <= best.gd_rate <= 1
        assert best.condition_number >= 1


@FUZZ
@given(lr=array_like, beta=array_like, convention=conventions)
def test_effective_step_and_memory_window(lr, beta, convention):
    outcome(lambda: theory.effective_step(lr, beta, convention), "lr", "beta", "convention")
    outcome(lambda: theory.memory_window(beta), "beta")


@FUZZ
@given(rate=scalars, initial_loss=scalars, threshold=scalars)
def test_asymptotic_steps(rate, initial_loss, threshold):
    steps = outcome(
        lambda: theory.asymptotic_steps(rate, initial_loss, threshold),
        "rate",
        "initial_loss",
        "threshold",
        finite=False,
    )
    if steps is not None:
        assert steps >= 0
        assert math.isfinite(steps) or float(rate) >= 1.0


# --- worked example, presets ------------------------------------------------------------


@FUZZ
@given(
    lr=st.one_of(finite_floats, scalars),
    beta=st.one_of(st.floats(0.0, 1.0, exclude_max=True), scalars),
    steps=step_counts,
)
def test_worked_example(lr, beta, steps):
    table = outcome(lambda: worked_example(lr, beta, steps), "lr", "beta", "steps")
    if table is not None:
        assert table.velocities.shape == (steps, 2)


@FUZZ
@given(
    name=st.sampled_from(presets.NAMES),
    beta=st.one_of(st.none(), st.floats(0.0, 1.0, exclude_max=True), scalars),
    steps=st.one_of(st.none(), step_counts),
)
def test_presets(name, beta, steps):
    experiment = presets.get(name)
    run = outcome(lambda: experiment.run(beta, steps), "beta", "steps")
    if run is not None:
        check_trajectory(run, experiment.steps if steps is None else steps, 1e10)


def test_preset_runs():
    for name in presets.NAMES:
        runs = presets.get(name).runs()
        assert_finite(runs)
