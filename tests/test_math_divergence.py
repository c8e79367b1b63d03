"""Diverging runs stop cleanly: no inf, no NaN, no warnings, consistent lengths."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import reference

from momentum_math import CONVENTIONS, DIVERGENCE_BOUND, simulate, simulate_batch, surfaces


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _first_escape(positions, bound=DIVERGENCE_BOUND):
    for k, point in enumerate(positions):
        if not (abs(point[0]) <= bound and abs(point[1]) <= bound):
            return k
    return None


def test_ravine_lr_one_diverges():
    run = simulate(surfaces.ravine(), [-2.4, 0.2], lr=1.0, steps=100)
    assert run.diverged is True
    assert isinstance(run.diverged_step, int)
    # y is multiplied by 1 − 18 = −17 each step: 0.2·17^k passes 1e10 at k = 9
    assert run.diverged_step == 9
    expected = _first_escape(
        reference.plain_gradient_descent(reference.GRADIENTS["ravine"], (-2.4, 0.2), 1.0, 100)
    )
    assert run.diverged_step == expected
    assert run.num_steps == run.diverged_step - 1
    for array in (run.positions, run.velocities, run.gradients):
        assert array.shape == (run.diverged_step, 2)
        assert np.all(np.isfinite(array))
    assert run.losses.shape == (run.diverged_step,)
    assert np.all(np.isfinite(run.losses))
    assert np.abs(run.positions).max() <= DIVERGENCE_BOUND
    assert run.steps == 100


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", ["ravine", "paraboloid", "rosenbrock", "qfsp", "ackley"])
def test_batch_marks_the_same_divergence(name, convention):
    surface = surfaces.get(name)
    lrs = np.array([0.001, 0.5, 1.0, 3.0, 50.0])
    betas = np.array([0.0, 0.9, 0.5, 0.0, 0.99])
    starts = np.array([[-2.4, 0.2], [1.5, -1.0], [2.0, 2.0], [-1.0, 0.5], [0.3, 0.3]])
    batch = simulate_batch(
        surface, starts, lrs, betas, steps=60, convention=convention, threshold=1e-3, record="path"
    )
    assert np.all(np.isfinite(batch.final_positions))
    assert np.all(np.isfinite(batch.final_losses))
    assert np.all(np.isfinite(batch.positions))
    assert np.all(np.isfinite(batch.losses))
    for i in range(5):
        run = simulate(
            surface, starts[i], lr=lrs[i], beta=betas[i], steps=60, convention=convention
        )
        expected = -1 if run.diverged_step is None else run.diverged_step
        assert batch.diverged_step[i] == expected
        np.testing.assert_array_equal(batch.final_positions[i], run.final_position)
        assert batch.final_losses[i] == run.final_loss
        if run.diverged:
            # after the failure the path repeats the last good position
            tail = batch.positions[i, run.num_steps :]
            np.testing.assert_array_equal(tail, np.broadcast_to(run.final_position, tail.shape))
    # Ackley's gradient is bounded, so no step size makes it blow up; elsewhere
    # the set-up does make some runs diverge.
    assert batch.diverged.any() == (name != "ackley")


def test_nan_producing_run_counts_as_divergence():
    # Rosenbrock's cubic gradient overflows to inf quickly from far out
    run = simulate(surfaces.rosenbrock(), [1e3, 1e3], lr=1.0, beta=0.9, steps=50)
    assert run.diverged
    assert np.all(np.isfinite(run.positions)) and np.all(np.isfinite(run.losses))


def test_custom_bound():
    run = simulate(surfaces.ravine(), [-2.4, 0.2], lr=1.0, steps=100, bound=100.0)
    # 0.2·17^k > 100 first at k = 3
    assert run.diverged_step == 3
    with pytest.raises(ValueError, match="bound"):
        simulate(surfaces.ravine(), [0.0, 0.0], lr=0.1, bound=-1.0)


def test_start_outside_bound_is_not_a_crash():
    run = simulate(surfaces.paraboloid(), [1e9, 1e9], lr=0.1, steps=10, bound=1e10)
    assert not run.diverged and run.num_steps == 10
