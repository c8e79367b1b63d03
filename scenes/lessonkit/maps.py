"""Drawing pieces every chapter reuses: contour maps, trajectories, arrows, readouts.

Everything here draws numbers that ``momentum_math`` computed; nothing here
computes optimisation maths. Moving pieces are driven by one ``ValueTracker``
(the step index, fractional between steps) and update their points in place,
which keeps Cairo rendering fast (see RENDER_NOTES).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import contourpy
import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Animation,
    Arrow,
    Circle,
    Dot,
    Line,
    ManimColor,
    MathTex,
    Rectangle,
    RoundedRectangle,
    Text,
    ValueTracker,
    VectorizedPoint,
    VGroup,
    VMobject,
    interpolate_color,
    linear,
)
from numpy.typing import ArrayLike, NDArray

from lessonkit import style
from lessonkit.formatting import format_loss, format_point, format_step
from momentum_math import Surface, Trajectory

FloatArray = NDArray[np.float64]


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
    """``count`` loss levels, log-spaced, whose contours fall inside the window.

    The spacing is geometric (each level a constant factor above the last) so
    the rings crowd where the loss is small, as in the published figures.
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count!r}")
    if surface.is_quadratic:
        # The ellipse L = c reaches sqrt(2c (H^-1)_ii) along axis i.
        inverse = np.linalg.inv(surface.hessian)
        fits = [
            (half_width**2) / (2.0 * inverse[axis, axis])
            for axis, half_width in enumerate(_half_widths(frame))
        ]
        highest = 0.92 * min(fits) + surface.min_value
    else:
        highest = float(np.quantile(_grid(surface, frame, 120)[2], 0.8))
    lowest = surface.min_value + (highest - surface.min_value) * 1e-3
    offset = surface.min_value
    return offset + np.geomspace(lowest - offset, highest - offset, count)


def _half_widths(frame: MapFrame) -> tuple[float, float]:
    return (
        min(abs(frame.x_range[0]), abs(frame.x_range[1])),
        min(abs(frame.y_range[0]), abs(frame.y_range[1])),
    )


def _grid(surface: Surface, frame: MapFrame, resolution: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Grid coordinates over the window and the loss on the grid: ``(xs, ys, values)``."""
    xs = np.linspace(*frame.x_range, resolution)
    ys = np.linspace(*frame.y_range, resolution)
    return xs, ys, surface.value(np.stack(np.meshgrid(xs, ys), axis=-1))


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
        # Non-quadratic surfaces are traced on one grid, evaluated once for all levels.
        tracer = None if surface.is_quadratic else contourpy.contour_generator(*_grid(surface, frame, resolution))
        for index, level in enumerate(self.levels):
            fraction = index / max(len(self.levels) - 1, 1)
            color = interpolate_color(style.CONTOUR_LOW_COLOR, style.CONTOUR_HIGH_COLOR, fraction)
            lines = [self._ellipse(level)] if tracer is None else self._traced(tracer, level)
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

    def _ellipse(self, level: float) -> VMobject:
        eigenvalues, eigenvectors = np.linalg.eigh(self.surface.hessian)
        radii = np.sqrt(2.0 * (level - self.surface.min_value) / eigenvalues)
        data_matrix = eigenvectors @ np.diag(radii)
        scene_matrix = np.diag([self.frame.x_scale, self.frame.y_scale]) @ data_matrix
        ellipse = Circle(radius=1.0, num_components=9)
        ellipse.apply_matrix(scene_matrix, about_point=np.zeros(3))
        ellipse.shift(self.frame.to_scene(self.surface.minima[0]))
        return ellipse


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


class TrajectoryTrail(VGroup):
    """A dot that walks along a trajectory, leaving a trail; driven by ``progress``.

    ``progress`` is a ValueTracker holding the (fractional) step index, from 0
    to ``trajectory.num_steps``. The trail's points are updated in place.
    """

    def __init__(
        self,
        trajectory: Trajectory,
        frame: MapFrame,
        color: ManimColor = style.GD_COLOR,
        progress: ValueTracker | None = None,
        dot_radius: float = 0.09,
    ) -> None:
        super().__init__()
        self.trajectory = trajectory
        self.frame = frame
        self.progress = progress if progress is not None else ValueTracker(0.0)
        self.scene_points = frame.to_scene(trajectory.positions)
        self.trail = VMobject().set_stroke(color, style.STROKE_WIDTH)
        self.dot = Dot(radius=dot_radius, color=color).set_z_index(2)
        self.trail.set_z_index(1)
        # The dot is placed by setting its points, not by shifting them: repeated
        # shifts pile up rounding, so the same step would hash differently
        # depending on how many frames led to it, and defeat manim's cache.
        self._dot_outline = self.dot.points - self.dot.get_center()
        self.add(self.trail, self.dot)
        self._refresh()
        self.trail.add_updater(lambda _: self._refresh())

    @property
    def last_step(self) -> int:
        """The largest step index ``progress`` can reach."""
        return self.trajectory.num_steps

    def point_at(self, progress: float) -> FloatArray:
        """The scene point at a fractional step index."""
        clamped = min(max(progress, 0.0), float(self.last_step))
        index = min(int(math.floor(clamped)), self.last_step)
        if index == self.last_step:
            return self.scene_points[index]
        fraction = clamped - index
        return (1 - fraction) * self.scene_points[index] + fraction * self.scene_points[index + 1]

    def _refresh(self) -> None:
        value = self.progress.get_value()
        index = min(max(int(math.floor(value)), 0), self.last_step)
        head = self.point_at(value)
        corners = np.vstack((self.scene_points[: index + 1], head[None, :]))
        self.trail.set_points_as_corners(corners)
        self.dot.points = self._dot_outline + head

    def walk(self, to_step: float, run_time: float) -> Animation:
        """Animate the dot from where it is to ``to_step`` at constant speed."""
        target = min(max(to_step, 0.0), float(self.last_step))
        return self.progress.animate(run_time=run_time, rate_func=linear).set_value(target)


class StepArrows(VGroup):
    """An arrow at the current step: ``vectors[k]`` drawn from ``anchors[k]``.

    Used for the downhill step (the displacement of plain gradient descent,
    −α∇L) and for velocities. Rebuilt only when the integer step changes. The
    label is shown only while the arrow is at least ``min_label_length`` long.
    """

    min_label_length: float = 0.45

    def __init__(
        self,
        anchors: ArrayLike,
        vectors: ArrayLike,
        frame: MapFrame,
        progress: ValueTracker,
        color: ManimColor = style.GRADIENT_COLOR,
        label: str | None = None,
    ) -> None:
        super().__init__()
        self.anchors = frame.to_scene(anchors)
        self.vectors = frame.vector_to_scene(vectors)
        self.progress = progress
        self.color = color
        self.label_text = label
        self.shown_step = -1
        self.shown_segment: tuple[FloatArray, FloatArray] | None = None
        self.label_visible = False
        self.arrow = VMobject()
        self.label = VMobject()
        self.add(self.arrow, self.label)
        self.set_z_index(3)
        self._refresh()
        self.add_updater(lambda _: self._refresh())

    def step_shown(self) -> int:
        """The step whose arrow is on screen."""
        return min(int(math.floor(self.progress.get_value())), len(self.vectors) - 1)

    def _refresh(self) -> None:
        step = self.step_shown()
        if step == self.shown_step or step < 0:
            return
        self.shown_step = step
        start = self.anchors[step]
        end = start + self.vectors[step]
        self.shown_segment = (start, end)
        arrow = Arrow(
            start,
            end,
            buff=0,
            color=self.color,
            stroke_width=5,
            max_tip_length_to_length_ratio=0.3,
            tip_length=0.22,
        )
        self.arrow.become(arrow)
        if self.label_text:
            # Same structure every step (``become`` keeps it), hidden on tiny arrows,
            # which sit under the dot where a label would only crowd it.
            label = MathTex(self.label_text, color=self.color, font_size=style.LABEL_SIZE)
            side = RIGHT if self.vectors[step][0] >= 0 else LEFT
            label.next_to(end, side, buff=0.22)
            self.label.become(label)
            self.label_visible = bool(np.linalg.norm(end - start) >= self.min_label_length)
            if not self.label_visible:
                self.label.set_opacity(0.0)


#: Glyphs a readout line can hold (see :func:`_show_glyphs`).
GLYPH_SLOTS = 48


def _show_glyphs(line: VMobject, text: Text, slots: int = GLYPH_SLOTS) -> None:
    """Make ``line`` draw ``text``: its ``slots`` glyph children take the text's shapes.

    ``become`` would resample points to match the line's previous text, so a
    line's points would depend on every string it showed before, and manim
    hashes them to cache animations. Here each glyph is copied as it is and
    the unused slots are emptied: the line is the same whatever its history,
    and re-renders reuse the cache. The children stay the same objects, so
    manim keeps drawing them during a play.
    """
    glyphs = text.submobjects
    if len(glyphs) > slots:
        raise ValueError(f"readout text {text.text!r} has {len(glyphs)} glyphs; at most {slots} fit")
    if len(line.submobjects) != slots:
        line.submobjects = [VMobject() for _ in range(slots)]
    for index, slot in enumerate(line.submobjects):
        if index < len(glyphs):
            slot.points = np.array(glyphs[index].points)
            slot.match_style(glyphs[index])
        else:
            slot.clear_points()


class Readout(VGroup):
    """A small panel of live numbers: step, loss and position at the current step.

    Text is rebuilt only when the integer step changes; the strings come from
    :mod:`lessonkit.formatting`, so they equal the trajectory's numbers.
    """

    def __init__(
        self,
        trajectory: Trajectory,
        progress: ValueTracker,
        color: ManimColor = style.TEXT_COLOR,
        title: str | None = None,
    ) -> None:
        super().__init__()
        self.trajectory = trajectory
        self.progress = progress
        self.color = color
        self.shown_step = -1
        self.shown_texts: list[str] = []
        self.has_title = bool(title)
        self.title = (
            Text(title, font=style.FONT, font_size=style.LABEL_SIZE, color=color)
            if title
            else VMobject()
        )
        self.lines = VGroup(*[VMobject() for _ in range(3)])
        # The lines hang from a fixed point (the title's corner, or this marker),
        # never from where the previous lines were, so their position does not
        # depend on how many times they were rebuilt.
        self.anchor = VectorizedPoint(ORIGIN)
        self.add(self.anchor, self.title, self.lines)
        self._refresh()
        self.add_updater(lambda _: self._refresh())

    def current_step(self) -> int:
        """The step whose numbers are shown."""
        return min(int(math.floor(self.progress.get_value() + 1e-9)), self.trajectory.num_steps)

    def texts(self, step: int) -> list[str]:
        """The lines shown at ``step``."""
        return [
            f"step  {format_step(step)}",
            f"loss  {format_loss(self.trajectory.losses[step])}",
            f"θ     {format_point(self.trajectory.positions[step])}",
        ]

    def _refresh(self) -> None:
        step = self.current_step()
        if step == self.shown_step:
            return
        self.shown_step = step
        self.shown_texts = self.texts(step)
        for line, text in zip(self.lines, self.shown_texts, strict=True):
            _show_glyphs(line, Text(text, font=style.MONO_FONT, font_size=style.SMALL_SIZE, color=self.color))
        self.lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        if self.has_title:
            self.lines.next_to(self.title, DOWN, aligned_edge=LEFT, buff=0.15)
        else:
            self.lines.move_to(self.anchor.get_center(), aligned_edge=UP + LEFT)


def equation_panel(lines: Sequence[str], font_size: int = style.BODY_SIZE) -> VGroup:
    """LaTeX lines stacked in a rounded panel."""
    equations = VGroup(*[MathTex(line, font_size=font_size, color=style.TEXT_COLOR) for line in lines])
    equations.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
    panel = RoundedRectangle(
        corner_radius=0.12,
        width=equations.width + 0.5,
        height=equations.height + 0.4,
    )
    panel.set_fill(style.PANEL_COLOR, 0.92).set_stroke(style.PANEL_BORDER_COLOR, 1.5)
    panel.move_to(equations)
    return VGroup(panel, equations)


def title_text(text: str) -> Text:
    """A chapter title, placed top-left inside the margin."""
    title = Text(text, font=style.FONT, font_size=style.TITLE_SIZE, color=style.TEXT_COLOR)
    return title
