"""Contour levels of a surface over a window: which loss values the maps draw rings at.

Manim-free, so the videos (:mod:`lessonkit.maps`) and the lesson page's playground
(:mod:`lesson_build.explore`) draw the same rings. Nothing here computes optimisation maths:
it reads the loss ``momentum_math`` defines on a grid.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from momentum_math import Surface

FloatArray = NDArray[np.float64]
Range = tuple[float, float]

__all__ = ["contour_levels", "ellipses_fit", "grid", "half_widths"]


def half_widths(surface: Surface, x_range: Range, y_range: Range) -> tuple[float, float]:
    """How far the window reaches from the surface's (first) minimum towards its nearest
    edge, along x and y (≤ 0 when the minimum is on the edge or outside)."""
    centre = np.asarray(surface.minima, dtype=float).reshape(-1, 2)[0]
    return (
        float(min(centre[0] - x_range[0], x_range[1] - centre[0])),
        float(min(centre[1] - y_range[0], y_range[1] - centre[1])),
    )


def ellipses_fit(surface: Surface, x_range: Range, y_range: Range) -> bool:
    """Whether the contours are exact ellipses inside the window (a quadratic whose minimum
    is inside it)."""
    return surface.is_quadratic and min(half_widths(surface, x_range, y_range)) > 0


def grid(
    surface: Surface, x_range: Range, y_range: Range, resolution: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Grid coordinates over the window and the loss on the grid: ``(xs, ys, values)``."""
    xs = np.linspace(*x_range, resolution)
    ys = np.linspace(*y_range, resolution)
    return xs, ys, surface.value(np.stack(np.meshgrid(xs, ys), axis=-1))


def contour_levels(surface: Surface, x_range: Range, y_range: Range, count: int = 10) -> FloatArray:
    """``count`` loss levels, log-spaced, whose contours cross the window.

    For a quadratic whose minimum is inside the window the highest ring just
    misses the window's farthest edge along the axis with most room; rings
    wider than the window along the other axis are cut off at its edges.

    The spacing is geometric (each level a constant factor above the last) so
    the rings crowd where the loss is small, as in the published figures.
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count!r}")
    if ellipses_fit(surface, x_range, y_range):
        reach = half_widths(surface, x_range, y_range)
        # The ellipse L = c reaches sqrt(2c (H^-1)_ii) along axis i.
        inverse = np.linalg.inv(np.asarray(surface.hessian, dtype=float))
        fits = [(half**2) / (2.0 * inverse[axis, axis]) for axis, half in enumerate(reach)]
        # The outer rings reach the window's far edge along its roomier axis (cut off at the
        # nearer edges), so runs that start far out still cross rings.
        highest = 0.92 * max(fits) + surface.min_value
        offset = surface.min_value
    else:
        # A quadratic whose minimum is on the window's edge or off it is traced as any other.
        values = grid(surface, x_range, y_range, 120)[2]
        highest = float(np.quantile(values, 0.8))
        offset = min(surface.min_value, float(values.min()))
    if not highest > offset:
        raise ValueError(
            f"the loss is flat on the map (x in {x_range}, y in {y_range}): no contour levels"
        )
    lowest = offset + (highest - offset) * 1e-3
    return offset + np.geomspace(lowest - offset, highest - offset, count)
