"""momentum_math.optimizers: torch.optim's optimizers, checked against an independent reference.

``tests/optimizer_reference.py`` writes each optimizer from PyTorch's documentation
in plain Python floats; here every named surface (``surfaces.NAMES``, read when
the tests are collected) and a range of hyper-parameters are run through both.
torch itself is not installed for these tests, so they compare with no torch run.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import optimizer_reference as reference
import pytest

from momentum_math import CONVENTIONS, simulate, simulate_batch, simulation, surfaces
from momentum_math import optimizers as optimizers_module
from momentum_math.optimizers import (
    ADAPTIVE_KERNEL_BYTES_PER_RUN,
    ADAPTIVE_SINGLE_RUN_BYTES_PER_STEP,
    OPTIMIZERS,
    Optimizer,
    optimize,
    optimize_batch,
    optimize_batch_bytes,
    optimizer,
)

STEPS = 300
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")

#: (optimizer, lr, hyper-parameters): torch's defaults and every switch and term.
SETTINGS: list[tuple[str, float, dict[str, Any]]] = [
    ("gd", 5e-4, {}),
    ("momentum", 5e-4, {"beta": 0.9}),
    ("momentum", 5e-4, {"momentum": 0.8, "nesterov": True}),
    ("adagrad", 0.1, {}),
    (
        "adagrad",
        0.1,
        {"lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6},
    ),
    ("rmsprop", 0.01, {}),
    ("rmsprop", 0.01, {"centered": True}),
    ("rmsprop", 0.005, {"momentum": 0.5}),
    (
        "rmsprop",
        0.002,
        {"centered": True, "momentum": 0.9, "weight_decay": 0.01, "alpha": 0.9, "eps": 1e-6},
    ),
    ("adam", 0.05, {}),
    ("adam", 0.05, {"amsgrad": True}),
    ("adam", 0.05, {"weight_decay": 0.1, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("adamw", 0.05, {}),
    ("adamw", 0.05, {"amsgrad": True, "weight_decay": 0.1}),
]


def _setting_id(setting: tuple[str, float, dict[str, Any]]) -> str:
    name, _, hyper = setting
    return name + "".join(f"-{key}={value}" for key, value in hyper.items())


def _start(surface: surfaces.Surface) -> tuple[float, float]:
    """A start inside the surface's window, away from its centre."""
    (x_low, x_high), (y_low, y_high) = surface.x_range, surface.y_range
    return x_low + 0.2 * (x_high - x_low), y_low + 0.75 * (y_high - y_low)


def _point_gradient(surface: surfaces.Surface) -> reference.Gradient:
    """The surface's ∇L at one point, as two Python floats (the reference's callback)."""

    def gradient(x: float, y: float) -> tuple[float, float]:
        grad_x, grad_y = surface.gradient_fn(np.array([x, y]))
        return float(grad_x), float(grad_y)

    return gradient


def _reference_positions(surface: surfaces.Surface, opt: Optimizer, steps: int) -> np.ndarray:
    hyper = {key: value for key, value in opt.hyperparameters.items() if key != "lr"}
    gradient, start = _point_gradient(surface), _start(surface)
    if opt.name in ("gd", "momentum"):
        assert hyper.pop("convention", "pytorch") == "pytorch"
        hyper["momentum"] = hyper.pop("beta", 0.0)
        positions = reference.sgd(gradient, start, steps, opt.lr, **hyper)
    else:
        run = getattr(reference, opt.name)
        positions = run(gradient, start, steps, opt.lr, **hyper)
    return np.array(positions)


# --- against the independent reference, on every surface --------------------------


@pytest.mark.parametrize("setting", SETTINGS, ids=_setting_id)
@pytest.mark.parametrize("surface_name", surfaces.NAMES)
def test_matches_the_reference_on_every_surface(surface_name, setting):
    """Positions agree within rtol 1e-12 (they agree exactly: same terms, same order)."""
    name, lr, hyper = setting
    surface = surfaces.get(surface_name)
    opt = optimizer(name, lr=lr, **hyper)
    run = optimize(surface, _start(surface), opt, steps=STEPS)
    assert not run.diverged, (surface_name, run.diverged_step)
    expected = _reference_positions(surface, opt, STEPS)
    np.testing.assert_allclose(run.positions, expected, rtol=1e-12, atol=0.0)


# --- two steps by hand, on L = x² + y² from (1, 2), g = (2x, 2y) ------------------

PARABOLOID = surfaces.paraboloid()


def _two_steps(name: str, lr: float) -> np.ndarray:
    return optimize(PARABOLOID, [1.0, 2.0], optimizer(name, lr=lr), steps=2).positions


def test_adam_two_steps_by_hand():
    positions = _two_steps("adam", 0.1)
    # Step 1: g = (2, 4); m = 0.1 g, v = 0.001 g², so m̂ = g and v̂ = g²: the step is
    # -lr·g/(|g| + ε) = -lr·sign(g) up to ε:
    #   x₁ = 1 - 0.1·2/(2 + 1e-8) = 0.9000000005,  y₁ = 2 - 0.1·4/(4 + 1e-8) = 1.90000000025
    assert positions[1].tolist() == pytest.approx([0.9000000005, 1.90000000025], rel=1e-12)
    # Step 2, x: g = 2x₁ = 1.800000001; m = 0.9·0.2 + 0.1·1.800000001 = 0.3600000001,
    # m̂ = m/(1 - 0.9²) = m/0.19 = 1.8947368426315789;
    # v = 0.999·0.004 + 0.001·1.800000001² = 0.0072360000036, v̂ = v/(1 - 0.999²)
    # = v/0.001999 = 3.6198099067533767, √v̂ = 1.9025798029920786;
    # step = 0.1·m̂/(√v̂ + 1e-8) = 0.09958777180820785, x₂ = x₁ - step = 0.8004122286917921.
    # y the same way from g = 3.8000000005: y₂ = 1.8001664861157004.
    assert positions[2].tolist() == pytest.approx(
        [0.8004122286917921, 1.8001664861157004], rel=1e-12
    )


def test_adamw_two_steps_by_hand():
    positions = _two_steps("adamw", 0.1)  # weight_decay 0.01 by default
    # Step 1: decay θ ← θ - 0.1·0.01·θ = 0.999θ = (0.999, 1.998), then Adam's step as above:
    #   x₁ = 0.999 - 0.1·2/(2 + 1e-8) = 0.8990000005, y₁ = 1.998 - 0.1·4/(4 + 1e-8)
    assert positions[1].tolist() == pytest.approx([0.8990000005, 1.89800000025], rel=1e-12)
    # Step 2, x: g = 2x₁ = 1.798000001 (at θ before its decay); decay x₁·0.999 =
    # 0.8981010004995; m̂ = (0.9·0.2 + 0.1·1.798000001)/0.19 = 1.8936842110526316;
    # v̂ = (0.999·0.004 + 0.001·1.798000001²)/0.001999 = 3.6162101068514257;
    # step = 0.1·m̂/(√v̂ + 1e-8) = 0.09958197333097908, x₂ = 0.7985190271685209.
    assert positions[2].tolist() == pytest.approx(
        [0.7985190271685209, 1.796272588644797], rel=1e-12
    )


def test_adagrad_two_steps_by_hand():
    positions = _two_steps("adagrad", 0.1)
    # Step 1: s = g² = (4, 16), √s = |g|: x₁ = 1 - 0.1·2/(2 + 1e-10) = 0.900000000005,
    # y₁ = 2 - 0.1·4/(4 + 1e-10) = 1.9000000000025.
    assert positions[1].tolist() == pytest.approx([0.900000000005, 1.9000000000025], rel=1e-12)
    # Step 2, x: g = 1.80000000001, s = 4 + g² = 7.240000000036, √s = 2.6907248094214317;
    # step = 0.1·g/(√s + 1e-10) = 0.06689647315996411, x₂ = 0.8331035268450359.
    # y: g = 3.800000000005, s = 16 + g² = 30.44..., y₂ = 1.8311250538122314.
    assert positions[2].tolist() == pytest.approx(
        [0.8331035268450359, 1.8311250538122314], rel=1e-12
    )


def test_rmsprop_two_steps_by_hand():
    positions = _two_steps("rmsprop", 0.01)
    # Step 1: v = 0.01·g², √v = 0.1|g|: x₁ = 1 - 0.01·2/(0.2 + 1e-8) = 0.900000005 (to 1e-16),
    # y₁ = 2 - 0.01·4/(0.4 + 1e-8) = 1.9000000025.
    assert positions[1].tolist() == pytest.approx([0.90000000499999975, 1.9000000025], rel=1e-12)
    # Step 2, x: g = 1.80000001; v = 0.99·0.04 + 0.01·g² = 0.07200000036,
    # √v = 0.26832815797079512; step = 0.01·g/(√v + 1e-8) = 0.06708203702996667,
    # x₂ = 0.8329179679700331. y: g = 3.800000005, y₂ = 1.8309433291098638.
    assert positions[2].tolist() == pytest.approx(
        [0.8329179679700331, 1.8309433291098638], rel=1e-12
    )


def test_amsgrad_takes_the_maximum_before_the_bias_correction():
    """torch keeps max(v_max, v) of the raw second moment and corrects it afterwards.

    (Its documentation before torch 2.6 put the maximum after the correction, which
    torch never computed.) x on L = x² + y² from 1, lr = 1: step 1 lands near 0, so
    g₂ ≈ 1e-8 and v₂ = 0.999·0.004 + 0.001·g₂² = 0.003996 < v₁ = 0.004: the maximum
    keeps v₁, and v̂ = 0.004/(1 - 0.999²) = 2.0010005, √v̂ = 1.4145672484;
    m̂ = (0.9·0.2 + 0.1·g₂)/0.19 = 0.9473684263, x₂ = x₁ - m̂/(√v̂ + 1e-8) = -0.6697231352.
    The maximum of the corrected v̂₁ = 4, v̂₂ = 1.999 would give x₂ = -0.4736842058.
    """
    run = optimize(PARABOLOID, [1.0, 2.0], optimizer("adam", lr=1.0, amsgrad=True), steps=2)
    assert run.positions[1, 0] == pytest.approx(5e-9, abs=1e-15)  # 1 - 2/(2 + 1e-8)
    assert run.positions[2, 0] == pytest.approx(-0.6697231351965, abs=1e-12)
    plain = optimize(PARABOLOID, [1.0, 2.0], optimizer("adam", lr=1.0), steps=2)
    assert plain.positions[2, 0] == pytest.approx(-0.6700582481199, abs=1e-12)  # √(v₂/0.001999)


# --- what a run records -------------------------------------------------------------


@pytest.mark.parametrize("name", ADAPTIVE)
def test_adaptive_velocities_are_the_steps_taken(name):
    surface = surfaces.rosenbrock()
    run = optimize(surface, _start(surface), optimizer(name, lr=0.01), steps=50)
    assert run.velocities.shape == run.positions.shape
    assert run.velocities[0].tolist() == [0.0, 0.0]
    np.testing.assert_array_equal(run.velocities[1:], np.diff(run.positions, axis=0))
    np.testing.assert_array_equal(run.gradients, surface.gradient_fn(run.positions))
    np.testing.assert_array_equal(run.losses, surface.value_fn(run.positions))
    assert (run.convention, run.nesterov, run.optimizer) == ("pytorch", False, name)


def test_reported_beta_and_lr():
    ravine, start = surfaces.ravine(), (-2.4, 0.2)
    expected = {"adagrad": 0.0, "rmsprop": 0.7, "adam": 0.8, "adamw": 0.8}
    for name, beta in expected.items():
        hyper: dict[str, Any] = {"momentum": 0.7} if name == "rmsprop" else {}
        if name in ("adam", "adamw"):
            hyper["betas"] = (0.8, 0.9)
        run = optimize(ravine, start, optimizer(name, lr=0.02, **hyper), steps=3)
        assert (run.lr, run.beta) == (0.02, beta)
        batch = optimize_batch(ravine, start, name, lr=[0.02, 0.03], steps=3, **hyper)
        assert batch.beta.tolist() == [beta, beta]
        assert batch.lr.tolist() == [0.02, 0.03]


def test_hyperparameters_are_plain_data_that_copies():
    opt = optimizer("adam", lr=0.01, amsgrad=True)
    assert opt.hyperparameters == {
        "lr": 0.01,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": True,
    }
    assert json.loads(json.dumps(opt.hyperparameters)) == opt.hyperparameters
    assert optimizer(opt.name, **opt.hyperparameters) == opt
    run = optimize(PARABOLOID, [1.0, 2.0], opt, steps=2)
    assert dict(run.hyperparameters) == opt.hyperparameters
    # A plain dict, so the mobjects drawing a run can be deep-copied (manim copies them);
    # the run's dict is its own copy: changing it leaves the optimizer alone.
    copied = copy.deepcopy(run)
    assert copied.hyperparameters == run.hyperparameters
    run.hyperparameters["lr"] = 1.0
    assert opt.lr == 0.01
    batch = optimize_batch(PARABOLOID, [1.0, 2.0], "adam", lr=[0.01], steps=2, amsgrad=True)
    assert dict(batch.hyperparameters) == {
        k: v for k, v in opt.hyperparameters.items() if k != "lr"
    }
    assert batch.optimizer == "adam"


def test_torch_defaults():
    """torch.optim's defaults (torch 2.x documentation), filled in by optimizer()."""
    assert optimizer("gd", lr=0.1).hyperparameters == {"lr": 0.1, "weight_decay": 0.0}
    assert optimizer("momentum", lr=0.1, beta=0.9).hyperparameters == {
        "lr": 0.1,
        "beta": 0.9,
        "dampening": 0.0,
        "nesterov": False,
        "weight_decay": 0.0,
        "convention": "pytorch",
    }
    assert optimizer("adagrad").hyperparameters == {
        "lr": 0.01,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    }
    assert optimizer("rmsprop").hyperparameters == {
        "lr": 0.01,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    }
    adam = {"lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0}
    assert optimizer("adam").hyperparameters == {**adam, "amsgrad": False}
    assert optimizer("adamw").hyperparameters == {**adam, "weight_decay": 0.01, "amsgrad": False}
    assert OPTIMIZERS == ("gd", "momentum", "adagrad", "rmsprop", "adam", "adamw")


def test_simulate_results_keep_their_defaults():
    run = simulate(surfaces.ravine(), (-2.4, 0.2), lr=0.1, beta=0.8, steps=5)
    assert run.optimizer == "momentum" and dict(run.hyperparameters) == {}
    batch = simulate_batch(surfaces.ravine(), (-2.4, 0.2), lr=0.1, beta=[0.0, 0.8], steps=5)
    assert batch.optimizer == "momentum" and dict(batch.hyperparameters) == {}
    assert "optimizer" not in repr(run) and "hyperparameters" not in repr(batch)


# --- gd and momentum are simulate's runs --------------------------------------------


def _same_arrays(first: Any, second: Any, names: tuple[str, ...]) -> None:
    for name in names:
        a, b = getattr(first, name), getattr(second, name)
        assert a.shape == b.shape and a.dtype == b.dtype, name
        assert a.tobytes() == b.tobytes(), name


TRAJECTORY_ARRAYS = ("start", "positions", "velocities", "gradients", "losses")
BATCH_ARRAYS = ("starts", "lr", "beta", "final_positions", "final_losses", "diverged_step")
PATH_ARRAYS = ("positions", "velocities", "gradients", "losses")


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_is_exactly_simulate(convention, nesterov):
    surface, start = surfaces.ravine(), (-2.4, 0.2)
    opt = optimizer("momentum", lr=0.1, beta=0.8, convention=convention, nesterov=nesterov)
    run = optimize(surface, start, opt, steps=60)
    expected = simulate(
        surface, start, lr=0.1, beta=0.8, steps=60, convention=convention, nesterov=nesterov
    )
    _same_arrays(run, expected, TRAJECTORY_ARRAYS)
    assert (run.lr, run.beta, run.convention, run.nesterov, run.diverged_step) == (
        expected.lr,
        expected.beta,
        expected.convention,
        expected.nesterov,
        expected.diverged_step,
    )
    assert run.optimizer == "momentum" and dict(run.hyperparameters) == opt.hyperparameters
    batch = optimize_batch(
        surface,
        start,
        "momentum",
        lr=[0.05, 0.1, 5.0],
        beta=0.8,
        steps=60,
        convention=convention,
        nesterov=nesterov,
        threshold=1e-3,
        record="path",
    )
    expected_batch = simulate_batch(
        surface,
        start,
        lr=[0.05, 0.1, 5.0],
        beta=0.8,
        steps=60,
        convention=convention,
        nesterov=nesterov,
        threshold=1e-3,
        record="path",
    )
    _same_arrays(batch, expected_batch, BATCH_ARRAYS + PATH_ARRAYS + ("steps_to_converge",))
    assert batch.optimizer == "momentum"


def test_gd_is_simulate_without_momentum():
    surface, start = surfaces.stretched_bowl(), (-4.0, 1.5)
    run = optimize(surface, start, optimizer("gd", lr=0.18), steps=100)
    _same_arrays(run, simulate(surface, start, lr=0.18, steps=100), TRAJECTORY_ARRAYS)
    assert (run.optimizer, run.beta) == ("gd", 0.0)
    batch = optimize_batch(surface, start, "gd", lr=[0.1, 0.18], steps=100, threshold=1e-3)
    expected = simulate_batch(surface, start, lr=[0.1, 0.18], steps=100, threshold=1e-3)
    _same_arrays(batch, expected, BATCH_ARRAYS + ("steps_to_converge",))


# --- a batch is its runs, bit for bit -----------------------------------------------


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s[0] in ADAPTIVE], ids=_setting_id)
@pytest.mark.parametrize("surface_name", surfaces.NAMES)
def test_batched_equals_single_bit_for_bit(surface_name, setting, monkeypatch):
    name, lr, hyper = setting
    surface = surfaces.get(surface_name)
    centre = np.array(_start(surface))
    starts = np.stack([centre, centre * 0.5, centre * -0.7])
    lrs = np.array([[lr], [lr * 3.0], [1e11]])  # the last diverges at once
    steps = 40
    batch = optimize_batch(
        surface, starts, name, lr=lrs, steps=steps, threshold=1.0, record="path", **hyper
    )
    assert batch.shape == (3, 3)
    assert batch.diverged[2].all()
    for i in range(3):
        for j in range(3):
            run = optimize(surface, starts[j], optimizer(name, lr=float(lrs[i, 0]), **hyper), steps)
            stored = run.num_steps + 1
            for field in PATH_ARRAYS:
                recorded = getattr(batch, field)[i, j]
                assert recorded[:stored].tobytes() == getattr(run, field).tobytes(), field
            failed = -1 if run.diverged_step is None else run.diverged_step
            assert batch.diverged_step[i, j] == failed
            assert batch.final_positions[i, j].tobytes() == run.final_position.tobytes()
            assert batch.final_losses[i, j] == run.final_loss
            arrived = run.steps_to_converge(1.0)
            assert batch.steps_to_converge[i, j] == (-1 if arrived is None else arrived)
            if run.diverged:  # the path repeats the last good position, standing still
                rest = slice(stored, None)
                assert (batch.positions[i, j, rest] == run.final_position).all()
                assert (batch.velocities[i, j, rest] == 0.0).all()
    # summary mode, in blocks of 4 runs, keeps the same finals
    monkeypatch.setattr(simulation, "SUMMARY_BLOCK_RUNS", 4)
    summary = optimize_batch(surface, starts, name, lr=lrs, steps=steps, threshold=1.0, **hyper)
    assert summary.positions is None
    _same_arrays(summary, batch, BATCH_ARRAYS + ("steps_to_converge",))


def test_threshold_matches_the_trajectory():
    surface, start = surfaces.ravine(), (-2.4, 0.2)
    lrs = np.geomspace(1e-3, 0.5, 12)
    for name in ADAPTIVE:
        batch = optimize_batch(surface, start, name, lr=lrs, steps=300, threshold=1e-3)
        for lr, arrived in zip(lrs, batch.steps_to_converge.tolist(), strict=True):
            run = optimize(surface, start, optimizer(name, lr=float(lr)), steps=300)
            expected = run.steps_to_converge(1e-3)
            assert arrived == (-1 if expected is None else expected), (name, lr)
        assert (batch.converged == (batch.steps_to_converge >= 0)).all()
        assert batch.converged.any(), name


# --- divergence ------------------------------------------------------------------


@pytest.fixture
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.usefixtures("warnings_are_errors")
@pytest.mark.parametrize("name", ADAPTIVE)
def test_a_huge_lr_on_the_ravine_diverges_at_a_recorded_step(name):
    run = optimize(surfaces.ravine(), (-2.4, 0.2), optimizer(name, lr=1e11), steps=50)
    # every adaptive first step moves about lr (adagrad: lr·g/|g|): past the 1e10 bound
    assert run.diverged_step == 1
    assert run.num_steps == 0 and run.positions.tolist() == [[-2.4, 0.2]]
    for array in (run.positions, run.velocities, run.gradients, run.losses):
        assert np.all(np.isfinite(array))
    if name != "adamw":
        return  # their steps scale with lr, not θ: they leave the bound at once or never
    # AdamW's decay multiplies θ by 1 - lr·λ = -9 a step: |θ| grows past 1e10 at step 9
    late = optimize(surfaces.ravine(), (-2.4, 0.2), optimizer(name, lr=1e3), steps=50)
    assert late.diverged_step == 9
    assert late.num_steps == 8
    assert np.all(np.abs(late.positions) <= 1e10)


@pytest.mark.usefixtures("warnings_are_errors")
def test_values_past_the_float_range_are_divergence():
    """Within a wide bound, Rosenbrock's L overflows first: the run stops there too."""
    surface = surfaces.rosenbrock()
    run = optimize(surface, (-1.2, 1.0), optimizer("adam", lr=1e150), steps=10, bound=1e200)
    assert run.diverged_step == 1 and run.num_steps == 0
    assert np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.gradients))


@pytest.mark.usefixtures("warnings_are_errors")
def test_a_nan_step_is_divergence():
    """λθ past the float range makes g infinite and the Adam step inf/inf = NaN."""
    run = optimize(
        surfaces.ravine(), (-2.4, 0.2), optimizer("adam", lr=0.1, weight_decay=1e308), steps=10
    )
    assert run.diverged_step == 1
    assert np.all(np.isfinite(run.positions)) and np.all(np.isfinite(run.velocities))


@pytest.mark.usefixtures("warnings_are_errors")
@pytest.mark.parametrize("record", ["summary", "path"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_diverging_sweeps_emit_no_warning(name, record):
    hyper = {"beta": 0.9} if name == "momentum" else {}
    for surface_name in surfaces.NAMES:
        surface = surfaces.get(surface_name)
        lrs = np.geomspace(1e-3, 1e12, 16)[:, None]
        starts = np.array([_start(surface), (surface.x_range[1] * 0.8, surface.y_range[0] * 0.6)])
        sweep = optimize_batch(surface, starts, name, lr=lrs, steps=40, record=record, **hyper)
        assert sweep.diverged.any()
        assert np.all(np.isfinite(sweep.final_positions)) and np.all(
            np.isfinite(sweep.final_losses)
        )
        if record == "path":
            for field in PATH_ARRAYS:
                assert np.all(np.isfinite(getattr(sweep, field))), field


# --- the memory budget -----------------------------------------------------------


def test_budget_refuses_before_anything_runs(monkeypatch):
    def fail(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the budget must refuse first")

    monkeypatch.setattr(optimizers_module, "_run_adaptive", fail)
    monkeypatch.setattr(optimizers_module, "_run_adaptive_in_blocks", fail)
    monkeypatch.setattr(simulation, "_check_starts", fail)
    huge = np.broadcast_to(np.array([1.0, 2.0]), (10**9, 2))  # nothing allocated
    with pytest.raises(ValueError, match="memory budget"):
        optimize_batch(PARABOLOID, huge, "adam", lr=0.1, steps=10)
    with pytest.raises(ValueError, match="memory budget"):
        optimize_batch(
            PARABOLOID, [1.0, 2.0], "rmsprop", lr=[0.1] * 10, record="path", max_bytes=1000
        )
    with pytest.raises(ValueError, match="memory budget"):
        optimize(PARABOLOID, [1.0, 2.0], optimizer("adagrad"), steps=1000, max_bytes=10_000)
    with pytest.raises(ValueError, match="memory budget"):  # simulate's own budget
        optimize(PARABOLOID, [1.0, 2.0], optimizer("gd", lr=0.1), steps=1000, max_bytes=10_000)


def test_budget_estimate():
    block = simulation.SUMMARY_BLOCK_RUNS
    runs = 3 * block
    summary = optimize_batch_bytes("adam", runs, 100)
    assert summary == runs * simulation.RESULT_BYTES_PER_RUN + block * ADAPTIVE_KERNEL_BYTES_PER_RUN
    path = optimize_batch_bytes("adam", 10, 100, "path")
    assert path == 10 * (72 + ADAPTIVE_KERNEL_BYTES_PER_RUN + 101 * 56)
    assert optimize_batch_bytes("momentum", 10, 100, "path") == simulation.batch_bytes(
        10, 100, "path"
    )
    assert ADAPTIVE_SINGLE_RUN_BYTES_PER_STEP == 112
    # one run of 1 000 000 steps fits the default 2 GiB budget, as with simulate
    assert ADAPTIVE_SINGLE_RUN_BYTES_PER_STEP * 1_000_001 < simulation.MAX_BATCH_BYTES


# --- validation ------------------------------------------------------------------


def assert_refused(call: Callable[[], Any], error: type[Exception], name: str, *shown: str) -> None:
    """``call()`` raises exactly ``error``, naming ``name`` and showing each of ``shown``."""
    with pytest.raises(error) as excinfo:
        call()
    assert type(excinfo.value) is error
    message = str(excinfo.value)
    assert re.search(rf"(?<![\w.]){re.escape(name)}\b", message), (name, message)
    for text in shown:
        assert text in message, (text, message)


BAD_VALUES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (optimizer, keywords, parameter, the value shown, what is allowed)
    ("adam", {"lr": 0.0}, "lr", "0.0", "finite and > 0"),
    ("adam", {"lr": math.nan}, "lr", "nan", "finite and > 0"),
    ("adam", {"lr": math.inf}, "lr", "inf", "finite and > 0"),
    ("rmsprop", {"lr": -0.1}, "lr", "-0.1", "finite and > 0"),
    ("adam", {"eps": 0.0}, "eps", "0.0", "finite and > 0"),
    ("adagrad", {"eps": -1e-10}, "eps", "-1e-10", "finite and > 0"),
    ("adam", {"betas": (0.9, 1.0)}, "betas", "(0.9, 1.0)", "each in [0, 1)"),
    ("adamw", {"betas": (-0.1, 0.9)}, "betas", "(-0.1, 0.9)", "each in [0, 1)"),
    ("adam", {"betas": (0.9,)}, "betas", "(0.9,)", "a pair (beta1, beta2)"),
    ("adam", {"betas": (0.9, math.nan)}, "betas", "nan", "each in [0, 1)"),
    ("rmsprop", {"alpha": 1.0}, "alpha", "1.0", "in [0, 1)"),
    ("rmsprop", {"alpha": -0.5}, "alpha", "-0.5", "in [0, 1)"),
    ("rmsprop", {"momentum": 1.0}, "momentum", "1.0", "in [0, 1)"),
    ("adam", {"weight_decay": -0.01}, "weight_decay", "-0.01", "finite and >= 0"),
    ("adamw", {"weight_decay": math.inf}, "weight_decay", "inf", "finite and >= 0"),
    ("adagrad", {"lr_decay": -0.1}, "lr_decay", "-0.1", "finite and >= 0"),
    ("adagrad", {"initial_accumulator_value": -1.0}, "initial_accumulator_value", "-1.0", ">= 0"),
    ("momentum", {"lr": 0.1, "beta": 1.0}, "beta", "1.0", "in [0, 1)"),
    ("momentum", {"lr": 0.1, "momentum": -0.1}, "beta", "-0.1", "in [0, 1)"),
    ("momentum", {"lr": 0.1, "beta": 0.9, "dampening": 0.1}, "dampening", "0.1", "must be 0"),
    ("momentum", {"lr": 0.1, "beta": 0.9, "weight_decay": 1e-4}, "weight_decay", "0.0001", "be 0"),
    ("gd", {"lr": 0.1, "weight_decay": 0.1}, "weight_decay", "0.1", "must be 0"),
    ("momentum", {"lr": 0.1, "beta": 0.0, "nesterov": True}, "nesterov", "beta=0.0", "beta > 0"),
    ("momentum", {"lr": 0.1, "beta": 0.9, "convention": "keras"}, "convention", "keras", "one of"),
]


@pytest.mark.parametrize(
    "name, keywords, parameter, shown, allowed", BAD_VALUES, ids=[c[2] for c in BAD_VALUES]
)
def test_bad_values_are_refused_by_name(name, keywords, parameter, shown, allowed):
    assert_refused(lambda: optimizer(name, **keywords), ValueError, parameter, shown, allowed)
    # optimize_batch checks the same (its lr may be an array)
    batch_keywords = dict(keywords)
    lr = batch_keywords.pop("lr", None)
    assert_refused(
        lambda: optimize_batch(PARABOLOID, [1.0, 2.0], name, lr, steps=2, **batch_keywords),
        ValueError,
        parameter,
        shown,
        allowed,
    )


BAD_TYPES: list[tuple[str, dict[str, Any], str, str]] = [
    ("adam", {"amsgrad": 1}, "amsgrad", "True or False"),
    ("rmsprop", {"centered": "yes"}, "centered", "True or False"),
    ("momentum", {"lr": 0.1, "beta": 0.9, "nesterov": 0}, "nesterov", "True or False"),
    ("adam", {"eps": "1e-8"}, "eps", "real number"),
    ("adam", {"weight_decay": True}, "weight_decay", "real number"),
    ("adam", {"lr": np.timedelta64(1, "s")}, "lr", "a NumPy time"),
    ("rmsprop", {"alpha": np.ma.masked_array(0.9, mask=True)}, "alpha", "masked array"),
    ("adam", {"alpha": 0.9}, "alpha", "lr, betas, eps, weight_decay, amsgrad"),
    ("gd", {"lr": 0.1, "beta": 0.9}, "beta", "lr, weight_decay"),
    ("adagrad", {"momentum": 0.9}, "momentum", "lr, lr_decay, weight_decay"),
    ("momentum", {"lr": 0.1}, "beta", "[0, 1)"),
    ("momentum", {"lr": 0.1, "beta": 0.9, "momentum": 0.9}, "momentum", "beta=0.9"),
    ("gd", {}, "lr", "lr=None"),
    ("momentum", {"beta": 0.9}, "lr", "torch.optim.SGD"),
]


@pytest.mark.parametrize(
    "name, keywords, parameter, allowed", BAD_TYPES, ids=[c[2] for c in BAD_TYPES]
)
def test_wrong_types_and_names_are_type_errors(name, keywords, parameter, allowed):
    assert_refused(lambda: optimizer(name, **keywords), TypeError, parameter, allowed)


def test_names_are_checked():
    assert_refused(lambda: optimizer("sgd", lr=0.1), ValueError, "name", "'sgd'", "one of")
    assert_refused(lambda: optimizer(3), TypeError, "name", "3", "a string")
    assert_refused(
        lambda: optimize_batch(PARABOLOID, [1.0, 2.0], "lbfgs", 0.1),
        ValueError,
        "opt_name",
        "'lbfgs'",
        "one of",
    )
    assert_refused(
        lambda: optimize(PARABOLOID, [1.0, 2.0], "adam"),
        TypeError,
        "opt",
        "'adam'",
        "Optimizer",
    )


def test_the_class_checks_what_it_is_given():
    assert Optimizer("adam", 0.01) == optimizer("adam", lr=0.01)
    assert_refused(lambda: Optimizer("adam", 0.01, alpha=0.5), TypeError, "alpha", "0.5")
    assert_refused(lambda: Optimizer("adam", [0.1, 0.2]), ValueError, "lr", "optimize_batch")
    assert_refused(lambda: Optimizer("rmsprop", 0.01, eps=0.0), ValueError, "eps", "> 0")
    with pytest.raises(dataclasses.FrozenInstanceError):
        optimizer("adam").lr = 1.0
    assert {optimizer("adam"), optimizer("adam", lr=0.001)} == {optimizer("adam")}
    assert optimizer("adam", betas=[0.5, 0.6]).betas == (0.5, 0.6)


def test_run_arguments_are_checked_as_simulate_checks_them():
    opt = optimizer("adam")
    assert_refused(lambda: optimize(PARABOLOID, [1.0, 2.0], opt, steps=-1), ValueError, "steps")
    assert_refused(lambda: optimize(PARABOLOID, [1.0], opt), ValueError, "start", "shape")
    assert_refused(
        lambda: optimize(PARABOLOID, [[1.0, 2.0]], opt), ValueError, "start", "optimize_batch"
    )
    assert_refused(lambda: optimize(PARABOLOID, [1.0, 2.0], opt, bound=0.0), ValueError, "bound")
    assert_refused(lambda: optimize("ravine", [1.0, 2.0], opt), TypeError, "surface")
    assert_refused(
        lambda: optimize(PARABOLOID, [1e11, 0.0], opt), ValueError, "start", "divergence bound"
    )

    def batch(**keywords: Any) -> Any:
        return optimize_batch(PARABOLOID, **{"start": [1.0, 2.0], "opt_name": "adam", **keywords})

    assert_refused(lambda: batch(lr=[0.1, -0.1]), ValueError, "lr", "finite and > 0")
    assert_refused(lambda: batch(threshold=0.0), ValueError, "threshold")
    assert_refused(lambda: batch(record="all"), ValueError, "record", "one of")
    assert_refused(lambda: batch(max_bytes=-1), ValueError, "max_bytes")
    assert_refused(
        lambda: batch(start=np.zeros((3, 2)), lr=[0.1, 0.2]), ValueError, "start", "broadcast"
    )
