"""Property tests: a batch is many single runs, bit for bit; bad input is always refused."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import momentum_math
from momentum_math import (
    CONVENTIONS,
    _validate,
    simulate,
    simulate_batch,
    simulation,
    surfaces,
    theory,
)

SURFACES = {name: surfaces.get(name) for name in surfaces.NAMES}
MAX_STEPS = _validate.MAX_STEPS
RAVINE = SURFACES["ravine"]
START = (-2.4, 0.2)

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)


# --- (a) simulate_batch equals simulate, run by run ---------------------------------


@dataclass
class BatchCase:
    """One drawn batch: its arguments as passed, and its batch shape."""

    surface_name: str
    starts: np.ndarray
    lr: Any
    beta: Any
    steps: int
    convention: str
    nesterov: bool
    threshold: float
    shape: tuple[int, ...]

    def kwargs(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "beta": self.beta,
            "steps": self.steps,
            "convention": self.convention,
            "nesterov": self.nesterov,
            "threshold": self.threshold,
        }


def _points(draw: st.DrawFn, surface: momentum_math.Surface, count: int) -> np.ndarray:
    xs = st.floats(*surface.x_range, allow_nan=False)
    ys = st.floats(*surface.y_range, allow_nan=False)
    return np.array([[draw(xs), draw(ys)] for _ in range(count)], dtype=np.float64)


# Log-uniform over [1e-3, ~3]: small steps converge slowly, big ones often diverge.
LEARNING_RATES = st.floats(-3.0, 0.5).map(lambda exponent: 10.0**exponent)
MOMENTA = st.floats(0.0, 0.999)


@st.composite
def batch_cases(draw: st.DrawFn) -> BatchCase:
    name = draw(st.sampled_from(surfaces.NAMES))
    surface = SURFACES[name]
    layout = draw(st.sampled_from(["runs", "grid"]))
    if layout == "runs":
        # A 1-D batch of 1–6 runs; each argument either shared or per run.
        size = draw(st.integers(1, 6))
        shared_start, shared_lr, shared_beta = (draw(st.booleans()) for _ in range(3))
        if shared_start and shared_lr and shared_beta:
            shared_lr = False  # keep the batch shape (size,)
        starts = _points(draw, surface, 1)[0] if shared_start else _points(draw, surface, size)
        lr: Any = (
            draw(LEARNING_RATES)
            if shared_lr
            else np.array([draw(LEARNING_RATES) for _ in range(size)])
        )
        beta: Any = draw(MOMENTA) if shared_beta else np.array([draw(MOMENTA) for _ in range(size)])
        shape: tuple[int, ...] = (size,)
    else:
        # A 2-D grid by broadcasting: starts (rows, 1, 2) against lr (cols,), beta scalar.
        rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        starts = _points(draw, surface, rows).reshape(rows, 1, 2)
        lr = np.array([draw(LEARNING_RATES) for _ in range(cols)])
        beta = draw(MOMENTA)
        shape = (rows, cols)
    return BatchCase(
        surface_name=name,
        starts=starts,
        lr=lr,
        beta=beta,
        steps=draw(st.integers(0, 80)),
        convention=draw(st.sampled_from(CONVENTIONS)),
        nesterov=draw(st.booleans()),
        threshold=draw(st.floats(1e-6, 1.0)),
        shape=shape,
    )


@PROPERTY_SETTINGS
@given(case=batch_cases())
def test_batch_path_equals_single_runs_exactly(case: BatchCase) -> None:
    surface = SURFACES[case.surface_name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch = simulate_batch(surface, case.starts, record="path", **case.kwargs())
        assert batch.shape == case.shape
        assert batch.positions is not None and batch.losses is not None
        assert batch.velocities is not None and batch.gradients is not None
        starts = np.broadcast_to(case.starts, (*case.shape, 2))
        lrs = np.broadcast_to(case.lr, case.shape)
        betas = np.broadcast_to(case.beta, case.shape)
        for index in np.ndindex(case.shape):
            run = simulate(
                surface,
                starts[index],
                lr=float(lrs[index]),
                beta=float(betas[index]),
                steps=case.steps,
                convention=case.convention,
                nesterov=case.nesterov,
            )
            stored = run.num_steps + 1
            np.testing.assert_array_equal(batch.positions[index][:stored], run.positions)
            np.testing.assert_array_equal(batch.velocities[index][:stored], run.velocities)
            np.testing.assert_array_equal(batch.gradients[index][:stored], run.gradients)
            np.testing.assert_array_equal(batch.losses[index][:stored], run.losses)
            expected_diverged = -1 if run.diverged_step is None else run.diverged_step
            assert batch.diverged_step[index] == expected_diverged
            if run.diverged:
                assert 1 <= run.diverged_step <= case.steps
                # After divergence the batch repeats the last good position.
                tail = batch.positions[index][stored:]
                np.testing.assert_array_equal(tail, np.broadcast_to(run.final_position, tail.shape))
            else:
                assert stored == case.steps + 1
            np.testing.assert_array_equal(batch.final_positions[index], run.final_position)
            assert batch.final_losses[index] == run.final_loss
            converged = run.steps_to_converge(case.threshold)
            assert batch.steps_to_converge[index] == (-1 if converged is None else converged)
            assert np.all(np.isfinite(run.positions)) and np.all(np.isfinite(run.losses))


@PROPERTY_SETTINGS
@given(case=batch_cases(), block=st.one_of(st.none(), st.integers(1, 4)))
def test_batch_summary_equals_batch_path(case: BatchCase, block: int | None) -> None:
    surface = SURFACES[case.surface_name]
    # The summary runs in blocks of SUMMARY_BLOCK_RUNS runs; small blocks split these batches.
    block_size = simulation.SUMMARY_BLOCK_RUNS if block is None else block
    with warnings.catch_warnings(), mock.patch.object(simulation, "SUMMARY_BLOCK_RUNS", block_size):
        warnings.simplefilter("error")
        path = simulate_batch(surface, case.starts, record="path", **case.kwargs())
        summary = simulate_batch(surface, case.starts, record="summary", **case.kwargs())
    for array in (summary.positions, summary.velocities, summary.gradients, summary.losses):
        assert array is None
    assert summary.shape == path.shape == case.shape
    np.testing.assert_array_equal(summary.steps_to_converge, path.steps_to_converge)
    np.testing.assert_array_equal(summary.final_losses, path.final_losses)
    np.testing.assert_array_equal(summary.final_positions, path.final_positions)
    np.testing.assert_array_equal(summary.diverged_step, path.diverged_step)
    np.testing.assert_array_equal(summary.converged, path.converged)
    np.testing.assert_array_equal(summary.diverged, path.diverged)
    # The summary's numbers are the path's last entries.
    assert path.losses is not None and path.positions is not None
    np.testing.assert_array_equal(summary.final_losses, path.losses[..., -1])
    np.testing.assert_array_equal(summary.final_positions, path.positions[..., -1, :])


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", ["stretched_bowl", "qfsp"])
def test_summary_of_many_blocks_equals_the_path(name: str, convention: str) -> None:
    """A batch several blocks long, with a ragged last block, and a 2-D batch shape."""
    surface = SURFACES[name]
    rows, cols = 7, (2 * simulation.SUMMARY_BLOCK_RUNS + 123) // 7
    lr = np.geomspace(1e-3, 3.0, rows)[:, None]
    beta = np.linspace(0.0, 0.99, cols)[None, :]
    arguments = {
        "lr": lr,
        "beta": beta,
        "steps": 25,
        "convention": convention,
        "nesterov": convention == "ema",
        "threshold": 1e-2,
    }
    path = simulate_batch(surface, (-3.0, 1.0), record="path", **arguments)
    summary = simulate_batch(surface, (-3.0, 1.0), record="summary", **arguments)
    assert summary.shape == (rows, cols) and rows * cols > 2 * simulation.SUMMARY_BLOCK_RUNS
    assert summary.diverged.any() and summary.converged.any()
    np.testing.assert_array_equal(summary.steps_to_converge, path.steps_to_converge)
    np.testing.assert_array_equal(summary.final_losses, path.final_losses)
    np.testing.assert_array_equal(summary.final_positions, path.final_positions)
    np.testing.assert_array_equal(summary.diverged_step, path.diverged_step)


@pytest.mark.parametrize("record", ["summary", "path"])
def test_empty_batch(record: str) -> None:
    batch = simulate_batch(RAVINE, START, lr=np.array([]), steps=5, threshold=1e-3, record=record)
    assert batch.shape == (0,)
    assert batch.final_positions.shape == (0, 2)
    assert batch.steps_to_converge is not None and batch.steps_to_converge.shape == (0,)


# --- (b) bad input always raises the documented error --------------------------------

# Python ints within int64 (NumPy makes an object array of bigger ones, a TypeError).
INT64 = np.iinfo(np.int64)
BAD_LR = st.one_of(
    st.floats(max_value=0.0),  # includes 0.0, -0.0, tiny negatives and -inf
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.integers(min_value=INT64.min, max_value=0),
)
BAD_BETA = st.one_of(
    st.floats(max_value=0.0, exclude_max=True),
    st.floats(min_value=1.0),  # includes 1.0 and inf
    st.just(math.nan),
    st.integers(min_value=1, max_value=INT64.max),
    st.integers(min_value=INT64.min, max_value=-1),
)
BAD_STEPS = st.one_of(st.integers(max_value=-1), st.integers(min_value=MAX_STEPS + 1))

LR_CALLS = {
    "simulate": lambda lr: simulate(RAVINE, START, lr=lr, steps=2),
    "simulate_batch": lambda lr: simulate_batch(RAVINE, START, lr=lr, steps=2),
    "spectral_radius": lambda lr: theory.spectral_radius(1.0, lr=lr),
    "effective_step": lambda lr: theory.effective_step(lr, 0.5),
    "predicted_steps_to_converge": lambda lr: theory.predicted_steps_to_converge(
        RAVINE, START, lr=lr, max_steps=5
    ),
    "worked_example": lambda lr: momentum_math.worked_example(lr=lr),
}
BETA_CALLS = {
    "simulate": lambda beta: simulate(RAVINE, START, lr=0.1, beta=beta, steps=2),
    "simulate_batch": lambda beta: simulate_batch(RAVINE, START, lr=0.1, beta=beta, steps=2),
    "spectral_radius": lambda beta: theory.spectral_radius(1.0, lr=0.1, beta=beta),
    "effective_step": lambda beta: theory.effective_step(0.1, beta),
    "memory_window": lambda beta: theory.memory_window(beta),
    "predicted_steps_to_converge": lambda beta: theory.predicted_steps_to_converge(
        RAVINE, START, lr=0.1, beta=beta, max_steps=5
    ),
    "worked_example": lambda beta: momentum_math.worked_example(beta=beta),
}
STEPS_CALLS = {
    "simulate": ("steps", lambda steps: simulate(RAVINE, START, lr=0.1, steps=steps)),
    "simulate_batch": ("steps", lambda steps: simulate_batch(RAVINE, START, lr=0.1, steps=steps)),
    "predicted_steps_to_converge": (
        "max_steps",
        lambda steps: theory.predicted_steps_to_converge(RAVINE, START, lr=0.1, max_steps=steps),
    ),
    "worked_example": ("steps", lambda steps: momentum_math.worked_example(steps=steps)),
}


def _refusal(call: Any, value: Any) -> str:
    """The ValueError message of ``call(value)`` (fails the test when nothing is raised)."""
    try:
        call(value)
    except ValueError as error:
        return str(error)
    raise AssertionError(f"no ValueError for {value!r}")


@PROPERTY_SETTINGS
@given(lr=BAD_LR, function=st.sampled_from(sorted(LR_CALLS)))
def test_bad_lr_is_always_refused(lr: float, function: str) -> None:
    message = _refusal(LR_CALLS[function], lr)
    assert message.startswith("lr must be finite and > 0")
    assert repr(lr) in message


@PROPERTY_SETTINGS
@given(beta=BAD_BETA, function=st.sampled_from(sorted(BETA_CALLS)))
def test_bad_beta_is_always_refused(beta: float, function: str) -> None:
    message = _refusal(BETA_CALLS[function], beta)
    assert message.startswith("beta must be in [0, 1)")
    assert repr(beta) in message


@PROPERTY_SETTINGS
@given(steps=BAD_STEPS, function=st.sampled_from(sorted(STEPS_CALLS)))
def test_bad_steps_is_always_refused(steps: int, function: str) -> None:
    name, call = STEPS_CALLS[function]
    message = _refusal(call, steps)
    assert message.startswith(f"{name} must be an integer in [0, ")
    assert repr(steps) in message


@PROPERTY_SETTINGS
@given(
    good=st.lists(LEARNING_RATES, min_size=0, max_size=8),
    bad=BAD_LR,
    position=st.integers(0, 8),
)
def test_one_bad_lr_in_an_array_is_refused(good: list[float], bad: float, position: int) -> None:
    values = list(good)
    values.insert(min(position, len(values)), bad)
    lr = np.array(values, dtype=np.float64)
    message = _refusal(lambda value: simulate_batch(RAVINE, START, lr=value, steps=2), lr)
    assert message.startswith("lr must be finite and > 0")
    assert repr(lr) in message


@PROPERTY_SETTINGS
@given(
    good=st.lists(MOMENTA, min_size=0, max_size=8),
    bad=BAD_BETA,
    position=st.integers(0, 8),
)
def test_one_bad_beta_in_an_array_is_refused(good: list[float], bad: float, position: int) -> None:
    values = list(good)
    values.insert(min(position, len(values)), bad)
    beta = np.array(values, dtype=np.float64)
    message = _refusal(
        lambda value: simulate_batch(RAVINE, START, lr=0.1, beta=value, steps=2), beta
    )
    assert message.startswith("beta must be in [0, 1)")
    assert repr(beta) in message


@PROPERTY_SETTINGS
@given(
    x=st.one_of(st.floats(-10, 10), st.sampled_from([math.nan, math.inf, -math.inf])),
    y=st.sampled_from([math.nan, math.inf, -math.inf]),
    swap=st.booleans(),
)
def test_non_finite_start_is_always_refused(x: float, y: float, swap: bool) -> None:
    start = (y, x) if swap else (x, y)
    for call in (
        lambda value: simulate(RAVINE, value, lr=0.1, steps=2),
        lambda value: simulate_batch(RAVINE, value, lr=0.1, steps=2),
    ):
        message = _refusal(call, start)
        assert message.startswith("start must be finite")
        assert repr(start) in message
