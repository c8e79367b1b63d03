"""The classic optimisation test functions: known minima, gradients, lookup by name."""

from __future__ import annotations

import math

import numpy as np
import pytest

from momentum_math import simulate, surfaces, theory

#: name -> (the documented global minima, L there).
KNOWN = {
    "rosenbrock": ([[1.0, 1.0]], 0.0),
    "beale": ([[3.0, 0.5]], 0.0),
    "himmelblau": (
        [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]],
        0.0,
    ),
    "rastrigin": ([[0.0, 0.0]], 0.0),
    "booth": ([[1.0, 3.0]], 0.0),
    "six_hump_camel": ([[0.0898, -0.7126], [-0.0898, 0.7126]], -1.031628453489877),
}
NAMES = sorted(KNOWN)
WINDOWS = {
    "beale": ((-4.5, 4.5), (-4.5, 4.5)),
    "rastrigin": ((-5.12, 5.12), (-5.12, 5.12)),
    "booth": ((-10.0, 10.0), (-10.0, 10.0)),
    "six_hump_camel": ((-3.0, 3.0), (-2.0, 2.0)),
}


@pytest.fixture(params=NAMES)
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_lookup_by_name(name: str) -> None:
    surface = surfaces.get(name)
    assert name in surfaces.NAMES
    assert surface.name == name
    assert surface.latex.startswith("L(")
    assert surface.title
    if name in WINDOWS:
        assert (surface.x_range, surface.y_range) == WINDOWS[name]
    low, high = surface.x_range
    assert low < high and surface.y_range[0] < surface.y_range[1]


def test_documented_minima(name: str) -> None:
    surface = surfaces.get(name)
    documented, value = KNOWN[name]
    # the refined minima are the documented ones, to the digits documented
    tolerance = 1e-4 if name == "six_hump_camel" else 1e-6
    np.testing.assert_allclose(surface.minima, documented, rtol=0, atol=tolerance)
    np.testing.assert_allclose(surface.value(surface.minima), value, rtol=0, atol=1e-9)
    assert surface.min_value == pytest.approx(value, abs=1e-9)
    np.testing.assert_allclose(surface.gradient(surface.minima), 0.0, atol=1e-12)


@pytest.mark.parametrize("radius", [1e-5, 1e-3, 1e-2])
def test_every_minimum_is_lower_than_a_ring_around_it(name: str, radius: float) -> None:
    surface = surfaces.get(name)
    angles = np.linspace(0.0, 2.0 * np.pi, 24, endpoint=False)
    ring = radius * np.stack((np.cos(angles), np.sin(angles)), axis=-1)
    for minimum in surface.minima:
        low = float(surface.value(minimum))
        assert np.all(surface.value(minimum + ring) > low), (minimum, radius)


def test_nothing_on_a_dense_grid_is_lower(name: str) -> None:
    surface = surfaces.get(name)
    xs = np.linspace(*surface.x_range, 601)
    ys = np.linspace(*surface.y_range, 601)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    assert surface.value(grid).min() >= surface.min_value - 1e-9


def _central_difference(surface: surfaces.Surface, point: np.ndarray, h: float) -> np.ndarray:
    steps = h * np.eye(2)
    return (surface.value(point + steps) - surface.value(point - steps)) / (2.0 * h)


def test_gradient_matches_central_differences(name: str) -> None:
    surface = surfaces.get(name)
    rng = np.random.default_rng(sum(map(ord, name)))
    for _ in range(200):
        point = np.array([rng.uniform(*surface.x_range), rng.uniform(*surface.y_range)])
        analytic = surface.gradient(point)
        numeric = _central_difference(surface, point, 1e-6 * max(1.0, float(np.abs(point).max())))
        scale = max(1.0, float(np.abs(analytic).max()), float(surface.value(point)) * 1e-3)
        np.testing.assert_allclose(analytic, numeric, rtol=0, atol=2e-5 * scale)


def test_batches_agree_with_single_points(name: str) -> None:
    surface = surfaces.get(name)
    rng = np.random.default_rng(5)
    batch = np.stack(
        (rng.uniform(*surface.x_range, (3, 4)), rng.uniform(*surface.y_range, (3, 4))), axis=-1
    )
    values, gradients = surface.value(batch), surface.gradient(batch)
    assert values.shape == (3, 4) and gradients.shape == (3, 4, 2)
    for index in np.ndindex(3, 4):
        assert values[index] == surface.value(batch[index])
        np.testing.assert_array_equal(gradients[index], surface.gradient(batch[index]))


def test_himmelblau_has_four_distinct_minima() -> None:
    minima = surfaces.himmelblau().minima
    assert minima.shape == (4, 2)
    distances = np.linalg.norm(minima[:, None] - minima[None, :], axis=-1)
    assert np.all(distances[~np.eye(4, dtype=bool)] > 1.0)


def test_six_hump_camel_minima_mirror_each_other() -> None:
    surface = surfaces.six_hump_camel()
    np.testing.assert_array_equal(surface.minima[1], -surface.minima[0])
    assert float(surface.value(surface.minima[0])) == float(surface.value(surface.minima[1]))


def test_rastrigin_far_from_the_origin() -> None:
    # cos 2πx is 1 at every integer, however large: L is exactly x² + y² there.
    surface = surfaces.rastrigin()
    for x, y in [(1e10, -3.0), (2.0**60, 5.0), (-7.0, 1e15)]:
        assert float(surface.value([x, y])) == pytest.approx(x * x + y * y, rel=1e-15)
        np.testing.assert_allclose(surface.gradient([x, y]), [2 * x, 2 * y], rtol=1e-12)
    with pytest.raises(ValueError, match="finite"):
        surface.value([1e200, 0.0])


def test_booth_is_a_quadratic_with_its_minimum_off_the_origin() -> None:
    booth = surfaces.booth()
    assert booth.is_quadratic
    np.testing.assert_array_equal(booth.hessian, [[10.0, 8.0], [8.0, 10.0]])
    assert booth.condition_number == pytest.approx(9.0)
    rng = np.random.default_rng(11)
    for point in rng.uniform(-10, 10, (20, 2)):
        offset = point - booth.minima[0]
        expected = 0.5 * offset @ booth.hessian @ offset
        assert float(booth.value(point)) == pytest.approx(expected, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(booth.gradient(point), booth.hessian @ offset, atol=1e-12)
    # the closed-form theory (which measures from minima[0]) predicts a run's losses
    run = simulate(booth, (-6.0, 8.0), lr=0.05, beta=0.7, steps=80)
    predicted = theory.predicted_losses(booth, (-6.0, 8.0), lr=0.05, beta=0.7, steps=80)
    np.testing.assert_allclose(run.losses, predicted, rtol=1e-9, atol=1e-12)


def test_momentum_descends_each_new_surface(name: str) -> None:
    surface = surfaces.get(name)
    start = surface.minima[0] + np.array([0.05, -0.05])
    run = simulate(surface, start, lr=1e-3, beta=0.5, steps=200)
    assert not run.diverged
    assert run.final_loss < float(surface.value(start))
    assert math.isfinite(run.final_loss)
