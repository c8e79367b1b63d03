"""A loss surface in 3-D, and runs drawn on it: the data-to-scene frame, the surface, paths.

:class:`SurfaceFrame` maps data ``(x, y, loss)`` to scene points: x and y
exactly as a flat :class:`~lessonkit.maps.MapFrame` places them (so a 3-D
surface seen from straight above lies on the contour map of the same
window), the loss onto height z. :class:`LossSurface` draws any
``momentum_math.Surface`` as coarse faces coloured by height, and
:class:`SurfacePath` walks a :class:`~momentum_math.Trajectory` over it: a
dot and a trail lifted onto the surface, driven by a ``ValueTracker`` like
:class:`~lessonkit.motion.TrajectoryTrail` and updated in place.

3-D is costly in manim's Cairo renderer while the camera moves (every face
is projected and shaded each frame; RENDER_NOTES): keep surfaces at 16×16
faces or fewer, and the camera still while a path is drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Dot,
    Line,
    ManimColor,
    ValueTracker,
    VGroup,
    VMobject,
    interpolate_color,
    linear,
)
from manim import Surface as ManimSurface
from numpy.typing import ArrayLike, NDArray

from lessonkit import style
from lessonkit.maps import MapFrame
from momentum_math import Surface, Trajectory

__all__ = [
    "LossSurface",
    "SurfaceFrame",
    "SurfacePath",
    "curve_on_surface",
    "loss_range",
    "minimum_crosses",
]

FloatArray = NDArray[np.float64]


def loss_range(
    surface: Surface, x_range: tuple[float, float], y_range: tuple[float, float], samples: int = 121
) -> tuple[float, float]:
    """The lowest and highest loss of ``surface`` over the window, sampled on a grid.

    The known minima count too, so the bottom of a pit between grid points is included.
    """
    xs = np.linspace(*x_range, samples)
    ys = np.linspace(*y_range, samples)
    values = surface.value(np.stack(np.meshgrid(xs, ys), axis=-1))
    low, high = float(values.min()), float(values.max())
    inside = [
        point
        for point in surface.minima
        if x_range[0] <= point[0] <= x_range[1] and y_range[0] <= point[1] <= y_range[1]
    ]
    if inside:
        low = min(low, surface.min_value)
    return low, high


@dataclass(frozen=True)
class SurfaceFrame:
    """Data ``(x, y, loss)`` to scene points: x, y as ``map`` places them, loss to height.

    The loss ``loss_range[0]`` sits at ``z = base``, ``loss_range[1]`` at
    ``z = base + height`` (linear in between, so heights compare honestly).
    """

    map: MapFrame
    loss_range: tuple[float, float]
    height: float = 2.5
    base: float = 0.0

    @classmethod
    def for_surface(
        cls,
        surface: Surface,
        map_frame: MapFrame,
        height: float = 2.5,
        base: float = 0.0,
    ) -> SurfaceFrame:
        """A frame whose heights span ``height`` scene units over the loss in ``map_frame``'s
        window."""
        return cls(
            map_frame, loss_range(surface, map_frame.x_range, map_frame.y_range), height, base
        )

    @property
    def z_scale(self) -> float:
        """Scene units of height per unit of loss."""
        low, high = self.loss_range
        if not high > low:
            raise ValueError(f"loss_range must rise, got {self.loss_range!r}")
        return self.height / (high - low)

    def z_of(self, losses: ArrayLike) -> FloatArray:
        """Scene height z of loss values (any shape)."""
        return self.base + (np.asarray(losses, dtype=float) - self.loss_range[0]) * self.z_scale

    def to_scene(self, points: ArrayLike, losses: ArrayLike) -> FloatArray:
        """Data points (..., 2) with their losses (...) to scene points (..., 3)."""
        out = self.map.to_scene(points)
        out[..., 2] = self.z_of(losses)
        return out

    def to_data(self, scene_points: ArrayLike) -> FloatArray:
        """Scene points (..., 3) to data ``(x, y, loss)`` (..., 3), undoing :meth:`to_scene`."""
        scene = np.asarray(scene_points, dtype=float)
        out = np.empty(scene.shape)
        mid_x = 0.5 * (self.map.x_range[0] + self.map.x_range[1])
        mid_y = 0.5 * (self.map.y_range[0] + self.map.y_range[1])
        out[..., 0] = mid_x + (scene[..., 0] - self.map.center[0]) / self.map.x_scale
        out[..., 1] = mid_y + (scene[..., 1] - self.map.center[1]) / self.map.y_scale
        out[..., 2] = self.loss_range[0] + (scene[..., 2] - self.base) / self.z_scale
        return out

    def lift(self, surface: Surface, points: ArrayLike) -> FloatArray:
        """Data points (..., 2) to scene points (..., 3) on ``surface`` (z from their loss)."""
        data = np.asarray(points, dtype=float)
        return self.to_scene(data, surface.value(data))


class LossSurface(ManimSurface):
    """``surface`` over ``frame``'s window as ``resolution`` × ``resolution`` faces.

    Each face is filled by its height, from ``style.CONTOUR_LOW_COLOR`` (low)
    to ``style.CONTOUR_HIGH_COLOR`` (high), the colours of the contour map;
    the camera shades it in 3-D. ``resolution`` may be ``(nx, ny)``.
    """

    def __init__(
        self,
        surface: Surface,
        frame: SurfaceFrame,
        resolution: int | tuple[int, int] = 16,
        fill_opacity: float = 0.9,
        stroke_width: float = 0.6,
    ) -> None:
        self.loss_surface = surface
        self.frame = frame
        x_range, y_range = frame.map.x_range, frame.map.y_range
        counts = (resolution, resolution) if isinstance(resolution, int) else tuple(resolution)
        if min(counts) < 1:
            raise ValueError(f"resolution must be >= 1, got {resolution!r}")

        def point(u: float, v: float) -> FloatArray:
            return frame.lift(surface, np.array([u, v]))

        super().__init__(
            point,
            u_range=x_range,
            v_range=y_range,
            resolution=counts,
            checkerboard_colors=False,
            fill_opacity=fill_opacity,
            stroke_color=style.PANEL_BORDER_COLOR,
            stroke_width=stroke_width,
        )
        self.face_counts = counts
        self.color_by_height()

    @property
    def faces(self) -> list[VMobject]:
        """The faces, one per grid cell."""
        return list(self.submobjects)

    def color_by_height(
        self, low: ManimColor = style.CONTOUR_LOW_COLOR, high: ManimColor = style.CONTOUR_HIGH_COLOR
    ) -> LossSurface:
        """Fill each face by the mean loss of its corners, from ``low`` to ``high``."""
        bottom, top = self.frame.loss_range
        for face in self.submobjects:
            corners = np.array(
                [[face.u1, face.v1], [face.u2, face.v1], [face.u2, face.v2], [face.u1, face.v2]]
            )
            level = float(np.mean(self.loss_surface.value(corners)))
            fraction = min(max((level - bottom) / (top - bottom), 0.0), 1.0)
            face.set_fill(interpolate_color(low, high, fraction), opacity=face.get_fill_opacity())
        return self


def curve_on_surface(
    surface: Surface,
    frame: SurfaceFrame,
    points: ArrayLike,
    color: ManimColor = style.HIGHLIGHT_COLOR,
    stroke_width: float = style.STROKE_WIDTH,
) -> VMobject:
    """A curve through data points (n, 2), each lifted onto ``surface`` (drawn smooth)."""
    curve = VMobject()
    curve.set_points_smoothly(frame.lift(surface, points))
    return curve.set_stroke(color, stroke_width)


def minimum_crosses(surface: Surface, frame: SurfaceFrame, size: float = 0.12) -> VGroup:
    """A small flat cross on each of ``surface``'s minima, lifted onto the surface.

    The 3-D counterpart of :func:`lessonkit.maps.minimum_marker` (one cross, a
    ``VGroup`` of two lines, per minimum; drawn above the surface's faces). To
    keep each facing the camera, add them with
    ``scene.add_fixed_orientation_mobjects(*crosses, use_static_center_func=True)``.
    """
    marks = VGroup()
    for point in frame.lift(surface, surface.minima):
        marks.add(
            VGroup(
                Line(point + size * (LEFT + UP), point + size * (RIGHT + DOWN)),
                Line(point + size * (LEFT + DOWN), point + size * (RIGHT + UP)),
            )
        )
    return marks.set_stroke(style.MINIMUM_COLOR, 3).set_z_index(4)


class SurfacePath(VGroup):
    """A dot walking ``trajectory`` over the surface, leaving a trail; driven by ``progress``.

    ``progress`` is a ValueTracker holding the (fractional) step index, from 0
    to ``trajectory.num_steps``. Each step is cut into ``samples_per_step``
    pieces lifted onto the surface, so the trail follows the ground between
    positions instead of cutting through it. Points are updated in place. The
    dot is flat: register it with ``scene.add_fixed_orientation_mobjects(path.dot)``
    so that it faces the camera (a round dot, not an ellipse on a tilted floor).
    """

    def __init__(
        self,
        trajectory: Trajectory,
        frame: SurfaceFrame,
        color: ManimColor = style.GD_COLOR,
        progress: ValueTracker | None = None,
        samples_per_step: int = 8,
        dot_radius: float = 0.1,
    ) -> None:
        super().__init__()
        if samples_per_step < 1:
            raise ValueError(f"samples_per_step must be >= 1, got {samples_per_step!r}")
        self.trajectory = trajectory
        self.frame = frame
        self.samples_per_step = samples_per_step
        self.progress = progress if progress is not None else ValueTracker(0.0)
        positions = trajectory.positions
        fractions = np.arange(samples_per_step) / samples_per_step
        pieces = (
            positions[:-1, None, :]
            + fractions[None, :, None] * np.diff(positions, axis=0)[:, None, :]
        )
        #: Data points of the trail, (num_steps * samples_per_step + 1, 2); every
        #: ``samples_per_step``-th one is a position of the run.
        self.data_points = np.vstack((pieces.reshape(-1, 2), positions[-1:]))
        #: The same points in the scene, on the surface.
        self.scene_points = frame.lift(trajectory.surface, self.data_points)
        self.trail = VMobject().set_stroke(color, style.STROKE_WIDTH)
        self.dot = Dot(radius=dot_radius, color=color).set_stroke(style.BACKGROUND_COLOR, 1.5)
        self.trail.set_z_index(5)
        self.dot.set_z_index(6)
        self._dot_outline = self.dot.points - self.dot.get_center()
        self.add(self.trail, self.dot)
        self._refresh()
        self.trail.add_updater(lambda _: self._refresh())

    @property
    def last_step(self) -> int:
        """The largest step index ``progress`` can reach."""
        return self.trajectory.num_steps

    def point_at(self, progress: float) -> FloatArray:
        """The scene point on the surface at a fractional step index."""
        clamped = min(max(progress, 0.0), float(self.last_step))
        position = clamped * self.samples_per_step
        index = min(int(math.floor(position)), len(self.scene_points) - 1)
        if index == len(self.scene_points) - 1:
            return self.scene_points[index]
        fraction = position - index
        data = (1 - fraction) * self.data_points[index] + fraction * self.data_points[index + 1]
        return self.frame.lift(self.trajectory.surface, data)

    def _refresh(self) -> None:
        value = min(max(self.progress.get_value(), 0.0), float(self.last_step))
        index = int(math.floor(value * self.samples_per_step))
        head = self.point_at(value)
        corners = np.vstack((self.scene_points[: index + 1], head[None, :]))
        self.trail.set_points_as_corners(corners)
        self.dot.points = self._dot_outline + head

    def walk(self, to_step: float, run_time: float) -> Animation:
        """Animate the dot from where it is to ``to_step`` at constant speed."""
        target = min(max(to_step, 0.0), float(self.last_step))
        return self.progress.animate(run_time=run_time, rate_func=linear).set_value(target)
