"""Things that move along a run: a walking dot with its trail, per-step arrows.

Each is driven by one ``ValueTracker`` (the step index, fractional between
steps) and updates its points in place, which keeps Cairo rendering fast
(see RENDER_NOTES): no mobject is rebuilt per frame.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Arrow,
    Dot,
    ManimColor,
    MathTex,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)
from numpy.typing import ArrayLike, NDArray

from lessonkit import style
from lessonkit.maps import MapFrame
from momentum_math import Trajectory

__all__ = ["StepArrows", "TrajectoryTrail"]

FloatArray = NDArray[np.float64]


class TrajectoryTrail(VGroup):
    """A dot that walks along a trajectory, leaving a trail; driven by ``progress``.

    ``progress`` is a ValueTracker holding the (fractional) step index, from 0
    to ``trajectory.num_steps``. The trail's points are updated in place.
    """

    def __init__(
        self,
        trajectory: Trajectory,
        frame: MapFrame,
        color: ManimColor | None = None,
        progress: ValueTracker | None = None,
        dot_radius: float = 0.09,
    ) -> None:
        super().__init__()
        by_beta = color is None  # the run's colour by its β, and marked as that run
        if color is None:
            color = style.run_color(trajectory.beta)
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
        if by_beta:
            style.mark_run(self, trajectory.beta)
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
            # Beyond the tip, along the arrow's main direction: where the path is about to
            # go from the tip is beside it, not past it.
            x, y = self.vectors[step][:2]
            if abs(y) > abs(x):
                side = UP if y > 0 else DOWN
            else:
                side = RIGHT if x >= 0 else LEFT
            label.next_to(end, side, buff=0.12)
            self.label.become(label)
            self.label_visible = bool(np.linalg.norm(end - start) >= self.min_label_length)
            if not self.label_visible:
                self.label.set_opacity(0.0)
