"""The four conventions against independent plain-Python loops from the brief's table."""

from __future__ import annotations

import numpy as np
import pytest
import reference

from momentum_math import CONVENTIONS, simulate, surfaces

CASES = [
    # surface name, start, lr, beta, steps
    ("ravine", (-2.4, 0.2), 0.1, 0.8, 60),
    ("stretched_bowl", (-4.0, 1.5), 0.15, 0.9, 80),
    ("paraboloid", (8.0, 8.0), 0.1, 0.5, 40),
    ("qfsp", (7.11, 6.97), 0.05, 0.7, 25),
]


def _reference_gradient(name):
    return reference.GRADIENTS[name]


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name, start, lr, beta, steps", CASES)
def test_simulate_matches_reference_loop(convention, name, start, lr, beta, steps):
    run = simulate(surfaces.get(name), start, lr=lr, beta=beta, steps=steps, convention=convention)
    positions, velocities = reference.run(
        _reference_gradient(name), start, lr, beta, steps, convention
    )
    np.testing.assert_allclose(run.positions, positions, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(run.velocities, velocities, rtol=1e-9, atol=1e-11)


def test_reference_on_rotated_quadratic():
    surface = surfaces.quadratic([0.5, 3.0], angle=0.7)
    gradient = reference.quadratic_gradient(surface.hessian.tolist())
    for convention in CONVENTIONS:
        run = simulate(surface, [2.0, -1.0], lr=0.2, beta=0.6, steps=100, convention=convention)
        positions, velocities = reference.run(gradient, (2.0, -1.0), 0.2, 0.6, 100, convention)
        np.testing.assert_allclose(run.positions, positions, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(run.velocities, velocities, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("name, start, lr, beta, steps", CASES)
def test_convention_equivalences(nesterov, name, start, lr, beta, steps):
    surface = surfaces.get(name)
    kwargs = dict(steps=steps, nesterov=nesterov)
    torch = simulate(surface, start, lr=lr, beta=beta, convention="pytorch", **kwargs)
    lesson = simulate(surface, start, lr=lr, beta=beta, convention="lesson", **kwargs)
    classical = simulate(surface, start, lr=lr, beta=beta, convention="classical", **kwargs)
    ema = simulate(surface, start, lr=lr, beta=beta, convention="ema", **kwargs)
    torch_ema = simulate(
        surface, start, lr=lr * (1 - beta), beta=beta, convention="pytorch", **kwargs
    )

    # lesson ≡ pytorch with v scaled by α
    np.testing.assert_array_equal(lesson.positions, torch.positions)
    np.testing.assert_allclose(lesson.velocities, lr * torch.velocities, rtol=1e-15, atol=0)
    # classical ≡ lesson with v negated
    np.testing.assert_array_equal(classical.positions, lesson.positions)
    np.testing.assert_array_equal(classical.velocities, -lesson.velocities)
    # ema with α ≡ pytorch with α(1 − β); velocity × (1 − β)
    np.testing.assert_array_equal(ema.positions, torch_ema.positions)
    np.testing.assert_allclose(
        ema.velocities, (1 - beta) * torch_ema.velocities, rtol=1e-15, atol=0
    )
    np.testing.assert_array_equal(ema.losses, torch_ema.losses)


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name, start, lr, beta, steps", CASES)
def test_beta_zero_is_plain_gradient_descent(convention, name, start, lr, beta, steps):
    run = simulate(surfaces.get(name), start, lr=lr, beta=0.0, steps=steps, convention=convention)
    expected = reference.plain_gradient_descent(_reference_gradient(name), start, lr, steps)
    np.testing.assert_allclose(run.positions, expected, rtol=1e-12, atol=1e-14)
    # the velocity is the (scaled) gradient of the previous position
    scale = {"pytorch": 1.0, "lesson": lr, "ema": 1.0, "classical": -lr}[convention]
    np.testing.assert_allclose(run.velocities[1:], scale * run.gradients[:-1], rtol=1e-14, atol=0)


@pytest.mark.parametrize("name, start, lr, beta, steps", CASES)
def test_nesterov_matches_pytorch_definition(name, start, lr, beta, steps):
    run = simulate(surfaces.get(name), start, lr=lr, beta=beta, steps=steps, nesterov=True)
    positions, buffers = reference.run_nesterov_pytorch(
        _reference_gradient(name), start, lr, beta, steps
    )
    stored = run.num_steps + 1
    np.testing.assert_allclose(run.positions, positions[:stored], rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(run.velocities, buffers[:stored], rtol=1e-9, atol=1e-11)
    if run.diverged:  # Nesterov with α = 0.1, β = 0.8 is unstable on the ravine's y
        assert name == "ravine"
        assert np.abs(positions[run.diverged_step]).max() > 1e10
        assert np.abs(positions[run.diverged_step - 1]).max() <= 1e10
    else:
        assert stored == steps + 1
    # and Nesterov really is a different method from heavy ball here
    heavy = simulate(surfaces.get(name), start, lr=lr, beta=beta, steps=steps)
    assert not np.allclose(run.positions[:10], heavy.positions[:10])


def test_nesterov_with_beta_zero_is_plain_gd():
    surface = surfaces.ravine()
    a = simulate(surface, [-2.4, 0.2], lr=0.1, beta=0.0, steps=30, nesterov=True)
    b = simulate(surface, [-2.4, 0.2], lr=0.1, beta=0.0, steps=30)
    np.testing.assert_array_equal(a.positions, b.positions)


def test_reference_agrees_with_published_ravine_number():
    # the reference loop alone reproduces the blog post: a check on the reference itself
    positions, _ = reference.run(
        reference.GRADIENTS["ravine"], (-2.4, 0.2), 0.1, 0.8, 50, "pytorch"
    )
    assert f"{reference.LOSSES['ravine'](*positions[-1]):.3e}" == "2.868e-05"
    for beta, expected in ((0.0, 185), (0.9, 159), (0.99, None)):
        positions, _ = reference.run(
            reference.GRADIENTS["stretched_bowl"], (-4.0, 1.5), 0.18, beta, 300, "ema"
        )
        assert (
            reference.steps_to_converge(reference.LOSSES["stretched_bowl"], positions, 1e-3)
            == expected
        )
