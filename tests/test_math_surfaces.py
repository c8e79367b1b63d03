"""Surfaces: gradients against finite differences, shapes, minima, lookup."""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference import GRADIENTS, LOSSES

from momentum_math import surfaces

ALL_SURFACES = [surfaces.get(name) for name in surfaces.NAMES] + [
    surfaces.quadratic([0.5, 3.0], angle=0.7)
]
IDS = [*surfaces.NAMES, "quadratic_rotated"]


def _central_difference(surface, point, h=1e-6):
    grad = np.empty(2)
    for i in range(2):
        step = np.zeros(2)
        step[i] = h
        grad[i] = (surface.value(point + step) - surface.value(point - step)) / (2 * h)
    return grad


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=IDS)
def test_gradient_matches_central_differences(surface):
    rng = np.random.default_rng(1234)
    (x_low, x_high), (y_low, y_high) = surface.x_range, surface.y_range
    for _ in range(25):
        point = np.array([rng.uniform(x_low, x_high), rng.uniform(y_low, y_high)])
        if surface.name == "ackley" and np.linalg.norm(point) < 1e-3:
            continue  # the cone's tip is not differentiable
        numeric = _central_difference(surface, point)
        analytic = surface.gradient(point)
        scale = max(1.0, float(np.abs(analytic).max()))
        np.testing.assert_allclose(analytic, numeric, rtol=0, atol=2e-5 * scale)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_value_and_gradient_match_the_brief_formulas(name):
    surface = surfaces.get(name)
    rng = np.random.default_rng(7)
    points = rng.uniform(-4, 4, size=(50, 2))
    values = surface.value(points)
    gradients = surface.gradient(points)
    for point, value, gradient in zip(points, values, gradients, strict=True):
        assert value == pytest.approx(LOSSES[name](*point), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(gradient, GRADIENTS[name](*point), rtol=1e-12, atol=1e-12)


def test_rotated_quadratic_is_half_theta_h_theta():
    surface = surfaces.quadratic([0.5, 3.0], angle=0.7)
    c, s = math.cos(0.7), math.sin(0.7)
    rotation = np.array([[c, -s], [s, c]])
    hessian = rotation @ np.diag([0.5, 3.0]) @ rotation.T
    np.testing.assert_allclose(surface.hessian, hessian, atol=1e-15)
    np.testing.assert_allclose(surface.hessian_eigenvalues, [0.5, 3.0], rtol=1e-12)
    assert surface.condition_number == pytest.approx(6.0)
    point = np.array([1.3, -0.4])
    assert float(surface.value(point)) == pytest.approx(0.5 * point @ hessian @ point, rel=1e-14)
    np.testing.assert_allclose(surface.gradient(point), hessian @ point, rtol=1e-14)


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=IDS)
def test_shapes_single_point_and_batch(surface):
    value = surface.value([0.3, -0.2])
    gradient = surface.gradient([0.3, -0.2])
    assert np.shape(value) == ()
    assert np.shape(gradient) == (2,)
    rng = np.random.default_rng(0)
    batch = rng.uniform(-2, 2, size=(4, 5, 2))
    values = surface.value(batch)
    gradients = surface.gradient(batch)
    assert values.shape == (4, 5)
    assert gradients.shape == (4, 5, 2)
    # the batch agrees with point-by-point evaluation
    for index in np.ndindex(4, 5):
        assert values[index] == pytest.approx(float(surface.value(batch[index])), rel=1e-14)
        np.testing.assert_allclose(gradients[index], surface.gradient(batch[index]), rtol=1e-14)


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=IDS)
def test_known_minima_are_stationary(surface):
    for minimum in surface.minima:
        np.testing.assert_allclose(surface.gradient(minimum), [0.0, 0.0], atol=1e-12)
    # nearby points are higher
    rng = np.random.default_rng(3)
    nearby = surface.minima[0] + rng.normal(scale=1e-2, size=(20, 2))
    assert np.all(surface.value(nearby) > surface.min_value)


def test_qfsp_global_minima():
    qfsp = surfaces.qfsp()
    assert qfsp.minima.shape == (2, 2)
    np.testing.assert_allclose(qfsp.minima[0], [1.298, -1.298], atol=1e-3)
    np.testing.assert_allclose(qfsp.minima[1], -qfsp.minima[0])
    np.testing.assert_allclose(qfsp.value(qfsp.minima), [-5.9045, -5.9045], atol=1e-4)
    np.testing.assert_allclose(qfsp.gradient(qfsp.minima), 0.0, atol=1e-12)
    # global: a dense grid finds nothing lower
    grid = np.stack(np.meshgrid(np.linspace(-8, 8, 801), np.linspace(-8, 8, 801)), axis=-1)
    assert qfsp.value(grid).min() >= qfsp.min_value - 1e-12


def test_other_minima_values():
    assert surfaces.ackley().min_value == pytest.approx(0.0, abs=1e-12)
    assert surfaces.rosenbrock().min_value == 0.0
    for name in ("ravine", "stretched_bowl", "paraboloid"):
        assert surfaces.get(name).min_value == 0.0


def test_quadratic_hessians_from_the_brief():
    np.testing.assert_allclose(surfaces.ravine().hessian_eigenvalues, [1 / 8, 18])
    assert surfaces.ravine().condition_number == pytest.approx(144.0)
    np.testing.assert_allclose(surfaces.stretched_bowl().hessian_eigenvalues, [0.1, 10.0])
    assert not surfaces.qfsp().is_quadratic
    with pytest.raises(ValueError, match="not quadratic"):
        surfaces.qfsp().hessian_eigenvalues  # noqa: B018


def test_get_unknown_name_lists_names():
    with pytest.raises(ValueError) as error:
        surfaces.get("banana")
    message = str(error.value)
    assert "banana" in message
    for name in surfaces.NAMES:
        assert name in message
    with pytest.raises(TypeError, match="name"):
        surfaces.get(3)


@pytest.mark.parametrize(
    "eigenvalues, angle",
    [
        ([1.0], 0.0),
        ([0.0, 1.0], 0.0),
        ([-1.0, 1.0], 0.0),
        ([np.nan, 1.0], 0.0),
        ([1.0, 2.0], np.inf),
    ],
)
def test_quadratic_rejects_bad_parameters(eigenvalues, angle):
    with pytest.raises(ValueError, match="eigenvalues|angle"):
        surfaces.quadratic(eigenvalues, angle)


@pytest.mark.parametrize("bad", [[1.0, 2.0, 3.0], [[1.0]], 5.0, [np.nan, 0.0], "ab"])
def test_surface_rejects_bad_points(bad):
    with pytest.raises((ValueError, TypeError), match="points"):
        surfaces.ravine().value(bad)
