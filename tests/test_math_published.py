"""Every published figure in the lesson brief, reproduced through the public API."""

from __future__ import annotations

import numpy as np
import pytest

from momentum_math import presets, simulate, surfaces, theory, worked_example

# --- 1. the ravine blog post ---------------------------------------------------


@pytest.fixture(scope="module")
def ravine_runs():
    experiment = presets.ravine_zigzag()
    assert experiment.start == (-2.4, 0.2)
    assert (experiment.lr, experiment.steps, experiment.convention) == (0.1, 50, "pytorch")
    return experiment.runs()


def test_ravine_plain_gd_loss_and_stall(ravine_runs):
    run = ravine_runs[0.0]
    assert run.num_steps == 50
    assert round(run.final_loss, 4) == 0.1023
    assert run.final_position[0] == pytest.approx(-1.28, abs=0.005)
    # x creeps monotonically toward 0 and never gets there
    assert np.all(np.diff(run.positions[:, 0]) > 0)
    assert np.all(run.positions[:, 0] < -1.2)


def test_ravine_plain_gd_y_flips_sign_every_step(ravine_runs):
    y = ravine_runs[0.0].positions[:, 1]
    assert np.all(y[:-1] * y[1:] < 0)


def test_ravine_beta_08_loss(ravine_runs):
    assert f"{ravine_runs[0.8].final_loss:.3e}" == "2.868e-05"


def test_ravine_beta_09_overshoots(ravine_runs):
    run = ravine_runs[0.9]
    assert run.final_loss == pytest.approx(3.6e-4, rel=0.02)
    assert run.positions[:, 0].max() > 0  # x runs past the minimum at 0
    # and it ends worse than the well-tuned β = 0.8
    assert run.final_loss > ravine_runs[0.8].final_loss


def test_ravine_velocity_builds_in_x_not_in_y(ravine_runs):
    gd_vx = ravine_runs[0.0].velocities[1:, 0]
    for beta in (0.8, 0.9):
        vx = ravine_runs[beta].velocities[1:, 0]
        # in x momentum accumulates: the early velocity exceeds the plain gradient
        assert np.abs(vx[:10]).max() > 2 * np.abs(gd_vx[:10]).max()
    # in y the plain-GD velocity (the gradient) flips sign every step
    gd_vy = ravine_runs[0.0].velocities[1:, 1]
    assert np.all(gd_vy[:-1] * gd_vy[1:] < 0)


# --- 2. the course page's worked example --------------------------------------


def test_worked_example_table():
    table = worked_example()
    assert (table.lr, table.beta, table.steps) == (0.1, 0.9, 4)
    expected = [(0.10, 0.20), (0.19, -0.02), (0.271, 0.182), (0.3439, -0.0362)]
    np.testing.assert_allclose(table.velocities, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(table.gradients[:, 0], [1, 1, 1, 1])
    np.testing.assert_array_equal(table.gradients[:, 1], [2, -2, 2, -2])


def test_worked_example_constant_component_approaches_limit():
    table = worked_example(steps=200)
    assert table.limit == pytest.approx(1.0, abs=1e-12)
    constant = table.velocities[:, 0]
    assert np.all(np.diff(constant) > 0)
    assert np.all(constant < 1.0)
    assert constant[-1] == pytest.approx(1.0, abs=1e-8)
    # the alternating component stays small: |v₂| → 2α/(1+β) ≈ 0.105
    assert np.abs(table.velocities[-10:, 1]).max() == pytest.approx(0.2 / 1.9, rel=1e-6)


# --- 3. the explainer figure --------------------------------------------------


def test_stretched_bowl_race_steps_to_converge():
    race = presets.stretched_bowl_race()
    assert race.threshold == 1e-3 and race.steps == 300 and race.convention == "ema"
    runs = race.runs()
    assert runs[0.0].steps_to_converge(1e-3) == 185
    assert runs[0.9].steps_to_converge(1e-3) == 159
    assert runs[0.99].steps_to_converge(1e-3) is None
    assert f"{runs[0.99].final_loss:.6f}" == "0.487363"


def test_stretched_bowl_beta_099_still_swinging():
    run = presets.stretched_bowl_race().run(0.99)
    x = run.positions[:, 0]
    assert np.count_nonzero(np.diff(np.sign(x)) != 0) >= 1  # overshoots the minimum in x
    assert np.any(np.diff(run.losses[150:]) > 0)  # the loss still rises at times


# --- 4. the "ninja" blog post --------------------------------------------------


def test_paraboloid_half_parabola():
    run = presets.paraboloid_descent().run()
    k = np.arange(21)
    expected = 8.0 * 0.8**k
    np.testing.assert_allclose(run.positions[:, 0], expected, rtol=1e-13, atol=0)
    np.testing.assert_array_equal(run.positions[:, 0], run.positions[:, 1])  # straight in


@pytest.fixture(scope="module")
def qfsp_runs():
    experiment = presets.qfsp_escape()
    assert experiment.start == (7.11, 6.97) and experiment.convention == "classical"
    return experiment.runs()


def test_qfsp_plain_gd_trapped(qfsp_runs):
    run = qfsp_runs[0.0]
    np.testing.assert_allclose(run.final_position, [3.751, 1.155], atol=1e-3)
    assert round(run.final_loss, 3) == 10.168


@pytest.mark.parametrize("mu", [0.5, 0.8])
def test_qfsp_momentum_escapes_to_global_minimum(qfsp_runs, mu):
    run = qfsp_runs[mu]
    assert run.num_steps == 50
    np.testing.assert_allclose(run.final_position, [1.298, -1.298], atol=0.01)
    assert run.final_loss == pytest.approx(-5.9045, abs=1e-3)


def test_qfsp_mu_05_after_10_iterations():
    run = presets.qfsp_escape().run(0.5, steps=10)
    assert round(run.final_loss, 2) == -5.74


# --- theory figures -----------------------------------------------------------


def test_optimal_momentum_kappa_100():
    bowl = surfaces.stretched_bowl()
    assert bowl.condition_number == pytest.approx(100.0)
    best = theory.optimal_momentum(*bowl.hessian_eigenvalues)
    assert round(best.beta, 3) == 0.669
    assert round(best.lr, 3) == 0.331
    assert round(best.rate, 3) == 0.818
    assert round(best.gd_rate, 3) == 0.980
    assert float(theory.contraction_rate(bowl, best.lr, best.beta)) == pytest.approx(
        best.rate, rel=1e-6
    )
    assert float(theory.contraction_rate(bowl, best.gd_lr)) == pytest.approx(best.gd_rate, rel=1e-9)


# --- rules of thumb ------------------------------------------------------------


def test_effective_step_and_memory_window():
    assert float(theory.effective_step(0.01, 0.9)) == pytest.approx(0.1, rel=1e-12)
    assert float(theory.memory_window(0.9)) == pytest.approx(10.0, rel=1e-12)
    assert float(theory.memory_window(0.5)) == pytest.approx(2.0, rel=1e-12)
    assert float(theory.memory_window(0.99)) == pytest.approx(100.0, rel=1e-12)


def test_effective_step_is_the_steady_state_step_under_constant_gradient():
    # the worked example's constant component is a unit gradient every step
    table = worked_example(lr=0.01, beta=0.9, steps=500)
    assert table.velocities[-1, 0] == pytest.approx(
        float(theory.effective_step(0.01, 0.9)), rel=1e-9
    )


def test_plain_update_refresher():
    # α = 0.1, θ = 3, ∂L/∂θ = 2 → 2.8: a quadratic with eigenvalue 2/3 along x has
    # gradient (2/3)·3 = 2 at θ = (3, 0), and β = 0 is the plain update.
    surface = surfaces.quadratic([2.0 / 3.0, 1.0])
    assert float(surface.gradient([3.0, 0.0])[0]) == pytest.approx(2.0, rel=1e-15)
    run = simulate(surface, [3.0, 0.0], lr=0.1, beta=0.0, steps=1)
    assert run.positions[1, 0] == pytest.approx(2.8, rel=1e-15)
    assert run.positions[1, 1] == 0.0
