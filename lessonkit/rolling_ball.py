"""A ball rolling along a valley floor between two walls: :class:`RollingBall`.

The picture behind momentum: a heavy ball in a valley. Its wobble from wall to
wall dies down (each wall's nudge pushes it back toward the floor, and the
nudges alternate), while its speed along the floor builds up.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    Animation,
    Arrow,
    Circle,
    DashedLine,
    Rectangle,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)

from lessonkit import style
from lessonkit.panels import text_label

__all__ = ["RollingBall"]


class RollingBall:
    """A ball rolling along a valley floor, with its velocity arrow, its path and the walls' nudges.

    The valley runs left to right: a dashed floor at ``floor_y`` from ``left``
    to ``right``, and a wall (a filled band ``wall_thickness`` thick) on each
    side, ``half_width`` from the floor. One ``ValueTracker``, :attr:`progress`,
    drives the roll from 0 (the ball at rest near the left end) to 1 (the end
    of the roll, ``end_inset`` short of the right end): the ball wobbles
    across the floor, the wobble dying down, while it speeds up over the first
    :attr:`ramp` of the roll and then keeps its speed. Its velocity arrow
    (:attr:`velocity`) grows with the speed; its path (:attr:`path`) is drawn up
    to the ball; at each turn of the wobble, a nudge from that wall (an arrow
    in :attr:`nudges`, weaker as the wobble dies down) appears once the ball
    has passed it.

    The parts are separate mobjects, not one group, so a storyboard can bring
    in the scenery, the ball and its arrow one by one and add the path and the
    nudges when the roll starts. Between :meth:`start_rolling` and
    :meth:`stop_rolling` they follow :attr:`progress`; animate it with
    :meth:`roll`. The ball is placed by setting its points, never by shifting
    them, so a frame depends only on ``progress`` (manim's cache reuses it).

    Attributes
    ----------
    walls : VGroup of two Rectangle
        The upper and the lower wall.
    wall_labels : VGroup of two Text
        "wall", on each wall.
    floor : DashedLine
        The valley floor.
    floor_label : Text
        "valley floor", under the floor's right end.
    ball : Circle
        The ball (drawn above the path and the nudges).
    velocity : VMobject
        The ball's velocity arrow, pointing along the floor (drawn above the ball).
    path : VMobject
        The path the ball has rolled so far.
    nudges : VGroup of Arrow
        The walls' nudges, shown (opacity 0.85) once the ball has passed their turn.
    progress : ValueTracker
        How far through the roll the ball is, from 0 to 1.
    """

    #: Share of the roll over which the ball speeds up, and its speed at the start (of 1).
    ramp = 0.4
    start_speed = 0.3
    #: The wobble across the floor: its first swing, how fast it dies down, swings in the roll.
    wobble = 0.55
    wobble_decay = 2.2
    wobbles = 5
    #: The ball's radius; the velocity arrow's gap from its centre, least length and gain.
    ball_radius = 0.26
    arrow_gap = 0.2
    arrow_base = 0.35
    arrow_gain = 1.3
    #: Samples of the path along the whole roll.
    path_samples = 161

    def __init__(
        self,
        floor_y: float = 0.25,
        half_width: float = 1.15,
        left: float = -6.2,
        right: float = 6.2,
        wall_thickness: float = 0.55,
        start_inset: float = 0.6,
        end_inset: float = 4.2,
    ) -> None:
        self.floor_y = floor_y
        self.top = floor_y + half_width
        self.bottom = floor_y - half_width
        self.start_x = left + start_inset
        self.end_x = right - end_inset
        self.progress = ValueTracker(0.0)
        self._build_scenery(left, right, wall_thickness)
        self.ball = Circle(radius=self.ball_radius)
        self.ball.set_fill(style.MOMENTUM_COLOR, 1).set_stroke(style.TEXT_COLOR, 2)
        style.mark(self.ball, "momentum")
        self.ball.set_z_index(3)
        self._ball_outline = self.ball.points - self.ball.get_center()
        self.velocity = style.mark(VMobject(), "velocity")
        self.velocity.set_z_index(4)
        self._samples = np.linspace(0.0, 1.0, self.path_samples)
        self._path_points = np.array([self.center_at(s) for s in self._samples])
        self.path = VMobject().set_stroke(style.MOMENTUM_COLOR, 2.5, opacity=0.55)
        style.mark(self.path, "momentum")
        self._place_ball(self.ball)
        self._draw_path(self.path)
        self._draw_velocity(self.velocity)
        self.turns = [(0.05 + 0.1 * k) for k in range(8)]
        self.nudges = style.mark(VGroup(*[self._nudge(turn) for turn in self.turns]), "gradient")
        self._show_nudges(self.nudges)

    def _build_scenery(self, left: float, right: float, wall_thickness: float) -> None:
        half = wall_thickness / 2
        self.walls = VGroup(
            Rectangle(width=right - left, height=wall_thickness).move_to([0, self.top + half, 0]),
            Rectangle(width=right - left, height=wall_thickness).move_to(
                [0, self.bottom - half, 0]
            ),
        )
        self.walls.set_fill(style.PANEL_COLOR, 1.0).set_stroke(style.PANEL_BORDER_COLOR, 2)
        self.wall_labels = VGroup(
            *[text_label("wall", style.MUTED_TEXT_COLOR).move_to(wall) for wall in self.walls]
        )
        self.floor = DashedLine([left, self.floor_y, 0], [right, self.floor_y, 0], dash_length=0.15)
        self.floor.set_stroke(style.AXIS_COLOR, 2)
        self.floor_label = text_label("valley floor", style.MUTED_TEXT_COLOR)
        self.floor_label.next_to(self.floor, DOWN, buff=0.12).align_to(self.floor, RIGHT)

    # --- the motion ----------------------------------------------------------------

    def _distance(self, t: float) -> float:
        """Distance rolled by ``t`` (in units of the full speed times the roll's duration)."""
        ramp, rest = self.ramp, 1 - self.start_speed
        if t < ramp:
            return self.start_speed * t + rest * t * t / (2 * ramp)
        return self.start_speed * ramp + rest * ramp / 2 + (t - ramp)

    def along(self, s: float) -> float:
        """The ball's x at progress ``s``."""
        return self.start_x + (self.end_x - self.start_x) * self._distance(s) / self._distance(1.0)

    def across(self, s: float) -> float:
        """The ball's y at progress ``s``: a wobble about the floor, dying down."""
        swing = self.wobble * math.exp(-self.wobble_decay * s)
        return self.floor_y + swing * math.sin(2 * math.pi * self.wobbles * s)

    def speed(self, s: float) -> float:
        """The ball's speed at progress ``s``, as a share of its full speed."""
        return self.start_speed + (1 - self.start_speed) * min(s / self.ramp, 1.0)

    def center_at(self, s: float) -> np.ndarray:
        """The ball's centre at progress ``s`` (a scene point)."""
        return np.array([self.along(s), self.across(s), 0.0])

    # --- the parts, following progress ---------------------------------------------

    def _nudge(self, turn: float) -> Arrow:
        """The push from the wall the ball is nearest at ``turn``, back toward the floor."""
        upper = self.across(turn) > self.floor_y
        face = self.top if upper else self.bottom
        start = np.array([self.along(turn), face, 0.0])
        length = 0.2 + self.wobble * math.exp(-self.wobble_decay * turn)
        return Arrow(
            start,
            start + length * (DOWN if upper else UP),
            buff=0,
            color=style.GRADIENT_COLOR,
            stroke_width=5,
            tip_length=0.16,
            max_tip_length_to_length_ratio=0.45,
        )

    def _place_ball(self, ball: VMobject) -> None:
        ball.points = self._ball_outline + self.center_at(self.progress.get_value())

    def _draw_path(self, path: VMobject) -> None:
        s = self.progress.get_value()
        head = np.array([self.center_at(s)])
        rolled = self._path_points[self._samples < s]
        path.set_points_as_corners(np.vstack((self._path_points[:1], rolled, head)))

    def _draw_velocity(self, velocity: VMobject) -> None:
        s = self.progress.get_value()
        center = self.center_at(s)
        length = self.arrow_base + self.arrow_gain * self.speed(s)
        velocity.become(
            Arrow(
                center + self.arrow_gap * RIGHT,
                center + (self.arrow_gap + length) * RIGHT,
                buff=0,
                color=style.VELOCITY_COLOR,
                stroke_width=6,
                tip_length=0.22,
                max_tip_length_to_length_ratio=0.4,
            )
        )

    def _show_nudges(self, nudges: VGroup) -> None:
        s = self.progress.get_value()
        for turn, nudge in zip(self.turns, nudges, strict=True):
            nudge.set_opacity(0.85 if s >= turn else 0.0)

    def _followers(self) -> list[tuple[VMobject, Callable[[VMobject], None]]]:
        return [
            (self.ball, self._place_ball),
            (self.path, self._draw_path),
            (self.velocity, self._draw_velocity),
            (self.nudges, self._show_nudges),
        ]

    def start_rolling(self) -> None:
        """Make the ball, its path, its arrow and the nudges follow :attr:`progress`."""
        for mobject, updater in self._followers():
            mobject.add_updater(updater)

    def roll(self, run_time: float) -> Animation:
        """Animate the whole roll (``progress`` to 1) at constant pace over ``run_time``."""
        return self.progress.animate(run_time=run_time, rate_func=linear).set_value(1.0)

    def stop_rolling(self) -> None:
        """Stop following :attr:`progress` (the parts keep where they are)."""
        for mobject, _ in self._followers():
            mobject.clear_updaters()

    @property
    def parts(self) -> list[VMobject]:
        """Every part: the scenery, then the ball, its arrow, the nudges and the path."""
        return [
            self.walls,
            self.wall_labels,
            self.floor,
            self.floor_label,
            self.ball,
            self.velocity,
            self.nudges,
            self.path,
        ]
