"""Maps of a surface: the data-to-screen frame, contour lines, minimum markers.

Everything here draws numbers that ``momentum_math`` computed; nothing here
computes optimisation maths. Moving things drawn on a map (trails, arrows)
are in :mod:`lessonkit.motion`, panels of text in :mod:`lessonkit.panels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import contourpy
import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Circle,
    Line,
    Rectangle,
    VGroup,
    VMobject,
    interpolate_color,
)
from numpy.typing import ArrayLike, NDArray

from lessonkit import levels, style
from momentum_math import Surface

FloatArray = NDArray[np.float64]
Range = tuple[float, float]


@dataclass(frozen=True)
class MapFrame:
    """An affine map from a surface's (x, y) window onto a rectangle of the frame.

    ``x_range`` and ``y_range`` are the data window; ``center``, ``width`` and
    ``height`` place it in scene units. x and y may be scaled differently.
    """

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    center: tuple[float, float] = (0.0, 0.0)
    width: float = 12.0
    height: float = 4.0

    @property
    def x_scale(self) -> float:
        """Scene units per unit of x."""
        return self.width / (self.x_range[1] - self.x_range[0])

    @property
    def y_scale(self) -> float:
        """Scene units per unit of y."""
        return self.height / (self.y_range[1] - self.y_range[0])

    def to_scene(self, points: ArrayLike) -> FloatArray:
        """Data points (..., 2) to scene points (..., 3)."""
        data = np.asarray(points, dtype=float)
        mid_x = 0.5 * (self.x_range[0] + self.x_range[1])
        mid_y = 0.5 * (self.y_range[0] + self.y_range[1])
        out = np.zeros((*data.shape[:-1], 3))
        out[..., 0] = self.center[0] + (data[..., 0] - mid_x) * self.x_scale
        out[..., 1] = self.center[1] + (data[..., 1] - mid_y) * self.y_scale
        return out

    def vector_to_scene(self, vectors: ArrayLike) -> FloatArray:
        """Data displacements (..., 2) to scene displacements (..., 3)."""
        data = np.asarray(vectors, dtype=float)
        out = np.zeros((*data.shape[:-1], 3))
        out[..., 0] = data[..., 0] * self.x_scale
        out[..., 1] = data[..., 1] * self.y_scale
        return out

    def border(self) -> Rectangle:
        """The window's outline."""
        rectangle = Rectangle(width=self.width, height=self.height)
        rectangle.move_to([*self.center, 0.0])
        return rectangle.set_stroke(style.AXIS_COLOR, style.THIN_STROKE_WIDTH)


def contour_levels(surface: Surface, frame: MapFrame, count: int = 10) -> FloatArray:
    """``count`` loss levels, log-spaced, whose contours fall inside ``frame``'s window
    (:func:`lessonkit.levels.contour_levels`: the page's playground draws the same)."""
    return levels.contour_levels(surface, frame.x_range, frame.y_range, count)


def _ellipses_fit(surface: Surface, frame: MapFrame) -> bool:
    return levels.ellipses_fit(surface, frame.x_range, frame.y_range)


def _grid(
    surface: Surface, frame: MapFrame, resolution: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    return levels.grid(surface, frame.x_range, frame.y_range, resolution)


class ContourMap(VGroup):
    """Contour lines of ``surface`` over ``frame``, coloured from low to high.

    Quadratics are drawn as exact ellipses (a few Bézier arcs each, fast to
    render); other surfaces are traced on a grid with contourpy.
    """

    def __init__(
        self,
        surface: Surface,
        frame: MapFrame,
        levels: Sequence[float] | None = None,
        resolution: int = 160,
    ) -> None:
        super().__init__()
        self.surface = surface
        self.frame = frame
        self.levels = np.asarray(
            contour_levels(surface, frame) if levels is None else levels, dtype=float
        )
        #: The loss level of each line, in the order of the submobjects.
        self.line_levels: list[float] = []
        # Non-quadratic surfaces (and quadratics whose minimum is not inside the window, whose
        # ellipses would cross its edge) are traced on one grid, evaluated once for all levels.
        tracer = (
            None
            if _ellipses_fit(surface, frame)
            else contourpy.contour_generator(*_grid(surface, frame, resolution))
        )
        for index, level in enumerate(self.levels):
            fraction = index / max(len(self.levels) - 1, 1)
            color = interpolate_color(style.CONTOUR_LOW_COLOR, style.CONTOUR_HIGH_COLOR, fraction)
            lines = self._ellipse(level) if tracer is None else self._traced(tracer, level)
            for line in lines:
                line.set_stroke(color, style.THIN_STROKE_WIDTH, opacity=0.9)
                self.add(line)
                self.line_levels.append(float(level))

    def _traced(self, tracer: contourpy.ContourGenerator, level: float) -> list[VMobject]:
        lines = []
        for segment in tracer.lines(level):
            if len(segment) < 3:
                continue
            line = VMobject()
            line.set_points_smoothly(self.frame.to_scene(segment))
            lines.append(line)
        return lines

    def _ellipse(self, level: float) -> list[VMobject]:
        """The ring at ``level``: one exact ellipse when it fits in the window, else its arcs
        inside the window (cut where they meet its edges)."""
        eigenvalues, eigenvectors = np.linalg.eigh(self.surface.hessian)
        radii = np.sqrt(2.0 * (level - self.surface.min_value) / eigenvalues)
        data_matrix = eigenvectors @ np.diag(radii)
        centre = np.asarray(self.surface.minima[0], dtype=float)
        if ring_closes_inside(self.surface, self.frame, level):
            scene_matrix = np.diag([self.frame.x_scale, self.frame.y_scale]) @ data_matrix
            ellipse = Circle(radius=1.0, num_components=9)
            ellipse.apply_matrix(scene_matrix, about_point=np.zeros(3))
            ellipse.shift(self.frame.to_scene(centre))
            return [ellipse]
        angles = np.linspace(0.0, 2.0 * np.pi, CLIPPED_RING_POINTS, endpoint=False)
        ring = centre + (data_matrix @ np.stack([np.cos(angles), np.sin(angles)])).T
        arcs = []
        for arc in clip_closed_curve(ring, self.frame.x_range, self.frame.y_range):
            line = VMobject()
            line.set_points_as_corners(self.frame.to_scene(arc))
            arcs.append(line)
        return arcs


#: Points around a ring that the window cuts: enough that its arcs look smooth at 1080p.
CLIPPED_RING_POINTS = 360


def clip_closed_curve(points: FloatArray, x_range: Range, y_range: Range) -> list[FloatArray]:
    """The pieces of the closed polyline ``points`` (n × 2) that lie inside the window, each
    ending exactly on the window's edge where it leaves it."""
    low = np.array([x_range[0], y_range[0]])
    high = np.array([x_range[1], y_range[1]])
    inside = np.all((points >= low) & (points <= high), axis=1)
    if inside.all():
        return [np.vstack([points, points[:1]])]
    if not inside.any():
        return []
    start = int(np.argmin(inside))  # an outside point: the pieces start after it
    order = np.roll(np.arange(len(points)), -start)
    pieces: list[FloatArray] = []
    current: list[FloatArray] = []
    for previous, index in zip(np.roll(order, 1), order, strict=True):
        if inside[index]:
            if not current:
                current.append(_edge_point(points[index], points[previous], low, high))
            current.append(points[index])
        elif current:
            current.append(_edge_point(current[-1], points[index], low, high))
            pieces.append(np.array(current))
            current = []
    if current:
        current.append(_edge_point(current[-1], points[order[0]], low, high))
        pieces.append(np.array(current))
    return [piece for piece in pieces if len(piece) >= 2]


def _edge_point(inner: FloatArray, outer: FloatArray, low: FloatArray, high: FloatArray):
    """Where the segment from ``inner`` (inside the window) to ``outer`` leaves the window."""
    step = outer - inner
    fraction = 1.0
    for axis in range(2):
        if step[axis] > 0:
            fraction = min(fraction, (high[axis] - inner[axis]) / step[axis])
        elif step[axis] < 0:
            fraction = min(fraction, (low[axis] - inner[axis]) / step[axis])
    return inner + max(fraction, 0.0) * step


def whole_rings(surface: Surface, frame: MapFrame, count: int = 10) -> list[float]:
    """The map's contour levels (:func:`contour_levels`) whose rings lie wholly inside
    ``frame``'s window: for a map drawn without a border, where a ring the window cuts
    would end in mid-air. A surface traced on a grid keeps all its levels."""
    every = contour_levels(surface, frame, count)
    if not _ellipses_fit(surface, frame):
        return [float(level) for level in every]
    return [float(level) for level in every if ring_closes_inside(surface, frame, level)]


def ring_closes_inside(surface: Surface, frame: MapFrame, level: float) -> bool:
    """Whether a quadratic's ring at ``level`` lies wholly inside ``frame``'s window."""
    inverse = np.linalg.inv(np.asarray(surface.hessian, dtype=float))
    centre = np.asarray(surface.minima[0], dtype=float)
    # the ellipse L = c reaches sqrt(2 (c - min) (H^-1)_ii) from the centre along axis i
    reach = np.sqrt(2.0 * (level - surface.min_value) * np.diag(inverse))
    (x_low, x_high), (y_low, y_high) = frame.x_range, frame.y_range
    return bool(
        centre[0] - reach[0] >= x_low
        and centre[0] + reach[0] <= x_high
        and centre[1] - reach[1] >= y_low
        and centre[1] + reach[1] <= y_high
    )


def minimum_marker(surface: Surface, frame: MapFrame) -> VGroup:
    """A small cross on each known minimum."""
    marks = VGroup()
    for point in frame.to_scene(surface.minima):
        size = 0.12
        marks.add(
            Line(point + size * (LEFT + UP), point + size * (RIGHT + DOWN)),
            Line(point + size * (LEFT + DOWN), point + size * (RIGHT + UP)),
        )
    return marks.set_stroke(style.MINIMUM_COLOR, 3)


def ravine_map_frame(surface: Surface) -> MapFrame:
    """The lesson's map of the ravine: the whole width of the frame, below the title and panels.

    Every chapter that shows the ravine from above uses this frame, so the same
    map looks the same all lesson long.
    """
    return MapFrame(surface.x_range, surface.y_range, center=(0.0, -0.8), width=12.6, height=3.5)


@dataclass(frozen=True, eq=False)
class MapLayers:
    """A surface's map before any run is drawn on it: contour rings, border, minimum markers.

    Built together by :meth:`for_surface` so every chapter that shows a surface
    from above draws the same three layers; a storyboard animates them in as
    its story needs (rings one by one, the markers last...).
    """

    contours: ContourMap
    border: Rectangle
    minimum: VGroup

    @classmethod
    def for_surface(cls, surface: Surface, frame: MapFrame) -> MapLayers:
        """The contour map of ``surface`` in ``frame``, the frame's border and the minima."""
        return cls(ContourMap(surface, frame), frame.border(), minimum_marker(surface, frame))

    @property
    def parts(self) -> list[VMobject]:
        """The three layers: contours, border, minimum markers."""
        return [self.contours, self.border, self.minimum]
